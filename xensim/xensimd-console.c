/*
 * xensimd-console.c: a pty per console, serial port and channel, with a
 * small simulated guest behind it
 *
 * xensimd holds the master side (as xenconsoled or qemu would) and keeps
 * the slave open too, so that the master never reports a hangup while no
 * client is attached; output nobody reads waits in the pty, as a real
 * console's would, and is dropped once the pty is full.  The slave is in
 * raw mode: the simulated guest echoes what it is sent, as a getty's
 * terminal would.
 *
 * The masters are watched through one epoll set, itself one source of
 * xensimd's main loop: a source per pty had every wakeup of xensimd (each
 * client request) poll every console of every domain, a cost that grew
 * with the domains (a thousand ptys: a few ms a request) and that Xen's
 * hypercalls do not pay for xenconsoled's ptys.
 *
 * Consoles and serial ports run a getty: boot text (when the domain is
 * first unpaused), a login prompt, a shell that answers a few commands
 * (uname, hostname, echo, whoami, poweroff, reboot, exit).  Channels run
 * an echo service ("ping" answers "pong").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>
#include <glib-unix.h>

#include <libxl.h>

#include "xensimd-state.h"

typedef enum {
    XENSIM_GUEST_LOGIN,
    XENSIM_GUEST_SHELL,
} XensimGuestMode;

struct _XensimConsole {
    XensimDomain *dom;
    XensimConsoleKind kind;
    guint num;
    char *name;                 /* channels: the channel's name */
    int master;
    int slave;
    char *tty;
    bool watch;                 /* the master is in the epoll set */
    GString *line;
    XensimGuestMode mode;
};

const char *
xensimConsoleTty(XensimConsole *console)
{
    return console->tty;
}

XensimConsoleKind
xensimConsoleKind(XensimConsole *console)
{
    return console->kind;
}

guint
xensimConsoleNum(XensimConsole *console)
{
    return console->num;
}

const char *
xensimConsoleName(XensimConsole *console)
{
    return console->name;
}

/* Whatever fits; a console nobody reads loses output, as a real one. */
static void
xensimConsoleWrite(XensimConsole *console, const char *text)
{
    size_t len = strlen(text);

    while (len > 0) {
        ssize_t n = write(console->master, text, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        text += n;
        len -= n;
    }
}

static void G_GNUC_PRINTF(2, 3)
xensimConsolePrintf(XensimConsole *console, const char *fmt, ...)
{
    g_autofree char *text = NULL;
    va_list ap;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xensimConsoleWrite(console, text);
}

static const char *
xensimConsoleDevice(XensimConsole *console)
{
    static char dev[32];

    if (console->kind == XENSIM_CONSOLE_SERIAL)
        g_snprintf(dev, sizeof(dev), "ttyS%u", console->num);
    else
        g_snprintf(dev, sizeof(dev), "hvc%u", console->num);
    return dev;
}

static void
xensimConsolePrompt(XensimConsole *console)
{
    if (console->kind == XENSIM_CONSOLE_CHANNEL)
        return;
    if (console->mode == XENSIM_GUEST_LOGIN)
        xensimConsolePrintf(console, "%s login: ", console->dom->name);
    else
        xensimConsolePrintf(console, "root@%s:~# ", console->dom->name);
}

/* What a save stream carries of the guest behind the console. */
const char *
xensimConsoleGuestMode(XensimConsole *console)
{
    return console->mode == XENSIM_GUEST_SHELL ? "shell" : "login";
}

/* A restored guest goes on: no boot text, the session it had. */
void
xensimConsoleResume(XensimConsole *console, const char *mode)
{
    console->mode = g_strcmp0(mode, "shell") == 0 ? XENSIM_GUEST_SHELL
                                                  : XENSIM_GUEST_LOGIN;
}

/* The kernel's and systemd's first words, then a getty. */
void
xensimConsoleBoot(XensimConsole *console)
{
    XensimDomain *dom = console->dom;

    if (console->kind == XENSIM_CONSOLE_CHANNEL)
        return;
    xensimConsolePrintf(console,
        "[    0.000000] Linux version 6.1.0-xensim-amd64 (debian-kernel@lists.debian.org)\r\n"
        "[    0.000000] Command line: root=/dev/xvda1 ro console=%s\r\n"
        "[    0.000000] Hypervisor detected: Xen %s\r\n"
        "[    0.412000] xen_blkfront: xvda: flush diskcache: enabled\r\n"
        "[    1.020000] systemd[1]: Hostname set to <%s>.\r\n"
        "[  OK  ] Reached target Multi-User System.\r\n"
        "\r\n"
        "Debian GNU/Linux 12 %s %s\r\n"
        "\r\n",
        xensimConsoleDevice(console),
        dom->type == XENSIM_DOMAIN_TYPE_HVM ? "HVM" :
        dom->type == XENSIM_DOMAIN_TYPE_PVH ? "PVH" : "PV",
        dom->name, dom->name, xensimConsoleDevice(console));
    console->mode = XENSIM_GUEST_LOGIN;
    xensimConsolePrompt(console);
}

void
xensimConsoleShutdownText(XensimConsole *console, int reason)
{
    if (console->kind == XENSIM_CONSOLE_CHANNEL)
        return;
    switch (reason) {
    case LIBXL_SHUTDOWN_REASON_POWEROFF:
        xensimConsoleWrite(console, "\r\n[  OK  ] Reached target System Power Off.\r\n"
                           "[   42.000000] reboot: Power down\r\n");
        break;
    case LIBXL_SHUTDOWN_REASON_REBOOT:
        xensimConsoleWrite(console, "\r\n[  OK  ] Reached target System Reboot.\r\n"
                           "[   42.000000] reboot: Restarting system\r\n");
        break;
    case LIBXL_SHUTDOWN_REASON_CRASH:
        xensimConsoleWrite(console, "\r\n[   42.000000] Kernel panic - not syncing: "
                           "sysrq triggered crash\r\n");
        break;
    case LIBXL_SHUTDOWN_REASON_WATCHDOG:
        xensimConsoleWrite(console, "\r\n[   42.000000] watchdog: BUG: soft lockup\r\n");
        break;
    case LIBXL_SHUTDOWN_REASON_SUSPEND:
        xensimConsoleWrite(console, "\r\n[   42.000000] Freezing user space processes\r\n");
        break;
    default:
        xensimConsoleWrite(console, "\r\n[   42.000000] reboot: machine restart\r\n");
        break;
    }
}

/* A command line typed at the shell. */
static void
xensimConsoleRun(XensimConsole *console, const char *line)
{
    XensimDomain *dom = console->dom;
    g_auto(GStrv) argv = NULL;
    g_autofree char *cmd = g_strstrip(g_strdup(line));

    if (!*cmd)
        return;
    argv = g_strsplit_set(cmd, " \t", -1);
    if (strcmp(argv[0], "uname") == 0) {
        if (argv[1] && strcmp(argv[1], "-a") == 0)
            xensimConsolePrintf(console, "Linux %s 6.1.0-xensim-amd64 #1 SMP "
                                "PREEMPT_DYNAMIC Debian 6.1.0 x86_64 GNU/Linux\r\n",
                                dom->name);
        else if (argv[1] && strcmp(argv[1], "-r") == 0)
            xensimConsoleWrite(console, "6.1.0-xensim-amd64\r\n");
        else
            xensimConsoleWrite(console, "Linux\r\n");
    } else if (strcmp(argv[0], "hostname") == 0) {
        xensimConsolePrintf(console, "%s\r\n", dom->name);
    } else if (strcmp(argv[0], "whoami") == 0) {
        xensimConsoleWrite(console, "root\r\n");
    } else if (strcmp(argv[0], "echo") == 0) {
        const char *rest = cmd + 4;

        while (*rest == ' ' || *rest == '\t')
            rest++;
        xensimConsolePrintf(console, "%s\r\n", rest);
    } else if (strcmp(argv[0], "poweroff") == 0 || strcmp(argv[0], "halt") == 0 ||
               (strcmp(argv[0], "shutdown") == 0 && argv[1] &&
                strcmp(argv[1], "-h") == 0)) {
        xensimGuestInitiate(dom, LIBXL_SHUTDOWN_REASON_POWEROFF);
    } else if (strcmp(argv[0], "reboot") == 0 ||
               (strcmp(argv[0], "shutdown") == 0 && argv[1] &&
                strcmp(argv[1], "-r") == 0)) {
        xensimGuestInitiate(dom, LIBXL_SHUTDOWN_REASON_REBOOT);
    } else if (strcmp(argv[0], "exit") == 0 || strcmp(argv[0], "logout") == 0) {
        console->mode = XENSIM_GUEST_LOGIN;
    } else {
        xensimConsolePrintf(console, "-bash: %s: command not found\r\n", argv[0]);
    }
}

static void
xensimConsoleLine(XensimConsole *console, const char *line)
{
    if (console->kind == XENSIM_CONSOLE_CHANNEL) {
        xensimConsolePrintf(console, "%s\r\n",
                            strcmp(line, "ping") == 0 ? "pong" : line);
        return;
    }
    if (console->mode == XENSIM_GUEST_LOGIN) {
        if (*line) {
            console->mode = XENSIM_GUEST_SHELL;
            xensimConsolePrintf(console, "Linux %s 6.1.0-xensim-amd64 x86_64\r\n",
                                console->dom->name);
        }
    } else {
        xensimConsoleRun(console, line);
    }
    /* the command may have shut the guest down */
    if (console->dom->state == XENSIM_DOMAIN_RUNNING ||
        console->dom->state == XENSIM_DOMAIN_BLOCKED)
        xensimConsolePrompt(console);
}

static gboolean
xensimConsoleInput(gint fd, GIOCondition cond, gpointer opaque)
{
    XensimConsole *console = opaque;
    XensimDomain *dom = console->dom;
    char buf[512];
    ssize_t n, i;

    n = read(fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return G_SOURCE_CONTINUE;
    if (n <= 0)
        return G_SOURCE_REMOVE;
    /* a paused, shut down or not yet booted guest reads nothing */
    if (!dom->booted || (dom->state != XENSIM_DOMAIN_RUNNING &&
                         dom->state != XENSIM_DOMAIN_BLOCKED))
        return G_SOURCE_CONTINUE;
    for (i = 0; i < n; i++) {
        char c = buf[i];

        if (c == '\r' || c == '\n') {
            g_autofree char *line = g_strdup(console->line->str);

            if (c == '\n' && i > 0 && buf[i - 1] == '\r')
                continue;
            g_string_truncate(console->line, 0);
            xensimConsoleWrite(console, "\r\n");
            xensimConsoleLine(console, line);
            /* the guest may be gone now */
            if (dom->state != XENSIM_DOMAIN_RUNNING &&
                dom->state != XENSIM_DOMAIN_BLOCKED)
                break;
        } else if (c == 0x7f || c == 0x08) {
            if (console->line->len > 0) {
                g_string_truncate(console->line, console->line->len - 1);
                xensimConsoleWrite(console, "\b \b");
            }
        } else if (c == 0x03) {
            g_string_truncate(console->line, 0);
            xensimConsoleWrite(console, "^C\r\n");
            xensimConsolePrompt(console);
        } else if ((unsigned char)c >= 0x20 && console->line->len < 4096) {
            char echo[2] = { c, 0 };

            g_string_append_c(console->line, c);
            xensimConsoleWrite(console, echo);
        }
    }
    return G_SOURCE_CONTINUE;
}

/* The epoll set of every console's master, and its main loop source */
static int xensimConsoleEpoll = -1;

/* One ready console a dispatch: its input may destroy the domain and
 * free other consoles, so no batch of events is held across it; the set
 * is level-triggered, the others are reported again at once. */
static gboolean
xensimConsolesReady(gint fd, GIOCondition cond G_GNUC_UNUSED,
                    gpointer opaque G_GNUC_UNUSED)
{
    struct epoll_event ev;
    XensimConsole *console;

    if (epoll_wait(fd, &ev, 1, 0) != 1)
        return G_SOURCE_CONTINUE;
    console = ev.data.ptr;
    if (xensimConsoleInput(console->master, G_IO_IN, console) == G_SOURCE_REMOVE) {
        epoll_ctl(fd, EPOLL_CTL_DEL, console->master, NULL);
        console->watch = false;
    }
    return G_SOURCE_CONTINUE;
}

static bool
xensimConsoleWatch(XensimConsole *console)
{
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = console };

    if (xensimConsoleEpoll < 0) {
        if ((xensimConsoleEpoll = epoll_create1(EPOLL_CLOEXEC)) < 0)
            return false;
        g_unix_fd_add(xensimConsoleEpoll, G_IO_IN, xensimConsolesReady, NULL);
    }
    return epoll_ctl(xensimConsoleEpoll, EPOLL_CTL_ADD, console->master, &ev) == 0;
}

XensimConsole *
xensimConsoleNew(XensimDomain *dom, XensimConsoleKind kind, guint num,
                 const char *name, char **err)
{
    XensimConsole *console = g_new0(XensimConsole, 1);
    struct termios tio;
    const char *tty;

    console->dom = dom;
    console->kind = kind;
    console->num = num;
    console->name = g_strdup(name);
    console->master = -1;
    console->slave = -1;
    console->line = g_string_new(NULL);

    if ((console->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
        grantpt(console->master) < 0 || unlockpt(console->master) < 0 ||
        !(tty = ptsname(console->master)) ||
        (console->slave = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 ||
        tcgetattr(console->slave, &tio) < 0) {
        *err = g_strdup_printf("cannot allocate a pty: %s", g_strerror(errno));
        xensimConsoleFree(console);
        return NULL;
    }
    console->tty = g_strdup(tty);
    cfmakeraw(&tio);
    tcsetattr(console->slave, TCSANOW, &tio);
    fcntl(console->master, F_SETFL, fcntl(console->master, F_GETFL) | O_NONBLOCK);
    if (!(console->watch = xensimConsoleWatch(console))) {
        *err = g_strdup_printf("cannot watch a pty: %s", g_strerror(errno));
        xensimConsoleFree(console);
        return NULL;
    }
    return console;
}

void
xensimConsoleFree(gpointer opaque)
{
    XensimConsole *console = opaque;

    if (!console)
        return;
    if (console->watch)
        epoll_ctl(xensimConsoleEpoll, EPOLL_CTL_DEL, console->master, NULL);
    if (console->slave >= 0)
        close(console->slave);
    if (console->master >= 0)
        close(console->master);
    g_string_free(console->line, TRUE);
    g_free(console->name);
    g_free(console->tty);
    g_free(console);
}

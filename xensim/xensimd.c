/*
 * xensimd.c: the simulated Xen hypervisor daemon
 *
 *   xensimd --dir DIR [--config FILE] [--KEY VALUE]...
 *
 * Stays in the foreground, writes DIR/xensimd.pid, serves DIR/xensimd.sock,
 * logs to DIR/xensimd.log and builds the fake Xen file system under
 * DIR/root.  Every config key (README.md) is also a flag, overriding the
 * file.  Bad flags or config: one line on stderr, exit status 1, before
 * anything is created.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <glib-unix.h>
#include <glib/gstdio.h>

#include "xensim-proto.h"
#include "xensimd-state.h"

typedef struct {
    char *dir;
    char *socket_path;
    char *pid_path;
    FILE *log;
    XensimState *state;
    GMainLoop *loop;
    int listen_fd;
} XensimDaemon;

static void G_GNUC_PRINTF(2, 3)
xensimLog(XensimDaemon *d, const char *fmt, ...)
{
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d %H:%M:%S.%f");
    va_list ap;

    if (!d->log)
        return;
    fprintf(d->log, "%s %d: ", stamp, (int)getpid());
    va_start(ap, fmt);
    vfprintf(d->log, fmt, ap);
    va_end(ap);
    fputc('\n', d->log);
    fflush(d->log);
}

static void
xensimStateLogLine(void *opaque, const char *msg)
{
    xensimLog(opaque, "%s", msg);
}

static void
xensimUsage(FILE *out)
{
    fprintf(out,
            "usage: xensimd --dir DIR [--config FILE] [--KEY VALUE]...\n"
            "KEY: any config file key (see xensim/README.md), e.g. --cpus 16\n"
            "     --nodes 2 --memory 32768 (MiB)\n");
}

/* Parse the command line into cfg; on error print one line and fail. */
static int
xensimParseArgs(int argc, char **argv, char **dir, XensimHostConfig *cfg)
{
    g_autofree char *config = NULL;
    g_autoptr(GPtrArray) flags = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *err = NULL;
    int i;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            xensimUsage(stdout);
            exit(0);
        }
        if (!g_str_has_prefix(arg, "--") || !arg[2]) {
            fprintf(stderr, "xensimd: unexpected argument '%s' (try --help)\n", arg);
            return -1;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "xensimd: %s: missing value\n", arg);
            return -1;
        }
        if (strcmp(arg, "--dir") == 0) {
            g_free(*dir);
            *dir = g_strdup(argv[++i]);
        } else if (strcmp(arg, "--config") == 0) {
            g_free(config);
            config = g_strdup(argv[++i]);
        } else {
            char *key = g_strdup(arg + 2);

            g_strdelimit(key, "-", '_');
            g_ptr_array_add(flags, key);
            g_ptr_array_add(flags, g_strdup(argv[++i]));
        }
    }
    if (!*dir) {
        fprintf(stderr, "xensimd: --dir DIR is required\n");
        return -1;
    }
    if (config && xensimHostConfigLoad(cfg, config, &err) < 0) {
        fprintf(stderr, "xensimd: %s\n", err);
        return -1;
    }
    for (i = 0; i + 1 < (int)flags->len; i += 2) {
        const char *key = g_ptr_array_index(flags, i);

        if (xensimHostConfigSet(cfg, key, g_ptr_array_index(flags, i + 1), &err) < 0) {
            fprintf(stderr, "xensimd: --%s: %s\n", key, err);
            return -1;
        }
    }
    if (xensimHostConfigCheck(cfg, &err) < 0) {
        fprintf(stderr, "xensimd: %s%s%s\n", config ? config : "",
                config ? ": " : "", err);
        return -1;
    }
    return 0;
}

static int
xensimWriteFile(const char *path, const char *contents, GError **error)
{
    return g_file_set_contents(path, contents, -1, error) ? 0 : -1;
}

/* DIR/root: what libxensim shows in place of /proc/xen, /dev/xen, ...
 * sys/kernel/iommu_groups stays empty: Xen owns the IOMMU and hides it
 * from Domain-0's kernel (libvirt's capabilities: <iommu support='no'/>). */
static int
xensimMakeRoot(const char *dir, GError **error)
{
    static const char *const dirs[] = {
        "proc/xen", "dev/xen", "sys/bus/xen-backend/devices",
        "sys/bus/xen-backend/drivers", "sys/kernel/iommu_groups", "var/run", "run",
        "var/run/xen",
    };
    static const char *const files[] = {
        "proc/xen/privcmd", "proc/xen/xenbus", "proc/xen/xsd_kva",
        "proc/xen/xsd_port", "dev/xen/privcmd", "dev/xen/xenbus",
        "dev/xen/evtchn", "dev/xen/gntdev", "dev/xen/gntalloc",
        "dev/xen/hypercall", "dev/xen/xenstored",
    };
    g_autofree char *root = g_build_filename(dir, "root", NULL);
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *path = g_build_filename(root, dirs[i], NULL);

        if (g_mkdir_with_parents(path, 0755) < 0) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "cannot create %s: %s", path, g_strerror(errno));
            return -1;
        }
    }
    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        g_autofree char *path = g_build_filename(root, files[i], NULL);

        if (xensimWriteFile(path, "", error) < 0)
            return -1;
    }
    {
        g_autofree char *caps = g_build_filename(root, "proc/xen/capabilities", NULL);
        g_autofree char *xsd = g_build_filename(root, "var/run/xenstored.pid", NULL);
        g_autofree char *xsd2 = g_build_filename(root, "run/xenstored.pid", NULL);

        g_autofree char *runxen = g_build_filename(root, "run/xen", NULL);

        /* /var/run is /run: one directory for QEMU's sockets */
        if (!g_file_test(runxen, G_FILE_TEST_EXISTS) &&
            symlink("../var/run/xen", runxen) < 0) {
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                        "cannot create %s: %s", runxen, g_strerror(errno));
            return -1;
        }
        if (xensimWriteFile(caps, "control_d\n", error) < 0 ||
            xensimWriteFile(xsd, pid, error) < 0 ||
            xensimWriteFile(xsd2, pid, error) < 0)
            return -1;
    }
    return 0;
}

static int
xensimListen(XensimDaemon *d, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(d->socket_path) >= sizeof(addr.sun_path)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                    "socket path %s is too long", d->socket_path);
        return -1;
    }
    strcpy(addr.sun_path, d->socket_path);

    /* A live daemon on this directory keeps it; a stale socket goes. */
    if ((fd = xensimProtoConnect(d->dir)) >= 0) {
        close(fd);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                    "another xensimd serves %s", d->socket_path);
        return -1;
    }
    unlink(d->socket_path);

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 64) < 0) {
        int err = errno;

        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot listen on %s: %s", d->socket_path, g_strerror(err));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    d->listen_fd = fd;
    return 0;
}

/* A client: requests are read without blocking and buffered until whole,
 * so that a slow or stuck client never holds the others up. */
typedef struct {
    XensimDaemon *d;
    int fd;
    GByteArray *in;
} XensimClient;

static void
xensimClientFree(gpointer opaque)
{
    XensimClient *client = opaque;

    xensimStateClientGone(client->d->state, client->fd);
    close(client->fd);
    g_byte_array_unref(client->in);
    g_free(client);
}

/* Serve every whole request in the buffer: 0, or -errno to drop it. */
static int
xensimClientServe(XensimClient *client)
{
    XensimDaemon *d = client->d;

    while (client->in->len >= sizeof(guint32)) {
        g_autoptr(GVariant) request = NULL;
        g_autoptr(GVariant) reply = NULL;
        guint32 len;
        const char *name;
        gint32 rc;
        int r;

        memcpy(&len, client->in->data, sizeof(len));
        len = GUINT32_FROM_BE(len);
        if (len > XENSIM_MSG_MAX)
            return -EPROTO;
        if (client->in->len < sizeof(len) + len)
            return 0;
        r = xensimProtoDecode(client->in->data + sizeof(len), len,
                              XENSIM_REQUEST_TYPE, &request);
        g_byte_array_remove_range(client->in, 0, sizeof(len) + len);
        if (r < 0)
            return r;

        reply = xensimStateDispatch(d->state, request, client->fd);
        g_variant_get_child(request, 0, "&s", &name);
        g_variant_get_child(reply, 0, "i", &rc);
        xensimLog(d, "client %d: %s: rc %d", client->fd, name, rc);
        if ((r = xensimProtoSend(client->fd, reply)) < 0)
            return r;
    }
    return 0;
}

static gboolean
xensimClientReady(gint fd, GIOCondition cond, gpointer opaque)
{
    XensimClient *client = opaque;
    guint have = client->in->len;
    ssize_t n;
    int r;

    /* whatever is there, without waiting for more */
    g_byte_array_set_size(client->in, have + 65536);
    n = read(fd, client->in->data + have, 65536);
    g_byte_array_set_size(client->in, have + MAX(n, 0));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return G_SOURCE_CONTINUE;
    if (n <= 0)
        return G_SOURCE_REMOVE;     /* closed (or broken): drop it */
    if ((r = xensimClientServe(client)) < 0) {
        xensimLog(client->d, "client %d: dropped: %s", fd, g_strerror(-r));
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
xensimAccept(gint fd, GIOCondition cond, gpointer opaque)
{
    XensimDaemon *d = opaque;
    /* replies are small; a client that does not read them is dropped */
    struct timeval timeout = { .tv_sec = 5 };
    XensimClient *client;
    GSource *source;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (cfd < 0) {
        if (errno != EINTR && errno != EAGAIN)
            xensimLog(d, "accept: %s", g_strerror(errno));
        return G_SOURCE_CONTINUE;
    }
    /* replies are written blocking, bounded by the timeout */
    if (fcntl(cfd, F_SETFL, fcntl(cfd, F_GETFL) & ~O_NONBLOCK) < 0 ||
        setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) < 0) {
        xensimLog(d, "client %d: %s", cfd, g_strerror(errno));
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    client = g_new0(XensimClient, 1);
    client->d = d;
    client->fd = cfd;
    client->in = g_byte_array_new();
    source = g_unix_fd_source_new(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(source, G_SOURCE_FUNC(xensimClientReady), client,
                          xensimClientFree);
    g_source_attach(source, NULL);
    g_source_unref(source);
    return G_SOURCE_CONTINUE;
}

static gboolean
xensimQuit(gpointer opaque)
{
    XensimDaemon *d = opaque;

    xensimLog(d, "signal received, exiting");
    g_main_loop_quit(d->loop);
    return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
    XensimDaemon d = { .listen_fd = -1 };
    XensimHostConfig cfg;
    g_autoptr(GError) error = NULL;
    g_autofree char *log_path = NULL;
    g_autofree char *pid = NULL;
    int ret = 1;

    xensimHostConfigInit(&cfg);
    if (xensimParseArgs(argc, argv, &d.dir, &cfg) < 0) {
        xensimHostConfigDispose(&cfg);
        g_free(d.dir);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    if (g_mkdir_with_parents(d.dir, 0755) < 0) {
        fprintf(stderr, "xensimd: cannot create %s: %s\n", d.dir, g_strerror(errno));
        goto out;
    }
    d.socket_path = g_build_filename(d.dir, XENSIM_SOCKET_NAME, NULL);
    d.pid_path = g_build_filename(d.dir, XENSIM_PID_NAME, NULL);
    log_path = g_build_filename(d.dir, XENSIM_LOG_NAME, NULL);

    /* a SIGTERM from now on ends the main loop cleanly (socket and pid
     * file removed), even one that comes before the loop runs: with the
     * default action a daemon stopped right after it wrote its pid file
     * left its socket behind, and the next one's start looked done */
    g_unix_signal_add(SIGTERM, xensimQuit, &d);
    g_unix_signal_add(SIGINT, xensimQuit, &d);

    if (xensimListen(&d, &error) < 0) {
        fprintf(stderr, "xensimd: %s\n", error->message);
        goto out;
    }
    if (!(d.log = fopen(log_path, "ae")) ||
        xensimMakeRoot(d.dir, &error) < 0) {
        fprintf(stderr, "xensimd: %s\n",
                error ? error->message : g_strerror(errno));
        goto out_unlink;
    }
    pid = g_strdup_printf("%d\n", (int)getpid());
    if (xensimWriteFile(d.pid_path, pid, &error) < 0) {
        fprintf(stderr, "xensimd: %s\n", error->message);
        goto out_unlink;
    }

    d.state = xensimStateNew(&cfg);
    d.state->root = g_build_filename(d.dir, "root", NULL);
    d.state->log = xensimStateLogLine;
    d.state->log_opaque = &d;
    d.loop = g_main_loop_new(NULL, FALSE);
    g_unix_fd_add(d.listen_fd, G_IO_IN, xensimAccept, &d);
    xensimLog(&d, "serving %s: %u CPUs, %u nodes, %" G_GUINT64_FORMAT
              " KiB, Xen %s, %s", d.socket_path,
              d.state->host.sockets * d.state->host.cores_per_socket *
              d.state->host.threads_per_core, d.state->host.nodes,
              d.state->host.memory_kib, d.state->host.xen_version,
              d.state->host.scheduler);

    g_main_loop_run(d.loop);
    ret = 0;

    g_main_loop_unref(d.loop);
    xensimStateFree(d.state);
    unlink(d.pid_path);
 out_unlink:
    unlink(d.socket_path);
 out:
    if (d.listen_fd >= 0)
        close(d.listen_fd);
    if (d.log)
        fclose(d.log);
    xensimHostConfigDispose(&cfg);
    g_free(d.dir);
    g_free(d.socket_path);
    g_free(d.pid_path);
    return ret;
}

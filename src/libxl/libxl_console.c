/*
 * libxl_console.c: consoles, serial ports and channels of Xen domains
 *
 * Each PV console, HVM serial port and pty channel of a running domain is
 * a pty that a Xen daemon holds the other side of (xenconsoled for PV
 * consoles and channels, the device model for serial ports).  The driver
 * records its path in the live definition (libxl gives it once the daemon
 * published it, which for channels and secondary ports may be a little
 * after the domain was built: whoever needs a missing path asks again)
 * and names every such device (console0, serial0, channel0...), since
 * clients such as virt-manager open consoles by alias.
 *
 * virDomainOpenConsole connects the client's stream to the pty through a
 * relay on libvirt's event loop: the stream gets one end of a socket
 * pair, the relay copies between the other end and the pty.  Owning that
 * end is what lets a session be ended cleanly: when another client takes
 * the console over (VIR_DOMAIN_CONSOLE_FORCE) or the domain stops, the
 * relay closes its end and the first client reads the end of the stream,
 * where an aborted stream would give it an I/O error.  One session per
 * pty at a time; a second client without FORCE is refused.
 *
 * Sessions are objects of their own, referenced by the domain's session
 * table and by each registered event handle (released by the handle's
 * free callback): a callback in flight never reaches freed memory, and
 * nothing here points into the domain's private data.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "internal.h"
#include "datatypes.h"
#include "virerror.h"
#include "virevent.h"
#include "virfdstream.h"
#include "virfile.h"
#include "virutil.h"
#include "virlog.h"
#include "virobject.h"
#include "libxl_console.h"
#include "libxl_logger.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_console");

#define LIBXL_CONSOLE_BUF 65536

struct _libxlConsoles {
    virObjectLockable parent;
    GHashTable *sessions;       /* pty path -> libxlConsoleSession (a ref) */
};

/* what one side of the relay wrote and the other has not taken yet */
typedef struct {
    char *data;                 /* LIBXL_CONSOLE_BUF bytes */
    size_t len;
} libxlConsoleBuf;

typedef struct _libxlConsoleSession libxlConsoleSession;
struct _libxlConsoleSession {
    virObjectLockable parent;

    libxlConsoles *owner;       /* a reference */
    char *path;

    int pty;                    /* the pty, -1 once closed */
    int sock;                   /* the relay's end of the stream's socket */
    int ptyWatch;
    int sockWatch;
    bool closed;

    /* allocated apart: GType instances are limited to 64 KiB */
    libxlConsoleBuf toClient;
    libxlConsoleBuf toPty;
};

static virClass *libxlConsolesClass;
static virClass *libxlConsoleSessionClass;

static void libxlConsolesDispose(void *obj);
static void libxlConsoleSessionDispose(void *obj);

static int
libxlConsoleOnceInit(void)
{
    if (!VIR_CLASS_NEW(libxlConsoles, virClassForObjectLockable()))
        return -1;
    if (!VIR_CLASS_NEW(libxlConsoleSession, virClassForObjectLockable()))
        return -1;
    return 0;
}

VIR_ONCE_GLOBAL_INIT(libxlConsole);


/* ---- the relay ---------------------------------------------------- */

static void
libxlConsoleSessionDispose(void *obj)
{
    libxlConsoleSession *sess = obj;

    VIR_FORCE_CLOSE(sess->pty);
    VIR_FORCE_CLOSE(sess->sock);
    virObjectUnref(sess->owner);
    g_free(sess->path);
    g_free(sess->toClient.data);
    g_free(sess->toPty.data);
}


/* Locked: stop relaying and close both fds; the stream's side of the
 * socket then reads the end of the stream.  Idempotent. */
static void
libxlConsoleSessionClose(libxlConsoleSession *sess)
{
    if (sess->closed)
        return;
    sess->closed = true;
    if (sess->ptyWatch >= 0)
        virEventRemoveHandle(sess->ptyWatch);
    if (sess->sockWatch >= 0)
        virEventRemoveHandle(sess->sockWatch);
    sess->ptyWatch = sess->sockWatch = -1;
    VIR_FORCE_CLOSE(sess->pty);
    if (sess->sock >= 0) {
        char buf[1024];

        /* A unix socket closed with data unread gives its peer
         * ECONNRESET instead of the end of the stream: shut both ways
         * (no more can come in), then drop what the client had typed. */
        ignore_value(shutdown(sess->sock, SHUT_RDWR));
        while (read(sess->sock, buf, sizeof(buf)) > 0)
            ;
        VIR_FORCE_CLOSE(sess->sock);
    }
}


/* Unlocked: close @sess and take it out of its owner's table (unless a
 * newer session already replaced it there). */
static void
libxlConsoleSessionEnd(libxlConsoleSession *sess)
{
    libxlConsoles *owner = sess->owner;

    virObjectLock(sess);
    libxlConsoleSessionClose(sess);
    virObjectUnlock(sess);

    virObjectLock(owner);
    if (g_hash_table_lookup(owner->sessions, sess->path) == sess)
        g_hash_table_remove(owner->sessions, sess->path);
    virObjectUnlock(owner);
}


static void
libxlConsoleSessionUpdate(libxlConsoleSession *sess)
{
    int ptyEvents = 0;
    int sockEvents = 0;

    if (sess->closed)
        return;
    if (sess->toClient.len < LIBXL_CONSOLE_BUF)
        ptyEvents |= VIR_EVENT_HANDLE_READABLE;
    if (sess->toPty.len > 0)
        ptyEvents |= VIR_EVENT_HANDLE_WRITABLE;
    if (sess->toPty.len < LIBXL_CONSOLE_BUF)
        sockEvents |= VIR_EVENT_HANDLE_READABLE;
    if (sess->toClient.len > 0)
        sockEvents |= VIR_EVENT_HANDLE_WRITABLE;
    virEventUpdateHandle(sess->ptyWatch, ptyEvents);
    virEventUpdateHandle(sess->sockWatch, sockEvents);
}


static bool
libxlConsoleWouldBlock(void)
{
    /* EWOULDBLOCK is EAGAIN on Linux */
    return errno == EAGAIN || errno == EINTR;
}


/* Pass @buf on to @fd (the client's socket or the pty) as far as it
 * takes it now; false once @fd is gone.  MSG_NOSIGNAL: a client gone is
 * an error here, not a SIGPIPE. */
static bool
libxlConsoleFlush(int fd, bool isSocket, libxlConsoleBuf *buf)
{
    ssize_t r;

    if (buf->len == 0)
        return true;
    if (isSocket)
        r = send(fd, buf->data, buf->len, MSG_NOSIGNAL);
    else
        r = write(fd, buf->data, buf->len); /* sc_avoid_write */
    if (r < 0)
        return libxlConsoleWouldBlock();
    memmove(buf->data, buf->data + r, buf->len - r);
    buf->len -= r;
    return true;
}


/* Take in what one side (the pty or the client's socket) has for the
 * other, into @buf; false once that side is gone. */
static bool
libxlConsoleReadSide(int fd, libxlConsoleBuf *buf, int events)
{
    ssize_t r;

    if (!(events & VIR_EVENT_HANDLE_READABLE) || buf->len == LIBXL_CONSOLE_BUF)
        return !(events & (VIR_EVENT_HANDLE_HANGUP | VIR_EVENT_HANDLE_ERROR));
    r = read(fd, buf->data + buf->len, LIBXL_CONSOLE_BUF - buf->len);
    if (r > 0)
        buf->len += r;
    return r > 0 || (r < 0 && libxlConsoleWouldBlock());
}


/*
 * Either side of the relay: the guest's output or its console daemon
 * going away (the domain died), what the client typed or its stream
 * closing.  Whatever can move moves on; a side gone ends the session,
 * and the client reads the end of its stream.
 */
static void
libxlConsoleEvent(int watch G_GNUC_UNUSED,
                  int fd,
                  int events,
                  void *opaque)
{
    libxlConsoleSession *sess = opaque;
    bool end;

    virObjectLock(sess);
    if (sess->closed) {
        virObjectUnlock(sess);
        return;
    }

    if (fd == sess->pty)
        end = !libxlConsoleReadSide(sess->pty, &sess->toClient, events);
    else
        end = !libxlConsoleReadSide(sess->sock, &sess->toPty, events);
    if (!end)
        end = !libxlConsoleFlush(sess->pty, false, &sess->toPty) ||
              !libxlConsoleFlush(sess->sock, true, &sess->toClient);

    if (end) {
        VIR_DEBUG("console %s: %s went away", sess->path,
                  fd == sess->pty ? "the pty" : "the client");
        /* the guest's last words, if the client can take them now */
        ignore_value(libxlConsoleFlush(sess->sock, true, &sess->toClient));
    } else {
        libxlConsoleSessionUpdate(sess);
    }
    virObjectUnlock(sess);

    if (end)
        libxlConsoleSessionEnd(sess);
}


static int
libxlConsoleOpenPty(const char *path)
{
    struct termios tio;
    int fd;

    if ((fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, _("cannot open console pty '%s'"), path);
        return -1;
    }
    /* what is typed reaches the guest as it is */
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        ignore_value(tcsetattr(fd, TCSANOW, &tio));
    }
    return fd;
}


static libxlConsoleSession *
libxlConsoleSessionNew(libxlConsoles *owner, const char *path)
{
    libxlConsoleSession *sess;

    if (!(sess = virObjectLockableNew(libxlConsoleSessionClass)))
        return NULL;
    sess->owner = virObjectRef(owner);
    sess->path = g_strdup(path);
    sess->pty = sess->sock = -1;
    sess->ptyWatch = sess->sockWatch = -1;
    sess->toClient.data = g_new(char, LIBXL_CONSOLE_BUF);
    sess->toPty.data = g_new(char, LIBXL_CONSOLE_BUF);
    return sess;
}


/* Register the relay's two handles, each with a reference of its own. */
static int
libxlConsoleSessionWatch(libxlConsoleSession *sess)
{
    sess->ptyWatch = virEventAddHandle(sess->pty, VIR_EVENT_HANDLE_READABLE,
                                       libxlConsoleEvent,
                                       virObjectRef(sess), virObjectUnref);
    if (sess->ptyWatch < 0) {
        virObjectUnref(sess);
        goto error;
    }
    sess->sockWatch = virEventAddHandle(sess->sock, VIR_EVENT_HANDLE_READABLE,
                                        libxlConsoleEvent,
                                        virObjectRef(sess), virObjectUnref);
    if (sess->sockWatch < 0) {
        virObjectUnref(sess);
        goto error;
    }
    return 0;

 error:
    virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                   _("cannot watch the console in the event loop"));
    return -1;
}


/* ---- the session table -------------------------------------------- */

static void
libxlConsolesDispose(void *obj)
{
    libxlConsoles *consoles = obj;

    g_clear_pointer(&consoles->sessions, g_hash_table_unref);
}


libxlConsoles *
libxlConsolesNew(void)
{
    libxlConsoles *consoles;

    if (libxlConsoleInitialize() < 0)
        return NULL;
    if (!(consoles = virObjectLockableNew(libxlConsolesClass)))
        return NULL;
    consoles->sessions = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               virObjectUnref);
    return consoles;
}


void
libxlConsolesCloseAll(libxlConsoles *consoles)
{
    GHashTableIter iter;
    gpointer value;

    if (!consoles)
        return;
    virObjectLock(consoles);
    g_hash_table_iter_init(&iter, consoles->sessions);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        libxlConsoleSession *sess = value;

        virObjectLock(sess);
        libxlConsoleSessionClose(sess);
        virObjectUnlock(sess);
    }
    g_hash_table_remove_all(consoles->sessions);
    virObjectUnlock(consoles);
}


/* The sessions hold references to the table: it goes when the last of
 * them (a handle's free callback) lets go. */
void
libxlConsolesFree(libxlConsoles *consoles)
{
    if (!consoles)
        return;
    libxlConsolesCloseAll(consoles);
    virObjectUnref(consoles);
}


size_t
libxlConsolesCount(libxlConsoles *consoles)
{
    size_t n;

    virObjectLock(consoles);
    n = g_hash_table_size(consoles->sessions);
    virObjectUnlock(consoles);
    return n;
}


int
libxlConsolesOpen(libxlConsoles *consoles,
                  const char *path,
                  virStreamPtr st,
                  bool force)
{
    libxlConsoleSession *old;
    libxlConsoleSession *sess = NULL;
    int sv[2] = { -1, -1 };
    int ret = -1;

    virObjectLock(consoles);

    if ((old = g_hash_table_lookup(consoles->sessions, path))) {
        if (!force) {
            ret = 1;
            goto out;
        }
        /* the first client reads the end of its stream */
        VIR_INFO("console %s taken over by another client", path);
        virObjectLock(old);
        libxlConsoleSessionClose(old);
        virObjectUnlock(old);
        g_hash_table_remove(consoles->sessions, path);
    }

    if (!(sess = libxlConsoleSessionNew(consoles, path)))
        goto out;
    if ((sess->pty = libxlConsoleOpenPty(path)) < 0)
        goto out;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        virReportSystemError(errno, "%s", _("cannot create the console's socket pair"));
        goto out;
    }
    sess->sock = sv[1];
    sv[1] = -1;
    if (virSetNonBlock(sess->sock) < 0) {
        virReportSystemError(errno, "%s", _("cannot make the console's socket non-blocking"));
        goto out;
    }
    if (virFDStreamOpen(st, sv[0]) < 0)
        goto out;
    sv[0] = -1;                 /* the stream's now */

    virObjectLock(sess);
    ret = libxlConsoleSessionWatch(sess);
    if (ret < 0)
        libxlConsoleSessionClose(sess);
    virObjectUnlock(sess);
    if (ret < 0)
        goto out;

    g_hash_table_insert(consoles->sessions, g_strdup(path), g_steal_pointer(&sess));
    ret = 0;

 out:
    VIR_FORCE_CLOSE(sv[0]);
    VIR_FORCE_CLOSE(sv[1]);
    virObjectUnref(sess);
    virObjectUnlock(consoles);
    return ret;
}


/* ---- the devices in the definition -------------------------------- */

/*
 * libxlConsoleAssignAliases:
 * Name the character devices that have no alias as libvirt's other
 * drivers do: serialN, consoleN, channelN; the console that is the HVM
 * guest's first serial port is that port (same pty, same alias).
 */
void
libxlConsoleAssignAliases(virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nserials; i++) {
        if (!def->serials[i]->info.alias)
            def->serials[i]->info.alias = g_strdup_printf("serial%zu", i);
    }
    for (i = 0; i < def->nconsoles; i++) {
        virDomainChrDef *chr = def->consoles[i];

        if (chr->info.alias)
            continue;
        if (i == 0 && def->nserials > 0 &&
            chr->targetType == VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_SERIAL)
            chr->info.alias = g_strdup(def->serials[0]->info.alias);
        else
            chr->info.alias = g_strdup_printf("console%zu", i);
    }
    for (i = 0; i < def->nchannels; i++) {
        if (!def->channels[i]->info.alias)
            def->channels[i]->info.alias = g_strdup_printf("channel%zu", i);
    }
}


static bool
libxlConsoleNameIs(virDomainChrDef *chr, const char *name)
{
    if (chr->info.alias && STREQ(chr->info.alias, name))
        return true;
    /* channels also by their target name (org.qemu.guest_agent.0...) */
    return chr->deviceType == VIR_DOMAIN_CHR_DEVICE_TYPE_CHANNEL &&
        chr->target.name && STREQ(chr->target.name, name);
}


/*
 * libxlConsoleFind:
 * The device virsh console opens: without @name the first console (or
 * serial port); else the console, serial port or channel of that alias.
 */
virDomainChrDef *
libxlConsoleFind(virDomainDef *def, const char *name)
{
    size_t i;

    if (!name)
        return def->nconsoles ? def->consoles[0] :
            (def->nserials ? def->serials[0] : NULL);

    for (i = 0; i < def->nconsoles; i++) {
        if (libxlConsoleNameIs(def->consoles[i], name))
            return def->consoles[i];
    }
    for (i = 0; i < def->nserials; i++) {
        if (libxlConsoleNameIs(def->serials[i], name))
            return def->serials[i];
    }
    for (i = 0; i < def->nchannels; i++) {
        if (libxlConsoleNameIs(def->channels[i], name))
            return def->channels[i];
    }
    return NULL;
}


static bool
libxlConsoleIsPty(virDomainChrDef *chr)
{
    return chr->source->type == VIR_DOMAIN_CHR_TYPE_PTY;
}


/* The devices whose pty libxl gives: PV consoles and channels, HVM serial
 * ports. */
static bool
libxlConsoleHasXenPty(const virDomainDef *def, virDomainChrDef *chr)
{
    if (!libxlConsoleIsPty(chr))
        return false;
    switch ((virDomainChrDeviceType) chr->deviceType) {
    case VIR_DOMAIN_CHR_DEVICE_TYPE_SERIAL:
        return def->os.type == VIR_DOMAIN_OSTYPE_HVM;
    case VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE:
        return true;
    case VIR_DOMAIN_CHR_DEVICE_TYPE_CHANNEL:
        return chr->targetType == VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_XEN;
    case VIR_DOMAIN_CHR_DEVICE_TYPE_PARALLEL:
    case VIR_DOMAIN_CHR_DEVICE_TYPE_LAST:
        break;
    }
    return false;
}


static bool
libxlConsoleListMissingPath(const virDomainDef *def,
                            virDomainChrDef **chrs,
                            size_t nchrs)
{
    size_t i;

    for (i = 0; i < nchrs; i++) {
        if (libxlConsoleHasXenPty(def, chrs[i]) && !chrs[i]->source->data.file.path)
            return true;
    }
    return false;
}


bool
libxlConsoleMissingPaths(const virDomainDef *def)
{
    return libxlConsoleListMissingPath(def, def->consoles, def->nconsoles) ||
        libxlConsoleListMissingPath(def, def->serials, def->nserials) ||
        libxlConsoleListMissingPath(def, def->channels, def->nchannels);
}


static void
libxlConsoleSetPath(virDomainChrDef *chr, char *tty)
{
    g_free(chr->source->data.file.path);
    chr->source->data.file.path = tty;
}


/* libxl's pty of console @num of @type, or NULL (not published yet) */
static char *
libxlConsoleGetTty(libxlDriverConfig *cfg,
                   virDomainDef *def,
                   int num,
                   libxl_console_type type)
{
    char *tty = NULL;

    if (libxl_console_get_tty(cfg->ctx, def->id, num, type, &tty) != 0 || !tty) {
        libxlLoggerResetLastError();
        g_free(tty);
        return NULL;
    }
    return tty;
}


static void
libxlConsoleSetChannelPaths(libxlDriverConfig *cfg, virDomainDef *def)
{
    libxl_device_channel *list;
    int n = 0;
    size_t i;
    size_t j;

    if (def->nchannels == 0 ||
        !(list = libxl_device_channel_list(cfg->ctx, def->id, &n))) {
        libxlLoggerResetLastError();
        return;
    }

    for (i = 0; i < def->nchannels; i++) {
        virDomainChrDef *chr = def->channels[i];

        if (!libxlConsoleHasXenPty(def, chr) || chr->source->data.file.path ||
            !chr->target.name)
            continue;
        for (j = 0; j < n; j++) {
            libxl_channelinfo info;

            if (!list[j].name || STRNEQ(list[j].name, chr->target.name))
                continue;
            libxl_channelinfo_init(&info);
            if (libxl_device_channel_getinfo(cfg->ctx, def->id, &list[j], &info) == 0 &&
                info.u.pty.path && *info.u.pty.path)
                libxlConsoleSetPath(chr, g_strdup(info.u.pty.path));
            libxl_channelinfo_dispose(&info);
            libxlLoggerResetLastError();
            break;
        }
    }
    for (j = 0; j < n; j++)
        libxl_device_channel_dispose(&list[j]);
    g_free(list);
}


/*
 * libxlConsoleClearPaths:
 * Forget the pty of each console, serial port and channel that Xen backs:
 * a new run of the domain gets new ptys (a definition kept from the
 * previous run, as a restart keeps it, names the old ones).
 */
void
libxlConsoleClearPaths(virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nconsoles; i++) {
        if (libxlConsoleHasXenPty(def, def->consoles[i]))
            libxlConsoleSetPath(def->consoles[i], NULL);
    }
    for (i = 0; i < def->nserials; i++) {
        if (libxlConsoleHasXenPty(def, def->serials[i]))
            libxlConsoleSetPath(def->serials[i], NULL);
    }
    for (i = 0; i < def->nchannels; i++) {
        if (libxlConsoleHasXenPty(def, def->channels[i]))
            libxlConsoleSetPath(def->channels[i], NULL);
    }
}


/*
 * libxlConsoleSetPaths:
 * Record the pty of each console, serial port and channel that libxl
 * knows by now; a device whose pty is not published yet keeps no path
 * and is asked for again by the next caller (libxlConsoleMissingPaths).
 */
void
libxlConsoleSetPaths(libxlDriverConfig *cfg, virDomainObj *vm)
{
    virDomainDef *def = vm->def;
    size_t i;

    if (def->id <= 0)
        return;

    for (i = 0; i < def->nconsoles; i++) {
        virDomainChrDef *chr = def->consoles[i];
        libxl_console_type type = LIBXL_CONSOLE_TYPE_PV;
        int num = i;
        char *tty;

        if (!libxlConsoleHasXenPty(def, chr) || chr->source->data.file.path)
            continue;
        if (chr->targetType == VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_SERIAL) {
            type = LIBXL_CONSOLE_TYPE_SERIAL;
            num = chr->target.port;
        }
        if ((tty = libxlConsoleGetTty(cfg, def, num, type)))
            libxlConsoleSetPath(chr, tty);
    }

    for (i = 0; i < def->nserials; i++) {
        virDomainChrDef *chr = def->serials[i];
        char *tty;

        if (!libxlConsoleHasXenPty(def, chr) || chr->source->data.file.path)
            continue;
        if ((tty = libxlConsoleGetTty(cfg, def, chr->target.port,
                                      LIBXL_CONSOLE_TYPE_SERIAL)))
            libxlConsoleSetPath(chr, tty);
    }

    libxlConsoleSetChannelPaths(cfg, def);
}


static const char *
libxlConsoleKind(virDomainChrDef *chr)
{
    switch ((virDomainChrDeviceType) chr->deviceType) {
    case VIR_DOMAIN_CHR_DEVICE_TYPE_SERIAL:
        return "serial port";
    case VIR_DOMAIN_CHR_DEVICE_TYPE_CHANNEL:
        return "channel";
    case VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE:
    case VIR_DOMAIN_CHR_DEVICE_TYPE_PARALLEL:
    case VIR_DOMAIN_CHR_DEVICE_TYPE_LAST:
        break;
    }
    return "console";
}


/*
 * libxlConsoleOpenDomain:
 * virDomainOpenConsole on the running @vm (locked): find the device,
 * make sure its pty is known, and connect @st to it.
 */
int
libxlConsoleOpenDomain(libxlDriverConfig *cfg,
                       virDomainObj *vm,
                       libxlConsoles *consoles,
                       const char *dev_name,
                       virStreamPtr st,
                       unsigned int flags)
{
    virDomainDef *def = vm->def;
    virDomainChrDef *chr;
    const char *name;
    int rc;

    if (flags & VIR_DOMAIN_CONSOLE_SAFE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("safe console access cannot be guaranteed for domain '%s': "
                         "programs outside libvirt (xl console) can open its console too"),
                       def->name);
        return -1;
    }

    if (!(chr = libxlConsoleFind(def, dev_name))) {
        if (dev_name)
            virReportError(VIR_ERR_INVALID_ARG,
                           _("domain '%s' has no console, serial port or channel named '%s'"),
                           def->name, dev_name);
        else
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("domain '%s' has no console"), def->name);
        return -1;
    }
    name = chr->info.alias ? chr->info.alias : dev_name;

    if (!libxlConsoleIsPty(chr)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("%s '%s' of domain '%s' is not a pty (it is of type '%s')"),
                       libxlConsoleKind(chr), NULLSTR(name), def->name,
                       virDomainChrTypeToString(chr->source->type));
        return -1;
    }
    if (!libxlConsoleHasXenPty(def, chr)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("%s '%s' of domain '%s' is not backed by Xen"),
                       libxlConsoleKind(chr), NULLSTR(name), def->name);
        return -1;
    }
    if (!chr->source->data.file.path)
        libxlConsoleSetPaths(cfg, vm);
    if (!chr->source->data.file.path) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the pty of %s '%s' of domain '%s' is not published yet; try again"),
                       libxlConsoleKind(chr), NULLSTR(name), def->name);
        return -1;
    }

    rc = libxlConsolesOpen(consoles, chr->source->data.file.path, st,
                           (flags & VIR_DOMAIN_CONSOLE_FORCE) != 0);
    if (rc == 1) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("%s '%s' of domain '%s' is in use by another client "
                         "(--force takes it over)"),
                       libxlConsoleKind(chr), NULLSTR(name), def->name);
        return -1;
    }
    return rc;
}

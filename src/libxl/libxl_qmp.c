/*
 * libxl_qmp.c: a small blocking client of the device model's QMP socket
 *
 * libxl gives every QEMU it starts a second monitor for libxenstat,
 * /var/run/xen/qmp-libxenstat-<domid>; the driver reads the counters of
 * the disks QEMU serves there, as libxenstat does (xenstat_qmp.c): the
 * greeting, qmp_capabilities, then query-blockstats.  Each conversation
 * is short and bounded by LIBXL_QMP_TIMEOUT_MS.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "libxl_qmp.h"
#include "viralloc.h"
#include "virerror.h"
#include "virfile.h"
#include "virjson.h"
#include "virlog.h"
#include "virstring.h"
#include "virtime.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_qmp");

/* libxl__run_dir_path(): Xen's run directory */
#define LIBXL_QMP_RUN_DIR "/var/run/xen"
/* a reply longer than this is not one of ours */
#define LIBXL_QMP_MAX_REPLY (4 * 1024 * 1024)

typedef struct {
    int domid;
    int fd;
    char *path;
    unsigned long long deadline;    /* ms since the epoch */
    GString *in;
} libxlQmpConn;

char *
libxlQmpSocketPath(int domid)
{
    return g_strdup_printf("%s/qmp-libxenstat-%d", LIBXL_QMP_RUN_DIR, domid);
}

static void
libxlQmpConnClose(libxlQmpConn *conn)
{
    if (conn->fd >= 0)
        VIR_FORCE_CLOSE(conn->fd);
    g_free(conn->path);
    if (conn->in)
        g_string_free(conn->in, TRUE);
}

/* Milliseconds left before the deadline; 0 when it passed. */
static int
libxlQmpRemaining(libxlQmpConn *conn)
{
    unsigned long long now;

    if (virTimeMillisNow(&now) < 0 || now >= conn->deadline)
        return 0;
    return conn->deadline - now;
}

static int
libxlQmpWait(libxlQmpConn *conn, short events)
{
    struct pollfd pfd = { .fd = conn->fd, .events = events };
    int r;

    do {
        int left = libxlQmpRemaining(conn);

        if (left == 0) {
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           _("the device model of domain %d did not answer on %s within %d ms"),
                           conn->domid, conn->path, LIBXL_QMP_TIMEOUT_MS);
            return -1;
        }
        r = poll(&pfd, 1, left);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        virReportSystemError(errno, _("cannot poll the device model socket %s"),
                             conn->path);
        return -1;
    }
    if (r == 0)
        return libxlQmpWait(conn, events);
    return 0;
}

static int
libxlQmpConnect(libxlQmpConn *conn)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    if (virStrcpyStatic(addr.sun_path, conn->path) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("device model socket path %s is too long"), conn->path);
        return -1;
    }
    if ((conn->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0) {
        virReportSystemError(errno, "%s", _("cannot create a socket"));
        return -1;
    }
    if (connect(conn->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        if (err != EINPROGRESS && err != EAGAIN) {
            virReportSystemError(err,
                                 _("the device model of domain %d does not answer on %s"),
                                 conn->domid, conn->path);
            return -1;
        }
        if (libxlQmpWait(conn, POLLOUT) < 0)
            return -1;
    }
    return 0;
}

/* The next message from the monitor: a JSON object on a line. */
static virJSONValue *
libxlQmpReadMessage(libxlQmpConn *conn)
{
    for (;;) {
        char *nl = memchr(conn->in->str, '\n', conn->in->len);
        char buf[1024];
        ssize_t r;

        if (nl) {
            g_autofree char *line = g_strndup(conn->in->str, nl - conn->in->str);
            virJSONValue *msg;

            g_string_erase(conn->in, 0, nl - conn->in->str + 1);
            g_strstrip(line);
            if (!*line)
                continue;
            if (!(msg = virJSONValueFromString(line)) ||
                virJSONValueGetType(msg) != VIR_JSON_TYPE_OBJECT) {
                virJSONValueFree(msg);
                virReportError(VIR_ERR_INTERNAL_ERROR,
                               _("the device model of domain %d sent something that is not QMP: '%s'"),
                               conn->domid, line);
                return NULL;
            }
            return msg;
        }
        if (conn->in->len > LIBXL_QMP_MAX_REPLY) {
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("the device model of domain %d sent an overlong reply"),
                           conn->domid);
            return NULL;
        }
        if (libxlQmpWait(conn, POLLIN) < 0)
            return NULL;
        r = read(conn->fd, buf, sizeof(buf));
        if (r < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (r < 0) {
            virReportSystemError(errno, _("cannot read from the device model socket %s"),
                                 conn->path);
            return NULL;
        }
        if (r == 0) {
            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("the device model of domain %d closed its monitor %s"),
                           conn->domid, conn->path);
            return NULL;
        }
        g_string_append_len(conn->in, buf, r);
    }
}

static int
libxlQmpWrite(libxlQmpConn *conn, const char *text)
{
    size_t left = strlen(text);

    while (left > 0) {
        ssize_t r = send(conn->fd, text, left, MSG_NOSIGNAL);

        if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
            if (errno == EAGAIN && libxlQmpWait(conn, POLLOUT) < 0)
                return -1;
            continue;
        }
        if (r < 0) {
            virReportSystemError(errno, _("cannot write to the device model socket %s"),
                                 conn->path);
            return -1;
        }
        text += r;
        left -= r;
    }
    return 0;
}

/* Run @command; its "return" value (the caller frees the message it
 * lives in, *@reply). */
static virJSONValue *
libxlQmpCommand(libxlQmpConn *conn, const char *command, virJSONValue **reply)
{
    g_autofree char *text = g_strdup_printf("{\"execute\": \"%s\"}\n", command);

    *reply = NULL;
    if (libxlQmpWrite(conn, text) < 0)
        return NULL;
    for (;;) {
        virJSONValue *msg = libxlQmpReadMessage(conn);
        virJSONValue *ret;
        virJSONValue *err;

        if (!msg)
            return NULL;
        if ((ret = virJSONValueObjectGet(msg, "return"))) {
            *reply = msg;
            return ret;
        }
        if ((err = virJSONValueObjectGetObject(msg, "error"))) {
            const char *klass = virJSONValueObjectGetString(err, "class");
            const char *desc = virJSONValueObjectGetString(err, "desc");

            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("the device model of domain %d refused %s: %s (%s)"),
                           conn->domid, command, NULLSTR(desc), NULLSTR(klass));
            virJSONValueFree(msg);
            return NULL;
        }
        /* an asynchronous event: not the reply */
        virJSONValueFree(msg);
    }
}

/* The libvirt disk target of a Linux device number: hdX (3, 22), xvdX
 * (202), sdX (8). */
static char *
libxlQmpDevnumTarget(unsigned long devnum)
{
    unsigned int major = devnum >> 8, minor = devnum & 0xff;

    if (major == 3 || major == 22)
        return g_strdup_printf("hd%c", 'a' + (major == 22 ? 2 : 0) + (minor >> 6));
    if (major == 202)
        return g_strdup_printf("xvd%c", 'a' + (minor >> 4));
    if (major == 8)
        return g_strdup_printf("sd%c", 'a' + (minor >> 4));
    return NULL;
}

/*
 * Which disk a drive of QEMU's serves, from its names (the names libxl
 * and QEMU give them):
 *   "ide<B>-hd<U>"  -drive if=ide,index=N of an HVM guest's disk of disk
 *                   index N = 2B + U (hdX and xvdX alike): "hd<a+N>"
 *   "ide-<devnum>"  an HVM guest's cdrom (-drive if=none,id=ide-<devnum>)
 *   device "", node-name "<vdev>-<driver>": xen-block's drive of a qdisk
 *                   disk (hw/block/xen-block.c): "<vdev>"
 */
static char *
libxlQmpDriveTarget(const char *device, const char *node, int *ideIndex)
{
    unsigned int bus, unit;
    unsigned long devnum;
    const char *dash;

    *ideIndex = -1;
    if (device && *device) {
        if (sscanf(device, "ide%u-hd%u", &bus, &unit) == 2 && bus < 2 && unit < 2) {
            *ideIndex = bus * 2 + unit;
            return g_strdup_printf("hd%c", 'a' + *ideIndex);
        }
        if (g_str_has_prefix(device, "ide-") &&
            virStrToLong_ul(device + 4, NULL, 10, &devnum) == 0 && devnum > 0)
            return libxlQmpDevnumTarget(devnum);
        return g_strdup(device);
    }
    if (node && (dash = strrchr(node, '-')) && dash != node && node[0] != '#')
        return g_strndup(node, dash - node);
    return NULL;
}

static unsigned long long
libxlQmpStat(virJSONValue *stats, const char *key)
{
    unsigned long long v = 0;

    ignore_value(virJSONValueObjectGetNumberUlong(stats, key, &v));
    return v;
}

int
libxlQmpQueryBlockStats(int domid,
                        libxlQmpBlockStats **stats,
                        size_t *nstats)
{
    libxlQmpConn conn = { .domid = domid, .fd = -1 };
    g_autoptr(virJSONValue) greeting = NULL;
    g_autoptr(virJSONValue) caps = NULL;
    g_autoptr(virJSONValue) reply = NULL;
    libxlQmpBlockStats *list = NULL;
    virJSONValue *ret;
    size_t n = 0, i;
    int rv = -1;

    *stats = NULL;
    *nstats = 0;
    conn.path = libxlQmpSocketPath(domid);
    conn.in = g_string_new(NULL);
    if (virTimeMillisNow(&conn.deadline) < 0)
        goto cleanup;
    conn.deadline += LIBXL_QMP_TIMEOUT_MS;

    if (libxlQmpConnect(&conn) < 0 ||
        !(greeting = libxlQmpReadMessage(&conn)))
        goto cleanup;
    if (!virJSONValueObjectHasKey(greeting, "QMP")) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the device model of domain %d sent no QMP greeting on %s"),
                       domid, conn.path);
        goto cleanup;
    }
    if (!libxlQmpCommand(&conn, "qmp_capabilities", &caps) ||
        !(ret = libxlQmpCommand(&conn, "query-blockstats", &reply)))
        goto cleanup;
    if (virJSONValueGetType(ret) != VIR_JSON_TYPE_ARRAY) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the device model of domain %d: query-blockstats returned no list"),
                       domid);
        goto cleanup;
    }

    list = g_new0(libxlQmpBlockStats, virJSONValueArraySize(ret));
    for (i = 0; i < virJSONValueArraySize(ret); i++) {
        virJSONValue *entry = virJSONValueArrayGet(ret, i);
        virJSONValue *st = virJSONValueObjectGetObject(entry, "stats");
        const char *device = virJSONValueObjectGetString(entry, "device");
        const char *node = virJSONValueObjectGetString(entry, "node-name");
        libxlQmpBlockStats *s = &list[n];
        int ideIndex;

        if (!st)
            continue;
        if (!(s->target = libxlQmpDriveTarget(device, node, &ideIndex)))
            continue;   /* a drive of no disk of the guest's */
        s->device = g_strdup(device && *device ? device : node);
        s->ideIndex = ideIndex;
        s->rd_req = libxlQmpStat(st, "rd_operations");
        s->rd_bytes = libxlQmpStat(st, "rd_bytes");
        s->wr_req = libxlQmpStat(st, "wr_operations");
        s->wr_bytes = libxlQmpStat(st, "wr_bytes");
        s->fl_req = libxlQmpStat(st, "flush_operations");
        s->rd_total_ns = libxlQmpStat(st, "rd_total_time_ns");
        s->wr_total_ns = libxlQmpStat(st, "wr_total_time_ns");
        s->fl_total_ns = libxlQmpStat(st, "flush_total_time_ns");
        if (virJSONValueObjectHasKey(st, "failed_rd_operations"))
            s->errs = libxlQmpStat(st, "failed_rd_operations") +
                      libxlQmpStat(st, "failed_wr_operations") +
                      libxlQmpStat(st, "failed_flush_operations");
        else
            s->errs = -1;
        n++;
    }
    *stats = g_steal_pointer(&list);
    *nstats = n;
    rv = 0;

 cleanup:
    libxlQmpBlockStatsFree(list, n);
    libxlQmpConnClose(&conn);
    return rv;
}

bool
libxlQmpBlockStatsMatch(const libxlQmpBlockStats *stats, const char *target)
{
    if (STREQ(stats->target, target))
        return true;
    /* an HVM guest's xvdX disk of index < 4 is emulated as IDE disk X */
    if (stats->ideIndex >= 0 && g_str_has_prefix(target, "xvd") &&
        target[3] == 'a' + stats->ideIndex && !target[4])
        return true;
    return false;
}

void
libxlQmpBlockStatsFree(libxlQmpBlockStats *stats, size_t nstats)
{
    size_t i;

    if (!stats)
        return;
    for (i = 0; i < nstats; i++) {
        g_free(stats[i].target);
        g_free(stats[i].device);
    }
    g_free(stats);
}


/* @command with the arguments @args (or none) on @conn; the whole reply
 * message in *@reply. */
static int
libxlQmpExecute(libxlQmpConn *conn,
                const char *command,
                virJSONValue **args,
                virJSONValue **reply)
{
    g_autoptr(virJSONValue) cmd = virJSONValueNewObject();
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;

    *reply = NULL;
    if (virJSONValueObjectAppendString(cmd, "execute", command) < 0)
        return -1;
    if (args && *args &&
        virJSONValueObjectAppend(cmd, "arguments", args) < 0)
        return -1;
    if (!(text = virJSONValueToString(cmd, false)))
        return -1;
    line = g_strdup_printf("%s\n", text);
    if (libxlQmpWrite(conn, line) < 0)
        return -1;
    for (;;) {
        virJSONValue *msg = libxlQmpReadMessage(conn);
        virJSONValue *err;

        if (!msg)
            return -1;
        if (virJSONValueObjectHasKey(msg, "return")) {
            *reply = msg;
            return 0;
        }
        if ((err = virJSONValueObjectGetObject(msg, "error"))) {
            const char *desc = virJSONValueObjectGetString(err, "desc");

            virReportError(VIR_ERR_OPERATION_FAILED,
                           _("the device model of domain %d refused %s: %s"),
                           conn->domid, command, NULLSTR(desc));
            virJSONValueFree(msg);
            return -1;
        }
        /* an asynchronous event: not the reply */
        virJSONValueFree(msg);
    }
}


int
libxlQmpRun(int domid,
            const char *command,
            virJSONValue **args,
            virJSONValue **ret)
{
    libxlQmpConn conn = { .domid = domid, .fd = -1 };
    g_autoptr(virJSONValue) greeting = NULL;
    g_autoptr(virJSONValue) caps = NULL;
    g_autoptr(virJSONValue) reply = NULL;
    int rv = -1;

    if (ret)
        *ret = NULL;
    conn.path = libxlQmpSocketPath(domid);
    conn.in = g_string_new(NULL);
    if (virTimeMillisNow(&conn.deadline) < 0)
        goto cleanup;
    conn.deadline += LIBXL_QMP_TIMEOUT_MS;

    if (libxlQmpConnect(&conn) < 0 ||
        !(greeting = libxlQmpReadMessage(&conn)))
        goto cleanup;
    if (!virJSONValueObjectHasKey(greeting, "QMP")) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("the device model of domain %d sent no QMP greeting on %s"),
                       domid, conn.path);
        goto cleanup;
    }
    if (!libxlQmpCommand(&conn, "qmp_capabilities", &caps) ||
        libxlQmpExecute(&conn, command, args, &reply) < 0)
        goto cleanup;
    if (ret)
        *ret = virJSONValueObjectStealObject(reply, "return");
    rv = 0;

 cleanup:
    if (args)
        g_clear_pointer(args, virJSONValueFree);
    libxlQmpConnClose(&conn);
    return rv;
}

/*
 * xensimd-io.c: the I/O side of the simulated host: device records, the
 * counters of disks and nics, blkback's sysfs statistics, the device
 * model's QMP monitor for libxenstat, netback's vifs
 *
 * A domain's devices are XensimDevice records (dom->devices), made from
 * the create's disk= and nic= arguments (issue 13's hotplug adds and
 * removes the same records).  While the domain runs, each device does I/O
 * at the host's configured rates; a device's counters are a function of
 * the running time it accumulated, so they stand still while the domain
 * is paused and equal, at any moment, what every observer reads:
 *
 *   blkback  DIR/root/sys/bus/xen-backend/devices/vbd-D-N/statistics/
 *            (phy disks), rewritten on a 1 s tick and at each state change
 *   QEMU     query-blockstats on DIR/root/var/run/xen/qmp-libxenstat-D
 *            (HVM guests' emulated IDE disks, qdisk disks: xen-block)
 *   netback  vifD.N veth pairs (host key netback), frames sent on the tick
 *   xensimctl io DOMID
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <libxl.h>

#include "xensimd-state.h"

/* QEMU 7.2 as Debian 12 ships it (qemu-system-xen) */
#define XENSIM_QEMU_MAJOR 7
#define XENSIM_QEMU_MINOR 2
#define XENSIM_QEMU_MICRO 0
#define XENSIM_QEMU_PACKAGE "Debian 1:7.2+dfsg-7+deb12u7"

/* A request arrives at most this long (QEMU has no such limit; a client
 * that sends more without a complete JSON value is dropped) */
#define XENSIM_QMP_MAX_INPUT (64 * 1024)

typedef struct _XensimQmpClient XensimQmpClient;

typedef struct _XensimDomainIo {
    XensimDomain *dom;
    char *qmp_path;             /* the libxenstat QMP socket, if listening */
    int qmp_fd;
    guint qmp_source;
    GPtrArray *qmp_clients;     /* XensimQmpClient */
    int packet_fd;              /* AF_PACKET socket for netback frames */
} XensimDomainIo;

struct _XensimQmpClient {
    XensimDomainIo *io;
    int fd;
    guint source;
    GString *in;
    bool negotiated;
};

static void xensimIoWriteStatistics(XensimDomain *dom);
static void xensimNetSend(XensimDomain *dom);

/* ---- device records ---- */

/* The Linux device number of a virtual disk name and its disk index, as
 * libxl's libxl__device_disk_dev_number (xvdX: 202, hdX: 3/22, sdX: 8). */
static int
xensimDiskDevnum(const char *vdev, int *index)
{
    int idx;

    *index = -1;
    if (g_str_has_prefix(vdev, "xvd") && g_ascii_islower(vdev[3]) && !vdev[4]) {
        *index = vdev[3] - 'a';
        return (202 << 8) | (*index << 4);
    }
    if (g_str_has_prefix(vdev, "sd") && g_ascii_islower(vdev[2]) && !vdev[3]) {
        *index = vdev[2] - 'a';
        return (8 << 8) | (*index << 4);
    }
    if (g_str_has_prefix(vdev, "hd") && vdev[2] >= 'a' && vdev[2] <= 'd' && !vdev[3]) {
        idx = vdev[2] - 'a';
        *index = idx;
        return ((idx < 2 ? 3 : 22) << 8) | ((idx % 2) << 6);
    }
    return -1;
}

/* "VDEV BACKEND FORMAT disk|cdrom w|r PATH" (libxensim), or the older
 * "VDEV PATH" (a raw phy disk). */
XensimDevice *
xensimDeviceParseDisk(const char *spec, guint index)
{
    g_auto(GStrv) f = g_strsplit(spec, " ", 6);
    XensimDevice *dev = g_new0(XensimDevice, 1);
    int disk;

    dev->kind = XENSIM_DEVICE_DISK;
    dev->index = index;
    dev->vdev = g_strdup(f[0] ? f[0] : "");
    if (g_strv_length(f) == 6) {
        dev->backend = g_strdup(f[1]);
        dev->format = g_strdup(f[2]);
        dev->cdrom = strcmp(f[3], "cdrom") == 0;
        dev->readonly = strcmp(f[4], "r") == 0;
        dev->path = g_strdup(f[5]);
    } else {
        g_autofree char *rest = f[0] && f[1] ? g_strjoinv(" ", f + 1) : g_strdup("");

        dev->backend = g_strdup("phy");
        dev->format = g_strdup("raw");
        dev->path = g_steal_pointer(&rest);
    }
    dev->devid = xensimDiskDevnum(dev->vdev, &disk);
    if (dev->devid < 0)
        dev->devid = 51712 + 16 * index;
    return dev;
}

/* "DEVID MAC BRIDGE" */
XensimDevice *
xensimDeviceParseNic(const char *spec, guint index)
{
    g_auto(GStrv) f = g_strsplit(spec, " ", 3);
    XensimDevice *dev = g_new0(XensimDevice, 1);

    dev->kind = XENSIM_DEVICE_NIC;
    dev->index = index;
    dev->devid = f[0] ? atoi(f[0]) : (int)index;
    dev->backend = g_strdup("vif");
    dev->mac = g_strdup(f[0] && f[1] ? f[1] : "");
    dev->bridge = g_strdup(f[0] && f[1] && f[2] ? f[2] : "");
    return dev;
}

void
xensimDeviceFree(gpointer opaque)
{
    XensimDevice *dev = opaque;

    if (!dev)
        return;
    g_free(dev->vdev);
    g_free(dev->backend);
    g_free(dev->format);
    g_free(dev->path);
    g_free(dev->mac);
    g_free(dev->bridge);
    g_free(dev->vif);
    g_free(dev->vif_peer);
    g_free(dev);
}

/* libxl starts QEMU for every HVM guest, and for PV and PVH guests that
 * have a qdisk disk (libxl__need_xenpv_qemu). */
bool
xensimDomainHasDeviceModel(XensimDomain *dom)
{
    guint i;

    if (dom->type == XENSIM_DOMAIN_TYPE_HVM)
        return true;
    for (i = 0; dom->devices && i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);

        if (dev->kind == XENSIM_DEVICE_DISK && strcmp(dev->backend, "qdisk") == 0)
            return true;
    }
    return false;
}

/* The drive QEMU emulates for an HVM guest's disk, as libxl's
 * libxl__build_device_model_args_new asks for it: disk index N < 4 of a
 * hd or xvd disk: -drive if=ide,index=N, which QEMU names
 * "ide<N/2>-hd<N%2>"; a cdrom: -drive if=none,id=ide-<devnum>.  NULL: none
 * (PV/PVH, sd disks: SCSI, not modelled; disk index >= 4). */
char *
xensimDiskEmulatedName(XensimDomain *dom, XensimDevice *dev)
{
    int index;

    if (dom->type != XENSIM_DOMAIN_TYPE_HVM || dev->kind != XENSIM_DEVICE_DISK)
        return NULL;
    if (xensimDiskDevnum(dev->vdev, &index) < 0 || index < 0 || index >= 4 ||
        g_str_has_prefix(dev->vdev, "sd"))
        return NULL;
    if (dev->cdrom)
        return g_strdup_printf("ide-%d", dev->devid);
    return g_strdup_printf("ide%d-hd%d", index / 2, index % 2);
}

static const char *
xensimQemuDriver(const char *format)
{
    if (strcmp(format, "vhd") == 0)
        return "vpc";
    if (strcmp(format, "qcow") == 0 || strcmp(format, "qcow2") == 0 ||
        strcmp(format, "qed") == 0)
        return format;
    return "raw";
}

/* QEMU's xen-block backend (hw/block/xen-block.c) adds the drive of a
 * qdisk disk with blockdev-add, node name "<vdev>-<driver>", the driver
 * from the backend's params ("aio:" and none: raw, "vhd:": vpc). */
char *
xensimDiskQdiskNodeName(XensimDevice *dev)
{
    if (dev->kind != XENSIM_DEVICE_DISK || strcmp(dev->backend, "qdisk") != 0)
        return NULL;
    return g_strdup_printf("%s-%s", dev->vdev, xensimQemuDriver(dev->format));
}

/* ---- counters ---- */

typedef enum {
    XENSIM_IO_NONE,
    XENSIM_IO_PV,               /* through the PV backend (blkback, qdisk, netback) */
    XENSIM_IO_EMULATED,         /* through QEMU's emulated disk */
} XensimIoPath;

/* Where a device's I/O goes now: nowhere unless the domain runs; an HVM
 * guest without PV drivers uses its emulated disks, others the PV ones. */
static XensimIoPath
xensimDeviceIoPath(XensimDomain *dom, XensimDevice *dev)
{
    g_autofree char *emu = NULL;

    if (dom->state != XENSIM_DOMAIN_RUNNING || dom->destroying)
        return XENSIM_IO_NONE;
    if (dev->kind == XENSIM_DEVICE_NIC)
        return XENSIM_IO_PV;
    if (dev->cdrom || strcmp(dev->format, "empty") == 0)
        return XENSIM_IO_NONE;
    if (dom->type == XENSIM_DOMAIN_TYPE_HVM && !dom->pv_drivers) {
        emu = xensimDiskEmulatedName(dom, dev);
        return emu ? XENSIM_IO_EMULATED : XENSIM_IO_NONE;
    }
    return XENSIM_IO_PV;
}

/* Bring a device's running time up to @now, then note where its I/O
 * goes from now on. */
static void
xensimDeviceAccount(XensimDomain *dom, XensimDevice *dev, gint64 now)
{
    XensimIoPath path = dev->io_path;

    if (dev->io_since && now > dev->io_since) {
        if (path == XENSIM_IO_PV)
            dev->pv_us += now - dev->io_since;
        else if (path == XENSIM_IO_EMULATED)
            dev->emu_us += now - dev->io_since;
    }
    dev->io_since = now;
    dev->io_path = xensimDeviceIoPath(dom, dev);
}

static guint64
xensimDeviceUs(XensimDevice *dev, XensimIoPath which, gint64 now)
{
    guint64 us = which == XENSIM_IO_PV ? dev->pv_us : dev->emu_us;

    if ((XensimIoPath)dev->io_path == which && dev->io_since && now > dev->io_since)
        us += now - dev->io_since;
    return us;
}

/* requests in @us microseconds at @rate a second, times the device's
 * multiplier (the n-th device of its kind does n + 1 times the rate) */
static guint64
xensimRequests(XensimDevice *dev, guint64 us, guint rate)
{
    return us * rate * (dev->index + 1) / G_USEC_PER_SEC;
}

static void
xensimDiskPathCounters(XensimState *state, XensimDevice *dev, guint64 us,
                       guint64 *rd, guint64 *wr, guint64 *fl,
                       guint64 *rd_sect, guint64 *wr_sect,
                       guint64 *rd_ns, guint64 *wr_ns, guint64 *fl_ns)
{
    guint64 sectors = (guint64)state->host.io_request_kib * 2;
    guint64 lat_ns = (guint64)state->host.io_latency_us * 1000;

    *rd = xensimRequests(dev, us, state->host.io_read_iops);
    *wr = dev->readonly ? 0 : xensimRequests(dev, us, state->host.io_write_iops);
    *fl = *wr / 8;              /* a flush every 8 writes */
    *rd_sect = *rd * sectors;
    *wr_sect = *wr * sectors;
    *rd_ns = *rd * lat_ns;
    *wr_ns = *wr * lat_ns;
    *fl_ns = *fl * lat_ns;
}

void
xensimDiskCounters(XensimDomain *dom, XensimDevice *dev, XensimDiskCounters *c)
{
    XensimState *state = dom->owner;
    gint64 now = g_get_monotonic_time();

    memset(c, 0, sizeof(*c));
    if (dev->kind != XENSIM_DEVICE_DISK || !state)
        return;
    xensimDiskPathCounters(state, dev, xensimDeviceUs(dev, XENSIM_IO_PV, now),
                           &c->rd_req, &c->wr_req, &c->f_req, &c->rd_sect,
                           &c->wr_sect, &c->rd_ns, &c->wr_ns, &c->f_ns);
    xensimDiskPathCounters(state, dev, xensimDeviceUs(dev, XENSIM_IO_EMULATED, now),
                           &c->emu_rd_req, &c->emu_wr_req, &c->emu_f_req,
                           &c->emu_rd_sect, &c->emu_wr_sect, &c->emu_rd_ns,
                           &c->emu_wr_ns, &c->emu_f_ns);
}

/* Account every device of @dom (its state, PV drivers or devices
 * changed), send the frames due and rewrite the statistics files. */
void
xensimIoDomainAccount(XensimDomain *dom)
{
    gint64 now = g_get_monotonic_time();
    guint i;

    if (!dom->devices || !dom->owner || !dom->io)
        return;
    for (i = 0; i < dom->devices->len; i++)
        xensimDeviceAccount(dom, g_ptr_array_index(dom->devices, i), now);
    xensimNetSend(dom);
    xensimIoWriteStatistics(dom);
}

/* ---- blkback's sysfs statistics ---- */

static char *
xensimVbdDir(XensimDomain *dom, XensimDevice *dev)
{
    return g_strdup_printf("%s/sys/bus/xen-backend/devices/vbd-%u-%d",
                           dom->owner->root, dom->domid, dev->devid);
}

static bool
xensimDeviceIsVbd(XensimDevice *dev)
{
    return dev->kind == XENSIM_DEVICE_DISK && strcmp(dev->backend, "phy") == 0;
}

static void
xensimWriteCounter(const char *dir, const char *name, guint64 value)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    g_autofree char *tmp = g_strconcat(path, ".new", NULL);
    char text[32];
    int len = g_snprintf(text, sizeof(text), "%" G_GUINT64_FORMAT "\n", value);
    int fd;
    bool ok;

    /* whole for a reader (a new file renamed over the old), but never
     * synced, and written directly: thousands of these a second (a tick
     * of 1,000 guests' disks).  (g_file_set_contents_full wrote a
     * temporary file of its own, fallocated and renamed, before this
     * rename: two renames a counter.) */
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
        return;
    ok = write(fd, text, len) == len;
    if (close(fd) < 0)
        ok = false;
    if (!ok || rename(tmp, path) < 0)
        unlink(tmp);
}

/* blkback's statistics directory of each vbd: the files blkback's sysfs
 * shows (decimal, a newline) */
static void
xensimIoWriteStatistics(XensimDomain *dom)
{
    static const char *const names[] = {
        "rd_req", "wr_req", "f_req", "rd_sect", "wr_sect",
    };
    guint i;

    G_STATIC_ASSERT(G_N_ELEMENTS(names) == G_N_ELEMENTS(((XensimDevice *)0)->stats));
    if (!dom->owner->root)
        return;
    for (i = 0; i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);
        g_autofree char *dir = NULL;
        g_autofree char *stats = NULL;
        guint64 val[G_N_ELEMENTS(names)];
        XensimDiskCounters c;
        size_t k;

        if (!xensimDeviceIsVbd(dev))
            continue;

        dir = xensimVbdDir(dom, dev);
        stats = g_build_filename(dir, "statistics", NULL);
        if (!dev->stats_written) {
            if (g_mkdir_with_parents(stats, 0755) < 0)
                continue;
            /* requests blkback deferred, discards: none here */
            xensimWriteCounter(stats, "oo_req", 0);
            xensimWriteCounter(stats, "ds_req", 0);
        }
        xensimDiskCounters(dom, dev, &c);
        val[0] = c.rd_req;
        val[1] = c.wr_req;
        val[2] = c.f_req;
        val[3] = c.rd_sect;
        val[4] = c.wr_sect;
        /* a file is rewritten only when its counter moved (a paused
         * guest's, an idle disk's stay as they are) */
        for (k = 0; k < G_N_ELEMENTS(names); k++) {
            if (!dev->stats_written || dev->stats[k] != val[k])
                xensimWriteCounter(stats, names[k], val[k]);
            dev->stats[k] = val[k];
        }
        dev->stats_written = true;
    }
}

static void
xensimRemoveTree(const char *path)
{
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;

    if (dir) {
        while ((name = g_dir_read_name(dir))) {
            g_autofree char *child = g_build_filename(path, name, NULL);

            if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
                !g_file_test(child, G_FILE_TEST_IS_SYMLINK))
                xensimRemoveTree(child);
            else
                g_unlink(child);
        }
    }
    g_rmdir(path);
}

/* ---- the device model's QMP monitor ---- */

/* A parsed JSON value, as much of it as QMP's commands need. */
typedef enum {
    XJ_NULL, XJ_BOOL, XJ_NUMBER, XJ_STRING, XJ_ARRAY, XJ_OBJECT,
} XjType;

typedef struct _Xj Xj;
struct _Xj {
    XjType type;
    char *str;                  /* strings; objects: NULL */
    bool boolean;
    GPtrArray *items;           /* arrays: Xj; objects: Xj with key */
    char *key;                  /* an object member's name */
    const char *start, *end;    /* the value's text */
};

static void
xjFree(gpointer opaque)
{
    Xj *v = opaque;

    if (!v)
        return;
    g_free(v->str);
    g_free(v->key);
    if (v->items)
        g_ptr_array_unref(v->items);
    g_free(v);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Xj, xjFree)

static void
xjSkipSpace(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
        (*p)++;
}

static char *
xjParseString(const char **p)
{
    GString *s = g_string_new(NULL);

    (*p)++;
    while (**p && **p != '"') {
        if (**p == '\\') {
            (*p)++;
            switch (**p) {
            case 'n': g_string_append_c(s, '\n'); break;
            case 't': g_string_append_c(s, '\t'); break;
            case 'r': g_string_append_c(s, '\r'); break;
            case 'b': g_string_append_c(s, '\b'); break;
            case 'f': g_string_append_c(s, '\f'); break;
            case 'u': {
                char hex[5] = { 0 };
                gunichar c;

                if (strlen(*p) < 5)
                    goto fail;
                memcpy(hex, *p + 1, 4);
                c = g_ascii_strtoull(hex, NULL, 16);
                g_string_append_unichar(s, c);
                *p += 4;
                break;
            }
            case '\0':
                goto fail;
            default: g_string_append_c(s, **p); break;
            }
            (*p)++;
            continue;
        }
        g_string_append_c(s, **p);
        (*p)++;
    }
    if (**p != '"')
        goto fail;
    (*p)++;
    return g_string_free(s, FALSE);

 fail:
    g_string_free(s, TRUE);
    return NULL;
}

static Xj *
xjParseValue(const char **p, int depth)
{
    g_autoptr(Xj) v = g_new0(Xj, 1);

    xjSkipSpace(p);
    v->start = *p;
    if (depth > 32)
        return NULL;
    if (**p == '{' || **p == '[') {
        bool object = **p == '{';
        char close = object ? '}' : ']';

        v->type = object ? XJ_OBJECT : XJ_ARRAY;
        v->items = g_ptr_array_new_with_free_func(xjFree);
        (*p)++;
        xjSkipSpace(p);
        if (**p == close) {
            (*p)++;
            v->end = *p;
            return g_steal_pointer(&v);
        }
        for (;;) {
            g_autofree char *key = NULL;
            Xj *item;

            xjSkipSpace(p);
            if (object) {
                if (**p != '"' || !(key = xjParseString(p)))
                    return NULL;
                xjSkipSpace(p);
                if (**p != ':')
                    return NULL;
                (*p)++;
            }
            if (!(item = xjParseValue(p, depth + 1)))
                return NULL;
            item->key = g_steal_pointer(&key);
            g_ptr_array_add(v->items, item);
            xjSkipSpace(p);
            if (**p == ',') {
                (*p)++;
                continue;
            }
            if (**p != close)
                return NULL;
            (*p)++;
            v->end = *p;
            return g_steal_pointer(&v);
        }
    }
    if (**p == '"') {
        v->type = XJ_STRING;
        if (!(v->str = xjParseString(p)))
            return NULL;
    } else if (strncmp(*p, "true", 4) == 0 || strncmp(*p, "false", 5) == 0) {
        v->type = XJ_BOOL;
        v->boolean = **p == 't';
        *p += v->boolean ? 4 : 5;
    } else if (strncmp(*p, "null", 4) == 0) {
        v->type = XJ_NULL;
        *p += 4;
    } else if (**p == '-' || g_ascii_isdigit(**p)) {
        v->type = XJ_NUMBER;
        (*p)++;
        while (g_ascii_isdigit(**p) || **p == '.' || **p == 'e' || **p == 'E' ||
               **p == '+' || **p == '-')
            (*p)++;
    } else {
        return NULL;
    }
    v->end = *p;
    return g_steal_pointer(&v);
}

static Xj *
xjMember(Xj *object, const char *key)
{
    guint i;

    if (!object || object->type != XJ_OBJECT)
        return NULL;
    for (i = 0; i < object->items->len; i++) {
        Xj *m = g_ptr_array_index(object->items, i);

        if (strcmp(m->key, key) == 0)
            return m;
    }
    return NULL;
}

static void
xjAppendString(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            g_string_append_printf(out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            g_string_append_printf(out, "\\u%04x", *s);
        else
            g_string_append_c(out, *s);
    }
    g_string_append_c(out, '"');
}

static void
xensimQmpClientFree(gpointer opaque)
{
    XensimQmpClient *c = opaque;

    if (c->source)
        g_source_remove(c->source);
    if (c->fd >= 0)
        close(c->fd);
    g_string_free(c->in, TRUE);
    g_free(c);
}

/* QEMU writes each reply as one line, "\r\n"-terminated. */
static void
xensimQmpSend(XensimQmpClient *c, GString *msg)
{
    const char *p;
    size_t left;

    g_string_append(msg, "\r\n");
    p = msg->str;
    left = msg->len;
    while (left > 0) {
        ssize_t r = send(c->fd, p, left, MSG_NOSIGNAL);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN) {
            GPollFD pfd = { .fd = c->fd, .events = G_IO_OUT };

            if (g_poll(&pfd, 1, 1000) <= 0)
                return;
            continue;
        }
        if (r <= 0)
            return;
        p += r;
        left -= r;
    }
}

static void
xensimQmpVersion(GString *out)
{
    g_string_append_printf(out, "{\"qemu\": {\"micro\": %d, \"minor\": %d, \"major\": %d}, "
                           "\"package\": \"%s\"}", XENSIM_QEMU_MICRO,
                           XENSIM_QEMU_MINOR, XENSIM_QEMU_MAJOR, XENSIM_QEMU_PACKAGE);
}

static void
xensimQmpError(XensimQmpClient *c, Xj *id, const char *klass, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);

static void
xensimQmpError(XensimQmpClient *c, Xj *id, const char *klass, const char *fmt, ...)
{
    g_autoptr(GString) msg = g_string_new("{\"error\": {\"class\": ");
    g_autofree char *desc = NULL;
    va_list ap;

    va_start(ap, fmt);
    desc = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xjAppendString(msg, klass);
    g_string_append(msg, ", \"desc\": ");
    xjAppendString(msg, desc);
    g_string_append(msg, "}");
    if (id) {
        g_string_append(msg, ", \"id\": ");
        g_string_append_len(msg, id->start, id->end - id->start);
    }
    g_string_append(msg, "}");
    xensimQmpSend(c, msg);
}

static void
xensimQmpReturn(XensimQmpClient *c, Xj *id, const char *value)
{
    g_autoptr(GString) msg = g_string_new("{\"return\": ");

    g_string_append(msg, value);
    if (id) {
        g_string_append(msg, ", \"id\": ");
        g_string_append_len(msg, id->start, id->end - id->start);
    }
    g_string_append(msg, "}");
    xensimQmpSend(c, msg);
}

/* BlockDeviceStats of QEMU 7.2 (qapi/block-core.json) */
static void
xensimQmpDeviceStats(GString *out, guint64 rd, guint64 wr, guint64 fl,
                     guint64 rd_bytes, guint64 wr_bytes, guint64 rd_ns,
                     guint64 wr_ns, guint64 fl_ns, gint64 idle_ns)
{
    g_string_append_printf(out,
        "{\"unmap_operations\": 0, \"unmap_merged\": 0, "
        "\"flush_total_time_ns\": %" G_GUINT64_FORMAT ", "
        "\"wr_highest_offset\": %" G_GUINT64_FORMAT ", "
        "\"wr_total_time_ns\": %" G_GUINT64_FORMAT ", "
        "\"failed_wr_operations\": 0, \"failed_rd_operations\": 0, "
        "\"wr_merged\": 0, \"wr_bytes\": %" G_GUINT64_FORMAT ", "
        "\"timed_stats\": [], \"failed_unmap_operations\": 0, "
        "\"failed_flush_operations\": 0, \"account_invalid\": true, "
        "\"rd_total_time_ns\": %" G_GUINT64_FORMAT ", "
        "\"invalid_unmap_operations\": 0, "
        "\"flush_operations\": %" G_GUINT64_FORMAT ", "
        "\"wr_operations\": %" G_GUINT64_FORMAT ", \"unmap_bytes\": 0, "
        "\"rd_merged\": 0, \"rd_bytes\": %" G_GUINT64_FORMAT ", "
        "\"unmap_total_time_ns\": 0, \"invalid_flush_operations\": 0, "
        "\"account_failed\": true, ",
        fl_ns, wr_bytes, wr_ns, wr_bytes, rd_ns, fl, wr, rd_bytes);
    if (idle_ns >= 0)
        g_string_append_printf(out, "\"idle_time_ns\": %" G_GINT64_FORMAT ", ", idle_ns);
    g_string_append_printf(out,
        "\"rd_operations\": %" G_GUINT64_FORMAT ", "
        "\"invalid_wr_operations\": 0, \"invalid_rd_operations\": 0}", rd);
}

/* One drive of the device model, in the order QEMU lists them: the
 * emulated disks (-drive, created first), then xen-block's. */
typedef struct {
    XensimDevice *dev;
    char *device;               /* BlockBackend name: "ide0-hd0"; xen-block: "" */
    char *node;                 /* root node name */
    char *qdev;                 /* the device's QOM path */
    bool emulated;
} XensimQmpDrive;

static void
xensimQmpDrivesClear(gpointer opaque)
{
    XensimQmpDrive *d = opaque;

    g_free(d->device);
    g_free(d->node);
    g_free(d->qdev);
}

static GArray *
xensimQmpDrives(XensimDomain *dom)
{
    GArray *drives = g_array_new(FALSE, TRUE, sizeof(XensimQmpDrive));
    guint i, pass, n = 0;

    g_array_set_clear_func(drives, xensimQmpDrivesClear);
    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < dom->devices->len; i++) {
            XensimDevice *dev = g_ptr_array_index(dom->devices, i);
            XensimQmpDrive d = { .dev = dev, .emulated = pass == 0 };
            char *name = pass == 0 ? xensimDiskEmulatedName(dom, dev)
                                   : xensimDiskQdiskNodeName(dev);

            if (!name)
                continue;
            if (pass == 0) {
                d.device = name;
                /* -drive nodes get automatic names */
                d.node = g_strdup_printf("#block%03u", 100 + 2 * n + 1);
            } else {
                d.device = g_strdup("");
                d.node = name;
            }
            /* board and xen-bus devices without an id hang under
             * /machine/unattached */
            d.qdev = g_strdup_printf("/machine/unattached/device[%u]", 24 + n);
            n++;
            g_array_append_val(drives, d);
        }
    }
    return drives;
}

static void
xensimQmpBlockstats(XensimQmpClient *c, Xj *id)
{
    XensimDomain *dom = c->io->dom;
    g_autoptr(GArray) drives = xensimQmpDrives(dom);
    g_autoptr(GString) out = g_string_new("[");
    gint64 now = g_get_monotonic_time();
    guint i;

    for (i = 0; i < drives->len; i++) {
        XensimQmpDrive *d = &g_array_index(drives, XensimQmpDrive, i);
        XensimDiskCounters k;
        guint64 rd, wr, fl, rd_b, wr_b, rd_ns, wr_ns, fl_ns;
        gint64 idle = -1;

        xensimDiskCounters(dom, d->dev, &k);
        if (d->emulated) {
            rd = k.emu_rd_req; wr = k.emu_wr_req; fl = k.emu_f_req;
            rd_b = k.emu_rd_sect * 512; wr_b = k.emu_wr_sect * 512;
            rd_ns = k.emu_rd_ns; wr_ns = k.emu_wr_ns; fl_ns = k.emu_f_ns;
        } else {
            rd = k.rd_req; wr = k.wr_req; fl = k.f_req;
            rd_b = k.rd_sect * 512; wr_b = k.wr_sect * 512;
            rd_ns = k.rd_ns; wr_ns = k.wr_ns; fl_ns = k.f_ns;
        }
        /* QEMU reports idle_time_ns once the drive did any I/O */
        if (rd + wr + fl > 0)
            idle = (XensimIoPath)d->dev->io_path != XENSIM_IO_NONE ? 0 :
                   (now - d->dev->io_since) * 1000;
        if (i)
            g_string_append(out, ", ");
        g_string_append(out, "{\"device\": ");
        xjAppendString(out, d->device);
        g_string_append(out, ", \"parent\": {\"node-name\": ");
        {
            g_autofree char *file = g_strdup_printf("#block%03u", 100 + 2 * i);

            xjAppendString(out, file);
        }
        g_string_append(out, ", \"stats\": ");
        /* the protocol layer (file, host_device) below the format layer */
        xensimQmpDeviceStats(out, rd, wr, fl, rd_b, wr_b, 0, 0, 0, -1);
        g_string_append(out, ", \"driver-specific\": {\"driver\": \"file\", "
                        "\"discard-nb-ok\": 0, \"discard-nb-failed\": 0, "
                        "\"discard-bytes-ok\": 0}}, \"stats\": ");
        xensimQmpDeviceStats(out, rd, wr, fl, rd_b, wr_b, rd_ns, wr_ns, fl_ns, idle);
        g_string_append(out, ", \"node-name\": ");
        xjAppendString(out, d->node);
        g_string_append(out, ", \"qdev\": ");
        xjAppendString(out, d->qdev);
        g_string_append(out, "}");
    }
    g_string_append(out, "]");
    xensimQmpReturn(c, id, out->str);
}

/* The virtual size of an image: a qcow2/qcow header's size field, else
 * the file's size. */
static guint64
xensimImageSize(XensimDevice *dev)
{
    struct stat st;
    guint8 hdr[32];
    int fd;

    if (!dev->path || stat(dev->path, &st) < 0)
        return 0;
    if ((strcmp(dev->format, "qcow2") == 0 || strcmp(dev->format, "qcow") == 0) &&
        (fd = open(dev->path, O_RDONLY | O_CLOEXEC)) >= 0) {
        ssize_t r = read(fd, hdr, sizeof(hdr));
        guint64 size = 0;
        guint i;
        guint off = strcmp(dev->format, "qcow2") == 0 ? 24 : 16;

        close(fd);
        if (r == sizeof(hdr) && memcmp(hdr, "QFI\xfb", 4) == 0) {
            for (i = 0; i < 8; i++)
                size = (size << 8) | hdr[off + i];
            return size;
        }
    }
    return st.st_size;
}

static void
xensimQmpBlock(XensimQmpClient *c, Xj *id)
{
    XensimDomain *dom = c->io->dom;
    g_autoptr(GArray) drives = xensimQmpDrives(dom);
    g_autoptr(GString) out = g_string_new("[");
    guint i;

    for (i = 0; i < drives->len; i++) {
        XensimQmpDrive *d = &g_array_index(drives, XensimQmpDrive, i);
        const char *drv = xensimQemuDriver(d->dev->format);
        bool ro = d->dev->readonly || d->dev->cdrom;
        bool empty = strcmp(d->dev->format, "empty") == 0 || !d->dev->path ||
                     !*d->dev->path;

        if (i)
            g_string_append(out, ", ");
        g_string_append(out, "{\"io-status\": \"ok\", \"device\": ");
        xjAppendString(out, d->device);
        g_string_append_printf(out, ", \"locked\": false, \"removable\": %s, ",
                               d->dev->cdrom ? "true" : "false");
        if (!empty) {
            g_string_append(out, "\"inserted\": {\"iops_rd\": 0, \"detect_zeroes\": \"off\", "
                            "\"image\": {\"virtual-size\": ");
            g_string_append_printf(out, "%" G_GUINT64_FORMAT ", \"filename\": ",
                                   xensimImageSize(d->dev));
            xjAppendString(out, d->dev->path);
            g_string_append(out, ", \"format\": ");
            xjAppendString(out, drv);
            g_string_append(out, "}, \"iops_wr\": 0, ");
            g_string_append_printf(out, "\"ro\": %s, \"node-name\": ", ro ? "true" : "false");
            xjAppendString(out, d->node);
            g_string_append(out, ", \"backing_file_depth\": 0, \"drv\": ");
            xjAppendString(out, drv);
            g_string_append(out, ", \"iops\": 0, \"bps_wr\": 0, \"write_threshold\": 0, "
                            "\"encrypted\": false, \"bps\": 0, \"bps_rd\": 0, "
                            "\"cache\": {\"no-flush\": false, \"direct\": false, "
                            "\"writeback\": true}, \"file\": ");
            xjAppendString(out, d->dev->path);
            g_string_append(out, "}, ");
        }
        g_string_append(out, "\"qdev\": ");
        xjAppendString(out, d->qdev);
        g_string_append(out, ", \"type\": \"unknown\"}");
    }
    g_string_append(out, "]");
    xensimQmpReturn(c, id, out->str);
}

/* libxl pauses and continues the device model of an HVM guest with the
 * domain (stop/cont); QEMU's status follows. */
static void
xensimQmpStatus(XensimQmpClient *c, Xj *id)
{
    XensimDomain *dom = c->io->dom;
    bool paused = dom->state == XENSIM_DOMAIN_PAUSED && !dom->building &&
                  dom->booted;
    g_autofree char *v =
        g_strdup_printf("{\"status\": \"%s\", \"singlestep\": false, \"running\": %s}",
                        paused ? "paused" : "running", paused ? "false" : "true");

    xensimQmpReturn(c, id, v);
}

/* send-key: keys [{"type": "number"|"qcode", "data": ...}], hold-time;
 * an HVM guest's emulated keyboard gets them (recorded as "A+B+C"). */
static void
xensimQmpSendKey(XensimQmpClient *c, Xj *id, Xj *args)
{
    g_autoptr(GString) combination = g_string_new(NULL);
    Xj *keys = args ? xjMember(args, "keys") : NULL;
    guint i;

    if (!keys) {
        xensimQmpError(c, id, "GenericError", "Parameter 'keys' is missing");
        return;
    }
    if (keys->type != XJ_ARRAY) {
        xensimQmpError(c, id, "GenericError", "Invalid parameter type for 'keys', expected: array");
        return;
    }
    for (i = 0; i < keys->items->len; i++) {
        Xj *key = g_ptr_array_index(keys->items, i);
        Xj *type = key->type == XJ_OBJECT ? xjMember(key, "type") : NULL;
        Xj *data = key->type == XJ_OBJECT ? xjMember(key, "data") : NULL;

        if (!type || type->type != XJ_STRING || !data) {
            xensimQmpError(c, id, "GenericError", "Parameter 'keys[%u].type' is missing", i);
            return;
        }
        if (strcmp(type->str, "number") == 0 && data->type == XJ_NUMBER) {
            g_string_append_printf(combination, "%s%.*s", i ? "+" : "",
                                   (int)(data->end - data->start), data->start);
        } else if (strcmp(type->str, "qcode") == 0 && data->type == XJ_STRING) {
            g_string_append_printf(combination, "%s%s", i ? "+" : "", data->str);
        } else {
            xensimQmpError(c, id, "GenericError",
                           "Parameter 'keys[%u].data' does not accept value '%s'", i,
                           type->str);
            return;
        }
    }
    if (c->io->dom->type == XENSIM_DOMAIN_TYPE_HVM && combination->len)
        xensimGuestKeys(c->io->dom, combination->str);
    xensimQmpReturn(c, id, "{}");
}

/* screendump: filename, device, head, format; the VGA of an HVM guest
 * (the device model of a PV guest has no console). */
static void
xensimQmpScreendump(XensimQmpClient *c, Xj *id, Xj *args)
{
    Xj *filename = args ? xjMember(args, "filename") : NULL;
    Xj *format = args ? xjMember(args, "format") : NULL;
    g_autofree char *error = NULL;

    if (!filename || filename->type != XJ_STRING) {
        xensimQmpError(c, id, "GenericError", "Parameter 'filename' is missing");
        return;
    }
    if (format && (format->type != XJ_STRING || strcmp(format->str, "ppm") != 0)) {
        xensimQmpError(c, id, "GenericError", "xensim: only the ppm format is modelled");
        return;
    }
    if (c->io->dom->type != XENSIM_DOMAIN_TYPE_HVM) {
        xensimQmpError(c, id, "GenericError", "There is no console to take a screendump from");
        return;
    }
    if (xensimGuestScreendump(c->io->dom, filename->str, &error) < 0) {
        xensimQmpError(c, id, "GenericError", "%s", error);
        return;
    }
    xensimQmpReturn(c, id, "{}");
}

/* block_resize: device (a BlockBackend: the emulated IDE drives) or
 * node-name (xen-block's nodes), size in bytes. */
static void
xensimQmpBlockResize(XensimQmpClient *c, Xj *id, Xj *args)
{
    g_autoptr(GArray) drives = xensimQmpDrives(c->io->dom);
    Xj *device = args ? xjMember(args, "device") : NULL;
    Xj *node = args ? xjMember(args, "node-name") : NULL;
    Xj *size = args ? xjMember(args, "size") : NULL;
    const char *name = device && device->type == XJ_STRING ? device->str :
                       node && node->type == XJ_STRING ? node->str : NULL;
    g_autofree char *error = NULL;
    XensimQmpDrive *drive = NULL;
    guint i;

    if (!size || size->type != XJ_NUMBER) {
        xensimQmpError(c, id, "GenericError", "Parameter 'size' is missing");
        return;
    }
    for (i = 0; name && i < drives->len; i++) {
        XensimQmpDrive *d = &g_array_index(drives, XensimQmpDrive, i);

        if ((device && strcmp(d->device, name) == 0) ||
            (!device && strcmp(d->node, name) == 0))
            drive = d;
    }
    if (!drive) {
        xensimQmpError(c, id, "GenericError", "Cannot find device='%s' nor node-name='%s'",
                       device && device->type == XJ_STRING ? device->str : "",
                       node && node->type == XJ_STRING ? node->str : "");
        return;
    }
    if (xensimGuestBlockResize(c->io->dom, drive->dev,
                               g_ascii_strtoll(size->start, NULL, 10), &error) < 0) {
        xensimQmpError(c, id, "GenericError", "%s", error);
        return;
    }
    xensimQmpReturn(c, id, "{}");
}

/* Arguments a command does not take: QEMU names the first. */
static bool
xensimQmpCheckArgs(XensimQmpClient *c, Xj *id, Xj *args, const char *const *allowed)
{
    guint i;

    if (!args)
        return true;
    if (args->type != XJ_OBJECT) {
        xensimQmpError(c, id, "GenericError", "QMP input member 'arguments' must be an object");
        return false;
    }
    for (i = 0; i < args->items->len; i++) {
        Xj *m = g_ptr_array_index(args->items, i);

        if (!allowed || !g_strv_contains(allowed, m->key)) {
            xensimQmpError(c, id, "GenericError", "Parameter '%s' is unexpected", m->key);
            return false;
        }
    }
    return true;
}

static void
xensimQmpCommand(XensimQmpClient *c, const char *text)
{
    static const char *const blockstatsArgs[] = { "query-nodes", NULL };
    const char *p = text;
    g_autoptr(Xj) req = xjParseValue(&p, 0);
    Xj *id, *exec, *args;
    const char *cmd;

    if (!req) {
        xensimQmpError(c, NULL, "GenericError", "JSON parse error, invalid JSON syntax");
        return;
    }
    if (req->type != XJ_OBJECT) {
        xensimQmpError(c, NULL, "GenericError", "QMP input must be a JSON object");
        return;
    }
    id = xjMember(req, "id");
    args = xjMember(req, "arguments");
    if (!(exec = xjMember(req, "execute"))) {
        xensimQmpError(c, id, "GenericError", "QMP input lacks member 'execute'");
        return;
    }
    if (exec->type != XJ_STRING) {
        xensimQmpError(c, id, "GenericError", "QMP input member 'execute' must be a string");
        return;
    }
    cmd = exec->str;
    if (!c->negotiated) {
        if (strcmp(cmd, "qmp_capabilities") != 0) {
            xensimQmpError(c, id, "CommandNotFound",
                           "Expecting capabilities negotiation with 'qmp_capabilities'");
            return;
        }
        if (!xensimQmpCheckArgs(c, id, args, (const char *const[]){ "enable", NULL }))
            return;
        c->negotiated = true;
        xensimQmpReturn(c, id, "{}");
        return;
    }
    if (strcmp(cmd, "qmp_capabilities") == 0) {
        xensimQmpError(c, id, "CommandNotFound",
                       "Capabilities negotiation is already complete, command ignored");
    } else if (strcmp(cmd, "query-blockstats") == 0) {
        if (xensimQmpCheckArgs(c, id, args, blockstatsArgs))
            xensimQmpBlockstats(c, id);
    } else if (strcmp(cmd, "query-block") == 0) {
        if (xensimQmpCheckArgs(c, id, args, NULL))
            xensimQmpBlock(c, id);
    } else if (strcmp(cmd, "query-status") == 0) {
        if (xensimQmpCheckArgs(c, id, args, NULL))
            xensimQmpStatus(c, id);
    } else if (strcmp(cmd, "send-key") == 0) {
        if (xensimQmpCheckArgs(c, id, args, (const char *const[]){ "keys", "hold-time", NULL }))
            xensimQmpSendKey(c, id, args);
    } else if (strcmp(cmd, "screendump") == 0) {
        if (xensimQmpCheckArgs(c, id, args,
                               (const char *const[]){ "filename", "device", "head",
                                                      "format", NULL }))
            xensimQmpScreendump(c, id, args);
    } else if (strcmp(cmd, "block_resize") == 0) {
        if (xensimQmpCheckArgs(c, id, args,
                               (const char *const[]){ "device", "node-name", "size", NULL }))
            xensimQmpBlockResize(c, id, args);
    } else if (strcmp(cmd, "system_reset") == 0) {
        if (xensimQmpCheckArgs(c, id, args, NULL)) {
            xensimQmpReturn(c, id, "{}");
            if (c->io->dom->type == XENSIM_DOMAIN_TYPE_HVM)
                xensimGuestSystemReset(c->io->dom);
        }
    } else if (strcmp(cmd, "query-version") == 0) {
        if (xensimQmpCheckArgs(c, id, args, NULL)) {
            g_autoptr(GString) v = g_string_new(NULL);

            xensimQmpVersion(v);
            xensimQmpReturn(c, id, v->str);
        }
    } else {
        xensimQmpError(c, id, "CommandNotFound", "The command %s has not been found", cmd);
    }
}

/* The end of the first complete JSON value in @s (QEMU's streaming
 * parser counts braces and brackets outside strings), or 0. */
static size_t
xensimQmpSplit(const char *s, size_t len)
{
    int depth = 0;
    bool in_string = false, escaped = false, started = false;
    size_t i;

    for (i = 0; i < len; i++) {
        char ch = s[i];

        if (in_string) {
            if (escaped)
                escaped = false;
            else if (ch == '\\')
                escaped = true;
            else if (ch == '"')
                in_string = false;
            continue;
        }
        if (ch == '"') {
            in_string = true;
            started = true;
        } else if (ch == '{' || ch == '[') {
            depth++;
            started = true;
        } else if (ch == '}' || ch == ']') {
            depth--;
            if (depth <= 0)
                return i + 1;
        } else if (!started && ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n') {
            started = true;
        } else if (started && depth == 0 && (ch == '\n' || ch == ' ')) {
            return i + 1;       /* a scalar: an error reply */
        }
    }
    return 0;
}

static void
xensimQmpClientDrop(XensimQmpClient *c)
{
    c->source = 0;              /* the source goes with G_SOURCE_REMOVE */
    g_ptr_array_remove(c->io->qmp_clients, c);
}

static gboolean
xensimQmpClientIn(int fd, GIOCondition cond G_GNUC_UNUSED, gpointer opaque)
{
    XensimQmpClient *c = opaque;
    char buf[2048];
    ssize_t r = read(fd, buf, sizeof(buf));
    size_t end;

    if (r < 0 && (errno == EINTR || errno == EAGAIN))
        return G_SOURCE_CONTINUE;
    if (r <= 0 || c->in->len + r > XENSIM_QMP_MAX_INPUT) {
        xensimQmpClientDrop(c);
        return G_SOURCE_REMOVE;
    }
    g_string_append_len(c->in, buf, r);
    while ((end = xensimQmpSplit(c->in->str, c->in->len)) > 0) {
        g_autofree char *text = g_strndup(c->in->str, end);

        g_string_erase(c->in, 0, end);
        if (g_strstrip(text)[0])
            xensimQmpCommand(c, text);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean
xensimQmpAccept(int fd, GIOCondition cond G_GNUC_UNUSED, gpointer opaque)
{
    XensimDomainIo *io = opaque;
    g_autoptr(GString) greeting = g_string_new("{\"QMP\": {\"version\": ");
    XensimQmpClient *c;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (cfd < 0)
        return G_SOURCE_CONTINUE;
    c = g_new0(XensimQmpClient, 1);
    c->io = io;
    c->fd = cfd;
    c->in = g_string_new(NULL);
    c->source = g_unix_fd_add(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR, xensimQmpClientIn, c);
    g_ptr_array_add(io->qmp_clients, c);
    xensimQmpVersion(greeting);
    g_string_append(greeting, ", \"capabilities\": [\"oob\"]}}");
    xensimQmpSend(c, greeting);
    return G_SOURCE_CONTINUE;
}

/* QEMU's -chardev socket,path=/var/run/xen/qmp-libxenstat-D,server=on,
 * wait=off -mon chardev=...,mode=control, as libxl starts it. */
static void
xensimQmpListen(XensimDomain *dom)
{
    XensimDomainIo *io = dom->io;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *dir = g_build_filename(dom->owner->root, "var/run/xen", NULL);
    int fd;

    io->qmp_path = g_strdup_printf("%s/qmp-libxenstat-%u", dir, dom->domid);
    if (strlen(io->qmp_path) >= sizeof(addr.sun_path)) {
        xensimStateLog(dom->owner, "domain %u: QMP socket path %s is too long",
                       dom->domid, io->qmp_path);
        g_clear_pointer(&io->qmp_path, g_free);
        return;
    }
    g_mkdir_with_parents(dir, 0755);
    strcpy(addr.sun_path, io->qmp_path);
    unlink(io->qmp_path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) < 0 ||
        bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 16) < 0) {
        xensimStateLog(dom->owner, "domain %u: cannot listen on %s: %s",
                       dom->domid, io->qmp_path, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        g_clear_pointer(&io->qmp_path, g_free);
        return;
    }
    io->qmp_fd = fd;
    io->qmp_source = g_unix_fd_add(fd, G_IO_IN, xensimQmpAccept, io);
}

static void
xensimQmpClose(XensimDomainIo *io)
{
    g_ptr_array_set_size(io->qmp_clients, 0);
    if (io->qmp_source)
        g_source_remove(io->qmp_source);
    io->qmp_source = 0;
    if (io->qmp_fd >= 0)
        close(io->qmp_fd);
    io->qmp_fd = -1;
    if (io->qmp_path)
        unlink(io->qmp_path);
    g_clear_pointer(&io->qmp_path, g_free);
}

/* ---- netback ---- */

static int
xensimRunIp(XensimState *state, const char *const *argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                      G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                      &status, &error) || !g_spawn_check_wait_status(status, NULL)) {
        g_autofree char *cmd = g_strjoinv(" ", (char **)argv);

        xensimStateLog(state, "%s failed: %s", cmd,
                       error ? error->message : g_strstrip(err ? err : g_strdup("")));
        return -1;
    }
    return 0;
}

static void
xensimLogErrno(const char *path)
{
    g_printerr("xensimd: %s: %s\n", path, g_strerror(errno));
}

static void
xensimSysctl(const char *ifname, const char *key, const char *value)
{
    g_autofree char *path = g_strdup_printf("/proc/sys/net/ipv6/conf/%s/%s", ifname, key);
    int fd = open(path, O_WRONLY | O_CLOEXEC);

    /* in place: /proc/sys takes no temporary file and rename */
    if (fd < 0 || write(fd, value, strlen(value)) < 0)
        xensimLogErrno(path);
    if (fd >= 0)
        close(fd);
}

/* netback's vif: a veth pair, Domain-0's end vifD.N (as netback names
 * it) on the nic's bridge, the guest's end "vifD.N-g".  IPv6 is off on
 * both, so that the kernel adds no frames of its own. */
static void
xensimVifCreate(XensimDomain *dom, XensimDevice *dev)
{
    XensimState *state = dom->owner;
    g_autofree char *vif = g_strdup_printf("vif%u.%d", dom->domid, dev->devid);
    g_autofree char *peer = g_strdup_printf("vif%u.%dg", dom->domid, dev->devid);

    if (strlen(peer) >= IFNAMSIZ) {
        xensimStateLog(state, "domain %u: %s: name too long", dom->domid, peer);
        return;
    }
    {
        const char *add[] = { "ip", "link", "add", vif, "type", "veth", "peer",
                              "name", peer, NULL };

        if (xensimRunIp(state, add) < 0)
            return;
    }
    dev->vif = g_strdup(vif);
    dev->vif_peer = g_strdup(peer);
    xensimSysctl(vif, "disable_ipv6", "1");
    xensimSysctl(peer, "disable_ipv6", "1");
    if (dev->mac && *dev->mac) {
        const char *mac[] = { "ip", "link", "set", peer, "address", dev->mac, NULL };

        xensimRunIp(state, mac);
    }
    {
        /* netback's vif address: fe:ff:ff:ff:ff:ff */
        const char *mac[] = { "ip", "link", "set", vif, "address", "fe:ff:ff:ff:ff:ff", NULL };

        xensimRunIp(state, mac);
    }
    /* by name in this network namespace (sysfs may show another's) */
    if (dev->bridge && *dev->bridge) {
        if (if_nametoindex(dev->bridge)) {
            const char *master[] = { "ip", "link", "set", vif, "master", dev->bridge, NULL };

            xensimRunIp(state, master);
        } else {
            xensimStateLog(state, "domain %u: %s: bridge %s does not exist, "
                           "vif left unattached", dom->domid, vif, dev->bridge);
        }
    }
    {
        const char *up1[] = { "ip", "link", "set", peer, "up", NULL };
        const char *up2[] = { "ip", "link", "set", vif, "up", NULL };

        xensimRunIp(state, up1);
        xensimRunIp(state, up2);
    }
    xensimStateLog(state, "domain %u: netback %s (guest end %s)", dom->domid, vif, peer);
}

static void
xensimVifDelete(XensimDomain *dom, XensimDevice *dev)
{
    const char *del[] = { "ip", "link", "del", dev->vif, NULL };

    if (!dev->vif)
        return;
    xensimRunIp(dom->owner, del);
    g_clear_pointer(&dev->vif, g_free);
    g_clear_pointer(&dev->vif_peer, g_free);
}

/* @n frames of the configured size out of @ifname, from and to @mac:
 * IPv4 frames that no one takes and no one counts as dropped: the peer
 * sees them for another host (IP drops those before looking at them),
 * a bridge finds their destination on the port they came in by. */
static void
xensimSendFrames(XensimDomain *dom, const char *ifname, const char *mac, guint64 n)
{
    XensimDomainIo *io = dom->io;
    guint size = dom->owner->host.net_frame_bytes;
    struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
    g_autofree guint8 *frame = g_malloc0(size);
    unsigned int m[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };
    guint64 i;
    int k;

    if (!(sll.sll_ifindex = if_nametoindex(ifname)))
        return;
    if (io->packet_fd < 0 &&
        (io->packet_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0) {
        xensimStateLog(dom->owner, "domain %u: no packet socket: %s", dom->domid,
                       g_strerror(errno));
        return;
    }
    if (mac)
        sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
    for (k = 0; k < 6; k++)
        frame[k] = frame[6 + k] = m[k];
    frame[12] = 0x08;           /* IPv4 */
    frame[13] = 0x00;
    memcpy(sll.sll_addr, frame, 6);
    for (i = 0; i < n; i++)
        sendto(io->packet_fd, frame, size, MSG_DONTWAIT, (struct sockaddr *)&sll, sizeof(sll));
}

/* The frames due up to now: the guest receives net_rx_pps (Domain-0's
 * vif transmits them) and sends net_tx_pps (the vif receives them), times
 * the nic's multiplier. */
static void
xensimNetSend(XensimDomain *dom)
{
    XensimState *state = dom->owner;
    gint64 now = g_get_monotonic_time();
    guint i;

    for (i = 0; i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);
        guint64 us, rx, tx;

        if (dev->kind != XENSIM_DEVICE_NIC)
            continue;
        us = xensimDeviceUs(dev, XENSIM_IO_PV, now);
        rx = xensimRequests(dev, us, state->host.net_rx_pps);
        tx = xensimRequests(dev, us, state->host.net_tx_pps);
        if (dev->vif && rx > dev->net_rx_frames)
            xensimSendFrames(dom, dev->vif, "fe:ff:ff:ff:ff:ff", rx - dev->net_rx_frames);
        if (dev->vif_peer && tx > dev->net_tx_frames)
            xensimSendFrames(dom, dev->vif_peer, dev->mac, tx - dev->net_tx_frames);
        dev->net_rx_frames = MAX(rx, dev->net_rx_frames);
        dev->net_tx_frames = MAX(tx, dev->net_tx_frames);
    }
}

/* ---- a domain's I/O: start, tick, stop ---- */

/* Domains a slice of the tick visits before it lets xensimd's clients
 * in: Xen's backends move their counters without holding up a hypercall,
 * and a tick of a thousand guests (their frames, five blkback files
 * each) made whatever call came during it wait some 30 ms. */
#define XENSIM_IO_SLICE 100

static gboolean
xensimIoSlice(gpointer opaque)
{
    XensimState *state = opaque;
    guint n = 0;

    while (state->io_queue->len && n < XENSIM_IO_SLICE) {
        guint32 domid = g_array_index(state->io_queue, guint32,
                                      state->io_queue->len - 1);
        XensimDomain *dom;

        g_array_set_size(state->io_queue, state->io_queue->len - 1);
        /* a domain destroyed since the tick began is not visited */
        if (!(dom = xensimStateLookup(state, domid)) ||
            !dom->io || dom->state != XENSIM_DOMAIN_RUNNING)
            continue;
        xensimNetSend(dom);
        xensimIoWriteStatistics(dom);
        xensimGuestDiskCheck(dom);
        n++;
    }
    if (state->io_queue->len)
        return G_SOURCE_CONTINUE;
    state->io_slice = 0;
    return G_SOURCE_REMOVE;
}

static gboolean
xensimIoTick(gpointer opaque)
{
    XensimState *state = opaque;
    GHashTableIter it;
    gpointer value;

    /* the last tick's slices still running: this one is theirs */
    if (state->io_slice)
        return G_SOURCE_CONTINUE;
    if (!state->io_queue)
        state->io_queue = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_array_set_size(state->io_queue, 0);
    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimDomain *dom = value;

        if (dom->io && dom->state == XENSIM_DOMAIN_RUNNING)
            g_array_append_val(state->io_queue, dom->domid);
    }
    /* below the clients' requests (G_PRIORITY_DEFAULT) */
    if (state->io_queue->len)
        state->io_slice = g_idle_add_full(G_PRIORITY_LOW, xensimIoSlice, state, NULL);
    return G_SOURCE_CONTINUE;
}

/* A device of a running domain appears (at the create; issue 13: a
 * hotplug, once the device is in dom->devices): its I/O starts from
 * zero, blkback's statistics of a vbd, netback's vif of a nic. */
void
xensimIoDeviceAdd(XensimDomain *dom, XensimDevice *dev)
{
    XensimState *state = dom->owner;

    xensimDeviceAccount(dom, dev, g_get_monotonic_time());
    xensimGuestDiskConnect(dom, dev);
    if (!dom->io || !state->root)
        return;
    if (xensimDeviceIsVbd(dev))
        xensimIoWriteStatistics(dom);
    if (dev->kind == XENSIM_DEVICE_NIC && state->host.netback && !dev->vif)
        xensimVifCreate(dom, dev);
}

/* A device goes (the domain's destroy; a hot unplug, before the record
 * leaves dom->devices): blkback's sysfs directory, the vif. */
void
xensimIoDeviceRemove(XensimDomain *dom, XensimDevice *dev)
{
    xensimDeviceAccount(dom, dev, g_get_monotonic_time());
    if (xensimDeviceIsVbd(dev) && dom->owner->root) {
        g_autofree char *dir = xensimVbdDir(dom, dev);

        xensimRemoveTree(dir);
        dev->stats_written = false;
    }
    xensimVifDelete(dom, dev);
}

/* The domain's devices are made: the device model's QMP monitor, and
 * each device's backend. */
void
xensimIoDomainStart(XensimDomain *dom)
{
    XensimState *state = dom->owner;
    guint i;

    if (dom->io)
        return;
    dom->io = g_new0(XensimDomainIo, 1);
    dom->io->dom = dom;
    dom->io->qmp_fd = -1;
    dom->io->packet_fd = -1;
    dom->io->qmp_clients = g_ptr_array_new_with_free_func(xensimQmpClientFree);
    if (state->root && xensimDomainHasDeviceModel(dom))
        xensimQmpListen(dom);
    for (i = 0; i < dom->devices->len; i++)
        xensimIoDeviceAdd(dom, g_ptr_array_index(dom->devices, i));
    if (!state->io_tick)
        state->io_tick = g_timeout_add_seconds(1, xensimIoTick, state);
}

/* The devices go (libxl_domain_destroy, a failed create): the backends'
 * sysfs directories, the device model's socket (libxl__qmp_cleanup), the
 * vifs. */
void
xensimIoDomainStop(XensimDomain *dom)
{
    guint i;

    if (!dom->io)
        return;
    xensimIoDomainAccount(dom);
    for (i = 0; i < dom->devices->len; i++)
        xensimIoDeviceRemove(dom, g_ptr_array_index(dom->devices, i));
    xensimQmpClose(dom->io);
    g_ptr_array_unref(dom->io->qmp_clients);
    if (dom->io->packet_fd >= 0)
        close(dom->io->packet_fd);
    g_clear_pointer(&dom->io, g_free);
}

void
xensimIoStateDispose(XensimState *state)
{
    if (state->io_tick)
        g_source_remove(state->io_tick);
    state->io_tick = 0;
    if (state->io_slice)
        g_source_remove(state->io_slice);
    state->io_slice = 0;
    g_clear_pointer(&state->io_queue, g_array_unref);
    g_clear_pointer(&state->root, g_free);
}

/* args: domid.  Each device's counters, for xensimctl io. */
int
xensimCmdIoStats(XensimCall *call)
{
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (dom->io)
        xensimNetSend(dom);
    for (i = 0; dom->devices && i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecStr(&r, "kind", dev->kind == XENSIM_DEVICE_DISK ? "disk" : "nic");
        xensimRecU64(&r, "devid", dev->devid);
        xensimRecStr(&r, "backend", dev->backend);
        if (dev->kind == XENSIM_DEVICE_DISK) {
            g_autofree char *emu = xensimDiskEmulatedName(dom, dev);
            g_autofree char *node = xensimDiskQdiskNodeName(dev);
            XensimDiskCounters c;

            xensimDiskCounters(dom, dev, &c);
            xensimRecStr(&r, "vdev", dev->vdev);
            xensimRecStr(&r, "format", dev->format);
            xensimRecStr(&r, "path", dev->path ? dev->path : "");
            if (emu)
                xensimRecStr(&r, "emulated", emu);
            if (node)
                xensimRecStr(&r, "node", node);
            xensimRecU64(&r, "rd_req", c.rd_req);
            xensimRecU64(&r, "wr_req", c.wr_req);
            xensimRecU64(&r, "f_req", c.f_req);
            xensimRecU64(&r, "rd_sect", c.rd_sect);
            xensimRecU64(&r, "wr_sect", c.wr_sect);
            xensimRecU64(&r, "rd_total_ns", c.rd_ns);
            xensimRecU64(&r, "wr_total_ns", c.wr_ns);
            xensimRecU64(&r, "f_total_ns", c.f_ns);
            xensimRecU64(&r, "emu_rd_req", c.emu_rd_req);
            xensimRecU64(&r, "emu_wr_req", c.emu_wr_req);
            xensimRecU64(&r, "emu_f_req", c.emu_f_req);
            xensimRecU64(&r, "emu_rd_sect", c.emu_rd_sect);
            xensimRecU64(&r, "emu_wr_sect", c.emu_wr_sect);
            xensimRecU64(&r, "emu_rd_total_ns", c.emu_rd_ns);
            xensimRecU64(&r, "emu_wr_total_ns", c.emu_wr_ns);
            xensimRecU64(&r, "emu_f_total_ns", c.emu_f_ns);
        } else {
            guint64 size = call->state->host.net_frame_bytes;

            xensimRecStr(&r, "mac", dev->mac);
            xensimRecStr(&r, "bridge", dev->bridge);
            xensimRecStr(&r, "vif", dev->vif ? dev->vif : "");
            /* as Domain-0 sees the vif: rx is what the guest sent */
            xensimRecU64(&r, "vif_rx_packets", dev->net_tx_frames);
            xensimRecU64(&r, "vif_rx_bytes", dev->net_tx_frames * size);
            xensimRecU64(&r, "vif_tx_packets", dev->net_rx_frames);
            xensimRecU64(&r, "vif_tx_bytes", dev->net_rx_frames * size);
        }
        xensimRecClose(&r);
    }
    return 0;
}

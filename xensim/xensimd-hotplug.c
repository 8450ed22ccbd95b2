/*
 * xensimd-hotplug.c: devices added to and removed from running domains,
 * as libxl 4.17, the backends (blkback, netback, QEMU's qdisk) and a
 * guest's frontends do it in xenstore
 *
 * libxl (libxensim-device.c) writes a new device's backend, frontend and
 * its own copy (/libxl/D/device/KIND/N) in state 1 (Initialising) and
 * waits for the backend to reach 2 (InitWait); it then runs the hotplug
 * script (block, vif-bridge) and the add is done.  The guest's frontend
 * connects on its own: frontend 3 (Initialised), backend 4 (Connected),
 * frontend 4.  QEMU's qdisk backend is not waited for.
 *
 * Removal: libxl sets the backend's online to 0 and its state to 5
 * (Closing) and waits LIBXL_DESTROY_TIMEOUT for 6 (Closed): a frontend
 * that releases the device closes (5, 6) and the backend follows; a
 * guest that keeps it (host key guest_keep_devices: a disk in use)
 * leaves it at 5.  A forced removal first deletes the frontend's
 * directory, after which the backend closes whatever the guest does.
 * Then libxl deletes the three directories (libxl__device_destroy:
 * command device-destroy).
 *
 * The timings of the backend and of the guest are the host's
 * hotplug_delay_ms; libxl's own deadlines run in libxensim.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <libxl.h>

#include "xensimd-state.h"

/* Xenbus states */
#define XB_INITIALISING 1
#define XB_INITWAIT 2
#define XB_INITIALISED 3
#define XB_CONNECTED 4
#define XB_CLOSING 5
#define XB_CLOSED 6

/* libxl waiting for a backend state: backend path -> XensimHpWait */
typedef struct {
    char *token;
    guint64 op;
    guint32 domid;
    int wanted;
} XensimHpWait;

/* a step of a backend or a frontend, due later */
typedef enum {
    XENSIM_HP_PROBE,        /* the backend driver sees the new device */
    XENSIM_HP_CONNECT,      /* the guest's frontend connects */
    XENSIM_HP_RELEASE,      /* a closing backend: the frontend answers */
} XensimHpStepKind;

typedef struct {
    XensimState *state;
    guint32 domid;
    XensimDeviceKind kind;
    int devid;
    XensimHpStepKind step;
} XensimHpStep;

static GHashTable *xensimHpWaits;   /* backend path -> XensimHpWait */

static void
xensimHpWaitFree(gpointer opaque)
{
    XensimHpWait *w = opaque;

    g_free(w->token);
    g_free(w);
}

/* ---- paths ---- */

static const char *
xensimHpKindName(XensimDeviceKind kind)
{
    return kind == XENSIM_DEVICE_DISK ? "vbd" : "vif";
}

/* the backend's kind: blkback's vbd, QEMU's qdisk, netback's vif */
static const char *
xensimHpBackendKind(XensimDevice *dev)
{
    if (dev->kind == XENSIM_DEVICE_NIC)
        return "vif";
    return strcmp(dev->backend, "qdisk") == 0 ? "qdisk" : "vbd";
}

static char *
xensimHpFrontend(guint32 domid, XensimDeviceKind kind, int devid)
{
    return g_strdup_printf("/local/domain/%u/device/%s/%d", domid,
                           xensimHpKindName(kind), devid);
}

static char *
xensimHpBackend(guint32 domid, const char *bkind, int devid)
{
    return g_strdup_printf("/local/domain/0/backend/%s/%u/%d", bkind, domid, devid);
}

static char *
xensimHpLibxl(guint32 domid, XensimDeviceKind kind, int devid)
{
    return g_strdup_printf("/libxl/%u/device/%s/%d", domid, xensimHpKindName(kind), devid);
}

static void G_GNUC_PRINTF(4, 5)
xensimHpWrite(XensimState *state, const char *dir, const char *key, const char *fmt, ...)
{
    g_autofree char *path = g_strdup_printf("%s/%s", dir, key);
    g_autofree char *value = NULL;
    va_list ap;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xensimStoreWrite(state->store, path, value);
}

static int
xensimHpReadInt(XensimState *state, const char *dir, const char *key)
{
    g_autofree char *path = g_strdup_printf("%s/%s", dir, key);
    const char *v = xensimStoreRead(state->store, path);

    return v && *v ? atoi(v) : -1;
}

static XensimDevice *
xensimHpFind(XensimDomain *dom, XensimDeviceKind kind, int devid, guint *index)
{
    guint i;

    for (i = 0; dom->devices && i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);

        if (dev->kind == kind && dev->devid == devid) {
            if (index)
                *index = i;
            return dev;
        }
    }
    return NULL;
}

/* ---- libxl's waits ---- */

static void
xensimHpWaitSet(const char *be, const char *token, guint64 op, guint32 domid,
                int wanted)
{
    XensimHpWait *w = g_new0(XensimHpWait, 1);

    if (!xensimHpWaits)
        xensimHpWaits = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                              xensimHpWaitFree);
    w->token = g_strdup(token);
    w->op = op;
    w->domid = domid;
    w->wanted = wanted;
    g_hash_table_replace(xensimHpWaits, g_strdup(be), w);
}

/* libxl's wait on @be ends: rc, and libxl's log lines in @message */
static void
xensimHpWaitDone(XensimState *state, const char *be, int state_now, int rc,
                 const char *message)
{
    XensimHpWait *w;

    if (!xensimHpWaits || !(w = g_hash_table_lookup(xensimHpWaits, be)))
        return;
    if (!rc && state_now != w->wanted)
        return;
    xensimOpComplete(state, w->token, w->op, w->domid, rc, message);
    g_hash_table_remove(xensimHpWaits, be);
}

/* ---- the backends and the guest ---- */

static gboolean xensimHpStepRun(gpointer opaque);

static void
xensimHpSchedule(XensimState *state, XensimDomain *dom, XensimDevice *dev,
                 XensimHpStepKind kind)
{
    XensimHpStep *s = g_new0(XensimHpStep, 1);

    s->state = state;
    s->domid = dom->domid;
    s->kind = dev->kind;
    s->devid = dev->devid;
    s->step = kind;
    g_timeout_add_full(G_PRIORITY_DEFAULT, state->host.hotplug_delay_ms,
                       xensimHpStepRun, s, g_free);
}

/* the guest's frontends run: it is up, with its PV drivers */
static bool
xensimHpGuestUp(XensimDomain *dom)
{
    return (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED) &&
           dom->pv_drivers;
}

static bool
xensimHpGuestKeeps(XensimState *state, XensimDomain *dom, XensimDevice *dev)
{
    g_auto(GStrv) globs = NULL;
    size_t i;

    if (dev->kind != XENSIM_DEVICE_DISK || !state->host.guest_keep_devices)
        return false;
    globs = g_strsplit_set(state->host.guest_keep_devices, " \t,", -1);
    for (i = 0; globs[i]; i++) {
        if (*globs[i] && g_pattern_match_simple(globs[i], dom->name))
            return true;
    }
    return false;
}

/* The hotplug script libxl runs once the backend waits (block,
 * vif-bridge), as Xen's scripts do it: 0, or what the script wrote to
 * hotplug-error. */
static char *
xensimHpScript(XensimState *state, XensimDomain *dom, XensimDevice *dev,
               const char *be)
{
    if (dev->kind == XENSIM_DEVICE_NIC && state->host.netback) {
        /* vif-bridge: ip link show dev BRIDGE (in this network namespace:
         * /sys/class/net shows the one sysfs was mounted in), else fatal */
        if (!*dev->bridge || if_nametoindex(dev->bridge) == 0) {
            char *err = *dev->bridge ?
                g_strdup_printf("Could not find bridge device %s", dev->bridge) :
                g_strdup("Could not find bridge, and none was specified");

            xensimHpWrite(state, be, "hotplug-error", "%s", err);
            xensimHpWrite(state, be, "hotplug-status", "error");
            return err;
        }
    }
    if (dev->kind == XENSIM_DEVICE_NIC && dev->vif) {
        /* add_to_bridge */
        const char *argv[] = { "ip", "link", "set", dev->vif, "master", dev->bridge, NULL };
        g_autofree char *err = NULL;
        int status = 0;

        if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH |
                          G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                          &status, NULL) || !g_spawn_check_wait_status(status, NULL))
            xensimStateLog(state, "domain %u: %s: ip link set master %s failed: %s",
                           dom->domid, dev->vif, dev->bridge, err ? g_strstrip(err) : "");
    }
    if (dev->kind == XENSIM_DEVICE_DISK)
        xensimHpWrite(state, be, "physical-device", "%x:%x", 7, dev->devid & 0xff);
    xensimHpWrite(state, be, "hotplug-status", "connected");
    return NULL;
}

static gboolean
xensimHpStepRun(gpointer opaque)
{
    XensimHpStep *s = opaque;
    XensimState *state = s->state;
    XensimDomain *dom = xensimStateLookup(state, s->domid);
    XensimDevice *dev = dom ? xensimHpFind(dom, s->kind, s->devid, NULL) : NULL;
    g_autofree char *fe = NULL;
    g_autofree char *be = NULL;
    int fstate, bstate;

    if (!dom || !dev || dom->destroying)
        return G_SOURCE_REMOVE;
    fe = xensimHpFrontend(dom->domid, dev->kind, dev->devid);
    be = xensimHpBackend(dom->domid, xensimHpBackendKind(dev), dev->devid);
    fstate = xensimHpReadInt(state, fe, "state");
    bstate = xensimHpReadInt(state, be, "state");
    if (bstate < 0)
        return G_SOURCE_REMOVE;     /* destroyed meanwhile */

    switch (s->step) {
    case XENSIM_HP_PROBE: {
        g_autofree char *err = NULL;

        if (bstate != XB_INITIALISING)
            break;
        xensimHpWrite(state, be, "state", "%d", XB_INITWAIT);
        xensimIoDeviceAdd(dom, dev);
        /* libxl sees InitWait and runs the hotplug script */
        if ((err = xensimHpScript(state, dom, dev, be))) {
            g_autofree char *msg = g_strdup_printf("script: %s\nUnable to add %s with id %d",
                                                   err, xensimHpKindName(dev->kind),
                                                   dev->devid);

            xensimStateLog(state, "domain %u: %s: hotplug script failed: %s",
                           dom->domid, be, err);
            xensimHpWaitDone(state, be, XB_INITWAIT, ERROR_FAIL, msg);
            break;
        }
        xensimHpWaitDone(state, be, XB_INITWAIT, 0, NULL);
        xensimHpSchedule(state, dom, dev, XENSIM_HP_CONNECT);
        break;
    }
    case XENSIM_HP_CONNECT:
        if (!xensimHpGuestUp(dom) || fstate != XB_INITIALISING ||
            (bstate != XB_INITWAIT && !(bstate == XB_INITIALISING &&
                                        strcmp(xensimHpBackendKind(dev), "qdisk") == 0)))
            break;
        if (dev->kind == XENSIM_DEVICE_DISK) {
            xensimHpWrite(state, fe, "ring-ref", "%d", 8 + dev->devid % 64);
        } else {
            xensimHpWrite(state, fe, "tx-ring-ref", "%d", 768 + 2 * dev->devid);
            xensimHpWrite(state, fe, "rx-ring-ref", "%d", 769 + 2 * dev->devid);
        }
        xensimHpWrite(state, fe, "event-channel", "%d", 20 + dev->devid % 64);
        xensimHpWrite(state, fe, "state", "%d", XB_INITIALISED);
        xensimHpWrite(state, be, "state", "%d", XB_CONNECTED);
        xensimHpWrite(state, fe, "state", "%d", XB_CONNECTED);
        xensimStateLog(state, "domain %u: %s connected", dom->domid, fe);
        break;
    case XENSIM_HP_RELEASE:
        if (bstate == XB_CLOSED)
            break;
        if (fstate < 0 || fstate < XB_INITIALISED || fstate == XB_CLOSED ||
            !xensimHpGuestUp(dom)) {
            /* no frontend (forced), never connected, or not running */
        } else if (xensimHpGuestKeeps(state, dom, dev)) {
            /* blkfront of a disk in use: Closing, until it is unused */
            xensimHpWrite(state, fe, "state", "%d", XB_CLOSING);
            xensimStateLog(state, "domain %u: the guest keeps %s (in use)",
                           dom->domid, fe);
            break;
        } else {
            xensimHpWrite(state, fe, "state", "%d", XB_CLOSING);
            xensimHpWrite(state, fe, "state", "%d", XB_CLOSED);
        }
        xensimHpWrite(state, be, "state", "%d", XB_CLOSED);
        xensimStateLog(state, "domain %u: %s closed", dom->domid, be);
        xensimHpWaitDone(state, be, XB_CLOSED, 0, NULL);
        break;
    }
    return G_SOURCE_REMOVE;
}

/* ---- commands ---- */

static int
xensimHpArgs(XensimCall *call, guint n, XensimDomain **dom)
{
    int rc;

    if (call->nargs < n) {
        call->message = g_strdup("missing arguments");
        return ERROR_INVAL;
    }
    if ((rc = xensimArgDomid(call, 0, dom)))
        return rc;
    if ((*dom)->domid == 0 || (*dom)->destroying || (*dom)->state == XENSIM_DOMAIN_DYING) {
        call->message = g_strdup_printf("unable to get domain type for domid=%u",
                                        (*dom)->domid);
        return ERROR_FAIL;
    }
    return 0;
}

/*
 * args: domid, token, op, kind (disk|nic), spec, json.  spec: a disk's
 * "VDEV BACKEND FORMAT disk|cdrom w|r PATH", a nic's "DEVID MAC BRIDGE".
 * Writes the device's directories in state 1 and libxl's stored
 * configuration (json); replies wait=1 if libxl waits for the backend
 * (the op completes once it has, and the hotplug script ran).
 */
int
xensimCmdDeviceAdd(XensimCall *call)
{
    XensimState *state = call->state;
    XensimDomain *dom;
    XensimDevice *dev;
    g_autofree char *fe = NULL;
    g_autofree char *be = NULL;
    g_autofree char *lp = NULL;
    const char *bkind;
    guint i, index = 0;
    bool disk;
    XensimRec r;
    int rc;

    if ((rc = xensimHpArgs(call, 6, &dom)))
        return rc;
    disk = strcmp(call->args[3], "disk") == 0;
    for (i = 0; i < dom->devices->len; i++) {
        XensimDevice *d = g_ptr_array_index(dom->devices, i);

        if (d->kind == (disk ? XENSIM_DEVICE_DISK : XENSIM_DEVICE_NIC))
            index++;
    }
    dev = disk ? xensimDeviceParseDisk(call->args[4], index)
               : xensimDeviceParseNic(call->args[4], index);
    lp = xensimHpLibxl(dom->domid, dev->kind, dev->devid);
    if (xensimHpFind(dom, dev->kind, dev->devid, NULL) ||
        xensimStoreRead(state->store, lp)) {
        call->message = g_strdup_printf("device already exists in xenstore\n"
                                        "unable to add device");
        xensimDeviceFree(dev);
        return ERROR_DEVICE_EXISTS;
    }

    bkind = xensimHpBackendKind(dev);
    fe = xensimHpFrontend(dom->domid, dev->kind, dev->devid);
    be = xensimHpBackend(dom->domid, bkind, dev->devid);
    /* libxl__device_generic_add: backend, frontend, libxl's copy */
    for (i = 0; i < 2; i++) {
        const char *dir = i == 0 ? be : lp;

        xensimHpWrite(state, dir, "frontend", "%s", fe);
        xensimHpWrite(state, dir, "frontend-id", "%u", dom->domid);
        xensimHpWrite(state, dir, "online", "1");
        xensimHpWrite(state, dir, "state", "%d", XB_INITIALISING);
        if (dev->kind == XENSIM_DEVICE_DISK) {
            if (strcmp(bkind, "vbd") == 0)
                xensimHpWrite(state, dir, "params", "%s", dev->path);
            else
                xensimHpWrite(state, dir, "params", "%s:%s",
                              strcmp(dev->format, "raw") == 0 ||
                              strcmp(dev->format, "empty") == 0 ? "aio" : dev->format,
                              dev->path);
            if (strcmp(bkind, "vbd") == 0)
                xensimHpWrite(state, dir, "script", "/etc/xen/scripts/block");
            xensimHpWrite(state, dir, "removable", "%d", dev->cdrom);
            xensimHpWrite(state, dir, "bootable", "1");
            xensimHpWrite(state, dir, "dev", "%s", dev->vdev);
            xensimHpWrite(state, dir, "type", "%s", dev->backend);
            xensimHpWrite(state, dir, "mode", "%s", dev->readonly ? "r" : "w");
            xensimHpWrite(state, dir, "device-type", "%s", dev->cdrom ? "cdrom" : "disk");
            xensimHpWrite(state, dir, "discard-enable", "1");
            xensimHpWrite(state, dir, "specification", "xen");
        } else {
            xensimHpWrite(state, dir, "script", "/etc/xen/scripts/vif-bridge");
            xensimHpWrite(state, dir, "mac", "%s", dev->mac);
            if (*dev->bridge)
                xensimHpWrite(state, dir, "bridge", "%s", dev->bridge);
            xensimHpWrite(state, dir, "handle", "%d", dev->devid);
            xensimHpWrite(state, dir, "type", "vif");
        }
        if (i == 1)
            xensimHpWrite(state, dir, "backend", "%s", be);
    }
    xensimHpWrite(state, fe, "backend", "%s", be);
    xensimHpWrite(state, fe, "backend-id", "0");
    xensimHpWrite(state, fe, "state", "%d", XB_INITIALISING);
    if (dev->kind == XENSIM_DEVICE_DISK) {
        xensimHpWrite(state, fe, "virtual-device", "%d", dev->devid);
        xensimHpWrite(state, fe, "device-type", "%s", dev->cdrom ? "cdrom" : "disk");
        xensimHpWrite(state, fe, "trusted", "1");
    } else {
        xensimHpWrite(state, fe, "handle", "%d", dev->devid);
        xensimHpWrite(state, fe, "mac", "%s", dev->mac);
        xensimHpWrite(state, fe, "mtu", "1500");
        xensimHpWrite(state, fe, "trusted", "1");
    }
    g_ptr_array_add(dom->devices, dev);
    if (*call->args[5]) {
        g_free(dom->config_json);
        dom->config_json = g_strdup(call->args[5]);
    }

    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "devid", dev->devid);
    if (strcmp(bkind, "qdisk") == 0) {
        /* QEMU's backend is not waited for: it connects with the frontend */
        xensimIoDeviceAdd(dom, dev);
        xensimHpWrite(state, be, "hotplug-status", "connected");
        xensimRecU64(&r, "wait", 0);
        xensimHpSchedule(state, dom, dev, XENSIM_HP_CONNECT);
    } else {
        xensimHpWaitSet(be, call->args[1], g_ascii_strtoull(call->args[2], NULL, 10),
                        dom->domid, XB_INITWAIT);
        xensimRecU64(&r, "wait", 1);
        xensimHpSchedule(state, dom, dev, XENSIM_HP_PROBE);
    }
    xensimRecClose(&r);
    xensimStateLog(state, "domain %u: %s added (%s)", dom->domid, fe, call->args[4]);
    return 0;
}

/*
 * args: domid, token, op, kind (disk|nic), devid, backend kind (vbd,
 * qdisk, vif), force (0|1).  libxl__initiate_device_generic_remove:
 * (forced: the frontend's directory goes first) online 0, state 5, and
 * a wait for state 6; replies wait=0 when there is no backend (libxl
 * cleans up the frontend only).
 */
int
xensimCmdDeviceRemove(XensimCall *call)
{
    XensimState *state = call->state;
    XensimDomain *dom;
    XensimDevice *dev;
    XensimDeviceKind kind;
    g_autofree char *fe = NULL;
    g_autofree char *be = NULL;
    XensimRec r;
    int devid, bstate, rc;

    if ((rc = xensimHpArgs(call, 7, &dom)))
        return rc;
    kind = strcmp(call->args[3], "disk") == 0 ? XENSIM_DEVICE_DISK : XENSIM_DEVICE_NIC;
    devid = atoi(call->args[4]);
    fe = xensimHpFrontend(dom->domid, kind, devid);
    be = xensimHpBackend(dom->domid, call->args[5], devid);
    if (strcmp(call->args[6], "1") == 0)
        xensimStoreRm(state->store, fe);
    bstate = xensimHpReadInt(state, be, "state");
    dev = xensimHpFind(dom, kind, devid, NULL);

    xensimRecOpen(&r, call->records);
    if (bstate < 0 || !dev) {
        xensimRecU64(&r, "wait", 0);
        xensimRecStr(&r, "info", be);
        xensimRecClose(&r);
        return 0;
    }
    xensimHpWrite(state, be, "online", "0");
    if (bstate != XB_CLOSED)
        xensimHpWrite(state, be, "state", "%d", XB_CLOSING);
    xensimHpWaitSet(be, call->args[1], g_ascii_strtoull(call->args[2], NULL, 10),
                    dom->domid, XB_CLOSED);
    xensimRecU64(&r, "wait", 1);
    xensimRecClose(&r);
    xensimHpSchedule(state, dom, dev, XENSIM_HP_RELEASE);
    xensimStateLog(state, "domain %u: %s closing%s", dom->domid, be,
                   strcmp(call->args[6], "1") == 0 ? " (forced)" : "");
    return 0;
}

/* libxl__xs_path_cleanup: the directory, and its parents left empty */
static void
xensimHpPathCleanup(XensimState *state, const char *path)
{
    g_autofree char *p = g_strdup(path);
    char *slash;

    xensimStoreRm(state->store, p);
    while ((slash = strrchr(p, '/')) && slash != p) {
        g_auto(GStrv) children = NULL;

        *slash = '\0';
        children = xensimStoreDirectory(state->store, p);
        if (!children || children[0])
            break;
        xensimStoreRm(state->store, p);
    }
}

/* args: domid, kind, devid, backend kind.  libxl__device_destroy: the
 * backend's, the frontend's and libxl's directories go, and with them
 * the device (netback's vif, blkback's statistics). */
int
xensimCmdDeviceDestroy(XensimCall *call)
{
    XensimState *state = call->state;
    XensimDomain *dom;
    XensimDevice *dev;
    XensimDeviceKind kind;
    g_autofree char *fe = NULL;
    g_autofree char *be = NULL;
    g_autofree char *lp = NULL;
    guint index;
    int devid, rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 4) {
        call->message = g_strdup("missing arguments");
        return ERROR_INVAL;
    }
    kind = strcmp(call->args[1], "disk") == 0 ? XENSIM_DEVICE_DISK : XENSIM_DEVICE_NIC;
    devid = atoi(call->args[2]);
    fe = xensimHpFrontend(dom->domid, kind, devid);
    be = xensimHpBackend(dom->domid, call->args[3], devid);
    lp = xensimHpLibxl(dom->domid, kind, devid);
    xensimHpPathCleanup(state, be);
    xensimHpPathCleanup(state, fe);
    xensimHpPathCleanup(state, lp);
    if (xensimHpWaits)
        g_hash_table_remove(xensimHpWaits, be);
    if ((dev = xensimHpFind(dom, kind, devid, &index))) {
        xensimIoDeviceRemove(dom, dev);
        g_ptr_array_remove_index(dom->devices, index);
    }
    xensimStateLog(state, "domain %u: %s destroyed", dom->domid, fe);
    return 0;
}

/*
 * args: domid, vdev, format, path, json.  libxl_cdrom_insert, once QEMU
 * changed the medium: the backend's params, and the stored configuration.
 */
int
xensimCmdCdromInsert(XensimCall *call)
{
    XensimState *state = call->state;
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimHpArgs(call, 5, &dom)))
        return rc;
    if (dom->type != XENSIM_DOMAIN_TYPE_HVM) {
        call->message = g_strdup("cdrom-insert requires an HVM domain");
        return ERROR_INVAL;
    }
    for (i = 0; i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);
        g_autofree char *be = NULL;
        g_autofree char *lp = NULL;
        g_autofree char *params = NULL;
        bool empty = strcmp(call->args[2], "empty") == 0;

        if (dev->kind != XENSIM_DEVICE_DISK || !dev->cdrom ||
            strcmp(dev->vdev, call->args[1]) != 0)
            continue;
        g_free(dev->format);
        dev->format = g_strdup(call->args[2]);
        g_free(dev->path);
        dev->path = g_strdup(call->args[3]);
        be = xensimHpBackend(dom->domid, xensimHpBackendKind(dev), dev->devid);
        lp = xensimHpLibxl(dom->domid, dev->kind, dev->devid);
        params = empty ? g_strdup("") :
                 strcmp(xensimHpBackendKind(dev), "vbd") == 0 ? g_strdup(dev->path) :
                 g_strdup_printf("%s:%s", strcmp(dev->format, "raw") == 0 ? "aio" :
                                 dev->format, dev->path);
        xensimHpWrite(state, be, "params", "%s", params);
        if (xensimStoreRead(state->store, lp))
            xensimHpWrite(state, lp, "params", "%s", params);
        if (*call->args[4]) {
            g_free(dom->config_json);
            dom->config_json = g_strdup(call->args[4]);
        }
        xensimStateLog(state, "domain %u: cdrom %s: %s", dom->domid, dev->vdev,
                       empty ? "ejected" : dev->path);
        return 0;
    }
    call->message = g_strdup("Virtual device not found");
    return ERROR_FAIL;
}

/* The devices libxl's configuration has in xenstore, for
 * libxl_retrieve_domain_configuration and the device lists: "vbds" (the
 * disks' vdevs) and "vifs" (the nics' devids), separated by spaces. */
void
xensimHotplugAddPresent(XensimRec *r, XensimDomain *dom)
{
    g_autoptr(GString) vbds = g_string_new("");
    g_autoptr(GString) vifs = g_string_new("");
    guint i;

    for (i = 0; dom->devices && i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);

        if (dev->kind == XENSIM_DEVICE_DISK)
            g_string_append_printf(vbds, "%s%s", vbds->len ? " " : "", dev->vdev);
        else
            g_string_append_printf(vifs, "%s%d", vifs->len ? " " : "", dev->devid);
    }
    xensimRecStr(r, "vbds", vbds->str);
    xensimRecStr(r, "vifs", vifs->str);
    xensimRecU64(r, "domain_type", dom->type);
    xensimRecU64(r, "destroy_timeout_ms", dom->owner->host.libxl_destroy_timeout_ms);
}

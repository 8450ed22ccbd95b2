/*
 * libxensim-device.c: the libxl entry points of device hotplug, as libxl
 * 4.17's libxl_device.c, libxl_disk.c and libxl_nic.c
 *
 * What libxl does in the application's process is done here: the
 * devices' defaults (a disk's backend, for which libxl stats the image;
 * a nic's MAC, bridge, script and its devid, the next free one, written
 * back into the caller's struct), the stored configuration
 * (libxl_domain_config JSON: a device added replaces the one it matches,
 * or is appended), the waits for the backends with libxl's deadlines
 * (LIBXL_INIT_TIMEOUT for a new device's backend, LIBXL_DESTROY_TIMEOUT,
 * the host's libxl_destroy_timeout_ms, for a removal; after which a
 * remove forces the removal, a safe_remove fails with ERROR_TIMEDOUT and
 * leaves the device, a destroy destroys it anyway), and libxl's log
 * messages.  The xenstore side, the backends and the guest's frontends
 * are xensimd's (xensimd-hotplug.c).  Each operation is an asynchronous
 * operation (libxensim-event.c).
 *
 * Differences: libxl holds a lock on the domain's stored configuration
 * while it updates it; two hotplugs of one domain from two processes at
 * the same moment may lose one's update here (xensimd refuses the second
 * of two devices with the same id, as libxl's transaction would).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#pragma GCC visibility push(default)
#include <libxl.h>
#include <libxl_utils.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "libxensim-libxl.h"
#include "xensim-proto.h"

/* libxl's deadlines (libxl_internal.h), ms */
#define XENSIM_INIT_TIMEOUT_MS (10 * 1000)          /* LIBXL_INIT_TIMEOUT */
#define XENSIM_HOTPLUG_TIMEOUT_MS (40 * 1000)       /* LIBXL_HOTPLUG_TIMEOUT */

/* libxl's log lines in a message of xensimd, one per line */
static void
xensimDevLog(libxl_ctx *ctx, xentoollog_level level, const char *message)
{
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!message || !*message)
        return;
    lines = g_strsplit(message, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (*lines[i])
            xensimCtxLog(ctx, level, "%s", lines[i]);
    }
}

/* Ask xensimd; its message is libxl's log */
static int
xensimDevCall(libxl_ctx *ctx, const char *func, const char *const *args,
              GVariant **records)
{
    g_autofree char *message = NULL;
    int rc = xensimConnCall(ctx->conn, func, args, records, &message);

    if (rc)
        xensimDevLog(ctx, XTL_ERROR, message ? message : libxl_error_to_string(rc));
    return rc;
}

/* libxl__device_disk_dev_number: xvdX[N] (202, or extended ids from the
 * 17th disk), hdX[N] (3, 22), sdX[N] (8); -1 if not a disk name */
static int
xensimDiskDevNumber(const char *vdev)
{
    const char *p;
    int disk = -1, part = 0;

    if (!vdev)
        return -1;
    if (g_str_has_prefix(vdev, "xvd"))
        p = vdev + 3;
    else if (g_str_has_prefix(vdev, "hd") || g_str_has_prefix(vdev, "sd"))
        p = vdev + 2;
    else
        return -1;
    if (!g_ascii_islower(*p))
        return -1;
    for (; g_ascii_islower(*p); p++) {
        disk = (disk + 1) * 26 + (*p - 'a');
        if (disk > 1 << 20)
            return -1;
    }
    if (*p) {
        char *end;
        long n = strtol(p, &end, 10);

        if (*end || n < 1 || n > 255)
            return -1;
        part = n;
    }
    if (vdev[0] == 'x') {
        if (disk < 16 && part < 16)
            return (202 << 8) | (disk << 4) | part;
        return (1 << 28) | (disk << 8) | part;
    }
    if (vdev[0] == 'h') {
        if (disk > 3 || part > 63)
            return -1;
        return ((disk < 2 ? 3 : 22) << 8) | ((disk % 2) << 6) | part;
    }
    if (disk > 15 || part > 15)
        return -1;
    return (8 << 8) | (disk << 4) | part;
}

/* A devid in a space-separated list */
static bool
xensimDevidListed(const char *list, int devid)
{
    g_auto(GStrv) ids = list ? g_strsplit(list, " ", -1) : NULL;
    size_t i;

    for (i = 0; ids && ids[i]; i++) {
        if (*ids[i] && atoi(ids[i]) == devid)
            return true;
    }
    return false;
}

/* A name in a space-separated list */
static bool
xensimNameListed(const char *list, const char *name)
{
    g_auto(GStrv) names = list ? g_strsplit(list, " ", -1) : NULL;

    return name && names && g_strv_contains((const char *const *)names, name);
}

/*
 * As libxl_retrieve_domain_configuration merges the stored configuration
 * with xenstore: the devices that are not in xenstore any more (removed)
 * are not in the result.  @rec: xensimd's "vbds" and "vifs".
 */
void
xensimDeviceConfigFilter(libxl_domain_config *d_config, GVariant *rec)
{
    g_autofree char *vbds = xensimRecordStr(rec, "vbds");
    g_autofree char *vifs = xensimRecordStr(rec, "vifs");
    int i, n;

    if (vbds) {
        for (i = 0, n = 0; i < d_config->num_disks; i++) {
            if (xensimNameListed(vbds, d_config->disks[i].vdev))
                d_config->disks[n++] = d_config->disks[i];
            else
                libxl_device_disk_dispose(&d_config->disks[i]);
        }
        d_config->num_disks = n;
    }
    if (vifs) {
        for (i = 0, n = 0; i < d_config->num_nics; i++) {
            if (xensimDevidListed(vifs, d_config->nics[i].devid))
                d_config->nics[n++] = d_config->nics[i];
            else
                libxl_device_nic_dispose(&d_config->nics[i]);
        }
        d_config->num_nics = n;
    }
}

/* The stored configuration as libxl keeps it (libxl__get_domain_configuration)
 * and xensimd's record (devices present, domain type, deadlines). */
static int
xensimDevConfig(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config,
                GVariant **rec)
{
    g_autoptr(GVariant) records = NULL;
    g_autofree char *json = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    if (xensimConnCall(ctx->conn, "libxl_retrieve_domain_configuration", args,
                       &records, NULL) != 0 ||
        !(*rec = xensimRecord(records)) ||
        !(json = xensimRecordStr(*rec, "json"))) {
        xensimCtxLog(ctx, XTL_ERROR, "unable to get domain type for domid=%u", domid);
        return ERROR_FAIL;
    }
    if ((rc = libxl_domain_config_from_json(ctx, d_config, json))) {
        xensimCtxLog(ctx, XTL_ERROR, "Failed to retrieve domain configuration for "
                     "domain %u", domid);
        return ERROR_FAIL;
    }
    return 0;
}

static char *
xensimDevConfigJson(libxl_ctx *ctx, libxl_domain_config *d_config)
{
    char *json = libxl_domain_config_to_json(ctx, d_config);
    char *ret = g_strdup(json ? json : "");

    free(json);
    return ret;
}

/* device_add_domain_config: the disk replaces the one with its vdev */
static void
xensimDevConfigAddDisk(libxl_ctx *ctx, libxl_domain_config *d_config,
                       const libxl_device_disk *disk)
{
    int i;

    for (i = 0; i < d_config->num_disks; i++) {
        if (d_config->disks[i].vdev && disk->vdev &&
            strcmp(d_config->disks[i].vdev, disk->vdev) == 0)
            break;
    }
    if (i == d_config->num_disks) {
        d_config->disks = g_renew(libxl_device_disk, d_config->disks, i + 1);
        d_config->num_disks++;
    } else {
        libxl_device_disk_dispose(&d_config->disks[i]);
    }
    libxl_device_disk_init(&d_config->disks[i]);
    libxl_device_disk_copy(ctx, &d_config->disks[i], disk);
}

static void
xensimDevConfigAddNic(libxl_ctx *ctx, libxl_domain_config *d_config,
                      const libxl_device_nic *nic)
{
    int i;

    for (i = 0; i < d_config->num_nics; i++) {
        if (d_config->nics[i].devid == nic->devid)
            break;
    }
    if (i == d_config->num_nics) {
        d_config->nics = g_renew(libxl_device_nic, d_config->nics, i + 1);
        d_config->num_nics++;
    } else {
        libxl_device_nic_dispose(&d_config->nics[i]);
    }
    libxl_device_nic_init(&d_config->nics[i]);
    libxl_device_nic_copy(ctx, &d_config->nics[i], nic);
}

static const char *
xensimDiskBackendKind(libxl_disk_backend backend)
{
    switch (backend) {
    case LIBXL_DISK_BACKEND_PHY:
    case LIBXL_DISK_BACKEND_TAP:
        return "vbd";
    case LIBXL_DISK_BACKEND_QDISK:
        return "qdisk";
    case LIBXL_DISK_BACKEND_UNKNOWN:
    case LIBXL_DISK_BACKEND_STANDALONE:
    default:
        return NULL;
    }
}

static const char *
xensimDiskFormat(libxl_disk_format format)
{
    switch (format) {
    case LIBXL_DISK_FORMAT_QCOW: return "qcow";
    case LIBXL_DISK_FORMAT_QCOW2: return "qcow2";
    case LIBXL_DISK_FORMAT_VHD: return "vhd";
    case LIBXL_DISK_FORMAT_QED: return "qed";
    case LIBXL_DISK_FORMAT_EMPTY: return "empty";
    case LIBXL_DISK_FORMAT_UNKNOWN:
    case LIBXL_DISK_FORMAT_RAW:
    default: return "raw";
    }
}


/* ---- adding a device -------------------------------------------------- */

typedef struct {
    char *what;         /* "vbd", "vif" */
    int devid;
    char *backend;      /* its backend path */
} XensimAddState;

static void
xensimAddStateFree(void *opaque)
{
    XensimAddState *st = opaque;

    g_free(st->what);
    g_free(st->backend);
    g_free(st);
}

/* libxl's wait for InitWait timed out (device_backend_callback) */
static int
xensimAddTimedOut(XensimAo *ao, void *opaque)
{
    XensimAddState *st = opaque;
    libxl_ctx *ctx = xensimAoCtx(ao);

    xensimCtxLog(ctx, XTL_ERROR, "unable to add device with path %s", st->backend);
    xensimCtxLog(ctx, XTL_ERROR, "Unable to add %s with id %d", st->what, st->devid);
    return ERROR_TIMEDOUT;
}

static int
xensimDeviceAdd(libxl_ctx *ctx, XensimAo *ao, uint32_t domid, const char *func,
                const char *kind, const char *bkind, int devid, const char *spec,
                const char *json)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    XensimAddState *st;
    char id[16], op[32];
    const char *args[] = { id, xensimEvToken(ctx), op, kind, spec, json, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(op, sizeof(op), "%" G_GUINT64_FORMAT, xensimAoId(ao));
    xensimAoExpectDaemon(ao);
    if ((rc = xensimDevCall(ctx, func, args, &records)))
        return rc;
    rec = xensimRecord(records);
    if (!rec || !xensimRecordU64(rec, "wait", 0)) {
        xensimAoDaemonDone(ao);
        return 0;
    }
    st = g_new0(XensimAddState, 1);
    st->what = g_strdup(strcmp(kind, "disk") == 0 ? "vbd" : "vif");
    st->devid = devid;
    st->backend = g_strdup_printf("/local/domain/0/backend/%s/%u/%d", bkind, domid, devid);
    xensimAoSetData(ao, st, xensimAddStateFree);
    xensimAoArmTimeout(ao, XENSIM_INIT_TIMEOUT_MS + XENSIM_HOTPLUG_TIMEOUT_MS,
                       xensimAddTimedOut, st);
    return 0;
}

int
libxl_device_disk_add(libxl_ctx *ctx, uint32_t domid, libxl_device_disk *disk,
                      const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_device_disk_add", domid, ao_how, 0);
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *spec = NULL;
    g_autofree char *json = NULL;
    libxl_domain_config d_config;
    const char *bkind;
    int devid, rc;

    xensimAoSetLogVerbatim(ao);
    libxl_domain_config_init(&d_config);

    if ((rc = xensimDevConfig(ctx, domid, &d_config, &rec)))
        goto out;
    /* libxl__device_disk_setdefault: the backend, for which libxl stats
     * the image */
    if ((rc = xensimDiskSetBackend(ctx, disk)))
        goto out;
    if ((devid = xensimDiskDevNumber(disk->vdev)) < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "Invalid or unsupported virtual disk identifier %s",
                     disk->vdev ? disk->vdev : "");
        rc = ERROR_INVAL;
        goto out;
    }
    if (disk->backend == LIBXL_DISK_BACKEND_TAP) {
        xensimCtxLog(ctx, XTL_ERROR, "blktap is not supported");
        rc = ERROR_FAIL;
        goto out;
    }
    if (!(bkind = xensimDiskBackendKind(disk->backend))) {
        xensimCtxLog(ctx, XTL_ERROR, "Unrecognized disk backend type: %d", disk->backend);
        rc = ERROR_INVAL;
        goto out;
    }
    /* what libxl's configuration says of it once merged with xenstore
     * (libxl_retrieve_domain_configuration): with its backend */
    xensimDevConfigAddDisk(ctx, &d_config, disk);
    json = xensimDevConfigJson(ctx, &d_config);
    spec = g_strdup_printf("%s %s %s %s %s %s", disk->vdev,
                           disk->backend == LIBXL_DISK_BACKEND_QDISK ? "qdisk" : "phy",
                           xensimDiskFormat(disk->format),
                           disk->is_cdrom ? "cdrom" : "disk",
                           disk->readwrite ? "w" : "r",
                           disk->pdev_path ? disk->pdev_path : "");
    rc = xensimDeviceAdd(ctx, ao, domid, "libxl_device_disk_add", "disk", bkind,
                         devid, spec, json);

 out:
    if (rc && rc != ERROR_DEVICE_EXISTS)
        xensimCtxLog(ctx, XTL_ERROR, "unable to add device");
    libxl_domain_config_dispose(&d_config);
    return xensimAoInProgress(ao, rc);
}

/* libxl__device_nic_setdefault, for a hotplugged nic */
static int
xensimNicSetDefault(libxl_ctx *ctx, libxl_device_nic *nic, libxl_domain_type type)
{
    if (!nic->mtu)
        nic->mtu = 1500;
    if (!nic->model)
        nic->model = strdup("rtl8139");
    if (!nic->mac[0] && !nic->mac[1] && !nic->mac[2] && !nic->mac[3] &&
        !nic->mac[4] && !nic->mac[5]) {
        libxl_uuid uuid;
        const uint8_t *r;

        libxl_uuid_generate(&uuid);
        r = libxl_uuid_bytearray(&uuid);
        nic->mac[0] = 0x00;
        nic->mac[1] = 0x16;
        nic->mac[2] = 0x3e;
        nic->mac[3] = r[0] & 0x7f;
        nic->mac[4] = r[1];
        nic->mac[5] = r[2];
    }
    if (!nic->bridge)
        nic->bridge = strdup("xenbr0");
    if (!nic->script)
        nic->script = strdup("/etc/xen/scripts/vif-bridge");
    if (type == LIBXL_DOMAIN_TYPE_HVM) {
        if (!nic->nictype)
            nic->nictype = LIBXL_NIC_TYPE_VIF;
    } else {
        if (nic->nictype == LIBXL_NIC_TYPE_VIF_IOEMU) {
            xensimCtxLog(ctx, XTL_ERROR, "trying to create PV or PVH guest with an "
                         "emulated interface");
            return ERROR_INVAL;
        }
        nic->nictype = LIBXL_NIC_TYPE_VIF;
    }
    libxl_defbool_setdefault(&nic->trusted, true);
    return 0;
}

int
libxl_device_nic_add(libxl_ctx *ctx, uint32_t domid, libxl_device_nic *nic,
                     const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_device_nic_add", domid, ao_how, 0);
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *spec = NULL;
    g_autofree char *json = NULL;
    g_autofree char *vifs = NULL;
    libxl_domain_config d_config;
    int rc;

    xensimAoSetLogVerbatim(ao);
    libxl_domain_config_init(&d_config);

    if ((rc = xensimDevConfig(ctx, domid, &d_config, &rec)))
        goto out;
    if ((rc = xensimNicSetDefault(ctx, nic, d_config.c_info.type)))
        goto out;
    if (nic->devid == -1) {
        /* libxl__device_nextid: one more than the last of the domain's */
        g_auto(GStrv) ids = NULL;
        size_t i;

        vifs = xensimRecordStr(rec, "vifs");
        ids = g_strsplit(vifs ? vifs : "", " ", -1);
        nic->devid = 0;
        for (i = 0; ids[i]; i++) {
            if (*ids[i] && atoi(ids[i]) >= nic->devid)
                nic->devid = atoi(ids[i]) + 1;
        }
    }
    if (nic->devid < 0) {
        rc = ERROR_FAIL;
        goto out;
    }
    xensimDevConfigAddNic(ctx, &d_config, nic);
    json = xensimDevConfigJson(ctx, &d_config);
    spec = g_strdup_printf("%d %02x:%02x:%02x:%02x:%02x:%02x %s", nic->devid,
                           nic->mac[0], nic->mac[1], nic->mac[2], nic->mac[3],
                           nic->mac[4], nic->mac[5], nic->bridge ? nic->bridge : "");
    rc = xensimDeviceAdd(ctx, ao, domid, "libxl_device_nic_add", "nic", "vif",
                         nic->devid, spec, json);

 out:
    if (rc && rc != ERROR_DEVICE_EXISTS)
        xensimCtxLog(ctx, XTL_ERROR, "unable to add device");
    libxl_domain_config_dispose(&d_config);
    return xensimAoInProgress(ao, rc);
}


/* ---- removing a device ------------------------------------------------ */

typedef enum {
    XENSIM_FORCE_OFF,       /* safe_remove */
    XENSIM_FORCE_AUTO,      /* remove: forced after the deadline */
    XENSIM_FORCE_ON,        /* destroy */
} XensimForce;

typedef struct {
    uint32_t domid;
    char *func;             /* the entry point: xensimd's command */
    char *kind;             /* disk, nic */
    char *what;             /* vbd, vif */
    char *bkind;            /* vbd, qdisk, vif */
    int devid;
    XensimForce force;
    int timeout_ms;
} XensimRemoveState;

static void
xensimRemoveStateFree(void *opaque)
{
    XensimRemoveState *st = opaque;

    g_free(st->func);
    g_free(st->kind);
    g_free(st->what);
    g_free(st->bkind);
    g_free(st);
}

static char *
xensimRemoveBackend(XensimRemoveState *st)
{
    return g_strdup_printf("/local/domain/0/backend/%s/%u/%d", st->bkind, st->domid,
                           st->devid);
}

/* libxl__device_destroy: the device's directories go */
static int
xensimRemoveDestroy(libxl_ctx *ctx, XensimRemoveState *st)
{
    char id[16], devid[16];
    const char *args[] = { id, st->kind, devid, st->bkind, NULL };

    xensimDomidArg(id, sizeof(id), st->domid);
    g_snprintf(devid, sizeof(devid), "%d", st->devid);
    return xensimDevCall(ctx, "device-destroy", args, NULL);
}

/* the backend closed: destroy (the ao's next step) */
static int
xensimRemoveClosed(XensimAo *ao, void *opaque)
{
    return xensimRemoveDestroy(xensimAoCtx(ao), opaque);
}

/* libxl__initiate_device_generic_remove: online 0, state 5 (and first,
 * forced, the frontend's directory goes), a wait for state 6 */
static int
xensimRemoveInitiate(libxl_ctx *ctx, XensimAo *ao, XensimRemoveState *st,
                     const char *func)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16], op[32], devid[16];
    const char *args[] = { id, xensimEvToken(ctx), op, st->kind, devid, st->bkind,
                           st->force == XENSIM_FORCE_ON ? "1" : "0", NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), st->domid);
    g_snprintf(op, sizeof(op), "%" G_GUINT64_FORMAT, xensimAoId(ao));
    g_snprintf(devid, sizeof(devid), "%d", st->devid);
    xensimAoExpectDaemon(ao);
    if ((rc = xensimDevCall(ctx, func, args, &records))) {
        xensimAoDaemonDone(ao);
        return rc;
    }
    rec = xensimRecord(records);
    if (!rec || !xensimRecordU64(rec, "wait", 0)) {
        g_autofree char *be = xensimRemoveBackend(st);

        xensimCtxLog(ctx, XTL_INFO, "backend %s already removed, cleanup frontend only",
                     be);
        xensimAoDaemonDone(ao);
        return 0;
    }
    return 0;
}

/* LIBXL_DESTROY_TIMEOUT passed without the backend closing
 * (device_backend_callback) */
static int
xensimRemoveTimedOut(XensimAo *ao, void *opaque)
{
    XensimRemoveState *st = opaque;
    libxl_ctx *ctx = xensimAoCtx(ao);
    g_autofree char *be = xensimRemoveBackend(st);
    int rc;

    xensimCtxLog(ctx, XTL_DEBUG, "backend %s/state wanted state 6 timed out", be);
    if (st->force == XENSIM_FORCE_AUTO) {
        xensimCtxLog(ctx, XTL_DEBUG, "Timeout reached, initiating forced remove");
        st->force = XENSIM_FORCE_ON;
        if ((rc = xensimRemoveInitiate(ctx, ao, st, st->func)))
            return rc;
        xensimAoArmTimeout(ao, st->timeout_ms, xensimRemoveTimedOut, st);
        return 0;
    }
    xensimCtxLog(ctx, XTL_ERROR, "unable to remove device with path %s", be);
    if (st->force == XENSIM_FORCE_ON)
        xensimRemoveDestroy(ctx, st);
    xensimCtxLog(ctx, XTL_ERROR, "Unable to remove %s with id %d", st->what, st->devid);
    return ERROR_TIMEDOUT;
}

static int
xensimDeviceRemove(libxl_ctx *ctx, const char *func, uint32_t domid, const char *kind,
                   int devid, const char *bkind, XensimForce force,
                   const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, func, domid, ao_how, 0);
    g_autoptr(GVariant) rec = NULL;
    XensimRemoveState *st = g_new0(XensimRemoveState, 1);
    libxl_domain_config d_config;
    int rc;

    xensimAoSetLogVerbatim(ao);
    st->domid = domid;
    st->func = g_strdup(func);
    st->kind = g_strdup(kind);
    st->what = g_strdup(strcmp(kind, "disk") == 0 ? "vbd" : "vif");
    st->bkind = g_strdup(bkind);
    st->devid = devid;
    st->force = force;
    /* libxl's deadline: LIBXL_DESTROY_TIMEOUT, this host's */
    libxl_domain_config_init(&d_config);
    st->timeout_ms = 10 * 1000;
    if (xensimDevConfig(ctx, domid, &d_config, &rec) == 0)
        st->timeout_ms = xensimRecordU64(rec, "destroy_timeout_ms", st->timeout_ms);
    libxl_domain_config_dispose(&d_config);
    xensimAoSetNext(ao, xensimRemoveClosed, st, xensimRemoveStateFree);

    if ((rc = xensimRemoveInitiate(ctx, ao, st, func))) {
        xensimCtxLog(ctx, XTL_ERROR, "Unable to remove %s with id %d", st->what, devid);
        return xensimAoInProgress(ao, rc);
    }
    xensimAoArmTimeout(ao, st->timeout_ms, xensimRemoveTimedOut, st);
    return xensimAoInProgress(ao, 0);
}

/* libxl__device_from_disk: the devid of the vdev, the backend's kind;
 * ERROR_INVAL (AO_CREATE_FAIL: returned, no completion) if neither */
static int
xensimDiskRemove(libxl_ctx *ctx, const char *func, uint32_t domid,
                 libxl_device_disk *disk, XensimForce force,
                 const libxl_asyncop_how *ao_how)
{
    int devid = xensimDiskDevNumber(disk->vdev);
    const char *bkind = xensimDiskBackendKind(disk->backend);

    if (devid < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "Invalid or unsupported virtual disk identifier %s",
                     disk->vdev ? disk->vdev : "");
        return ERROR_INVAL;
    }
    if (!bkind) {
        xensimCtxLog(ctx, XTL_ERROR, "Unrecognized disk backend type: %d", disk->backend);
        return ERROR_INVAL;
    }
    return xensimDeviceRemove(ctx, func, domid, "disk", devid, bkind, force, ao_how);
}

int
libxl_device_disk_remove(libxl_ctx *ctx, uint32_t domid, libxl_device_disk *disk,
                         const libxl_asyncop_how *ao_how)
{
    return xensimDiskRemove(ctx, "libxl_device_disk_remove", domid, disk,
                            XENSIM_FORCE_AUTO, ao_how);
}

int
libxl_device_disk_safe_remove(libxl_ctx *ctx, uint32_t domid, libxl_device_disk *disk,
                              const libxl_asyncop_how *ao_how)
{
    return xensimDiskRemove(ctx, "libxl_device_disk_safe_remove", domid, disk,
                            XENSIM_FORCE_OFF, ao_how);
}

int
libxl_device_disk_destroy(libxl_ctx *ctx, uint32_t domid, libxl_device_disk *disk,
                          const libxl_asyncop_how *ao_how)
{
    return xensimDiskRemove(ctx, "libxl_device_disk_destroy", domid, disk,
                            XENSIM_FORCE_ON, ao_how);
}

int
libxl_device_nic_remove(libxl_ctx *ctx, uint32_t domid, libxl_device_nic *nic,
                        const libxl_asyncop_how *ao_how)
{
    return xensimDeviceRemove(ctx, "libxl_device_nic_remove", domid, "nic", nic->devid,
                              "vif", XENSIM_FORCE_AUTO, ao_how);
}

int
libxl_device_nic_destroy(libxl_ctx *ctx, uint32_t domid, libxl_device_nic *nic,
                         const libxl_asyncop_how *ao_how)
{
    return xensimDeviceRemove(ctx, "libxl_device_nic_destroy", domid, "nic", nic->devid,
                              "vif", XENSIM_FORCE_ON, ao_how);
}


/* ---- CD-ROM media ----------------------------------------------------- */

static int
xensimCdromInsert(libxl_ctx *ctx, uint32_t domid, libxl_device_disk *disk)
{
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *json = NULL;
    libxl_domain_config d_config;
    char id[16];
    int i, rc;

    libxl_domain_config_init(&d_config);

    if ((rc = xensimDevConfig(ctx, domid, &d_config, &rec)))
        goto out;
    if (d_config.c_info.type != LIBXL_DOMAIN_TYPE_HVM) {
        xensimCtxLog(ctx, XTL_ERROR, "cdrom-insert requires an HVM domain");
        rc = ERROR_INVAL;
        goto out;
    }
    xensimDeviceConfigFilter(&d_config, rec);
    for (i = 0; i < d_config.num_disks; i++) {
        if (d_config.disks[i].is_cdrom && disk->vdev &&
            strcmp(disk->vdev, d_config.disks[i].vdev) == 0) {
            disk->backend = d_config.disks[i].backend;
            break;
        }
    }
    if (i == d_config.num_disks) {
        xensimCtxLog(ctx, XTL_ERROR, "Virtual device not found");
        rc = ERROR_FAIL;
        goto out;
    }
    if (!disk->pdev_path || !*disk->pdev_path) {
        free(disk->pdev_path);
        disk->pdev_path = strdup("");
        disk->format = LIBXL_DISK_FORMAT_EMPTY;
    }
    if ((rc = xensimDiskSetBackend(ctx, disk)))
        goto out;
    if (disk->format != LIBXL_DISK_FORMAT_EMPTY) {
        /* QMP add-fd: libxl opens the image */
        int fd = open(disk->pdev_path, O_RDONLY | O_CLOEXEC);

        if (fd < 0) {
            xensimCtxLog(ctx, XTL_ERROR, "Failed to open cdrom file %s: %s",
                         disk->pdev_path, g_strerror(errno));
            rc = ERROR_FAIL;
            goto out;
        }
        close(fd);
    }
    xensimDevConfigAddDisk(ctx, &d_config, disk);
    json = xensimDevConfigJson(ctx, &d_config);
    {
        const char *args[] = { id, disk->vdev, xensimDiskFormat(disk->format),
                               disk->pdev_path, json, NULL };

        xensimDomidArg(id, sizeof(id), domid);
        rc = xensimDevCall(ctx, "libxl_cdrom_insert", args, NULL);
    }

 out:
    libxl_domain_config_dispose(&d_config);
    return rc;
}

int
libxl_cdrom_insert(libxl_ctx *ctx, uint32_t domid, libxl_device_disk *disk,
                   const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_cdrom_insert", domid, ao_how,
                               XENSIM_HOTPLUG_TIMEOUT_MS);

    xensimAoSetLogVerbatim(ao);
    return xensimAoInProgress(ao, xensimCdromInsert(ctx, domid, disk));
}


/* ---- lookups ---------------------------------------------------------- */

/* The domain's configuration with only the devices in xenstore */
static int
xensimDevPresent(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config)
{
    g_autoptr(GVariant) rec = NULL;
    int rc;

    if ((rc = xensimDevConfig(ctx, domid, d_config, &rec)))
        return rc;
    xensimDeviceConfigFilter(d_config, rec);
    return 0;
}

int
libxl_mac_to_device_nic(libxl_ctx *ctx, uint32_t domid, const char *mac,
                        libxl_device_nic *nic)
{
    libxl_domain_config d_config;
    unsigned int m[6];
    char tail;
    int i, rc;

    if (!mac || sscanf(mac, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3],
                       &m[4], &m[5], &tail) != 6)
        return ERROR_INVAL;
    libxl_domain_config_init(&d_config);
    if (xensimDevPresent(ctx, domid, &d_config) || d_config.num_nics == 0) {
        libxl_domain_config_dispose(&d_config);
        return ERROR_FAIL;
    }
    rc = ERROR_INVAL;
    for (i = 0; i < d_config.num_nics; i++) {
        const libxl_device_nic *n = &d_config.nics[i];

        if (n->mac[0] == m[0] && n->mac[1] == m[1] && n->mac[2] == m[2] &&
            n->mac[3] == m[3] && n->mac[4] == m[4] && n->mac[5] == m[5]) {
            libxl_device_nic_init(nic);
            libxl_device_nic_copy(ctx, nic, n);
            rc = 0;
            break;
        }
    }
    libxl_domain_config_dispose(&d_config);
    return rc;
}

int
libxl_vdev_to_device_disk(libxl_ctx *ctx, uint32_t domid, const char *vdev,
                          libxl_device_disk *disk)
{
    libxl_domain_config d_config;
    int devid = xensimDiskDevNumber(vdev);
    int i, rc = ERROR_FAIL;

    if (devid < 0)
        return ERROR_INVAL;
    libxl_device_disk_init(disk);
    libxl_domain_config_init(&d_config);
    if (xensimDevPresent(ctx, domid, &d_config) == 0) {
        for (i = 0; i < d_config.num_disks; i++) {
            if (xensimDiskDevNumber(d_config.disks[i].vdev) == devid) {
                libxl_device_disk_copy(ctx, disk, &d_config.disks[i]);
                rc = 0;
                break;
            }
        }
    }
    if (rc)
        xensimCtxLog(ctx, XTL_ERROR, "disk /libxl/%u/device/vbd/%d does not exist "
                     "(no backend path", domid, devid);
    libxl_domain_config_dispose(&d_config);
    return rc;
}

static char *
xensimXsRead(libxl_ctx *ctx, const char *path)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    const char *args[] = { path, NULL };

    if (xensimConnCall(ctx->conn, "xs_read", args, &records, NULL) != 0 ||
        !(rec = xensimRecord(records)))
        return NULL;
    return xensimRecordStr(rec, "value");
}

static int
xensimXsReadInt(libxl_ctx *ctx, const char *path)
{
    g_autofree char *v = xensimXsRead(ctx, path);

    return v ? (int)strtoul(v, NULL, 10) : -1;
}

/* the frontend's and backend's view, from libxl's directory */
static int
xensimDevGetinfo(libxl_ctx *ctx, uint32_t domid, const char *kind, int devid,
                 char **backend, uint32_t *backend_id, char **frontend)
{
    g_autofree char *lp = g_strdup_printf("/libxl/%u/device/%s/%d", domid, kind, devid);
    g_autofree char *p = g_strdup_printf("%s/backend", lp);
    g_autofree char *be = xensimXsRead(ctx, p);
    unsigned int bdomid;

    if (!be)
        return ERROR_FAIL;
    if (sscanf(be, "/local/domain/%u/", &bdomid) != 1) {
        xensimCtxLog(ctx, XTL_ERROR, "Unable to fetch device backend domid from %s", be);
        return ERROR_FAIL;
    }
    *backend_id = bdomid;
    *backend = strdup(be);
    g_free(p);
    p = g_strdup_printf("%s/frontend", lp);
    *frontend = xensimXsRead(ctx, p);
    if (*frontend) {
        char *f = strdup(*frontend);

        g_free(*frontend);
        *frontend = f;
    }
    return 0;
}

int
libxl_device_disk_getinfo(libxl_ctx *ctx, uint32_t domid,
                          const libxl_device_disk *disk, libxl_diskinfo *diskinfo)
{
    g_autofree char *fe = NULL;
    g_autofree char *p = NULL;
    int rc;

    diskinfo->backend = NULL;
    diskinfo->devid = xensimDiskDevNumber(disk->vdev);
    if ((rc = xensimDevGetinfo(ctx, domid, "vbd", diskinfo->devid, &diskinfo->backend,
                               &diskinfo->backend_id, &diskinfo->frontend)))
        return rc;
    fe = g_strdup_printf("/local/domain/%u/device/vbd/%d", domid, diskinfo->devid);
    p = g_strdup_printf("%s/state", fe);
    diskinfo->state = xensimXsReadInt(ctx, p);
    g_free(p);
    p = g_strdup_printf("%s/event-channel", fe);
    diskinfo->evtch = xensimXsReadInt(ctx, p);
    g_free(p);
    p = g_strdup_printf("%s/ring-ref", fe);
    diskinfo->rref = xensimXsReadInt(ctx, p);
    diskinfo->frontend_id = domid;
    return 0;
}

int
libxl_device_nic_getinfo(libxl_ctx *ctx, uint32_t domid,
                         const libxl_device_nic *nic, libxl_nicinfo *nicinfo)
{
    g_autofree char *fe = NULL;
    g_autofree char *p = NULL;
    char *ignored = NULL;
    int rc;

    nicinfo->devid = nic->devid;
    if ((rc = xensimDevGetinfo(ctx, domid, "vif", nic->devid, &nicinfo->backend,
                               &nicinfo->backend_id, &ignored)))
        return rc;
    free(ignored);
    fe = g_strdup_printf("/local/domain/%u/device/vif/%d", domid, nic->devid);
    p = g_strdup_printf("%s/state", fe);
    nicinfo->state = xensimXsReadInt(ctx, p);
    g_free(p);
    p = g_strdup_printf("%s/event-channel", fe);
    nicinfo->evtch = xensimXsReadInt(ctx, p);
    g_free(p);
    p = g_strdup_printf("%s/tx-ring-ref", fe);
    nicinfo->rref_tx = xensimXsReadInt(ctx, p);
    g_free(p);
    p = g_strdup_printf("%s/rx-ring-ref", fe);
    nicinfo->rref_rx = xensimXsReadInt(ctx, p);
    nicinfo->frontend = strdup(fe);
    nicinfo->frontend_id = domid;
    return 0;
}

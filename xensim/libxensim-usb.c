/*
 * libxensim-usb.c: libxl's USB passthrough entry points
 *
 * A domain's USB controllers (libxl_device_usbctrl_add, _remove,
 * _destroy, _list, _getinfo) and the host's USB devices plugged into
 * their ports (libxl_device_usbdev_add, _remove, _list), served by
 * xensimd (xensimd-usb.c) from xenstore, as libxl_usb.c reads and writes
 * it.  The adds and removes are asynchronous operations that complete at
 * once; an add writes the devid, controller and port libxl chose back
 * into the caller's structure, as libxl does.  Lists are malloc'd: the
 * real library's *_list_free free them.
 */
#include <stdlib.h>
#include <string.h>

#pragma GCC visibility push(default)
#include <libxl.h>
#include <libxl_utils.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "libxensim-libxl.h"
#include "xensim-proto.h"

static int
xensimUsbOp(libxl_ctx *ctx, const char *func, uint32_t domid,
            const char *const *args, const libxl_asyncop_how *ao_how,
            GVariant **records)
{
    XensimAo *ao = xensimAoNew(ctx, func, domid, ao_how, 0);

    return xensimAoInProgress(ao, xensimCall(ctx, func, args, records));
}

int
libxl_device_usbctrl_add(libxl_ctx *ctx, uint32_t domid, libxl_device_usbctrl *usbctrl,
                         const libxl_asyncop_how *ao_how)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16], devid[16], version[16], ports[16];
    const char *type = usbctrl->type == LIBXL_USBCTRL_TYPE_AUTO ?
                       "auto" : libxl_usbctrl_type_to_string(usbctrl->type);
    const char *args[] = { id, devid, type ? type : "?", version, ports, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(devid, sizeof(devid), "%d", usbctrl->devid);
    g_snprintf(version, sizeof(version), "%d", usbctrl->version);
    g_snprintf(ports, sizeof(ports), "%d", usbctrl->ports);
    rc = xensimUsbOp(ctx, "libxl_device_usbctrl_add", domid, args, ao_how, &records);
    if (rc == 0 && (rec = xensimRecord(records))) {
        g_autofree char *t = xensimRecordStr(rec, "type");

        /* what libxl chose, written back (libxl__device_usbctrl_setdefault) */
        usbctrl->devid = xensimRecordU64(rec, "devid", usbctrl->devid);
        usbctrl->version = xensimRecordU64(rec, "version", usbctrl->version);
        usbctrl->ports = xensimRecordU64(rec, "ports", usbctrl->ports);
        if (t)
            libxl_usbctrl_type_from_string(t, &usbctrl->type);
    }
    return rc;
}

static int
xensimUsbctrlRemove(libxl_ctx *ctx, const char *func, uint32_t domid,
                    libxl_device_usbctrl *usbctrl, const libxl_asyncop_how *ao_how)
{
    char id[16], devid[16];
    const char *args[] = { id, devid, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(devid, sizeof(devid), "%d", usbctrl->devid);
    return xensimUsbOp(ctx, func, domid, args, ao_how, NULL);
}

int
libxl_device_usbctrl_remove(libxl_ctx *ctx, uint32_t domid, libxl_device_usbctrl *usbctrl,
                            const libxl_asyncop_how *ao_how)
{
    return xensimUsbctrlRemove(ctx, "libxl_device_usbctrl_remove", domid, usbctrl, ao_how);
}

int
libxl_device_usbctrl_destroy(libxl_ctx *ctx, uint32_t domid, libxl_device_usbctrl *usbctrl,
                             const libxl_asyncop_how *ao_how)
{
    return xensimUsbctrlRemove(ctx, "libxl_device_usbctrl_destroy", domid, usbctrl, ao_how);
}

static GVariant *
xensimUsbList(libxl_ctx *ctx, const char *func, uint32_t domid)
{
    GVariant *records = NULL;
    char id[16];
    const char *args[] = { id, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    if (xensimCall(ctx, func, args, &records))
        return NULL;
    return records;
}

libxl_device_usbctrl *
libxl_device_usbctrl_list(libxl_ctx *ctx, uint32_t domid, int *num)
{
    g_autoptr(GVariant) records = xensimUsbList(ctx, "libxl_device_usbctrl_list", domid);
    gsize n = records ? g_variant_n_children(records) : 0;
    libxl_device_usbctrl *list;
    gsize i;

    *num = 0;
    if (!n)
        return NULL;
    list = calloc(n, sizeof(*list));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);
        g_autofree char *type = xensimRecordStr(rec, "type");

        libxl_device_usbctrl_init(&list[i]);
        list[i].devid = xensimRecordU64(rec, "devid", 0);
        list[i].version = xensimRecordU64(rec, "version", 0);
        list[i].ports = xensimRecordU64(rec, "ports", 0);
        if (type)
            libxl_usbctrl_type_from_string(type, &list[i].type);
    }
    *num = n;
    return list;
}

int
libxl_device_usbctrl_getinfo(libxl_ctx *ctx, uint32_t domid,
                             const libxl_device_usbctrl *usbctrl,
                             libxl_usbctrlinfo *usbctrlinfo)
{
    g_autoptr(GVariant) records = xensimUsbList(ctx, "libxl_device_usbctrl_list", domid);
    gsize n = records ? g_variant_n_children(records) : 0;
    gsize i;

    usbctrlinfo->devid = usbctrl->devid;
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);
        g_autofree char *type = NULL;
        g_autofree char *backend = NULL;

        if ((int)xensimRecordU64(rec, "devid", 0) != usbctrl->devid)
            continue;
        type = xensimRecordStr(rec, "type");
        backend = xensimRecordStr(rec, "backend");
        if (type)
            libxl_usbctrl_type_from_string(type, &usbctrlinfo->type);
        usbctrlinfo->version = xensimRecordU64(rec, "version", 0);
        usbctrlinfo->ports = xensimRecordU64(rec, "ports", 0);
        usbctrlinfo->backend_id = 0;
        if (backend) {
            usbctrlinfo->backend = strdup(backend);
            usbctrlinfo->frontend = g_strdup_printf("/local/domain/%u/device/vusb/%d",
                                                    domid, usbctrl->devid);
            /* libxl's dispose frees with free() */
            {
                char *f = strdup(usbctrlinfo->frontend);

                g_free(usbctrlinfo->frontend);
                usbctrlinfo->frontend = f;
            }
            usbctrlinfo->frontend_id = domid;
            usbctrlinfo->state = 4;
            usbctrlinfo->evtch = 20 + usbctrl->devid;
            usbctrlinfo->ref_urb = 200 + usbctrl->devid;
            usbctrlinfo->ref_conn = 200 + usbctrl->devid;
        }
        return 0;
    }
    xensimCtxLog(ctx, XTL_ERROR, "libxl_device_usbctrl_getinfo: domain %u: no USB "
                 "controller %d", domid, usbctrl->devid);
    return ERROR_FAIL;
}

int
libxl_device_usbdev_add(libxl_ctx *ctx, uint32_t domid, libxl_device_usbdev *usbdev,
                        const libxl_asyncop_how *ao_how)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16], bus[16], addr[16], ctrl[16], port[16];
    const char *args[] = { id, bus, addr, ctrl, port, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(bus, sizeof(bus), "%u", usbdev->u.hostdev.hostbus);
    g_snprintf(addr, sizeof(addr), "%u", usbdev->u.hostdev.hostaddr);
    g_snprintf(ctrl, sizeof(ctrl), "%d", usbdev->ctrl);
    g_snprintf(port, sizeof(port), "%d", usbdev->port);
    rc = xensimUsbOp(ctx, "libxl_device_usbdev_add", domid, args, ao_how, &records);
    if (rc == 0 && (rec = xensimRecord(records))) {
        usbdev->ctrl = xensimRecordU64(rec, "ctrl", usbdev->ctrl);
        usbdev->port = xensimRecordU64(rec, "port", usbdev->port);
    }
    return rc;
}

int
libxl_device_usbdev_remove(libxl_ctx *ctx, uint32_t domid, libxl_device_usbdev *usbdev,
                           const libxl_asyncop_how *ao_how)
{
    char id[16], ctrl[16], port[16];
    const char *args[] = { id, ctrl, port, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(ctrl, sizeof(ctrl), "%d", usbdev->ctrl);
    g_snprintf(port, sizeof(port), "%d", usbdev->port);
    return xensimUsbOp(ctx, "libxl_device_usbdev_remove", domid, args, ao_how, NULL);
}

libxl_device_usbdev *
libxl_device_usbdev_list(libxl_ctx *ctx, uint32_t domid, int *num)
{
    g_autoptr(GVariant) records = xensimUsbList(ctx, "libxl_device_usbdev_list", domid);
    gsize n = records ? g_variant_n_children(records) : 0;
    libxl_device_usbdev *list;
    gsize i;

    *num = 0;
    if (!n)
        return NULL;
    list = calloc(n, sizeof(*list));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        libxl_device_usbdev_init(&list[i]);
        list[i].type = LIBXL_USBDEV_TYPE_HOSTDEV;
        list[i].ctrl = xensimRecordU64(rec, "ctrl", 0);
        list[i].port = xensimRecordU64(rec, "port", 0);
        list[i].u.hostdev.hostbus = xensimRecordU64(rec, "bus", 0);
        list[i].u.hostdev.hostaddr = xensimRecordU64(rec, "addr", 0);
    }
    *num = n;
    return list;
}

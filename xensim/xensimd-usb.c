/*
 * xensimd-usb.c: the simulated host's USB devices and USB passthrough
 *
 * The host's USB devices come from the usb_devices key (README.md).  As
 * libxl 4.17's libxl_usb.c, a domain's USB controllers and the devices
 * plugged into their ports live in xenstore:
 *
 * - a controller: /libxl/DOMID/device/vusb/DEVID (its type; for pv and
 *   qusb its backend, /local/domain/0/backend/{vusb,qusb}/DOMID/DEVID,
 *   and frontend device/vusb/DEVID; a devicemodel one keeps everything
 *   under the libxl path), with usb-ver, num-ports and port/1..N;
 * - a device: its bus id ("BUS-ADDR" here) in a port.
 *
 * libxl_device_usbctrl_add fills in libxl's defaults (type: devicemodel
 * for HVM guests, else qusb, pciback's sibling usbback not being loaded
 * in Domain-0; version 2; ports 8, or what QEMU's emulated controller
 * has) and refuses a devid in use; _remove takes the controller's
 * devices out first.  libxl_device_usbdev_add: the device must be the
 * host's and not a hub ("USB device is not assignable."), no domain may
 * have it ("USB device already attached to a domain"); with no
 * controller given it takes the first free port, or a new default
 * controller.  A domain's devices go with its xenstore nodes.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>

#include "xensim-proto.h"
#include "xensimd-usb.h"

#define XENSIM_USB_MAX_PORTNR 31        /* usbif.h's USBIF_MAX_PORTNR */
#define XENSIM_USB_HUB_CLASS 9

static GPtrArray *xensimUsbBus;

static GPtrArray *
xensimUsbDevices(XensimState *state)
{
    if (!xensimUsbBus) {
        g_autofree char *err = NULL;

        if (xensimUsbParseDevices(state->host.usb_devices, &xensimUsbBus, &err) < 0)
            xensimUsbBus = g_ptr_array_new_with_free_func(xensimUsbDevFree);
    }
    return xensimUsbBus;
}

static XensimUsbDev *
xensimUsbFind(XensimState *state, guint bus, guint addr)
{
    GPtrArray *devs = xensimUsbDevices(state);
    guint i;

    for (i = 0; i < devs->len; i++) {
        XensimUsbDev *udev = g_ptr_array_index(devs, i);

        if (udev->bus == bus && udev->addr == addr)
            return udev;
    }
    return NULL;
}

static char *
xensimUsbBusid(guint bus, guint addr)
{
    return g_strdup_printf("%u-%u", bus, addr);
}

static char *
xensimUsbLibxlPath(guint32 domid, int devid)
{
    return g_strdup_printf("/libxl/%u/device/vusb/%d", domid, devid);
}

/* where a controller's usb-ver, num-ports and ports are; NULL: none */
static char *
xensimUsbCtrlBase(XensimState *state, guint32 domid, int devid)
{
    g_autofree char *lp = xensimUsbLibxlPath(domid, devid);
    g_autofree char *tp = g_strdup_printf("%s/type", lp);
    g_autofree char *bp = g_strdup_printf("%s/backend", lp);
    const char *type = xensimStoreRead(state->store, tp);
    const char *be = xensimStoreRead(state->store, bp);

    if (!type)
        return NULL;
    if (strcmp(type, "devicemodel") == 0)
        return g_steal_pointer(&lp);
    return be ? g_strdup(be) : NULL;
}

static int
xensimUsbReadInt(XensimState *state, const char *base, const char *node)
{
    g_autofree char *p = g_strdup_printf("%s/%s", base, node);
    const char *v = xensimStoreRead(state->store, p);

    return v ? atoi(v) : -1;
}

static void
xensimUsbWrite(XensimState *state, const char *base, const char *node, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
static void
xensimUsbWrite(XensimState *state, const char *base, const char *node, const char *fmt, ...)
{
    g_autofree char *p = g_strdup_printf("%s/%s", base, node);
    g_autofree char *v = NULL;
    va_list ap;

    va_start(ap, fmt);
    v = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xensimStoreWrite(state->store, p, v);
}

/* the devids of a domain's controllers, in order */
static GArray *
xensimUsbCtrlIds(XensimState *state, guint32 domid)
{
    g_autofree char *dir = g_strdup_printf("/libxl/%u/device/vusb", domid);
    g_auto(GStrv) ids = xensimStoreDirectory(state->store, dir);
    GArray *out = g_array_new(FALSE, FALSE, sizeof(int));
    size_t i;

    for (i = 0; ids && ids[i]; i++) {
        int id = atoi(ids[i]);

        g_array_append_val(out, id);
    }
    return out;
}

/* the port of some domain's controller that holds @busid */
static bool
xensimUsbAssigned(XensimState *state, const char *busid, guint32 *domid)
{
    g_auto(GStrv) doms = xensimStoreDirectory(state->store, "/libxl");
    size_t i;

    for (i = 0; doms && doms[i]; i++) {
        guint32 d = atoi(doms[i]);
        g_autoptr(GArray) ids = xensimUsbCtrlIds(state, d);
        guint j;

        for (j = 0; j < ids->len; j++) {
            g_autofree char *base = xensimUsbCtrlBase(state, d, g_array_index(ids, int, j));
            int n = base ? xensimUsbReadInt(state, base, "num-ports") : 0;
            int port;

            for (port = 1; port <= n; port++) {
                g_autofree char *p = g_strdup_printf("%s/port/%d", base, port);

                if (g_strcmp0(xensimStoreRead(state->store, p), busid) == 0) {
                    if (domid)
                        *domid = d;
                    return true;
                }
            }
        }
    }
    return false;
}

/* libxl__device_usbctrl_setdefault; 0 or ERROR_INVAL with a message */
static int
xensimUsbCtrlDefaults(XensimDomain *dom, char **type, int *version, int *ports,
                      char **message)
{
    if (!*type || strcmp(*type, "auto") == 0) {
        g_free(*type);
        *type = g_strdup(dom->type == XENSIM_DOMAIN_TYPE_HVM ? "devicemodel" : "qusb");
    }
    if (strcmp(*type, "pv") == 0 || strcmp(*type, "qusb") == 0) {
        if (!*version)
            *version = 2;
        if (*version < 1 || *version > 2) {
            *message = g_strdup("USB version for paravirtualized devices must be 1 or 2");
            return ERROR_INVAL;
        }
        if (!*ports)
            *ports = 8;
        if (*ports < 1 || *ports > XENSIM_USB_MAX_PORTNR) {
            *message = g_strdup_printf("Number of ports for USB controller is limited to %u",
                                       XENSIM_USB_MAX_PORTNR);
            return ERROR_INVAL;
        }
    } else if (strcmp(*type, "devicemodel") == 0) {
        if (!*version)
            *version = 2;
        if (*version == 1 || *version == 2) {
            int fixed = *version == 1 ? 2 : 6;

            if (*ports && *ports != fixed) {
                *message = g_strdup_printf("Number of ports for USB controller of version "
                                           "%d is always %d", *version, fixed);
                return ERROR_INVAL;
            }
            *ports = fixed;
        } else if (*version == 3) {
            if (!*ports)
                *ports = 8;
            if (*ports > 15) {
                *message = g_strdup("Number of ports for USB controller of version 3 "
                                    "is limited to 15");
                return ERROR_INVAL;
            }
        } else {
            *message = g_strdup("Illegal USB version");
            return ERROR_INVAL;
        }
    } else {
        *message = g_strdup_printf("unknown USB controller type '%s'", *type);
        return ERROR_INVAL;
    }
    return 0;
}

/* libxl__device_usbctrl_add_xenstore, connected */
static void
xensimUsbCtrlMake(XensimState *state, XensimDomain *dom, int devid, const char *type,
                  int version, int ports)
{
    g_autofree char *lp = xensimUsbLibxlPath(dom->domid, devid);
    g_autofree char *base = NULL;
    int i;

    xensimUsbWrite(state, lp, "type", "%s", type);
    if (strcmp(type, "devicemodel") == 0) {
        base = g_strdup(lp);
    } else {
        g_autofree char *fe = g_strdup_printf("/local/domain/%u/device/vusb/%d",
                                              dom->domid, devid);

        base = g_strdup_printf("/local/domain/0/backend/%s/%u/%d",
                               strcmp(type, "pv") == 0 ? "vusb" : "qusb", dom->domid, devid);
        xensimUsbWrite(state, lp, "frontend", "%s", fe);
        xensimUsbWrite(state, lp, "backend", "%s", base);
        xensimUsbWrite(state, base, "frontend", "%s", fe);
        xensimUsbWrite(state, base, "frontend-id", "%u", dom->domid);
        xensimUsbWrite(state, base, "online", "1");
        xensimUsbWrite(state, base, "state", "4");
        xensimUsbWrite(state, base, "type", "%s", type);
        xensimUsbWrite(state, fe, "backend", "%s", base);
        xensimUsbWrite(state, fe, "backend-id", "0");
        xensimUsbWrite(state, fe, "state", "4");
    }
    xensimUsbWrite(state, base, "usb-ver", "%d", version);
    xensimUsbWrite(state, base, "num-ports", "%d", ports);
    xensimUsbWrite(state, base, "port", "%s", "");
    for (i = 1; i <= ports; i++) {
        g_autofree char *node = g_strdup_printf("port/%d", i);

        xensimUsbWrite(state, base, node, "%s", "");
    }
}

static int
xensimUsbNextDevid(XensimState *state, guint32 domid)
{
    g_autoptr(GArray) ids = xensimUsbCtrlIds(state, domid);
    int devid = 0;
    guint i;

    for (i = 0; i < ids->len; i++)
        devid = MAX(devid, g_array_index(ids, int, i) + 1);
    return devid;
}

static int
xensimUsbArgInt(XensimCall *call, guint i, int dflt)
{
    return i < call->nargs && *call->args[i] ? atoi(call->args[i]) : dflt;
}

/* args: domid, devid (-1: the next), type (auto, pv, qusb, devicemodel),
 * version, ports (0: the default); record: devid, type, version, ports */
int
xensimCmdUsbctrlAdd(XensimCall *call)
{
    XensimState *state = call->state;
    XensimDomain *dom;
    g_autofree char *type = NULL;
    g_autofree char *base = NULL;
    int devid, version, ports, rc;
    XensimRec r;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    devid = xensimUsbArgInt(call, 1, -1);
    type = g_strdup(call->nargs > 2 ? call->args[2] : "auto");
    version = xensimUsbArgInt(call, 3, 0);
    ports = xensimUsbArgInt(call, 4, 0);
    if ((rc = xensimUsbCtrlDefaults(dom, &type, &version, &ports, &call->message)))
        return rc;
    if (devid < 0)
        devid = xensimUsbNextDevid(state, dom->domid);
    if ((base = xensimUsbCtrlBase(state, dom->domid, devid))) {
        call->message = g_strdup_printf("Domain %u:device already exists in xenstore",
                                        dom->domid);
        return ERROR_DEVICE_EXISTS;
    }
    xensimUsbCtrlMake(state, dom, devid, type, version, ports);
    xensimStateLog(state, "domain %u (%s): USB controller %d (%s, USB %d, %d ports) added",
                   dom->domid, dom->name, devid, type, version, ports);
    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "devid", devid);
    xensimRecStr(&r, "type", type);
    xensimRecU64(&r, "version", version);
    xensimRecU64(&r, "ports", ports);
    xensimRecClose(&r);
    return 0;
}

static void
xensimUsbCtrlDelete(XensimState *state, guint32 domid, int devid)
{
    g_autofree char *lp = xensimUsbLibxlPath(domid, devid);
    g_autofree char *base = xensimUsbCtrlBase(state, domid, devid);
    g_autofree char *fe = g_strdup_printf("/local/domain/%u/device/vusb/%d", domid, devid);

    if (base && strcmp(base, lp) != 0)
        xensimStoreRm(state->store, base);
    xensimStoreRm(state->store, fe);
    xensimStoreRm(state->store, lp);
}

/* args: domid, devid: the controller and the devices in its ports go */
int
xensimCmdUsbctrlRemove(XensimCall *call)
{
    XensimState *state = call->state;
    g_autofree char *base = NULL;
    XensimDomain *dom;
    int devid, rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    devid = xensimUsbArgInt(call, 1, -1);
    if (!(base = xensimUsbCtrlBase(state, dom->domid, devid))) {
        call->message = g_strdup_printf("Domain %u:no USB controller %d", dom->domid, devid);
        return ERROR_NOTFOUND;
    }
    xensimUsbCtrlDelete(state, dom->domid, devid);
    xensimStateLog(state, "domain %u (%s): USB controller %d removed, with its devices",
                   dom->domid, dom->name, devid);
    return 0;
}

/* args: domid; records: devid, type, version, ports */
int
xensimCmdUsbctrlList(XensimCall *call)
{
    XensimState *state = call->state;
    g_autoptr(GArray) ids = NULL;
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    ids = xensimUsbCtrlIds(state, dom->domid);
    for (i = 0; i < ids->len; i++) {
        int devid = g_array_index(ids, int, i);
        g_autofree char *lp = xensimUsbLibxlPath(dom->domid, devid);
        g_autofree char *tp = g_strdup_printf("%s/type", lp);
        g_autofree char *base = xensimUsbCtrlBase(state, dom->domid, devid);
        XensimRec r;

        if (!base)
            continue;
        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "devid", devid);
        xensimRecStr(&r, "type", xensimStoreRead(state->store, tp));
        xensimRecU64(&r, "version", xensimUsbReadInt(state, base, "usb-ver"));
        xensimRecU64(&r, "ports", xensimUsbReadInt(state, base, "num-ports"));
        if (strcmp(base, lp) != 0)
            xensimRecStr(&r, "backend", base);
        xensimRecClose(&r);
    }
    return 0;
}

/* the first free port of @devid, 0 if none */
static int
xensimUsbFreePort(XensimState *state, const char *base)
{
    int n = xensimUsbReadInt(state, base, "num-ports");
    int port;

    for (port = 1; port <= n; port++) {
        g_autofree char *p = g_strdup_printf("%s/port/%d", base, port);

        if (g_strcmp0(xensimStoreRead(state->store, p), "") == 0)
            return port;
    }
    return 0;
}

/* libxl__device_usbdev_add's checks of the host device */
static int
xensimUsbCheckDevice(XensimState *state, guint32 domid, guint bus, guint addr,
                     char **message)
{
    XensimUsbDev *udev = xensimUsbFind(state, bus, addr);
    g_autofree char *busid = xensimUsbBusid(bus, addr);

    if (!udev || udev->cls == XENSIM_USB_HUB_CLASS) {
        *message = g_strdup_printf("Domain %u:USB device is not assignable.", domid);
        return ERROR_FAIL;
    }
    if (xensimUsbAssigned(state, busid, NULL)) {
        *message = g_strdup_printf("Domain %u:USB device already attached to a domain", domid);
        return ERROR_INVAL;
    }
    return 0;
}

/* libxl__device_usbdev_setdefault and the add: @ctrl -1 (any), @port 0
 * (any); the port it went to */
static int
xensimUsbPlug(XensimState *state, XensimDomain *dom, guint bus, guint addr,
              int *ctrl, int *port, char **message)
{
    g_autofree char *busid = xensimUsbBusid(bus, addr);
    g_autofree char *base = NULL;
    g_autofree char *node = NULL;

    if (*ctrl < 0) {
        g_autoptr(GArray) ids = xensimUsbCtrlIds(state, dom->domid);
        guint i;

        if (*port) {
            *message = g_strdup_printf("Domain %u:USB controller must be specified if "
                                       "you specify port", dom->domid);
            return ERROR_INVAL;
        }
        for (i = 0; i < ids->len && !*port; i++) {
            g_free(base);
            base = xensimUsbCtrlBase(state, dom->domid, g_array_index(ids, int, i));
            if (base && (*port = xensimUsbFreePort(state, base)))
                *ctrl = g_array_index(ids, int, i);
        }
        if (!*port) {
            /* a new controller, libxl's defaults */
            g_autofree char *type = NULL;
            int version = 0, ports = 0;
            int rc;

            if ((rc = xensimUsbCtrlDefaults(dom, &type, &version, &ports, message)))
                return rc;
            *ctrl = xensimUsbNextDevid(state, dom->domid);
            xensimUsbCtrlMake(state, dom, *ctrl, type, version, ports);
            *port = 1;
        }
        g_free(base);
        base = xensimUsbCtrlBase(state, dom->domid, *ctrl);
    } else {
        if (!(base = xensimUsbCtrlBase(state, dom->domid, *ctrl))) {
            *message = g_strdup_printf("Domain %u:no USB controller %d", dom->domid, *ctrl);
            return ERROR_NOTFOUND;
        }
        if (*port) {
            g_autofree char *p = g_strdup_printf("%s/port/%d", base, *port);
            const char *v = xensimStoreRead(state->store, p);

            if (!v || *v) {
                *message = g_strdup_printf("Domain %u:The controller port isn't available",
                                           dom->domid);
                return ERROR_FAIL;
            }
        } else if (!(*port = xensimUsbFreePort(state, base))) {
            *message = g_strdup_printf("Domain %u:No available port under specified "
                                       "controller", dom->domid);
            return ERROR_FAIL;
        }
    }
    node = g_strdup_printf("port/%d", *port);
    xensimUsbWrite(state, base, node, "%s", busid);
    return 0;
}

/* args: domid, bus, addr, ctrl (-1), port (0); record: ctrl, port */
int
xensimCmdUsbdevAdd(XensimCall *call)
{
    XensimState *state = call->state;
    XensimDomain *dom;
    guint bus, addr;
    int ctrl, port, rc;
    XensimRec r;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    bus = xensimUsbArgInt(call, 1, 0);
    addr = xensimUsbArgInt(call, 2, 0);
    ctrl = xensimUsbArgInt(call, 3, -1);
    port = xensimUsbArgInt(call, 4, 0);
    if ((rc = xensimUsbCheckDevice(state, dom->domid, bus, addr, &call->message)))
        return rc;
    if ((rc = xensimUsbPlug(state, dom, bus, addr, &ctrl, &port, &call->message)))
        return rc;
    xensimStateLog(state, "domain %u (%s): USB device %u.%u on controller %d port %d",
                   dom->domid, dom->name, bus, addr, ctrl, port);
    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "ctrl", ctrl);
    xensimRecU64(&r, "port", port);
    xensimRecClose(&r);
    return 0;
}

/* args: domid, ctrl, port */
int
xensimCmdUsbdevRemove(XensimCall *call)
{
    XensimState *state = call->state;
    g_autofree char *base = NULL;
    g_autofree char *node = NULL;
    XensimDomain *dom;
    int ctrl, port, rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    ctrl = xensimUsbArgInt(call, 1, -1);
    port = xensimUsbArgInt(call, 2, 0);
    if (ctrl < 0 || port < 1) {
        call->message = g_strdup_printf("Domain %u:Invalid USB device", dom->domid);
        return ERROR_FAIL;
    }
    if (!(base = xensimUsbCtrlBase(state, dom->domid, ctrl))) {
        call->message = g_strdup_printf("Domain %u:no USB controller %d", dom->domid, ctrl);
        return ERROR_NOTFOUND;
    }
    node = g_strdup_printf("port/%d", port);
    xensimUsbWrite(state, base, node, "%s", "");
    xensimStateLog(state, "domain %u (%s): USB controller %d port %d emptied",
                   dom->domid, dom->name, ctrl, port);
    return 0;
}

/* args: domid; records: ctrl, port, bus, addr */
int
xensimCmdUsbdevList(XensimCall *call)
{
    XensimState *state = call->state;
    g_autoptr(GArray) ids = NULL;
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    ids = xensimUsbCtrlIds(state, dom->domid);
    for (i = 0; i < ids->len; i++) {
        int devid = g_array_index(ids, int, i);
        g_autofree char *base = xensimUsbCtrlBase(state, dom->domid, devid);
        int n = base ? xensimUsbReadInt(state, base, "num-ports") : 0;
        int port;

        for (port = 1; port <= n; port++) {
            g_autofree char *p = g_strdup_printf("%s/port/%d", base, port);
            const char *busid = xensimStoreRead(state->store, p);
            guint bus, addr;
            XensimRec r;

            if (!busid || sscanf(busid, "%u-%u", &bus, &addr) != 2)
                continue;
            xensimRecOpen(&r, call->records);
            xensimRecU64(&r, "ctrl", devid);
            xensimRecU64(&r, "port", port);
            xensimRecU64(&r, "bus", bus);
            xensimRecU64(&r, "addr", addr);
            xensimRecClose(&r);
        }
    }
    return 0;
}

/* xensimctl usb-list */
int
xensimCmdUsbHost(XensimCall *call)
{
    GPtrArray *devs = xensimUsbDevices(call->state);
    guint i;

    for (i = 0; i < devs->len; i++) {
        XensimUsbDev *udev = g_ptr_array_index(devs, i);
        g_autofree char *busid = xensimUsbBusid(udev->bus, udev->addr);
        g_autofree char *addr = g_strdup_printf("%03u.%03u", udev->bus, udev->addr);
        guint32 domid;
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecStr(&r, "addr", addr);
        xensimRecStr(&r, "ids", udev->ids);
        xensimRecU64(&r, "class", udev->cls);
        xensimRecValue(&r, "domid", g_variant_new_int64(
                           xensimUsbAssigned(call->state, busid, &domid) ? (gint64)domid : -1));
        xensimRecClose(&r);
    }
    return 0;
}

int
xensimUsbCreateCheck(XensimState *state, GPtrArray *usbdevs, char **message)
{
    guint i, j;
    int rc;

    for (i = 0; i < usbdevs->len; i++) {
        guint bus = 0, addr = 0, b2, a2;
        int ctrl, port;

        sscanf(g_ptr_array_index(usbdevs, i), "%d %d %u %u", &ctrl, &port, &bus, &addr);
        for (j = 0; j < i; j++) {
            if (sscanf(g_ptr_array_index(usbdevs, j), "%*d %*d %u %u", &b2, &a2) == 2 &&
                b2 == bus && a2 == addr) {
                *message = g_strdup_printf("USB device %u.%u is given twice", bus, addr);
                return ERROR_INVAL;
            }
        }
        if ((rc = xensimUsbCheckDevice(state, state->next_domid, bus, addr, message)))
            return rc;
    }
    return 0;
}

void
xensimUsbCreateAssign(XensimState *state, XensimDomain *dom,
                      GPtrArray *usbctrls, GPtrArray *usbdevs)
{
    guint i;

    for (i = 0; i < usbctrls->len; i++) {
        g_auto(GStrv) f = g_strsplit(g_ptr_array_index(usbctrls, i), " ", 4);
        g_autofree char *type = g_strdup(f[0] && f[1] ? f[1] : "auto");
        g_autofree char *message = NULL;
        int version = f[0] && f[1] && f[2] ? atoi(f[2]) : 0;
        int ports = f[0] && f[1] && f[2] && f[3] ? atoi(f[3]) : 0;

        if (xensimUsbCtrlDefaults(dom, &type, &version, &ports, &message) == 0)
            xensimUsbCtrlMake(state, dom, atoi(f[0]), type, version, ports);
    }
    for (i = 0; i < usbdevs->len; i++) {
        g_autofree char *message = NULL;
        guint bus = 0, addr = 0;
        int ctrl = -1, port = 0;

        sscanf(g_ptr_array_index(usbdevs, i), "%d %d %u %u", &ctrl, &port, &bus, &addr);
        if (xensimUsbPlug(state, dom, bus, addr, &ctrl, &port, &message))
            xensimStateLog(state, "domain %u: USB device %u.%u: %s", dom->domid,
                           bus, addr, message);
    }
}

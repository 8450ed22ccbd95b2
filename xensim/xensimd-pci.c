/*
 * xensimd-pci.c: the simulated host's PCI bus, pciback and PCI passthrough
 *
 * The host's PCI devices come from the pci_devices key (README.md): each
 * has an address (BDF), ids, a class and the Domain-0 driver it is bound
 * to.  As libxl 4.17 (tools/libs/light/libxl_pci.c) does on a real host:
 *
 * - libxl_device_pci_assignable_add unbinds the device from its driver
 *   and binds it to pciback (Xen quarantines it); with rebind set, the
 *   driver it was bound to is remembered in xenstore,
 *   /libxl/pci/DDDD-BB-SS-F/driver_path, for _remove to bind it back.
 * - libxl_device_pci_assignable_list: the devices bound to pciback that
 *   no domain has (/libxl/pci/BDF/domid unset).
 * - libxl_device_pci_add: the device must be assignable ("PCI device
 *   ... is not assignable"; an HVM guest's is checked by Xen first: "...
 *   already assigned to a different guest?"); it then belongs to the
 *   domain (/libxl/pci/BDF/domid) and appears in the domain's pciback
 *   device (backend num_devs, key-N, dev-N, opts-N, state-N; frontend
 *   device/pci/0).  _remove and _destroy give it back to the quarantine
 *   (assignable again); so does the domain's death.
 *
 * xensim never touches the real devices: the bus is its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>

#include "xensim-proto.h"
#include "xensimd-pci.h"

#define XENSIM_PCI_INFO "/libxl/pci"
#define XENSIM_PCIBACK "pciback"

/* the host's bus, made from pci_devices at first use (one host a daemon) */
static GPtrArray *xensimPciBus;

static char *
xensimPciBdf(guint domain, guint bus, guint dev, guint func)
{
    return g_strdup_printf("%04x:%02x:%02x.%01x", domain, bus, dev, func);
}

/* libxl's PCI_INFO_PATH/PCI_BDF_XSPATH[/NODE] */
static char *
xensimPciInfoPath(const XensimPciDev *pdev, const char *node)
{
    return g_strdup_printf(XENSIM_PCI_INFO "/%04x-%02x-%02x-%01x%s%s",
                           pdev->domain, pdev->bus, pdev->dev, pdev->func,
                           node ? "/" : "", node ? node : "");
}

static GPtrArray *
xensimPciDevices(XensimState *state)
{
    if (!xensimPciBus) {
        g_autofree char *err = NULL;

        /* checked when the key was set */
        if (xensimPciParseDevices(state->host.pci_devices, &xensimPciBus, &err) < 0)
            xensimPciBus = g_ptr_array_new_with_free_func(xensimPciDevFree);
    }
    return xensimPciBus;
}

static XensimPciDev *
xensimPciFind(XensimState *state, guint domain, guint bus, guint dev, guint func)
{
    GPtrArray *devs = xensimPciDevices(state);
    guint i;

    for (i = 0; i < devs->len; i++) {
        XensimPciDev *pdev = g_ptr_array_index(devs, i);

        if (pdev->domain == domain && pdev->bus == bus &&
            pdev->dev == dev && pdev->func == func)
            return pdev;
    }
    return NULL;
}

static const char *xensimPciInfoRead(XensimState *state, const XensimPciDev *pdev,
                                     const char *node);

/* args[i]: a BDF the host has (else libxl's lstat of its sysfs node
 * fails), or name=NAME, a name given at assignable_add (libxl's name2bdf) */
static int
xensimPciArgDev(XensimCall *call, guint i, XensimPciDev **pdev)
{
    guint domain, bus, dev, func;

    if (i < call->nargs && g_str_has_prefix(call->args[i], "name=")) {
        GPtrArray *devs = xensimPciDevices(call->state);
        guint j;

        for (j = 0; j < devs->len; j++) {
            *pdev = g_ptr_array_index(devs, j);
            if (g_strcmp0(xensimPciInfoRead(call->state, *pdev, "name"),
                          call->args[i] + 5) == 0)
                return 0;
        }
        call->message = g_strdup_printf("no PCI device is named '%s'", call->args[i] + 5);
        return ERROR_NOTFOUND;
    }
    if (i >= call->nargs ||
        !xensimPciParseBdf(call->args[i], &domain, &bus, &dev, &func)) {
        call->message = g_strdup("a PCI address DDDD:BB:SS.F is expected");
        return ERROR_INVAL;
    }
    if (!(*pdev = xensimPciFind(call->state, domain, bus, dev, func))) {
        call->message = g_strdup_printf("Couldn't lstat /sys/bus/pci/devices/%04x:%02x:%02x.%01x: "
                                        "No such file or directory",
                                        domain, bus, dev, func);
        return ERROR_FAIL;
    }
    return 0;
}

static const char *
xensimPciInfoRead(XensimState *state, const XensimPciDev *pdev, const char *node)
{
    g_autofree char *path = xensimPciInfoPath(pdev, node);

    return xensimStoreRead(state->store, path);
}

static void
xensimPciInfoWrite(XensimState *state, const XensimPciDev *pdev, const char *node,
                   const char *value)
{
    g_autofree char *path = xensimPciInfoPath(pdev, node);

    xensimStoreWrite(state->store, path, value);
}

static void
xensimPciInfoRemove(XensimState *state, const XensimPciDev *pdev, const char *node)
{
    g_autofree char *path = xensimPciInfoPath(pdev, node);

    xensimStoreRm(state->store, path);
}

static bool
xensimPciOnPciback(const XensimPciDev *pdev)
{
    return g_strcmp0(pdev->driver, XENSIM_PCIBACK) == 0;
}

/* the domain a device belongs to, or -1 */
static gint64
xensimPciOwner(XensimState *state, const XensimPciDev *pdev)
{
    const char *domid = xensimPciInfoRead(state, pdev, "domid");

    return domid ? (gint64)g_ascii_strtoull(domid, NULL, 10) : -1;
}

static bool
xensimPciAssignable(XensimState *state, const XensimPciDev *pdev)
{
    return xensimPciOnPciback(pdev) && xensimPciOwner(state, pdev) < 0;
}

/* libxl__device_pci_assignable_add: bound to pciback, quarantined */
static void
xensimPciMakeAssignable(XensimState *state, XensimPciDev *pdev, bool rebind)
{
    g_autofree char *bdf = xensimPciBdf(pdev->domain, pdev->bus, pdev->dev, pdev->func);

    if (xensimPciOnPciback(pdev)) {
        xensimStateLog(state, "%s already assigned to pciback", bdf);
    } else {
        if (rebind) {
            if (pdev->driver) {
                g_autofree char *path = g_strdup_printf("/sys/bus/pci/drivers/%s",
                                                        pdev->driver);

                xensimPciInfoWrite(state, pdev, "driver_path", path);
            } else if (xensimPciInfoRead(state, pdev, "driver_path")) {
                xensimStateLog(state, "%s not bound to a driver, will be rebound to %s",
                               bdf, xensimPciInfoRead(state, pdev, "driver_path"));
            } else {
                xensimStateLog(state, "%s not bound to a driver, will not be rebound.", bdf);
            }
        } else {
            xensimPciInfoRemove(state, pdev, "driver_path");
        }
        g_free(pdev->driver);
        pdev->driver = g_strdup(XENSIM_PCIBACK);
        xensimStateLog(state, "%s: bound to pciback, quarantined", bdf);
    }
}

/* args: BDF, rebind (0/1), [name] */
int
xensimCmdPciAssignableAdd(XensimCall *call)
{
    XensimState *state = call->state;
    XensimPciDev *pdev;
    const char *name = call->nargs > 2 && *call->args[2] ? call->args[2] : NULL;
    int rc;

    if ((rc = xensimPciArgDev(call, 0, &pdev)))
        return rc;
    if (name && (strlen(name) > 64 || strpbrk(name, " \t\n"))) {
        call->message = g_strdup(strlen(name) > 64 ? "Name too long" :
                                 "Names may only include printable characters");
        return ERROR_FAIL;
    }
    xensimPciMakeAssignable(state, pdev, call->nargs > 1 && strcmp(call->args[1], "0") != 0);
    if (name)
        xensimPciInfoWrite(state, pdev, "name", name);
    else
        xensimPciInfoRemove(state, pdev, "name");
    return 0;
}

/* args: BDF, rebind (0/1) */
int
xensimCmdPciAssignableRemove(XensimCall *call)
{
    XensimState *state = call->state;
    g_autofree char *bdf = NULL;
    g_autofree char *driver_path = NULL;
    XensimPciDev *pdev;
    bool rebind = call->nargs > 1 && strcmp(call->args[1], "0") != 0;
    int rc;

    if ((rc = xensimPciArgDev(call, 0, &pdev)))
        return rc;
    bdf = xensimPciBdf(pdev->domain, pdev->bus, pdev->dev, pdev->func);

    /* Xen gives back only a quarantined device (not a guest's) */
    if (!xensimPciOnPciback(pdev) || xensimPciOwner(state, pdev) >= 0) {
        call->message = g_strdup_printf("failed to de-quarantine %s", bdf);
        return ERROR_FAIL;
    }
    g_clear_pointer(&pdev->driver, g_free);

    driver_path = g_strdup(xensimPciInfoRead(state, pdev, "driver_path"));
    if (driver_path && rebind) {
        pdev->driver = g_path_get_basename(driver_path);
        xensimPciInfoRemove(state, pdev, "driver_path");
        xensimStateLog(state, "%s: rebound to driver at %s", bdf, driver_path);
    } else if (rebind) {
        xensimStateLog(state, "%s: Couldn't find path for original driver; not rebinding",
                       bdf);
    }
    xensimPciInfoRemove(state, pdev, "name");
    /* the /libxl/pci/BDF directory goes with its last node */
    if (!xensimPciInfoRead(state, pdev, "driver_path")) {
        g_autofree char *path = xensimPciInfoPath(pdev, NULL);

        xensimStoreRm(state->store, path);
    }
    return 0;
}

int
xensimCmdPciAssignableList(XensimCall *call)
{
    GPtrArray *devs = xensimPciDevices(call->state);
    guint i;

    for (i = 0; i < devs->len; i++) {
        XensimPciDev *pdev = g_ptr_array_index(devs, i);
        const char *name;
        XensimRec r;

        if (!xensimPciAssignable(call->state, pdev))
            continue;
        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "domain", pdev->domain);
        xensimRecU64(&r, "bus", pdev->bus);
        xensimRecU64(&r, "dev", pdev->dev);
        xensimRecU64(&r, "func", pdev->func);
        if ((name = xensimPciInfoRead(call->state, pdev, "name")))
            xensimRecStr(&r, "name", name);
        xensimRecClose(&r);
    }
    return 0;
}

/* xensimctl pci-list: the bus as the host sees it */
int
xensimCmdPciHost(XensimCall *call)
{
    GPtrArray *devs = xensimPciDevices(call->state);
    guint i;

    for (i = 0; i < devs->len; i++) {
        XensimPciDev *pdev = g_ptr_array_index(devs, i);
        g_autofree char *bdf = xensimPciBdf(pdev->domain, pdev->bus, pdev->dev, pdev->func);
        const char *path;
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecStr(&r, "bdf", bdf);
        xensimRecStr(&r, "ids", pdev->ids);
        xensimRecStr(&r, "class", pdev->cls);
        xensimRecStr(&r, "driver", pdev->driver ? pdev->driver : "-");
        xensimRecValue(&r, "domid", g_variant_new_int64(xensimPciOwner(call->state, pdev)));
        if ((path = xensimPciInfoRead(call->state, pdev, "driver_path")))
            xensimRecStr(&r, "driver_path", path);
        xensimRecClose(&r);
    }
    return 0;
}

/* ---- a domain's pciback device ------------------------------------ */

static char *
xensimPciBackend(guint32 domid, const char *node)
{
    return g_strdup_printf("/local/domain/0/backend/pci/%u/0%s%s", domid,
                           node ? "/" : "", node ? node : "");
}

/* the BDFs (and their opts) in the domain's backend, in order */
static GPtrArray *
xensimPciBackendList(XensimState *state, guint32 domid, GPtrArray **opts)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *p = xensimPciBackend(domid, "num_devs");
    const char *num = xensimStoreRead(state->store, p);
    guint n = num ? atoi(num) : 0;
    guint i;

    if (opts)
        *opts = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < n; i++) {
        g_autofree char *dk = g_strdup_printf("dev-%u", i);
        g_autofree char *ok = g_strdup_printf("opts-%u", i);
        g_autofree char *dp = xensimPciBackend(domid, dk);
        g_autofree char *op = xensimPciBackend(domid, ok);
        const char *dev = xensimStoreRead(state->store, dp);
        const char *o = xensimStoreRead(state->store, op);

        if (!dev)
            continue;
        g_ptr_array_add(list, g_strdup(dev));
        if (opts)
            g_ptr_array_add(*opts, g_strdup(o ? o : ""));
    }
    return list;
}

/* libxl_create_pci_backend_device: entry @num of the backend */
static void
xensimPciBackendWriteDev(XensimState *state, guint32 domid, guint num,
                         const char *bdf, const char *opts)
{
    static const char *const keys[] = { "key", "dev", "opts", "state" };
    size_t k;

    for (k = 0; k < G_N_ELEMENTS(keys); k++) {
        g_autofree char *node = g_strdup_printf("%s-%u", keys[k], num);
        g_autofree char *p = xensimPciBackend(domid, node);

        xensimStoreWrite(state->store, p,
                         k < 2 ? bdf : k == 2 ? opts : "1");
    }
}

/* the domain's pciback device holding @bdfs, as libxl leaves it once
 * pcifront connected; none left: the device goes */
static void
xensimPciBackendSet(XensimState *state, XensimDomain *dom, GPtrArray *bdfs, GPtrArray *opts)
{
    g_autofree char *be = xensimPciBackend(dom->domid, NULL);
    g_autofree char *fe = g_strdup_printf("/local/domain/%u/device/pci/0", dom->domid);
    guint i;

    xensimStoreRm(state->store, be);
    xensimStoreRm(state->store, fe);
    if (!bdfs->len)
        return;

#define W(base, key, ...) \
    do { \
        g_autofree char *path_ = g_strdup_printf("%s/%s", base, key); \
        g_autofree char *value_ = g_strdup_printf(__VA_ARGS__); \
        xensimStoreWrite(state->store, path_, value_); \
    } while (0)
    W(be, "frontend", "%s", fe);
    W(be, "frontend-id", "%u", dom->domid);
    W(be, "online", "1");
    W(be, "state", "4");
    W(be, "domain", "%s", dom->name);
    W(be, "num_devs", "%u", bdfs->len);
    W(fe, "backend", "%s", be);
    W(fe, "backend-id", "0");
    W(fe, "state", "4");
#undef W
    for (i = 0; i < bdfs->len; i++)
        xensimPciBackendWriteDev(state, dom->domid, i, g_ptr_array_index(bdfs, i),
                                 g_ptr_array_index(opts, i));
}

#define XENSIM_PCI_DEFAULT_OPTS "msitranslate=0,power_mgmt=0,permissive=0,rdm_policy=strict"

/* Xen's and libxl's checks before a device goes to a domain: 0, or the
 * error and its message */
static int
xensimPciCheckAssign(XensimState *state, guint32 domid, XensimDomainType type,
                     XensimPciDev *pdev, char **message)
{
    if (type == XENSIM_DOMAIN_TYPE_HVM && xensimPciOwner(state, pdev) >= 0) {
        /* xc_test_assign_device */
        *message = g_strdup_printf("Domain %u:PCI device %04x:%02x:%02x.%u "
                                   "already assigned to a different guest?",
                                   domid, pdev->domain, pdev->bus, pdev->dev, pdev->func);
        return ERROR_NONSPECIFIC;
    }
    if (!xensimPciAssignable(state, pdev)) {
        *message = g_strdup_printf("Domain %u:PCI device %x:%x:%x.%x is not assignable",
                                   domid, pdev->domain, pdev->bus, pdev->dev, pdev->func);
        return ERROR_FAIL;
    }
    return 0;
}

/* "BDF [OPTS]" */
static XensimPciDev *
xensimPciSpecDev(XensimState *state, const char *spec, char **opts)
{
    g_auto(GStrv) f = g_strsplit(spec, " ", 2);
    guint domain, bus, dev, func;

    if (opts)
        *opts = g_strdup(f[0] && f[1] ? f[1] : XENSIM_PCI_DEFAULT_OPTS);
    if (!f[0] || !xensimPciParseBdf(f[0], &domain, &bus, &dev, &func))
        return NULL;
    return xensimPciFind(state, domain, bus, dev, func);
}

int
xensimPciCreateCheck(XensimState *state, XensimDomainType type,
                     GPtrArray *pcis, char **message)
{
    guint i, j;
    int rc;

    for (i = 0; i < pcis->len; i++) {
        const char *spec = g_ptr_array_index(pcis, i);
        XensimPciDev *pdev = xensimPciSpecDev(state, spec, NULL);

        if (!pdev) {
            g_auto(GStrv) f = g_strsplit(spec, " ", 2);

            *message = g_strdup_printf("Couldn't lstat /sys/bus/pci/devices/%s: "
                                       "No such file or directory", f[0] ? f[0] : "");
            return ERROR_FAIL;
        }
        for (j = 0; j < i; j++) {
            if (xensimPciSpecDev(state, g_ptr_array_index(pcis, j), NULL) == pdev) {
                *message = g_strdup_printf("PCI device %04x:%02x:%02x.%u is given twice",
                                           pdev->domain, pdev->bus, pdev->dev, pdev->func);
                return ERROR_INVAL;
            }
        }
        /* the domid is not known yet: libxl's message names the new one */
        if ((rc = xensimPciCheckAssign(state, state->next_domid, type, pdev, message)))
            return rc;
    }
    return 0;
}

void
xensimPciCreateAssign(XensimState *state, XensimDomain *dom, GPtrArray *pcis)
{
    g_autoptr(GPtrArray) bdfs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) opts = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *domid = g_strdup_printf("%u", dom->domid);
    guint i;

    for (i = 0; i < pcis->len; i++) {
        char *o = NULL;
        XensimPciDev *pdev = xensimPciSpecDev(state, g_ptr_array_index(pcis, i), &o);

        g_ptr_array_add(opts, o);
        g_ptr_array_add(bdfs, xensimPciBdf(pdev->domain, pdev->bus, pdev->dev, pdev->func));
        xensimPciInfoWrite(state, pdev, "domid", domid);
    }
    xensimPciBackendSet(state, dom, bdfs, opts);
}

/* args: domid, BDF, [opts, [seize]] */
int
xensimCmdPciAdd(XensimCall *call)
{
    XensimState *state = call->state;
    g_autoptr(GPtrArray) bdfs = NULL;
    g_autoptr(GPtrArray) opts = NULL;
    g_autofree char *domid = NULL;
    XensimDomain *dom;
    XensimPciDev *pdev;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if ((rc = xensimPciArgDev(call, 1, &pdev)))
        return rc;
    if (dom->domid == 0 || dom->state == XENSIM_DOMAIN_DYING || dom->destroying) {
        call->message = g_strdup_printf("Domain %u:unable to add a PCI device to "
                                        "this domain", dom->domid);
        return ERROR_FAIL;
    }
    /* seize: libxl makes it assignable first (after Xen's check of an
     * HVM guest's device), to be rebound when it is given back */
    if (call->nargs > 3 && strcmp(call->args[3], "seize") == 0 &&
        !xensimPciOnPciback(pdev) &&
        !(dom->type == XENSIM_DOMAIN_TYPE_HVM && xensimPciOwner(state, pdev) >= 0))
        xensimPciMakeAssignable(state, pdev, true);
    if ((rc = xensimPciCheckAssign(state, dom->domid, dom->type, pdev, &call->message)))
        return rc;

    domid = g_strdup_printf("%u", dom->domid);
    xensimPciInfoWrite(state, pdev, "domid", domid);
    bdfs = xensimPciBackendList(state, dom->domid, &opts);
    g_ptr_array_add(bdfs, xensimPciBdf(pdev->domain, pdev->bus, pdev->dev, pdev->func));
    g_ptr_array_add(opts, g_strdup(call->nargs > 2 && *call->args[2] ?
                                   call->args[2] : XENSIM_PCI_DEFAULT_OPTS));
    xensimPciBackendSet(state, dom, bdfs, opts);
    xensimStateLog(state, "domain %u (%s): PCI device %s added", dom->domid, dom->name,
                   (char *)g_ptr_array_index(bdfs, bdfs->len - 1));
    return 0;
}

/* args: domid, BDF (libxl_device_pci_remove and _destroy) */
int
xensimCmdPciRemove(XensimCall *call)
{
    XensimState *state = call->state;
    g_autoptr(GPtrArray) bdfs = NULL;
    g_autoptr(GPtrArray) opts = NULL;
    g_autofree char *bdf = NULL;
    XensimDomain *dom;
    XensimPciDev *pdev;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if ((rc = xensimPciArgDev(call, 1, &pdev)))
        return rc;
    bdf = xensimPciBdf(pdev->domain, pdev->bus, pdev->dev, pdev->func);
    bdfs = xensimPciBackendList(state, dom->domid, &opts);
    for (i = 0; i < bdfs->len; i++) {
        if (strcmp(g_ptr_array_index(bdfs, i), bdf) == 0)
            break;
    }
    if (i == bdfs->len) {
        call->message = g_strdup_printf("Domain %u:PCI device not attached to this domain",
                                        dom->domid);
        return ERROR_INVAL;
    }
    g_ptr_array_remove_index(bdfs, i);
    g_ptr_array_remove_index(opts, i);
    xensimPciBackendSet(state, dom, bdfs, opts);
    /* back to the quarantine: assignable again */
    xensimPciInfoRemove(state, pdev, "domid");
    xensimStateLog(state, "domain %u (%s): PCI device %s removed", dom->domid, dom->name, bdf);
    return 0;
}

/* args: domid */
int
xensimCmdPciList(XensimCall *call)
{
    g_autoptr(GPtrArray) bdfs = NULL;
    g_autoptr(GPtrArray) opts = NULL;
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    bdfs = xensimPciBackendList(call->state, dom->domid, &opts);
    for (i = 0; i < bdfs->len; i++) {
        guint domain, bus, dev, func;
        XensimRec r;

        if (!xensimPciParseBdf(g_ptr_array_index(bdfs, i), &domain, &bus, &dev, &func))
            continue;
        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "domain", domain);
        xensimRecU64(&r, "bus", bus);
        xensimRecU64(&r, "dev", dev);
        xensimRecU64(&r, "func", func);
        xensimRecStr(&r, "opts", g_ptr_array_index(opts, i));
        xensimRecClose(&r);
    }
    return 0;
}

void
xensimPciDomainGone(XensimState *state, guint32 domid)
{
    GPtrArray *devs;
    guint i;

    if (!state)
        return;
    devs = xensimPciDevices(state);
    for (i = 0; i < devs->len; i++) {
        XensimPciDev *pdev = g_ptr_array_index(devs, i);

        if (xensimPciOwner(state, pdev) == domid) {
            xensimPciInfoRemove(state, pdev, "domid");
            xensimStateLog(state, "domain %u: PCI device %04x:%02x:%02x.%01x back "
                           "in quarantine", domid, pdev->domain, pdev->bus,
                           pdev->dev, pdev->func);
        }
    }
}

/*
 * libxl_hostdev.c: host PCI devices: pciback, passthrough, bookkeeping
 *
 * A PCI device reaches a domain through pciback: libxl makes it
 * assignable (libxl_device_pci_assignable_add binds it to pciback, the
 * driver it had remembered for the way back) and gives it to a domain
 * (libxl_device_pci_add, or the domain's configuration at start).
 * nodedev-detach and nodedev-reattach are libxl's assignable add and
 * remove, with rebind; a <hostdev managed='yes'> is made assignable when
 * its domain gets it and given back to the host when the domain lets it
 * go; an unmanaged one must be assignable already.
 *
 * libvirt's virHostdevManager cannot be used here: it binds and resets
 * devices through Domain-0's sysfs itself, behind libxl's back.  The
 * bookkeeping that a device never goes to two domains is this file's own
 * table, address -> domain, filled as domains start, get and lose
 * devices, emptied as they stop, and rebuilt from the running domains'
 * definitions when the daemon restarts.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "datatypes.h"
#include "driver.h"
#include "viraccessapicheck.h"
#include "virerror.h"
#include "virlog.h"
#include "domain_driver.h"
#include "domain_event.h"
#include "node_device_conf.h"
#include "libxl_build.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_hostdev.h"
#include "libxl_logger.h"
#include "libxl_process.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_hostdev");


/* ---- bookkeeping -------------------------------------------------- */

/* "DDDD:BB:SS.F" -> the name of the domain that has the device */
static GHashTable *libxlHostdevOwners;
static GMutex libxlHostdevLock;

static char *
libxlHostdevAddrStr(const virPCIDeviceAddress *addr)
{
    return g_strdup_printf(VIR_PCI_DEVICE_ADDRESS_FMT, addr->domain, addr->bus,
                           addr->slot, addr->function);
}

static bool
libxlHostdevIsPCI(const virDomainHostdevDef *hostdev)
{
    return hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS &&
           hostdev->source.subsys.type == VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI;
}

static const virPCIDeviceAddress *
libxlHostdevAddr(const virDomainHostdevDef *hostdev)
{
    return &hostdev->source.subsys.u.pci.addr;
}

/* The domain that has @addr, or NULL (a copy). */
static char *
libxlHostdevOwner(const virPCIDeviceAddress *addr)
{
    g_autofree char *key = libxlHostdevAddrStr(addr);
    char *owner = NULL;

    g_mutex_lock(&libxlHostdevLock);
    if (libxlHostdevOwners)
        owner = g_strdup(g_hash_table_lookup(libxlHostdevOwners, key));
    g_mutex_unlock(&libxlHostdevLock);
    return owner;
}

/*
 * libxlHostdevClaim:
 * Record that domain @name has @addr; a device another domain has is
 * refused, as libvirt's hostdev manager refuses it.  With @force (a
 * domain found running at a daemon's restart) it is recorded anyway.
 */
static int
libxlHostdevClaim(const virPCIDeviceAddress *addr, const char *name, bool force)
{
    g_autofree char *key = libxlHostdevAddrStr(addr);
    const char *owner;
    int ret = -1;

    g_mutex_lock(&libxlHostdevLock);
    if (!libxlHostdevOwners)
        libxlHostdevOwners = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                   g_free, g_free);
    owner = g_hash_table_lookup(libxlHostdevOwners, key);
    if (owner && STRNEQ(owner, name) && !force) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("PCI device %s is in use by driver %s, domain %s"),
                       key, LIBXL_DRIVER_INTERNAL_NAME, owner);
        goto cleanup;
    }
    if (owner && STRNEQ(owner, name))
        VIR_WARN("PCI device %s is in use by domains %s and %s", key, owner, name);
    g_hash_table_insert(libxlHostdevOwners, g_steal_pointer(&key), g_strdup(name));
    ret = 0;

 cleanup:
    g_mutex_unlock(&libxlHostdevLock);
    return ret;
}

/* @name lets go of @addr; false if it did not have it */
static bool
libxlHostdevUnclaim(const virPCIDeviceAddress *addr, const char *name)
{
    g_autofree char *key = libxlHostdevAddrStr(addr);
    const char *owner;
    bool had = false;

    g_mutex_lock(&libxlHostdevLock);
    if (libxlHostdevOwners &&
        (owner = g_hash_table_lookup(libxlHostdevOwners, key)) &&
        STREQ(owner, name)) {
        g_hash_table_remove(libxlHostdevOwners, key);
        had = true;
    }
    g_mutex_unlock(&libxlHostdevLock);
    return had;
}

static int
libxlHostdevRefuseInUse(const virPCIDeviceAddress *addr)
{
    g_autofree char *owner = libxlHostdevOwner(addr);
    g_autofree char *str = NULL;

    if (!owner)
        return 0;
    str = libxlHostdevAddrStr(addr);
    virReportError(VIR_ERR_OPERATION_INVALID,
                   _("PCI device %s is in use by driver %s, domain %s"),
                   str, LIBXL_DRIVER_INTERNAL_NAME, owner);
    return -1;
}


/* ---- pciback through libxl ---------------------------------------- */

static void
libxlHostdevToLibxl(const virPCIDeviceAddress *addr, libxl_device_pci *x_pci)
{
    libxl_device_pci_init(x_pci);
    x_pci->domain = addr->domain;
    x_pci->bus = addr->bus;
    x_pci->dev = addr->slot;
    x_pci->func = addr->function;
}

/* Is @addr bound to pciback and free (libxl's assignable list)? */
static bool
libxlHostdevIsAssignable(libxl_ctx *ctx, const virPCIDeviceAddress *addr)
{
    libxl_device_pci *list;
    bool found = false;
    int n = 0;
    int i;

    list = libxl_device_pci_assignable_list(ctx, &n);
    for (i = 0; i < n; i++) {
        if (list[i].domain == addr->domain && list[i].bus == addr->bus &&
            list[i].dev == addr->slot && list[i].func == addr->function)
            found = true;
    }
    libxl_device_pci_assignable_list_free(list, n);
    return found;
}

/* nodedev-detach, a managed device: bound to pciback, its driver
 * remembered for the way back */
static int
libxlHostdevMakeAssignable(libxl_ctx *ctx, const virPCIDeviceAddress *addr)
{
    g_autofree char *str = libxlHostdevAddrStr(addr);
    libxl_device_pci x_pci;
    int rc;

    libxlHostdevToLibxl(addr, &x_pci);
    libxlLoggerResetLastError();
    rc = libxl_device_pci_assignable_add(ctx, &x_pci, 1);
    libxl_device_pci_dispose(&x_pci);
    if (rc != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to make PCI device %s assignable (detach it from the host)"),
                         str);
        return -1;
    }
    return 0;
}

/* nodedev-reattach, a managed device let go: back to its own driver */
static int
libxlHostdevGiveBack(libxl_ctx *ctx, const virPCIDeviceAddress *addr)
{
    g_autofree char *str = libxlHostdevAddrStr(addr);
    libxl_device_pci x_pci;
    int rc;

    libxlHostdevToLibxl(addr, &x_pci);
    libxlLoggerResetLastError();
    rc = libxl_device_pci_assignable_remove(ctx, &x_pci, 1);
    libxl_device_pci_dispose(&x_pci);
    if (rc != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to give PCI device %s back to the host"),
                         str);
        return -1;
    }
    return 0;
}

/* a managed device goes back to the host; a failure is only logged (the
 * domain let go of it) */
static void
libxlHostdevGiveBackManaged(libxl_ctx *ctx, const virDomainHostdevDef *hostdev)
{
    virErrorPtr saved;

    if (!hostdev->managed)
        return;
    virErrorPreserveLast(&saved);
    if (libxlHostdevGiveBack(ctx, libxlHostdevAddr(hostdev)) < 0)
        VIR_WARN("%s", virGetLastErrorMessage());
    virErrorRestore(&saved);
}

/*
 * libxlHostdevReady:
 * @hostdev, which domain @name is about to get, is recorded as its and
 * assignable: made so if managed, else it must be already.
 */
static int
libxlHostdevReady(libxl_ctx *ctx, virDomainHostdevDef *hostdev, const char *name)
{
    const virPCIDeviceAddress *addr = libxlHostdevAddr(hostdev);

    if (libxlHostdevClaim(addr, name, false) < 0)
        return -1;
    if (hostdev->managed) {
        if (libxlHostdevMakeAssignable(ctx, addr) < 0)
            goto error;
    } else if (!libxlHostdevIsAssignable(ctx, addr)) {
        g_autofree char *str = libxlHostdevAddrStr(addr);

        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("PCI device %s is not assignable: it has managed='no', detach it from the host first (virsh nodedev-detach pci_%04x_%02x_%02x_%d)"),
                       str, addr->domain, addr->bus, addr->slot, addr->function);
        goto error;
    }
    return 0;

 error:
    libxlHostdevUnclaim(addr, name);
    return -1;
}


/* ---- a domain's start, stop, reconnection ------------------------- */

/*
 * libxlHostdevPrepare:
 * Before @vm (locked, with a job) is built: its PCI devices are its, and
 * assignable.  On failure nothing is left taken (libxlHostdevRelease
 * gives back only what this domain has).
 */
int
libxlHostdevPrepare(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    size_t i;

    for (i = 0; i < vm->def->nhostdevs; i++) {
        virDomainHostdevDef *hostdev = vm->def->hostdevs[i];

        /* USB devices: libxl_build.c */
        if (!libxlHostdevIsPCI(hostdev))
            continue;
        if (libxlHostdevReady(cfg->ctx, hostdev, vm->def->name) < 0)
            return -1;
    }
    return 0;
}


/*
 * libxlHostdevRelease:
 * @vm stopped (or its start failed): the PCI devices it had are no
 * longer its; the managed ones go back to the host.
 */
void
libxlHostdevRelease(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    size_t i;

    for (i = 0; i < vm->def->nhostdevs; i++) {
        virDomainHostdevDef *hostdev = vm->def->hostdevs[i];

        if (!libxlHostdevIsPCI(hostdev))
            continue;
        if (libxlHostdevUnclaim(libxlHostdevAddr(hostdev), vm->def->name))
            libxlHostdevGiveBackManaged(cfg->ctx, hostdev);
    }
}


/* A daemon restarted under the running @vm: its PCI devices are its. */
void
libxlHostdevReconnect(libxlDriverPrivate *driver G_GNUC_UNUSED, virDomainObj *vm)
{
    size_t i;

    for (i = 0; i < vm->def->nhostdevs; i++) {
        virDomainHostdevDef *hostdev = vm->def->hostdevs[i];

        if (libxlHostdevIsPCI(hostdev))
            ignore_value(libxlHostdevClaim(libxlHostdevAddr(hostdev),
                                           vm->def->name, true));
    }
}


/* ---- attach-device, detach-device --------------------------------- */

static int
libxlHostdevPCIAdd(libxl_ctx *ctx, uint32_t domid,
                   const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_pci_add(ctx, domid, opaque, how);
}


static int
libxlHostdevPCIRemove(libxl_ctx *ctx, uint32_t domid,
                      const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_pci_remove(ctx, domid, opaque, how);
}


/* the first free "hostdevN" */
static char *
libxlHostdevNewAlias(virDomainDef *def)
{
    size_t n;

    for (n = 0;; n++) {
        g_autofree char *alias = g_strdup_printf("hostdev%zu", n);
        size_t i;

        for (i = 0; i < def->nhostdevs; i++) {
            if (STREQ_NULLABLE(def->hostdevs[i]->info->alias, alias))
                break;
        }
        if (i == def->nhostdevs)
            return g_steal_pointer(&alias);
    }
}


static int
libxlHostdevRefuseNonPCI(virDomainHostdevDef *hostdev, bool attach)
{
    if (libxlHostdevIsPCI(hostdev))
        return 0;
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   attach ?
                   _("a host device of type '%s' cannot be added to a running Xen domain; only PCI devices can") :
                   _("a host device of type '%s' cannot be removed from a running Xen domain; only PCI devices can"),
                   hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS ?
                   virDomainHostdevSubsysTypeToString(hostdev->source.subsys.type) :
                   virDomainHostdevModeTypeToString(hostdev->mode));
    return -1;
}


/*
 * libxlHostdevAttachLive:
 * A PCI device given to the running @vm (locked, with a job): recorded
 * as its, made assignable if managed, added by libxl with the domain
 * unlocked; on failure, as it was.
 */
int
libxlHostdevAttachLive(libxlDriverPrivate *driver G_GNUC_UNUSED,
                       libxlDriverConfig *cfg,
                       virDomainObj *vm,
                       virDomainDeviceDef *dev)
{
    virDomainHostdevDef *hostdev = dev->data.hostdev;
    const virPCIDeviceAddress *addr = libxlHostdevAddr(hostdev);
    g_autofree char *str = NULL;
    g_autofree char *name = g_strdup(vm->def->name);
    libxl_device_pci x_pci;
    int ret = -1;

    libxl_device_pci_init(&x_pci);

    if (libxlHostdevRefuseNonPCI(hostdev, true) < 0)
        goto cleanup;
    str = libxlHostdevAddrStr(addr);
    if (virDomainHostdevFind(vm->def, hostdev, NULL) >= 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("target pci device %s already exists"), str);
        goto cleanup;
    }
    if (libxlBuildPCI(hostdev, &x_pci) < 0)
        goto cleanup;

    if (libxlHostdevReady(cfg->ctx, hostdev, name) < 0)
        goto cleanup;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "attach-hostdev",
                         libxlHostdevPCIAdd, &x_pci) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to attach PCI device %s to domain '%s'"),
                         str, name);
        if (libxlHostdevUnclaim(addr, name))
            libxlHostdevGiveBackManaged(cfg->ctx, hostdev);
        goto cleanup;
    }

    if (!hostdev->info->alias)
        hostdev->info->alias = libxlHostdevNewAlias(vm->def);
    if (virDomainHostdevInsert(vm->def, hostdev) < 0)
        goto cleanup;
    dev->data.hostdev = NULL;
    ret = 0;

 cleanup:
    libxl_device_pci_dispose(&x_pci);
    return ret;
}


/*
 * libxlHostdevDetachLive:
 * The PCI device @dev names taken from the running @vm (locked, with a
 * job) by libxl, with the domain unlocked; then no longer the domain's,
 * and back to the host if managed.
 */
int
libxlHostdevDetachLive(libxlDriverPrivate *driver,
                       libxlDriverConfig *cfg,
                       virDomainObj *vm,
                       virDomainDeviceDef *dev)
{
    virDomainHostdevDef *match = dev->data.hostdev;
    virDomainHostdevDef *found = NULL;
    virPCIDeviceAddress addr;
    g_autofree char *str = NULL;
    g_autofree char *alias = NULL;
    g_autofree char *name = g_strdup(vm->def->name);
    libxl_device_pci x_pci;
    int idx;
    int rc;
    int ret = -1;

    libxl_device_pci_init(&x_pci);

    if (libxlHostdevRefuseNonPCI(match, false) < 0)
        goto cleanup;
    addr = *libxlHostdevAddr(match);
    str = libxlHostdevAddrStr(&addr);
    if (virDomainHostdevFind(vm->def, match, &found) < 0) {
        virReportError(VIR_ERR_DEVICE_MISSING,
                       _("host pci device %s not found"), str);
        goto cleanup;
    }
    if (libxlBuildPCI(found, &x_pci) < 0)
        goto cleanup;
    alias = g_strdup(found->info->alias);

    libxlLoggerResetLastError();
    rc = libxlDomainAORun(vm, cfg->ctx, "detach-hostdev",
                          libxlHostdevPCIRemove, &x_pci);
    if (rc != 0) {
        libxlReportError(rc == ERROR_TIMEDOUT ? VIR_ERR_OPERATION_TIMEOUT :
                         VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to detach PCI device %s from domain '%s'"),
                         str, name);
        if (alias)
            libxlProcessQueueEvent(driver,
                                   virDomainEventDeviceRemovalFailedNewFromObj(vm, alias));
        goto cleanup;
    }

    /* the domain was unlocked: find the device again */
    if ((idx = virDomainHostdevFind(vm->def, match, &found)) >= 0) {
        virDomainHostdevDef *removed = virDomainHostdevRemove(vm->def, idx);

        if (libxlHostdevUnclaim(&addr, name))
            libxlHostdevGiveBackManaged(cfg->ctx, removed);
        virDomainHostdevDefFree(removed);
    } else {
        libxlHostdevUnclaim(&addr, name);
    }
    if (alias)
        libxlProcessQueueEvent(driver, virDomainEventDeviceRemovedNewFromObj(vm, alias));
    ret = 0;

 cleanup:
    libxl_device_pci_dispose(&x_pci);
    return ret;
}


/* ---- node devices ------------------------------------------------- */

typedef enum {
    LIBXL_HOSTDEV_NODE_DETACH,
    LIBXL_HOSTDEV_NODE_REATTACH,
    LIBXL_HOSTDEV_NODE_RESET,
} libxlHostdevNodeOp;

/*
 * libxlHostdevNodeDevice:
 * The node device's definition, as the node device driver has it (ACL
 * checked against it for @op), and its PCI address.
 */
static virNodeDeviceDef *
libxlHostdevNodeDevice(virNodeDevicePtr dev,
                       libxlHostdevNodeOp op,
                       virPCIDeviceAddress *addr)
{
    g_autoptr(virConnect) nodeconn = NULL;
    g_autoptr(virNodeDevice) nodedev = NULL;
    g_autoptr(virNodeDeviceDef) def = NULL;
    g_autofree char *xml = NULL;
    int rc = -1;

    /* the node device driver may be another daemon: its own copy */
    if (!(nodeconn = virGetConnectNodeDev()))
        return NULL;
    if (!(nodedev = virNodeDeviceLookupByName(nodeconn, virNodeDeviceGetName(dev))))
        return NULL;
    if (!(xml = virNodeDeviceGetXMLDesc(nodedev, 0)))
        return NULL;
    if (!(def = virNodeDeviceDefParse(xml, NULL, EXISTING_DEVICE, NULL,
                                      NULL, NULL, false)))
        return NULL;

    switch (op) {
    case LIBXL_HOSTDEV_NODE_DETACH:
        rc = virNodeDeviceDetachFlagsEnsureACL(dev->conn, def);
        break;
    case LIBXL_HOSTDEV_NODE_REATTACH:
        rc = virNodeDeviceReAttachEnsureACL(dev->conn, def);
        break;
    case LIBXL_HOSTDEV_NODE_RESET:
        rc = virNodeDeviceResetEnsureACL(dev->conn, def);
        break;
    }
    if (rc < 0)
        return NULL;

    if (virDomainDriverNodeDeviceGetPCIInfo(def, addr) < 0)
        return NULL;
    return g_steal_pointer(&def);
}


int
libxlNodeDeviceDetachFlags(virNodeDevicePtr dev,
                           const char *driverName,
                           unsigned int flags)
{
    libxlDriverPrivate *driver = dev->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virNodeDeviceDef) def = NULL;
    virPCIDeviceAddress addr = { 0 };

    virCheckFlags(0, -1);

    if (driverName && STRNEQ(driverName, "xen")) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unsupported driver name '%s'"), driverName);
        return -1;
    }
    if (!(def = libxlHostdevNodeDevice(dev, LIBXL_HOSTDEV_NODE_DETACH, &addr)))
        return -1;
    if (libxlHostdevRefuseInUse(&addr) < 0)
        return -1;
    return libxlHostdevMakeAssignable(cfg->ctx, &addr);
}


int
libxlNodeDeviceDettach(virNodeDevicePtr dev)
{
    return libxlNodeDeviceDetachFlags(dev, NULL, 0);
}


int
libxlNodeDeviceReAttach(virNodeDevicePtr dev)
{
    libxlDriverPrivate *driver = dev->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virNodeDeviceDef) def = NULL;
    virPCIDeviceAddress addr = { 0 };

    if (!(def = libxlHostdevNodeDevice(dev, LIBXL_HOSTDEV_NODE_REATTACH, &addr)))
        return -1;
    if (libxlHostdevRefuseInUse(&addr) < 0)
        return -1;
    return libxlHostdevGiveBack(cfg->ctx, &addr);
}


/*
 * libxlNodeDeviceReset:
 * libxl has no call that resets a PCI device: it resets one itself
 * (pciback's reset, through Domain-0's sysfs) when the device is given
 * to a domain and when it is given back.  Resetting it behind libxl's
 * back is not this driver's to do: a clear error says so.
 */
int
libxlNodeDeviceReset(virNodeDevicePtr dev)
{
    g_autoptr(virNodeDeviceDef) def = NULL;
    g_autofree char *str = NULL;
    virPCIDeviceAddress addr = { 0 };

    if (!(def = libxlHostdevNodeDevice(dev, LIBXL_HOSTDEV_NODE_RESET, &addr)))
        return -1;
    if (libxlHostdevRefuseInUse(&addr) < 0)
        return -1;
    str = libxlHostdevAddrStr(&addr);
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   _("PCI device %s cannot be reset on its own: libxenlight has no reset call, it resets a device itself when it is assigned to a domain and when it is given back"),
                   str);
    return -1;
}

/*
 * libxl_hostdev.c: host PCI and USB devices: pciback, passthrough,
 * bookkeeping
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
 * definitions when the daemon restarts.  USB host devices (given by
 * their bus and address) are kept in the same table.
 *
 * USB: a controller (libxl_device_usbctrl_add, _remove) and a host USB
 * device plugged into one of its ports (libxl_device_usbdev_add, which
 * chooses the port; _remove, by controller and port).  A device comes
 * with a new controller when the live ones have no free port, as the
 * stock driver does; a controller still holding devices is not removed.
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

/*
 * The bookkeeping's key of a host device: its PCI address
 * ("DDDD:BB:SS.F"), or "usb BBB.DDD" for a USB device given by its
 * address (one given by vendor and product is found at start: libxl
 * refuses it to a second domain itself); NULL if none.
 */
static char *
libxlHostdevKey(const virDomainHostdevDef *hostdev)
{
    const virDomainHostdevSubsysUSB *usbsrc = &hostdev->source.subsys.u.usb;

    if (libxlHostdevIsPCI(hostdev))
        return libxlHostdevAddrStr(libxlHostdevAddr(hostdev));
    if (hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS &&
        hostdev->source.subsys.type == VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB &&
        usbsrc->bus > 0 && usbsrc->device > 0)
        return g_strdup_printf("usb %03u.%03u", usbsrc->bus, usbsrc->device);
    return NULL;
}

static void
libxlHostdevReportInUse(const char *key, const char *owner)
{
    if (g_str_has_prefix(key, "usb "))
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("USB device %s is in use by driver %s, domain %s"),
                       key + 4, LIBXL_DRIVER_INTERNAL_NAME, owner);
    else
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("PCI device %s is in use by driver %s, domain %s"),
                       key, LIBXL_DRIVER_INTERNAL_NAME, owner);
}

/* The domain that has the device @key names, or NULL (a copy). */
static char *
libxlHostdevOwner(const char *key)
{
    char *owner = NULL;

    g_mutex_lock(&libxlHostdevLock);
    if (libxlHostdevOwners)
        owner = g_strdup(g_hash_table_lookup(libxlHostdevOwners, key));
    g_mutex_unlock(&libxlHostdevLock);
    return owner;
}

/*
 * libxlHostdevClaimKey:
 * Record that domain @name has the device @key names; a device another
 * domain has is refused, as libvirt's hostdev manager refuses it.  With
 * @force (a domain found running at a daemon's restart) it is recorded
 * anyway.
 */
static int
libxlHostdevClaimKey(const char *key, const char *name, bool force)
{
    const char *owner;
    int ret = -1;

    g_mutex_lock(&libxlHostdevLock);
    if (!libxlHostdevOwners)
        libxlHostdevOwners = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                   g_free, g_free);
    owner = g_hash_table_lookup(libxlHostdevOwners, key);
    if (owner && STRNEQ(owner, name) && !force) {
        libxlHostdevReportInUse(key, owner);
        goto cleanup;
    }
    if (owner && STRNEQ(owner, name))
        VIR_WARN("host device %s is in use by domains %s and %s", key, owner, name);
    g_hash_table_insert(libxlHostdevOwners, g_strdup(key), g_strdup(name));
    ret = 0;

 cleanup:
    g_mutex_unlock(&libxlHostdevLock);
    return ret;
}

/* @name lets go of the device @key names; false if it did not have it */
static bool
libxlHostdevUnclaimKey(const char *key, const char *name)
{
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
libxlHostdevClaim(const virPCIDeviceAddress *addr, const char *name, bool force)
{
    g_autofree char *key = libxlHostdevAddrStr(addr);

    return libxlHostdevClaimKey(key, name, force);
}

static bool
libxlHostdevUnclaim(const virPCIDeviceAddress *addr, const char *name)
{
    g_autofree char *key = libxlHostdevAddrStr(addr);

    return libxlHostdevUnclaimKey(key, name);
}

static int
libxlHostdevRefuseInUse(const virPCIDeviceAddress *addr)
{
    g_autofree char *key = libxlHostdevAddrStr(addr);
    g_autofree char *owner = libxlHostdevOwner(key);

    if (!owner)
        return 0;
    libxlHostdevReportInUse(key, owner);
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
    size_t i;

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
        g_autofree char *key = NULL;

        if (libxlHostdevIsPCI(hostdev)) {
            if (libxlHostdevReady(cfg->ctx, hostdev, vm->def->name) < 0)
                return -1;
        } else if ((key = libxlHostdevKey(hostdev)) &&
                   libxlHostdevClaimKey(key, vm->def->name, false) < 0) {
            /* a USB device: libxl_build.c gives it */
            return -1;
        }
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
        g_autofree char *key = libxlHostdevKey(hostdev);

        if (key && libxlHostdevUnclaimKey(key, vm->def->name) &&
            libxlHostdevIsPCI(hostdev))
            libxlHostdevGiveBackManaged(cfg->ctx, hostdev);
    }
}


/* A daemon restarted under the running @vm: its host devices are its. */
void
libxlHostdevReconnect(libxlDriverPrivate *driver G_GNUC_UNUSED, virDomainObj *vm)
{
    size_t i;

    for (i = 0; i < vm->def->nhostdevs; i++) {
        g_autofree char *key = libxlHostdevKey(vm->def->hostdevs[i]);

        if (key)
            ignore_value(libxlHostdevClaimKey(key, vm->def->name, true));
    }
}


/* ---- attach-device, detach-device --------------------------------- */

/*
 * libxlHostdevGone:
 * After a libxl operation that ran with @vm unlocked: has the domain
 * stopped meanwhile?  Its cleanup then gave back what its definition
 * held, and its live definition is no more: nothing else to do there.
 */
static bool
libxlHostdevGone(virDomainObj *vm)
{
    if (virDomainObjIsActive(vm))
        return false;
    virReportError(VIR_ERR_OPERATION_FAILED,
                   _("domain '%s' stopped during the operation"), vm->def->name);
    return true;
}

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


/*
 * libxlHostdevAttachPCI:
 * A PCI device given to the running @vm (locked, with a job): recorded
 * as its, made assignable if managed, added by libxl with the domain
 * unlocked; on failure, as it was.
 */
static int
libxlHostdevAttachPCI(libxlDriverConfig *cfg,
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
    if (libxlHostdevGone(vm)) {
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
 * libxlHostdevDetachPCI:
 * The PCI device @dev names taken from the running @vm (locked, with a
 * job) by libxl, with the domain unlocked; then no longer the domain's,
 * and back to the host if managed.
 */
static int
libxlHostdevDetachPCI(libxlDriverPrivate *driver,
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
    if (!virDomainObjIsActive(vm)) {
        ret = 0;
        goto cleanup;
    }
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


/* ---- USB controllers and USB host devices -------------------------- */

static int
libxlHostdevUSBCtrlAdd(libxl_ctx *ctx, uint32_t domid,
                       const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_usbctrl_add(ctx, domid, opaque, how);
}


static int
libxlHostdevUSBCtrlRemove(libxl_ctx *ctx, uint32_t domid,
                          const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_usbctrl_remove(ctx, domid, opaque, how);
}


static int
libxlHostdevUSBAdd(libxl_ctx *ctx, uint32_t domid,
                   const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_usbdev_add(ctx, domid, opaque, how);
}


static int
libxlHostdevUSBRemove(libxl_ctx *ctx, uint32_t domid,
                      const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_usbdev_remove(ctx, domid, opaque, how);
}


static bool
libxlHostdevIsUSB(const virDomainHostdevDef *hostdev)
{
    return hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS &&
           hostdev->source.subsys.type == VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB;
}


/* "BBB.DDD", or the vendor and product the device was given by */
static char *
libxlHostdevUSBStr(const virDomainHostdevDef *hostdev)
{
    const virDomainHostdevSubsysUSB *usbsrc = &hostdev->source.subsys.u.usb;

    if (usbsrc->bus > 0 && usbsrc->device > 0)
        return g_strdup_printf("%03u.%03u", usbsrc->bus, usbsrc->device);
    return g_strdup_printf("%04x:%04x", usbsrc->vendor, usbsrc->product);
}


/* Has one of the live USB controllers a port no USB device uses? */
static bool
libxlHostdevUSBFreePort(const virDomainDef *def)
{
    size_t ports = 0;
    size_t used = 0;
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_USB &&
            ctrl->model != VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE)
            ports += ctrl->opts.usbopts.ports == -1 ? 8 : ctrl->opts.usbopts.ports;
    }
    for (i = 0; i < def->nhostdevs; i++) {
        if (libxlHostdevIsUSB(def->hostdevs[i]))
            used++;
    }
    return ports > used;
}


static int
libxlHostdevUSBNextIndex(const virDomainDef *def)
{
    int idx = 0;
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == VIR_DOMAIN_CONTROLLER_TYPE_USB)
            idx = MAX(idx, def->controllers[i]->idx + 1);
    }
    return idx;
}


/*
 * libxlHostdevAttachControllerLive:
 * A USB controller added to the running @vm (locked, with a job) by
 * libxl, with the domain unlocked.  libxl has no other controllers.
 */
int
libxlHostdevAttachControllerLive(libxlDriverPrivate *driver G_GNUC_UNUSED,
                                 libxlDriverConfig *cfg,
                                 virDomainObj *vm,
                                 virDomainDeviceDef *dev)
{
    virDomainControllerDef *ctrl = dev->data.controller;
    libxl_device_usbctrl x_ctrl;
    int ret = -1;

    libxl_device_usbctrl_init(&x_ctrl);

    if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_USB) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a '%s' controller cannot be added to a running Xen domain; only USB controllers can"),
                       virDomainControllerTypeToString(ctrl->type));
        goto cleanup;
    }
    if (ctrl->idx < 0)
        ctrl->idx = libxlHostdevUSBNextIndex(vm->def);
    if (virDomainControllerFind(vm->def, ctrl->type, ctrl->idx) >= 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("a usb controller of index %d already exists"), ctrl->idx);
        goto cleanup;
    }
    if (ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("a USB controller of model 'none' cannot be added"));
        goto cleanup;
    }
    if (libxlBuildUSBController(ctrl, &x_ctrl) < 0)
        goto cleanup;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "attach-controller",
                         libxlHostdevUSBCtrlAdd, &x_ctrl) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to attach USB controller %d to domain '%s'"),
                         ctrl->idx, vm->def->name);
        goto cleanup;
    }
    if (libxlHostdevGone(vm))
        goto cleanup;
    if (ctrl->opts.usbopts.ports == -1)
        ctrl->opts.usbopts.ports = x_ctrl.ports;
    if (!ctrl->info.alias)
        ctrl->info.alias = g_strdup_printf("usb%d", ctrl->idx);
    virDomainControllerInsert(vm->def, ctrl);
    dev->data.controller = NULL;
    ret = 0;

 cleanup:
    libxl_device_usbctrl_dispose(&x_ctrl);
    return ret;
}


/*
 * libxlHostdevDetachControllerLive:
 * A USB controller with no USB device left on it removed from the
 * running @vm by libxl.
 */
int
libxlHostdevDetachControllerLive(libxlDriverPrivate *driver,
                                 libxlDriverConfig *cfg,
                                 virDomainObj *vm,
                                 virDomainDeviceDef *dev)
{
    virDomainControllerDef *match = dev->data.controller;
    libxl_device_usbctrl x_ctrl;
    g_autofree char *alias = NULL;
    int type = match->type;
    int idx = match->idx;
    int pos;
    size_t i;
    int ret = -1;

    libxl_device_usbctrl_init(&x_ctrl);

    if (type != VIR_DOMAIN_CONTROLLER_TYPE_USB) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a '%s' controller cannot be removed from a running Xen domain; only USB controllers can"),
                       virDomainControllerTypeToString(type));
        goto cleanup;
    }
    if ((pos = virDomainControllerFind(vm->def, type, idx)) < 0) {
        virReportError(VIR_ERR_DEVICE_MISSING,
                       _("no usb controller of index %d"), idx);
        goto cleanup;
    }
    for (i = 0; i < vm->def->nhostdevs; i++) {
        virDomainHostdevDef *hostdev = vm->def->hostdevs[i];

        if (libxlHostdevIsUSB(hostdev) &&
            hostdev->info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB &&
            hostdev->info->addr.usb.bus == (unsigned int)idx) {
            g_autofree char *str = libxlHostdevUSBStr(hostdev);

            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("USB controller %d still has USB device %s: detach it first"),
                           idx, str);
            goto cleanup;
        }
    }
    alias = g_strdup(vm->def->controllers[pos]->info.alias);
    x_ctrl.devid = idx;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "detach-controller",
                         libxlHostdevUSBCtrlRemove, &x_ctrl) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to detach USB controller %d from domain '%s'"),
                         idx, vm->def->name);
        if (alias)
            libxlProcessQueueEvent(driver,
                                   virDomainEventDeviceRemovalFailedNewFromObj(vm, alias));
        goto cleanup;
    }
    if (virDomainObjIsActive(vm) &&
        (pos = virDomainControllerFind(vm->def, type, idx)) >= 0)
        virDomainControllerDefFree(virDomainControllerRemove(vm->def, pos));
    if (alias)
        libxlProcessQueueEvent(driver, virDomainEventDeviceRemovedNewFromObj(vm, alias));
    ret = 0;

 cleanup:
    libxl_device_usbctrl_dispose(&x_ctrl);
    return ret;
}


/*
 * libxlHostdevAttachUSB:
 * A host USB device given to the running @vm: recorded as its; a USB
 * controller added first when the live ones have no free port (as the
 * stock driver does), then the device plugged in by libxl into the
 * port it chooses, which the live XML records.
 */
static int
libxlHostdevAttachUSB(libxlDriverConfig *cfg,
                      virDomainObj *vm,
                      virDomainDeviceDef *dev)
{
    virDomainHostdevDef *hostdev = dev->data.hostdev;
    g_autofree char *key = libxlHostdevKey(hostdev);
    g_autofree char *str = libxlHostdevUSBStr(hostdev);
    g_autofree char *name = g_strdup(vm->def->name);
    libxl_device_usbdev x_usbdev;
    int ret = -1;

    libxl_device_usbdev_init(&x_usbdev);

    if (virDomainHostdevFind(vm->def, hostdev, NULL) >= 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("target usb device %s already exists"), str);
        goto cleanup;
    }
    if (libxlBuildUSBDevice(hostdev, &x_usbdev) < 0)
        goto cleanup;
    if (key && libxlHostdevClaimKey(key, name, false) < 0)
        goto cleanup;

    if (!libxlHostdevUSBFreePort(vm->def)) {
        g_autoptr(virDomainDeviceDef) ctrldev = g_new0(virDomainDeviceDef, 1);
        virDomainControllerDef *ctrl;

        ctrl = virDomainControllerDefNew(VIR_DOMAIN_CONTROLLER_TYPE_USB);
        ctrl->idx = libxlHostdevUSBNextIndex(vm->def);
        ctrl->model = VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB2;
        ctrl->opts.usbopts.ports = 8;
        ctrldev->type = VIR_DOMAIN_DEVICE_CONTROLLER;
        ctrldev->data.controller = ctrl;
        if (libxlHostdevAttachControllerLive(NULL, cfg, vm, ctrldev) < 0) {
            virDomainControllerDefFree(ctrldev->data.controller);
            ctrldev->data.controller = NULL;
            goto error;
        }
    }

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "attach-hostdev",
                         libxlHostdevUSBAdd, &x_usbdev) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to attach USB device %s to domain '%s'"),
                         str, name);
        goto error;
    }
    if (libxlHostdevGone(vm))
        goto error;

    hostdev->info->type = VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB;
    hostdev->info->addr.usb.bus = x_usbdev.ctrl;
    memset(hostdev->info->addr.usb.port, 0, sizeof(hostdev->info->addr.usb.port));
    hostdev->info->addr.usb.port[0] = x_usbdev.port;
    if (!hostdev->info->alias)
        hostdev->info->alias = libxlHostdevNewAlias(vm->def);
    if (virDomainHostdevInsert(vm->def, hostdev) < 0)
        goto cleanup;
    dev->data.hostdev = NULL;
    ret = 0;
    goto cleanup;

 error:
    if (key)
        libxlHostdevUnclaimKey(key, name);
 cleanup:
    libxl_device_usbdev_dispose(&x_usbdev);
    return ret;
}


/*
 * libxlHostdevDetachUSB:
 * The host USB device @dev names unplugged from the port libxl has it
 * in, with the domain unlocked.
 */
static int
libxlHostdevDetachUSB(libxlDriverPrivate *driver,
                      libxlDriverConfig *cfg,
                      virDomainObj *vm,
                      virDomainDeviceDef *dev)
{
    virDomainHostdevDef *match = dev->data.hostdev;
    virDomainHostdevDef *found = NULL;
    g_autofree char *str = libxlHostdevUSBStr(match);
    g_autofree char *key = NULL;
    g_autofree char *alias = NULL;
    g_autofree char *name = g_strdup(vm->def->name);
    libxl_device_usbdev *list = NULL;
    libxl_device_usbdev x_usbdev;
    unsigned int bus, device;
    int n = 0;
    size_t i;
    int idx;
    int ret = -1;

    libxl_device_usbdev_init(&x_usbdev);

    if (virDomainHostdevFind(vm->def, match, &found) < 0) {
        virReportError(VIR_ERR_DEVICE_MISSING,
                       _("host usb device %s not found"), str);
        goto cleanup;
    }
    key = libxlHostdevKey(found);
    alias = g_strdup(found->info->alias);
    bus = found->source.subsys.u.usb.bus;
    device = found->source.subsys.u.usb.device;

    /* libxl removes a device by its controller and port */
    list = libxl_device_usbdev_list(cfg->ctx, vm->def->id, &n);
    for (i = 0; i < n; i++) {
        if ((bus > 0 && list[i].u.hostdev.hostbus == bus &&
             list[i].u.hostdev.hostaddr == device) ||
            (bus == 0 && found->info->type == VIR_DOMAIN_DEVICE_ADDRESS_TYPE_USB &&
             list[i].ctrl == (int)found->info->addr.usb.bus &&
             list[i].port == (int)found->info->addr.usb.port[0]))
            break;
    }
    if (i == n) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("libxenlight does not list USB device %s in domain '%s'"),
                       str, name);
        goto cleanup;
    }
    x_usbdev.ctrl = list[i].ctrl;
    x_usbdev.port = list[i].port;
    x_usbdev.type = LIBXL_USBDEV_TYPE_HOSTDEV;
    x_usbdev.u.hostdev.hostbus = list[i].u.hostdev.hostbus;
    x_usbdev.u.hostdev.hostaddr = list[i].u.hostdev.hostaddr;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "detach-hostdev",
                         libxlHostdevUSBRemove, &x_usbdev) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to detach USB device %s from domain '%s'"),
                         str, name);
        if (alias)
            libxlProcessQueueEvent(driver,
                                   virDomainEventDeviceRemovalFailedNewFromObj(vm, alias));
        goto cleanup;
    }

    if (virDomainObjIsActive(vm) &&
        (idx = virDomainHostdevFind(vm->def, match, &found)) >= 0)
        virDomainHostdevDefFree(virDomainHostdevRemove(vm->def, idx));
    if (key)
        libxlHostdevUnclaimKey(key, name);
    if (alias)
        libxlProcessQueueEvent(driver, virDomainEventDeviceRemovedNewFromObj(vm, alias));
    ret = 0;

 cleanup:
    libxl_device_usbdev_list_free(list, n);
    libxl_device_usbdev_dispose(&x_usbdev);
    return ret;
}


static int
libxlHostdevRefuseUnsupported(virDomainHostdevDef *hostdev, bool attach)
{
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   attach ?
                   _("a host device of type '%s' cannot be added to a running Xen domain; only PCI and USB devices can") :
                   _("a host device of type '%s' cannot be removed from a running Xen domain; only PCI and USB devices can"),
                   hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS ?
                   virDomainHostdevSubsysTypeToString(hostdev->source.subsys.type) :
                   virDomainHostdevModeTypeToString(hostdev->mode));
    return -1;
}


int
libxlHostdevAttachLive(libxlDriverPrivate *driver G_GNUC_UNUSED,
                       libxlDriverConfig *cfg,
                       virDomainObj *vm,
                       virDomainDeviceDef *dev)
{
    if (libxlHostdevIsPCI(dev->data.hostdev))
        return libxlHostdevAttachPCI(cfg, vm, dev);
    if (libxlHostdevIsUSB(dev->data.hostdev))
        return libxlHostdevAttachUSB(cfg, vm, dev);
    return libxlHostdevRefuseUnsupported(dev->data.hostdev, true);
}


int
libxlHostdevDetachLive(libxlDriverPrivate *driver,
                       libxlDriverConfig *cfg,
                       virDomainObj *vm,
                       virDomainDeviceDef *dev)
{
    if (libxlHostdevIsPCI(dev->data.hostdev))
        return libxlHostdevDetachPCI(driver, cfg, vm, dev);
    if (libxlHostdevIsUSB(dev->data.hostdev))
        return libxlHostdevDetachUSB(driver, cfg, vm, dev);
    return libxlHostdevRefuseUnsupported(dev->data.hostdev, false);
}


/* ---- node devices ------------------------------------------------- */

/*
 * libxlHostdevNodeDeviceDef:
 * The node device's definition, as the node device driver has it: what
 * the entry points in libxl_driver.c check the caller's ACL against.
 */
virNodeDeviceDef *
libxlHostdevNodeDeviceDef(virNodeDevicePtr dev)
{
    g_autoptr(virConnect) nodeconn = NULL;
    g_autoptr(virNodeDevice) nodedev = NULL;
    g_autofree char *xml = NULL;

    /* the node device driver may be another daemon: its own copy */
    if (!(nodeconn = virGetConnectNodeDev()))
        return NULL;
    if (!(nodedev = virNodeDeviceLookupByName(nodeconn, virNodeDeviceGetName(dev))))
        return NULL;
    if (!(xml = virNodeDeviceGetXMLDesc(nodedev, 0)))
        return NULL;
    return virNodeDeviceDefParse(xml, NULL, EXISTING_DEVICE, NULL,
                                 NULL, NULL, false);
}


/*
 * libxlHostdevNodeDetach:
 * nodedev-detach of the PCI device @def (ACL checked): given to pciback.
 */
int
libxlHostdevNodeDetach(libxlDriverPrivate *driver,
                       virNodeDeviceDef *def)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virPCIDeviceAddress addr = { 0 };

    if (virDomainDriverNodeDeviceGetPCIInfo(def, &addr) < 0)
        return -1;
    if (libxlHostdevRefuseInUse(&addr) < 0)
        return -1;
    return libxlHostdevMakeAssignable(cfg->ctx, &addr);
}


/*
 * libxlHostdevNodeReAttach:
 * nodedev-reattach of the PCI device @def (ACL checked): given back to
 * the host.
 */
int
libxlHostdevNodeReAttach(libxlDriverPrivate *driver,
                         virNodeDeviceDef *def)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virPCIDeviceAddress addr = { 0 };

    if (virDomainDriverNodeDeviceGetPCIInfo(def, &addr) < 0)
        return -1;
    if (libxlHostdevRefuseInUse(&addr) < 0)
        return -1;
    /* a device that is not pciback's is the host's already: nothing to do,
     * as libvirt's other drivers answer */
    if (!libxlHostdevIsAssignable(cfg->ctx, &addr))
        return 0;
    return libxlHostdevGiveBack(cfg->ctx, &addr);
}


/*
 * libxlHostdevNodeReset:
 * nodedev-reset of the PCI device @def (ACL checked).  libxl has no call
 * that resets a PCI device: it resets one itself (pciback's reset,
 * through Domain-0's sysfs) when the device is given to a domain and
 * when it is given back.  Resetting it behind libxl's back is not this
 * driver's to do: a clear error says so.
 */
int
libxlHostdevNodeReset(virNodeDeviceDef *def)
{
    g_autofree char *str = NULL;
    virPCIDeviceAddress addr = { 0 };

    if (virDomainDriverNodeDeviceGetPCIInfo(def, &addr) < 0)
        return -1;
    if (libxlHostdevRefuseInUse(&addr) < 0)
        return -1;
    str = libxlHostdevAddrStr(&addr);
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   _("PCI device %s cannot be reset on its own: libxenlight has no reset call, it resets a device itself when it is assigned to a domain and when it is given back"),
                   str);
    return -1;
}

/*
 * libxl_hotplug.c: devices added to, changed in and removed from domains
 *
 * A live change is a libxl asynchronous operation under the domain's
 * job, waited for with the domain unlocked: an attach returns once the
 * backend is connected (libxl ran the hotplug script), a detach once the
 * guest released the device, or with libxl's reason when it did not (a
 * disk is removed with libxl's safe removal: a guest that keeps it keeps
 * it, and the live XML says so).  A persistent change (--config) is made
 * to a copy of the definition, validated as a definition is at define,
 * and saved only after the live change, if any, succeeded.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <libxl_utils.h>

#include "internal.h"
#include "datatypes.h"
#include "viraccessapicheck.h"
#include "virerror.h"
#include "virlog.h"
#include "domain_event.h"
#include "domain_postparse.h"
#include "domain_validate.h"
#include "locking/domain_lock.h"
#include "libxl_build.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_host.h"
#include "libxl_hostdev.h"
#include "libxl_hotplug.h"
#include "libxl_logger.h"
#include "libxl_process.h"
#include "libxl_validate.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_hotplug");

#define LIBXL_HOTPLUG_URI "xen:///system"


/* ---- aliases ------------------------------------------------------ */

/*
 * libxlHotplugAssignAliases:
 * Name the devices of a domain being started that have no alias, so that
 * detach-device-alias and the device events can name them: a disk after
 * its target ("xen-disk-xvdb"), an interface after its libxl devid
 * ("net0", given at start by its position among the PV interfaces),
 * host devices and USB controllers by position.
 */
void
libxlHotplugAssignAliases(virDomainDef *def)
{
    size_t i;
    int nic = 0;

    for (i = 0; i < def->ndisks; i++) {
        if (!def->disks[i]->info.alias)
            def->disks[i]->info.alias = g_strdup_printf("xen-disk-%s",
                                                        def->disks[i]->dst);
    }
    for (i = 0; i < def->nnets; i++) {
        virDomainNetDef *net = def->nets[i];

        if (virDomainNetGetActualType(net) == VIR_DOMAIN_NET_TYPE_HOSTDEV)
            continue;
        if (!net->info.alias)
            net->info.alias = g_strdup_printf("net%d", nic);
        nic++;
    }
    for (i = 0; i < def->nhostdevs; i++) {
        if (!def->hostdevs[i]->info->alias)
            def->hostdevs[i]->info->alias = g_strdup_printf("hostdev%zu", i);
    }
    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type == VIR_DOMAIN_CONTROLLER_TYPE_USB && !ctrl->info.alias)
            ctrl->info.alias = g_strdup_printf("usb%d", ctrl->idx);
    }
}


/* ---- libxl's operations ------------------------------------------- */

static int
libxlHotplugDiskAdd(libxl_ctx *ctx, uint32_t domid,
                    const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_disk_add(ctx, domid, opaque, how);
}


static int
libxlHotplugDiskRemove(libxl_ctx *ctx, uint32_t domid,
                       const libxl_asyncop_how *how, void *opaque)
{
    /* not libxl_device_disk_remove: that one forces the backend away
     * from a guest that does not release the disk */
    return libxl_device_disk_safe_remove(ctx, domid, opaque, how);
}


static int
libxlHotplugCdromInsert(libxl_ctx *ctx, uint32_t domid,
                        const libxl_asyncop_how *how, void *opaque)
{
    return libxl_cdrom_insert(ctx, domid, opaque, how);
}


static int
libxlHotplugNicAdd(libxl_ctx *ctx, uint32_t domid,
                   const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_nic_add(ctx, domid, opaque, how);
}


static int
libxlHotplugNicDestroy(libxl_ctx *ctx, uint32_t domid,
                       const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_nic_destroy(ctx, domid, opaque, how);
}


static int
libxlHotplugNicRemove(libxl_ctx *ctx, uint32_t domid,
                      const libxl_asyncop_how *how, void *opaque)
{
    return libxl_device_nic_remove(ctx, domid, opaque, how);
}


static void
libxlHotplugBuildParams(libxlDriverPrivate *driver,
                        libxlDriverConfig *cfg,
                        libxlBuildParams *params)
{
    libxlProcessBuildParams(cfg, params);
    libxlHostBuildParams(driver, params);
}


static void
libxlHotplugQueueRemoved(libxlDriverPrivate *driver,
                         virDomainObj *vm,
                         const char *alias,
                         bool removed)
{
    if (!alias)
        return;
    libxlProcessQueueEvent(driver, removed ?
                           virDomainEventDeviceRemovedNewFromObj(vm, alias) :
                           virDomainEventDeviceRemovalFailedNewFromObj(vm, alias));
}


/* ---- disks -------------------------------------------------------- */

static int
libxlHotplugAttachDiskLive(libxlDriverPrivate *driver,
                           libxlDriverConfig *cfg,
                           virDomainObj *vm,
                           virDomainDeviceDef *dev)
{
    virDomainDiskDef *disk = dev->data.disk;
    libxlBuildParams params;
    libxl_device_disk x_disk;
    int ret = -1;

    libxl_device_disk_init(&x_disk);

    if (disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM ||
        disk->device == VIR_DOMAIN_DISK_DEVICE_FLOPPY) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a %s drive cannot be added to a running Xen domain: change the media of an existing one (update-device, change-media)"),
                       virDomainDiskDeviceTypeToString(disk->device));
        goto cleanup;
    }
    if (disk->device != VIR_DOMAIN_DISK_DEVICE_DISK) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a disk of device type '%s' cannot be added to a running Xen domain"),
                       virDomainDiskDeviceTypeToString(disk->device));
        goto cleanup;
    }
    if (disk->bus != VIR_DOMAIN_DISK_BUS_XEN) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk %s: bus '%s' cannot be hotplugged; a running Xen domain gets paravirtual disks (bus='xen')"),
                       disk->dst, virDomainDiskBusTypeToString(disk->bus));
        goto cleanup;
    }
    if (virDomainDiskIndexByName(vm->def, disk->dst, true) >= 0) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("target %s already exists"), disk->dst);
        goto cleanup;
    }
    if (virDomainDiskTranslateSourcePool(disk) < 0)
        goto cleanup;
    if (virStorageSourceIsEmpty(disk->src)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("disk %s has no source to attach"), disk->dst);
        goto cleanup;
    }

    libxlHotplugBuildParams(driver, cfg, &params);
    if (libxlBuildDisk(disk, &params, &x_disk) < 0)
        goto cleanup;

    if (virDomainLockImageAttach(driver->lockManager, LIBXL_HOTPLUG_URI,
                                 vm, disk->src) < 0)
        goto cleanup;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "attach-disk",
                         libxlHotplugDiskAdd, &x_disk) != 0) {
        virErrorPtr saved;

        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to attach disk %s to domain '%s'"),
                         disk->dst, vm->def->name);
        virErrorPreserveLast(&saved);
        if (virDomainLockImageDetach(driver->lockManager, vm, disk->src) < 0)
            VIR_WARN("cannot release the lease of %s", NULLSTR(disk->src->path));
        virErrorRestore(&saved);
        goto cleanup;
    }

    if (!disk->info.alias)
        disk->info.alias = g_strdup_printf("xen-disk-%s", disk->dst);
    virDomainDiskInsert(vm->def, disk);
    dev->data.disk = NULL;
    ret = 0;

 cleanup:
    libxl_device_disk_dispose(&x_disk);
    return ret;
}


static int
libxlHotplugDetachDiskLive(libxlDriverPrivate *driver,
                           libxlDriverConfig *cfg,
                           virDomainObj *vm,
                           const char *target)
{
    /* @target may be the disk's own, freed with it */
    g_autofree char *dst = g_strdup(target);
    virDomainDiskDef *disk;
    libxl_device_disk x_disk;
    g_autofree char *alias = NULL;
    int idx;
    int rc;
    int ret = -1;

    libxl_device_disk_init(&x_disk);

    if ((idx = virDomainDiskIndexByName(vm->def, dst, false)) < 0) {
        virReportError(VIR_ERR_DEVICE_MISSING,
                       _("disk %s not found"), dst);
        goto cleanup;
    }
    disk = vm->def->disks[idx];
    if (disk->device != VIR_DOMAIN_DISK_DEVICE_DISK) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("the %s drive %s cannot be removed from a running Xen domain: eject its media instead (change-media --eject)"),
                       virDomainDiskDeviceTypeToString(disk->device), disk->dst);
        goto cleanup;
    }
    if (disk->bus != VIR_DOMAIN_DISK_BUS_XEN) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk %s on bus '%s' cannot be unplugged from a running Xen domain; only paravirtual disks (bus='xen') can"),
                       disk->dst, virDomainDiskBusTypeToString(disk->bus));
        goto cleanup;
    }

    /* the disk as libxl made it: libxl removes a disk by its backend
     * (phy, qdisk), which it chose at attach when the XML named none */
    if (libxl_vdev_to_device_disk(cfg->ctx, vm->def->id, dst, &x_disk) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("disk %s of domain '%s' is not known to libxenlight"),
                         dst, vm->def->name);
        goto cleanup;
    }

    alias = g_strdup(disk->info.alias);
    libxlLoggerResetLastError();
    rc = libxlDomainAORun(vm, cfg->ctx, "detach-disk",
                          libxlHotplugDiskRemove, &x_disk);
    /* the domain was unlocked: find the disk again */
    idx = virDomainDiskIndexByName(vm->def, dst, false);
    if (rc != 0) {
        if (rc == ERROR_TIMEDOUT)
            libxlReportError(VIR_ERR_OPERATION_TIMEOUT,
                             _("domain '%s' did not release disk %s; it stays attached"),
                             vm->def->name, dst);
        else
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("libxenlight failed to detach disk %s from domain '%s'"),
                             dst, vm->def->name);
        libxlHotplugQueueRemoved(driver, vm, alias, false);
        goto cleanup;
    }

    if (idx >= 0) {
        disk = virDomainDiskRemove(vm->def, idx);
        if (virDomainLockImageDetach(driver->lockManager, vm, disk->src) < 0)
            VIR_WARN("cannot release the lease of %s", NULLSTR(disk->src->path));
        virDomainDiskDefFree(disk);
    }
    libxlHotplugQueueRemoved(driver, vm, alias, true);
    ret = 0;

 cleanup:
    libxl_device_disk_dispose(&x_disk);
    return ret;
}


/* update-device, change-media: the media of an HVM guest's emulated
 * CD-ROM drive (an empty source ejects it) */
static int
libxlHotplugChangeMedia(libxlDriverPrivate *driver,
                        libxlDriverConfig *cfg,
                        virDomainObj *vm,
                        virDomainDiskDef *disk)
{
    virDomainDiskDef *orig;
    libxlBuildParams params;
    libxl_device_disk x_disk;
    int ret = -1;

    libxl_device_disk_init(&x_disk);

    if (!(orig = virDomainDiskByTarget(vm->def, disk->dst))) {
        virReportError(VIR_ERR_DEVICE_MISSING,
                       _("disk %s not found"), disk->dst);
        goto cleanup;
    }
    if (orig->device != VIR_DOMAIN_DISK_DEVICE_CDROM) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk %s is a %s: only a CD-ROM drive's media can be changed in a running Xen domain"),
                       orig->dst, virDomainDiskDeviceTypeToString(orig->device));
        goto cleanup;
    }
    if (vm->def->os.type != VIR_DOMAIN_OSTYPE_HVM) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("the media of CD-ROM drive %s cannot be changed: libxl changes the media of an HVM guest's emulated drives, and domain '%s' is not HVM"),
                       orig->dst, vm->def->name);
        goto cleanup;
    }
    if (disk->device != VIR_DOMAIN_DISK_DEVICE_CDROM || disk->bus != orig->bus) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk %s: only its media can change (device and bus stay '%s', '%s')"),
                       orig->dst, virDomainDiskDeviceTypeToString(orig->device),
                       virDomainDiskBusTypeToString(orig->bus));
        goto cleanup;
    }
    if (virDomainDiskTranslateSourcePool(disk) < 0)
        goto cleanup;

    libxlHotplugBuildParams(driver, cfg, &params);
    if (libxlBuildDisk(disk, &params, &x_disk) < 0)
        goto cleanup;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "change-media",
                         libxlHotplugCdromInsert, &x_disk) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         virStorageSourceIsEmpty(disk->src) ?
                         _("libxenlight failed to eject the media of %s in domain '%s'") :
                         _("libxenlight failed to change the media of %s in domain '%s'"),
                         disk->dst, vm->def->name);
        goto cleanup;
    }

    if ((orig = virDomainDiskByTarget(vm->def, disk->dst))) {
        virObjectUnref(orig->src);
        orig->src = g_steal_pointer(&disk->src);
    }
    ret = 0;

 cleanup:
    libxl_device_disk_dispose(&x_disk);
    return ret;
}


/* ---- interfaces --------------------------------------------------- */

static int
libxlHotplugAttachNetLive(libxlDriverPrivate *driver,
                          libxlDriverConfig *cfg,
                          virDomainObj *vm,
                          virDomainDeviceDef *dev)
{
    virDomainNetDef *net = dev->data.net;
    g_autoptr(virConnect) netconn = NULL;
    libxlBuildParams params;
    libxl_device_nic x_nic;
    char mac[VIR_MAC_STRING_BUFLEN];
    bool allocated = false;
    int ret = -1;

    libxl_device_nic_init(&x_nic);
    virMacAddrFormat(&net->mac, mac);

    if (virDomainHasNet(vm->def, net)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("network device with mac %s already exists"), mac);
        goto cleanup;
    }

    if (net->type == VIR_DOMAIN_NET_TYPE_NETWORK) {
        if (!(netconn = virGetConnectNetwork()))
            goto cleanup;
        if (virDomainNetAllocateActualDevice(netconn, vm->def, net) < 0)
            goto cleanup;
        allocated = true;
    }
    if (virDomainNetGetActualType(net) == VIR_DOMAIN_NET_TYPE_HOSTDEV) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("interface %s is a PCI device of its network: it cannot be added to a running Xen domain"),
                       mac);
        goto cleanup;
    }

    libxlHotplugBuildParams(driver, cfg, &params);
    if (libxlBuildNic(vm->def, net, &params, true, &x_nic) < 0)
        goto cleanup;
    /* libxl gives it the next free devid (and writes it back) */
    x_nic.devid = -1;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "attach-interface",
                         libxlHotplugNicAdd, &x_nic) != 0) {
        virErrorPtr saved;

        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to attach interface %s to domain '%s'"),
                         mac, vm->def->name);
        /* libxl leaves a nic whose hotplug script failed half made (its
         * backend waiting in xenstore, netback's vif): take it away, or
         * the guest keeps a dead interface libvirt does not know of */
        virErrorPreserveLast(&saved);
        if (x_nic.devid >= 0 && virDomainObjIsActive(vm) &&
            libxlDomainAORun(vm, cfg->ctx, "attach-interface",
                             libxlHotplugNicDestroy, &x_nic) != 0)
            VIR_WARN("cannot remove the half attached interface %s of domain '%s'",
                     mac, vm->def->name);
        virErrorRestore(&saved);
        goto cleanup;
    }

    if (!net->ifname)
        net->ifname = g_strdup_printf("vif%d.%d", vm->def->id, x_nic.devid);
    if (!net->info.alias)
        net->info.alias = g_strdup_printf("net%d", x_nic.devid);
    if (virDomainNetInsert(vm->def, net) < 0)
        goto cleanup;
    dev->data.net = NULL;
    allocated = false;
    ret = 0;

 cleanup:
    if (allocated) {
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        virDomainNetReleaseActualDevice(netconn, vm->def, net);
        virErrorRestore(&saved);
    }
    libxl_device_nic_dispose(&x_nic);
    return ret;
}


static int
libxlHotplugDetachNetLive(libxlDriverPrivate *driver,
                          libxlDriverConfig *cfg,
                          virDomainObj *vm,
                          virDomainNetDef *match)
{
    virDomainNetDef *net;
    g_autoptr(virConnect) netconn = NULL;
    libxl_device_nic x_nic;
    char mac[VIR_MAC_STRING_BUFLEN];
    g_autofree char *alias = NULL;
    virMacAddr macaddr;
    int idx;
    int rc;
    int ret = -1;

    libxl_device_nic_init(&x_nic);

    if ((idx = virDomainNetFindIdx(vm->def, match)) < 0)
        goto cleanup;
    net = vm->def->nets[idx];
    virMacAddrFormat(&net->mac, mac);
    macaddr = net->mac;
    if (virDomainNetGetActualType(net) == VIR_DOMAIN_NET_TYPE_HOSTDEV) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("interface %s is a PCI device: it cannot be removed from a running Xen domain"),
                       mac);
        goto cleanup;
    }

    /* the devid libxl gave it, found by its MAC in xenstore */
    if (libxl_mac_to_device_nic(cfg->ctx, vm->def->id, mac, &x_nic) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("interface %s of domain '%s' is not known to libxenlight"),
                         mac, vm->def->name);
        goto cleanup;
    }

    alias = g_strdup(net->info.alias);
    libxlLoggerResetLastError();
    rc = libxlDomainAORun(vm, cfg->ctx, "detach-interface",
                          libxlHotplugNicRemove, &x_nic);
    if (rc != 0) {
        libxlReportError(rc == ERROR_TIMEDOUT ? VIR_ERR_OPERATION_TIMEOUT :
                         VIR_ERR_OPERATION_FAILED,
                         _("libxenlight failed to detach interface %s from domain '%s'"),
                         mac, vm->def->name);
        libxlHotplugQueueRemoved(driver, vm, alias, false);
        goto cleanup;
    }

    /* the domain was unlocked: find the interface again */
    for (idx = 0; idx < vm->def->nnets; idx++) {
        if (virMacAddrCmp(&vm->def->nets[idx]->mac, &macaddr) == 0)
            break;
    }
    if (idx < vm->def->nnets) {
        net = vm->def->nets[idx];
        if (net->type == VIR_DOMAIN_NET_TYPE_NETWORK &&
            (netconn = virGetConnectNetwork()))
            virDomainNetReleaseActualDevice(netconn, vm->def, net);
        virDomainNetRemove(vm->def, idx);
        virDomainNetDefFree(net);
    }
    libxlHotplugQueueRemoved(driver, vm, alias, true);
    ret = 0;

 cleanup:
    libxl_device_nic_dispose(&x_nic);
    return ret;
}


/* ---- live dispatch ------------------------------------------------ */

static int
libxlHotplugAttachLive(libxlDriverPrivate *driver,
                       libxlDriverConfig *cfg,
                       virDomainObj *vm,
                       virDomainDeviceDef *dev)
{
    switch ((int) dev->type) { /* the kinds Xen has; the rest by default */
    case VIR_DOMAIN_DEVICE_DISK:
        return libxlHotplugAttachDiskLive(driver, cfg, vm, dev);
    case VIR_DOMAIN_DEVICE_NET:
        return libxlHotplugAttachNetLive(driver, cfg, vm, dev);
    case VIR_DOMAIN_DEVICE_HOSTDEV:
        return libxlHostdevAttachLive(driver, cfg, vm, dev);
    case VIR_DOMAIN_DEVICE_CONTROLLER:
        return libxlHostdevAttachControllerLive(driver, cfg, vm, dev);
    case VIR_DOMAIN_DEVICE_CHR:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("libxl cannot add a console, serial port or channel to a running domain; attach it with --config for the next start"));
        return -1;
    default:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a device of type '%s' cannot be added to a running Xen domain"),
                       virDomainDeviceTypeToString(dev->type));
        return -1;
    }
}


static int
libxlHotplugDetachLive(libxlDriverPrivate *driver,
                       libxlDriverConfig *cfg,
                       virDomainObj *vm,
                       virDomainDeviceDef *dev)
{
    switch ((int) dev->type) { /* the kinds Xen has; the rest by default */
    case VIR_DOMAIN_DEVICE_DISK:
        return libxlHotplugDetachDiskLive(driver, cfg, vm, dev->data.disk->dst);
    case VIR_DOMAIN_DEVICE_NET:
        return libxlHotplugDetachNetLive(driver, cfg, vm, dev->data.net);
    case VIR_DOMAIN_DEVICE_HOSTDEV:
        return libxlHostdevDetachLive(driver, cfg, vm, dev);
    case VIR_DOMAIN_DEVICE_CONTROLLER:
        return libxlHostdevDetachControllerLive(driver, cfg, vm, dev);
    case VIR_DOMAIN_DEVICE_CHR:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("libxl cannot remove a console, serial port or channel from a running domain; detach it with --config for the next start"));
        return -1;
    default:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a device of type '%s' cannot be removed from a running Xen domain"),
                       virDomainDeviceTypeToString(dev->type));
        return -1;
    }
}


/* ---- persistent configuration ------------------------------------- */

static int
libxlHotplugAttachConfig(virDomainDef *vmdef, virDomainDeviceDef *dev)
{
    switch ((int) dev->type) { /* the kinds Xen has; the rest by default */
    case VIR_DOMAIN_DEVICE_DISK: {
        virDomainDiskDef *disk = dev->data.disk;

        if (virDomainDiskIndexByName(vmdef, disk->dst, true) >= 0) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("target %s already exists"), disk->dst);
            return -1;
        }
        virDomainDiskInsert(vmdef, disk);
        dev->data.disk = NULL;
        return 0;
    }
    case VIR_DOMAIN_DEVICE_NET: {
        virDomainNetDef *net = dev->data.net;
        char mac[VIR_MAC_STRING_BUFLEN];

        if (virDomainHasNet(vmdef, net)) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("network device with mac %s already exists"),
                           virMacAddrFormat(&net->mac, mac));
            return -1;
        }
        if (virDomainNetInsert(vmdef, net) < 0)
            return -1;
        dev->data.net = NULL;
        return 0;
    }
    case VIR_DOMAIN_DEVICE_HOSTDEV: {
        virDomainHostdevDef *hostdev = dev->data.hostdev;

        if (virDomainHostdevFind(vmdef, hostdev, NULL) >= 0) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("the host device is already in the domain's configuration"));
            return -1;
        }
        if (virDomainHostdevInsert(vmdef, hostdev) < 0)
            return -1;
        dev->data.hostdev = NULL;
        return 0;
    }
    case VIR_DOMAIN_DEVICE_CONTROLLER: {
        virDomainControllerDef *ctrl = dev->data.controller;

        if (virDomainControllerFind(vmdef, ctrl->type, ctrl->idx) >= 0) {
            virReportError(VIR_ERR_OPERATION_INVALID,
                           _("a %s controller of index %d already exists"),
                           virDomainControllerTypeToString(ctrl->type), ctrl->idx);
            return -1;
        }
        virDomainControllerInsert(vmdef, ctrl);
        dev->data.controller = NULL;
        return 0;
    }
    case VIR_DOMAIN_DEVICE_CHR: {
        virDomainChrDef *chr = dev->data.chr;

        if (virDomainChrFind(vmdef, chr)) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("the character device is already in the domain's configuration"));
            return -1;
        }
        if (virDomainChrPreAlloc(vmdef, chr) < 0)
            return -1;
        virDomainChrInsertPreAlloced(vmdef, chr);
        dev->data.chr = NULL;
        return 0;
    }
    default:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a device of type '%s' cannot be added to a Xen domain's configuration here"),
                       virDomainDeviceTypeToString(dev->type));
        return -1;
    }
}


static int
libxlHotplugDetachConfig(virDomainDef *vmdef, virDomainDeviceDef *dev)
{
    int idx;

    switch ((int) dev->type) { /* the kinds Xen has; the rest by default */
    case VIR_DOMAIN_DEVICE_DISK:
        if ((idx = virDomainDiskIndexByName(vmdef, dev->data.disk->dst, false)) < 0) {
            virReportError(VIR_ERR_DEVICE_MISSING,
                           _("no target device %s"), dev->data.disk->dst);
            return -1;
        }
        virDomainDiskDefFree(virDomainDiskRemove(vmdef, idx));
        return 0;
    case VIR_DOMAIN_DEVICE_NET:
        if ((idx = virDomainNetFindIdx(vmdef, dev->data.net)) < 0)
            return -1;
        virDomainNetDefFree(virDomainNetRemove(vmdef, idx));
        return 0;
    case VIR_DOMAIN_DEVICE_HOSTDEV: {
        virDomainHostdevDef *found = NULL;

        if ((idx = virDomainHostdevFind(vmdef, dev->data.hostdev, &found)) < 0) {
            virReportError(VIR_ERR_DEVICE_MISSING, "%s",
                           _("the host device is not in the domain's configuration"));
            return -1;
        }
        virDomainHostdevDefFree(virDomainHostdevRemove(vmdef, idx));
        return 0;
    }
    case VIR_DOMAIN_DEVICE_CONTROLLER:
        if ((idx = virDomainControllerFind(vmdef, dev->data.controller->type,
                                           dev->data.controller->idx)) < 0) {
            virReportError(VIR_ERR_DEVICE_MISSING,
                           _("no %s controller of index %d"),
                           virDomainControllerTypeToString(dev->data.controller->type),
                           dev->data.controller->idx);
            return -1;
        }
        virDomainControllerDefFree(virDomainControllerRemove(vmdef, idx));
        return 0;
    case VIR_DOMAIN_DEVICE_CHR: {
        virDomainChrDef *chr;

        if (!(chr = virDomainChrRemove(vmdef, dev->data.chr)))
            return -1;
        virDomainChrDefFree(chr);
        return 0;
    }
    default:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a device of type '%s' cannot be removed from a Xen domain's configuration here"),
                       virDomainDeviceTypeToString(dev->type));
        return -1;
    }
}


static int
libxlHotplugUpdateConfig(virDomainDef *vmdef, virDomainDeviceDef *dev)
{
    switch ((int) dev->type) { /* the kinds Xen has; the rest by default */
    case VIR_DOMAIN_DEVICE_DISK: {
        virDomainDiskDef *disk = dev->data.disk;
        virDomainDiskDef *orig;

        if (!(orig = virDomainDiskByTarget(vmdef, disk->dst))) {
            virReportError(VIR_ERR_DEVICE_MISSING,
                           _("no target device %s"), disk->dst);
            return -1;
        }
        if (orig->device != disk->device || orig->bus != disk->bus) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           _("disk %s: update-device changes its source; detach and attach it to change its device or bus"),
                           disk->dst);
            return -1;
        }
        virObjectUnref(orig->src);
        orig->src = g_steal_pointer(&disk->src);
        return 0;
    }
    case VIR_DOMAIN_DEVICE_NET: {
        int idx;

        virDomainNetDef *old;

        if ((idx = virDomainNetFindIdx(vmdef, dev->data.net)) < 0)
            return -1;
        old = vmdef->nets[idx];
        if (virDomainNetUpdate(vmdef, idx, dev->data.net) < 0)
            return -1;
        virDomainNetDefFree(old);
        dev->data.net = NULL;
        return 0;
    }
    default:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("a device of type '%s' cannot be updated in a Xen domain's configuration"),
                       virDomainDeviceTypeToString(dev->type));
        return -1;
    }
}


/* ---- entry points ------------------------------------------------- */

static const char *const libxlHotplugJobNames[] = {
    "attach-device", "detach-device", "update-device",
};


/*
 * libxlHotplugPersistent:
 * The persistent definition with @dev applied, validated as define
 * validates, not yet saved.
 */
static virDomainDef *
libxlHotplugPersistent(libxlDriverPrivate *driver,
                       virDomainObj *vm,
                       virDomainDeviceDef *dev,
                       libxlHotplugAction action)
{
    g_autoptr(virDomainDef) vmdef = NULL;
    int rc = -1;

    if (!(vmdef = virDomainObjCopyPersistentDef(vm, driver->xmlopt, NULL)))
        return NULL;

    switch (action) {
    case LIBXL_HOTPLUG_ATTACH:
        rc = libxlHotplugAttachConfig(vmdef, dev);
        break;
    case LIBXL_HOTPLUG_DETACH:
        rc = libxlHotplugDetachConfig(vmdef, dev);
        break;
    case LIBXL_HOTPLUG_UPDATE:
        rc = libxlHotplugUpdateConfig(vmdef, dev);
        break;
    }
    if (rc < 0)
        return NULL;

    if (virDomainDefPostParse(vmdef, VIR_DOMAIN_DEF_PARSE_INACTIVE |
                              VIR_DOMAIN_DEF_PARSE_ABI_UPDATE,
                              driver->xmlopt, NULL) < 0 ||
        virDomainDefValidate(vmdef, VIR_DOMAIN_DEF_PARSE_INACTIVE,
                             driver->xmlopt, NULL) < 0 ||
        libxlDomainDefValidateAll(vmdef) < 0)
        return NULL;

    return g_steal_pointer(&vmdef);
}


static int
libxlHotplugLive(libxlDriverPrivate *driver,
                 libxlDriverConfig *cfg,
                 virDomainObj *vm,
                 virDomainDeviceDef *dev,
                 libxlHotplugAction action)
{
    switch (action) {
    case LIBXL_HOTPLUG_ATTACH:
        if (virDomainDefCompatibleDevice(vm->def, dev, NULL,
                                         VIR_DOMAIN_DEVICE_ACTION_ATTACH, true) < 0)
            return -1;
        return libxlHotplugAttachLive(driver, cfg, vm, dev);
    case LIBXL_HOTPLUG_DETACH:
        return libxlHotplugDetachLive(driver, cfg, vm, dev);
    case LIBXL_HOTPLUG_UPDATE:
        if (dev->type != VIR_DOMAIN_DEVICE_DISK) {
            virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                           _("a running Xen domain's %s cannot be updated; only the media of a CD-ROM drive can"),
                           virDomainDeviceTypeToString(dev->type));
            return -1;
        }
        return libxlHotplugChangeMedia(driver, cfg, vm, dev->data.disk);
    }
    return -1;
}


/*
 * libxlDomainHotplugWork:
 * attach-device, detach-device and update-device, once the entry point
 * in libxl_driver.c has looked @vm up and checked the caller's ACL: the
 * persistent change prepared (and validated) first, the live one made,
 * the persistent one saved; a failure leaves both definitions as they
 * were.  @xml is the device, or NULL with @alias naming one of the
 * domain's devices.  The caller ends the API on @vm.
 */
int
libxlDomainHotplugWork(libxlDriverPrivate *driver,
                       virDomainObj *vm,
                       const char *xml,
                       const char *alias,
                       unsigned int flags,
                       libxlHotplugAction action)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    unsigned int parseFlags = VIR_DOMAIN_DEF_PARSE_INACTIVE;
    g_autoptr(virDomainDef) vmdef = NULL;
    g_autoptr(virDomainDeviceDef) devLive = NULL;
    g_autoptr(virDomainDeviceDef) devConf = NULL;
    virDomainDeviceDef liveFound;
    virDomainDeviceDef confFound;
    virDomainDeviceDef *live = NULL;
    virDomainDeviceDef *conf = NULL;
    int ret = -1;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY,
                               libxlHotplugJobNames[action]) < 0)
        return -1;

    if (virDomainObjUpdateModificationImpact(vm, &flags) < 0)
        goto endjob;

    if ((flags & VIR_DOMAIN_AFFECT_CONFIG) &&
        libxlDomainNameCheck(vm->def->name) < 0)
        goto endjob;

    if (alias) {
        /* the device the alias names, in each definition affected (not
         * copies: the detach finds it again by its target, MAC, address) */
        if (flags & VIR_DOMAIN_AFFECT_LIVE) {
            if (virDomainDefFindDevice(vm->def, alias, &liveFound, true) < 0)
                goto endjob;
            live = &liveFound;
        }
        if (flags & VIR_DOMAIN_AFFECT_CONFIG) {
            if (virDomainDefFindDevice(vm->newDef ? vm->newDef : vm->def,
                                       alias, &confFound, true) < 0)
                goto endjob;
            conf = &confFound;
        }
    } else {
        if (flags & VIR_DOMAIN_AFFECT_LIVE &&
            !(live = devLive = virDomainDeviceDefParse(xml, vm->def, driver->xmlopt,
                                                       NULL, parseFlags)))
            goto endjob;
        if (flags & VIR_DOMAIN_AFFECT_CONFIG &&
            !(conf = devConf = virDomainDeviceDefParse(xml, vm->def, driver->xmlopt,
                                                       NULL, parseFlags)))
            goto endjob;
    }

    if (action == LIBXL_HOTPLUG_ATTACH && live &&
        virDomainDeviceValidateAliasForHotplug(vm, live,
                                               VIR_DOMAIN_AFFECT_LIVE) < 0)
        goto endjob;

    if (conf &&
        !(vmdef = libxlHotplugPersistent(driver, vm, conf, action)))
        goto endjob;

    if (live) {
        if (libxlHotplugLive(driver, cfg, vm, live, action) < 0)
            goto endjob;
        if (libxlDomainSaveStatus(driver, vm) < 0)
            VIR_WARN("cannot save the status of domain '%s'", vm->def->name);
    }

    if (vmdef) {
        if (virDomainDefSave(vmdef, driver->xmlopt, cfg->configDir) < 0)
            goto endjob;
        if (vm->newDef) {
            virDomainDefFree(vm->newDef);
            vm->newDef = g_steal_pointer(&vmdef);
        } else if (!virDomainObjIsActive(vm)) {
            virDomainDefFree(vm->def);
            vm->def = g_steal_pointer(&vmdef);
        } else {
            vm->newDef = g_steal_pointer(&vmdef);
        }
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
    return ret;
}

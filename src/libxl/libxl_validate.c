/*
 * libxl_validate.c: the domain definition rules Xen imposes
 *
 * The post-parse callbacks give a parsed definition the defaults a Xen
 * guest has (a PV console, PS/2 or PV input, a xen balloon and xenbus,
 * a video card that exists on that guest type, raw disks).  The validate
 * callbacks refuse, at define time, what libxl cannot build, with an
 * error that names the element and attribute at fault.  What depends on
 * the host (emulator, ports, networks, USB devices) is checked when the
 * guest starts, by libxl_build.c.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "viralloc.h"
#include "virerror.h"
#include "virlog.h"
#include "virstring.h"
#include "virxml.h"
#include "virbuffer.h"
#include "libxl_validate.h"
#include "libxl_build.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_validate");


static bool
libxlValidateIsHVM(const virDomainDef *def)
{
    return def->os.type == VIR_DOMAIN_OSTYPE_HVM;
}


/* A name for a disk in messages: its target, or its source. */
static const char *
libxlValidateDiskName(const virDomainDiskDef *disk)
{
    if (disk->dst)
        return disk->dst;
    if (disk->src && disk->src->path)
        return disk->src->path;
    return "?";
}


/* virDomainChrChannelTargetType names (libvirt does not export them). */
const char *
libxlChannelTargetTypeName(int type)
{
    switch ((virDomainChrChannelTargetType) type) {
    case VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_NONE:
        return "none";
    case VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_GUESTFWD:
        return "guestfwd";
    case VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_VIRTIO:
        return "virtio";
    case VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_XEN:
        return "xen";
    case VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_LAST:
        break;
    }
    return "?";
}


/* ---- post-parse: Xen's defaults ---------------------------------------- */

static int
libxlDomainDefAddPVConsole(virDomainDef *def)
{
    virDomainChrDef *console;

    if (!(console = virDomainChrDefNew(NULL)))
        return -1;

    console->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE;
    console->targetType = VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_XEN;
    console->target.port = 0;
    console->source->type = VIR_DOMAIN_CHR_TYPE_PTY;

    VIR_APPEND_ELEMENT(def->consoles, def->nconsoles, console);
    return 0;
}


int
libxlDomainDefPostParse(virDomainDef *def,
                        unsigned int parseFlags G_GNUC_UNUSED,
                        void *opaque G_GNUC_UNUSED,
                        void *parseOpaque G_GNUC_UNUSED)
{
    virDomainInputBus inputBus = libxlValidateIsHVM(def) ?
        VIR_DOMAIN_INPUT_BUS_PS2 : VIR_DOMAIN_INPUT_BUS_XEN;

    /* every PV and PVH guest has its PV console */
    if (!libxlValidateIsHVM(def) && def->nconsoles == 0 &&
        libxlDomainDefAddPVConsole(def) < 0)
        return -1;

    /* PS/2 of the device model, or the PV keyboard and mouse (vkb) */
    if (virDomainDefMaybeAddInput(def, VIR_DOMAIN_INPUT_TYPE_MOUSE, inputBus) < 0 ||
        virDomainDefMaybeAddInput(def, VIR_DOMAIN_INPUT_TYPE_KBD, inputBus) < 0)
        return -1;

    if (libxlValidateIsHVM(def) && def->os.arch == VIR_ARCH_X86_64) {
        /* a 64-bit HVM guest needs PAE; vNUMA is described through ACPI */
        def->features[VIR_DOMAIN_FEATURE_PAE] = VIR_TRISTATE_SWITCH_ON;
        if (virDomainNumaGetNodeCount(def->numa) > 0)
            def->features[VIR_DOMAIN_FEATURE_ACPI] = VIR_TRISTATE_SWITCH_ON;
    }

    /* the xen balloon driver is always there */
    if (!def->memballoon) {
        def->memballoon = g_new0(virDomainMemballoonDef, 1);
        def->memballoon->model = VIR_DOMAIN_MEMBALLOON_MODEL_XEN;
    }

    /* xenbus carries the grant frame and event channel limits */
    if (virDomainControllerFindByType(def, VIR_DOMAIN_CONTROLLER_TYPE_XENBUS) < 0 &&
        !virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_XENBUS, -1, -1))
        return -1;

    return 0;
}


/* The smallest vram (KiB) qemu-xen accepts for an HVM card, 0 if none. */
static unsigned int
libxlValidateVideoMinVram(virDomainVideoType type)
{
    switch (type) {
    case VIR_DOMAIN_VIDEO_TYPE_VGA:
    case VIR_DOMAIN_VIDEO_TYPE_XEN:
        return 16 * 1024;
    case VIR_DOMAIN_VIDEO_TYPE_CIRRUS:
        return 8 * 1024;
    case VIR_DOMAIN_VIDEO_TYPE_QXL:
        return 128 * 1024;
    case VIR_DOMAIN_VIDEO_TYPE_DEFAULT:
    case VIR_DOMAIN_VIDEO_TYPE_VMVGA:
    case VIR_DOMAIN_VIDEO_TYPE_VBOX:
    case VIR_DOMAIN_VIDEO_TYPE_PARALLELS:
    case VIR_DOMAIN_VIDEO_TYPE_VIRTIO:
    case VIR_DOMAIN_VIDEO_TYPE_GOP:
    case VIR_DOMAIN_VIDEO_TYPE_NONE:
    case VIR_DOMAIN_VIDEO_TYPE_BOCHS:
    case VIR_DOMAIN_VIDEO_TYPE_RAMFB:
    case VIR_DOMAIN_VIDEO_TYPE_LAST:
        break;
    }
    return 0;
}


static void
libxlDomainVideoDefPostParse(virDomainVideoDef *video, const virDomainDef *def)
{
    if (video->type == VIR_DOMAIN_VIDEO_TYPE_DEFAULT) {
        /* a PV guest's display is its PV framebuffer */
        if (!libxlValidateIsHVM(def))
            video->type = VIR_DOMAIN_VIDEO_TYPE_XEN;
        else if (ARCH_IS_PPC64(def->os.arch))
            video->type = VIR_DOMAIN_VIDEO_TYPE_VGA;
        else
            video->type = VIR_DOMAIN_VIDEO_TYPE_CIRRUS;
    }

    if (libxlValidateIsHVM(def) && video->vram == 0)
        video->vram = libxlValidateVideoMinVram(video->type);
}


static void
libxlDomainDiskDefPostParse(virDomainDiskDef *disk)
{
    /* only qemu (qdisk) reads network disks */
    if (virStorageSourceGetActualType(disk->src) == VIR_STORAGE_TYPE_NETWORK &&
        !virDomainDiskGetDriver(disk))
        virDomainDiskSetDriver(disk, "qemu");

    /* xl-disk-configuration(5): the format defaults to raw */
    if (virDomainDiskGetFormat(disk) == VIR_STORAGE_FILE_NONE)
        virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_RAW);
}


static virDomainHostdevDef *
libxlValidateDeviceHostdev(const virDomainDeviceDef *dev)
{
    if (dev->type == VIR_DOMAIN_DEVICE_HOSTDEV)
        return dev->data.hostdev;
    if (dev->type == VIR_DOMAIN_DEVICE_NET &&
        dev->data.net->type == VIR_DOMAIN_NET_TYPE_HOSTDEV)
        return &dev->data.net->data.hostdev.def;
    return NULL;
}


int
libxlDomainDeviceDefPostParse(virDomainDeviceDef *dev,
                              const virDomainDef *def,
                              unsigned int parseFlags G_GNUC_UNUSED,
                              void *opaque G_GNUC_UNUSED,
                              void *parseOpaque G_GNUC_UNUSED)
{
    virDomainHostdevDef *hostdev = libxlValidateDeviceHostdev(dev);

    switch ((virDomainDeviceType) dev->type) {
    case VIR_DOMAIN_DEVICE_CHR:
        /* a console without a target type on a PV(H) guest is the PV one */
        if (dev->data.chr->deviceType == VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE &&
            dev->data.chr->targetType == VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_NONE &&
            !libxlValidateIsHVM(def))
            dev->data.chr->targetType = VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_XEN;
        break;

    case VIR_DOMAIN_DEVICE_VIDEO:
        libxlDomainVideoDefPostParse(dev->data.video, def);
        break;

    case VIR_DOMAIN_DEVICE_DISK:
        libxlDomainDiskDefPostParse(dev->data.disk);
        break;

    case VIR_DOMAIN_DEVICE_HOSTDEV:
    case VIR_DOMAIN_DEVICE_NET:
        /* PCI devices are assigned through pciback */
        if (hostdev &&
            hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS &&
            hostdev->source.subsys.type == VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI &&
            hostdev->source.subsys.u.pci.backend == VIR_DOMAIN_HOSTDEV_PCI_BACKEND_DEFAULT)
            hostdev->source.subsys.u.pci.backend = VIR_DOMAIN_HOSTDEV_PCI_BACKEND_XEN;
        break;

    case VIR_DOMAIN_DEVICE_NONE:
    case VIR_DOMAIN_DEVICE_LEASE:
    case VIR_DOMAIN_DEVICE_FS:
    case VIR_DOMAIN_DEVICE_INPUT:
    case VIR_DOMAIN_DEVICE_SOUND:
    case VIR_DOMAIN_DEVICE_WATCHDOG:
    case VIR_DOMAIN_DEVICE_CONTROLLER:
    case VIR_DOMAIN_DEVICE_GRAPHICS:
    case VIR_DOMAIN_DEVICE_HUB:
    case VIR_DOMAIN_DEVICE_REDIRDEV:
    case VIR_DOMAIN_DEVICE_SMARTCARD:
    case VIR_DOMAIN_DEVICE_MEMBALLOON:
    case VIR_DOMAIN_DEVICE_NVRAM:
    case VIR_DOMAIN_DEVICE_RNG:
    case VIR_DOMAIN_DEVICE_SHMEM:
    case VIR_DOMAIN_DEVICE_TPM:
    case VIR_DOMAIN_DEVICE_PANIC:
    case VIR_DOMAIN_DEVICE_MEMORY:
    case VIR_DOMAIN_DEVICE_IOMMU:
    case VIR_DOMAIN_DEVICE_VSOCK:
    case VIR_DOMAIN_DEVICE_AUDIO:
    case VIR_DOMAIN_DEVICE_LAST:
        break;
    }

    return 0;
}


/* ---- validation: what Xen cannot do ------------------------------------ */

static int libxlValidateChr(const virDomainChrDef *chr, const virDomainDef *def);

static int
libxlValidateFirmware(const virDomainDef *def)
{
    bool efi = def->os.firmware == VIR_DOMAIN_OS_DEF_FIRMWARE_EFI ||
               virDomainDefHasOldStyleUEFI(def);
    bool secure = false;

    if (def->os.firmware == VIR_DOMAIN_OS_DEF_FIRMWARE_EFI && def->os.firmwareFeatures &&
        def->os.firmwareFeatures[VIR_DOMAIN_OS_DEF_FIRMWARE_FEATURE_SECURE_BOOT] ==
        VIR_TRISTATE_BOOL_YES)
        secure = true;
    if (def->os.loader && def->os.loader->secure == VIR_TRISTATE_BOOL_YES)
        secure = true;

    if (secure) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("secure boot (<loader secure='yes'>) is not supported by Xen"));
        return -1;
    }

    if (!libxlValidateIsHVM(def)) {
        if (efi) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("UEFI firmware (<os firmware='efi'> or <loader type='pflash'>) needs an HVM guest, not os type '%s'"),
                           virDomainOSTypeToString(def->os.type));
            return -1;
        }
        if (def->os.nBootDevs > 1 ||
            (def->os.nBootDevs == 1 && def->os.bootDevs[0] != VIR_DOMAIN_BOOT_DISK)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("<boot dev='%s'> needs an HVM guest, not os type '%s'"),
                           virDomainBootTypeToString(def->os.bootDevs[def->os.nBootDevs - 1]),
                           virDomainOSTypeToString(def->os.type));
            return -1;
        }
    } else if (def->os.bootloader) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<bootloader> '%s' needs a PV or PVH guest, not os type 'hvm'"),
                       def->os.bootloader);
        return -1;
    }

    return 0;
}


static int
libxlValidateClock(const virDomainDef *def)
{
    size_t i;

    switch ((virDomainClockOffsetType) def->clock.offset) {
    case VIR_DOMAIN_CLOCK_OFFSET_UTC:
    case VIR_DOMAIN_CLOCK_OFFSET_LOCALTIME:
    case VIR_DOMAIN_CLOCK_OFFSET_VARIABLE:
        break;
    case VIR_DOMAIN_CLOCK_OFFSET_TIMEZONE:
    case VIR_DOMAIN_CLOCK_OFFSET_ABSOLUTE:
    case VIR_DOMAIN_CLOCK_OFFSET_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <clock offset='%s'>, Xen has utc, localtime and variable"),
                       NULLSTR(virDomainClockOffsetTypeToString(def->clock.offset)));
        return -1;
    }

    for (i = 0; i < def->clock.ntimers; i++) {
        const virDomainTimerDef *timer = def->clock.timers[i];
        const char *name = virDomainTimerNameTypeToString(timer->name);

        if (timer->name == VIR_DOMAIN_TIMER_NAME_TSC)
            continue;
        if (timer->name == VIR_DOMAIN_TIMER_NAME_HPET) {
            if (!libxlValidateIsHVM(def)) {
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               _("<timer name='hpet'> needs an HVM guest, not os type '%s'"),
                               virDomainOSTypeToString(def->os.type));
                return -1;
            }
            continue;
        }
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <timer name='%s'>, Xen has tsc and hpet"),
                       NULLSTR(name));
        return -1;
    }
    return 0;
}


static int
libxlValidateFeatures(const virDomainDef *def)
{
    static const int unsupportedHyperv[] = {
        VIR_DOMAIN_HYPERV_VENDOR_ID,
        VIR_DOMAIN_HYPERV_REENLIGHTENMENT,
        VIR_DOMAIN_HYPERV_EVMCS,
        VIR_DOMAIN_HYPERV_AVIC,
    };
    size_t i;

    if (def->features[VIR_DOMAIN_FEATURE_HYPERV] != VIR_DOMAIN_HYPERV_MODE_NONE) {
        if (!libxlValidateIsHVM(def)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("<hyperv> (viridian) needs an HVM guest, not os type '%s'"),
                           virDomainOSTypeToString(def->os.type));
            return -1;
        }
        if (def->features[VIR_DOMAIN_FEATURE_HYPERV] != VIR_DOMAIN_HYPERV_MODE_CUSTOM) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("unsupported <hyperv mode='passthrough'>, Xen has mode='custom'"));
            return -1;
        }
        for (i = 0; i < G_N_ELEMENTS(unsupportedHyperv); i++) {
            if (def->hyperv_features[unsupportedHyperv[i]] == VIR_TRISTATE_SWITCH_ON) {
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               _("unsupported <hyperv> feature <%s>"),
                               virDomainHypervTypeToString(unsupportedHyperv[i]));
                return -1;
            }
        }
    }

    if (def->features[VIR_DOMAIN_FEATURE_XEN] == VIR_TRISTATE_SWITCH_ON &&
        def->xen_features[VIR_DOMAIN_XEN_E820_HOST] == VIR_TRISTATE_SWITCH_ON &&
        def->os.type != VIR_DOMAIN_OSTYPE_XEN && def->os.type != VIR_DOMAIN_OSTYPE_LINUX) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<xen><e820_host state='on'/> needs a PV guest, not os type '%s'"),
                       virDomainOSTypeToString(def->os.type));
        return -1;
    }

    return 0;
}


/* host-passthrough features become xl cpuid= policies: each must be a
 * name libxl knows (vmx and svm are nested HVM, not policies). */
static int
libxlValidateCPU(const virDomainDef *def)
{
    size_t i;

    if (!def->cpu || def->cpu->mode != VIR_CPU_MODE_HOST_PASSTHROUGH ||
        def->os.type == VIR_DOMAIN_OSTYPE_XEN || def->os.type == VIR_DOMAIN_OSTYPE_LINUX)
        return 0;

    for (i = 0; i < def->cpu->nfeatures; i++) {
        const char *name = def->cpu->features[i].name;
        libxl_cpuid_policy_list policy = NULL;
        g_autofree char *str = NULL;
        int rc;

        if (STREQ(name, "vmx") || STREQ(name, "svm"))
            continue;
        str = g_strdup_printf("%s=1", libxlBuildCPUFeatureName(name));
        rc = libxl_cpuid_parse_config(&policy, str);
        libxl_cpuid_dispose(&policy);
        if (rc != 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <cpu><feature name='%s'>, Xen does not know it"),
                           name);
            return -1;
        }
    }
    return 0;
}


int
libxlDomainDefValidate(const virDomainDef *def,
                       void *opaque G_GNUC_UNUSED,
                       void *parseOpaque G_GNUC_UNUSED)
{
    size_t i;

    if (def->virtType != VIR_DOMAIN_VIRT_XEN) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <domain type='%s'>, this driver runs type 'xen'"),
                       virDomainVirtTypeToString(def->virtType));
        return -1;
    }

    switch ((int) def->os.type) {
    case VIR_DOMAIN_OSTYPE_HVM:
    case VIR_DOMAIN_OSTYPE_XEN:
    case VIR_DOMAIN_OSTYPE_LINUX:
    case VIR_DOMAIN_OSTYPE_XENPVH:
        break;
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <os><type>%s</type>, Xen has hvm, xen (linux) and xenpvh"),
                       virDomainOSTypeToString(def->os.type));
        return -1;
    }

    if (libxlValidateFirmware(def) < 0 ||
        libxlValidateClock(def) < 0 ||
        libxlValidateFeatures(def) < 0)
        return -1;

    /* character devices first: a virtio channel should be named as
     * such, not through the virtio-serial controller implied for it */
    for (i = 0; i < def->nchannels; i++) {
        if (libxlValidateChr(def->channels[i], def) < 0)
            return -1;
    }
    for (i = 0; i < def->nconsoles; i++) {
        if (libxlValidateChr(def->consoles[i], def) < 0)
            return -1;
    }

    if (def->nsounds > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("%zu <sound> devices, Xen guests have at most one"),
                       def->nsounds);
        return -1;
    }

    if (def->nvideos > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("%zu <video> devices, Xen guests have one"),
                       def->nvideos);
        return -1;
    }

    if (libxlValidateCPU(def) < 0)
        return -1;

    if (def->os.slic_table && !libxlValidateIsHVM(def)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("<acpi><table type='slic'> needs an HVM guest"));
        return -1;
    }

    return 0;
}


static int
libxlValidateDiskFormat(const virDomainDiskDef *disk, const char *driver, int format)
{
    bool ok;

    if (!driver)
        return 0;

    if (STREQ(driver, "qemu") || STREQ(driver, "tap") || STREQ(driver, "tap2")) {
        ok = format == VIR_STORAGE_FILE_NONE || format == VIR_STORAGE_FILE_RAW ||
             format == VIR_STORAGE_FILE_QCOW || format == VIR_STORAGE_FILE_QCOW2 ||
             format == VIR_STORAGE_FILE_VHD || format == VIR_STORAGE_FILE_QED;
    } else if (STREQ(driver, "phy") || STREQ(driver, "file")) {
        ok = format == VIR_STORAGE_FILE_NONE || format == VIR_STORAGE_FILE_RAW;
    } else {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <driver name='%s'> for disk '%s', Xen has qemu, phy, file, tap and tap2"),
                       driver, libxlValidateDiskName(disk));
        return -1;
    }

    if (!ok) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <driver name='%s' type='%s'> for disk '%s'"),
                       driver, virStorageFileFormatTypeToString(format),
                       libxlValidateDiskName(disk));
        return -1;
    }
    return 0;
}


static int
libxlValidateDisk(virDomainDiskDef *disk, const virDomainDef *def)
{
    const char *name = libxlValidateDiskName(disk);
    bool busOK;

    switch ((virDomainDiskBus) disk->bus) {
    case VIR_DOMAIN_DISK_BUS_XEN:
        busOK = true;
        break;
    case VIR_DOMAIN_DISK_BUS_IDE:
    case VIR_DOMAIN_DISK_BUS_SCSI:
        /* emulated by the device model */
        busOK = libxlValidateIsHVM(def);
        break;
    case VIR_DOMAIN_DISK_BUS_NONE:
    case VIR_DOMAIN_DISK_BUS_FDC:
    case VIR_DOMAIN_DISK_BUS_VIRTIO:
    case VIR_DOMAIN_DISK_BUS_USB:
    case VIR_DOMAIN_DISK_BUS_UML:
    case VIR_DOMAIN_DISK_BUS_SATA:
    case VIR_DOMAIN_DISK_BUS_SD:
    case VIR_DOMAIN_DISK_BUS_LAST:
    default:
        busOK = false;
        break;
    }
    if (!busOK) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported disk bus '%s' for disk '%s' on os type '%s'"),
                       NULLSTR(virDomainDiskBusTypeToString(disk->bus)), name,
                       virDomainOSTypeToString(def->os.type));
        return -1;
    }

    if (disk->device != VIR_DOMAIN_DISK_DEVICE_DISK &&
        disk->device != VIR_DOMAIN_DISK_DEVICE_CDROM) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported disk device '%s' for disk '%s', Xen has disk and cdrom"),
                       virDomainDiskDeviceTypeToString(disk->device), name);
        return -1;
    }

    switch (virStorageSourceGetActualType(disk->src)) {
    case VIR_STORAGE_TYPE_FILE:
    case VIR_STORAGE_TYPE_BLOCK:
    case VIR_STORAGE_TYPE_VOLUME:
        break;
    case VIR_STORAGE_TYPE_NETWORK:
        if (disk->src->protocol != VIR_STORAGE_NET_PROTOCOL_RBD) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <source protocol='%s'> for disk '%s', Xen has rbd"),
                           virStorageNetProtocolTypeToString(disk->src->protocol), name);
            return -1;
        }
        if (STRNEQ_NULLABLE(virDomainDiskGetDriver(disk), "qemu")) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("network disk '%s' needs <driver name='qemu'>"), name);
            return -1;
        }
        break;
    case VIR_STORAGE_TYPE_NONE:
    case VIR_STORAGE_TYPE_DIR:
    case VIR_STORAGE_TYPE_NVME:
    case VIR_STORAGE_TYPE_VHOST_USER:
    case VIR_STORAGE_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported disk type '%s' for disk '%s'"),
                       NULLSTR(virStorageTypeToString(disk->src->type)), name);
        return -1;
    }

    if (libxlValidateDiskFormat(disk, virDomainDiskGetDriver(disk),
                                virDomainDiskGetFormat(disk)) < 0)
        return -1;

    if (disk->transient) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<transient/> disk '%s' is not supported by Xen"), name);
        return -1;
    }

    return 0;
}


static int
libxlValidateNet(const virDomainNetDef *net, const virDomainDef *def)
{
    char mac[VIR_MAC_STRING_BUFLEN];
    const char *model = virDomainNetGetModelString(net);

    virMacAddrFormat(&net->mac, mac);

    switch (net->type) {
    case VIR_DOMAIN_NET_TYPE_BRIDGE:
    case VIR_DOMAIN_NET_TYPE_NETWORK:
    case VIR_DOMAIN_NET_TYPE_ETHERNET:
    case VIR_DOMAIN_NET_TYPE_HOSTDEV:
        break;
    case VIR_DOMAIN_NET_TYPE_USER:
    case VIR_DOMAIN_NET_TYPE_VHOSTUSER:
    case VIR_DOMAIN_NET_TYPE_SERVER:
    case VIR_DOMAIN_NET_TYPE_CLIENT:
    case VIR_DOMAIN_NET_TYPE_MCAST:
    case VIR_DOMAIN_NET_TYPE_UDP:
    case VIR_DOMAIN_NET_TYPE_INTERNAL:
    case VIR_DOMAIN_NET_TYPE_DIRECT:
    case VIR_DOMAIN_NET_TYPE_VDPA:
    case VIR_DOMAIN_NET_TYPE_NULL:
    case VIR_DOMAIN_NET_TYPE_VDS:
    case VIR_DOMAIN_NET_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported interface type '%s' for interface '%s', Xen has bridge, network, ethernet and hostdev"),
                       NULLSTR(virDomainNetTypeToString(net->type)), mac);
        return -1;
    }

    if (net->script && net->type != VIR_DOMAIN_NET_TYPE_BRIDGE &&
        net->type != VIR_DOMAIN_NET_TYPE_ETHERNET) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<script> of interface '%s' needs type 'bridge' or 'ethernet', not '%s'"),
                       mac, virDomainNetTypeToString(net->type));
        return -1;
    }

    if (model && !libxlValidateIsHVM(def) && net->model != VIR_DOMAIN_NET_MODEL_NETFRONT) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <model type='%s'> for interface '%s': Xen PV and PVH guests have only 'netfront'"),
                       model, mac);
        return -1;
    }

    if (net->bandwidth && net->bandwidth->in) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<bandwidth><inbound> of interface '%s' is not supported by Xen, only <outbound>"),
                       mac);
        return -1;
    }
    if (net->bandwidth && net->bandwidth->out &&
        (net->bandwidth->out->peak || net->bandwidth->out->burst)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<bandwidth><outbound peak/burst> of interface '%s' is not supported by Xen, only 'average'"),
                       mac);
        return -1;
    }

    return 0;
}


static int
libxlValidateHostdev(const virDomainHostdevDef *hostdev)
{
    if (hostdev->mode != VIR_DOMAIN_HOSTDEV_MODE_SUBSYS) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <hostdev mode='%s'>, Xen has mode='subsystem'"),
                       virDomainHostdevModeTypeToString(hostdev->mode));
        return -1;
    }

    switch ((virDomainHostdevSubsysType) hostdev->source.subsys.type) {
    case VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI:
        if (hostdev->source.subsys.u.pci.backend != VIR_DOMAIN_HOSTDEV_PCI_BACKEND_XEN &&
            hostdev->source.subsys.u.pci.backend != VIR_DOMAIN_HOSTDEV_PCI_BACKEND_DEFAULT) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <hostdev type='pci'><driver name='%s'>, Xen has 'xen'"),
                           virDomainHostdevSubsysPCIBackendTypeToString(hostdev->source.subsys.u.pci.backend));
            return -1;
        }
        break;
    case VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB:
        break;
    case VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_SCSI:
    case VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_SCSI_HOST:
    case VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_MDEV:
    case VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <hostdev type='%s'>, Xen has pci and usb"),
                       NULLSTR(virDomainHostdevSubsysTypeToString(hostdev->source.subsys.type)));
        return -1;
    }
    return 0;
}


static int
libxlValidateChrSource(const virDomainChrDef *chr)
{
    switch ((virDomainChrType) chr->source->type) {
    case VIR_DOMAIN_CHR_TYPE_NULL:
    case VIR_DOMAIN_CHR_TYPE_VC:
    case VIR_DOMAIN_CHR_TYPE_PTY:
    case VIR_DOMAIN_CHR_TYPE_DEV:
    case VIR_DOMAIN_CHR_TYPE_FILE:
    case VIR_DOMAIN_CHR_TYPE_PIPE:
    case VIR_DOMAIN_CHR_TYPE_STDIO:
    case VIR_DOMAIN_CHR_TYPE_UDP:
    case VIR_DOMAIN_CHR_TYPE_TCP:
    case VIR_DOMAIN_CHR_TYPE_UNIX:
        return 0;
    case VIR_DOMAIN_CHR_TYPE_SPICEVMC:
    case VIR_DOMAIN_CHR_TYPE_SPICEPORT:
    case VIR_DOMAIN_CHR_TYPE_NMDM:
    case VIR_DOMAIN_CHR_TYPE_QEMU_VDAGENT:
    case VIR_DOMAIN_CHR_TYPE_DBUS:
    case VIR_DOMAIN_CHR_TYPE_LAST:
        break;
    }
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported <%s type='%s'>"),
                   virDomainChrDeviceTypeToString(chr->deviceType),
                   NULLSTR(virDomainChrTypeToString(chr->source->type)));
    return -1;
}


static int
libxlValidateChr(const virDomainChrDef *chr, const virDomainDef *def)
{
    switch ((virDomainChrDeviceType) chr->deviceType) {
    case VIR_DOMAIN_CHR_DEVICE_TYPE_PARALLEL:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("<parallel> devices are not supported by Xen"));
        return -1;

    case VIR_DOMAIN_CHR_DEVICE_TYPE_SERIAL:
        return libxlValidateChrSource(chr);

    case VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE:
        if (chr->targetType != VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_XEN &&
            chr->targetType != VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_SERIAL &&
            chr->targetType != VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_NONE) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <console><target type='%s'>, Xen has xen and serial"),
                           NULLSTR(virDomainChrConsoleTargetTypeToString(chr->targetType)));
            return -1;
        }
        if (chr->targetType == VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_SERIAL &&
            !libxlValidateIsHVM(def)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("<console><target type='serial'> needs an HVM guest, os type '%s' has a 'xen' console"),
                           virDomainOSTypeToString(def->os.type));
            return -1;
        }
        return libxlValidateChrSource(chr);

    case VIR_DOMAIN_CHR_DEVICE_TYPE_CHANNEL:
        if (chr->targetType != VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_XEN) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <channel><target type='%s'>, Xen has 'xen'"),
                           libxlChannelTargetTypeName(chr->targetType));
            return -1;
        }
        if (!chr->target.name) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("<channel><target type='xen'> needs a name"));
            return -1;
        }
        if (chr->source->type != VIR_DOMAIN_CHR_TYPE_PTY &&
            chr->source->type != VIR_DOMAIN_CHR_TYPE_UNIX) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <channel type='%s'> '%s', Xen has pty and unix"),
                           NULLSTR(virDomainChrTypeToString(chr->source->type)),
                           chr->target.name);
            return -1;
        }
        return 0;

    case VIR_DOMAIN_CHR_DEVICE_TYPE_LAST:
        break;
    }
    return 0;
}


static int
libxlValidateVideo(const virDomainVideoDef *video, const virDomainDef *def)
{
    const char *type = virDomainVideoTypeToString(video->type);
    unsigned int minvram;

    if (video->type == VIR_DOMAIN_VIDEO_TYPE_NONE)
        return 0;

    if (!libxlValidateIsHVM(def)) {
        if (video->type != VIR_DOMAIN_VIDEO_TYPE_XEN) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported video model '%s' on os type '%s', which has only 'xen' (the PV framebuffer)"),
                           NULLSTR(type), virDomainOSTypeToString(def->os.type));
            return -1;
        }
        return 0;
    }

    if ((minvram = libxlValidateVideoMinVram(video->type)) == 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported video model '%s', Xen has vga, cirrus, xen and qxl"),
                       NULLSTR(type));
        return -1;
    }
    if (video->vram < minvram) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<video><model type='%s' vram='%u'> is too small, at least %u KiB"),
                       type, video->vram, minvram);
        return -1;
    }
    if (video->accel && (video->accel->accel2d == VIR_TRISTATE_BOOL_YES ||
                         video->accel->accel3d == VIR_TRISTATE_BOOL_YES)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<video><model type='%s'><acceleration> is not supported by Xen"),
                       type);
        return -1;
    }
    return 0;
}


static int
libxlValidateInput(const virDomainInputDef *input, const virDomainDef *def)
{
    const char *type = virDomainInputTypeToString(input->type);
    const char *bus = virDomainInputBusTypeToString(input->bus);
    bool ok = false;

    if (input->type == VIR_DOMAIN_INPUT_TYPE_PASSTHROUGH ||
        input->type == VIR_DOMAIN_INPUT_TYPE_EVDEV) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <input type='%s'>"), NULLSTR(type));
        return -1;
    }

    switch ((virDomainInputBus) input->bus) {
    case VIR_DOMAIN_INPUT_BUS_XEN:
        ok = true;
        break;
    case VIR_DOMAIN_INPUT_BUS_PS2:
        ok = libxlValidateIsHVM(def);
        break;
    case VIR_DOMAIN_INPUT_BUS_USB:
        /* the device model's usbdevice list: a mouse or a tablet */
        ok = libxlValidateIsHVM(def) && input->type != VIR_DOMAIN_INPUT_TYPE_KBD;
        break;
    case VIR_DOMAIN_INPUT_BUS_VIRTIO:
    case VIR_DOMAIN_INPUT_BUS_PARALLELS:
    case VIR_DOMAIN_INPUT_BUS_NONE:
    case VIR_DOMAIN_INPUT_BUS_LAST:
        break;
    }

    if (!ok) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <input type='%s' bus='%s'> on os type '%s'"),
                       NULLSTR(type), NULLSTR(bus), virDomainOSTypeToString(def->os.type));
        return -1;
    }
    return 0;
}


static int
libxlValidateSound(const virDomainSoundDef *sound, const virDomainDef *def)
{
    const char *model = virDomainSoundModelTypeToString(sound->model);

    if (!libxlValidateIsHVM(def)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<sound model='%s'> needs an HVM guest, not os type '%s'"),
                       NULLSTR(model), virDomainOSTypeToString(def->os.type));
        return -1;
    }

    switch ((virDomainSoundModel) sound->model) {
    case VIR_DOMAIN_SOUND_MODEL_ICH6:
    case VIR_DOMAIN_SOUND_MODEL_ES1370:
    case VIR_DOMAIN_SOUND_MODEL_AC97:
    case VIR_DOMAIN_SOUND_MODEL_SB16:
        return 0;
    case VIR_DOMAIN_SOUND_MODEL_PCSPK:
    case VIR_DOMAIN_SOUND_MODEL_ICH7:
    case VIR_DOMAIN_SOUND_MODEL_ICH9:
    case VIR_DOMAIN_SOUND_MODEL_USB:
    case VIR_DOMAIN_SOUND_MODEL_LAST:
        break;
    }
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported <sound model='%s'>, Xen has ich6, es1370, ac97 and sb16"),
                   NULLSTR(model));
    return -1;
}


static int
libxlValidateController(const virDomainControllerDef *ctrl, const virDomainDef *def)
{
    const char *type = virDomainControllerTypeToString(ctrl->type);

    switch ((virDomainControllerType) ctrl->type) {
    case VIR_DOMAIN_CONTROLLER_TYPE_XENBUS:
    case VIR_DOMAIN_CONTROLLER_TYPE_PCI:
        return 0;

    case VIR_DOMAIN_CONTROLLER_TYPE_USB:
        switch (ctrl->model) {
        case VIR_DOMAIN_CONTROLLER_MODEL_USB_DEFAULT:
        case VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB1:
        case VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB2:
        case VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE:
            return 0;
        default:
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <controller type='usb' model='%s'>, Xen has qusb1 and qusb2"),
                           NULLSTR(virDomainControllerModelUSBTypeToString(ctrl->model)));
            return -1;
        }

    case VIR_DOMAIN_CONTROLLER_TYPE_IDE:
    case VIR_DOMAIN_CONTROLLER_TYPE_SCSI:
        /* emulated by the device model only */
        if (libxlValidateIsHVM(def))
            return 0;
        break;

    case VIR_DOMAIN_CONTROLLER_TYPE_FDC:
    case VIR_DOMAIN_CONTROLLER_TYPE_SATA:
    case VIR_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case VIR_DOMAIN_CONTROLLER_TYPE_CCID:
    case VIR_DOMAIN_CONTROLLER_TYPE_ISA:
    case VIR_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported <controller type='%s'> on os type '%s'"),
                   NULLSTR(type), virDomainOSTypeToString(def->os.type));
    return -1;
}


static int
libxlValidateGraphics(const virDomainGraphicsDef *graphics, const virDomainDef *def)
{
    const char *type = virDomainGraphicsTypeToString(graphics->type);

    switch ((virDomainGraphicsType) graphics->type) {
    case VIR_DOMAIN_GRAPHICS_TYPE_VNC:
    case VIR_DOMAIN_GRAPHICS_TYPE_SDL:
        return 0;
    case VIR_DOMAIN_GRAPHICS_TYPE_SPICE:
        /* SPICE is served by the device model of an HVM guest */
        if (libxlValidateIsHVM(def))
            return 0;
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<graphics type='spice'> needs an HVM guest, not os type '%s'"),
                       virDomainOSTypeToString(def->os.type));
        return -1;
    case VIR_DOMAIN_GRAPHICS_TYPE_RDP:
    case VIR_DOMAIN_GRAPHICS_TYPE_DESKTOP:
    case VIR_DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS:
    case VIR_DOMAIN_GRAPHICS_TYPE_DBUS:
    case VIR_DOMAIN_GRAPHICS_TYPE_LAST:
        break;
    }
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported <graphics type='%s'>, Xen has vnc, sdl and spice"),
                   NULLSTR(type));
    return -1;
}


static int
libxlValidateUnsupported(const char *element)
{
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("<%s> devices are not supported by Xen"), element);
    return -1;
}


int
libxlDomainDeviceDefValidate(const virDomainDeviceDef *dev,
                             const virDomainDef *def,
                             void *opaque G_GNUC_UNUSED,
                             void *parseOpaque G_GNUC_UNUSED)
{
    switch ((virDomainDeviceType) dev->type) {
    case VIR_DOMAIN_DEVICE_DISK:
        return libxlValidateDisk(dev->data.disk, def);
    case VIR_DOMAIN_DEVICE_NET:
        if (libxlValidateNet(dev->data.net, def) < 0)
            return -1;
        if (dev->data.net->type == VIR_DOMAIN_NET_TYPE_HOSTDEV)
            return libxlValidateHostdev(&dev->data.net->data.hostdev.def);
        return 0;
    case VIR_DOMAIN_DEVICE_HOSTDEV:
        return libxlValidateHostdev(dev->data.hostdev);
    case VIR_DOMAIN_DEVICE_CHR:
        return libxlValidateChr(dev->data.chr, def);
    case VIR_DOMAIN_DEVICE_VIDEO:
        return libxlValidateVideo(dev->data.video, def);
    case VIR_DOMAIN_DEVICE_INPUT:
        return libxlValidateInput(dev->data.input, def);
    case VIR_DOMAIN_DEVICE_SOUND:
        return libxlValidateSound(dev->data.sound, def);
    case VIR_DOMAIN_DEVICE_CONTROLLER:
        return libxlValidateController(dev->data.controller, def);
    case VIR_DOMAIN_DEVICE_GRAPHICS:
        return libxlValidateGraphics(dev->data.graphics, def);
    case VIR_DOMAIN_DEVICE_MEMBALLOON:
        if (dev->data.memballoon->model != VIR_DOMAIN_MEMBALLOON_MODEL_XEN) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <memballoon model='%s'>, Xen has only 'xen'"),
                           virDomainMemballoonModelTypeToString(dev->data.memballoon->model));
            return -1;
        }
        return 0;

    case VIR_DOMAIN_DEVICE_WATCHDOG:
        return libxlValidateUnsupported("watchdog");
    case VIR_DOMAIN_DEVICE_FS:
        return libxlValidateUnsupported("filesystem");
    case VIR_DOMAIN_DEVICE_HUB:
        return libxlValidateUnsupported("hub");
    case VIR_DOMAIN_DEVICE_REDIRDEV:
        return libxlValidateUnsupported("redirdev");
    case VIR_DOMAIN_DEVICE_SMARTCARD:
        return libxlValidateUnsupported("smartcard");
    case VIR_DOMAIN_DEVICE_NVRAM:
        return libxlValidateUnsupported("nvram");
    case VIR_DOMAIN_DEVICE_RNG:
        return libxlValidateUnsupported("rng");
    case VIR_DOMAIN_DEVICE_SHMEM:
        return libxlValidateUnsupported("shmem");
    case VIR_DOMAIN_DEVICE_TPM:
        return libxlValidateUnsupported("tpm");
    case VIR_DOMAIN_DEVICE_PANIC:
        return libxlValidateUnsupported("panic");
    case VIR_DOMAIN_DEVICE_MEMORY:
        return libxlValidateUnsupported("memory");
    case VIR_DOMAIN_DEVICE_IOMMU:
        return libxlValidateUnsupported("iommu");
    case VIR_DOMAIN_DEVICE_VSOCK:
        return libxlValidateUnsupported("vsock");

    case VIR_DOMAIN_DEVICE_NONE:
    case VIR_DOMAIN_DEVICE_LEASE:
    case VIR_DOMAIN_DEVICE_AUDIO:
    case VIR_DOMAIN_DEVICE_LAST:
        break;
    }
    return 0;
}


static int
libxlValidateDeviceIterator(virDomainDef *def,
                            virDomainDeviceDef *dev,
                            virDomainDeviceInfo *info G_GNUC_UNUSED,
                            void *opaque G_GNUC_UNUSED)
{
    return libxlDomainDeviceDefValidate(dev, def, NULL, NULL);
}


/**
 * libxlDomainDefValidateAll:
 * The rules of the validate callbacks, for a definition the parser did
 * not validate (the driver's saved configs and status are read with
 * VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE).  libxlBuildDomainConfig() runs it.
 */
int
libxlDomainDefValidateAll(virDomainDef *def)
{
    size_t i;

    if (libxlDomainDefValidate(def, NULL, NULL) < 0)
        return -1;

    if (virDomainDeviceInfoIterate(def, libxlValidateDeviceIterator, NULL) < 0)
        return -1;

    /* displays have no device info, the iterator skips them */
    for (i = 0; i < def->ngraphics; i++) {
        virDomainDeviceDef dev = {
            .type = VIR_DOMAIN_DEVICE_GRAPHICS,
            .data.graphics = def->graphics[i],
        };

        if (libxlDomainDeviceDefValidate(&dev, def, NULL, NULL) < 0)
            return -1;
    }
    return 0;
}


/* ---- <xen:commandline>: extra device model arguments ------------------- */

static void
libxlDomainDefNamespaceFree(void *nsdata)
{
    g_strfreev(nsdata);
}


static int
libxlDomainDefNamespaceParse(xmlXPathContextPtr ctxt, void **data)
{
    g_autofree xmlNodePtr *nodes = NULL;
    g_auto(GStrv) args = NULL;
    int nnodes;
    size_t i;

    if ((nnodes = virXPathNodeSet("./xen:commandline/xen:arg", ctxt, &nodes)) <= 0)
        return nnodes;

    args = g_new0(char *, nnodes + 1);
    for (i = 0; i < nnodes; i++) {
        if (!(args[i] = virXMLPropString(nodes[i], "value"))) {
            virReportError(VIR_ERR_XML_ERROR, "%s",
                           _("<xen:arg> needs a 'value' attribute"));
            return -1;
        }
    }
    *data = g_steal_pointer(&args);
    return 0;
}


static int
libxlDomainDefNamespaceFormat(virBuffer *buf, void *nsdata)
{
    char **args = nsdata;
    size_t i;

    if (!args || !args[0])
        return 0;

    virBufferAddLit(buf, "<xen:commandline>\n");
    virBufferAdjustIndent(buf, 2);
    for (i = 0; args[i]; i++)
        virBufferEscapeString(buf, "<xen:arg value='%s'/>\n", args[i]);
    virBufferAdjustIndent(buf, -2);
    virBufferAddLit(buf, "</xen:commandline>\n");
    return 0;
}


virXMLNamespace libxlDomainXMLNamespace = {
    .parse = libxlDomainDefNamespaceParse,
    .free = libxlDomainDefNamespaceFree,
    .format = libxlDomainDefNamespaceFormat,
    .prefix = "xen",
    .uri = "http://libvirt.org/schemas/domain/xen/1.0",
};


char **
libxlDomainDefDeviceModelArgs(const virDomainDef *def)
{
    return def->namespaceData;
}


void
libxlDomainDefParserConfigInit(virDomainDefParserConfig *cfg)
{
    static const unsigned char macPrefix[] = LIBXL_VALIDATE_MAC_PREFIX;

    memcpy(cfg->macPrefix, macPrefix, sizeof(macPrefix));
    if (!cfg->netPrefix)
        cfg->netPrefix = "vif";
    if (cfg->defArch == VIR_ARCH_NONE)
        cfg->defArch = VIR_ARCH_X86_64;

    cfg->domainPostParseCallback = libxlDomainDefPostParse;
    cfg->devicesPostParseCallback = libxlDomainDeviceDefPostParse;
    cfg->domainValidateCallback = libxlDomainDefValidate;
    cfg->deviceValidateCallback = libxlDomainDeviceDefValidate;

    /* firmware='efi' selects OVMF; interface models are passed to
     * qemu as written (e1000, rtl8139, netfront) */
    cfg->features |= VIR_DOMAIN_DEF_FEATURE_USER_ALIAS |
                     VIR_DOMAIN_DEF_FEATURE_FW_AUTOSELECT |
                     VIR_DOMAIN_DEF_FEATURE_NET_MODEL_STRING;
}

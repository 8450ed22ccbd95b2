/*
 * native-testutils.c: capabilities and XML options for the native
 * configuration tests and fuzz target
 *
 * The expected XML of the data sets was produced by libvirt's libxl
 * driver: its capabilities (an x86_64 host offering xenfv, xenpv and
 * xenpvh machines) and the post-parse defaults of its
 * virDomainXMLOption.  Both are rebuilt here from libvirt's public
 * conf API, so that the tests do not need a running driver.  The
 * driver's own virDomainXMLOption must apply the same defaults (see
 * the report of issue 5).
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
#include "storage_source_conf.h"
#include "libxl_native.h"
#include "native-testutils.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL


static int
libxlNativeTestCapsAddGuest(virCaps *caps,
                            virDomainOSType ostype,
                            const char *loader,
                            const char *machine)
{
    const char *machines[] = { machine };
    virCapsGuestMachine **m = virCapabilitiesAllocMachines(machines, 1);
    virCapsGuest *guest;

    if (!m)
        return -1;

    guest = virCapabilitiesAddGuest(caps, ostype, VIR_ARCH_X86_64,
                                    "/usr/lib/xen/bin/qemu-system-i386",
                                    loader, 1, m);
    virCapabilitiesAddGuestDomain(guest, VIR_DOMAIN_VIRT_XEN,
                                  NULL, NULL, 0, NULL);
    return 0;
}


virCaps *
libxlNativeTestCapsNew(void)
{
    g_autoptr(virCaps) caps = NULL;

    if (!(caps = virCapabilitiesNew(VIR_ARCH_X86_64, false, false)))
        return NULL;

    if (libxlNativeTestCapsAddGuest(caps, VIR_DOMAIN_OSTYPE_HVM,
                                    LIBXL_FIRMWARE_DIR "/hvmloader", "xenfv") < 0 ||
        libxlNativeTestCapsAddGuest(caps, VIR_DOMAIN_OSTYPE_XEN,
                                    NULL, "xenpv") < 0 ||
        libxlNativeTestCapsAddGuest(caps, VIR_DOMAIN_OSTYPE_XENPVH,
                                    NULL, "xenpvh") < 0)
        return NULL;

    return g_steal_pointer(&caps);
}


/* HVM video RAM defaults of the upstream device model (qemu-xen), KiB */
static unsigned int
libxlNativeTestVideoVram(virDomainVideoType type)
{
    if (type == VIR_DOMAIN_VIDEO_TYPE_VGA || type == VIR_DOMAIN_VIDEO_TYPE_XEN)
        return 16 * 1024;
    if (type == VIR_DOMAIN_VIDEO_TYPE_CIRRUS)
        return 8 * 1024;
    if (type == VIR_DOMAIN_VIDEO_TYPE_QXL)
        return 128 * 1024;
    return 0;
}


static int
libxlNativeTestHostdevPostParse(virDomainHostdevDef *hostdev)
{
    if (hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_CAPABILITIES) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("hostdev mode 'capabilities' is not supported by Xen"));
        return -1;
    }

    if (hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS &&
        hostdev->source.subsys.type == VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI &&
        hostdev->source.subsys.u.pci.backend == VIR_DOMAIN_HOSTDEV_PCI_BACKEND_DEFAULT)
        hostdev->source.subsys.u.pci.backend = VIR_DOMAIN_HOSTDEV_PCI_BACKEND_XEN;

    return 0;
}


static int
libxlNativeTestDevicePostParse(virDomainDeviceDef *dev,
                               const virDomainDef *def,
                               unsigned int parseFlags G_GNUC_UNUSED,
                               void *opaque G_GNUC_UNUSED,
                               void *parseOpaque G_GNUC_UNUSED)
{
    bool hvm = def->os.type == VIR_DOMAIN_OSTYPE_HVM;

    /* PV consoles are xen consoles */
    if (dev->type == VIR_DOMAIN_DEVICE_CHR &&
        dev->data.chr->deviceType == VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE &&
        dev->data.chr->targetType == VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_NONE &&
        !hvm)
        dev->data.chr->targetType = VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_XEN;

    if (dev->type == VIR_DOMAIN_DEVICE_HOSTDEV &&
        libxlNativeTestHostdevPostParse(dev->data.hostdev) < 0)
        return -1;
    if (dev->type == VIR_DOMAIN_DEVICE_NET &&
        dev->data.net->type == VIR_DOMAIN_NET_TYPE_HOSTDEV &&
        libxlNativeTestHostdevPostParse(&dev->data.net->data.hostdev.def) < 0)
        return -1;

    if (dev->type == VIR_DOMAIN_DEVICE_VIDEO) {
        virDomainVideoDef *video = dev->data.video;

        if (video->type == VIR_DOMAIN_VIDEO_TYPE_DEFAULT)
            video->type = hvm ? VIR_DOMAIN_VIDEO_TYPE_CIRRUS : VIR_DOMAIN_VIDEO_TYPE_XEN;
        if (hvm && video->vram == 0)
            video->vram = libxlNativeTestVideoVram(video->type);
    }

    /* network disks go through qemu; xl's default format is raw */
    if (dev->type == VIR_DOMAIN_DEVICE_DISK) {
        virDomainDiskDef *disk = dev->data.disk;

        if (virStorageSourceGetActualType(disk->src) == VIR_STORAGE_TYPE_NETWORK &&
            !virDomainDiskGetDriver(disk))
            virDomainDiskSetDriver(disk, "qemu");
        if (virDomainDiskGetFormat(disk) == VIR_STORAGE_FILE_NONE)
            virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_RAW);
    }

    return 0;
}


static int
libxlNativeTestDefPostParse(virDomainDef *def,
                            unsigned int parseFlags G_GNUC_UNUSED,
                            void *opaque G_GNUC_UNUSED,
                            void *parseOpaque G_GNUC_UNUSED)
{
    bool hvm = def->os.type == VIR_DOMAIN_OSTYPE_HVM;
    virDomainInputBus bus = hvm ? VIR_DOMAIN_INPUT_BUS_PS2 : VIR_DOMAIN_INPUT_BUS_XEN;

    /* a PV guest always has its PV console */
    if (!hvm && def->nconsoles == 0) {
        virDomainChrDef *chr;

        if (!(chr = virDomainChrDefNew(NULL)))
            return -1;
        chr->source->type = VIR_DOMAIN_CHR_TYPE_PTY;
        chr->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE;
        chr->targetType = VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_XEN;
        VIR_APPEND_ELEMENT(def->consoles, def->nconsoles, chr);
    }

    /* the implicit mouse and keyboard */
    if (virDomainDefMaybeAddInput(def, VIR_DOMAIN_INPUT_TYPE_MOUSE, bus) < 0 ||
        virDomainDefMaybeAddInput(def, VIR_DOMAIN_INPUT_TYPE_KBD, bus) < 0)
        return -1;

    /* x86_64 HVM: PAE always, ACPI with vNUMA */
    if (hvm && def->os.arch == VIR_ARCH_X86_64) {
        def->features[VIR_DOMAIN_FEATURE_PAE] = VIR_TRISTATE_SWITCH_ON;
        if (virDomainNumaGetNodeCount(def->numa) > 0)
            def->features[VIR_DOMAIN_FEATURE_ACPI] = VIR_TRISTATE_SWITCH_ON;
    }

    if (!def->memballoon) {
        def->memballoon = g_new0(virDomainMemballoonDef, 1);
        def->memballoon->model = VIR_DOMAIN_MEMBALLOON_MODEL_XEN;
    }

    if (virDomainControllerFindByType(def, VIR_DOMAIN_CONTROLLER_TYPE_XENBUS) < 0 &&
        !virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_XENBUS, -1, -1))
        return -1;

    return 0;
}


virDomainXMLOption *
libxlNativeTestXMLOptionNew(void)
{
    virDomainDefParserConfig config = {
        .macPrefix = { 0x00, 0x16, 0x3e },
        .netPrefix = "vif",
        .devicesPostParseCallback = libxlNativeTestDevicePostParse,
        .domainPostParseCallback = libxlNativeTestDefPostParse,
        .features = VIR_DOMAIN_DEF_FEATURE_USER_ALIAS |
                    VIR_DOMAIN_DEF_FEATURE_FW_AUTOSELECT |
                    VIR_DOMAIN_DEF_FEATURE_NET_MODEL_STRING,
    };

    return virDomainXMLOptionNew(&config, NULL, &libxlNativeXMLNamespace,
                                 NULL, NULL, NULL);
}

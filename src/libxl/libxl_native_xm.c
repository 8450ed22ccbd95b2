/*
 * libxl_native_xm.c: xm configuration specifics of the native converter
 *
 * The older xm format (xend's) differs from xl.cfg in few places: the
 * HVM firmware is kernel=, the PV command line is extra= (and root=),
 * disks are "SOURCE,DEVICE,MODE" triples, and usbdevice is one string.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "viralloc.h"
#include "virbuffer.h"
#include "virerror.h"
#include "virstring.h"
#include "libxl_native_xm.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL


static int
libxlNativeParseXMOS(virConf *conf, virDomainDef *def)
{
    g_autofree char *boot = NULL;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM) {
        if (libxlNativeGetString(conf, "bootloader", &def->os.bootloader) < 0 ||
            libxlNativeGetString(conf, "bootargs", &def->os.bootloaderArgs) < 0 ||
            libxlNativeGetString(conf, "kernel", &def->os.kernel) < 0 ||
            libxlNativeGetString(conf, "ramdisk", &def->os.initrd) < 0 ||
            libxlNativeParseCmdline(conf, false, &def->os.cmdline) < 0)
            return -1;
        return 0;
    }

    /* an xm HVM guest names its firmware (hvmloader) in kernel= */
    def->os.loader = g_new0(virDomainLoaderDef, 1);
    if (libxlNativeGetString(conf, "kernel", &def->os.loader->path) < 0)
        return -1;
    if (!def->os.loader->path) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                       _("missing 'kernel' (the firmware of an xm HVM guest)"));
        return -1;
    }

    if (libxlNativeGetString(conf, "boot", &boot) < 0)
        return -1;

    return libxlNativeParseBoot(boot ? boot : "c", def);
}


/* the driver prefix of an xm disk source: "phy:", "file:", "tap:aio:" */
static int
libxlNativeParseXMDiskDriver(virDomainDiskDef *disk, const char *spec)
{
    const char *src = virDomainDiskGetSource(disk);
    const char *colon;
    g_autofree char *driver = NULL;
    g_autofree char *subtype = NULL;
    g_autofree char *path = NULL;
    int format;

    if (!src || !(colon = strchr(src, ':'))) {
        virDomainDiskSetDriver(disk, "phy");
        return 0;
    }

    driver = g_strndup(src, colon - src);
    path = g_strdup(colon + 1);
    virDomainDiskSetDriver(disk, driver);

    if (STREQ(driver, "tap") || STREQ(driver, "tap2")) {
        if (!(colon = strchr(path, ':')))
            goto invalid;
        subtype = g_strndup(path, colon - path);
        format = STREQ(subtype, "aio") ? VIR_STORAGE_FILE_RAW :
                 virStorageFileFormatTypeFromString(subtype);
        if (format <= 0)
            goto invalid;
        virDomainDiskSetFormat(disk, format);
        virDomainDiskSetSource(disk, colon + 1);
    } else {
        virDomainDiskSetSource(disk, path);
    }

    return 0;

 invalid:
    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid value for 'disk': '%s' has an unknown tap driver type"),
                   spec);
    return -1;
}


/* one xm disk, "[DRIVER:[SUBTYPE:]]SOURCE,DEVICE[:cdrom],MODE" */
virDomainDiskDef *
libxlNativeParseXMDisk(const char *spec, size_t idx, const virDomainDef *def)
{
    bool hvm = def->os.type == VIR_DOMAIN_OSTYPE_HVM;
    g_autoptr(virDomainDiskDef) disk = NULL;
    g_auto(GStrv) fields = g_strsplit(spec, ",", 3);
    const char *dst;
    const char *mode;
    char *suffix;

    if (g_strv_length(fields) != 3 || !*fields[1]) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'disk': entry %zu '%s' (expected SOURCE,DEVICE,MODE)"),
                       idx, spec);
        return NULL;
    }

    if (!(disk = virDomainDiskDefNew(NULL)))
        return NULL;

    /* no source: a CD-ROM drive without media */
    if (*fields[0])
        virDomainDiskSetSource(disk, fields[0]);
    if (libxlNativeParseXMDiskDriver(disk, spec) < 0)
        return NULL;
    virDomainDiskSetType(disk, STREQ(virDomainDiskGetDriver(disk), "phy") ?
                         VIR_STORAGE_TYPE_BLOCK : VIR_STORAGE_TYPE_FILE);

    dst = fields[1];
    if (STRPREFIX(dst, "ioemu:"))
        dst += strlen("ioemu:");
    disk->dst = g_strdup(dst);
    disk->device = VIR_DOMAIN_DISK_DEVICE_DISK;
    if ((suffix = strchr(disk->dst, ':'))) {
        if (STREQ(suffix, ":cdrom"))
            disk->device = VIR_DOMAIN_DISK_DEVICE_CDROM;
        *suffix = '\0';
    }
    if (libxlNativeCheckDiskTarget(disk->dst, spec) < 0)
        return NULL;

    if (STRPREFIX(disk->dst, "xvd") || !hvm)
        disk->bus = VIR_DOMAIN_DISK_BUS_XEN;
    else if (STRPREFIX(disk->dst, "sd"))
        disk->bus = VIR_DOMAIN_DISK_BUS_SCSI;
    else
        disk->bus = VIR_DOMAIN_DISK_BUS_IDE;

    mode = fields[2];
    if (STREQ(mode, "r") || STREQ(mode, "ro")) {
        disk->src->readonly = true;
    } else if (STREQ(mode, "w!") || STREQ(mode, "!")) {
        disk->src->shared = true;
    } else if (STRNEQ(mode, "w") && STRNEQ(mode, "rw")) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'disk': '%s' (mode must be r, w or w!)"),
                       spec);
        return NULL;
    }

    return g_steal_pointer(&disk);
}


/*
 * libxlNativeParseXM:
 * The xm-only keys of @conf into @def (after the shared ones).
 */
int
libxlNativeParseXM(virConf *conf, virDomainDef *def)
{
    g_autofree char *usbdevice = NULL;

    if (libxlNativeParseXMOS(conf, def) < 0 ||
        libxlNativeParseDiskList(conf, def, libxlNativeParseXMDisk) < 0)
        return -1;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    if (libxlNativeGetString(conf, "usbdevice", &usbdevice) < 0)
        return -1;

    return usbdevice ? libxlNativeParseUSBInput(usbdevice, def) : 0;
}


/* ==== XML -> xm ===================================================== */

static int
libxlNativeFormatXMOS(virConf *conf, virDomainDef *def)
{
    char boot[VIR_DOMAIN_BOOT_LAST + 1];

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return libxlNativeFormatPVOS(conf, def, "bootargs", "extra");

    if (libxlNativeSetString(conf, "builder", "hvm") < 0 ||
        (def->os.loader && def->os.loader->path &&
         libxlNativeSetString(conf, "kernel", def->os.loader->path) < 0))
        return -1;

    libxlNativeFormatBoot(def, boot);
    return libxlNativeSetString(conf, "boot", boot);
}


static int
libxlNativeFormatXMDisk(virConfValue *list, virDomainDiskDef *disk)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    const char *src = virDomainDiskGetSource(disk);
    const char *driver = virDomainDiskGetDriver(disk);
    int format = virDomainDiskGetFormat(disk);

    if (disk->transient) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("transient disk '%s' is not supported"), disk->dst);
        return -1;
    }

    if (src) {
        if (format && driver) {
            virBufferAsprintf(&buf, "%s:", driver);
            if (STREQ(driver, "tap") || STREQ(driver, "tap2"))
                virBufferAsprintf(&buf, "%s:", format == VIR_STORAGE_FILE_RAW ? "aio" :
                                  virStorageFileFormatTypeToString(format));
        } else if (!format) {
            switch (virDomainDiskGetType(disk)) {
            case VIR_STORAGE_TYPE_FILE:
                virBufferAddLit(&buf, "file:");
                break;
            case VIR_STORAGE_TYPE_BLOCK:
                virBufferAddLit(&buf, "phy:");
                break;
            default:
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               _("unsupported type '%s' of disk '%s'"),
                               virStorageTypeToString(virDomainDiskGetType(disk)),
                               disk->dst);
                return -1;
            }
        }
        virBufferAdd(&buf, src, -1);
    }

    virBufferAsprintf(&buf, ",%s%s,%s", disk->dst,
                      disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM ? ":cdrom" : "",
                      disk->src->readonly ? "r" : disk->src->shared ? "!" : "w");

    libxlNativeListAppend(list, virBufferContentAndReset(&buf));
    return 0;
}


/* xm knows one usbdevice: the first USB input device */
static int
libxlNativeFormatXMUSBDevice(virConf *conf, virDomainDef *def)
{
    size_t i;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    for (i = 0; i < def->ninputs; i++) {
        const char *name = libxlNativeUSBInputName(def->inputs[i]);

        if (def->inputs[i]->bus != VIR_DOMAIN_INPUT_BUS_USB)
            continue;
        if (libxlNativeSetInt(conf, "usb", 1) < 0)
            return -1;
        if (name)
            return libxlNativeSetString(conf, "usbdevice", name);
    }

    return 0;
}


/*
 * libxlNativeFormatXM:
 * The xm-only keys of @def into @conf (after the shared ones).
 */
int
libxlNativeFormatXM(virConf *conf, virDomainDef *def)
{
    if (libxlNativeFormatXMOS(conf, def) < 0 ||
        libxlNativeFormatDiskList(conf, def, libxlNativeFormatXMDisk) < 0 ||
        libxlNativeFormatXMUSBDevice(conf, def) < 0)
        return -1;

    return 0;
}

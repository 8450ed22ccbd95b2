/*
 * libxl_native_xl.c: xl.cfg specifics of the native configuration converter
 *
 * What only xl.cfg(5) has: the HVM firmware and kernel keys, nested
 * HVM and cpuid, vNUMA, the xenbus limits, disks in the
 * xl-disk-configuration(5) syntax (parsed by libxlutil, as xl does), SPICE,
 * usbdevice/usbdev/usbctrl, channels and the device model's extra
 * arguments.  Each key is read in libxlNativeParseXL and written in
 * libxlNativeFormatXL, in the order xl users and libvirt's own converter
 * know.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <libxl.h>
#include <libxlutil.h>

#include "internal.h"
#include "viralloc.h"
#include "virbuffer.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virstring.h"
#include "cpu_conf.h"
#include "cpu/cpu.h"
#include "numa_conf.h"
#include "storage_source_backingstore.h"
#include "libxl_native_xl.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_native_xl");


/* ---- CPU: nestedhvm and cpuid ------------------------------------- */

/* libvirt's name of a CPUID bit, and xl's */
static const char *const libxlNativeCPUFeatureNames[][2] = {
    { "cx16", "cmpxchg16" },
    { "cid", "cntxid" },
    { "ds_cpl", "dscpl" },
    { "pclmuldq", "pclmulqdq" },
    { "pni", "sse3" },
    { "ht", "htt" },
    { "pn", "psn" },
    { "clflush", "clfsh" },
    { "sep", "sysenter" },
    { "cx8", "cmpxchg8" },
    { "nodeid_msr", "nodeid" },
    { "cr8legacy", "altmovcr8" },
    { "lahf_lm", "lahfsahf" },
    { "cmp_legacy", "cmplegacy" },
    { "fxsr_opt", "ffxsr" },
    { "pdpe1gb", "page1gb" },
    { "spec-ctrl", "ibrsb" },
};


static const char *
libxlNativeCPUFeatureTranslate(const char *name, size_t from)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(libxlNativeCPUFeatureNames); i++) {
        if (STREQ(libxlNativeCPUFeatureNames[i][from], name))
            return libxlNativeCPUFeatureNames[i][!from];
    }

    return name;
}


const char *
libxlNativeCPUFeatureFromXL(const char *name)
{
    return libxlNativeCPUFeatureTranslate(name, 1);
}


const char *
libxlNativeCPUFeatureToXL(const char *name)
{
    return libxlNativeCPUFeatureTranslate(name, 0);
}


/* the guest CPU, host-passthrough unless something made it already */
static virCPUDef *
libxlNativeGuestCPU(virDomainDef *def)
{
    if (!def->cpu) {
        def->cpu = virCPUDefNew();
        def->cpu->mode = VIR_CPU_MODE_HOST_PASSTHROUGH;
        def->cpu->type = VIR_CPU_TYPE_GUEST;
    }

    return def->cpu;
}


/* nestedhvm=0 disables the host's hardware virtualisation bit */
static int
libxlNativeParseNestedHVM(virConf *conf, virDomainDef *def, virCaps *caps)
{
    const char *vtfeature = "vmx";
    int val;

    if (libxlNativeGetBool(conf, "nestedhvm", &val, -1) < 0)
        return -1;
    if (val == -1)
        return 0;

    if (caps && caps->host.cpu && ARCH_IS_X86(def->os.arch) &&
        !virCPUCheckFeature(caps->host.arch, caps->host.cpu, "vmx") &&
        virCPUCheckFeature(caps->host.arch, caps->host.cpu, "svm"))
        vtfeature = "svm";

    libxlNativeGuestCPU(def);
    if (val == 0)
        return virCPUDefAddFeature(def->cpu, vtfeature, VIR_CPU_FEATURE_DISABLE);

    return 0;
}


/* cpuid="host,FEATURE=POLICY,..." (the libxl syntax; the xend one is not) */
static int
libxlNativeParseCPUID(virConf *conf, virDomainDef *def)
{
    g_autofree char *cpuid = NULL;
    g_auto(GStrv) pairs = NULL;
    size_t i;

    if (libxlNativeGetString(conf, "cpuid", &cpuid) < 0)
        return -1;
    if (!cpuid)
        return 0;

    pairs = g_strsplit(cpuid, ",", 0);
    if (!pairs[0] || STRNEQ(pairs[0], "host")) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'cpuid': '%s' (only the libxl syntax \"host,FEATURE=VALUE,...\" is supported)"),
                       cpuid);
        return -1;
    }

    libxlNativeGuestCPU(def);
    for (i = 1; pairs[i]; i++) {
        const char *eq = strchr(pairs[i], '=');
        g_autofree char *name = NULL;
        virCPUFeaturePolicy policy;

        if (!eq || eq == pairs[i] || strlen(eq + 1) != 1)
            goto invalid;

        switch (eq[1]) {
        case '1':
            policy = VIR_CPU_FEATURE_FORCE;
            break;
        case '0':
            policy = VIR_CPU_FEATURE_DISABLE;
            break;
        case 'x':
        case 'k':
        case 's':
            policy = VIR_CPU_FEATURE_OPTIONAL;
            break;
        default:
            goto invalid;
        }

        name = g_strndup(pairs[i], eq - pairs[i]);
        if (virCPUDefAddFeature(def->cpu, libxlNativeCPUFeatureFromXL(name),
                                policy) < 0)
            return -1;
    }

    return 0;

 invalid:
    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid value for 'cpuid': '%s' is not FEATURE=0|1|x|k|s"),
                   pairs[i]);
    return -1;
}


/* ---- vnuma -------------------------------------------------------- */

static int
libxlNativeParseVnode(virConfValue *vnode,
                      size_t node,
                      size_t nnodes,
                      virDomainNuma *numa,
                      size_t *vcpus)
{
    bool havePnode = false;
    bool haveSize = false;
    bool haveVcpus = false;
    virConfValue *val;

    for (val = vnode->list; val; val = val->next) {
        const char *eq;
        const char *data;
        g_autofree char *key = NULL;

        if (val->type != VIR_CONF_STRING || !val->str ||
            !(eq = strchr(val->str, '='))) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'vnuma': vnode %zu has an element that is not \"KEY=VALUE\""),
                           node);
            return -1;
        }
        key = g_strndup(val->str, eq - val->str);
        data = eq + 1;
        if (!*data)
            continue;

        if (STREQ(key, "pnode")) {
            unsigned int pnode;

            if (virStrToLong_uip(data, NULL, 10, &pnode) < 0 || pnode >= nnodes)
                goto invalid;
            havePnode = true;
        } else if (STREQ(key, "size")) {
            unsigned long long mib;

            if (virStrToLong_ullp(data, NULL, 10, &mib) < 0 || mib == 0 ||
                mib > VIR_DOMAIN_MEMORY_PARAM_UNLIMITED / 1024 / 1024)
                goto invalid;
            virDomainNumaSetNodeMemorySize(numa, node, mib * 1024);
            haveSize = true;
        } else if (STREQ(key, "vcpus")) {
            virBitmap *cpumask = NULL;

            if (haveVcpus ||
                virBitmapParse(data, &cpumask, VIR_DOMAIN_CPUMASK_LEN) < 0)
                goto invalid;
            *vcpus += virBitmapCountBits(cpumask);
            virDomainNumaSetNodeCpumask(numa, node, cpumask);
            haveVcpus = true;
        } else if (STREQ(key, "vdistances")) {
            g_auto(GStrv) dists = g_strsplit(data, ",", 0);
            size_t i;

            if (g_strv_length(dists) != nnodes) {
                virReportError(VIR_ERR_CONF_SYNTAX,
                               _("invalid value for 'vnuma': vnode %zu has %u distances for %zu vnodes"),
                               node, g_strv_length(dists), nnodes);
                return -1;
            }
            if (virDomainNumaSetNodeDistanceCount(numa, node, nnodes) != nnodes)
                return -1;
            for (i = 0; i < nnodes; i++) {
                unsigned int dist;

                if (virStrToLong_uip(dists[i], NULL, 10, &dist) < 0)
                    goto invalid;
                if (virDomainNumaSetNodeDistance(numa, node, i, dist) != dist)
                    return -1;
            }
        } else {
            goto invalid;
        }
        continue;

     invalid:
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'vnuma': vnode %zu: '%s'"),
                       node, val->str);
        return -1;
    }

    if (!havePnode || !haveSize || !haveVcpus) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'vnuma': vnode %zu needs pnode, size and vcpus"),
                       node);
        return -1;
    }

    return 0;
}


static int
libxlNativeParseVnuma(virConf *conf, virDomainDef *def)
{
    virConfValue *list = virConfGetValue(conf, "vnuma");
    virConfValue *vnode;
    size_t nnodes = 0;
    size_t vcpus = 0;
    size_t node;

    if (!list)
        return 0;

    if (list->type != VIR_CONF_LIST) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                       _("invalid value for 'vnuma': expected a list of vnode lists"));
        return -1;
    }

    for (vnode = list->list; vnode; vnode = vnode->next, nnodes++) {
        if (vnode->type != VIR_CONF_LIST) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'vnuma': vnode %zu is not a list"),
                           nnodes);
            return -1;
        }
    }
    if (nnodes == 0)
        return 0;

    if (!virDomainNumaSetNodeCount(def->numa, nnodes))
        return -1;

    for (node = 0, vnode = list->list; vnode; vnode = vnode->next, node++) {
        if (libxlNativeParseVnode(vnode, node, nnodes, def->numa, &vcpus) < 0)
            return -1;
    }

    if (virDomainDefGetVcpusMax(def) < vcpus) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'vnuma': %zu vcpus in vnodes, more than the %u maxvcpus"),
                       vcpus, virDomainDefGetVcpusMax(def));
        return -1;
    }

    if (!def->cpu) {
        def->cpu = virCPUDefNew();
        def->cpu->type = VIR_CPU_TYPE_GUEST;
    }

    return 0;
}


/* ---- xenbus limits ------------------------------------------------ */

static int
libxlNativeParseXenbus(virConf *conf, virDomainDef *def)
{
    virDomainControllerDef *xenbus;
    unsigned long events;
    unsigned long frames;
    int idx;

    if (libxlNativeGetULong(conf, "max_event_channels", &events, 0) < 0 ||
        libxlNativeGetULong(conf, "max_grant_frames", &frames, 0) < 0)
        return -1;

    if (events > INT_MAX || frames > INT_MAX) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                       events > INT_MAX ?
                       _("invalid value for 'max_event_channels': too large") :
                       _("invalid value for 'max_grant_frames': too large"));
        return -1;
    }

    if ((idx = virDomainControllerFindByType(def, VIR_DOMAIN_CONTROLLER_TYPE_XENBUS)) >= 0)
        xenbus = def->controllers[idx];
    else if (!(xenbus = virDomainDefAddController(def, VIR_DOMAIN_CONTROLLER_TYPE_XENBUS,
                                                  -1, -1)))
        return -1;

    if (events > 0)
        xenbus->opts.xenbusopts.maxEventChannels = events;
    if (frames > 0)
        xenbus->opts.xenbusopts.maxGrantFrames = frames;

    return 0;
}


/* ---- OS ----------------------------------------------------------- */

static int
libxlNativeParseHVMLoader(virConf *conf, virDomainDef *def, virCaps *caps)
{
    g_autofree char *bios = NULL;
    g_autofree char *firmware = NULL;
    size_t i;

    if (libxlNativeGetString(conf, "bios", &bios) < 0 ||
        libxlNativeGetString(conf, "firmware", &firmware) < 0)
        return -1;

    if (STREQ_NULLABLE(bios, "ovmf") || STREQ_NULLABLE(firmware, "ovmf") ||
        STREQ_NULLABLE(firmware, "uefi")) {
        def->os.loader = g_new0(virDomainLoaderDef, 1);
        def->os.loader->type = VIR_DOMAIN_LOADER_TYPE_PFLASH;
        def->os.loader->readonly = VIR_TRISTATE_BOOL_YES;
        def->os.loader->path = g_strdup(LIBXL_FIRMWARE_DIR "/ovmf.bin");
        return 0;
    }

    if (bios && STRNEQ(bios, "rombios") && STRNEQ(bios, "seabios")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("invalid value for 'bios': '%s' (expected rombios, seabios or ovmf)"),
                       bios);
        return -1;
    }

    for (i = 0; i < caps->nguests; i++) {
        virCapsGuest *guest = caps->guests[i];

        if (guest->ostype == VIR_DOMAIN_OSTYPE_HVM &&
            guest->arch.id == def->os.arch &&
            guest->arch.defaultInfo.loader) {
            def->os.loader = g_new0(virDomainLoaderDef, 1);
            def->os.loader->path = g_strdup(guest->arch.defaultInfo.loader);
            break;
        }
    }

    return 0;
}


static int
libxlNativeParseBootloaderArgs(virConf *conf, virDomainDef *def)
{
    g_auto(GStrv) args = NULL;

    /* xl.cfg(5) spells it bootloader_args, a list or a string; xm
     * (and libvirt before) bootargs */
    if (libxlNativeGetString(conf, "bootargs", &def->os.bootloaderArgs) < 0)
        return -1;
    if (def->os.bootloaderArgs)
        return 0;

    if (libxlNativeGetStringList(conf, "bootloader_args", &args) < 0)
        return -1;
    if (args && args[0])
        def->os.bootloaderArgs = g_strjoinv(" ", args);

    return 0;
}


static int
libxlNativeParseOS(virConf *conf, virDomainDef *def, virCaps *caps)
{
    g_autofree char *boot = NULL;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM) {
        if (libxlNativeGetString(conf, "bootloader", &def->os.bootloader) < 0 ||
            libxlNativeParseBootloaderArgs(conf, def) < 0 ||
            libxlNativeGetString(conf, "kernel", &def->os.kernel) < 0 ||
            libxlNativeGetString(conf, "ramdisk", &def->os.initrd) < 0 ||
            libxlNativeParseCmdline(conf, true, &def->os.cmdline) < 0)
            return -1;
        return 0;
    }

    if (libxlNativeParseHVMLoader(conf, def, caps) < 0 ||
        libxlNativeGetString(conf, "acpi_firmware", &def->os.slic_table) < 0 ||
        libxlNativeGetString(conf, "kernel", &def->os.kernel) < 0 ||
        libxlNativeGetString(conf, "ramdisk", &def->os.initrd) < 0 ||
        libxlNativeParseCmdline(conf, true, &def->os.cmdline) < 0 ||
        libxlNativeGetString(conf, "boot", &boot) < 0)
        return -1;

    if (libxlNativeParseBoot(boot ? boot : "c", def) < 0)
        return -1;

    return libxlNativeParseNestedHVM(conf, def, caps);
}


/* ---- disks -------------------------------------------------------- */

/* the source of an xl disk: a path, or rbd:POOL/IMAGE:OPTIONS */
static int
libxlNativeParseDiskSource(virDomainDiskDef *disk, const char *path)
{
    g_autofree char *rbd = NULL;
    const char *p;

    if (!path)
        return 0;

    if (!STRPREFIX(path, "rbd:")) {
        virDomainDiskSetSource(disk, path);
        return 0;
    }

    /* in xl.cfg the option separators are escaped twice */
    rbd = virStringReplace(path, "\\\\", "\\");

    /* libvirt 9.0.0's RBD parser reads past the end of a bracketed
     * (IPv6) monitor host that no "\:PORT" follows */
    for (p = rbd; (p = strchr(p, ']')); p++) {
        if (!STRPREFIX(p + 1, "\\:") || !g_ascii_isdigit(p[3])) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'disk': RBD source '%s' has a bracketed monitor host without a port"),
                           path);
            return -1;
        }
    }
    virDomainDiskSetType(disk, VIR_STORAGE_TYPE_NETWORK);
    disk->src->protocol = VIR_STORAGE_NET_PROTOCOL_RBD;
    return virStorageSourceParseRBDColonString(rbd, disk->src);
}


static int
libxlNativeDiskFromLibxl(virDomainDiskDef *disk,
                         const libxl_device_disk *xldisk,
                         const virDomainDef *def)
{
    if (libxlNativeParseDiskSource(disk, xldisk->pdev_path) < 0)
        return -1;

    disk->dst = g_strdup(xldisk->vdev);
    disk->src->readonly = !xldisk->readwrite;
    disk->removable = xldisk->removable ? VIR_TRISTATE_SWITCH_ON :
                                          VIR_TRISTATE_SWITCH_ABSENT;

    if (STRPREFIX(xldisk->vdev, "xvd") || def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        disk->bus = VIR_DOMAIN_DISK_BUS_XEN;
    else if (STRPREFIX(xldisk->vdev, "sd"))
        disk->bus = VIR_DOMAIN_DISK_BUS_SCSI;
    else
        disk->bus = VIR_DOMAIN_DISK_BUS_IDE;

    if (xldisk->is_cdrom) {
        disk->device = VIR_DOMAIN_DISK_DEVICE_CDROM;
        virDomainDiskSetDriver(disk, "qemu");
        virDomainDiskSetType(disk, VIR_STORAGE_TYPE_FILE);
        virDomainDiskSetFormat(disk, virStorageSourceIsEmpty(disk->src) ?
                               VIR_STORAGE_FILE_NONE : VIR_STORAGE_FILE_RAW);
        return 0;
    }

    switch (xldisk->format) {
    case LIBXL_DISK_FORMAT_QCOW:
        virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_QCOW);
        break;
    case LIBXL_DISK_FORMAT_QCOW2:
        virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_QCOW2);
        break;
    case LIBXL_DISK_FORMAT_VHD:
        virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_VHD);
        break;
    case LIBXL_DISK_FORMAT_QED:
        virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_QED);
        break;
    case LIBXL_DISK_FORMAT_RAW:
    case LIBXL_DISK_FORMAT_UNKNOWN:
        virDomainDiskSetFormat(disk, VIR_STORAGE_FILE_RAW);
        break;
    case LIBXL_DISK_FORMAT_EMPTY:
        break;
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported format '%s' of disk '%s'"),
                       NULLSTR(libxl_disk_format_to_string(xldisk->format)),
                       xldisk->vdev);
        return -1;
    }

    switch (xldisk->backend) {
    case LIBXL_DISK_BACKEND_QDISK:
    case LIBXL_DISK_BACKEND_UNKNOWN:
        virDomainDiskSetDriver(disk, "qemu");
        if (virDomainDiskGetType(disk) == VIR_STORAGE_TYPE_NONE)
            virDomainDiskSetType(disk, VIR_STORAGE_TYPE_FILE);
        break;
    case LIBXL_DISK_BACKEND_TAP:
        virDomainDiskSetDriver(disk, "tap");
        virDomainDiskSetType(disk, VIR_STORAGE_TYPE_FILE);
        break;
    case LIBXL_DISK_BACKEND_PHY:
        virDomainDiskSetDriver(disk, "phy");
        virDomainDiskSetType(disk, VIR_STORAGE_TYPE_BLOCK);
        break;
    case LIBXL_DISK_BACKEND_STANDALONE:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported backend '%s' of disk '%s'"),
                       NULLSTR(libxl_disk_backend_to_string(xldisk->backend)),
                       xldisk->vdev);
        return -1;
    }

    return 0;
}


/*
 * libxlNativeParseDisk:
 * One xl-disk-configuration(5) spec, parsed by libxlutil; its complaint
 * (written to a memory stream) becomes the error message.
 */
static virDomainDiskDef *
libxlNativeParseDisk(const char *spec, size_t idx, const virDomainDef *def)
{
    g_autoptr(virDomainDiskDef) disk = NULL;
    g_autofree char *report = NULL;
    libxl_device_disk xldisk;
    XLU_Config *xlu = NULL;
    FILE *reportFile = NULL;
    size_t reportLen = 0;
    int rc = -1;

    libxl_device_disk_init(&xldisk);

    if (!(reportFile = open_memstream(&report, &reportLen)) ||
        !(xlu = xlu_cfg_init(reportFile, "disk"))) {
        virReportSystemError(errno, "%s", _("cannot set up the disk spec parser"));
        goto cleanup;
    }

    if (xlu_disk_parse(xlu, 1, &spec, &xldisk) != 0 || !xldisk.vdev) {
        fflush(reportFile);
        g_strstrip(report);
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'disk': entry %zu '%s': %s"),
                       idx, spec, *report ? report : _("no vdev"));
        goto cleanup;
    }

    if (libxlNativeCheckDiskTarget(xldisk.vdev, spec) < 0 ||
        !(disk = virDomainDiskDefNew(NULL)) ||
        libxlNativeDiskFromLibxl(disk, &xldisk, def) < 0)
        goto cleanup;

    rc = 0;

 cleanup:
    if (xlu)
        xlu_cfg_destroy(xlu);
    VIR_FORCE_FCLOSE(reportFile);
    libxl_device_disk_dispose(&xldisk);
    return rc == 0 ? g_steal_pointer(&disk) : NULL;
}


/* ---- spice -------------------------------------------------------- */

static int
libxlNativeParseSpice(virConf *conf, virDomainDef *def)
{
    g_autoptr(virDomainGraphicsDef) graphics = NULL;
    g_autofree char *listen = NULL;
    unsigned long port;
    unsigned long tlsPort;
    int val;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    if (libxlNativeGetBool(conf, "spice", &val, 0) < 0)
        return -1;
    if (!val)
        return 0;

    graphics = g_new0(virDomainGraphicsDef, 1);
    graphics->type = VIR_DOMAIN_GRAPHICS_TYPE_SPICE;

    if (libxlNativeGetString(conf, "spicehost", &listen) < 0 ||
        virDomainGraphicsListenAppendAddress(graphics, listen) < 0)
        return -1;

    if (libxlNativeGetULong(conf, "spiceport", &port, 0) < 0 ||
        libxlNativeGetULong(conf, "spicetls_port", &tlsPort, 0) < 0)
        return -1;
    if (port > 65535 || tlsPort > 65535) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                       port > 65535 ? _("invalid value for 'spiceport': too large") :
                                      _("invalid value for 'spicetls_port': too large"));
        return -1;
    }
    graphics->data.spice.port = port;
    graphics->data.spice.tlsPort = tlsPort;
    graphics->data.spice.autoport = !port && !tlsPort;

    if (libxlNativeGetBool(conf, "spicedisable_ticketing", &val, 0) < 0)
        return -1;
    if (!val) {
        if (libxlNativeGetString(conf, "spicepasswd",
                                 &graphics->data.spice.auth.passwd) < 0)
            return -1;
        if (!graphics->data.spice.auth.passwd) {
            virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                           _("missing 'spicepasswd' (or spicedisable_ticketing=1)"));
            return -1;
        }
    }

    if (libxlNativeGetBool(conf, "spiceagent_mouse", &val, 0) < 0)
        return -1;
    graphics->data.spice.mousemode = val ? VIR_DOMAIN_MOUSE_MODE_CLIENT :
                                           VIR_DOMAIN_MOUSE_MODE_SERVER;

    if (libxlNativeGetBool(conf, "spice_clipboard_sharing", &val, 0) < 0)
        return -1;
    graphics->data.spice.copypaste = virTristateBoolFromBool(val);

    VIR_APPEND_ELEMENT(def->graphics, def->ngraphics, graphics);
    return 0;
}


/* ---- usb ---------------------------------------------------------- */

static int
libxlNativeParseUSBDevice(virConf *conf, virDomainDef *def)
{
    g_auto(GStrv) devices = NULL;
    size_t i;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    if (libxlNativeGetStringList(conf, "usbdevice", &devices) < 0)
        return -1;

    for (i = 0; devices && devices[i]; i++) {
        if (libxlNativeParseUSBInput(devices[i], def) < 0)
            return -1;
    }

    return 0;
}


/* a hexadecimal number of a "key=value,..." spec */
static int
libxlNativeSpecHex(const char *spec, const char *token, const char *value,
                   int *out)
{
    if (virStrToLong_i(value, NULL, 16, out) < 0 || *out < 0) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid '%s' in '%s'"), token, spec);
        return -1;
    }

    return 0;
}


/* usbdev=[ "hostbus=BUS,hostaddr=ADDR" ] (hexadecimal, as xl writes them) */
static int
libxlNativeParseUSBDevs(virConf *conf, virDomainDef *def)
{
    g_auto(GStrv) specs = NULL;
    size_t i, j;

    if (libxlNativeGetStringList(conf, "usbdev", &specs) < 0)
        return -1;

    for (i = 0; specs && specs[i]; i++) {
        g_auto(GStrv) tokens = libxlNativeSpecSplit(specs[i]);
        virDomainHostdevDef *hostdev;
        int bus = -1;
        int addr = -1;

        for (j = 0; tokens[j]; j++) {
            const char *val;

            if ((val = libxlNativeSpecValue(tokens[j], "hostbus")) &&
                libxlNativeSpecHex(specs[i], tokens[j], val, &bus) < 0)
                return -1;
            if ((val = libxlNativeSpecValue(tokens[j], "hostaddr")) &&
                libxlNativeSpecHex(specs[i], tokens[j], val, &addr) < 0)
                return -1;
        }

        if (bus < 0 || addr < 0) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'usbdev': '%s' needs hostbus and hostaddr"),
                           specs[i]);
            return -1;
        }

        if (!(hostdev = virDomainHostdevDefNew()))
            return -1;
        hostdev->managed = false;
        hostdev->source.subsys.type = VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB;
        hostdev->source.subsys.u.usb.bus = bus;
        hostdev->source.subsys.u.usb.device = addr;
        VIR_APPEND_ELEMENT(def->hostdevs, def->nhostdevs, hostdev);
    }

    return 0;
}


/* usbctrl=[ "type=qusb,version=2,ports=8" ]; pv controllers have no
 * libvirt model and are left out */
static int
libxlNativeParseUSBCtrls(virConf *conf, virDomainDef *def)
{
    g_auto(GStrv) specs = NULL;
    size_t i, j;

    if (libxlNativeGetStringList(conf, "usbctrl", &specs) < 0)
        return -1;

    for (i = 0; specs && specs[i]; i++) {
        g_auto(GStrv) tokens = libxlNativeSpecSplit(specs[i]);
        virDomainControllerDef *ctrl;
        int version = 2;
        int ports = 8;
        bool qusb = true;

        for (j = 0; tokens[j]; j++) {
            const char *val;

            if ((val = libxlNativeSpecValue(tokens[j], "type")))
                qusb = STRPREFIX(val, "qusb") || STREQ(val, "auto");
            else if ((val = libxlNativeSpecValue(tokens[j], "version")) &&
                     libxlNativeSpecHex(specs[i], tokens[j], val, &version) < 0)
                return -1;
            else if ((val = libxlNativeSpecValue(tokens[j], "ports")) &&
                     libxlNativeSpecHex(specs[i], tokens[j], val, &ports) < 0)
                return -1;
        }

        if (!qusb) {
            VIR_WARN("ignoring usbctrl '%s': only qusb controllers are supported",
                     specs[i]);
            continue;
        }
        if (version != 1 && version != 2) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'usbctrl': '%s' (version must be 1 or 2)"),
                           specs[i]);
            return -1;
        }

        if (!(ctrl = virDomainControllerDefNew(VIR_DOMAIN_CONTROLLER_TYPE_USB)))
            return -1;
        ctrl->model = version == 1 ? VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB1 :
                                     VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB2;
        ctrl->opts.usbopts.ports = ports;
        VIR_APPEND_ELEMENT(def->controllers, def->ncontrollers, ctrl);
    }

    return 0;
}


/* ---- channels ----------------------------------------------------- */

/* channel=[ "connection=socket|pty,path=PATH,name=NAME" ] */
static int
libxlNativeParseChannels(virConf *conf, virDomainDef *def)
{
    g_auto(GStrv) specs = NULL;
    size_t i, j;

    if (libxlNativeGetStringList(conf, "channel", &specs) < 0)
        return -1;

    for (i = 0; specs && specs[i]; i++) {
        g_auto(GStrv) tokens = libxlNativeSpecSplit(specs[i]);
        g_autoptr(virDomainChrDef) chr = NULL;
        const char *connection = NULL;
        const char *name = NULL;
        const char *path = NULL;

        for (j = 0; tokens[j]; j++) {
            const char *val;

            if ((val = libxlNativeSpecValue(tokens[j], "connection")))
                connection = val;
            else if ((val = libxlNativeSpecValue(tokens[j], "name")) && !name)
                name = val;
            else if ((val = libxlNativeSpecValue(tokens[j], "path")) && !path)
                path = val;
        }

        if (!name || !connection ||
            (STRNEQ(connection, "socket") && STRNEQ(connection, "pty"))) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'channel': '%s' needs a name and connection=socket or pty"),
                           specs[i]);
            return -1;
        }

        if (!(chr = virDomainChrDefNew(NULL)))
            return -1;

        if (STREQ(connection, "socket")) {
            chr->source->type = VIR_DOMAIN_CHR_TYPE_UNIX;
            chr->source->data.nix.listen = true;
            chr->source->data.nix.path = g_strdup(path);
        } else {
            chr->source->type = VIR_DOMAIN_CHR_TYPE_PTY;
        }
        chr->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_CHANNEL;
        chr->targetType = VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_XEN;
        chr->target.name = g_strdup(name);

        VIR_APPEND_ELEMENT(def->channels, def->nchannels, chr);
    }

    return 0;
}


/* ---- device_model_args -------------------------------------------- */

static int
libxlNativeParseDeviceModelArgs(virConf *conf, virDomainDef *def,
                                virDomainXMLOption *xmlopt)
{
    virXMLNamespace *ns = virDomainXMLOptionGetNamespace(xmlopt);
    g_auto(GStrv) args = NULL;

    if (libxlNativeGetStringList(conf, "device_model_args", &args) < 0)
        return -1;
    if (!args || !args[0])
        return 0;

    if (!ns->format || STRNEQ_NULLABLE(ns->uri, LIBXL_NATIVE_XEN_NS_URI)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("device_model_args needs the driver's xen XML namespace"));
        return -1;
    }

    def->namespaceData = g_steal_pointer(&args);
    def->ns = *ns;
    return 0;
}


/*
 * libxlNativeParseXL:
 * The xl-only keys of @conf into @def (after the shared ones).
 */
int
libxlNativeParseXL(virConf *conf, virDomainDef *def, virCaps *caps,
                   virDomainXMLOption *xmlopt)
{
    if (libxlNativeParseOS(conf, def, caps) < 0 ||
        libxlNativeParseVnuma(conf, def) < 0 ||
        libxlNativeParseXenbus(conf, def) < 0 ||
        libxlNativeParseCPUID(conf, def) < 0 ||
        libxlNativeParseDiskList(conf, def, libxlNativeParseDisk) < 0 ||
        libxlNativeParseSpice(conf, def) < 0 ||
        libxlNativeParseUSBDevice(conf, def) < 0 ||
        libxlNativeParseUSBDevs(conf, def) < 0 ||
        libxlNativeParseUSBCtrls(conf, def) < 0 ||
        libxlNativeParseChannels(conf, def) < 0 ||
        libxlNativeParseDeviceModelArgs(conf, def, xmlopt) < 0)
        return -1;

    return 0;
}


/* ==== XML -> xl.cfg ================================================= */

static bool
libxlNativeHasHwVirt(const virCPUDef *cpu)
{
    size_t i;

    for (i = 0; i < cpu->nfeatures; i++) {
        if ((cpu->features[i].policy == VIR_CPU_FEATURE_DISABLE ||
             cpu->features[i].policy == VIR_CPU_FEATURE_FORBID) &&
            (STREQ(cpu->features[i].name, "vmx") ||
             STREQ(cpu->features[i].name, "svm")))
            return false;
    }

    return true;
}


static int
libxlNativeFormatOS(virConf *conf, virDomainDef *def)
{
    char boot[VIR_DOMAIN_BOOT_LAST + 1];

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM) {
        if (def->os.type == VIR_DOMAIN_OSTYPE_XENPVH &&
            libxlNativeSetString(conf, "type", "pvh") < 0)
            return -1;
        return libxlNativeFormatPVOS(conf, def, "bootloader_args", "cmdline");
    }

    if (libxlNativeSetString(conf, "builder", "hvm") < 0 ||
        (virDomainDefHasOldStyleUEFI(def) &&
         libxlNativeSetString(conf, "bios", "ovmf") < 0) ||
        (def->os.slic_table &&
         libxlNativeSetString(conf, "acpi_firmware", def->os.slic_table) < 0) ||
        (def->os.kernel &&
         libxlNativeSetString(conf, "kernel", def->os.kernel) < 0) ||
        (def->os.initrd &&
         libxlNativeSetString(conf, "ramdisk", def->os.initrd) < 0) ||
        (def->os.cmdline &&
         libxlNativeSetString(conf, "cmdline", def->os.cmdline) < 0))
        return -1;

    libxlNativeFormatBoot(def, boot);
    if (libxlNativeSetString(conf, "boot", boot) < 0)
        return -1;

    if (def->cpu && def->cpu->mode == VIR_CPU_MODE_HOST_PASSTHROUGH &&
        libxlNativeSetInt(conf, "nestedhvm", libxlNativeHasHwVirt(def->cpu)) < 0)
        return -1;

    return 0;
}


static int
libxlNativeFormatCPUID(virConf *conf, virDomainDef *def)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t nfeatures = 0;
    size_t i;

    if (!def->cpu || def->cpu->mode != VIR_CPU_MODE_HOST_PASSTHROUGH)
        return 0;

    virBufferAddLit(&buf, "host");
    for (i = 0; i < def->cpu->nfeatures; i++) {
        const char *name = libxlNativeCPUFeatureToXL(def->cpu->features[i].name);
        const char *policy = "0";

        /* the hardware virtualisation bits are nestedhvm= */
        if (STREQ(name, "vmx") || STREQ(name, "svm"))
            continue;

        switch ((virCPUFeaturePolicy)def->cpu->features[i].policy) {
        case VIR_CPU_FEATURE_FORCE:
        case VIR_CPU_FEATURE_REQUIRE:
            policy = "1";
            break;
        case VIR_CPU_FEATURE_OPTIONAL:
            policy = "x";
            break;
        case VIR_CPU_FEATURE_DISABLE:
        case VIR_CPU_FEATURE_FORBID:
        case VIR_CPU_FEATURE_LAST:
            break;
        }
        virBufferAsprintf(&buf, ",%s=%s", name, policy);
        nfeatures++;
    }

    if (nfeatures == 0)
        return 0;

    return libxlNativeSetString(conf, "cpuid", virBufferCurrentContent(&buf));
}


static int
libxlNativeFormatVnuma(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) vnuma = libxlNativeListNew();
    size_t nnodes = virDomainNumaGetNodeCount(def->numa);
    virConfValue **tail = &vnuma->list;
    size_t node, i;

    for (node = 0; node < nnodes; node++) {
        virConfValue *vnode = libxlNativeListNew();
        virBitmap *cpumask = virDomainNumaGetNodeCpumask(def->numa, node);
        g_auto(virBuffer) dists = VIR_BUFFER_INITIALIZER;
        g_autofree char *vcpus = NULL;

        *tail = vnode;
        tail = &vnode->next;

        if (!cpumask || !(vcpus = virBitmapFormat(cpumask))) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("NUMA cell %zu has no cpus"), node);
            return -1;
        }

        for (i = 0; i < nnodes; i++)
            virBufferAsprintf(&dists, "%s%zu", i ? "," : "",
                              virDomainNumaGetNodeDistance(def->numa, node, i));

        libxlNativeListAppend(vnode, g_strdup_printf("pnode=%zu", node));
        libxlNativeListAppend(vnode, g_strdup_printf("size=%llu",
                              virDomainNumaGetNodeMemorySize(def->numa, node) / 1024));
        libxlNativeListAppend(vnode, g_strdup_printf("vcpus=%s", vcpus));
        libxlNativeListAppend(vnode, g_strdup_printf("vdistances=%s",
                                                     virBufferCurrentContent(&dists)));
    }

    return libxlNativeSetList(conf, "vnuma", &vnuma);
}


static int
libxlNativeFormatXenbus(virConf *conf, virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_XENBUS)
            continue;

        if ((ctrl->opts.xenbusopts.maxEventChannels > 0 &&
             libxlNativeSetInt(conf, "max_event_channels",
                               ctrl->opts.xenbusopts.maxEventChannels) < 0) ||
            (ctrl->opts.xenbusopts.maxGrantFrames > 0 &&
             libxlNativeSetInt(conf, "max_grant_frames",
                               ctrl->opts.xenbusopts.maxGrantFrames) < 0))
            return -1;
    }

    return 0;
}


/* rbd:POOL/IMAGE:auth_supported=none:mon_host=HOST\\:PORT\\;... */
static char *
libxlNativeFormatDiskRBD(virStorageSource *src)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    if (src->protocol != VIR_STORAGE_NET_PROTOCOL_RBD) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported network disk protocol '%s'"),
                       NULLSTR(virStorageNetProtocolTypeToString(src->protocol)));
        return NULL;
    }

    if (strchr(src->path, ':')) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("':' not allowed in RBD source volume name '%s'"),
                       src->path);
        return NULL;
    }

    virBufferStrcat(&buf, "rbd:", src->volume, "/", src->path,
                    ":auth_supported=none", NULL);

    for (i = 0; i < src->nhosts; i++) {
        /* libvirt's parser cannot read a bracketed host without a port */
        if (strchr(src->hosts[i].name, ':') && !src->hosts[i].port) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("RBD monitor host '%s' needs a port"),
                           src->hosts[i].name);
            return NULL;
        }
        virBufferAdd(&buf, i ? "\\\\;" : ":mon_host=", -1);
        if (strchr(src->hosts[i].name, ':'))
            virBufferEscape(&buf, '\\', ":", "[%s]", src->hosts[i].name);
        else
            virBufferAdd(&buf, src->hosts[i].name, -1);
        if (src->hosts[i].port)
            virBufferAsprintf(&buf, "\\\\:%u", src->hosts[i].port);
    }

    return virBufferContentAndReset(&buf);
}


static const char *
libxlNativeDiskFormatName(int format)
{
    switch (format) {
    case VIR_STORAGE_FILE_VHD:
        return "vhd";
    case VIR_STORAGE_FILE_QCOW:
        return "qcow";
    case VIR_STORAGE_FILE_QCOW2:
        return "qcow2";
    case VIR_STORAGE_FILE_QED:
        return "qed";
    default:
        return "raw";
    }
}


static int
libxlNativeFormatDisk(virConfValue *list, virDomainDiskDef *disk)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    const char *driver = virDomainDiskGetDriver(disk);
    g_autofree char *target = NULL;

    if (disk->transient) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("transient disk '%s' is not supported"), disk->dst);
        return -1;
    }

    virBufferAsprintf(&buf, "format=%s,vdev=%s,access=%s",
                      libxlNativeDiskFormatName(virDomainDiskGetFormat(disk)),
                      disk->dst,
                      disk->src->readonly ? "ro" : disk->src->shared ? "!" : "rw");

    if (driver) {
        if (STREQ(driver, "qemu") || STREQ(driver, "file"))
            virBufferAddLit(&buf, ",backendtype=qdisk");
        else if (STREQ(driver, "tap") || STREQ(driver, "phy"))
            virBufferAsprintf(&buf, ",backendtype=%s", driver);
        else
            virBufferAddLit(&buf, ",backendtype=");
    }

    if (disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM)
        virBufferAddLit(&buf, ",devtype=cdrom");

    /* target= takes the rest of the spec: it must come last */
    if (!virStorageSourceIsEmpty(disk->src)) {
        switch (virStorageSourceGetActualType(disk->src)) {
        case VIR_STORAGE_TYPE_BLOCK:
        case VIR_STORAGE_TYPE_FILE:
        case VIR_STORAGE_TYPE_DIR:
            target = g_strdup(disk->src->path);
            break;
        case VIR_STORAGE_TYPE_NETWORK:
            if (!(target = libxlNativeFormatDiskRBD(disk->src)))
                return -1;
            break;
        case VIR_STORAGE_TYPE_VOLUME:
        case VIR_STORAGE_TYPE_NVME:
        case VIR_STORAGE_TYPE_VHOST_USER:
        case VIR_STORAGE_TYPE_NONE:
        case VIR_STORAGE_TYPE_LAST:
            break;
        }
    }
    if (target)
        virBufferAsprintf(&buf, ",target=%s", target);

    libxlNativeListAppend(list, virBufferContentAndReset(&buf));
    return 0;
}


static int
libxlNativeFormatSpice(virConf *conf, virDomainDef *def)
{
    virDomainGraphicsDef *graphics = NULL;
    virDomainGraphicsListenDef *glisten;
    bool vnc = false;
    size_t i;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    for (i = 0; i < def->ngraphics; i++) {
        if (def->graphics[i]->type != VIR_DOMAIN_GRAPHICS_TYPE_SPICE)
            vnc = true;
        else if (!graphics)
            graphics = def->graphics[i];
    }
    if (!graphics)
        return 0;

    /* vnc= and sdl= are the other graphics device's when there is one */
    if (!vnc &&
        (libxlNativeSetInt(conf, "sdl", 0) < 0 ||
         libxlNativeSetInt(conf, "vnc", 0) < 0))
        return -1;

    if (libxlNativeSetInt(conf, "spice", 1) < 0)
        return -1;

    if ((glisten = virDomainGraphicsGetListen(graphics, 0)) && glisten->address &&
        libxlNativeSetString(conf, "spicehost", glisten->address) < 0)
        return -1;

    if (libxlNativeSetInt(conf, "spiceport", graphics->data.spice.port) < 0 ||
        libxlNativeSetInt(conf, "spicetls_port", graphics->data.spice.tlsPort) < 0 ||
        libxlNativeSetInt(conf, "spicedisable_ticketing",
                          !graphics->data.spice.auth.passwd) < 0 ||
        (graphics->data.spice.auth.passwd &&
         libxlNativeSetString(conf, "spicepasswd",
                              graphics->data.spice.auth.passwd) < 0))
        return -1;

    /* the client mouse mode and the clipboard need the guest agent */
    if (graphics->data.spice.mousemode != VIR_DOMAIN_MOUSE_MODE_DEFAULT) {
        bool client = graphics->data.spice.mousemode == VIR_DOMAIN_MOUSE_MODE_CLIENT;

        if (libxlNativeSetInt(conf, "spiceagent_mouse", client) < 0 ||
            (client && libxlNativeSetInt(conf, "spicevdagent", 1) < 0))
            return -1;
    }

    if (graphics->data.spice.copypaste == VIR_TRISTATE_BOOL_YES &&
        (libxlNativeSetInt(conf, "spice_clipboard_sharing", 1) < 0 ||
         libxlNativeSetInt(conf, "spicevdagent", 1) < 0))
        return -1;

    return 0;
}


static int
libxlNativeFormatUSBDevice(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
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
            libxlNativeListAppend(list, g_strdup(name));
    }

    /* one device: the string form older Xen understands */
    if (list->list && !list->list->next)
        return libxlNativeSetString(conf, "usbdevice", list->list->str);

    return libxlNativeSetList(conf, "usbdevice", &list);
}


static int
libxlNativeFormatUSBDevs(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    size_t i;

    for (i = 0; i < def->nhostdevs; i++) {
        virDomainHostdevDef *hostdev = def->hostdevs[i];

        if (hostdev->mode != VIR_DOMAIN_HOSTDEV_MODE_SUBSYS ||
            hostdev->source.subsys.type != VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB)
            continue;

        libxlNativeListAppend(list, g_strdup_printf("hostbus=%x,hostaddr=%x",
                                                    hostdev->source.subsys.u.usb.bus,
                                                    hostdev->source.subsys.u.usb.device));
    }

    return libxlNativeSetList(conf, "usbdev", &list);
}


static int
libxlNativeFormatUSBCtrls(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        virDomainControllerDef *ctrl = def->controllers[i];
        g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;

        if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_USB)
            continue;

        switch (ctrl->model) {
        case VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB1:
            virBufferAddLit(&buf, "type=qusb,version=1,");
            break;
        case VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB2:
            virBufferAddLit(&buf, "type=qusb,version=2,");
            break;
        case -1:
            break;
        default:
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported USB controller model '%s'"),
                           NULLSTR(virDomainControllerModelUSBTypeToString(ctrl->model)));
            return -1;
        }

        if (ctrl->opts.usbopts.ports != -1)
            virBufferAsprintf(&buf, "ports=%x", ctrl->opts.usbopts.ports);

        libxlNativeListAppend(list, virBufferContentAndReset(&buf));
    }

    return libxlNativeSetList(conf, "usbctrl", &list);
}


static int
libxlNativeFormatChannels(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    size_t i;

    for (i = 0; i < def->nchannels; i++) {
        virDomainChrDef *chr = def->channels[i];
        g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;

        if (chr->targetType != VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_XEN)
            continue;

        if (chr->source->type == VIR_DOMAIN_CHR_TYPE_PTY) {
            virBufferAddLit(&buf, "connection=pty,");
        } else if (chr->source->type == VIR_DOMAIN_CHR_TYPE_UNIX) {
            virBufferAddLit(&buf, "connection=socket,");
            if (chr->source->data.nix.path)
                virBufferAsprintf(&buf, "path=%s,", chr->source->data.nix.path);
        } else {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported channel source type '%s' (xen channels are pty or unix)"),
                           NULLSTR(virDomainChrTypeToString(chr->source->type)));
            return -1;
        }
        virBufferAsprintf(&buf, "name=%s", NULLSTR_EMPTY(chr->target.name));

        libxlNativeListAppend(list, virBufferContentAndReset(&buf));
    }

    return libxlNativeSetList(conf, "channel", &list);
}


static int
libxlNativeFormatDeviceModelArgs(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    char **args = def->namespaceData;
    size_t i;

    if (!args || STRNEQ_NULLABLE(def->ns.uri, LIBXL_NATIVE_XEN_NS_URI))
        return 0;

    for (i = 0; args[i]; i++)
        libxlNativeListAppend(list, g_strdup(args[i]));

    return libxlNativeSetList(conf, "device_model_args", &list);
}


/*
 * libxlNativeFormatXL:
 * The xl-only keys of @def into @conf (after the shared ones).
 */
int
libxlNativeFormatXL(virConf *conf, virDomainDef *def)
{
    if (libxlNativeFormatOS(conf, def) < 0 ||
        libxlNativeFormatCPUID(conf, def) < 0 ||
        libxlNativeFormatVnuma(conf, def) < 0 ||
        libxlNativeFormatXenbus(conf, def) < 0 ||
        libxlNativeFormatDiskList(conf, def, libxlNativeFormatDisk) < 0 ||
        libxlNativeFormatSpice(conf, def) < 0 ||
        libxlNativeFormatUSBDevice(conf, def) < 0 ||
        libxlNativeFormatUSBDevs(conf, def) < 0 ||
        libxlNativeFormatUSBCtrls(conf, def) < 0 ||
        libxlNativeFormatChannels(conf, def) < 0 ||
        libxlNativeFormatDeviceModelArgs(conf, def) < 0)
        return -1;

    return 0;
}

/*
 * libxl_capabilities.c: host and domain capabilities from libxl
 *
 * The host capabilities are built from what libxl reports about the
 * host: libxl_get_version_info() (the guest types Xen can run),
 * libxl_get_physinfo() (CPU features and topology counts),
 * libxl_get_cpu_topology() and libxl_get_numainfo() (NUMA cells).  The
 * builder takes those structures, not a libxl context, so that it can be
 * tested with a synthetic host.
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
#include "virfile.h"
#include "virbitmap.h"
#include "virstring.h"
#include "cpu/cpu.h"
#include "cpu/cpu_x86.h"
#include "cpu/cpu_x86_data.h"
#include "libxl_conf.h"
#include "libxl_capabilities.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_capabilities");

/* bits of physinfo.hw_cap; see xen/include/public/arch-x86/cpufeatureset.h */
#define LIBXL_HWCAP_PAE_WORD 0      /* CPUID.00000001.EDX */
#define LIBXL_HWCAP_PAE_BIT (1U << 6)
#define LIBXL_HWCAP_LM_WORD 2       /* CPUID.80000001.EDX */
#define LIBXL_HWCAP_LM_BIT (1U << 29)

/* One guest flavour Xen can run: an OS type on an architecture. */
typedef struct _libxlGuestFlavour libxlGuestFlavour;
struct _libxlGuestFlavour {
    int ostype;         /* virDomainOSType */
    virArch arch;
    bool pae;
    bool nonpae;
};

#define LIBXL_MAX_GUEST_FLAVOURS 16


/*
 * libxlCapsHostCPUData:
 * The CPUID leaves physinfo.hw_cap carries (Xen >= 4.7 layout), as
 * libvirt's x86 CPU data.
 */
static virCPUData *
libxlCapsHostCPUData(virArch arch, const libxl_hwcap hwcap)
{
    g_autoptr(virCPUData) data = NULL;
    virCPUx86CPUID leaves[] = {
        { .eax_in = 0x00000001, .edx = hwcap[0] },
        { .eax_in = 0x00000001, .ecx = hwcap[1] },
        { .eax_in = 0x80000001, .edx = hwcap[2] },
        { .eax_in = 0x80000001, .ecx = hwcap[3] },
        { .eax_in = 0x0000000d, .ecx_in = 1, .eax = hwcap[4] },
        { .eax_in = 0x00000007, .ecx_in = 0, .ebx = hwcap[5] },
        { .eax_in = 0x00000007, .ecx_in = 0, .ecx = hwcap[6] },
        { .eax_in = 0x80000007, .edx = hwcap[7] },
    };
    size_t i;

    if (!(data = virCPUDataNew(arch)))
        return NULL;

    for (i = 0; i < G_N_ELEMENTS(leaves); i++) {
        virCPUx86DataItem item = { .type = VIR_CPU_X86_DATA_CPUID };

        item.data.cpuid = leaves[i];
        if (virCPUx86DataAdd(data, &item) < 0)
            return NULL;
    }

    return g_steal_pointer(&data);
}


/*
 * libxlCapsInitHostCPU:
 * The host CPU: architecture, topology and (on x86, where Xen reports
 * CPUID words) model and features.
 */
static int
libxlCapsInitHostCPU(virCaps *caps, const libxlHostInfo *host)
{
    const libxl_physinfo *phy = host->phys;
    g_autoptr(virCPUDef) cpu = NULL;
    g_autoptr(virCPUData) data = NULL;
    unsigned int perSocket;

    /* Xen reports CPUID words on x86 only */
    if (!ARCH_IS_X86(host->arch) || phy->hw_cap[0] == 0)
        return 0;

    if (phy->hw_cap[LIBXL_HWCAP_PAE_WORD] & LIBXL_HWCAP_PAE_BIT)
        virCapabilitiesAddHostFeature(caps, "pae");

    cpu = virCPUDefNew();
    cpu->type = VIR_CPU_TYPE_HOST;
    if (phy->hw_cap[LIBXL_HWCAP_LM_WORD] & LIBXL_HWCAP_LM_BIT)
        cpu->arch = VIR_ARCH_X86_64;
    else
        cpu->arch = VIR_ARCH_I686;

    cpu->dies = 1;
    cpu->cores = phy->cores_per_socket ? phy->cores_per_socket : 1;
    cpu->threads = phy->threads_per_core ? phy->threads_per_core : 1;
    perSocket = cpu->cores * cpu->threads;
    cpu->sockets = phy->nr_cpus / perSocket ? phy->nr_cpus / perSocket : 1;

    if (!(data = libxlCapsHostCPUData(cpu->arch, phy->hw_cap)) ||
        cpuDecode(cpu, data, NULL) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot decode the host CPU features Xen reports"));
        return -1;
    }

    caps->host.cpu = g_steal_pointer(&cpu);
    return 0;
}


/*
 * libxlCapsCellCPUs:
 * The CPUs of NUMA node @node, each with its socket and core, and as
 * siblings the CPUs sharing that core.
 */
static virCapsHostNUMACellCPU *
libxlCapsCellCPUs(const libxlHostInfo *host, int node, int *ncpus)
{
    const libxl_cputopology *topo = host->topology;
    virCapsHostNUMACellCPU *cpus = NULL;
    size_t n = 0;
    size_t i;
    size_t j;

    for (i = 0; i < host->ncpus; i++) {
        if (topo[i].core == LIBXL_CPUTOPOLOGY_INVALID_ENTRY ||
            topo[i].node != node)
            continue;
        VIR_EXPAND_N(cpus, n, 1);
        cpus[n - 1].id = i;
        cpus[n - 1].socket_id = topo[i].socket;
        cpus[n - 1].die_id = 0;
        cpus[n - 1].core_id = topo[i].core;
        cpus[n - 1].siblings = virBitmapNew(host->ncpus);

        for (j = 0; j < host->ncpus; j++) {
            if (topo[j].core != LIBXL_CPUTOPOLOGY_INVALID_ENTRY &&
                topo[j].socket == topo[i].socket &&
                topo[j].core == topo[i].core &&
                topo[j].node == topo[i].node)
                ignore_value(virBitmapSetBit(cpus[n - 1].siblings, j));
        }
    }

    *ncpus = n;
    return cpus;
}


/*
 * libxlCapsInitNUMA:
 * One cell per NUMA node libxl reports, with its memory, distances and
 * CPUs.
 */
static int
libxlCapsInitNUMA(virCaps *caps, const libxlHostInfo *host)
{
    int node;

    if (!host->numa || host->nnodes <= 0 || !host->topology || host->ncpus <= 0)
        return 0;

    caps->host.numa = virCapabilitiesHostNUMANew();

    for (node = 0; node < host->nnodes; node++) {
        const libxl_numainfo *info = &host->numa[node];
        virCapsHostNUMACellCPU *cpus = NULL;
        virNumaDistance *distances = NULL;
        int ncpus = 0;
        int ndistances = 0;
        size_t i;

        if (info->size == LIBXL_NUMAINFO_INVALID_ENTRY)
            continue;

        cpus = libxlCapsCellCPUs(host, node, &ncpus);

        if (info->num_dists > 0) {
            ndistances = info->num_dists;
            distances = g_new0(virNumaDistance, ndistances);
            for (i = 0; i < info->num_dists; i++) {
                distances[i].cellid = i;
                distances[i].value = info->dists[i];
            }
        }

        /* takes ownership of cpus and distances */
        virCapabilitiesHostNUMAAddCell(caps->host.numa, node,
                                       info->size / 1024,
                                       ncpus, &cpus,
                                       ndistances, &distances,
                                       0, NULL, NULL);
    }

    return 0;
}


static libxlGuestFlavour *
libxlCapsFlavourGet(libxlGuestFlavour *flavours, size_t *nflavours,
                    int ostype, virArch arch)
{
    size_t i;

    for (i = 0; i < *nflavours; i++) {
        if (flavours[i].ostype == ostype && flavours[i].arch == arch)
            return &flavours[i];
    }

    if (*nflavours >= LIBXL_MAX_GUEST_FLAVOURS)
        return NULL;

    flavours[*nflavours].ostype = ostype;
    flavours[*nflavours].arch = arch;
    return &flavours[(*nflavours)++];
}


/*
 * libxlCapsParseGuestToken:
 * One word of Xen's capabilities string, TYPE-VERSION-ARCH[SUFFIX]:
 * "xen-3.0-x86_64", "xen-3.0-x86_32p", "hvm-3.0-x86_32", ... TYPE is xen
 * (PV) or hvm; on x86_32 the suffix p means PAE.  A word this driver does
 * not know is skipped.  Each HVM architecture also runs PVH guests.
 */
static void
libxlCapsParseGuestToken(const char *token,
                         libxlGuestFlavour *flavours,
                         size_t *nflavours)
{
    g_auto(GStrv) parts = g_strsplit(token, "-", 3);
    libxlGuestFlavour *flavour;
    const char *archstr;
    bool hvm;
    bool pae = false;
    virArch arch;

    if (g_strv_length(parts) != 3)
        return;

    if (STREQ(parts[0], "hvm"))
        hvm = true;
    else if (STREQ(parts[0], "xen"))
        hvm = false;
    else
        return;

    archstr = parts[2];
    if (STREQ(archstr, "x86_64")) {
        arch = VIR_ARCH_X86_64;
    } else if (STRPREFIX(archstr, "x86_32")) {
        arch = VIR_ARCH_I686;
        pae = STREQ(archstr, "x86_32p");
    } else if (STREQ(archstr, "aarch64")) {
        arch = VIR_ARCH_AARCH64;
    } else if (STREQ(archstr, "armv7l")) {
        arch = VIR_ARCH_ARMV7L;
    } else {
        VIR_DEBUG("skipping unknown Xen guest type '%s'", token);
        return;
    }

    if (!(flavour = libxlCapsFlavourGet(flavours, nflavours,
                                        hvm ? VIR_DOMAIN_OSTYPE_HVM :
                                        VIR_DOMAIN_OSTYPE_XEN, arch)))
        return;

    if (arch == VIR_ARCH_I686) {
        if (pae)
            flavour->pae = true;
        else
            flavour->nonpae = true;
    }

    if (hvm)
        ignore_value(libxlCapsFlavourGet(flavours, nflavours,
                                         VIR_DOMAIN_OSTYPE_XENPVH, arch));
}


static int
libxlCapsAddGuest(virCaps *caps, const libxlGuestFlavour *flavour)
{
    const char *machine;
    const char *loader = NULL;
    virCapsGuestMachine **machines;
    virCapsGuest *guest;

    switch ((virDomainOSType) flavour->ostype) {
    case VIR_DOMAIN_OSTYPE_HVM:
        machine = "xenfv";
        loader = LIBXL_HVMLOADER;
        break;
    case VIR_DOMAIN_OSTYPE_XENPVH:
        machine = "xenpvh";
        break;
    case VIR_DOMAIN_OSTYPE_XEN:
        machine = "xenpv";
        break;
    case VIR_DOMAIN_OSTYPE_LINUX:
    case VIR_DOMAIN_OSTYPE_EXE:
    case VIR_DOMAIN_OSTYPE_UML:
    case VIR_DOMAIN_OSTYPE_LAST:
    default:
        return 0;
    }

    /* libvirt 9.0.0's capability schema has no os_type 'xenpvh': PVH is
     * advertised as os_type 'xen' with machine 'xenpvh', the form a
     * domain XML can also use */
    machines = virCapabilitiesAllocMachines(&machine, 1);
    guest = virCapabilitiesAddGuest(caps,
                                    flavour->ostype == VIR_DOMAIN_OSTYPE_XENPVH ?
                                    VIR_DOMAIN_OSTYPE_XEN : flavour->ostype,
                                    flavour->arch,
                                    LIBXL_DEFAULT_EMULATOR, loader,
                                    1, machines);
    virCapabilitiesAddGuestDomain(guest, VIR_DOMAIN_VIRT_XEN,
                                  NULL, NULL, 0, NULL);

    if (flavour->pae)
        virCapabilitiesAddGuestFeature(guest, VIR_CAPS_GUEST_FEATURE_TYPE_PAE);
    if (flavour->nonpae)
        virCapabilitiesAddGuestFeature(guest, VIR_CAPS_GUEST_FEATURE_TYPE_NONPAE);

    if (flavour->ostype == VIR_DOMAIN_OSTYPE_HVM) {
        virCapabilitiesAddGuestFeatureWithToggle(guest,
                                                 VIR_CAPS_GUEST_FEATURE_TYPE_ACPI,
                                                 true, true);
        virCapabilitiesAddGuestFeatureWithToggle(guest,
                                                 VIR_CAPS_GUEST_FEATURE_TYPE_APIC,
                                                 true, false);
    }

    if (flavour->ostype != VIR_DOMAIN_OSTYPE_XEN)
        virCapabilitiesAddGuestFeatureWithToggle(guest,
                                                 VIR_CAPS_GUEST_FEATURE_TYPE_HAP,
                                                 true, true);

    return 0;
}


/*
 * libxlCapsInitGuests:
 * A guest per (OS type, arch) that Xen's capabilities string lists, in
 * the order Xen lists them, each PVH guest right after its HVM one.
 */
static int
libxlCapsInitGuests(virCaps *caps, const libxlHostInfo *host)
{
    libxlGuestFlavour flavours[LIBXL_MAX_GUEST_FLAVOURS] = { 0 };
    size_t nflavours = 0;
    g_auto(GStrv) tokens = NULL;
    size_t i;

    if (!host->version || !host->version->capabilities) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("libxenlight reports no guest capabilities"));
        return -1;
    }

    tokens = g_strsplit_set(host->version->capabilities, " \t\n", 0);
    for (i = 0; tokens[i]; i++) {
        if (*tokens[i])
            libxlCapsParseGuestToken(tokens[i], flavours, &nflavours);
    }

    for (i = 0; i < nflavours; i++) {
        if (libxlCapsAddGuest(caps, &flavours[i]) < 0)
            return -1;
    }

    return 0;
}


/*
 * libxlCapsBuild:
 * The host capabilities of the host @host describes.
 */
virCaps *
libxlCapsBuild(const libxlHostInfo *host)
{
    g_autoptr(virCaps) caps = NULL;

    if (!(caps = virCapabilitiesNew(host->arch, true, true)))
        return NULL;

    /* no <netprefix>: libvirt's capability schema does not know it; the
     * XML options carry the "vif" prefix instead */
    if (host->phys && libxlCapsInitHostCPU(caps, host) < 0)
        return NULL;

    if (libxlCapsInitNUMA(caps, host) < 0)
        return NULL;

    if (libxlCapsInitGuests(caps, host) < 0)
        return NULL;

    return g_steal_pointer(&caps);
}


/*
 * libxlMakeCapabilities:
 * The host capabilities, from what @ctx reports.
 */
virCaps *
libxlMakeCapabilities(libxl_ctx *ctx)
{
    libxlHostInfo host = { .arch = virArchFromHost() };
    libxl_physinfo phys;
    libxl_cputopology *topology = NULL;
    libxl_numainfo *numa = NULL;
    virCaps *caps = NULL;

    libxl_physinfo_init(&phys);

    if (!(host.version = libxl_get_version_info(ctx))) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_version_info failed"));
        goto cleanup;
    }

    if (libxl_get_physinfo(ctx, &phys) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_physinfo failed"));
        goto cleanup;
    }
    host.phys = &phys;

    /* without topology the capabilities just have no NUMA cells */
    if (!(topology = libxl_get_cpu_topology(ctx, &host.ncpus)))
        VIR_WARN("libxl_get_cpu_topology failed: %s",
                 NULLSTR(libxlLoggerGetLastError()));
    if (!(numa = libxl_get_numainfo(ctx, &host.nnodes)))
        VIR_WARN("libxl_get_numainfo failed: %s",
                 NULLSTR(libxlLoggerGetLastError()));
    host.topology = topology;
    host.numa = numa;

    caps = libxlCapsBuild(&host);

 cleanup:
    if (topology)
        libxl_cputopology_list_free(topology, host.ncpus);
    if (numa)
        libxl_numainfo_list_free(numa, host.nnodes);
    libxl_physinfo_dispose(&phys);
    return caps;
}


static void
libxlDomainCapsOS(virDomainCaps *domCaps,
                  virFirmware **firmwares,
                  size_t nfirmwares)
{
    virDomainCapsOS *os = &domCaps->os;
    virDomainCapsLoader *loader = &os->loader;
    size_t i;

    os->supported = VIR_TRISTATE_BOOL_YES;
    os->firmware.report = true;
    loader->supported = VIR_TRISTATE_BOOL_NO;
    loader->type.report = true;
    loader->readonly.report = true;

    /* PV and PVH guests boot a kernel directly: no firmware */
    if (STRNEQ(domCaps->machine, "xenfv"))
        return;

    VIR_DOMAIN_CAPS_ENUM_SET(os->firmware,
                             VIR_DOMAIN_OS_DEF_FIRMWARE_BIOS,
                             VIR_DOMAIN_OS_DEF_FIRMWARE_EFI);

    loader->supported = VIR_TRISTATE_BOOL_YES;
    loader->values.values = g_new0(char *, nfirmwares);
    for (i = 0; i < nfirmwares; i++)
        loader->values.values[loader->values.nvalues++] =
            g_strdup(firmwares[i]->name);

    VIR_DOMAIN_CAPS_ENUM_SET(loader->type,
                             VIR_DOMAIN_LOADER_TYPE_ROM,
                             VIR_DOMAIN_LOADER_TYPE_PFLASH);
    VIR_DOMAIN_CAPS_ENUM_SET(loader->readonly, VIR_TRISTATE_BOOL_YES);
}


static void
libxlDomainCapsDisk(virDomainCapsDeviceDisk *disk)
{
    disk->supported = VIR_TRISTATE_BOOL_YES;
    disk->diskDevice.report = true;
    disk->bus.report = true;
    disk->model.report = true;
    VIR_DOMAIN_CAPS_ENUM_SET(disk->diskDevice,
                             VIR_DOMAIN_DISK_DEVICE_DISK,
                             VIR_DOMAIN_DISK_DEVICE_CDROM);
    VIR_DOMAIN_CAPS_ENUM_SET(disk->bus,
                             VIR_DOMAIN_DISK_BUS_IDE,
                             VIR_DOMAIN_DISK_BUS_SCSI,
                             VIR_DOMAIN_DISK_BUS_XEN);
}


static void
libxlDomainCapsGraphics(virDomainCapsDeviceGraphics *graphics)
{
    graphics->supported = VIR_TRISTATE_BOOL_YES;
    graphics->type.report = true;
    VIR_DOMAIN_CAPS_ENUM_SET(graphics->type,
                             VIR_DOMAIN_GRAPHICS_TYPE_SDL,
                             VIR_DOMAIN_GRAPHICS_TYPE_VNC,
                             VIR_DOMAIN_GRAPHICS_TYPE_SPICE);
}


static void
libxlDomainCapsVideo(virDomainCapsDeviceVideo *video)
{
    video->supported = VIR_TRISTATE_BOOL_YES;
    video->modelType.report = true;
    VIR_DOMAIN_CAPS_ENUM_SET(video->modelType,
                             VIR_DOMAIN_VIDEO_TYPE_VGA,
                             VIR_DOMAIN_VIDEO_TYPE_CIRRUS,
                             VIR_DOMAIN_VIDEO_TYPE_XEN);
}


static void
libxlDomainCapsHostdev(virDomainCapsDeviceHostdev *hostdev)
{
    hostdev->supported = VIR_TRISTATE_BOOL_YES;
    hostdev->mode.report = true;
    hostdev->startupPolicy.report = true;
    hostdev->subsysType.report = true;
    hostdev->capsType.report = true;
    hostdev->pciBackend.report = true;
    VIR_DOMAIN_CAPS_ENUM_SET(hostdev->mode, VIR_DOMAIN_HOSTDEV_MODE_SUBSYS);
    VIR_DOMAIN_CAPS_ENUM_SET(hostdev->startupPolicy,
                             VIR_DOMAIN_STARTUP_POLICY_DEFAULT,
                             VIR_DOMAIN_STARTUP_POLICY_MANDATORY,
                             VIR_DOMAIN_STARTUP_POLICY_REQUISITE,
                             VIR_DOMAIN_STARTUP_POLICY_OPTIONAL);
    VIR_DOMAIN_CAPS_ENUM_SET(hostdev->subsysType,
                             VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB,
                             VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI);
    VIR_DOMAIN_CAPS_ENUM_SET(hostdev->pciBackend,
                             VIR_DOMAIN_HOSTDEV_PCI_BACKEND_XEN);
}


/* Consoles and channels of a Xen guest are ptys (or unix sockets). */
static void
libxlDomainCapsChannel(virDomainCapsDeviceChannel *channel)
{
    channel->supported = VIR_TRISTATE_BOOL_YES;
    channel->type.report = true;
    VIR_DOMAIN_CAPS_ENUM_SET(channel->type,
                             VIR_DOMAIN_CHR_TYPE_PTY,
                             VIR_DOMAIN_CHR_TYPE_UNIX);
}


/*
 * libxlMakeDomainCapabilities:
 * Fill @domCaps (machine already set) with what a guest of that machine
 * type can have on Xen.
 */
int
libxlMakeDomainCapabilities(virDomainCaps *domCaps,
                            virFirmware **firmwares,
                            size_t nfirmwares)
{
    if (STREQ(domCaps->machine, "xenfv"))
        domCaps->maxvcpus = LIBXL_HVM_MAX_VCPUS;
    else
        domCaps->maxvcpus = LIBXL_PV_MAX_VCPUS;

    libxlDomainCapsOS(domCaps, firmwares, nfirmwares);
    libxlDomainCapsDisk(&domCaps->disk);
    libxlDomainCapsGraphics(&domCaps->graphics);
    libxlDomainCapsVideo(&domCaps->video);
    libxlDomainCapsChannel(&domCaps->channel);
    /* PVH guests have no PCI bus to pass devices through to */
    if (STRNEQ(domCaps->machine, "xenpvh"))
        libxlDomainCapsHostdev(&domCaps->hostdev);

    domCaps->features[VIR_DOMAIN_CAPS_FEATURE_IOTHREADS] = VIR_TRISTATE_BOOL_NO;
    domCaps->features[VIR_DOMAIN_CAPS_FEATURE_VMCOREINFO] = VIR_TRISTATE_BOOL_NO;
    domCaps->features[VIR_DOMAIN_CAPS_FEATURE_GENID] = VIR_TRISTATE_BOOL_NO;
    domCaps->gic.supported = VIR_TRISTATE_BOOL_NO;

    return 0;
}


/*
 * libxlCapsFindGuest:
 * The guest of @caps running @machine on @arch, or NULL.
 */
static virCapsGuest *
libxlCapsFindGuest(virCaps *caps, virArch arch, const char *machine)
{
    size_t i;
    size_t j;

    for (i = 0; i < caps->nguests; i++) {
        virCapsGuest *guest = caps->guests[i];

        if (guest->arch.id != arch)
            continue;
        for (j = 0; j < guest->arch.defaultInfo.nmachines; j++) {
            if (STREQ(guest->arch.defaultInfo.machines[j]->name, machine))
                return guest;
        }
    }

    return NULL;
}


static bool
libxlCapsHasArch(virCaps *caps, virArch arch)
{
    size_t i;

    for (i = 0; i < caps->nguests; i++) {
        if (caps->guests[i]->arch.id == arch)
            return true;
    }
    return false;
}


/*
 * libxlDomainCapsNew:
 * The domain capabilities for the given emulator, arch, machine and virt
 * type (each may be NULL: the host arch, machine "xenpv", the emulator
 * Xen's guests use, virt type "xen"), checked against the host
 * capabilities @caps.
 */
virDomainCaps *
libxlDomainCapsNew(virCaps *caps,
                   virFirmware **firmwares,
                   size_t nfirmwares,
                   const char *emulatorbin,
                   const char *archstr,
                   const char *machine,
                   const char *virttypestr)
{
    g_autoptr(virDomainCaps) domCaps = NULL;
    virArch arch = caps->host.arch;
    virCapsGuest *guest;
    int virttype = VIR_DOMAIN_VIRT_XEN;

    if (virttypestr &&
        (virttype = virDomainVirtTypeFromString(virttypestr)) < 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unknown virttype '%s'"), virttypestr);
        return NULL;
    }
    if (virttype != VIR_DOMAIN_VIRT_XEN) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("virttype '%s' is not supported by the Xen driver, use 'xen'"),
                       virttypestr);
        return NULL;
    }

    if (archstr && (arch = virArchFromString(archstr)) == VIR_ARCH_NONE) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unknown architecture '%s'"), archstr);
        return NULL;
    }
    if (!libxlCapsHasArch(caps, arch)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("architecture '%s' is not supported by this Xen host"),
                       virArchToString(arch));
        return NULL;
    }

    if (!machine)
        machine = "xenpv";
    if (!(guest = libxlCapsFindGuest(caps, arch, machine))) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unknown machine '%s' for arch '%s'"),
                       machine, virArchToString(arch));
        return NULL;
    }

    if (!emulatorbin) {
        emulatorbin = guest->arch.defaultInfo.emulator;
    } else if (STRNEQ_NULLABLE(emulatorbin, guest->arch.defaultInfo.emulator) &&
               !virFileIsExecutable(emulatorbin)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("emulator '%s' is not an executable"), emulatorbin);
        return NULL;
    }

    if (!(domCaps = virDomainCapsNew(emulatorbin, machine, arch, virttype)))
        return NULL;

    if (libxlMakeDomainCapabilities(domCaps, firmwares, nfirmwares) < 0)
        return NULL;

    return g_steal_pointer(&domCaps);
}

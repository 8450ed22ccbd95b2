/*
 * libxl_build.c: libvirt domain definition to libxl_domain_config
 *
 * libxlBuildDomainConfig() turns a validated domain definition into the
 * libxl_domain_config that libxl_domain_create_new() takes: the create
 * info (type, name, uuid), the build info (firmware, kernel, CPUs,
 * memory, clock, emulated devices of HVM guests) and the device lists.
 * It runs at start time; what can be refused at define time is refused
 * by libxl_validate.c, what depends on the host (ports, emulator, USB
 * devices, networks, secrets) is checked here.
 *
 * Host facts come from libxlBuildParams, so that a conversion needs no
 * libxl context except where libxl itself requires one (flask labels).
 * Memory handed to libxl is malloc-compatible (g_malloc), as
 * libxl_domain_config_dispose() frees it with free().
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <libxl_utils.h>
#include <sys/un.h>

#include "internal.h"
#include "viralloc.h"
#include "virerror.h"
#include "virlog.h"
#include "virfile.h"
#include "virstring.h"
#include "virbuffer.h"
#include "virsecureerase.h"
#include "virhostdev.h"
#include "virusb.h"
#include "cpu/cpu.h"
#include "libxl_build.h"
#include "libxl_validate.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_build");

/* libxl's first VNC port: display N listens on 5900 + N */
#define LIBXL_BUILD_VNC_PORT_MIN 5900
/* what libxl uses for PV guests without kernel or bootloader */
#define LIBXL_BUILD_BOOTLOADER "pygrub"
/* xl's default interval of vif rate limiting (xl-network-configuration) */
#define LIBXL_BUILD_RATE_INTERVAL_USECS 50000UL


/*
 * A libxl_bitmap of @nbits bits, all clear.  libxl_bitmap_alloc() wants a
 * ctx only to log an allocation failure; g_new0 aborts instead.
 */
static void
libxlBuildBitmap(libxl_bitmap *map, unsigned int nbits)
{
    libxl_bitmap_init(map);
    map->size = (nbits + 7) / 8;
    if (map->size)
        map->map = g_new0(uint8_t, map->size);
}


libxl_action_on_shutdown
libxlBuildLifecycleAction(virDomainLifecycleAction action)
{
    switch (action) {
    case VIR_DOMAIN_LIFECYCLE_ACTION_RESTART:
        return LIBXL_ACTION_ON_SHUTDOWN_RESTART;
    case VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME:
        return LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME;
    case VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE:
        return LIBXL_ACTION_ON_SHUTDOWN_PRESERVE;
    case VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY:
        return LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY;
    case VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART:
        return LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART;
    case VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY:
    case VIR_DOMAIN_LIFECYCLE_ACTION_LAST:
        break;
    }
    return LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
}


/* libvirt CPU feature names that xl's cpuid= spells differently */
static const struct {
    const char *libvirt;
    const char *xen;
} libxlBuildCPUFeatureNames[] = {
    { "pni", "sse3" },
    { "cx8", "cmpxchg8" },
    { "cx16", "cmpxchg16" },
    { "cid", "cntxid" },
    { "ds_cpl", "dscpl" },
    { "pclmuldq", "pclmulqdq" },
    { "ht", "htt" },
    { "pn", "psn" },
    { "clflush", "clfsh" },
    { "sep", "sysenter" },
    { "nodeid_msr", "nodeid" },
    { "cr8legacy", "altmovcr8" },
    { "lahf_lm", "lahfsahf" },
    { "cmp_legacy", "cmplegacy" },
    { "fxsr_opt", "ffxsr" },
    { "pdpe1gb", "page1gb" },
    { "spec-ctrl", "ibrsb" },
};


const char *
libxlBuildCPUFeatureName(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(libxlBuildCPUFeatureNames); i++) {
        if (STREQ(libxlBuildCPUFeatureNames[i].libvirt, name))
            return libxlBuildCPUFeatureNames[i].xen;
    }
    return name;
}


/* The device model of an HVM guest: qemu-xen unless the emulator is the
 * traditional qemu-dm (no longer shipped with Xen 4.17). */
static libxl_device_model_version
libxlBuildDeviceModelVersion(const virDomainDef *def)
{
    g_autofree char *base = NULL;

    if (!def->emulator)
        return LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN;
    base = g_path_get_basename(def->emulator);
    if (STREQ(base, "qemu-dm"))
        return LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL;
    return LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN;
}


static int
libxlBuildCreateInfo(virDomainDef *def,
                     libxl_ctx *ctx,
                     libxl_domain_create_info *c_info)
{
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    switch ((int) def->os.type) {
    case VIR_DOMAIN_OSTYPE_HVM:
        c_info->type = LIBXL_DOMAIN_TYPE_HVM;
        break;
    case VIR_DOMAIN_OSTYPE_XENPVH:
        c_info->type = LIBXL_DOMAIN_TYPE_PVH;
        break;
    case VIR_DOMAIN_OSTYPE_XEN:
    case VIR_DOMAIN_OSTYPE_LINUX:
        c_info->type = LIBXL_DOMAIN_TYPE_PV;
        break;
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported os type '%s' for domain '%s'"),
                       virDomainOSTypeToString(def->os.type), def->name);
        return -1;
    }

    if (c_info->type != LIBXL_DOMAIN_TYPE_PV &&
        def->features[VIR_DOMAIN_FEATURE_HAP] != VIR_TRISTATE_SWITCH_ABSENT)
        libxl_defbool_set(&c_info->hap,
                          def->features[VIR_DOMAIN_FEATURE_HAP] == VIR_TRISTATE_SWITCH_ON);

    if (def->features[VIR_DOMAIN_FEATURE_XEN] == VIR_TRISTATE_SWITCH_ON) {
        switch ((virTristateSwitch) def->xen_features[VIR_DOMAIN_XEN_PASSTHROUGH]) {
        case VIR_TRISTATE_SWITCH_ON:
            if (def->xen_passthrough_mode == VIR_DOMAIN_XEN_PASSTHROUGH_MODE_SYNC_PT)
                c_info->passthrough = LIBXL_PASSTHROUGH_SYNC_PT;
            else if (def->xen_passthrough_mode == VIR_DOMAIN_XEN_PASSTHROUGH_MODE_SHARE_PT)
                c_info->passthrough = LIBXL_PASSTHROUGH_SHARE_PT;
            else
                c_info->passthrough = LIBXL_PASSTHROUGH_ENABLED;
            break;
        case VIR_TRISTATE_SWITCH_OFF:
            c_info->passthrough = LIBXL_PASSTHROUGH_DISABLED;
            break;
        case VIR_TRISTATE_SWITCH_ABSENT:
        case VIR_TRISTATE_SWITCH_LAST:
            break;
        }
    }

    c_info->name = g_strdup(def->name);

    if (def->nseclabels &&
        def->seclabels[0]->type == VIR_DOMAIN_SECLABEL_STATIC &&
        def->seclabels[0]->label) {
        const char *label = def->seclabels[0]->label;
        int rc;

        if (!ctx) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("cannot resolve static security label '%s' without a libxl context"),
                           label);
            return -1;
        }
        if ((rc = libxl_flask_context_to_sid(ctx, (char *) label, strlen(label),
                                             &c_info->ssidref)) != 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("libxenlight failed to resolve security label '%s' (rc %d)"),
                           label, rc);
            return -1;
        }
    }

    virUUIDFormat(def->uuid, uuidstr);
    if (libxl_uuid_from_string(&c_info->uuid, uuidstr) != 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("libxenlight failed to parse UUID '%s'"), uuidstr);
        return -1;
    }

    return 0;
}


/* <vcpupin>, or <vcpu cpuset> for the vcpus without one: one hard
 * affinity map per vcpu up to the last pinned one; vcpus in between run
 * anywhere. */
static virBitmap *
libxlBuildVcpuMask(virDomainDef *def, unsigned int i)
{
    virDomainVcpuDef *vcpu = virDomainDefGetVcpu(def, i);

    if (vcpu && vcpu->cpumask)
        return vcpu->cpumask;
    return def->cpumask;
}


static int
libxlBuildVcpuAffinity(virDomainDef *def,
                       const libxlBuildParams *params,
                       libxl_domain_build_info *b_info)
{
    unsigned int npinned = 0;
    unsigned int nbits = params->hostMaxCpus;
    size_t i;

    for (i = 0; i < b_info->max_vcpus; i++) {
        virBitmap *mask = libxlBuildVcpuMask(def, i);
        ssize_t last;

        if (!mask)
            continue;
        npinned = i + 1;
        last = virBitmapLastSetBit(mask);
        if (params->hostMaxCpus == 0 && last >= 0 && last + 1 > nbits)
            nbits = last + 1;
    }
    if (npinned == 0)
        return 0;

    b_info->vcpu_hard_affinity = g_new0(libxl_bitmap, npinned);
    b_info->num_vcpu_hard_affinity = npinned;
    for (i = 0; i < npinned; i++) {
        libxl_bitmap *map = &b_info->vcpu_hard_affinity[i];
        virBitmap *mask = libxlBuildVcpuMask(def, i);

        libxlBuildBitmap(map, nbits);
        if (mask) {
            ssize_t cpu = -1;

            while ((cpu = virBitmapNextSetBit(mask, cpu)) >= 0) {
                if (cpu >= nbits) {
                    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                                   _("vcpupin of vcpu %zu names CPU %zd, the host has %u"),
                                   i, cpu, nbits);
                    return -1;
                }
                libxl_bitmap_set(map, cpu);
            }
        } else {
            libxl_bitmap_set_any(map);
        }
    }
    libxl_defbool_set(&b_info->numa_placement, false);
    return 0;
}


/* <numatune><memory nodeset>: the domain's node affinity (where Xen
 * takes its memory from, the nodes its vcpus prefer). */
static int
libxlBuildNodeAffinity(virDomainDef *def,
                       const libxlBuildParams *params,
                       libxl_domain_build_info *b_info)
{
    virBitmap *nodeset = virDomainNumatuneGetNodeset(def->numa, NULL, -1);
    unsigned int nbits = params->hostNumaNodes;
    ssize_t node = -1;

    if (!nodeset || virBitmapIsAllClear(nodeset))
        return 0;

    if (nbits == 0)
        nbits = virBitmapLastSetBit(nodeset) + 1;

    libxl_bitmap_dispose(&b_info->nodemap);
    libxlBuildBitmap(&b_info->nodemap, nbits);
    while ((node = virBitmapNextSetBit(nodeset, node)) >= 0) {
        if (node >= nbits) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("<numatune> names NUMA node %zd, the host has %u"),
                           node, nbits);
            return -1;
        }
        libxl_bitmap_set(&b_info->nodemap, node);
    }
    libxl_defbool_set(&b_info->numa_placement, false);
    return 0;
}


int
libxlBuildCapFromDef(const virDomainDef *def)
{
    unsigned long long cap;

    if (def->cputune.global_period == 0 || def->cputune.global_quota <= 0)
        return 0;
    cap = (unsigned long long) def->cputune.global_quota * 100 /
          def->cputune.global_period;
    if (cap == 0)
        return 1;
    return cap > INT_MAX ? INT_MAX : (int) cap;
}


/* <cputune>: the credit schedulers' weight (<shares>) and cap
 * (<global_quota> / <global_period>, in percent of one CPU), RTDS's
 * period and budget of each vcpu (<period>, <quota>, microseconds).
 * libxl gives each scheduler the ones it has. */
static void
libxlBuildSchedParams(virDomainDef *def, libxl_domain_build_info *b_info)
{
    int cap;

    if (def->cputune.sharesSpecified)
        b_info->sched_params.weight = def->cputune.shares;
    if ((cap = libxlBuildCapFromDef(def)) > 0)
        b_info->sched_params.cap = cap;
    if (def->cputune.period > 0 && def->cputune.period <= INT_MAX)
        b_info->sched_params.period = def->cputune.period;
    if (def->cputune.quota > 0 && def->cputune.quota <= INT_MAX)
        b_info->sched_params.budget = def->cputune.quota;
}


/* The offset and timers libxlDomainDefValidate() let through. */
static void
libxlBuildClock(virDomainDef *def, libxl_domain_build_info *b_info)
{
    bool hvm = def->os.type == VIR_DOMAIN_OSTYPE_HVM;
    size_t i;

    switch ((virDomainClockOffsetType) def->clock.offset) {
    case VIR_DOMAIN_CLOCK_OFFSET_UTC:
        break;
    case VIR_DOMAIN_CLOCK_OFFSET_LOCALTIME:
        libxl_defbool_set(&b_info->localtime, true);
        break;
    case VIR_DOMAIN_CLOCK_OFFSET_VARIABLE:
        if (def->clock.data.variable.basis == VIR_DOMAIN_CLOCK_BASIS_LOCALTIME)
            libxl_defbool_set(&b_info->localtime, true);
        b_info->rtc_timeoffset = def->clock.data.variable.adjustment;
        break;
    case VIR_DOMAIN_CLOCK_OFFSET_TIMEZONE:
    case VIR_DOMAIN_CLOCK_OFFSET_ABSOLUTE:
    case VIR_DOMAIN_CLOCK_OFFSET_LAST:
        break;
    }

    for (i = 0; i < def->clock.ntimers; i++) {
        virDomainTimerDef *timer = def->clock.timers[i];

        if (timer->name == VIR_DOMAIN_TIMER_NAME_TSC) {
            switch ((virDomainTimerModeType) timer->mode) {
            case VIR_DOMAIN_TIMER_MODE_NATIVE:
                b_info->tsc_mode = LIBXL_TSC_MODE_NATIVE;
                break;
            case VIR_DOMAIN_TIMER_MODE_PARAVIRT:
                b_info->tsc_mode = LIBXL_TSC_MODE_NATIVE_PARAVIRT;
                break;
            case VIR_DOMAIN_TIMER_MODE_EMULATE:
                b_info->tsc_mode = LIBXL_TSC_MODE_ALWAYS_EMULATE;
                break;
            case VIR_DOMAIN_TIMER_MODE_NONE:
            case VIR_DOMAIN_TIMER_MODE_AUTO:
            case VIR_DOMAIN_TIMER_MODE_SMPSAFE:
            case VIR_DOMAIN_TIMER_MODE_LAST:
                b_info->tsc_mode = LIBXL_TSC_MODE_DEFAULT;
                break;
            }
        } else if (timer->name == VIR_DOMAIN_TIMER_NAME_HPET && hvm &&
                   timer->present != VIR_TRISTATE_BOOL_ABSENT) {
            libxl_defbool_set(&b_info->u.hvm.hpet, timer->present == VIR_TRISTATE_BOOL_YES);
        }
    }
}


/* host-passthrough CPU: features become xl cpuid policy strings, vmx/svm
 * decide nested HVM (allowed by libxl.conf and present on the host). */
static int
libxlBuildCPU(virDomainDef *def,
              const libxlBuildParams *params,
              libxl_domain_build_info *b_info)
{
    bool vmx = false;
    bool svm = false;
    bool nested = false;
    size_t i;

    if (!def->cpu)
        return 0;

    /* a <cpu> holding only <numa> is mode custom without a model */
    if (def->cpu->mode == VIR_CPU_MODE_CUSTOM) {
        if (def->cpu->model)
            VIR_WARN("Ignoring <cpu mode='custom'> of domain '%s': Xen guests see "
                     "the host CPU; use mode='host-passthrough'", def->name);
        return 0;
    }
    if (def->cpu->mode != VIR_CPU_MODE_HOST_PASSTHROUGH)
        return 0;

    if (params->hostCPU && ARCH_IS_X86(def->os.arch)) {
        vmx = virCPUCheckFeature(params->hostCPU->arch, params->hostCPU, "vmx") == 1;
        svm = virCPUCheckFeature(params->hostCPU->arch, params->hostCPU, "svm") == 1;
    }
    nested = params->nestedHVM && (vmx || svm);

    for (i = 0; i < def->cpu->nfeatures; i++) {
        virCPUFeatureDef *feature = &def->cpu->features[i];
        bool hwvirt = (vmx && STREQ(feature->name, "vmx")) ||
                      (svm && STREQ(feature->name, "svm"));
        g_autofree char *policy = NULL;
        int value;

        switch ((virCPUFeaturePolicy) feature->policy) {
        case VIR_CPU_FEATURE_FORCE:
        case VIR_CPU_FEATURE_REQUIRE:
            value = 1;
            break;
        case VIR_CPU_FEATURE_DISABLE:
        case VIR_CPU_FEATURE_FORBID:
            value = 0;
            break;
        case VIR_CPU_FEATURE_OPTIONAL:
        case VIR_CPU_FEATURE_LAST:
        default:
            continue;
        }

        if (hwvirt) {
            nested = value == 1;
            continue;
        }

        policy = g_strdup_printf("%s=%d", libxlBuildCPUFeatureName(feature->name), value);
        if (libxl_cpuid_parse_config(&b_info->cpuid, policy) != 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported cpu feature '%s'"), feature->name);
            return -1;
        }
    }

    libxl_defbool_set(&b_info->nested_hvm, nested);
    return 0;
}


/* <features><hyperv>: the viridian enlightenment groups Xen offers */
static int
libxlBuildViridian(virDomainDef *def, libxl_domain_build_info *b_info)
{
    static const struct {
        int hyperv;
        libxl_viridian_enlightenment group;
    } groups[] = {
        { VIR_DOMAIN_HYPERV_RELAXED, LIBXL_VIRIDIAN_ENLIGHTENMENT_BASE },
        { VIR_DOMAIN_HYPERV_VPINDEX, LIBXL_VIRIDIAN_ENLIGHTENMENT_BASE },
        { VIR_DOMAIN_HYPERV_SPINLOCKS, LIBXL_VIRIDIAN_ENLIGHTENMENT_BASE },
        { VIR_DOMAIN_HYPERV_VAPIC, LIBXL_VIRIDIAN_ENLIGHTENMENT_APIC_ASSIST },
        { VIR_DOMAIN_HYPERV_RUNTIME, LIBXL_VIRIDIAN_ENLIGHTENMENT_TIME_REF_COUNT },
        { VIR_DOMAIN_HYPERV_FREQUENCIES, LIBXL_VIRIDIAN_ENLIGHTENMENT_FREQ },
        { VIR_DOMAIN_HYPERV_SYNIC, LIBXL_VIRIDIAN_ENLIGHTENMENT_SYNIC },
        { VIR_DOMAIN_HYPERV_STIMER, LIBXL_VIRIDIAN_ENLIGHTENMENT_STIMER },
        { VIR_DOMAIN_HYPERV_TLBFLUSH, LIBXL_VIRIDIAN_ENLIGHTENMENT_HCALL_REMOTE_TLB_FLUSH },
        { VIR_DOMAIN_HYPERV_IPI, LIBXL_VIRIDIAN_ENLIGHTENMENT_HCALL_IPI },
        { VIR_DOMAIN_HYPERV_RESET, LIBXL_VIRIDIAN_ENLIGHTENMENT_CRASH_CTL },
    };
    libxl_domain_build_info *b = b_info;
    size_t i;

    if (def->features[VIR_DOMAIN_FEATURE_HYPERV] == VIR_DOMAIN_HYPERV_MODE_NONE)
        return 0;
    if (def->features[VIR_DOMAIN_FEATURE_HYPERV] != VIR_DOMAIN_HYPERV_MODE_CUSTOM) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("only <hyperv mode='custom'> is supported by Xen"));
        return -1;
    }

    libxl_defbool_set(&b->u.hvm.viridian, true);
    libxlBuildBitmap(&b->u.hvm.viridian_enable, LIBXL_VIRIDIAN_ENLIGHTENMENT_CPU_HOTPLUG + 1);
    libxlBuildBitmap(&b->u.hvm.viridian_disable, LIBXL_VIRIDIAN_ENLIGHTENMENT_CPU_HOTPLUG + 1);

    for (i = 0; i < G_N_ELEMENTS(groups); i++) {
        int state = def->hyperv_features[groups[i].hyperv];

        if (state == VIR_TRISTATE_SWITCH_ON)
            libxl_bitmap_set(&b->u.hvm.viridian_enable, groups[i].group);
        else if (state == VIR_TRISTATE_SWITCH_OFF &&
                 groups[i].group != LIBXL_VIRIDIAN_ENLIGHTENMENT_BASE)
            libxl_bitmap_set(&b->u.hvm.viridian_disable, groups[i].group);
    }
    /* a synthetic timer needs the reference counter and TSC page */
    if (def->hyperv_features[VIR_DOMAIN_HYPERV_STIMER] == VIR_TRISTATE_SWITCH_ON) {
        libxl_bitmap_set(&b->u.hvm.viridian_enable, LIBXL_VIRIDIAN_ENLIGHTENMENT_TIME_REF_COUNT);
        libxl_bitmap_set(&b->u.hvm.viridian_enable, LIBXL_VIRIDIAN_ENLIGHTENMENT_REFERENCE_TSC);
    }
    return 0;
}


/* The chardev string of qemu's -serial, as libxl passes it on. */
char *
libxlBuildChrdevString(const virDomainChrDef *chr)
{
    const virDomainChrSourceDef *src = chr->source;
    const char *type = virDomainChrTypeToString(src->type);

    switch ((virDomainChrType) src->type) {
    case VIR_DOMAIN_CHR_TYPE_NULL:
    case VIR_DOMAIN_CHR_TYPE_STDIO:
    case VIR_DOMAIN_CHR_TYPE_VC:
    case VIR_DOMAIN_CHR_TYPE_PTY:
        return g_strdup(type);

    case VIR_DOMAIN_CHR_TYPE_FILE:
    case VIR_DOMAIN_CHR_TYPE_PIPE:
    case VIR_DOMAIN_CHR_TYPE_DEV:
        /* libvirt's validation wants the path; a definition read back
         * unvalidated may lack it */
        if (!src->data.file.path)
            break;
        if (src->type == VIR_DOMAIN_CHR_TYPE_DEV)
            return g_strdup(src->data.file.path);
        return g_strdup_printf("%s:%s", type, src->data.file.path);

    case VIR_DOMAIN_CHR_TYPE_UDP:
        return g_strdup_printf("udp:%s:%s@%s:%s",
                               NULLSTR_EMPTY(src->data.udp.connectHost),
                               NULLSTR_EMPTY(src->data.udp.connectService),
                               NULLSTR_EMPTY(src->data.udp.bindHost),
                               src->data.udp.bindService ? src->data.udp.bindService : "0");

    case VIR_DOMAIN_CHR_TYPE_TCP:
        return g_strdup_printf("%s:%s:%s%s",
                               src->data.tcp.protocol == VIR_DOMAIN_CHR_TCP_PROTOCOL_TELNET ?
                               "telnet" : "tcp",
                               NULLSTR_EMPTY(src->data.tcp.host),
                               NULLSTR_EMPTY(src->data.tcp.service),
                               src->data.tcp.listen ? ",server,nowait" : "");

    case VIR_DOMAIN_CHR_TYPE_UNIX:
        if (!src->data.nix.path)
            break;
        return g_strdup_printf("unix:%s%s", src->data.nix.path,
                               src->data.nix.listen ? ",server,nowait" : "");

    case VIR_DOMAIN_CHR_TYPE_SPICEVMC:
    case VIR_DOMAIN_CHR_TYPE_SPICEPORT:
    case VIR_DOMAIN_CHR_TYPE_NMDM:
    case VIR_DOMAIN_CHR_TYPE_QEMU_VDAGENT:
    case VIR_DOMAIN_CHR_TYPE_DBUS:
    case VIR_DOMAIN_CHR_TYPE_LAST:
        break;
    }

    if (src->type == VIR_DOMAIN_CHR_TYPE_FILE || src->type == VIR_DOMAIN_CHR_TYPE_PIPE ||
        src->type == VIR_DOMAIN_CHR_TYPE_DEV || src->type == VIR_DOMAIN_CHR_TYPE_UNIX) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<%s type='%s'> has no source path"),
                       virDomainChrDeviceTypeToString(chr->deviceType), type);
        return NULL;
    }
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported source type '%s' of <%s>"),
                   NULLSTR(type), virDomainChrDeviceTypeToString(chr->deviceType));
    return NULL;
}


static int
libxlBuildHVMSerials(virDomainDef *def, libxl_domain_build_info *b_info)
{
    size_t i;

    if (def->nserials == 0)
        return 0;

    if (def->nserials == 1) {
        if (!(b_info->u.hvm.serial = libxlBuildChrdevString(def->serials[0])))
            return -1;
        return 0;
    }

    b_info->u.hvm.serial_list = g_new0(char *, def->nserials + 1);
    for (i = 0; i < def->nserials; i++) {
        if (!(b_info->u.hvm.serial_list[i] = libxlBuildChrdevString(def->serials[i])))
            return -1;
    }
    return 0;
}


static int
libxlBuildHVMBoot(virDomainDef *def,
                  const libxlBuildParams *params,
                  libxl_domain_build_info *b_info)
{
    char order[VIR_DOMAIN_BOOT_LAST + 1] = "c";
    size_t i;

    for (i = 0; i < def->os.nBootDevs && i < VIR_DOMAIN_BOOT_LAST; i++) {
        switch ((virDomainBootOrder) def->os.bootDevs[i]) {
        case VIR_DOMAIN_BOOT_FLOPPY:
            order[i] = 'a';
            break;
        case VIR_DOMAIN_BOOT_CDROM:
            order[i] = 'd';
            break;
        case VIR_DOMAIN_BOOT_NET:
            order[i] = 'n';
            break;
        case VIR_DOMAIN_BOOT_DISK:
        case VIR_DOMAIN_BOOT_LAST:
        default:
            order[i] = 'c';
            break;
        }
        order[i + 1] = '\0';
    }
    b_info->u.hvm.boot = g_strdup(order);

    b_info->kernel = g_strdup(def->os.kernel);
    b_info->ramdisk = g_strdup(def->os.initrd);
    b_info->cmdline = g_strdup(def->os.cmdline);

    /* libxl chooses only the BIOS kind; the OVMF image is Xen's build-time
     * choice, which the definition records */
    if (def->os.firmware == VIR_DOMAIN_OS_DEF_FIRMWARE_EFI) {
        if (!def->os.loader)
            def->os.loader = g_new0(virDomainLoaderDef, 1);
        if (!def->os.loader->path && params->ovmfPath)
            def->os.loader->path = g_strdup(params->ovmfPath);
        if (def->os.loader->type == VIR_DOMAIN_LOADER_TYPE_NONE)
            def->os.loader->type = VIR_DOMAIN_LOADER_TYPE_PFLASH;
        if (def->os.loader->readonly == VIR_TRISTATE_BOOL_ABSENT)
            def->os.loader->readonly = VIR_TRISTATE_BOOL_YES;
        def->os.firmware = VIR_DOMAIN_OS_DEF_FIRMWARE_NONE;
        b_info->u.hvm.bios = LIBXL_BIOS_TYPE_OVMF;
    } else if (virDomainDefHasOldStyleUEFI(def)) {
        b_info->u.hvm.bios = LIBXL_BIOS_TYPE_OVMF;
    }

    if (def->os.slic_table)
        b_info->u.hvm.acpi_firmware = g_strdup(def->os.slic_table);

    return 0;
}


static int
libxlBuildHVM(virDomainDef *def,
              const libxlBuildParams *params,
              libxl_domain_build_info *b_info)
{
    size_t nusb = 0;
    size_t i;

    libxl_defbool_set(&b_info->u.hvm.pae,
                      def->features[VIR_DOMAIN_FEATURE_PAE] == VIR_TRISTATE_SWITCH_ON);
    libxl_defbool_set(&b_info->apic,
                      def->features[VIR_DOMAIN_FEATURE_APIC] == VIR_TRISTATE_SWITCH_ON);
    libxl_defbool_set(&b_info->acpi,
                      def->features[VIR_DOMAIN_FEATURE_ACPI] == VIR_TRISTATE_SWITCH_ON);

    if (libxlBuildViridian(def, b_info) < 0)
        return -1;

    if (libxlBuildHVMBoot(def, params, b_info) < 0)
        return -1;

    if (def->nsounds > 0) {
        /* xl.cfg soundhw= names a single card: the first one */
        const virDomainSoundDef *sound = def->sounds[0];

        if (sound->model == VIR_DOMAIN_SOUND_MODEL_ICH6)
            b_info->u.hvm.soundhw = g_strdup("hda");
        else
            b_info->u.hvm.soundhw = g_strdup(virDomainSoundModelTypeToString(sound->model));
    }

    if (def->emulator) {
        if (!virFileExists(def->emulator)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("emulator '%s' not found"), def->emulator);
            return -1;
        }
        if (!virFileIsExecutable(def->emulator)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("emulator '%s' is not executable"), def->emulator);
            return -1;
        }
        b_info->device_model = g_strdup(def->emulator);
        b_info->device_model_version = libxlBuildDeviceModelVersion(def);
    }

    if (libxlBuildHVMSerials(def, b_info) < 0)
        return -1;

    /* the displays are switched on by the graphics devices, if any */
    libxl_defbool_set(&b_info->u.hvm.vnc.enable, false);
    libxl_defbool_set(&b_info->u.hvm.sdl.enable, false);

    for (i = 0; i < def->ninputs; i++) {
        const virDomainInputDef *input = def->inputs[i];

        if (input->bus != VIR_DOMAIN_INPUT_BUS_USB)
            continue;
        if (input->type != VIR_DOMAIN_INPUT_TYPE_MOUSE &&
            input->type != VIR_DOMAIN_INPUT_TYPE_TABLET) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported usb <input type='%s'>"),
                           virDomainInputTypeToString(input->type));
            return -1;
        }
        VIR_EXPAND_N(b_info->u.hvm.usbdevice_list, nusb, 1);
        b_info->u.hvm.usbdevice_list[nusb - 1] =
            g_strdup(input->type == VIR_DOMAIN_INPUT_TYPE_MOUSE ? "mouse" : "tablet");
    }
    if (nusb > 0)
        VIR_EXPAND_N(b_info->u.hvm.usbdevice_list, nusb, 1);  /* NULL terminator */

    return 0;
}


/* <bootloader_args> as an argument vector: words split on blanks */
static char **
libxlBuildBootloaderArgs(const char *args)
{
    g_auto(GStrv) words = NULL;
    char **argv;
    size_t n = 0;
    size_t i;

    if (!args)
        return NULL;
    words = g_strsplit_set(args, " \t\n", 0);
    argv = g_new0(char *, g_strv_length(words) + 1);
    for (i = 0; words[i]; i++) {
        if (*words[i])
            argv[n++] = g_strdup(words[i]);
    }
    return argv;
}


static int
libxlBuildPVH(virDomainDef *def, libxl_domain_build_info *b_info)
{
    b_info->kernel = g_strdup(def->os.kernel);
    b_info->ramdisk = g_strdup(def->os.initrd);
    b_info->cmdline = g_strdup(def->os.cmdline);
    b_info->bootloader = g_strdup(def->os.bootloader);
    b_info->bootloader_args = libxlBuildBootloaderArgs(def->os.bootloaderArgs);
    return 0;
}


static int
libxlBuildPV(virDomainDef *def, libxl_domain_build_info *b_info)
{
    /* neither kernel nor bootloader: the guest boots its own, as xm did */
    if (def->os.bootloader)
        b_info->u.pv.bootloader = g_strdup(def->os.bootloader);
    else if (!def->os.kernel)
        b_info->u.pv.bootloader = g_strdup(LIBXL_BUILD_BOOTLOADER);
    b_info->u.pv.bootloader_args = libxlBuildBootloaderArgs(def->os.bootloaderArgs);

    if (def->os.kernel) {
        g_free(b_info->u.pv.kernel);
        b_info->u.pv.kernel = g_strdup(def->os.kernel);
    }
    b_info->u.pv.ramdisk = g_strdup(def->os.initrd);
    b_info->u.pv.cmdline = g_strdup(def->os.cmdline);

    if (def->features[VIR_DOMAIN_FEATURE_XEN] == VIR_TRISTATE_SWITCH_ON &&
        def->xen_features[VIR_DOMAIN_XEN_E820_HOST] != VIR_TRISTATE_SWITCH_ABSENT)
        libxl_defbool_set(&b_info->u.pv.e820_host,
                          def->xen_features[VIR_DOMAIN_XEN_E820_HOST] == VIR_TRISTATE_SWITCH_ON);
    return 0;
}


static int
libxlBuildBuildInfo(virDomainDef *def,
                    const libxlBuildParams *params,
                    libxl_domain_config *d_config)
{
    libxl_domain_build_info *b_info = &d_config->b_info;
    size_t i;

    libxl_domain_build_info_init_type(b_info, d_config->c_info.type);

    b_info->max_vcpus = virDomainDefGetVcpusMax(def);
    libxlBuildBitmap(&b_info->avail_vcpus, b_info->max_vcpus);
    for (i = 0; i < virDomainDefGetVcpus(def); i++)
        libxl_bitmap_set(&b_info->avail_vcpus, i);

    if (libxlBuildVcpuAffinity(def, params, b_info) < 0)
        return -1;

    if (libxlBuildNodeAffinity(def, params, b_info) < 0)
        return -1;

    libxlBuildClock(def, b_info);

    libxlBuildSchedParams(def, b_info);

    /* Xen allocates memory in whole MiB */
    virDomainDefSetMemoryTotal(def, VIR_ROUND_UP(virDomainDefGetMemoryInitial(def), 1024));
    def->mem.cur_balloon = VIR_ROUND_UP(def->mem.cur_balloon, 1024);
    b_info->max_memkb = virDomainDefGetMemoryInitial(def);
    b_info->target_memkb = def->mem.cur_balloon;

    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_XENBUS)
            continue;
        if (ctrl->opts.xenbusopts.maxEventChannels > 0)
            b_info->event_channels = ctrl->opts.xenbusopts.maxEventChannels;
        if (ctrl->opts.xenbusopts.maxGrantFrames > 0)
            b_info->max_grant_frames = ctrl->opts.xenbusopts.maxGrantFrames;
    }

    if (d_config->c_info.type != LIBXL_DOMAIN_TYPE_PV &&
        libxlBuildCPU(def, params, b_info) < 0)
        return -1;

    switch (d_config->c_info.type) {
    case LIBXL_DOMAIN_TYPE_HVM:
        if (libxlBuildHVM(def, params, b_info) < 0)
            return -1;
        break;
    case LIBXL_DOMAIN_TYPE_PVH:
        if (libxlBuildPVH(def, b_info) < 0)
            return -1;
        break;
    case LIBXL_DOMAIN_TYPE_PV:
        if (libxlBuildPV(def, b_info) < 0)
            return -1;
        break;
    case LIBXL_DOMAIN_TYPE_INVALID:
        return -1;
    }

    if (def->nparallels > 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("<parallel> devices are not supported by Xen"));
        return -1;
    }

    if (def->memballoon && def->memballoon->model != VIR_DOMAIN_MEMBALLOON_MODEL_XEN) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <memballoon model='%s'>, Xen has only 'xen'"),
                       virDomainMemballoonModelTypeToString(def->memballoon->model));
        return -1;
    }

    b_info->shadow_memkb = libxl_get_required_shadow_memory(b_info->max_memkb,
                                                            b_info->max_vcpus);

    /* <xen:commandline> (libxlDomainXMLNamespace) */
    b_info->extra = g_strdupv(libxlDomainDefDeviceModelArgs(def));
    return 0;
}


static int
libxlBuildVnuma(virDomainDef *def,
                const libxlBuildParams *params,
                libxl_domain_build_info *b_info)
{
    size_t ncells = virDomainNumaGetNodeCount(def->numa);
    bool onNodeZero = false;
    size_t i;
    size_t j;

    if (ncells == 0)
        return 0;

    if (params->hostNumaNodes > 0 && ncells > params->hostNumaNodes) {
        VIR_WARN("Domain '%s' has %zu NUMA cells, the host %u nodes: all cells "
                 "go to physical node 0", def->name, ncells, params->hostNumaNodes);
        onNodeZero = true;
    }

    b_info->vnuma_nodes = g_new0(libxl_vnode_info, ncells);
    b_info->num_vnuma_nodes = ncells;

    for (i = 0; i < ncells; i++) {
        libxl_vnode_info *vnode = &b_info->vnuma_nodes[i];
        virBitmap *cpus = virDomainNumaGetNodeCpumask(def->numa, i);
        ssize_t cpu = -1;

        libxl_vnode_info_init(vnode);
        vnode->pnode = onNodeZero ? 0 : i;
        vnode->memkb = virDomainNumaGetNodeMemorySize(def->numa, i);

        if (!cpus || virBitmapIsAllClear(cpus)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("<cell id='%zu'> has no cpus"), i);
            return -1;
        }
        libxlBuildBitmap(&vnode->vcpus, b_info->max_vcpus);
        while ((cpu = virBitmapNextSetBit(cpus, cpu)) >= 0) {
            if (cpu >= b_info->max_vcpus) {
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               _("<cell id='%zu'> names vcpu %zd beyond the %u vcpus"),
                               i, cpu, b_info->max_vcpus);
                return -1;
            }
            libxl_bitmap_set(&vnode->vcpus, cpu);
        }

        vnode->distances = g_new0(uint32_t, ncells);
        vnode->num_distances = ncells;
        for (j = 0; j < ncells; j++)
            vnode->distances[j] = virDomainNumaGetNodeDistance(def->numa, i, j);
    }

    return 0;
}


/* rbd:POOL/IMAGE[:id=USER:key=KEY:auth_supported=cephx\;none]
 * [:mon_host=HOST\:PORT\;...][:conf=FILE], as qemu's rbd driver parses */
static char *
libxlBuildRBDSource(const virDomainDiskDef *disk,
                    const char *username,
                    const char *secret)
{
    const virStorageSource *src = disk->src;
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    if (!src->path || strchr(src->path, ':')) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("invalid RBD image name '%s' of disk '%s'"),
                       NULLSTR(src->path), disk->dst);
        return NULL;
    }

    virBufferStrcat(&buf, "rbd:", src->volume ? src->volume : "", src->volume ? "/" : "",
                    src->path, NULL);

    if (username) {
        virBufferEscape(&buf, '\\', ":", ":id=%s", username);
        virBufferEscape(&buf, '\\', ":", ":key=%s:auth_supported=cephx\\;none", secret);
    } else {
        virBufferAddLit(&buf, ":auth_supported=none");
    }

    for (i = 0; i < src->nhosts; i++) {
        const virStorageNetHostDef *host = &src->hosts[i];

        virBufferAddStr(&buf, i == 0 ? ":mon_host=" : "\\;");
        if (host->name && strchr(host->name, ':'))
            virBufferEscape(&buf, '\\', ":", "[%s]", host->name);
        else
            virBufferAddStr(&buf, NULLSTR_EMPTY(host->name));
        if (host->port)
            virBufferAsprintf(&buf, "\\:%u", host->port);
    }

    if (src->configFile)
        virBufferEscape(&buf, '\\', ":", ":conf=%s", src->configFile);

    return virBufferContentAndReset(&buf);
}


static int
libxlBuildNetworkDiskSource(virDomainDiskDef *disk,
                            const libxlBuildParams *params,
                            char **path)
{
    virStorageSource *src = disk->src;
    g_autofree char *secret64 = NULL;
    const char *username = NULL;

    if (src->protocol != VIR_STORAGE_NET_PROTOCOL_RBD) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported network disk protocol '%s' for disk '%s'"),
                       virStorageNetProtocolTypeToString(src->protocol), disk->dst);
        return -1;
    }

    if (src->auth) {
        g_autofree uint8_t *secret = NULL;
        size_t secretlen = 0;

        if (!params->diskSecret) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("cannot look up the <auth> secret of disk '%s'"),
                           disk->dst);
            return -1;
        }
        if (params->diskSecret(src, &secret, &secretlen, params->opaque) < 0)
            return -1;
        secret64 = g_base64_encode(secret, secretlen);
        virSecureErase(secret, secretlen);
        username = src->auth->username;
    }

    *path = libxlBuildRBDSource(disk, username, secret64);
    virSecureEraseString(secret64);
    return *path ? 0 : -1;
}


/* driver name and format: which libxl backend reads the image */
static int
libxlBuildDiskBackend(virDomainDiskDef *disk, libxl_device_disk *x_disk)
{
    const char *driver = virDomainDiskGetDriver(disk);
    int format = virDomainDiskGetFormat(disk);
    bool tap;

    if (!driver) {
        /* xl-disk-configuration: raw, and libxl picks the backend */
        x_disk->format = LIBXL_DISK_FORMAT_RAW;
        x_disk->backend = LIBXL_DISK_BACKEND_UNKNOWN;
        return 0;
    }

    tap = STREQ(driver, "tap") || STREQ(driver, "tap2");
    if (tap || STREQ(driver, "qemu")) {
        x_disk->backend = LIBXL_DISK_BACKEND_QDISK;
        switch (format) {
        case VIR_STORAGE_FILE_RAW:
        case VIR_STORAGE_FILE_NONE:
            x_disk->format = LIBXL_DISK_FORMAT_RAW;
            if (tap)
                x_disk->backend = LIBXL_DISK_BACKEND_TAP;
            return 0;
        case VIR_STORAGE_FILE_VHD:
            x_disk->format = LIBXL_DISK_FORMAT_VHD;
            if (tap)
                x_disk->backend = LIBXL_DISK_BACKEND_TAP;
            return 0;
        case VIR_STORAGE_FILE_QCOW:
            x_disk->format = LIBXL_DISK_FORMAT_QCOW;
            return 0;
        case VIR_STORAGE_FILE_QCOW2:
            x_disk->format = LIBXL_DISK_FORMAT_QCOW2;
            return 0;
        case VIR_STORAGE_FILE_QED:
            x_disk->format = LIBXL_DISK_FORMAT_QED;
            return 0;
        default:
            break;
        }
    } else if (STREQ(driver, "file") || STREQ(driver, "phy")) {
        x_disk->backend = STREQ(driver, "phy") ?
            LIBXL_DISK_BACKEND_PHY : LIBXL_DISK_BACKEND_QDISK;
        if (format == VIR_STORAGE_FILE_RAW || format == VIR_STORAGE_FILE_NONE) {
            x_disk->format = LIBXL_DISK_FORMAT_RAW;
            return 0;
        }
    } else {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <driver name='%s'> for disk '%s'"),
                       driver, disk->dst);
        return -1;
    }

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported format '%s' with <driver name='%s'> for disk '%s'"),
                   virStorageFileFormatTypeToString(format), driver, disk->dst);
    return -1;
}


int
libxlBuildDisk(virDomainDiskDef *disk,
               const libxlBuildParams *params,
               libxl_device_disk *x_disk)
{
    const char *driver = virDomainDiskGetDriver(disk);

    if (virStorageSourceGetActualType(disk->src) == VIR_STORAGE_TYPE_NETWORK) {
        if (STRNEQ_NULLABLE(driver, "qemu")) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("network disk '%s' needs <driver name='qemu'>"), disk->dst);
            return -1;
        }
        if (libxlBuildNetworkDiskSource(disk, params, &x_disk->pdev_path) < 0)
            return -1;
    } else {
        x_disk->pdev_path = g_strdup(virDomainDiskGetSource(disk));
    }

    x_disk->vdev = g_strdup(disk->dst);

    if (libxlBuildDiskBackend(disk, x_disk) < 0)
        return -1;

    if (disk->transient) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<transient/> disk '%s' is not supported by Xen"), disk->dst);
        return -1;
    }

    x_disk->removable = 1;
    x_disk->readwrite = !disk->src->readonly;
    x_disk->is_cdrom = disk->device == VIR_DOMAIN_DISK_DEVICE_CDROM;
    /* an empty drive must say so, or libxl looks for the image */
    if (x_disk->is_cdrom && !x_disk->pdev_path)
        x_disk->format = LIBXL_DISK_FORMAT_EMPTY;

    if (x_disk->readwrite) {
        if (disk->discard == VIR_DOMAIN_DISK_DISCARD_UNMAP)
            libxl_defbool_set(&x_disk->discard_enable, true);
        else if (disk->discard == VIR_DOMAIN_DISK_DISCARD_IGNORE)
            libxl_defbool_set(&x_disk->discard_enable, false);
    }

    x_disk->backend_domname = g_strdup(disk->domain_name);
    return 0;
}


static int
libxlBuildDiskList(virDomainDef *def,
                   const libxlBuildParams *params,
                   libxl_domain_config *d_config)
{
    size_t i;

    if (def->ndisks == 0)
        return 0;

    d_config->disks = g_new0(libxl_device_disk, def->ndisks);
    for (i = 0; i < def->ndisks; i++) {
        libxl_device_disk_init(&d_config->disks[i]);
        d_config->num_disks++;
        if (libxlBuildDisk(def->disks[i], params, &d_config->disks[i]) < 0)
            return -1;
    }
    return 0;
}


/* the bridge, with openvswitch VLAN tags (BRIDGE[.VLAN] or BRIDGE:T1:T2) */
static char *
libxlBuildNicBridge(const virDomainNetDef *net, const char **script)
{
    const virNetDevVPortProfile *profile = virDomainNetGetActualVirtPortProfile(net);
    const virNetDevVlan *vlan = virDomainNetGetActualVlan(net);
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    size_t i;

    virBufferAddStr(&buf, NULLSTR_EMPTY(virDomainNetGetActualBridgeName(net)));

    if (profile && profile->virtPortType == VIR_NETDEV_VPORT_PROFILE_OPENVSWITCH) {
        if (!*script)
            *script = "vif-openvswitch";
        if (vlan && vlan->nTags > 0) {
            if (vlan->trunk) {
                for (i = 0; i < vlan->nTags; i++)
                    virBufferAsprintf(&buf, ":%u", vlan->tag[i]);
            } else {
                virBufferAsprintf(&buf, ".%u", vlan->tag[0]);
            }
        }
    }
    return virBufferContentAndReset(&buf);
}


static char *
libxlBuildNicIPs(const virDomainNetDef *net)
{
    g_auto(GStrv) ips = NULL;
    size_t i;

    if (net->guestIP.nips == 0)
        return NULL;

    ips = g_new0(char *, net->guestIP.nips + 1);
    for (i = 0; i < net->guestIP.nips; i++) {
        if (!(ips[i] = virSocketAddrFormat(&net->guestIP.ips[i]->address)))
            return NULL;
    }
    return g_strjoinv(" ", ips);
}


int
libxlBuildNic(const virDomainDef *def,
              virDomainNetDef *net,
              const libxlBuildParams *params,
              bool hotplug,
              libxl_device_nic *x_nic)
{
    virDomainNetType type = virDomainNetGetActualType(net);
    const char *model = virDomainNetGetModelString(net);
    const virNetDevBandwidth *bandwidth;
    const char *script = net->script;
    char mac[VIR_MAC_STRING_BUFLEN];

    virMacAddrFormat(&net->mac, mac);

    if (script && type != VIR_DOMAIN_NET_TYPE_BRIDGE && type != VIR_DOMAIN_NET_TYPE_ETHERNET) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<script> of interface '%s' needs type 'bridge' or 'ethernet'"),
                       mac);
        return -1;
    }

    virMacAddrGetRaw(&net->mac, x_nic->mac);

    /* An HVM guest gets an emulated NIC and its PV twin (the guest unplugs
     * one) unless a model says netfront; a hotplugged NIC is PV only, as
     * the device model cannot grow one. */
    if (model) {
        if (def->os.type != VIR_DOMAIN_OSTYPE_HVM &&
            net->model != VIR_DOMAIN_NET_MODEL_NETFRONT) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported <model type='%s'> of interface '%s': Xen PV and PVH guests have only 'netfront'"),
                           model, mac);
            return -1;
        }
        x_nic->model = g_strdup(model);
        x_nic->nictype = net->model == VIR_DOMAIN_NET_MODEL_NETFRONT ?
            LIBXL_NIC_TYPE_VIF : LIBXL_NIC_TYPE_VIF_IOEMU;
    } else {
        x_nic->nictype = def->os.type == VIR_DOMAIN_OSTYPE_HVM && !hotplug ?
            LIBXL_NIC_TYPE_VIF_IOEMU : LIBXL_NIC_TYPE_VIF;
    }

    x_nic->ifname = g_strdup(net->ifname);

    switch (type) {
    case VIR_DOMAIN_NET_TYPE_BRIDGE:
        x_nic->bridge = libxlBuildNicBridge(net, &script);
        x_nic->script = g_strdup(script);
        x_nic->ip = libxlBuildNicIPs(net);
        break;

    case VIR_DOMAIN_NET_TYPE_ETHERNET:
        x_nic->script = g_strdup(script);
        x_nic->ip = libxlBuildNicIPs(net);
        break;

    case VIR_DOMAIN_NET_TYPE_NETWORK:
        /* the bridge of the port the network driver allocated */
        if (virDomainNetGetActualBridgeName(net)) {
            x_nic->bridge = g_strdup(virDomainNetGetActualBridgeName(net));
            x_nic->ip = libxlBuildNicIPs(net);
            break;
        }
        /* a network the driver did not give an actual device to */
        if (!params->networkBridge) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("cannot resolve network '%s' of interface '%s'"),
                           net->data.network.name, mac);
            return -1;
        }
        if (!(x_nic->bridge = params->networkBridge(net->data.network.name,
                                                    params->opaque)))
            return -1;
        x_nic->ip = libxlBuildNicIPs(net);
        break;

    case VIR_DOMAIN_NET_TYPE_VHOSTUSER:
    case VIR_DOMAIN_NET_TYPE_USER:
    case VIR_DOMAIN_NET_TYPE_SERVER:
    case VIR_DOMAIN_NET_TYPE_CLIENT:
    case VIR_DOMAIN_NET_TYPE_MCAST:
    case VIR_DOMAIN_NET_TYPE_UDP:
    case VIR_DOMAIN_NET_TYPE_INTERNAL:
    case VIR_DOMAIN_NET_TYPE_DIRECT:
    case VIR_DOMAIN_NET_TYPE_HOSTDEV:
    case VIR_DOMAIN_NET_TYPE_VDPA:
    case VIR_DOMAIN_NET_TYPE_NULL:
    case VIR_DOMAIN_NET_TYPE_VDS:
    case VIR_DOMAIN_NET_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <interface type='%s'> '%s'"),
                       NULLSTR(virDomainNetTypeToString(type)), mac);
        return -1;
    }

    x_nic->backend_domname = g_strdup(net->domain_name);

    /* libvirt's average (KiB/s) as credit per xl's default 50ms interval */
    bandwidth = virDomainNetGetActualBandwidth(net);
    if (bandwidth && bandwidth->out && bandwidth->out->average) {
        uint64_t bytesPerSec = (uint64_t) bandwidth->out->average * 1024;

        x_nic->rate_interval_usecs = LIBXL_BUILD_RATE_INTERVAL_USECS;
        x_nic->rate_bytes_per_interval =
            bytesPerSec * LIBXL_BUILD_RATE_INTERVAL_USECS / 1000000UL;
    }

    return 0;
}


static int
libxlBuildNicList(virDomainDef *def,
                  const libxlBuildParams *params,
                  libxl_domain_config *d_config)
{
    size_t i;

    if (def->nnets == 0)
        return 0;

    d_config->nics = g_new0(libxl_device_nic, def->nnets);
    for (i = 0; i < def->nnets; i++) {
        libxl_device_nic *x_nic = &d_config->nics[d_config->num_nics];

        /* <interface type='hostdev'> is a PCI device, in the hostdev list */
        if (virDomainNetGetActualType(def->nets[i]) == VIR_DOMAIN_NET_TYPE_HOSTDEV)
            continue;

        libxl_device_nic_init(x_nic);
        /* the device model needs the devids up front */
        x_nic->devid = d_config->num_nics;
        d_config->num_nics++;
        if (libxlBuildNic(def, def->nets[i], params, false, x_nic) < 0)
            return -1;
    }
    return 0;
}


static int
libxlBuildAcquirePort(const libxlBuildParams *params, int *port)
{
    unsigned short p;

    if (virPortAllocatorAcquire(params->graphicsPorts, &p) < 0)
        return -1;
    *port = p;
    return 0;
}


int
libxlBuildVfb(virDomainGraphicsDef *graphics,
              const libxlBuildParams *params,
              libxl_device_vfb *x_vfb)
{
    virDomainGraphicsListenDef *listen;

    switch ((virDomainGraphicsType) graphics->type) {
    case VIR_DOMAIN_GRAPHICS_TYPE_SDL:
        libxl_defbool_set(&x_vfb->sdl.enable, true);
        libxl_defbool_set(&x_vfb->vnc.enable, false);
        libxl_defbool_set(&x_vfb->sdl.opengl, false);
        x_vfb->sdl.display = g_strdup(graphics->data.sdl.display);
        x_vfb->sdl.xauthority = g_strdup(graphics->data.sdl.xauth);
        break;

    case VIR_DOMAIN_GRAPHICS_TYPE_VNC:
        libxl_defbool_set(&x_vfb->vnc.enable, true);
        libxl_defbool_set(&x_vfb->sdl.enable, false);
        if (graphics->data.vnc.autoport && params->graphicsPorts) {
            /* the driver picks the port, so that it can release it */
            if (libxlBuildAcquirePort(params, &graphics->data.vnc.port) < 0)
                return -1;
            libxl_defbool_set(&x_vfb->vnc.findunused, false);
            x_vfb->vnc.display = graphics->data.vnc.port - LIBXL_BUILD_VNC_PORT_MIN;
        } else if (graphics->data.vnc.autoport) {
            libxl_defbool_set(&x_vfb->vnc.findunused, true);
        } else {
            if (graphics->data.vnc.port < LIBXL_BUILD_VNC_PORT_MIN) {
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               _("<graphics type='vnc' port='%d'> below %d"),
                               graphics->data.vnc.port, LIBXL_BUILD_VNC_PORT_MIN);
                return -1;
            }
            libxl_defbool_set(&x_vfb->vnc.findunused, false);
            x_vfb->vnc.display = graphics->data.vnc.port - LIBXL_BUILD_VNC_PORT_MIN;
        }

        if ((listen = virDomainGraphicsGetListen(graphics, 0))) {
            if (listen->address) {
                g_free(x_vfb->vnc.listen);
                x_vfb->vnc.listen = g_strdup(listen->address);
            } else {
                /* what libxl listens on by default, made visible */
                listen->address = g_strdup(VIR_LOOPBACK_IPV4_ADDR);
            }
        }
        x_vfb->vnc.passwd = g_strdup(graphics->data.vnc.auth.passwd);
        x_vfb->keymap = g_strdup(graphics->data.vnc.keymap);
        break;

    case VIR_DOMAIN_GRAPHICS_TYPE_SPICE:
        /* SPICE is the device model's (build info), the vfb stays blank */
        break;

    case VIR_DOMAIN_GRAPHICS_TYPE_RDP:
    case VIR_DOMAIN_GRAPHICS_TYPE_DESKTOP:
    case VIR_DOMAIN_GRAPHICS_TYPE_EGL_HEADLESS:
    case VIR_DOMAIN_GRAPHICS_TYPE_DBUS:
    case VIR_DOMAIN_GRAPHICS_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <graphics type='%s'>"),
                       NULLSTR(virDomainGraphicsTypeToString(graphics->type)));
        return -1;
    }

    return 0;
}


static int
libxlBuildVfbList(virDomainDef *def,
                  const libxlBuildParams *params,
                  libxl_domain_config *d_config)
{
    size_t i;

    if (def->ngraphics == 0)
        return 0;

    /* a PV framebuffer and keyboard per display */
    d_config->vfbs = g_new0(libxl_device_vfb, def->ngraphics);
    d_config->vkbs = g_new0(libxl_device_vkb, def->ngraphics);
    for (i = 0; i < def->ngraphics; i++) {
        libxl_device_vfb_init(&d_config->vfbs[i]);
        libxl_device_vkb_init(&d_config->vkbs[i]);
        d_config->num_vfbs++;
        d_config->num_vkbs++;
        if (libxlBuildVfb(def->graphics[i], params, &d_config->vfbs[i]) < 0)
            return -1;
    }
    return 0;
}


static int
libxlBuildHVMSpice(virDomainGraphicsDef *graphics,
                   const libxlBuildParams *params,
                   libxl_domain_build_info *b_info)
{
    virDomainGraphicsListenDef *listen;

    libxl_defbool_set(&b_info->u.hvm.spice.enable, true);

    /* unlike VNC, libxl cannot look for a free SPICE port itself */
    if (graphics->data.spice.autoport) {
        if (!params->graphicsPorts) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("<graphics type='spice' autoport='yes'> needs a port range to allocate from"));
            return -1;
        }
        if (libxlBuildAcquirePort(params, &graphics->data.spice.port) < 0)
            return -1;
    }
    b_info->u.hvm.spice.port = graphics->data.spice.port;
    b_info->u.hvm.spice.tls_port = graphics->data.spice.tlsPort > 0 ?
        graphics->data.spice.tlsPort : 0;

    if ((listen = virDomainGraphicsGetListen(graphics, 0))) {
        if (!listen->address)
            listen->address = g_strdup(VIR_LOOPBACK_IPV4_ADDR);
        b_info->u.hvm.spice.host = g_strdup(listen->address);
    }

    b_info->u.hvm.keymap = g_strdup(graphics->data.spice.keymap);

    if (graphics->data.spice.auth.passwd) {
        b_info->u.hvm.spice.passwd = g_strdup(graphics->data.spice.auth.passwd);
        libxl_defbool_set(&b_info->u.hvm.spice.disable_ticketing, false);
    } else {
        libxl_defbool_set(&b_info->u.hvm.spice.disable_ticketing, true);
    }

    /* xl's default mouse mode is client (through the agent) */
    libxl_defbool_set(&b_info->u.hvm.spice.agent_mouse,
                      graphics->data.spice.mousemode != VIR_DOMAIN_MOUSE_MODE_SERVER);

    libxl_defbool_set(&b_info->u.hvm.spice.vdagent,
                      graphics->data.spice.copypaste == VIR_TRISTATE_BOOL_YES);
    libxl_defbool_set(&b_info->u.hvm.spice.clipboard_sharing,
                      graphics->data.spice.copypaste == VIR_TRISTATE_BOOL_YES);
    return 0;
}


/* HVM: the device model's display is SPICE if there is one, otherwise
 * the first vfb's VNC or SDL. Needs the vfb list built. */
static int
libxlBuildHVMDisplay(virDomainDef *def,
                     const libxlBuildParams *params,
                     libxl_domain_config *d_config)
{
    libxl_domain_build_info *b_info = &d_config->b_info;
    const libxl_device_vfb *vfb;
    size_t i;

    if (d_config->c_info.type != LIBXL_DOMAIN_TYPE_HVM || def->ngraphics == 0)
        return 0;

    for (i = 0; i < def->ngraphics; i++) {
        if (def->graphics[i]->type == VIR_DOMAIN_GRAPHICS_TYPE_SPICE)
            return libxlBuildHVMSpice(def->graphics[i], params, b_info);
    }

    vfb = &d_config->vfbs[0];
    if (libxl_defbool_val(vfb->vnc.enable)) {
        libxl_defbool_set(&b_info->u.hvm.vnc.enable, true);
        b_info->u.hvm.vnc.listen = g_strdup(vfb->vnc.listen);
        b_info->u.hvm.vnc.passwd = g_strdup(vfb->vnc.passwd);
        b_info->u.hvm.vnc.display = vfb->vnc.display;
        libxl_defbool_set(&b_info->u.hvm.vnc.findunused,
                          libxl_defbool_val(vfb->vnc.findunused));
    } else if (libxl_defbool_val(vfb->sdl.enable)) {
        libxl_defbool_set(&b_info->u.hvm.sdl.enable, true);
        libxl_defbool_set(&b_info->u.hvm.sdl.opengl, libxl_defbool_val(vfb->sdl.opengl));
        b_info->u.hvm.sdl.display = g_strdup(vfb->sdl.display);
        b_info->u.hvm.sdl.xauthority = g_strdup(vfb->sdl.xauthority);
    }
    b_info->u.hvm.keymap = g_strdup(vfb->keymap);
    return 0;
}


int
libxlBuildPCI(const virDomainHostdevDef *hostdev, libxl_device_pci *x_pci)
{
    const virDomainHostdevSubsysPCI *pcisrc = &hostdev->source.subsys.u.pci;

    if (hostdev->mode != VIR_DOMAIN_HOSTDEV_MODE_SUBSYS ||
        hostdev->source.subsys.type != VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("<hostdev> is not a PCI device"));
        return -1;
    }

    x_pci->domain = pcisrc->addr.domain;
    x_pci->bus = pcisrc->addr.bus;
    x_pci->dev = pcisrc->addr.slot;
    x_pci->func = pcisrc->addr.function;
    /* writeFiltering='no': the guest may write any config space register */
    x_pci->permissive = hostdev->writeFiltering == VIR_TRISTATE_BOOL_NO;
    return 0;
}


static bool
libxlBuildIsHostdev(const virDomainHostdevDef *hostdev, virDomainHostdevSubsysType type)
{
    return hostdev->mode == VIR_DOMAIN_HOSTDEV_MODE_SUBSYS &&
           hostdev->source.subsys.type == type;
}


static size_t
libxlBuildCountHostdevs(const virDomainDef *def, virDomainHostdevSubsysType type)
{
    size_t n = 0;
    size_t i;

    for (i = 0; i < def->nhostdevs; i++) {
        if (libxlBuildIsHostdev(def->hostdevs[i], type))
            n++;
    }
    return n;
}


static int
libxlBuildAppendPCI(virDomainHostdevDef *hostdev, libxl_domain_config *d_config)
{
    libxl_device_pci *x_pci = &d_config->pcidevs[d_config->num_pcidevs++];

    libxl_device_pci_init(x_pci);
    return libxlBuildPCI(hostdev, x_pci);
}


static int
libxlBuildAppendUSBDevice(virDomainHostdevDef *hostdev, libxl_domain_config *d_config)
{
    libxl_device_usbdev *x_usbdev = &d_config->usbdevs[d_config->num_usbdevs++];

    libxl_device_usbdev_init(x_usbdev);
    return libxlBuildUSBDevice(hostdev, x_usbdev);
}


/* PCI and USB hostdevs: the libxl list is allocated for all of @type
 * (by the caller), then @append builds one into it. */
static int
libxlBuildHostdevList(virDomainDef *def,
                      virDomainHostdevSubsysType type,
                      int (*append)(virDomainHostdevDef *hostdev,
                                    libxl_domain_config *d_config),
                      libxl_domain_config *d_config)
{
    size_t i;

    for (i = 0; i < def->nhostdevs; i++) {
        if (libxlBuildIsHostdev(def->hostdevs[i], type) &&
            append(def->hostdevs[i], d_config) < 0)
            return -1;
    }
    return 0;
}


int
libxlBuildUSBController(const virDomainControllerDef *controller,
                        libxl_device_usbctrl *x_usbctrl)
{
    if (controller->type != VIR_DOMAIN_CONTROLLER_TYPE_USB) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("<controller> is not a USB controller"));
        return -1;
    }

    x_usbctrl->devid = controller->idx;
    x_usbctrl->type = LIBXL_USBCTRL_TYPE_QUSB;
    switch (controller->model) {
    case VIR_DOMAIN_CONTROLLER_MODEL_USB_DEFAULT:
    case VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB2:
        x_usbctrl->version = 2;
        break;
    case VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB1:
        x_usbctrl->version = 1;
        break;
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <controller type='usb' model='%s'>, Xen has qusb1 and qusb2"),
                       NULLSTR(virDomainControllerModelUSBTypeToString(controller->model)));
        return -1;
    }
    x_usbctrl->ports = controller->opts.usbopts.ports == -1 ?
        8 : controller->opts.usbopts.ports;
    return 0;
}


/* USB hostdevs without a controller get qusb2 controllers of 8 ports,
 * added to the definition too so that it describes the running guest. */
static int
libxlBuildUSBControllerList(virDomainDef *def, libxl_domain_config *d_config)
{
    size_t nusbdevs = libxlBuildCountHostdevs(def, VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB);
    size_t i;

    if (nusbdevs > 0 && virDomainControllerFindByType(def, VIR_DOMAIN_CONTROLLER_TYPE_USB) < 0) {
        for (i = 0; i < VIR_DIV_UP(nusbdevs, 8); i++) {
            virDomainControllerDef *ctrl = virDomainControllerDefNew(VIR_DOMAIN_CONTROLLER_TYPE_USB);

            if (!ctrl)
                return -1;
            ctrl->idx = i;
            ctrl->model = VIR_DOMAIN_CONTROLLER_MODEL_USB_QUSB2;
            ctrl->opts.usbopts.ports = 8;
            virDomainControllerInsert(def, ctrl);
        }
    }

    for (i = 0; i < def->ncontrollers; i++) {
        const virDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->type != VIR_DOMAIN_CONTROLLER_TYPE_USB)
            continue;
        /* model='none': the guest has no USB at all */
        if (ctrl->model == VIR_DOMAIN_CONTROLLER_MODEL_USB_NONE)
            continue;

        VIR_REALLOC_N(d_config->usbctrls, d_config->num_usbctrls + 1);
        libxl_device_usbctrl_init(&d_config->usbctrls[d_config->num_usbctrls]);
        d_config->num_usbctrls++;
        if (libxlBuildUSBController(ctrl, &d_config->usbctrls[d_config->num_usbctrls - 1]) < 0)
            return -1;
    }
    return 0;
}


int
libxlBuildUSBDevice(virDomainHostdevDef *hostdev, libxl_device_usbdev *x_usbdev)
{
    virDomainHostdevSubsysUSB *usbsrc = &hostdev->source.subsys.u.usb;
    g_autoptr(virUSBDevice) usb = NULL;

    if (hostdev->mode != VIR_DOMAIN_HOSTDEV_MODE_SUBSYS ||
        hostdev->source.subsys.type != VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("<hostdev> is not a USB device"));
        return -1;
    }

    x_usbdev->type = LIBXL_USBDEV_TYPE_HOSTDEV;
    if (usbsrc->bus > 0 && usbsrc->device > 0) {
        x_usbdev->u.hostdev.hostbus = usbsrc->bus;
        x_usbdev->u.hostdev.hostaddr = usbsrc->device;
        return 0;
    }

    /* vendor/product: find where it is plugged in now */
    if (virHostdevFindUSBDevice(hostdev, true, &usb) < 0)
        return -1;
    /* neither vendor nor bus (an unvalidated definition): nothing found */
    if (!usb) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("USB <hostdev> names no device: it needs a vendor and product, or a bus and device"));
        return -1;
    }
    x_usbdev->u.hostdev.hostbus = virUSBDeviceGetBus(usb);
    x_usbdev->u.hostdev.hostaddr = virUSBDeviceGetDevno(usb);
    return 0;
}


int
libxlBuildChannel(const virDomainDef *def,
                  virDomainChrDef *channel,
                  const libxlBuildParams *params,
                  libxl_device_channel *x_channel)
{
    virDomainChrSourceDef *src = channel->source;

    if (channel->targetType != VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_XEN) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <channel> target type '%s', Xen has only 'xen'"),
                       libxlChannelTargetTypeName(channel->targetType));
        return -1;
    }
    if (!channel->target.name) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("<channel> needs a <target name=...>"));
        return -1;
    }

    switch ((virDomainChrType) src->type) {
    case VIR_DOMAIN_CHR_TYPE_PTY:
        x_channel->connection = LIBXL_CHANNEL_CONNECTION_PTY;
        break;
    case VIR_DOMAIN_CHR_TYPE_UNIX:
        /* no path: one under the driver's channel directory, listening */
        if (!src->data.nix.path) {
            if (!params->channelDir) {
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               _("<channel> '%s' needs a <source path=...>"),
                               channel->target.name);
                return -1;
            }
            if (strchr(channel->target.name, '/')) {
                virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                               _("<channel> target name '%s' cannot contain '/': it names a socket in %s"),
                               channel->target.name, params->channelDir);
                return -1;
            }
            src->data.nix.path = g_strdup_printf("%s/%s-%s", params->channelDir,
                                                 def->name, channel->target.name);
            src->data.nix.listen = true;
        }
        if (strlen(src->data.nix.path) >= sizeof(((struct sockaddr_un *) NULL)->sun_path)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("<channel> '%s': socket path '%s' is longer than a unix socket path can be (%zu bytes)"),
                           channel->target.name, src->data.nix.path,
                           sizeof(((struct sockaddr_un *) NULL)->sun_path) - 1);
            return -1;
        }
        x_channel->connection = LIBXL_CHANNEL_CONNECTION_SOCKET;
        x_channel->u.socket.path = g_strdup(src->data.nix.path);
        break;
    case VIR_DOMAIN_CHR_TYPE_NULL:
    case VIR_DOMAIN_CHR_TYPE_VC:
    case VIR_DOMAIN_CHR_TYPE_DEV:
    case VIR_DOMAIN_CHR_TYPE_FILE:
    case VIR_DOMAIN_CHR_TYPE_PIPE:
    case VIR_DOMAIN_CHR_TYPE_STDIO:
    case VIR_DOMAIN_CHR_TYPE_UDP:
    case VIR_DOMAIN_CHR_TYPE_TCP:
    case VIR_DOMAIN_CHR_TYPE_SPICEVMC:
    case VIR_DOMAIN_CHR_TYPE_SPICEPORT:
    case VIR_DOMAIN_CHR_TYPE_NMDM:
    case VIR_DOMAIN_CHR_TYPE_QEMU_VDAGENT:
    case VIR_DOMAIN_CHR_TYPE_DBUS:
    case VIR_DOMAIN_CHR_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <channel type='%s'> '%s', Xen has 'pty' and 'unix'"),
                       NULLSTR(virDomainChrTypeToString(src->type)), channel->target.name);
        return -1;
    }

    x_channel->name = g_strdup(channel->target.name);
    return 0;
}


static int
libxlBuildChannelList(virDomainDef *def,
                      const libxlBuildParams *params,
                      libxl_domain_config *d_config)
{
    size_t i;

    for (i = 0; i < def->nchannels; i++) {
        virDomainChrDef *channel = def->channels[i];

        if (channel->deviceType != VIR_DOMAIN_CHR_DEVICE_TYPE_CHANNEL)
            continue;

        VIR_REALLOC_N(d_config->channels, d_config->num_channels + 1);
        libxl_device_channel_init(&d_config->channels[d_config->num_channels]);
        d_config->num_channels++;
        if (libxlBuildChannel(def, channel, params,
                              &d_config->channels[d_config->num_channels - 1]) < 0)
            return -1;
    }
    return 0;
}


/* The emulated graphics card of an HVM guest: the first <video>. */
static int
libxlBuildVideo(virDomainDef *def, libxl_domain_config *d_config)
{
    libxl_domain_build_info *b_info = &d_config->b_info;
    const virDomainVideoDef *video;
    bool traditional;
    unsigned int minvram;

    if (d_config->c_info.type != LIBXL_DOMAIN_TYPE_HVM)
        return 0;

    if (def->nvideos == 0) {
        libxl_defbool_set(&b_info->u.hvm.nographic, true);
        b_info->u.hvm.vga.kind = LIBXL_VGA_INTERFACE_TYPE_NONE;
        return 0;
    }

    video = def->videos[0];
    traditional = libxlBuildDeviceModelVersion(def) ==
        LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL;

    switch ((int) video->type) {
    case VIR_DOMAIN_VIDEO_TYPE_VGA:
    case VIR_DOMAIN_VIDEO_TYPE_XEN:
        b_info->u.hvm.vga.kind = LIBXL_VGA_INTERFACE_TYPE_STD;
        minvram = traditional ? 8 * 1024 : 16 * 1024;
        break;
    case VIR_DOMAIN_VIDEO_TYPE_CIRRUS:
        b_info->u.hvm.vga.kind = LIBXL_VGA_INTERFACE_TYPE_CIRRUS;
        minvram = traditional ? 4 * 1024 : 8 * 1024;
        break;
    case VIR_DOMAIN_VIDEO_TYPE_QXL:
        b_info->u.hvm.vga.kind = LIBXL_VGA_INTERFACE_TYPE_QXL;
        minvram = 128 * 1024;
        break;
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported <video><model type='%s'>, Xen has vga, cirrus, xen and qxl"),
                       NULLSTR(virDomainVideoTypeToString(video->type)));
        return -1;
    }

    if (video->vram < minvram) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("<video><model type='%s' vram='%u'> needs at least %u KiB"),
                       virDomainVideoTypeToString(video->type), video->vram, minvram);
        return -1;
    }
    b_info->video_memkb = video->vram;
    return 0;
}


/**
 * libxlBuildDomainConfig:
 * @def: the domain definition; updated with what the start chooses
 *       (memory rounded to MiB, autoport ports, listen addresses, channel
 *       socket paths, implicit USB controllers, the OVMF loader)
 * @params: what the driver and the host supply (see libxlBuildParams)
 * @ctx: libxl context, used only to resolve a static flask label; may be
 *       NULL otherwise
 * @d_config: initialized by the caller (libxl_domain_config_init), filled
 *            here; the caller disposes it whether this succeeds or not
 *
 * Returns 0, or -1 with a libvirt error naming what Xen cannot do.
 */
int
libxlBuildDomainConfig(virDomainDef *def,
                       const libxlBuildParams *params,
                       libxl_ctx *ctx,
                       libxl_domain_config *d_config)
{
    static const libxlBuildParams noparams = { 0 };

    if (!params)
        params = &noparams;

    /* definitions read back from disk were not validated by the parser */
    if (libxlDomainDefValidateAll(def) < 0)
        return -1;

    if (libxlBuildCreateInfo(def, ctx, &d_config->c_info) < 0)
        return -1;

    if (libxlBuildBuildInfo(def, params, d_config) < 0)
        return -1;

    if (libxlBuildVnuma(def, params, &d_config->b_info) < 0)
        return -1;

    if (libxlBuildDiskList(def, params, d_config) < 0)
        return -1;

    if (libxlBuildNicList(def, params, d_config) < 0)
        return -1;

    if (libxlBuildVfbList(def, params, d_config) < 0)
        return -1;

    if (libxlBuildHVMDisplay(def, params, d_config) < 0)
        return -1;

    d_config->pcidevs = g_new0(libxl_device_pci,
                               libxlBuildCountHostdevs(def, VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI));
    if (libxlBuildHostdevList(def, VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI,
                              libxlBuildAppendPCI, d_config) < 0)
        return -1;

    if (libxlBuildUSBControllerList(def, d_config) < 0)
        return -1;

    d_config->usbdevs = g_new0(libxl_device_usbdev,
                               libxlBuildCountHostdevs(def, VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB));
    if (libxlBuildHostdevList(def, VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_USB,
                              libxlBuildAppendUSBDevice, d_config) < 0)
        return -1;

    if (libxlBuildChannelList(def, params, d_config) < 0)
        return -1;

    if (libxlBuildVideo(def, d_config) < 0)
        return -1;

    d_config->on_poweroff = libxlBuildLifecycleAction(def->onPoweroff);
    d_config->on_reboot = libxlBuildLifecycleAction(def->onReboot);
    d_config->on_crash = libxlBuildLifecycleAction(def->onCrash);

    return 0;
}

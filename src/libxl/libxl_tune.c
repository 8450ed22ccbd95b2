/*
 * libxl_tune.c: the libxl driver's tuning entry points
 *
 * vcpuinfo, vcpucount, setvcpus, vcpupin, emulatorpin, setmem,
 * setmaxmem, memtune, schedinfo and numatune land here.  Each has the
 * driver's shape (lookup, ACL, job for changes, active check) and the
 * --live/--config/--current semantics libvirt defines: a live change
 * goes to Xen through libxl and into the live definition (saved in the
 * status XML), a --config change is made on a copy of the persistent
 * definition, validated as a define is, written and only then made the
 * persistent definition.  The live part of a change is made first and a
 * failure there leaves both definitions as they were.
 *
 * What the persistent definition holds is what libxl_build.c applies at
 * the next start: <vcpu> (current and maximum), <cputune><vcpupin>,
 * <cputune><shares> (the credit schedulers' weight), <global_period> and
 * <global_quota> (their cap: quota / period in percent of one CPU),
 * <period> and <quota> (RTDS's period and budget of each vcpu),
 * <numatune><memory nodeset> (the node affinity), <memory> and
 * <currentMemory>.  <cputune><emulatorpin> is stored but Xen cannot
 * apply it: the device model runs in Domain-0, whose vCPUs are not the
 * host's CPUs.
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
#include "virbitmap.h"
#include "virerror.h"
#include "virlog.h"
#include "virstring.h"
#include "virtypedparam.h"
#include "domain_event.h"
#include "domain_validate.h"
#include "libxl_build.h"
#include "libxl_capabilities.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_logger.h"
#include "libxl_process.h"
#include "libxl_tune.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_tune");

/* Xen's credit schedulers: weight 1..65535, default 256; cap in percent
 * of one CPU, 0 (no cap) to 100 per vcpu */
#define LIBXL_TUNE_WEIGHT_MIN 1
#define LIBXL_TUNE_WEIGHT_MAX 65535
#define LIBXL_TUNE_WEIGHT_DEFAULT 256
/* the <global_period> a cap is stored with: quota = cap * period / 100 */
#define LIBXL_TUNE_CAP_PERIOD 100000ULL
/* RTDS (microseconds): Xen's minimum period and budget, and the default
 * 10 ms period / 4 ms budget */
#define LIBXL_TUNE_RTDS_MIN 10
#define LIBXL_TUNE_RTDS_PERIOD_MAX (1000ULL * 1000 * 1000)
#define LIBXL_TUNE_RTDS_PERIOD_DEFAULT 10000
#define LIBXL_TUNE_RTDS_BUDGET_DEFAULT 4000


/* ---- common --------------------------------------------------------- */

/*
 * libxlTuneBegin:
 * The modifying calls' opening: the job, then which definitions @flags
 * (live/config/current, updated) touch: *def the live one or NULL,
 * *persistentDef the persistent one or NULL.
 */
static int
libxlTuneBegin(libxlDriverPrivate *driver,
               virDomainObj *vm,
               const char *name,
               unsigned int *flags,
               virDomainDef **def,
               virDomainDef **persistentDef)
{
    *def = NULL;
    *persistentDef = NULL;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, name) < 0)
        return -1;

    if (virDomainObjUpdateModificationImpact(vm, flags) < 0 ||
        virDomainObjGetDefs(vm, *flags, def, persistentDef) < 0) {
        libxlDomainObjEndJob(vm);
        return -1;
    }

    if (*persistentDef && libxlDomainNameCheck(vm->def->name) < 0) {
        libxlDomainObjEndJob(vm);
        return -1;
    }
    return 0;
}


/* A copy of the persistent definition for a --config change to edit. */
static virDomainDef *
libxlTuneConfigCopy(libxlDriverPrivate *driver, virDomainDef *persistentDef)
{
    if (!persistentDef)
        return NULL;
    return virDomainDefCopy(persistentDef, driver->xmlopt, NULL, false);
}


/* Check the edited copy as a define would check it. */
static int
libxlTuneConfigValidate(libxlDriverPrivate *driver, virDomainDef *newDef)
{
    if (!newDef)
        return 0;
    return virDomainDefValidate(newDef, VIR_DOMAIN_DEF_PARSE_INACTIVE,
                                driver->xmlopt, NULL);
}


/*
 * libxlTuneConfigCommit:
 * Write *newDef and make it the persistent definition in place of
 * @persistentDef (vm->newDef of a running domain, vm->def otherwise).
 */
static int
libxlTuneConfigCommit(libxlDriverPrivate *driver,
                      virDomainObj *vm,
                      virDomainDef *persistentDef,
                      virDomainDef **newDef)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    if (!*newDef)
        return 0;

    if (virDomainDefSave(*newDef, driver->xmlopt, cfg->configDir) < 0)
        return -1;

    if (vm->newDef == persistentDef) {
        virDomainDefFree(vm->newDef);
        vm->newDef = g_steal_pointer(newDef);
    } else {
        virDomainDefFree(vm->def);
        vm->def = g_steal_pointer(newDef);
    }
    return 0;
}


/* The host's CPUs, the size of affinity maps. */
static int
libxlTuneHostCpus(libxl_ctx *ctx)
{
    int ncpus = libxl_get_max_cpus(ctx);

    if (ncpus <= 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_max_cpus failed"));
        return -1;
    }
    return ncpus;
}


/*
 * libxlTuneCpumapParse:
 * The CPUs of a client's @cpumap (@maplen bytes), refused if empty or if
 * they name a CPU the host does not have.
 */
static virBitmap *
libxlTuneCpumapParse(libxl_ctx *ctx, unsigned char *cpumap, int maplen)
{
    g_autoptr(virBitmap) map = NULL;
    ssize_t last;
    int ncpus;

    if (!(map = virBitmapNewData(cpumap, maplen)))
        return NULL;

    if (virBitmapIsAllClear(map)) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("Empty cpu list for pinning"));
        return NULL;
    }

    if ((ncpus = libxlTuneHostCpus(ctx)) < 0)
        return NULL;

    if ((last = virBitmapLastSetBit(map)) >= ncpus) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("CPU %zd does not exist: the host has %d CPUs"),
                       last, ncpus);
        return NULL;
    }

    /* the map as large as the host: bits past it are clear */
    virBitmapShrink(map, ncpus);
    return g_steal_pointer(&map);
}


/* @map into a libxl CPU bitmap as large as the host. */
static int
libxlTuneBitmapToLibxl(libxl_ctx *ctx,
                       virBitmap *map,
                       libxl_bitmap *out,
                       bool nodes)
{
    ssize_t bit = -1;
    int rc;

    if (nodes)
        rc = libxl_node_bitmap_alloc(ctx, out, 0);
    else
        rc = libxl_cpu_bitmap_alloc(ctx, out, 0);
    if (rc != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot allocate a libxl bitmap"));
        return -1;
    }

    while ((bit = virBitmapNextSetBit(map, bit)) >= 0) {
        if (bit >= out->size * 8) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("%s %zd does not exist on this host"),
                           nodes ? "NUMA node" : "CPU", bit);
            return -1;
        }
        libxl_bitmap_set(out, bit);
    }
    return 0;
}


/* ---- vcpus ---------------------------------------------------------- */

int
libxlDomainGetVcpusWork(virDomainPtr dom,
                        virVcpuInfoPtr info,
                        int maxinfo,
                        unsigned char *cpumaps,
                        int maplen,
                        libxlTuneACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    libxl_vcpuinfo *vcpuinfo = NULL;
    int nvcpus = 0;
    int nrcpus = 0;
    int ret = -1;
    size_t i;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (virDomainObjCheckActive(vm) < 0)
        goto cleanup;

    if (!(vcpuinfo = libxl_list_vcpu(cfg->ctx, vm->def->id, &nvcpus,
                                     &nrcpus))) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR,
                         _("cannot list the vcpus of domain '%s'"),
                         vm->def->name);
        goto cleanup;
    }

    if (cpumaps && maplen > 0)
        memset(cpumaps, 0, (size_t) maplen * maxinfo);

    for (i = 0; i < nvcpus && i < maxinfo; i++) {
        info[i].number = vcpuinfo[i].vcpuid;
        info[i].cpu = vcpuinfo[i].online ? (int) vcpuinfo[i].cpu : -1;
        info[i].cpuTime = vcpuinfo[i].vcpu_time;
        if (!vcpuinfo[i].online)
            info[i].state = VIR_VCPU_OFFLINE;
        else if (vcpuinfo[i].running)
            info[i].state = VIR_VCPU_RUNNING;
        else
            info[i].state = VIR_VCPU_BLOCKED;

        if (cpumaps && maplen > 0) {
            memcpy(VIR_GET_CPUMAP(cpumaps, maplen, i),
                   vcpuinfo[i].cpumap.map,
                   MIN((size_t) maplen, vcpuinfo[i].cpumap.size));
        }
    }
    ret = i;

 cleanup:
    if (vcpuinfo)
        libxl_vcpuinfo_list_free(vcpuinfo, nvcpus);
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainGetVcpuPinInfoWork(virDomainPtr dom,
                              int ncpumaps,
                              unsigned char *cpumaps,
                              int maplen,
                              unsigned int flags,
                              libxlTuneACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virBitmap) hostcpus = NULL;
    virDomainObj *vm;
    virDomainDef *def;
    int ncpus;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (!(def = virDomainObjGetOneDef(vm, flags)))
        goto cleanup;

    if ((ncpus = libxlTuneHostCpus(cfg->ctx)) < 0)
        goto cleanup;
    hostcpus = virBitmapNew(ncpus);
    virBitmapSetAll(hostcpus);

    ret = virDomainDefGetVcpuPinInfoHelper(def, maplen, ncpumaps, cpumaps,
                                           hostcpus, NULL);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainGetVcpusFlagsWork(virDomainPtr dom,
                             unsigned int flags,
                             libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    virDomainDef *def;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE |
                  VIR_DOMAIN_AFFECT_CONFIG |
                  VIR_DOMAIN_VCPU_MAXIMUM, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (!(def = virDomainObjGetOneDef(vm, flags)))
        goto cleanup;

    if (flags & VIR_DOMAIN_VCPU_MAXIMUM)
        ret = virDomainDefGetVcpusMax(def);
    else
        ret = virDomainDefGetVcpus(def);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* The most vcpus a guest of @def's type can have on this host. */
static int
libxlTuneMaxGuestVcpus(libxl_ctx *ctx, const virDomainDef *def)
{
    int max;

    if ((max = libxlTuneHostCpus(ctx)) < 0)
        return -1;
    if (def->os.type == VIR_DOMAIN_OSTYPE_HVM && max > LIBXL_HVM_MAX_VCPUS)
        max = LIBXL_HVM_MAX_VCPUS;
    return max;
}


/* setvcpus --maximum: the persistent definition only, as Xen cannot
 * change a running domain's maximum. */
static int
libxlTuneSetVcpusMax(libxlDriverPrivate *driver,
                     libxl_ctx *ctx,
                     virDomainObj *vm,
                     virDomainDef *def,
                     virDomainDef *persistentDef,
                     unsigned int nvcpus)
{
    g_autoptr(virDomainDef) newDef = NULL;
    unsigned int topologycpus;
    int max;

    if (def) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("maximum vcpu count of a live domain can't be modified"));
        return -1;
    }

    if ((max = libxlTuneMaxGuestVcpus(ctx, persistentDef)) < 0)
        return -1;
    if (nvcpus > max) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("requested vcpus is greater than max allowable vcpus for the host: %u > %d"),
                       nvcpus, max);
        return -1;
    }

    if (virDomainNumaGetCPUCountTotal(persistentDef->numa) > nvcpus) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("Number of CPUs in <numa> exceeds the desired maximum vcpu count"));
        return -1;
    }

    if (virDomainDefGetVcpusTopology(persistentDef, &topologycpus) == 0 &&
        nvcpus != topologycpus) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("CPU topology doesn't match the desired vcpu count"));
        return -1;
    }

    if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)))
        return -1;
    if (virDomainDefSetVcpusMax(newDef, nvcpus, driver->xmlopt) < 0 ||
        libxlTuneConfigValidate(driver, newDef) < 0)
        return -1;

    return libxlTuneConfigCommit(driver, vm, persistentDef, &newDef);
}


/* Bring vcpus 0 .. @nvcpus - 1 of the running domain online, the others
 * offline. */
static int
libxlTuneSetVcpusLive(libxl_ctx *ctx, virDomainObj *vm, unsigned int nvcpus)
{
    libxl_bitmap map;
    size_t i;
    int ret = -1;
    int rc;

    libxl_bitmap_init(&map);
    if (libxl_bitmap_alloc(ctx, &map, virDomainDefGetVcpusMax(vm->def)) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot allocate a libxl bitmap"));
        goto cleanup;
    }
    for (i = 0; i < nvcpus; i++)
        libxl_bitmap_set(&map, i);

    if ((rc = libxl_set_vcpuonline(ctx, vm->def->id, &map, NULL)) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("cannot set the vcpus of domain '%s' to %u (libxl error %d)"),
                         vm->def->name, nvcpus, rc);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    libxl_bitmap_dispose(&map);
    return ret;
}


int
libxlDomainSetVcpusFlagsWork(virDomainPtr dom,
                             unsigned int nvcpus,
                             unsigned int flags,
                             libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) newDef = NULL;
    virDomainObj *vm;
    virDomainDef *def;
    virDomainDef *persistentDef;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE |
                  VIR_DOMAIN_AFFECT_CONFIG |
                  VIR_DOMAIN_VCPU_MAXIMUM, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlTuneBegin(driver, vm, "setvcpus", &flags, &def, &persistentDef) < 0)
        goto cleanup;

    if (nvcpus == 0) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("vCPU count must be at least 1"));
        goto endjob;
    }

    if (flags & VIR_DOMAIN_VCPU_MAXIMUM) {
        ret = libxlTuneSetVcpusMax(driver, cfg->ctx, vm, def, persistentDef,
                                   nvcpus);
        goto endjob;
    }

    if (def && nvcpus > virDomainDefGetVcpusMax(def)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("requested vcpus is greater than max allowable vcpus for the live domain: %u > %u"),
                       nvcpus, virDomainDefGetVcpusMax(def));
        goto endjob;
    }

    if (persistentDef && nvcpus > virDomainDefGetVcpusMax(persistentDef)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("requested vcpus is greater than max allowable vcpus for the persistent domain: %u > %u"),
                       nvcpus, virDomainDefGetVcpusMax(persistentDef));
        goto endjob;
    }

    if (persistentDef) {
        if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)) ||
            virDomainDefSetVcpus(newDef, nvcpus) < 0 ||
            libxlTuneConfigValidate(driver, newDef) < 0)
            goto endjob;
    }

    if (def) {
        if (libxlTuneSetVcpusLive(cfg->ctx, vm, nvcpus) < 0 ||
            virDomainDefSetVcpus(def, nvcpus) < 0)
            goto endjob;
        libxlDomainSaveStatus(driver, vm);
    }

    if (libxlTuneConfigCommit(driver, vm, persistentDef, &newDef) < 0)
        goto endjob;

    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainPinVcpuFlagsWork(virDomainPtr dom,
                            unsigned int vcpu,
                            unsigned char *cpumap,
                            int maplen,
                            unsigned int flags,
                            libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) newDef = NULL;
    g_autoptr(virBitmap) pcpumap = NULL;
    virDomainObj *vm;
    virDomainDef *def;
    virDomainDef *persistentDef;
    virDomainVcpuDef *vcpuinfo;
    libxl_bitmap map;
    int ret = -1;
    int rc;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    libxl_bitmap_init(&map);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlTuneBegin(driver, vm, "vcpupin", &flags, &def, &persistentDef) < 0)
        goto cleanup;

    if (def && !virDomainDefGetVcpu(def, vcpu)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("vcpu %u is out of range of live cpu count %u"),
                       vcpu, virDomainDefGetVcpusMax(def));
        goto endjob;
    }

    if (persistentDef && !virDomainDefGetVcpu(persistentDef, vcpu)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("vcpu %u is out of range of persistent cpu count %u"),
                       vcpu, virDomainDefGetVcpusMax(persistentDef));
        goto endjob;
    }

    if (!(pcpumap = libxlTuneCpumapParse(cfg->ctx, cpumap, maplen)))
        goto endjob;

    if (persistentDef) {
        if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)))
            goto endjob;
        vcpuinfo = virDomainDefGetVcpu(newDef, vcpu);
        virBitmapFree(vcpuinfo->cpumask);
        vcpuinfo->cpumask = virBitmapNewCopy(pcpumap);
        if (libxlTuneConfigValidate(driver, newDef) < 0)
            goto endjob;
    }

    if (def) {
        if (libxlTuneBitmapToLibxl(cfg->ctx, pcpumap, &map, false) < 0)
            goto endjob;
        if ((rc = libxl_set_vcpuaffinity(cfg->ctx, def->id, vcpu, &map,
                                         NULL)) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot pin vcpu %u of domain '%s' (libxl error %d)"),
                             vcpu, def->name, rc);
            goto endjob;
        }
        vcpuinfo = virDomainDefGetVcpu(def, vcpu);
        virBitmapFree(vcpuinfo->cpumask);
        vcpuinfo->cpumask = virBitmapNewCopy(pcpumap);
        libxlDomainSaveStatus(driver, vm);
    }

    if (libxlTuneConfigCommit(driver, vm, persistentDef, &newDef) < 0)
        goto endjob;

    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    libxl_bitmap_dispose(&map);
    virDomainObjEndAPI(&vm);
    return ret;
}


/*
 * Xen's emulator is the device model, a process of Domain-0.  Pinning
 * it would pin it to Domain-0's vCPUs, which are not the host's CPUs the
 * map names: a live pin is refused, --config stores <emulatorpin> for
 * the record.
 */
int
libxlDomainPinEmulatorWork(virDomainPtr dom,
                           unsigned char *cpumap,
                           int maplen,
                           unsigned int flags,
                           libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) newDef = NULL;
    g_autoptr(virBitmap) pcpumap = NULL;
    virDomainObj *vm;
    virDomainDef *def;
    virDomainDef *persistentDef;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlTuneBegin(driver, vm, "emulatorpin", &flags, &def, &persistentDef) < 0)
        goto cleanup;

    if (def) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("cannot pin the emulator of a running Xen domain: its device model runs in Domain-0, whose vCPUs are not the host's CPUs"));
        goto endjob;
    }

    if (!(pcpumap = libxlTuneCpumapParse(cfg->ctx, cpumap, maplen)))
        goto endjob;

    if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)))
        goto endjob;
    virBitmapFree(newDef->cputune.emulatorpin);
    newDef->cputune.emulatorpin = g_steal_pointer(&pcpumap);
    if (libxlTuneConfigValidate(driver, newDef) < 0 ||
        libxlTuneConfigCommit(driver, vm, persistentDef, &newDef) < 0)
        goto endjob;

    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainGetEmulatorPinInfoWork(virDomainPtr dom,
                                  unsigned char *cpumaps,
                                  int maplen,
                                  unsigned int flags,
                                  libxlTuneACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virBitmap) all = NULL;
    virBitmap *cpumask;
    virDomainObj *vm;
    virDomainDef *def;
    int ncpus;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (!(def = virDomainObjGetOneDef(vm, flags)))
        goto cleanup;

    if ((ncpus = libxlTuneHostCpus(cfg->ctx)) < 0)
        goto cleanup;

    if (def->cputune.emulatorpin) {
        cpumask = def->cputune.emulatorpin;
    } else if (def->cpumask) {
        cpumask = def->cpumask;
    } else {
        all = virBitmapNew(ncpus);
        virBitmapSetAll(all);
        cpumask = all;
    }

    virBitmapToDataBuf(cpumask, cpumaps, maplen);
    ret = 1;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- memory --------------------------------------------------------- */

/* The target of the running domain's balloon, in KiB. */
static int
libxlTuneMemoryTarget(libxl_ctx *ctx, virDomainObj *vm, uint64_t *target)
{
    if (libxl_get_memory_target(ctx, vm->def->id, target) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR,
                         _("cannot get the memory target of domain '%s'"),
                         vm->def->name);
        return -1;
    }
    return 0;
}


/*
 * libxlTuneSetMaxMemory:
 * setmaxmem and memtune's hard_limit: the live maximum through
 * libxl_domain_setmaxmem (never below the balloon's target: Xen would
 * take the pages the guest has), the persistent <memory>.
 */
static int
libxlTuneSetMaxMemory(libxlDriverPrivate *driver,
                      libxl_ctx *ctx,
                      virDomainObj *vm,
                      virDomainDef *def,
                      virDomainDef *persistentDef,
                      unsigned long long newmem)
{
    g_autoptr(virDomainDef) newDef = NULL;
    int rc;

    if (persistentDef) {
        if (virDomainNumaGetNodeCount(persistentDef->numa) > 0) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("initial memory size of a domain with NUMA nodes cannot be modified with this API"));
            return -1;
        }
        if (persistentDef->mem.max_memory &&
            persistentDef->mem.max_memory < newmem) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("cannot set initial memory size greater than the maximum memory size"));
            return -1;
        }
        if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)))
            return -1;
        virDomainDefSetMemoryTotal(newDef, newmem);
        if (newDef->mem.cur_balloon > newmem)
            newDef->mem.cur_balloon = newmem;
        if (libxlTuneConfigValidate(driver, newDef) < 0)
            return -1;
    }

    if (def) {
        uint64_t target;

        if (virDomainNumaGetNodeCount(def->numa) > 0) {
            virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                           _("initial memory size of a domain with NUMA nodes cannot be modified with this API"));
            return -1;
        }
        if (libxlTuneMemoryTarget(ctx, vm, &target) < 0)
            return -1;
        if (newmem < target) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("cannot set the maximum memory of domain '%s' below its current memory: %llu KiB < %llu KiB"),
                           def->name, newmem, (unsigned long long) target);
            return -1;
        }
        if ((rc = libxl_domain_setmaxmem(ctx, def->id, newmem)) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot set the maximum memory of domain '%s' to %llu KiB (libxl error %d)"),
                             def->name, newmem, rc);
            return -1;
        }
        virDomainDefSetMemoryTotal(def, newmem);
        if (def->mem.cur_balloon > newmem)
            def->mem.cur_balloon = newmem;
        libxlDomainSaveStatus(driver, vm);
    }

    return libxlTuneConfigCommit(driver, vm, persistentDef, &newDef);
}


/* setmem: the balloon's target (libxl_set_memory_target, enforced) and
 * <currentMemory>. */
static int
libxlTuneSetMemory(libxlDriverPrivate *driver,
                   libxl_ctx *ctx,
                   virDomainObj *vm,
                   virDomainDef *def,
                   virDomainDef *persistentDef,
                   unsigned long long newmem)
{
    g_autoptr(virDomainDef) newDef = NULL;
    unsigned long long max = 0;
    int rc;

    if (def)
        max = virDomainDefGetMemoryTotal(def);
    if (persistentDef &&
        (!def || max > virDomainDefGetMemoryTotal(persistentDef)))
        max = virDomainDefGetMemoryTotal(persistentDef);

    if (newmem > max) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("cannot set memory higher than max memory"));
        return -1;
    }

    if (persistentDef) {
        if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)))
            return -1;
        newDef->mem.cur_balloon = newmem;
        if (libxlTuneConfigValidate(driver, newDef) < 0)
            return -1;
    }

    if (def) {
        virObjectEvent *event;

        /* the domain stays: the job holds it */
        virObjectUnlock(vm);
        rc = libxl_set_memory_target(ctx, def->id, newmem, 0, 1);
        virObjectLock(vm);
        if (rc != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot set the memory of domain '%s' to %llu KiB (libxl error %d)"),
                             def->name, newmem, rc);
            return -1;
        }
        def->mem.cur_balloon = newmem;
        libxlDomainSaveStatus(driver, vm);
        event = virDomainEventBalloonChangeNewFromObj(vm, newmem);
        libxlProcessQueueEvent(driver, event);
    }

    return libxlTuneConfigCommit(driver, vm, persistentDef, &newDef);
}


int
libxlDomainSetMemoryFlagsWork(virDomainPtr dom,
                              unsigned long newmem,
                              unsigned int flags,
                              libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    virDomainDef *def;
    virDomainDef *persistentDef;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE |
                  VIR_DOMAIN_AFFECT_CONFIG |
                  VIR_DOMAIN_MEM_MAXIMUM, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlTuneBegin(driver, vm, "setmem", &flags, &def, &persistentDef) < 0)
        goto cleanup;

    if (flags & VIR_DOMAIN_MEM_MAXIMUM)
        ret = libxlTuneSetMaxMemory(driver, cfg->ctx, vm, def, persistentDef,
                                    newmem);
    else
        ret = libxlTuneSetMemory(driver, cfg->ctx, vm, def, persistentDef,
                                 newmem);

    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* memtune: Xen enforces one limit, the domain's maximum memory. */
#define LIBXL_TUNE_MEMORY_NPARAM 1

int
libxlDomainGetMemoryParametersWork(virDomainPtr dom,
                                   virTypedParameterPtr params,
                                   int *nparams,
                                   unsigned int flags,
                                   libxlTuneACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    virDomainDef *def;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE |
                  VIR_DOMAIN_AFFECT_CONFIG |
                  VIR_TYPED_PARAM_STRING_OKAY, -1);
    flags &= ~VIR_TYPED_PARAM_STRING_OKAY;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (!(def = virDomainObjGetOneDef(vm, flags)))
        goto cleanup;

    if (*nparams == 0) {
        *nparams = LIBXL_TUNE_MEMORY_NPARAM;
        ret = 0;
        goto cleanup;
    }

    if (virTypedParameterAssign(&params[0], VIR_DOMAIN_MEMORY_HARD_LIMIT,
                                VIR_TYPED_PARAM_ULLONG,
                                virDomainDefGetMemoryTotal(def)) < 0)
        goto cleanup;
    *nparams = LIBXL_TUNE_MEMORY_NPARAM;
    ret = 0;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSetMemoryParametersWork(virDomainPtr dom,
                                   virTypedParameterPtr params,
                                   int nparams,
                                   unsigned int flags,
                                   libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm = NULL;
    virDomainDef *def;
    virDomainDef *persistentDef;
    unsigned long long hardLimit = 0;
    bool setHard = false;
    size_t i;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (virTypedParamsValidate(params, nparams,
                               VIR_DOMAIN_MEMORY_HARD_LIMIT, VIR_TYPED_PARAM_ULLONG,
                               VIR_DOMAIN_MEMORY_SOFT_LIMIT, VIR_TYPED_PARAM_ULLONG,
                               VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT, VIR_TYPED_PARAM_ULLONG,
                               VIR_DOMAIN_MEMORY_MIN_GUARANTEE, VIR_TYPED_PARAM_ULLONG,
                               NULL) < 0)
        return -1;

    for (i = 0; i < nparams; i++) {
        if (STREQ(params[i].field, VIR_DOMAIN_MEMORY_HARD_LIMIT)) {
            hardLimit = params[i].value.ul;
            setHard = true;
        } else {
            virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           _("Xen does not enforce the memory parameter '%s': only hard_limit, the domain's maximum memory, can be set"),
                           params[i].field);
            return -1;
        }
    }

    if (setHard && hardLimit >= VIR_DOMAIN_MEMORY_PARAM_UNLIMITED) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("a Xen domain's memory hard_limit is its maximum memory: it cannot be unlimited"));
        return -1;
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlTuneBegin(driver, vm, "memtune", &flags, &def, &persistentDef) < 0)
        goto cleanup;

    ret = 0;
    if (setHard)
        ret = libxlTuneSetMaxMemory(driver, cfg->ctx, vm, def, persistentDef,
                                    hardLimit);

    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- scheduler ------------------------------------------------------ */

/* The host's scheduler (libxl_scheduler), or -1 with an error. */
static int
libxlTuneScheduler(libxl_ctx *ctx)
{
    int sched = libxl_get_scheduler(ctx);

    if (sched < 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot get the host's scheduler"));
        return -1;
    }
    return sched;
}


static bool
libxlTuneSchedulerIsCredit(int sched)
{
    return sched == LIBXL_SCHEDULER_CREDIT || sched == LIBXL_SCHEDULER_CREDIT2;
}


static int
libxlTuneSchedulerCheck(int sched)
{
    if (libxlTuneSchedulerIsCredit(sched) || sched == LIBXL_SCHEDULER_RTDS)
        return 0;
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   _("the host's scheduler '%s' has no per-domain parameters: only credit, credit2 and rtds have"),
                   libxl_scheduler_to_string(sched));
    return -1;
}


/* What @def gives Xen's scheduler at start: unset values are Xen's
 * defaults. */
static void
libxlTuneSchedFromDef(const virDomainDef *def, libxl_domain_sched_params *sc)
{
    sc->weight = def->cputune.sharesSpecified ?
        (int) def->cputune.shares : LIBXL_TUNE_WEIGHT_DEFAULT;
    sc->cap = libxlBuildCapFromDef(def);
    sc->period = def->cputune.period ?
        (int) def->cputune.period : LIBXL_TUNE_RTDS_PERIOD_DEFAULT;
    sc->budget = def->cputune.quota > 0 ?
        (int) def->cputune.quota : LIBXL_TUNE_RTDS_BUDGET_DEFAULT;
}


/* ... and back into @def. */
static void
libxlTuneSchedToDef(const libxl_domain_sched_params *sc,
                    int sched,
                    virDomainDef *def)
{
    if (libxlTuneSchedulerIsCredit(sched)) {
        def->cputune.shares = sc->weight;
        def->cputune.sharesSpecified = true;
        if (sc->cap > 0) {
            def->cputune.global_period = LIBXL_TUNE_CAP_PERIOD;
            def->cputune.global_quota = (long long) sc->cap *
                                        LIBXL_TUNE_CAP_PERIOD / 100;
        } else {
            def->cputune.global_period = 0;
            def->cputune.global_quota = 0;
        }
    } else {
        def->cputune.period = sc->period;
        def->cputune.quota = sc->budget;
    }
}


/*
 * libxlTuneSchedGetLive:
 * The running domain's parameters.  RTDS's domain-wide get answers
 * Xen's defaults whatever was set (rt_dom_cntl): its period and budget
 * are vcpu 0's (a domain-wide set gives every vcpu the same).
 */
static int
libxlTuneSchedGetLive(libxl_ctx *ctx,
                      virDomainDef *def,
                      int sched,
                      libxl_domain_sched_params *sc)
{
    libxl_vcpu_sched_params vsc;
    int ret = -1;
    int rc;

    libxl_vcpu_sched_params_init(&vsc);

    if ((rc = libxl_domain_sched_params_get(ctx, def->id, sc)) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR,
                         _("cannot get the scheduler parameters of domain '%s' (libxl error %d)"),
                         def->name, rc);
        goto cleanup;
    }

    if (sched == LIBXL_SCHEDULER_RTDS) {
        if ((rc = libxl_vcpu_sched_params_get_all(ctx, def->id, &vsc)) != 0) {
            libxlReportError(VIR_ERR_INTERNAL_ERROR,
                             _("cannot get the vcpus' scheduler parameters of domain '%s' (libxl error %d)"),
                             def->name, rc);
            goto cleanup;
        }
        if (vsc.num_vcpus > 0) {
            sc->period = vsc.vcpus[0].period;
            sc->budget = vsc.vcpus[0].budget;
        }
    }
    ret = 0;

 cleanup:
    libxl_vcpu_sched_params_dispose(&vsc);
    return ret;
}


char *
libxlDomainGetSchedulerTypeWork(virDomainPtr dom,
                                int *nparams,
                                libxlTuneACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    char *ret = NULL;
    int sched;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if ((sched = libxlTuneScheduler(cfg->ctx)) < 0)
        goto cleanup;

    if (nparams)
        *nparams = (libxlTuneSchedulerIsCredit(sched) ||
                    sched == LIBXL_SCHEDULER_RTDS) ? 2 : 0;
    ret = g_strdup(libxl_scheduler_to_string(sched));

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainGetSchedulerParametersFlagsWork(virDomainPtr dom,
                                           virTypedParameterPtr params,
                                           int *nparams,
                                           unsigned int flags,
                                           libxlTuneACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_domain_sched_params sc;
    virDomainObj *vm;
    virDomainDef *def;
    bool live;
    int sched;
    int n = 0;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE |
                  VIR_DOMAIN_AFFECT_CONFIG |
                  VIR_TYPED_PARAM_STRING_OKAY, -1);
    flags &= ~VIR_TYPED_PARAM_STRING_OKAY;

    libxl_domain_sched_params_init(&sc);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (!(def = virDomainObjGetOneDefState(vm, flags, &live)))
        goto cleanup;

    if ((sched = libxlTuneScheduler(cfg->ctx)) < 0 ||
        libxlTuneSchedulerCheck(sched) < 0)
        goto cleanup;

    if (live) {
        if (libxlTuneSchedGetLive(cfg->ctx, def, sched, &sc) < 0)
            goto cleanup;
    } else {
        libxlTuneSchedFromDef(def, &sc);
    }

    if (libxlTuneSchedulerIsCredit(sched)) {
        if (n < *nparams &&
            virTypedParameterAssign(&params[n++], VIR_DOMAIN_SCHEDULER_WEIGHT,
                                    VIR_TYPED_PARAM_UINT, sc.weight) < 0)
            goto cleanup;
        if (n < *nparams &&
            virTypedParameterAssign(&params[n++], VIR_DOMAIN_SCHEDULER_CAP,
                                    VIR_TYPED_PARAM_UINT, sc.cap) < 0)
            goto cleanup;
    } else {
        if (n < *nparams &&
            virTypedParameterAssign(&params[n++], VIR_DOMAIN_SCHEDULER_VCPU_PERIOD,
                                    VIR_TYPED_PARAM_ULLONG,
                                    (unsigned long long) sc.period) < 0)
            goto cleanup;
        if (n < *nparams &&
            virTypedParameterAssign(&params[n++], VIR_DOMAIN_SCHEDULER_VCPU_QUOTA,
                                    VIR_TYPED_PARAM_LLONG,
                                    (long long) sc.budget) < 0)
            goto cleanup;
    }
    *nparams = n;
    ret = 0;

 cleanup:
    libxl_domain_sched_params_dispose(&sc);
    virDomainObjEndAPI(&vm);
    return ret;
}


/*
 * libxlTuneSchedParamsApply:
 * @params over @sc, for the host's scheduler @sched; values out of Xen's
 * ranges refused naming the range.  @vcpus bounds the cap.
 */
static int
libxlTuneSchedParamsApply(virTypedParameterPtr params,
                          int nparams,
                          int sched,
                          unsigned int vcpus,
                          libxl_domain_sched_params *sc)
{
    size_t i;

    for (i = 0; i < nparams; i++) {
        virTypedParameterPtr param = &params[i];
        bool credit = libxlTuneSchedulerIsCredit(sched);

        if (STREQ(param->field, VIR_DOMAIN_SCHEDULER_WEIGHT) && credit) {
            if (param->value.ui < LIBXL_TUNE_WEIGHT_MIN ||
                param->value.ui > LIBXL_TUNE_WEIGHT_MAX) {
                virReportError(VIR_ERR_INVALID_ARG,
                               _("weight %u out of range: the %s scheduler takes 1 to 65535"),
                               param->value.ui, libxl_scheduler_to_string(sched));
                return -1;
            }
            sc->weight = param->value.ui;
        } else if (STREQ(param->field, VIR_DOMAIN_SCHEDULER_CAP) && credit) {
            if (param->value.ui > 100 * vcpus) {
                virReportError(VIR_ERR_INVALID_ARG,
                               _("cap %u out of range: 0 (none) to %u, 100 per vcpu of the domain"),
                               param->value.ui, 100 * vcpus);
                return -1;
            }
            sc->cap = param->value.ui;
        } else if (STREQ(param->field, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD) &&
                   sched == LIBXL_SCHEDULER_RTDS) {
            if (param->value.ul < LIBXL_TUNE_RTDS_MIN ||
                param->value.ul > LIBXL_TUNE_RTDS_PERIOD_MAX) {
                virReportError(VIR_ERR_INVALID_ARG,
                               _("vcpu_period %llu out of range: the rtds scheduler takes %d to %llu microseconds"),
                               param->value.ul, LIBXL_TUNE_RTDS_MIN,
                               LIBXL_TUNE_RTDS_PERIOD_MAX);
                return -1;
            }
            sc->period = param->value.ul;
        } else if (STREQ(param->field, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA) &&
                   sched == LIBXL_SCHEDULER_RTDS) {
            if (param->value.l < LIBXL_TUNE_RTDS_MIN ||
                param->value.l > LIBXL_TUNE_RTDS_PERIOD_MAX) {
                virReportError(VIR_ERR_INVALID_ARG,
                               _("vcpu_quota %lld out of range: the rtds scheduler takes a budget of %d microseconds to the period"),
                               param->value.l, LIBXL_TUNE_RTDS_MIN);
                return -1;
            }
            sc->budget = param->value.l;
        } else {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("parameter '%s' is not one of the %s scheduler's"),
                           param->field, libxl_scheduler_to_string(sched));
            return -1;
        }
    }

    if (sched == LIBXL_SCHEDULER_RTDS && sc->budget > sc->period) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("vcpu_quota %d out of range: the rtds scheduler's budget cannot exceed the period %d"),
                       sc->budget, sc->period);
        return -1;
    }
    return 0;
}


int
libxlDomainSetSchedulerParametersFlagsWork(virDomainPtr dom,
                                           virTypedParameterPtr params,
                                           int nparams,
                                           unsigned int flags,
                                           libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) newDef = NULL;
    libxl_domain_sched_params sc;
    libxl_domain_sched_params scConfig;
    virDomainObj *vm = NULL;
    virDomainDef *def;
    virDomainDef *persistentDef;
    int sched;
    int ret = -1;
    int rc;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    libxl_domain_sched_params_init(&sc);
    libxl_domain_sched_params_init(&scConfig);

    if (virTypedParamsValidate(params, nparams,
                               VIR_DOMAIN_SCHEDULER_WEIGHT, VIR_TYPED_PARAM_UINT,
                               VIR_DOMAIN_SCHEDULER_CAP, VIR_TYPED_PARAM_UINT,
                               VIR_DOMAIN_SCHEDULER_VCPU_PERIOD, VIR_TYPED_PARAM_ULLONG,
                               VIR_DOMAIN_SCHEDULER_VCPU_QUOTA, VIR_TYPED_PARAM_LLONG,
                               NULL) < 0)
        goto cleanup;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlTuneBegin(driver, vm, "schedinfo", &flags, &def, &persistentDef) < 0)
        goto cleanup;

    if ((sched = libxlTuneScheduler(cfg->ctx)) < 0 ||
        libxlTuneSchedulerCheck(sched) < 0)
        goto endjob;

    if (persistentDef) {
        libxlTuneSchedFromDef(persistentDef, &scConfig);
        if (libxlTuneSchedParamsApply(params, nparams, sched,
                                      virDomainDefGetVcpusMax(persistentDef),
                                      &scConfig) < 0)
            goto endjob;
        if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)))
            goto endjob;
        libxlTuneSchedToDef(&scConfig, sched, newDef);
        if (libxlTuneConfigValidate(driver, newDef) < 0)
            goto endjob;
    }

    if (def) {
        if (libxlTuneSchedGetLive(cfg->ctx, def, sched, &sc) < 0)
            goto endjob;
        if (libxlTuneSchedParamsApply(params, nparams, sched,
                                      virDomainDefGetVcpusMax(def), &sc) < 0)
            goto endjob;
        if ((rc = libxl_domain_sched_params_set(cfg->ctx, def->id, &sc)) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot set the scheduler parameters of domain '%s' (libxl error %d)"),
                             def->name, rc);
            goto endjob;
        }
        libxlTuneSchedToDef(&sc, sched, def);
        libxlDomainSaveStatus(driver, vm);
    }

    if (libxlTuneConfigCommit(driver, vm, persistentDef, &newDef) < 0)
        goto endjob;

    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    libxl_domain_sched_params_dispose(&sc);
    libxl_domain_sched_params_dispose(&scConfig);
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- NUMA ----------------------------------------------------------- */

/* Xen's node affinity: where the domain's memory comes from, and which
 * nodes its vcpus prefer; numactl's interleave comes closest. */
#define LIBXL_TUNE_NUMA_NPARAM 2

/* The running domain's node affinity, formatted. */
static char *
libxlTuneNodeAffinity(libxl_ctx *ctx, virDomainObj *vm)
{
    g_autoptr(virBitmap) nodes = NULL;
    libxl_bitmap nodemap;
    char *ret = NULL;
    int nnodes;
    int rc;
    size_t i;

    libxl_bitmap_init(&nodemap);

    if ((nnodes = libxl_get_max_nodes(ctx)) <= 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_max_nodes failed"));
        goto cleanup;
    }
    if (libxl_node_bitmap_alloc(ctx, &nodemap, 0) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot allocate a libxl bitmap"));
        goto cleanup;
    }
    if ((rc = libxl_domain_get_nodeaffinity(ctx, vm->def->id, &nodemap)) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR,
                         _("cannot get the node affinity of domain '%s' (libxl error %d)"),
                         vm->def->name, rc);
        goto cleanup;
    }

    nodes = virBitmapNew(nnodes);
    libxl_for_each_set_bit(i, nodemap) {
        if (i < nnodes)
            ignore_value(virBitmapSetBit(nodes, i));
    }
    ret = virBitmapFormat(nodes);

 cleanup:
    libxl_bitmap_dispose(&nodemap);
    return ret;
}


int
libxlDomainGetNumaParametersWork(virDomainPtr dom,
                                 virTypedParameterPtr params,
                                 int *nparams,
                                 unsigned int flags,
                                 libxlTuneACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autofree char *nodeset = NULL;
    virDomainNumatuneMemMode mode = VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE;
    virDomainObj *vm;
    virDomainDef *def;
    bool live;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE |
                  VIR_DOMAIN_AFFECT_CONFIG |
                  VIR_TYPED_PARAM_STRING_OKAY, -1);
    flags &= ~VIR_TYPED_PARAM_STRING_OKAY;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (!(def = virDomainObjGetOneDefState(vm, flags, &live)))
        goto cleanup;

    if (*nparams == 0) {
        *nparams = LIBXL_TUNE_NUMA_NPARAM;
        ret = 0;
        goto cleanup;
    }

    if (live) {
        if (!(nodeset = libxlTuneNodeAffinity(cfg->ctx, vm)))
            goto cleanup;
    } else {
        if (virDomainNumatuneGetMode(def->numa, -1, &mode) < 0)
            mode = VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE;
        if (!(nodeset = virDomainNumatuneFormatNodeset(def->numa, NULL, -1)))
            nodeset = g_strdup("");
    }

    if (virTypedParameterAssign(&params[0], VIR_DOMAIN_NUMA_MODE,
                                VIR_TYPED_PARAM_INT, mode) < 0)
        goto cleanup;
    /* the parameter takes the string */
    if (*nparams > 1 &&
        virTypedParameterAssign(&params[1], VIR_DOMAIN_NUMA_NODESET,
                                VIR_TYPED_PARAM_STRING,
                                g_steal_pointer(&nodeset)) < 0)
        goto cleanup;

    *nparams = MIN(*nparams, LIBXL_TUNE_NUMA_NPARAM);
    ret = 0;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainSetNumaParametersWork(virDomainPtr dom,
                                 virTypedParameterPtr params,
                                 int nparams,
                                 unsigned int flags,
                                 libxlTuneACLCheckFlags aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) newDef = NULL;
    g_autoptr(virBitmap) nodeset = NULL;
    libxl_bitmap nodemap;
    virDomainObj *vm = NULL;
    virDomainDef *def;
    virDomainDef *persistentDef;
    int mode = -1;
    int nnodes;
    ssize_t last;
    size_t i;
    int ret = -1;
    int rc;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    libxl_bitmap_init(&nodemap);

    if (virTypedParamsValidate(params, nparams,
                               VIR_DOMAIN_NUMA_MODE, VIR_TYPED_PARAM_INT,
                               VIR_DOMAIN_NUMA_NODESET, VIR_TYPED_PARAM_STRING,
                               NULL) < 0)
        goto cleanup;

    for (i = 0; i < nparams; i++) {
        virTypedParameterPtr param = &params[i];

        if (STREQ(param->field, VIR_DOMAIN_NUMA_MODE)) {
            mode = param->value.i;
            if (mode != VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE) {
                virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                               _("numatune mode '%s' is not Xen's: a Xen domain's node affinity works as mode 'interleave'"),
                               NULLSTR(virDomainNumatuneMemModeTypeToString(mode)));
                goto cleanup;
            }
        } else if (STREQ(param->field, VIR_DOMAIN_NUMA_NODESET)) {
            if (virBitmapParse(param->value.s, &nodeset,
                               VIR_DOMAIN_CPUMASK_LEN) < 0)
                goto cleanup;
            if (virBitmapIsAllClear(nodeset)) {
                virReportError(VIR_ERR_OPERATION_INVALID,
                               _("Invalid nodeset of 'numatune': %s"),
                               param->value.s);
                goto cleanup;
            }
        }
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlTuneBegin(driver, vm, "numatune", &flags, &def, &persistentDef) < 0)
        goto cleanup;

    if (nodeset) {
        if ((nnodes = libxl_get_max_nodes(cfg->ctx)) <= 0) {
            libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                             _("libxl_get_max_nodes failed"));
            goto endjob;
        }
        if ((last = virBitmapLastSetBit(nodeset)) >= nnodes) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("NUMA node %zd does not exist: the host has %d nodes"),
                           last, nnodes);
            goto endjob;
        }
    }

    if (persistentDef) {
        if (!(newDef = libxlTuneConfigCopy(driver, persistentDef)))
            goto endjob;
        if (virDomainNumatuneSet(newDef->numa,
                                 newDef->placement_mode ==
                                 VIR_DOMAIN_CPU_PLACEMENT_MODE_STATIC,
                                 nodeset ? VIR_DOMAIN_NUMATUNE_PLACEMENT_STATIC : -1,
                                 nodeset ? VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE : mode,
                                 nodeset) < 0 ||
            libxlTuneConfigValidate(driver, newDef) < 0)
            goto endjob;
    }

    if (def && nodeset) {
        if (libxlTuneBitmapToLibxl(cfg->ctx, nodeset, &nodemap, true) < 0)
            goto endjob;
        if ((rc = libxl_domain_set_nodeaffinity(cfg->ctx, def->id, &nodemap)) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot set the node affinity of domain '%s' (libxl error %d)"),
                             def->name, rc);
            goto endjob;
        }
        if (virDomainNumatuneSet(def->numa,
                                 def->placement_mode ==
                                 VIR_DOMAIN_CPU_PLACEMENT_MODE_STATIC,
                                 VIR_DOMAIN_NUMATUNE_PLACEMENT_STATIC,
                                 VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE,
                                 nodeset) < 0)
            goto endjob;
        libxlDomainSaveStatus(driver, vm);
    }

    if (libxlTuneConfigCommit(driver, vm, persistentDef, &newDef) < 0)
        goto endjob;

    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    libxl_bitmap_dispose(&nodemap);
    virDomainObjEndAPI(&vm);
    return ret;
}

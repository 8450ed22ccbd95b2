/*
 * libxl_driver.c: the Xen libxenlight driver's entry points
 *
 * Every libvirt API the driver implements lands here, in one shape:
 * look up the domain, check the caller may do this (*EnsureACL), do the
 * work through the helpers of libxl_conf.c, libxl_domain.c and
 * libxl_capabilities.c, and release the domain.  The driver tables are at
 * the bottom of the file, each callback marked with the libvirt version
 * that added it.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <unistd.h>

#include "internal.h"
#include "datatypes.h"
#include "driver.h"
#include "viraccessapicheck.h"
#include "virbitmap.h"
#include "virdomainobjlist.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virpidfile.h"
#include "virstring.h"
#include "virsysinfo.h"
#include "virutil.h"
#include "cpu/cpu.h"
#include "libxl_capabilities.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_driver.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_driver");

static libxlDriverPrivate *libxl_driver;


/* ---- host detection and URIs -------------------------------------- */

/*
 * libxlDriverIsXenDom0:
 * Whether this host is a Xen control domain: @capsFile (normally
 * /proc/xen/capabilities) says "control_d", or, without xenfs mounted,
 * xenstored's socket @xenstored exists.  Any guest can mount xenfs, so
 * the file existing is not enough.
 */
bool
libxlDriverIsXenDom0(const char *capsFile, const char *xenstored)
{
    g_autofree char *caps = NULL;

    if (virFileExists(capsFile)) {
        if (virFileReadAll(capsFile, 1024, &caps) < 0) {
            virResetLastError();
            return false;
        }
        return STRPREFIX(caps, "control_d");
    }

    return virFileExists(xenstored);
}


/*
 * libxlConnectURIProbeFor:
 * The URI a client without one gets: xen:///system when the driver is
 * @active.  Returns 1 with *uri set, or 0.
 */
int
libxlConnectURIProbeFor(bool active, char **uri)
{
    if (!active)
        return 0;

    *uri = g_strdup("xen:///system");
    return 1;
}


/*
 * libxlConnectURICheck:
 * Whether this driver opens @uri: a xen URI without a server and with
 * path "", "/" or "/system" opens; any other scheme is declined for the
 * next driver; other xen URIs (xen:///session) are refused.
 */
virDrvOpenStatus
libxlConnectURICheck(bool active, virURI *uri)
{
    const char *path;

    if (!uri || !uri->scheme || STRNEQ(uri->scheme, "xen") || uri->server)
        return VIR_DRV_OPEN_DECLINED;

    if (!active) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("libxenlight state driver is not active"));
        return VIR_DRV_OPEN_ERROR;
    }

    path = NULLSTR_EMPTY(uri->path);
    if (STRNEQ(path, "") && STRNEQ(path, "/") && STRNEQ(path, "/system")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unexpected Xen URI path '%s', try xen:///system"),
                       path);
        return VIR_DRV_OPEN_ERROR;
    }

    return VIR_DRV_OPEN_SUCCESS;
}


/* ---- state driver ------------------------------------------------- */

/*
 * libxlStateCleanup:
 * Free the driver, whatever part of it was built.
 */
static int
libxlStateCleanup(void)
{
    if (!libxl_driver)
        return 0;

    virObjectUnref(libxl_driver->domains);
    virObjectUnref(libxl_driver->xmlopt);
    virSysinfoDefFree(libxl_driver->hostsysinfo);
    if (libxl_driver->lockFD != -1)
        virPidFileRelease(libxl_driver->config->stateDir, "driver",
                          libxl_driver->lockFD);
    virObjectUnref(libxl_driver->config);
    virMutexDestroy(&libxl_driver->lock);
    g_clear_pointer(&libxl_driver, g_free);

    return 0;
}


static int
libxlStateMakeDirs(libxlDriverConfig *cfg)
{
    const char *dirs[] = { cfg->stateDir, cfg->libDir, cfg->saveDir,
                           cfg->autoDumpDir, cfg->channelDir };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (g_mkdir_with_parents(dirs[i], 0777) < 0) {
            virReportSystemError(errno, _("failed to create directory '%s'"),
                                 dirs[i]);
            return -1;
        }
    }
    return 0;
}


static virDrvStateInitResult
libxlStateInitialize(bool privileged,
                     const char *root,
                     bool monolithic G_GNUC_UNUSED,
                     virStateInhibitCallback callback,
                     void *opaque)
{
    g_autoptr(libxlDriverConfig) cfg = NULL;
    g_autofree char *confFile = NULL;

    if (root) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the Xen driver does not support embedded mode"));
        return VIR_DRV_STATE_INIT_ERROR;
    }

    if (!privileged) {
        VIR_INFO("not running privileged, disabling the libxenlight driver");
        return VIR_DRV_STATE_INIT_SKIPPED;
    }

    if (!libxlDriverIsXenDom0(LIBXL_HYPERVISOR_CAPABILITIES,
                              LIBXL_HYPERVISOR_XENSTORED)) {
        VIR_INFO("not a Xen control domain, disabling the libxenlight driver");
        return VIR_DRV_STATE_INIT_SKIPPED;
    }

    libxl_driver = g_new0(libxlDriverPrivate, 1);
    libxl_driver->lockFD = -1;
    if (virMutexInit(&libxl_driver->lock) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("cannot initialize mutex"));
        g_clear_pointer(&libxl_driver, g_free);
        return VIR_DRV_STATE_INIT_ERROR;
    }
    libxl_driver->inhibitCallback = callback;
    libxl_driver->inhibitOpaque = opaque;

    if (!(libxl_driver->domains = virDomainObjListNew()))
        goto error;

    if (!(cfg = libxlDriverConfigNew()))
        goto error;

    confFile = g_strdup_printf("%s/libxl.conf", cfg->configBaseDir);
    if (libxlDriverConfigLoadFile(cfg, confFile) < 0)
        goto error;

    if (libxlDriverConfigInit(cfg) < 0)
        goto error;

    if (libxlStateMakeDirs(cfg) < 0)
        goto error;

    if (!(cfg->caps = libxlMakeCapabilities(cfg->ctx)))
        goto error;

    libxl_driver->config = g_steal_pointer(&cfg);

    if ((libxl_driver->lockFD =
         virPidFileAcquire(libxl_driver->config->stateDir, "driver",
                           false, getpid())) < 0)
        goto error;

    /* SMBIOS data of the host (dmidecode); the driver works without it */
    if (!(libxl_driver->hostsysinfo = virSysinfoRead())) {
        VIR_WARN("cannot read host sysinfo: %s", virGetLastErrorMessage());
        virResetLastError();
    }

    if (!(libxl_driver->xmlopt = libxlDomainXMLConfNew(libxl_driver)))
        goto error;

    if (libxlDomainDom0Add(libxl_driver) < 0)
        goto error;

    /* the persistent definitions of inactive domains */
    if (virDomainObjListLoadAllConfigs(libxl_driver->domains,
                                       libxl_driver->config->configDir,
                                       libxl_driver->config->autostartDir,
                                       false, libxl_driver->xmlopt,
                                       NULL, NULL) < 0)
        goto error;

    return VIR_DRV_STATE_INIT_COMPLETE;

 error:
    libxlStateCleanup();
    return VIR_DRV_STATE_INIT_ERROR;
}


static int
libxlStateReload(void)
{
    g_autoptr(libxlDriverConfig) cfg = NULL;

    if (!libxl_driver)
        return 0;

    cfg = libxlDriverConfigGet(libxl_driver);
    virDomainObjListLoadAllConfigs(libxl_driver->domains, cfg->configDir,
                                   cfg->autostartDir, false,
                                   libxl_driver->xmlopt, NULL, NULL);
    return libxlDomainDom0Add(libxl_driver);
}


/* ---- connection --------------------------------------------------- */

static int
libxlConnectURIProbe(char **uri)
{
    return libxlConnectURIProbeFor(libxl_driver != NULL, uri);
}


static virDrvOpenStatus
libxlConnectOpen(virConnectPtr conn,
                 virConnectAuthPtr auth G_GNUC_UNUSED,
                 virConf *conf G_GNUC_UNUSED,
                 unsigned int flags)
{
    virDrvOpenStatus status;

    virCheckFlags(VIR_CONNECT_RO, VIR_DRV_OPEN_ERROR);

    if ((status = libxlConnectURICheck(libxl_driver != NULL,
                                       conn->uri)) != VIR_DRV_OPEN_SUCCESS)
        return status;

    if (virConnectOpenEnsureACL(conn) < 0)
        return VIR_DRV_OPEN_ERROR;

    conn->privateData = libxl_driver;
    return VIR_DRV_OPEN_SUCCESS;
}


static int
libxlConnectClose(virConnectPtr conn)
{
    conn->privateData = NULL;
    return 0;
}


static int
libxlConnectIsAlive(virConnectPtr conn G_GNUC_UNUSED)
{
    return 1;
}


static int
libxlConnectIsSecure(virConnectPtr conn G_GNUC_UNUSED)
{
    /* trivially secure: the driver runs inside the daemon */
    return 1;
}


static int
libxlConnectIsEncrypted(virConnectPtr conn G_GNUC_UNUSED)
{
    return 0;
}


/* ---- host --------------------------------------------------------- */

static const char *
libxlConnectGetType(virConnectPtr conn)
{
    if (virConnectGetTypeEnsureACL(conn) < 0)
        return NULL;

    return LIBXL_DRIVER_EXTERNAL_NAME;
}


static int
libxlConnectGetVersion(virConnectPtr conn, unsigned long *version)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;

    if (virConnectGetVersionEnsureACL(conn) < 0)
        return -1;

    cfg = libxlDriverConfigGet(driver);
    *version = cfg->version;
    return 0;
}


static char *
libxlConnectGetHostname(virConnectPtr conn)
{
    if (virConnectGetHostnameEnsureACL(conn) < 0)
        return NULL;

    return virGetHostname();
}


static char *
libxlConnectGetSysinfo(virConnectPtr conn, unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;

    virCheckFlags(0, NULL);

    if (virConnectGetSysinfoEnsureACL(conn) < 0)
        return NULL;

    if (!driver->hostsysinfo) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("host SMBIOS information is not available"));
        return NULL;
    }

    if (virSysinfoFormat(&buf, driver->hostsysinfo) < 0)
        return NULL;

    return virBufferContentAndReset(&buf);
}


/*
 * The most vCPUs a guest of @type may have: the host's CPU count as libxl
 * reports it ("xen" or no type), capped for HVM guests.
 */
static int
libxlConnectGetMaxVcpus(virConnectPtr conn, const char *type)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;
    bool hvm = false;
    int ret;

    if (virConnectGetMaxVcpusEnsureACL(conn) < 0)
        return -1;

    if (type) {
        if (STRCASEEQ(type, "xenfv") || STRCASEEQ(type, "hvm")) {
            hvm = true;
        } else if (STRCASENEQ(type, "xen") && STRCASENEQ(type, "xenpv") &&
                   STRCASENEQ(type, "xenpvh")) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("unknown guest type '%s', expected 'xen', 'xenpv', 'xenpvh' or 'xenfv'"),
                           type);
            return -1;
        }
    }

    cfg = libxlDriverConfigGet(driver);
    if ((ret = libxl_get_max_cpus(cfg->ctx)) < 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_max_cpus failed"));
        return -1;
    }

    if (hvm && ret > LIBXL_HVM_MAX_VCPUS)
        ret = LIBXL_HVM_MAX_VCPUS;
    return ret;
}


static int
libxlNodeGetInfo(virConnectPtr conn, virNodeInfoPtr info)
{
    if (virNodeGetInfoEnsureACL(conn) < 0)
        return -1;

    return libxlDriverNodeGetInfo(conn->privateData, info);
}


static char *
libxlConnectGetCapabilities(virConnectPtr conn)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;

    if (virConnectGetCapabilitiesEnsureACL(conn) < 0)
        return NULL;

    cfg = libxlDriverConfigGet(driver);
    return virCapabilitiesFormatXML(cfg->caps);
}


static char *
libxlConnectGetDomainCapabilities(virConnectPtr conn,
                                  const char *emulatorbin,
                                  const char *arch,
                                  const char *machine,
                                  const char *virttype,
                                  unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;
    g_autoptr(virDomainCaps) domCaps = NULL;

    virCheckFlags(0, NULL);

    if (virConnectGetDomainCapabilitiesEnsureACL(conn) < 0)
        return NULL;

    cfg = libxlDriverConfigGet(driver);
    if (!(domCaps = libxlDomainCapsNew(cfg->caps, cfg->firmwares,
                                       cfg->nfirmwares, emulatorbin,
                                       arch, machine, virttype)))
        return NULL;

    return virDomainCapsFormat(domCaps);
}


static unsigned long long
libxlNodeGetFreeMemory(virConnectPtr conn)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;
    uint64_t freeKiB;

    if (virNodeGetFreeMemoryEnsureACL(conn) < 0)
        return 0;

    cfg = libxlDriverConfigGet(driver);
    if (libxl_get_free_memory(cfg->ctx, &freeKiB) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_free_memory failed"));
        return 0;
    }

    return freeKiB * 1024;
}


static int
libxlNodeGetCellsFreeMemory(virConnectPtr conn,
                            unsigned long long *freeMems,
                            int startCell,
                            int maxCells)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;
    libxl_numainfo *numa = NULL;
    int nnodes = 0;
    int ncells = 0;
    int ret = -1;
    int i;

    if (virNodeGetCellsFreeMemoryEnsureACL(conn) < 0)
        return -1;

    cfg = libxlDriverConfigGet(driver);
    if (!(numa = libxl_get_numainfo(cfg->ctx, &nnodes)) || nnodes <= 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_numainfo failed"));
        goto cleanup;
    }

    if (startCell < 0 || startCell >= nnodes) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("start cell %d out of range (0-%d)"),
                       startCell, nnodes - 1);
        goto cleanup;
    }

    for (i = startCell; i < nnodes && ncells < maxCells; i++) {
        if (numa[i].size == LIBXL_NUMAINFO_INVALID_ENTRY)
            freeMems[ncells++] = 0;
        else
            freeMems[ncells++] = numa[i].free;
    }
    ret = ncells;

 cleanup:
    if (numa)
        libxl_numainfo_list_free(numa, nnodes);
    return ret;
}


static int
libxlNodeGetCPUMap(virConnectPtr conn,
                   unsigned char **cpumap,
                   unsigned int *online,
                   unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;
    g_autoptr(virBitmap) map = NULL;
    libxl_cputopology *topo = NULL;
    int ncpus = 0;
    int ret = -1;
    int i;

    virCheckFlags(0, -1);

    if (virNodeGetCPUMapEnsureACL(conn) < 0)
        return -1;

    cfg = libxlDriverConfigGet(driver);
    if (!(topo = libxl_get_cpu_topology(cfg->ctx, &ncpus)) || ncpus <= 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_cpu_topology failed"));
        goto cleanup;
    }

    /* an offline CPU has no topology */
    map = virBitmapNew(ncpus);
    for (i = 0; i < ncpus; i++) {
        if (topo[i].core != LIBXL_CPUTOPOLOGY_INVALID_ENTRY)
            ignore_value(virBitmapSetBit(map, i));
    }

    if (cpumap) {
        int len;

        if (virBitmapToData(map, cpumap, &len) < 0)
            goto cleanup;
    }
    if (online)
        *online = virBitmapCountBits(map);
    ret = ncpus;

 cleanup:
    if (topo)
        libxl_cputopology_list_free(topo, ncpus);
    return ret;
}


static int
libxlConnectCompareCPU(virConnectPtr conn,
                       const char *xmlDesc,
                       unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;
    bool failIncompatible;
    bool validateXML;

    virCheckFlags(VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE |
                  VIR_CONNECT_COMPARE_CPU_VALIDATE_XML,
                  VIR_CPU_COMPARE_ERROR);

    if (virConnectCompareCPUEnsureACL(conn) < 0)
        return VIR_CPU_COMPARE_ERROR;

    failIncompatible = !!(flags & VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE);
    validateXML = !!(flags & VIR_CONNECT_COMPARE_CPU_VALIDATE_XML);

    cfg = libxlDriverConfigGet(driver);
    return virCPUCompareXML(cfg->caps->host.arch, cfg->caps->host.cpu,
                            xmlDesc, failIncompatible, validateXML);
}


static char *
libxlConnectBaselineCPU(virConnectPtr conn,
                        const char **xmlCPUs,
                        unsigned int ncpus,
                        unsigned int flags)
{
    virCPUDef **cpus = NULL;
    g_autoptr(virCPUDef) cpu = NULL;
    char *ret = NULL;

    virCheckFlags(VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES |
                  VIR_CONNECT_BASELINE_CPU_MIGRATABLE, NULL);

    if (virConnectBaselineCPUEnsureACL(conn) < 0)
        return NULL;

    if (!(cpus = virCPUDefListParse(xmlCPUs, ncpus, VIR_CPU_TYPE_HOST)))
        goto cleanup;

    if (!(cpu = virCPUBaseline(VIR_ARCH_NONE, cpus, ncpus, NULL, NULL,
                               !!(flags & VIR_CONNECT_BASELINE_CPU_MIGRATABLE))))
        goto cleanup;

    if ((flags & VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES) &&
        virCPUExpandFeatures(cpus[0]->arch, cpu) < 0)
        goto cleanup;

    ret = virCPUDefFormat(cpu, NULL);

 cleanup:
    virCPUDefListFree(cpus);
    return ret;
}


/* ---- domain lists and lookups ------------------------------------- */

static int
libxlConnectListDomains(virConnectPtr conn, int *ids, int nids)
{
    libxlDriverPrivate *driver = conn->privateData;

    if (virConnectListDomainsEnsureACL(conn) < 0)
        return -1;

    return virDomainObjListGetActiveIDs(driver->domains, ids, nids,
                                        virConnectListDomainsCheckACL, conn);
}


static int
libxlConnectNumOfDomains(virConnectPtr conn)
{
    libxlDriverPrivate *driver = conn->privateData;

    if (virConnectNumOfDomainsEnsureACL(conn) < 0)
        return -1;

    return virDomainObjListNumOfDomains(driver->domains, true,
                                        virConnectNumOfDomainsCheckACL, conn);
}


static int
libxlConnectListDefinedDomains(virConnectPtr conn,
                               char **const names,
                               int nnames)
{
    libxlDriverPrivate *driver = conn->privateData;

    if (virConnectListDefinedDomainsEnsureACL(conn) < 0)
        return -1;

    return virDomainObjListGetInactiveNames(driver->domains, names, nnames,
                                            virConnectListDefinedDomainsCheckACL,
                                            conn);
}


static int
libxlConnectNumOfDefinedDomains(virConnectPtr conn)
{
    libxlDriverPrivate *driver = conn->privateData;

    if (virConnectNumOfDefinedDomainsEnsureACL(conn) < 0)
        return -1;

    return virDomainObjListNumOfDomains(driver->domains, false,
                                        virConnectNumOfDefinedDomainsCheckACL,
                                        conn);
}


static int
libxlConnectListAllDomains(virConnectPtr conn,
                           virDomainPtr **domains,
                           unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;

    virCheckFlags(VIR_CONNECT_LIST_DOMAINS_FILTERS_ALL, -1);

    if (virConnectListAllDomainsEnsureACL(conn) < 0)
        return -1;

    return virDomainObjListExport(driver->domains, conn, domains,
                                  virConnectListAllDomainsCheckACL, flags);
}


static virDomainPtr
libxlDomainLookupByID(virConnectPtr conn, int id)
{
    libxlDriverPrivate *driver = conn->privateData;
    virDomainObj *vm;
    virDomainPtr dom = NULL;

    if (!(vm = virDomainObjListFindByID(driver->domains, id))) {
        virReportError(VIR_ERR_NO_DOMAIN,
                       _("no domain with matching id %d"), id);
        goto cleanup;
    }

    if (virDomainLookupByIDEnsureACL(conn, vm->def) < 0)
        goto cleanup;

    dom = virGetDomain(conn, vm->def->name, vm->def->uuid, vm->def->id);

 cleanup:
    virDomainObjEndAPI(&vm);
    return dom;
}


static virDomainPtr
libxlDomainLookupByUUID(virConnectPtr conn, const unsigned char *uuid)
{
    libxlDriverPrivate *driver = conn->privateData;
    virDomainObj *vm;
    virDomainPtr dom = NULL;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    if (!(vm = virDomainObjListFindByUUID(driver->domains, uuid))) {
        virUUIDFormat(uuid, uuidstr);
        virReportError(VIR_ERR_NO_DOMAIN,
                       _("no domain with matching uuid '%s'"), uuidstr);
        goto cleanup;
    }

    if (virDomainLookupByUUIDEnsureACL(conn, vm->def) < 0)
        goto cleanup;

    dom = virGetDomain(conn, vm->def->name, vm->def->uuid, vm->def->id);

 cleanup:
    virDomainObjEndAPI(&vm);
    return dom;
}


static virDomainPtr
libxlDomainLookupByName(virConnectPtr conn, const char *name)
{
    libxlDriverPrivate *driver = conn->privateData;
    virDomainObj *vm;
    virDomainPtr dom = NULL;

    if (!(vm = virDomainObjListFindByName(driver->domains, name))) {
        virReportError(VIR_ERR_NO_DOMAIN,
                       _("no domain with matching name '%s'"), name);
        goto cleanup;
    }

    if (virDomainLookupByNameEnsureACL(conn, vm->def) < 0)
        goto cleanup;

    dom = virGetDomain(conn, vm->def->name, vm->def->uuid, vm->def->id);

 cleanup:
    virDomainObjEndAPI(&vm);
    return dom;
}


/* ---- domain queries ----------------------------------------------- */

static int
libxlDomainGetInfo(virDomainPtr dom, virDomainInfoPtr info)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    libxl_dominfo d_info;
    int ret = -1;

    libxl_dominfo_init(&d_info);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainGetInfoEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    info->state = virDomainObjGetState(vm, NULL);
    info->maxMem = virDomainDefGetMemoryTotal(vm->def);
    info->nrVirtCpu = virDomainDefGetVcpus(vm->def);

    if (!virDomainObjIsActive(vm)) {
        info->memory = vm->def->mem.cur_balloon;
        info->cpuTime = 0;
        ret = 0;
        goto cleanup;
    }

    if (libxl_domain_info(cfg->ctx, &d_info, vm->def->id) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR,
                         _("libxl_domain_info failed for domain %d"),
                         vm->def->id);
        goto cleanup;
    }
    info->memory = d_info.current_memkb;
    info->cpuTime = d_info.cpu_time;
    if (d_info.vcpu_online)
        info->nrVirtCpu = d_info.vcpu_online;
    if (info->maxMem < info->memory)
        info->maxMem = info->memory;
    ret = 0;

 cleanup:
    libxl_dominfo_dispose(&d_info);
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainGetState(virDomainPtr dom,
                    int *state,
                    int *reason,
                    unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainGetStateEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    *state = virDomainObjGetState(vm, reason);
    ret = 0;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static char *
libxlDomainGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    virDomainDef *def;
    char *ret = NULL;

    virCheckFlags(VIR_DOMAIN_XML_COMMON_FLAGS, NULL);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainGetXMLDescEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if ((flags & VIR_DOMAIN_XML_INACTIVE) && vm->newDef)
        def = vm->newDef;
    else
        def = vm->def;

    ret = virDomainDefFormat(def, driver->xmlopt,
                             virDomainDefFormatConvertXMLFlags(flags));

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static char *
libxlDomainGetOSType(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    char *ret = NULL;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainGetOSTypeEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = g_strdup(virDomainOSTypeToString(vm->def->os.type));

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static unsigned long long
libxlDomainGetMaxMemory(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    unsigned long long ret = 0;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainGetMaxMemoryEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = virDomainDefGetMemoryTotal(vm->def);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainIsActive(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainIsActiveEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = virDomainObjIsActive(vm);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainIsPersistent(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainIsPersistentEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = vm->persistent;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainIsUpdated(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainIsUpdatedEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = vm->updated;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainGetAutostart(virDomainPtr dom, int *autostart)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainGetAutostartEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    *autostart = vm->autostart;
    ret = 0;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainHasManagedSaveImage(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainHasManagedSaveImageEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = vm->hasManagedSave;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- driver tables ------------------------------------------------ */

static virHypervisorDriver libxlHypervisorDriver = {
    .name = LIBXL_DRIVER_EXTERNAL_NAME,
    .connectURIProbe = libxlConnectURIProbe, /* 6.1.0 */
    .connectOpen = libxlConnectOpen, /* 0.9.0 */
    .connectClose = libxlConnectClose, /* 0.9.0 */
    .connectGetType = libxlConnectGetType, /* 0.9.0 */
    .connectGetVersion = libxlConnectGetVersion, /* 0.9.0 */
    .connectGetHostname = libxlConnectGetHostname, /* 0.9.0 */
    .connectGetSysinfo = libxlConnectGetSysinfo, /* 1.1.0 */
    .connectGetMaxVcpus = libxlConnectGetMaxVcpus, /* 0.9.0 */
    .nodeGetInfo = libxlNodeGetInfo, /* 0.9.0 */
    .connectGetCapabilities = libxlConnectGetCapabilities, /* 0.9.0 */
    .connectListDomains = libxlConnectListDomains, /* 0.9.0 */
    .connectNumOfDomains = libxlConnectNumOfDomains, /* 0.9.0 */
    .connectListAllDomains = libxlConnectListAllDomains, /* 0.9.13 */
    .domainLookupByID = libxlDomainLookupByID, /* 0.9.0 */
    .domainLookupByUUID = libxlDomainLookupByUUID, /* 0.9.0 */
    .domainLookupByName = libxlDomainLookupByName, /* 0.9.0 */
    .domainGetOSType = libxlDomainGetOSType, /* 0.9.0 */
    .domainGetMaxMemory = libxlDomainGetMaxMemory, /* 0.9.0 */
    .domainGetInfo = libxlDomainGetInfo, /* 0.9.0 */
    .domainGetState = libxlDomainGetState, /* 0.9.2 */
    .domainGetXMLDesc = libxlDomainGetXMLDesc, /* 0.9.0 */
    .connectListDefinedDomains = libxlConnectListDefinedDomains, /* 0.9.0 */
    .connectNumOfDefinedDomains = libxlConnectNumOfDefinedDomains, /* 0.9.0 */
    .domainGetAutostart = libxlDomainGetAutostart, /* 0.9.0 */
    .nodeGetCellsFreeMemory = libxlNodeGetCellsFreeMemory, /* 0.9.0 */
    .nodeGetFreeMemory = libxlNodeGetFreeMemory, /* 0.9.0 */
    .domainHasManagedSaveImage = libxlDomainHasManagedSaveImage, /* 0.9.2 */
    .connectIsEncrypted = libxlConnectIsEncrypted, /* 0.9.0 */
    .connectIsSecure = libxlConnectIsSecure, /* 0.9.0 */
    .domainIsActive = libxlDomainIsActive, /* 0.9.0 */
    .domainIsPersistent = libxlDomainIsPersistent, /* 0.9.0 */
    .domainIsUpdated = libxlDomainIsUpdated, /* 0.9.0 */
    .connectIsAlive = libxlConnectIsAlive, /* 0.9.8 */
    .nodeGetCPUMap = libxlNodeGetCPUMap, /* 1.0.0 */
    .connectGetDomainCapabilities = libxlConnectGetDomainCapabilities, /* 2.0.0 */
    .connectCompareCPU = libxlConnectCompareCPU, /* 2.3.0 */
    .connectBaselineCPU = libxlConnectBaselineCPU, /* 2.3.0 */
};

static const char *libxlURISchemes[] = { "xen", NULL };

static virConnectDriver libxlConnectDriver = {
    .localOnly = true,
    .uriSchemes = libxlURISchemes,
    .hypervisorDriver = &libxlHypervisorDriver,
};

static virStateDriver libxlStateDriver = {
    .name = LIBXL_DRIVER_INTERNAL_NAME,
    .stateInitialize = libxlStateInitialize,
    .stateCleanup = libxlStateCleanup,
    .stateReload = libxlStateReload,
};


int
libxlRegister(void)
{
    if (virRegisterConnectDriver(&libxlConnectDriver, true) < 0)
        return -1;
    if (virRegisterStateDriver(&libxlStateDriver) < 0)
        return -1;

    return 0;
}

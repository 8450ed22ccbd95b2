/*
 * libxl_driver.c: the Xen libxenlight driver's entry points
 *
 * Every libvirt API the driver implements lands here, in one shape:
 * look up the domain, check the caller may do this (*EnsureACL), begin
 * the domain's job (modifying calls only: queries take none and keep
 * answering during jobs), check it is active, do the work through the
 * helpers of libxl_process.c (start, stop), libxl_domain.c (jobs, libxl
 * asynchronous operations), libxl_conf.c and libxl_capabilities.c, end
 * the job and release the domain.  The driver tables are at
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
#include "virclosecallbacks.h"
#include "virtime.h"
#include "virtypedparam.h"
#include "domain_event.h"
#include "cpu/cpu.h"
#include "libxl_capabilities.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_driver.h"
#include "libxl_guest.h"
#include "libxl_host.h"
#include "libxl_hostdev.h"
#include "libxl_hotplug.h"
#include "libxl_native.h"
#include "libxl_process.h"
#include "libxl_save.h"
#include "libxl_snapshot.h"
#include "libxl_migration.h"
#include "libxl_tune.h"
#include "libxl_stats.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_driver");

static libxlDriverPrivate *libxl_driver;


/* ---- host detection and URIs -------------------------------------- */

static void
libxlDriverRemoveDom0Status(const char *stateDir)
{
    g_autofree char *path = virDomainConfigFile(stateDir, "Domain-0");

    if (unlink(path) < 0 && errno != ENOENT)
        VIR_WARN("cannot remove '%s': %s", path, g_strerror(errno));
}


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
 * libxlStateShutdownPrepare:
 * The daemon is stopping (on the event loop's thread): the event workers
 * take no new work, autostart starts nothing more.
 */
static int
libxlStateShutdownPrepare(void)
{
    if (libxl_driver)
        libxlProcessEventsStop(libxl_driver);
    return 0;
}


/*
 * libxlStateShutdownWait:
 * The event loop still runs: the autostart thread and the workers finish
 * the operations they wait for.
 */
static int
libxlStateShutdownWait(void)
{
    if (libxl_driver)
        libxlProcessEventsDrain(libxl_driver);
    return 0;
}


/*
 * libxlStateCleanup:
 * Free the driver, whatever part of it was built: the threads that use it
 * are joined first, the libxl context (no callback can come after it) goes
 * before the event workers' pool, the global pointer last.
 */
static int
libxlStateCleanup(void)
{
    if (!libxl_driver)
        return 0;

    libxlProcessEventsFree(libxl_driver);
    virObjectUnref(libxl_driver->domains);
    libxl_driver->domains = NULL;
    if (libxl_driver->lockFD != -1)
        virPidFileRelease(libxl_driver->config->stateDir, "driver",
                          libxl_driver->lockFD);
    /* the context (the config's), with the fds and timeouts it registered */
    g_clear_pointer(&libxl_driver->config, virObjectUnref);
    if (libxl_driver->eventWorkers)
        virThreadPoolFree(libxl_driver->eventWorkers);
    virObjectUnref(libxl_driver->domainEventState);
    libxlHostCleanup(libxl_driver);
    virObjectUnref(libxl_driver->xmlopt);
    virSysinfoDefFree(libxl_driver->hostsysinfo);
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
    bool autostart = false;

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

    if (!(libxl_driver->domainEventState = virObjectEventStateNew()))
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

    /* display ports, the lock manager (libxl_host.c) */
    if (libxlHostInit(libxl_driver) < 0)
        goto error;

    /* libxl's domain events: workers and callbacks, before any watch */
    if (libxlProcessEventsInit(libxl_driver) < 0)
        goto error;

    if (libxlDomainDom0Add(libxl_driver) < 0)
        goto error;

    /* the domains that were running: their status, then reconnect.
     * Domain-0 comes from libxl, not from a status file (the stock
     * driver leaves one, which would only clash with it) */
    libxlDriverRemoveDom0Status(libxl_driver->config->stateDir);
    if (virDomainObjListLoadAllConfigs(libxl_driver->domains,
                                       libxl_driver->config->stateDir,
                                       NULL, true, libxl_driver->xmlopt,
                                       NULL, NULL) < 0)
        goto error;

    if (libxlProcessReconnectAll(libxl_driver) < 0)
        goto error;

    /* the persistent definitions */
    if (virDomainObjListLoadAllConfigs(libxl_driver->domains,
                                       libxl_driver->config->configDir,
                                       libxl_driver->config->autostartDir,
                                       false, libxl_driver->xmlopt,
                                       NULL, NULL) < 0)
        goto error;

    /* domains libxl runs that no status names */
    if (libxlProcessAdoptAll(libxl_driver) < 0) {
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
    }

    /* managed-save images, this module's or the stock module's */
    libxlSaveManagedDetect(libxl_driver);

    /* the snapshots' metadata (libxl_snapshot.c) */
    libxlSnapshotLoadAll(libxl_driver);

    /* every domain is known: the events that came meanwhile */
    libxlProcessEventsRelease(libxl_driver);

    /* once per host boot: a marker in the state directory (under /run)
     * says it was done, so that a domain an administrator shut down stays
     * down across daemon restarts */
    if (virDriverShouldAutostart(libxl_driver->config->stateDir, &autostart) < 0)
        goto error;
    if (autostart)
        libxlProcessAutostartAll(libxl_driver);

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
    libxlDriverPrivate *driver = conn->privateData;

    /* domains started with autodestroy by this connection */
    virCloseCallbacksDomainRunForConn(driver->domains, conn);
    conn->privateData = NULL;
    return 0;
}


static int
libxlConnectIsAlive(virConnectPtr conn G_GNUC_UNUSED)
{
    return 1;
}


/* The features a client may rely on.  The global ones (typed string
 * parameters, fd passing, ...) are libvirt's. */
static int
libxlConnectSupportsFeature(virConnectPtr conn, int feature)
{
    int supported;

    if (virConnectSupportsFeatureEnsureACL(conn) < 0)
        return -1;

    if (virDriverFeatureIsGlobal(feature, &supported))
        return supported;

    switch ((virDrvFeature) feature) {
    case VIR_DRV_FEATURE_REMOTE:
    case VIR_DRV_FEATURE_PROGRAM_KEEPALIVE:
    case VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK:
    case VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK:
    case VIR_DRV_FEATURE_TYPED_PARAM_STRING:
    case VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER:
    case VIR_DRV_FEATURE_FD_PASSING:
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("global feature %d reached the driver"), feature);
        return -1;
    /* migration: v3 with parameters (libxl_migration.c) */
    case VIR_DRV_FEATURE_MIGRATION_V3:
    case VIR_DRV_FEATURE_MIGRATION_P2P:
    case VIR_DRV_FEATURE_MIGRATION_OFFLINE:
    case VIR_DRV_FEATURE_MIGRATION_PARAMS:
        return 1;
    case VIR_DRV_FEATURE_MIGRATION_V1:
    case VIR_DRV_FEATURE_MIGRATION_V2:
    case VIR_DRV_FEATURE_MIGRATION_DIRECT:
    case VIR_DRV_FEATURE_MIGRATE_CHANGE_PROTECTION:
    case VIR_DRV_FEATURE_XML_MIGRATABLE:
    default:
        return 0;
    }
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
libxlConnectDomainXMLFromNative(virConnectPtr conn,
                                const char *nativeFormat,
                                const char *nativeConfig,
                                unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;

    virCheckFlags(0, NULL);

    if (virConnectDomainXMLFromNativeEnsureACL(conn) < 0)
        return NULL;

    cfg = libxlDriverConfigGet(driver);
    return libxlNativeConnectDomainXMLFromNative(conn, driver->xmlopt, cfg->caps,
                                                 nativeFormat, nativeConfig, flags);
}


static char *
libxlConnectDomainXMLToNative(virConnectPtr conn,
                              const char *nativeFormat,
                              const char *domainXml,
                              unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;

    virCheckFlags(0, NULL);

    if (virConnectDomainXMLToNativeEnsureACL(conn) < 0)
        return NULL;

    return libxlNativeConnectDomainXMLToNative(conn, driver->xmlopt,
                                               nativeFormat, domainXml, flags);
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


/* Xen domains run under no libvirt security driver: an empty model, as
 * virsh dominfo expects of a driver without one. */
static int
libxlNodeGetSecurityModel(virConnectPtr conn, virSecurityModelPtr secmodel)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;

    memset(secmodel, 0, sizeof(*secmodel));
    if (virNodeGetSecurityModelEnsureACL(conn) < 0)
        return -1;

    cfg = libxlDriverConfigGet(driver);

    if (cfg->caps->host.nsecModels > 0 && cfg->caps->host.secModels[0].model) {
        if (virStrcpyStatic(secmodel->model, cfg->caps->host.secModels[0].model) < 0 ||
            (cfg->caps->host.secModels[0].doi &&
             virStrcpyStatic(secmodel->doi, cfg->caps->host.secModels[0].doi) < 0)) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("security model name too long"));
            return -1;
        }
    }
    return 0;
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
    size_t i;

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
    size_t i;

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

    if (libxlDomainInfoGet(cfg->ctx, vm->def->id, &d_info) < 0)
        goto cleanup;
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

    if ((flags & VIR_DOMAIN_XML_INACTIVE) && vm->newDef) {
        def = vm->newDef;
    } else {
        def = vm->def;
        /* a pty published after the start is there by now */
        if (virDomainObjIsActive(vm) && libxlConsoleMissingPaths(def)) {
            g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

            libxlConsoleSetPaths(cfg, vm);
        }
    }

    ret = virDomainDefFormat(def, driver->xmlopt,
                             virDomainDefFormatConvertXMLFlags(flags));

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainGetMessages(virDomainPtr dom, char ***msgs, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_MESSAGE_DEPRECATION | VIR_DOMAIN_MESSAGE_TAINTING, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainGetMessagesEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = virDomainObjGetMessages(vm, msgs, flags);

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


/* ---- domain lifecycle --------------------------------------------- */

/*
 * libxlDomainCheckNotDom0:
 * Domain-0 runs the daemon: no lifecycle operation applies to it.
 */
static int
libxlDomainCheckNotDom0(virDomainObj *vm, const char *what)
{
    if (vm->def->id == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot %s Domain-0"), what);
        return -1;
    }
    return 0;
}

/* The operation needs @vm running (or paused). */
static int
libxlDomainCheckActive(virDomainObj *vm)
{
    if (!virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not running"), vm->def->name);
        return -1;
    }
    return 0;
}

/*
 * libxlDomainDefParse:
 * A new definition from @xml, validated against the schema if
 * VIR_DOMAIN_DEFINE_VALIDATE (== VIR_DOMAIN_START_VALIDATE) is in @flags,
 * its name one the driver can make files of.
 */
static virDomainDef *
libxlDomainDefParse(libxlDriverPrivate *driver,
                    const char *xml,
                    bool validate)
{
    unsigned int parseFlags = VIR_DOMAIN_DEF_PARSE_INACTIVE;
    g_autoptr(virDomainDef) def = NULL;

    if (validate)
        parseFlags |= VIR_DOMAIN_DEF_PARSE_VALIDATE_SCHEMA;

    if (!(def = virDomainDefParseString(xml, driver->xmlopt, NULL, parseFlags)) ||
        libxlDomainNameCheck(def->name) < 0)
        return NULL;

    return g_steal_pointer(&def);
}


static virDomainPtr
libxlDomainCreateXML(virConnectPtr conn,
                     const char *xml,
                     unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    virDomainObj *vm = NULL;
    virDomainPtr dom = NULL;
    virObjectEvent *event;
    unsigned int startFlags = 0;

    virCheckFlags(VIR_DOMAIN_START_PAUSED |
                  VIR_DOMAIN_START_AUTODESTROY |
                  VIR_DOMAIN_START_VALIDATE, NULL);

    if (flags & VIR_DOMAIN_START_PAUSED)
        startFlags |= LIBXL_PROCESS_START_PAUSED;
    if (flags & VIR_DOMAIN_START_AUTODESTROY)
        startFlags |= LIBXL_PROCESS_START_AUTODESTROY;

    if (!(def = libxlDomainDefParse(driver, xml,
                                    !!(flags & VIR_DOMAIN_START_VALIDATE))))
        goto cleanup;

    if (virDomainCreateXMLEnsureACL(conn, def) < 0)
        goto cleanup;

    if (libxlDomainDefCheckIdle(driver, def) < 0)
        goto cleanup;

    if (!(vm = virDomainObjListAdd(driver->domains, &def, driver->xmlopt,
                                   VIR_DOMAIN_OBJ_LIST_ADD_LIVE |
                                   VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE,
                                   NULL)))
        goto cleanup;

    /* a job another thread took first makes the domain its own: only a
     * start that failed under this job removes a transient domain, and
     * only one that is not running */
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "start") < 0)
        goto cleanup;

    if (libxlProcessStart(driver, vm, conn, startFlags) < 0) {
        if (!vm->persistent && !virDomainObjIsActive(vm))
            virDomainObjListRemove(driver->domains, vm);
        goto endjob;
    }

    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STARTED,
                                              VIR_DOMAIN_EVENT_STARTED_BOOTED);
    libxlProcessQueueEvent(driver, event);
    if (flags & VIR_DOMAIN_START_PAUSED) {
        event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                                  VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        libxlProcessQueueEvent(driver, event);
    }

    dom = virGetDomain(conn, vm->def->name, vm->def->uuid, vm->def->id);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return dom;
}


static int
libxlDomainCreateWithFlags(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    unsigned int startFlags = 0;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_START_PAUSED |
                  VIR_DOMAIN_START_AUTODESTROY |
                  VIR_DOMAIN_START_FORCE_BOOT, -1);

    if (flags & VIR_DOMAIN_START_PAUSED)
        startFlags |= LIBXL_PROCESS_START_PAUSED;
    if (flags & VIR_DOMAIN_START_AUTODESTROY)
        startFlags |= LIBXL_PROCESS_START_AUTODESTROY;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainCreateWithFlagsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "start") < 0)
        goto cleanup;

    if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is already running"), vm->def->name);
        goto endjob;
    }

    /* from its managed-save image unless --force-boot */
    if (libxlSaveStart(driver, vm, dom->conn, startFlags,
                       !!(flags & VIR_DOMAIN_START_FORCE_BOOT)) < 0)
        goto endjob;

    dom->id = vm->def->id;
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainCreate(virDomainPtr dom)
{
    return libxlDomainCreateWithFlags(dom, 0);
}


static virDomainPtr
libxlDomainDefineXMLFlags(virConnectPtr conn, const char *xml, unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) oldDef = NULL;
    virDomainObj *vm = NULL;
    virDomainPtr dom = NULL;
    virObjectEvent *event;
    bool starting = false;

    virCheckFlags(VIR_DOMAIN_DEFINE_VALIDATE, NULL);

    if (!(def = libxlDomainDefParse(driver, xml,
                                    !!(flags & VIR_DOMAIN_DEFINE_VALIDATE))))
        goto cleanup;

    if (virDomainDefineXMLFlagsEnsureACL(conn, def) < 0)
        goto cleanup;

    if (!(vm = virDomainObjListAdd(driver->domains, &def, driver->xmlopt,
                                   0, &oldDef)))
        goto cleanup;

    /* a domain being started has no domid yet, so the list took it for
     * an inactive one and replaced the definition being started: that
     * one stays the live definition, the new one is the next */
    starting = oldDef && libxlDomainIsStarting(vm);
    if (starting) {
        virDomainDef *live = g_steal_pointer(&oldDef);

        oldDef = g_steal_pointer(&vm->newDef);
        vm->newDef = g_steal_pointer(&vm->def);
        vm->def = live;
    }

    vm->persistent = 1;

    if (virDomainDefSave(vm->newDef ? vm->newDef : vm->def,
                         driver->xmlopt, cfg->configDir) < 0) {
        /* leave the domain as it was */
        if (!oldDef) {
            if (starting || virDomainObjIsActive(vm)) {
                g_clear_pointer(&vm->newDef, virDomainDefFree);
                vm->persistent = 0;
            } else {
                virDomainObjListRemove(driver->domains, vm);
            }
        } else if (vm->newDef) {
            virDomainDefFree(vm->newDef);
            vm->newDef = g_steal_pointer(&oldDef);
        } else {
            virDomainDefFree(vm->def);
            vm->def = g_steal_pointer(&oldDef);
        }
        goto cleanup;
    }

    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_DEFINED,
                                              oldDef ?
                                              VIR_DOMAIN_EVENT_DEFINED_UPDATED :
                                              VIR_DOMAIN_EVENT_DEFINED_ADDED);
    libxlProcessQueueEvent(driver, event);

    dom = virGetDomain(conn, vm->def->name, vm->def->uuid, vm->def->id);

 cleanup:
    virDomainObjEndAPI(&vm);
    return dom;
}


static virDomainPtr
libxlDomainDefineXML(virConnectPtr conn, const char *xml)
{
    return libxlDomainDefineXMLFlags(conn, xml, 0);
}


static int
libxlDomainUndefineFlags(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    virObjectEvent *event;
    virDomainDef *def;
    const char *nvram = NULL;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                  VIR_DOMAIN_UNDEFINE_NVRAM |
                  VIR_DOMAIN_UNDEFINE_KEEP_NVRAM |
                  VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA, -1);

    if ((flags & VIR_DOMAIN_UNDEFINE_NVRAM) &&
        (flags & VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot both keep and delete the nvram"));
        return -1;
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainUndefineFlagsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "undefine") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "undefine") < 0)
        goto endjob;

    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot undefine transient domain '%s'"),
                       vm->def->name);
        goto endjob;
    }

    if (!(flags & VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) &&
        virDomainSnapshotObjListNum(vm->snapshots, NULL, 0) > 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot undefine domain '%s' with %d snapshots; use --snapshots-metadata to remove their metadata"),
                       vm->def->name,
                       virDomainSnapshotObjListNum(vm->snapshots, NULL, 0));
        goto endjob;
    }

    if (vm->hasManagedSave && !(flags & VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' has a managed save image; use --managed-save to remove it"),
                       vm->def->name);
        goto endjob;
    }

    def = vm->newDef ? vm->newDef : vm->def;
    if (def->os.loader && def->os.loader->nvram &&
        def->os.loader->nvram->path && virFileExists(def->os.loader->nvram->path))
        nvram = def->os.loader->nvram->path;
    if (nvram && !(flags & (VIR_DOMAIN_UNDEFINE_NVRAM |
                            VIR_DOMAIN_UNDEFINE_KEEP_NVRAM))) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' has an nvram file '%s'; use --nvram or --keep-nvram"),
                       vm->def->name, nvram);
        goto endjob;
    }
    if (nvram && (flags & VIR_DOMAIN_UNDEFINE_NVRAM) && unlink(nvram) < 0 &&
        errno != ENOENT) {
        virReportSystemError(errno, _("cannot remove nvram file '%s'"), nvram);
        goto endjob;
    }

    if (vm->hasManagedSave) {
        g_autofree char *image = libxlSaveManagedPath(driver, vm);

        if (unlink(image) < 0 && errno != ENOENT) {
            virReportSystemError(errno,
                                 _("cannot remove the managed-save image '%s'"), image);
            goto endjob;
        }
        vm->hasManagedSave = false;
    }

    if (virDomainDeleteConfig(cfg->configDir, cfg->autostartDir, vm) < 0)
        goto endjob;

    if ((flags & VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA) &&
        libxlSnapshotRemoveAllMetadata(driver, vm) < 0)
        goto endjob;

    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_UNDEFINED,
                                              VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    libxlProcessQueueEvent(driver, event);

    vm->hasManagedSave = false;
    vm->autostart = 0;
    if (virDomainObjIsActive(vm)) {
        /* it keeps running, as a transient domain */
        vm->persistent = 0;
        g_clear_pointer(&vm->newDef, virDomainDefFree);
    } else {
        virDomainObjListRemove(driver->domains, vm);
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainUndefine(virDomainPtr dom)
{
    return libxlDomainUndefineFlags(dom, 0);
}


/*
 * libxlDomainRenameFiles:
 * virDomainObjListRename's callback: the inactive, persistent @vm takes
 * @newName.  Its configuration is written under the new name and the
 * autostart link made before the old ones are removed, so that a failure
 * leaves the domain and its files as they were.  The old files are
 * removed by the paths the old name gives, which is also how a domain an
 * older build defined with a name now refused gets its files back into
 * the configuration directory.
 */
static int
libxlDomainRenameFiles(virDomainObj *vm,
                       const char *newName,
                       unsigned int flags,
                       void *opaque)
{
    libxlDriverPrivate *driver = opaque;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autofree char *oldConfig = virDomainConfigFile(cfg->configDir, vm->def->name);
    g_autofree char *oldLink = virDomainConfigFile(cfg->autostartDir, vm->def->name);
    g_autofree char *newConfig = virDomainConfigFile(cfg->configDir, newName);
    g_autofree char *newLink = virDomainConfigFile(cfg->autostartDir, newName);
    g_autofree char *oldName = NULL;
    virObjectEvent *event;

    virCheckFlags(0, -1);

    /* a file under the new name is refused, unless it is the autostart
     * link an older build made of a "../NAME" domain's configuration */
    if (virFileExists(newConfig) &&
        virFileLinkPointsTo(newConfig, oldConfig) != 1) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot rename domain '%s' to '%s': the file '%s' already exists"),
                       vm->def->name, newName, newConfig);
        return -1;
    }

    oldName = g_steal_pointer(&vm->def->name);
    vm->def->name = g_strdup(newName);

    if (virDomainDefSave(vm->def, driver->xmlopt, cfg->configDir) < 0)
        goto out_restore;

    if (vm->autostart && symlink(newConfig, newLink) < 0) {
        virReportSystemError(errno, _("failed to create symlink '%s' to '%s'"),
                             newLink, newConfig);
        unlink(newConfig);
        goto out_restore;
    }

    if (unlink(oldConfig) < 0 && errno != ENOENT)
        VIR_WARN("cannot remove '%s': %s", oldConfig, g_strerror(errno));
    if (vm->autostart && unlink(oldLink) < 0 && errno != ENOENT)
        VIR_WARN("cannot remove '%s': %s", oldLink, g_strerror(errno));

    event = virDomainEventLifecycleNew(vm->def->id, oldName, vm->def->uuid,
                                       VIR_DOMAIN_EVENT_UNDEFINED,
                                       VIR_DOMAIN_EVENT_UNDEFINED_RENAMED);
    libxlProcessQueueEvent(driver, event);
    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_DEFINED,
                                              VIR_DOMAIN_EVENT_DEFINED_RENAMED);
    libxlProcessQueueEvent(driver, event);
    return 0;

 out_restore:
    g_free(vm->def->name);
    vm->def->name = g_steal_pointer(&oldName);
    return -1;
}


static int
libxlDomainRename(virDomainPtr dom, const char *new_name, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainRenameEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "rename") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "rename") < 0)
        goto endjob;

    if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot rename domain '%s' while it is running"),
                       vm->def->name);
        goto endjob;
    }

    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot rename transient domain '%s'"), vm->def->name);
        goto endjob;
    }

    if (vm->hasManagedSave) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot rename domain '%s': it has a managed save image"),
                       vm->def->name);
        goto endjob;
    }

    if (virDomainSnapshotObjListNum(vm->snapshots, NULL, 0) > 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot rename domain '%s' with snapshots (their metadata is kept under its name)"),
                       vm->def->name);
        goto endjob;
    }

    if (libxlDomainNameCheck(new_name) < 0)
        goto endjob;

    if (virDomainObjListRename(driver->domains, vm, new_name, flags,
                               libxlDomainRenameFiles, driver) < 0)
        goto endjob;

    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/*
 * libxlDomainRequest:
 * Ask the guest to power off or reboot (@reboot): through its PV
 * control node (@paravirt), or with the ACPI button (@acpi, HVM only);
 * with both allowed, ACPI is the fallback for a guest without PV drivers,
 * as xl does.  Returns once libxl has delivered the request; the guest's
 * reaction comes later as a libxl event.
 */
static int
libxlDomainRequest(libxlDriverPrivate *driver,
                   virDomainObj *vm,
                   bool reboot,
                   bool paravirt,
                   bool acpi)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    const char *what = reboot ? "reboot" : "shutdown";
    libxl_trigger trigger = reboot ? LIBXL_TRIGGER_RESET : LIBXL_TRIGGER_POWER;
    bool hvm = vm->def->os.type == VIR_DOMAIN_OSTYPE_HVM;
    int rc = ERROR_NOPARAVIRT;

    if (acpi && !paravirt && !hvm) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("the ACPI %s of domain '%s' needs an HVM guest"),
                       what, vm->def->name);
        return -1;
    }

    libxlLoggerResetLastError();
    if (paravirt)
        rc = libxlDomainAORun(vm, cfg->ctx, what,
                              reboot ? libxlDomainAOReboot :
                              libxlDomainAOShutdown, NULL);

    if (rc == ERROR_NOPARAVIRT && acpi && hvm) {
        libxlLoggerResetLastError();
        rc = libxlDomainAORun(vm, cfg->ctx, what, libxlDomainAOTrigger,
                              &trigger);
    }

    /* a destroy cancelled the wait (libxlDomainRequestCancel): libxl
     * itself said nothing; an ERROR_ABORTED libxl reported is its failure */
    if (rc == ERROR_ABORTED && !libxlLoggerGetLastError()) {
        virReportError(VIR_ERR_OPERATION_ABORTED,
                       _("the %s request of domain '%s' was cancelled before the guest acknowledged it"),
                       what, vm->def->name);
        return -1;
    }
    if (rc != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         rc == ERROR_NOPARAVIRT ?
                         _("failed to request the %s of domain '%s': the guest has no PV drivers") :
                         _("failed to request the %s of domain '%s'"),
                         what, vm->def->name);
        return -1;
    }
    return 0;
}


static int
libxlDomainShutdownFlags(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    bool paravirt = true;
    bool acpi = true;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN |
                  VIR_DOMAIN_SHUTDOWN_PARAVIRT, -1);

    if (flags) {
        paravirt = !!(flags & VIR_DOMAIN_SHUTDOWN_PARAVIRT);
        acpi = !!(flags & VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN);
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainShutdownFlagsEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "shutdown") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "shut down") < 0)
        goto endjob;

    if (virDomainObjCheckActive(vm) < 0)
        goto endjob;

    ret = libxlDomainRequest(driver, vm, false, paravirt, acpi);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainShutdown(virDomainPtr dom)
{
    return libxlDomainShutdownFlags(dom, 0);
}


static int
libxlDomainReboot(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    bool paravirt = true;
    bool acpi = true;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_REBOOT_ACPI_POWER_BTN |
                  VIR_DOMAIN_REBOOT_PARAVIRT, -1);

    if (flags) {
        paravirt = !!(flags & VIR_DOMAIN_REBOOT_PARAVIRT);
        acpi = !!(flags & VIR_DOMAIN_REBOOT_ACPI_POWER_BTN);
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainRebootEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "reboot") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "reboot") < 0)
        goto endjob;

    if (virDomainObjCheckActive(vm) < 0)
        goto endjob;

    ret = libxlDomainRequest(driver, vm, true, paravirt, acpi);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/*
 * libxlDomainDestroyFlags:
 * Without VIR_DOMAIN_DESTROY_GRACEFUL a running libxl operation of the
 * domain (a start, a shutdown request) is aborted first, so the destroy
 * does not wait behind it; with it, the destroy waits for it.  Xen has
 * no gentler destruction than libxl_domain_destroy either way.
 */
static int
libxlDomainDestroyFlags(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv;
    virDomainObj *vm;
    bool starting;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_DESTROY_GRACEFUL, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;
    priv = vm->privateData;

    if (virDomainDestroyFlagsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    starting = priv->ao && (STREQ(priv->ao->name, "start") ||
                            STREQ(priv->ao->name, "restore"));
    /* a shutdown request waiting for the guest: libxl cannot abort the
     * wait, its job stops waiting */
    if (!(flags & VIR_DOMAIN_DESTROY_GRACEFUL) &&
        libxlDomainRequestWaiting(vm)) {
        VIR_INFO("cancelled the %s request of domain '%s' to destroy it",
                 priv->ao->name, vm->def->name);
        libxlDomainRequestCancel(vm);
    } else if (!(flags & VIR_DOMAIN_DESTROY_GRACEFUL) && priv->ao &&
               libxl_ao_abort(cfg->ctx, &priv->ao->how) == 0) {
        VIR_INFO("aborted the %s of domain '%s' to destroy it",
                 priv->ao->name, vm->def->name);
    }

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_DESTROY, "destroy") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "destroy") < 0)
        goto endjob;

    /* a start this destroy met ended without a domain (aborted or
     * failed): shut off is what was asked for, as libvirt's drivers
     * answer */
    if (starting && !virDomainObjIsActive(vm)) {
        VIR_DEBUG("domain '%s' is not running anymore", vm->def->name);
        ret = 0;
        goto endjob;
    }

    if (virDomainObjCheckActive(vm) < 0)
        goto endjob;

    if (libxlProcessDestroy(driver, vm) < 0)
        goto endjob;

    libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                        VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    dom->id = -1;
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainDestroy(virDomainPtr dom)
{
    return libxlDomainDestroyFlags(dom, 0);
}


static int
libxlDomainSuspend(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    virObjectEvent *event;
    int state;
    bool beside;
    int rc;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainSuspendEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    /* beside an outgoing migration's job (virsh migrate --timeout) */
    if (libxlMigrationOutSending(vm)) {
        ret = libxlMigrationOutPause(driver, vm, true);
        goto cleanup;
    }

    /* beside a shutdown or reboot request waiting for the guest's
     * acknowledgement (libxlDomainRequestWaiting): libxl's call runs
     * with @vm locked, which keeps the request's job from ending */
    beside = libxlDomainRequestWaiting(vm);
    if (!beside &&
        libxlDomainObjBeginJob(driver, vm, VIR_JOB_SUSPEND, "suspend") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "suspend") < 0)
        goto endjob;

    if (virDomainObjCheckActive(vm) < 0)
        goto endjob;

    state = virDomainObjGetState(vm, NULL);
    if (state == VIR_DOMAIN_PAUSED) {
        ret = 0;
        goto endjob;
    }
    if (state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_BLOCKED) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not running"), vm->def->name);
        goto endjob;
    }

    libxlLoggerResetLastError();
    if (beside)
        rc = libxl_domain_pause(cfg->ctx, vm->def->id, NULL);
    else
        rc = libxlDomainAORun(vm, cfg->ctx, "suspend", libxlDomainAOPause, NULL);
    if (rc != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("failed to suspend domain '%s'"), vm->def->name);
        goto endjob;
    }

    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_SUSPENDED,
                                              VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    libxlProcessQueueEvent(driver, event);
    libxlDomainSaveStatus(driver, vm);
    ret = 0;

 endjob:
    if (!beside)
        libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainResume(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    virObjectEvent *event;
    bool beside;
    int rc;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainResumeEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    /* beside an outgoing migration's job (virsh migrate --timeout) */
    if (libxlMigrationOutSending(vm)) {
        ret = libxlMigrationOutPause(driver, vm, false);
        goto cleanup;
    }

    /* beside a shutdown or reboot request waiting for the guest's
     * acknowledgement (libxlDomainRequestWaiting): libxl's call runs
     * with @vm locked, which keeps the request's job from ending */
    beside = libxlDomainRequestWaiting(vm);
    if (!beside &&
        libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "resume") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "resume") < 0)
        goto endjob;

    if (virDomainObjCheckActive(vm) < 0)
        goto endjob;

    if (virDomainObjGetState(vm, NULL) != VIR_DOMAIN_PAUSED) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not paused"), vm->def->name);
        goto endjob;
    }

    libxlLoggerResetLastError();
    if (beside)
        rc = libxl_domain_unpause(cfg->ctx, vm->def->id, NULL);
    else
        rc = libxlDomainAORun(vm, cfg->ctx, "resume", libxlDomainAOUnpause, NULL);
    if (rc != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("failed to resume domain '%s'"), vm->def->name);
        goto endjob;
    }

    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_RESUMED,
                                              VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    libxlProcessQueueEvent(driver, event);
    libxlDomainSaveStatus(driver, vm);
    ret = 0;

 endjob:
    if (!beside)
        libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainSetAutostart(virDomainPtr dom, int autostart)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autofree char *configFile = NULL;
    g_autofree char *autostartLink = NULL;
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainSetAutostartEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "autostart") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "autostart") < 0)
        goto endjob;

    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot set autostart for transient domain '%s'"),
                       vm->def->name);
        goto endjob;
    }

    autostart = (autostart != 0);
    if (autostart && libxlDomainNameCheck(vm->def->name) < 0)
        goto endjob;

    if (vm->autostart != autostart) {
        configFile = virDomainConfigFile(cfg->configDir, vm->def->name);
        autostartLink = virDomainConfigFile(cfg->autostartDir, vm->def->name);

        if (autostart) {
            if (g_mkdir_with_parents(cfg->autostartDir, 0777) < 0) {
                virReportSystemError(errno,
                                     _("cannot create autostart directory %s"),
                                     cfg->autostartDir);
                goto endjob;
            }
            if (symlink(configFile, autostartLink) < 0) {
                virReportSystemError(errno,
                                     _("failed to create symlink '%s' to '%s'"),
                                     autostartLink, configFile);
                goto endjob;
            }
        } else if (unlink(autostartLink) < 0 && errno != ENOENT &&
                   errno != ENOTDIR) {
            virReportSystemError(errno,
                                 _("failed to delete symlink '%s'"),
                                 autostartLink);
            goto endjob;
        }
        vm->autostart = autostart;
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainSetMetadata(virDomainPtr dom,
                       int type,
                       const char *metadata,
                       const char *key,
                       const char *uri,
                       unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    virObjectEvent *event;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainSetMetadataEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "metadata") < 0)
        goto cleanup;

    /* the configuration is a file named after the domain */
    if ((flags & VIR_DOMAIN_AFFECT_CONFIG || !virDomainObjIsActive(vm)) &&
        libxlDomainNameCheck(vm->def->name) < 0) {
        libxlDomainObjEndJob(vm);
        goto cleanup;
    }

    ret = virDomainObjSetMetadata(vm, type, metadata, key, uri,
                                  driver->xmlopt, cfg->stateDir,
                                  cfg->configDir, flags);
    if (ret == 0) {
        event = virDomainEventMetadataChangeNewFromObj(vm, type, uri);
        libxlProcessQueueEvent(driver, event);
    }

    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static char *
libxlDomainGetMetadata(virDomainPtr dom,
                       int type,
                       const char *uri,
                       unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    char *ret = NULL;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, NULL);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainGetMetadataEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = virDomainObjGetMetadata(vm, type, uri, flags);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- saved state (libxl_save.c) ----------------------------------- */

static int
libxlDomainSaveFlags(virDomainPtr dom,
                     const char *to,
                     const char *dxml,
                     unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SAVE_BYPASS_CACHE |
                  VIR_DOMAIN_SAVE_RUNNING |
                  VIR_DOMAIN_SAVE_PAUSED, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainSaveFlagsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "save") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "save") < 0 ||
        libxlDomainCheckActive(vm) < 0)
        goto endjob;

    ret = libxlSaveDomain(driver, vm, to, dxml, flags, false);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainSave(virDomainPtr dom, const char *to)
{
    return libxlDomainSaveFlags(dom, to, NULL, 0);
}


static int
libxlDomainRestoreFlags(virConnectPtr conn,
                        const char *from,
                        const char *dxml,
                        unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    virDomainObj *vm;

    virCheckFlags(VIR_DOMAIN_SAVE_BYPASS_CACHE |
                  VIR_DOMAIN_SAVE_RUNNING |
                  VIR_DOMAIN_SAVE_PAUSED, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED, -1);

    /* the ACL check is on the image's domain, once libxlSaveRestore
     * has read it */
    if (!(vm = libxlSaveRestore(driver, conn, from, dxml, flags,
                                virDomainRestoreFlagsEnsureACL)))
        return -1;
    virDomainObjEndAPI(&vm);
    return 0;
}


static int
libxlDomainRestore(virConnectPtr conn, const char *from)
{
    return libxlDomainRestoreFlags(conn, from, NULL, 0);
}


static char *
libxlDomainSaveImageGetXMLDesc(virConnectPtr conn,
                               const char *path,
                               unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *xml = NULL;

    virCheckFlags(VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, NULL);

    if (!(xml = libxlSaveImageGetXML(driver, path, flags, &def)) ||
        virDomainSaveImageGetXMLDescEnsureACL(conn, def) < 0)
        return NULL;
    return g_steal_pointer(&xml);
}


static int
libxlDomainSaveImageDefineXML(virConnectPtr conn,
                              const char *path,
                              const char *dxml,
                              unsigned int flags)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *xml = NULL;

    virCheckFlags(VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED, -1);

    if (!(xml = libxlSaveImageGetXML(driver, path, 0, &def)) ||
        virDomainSaveImageDefineXMLEnsureACL(conn, def) < 0)
        return -1;
    return libxlSaveImageDefineXML(driver, path, dxml, flags);
}


static int
libxlDomainManagedSave(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autofree char *path = NULL;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SAVE_BYPASS_CACHE |
                  VIR_DOMAIN_SAVE_RUNNING |
                  VIR_DOMAIN_SAVE_PAUSED, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainManagedSaveEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "save") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "save") < 0 ||
        libxlDomainCheckActive(vm) < 0)
        goto endjob;

    if (!vm->persistent) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot do a managed save of transient domain '%s'"),
                       vm->def->name);
        goto endjob;
    }

    path = libxlSaveManagedPath(driver, vm);
    ret = libxlSaveDomain(driver, vm, path, NULL, flags, true);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* the domain's managed-save image, or an error saying it has none */
static char *
libxlDomainManagedSaveImage(libxlDriverPrivate *driver, virDomainObj *vm)
{
    if (!vm->hasManagedSave) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' has no managed save image"), vm->def->name);
        return NULL;
    }
    return libxlSaveManagedPath(driver, vm);
}


static int
libxlDomainManagedSaveRemove(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autofree char *path = NULL;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainManagedSaveRemoveEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "managedsave-remove") < 0)
        goto cleanup;

    /* nothing to remove is no error (virsh managedsave-remove says so) */
    if (vm->hasManagedSave) {
        path = libxlSaveManagedPath(driver, vm);
        if (unlink(path) < 0 && errno != ENOENT) {
            virReportSystemError(errno,
                                 _("cannot remove the managed-save image '%s'"), path);
            goto endjob;
        }
        vm->hasManagedSave = false;
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static char *
libxlDomainManagedSaveGetXMLDesc(virDomainPtr dom, unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autofree char *path = NULL;
    virDomainObj *vm;
    char *ret = NULL;

    virCheckFlags(VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, NULL);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainManagedSaveGetXMLDescEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    if ((path = libxlDomainManagedSaveImage(driver, vm)))
        ret = libxlSaveImageGetXML(driver, path, flags, NULL);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainManagedSaveDefineXML(virDomainPtr dom,
                                const char *dxml,
                                unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autofree char *path = NULL;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DOMAIN_SAVE_RUNNING, VIR_DOMAIN_SAVE_PAUSED, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainManagedSaveDefineXMLEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "managedsave-define") < 0)
        goto cleanup;

    if ((path = libxlDomainManagedSaveImage(driver, vm)))
        ret = libxlSaveImageDefineXML(driver, path, dxml, flags);

    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainCoreDumpWithFormat(virDomainPtr dom,
                              const char *to,
                              unsigned int format,
                              unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DUMP_LIVE | VIR_DUMP_CRASH | VIR_DUMP_BYPASS_CACHE |
                  VIR_DUMP_RESET | VIR_DUMP_MEMORY_ONLY, -1);
    VIR_EXCLUSIVE_FLAGS_RET(VIR_DUMP_CRASH, VIR_DUMP_RESET, -1);

    if (flags & VIR_DUMP_MEMORY_ONLY) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("--memory-only is not possible with Xen: libxl_domain_core_dump writes the whole domain as an ELF core, not a kdump or memory-only image"));
        return -1;
    }
    if (flags & VIR_DUMP_RESET) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("--reset is not possible with Xen: it has no reset that does not depend on the guest (use --crash, then start)"));
        return -1;
    }
    if (format != VIR_DOMAIN_CORE_DUMP_FORMAT_RAW) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("Xen writes only ELF core dumps (--format=elf)"));
        return -1;
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainCoreDumpWithFormatEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "dump") < 0)
        goto cleanup;

    if (libxlDomainCheckNotDom0(vm, "dump") < 0 ||
        libxlDomainCheckActive(vm) < 0)
        goto endjob;

    ret = libxlSaveCoreDump(driver, vm, to, flags);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainCoreDump(virDomainPtr dom, const char *to, unsigned int flags)
{
    return libxlDomainCoreDumpWithFormat(dom, to, VIR_DOMAIN_CORE_DUMP_FORMAT_RAW,
                                         flags);
}


/* ---- jobs --------------------------------------------------------- */

/*
 * The job a domain runs is the libxl operation its modifying call waits
 * for (start, shutdown, destroy...); its elapsed time is all there is to
 * report.  Neither query takes a job: they must answer during one.
 */
static int
libxlDomainGetJobInfo(virDomainPtr dom, virDomainJobInfoPtr info)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    libxlDomainObjPrivate *priv;
    virDomainObj *vm;
    unsigned long long now;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;
    priv = vm->privateData;

    if (virDomainGetJobInfoEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    memset(info, 0, sizeof(*info));
    if (!priv->ao) {
        info->type = VIR_DOMAIN_JOB_NONE;
        ret = 0;
        goto cleanup;
    }

    if (virTimeMillisNow(&now) < 0)
        goto cleanup;
    info->type = VIR_DOMAIN_JOB_UNBOUNDED;
    info->timeElapsed = now - priv->ao->started;
    if (priv->jobData.operation != VIR_DOMAIN_JOB_OPERATION_UNKNOWN) {
        virTypedParameterPtr par = NULL;
        int npar = 0;
        int maxpar = 0;

        if (libxlDomainJobDataParams(&priv->jobData, &par, &npar, &maxpar) < 0 ||
            virTypedParamsGetULLong(par, npar, VIR_DOMAIN_JOB_DATA_TOTAL,
                                    &info->dataTotal) < 0 ||
            virTypedParamsGetULLong(par, npar, VIR_DOMAIN_JOB_DATA_PROCESSED,
                                    &info->dataProcessed) < 0 ||
            virTypedParamsGetULLong(par, npar, VIR_DOMAIN_JOB_DATA_REMAINING,
                                    &info->dataRemaining) < 0) {
            virTypedParamsFree(par, npar);
            goto cleanup;
        }
        virTypedParamsFree(par, npar);
        info->type = VIR_DOMAIN_JOB_BOUNDED;
        info->memTotal = info->dataTotal;
        info->memProcessed = info->dataProcessed;
        info->memRemaining = info->dataRemaining;
    }
    ret = 0;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainJobOperation(const char *name)
{
    if (STREQ(name, "start"))
        return VIR_DOMAIN_JOB_OPERATION_START;
    if (STREQ(name, "dump"))
        return VIR_DOMAIN_JOB_OPERATION_DUMP;
    if (STREQ(name, "save"))
        return VIR_DOMAIN_JOB_OPERATION_SAVE;
    if (STREQ(name, "restore"))
        return VIR_DOMAIN_JOB_OPERATION_RESTORE;
    return VIR_DOMAIN_JOB_OPERATION_UNKNOWN;
}


static int
libxlDomainGetJobStats(virDomainPtr dom,
                       int *type,
                       virTypedParameterPtr *params,
                       int *nparams,
                       unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    libxlDomainObjPrivate *priv;
    virDomainObj *vm;
    virTypedParameterPtr par = NULL;
    int maxpar = 0;
    int npar = 0;
    unsigned long long now;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_JOB_STATS_COMPLETED |
                  VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;
    priv = vm->privateData;

    if (virDomainGetJobStatsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    *type = VIR_DOMAIN_JOB_NONE;
    *params = NULL;
    *nparams = 0;

    /* the last save, restore or dump */
    if (flags & VIR_DOMAIN_JOB_STATS_COMPLETED) {
        libxlDomainJobData *done = &priv->jobCompleted;

        if (done->operation != VIR_DOMAIN_JOB_OPERATION_UNKNOWN) {
            if (libxlDomainJobDataParams(done, &par, &npar, &maxpar) < 0) {
                virTypedParamsFree(par, npar);
                goto cleanup;
            }
            *type = done->success ? VIR_DOMAIN_JOB_COMPLETED : VIR_DOMAIN_JOB_FAILED;
            *params = par;
            *nparams = npar;
            if (!(flags & VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED))
                done->operation = VIR_DOMAIN_JOB_OPERATION_UNKNOWN;
        }
        ret = 0;
        goto cleanup;
    }

    if (!priv->ao) {
        ret = 0;
        goto cleanup;
    }

    if (priv->jobData.operation != VIR_DOMAIN_JOB_OPERATION_UNKNOWN) {
        if (libxlDomainJobDataParams(&priv->jobData, &par, &npar, &maxpar) < 0) {
            virTypedParamsFree(par, npar);
            goto cleanup;
        }
        *type = VIR_DOMAIN_JOB_BOUNDED;
        *params = par;
        *nparams = npar;
        ret = 0;
        goto cleanup;
    }

    if (virTimeMillisNow(&now) < 0)
        goto cleanup;

    if (virTypedParamsAddInt(&par, &npar, &maxpar, VIR_DOMAIN_JOB_OPERATION,
                             libxlDomainJobOperation(priv->ao->name)) < 0 ||
        virTypedParamsAddULLong(&par, &npar, &maxpar,
                                VIR_DOMAIN_JOB_TIME_ELAPSED,
                                now - priv->ao->started) < 0) {
        virTypedParamsFree(par, npar);
        goto cleanup;
    }

    *type = VIR_DOMAIN_JOB_UNBOUNDED;
    *params = par;
    *nparams = npar;
    ret = 0;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/*
 * libxlDomainAbortJob:
 * libxl_ao_abort on the domain's running operation.  No job: the
 * operation being aborted holds it.
 */
static int
libxlDomainAbortJob(virDomainPtr dom)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm;
    int ret = -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainAbortJobEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = libxlDomainAOAbort(vm, cfg->ctx);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- migration (libxl_migration.c) -------------------------------- */

static char *
libxlDomainMigrateBegin3Params(virDomainPtr dom,
                               virTypedParameterPtr params,
                               int nparams,
                               char **cookieout,
                               int *cookieoutlen,
                               unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    const char *xmlin = NULL;
    virDomainObj *vm;
    char *xml = NULL;

    virCheckFlags(LIBXL_MIGRATION_FLAGS, NULL);
    if (virTypedParamsValidate(params, nparams, LIBXL_MIGRATION_PARAMETERS) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &xmlin) < 0)
        return NULL;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainMigrateBegin3ParamsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "migration") < 0)
        goto cleanup;

    xml = libxlMigrationBegin(driver, vm, xmlin, cookieout, cookieoutlen, flags);

    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return xml;
}


/*
 * libxlDomainMigratePrepareAny:
 * Prepare, direct (@st NULL) or tunnelled; @aclCheck is the calling
 * entry point's own ACL check, made on the incoming definition.
 */
typedef int (*libxlMigratePrepareACLCheck)(virConnectPtr conn,
                                           virDomainDef *def);

static int
libxlDomainMigratePrepareAny(virConnectPtr dconn,
                             virStreamPtr st,
                             virTypedParameterPtr params,
                             int nparams,
                             const char *cookiein,
                             int cookieinlen,
                             char **uri_out,
                             unsigned int flags,
                             libxlMigratePrepareACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dconn->privateData;
    g_autoptr(virDomainDef) def = NULL;
    const char *domXML = NULL;
    const char *dname = NULL;
    const char *uriIn = NULL;
    const char *listenAddress = NULL;
    const char *persistXML = NULL;

    virCheckFlags(LIBXL_MIGRATION_FLAGS, -1);
    if (virTypedParamsValidate(params, nparams, LIBXL_MIGRATION_PARAMETERS) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &domXML) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME, &dname) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uriIn) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                &listenAddress) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_PERSIST_XML,
                                &persistXML) < 0)
        return -1;

    if (!(def = libxlMigrationPrepareDef(driver, domXML, dname)))
        return -1;

    if (aclCheck(dconn, def) < 0)
        return -1;

    return libxlMigrationPrepare(driver, dconn, &def, persistXML, cookiein, cookieinlen,
                                 uriIn, listenAddress, uri_out, st, flags);
}


static int
libxlDomainMigratePrepare3Params(virConnectPtr dconn,
                                 virTypedParameterPtr params,
                                 int nparams,
                                 const char *cookiein,
                                 int cookieinlen,
                                 char **cookieout G_GNUC_UNUSED,
                                 int *cookieoutlen G_GNUC_UNUSED,
                                 char **uri_out,
                                 unsigned int flags)
{
    return libxlDomainMigratePrepareAny(dconn, NULL, params, nparams,
                                        cookiein, cookieinlen, uri_out, flags,
                                        virDomainMigratePrepare3ParamsEnsureACL);
}


static int
libxlDomainMigratePrepareTunnel3Params(virConnectPtr dconn,
                                       virStreamPtr st,
                                       virTypedParameterPtr params,
                                       int nparams,
                                       const char *cookiein,
                                       int cookieinlen,
                                       char **cookieout G_GNUC_UNUSED,
                                       int *cookieoutlen G_GNUC_UNUSED,
                                       unsigned int flags)
{
    return libxlDomainMigratePrepareAny(dconn, st, params, nparams,
                                        cookiein, cookieinlen, NULL, flags,
                                        virDomainMigratePrepareTunnel3ParamsEnsureACL);
}


/*
 * libxlDomainMigratePerform3Params:
 * Direct: the domain goes to the URI Prepare gave, its job kept for
 * Confirm.  --p2p: the whole migration, driven from here.
 */
static int
libxlDomainMigratePerform3Params(virDomainPtr dom,
                                 const char *dconnuri,
                                 virTypedParameterPtr params,
                                 int nparams,
                                 const char *cookiein G_GNUC_UNUSED,
                                 int cookieinlen G_GNUC_UNUSED,
                                 char **cookieout G_GNUC_UNUSED,
                                 int *cookieoutlen G_GNUC_UNUSED,
                                 unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    const char *xmlin = NULL;
    const char *dname = NULL;
    const char *uri = NULL;
    const char *listenAddress = NULL;
    const char *persistXML = NULL;
    unsigned long long bandwidth = 0;
    int ret = -1;

    virCheckFlags(LIBXL_MIGRATION_FLAGS, -1);
    if (virTypedParamsValidate(params, nparams, LIBXL_MIGRATION_PARAMETERS) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_XML, &xmlin) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME, &dname) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_URI, &uri) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
                                &listenAddress) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_PERSIST_XML,
                                &persistXML) < 0 ||
        virTypedParamsGetULLong(params, nparams, VIR_MIGRATE_PARAM_BANDWIDTH,
                                &bandwidth) < 0)
        return -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainMigratePerform3ParamsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "migration") < 0)
        goto cleanup;

    if (flags & VIR_MIGRATE_PEER2PEER) {
        ret = libxlMigrationPerformP2P(driver, vm, xmlin, persistXML, dconnuri, uri,
                                       dname, listenAddress, bandwidth, flags);
        libxlDomainObjEndJob(vm);
    } else {
        ret = libxlMigrationPerform(driver, vm, uri, bandwidth, flags);
        /* success: Confirm ends the job */
        if (ret < 0)
            libxlDomainObjEndJob(vm);
    }

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static virDomainPtr
libxlDomainMigrateFinish3Params(virConnectPtr dconn,
                                virTypedParameterPtr params,
                                int nparams,
                                const char *cookiein G_GNUC_UNUSED,
                                int cookieinlen G_GNUC_UNUSED,
                                char **cookieout G_GNUC_UNUSED,
                                int *cookieoutlen G_GNUC_UNUSED,
                                unsigned int flags,
                                int cancelled)
{
    libxlDriverPrivate *driver = dconn->privateData;
    virDomainObj *vm;
    const char *dname = NULL;
    virDomainPtr dom = NULL;

    virCheckFlags(LIBXL_MIGRATION_FLAGS, NULL);
    if (virTypedParamsValidate(params, nparams, LIBXL_MIGRATION_PARAMETERS) < 0 ||
        virTypedParamsGetString(params, nparams, VIR_MIGRATE_PARAM_DEST_NAME, &dname) < 0)
        return NULL;
    if (!dname) {
        virReportError(VIR_ERR_INVALID_ARG, "%s",
                       _("the migration's Finish names no domain"));
        return NULL;
    }

    if (!(vm = virDomainObjListFindByName(driver->domains, dname))) {
        virReportError(VIR_ERR_NO_DOMAIN,
                       _("no domain '%s' is migrating to this host"), dname);
        return NULL;
    }

    if (virDomainMigrateFinish3ParamsEnsureACL(dconn, vm->def) < 0)
        goto cleanup;

    dom = libxlMigrationFinish(driver, dconn, vm, flags, !!cancelled);

 cleanup:
    virDomainObjEndAPI(&vm);
    return dom;
}


static int
libxlDomainMigrateConfirm3Params(virDomainPtr domain,
                                 virTypedParameterPtr params,
                                 int nparams,
                                 const char *cookiein G_GNUC_UNUSED,
                                 int cookieinlen G_GNUC_UNUSED,
                                 unsigned int flags,
                                 int cancelled)
{
    libxlDriverPrivate *driver = domain->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(LIBXL_MIGRATION_FLAGS, -1);
    if (virTypedParamsValidate(params, nparams, LIBXL_MIGRATION_PARAMETERS) < 0)
        return -1;

    if (!(vm = libxlDomainObjFromDomain(driver, domain)))
        goto cleanup;

    if (virDomainMigrateConfirm3ParamsEnsureACL(domain->conn, vm->def) < 0)
        goto cleanup;

    /* the job Perform kept; an offline migration had none */
    if (!libxlMigrationOutPending(vm)) {
        if (!(flags & VIR_MIGRATE_OFFLINE)) {
            /* a Perform that failed resumed the domain already */
            if (cancelled)
                ret = 0;
            else
                virReportError(VIR_ERR_OPERATION_INVALID,
                               _("domain '%s' has no migration to confirm"),
                               vm->def->name);
            goto cleanup;
        }
        if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "migration") < 0)
            goto cleanup;
    }

    ret = libxlMigrationConfirm(driver, vm, flags, !!cancelled);
    libxlDomainObjEndJob(vm);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainMigrateSetMaxSpeed(virDomainPtr dom,
                              unsigned long bandwidth,
                              unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainMigrateSetMaxSpeedEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = libxlMigrationSetSpeed(vm, bandwidth);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainMigrateGetMaxSpeed(virDomainPtr dom,
                              unsigned long *bandwidth,
                              unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (virDomainMigrateGetMaxSpeedEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    *bandwidth = libxlMigrationGetSpeed(vm);
    ret = 0;

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* libxl sends the last round when it sees fit: no downtime to set */
static int
libxlDomainMigrateSetMaxDowntime(virDomainPtr dom,
                                 unsigned long long downtime G_GNUC_UNUSED,
                                 unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainMigrateSetMaxDowntimeEnsureACL(dom->conn, vm->def) == 0)
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("libxl has no control of a migration's downtime: it stops the guest for its last round when the rounds stop shrinking"));
    virDomainObjEndAPI(&vm);
    return -1;
}


static int
libxlDomainMigrateGetMaxDowntime(virDomainPtr dom,
                                 unsigned long long *downtime G_GNUC_UNUSED,
                                 unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainMigrateGetMaxDowntimeEnsureACL(dom->conn, vm->def) == 0)
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("libxl has no control of a migration's downtime: it stops the guest for its last round when the rounds stop shrinking"));
    virDomainObjEndAPI(&vm);
    return -1;
}


/* ---- devices (libxl_hotplug.c) ------------------------------------ */

static int
libxlDomainAttachDeviceFlags(virDomainPtr dom,
                             const char *xml,
                             unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainAttachDeviceFlagsEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    ret = libxlDomainHotplugWork(driver, vm, xml, NULL, flags,
                                 LIBXL_HOTPLUG_ATTACH);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainAttachDevice(virDomainPtr dom,
                        const char *xml)
{
    return libxlDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE);
}


static int
libxlDomainDetachDeviceFlags(virDomainPtr dom,
                             const char *xml,
                             unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainDetachDeviceFlagsEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    ret = libxlDomainHotplugWork(driver, vm, xml, NULL, flags,
                                 LIBXL_HOTPLUG_DETACH);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainDetachDevice(virDomainPtr dom,
                        const char *xml)
{
    return libxlDomainDetachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_LIVE);
}


static int
libxlDomainDetachDeviceAlias(virDomainPtr dom,
                             const char *alias,
                             unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainDetachDeviceAliasEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    ret = libxlDomainHotplugWork(driver, vm, NULL, alias, flags,
                                 LIBXL_HOTPLUG_DETACH);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainUpdateDeviceFlags(virDomainPtr dom,
                             const char *xml,
                             unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                  VIR_DOMAIN_DEVICE_MODIFY_FORCE, -1);
    flags &= ~VIR_DOMAIN_DEVICE_MODIFY_FORCE;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainUpdateDeviceFlagsEnsureACL(dom->conn, vm->def, flags) < 0)
        goto cleanup;

    ret = libxlDomainHotplugWork(driver, vm, xml, NULL, flags,
                                 LIBXL_HOTPLUG_UPDATE);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- node devices (libxl_hostdev.c) ------------------------------- */

static int
libxlNodeDeviceDetachFlags(virNodeDevicePtr dev,
                           const char *driverName,
                           unsigned int flags)
{
    libxlDriverPrivate *driver = dev->conn->privateData;
    g_autoptr(virNodeDeviceDef) def = NULL;

    virCheckFlags(0, -1);

    if (driverName && STRNEQ(driverName, "xen")) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unsupported driver name '%s'"), driverName);
        return -1;
    }

    if (!(def = libxlHostdevNodeDeviceDef(dev)))
        return -1;

    if (virNodeDeviceDetachFlagsEnsureACL(dev->conn, def) < 0)
        return -1;

    return libxlHostdevNodeDetach(driver, def);
}


static int
libxlNodeDeviceDettach(virNodeDevicePtr dev)
{
    return libxlNodeDeviceDetachFlags(dev, NULL, 0);
}


static int
libxlNodeDeviceReAttach(virNodeDevicePtr dev)
{
    libxlDriverPrivate *driver = dev->conn->privateData;
    g_autoptr(virNodeDeviceDef) def = NULL;

    if (!(def = libxlHostdevNodeDeviceDef(dev)))
        return -1;

    if (virNodeDeviceReAttachEnsureACL(dev->conn, def) < 0)
        return -1;

    return libxlHostdevNodeReAttach(driver, def);
}


static int
libxlNodeDeviceReset(virNodeDevicePtr dev)
{
    g_autoptr(virNodeDeviceDef) def = NULL;

    if (!(def = libxlHostdevNodeDeviceDef(dev)))
        return -1;

    if (virNodeDeviceResetEnsureACL(dev->conn, def) < 0)
        return -1;

    return libxlHostdevNodeReset(def);
}


/* ---- statistics (libxl_stats.c) ----------------------------------- */

static int
libxlDomainBlockStats(virDomainPtr dom,
                      const char *path,
                      virDomainBlockStatsPtr stats)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainBlockStatsEnsureACL(dom->conn, vm->def) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }

    return libxlDomainBlockStatsWork(&vm, path, stats);
}


static int
libxlDomainBlockStatsFlags(virDomainPtr dom,
                           const char *path,
                           virTypedParameterPtr params,
                           int *nparams,
                           unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(VIR_TYPED_PARAM_STRING_OKAY, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainBlockStatsFlagsEnsureACL(dom->conn, vm->def) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }

    return libxlDomainBlockStatsFlagsWork(&vm, path, params, nparams);
}


static int
libxlDomainGetBlockInfo(virDomainPtr dom,
                        const char *path,
                        virDomainBlockInfoPtr info,
                        unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainGetBlockInfoEnsureACL(dom->conn, vm->def) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }

    return libxlDomainGetBlockInfoWork(&vm, path, info);
}


static int
libxlDomainGetDiskErrors(virDomainPtr dom,
                         virDomainDiskErrorPtr errors G_GNUC_UNUSED,
                         unsigned int maxerrors G_GNUC_UNUSED,
                         unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainGetDiskErrorsEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    ret = libxlDomainGetDiskErrorsWork(vm);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


static int
libxlDomainInterfaceStats(virDomainPtr dom,
                          const char *device,
                          virDomainInterfaceStatsPtr stats)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainInterfaceStatsEnsureACL(dom->conn, vm->def) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }

    return libxlDomainInterfaceStatsWork(&vm, device, stats);
}


static int
libxlDomainInterfaceAddresses(virDomainPtr dom,
                              virDomainInterfacePtr **ifaces,
                              unsigned int source,
                              unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainInterfaceAddressesEnsureACL(dom->conn, vm->def, source) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }

    return libxlDomainInterfaceAddressesWork(&vm, ifaces, source);
}


static int
libxlDomainMemoryStats(virDomainPtr dom,
                       virDomainMemoryStatPtr stats,
                       unsigned int nr_stats,
                       unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainMemoryStatsEnsureACL(dom->conn, vm->def) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }

    return libxlDomainMemoryStatsWork(driver, &vm, stats, nr_stats);
}


static int
libxlDomainSetMemoryStatsPeriod(virDomainPtr dom,
                                int period G_GNUC_UNUSED,
                                unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE |
                  VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainSetMemoryStatsPeriodEnsureACL(dom->conn, vm->def, flags) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }
    virDomainObjEndAPI(&vm);

    return libxlDomainSetMemoryStatsPeriodWork();
}


static int
libxlDomainGetCPUStats(virDomainPtr dom,
                       virTypedParameterPtr params,
                       unsigned int nparams,
                       int start_cpu,
                       unsigned int ncpus,
                       unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;

    virCheckFlags(VIR_TYPED_PARAM_STRING_OKAY, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (virDomainGetCPUStatsEnsureACL(dom->conn, vm->def) < 0) {
        virDomainObjEndAPI(&vm);
        return -1;
    }

    return libxlDomainGetCPUStatsWork(driver, &vm, params, nparams, start_cpu,
                                      ncpus);
}


static int
libxlNodeGetCPUStats(virConnectPtr conn,
                     int cpuNum,
                     virNodeCPUStatsPtr params,
                     int *nparams,
                     unsigned int flags)
{
    virCheckFlags(0, -1);

    if (virNodeGetCPUStatsEnsureACL(conn) < 0)
        return -1;

    return libxlNodeGetCPUStatsWork(conn->privateData, cpuNum, params, nparams);
}


static int
libxlNodeGetMemoryStats(virConnectPtr conn,
                        int cellNum,
                        virNodeMemoryStatsPtr params,
                        int *nparams,
                        unsigned int flags)
{
    virCheckFlags(0, -1);

    if (virNodeGetMemoryStatsEnsureACL(conn) < 0)
        return -1;

    return libxlNodeGetMemoryStatsWork(conn->privateData, cellNum, params,
                                       nparams);
}


static int
libxlConnectGetAllDomainStats(virConnectPtr conn,
                              virDomainPtr *doms,
                              unsigned int ndoms,
                              unsigned int stats,
                              virDomainStatsRecordPtr **retStats,
                              unsigned int flags)
{
    virCheckFlags(VIR_CONNECT_LIST_DOMAINS_FILTERS_ACTIVE |
                  VIR_CONNECT_LIST_DOMAINS_FILTERS_PERSISTENT |
                  VIR_CONNECT_LIST_DOMAINS_FILTERS_STATE |
                  VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
                  VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING |
                  VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS, -1);

    if (virConnectGetAllDomainStatsEnsureACL(conn) < 0)
        return -1;

    return libxlConnectGetAllDomainStatsWork(conn, doms, ndoms, stats,
                                             retStats, flags,
                                             virConnectGetAllDomainStatsCheckACL);
}


/* ---- guest operations (libxl_guest.c) ----------------------------- */

static int
libxlDomainSendKey(virDomainPtr dom,
                   unsigned int codeset,
                   unsigned int holdtime,
                   unsigned int *keycodes,
                   int nkeycodes,
                   unsigned int flags)
{
    return libxlDomainSendKeyWork(dom, codeset, holdtime, keycodes, nkeycodes,
                                  flags, virDomainSendKeyEnsureACL);
}


static int
libxlDomainInjectNMI(virDomainPtr dom, unsigned int flags)
{
    return libxlDomainInjectNMIWork(dom, flags, virDomainInjectNMIEnsureACL);
}


static int
libxlDomainReset(virDomainPtr dom, unsigned int flags)
{
    return libxlDomainResetWork(dom, flags, virDomainResetEnsureACL);
}


static char *
libxlDomainScreenshot(virDomainPtr dom,
                      virStreamPtr st,
                      unsigned int screen,
                      unsigned int flags)
{
    return libxlDomainScreenshotWork(dom, st, screen, flags,
                                     virDomainScreenshotEnsureACL);
}


static int
libxlDomainGetTime(virDomainPtr dom,
                   long long *seconds G_GNUC_UNUSED,
                   unsigned int *nseconds G_GNUC_UNUSED,
                   unsigned int flags)
{
    return libxlGuestTimeRefuse(dom, false, flags, 0,
                                virDomainGetTimeEnsureACL);
}


static int
libxlDomainSetTime(virDomainPtr dom,
                   long long seconds G_GNUC_UNUSED,
                   unsigned int nseconds G_GNUC_UNUSED,
                   unsigned int flags)
{
    return libxlGuestTimeRefuse(dom, true, flags, VIR_DOMAIN_TIME_SYNC,
                                virDomainSetTimeEnsureACL);
}


static int
libxlDomainSetLifecycleAction(virDomainPtr dom,
                              unsigned int type,
                              unsigned int action,
                              unsigned int flags)
{
    return libxlDomainSetLifecycleActionWork(dom, type, action, flags,
                                             virDomainSetLifecycleActionEnsureACL);
}


static int
libxlDomainPMSuspendForDuration(virDomainPtr dom,
                                unsigned int target,
                                unsigned long long duration,
                                unsigned int flags)
{
    return libxlDomainPMSuspendForDurationWork(dom, target, duration, flags,
                                               virDomainPMSuspendForDurationEnsureACL);
}


static int
libxlDomainPMWakeup(virDomainPtr dom, unsigned int flags)
{
    return libxlDomainPMWakeupWork(dom, flags, virDomainPMWakeupEnsureACL);
}


static int
libxlDomainBlockResize(virDomainPtr dom,
                       const char *path,
                       unsigned long long size,
                       unsigned int flags)
{
    return libxlDomainBlockResizeWork(dom, path, size, flags,
                                      virDomainBlockResizeEnsureACL);
}


/* ---- tuning (libxl_tune.c) ------------------------------------ */

static int
libxlDomainGetVcpus(virDomainPtr dom,
                    virVcpuInfoPtr info,
                    int maxinfo,
                    unsigned char *cpumaps,
                    int maplen)
{
    return libxlDomainGetVcpusWork(dom, info, maxinfo, cpumaps, maplen,
                                   virDomainGetVcpusEnsureACL);
}


static int
libxlDomainGetVcpuPinInfo(virDomainPtr dom,
                          int ncpumaps,
                          unsigned char *cpumaps,
                          int maplen,
                          unsigned int flags)
{
    return libxlDomainGetVcpuPinInfoWork(dom, ncpumaps, cpumaps, maplen, flags,
                                         virDomainGetVcpuPinInfoEnsureACL);
}


static int
libxlDomainGetVcpusFlags(virDomainPtr dom,
                         unsigned int flags)
{
    return libxlDomainGetVcpusFlagsWork(dom, flags,
                                        virDomainGetVcpusFlagsEnsureACL);
}


static int
libxlDomainSetVcpusFlags(virDomainPtr dom,
                         unsigned int nvcpus,
                         unsigned int flags)
{
    return libxlDomainSetVcpusFlagsWork(dom, nvcpus, flags,
                                        virDomainSetVcpusFlagsEnsureACL);
}


static int
libxlDomainPinVcpuFlags(virDomainPtr dom,
                        unsigned int vcpu,
                        unsigned char *cpumap,
                        int maplen,
                        unsigned int flags)
{
    return libxlDomainPinVcpuFlagsWork(dom, vcpu, cpumap, maplen, flags,
                                       virDomainPinVcpuFlagsEnsureACL);
}


static int
libxlDomainPinEmulator(virDomainPtr dom,
                       unsigned char *cpumap,
                       int maplen,
                       unsigned int flags)
{
    return libxlDomainPinEmulatorWork(dom, cpumap, maplen, flags,
                                      virDomainPinEmulatorEnsureACL);
}


static int
libxlDomainGetEmulatorPinInfo(virDomainPtr dom,
                              unsigned char *cpumaps,
                              int maplen,
                              unsigned int flags)
{
    return libxlDomainGetEmulatorPinInfoWork(dom, cpumaps, maplen, flags,
                                             virDomainGetEmulatorPinInfoEnsureACL);
}


static int
libxlDomainSetMemoryFlags(virDomainPtr dom,
                          unsigned long newmem,
                          unsigned int flags)
{
    return libxlDomainSetMemoryFlagsWork(dom, newmem, flags,
                                         virDomainSetMemoryFlagsEnsureACL);
}


static int
libxlDomainGetMemoryParameters(virDomainPtr dom,
                               virTypedParameterPtr params,
                               int *nparams,
                               unsigned int flags)
{
    return libxlDomainGetMemoryParametersWork(dom, params, nparams, flags,
                                              virDomainGetMemoryParametersEnsureACL);
}


static int
libxlDomainSetMemoryParameters(virDomainPtr dom,
                               virTypedParameterPtr params,
                               int nparams,
                               unsigned int flags)
{
    return libxlDomainSetMemoryParametersWork(dom, params, nparams, flags,
                                              virDomainSetMemoryParametersEnsureACL);
}


static char *
libxlDomainGetSchedulerType(virDomainPtr dom,
                            int *nparams)
{
    return libxlDomainGetSchedulerTypeWork(dom, nparams,
                                           virDomainGetSchedulerTypeEnsureACL);
}


static int
libxlDomainGetSchedulerParametersFlags(virDomainPtr dom,
                                       virTypedParameterPtr params,
                                       int *nparams,
                                       unsigned int flags)
{
    return libxlDomainGetSchedulerParametersFlagsWork(dom, params, nparams, flags,
                                                      virDomainGetSchedulerParametersFlagsEnsureACL);
}


static int
libxlDomainSetSchedulerParametersFlags(virDomainPtr dom,
                                       virTypedParameterPtr params,
                                       int nparams,
                                       unsigned int flags)
{
    return libxlDomainSetSchedulerParametersFlagsWork(dom, params, nparams, flags,
                                                      virDomainSetSchedulerParametersFlagsEnsureACL);
}


static int
libxlDomainGetNumaParameters(virDomainPtr dom,
                             virTypedParameterPtr params,
                             int *nparams,
                             unsigned int flags)
{
    return libxlDomainGetNumaParametersWork(dom, params, nparams, flags,
                                            virDomainGetNumaParametersEnsureACL);
}


static int
libxlDomainSetNumaParameters(virDomainPtr dom,
                             virTypedParameterPtr params,
                             int nparams,
                             unsigned int flags)
{
    return libxlDomainSetNumaParametersWork(dom, params, nparams, flags,
                                            virDomainSetNumaParametersEnsureACL);
}


static int
libxlDomainGetMaxVcpus(virDomainPtr dom)
{
    return libxlDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE |
                                         VIR_DOMAIN_VCPU_MAXIMUM);
}


static int
libxlDomainSetVcpus(virDomainPtr dom, unsigned int nvcpus)
{
    return libxlDomainSetVcpusFlags(dom, nvcpus, VIR_DOMAIN_AFFECT_LIVE);
}


static int
libxlDomainPinVcpu(virDomainPtr dom,
                   unsigned int vcpu,
                   unsigned char *cpumap,
                   int maplen)
{
    return libxlDomainPinVcpuFlags(dom, vcpu, cpumap, maplen,
                                   VIR_DOMAIN_AFFECT_LIVE);
}


static int
libxlDomainSetMemory(virDomainPtr dom, unsigned long newmem)
{
    return libxlDomainSetMemoryFlags(dom, newmem, VIR_DOMAIN_AFFECT_LIVE);
}


static int
libxlDomainSetMaxMemory(virDomainPtr dom, unsigned long newmem)
{
    return libxlDomainSetMemoryFlags(dom, newmem, VIR_DOMAIN_MEM_MAXIMUM);
}


static int
libxlDomainGetSchedulerParameters(virDomainPtr dom,
                                  virTypedParameterPtr params,
                                  int *nparams)
{
    return libxlDomainGetSchedulerParametersFlags(dom, params, nparams, 0);
}


static int
libxlDomainSetSchedulerParameters(virDomainPtr dom,
                                  virTypedParameterPtr params,
                                  int nparams)
{
    return libxlDomainSetSchedulerParametersFlags(dom, params, nparams, 0);
}


/* ---- snapshots (libxl_snapshot.c) ----------------------------- */

static virDomainSnapshotPtr
libxlDomainSnapshotCreateXML(virDomainPtr dom,
                             const char *xmlDesc,
                             unsigned int flags)
{
    return libxlDomainSnapshotCreateXMLWork(dom, xmlDesc, flags,
                                            virDomainSnapshotCreateXMLEnsureACL);
}


static char *
libxlDomainSnapshotGetXMLDesc(virDomainSnapshotPtr snapshot,
                              unsigned int flags)
{
    return libxlDomainSnapshotGetXMLDescWork(snapshot, flags,
                                             virDomainSnapshotGetXMLDescEnsureACL);
}


static int
libxlDomainSnapshotNum(virDomainPtr dom,
                       unsigned int flags)
{
    return libxlDomainSnapshotNumWork(dom, flags,
                                      virDomainSnapshotNumEnsureACL);
}


static int
libxlDomainSnapshotListNames(virDomainPtr dom,
                             char **names,
                             int maxnames,
                             unsigned int flags)
{
    return libxlDomainSnapshotListNamesWork(dom, names, maxnames, flags,
                                            virDomainSnapshotListNamesEnsureACL);
}


static int
libxlDomainListAllSnapshots(virDomainPtr dom,
                            virDomainSnapshotPtr **snaps,
                            unsigned int flags)
{
    return libxlDomainListAllSnapshotsWork(dom, snaps, flags,
                                           virDomainListAllSnapshotsEnsureACL);
}


static int
libxlDomainSnapshotNumChildren(virDomainSnapshotPtr snapshot,
                               unsigned int flags)
{
    return libxlDomainSnapshotNumChildrenWork(snapshot, flags,
                                              virDomainSnapshotNumChildrenEnsureACL);
}


static int
libxlDomainSnapshotListChildrenNames(virDomainSnapshotPtr snapshot,
                                     char **names,
                                     int maxnames,
                                     unsigned int flags)
{
    return libxlDomainSnapshotListChildrenNamesWork(snapshot, names, maxnames, flags,
                                                    virDomainSnapshotListChildrenNamesEnsureACL);
}


static int
libxlDomainSnapshotListAllChildren(virDomainSnapshotPtr snapshot,
                                   virDomainSnapshotPtr **snaps,
                                   unsigned int flags)
{
    return libxlDomainSnapshotListAllChildrenWork(snapshot, snaps, flags,
                                                  virDomainSnapshotListAllChildrenEnsureACL);
}


static virDomainSnapshotPtr
libxlDomainSnapshotLookupByName(virDomainPtr dom,
                                const char *name,
                                unsigned int flags)
{
    return libxlDomainSnapshotLookupByNameWork(dom, name, flags,
                                               virDomainSnapshotLookupByNameEnsureACL);
}


static int
libxlDomainHasCurrentSnapshot(virDomainPtr dom,
                              unsigned int flags)
{
    return libxlDomainHasCurrentSnapshotWork(dom, flags,
                                             virDomainHasCurrentSnapshotEnsureACL);
}


static virDomainSnapshotPtr
libxlDomainSnapshotGetParent(virDomainSnapshotPtr snapshot,
                             unsigned int flags)
{
    return libxlDomainSnapshotGetParentWork(snapshot, flags,
                                            virDomainSnapshotGetParentEnsureACL);
}


static virDomainSnapshotPtr
libxlDomainSnapshotCurrent(virDomainPtr dom,
                           unsigned int flags)
{
    return libxlDomainSnapshotCurrentWork(dom, flags,
                                          virDomainSnapshotCurrentEnsureACL);
}


static int
libxlDomainSnapshotIsCurrent(virDomainSnapshotPtr snapshot,
                             unsigned int flags)
{
    return libxlDomainSnapshotIsCurrentWork(snapshot, flags,
                                            virDomainSnapshotIsCurrentEnsureACL);
}


static int
libxlDomainSnapshotHasMetadata(virDomainSnapshotPtr snapshot,
                               unsigned int flags)
{
    return libxlDomainSnapshotHasMetadataWork(snapshot, flags,
                                              virDomainSnapshotHasMetadataEnsureACL);
}


static int
libxlDomainRevertToSnapshot(virDomainSnapshotPtr snapshot,
                            unsigned int flags)
{
    return libxlDomainRevertToSnapshotWork(snapshot, flags,
                                           virDomainRevertToSnapshotEnsureACL);
}


static int
libxlDomainSnapshotDelete(virDomainSnapshotPtr snapshot,
                          unsigned int flags)
{
    return libxlDomainSnapshotDeleteWork(snapshot, flags,
                                         virDomainSnapshotDeleteEnsureACL);
}


/* ---- consoles ----------------------------------------------------- */

static int
libxlDomainOpenConsole(virDomainPtr dom,
                       const char *dev_name,
                       virStreamPtr st,
                       unsigned int flags)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_CONSOLE_FORCE | VIR_DOMAIN_CONSOLE_SAFE, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;
    priv = vm->privateData;

    if (virDomainOpenConsoleEnsureACL(dom->conn, vm->def) < 0)
        goto cleanup;

    if (virDomainObjCheckActive(vm) < 0)
        goto cleanup;

    ret = libxlConsoleOpenDomain(cfg, vm, priv->consoles, dev_name, st, flags);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- events ------------------------------------------------------- */

static int
libxlConnectDomainEventRegister(virConnectPtr conn,
                                virConnectDomainEventCallback callback,
                                void *opaque,
                                virFreeCallback freecb)
{
    libxlDriverPrivate *driver = conn->privateData;

    if (virConnectDomainEventRegisterEnsureACL(conn) < 0)
        return -1;

    if (virDomainEventStateRegister(conn, driver->domainEventState,
                                    callback, opaque, freecb) < 0)
        return -1;
    return 0;
}


static int
libxlConnectDomainEventDeregister(virConnectPtr conn,
                                  virConnectDomainEventCallback callback)
{
    libxlDriverPrivate *driver = conn->privateData;

    if (virConnectDomainEventDeregisterEnsureACL(conn) < 0)
        return -1;

    if (virDomainEventStateDeregister(conn, driver->domainEventState,
                                      callback) < 0)
        return -1;
    return 0;
}


static int
libxlConnectDomainEventRegisterAny(virConnectPtr conn,
                                   virDomainPtr dom,
                                   int eventID,
                                   virConnectDomainEventGenericCallback callback,
                                   void *opaque,
                                   virFreeCallback freecb)
{
    libxlDriverPrivate *driver = conn->privateData;
    int ret;

    if (virConnectDomainEventRegisterAnyEnsureACL(conn) < 0)
        return -1;

    if (virDomainEventStateRegisterID(conn, driver->domainEventState, dom,
                                      eventID, callback, opaque, freecb,
                                      &ret) < 0)
        return -1;
    return ret;
}


static int
libxlConnectDomainEventDeregisterAny(virConnectPtr conn, int callbackID)
{
    libxlDriverPrivate *driver = conn->privateData;

    if (virConnectDomainEventDeregisterAnyEnsureACL(conn) < 0)
        return -1;

    if (virObjectEventStateDeregisterID(conn, driver->domainEventState,
                                        callbackID, true) < 0)
        return -1;
    return 0;
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
    .connectDomainXMLFromNative = libxlConnectDomainXMLFromNative, /* 0.9.0 */
    .connectDomainXMLToNative = libxlConnectDomainXMLToNative, /* 0.9.0 */
    .connectListDomains = libxlConnectListDomains, /* 0.9.0 */
    .connectNumOfDomains = libxlConnectNumOfDomains, /* 0.9.0 */
    .connectListAllDomains = libxlConnectListAllDomains, /* 0.9.13 */
    .domainLookupByID = libxlDomainLookupByID, /* 0.9.0 */
    .domainLookupByUUID = libxlDomainLookupByUUID, /* 0.9.0 */
    .domainLookupByName = libxlDomainLookupByName, /* 0.9.0 */
    .domainGetOSType = libxlDomainGetOSType, /* 0.9.0 */
    .domainGetMessages = libxlDomainGetMessages, /* 8.0.0 */
    .domainGetMaxMemory = libxlDomainGetMaxMemory, /* 0.9.0 */
    .domainGetInfo = libxlDomainGetInfo, /* 0.9.0 */
    .domainGetState = libxlDomainGetState, /* 0.9.2 */
    .domainGetXMLDesc = libxlDomainGetXMLDesc, /* 0.9.0 */
    .connectListDefinedDomains = libxlConnectListDefinedDomains, /* 0.9.0 */
    .connectNumOfDefinedDomains = libxlConnectNumOfDefinedDomains, /* 0.9.0 */
    .domainGetAutostart = libxlDomainGetAutostart, /* 0.9.0 */
    .nodeGetCellsFreeMemory = libxlNodeGetCellsFreeMemory, /* 0.9.0 */
    .nodeGetFreeMemory = libxlNodeGetFreeMemory, /* 0.9.0 */
    .nodeGetSecurityModel = libxlNodeGetSecurityModel, /* 1.2.16 */
    .domainHasManagedSaveImage = libxlDomainHasManagedSaveImage, /* 0.9.2 */
    .domainSave = libxlDomainSave, /* 0.9.0 */
    .domainSaveFlags = libxlDomainSaveFlags, /* 0.9.4 */
    .domainRestore = libxlDomainRestore, /* 0.9.0 */
    .domainRestoreFlags = libxlDomainRestoreFlags, /* 0.9.4 */
    .domainSaveImageGetXMLDesc = libxlDomainSaveImageGetXMLDesc, /* 9.1.0 */
    .domainSaveImageDefineXML = libxlDomainSaveImageDefineXML, /* 9.1.0 */
    .domainManagedSave = libxlDomainManagedSave, /* 0.9.2 */
    .domainManagedSaveRemove = libxlDomainManagedSaveRemove, /* 0.9.2 */
    .domainManagedSaveGetXMLDesc = libxlDomainManagedSaveGetXMLDesc, /* 9.1.0 */
    .domainManagedSaveDefineXML = libxlDomainManagedSaveDefineXML, /* 9.1.0 */
    .domainSnapshotCreateXML = libxlDomainSnapshotCreateXML, /* 9.1.0 */
    .domainSnapshotGetXMLDesc = libxlDomainSnapshotGetXMLDesc, /* 9.1.0 */
    .domainSnapshotNum = libxlDomainSnapshotNum, /* 9.1.0 */
    .domainSnapshotListNames = libxlDomainSnapshotListNames, /* 9.1.0 */
    .domainListAllSnapshots = libxlDomainListAllSnapshots, /* 9.1.0 */
    .domainSnapshotNumChildren = libxlDomainSnapshotNumChildren, /* 9.1.0 */
    .domainSnapshotListChildrenNames = libxlDomainSnapshotListChildrenNames, /* 9.1.0 */
    .domainSnapshotListAllChildren = libxlDomainSnapshotListAllChildren, /* 9.1.0 */
    .domainSnapshotLookupByName = libxlDomainSnapshotLookupByName, /* 9.1.0 */
    .domainHasCurrentSnapshot = libxlDomainHasCurrentSnapshot, /* 9.1.0 */
    .domainSnapshotGetParent = libxlDomainSnapshotGetParent, /* 9.1.0 */
    .domainSnapshotCurrent = libxlDomainSnapshotCurrent, /* 9.1.0 */
    .domainSnapshotIsCurrent = libxlDomainSnapshotIsCurrent, /* 9.1.0 */
    .domainSnapshotHasMetadata = libxlDomainSnapshotHasMetadata, /* 9.1.0 */
    .domainRevertToSnapshot = libxlDomainRevertToSnapshot, /* 9.1.0 */
    .domainSnapshotDelete = libxlDomainSnapshotDelete, /* 9.1.0 */
    .domainCoreDump = libxlDomainCoreDump, /* 0.9.2 */
    .domainCoreDumpWithFormat = libxlDomainCoreDumpWithFormat, /* 9.1.0 */
    .connectIsEncrypted = libxlConnectIsEncrypted, /* 0.9.0 */
    .connectIsSecure = libxlConnectIsSecure, /* 0.9.0 */
    .domainIsActive = libxlDomainIsActive, /* 0.9.0 */
    .domainIsPersistent = libxlDomainIsPersistent, /* 0.9.0 */
    .domainIsUpdated = libxlDomainIsUpdated, /* 0.9.0 */
    .connectIsAlive = libxlConnectIsAlive, /* 0.9.8 */
    .connectSupportsFeature = libxlConnectSupportsFeature, /* 1.1.1 */
    .nodeGetCPUMap = libxlNodeGetCPUMap, /* 1.0.0 */
    .connectGetDomainCapabilities = libxlConnectGetDomainCapabilities, /* 2.0.0 */
    .connectCompareCPU = libxlConnectCompareCPU, /* 2.3.0 */
    .connectBaselineCPU = libxlConnectBaselineCPU, /* 2.3.0 */
    .domainCreateXML = libxlDomainCreateXML, /* 0.9.0 */
    .domainSuspend = libxlDomainSuspend, /* 0.9.0 */
    .domainResume = libxlDomainResume, /* 0.9.0 */
    .domainShutdown = libxlDomainShutdown, /* 0.9.0 */
    .domainShutdownFlags = libxlDomainShutdownFlags, /* 0.9.10 */
    .domainReboot = libxlDomainReboot, /* 0.9.0 */
    .domainDestroy = libxlDomainDestroy, /* 0.9.0 */
    .domainDestroyFlags = libxlDomainDestroyFlags, /* 0.9.4 */
    .domainCreate = libxlDomainCreate, /* 0.9.0 */
    .domainCreateWithFlags = libxlDomainCreateWithFlags, /* 0.9.0 */
    .domainDefineXML = libxlDomainDefineXML, /* 0.9.0 */
    .domainDefineXMLFlags = libxlDomainDefineXMLFlags, /* 1.2.12 */
    .domainUndefine = libxlDomainUndefine, /* 0.9.0 */
    .domainUndefineFlags = libxlDomainUndefineFlags, /* 0.9.4 */
    .domainRename = libxlDomainRename, /* 1.2.19 */
    .domainSetAutostart = libxlDomainSetAutostart, /* 0.9.0 */
    .domainOpenConsole = libxlDomainOpenConsole, /* 1.1.2 */
    .connectDomainEventRegister = libxlConnectDomainEventRegister, /* 0.9.0 */
    .connectDomainEventDeregister = libxlConnectDomainEventDeregister, /* 0.9.0 */
    .connectDomainEventRegisterAny = libxlConnectDomainEventRegisterAny, /* 0.9.0 */
    .connectDomainEventDeregisterAny = libxlConnectDomainEventDeregisterAny, /* 0.9.0 */
    .domainGetJobInfo = libxlDomainGetJobInfo, /* 1.3.1 */
    .domainGetJobStats = libxlDomainGetJobStats, /* 1.3.1 */
    .domainAbortJob = libxlDomainAbortJob, /* 1.3.1 */
    .domainMigrateBegin3Params = libxlDomainMigrateBegin3Params, /* 1.2.6 */
    .domainMigratePrepare3Params = libxlDomainMigratePrepare3Params, /* 1.2.6 */
    .domainMigratePrepareTunnel3Params = libxlDomainMigratePrepareTunnel3Params, /* 3.1.0 */
    .domainMigratePerform3Params = libxlDomainMigratePerform3Params, /* 1.2.6 */
    .domainMigrateFinish3Params = libxlDomainMigrateFinish3Params, /* 1.2.6 */
    .domainMigrateConfirm3Params = libxlDomainMigrateConfirm3Params, /* 1.2.6 */
    .domainMigrateSetMaxSpeed = libxlDomainMigrateSetMaxSpeed, /* 1.2.6 */
    .domainMigrateGetMaxSpeed = libxlDomainMigrateGetMaxSpeed, /* 1.2.6 */
    .domainMigrateSetMaxDowntime = libxlDomainMigrateSetMaxDowntime, /* 1.2.6 */
    .domainMigrateGetMaxDowntime = libxlDomainMigrateGetMaxDowntime, /* 1.2.6 */
    .domainSetMetadata = libxlDomainSetMetadata, /* 1.2.2 */
    .domainGetMetadata = libxlDomainGetMetadata, /* 1.2.2 */
    /* devices: libxl_hotplug.c */
    .domainAttachDevice = libxlDomainAttachDevice, /* 0.9.2 */
    .domainAttachDeviceFlags = libxlDomainAttachDeviceFlags, /* 0.9.2 */
    .domainDetachDevice = libxlDomainDetachDevice, /* 0.9.2 */
    .domainDetachDeviceFlags = libxlDomainDetachDeviceFlags, /* 0.9.2 */
    .domainDetachDeviceAlias = libxlDomainDetachDeviceAlias, /* 4.4.0 */
    .domainUpdateDeviceFlags = libxlDomainUpdateDeviceFlags, /* 0.9.2 */
    /* tuning: libxl_tune.c */
    .domainSetMaxMemory = libxlDomainSetMaxMemory, /* 0.9.0 */
    .domainSetMemory = libxlDomainSetMemory, /* 0.9.0 */
    .domainSetMemoryFlags = libxlDomainSetMemoryFlags, /* 0.9.0 */
    .domainSetMemoryParameters = libxlDomainSetMemoryParameters, /* 9.1.0 */
    .domainGetMemoryParameters = libxlDomainGetMemoryParameters, /* 9.1.0 */
    .domainSetVcpus = libxlDomainSetVcpus, /* 0.9.0 */
    .domainSetVcpusFlags = libxlDomainSetVcpusFlags, /* 0.9.0 */
    .domainGetVcpusFlags = libxlDomainGetVcpusFlags, /* 0.9.0 */
    .domainGetMaxVcpus = libxlDomainGetMaxVcpus, /* 3.0.0 */
    .domainPinVcpu = libxlDomainPinVcpu, /* 0.9.0 */
    .domainPinVcpuFlags = libxlDomainPinVcpuFlags, /* 1.2.1 */
    .domainGetVcpus = libxlDomainGetVcpus, /* 0.9.0 */
    .domainGetVcpuPinInfo = libxlDomainGetVcpuPinInfo, /* 1.2.1 */
    .domainPinEmulator = libxlDomainPinEmulator, /* 9.1.0 */
    .domainGetEmulatorPinInfo = libxlDomainGetEmulatorPinInfo, /* 9.1.0 */
    .domainGetSchedulerType = libxlDomainGetSchedulerType, /* 0.9.0 */
    .domainGetSchedulerParameters = libxlDomainGetSchedulerParameters, /* 0.9.0 */
    .domainGetSchedulerParametersFlags = libxlDomainGetSchedulerParametersFlags, /* 0.9.2 */
    .domainSetSchedulerParameters = libxlDomainSetSchedulerParameters, /* 0.9.0 */
    .domainSetSchedulerParametersFlags = libxlDomainSetSchedulerParametersFlags, /* 0.9.2 */
    .domainGetNumaParameters = libxlDomainGetNumaParameters, /* 1.1.1 */
    .domainSetNumaParameters = libxlDomainSetNumaParameters, /* 9.1.0 */
    /* statistics: libxl_stats.c */
    .connectGetAllDomainStats = libxlConnectGetAllDomainStats, /* 1.2.8 */
    .domainBlockStats = libxlDomainBlockStats, /* 2.1.0 */
    .domainBlockStatsFlags = libxlDomainBlockStatsFlags, /* 2.1.0 */
    .domainGetBlockInfo = libxlDomainGetBlockInfo, /* 9.1.0 */
    .domainGetDiskErrors = libxlDomainGetDiskErrors, /* 9.1.0 */
    .domainInterfaceStats = libxlDomainInterfaceStats, /* 1.3.2 */
    .domainInterfaceAddresses = libxlDomainInterfaceAddresses, /* 1.3.5 */
    .domainMemoryStats = libxlDomainMemoryStats, /* 1.3.0 */
    .domainSetMemoryStatsPeriod = libxlDomainSetMemoryStatsPeriod, /* 9.1.0 */
    .domainGetCPUStats = libxlDomainGetCPUStats, /* 1.3.0 */
    .nodeGetCPUStats = libxlNodeGetCPUStats, /* 9.1.0 */
    .nodeGetMemoryStats = libxlNodeGetMemoryStats, /* 9.1.0 */
    /* host devices: libxl_hostdev.c */
    .nodeDeviceDettach = libxlNodeDeviceDettach, /* 1.2.3 */
    .nodeDeviceDetachFlags = libxlNodeDeviceDetachFlags, /* 1.2.3 */
    .nodeDeviceReAttach = libxlNodeDeviceReAttach, /* 1.2.3 */
    .nodeDeviceReset = libxlNodeDeviceReset, /* 1.2.3 */
    /* guest controls: libxl_guest.c */
    .domainSendKey = libxlDomainSendKey, /* 9.1.0 */
    .domainInjectNMI = libxlDomainInjectNMI, /* 9.1.0 */
    .domainReset = libxlDomainReset, /* 9.1.0 */
    .domainScreenshot = libxlDomainScreenshot, /* 9.1.0 */
    .domainGetTime = libxlDomainGetTime, /* 9.1.0 */
    .domainSetTime = libxlDomainSetTime, /* 9.1.0 */
    .domainSetLifecycleAction = libxlDomainSetLifecycleAction, /* 9.1.0 */
    .domainPMSuspendForDuration = libxlDomainPMSuspendForDuration, /* 4.8.0 */
    .domainPMWakeup = libxlDomainPMWakeup, /* 4.8.0 */
    .domainBlockResize = libxlDomainBlockResize, /* 9.1.0 */
};


static virConnectDriver libxlConnectDriver = {
    .localOnly = true,
    .uriSchemes = (const char *[]){ "xen", NULL },
    .hypervisorDriver = &libxlHypervisorDriver,
};

static virStateDriver libxlStateDriver = {
    .name = LIBXL_DRIVER_INTERNAL_NAME,
    .stateInitialize = libxlStateInitialize,
    .stateCleanup = libxlStateCleanup,
    .stateShutdownPrepare = libxlStateShutdownPrepare,
    .stateShutdownWait = libxlStateShutdownWait,
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

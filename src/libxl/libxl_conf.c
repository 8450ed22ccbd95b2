/*
 * libxl_conf.c: the libxl driver's configuration and shared state
 *
 * The driver configuration object holds the paths the driver uses, the
 * settings of libxl.conf, the driver-wide libxl context with its logger,
 * and the host capabilities.  It is reference counted: an API takes a
 * reference with libxlDriverConfigGet() and drops it when done.
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
#include "virconf.h"
#include "virfile.h"
#include "virlog.h"
#include "virstring.h"
#include "virarch.h"
#include "libxl_conf.h"
#include "libxl_child.h"
#include "libxl_osevent.h"
#include "libxl_migration.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_conf");

static virClass *libxlDriverConfigClass;
static void libxlDriverConfigDispose(void *obj);

static int
libxlConfigOnceInit(void)
{
    if (!VIR_CLASS_NEW(libxlDriverConfig, virClassForObject()))
        return -1;

    return 0;
}

VIR_ONCE_GLOBAL_INIT(libxlConfig);


static void
libxlDriverConfigDispose(void *obj)
{
    libxlDriverConfig *cfg = obj;

    virObjectUnref(cfg->caps);
    /* no libxl callback may reach the context once it is freed; the
     * context logs through the logger and deregisters its fds and
     * timeouts through the bridge: free it first */
    libxlEventBridgeDetach(cfg->bridge);
    libxl_ctx_free(cfg->ctx);
    libxlEventBridgeUnref(cfg->bridge);
    libxlLoggerFree(cfg->logger);

    g_free(cfg->lockManagerName);
    g_free(cfg->configBaseDir);
    g_free(cfg->configDir);
    g_free(cfg->autostartDir);
    g_free(cfg->logDir);
    g_free(cfg->stateDir);
    g_free(cfg->libDir);
    g_free(cfg->saveDir);
    g_free(cfg->autoDumpDir);
    g_free(cfg->channelDir);
    virFirmwareFreeList(cfg->firmwares, cfg->nfirmwares);
}


static void
libxlDriverConfigAddFirmware(libxlDriverConfig *cfg, const char *name)
{
    virFirmware *fw = g_new0(virFirmware, 1);

    fw->name = g_strdup(name);
    VIR_APPEND_ELEMENT(cfg->firmwares, cfg->nfirmwares, fw);
}


/*
 * libxlDriverConfigNew:
 * A configuration with the default paths and settings, no libxl context.
 */
libxlDriverConfig *
libxlDriverConfigNew(void)
{
    libxlDriverConfig *cfg;

    if (libxlConfigInitialize() < 0)
        return NULL;

    if (!(cfg = virObjectNew(libxlDriverConfigClass)))
        return NULL;

    cfg->configBaseDir = g_strdup(LIBXL_CONFIG_BASE_DIR);
    cfg->configDir = g_strdup(LIBXL_CONFIG_DIR);
    cfg->autostartDir = g_strdup(LIBXL_AUTOSTART_DIR);
    cfg->logDir = g_strdup(LIBXL_LOG_DIR);
    cfg->stateDir = g_strdup(LIBXL_STATE_DIR);
    cfg->libDir = g_strdup(LIBXL_LIB_DIR);
    cfg->saveDir = g_strdup(LIBXL_SAVE_DIR);
    cfg->autoDumpDir = g_strdup(LIBXL_DUMP_DIR);
    cfg->channelDir = g_strdup(LIBXL_CHANNEL_DIR);

    /* HVM firmware: UEFI (OVMF) and the BIOS loader */
    libxlDriverConfigAddFirmware(cfg, LIBXL_OVMF);
    libxlDriverConfigAddFirmware(cfg, LIBXL_HVMLOADER);

    cfg->autoballoon = true;
    cfg->keepAliveInterval = 5;
    cfg->keepAliveCount = 5;
    cfg->jobWaitMs = LIBXL_JOB_WAIT_MS;
    cfg->migrationPortMin = LIBXL_MIGRATION_PORT_MIN;
    cfg->migrationPortMax = LIBXL_MIGRATION_PORT_MAX;

    return cfg;
}


/*
 * libxlDriverConfigGetDir:
 * The directory setting @key of libxl.conf into *@dir, if it is there:
 * an absolute path.
 */
static int
libxlDriverConfigGetDir(virConf *conf,
                        const char *filename,
                        const char *key,
                        char **dir)
{
    g_autofree char *value = NULL;
    int rc;

    if ((rc = virConfGetValueString(conf, key, &value)) <= 0)
        return rc;
    if (!g_path_is_absolute(value)) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%s: %s must be an absolute path, not '%s'"),
                       filename, key, value);
        return -1;
    }
    g_free(*dir);
    *dir = g_steal_pointer(&value);
    return 0;
}


/*
 * libxlDriverConfigLoadFile:
 * Read the settings of libxl.conf from @filename; a missing file leaves
 * the defaults.
 */
int
libxlDriverConfigLoadFile(libxlDriverConfig *cfg, const char *filename)
{
    g_autoptr(virConf) conf = NULL;
    unsigned int jobWait = 0;

    if (!virFileExists(filename))
        return 0;

    if (!(conf = virConfReadFile(filename, 0)))
        return -1;

    if (virConfGetValueBool(conf, "autoballoon", &cfg->autoballoon) < 0)
        return -1;

    if (virConfGetValueString(conf, "lock_manager", &cfg->lockManagerName) < 0)
        return -1;

    if (virConfGetValueInt(conf, "keepalive_interval",
                           &cfg->keepAliveInterval) < 0)
        return -1;

    if (virConfGetValueUInt(conf, "keepalive_count",
                            &cfg->keepAliveCount) < 0)
        return -1;

    if (virConfGetValueBool(conf, "nested_hvm", &cfg->nestedHVM) < 0)
        return -1;

    if (virConfGetValueUInt(conf, "job_wait_time", &jobWait) < 0)
        return -1;

    if (libxlDriverConfigGetDir(conf, filename, "save_image_dir", &cfg->saveDir) < 0 ||
        libxlDriverConfigGetDir(conf, filename, "auto_dump_path", &cfg->autoDumpDir) < 0)
        return -1;
    if (jobWait > 0)
        cfg->jobWaitMs = jobWait * 1000ULL;

    if (virConfGetValueUInt(conf, "migration_portmin", &cfg->migrationPortMin) < 0 ||
        virConfGetValueUInt(conf, "migration_portmax", &cfg->migrationPortMax) < 0)
        return -1;
    if (cfg->migrationPortMin == 0 || cfg->migrationPortMax > 65535 ||
        cfg->migrationPortMin > cfg->migrationPortMax) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("%s: the migration port range %u..%u is not one of ports"),
                       filename, cfg->migrationPortMin, cfg->migrationPortMax);
        return -1;
    }

    return 0;
}


/*
 * libxlVersionFromInfo:
 * The Xen version as libvirt reports it: major * 1000000 + minor * 1000 +
 * micro, the micro number read from xen_version_extra (".1-pre" -> 1).
 */
unsigned long
libxlVersionFromInfo(const libxl_version_info *info)
{
    unsigned long micro = 0;
    const char *extra = info->xen_version_extra;
    char *end;

    if (extra && *extra == '.')
        extra++;
    if (extra && g_ascii_isdigit(*extra))
        ignore_value(virStrToLong_ul(extra, &end, 10, &micro));

    return info->xen_version_major * 1000000UL +
        info->xen_version_minor * 1000UL + micro;
}


/*
 * libxlDriverConfigInit:
 * Create the log directory, the logger and the driver-wide libxl context,
 * and read the Xen version.
 */
int
libxlDriverConfigInit(libxlDriverConfig *cfg)
{
    if (g_mkdir_with_parents(cfg->logDir, 0777) < 0) {
        virReportSystemError(errno, _("failed to create log dir '%s'"),
                             cfg->logDir);
        return -1;
    }

    if (!(cfg->logger = libxlLoggerNew(cfg->logDir,
                                       virLogGetDefaultPriority())))
        return -1;

    if (libxl_ctx_alloc(&cfg->ctx, LIBXL_VERSION, 0,
                        libxlLoggerGetXTL(cfg->logger)) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot create a libxenlight context"));
        cfg->ctx = NULL;
        return -1;
    }

    /* before any other libxl call on the context: the event-loop hooks
     * (libxl_osevent.c) and the child process mode (libxl_child.c) */
    cfg->bridge = libxlEventBridgeNew();
    libxlEventBridgeAttach(cfg->bridge, cfg->ctx);
    libxlChildSetMode(cfg->ctx);

    if (!(cfg->verInfo = libxl_get_version_info(cfg->ctx))) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot get version information from libxenlight"));
        return -1;
    }
    cfg->version = libxlVersionFromInfo(cfg->verInfo);

    return 0;
}


libxlDriverConfig *
libxlDriverConfigGet(libxlDriverPrivate *driver)
{
    libxlDriverConfig *cfg;

    virMutexLock(&driver->lock);
    cfg = virObjectRef(driver->config);
    virMutexUnlock(&driver->lock);
    return cfg;
}


/*
 * libxlNodeInfoFromPhysinfo:
 * Fill @info from libxl's view of the host.  libvirt's sockets field is
 * the number of sockets per NUMA node.
 */
int
libxlNodeInfoFromPhysinfo(const libxl_physinfo *phy,
                          const libxl_version_info *ver,
                          virNodeInfoPtr info)
{
    const char *model = virArchToString(virArchFromHost());
    unsigned int nodes = phy->nr_nodes ? phy->nr_nodes : 1;
    unsigned int cores = phy->cores_per_socket ? phy->cores_per_socket : 1;
    unsigned int threads = phy->threads_per_core ? phy->threads_per_core : 1;
    unsigned long pagekb = ver && ver->pagesize ? ver->pagesize / 1024 : 4;

    memset(info, 0, sizeof(*info));
    if (virStrcpyStatic(info->model, model) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("host arch '%s' is too long"), model);
        return -1;
    }

    info->memory = phy->total_pages * pagekb;
    info->cpus = phy->nr_cpus;
    info->mhz = phy->cpu_khz / 1000;
    info->nodes = nodes;
    info->cores = cores;
    info->threads = threads;
    info->sockets = phy->nr_cpus / (nodes * cores * threads);
    if (info->sockets == 0)
        info->sockets = 1;

    return 0;
}


int
libxlDriverNodeGetInfo(libxlDriverPrivate *driver, virNodeInfoPtr info)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_physinfo phy;
    int ret = -1;

    libxl_physinfo_init(&phy);
    if (libxl_get_physinfo(cfg->ctx, &phy) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_physinfo failed"));
        goto cleanup;
    }

    ret = libxlNodeInfoFromPhysinfo(&phy, cfg->verInfo, info);

 cleanup:
    libxl_physinfo_dispose(&phy);
    return ret;
}

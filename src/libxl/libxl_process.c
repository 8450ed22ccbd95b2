/*
 * libxl_process.c: starting, stopping and reconnecting to domains;
 * libxl's domain events and the on_poweroff/on_reboot/on_crash actions
 *
 * Starting a domain (libxlProcessStart) and destroying it
 * (libxlProcessDestroy) are libxl asynchronous operations waited for
 * with the domain unlocked (libxl_domain.c); the caller holds the
 * domain's job.  Every way a domain stops ends in libxlProcessStopped,
 * which cleans up and queues the one STOPPED event, and only for a
 * domain that is still active with the domid the news is about: a
 * domain's death is reported once, whoever notices it first.
 *
 * libxl's domain events (the death watch of each running domain:
 * DOMAIN_SHUTDOWN with a reason, DOMAIN_DEATH) arrive on the event
 * loop's thread, inside a libxl call.  They are only queued there; a
 * worker pool handles them, taking the domain's job like an API call
 * (libxlProcessHandleEvent).  The timeline of a guest's poweroff:
 *   guest powers off -> libxl DOMAIN_SHUTDOWN(poweroff) -> event loop:
 *   libxlProcessEventOccurs queues it -> worker: job, SHUTDOWN event,
 *   on_poweroff (destroy: libxl_domain_destroy AO, cleanup, STOPPED
 *   event) -> end job.
 *
 * On daemon start, libxlProcessReconnectAll matches the status XML of
 * the domains that were running with what libxl lists, re-arms their
 * death watches and cleans up the ones that vanished meanwhile.
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
#include "domain_event.h"
#include "virclosecallbacks.h"
#include "virerror.h"
#include "virfile.h"
#include "virhook.h"
#include "virlog.h"
#include "virthread.h"
#include "virtime.h"
#include "viruuid.h"
#include "libxl_build.h"
#include "libxl_domain.h"
#include "libxl_host.h"
#include "libxl_hotplug.h"
#include "libxl_migration.h"
#include "libxl_process.h"
#include "libxl_save.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_process");


void
libxlProcessQueueEvent(libxlDriverPrivate *driver, virObjectEvent *event)
{
    if (event)
        virObjectEventStateQueue(driver->domainEventState, event);
}


/* ---- hooks -------------------------------------------------------- */

/*
 * libxlProcessHook:
 * Run the libxl hook script (/etc/libvirt/hooks/libxl) for @op, feeding
 * it the domain XML.  Returns the script's failure only when @fatal.
 */
static int
libxlProcessHook(libxlDriverPrivate *driver,
                 virDomainObj *vm,
                 int op,
                 int subop,
                 bool fatal)
{
    g_autofree char *xml = NULL;

    if (!virHookPresent(VIR_HOOK_DRIVER_LIBXL))
        return 0;

    if (!(xml = virDomainDefFormat(vm->def, driver->xmlopt, 0)))
        return fatal ? -1 : 0;

    if (virHookCall(VIR_HOOK_DRIVER_LIBXL, vm->def->name, op, subop,
                    NULL, xml, NULL) < 0) {
        if (fatal)
            return -1;
        VIR_WARN("the libxl hook script failed for domain '%s': %s",
                 vm->def->name, virGetLastErrorMessage());
        virResetLastError();
    }
    return 0;
}


/*
 * libxlProcessInhibit:
 * Count a domain starting (@start) or stopping: while any runs, the
 * daemon does not shut down when idle.
 */
static void
libxlProcessInhibit(libxlDriverPrivate *driver, bool start)
{
    if (start) {
        if (g_atomic_int_add(&driver->nactive, 1) == 0 && driver->inhibitCallback)
            driver->inhibitCallback(true, driver->inhibitOpaque);
    } else {
        if (g_atomic_int_dec_and_test(&driver->nactive) && driver->inhibitCallback)
            driver->inhibitCallback(false, driver->inhibitOpaque);
    }
}


/* ---- death watches ------------------------------------------------ */

static int
libxlProcessWatchDeath(libxlDriverConfig *cfg, virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    if (priv->deathW)
        return 0;

    /* the user value is the domid: an event of a watch disabled since
     * finds no active domain with that id and is dropped */
    if (libxl_evenable_domain_death(cfg->ctx, vm->def->id, vm->def->id,
                                    &priv->deathW) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR,
                         _("cannot watch domain '%s' (id %d) for death"),
                         vm->def->name, vm->def->id);
        priv->deathW = NULL;
        return -1;
    }
    return 0;
}


static void
libxlProcessUnwatchDeath(libxlDriverConfig *cfg, virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    if (!priv->deathW)
        return;
    libxl_evdisable_domain_death(cfg->ctx, priv->deathW);
    priv->deathW = NULL;
}


/*
 * libxlProcessRewatchDeath:
 * A new death watch for the running @vm: a watch reports one shutdown,
 * and a guest that a failed save suspended and libxl resumed runs on,
 * its next shutdown unreported by the old one.
 */
int
libxlProcessRewatchDeath(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    libxlProcessUnwatchDeath(cfg, vm);
    return libxlProcessWatchDeath(cfg, vm);
}


/* ---- cleanup ------------------------------------------------------ */

/* for the close callbacks, which get no opaque; set once at init,
 * cleared at teardown */
static libxlDriverPrivate *libxlProcessDriver;
/* the daemon is stopping (libxlProcessEventsStop) */
static int libxlProcessStopping;

static void libxlProcessAutodestroy(virDomainObj *vm, virConnectPtr conn);

/*
 * libxlProcessCleanup:
 * Forget the running domain: state shutoff with @reason, no domid, no
 * status file, the persistent definition back in place; a transient
 * domain leaves the list.  @vm is locked, with a job.
 */
void
libxlProcessCleanup(libxlDriverPrivate *driver,
                    virDomainObj *vm,
                    virDomainShutoffReason reason)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;

    libxlProcessUnwatchDeath(cfg, vm);
    /* console clients read the end of their streams */
    libxlConsolesCloseAll(priv->consoles);
    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_STOPPED,
                     VIR_HOOK_SUBOP_END, false);
    libxlHostRelease(driver, vm);

    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, reason);
    vm->def->id = -1;
    libxlDomainStatusJobClear(vm);

    if (virDomainDeleteConfig(cfg->stateDir, NULL, vm) < 0) {
        VIR_WARN("cannot remove the status of domain '%s'", vm->def->name);
        virResetLastError();
    }

    virCloseCallbacksDomainRemove(vm, NULL, libxlProcessAutodestroy);

    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_RELEASE,
                     VIR_HOOK_SUBOP_END, false);

    if (vm->newDef) {
        virDomainObjAssignDef(vm, &vm->newDef, false, NULL);
        vm->def->id = -1;
    }

    libxlProcessInhibit(driver, false);
}


/*
 * libxlProcessStopped:
 * A domain stopped: clean up and queue the STOPPED event (once: a
 * domain already cleaned up is left alone).  A transient domain is
 * removed from the list.
 */
void
libxlProcessStopped(libxlDriverPrivate *driver,
                    virDomainObj *vm,
                    virDomainShutoffReason reason,
                    int eventDetail)
{
    virObjectEvent *event;

    if (!virDomainObjIsActive(vm))
        return;

    libxlProcessCleanup(driver, vm, reason);
    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STOPPED,
                                              eventDetail);
    libxlProcessQueueEvent(driver, event);

    if (!vm->persistent)
        virDomainObjListRemove(driver->domains, vm);
}


/* ---- destroy ------------------------------------------------------ */

/*
 * libxlProcessDestroy:
 * Destroy the running domain in Xen (no cleanup, no event).  Its death
 * watch goes first: the destruction's own DEATH event is not news.
 */
int
libxlProcessDestroy(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    int rc;

    libxlProcessUnwatchDeath(cfg, vm);
    libxlLoggerResetLastError();
    rc = libxlDomainAORun(vm, cfg->ctx, "destroy", libxlDomainAODestroy, NULL);
    if (rc != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("failed to destroy domain '%s' (id %d)"),
                         vm->def->name, vm->def->id);
        /* it still runs: keep watching it */
        if (virDomainObjIsActive(vm))
            ignore_value(libxlProcessWatchDeath(cfg, vm));
        return -1;
    }
    return 0;
}


/*
 * What the event workers do: handle a libxl event, or destroy a domain
 * whose autodestroy connection closed.
 */
typedef struct {
    uint32_t domid;             /* drain the event queue of this domid */
    virDomainObj *vm;           /* or autodestroy this domain */
} libxlProcessWork;

static int libxlProcessQueueWork(libxlDriverPrivate *driver,
                                 uint32_t domid,
                                 virDomainObj *vm);


/*
 * libxlProcessAutodestroy:
 * The close callback of a domain started with autodestroy.  It runs on
 * the event loop's thread (the client went away) with @vm locked: the
 * destruction, which waits for libxl through that very loop, goes to a
 * worker.
 */
static void
libxlProcessAutodestroy(virDomainObj *vm, virConnectPtr conn G_GNUC_UNUSED)
{
    if (!libxlProcessDriver)
        return;

    VIR_INFO("autodestroying domain '%s'", vm->def->name);
    libxlProcessQueueWork(libxlProcessDriver, INVALID_DOMID, virObjectRef(vm));
}


static void
libxlProcessAutodestroyWork(libxlDriverPrivate *driver, virDomainObj *vm)
{
    virObjectLock(vm);
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_DESTROY, "autodestroy") < 0) {
        VIR_WARN("cannot autodestroy domain '%s': %s", vm->def->name,
                 virGetLastErrorMessage());
        virResetLastError();
        goto out;
    }
    if (virDomainObjIsActive(vm) && libxlProcessDestroy(driver, vm) == 0)
        libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                            VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    virResetLastError();
    libxlDomainObjEndJob(vm);
 out:
    virDomainObjEndAPI(&vm);
}


/* ---- start -------------------------------------------------------- */

typedef struct {
    libxl_domain_config *d_config;
    uint32_t *domid;
    /* a restore: libxl's stream, and its version (the image header's) */
    int restoreFd;
    int restoreVersion;
} libxlProcessCreateArgs;

static int
libxlProcessCreateFunc(libxl_ctx *ctx,
                       uint32_t domid G_GNUC_UNUSED,
                       const libxl_asyncop_how *how,
                       void *opaque)
{
    libxlProcessCreateArgs *args = opaque;
    libxl_domain_restore_params params;
    int rc;

    if (args->restoreFd < 0)
        return libxl_domain_create_new(ctx, args->d_config, args->domid, how, NULL);

    libxl_domain_restore_params_init(&params);
    params.stream_version = args->restoreVersion;
    rc = libxl_domain_create_restore(ctx, args->d_config, args->domid,
                                     args->restoreFd, -1, &params, how, NULL);
    libxl_domain_restore_params_dispose(&params);
    return rc;
}


void
libxlProcessBuildParams(libxlDriverConfig *cfg, libxlBuildParams *params)
{
    memset(params, 0, sizeof(*params));
    params->nestedHVM = cfg->nestedHVM;
    params->hostCPU = cfg->caps ? cfg->caps->host.cpu : NULL;
    params->channelDir = cfg->channelDir;
    params->ovmfPath = LIBXL_OVMF;
    params->autoballoon = cfg->autoballoon;
}


/*
 * libxlProcessLaunch (libxlProcessStart, libxlProcessRestore):
 * Start the inactive @vm, booting it or from a save image: hooks, libxl configuration, the create AO
 * (domain unlocked), consoles, death watch, unpause unless
 * LIBXL_PROCESS_START_PAUSED, status XML.  @vm is locked with a job; on
 * failure it is left inactive as it was (the caller removes a transient
 * one).  The caller queues the STARTED event.
 */
/*
 * libxlProcessSetIfnames:
 * The names Domain-0 gives the running domain's interfaces, in its live
 * definition: the one its <target dev> asked for, else netback's
 * "vif<domid>.<devid>" (libxl numbered the PV interfaces in order).
 * domiflist shows them, domifstat and the statistics find them.
 */
static void
libxlProcessSetIfnames(virDomainDef *def, const libxl_domain_config *d_config)
{
    size_t i;
    int n = 0;

    for (i = 0; i < def->nnets; i++) {
        virDomainNetDef *net = def->nets[i];

        if (virDomainNetGetActualType(net) == VIR_DOMAIN_NET_TYPE_HOSTDEV)
            continue;
        if (n < d_config->num_nics && !net->ifname)
            net->ifname = g_strdup_printf("vif%d.%d", def->id,
                                          d_config->nics[n].devid);
        n++;
    }
}


static int
libxlProcessLaunch(libxlDriverPrivate *driver,
                   virDomainObj *vm,
                   virConnectPtr conn,
                   unsigned int flags,
                   int restoreFd,
                   int restoreVersion)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;
    libxl_domain_config d_config;
    libxlBuildParams params;
    libxlProcessCreateArgs args;
    uint32_t domid = INVALID_DOMID;
    int rc;
    int ret = -1;

    libxl_domain_config_init(&d_config);

    if (virDomainObjIsActive(vm)) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is already running"), vm->def->name);
        goto out;
    }

    /* its status, log and dumps are files named after it */
    if (libxlDomainNameCheck(vm->def->name) < 0)
        goto out;

    if (virDomainObjSetDefTransient(driver->xmlopt, vm, NULL) < 0)
        goto out;
    libxlConsoleAssignAliases(vm->def);
    libxlHotplugAssignAliases(vm->def);
    /* every run publishes its own ptys (a restart keeps the live def) */
    libxlConsoleClearPaths(vm->def);

    if (libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_PREPARE,
                         VIR_HOOK_SUBOP_BEGIN, true) < 0)
        goto out_restore_def;

    /* the lease, storage volumes, network ports (libxl_host.c) */
    if (libxlHostPrepare(driver, vm) < 0)
        goto out_hooks;

    libxlProcessBuildParams(cfg, &params);
    libxlHostBuildParams(driver, &params);
    libxlLoggerResetLastError();
    if (libxlBuildDomainConfig(vm->def, &params, cfg->ctx, &d_config) < 0)
        goto out_release;

    if (libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_START,
                         VIR_HOOK_SUBOP_BEGIN, true) < 0)
        goto out_release;

    /* a daemon dying during the build leaves a domain that only its uuid
     * names (the domid comes with the completion): the status says a
     * start was in progress, for the next daemon to destroy it */
    libxlDomainStatusJobSet(driver, vm, "start", NULL, NULL, false, false);

    args.d_config = &d_config;
    args.domid = &domid;
    args.restoreFd = restoreFd;
    args.restoreVersion = restoreVersion;
    libxlLoggerResetLastError();
    rc = libxlDomainAORun(vm, cfg->ctx, restoreFd < 0 ? "start" : "restore",
                          libxlProcessCreateFunc, &args);
    if (rc != 0) {
        if (rc == ERROR_ABORTED)
            libxlReportError(VIR_ERR_OPERATION_ABORTED,
                             restoreFd < 0 ?
                             _("starting domain '%s' was aborted") :
                             _("restoring domain '%s' was aborted"),
                             vm->def->name);
        else
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             restoreFd < 0 ?
                             _("libxenlight failed to create domain '%s'") :
                             _("libxenlight failed to restore domain '%s'"),
                             vm->def->name);
        goto out_destroy;
    }

    vm->def->id = domid;
    libxlProcessSetIfnames(vm->def, &d_config);
    libxlConsoleSetPaths(cfg, vm);
    /* No status write here: a daemon dying from here on still finds the
     * "start" the status recorded before the build, and destroys the
     * domain its uuid names (libxlProcessReconnectBuilding), as it would
     * by this domid: one XML formatting and file rewrite less a start. */

    if (libxlProcessWatchDeath(cfg, vm) < 0 ||
        libxlHostResume(driver, vm) < 0)
        goto out_destroy;

    if (!(flags & LIBXL_PROCESS_START_PAUSED)) {
        libxlLoggerResetLastError();
        if (libxlDomainAORun(vm, cfg->ctx, "start", libxlDomainAOUnpause,
                             NULL) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot unpause domain '%s'"), vm->def->name);
            goto out_destroy;
        }
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING,
                             restoreFd < 0 ? VIR_DOMAIN_RUNNING_BOOTED :
                             VIR_DOMAIN_RUNNING_RESTORED);
    } else {
        virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    }

    libxlProcessInhibit(driver, true);

    if ((flags & LIBXL_PROCESS_START_AUTODESTROY) && conn)
        virCloseCallbacksDomainAdd(vm, conn, libxlProcessAutodestroy);

    libxlDomainStatusJobClear(vm);
    libxlDomainSaveStatus(driver, vm);

    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_STARTED,
                     VIR_HOOK_SUBOP_BEGIN, false);
    ret = 0;
    goto out;

 out_destroy:
    {
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        libxlProcessUnwatchDeath(cfg, vm);
        if (domid != INVALID_DOMID) {
            vm->def->id = domid;
            if (libxlDomainAORun(vm, cfg->ctx, "destroy",
                                 libxlDomainAODestroy, NULL) != 0)
                VIR_WARN("cannot destroy the half-started domain %u", domid);
        }
        virErrorRestore(&saved);
    }
 out_release:
    libxlHostRelease(driver, vm);
 out_hooks:
    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_STOPPED,
                     VIR_HOOK_SUBOP_END, false);
    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_RELEASE,
                     VIR_HOOK_SUBOP_END, false);
 out_restore_def:
    if (priv->statusJob) {
        libxlDomainStatusJobClear(vm);
        ignore_value(virDomainDeleteConfig(cfg->stateDir, NULL, vm));
    }
    vm->def->id = -1;
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    if (vm->newDef) {
        virDomainObjAssignDef(vm, &vm->newDef, false, NULL);
        vm->def->id = -1;
    }
 out:
    libxl_domain_config_dispose(&d_config);
    return ret;
}


int
libxlProcessStart(libxlDriverPrivate *driver,
                  virDomainObj *vm,
                  virConnectPtr conn,
                  unsigned int flags)
{
    return libxlProcessLaunch(driver, vm, conn, flags, -1, 0);
}


/*
 * libxlProcessRestore:
 * libxlProcessStart from the libxl stream (version @version) that
 * @restoreFd is positioned at, a save image's: the domain comes back
 * where it was saved, running (RUNNING_RESTORED) unless
 * LIBXL_PROCESS_START_PAUSED.
 */
int
libxlProcessRestore(libxlDriverPrivate *driver,
                    virDomainObj *vm,
                    virConnectPtr conn,
                    unsigned int flags,
                    int restoreFd,
                    int version)
{
    return libxlProcessLaunch(driver, vm, conn, flags, restoreFd, version);
}


/* ---- shutdown actions --------------------------------------------- */

/*
 * libxlShutdownPlanFor:
 * poweroff -> on_poweroff, reboot and soft_reset -> on_reboot, crash and
 * watchdog -> on_crash; suspend -> none (the guest is suspended and
 * stays so).  A restart of a reboot is a reboot (REBOOT event, no
 * lifecycle event); other stops end in one STOPPED event.
 */
void
libxlShutdownPlanFor(const virDomainDef *def,
                     libxl_shutdown_reason reason,
                     libxlShutdownPlan *plan)
{
    memset(plan, 0, sizeof(*plan));
    plan->eventType = -1;
    plan->shutoffReason = VIR_DOMAIN_SHUTOFF_SHUTDOWN;
    plan->stoppedDetail = VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN;
    plan->preserveState = VIR_DOMAIN_SHUTDOWN;
    plan->preserveReason = VIR_DOMAIN_SHUTDOWN_USER;

    switch ((int) reason) {
    case LIBXL_SHUTDOWN_REASON_POWEROFF:
        plan->action = def->onPoweroff;
        plan->eventType = VIR_DOMAIN_EVENT_SHUTDOWN;
        plan->eventDetail = VIR_DOMAIN_EVENT_SHUTDOWN_GUEST;
        break;
    case LIBXL_SHUTDOWN_REASON_REBOOT:
    case LIBXL_SHUTDOWN_REASON_SOFT_RESET:
        plan->action = def->onReboot;
        plan->reboot = true;
        break;
    case LIBXL_SHUTDOWN_REASON_CRASH:
    case LIBXL_SHUTDOWN_REASON_WATCHDOG:
        plan->action = def->onCrash;
        plan->eventType = VIR_DOMAIN_EVENT_CRASHED;
        plan->eventDetail = VIR_DOMAIN_EVENT_CRASHED_PANICKED;
        plan->shutoffReason = VIR_DOMAIN_SHUTOFF_CRASHED;
        plan->stoppedDetail = VIR_DOMAIN_EVENT_STOPPED_CRASHED;
        plan->preserveState = VIR_DOMAIN_CRASHED;
        plan->preserveReason = VIR_DOMAIN_CRASHED_PANICKED;
        break;
    case LIBXL_SHUTDOWN_REASON_SUSPEND:
        plan->action = VIR_DOMAIN_LIFECYCLE_ACTION_LAST;
        plan->eventType = VIR_DOMAIN_EVENT_PMSUSPENDED;
        plan->eventDetail = VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY;
        plan->preserveState = VIR_DOMAIN_PMSUSPENDED;
        plan->preserveReason = VIR_DOMAIN_PMSUSPENDED_UNKNOWN;
        break;
    case LIBXL_SHUTDOWN_REASON_UNKNOWN:
    default:
        plan->action = def->onPoweroff;
        plan->eventType = VIR_DOMAIN_EVENT_SHUTDOWN;
        plan->eventDetail = VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED;
        break;
    }
}


static int
libxlProcessDumpFunc(libxl_ctx *ctx,
                     uint32_t domid,
                     const libxl_asyncop_how *how,
                     void *opaque)
{
    return libxl_domain_core_dump(ctx, domid, opaque, how);
}


static void
libxlProcessCoreDump(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(GDateTime) now = g_date_time_new_now_local();
    g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%d-%H:%M:%S");
    g_autofree char *path = g_strdup_printf("%s/%s-%s", cfg->autoDumpDir,
                                            vm->def->name, stamp);

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "dump", libxlProcessDumpFunc, path) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("cannot dump the core of domain '%s' to '%s'"),
                         vm->def->name, path);
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
    }
}


/*
 * libxlProcessRestart:
 * Destroy the domain (or, with @rename, keep it under another name) and
 * start it again from the definition it ran with.  The domain stays active
 * from the client's view; a failed start stops it for good.
 */
static void
libxlProcessRestart(libxlDriverPrivate *driver,
                    virDomainObj *vm,
                    bool rename)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    bool persistent = vm->persistent;

    if (rename) {
        g_autofree char *newname = g_strdup_printf("%s-%d", vm->def->name,
                                                   vm->def->id);

        libxlProcessUnwatchDeath(cfg, vm);
        if (libxl_domain_rename(cfg->ctx, vm->def->id, vm->def->name,
                                newname) != 0) {
            libxlReportError(VIR_ERR_OPERATION_FAILED,
                             _("cannot rename domain '%s' to '%s'"),
                             vm->def->name, newname);
            VIR_WARN("%s", virGetLastErrorMessage());
            virResetLastError();
            if (libxlProcessDestroy(driver, vm) < 0)
                return;
        }
    } else if (libxlProcessDestroy(driver, vm) < 0) {
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
        return;
    }

    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_STOPPED,
                     VIR_HOOK_SUBOP_END, false);
    libxlHostRelease(driver, vm);
    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_RELEASE,
                     VIR_HOOK_SUBOP_END, false);
    virDomainObjSetState(vm, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
    vm->def->id = -1;
    libxlDomainStatusJobClear(vm);
    libxlProcessInhibit(driver, false);

    vm->persistent = persistent;
    if (libxlProcessStart(driver, vm, NULL, 0) < 0)
        goto failed;
    return;

 failed:
    VIR_WARN("cannot restart domain '%s': %s", vm->def->name,
             virGetLastErrorMessage());
    virResetLastError();
    /* libxlProcessStart left it inactive: make that official */
    {
        g_autoptr(libxlDriverConfig) c2 = libxlDriverConfigGet(driver);
        virObjectEvent *event;

        if (virDomainObjIsActive(vm)) {
            libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED,
                                VIR_DOMAIN_EVENT_STOPPED_FAILED);
            return;
        }
        ignore_value(virDomainDeleteConfig(c2->stateDir, NULL, vm));
        virResetLastError();
        event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STOPPED,
                                                  VIR_DOMAIN_EVENT_STOPPED_FAILED);
        libxlProcessQueueEvent(driver, event);
        if (!vm->persistent)
            virDomainObjListRemove(driver->domains, vm);
    }
}


/* Does libxl still see the running @vm shut down (for any reason)? */
static bool
libxlProcessIsShutdown(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_dominfo info;
    bool shutdown;

    libxl_dominfo_init(&info);
    shutdown = libxl_domain_info(cfg->ctx, &info, vm->def->id) == 0 &&
        info.shutdown;
    libxl_dominfo_dispose(&info);
    return shutdown;
}


static void
libxlProcessHandleShutdown(libxlDriverPrivate *driver,
                           virDomainObj *vm,
                           libxl_shutdown_reason reason)
{
    libxlShutdownPlan plan;
    virObjectEvent *event = NULL;
    bool suspended;

    /* a save suspends the domain under its job, which destroys it, or
     * resumes it when the save fails: a suspend that no longer holds
     * is news of nothing */
    if (reason == LIBXL_SHUTDOWN_REASON_SUSPEND &&
        !libxlProcessIsShutdown(driver, vm)) {
        VIR_DEBUG("domain '%s' is no longer suspended", vm->def->name);
        return;
    }

    libxlShutdownPlanFor(vm->def, reason, &plan);
    VIR_DEBUG("domain '%s' (id %d) shut down, reason %d, action %s",
              vm->def->name, vm->def->id, reason,
              virDomainLifecycleActionTypeToString(plan.action));

    /* a preserved (or suspended) domain's shutdown was handled already:
     * a death watch armed again after a daemon restart reports it anew */
    if ((plan.action == VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE ||
         plan.action == VIR_DOMAIN_LIFECYCLE_ACTION_LAST) &&
        virDomainObjGetState(vm, NULL) == plan.preserveState) {
        VIR_DEBUG("shutdown of domain '%s' already handled", vm->def->name);
        return;
    }

    /* the client hears of the shutdown once: a watch armed again (a
     * destroy that failed because xl destroyed the domain meanwhile)
     * reports it anew */
    if (plan.eventType >= 0 &&
        virDomainObjGetState(vm, NULL) != plan.preserveState) {
        event = virDomainEventLifecycleNewFromObj(vm, plan.eventType,
                                                  plan.eventDetail);
        virDomainObjSetState(vm, plan.preserveState, plan.preserveReason);
    }
    suspended = event && reason == LIBXL_SHUTDOWN_REASON_SUSPEND;
    libxlProcessQueueEvent(driver, event);
    /* the guest's own suspend is a pm-suspend too, as dompmsuspend's */
    if (suspended)
        libxlProcessQueueEvent(driver, virDomainEventPMSuspendNewFromObj(vm));

    switch (plan.action) {
    case VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY:
        libxlProcessCoreDump(driver, vm);
        G_GNUC_FALLTHROUGH;
    case VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY:
        if (libxlProcessDestroy(driver, vm) < 0) {
            VIR_WARN("%s", virGetLastErrorMessage());
            virResetLastError();
            break;
        }
        libxlProcessStopped(driver, vm, plan.shutoffReason, plan.stoppedDetail);
        break;

    case VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART:
        libxlProcessCoreDump(driver, vm);
        G_GNUC_FALLTHROUGH;
    case VIR_DOMAIN_LIFECYCLE_ACTION_RESTART:
    case VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME:
        if (plan.reboot)
            libxlProcessQueueEvent(driver, virDomainEventRebootNewFromObj(vm));
        libxlProcessRestart(driver, vm,
                            plan.action == VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME);
        break;

    case VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE:
    case VIR_DOMAIN_LIFECYCLE_ACTION_LAST:
    default:
        virDomainObjSetState(vm, plan.preserveState, plan.preserveReason);
        libxlDomainSaveStatus(driver, vm);
        break;
    }
}


static void libxlProcessEventQueueWait(libxl_event *ev);

/*
 * libxlProcessHandleEvent:
 * A libxl domain event, on a worker thread: the domain it is about (by
 * domid: news of a domid the domain no longer has is stale), under a
 * job; frees @ev and returns 0.  A worker never waits for a job (its
 * owner may wait for a guest): while the domain is busy, @ev goes back
 * to the head of its queue, which waits for the job to end, and 1
 * is returned.
 */
int
libxlProcessHandleEvent(libxlDriverPrivate *driver, libxl_event *ev)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj *vm = NULL;
    bool job = false;

    /* the workers handle one domain after another */
    libxlLoggerResetLastError();

    if (ev->domid == 0)
        goto out;
    if (!(vm = virDomainObjListFindByID(driver->domains, ev->domid))) {
        VIR_DEBUG("event %d for unknown domain %u dropped", ev->type, ev->domid);
        goto out;
    }

    if (libxlDomainObjBeginJobFull(vm, VIR_JOB_MODIFY, "event handling", 0) < 0) {
        if (virGetLastErrorCode() == VIR_ERR_OPERATION_TIMEOUT) {
            /* busy: the job's end (vm locked meanwhile) resumes the queue */
            virResetLastError();
            libxlProcessEventQueueWait(ev);
            virDomainObjEndAPI(&vm);
            return 1;
        }
        VIR_WARN("cannot handle the event of domain '%s': %s",
                 vm->def->name, virGetLastErrorMessage());
        virResetLastError();
        goto out;
    }
    job = true;

    if (!virDomainObjIsActive(vm) || vm->def->id != (int)ev->domid) {
        VIR_DEBUG("stale event %d for domain '%s' (id %u) dropped",
                  ev->type, vm->def->name, ev->domid);
        goto out;
    }

    switch ((int) ev->type) {
    case LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN:
        libxlProcessHandleShutdown(driver, vm,
                                   ev->u.domain_shutdown.shutdown_reason);
        break;
    case LIBXL_EVENT_TYPE_DOMAIN_DEATH:
        /* gone without a shutdown we handled: destroyed behind our back */
        libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_DESTROYED,
                            VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
        break;
    default:
        break;
    }

 out:
    if (job)
        libxlDomainObjEndJob(vm);
    virDomainObjEndAPI(&vm);
    libxl_event_free(cfg->ctx, ev);
    return 0;
}


/*
 * The events of each domid, handled in the order libxl delivered them
 * (a DEATH never before the SHUTDOWN that preceded it): a queue per
 * domid, drained by one worker at a time.  A queue exists while a worker
 * drains it or it waits for its domain's job; it goes when it is empty.
 */
typedef struct {
    GQueue events;              /* libxl_event * */
    bool waiting;               /* for the domain's job to end */
} libxlProcessEventQueue;

static GMutex libxlProcessEventLock;
static GHashTable *libxlProcessEventQueues;     /* domid -> queue */
/* while the daemon starts, events wait in their queues: a worker that
 * stopped a domain known only from its status (not yet persistent) would
 * remove it from the list while its definition is being loaded, and the
 * definition, finding it on its way out, would be lost */
static bool libxlProcessEventsHeld;

static void
libxlProcessEventQueueFree(gpointer data)
{
    libxlProcessEventQueue *q = data;
    libxl_event *ev;

    while ((ev = g_queue_pop_head(&q->events)))
        libxl_event_free(libxlProcessDriver ? libxlProcessDriver->config->ctx : NULL,
                         ev);
    g_free(q);
}


/* @ev goes back to the head of its queue, which waits for the end of
 * the domain's job; called with the domain locked, so that the job
 * cannot end in between */
static void
libxlProcessEventQueueWait(libxl_event *ev)
{
    libxlProcessEventQueue *q;

    g_mutex_lock(&libxlProcessEventLock);
    if (libxlProcessEventQueues &&
        (q = g_hash_table_lookup(libxlProcessEventQueues,
                                 GUINT_TO_POINTER(ev->domid)))) {
        g_queue_push_head(&q->events, ev);
        q->waiting = true;
        ev = NULL;
    }
    g_mutex_unlock(&libxlProcessEventLock);
    if (ev)
        libxl_event_free(NULL, ev);
}


/*
 * libxlProcessEventsJobEnded:
 * A job ended (its domain locked): the queues waiting for a job try again.
 */
static void
libxlProcessEventsJobEnded(void)
{
    g_autoptr(GArray) domids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GHashTableIter iter;
    gpointer key;
    gpointer value;
    size_t i;

    g_mutex_lock(&libxlProcessEventLock);
    if (libxlProcessEventQueues && !libxlProcessEventsHeld) {
        g_hash_table_iter_init(&iter, libxlProcessEventQueues);
        while (g_hash_table_iter_next(&iter, &key, &value)) {
            libxlProcessEventQueue *q = value;
            uint32_t domid = GPOINTER_TO_UINT(key);

            if (!q->waiting)
                continue;
            q->waiting = false;
            g_array_append_val(domids, domid);
        }
    }
    g_mutex_unlock(&libxlProcessEventLock);

    for (i = 0; i < domids->len; i++)
        libxlProcessQueueWork(libxlProcessDriver,
                              g_array_index(domids, uint32_t, i), NULL);
}


/*
 * libxlProcessDrainEvents:
 * A worker handles the events of @domid, oldest first, until none is
 * left or the domain is busy with a job.
 */
static void
libxlProcessDrainEvents(libxlDriverPrivate *driver, uint32_t domid)
{
    for (;;) {
        libxlProcessEventQueue *q;
        libxl_event *ev;

        g_mutex_lock(&libxlProcessEventLock);
        q = g_hash_table_lookup(libxlProcessEventQueues, GUINT_TO_POINTER(domid));
        if (!q || !(ev = g_queue_pop_head(&q->events))) {
            if (q)
                g_hash_table_remove(libxlProcessEventQueues, GUINT_TO_POINTER(domid));
            g_mutex_unlock(&libxlProcessEventLock);
            return;
        }
        g_mutex_unlock(&libxlProcessEventLock);

        /* busy: @ev is back at the head, the job's end resumes the queue
         * (maybe on another worker already) */
        if (libxlProcessHandleEvent(driver, ev) != 0)
            return;
    }
}


static void
libxlProcessEventWorker(void *jobdata, void *opaque)
{
    g_autofree libxlProcessWork *work = jobdata;

    if (work->vm)
        libxlProcessAutodestroyWork(opaque, work->vm);
    else
        libxlProcessDrainEvents(opaque, work->domid);
}


static int
libxlProcessQueueWork(libxlDriverPrivate *driver,
                      uint32_t domid,
                      virDomainObj *vm)
{
    libxlProcessWork *work = g_new0(libxlProcessWork, 1);

    work->domid = domid;
    work->vm = vm;
    if (virThreadPoolSendJob(driver->eventWorkers, 0, work) < 0) {
        VIR_ERROR(_("cannot queue work for the libxl event workers"));
        virObjectUnref(vm);
        g_free(work);
        return -1;
    }
    return 0;
}


/*
 * libxlProcessEventPush:
 * Queue a domain event behind the other events of its domid; a worker
 * drains the queue unless one does already or it waits for a job.
 */
void
libxlProcessEventPush(libxlDriverPrivate *driver, libxl_event *ev)
{
    libxlProcessEventQueue *q;
    uint32_t domid = ev->domid;
    bool drain = false;

    g_mutex_lock(&libxlProcessEventLock);
    if (!(q = g_hash_table_lookup(libxlProcessEventQueues, GUINT_TO_POINTER(domid)))) {
        q = g_new0(libxlProcessEventQueue, 1);
        g_queue_init(&q->events);
        g_hash_table_insert(libxlProcessEventQueues, GUINT_TO_POINTER(domid), q);
        /* held: libxlProcessEventsRelease drains it */
        q->waiting = libxlProcessEventsHeld;
        drain = !libxlProcessEventsHeld;
    }
    g_queue_push_tail(&q->events, ev);
    g_mutex_unlock(&libxlProcessEventLock);

    if (drain && libxlProcessQueueWork(driver, domid, NULL) < 0) {
        g_mutex_lock(&libxlProcessEventLock);
        g_hash_table_remove(libxlProcessEventQueues, GUINT_TO_POINTER(domid));
        g_mutex_unlock(&libxlProcessEventLock);
    }
}


/*
 * libxlProcessEventOccurs:
 * libxl's event callback, inside a libxl call (the event loop's thread
 * mostly): queue the event for a worker, nothing more.
 */
static void
libxlProcessEventOccurs(void *user, libxl_event *ev)
{
    libxlDriverPrivate *driver = user;

    if (ev->type != LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN &&
        ev->type != LIBXL_EVENT_TYPE_DOMAIN_DEATH) {
        libxl_event_free(driver->config->ctx, ev);
        return;
    }

    libxlProcessEventPush(driver, ev);
}


static void
libxlProcessEventDisaster(void *user G_GNUC_UNUSED,
                          libxl_event_type type,
                          const char *msg,
                          int errnoval)
{
    VIR_ERROR(_("libxenlight event machinery failed (event type %d): %s: %s"),
              type, msg, g_strerror(errnoval));
}


static const libxl_event_hooks libxlProcessEventHooks = {
    .event_occurs_mask = LIBXL_EVENTMASK_ALL,
    .event_occurs = libxlProcessEventOccurs,
    .disaster = libxlProcessEventDisaster,
};


/*
 * libxlProcessEventsInit:
 * The workers and libxl's event callbacks, before any death watch.
 */
int
libxlProcessEventsInit(libxlDriverPrivate *driver)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    libxlProcessDriver = driver;
    g_atomic_int_set(&libxlProcessStopping, 0);
    g_mutex_lock(&libxlProcessEventLock);
    libxlProcessEventQueues = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                                    NULL, libxlProcessEventQueueFree);
    libxlProcessEventsHeld = true;
    g_mutex_unlock(&libxlProcessEventLock);
    libxlDomainSetJobEndedHook(libxlProcessEventsJobEnded);
    if (!(driver->eventWorkers = virThreadPoolNewFull(1, 8, 0,
                                                      libxlProcessEventWorker,
                                                      "libxl-event",
                                                      NULL, driver)))
        return -1;

    libxl_event_register_callbacks(cfg->ctx, &libxlProcessEventHooks, driver);
    return 0;
}


/*
 * libxlProcessEventsRelease:
 * The daemon's domains are all loaded (status, reconnection, definitions):
 * the events that came meanwhile (a domain that shut down while libvirtd
 * was down, reported by its new death watch) are handled now.
 */
void
libxlProcessEventsRelease(libxlDriverPrivate *driver G_GNUC_UNUSED)
{
    g_mutex_lock(&libxlProcessEventLock);
    libxlProcessEventsHeld = false;
    g_mutex_unlock(&libxlProcessEventLock);
    libxlProcessEventsJobEnded();
}


/*
 * Teardown, in libvirtd's order:
 *   libxlProcessEventsStop (stateShutdownPrepare, on the event loop's
 *   thread): the workers take no new work, autostart starts nothing more;
 *   libxlProcessEventsDrain (stateShutdownWait, the event loop still
 *   running so that operations in progress complete): the autostart
 *   thread and the workers finish what they do;
 *   libxlProcessEventsFree (stateCleanup): before the libxl context goes,
 *   the death watches and the queued events; the workers' pool after it,
 *   when no libxl callback can queue anything any more.
 */
void
libxlProcessEventsStop(libxlDriverPrivate *driver)
{
    g_atomic_int_set(&libxlProcessStopping, 1);
    if (driver->eventWorkers)
        virThreadPoolStop(driver->eventWorkers);
}


void
libxlProcessEventsDrain(libxlDriverPrivate *driver)
{
    libxlProcessAutostartJoin();
    if (driver->eventWorkers)
        virThreadPoolDrain(driver->eventWorkers);
}


static int
libxlProcessUnwatchIter(virDomainObj *vm, void *opaque)
{
    libxlDriverConfig *cfg = opaque;

    virObjectLock(vm);
    libxlProcessUnwatchDeath(cfg, vm);
    virObjectUnlock(vm);
    return 0;
}


void
libxlProcessEventsFree(libxlDriverPrivate *driver)
{
    g_autoptr(libxlDriverConfig) cfg = NULL;

    libxlProcessEventsStop(driver);
    libxlProcessEventsDrain(driver);

    if (driver->config && driver->domains) {
        cfg = libxlDriverConfigGet(driver);
        virDomainObjListForEach(driver->domains, false,
                                libxlProcessUnwatchIter, cfg);
    }

    libxlDomainSetJobEndedHook(NULL);
    g_mutex_lock(&libxlProcessEventLock);
    g_clear_pointer(&libxlProcessEventQueues, g_hash_table_unref);
    g_mutex_unlock(&libxlProcessEventLock);
    libxlProcessDriver = NULL;
}


/* ---- reconnect ---------------------------------------------------- */

static const libxl_dominfo *
libxlProcessFindDominfo(const libxl_dominfo *list, int n, virDomainObj *vm)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (list[i].domid == (uint32_t)vm->def->id &&
            memcmp(libxl_uuid_bytearray_const(&list[i].uuid),
                   vm->def->uuid, VIR_UUID_BUFLEN) == 0)
            return &list[i];
    }
    return NULL;
}


/*
 * libxlProcessReconnectJob:
 * @vm's status says a save or a dump of it was in progress when the
 * daemon died: the partial file goes; a save whose image was complete
 * (renamed into place) is finished (the suspended domain destroyed, shut
 * off as saved); otherwise the guest libxl suspended for the save is
 * resumed, the one the dump paused unpaused, and a paused guest the save
 * unpaused is paused again.  Returns -1 when @vm stopped, 1 when it runs
 * again, 2 when it is paused again, 0 otherwise.
 */
static int
libxlProcessReconnectJob(libxlDriverPrivate *driver,
                         virDomainObj *vm,
                         const libxl_dominfo *info)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;
    bool partial;
    int ret = 0;
    bool suspended = info->shutdown &&
        info->shutdown_reason == LIBXL_SHUTDOWN_REASON_SUSPEND;

    if (!priv->statusJob ||
        (STRNEQ(priv->statusJob, "save") && STRNEQ(priv->statusJob, "dump")))
        return 0;

    partial = priv->statusPartial && virFileExists(priv->statusPartial);
    if (partial && unlink(priv->statusPartial) < 0)
        VIR_WARN("cannot remove the partial image '%s': %s",
                 priv->statusPartial, g_strerror(errno));

    if (STREQ(priv->statusJob, "save") && !partial && suspended &&
        priv->statusImage && virFileExists(priv->statusImage)) {
        VIR_INFO("domain '%s' (id %d) was saved into '%s' when libvirtd stopped: "
                 "finishing the save", vm->def->name, vm->def->id, priv->statusImage);
        if (libxlProcessDestroy(driver, vm) == 0) {
            if (priv->statusManaged)
                vm->hasManagedSave = true;
            libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_SAVED,
                                VIR_DOMAIN_EVENT_STOPPED_SAVED);
            return -1;
        }
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
    }

    if (STREQ(priv->statusJob, "save") && (suspended || priv->statusPaused)) {
        VIR_INFO("domain '%s' (id %d) was being saved when libvirtd stopped: %s",
                 vm->def->name, vm->def->id,
                 priv->statusPaused ? "pausing it again" : "resuming it");
        if (suspended &&
            libxlDomainAORun(vm, cfg->ctx, "resume", libxlDomainAOResume, NULL) != 0)
            VIR_WARN("cannot resume domain '%s' after its interrupted save",
                     vm->def->name);
        else if (!priv->statusPaused)
            ret = 1;
        /* the save unpaused it (or was about to: it may still be paused) */
        else if (!suspended && info->paused)
            ret = 2;
        else if (libxlDomainAORun(vm, cfg->ctx, "pause", libxlDomainAOPause, NULL) != 0)
            VIR_WARN("cannot pause domain '%s' again after its interrupted save",
                     vm->def->name);
        else
            ret = 2;
    } else if (STREQ(priv->statusJob, "dump") && priv->statusPaused &&
               info->paused) {
        VIR_INFO("domain '%s' (id %d) was being dumped when libvirtd stopped: unpausing it",
                 vm->def->name, vm->def->id);
        if (libxlDomainAORun(vm, cfg->ctx, "unpause", libxlDomainAOUnpause, NULL) != 0)
            VIR_WARN("cannot unpause domain '%s' after its interrupted dump",
                     vm->def->name);
        else
            ret = 1;
    }
    libxlDomainStatusJobClear(vm);
    return ret;
}


/*
 * libxlProcessReconnect:
 * @vm was running per its status XML: take it back if libxl still lists
 * it (state from libxl, death watch), else clean it up with one STOPPED
 * event.  A domain whose start never finished is destroyed.
 */
static void
libxlProcessReconnect(libxlDriverPrivate *driver,
                      virDomainObj *vm,
                      const libxl_dominfo *list,
                      int n)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxlDomainObjPrivate *priv = vm->privateData;
    const libxl_dominfo *info;
    int state;
    int reason;
    int oldReason;
    int resumed;
    int recovered;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "reconnect") < 0) {
        virResetLastError();
        return;
    }

    if (!virDomainObjIsActive(vm) || vm->def->id <= 0)
        goto out;
    /* counted as running; libxlProcessStopped counts it out */
    libxlProcessInhibit(driver, true);

    info = libxlProcessFindDominfo(list, n, vm);
    /* an outgoing migration: finished or cancelled */
    if ((recovered = libxlMigrationReconnect(driver, vm, info)) < 0)
        goto out;

    if (!info) {
        VIR_INFO("domain '%s' (id %d) vanished while libvirtd was down",
                 vm->def->name, vm->def->id);
        libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_UNKNOWN,
                            VIR_DOMAIN_EVENT_STOPPED_FAILED);
        goto out;
    }

    if ((resumed = libxlProcessReconnectJob(driver, vm, info)) < 0)
        goto out;

    if (priv->statusJob && STREQ(priv->statusJob, "start")) {
        VIR_INFO("domain '%s' (id %d) was being started: destroying it",
                 vm->def->name, vm->def->id);
        if (libxlProcessDestroy(driver, vm) == 0)
            libxlProcessStopped(driver, vm, VIR_DOMAIN_SHUTOFF_FAILED,
                                VIR_DOMAIN_EVENT_STOPPED_FAILED);
        virResetLastError();
        goto out;
    }
    libxlDomainStatusJobClear(vm);

    libxlDomainStateFromDominfo(info, &state, &reason);
    if (resumed == 1) {
        /* libxl listed it before it was resumed */
        state = VIR_DOMAIN_RUNNING;
        reason = VIR_DOMAIN_RUNNING_UNPAUSED;
    } else if (resumed == 2) {
        /* paused again, as before the save (with its reason, below) */
        state = VIR_DOMAIN_PAUSED;
        reason = VIR_DOMAIN_PAUSED_USER;
    }
    if (virDomainObjGetState(vm, &oldReason) == state || recovered)
        state = virDomainObjGetState(vm, &reason);
    /* a shut-down domain's fate is decided by the death watch's event */
    if (state == VIR_DOMAIN_SHUTDOWN || state == VIR_DOMAIN_CRASHED)
        state = virDomainObjGetState(vm, &reason);
    virDomainObjSetState(vm, state, reason);

    libxlProcessHook(driver, vm, VIR_HOOK_LIBXL_OP_RECONNECT,
                     VIR_HOOK_SUBOP_BEGIN, false);

    /* a domain another driver started may lack aliases and ptys */
    libxlConsoleAssignAliases(vm->def);
    libxlConsoleSetPaths(cfg, vm);
    libxlHostReconnect(driver, vm);

    if (libxlProcessWatchDeath(cfg, vm) < 0) {
        VIR_WARN("%s", virGetLastErrorMessage());
        virResetLastError();
    }

    libxlDomainSaveStatus(driver, vm);

 out:
    libxlDomainObjEndJob(vm);
}


/*
 * libxlProcessReconnectBuilding:
 * @vm's status says its start was in progress before its domid was known
 * (the daemon died during the build): destroy the domains libxl lists
 * with its uuid, and forget the start.  The persistent definition, loaded
 * next, finds the domain shut off.
 */
static void
libxlProcessReconnectBuilding(libxlDriverPrivate *driver,
                              virDomainObj *vm,
                              const libxl_dominfo *list,
                              int n)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    size_t i;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "reconnect") < 0) {
        virResetLastError();
        return;
    }

    for (i = 0; i < n; i++) {
        if (list[i].domid == 0 ||
            memcmp(libxl_uuid_bytearray_const(&list[i].uuid), vm->def->uuid,
                   VIR_UUID_BUFLEN) != 0)
            continue;
        VIR_INFO("domain '%s' (id %u) was being built when libvirtd stopped: "
                 "destroying it", vm->def->name, list[i].domid);
        vm->def->id = list[i].domid;
        if (libxlProcessDestroy(driver, vm) < 0) {
            VIR_WARN("%s", virGetLastErrorMessage());
            virResetLastError();
        }
    }
    vm->def->id = -1;
    libxlDomainStatusJobClear(vm);
    if (virDomainDeleteConfig(cfg->stateDir, NULL, vm) < 0) {
        VIR_WARN("cannot remove the status of domain '%s'", vm->def->name);
        virResetLastError();
    }
    libxlDomainObjEndJob(vm);
    virDomainObjListRemove(driver->domains, vm);
}


int
libxlProcessReconnectAll(libxlDriverPrivate *driver)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virDomainObj **vms = NULL;
    size_t nvms = 0;
    libxl_dominfo *list;
    int n = 0;
    size_t i;

    if (!(list = libxl_list_domain(cfg->ctx, &n))) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot list the domains of libxenlight"));
        return -1;
    }

    virDomainObjListCollectAll(driver->domains, &vms, &nvms);
    for (i = 0; i < nvms; i++) {
        virDomainObj *vm = vms[i];

        libxlDomainObjPrivate *priv = vm->privateData;

        virObjectLock(vm);
        if (vm->def->id > 0 && !vm->removing)
            libxlProcessReconnect(driver, vm, list, n);
        else if (!vm->removing && priv->statusJob &&
                 STREQ(priv->statusJob, "start"))
            libxlProcessReconnectBuilding(driver, vm, list, n);
        virObjectUnlock(vm);
    }
    virObjectListFreeCount(vms, nvms);

    libxl_dominfo_list_free(list, n);
    return 0;
}


/*
 * libxlProcessAdoptAll:
 * After the definitions are loaded: a domain libxl runs that no running
 * libvirt domain claims is left alone (xl created it), unless a libvirt
 * domain has its uuid and name and is not running: libvirt started it
 * and lost its status; it is that domain, running, and taken back.
 */
int
libxlProcessAdoptAll(libxlDriverPrivate *driver)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_dominfo *list;
    int n = 0;
    size_t i;

    if (!(list = libxl_list_domain(cfg->ctx, &n))) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot list the domains of libxenlight"));
        return -1;
    }

    for (i = 0; i < n; i++) {
        g_autofree char *name = NULL;
        virDomainObj *vm;

        /* a dying domain is on its way out (a zombie may linger for a
         * long time on Xen): nothing to adopt */
        if (list[i].domid == 0 || list[i].dying)
            continue;
        if ((vm = virDomainObjListFindByID(driver->domains, list[i].domid))) {
            virDomainObjEndAPI(&vm);
            continue;
        }
        name = libxl_domid_to_name(cfg->ctx, list[i].domid);
        vm = virDomainObjListFindByUUID(driver->domains,
                                        libxl_uuid_bytearray_const(&list[i].uuid));
        if (!vm || !name || STRNEQ(vm->def->name, name) ||
            virDomainObjIsActive(vm) || vm->removing) {
            VIR_INFO("domain '%s' (id %u) was not started by libvirt: left alone",
                     NULLSTR(name), list[i].domid);
            virDomainObjEndAPI(&vm);
            continue;
        }

        VIR_INFO("domain '%s' (id %u) runs without a status: adopting it",
                 name, list[i].domid);
        if (virDomainObjSetDefTransient(driver->xmlopt, vm, NULL) < 0) {
            VIR_WARN("%s", virGetLastErrorMessage());
            virResetLastError();
            virDomainObjEndAPI(&vm);
            continue;
        }
        vm->def->id = list[i].domid;
        virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNKNOWN);
        libxlProcessReconnect(driver, vm, list, n);
        virDomainObjEndAPI(&vm);
    }

    libxl_dominfo_list_free(list, n);
    return 0;
}


/* ---- autostart ---------------------------------------------------- */

static void
libxlProcessAutostartOne(libxlDriverPrivate *driver, virDomainObj *vm)
{
    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "autostart") < 0)
        goto error;

    /* from its managed-save image if it has one */
    if (vm->autostart && !virDomainObjIsActive(vm) &&
        libxlSaveStart(driver, vm, NULL, 0, false) < 0) {
        libxlDomainObjEndJob(vm);
        goto error;
    }
    libxlDomainObjEndJob(vm);
    return;

 error:
    VIR_ERROR(_("cannot autostart domain '%s': %s"), vm->def->name,
              virGetLastErrorMessage());
    virResetLastError();
}


static void
libxlProcessAutostartThread(void *opaque)
{
    libxlDriverPrivate *driver = opaque;
    virDomainObj **vms = NULL;
    size_t nvms = 0;
    size_t i;

    virDomainObjListCollectAll(driver->domains, &vms, &nvms);
    for (i = 0; i < nvms; i++) {
        virDomainObj *vm = vms[i];

        /* the daemon is stopping: start nothing more */
        if (g_atomic_int_get(&libxlProcessStopping))
            break;
        virObjectLock(vm);
        if (vm->autostart && !vm->removing && !virDomainObjIsActive(vm))
            libxlProcessAutostartOne(driver, vm);
        virObjectUnlock(vm);
    }
    virObjectListFreeCount(vms, nvms);
}


static virThread libxlProcessAutostartThreadId;
static bool libxlProcessAutostartRunning;

/* The autostart thread is done (joined once; the daemon's teardown) */
void
libxlProcessAutostartJoin(void)
{
    if (!libxlProcessAutostartRunning)
        return;
    virThreadJoin(&libxlProcessAutostartThreadId);
    libxlProcessAutostartRunning = false;
}


/*
 * libxlProcessAutostartAll:
 * Start the autostart domains, in a thread of their own: a start waits
 * for libxl, whose events come through the event loop.
 */
void
libxlProcessAutostartAll(libxlDriverPrivate *driver)
{
    /* joined at teardown, before the driver goes */
    if (virThreadCreateFull(&libxlProcessAutostartThreadId, true,
                            libxlProcessAutostartThread,
                            "libxl-autostart", false, driver) < 0) {
        VIR_ERROR(_("cannot start the autostart thread: %s"),
                  virGetLastErrorMessage());
        virResetLastError();
        return;
    }
    libxlProcessAutostartRunning = true;
}

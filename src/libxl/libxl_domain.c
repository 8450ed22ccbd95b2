/*
 * libxl_domain.c: the libxl driver's domain objects, their jobs and their
 * libxl asynchronous operations
 *
 * The driver keeps its domains in a virDomainObjList.  Each object's
 * private data (libxlDomainObjPrivate) is allocated and freed by the
 * virDomainXMLOption callbacks below, so it lives exactly as long as the
 * object: the console sessions in particular, whose mutex the 2013
 * driver forgot to allocate.  Domain-0, the control domain, is always in
 * the list and always running.
 *
 * Jobs are libvirt's (virdomainjob.h): one modifying job per domain at a
 * time, waited for up to the driver's job wait time, after which the
 * caller gets "domain is busy with <job>".  Queries take no job.  A job
 * that calls a long libxl operation runs it asynchronously (an AO below)
 * and waits for its completion callback with the domain unlocked, so that
 * queries keep answering and libxl_ao_abort can reach it.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "datatypes.h"
#include "virerror.h"
#include "virlog.h"
#include "virtime.h"
#include "viruuid.h"
#include "virxml.h"
#include "virdomainobjlist.h"
#include "virclosecallbacks.h"
#include "virtypedparam.h"
#include "domain_event.h"
#include "libxl_domain.h"
#include "libxl_validate.h"
#include "libxl_migration.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_domain");


/*
 * libxlDomainObjPrivateAlloc:
 * The private data of a new domain object.  @opaque is the driver.
 */
void *
libxlDomainObjPrivateAlloc(void *opaque G_GNUC_UNUSED)
{
    libxlDomainObjPrivate *priv = g_new0(libxlDomainObjPrivate, 1);

    if (!(priv->consoles = libxlConsolesNew())) {
        g_free(priv);
        return NULL;
    }
    priv->jobData.fd = -1;
    priv->jobCompleted.fd = -1;

    return priv;
}


void
libxlDomainObjPrivateFree(void *data)
{
    libxlDomainObjPrivate *priv = data;

    if (!priv)
        return;

    libxlConsolesFree(priv->consoles);
    libxlMigrationFree(priv->migration);
    g_free(priv->statusJob);
    g_free(priv->statusPartial);
    g_free(priv->statusImage);
    g_free(priv->lockState);
    g_free(priv->jobData.path);
    g_free(priv->jobCompleted.path);
    g_free(priv);
}


/*
 * libxlDomainPrivateFormat:
 * What the status XML records beyond the live definition:
 *   <libxl job='start'/>  the domain was being started (its domid known,
 *                         the start not finished)
 *   <libxl job='save' partial='FILE' image='PATH' managed='yes'/>
 *                         the domain was being saved into FILE, to be
 *                         renamed PATH once complete
 *   <libxl job='dump' partial='FILE' paused='yes'/>
 *                         its memory was being dumped into FILE, the
 *                         guest paused for it
 */
int
libxlDomainPrivateFormat(virBuffer *buf, virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    if (!priv->statusJob)
        return 0;
    virBufferEscapeString(buf, "<libxl job='%s'", priv->statusJob);
    virBufferEscapeString(buf, " partial='%s'", priv->statusPartial);
    virBufferEscapeString(buf, " image='%s'", priv->statusImage);
    if (priv->statusManaged)
        virBufferAddLit(buf, " managed='yes'");
    if (priv->statusPaused)
        virBufferAddLit(buf, " paused='yes'");
    virBufferAddLit(buf, "/>\n");
    return 0;
}


int
libxlDomainPrivateParse(xmlXPathContextPtr ctxt,
                        virDomainObj *vm,
                        virDomainDefParserConfig *config G_GNUC_UNUSED)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    g_autofree char *managed = NULL;
    g_autofree char *paused = NULL;

    libxlDomainStatusJobClear(vm);
    priv->statusJob = virXPathString("string(./libxl/@job)", ctxt);
    if (priv->statusJob && !*priv->statusJob)
        g_clear_pointer(&priv->statusJob, g_free);
    if (!priv->statusJob)
        return 0;
    priv->statusPartial = virXPathString("string(./libxl/@partial)", ctxt);
    priv->statusImage = virXPathString("string(./libxl/@image)", ctxt);
    managed = virXPathString("string(./libxl/@managed)", ctxt);
    paused = virXPathString("string(./libxl/@paused)", ctxt);
    priv->statusManaged = STREQ_NULLABLE(managed, "yes");
    priv->statusPaused = STREQ_NULLABLE(paused, "yes");
    return 0;
}


static virDomainXMLPrivateDataCallbacks libxlDomainXMLPrivateDataCallbacks = {
    .alloc = libxlDomainObjPrivateAlloc,
    .free = libxlDomainObjPrivateFree,
    .format = libxlDomainPrivateFormat,
    .parse = libxlDomainPrivateParse,
};


static virDomainJobObjConfig libxlDomainJobConfig = {
    .maxQueuedJobs = 0,
};


/*
 * libxlDomainXMLConfNew:
 * The XML parser/formatter options of the driver's domains: Xen's
 * defaults and rules (libxl_validate.c), the private data above, the
 * xen: namespace, and libvirt's job objects.
 */
virDomainXMLOption *
libxlDomainXMLConfNew(libxlDriverPrivate *driver)
{
    virDomainDefParserConfig config = {
        .defArch = VIR_ARCH_X86_64,
        .priv = driver,
        /* names are checked by libxlDomainNameCheck where they come in,
         * not at load: see there */
        .features = VIR_DOMAIN_DEF_FEATURE_USER_ALIAS |
                    VIR_DOMAIN_DEF_FEATURE_NAME_SLASH,
    };

    virDomainXMLOption *xmlopt;

    libxlDomainDefParserConfigInit(&config);

    if (!(xmlopt = virDomainXMLOptionNew(&config,
                                         &libxlDomainXMLPrivateDataCallbacks,
                                         &libxlDomainXMLNamespace, NULL, NULL,
                                         &libxlDomainJobConfig)))
        return NULL;

    /* autodestroy domains: callbacks run when their connection closes */
    virDomainXMLOptionSetCloseCallbackAlloc(xmlopt, virCloseCallbacksDomainAlloc);
    return xmlopt;
}


/* ---- jobs --------------------------------------------------------- */

/* The name of @vm's current job: the driver's, else the API's. */
const char *
libxlDomainObjJobName(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    return NULLSTR(priv->jobName ? priv->jobName : vm->job->ownerAPI);
}


/*
 * libxlDomainObjBeginJobFull:
 * Begin a @job named @name on the locked @vm, waiting for the domain's
 * current job at most @waitMs; then fail with "domain is busy with <job>".
 * libvirt's own wait (virDomainObjBeginJob) is fixed at 30 s and names
 * the RPC call only: this one names the job and honours job_wait_time.
 */
int
libxlDomainObjBeginJobFull(virDomainObj *vm,
                           virDomainJob job,
                           const char *name,
                           unsigned long long waitMs)
{
    libxlDomainObjPrivate *priv = vm->privateData;
    unsigned long long now;
    unsigned long long then;

    if (virTimeMillisNow(&now) < 0)
        return -1;
    then = now + waitMs;

    for (;;) {
        virResetLastError();
        if (virDomainObjBeginJobInternal(vm, vm->job, job, VIR_AGENT_JOB_NONE,
                                         VIR_ASYNC_JOB_NONE, true) == 0)
            break;
        /* failed for another reason than the domain being busy */
        if (virGetLastErrorCode() != VIR_ERR_OK)
            return -1;

        if (virTimeMillisNow(&now) < 0)
            return -1;
        if (now >= then) {
            virReportError(VIR_ERR_OPERATION_TIMEOUT,
                           _("domain '%s' is busy with %s (for %llus)"),
                           vm->def->name, libxlDomainObjJobName(vm),
                           vm->job->started && now > vm->job->started ?
                           (now - vm->job->started) / 1000 : 0);
            return -1;
        }

        /* in slices: a wakeup meant for a waiter that timed out meanwhile
         * is not lost for the others */
        if (virCondWaitUntil(&vm->job->cond, &vm->parent.lock,
                             MIN(then, now + 500)) < 0 && errno != ETIMEDOUT) {
            virReportSystemError(errno, "%s",
                                 _("cannot wait for the domain's job"));
            return -1;
        }
    }

    priv->jobName = name;
    return 0;
}


int
libxlDomainObjBeginJob(libxlDriverPrivate *driver,
                       virDomainObj *vm,
                       virDomainJob job,
                       const char *name)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    return libxlDomainObjBeginJobFull(vm, job, name, cfg->jobWaitMs);
}


static libxlDomainJobEndedHook libxlDomainJobEnded;

/*
 * libxlDomainSetJobEndedHook:
 * @hook runs whenever a job ends, with the domain still locked: the event
 * workers' queues that wait for a domain's job go on (libxl_process.c).
 */
void
libxlDomainSetJobEndedHook(libxlDomainJobEndedHook hook)
{
    libxlDomainJobEnded = hook;
}


void
libxlDomainObjEndJob(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    priv->jobName = NULL;
    virDomainObjEndJob(vm);
    if (libxlDomainJobEnded)
        libxlDomainJobEnded();
}


/* ---- asynchronous operations -------------------------------------- */

libxlDomainAO *
libxlDomainAONew(const char *name)
{
    libxlDomainAO *ao = g_new0(libxlDomainAO, 1);

    if (virMutexInit(&ao->lock) < 0) {
        g_free(ao);
        return NULL;
    }
    if (virCondInit(&ao->cond) < 0) {
        virMutexDestroy(&ao->lock);
        g_free(ao);
        return NULL;
    }
    ao->name = name;
    ao->how.callback = libxlDomainAOComplete;
    ao->how.u.for_callback = ao;
    ignore_value(virTimeMillisNow(&ao->started));
    ao->logMark = libxlLoggerMark();
    return ao;
}


void
libxlDomainAOFree(libxlDomainAO *ao)
{
    if (!ao)
        return;
    virCondDestroy(&ao->cond);
    virMutexDestroy(&ao->lock);
    g_free(ao->error);
    g_free(ao);
}


/*
 * libxlDomainAOComplete:
 * libxl's completion callback, on whatever thread libxl runs it (the
 * event loop's, usually): it only records the result, with the reason
 * libxl logged on this thread for a failure since the operation began
 * (an older error there is another operation's), and wakes the waiter.
 * It takes no domain lock.
 */
void
libxlDomainAOComplete(libxl_ctx *ctx G_GNUC_UNUSED,
                      int rc,
                      void *for_callback)
{
    libxlDomainAO *ao = for_callback;
    g_autofree char *error = NULL;

    if (rc != 0 && libxlLoggerGetLastErrorSince(ao->logMark)) {
        error = g_strdup(libxlLoggerGetLastErrorSince(ao->logMark));
        libxlLoggerResetLastError();
    }

    virMutexLock(&ao->lock);
    if (ao->orphaned) {
        virMutexUnlock(&ao->lock);
        VIR_DEBUG("the abandoned %s operation completed: rc=%d", ao->name, rc);
        libxlDomainAOFree(ao);
        return;
    }
    ao->error = g_steal_pointer(&error);
    ao->rc = rc;
    ao->done = true;
    virCondBroadcast(&ao->cond);
    virMutexUnlock(&ao->lock);
}


/*
 * libxlDomainAOWait:
 * @rc is what the initiating libxl call returned: non-zero means the
 * operation never started (and the callback will not come).  Otherwise
 * wait for the callback with @vm unlocked and return the operation's rc;
 * libxl's reason for a failure becomes this thread's last libxl error
 * (libxlReportError appends it).  The caller holds a job and a reference
 * on @vm.
 */
int
libxlDomainAOWait(virDomainObj *vm, libxlDomainAO *ao, int rc,
                  bool *abandoned)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    *abandoned = false;
    if (rc != 0) {
        priv->ao = NULL;
        return rc;
    }

    virObjectUnlock(vm);
    virMutexLock(&ao->lock);
    while (!ao->done && !ao->abandoned)
        ignore_value(virCondWait(&ao->cond, &ao->lock));
    if (ao->done) {
        rc = ao->rc;
        if (ao->error)
            libxlLoggerSetLastError(ao->error);
    } else {
        rc = ERROR_ABORTED;
        ao->orphaned = true;
        *abandoned = true;
    }
    virMutexUnlock(&ao->lock);
    virObjectLock(vm);

    priv->ao = NULL;
    return rc;
}


int
libxlDomainAORun(virDomainObj *vm,
                 libxl_ctx *ctx,
                 const char *name,
                 libxlDomainAOFunc func,
                 void *opaque)
{
    libxlDomainObjPrivate *priv = vm->privateData;
    g_autoptr(libxlDomainAO) ao = NULL;
    uint32_t domid;
    bool abandoned;
    int rc;

    if (!(ao = libxlDomainAONew(name)))
        return ERROR_NOMEM;

    priv->ao = ao;
    domid = vm->def->id;
    /* what this thread logged before is not this operation's reason */
    libxlLoggerResetLastError();
    /* libxl does real work before the initiating call returns (a PV
     * build populates the domain's memory, a core dump writes the
     * image): queries of this domain and the domain list must not wait
     * for it.  The job and the caller's reference keep @vm. */
    virObjectUnlock(vm);
    rc = func(ctx, domid, &ao->how, opaque);
    virObjectLock(vm);
    ao->initiated = rc == 0;
    rc = libxlDomainAOWait(vm, ao, rc, &abandoned);
    /* libxl's callback is still to come, and frees it */
    if (abandoned)
        g_steal_pointer(&ao);
    return rc;
}


int
libxlDomainAODestroy(libxl_ctx *ctx, uint32_t domid,
                     const libxl_asyncop_how *how, void *opaque G_GNUC_UNUSED)
{
    return libxl_domain_destroy(ctx, domid, how);
}


int
libxlDomainAOShutdown(libxl_ctx *ctx, uint32_t domid,
                      const libxl_asyncop_how *how, void *opaque G_GNUC_UNUSED)
{
    return libxl_domain_shutdown(ctx, domid, how);
}


int
libxlDomainAOReboot(libxl_ctx *ctx, uint32_t domid,
                    const libxl_asyncop_how *how, void *opaque G_GNUC_UNUSED)
{
    return libxl_domain_reboot(ctx, domid, how);
}


/* @opaque: the libxl_trigger to send (to vCPU 0) */
int
libxlDomainAOTrigger(libxl_ctx *ctx, uint32_t domid,
                     const libxl_asyncop_how *how, void *opaque)
{
    return libxl_send_trigger(ctx, domid, *(libxl_trigger *) opaque, 0, how);
}


int
libxlDomainAOPause(libxl_ctx *ctx, uint32_t domid,
                   const libxl_asyncop_how *how, void *opaque G_GNUC_UNUSED)
{
    return libxl_domain_pause(ctx, domid, how);
}


int
libxlDomainAOUnpause(libxl_ctx *ctx, uint32_t domid,
                     const libxl_asyncop_how *how, void *opaque G_GNUC_UNUSED)
{
    return libxl_domain_unpause(ctx, domid, how);
}


/* A guest suspended co-operatively (for a save) goes on: suspend_cancel. */
int
libxlDomainAOResume(libxl_ctx *ctx, uint32_t domid,
                    const libxl_asyncop_how *how, void *opaque G_GNUC_UNUSED)
{
    return libxl_domain_resume(ctx, domid, 1, how);
}


/*
 * libxlDomainRequestWaiting:
 * Does the job of @vm (locked) wait for the guest to acknowledge a
 * shutdown or reboot request that libxl has written?  libxl waits for
 * that up to 60 s (libxl__domain_pvcontrol's xswait), and a paused or
 * hung guest does not answer.  Meanwhile suspend and resume run beside
 * the job (a resumed guest acknowledges and shuts down), destroy ends
 * the wait (libxlDomainRequestCancel), and queries take no job;
 * everything else waits for the job, or fails "busy with shutdown", as
 * it would behind any job.
 *
 * The request's job is kept until libxl's completion, rather than ended
 * once the request is written as libvirt's qemu driver does: a save, a
 * snapshot or a migration would write its own request ("suspend") over
 * the one the guest has not read yet, and the API still reports the
 * guest that never acknowledges (ERROR_TIMEDOUT), as xl does.
 */
bool
libxlDomainRequestWaiting(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    return priv->ao && priv->ao->initiated &&
        (STREQ(priv->ao->name, "shutdown") || STREQ(priv->ao->name, "reboot"));
}


/*
 * libxlDomainRequestCancel:
 * Stop the job of @vm (locked) from waiting for the guest to acknowledge
 * its shutdown or reboot request (libxlDomainRequestWaiting): a destroy
 * takes the domain's job at once.  libxl cannot abort that wait (no
 * abortable in its xswait); it ends once the domain is gone, and the
 * operation's callback then frees it.  The request's API fails with
 * ERROR_ABORTED.
 */
void
libxlDomainRequestCancel(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;
    libxlDomainAO *ao = priv->ao;

    if (!libxlDomainRequestWaiting(vm))
        return;
    virMutexLock(&ao->lock);
    if (!ao->done) {
        ao->abandoned = true;
        virCondBroadcast(&ao->cond);
    }
    virMutexUnlock(&ao->lock);
}


/*
 * libxlDomainAOAbort:
 * Ask libxl to cut the domain's running operation short (domjobabort).
 * @vm is locked, so the AO cannot complete and be freed meanwhile.
 */
int
libxlDomainAOAbort(virDomainObj *vm, libxl_ctx *ctx)
{
    libxlDomainObjPrivate *priv = vm->privateData;
    int rc;

    if (!priv->ao) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' has no operation in progress to abort"),
                       vm->def->name);
        return -1;
    }

    rc = libxl_ao_abort(ctx, &priv->ao->how);
    if (rc == 0 || rc == ERROR_ABORTED)
        return 0;
    if (rc == ERROR_NOTFOUND) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("the %s operation of domain '%s' has already completed"),
                       priv->ao->name, vm->def->name);
        return -1;
    }
    libxlReportError(VIR_ERR_OPERATION_FAILED,
                     _("cannot abort the %s operation of domain '%s'"),
                     priv->ao->name, vm->def->name);
    return -1;
}


/*
 * libxlDomainStatusJobSet:
 * Record in @vm's status XML (written now) the job @job in progress,
 * with the file it writes until complete (@partial), the file that
 * becomes (@image), and its flags: what a daemon that dies before the
 * job ends leaves for the next one to clean up (libxlProcessReconnect).
 */
void
libxlDomainStatusJobSet(libxlDriverPrivate *driver,
                        virDomainObj *vm,
                        const char *job,
                        const char *partial,
                        const char *image,
                        bool managed,
                        bool paused)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    libxlDomainStatusJobClear(vm);
    priv->statusJob = g_strdup(job);
    priv->statusPartial = g_strdup(partial);
    priv->statusImage = g_strdup(image);
    priv->statusManaged = managed;
    priv->statusPaused = paused;
    libxlDomainSaveStatus(driver, vm);
}


/* The job libxlDomainStatusJobSet recorded ended with @vm still running:
 * its status XML no longer names it. */
void
libxlDomainStatusJobEnd(libxlDriverPrivate *driver, virDomainObj *vm)
{
    if (!virDomainObjIsActive(vm))
        return;
    libxlDomainStatusJobClear(vm);
    libxlDomainSaveStatus(driver, vm);
}


/* Forget @vm's status job (the status XML is written by the caller). */
void
libxlDomainStatusJobClear(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    g_clear_pointer(&priv->statusJob, g_free);
    g_clear_pointer(&priv->statusPartial, g_free);
    g_clear_pointer(&priv->statusImage, g_free);
    priv->statusManaged = false;
    priv->statusPaused = false;
}


int
libxlDomainSaveStatus(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    if (virDomainObjSave(vm, driver->xmlopt, cfg->stateDir) < 0) {
        VIR_WARN("cannot save the status of domain '%s': %s",
                 vm->def->name, virGetLastErrorMessage());
        return -1;
    }
    return 0;
}


/*
 * libxlDomainNameCheck:
 * The driver makes file names of domain names: configuration, status,
 * autostart link, managed-save image, core dumps, channel sockets.
 * Refuse a @name that would put one outside its directory ('/', a name
 * of dots only), that the file system refuses (too long for the longest
 * of them), or that would garble a log line (control characters).
 * Every entry point that brings in a name (define, create, rename,
 * restore, incoming migration) and every one that makes a file of it
 * calls this; libvirt's own '/' check is off (VIR_DOMAIN_DEF_FEATURE_NAME_SLASH)
 * so that a domain an older build defined with such a name still loads,
 * is listed, and can be renamed or undefined.
 */
int
libxlDomainNameCheck(const char *name)
{
    const char *p;
    size_t len = strlen(name);

    if (strchr(name, '/')) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("name %s cannot contain '/'"), name);
        return -1;
    }

    for (p = name; *p; p++) {
        if (g_ascii_iscntrl(*p)) {
            virReportError(VIR_ERR_XML_ERROR,
                           _("domain name cannot contain control characters (0x%02x at offset %zu)"),
                           (unsigned char) *p, (size_t) (p - name));
            return -1;
        }
    }

    if (len == 0 || strspn(name, ".") == len) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("domain name '%s' is not usable: a name of dots only names a directory"),
                       name);
        return -1;
    }

    if (len > LIBXL_DOMAIN_NAME_MAX) {
        virReportError(VIR_ERR_XML_ERROR,
                       _("domain name is %zu characters long; at most %d are allowed (it names files)"),
                       len, LIBXL_DOMAIN_NAME_MAX);
        return -1;
    }

    return 0;
}


/*
 * libxlDomainObjFromDomain:
 * The locked, referenced object of @dom (release with
 * virDomainObjEndAPI), or NULL with VIR_ERR_NO_DOMAIN reported.
 */
virDomainObj *
libxlDomainObjFromDomain(libxlDriverPrivate *driver, virDomainPtr dom)
{
    virDomainObj *vm;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    /* a new operation: libxl's errors of earlier ones on this thread
     * are not its reasons */
    libxlLoggerResetLastError();

    if (!(vm = virDomainObjListFindByUUID(driver->domains, dom->uuid))) {
        virUUIDFormat(dom->uuid, uuidstr);
        virReportError(VIR_ERR_NO_DOMAIN,
                       _("no domain with matching uuid '%s' (%s)"),
                       uuidstr, dom->name);
        return NULL;
    }

    return vm;
}


/*
 * libxlDomainStateFromDominfo:
 * The libvirt state and reason of a domain libxl reports as @info.
 */
void
libxlDomainStateFromDominfo(const libxl_dominfo *info, int *state, int *reason)
{
    if (info->dying) {
        *state = VIR_DOMAIN_SHUTDOWN;
        *reason = VIR_DOMAIN_SHUTDOWN_UNKNOWN;
    } else if (info->shutdown) {
        switch (info->shutdown_reason) {
        case LIBXL_SHUTDOWN_REASON_CRASH:
            *state = VIR_DOMAIN_CRASHED;
            *reason = VIR_DOMAIN_CRASHED_UNKNOWN;
            break;
        case LIBXL_SHUTDOWN_REASON_SUSPEND:
            *state = VIR_DOMAIN_PMSUSPENDED;
            *reason = VIR_DOMAIN_PMSUSPENDED_UNKNOWN;
            break;
        case LIBXL_SHUTDOWN_REASON_POWEROFF:
        case LIBXL_SHUTDOWN_REASON_REBOOT:
        case LIBXL_SHUTDOWN_REASON_WATCHDOG:
        case LIBXL_SHUTDOWN_REASON_SOFT_RESET:
        case LIBXL_SHUTDOWN_REASON_UNKNOWN:
        default:
            *state = VIR_DOMAIN_SHUTDOWN;
            *reason = VIR_DOMAIN_SHUTDOWN_UNKNOWN;
            break;
        }
    } else if (info->paused) {
        *state = VIR_DOMAIN_PAUSED;
        *reason = VIR_DOMAIN_PAUSED_UNKNOWN;
    } else if (info->blocked) {
        *state = VIR_DOMAIN_BLOCKED;
        *reason = VIR_DOMAIN_BLOCKED_UNKNOWN;
    } else {
        *state = VIR_DOMAIN_RUNNING;
        *reason = VIR_DOMAIN_RUNNING_UNKNOWN;
    }
}


/*
 * libxlDomainDefCheckIdle:
 * Before virDomainObjListAdd(LIVE) of @def (createXML, restore): the
 * domain libvirt has under its uuid, if any, must be neither running nor
 * in another operation.  ListAdd checks only that it is not running: on
 * a domain another thread is starting, it would put @def in place of the
 * definition that start works on, and the failed restore that followed
 * removed the domain the start had made run (an orphan in Xen, seen by
 * reliability-random.py).  Returns 0, or -1 with an error.
 */
int
libxlDomainDefCheckIdle(libxlDriverPrivate *driver, const virDomainDef *def)
{
    virDomainObj *vm;
    int ret = 0;

    if (!(vm = virDomainObjListFindByUUID(driver->domains, def->uuid)))
        return 0;
    /* a running one is ListAdd's to refuse (CHECK_LIVE) */
    if (!virDomainObjIsActive(vm) && vm->job->active != VIR_JOB_NONE) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is busy with %s"), vm->def->name,
                       libxlDomainObjJobName(vm));
        ret = -1;
    }
    virDomainObjEndAPI(&vm);
    return ret;
}


/*
 * libxlDomainInfoGet:
 * libxl_domain_info of the running domain @domid.  A domain libvirt still
 * holds as running may be gone from Xen already: its destruction or its
 * shutdown ran out while the caller waited for the domain's lock, and the
 * death is not processed yet.  That is reported as a domain not running,
 * not as an internal error.  Returns 0, or -1 with an error.
 */
int
libxlDomainInfoGet(libxl_ctx *ctx, int domid, libxl_dominfo *info)
{
    int rc = libxl_domain_info(ctx, info, domid);

    if (rc == 0)
        return 0;
    if (rc == ERROR_DOMAIN_NOTFOUND) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain is not running: domain %d is gone from Xen"),
                       domid);
        return -1;
    }
    libxlReportError(VIR_ERR_INTERNAL_ERROR,
                     _("libxl_domain_info failed for domain %d"), domid);
    return -1;
}


/*
 * libxlDomainDom0Update:
 * Bring Domain-0's object up to date with what libxl reports: vCPUs,
 * memory, state.
 */
int
libxlDomainDom0Update(virDomainObj *vm,
                      const libxl_dominfo *info,
                      virDomainXMLOption *xmlopt)
{
    unsigned int maxvcpus = info->vcpu_max_id + 1;
    unsigned int vcpus = info->vcpu_online ? info->vcpu_online : 1;
    unsigned long long maxmem = info->max_memkb;

    if (vcpus > maxvcpus)
        maxvcpus = vcpus;

    if (virDomainDefSetVcpusMax(vm->def, maxvcpus, xmlopt) < 0)
        return -1;
    if (virDomainDefSetVcpus(vm->def, vcpus) < 0)
        return -1;

    /* Domain-0 is unlimited unless dom0_mem says otherwise */
    if (maxmem == 0 || maxmem == UINT64_MAX / 1024 ||
        maxmem < info->current_memkb)
        maxmem = info->current_memkb;
    virDomainDefSetMemoryTotal(vm->def, maxmem);
    vm->def->mem.cur_balloon = info->current_memkb;

    vm->def->id = 0;
    vm->persistent = 1;
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    return 0;
}


/*
 * libxlDomainDom0Add:
 * Put Domain-0 in the driver's domain list (or refresh it if it is
 * already there, on a driver reload).
 */
int
libxlDomainDom0Add(libxlDriverPrivate *driver)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) def = NULL;
    virDomainObj *vm = NULL;
    libxl_dominfo info;
    int ret = -1;

    libxl_dominfo_init(&info);

    if (libxl_domain_info(cfg->ctx, &info, 0) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot get Domain-0 information from libxenlight"));
        goto cleanup;
    }

    if (!(vm = virDomainObjListFindByID(driver->domains, 0))) {
        if (!(def = virDomainDefNew(driver->xmlopt)))
            goto cleanup;

        def->id = 0;
        def->virtType = VIR_DOMAIN_VIRT_XEN;
        def->os.type = VIR_DOMAIN_OSTYPE_XEN;
        def->os.arch = cfg->caps ? cfg->caps->host.arch : virArchFromHost();
        def->name = g_strdup(LIBXL_DOM0_NAME);
        memcpy(def->uuid, libxl_uuid_bytearray_const(&info.uuid), VIR_UUID_BUFLEN);

        if (!(vm = virDomainObjListAdd(driver->domains, &def, driver->xmlopt,
                                       0, NULL)))
            goto cleanup;
    }

    ret = libxlDomainDom0Update(vm, &info, driver->xmlopt);

 cleanup:
    libxl_dominfo_dispose(&info);
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- progress of jobs that move memory ---------------------------- */

/*
 * libxlDomainJobDataBegin:
 * The locked @vm's job starts moving @total bytes through the stream
 * at @fd (from offset @base on), or into the file @path.
 */
void
libxlDomainJobDataBegin(virDomainObj *vm,
                        virDomainJobOperation operation,
                        int fd,
                        unsigned long long base,
                        const char *path,
                        unsigned long long total)
{
    libxlDomainObjPrivate *priv = vm->privateData;
    libxlDomainJobData *data = &priv->jobData;

    g_free(data->path);
    memset(data, 0, sizeof(*data));
    data->operation = operation;
    ignore_value(virTimeMillisNow(&data->started));
    data->fd = fd;
    data->base = base;
    data->path = g_strdup(path);
    data->total = total;
}


/* How far the job of @data has come, in bytes, read from the stream. */
static unsigned long long
libxlDomainJobDataProcessed(const libxlDomainJobData *data)
{
    struct stat sb;
    off_t off;

    if (data->elapsed)
        return data->processed;
    if (data->moved)
        return MIN(__atomic_load_n(data->moved, __ATOMIC_RELAXED), data->total);
    if (data->fd >= 0) {
        if ((off = lseek(data->fd, 0, SEEK_CUR)) < 0 ||
            (unsigned long long) off < data->base)
            return 0;
        return MIN((unsigned long long) off - data->base, data->total);
    }
    if (data->path && stat(data->path, &sb) == 0)
        return MIN((unsigned long long) sb.st_size, data->total);
    return 0;
}


/*
 * libxlDomainJobDataEnd:
 * The job of the locked @vm is over: its data become the completed
 * job's (domjobinfo --completed); the JOB_COMPLETED event to queue.
 */
virObjectEvent *
libxlDomainJobDataEnd(virDomainObj *vm, bool success)
{
    libxlDomainObjPrivate *priv = vm->privateData;
    libxlDomainJobData *data = &priv->jobData;
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    int maxparams = 0;
    unsigned long long now;

    if (data->operation == VIR_DOMAIN_JOB_OPERATION_UNKNOWN)
        return NULL;

    data->processed = success ? data->total : libxlDomainJobDataProcessed(data);
    if (virTimeMillisNow(&now) < 0)
        now = data->started;
    data->elapsed = MAX(now - data->started, 1);
    data->success = success;
    data->fd = -1;
    data->moved = NULL;
    g_clear_pointer(&data->path, g_free);

    g_free(priv->jobCompleted.path);
    priv->jobCompleted = *data;
    memset(data, 0, sizeof(*data));

    if (!success ||
        libxlDomainJobDataParams(&priv->jobCompleted, &params, &nparams,
                                 &maxparams) < 0)
        return NULL;
    return virDomainEventJobCompletedNewFromObj(vm, params, nparams);
}


/*
 * libxlDomainJobDataParams:
 * domjobinfo's statistics of @data: the operation, the time elapsed
 * and, where the job moves memory, the data total, processed and
 * remaining.
 */
int
libxlDomainJobDataParams(libxlDomainJobData *data,
                         virTypedParameterPtr *params,
                         int *nparams,
                         int *maxparams)
{
    unsigned long long processed = libxlDomainJobDataProcessed(data);
    unsigned long long elapsed = data->elapsed;

    if (!elapsed) {
        unsigned long long now;

        if (virTimeMillisNow(&now) < 0)
            return -1;
        elapsed = now - data->started;
    }

    if (virTypedParamsAddInt(params, nparams, maxparams,
                             VIR_DOMAIN_JOB_OPERATION, data->operation) < 0 ||
        virTypedParamsAddULLong(params, nparams, maxparams,
                                VIR_DOMAIN_JOB_TIME_ELAPSED, elapsed) < 0)
        return -1;

    if (data->total &&
        (virTypedParamsAddULLong(params, nparams, maxparams,
                                 VIR_DOMAIN_JOB_DATA_TOTAL, data->total) < 0 ||
         virTypedParamsAddULLong(params, nparams, maxparams,
                                 VIR_DOMAIN_JOB_DATA_PROCESSED, processed) < 0 ||
         virTypedParamsAddULLong(params, nparams, maxparams,
                                 VIR_DOMAIN_JOB_DATA_REMAINING,
                                 data->total - processed) < 0 ||
         virTypedParamsAddULLong(params, nparams, maxparams,
                                 VIR_DOMAIN_JOB_MEMORY_TOTAL, data->total) < 0 ||
         virTypedParamsAddULLong(params, nparams, maxparams,
                                 VIR_DOMAIN_JOB_MEMORY_PROCESSED, processed) < 0 ||
         virTypedParamsAddULLong(params, nparams, maxparams,
                                 VIR_DOMAIN_JOB_MEMORY_REMAINING,
                                 data->total - processed) < 0))
        return -1;

    return 0;
}


/*
 * libxlDomainIsStarting:
 * @vm (locked) is being started or restarted: it has no domid yet, but
 * its live definition is made (a persistent domain's own is kept aside
 * as newDef) or a start job creates it.
 */
bool
libxlDomainIsStarting(virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    if (virDomainObjIsActive(vm))
        return false;
    return vm->newDef ||
           (priv->jobName && STREQ(priv->jobName, "start"));
}

/*
 * libxl_domain.h: the libxl driver's domain objects, their jobs and their
 * libxl asynchronous operations
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libxl.h>

#include "internal.h"
#include "domain_conf.h"
#include "libxl_console.h"
#include "virdomainjob.h"
#include "libxl_conf.h"

#define LIBXL_DOM0_NAME "Domain-0"

/* the longest domain name: a file name (NAME_MAX) less the longest
 * suffix the driver adds to one, a core dump's "-YYYY-MM-DD-hh:mm:ss" */
#define LIBXL_DOMAIN_NAME_MAX (NAME_MAX - 20)

/*
 * One libxl asynchronous operation (libxl_asyncop_how with a callback),
 * waited for by the thread that started it with the domain unlocked.
 * Its address identifies it to libxl_ao_abort, and it lives until that
 * thread has seen it complete, so an abort never targets a stale one.
 */
typedef struct _libxlDomainAO libxlDomainAO;
struct _libxlDomainAO {
    virMutex lock;
    virCond cond;
    bool done;
    int rc;
    /* what libxl logged on the completing thread when it failed */
    char *error;
    /* libxlLoggerMark when it began: older errors are not its own */
    unsigned long long logMark;

    libxl_asyncop_how how;
    /* what it does, for domjobinfo and errors: "start", "shutdown"... */
    const char *name;
    unsigned long long started;   /* ms since the epoch */
    /* the initiating call has returned: libxl has done what it does at
     * once (a shutdown request is written) and waits for the rest (the
     * guest's acknowledgement) */
    bool initiated;
    /* the waiter is asked to stop waiting (libxlDomainRequestCancel);
     * once it has (@orphaned), the callback, when libxl runs it, frees
     * the operation */
    bool abandoned;
    bool orphaned;
};

/*
 * The progress of a job that moves a domain's memory (save, restore,
 * dump), as domjobinfo shows it.  libxl reports none: the data
 * processed is read where the stream is, the offset of @fd (libxl's
 * helper shares its file description) less @base, or the size of the
 * file @path libxl writes.
 */
typedef struct _libxlDomainJobData libxlDomainJobData;
struct _libxlDomainJobData {
    virDomainJobOperation operation;   /* _UNKNOWN: no data */
    unsigned long long started;        /* ms since the epoch */
    unsigned long long elapsed;        /* ms, once completed */
    unsigned long long total;          /* bytes */
    unsigned long long processed;      /* bytes, once completed */
    bool success;
    int fd;
    unsigned long long base;
    char *path;
    /* or a count of the bytes moved (a migration's), read atomically */
    const unsigned long long *moved;
};

/* a migration in or out (libxl_migration.c) */
typedef struct _libxlMigration libxlMigration;

typedef struct _libxlDomainObjPrivate libxlDomainObjPrivate;
struct _libxlDomainObjPrivate {
    /* the console sessions (libxl_console.c); allocated and freed with
     * the object */
    libxlConsoles *consoles;

    /* the death watch of the running domain (DOMAIN_SHUTDOWN and
     * DOMAIN_DEATH events), NULL when not running */
    libxl_evgen_domain_death *deathW;

    /* what the current job does ("start", "shutdown", "event"...), for
     * the "busy" error; NULL without a job */
    const char *jobName;

    /* the libxl operation the current job waits for, or NULL */
    libxlDomainAO *ao;

    /* the lock manager's lease: held while the domain runs, its state
     * kept between runs (libxl_host.c) */
    bool lockRunning;
    char *lockState;

    /* the memory-moving job in progress, and the last one completed */
    libxlDomainJobData jobData;
    libxlDomainJobData jobCompleted;

    /* status XML: the job that was running when it was written; a
     * restarted daemon finding "start" destroys the half-built domain,
     * "save" resumes the suspended guest and removes statusPartial (or,
     * statusImage complete, finishes the save), "dump" removes
     * statusPartial and unpauses the guest if statusPaused */
    char *statusJob;
    char *statusPartial;
    char *statusImage;
    bool statusManaged;
    bool statusPaused;

    /* the migration of the domain, in or out (libxl_migration.c) */
    libxlMigration *migration;
};

void *libxlDomainObjPrivateAlloc(void *opaque);
void libxlDomainObjPrivateFree(void *data);

virDomainXMLOption *libxlDomainXMLConfNew(libxlDriverPrivate *driver);

int libxlDomainNameCheck(const char *name);

virDomainObj *libxlDomainObjFromDomain(libxlDriverPrivate *driver,
                                       virDomainPtr dom);

/* ---- jobs ---- */
int libxlDomainObjBeginJob(libxlDriverPrivate *driver,
                           virDomainObj *vm,
                           virDomainJob job,
                           const char *name)
    G_GNUC_WARN_UNUSED_RESULT;
void libxlDomainObjEndJob(virDomainObj *vm);

typedef void (*libxlDomainJobEndedHook)(void);
void libxlDomainSetJobEndedHook(libxlDomainJobEndedHook hook);
bool libxlDomainIsStarting(virDomainObj *vm);

const char *libxlDomainObjJobName(virDomainObj *vm);
int libxlDomainObjBeginJobFull(virDomainObj *vm,
                               virDomainJob job,
                               const char *name,
                               unsigned long long waitMs)
    G_GNUC_WARN_UNUSED_RESULT;

/* ---- asynchronous operations ---- */
libxlDomainAO *libxlDomainAONew(const char *name);
void libxlDomainAOFree(libxlDomainAO *ao);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libxlDomainAO, libxlDomainAOFree);

void libxlDomainAOComplete(libxl_ctx *ctx, int rc, void *for_callback);

int libxlDomainAOWait(virDomainObj *vm, libxlDomainAO *ao, int rc,
                     bool *abandoned);

/* Start an operation through @func with the how of a fresh AO (the
 * initiating call too runs with @vm unlocked), wait for it, return
 * libxl's rc. */
typedef int (*libxlDomainAOFunc)(libxl_ctx *ctx,
                                 uint32_t domid,
                                 const libxl_asyncop_how *how,
                                 void *opaque);
int libxlDomainAORun(virDomainObj *vm,
                     libxl_ctx *ctx,
                     const char *name,
                     libxlDomainAOFunc func,
                     void *opaque);

int libxlDomainAOAbort(virDomainObj *vm, libxl_ctx *ctx);

bool libxlDomainRequestWaiting(virDomainObj *vm);
void libxlDomainRequestCancel(virDomainObj *vm);

/* libxlDomainAOFunc adapters of libxl's one-domain operations */
int libxlDomainAODestroy(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *how, void *opaque);
int libxlDomainAOShutdown(libxl_ctx *ctx, uint32_t domid,
                          const libxl_asyncop_how *how, void *opaque);
int libxlDomainAOReboot(libxl_ctx *ctx, uint32_t domid,
                        const libxl_asyncop_how *how, void *opaque);
int libxlDomainAOTrigger(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *how, void *opaque);
int libxlDomainAOPause(libxl_ctx *ctx, uint32_t domid,
                       const libxl_asyncop_how *how, void *opaque);
int libxlDomainAOUnpause(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *how, void *opaque);
int libxlDomainAOResume(libxl_ctx *ctx, uint32_t domid,
                        const libxl_asyncop_how *how, void *opaque);

/* ---- state ---- */
void libxlDomainStateFromDominfo(const libxl_dominfo *info,
                                 int *state, int *reason);
int libxlDomainInfoGet(libxl_ctx *ctx, int domid, libxl_dominfo *info);
int libxlDomainDefCheckIdle(libxlDriverPrivate *driver,
                            const virDomainDef *def);

void libxlDomainStatusJobSet(libxlDriverPrivate *driver,
                             virDomainObj *vm,
                             const char *job,
                             const char *partial,
                             const char *image,
                             bool managed,
                             bool paused);
void libxlDomainStatusJobClear(virDomainObj *vm);
void libxlDomainStatusJobEnd(libxlDriverPrivate *driver, virDomainObj *vm);
int libxlDomainSaveStatus(libxlDriverPrivate *driver, virDomainObj *vm);

int libxlDomainDom0Update(virDomainObj *vm,
                          const libxl_dominfo *info,
                          virDomainXMLOption *xmlopt);
int libxlDomainDom0Add(libxlDriverPrivate *driver);

int libxlDomainPrivateFormat(virBuffer *buf, virDomainObj *vm);
int libxlDomainPrivateParse(xmlXPathContextPtr ctxt,
                            virDomainObj *vm,
                            virDomainDefParserConfig *config);

void libxlDomainJobDataBegin(virDomainObj *vm,
                             virDomainJobOperation operation,
                             int fd,
                             unsigned long long base,
                             const char *path,
                             unsigned long long total);
virObjectEvent *libxlDomainJobDataEnd(virDomainObj *vm, bool success);
int libxlDomainJobDataParams(libxlDomainJobData *data,
                             virTypedParameterPtr *params,
                             int *nparams,
                             int *maxparams);

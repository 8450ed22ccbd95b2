/*
 * libxl_process.h: starting, stopping and reconnecting to domains;
 * libxl's domain events and the on_poweroff/on_reboot/on_crash actions
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
#include "domain_event.h"
#include "libxl_conf.h"
#include "libxl_build.h"

/* libxlProcessStart flags */
typedef enum {
    LIBXL_PROCESS_START_PAUSED = 1 << 0,
    LIBXL_PROCESS_START_AUTODESTROY = 1 << 1,
} libxlProcessStartFlags;

int libxlProcessStart(libxlDriverPrivate *driver,
                      virDomainObj *vm,
                      virConnectPtr conn,
                      unsigned int flags);
int libxlProcessRestore(libxlDriverPrivate *driver,
                        virDomainObj *vm,
                        virConnectPtr conn,
                        unsigned int flags,
                        int restoreFd,
                        int version);


int libxlProcessDestroy(libxlDriverPrivate *driver, virDomainObj *vm);
int libxlProcessRewatchDeath(libxlDriverPrivate *driver, virDomainObj *vm);

void libxlProcessCleanup(libxlDriverPrivate *driver,
                         virDomainObj *vm,
                         virDomainShutoffReason reason);

/* a domain that stopped: cleanup, and the caller's stopped event */
void libxlProcessStopped(libxlDriverPrivate *driver,
                         virDomainObj *vm,
                         virDomainShutoffReason reason,
                         int eventDetail);

int libxlProcessEventsInit(libxlDriverPrivate *driver);
void libxlProcessEventsRelease(libxlDriverPrivate *driver);
void libxlProcessEventsStop(libxlDriverPrivate *driver);
void libxlProcessEventsDrain(libxlDriverPrivate *driver);
void libxlProcessEventsFree(libxlDriverPrivate *driver);

int libxlProcessReconnectAll(libxlDriverPrivate *driver);
int libxlProcessAdoptAll(libxlDriverPrivate *driver);
void libxlProcessAutostartAll(libxlDriverPrivate *driver);
void libxlProcessAutostartJoin(void);

void libxlProcessQueueEvent(libxlDriverPrivate *driver, virObjectEvent *event);

/* the conversion's parameters from the driver's configuration */
void libxlProcessBuildParams(libxlDriverConfig *cfg, libxlBuildParams *params);

/*
 * What a guest's shutdown (libxl DOMAIN_SHUTDOWN with @reason) leads to,
 * given the definition's on_* settings: a pure decision, unit tested.
 */
typedef struct _libxlShutdownPlan libxlShutdownPlan;
struct _libxlShutdownPlan {
    /* the action to apply; VIR_DOMAIN_LIFECYCLE_ACTION_LAST: none
     * (the domain stays, e.g. suspended) */
    virDomainLifecycleAction action;
    /* first event, -1 for none: the guest did something */
    int eventType;
    int eventDetail;
    /* when the action stops the domain: its shutoff reason and the
     * STOPPED event's detail */
    virDomainShutoffReason shutoffReason;
    int stoppedDetail;
    /* state of a preserved domain */
    int preserveState;
    int preserveReason;
    /* a restart is a reboot (REBOOT event) */
    bool reboot;
};

void libxlShutdownPlanFor(const virDomainDef *def,
                          libxl_shutdown_reason reason,
                          libxlShutdownPlan *plan);

int libxlProcessHandleEvent(libxlDriverPrivate *driver, libxl_event *ev);
void libxlProcessEventPush(libxlDriverPrivate *driver, libxl_event *ev);

/*
 * libxl_osevent.c: libxl's event machinery on libvirt's event loop
 *
 * libxl wants the application to watch its file descriptors and timers
 * (libxl_osevent_hooks) and to call libxl_osevent_occurred_* when they
 * fire.  This file implements those hooks on virEventAddHandle and
 * virEventAddTimeout.  The rules it follows (the bugs of the 2013 driver
 * it must not have):
 *
 *  - Lock order.  libxl calls the hooks with its own ctx lock held, so a
 *    lock taken inside a hook must never be held while calling into
 *    libxl (libxl_event.h, "lock hierarchy", option (a)).  The
 *    registration record's mutex is only held around virEvent* calls;
 *    the occurrence callbacks release it before calling libxl.
 *
 *  - Lifetimes.  A registration record is reference counted: one
 *    reference for libxl's registration (dropped at deregister, or when a
 *    timeout has fired, which implicitly deregisters it), one for the
 *    event loop (dropped by the loop's free callback, which runs once the
 *    loop can no longer dispatch the handle).  Nothing a pending callback
 *    can reach is freed under it.  Each record holds a reference on the
 *    bridge, the hooks' user pointer.
 *
 *  - Late timeouts.  A timeout that fires after libxl deregistered it or
 *    after it already fired does nothing; timeout_modify racing with the
 *    timeout firing is ignored (libxl_event.h allows both).
 *
 *  - Teardown.  libxlEventBridgeDetach, before libxl_ctx_free, waits for
 *    callbacks that are in libxl and keeps later ones out (a read/write
 *    lock that is never taken for writing while libxl is called).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <poll.h>
#include <sys/time.h>

#include "internal.h"
#include "virerror.h"
#include "virevent.h"
#include "virlog.h"
#include "virthread.h"
#include "libxl_logger.h"
#include "libxl_osevent.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_osevent");

struct _libxlEventBridge {
    gint refs;

    /* held for reading while calling into libxl, for writing to detach */
    GRWLock lock;
    libxl_ctx *ctx;

    libxlEventOccurredFdFunc occurredFd;
    libxlEventOccurredTimeoutFunc occurredTimeout;
};

typedef struct _libxlEventReg libxlEventReg;
struct _libxlEventReg {
    gint refs;
    libxlEventBridge *bridge;

    virMutex lock;
    /* the virEvent handle or timer; -1 once removed */
    int watch;
    bool isTimeout;
    int fd;
    short events;
    /* a timeout fired (or was deregistered): libxl no longer knows it */
    bool done;

    void *forLibxl;
};

static gint libxlEventRegsAlive;


int
libxlEventPollToVir(short events)
{
    int ret = 0;

    if (events & POLLIN)
        ret |= VIR_EVENT_HANDLE_READABLE;
    if (events & POLLOUT)
        ret |= VIR_EVENT_HANDLE_WRITABLE;
    if (events & POLLERR)
        ret |= VIR_EVENT_HANDLE_ERROR;
    if (events & POLLHUP)
        ret |= VIR_EVENT_HANDLE_HANGUP;
    return ret;
}


short
libxlEventVirToPoll(int events)
{
    short ret = 0;

    if (events & VIR_EVENT_HANDLE_READABLE)
        ret |= POLLIN;
    if (events & VIR_EVENT_HANDLE_WRITABLE)
        ret |= POLLOUT;
    if (events & VIR_EVENT_HANDLE_ERROR)
        ret |= POLLERR;
    if (events & VIR_EVENT_HANDLE_HANGUP)
        ret |= POLLHUP;
    return ret;
}


/* ---- the bridge --------------------------------------------------- */

/* Each dispatch into libxl is an operation of its own: an error libxl
 * logged in an earlier one on this thread is not the reason of what
 * completes in this one. */
static void
libxlOccurredFdReal(libxl_ctx *ctx, void *for_libxl,
                    int fd, short events, short revents)
{
    libxlLoggerResetLastError();
    libxl_osevent_occurred_fd(ctx, for_libxl, fd, events, revents);
}


static void
libxlOccurredTimeoutReal(libxl_ctx *ctx, void *for_libxl)
{
    libxlLoggerResetLastError();
    libxl_osevent_occurred_timeout(ctx, for_libxl);
}


libxlEventBridge *
libxlEventBridgeNew(void)
{
    libxlEventBridge *bridge = g_new0(libxlEventBridge, 1);

    bridge->refs = 1;
    g_rw_lock_init(&bridge->lock);
    bridge->occurredFd = libxlOccurredFdReal;
    bridge->occurredTimeout = libxlOccurredTimeoutReal;
    return bridge;
}


static libxlEventBridge *
libxlEventBridgeRef(libxlEventBridge *bridge)
{
    g_atomic_int_inc(&bridge->refs);
    return bridge;
}


void
libxlEventBridgeUnref(libxlEventBridge *bridge)
{
    if (!bridge)
        return;
    if (!g_atomic_int_dec_and_test(&bridge->refs))
        return;

    g_rw_lock_clear(&bridge->lock);
    g_free(bridge);
}


int
libxlEventBridgeRefs(libxlEventBridge *bridge)
{
    return g_atomic_int_get(&bridge->refs);
}


void
libxlEventBridgeDetach(libxlEventBridge *bridge)
{
    if (!bridge)
        return;

    g_rw_lock_writer_lock(&bridge->lock);
    bridge->ctx = NULL;
    g_rw_lock_writer_unlock(&bridge->lock);
}


void
libxlEventBridgeSetOccurred(libxlEventBridge *bridge,
                            libxl_ctx *ctx,
                            libxlEventOccurredFdFunc fdFunc,
                            libxlEventOccurredTimeoutFunc timeoutFunc)
{
    g_rw_lock_writer_lock(&bridge->lock);
    bridge->ctx = ctx;
    bridge->occurredFd = fdFunc;
    bridge->occurredTimeout = timeoutFunc;
    g_rw_lock_writer_unlock(&bridge->lock);
}


/* ---- registration records ----------------------------------------- */

static libxlEventReg *
libxlEventRegNew(libxlEventBridge *bridge, void *forLibxl, bool isTimeout)
{
    libxlEventReg *reg = g_new0(libxlEventReg, 1);

    if (virMutexInit(&reg->lock) < 0) {
        g_free(reg);
        return NULL;
    }
    /* libxl's reference; the event loop's is added once it has the record */
    reg->refs = 1;
    reg->bridge = libxlEventBridgeRef(bridge);
    reg->watch = -1;
    reg->fd = -1;
    reg->isTimeout = isTimeout;
    reg->forLibxl = forLibxl;
    g_atomic_int_inc(&libxlEventRegsAlive);
    return reg;
}


static void
libxlEventRegUnref(void *opaque)
{
    libxlEventReg *reg = opaque;

    if (!reg || !g_atomic_int_dec_and_test(&reg->refs))
        return;

    virMutexDestroy(&reg->lock);
    libxlEventBridgeUnref(reg->bridge);
    g_free(reg);
    g_atomic_int_add(&libxlEventRegsAlive, -1);
}


int
libxlEventRegistrationsAlive(void)
{
    return g_atomic_int_get(&libxlEventRegsAlive);
}


/*
 * libxlEventRegRemove:
 * Take @reg off the event loop (its free callback then drops the loop's
 * reference).  Called with reg->lock held.
 */
static void
libxlEventRegRemove(libxlEventReg *reg)
{
    if (reg->watch < 0)
        return;

    if (reg->isTimeout)
        virEventRemoveTimeout(reg->watch);
    else
        virEventRemoveHandle(reg->watch);
    reg->watch = -1;
}


/* ---- file descriptors --------------------------------------------- */

static void
libxlEventFdCallback(int watch G_GNUC_UNUSED,
                     int fd,
                     int vir_events,
                     void *opaque)
{
    libxlEventReg *reg = opaque;
    libxlEventBridge *bridge = reg->bridge;
    short events;

    virMutexLock(&reg->lock);
    if (reg->watch < 0) {
        /* deregistered while this dispatch was on its way */
        virMutexUnlock(&reg->lock);
        return;
    }
    events = reg->events;
    virMutexUnlock(&reg->lock);

    /* libxl ignores occurrences of registrations it dropped meanwhile */
    g_rw_lock_reader_lock(&bridge->lock);
    if (bridge->ctx)
        bridge->occurredFd(bridge->ctx, reg->forLibxl, fd, events,
                           libxlEventVirToPoll(vir_events));
    g_rw_lock_reader_unlock(&bridge->lock);
}


static int
libxlEventFdRegister(void *user, int fd, void **for_app_registration_out,
                     short events, void *for_libxl)
{
    libxlEventBridge *bridge = user;
    libxlEventReg *reg;
    int watch;

    if (!(reg = libxlEventRegNew(bridge, for_libxl, false)))
        return ERROR_OSEVENT_REG_FAIL;

    reg->fd = fd;
    reg->events = events;

    /* the loop's reference, dropped by libxlEventRegUnref as free callback */
    g_atomic_int_inc(&reg->refs);
    virMutexLock(&reg->lock);
    if ((watch = virEventAddHandle(fd, libxlEventPollToVir(events),
                                   libxlEventFdCallback, reg,
                                   libxlEventRegUnref)) < 0) {
        virMutexUnlock(&reg->lock);
        VIR_WARN("cannot watch fd %d for libxl", fd);
        /* neither the loop nor libxl keeps it */
        g_atomic_int_add(&reg->refs, -1);
        libxlEventRegUnref(reg);
        return ERROR_OSEVENT_REG_FAIL;
    }
    reg->watch = watch;
    virMutexUnlock(&reg->lock);

    *for_app_registration_out = reg;
    return 0;
}


static int
libxlEventFdModify(void *user G_GNUC_UNUSED,
                   int fd G_GNUC_UNUSED,
                   void **for_app_registration_update,
                   short events)
{
    libxlEventReg *reg = *for_app_registration_update;

    virMutexLock(&reg->lock);
    reg->events = events;
    if (reg->watch >= 0)
        virEventUpdateHandle(reg->watch, libxlEventPollToVir(events));
    virMutexUnlock(&reg->lock);
    return 0;
}


static void
libxlEventFdDeregister(void *user G_GNUC_UNUSED,
                       int fd G_GNUC_UNUSED,
                       void *for_app_registration)
{
    libxlEventReg *reg = for_app_registration;

    virMutexLock(&reg->lock);
    libxlEventRegRemove(reg);
    virMutexUnlock(&reg->lock);
    /* libxl's reference */
    libxlEventRegUnref(reg);
}


/* ---- timeouts ----------------------------------------------------- */

static int
libxlEventTimeoutMsFromAbs(struct timeval abs)
{
    struct timeval now;
    long long ms;

    gettimeofday(&now, NULL);
    ms = (abs.tv_sec - now.tv_sec) * 1000LL +
        (abs.tv_usec - now.tv_usec) / 1000;
    if (ms < 0)
        return 0;
    if (ms > INT_MAX)
        return INT_MAX;
    return ms;
}


static void
libxlEventTimeoutCallback(int timer G_GNUC_UNUSED, void *opaque)
{
    libxlEventReg *reg = opaque;
    libxlEventBridge *bridge = reg->bridge;

    virMutexLock(&reg->lock);
    if (reg->done) {
        /* fired already, or libxl lost interest: nothing to do */
        virMutexUnlock(&reg->lock);
        return;
    }
    reg->done = true;
    libxlEventRegRemove(reg);
    virMutexUnlock(&reg->lock);

    g_rw_lock_reader_lock(&bridge->lock);
    if (bridge->ctx)
        bridge->occurredTimeout(bridge->ctx, reg->forLibxl);
    g_rw_lock_reader_unlock(&bridge->lock);

    /* Firing deregistered it in libxl's eyes: libxl's reference goes,
     * only now that libxl can no longer call timeout_modify on it. */
    libxlEventRegUnref(reg);
}


static int
libxlEventTimeoutRegister(void *user, void **for_app_registration_out,
                          struct timeval abs, void *for_libxl)
{
    libxlEventBridge *bridge = user;
    libxlEventReg *reg;
    int timer;

    if (!(reg = libxlEventRegNew(bridge, for_libxl, true)))
        return ERROR_OSEVENT_REG_FAIL;

    g_atomic_int_inc(&reg->refs);
    virMutexLock(&reg->lock);
    if ((timer = virEventAddTimeout(libxlEventTimeoutMsFromAbs(abs),
                                    libxlEventTimeoutCallback, reg,
                                    libxlEventRegUnref)) < 0) {
        virMutexUnlock(&reg->lock);
        VIR_WARN("cannot add a timeout for libxl");
        g_atomic_int_add(&reg->refs, -1);
        libxlEventRegUnref(reg);
        return ERROR_OSEVENT_REG_FAIL;
    }
    reg->watch = timer;
    virMutexUnlock(&reg->lock);

    *for_app_registration_out = reg;
    return 0;
}


static int
libxlEventTimeoutModify(void *user G_GNUC_UNUSED,
                        void **for_app_registration_update,
                        struct timeval abs)
{
    libxlEventReg *reg = *for_app_registration_update;

    virMutexLock(&reg->lock);
    /* a modify racing with the timeout firing is ignored */
    if (!reg->done && reg->watch >= 0)
        virEventUpdateTimeout(reg->watch, libxlEventTimeoutMsFromAbs(abs));
    virMutexUnlock(&reg->lock);
    return 0;
}


/* Never called by libxl 4.17 (deprecated mode), implemented all the same. */
static void
libxlEventTimeoutDeregister(void *user G_GNUC_UNUSED,
                            void *for_app_registration)
{
    libxlEventReg *reg = for_app_registration;
    bool drop;

    virMutexLock(&reg->lock);
    drop = !reg->done;
    reg->done = true;
    libxlEventRegRemove(reg);
    virMutexUnlock(&reg->lock);
    if (drop)
        libxlEventRegUnref(reg);
}


static const libxl_osevent_hooks libxlEventHooks = {
    .fd_register = libxlEventFdRegister,
    .fd_modify = libxlEventFdModify,
    .fd_deregister = libxlEventFdDeregister,
    .timeout_register = libxlEventTimeoutRegister,
    .timeout_modify = libxlEventTimeoutModify,
    .timeout_deregister = libxlEventTimeoutDeregister,
};


const libxl_osevent_hooks *
libxlEventBridgeHooks(void)
{
    return &libxlEventHooks;
}


void
libxlEventBridgeAttach(libxlEventBridge *bridge, libxl_ctx *ctx)
{
    g_rw_lock_writer_lock(&bridge->lock);
    bridge->ctx = ctx;
    g_rw_lock_writer_unlock(&bridge->lock);

    libxl_osevent_register_hooks(ctx, &libxlEventHooks, bridge);
}

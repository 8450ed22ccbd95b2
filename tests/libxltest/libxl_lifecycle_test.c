/*
 * libxl_lifecycle_test.c: the lifecycle machinery without a daemon or Xen
 *
 *   osevent  the libxl_osevent_hooks bridge on libvirt's event loop: fd and
 *            timeout registrations reach libxl's occurrence calls, live
 *            exactly as long as a callback can reach them, a timeout firing
 *            late (after deregistration, after detach, racing a modify) is
 *            harmless
 *   job      a second job waits for the first, or fails naming it
 *   ao       an asynchronous operation is waited for with the domain
 *            unlocked; a failed initiation does not wait; libxl's reason
 *            for a failure reaches the waiting thread's error
 *   plan     libxl shutdown reasons and on_* settings -> actions, events
 *   status   the private part of the status XML survives a round trip
 *   process  libxl domain events reach the domain with that domid, once
 *   child    the childproc mode the driver sets on the context it makes
 */
#include <config.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

#include "internal.h"
#include "datatypes.h"
#include "virerror.h"
#include "virevent.h"
#include "virfile.h"
#include "virthread.h"
#include "virtime.h"
#include "virdomainobjlist.h"
#include "libxl_child.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_osevent.h"
#include "libxl_process.h"
#include "libxl_testutils.h"

/* ---- an event loop on a thread of its own ---- */

static virThread loopThread;
static volatile int loopQuit;
static int loopWakeTimer = -1;

static void
loopWake(int timer G_GNUC_UNUSED, void *opaque G_GNUC_UNUSED)
{
}

static void
loopRun(void *opaque G_GNUC_UNUSED)
{
    while (!g_atomic_int_get(&loopQuit))
        virEventRunDefaultImpl();
}

static void
loopSetup(void)
{
    static bool registered;

    if (!registered) {
        ck_assert_int_eq(virEventRegisterDefaultImpl(), 0);
        registered = true;
    }
    g_atomic_int_set(&loopQuit, 0);
    /* keeps the loop iterating so that it notices loopQuit */
    loopWakeTimer = virEventAddTimeout(20, loopWake, NULL, NULL);
    ck_assert_int_ge(loopWakeTimer, 0);
    ck_assert_int_eq(virThreadCreate(&loopThread, true, loopRun, NULL), 0);
}

static void
loopTeardown(void)
{
    g_atomic_int_set(&loopQuit, 1);
    virThreadJoin(&loopThread);
    virEventRemoveTimeout(loopWakeTimer);
    /* one more iteration frees what was removed */
    virEventRunDefaultImpl();
}

/* wait up to @ms for *@counter to reach @want */
static bool
waitFor(volatile int *counter, int want, int ms)
{
    while (ms > 0) {
        if (g_atomic_int_get(counter) >= want)
            return true;
        g_usleep(5000);
        ms -= 5;
    }
    return g_atomic_int_get(counter) >= want;
}

static bool
waitForRegs(int want, int ms)
{
    while (ms > 0) {
        if (libxlEventRegistrationsAlive() == want)
            return true;
        g_usleep(5000);
        ms -= 5;
    }
    return libxlEventRegistrationsAlive() == want;
}

/* ---- the fake libxl side of the bridge ---- */

#define FAKE_CTX ((libxl_ctx *) 0x5a5a)

static volatile int fdCalls;
static volatile int timeoutCalls;
static void *lastForLibxl;
static short lastRevents;
static int lastFd;
/* set to have the timeout occurrence call timeout_modify, as libxl may */
static void **modifyFromOccurred;

static void
fakeOccurredFd(libxl_ctx *ctx, void *for_libxl, int fd,
               short events G_GNUC_UNUSED, short revents)
{
    ck_assert_ptr_eq(ctx, FAKE_CTX);
    lastForLibxl = for_libxl;
    lastRevents = revents;
    lastFd = fd;
    g_atomic_int_inc(&fdCalls);
}

static void
fakeOccurredTimeout(libxl_ctx *ctx, void *for_libxl)
{
    ck_assert_ptr_eq(ctx, FAKE_CTX);
    lastForLibxl = for_libxl;
    if (modifyFromOccurred) {
        struct timeval asap = { 0, 0 };

        libxlEventBridgeHooks()->timeout_modify(NULL, modifyFromOccurred, asap);
    }
    g_atomic_int_inc(&timeoutCalls);
}

static libxlEventBridge *bridge;

static void
bridgeSetup(void)
{
    loopSetup();
    fdCalls = 0;
    timeoutCalls = 0;
    lastForLibxl = NULL;
    modifyFromOccurred = NULL;
    bridge = libxlEventBridgeNew();
    libxlEventBridgeSetOccurred(bridge, FAKE_CTX, fakeOccurredFd,
                                fakeOccurredTimeout);
}

static void
bridgeTeardown(void)
{
    loopTeardown();
    ck_assert(waitForRegs(0, 1000));
    ck_assert_int_eq(libxlEventBridgeRefs(bridge), 1);
    libxlEventBridgeUnref(bridge);
    bridge = NULL;
}

static struct timeval
inMs(int ms)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    tv.tv_usec += ms * 1000;
    tv.tv_sec += tv.tv_usec / 1000000;
    tv.tv_usec %= 1000000;
    return tv;
}

/* ---- osevent ---- */

START_TEST(test_osevent_fd)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    void *reg = NULL;
    int fds[2];

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(hooks->fd_register(bridge, fds[0], &reg, POLLIN,
                                        (void *) 0x1234), 0);
    ck_assert_ptr_nonnull(reg);
    ck_assert_int_eq(libxlEventRegistrationsAlive(), 1);
    /* the record holds a reference on the bridge */
    ck_assert_int_eq(libxlEventBridgeRefs(bridge), 2);

    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    ck_assert(waitFor(&fdCalls, 1, 2000));
    ck_assert_ptr_eq(lastForLibxl, (void *) 0x1234);
    ck_assert_int_eq(lastFd, fds[0]);
    ck_assert(lastRevents & POLLIN);

    hooks->fd_deregister(bridge, fds[0], reg);
    /* freed by the loop's free callback, not under a running callback */
    ck_assert(waitForRegs(0, 2000));
    VIR_FORCE_CLOSE(fds[0]);
    VIR_FORCE_CLOSE(fds[1]);
}
END_TEST

START_TEST(test_osevent_fd_modify)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    void *reg = NULL;
    int fds[2];

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    /* registered with no events: readable, but no occurrence */
    ck_assert_int_eq(hooks->fd_register(bridge, fds[0], &reg, 0,
                                        (void *) 0x77), 0);
    g_usleep(100 * 1000);
    ck_assert_int_eq(g_atomic_int_get(&fdCalls), 0);

    ck_assert_int_eq(hooks->fd_modify(bridge, fds[0], &reg, POLLIN), 0);
    ck_assert(waitFor(&fdCalls, 1, 2000));
    ck_assert_ptr_eq(lastForLibxl, (void *) 0x77);

    hooks->fd_deregister(bridge, fds[0], reg);
    ck_assert(waitForRegs(0, 2000));
    VIR_FORCE_CLOSE(fds[0]);
    VIR_FORCE_CLOSE(fds[1]);
}
END_TEST

START_TEST(test_osevent_timeout_once)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    void *reg = NULL;

    ck_assert_int_eq(hooks->timeout_register(bridge, &reg, inMs(30),
                                             (void *) 0x42), 0);
    ck_assert(waitFor(&timeoutCalls, 1, 2000));
    ck_assert_ptr_eq(lastForLibxl, (void *) 0x42);
    /* a timeout fires once, then is gone (libxl considers it deregistered) */
    g_usleep(150 * 1000);
    ck_assert_int_eq(g_atomic_int_get(&timeoutCalls), 1);
    ck_assert(waitForRegs(0, 2000));
}
END_TEST

START_TEST(test_osevent_timeout_asap)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    struct timeval asap = { 0, 0 };
    void *reg = NULL;

    ck_assert_int_eq(hooks->timeout_register(bridge, &reg, inMs(60 * 1000),
                                             (void *) 0x43), 0);
    g_usleep(50 * 1000);
    ck_assert_int_eq(g_atomic_int_get(&timeoutCalls), 0);
    ck_assert_int_eq(hooks->timeout_modify(bridge, &reg, asap), 0);
    ck_assert(waitFor(&timeoutCalls, 1, 2000));
    ck_assert(waitForRegs(0, 2000));
}
END_TEST

/* libxl calling timeout_modify while the timeout is occurring: ignored */
START_TEST(test_osevent_timeout_modify_race)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    void *reg = NULL;

    ck_assert_int_eq(hooks->timeout_register(bridge, &reg, inMs(0),
                                             (void *) 0x44), 0);
    modifyFromOccurred = &reg;
    ck_assert(waitFor(&timeoutCalls, 1, 2000));
    g_usleep(100 * 1000);
    ck_assert_int_eq(g_atomic_int_get(&timeoutCalls), 1);
    ck_assert(waitForRegs(0, 2000));
}
END_TEST

/* deregistered before it fires: it never reaches libxl */
START_TEST(test_osevent_timeout_deregistered)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    void *reg = NULL;

    ck_assert_int_eq(hooks->timeout_register(bridge, &reg, inMs(50),
                                             (void *) 0x45), 0);
    hooks->timeout_deregister(bridge, reg);
    g_usleep(200 * 1000);
    ck_assert_int_eq(g_atomic_int_get(&timeoutCalls), 0);
    ck_assert(waitForRegs(0, 2000));
}
END_TEST

/* after detach (the ctx is about to be freed) nothing reaches libxl */
START_TEST(test_osevent_after_detach)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    void *treg = NULL;
    void *freg = NULL;
    int fds[2];

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(hooks->timeout_register(bridge, &treg, inMs(50),
                                             (void *) 0x46), 0);
    ck_assert_int_eq(hooks->fd_register(bridge, fds[0], &freg, POLLIN,
                                        (void *) 0x47), 0);
    libxlEventBridgeDetach(bridge);
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    g_usleep(200 * 1000);
    ck_assert_int_eq(g_atomic_int_get(&timeoutCalls), 0);
    ck_assert_int_eq(g_atomic_int_get(&fdCalls), 0);
    /* libxl_ctx_free deregisters the fds */
    hooks->fd_deregister(bridge, fds[0], freg);
    ck_assert(waitForRegs(0, 2000));
    VIR_FORCE_CLOSE(fds[0]);
    VIR_FORCE_CLOSE(fds[1]);
}
END_TEST

/* many registrations coming and going while events fire */
START_TEST(test_osevent_churn)
{
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    int fds[2];
    size_t i;

    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(write(fds[1], "x", 1), 1);
    for (i = 0; i < 200; i++) {
        void *freg = NULL;
        void *treg = NULL;

        ck_assert_int_eq(hooks->fd_register(bridge, fds[0], &freg, POLLIN,
                                            (void *) i), 0);
        ck_assert_int_eq(hooks->timeout_register(bridge, &treg, inMs(i % 3),
                                                 (void *) i), 0);
        if (i % 2)
            g_usleep(500);
        hooks->fd_deregister(bridge, fds[0], freg);
        if (i % 5 == 0)
            hooks->timeout_deregister(bridge, treg);
    }
    ck_assert(waitForRegs(0, 5000));
    VIR_FORCE_CLOSE(fds[0]);
    VIR_FORCE_CLOSE(fds[1]);
}
END_TEST

START_TEST(test_osevent_poll_conversion)
{
    ck_assert_int_eq(libxlEventPollToVir(POLLIN | POLLOUT),
                     VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_WRITABLE);
    ck_assert_int_eq(libxlEventVirToPoll(VIR_EVENT_HANDLE_ERROR |
                                         VIR_EVENT_HANDLE_HANGUP),
                     POLLERR | POLLHUP);
    ck_assert_int_eq(libxlEventVirToPoll(libxlEventPollToVir(POLLIN)), POLLIN);
}
END_TEST

/* ---- domain objects for the job, ao and status tests ---- */

static libxlDriverPrivate testDriver;

static const char *testDomXML =
    "<domain type='xen'>"
    "  <name>job1</name>"
    "  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>"
    "  <memory unit='MiB'>128</memory>"
    "  <vcpu>1</vcpu>"
    "  <on_poweroff>destroy</on_poweroff>"
    "  <on_reboot>restart</on_reboot>"
    "  <on_crash>preserve</on_crash>"
    "  <os><type>linux</type><kernel>/boot/vmlinuz</kernel></os>"
    "</domain>";

static virDomainObj *
testDomain(void)
{
    g_autoptr(virDomainDef) def = NULL;
    virDomainObj *vm;

    if (!testDriver.xmlopt) {
        testDriver.xmlopt = libxlDomainXMLConfNew(&testDriver);
        ck_assert_ptr_nonnull(testDriver.xmlopt);
    }
    def = virDomainDefParseString(testDomXML, testDriver.xmlopt, NULL,
                                  VIR_DOMAIN_DEF_PARSE_INACTIVE);
    ck_assert_msg(def != NULL, "%s", virGetLastErrorMessage());
    vm = virDomainObjNew(testDriver.xmlopt);
    ck_assert_ptr_nonnull(vm);
    vm->def = g_steal_pointer(&def);
    /* locked, as virDomainObjNew returns it */
    return vm;
}

static void
testDomainFree(virDomainObj *vm)
{
    virObjectUnlock(vm);
    virObjectUnref(vm);
}

/* ---- job ---- */

typedef struct {
    virDomainObj *vm;
    unsigned long long waitMs;
    int ret;
    char *error;
} jobThreadData;

static void
jobThread(void *opaque)
{
    jobThreadData *d = opaque;

    virObjectLock(d->vm);
    d->ret = libxlDomainObjBeginJobFull(d->vm, VIR_JOB_MODIFY, "second",
                                        d->waitMs);
    if (d->ret < 0)
        d->error = g_strdup(virGetLastErrorMessage());
    else
        libxlDomainObjEndJob(d->vm);
    virObjectUnlock(d->vm);
}

START_TEST(test_job_busy)
{
    virDomainObj *vm = testDomain();
    jobThreadData d = { vm, 200, 0, NULL };
    virThread thr;

    ck_assert_int_eq(libxlDomainObjBeginJobFull(vm, VIR_JOB_MODIFY, "start",
                                                1000), 0);
    virObjectUnlock(vm);
    ck_assert_int_eq(virThreadCreate(&thr, true, jobThread, &d), 0);
    virThreadJoin(&thr);
    ck_assert_int_eq(d.ret, -1);
    ck_assert_msg(strstr(d.error, "domain 'job1' is busy with start") != NULL,
                  "%s", d.error);
    virObjectLock(vm);
    libxlDomainObjEndJob(vm);
    g_free(d.error);
    testDomainFree(vm);
}
END_TEST

START_TEST(test_job_waits)
{
    virDomainObj *vm = testDomain();
    jobThreadData d = { vm, 5000, 0, NULL };
    virThread thr;

    ck_assert_int_eq(libxlDomainObjBeginJobFull(vm, VIR_JOB_MODIFY, "start",
                                                1000), 0);
    virObjectUnlock(vm);
    ck_assert_int_eq(virThreadCreate(&thr, true, jobThread, &d), 0);
    g_usleep(100 * 1000);
    virObjectLock(vm);
    libxlDomainObjEndJob(vm);
    virObjectUnlock(vm);
    virThreadJoin(&thr);
    ck_assert_msg(d.ret == 0, "%s", NULLSTR(d.error));
    virObjectLock(vm);
    ck_assert_int_eq(vm->job->active, VIR_JOB_NONE);
    testDomainFree(vm);
}
END_TEST

/* ---- ao ---- */

typedef struct {
    virDomainObj *vm;
    libxlDomainAO *ao;
    bool wasUnlocked;
} aoThreadData;

static void
aoCompleter(void *opaque)
{
    aoThreadData *d = opaque;

    g_usleep(50 * 1000);
    /* the waiter holds no domain lock while it waits */
    virObjectLock(d->vm);
    d->wasUnlocked = true;
    virObjectUnlock(d->vm);
    /* libxl logs the failure on the thread completing the operation */
    libxlLoggerSetLastError("the hypervisor said no");
    libxlDomainAOComplete(NULL, ERROR_ABORTED, d->ao);
    /* taken over by the waiter, not left on this thread */
    ck_assert_ptr_null(libxlLoggerGetLastError());
}

START_TEST(test_ao_wait_unlocked)
{
    virDomainObj *vm = testDomain();
    libxlDomainObjPrivate *priv = vm->privateData;
    g_autoptr(libxlDomainAO) ao = libxlDomainAONew("start");
    aoThreadData d = { vm, ao, false };
    virThread thr;
    bool abandoned;

    ck_assert_ptr_eq(ao->how.u.for_callback, ao);
    ck_assert_ptr_eq(ao->how.callback, libxlDomainAOComplete);
    priv->ao = ao;
    ck_assert_int_eq(virThreadCreate(&thr, true, aoCompleter, &d), 0);
    libxlLoggerResetLastError();
    ck_assert_int_eq(libxlDomainAOWait(vm, ao, 0, &abandoned), ERROR_ABORTED);
    ck_assert(!abandoned);
    virThreadJoin(&thr);
    ck_assert(d.wasUnlocked);
    /* libxlReportError on the waiting thread carries libxl's reason */
    ck_assert_str_eq(NULLSTR(libxlLoggerGetLastError()), "the hypervisor said no");
    libxlReportError(VIR_ERR_OPERATION_FAILED, "%s", "failed to start");
    ck_assert_str_eq(virGetLastErrorMessage(),
                     "operation failed: failed to start: the hypervisor said no");
    virResetLastError();
    ck_assert_ptr_null(priv->ao);
    testDomainFree(vm);
}
END_TEST

/* An operation completing (failed, libxl logging nothing) inside its
 * initiating call, as libxl allows. */
static int
aoFailSilently(libxl_ctx *ctx,
               uint32_t domid G_GNUC_UNUSED,
               const libxl_asyncop_how *how,
               void *opaque G_GNUC_UNUSED)
{
    how->callback(ctx, ERROR_FAIL, how->u.for_callback);
    return 0;
}

/* A failure of another domain, never reported, left its text on this
 * thread: this operation's error must not carry it. */
START_TEST(test_ao_stale_error_same_thread)
{
    virDomainObj *vm = testDomain();

    libxlLoggerSetLastError("domain 7: fault injected on libxl_domain_create_new");
    ck_assert_int_eq(libxlDomainAORun(vm, NULL, "start", aoFailSilently, NULL),
                     ERROR_FAIL);
    libxlReportError(VIR_ERR_OPERATION_FAILED, "%s", "failed to start");
    ck_assert_str_eq(virGetLastErrorMessage(), "operation failed: failed to start");
    virResetLastError();
    testDomainFree(vm);
}
END_TEST

typedef struct {
    GAsyncQueue *toMain;
    GAsyncQueue *toThread;
} aoStaleData;

static void
aoStaleCompleter(void *opaque)
{
    aoStaleData *d = opaque;
    libxlDomainAO *ao;

    /* the event loop's thread: another domain's failure left its text */
    libxlLoggerSetLastError("domain 7: fault injected on libxl_domain_create_new");
    g_async_queue_push(d->toMain, GINT_TO_POINTER(1));
    /* later, libxl completes this operation here, failed, logging nothing */
    ao = g_async_queue_pop(d->toThread);
    libxlDomainAOComplete(NULL, ERROR_FAIL, ao);
}

START_TEST(test_ao_stale_error_other_thread)
{
    virDomainObj *vm = testDomain();
    g_autoptr(libxlDomainAO) ao = NULL;
    aoStaleData d = { g_async_queue_new(), g_async_queue_new() };
    virThread thr;
    bool abandoned;

    ck_assert_int_eq(virThreadCreate(&thr, true, aoStaleCompleter, &d), 0);
    g_async_queue_pop(d.toMain);
    ao = libxlDomainAONew("start");
    ((libxlDomainObjPrivate *)vm->privateData)->ao = ao;
    g_async_queue_push(d.toThread, ao);
    libxlLoggerResetLastError();
    ck_assert_int_eq(libxlDomainAOWait(vm, ao, 0, &abandoned), ERROR_FAIL);
    ck_assert(!abandoned);
    virThreadJoin(&thr);
    libxlReportError(VIR_ERR_OPERATION_FAILED, "%s", "failed to start");
    ck_assert_str_eq(virGetLastErrorMessage(), "operation failed: failed to start");
    virResetLastError();
    g_async_queue_unref(d.toMain);
    g_async_queue_unref(d.toThread);
    testDomainFree(vm);
}
END_TEST

START_TEST(test_ao_initiation_failed)
{
    virDomainObj *vm = testDomain();
    libxlDomainObjPrivate *priv = vm->privateData;
    g_autoptr(libxlDomainAO) ao = libxlDomainAONew("shutdown");
    bool abandoned;

    priv->ao = ao;
    ck_assert_int_eq(libxlDomainAOWait(vm, ao, ERROR_INVAL, &abandoned), ERROR_INVAL);
    ck_assert(!abandoned);
    ck_assert_ptr_null(priv->ao);
    testDomainFree(vm);
}
END_TEST

START_TEST(test_ao_abort_none)
{
    virDomainObj *vm = testDomain();

    ck_assert_int_eq(libxlDomainAOAbort(vm, NULL), -1);
    ck_assert_msg(strstr(virGetLastErrorMessage(), "no operation in progress"),
                  "%s", virGetLastErrorMessage());
    testDomainFree(vm);
}
END_TEST

/* ---- plan ---- */

typedef struct {
    libxl_shutdown_reason reason;
    virDomainLifecycleAction onPoweroff, onReboot, onCrash;
    virDomainLifecycleAction action;
    int eventType;
    int stoppedDetail;
    bool reboot;
} planCase;

#define D VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY
#define R VIR_DOMAIN_LIFECYCLE_ACTION_RESTART
#define RR VIR_DOMAIN_LIFECYCLE_ACTION_RESTART_RENAME
#define P VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE
#define CD VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY
#define CR VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART
#define NONE VIR_DOMAIN_LIFECYCLE_ACTION_LAST

static const planCase planCases[] = {
    { LIBXL_SHUTDOWN_REASON_POWEROFF, D, R, D, D,
      VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, false },
    { LIBXL_SHUTDOWN_REASON_POWEROFF, P, R, D, P,
      VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, false },
    { LIBXL_SHUTDOWN_REASON_POWEROFF, R, D, D, R,
      VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, false },
    { LIBXL_SHUTDOWN_REASON_REBOOT, D, R, D, R,
      -1, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, true },
    { LIBXL_SHUTDOWN_REASON_REBOOT, D, D, D, D,
      -1, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, true },
    { LIBXL_SHUTDOWN_REASON_REBOOT, D, RR, D, RR,
      -1, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, true },
    { LIBXL_SHUTDOWN_REASON_SOFT_RESET, D, R, D, R,
      -1, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, true },
    { LIBXL_SHUTDOWN_REASON_CRASH, D, R, D, D,
      VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, false },
    { LIBXL_SHUTDOWN_REASON_CRASH, D, R, CD, CD,
      VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, false },
    { LIBXL_SHUTDOWN_REASON_CRASH, D, R, CR, CR,
      VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, false },
    { LIBXL_SHUTDOWN_REASON_CRASH, D, R, P, P,
      VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, false },
    { LIBXL_SHUTDOWN_REASON_WATCHDOG, D, R, R, R,
      VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, false },
    { LIBXL_SHUTDOWN_REASON_SUSPEND, D, R, D, NONE,
      VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, false },
    { LIBXL_SHUTDOWN_REASON_UNKNOWN, D, R, R, D,
      VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, false },
};

START_TEST(test_plan)
{
    const planCase *c = &planCases[_i];
    virDomainDef def = { 0 };
    libxlShutdownPlan plan;

    def.onPoweroff = c->onPoweroff;
    def.onReboot = c->onReboot;
    def.onCrash = c->onCrash;
    libxlShutdownPlanFor(&def, c->reason, &plan);
    ck_assert_int_eq(plan.action, c->action);
    ck_assert_int_eq(plan.eventType, c->eventType);
    ck_assert_int_eq(plan.stoppedDetail, c->stoppedDetail);
    ck_assert_int_eq(plan.reboot, c->reboot);
}
END_TEST

/* ---- status ---- */

START_TEST(test_status_roundtrip)
{
    g_autofree char *dir = g_strdup("/tmp/libxl-status-XXXXXX");
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    virDomainObjList *doms = virDomainObjListNew();
    virDomainObj *vm = testDomain();
    virDomainObj *back;
    libxlDomainObjPrivate *priv = vm->privateData;

    ck_assert_ptr_nonnull(g_mkdtemp(dir));
    vm->def->id = 7;
    virDomainObjSetState(vm, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    priv->statusJob = g_strdup("start");
    ck_assert_int_eq(virDomainObjSave(vm, testDriver.xmlopt, dir), 0);

    file = g_strdup_printf("%s/job1.xml", dir);
    ck_assert_int_gt(virFileReadAll(file, 1 << 20, &xml), 0);
    ck_assert_msg(strstr(xml, "<libxl job='start'/>") != NULL, "%s", xml);

    ck_assert_int_eq(virDomainObjListLoadAllConfigs(doms, dir, NULL, true,
                                                    testDriver.xmlopt,
                                                    NULL, NULL), 0);
    back = virDomainObjListFindByName(doms, "job1");
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(back->def->id, 7);
    ck_assert_int_eq(virDomainObjGetState(back, NULL), VIR_DOMAIN_PAUSED);
    ck_assert_str_eq(((libxlDomainObjPrivate *) back->privateData)->statusJob,
                     "start");
    ck_assert_ptr_nonnull(((libxlDomainObjPrivate *) back->privateData)->consoles);
    virDomainObjEndAPI(&back);

    virObjectUnref(doms);
    unlink(file);
    rmdir(dir);
    testDomainFree(vm);
}
END_TEST

/* a status without the private part (an older daemon's, or the stock
 * module's) reads fine: no job recorded, consoles allocated */
START_TEST(test_status_no_private)
{
    g_autofree char *dir = g_strdup("/tmp/libxl-status-XXXXXX");
    g_autofree char *file = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *older = NULL;
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    virDomainObjList *doms = virDomainObjListNew();
    virDomainObj *vm = testDomain();
    virDomainObj *back;
    libxlDomainObjPrivate *priv = vm->privateData;
    char *mark;

    /* no job: nothing of the driver's own in the status */
    ck_assert_int_eq(libxlDomainPrivateFormat(&buf, vm), 0);
    ck_assert_int_eq(virBufferUse(&buf), 0);

    /* a status with a job, its <libxl/> element then removed */
    ck_assert_ptr_nonnull(g_mkdtemp(dir));
    vm->def->id = 9;
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    priv->statusJob = g_strdup("start");
    ck_assert_int_eq(virDomainObjSave(vm, testDriver.xmlopt, dir), 0);
    file = g_strdup_printf("%s/job1.xml", dir);
    ck_assert_int_gt(virFileReadAll(file, 1 << 20, &xml), 0);
    ck_assert_ptr_nonnull((mark = strstr(xml, "<libxl job='start'/>")));
    older = g_strdup_printf("%.*s%s", (int) (mark - xml), xml,
                            mark + strlen("<libxl job='start'/>"));
    ck_assert_int_eq(virFileWriteStr(file, older, 0600), 0);

    ck_assert_int_eq(virDomainObjListLoadAllConfigs(doms, dir, NULL, true,
                                                    testDriver.xmlopt,
                                                    NULL, NULL), 0);
    back = virDomainObjListFindByName(doms, "job1");
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(back->def->id, 9);
    ck_assert_int_eq(virDomainObjGetState(back, NULL), VIR_DOMAIN_RUNNING);
    ck_assert_ptr_null(((libxlDomainObjPrivate *) back->privateData)->statusJob);
    ck_assert_ptr_nonnull(((libxlDomainObjPrivate *) back->privateData)->consoles);
    virDomainObjEndAPI(&back);

    virObjectUnref(doms);
    unlink(file);
    rmdir(dir);
    testDomainFree(vm);
}
END_TEST

/* ---- process: libxl domain events reach the right domain once ---- */

static libxlDriverPrivate *
procDriver(char **dir)
{
    libxlDriverPrivate *driver = g_new0(libxlDriverPrivate, 1);

    *dir = g_strdup("/tmp/libxl-proc-XXXXXX");
    ck_assert_ptr_nonnull(g_mkdtemp(*dir));
    ck_assert_int_eq(virMutexInit(&driver->lock), 0);
    driver->config = libxlDriverConfigNew();
    g_free(driver->config->stateDir);
    driver->config->stateDir = g_strdup(*dir);
    driver->domains = virDomainObjListNew();
    driver->domainEventState = virObjectEventStateNew();
    driver->xmlopt = libxlDomainXMLConfNew(driver);
    ck_assert_ptr_nonnull(driver->xmlopt);
    return driver;
}

static void
procDriverFree(libxlDriverPrivate *driver, char *dir)
{
    virObjectUnref(driver->domains);
    virObjectUnref(driver->domainEventState);
    virObjectUnref(driver->xmlopt);
    virObjectUnref(driver->config);
    virMutexDestroy(&driver->lock);
    g_free(driver);
    ignore_value(virFileDeleteTree(dir));
    g_free(dir);
}

/* a running domain with id @id in @driver's list */
static void
procAddRunning(libxlDriverPrivate *driver, int id, bool persistent)
{
    g_autoptr(virDomainDef) def = NULL;
    virDomainObj *vm;

    def = virDomainDefParseString(testDomXML, driver->xmlopt, NULL,
                                  VIR_DOMAIN_DEF_PARSE_INACTIVE);
    ck_assert_ptr_nonnull(def);
    vm = virDomainObjListAdd(driver->domains, &def, driver->xmlopt,
                             VIR_DOMAIN_OBJ_LIST_ADD_LIVE, NULL);
    ck_assert_ptr_nonnull(vm);
    vm->persistent = persistent;
    vm->def->id = id;
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    ck_assert_int_eq(virDomainObjSave(vm, driver->xmlopt,
                                      driver->config->stateDir), 0);
    virDomainObjEndAPI(&vm);
}

static libxl_event *
procEvent(libxl_event_type type, uint32_t domid)
{
    /* libxl_event_free() frees with free() */
    libxl_event *ev = calloc(1, sizeof(*ev));

    libxl_event_init(ev);
    ev->type = type;
    ev->domid = domid;
    return ev;
}

START_TEST(test_process_death_once)
{
    char *dir = NULL;
    libxlDriverPrivate *driver = procDriver(&dir);
    g_autofree char *status = g_strdup_printf("%s/job1.xml", dir);
    virDomainObj *vm;
    int reason;

    procAddRunning(driver, 5, true);
    ck_assert(virFileExists(status));

    /* news of another domid: nothing happens */
    libxlProcessHandleEvent(driver, procEvent(LIBXL_EVENT_TYPE_DOMAIN_DEATH, 9));
    vm = virDomainObjListFindByName(driver->domains, "job1");
    ck_assert_int_eq(virDomainObjGetState(vm, NULL), VIR_DOMAIN_RUNNING);
    virDomainObjEndAPI(&vm);

    /* the domain died behind our back: stopped, destroyed, no status */
    libxlProcessHandleEvent(driver, procEvent(LIBXL_EVENT_TYPE_DOMAIN_DEATH, 5));
    vm = virDomainObjListFindByName(driver->domains, "job1");
    ck_assert_ptr_nonnull(vm);
    ck_assert_int_eq(virDomainObjGetState(vm, &reason), VIR_DOMAIN_SHUTOFF);
    ck_assert_int_eq(reason, VIR_DOMAIN_SHUTOFF_DESTROYED);
    ck_assert_int_eq(vm->def->id, -1);
    ck_assert(!virFileExists(status));
    virDomainObjEndAPI(&vm);

    /* the same news again (a second watch, a late delivery): dropped */
    libxlProcessHandleEvent(driver, procEvent(LIBXL_EVENT_TYPE_DOMAIN_DEATH, 5));
    vm = virDomainObjListFindByName(driver->domains, "job1");
    ck_assert_int_eq(virDomainObjGetState(vm, &reason), VIR_DOMAIN_SHUTOFF);
    ck_assert_int_eq(reason, VIR_DOMAIN_SHUTOFF_DESTROYED);
    virDomainObjEndAPI(&vm);

    procDriverFree(driver, dir);
}
END_TEST

START_TEST(test_process_transient_death)
{
    char *dir = NULL;
    libxlDriverPrivate *driver = procDriver(&dir);
    virDomainObj *vm;

    procAddRunning(driver, 6, false);
    libxlProcessHandleEvent(driver, procEvent(LIBXL_EVENT_TYPE_DOMAIN_DEATH, 6));
    /* a transient domain leaves the list when it stops */
    vm = virDomainObjListFindByName(driver->domains, "job1");
    ck_assert_ptr_null(vm);
    procDriverFree(driver, dir);
}
END_TEST

/* ---- child ---- */

/*
 * What the driver asks of libxl when it makes its context: the libxl
 * calls of libxlDriverConfigInit are the test program's own definitions
 * (no test of this program makes a real context), recording the order
 * of the calls and what libxl_childproc_setmode was given.
 */
#define CHILD_CTX ((libxl_ctx *) 0xc41d)

static struct {
    GString *calls;             /* the libxl calls, in order */
    libxl_ctx *ctx;             /* what libxl_childproc_setmode got */
    libxl_childproc_hooks hooks;
    void *user;
    libxl_version_info version;
} childLibxl;

static void
childLibxlCall(const char *name, libxl_ctx *ctx)
{
    ck_assert_ptr_eq(ctx, CHILD_CTX);
    g_string_append_printf(childLibxl.calls, "%s ", name);
}

int
libxl_ctx_alloc(libxl_ctx **pctx, int version G_GNUC_UNUSED,
                unsigned flags G_GNUC_UNUSED, xentoollog_logger *lg G_GNUC_UNUSED)
{
    *pctx = CHILD_CTX;
    g_string_append(childLibxl.calls, "ctx_alloc ");
    return 0;
}

int
libxl_ctx_free(libxl_ctx *ctx)
{
    if (ctx)
        childLibxlCall("ctx_free", ctx);
    return 0;
}

void
libxl_osevent_register_hooks(libxl_ctx *ctx,
                             const libxl_osevent_hooks *hooks G_GNUC_UNUSED,
                             void *user G_GNUC_UNUSED)
{
    childLibxlCall("osevent_register_hooks", ctx);
}

void
libxl_childproc_setmode(libxl_ctx *ctx, const libxl_childproc_hooks *hooks,
                        void *user)
{
    childLibxlCall("childproc_setmode", ctx);
    childLibxl.ctx = ctx;
    childLibxl.hooks = *hooks;
    childLibxl.user = user;
}

const libxl_version_info *
libxl_get_version_info(libxl_ctx *ctx)
{
    childLibxlCall("get_version_info", ctx);
    return &childLibxl.version;
}

/* the mode the driver sets on its context when it makes it */
START_TEST(test_child_mode)
{
    g_autofree char *dir = g_strdup("/tmp/libxl-child-XXXXXX");
    libxlDriverConfig *cfg = libxlDriverConfigNew();

    memset(&childLibxl, 0, sizeof(childLibxl));
    childLibxl.calls = g_string_new(NULL);
    childLibxl.version.xen_version_major = 4;
    childLibxl.version.xen_version_minor = 17;
    childLibxl.version.xen_version_extra = (char *) ".3";
    ck_assert_ptr_nonnull(g_mkdtemp(dir));
    g_free(cfg->logDir);
    cfg->logDir = g_strdup(dir);

    ck_assert_int_eq(libxlDriverConfigInit(cfg), 0);
    ck_assert_ptr_eq(cfg->ctx, CHILD_CTX);
    ck_assert_uint_eq(cfg->version, 4017003);
    /* the hooks before any other call on the context, the mode before
     * anything that could fork */
    ck_assert_str_eq(childLibxl.calls->str,
                     "ctx_alloc osevent_register_hooks childproc_setmode get_version_info ");
    /* libxl reaps only its own children (waitpid on each pid it forked);
     * libvirt waitpid()s its own: neither steals the other's status */
    ck_assert_int_eq(childLibxl.hooks.chldowner,
                     libxl_sigchld_owner_libxl_always_selective_reap);
    /* nothing of libvirt's stands in for libxl's reaping or forking */
    ck_assert_ptr_null(childLibxl.hooks.reaped_callback);
    ck_assert_ptr_null(childLibxl.hooks.fork_replacement);
    ck_assert_ptr_null(childLibxl.user);

    virObjectUnref(cfg);
    ck_assert_str_eq(childLibxl.calls->str,
                     "ctx_alloc osevent_register_hooks childproc_setmode get_version_info ctx_free ");
    g_string_free(childLibxl.calls, TRUE);
    ck_assert_int_eq(virFileDeleteTree(dir), 0);
}
END_TEST


static Suite *
libxlLifecycleSuite(void)
{
    Suite *s = suite_create("libxl_lifecycle");
    TCase *tc;

    tc = tcase_create("osevent");
    tcase_add_checked_fixture(tc, bridgeSetup, bridgeTeardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_osevent_fd);
    tcase_add_test(tc, test_osevent_fd_modify);
    tcase_add_test(tc, test_osevent_timeout_once);
    tcase_add_test(tc, test_osevent_timeout_asap);
    tcase_add_test(tc, test_osevent_timeout_modify_race);
    tcase_add_test(tc, test_osevent_timeout_deregistered);
    tcase_add_test(tc, test_osevent_after_detach);
    tcase_add_test(tc, test_osevent_churn);
    tcase_add_test(tc, test_osevent_poll_conversion);
    suite_add_tcase(s, tc);

    tc = tcase_create("job");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_job_busy);
    tcase_add_test(tc, test_job_waits);
    suite_add_tcase(s, tc);

    tc = tcase_create("ao");
    tcase_add_test(tc, test_ao_wait_unlocked);
    tcase_add_test(tc, test_ao_initiation_failed);
    tcase_add_test(tc, test_ao_stale_error_same_thread);
    tcase_add_test(tc, test_ao_stale_error_other_thread);
    tcase_add_test(tc, test_ao_abort_none);
    suite_add_tcase(s, tc);

    tc = tcase_create("plan");
    tcase_add_loop_test(tc, test_plan, 0, G_N_ELEMENTS(planCases));
    suite_add_tcase(s, tc);

    tc = tcase_create("status");
    tcase_add_test(tc, test_status_roundtrip);
    tcase_add_test(tc, test_status_no_private);
    suite_add_tcase(s, tc);

    tc = tcase_create("process");
    tcase_add_test(tc, test_process_death_once);
    tcase_add_test(tc, test_process_transient_death);
    suite_add_tcase(s, tc);

    tc = tcase_create("child");
    tcase_add_test(tc, test_child_mode);
    suite_add_tcase(s, tc);

    return s;
}


int
main(void)
{
    int ret;

    libxlTestInit();
    ret = libxlTestRunSuite(libxlLifecycleSuite());
    virObjectUnref(testDriver.xmlopt);
    return ret;
}

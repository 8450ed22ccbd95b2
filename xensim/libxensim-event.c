/*
 * libxensim-event.c: libxl's event machinery over xensimd
 *
 * What real libxl does (libxl_event.c, libxl_fork.c), and how xensim
 * does it:
 *
 *  - A context has an event connection to xensimd ("subscribe" with a
 *    token), opened with the context.  Its fd is handed to the
 *    application's osevent hooks (fd_register) the first time something
 *    needs it (a death watch, an asynchronous operation), and given back
 *    (fd_deregister) at libxl_ctx_free.  Without hooks, libxl's own waits
 *    (synchronous operations, libxl_event_wait) poll it themselves.
 *  - Every asynchronous operation (ao) registers a timeout (its deadline,
 *    as libxl's ao timeouts); when the ao ends first, the timeout is
 *    moved to time 0 with timeout_modify, as libxl 4.17 does instead of
 *    deregistering, and lives until the application reports it with
 *    libxl_osevent_occurred_timeout.  A deadline that passes fails the ao
 *    with ERROR_TIMEDOUT.
 *  - Death watches (libxl_evenable_domain_death) are a watch in xensimd
 *    that reports the domain's state at once and at each change: a
 *    DOMAIN_SHUTDOWN event once per watch (libxl never re-arms it), a
 *    DOMAIN_DEATH event once when the domain dies or is not there.
 *  - Events go to the application's event_occurs if its mask has their
 *    type, else to the queue read by libxl_event_check/libxl_event_wait.
 *    Callbacks into the application (event_occurs, ao callbacks, progress
 *    callbacks, reaped_callback) are made with no xensim lock held, so
 *    they may call libxl again.  Hooks (fd_*, timeout_*) are called with
 *    the context lock held, as libxl does; they must not call libxl.
 *  - Children (the device model of HVM guests, the bootloader of PV
 *    guests that have one, the destroyer that kills a domain) are forked
 *    for real, under the
 *    libxl_childproc_setmode mode: with libxl_sigchld_owner_libxl (while
 *    libxl has children) and _libxl_always, a SIGCHLD handler writes to a
 *    self-pipe handed to the fd hooks, and libxl reaps with waitpid(-1),
 *    passing children that are not its own to reaped_callback;
 *    _libxl_always_selective_reap reaps only its own children with
 *    waitpid(pid); _mainloop leaves SIGCHLD to the application, which
 *    calls libxl_childproc_reaped or libxl_childproc_sigchld_occurred.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#pragma GCC visibility push(default)
#include <libxl.h>
#include <libxl_event.h>
#include <libxl_utils.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "libxensim-libxl.h"
#include "xensim-proto.h"

/* An fd or a timeout registered with the application. */
typedef struct {
    libxl_ctx *ctx;
    int fd;
    void *for_app;
    bool registered;
} XensimEvFd;

typedef struct {
    libxl_ctx *ctx;
    void *for_app;
    XensimAo *ao;               /* NULL once its ao is over */
    gint64 deadline;            /* monotonic, us */
    bool registered;            /* with the application's hooks */
} XensimEvTimeout;

struct _XensimAo {
    libxl_ctx *ctx;
    guint64 id;
    char *what;
    uint32_t domid;
    uint32_t ao_domid;          /* AO_CREATE's: the OPERATION_COMPLETE event's */
    bool sync;
    libxl_asyncop_how how;
    bool has_progress;
    libxl_asyncprogress_how progress;
    uint32_t *domid_out;
    bool daemon_pending;        /* xensimd's "op" record to come */
    pid_t child;                /* a child whose status is to come */
    bool initiating;            /* its entry point has not returned yet */
    bool abortable;
    bool aborted;
    bool done;
    int rc;
    XensimEvTimeout *timeout;
    /* what follows once the daemon's op and the child are done */
    XensimAoStep next;
    void *next_data;
    GDestroyNotify next_free;
    /* a child's exit status in words, for the log */
    const char *(*explain)(int status);
    bool child_abortable;       /* libxl_ao_abort kills the child */
    /* what a deadline does instead of failing the ao (libxl's devstate
     * wait escalating to a forced removal), and data freed with the ao */
    XensimAoTimeoutFn on_timeout;
    void *on_timeout_data;
    void *data;
    GDestroyNotify data_free;
    bool log_verbatim;          /* xensimd's failure message is libxl's log */
};

struct libxl__evgen_domain_death {
    libxl_ctx *ctx;
    uint32_t domid;
    libxl_ev_user user;
    bool shutdown_reported;
    bool death_reported;
};

typedef enum {
    XENSIM_DELIVER_EVENT,       /* event_occurs */
    XENSIM_DELIVER_AO,          /* ao callback */
    XENSIM_DELIVER_PROGRESS,    /* progress callback */
    XENSIM_DELIVER_REAPED,      /* reaped_callback */
} XensimDeliverKind;

typedef struct {
    XensimDeliverKind kind;
    libxl_event *event;
    libxl_asyncop_how how;
    libxl_asyncprogress_how progress;
    int rc;
    pid_t pid;
    int status;
} XensimDelivery;

struct _XensimEv {
    char *token;
    XensimEvFd conn;            /* the event connection */
    GByteArray *in;
    XensimEvFd sigchld;         /* the self-pipe's read end */
    int sigchld_w;
    int sigchld_slot;
    GList *aos;                 /* XensimAo */
    GList *timeouts;            /* XensimEvTimeout */
    GList *deathwatches;        /* libxl_evgen_domain_death */
    GQueue *events;             /* libxl_event, for libxl_event_check/wait */
    GQueue *deliveries;         /* XensimDelivery, made without the lock */
    guint64 next_ao;
    int nchildren;
};

/* The SIGCHLD handler: a byte to every context's self-pipe. */
#define XENSIM_SIGCHLD_SLOTS 256
static atomic_int xensimSigchldPipes[XENSIM_SIGCHLD_SLOTS];
static GMutex xensimSigchldLock;
static int xensimSigchldUsers;
static struct sigaction xensimSigchldOld;
static gsize xensimSigchldInit;

static void
xensimSigchldHandler(int sig)
{
    int saved = errno;
    int i;

    for (i = 0; i < XENSIM_SIGCHLD_SLOTS; i++) {
        int fd = atomic_load(&xensimSigchldPipes[i]);

        if (fd >= 0 && write(fd, "", 1) < 0) {
            /* full: a byte is already waiting */
        }
    }
    errno = saved;
}

static void
xensimSigchldSlotsInit(void)
{
    if (g_once_init_enter(&xensimSigchldInit)) {
        int i;

        for (i = 0; i < XENSIM_SIGCHLD_SLOTS; i++)
            atomic_store(&xensimSigchldPipes[i], -1);
        g_once_init_leave(&xensimSigchldInit, 1);
    }
}

static libxl_sigchld_owner
xensimChldOwner(libxl_ctx *ctx)
{
    return ctx->childproc_hooks ? ctx->childproc_hooks->chldowner
                                : libxl_sigchld_owner_libxl;
}

/* Does libxl own SIGCHLD now (libxl_fork.c: chldmode_ours)? */
static bool
xensimChldOurs(libxl_ctx *ctx, bool creating)
{
    switch (xensimChldOwner(ctx)) {
    case libxl_sigchld_owner_libxl:
        return creating || ctx->ev->nchildren > 0;
    case libxl_sigchld_owner_mainloop:
        return false;
    case libxl_sigchld_owner_libxl_always:
    case libxl_sigchld_owner_libxl_always_selective_reap:
        return true;
    }
    return false;
}

/* Hooks -------------------------------------------------------------- */

static int
xensimEvFdRegister(libxl_ctx *ctx, XensimEvFd *efd)
{
    int r;

    if (efd->registered || efd->fd < 0 || !ctx->osevent_hooks)
        return 0;
    efd->ctx = ctx;
    r = ctx->osevent_hooks->fd_register(ctx->osevent_user, efd->fd, &efd->for_app,
                                        POLLIN, efd);
    if (r) {
        xensimCtxLog(ctx, XTL_ERROR, "application failed to register fd %d: %d",
                     efd->fd, r);
        return ERROR_OSEVENT_REG_FAIL;
    }
    efd->registered = true;
    return 0;
}

static void
xensimEvFdDeregister(libxl_ctx *ctx, XensimEvFd *efd)
{
    if (!efd->registered)
        return;
    ctx->osevent_hooks->fd_deregister(ctx->osevent_user, efd->fd, efd->for_app);
    efd->registered = false;
}

static void
xensimEvTimeoutFree(libxl_ctx *ctx, XensimEvTimeout *t)
{
    ctx->ev->timeouts = g_list_remove(ctx->ev->timeouts, t);
    g_free(t);
}

/* An ao is over: its timeout is moved to now, for the application to
 * report; without hooks it simply goes. */
static void
xensimEvTimeoutCancel(libxl_ctx *ctx, XensimEvTimeout *t)
{
    struct timeval zero = { 0, 0 };

    if (!t)
        return;
    t->ao = NULL;
    if (!t->registered) {
        xensimEvTimeoutFree(ctx, t);
        return;
    }
    if (ctx->osevent_hooks->timeout_modify(ctx->osevent_user, &t->for_app, zero)) {
        /* the application could not: it keeps the old deadline */
        xensimCtxLog(ctx, XTL_DEBUG, "timeout_modify failed");
    }
}

static XensimEvTimeout *
xensimEvTimeoutNew(libxl_ctx *ctx, XensimAo *ao, int timeout_ms)
{
    XensimEvTimeout *t = g_new0(XensimEvTimeout, 1);
    struct timeval abs;

    t->ctx = ctx;
    t->ao = ao;
    t->deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    ctx->ev->timeouts = g_list_prepend(ctx->ev->timeouts, t);
    if (ctx->osevent_hooks) {
        gettimeofday(&abs, NULL);
        abs.tv_sec += timeout_ms / 1000;
        abs.tv_usec += (timeout_ms % 1000) * 1000;
        if (abs.tv_usec >= 1000000) {
            abs.tv_sec++;
            abs.tv_usec -= 1000000;
        }
        if (ctx->osevent_hooks->timeout_register(ctx->osevent_user, &t->for_app,
                                                 abs, t) == 0)
            t->registered = true;
        else
            xensimCtxLog(ctx, XTL_ERROR, "application failed to register a timeout");
    }
    return t;
}

/* Events -------------------------------------------------------------- */

static void
xensimDeliveryPush(libxl_ctx *ctx, XensimDelivery *d)
{
    g_queue_push_tail(ctx->ev->deliveries, g_memdup2(d, sizeof(*d)));
}

/* An event happened: to event_occurs, or to the queue. */
static void
xensimEventOccurred(libxl_ctx *ctx, libxl_event *event)
{
    const libxl_event_hooks *hooks = ctx->event_hooks;

    if (hooks && hooks->event_occurs &&
        (hooks->event_occurs_mask & (1UL << event->type))) {
        XensimDelivery d = { .kind = XENSIM_DELIVER_EVENT, .event = event };

        xensimDeliveryPush(ctx, &d);
        return;
    }
    g_queue_push_tail(ctx->ev->events, event);
}

static libxl_event *
xensimEventNew(libxl_event_type type, uint32_t domid, libxl_ev_user user)
{
    libxl_event *event = malloc(sizeof(*event));

    libxl_event_init(event);
    libxl_event_init_type(event, type);
    event->domid = domid;
    event->for_user = user;
    return event;
}

/* Run what is due to the application, with no lock held. */
static void
xensimEvDeliver(libxl_ctx *ctx)
{
    for (;;) {
        XensimDelivery *d;

        g_rec_mutex_lock(&ctx->ev_lock);
        d = g_queue_pop_head(ctx->ev->deliveries);
        g_rec_mutex_unlock(&ctx->ev_lock);
        if (!d)
            return;
        switch (d->kind) {
        case XENSIM_DELIVER_EVENT:
            ctx->event_hooks->event_occurs(ctx->event_user, d->event);
            break;
        case XENSIM_DELIVER_AO:
            d->how.callback(ctx, d->rc, d->how.u.for_callback);
            break;
        case XENSIM_DELIVER_PROGRESS:
            d->progress.callback(ctx, d->event, d->progress.for_callback);
            break;
        case XENSIM_DELIVER_REAPED: {
            int rc = ctx->childproc_hooks->reaped_callback(d->pid, d->status,
                                                           ctx->childproc_user);

            if (rc == ERROR_UNKNOWN_CHILD)
                xensimCtxLog(ctx, XTL_WARN, "unknown child [%ld] exited with "
                             "status %d", (long)d->pid, d->status);
            break;
        }
        }
        g_free(d);
    }
}

/* Asynchronous operations --------------------------------------------- */

static void
xensimAoFree(XensimAo *ao)
{
    if (!ao)
        return;
    g_free(ao->what);
    if (ao->next_free)
        ao->next_free(ao->next_data);
    if (ao->data_free)
        ao->data_free(ao->data);
    g_free(ao);
}

static void xensimAoFail(XensimAo *ao, int rc);

/* Called with the lock held when something the ao waited for arrived. */
static void
xensimAoCheck(XensimAo *ao)
{
    libxl_ctx *ctx = ao->ctx;

    if (ao->done || ao->initiating || ao->daemon_pending || ao->child > 0)
        return;
    /* the operation's next step (a stream after a suspend, a build after
     * a stream), unless it failed or was aborted */
    while (ao->next) {
        XensimAoStep next = ao->next;
        int rc;

        ao->next = NULL;
        if (ao->aborted) {
            xensimAoFail(ao, ERROR_ABORTED);
        } else if (!ao->rc && (rc = next(ao, ao->next_data))) {
            xensimAoFail(ao, rc);
        }
        if (!ao->rc && (ao->daemon_pending || ao->child > 0))
            return;
    }
    ao->done = true;
    xensimEvTimeoutCancel(ctx, ao->timeout);
    ao->timeout = NULL;
    if (ao->rc && (strcmp(ao->what, "libxl_domain_create_new") == 0 ||
                   strcmp(ao->what, "libxl_domain_create_restore") == 0) &&
        ao->domid != INVALID_DOMID) {
        /* libxl destroys what it could not finish building */
        char id[16];
        const char *args[] = { id, NULL };

        xensimDomidArg(id, sizeof(id), ao->domid);
        xensimConnCall(ctx->conn, "libxl_domain_destroy", args, NULL, NULL);
        xensimConnCall(ctx->conn, "domain-kill", args, NULL, NULL);
    }
    if (ao->domid_out)
        *ao->domid_out = ao->rc ? INVALID_DOMID : ao->domid;
    if (ao->sync)
        return;     /* its thread takes it from here */
    ctx->ev->aos = g_list_remove(ctx->ev->aos, ao);
    if (ao->how.callback) {
        XensimDelivery d = { .kind = XENSIM_DELIVER_AO, .how = ao->how, .rc = ao->rc };

        xensimDeliveryPush(ctx, &d);
    } else {
        libxl_event *event = xensimEventNew(LIBXL_EVENT_TYPE_OPERATION_COMPLETE,
                                            ao->ao_domid, ao->how.u.for_event);

        event->u.operation_complete.rc = ao->rc;
        xensimEventOccurred(ctx, event);
    }
    xensimAoFree(ao);
}

static void
xensimAoFail(XensimAo *ao, int rc)
{
    if (!ao->rc)
        ao->rc = rc;
}

/* The ao's deadline passed (the lock held): its own handler decides
 * (0: it goes on, with a new deadline), else it fails ERROR_TIMEDOUT. */
static void
xensimAoTimedOut(XensimAo *ao)
{
    XensimAoTimeoutFn fn = ao->on_timeout;
    int rc;

    ao->timeout = NULL;
    ao->on_timeout = NULL;
    if (fn) {
        if ((rc = fn(ao, ao->on_timeout_data)) == 0)
            return;
    } else {
        xensimCtxLog(ao->ctx, XTL_ERROR, "%s: domain %u: timed out", ao->what,
                     ao->domid);
        rc = ERROR_TIMEDOUT;
    }
    xensimAoFail(ao, rc);
    ao->daemon_pending = false;
    if (ao->child > 0)
        kill(ao->child, SIGKILL);
}

/* The ao with this id (id != 0) or this child (pid > 0). */
static XensimAo *
xensimAoFind(libxl_ctx *ctx, guint64 id, pid_t pid)
{
    GList *l;

    for (l = ctx->ev->aos; l; l = l->next) {
        XensimAo *ao = l->data;

        if ((id && ao->id == id) || (pid > 0 && ao->child == pid))
            return ao;
    }
    return NULL;
}

/* Reading the event connection ----------------------------------------- */

static void
xensimEvDeathCheck(libxl_ctx *ctx, GVariant *rec)
{
    uint32_t domid = xensimRecordU64(rec, "domid", INVALID_DOMID);
    bool exists = xensimRecordU64(rec, "exists", 0);
    bool shutdown = xensimRecordU64(rec, "shutdown", 0);
    bool dying = xensimRecordU64(rec, "dying", 0);
    g_autoptr(GVariant) reason_v = g_variant_lookup_value(rec, "reason",
                                                          G_VARIANT_TYPE_INT32);
    int reason = reason_v ? g_variant_get_int32(reason_v) : 0;
    GList *l;

    for (l = ctx->ev->deathwatches; l; l = l->next) {
        libxl_evgen_domain_death *dw = l->data;
        libxl_event *event;

        if (dw->domid != domid || dw->death_reported)
            continue;
        if (!exists || dying) {
            dw->death_reported = true;
            event = xensimEventNew(LIBXL_EVENT_TYPE_DOMAIN_DEATH, domid, dw->user);
            xensimEventOccurred(ctx, event);
        } else if (shutdown) {
            if (dw->shutdown_reported)
                continue;
            dw->shutdown_reported = true;
            event = xensimEventNew(LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN, domid, dw->user);
            event->u.domain_shutdown.shutdown_reason = reason;
            xensimEventOccurred(ctx, event);
        }
        /* as libxl: a watch reports one shutdown, even if the domain runs
         * again (soft reset); a new watch reports the next */
    }
}

static void
xensimEvOpDone(libxl_ctx *ctx, GVariant *rec)
{
    XensimAo *ao = xensimAoFind(ctx, xensimRecordU64(rec, "op", 0), 0);
    g_autoptr(GVariant) rc_v = g_variant_lookup_value(rec, "rc", G_VARIANT_TYPE_INT32);
    g_autofree char *message = xensimRecordStr(rec, "message");
    int rc = rc_v ? g_variant_get_int32(rc_v) : ERROR_FAIL;

    if (!ao || !ao->daemon_pending)
        return;
    ao->daemon_pending = false;
    if (rc && ao->log_verbatim && message && *message) {
        g_auto(GStrv) lines = g_strsplit(message, "\n", -1);
        size_t i;

        for (i = 0; lines[i]; i++)
            xensimCtxLog(ctx, XTL_ERROR, "%s", lines[i]);
        xensimAoFail(ao, rc);
    } else if (rc) {
        xensimCtxLog(ctx, XTL_ERROR, "%s: domain %u: %s", ao->what, ao->domid,
                     message && *message ? message : libxl_error_to_string(rc));
        xensimAoFail(ao, rc);
    } else if (ao->has_progress && !ao->aborted) {
        /* the consoles are there: libxl reports it before completing */
        libxl_event *event = xensimEventNew(LIBXL_EVENT_TYPE_DOMAIN_CREATE_CONSOLE_AVAILABLE,
                                            ao->domid, ao->progress.for_event);

        if (ao->progress.callback) {
            XensimDelivery d = { .kind = XENSIM_DELIVER_PROGRESS, .event = event,
                                 .progress = ao->progress };

            xensimDeliveryPush(ctx, &d);
        } else {
            xensimEventOccurred(ctx, event);
        }
    }
    xensimAoCheck(ao);
}

static void
xensimEvMessage(libxl_ctx *ctx, GVariant *msg)
{
    g_autoptr(GVariant) records = g_variant_get_child_value(msg, 2);
    gsize i, n = g_variant_n_children(records);

    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);
        g_autofree char *kind = xensimRecordStr(rec, "kind");

        if (g_strcmp0(kind, "domain") == 0)
            xensimEvDeathCheck(ctx, rec);
        else if (g_strcmp0(kind, "op") == 0)
            xensimEvOpDone(ctx, rec);
    }
}

/* xensimd went away: the host is gone; nothing more will come. */
static void
xensimEvConnLost(libxl_ctx *ctx)
{
    XensimEv *ev = ctx->ev;
    GList *l;

    xensimCtxLog(ctx, XTL_ERROR, "lost the event connection to xensimd");
    xensimEvFdDeregister(ctx, &ev->conn);
    close(ev->conn.fd);
    ev->conn.fd = -1;
    for (l = ev->aos; l; l = l->next) {
        XensimAo *ao = l->data;

        if (ao->daemon_pending) {
            ao->daemon_pending = false;
            xensimAoFail(ao, ERROR_FAIL);
        }
    }
    for (l = g_list_copy(ev->aos); l; l = g_list_delete_link(l, l))
        xensimAoCheck(l->data);
}

static void
xensimEvReadConn(libxl_ctx *ctx)
{
    XensimEv *ev = ctx->ev;

    while (ev->conn.fd >= 0) {
        guint have = ev->in->len;
        ssize_t n;

        g_byte_array_set_size(ev->in, have + 65536);
        n = recv(ev->conn.fd, ev->in->data + have, 65536, MSG_DONTWAIT);
        g_byte_array_set_size(ev->in, have + MAX(n, 0));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n <= 0) {
            xensimEvConnLost(ctx);
            break;
        }
    }
    while (ev->in->len >= sizeof(guint32)) {
        g_autoptr(GVariant) msg = NULL;
        guint32 len;

        memcpy(&len, ev->in->data, sizeof(len));
        len = GUINT32_FROM_BE(len);
        if (ev->in->len < sizeof(len) + len)
            break;
        if (xensimProtoDecode(ev->in->data + sizeof(len), len, XENSIM_REPLY_TYPE,
                              &msg) == 0)
            xensimEvMessage(ctx, msg);
        g_byte_array_remove_range(ev->in, 0, sizeof(len) + len);
    }
}

/* Children -------------------------------------------------------------- */

static void
xensimSigchldRelease(libxl_ctx *ctx);

/* One of ours ended. */
static void
xensimChildReaped(libxl_ctx *ctx, XensimAo *ao, int status)
{
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (!ao->aborted && ao->explain && WIFEXITED(status))
            xensimCtxLog(ctx, XTL_ERROR, "%s: domain %u: %s", ao->what, ao->domid,
                         ao->explain(WEXITSTATUS(status)));
        else if (!ao->aborted)
            xensimCtxLog(ctx, XTL_ERROR, "%s: domain %u: helper [%ld] %s %d",
                         ao->what, ao->domid, (long)ao->child,
                         WIFEXITED(status) ? "exited with error status"
                                           : "died of signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        xensimAoFail(ao, ERROR_FAIL);
        /* what the child was to bring about will not come */
        ao->daemon_pending = false;
    }
    ao->child = 0;
    ctx->ev->nchildren--;
    if (!xensimChldOurs(ctx, false))
        xensimSigchldRelease(ctx);
    xensimAoCheck(ao);
}

/* The self-pipe said SIGCHLD: reap as the mode says. */
static void
xensimEvReap(libxl_ctx *ctx)
{
    char buf[64];
    GList *l;

    while (read(ctx->ev->sigchld.fd, buf, sizeof(buf)) > 0)
        ;
    if (xensimChldOwner(ctx) == libxl_sigchld_owner_libxl_always_selective_reap) {
        for (l = g_list_copy(ctx->ev->aos); l; l = g_list_delete_link(l, l)) {
            XensimAo *ao = l->data;
            int status;

            if (ao->child > 0 && waitpid(ao->child, &status, WNOHANG) == ao->child)
                xensimChildReaped(ctx, ao, status);
        }
        return;
    }
    while (xensimChldOurs(ctx, false)) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        XensimAo *ao;

        if (pid <= 0)
            return;
        if ((ao = xensimAoFind(ctx, 0, pid))) {
            xensimChildReaped(ctx, ao, status);
        } else if (ctx->childproc_hooks && ctx->childproc_hooks->reaped_callback) {
            XensimDelivery d = { .kind = XENSIM_DELIVER_REAPED, .pid = pid,
                                 .status = status };

            xensimDeliveryPush(ctx, &d);
        } else {
            xensimCtxLog(ctx, XTL_WARN, "unknown child [%ld] exited with status %d",
                         (long)pid, status);
        }
    }
}

/* Install the SIGCHLD handler and this context's self-pipe. */
static int
xensimSigchldAcquire(libxl_ctx *ctx)
{
    XensimEv *ev = ctx->ev;
    int fds[2], i, rc;

    if (ev->sigchld_slot >= 0)
        return 0;
    xensimSigchldSlotsInit();
    if (ev->sigchld.fd < 0) {
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
            xensimCtxLog(ctx, XTL_ERROR, "cannot create the SIGCHLD pipe: %s",
                         g_strerror(errno));
            return ERROR_FAIL;
        }
        ev->sigchld.fd = fds[0];
        ev->sigchld_w = fds[1];
    }
    if ((rc = xensimEvFdRegister(ctx, &ev->sigchld)))
        return rc;
    g_mutex_lock(&xensimSigchldLock);
    for (i = 0; i < XENSIM_SIGCHLD_SLOTS; i++) {
        int expected = -1;

        if (atomic_compare_exchange_strong(&xensimSigchldPipes[i], &expected,
                                           ev->sigchld_w))
            break;
    }
    if (i < XENSIM_SIGCHLD_SLOTS) {
        ev->sigchld_slot = i;
        if (xensimSigchldUsers++ == 0) {
            struct sigaction sa = { .sa_handler = xensimSigchldHandler,
                                    .sa_flags = SA_RESTART | SA_NOCLDSTOP };

            sigemptyset(&sa.sa_mask);
            sigaction(SIGCHLD, &sa, &xensimSigchldOld);
        }
    }
    g_mutex_unlock(&xensimSigchldLock);
    return i < XENSIM_SIGCHLD_SLOTS ? 0 : ERROR_FAIL;
}

static void
xensimSigchldRelease(libxl_ctx *ctx)
{
    XensimEv *ev = ctx->ev;

    if (ev->sigchld_slot < 0)
        return;
    g_mutex_lock(&xensimSigchldLock);
    atomic_store(&xensimSigchldPipes[ev->sigchld_slot], -1);
    ev->sigchld_slot = -1;
    if (--xensimSigchldUsers == 0)
        sigaction(SIGCHLD, &xensimSigchldOld, NULL);
    g_mutex_unlock(&xensimSigchldLock);
}

/* Pumping: read what is there, act on it -------------------------------- */

static void
xensimEvTimeoutsCheck(libxl_ctx *ctx)
{
    gint64 now = g_get_monotonic_time();
    GList *l, *copy = g_list_copy(ctx->ev->timeouts);

    /* without hooks libxl runs its own timeouts */
    for (l = copy; l; l = l->next) {
        XensimEvTimeout *t = l->data;

        if (t->registered || t->deadline > now)
            continue;
        if (t->ao)
            xensimAoTimedOut(t->ao);
        xensimEvTimeoutFree(ctx, t);
    }
    g_list_free(copy);
}

static void
xensimEvPump(libxl_ctx *ctx)
{
    GList *l;

    xensimEvReadConn(ctx);
    if (ctx->ev->sigchld.fd >= 0 && xensimChldOurs(ctx, false))
        xensimEvReap(ctx);
    xensimEvTimeoutsCheck(ctx);
    for (l = g_list_copy(ctx->ev->aos); l; l = g_list_delete_link(l, l))
        xensimAoCheck(l->data);
}

/* Wait up to timeout_ms for something on our fds, then pump. */
static void
xensimEvPoll(libxl_ctx *ctx, int timeout_ms)
{
    struct pollfd fds[2];
    int n = 0;

    g_rec_mutex_lock(&ctx->ev_lock);
    if (ctx->ev->conn.fd >= 0)
        fds[n++] = (struct pollfd){ .fd = ctx->ev->conn.fd, .events = POLLIN };
    if (ctx->ev->sigchld.fd >= 0 && xensimChldOurs(ctx, false))
        fds[n++] = (struct pollfd){ .fd = ctx->ev->sigchld.fd, .events = POLLIN };
    g_rec_mutex_unlock(&ctx->ev_lock);

    if (poll(fds, n, timeout_ms) < 0 && errno != EINTR)
        g_usleep(1000);

    g_rec_mutex_lock(&ctx->ev_lock);
    xensimEvPump(ctx);
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
}

/* Context --------------------------------------------------------------- */

int
xensimEvInit(libxl_ctx *ctx)
{
    g_autoptr(GVariant) request = NULL;
    g_autoptr(GVariant) reply = NULL;
    XensimEv *ev = g_new0(XensimEv, 1);
    const char *dir = xensimClientDir();
    const char *args[] = { NULL, NULL };
    gint32 rc = ERROR_FAIL;

    ev->conn.fd = -1;
    ev->sigchld.fd = -1;
    ev->sigchld_w = -1;
    ev->sigchld_slot = -1;
    ev->in = g_byte_array_new();
    ev->events = g_queue_new();
    ev->deliveries = g_queue_new();
    ev->token = g_strdup_printf("%d-%p-%08x", (int)getpid(), (void *)ctx,
                                g_random_int());
    ctx->ev = ev;

    args[0] = ev->token;
    request = xensimRequestNew("subscribe", args);
    if (!dir || (ev->conn.fd = xensimProtoConnect(dir)) < 0 ||
        xensimProtoSend(ev->conn.fd, request) < 0 ||
        xensimProtoRecv(ev->conn.fd, XENSIM_REPLY_TYPE, &reply) < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "cannot open the event connection to xensimd");
        return ERROR_FAIL;
    }
    g_variant_get_child(reply, 0, "i", &rc);
    if (rc)
        return rc;
    fcntl(ev->conn.fd, F_SETFL, fcntl(ev->conn.fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

void
xensimEvDispose(libxl_ctx *ctx)
{
    XensimEv *ev = ctx->ev;
    libxl_event *event;
    XensimDelivery *d;

    if (!ev)
        return;
    g_rec_mutex_lock(&ctx->ev_lock);
    xensimEvFdDeregister(ctx, &ev->conn);
    xensimEvFdDeregister(ctx, &ev->sigchld);
    xensimSigchldRelease(ctx);
    if (ev->conn.fd >= 0)
        close(ev->conn.fd);
    if (ev->sigchld.fd >= 0)
        close(ev->sigchld.fd);
    if (ev->sigchld_w >= 0)
        close(ev->sigchld_w);
    /* the application must not free a ctx with operations in flight;
     * what is left is freed with it, as libxl_ctx_free does */
    g_list_free_full(ev->aos, (GDestroyNotify)xensimAoFree);
    g_list_free_full(ev->timeouts, g_free);
    g_list_free_full(ev->deathwatches, g_free);
    while ((event = g_queue_pop_head(ev->events)))
        libxl_event_free(ctx, event);
    g_queue_free(ev->events);
    while ((d = g_queue_pop_head(ev->deliveries))) {
        if (d->event)
            libxl_event_free(ctx, d->event);
        g_free(d);
    }
    g_queue_free(ev->deliveries);
    g_byte_array_unref(ev->in);
    g_free(ev->token);
    g_free(ev);
    ctx->ev = NULL;
    g_rec_mutex_unlock(&ctx->ev_lock);
}

const char *
xensimEvToken(libxl_ctx *ctx)
{
    return ctx->ev->token;
}

/* The event connection goes to the application's loop when first
 * needed. */
int
xensimEvArm(libxl_ctx *ctx)
{
    int rc;

    g_rec_mutex_lock(&ctx->ev_lock);
    rc = xensimEvFdRegister(ctx, &ctx->ev->conn);
    g_rec_mutex_unlock(&ctx->ev_lock);
    return rc;
}

/* Asynchronous operations: the entry points' side ------------------------ */

static int xensimAoFork(XensimAo *ao, const char *what, pid_t *pid);

XensimAo *
xensimAoNew(libxl_ctx *ctx, const char *what, uint32_t domid,
            const libxl_asyncop_how *how, int timeout_ms)
{
    XensimAo *ao = g_new0(XensimAo, 1);

    ao->ctx = ctx;
    ao->what = g_strdup(what);
    ao->domid = domid;
    ao->ao_domid = domid;
    ao->sync = how == NULL;
    ao->initiating = true;
    if (how)
        ao->how = *how;
    xensimEvArm(ctx);
    g_rec_mutex_lock(&ctx->ev_lock);
    ao->id = ++ctx->ev->next_ao;
    ctx->ev->aos = g_list_append(ctx->ev->aos, ao);
    if (timeout_ms > 0)
        ao->timeout = xensimEvTimeoutNew(ctx, ao, timeout_ms);
    g_rec_mutex_unlock(&ctx->ev_lock);
    return ao;
}

guint64
xensimAoId(XensimAo *ao)
{
    return ao->id;
}

libxl_ctx *
xensimAoCtx(XensimAo *ao)
{
    return ao->ctx;
}

void
xensimAoSetProgress(XensimAo *ao, const libxl_asyncprogress_how *aop,
                    uint32_t *domid_out)
{
    if (aop) {
        ao->has_progress = true;
        ao->progress = *aop;
    }
    ao->domid_out = domid_out;
}

void
xensimAoSetAbortable(XensimAo *ao, bool abortable)
{
    ao->abortable = abortable;
}

void
xensimAoSetDomid(XensimAo *ao, uint32_t domid)
{
    g_rec_mutex_lock(&ao->ctx->ev_lock);
    ao->domid = domid;
    g_rec_mutex_unlock(&ao->ctx->ev_lock);
}

void
xensimAoExpectDaemon(XensimAo *ao)
{
    g_rec_mutex_lock(&ao->ctx->ev_lock);
    ao->daemon_pending = true;
    g_rec_mutex_unlock(&ao->ctx->ev_lock);
}

/*
 * Fork a child of libxl's (device model spawn, bootloader, destroyer): it
 * checks its program (if any) is there, sends command (DOMID, what) to
 * xensimd and exits 0 if it succeeded; the ao waits for its exit status,
 * reaped under the childproc mode.  The child does only system calls: the
 * request is serialised before the fork.
 */
int
xensimAoSpawnHelper(XensimAo *ao, const char *command, const char *what,
                    const char *program)
{
    libxl_ctx *ctx = ao->ctx;
    char id[16];
    const char *args[] = { id, what, NULL };
    g_autoptr(GVariant) request = NULL;
    g_autofree char *sock = g_build_filename(xensimClientDir(), XENSIM_SOCKET_NAME, NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    const guint8 *data;
    guint32 len, belen;
    pid_t pid;
    int rc;

    xensimDomidArg(id, sizeof(id), ao->domid);
    request = xensimRequestNew(command, args);
    data = g_variant_get_data(request);
    len = g_variant_get_size(request);
    belen = GUINT32_TO_BE(len);
    g_strlcpy(addr.sun_path, sock, sizeof(addr.sun_path));

    g_rec_mutex_lock(&ctx->ev_lock);
    if ((rc = xensimAoFork(ao, what, &pid))) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        return rc;
    }
    if (pid == 0) {
        char reply[8];
        size_t got = 0;
        ssize_t n;
        int fd;

        if (program && *program == '/' && access(program, X_OK) < 0)
            _exit(127);
        if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
            connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
            write(fd, &belen, 4) != 4 || write(fd, data, len) != (ssize_t)len)
            _exit(1);
        while (got < sizeof(reply)) {
            if ((n = read(fd, reply + got, sizeof(reply) - got)) < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                _exit(1);
            got += n;
        }
        /* the reply: length, then "(isaa{sv})" whose int32 comes first */
        _exit(reply[4] == 0 && reply[5] == 0 && reply[6] == 0 && reply[7] == 0 ? 0 : 2);
    }
    g_rec_mutex_unlock(&ctx->ev_lock);
    return 0;
}


/*
 * Fork the ao's child under the childproc mode (the lock held): *pid is
 * 0 in the child, which does only system calls; the ao waits for the
 * child's exit status.
 */
static int
xensimAoFork(XensimAo *ao, const char *what, pid_t *pid)
{
    libxl_ctx *ctx = ao->ctx;
    int rc;

    if (xensimChldOurs(ctx, true) && (rc = xensimSigchldAcquire(ctx)))
        return rc;
    if (ctx->childproc_hooks && ctx->childproc_hooks->fork_replacement)
        *pid = ctx->childproc_hooks->fork_replacement(ctx->childproc_user);
    else
        *pid = fork();
    if (*pid < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "%s: fork failed: %s", what, g_strerror(errno));
        if (!xensimChldOurs(ctx, false))
            xensimSigchldRelease(ctx);
        return ERROR_FAIL;
    }
    if (*pid > 0) {
        ao->child = *pid;
        ctx->ev->nchildren++;
    }
    return 0;
}


/*
 * A child of the ao that runs @body(@data) and exits with what it
 * returns (libxl's save helper, its core dump writer): @body does only
 * system calls.  @explain puts a non-zero status in words for the log;
 * libxl_ao_abort kills the child.
 */
int
xensimAoSpawnFunc(XensimAo *ao, const char *what, int (*body)(void *data),
                  void *data, const char *(*explain)(int status))
{
    libxl_ctx *ctx = ao->ctx;
    pid_t pid;
    int rc;

    g_rec_mutex_lock(&ctx->ev_lock);
    if ((rc = xensimAoFork(ao, what, &pid))) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        return rc;
    }
    if (pid == 0)
        _exit(body(data));
    ao->explain = explain;
    ao->child_abortable = true;
    g_rec_mutex_unlock(&ctx->ev_lock);
    return 0;
}


/* xensimd's op will not come after all */
void
xensimAoDaemonDone(XensimAo *ao)
{
    g_rec_mutex_lock(&ao->ctx->ev_lock);
    ao->daemon_pending = false;
    g_rec_mutex_unlock(&ao->ctx->ev_lock);
}

/* @data lives as long as the ao */
void
xensimAoSetData(XensimAo *ao, void *data, GDestroyNotify data_free)
{
    g_rec_mutex_lock(&ao->ctx->ev_lock);
    if (ao->data_free)
        ao->data_free(ao->data);
    ao->data = data;
    ao->data_free = data_free;
    g_rec_mutex_unlock(&ao->ctx->ev_lock);
}

/* A deadline @timeout_ms from now (through the application's timeout
 * hooks, as libxl's ev_time); when it passes, @fn decides (NULL: the ao
 * fails with ERROR_TIMEDOUT).  Replaces the ao's current deadline. */
void
xensimAoArmTimeout(XensimAo *ao, int timeout_ms, XensimAoTimeoutFn fn, void *data)
{
    libxl_ctx *ctx = ao->ctx;

    g_rec_mutex_lock(&ctx->ev_lock);
    if (!ao->done) {
        xensimEvTimeoutCancel(ctx, ao->timeout);
        ao->timeout = xensimEvTimeoutNew(ctx, ao, timeout_ms);
        ao->on_timeout = fn;
        ao->on_timeout_data = data;
    }
    g_rec_mutex_unlock(&ctx->ev_lock);
}

/* xensimd's failure messages for this ao are libxl's log lines */
void
xensimAoSetLogVerbatim(XensimAo *ao)
{
    ao->log_verbatim = true;
}

/* What the ao does once its daemon op and child are done: @step, with
 * @data (freed with @data_free along with the ao). */
void
xensimAoSetNext(XensimAo *ao, XensimAoStep step, void *data,
                GDestroyNotify data_free)
{
    g_rec_mutex_lock(&ao->ctx->ev_lock);
    if (ao->next_free)
        ao->next_free(ao->next_data);
    ao->next = step;
    ao->next_data = data;
    ao->next_free = data_free;
    g_rec_mutex_unlock(&ao->ctx->ev_lock);
}

/* An initiation that fails before the operation exists (libxl's
 * AO_CREATE_FAIL): rc is returned, no callback or event comes. */
int
xensimAoCreateFail(XensimAo *ao, int rc)
{
    libxl_ctx *ctx = ao->ctx;

    g_rec_mutex_lock(&ctx->ev_lock);
    ctx->ev->aos = g_list_remove(ctx->ev->aos, ao);
    xensimEvTimeoutCancel(ctx, ao->timeout);
    if (ao->child > 0)
        kill(ao->child, SIGKILL);
    xensimAoFree(ao);
    g_rec_mutex_unlock(&ctx->ev_lock);
    return rc;
}

/*
 * The entry point's end (libxl's AO_INPROGRESS): rc is the initiation's
 * result.  Synchronous: wait for the end, return its rc.  Asynchronous:
 * an initiation failure is reported like a completion; return 0.
 */
int
xensimAoInProgress(XensimAo *ao, int rc)
{
    libxl_ctx *ctx = ao->ctx;
    bool sync = ao->sync;   /* read now: the check may free an asynchronous ao */

    g_rec_mutex_lock(&ctx->ev_lock);
    ao->initiating = false;
    if (rc) {
        xensimAoFail(ao, rc);
        ao->daemon_pending = false;
        if (ao->child > 0)
            kill(ao->child, SIGKILL);
    }
    xensimAoCheck(ao);
    if (!sync) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        xensimEvDeliver(ctx);
        return 0;
    }
    while (!ao->done) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        xensimEvPoll(ctx, 20);
        g_rec_mutex_lock(&ctx->ev_lock);
    }
    ctx->ev->aos = g_list_remove(ctx->ev->aos, ao);
    rc = ao->rc;
    xensimAoFree(ao);
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
    return rc;
}

/* Entry points ------------------------------------------------------------ */

void
libxl_osevent_register_hooks(libxl_ctx *ctx, const libxl_osevent_hooks *hooks,
                             void *user)
{
    g_rec_mutex_lock(&ctx->ev_lock);
    ctx->osevent_hooks = hooks;
    ctx->osevent_user = user;
    g_rec_mutex_unlock(&ctx->ev_lock);
}

void
libxl_event_register_callbacks(libxl_ctx *ctx, const libxl_event_hooks *hooks,
                               void *user)
{
    g_rec_mutex_lock(&ctx->ev_lock);
    ctx->event_hooks = hooks;
    ctx->event_user = user;
    g_rec_mutex_unlock(&ctx->ev_lock);
}

void
libxl_childproc_setmode(libxl_ctx *ctx, const libxl_childproc_hooks *hooks,
                        void *user)
{
    g_rec_mutex_lock(&ctx->ev_lock);
    ctx->childproc_hooks = hooks;
    ctx->childproc_user = user;
    if (xensimChldOurs(ctx, false))
        xensimSigchldAcquire(ctx);
    else
        xensimSigchldRelease(ctx);
    g_rec_mutex_unlock(&ctx->ev_lock);
}

void
libxl_osevent_occurred_fd(libxl_ctx *ctx, void *for_libxl, int fd,
                          short events, short revents)
{
    g_rec_mutex_lock(&ctx->ev_lock);
    if (ctx->ev)
        xensimEvPump(ctx);
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
}

void
libxl_osevent_occurred_timeout(libxl_ctx *ctx, void *for_libxl)
{
    XensimEvTimeout *t = for_libxl;

    g_rec_mutex_lock(&ctx->ev_lock);
    if (!g_list_find(ctx->ev->timeouts, t)) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        xensimCtxLog(ctx, XTL_ERROR, "libxl_osevent_occurred_timeout: unknown "
                     "timeout %p", for_libxl);
        return;
    }
    if (t->ao)
        xensimAoTimedOut(t->ao);
    /* the application is done with it: libxl frees it now */
    xensimEvTimeoutFree(ctx, t);
    xensimEvPump(ctx);
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
}

int
libxl_osevent_beforepoll(libxl_ctx *ctx, int *nfds_io, struct pollfd *fds,
                         int *timeout_upd, struct timeval now)
{
    int n = 0, room = *nfds_io, rc = 0;

    g_rec_mutex_lock(&ctx->ev_lock);
    if (ctx->ev->conn.fd >= 0) {
        if (n < room)
            fds[n] = (struct pollfd){ .fd = ctx->ev->conn.fd, .events = POLLIN };
        n++;
    }
    if (ctx->ev->sigchld.fd >= 0 && xensimChldOurs(ctx, false)) {
        if (n < room)
            fds[n] = (struct pollfd){ .fd = ctx->ev->sigchld.fd, .events = POLLIN };
        n++;
    }
    if (ctx->ev->timeouts && (*timeout_upd < 0 || *timeout_upd > 20))
        *timeout_upd = 20;
    if (n > room)
        rc = ERROR_BUFFERFULL;
    *nfds_io = n;
    g_rec_mutex_unlock(&ctx->ev_lock);
    return rc;
}

void
libxl_osevent_afterpoll(libxl_ctx *ctx, int nfds, const struct pollfd *fds,
                        struct timeval now)
{
    g_rec_mutex_lock(&ctx->ev_lock);
    xensimEvPump(ctx);
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
}

static libxl_event *
xensimEventTake(libxl_ctx *ctx, uint64_t typemask,
                libxl_event_predicate *predicate, void *predicate_user)
{
    GList *l;

    for (l = ctx->ev->events->head; l; l = l->next) {
        libxl_event *event = l->data;

        if (!(typemask & (1UL << event->type)))
            continue;
        if (predicate && !predicate(event, predicate_user))
            continue;
        g_queue_delete_link(ctx->ev->events, l);
        return event;
    }
    return NULL;
}

int
libxl_event_check(libxl_ctx *ctx, libxl_event **event_r, uint64_t typemask,
                  libxl_event_predicate *predicate, void *predicate_user)
{
    libxl_event *event;

    g_rec_mutex_lock(&ctx->ev_lock);
    xensimEvPump(ctx);
    event = xensimEventTake(ctx, typemask, predicate, predicate_user);
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
    if (!event)
        return ERROR_NOT_READY;
    *event_r = event;
    return 0;
}

int
libxl_event_wait(libxl_ctx *ctx, libxl_event **event_r, uint64_t typemask,
                 libxl_event_predicate *predicate, void *predicate_user)
{
    for (;;) {
        libxl_event *event;

        g_rec_mutex_lock(&ctx->ev_lock);
        xensimEvPump(ctx);
        event = xensimEventTake(ctx, typemask, predicate, predicate_user);
        g_rec_mutex_unlock(&ctx->ev_lock);
        xensimEvDeliver(ctx);
        if (event) {
            *event_r = event;
            return 0;
        }
        xensimEvPoll(ctx, 20);
    }
}

int
libxl_evenable_domain_death(libxl_ctx *ctx, uint32_t domid, libxl_ev_user user,
                            libxl_evgen_domain_death **evgen_out)
{
    libxl_evgen_domain_death *dw;
    char id[16];
    const char *args[] = { NULL, id, NULL };
    int rc;

    *evgen_out = NULL;
    if ((rc = xensimEvArm(ctx)))
        return rc;
    dw = g_new0(libxl_evgen_domain_death, 1);
    dw->ctx = ctx;
    dw->domid = domid;
    dw->user = user;
    g_rec_mutex_lock(&ctx->ev_lock);
    ctx->ev->deathwatches = g_list_append(ctx->ev->deathwatches, dw);
    g_rec_mutex_unlock(&ctx->ev_lock);

    /* xensimd reports the domain's state at once, on the event connection */
    args[0] = xensimEvToken(ctx);
    xensimDomidArg(id, sizeof(id), domid);
    if ((rc = xensimCall(ctx, "libxl_evenable_domain_death", args, NULL))) {
        g_rec_mutex_lock(&ctx->ev_lock);
        ctx->ev->deathwatches = g_list_remove(ctx->ev->deathwatches, dw);
        g_rec_mutex_unlock(&ctx->ev_lock);
        g_free(dw);
        return rc;
    }
    *evgen_out = dw;
    return 0;
}

void
libxl_evdisable_domain_death(libxl_ctx *ctx, libxl_evgen_domain_death *dw)
{
    char id[16];
    const char *args[] = { NULL, id, NULL };
    bool last = true;
    GList *l;

    if (!dw)
        return;
    g_rec_mutex_lock(&ctx->ev_lock);
    ctx->ev->deathwatches = g_list_remove(ctx->ev->deathwatches, dw);
    for (l = ctx->ev->deathwatches; l; l = l->next)
        last = last && ((libxl_evgen_domain_death *)l->data)->domid != dw->domid;
    g_rec_mutex_unlock(&ctx->ev_lock);
    if (last) {
        args[0] = xensimEvToken(ctx);
        xensimDomidArg(id, sizeof(id), dw->domid);
        xensimConnCall(ctx->conn, "domain-unwatch", args, NULL, NULL);
    }
    g_free(dw);
}

static bool
xensimAoHowMatches(XensimAo *ao, const libxl_asyncop_how *how)
{
    if (!how)
        return ao->sync;
    if (ao->sync || ao->how.callback != how->callback)
        return false;
    return how->callback ? ao->how.u.for_callback == how->u.for_callback
                         : ao->how.u.for_event == how->u.for_event;
}

int
libxl_ao_abort(libxl_ctx *ctx, const libxl_asyncop_how *how)
{
    XensimAo *ao = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    GList *l;
    int rc;

    g_rec_mutex_lock(&ctx->ev_lock);
    for (l = ctx->ev->aos; l; l = l->next) {
        XensimAo *cand = l->data;

        if (!cand->done && xensimAoHowMatches(cand, how)) {
            ao = cand;
            break;
        }
    }
    if (!ao) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        return ERROR_NOTFOUND;
    }
    if (ao->aborted) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        return ERROR_ABORTED;
    }
    ao->aborted = true;
    /* a stream or a dump being written: its helper is killed */
    if (ao->child > 0 && ao->child_abortable) {
        kill(ao->child, SIGKILL);
        xensimAoFail(ao, ERROR_ABORTED);
        g_rec_mutex_unlock(&ctx->ev_lock);
        return 0;
    }
    /* the step to come will not run (xensimAoCheck) */
    if (ao->next) {
        g_rec_mutex_unlock(&ctx->ev_lock);
        return 0;
    }
    if (!ao->abortable || !ao->daemon_pending) {
        /* nothing to cut short: it completes as it would have */
        g_rec_mutex_unlock(&ctx->ev_lock);
        return 0;
    }
    xensimDomidArg(id, sizeof(id), ao->domid);
    rc = xensimConnCall(ctx->conn, "create-abort", args, NULL, NULL);
    if (rc == 0) {
        ao->daemon_pending = false;
        xensimAoFail(ao, ERROR_ABORTED);
        ao->domid = INVALID_DOMID;
        if (ao->child > 0)
            kill(ao->child, SIGKILL);
        xensimAoCheck(ao);
    }
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
    return 0;
}

int
libxl_childproc_reaped(libxl_ctx *ctx, pid_t pid, int status)
{
    XensimAo *ao;
    int rc = ERROR_UNKNOWN_CHILD;

    g_rec_mutex_lock(&ctx->ev_lock);
    if ((ao = xensimAoFind(ctx, 0, pid))) {
        xensimChildReaped(ctx, ao, status);
        rc = 0;
    }
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
    return rc;
}

void
libxl_childproc_sigchld_occurred(libxl_ctx *ctx)
{
    GList *l;

    g_rec_mutex_lock(&ctx->ev_lock);
    for (l = g_list_copy(ctx->ev->aos); l; l = g_list_delete_link(l, l)) {
        XensimAo *ao = l->data;
        int status;

        if (ao->child > 0 && waitpid(ao->child, &status, WNOHANG) == ao->child)
            xensimChildReaped(ctx, ao, status);
    }
    g_rec_mutex_unlock(&ctx->ev_lock);
    xensimEvDeliver(ctx);
}

void
libxl_postfork_child_noexec(libxl_ctx *ctx)
{
    /* the child must not touch the parent's SIGCHLD machinery */
    signal(SIGCHLD, SIG_DFL);
}

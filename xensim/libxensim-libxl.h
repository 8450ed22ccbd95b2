/*
 * libxensim-libxl.h: what libxensim's libxl part shares with its stubs
 */
#pragma once

#include <sys/types.h>
#include <glib.h>
#include <libxl.h>
#include <libxl_event.h>

#include "libxensim-client.h"

typedef struct _XensimEv XensimEv;
typedef struct _XensimAo XensimAo;
/* a step of an operation, run (the ctx lock held) when the previous one is
 * done: 0 or a libxl error */
typedef int (*XensimAoStep)(XensimAo *ao, void *data);
/* an ao's deadline passed (the ctx lock held): 0 if it goes on (a new
 * deadline armed), else the error it fails with */
typedef int (*XensimAoTimeoutFn)(XensimAo *ao, void *data);

/*
 * Our context.  Real libxenlight helpers that receive a ctx (those left
 * to it, e.g. libxl_cpu_bitmap_alloc) read the start of their own struct
 * libxl__ctx: the logger at offset 0 (to log), and at 0x18 the "no gc"
 * gc that NOGC allocations go through, recognised by alloc_maxsize -1
 * (checked with objdump -d of libxenlight 4.17).  That prefix is mirrored
 * here; the xc and xs handles in between stay NULL.
 */
typedef struct {
    int alloc_maxsize;
    void **alloc_ptrs;
    libxl_ctx *owner;
} xensimLibxlGc;

struct libxl__ctx {
    xentoollog_logger *lg;              /* real libxl: lg */
    void *xch;                          /* real libxl: xc_interface, NULL */
    void *xsh;                          /* real libxl: xs_handle, NULL */
    xensimLibxlGc nogc_gc;              /* real libxl: nogc_gc */
    /* xensim's own */
    XensimConn *conn;
    GMutex lock;                        /* guards what follows */
    libxl_version_info *version_info;   /* cached, freed with the ctx */
    /* What the application registered, for event delivery
     * (libxensim-event.c), and the event machinery's state; all
     * guarded by ev_lock, libxl's CTX_LOCK. */
    GRecMutex ev_lock;
    const libxl_osevent_hooks *osevent_hooks;
    void *osevent_user;
    const libxl_event_hooks *event_hooks;
    void *event_user;
    const libxl_childproc_hooks *childproc_hooks;
    void *childproc_user;
    XensimEv *ev;
};

G_STATIC_ASSERT(G_STRUCT_OFFSET(struct libxl__ctx, lg) == 0);
G_STATIC_ASSERT(G_STRUCT_OFFSET(struct libxl__ctx, nogc_gc) == 0x18);

void xensimLibxlUnimplemented(libxl_ctx *ctx, const char *func);
void xensimCtxLog(libxl_ctx *ctx, xentoollog_level level, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
int xensimCall(libxl_ctx *ctx, const char *func, const char *const *args,
               GVariant **records);
GVariant *xensimRecord(GVariant *records);
void xensimDomidArg(char *buf, size_t len, uint32_t domid);
char *xensimBitmapHex(const libxl_bitmap *map);

/* libxensim-event.c: events, asynchronous operations, children */
int xensimEvInit(libxl_ctx *ctx);
void xensimEvDispose(libxl_ctx *ctx);
const char *xensimEvToken(libxl_ctx *ctx);
int xensimEvArm(libxl_ctx *ctx);

XensimAo *xensimAoNew(libxl_ctx *ctx, const char *what, uint32_t domid,
                      const libxl_asyncop_how *how, int timeout_ms);
guint64 xensimAoId(XensimAo *ao);
void xensimAoSetProgress(XensimAo *ao, const libxl_asyncprogress_how *aop,
                         uint32_t *domid_out);
void xensimAoSetAbortable(XensimAo *ao, bool abortable);
void xensimAoSetDomid(XensimAo *ao, uint32_t domid);
void xensimAoExpectDaemon(XensimAo *ao);
int xensimAoSpawnHelper(XensimAo *ao, const char *command, const char *what,
                        const char *program);
int xensimAoSpawnFunc(XensimAo *ao, const char *what, int (*body)(void *data),
                      void *data, const char *(*explain)(int status));
void xensimAoSetNext(XensimAo *ao, XensimAoStep step, void *data,
                     GDestroyNotify data_free);
libxl_ctx *xensimAoCtx(XensimAo *ao);
void xensimAoDaemonDone(XensimAo *ao);
void xensimAoSetData(XensimAo *ao, void *data, GDestroyNotify data_free);
void xensimAoArmTimeout(XensimAo *ao, int timeout_ms, XensimAoTimeoutFn fn, void *data);
void xensimAoSetLogVerbatim(XensimAo *ao);
int xensimAoInProgress(XensimAo *ao, int rc);
int xensimAoCreateFail(XensimAo *ao, int rc);

/* libxensim-domain.c: what a restore builds like a new domain */
void xensimConfigSetDefaults(libxl_domain_config *d_config);
int xensimDiskSetBackend(libxl_ctx *ctx, libxl_device_disk *disk);
GPtrArray *xensimCreateArgs(libxl_ctx *ctx, libxl_domain_config *d_config, XensimAo *ao);

/* libxensim-device.c: device hotplug */
void xensimDeviceConfigFilter(libxl_domain_config *d_config, GVariant *rec);

/*
 * libxensim-client.c: libxensim's connection to xensimd
 *
 * One connection per libxl_ctx or xs_handle, each guarded by its own
 * mutex: a call sends one request and reads its reply with the mutex
 * held, so threads sharing a context never interleave messages.  A broken
 * connection (xensimd restarted) is reopened once per call.
 *
 * The connection is synchronous for now.  Its fd is the only fd a context
 * owns; when asynchronous operations arrive it is the fd to hand to the
 * application's osevent hooks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxl.h>

#include "libxensim-client.h"
#include "xensim-proto.h"

struct _XensimConn {
    GMutex lock;
    int fd;
};

const char *
xensimClientDir(void)
{
    const char *dir = getenv("XENSIM_DIR");

    return dir && *dir ? dir : NULL;
}

/* Log a line to stderr and to $XENSIM_DIR/xensim-client.log. */
void
xensimClientLog(const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    const char *dir = xensimClientDir();
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    fprintf(stderr, "libxensim[%d]: %s\n", (int)getpid(), msg);
    if (dir) {
        g_autofree char *path = g_build_filename(dir, XENSIM_CLIENT_LOG_NAME, NULL);
        g_autofree char *line = g_strdup_printf("libxensim[%d]: %s\n",
                                                (int)getpid(), msg);
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

        if (fd >= 0) {
            if (write(fd, line, strlen(line)) < 0) {
                /* nowhere left to report it */
            }
            close(fd);
        }
    }
}

/* What every entry point that xensim does not implement yet does. */
void
xensimClientUnimplemented(const char *func)
{
    xensimClientLog("%s: not implemented by xensim", func);
    errno = ENOSYS;
}

XensimConn *
xensimConnOpen(void)
{
    const char *dir = xensimClientDir();
    XensimConn *conn;
    int fd;

    if (!dir) {
        xensimClientLog("XENSIM_DIR is not set: no simulated Xen host");
        errno = ENOENT;
        return NULL;
    }
    if ((fd = xensimProtoConnect(dir)) < 0) {
        xensimClientLog("cannot connect to xensimd in %s: %s", dir, g_strerror(-fd));
        errno = -fd;
        return NULL;
    }
    conn = g_new0(XensimConn, 1);
    g_mutex_init(&conn->lock);
    conn->fd = fd;
    return conn;
}

void
xensimConnClose(XensimConn *conn)
{
    if (!conn)
        return;
    if (conn->fd >= 0)
        close(conn->fd);
    g_mutex_clear(&conn->lock);
    g_free(conn);
}

static int
xensimConnRoundTrip(XensimConn *conn, GVariant *request, GVariant **reply)
{
    int r;

    if (conn->fd < 0) {
        const char *dir = xensimClientDir();

        if (!dir)
            return -ENOENT;
        if ((conn->fd = xensimProtoConnect(dir)) < 0) {
            r = conn->fd;
            conn->fd = -1;
            return r;
        }
    }
    if ((r = xensimProtoSend(conn->fd, request)) < 0 ||
        (r = xensimProtoRecv(conn->fd, XENSIM_REPLY_TYPE, reply)) < 0) {
        close(conn->fd);
        conn->fd = -1;
        return r;
    }
    return 0;
}

/*
 * Send cmd(args) and wait for the reply.  Returns its rc (a libxl error
 * code; for xs_* commands 0 or -errno), or ERROR_FAIL if xensimd cannot
 * be reached.  On success *records (if records) holds the records
 * (aa{sv}); on failure *message (if message) says why.
 */
int
xensimConnCall(XensimConn *conn, const char *cmd, const char *const *args,
               GVariant **records, char **message)
{
    g_autoptr(GVariant) request = xensimRequestNew(cmd, args);
    g_autoptr(GVariant) reply = NULL;
    const char *msg;
    gint32 rc;
    int r;

    if (records)
        *records = NULL;
    if (message)
        *message = NULL;
    if (!conn)
        return ERROR_FAIL;

    g_mutex_lock(&conn->lock);
    if ((r = xensimConnRoundTrip(conn, request, &reply)) == -EPIPE ||
        r == -ECONNRESET)
        r = xensimConnRoundTrip(conn, request, &reply);
    g_mutex_unlock(&conn->lock);

    if (r < 0) {
        xensimClientLog("%s: xensimd unreachable: %s", cmd, g_strerror(-r));
        if (message)
            *message = g_strdup_printf("xensimd unreachable: %s", g_strerror(-r));
        return ERROR_FAIL;
    }
    g_variant_get(reply, "(i&s@aa{sv})", &rc, &msg, records ? records : NULL);
    if (rc != 0 && message)
        *message = g_strdup(msg);
    if (rc != 0 && records) {
        g_variant_unref(*records);
        *records = NULL;
    }
    return rc;
}

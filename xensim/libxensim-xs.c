/*
 * libxensim-xs.c: the xenstore client entry points (libxenstore's xs_*)
 *
 * A handle is a connection to xensimd.  Reads, writes, directories,
 * removals and mkdir are served by the simulated store; transactions and
 * watches fail loudly (ENOSYS) for now.  Pure helpers (xs_path_is_subpath,
 * xs_strings_to_perms, xs_daemon_socket...) stay libxenstore's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC visibility push(default)
#include <xenstore.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "xensim-proto.h"

struct xs_handle {
    XensimConn *conn;
};

static struct xs_handle *
xensimXsOpen(void)
{
    XensimConn *conn = xensimConnOpen();
    struct xs_handle *h;

    if (!conn)
        return NULL;
    h = g_new0(struct xs_handle, 1);
    h->conn = conn;
    return h;
}

struct xs_handle *
xs_open(unsigned long flags)
{
    return xensimXsOpen();
}

struct xs_handle *
xs_daemon_open(void)
{
    return xensimXsOpen();
}

struct xs_handle *
xs_daemon_open_readonly(void)
{
    return xensimXsOpen();
}

struct xs_handle *
xs_domain_open(void)
{
    return xensimXsOpen();
}

void
xs_close(struct xs_handle *xsh)
{
    if (!xsh)
        return;
    xensimConnClose(xsh->conn);
    g_free(xsh);
}

void
xs_daemon_close(struct xs_handle *xsh)
{
    xs_close(xsh);
}

void
xs_daemon_destroy_postfork(struct xs_handle *xsh)
{
    xs_close(xsh);
}

/* Call a store command: true on success, else false with errno set. */
static bool
xensimXsCall(struct xs_handle *h, xs_transaction_t t, const char *cmd,
             const char *const *args, GVariant **record)
{
    g_autoptr(GVariant) records = NULL;
    int rc;

    if (record)
        *record = NULL;
    if (!h) {
        errno = EINVAL;
        return false;
    }
    if (t != XBT_NULL) {
        xensimClientLog("%s: transactions are not implemented by xensim", cmd);
        errno = ENOSYS;
        return false;
    }
    rc = xensimConnCall(h->conn, cmd, args, record ? &records : NULL, NULL);
    if (rc) {
        errno = rc < 0 && rc > -4096 ? -rc : EIO;
        return false;
    }
    if (record) {
        if (!records || g_variant_n_children(records) < 1) {
            errno = EIO;
            return false;
        }
        *record = g_variant_get_child_value(records, 0);
    }
    return true;
}

void *
xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
        unsigned int *len)
{
    g_autoptr(GVariant) rec = NULL;
    const char *args[] = { path, NULL };
    const char *value;
    gsize n;
    char *ret;

    if (!xensimXsCall(h, t, "xs_read", args, &rec))
        return NULL;
    if (!g_variant_lookup(rec, "value", "&s", &value)) {
        errno = EIO;
        return NULL;
    }
    n = strlen(value);
    if (!(ret = malloc(n + 1)))
        return NULL;
    memcpy(ret, value, n + 1);
    if (len)
        *len = n;
    return ret;
}

bool
xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
         const void *data, unsigned int len)
{
    g_autofree char *value = g_strndup(data, len);
    const char *args[] = { path, value, NULL };

    return xensimXsCall(h, t, "xs_write", args, NULL);
}

bool
xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    const char *args[] = { path, NULL };

    return xensimXsCall(h, t, "xs_mkdir", args, NULL);
}

bool
xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    const char *args[] = { path, NULL };

    return xensimXsCall(h, t, "xs_rm", args, NULL);
}

/* Like libxenstore: one malloc'd block, the pointers then the strings. */
char **
xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
             unsigned int *num)
{
    g_autoptr(GVariant) rec = NULL;
    g_autofree const char **names = NULL;
    size_t i, n, size;
    char **ret;
    char *p;

    *num = 0;
    if (!xensimXsCall(h, t, "xs_directory", (const char *[]){ path, NULL }, &rec))
        return NULL;
    if (!g_variant_lookup(rec, "names", "^a&s", &names)) {
        errno = EIO;
        return NULL;
    }
    n = g_strv_length((char **)names);
    size = (n + 1) * sizeof(char *);
    for (i = 0; i < n; i++)
        size += strlen(names[i]) + 1;
    if (!(ret = malloc(size)))
        return NULL;
    p = (char *)(ret + n + 1);
    for (i = 0; i < n; i++) {
        size_t len = strlen(names[i]) + 1;

        memcpy(p, names[i], len);
        ret[i] = p;
        p += len;
    }
    ret[n] = NULL;
    *num = n;
    return ret;
}

char *
xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    char *path;

    if (!h) {
        errno = EINVAL;
        return NULL;
    }
    if (asprintf(&path, "/local/domain/%u", domid) < 0)
        return NULL;
    return path;
}

/* Not implemented yet: fail loudly. */

#define XENSIM_XS_UNIMPLEMENTED(ret) \
    do { \
        xensimClientUnimplemented(__func__); \
        return ret; \
    } while (0)

bool
xs_restrict(struct xs_handle *h, unsigned domid)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

struct xs_permissions *
xs_get_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                   unsigned int *num)
{
    XENSIM_XS_UNIMPLEMENTED(NULL);
}

bool
xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                   struct xs_permissions *perms, unsigned int num_perms)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

bool
xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

int
xs_fileno(struct xs_handle *h)
{
    XENSIM_XS_UNIMPLEMENTED(-1);
}

char **
xs_check_watch(struct xs_handle *h)
{
    XENSIM_XS_UNIMPLEMENTED(NULL);
}

char **
xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    XENSIM_XS_UNIMPLEMENTED(NULL);
}

bool
xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

xs_transaction_t
xs_transaction_start(struct xs_handle *h)
{
    XENSIM_XS_UNIMPLEMENTED(XBT_NULL);
}

bool
xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

bool
xs_introduce_domain(struct xs_handle *h, unsigned int domid, unsigned long mfn,
                    unsigned int eventchn)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

bool
xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

bool
xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

bool
xs_release_domain(struct xs_handle *h, unsigned int domid)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

bool
xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    XENSIM_XS_UNIMPLEMENTED(false);
}

char *
xs_control_command(struct xs_handle *h, const char *cmd, void *data,
                   unsigned int len)
{
    XENSIM_XS_UNIMPLEMENTED(NULL);
}

char *
xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
                 unsigned int len)
{
    XENSIM_XS_UNIMPLEMENTED(NULL);
}

int
xs_suspend_evtchn_port(int domid)
{
    XENSIM_XS_UNIMPLEMENTED(-1);
}

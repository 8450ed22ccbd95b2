/*
 * libxensim-xc.c: the libxenctrl entry points xensim implements
 *
 * A driver that asks the hypervisor directly (xc_getcpuinfo for the
 * physical CPUs' idle time) links libxenctrl; preloaded, these
 * definitions (version node VERS_4.17.0, as libxenctrl's) come first.
 * An xc_interface is a connection to xensimd; xc_ functions not listed
 * in entry-points.txt are left undefined here, and the symbols test
 * refuses a driver module that imports one.
 */
#include <errno.h>
#include <stdlib.h>

#pragma GCC visibility push(default)
#include <xenctrl.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "xensim-proto.h"

struct xc_interface_core {
    XensimConn *conn;
    xentoollog_logger *lg;
    GMutex lock;
};

/* As libxenctrl's: errors logged through logger (NULL: none here). */
static int
xensimXcCall(xc_interface *xch, const char *func, const char *const *args,
             GVariant **records)
{
    g_autofree char *message = NULL;
    int rc;

    g_mutex_lock(&xch->lock);
    rc = xensimConnCall(xch->conn, func, args, records, &message);
    g_mutex_unlock(&xch->lock);
    if (rc && xch->lg)
        xtl_log(xch->lg, XTL_ERROR, -1, "xc", "%s: %s", func,
                message ? message : "failed");
    return rc;
}

xc_interface *
xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
                  unsigned open_flags)
{
    xc_interface *xch = g_new0(xc_interface, 1);

    xch->lg = logger;
    g_mutex_init(&xch->lock);
    if (!(xch->conn = xensimConnOpen())) {
        if (logger)
            xtl_log(logger, XTL_ERROR, -1, "xc", "cannot connect to the simulated "
                    "Xen host (XENSIM_DIR=%s)",
                    xensimClientDir() ? xensimClientDir() : "");
        g_mutex_clear(&xch->lock);
        g_free(xch);
        errno = ENOENT;
        return NULL;
    }
    return xch;
}

int
xc_interface_close(xc_interface *xch)
{
    if (!xch)
        return 0;
    xensimConnClose(xch->conn);
    g_mutex_clear(&xch->lock);
    g_free(xch);
    return 0;
}

/* XEN_SYSCTL_getcpuinfo: the idle time (ns) of the first max_cpus
 * physical CPUs; *nr_cpus: how many were filled in.  -1 and errno on
 * failure, as libxenctrl. */
int
xc_getcpuinfo(xc_interface *xch, int max_cpus, xc_cpuinfo_t *info, int *nr_cpus)
{
    g_autoptr(GVariant) records = NULL;
    size_t i, n;

    if (!xch) {
        errno = EINVAL;
        return -1;
    }
    if (xensimXcCall(xch, "xc_getcpuinfo", NULL, &records)) {
        errno = EIO;
        return -1;
    }
    n = g_variant_n_children(records);
    if (max_cpus < 0)
        max_cpus = 0;
    if (n > (size_t)max_cpus)
        n = max_cpus;
    for (i = 0; i < n && info; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        info[i].idletime = xensimRecordU64(rec, "idletime", 0);
    }
    if (nr_cpus)
        *nr_cpus = n;
    return 0;
}

/*
 * libxensim-pci.c: libxl's PCI passthrough entry points
 *
 * pciback (libxl_device_pci_assignable_add, _remove, _list) and a
 * domain's PCI devices (libxl_device_pci_add, _remove, _destroy, _list),
 * served by xensimd's simulated PCI bus (xensimd-pci.c).  The adds and
 * removes are asynchronous operations that complete at once, through the
 * ao machinery, as libxl's device operations do when the guest answers.
 * The lists are malloc'd arrays of libxl_device_pci: the real library's
 * libxl_device_pci_list_free and _assignable_list_free free them.
 */
#include <stdlib.h>
#include <string.h>

#pragma GCC visibility push(default)
#include <libxl.h>
#include <libxl_utils.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "libxensim-libxl.h"
#include "xensim-proto.h"

/* the device libxl is given: its BDF, or name=NAME (libxl's name2bdf) */
static void
xensimPciArg(char *buf, size_t len, const libxl_device_pci *pci)
{
    if (pci->name)
        g_snprintf(buf, len, "name=%s", pci->name);
    else
        g_snprintf(buf, len, "%04x:%02x:%02x.%01x",
                   pci->domain, pci->bus, pci->dev, pci->func);
}

/* libxl_create_pci_backend_device's opts-N */
static char *
xensimPciOpts(const libxl_device_pci *pci)
{
    libxl_rdm_reserve_policy policy = pci->rdm_policy;

    if (policy == LIBXL_RDM_RESERVE_POLICY_INVALID)
        policy = LIBXL_RDM_RESERVE_POLICY_STRICT;
    return g_strdup_printf("msitranslate=%d,power_mgmt=%d,permissive=%d,rdm_policy=%s",
                           pci->msitranslate, pci->power_mgmt, pci->permissive,
                           libxl_rdm_reserve_policy_to_string(policy));
}

int
libxl_device_pci_assignable_add(libxl_ctx *ctx, libxl_device_pci *pci, int rebind)
{
    char bdf[96];
    const char *args[] = { bdf, rebind ? "1" : "0", pci->name ? pci->name : "", NULL };

    g_snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%01x",
               pci->domain, pci->bus, pci->dev, pci->func);
    return xensimCall(ctx, "libxl_device_pci_assignable_add", args, NULL);
}

int
libxl_device_pci_assignable_remove(libxl_ctx *ctx, libxl_device_pci *pci, int rebind)
{
    char bdf[96];
    const char *args[] = { bdf, rebind ? "1" : "0", NULL };

    xensimPciArg(bdf, sizeof(bdf), pci);
    return xensimCall(ctx, "libxl_device_pci_assignable_remove", args, NULL);
}

/* records {domain, bus, dev, func[, name]} as a malloc'd array */
static libxl_device_pci *
xensimPciListFromRecords(GVariant *records, int *num)
{
    libxl_device_pci *list;
    gsize n = records ? g_variant_n_children(records) : 0;
    gsize i;

    *num = 0;
    if (n == 0)
        return NULL;
    list = calloc(n, sizeof(*list));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);
        g_autofree char *name = xensimRecordStr(rec, "name");

        libxl_device_pci_init(&list[i]);
        list[i].domain = xensimRecordU64(rec, "domain", 0);
        list[i].bus = xensimRecordU64(rec, "bus", 0);
        list[i].dev = xensimRecordU64(rec, "dev", 0);
        list[i].func = xensimRecordU64(rec, "func", 0);
        if (name)
            list[i].name = strdup(name);
    }
    *num = n;
    return list;
}

libxl_device_pci *
libxl_device_pci_assignable_list(libxl_ctx *ctx, int *num)
{
    g_autoptr(GVariant) records = NULL;
    const char *args[] = { NULL };

    *num = 0;
    if (xensimCall(ctx, "libxl_device_pci_assignable_list", args, &records))
        return NULL;
    return xensimPciListFromRecords(records, num);
}

libxl_device_pci *
libxl_device_pci_list(libxl_ctx *ctx, uint32_t domid, int *num)
{
    g_autoptr(GVariant) records = NULL;
    char id[16];
    const char *args[] = { id, NULL };

    *num = 0;
    xensimDomidArg(id, sizeof(id), domid);
    if (xensimCall(ctx, "libxl_device_pci_list", args, &records))
        return NULL;
    return xensimPciListFromRecords(records, num);
}

static int
xensimPciDeviceOp(libxl_ctx *ctx, const char *func, uint32_t domid,
                  libxl_device_pci *pci, const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, func, domid, ao_how, 0);
    g_autofree char *opts = xensimPciOpts(pci);
    char id[16], bdf[96];
    const char *args[] = { id, bdf, opts, pci->seize ? "seize" : "", NULL };

    xensimDomidArg(id, sizeof(id), domid);
    xensimPciArg(bdf, sizeof(bdf), pci);
    return xensimAoInProgress(ao, xensimCall(ctx, func, args, NULL));
}

int
libxl_device_pci_add(libxl_ctx *ctx, uint32_t domid, libxl_device_pci *pci,
                     const libxl_asyncop_how *ao_how)
{
    return xensimPciDeviceOp(ctx, "libxl_device_pci_add", domid, pci, ao_how);
}

int
libxl_device_pci_remove(libxl_ctx *ctx, uint32_t domid, libxl_device_pci *pci,
                        const libxl_asyncop_how *ao_how)
{
    return xensimPciDeviceOp(ctx, "libxl_device_pci_remove", domid, pci, ao_how);
}

int
libxl_device_pci_destroy(libxl_ctx *ctx, uint32_t domid, libxl_device_pci *pci,
                         const libxl_asyncop_how *ao_how)
{
    return xensimPciDeviceOp(ctx, "libxl_device_pci_destroy", domid, pci, ao_how);
}

/*
 * libxl_domain.c: the libxl driver's domain objects
 *
 * The driver keeps its domains in a virDomainObjList.  Each object's
 * private data (libxlDomainObjPrivate) is allocated and freed by the
 * virDomainXMLOption callbacks below, so it lives exactly as long as the
 * object.  Domain-0, the control domain, is always in the list and
 * always running.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "datatypes.h"
#include "virerror.h"
#include "virlog.h"
#include "viruuid.h"
#include "virdomainobjlist.h"
#include "libxl_domain.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_domain");


/*
 * libxlDomainObjPrivateAlloc:
 * The private data of a new domain object.  @opaque is the driver.
 */
void *
libxlDomainObjPrivateAlloc(void *opaque G_GNUC_UNUSED)
{
    libxlDomainObjPrivate *priv = g_new0(libxlDomainObjPrivate, 1);

    if (!(priv->devs = virChrdevAlloc())) {
        g_free(priv);
        return NULL;
    }

    return priv;
}


void
libxlDomainObjPrivateFree(void *data)
{
    libxlDomainObjPrivate *priv = data;

    if (!priv)
        return;

    virChrdevFree(priv->devs);
    g_free(priv);
}


static virDomainXMLPrivateDataCallbacks libxlDomainXMLPrivateDataCallbacks = {
    .alloc = libxlDomainObjPrivateAlloc,
    .free = libxlDomainObjPrivateFree,
};


/*
 * libxlDomainXMLConfNew:
 * The XML parser/formatter options of the driver's domains.
 */
virDomainXMLOption *
libxlDomainXMLConfNew(libxlDriverPrivate *driver)
{
    virDomainDefParserConfig config = {
        .macPrefix = { 0x00, 0x16, 0x3e },
        .netPrefix = "vif",
        .defArch = VIR_ARCH_X86_64,
        .priv = driver,
        .features = VIR_DOMAIN_DEF_FEATURE_USER_ALIAS |
                    VIR_DOMAIN_DEF_FEATURE_NAME_SLASH,
    };

    return virDomainXMLOptionNew(&config, &libxlDomainXMLPrivateDataCallbacks,
                                 NULL, NULL, NULL, NULL);
}


/*
 * libxlDomainObjFromDomain:
 * The locked, referenced object of @dom (release with
 * virDomainObjEndAPI), or NULL with VIR_ERR_NO_DOMAIN reported.
 */
virDomainObj *
libxlDomainObjFromDomain(libxlDriverPrivate *driver, virDomainPtr dom)
{
    virDomainObj *vm;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    if (!(vm = virDomainObjListFindByUUID(driver->domains, dom->uuid))) {
        virUUIDFormat(dom->uuid, uuidstr);
        virReportError(VIR_ERR_NO_DOMAIN,
                       _("no domain with matching uuid '%s' (%s)"),
                       uuidstr, dom->name);
        return NULL;
    }

    return vm;
}


/*
 * libxlDomainStateFromDominfo:
 * The libvirt state and reason of a domain libxl reports as @info.
 */
void
libxlDomainStateFromDominfo(const libxl_dominfo *info, int *state, int *reason)
{
    if (info->dying) {
        *state = VIR_DOMAIN_SHUTDOWN;
        *reason = VIR_DOMAIN_SHUTDOWN_UNKNOWN;
    } else if (info->shutdown) {
        switch (info->shutdown_reason) {
        case LIBXL_SHUTDOWN_REASON_CRASH:
            *state = VIR_DOMAIN_CRASHED;
            *reason = VIR_DOMAIN_CRASHED_UNKNOWN;
            break;
        case LIBXL_SHUTDOWN_REASON_SUSPEND:
            *state = VIR_DOMAIN_PMSUSPENDED;
            *reason = VIR_DOMAIN_PMSUSPENDED_UNKNOWN;
            break;
        case LIBXL_SHUTDOWN_REASON_POWEROFF:
        case LIBXL_SHUTDOWN_REASON_REBOOT:
        case LIBXL_SHUTDOWN_REASON_WATCHDOG:
        case LIBXL_SHUTDOWN_REASON_SOFT_RESET:
        case LIBXL_SHUTDOWN_REASON_UNKNOWN:
        default:
            *state = VIR_DOMAIN_SHUTDOWN;
            *reason = VIR_DOMAIN_SHUTDOWN_UNKNOWN;
            break;
        }
    } else if (info->paused) {
        *state = VIR_DOMAIN_PAUSED;
        *reason = VIR_DOMAIN_PAUSED_UNKNOWN;
    } else if (info->blocked) {
        *state = VIR_DOMAIN_BLOCKED;
        *reason = VIR_DOMAIN_BLOCKED_UNKNOWN;
    } else {
        *state = VIR_DOMAIN_RUNNING;
        *reason = VIR_DOMAIN_RUNNING_UNKNOWN;
    }
}


/*
 * libxlDomainDom0Update:
 * Bring Domain-0's object up to date with what libxl reports: vCPUs,
 * memory, state.
 */
int
libxlDomainDom0Update(virDomainObj *vm,
                      const libxl_dominfo *info,
                      virDomainXMLOption *xmlopt)
{
    unsigned int maxvcpus = info->vcpu_max_id + 1;
    unsigned int vcpus = info->vcpu_online ? info->vcpu_online : 1;
    unsigned long long maxmem = info->max_memkb;

    if (vcpus > maxvcpus)
        maxvcpus = vcpus;

    if (virDomainDefSetVcpusMax(vm->def, maxvcpus, xmlopt) < 0)
        return -1;
    if (virDomainDefSetVcpus(vm->def, vcpus) < 0)
        return -1;

    /* Domain-0 is unlimited unless dom0_mem says otherwise */
    if (maxmem == 0 || maxmem == UINT64_MAX / 1024 ||
        maxmem < info->current_memkb)
        maxmem = info->current_memkb;
    virDomainDefSetMemoryTotal(vm->def, maxmem);
    vm->def->mem.cur_balloon = info->current_memkb;

    vm->def->id = 0;
    vm->persistent = 1;
    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
    return 0;
}


/*
 * libxlDomainDom0Add:
 * Put Domain-0 in the driver's domain list (or refresh it if it is
 * already there, on a driver reload).
 */
int
libxlDomainDom0Add(libxlDriverPrivate *driver)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) def = NULL;
    virDomainObj *vm = NULL;
    libxl_dominfo info;
    int ret = -1;

    libxl_dominfo_init(&info);

    if (libxl_domain_info(cfg->ctx, &info, 0) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("cannot get Domain-0 information from libxenlight"));
        goto cleanup;
    }

    if (!(vm = virDomainObjListFindByID(driver->domains, 0))) {
        if (!(def = virDomainDefNew(driver->xmlopt)))
            goto cleanup;

        def->id = 0;
        def->virtType = VIR_DOMAIN_VIRT_XEN;
        def->os.type = VIR_DOMAIN_OSTYPE_XEN;
        def->os.arch = cfg->caps ? cfg->caps->host.arch : virArchFromHost();
        def->name = g_strdup(LIBXL_DOM0_NAME);
        memcpy(def->uuid, libxl_uuid_bytearray_const(&info.uuid), VIR_UUID_BUFLEN);

        if (!(vm = virDomainObjListAdd(driver->domains, &def, driver->xmlopt,
                                       0, NULL)))
            goto cleanup;
    }

    ret = libxlDomainDom0Update(vm, &info, driver->xmlopt);

 cleanup:
    libxl_dominfo_dispose(&info);
    virDomainObjEndAPI(&vm);
    return ret;
}

/*
 * status-fuzz.c: libFuzzer target of the status XML reader
 *
 * The input is a status file, /run/libvirt/libxl/NAME.xml: a
 * <domstatus> with the live definition and the driver's private data
 * (libxlDomainPrivateParse: <libxl job='...'/>), read by
 * virDomainObjParseFile with the flags libvirtd loads status with
 * (virDomainObjListLoadAllConfigs) and the driver's XML options.  A
 * status that loads is saved again as the driver saves it
 * (virDomainObjSave's flags, libxlDomainPrivateFormat) and that must
 * load back with the same private data; its name goes through the
 * driver's name check, as at reconnect.  The file is a memory file,
 * reached by its /proc/self/fd name.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "virerror.h"
#include "virfile.h"
#include "domain_conf.h"
#include "virdomainobjlist.h"
#include "libxl_domain.h"
#include "fuzz-driver.h"

#define STATUS_PARSE_FLAGS (VIR_DOMAIN_DEF_PARSE_STATUS | \
                            VIR_DOMAIN_DEF_PARSE_ACTUAL_NET | \
                            VIR_DOMAIN_DEF_PARSE_PCI_ORIG_STATES | \
                            VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE | \
                            VIR_DOMAIN_DEF_PARSE_ALLOW_POST_PARSE_FAIL)

#define STATUS_FORMAT_FLAGS (VIR_DOMAIN_DEF_FORMAT_SECURE | \
                             VIR_DOMAIN_DEF_FORMAT_STATUS | \
                             VIR_DOMAIN_DEF_FORMAT_ACTUAL_NET | \
                             VIR_DOMAIN_DEF_FORMAT_PCI_ORIG_STATES | \
                             VIR_DOMAIN_DEF_FORMAT_CLOCK_ADJUST)

static libxlDriverPrivate *driver;


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    driver = libxlFuzzDriverNew();
    return 0;
}


static virDomainObj *
statusFuzzLoad(const uint8_t *data, size_t size)
{
    g_autofree char *path = NULL;
    VIR_AUTOCLOSE fd = libxlFuzzMemFile(data, size, &path);

    return virDomainObjParseFile(path, driver->xmlopt, STATUS_PARSE_FLAGS);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    virDomainObj *vm = NULL;
    virDomainObj *again = NULL;
    g_autofree char *saved = NULL;
    libxlDomainObjPrivate *priv;
    libxlDomainObjPrivate *priv2;

    if (libxlFuzzLibvirtKnownBug(data, size))
        return 0;

    if (!(vm = statusFuzzLoad(data, size))) {
        if (!virGetLastError())
            abort();
        virResetLastError();
        return 0;
    }

    priv = vm->privateData;
    if (priv->statusJob && !*priv->statusJob)
        abort();
    ignore_value(libxlDomainNameCheck(vm->def->name));

    if (!(saved = virDomainObjFormat(vm, driver->xmlopt, STATUS_FORMAT_FLAGS)))
        goto cleanup;

    /* what the driver saved, the next daemon reads back: the private
     * data at least must survive (the definition is libvirt's) */
    if ((again = statusFuzzLoad((const uint8_t *) saved, strlen(saved)))) {
        priv2 = again->privateData;
        if (STRNEQ_NULLABLE(priv->statusJob, priv2->statusJob))
            abort();
    }

 cleanup:
    /* loaded objects come locked */
    virDomainObjEndAPI(&again);
    virDomainObjEndAPI(&vm);
    virResetLastError();
    return 0;
}

/*
 * libxl_domain.h: the libxl driver's domain objects
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libxl.h>

#include "internal.h"
#include "domain_conf.h"
#include "virchrdev.h"
#include "libxl_conf.h"

#define LIBXL_DOM0_NAME "Domain-0"

typedef struct _libxlDomainObjPrivate libxlDomainObjPrivate;
struct _libxlDomainObjPrivate {
    /* console and serial streams; allocated and freed with the object */
    virChrdevs *devs;
};

void *libxlDomainObjPrivateAlloc(void *opaque);
void libxlDomainObjPrivateFree(void *data);

virDomainXMLOption *libxlDomainXMLConfNew(libxlDriverPrivate *driver);

virDomainObj *libxlDomainObjFromDomain(libxlDriverPrivate *driver,
                                       virDomainPtr dom);

void libxlDomainStateFromDominfo(const libxl_dominfo *info,
                                 int *state, int *reason);

int libxlDomainDom0Update(virDomainObj *vm,
                          const libxl_dominfo *info,
                          virDomainXMLOption *xmlopt);
int libxlDomainDom0Add(libxlDriverPrivate *driver);

/*
 * libxl_hotplug.h: devices added to, changed in and removed from domains
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "libxl_conf.h"

void libxlHotplugAssignAliases(virDomainDef *def);

typedef enum {
    LIBXL_HOTPLUG_ATTACH,
    LIBXL_HOTPLUG_DETACH,
    LIBXL_HOTPLUG_UPDATE,
} libxlHotplugAction;

int libxlDomainHotplugWork(libxlDriverPrivate *driver,
                           virDomainObj *vm,
                           const char *xml,
                           const char *alias,
                           unsigned int flags,
                           libxlHotplugAction action);

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

void libxlHotplugAssignAliases(virDomainDef *def);

int libxlDomainAttachDevice(virDomainPtr dom, const char *xml);
int libxlDomainAttachDeviceFlags(virDomainPtr dom, const char *xml,
                                 unsigned int flags);
int libxlDomainDetachDevice(virDomainPtr dom, const char *xml);
int libxlDomainDetachDeviceFlags(virDomainPtr dom, const char *xml,
                                 unsigned int flags);
int libxlDomainDetachDeviceAlias(virDomainPtr dom, const char *alias,
                                 unsigned int flags);
int libxlDomainUpdateDeviceFlags(virDomainPtr dom, const char *xml,
                                 unsigned int flags);

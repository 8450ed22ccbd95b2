/*
 * libxl_driver.h: the Xen libxenlight driver's entry points
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "driver.h"
#include "viruri.h"

#define LIBXL_HYPERVISOR_CAPABILITIES "/proc/xen/capabilities"
#define LIBXL_HYPERVISOR_XENSTORED "/dev/xen/xenstored"

bool libxlDriverIsXenDom0(const char *capsFile, const char *xenstored);

int libxlConnectURIProbeFor(bool active, char **uri);
virDrvOpenStatus libxlConnectURICheck(bool active, virURI *uri);

int libxlRegister(void);

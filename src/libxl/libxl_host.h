/*
 * libxl_host.h: the host resources a domain uses beside Xen's
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "libxl_build.h"
#include "libxl_conf.h"

int libxlHostInit(libxlDriverPrivate *driver);
void libxlHostCleanup(libxlDriverPrivate *driver);

void libxlHostBuildParams(libxlDriverPrivate *driver, libxlBuildParams *params);

int libxlHostPrepare(libxlDriverPrivate *driver, virDomainObj *vm);
int libxlHostResume(libxlDriverPrivate *driver, virDomainObj *vm);
void libxlHostRelease(libxlDriverPrivate *driver, virDomainObj *vm);
void libxlHostReconnect(libxlDriverPrivate *driver, virDomainObj *vm);

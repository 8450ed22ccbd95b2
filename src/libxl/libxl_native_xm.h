/*
 * libxl_native_xm.h: xm configuration specifics of the native converter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "libxl_native.h"

/* one xm disk, "[DRIVER:[SUBTYPE:]]SOURCE,DEVICE[:cdrom],MODE" */
/* one xm disk, "[DRIVER:[SUBTYPE:]]SOURCE,DEVICE[:cdrom],MODE" */
virDomainDiskDef *libxlNativeParseXMDisk(const char *spec, size_t idx,
                                         const virDomainDef *def);

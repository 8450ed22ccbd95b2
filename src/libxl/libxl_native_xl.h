/*
 * libxl_native_xl.h: xl.cfg specifics of the native configuration converter
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "libxl_native.h"

/* xl.cfg(5) names of CPUID bits that libvirt spells differently */
const char *libxlNativeCPUFeatureFromXL(const char *name);
const char *libxlNativeCPUFeatureToXL(const char *name);

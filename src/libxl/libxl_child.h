/*
 * libxl_child.h: libxl's child processes next to libvirt's
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libxl.h>
#include <libxl_event.h>

#include "internal.h"

void libxlChildSetMode(libxl_ctx *ctx);

const libxl_childproc_hooks *libxlChildHooks(void);

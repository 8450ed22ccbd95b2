/*
 * libxl_capabilities.h: host and domain capabilities from libxl
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libxl.h>

#include "internal.h"
#include "capabilities.h"
#include "domain_capabilities.h"
#include "virfirmware.h"

/* What libxl tells about the host, as the capabilities builder needs it. */
typedef struct _libxlHostInfo libxlHostInfo;
struct _libxlHostInfo {
    virArch arch;                       /* the host's architecture */
    const libxl_version_info *version;  /* capabilities string, pagesize */
    const libxl_physinfo *phys;
    const libxl_cputopology *topology;  /* one per CPU, may be NULL */
    int ncpus;
    const libxl_numainfo *numa;         /* one per node, may be NULL */
    int nnodes;
};

/* Xen does not report per guest type limits; see xen/include/public/hvm. */
#define LIBXL_HVM_MAX_VCPUS 128
#define LIBXL_PV_MAX_VCPUS 512

virCaps *libxlCapsBuild(const libxlHostInfo *host);
virCaps *libxlMakeCapabilities(libxl_ctx *ctx);

int libxlMakeDomainCapabilities(virDomainCaps *domCaps,
                                virFirmware **firmwares,
                                size_t nfirmwares);

virDomainCaps *libxlDomainCapsNew(virCaps *caps,
                                  virFirmware **firmwares,
                                  size_t nfirmwares,
                                  const char *emulatorbin,
                                  const char *archstr,
                                  const char *machine,
                                  const char *virttypestr);

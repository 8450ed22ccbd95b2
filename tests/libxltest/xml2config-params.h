/*
 * xml2config-params.h: the simulated host the XML to libxl tests and the
 * xml2config fuzz target convert for
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "cpu_conf.h"
#include "virportallocator.h"
#include "libxl_build.h"

/* the host CPU: an Intel Broadwell with VMX */
virCPUDef *xml2configHostCPU(void);

/* 6 NUMA nodes, 8 CPUs, nested HVM allowed, network 'default' on virbr0,
 * the ceph secret 'ceph-admin'; @hostCPU and @ports may be NULL */
void xml2configParams(libxlBuildParams *params, virCPUDef *hostCPU,
                      virPortAllocatorRange *ports);

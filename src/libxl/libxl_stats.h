/*
 * libxl_stats.h: the statistics a monitoring tool polls: domstats,
 * domblkstat, domblkinfo, domblkerror, domifstat, domifaddr, dommemstat,
 * cpu-stats, nodecpustats, nodememstats
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "driver.h"

/* the driver's entry points (libxl_driver.c's table) */
int libxlConnectGetAllDomainStats(virConnectPtr conn,
                                  virDomainPtr *doms,
                                  unsigned int ndoms,
                                  unsigned int stats,
                                  virDomainStatsRecordPtr **retStats,
                                  unsigned int flags);
int libxlDomainBlockStats(virDomainPtr dom,
                          const char *path,
                          virDomainBlockStatsPtr stats);
int libxlDomainBlockStatsFlags(virDomainPtr dom,
                               const char *path,
                               virTypedParameterPtr params,
                               int *nparams,
                               unsigned int flags);
int libxlDomainGetBlockInfo(virDomainPtr dom,
                            const char *path,
                            virDomainBlockInfoPtr info,
                            unsigned int flags);
int libxlDomainGetDiskErrors(virDomainPtr dom,
                             virDomainDiskErrorPtr errors,
                             unsigned int maxerrors,
                             unsigned int flags);
int libxlDomainInterfaceStats(virDomainPtr dom,
                              const char *device,
                              virDomainInterfaceStatsPtr stats);
int libxlDomainInterfaceAddresses(virDomainPtr dom,
                                  virDomainInterfacePtr **ifaces,
                                  unsigned int source,
                                  unsigned int flags);
int libxlDomainMemoryStats(virDomainPtr dom,
                           virDomainMemoryStatPtr stats,
                           unsigned int nr_stats,
                           unsigned int flags);
int libxlDomainSetMemoryStatsPeriod(virDomainPtr dom,
                                    int period,
                                    unsigned int flags);
int libxlDomainGetCPUStats(virDomainPtr dom,
                           virTypedParameterPtr params,
                           unsigned int nparams,
                           int start_cpu,
                           unsigned int ncpus,
                           unsigned int flags);
int libxlNodeGetCPUStats(virConnectPtr conn,
                         int cpuNum,
                         virNodeCPUStatsPtr params,
                         int *nparams,
                         unsigned int flags);
int libxlNodeGetMemoryStats(virConnectPtr conn,
                            int cellNum,
                            virNodeMemoryStatsPtr params,
                            int *nparams,
                            unsigned int flags);

/* Xen's device number of a virtual disk named @vdev (xvdX, hdX, sdX with
 * an optional partition number), or -1. */
int libxlStatsDiskDevid(const char *vdev);

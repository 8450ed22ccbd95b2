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
#include "virdomainobjlist.h"
#include "libxl_conf.h"

/* the driver's entry points (libxl_driver.c's table) */
/* The work of the statistics entry points, once libxl_driver.c has
 * looked the domain up and checked the caller's ACL.  Those given
 * virDomainObj ** end the API on it (no I/O is done under its lock). */
int libxlConnectGetAllDomainStatsWork(virConnectPtr conn,
                                      virDomainPtr *doms,
                                      unsigned int ndoms,
                                      unsigned int stats,
                                      virDomainStatsRecordPtr **retStats,
                                      unsigned int flags,
                                      virDomainObjListACLFilter filter);
int libxlDomainBlockStatsWork(virDomainObj **vm,
                              const char *path,
                              virDomainBlockStatsPtr stats);
int libxlDomainBlockStatsFlagsWork(virDomainObj **vm,
                                   const char *path,
                                   virTypedParameterPtr params,
                                   int *nparams);
int libxlDomainGetBlockInfoWork(virDomainObj **vm,
                                const char *path,
                                virDomainBlockInfoPtr info);
int libxlDomainGetDiskErrorsWork(virDomainObj *vm);
int libxlDomainInterfaceStatsWork(virDomainObj **vm,
                                  const char *device,
                                  virDomainInterfaceStatsPtr stats);
int libxlDomainInterfaceAddressesWork(virDomainObj **vm,
                                      virDomainInterfacePtr **ifaces,
                                      unsigned int source);
int libxlDomainMemoryStatsWork(libxlDriverPrivate *driver,
                               virDomainObj **vm,
                               virDomainMemoryStatPtr stats,
                               unsigned int nr_stats);
int libxlDomainSetMemoryStatsPeriodWork(void);
int libxlDomainGetCPUStatsWork(libxlDriverPrivate *driver,
                               virDomainObj **vm,
                               virTypedParameterPtr params,
                               unsigned int nparams,
                               int start_cpu,
                               unsigned int ncpus);
int libxlNodeGetCPUStatsWork(libxlDriverPrivate *driver,
                             int cpuNum,
                             virNodeCPUStatsPtr params,
                             int *nparams);
int libxlNodeGetMemoryStatsWork(libxlDriverPrivate *driver,
                                int cellNum,
                                virNodeMemoryStatsPtr params,
                                int *nparams);

int libxlStatsDiskDevid(const char *vdev);

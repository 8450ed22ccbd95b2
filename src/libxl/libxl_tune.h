/*
 * libxl_tune.h: the libxl driver's tuning entry points (vcpus, pinning,
 * memory, scheduler, NUMA)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "libxl_conf.h"

/* The work of the entry points, once libxl_driver.c has named its own
 * ACL check: @aclCheck, made once the domain is looked up. */
typedef int (*libxlTuneACLCheck)(virConnectPtr conn, virDomainDef *def);
typedef int (*libxlTuneACLCheckFlags)(virConnectPtr conn, virDomainDef *def,
                                      unsigned int flags);

int libxlDomainGetVcpusWork(virDomainPtr dom,
                            virVcpuInfoPtr info,
                            int maxinfo,
                            unsigned char *cpumaps,
                            int maplen,
                            libxlTuneACLCheck aclCheck);
int libxlDomainGetVcpuPinInfoWork(virDomainPtr dom,
                                  int ncpumaps,
                                  unsigned char *cpumaps,
                                  int maplen,
                                  unsigned int flags,
                                  libxlTuneACLCheck aclCheck);
int libxlDomainGetVcpusFlagsWork(virDomainPtr dom,
                                 unsigned int flags,
                                 libxlTuneACLCheckFlags aclCheck);
int libxlDomainSetVcpusFlagsWork(virDomainPtr dom,
                                 unsigned int nvcpus,
                                 unsigned int flags,
                                 libxlTuneACLCheckFlags aclCheck);
int libxlDomainPinVcpuFlagsWork(virDomainPtr dom,
                                unsigned int vcpu,
                                unsigned char *cpumap,
                                int maplen,
                                unsigned int flags,
                                libxlTuneACLCheckFlags aclCheck);
int libxlDomainPinEmulatorWork(virDomainPtr dom,
                               unsigned char *cpumap,
                               int maplen,
                               unsigned int flags,
                               libxlTuneACLCheckFlags aclCheck);
int libxlDomainGetEmulatorPinInfoWork(virDomainPtr dom,
                                      unsigned char *cpumaps,
                                      int maplen,
                                      unsigned int flags,
                                      libxlTuneACLCheck aclCheck);
int libxlDomainSetMemoryFlagsWork(virDomainPtr dom,
                                  unsigned long newmem,
                                  unsigned int flags,
                                  libxlTuneACLCheckFlags aclCheck);
int libxlDomainGetMemoryParametersWork(virDomainPtr dom,
                                       virTypedParameterPtr params,
                                       int *nparams,
                                       unsigned int flags,
                                       libxlTuneACLCheck aclCheck);
int libxlDomainSetMemoryParametersWork(virDomainPtr dom,
                                       virTypedParameterPtr params,
                                       int nparams,
                                       unsigned int flags,
                                       libxlTuneACLCheckFlags aclCheck);
char *libxlDomainGetSchedulerTypeWork(virDomainPtr dom,
                                      int *nparams,
                                      libxlTuneACLCheck aclCheck);
int libxlDomainGetSchedulerParametersFlagsWork(virDomainPtr dom,
                                               virTypedParameterPtr params,
                                               int *nparams,
                                               unsigned int flags,
                                               libxlTuneACLCheck aclCheck);
int libxlDomainSetSchedulerParametersFlagsWork(virDomainPtr dom,
                                               virTypedParameterPtr params,
                                               int nparams,
                                               unsigned int flags,
                                               libxlTuneACLCheckFlags aclCheck);
int libxlDomainGetNumaParametersWork(virDomainPtr dom,
                                     virTypedParameterPtr params,
                                     int *nparams,
                                     unsigned int flags,
                                     libxlTuneACLCheck aclCheck);
int libxlDomainSetNumaParametersWork(virDomainPtr dom,
                                     virTypedParameterPtr params,
                                     int nparams,
                                     unsigned int flags,
                                     libxlTuneACLCheckFlags aclCheck);

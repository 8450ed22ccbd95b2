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

/* ---- vcpus ---- */
int libxlDomainGetVcpus(virDomainPtr dom, virVcpuInfoPtr info, int maxinfo,
                        unsigned char *cpumaps, int maplen);
int libxlDomainGetVcpuPinInfo(virDomainPtr dom, int ncpumaps,
                              unsigned char *cpumaps, int maplen,
                              unsigned int flags);
int libxlDomainGetVcpusFlags(virDomainPtr dom, unsigned int flags);
int libxlDomainGetMaxVcpus(virDomainPtr dom);
int libxlDomainSetVcpusFlags(virDomainPtr dom, unsigned int nvcpus,
                             unsigned int flags);
int libxlDomainSetVcpus(virDomainPtr dom, unsigned int nvcpus);
int libxlDomainPinVcpuFlags(virDomainPtr dom, unsigned int vcpu,
                            unsigned char *cpumap, int maplen,
                            unsigned int flags);
int libxlDomainPinVcpu(virDomainPtr dom, unsigned int vcpu,
                       unsigned char *cpumap, int maplen);
int libxlDomainPinEmulator(virDomainPtr dom, unsigned char *cpumap,
                           int maplen, unsigned int flags);
int libxlDomainGetEmulatorPinInfo(virDomainPtr dom, unsigned char *cpumaps,
                                  int maplen, unsigned int flags);

/* ---- memory ---- */
int libxlDomainSetMemoryFlags(virDomainPtr dom, unsigned long newmem,
                              unsigned int flags);
int libxlDomainSetMemory(virDomainPtr dom, unsigned long newmem);
int libxlDomainSetMaxMemory(virDomainPtr dom, unsigned long newmem);
int libxlDomainGetMemoryParameters(virDomainPtr dom,
                                   virTypedParameterPtr params,
                                   int *nparams, unsigned int flags);
int libxlDomainSetMemoryParameters(virDomainPtr dom,
                                   virTypedParameterPtr params,
                                   int nparams, unsigned int flags);

/* ---- scheduler ---- */
char *libxlDomainGetSchedulerType(virDomainPtr dom, int *nparams);
int libxlDomainGetSchedulerParametersFlags(virDomainPtr dom,
                                           virTypedParameterPtr params,
                                           int *nparams, unsigned int flags);
int libxlDomainGetSchedulerParameters(virDomainPtr dom,
                                      virTypedParameterPtr params,
                                      int *nparams);
int libxlDomainSetSchedulerParametersFlags(virDomainPtr dom,
                                           virTypedParameterPtr params,
                                           int nparams, unsigned int flags);
int libxlDomainSetSchedulerParameters(virDomainPtr dom,
                                      virTypedParameterPtr params,
                                      int nparams);

/* ---- NUMA ---- */
int libxlDomainGetNumaParameters(virDomainPtr dom,
                                 virTypedParameterPtr params,
                                 int *nparams, unsigned int flags);
int libxlDomainSetNumaParameters(virDomainPtr dom,
                                 virTypedParameterPtr params,
                                 int nparams, unsigned int flags);

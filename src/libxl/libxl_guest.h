/*
 * libxl_guest.h: the libxl driver's guest controls (send-key, inject-nmi,
 * reset, screenshot, domtime, set-lifecycle-action, dompmsuspend,
 * dompmwakeup, blockresize)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "libxl_conf.h"

int libxlDomainSendKey(virDomainPtr dom,
                       unsigned int codeset,
                       unsigned int holdtime,
                       unsigned int *keycodes,
                       int nkeycodes,
                       unsigned int flags);
int libxlDomainInjectNMI(virDomainPtr dom, unsigned int flags);
int libxlDomainReset(virDomainPtr dom, unsigned int flags);
char *libxlDomainScreenshot(virDomainPtr dom,
                            virStreamPtr st,
                            unsigned int screen,
                            unsigned int flags);
int libxlDomainGetTime(virDomainPtr dom,
                       long long *seconds,
                       unsigned int *nseconds,
                       unsigned int flags);
int libxlDomainSetTime(virDomainPtr dom,
                       long long seconds,
                       unsigned int nseconds,
                       unsigned int flags);
int libxlDomainSetLifecycleAction(virDomainPtr dom,
                                  unsigned int type,
                                  unsigned int action,
                                  unsigned int flags);
int libxlDomainPMSuspendForDuration(virDomainPtr dom,
                                    unsigned int target,
                                    unsigned long long duration,
                                    unsigned int flags);
int libxlDomainPMWakeup(virDomainPtr dom, unsigned int flags);
int libxlDomainBlockResize(virDomainPtr dom,
                           const char *path,
                           unsigned long long size,
                           unsigned int flags);

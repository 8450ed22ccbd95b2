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

/* The work of the guest entry points; @aclCheck is the entry point's
 * own ACL check (libxl_driver.c), made once the domain is looked up. */
typedef int (*libxlGuestACLCheck)(virConnectPtr conn, virDomainDef *def);

int libxlDomainSendKeyWork(virDomainPtr dom,
                           unsigned int codeset,
                           unsigned int holdtime,
                           unsigned int *keycodes,
                           int nkeycodes,
                           unsigned int flags,
                           libxlGuestACLCheck aclCheck);
int libxlDomainInjectNMIWork(virDomainPtr dom, unsigned int flags,
                             libxlGuestACLCheck aclCheck);
int libxlDomainResetWork(virDomainPtr dom, unsigned int flags,
                         libxlGuestACLCheck aclCheck);
char *libxlDomainScreenshotWork(virDomainPtr dom,
                                virStreamPtr st,
                                unsigned int screen,
                                unsigned int flags,
                                libxlGuestACLCheck aclCheck);
int libxlGuestTimeRefuse(virDomainPtr dom, bool set, unsigned int flags,
                         unsigned int allowed, libxlGuestACLCheck aclCheck);
int libxlDomainSetLifecycleActionWork(virDomainPtr dom,
                                      unsigned int type,
                                      unsigned int action,
                                      unsigned int flags,
                                      libxlGuestACLCheck aclCheck);
int libxlDomainPMSuspendForDurationWork(virDomainPtr dom,
                                        unsigned int target,
                                        unsigned long long duration,
                                        unsigned int flags,
                                        libxlGuestACLCheck aclCheck);
int libxlDomainPMWakeupWork(virDomainPtr dom, unsigned int flags,
                            libxlGuestACLCheck aclCheck);
int libxlDomainBlockResizeWork(virDomainPtr dom,
                               const char *path,
                               unsigned long long size,
                               unsigned int flags,
                               libxlGuestACLCheck aclCheck);

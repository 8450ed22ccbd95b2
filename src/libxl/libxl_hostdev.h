/*
 * libxl_hostdev.h: host PCI and USB devices: pciback, passthrough, bookkeeping
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "libxl_conf.h"
#include "node_device_conf.h"

/* a domain's start, stop and a daemon's restart (libxl_host.c) */
int libxlHostdevPrepare(libxlDriverPrivate *driver, virDomainObj *vm);
void libxlHostdevRelease(libxlDriverPrivate *driver, virDomainObj *vm);
void libxlHostdevReconnect(libxlDriverPrivate *driver, virDomainObj *vm);

/* attach-device, detach-device of a <hostdev> (libxl_hotplug.c) */
int libxlHostdevAttachLive(libxlDriverPrivate *driver,
                           libxlDriverConfig *cfg,
                           virDomainObj *vm,
                           virDomainDeviceDef *dev);
int libxlHostdevDetachLive(libxlDriverPrivate *driver,
                           libxlDriverConfig *cfg,
                           virDomainObj *vm,
                           virDomainDeviceDef *dev);

/* attach-device, detach-device of a USB <controller> (libxl_hotplug.c) */
int libxlHostdevAttachControllerLive(libxlDriverPrivate *driver,
                                     libxlDriverConfig *cfg,
                                     virDomainObj *vm,
                                     virDomainDeviceDef *dev);
int libxlHostdevDetachControllerLive(libxlDriverPrivate *driver,
                                     libxlDriverConfig *cfg,
                                     virDomainObj *vm,
                                     virDomainDeviceDef *dev);

/* the node device entry points' work (libxl_driver.c checks the ACL) */
virNodeDeviceDef *libxlHostdevNodeDeviceDef(virNodeDevicePtr dev);
int libxlHostdevNodeDetach(libxlDriverPrivate *driver,
                           virNodeDeviceDef *def);
int libxlHostdevNodeReAttach(libxlDriverPrivate *driver,
                             virNodeDeviceDef *def);
int libxlHostdevNodeReset(virNodeDeviceDef *def);

/*
 * libxl_save.h: saved state: save images, managed save, core dumps
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

char *libxlSaveManagedPath(libxlDriverPrivate *driver, virDomainObj *vm);
void libxlSaveManagedDetect(libxlDriverPrivate *driver);

int libxlSaveDomain(libxlDriverPrivate *driver,
                    virDomainObj *vm,
                    const char *path,
                    const char *dxml,
                    unsigned int flags,
                    bool managed);

typedef int (*libxlSaveRestoreACLCheck)(virConnectPtr conn,
                                        virDomainDef *def);

virDomainObj *libxlSaveRestore(libxlDriverPrivate *driver,
                               virConnectPtr conn,
                               const char *path,
                               const char *dxml,
                               unsigned int flags,
                               libxlSaveRestoreACLCheck aclCheck);

int libxlSaveRestoreObj(libxlDriverPrivate *driver,
                        virDomainObj *vm,
                        virConnectPtr conn,
                        const char *path,
                        virDomainDef **def,
                        bool paused);

int libxlSaveStart(libxlDriverPrivate *driver,
                   virDomainObj *vm,
                   virConnectPtr conn,
                   unsigned int startFlags,
                   bool forceBoot);

char *libxlSaveImageGetXML(libxlDriverPrivate *driver,
                           const char *path,
                           unsigned int flags,
                           virDomainDef **defOut);

int libxlSaveImageDefineXML(libxlDriverPrivate *driver,
                            const char *path,
                            const char *dxml,
                            unsigned int flags);

int libxlSaveCoreDump(libxlDriverPrivate *driver,
                      virDomainObj *vm,
                      const char *path,
                      unsigned int flags);

/*
 * libxl_snapshot.h: domain snapshots (external disk overlays, memory
 * through the save stream)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "virdomainsnapshotobjlist.h"
#include "libxl_conf.h"

void libxlSnapshotLoadAll(libxlDriverPrivate *driver);
int libxlSnapshotRemoveAllMetadata(libxlDriverPrivate *driver, virDomainObj *vm);

/* The work of the entry points, once libxl_driver.c has named its own
 * ACL check: @aclCheck, made once the domain is looked up. */
typedef int (*libxlSnapshotACLCheck)(virConnectPtr conn, virDomainDef *def);
typedef int (*libxlSnapshotACLCheckFlags)(virConnectPtr conn, virDomainDef *def,
                                          unsigned int flags);

virDomainSnapshotPtr libxlDomainSnapshotCreateXMLWork(virDomainPtr dom,
                                                      const char *xmlDesc,
                                                      unsigned int flags,
                                                      libxlSnapshotACLCheckFlags aclCheck);
char *libxlDomainSnapshotGetXMLDescWork(virDomainSnapshotPtr snapshot,
                                        unsigned int flags,
                                        libxlSnapshotACLCheckFlags aclCheck);
int libxlDomainSnapshotNumWork(virDomainPtr dom,
                               unsigned int flags,
                               libxlSnapshotACLCheck aclCheck);
int libxlDomainSnapshotListNamesWork(virDomainPtr dom,
                                     char **names,
                                     int maxnames,
                                     unsigned int flags,
                                     libxlSnapshotACLCheck aclCheck);
int libxlDomainListAllSnapshotsWork(virDomainPtr dom,
                                    virDomainSnapshotPtr **snaps,
                                    unsigned int flags,
                                    libxlSnapshotACLCheck aclCheck);
int libxlDomainSnapshotNumChildrenWork(virDomainSnapshotPtr snapshot,
                                       unsigned int flags,
                                       libxlSnapshotACLCheck aclCheck);
int libxlDomainSnapshotListChildrenNamesWork(virDomainSnapshotPtr snapshot,
                                             char **names,
                                             int maxnames,
                                             unsigned int flags,
                                             libxlSnapshotACLCheck aclCheck);
int libxlDomainSnapshotListAllChildrenWork(virDomainSnapshotPtr snapshot,
                                           virDomainSnapshotPtr **snaps,
                                           unsigned int flags,
                                           libxlSnapshotACLCheck aclCheck);
virDomainSnapshotPtr libxlDomainSnapshotLookupByNameWork(virDomainPtr dom,
                                                         const char *name,
                                                         unsigned int flags,
                                                         libxlSnapshotACLCheck aclCheck);
int libxlDomainHasCurrentSnapshotWork(virDomainPtr dom,
                                      unsigned int flags,
                                      libxlSnapshotACLCheck aclCheck);
virDomainSnapshotPtr libxlDomainSnapshotGetParentWork(virDomainSnapshotPtr snapshot,
                                                      unsigned int flags,
                                                      libxlSnapshotACLCheck aclCheck);
virDomainSnapshotPtr libxlDomainSnapshotCurrentWork(virDomainPtr dom,
                                                    unsigned int flags,
                                                    libxlSnapshotACLCheck aclCheck);
int libxlDomainSnapshotIsCurrentWork(virDomainSnapshotPtr snapshot,
                                     unsigned int flags,
                                     libxlSnapshotACLCheck aclCheck);
int libxlDomainSnapshotHasMetadataWork(virDomainSnapshotPtr snapshot,
                                       unsigned int flags,
                                       libxlSnapshotACLCheck aclCheck);
int libxlDomainRevertToSnapshotWork(virDomainSnapshotPtr snapshot,
                                    unsigned int flags,
                                    libxlSnapshotACLCheck aclCheck);
int libxlDomainSnapshotDeleteWork(virDomainSnapshotPtr snapshot,
                                  unsigned int flags,
                                  libxlSnapshotACLCheck aclCheck);

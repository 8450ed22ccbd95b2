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

virDomainSnapshotPtr libxlDomainSnapshotCreateXML(virDomainPtr dom,
                                                  const char *xmlDesc,
                                                  unsigned int flags);
char *libxlDomainSnapshotGetXMLDesc(virDomainSnapshotPtr snapshot,
                                    unsigned int flags);
int libxlDomainSnapshotNum(virDomainPtr dom, unsigned int flags);
int libxlDomainSnapshotListNames(virDomainPtr dom, char **names,
                                 int maxnames, unsigned int flags);
int libxlDomainListAllSnapshots(virDomainPtr dom, virDomainSnapshotPtr **snaps,
                                unsigned int flags);
int libxlDomainSnapshotNumChildren(virDomainSnapshotPtr snapshot,
                                   unsigned int flags);
int libxlDomainSnapshotListChildrenNames(virDomainSnapshotPtr snapshot,
                                         char **names, int maxnames,
                                         unsigned int flags);
int libxlDomainSnapshotListAllChildren(virDomainSnapshotPtr snapshot,
                                       virDomainSnapshotPtr **snaps,
                                       unsigned int flags);
virDomainSnapshotPtr libxlDomainSnapshotLookupByName(virDomainPtr dom,
                                                     const char *name,
                                                     unsigned int flags);
int libxlDomainHasCurrentSnapshot(virDomainPtr dom, unsigned int flags);
virDomainSnapshotPtr libxlDomainSnapshotGetParent(virDomainSnapshotPtr snapshot,
                                                  unsigned int flags);
virDomainSnapshotPtr libxlDomainSnapshotCurrent(virDomainPtr dom,
                                                unsigned int flags);
int libxlDomainSnapshotIsCurrent(virDomainSnapshotPtr snapshot,
                                 unsigned int flags);
int libxlDomainSnapshotHasMetadata(virDomainSnapshotPtr snapshot,
                                   unsigned int flags);
int libxlDomainRevertToSnapshot(virDomainSnapshotPtr snapshot,
                                unsigned int flags);
int libxlDomainSnapshotDelete(virDomainSnapshotPtr snapshot,
                              unsigned int flags);

/*
 * libxl_migration.h: migration of domains between hosts
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

/* the flags of virDomainMigrate* this driver handles */
#define LIBXL_MIGRATION_FLAGS \
    (VIR_MIGRATE_LIVE | \
     VIR_MIGRATE_PEER2PEER | \
     VIR_MIGRATE_TUNNELLED | \
     VIR_MIGRATE_PERSIST_DEST | \
     VIR_MIGRATE_UNDEFINE_SOURCE | \
     VIR_MIGRATE_PAUSED | \
     VIR_MIGRATE_OFFLINE | \
     VIR_MIGRATE_ABORT_ON_ERROR | \
     VIR_MIGRATE_CHANGE_PROTECTION)

/* its parameters, for virTypedParamsValidate */
#define LIBXL_MIGRATION_PARAMETERS \
    VIR_MIGRATE_PARAM_URI,              VIR_TYPED_PARAM_STRING, \
    VIR_MIGRATE_PARAM_DEST_NAME,        VIR_TYPED_PARAM_STRING, \
    VIR_MIGRATE_PARAM_DEST_XML,         VIR_TYPED_PARAM_STRING, \
    VIR_MIGRATE_PARAM_PERSIST_XML,      VIR_TYPED_PARAM_STRING, \
    VIR_MIGRATE_PARAM_LISTEN_ADDRESS,   VIR_TYPED_PARAM_STRING, \
    VIR_MIGRATE_PARAM_BANDWIDTH,        VIR_TYPED_PARAM_ULLONG, \
    NULL

/* the default of libxl.conf's migration_portmin and _portmax */
#define LIBXL_MIGRATION_PORT_MIN 49152
#define LIBXL_MIGRATION_PORT_MAX 49216

typedef struct _libxlMigration libxlMigration;
void libxlMigrationFree(libxlMigration *mig);

char *libxlMigrationBegin(libxlDriverPrivate *driver,
                          virDomainObj *vm,
                          const char *xmlin,
                          char **cookieout,
                          int *cookieoutlen,
                          unsigned int flags);

virDomainDef *libxlMigrationPrepareDef(libxlDriverPrivate *driver,
                                       const char *domXML,
                                       const char *dname);

int libxlMigrationPrepare(libxlDriverPrivate *driver,
                          virConnectPtr dconn,
                          virDomainDef **def,
                          const char *persistXML,
                          const char *cookiein,
                          int cookieinlen,
                          const char *uriIn,
                          const char *listenAddress,
                          char **uriOut,
                          virStreamPtr st,
                          unsigned int flags);

int libxlMigrationPerform(libxlDriverPrivate *driver,
                          virDomainObj *vm,
                          const char *uri,
                          unsigned long long bandwidth,
                          unsigned int flags);

int libxlMigrationPerformP2P(libxlDriverPrivate *driver,
                             virDomainObj *vm,
                             const char *xmlin,
                             const char *persistXML,
                             const char *dconnuri,
                             const char *uri,
                             const char *dname,
                             const char *listenAddress,
                             unsigned long long bandwidth,
                             unsigned int flags);

bool libxlMigrationOutPending(virDomainObj *vm);
bool libxlMigrationOutSending(virDomainObj *vm);
int libxlMigrationOutPause(libxlDriverPrivate *driver,
                           virDomainObj *vm,
                           bool pause);

virDomainPtr libxlMigrationFinish(libxlDriverPrivate *driver,
                                  virConnectPtr dconn,
                                  virDomainObj *vm,
                                  unsigned int flags,
                                  bool cancelled);

int libxlMigrationConfirm(libxlDriverPrivate *driver,
                          virDomainObj *vm,
                          unsigned int flags,
                          bool cancelled);

int libxlMigrationReconnect(libxlDriverPrivate *driver,
                            virDomainObj *vm,
                            const libxl_dominfo *info);
int libxlMigrationSetSpeed(virDomainObj *vm, unsigned long bandwidth);
unsigned long libxlMigrationGetSpeed(virDomainObj *vm);

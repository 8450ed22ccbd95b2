/*
 * libxl_console.h: consoles, serial ports and channels of Xen domains
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

typedef struct _libxlConsoles libxlConsoles;

/* the console sessions of one domain; allocated and freed with its
 * private data */
libxlConsoles *libxlConsolesNew(void);
void libxlConsolesFree(libxlConsoles *consoles);

/* end every session (their clients see the end of the stream) */
void libxlConsolesCloseAll(libxlConsoles *consoles);

/* sessions open now (for tests) */
size_t libxlConsolesCount(libxlConsoles *consoles);

/* connect @st to the pty @path; 1 when another client has it and @force
 * is false, -1 with an error reported */
int libxlConsolesOpen(libxlConsoles *consoles,
                      const char *path,
                      virStreamPtr st,
                      bool force);

void libxlConsoleAssignAliases(virDomainDef *def);

virDomainChrDef *libxlConsoleFind(virDomainDef *def, const char *name);

bool libxlConsoleMissingPaths(const virDomainDef *def);

void libxlConsoleClearPaths(virDomainDef *def);

void libxlConsoleSetPaths(libxlDriverConfig *cfg, virDomainObj *vm);

int libxlConsoleOpenDomain(libxlDriverConfig *cfg,
                           virDomainObj *vm,
                           libxlConsoles *consoles,
                           const char *dev_name,
                           virStreamPtr st,
                           unsigned int flags);

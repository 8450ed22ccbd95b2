/*
 * libxl_validate.h: the domain definition rules Xen imposes
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "domain_conf.h"
#include "virxml.h"

/* The MAC prefix of Xen's vifs (xl and the stock driver use it too). */
#define LIBXL_VALIDATE_MAC_PREFIX { 0x00, 0x16, 0x3e }

/*
 * Fill @cfg with Xen's defaults and rules: the post-parse callbacks (PV
 * console, implicit input/balloon/xenbus devices, default video, disk
 * formats, PCI backend) and the validate callbacks that refuse, at
 * define time, what Xen cannot do, naming the element.  The caller owns
 * cfg->priv (passed to the callbacks as opaque, unused by them) and may
 * add callbacks this leaves NULL.
 */
void libxlDomainDefParserConfigInit(virDomainDefParserConfig *cfg);

int libxlDomainDefPostParse(virDomainDef *def,
                            unsigned int parseFlags,
                            void *opaque,
                            void *parseOpaque);
int libxlDomainDeviceDefPostParse(virDomainDeviceDef *dev,
                                  const virDomainDef *def,
                                  unsigned int parseFlags,
                                  void *opaque,
                                  void *parseOpaque);
int libxlDomainDefValidate(const virDomainDef *def,
                           void *opaque,
                           void *parseOpaque);
/* Both kinds of validation at once, for definitions parsed without. */
int libxlDomainDefValidateAll(virDomainDef *def);

int libxlDomainDeviceDefValidate(const virDomainDeviceDef *dev,
                                 const virDomainDef *def,
                                 void *opaque,
                                 void *parseOpaque);

/* The name of a virDomainChrChannelTargetType, for messages. */
const char *libxlChannelTargetTypeName(int type);

/*
 * The driver's XML namespace, xmlns:xen='http://libvirt.org/schemas/domain/xen/1.0':
 * <xen:commandline><xen:arg value='...'/></xen:commandline> adds arguments
 * to the device model's command line (libxl build info 'extra').  Pass it
 * to virDomainXMLOptionNew(); the namespace data is then what
 * libxlDomainDefDeviceModelArgs() returns (a NULL-terminated vector).
 */
extern virXMLNamespace libxlDomainXMLNamespace;

char **libxlDomainDefDeviceModelArgs(const virDomainDef *def);

/*
 * libxl_native.h: xl.cfg and xm configuration to and from libvirt XML
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "virconf.h"
#include "capabilities.h"
#include "domain_conf.h"

/* the nativeFormat names of virsh domxml-from-native / domxml-to-native */
#define LIBXL_NATIVE_FORMAT_XL "xen-xl"
#define LIBXL_NATIVE_FORMAT_XM "xen-xm"

/* the largest native configuration accepted, in bytes */
#define LIBXL_NATIVE_CONFIG_MAX (1024 * 1024)

/* the deepest list nesting accepted (xl.cfg uses 2: vnuma) */
#define LIBXL_NATIVE_NESTING_MAX 8

/* the most vCPUs a configuration may ask for (Xen's HVM_MAX_VCPUS is 128,
 * the hypervisor's own limit 4096) */
#define LIBXL_NATIVE_VCPUS_MAX 4096

/* the most disks a configuration may place (xvda ... xvdiv) */
#define LIBXL_NATIVE_DISK_INDEX_MAX 256

#ifndef LIBXL_FIRMWARE_DIR
# define LIBXL_FIRMWARE_DIR "/usr/lib/xen/boot"
#endif

#define LIBXL_NATIVE_VIF_SCRIPT "vif-bridge"

/* libvirt 9.0.0 has no autoptr cleanup for graphics devices */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomainGraphicsDef, virDomainGraphicsDefFree);

/*
 * device_model_args is the namespace data of the driver's XML namespace
 * (xmlns:xen, <xen:commandline><xen:arg value='...'/>): a NULL-terminated
 * vector of strings, as libxl_validate.c's libxlDomainXMLNamespace keeps
 * it.  Converted only when the virDomainXMLOption has that namespace.
 */
#define LIBXL_NATIVE_XEN_NS_URI "http://libvirt.org/schemas/domain/xen/1.0"


/* ---- entry points ------------------------------------------------- */

virDomainDef *
libxlDomainDefFromNative(const char *format,
                         const char *config,
                         size_t len,
                         virCaps *caps,
                         virDomainXMLOption *xmlopt);

char *
libxlDomainDefToNative(const char *format,
                       virDomainDef *def,
                       virConnectPtr conn);

char *
libxlNativeConnectDomainXMLFromNative(virConnectPtr conn,
                                      virDomainXMLOption *xmlopt,
                                      virCaps *caps,
                                      const char *format,
                                      const char *config,
                                      unsigned int flags);

char *
libxlNativeConnectDomainXMLToNative(virConnectPtr conn,
                                    virDomainXMLOption *xmlopt,
                                    const char *format,
                                    const char *xml,
                                    unsigned int flags);


/* ---- helpers shared by the xl and xm converters ------------------- */

int libxlNativeGetBool(virConf *conf, const char *key, int *value, int def);
int libxlNativeGetULong(virConf *conf, const char *key,
                        unsigned long *value, unsigned long def);
int libxlNativeGetString(virConf *conf, const char *key, char **value);
int libxlNativeGetStringList(virConf *conf, const char *key, char ***values);

int libxlNativeSetInt(virConf *conf, const char *key, long long value);
int libxlNativeSetString(virConf *conf, const char *key, const char *value);

virConfValue *libxlNativeListNew(void);
void libxlNativeListAppend(virConfValue *list, char *str);
int libxlNativeSetList(virConf *conf, const char *key, virConfValue **list);

char **libxlNativeSpecSplit(const char *spec);
const char *libxlNativeSpecValue(const char *token, const char *key);
int libxlNativeCheckDiskTarget(const char *dst, const char *spec);

int libxlNativeParseBoot(const char *boot, virDomainDef *def);
void libxlNativeFormatBoot(const virDomainDef *def, char *boot);
int libxlNativeParseCmdline(virConf *conf, bool allowCmdline, char **cmdline);
int libxlNativeParseUSBInput(const char *str, virDomainDef *def);
const char *libxlNativeUSBInputName(const virDomainInputDef *input);
typedef virDomainDiskDef *(*libxlNativeDiskParser)(const char *spec, size_t idx,
                                                   const virDomainDef *def);
typedef int (*libxlNativeDiskFormatter)(virConfValue *list, virDomainDiskDef *disk);
int libxlNativeParseDiskList(virConf *conf, virDomainDef *def,
                             libxlNativeDiskParser parse);
int libxlNativeFormatDiskList(virConf *conf, virDomainDef *def,
                              libxlNativeDiskFormatter format);
int libxlNativeFormatPVOS(virConf *conf, const virDomainDef *def,
                          const char *bootargsKey, const char *cmdlineKey);

/* the format-specific parts, one file each */
int libxlNativeParseXL(virConf *conf, virDomainDef *def, virCaps *caps,
                       virDomainXMLOption *xmlopt);
int libxlNativeFormatXL(virConf *conf, virDomainDef *def);
int libxlNativeParseXM(virConf *conf, virDomainDef *def);
int libxlNativeFormatXM(virConf *conf, virDomainDef *def);

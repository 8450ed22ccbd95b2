/*
 * libxl_build.h: libvirt domain definition to libxl_domain_config
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libxl.h>

#include "internal.h"
#include "domain_conf.h"
#include "virportallocator.h"
#include "cpu_conf.h"

/* Resolve a <interface type='network'> to the bridge it plugs into,
 * for the definitions the driver did not give an actual device to.
 * Returns a newly allocated name, or NULL with an error reported. */
typedef char *(*libxlBuildNetworkBridgeFunc)(const char *network,
                                              void *opaque);

/* Fetch the secret of an authenticated network disk (ceph); the result
 * is handed back raw and is base64-encoded by the caller. */
typedef int (*libxlBuildDiskSecretFunc)(virStorageSource *src,
                                        uint8_t **secret,
                                        size_t *secretlen,
                                        void *opaque);

/*
 * What the driver (its configuration and the host) supplies to a
 * conversion.  Every field may be left zero: the conversion then uses
 * what libxl would choose on its own.
 */
typedef struct _libxlBuildParams libxlBuildParams;
struct _libxlBuildParams {
    /* libxl.conf nested_hvm: allow host-passthrough guests to see VT-x/SVM */
    bool nestedHVM;
    /* the host CPU (capabilities): is there vmx or svm to pass through */
    virCPUDef *hostCPU;
    /* host NUMA nodes (libxl_physinfo.nr_nodes); 0 = unknown */
    unsigned int hostNumaNodes;
    /* host CPUs (libxl_get_max_cpus), the size of vcpu pinning maps; 0 =
     * just as large as the highest pinned CPU needs */
    unsigned int hostMaxCpus;
    /* VNC/SPICE autoport allocator, or NULL to let libxl find a port */
    virPortAllocatorRange *graphicsPorts;
    /* where unix sockets of <channel type='unix'> without a path live */
    const char *channelDir;
    /* the OVMF image for firmware='efi' (recorded in the definition) */
    const char *ovmfPath;
    /* libxl.conf autoballoon: not used by the conversion (freeing dom0
     * memory before the start is the driver's), kept for its callers */
    bool autoballoon;

    libxlBuildNetworkBridgeFunc networkBridge;
    libxlBuildDiskSecretFunc diskSecret;
    void *opaque;
};

/*
 * Fill @d_config (libxl_domain_config_init'ed by the caller, who disposes
 * it in any case) from @def, at start time.  @def is the live definition
 * and is updated with what the start chooses: memory rounded up to MiB,
 * VNC/SPICE autoports taken from params->graphicsPorts (the caller
 * releases them with virPortAllocatorRelease when the domain stops or
 * the start fails), default listen addresses, channel socket paths,
 * implicit USB controllers, the OVMF loader.  It re-checks Xen's rules
 * (libxlDomainDefValidateAll), as saved definitions are read unvalidated.
 * @ctx may be NULL unless the definition has a static (flask) seclabel.
 * Returns 0, or -1 with an error naming the element Xen cannot do.
 */
int libxlBuildDomainConfig(virDomainDef *def,
                           const libxlBuildParams *params,
                           libxl_ctx *ctx,
                           libxl_domain_config *d_config);

/* The credit schedulers' cap a definition asks for: <cputune>'s
 * global_quota / global_period in percent of one CPU, 0 for none. */
int libxlBuildCapFromDef(const virDomainDef *def);

/* One device at a time, for hotplug. */
int libxlBuildDisk(virDomainDiskDef *disk,
                   const libxlBuildParams *params,
                   libxl_device_disk *x_disk);
int libxlBuildNic(const virDomainDef *def,
                  virDomainNetDef *net,
                  const libxlBuildParams *params,
                  bool hotplug,
                  libxl_device_nic *x_nic);
int libxlBuildVfb(virDomainGraphicsDef *graphics,
                  const libxlBuildParams *params,
                  libxl_device_vfb *x_vfb);
int libxlBuildPCI(const virDomainHostdevDef *hostdev,
                  libxl_device_pci *x_pci);
int libxlBuildUSBController(const virDomainControllerDef *controller,
                            libxl_device_usbctrl *x_usbctrl);
int libxlBuildUSBDevice(virDomainHostdevDef *hostdev,
                        libxl_device_usbdev *x_usbdev);
int libxlBuildChannel(const virDomainDef *def,
                      virDomainChrDef *channel,
                      const libxlBuildParams *params,
                      libxl_device_channel *x_channel);

/* libxl's action for a libvirt lifecycle action. */
libxl_action_on_shutdown libxlBuildLifecycleAction(virDomainLifecycleAction action);

/* Xen's (xl cpuid=) name of a libvirt CPU feature name. */
const char *libxlBuildCPUFeatureName(const char *name);

/* The character device string of libxl's serial/ioemu syntax. */
char *libxlBuildChrdevString(const virDomainChrDef *chr);

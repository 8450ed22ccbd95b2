/*
 * xml2config-params.c: the simulated host the XML to libxl tests and the
 * xml2config fuzz target convert for (libxlBuildParams)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "virerror.h"
#include "virsecret.h"
#include "cpu_conf.h"
#include "libxl_build.h"
#include "xml2config-params.h"

#define VIR_FROM_THIS VIR_FROM_NONE


virCPUDef *
xml2configHostCPU(void)
{
    virCPUDef *cpu = virCPUDefNew();

    cpu->type = VIR_CPU_TYPE_HOST;
    cpu->arch = VIR_ARCH_X86_64;
    cpu->model = g_strdup("Broadwell");
    cpu->vendor = g_strdup("Intel");
    cpu->sockets = cpu->dies = cpu->cores = cpu->threads = 1;
    virCPUDefAddFeature(cpu, "vmx", VIR_CPU_FEATURE_REQUIRE);
    return cpu;
}


/* The tests' one network, 'default', is on bridge virbr0. */
static char *
xml2configNetworkBridge(const char *network, void *opaque G_GNUC_UNUSED)
{
    if (STREQ(network, "default"))
        return g_strdup("virbr0");
    virReportError(VIR_ERR_NO_NETWORK, _("no network with matching name '%s'"), network);
    return NULL;
}


/* The tests' one ceph secret, usage 'ceph-admin', is "opensesame". */
static int
xml2configDiskSecret(virStorageSource *src,
                     uint8_t **secret,
                     size_t *secretlen,
                     void *opaque G_GNUC_UNUSED)
{
    const virSecretLookupTypeDef *lookup = &src->auth->seclookupdef;

    if (lookup->type != VIR_SECRET_LOOKUP_TYPE_USAGE ||
        STRNEQ_NULLABLE(lookup->u.usage, "ceph-admin")) {
        virReportError(VIR_ERR_NO_SECRET, _("no secret with matching usage '%s'"),
                       NULLSTR(lookup->u.usage));
        return -1;
    }
    *secret = (uint8_t *) g_strdup("opensesame");
    *secretlen = strlen("opensesame");
    return 0;
}


/* What the tests' simulated host supplies: 6 NUMA nodes (as libvirt's
 * mock), 8 CPUs, a VMX CPU and nested HVM allowed. */
void
xml2configParams(libxlBuildParams *params, virCPUDef *hostCPU,
                 virPortAllocatorRange *ports)
{
    memset(params, 0, sizeof(*params));
    params->nestedHVM = true;
    params->hostCPU = hostCPU;
    params->hostNumaNodes = 6;
    params->hostMaxCpus = 8;
    params->graphicsPorts = ports;
    params->channelDir = "/var/lib/libvirt/libxl/channel/target";
    params->ovmfPath = "/usr/lib/xen/boot/ovmf.bin";
    params->networkBridge = xml2configNetworkBridge;
    params->diskSecret = xml2configDiskSecret;
}

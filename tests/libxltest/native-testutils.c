/*
 * native-testutils.c: capabilities and XML options for the native
 * configuration tests and fuzz target
 *
 * The expected XML of the data sets was produced by libvirt's libxl
 * driver: its capabilities (an x86_64 host offering xenfv, xenpv and
 * xenpvh machines) and the post-parse defaults of its
 * virDomainXMLOption.  The capabilities are rebuilt here from libvirt's
 * conf API; the XML options are the driver's own parser configuration
 * (libxl_validate.c), so that the tests check what virsh will get.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "viralloc.h"
#include "virerror.h"
#include "libxl_native.h"
#include "libxl_validate.h"
#include "native-testutils.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL


static int
libxlNativeTestCapsAddGuest(virCaps *caps,
                            virDomainOSType ostype,
                            const char *loader,
                            const char *machine)
{
    const char *machines[] = { machine };
    virCapsGuestMachine **m = virCapabilitiesAllocMachines(machines, 1);
    virCapsGuest *guest;

    if (!m)
        return -1;

    guest = virCapabilitiesAddGuest(caps, ostype, VIR_ARCH_X86_64,
                                    "/usr/lib/xen/bin/qemu-system-i386",
                                    loader, 1, m);
    virCapabilitiesAddGuestDomain(guest, VIR_DOMAIN_VIRT_XEN,
                                  NULL, NULL, 0, NULL);
    return 0;
}


virCaps *
libxlNativeTestCapsNew(void)
{
    g_autoptr(virCaps) caps = NULL;

    if (!(caps = virCapabilitiesNew(VIR_ARCH_X86_64, false, false)))
        return NULL;

    if (libxlNativeTestCapsAddGuest(caps, VIR_DOMAIN_OSTYPE_HVM,
                                    LIBXL_FIRMWARE_DIR "/hvmloader", "xenfv") < 0 ||
        libxlNativeTestCapsAddGuest(caps, VIR_DOMAIN_OSTYPE_XEN,
                                    NULL, "xenpv") < 0 ||
        libxlNativeTestCapsAddGuest(caps, VIR_DOMAIN_OSTYPE_XENPVH,
                                    NULL, "xenpvh") < 0)
        return NULL;

    return g_steal_pointer(&caps);
}


/*
 * libxlNativeTestXMLOptionNew:
 * The driver's parser configuration (post-parse defaults and validation
 * of libxl_validate.c) and its xen namespace, without private data.
 */
virDomainXMLOption *
libxlNativeTestXMLOptionNew(void)
{
    virDomainDefParserConfig config = { 0 };

    libxlDomainDefParserConfigInit(&config);
    return virDomainXMLOptionNew(&config, NULL, &libxlDomainXMLNamespace,
                                 NULL, NULL, NULL);
}

/*
 * native-fuzz.c: libFuzzer target of the native configuration parser
 *
 * The first byte picks the format (even: xen-xl, odd: xen-xm), the rest
 * is the configuration, handed over as it is (not NUL-terminated, NUL
 * bytes and all).  A configuration that converts is formatted back to
 * XML and to both native formats, so that the formatters see whatever
 * the parser lets through.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "virerror.h"
#include "libxl_native.h"
#include "native-testutils.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static virCaps *caps;
static virDomainXMLOption *xmlopt;


static void
nativeFuzzQuiet(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    if (virInitialize() < 0 ||
        !(caps = libxlNativeTestCapsNew()) ||
        !(xmlopt = libxlNativeTestXMLOptionNew()))
        abort();

    virSetErrorFunc(NULL, nativeFuzzQuiet);
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(virDomainDef) def = NULL;
    const char *format;

    if (size < 1)
        return 0;

    format = data[0] & 1 ? LIBXL_NATIVE_FORMAT_XM : LIBXL_NATIVE_FORMAT_XL;
    def = libxlDomainDefFromNative(format, (const char *)data + 1, size - 1,
                                   caps, xmlopt);

    if (def) {
        g_autofree char *xml = virDomainDefFormat(def, xmlopt,
                                                  VIR_DOMAIN_DEF_FORMAT_INACTIVE);
        g_autofree char *xl = libxlDomainDefToNative(LIBXL_NATIVE_FORMAT_XL, def, NULL);
        g_autofree char *xm = libxlDomainDefToNative(LIBXL_NATIVE_FORMAT_XM, def, NULL);
    } else if (!virGetLastError()) {
        /* a failure must say why */
        abort();
    }

    virResetLastError();
    return 0;
}

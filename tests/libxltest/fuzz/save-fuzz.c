/*
 * save-fuzz.c: libFuzzer target of the save image reader
 *
 * The input is a save image file: libxlSaveImageGetXML() reads it as
 * virsh save-image-dumpxml (and restore, save-image-define, managed
 * save start, through the same libxlSaveImageOpen) do: the 64-byte
 * header, the domain XML it announces, parsed with the driver's XML
 * options, and formatted back.  The file is a memory file, reached by
 * its /proc/self/fd name.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "virerror.h"
#include "virfile.h"
#include "domain_conf.h"
#include "libxl_save.h"
#include "fuzz-driver.h"

static libxlDriverPrivate *driver;


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    driver = libxlFuzzDriverNew();
    return 0;
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *path = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(virDomainDef) def = NULL;
    VIR_AUTOCLOSE fd = -1;

    /* the XML after the 64-byte header, up to its NUL */
    if (size > 64 &&
        libxlFuzzLibvirtKnownBug(data + 64, strnlen((const char *) data + 64, size - 64)))
        return 0;

    fd = libxlFuzzMemFile(data, size, &path);
    xml = libxlSaveImageGetXML(driver, path, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE, &def);
    if (xml) {
        if (!def)
            abort();
    } else if (!virGetLastError()) {
        /* a refusal must say why */
        abort();
    }

    virResetLastError();
    return 0;
}

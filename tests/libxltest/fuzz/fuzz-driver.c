/*
 * fuzz-driver.c: what the libFuzzer targets of the driver share
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/* memfd_create */
#ifndef _GNU_SOURCE
# define _GNU_SOURCE
#endif
#include <config.h>

#include <sys/mman.h>

#include "internal.h"
#include "virerror.h"
#include "virfile.h"
#include "virxml.h"
#include "libxl_domain.h"
#include "fuzz-driver.h"


static void
libxlFuzzQuiet(void *opaque G_GNUC_UNUSED, virErrorPtr err G_GNUC_UNUSED)
{
}


libxlDriverPrivate *
libxlFuzzDriverNew(void)
{
    libxlDriverPrivate *driver = g_new0(libxlDriverPrivate, 1);

    if (virInitialize() < 0 ||
        !(driver->xmlopt = libxlDomainXMLConfNew(driver)))
        abort();
    driver->lockFD = -1;
    virSetErrorFunc(NULL, libxlFuzzQuiet);
    return driver;
}


int
libxlFuzzMemFile(const uint8_t *data, size_t size, char **path)
{
    int fd;

    if ((fd = memfd_create("libxl-fuzz", MFD_CLOEXEC)) < 0 ||
        safewrite(fd, data, size) != (ssize_t) size)
        abort();
    *path = g_strdup_printf("/proc/self/fd/%d", fd);
    return fd;
}


bool
libxlFuzzLibvirtKnownBug(const uint8_t *data, size_t size)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) obj = NULL;
    bool ret;

    if (!memmem(data, size, "sibling", strlen("sibling")))
        return false;
    if (!(doc = xmlReadMemory((const char *) data, size, NULL, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) ||
        !(ctxt = xmlXPathNewContext(doc)))
        return false;
    obj = xmlXPathEval(BAD_CAST "//numa/cell[@id = preceding-sibling::cell/@id]", ctxt);
    ret = obj && obj->type == XPATH_NODESET && obj->nodesetval &&
          obj->nodesetval->nodeNr > 0;
    return ret;
}

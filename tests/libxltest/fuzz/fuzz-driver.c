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


/* A number libvirt reads as it is: digits only, at most @max. */
static bool
libxlFuzzPlainUInt(xmlNodePtr node, const char *attr, unsigned int max, unsigned int *val)
{
    g_autofree char *str = (char *) xmlGetProp(node, BAD_CAST attr);
    size_t i;

    if (!str || !*str || strlen(str) > 3)
        return false;
    for (i = 0; str[i]; i++) {
        if (!g_ascii_isdigit(str[i]))
            return false;
    }
    *val = atoi(str);
    return *val <= max;
}


/* libvirt 9.0.0's virDomainNumaDefNodeDistanceParseXML writes past
 * mem_nodes[] on any error ("cleanup: ... mem_nodes[i].ndistances = 0"
 * with i == ndistances): skip <numa> whose distances are not plainly
 * valid, and cells sharing an id. */
static bool
libxlFuzzBadNumaDistances(xmlXPathContextPtr ctxt)
{
    g_autoptr(xmlXPathObject) cells = NULL;
    unsigned int ncells;
    unsigned int seen[1000] = { 0 };
    size_t i;

    cells = xmlXPathEval(BAD_CAST "//numa/cell", ctxt);
    if (!cells || cells->type != XPATH_NODESET || !cells->nodesetval)
        return false;
    ncells = cells->nodesetval->nodeNr;

    for (i = 0; i < ncells; i++) {
        xmlNodePtr cell = cells->nodesetval->nodeTab[i];
        xmlNodePtr dist;
        xmlNodePtr sib;
        unsigned int id;
        size_t nsib = 0;

        if (!libxlFuzzPlainUInt(cell, "id", 999, &id))
            return true;
        if (seen[id]++)
            return true;
        for (dist = cell->children; dist; dist = dist->next) {
            if (dist->type == XML_ELEMENT_NODE && xmlStrEqual(dist->name, BAD_CAST "distances"))
                break;
        }
        if (!dist)
            continue;
        for (sib = dist->children; sib; sib = sib->next) {
            unsigned int sid;
            unsigned int value;

            if (sib->type != XML_ELEMENT_NODE || !xmlStrEqual(sib->name, BAD_CAST "sibling"))
                continue;
            nsib++;
            if (!libxlFuzzPlainUInt(sib, "id", 999, &sid) || sid >= ncells ||
                !libxlFuzzPlainUInt(sib, "value", 255, &value) || value < 10 ||
                (sid == id) != (value == 10))
                return true;
        }
        if (nsib == 0)
            return true;
    }
    return false;
}


bool
libxlFuzzLibvirtKnownBug(const uint8_t *data, size_t size)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(xmlXPathContext) ctxt = NULL;
    g_autoptr(xmlXPathObject) obj = NULL;

    if (!memmem(data, size, "distances", strlen("distances")) &&
        !memmem(data, size, "fromConfig", strlen("fromConfig")) &&
        !memmem(data, size, "vcpu", strlen("vcpu")) &&
        !memmem(data, size, "target", strlen("target")))
        return false;
    if (!(doc = xmlReadMemory((const char *) data, size, NULL, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) ||
        !(ctxt = xmlXPathNewContext(doc)))
        return false;

    if (libxlFuzzBadNumaDistances(ctxt))
        return true;

    /* virDomainDefSetVcpusMax allocates what <vcpu> says, before any
     * check: <vcpu>-1</vcpu> asks for 2^32 vcpus (out of memory) */
    obj = xmlXPathEval(BAD_CAST "/domain/vcpu | /domstatus/domain/vcpu", ctxt);
    if (obj && obj->type == XPATH_NODESET && obj->nodesetval) {
        int i;

        for (i = 0; i < obj->nodesetval->nodeNr; i++) {
            g_autofree char *count = (char *) xmlNodeGetContent(obj->nodesetval->nodeTab[i]);
            g_autofree char *trimmed = g_strstrip(g_strdup(count ? count : ""));

            if (strspn(trimmed, "0123456789") != strlen(trimmed) || strlen(trimmed) > 4)
                return true;
        }
    }
    g_clear_pointer(&obj, xmlXPathFreeObject);

    /* a disk target such as 'hdistanceside' names a disk of a huge index:
     * virDomainDefAddImplicitDevices adds IDE controllers up to it (more
     * than 10 s and 1.7 GB per define; fuzz/known/libvirt-disk-target-
     * timeout.xml).  Real names have at most two letters after the bus
     * prefix (sdzz is disk 701). */
    obj = xmlXPathEval(BAD_CAST "//disk/target/@dev", ctxt);
    if (obj && obj->type == XPATH_NODESET && obj->nodesetval) {
        int i;

        for (i = 0; i < obj->nodesetval->nodeNr; i++) {
            g_autofree char *dev = (char *) xmlNodeGetContent(obj->nodesetval->nodeTab[i]);
            const char *p = dev ? dev : "";

            if (g_str_has_prefix(p, "xvd") || g_str_has_prefix(p, "ubd"))
                p += 3;
            else if (strlen(p) >= 2)
                p += 2;
            if (strspn(p, "abcdefghijklmnopqrstuvwxyz") > 2)
                return true;
        }
    }
    g_clear_pointer(&obj, xmlXPathFreeObject);

    /* virDomainGraphicsListenDefParseXML returns without freeing the
     * address it took when fromConfig is not an int (a leak, status only) */
    obj = xmlXPathEval(BAD_CAST "//listen[@fromConfig][@fromConfig = '' or "
                       "translate(@fromConfig, '0123456789', '') != '' or "
                       "string-length(@fromConfig) > 9]", ctxt);
    return obj && obj->type == XPATH_NODESET && obj->nodesetval &&
           obj->nodesetval->nodeNr > 0;
}

/*
 * xml2config-fuzz.c: libFuzzer target of the domain XML to
 * libxl_domain_config conversion
 *
 * The input is a domain XML, parsed with the driver's XML options
 * (libxlDomainXMLConfNew) as virsh define does, then converted
 * by libxlBuildDomainConfig() as a start does, for the simulated host of
 * xml2configtest (xml2config-params.c).  A definition the validating
 * parser refuses is parsed again without validation and converted too:
 * the driver converts its saved definitions, read back unvalidated, at
 * start (libxlBuildDomainConfig validates those itself).  A conversion
 * that succeeds is printed as libxl's JSON, and the updated definition
 * formatted, so that both see what the conversion produced.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <libxl.h>
#include <libxl_utils.h>

#include "internal.h"
#include "virerror.h"
#include "domain_conf.h"
#include "virportallocator.h"
#include "libxl_build.h"
#include "libxl_validate.h"
#include "xml2config-params.h"
#include "fuzz-driver.h"

static virDomainXMLOption *xmlopt;
static virCPUDef *hostCPU;
static virPortAllocatorRange *ports;
static xentoollog_logger *logger;
static libxl_ctx *ctx;     /* for libxl_domain_config_to_json only */


int
LLVMFuzzerInitialize(int *argc G_GNUC_UNUSED, char ***argv G_GNUC_UNUSED)
{
    xmlopt = libxlFuzzDriverNew()->xmlopt;
    if (!(hostCPU = xml2configHostCPU()) ||
        !(ports = virPortAllocatorRangeNew("vnc", 5900, 65535)) ||
        !(logger = (xentoollog_logger *) xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0)) ||
        libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, logger) != 0)
        abort();
    return 0;
}


/* Give back the display ports the conversion took, as the driver does
 * when a domain stops (libxl_host.c). */
static void
xml2configFuzzReleasePorts(virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        virDomainGraphicsDef *g = def->graphics[i];

        if (g->type == VIR_DOMAIN_GRAPHICS_TYPE_VNC && g->data.vnc.autoport &&
            g->data.vnc.port > 0) {
            virPortAllocatorRelease(g->data.vnc.port);
        } else if (g->type == VIR_DOMAIN_GRAPHICS_TYPE_SPICE && g->data.spice.autoport) {
            if (g->data.spice.port > 0)
                virPortAllocatorRelease(g->data.spice.port);
            if (g->data.spice.tlsPort > 0)
                virPortAllocatorRelease(g->data.spice.tlsPort);
        }
    }
}


static void
xml2configFuzzConvert(virDomainDef *def)
{
    libxl_domain_config d_config;
    libxlBuildParams params;

    xml2configParams(&params, hostCPU, ports);
    libxl_domain_config_init(&d_config);

    /* no libxl context: only a static flask label would need one */
    if (libxlBuildDomainConfig(def, &params, NULL, &d_config) == 0) {
        g_autofree char *json = libxl_domain_config_to_json(ctx, &d_config);
        g_autofree char *xml = virDomainDefFormat(def, xmlopt, 0);

        if (!json)
            abort();
    } else if (!virGetLastError()) {
        /* a refusal must say why */
        abort();
    }

    xml2configFuzzReleasePorts(def);
    libxl_domain_config_dispose(&d_config);
    virResetLastError();
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *xml = g_strndup((const char *) data, size);
    g_autoptr(virDomainDef) def = NULL;

    if (libxlFuzzLibvirtKnownBug(data, size))
        return 0;

    if ((def = virDomainDefParseString(xml, xmlopt, NULL, VIR_DOMAIN_DEF_PARSE_INACTIVE))) {
        xml2configFuzzConvert(def);
        return 0;
    }
    if (!virGetLastError())
        abort();
    virResetLastError();

    /* a saved definition, read back without validation */
    if ((def = virDomainDefParseString(xml, xmlopt, NULL,
                                       VIR_DOMAIN_DEF_PARSE_INACTIVE |
                                       VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE)))
        xml2configFuzzConvert(def);
    virResetLastError();
    return 0;
}

/*
 * xml2config-mock.c: what the XML to libxl tests stub out of libxenlight
 *
 * The tests need a libxl_ctx only for libxl_domain_config_to_json/
 * from_json, which use it for allocation and logging.  Real
 * libxl_ctx_alloc() opens the hypervisor (libxc) and xenstore: these
 * stand-ins make it succeed without either, and no entry point that
 * would talk to them is called.  The executable exports them
 * (-export-dynamic), so libxenlight binds to them.
 *
 * libxl_get_required_shadow_memory() returns a constant, as libvirt's
 * own test does, so that the expected files do not depend on libxl's
 * formula.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xenctrl.h>
#include <xenstore.h>

#include "internal.h"

/* the shadow memory every expected file records */
#define XML2CONFIG_SHADOW_MEMKB 1234

xc_interface *
xc_interface_open(xentoollog_logger *logger G_GNUC_UNUSED,
                  xentoollog_logger *dombuild_logger G_GNUC_UNUSED,
                  unsigned open_flags G_GNUC_UNUSED)
{
    return (xc_interface *) 0x1;
}


int
xc_interface_close(xc_interface *xch G_GNUC_UNUSED)
{
    return 0;
}


struct xs_handle *
xs_open(unsigned long flags G_GNUC_UNUSED)
{
    return (struct xs_handle *) 0x1;
}


void
xs_close(struct xs_handle *xsh G_GNUC_UNUSED)
{
}


unsigned long
libxl_get_required_shadow_memory(unsigned long maxmem_kb G_GNUC_UNUSED,
                                 unsigned int smp_cpus G_GNUC_UNUSED)
{
    return XML2CONFIG_SHADOW_MEMKB;
}

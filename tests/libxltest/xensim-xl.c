/*
 * xensim-xl.c: what `xl create` does to the simulated host, for the tests
 * that need a domain libvirt did not start
 *
 *   XENSIM_DIR=DIR xensim-xl create NAME UUID KERNEL MEMORY-MIB
 *   XENSIM_DIR=DIR xensim-xl destroy DOMID
 *
 * create: a PV domain through libxl (synchronously, as xl does), unpaused;
 * prints its domid.  destroy: libxl_domain_destroy, as `xl destroy`.
 * Exit status 0, or 1 with libxl's messages on stderr.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxl.h>
#include <libxl_utils.h>
#include <xentoollog.h>

int
main(int argc, char **argv)
{
    xentoollog_logger_stdiostream *lg = NULL;
    libxl_ctx *ctx = NULL;
    libxl_domain_config d_config;
    uint32_t domid = INVALID_DOMID;
    int rc = 1;

    libxl_domain_config_init(&d_config);
    if (!((argc == 6 && strcmp(argv[1], "create") == 0) ||
          (argc == 3 && strcmp(argv[1], "destroy") == 0))) {
        fprintf(stderr, "usage: %s create NAME UUID KERNEL MEMORY-MIB\n"
                "       %s destroy DOMID\n", argv[0], argv[0]);
        return 1;
    }

    if (!(lg = xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0)) ||
        libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, (xentoollog_logger *)lg) != 0)
        goto out;

    if (strcmp(argv[1], "destroy") == 0) {
        if (libxl_domain_destroy(ctx, strtoul(argv[2], NULL, 10), NULL) == 0)
            rc = 0;
        goto out;
    }

    d_config.c_info.type = LIBXL_DOMAIN_TYPE_PV;
    d_config.c_info.name = strdup(argv[2]);
    if (libxl_uuid_from_string(&d_config.c_info.uuid, argv[3]) != 0) {
        fprintf(stderr, "bad uuid '%s'\n", argv[3]);
        goto out;
    }
    libxl_domain_build_info_init_type(&d_config.b_info, LIBXL_DOMAIN_TYPE_PV);
    d_config.b_info.max_vcpus = 1;
    d_config.b_info.max_memkb = strtoull(argv[5], NULL, 10) * 1024;
    d_config.b_info.target_memkb = d_config.b_info.max_memkb;
    d_config.b_info.kernel = strdup(argv[4]);

    if (libxl_domain_create_new(ctx, &d_config, &domid, NULL, NULL) != 0)
        goto out;
    if (libxl_domain_unpause(ctx, domid, NULL) != 0)
        goto out;
    printf("%u\n", domid);
    rc = 0;

 out:
    libxl_domain_config_dispose(&d_config);
    if (ctx)
        libxl_ctx_free(ctx);
    if (lg)
        xtl_logger_destroy((xentoollog_logger *)lg);
    return rc;
}

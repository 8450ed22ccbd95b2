/*
 * xensim-xltune.c: what `xl list -l`, `xl vcpu-list`, `xl sched-*` say of
 * a domain's tuning on the simulated host, for the tuning tests to check
 * the driver's changes against the hypervisor rather than against itself
 *
 *   XENSIM_DIR=DIR xensim-xltune DOMID
 *
 * One "key=value" line each, through the libxl API:
 *   max_memkb, current_memkb (libxl_domain_info), target_memkb
 *   (libxl_get_memory_target), vcpu_online, vcpu_max (libxl_domain_info),
 *   sched, weight, cap, period, budget (libxl_domain_sched_params_get),
 *   vcpuN=online|offline:AFFINITY (libxl_list_vcpu, the hard affinity as
 *   a CPU list), nodeaffinity=LIST (libxl_domain_get_nodeaffinity); on
 *   rtds, rtdsN=PERIOD/BUDGET (libxl_vcpu_sched_params_get_all: the
 *   domain-wide get answers Xen's defaults).
 * A call that fails gives "KEY=error RC" and the exit status 1.
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


/* @map as a list "0,2-3" ("" when empty) */
static void
print_bitmap(const libxl_bitmap *map)
{
    int first = -1;
    int sep = 0;
    int i;
    int n = map->size * 8;

    for (i = 0; i <= n; i++) {
        int set = i < n && libxl_bitmap_test(map, i);

        if (set && first < 0)
            first = i;
        if (!set && first >= 0) {
            if (first == i - 1)
                printf("%s%d", sep ? "," : "", first);
            else
                printf("%s%d-%d", sep ? "," : "", first, i - 1);
            sep = 1;
            first = -1;
        }
    }
}


int
main(int argc, char **argv)
{
    xentoollog_logger_stdiostream *lg = NULL;
    libxl_ctx *ctx = NULL;
    libxl_dominfo info;
    libxl_domain_sched_params sc;
    libxl_vcpuinfo *vcpus;
    libxl_bitmap nodemap;
    uint32_t domid;
    uint64_t target;
    int nvcpus = 0;
    int ncpus = 0;
    int status = 0;
    int rc;
    int i;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DOMID\n", argv[0]);
        return 1;
    }
    domid = strtoul(argv[1], NULL, 10);

    libxl_dominfo_init(&info);
    libxl_domain_sched_params_init(&sc);
    libxl_bitmap_init(&nodemap);

    if (!(lg = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0)) ||
        libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, (xentoollog_logger *)lg) != 0)
        return 1;

    if ((rc = libxl_domain_info(ctx, &info, domid)) == 0) {
        printf("max_memkb=%llu\n", (unsigned long long) info.max_memkb);
        printf("current_memkb=%llu\n", (unsigned long long) info.current_memkb);
        printf("vcpu_online=%u\n", info.vcpu_online);
        printf("vcpu_max=%u\n", info.vcpu_max_id + 1);
    } else {
        printf("info=error %d\n", rc);
        status = 1;
    }

    if ((rc = libxl_get_memory_target(ctx, domid, &target)) == 0) {
        printf("target_memkb=%llu\n", (unsigned long long) target);
    } else {
        printf("target_memkb=error %d\n", rc);
        status = 1;
    }

    if ((rc = libxl_domain_sched_params_get(ctx, domid, &sc)) == 0) {
        printf("sched=%s\n", libxl_scheduler_to_string(sc.sched));
        printf("weight=%d\ncap=%d\nperiod=%d\nbudget=%d\n",
               sc.weight, sc.cap, sc.period, sc.budget);
    } else {
        printf("sched=error %d\n", rc);
        status = 1;
    }

    if (sc.sched == LIBXL_SCHEDULER_RTDS) {
        libxl_vcpu_sched_params vsc;

        libxl_vcpu_sched_params_init(&vsc);
        if ((rc = libxl_vcpu_sched_params_get_all(ctx, domid, &vsc)) == 0) {
            for (i = 0; i < vsc.num_vcpus; i++)
                printf("rtds%d=%d/%d\n", vsc.vcpus[i].vcpuid,
                       vsc.vcpus[i].period, vsc.vcpus[i].budget);
        } else {
            printf("rtds=error %d\n", rc);
            status = 1;
        }
        libxl_vcpu_sched_params_dispose(&vsc);
    }

    if ((vcpus = libxl_list_vcpu(ctx, domid, &nvcpus, &ncpus))) {
        for (i = 0; i < nvcpus; i++) {
            printf("vcpu%u=%s:", vcpus[i].vcpuid,
                   vcpus[i].online ? "online" : "offline");
            print_bitmap(&vcpus[i].cpumap);
            printf("\n");
        }
        libxl_vcpuinfo_list_free(vcpus, nvcpus);
    } else {
        printf("vcpus=error\n");
        status = 1;
    }

    if (libxl_node_bitmap_alloc(ctx, &nodemap, 0) == 0 &&
        (rc = libxl_domain_get_nodeaffinity(ctx, domid, &nodemap)) == 0) {
        printf("nodeaffinity=");
        print_bitmap(&nodemap);
        printf("\n");
    } else {
        printf("nodeaffinity=error\n");
        status = 1;
    }

    libxl_bitmap_dispose(&nodemap);
    libxl_domain_sched_params_dispose(&sc);
    libxl_dominfo_dispose(&info);
    libxl_ctx_free(ctx);
    xtl_logger_destroy((xentoollog_logger *)lg);
    return status;
}

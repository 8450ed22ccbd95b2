/*
 * libxl_qmp_test.c: the driver's QMP client (libxl_qmp.c) against the
 * device model xensimd models: the counters of an HVM guest's emulated
 * and qdisk drives equal xensim's; no device model, a silent one: an
 * error within the timeout.
 *
 * Linked with libxensim first, as libvirtd runs with it preloaded: libxl
 * calls and the connect() to /var/run/xen go to the simulated host.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#include <config.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <libxl.h>
#include <xentoollog.h>

#include "internal.h"
#include "virerror.h"
#include "libxl_qmp.h"

static char *testDir;
static GPid testPid;

static char *
testBuildPath(const char *sub)
{
    const char *top = getenv("top_builddir");

    return g_build_filename(top ? top : "../..", sub, NULL);
}

static void
testChildSetup(gpointer opaque G_GNUC_UNUSED)
{
    setsid();
}

static void
testStart(void)
{
    g_autofree char *xensimd = testBuildPath("xensim/xensimd");
    g_autofree char *sock = NULL;
    g_autoptr(GError) error = NULL;
    const char *argv[] = { xensimd, "--dir", NULL, "--build-delay-ms", "20",
                           "--console-delay-ms", "10", NULL };
    int i;

    testDir = g_dir_make_tmp("libxl-qmp-test-XXXXXX", &error);
    ck_assert_ptr_nonnull(testDir);
    argv[2] = testDir;
    sock = g_build_filename(testDir, "xensimd.sock", NULL);
    ck_assert(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                            testChildSetup, NULL, &testPid, &error));
    for (i = 0; i < 500 && !g_file_test(sock, G_FILE_TEST_EXISTS); i++)
        g_usleep(10 * 1000);
    ck_assert(g_file_test(sock, G_FILE_TEST_EXISTS));
    g_setenv("XENSIM_DIR", testDir, TRUE);
}

static void
testStop(void)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", testDir);
    int status;

    if (testPid > 0) {
        kill(testPid, SIGTERM);
        waitpid(testPid, &status, 0);
    }
    testPid = 0;
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", testDir);
    g_clear_pointer(&testDir, g_free);
}

static char *
testImage(const char *name, bool qcow2)
{
    char *path = g_build_filename(testDir, name, NULL);
    guint8 hdr[104] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };

    if (qcow2) {
        hdr[26] = 0x04;     /* 64 MiB */
        ck_assert(g_file_set_contents(path, (const char *)hdr, sizeof(hdr), NULL));
    } else {
        ck_assert(g_file_set_contents(path, "", 0, NULL));
        ck_assert_int_eq(truncate(path, 8 << 20), 0);
    }
    return path;
}

static void
testAddDisk(libxl_domain_config *cfg, const char *vdev, const char *path,
            libxl_disk_format format)
{
    libxl_device_disk *d;

    cfg->disks = realloc(cfg->disks, (cfg->num_disks + 1) * sizeof(*cfg->disks));
    d = &cfg->disks[cfg->num_disks++];
    libxl_device_disk_init(d);
    d->vdev = strdup(vdev);
    d->pdev_path = strdup(path);
    d->format = format;
    d->readwrite = 1;
}

/* A domain of @type with @disks ("VDEV", a raw image; "VDEV:qcow2") */
static uint32_t
testCreate(libxl_ctx *ctx, libxl_domain_type type, const char *name,
           const char *const *disks)
{
    libxl_domain_config cfg;
    uint32_t domid = INVALID_DOMID;
    g_autofree char *kernel = g_build_filename(testDir, "vmlinuz", NULL);
    size_t i;

    ck_assert(g_file_set_contents(kernel, "kernel", -1, NULL));
    libxl_domain_config_init(&cfg);
    cfg.c_info.type = type;
    cfg.c_info.name = strdup(name);
    libxl_uuid_generate(&cfg.c_info.uuid);
    libxl_domain_build_info_init_type(&cfg.b_info, type);
    cfg.b_info.max_memkb = cfg.b_info.target_memkb = 64 * 1024;
    cfg.b_info.max_vcpus = 1;
    if (type != LIBXL_DOMAIN_TYPE_HVM)
        cfg.b_info.kernel = strdup(kernel);
    for (i = 0; disks[i]; i++) {
        g_auto(GStrv) f = g_strsplit(disks[i], ":", 2);
        g_autofree char *img = g_strdup_printf("%s-%s.img", name, f[0]);
        g_autofree char *path = testImage(img, f[1] != NULL);

        testAddDisk(&cfg, f[0], path, f[1] ? LIBXL_DISK_FORMAT_QCOW2 : LIBXL_DISK_FORMAT_RAW);
    }
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    return domid;
}

/* KEY=N in the line of `xensimctl io DOMID` about the device with FIELD */
static guint64
testIoValue(uint32_t domid, const char *field, const char *key)
{
    g_autofree char *ctl = testBuildPath("xensim/xensimctl");
    g_autofree char *id = g_strdup_printf("%u", domid);
    g_autofree char *pat = g_strdup_printf(" %s=", key);
    const char *argv[] = { ctl, "--dir", testDir, "io", id, NULL };
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    char **l;
    int status = -1;

    ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, NULL,
                           &status, NULL));
    ck_assert_int_eq(status, 0);
    lines = g_strsplit(out, "\n", -1);
    for (l = lines; *l; l++) {
        const char *k;

        if (!strstr(*l, field))
            continue;
        ck_assert_msg((k = strstr(*l, pat)), "%s: no %s in '%s'", field, key, *l);
        return g_ascii_strtoull(k + strlen(pat), NULL, 10);
    }
    ck_abort_msg("no device %s in: %s", field, out);
    return 0;
}

static const libxlQmpBlockStats *
testFind(const libxlQmpBlockStats *stats, size_t n, const char *device)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (STREQ(stats[i].device, device))
            return &stats[i];
    }
    ck_abort_msg("no drive %s", device);
    return NULL;
}

/* An HVM guest with an emulated raw disk (hda) and a qcow2 one (xvdb:
 * emulated as IDE disk 1, and xen-block's drive xvdb-qcow2): each drive's
 * counters as xensim keeps them. */
START_TEST(test_qmp_blockstats)
{
    libxl_ctx *ctx = NULL;
    libxlQmpBlockStats *stats = NULL;
    const libxlQmpBlockStats *s;
    size_t n = 0;
    uint32_t domid;

    ck_assert_int_eq(libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, NULL), 0);
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_HVM, "qmp-hvm",
                       (const char *const[]){ "hda", "xvdb:qcow2", NULL });
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    g_usleep(400 * 1000);
    ck_assert_int_eq(libxl_domain_pause(ctx, domid, NULL), 0);

    ck_assert_msg(libxlQmpQueryBlockStats(domid, &stats, &n) == 0, "%s",
                  virGetLastErrorMessage());
    ck_assert_uint_eq(n, 3);
    s = testFind(stats, n, "ide0-hd0");
    ck_assert_str_eq(s->target, "hda");
    ck_assert(libxlQmpBlockStatsMatch(s, "hda"));
    ck_assert(libxlQmpBlockStatsMatch(s, "xvda"));
    ck_assert(!libxlQmpBlockStatsMatch(s, "xvdb"));
    /* the guest has PV drivers: the emulated disks did nothing */
    ck_assert_uint_eq(s->rd_req, testIoValue(domid, "vdev=hda", "emu_rd_req"));
    ck_assert_uint_eq(s->rd_req, 0);
    ck_assert_int_eq(s->errs, 0);
    s = testFind(stats, n, "ide0-hd1");
    ck_assert_str_eq(s->target, "hdb");
    ck_assert(libxlQmpBlockStatsMatch(s, "xvdb"));
    s = testFind(stats, n, "xvdb-qcow2");
    ck_assert_str_eq(s->target, "xvdb");
    ck_assert_int_eq(s->ideIndex, -1);
    ck_assert(libxlQmpBlockStatsMatch(s, "xvdb"));
    ck_assert(!libxlQmpBlockStatsMatch(s, "hdb"));
    ck_assert_uint_gt(s->rd_req, 0);
    ck_assert_uint_eq(s->rd_req, testIoValue(domid, "vdev=xvdb", "rd_req"));
    ck_assert_uint_eq(s->wr_req, testIoValue(domid, "vdev=xvdb", "wr_req"));
    ck_assert_uint_eq(s->rd_bytes, testIoValue(domid, "vdev=xvdb", "rd_sect") * 512);
    ck_assert_uint_eq(s->wr_bytes, testIoValue(domid, "vdev=xvdb", "wr_sect") * 512);
    ck_assert_uint_eq(s->fl_req, testIoValue(domid, "vdev=xvdb", "f_req"));
    ck_assert_uint_eq(s->rd_total_ns, testIoValue(domid, "vdev=xvdb", "rd_total_ns"));
    ck_assert_uint_eq(s->wr_total_ns, testIoValue(domid, "vdev=xvdb", "wr_total_ns"));
    ck_assert_uint_eq(s->fl_total_ns, testIoValue(domid, "vdev=xvdb", "f_total_ns"));
    libxlQmpBlockStatsFree(stats, n);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

/* No device model (a PV guest with a blkback disk only; a domain that is
 * gone): a clear error, at once. */
START_TEST(test_qmp_no_device_model)
{
    libxl_ctx *ctx = NULL;
    libxlQmpBlockStats *stats = NULL;
    size_t n = 7;
    uint32_t domid;

    ck_assert_int_eq(libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, NULL), 0);
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "qmp-pv",
                       (const char *const[]){ "xvda", NULL });
    ck_assert_int_eq(libxlQmpQueryBlockStats(domid, &stats, &n), -1);
    ck_assert_ptr_null(stats);
    ck_assert_uint_eq(n, 0);
    ck_assert_msg(strstr(virGetLastErrorMessage(), "does not answer on "
                         "/var/run/xen/qmp-libxenstat-"), "%s", virGetLastErrorMessage());
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

/* A device model that never answers: the call gives up after the
 * timeout, with an error that says so. */
START_TEST(test_qmp_timeout)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    libxlQmpBlockStats *stats = NULL;
    size_t n = 0;
    gint64 t0;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_snprintf(addr.sun_path, sizeof(addr.sun_path),
               "%s/root/var/run/xen/qmp-libxenstat-4242", testDir);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(listen(fd, 1), 0);
    t0 = g_get_monotonic_time();
    ck_assert_int_eq(libxlQmpQueryBlockStats(4242, &stats, &n), -1);
    ck_assert_int_ge(g_get_monotonic_time() - t0, 900 * 1000);
    ck_assert_int_le(g_get_monotonic_time() - t0, 3000 * 1000);
    ck_assert_msg(strstr(virGetLastErrorMessage(), "did not answer"), "%s",
                  virGetLastErrorMessage());
    close(fd);
    unlink(addr.sun_path);
}
END_TEST

static Suite *
libxlQmpSuite(void)
{
    Suite *s = suite_create("libxl_qmp");
    TCase *tc = tcase_create("xensim");

    tcase_add_unchecked_fixture(tc, testStart, testStop);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_qmp_blockstats);
    tcase_add_test(tc, test_qmp_no_device_model);
    tcase_add_test(tc, test_qmp_timeout);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr;
    int failed;

    /* libvirt's per-thread errors, as libvirtd has them */
    if (virInitialize() < 0)
        return 1;
    sr = srunner_create(libxlQmpSuite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

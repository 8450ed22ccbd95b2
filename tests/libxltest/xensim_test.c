/*
 * xensim_test.c: the simulated Xen host through the libxl API
 *
 * Starts xensimd on a config of its own in a temporary directory (once
 * per test case, from the parent process, so that teardown runs even when
 * a test fails; it also stops a daemon a test started, by the PID in the
 * pid file) and calls libxl and xs_* entry points, which libxensim (linked
 * first) serves.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libxl.h>
#include <libxl_utils.h>
#include <xenstore.h>

/* The host the tests ask for: none of these is a default. */
#define T_SOCKETS 2
#define T_CORES 3
#define T_THREADS 2
#define T_CPUS (T_SOCKETS * T_CORES * T_THREADS)
#define T_NODES 3
#define T_MEMORY_MIB 12288
#define T_RESERVED_MIB 128
#define T_DOM0_MIB 2048
#define T_DOM0_VCPUS 3
#define T_MHZ 3100

static char *testDir;
static GPid testPid;
static xentoollog_logger_stdiostream *testLogger;

static char *
testBuildPath(const char *sub)
{
    const char *top = getenv("top_builddir");

    return g_build_filename(top ? top : "../..", sub, NULL);
}

/* In a session of its own: Check kills a test's process group after the
 * test, and a daemon a test starts must live until xensimStop. */
static void
xensimChildSetup(gpointer opaque)
{
    setsid();
}

/* Start xensimd on testDir; wait for its socket. */
static GPid
xensimSpawn(void)
{
    g_autofree char *xensimd = testBuildPath("xensim/xensimd");
    g_autofree char *config = g_build_filename(testDir, "host.conf", NULL);
    g_autofree char *sock = g_build_filename(testDir, "xensimd.sock", NULL);
    g_autoptr(GError) error = NULL;
    const char *argv[] = { xensimd, "--dir", testDir, "--config", config, NULL };
    GPid pid = 0;
    int i;

    ck_assert_msg(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                xensimChildSetup, NULL, &pid, &error),
                  "cannot start %s: %s", xensimd, error ? error->message : "");
    for (i = 0; i < 500 && !g_file_test(sock, G_FILE_TEST_EXISTS); i++)
        g_usleep(10 * 1000);
    ck_assert_msg(g_file_test(sock, G_FILE_TEST_EXISTS), "xensimd did not start");
    return pid;
}

static bool
xensimGone(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *stat = NULL;
    const char *paren;

    if (!g_file_get_contents(path, &stat, NULL, NULL))
        return true;
    /* a zombie that is not ours to reap */
    return (paren = strrchr(stat, ')')) && paren[1] && paren[2] == 'Z';
}

/* Stop a xensimd by PID, our child or not; wait until it is gone. */
static void
xensimKill(GPid pid)
{
    int i, status;

    if (pid <= 0 || kill(pid, SIGTERM) < 0)
        return;
    if (waitpid(pid, &status, 0) == pid)
        return;
    for (i = 0; i < 500 && !xensimGone(pid); i++)
        g_usleep(10 * 1000);
}

static void
xensimStart(void)
{
    g_autofree char *config = NULL;
    g_autoptr(GError) error = NULL;
    const char *contents =
        "# xensim_test host\n"
        "sockets = 2\n"
        "cores_per_socket = 3   # per socket\n"
        "threads_per_core = 2\n"
        "nodes = 3\n"
        "memory = 12288\n"
        "xen_reserved = 128\n"
        "dom0_memory = 2048\n"
        "dom0_vcpus = 3\n"
        "cpu_mhz = 3100\n"
        "xen_version = 4.16.3\n"
        "scheduler = credit\n"
        "capabilities = xen-3.0-x86_64 hvm-3.0-x86_64\n";

    testDir = g_dir_make_tmp("xensim-test-XXXXXX", &error);
    ck_assert_msg(testDir, "mkdtemp: %s", error ? error->message : "");
    config = g_build_filename(testDir, "host.conf", NULL);
    ck_assert(g_file_set_contents(config, contents, -1, NULL));
    testPid = xensimSpawn();
    g_setenv("XENSIM_DIR", testDir, TRUE);
}

/* Stop the daemon started here, and any that a test started in its
 * place (its PID is in the pid file); remove the directory. */
static void
xensimStop(void)
{
    g_autofree char *sock = g_build_filename(testDir, "xensimd.sock", NULL);
    g_autofree char *pidfile = g_build_filename(testDir, "xensimd.pid", NULL);
    g_autofree char *pidtext = NULL;
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", testDir);
    gint64 other;

    xensimKill(testPid);
    if (g_file_get_contents(pidfile, &pidtext, NULL, NULL) &&
        g_ascii_string_to_signed(g_strstrip(pidtext), 10, 1, G_MAXINT, &other, NULL) &&
        other != testPid)
        xensimKill(other);
    testPid = 0;
    ck_assert_msg(!g_file_test(sock, G_FILE_TEST_EXISTS),
                  "xensimd left its socket behind");
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", testDir);
    g_free(testDir);
    testDir = NULL;
}

static libxl_ctx *
testCtx(void)
{
    libxl_ctx *ctx = NULL;

    ck_assert_int_eq(libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
                                     (xentoollog_logger *)testLogger), 0);
    ck_assert_ptr_nonnull(ctx);
    return ctx;
}

/* Run xensimctl with up to 5 arguments; its exit status. */
static int
testCtl5(const char *a1, const char *a2, const char *a3, const char *a4,
         const char *a5)
{
    g_autofree char *ctl = testBuildPath("xensim/xensimctl");
    const char *argv[] = { ctl, "--dir", testDir, a1, a2, a3, a4, a5, NULL };
    int status = -1;

    ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL,
                           NULL, NULL, NULL, NULL, &status, NULL));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
testCtl(const char *a1, const char *a2, const char *a3, const char *a4)
{
    return testCtl5(a1, a2, a3, a4, NULL);
}

START_TEST(test_ctx_alloc)
{
    libxl_ctx *ctx = testCtx();

    ck_assert_int_eq(libxl_ctx_free(ctx), 0);
    ck_assert_int_eq(libxl_ctx_free(NULL), 0);
}
END_TEST

START_TEST(test_ctx_alloc_no_daemon)
{
    libxl_ctx *ctx = NULL;
    g_autofree char *saved = g_strdup(getenv("XENSIM_DIR"));

    g_setenv("XENSIM_DIR", "/nonexistent/xensim", TRUE);
    ck_assert_int_eq(libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0,
                                     (xentoollog_logger *)testLogger), ERROR_FAIL);
    ck_assert_ptr_null(ctx);
    g_setenv("XENSIM_DIR", saved, TRUE);
}
END_TEST

START_TEST(test_version_info)
{
    libxl_ctx *ctx = testCtx();
    const libxl_version_info *info = libxl_get_version_info(ctx);

    ck_assert_ptr_nonnull(info);
    ck_assert_int_eq(info->xen_version_major, 4);
    ck_assert_int_eq(info->xen_version_minor, 16);
    ck_assert_str_eq(info->xen_version_extra, ".3");
    ck_assert_str_eq(info->capabilities, "xen-3.0-x86_64 hvm-3.0-x86_64");
    ck_assert_int_eq(info->pagesize, 4096);
    /* cached: the same object again */
    ck_assert_ptr_eq(libxl_get_version_info(ctx), info);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_physinfo)
{
    libxl_ctx *ctx = testCtx();
    libxl_physinfo info;
    uint64_t free_kb = 0;

    libxl_physinfo_init(&info);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), 0);
    ck_assert_uint_eq(info.nr_cpus, T_CPUS);
    ck_assert_uint_eq(info.max_cpu_id, T_CPUS - 1);
    ck_assert_uint_eq(info.threads_per_core, T_THREADS);
    ck_assert_uint_eq(info.cores_per_socket, T_CORES);
    ck_assert_uint_eq(info.nr_nodes, T_NODES);
    ck_assert_uint_eq(info.cpu_khz, T_MHZ * 1000);
    ck_assert_uint_eq(info.total_pages, T_MEMORY_MIB * 256ULL);
    ck_assert_uint_eq(info.free_pages,
                      (T_MEMORY_MIB - T_RESERVED_MIB - T_DOM0_MIB) * 256ULL);
    ck_assert(info.cap_hvm && info.cap_pv && info.cap_hap);
    ck_assert_uint_ne(info.hw_cap[0], 0);
    libxl_physinfo_dispose(&info);

    ck_assert_int_eq(libxl_get_max_cpus(ctx), T_CPUS);
    ck_assert_int_eq(libxl_get_online_cpus(ctx), T_CPUS);
    ck_assert_int_eq(libxl_get_max_nodes(ctx), T_NODES);
    ck_assert_int_eq(libxl_get_free_memory(ctx, &free_kb), 0);
    ck_assert_uint_eq(free_kb, (T_MEMORY_MIB - T_RESERVED_MIB - T_DOM0_MIB) * 1024ULL);
    ck_assert_int_eq(libxl_get_scheduler(ctx), LIBXL_SCHEDULER_CREDIT);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_topology)
{
    libxl_ctx *ctx = testCtx();
    libxl_cputopology *topo;
    int n = 0, i;

    topo = libxl_get_cpu_topology(ctx, &n);
    ck_assert_ptr_nonnull(topo);
    ck_assert_int_eq(n, T_CPUS);
    for (i = 0; i < n; i++) {
        ck_assert_uint_eq(topo[i].socket, i / (T_CORES * T_THREADS));
        ck_assert_uint_eq(topo[i].core, (i / T_THREADS) % T_CORES);
        ck_assert_uint_eq(topo[i].node, i * T_NODES / T_CPUS);
    }
    libxl_cputopology_list_free(topo, n);

    /* real libxenlight's helper, calling our libxl_get_max_cpus */
    {
        libxl_bitmap map;

        libxl_bitmap_init(&map);
        ck_assert_int_eq(libxl_cpu_bitmap_alloc(ctx, &map, 0), 0);
        ck_assert_int_eq(map.size, (T_CPUS + 7) / 8);
        libxl_bitmap_dispose(&map);
    }
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_numainfo)
{
    libxl_ctx *ctx = testCtx();
    libxl_numainfo *info;
    uint64_t size = 0, free_bytes = 0;
    int n = 0, i, j;

    info = libxl_get_numainfo(ctx, &n);
    ck_assert_ptr_nonnull(info);
    ck_assert_int_eq(n, T_NODES);
    for (i = 0; i < n; i++) {
        size += info[i].size;
        free_bytes += info[i].free;
        ck_assert_uint_le(info[i].free, info[i].size);
        ck_assert_int_eq(info[i].num_dists, T_NODES);
        for (j = 0; j < n; j++)
            ck_assert_uint_eq(info[i].dists[j], i == j ? 10 : 21);
    }
    ck_assert_uint_eq(size, T_MEMORY_MIB * 1024ULL * 1024);
    ck_assert_uint_eq(free_bytes,
                      (T_MEMORY_MIB - T_RESERVED_MIB - T_DOM0_MIB) * 1024ULL * 1024);
    libxl_numainfo_list_free(info, n);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_domains)
{
    libxl_ctx *ctx = testCtx();
    libxl_dominfo *doms, info;
    libxl_vcpuinfo *vcpus;
    libxl_domain_sched_params sched;
    g_autofree char *uuid = NULL;
    int n = 0, nr_cpus = 0;

    doms = libxl_list_domain(ctx, &n);
    ck_assert_ptr_nonnull(doms);
    ck_assert_int_eq(n, 1);
    ck_assert_uint_eq(doms[0].domid, 0);
    ck_assert_uint_eq(doms[0].current_memkb, T_DOM0_MIB * 1024ULL);
    libxl_dominfo_list_free(doms, n);

    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, 0), 0);
    ck_assert_uint_eq(info.domid, 0);
    ck_assert_uint_eq(info.vcpu_online, T_DOM0_VCPUS);
    ck_assert_uint_eq(info.vcpu_max_id, T_DOM0_VCPUS - 1);
    ck_assert(info.running);
    ck_assert_int_eq(info.domain_type, LIBXL_DOMAIN_TYPE_PV);
    ck_assert(libxl_uuid_is_nil(&info.uuid));
    libxl_dominfo_dispose(&info);

    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, 12345), ERROR_DOMAIN_NOTFOUND);
    libxl_dominfo_dispose(&info);

    vcpus = libxl_list_vcpu(ctx, 0, &n, &nr_cpus);
    ck_assert_ptr_nonnull(vcpus);
    ck_assert_int_eq(n, T_DOM0_VCPUS);
    ck_assert_int_eq(nr_cpus, T_CPUS);
    ck_assert(vcpus[1].online);
    ck_assert(libxl_bitmap_test(&vcpus[1].cpumap, T_CPUS - 1));
    libxl_vcpuinfo_list_free(vcpus, n);
    ck_assert_ptr_null(libxl_list_vcpu(ctx, 12345, &n, &nr_cpus));

    libxl_domain_sched_params_init(&sched);
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, 0, &sched), 0);
    ck_assert_int_eq(sched.sched, LIBXL_SCHEDULER_CREDIT);
    ck_assert_int_eq(sched.weight, 256);
    libxl_domain_sched_params_dispose(&sched);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_names_pools)
{
    libxl_ctx *ctx = testCtx();
    libxl_cpupoolinfo *pools, pool;
    uint32_t id = 99;
    char *name;
    int n = 0;

    name = libxl_domid_to_name(ctx, 0);
    ck_assert_str_eq(name, "Domain-0");
    free(name);
    ck_assert_ptr_null(libxl_domid_to_name(ctx, 4242));
    ck_assert_int_eq(libxl_name_to_domid(ctx, "Domain-0", &id), 0);
    ck_assert_uint_eq(id, 0);
    ck_assert_int_eq(libxl_name_to_domid(ctx, "nobody", &id), ERROR_DOMAIN_NOTFOUND);

    pools = libxl_list_cpupool(ctx, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(pools[0].pool_name, "Pool-0");
    ck_assert_int_eq(pools[0].sched, LIBXL_SCHEDULER_CREDIT);
    ck_assert_uint_eq(pools[0].n_dom, 1);
    ck_assert_int_eq(libxl_bitmap_count_set(&pools[0].cpumap), T_CPUS);
    libxl_cpupoolinfo_list_free(pools, n);

    ck_assert_int_eq(libxl_cpupool_info(ctx, &pool, 0), 0);
    ck_assert_uint_eq(pool.poolid, 0);
    libxl_cpupoolinfo_dispose(&pool);
    ck_assert_int_ne(libxl_cpupool_info(ctx, &pool, 3), 0);
    ck_assert_int_eq(libxl_name_to_cpupoolid(ctx, "Pool-0", &id), 0);
    ck_assert_uint_eq(id, 0);
    ck_assert(libxl_cpupoolid_is_valid(ctx, 0));
    ck_assert(!libxl_cpupoolid_is_valid(ctx, 5));
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_memory)
{
    libxl_ctx *ctx = testCtx();
    uint64_t target = 0, free_kb = 0;

    ck_assert_int_eq(libxl_get_memory_target(ctx, 0, &target), 0);
    ck_assert_uint_eq(target, T_DOM0_MIB * 1024ULL);
    ck_assert_int_eq(libxl_set_memory_target(ctx, 0, -512 * 1024, 1, 0), 0);
    ck_assert_int_eq(libxl_get_memory_target(ctx, 0, &target), 0);
    ck_assert_uint_eq(target, (T_DOM0_MIB - 512) * 1024ULL);
    ck_assert_int_eq(libxl_get_free_memory(ctx, &free_kb), 0);
    ck_assert_uint_eq(free_kb, (T_MEMORY_MIB - T_RESERVED_MIB - T_DOM0_MIB + 512) * 1024ULL);
    ck_assert_int_eq(libxl_wait_for_memory_target(ctx, 0, 1), 0);
    ck_assert_int_eq(libxl_set_memory_target(ctx, 0, T_DOM0_MIB * 1024, 0, 0), 0);
    ck_assert_int_ne(libxl_set_memory_target(ctx, 0, 1024ULL * 1024 * 1024, 0, 0), 0);
    ck_assert_int_eq(libxl_set_memory_target(ctx, 77, 1024, 0, 0), ERROR_DOMAIN_NOTFOUND);

    /* 1 MiB per vCPU and 2 pages per MiB */
    ck_assert_uint_eq(libxl_get_required_shadow_memory(1024 * 1024, 2),
                      4 * (2 * 256 + 2 * 1024));
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_need_memory)
{
    libxl_ctx *ctx = testCtx();
    libxl_domain_config config;
    uint64_t need = 0;

    libxl_domain_config_init(&config);
    libxl_domain_build_info_init_type(&config.b_info, LIBXL_DOMAIN_TYPE_PV);
    config.b_info.max_memkb = config.b_info.target_memkb = 512 * 1024;
    ck_assert_int_eq(libxl_domain_need_memory(ctx, &config, 0, &need), 0);
    ck_assert_uint_eq(need, 512 * 1024);
    libxl_domain_config_dispose(&config);

    libxl_domain_config_init(&config);
    libxl_domain_build_info_init_type(&config.b_info, LIBXL_DOMAIN_TYPE_HVM);
    config.b_info.max_memkb = config.b_info.target_memkb = 1024 * 1024;
    config.b_info.max_vcpus = 2;
    ck_assert_int_eq(libxl_domain_need_memory(ctx, &config, 0, &need), 0);
    ck_assert_uint_gt(need, 1024 * 1024 + libxl_get_required_shadow_memory(1024 * 1024, 2));
    libxl_domain_config_dispose(&config);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_userdata)
{
    libxl_ctx *ctx = testCtx();
    const uint8_t blob[] = "<domain/>";
    uint8_t *data = NULL;
    int len = -1;

    ck_assert_int_eq(libxl_userdata_retrieve(ctx, 0, "libvirt-xml", &data, &len), 0);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(len, 0);
    ck_assert_int_eq(libxl_userdata_store(ctx, 0, "libvirt-xml", blob, sizeof(blob)), 0);
    ck_assert_int_eq(libxl_userdata_retrieve(ctx, 0, "libvirt-xml", &data, &len), 0);
    ck_assert_int_eq(len, sizeof(blob));
    ck_assert_mem_eq(data, blob, sizeof(blob));
    free(data);
    ck_assert_int_eq(libxl_userdata_unlink(ctx, 0, "libvirt-xml"), 0);
    ck_assert_int_eq(libxl_userdata_retrieve(ctx, 0, "libvirt-xml", &data, &len), 0);
    ck_assert_ptr_null(data);
    ck_assert_int_eq(libxl_userdata_store(ctx, 9, "x", blob, 1), ERROR_DOMAIN_NOTFOUND);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_unimplemented)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *log = g_build_filename(testDir, "xensim-client.log", NULL);
    g_autofree char *contents = NULL;

    ck_assert_int_eq(libxl_domain_pause(ctx, 0, NULL), ERROR_FAIL);
    ck_assert_ptr_null(libxl_device_disk_list(ctx, 0, &(int){ 0 }));
    ck_assert(g_file_get_contents(log, &contents, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(contents, "libxl_domain_pause: not implemented"));
    ck_assert_ptr_nonnull(strstr(contents, "libxl_device_disk_list: not implemented"));
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_fault)
{
    libxl_ctx *ctx = testCtx();
    libxl_physinfo info;

    libxl_physinfo_init(&info);
    ck_assert_int_eq(testCtl("fault", "set", "libxl_get_physinfo", "ERROR_FAIL"), 0);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), ERROR_FAIL);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), ERROR_FAIL);
    ck_assert_int_eq(testCtl("fault", "clear", NULL, NULL), 0);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), 0);

    ck_assert_int_eq(testCtl("fault", "set", "libxl_get_physinfo", "ERROR_NOMEM"), 0);
    ck_assert_int_eq(testCtl("fault", "set", "libxl_domain_info", "ERROR_INVAL"), 0);
    ck_assert_int_eq(testCtl("fault", "set", "libxl_get_physinfo", "ERROR_NOMEM"), 0);
    ck_assert_int_eq(testCtl("fault", "clear", "libxl_domain_info", NULL), 0);
    ck_assert_int_eq(libxl_domain_info(ctx, NULL, 0), 0);
    ck_assert_int_eq(testCtl("fault", "clear", NULL, NULL), 0);

    ck_assert_int_eq(testCtl5("fault", "set", "libxl_get_physinfo", "ERROR_NOMEM", "once"), 0);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), ERROR_NOMEM);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), 0);

    ck_assert_int_ne(testCtl("fault", "set", "libxl_get_physinfo", "NOT_AN_ERROR"), 0);
    ck_assert_int_ne(testCtl("fault", "clear", "libxl_get_physinfo", NULL), 0);
    libxl_physinfo_dispose(&info);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_xenstore)
{
    struct xs_handle *h = xs_open(0);
    unsigned int len = 0, num = 0;
    char *value;
    char **names;

    ck_assert_ptr_nonnull(h);
    value = xs_read(h, XBT_NULL, "/local/domain/0/name", &len);
    ck_assert_ptr_nonnull(value);
    ck_assert_str_eq(value, "Domain-0");
    ck_assert_uint_eq(len, strlen("Domain-0"));
    free(value);

    errno = 0;
    ck_assert_ptr_null(xs_read(h, XBT_NULL, "/local/domain/0/nope", &len));
    ck_assert_int_eq(errno, ENOENT);

    ck_assert(xs_write(h, XBT_NULL, "/tool/test/key", "v1", 2));
    value = xs_read(h, XBT_NULL, "/tool/test/key", NULL);
    ck_assert_str_eq(value, "v1");
    free(value);
    ck_assert(xs_mkdir(h, XBT_NULL, "/tool/test/dir"));
    names = xs_directory(h, XBT_NULL, "/tool/test", &num);
    ck_assert_ptr_nonnull(names);
    ck_assert_uint_eq(num, 2);
    ck_assert_str_eq(names[0], "dir");
    ck_assert_str_eq(names[1], "key");
    free(names);
    ck_assert(xs_rm(h, XBT_NULL, "/tool/test"));
    ck_assert_ptr_null(xs_read(h, XBT_NULL, "/tool/test/key", NULL));

    value = xs_get_domain_path(h, 3);
    ck_assert_str_eq(value, "/local/domain/3");
    free(value);

    /* not implemented yet: loud */
    errno = 0;
    ck_assert(!xs_watch(h, "/local", "tok"));
    ck_assert_int_eq(errno, ENOSYS);
    ck_assert_uint_eq(xs_transaction_start(h), XBT_NULL);
    xs_close(h);

    /* xensimctl sees the same store */
    h = xs_daemon_open_readonly();
    ck_assert_int_eq(testCtl("xenstore-write", "/tool/ctl", "from-ctl", NULL), 0);
    value = xs_read(h, XBT_NULL, "/tool/ctl", NULL);
    ck_assert_str_eq(value, "from-ctl");
    free(value);
    ck_assert_int_ne(testCtl("xenstore-read", "/tool/none", NULL, NULL), 0);
    xs_daemon_close(h);
}
END_TEST

START_TEST(test_xen_paths)
{
    g_autofree char *caps = NULL;
    struct stat sb;
    FILE *fp;
    char buf[32] = "";

    ck_assert(g_file_get_contents("/proc/xen/capabilities", &caps, NULL, NULL));
    ck_assert_str_eq(caps, "control_d\n");
    fp = fopen("/proc/xen/capabilities", "r");
    ck_assert_ptr_nonnull(fp);
    ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), fp));
    ck_assert_str_eq(buf, "control_d\n");
    fclose(fp);
    ck_assert_int_eq(access("/dev/xen/privcmd", F_OK), 0);
    ck_assert_int_eq(stat("/dev/xen/evtchn", &sb), 0);
    ck_assert(g_file_test("/sys/bus/xen-backend", G_FILE_TEST_IS_DIR));
    /* other paths are untouched */
    ck_assert_int_eq(access("/proc/self/status", R_OK), 0);
    ck_assert_int_ne(access("/proc/xenx", F_OK), 0);
}
END_TEST

/* Threads sharing one ctx (as libvirtd's workers do) never mix replies. */
#define T_THREADS_N 4
#define T_CALLS 200

static gpointer
testThreadCalls(gpointer opaque)
{
    libxl_ctx *ctx = opaque;
    int i;

    for (i = 0; i < T_CALLS; i++) {
        libxl_dominfo info;
        libxl_physinfo phys;

        libxl_physinfo_init(&phys);
        if (libxl_get_physinfo(ctx, &phys) != 0 || phys.nr_cpus != T_CPUS)
            return GINT_TO_POINTER(1);
        libxl_physinfo_dispose(&phys);
        libxl_dominfo_init(&info);
        if (libxl_domain_info(ctx, &info, 0) != 0 ||
            info.vcpu_online != T_DOM0_VCPUS)
            return GINT_TO_POINTER(1);
        libxl_dominfo_dispose(&info);
        if (libxl_get_max_nodes(ctx) != T_NODES)
            return GINT_TO_POINTER(1);
    }
    return NULL;
}

START_TEST(test_threads)
{
    libxl_ctx *ctx = testCtx();
    GThread *threads[T_THREADS_N];
    int i;

    for (i = 0; i < T_THREADS_N; i++)
        threads[i] = g_thread_new("xensim-test", testThreadCalls, ctx);
    for (i = 0; i < T_THREADS_N; i++)
        ck_assert_ptr_null(g_thread_join(threads[i]));
    libxl_ctx_free(ctx);
}
END_TEST

/* A client that sends half a request and stalls holds nobody up, and
 * one that sends garbage is dropped. */
START_TEST(test_stalled_client)
{
    g_autofree char *path = g_build_filename(testDir, "xensimd.sock", NULL);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    const guint8 garbage[] = { 0xff, 0xff, 0xff, 0xff, 1, 2, 3 };
    libxl_ctx *ctx;
    int fd, bad;
    char c;

    g_strlcpy(addr.sun_path, path, sizeof(addr.sun_path));
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(write(fd, "\0\0", 2), 2);

    bad = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_eq(connect(bad, (struct sockaddr *)&addr, sizeof(addr)), 0);
    ck_assert_int_eq(write(bad, garbage, sizeof(garbage)), sizeof(garbage));
    ck_assert_int_eq(read(bad, &c, 1), 0);      /* dropped */
    close(bad);

    ctx = testCtx();
    ck_assert_int_eq(libxl_get_max_cpus(ctx), T_CPUS);
    libxl_ctx_free(ctx);
    close(fd);
}
END_TEST

/* A context outlives its xensimd: it reconnects to the next one. */
START_TEST(test_reconnect)
{
    libxl_ctx *ctx = testCtx();
    libxl_physinfo info;

    libxl_physinfo_init(&info);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), 0);
    xensimKill(testPid);
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), ERROR_FAIL);
    xensimSpawn();
    ck_assert_int_eq(libxl_get_physinfo(ctx, &info), 0);
    ck_assert_uint_eq(info.nr_cpus, T_CPUS);
    libxl_physinfo_dispose(&info);
    libxl_ctx_free(ctx);
}
END_TEST

static Suite *
xensimSuite(void)
{
    Suite *s = suite_create("xensim");
    TCase *tc = tcase_create("libxl");

    tcase_add_unchecked_fixture(tc, xensimStart, xensimStop);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_ctx_alloc);
    tcase_add_test(tc, test_ctx_alloc_no_daemon);
    tcase_add_test(tc, test_version_info);
    tcase_add_test(tc, test_physinfo);
    tcase_add_test(tc, test_topology);
    tcase_add_test(tc, test_numainfo);
    tcase_add_test(tc, test_domains);
    tcase_add_test(tc, test_names_pools);
    tcase_add_test(tc, test_memory);
    tcase_add_test(tc, test_need_memory);
    tcase_add_test(tc, test_userdata);
    tcase_add_test(tc, test_unimplemented);
    tcase_add_test(tc, test_fault);
    tcase_add_test(tc, test_xenstore);
    tcase_add_test(tc, test_xen_paths);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_stalled_client);
    suite_add_tcase(s, tc);

    /* restarts xensimd itself: a daemon per test */
    tc = tcase_create("restart");
    tcase_add_unchecked_fixture(tc, xensimStart, xensimStop);
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, test_reconnect);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(xensimSuite());
    int failed;

    testLogger = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL, 0);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xtl_logger_destroy((xentoollog_logger *)testLogger);
    return failed;
}

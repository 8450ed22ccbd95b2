/*
 * xensim_test.c: the simulated Xen host through the libxl API
 *
 * Starts xensimd on a config of its own in a temporary directory (once
 * per test case, from the parent process, so that teardown runs even when
 * a test fails; it also stops a daemon a test started, by the PID in the
 * pid file) and calls libxl and xs_* entry points, which libxensim (linked
 * first) serves.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/time.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
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
#include <xenctrl.h>
#include <xenstore.h>

#include "xensimd-state.h"

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
#define T_KHZ 3100250
#define T_HOLE_KIB 388      /* xensim's default memory_hole */

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

/* Start xensimd on testDir; wait for its socket.  With testNetns, in a
 * network namespace of its own (unshare execs it: the PID is xensimd's),
 * netback on. */
static bool testNetns;

static GPid
xensimSpawn(void)
{
    g_autofree char *xensimd = testBuildPath("xensim/xensimd");
    g_autofree char *config = g_build_filename(testDir, "host.conf", NULL);
    g_autofree char *sock = g_build_filename(testDir, "xensimd.sock", NULL);
    g_autofree char *pidfile = g_build_filename(testDir, "xensimd.pid", NULL);
    g_autoptr(GError) error = NULL;
    const char *plain[] = { xensimd, "--dir", testDir, "--config", config, NULL };
    const char *netns[] = { "unshare", "--net", "--", xensimd, "--dir", testDir,
                            "--config", config, "--netback", "on", NULL };
    const char **argv = testNetns ? netns : plain;
    GPid pid = 0;
    int i;

    ck_assert_msg(g_spawn_async(NULL, (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH,
                                xensimChildSetup, NULL, &pid, &error),
                  "cannot start %s: %s", xensimd, error ? error->message : "");
    /* the pid file comes once it listens (the socket, at bind) */
    for (i = 0; i < 500 && !(g_file_test(sock, G_FILE_TEST_EXISTS) &&
                             g_file_test(pidfile, G_FILE_TEST_EXISTS)); i++)
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
        "cpu_mhz = 3100.25\n"
        "xen_version = 4.16.3\n"
        "scheduler = credit\n"
        "capabilities = xen-3.0-x86_64 hvm-3.0-x86_64\n"
        "build_delay_ms = 50\n"
        "shutdown_delay_ms = 50\n"
        "destroy_delay_ms = 10\n"
        "console_delay_ms = 10\n"
        "balloon_delay_ms = 300\n"
        "guest_ignore_shutdown = stubborn-* other\n"
        "guest_build_delay = slow-*=5000\n"
        "guest_shutdown_delay = lazy-*=400\n"
        "guest_no_ack = hung-*\n"
        "pci_devices = 0000:03:00.0 8086:10d3 0x020000 e1000e, 0000:03:00.1 8086:10d3 0x020000 e1000e;"
        " 00:1d.0 8086:8c26 0x0c0320 ehci-pci, 0000:05:00.0 10de:1b80 0x030000 -\n"
        "usb_devices = 1.2 046d:c52b 00, 1.3 0781:5583 00, 2.4 05e3:0610 09\n";

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
    ck_assert_uint_eq(info.cpu_khz, T_KHZ);
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
    /* node 0 spans the memory hole too, as Xen's spanned pages */
    ck_assert_uint_eq(size, (T_MEMORY_MIB * 1024ULL + T_HOLE_KIB) * 1024);
    ck_assert_uint_eq(info[0].size, (T_MEMORY_MIB * 1024ULL / T_NODES + T_HOLE_KIB) * 1024);
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

/* CPU time: Domain-0 has used some already (uptime), and keeps using it;
 * its vCPUs' times add up to the domain's; vCPU 0 runs, the others idle. */
START_TEST(test_cpu_time)
{
    libxl_ctx *ctx = testCtx();
    libxl_dominfo before, after;
    libxl_vcpuinfo *vcpus;
    uint64_t sum = 0;
    int n = 0, nr_cpus = 0, i;

    libxl_dominfo_init(&before);
    libxl_dominfo_init(&after);
    ck_assert_int_eq(libxl_domain_info(ctx, &before, 0), 0);
    /* 600 s up, 5% of each of 3 vCPUs: 90 s at least */
    ck_assert_uint_ge(before.cpu_time, 90 * 1000000000ULL);
    vcpus = libxl_list_vcpu(ctx, 0, &n, &nr_cpus);
    ck_assert_ptr_nonnull(vcpus);
    ck_assert_int_eq(n, T_DOM0_VCPUS);
    for (i = 0; i < n; i++) {
        sum += vcpus[i].vcpu_time;
        ck_assert(vcpus[i].running == (i == 0));
        ck_assert(vcpus[i].blocked == (i != 0));
    }
    g_usleep(200 * 1000);
    ck_assert_int_eq(libxl_domain_info(ctx, &after, 0), 0);
    ck_assert_uint_ge(sum, before.cpu_time);
    ck_assert_uint_le(sum, after.cpu_time);
    /* 0.2 s, 5% of 3 vCPUs: 30 ms */
    ck_assert_uint_ge(after.cpu_time - before.cpu_time, 30 * 1000000ULL);
    ck_assert_uint_lt(after.cpu_time - before.cpu_time, 1000 * 1000000ULL);
    libxl_vcpuinfo_list_free(vcpus, n);
    libxl_dominfo_dispose(&before);
    libxl_dominfo_dispose(&after);
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
    /* the balloon driver gives the memory back balloon_delay_ms later */
    ck_assert_int_eq(libxl_get_free_memory(ctx, &free_kb), 0);
    ck_assert_uint_eq(free_kb, (T_MEMORY_MIB - T_RESERVED_MIB - T_DOM0_MIB) * 1024ULL);
    ck_assert_int_eq(libxl_wait_for_memory_target(ctx, 0, 1), 0);
    ck_assert_int_eq(libxl_get_free_memory(ctx, &free_kb), 0);
    ck_assert_uint_eq(free_kb, (T_MEMORY_MIB - T_RESERVED_MIB - T_DOM0_MIB + 512) * 1024ULL);
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

    ck_assert_int_eq(libxl_send_debug_keys(ctx, (char *)"q"), ERROR_FAIL);
    ck_assert_ptr_null(libxl_device_vkb_list(ctx, 0, &(int){ 0 }));
    ck_assert(g_file_get_contents(log, &contents, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(contents, "libxl_send_debug_keys: not implemented"));
    ck_assert_ptr_nonnull(strstr(contents, "libxl_device_vkb_list: not implemented"));
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
    /* Domain-0 sees no IOMMU groups: Xen owns the IOMMU */
    {
        DIR *d = opendir("/sys/kernel/iommu_groups");
        struct dirent *e;
        int entries = 0;

        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d)))
            entries += e->d_name[0] != '.';
        closedir(d);
        ck_assert_int_eq(entries, 0);
    }
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

/* Domain lifecycle, events, children, consoles ----------------------- */

/* A kernel image libxl can read. */
static char *
testKernel(void)
{
    char *path = g_build_filename(testDir, "vmlinuz", NULL);

    ck_assert(g_file_set_contents(path, "not really a kernel\n", -1, NULL));
    return path;
}

static void
testConfig(libxl_domain_config *cfg, libxl_domain_type type, const char *name,
           const char *kernel, uint64_t memkb)
{
    libxl_domain_config_init(cfg);
    cfg->c_info.type = type;
    cfg->c_info.name = strdup(name);
    libxl_uuid_generate(&cfg->c_info.uuid);
    libxl_domain_build_info_init_type(&cfg->b_info, type);
    cfg->b_info.max_memkb = memkb;
    cfg->b_info.target_memkb = memkb;
    cfg->b_info.max_vcpus = 2;
    if (kernel)
        cfg->b_info.kernel = strdup(kernel);
    if (type == LIBXL_DOMAIN_TYPE_HVM)
        cfg->b_info.u.hvm.serial = strdup("pty");
}

/* Create a domain synchronously; its domid. */
static uint32_t
testCreate(libxl_ctx *ctx, libxl_domain_type type, const char *name)
{
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    uint32_t domid = INVALID_DOMID;

    testConfig(&cfg, type, name, type == LIBXL_DOMAIN_TYPE_HVM ? NULL : kernel,
               256 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    ck_assert_uint_ne(domid, (uint32_t)INVALID_DOMID);
    libxl_domain_config_dispose(&cfg);
    return domid;
}

static uint64_t
testFreeKB(libxl_ctx *ctx)
{
    uint64_t kb = 0;

    ck_assert_int_eq(libxl_get_free_memory(ctx, &kb), 0);
    return kb;
}

/* Wait for an event of one of the types in mask for domid (no hooks). */
static int
testDomidPred(const libxl_event *ev, void *user)
{
    return ev->domid == GPOINTER_TO_UINT(user);
}

static libxl_event *
testWaitEvent(libxl_ctx *ctx, uint64_t mask, uint32_t domid)
{
    libxl_event *ev = NULL;

    ck_assert_int_eq(libxl_event_wait(ctx, &ev, mask, testDomidPred,
                                      GUINT_TO_POINTER(domid)), 0);
    return ev;
}

/* No such event within ms. */
static void
testNoEvent(libxl_ctx *ctx, uint64_t mask, uint32_t domid, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;
    libxl_event *ev = NULL;

    while (g_get_monotonic_time() < end) {
        int rc = libxl_event_check(ctx, &ev, mask, testDomidPred, GUINT_TO_POINTER(domid));

        ck_assert_msg(rc == ERROR_NOT_READY, "unexpected event type %d",
                      rc == 0 ? (int)ev->type : -1);
        g_usleep(10 * 1000);
    }
}

#define MASK(t) (1UL << LIBXL_EVENT_TYPE_##t)

START_TEST(test_create_sync)
{
    libxl_ctx *ctx = testCtx();
    uint64_t before = testFreeKB(ctx), during;
    libxl_dominfo info;
    libxl_domain_config got;
    char *tty = NULL;
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "sync-1");
    uint32_t other;
    struct xs_handle *xs = xs_open(0);
    g_autofree char *path = g_strdup_printf("/local/domain/%u/name", domid);
    char *name;
    unsigned int len;

    /* libxl leaves it paused; its memory is taken */
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(info.paused);
    ck_assert_uint_eq(info.current_memkb, 256 * 1024);
    ck_assert_uint_eq(info.vcpu_online, 2);
    ck_assert_uint_eq(info.cpu_time, 0);    /* it never ran */
    libxl_dominfo_dispose(&info);
    during = testFreeKB(ctx);
    ck_assert_uint_eq(before - during, 256 * 1024);
    ck_assert_ptr_nonnull(name = xs_read(xs, XBT_NULL, path, &len));
    ck_assert_str_eq(name, "sync-1");
    free(name);

    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(info.running);
    libxl_dominfo_dispose(&info);

    /* running, it uses CPU time; paused, none */
    {
        uint64_t t1, t2;

        g_usleep(100 * 1000);
        ck_assert_int_eq(libxl_domain_pause(ctx, domid, NULL), 0);
        ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
        t1 = info.cpu_time;
        libxl_dominfo_dispose(&info);
        /* 0.1 s, 5% of 2 vCPUs: 10 ms */
        ck_assert_uint_ge(t1, 10 * 1000000ULL);
        g_usleep(100 * 1000);
        ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
        t2 = info.cpu_time;
        libxl_dominfo_dispose(&info);
        ck_assert_uint_eq(t1, t2);
        ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    }
    ck_assert_int_eq(libxl_console_get_tty(ctx, domid, 0, LIBXL_CONSOLE_TYPE_PV, &tty), 0);
    ck_assert(g_str_has_prefix(tty, "/dev/pts/"));
    free(tty);

    /* the stored configuration, with its generated defaults */
    libxl_domain_config_init(&got);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, domid, &got, NULL), 0);
    ck_assert_str_eq(got.c_info.name, "sync-1");
    ck_assert_uint_eq(got.b_info.max_memkb, 256 * 1024);
    libxl_domain_config_dispose(&got);

    /* names are unique; renaming checks too */
    other = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "sync-2");
    ck_assert_int_eq(libxl_domain_rename(ctx, other, "sync-2", "sync-1"), ERROR_INVAL);
    ck_assert_int_eq(libxl_domain_rename(ctx, other, "sync-2", "sync-3"), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, other, NULL), 0);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert_int_eq(libxl_domain_info(ctx, NULL, domid), ERROR_DOMAIN_NOTFOUND);
    ck_assert_uint_eq(testFreeKB(ctx), before);
    ck_assert_ptr_null(xs_read(xs, XBT_NULL, path, &len));
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), ERROR_DOMAIN_NOTFOUND);
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

/* Devices: in xenstore as libxl writes them, and in the device lists. */
static void
testXsEq(struct xs_handle *xs, const char *path, const char *want)
{
    unsigned int len;
    char *got = xs_read(xs, XBT_NULL, path, &len);

    ck_assert_msg(got, "%s: missing", path);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(test_devices)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    libxl_device_disk *disks;
    libxl_device_nic *nics;
    uint32_t domid;
    char path[128];
    int n = 0;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "devices", kernel, 64 * 1024);
    cfg.disks = calloc(1, sizeof(*cfg.disks));
    cfg.num_disks = 1;
    libxl_device_disk_init(&cfg.disks[0]);
    cfg.disks[0].vdev = strdup("xvdb");
    /* libxl stats the image: it must exist */
    cfg.disks[0].pdev_path = g_strdup_printf("%s/devices.img", testDir);
    ck_assert(g_file_set_contents(cfg.disks[0].pdev_path, "", 0, NULL));
    cfg.disks[0].format = LIBXL_DISK_FORMAT_RAW;
    cfg.nics = calloc(1, sizeof(*cfg.nics));
    cfg.num_nics = 1;
    libxl_device_nic_init(&cfg.nics[0]);
    cfg.nics[0].bridge = strdup("xenbr0");
    memcpy(cfg.nics[0].mac, "\x00\x16\x3e\x01\x02\x03", 6);
    cfg.vfbs = calloc(1, sizeof(*cfg.vfbs));
    cfg.num_vfbs = 1;
    libxl_device_vfb_init(&cfg.vfbs[0]);
    libxl_defbool_set(&cfg.vfbs[0].vnc.enable, true);
    cfg.vfbs[0].vnc.display = 3;
    cfg.vkbs = calloc(1, sizeof(*cfg.vkbs));
    cfg.num_vkbs = 1;
    libxl_device_vkb_init(&cfg.vkbs[0]);
    cfg.pcidevs = calloc(1, sizeof(*cfg.pcidevs));
    cfg.num_pcidevs = 1;
    libxl_device_pci_init(&cfg.pcidevs[0]);
    cfg.pcidevs[0].bus = 3;
    cfg.pcidevs[0].dev = 0;
    cfg.pcidevs[0].func = 1;
    /* a device given to a domain must be assignable (bound to pciback) */
    ck_assert_int_eq(libxl_device_pci_assignable_add(ctx, &cfg.pcidevs[0], 1), 0);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    /* libxl gave the nic its devid */
    ck_assert_int_eq(cfg.nics[0].devid, 0);
    libxl_domain_config_dispose(&cfg);

    g_snprintf(path, sizeof(path), "/local/domain/%u/device/vbd/51728/backend", domid);
    {
        g_autofree char *be = g_strdup_printf("/local/domain/0/backend/vbd/%u/51728", domid);

        testXsEq(xs, path, be);
    }
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u/0/bridge", domid);
    testXsEq(xs, path, "xenbr0");
    g_snprintf(path, sizeof(path), "/local/domain/%u/device/vif/0/mac", domid);
    testXsEq(xs, path, "00:16:3e:01:02:03");
    g_snprintf(path, sizeof(path), "/local/domain/%u/console/vnc-port", domid);
    testXsEq(xs, path, "5903");
    g_snprintf(path, sizeof(path), "/local/domain/%u/device/vkbd/0/state", domid);
    testXsEq(xs, path, "4");
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u/0/dev-0", domid);
    testXsEq(xs, path, "0000:03:00.1");

    disks = libxl_device_disk_list(ctx, domid, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(disks[0].vdev, "xvdb");
    libxl_device_disk_list_free(disks, n);
    nics = libxl_device_nic_list(ctx, domid, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(nics[0].bridge, "xenbr0");
    libxl_device_nic_list_free(nics, n);
    ck_assert_ptr_null(libxl_device_vtpm_list(ctx, domid, &n));
    ck_assert_int_eq(n, 0);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u", domid);
    ck_assert_ptr_null(xs_read(xs, XBT_NULL, path, &(unsigned int){ 0 }));
    ck_assert_int_eq(libxl_device_pci_assignable_remove(ctx, &(libxl_device_pci){
                         .bus = 3, .func = 1 }, 1), 0);
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

static int testDomainCount(libxl_ctx *ctx);

static bool
testPciListHas(libxl_device_pci *list, int n, unsigned bus, unsigned dev, unsigned func)
{
    int i;

    for (i = 0; i < n; i++) {
        if (list[i].domain == 0 && list[i].bus == bus && list[i].dev == dev &&
            list[i].func == func)
            return true;
    }
    return false;
}

static bool
testPciAssignable(libxl_ctx *ctx, unsigned bus, unsigned dev, unsigned func)
{
    int n = 0;
    libxl_device_pci *list = libxl_device_pci_assignable_list(ctx, &n);
    bool found = testPciListHas(list, n, bus, dev, func);

    libxl_device_pci_assignable_list_free(list, n);
    return found;
}

static bool
testXsExists(struct xs_handle *xs, const char *path)
{
    unsigned int len;
    char *v = xs_read(xs, XBT_NULL, path, &len);

    free(v);
    return v != NULL;
}

/* Create @name with PCI device 0000:BB:DD.F: its libxl rc, the domid. */
static int
testCreatePci(libxl_ctx *ctx, libxl_domain_type type, const char *name,
              unsigned bus, unsigned dev, unsigned func, uint32_t *domid)
{
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    int rc;

    testConfig(&cfg, type, name, type == LIBXL_DOMAIN_TYPE_HVM ? NULL : kernel, 64 * 1024);
    cfg.pcidevs = calloc(1, sizeof(*cfg.pcidevs));
    cfg.num_pcidevs = 1;
    libxl_device_pci_init(&cfg.pcidevs[0]);
    cfg.pcidevs[0].bus = bus;
    cfg.pcidevs[0].dev = dev;
    cfg.pcidevs[0].func = func;
    *domid = INVALID_DOMID;
    rc = libxl_domain_create_new(ctx, &cfg, domid, NULL, NULL);
    libxl_domain_config_dispose(&cfg);
    return rc;
}

/* The host's PCI bus (pci_devices), pciback and passthrough, as libxl
 * 4.17's libxl_pci.c: assignable add (the original driver remembered
 * for a rebind), remove, list; devices given at create and hotplugged;
 * a device never given to two domains. */
START_TEST(test_pci)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    libxl_device_pci nic0 = { .bus = 3, .dev = 0, .func = 0 };
    libxl_device_pci nic1 = { .bus = 3, .dev = 0, .func = 1 };
    libxl_device_pci usb = { .bus = 0, .dev = 0x1d, .func = 0 };
    libxl_device_pci gpu = { .bus = 5, .dev = 0, .func = 0 };
    libxl_device_pci absent = { .bus = 9, .dev = 0, .func = 0 };
    libxl_device_pci *list;
    uint32_t pv, other;
    char path[128];
    int n = -1;

    /* nothing is assignable on a fresh host */
    list = libxl_device_pci_assignable_list(ctx, &n);
    ck_assert_int_eq(n, 0);
    libxl_device_pci_assignable_list_free(list, n);

    /* pciback takes it; the driver it had is remembered for the rebind */
    ck_assert_int_eq(libxl_device_pci_assignable_add(ctx, &nic0, 1), 0);
    testXsEq(xs, "/libxl/pci/0000-03-00-0/driver_path", "/sys/bus/pci/drivers/e1000e");
    ck_assert(testPciAssignable(ctx, 3, 0, 0));
    ck_assert(!testPciAssignable(ctx, 3, 0, 1));
    /* again: already pciback's, fine */
    ck_assert_int_eq(libxl_device_pci_assignable_add(ctx, &nic0, 1), 0);
    /* a device the host does not have */
    ck_assert_int_eq(libxl_device_pci_assignable_add(ctx, &absent, 1), ERROR_FAIL);
    /* a device bound to no driver: nothing to rebind to */
    ck_assert_int_eq(libxl_device_pci_assignable_add(ctx, &gpu, 1), 0);
    ck_assert(!testXsExists(xs, "/libxl/pci/0000-05-00-0/driver_path"));

    /* given at create: the domain's; pciback's backend lists it */
    ck_assert_int_eq(testCreatePci(ctx, LIBXL_DOMAIN_TYPE_PV, "pci-pv", 3, 0, 0, &pv), 0);
    g_snprintf(path, sizeof(path), "%u", pv);
    testXsEq(xs, "/libxl/pci/0000-03-00-0/domid", path);
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u/0/num_devs", pv);
    testXsEq(xs, path, "1");
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u/0/dev-0", pv);
    testXsEq(xs, path, "0000:03:00.0");
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u/0/key-0", pv);
    testXsEq(xs, path, "0000:03:00.0");
    g_snprintf(path, sizeof(path), "/local/domain/%u/device/pci/0/state", pv);
    testXsEq(xs, path, "4");
    ck_assert(!testPciAssignable(ctx, 3, 0, 0));
    list = libxl_device_pci_list(ctx, pv, &n);
    ck_assert_int_eq(n, 1);
    ck_assert(testPciListHas(list, n, 3, 0, 0));
    libxl_device_pci_list_free(list, n);

    /* never to a second domain; a failed create leaves no domain */
    ck_assert_int_eq(testCreatePci(ctx, LIBXL_DOMAIN_TYPE_PV, "pci-pv2", 3, 0, 0, &other),
                     ERROR_FAIL);
    ck_assert_int_eq(testCreatePci(ctx, LIBXL_DOMAIN_TYPE_HVM, "pci-hvm", 3, 0, 0, &other),
                     ERROR_NONSPECIFIC);
    /* not pciback's: not assignable */
    ck_assert_int_eq(testCreatePci(ctx, LIBXL_DOMAIN_TYPE_PV, "pci-pv3", 3, 0, 1, &other),
                     ERROR_FAIL);
    ck_assert_int_eq(testDomainCount(ctx), 2);
    /* pciback does not give back a guest's device */
    ck_assert_int_eq(libxl_device_pci_assignable_remove(ctx, &nic0, 1), ERROR_FAIL);

    /* hotplug: only an assignable device; then it is the domain's */
    ck_assert_int_eq(libxl_device_pci_add(ctx, pv, &nic1, NULL), ERROR_FAIL);
    ck_assert_int_eq(libxl_device_pci_assignable_add(ctx, &nic1, 1), 0);
    ck_assert_int_eq(libxl_device_pci_add(ctx, pv, &nic1, NULL), 0);
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u/0/num_devs", pv);
    testXsEq(xs, path, "2");
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u/0/dev-1", pv);
    testXsEq(xs, path, "0000:03:00.1");
    ck_assert_int_eq(libxl_device_pci_add(ctx, pv, &nic1, NULL), ERROR_FAIL);
    ck_assert(!testPciAssignable(ctx, 3, 0, 1));
    /* removed: back to the quarantine, assignable again */
    ck_assert_int_eq(libxl_device_pci_remove(ctx, pv, &nic1, NULL), 0);
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/pci/%u/0/num_devs", pv);
    testXsEq(xs, path, "1");
    ck_assert(!testXsExists(xs, "/libxl/pci/0000-03-00-1/domid"));
    ck_assert(testPciAssignable(ctx, 3, 0, 1));
    ck_assert_int_eq(libxl_device_pci_remove(ctx, pv, &nic1, NULL), ERROR_INVAL);
    /* seize: libxl binds it to pciback itself, remembering its driver */
    usb.seize = true;
    ck_assert_int_eq(libxl_device_pci_add(ctx, pv, &usb, NULL), 0);
    testXsEq(xs, "/libxl/pci/0000-00-1d-0/driver_path", "/sys/bus/pci/drivers/ehci-pci");
    ck_assert_int_eq(libxl_device_pci_destroy(ctx, pv, &usb, NULL), 0);

    /* the domain's death gives its devices back to the quarantine */
    ck_assert_int_eq(libxl_domain_destroy(ctx, pv, NULL), 0);
    ck_assert(!testXsExists(xs, "/libxl/pci/0000-03-00-0/domid"));
    ck_assert(testPciAssignable(ctx, 3, 0, 0));

    /* and pciback back to the original driver */
    ck_assert_int_eq(libxl_device_pci_assignable_remove(ctx, &nic0, 1), 0);
    ck_assert(!testXsExists(xs, "/libxl/pci/0000-03-00-0/driver_path"));
    ck_assert(!testPciAssignable(ctx, 3, 0, 0));
    /* not pciback's any more: Xen has nothing to de-quarantine */
    ck_assert_int_eq(libxl_device_pci_assignable_remove(ctx, &nic0, 1), ERROR_FAIL);
    /* without rebind the original driver stays remembered */
    ck_assert_int_eq(libxl_device_pci_assignable_remove(ctx, &nic1, 0), 0);
    testXsEq(xs, "/libxl/pci/0000-03-00-1/driver_path", "/sys/bus/pci/drivers/e1000e");
    ck_assert_int_eq(libxl_device_pci_assignable_remove(ctx, &usb, 1), 0);
    ck_assert_int_eq(libxl_device_pci_assignable_remove(ctx, &gpu, 1), 0);
    list = libxl_device_pci_assignable_list(ctx, &n);
    ck_assert_int_eq(n, 0);
    libxl_device_pci_assignable_list_free(list, n);

    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

static int
testUsbPort(struct xs_handle *xs, const char *base, int port, const char *want)
{
    g_autofree char *p = g_strdup_printf("%s/port/%d", base, port);

    testXsEq(xs, p, want);
    return 0;
}

/* USB controllers and host devices, as libxl 4.17's libxl_usb.c: libxl's
 * defaults, the ports in xenstore, a device never in two domains, the
 * controller's devices removed with it, a domain's devices gone with it. */
START_TEST(test_usb)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    libxl_device_usbctrl ctrl;
    libxl_device_usbdev dev;
    libxl_device_usbdev *devs;
    libxl_device_usbctrl *ctrls;
    libxl_usbctrlinfo info;
    uint32_t pv, hvm;
    char base[128];
    int n = -1;

    pv = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "usb-pv");
    hvm = testCreate(ctx, LIBXL_DOMAIN_TYPE_HVM, "usb-hvm");
    ck_assert_ptr_null(libxl_device_usbctrl_list(ctx, pv, &n));
    ck_assert_int_eq(n, 0);

    /* a controller with libxl's defaults: qusb (no usbback), USB 2, 8 ports */
    libxl_device_usbctrl_init(&ctrl);
    ck_assert_int_eq(libxl_device_usbctrl_add(ctx, pv, &ctrl, NULL), 0);
    ck_assert_int_eq(ctrl.devid, 0);
    ck_assert_int_eq(ctrl.type, LIBXL_USBCTRL_TYPE_QUSB);
    ck_assert_int_eq(ctrl.version, 2);
    ck_assert_int_eq(ctrl.ports, 8);
    g_snprintf(base, sizeof(base), "/local/domain/0/backend/qusb/%u/0", pv);
    {
        g_autofree char *p = g_strdup_printf("%s/num-ports", base);
        g_autofree char *lp = g_strdup_printf("/libxl/%u/device/vusb/0/type", pv);

        testXsEq(xs, p, "8");
        testXsEq(xs, lp, "qusb");
    }
    testUsbPort(xs, base, 8, "");
    /* the same devid again */
    ck_assert_int_eq(libxl_device_usbctrl_add(ctx, pv, &ctrl, NULL), ERROR_DEVICE_EXISTS);
    /* libxl's limits */
    libxl_device_usbctrl_init(&ctrl);
    ctrl.ports = 32;
    ck_assert_int_eq(libxl_device_usbctrl_add(ctx, pv, &ctrl, NULL), ERROR_INVAL);
    libxl_device_usbctrl_init(&ctrl);
    ctrl.version = 2;
    ctrl.ports = 4;
    ck_assert_int_eq(libxl_device_usbctrl_add(ctx, hvm, &ctrl, NULL), ERROR_INVAL);
    libxl_device_usbctrl_dispose(&ctrl);

    /* a device: the first free port */
    libxl_device_usbdev_init(&dev);
    dev.type = LIBXL_USBDEV_TYPE_HOSTDEV;
    dev.u.hostdev.hostbus = 1;
    dev.u.hostdev.hostaddr = 2;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, pv, &dev, NULL), 0);
    ck_assert_int_eq(dev.ctrl, 0);
    ck_assert_int_eq(dev.port, 1);
    testUsbPort(xs, base, 1, "1-2");
    /* never in a second domain, nor twice in one */
    libxl_device_usbdev_init(&dev);
    dev.u.hostdev.hostbus = 1;
    dev.u.hostdev.hostaddr = 2;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, hvm, &dev, NULL), ERROR_INVAL);
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, pv, &dev, NULL), ERROR_INVAL);
    /* a hub, a device the host lacks */
    dev.u.hostdev.hostbus = 2;
    dev.u.hostdev.hostaddr = 4;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, hvm, &dev, NULL), ERROR_FAIL);
    dev.u.hostdev.hostaddr = 9;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, hvm, &dev, NULL), ERROR_FAIL);
    /* a port without a controller */
    dev.u.hostdev.hostbus = 1;
    dev.u.hostdev.hostaddr = 3;
    dev.port = 2;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, hvm, &dev, NULL), ERROR_INVAL);
    /* no controller: libxl makes one, QEMU's (an HVM guest: 6 ports) */
    dev.port = 0;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, hvm, &dev, NULL), 0);
    ck_assert_int_eq(dev.ctrl, 0);
    ck_assert_int_eq(dev.port, 1);
    ctrls = libxl_device_usbctrl_list(ctx, hvm, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(ctrls[0].type, LIBXL_USBCTRL_TYPE_DEVICEMODEL);
    ck_assert_int_eq(ctrls[0].ports, 6);
    libxl_device_usbctrl_list_free(ctrls, n);
    g_snprintf(base, sizeof(base), "/libxl/%u/device/vusb/0", hvm);
    testUsbPort(xs, base, 1, "1-3");

    devs = libxl_device_usbdev_list(ctx, pv, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(devs[0].ctrl, 0);
    ck_assert_int_eq(devs[0].port, 1);
    ck_assert_int_eq(devs[0].u.hostdev.hostbus, 1);
    ck_assert_int_eq(devs[0].u.hostdev.hostaddr, 2);
    libxl_device_usbdev_list_free(devs, n);
    libxl_usbctrlinfo_init(&info);
    ck_assert_int_eq(libxl_device_usbctrl_getinfo(ctx, pv, &(libxl_device_usbctrl){ .devid = 0 },
                                                  &info), 0);
    ck_assert_int_eq(info.ports, 8);
    ck_assert_int_eq(info.state, 4);
    libxl_usbctrlinfo_dispose(&info);

    /* removal needs its controller and port, as libxl's */
    libxl_device_usbdev_init(&dev);
    dev.u.hostdev.hostbus = 1;
    dev.u.hostdev.hostaddr = 2;
    ck_assert_int_eq(libxl_device_usbdev_remove(ctx, pv, &dev, NULL), ERROR_FAIL);
    dev.ctrl = 0;
    dev.port = 1;
    ck_assert_int_eq(libxl_device_usbdev_remove(ctx, pv, &dev, NULL), 0);
    g_snprintf(base, sizeof(base), "/local/domain/0/backend/qusb/%u/0", pv);
    testUsbPort(xs, base, 1, "");
    ck_assert_ptr_null(libxl_device_usbdev_list(ctx, pv, &n));
    /* free again: the other domain may have it */
    dev.ctrl = -1;
    dev.port = 0;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, hvm, &dev, NULL), 0);
    ck_assert_int_eq(dev.port, 2);

    /* a controller goes with its devices */
    ck_assert_int_eq(libxl_device_usbctrl_remove(ctx, hvm, &(libxl_device_usbctrl){ .devid = 0 },
                                                 NULL), 0);
    ck_assert_ptr_null(libxl_device_usbdev_list(ctx, hvm, &n));
    ck_assert_int_eq(libxl_device_usbctrl_remove(ctx, hvm, &(libxl_device_usbctrl){ .devid = 0 },
                                                 NULL), ERROR_NOTFOUND);

    /* a domain's death frees its devices */
    dev.ctrl = -1;
    dev.port = 0;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, pv, &dev, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, pv, NULL), 0);
    dev.ctrl = -1;
    dev.port = 0;
    ck_assert_int_eq(libxl_device_usbdev_add(ctx, hvm, &dev, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, hvm, NULL), 0);

    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

/* ---- device I/O: blkback statistics, the device model's QMP, xensimctl io ---- */

/* A raw image of 8 MiB, or a qcow2 one (a header with its virtual size). */
static char *
testImage(const char *name, bool qcow2)
{
    char *path = g_build_filename(testDir, name, NULL);
    guint8 hdr[104] = { 'Q', 'F', 'I', 0xfb, 0, 0, 0, 3 };
    guint64 size = 64ULL << 20;
    int i;

    if (qcow2) {
        for (i = 0; i < 8; i++)
            hdr[24 + i] = size >> (56 - 8 * i);
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

/* xensimctl's output */
static char *
testCtlOut(const char *a1, const char *a2)
{
    g_autofree char *ctl = testBuildPath("xensim/xensimctl");
    const char *argv[] = { ctl, "--dir", testDir, a1, a2, NULL };
    char *out = NULL;
    int status = -1;

    ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, NULL,
                           &status, NULL));
    ck_assert_int_eq(status, 0);
    return out;
}

/* KEY=N in the line of `xensimctl io` about the device with FIELD */
static guint64
testIoValue(const char *out, const char *field, const char *key)
{
    g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
    g_autofree char *pat = g_strdup_printf(" %s=", key);
    char **l;

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

static guint64
testStat(uint32_t domid, int devid, const char *name)
{
    g_autofree char *path =
        g_strdup_printf("/sys/bus/xen-backend/devices/vbd-%u-%d/statistics/%s",
                        domid, devid, name);
    g_autofree char *text = NULL;
    char *end = NULL;
    guint64 v;

    ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "%s: missing", path);
    v = g_ascii_strtoull(text, &end, 10);
    ck_assert_msg(end && strcmp(end, "\n") == 0, "%s: '%s' is not decimal + newline",
                  path, text);
    return v;
}

/* libxl's backend choice: raw images to blkback (vbd), qcow2 to QEMU
 * (qdisk); a path it cannot stat fails the create. */
START_TEST(test_io_backends)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    g_autofree char *kernel = testKernel();
    g_autofree char *raw = testImage("b-raw.img", false);
    g_autofree char *qcow = testImage("b-q.qcow2", true);
    libxl_domain_config cfg, got;
    uint32_t domid;
    char path[128];

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "io-backends", kernel, 64 * 1024);
    testAddDisk(&cfg, "xvda", raw, LIBXL_DISK_FORMAT_RAW);
    testAddDisk(&cfg, "xvdb", qcow, LIBXL_DISK_FORMAT_QCOW2);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);

    g_snprintf(path, sizeof(path), "/local/domain/%u/device/vbd/51712/backend", domid);
    {
        g_autofree char *be = g_strdup_printf("/local/domain/0/backend/vbd/%u/51712", domid);

        testXsEq(xs, path, be);
    }
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u/51712/params", domid);
    testXsEq(xs, path, raw);
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u/51712/type", domid);
    testXsEq(xs, path, "phy");
    g_snprintf(path, sizeof(path), "/local/domain/%u/device/vbd/51728/backend", domid);
    {
        g_autofree char *be = g_strdup_printf("/local/domain/0/backend/qdisk/%u/51728", domid);

        testXsEq(xs, path, be);
    }
    g_snprintf(path, sizeof(path), "/local/domain/0/backend/qdisk/%u/51728/params", domid);
    {
        g_autofree char *want = g_strdup_printf("qcow2:%s", qcow);

        testXsEq(xs, path, want);
    }
    /* the configuration libxl keeps says which backend it chose */
    libxl_domain_config_init(&got);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, domid, &got, NULL), 0);
    ck_assert_int_eq(got.num_disks, 2);
    ck_assert_int_eq(got.disks[0].backend, LIBXL_DISK_BACKEND_PHY);
    ck_assert_int_eq(got.disks[1].backend, LIBXL_DISK_BACKEND_QDISK);
    libxl_domain_config_dispose(&got);
    /* a PV guest with a qdisk disk has a device model */
    g_snprintf(path, sizeof(path), "/var/run/xen/qmp-libxenstat-%u", domid);
    ck_assert_int_eq(access(path, F_OK), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert_int_ne(access(path, F_OK), 0);

    /* a missing image: libxl cannot stat it */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "io-missing", kernel, 64 * 1024);
    testAddDisk(&cfg, "xvda", "/nonexistent/disk.img", LIBXL_DISK_FORMAT_RAW);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), ERROR_INVAL);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_ne(libxl_name_to_domid(ctx, "io-missing", &domid), 0);
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

/* blkback's statistics: decimal files that move while the guest runs,
 * stand still while it is paused, equal xensimctl io's counters, and go
 * with the domain. */
START_TEST(test_io_vbd_stats)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    g_autofree char *raw = testImage("s-a.img", false);
    g_autofree char *raw2 = testImage("s-b.img", false);
    g_autofree char *dir = NULL;
    g_autofree char *out = NULL;
    g_autofree char *id = NULL;
    libxl_domain_config cfg;
    static const char *const names[] = { "oo_req", "rd_req", "wr_req", "f_req",
                                         "ds_req", "rd_sect", "wr_sect" };
    guint64 rd, wr, rd2;
    uint32_t domid;
    size_t i;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "io-stats", kernel, 64 * 1024);
    testAddDisk(&cfg, "xvda", raw, LIBXL_DISK_FORMAT_RAW);
    testAddDisk(&cfg, "xvdb", raw2, LIBXL_DISK_FORMAT_RAW);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    id = g_strdup_printf("%u", domid);

    /* made with the domain, zero before it runs */
    for (i = 0; i < G_N_ELEMENTS(names); i++)
        ck_assert_uint_eq(testStat(domid, 51712, names[i]), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    g_usleep(2200 * 1000);
    /* the 1 s tick rewrote them (at least 1.2 s of running in them): 40
     * reads/s, 20 writes/s of 16 KiB */
    rd = testStat(domid, 51712, "rd_req");
    wr = testStat(domid, 51712, "wr_req");
    ck_assert_uint_ge(rd, 40);
    ck_assert_uint_le(rd, 88);
    ck_assert_uint_ge(wr, 20);
    ck_assert_uint_eq(testStat(domid, 51712, "rd_sect"), rd * 32);
    ck_assert_uint_eq(testStat(domid, 51712, "f_req"), wr / 8);

    /* paused: the files hold the counters, exactly, and stay */
    ck_assert_int_eq(libxl_domain_pause(ctx, domid, NULL), 0);
    rd = testStat(domid, 51712, "rd_req");
    wr = testStat(domid, 51712, "wr_req");
    rd2 = testStat(domid, 51728, "rd_req");
    /* the second disk does twice the first's rate */
    ck_assert_uint_ge(rd2, 2 * rd - 1);
    ck_assert_uint_le(rd2, 2 * rd + 2);
    out = testCtlOut("io", id);
    ck_assert_uint_eq(testIoValue(out, "vdev=xvda", "rd_req"), rd);
    ck_assert_uint_eq(testIoValue(out, "vdev=xvda", "wr_req"), wr);
    ck_assert_uint_eq(testIoValue(out, "vdev=xvda", "rd_sect"), rd * 32);
    ck_assert_uint_eq(testIoValue(out, "vdev=xvdb", "rd_req"), rd2);
    ck_assert_uint_eq(testIoValue(out, "vdev=xvda", "devid"), 51712);
    g_usleep(1200 * 1000);
    ck_assert_uint_eq(testStat(domid, 51712, "rd_req"), rd);
    ck_assert_uint_eq(testStat(domid, 51712, "wr_req"), wr);
    g_free(out);
    out = testCtlOut("io", id);
    ck_assert_uint_eq(testIoValue(out, "vdev=xvda", "rd_req"), rd);

    dir = g_strdup_printf("/sys/bus/xen-backend/devices/vbd-%u-51712", domid);
    ck_assert(g_file_test(dir, G_FILE_TEST_IS_DIR));
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert(!g_file_test(dir, G_FILE_TEST_EXISTS));
    libxl_ctx_free(ctx);
}
END_TEST

/* A QMP client of the libxenstat monitor: connect (through libxensim's
 * connect(), at Xen's path), read the greeting. */
static int
testQmpConnect(uint32_t domid, char **greeting)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    ck_assert_int_ge(fd, 0);
    g_snprintf(addr.sun_path, sizeof(addr.sun_path), "/var/run/xen/qmp-libxenstat-%u", domid);
    ck_assert_msg(connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0,
                  "connect %s: %s", addr.sun_path, g_strerror(errno));
    *greeting = NULL;
    return fd;
}

/* One line from the monitor ("\r\n"-terminated) */
static char *
testQmpLine(int fd)
{
    GString *line = g_string_new(NULL);
    char ch;

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };

        ck_assert_msg(poll(&pfd, 1, 2000) == 1, "QMP: no answer");
        ck_assert_int_eq(read(fd, &ch, 1), 1);
        if (ch == '\n')
            break;
        g_string_append_c(line, ch);
    }
    ck_assert(line->len && line->str[line->len - 1] == '\r');
    g_string_truncate(line, line->len - 1);
    return g_string_free(line, FALSE);
}

static char *
testQmp(int fd, const char *cmd)
{
    ck_assert_int_eq(write(fd, cmd, strlen(cmd)), (ssize_t)strlen(cmd));
    return testQmpLine(fd);
}

/* "KEY": N in the "stats" of the query-blockstats entry whose text has
 * ANCHOR (the entry's own stats: they follow its "parent") */
static guint64
testQmpStat(const char *reply, const char *anchor, const char *key)
{
    g_autofree char *pat = g_strdup_printf("\"%s\": ", key);
    const char *start = strstr(reply, anchor), *k;

    ck_assert_msg(start, "%s not in %s", anchor, reply);
    while (start > reply && strncmp(start, "{\"device\"", 9) != 0)
        start--;
    k = strstr(start, "}, \"stats\": ");
    ck_assert_ptr_nonnull(k);
    k = strstr(k, pat);
    ck_assert_msg(k, "%s not in %s", key, reply);
    return g_ascii_strtoull(k + strlen(pat), NULL, 10);
}

/* The device model's QMP monitor as QEMU 7.2 answers: greeting, the
 * capabilities negotiation first, query-blockstats with QEMU's names for
 * an HVM guest's emulated IDE disks and xen-block (qdisk) drives, errors
 * as QEMU's; counters frozen while paused; gone with the domain. */
START_TEST(test_io_qmp)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *raw = testImage("q-a.img", false);
    g_autofree char *qcow = testImage("q-b.qcow2", true);
    g_autofree char *id = NULL;
    g_autofree char *sock = NULL;
    libxl_domain_config cfg;
    uint32_t domid;
    char *r, *g;
    guint64 emu_rd, xb_rd, xb_wr;
    int fd;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_HVM, "io-qmp", NULL, 64 * 1024);
    testAddDisk(&cfg, "hda", raw, LIBXL_DISK_FORMAT_RAW);
    testAddDisk(&cfg, "xvdb", qcow, LIBXL_DISK_FORMAT_QCOW2);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    id = g_strdup_printf("%u", domid);
    sock = g_strdup_printf("%s/root/var/run/xen/qmp-libxenstat-%u", testDir, domid);
    ck_assert(g_file_test(sock, G_FILE_TEST_EXISTS));

    fd = testQmpConnect(domid, &g);
    g = testQmpLine(fd);
    ck_assert_str_eq(g, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, "
                     "\"major\": 7}, \"package\": \"Debian 1:7.2+dfsg-7+deb12u7\"}, "
                     "\"capabilities\": [\"oob\"]}}");
    g_free(g);
    /* nothing before qmp_capabilities */
    r = testQmp(fd, "{\"execute\": \"query-blockstats\"}");
    ck_assert_str_eq(r, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                     "\"Expecting capabilities negotiation with 'qmp_capabilities'\"}}");
    g_free(r);
    r = testQmp(fd, "{ \"execute\": \"qmp_capabilities\", \"id\": 7 }");
    ck_assert_str_eq(r, "{\"return\": {}, \"id\": 7}");
    g_free(r);
    r = testQmp(fd, "{\"execute\": \"qmp_capabilities\"}");
    ck_assert_str_eq(r, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                     "\"Capabilities negotiation is already complete, command ignored\"}}");
    g_free(r);
    r = testQmp(fd, "{\"execute\": \"no-such-command\", \"id\": \"x\"}");
    ck_assert_str_eq(r, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": "
                     "\"The command no-such-command has not been found\"}, \"id\": \"x\"}");
    g_free(r);
    r = testQmp(fd, "{\"execute\": \"query-status\", \"arguments\": {\"bogus\": 1}}");
    ck_assert_str_eq(r, "{\"error\": {\"class\": \"GenericError\", \"desc\": "
                     "\"Parameter 'bogus' is unexpected\"}}");
    g_free(r);
    r = testQmp(fd, "{\"execute\": \"query-version\"}");
    ck_assert_str_eq(r, "{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}, "
                     "\"package\": \"Debian 1:7.2+dfsg-7+deb12u7\"}}");
    g_free(r);

    /* both disks are emulated (IDE index 0 and 1); the qcow2 one also
     * has its xen-block drive; nothing ran yet */
    r = testQmp(fd, "{\"execute\": \"query-blockstats\"}");
    ck_assert_ptr_nonnull(strstr(r, "\"device\": \"ide0-hd0\""));
    ck_assert_ptr_nonnull(strstr(r, "\"device\": \"ide0-hd1\""));
    ck_assert_ptr_nonnull(strstr(r, "\"node-name\": \"xvdb-qcow2\""));
    ck_assert_uint_eq(testQmpStat(r, "\"ide0-hd0\"", "rd_operations"), 0);
    ck_assert_uint_eq(testQmpStat(r, "\"xvdb-qcow2\"", "rd_operations"), 0);
    g_free(r);
    r = testQmp(fd, "{\"execute\": \"query-block\"}");
    ck_assert_ptr_nonnull(strstr(r, "\"drv\": \"qcow2\""));
    ck_assert_ptr_nonnull(strstr(r, "\"virtual-size\": 67108864"));
    g_free(r);

    /* with PV drivers the guest uses the PV disks: xen-block moves, the
     * emulated disks stay */
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    r = testQmp(fd, "{\"execute\": \"query-status\"}");
    ck_assert_str_eq(r, "{\"return\": {\"status\": \"running\", \"singlestep\": false, "
                     "\"running\": true}}");
    g_free(r);
    g_usleep(500 * 1000);
    ck_assert_int_eq(libxl_domain_pause(ctx, domid, NULL), 0);
    r = testQmp(fd, "{\"execute\": \"query-blockstats\"}");
    xb_rd = testQmpStat(r, "\"xvdb-qcow2\"", "rd_operations");
    xb_wr = testQmpStat(r, "\"xvdb-qcow2\"", "wr_operations");
    /* xvdb is the second disk: twice 40 reads/s */
    ck_assert_uint_ge(xb_rd, 30);
    ck_assert_uint_le(xb_rd, 80);
    ck_assert_uint_eq(testQmpStat(r, "\"xvdb-qcow2\"", "rd_bytes"), xb_rd * 16384);
    ck_assert_uint_eq(testQmpStat(r, "\"xvdb-qcow2\"", "wr_bytes"), xb_wr * 16384);
    ck_assert_uint_eq(testQmpStat(r, "\"xvdb-qcow2\"", "rd_total_time_ns"), xb_rd * 250000);
    ck_assert_uint_eq(testQmpStat(r, "\"ide0-hd0\"", "rd_operations"), 0);
    g_free(r);
    r = testQmp(fd, "{\"execute\": \"query-status\"}");
    ck_assert_str_eq(r, "{\"return\": {\"status\": \"paused\", \"singlestep\": false, "
                     "\"running\": false}}");
    g_free(r);
    /* paused: frozen, and what xensimctl io says */
    g_usleep(300 * 1000);
    r = testQmp(fd, "{\"execute\": \"query-blockstats\"}");
    ck_assert_uint_eq(testQmpStat(r, "\"xvdb-qcow2\"", "rd_operations"), xb_rd);
    g_free(r);
    {
        g_autofree char *out = testCtlOut("io", id);

        ck_assert_uint_eq(testIoValue(out, "vdev=xvdb", "rd_req"), xb_rd);
        ck_assert_uint_eq(testIoValue(out, "vdev=xvdb", "wr_req"), xb_wr);
        ck_assert_ptr_nonnull(strstr(out, "emulated=ide0-hd0"));
        ck_assert_ptr_nonnull(strstr(out, "node=xvdb-qcow2"));
    }

    /* without PV drivers it uses the emulated disks */
    ck_assert_int_eq(testCtl5("guest", id, "set", "pv-drivers", "off"), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    g_usleep(300 * 1000);
    ck_assert_int_eq(libxl_domain_pause(ctx, domid, NULL), 0);
    r = testQmp(fd, "{\"execute\": \"query-blockstats\"}");
    emu_rd = testQmpStat(r, "\"ide0-hd0\"", "rd_operations");
    ck_assert_uint_ge(emu_rd, 8);
    ck_assert_uint_eq(testQmpStat(r, "\"xvdb-qcow2\"", "rd_operations"), xb_rd);
    g_free(r);
    close(fd);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert(!g_file_test(sock, G_FILE_TEST_EXISTS));
    libxl_ctx_free(ctx);
}
END_TEST

/* ---- netback: vifs in xensimd's own network namespace ---- */

static void
xensimStartNetns(void)
{
    testNetns = true;
    xensimStart();
    testNetns = false;
}

/* Run a command in xensimd's network namespace; its output. */
static char *
testInNetns(const char *cmd)
{
    g_autofree char *full = g_strdup_printf("nsenter -t %d --net -- sh -c '%s'",
                                            (int)testPid, cmd);
    char *out = NULL;
    int status = -1;

    ck_assert(g_spawn_command_line_sync(full, &out, NULL, &status, NULL));
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s failed", full);
    return out;
}

/* rx or tx packets and bytes of @ifname in xensimd's /proc/PID/net/dev */
static void
testNetDev(const char *ifname, guint64 *rx_p, guint64 *rx_b, guint64 *tx_p,
           guint64 *tx_b)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/net/dev", (int)testPid);
    g_autofree char *text = NULL;
    g_autofree char *pat = g_strdup_printf("%s:", ifname);
    const char *line;
    unsigned long long v[16];

    ck_assert(g_file_get_contents(path, &text, NULL, NULL));
    for (line = text; (line = strstr(line, pat)); line++) {
        if (line == text || line[-1] == ' ' || line[-1] == '\n')
            break;
    }
    ck_assert_msg(line, "%s not in %s", ifname, text);
    ck_assert_int_eq(sscanf(line + strlen(pat),
                            "%llu %llu %llu %llu %llu %llu %llu %llu "
                            "%llu %llu %llu %llu",
                            &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                            &v[8], &v[9], &v[10], &v[11]), 12);
    *rx_b = v[0];
    *rx_p = v[1];
    *tx_b = v[8];
    *tx_p = v[9];
    /* nothing dropped: the frames are taken as real traffic is */
    ck_assert_msg(v[3] == 0 && v[11] == 0, "%s: drops: %s", ifname, line);
}

/* Each nic a veth pair vifD.N on its bridge (a missing bridge: logged,
 * unattached); frames at the configured rates while the guest runs,
 * none while paused; what the kernel counted equals xensimctl io; the
 * vifs go with the domain. */
START_TEST(test_io_netback)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    g_autofree char *out = NULL;
    g_autofree char *id = NULL;
    g_autofree char *vif0 = NULL;
    g_autofree char *vif1 = NULL;
    g_autofree char *cmd = NULL;
    g_autofree char *log = NULL;
    g_autofree char *logpath = g_build_filename(testDir, "xensimd.log", NULL);
    g_autofree char *ctl = NULL;
    libxl_domain_config cfg;
    guint64 rx_p, rx_b, tx_p, tx_b, rx_p2, rx_b2, tx_p2, tx_b2;
    uint32_t domid;
    int i;

    /* a bridge without IPv6; its IGMP reports (sent as it comes up) are
     * over before the vif joins: it floods nothing of its own */
    g_free(testInNetns("ip link add xenbr0 type bridge && "
                       "echo 1 > /proc/sys/net/ipv6/conf/xenbr0/disable_ipv6 && "
                       "ip link set xenbr0 up"));
    g_usleep(2500 * 1000);
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "io-net", kernel, 64 * 1024);
    cfg.nics = calloc(2, sizeof(*cfg.nics));
    cfg.num_nics = 2;
    for (i = 0; i < 2; i++) {
        libxl_device_nic_init(&cfg.nics[i]);
        cfg.nics[i].bridge = strdup(i == 0 ? "xenbr0" : "nobr0");
        memcpy(cfg.nics[i].mac, "\x00\x16\x3e\x00\x00\x01", 6);
        cfg.nics[i].mac[5] += i;
    }
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    id = g_strdup_printf("%u", domid);
    vif0 = g_strdup_printf("vif%u.0", domid);
    vif1 = g_strdup_printf("vif%u.1", domid);

    cmd = g_strdup_printf("ip -o link show %s", vif0);
    out = testInNetns(cmd);
    ck_assert_msg(strstr(out, "master xenbr0") && strstr(out, "state UP"), "%s", out);
    g_free(out);
    g_free(cmd);
    cmd = g_strdup_printf("ip -o link show %s", vif1);
    out = testInNetns(cmd);
    ck_assert_msg(!strstr(out, "master"), "%s", out);
    g_free(out);
    ck_assert(g_file_get_contents(logpath, &log, NULL, NULL));
    ck_assert_ptr_nonnull(strstr(log, "bridge nobr0 does not exist"));

    /* paused since its creation: nothing sent */
    testNetDev(vif0, &rx_p, &rx_b, &tx_p, &tx_b);
    ck_assert_uint_eq(rx_p + tx_p, 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    g_usleep(2200 * 1000);
    ck_assert_int_eq(libxl_domain_pause(ctx, domid, NULL), 0);
    testNetDev(vif0, &rx_p, &rx_b, &tx_p, &tx_b);
    /* 2.2 s: the guest sent 5 frames/s (the vif's rx), received 10/s */
    ck_assert_uint_ge(rx_p, 10);
    ck_assert_uint_le(rx_p, 12);
    ck_assert_uint_ge(tx_p, 21);
    ck_assert_uint_le(tx_p, 23);
    ck_assert_uint_eq(rx_b, rx_p * 1000);
    ck_assert_uint_eq(tx_b, tx_p * 1000);
    out = testCtlOut("io", id);
    ck_assert_uint_eq(testIoValue(out, "vif=" , "vif_rx_packets"), rx_p);
    ck_assert_uint_eq(testIoValue(out, "vif=", "vif_tx_packets"), tx_p);
    ck_assert_uint_eq(testIoValue(out, "vif=", "vif_tx_bytes"), tx_b);
    /* the second nic does twice the rates */
    testNetDev(vif1, &rx_p2, &rx_b2, &tx_p2, &tx_b2);
    ck_assert_uint_ge(tx_p2, 2 * tx_p - 1);
    ck_assert_uint_le(tx_p2, 2 * tx_p + 2);
    /* paused: nothing moves */
    g_usleep(1200 * 1000);
    testNetDev(vif0, &rx_p2, &rx_b2, &tx_p2, &tx_b2);
    ck_assert_uint_eq(rx_p2, rx_p);
    ck_assert_uint_eq(tx_p2, tx_p);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ctl = g_strdup_printf("/proc/%d/net/dev", (int)testPid);
    g_free(log);
    ck_assert(g_file_get_contents(ctl, &log, NULL, NULL));
    ck_assert_ptr_null(strstr(log, vif0));
    ck_assert_ptr_null(strstr(log, vif1));
    libxl_ctx_free(ctx);
}
END_TEST

/* libxl's create waits for console/tty: a slow xenconsoled slows it. */
START_TEST(test_create_waits_console)
{
    libxl_ctx *ctx = testCtx();
    gint64 start;
    uint32_t domid;
    char *tty = NULL;

    ck_assert_int_eq(testCtl5("host", "set", "console_delay_ms", "400", NULL), 0);
    start = g_get_monotonic_time();
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "slow-console");
    ck_assert_int_ge(g_get_monotonic_time() - start, 390 * 1000);
    ck_assert_int_eq(libxl_console_get_tty(ctx, domid, 0, LIBXL_CONSOLE_TYPE_PV, &tty), 0);
    free(tty);
    ck_assert_int_eq(testCtl5("host", "set", "console_delay_ms", "10", NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_create_errors)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    uint64_t before = testFreeKB(ctx);
    libxl_domain_config cfg;
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "taken"), d2;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "taken", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &d2, NULL, NULL), ERROR_INVAL);
    libxl_domain_config_dispose(&cfg);

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "no-kernel", "/nonexistent/vmlinuz", 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &d2, NULL, NULL), ERROR_FAIL);
    ck_assert_uint_eq(d2, (uint32_t)INVALID_DOMID);
    libxl_domain_config_dispose(&cfg);

    /* the host is short: the build fails, the domain goes */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "huge", kernel, 64ULL * 1024 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &d2, NULL, NULL), ERROR_FAIL);
    ck_assert_uint_eq(d2, (uint32_t)INVALID_DOMID);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_eq(libxl_name_to_domid(ctx, "huge", &d2), ERROR_DOMAIN_NOTFOUND);

    /* an injected fault */
    ck_assert_int_eq(testCtl5("fault", "set", "libxl_domain_create_new", "ERROR_FAIL",
                              "once"), 0);
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "faulty", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &d2, NULL, NULL), ERROR_FAIL);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &d2, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_eq(libxl_domain_destroy(ctx, d2, NULL), 0);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert_uint_eq(testFreeKB(ctx), before);
    libxl_ctx_free(ctx);
}
END_TEST

/* No hooks: the application polls with libxl_event_wait. */
START_TEST(test_events_no_hooks)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    libxl_asyncop_how how = { .callback = NULL, .u.for_event = 42 };
    libxl_asyncprogress_how aop = { .callback = NULL, .for_event = 43 };
    libxl_evgen_domain_death *dw = NULL;
    libxl_event *ev;
    uint32_t domid = INVALID_DOMID;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "noh", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, &how, &aop), 0);
    /* the domid is known when the operation completes */
    ck_assert_int_eq(libxl_event_wait(ctx, &ev, MASK(DOMAIN_CREATE_CONSOLE_AVAILABLE),
                                      NULL, NULL), 0);
    ck_assert_uint_eq(ev->for_user, 43);
    libxl_event_free(ctx, ev);
    ck_assert_int_eq(libxl_event_wait(ctx, &ev, MASK(OPERATION_COMPLETE), NULL, NULL), 0);
    ck_assert_uint_eq(ev->for_user, 42);
    ck_assert_uint_eq(ev->domid, 0);    /* libxl's AO_CREATE(ctx, 0, ...) */
    ck_assert_uint_ne(domid, (uint32_t)INVALID_DOMID);
    ck_assert_int_eq(ev->u.operation_complete.rc, 0);
    libxl_event_free(ctx, ev);
    libxl_domain_config_dispose(&cfg);

    ck_assert_int_eq(libxl_evenable_domain_death(ctx, domid, 7, &dw), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    ck_assert_int_eq(libxl_domain_shutdown(ctx, domid, NULL), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN) | MASK(DOMAIN_DEATH), domid);
    ck_assert_int_eq(ev->type, LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN);
    ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, LIBXL_SHUTDOWN_REASON_POWEROFF);
    ck_assert_uint_eq(ev->for_user, 7);
    libxl_event_free(ctx, ev);
    /* reported once */
    testNoEvent(ctx, MASK(DOMAIN_SHUTDOWN), domid, 150);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN) | MASK(DOMAIN_DEATH), domid);
    ck_assert_int_eq(ev->type, LIBXL_EVENT_TYPE_DOMAIN_DEATH);
    libxl_event_free(ctx, ev);
    testNoEvent(ctx, MASK(DOMAIN_DEATH), domid, 100);
    libxl_evdisable_domain_death(ctx, dw);

    /* a watch on a domain that is not there: death at once */
    ck_assert_int_eq(libxl_evenable_domain_death(ctx, 4242, 0, &dw), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_DEATH), 4242);
    libxl_event_free(ctx, ev);
    libxl_evdisable_domain_death(ctx, dw);
    libxl_ctx_free(ctx);
}
END_TEST

static void
tCallbackCount(libxl_ctx *ctx, int rc, void *for_callback)
{
    int *done = for_callback;

    *done = rc == 0 ? 1 : rc;
}

/* No hooks, the application's own poll: libxl_osevent_beforepoll/afterpoll. */
START_TEST(test_events_beforepoll)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    volatile int done = 0;
    libxl_asyncop_how how = { .callback = tCallbackCount, .u.for_callback = (void *)&done };
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    uint32_t domid = INVALID_DOMID;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "polled", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, &how, NULL), 0);
    while (!done && g_get_monotonic_time() < end) {
        struct pollfd fds[8];
        struct timeval now;
        int nfds = G_N_ELEMENTS(fds), timeout = -1;

        gettimeofday(&now, NULL);
        ck_assert_int_eq(libxl_osevent_beforepoll(ctx, &nfds, fds, &timeout, now), 0);
        ck_assert_int_ge(nfds, 1);
        poll(fds, nfds, timeout < 0 || timeout > 100 ? 100 : timeout);
        gettimeofday(&now, NULL);
        libxl_osevent_afterpoll(ctx, nfds, fds, now);
    }
    ck_assert_int_eq(done, 1);
    ck_assert_uint_ne(domid, (uint32_t)INVALID_DOMID);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    libxl_ctx_free(ctx);
}
END_TEST

/* The application's event loop, as a test harness: the hooks. */
#define T_SLOTS 32
typedef struct {
    bool used;
    int fd;
    short events;
    void *for_libxl;
    struct timeval abs;
} TSlot;
static TSlot tFds[T_SLOTS], tTimeouts[T_SLOTS];
static int tTimeoutsModified;

static TSlot *
tSlotNew(TSlot *slots)
{
    int i;

    for (i = 0; i < T_SLOTS; i++) {
        if (!slots[i].used) {
            memset(&slots[i], 0, sizeof(slots[i]));
            slots[i].used = true;
            return &slots[i];
        }
    }
    ck_abort_msg("out of slots");
    return NULL;
}

static int
tFdRegister(void *user, int fd, void **for_app, short events, void *for_libxl)
{
    TSlot *s = tSlotNew(tFds);

    s->fd = fd;
    s->events = events;
    s->for_libxl = for_libxl;
    *for_app = s;
    return 0;
}

static int
tFdModify(void *user, int fd, void **for_app, short events)
{
    ((TSlot *)*for_app)->events = events;
    return 0;
}

static void
tFdDeregister(void *user, int fd, void *for_app)
{
    ((TSlot *)for_app)->used = false;
}

static int
tTimeoutRegister(void *user, void **for_app, struct timeval abs, void *for_libxl)
{
    TSlot *s = tSlotNew(tTimeouts);

    s->abs = abs;
    s->for_libxl = for_libxl;
    *for_app = s;
    return 0;
}

static int
tTimeoutModify(void *user, void **for_app, struct timeval abs)
{
    ((TSlot *)*for_app)->abs = abs;
    tTimeoutsModified++;
    return 0;
}

static void
tTimeoutDeregister(void *user, void *for_app)
{
    ((TSlot *)for_app)->used = false;
}

static const libxl_osevent_hooks tHooks = {
    .fd_register = tFdRegister,
    .fd_modify = tFdModify,
    .fd_deregister = tFdDeregister,
    .timeout_register = tTimeoutRegister,
    .timeout_modify = tTimeoutModify,
    .timeout_deregister = tTimeoutDeregister,
};

static int
tFdCount(void)
{
    int i, n = 0;

    for (i = 0; i < T_SLOTS; i++)
        n += tFds[i].used;
    return n;
}

/* Run the loop for up to ms, or until *flag. */
static void
tLoop(libxl_ctx *ctx, int ms, volatile int *flag)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end && !(flag && *flag)) {
        struct pollfd fds[T_SLOTS];
        TSlot *which[T_SLOTS];
        struct timeval now;
        int i, n = 0;

        for (i = 0; i < T_SLOTS; i++) {
            if (tFds[i].used) {
                fds[n] = (struct pollfd){ .fd = tFds[i].fd, .events = tFds[i].events };
                which[n++] = &tFds[i];
            }
        }
        poll(fds, n, 10);
        for (i = 0; i < n; i++) {
            if (fds[i].revents && which[i]->used)
                libxl_osevent_occurred_fd(ctx, which[i]->for_libxl, fds[i].fd,
                                          fds[i].events, fds[i].revents);
        }
        gettimeofday(&now, NULL);
        for (i = 0; i < T_SLOTS; i++) {
            if (tTimeouts[i].used && timercmp(&tTimeouts[i].abs, &now, <=)) {
                tTimeouts[i].used = false;
                libxl_osevent_occurred_timeout(ctx, tTimeouts[i].for_libxl);
            }
        }
    }
}

typedef struct {
    GPtrArray *events;
    volatile int count;
    volatile int ao_done;
    int ao_rc;
    volatile int console;
    libxl_ctx *ctx;
    bool reenter;
} TEvents;

static void
tEventOccurs(void *user, libxl_event *ev)
{
    TEvents *t = user;

    /* a callback may call libxl again: no lock of libxl's is held */
    if (t->reenter)
        ck_assert_int_eq(libxl_domain_info(t->ctx, NULL, 0), 0);
    g_ptr_array_add(t->events, ev);
    t->count++;
}

static void
tAoDone(libxl_ctx *ctx, int rc, void *for_callback)
{
    TEvents *t = for_callback;

    ck_assert_int_eq(libxl_domain_info(ctx, NULL, 0), 0);
    t->ao_rc = rc;
    t->ao_done++;
}

static void
tConsoleReady(libxl_ctx *ctx, libxl_event *ev, void *for_callback)
{
    TEvents *t = for_callback;
    char *tty = NULL;

    /* as libvirt's libxlConsoleCallback: the tty is there */
    ck_assert_int_eq(libxl_console_get_tty(ctx, ev->domid, 0, LIBXL_CONSOLE_TYPE_PV,
                                           &tty), 0);
    free(tty);
    libxl_event_free(ctx, ev);
    t->console++;
}

static void
tEventsFree(TEvents *t)
{
    guint i;

    for (i = 0; i < t->events->len; i++)
        libxl_event_free(t->ctx, g_ptr_array_index(t->events, i));
    g_ptr_array_free(t->events, TRUE);
}

static libxl_ctx *
tCtxHooked(TEvents *t, libxl_event_hooks *ehooks)
{
    libxl_ctx *ctx = testCtx();

    memset(tFds, 0, sizeof(tFds));
    memset(tTimeouts, 0, sizeof(tTimeouts));
    tTimeoutsModified = 0;
    memset(t, 0, sizeof(*t));
    t->events = g_ptr_array_new();
    t->ctx = ctx;
    t->reenter = true;
    ehooks->event_occurs_mask = LIBXL_EVENTMASK_ALL;
    ehooks->event_occurs = tEventOccurs;
    ehooks->disaster = NULL;
    libxl_osevent_register_hooks(ctx, &tHooks, NULL);
    libxl_event_register_callbacks(ctx, ehooks, t);
    return ctx;
}

/* With hooks: callback ao, death watch, events through event_occurs. */
START_TEST(test_events_hooks)
{
    libxl_event_hooks ehooks;
    TEvents t;
    libxl_ctx *ctx = tCtxHooked(&t, &ehooks);
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    libxl_asyncop_how how = { .callback = tAoDone, .u.for_callback = &t };
    libxl_asyncprogress_how aop = { .callback = tConsoleReady, .for_callback = &t };
    libxl_evgen_domain_death *dw = NULL;
    libxl_event *ev;
    uint32_t domid = INVALID_DOMID;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "hooked", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, &how, &aop), 0);
    ck_assert_int_eq(t.ao_done, 0);
    /* the event connection and the ao's timeout went to the hooks */
    ck_assert_int_ge(tFdCount(), 1);
    tLoop(ctx, 3000, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 1);
    ck_assert_int_eq(t.ao_rc, 0);
    ck_assert_int_eq(t.console, 1);
    ck_assert_uint_ne(domid, (uint32_t)INVALID_DOMID);
    /* its timeout was moved to now, and reported by the loop */
    ck_assert_int_ge(tTimeoutsModified, 1);
    libxl_domain_config_dispose(&cfg);

    ck_assert_int_eq(libxl_evenable_domain_death(ctx, domid, 9, &dw), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    tLoop(ctx, 100, NULL);
    ck_assert_int_eq(t.count, 0);
    ck_assert_int_eq(libxl_domain_reboot(ctx, domid, NULL), 0);
    tLoop(ctx, 3000, &t.count);
    ck_assert_int_eq(t.count, 1);
    ev = g_ptr_array_index(t.events, 0);
    ck_assert_int_eq(ev->type, LIBXL_EVENT_TYPE_DOMAIN_SHUTDOWN);
    ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, LIBXL_SHUTDOWN_REASON_REBOOT);
    ck_assert_uint_eq(ev->for_user, 9);

    /* an asynchronous destroy; death, once */
    t.ao_done = 0;
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, &how), 0);
    tLoop(ctx, 3000, &t.ao_done);
    ck_assert_int_eq(t.ao_rc, 0);
    tLoop(ctx, 200, NULL);
    ck_assert_int_eq(t.count, 2);
    ev = g_ptr_array_index(t.events, 1);
    ck_assert_int_eq(ev->type, LIBXL_EVENT_TYPE_DOMAIN_DEATH);
    libxl_evdisable_domain_death(ctx, dw);

    /* nothing stays registered after libxl_ctx_free */
    tEventsFree(&t);
    libxl_ctx_free(ctx);
    ck_assert_int_eq(tFdCount(), 0);
}
END_TEST

/* The deadline of an operation passes (the loop reports its timeout):
 * it fails with ERROR_TIMEDOUT and libxl destroys what it was building. */
START_TEST(test_ao_timeout)
{
    libxl_event_hooks ehooks;
    TEvents t;
    libxl_ctx *ctx = tCtxHooked(&t, &ehooks);
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    libxl_asyncop_how how = { .callback = tAoDone, .u.for_callback = &t };
    uint32_t domid = INVALID_DOMID, found;
    int i, fired = 0;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "slow-2", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, &how, NULL), 0);
    ck_assert_int_eq(libxl_name_to_domid(ctx, "slow-2", &found), 0);
    for (i = 0; i < T_SLOTS; i++) {
        if (tTimeouts[i].used) {
            tTimeouts[i].used = false;
            libxl_osevent_occurred_timeout(ctx, tTimeouts[i].for_libxl);
            fired++;
        }
    }
    ck_assert_int_eq(fired, 1);
    tLoop(ctx, 3000, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 1);
    ck_assert_int_eq(t.ao_rc, ERROR_TIMEDOUT);
    ck_assert_uint_eq(domid, (uint32_t)INVALID_DOMID);
    tLoop(ctx, 100, NULL);
    ck_assert_int_eq(libxl_name_to_domid(ctx, "slow-2", &found), ERROR_DOMAIN_NOTFOUND);
    libxl_domain_config_dispose(&cfg);
    tEventsFree(&t);
    libxl_ctx_free(ctx);
}
END_TEST

/* libxl_domain_shutdown waits for the guest's acknowledgement: at once
 * for a listening guest (its shutdown comes later), never for a hung one
 * (the 60 s deadline, fired here by the loop: ERROR_TIMEDOUT). */
START_TEST(test_shutdown_ack)
{
    libxl_event_hooks ehooks;
    TEvents t;
    libxl_ctx *ctx = tCtxHooked(&t, &ehooks);
    libxl_asyncop_how how = { .callback = tAoDone, .u.for_callback = &t };
    libxl_evgen_domain_death *dw = NULL;
    uint32_t ok = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "acks-1");
    uint32_t hung = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "hung-1");
    struct xs_handle *xs = xs_open(0);
    char path[64];
    int i, fired = 0;

    t.reenter = false;
    ck_assert_int_eq(libxl_evenable_domain_death(ctx, ok, 1, &dw), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, ok, NULL), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, hung, NULL), 0);
    tLoop(ctx, 100, NULL);

    /* acknowledged before the guest is down: the ao first, then the event */
    ck_assert_int_eq(libxl_domain_shutdown(ctx, ok, &how), 0);
    tLoop(ctx, 3000, &t.ao_done);
    ck_assert_int_eq(t.ao_rc, 0);
    ck_assert_int_eq(t.count, 0);
    tLoop(ctx, 3000, &t.count);
    ck_assert_int_eq(t.count, 1);

    /* a hung guest never clears control/shutdown */
    t.ao_done = 0;
    for (i = 0; i < T_SLOTS; i++)
        tTimeouts[i].used = false;
    ck_assert_int_eq(libxl_domain_reboot(ctx, hung, &how), 0);
    tLoop(ctx, 300, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 0);
    g_snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", hung);
    testXsEq(xs, path, "reboot");
    for (i = 0; i < T_SLOTS; i++) {
        if (tTimeouts[i].used) {
            tTimeouts[i].used = false;
            libxl_osevent_occurred_timeout(ctx, tTimeouts[i].for_libxl);
            fired++;
        }
    }
    ck_assert_int_eq(fired, 1);
    tLoop(ctx, 1000, &t.ao_done);
    ck_assert_int_eq(t.ao_rc, ERROR_TIMEDOUT);

    /* no PV control interface: refused at once, no callback */
    t.ao_done = 0;
    ck_assert_int_eq(libxl_domain_shutdown(ctx, 4242, &how), ERROR_DOMAIN_NOTFOUND);
    tLoop(ctx, 100, NULL);
    ck_assert_int_eq(t.ao_done, 0);

    ck_assert_int_eq(libxl_domain_destroy(ctx, ok, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, hung, NULL), 0);
    libxl_evdisable_domain_death(ctx, dw);
    xs_close(xs);
    tEventsFree(&t);
    libxl_ctx_free(ctx);
}
END_TEST

/* libxl_domain_suspend: a child writes the stream after the guest
 * suspended; the domain is left shut down (suspend); resume runs it. */
START_TEST(test_save_stream)
{
    libxl_ctx *ctx = testCtx();
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "save-1");
    char path[] = "/tmp/xensim-save-XXXXXX";
    libxl_dominfo info;
    struct stat sb;
    char magic[16];
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    ck_assert_int_eq(libxl_domain_suspend(ctx, domid, fd, 0, NULL), 0);
    ck_assert_int_eq(fstat(fd, &sb), 0);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(info.shutdown);
    ck_assert_int_eq(info.shutdown_reason, LIBXL_SHUTDOWN_REASON_SUSPEND);
    ck_assert_int_gt(sb.st_size, (off_t)info.current_memkb * 1024);
    ck_assert_int_eq(pread(fd, magic, 16, 0), 16);
    ck_assert(memcmp(magic, "XenSimSaveStrm\n", 16) == 0);
    libxl_dominfo_dispose(&info);
    ck_assert_int_eq(libxl_domain_resume(ctx, domid, 1, NULL), 0);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(!info.shutdown);
    libxl_dominfo_dispose(&info);
    ck_assert_int_eq(libxl_domain_suspend(ctx, domid, open("/dev/full", O_WRONLY), 0, NULL),
                     ERROR_FAIL);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    close(fd);
    unlink(path);
    libxl_ctx_free(ctx);
}
END_TEST

static int
testDomainCount(libxl_ctx *ctx)
{
    int n = 0;
    libxl_dominfo *l = libxl_list_domain(ctx, &n);

    libxl_dominfo_list_free(l, n);
    return n;
}

/* Save to a file, then restore it (sync) with the saved configuration:
 * rc, and on success the new domain's domid (paused). */
static int
testRestoreFile(libxl_ctx *ctx, libxl_domain_config *cfg, const char *path,
                uint32_t *domid)
{
    libxl_domain_restore_params params;
    int fd = open(path, O_RDONLY);
    int rc;

    ck_assert_int_ge(fd, 0);
    libxl_domain_restore_params_init(&params);
    *domid = 12345;
    rc = libxl_domain_create_restore(ctx, cfg, domid, fd, -1, &params, NULL, NULL);
    libxl_domain_restore_params_dispose(&params);
    close(fd);
    return rc;
}

/* Restore round trip; corrupted, truncated and foreign streams refused
 * with nothing created; abort mid-save and mid-restore; a guest that
 * never suspends. */
START_TEST(test_restore_stream)
{
    libxl_event_hooks ehooks;
    TEvents t;
    libxl_ctx *ctx = tCtxHooked(&t, &ehooks);
    libxl_asyncop_how how = { .callback = tAoDone, .u.for_callback = &t };
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "rest-1");
    uint32_t newid, stub;
    libxl_domain_config cfg, got;
    libxl_domain_restore_params params;
    libxl_dominfo info;
    g_autofree char *data = NULL;
    gsize len;
    char path[] = "/tmp/xensim-rest-XXXXXX";
    char bad[] = "/tmp/xensim-bad-XXXXXX";
    int fd = mkstemp(path), bfd = mkstemp(bad);
    int before;
    gint64 t0;

    t.reenter = false;
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(bfd, 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    libxl_domain_config_init(&cfg);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, domid, &cfg, NULL), 0);
    ck_assert_int_eq(libxl_domain_suspend(ctx, domid, fd, 0, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    before = testDomainCount(ctx);

    /* round trip: a new domid, paused, the same configuration */
    ck_assert_int_eq(testRestoreFile(ctx, &cfg, path, &newid), 0);
    ck_assert_uint_ne(newid, domid);
    ck_assert_uint_ne(newid, (uint32_t)INVALID_DOMID);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, newid), 0);
    ck_assert(info.paused);
    /* the hypervisor's limit: the target and libxl's LIBXL_MAXMEM_CONSTANT */
    ck_assert_uint_eq(info.max_memkb, 256 * 1024 + 1024);
    libxl_dominfo_dispose(&info);
    libxl_domain_config_init(&got);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, newid, &got, NULL), 0);
    ck_assert_str_eq(got.c_info.name, "rest-1");
    ck_assert_uint_eq(got.b_info.max_memkb, 256 * 1024);
    libxl_domain_config_dispose(&got);
    ck_assert_int_eq(libxl_domain_destroy(ctx, newid, NULL), 0);
    tLoop(ctx, 100, NULL);

    /* corrupted (a byte of memory), truncated, foreign: nothing created */
    ck_assert(g_file_get_contents(path, &data, &len, NULL));
    data[len / 2] ^= 1;
    ck_assert(g_file_set_contents(bad, data, len, NULL));
    ck_assert_int_eq(testRestoreFile(ctx, &cfg, bad, &newid), ERROR_FAIL);
    ck_assert_uint_eq(newid, (uint32_t)INVALID_DOMID);
    data[len / 2] ^= 1;
    ck_assert(g_file_set_contents(bad, data, len - 100, NULL));
    ck_assert_int_eq(testRestoreFile(ctx, &cfg, bad, &newid), ERROR_FAIL);
    ck_assert(g_file_set_contents(bad, "Xen saved domain, xl format\n", -1, NULL));
    ck_assert_int_eq(testRestoreFile(ctx, &cfg, bad, &newid), ERROR_FAIL);
    tLoop(ctx, 200, NULL);
    ck_assert_int_eq(testDomainCount(ctx), before);

    /* the rate: 256 MiB at 256 MiB/s, aborted after 300 ms */
    ck_assert_int_eq(testCtl5("host", "set", "save_rate_mib_s", "256", NULL), 0);
    close(bfd);
    bfd = open(path, O_RDONLY);
    libxl_domain_restore_params_init(&params);
    t.ao_done = 0;
    newid = 12345;
    ck_assert_int_eq(libxl_domain_create_restore(ctx, &cfg, &newid, bfd, -1, &params,
                                                 &how, NULL), 0);
    tLoop(ctx, 300, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 0);
    ck_assert_int_eq(libxl_ao_abort(ctx, &how), 0);
    tLoop(ctx, 3000, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 1);
    ck_assert_int_eq(t.ao_rc, ERROR_ABORTED);
    ck_assert_uint_eq(newid, (uint32_t)INVALID_DOMID);
    tLoop(ctx, 200, NULL);
    ck_assert_int_eq(testDomainCount(ctx), before);
    libxl_domain_restore_params_dispose(&params);
    close(bfd);

    /* abort mid-save: ERROR_ABORTED, the domain suspended, resumable */
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "rest-2");
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    bfd = open(bad, O_WRONLY | O_TRUNC);
    t.ao_done = 0;
    t0 = g_get_monotonic_time();
    ck_assert_int_eq(libxl_domain_suspend(ctx, domid, bfd, 0, &how), 0);
    tLoop(ctx, 600, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 0);
    ck_assert_int_eq(libxl_ao_abort(ctx, &how), 0);
    tLoop(ctx, 3000, &t.ao_done);
    ck_assert_int_eq(t.ao_rc, ERROR_ABORTED);
    ck_assert_int_lt(g_get_monotonic_time() - t0, 1000000);
    close(bfd);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(info.shutdown);
    ck_assert_int_eq(info.shutdown_reason, LIBXL_SHUTDOWN_REASON_SUSPEND);
    libxl_dominfo_dispose(&info);
    ck_assert_int_eq(libxl_domain_resume(ctx, domid, 1, NULL), 0);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(!info.shutdown);
    libxl_dominfo_dispose(&info);

    /* at the rate: a whole save of 256 MiB takes about 1 s */
    bfd = open(bad, O_WRONLY | O_TRUNC);
    t0 = g_get_monotonic_time();
    ck_assert_int_eq(libxl_domain_suspend(ctx, domid, bfd, 0, NULL), 0);
    ck_assert_int_ge(g_get_monotonic_time() - t0, 1000000);
    close(bfd);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);

    /* a guest that never suspends: libxl's suspend timeout */
    ck_assert_int_eq(testCtl5("host", "set", "suspend_timeout_ms", "300", NULL), 0);
    stub = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "stubborn-save");
    ck_assert_int_eq(libxl_domain_unpause(ctx, stub, NULL), 0);
    tLoop(ctx, 100, NULL);
    bfd = open(bad, O_WRONLY | O_TRUNC);
    ck_assert_int_eq(libxl_domain_suspend(ctx, stub, bfd, 0, NULL), ERROR_GUEST_TIMEDOUT);
    close(bfd);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, stub), 0);
    ck_assert(!info.shutdown);
    libxl_dominfo_dispose(&info);
    ck_assert_int_eq(libxl_domain_destroy(ctx, stub, NULL), 0);

    ck_assert_int_eq(testCtl5("host", "set", "suspend_timeout_ms", "60000", NULL), 0);
    ck_assert_int_eq(testCtl5("host", "set", "save_rate_mib_s", "1024", NULL), 0);
    libxl_domain_config_dispose(&cfg);
    close(fd);
    unlink(path);
    unlink(bad);
    tEventsFree(&t);
    libxl_ctx_free(ctx);
}
END_TEST

/* libxl_domain_core_dump: at the rate, abortable, the domain left
 * running. */
START_TEST(test_core_dump)
{
    libxl_event_hooks ehooks;
    TEvents t;
    libxl_ctx *ctx = tCtxHooked(&t, &ehooks);
    libxl_asyncop_how how = { .callback = tAoDone, .u.for_callback = &t };
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "dump-1");
    g_autofree char *path = g_strdup_printf("/tmp/xensim-dump-%d", (int)getpid());
    libxl_dominfo info;
    struct stat sb;
    gint64 t0;

    t.reenter = false;
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    ck_assert_int_eq(testCtl5("host", "set", "save_rate_mib_s", "256", NULL), 0);
    t0 = g_get_monotonic_time();
    ck_assert_int_eq(libxl_domain_core_dump(ctx, domid, path, NULL), 0);
    ck_assert_int_ge(g_get_monotonic_time() - t0, 900000);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_ge(sb.st_size, 256 * 1024 * 1024);
    ck_assert_int_eq(sb.st_mode & 0777, 0600);

    t.ao_done = 0;
    ck_assert_int_eq(libxl_domain_core_dump(ctx, domid, path, &how), 0);
    tLoop(ctx, 300, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 0);
    ck_assert_int_eq(libxl_ao_abort(ctx, &how), 0);
    tLoop(ctx, 3000, &t.ao_done);
    ck_assert_int_eq(t.ao_done, 1);
    ck_assert_int_eq(t.ao_rc, ERROR_ABORTED);
    ck_assert_int_eq(stat(path, &sb), 0);
    ck_assert_int_lt(sb.st_size, 256 * 1024 * 1024);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(!info.shutdown && !info.paused);
    libxl_dominfo_dispose(&info);

    ck_assert_int_eq(testCtl5("host", "set", "save_rate_mib_s", "1024", NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    unlink(path);
    tEventsFree(&t);
    libxl_ctx_free(ctx);
}
END_TEST

/* A guest that ignores shutdown requests; guest-initiated events. */
START_TEST(test_guest_behaviour)
{
    libxl_ctx *ctx = testCtx();
    libxl_evgen_domain_death *dw1 = NULL, *dw2 = NULL;
    libxl_event *ev;
    uint32_t stubborn = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "stubborn-1");
    uint32_t hvm = testCreate(ctx, LIBXL_DOMAIN_TYPE_HVM, "hvm-1");
    char id[16];

    ck_assert_int_eq(libxl_evenable_domain_death(ctx, stubborn, 1, &dw1), 0);
    ck_assert_int_eq(libxl_evenable_domain_death(ctx, hvm, 2, &dw2), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, stubborn, NULL), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, hvm, NULL), 0);

    ck_assert_int_eq(libxl_domain_shutdown(ctx, stubborn, NULL), 0);
    testNoEvent(ctx, MASK(DOMAIN_SHUTDOWN), stubborn, 300);
    /* PV guests have no power button */
    ck_assert_int_eq(libxl_send_trigger(ctx, stubborn, LIBXL_TRIGGER_POWER, 0, NULL),
                     ERROR_FAIL);
    /* the guest crashes on its own */
    g_snprintf(id, sizeof(id), "%u", stubborn);
    ck_assert_int_eq(testCtl("guest", id, "crash", NULL), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN), stubborn);
    ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, LIBXL_SHUTDOWN_REASON_CRASH);
    libxl_event_free(ctx, ev);
    ck_assert_int_ne(testCtl("guest", id, "reboot", NULL), 0);  /* not running */

    /* HVM: the primary console is the first serial port */
    {
        char *primary = NULL, *serial = NULL;

        ck_assert_int_eq(libxl_primary_console_get_tty(ctx, hvm, &primary), 0);
        ck_assert_int_eq(libxl_console_get_tty(ctx, hvm, 0, LIBXL_CONSOLE_TYPE_SERIAL,
                                               &serial), 0);
        ck_assert_str_eq(primary, serial);
        free(primary);
        free(serial);
        ck_assert_int_eq(libxl_console_get_tty(ctx, hvm, 1, LIBXL_CONSOLE_TYPE_SERIAL,
                                               &serial), ERROR_FAIL);
    }

    /* HVM: the ACPI power button */
    ck_assert_int_eq(libxl_send_trigger(ctx, hvm, LIBXL_TRIGGER_POWER, 0, NULL), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN), hvm);
    ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, LIBXL_SHUTDOWN_REASON_POWEROFF);
    libxl_event_free(ctx, ev);

    /* per-domain knobs */
    ck_assert_int_eq(testCtl5("guest", "hvm-1", "set", "ignore-shutdown", "maybe"), 1);
    ck_assert_int_eq(testCtl5("guest", "hvm-1", "set", "shutdown-delay", "10"), 0);

    ck_assert_int_eq(libxl_domain_destroy(ctx, stubborn, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, hvm, NULL), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_DEATH), stubborn);
    libxl_event_free(ctx, ev);
    ev = testWaitEvent(ctx, MASK(DOMAIN_DEATH), hvm);
    libxl_event_free(ctx, ev);
    libxl_evdisable_domain_death(ctx, dw1);
    libxl_evdisable_domain_death(ctx, dw2);
    libxl_ctx_free(ctx);
}
END_TEST

/* Every shutdown reason a guest can give, as libxl reports it; a guest
 * slow to react (guest_shutdown_delay) is still shutting down meanwhile. */
START_TEST(test_shutdown_reasons)
{
    static const struct { const char *event; libxl_shutdown_reason reason; } cases[] = {
        { "poweroff", LIBXL_SHUTDOWN_REASON_POWEROFF },
        { "reboot", LIBXL_SHUTDOWN_REASON_REBOOT },
        { "suspend", LIBXL_SHUTDOWN_REASON_SUSPEND },
        { "crash", LIBXL_SHUTDOWN_REASON_CRASH },
        { "watchdog", LIBXL_SHUTDOWN_REASON_WATCHDOG },
        { "soft_reset", LIBXL_SHUTDOWN_REASON_SOFT_RESET },
    };
    libxl_ctx *ctx = testCtx();
    libxl_evgen_domain_death *dw = NULL;
    libxl_dominfo info;
    libxl_event *ev;
    uint32_t domid;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *name = g_strdup_printf("reason-%s", cases[i].event);

        domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PVH, name);
        ck_assert_int_eq(libxl_evenable_domain_death(ctx, domid, i, &dw), 0);
        ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
        ck_assert_int_eq(testCtl("guest", name, cases[i].event, NULL), 0);
        ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN), domid);
        ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, cases[i].reason);
        ck_assert_uint_eq(ev->for_user, i);
        libxl_event_free(ctx, ev);
        libxl_dominfo_init(&info);
        ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
        ck_assert(info.shutdown);
        ck_assert_int_eq(info.shutdown_reason, cases[i].reason);
        libxl_dominfo_dispose(&info);
        ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
        ev = testWaitEvent(ctx, MASK(DOMAIN_DEATH), domid);
        libxl_event_free(ctx, ev);
        libxl_evdisable_domain_death(ctx, dw);
    }

    /* lazy-*: 400 ms to react to a request */
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "lazy-1");
    ck_assert_int_eq(libxl_evenable_domain_death(ctx, domid, 0, &dw), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    ck_assert_int_eq(libxl_domain_shutdown(ctx, domid, NULL), 0);
    testNoEvent(ctx, MASK(DOMAIN_SHUTDOWN), domid, 200);
    ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN), domid);
    ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, LIBXL_SHUTDOWN_REASON_POWEROFF);
    libxl_event_free(ctx, ev);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_evdisable_domain_death(ctx, dw);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_ao_abort)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    libxl_asyncop_how how = { .callback = NULL, .u.for_event = 77 };
    libxl_event *ev = NULL;
    libxl_dominfo *doms;
    uint32_t domid = INVALID_DOMID, found;
    int n = 0;

    /* slow-*: 5 s builds (guest_build_delay) */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "slow-1", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, &how, NULL), 0);
    /* being built: listed, paused */
    ck_assert_int_eq(libxl_name_to_domid(ctx, "slow-1", &found), 0);
    doms = libxl_list_domain(ctx, &n);
    ck_assert_int_ge(n, 2);
    ck_assert_uint_eq(doms[n - 1].domid, found);
    ck_assert(doms[n - 1].paused);
    libxl_dominfo_list_free(doms, n);

    ck_assert_int_eq(libxl_ao_abort(ctx, &how), 0);
    ck_assert_int_eq(libxl_ao_abort(ctx, &how), ERROR_NOTFOUND);
    ck_assert_int_eq(libxl_event_wait(ctx, &ev, MASK(OPERATION_COMPLETE), NULL, NULL), 0);
    ck_assert_uint_eq(ev->for_user, 77);
    ck_assert_int_eq(ev->u.operation_complete.rc, ERROR_ABORTED);
    libxl_event_free(ctx, ev);
    ck_assert_int_eq(libxl_name_to_domid(ctx, "slow-1", &found), ERROR_DOMAIN_NOTFOUND);
    ck_assert_int_eq(libxl_ao_abort(ctx, &how), ERROR_NOTFOUND);
    /* the host's latencies change while it runs */
    ck_assert_int_eq(testCtl5("host", "set", "build_delay_ms", "20", NULL), 0);
    ck_assert_int_ne(testCtl5("host", "set", "build_delay_ms", "soon", NULL), 0);
    ck_assert_int_ne(testCtl5("host", "set", "memory", "1", NULL), 0);
    libxl_domain_config_dispose(&cfg);
    libxl_ctx_free(ctx);
}
END_TEST

/* A foreign child of the application that exits after delay_ms with
 * status 7. */
static pid_t
testForeignChild(int delay_ms)
{
    pid_t pid = fork();

    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        g_usleep(delay_ms * 1000);
        _exit(7);
    }
    return pid;
}

/* selective_reap: libxl reaps its device model; the application's own
 * child is left to the application. */
START_TEST(test_childproc_selective)
{
    libxl_ctx *ctx = testCtx();
    libxl_childproc_hooks hooks = {
        .chldowner = libxl_sigchld_owner_libxl_always_selective_reap,
    };
    pid_t foreign = testForeignChild(20);
    uint32_t domid;
    int status = 0;

    libxl_childproc_setmode(ctx, &hooks, NULL);
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_HVM, "selective");
    g_usleep(100 * 1000);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert_int_eq(waitpid(foreign, &status, 0), foreign);
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 7);
    libxl_ctx_free(ctx);
}
END_TEST

static int tReapedPid, tReapedStatus;

static int
tReaped(pid_t pid, int status, void *user)
{
    tReapedPid = pid;
    tReapedStatus = status;
    return 0;
}

/* libxl_always: libxl reaps everything; the application hears of its own
 * children through reaped_callback (and has lost them to waitpid). */
START_TEST(test_childproc_always)
{
    libxl_ctx *ctx = testCtx();
    libxl_childproc_hooks hooks = {
        .chldowner = libxl_sigchld_owner_libxl_always,
        .reaped_callback = tReaped,
    };
    pid_t foreign;
    uint32_t domid;
    int status;

    libxl_childproc_setmode(ctx, &hooks, NULL);
    tReapedPid = 0;
    foreign = testForeignChild(400);
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_HVM, "always");
    /* libxl's loop runs while it waits for events */
    testNoEvent(ctx, MASK(DOMAIN_DEATH), domid, 600);
    ck_assert_int_eq(tReapedPid, foreign);
    ck_assert_int_eq(WEXITSTATUS(tReapedStatus), 7);
    ck_assert_int_eq(waitpid(foreign, &status, WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

static pid_t
tForkFails(void *user G_GNUC_UNUSED)
{
    errno = EAGAIN;
    return -1;
}

/* A destroy whose destroyer child never ran (the fork failed, or the
 * toolstack died before it) leaves the domain paused, its devices gone;
 * libxl refuses no second destroy of it (nor of a dying domain): it does
 * it all again, and this one's child kills the domain. */
START_TEST(test_destroy_again)
{
    libxl_ctx *ctx = testCtx();
    libxl_childproc_hooks hooks = {
        .chldowner = libxl_sigchld_owner_libxl,
        .fork_replacement = tForkFails,
    };
    libxl_childproc_hooks plain = { .chldowner = libxl_sigchld_owner_libxl };
    libxl_dominfo info;
    uint32_t domid;

    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "destroy-again");
    libxl_childproc_setmode(ctx, &hooks, NULL);
    ck_assert_int_ne(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert(info.paused);
    ck_assert(!info.dying);
    libxl_dominfo_dispose(&info);

    libxl_childproc_setmode(ctx, &plain, NULL);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), ERROR_DOMAIN_NOTFOUND);
    libxl_dominfo_dispose(&info);
    libxl_ctx_free(ctx);
}
END_TEST

/* mainloop: the application reaps and hands libxl its children. */
START_TEST(test_childproc_mainloop)
{
    libxl_ctx *ctx = testCtx();
    libxl_childproc_hooks hooks = { .chldowner = libxl_sigchld_owner_mainloop };
    g_autofree char *kernel = testKernel();
    libxl_asyncop_how how = { .callback = NULL, .u.for_event = 5 };
    libxl_domain_config cfg;
    libxl_event *ev = NULL;
    uint32_t domid;
    pid_t foreign, pid;
    int status, ours = 0, theirs = 0;
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    libxl_childproc_setmode(ctx, &hooks, NULL);
    foreign = testForeignChild(10);
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_HVM, "mainloop", kernel, 64 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, &how, NULL), 0);
    while ((ours == 0 || theirs == 0) && g_get_monotonic_time() < end) {
        if ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            if (libxl_childproc_reaped(ctx, pid, status) == 0)
                ours++;
            else if (pid == foreign)
                theirs++;
        }
        g_usleep(5 * 1000);
    }
    ck_assert_int_eq(ours, 1);
    ck_assert_int_eq(theirs, 1);
    ck_assert_int_eq(libxl_event_wait(ctx, &ev, MASK(OPERATION_COMPLETE), NULL, NULL), 0);
    ck_assert_int_eq(ev->u.operation_complete.rc, 0);
    libxl_event_free(ctx, ev);
    ck_assert_int_eq(libxl_childproc_reaped(ctx, 1, 0), ERROR_UNKNOWN_CHILD);

    /* destroy forks too (libxl's destroyer): its status comes from us */
    ours = 0;
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, &how), 0);
    end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (ours == 0 && g_get_monotonic_time() < end) {
        if ((pid = waitpid(-1, &status, WNOHANG)) > 0 &&
            libxl_childproc_reaped(ctx, pid, status) == 0)
            ours++;
        g_usleep(5 * 1000);
    }
    ck_assert_int_eq(ours, 1);
    ck_assert_int_eq(libxl_event_wait(ctx, &ev, MASK(OPERATION_COMPLETE), NULL, NULL), 0);
    ck_assert_int_eq(ev->u.operation_complete.rc, 0);
    libxl_event_free(ctx, ev);
    ck_assert_int_eq(libxl_domain_info(ctx, NULL, domid), ERROR_DOMAIN_NOTFOUND);
    libxl_domain_config_dispose(&cfg);
    libxl_ctx_free(ctx);
}
END_TEST

/* The save helper under mainloop (the application reaps it) and
 * selective_reap (libxl reaps only it, the application's child is
 * left to the application). */
static int
testReapOurs(libxl_ctx *ctx)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    int ours = 0, status;
    pid_t pid;

    while (ours == 0 && g_get_monotonic_time() < end) {
        libxl_event *ev = NULL;

        if ((pid = waitpid(-1, &status, WNOHANG)) > 0 &&
            libxl_childproc_reaped(ctx, pid, status) == 0)
            ours++;
        /* what libxl waits for before it forks (a guest's suspend):
         * xensimd's news read, no event taken */
        if (libxl_event_check(ctx, &ev, 0, NULL, NULL) == 0)
            libxl_event_free(ctx, ev);
        g_usleep(5 * 1000);
    }
    return ours;
}

START_TEST(test_childproc_save)
{
    libxl_ctx *ctx = testCtx();
    libxl_childproc_hooks hooks = { .chldowner = libxl_sigchld_owner_mainloop };
    libxl_asyncop_how how = { .callback = NULL, .u.for_event = 6 };
    libxl_domain_config cfg;
    libxl_domain_restore_params params;
    libxl_event *ev = NULL;
    char path[] = "/tmp/xensim-ml-XXXXXX";
    int fd = mkstemp(path), status = 0;
    uint32_t domid, newid;
    pid_t foreign;

    libxl_childproc_setmode(ctx, &hooks, NULL);
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "ml-save");
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    libxl_domain_config_init(&cfg);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, domid, &cfg, NULL), 0);
    ck_assert_int_eq(libxl_domain_suspend(ctx, domid, fd, 0, &how), 0);
    ck_assert_int_eq(testReapOurs(ctx), 1);
    ck_assert_int_eq(libxl_event_wait(ctx, &ev, MASK(OPERATION_COMPLETE), NULL, NULL), 0);
    ck_assert_int_eq(ev->u.operation_complete.rc, 0);
    libxl_event_free(ctx, ev);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, &how), 0);
    ck_assert_int_eq(testReapOurs(ctx), 1);
    ck_assert_int_eq(libxl_event_wait(ctx, &ev, MASK(OPERATION_COMPLETE), NULL, NULL), 0);
    libxl_event_free(ctx, ev);

    /* selective_reap: libxl reaps its restore helper only */
    hooks.chldowner = libxl_sigchld_owner_libxl_always_selective_reap;
    libxl_childproc_setmode(ctx, &hooks, NULL);
    foreign = testForeignChild(20);
    lseek(fd, 0, SEEK_SET);
    libxl_domain_restore_params_init(&params);
    ck_assert_int_eq(libxl_domain_create_restore(ctx, &cfg, &newid, fd, -1, &params,
                                                 NULL, NULL), 0);
    ck_assert_uint_ne(newid, (uint32_t)INVALID_DOMID);
    ck_assert_int_eq(waitpid(foreign, &status, 0), foreign);
    ck_assert_int_eq(WEXITSTATUS(status), 7);
    ck_assert_int_eq(libxl_domain_destroy(ctx, newid, NULL), 0);
    libxl_domain_restore_params_dispose(&params);
    libxl_domain_config_dispose(&cfg);
    close(fd);
    unlink(path);
    libxl_ctx_free(ctx);
}
END_TEST

/* Read from a pty until text appears (or 3 s). */
static bool
testReadUntil(int fd, GString *seen, const char *text)
{
    gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

    while (!strstr(seen->str, text) && g_get_monotonic_time() < end) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char buf[256];
        ssize_t n;

        if (poll(&p, 1, 50) > 0 && (n = read(fd, buf, sizeof(buf))) > 0)
            g_string_append_len(seen, buf, n);
    }
    return strstr(seen->str, text) != NULL;
}

START_TEST(test_console)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    g_autoptr(GString) seen = g_string_new(NULL);
    libxl_domain_config cfg;
    libxl_device_channel *chans;
    libxl_channelinfo cinfo;
    libxl_evgen_domain_death *dw = NULL;
    libxl_event *ev;
    char *tty = NULL;
    uint32_t domid;
    int fd, n = 0;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "talker", kernel, 64 * 1024);
    cfg.channels = calloc(1, sizeof(*cfg.channels));
    cfg.num_channels = 1;
    libxl_device_channel_init(&cfg.channels[0]);
    cfg.channels[0].name = strdup("org.qemu.guest_agent.0");
    libxl_device_channel_init_connection(&cfg.channels[0], LIBXL_CHANNEL_CONNECTION_PTY);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_eq(libxl_evenable_domain_death(ctx, domid, 0, &dw), 0);

    ck_assert_int_eq(libxl_console_get_tty(ctx, domid, 0, LIBXL_CONSOLE_TYPE_PV, &tty), 0);
    fd = open(tty, O_RDWR | O_NOCTTY);
    ck_assert_int_ge(fd, 0);
    free(tty);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    ck_assert(testReadUntil(fd, seen, "talker login: "));
    ck_assert_ptr_nonnull(strstr(seen->str, "Linux version"));
    ck_assert_int_eq(write(fd, "root\r", 5), 5);
    ck_assert(testReadUntil(fd, seen, "root@talker:~# "));
    g_string_truncate(seen, 0);
    ck_assert_int_eq(write(fd, "uname\r", 6), 6);
    ck_assert(testReadUntil(fd, seen, "Linux\r\n"));
    ck_assert(testReadUntil(fd, seen, "# "));
    g_string_truncate(seen, 0);
    ck_assert_int_eq(write(fd, "echo hello xen\r", 15), 15);
    ck_assert(testReadUntil(fd, seen, "hello xen\r\n"));

    /* the channel: listed with its name, an echo service on its pty */
    chans = libxl_device_channel_list(ctx, domid, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(chans[0].name, "org.qemu.guest_agent.0");
    libxl_channelinfo_init(&cinfo);
    ck_assert_int_eq(libxl_device_channel_getinfo(ctx, domid, &chans[0], &cinfo), 0);
    ck_assert_ptr_nonnull(cinfo.u.pty.path);
    {
        g_autoptr(GString) cseen = g_string_new(NULL);
        int cfd = open(cinfo.u.pty.path, O_RDWR | O_NOCTTY);

        ck_assert_int_ge(cfd, 0);
        ck_assert_int_eq(write(cfd, "ping\n", 5), 5);
        ck_assert(testReadUntil(cfd, cseen, "pong"));
        close(cfd);
    }
    libxl_channelinfo_dispose(&cinfo);
    libxl_device_channel_dispose(&chans[0]);
    free(chans);

    /* the guest powers off from its shell */
    g_string_truncate(seen, 0);
    ck_assert_int_eq(write(fd, "poweroff\r", 9), 9);
    ck_assert(testReadUntil(fd, seen, "Power down"));
    ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN), domid);
    ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, LIBXL_SHUTDOWN_REASON_POWEROFF);
    libxl_event_free(ctx, ev);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    close(fd);
    libxl_evdisable_domain_death(ctx, dw);
    libxl_ctx_free(ctx);
}
END_TEST

/* A context that goes away without a word (libvirtd killed): a new one
 * finds the domains and gets each later event once. */
START_TEST(test_reconnect_events)
{
    libxl_ctx *ctx = testCtx();
    libxl_evgen_domain_death *dw = NULL;
    libxl_event *ev;
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "survivor");
    pid_t pid;
    int status;
    char id[16];

    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);

    /* a process that watches, then dies of SIGKILL */
    pid = fork();
    if (pid == 0) {
        libxl_ctx *c = NULL;

        if (libxl_ctx_alloc(&c, LIBXL_VERSION, 0, NULL) ||
            libxl_evenable_domain_death(c, domid, 0, &dw))
            _exit(1);
        kill(getpid(), SIGKILL);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));

    g_snprintf(id, sizeof(id), "%u", domid);
    ck_assert_int_eq(testCtl("guest", id, "poweroff", NULL), 0);
    ctx = testCtx();
    ck_assert_int_eq(libxl_evenable_domain_death(ctx, domid, 0, &dw), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_SHUTDOWN), domid);
    ck_assert_int_eq(ev->u.domain_shutdown.shutdown_reason, LIBXL_SHUTDOWN_REASON_POWEROFF);
    libxl_event_free(ctx, ev);
    testNoEvent(ctx, MASK(DOMAIN_SHUTDOWN), domid, 150);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ev = testWaitEvent(ctx, MASK(DOMAIN_DEATH), domid);
    libxl_event_free(ctx, ev);
    testNoEvent(ctx, MASK(DOMAIN_DEATH) | MASK(DOMAIN_SHUTDOWN), domid, 100);
    libxl_evdisable_domain_death(ctx, dw);
    libxl_ctx_free(ctx);
}
END_TEST

/* The host config (xensimd-config.c), without a daemon. */
static char *
testConfigSet(XensimHostConfig *cfg, const char *key, const char *value)
{
    char *err = NULL;

    if (xensimHostConfigSet(cfg, key, value, &err) == 0)
        ck_assert_ptr_null(err);
    else
        ck_assert_ptr_nonnull(err);
    return err;
}

#define CK_CONFIG_OK(cfg, key, value) \
    ck_assert_ptr_null(testConfigSet(cfg, key, value))
#define CK_CONFIG_ERROR(cfg, key, value, substr) \
    do { \
        g_autofree char *e_ = testConfigSet(cfg, key, value); \
        ck_assert_msg(e_ && strstr(e_, substr), "%s = %s: error '%s' lacks '%s'", \
                      key, value, e_ ? e_ : "(none)", substr); \
    } while (0)

START_TEST(test_config_memory)
{
    XensimHostConfig cfg;

    xensimHostConfigInit(&cfg);
    CK_CONFIG_OK(&cfg, "memory", "2047");               /* MiB, as before */
    ck_assert_uint_eq(cfg.memory_kib, 2047 * 1024);
    CK_CONFIG_OK(&cfg, "memory", "2096624 KiB");
    ck_assert_uint_eq(cfg.memory_kib, 2096624);
    CK_CONFIG_OK(&cfg, "memory", "524156 pages");
    ck_assert_uint_eq(cfg.memory_kib, 524156 * 4);
    CK_CONFIG_OK(&cfg, "memory", "2GiB");
    ck_assert_uint_eq(cfg.memory_kib, 2 * 1024 * 1024);
    CK_CONFIG_OK(&cfg, "memory", "3072 mib");
    ck_assert_uint_eq(cfg.memory_kib, 3072 * 1024);
    CK_CONFIG_OK(&cfg, "memory", "4194304k");
    ck_assert_uint_eq(cfg.memory_kib, 4194304);
    CK_CONFIG_OK(&cfg, "memory_hole", "0");
    ck_assert_uint_eq(cfg.memory_hole_kib, 0);
    CK_CONFIG_OK(&cfg, "dom0_memory", "262144 pages");
    ck_assert_uint_eq(cfg.dom0_memory_kib, 1024 * 1024);

    CK_CONFIG_ERROR(&cfg, "memory", "lots", "invalid value 'lots'");
    CK_CONFIG_ERROR(&cfg, "memory", "2096623 KiB", "whole number of 4 KiB pages");
    CK_CONFIG_ERROR(&cfg, "memory", "2 TB", "N KiB");
    CK_CONFIG_ERROR(&cfg, "memory", "KiB", "invalid value");
    CK_CONFIG_ERROR(&cfg, "memory", "-5", "invalid value");
    CK_CONFIG_ERROR(&cfg, "memory", "63", "from 65536 to");
    CK_CONFIG_ERROR(&cfg, "memory", "99999999999999 GiB", "to 1099511627776 KiB");
    CK_CONFIG_ERROR(&cfg, "xen_reserved", "1.5 MiB", "invalid value");
    xensimHostConfigDispose(&cfg);
}
END_TEST

START_TEST(test_config_reserved)
{
    XensimHostConfig cfg;
    g_autofree char *err = NULL;

    /* the default: memory / 128 + 7 MiB, in pages */
    xensimHostConfigInit(&cfg);
    ck_assert_int_eq(xensimHostConfigCheck(&cfg, &err), 0);
    ck_assert_uint_eq(cfg.xen_reserved_kib, (32768 / 128 + 7) * 1024);
    ck_assert_uint_eq(xensimHostConfigReservedDefault(2096624), 23544);
    xensimHostConfigDispose(&cfg);

    /* set: kept */
    xensimHostConfigInit(&cfg);
    CK_CONFIG_OK(&cfg, "memory", "524156 pages");
    CK_CONFIG_OK(&cfg, "xen_reserved", "23724 KiB");
    CK_CONFIG_OK(&cfg, "dom0_memory", "1024");
    ck_assert_int_eq(xensimHostConfigCheck(&cfg, &err), 0);
    ck_assert_uint_eq(cfg.xen_reserved_kib, 23724);
    xensimHostConfigDispose(&cfg);

    /* too much */
    xensimHostConfigInit(&cfg);
    CK_CONFIG_OK(&cfg, "memory", "4096");
    CK_CONFIG_OK(&cfg, "dom0_memory", "4090");
    ck_assert_int_eq(xensimHostConfigCheck(&cfg, &err), -1);
    ck_assert_ptr_nonnull(strstr(err, "exceed memory (4194304 KiB)"));
    xensimHostConfigDispose(&cfg);
}
END_TEST

START_TEST(test_config_cpu)
{
    XensimHostConfig cfg;

    xensimHostConfigInit(&cfg);
    ck_assert_uint_eq(cfg.cpu_khz, 2400000);
    CK_CONFIG_OK(&cfg, "cpu_mhz", "2445.425");          /* as xl info prints it */
    ck_assert_uint_eq(cfg.cpu_khz, 2445425);
    CK_CONFIG_OK(&cfg, "cpu_mhz", "2445.4");
    ck_assert_uint_eq(cfg.cpu_khz, 2445400);
    CK_CONFIG_OK(&cfg, "cpu_mhz", "2445.42");
    ck_assert_uint_eq(cfg.cpu_khz, 2445420);
    CK_CONFIG_OK(&cfg, "cpu_mhz", "2900");
    ck_assert_uint_eq(cfg.cpu_khz, 2900000);
    CK_CONFIG_OK(&cfg, "cpu_khz", "2445425");           /* as physinfo has it */
    ck_assert_uint_eq(cfg.cpu_khz, 2445425);
    CK_CONFIG_ERROR(&cfg, "cpu_mhz", "2445.4251", "up to 3 decimals");
    CK_CONFIG_ERROR(&cfg, "cpu_mhz", "fast", "invalid value 'fast'");
    CK_CONFIG_ERROR(&cfg, "cpu_mhz", "2445,425", "invalid value");
    CK_CONFIG_ERROR(&cfg, "cpu_mhz", "0.5", "from 1 to 100000 MHz");
    CK_CONFIG_ERROR(&cfg, "cpu_khz", "2445.425", "invalid value");
    CK_CONFIG_ERROR(&cfg, "cpu_khz", "999", "invalid value");

    CK_CONFIG_OK(&cfg, "cpu_load", "60");
    ck_assert_uint_eq(cfg.cpu_load, 60);
    CK_CONFIG_OK(&cfg, "cpu_load", "0");
    CK_CONFIG_ERROR(&cfg, "cpu_load", "101", "from 0 to 100");
    CK_CONFIG_OK(&cfg, "uptime", "165");
    ck_assert_uint_eq(cfg.uptime_s, 165);
    CK_CONFIG_ERROR(&cfg, "uptime", "-1", "invalid value");
    xensimHostConfigDispose(&cfg);
}
END_TEST

START_TEST(test_config_virt_caps)
{
    XensimHostConfig cfg;

    /* the default: an Intel VT-d host with Debian's Xen (no shadow) */
    xensimHostConfigInit(&cfg);
    ck_assert(cfg.cap_pv && cfg.cap_hvm && cfg.cap_hvm_directio && cfg.cap_hap &&
              cfg.cap_iommu_hap_pt_share && cfg.cap_gnttab_v1 && cfg.cap_gnttab_v2);
    ck_assert(!cfg.cap_shadow && !cfg.cap_vmtrace && !cfg.cap_vpmu);

    /* xl info's line of the xenlab, as it is */
    CK_CONFIG_OK(&cfg, "virt_caps", "pv hvm hap gnttab-v1 gnttab-v2");
    ck_assert(cfg.cap_pv && cfg.cap_hvm && cfg.cap_hap);
    ck_assert(cfg.cap_gnttab_v1 && cfg.cap_gnttab_v2);
    ck_assert(!cfg.cap_hvm_directio && !cfg.cap_shadow && !cfg.cap_iommu_hap_pt_share);
    /* both of xl's names of the one flag */
    CK_CONFIG_OK(&cfg, "virt_caps", "pv pv_directio");
    ck_assert(cfg.cap_pv && cfg.cap_hvm_directio && !cfg.cap_hvm);
    CK_CONFIG_OK(&cfg, "virt_caps", "hvm hvm_directio shadow vmtrace vpmu iommu_hap_pt_share");
    ck_assert(cfg.cap_hvm && cfg.cap_hvm_directio && cfg.cap_shadow && cfg.cap_vmtrace &&
              cfg.cap_vpmu && cfg.cap_iommu_hap_pt_share && !cfg.cap_pv);
    CK_CONFIG_OK(&cfg, "virt_caps", "");
    ck_assert(!cfg.cap_pv && !cfg.cap_hvm);

    /* not xl's spelling, or no such flag in libxl_physinfo */
    CK_CONFIG_ERROR(&cfg, "virt_caps", "pv gnttab_v1", "unknown virtualization capability 'gnttab_v1'");
    CK_CONFIG_ERROR(&cfg, "virt_caps", "pv gnttab_v1", "gnttab-v1 gnttab-v2");
    CK_CONFIG_ERROR(&cfg, "virt_caps", "hvm pvh", "'pvh'");
    CK_CONFIG_ERROR(&cfg, "virt_caps", "HVM", "'HVM'");
    xensimHostConfigDispose(&cfg);
}
END_TEST

/* vCPUs, scheduling, host CPU time (xensimd-tune.c) ------------------- */

/* Restart the host with one more --KEY VALUE (the domains go). */
static void
testRestartWith(const char *key, const char *value)
{
    g_autofree char *xensimd = testBuildPath("xensim/xensimd");
    g_autofree char *config = g_build_filename(testDir, "host.conf", NULL);
    g_autofree char *sock = g_build_filename(testDir, "xensimd.sock", NULL);
    g_autofree char *flag = g_strdup_printf("--%s", key);
    const char *argv[] = { xensimd, "--dir", testDir, "--config", config,
                           flag, value, NULL };
    g_autofree char *pidfile = g_build_filename(testDir, "xensimd.pid", NULL);
    g_autofree char *pidtext = NULL;
    gint64 running;
    int i;

    /* the daemon running now: the fixture's, or one a test started */
    ck_assert(g_file_get_contents(pidfile, &pidtext, NULL, NULL));
    ck_assert(g_ascii_string_to_signed(g_strstrip(pidtext), 10, 1, G_MAXINT,
                                       &running, NULL));
    xensimKill(running);
    ck_assert(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                            xensimChildSetup, NULL, &testPid, NULL));
    /* listening once its pid file names it (the socket alone may be a
     * stale one, which the new daemon replaces) */
    for (i = 0; i < 1000; i++) {
        g_autofree char *now = NULL;
        gint64 pid;

        if (g_file_get_contents(pidfile, &now, NULL, NULL) &&
            g_ascii_string_to_signed(g_strstrip(now), 10, 1, G_MAXINT, &pid, NULL) &&
            pid == testPid)
            break;
        g_usleep(10 * 1000);
    }
    ck_assert_msg(i < 1000, "the restarted xensimd (pid %d) never wrote its pid file",
                  (int)testPid);
    ck_assert(g_file_test(sock, G_FILE_TEST_EXISTS));
}

/* A map of nbits with the given bits set; -1 ends the list. */
static void
testMap(libxl_bitmap *map, int nbits, ...)
{
    va_list ap;
    int bit;

    libxl_bitmap_init(map);
    map->size = (nbits + 7) / 8;
    map->map = calloc(map->size, 1);
    va_start(ap, nbits);
    while ((bit = va_arg(ap, int)) >= 0)
        libxl_bitmap_set(map, bit);
    va_end(ap);
}

static libxl_vcpuinfo *
testVcpus(libxl_ctx *ctx, uint32_t domid, int want)
{
    int n = 0, nr_cpus = 0;
    libxl_vcpuinfo *v = libxl_list_vcpu(ctx, domid, &n, &nr_cpus);

    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(n, want);
    ck_assert_int_eq(nr_cpus, T_CPUS);
    return v;
}

/* The bits of a map as a string: "3,4" */
static char *
testMapStr(const libxl_bitmap *map)
{
    GString *s = g_string_new(NULL);
    int i;

    libxl_for_each_set_bit(i, *map)
        g_string_append_printf(s, "%s%d", s->len ? "," : "", i);
    return g_string_free(s, FALSE);
}

#define ck_assert_map(map, want) \
    do { \
        g_autofree char *got_ = testMapStr(map); \
        ck_assert_str_eq(got_, want); \
    } while (0)

static uint64_t
testNodeAffinity(libxl_ctx *ctx, uint32_t domid)
{
    libxl_bitmap nodes;
    uint64_t bits = 0;
    int i;

    testMap(&nodes, T_NODES, -1);
    ck_assert_int_eq(libxl_domain_get_nodeaffinity(ctx, domid, &nodes), 0);
    libxl_for_each_set_bit(i, nodes)
        bits |= 1ULL << i;
    libxl_bitmap_dispose(&nodes);
    return bits;
}

/* Affinity as Xen keeps it: hard and soft maps per vCPU, the vCPU on a
 * CPU of both (else of hard); refusals as libxl reports them. */
/* A PV domain of 2 vCPUs, 128 MiB; placement: libxl's automatic NUMA
 * placement (off: every vCPU may run everywhere). */
static uint32_t
testCreatePlaced(libxl_ctx *ctx, const char *name, int vcpus, bool placement)
{
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    uint32_t domid = INVALID_DOMID;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, name, kernel, 128 * 1024);
    cfg.b_info.max_vcpus = vcpus;
    libxl_defbool_set(&cfg.b_info.numa_placement, placement);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    return domid;
}

START_TEST(test_vcpu_affinity)
{
    libxl_ctx *ctx = testCtx();
    uint32_t domid = testCreatePlaced(ctx, "aff-1", 2, false);
    libxl_bitmap hard, soft, empty, beyond, all;
    libxl_vcpuinfo *v;

    /* everywhere, at first; a CPU picked by domid + vCPU */
    v = testVcpus(ctx, domid, 2);
    ck_assert_int_eq(libxl_bitmap_count_set(&v[0].cpumap), T_CPUS);
    ck_assert_int_eq(libxl_bitmap_count_set(&v[1].cpumap_soft), T_CPUS);
    ck_assert_uint_eq(v[1].cpu, (domid + 1) % T_CPUS);
    libxl_vcpuinfo_list_free(v, 2);
    ck_assert_uint_eq(testNodeAffinity(ctx, domid), 0x7);

    testMap(&hard, T_CPUS, 3, 4, -1);
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, domid, 1, &hard, NULL), 0);
    v = testVcpus(ctx, domid, 2);
    ck_assert_map(&v[1].cpumap, "3,4");
    ck_assert_int_eq(libxl_bitmap_count_set(&v[1].cpumap_soft), T_CPUS);
    ck_assert_int_eq(libxl_bitmap_count_set(&v[0].cpumap), T_CPUS);
    ck_assert(v[1].cpu == 3 || v[1].cpu == 4);
    libxl_vcpuinfo_list_free(v, 2);

    /* soft & hard is {4}: it runs there */
    testMap(&soft, T_CPUS, 4, 5, -1);
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, domid, 1, NULL, &soft), 0);
    v = testVcpus(ctx, domid, 2);
    ck_assert_map(&v[1].cpumap, "3,4");
    ck_assert_map(&v[1].cpumap_soft, "4,5");
    ck_assert_uint_eq(v[1].cpu, 4);
    libxl_vcpuinfo_list_free(v, 2);

    /* errors: no such vCPU, a hard map without a CPU of the host (empty,
     * or only past its CPUs): the hypervisor's -EINVAL, ERROR_FAIL; no
     * map at all: ERROR_INVAL; force without maps: nothing to do */
    testMap(&empty, T_CPUS, -1);
    testMap(&beyond, 64, 40, -1);
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, domid, 2, &hard, NULL), ERROR_FAIL);
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, domid, 0, &empty, NULL), ERROR_FAIL);
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, domid, 0, &beyond, NULL), ERROR_FAIL);
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, domid, 0, NULL, NULL), ERROR_INVAL);
    ck_assert_int_eq(libxl_set_vcpuaffinity_force(ctx, domid, 0, NULL, NULL), 0);
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, 4242, 0, &hard, NULL), ERROR_FAIL);
    /* an empty soft map is allowed: hard alone counts */
    ck_assert_int_eq(libxl_set_vcpuaffinity(ctx, domid, 1, NULL, &empty), 0);
    v = testVcpus(ctx, domid, 2);
    ck_assert_map(&v[1].cpumap_soft, "");
    ck_assert(v[1].cpu == 3 || v[1].cpu == 4);
    ck_assert_map(&v[0].cpumap_soft, "0,1,2,3,4,5,6,7,8,9,10,11");
    libxl_vcpuinfo_list_free(v, 2);

    /* _all: every vCPU below max_vcpus; one failing: ERROR_FAIL, the
     * others set */
    testMap(&all, T_CPUS, 0, -1);
    ck_assert_int_eq(libxl_set_vcpuaffinity_all(ctx, domid, 3, &all, NULL), ERROR_FAIL);
    v = testVcpus(ctx, domid, 2);
    ck_assert_map(&v[0].cpumap, "0");
    ck_assert_map(&v[1].cpumap, "0");
    ck_assert_uint_eq(v[0].cpu, 0);
    libxl_vcpuinfo_list_free(v, 2);

    /* node affinity: automatic (CPU 0: node 0) until set; all nodes
     * make it automatic again; none of the host's: ERROR_FAIL */
    ck_assert_uint_eq(testNodeAffinity(ctx, domid), 0x1);
    libxl_bitmap_dispose(&all);
    testMap(&all, T_NODES, 1, 2, -1);
    ck_assert_int_eq(libxl_domain_set_nodeaffinity(ctx, domid, &all), 0);
    ck_assert_uint_eq(testNodeAffinity(ctx, domid), 0x6);
    libxl_bitmap_set(&all, 0);
    ck_assert_int_eq(libxl_domain_set_nodeaffinity(ctx, domid, &all), 0);
    ck_assert_uint_eq(testNodeAffinity(ctx, domid), 0x1);
    ck_assert_int_eq(libxl_domain_set_nodeaffinity(ctx, domid, &empty), ERROR_FAIL);
    ck_assert_int_eq(libxl_domain_set_nodeaffinity(ctx, domid, &beyond), ERROR_FAIL);
    ck_assert_uint_eq(testNodeAffinity(ctx, domid), 0x1);

    libxl_bitmap_dispose(&hard);
    libxl_bitmap_dispose(&soft);
    libxl_bitmap_dispose(&empty);
    libxl_bitmap_dispose(&beyond);
    libxl_bitmap_dispose(&all);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

/* The build info's affinities and node map, as libxl__build_pre sets them. */
START_TEST(test_vcpu_affinity_create)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    libxl_vcpuinfo *v;
    uint32_t domid = INVALID_DOMID;
    int n = 0;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "aff-create", kernel, 128 * 1024);
    cfg.b_info.vcpu_hard_affinity = calloc(2, sizeof(libxl_bitmap));
    cfg.b_info.num_vcpu_hard_affinity = 2;
    testMap(&cfg.b_info.vcpu_hard_affinity[0], T_CPUS, 6, 7, -1);
    testMap(&cfg.b_info.vcpu_hard_affinity[1], T_CPUS, 8, -1);
    cfg.b_info.vcpu_soft_affinity = calloc(1, sizeof(libxl_bitmap));
    cfg.b_info.num_vcpu_soft_affinity = 1;
    testMap(&cfg.b_info.vcpu_soft_affinity[0], T_CPUS, 7, -1);
    testMap(&cfg.b_info.nodemap, T_NODES, 2, -1);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    v = testVcpus(ctx, domid, 2);
    ck_assert_map(&v[0].cpumap, "6,7");
    ck_assert_map(&v[0].cpumap_soft, "7");
    ck_assert_uint_eq(v[0].cpu, 7);
    ck_assert_map(&v[1].cpumap, "8");
    ck_assert_uint_eq(v[1].cpu, 8);
    ck_assert_int_eq(libxl_bitmap_count_set(&v[1].cpumap_soft), T_CPUS);
    libxl_vcpuinfo_list_free(v, 2);
    ck_assert_uint_eq(testNodeAffinity(ctx, domid), 0x4);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);

    /* the deprecated cpumap: every vCPU's hard affinity */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "aff-cpumap", kernel, 128 * 1024);
    testMap(&cfg.b_info.cpumap, T_CPUS, 2, -1);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    v = testVcpus(ctx, domid, 2);
    ck_assert_map(&v[0].cpumap, "2");
    ck_assert_map(&v[1].cpumap, "2");
    ck_assert_uint_eq(v[1].cpu, 2);
    libxl_vcpuinfo_list_free(v, 2);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);

    /* a hard affinity with no CPU of the host fails the create */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "aff-bad", kernel, 128 * 1024);
    cfg.b_info.vcpu_hard_affinity = calloc(1, sizeof(libxl_bitmap));
    cfg.b_info.num_vcpu_hard_affinity = 1;
    testMap(&cfg.b_info.vcpu_hard_affinity[0], T_CPUS, -1);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), ERROR_FAIL);
    libxl_domain_config_dispose(&cfg);
    libxl_dominfo_list_free(libxl_list_domain(ctx, &n), n);
    ck_assert_int_eq(n, 1);
    libxl_ctx_free(ctx);
}
END_TEST

/* libxl's automatic NUMA placement (3 nodes of 4 CPUs; Domain-0's
 * memory from node 0): a node with the fewest vCPUs that may run there,
 * then the most free memory; enough nodes for the vCPUs; within the
 * vCPUs' hard affinity. */
START_TEST(test_numa_placement)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    uint32_t a, b, c, d, e = INVALID_DOMID;
    libxl_domain_config cfg;
    libxl_vcpuinfo *v;

    a = testCreatePlaced(ctx, "numa-a", 2, true);
    v = testVcpus(ctx, a, 2);
    ck_assert_map(&v[0].cpumap_soft, "4,5,6,7");
    ck_assert_map(&v[1].cpumap_soft, "4,5,6,7");
    ck_assert_int_eq(libxl_bitmap_count_set(&v[0].cpumap), T_CPUS);
    ck_assert(v[0].cpu >= 4 && v[0].cpu <= 7);
    libxl_vcpuinfo_list_free(v, 2);
    ck_assert_uint_eq(testNodeAffinity(ctx, a), 0x2);

    /* node 1 has a's vCPUs now; node 2 more free memory than node 0 */
    b = testCreatePlaced(ctx, "numa-b", 2, true);
    ck_assert_uint_eq(testNodeAffinity(ctx, b), 0x4);
    v = testVcpus(ctx, b, 2);
    ck_assert_map(&v[1].cpumap_soft, "8,9,10,11");
    libxl_vcpuinfo_list_free(v, 2);

    /* 5 vCPUs: two nodes */
    c = testCreatePlaced(ctx, "numa-c", 5, true);
    ck_assert_uint_eq(testNodeAffinity(ctx, c), 0x3);
    v = testVcpus(ctx, c, 5);
    ck_assert_map(&v[4].cpumap_soft, "0,1,2,3,4,5,6,7");
    libxl_vcpuinfo_list_free(v, 5);

    /* off: everywhere */
    d = testCreatePlaced(ctx, "numa-d", 2, false);
    ck_assert_uint_eq(testNodeAffinity(ctx, d), 0x7);
    v = testVcpus(ctx, d, 2);
    ck_assert_int_eq(libxl_bitmap_count_set(&v[0].cpumap_soft), T_CPUS);
    libxl_vcpuinfo_list_free(v, 2);

    /* pinned to CPUs 9 and 10: node 2, whatever else runs there */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "numa-e", kernel, 128 * 1024);
    cfg.b_info.vcpu_hard_affinity = calloc(2, sizeof(libxl_bitmap));
    cfg.b_info.num_vcpu_hard_affinity = 2;
    testMap(&cfg.b_info.vcpu_hard_affinity[0], T_CPUS, 9, 10, -1);
    testMap(&cfg.b_info.vcpu_hard_affinity[1], T_CPUS, 9, 10, -1);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &e, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    ck_assert_uint_eq(testNodeAffinity(ctx, e), 0x4);
    v = testVcpus(ctx, e, 2);
    ck_assert_map(&v[0].cpumap, "9,10");
    ck_assert_map(&v[0].cpumap_soft, "8,9,10,11");
    ck_assert(v[0].cpu == 9 || v[0].cpu == 10);
    libxl_vcpuinfo_list_free(v, 2);
    ck_assert_int_eq(libxl_domain_destroy(ctx, e, NULL), 0);

    /* pinned to CPU 9 alone: too few CPUs for 2 vCPUs, no placement;
     * the node affinity follows the hard affinity */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "numa-e", kernel, 128 * 1024);
    cfg.b_info.vcpu_hard_affinity = calloc(2, sizeof(libxl_bitmap));
    cfg.b_info.num_vcpu_hard_affinity = 2;
    testMap(&cfg.b_info.vcpu_hard_affinity[0], T_CPUS, 9, -1);
    testMap(&cfg.b_info.vcpu_hard_affinity[1], T_CPUS, 9, -1);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &e, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    ck_assert_uint_eq(testNodeAffinity(ctx, e), 0x4);
    v = testVcpus(ctx, e, 2);
    ck_assert_int_eq(libxl_bitmap_count_set(&v[0].cpumap_soft), T_CPUS);
    ck_assert_uint_eq(v[0].cpu, 9);
    libxl_vcpuinfo_list_free(v, 2);

    ck_assert_int_eq(libxl_domain_destroy(ctx, a, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, b, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, c, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, d, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, e, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

static void
testXsIs(uint32_t domid, unsigned vcpu, const char *want)
{
    struct xs_handle *xs = xs_open(0);
    g_autofree char *path = g_strdup_printf("/local/domain/%u/cpu/%u/availability",
                                            domid, vcpu);
    unsigned int len;
    char *got = xs_read(xs, XBT_NULL, path, &len);

    ck_assert_msg(got, "%s: missing", path);
    ck_assert_str_eq(got, want);
    free(got);
    xs_close(xs);
}

/* libxl_set_vcpuonline writes cpu/N/availability; the guest follows;
 * offline vCPUs use no time. */
START_TEST(test_vcpu_online)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    libxl_domain_config cfg;
    libxl_dominfo info;
    libxl_bitmap map;
    libxl_vcpuinfo *v;
    uint32_t domid = INVALID_DOMID;
    struct xs_handle *xs;
    g_autofree char *path = NULL;

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "online-1", kernel, 128 * 1024);
    cfg.b_info.max_vcpus = 4;
    testMap(&cfg.b_info.avail_vcpus, 4, 0, 1, -1);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert_uint_eq(info.vcpu_online, 2);
    ck_assert_uint_eq(info.vcpu_max_id, 3);
    libxl_dominfo_dispose(&info);
    testXsIs(domid, 1, "online");
    testXsIs(domid, 2, "offline");

    /* vCPUs 0, 1 and 3: not only the first ones */
    testMap(&map, 4, 0, 1, 3, -1);
    ck_assert_int_eq(libxl_set_vcpuonline(ctx, domid, &map, NULL), 0);
    libxl_bitmap_dispose(&map);
    testXsIs(domid, 2, "offline");
    testXsIs(domid, 3, "online");
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert_uint_eq(info.vcpu_online, 3);
    libxl_dominfo_dispose(&info);

    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    g_usleep(100 * 1000);
    v = testVcpus(ctx, domid, 4);
    ck_assert(v[3].online && v[3].running);
    ck_assert(!v[2].online && !v[2].running && !v[2].blocked);
    ck_assert_uint_eq(v[2].vcpu_time, 0);
    ck_assert_uint_gt(v[3].vcpu_time, 0);
    libxl_vcpuinfo_list_free(v, 4);

    /* more than the domain has, or none: ERROR_FAIL, nothing changed */
    testMap(&map, 8, 0, 1, 2, 3, 4, -1);
    ck_assert_int_eq(libxl_set_vcpuonline(ctx, domid, &map, NULL), ERROR_FAIL);
    libxl_bitmap_dispose(&map);
    testMap(&map, 4, -1);
    ck_assert_int_eq(libxl_set_vcpuonline(ctx, domid, &map, NULL), ERROR_FAIL);
    libxl_bitmap_dispose(&map);
    testXsIs(domid, 2, "offline");
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    ck_assert_uint_eq(info.vcpu_online, 3);
    libxl_dominfo_dispose(&info);
    /* as libxl retrieves it: the vCPUs online, max_vcpus bits */
    libxl_domain_config_init(&cfg);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, domid, &cfg, NULL), 0);
    ck_assert_map(&cfg.b_info.avail_vcpus, "0,1,3");
    ck_assert_int_eq(cfg.b_info.sched_params.sched, LIBXL_SCHEDULER_CREDIT);
    ck_assert_int_eq(cfg.b_info.sched_params.weight, 256);
    libxl_domain_config_dispose(&cfg);

    /* the guest follows xenstore, whoever writes it */
    xs = xs_open(0);
    path = g_strdup_printf("/local/domain/%u/cpu/3/availability", domid);
    ck_assert(xs_write(xs, XBT_NULL, path, "offline", strlen("offline")));
    xs_close(xs);
    v = testVcpus(ctx, domid, 4);
    ck_assert(!v[3].online);
    libxl_vcpuinfo_list_free(v, 4);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

/* credit (the test host's): weight 1..65535, cap 0..100 x vCPUs */
START_TEST(test_sched_credit)
{
    libxl_ctx *ctx = testCtx();
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "credit-1");
    g_autofree char *kernel = testKernel();
    libxl_domain_sched_params p;
    libxl_vcpu_sched_params vp;
    libxl_domain_config cfg;
    uint32_t other = INVALID_DOMID;

    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, domid, &p), 0);
    ck_assert_int_eq(p.sched, LIBXL_SCHEDULER_CREDIT);
    ck_assert_int_eq(p.weight, 256);
    ck_assert_int_eq(p.cap, 0);

    libxl_domain_sched_params_init(&p);
    p.weight = 512;
    p.cap = 150;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), 0);
    libxl_domain_sched_params_init(&p);
    p.cap = 200;        /* the weight is kept */
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), 0);
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, domid, &p), 0);
    ck_assert_int_eq(p.weight, 512);
    ck_assert_int_eq(p.cap, 200);
    /* libxl_retrieve_domain_configuration: the parameters it has now */
    libxl_domain_config_init(&cfg);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, domid, &cfg, NULL), 0);
    ck_assert_int_eq(cfg.b_info.sched_params.weight, 512);
    ck_assert_int_eq(cfg.b_info.sched_params.cap, 200);
    libxl_domain_config_dispose(&cfg);

    libxl_domain_sched_params_init(&p);
    p.cap = 201;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_INVAL);
    libxl_domain_sched_params_init(&p);
    p.weight = 0;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_INVAL);
    p.weight = 65536;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_INVAL);
    /* another scheduler's parameters: the hypercall fails */
    libxl_domain_sched_params_init(&p);
    p.sched = LIBXL_SCHEDULER_CREDIT2;
    p.weight = 100;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_FAIL);
    p.sched = LIBXL_SCHEDULER_SEDF;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_FEATURE_REMOVED);
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, domid, &p), 0);
    ck_assert_int_eq(p.weight, 512);
    ck_assert_int_eq(p.cap, 200);
    /* a domain libxl finds no cpupool of: "Unknown scheduler" */
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, 4242, &p), ERROR_INVAL);

    /* per-vCPU parameters: rtds only */
    libxl_vcpu_sched_params_init(&vp);
    ck_assert_int_eq(libxl_vcpu_sched_params_get_all(ctx, domid, &vp), ERROR_INVAL);
    libxl_vcpu_sched_params_dispose(&vp);

    /* the build info's parameters, and a refusal fails the create */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "credit-2", kernel, 128 * 1024);
    cfg.b_info.sched_params.weight = 1000;
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &other, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, other, &p), 0);
    ck_assert_int_eq(p.weight, 1000);
    ck_assert_int_eq(libxl_domain_destroy(ctx, other, NULL), 0);
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "credit-3", kernel, 128 * 1024);
    cfg.b_info.sched_params.cap = 1000;
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &other, NULL, NULL), ERROR_INVAL);
    libxl_domain_config_dispose(&cfg);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

/* credit2 (host key scheduler): the same limits, cap as Xen 4.17 */
START_TEST(test_sched_credit2)
{
    libxl_ctx *ctx;
    libxl_domain_sched_params p;
    uint32_t domid;

    testRestartWith("scheduler", "credit2");
    ctx = testCtx();
    ck_assert_int_eq(libxl_get_scheduler(ctx), LIBXL_SCHEDULER_CREDIT2);
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PVH, "credit2-1");
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, domid, &p), 0);
    ck_assert_int_eq(p.sched, LIBXL_SCHEDULER_CREDIT2);
    ck_assert_int_eq(p.weight, 256);
    ck_assert_int_eq(p.cap, 0);
    libxl_domain_sched_params_init(&p);
    p.sched = LIBXL_SCHEDULER_CREDIT2;
    p.weight = 65535;
    p.cap = 200;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), 0);
    p.cap = 201;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_INVAL);
    p.cap = 0;          /* no cap */
    p.weight = 1;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), 0);
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, domid, &p), 0);
    ck_assert_int_eq(p.weight, 1);
    ck_assert_int_eq(p.cap, 0);
    p.sched = LIBXL_SCHEDULER_CREDIT;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_FAIL);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

static void
testRtdsVcpu(const libxl_vcpu_sched_params *vp, int i, int vcpuid, int period,
             int budget, int extratime)
{
    ck_assert_int_eq(vp->vcpus[i].vcpuid, vcpuid);
    ck_assert_int_eq(vp->vcpus[i].period, period);
    ck_assert_int_eq(vp->vcpus[i].budget, budget);
    ck_assert_int_eq(vp->vcpus[i].extratime, extratime);
}

/* rtds: per vCPU period, budget, extratime; the domain-wide getinfo
 * answers Xen's defaults, as Xen 4.17's rt_dom_cntl */
START_TEST(test_sched_rtds)
{
    libxl_ctx *ctx;
    libxl_domain_sched_params p;
    libxl_vcpu_sched_params vp;
    libxl_sched_params one;
    uint32_t domid;

    testRestartWith("scheduler", "rtds");
    ctx = testCtx();
    ck_assert_int_eq(libxl_get_scheduler(ctx), LIBXL_SCHEDULER_RTDS);
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "rtds-1");
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, domid, &p), 0);
    ck_assert_int_eq(p.sched, LIBXL_SCHEDULER_RTDS);
    ck_assert_int_eq(p.period, 10000);
    ck_assert_int_eq(p.budget, 4000);
    ck_assert_int_eq(p.extratime, LIBXL_DOMAIN_SCHED_PARAM_EXTRATIME_DEFAULT);

    libxl_vcpu_sched_params_init(&vp);
    ck_assert_int_eq(libxl_vcpu_sched_params_get_all(ctx, domid, &vp), 0);
    ck_assert_int_eq(vp.sched, LIBXL_SCHEDULER_RTDS);
    ck_assert_int_eq(vp.num_vcpus, 2);
    testRtdsVcpu(&vp, 1, 1, 10000, 4000, 1);
    libxl_vcpu_sched_params_dispose(&vp);

    /* domain-wide: every vCPU (extratime kept); getinfo still answers
     * the defaults */
    libxl_domain_sched_params_init(&p);
    p.period = 20000;
    p.budget = 5000;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), 0);
    libxl_vcpu_sched_params_init(&vp);
    ck_assert_int_eq(libxl_vcpu_sched_params_get_all(ctx, domid, &vp), 0);
    testRtdsVcpu(&vp, 0, 0, 20000, 5000, 1);
    testRtdsVcpu(&vp, 1, 1, 20000, 5000, 1);
    libxl_vcpu_sched_params_dispose(&vp);
    ck_assert_int_eq(libxl_domain_sched_params_get(ctx, domid, &p), 0);
    ck_assert_int_eq(p.period, 10000);
    libxl_domain_sched_params_init(&p);
    p.budget = 20000;   /* > the default period */
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_INVAL);

    /* one vCPU */
    libxl_vcpu_sched_params_init(&vp);
    vp.num_vcpus = 1;
    vp.vcpus = calloc(1, sizeof(*vp.vcpus));
    vp.vcpus[0].vcpuid = 1;
    vp.vcpus[0].period = 1000;
    vp.vcpus[0].budget = 500;
    vp.vcpus[0].extratime = 0;
    ck_assert_int_eq(libxl_vcpu_sched_params_set(ctx, domid, &vp), 0);
    vp.vcpus[0].period = vp.vcpus[0].budget = 0;
    ck_assert_int_eq(libxl_vcpu_sched_params_get(ctx, domid, &vp), 0);
    testRtdsVcpu(&vp, 0, 1, 1000, 500, 0);
    /* libxl's checks: ERROR_INVAL; Xen's (under 10 us): ERROR_FAIL */
    vp.vcpus[0].budget = 2000;
    ck_assert_int_eq(libxl_vcpu_sched_params_set(ctx, domid, &vp), ERROR_INVAL);
    vp.vcpus[0].budget = 5;
    ck_assert_int_eq(libxl_vcpu_sched_params_set(ctx, domid, &vp), ERROR_FAIL);
    vp.vcpus[0].budget = 500;
    vp.vcpus[0].vcpuid = 2;
    ck_assert_int_eq(libxl_vcpu_sched_params_set(ctx, domid, &vp), ERROR_INVAL);
    ck_assert_int_eq(libxl_vcpu_sched_params_get(ctx, domid, &vp), ERROR_INVAL);
    libxl_vcpu_sched_params_dispose(&vp);

    /* _set_all: exactly one set of parameters */
    libxl_vcpu_sched_params_init(&vp);
    vp.num_vcpus = 1;
    vp.vcpus = &one;
    one.vcpuid = 0;
    one.period = 30000;
    one.budget = 30000;
    one.extratime = 0;
    ck_assert_int_eq(libxl_vcpu_sched_params_set_all(ctx, domid, &vp), 0);
    vp.num_vcpus = 0;
    vp.vcpus = NULL;
    ck_assert_int_eq(libxl_vcpu_sched_params_set_all(ctx, domid, &vp), ERROR_INVAL);
    ck_assert_int_eq(libxl_vcpu_sched_params_get_all(ctx, domid, &vp), 0);
    testRtdsVcpu(&vp, 0, 0, 30000, 30000, 0);
    testRtdsVcpu(&vp, 1, 1, 30000, 30000, 0);
    libxl_vcpu_sched_params_dispose(&vp);

    /* xensimctl shows them */
    {
        g_autofree char *ctl = testBuildPath("xensim/xensimctl");
        g_autofree char *id = g_strdup_printf("%u", domid);
        const char *argv[] = { ctl, "--dir", testDir, "tune", id, NULL };
        g_autofree char *out = NULL;
        int status = -1;

        ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &out, NULL,
                               &status, NULL));
        ck_assert_int_eq(status, 0);
        ck_assert_msg(strstr(out, "scheduler: rtds\n"), "%s", out);
        ck_assert_msg(strstr(out, "vcpu 1 cpu "), "%s", out);
        ck_assert_msg(strstr(out, " rtds_period 30000 rtds_budget 30000 rtds_extratime 0\n"),
                      "%s", out);
    }

    /* credit's parameters on rtds: the hypercall fails */
    libxl_domain_sched_params_init(&p);
    p.sched = LIBXL_SCHEDULER_CREDIT;
    p.weight = 300;
    ck_assert_int_eq(libxl_domain_sched_params_set(ctx, domid, &p), ERROR_FAIL);
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

/* Physical CPUs' idle time (libxenctrl): uptime less what vCPUs ran
 * there, where libxl_list_vcpu says they run. */
START_TEST(test_cpuinfo)
{
    libxl_ctx *ctx = testCtx();
    xc_interface *xch = xc_interface_open(NULL, NULL, 0);
    xc_cpuinfo_t before[T_CPUS], after[T_CPUS], gone[T_CPUS];
    libxl_bitmap pin;
    libxl_vcpuinfo *v;
    uint64_t d5, d6;
    uint32_t domid;
    int nr = 0;

    ck_assert_ptr_nonnull(xch);
    ck_assert_int_eq(xc_getcpuinfo(xch, T_CPUS, before, &nr), 0);
    ck_assert_int_eq(nr, T_CPUS);
    /* 600 s up; Domain-0's 3 vCPUs on CPUs 0-2, 5% busy: 30 s each */
    ck_assert_uint_ge(before[3].idletime, 600 * 1000000000ULL);
    ck_assert_uint_lt(before[3].idletime, 700 * 1000000000ULL);
    ck_assert_uint_ge(before[0].idletime, 569 * 1000000000ULL);
    ck_assert_uint_le(before[0].idletime + 29 * 1000000000ULL, before[3].idletime);
    ck_assert_int_eq(xc_getcpuinfo(xch, 4, after, &nr), 0);
    ck_assert_int_eq(nr, 4);

    /* both vCPUs of a running domain on CPU 5 */
    domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "cpuinfo-1");
    testMap(&pin, T_CPUS, 5, -1);
    ck_assert_int_eq(libxl_set_vcpuaffinity_all(ctx, domid, 2, &pin, NULL), 0);
    libxl_bitmap_dispose(&pin);
    v = testVcpus(ctx, domid, 2);
    ck_assert_uint_eq(v[0].cpu, 5);
    ck_assert_uint_eq(v[1].cpu, 5);
    libxl_vcpuinfo_list_free(v, 2);
    ck_assert_int_eq(xc_getcpuinfo(xch, T_CPUS, before, &nr), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    g_usleep(300 * 1000);
    ck_assert_int_eq(xc_getcpuinfo(xch, T_CPUS, after, &nr), 0);
    d5 = after[5].idletime - before[5].idletime;
    d6 = after[6].idletime - before[6].idletime;
    /* CPU 6 idled all along; CPU 5 ran 2 x 5% of it (less the time the
     * unpause took) */
    ck_assert_uint_ge(d6, 300 * 1000000ULL);
    ck_assert_uint_lt(d5, d6);
    ck_assert_uint_le(d6 - d5, d6 / 10 + 5 * 1000000ULL);
    ck_assert_uint_ge(d6 - d5 + 20 * 1000000ULL, d6 / 10);

    /* what a destroyed domain ran stays run */
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert_int_eq(xc_getcpuinfo(xch, T_CPUS, gone, &nr), 0);
    ck_assert_uint_ge(gone[5].idletime, after[5].idletime);
    ck_assert_uint_lt(gone[5].idletime - after[5].idletime,
                      gone[6].idletime - after[6].idletime + 1000000ULL);

    /* failures: -1, as libxenctrl */
    ck_assert_int_eq(testCtl5("fault", "set", "xc_getcpuinfo", "ERROR_FAIL", "once"), 0);
    ck_assert_int_eq(xc_getcpuinfo(xch, T_CPUS, after, &nr), -1);
    ck_assert_int_eq(xc_getcpuinfo(xch, T_CPUS, after, &nr), 0);
    ck_assert_int_eq(xc_interface_close(xch), 0);
    libxl_ctx_free(ctx);
}
END_TEST

static uint64_t
testCurrentKB(libxl_ctx *ctx, uint32_t domid, uint64_t *max_kb)
{
    libxl_dominfo info;
    uint64_t kb;

    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    kb = info.current_memkb;
    if (max_kb)
        *max_kb = info.max_memkb;
    libxl_dominfo_dispose(&info);
    return kb;
}

static void
testXsNum(const char *path, uint64_t want)
{
    struct xs_handle *xs = xs_open(0);
    g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT, want);
    unsigned int len;
    char *got = xs_read(xs, XBT_NULL, path, &len);

    ck_assert_msg(got, "%s: missing", path);
    ck_assert_str_eq(got, text);
    free(got);
    xs_close(xs);
}

/* Balloon targets as libxl sets them; the guest follows after
 * balloon_delay_ms (300 on the test host), as far as its limit goes. */
START_TEST(test_balloon)
{
    libxl_ctx *ctx = testCtx();
    g_autofree char *kernel = testKernel();
    g_autofree char *target_path = NULL;
    g_autofree char *max_path = NULL;
    g_autofree char *vm_path = NULL;
    libxl_domain_config cfg;
    libxl_dominfo info;
    uint64_t free0, target = 0, max_kb = 0;
    uint32_t domid = INVALID_DOMID, hvm;
    char uuid[LIBXL_UUID_FMTLEN + 1];

    testConfig(&cfg, LIBXL_DOMAIN_TYPE_PV, "balloon-1", kernel, 256 * 1024);
    cfg.b_info.max_memkb = 512 * 1024;
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    target_path = g_strdup_printf("/local/domain/%u/memory/target", domid);
    max_path = g_strdup_printf("/local/domain/%u/memory/static-max", domid);
    testXsNum(target_path, 256 * 1024);
    testXsNum(max_path, 512 * 1024);
    /* the hypervisor's limit: the target and libxl's constant */
    ck_assert_uint_eq(testCurrentKB(ctx, domid, &max_kb), 256 * 1024);
    ck_assert_uint_eq(max_kb, 257 * 1024);
    free0 = testFreeKB(ctx);

    /* down, relative: at once only the target */
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, -64 * 1024, 1, 0), 0);
    ck_assert_int_eq(libxl_get_memory_target(ctx, domid, &target), 0);
    ck_assert_uint_eq(target, 192 * 1024);
    testXsNum(target_path, 192 * 1024);
    libxl_dominfo_init(&info);
    ck_assert_int_eq(libxl_domain_info(ctx, &info, domid), 0);
    g_snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT, LIBXL_UUID_BYTES(info.uuid));
    libxl_dominfo_dispose(&info);
    vm_path = g_strdup_printf("/vm/%s/memory", uuid);
    testXsNum(vm_path, 192);
    ck_assert_uint_eq(testCurrentKB(ctx, domid, NULL), 256 * 1024);
    g_usleep(600 * 1000);
    ck_assert_uint_eq(testCurrentKB(ctx, domid, NULL), 192 * 1024);
    ck_assert_uint_eq(testFreeKB(ctx), free0 + 64 * 1024);

    /* up, absolute, to 384 MiB: not enforced, the limit stays 257 MiB */
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, 384 * 1024, 0, 0), 0);
    g_usleep(600 * 1000);
    ck_assert_uint_eq(testCurrentKB(ctx, domid, &max_kb), 257 * 1024);
    ck_assert_uint_eq(max_kb, 257 * 1024);
    /* enforced: the limit follows the target */
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, 384 * 1024, 0, 1), 0);
    g_usleep(600 * 1000);
    ck_assert_uint_eq(testCurrentKB(ctx, domid, &max_kb), 384 * 1024);
    ck_assert_uint_eq(max_kb, 385 * 1024);
    ck_assert_uint_eq(testFreeKB(ctx), free0 - 128 * 1024);

    /* above memory/static-max: ERROR_INVAL; relative below 0: 0 */
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, 513 * 1024, 0, 0), ERROR_INVAL);
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, 200 * 1024, 1, 0), ERROR_INVAL);
    ck_assert_int_eq(libxl_get_memory_target(ctx, domid, &target), 0);
    ck_assert_uint_eq(target, 384 * 1024);
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, -1024 * 1024, 1, 0), 0);
    ck_assert_int_eq(libxl_get_memory_target(ctx, domid, &target), 0);
    ck_assert_uint_eq(target, 0);
    /* Domain-0 not under 128 MiB */
    ck_assert_int_eq(libxl_set_memory_target(ctx, 0, 100 * 1024, 0, 0), ERROR_INVAL);

    /* maxmem: not below memory/target (libxl returns 1 there); else the
     * limit and static-max */
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, 256 * 1024, 0, 0), 0);
    ck_assert_int_eq(libxl_domain_setmaxmem(ctx, domid, 255 * 1024), 1);
    testXsNum(max_path, 512 * 1024);
    ck_assert_int_eq(libxl_domain_setmaxmem(ctx, domid, 300 * 1024), 0);
    testXsNum(max_path, 300 * 1024);
    ck_assert_uint_eq(testCurrentKB(ctx, domid, &max_kb), 384 * 1024);
    ck_assert_uint_eq(max_kb, 301 * 1024);
    ck_assert_int_eq(libxl_set_memory_target(ctx, domid, 301 * 1024, 0, 0), ERROR_INVAL);

    /* paused: the guest follows once it runs */
    ck_assert_int_eq(libxl_domain_pause(ctx, domid, NULL), 0);
    g_usleep(600 * 1000);
    ck_assert_uint_eq(testCurrentKB(ctx, domid, NULL), 384 * 1024);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    g_usleep(600 * 1000);
    ck_assert_uint_eq(testCurrentKB(ctx, domid, NULL), 256 * 1024);

    /* the guest follows memory/target, whoever writes it */
    {
        struct xs_handle *xs = xs_open(0);

        ck_assert(xs_write(xs, XBT_NULL, target_path, "245760", strlen("245760")));
        xs_close(xs);
        g_usleep(600 * 1000);
        ck_assert_uint_eq(testCurrentKB(ctx, domid, NULL), 240 * 1024);
        ck_assert_int_eq(libxl_get_memory_target(ctx, domid, &target), 0);
        ck_assert_uint_eq(target, 240 * 1024);
    }
    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);

    /* HVM: memory/target is the target less the video RAM (8 MiB, a
     * Cirrus card); an absolute target counts it too */
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_HVM, "balloon-hvm", NULL, 256 * 1024);
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &hvm, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    g_free(target_path);
    target_path = g_strdup_printf("/local/domain/%u/memory/target", hvm);
    testXsNum(target_path, 248 * 1024);
    g_free(vm_path);
    vm_path = g_strdup_printf("/local/domain/%u/memory/videoram", hvm);
    testXsNum(vm_path, 8 * 1024);
    ck_assert_int_eq(libxl_set_memory_target(ctx, hvm, 200 * 1024, 0, 0), 0);
    testXsNum(target_path, 192 * 1024);
    libxl_domain_config_init(&cfg);
    ck_assert_int_eq(libxl_retrieve_domain_configuration(ctx, hvm, &cfg, NULL), 0);
    ck_assert_uint_eq(cfg.b_info.target_memkb, 200 * 1024);
    libxl_domain_config_dispose(&cfg);
    ck_assert_int_eq(libxl_domain_destroy(ctx, hvm, NULL), 0);
    libxl_ctx_free(ctx);
}
END_TEST

/* ---- device hotplug (issue 13) ---- */

static bool
testXsGone(struct xs_handle *xs, const char *path)
{
    unsigned int len;
    char *got = xs_read(xs, XBT_NULL, path, &len);

    free(got);
    return got == NULL;
}

/* Wait up to 2 s for path to read want. */
static void
testXsWait(struct xs_handle *xs, const char *path, const char *want)
{
    unsigned int len;
    char *got = NULL;
    int i;

    for (i = 0; i < 200; i++) {
        free(got);
        got = xs_read(xs, XBT_NULL, path, &len);
        if (got && strcmp(got, want) == 0)
            break;
        g_usleep(10 * 1000);
    }
    ck_assert_msg(got, "%s: missing", path);
    ck_assert_str_eq(got, want);
    free(got);
}

static void
testHotplugDisk(libxl_device_disk *disk, const char *vdev, const char *path,
                libxl_disk_format format)
{
    libxl_device_disk_init(disk);
    disk->vdev = strdup(vdev);
    disk->pdev_path = strdup(path);
    disk->format = format;
    disk->readwrite = 1;
}

static void
testAoCallback(libxl_ctx *ctx, int rc, void *user)
{
    *(int *)user = rc;
}

/* pump libxl's events (no hooks) until *rc is set */
static void
testAoWait(libxl_ctx *ctx, int *rc)
{
    libxl_event *ev = NULL;
    int i;

    for (i = 0; i < 500 && *rc == 1; i++) {
        if (libxl_event_check(ctx, &ev, LIBXL_EVENTMASK_ALL, NULL, NULL) == 0)
            libxl_event_free(ctx, ev);
        g_usleep(10 * 1000);
    }
}

START_TEST(test_hotplug_disk)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    g_autofree char *img = g_strdup_printf("%s/hot.img", testDir);
    g_autofree char *missing = g_strdup_printf("%s/missing.img", testDir);
    g_autofree char *fe = NULL;
    g_autofree char *be = NULL;
    g_autofree char *lp = NULL;
    g_autofree char *p = NULL;
    libxl_asyncop_how how = { .callback = testAoCallback };
    libxl_device_disk disk;
    libxl_device_disk *disks;
    libxl_diskinfo info;
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "hot-disk");
    int n = 0, rc = 1;

    how.u.for_callback = &rc;
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    ck_assert(g_file_set_contents(img, "", 0, NULL));
    fe = g_strdup_printf("/local/domain/%u/device/vbd/51760", domid);
    be = g_strdup_printf("/local/domain/0/backend/vbd/%u/51760", domid);
    lp = g_strdup_printf("/libxl/%u/device/vbd/51760", domid);

    /* an image libxl cannot stat: libxl's reason, no device */
    testHotplugDisk(&disk, "xvdd", missing, LIBXL_DISK_FORMAT_RAW);
    ck_assert_int_eq(libxl_device_disk_add(ctx, domid, &disk, NULL), ERROR_INVAL);
    libxl_device_disk_dispose(&disk);
    ck_assert(testXsGone(xs, fe));

    /* added: the backend waits (2), the script ran, the guest connects */
    testHotplugDisk(&disk, "xvdd", img, LIBXL_DISK_FORMAT_RAW);
    ck_assert_int_eq(libxl_device_disk_add(ctx, domid, &disk, &how), 0);
    testAoWait(ctx, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(disk.backend, LIBXL_DISK_BACKEND_PHY);
    p = g_strdup_printf("%s/hotplug-status", be);
    testXsEq(xs, p, "connected");
    g_free(p);
    p = g_strdup_printf("%s/state", be);
    testXsWait(xs, p, "4");
    g_free(p);
    p = g_strdup_printf("%s/state", fe);
    testXsEq(xs, p, "4");
    g_free(p);
    p = g_strdup_printf("%s/params", be);
    testXsEq(xs, p, img);
    g_free(p);
    p = g_strdup_printf("%s/backend", lp);
    testXsEq(xs, p, be);
    libxl_diskinfo_init(&info);
    ck_assert_int_eq(libxl_device_disk_getinfo(ctx, domid, &disk, &info), 0);
    ck_assert_int_eq(info.state, 4);
    ck_assert_str_eq(info.backend, be);
    libxl_diskinfo_dispose(&info);
    disks = libxl_device_disk_list(ctx, domid, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(disks[0].vdev, "xvdd");
    libxl_device_disk_list_free(disks, n);

    /* the vdev is in use */
    ck_assert_int_eq(libxl_device_disk_add(ctx, domid, &disk, NULL), ERROR_DEVICE_EXISTS);

    /* libxl__device_from_disk needs the backend: UNKNOWN is refused */
    {
        libxl_device_disk d2;

        testHotplugDisk(&d2, "xvdd", img, LIBXL_DISK_FORMAT_RAW);
        ck_assert_int_eq(libxl_device_disk_safe_remove(ctx, domid, &d2, NULL), ERROR_INVAL);
        libxl_device_disk_dispose(&d2);
        ck_assert_int_eq(libxl_vdev_to_device_disk(ctx, domid, "xvdd", &d2), 0);
        ck_assert_int_eq(d2.backend, LIBXL_DISK_BACKEND_PHY);
        ck_assert_str_eq(d2.pdev_path, img);
        libxl_device_disk_dispose(&d2);
        ck_assert_int_eq(libxl_vdev_to_device_disk(ctx, domid, "xvdz", &d2), ERROR_FAIL);
        libxl_device_disk_dispose(&d2);
    }

    /* the guest releases it: the three directories go */
    rc = 1;
    ck_assert_int_eq(libxl_device_disk_safe_remove(ctx, domid, &disk, &how), 0);
    testAoWait(ctx, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert(testXsGone(xs, fe));
    ck_assert(testXsGone(xs, be));
    ck_assert(testXsGone(xs, lp));
    disks = libxl_device_disk_list(ctx, domid, &n);
    ck_assert_int_eq(n, 0);
    libxl_device_disk_list_free(disks, n);

    /* qcow2 goes to QEMU's qdisk */
    libxl_device_disk_dispose(&disk);
    testHotplugDisk(&disk, "xvde", img, LIBXL_DISK_FORMAT_QCOW2);
    ck_assert_int_eq(libxl_device_disk_add(ctx, domid, &disk, NULL), 0);
    ck_assert_int_eq(disk.backend, LIBXL_DISK_BACKEND_QDISK);
    g_free(p);
    p = g_strdup_printf("/local/domain/0/backend/qdisk/%u/51776/params", domid);
    {
        g_autofree char *want = g_strdup_printf("qcow2:%s", img);

        testXsEq(xs, p, want);
    }
    ck_assert_int_eq(libxl_device_disk_remove(ctx, domid, &disk, NULL), 0);
    ck_assert(testXsGone(xs, p));
    libxl_device_disk_dispose(&disk);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_hotplug_keep)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    g_autofree char *img = g_strdup_printf("%s/keep.img", testDir);
    g_autofree char *be = NULL;
    g_autofree char *p = NULL;
    libxl_device_disk disk;
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PVH, "keeper-1");
    gint64 t0;

    ck_assert_int_eq(testCtl5("host", "set", "guest_keep_devices", "keeper-*", NULL), 0);
    ck_assert_int_eq(testCtl5("host", "set", "libxl_destroy_timeout_ms", "300", NULL), 0);
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    ck_assert(g_file_set_contents(img, "", 0, NULL));
    be = g_strdup_printf("/local/domain/0/backend/vbd/%u/51728", domid);
    p = g_strdup_printf("%s/state", be);
    testHotplugDisk(&disk, "xvdb", img, LIBXL_DISK_FORMAT_RAW);
    ck_assert_int_eq(libxl_device_disk_add(ctx, domid, &disk, NULL), 0);
    testXsWait(xs, p, "4");

    /* safe removal: the guest keeps it, libxl gives up after its timeout */
    t0 = g_get_monotonic_time();
    ck_assert_int_eq(libxl_device_disk_safe_remove(ctx, domid, &disk, NULL), ERROR_TIMEDOUT);
    ck_assert_int_ge(g_get_monotonic_time() - t0, 300 * 1000);
    testXsEq(xs, p, "5");
    {
        g_autofree char *online = g_strdup_printf("%s/online", be);

        testXsEq(xs, online, "0");
    }

    /* libxl_device_disk_remove forces it after the timeout */
    t0 = g_get_monotonic_time();
    ck_assert_int_eq(libxl_device_disk_remove(ctx, domid, &disk, NULL), 0);
    ck_assert_int_ge(g_get_monotonic_time() - t0, 300 * 1000);
    ck_assert(testXsGone(xs, be));

    /* a guest that lets go: at once */
    ck_assert_int_eq(testCtl5("host", "set", "guest_keep_devices", "", NULL), 0);
    ck_assert_int_eq(libxl_device_disk_add(ctx, domid, &disk, NULL), 0);
    testXsWait(xs, p, "4");
    t0 = g_get_monotonic_time();
    ck_assert_int_eq(libxl_device_disk_safe_remove(ctx, domid, &disk, NULL), 0);
    ck_assert_int_lt(g_get_monotonic_time() - t0, 300 * 1000);
    ck_assert(testXsGone(xs, be));
    libxl_device_disk_dispose(&disk);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_hotplug_nic)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    libxl_device_nic nic, found;
    libxl_device_nic *nics;
    libxl_nicinfo info;
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_HVM, "hot-nic");
    g_autofree char *p = NULL;
    int n = 0;

    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    libxl_device_nic_init(&nic);
    nic.bridge = strdup("xenbr1");
    memcpy(nic.mac, "\x00\x16\x3e\x0a\x0b\x0c", 6);
    ck_assert_int_eq(nic.devid, -1);
    ck_assert_int_eq(libxl_device_nic_add(ctx, domid, &nic, NULL), 0);
    /* libxl gave it the next free devid, in the caller's struct */
    ck_assert_int_eq(nic.devid, 0);
    ck_assert_int_eq(nic.nictype, LIBXL_NIC_TYPE_VIF);
    p = g_strdup_printf("/local/domain/0/backend/vif/%u/0/bridge", domid);
    testXsEq(xs, p, "xenbr1");
    g_free(p);
    p = g_strdup_printf("/local/domain/0/backend/vif/%u/0/state", domid);
    testXsWait(xs, p, "4");
    libxl_device_nic_dispose(&nic);

    libxl_device_nic_init(&nic);
    memcpy(nic.mac, "\x00\x16\x3e\x0a\x0b\x0d", 6);
    ck_assert_int_eq(libxl_device_nic_add(ctx, domid, &nic, NULL), 0);
    ck_assert_int_eq(nic.devid, 1);
    ck_assert_str_eq(nic.bridge, "xenbr0");
    libxl_device_nic_dispose(&nic);

    nics = libxl_device_nic_list(ctx, domid, &n);
    ck_assert_int_eq(n, 2);
    libxl_device_nic_list_free(nics, n);

    ck_assert_int_eq(libxl_mac_to_device_nic(ctx, domid, "00:16:3e:0a:0b:0d", &found), 0);
    ck_assert_int_eq(found.devid, 1);
    g_free(p);
    p = g_strdup_printf("/local/domain/%u/device/vif/1/state", domid);
    testXsWait(xs, p, "4");
    libxl_nicinfo_init(&info);
    ck_assert_int_eq(libxl_device_nic_getinfo(ctx, domid, &found, &info), 0);
    ck_assert_int_eq(info.state, 4);
    libxl_nicinfo_dispose(&info);
    ck_assert_int_eq(libxl_device_nic_remove(ctx, domid, &found, NULL), 0);
    libxl_device_nic_dispose(&found);
    {
        g_autofree char *fe1 = g_strdup_printf("/local/domain/%u/device/vif/1", domid);

        ck_assert(testXsGone(xs, fe1));
    }
    ck_assert_int_eq(libxl_mac_to_device_nic(ctx, domid, "00:16:3e:0a:0b:0d", &found),
                     ERROR_INVAL);
    ck_assert_int_eq(libxl_mac_to_device_nic(ctx, domid, "nonsense", &found), ERROR_INVAL);
    nics = libxl_device_nic_list(ctx, domid, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(nics[0].devid, 0);
    libxl_device_nic_list_free(nics, n);

    /* the next one reuses no devid still in use */
    libxl_device_nic_init(&nic);
    ck_assert_int_eq(libxl_device_nic_add(ctx, domid, &nic, NULL), 0);
    ck_assert_int_eq(nic.devid, 1);
    ck_assert_int_eq(nic.mac[0], 0x00);
    ck_assert_int_eq(nic.mac[1], 0x16);
    ck_assert_int_eq(nic.mac[2], 0x3e);
    ck_assert_int_eq(libxl_device_nic_destroy(ctx, domid, &nic, NULL), 0);
    libxl_device_nic_dispose(&nic);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_hotplug_cdrom)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    g_autofree char *iso = g_strdup_printf("%s/media.iso", testDir);
    g_autofree char *kernel = testKernel();
    g_autofree char *p = NULL;
    libxl_domain_config cfg;
    libxl_device_disk disk;
    libxl_device_disk *disks;
    uint32_t domid, pv;
    int n = 0;

    ck_assert(g_file_set_contents(iso, "CD001", -1, NULL));
    testConfig(&cfg, LIBXL_DOMAIN_TYPE_HVM, "hot-cd", NULL, 256 * 1024);
    cfg.disks = calloc(1, sizeof(*cfg.disks));
    cfg.num_disks = 1;
    libxl_device_disk_init(&cfg.disks[0]);
    cfg.disks[0].vdev = strdup("hdc");
    cfg.disks[0].is_cdrom = 1;
    cfg.disks[0].format = LIBXL_DISK_FORMAT_EMPTY;
    cfg.disks[0].pdev_path = strdup("");
    ck_assert_int_eq(libxl_domain_create_new(ctx, &cfg, &domid, NULL, NULL), 0);
    libxl_domain_config_dispose(&cfg);
    p = g_strdup_printf("/local/domain/0/backend/vbd/%u/5632/params", domid);

    /* insert */
    testHotplugDisk(&disk, "hdc", iso, LIBXL_DISK_FORMAT_RAW);
    disk.is_cdrom = 1;
    ck_assert_int_eq(libxl_cdrom_insert(ctx, domid, &disk, NULL), 0);
    testXsEq(xs, p, iso);
    disks = libxl_device_disk_list(ctx, domid, &n);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(disks[0].pdev_path, iso);
    libxl_device_disk_list_free(disks, n);
    libxl_device_disk_dispose(&disk);

    /* a drive that is not there; media that is not there */
    testHotplugDisk(&disk, "hdd", iso, LIBXL_DISK_FORMAT_RAW);
    disk.is_cdrom = 1;
    ck_assert_int_eq(libxl_cdrom_insert(ctx, domid, &disk, NULL), ERROR_FAIL);
    libxl_device_disk_dispose(&disk);

    /* eject: no media */
    libxl_device_disk_init(&disk);
    disk.vdev = strdup("hdc");
    disk.is_cdrom = 1;
    ck_assert_int_eq(libxl_cdrom_insert(ctx, domid, &disk, NULL), 0);
    testXsEq(xs, p, "");
    disks = libxl_device_disk_list(ctx, domid, &n);
    ck_assert_int_eq(n, 1);
    ck_assert(!disks[0].pdev_path || !*disks[0].pdev_path);
    libxl_device_disk_list_free(disks, n);

    /* HVM only */
    pv = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "hot-cd-pv");
    ck_assert_int_eq(libxl_cdrom_insert(ctx, pv, &disk, NULL), ERROR_INVAL);
    libxl_device_disk_dispose(&disk);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    ck_assert_int_eq(libxl_domain_destroy(ctx, pv, NULL), 0);
    (void)kernel;
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

/* vif-bridge with netback: the vif on its bridge; a bridge that does not
 * exist fails the script, as Xen's, and libxl leaves the nic half made */
START_TEST(test_hotplug_netback)
{
    libxl_ctx *ctx = testCtx();
    struct xs_handle *xs = xs_open(0);
    libxl_device_nic nic;
    uint32_t domid = testCreate(ctx, LIBXL_DOMAIN_TYPE_PV, "hot-vif");
    g_autofree char *out = NULL;
    g_autofree char *p = NULL;

    g_free(testInNetns("ip link add brhot type bridge && ip link set brhot up"));
    ck_assert_int_eq(libxl_domain_unpause(ctx, domid, NULL), 0);
    libxl_device_nic_init(&nic);
    nic.bridge = strdup("brhot");
    ck_assert_int_eq(libxl_device_nic_add(ctx, domid, &nic, NULL), 0);
    {
        g_autofree char *cmd = g_strdup_printf("ip -o link show vif%u.0", domid);

        out = testInNetns(cmd);
    }
    ck_assert_msg(strstr(out, "master brhot"), "vif not on brhot: %s", out);
    ck_assert_int_eq(libxl_device_nic_remove(ctx, domid, &nic, NULL), 0);
    g_free(out);
    {
        g_autofree char *cmd = g_strdup_printf("ip -o link show | grep -c \"vif%u\\.\" || true", domid);

        out = testInNetns(cmd);
    }
    ck_assert_str_eq(g_strstrip(out), "0");
    libxl_device_nic_dispose(&nic);

    libxl_device_nic_init(&nic);
    nic.bridge = strdup("brnone");
    ck_assert_int_eq(libxl_device_nic_add(ctx, domid, &nic, NULL), ERROR_FAIL);
    ck_assert_int_eq(nic.devid, 0);
    p = g_strdup_printf("/local/domain/0/backend/vif/%u/0/hotplug-error", domid);
    testXsEq(xs, p, "Could not find bridge device brnone");
    g_free(p);
    p = g_strdup_printf("/local/domain/0/backend/vif/%u/0/state", domid);
    testXsEq(xs, p, "2");
    /* what is left half made goes with libxl_device_nic_destroy */
    ck_assert_int_eq(libxl_device_nic_destroy(ctx, domid, &nic, NULL), 0);
    ck_assert(testXsGone(xs, p));
    libxl_device_nic_dispose(&nic);

    ck_assert_int_eq(libxl_domain_destroy(ctx, domid, NULL), 0);
    xs_close(xs);
    libxl_ctx_free(ctx);
}
END_TEST

START_TEST(test_config_pci)
{
    XensimHostConfig cfg;

    xensimHostConfigInit(&cfg);
    ck_assert_str_eq(cfg.pci_devices, "");
    CK_CONFIG_OK(&cfg, "pci_devices", "0000:03:00.0 8086:10d3 0x020000 e1000e, 00:1f.3");
    CK_CONFIG_OK(&cfg, "pci_devices", "0000:03:00.0  8086:10d3\t0x020000 -;");
    CK_CONFIG_ERROR(&cfg, "pci_devices", "0000:03:00", "'0000:03:00': a PCI address");
    CK_CONFIG_ERROR(&cfg, "pci_devices", "0000:03:20.0", "a PCI address");
    CK_CONFIG_ERROR(&cfg, "pci_devices", "03:00.0 8086", "VENDOR:DEVICE");
    CK_CONFIG_ERROR(&cfg, "pci_devices", "03:00.0 8086:10d3 class", "a PCI class");
    CK_CONFIG_ERROR(&cfg, "pci_devices", "03:00.0 8086:10d3 0x020000 e1000e x", "too many");
    CK_CONFIG_ERROR(&cfg, "pci_devices", "03:00.0, 0000:03:00.0", "listed twice");
    CK_CONFIG_OK(&cfg, "usb_devices", "1.2 046d:c52b 00; 2.4 05e3:0610 09, 3.1");
    CK_CONFIG_ERROR(&cfg, "usb_devices", "1-2", "a USB address BUS.ADDR");
    CK_CONFIG_ERROR(&cfg, "usb_devices", "1.200", "a USB address");
    CK_CONFIG_ERROR(&cfg, "usb_devices", "1.2 046d", "VENDOR:PRODUCT");
    CK_CONFIG_ERROR(&cfg, "usb_devices", "1.2, 1.2", "listed twice");
    xensimHostConfigDispose(&cfg);
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
    tcase_add_test(tc, test_cpu_time);
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
    tc = tcase_create("lifecycle");
    tcase_add_unchecked_fixture(tc, xensimStart, xensimStop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_create_sync);
    tcase_add_test(tc, test_devices);
    tcase_add_test(tc, test_pci);
    tcase_add_test(tc, test_usb);
    tcase_add_test(tc, test_create_waits_console);
    tcase_add_test(tc, test_create_errors);
    tcase_add_test(tc, test_events_no_hooks);
    tcase_add_test(tc, test_events_beforepoll);
    tcase_add_test(tc, test_events_hooks);
    tcase_add_test(tc, test_ao_timeout);
    tcase_add_test(tc, test_shutdown_ack);
    tcase_add_test(tc, test_save_stream);
    tcase_add_test(tc, test_restore_stream);
    tcase_add_test(tc, test_core_dump);
    tcase_add_test(tc, test_guest_behaviour);
    tcase_add_test(tc, test_shutdown_reasons);
    tcase_add_test(tc, test_ao_abort);
    tcase_add_test(tc, test_childproc_selective);
    tcase_add_test(tc, test_childproc_always);
    tcase_add_test(tc, test_childproc_mainloop);
    tcase_add_test(tc, test_destroy_again);
    tcase_add_test(tc, test_childproc_save);
    tcase_add_test(tc, test_console);
    tcase_add_test(tc, test_reconnect_events);
    suite_add_tcase(s, tc);

    tc = tcase_create("io");
    tcase_add_unchecked_fixture(tc, xensimStart, xensimStop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_io_backends);
    tcase_add_test(tc, test_io_vbd_stats);
    tcase_add_test(tc, test_io_qmp);
    suite_add_tcase(s, tc);

    tc = tcase_create("hotplug");
    tcase_add_unchecked_fixture(tc, xensimStart, xensimStop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_hotplug_disk);
    tcase_add_test(tc, test_hotplug_keep);
    tcase_add_test(tc, test_hotplug_nic);
    tcase_add_test(tc, test_hotplug_cdrom);
    suite_add_tcase(s, tc);

    /* netback makes interfaces: xensimd in a network namespace of its own */
    tc = tcase_create("netback");
    tcase_add_unchecked_fixture(tc, xensimStartNetns, xensimStop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_io_netback);
    tcase_add_test(tc, test_hotplug_netback);
    suite_add_tcase(s, tc);

    /* vCPUs, scheduling, memory, host CPU time; restarts xensimd */
    tc = tcase_create("tune");
    tcase_add_unchecked_fixture(tc, xensimStart, xensimStop);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_vcpu_affinity);
    tcase_add_test(tc, test_vcpu_affinity_create);
    tcase_add_test(tc, test_numa_placement);
    tcase_add_test(tc, test_vcpu_online);
    tcase_add_test(tc, test_cpuinfo);
    tcase_add_test(tc, test_balloon);
    tcase_add_test(tc, test_sched_credit);
    tcase_add_test(tc, test_sched_credit2);
    tcase_add_test(tc, test_sched_rtds);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_add_test(tc, test_config_memory);
    tcase_add_test(tc, test_config_reserved);
    tcase_add_test(tc, test_config_cpu);
    tcase_add_test(tc, test_config_virt_caps);
    tcase_add_test(tc, test_config_pci);
    suite_add_tcase(s, tc);

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

    testLogger = xtl_createlogger_stdiostream(stderr, getenv("XENSIM_TEST_VERBOSE") ?
                                              XTL_DEBUG : XTL_CRITICAL, 0);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xtl_logger_destroy((xentoollog_logger *)testLogger);
    return failed;
}
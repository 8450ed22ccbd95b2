/*
 * libxl_unit_test.c: the driver's pieces that need no daemon and no Xen
 *
 *   uri      which URIs the driver probes, opens, declines and refuses
 *   dom0     the Xen control domain detection
 *   logger   libxl's messages reach the log file; the last error is kept
 *            per thread and carried into libvirt errors
 *   domain   private data owns its console sessions; Domain-0 from libxl_dominfo
 *   console  the console relay: both directions, one client at a time,
 *            --force gives the first a clean end of stream, the session
 *            table freed under live sessions (the 2013 seed bugs' shape);
 *            aliases of every character device
 *   conf     libxl.conf settings; the configuration's teardown in libxl's order
 */
#include <config.h>

#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"
#include "datatypes.h"
#include "virerror.h"
#include "virfile.h"
#include "viruri.h"
#include "virevent.h"
#include "virthread.h"
#include "libxl_conf.h"
#include "libxl_console.h"
#include "libxl_domain.h"
#include "libxl_driver.h"
#include "libxl_logger.h"
#include "libxl_osevent.h"
#include "libxl_testutils.h"

/* ---- uri ---- */

typedef struct {
    const char *uri;
    virDrvOpenStatus status;
    const char *error;
} libxlTestURICase;

static const libxlTestURICase uriCases[] = {
    { "xen:///system", VIR_DRV_OPEN_SUCCESS, NULL },
    { "xen:///", VIR_DRV_OPEN_SUCCESS, NULL },
    { "xen:", VIR_DRV_OPEN_SUCCESS, NULL },
    { "xen:///system?socket=/tmp/d1/libvirt-sock", VIR_DRV_OPEN_SUCCESS, NULL },
    { "xen:///session", VIR_DRV_OPEN_ERROR,
      "unsupported configuration: unexpected Xen URI path '/session', try xen:///system" },
    { "xen:///bogus/path", VIR_DRV_OPEN_ERROR,
      "unsupported configuration: unexpected Xen URI path '/bogus/path', try xen:///system" },
    { "xen://remotehost/system", VIR_DRV_OPEN_DECLINED, NULL },
    { "qemu:///system", VIR_DRV_OPEN_DECLINED, NULL },
    { "test:///default", VIR_DRV_OPEN_DECLINED, NULL },
    { "lxc:///", VIR_DRV_OPEN_DECLINED, NULL },
};

START_TEST(test_uri_check)
{
    const libxlTestURICase *c = &uriCases[_i];
    g_autoptr(virURI) uri = virURIParse(c->uri);

    ck_assert_msg(uri != NULL, "%s: %s", c->uri, virGetLastErrorMessage());
    virResetLastError();
    ck_assert_msg(libxlConnectURICheck(true, uri) == c->status,
                  "%s: expected status %d", c->uri, c->status);
    if (c->error)
        ck_assert_str_eq(virGetLastErrorMessage(), c->error);
}
END_TEST

START_TEST(test_uri_inactive)
{
    g_autoptr(virURI) uri = virURIParse("xen:///system");
    g_autoptr(virURI) other = virURIParse("qemu:///system");

    ck_assert_int_eq(libxlConnectURICheck(false, uri), VIR_DRV_OPEN_ERROR);
    ck_assert_str_eq(virGetLastErrorMessage(),
                     "internal error: libxenlight state driver is not active");
    ck_assert_int_eq(libxlConnectURICheck(false, other), VIR_DRV_OPEN_DECLINED);
    ck_assert_int_eq(libxlConnectURICheck(true, NULL), VIR_DRV_OPEN_DECLINED);
}
END_TEST

START_TEST(test_uri_probe)
{
    g_autofree char *uri = NULL;

    ck_assert_int_eq(libxlConnectURIProbeFor(false, &uri), 0);
    ck_assert_ptr_null(uri);
    ck_assert_int_eq(libxlConnectURIProbeFor(true, &uri), 1);
    ck_assert_str_eq(uri, "xen:///system");
}
END_TEST

/* ---- dom0 ---- */

static char *tmpdir;

static void
libxlTestTmpdirSetup(void)
{
    tmpdir = g_dir_make_tmp("libxltest-XXXXXX", NULL);
    ck_assert_ptr_nonnull(tmpdir);
}

static void
libxlTestTmpdirTeardown(void)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

    ignore_value(system(cmd));
    g_clear_pointer(&tmpdir, g_free);
}

static char *
libxlTestTmpFile(const char *name, const char *content)
{
    char *path = g_strdup_printf("%s/%s", tmpdir, name);

    if (content)
        ck_assert(g_file_set_contents(path, content, -1, NULL));
    return path;
}

START_TEST(test_dom0_detect)
{
    g_autofree char *dom0 = libxlTestTmpFile("caps-dom0", "control_d\n");
    g_autofree char *domU = libxlTestTmpFile("caps-domU", "\n");
    g_autofree char *xenstored = libxlTestTmpFile("xenstored", "");
    g_autofree char *missing = libxlTestTmpFile("missing", NULL);

    ck_assert(libxlDriverIsXenDom0(dom0, missing));
    /* a guest with xenfs mounted is not dom0, xenstored or not */
    ck_assert(!libxlDriverIsXenDom0(domU, missing));
    ck_assert(!libxlDriverIsXenDom0(domU, xenstored));
    /* no xenfs: xenstored's socket decides */
    ck_assert(libxlDriverIsXenDom0(missing, xenstored));
    ck_assert(!libxlDriverIsXenDom0(missing, missing));
}
END_TEST

/* ---- logger ---- */

static void *
libxlTestLoggerThread(void *opaque)
{
    libxlLogger *logger = opaque;
    xentoollog_logger *xtl = libxlLoggerGetXTL(logger);
    const char *err;

    libxlLoggerResetLastError();
    xtl_log(xtl, XTL_ERROR, -1, "libxl", "thread error %d", 2);
    err = libxlLoggerGetLastError();
    return g_strdup(err);
}

START_TEST(test_logger_last_error)
{
    g_autofree char *path = libxlTestTmpFile("libxl.log", NULL);
    g_autoptr(libxlLogger) logger = libxlLoggerNewFile(path, VIR_LOG_INFO);
    xentoollog_logger *xtl;
    g_autofree char *other = NULL;
    g_autofree char *log = NULL;
    GThread *thread;

    ck_assert_ptr_nonnull(logger);
    xtl = libxlLoggerGetXTL(logger);

    libxlLoggerResetLastError();
    ck_assert_ptr_null(libxlLoggerGetLastError());

    /* messages below error level are logged but are no error */
    xtl_log(xtl, XTL_DEBUG, -1, "libxl", "not logged %d", 0);
    xtl_log(xtl, XTL_INFO, -1, "libxl", "some info %d", 1);
    ck_assert_ptr_null(libxlLoggerGetLastError());

    xtl_log(xtl, XTL_ERROR, ENOENT, "libxl", "cannot open %s", "/dev/xen/privcmd");
    ck_assert_str_eq(libxlLoggerGetLastError(),
                     "cannot open /dev/xen/privcmd: No such file or directory");
    xtl_log(xtl, XTL_ERROR, -1, "libxl", "domain %d does not exist", 42);
    ck_assert_str_eq(libxlLoggerGetLastError(), "domain 42 does not exist");

    /* another thread has its own last error, and does not touch ours */
    thread = g_thread_new("logger", libxlTestLoggerThread, logger);
    other = g_thread_join(thread);
    ck_assert_str_eq(other, "thread error 2");
    ck_assert_str_eq(libxlLoggerGetLastError(), "domain 42 does not exist");

    /* the libvirt error carries libxl's reason, once */
    virResetLastError();
    libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s", "libxl_domain_info failed");
    ck_assert_str_eq(virGetLastErrorMessage(),
                     "internal error: libxl_domain_info failed: domain 42 does not exist");
    ck_assert_ptr_null(libxlLoggerGetLastError());
    libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s", "libxl_domain_info failed");
    ck_assert_str_eq(virGetLastErrorMessage(),
                     "internal error: libxl_domain_info failed");

    ck_assert(g_file_get_contents(path, &log, NULL, NULL));
    ck_assert_ptr_null(strstr(log, "not logged"));
    ck_assert_ptr_nonnull(strstr(log, "libxl: info libxl: some info 1\n"));
    ck_assert_ptr_nonnull(strstr(log, "libxl: error libxl: domain 42 does not exist\n"));
    ck_assert_ptr_nonnull(strstr(log, "thread error 2"));
}
END_TEST

START_TEST(test_logger_bad_dir)
{
    ck_assert_ptr_null(libxlLoggerNew("/nonexistent/dir", VIR_LOG_DEBUG));
    ck_assert_ptr_nonnull(strstr(virGetLastErrorMessage(),
                                 "failed to open libxl log file '/nonexistent/dir/libxl-driver.log'"));
    libxlLoggerFree(NULL);
}
END_TEST

/* ---- domain ---- */

START_TEST(test_private_alloc_free)
{
    libxlDomainObjPrivate *priv = libxlDomainObjPrivateAlloc(NULL);

    ck_assert_ptr_nonnull(priv);
    ck_assert_ptr_nonnull(priv->consoles);
    libxlDomainObjPrivateFree(priv);
    libxlDomainObjPrivateFree(NULL);
}
END_TEST

/* the private data lives and dies with the domain object */
START_TEST(test_private_with_object)
{
    libxlDriverPrivate driver = { 0 };
    virDomainObj *vm;
    libxlDomainObjPrivate *priv;
    size_t i;

    driver.xmlopt = libxlDomainXMLConfNew(&driver);
    ck_assert_ptr_nonnull(driver.xmlopt);

    for (i = 0; i < 100; i++) {
        vm = virDomainObjNew(driver.xmlopt);
        ck_assert_ptr_nonnull(vm);
        priv = vm->privateData;
        ck_assert_ptr_nonnull(priv);
        ck_assert_ptr_nonnull(priv->consoles);
        ck_assert(vm->privateDataFreeFunc == libxlDomainObjPrivateFree);
        virObjectUnlock(vm);
        virObjectUnref(vm);
    }
    virObjectUnref(driver.xmlopt);
}
END_TEST

static void
libxlTestDominfo(libxl_dominfo *info)
{
    libxl_dominfo_init(info);
    info->domid = 0;
    info->current_memkb = 1048576;
    info->max_memkb = UINT64_MAX / 1024;
    info->vcpu_max_id = 3;
    info->vcpu_online = 4;
    info->running = true;
}

START_TEST(test_dom0_update)
{
    libxlDriverPrivate driver = { 0 };
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *xml = NULL;
    virDomainObj *vm;
    libxl_dominfo info;
    int state;
    int reason;

    driver.xmlopt = libxlDomainXMLConfNew(&driver);
    driver.domains = virDomainObjListNew();
    def = virDomainDefNew(driver.xmlopt);
    def->virtType = VIR_DOMAIN_VIRT_XEN;
    def->os.type = VIR_DOMAIN_OSTYPE_XEN;
    def->os.arch = VIR_ARCH_X86_64;
    def->name = g_strdup(LIBXL_DOM0_NAME);
    vm = virDomainObjListAdd(driver.domains, &def, driver.xmlopt, 0, NULL);
    ck_assert_ptr_nonnull(vm);

    libxlTestDominfo(&info);
    ck_assert_int_eq(libxlDomainDom0Update(vm, &info, driver.xmlopt), 0);
    ck_assert_int_eq(vm->def->id, 0);
    ck_assert_uint_eq(virDomainDefGetVcpus(vm->def), 4);
    ck_assert_uint_eq(virDomainDefGetVcpusMax(vm->def), 4);
    /* unlimited max memory is reported as the current allocation */
    ck_assert_uint_eq(virDomainDefGetMemoryTotal(vm->def), 1048576);
    ck_assert(vm->persistent);
    state = virDomainObjGetState(vm, &reason);
    ck_assert_int_eq(state, VIR_DOMAIN_RUNNING);
    ck_assert_int_eq(reason, VIR_DOMAIN_RUNNING_BOOTED);

    xml = virDomainDefFormat(vm->def, driver.xmlopt, 0);
    ck_assert_ptr_nonnull(xml);
    ck_assert_ptr_nonnull(strstr(xml, "<domain type='xen' id='0'>"));
    ck_assert_ptr_nonnull(strstr(xml, "<name>Domain-0</name>"));
    ck_assert_ptr_nonnull(strstr(xml, "<vcpu placement='static'>4</vcpu>"));

    /* the object is found by id 0 and by name */
    virDomainObjEndAPI(&vm);
    vm = virDomainObjListFindByID(driver.domains, 0);
    ck_assert_ptr_nonnull(vm);
    virDomainObjEndAPI(&vm);
    vm = virDomainObjListFindByName(driver.domains, LIBXL_DOM0_NAME);
    ck_assert_ptr_nonnull(vm);
    virDomainObjEndAPI(&vm);

    libxl_dominfo_dispose(&info);
    virObjectUnref(driver.domains);
    virObjectUnref(driver.xmlopt);
}
END_TEST

START_TEST(test_state_from_dominfo)
{
    libxl_dominfo info;
    int state;
    int reason;

    libxl_dominfo_init(&info);
    libxlDomainStateFromDominfo(&info, &state, &reason);
    ck_assert_int_eq(state, VIR_DOMAIN_RUNNING);
    info.blocked = true;
    libxlDomainStateFromDominfo(&info, &state, &reason);
    ck_assert_int_eq(state, VIR_DOMAIN_BLOCKED);
    info.paused = true;
    libxlDomainStateFromDominfo(&info, &state, &reason);
    ck_assert_int_eq(state, VIR_DOMAIN_PAUSED);
    info.shutdown = true;
    info.shutdown_reason = LIBXL_SHUTDOWN_REASON_CRASH;
    libxlDomainStateFromDominfo(&info, &state, &reason);
    ck_assert_int_eq(state, VIR_DOMAIN_CRASHED);
    info.shutdown_reason = LIBXL_SHUTDOWN_REASON_POWEROFF;
    libxlDomainStateFromDominfo(&info, &state, &reason);
    ck_assert_int_eq(state, VIR_DOMAIN_SHUTDOWN);
    info.dying = true;
    libxlDomainStateFromDominfo(&info, &state, &reason);
    ck_assert_int_eq(state, VIR_DOMAIN_SHUTDOWN);
    libxl_dominfo_dispose(&info);
}
END_TEST

/* ---- conf ---- */

START_TEST(test_conf_defaults)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigNew();
    g_autofree char *missing = libxlTestTmpFile("missing.conf", NULL);

    ck_assert_ptr_nonnull(cfg);
    ck_assert_str_eq(cfg->stateDir, "/run/libvirt/libxl");
    ck_assert_str_eq(cfg->libDir, "/var/lib/libvirt/libxl");
    ck_assert_str_eq(cfg->logDir, "/var/log/libvirt/libxl");
    ck_assert_str_eq(cfg->configDir, "/etc/libvirt/libxl");
    ck_assert(cfg->autoballoon);
    ck_assert_int_eq(cfg->nfirmwares, 2);
    ck_assert_str_eq(cfg->firmwares[0]->name, "/usr/lib/xen/boot/ovmf.bin");
    ck_assert_str_eq(cfg->firmwares[1]->name, "/usr/lib/xen/boot/hvmloader");
    /* no libxl.conf: defaults stay */
    ck_assert_int_eq(libxlDriverConfigLoadFile(cfg, missing), 0);
    ck_assert(cfg->autoballoon);
}
END_TEST

START_TEST(test_conf_file)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigNew();
    g_autofree char *path = libxlTestSrcPath("libxlconfdata/full.conf");
    g_autofree char *bad = libxlTestSrcPath("libxlconfdata/badtype.conf");

    ck_assert_int_eq(libxlDriverConfigLoadFile(cfg, path), 0);
    ck_assert(!cfg->autoballoon);
    ck_assert_str_eq(cfg->lockManagerName, "lockd");
    ck_assert_int_eq(cfg->keepAliveInterval, 10);
    ck_assert_uint_eq(cfg->keepAliveCount, 3);
    ck_assert(cfg->nestedHVM);
    ck_assert_str_eq(cfg->saveDir, "/var/lib/libvirt/libxl/save");

    ck_assert_int_eq(libxlDriverConfigLoadFile(cfg, bad), -1);
    ck_assert_ptr_nonnull(strstr(virGetLastErrorMessage(), "keepalive_interval"));
}
END_TEST

/* where managed-save images and automatic core dumps go */
START_TEST(test_conf_dirs)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigNew();
    g_autofree char *path = libxlTestSrcPath("libxlconfdata/dirs.conf");
    g_autofree char *rel = libxlTestSrcPath("libxlconfdata/reldir.conf");

    ck_assert_int_eq(libxlDriverConfigLoadFile(cfg, path), 0);
    ck_assert_str_eq(cfg->saveDir, "/srv/xen/save");
    ck_assert_str_eq(cfg->autoDumpDir, "/srv/xen/dump");

    ck_assert_int_eq(libxlDriverConfigLoadFile(cfg, rel), -1);
    ck_assert_ptr_nonnull(strstr(virGetLastErrorMessage(),
                                 "save_image_dir must be an absolute path, not 'save'"));
    ck_assert_str_eq(cfg->saveDir, "/srv/xen/save");
}
END_TEST


/* the fds this process has open */
static int
libxlTestOpenFds(void)
{
    g_autoptr(GDir) dir = g_dir_open("/proc/self/fd", 0, NULL);
    int n = 0;

    ck_assert_ptr_nonnull(dir);
    while (g_dir_read_name(dir))
        n++;
    return n;
}

static void libxlTestEventLoopStart(void);

#define TEST_CTX ((libxl_ctx *) 0xc7c7)

/* occurrences the bridge delivered to "libxl" */
static int libxlTestTeardownDelivered;

static void
libxlTestTeardownOccurredFd(libxl_ctx *ctx G_GNUC_UNUSED,
                            void *for_libxl G_GNUC_UNUSED,
                            int fd,
                            short events G_GNUC_UNUSED,
                            short revents G_GNUC_UNUSED)
{
    char c;

    /* drained, or the loop would dispatch the same byte again */
    ignore_value(read(fd, &c, 1));
    g_atomic_int_inc(&libxlTestTeardownDelivered);
}


static void
libxlTestTeardownOccurredTimeout(libxl_ctx *ctx G_GNUC_UNUSED,
                                 void *for_libxl G_GNUC_UNUSED)
{
}


static bool
libxlTestTeardownWait(int (*get)(void), int want, int ms)
{
    for (; ms > 0; ms -= 10) {
        if (get() == want)
            return true;
        g_usleep(10 * 1000);
    }
    return get() == want;
}


static int
libxlTestTeardownDeliveredGet(void)
{
    return g_atomic_int_get(&libxlTestTeardownDelivered);
}


/*
 * What libxl_ctx_free finds when the driver's configuration frees its
 * context: this definition is the test program's own, so the call in
 * libxlDriverConfigDispose lands here (no test of this program makes a
 * real context).  Real libxl logs through the logger and deregisters its
 * fds and timeouts through the bridge while it frees the context, and
 * libxl must get no occurrence from then on.
 */
static struct {
    int calls;
    libxl_ctx *ctx;
    int wfd;                  /* the write end of a registered pipe */
    int fds;                  /* fds open while the context is freed */
    int refs;                 /* the bridge's references then */
    int delivered;            /* occurrences delivered during the free */
    libxlEventBridge *bridge;
} libxlTestCtxFree;

int
libxl_ctx_free(libxl_ctx *ctx)
{
    if (!ctx)
        return 0;
    libxlTestCtxFree.calls++;
    libxlTestCtxFree.ctx = ctx;
    libxlTestCtxFree.fds = libxlTestOpenFds();
    libxlTestCtxFree.refs = libxlEventBridgeRefs(libxlTestCtxFree.bridge);
    /* the registered fd becomes readable: a bridge still attached would
     * hand it to the context being freed */
    ck_assert_int_eq(write(libxlTestCtxFree.wfd, "x", 1), 1);
    g_usleep(300 * 1000);
    libxlTestCtxFree.delivered = libxlTestTeardownDeliveredGet();
    return 0;
}


/*
 * A driver configuration tears down in libxl's order: the bridge stops
 * delivering occurrences before the context is freed, the logger the
 * context logs through outlives it, and the configuration's reference on
 * the bridge goes (a registration libxl still holds keeps it alive).
 */
START_TEST(test_conf_teardown)
{
    g_autofree char *dir = g_strdup("/tmp/libxl-conf-XXXXXX");
    g_autofree char *log = NULL;
    const libxl_osevent_hooks *hooks = libxlEventBridgeHooks();
    libxlDriverConfig *cfg;
    libxlEventBridge *bridge;
    void *reg = NULL;
    int pipefd[2];
    int fds;
    int regs;

    libxlTestEventLoopStart();
    regs = libxlEventRegistrationsAlive();
    ck_assert_ptr_nonnull(g_mkdtemp(dir));
    log = g_strdup_printf("%s/libxl-driver.log", dir);
    ck_assert_int_eq(pipe(pipefd), 0);

    cfg = libxlDriverConfigNew();
    ck_assert_ptr_nonnull((cfg->logger = libxlLoggerNewFile(log, VIR_LOG_ERROR)));
    cfg->ctx = TEST_CTX;
    bridge = cfg->bridge = libxlEventBridgeNew();
    libxlEventBridgeSetOccurred(bridge, TEST_CTX, libxlTestTeardownOccurredFd,
                                libxlTestTeardownOccurredTimeout);
    ck_assert_int_eq(hooks->fd_register(bridge, pipefd[0], &reg, POLLIN,
                                        (void *) 0x1), 0);
    ck_assert_int_eq(libxlEventRegistrationsAlive(), regs + 1);
    ck_assert_int_eq(libxlEventBridgeRefs(bridge), 2);
    /* attached: an occurrence reaches libxl */
    ck_assert_int_eq(write(pipefd[1], "x", 1), 1);
    ck_assert(libxlTestTeardownWait(libxlTestTeardownDeliveredGet, 1, 2000));
    /* counted once the loop has run: it opens its own on its first turn */
    fds = libxlTestOpenFds();

    memset(&libxlTestCtxFree, 0, sizeof(libxlTestCtxFree));
    libxlTestCtxFree.wfd = pipefd[1];
    libxlTestCtxFree.bridge = bridge;
    virObjectUnref(cfg);

    ck_assert_int_eq(libxlTestCtxFree.calls, 1);
    ck_assert_ptr_eq(libxlTestCtxFree.ctx, TEST_CTX);
    /* detached before the context was freed */
    ck_assert_int_eq(libxlTestCtxFree.delivered, 1);
    ck_assert_int_eq(libxlTestTeardownDeliveredGet(), 1);
    /* the logger's file still open then, closed now */
    ck_assert_int_eq(libxlTestCtxFree.fds, fds);
    ck_assert_int_eq(libxlTestOpenFds(), fds - 1);
    /* the configuration's reference on the bridge is gone, the
     * registration's is left */
    ck_assert_int_eq(libxlTestCtxFree.refs, 2);
    ck_assert_int_eq(libxlEventBridgeRefs(bridge), 1);

    /* libxl lets go of it: the record, and the bridge with it, are freed */
    hooks->fd_deregister(bridge, pipefd[0], reg);
    ck_assert(libxlTestTeardownWait(libxlEventRegistrationsAlive, regs, 2000));

    /* nothing built at all, and no object */
    virObjectUnref(libxlDriverConfigNew());
    virObjectUnref(NULL);
    ck_assert_int_eq(libxlTestCtxFree.calls, 1);
    ck_assert_int_eq(libxlTestOpenFds(), fds - 1);

    VIR_FORCE_CLOSE(pipefd[0]);
    VIR_FORCE_CLOSE(pipefd[1]);
    unlink(log);
    rmdir(dir);
}
END_TEST

/* ---- console ---- */

static void
libxlTestEventLoop(void *opaque G_GNUC_UNUSED)
{
    while (true)
        virEventRunDefaultImpl();
}


static void
libxlTestEventLoopStart(void)
{
    virThread thread;

    ck_assert_int_eq(virEventRegisterDefaultImpl(), 0);
    ck_assert_int_eq(virThreadCreate(&thread, false, libxlTestEventLoop, NULL), 0);
}


/* read exactly @len bytes from @st (blocking) */
static void
libxlTestStreamExpect(virStreamPtr st, const char *want)
{
    char buf[256];
    size_t got = 0;
    size_t len = strlen(want);

    while (got < len) {
        int r = virStreamRecv(st, buf + got, len - got);

        ck_assert_msg(r > 0, "stream ended after %zu bytes: %s", got,
                      virGetLastErrorMessage());
        got += r;
    }
    ck_assert_mem_eq(buf, want, len);
}


static void
libxlTestPtyExpect(int master, const char *want)
{
    char buf[256];
    size_t got = 0;
    size_t len = strlen(want);

    while (got < len) {
        ssize_t r = read(master, buf + got, len - got);

        ck_assert_int_gt(r, 0);
        got += r;
    }
    ck_assert_mem_eq(buf, want, len);
}


START_TEST(test_console_relay)
{
    int master, slave;
    char path[64];
    virConnectPtr conn;
    virStreamPtr first, second, third;
    libxlConsoles *consoles;
    char c;

    libxlTestEventLoopStart();
    /* the console daemon's side: the master, and the slave kept open */
    ck_assert_int_eq(openpty(&master, &slave, path, NULL, NULL), 0);
    ck_assert_ptr_nonnull(conn = virGetConnect());
    ck_assert_ptr_nonnull(first = virGetStream(conn));
    ck_assert_ptr_nonnull(second = virGetStream(conn));
    ck_assert_ptr_nonnull(third = virGetStream(conn));
    ck_assert_ptr_nonnull(consoles = libxlConsolesNew());

    ck_assert_int_eq(libxlConsolesOpen(consoles, path, first, false), 0);
    ck_assert_uint_eq(libxlConsolesCount(consoles), 1);
    /* guest to client, client to guest */
    ck_assert_int_eq(write(master, "login: ", 7), 7);
    libxlTestStreamExpect(first, "login: ");
    ck_assert_int_eq(virStreamSend(first, "root\r", 5), 5);
    libxlTestPtyExpect(master, "root\r");

    /* one client at a time */
    ck_assert_int_eq(libxlConsolesOpen(consoles, path, second, false), 1);
    /* taken over: the first client reads the end of its stream */
    ck_assert_int_eq(libxlConsolesOpen(consoles, path, second, true), 0);
    ck_assert_int_eq(virStreamRecv(first, &c, 1), 0);
    ck_assert_uint_eq(libxlConsolesCount(consoles), 1);
    ck_assert_int_eq(write(master, "# ", 2), 2);
    libxlTestStreamExpect(second, "# ");

    /* the client going away ends its session */
    ck_assert_int_eq(virStreamFinish(second), 0);
    while (libxlConsolesCount(consoles) != 0)
        g_usleep(1000);
    ck_assert_int_eq(libxlConsolesOpen(consoles, path, third, false), 0);

    /* the table goes (the domain object with it) under a live session:
     * the session ends cleanly, its handles release it later */
    libxlConsolesFree(consoles);
    ck_assert_int_eq(virStreamRecv(third, &c, 1), 0);
    ck_assert_int_eq(write(master, "late", 4), 4);
    g_usleep(100000);

    virObjectUnref(first);
    virObjectUnref(second);
    virObjectUnref(third);
    virObjectUnref(conn);
    close(master);
    close(slave);
}
END_TEST


START_TEST(test_console_open_errors)
{
    virConnectPtr conn;
    virStreamPtr st;
    libxlConsoles *consoles;

    libxlTestEventLoopStart();
    ck_assert_ptr_nonnull(conn = virGetConnect());
    ck_assert_ptr_nonnull(st = virGetStream(conn));
    ck_assert_ptr_nonnull(consoles = libxlConsolesNew());
    ck_assert_int_eq(libxlConsolesOpen(consoles, "/dev/pts/nonexistent", st, false), -1);
    ck_assert_ptr_nonnull(strstr(virGetLastErrorMessage(),
                                 "cannot open console pty '/dev/pts/nonexistent'"));
    ck_assert_uint_eq(libxlConsolesCount(consoles), 0);
    libxlConsolesFree(consoles);
    libxlConsolesFree(NULL);
    virObjectUnref(st);
    virObjectUnref(conn);
}
END_TEST


START_TEST(test_console_aliases)
{
    g_autoptr(virDomainDef) def = virDomainDefNew(NULL);
    virDomainChrDef *chr;

    def->os.type = VIR_DOMAIN_OSTYPE_HVM;
    def->nserials = 1;
    def->serials = g_new0(virDomainChrDef *, 1);
    def->serials[0] = virDomainChrDefNew(NULL);
    def->serials[0]->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_SERIAL;
    def->nconsoles = 2;
    def->consoles = g_new0(virDomainChrDef *, 2);
    def->consoles[0] = virDomainChrDefNew(NULL);
    def->consoles[0]->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE;
    def->consoles[0]->targetType = VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_SERIAL;
    def->consoles[1] = virDomainChrDefNew(NULL);
    def->consoles[1]->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE;
    def->consoles[1]->targetType = VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_XEN;
    def->consoles[1]->info.alias = g_strdup("ua-mine");
    def->nchannels = 1;
    def->channels = g_new0(virDomainChrDef *, 1);
    def->channels[0] = chr = virDomainChrDefNew(NULL);
    chr->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_CHANNEL;
    chr->targetType = VIR_DOMAIN_CHR_CHANNEL_TARGET_TYPE_XEN;
    chr->target.name = g_strdup("org.example.ping");

    libxlConsoleAssignAliases(def);
    ck_assert_str_eq(def->serials[0]->info.alias, "serial0");
    /* the console that is the first serial port is that port */
    ck_assert_str_eq(def->consoles[0]->info.alias, "serial0");
    ck_assert_str_eq(def->consoles[1]->info.alias, "ua-mine");
    ck_assert_str_eq(def->channels[0]->info.alias, "channel0");

    ck_assert_ptr_eq(libxlConsoleFind(def, NULL), def->consoles[0]);
    ck_assert_ptr_eq(libxlConsoleFind(def, "ua-mine"), def->consoles[1]);
    ck_assert_ptr_eq(libxlConsoleFind(def, "channel0"), chr);
    ck_assert_ptr_eq(libxlConsoleFind(def, "org.example.ping"), chr);
    ck_assert_ptr_null(libxlConsoleFind(def, "console7"));
}
END_TEST



static Suite *
libxlUnitSuite(void)
{
    Suite *s = suite_create("libxl_unit");
    TCase *tc;

    tc = tcase_create("uri");
    tcase_add_loop_test(tc, test_uri_check, 0, G_N_ELEMENTS(uriCases));
    tcase_add_test(tc, test_uri_inactive);
    tcase_add_test(tc, test_uri_probe);
    suite_add_tcase(s, tc);

    tc = tcase_create("dom0");
    tcase_add_checked_fixture(tc, libxlTestTmpdirSetup, libxlTestTmpdirTeardown);
    tcase_add_test(tc, test_dom0_detect);
    suite_add_tcase(s, tc);

    tc = tcase_create("logger");
    tcase_add_checked_fixture(tc, libxlTestTmpdirSetup, libxlTestTmpdirTeardown);
    tcase_add_test(tc, test_logger_last_error);
    tcase_add_test(tc, test_logger_bad_dir);
    suite_add_tcase(s, tc);

    tc = tcase_create("domain");
    tcase_add_test(tc, test_private_alloc_free);
    tcase_add_test(tc, test_private_with_object);
    tcase_add_test(tc, test_dom0_update);
    tcase_add_test(tc, test_state_from_dominfo);
    suite_add_tcase(s, tc);

    tc = tcase_create("console");
    tcase_add_test(tc, test_console_relay);
    tcase_add_test(tc, test_console_open_errors);
    tcase_add_test(tc, test_console_aliases);
    suite_add_tcase(s, tc);

    tc = tcase_create("conf");
    tcase_add_checked_fixture(tc, libxlTestTmpdirSetup, libxlTestTmpdirTeardown);
    tcase_add_test(tc, test_conf_defaults);
    tcase_add_test(tc, test_conf_file);
    tcase_add_test(tc, test_conf_dirs);
    tcase_add_test(tc, test_conf_teardown);
    suite_add_tcase(s, tc);

    return s;
}


int
main(void)
{
    libxlTestInit();
    return libxlTestRunSuite(libxlUnitSuite());
}

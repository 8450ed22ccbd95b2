/*
 * driver_module_test.c: the built driver module loads and registers
 *
 * libvirtd dlopens connection drivers with RTLD_NOW | RTLD_LOCAL and calls
 * their registration function: every symbol the module imports must
 * resolve against the installed libvirt and libxenlight, and the module
 * must export libxlRegister (and nothing else of ours).  Once registered,
 * its state driver must decline to start where it must not run: in an
 * unprivileged daemon, and on a host that is not a Xen dom0 (this one).
 */
#include <config.h>

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <check.h>

#include "internal.h"
#include "libvirt_internal.h"

typedef int (*libxlRegisterFunc)(void);

static void *
libxlTestModuleOpen(void)
{
    void *handle = dlopen(LIBXL_TEST_MODULE, RTLD_NOW | RTLD_LOCAL);

    ck_assert_msg(handle != NULL, "dlopen %s: %s", LIBXL_TEST_MODULE, dlerror());
    return handle;
}


START_TEST(test_module_loads)
{
    void *handle = libxlTestModuleOpen();

    ck_assert_msg(dlsym(handle, "libxlRegister") != NULL,
                  "libxlRegister not exported: %s", dlerror());
    /* internal functions stay hidden */
    ck_assert_ptr_null(dlsym(handle, "libxlCapsBuild"));
    ck_assert_ptr_null(dlsym(handle, "libxlDomainObjPrivateAlloc"));
    dlclose(handle);
}
END_TEST


/*
 * Register the module and start the state drivers: with mandatory set, a
 * driver that skips its start makes virStateInitialize fail, so -1 here
 * says the driver declined (and did not crash or half-start).
 */
static void
libxlTestStateSkipped(bool privileged)
{
    void *handle = libxlTestModuleOpen();
    libxlRegisterFunc reg = (libxlRegisterFunc) dlsym(handle, "libxlRegister");

    ck_assert_ptr_nonnull(reg);
    ck_assert_int_eq(reg(), 0);
    ck_assert_int_eq(virStateInitialize(privileged, true, NULL, false, NULL, NULL), -1);
    ck_assert_int_eq(virStateCleanup(), 0);
}


START_TEST(test_state_unprivileged)
{
    libxlTestStateSkipped(false);
}
END_TEST


START_TEST(test_state_not_dom0)
{
    if (access("/proc/xen/capabilities", F_OK) == 0 ||
        access("/dev/xen/xenstored", F_OK) == 0)
        return; /* this host may be a dom0 */
    libxlTestStateSkipped(true);
}
END_TEST


int
main(void)
{
    Suite *s = suite_create("driver_module");
    TCase *tc = tcase_create("dlopen");
    SRunner *sr;
    int failed;

    /* the skipped mandatory driver is logged as an error: expected here */
    setenv("LIBVIRT_LOG_OUTPUTS", "1:file:/dev/null", 1);

    tcase_add_test(tc, test_module_loads);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    /* each state test registers the driver anew: it needs a process of its own */
    if (srunner_fork_status(sr) != CK_NOFORK) {
        TCase *tcs = tcase_create("state");

        tcase_add_test(tcs, test_state_unprivileged);
        tcase_add_test(tcs, test_state_not_dom0);
        suite_add_tcase(s, tcs);
    }
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

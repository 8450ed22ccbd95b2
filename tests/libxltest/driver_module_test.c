/*
 * driver_module_test.c: the built driver module loads on its own
 *
 * libvirtd dlopens connection drivers with RTLD_NOW | RTLD_LOCAL and looks
 * up the registration function: every symbol the module imports must
 * resolve against the installed libvirt and libxenlight, and the module
 * must export libxlRegister (and nothing else of ours).
 */
#include <dlfcn.h>
#include <stdlib.h>

#include <check.h>

START_TEST(test_module_loads)
{
    void *handle = dlopen(LIBXL_TEST_MODULE, RTLD_NOW | RTLD_LOCAL);

    ck_assert_msg(handle != NULL, "dlopen %s: %s", LIBXL_TEST_MODULE, dlerror());
    ck_assert_msg(dlsym(handle, "libxlRegister") != NULL,
                  "libxlRegister not exported: %s", dlerror());
    /* internal functions stay hidden */
    ck_assert_ptr_null(dlsym(handle, "libxlCapsBuild"));
    ck_assert_ptr_null(dlsym(handle, "libxlDomainObjPrivateAlloc"));
    dlclose(handle);
}
END_TEST


int
main(void)
{
    Suite *s = suite_create("driver_module");
    TCase *tc = tcase_create("dlopen");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_module_loads);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}

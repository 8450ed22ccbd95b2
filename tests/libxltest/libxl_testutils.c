/*
 * libxl_testutils.c: helpers shared by the driver's unit tests
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "virerror.h"
#include "virfile.h"
#include "libxl_testutils.h"

char *
libxlTestSrcPath(const char *relpath)
{
    const char *srcdir = getenv("srcdir");

    if (!srcdir)
        srcdir = LIBXL_TEST_SRCDIR;
    return g_strdup_printf("%s/%s", srcdir, relpath);
}


static gint
libxlTestCompareStr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char * const *)a, *(char * const *)b);
}


char **
libxlTestListCases(const char *dir, const char *suffix)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *names = g_ptr_array_new();
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(names, g_strndup(name, strlen(name) - strlen(suffix)));
    }
    g_ptr_array_sort(names, libxlTestCompareStr);
    g_ptr_array_add(names, NULL);
    return (char **) g_ptr_array_free(names, FALSE);
}


bool
libxlTestCompareToFile(const char *actual, const char *expectedPath)
{
    g_autofree char *expected = NULL;
    const char *regen = getenv("VIR_TEST_REGENERATE_OUTPUT");

    if (regen && STREQ(regen, "1")) {
        if (!g_file_set_contents(expectedPath, actual, -1, NULL)) {
            fprintf(stderr, "cannot write %s\n", expectedPath);
            return false;
        }
        return true;
    }

    if (!g_file_get_contents(expectedPath, &expected, NULL, NULL)) {
        fprintf(stderr, "cannot read %s (VIR_TEST_REGENERATE_OUTPUT=1 writes it)\n",
                expectedPath);
        return false;
    }

    if (STRNEQ(expected, actual)) {
        fprintf(stderr, "--- %s (expected)\n%s\n+++ actual\n%s\n",
                expectedPath, expected, actual);
        return false;
    }
    return true;
}


int
libxlTestRunSuite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed;
}


void
libxlTestInit(void)
{
    if (virErrorInitialize() < 0)
        abort();
}

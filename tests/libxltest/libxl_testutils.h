/*
 * libxl_testutils.h: helpers shared by the driver's unit tests
 */
#pragma once

#include <stdbool.h>
#include <check.h>

#include "internal.h"

/* absolute path of a file in the source tree's tests/libxltest */
char *libxlTestSrcPath(const char *relpath);

/* the names (without @suffix) of the files in directory @dir ending with @suffix */
char **libxlTestListCases(const char *dir, const char *suffix);

/*
 * Compare @actual with the content of @expectedPath; with
 * VIR_TEST_REGENERATE_OUTPUT=1 in the environment write @actual there
 * instead.  Returns true if they match; prints a diff-like message if not.
 */
bool libxlTestCompareToFile(const char *actual, const char *expectedPath);

/* run @s and return the number of failures (the exit status of main) */
int libxlTestRunSuite(Suite *s);

/* initialise libvirt's error and log machinery once */
void libxlTestInit(void);

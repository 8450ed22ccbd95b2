/*
 * xml2configtest.c: domain XML to libxl_domain_config, data-driven
 *
 * Three suites, each a loop over files:
 *
 *  own      tests/libxltest/xml2configdata/NAME.xml converted by
 *           libxlBuildDomainConfig() and printed by
 *           libxl_domain_config_to_json() must equal NAME.json (the
 *           expected file is normalised through libxl's from_json and
 *           to_json first, as libvirt's test does);
 *  libvirt  the same over $LIBVIRT_SRC/tests/libxlxml2domconfigdata: the
 *           cases libxlxml2domconfigtest.c runs for this libxl (its
 *           DO_TEST list, its #ifdefs evaluated against libxl.h);
 *  refuse   xml2configdata/refuse/NAME.xml must be refused; NAME.err says
 *           when ("define": parse and validate, "start":
 *           libxlBuildDomainConfig, "load": libxlBuildDomainConfig of a
 *           definition parsed without validation, as the driver reads
 *           its saved ones) on its first line and what the error message
 *           must contain on its second.
 *
 *  defaults xml2configdata/defaults/NAME.xml parsed (post-parse callbacks
 *           and validation) and formatted back must equal NAME.out.xml:
 *           the defaults a Xen guest gets at define time.
 *
 * Adding a case is adding two files.  Every case prints a PASS/FAIL
 * line; main returns the number of failures.  XML2CONFIG_ONLY=NAME runs
 * the cases called NAME only.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <check.h>
#include <stdio.h>
#include <libxl.h>
#include <libxl_utils.h>

#include "internal.h"
#include "viralloc.h"
#include "virerror.h"
#include "virfile.h"
#include "virstring.h"
#include "domain_conf.h"
#include "cpu_conf.h"
#include "virportallocator.h"
#include "virsecret.h"
#include "libxl_build.h"
#include "libxl_validate.h"
#include "xml2config-params.h"

#define VIR_FROM_THIS VIR_FROM_NONE

typedef enum {
    XML2CONFIG_STAGE_DEFINE,    /* parse and validate */
    XML2CONFIG_STAGE_START,     /* libxlBuildDomainConfig */
    XML2CONFIG_STAGE_LOAD,      /* start of a definition read back unvalidated */
} xml2configStage;

static const char *const xml2configStageNames[] = { "define", "start", "load" };

typedef struct _xml2configCase xml2configCase;
struct _xml2configCase {
    char *name;
    char *xml;
    char *expected;     /* .json or .err */
};

static GPtrArray *ownCases;
static GPtrArray *libvirtCases;
static GPtrArray *refuseCases;
static GPtrArray *defaultsCases;
static virDomainXMLOption *xmlopt;


static void
xml2configCaseFree(void *opaque)
{
    xml2configCase *c = opaque;

    g_free(c->name);
    g_free(c->xml);
    g_free(c->expected);
    g_free(c);
}


static void
xml2configAddCase(GPtrArray *cases, const char *dir, const char *name,
                  const char *expectedSuffix)
{
    xml2configCase *c = g_new0(xml2configCase, 1);
    const char *only = g_getenv("XML2CONFIG_ONLY");

    if (only && STRNEQ(only, name)) {
        g_free(c);
        return;
    }
    c->name = g_strdup(name);
    c->xml = g_strdup_printf("%s/%s.xml", dir, name);
    c->expected = g_strdup_printf("%s/%s%s", dir, name, expectedSuffix);
    g_ptr_array_add(cases, c);
}


static gint
xml2configCompareNames(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}


/* Every NAME.xml of @dir, sorted. */
static GPtrArray *
xml2configListDir(const char *dir)
{
    g_autoptr(GDir) d = NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!(d = g_dir_open(dir, 0, NULL)))
        return names;
    while ((ent = g_dir_read_name(d))) {
        if (g_str_has_suffix(ent, ".xml"))
            g_ptr_array_add(names, g_strndup(ent, strlen(ent) - 4));
    }
    g_ptr_array_sort(names, xml2configCompareNames);
    return names;
}


/* Whether libxl.h (or libvirt's build, for WITH_*) defines @macro. */
static bool
xml2configMacroDefined(const char *macro)
{
    static const struct {
        const char *name;
        bool defined;
    } macros[] = {
        { "WITH_LIBXL", true },
        { "WITH_YAJL", true },
        { "WITH_XEN_PVH", true },
#ifdef LIBXL_HAVE_BUILDINFO_NESTED_HVM
        { "LIBXL_HAVE_BUILDINFO_NESTED_HVM", true },
#endif
#ifdef LIBXL_HAVE_BUILDINFO_GRANT_LIMITS
        { "LIBXL_HAVE_BUILDINFO_GRANT_LIMITS", true },
#endif
#ifdef LIBXL_HAVE_BUILDINFO_APIC
        { "LIBXL_HAVE_BUILDINFO_APIC", true },
#endif
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(macros); i++) {
        if (STREQ(macros[i].name, macro))
            return macros[i].defined;
    }
    return false;
}


/*
 * The DO_TEST("name") cases of libvirt's libxlxml2domconfigtest.c that
 * its preprocessor keeps for this libxl.  A case of the data directory
 * that the list leaves out is reported as skipped.
 */
static void
xml2configLoadLibvirtCases(const char *libvirtSrc)
{
    g_autofree char *testc = g_strdup_printf("%s/tests/libxlxml2domconfigtest.c", libvirtSrc);
    g_autofree char *dir = g_strdup_printf("%s/tests/libxlxml2domconfigdata", libvirtSrc);
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GHashTable) listed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    bool active[32] = { true };
    size_t depth = 0;
    GHashTableIter iter;
    gpointer key;
    size_t i;

    if (!g_file_get_contents(testc, &text, NULL, NULL)) {
        fprintf(stderr, "FAIL libvirt: cannot read %s\n", testc);
        return;
    }

    lines = g_strsplit(text, "\n", 0);
    for (i = 0; lines[i]; i++) {
        g_autofree char *line = g_strstrip(g_strdup(lines[i]));
        const char *directive;
        bool on = active[depth];

        if (line[0] == '#') {
            directive = line + 1;
            while (*directive == ' ')
                directive++;
            if (g_str_has_prefix(directive, "ifdef ") || g_str_has_prefix(directive, "ifndef ")) {
                bool neg = g_str_has_prefix(directive, "ifndef ");
                const char *macro = strchr(directive, ' ') + 1;
                bool def = xml2configMacroDefined(macro);

                if (depth + 1 < G_N_ELEMENTS(active))
                    active[++depth] = on && (neg ? !def : def);
            } else if (g_str_has_prefix(directive, "if ")) {
                /* #if defined(WITH_LIBXL) && defined(WITH_YAJL) */
                if (depth + 1 < G_N_ELEMENTS(active))
                    active[++depth] = on;
            } else if (g_str_has_prefix(directive, "else") && depth > 0) {
                active[depth] = active[depth - 1] && !active[depth];
            } else if (g_str_has_prefix(directive, "endif") && depth > 0) {
                depth--;
            }
            continue;
        }

        if (g_str_has_prefix(line, "DO_TEST(\"") && on) {
            const char *start = line + strlen("DO_TEST(\"");
            const char *end = strchr(start, '"');

            if (end)
                g_hash_table_add(listed, g_strndup(start, end - start));
        }
    }

    names = xml2configListDir(dir);
    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);

        if (g_hash_table_remove(listed, name))
            xml2configAddCase(libvirtCases, dir, name, ".json");
        else
            printf("SKIP libvirt/%s (libxlxml2domconfigtest.c does not run it with this libxl)\n",
                   name);
    }

    /* a listed case without its files fails, it is not skipped */
    g_hash_table_iter_init(&iter, listed);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        xml2configAddCase(libvirtCases, dir, key, ".json");
}


static xentoollog_logger *
xml2configLogger(void)
{
    return (xentoollog_logger *) xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
}


/* Print where two JSON texts first part, a few lines of each. */
static void
xml2configPrintDiff(const char *name, const char *expected, const char *actual)
{
    g_auto(GStrv) exp = g_strsplit(expected, "\n", 0);
    g_auto(GStrv) act = g_strsplit(actual, "\n", 0);
    size_t i;
    size_t shown = 0;

    for (i = 0; (exp[i] || act[i]) && shown < 6; i++) {
        const char *e = exp[i] ? exp[i] : "<end>";
        const char *a = act[i] ? act[i] : "<end>";

        if (STREQ(e, a))
            continue;
        fprintf(stderr, "  %s line %zu:\n    expected: %s\n    actual:   %s\n",
                name, i + 1, e, a);
        shown++;
        if (!exp[i] || !act[i])
            break;
    }
    if (g_getenv("XML2CONFIG_VERBOSE"))
        fprintf(stderr, "--- actual %s ---\n%s\n", name, actual);
}


/* XML2CONFIG_OUTDIR=DIR: keep what a case produced as DIR/NAME@suffix,
 * for reviewing a new case (never written over the expected files). */
static void
xml2configKeepActual(const char *name, const char *suffix, const char *text)
{
    const char *outdir = g_getenv("XML2CONFIG_OUTDIR");
    g_autofree char *path = NULL;

    if (!outdir)
        return;
    path = g_strdup_printf("%s/%s%s", outdir, name, suffix);
    if (!g_file_set_contents(path, text, -1, NULL))
        fprintf(stderr, "cannot write %s\n", path);
}


/* Convert @c and compare with its .json; 0 when equal. */
static int
xml2configRunConversion(const char *suite, const xml2configCase *c)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virCPUDef) hostCPU = xml2configHostCPU();
    g_autofree char *expectedText = NULL;
    g_autofree char *expectedJSON = NULL;
    g_autofree char *actualJSON = NULL;
    virPortAllocatorRange *ports = NULL;
    xentoollog_logger *logger = NULL;
    libxl_ctx *ctx = NULL;
    libxl_domain_config actual;
    libxl_domain_config expected;
    libxlBuildParams params;
    int ret = -1;
    int rc;

    libxl_domain_config_init(&actual);
    libxl_domain_config_init(&expected);

    if (!(logger = xml2configLogger()) ||
        (rc = libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, logger)) != 0) {
        fprintf(stderr, "FAIL %s/%s: no libxl context\n", suite, c->name);
        goto cleanup;
    }

    if (!(ports = virPortAllocatorRangeNew("vnc", 5900, 6000)))
        goto error;
    xml2configParams(&params, hostCPU, ports);

    if (!(def = virDomainDefParseFile(c->xml, xmlopt, NULL, VIR_DOMAIN_DEF_PARSE_INACTIVE)))
        goto error;

    if (libxlBuildDomainConfig(def, &params, ctx, &actual) < 0)
        goto error;

    if (!(actualJSON = libxl_domain_config_to_json(ctx, &actual))) {
        fprintf(stderr, "FAIL %s/%s: libxl_domain_config_to_json failed\n", suite, c->name);
        goto cleanup;
    }

    xml2configKeepActual(c->name, ".json", actualJSON);

    if (!g_file_get_contents(c->expected, &expectedText, NULL, NULL)) {
        fprintf(stderr, "FAIL %s/%s: cannot read %s\n", suite, c->name, c->expected);
        goto cleanup;
    }
    if ((rc = libxl_domain_config_from_json(ctx, &expected, expectedText)) != 0 ||
        !(expectedJSON = libxl_domain_config_to_json(ctx, &expected))) {
        fprintf(stderr, "FAIL %s/%s: libxl cannot read %s (rc %d)\n",
                suite, c->name, c->expected, rc);
        goto cleanup;
    }

    if (STRNEQ(expectedJSON, actualJSON)) {
        printf("FAIL %s/%s: differs from %s\n", suite, c->name, c->expected);
        xml2configPrintDiff(c->name, expectedJSON, actualJSON);
        goto cleanup;
    }

    printf("PASS %s/%s\n", suite, c->name);
    ret = 0;
    goto cleanup;

 error:
    printf("FAIL %s/%s: %s\n", suite, c->name, virGetLastErrorMessage());

 cleanup:
    if (def) {
        size_t i;

        for (i = 0; i < def->ngraphics; i++) {
            if (def->graphics[i]->type == VIR_DOMAIN_GRAPHICS_TYPE_VNC &&
                def->graphics[i]->data.vnc.autoport)
                virPortAllocatorRelease(def->graphics[i]->data.vnc.port);
        }
    }
    virPortAllocatorRangeFree(ports);
    libxl_domain_config_dispose(&actual);
    libxl_domain_config_dispose(&expected);
    if (ctx)
        libxl_ctx_free(ctx);
    if (logger)
        xtl_logger_destroy(logger);
    fflush(stdout);
    return ret;
}


/* Read a .err file: the stage on line 1, the expected message on line 2. */
static int
xml2configReadRefusal(const xml2configCase *c, xml2configStage *stage, char **message)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(c->expected, &text, NULL, NULL))
        return -1;
    lines = g_strsplit(text, "\n", 3);
    if (!lines[0] || !lines[1] || !*lines[1])
        return -1;
    for (i = 0; i < G_N_ELEMENTS(xml2configStageNames); i++) {
        if (STREQ(lines[0], xml2configStageNames[i]))
            break;
    }
    if (i == G_N_ELEMENTS(xml2configStageNames))
        return -1;
    *stage = i;
    *message = g_strdup(lines[1]);
    return 0;
}


/* Convert @c, which must fail at the stage and with the message its
 * .err gives; 0 when it does. */
static int
xml2configRunRefusal(const xml2configCase *c)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virCPUDef) hostCPU = xml2configHostCPU();
    g_autofree char *message = NULL;
    libxl_domain_config d_config;
    libxlBuildParams params;
    xml2configStage stage;
    xml2configStage failedAt;
    unsigned int parseFlags = VIR_DOMAIN_DEF_PARSE_INACTIVE;
    const char *error;
    int ret = -1;

    libxl_domain_config_init(&d_config);
    xml2configParams(&params, hostCPU, NULL);

    if (xml2configReadRefusal(c, &stage, &message) < 0) {
        printf("FAIL refuse/%s: %s must be 'define', 'start' or 'load', then the message\n",
               c->name, c->expected);
        goto cleanup;
    }

    if (stage == XML2CONFIG_STAGE_LOAD)
        parseFlags |= VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE;

    virResetLastError();
    if (!(def = virDomainDefParseFile(c->xml, xmlopt, NULL, parseFlags))) {
        failedAt = XML2CONFIG_STAGE_DEFINE;
    } else if (libxlBuildDomainConfig(def, &params, NULL, &d_config) < 0) {
        failedAt = stage == XML2CONFIG_STAGE_LOAD ?
            XML2CONFIG_STAGE_LOAD : XML2CONFIG_STAGE_START;
    } else {
        printf("FAIL refuse/%s: accepted, expected a refusal at %s time\n", c->name,
               xml2configStageNames[stage]);
        goto cleanup;
    }

    error = virGetLastErrorMessage();
    if (failedAt != stage) {
        printf("FAIL refuse/%s: refused at %s time, expected %s time: %s\n", c->name,
               xml2configStageNames[failedAt], xml2configStageNames[stage], error);
        goto cleanup;
    }
    if (!strstr(error, message)) {
        printf("FAIL refuse/%s: error '%s' does not contain '%s'\n", c->name, error, message);
        goto cleanup;
    }

    printf("PASS refuse/%s: %s\n", c->name, error);
    ret = 0;

 cleanup:
    libxl_domain_config_dispose(&d_config);
    fflush(stdout);
    return ret;
}


/* Parse @c with the driver's defaults and compare the formatted
 * definition with its .out.xml; 0 when equal. */
static int
xml2configRunDefaults(const xml2configCase *c)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *actual = NULL;
    g_autofree char *expected = NULL;

    if (!(def = virDomainDefParseFile(c->xml, xmlopt, NULL, VIR_DOMAIN_DEF_PARSE_INACTIVE)) ||
        !(actual = virDomainDefFormat(def, xmlopt, VIR_DOMAIN_DEF_FORMAT_INACTIVE))) {
        printf("FAIL defaults/%s: %s\n", c->name, virGetLastErrorMessage());
        return -1;
    }
    xml2configKeepActual(c->name, ".out.xml", actual);

    if (!g_file_get_contents(c->expected, &expected, NULL, NULL)) {
        printf("FAIL defaults/%s: cannot read %s\n", c->name, c->expected);
        return -1;
    }
    if (STRNEQ(expected, actual)) {
        printf("FAIL defaults/%s: differs from %s\n", c->name, c->expected);
        xml2configPrintDiff(c->name, expected, actual);
        return -1;
    }
    printf("PASS defaults/%s\n", c->name);
    fflush(stdout);
    return 0;
}


START_TEST(test_defaults)
{
    ck_assert_int_eq(xml2configRunDefaults(g_ptr_array_index(defaultsCases, _i)), 0);
}
END_TEST


START_TEST(test_own)
{
    ck_assert_int_eq(xml2configRunConversion("own", g_ptr_array_index(ownCases, _i)), 0);
}
END_TEST


START_TEST(test_libvirt)
{
    ck_assert_int_eq(xml2configRunConversion("libvirt", g_ptr_array_index(libvirtCases, _i)), 0);
}
END_TEST


START_TEST(test_refuse)
{
    ck_assert_int_eq(xml2configRunRefusal(g_ptr_array_index(refuseCases, _i)), 0);
}
END_TEST


/* Hotplug: a NIC added to a running HVM guest is PV only (the device
 * model cannot grow one); at start it is emulated and PV. */
START_TEST(test_hotplug_nic)
{
    g_autofree char *path = g_strdup_printf("%s/tests/libxltest/xml2configdata/hvm-headless.xml",
                                            NULLSTR(g_getenv("top_srcdir")));
    g_autoptr(virDomainDef) def = NULL;
    libxlBuildParams params;
    libxl_device_nic nic;

    xml2configParams(&params, NULL, NULL);
    def = virDomainDefParseFile(path, xmlopt, NULL, VIR_DOMAIN_DEF_PARSE_INACTIVE);
    ck_assert_msg(def != NULL, "%s: %s", path, virGetLastErrorMessage());
    ck_assert_uint_eq(def->nnets, 1);

    libxl_device_nic_init(&nic);
    ck_assert_int_eq(libxlBuildNic(def, def->nets[0], &params, true, &nic), 0);
    ck_assert_int_eq(nic.nictype, LIBXL_NIC_TYPE_VIF);
    ck_assert_str_eq(nic.bridge, "xenbr0");
    libxl_device_nic_dispose(&nic);

    libxl_device_nic_init(&nic);
    ck_assert_int_eq(libxlBuildNic(def, def->nets[0], &params, false, &nic), 0);
    ck_assert_int_eq(nic.nictype, LIBXL_NIC_TYPE_VIF_IOEMU);
    libxl_device_nic_dispose(&nic);
}
END_TEST


/* Hotplug: an empty CD-ROM drive has the 'empty' format, or libxl
 * looks for its image; a read-only disk is not read-write. */
START_TEST(test_hotplug_disk)
{
    g_autofree char *path = g_strdup_printf("%s/tests/libxltest/xml2configdata/hvm-uefi.xml",
                                            NULLSTR(g_getenv("top_srcdir")));
    g_autoptr(virDomainDef) def = NULL;
    libxlBuildParams params;
    libxl_device_disk disk;

    xml2configParams(&params, NULL, NULL);
    def = virDomainDefParseFile(path, xmlopt, NULL, VIR_DOMAIN_DEF_PARSE_INACTIVE);
    ck_assert_msg(def != NULL, "%s: %s", path, virGetLastErrorMessage());
    ck_assert_uint_eq(def->ndisks, 2);

    libxl_device_disk_init(&disk);
    ck_assert_int_eq(libxlBuildDisk(def->disks[1], &params, &disk), 0);
    ck_assert_int_eq(disk.is_cdrom, 1);
    ck_assert_int_eq(disk.format, LIBXL_DISK_FORMAT_EMPTY);
    ck_assert_int_eq(disk.readwrite, 0);
    ck_assert_ptr_null(disk.pdev_path);
    libxl_device_disk_dispose(&disk);
}
END_TEST


/* There must be cases: an empty directory is a broken test, not a pass. */
START_TEST(test_have_cases)
{
    if (g_getenv("XML2CONFIG_ONLY"))
        return;
    ck_assert_uint_gt(ownCases->len, 0);
    ck_assert_uint_gt(refuseCases->len, 0);
    ck_assert_uint_gt(defaultsCases->len, 0);
    ck_assert_uint_gt(libvirtCases->len, 0);
}
END_TEST


static Suite *
xml2configSuite(void)
{
    Suite *s = suite_create("xml2config");
    TCase *tc;

    tc = tcase_create("cases");
    tcase_add_test(tc, test_have_cases);
    suite_add_tcase(s, tc);

    tc = tcase_create("hotplug");
    tcase_add_test(tc, test_hotplug_nic);
    tcase_add_test(tc, test_hotplug_disk);
    suite_add_tcase(s, tc);

    tc = tcase_create("own");
    tcase_add_loop_test(tc, test_own, 0, ownCases->len);
    suite_add_tcase(s, tc);

    tc = tcase_create("libvirt");
    tcase_add_loop_test(tc, test_libvirt, 0, libvirtCases->len);
    suite_add_tcase(s, tc);

    tc = tcase_create("defaults");
    tcase_add_loop_test(tc, test_defaults, 0, defaultsCases->len);
    suite_add_tcase(s, tc);

    tc = tcase_create("refuse");
    tcase_add_loop_test(tc, test_refuse, 0, refuseCases->len);
    suite_add_tcase(s, tc);

    return s;
}


static void
xml2configLoadCases(void)
{
    const char *srcdir = g_getenv("top_srcdir");
    const char *libvirtSrc = g_getenv("LIBVIRT_SRC");
    g_autofree char *ownDir = NULL;
    g_autofree char *refuseDir = NULL;
    g_autofree char *defaultsDir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    size_t i;

    ownCases = g_ptr_array_new_with_free_func(xml2configCaseFree);
    libvirtCases = g_ptr_array_new_with_free_func(xml2configCaseFree);
    refuseCases = g_ptr_array_new_with_free_func(xml2configCaseFree);
    defaultsCases = g_ptr_array_new_with_free_func(xml2configCaseFree);

    ownDir = g_strdup_printf("%s/tests/libxltest/xml2configdata", srcdir ? srcdir : "../..");
    refuseDir = g_strdup_printf("%s/refuse", ownDir);
    defaultsDir = g_strdup_printf("%s/defaults", ownDir);

    names = xml2configListDir(ownDir);
    for (i = 0; i < names->len; i++)
        xml2configAddCase(ownCases, ownDir, g_ptr_array_index(names, i), ".json");
    g_clear_pointer(&names, g_ptr_array_unref);

    names = xml2configListDir(refuseDir);
    for (i = 0; i < names->len; i++)
        xml2configAddCase(refuseCases, refuseDir, g_ptr_array_index(names, i), ".err");
    g_clear_pointer(&names, g_ptr_array_unref);

    names = xml2configListDir(defaultsDir);
    for (i = 0; i < names->len; i++) {
        /* NAME.out.xml is the expected side of NAME.xml */
        if (!g_str_has_suffix(g_ptr_array_index(names, i), ".out"))
            xml2configAddCase(defaultsCases, defaultsDir, g_ptr_array_index(names, i), ".out.xml");
    }

    if (libvirtSrc)
        xml2configLoadLibvirtCases(libvirtSrc);
    else
        printf("FAIL libvirt: LIBVIRT_SRC is not set\n");
}


int
main(void)
{
    virDomainDefParserConfig parserConfig = { 0 };
    SRunner *runner;
    int failed;

    /* libvirt's own test runs in a zone no developer lives in */
    g_setenv("TZ", "VIR00:30", TRUE);

    if (virInitialize() < 0 || virErrorInitialize() < 0) {
        fprintf(stderr, "cannot initialize libvirt\n");
        return 1;
    }

    libxlDomainDefParserConfigInit(&parserConfig);
    if (!(xmlopt = virDomainXMLOptionNew(&parserConfig, NULL, &libxlDomainXMLNamespace,
                                         NULL, NULL, NULL))) {
        fprintf(stderr, "cannot create the XML options: %s\n", virGetLastErrorMessage());
        return 1;
    }

    xml2configLoadCases();

    runner = srunner_create(xml2configSuite());
    srunner_run_all(runner, CK_NORMAL);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);

    printf("xml2config: %u own, %u libvirt, %u defaults, %u refusal cases; %d failed\n",
           ownCases->len, libvirtCases->len, defaultsCases->len, refuseCases->len, failed);

    g_ptr_array_unref(ownCases);
    g_ptr_array_unref(libvirtCases);
    g_ptr_array_unref(refuseCases);
    g_ptr_array_unref(defaultsCases);
    virObjectUnref(xmlopt);
    return failed;
}

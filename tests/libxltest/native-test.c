/*
 * native-test.c: xl.cfg / xm configuration <-> domain XML
 *
 * Data-driven: every case is a native file and an XML file, checked in
 * both directions against the files, and then round-tripped.  The cases
 * are this project's (nativedata/NAME.cfg + NAME.xml; NAME starting
 * with "xm-" is an xm configuration, any other xl) and all of libvirt's
 * (tests/xlconfigdata and tests/xmconfigdata of $LIBVIRT_SRC, the list
 * and the direction of each read from xlconfigtest.c and
 * xmconfigtest.c).  Then unit tests of malformed input and of the
 * driver's entry points.  main returns the number of failures.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <check.h>
#include <libxl.h>

#include "internal.h"
#include "datatypes.h"
#include "viraccessmanager.h"
#include "virerror.h"
#include "virfile.h"
#include "virstring.h"
#include "numa_conf.h"
#include "libxl_native.h"
#include "libxl_native_xl.h"
#include "libxl_native_xm.h"
#include "native-testutils.h"

#define VIR_FROM_THIS VIR_FROM_NONE

typedef struct _libxlNativeTestCase libxlNativeTestCase;
struct _libxlNativeTestCase {
    char *label;        /* "libvirt-xl/new-disk", "own/xl-pv-minimal" */
    const char *format; /* LIBXL_NATIVE_FORMAT_XL or _XM */
    char *cfg;          /* path of the native file */
    char *xml;          /* path of the XML file */
    bool toXML;         /* check cfg -> XML against the XML file */
    bool toCfg;         /* check XML -> cfg against the native file */
    bool replaceVars;   /* /LIBXL_FIRMWARE_DIR in the XML file */
    bool roundTrip;     /* round-trip the XML file */
};

/* how libxlNativeConnectDomainXMLToNative parses XML */
#define NATIVE_PARSE_FLAGS \
    (VIR_DOMAIN_DEF_PARSE_INACTIVE | VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE)

static GPtrArray *cases;        /* of libxlNativeTestCase */
static virCaps *caps;
static virDomainXMLOption *xmlopt;
static const char *outdir;


/* ---- helpers ------------------------------------------------------ */

static char *
nativeLoad(const char *path)
{
    char *data = NULL;

    if (virFileReadAll(path, 10 * 1024 * 1024, &data) < 0) {
        fprintf(stderr, "cannot read %s: %s\n", path, virGetLastErrorMessage());
        return NULL;
    }
    return data;
}


static char *
nativeLoadXML(const libxlNativeTestCase *tc)
{
    g_autofree char *xml = nativeLoad(tc->xml);

    if (!xml || !tc->replaceVars)
        return g_steal_pointer(&xml);
    return virStringReplace(xml, "/LIBXL_FIRMWARE_DIR", LIBXL_FIRMWARE_DIR);
}


/*
 * nativeCompare:
 * Whether @actual is @expected; if not, say where they first differ and
 * keep @actual in the output directory.
 */
static bool
nativeCompare(const char *label, const char *what,
              const char *expected, const char *actual)
{
    g_auto(GStrv) exp = NULL;
    g_auto(GStrv) act = NULL;
    g_autofree char *name = NULL;
    g_autofree char *path = NULL;
    size_t i;

    if (STREQ(expected, actual))
        return true;

    exp = g_strsplit(expected, "\n", 0);
    act = g_strsplit(actual, "\n", 0);
    for (i = 0; exp[i] && act[i] && STREQ(exp[i], act[i]); i++)
        ;
    fprintf(stderr, "FAIL %s %s: line %zu differs\n  expected: %s\n  actual:   %s\n",
            label, what, i + 1, NULLSTR(exp[i]), NULLSTR(act[i]));

    name = g_strdelimit(g_strdup_printf("%s.%s", label, what), "/ >", '_');
    path = g_strdup_printf("%s/%s", outdir, name);
    if (g_mkdir_with_parents(outdir, 0777) == 0 &&
        g_file_set_contents(path, actual, -1, NULL))
        fprintf(stderr, "  (actual output in %s)\n", path);

    return false;
}


static void
nativeResult(const libxlNativeTestCase *tc, const char *what, bool ok)
{
    printf("%s %-52s %s\n", ok ? "PASS" : "FAIL", tc->label, what);
    fflush(stdout);
}


static virDomainDef *
nativeParseXML(const libxlNativeTestCase *tc)
{
    g_autofree char *xml = nativeLoadXML(tc);
    virDomainDef *def;

    if (!xml)
        return NULL;

    if (!(def = virDomainDefParseString(xml, xmlopt, NULL,
                                        NATIVE_PARSE_FLAGS)))
        fprintf(stderr, "FAIL %s: parsing %s: %s\n", tc->label, tc->xml,
                virGetLastErrorMessage());
    return def;
}


static char *
nativeFromCfg(const char *label, const char *format, const char *cfg)
{
    g_autoptr(virDomainDef) def = NULL;
    char *xml;

    if (!(def = libxlDomainDefFromNative(format, cfg, strlen(cfg), caps, xmlopt))) {
        fprintf(stderr, "FAIL %s: cfg -> XML: %s\n", label, virGetLastErrorMessage());
        return NULL;
    }

    if (!(xml = virDomainDefFormat(def, xmlopt, VIR_DOMAIN_DEF_FORMAT_INACTIVE |
                                   VIR_DOMAIN_DEF_FORMAT_SECURE)))
        fprintf(stderr, "FAIL %s: formatting XML: %s\n", label, virGetLastErrorMessage());
    return xml;
}


static char *
nativeToCfg(const char *label, const char *format, virDomainDef *def)
{
    char *cfg;

    if (!(cfg = libxlDomainDefToNative(format, def, NULL)))
        fprintf(stderr, "FAIL %s: XML -> cfg: %s\n", label, virGetLastErrorMessage());
    return cfg;
}


/* ---- the data-driven tests ---------------------------------------- */

/* cfg -> XML, compared to the XML file */
START_TEST(test_cfg_to_xml)
{
    libxlNativeTestCase *tc = g_ptr_array_index(cases, _i);
    g_autofree char *cfg = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;
    bool ok;

    if (!tc->toXML)
        return;

    ok = (cfg = nativeLoad(tc->cfg)) &&
         (expected = nativeLoadXML(tc)) &&
         (actual = nativeFromCfg(tc->label, tc->format, cfg)) &&
         nativeCompare(tc->label, "cfg->xml", expected, actual);
    nativeResult(tc, "cfg->xml", ok);
    ck_assert_msg(ok, "%s: cfg -> XML", tc->label);
}
END_TEST


/* XML -> cfg, compared to the native file */
START_TEST(test_xml_to_cfg)
{
    libxlNativeTestCase *tc = g_ptr_array_index(cases, _i);
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *actual = NULL;
    bool ok;

    if (!tc->toCfg)
        return;

    ok = (expected = nativeLoad(tc->cfg)) &&
         (def = nativeParseXML(tc)) &&
         virDomainDefCheckABIStability(def, def, xmlopt) &&
         (actual = nativeToCfg(tc->label, tc->format, def)) &&
         nativeCompare(tc->label, "xml->cfg", expected, actual);
    nativeResult(tc, "xml->cfg", ok);
    ck_assert_msg(ok, "%s: XML -> cfg", tc->label);
}
END_TEST


/*
 * nativeNumaMismatch:
 * Whether the vNUMA cells of @def add up to other than its memory.  A new
 * definition made from a native file gets its memory from the cells
 * (libvirt's ABI update), so such an XML changes once on its first trip.
 */
static bool
nativeNumaMismatch(virDomainDef *def)
{
    unsigned long long cells = virDomainNumaGetMemorySize(def->numa);

    return cells && cells != virDomainDefGetMemoryTotal(def);
}


/*
 * XML -> cfg -> XML -> cfg -> XML: the XML that comes back converts to
 * the same native configuration (cfg2 == cfg1) and the same XML again
 * (xml3 == xml2).  An XML whose vNUMA memory disagrees with its memory
 * is corrected on the first trip and must be stable from there on.
 */
START_TEST(test_round_trip)
{
    libxlNativeTestCase *tc = g_ptr_array_index(cases, _i);
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virDomainDef) def2 = NULL;
    g_autoptr(virDomainDef) def3 = NULL;
    g_autofree char *cfg1 = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *cfg2 = NULL;
    g_autofree char *xml3 = NULL;
    g_autofree char *cfg3 = NULL;
    const char *what = "round trip";
    bool ok;

    if (!tc->roundTrip)
        return;

    ok = (def = nativeParseXML(tc)) &&
         (cfg1 = nativeToCfg(tc->label, tc->format, def)) &&
         (xml2 = nativeFromCfg(tc->label, tc->format, cfg1)) &&
         (def2 = virDomainDefParseString(xml2, xmlopt, NULL,
                                         NATIVE_PARSE_FLAGS)) &&
         (cfg2 = nativeToCfg(tc->label, tc->format, def2)) &&
         (xml3 = nativeFromCfg(tc->label, tc->format, cfg2));

    if (ok && nativeNumaMismatch(def)) {
        what = "round trip (vNUMA memory corrected once)";
        ok = (def3 = virDomainDefParseString(xml3, xmlopt, NULL,
                                             NATIVE_PARSE_FLAGS)) &&
             (cfg3 = nativeToCfg(tc->label, tc->format, def3)) &&
             nativeCompare(tc->label, "round-trip cfg", cfg2, cfg3);
    } else {
        ok = ok && nativeCompare(tc->label, "round-trip cfg", cfg1, cfg2);
    }
    ok = ok && nativeCompare(tc->label, "round-trip xml", xml2, xml3);

    nativeResult(tc, what, ok);
    ck_assert_msg(ok, "%s: round trip", tc->label);
}
END_TEST


/* ---- finding the cases -------------------------------------------- */

static libxlNativeTestCase *
nativeCaseAdd(const char *label, const char *format,
              const char *cfg, const char *xml,
              bool toXML, bool toCfg, bool replaceVars)
{
    libxlNativeTestCase *tc = g_new0(libxlNativeTestCase, 1);

    tc->label = g_strdup(label);
    tc->format = format;
    tc->cfg = g_strdup(cfg);
    tc->xml = g_strdup(xml);
    tc->toXML = toXML;
    tc->toCfg = toCfg;
    tc->replaceVars = replaceVars;
    tc->roundTrip = true;
    g_ptr_array_add(cases, tc);
    return tc;
}


/* the case lists of libvirt's tests are under these #ifdefs */
static bool
nativeLibxlHas(const char *macro)
{
#ifdef LIBXL_HAVE_BUILDINFO_GRANT_LIMITS
    if (STREQ(macro, "LIBXL_HAVE_BUILDINFO_GRANT_LIMITS"))
        return true;
#endif
#ifdef LIBXL_HAVE_CREATEINFO_PASSTHROUGH
    if (STREQ(macro, "LIBXL_HAVE_CREATEINFO_PASSTHROUGH"))
        return true;
#endif
    return false;
}


/*
 * nativeCasesLibvirt:
 * The DO_TEST* lines of libvirt's @test (xlconfigtest.c or
 * xmconfigtest.c): DO_TEST both directions, DO_TEST_PARSE XML -> cfg
 * only, DO_TEST_FORMAT cfg -> XML only, DO_TEST_REPLACE_VARS both with
 * the firmware directory substituted.  Returns the number found.
 */
static int
nativeCasesLibvirt(const char *src, const char *test, const char *datadir,
                   const char *prefix, const char *format)
{
    g_autofree char *path = g_strdup_printf("%s/tests/%s", src, test);
    g_autofree char *text = nativeLoad(path);
    g_autoptr(GRegex) re = NULL;
    g_auto(GStrv) lines = NULL;
    bool active = true;
    int n = 0;
    size_t i;

    if (!text)
        return -1;

    re = g_regex_new("^\\s*DO_TEST(_PARSE|_FORMAT|_REPLACE_VARS)?\\(\"([^\"]+)\"(,\\s*(true|false))?\\);",
                     0, 0, NULL);
    lines = g_strsplit(text, "\n", 0);

    for (i = 0; lines[i]; i++) {
        g_autoptr(GMatchInfo) m = NULL;
        g_autofree char *kind = NULL;
        g_autofree char *name = NULL;
        g_autofree char *flag = NULL;
        g_autofree char *label = NULL;
        g_autofree char *cfg = NULL;
        g_autofree char *xml = NULL;

        if (STRPREFIX(lines[i], "#ifdef ")) {
            active = nativeLibxlHas(lines[i] + strlen("#ifdef "));
            continue;
        }
        if (STRPREFIX(lines[i], "#endif")) {
            active = true;
            continue;
        }
        if (!active || !g_regex_match(re, lines[i], 0, &m))
            continue;

        kind = g_match_info_fetch(m, 1);
        name = g_match_info_fetch(m, 2);
        flag = g_match_info_fetch(m, 4);
        label = g_strdup_printf("%s/%s", prefix, name);
        cfg = g_strdup_printf("%s/tests/%s/test-%s.cfg", src, datadir, name);
        xml = g_strdup_printf("%s/tests/%s/test-%s.xml", src, datadir, name);

        nativeCaseAdd(label, format, cfg, xml,
                      STRNEQ(kind, "_PARSE"), STRNEQ(kind, "_FORMAT"),
                      STREQ(kind, "_REPLACE_VARS") || STREQ_NULLABLE(flag, "true"));
        n++;
    }

    return n;
}


/*
 * nativeCasesOwn:
 * Every NAME.cfg of @dir with its NAME.xml, both directions.  An
 * optional NAME.input is a hand-written native file (any syntax xl or xm
 * accept) that must convert to NAME.xml too.
 */
static int
nativeCasesOwn(const char *dir)
{
    g_autoptr(GDir) d = NULL;
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *entry;
    size_t i;

    if (!(d = g_dir_open(dir, 0, NULL))) {
        fprintf(stderr, "cannot open %s\n", dir);
        return -1;
    }

    while ((entry = g_dir_read_name(d))) {
        if (g_str_has_suffix(entry, ".cfg"))
            g_ptr_array_add(names, g_strndup(entry, strlen(entry) - 4));
    }
    g_ptr_array_sort(names, (GCompareFunc)virStringSortCompare);

    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        const char *format = STRPREFIX(name, "xm-") ? LIBXL_NATIVE_FORMAT_XM :
                                                      LIBXL_NATIVE_FORMAT_XL;
        g_autofree char *label = g_strdup_printf("own/%s", name);
        g_autofree char *cfg = g_strdup_printf("%s/%s.cfg", dir, name);
        g_autofree char *xml = g_strdup_printf("%s/%s.xml", dir, name);
        g_autofree char *input = g_strdup_printf("%s/%s.input", dir, name);

        nativeCaseAdd(label, format, cfg, xml, true, true, false);

        if (virFileExists(input)) {
            g_autofree char *inlabel = g_strdup_printf("own/%s.input", name);

            nativeCaseAdd(inlabel, format, input, xml,
                          true, false, false)->roundTrip = false;
        }
    }

    return names->len;
}


/* ---- malformed input ---------------------------------------------- */

/*
 * nativeError:
 * The error message of converting @len bytes of @text, which must fail.
 */
static char *
nativeError(const char *format, const char *text, size_t len)
{
    g_autoptr(virDomainDef) def = NULL;

    virResetLastError();
    def = libxlDomainDefFromNative(format, text, len, caps, xmlopt);
    ck_assert_msg(def == NULL, "converting malformed input succeeded: %.200s", text);
    ck_assert_msg(virGetLastError() != NULL, "no error reported");
    return g_strdup(virGetLastErrorMessage());
}


#define CK_ASSERT_ERROR(text, ...) \
    do { \
        g_autofree char *msg = nativeError(LIBXL_NATIVE_FORMAT_XL, text, strlen(text)); \
        const char *needles[] = { __VA_ARGS__ }; \
        size_t n; \
        for (n = 0; n < G_N_ELEMENTS(needles); n++) \
            ck_assert_msg(strstr(msg, needles[n]), \
                          "error '%s' does not mention '%s'", msg, needles[n]); \
    } while (0)

#define HEAD "name = \"g\"\nmemory = 512\n"

START_TEST(test_bad_disk_spec)
{
    CK_ASSERT_ERROR(HEAD "disk = [ 'format=bogus,vdev=xvda,target=/x' ]\n",
                    "disk", "format=bogus");
    CK_ASSERT_ERROR(HEAD "disk = [ '/x,raw,xvda,rw', 'target=/y' ]\n",
                    "disk", "entry 1");
    CK_ASSERT_ERROR(HEAD "disk = [ 42 ]\n", "disk", "element 0");
    CK_ASSERT_ERROR(HEAD "disk = [ '/x,raw,hdzzzzz,rw' ]\n", "disk", "hdzzzzz");
    CK_ASSERT_ERROR(HEAD "disk = [ '/x,raw,xvda1,rw' ]\n", "disk", "xvda1");
    /* found by fuzzing: libvirt's RBD parser overreads after "]" */
    CK_ASSERT_ERROR(HEAD "disk = [ 'vdev=xvda,target=rbd:p/i:mon_host=[::1]' ]\n",
                    "disk", "without a port");
    CK_ASSERT_ERROR(HEAD "disk = [ 'vdev=xvda,target=rbd:p/i:mon_host=h]' ]\n",
                    "disk", "without a port");
}
END_TEST

START_TEST(test_bad_value_unknown_key)
{
    CK_ASSERT_ERROR(HEAD "frobnicate = 12abc\n", "line 3", "separator");
    CK_ASSERT_ERROR(HEAD "frobnicate = = 1\n", "line 3", "expecting a value");
    CK_ASSERT_ERROR(HEAD "1frob = 1\n", "line 3", "expecting a name");
}
END_TEST

START_TEST(test_unknown_key_good_value)
{
    const char *text = HEAD "frobnicate = [ 'a', 1 ]\n";
    g_autoptr(virDomainDef) def = NULL;

    def = libxlDomainDefFromNative(LIBXL_NATIVE_FORMAT_XL, text, strlen(text),
                                   caps, xmlopt);
    ck_assert_ptr_nonnull(def);
    ck_assert_str_eq(def->name, "g");
}
END_TEST

START_TEST(test_unterminated)
{
    CK_ASSERT_ERROR(HEAD "vif = [ 'bridge=xenbr0',\n\n", "line 5", "expecting a value");
    CK_ASSERT_ERROR(HEAD "vif = [ 'bridge=xenbr0'\n\n", "line 5", "not closed");
    CK_ASSERT_ERROR(HEAD "vif = [ 'bridge=xenbr0'\n  'x' ]\n", "line 4", "separator");
    CK_ASSERT_ERROR(HEAD "extra = \"console=hvc0\n", "line 3", "unterminated string");
    CK_ASSERT_ERROR(HEAD "extra = \"\"\"console=hvc0\n\n", "line 3", "unterminated string");
    CK_ASSERT_ERROR(HEAD "memory = -\n", "line 3", "number");
}
END_TEST

START_TEST(test_nesting)
{
    g_autofree char *deep = g_strdup_printf(HEAD "x = %s", "[[[[[[[[[[[[[[[[[[[[[[[[");

    CK_ASSERT_ERROR(deep, "line 3", "nested too deeply");
}
END_TEST

START_TEST(test_huge)
{
    size_t len = LIBXL_NATIVE_CONFIG_MAX + 1;
    g_autofree char *text = g_new0(char, len + 1);
    g_autofree char *msg = NULL;

    memset(text, '#', len);
    msg = nativeError(LIBXL_NATIVE_FORMAT_XL, text, len);
    ck_assert_msg(strstr(msg, "exceeds the limit"), "%s", msg);
}
END_TEST

START_TEST(test_huge_list)
{
    /* a list of many elements within the size limit still converts */
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *text = NULL;
    size_t i;

    virBufferAddLit(&buf, HEAD "usbdevice = [");
    for (i = 0; i < 20000; i++)
        virBufferAddLit(&buf, "'host:1234:5678', ");
    virBufferAddLit(&buf, "]\nbuilder = 'hvm'\n");
    text = virBufferContentAndReset(&buf);

    def = libxlDomainDefFromNative(LIBXL_NATIVE_FORMAT_XL, text, strlen(text),
                                   caps, xmlopt);
    ck_assert_msg(def != NULL, "%s", virGetLastErrorMessage());
}
END_TEST

START_TEST(test_large_output)
{
    /* a native configuration longer than virConfWriteMem's first buffer */
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    g_autoptr(virDomainDef) def = NULL;
    g_autofree char *text = NULL;
    g_autofree char *cfg = NULL;
    size_t i;

    virBufferAddLit(&buf, HEAD "vif = [");
    for (i = 0; i < 300; i++)
        virBufferAsprintf(&buf, "'mac=00:16:3e:00:%02zx:%02zx,bridge=xenbr0', ", i / 256, i % 256);
    virBufferAddLit(&buf, "]\n");
    text = virBufferContentAndReset(&buf);

    def = libxlDomainDefFromNative(LIBXL_NATIVE_FORMAT_XL, text, strlen(text),
                                   caps, xmlopt);
    ck_assert_msg(def != NULL, "%s", virGetLastErrorMessage());
    cfg = libxlDomainDefToNative(LIBXL_NATIVE_FORMAT_XL, def, NULL);
    ck_assert_msg(cfg != NULL, "%s", virGetLastErrorMessage());
    ck_assert_uint_gt(strlen(cfg), 300 * 40);
    ck_assert_msg(strstr(cfg, "mac=00:16:3e:00:01:2b,bridge=xenbr0"), "%s", cfg);
}
END_TEST

START_TEST(test_unterminated_buffer)
{
    /* the input need not be NUL-terminated: end a buffer mid-string */
    const char text[] = HEAD "x = \"\"\"abc\"\"";
    g_autofree char *buf = g_malloc(sizeof(text) - 1);
    g_autofree char *msg = NULL;

    memcpy(buf, text, sizeof(text) - 1);
    msg = nativeError(LIBXL_NATIVE_FORMAT_XL, buf, sizeof(text) - 1);
    ck_assert_msg(strstr(msg, "line 3") && strstr(msg, "unterminated"), "%s", msg);
}
END_TEST

START_TEST(test_repeated_spec_keys)
{
    /* a key repeated in a device spec: the last one counts (and the
     * first is not leaked, as the fuzzer once found) */
    const char *text = HEAD "vfb = [ 'sdl=1,display=:0,xauthority=/a,display=:1,xauthority=/b' ]\n";
    g_autoptr(virDomainDef) def = NULL;

    def = libxlDomainDefFromNative(LIBXL_NATIVE_FORMAT_XL, text, strlen(text),
                                   caps, xmlopt);
    ck_assert_msg(def != NULL, "%s", virGetLastErrorMessage());
    ck_assert_int_eq(def->ngraphics, 1);
    ck_assert_str_eq(def->graphics[0]->data.sdl.display, ":1");
    ck_assert_str_eq(def->graphics[0]->data.sdl.xauth, "/b");
}
END_TEST

START_TEST(test_repeated_keys)
{
    /* as in xl and Python, the last assignment counts */
    const char *text = HEAD "vcpus = 1\nmemory = 1024\nvif = [ 'bridge=a' ]\n"
                       "vif = [ 'bridge=b', 'bridge=c' ]\n";
    g_autoptr(virDomainDef) def = NULL;

    def = libxlDomainDefFromNative(LIBXL_NATIVE_FORMAT_XL, text, strlen(text),
                                   caps, xmlopt);
    ck_assert_msg(def != NULL, "%s", virGetLastErrorMessage());
    ck_assert_uint_eq(def->mem.cur_balloon, 1024 * 1024);
    ck_assert_int_eq(def->nnets, 2);
    ck_assert_str_eq(def->nets[1]->data.bridge.brname, "c");
}
END_TEST

START_TEST(test_nul_bytes)
{
    const char text[] = HEAD "vcpus = 2\n\0\nmemory = 1024\n";
    g_autofree char *msg = nativeError(LIBXL_NATIVE_FORMAT_XL, text, sizeof(text) - 1);

    ck_assert_msg(strstr(msg, "line 4") && strstr(msg, "NUL"), "%s", msg);
}
END_TEST

START_TEST(test_binary_garbage)
{
    GRand *rnd = g_rand_new_with_seed(20261123);
    size_t round;

    for (round = 0; round < 200; round++) {
        size_t len = g_rand_int_range(rnd, 1, 4096);
        g_autofree char *text = g_new0(char, len);
        g_autoptr(virDomainDef) def = NULL;
        size_t i;

        for (i = 0; i < len; i++)
            text[i] = g_rand_int_range(rnd, 0, 256);
        /* random bytes after a valid head */
        if (round % 2)
            memcpy(text, HEAD, MIN(len, strlen(HEAD)));

        virResetLastError();
        def = libxlDomainDefFromNative(round % 3 ? LIBXL_NATIVE_FORMAT_XL :
                                                   LIBXL_NATIVE_FORMAT_XM,
                                       text, len, caps, xmlopt);
        if (!def)
            ck_assert_msg(strstr(virGetLastErrorMessage(), "line "),
                          "garbage error without a line: %s",
                          virGetLastErrorMessage());
    }
    g_rand_free(rnd);
}
END_TEST

START_TEST(test_bad_known_keys)
{
    CK_ASSERT_ERROR("memory = 512\n", "name");
    CK_ASSERT_ERROR(HEAD "memory = 'lots'\n", "memory");
    CK_ASSERT_ERROR(HEAD "maxmem = [ 1 ]\n", "maxmem");
    CK_ASSERT_ERROR(HEAD "vcpus = 0\n", "vcpus");
    CK_ASSERT_ERROR(HEAD "vcpus = 99999999\n", "vcpus");
    CK_ASSERT_ERROR(HEAD "vcpus = 4\nmaxvcpus = 2\n", "maxvcpus");
    CK_ASSERT_ERROR(HEAD "cpus = 'x-y'\n", "cpus");
    CK_ASSERT_ERROR(HEAD "uuid = 'not-a-uuid'\n", "uuid");
    CK_ASSERT_ERROR(HEAD "type = 'hvm2'\n", "type", "hvm2");
    CK_ASSERT_ERROR(HEAD "on_crash = 'explode'\n", "on_crash", "explode");
    CK_ASSERT_ERROR(HEAD "tsc_mode = 'sometimes'\n", "tsc_mode");
    CK_ASSERT_ERROR(HEAD "passthrough = 'maybe'\n", "passthrough");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nacpi = 'perhaps'\n", "acpi");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nrtc_timeoffset = 'noon'\n", "rtc_timeoffset");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nboot = 'cz'\n", "boot");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nbios = 'coreboot'\n", "bios");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nserial = 'serial-port'\n", "serial-port");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nserial = 'tcp:nohostport'\n", "tcp:nohostport");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nsoundhw = 'sb16,kazoo'\n", "soundhw", "kazoo");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\ncpuid = 'host,sse3=maybe'\n", "cpuid");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\ncpuid = ['0x1:ecx=xxxx']\n", "cpuid");
    CK_ASSERT_ERROR(HEAD "builder = 'hvm'\nspice = 1\n", "spicepasswd");
    CK_ASSERT_ERROR(HEAD "vif = [ 'mac=00:16:3e:zz:00:01' ]\n", "MAC", "zz");
    CK_ASSERT_ERROR(HEAD "vif = [ 'bridge=br0.4096' ]\n", "VLAN");
    CK_ASSERT_ERROR(HEAD "vif = [ 'rate=fast' ]\n", "rate", "fast");
    CK_ASSERT_ERROR(HEAD "vif = [ 'bridge=br0,model' ]\n", "vif", "model");
    CK_ASSERT_ERROR(HEAD "pci = [ '00:1b' ]\n", "pci", "00:1b");
    CK_ASSERT_ERROR(HEAD "pci = [ '00:20.0' ]\n", "pci");
    CK_ASSERT_ERROR(HEAD "pci = [ '00:1b.0,seize' ]\n", "pci", "seize");
    CK_ASSERT_ERROR(HEAD "vfb = [ 'vnc=1,vncdisplay=x' ]\n", "vncdisplay");
    CK_ASSERT_ERROR(HEAD "vnuma = [ [ 'pnode=0', 'size=512' ] ]\n", "vnuma", "vnode 0");
    CK_ASSERT_ERROR(HEAD "vnuma = [ 'pnode=0' ]\n", "vnuma");
    CK_ASSERT_ERROR(HEAD "vnuma = [ [ 'pnode=0', 'size=512', 'vcpus=0-3' ] ]\n",
                    "vnuma", "maxvcpus");
    CK_ASSERT_ERROR(HEAD "usbdev = [ 'hostbus=1' ]\n", "usbdev");
    CK_ASSERT_ERROR(HEAD "usbctrl = [ 'version=3' ]\n", "usbctrl");
    CK_ASSERT_ERROR(HEAD "channel = [ 'connection=pty' ]\n", "channel");
    CK_ASSERT_ERROR(HEAD "channel = [ 'connection=tcp,name=x' ]\n", "channel");
    CK_ASSERT_ERROR(HEAD "max_grant_frames = 'many'\n", "max_grant_frames");
}
END_TEST

START_TEST(test_bad_xm)
{
    const char *cases_[][2] = {
        { HEAD "disk = [ 'phy:/dev/sda' ]\n", "SOURCE,DEVICE,MODE" },
        { HEAD "disk = [ 'tap:vmdkx:/x.img,xvda,w' ]\n", "tap" },
        { HEAD "disk = [ 'phy:/dev/sda,xvda,q' ]\n", "mode" },
        { HEAD "disk = [ 'phy:/dev/sda,hdcioem:cdrom,r' ]\n", "hdcioem" },
        { HEAD "builder = 'hvm'\n", "kernel" },
        { HEAD "builder = 'hvm'\nkernel = '/h'\nserial = [ 'pty', 'pty' ]\n", "serial" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases_); i++) {
        g_autofree char *msg = nativeError(LIBXL_NATIVE_FORMAT_XM, cases_[i][0],
                                           strlen(cases_[i][0]));

        ck_assert_msg(strstr(msg, cases_[i][1]),
                      "error '%s' does not mention '%s'", msg, cases_[i][1]);
    }
}
END_TEST

START_TEST(test_bad_format)
{
    g_autofree char *msg = nativeError("xen-sxpr", HEAD, strlen(HEAD));

    ck_assert_msg(strstr(msg, "xen-sxpr"), "%s", msg);
    ck_assert_int_eq(virGetLastErrorCode(), VIR_ERR_INVALID_ARG);
}
END_TEST


/* ---- the driver's entry points ------------------------------------ */

START_TEST(test_entry_points)
{
    static virHypervisorDriver driver = { .name = "Xen" };
    g_autoptr(virConnect) conn = virGetConnect();
    const char *cfg = HEAD "vcpus = 2\nkernel = '/boot/vmlinuz'\n";
    g_autofree char *xml = NULL;
    g_autofree char *back = NULL;
    char *bad;

    ck_assert_ptr_nonnull(conn);
    conn->driver = &driver;

    xml = libxlNativeConnectDomainXMLFromNative(conn, xmlopt, caps,
                                                LIBXL_NATIVE_FORMAT_XL, cfg, 0);
    ck_assert_msg(xml != NULL, "%s", virGetLastErrorMessage());
    ck_assert_msg(strstr(xml, "<kernel>/boot/vmlinuz</kernel>"), "%s", xml);

    back = libxlNativeConnectDomainXMLToNative(conn, xmlopt, LIBXL_NATIVE_FORMAT_XM,
                                               xml, 0);
    ck_assert_msg(back != NULL, "%s", virGetLastErrorMessage());
    ck_assert_msg(strstr(back, "kernel = \"/boot/vmlinuz\"") &&
                  strstr(back, "vcpus = 2"), "%s", back);

    bad = libxlNativeConnectDomainXMLFromNative(conn, xmlopt, caps,
                                                LIBXL_NATIVE_FORMAT_XL, cfg, 1);
    ck_assert_ptr_null(bad);
    ck_assert_int_eq(virGetLastErrorCode(), VIR_ERR_INVALID_ARG);

    bad = libxlNativeConnectDomainXMLToNative(conn, xmlopt, "vmware-vmx", xml, 0);
    ck_assert_ptr_null(bad);
    ck_assert_int_eq(virGetLastErrorCode(), VIR_ERR_INVALID_ARG);
    ck_assert_msg(strstr(virGetLastErrorMessage(), "vmware-vmx"), "%s",
                  virGetLastErrorMessage());

    bad = libxlNativeConnectDomainXMLToNative(conn, xmlopt, LIBXL_NATIVE_FORMAT_XL,
                                              "<domain type='xen'>", 0);
    ck_assert_ptr_null(bad);

    conn->driver = NULL;    /* nothing to close */
}
END_TEST

START_TEST(test_network_interface)
{
    /* <interface type='network'> needs a connection that knows the network */
    const char *xml =
        "<domain type='xen'><name>n</name><memory>524288</memory>"
        "<os><type arch='x86_64' machine='xenpv'>linux</type></os>"
        "<devices><interface type='network'><source network='default'/>"
        "<mac address='00:16:3e:00:00:01'/></interface></devices></domain>";
    g_autoptr(virDomainDef) def = virDomainDefParseString(xml, xmlopt, NULL,
                                                          NATIVE_PARSE_FLAGS);
    g_autofree char *cfg = NULL;

    ck_assert_ptr_nonnull(def);
    cfg = libxlDomainDefToNative(LIBXL_NATIVE_FORMAT_XL, def, NULL);
    ck_assert_ptr_null(cfg);
    ck_assert_msg(strstr(virGetLastErrorMessage(), "default"), "%s",
                  virGetLastErrorMessage());
}
END_TEST

START_TEST(test_cpu_feature_names)
{
    ck_assert_str_eq(libxlNativeCPUFeatureFromXL("sse3"), "pni");
    ck_assert_str_eq(libxlNativeCPUFeatureToXL("pni"), "sse3");
    ck_assert_str_eq(libxlNativeCPUFeatureToXL("spec-ctrl"), "ibrsb");
    ck_assert_str_eq(libxlNativeCPUFeatureFromXL("avx"), "avx");
}
END_TEST

START_TEST(test_xm_disk)
{
    virDomainDef hvm = { .os.type = VIR_DOMAIN_OSTYPE_HVM };
    g_autoptr(virDomainDiskDef) disk = libxlNativeParseXMDisk("tap2:qcow2:/i.qcow2,ioemu:hdb,w!",
                                                              0, &hvm);

    ck_assert_ptr_nonnull(disk);
    ck_assert_str_eq(disk->dst, "hdb");
    ck_assert_str_eq(virDomainDiskGetDriver(disk), "tap2");
    ck_assert_str_eq(virDomainDiskGetSource(disk), "/i.qcow2");
    ck_assert_int_eq(virDomainDiskGetFormat(disk), VIR_STORAGE_FILE_QCOW2);
    ck_assert(disk->src->shared);
    ck_assert_int_eq(disk->bus, VIR_DOMAIN_DISK_BUS_IDE);
}
END_TEST


static Suite *
nativeSuite(size_t ncases)
{
    Suite *s = suite_create("native");
    TCase *tc;

    tc = tcase_create("cfg-to-xml");
    tcase_add_loop_test(tc, test_cfg_to_xml, 0, ncases);
    suite_add_tcase(s, tc);

    tc = tcase_create("xml-to-cfg");
    tcase_add_loop_test(tc, test_xml_to_cfg, 0, ncases);
    suite_add_tcase(s, tc);

    tc = tcase_create("round-trip");
    tcase_add_loop_test(tc, test_round_trip, 0, ncases);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_bad_disk_spec);
    tcase_add_test(tc, test_bad_value_unknown_key);
    tcase_add_test(tc, test_unknown_key_good_value);
    tcase_add_test(tc, test_unterminated);
    tcase_add_test(tc, test_nesting);
    tcase_add_test(tc, test_huge);
    tcase_add_test(tc, test_huge_list);
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_large_output);
    tcase_add_test(tc, test_repeated_spec_keys);
    tcase_add_test(tc, test_repeated_keys);
    tcase_add_test(tc, test_unterminated_buffer);
    tcase_add_test(tc, test_binary_garbage);
    tcase_add_test(tc, test_bad_known_keys);
    tcase_add_test(tc, test_bad_xm);
    tcase_add_test(tc, test_bad_format);
    suite_add_tcase(s, tc);

    tc = tcase_create("entry-points");
    tcase_add_test(tc, test_entry_points);
    tcase_add_test(tc, test_network_interface);
    tcase_add_test(tc, test_cpu_feature_names);
    tcase_add_test(tc, test_xm_disk);
    suite_add_tcase(s, tc);

    return s;
}


int
main(void)
{
    const char *srcdir = getenv("top_srcdir");
    const char *libvirtSrc = getenv("LIBVIRT_SRC");
    g_autofree char *owndir = NULL;
    virAccessManager *acl = NULL;
    SRunner *sr;
    int nown, nxl, nxm;
    int failed;

    if (!srcdir)
        srcdir = ".";
    if (!libvirtSrc) {
        fprintf(stderr, "LIBVIRT_SRC is not set\n");
        return 1;
    }
    outdir = getenv("NATIVE_TEST_OUTDIR");
    if (!outdir)
        outdir = "native-out";

    if (virInitialize() < 0 ||
        !(acl = virAccessManagerNew("none")))
        return 1;
    virAccessManagerSetDefault(acl);

    if (!(caps = libxlNativeTestCapsNew()) ||
        !(xmlopt = libxlNativeTestXMLOptionNew())) {
        fprintf(stderr, "%s\n", virGetLastErrorMessage());
        return 1;
    }

    cases = g_ptr_array_new();
    owndir = g_strdup_printf("%s/tests/libxltest/nativedata", srcdir);
    if ((nown = nativeCasesOwn(owndir)) < 0 ||
        (nxl = nativeCasesLibvirt(libvirtSrc, "xlconfigtest.c", "xlconfigdata",
                                  "libvirt-xl", LIBXL_NATIVE_FORMAT_XL)) <= 0 ||
        (nxm = nativeCasesLibvirt(libvirtSrc, "xmconfigtest.c", "xmconfigdata",
                                  "libvirt-xm", LIBXL_NATIVE_FORMAT_XM)) <= 0) {
        fprintf(stderr, "no test cases found\n");
        return 1;
    }
    printf("native cases: %d own, %d libvirt xl, %d libvirt xm\n", nown, nxl, nxm);
    fflush(stdout);

    sr = srunner_create(nativeSuite(cases->len));
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);

    virObjectUnref(xmlopt);
    virObjectUnref(caps);
    return failed;
}

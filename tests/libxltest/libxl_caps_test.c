/*
 * libxl_caps_test.c: host capabilities, node info and domain capabilities
 *
 * Data driven.  A host is described by libxlcapsdata/NAME.json, what libxl
 * would report for it:
 *   { "arch": "x86_64",
 *     "version": { libxl_version_info fields },
 *     "physinfo": { libxl_physinfo fields, "hw_cap": [8 words] },
 *     "cputopology": [ { "core", "socket", "node" }, ... ],
 *     "numainfo": [ { "size", "free", "dists": [...] }, ... ] }
 * and the test checks the capabilities XML against NAME.xml and the node
 * info against NAME.nodeinfo.
 *
 * A domain capabilities query is libxldomcapsdata/NAME.args, lines of
 * key=value (host, emulator, arch, machine, virttype; unset keys are
 * NULL); its expected answer is NAME.xml, or NAME.err holding the error
 * message the query must fail with.
 *
 * Adding a case is adding two files.  VIR_TEST_REGENERATE_OUTPUT=1 writes
 * the expected files from the actual output.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "virerror.h"
#include "virjson.h"
#include "virfile.h"
#include "libxl_capabilities.h"
#include "libxl_conf.h"
#include "libxl_testutils.h"

typedef struct _libxlTestHost libxlTestHost;
struct _libxlTestHost {
    virArch arch;
    libxl_version_info version;
    libxl_physinfo phys;
    libxl_cputopology *topology;
    int ncpus;
    libxl_numainfo *numa;
    int nnodes;
};

static char **capsCases;
static char **domcapsCases;


static void
libxlTestHostFree(libxlTestHost *host)
{
    int i;

    if (!host)
        return;
    libxl_version_info_dispose(&host->version);
    libxl_physinfo_dispose(&host->phys);
    for (i = 0; i < host->ncpus; i++)
        libxl_cputopology_dispose(&host->topology[i]);
    g_free(host->topology);
    for (i = 0; i < host->nnodes; i++)
        libxl_numainfo_dispose(&host->numa[i]);
    g_free(host->numa);
    g_free(host);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libxlTestHost, libxlTestHostFree);


static unsigned long long
jsonULong(virJSONValue *obj, const char *key, unsigned long long def)
{
    unsigned long long val;

    if (!obj || virJSONValueObjectGetNumberUlong(obj, key, &val) < 0)
        return def;
    return val;
}


static char *
jsonStr(virJSONValue *obj, const char *key)
{
    const char *val = obj ? virJSONValueObjectGetString(obj, key) : NULL;

    /* libxl frees these with free() */
    return val ? strdup(val) : NULL;
}


static void
libxlTestLoadVersion(libxl_version_info *ver, virJSONValue *obj)
{
    libxl_version_info_init(ver);
    ver->xen_version_major = jsonULong(obj, "xen_version_major", 4);
    ver->xen_version_minor = jsonULong(obj, "xen_version_minor", 17);
    ver->xen_version_extra = jsonStr(obj, "xen_version_extra");
    ver->capabilities = jsonStr(obj, "capabilities");
    ver->pagesize = jsonULong(obj, "pagesize", 4096);
}


static void
libxlTestLoadPhysinfo(libxl_physinfo *phys, virJSONValue *obj)
{
    virJSONValue *hwcap = obj ? virJSONValueObjectGetArray(obj, "hw_cap") : NULL;
    size_t i;

    libxl_physinfo_init(phys);
    phys->threads_per_core = jsonULong(obj, "threads_per_core", 1);
    phys->cores_per_socket = jsonULong(obj, "cores_per_socket", 1);
    phys->nr_cpus = jsonULong(obj, "nr_cpus", 1);
    phys->max_cpu_id = jsonULong(obj, "max_cpu_id", phys->nr_cpus - 1);
    phys->cpu_khz = jsonULong(obj, "cpu_khz", 0);
    phys->total_pages = jsonULong(obj, "total_pages", 0);
    phys->free_pages = jsonULong(obj, "free_pages", 0);
    phys->nr_nodes = jsonULong(obj, "nr_nodes", 1);
    phys->cap_hvm = jsonULong(obj, "cap_hvm", 1);
    phys->cap_pv = jsonULong(obj, "cap_pv", 1);
    phys->cap_hap = jsonULong(obj, "cap_hap", 1);

    for (i = 0; hwcap && i < virJSONValueArraySize(hwcap) && i < 8; i++) {
        unsigned long long word = 0;

        ignore_value(virJSONValueGetNumberUlong(virJSONValueArrayGet(hwcap, i),
                                                &word));
        phys->hw_cap[i] = word;
    }
}


static libxlTestHost *
libxlTestHostLoad(const char *path)
{
    g_autoptr(libxlTestHost) host = g_new0(libxlTestHost, 1);
    g_autofree char *text = NULL;
    g_autoptr(virJSONValue) json = NULL;
    virJSONValue *topo;
    virJSONValue *numa;
    const char *arch;
    int i;

    ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
    ck_assert_msg((json = virJSONValueFromString(text)) != NULL,
                  "%s: %s", path, virGetLastErrorMessage());

    arch = virJSONValueObjectGetString(json, "arch");
    host->arch = arch ? virArchFromString(arch) : VIR_ARCH_X86_64;
    libxlTestLoadVersion(&host->version, virJSONValueObjectGet(json, "version"));
    libxlTestLoadPhysinfo(&host->phys, virJSONValueObjectGet(json, "physinfo"));

    if ((topo = virJSONValueObjectGetArray(json, "cputopology"))) {
        host->ncpus = virJSONValueArraySize(topo);
        host->topology = g_new0(libxl_cputopology, host->ncpus);
        for (i = 0; i < host->ncpus; i++) {
            virJSONValue *cpu = virJSONValueArrayGet(topo, i);

            libxl_cputopology_init(&host->topology[i]);
            host->topology[i].core = jsonULong(cpu, "core", 0);
            host->topology[i].socket = jsonULong(cpu, "socket", 0);
            host->topology[i].node = jsonULong(cpu, "node", 0);
        }
    }

    if ((numa = virJSONValueObjectGetArray(json, "numainfo"))) {
        host->nnodes = virJSONValueArraySize(numa);
        host->numa = g_new0(libxl_numainfo, host->nnodes);
        for (i = 0; i < host->nnodes; i++) {
            virJSONValue *node = virJSONValueArrayGet(numa, i);
            virJSONValue *dists = virJSONValueObjectGetArray(node, "dists");
            size_t j;

            libxl_numainfo_init(&host->numa[i]);
            host->numa[i].size = jsonULong(node, "size", 0);
            host->numa[i].free = jsonULong(node, "free", 0);
            if (!dists)
                continue;
            host->numa[i].num_dists = virJSONValueArraySize(dists);
            host->numa[i].dists = calloc(host->numa[i].num_dists, sizeof(uint32_t));
            for (j = 0; j < host->numa[i].num_dists; j++) {
                unsigned long long d = 0;

                ignore_value(virJSONValueGetNumberUlong(virJSONValueArrayGet(dists, j), &d));
                host->numa[i].dists[j] = d;
            }
        }
    }

    return g_steal_pointer(&host);
}


static virCaps *
libxlTestHostCaps(libxlTestHost *host)
{
    libxlHostInfo info = {
        .arch = host->arch,
        .version = &host->version,
        .phys = &host->phys,
        .topology = host->topology,
        .ncpus = host->ncpus,
        .numa = host->numa,
        .nnodes = host->nnodes,
    };

    return libxlCapsBuild(&info);
}


static char *
libxlTestFormatNodeInfo(const virNodeInfo *info)
{
    return g_strdup_printf("model: %s\nmemory: %lu\ncpus: %u\nmhz: %u\n"
                           "nodes: %u\nsockets: %u\ncores: %u\nthreads: %u\n",
                           info->model, info->memory, info->cpus, info->mhz,
                           info->nodes, info->sockets, info->cores,
                           info->threads);
}


START_TEST(test_caps_case)
{
    const char *name = capsCases[_i];
    g_autofree char *dir = libxlTestSrcPath("libxlcapsdata");
    g_autofree char *json = g_strdup_printf("%s/%s.json", dir, name);
    g_autofree char *xmlPath = g_strdup_printf("%s/%s.xml", dir, name);
    g_autofree char *nodePath = g_strdup_printf("%s/%s.nodeinfo", dir, name);
    g_autoptr(libxlTestHost) host = libxlTestHostLoad(json);
    g_autoptr(virCaps) caps = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *nodeinfo = NULL;
    virNodeInfo info;

    caps = libxlTestHostCaps(host);
    ck_assert_msg(caps != NULL, "%s: %s", name, virGetLastErrorMessage());
    xml = virCapabilitiesFormatXML(caps);
    ck_assert_ptr_nonnull(xml);
    ck_assert_msg(libxlTestCompareToFile(xml, xmlPath), "%s: capabilities differ", name);

    ck_assert_int_eq(libxlNodeInfoFromPhysinfo(&host->phys, &host->version, &info), 0);
    nodeinfo = libxlTestFormatNodeInfo(&info);
    ck_assert_msg(libxlTestCompareToFile(nodeinfo, nodePath), "%s: node info differs", name);
}
END_TEST


/* key=value lines into a hash table */
static GHashTable *
libxlTestLoadArgs(const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    GHashTable *args = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    size_t i;

    ck_assert_msg(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
    lines = g_strsplit(text, "\n", 0);
    for (i = 0; lines[i]; i++) {
        char *eq = strchr(lines[i], '=');

        if (lines[i][0] == '#' || !eq)
            continue;
        g_hash_table_insert(args, g_strndup(lines[i], eq - lines[i]),
                            g_strdup(eq + 1));
    }
    return args;
}


START_TEST(test_domcaps_case)
{
    const char *name = domcapsCases[_i];
    g_autofree char *dir = libxlTestSrcPath("libxldomcapsdata");
    g_autofree char *argsPath = g_strdup_printf("%s/%s.args", dir, name);
    g_autofree char *xmlPath = g_strdup_printf("%s/%s.xml", dir, name);
    g_autofree char *errPath = g_strdup_printf("%s/%s.err", dir, name);
    g_autoptr(GHashTable) args = libxlTestLoadArgs(argsPath);
    const char *hostName = g_hash_table_lookup(args, "host");
    g_autofree char *hostFile = NULL;
    g_autofree char *hostPath = NULL;
    g_autoptr(libxlTestHost) host = NULL;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigNew();
    g_autoptr(virCaps) caps = NULL;
    g_autoptr(virDomainCaps) domCaps = NULL;
    g_autofree char *actual = NULL;

    hostFile = g_strdup_printf("libxlcapsdata/%s.json",
                               hostName ? hostName : "basic");
    hostPath = libxlTestSrcPath(hostFile);
    host = libxlTestHostLoad(hostPath);
    caps = libxlTestHostCaps(host);
    ck_assert_ptr_nonnull(caps);
    ck_assert_ptr_nonnull(cfg);

    virResetLastError();
    domCaps = libxlDomainCapsNew(caps, cfg->firmwares, cfg->nfirmwares,
                                 g_hash_table_lookup(args, "emulator"),
                                 g_hash_table_lookup(args, "arch"),
                                 g_hash_table_lookup(args, "machine"),
                                 g_hash_table_lookup(args, "virttype"));
    if (domCaps) {
        actual = virDomainCapsFormat(domCaps);
        ck_assert_ptr_nonnull(actual);
        if (virFileExists(errPath))
            ck_abort_msg("%s: expected an error, got\n%s", name, actual);
        ck_assert_msg(libxlTestCompareToFile(actual, xmlPath),
                      "%s: domain capabilities differ", name);
    } else {
        actual = g_strdup_printf("%s\n", virGetLastErrorMessage());
        if (virFileExists(xmlPath))
            ck_abort_msg("%s: unexpected error: %s", name, actual);
        ck_assert_msg(libxlTestCompareToFile(actual, errPath),
                      "%s: error message differs", name);
    }
}
END_TEST


/* a capabilities string with nothing this driver knows: no guests, no crash */
START_TEST(test_caps_unknown_guests)
{
    libxl_version_info ver;
    libxl_physinfo phys;
    libxlHostInfo info = { .arch = VIR_ARCH_X86_64, .version = &ver, .phys = &phys };
    g_autoptr(virCaps) caps = NULL;

    libxl_version_info_init(&ver);
    libxl_physinfo_init(&phys);
    ver.capabilities = strdup("foo bar-1.0-sparc hvm-3.0-ppc64 xen-3.0");
    caps = libxlCapsBuild(&info);
    ck_assert_ptr_nonnull(caps);
    ck_assert_int_eq(caps->nguests, 0);
    libxl_version_info_dispose(&ver);
    libxl_physinfo_dispose(&phys);
}
END_TEST


START_TEST(test_caps_no_version)
{
    libxl_physinfo phys;
    libxlHostInfo info = { .arch = VIR_ARCH_X86_64, .phys = &phys };
    g_autoptr(virCaps) caps = NULL;

    libxl_physinfo_init(&phys);
    caps = libxlCapsBuild(&info);
    ck_assert_ptr_null(caps);
    ck_assert_str_eq(virGetLastErrorMessage(),
                     "internal error: libxenlight reports no guest capabilities");
    libxl_physinfo_dispose(&phys);
}
END_TEST


START_TEST(test_version_number)
{
    libxl_version_info ver = { .xen_version_major = 4, .xen_version_minor = 17 };

    ck_assert_uint_eq(libxlVersionFromInfo(&ver), 4017000);
    ver.xen_version_extra = (char *) ".3";
    ck_assert_uint_eq(libxlVersionFromInfo(&ver), 4017003);
    ver.xen_version_extra = (char *) ".5-pre";
    ck_assert_uint_eq(libxlVersionFromInfo(&ver), 4017005);
    ver.xen_version_extra = (char *) "-rc";
    ck_assert_uint_eq(libxlVersionFromInfo(&ver), 4017000);
}
END_TEST


static Suite *
libxlCapsSuite(void)
{
    Suite *s = suite_create("libxl_capabilities");
    TCase *tc = tcase_create("data");
    TCase *tcu = tcase_create("unit");
    g_autofree char *capsDir = libxlTestSrcPath("libxlcapsdata");
    g_autofree char *domcapsDir = libxlTestSrcPath("libxldomcapsdata");

    capsCases = libxlTestListCases(capsDir, ".json");
    domcapsCases = libxlTestListCases(domcapsDir, ".args");

    tcase_add_loop_test(tc, test_caps_case, 0, g_strv_length(capsCases));
    tcase_add_loop_test(tc, test_domcaps_case, 0, g_strv_length(domcapsCases));
    suite_add_tcase(s, tc);

    tcase_add_test(tcu, test_caps_unknown_guests);
    tcase_add_test(tcu, test_caps_no_version);
    tcase_add_test(tcu, test_version_number);
    suite_add_tcase(s, tcu);
    return s;
}


int
main(void)
{
    libxlTestInit();
    return libxlTestRunSuite(libxlCapsSuite());
}

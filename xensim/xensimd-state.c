/*
 * xensimd-state.c: the simulated host and the commands that query it
 *
 * Every request names a command; most are named after the libxl or
 * xenstore entry point they serve, so that a fault injected for an entry
 * point name hits exactly that entry point.  A handler fills records and
 * returns a libxl error code (xs_* commands: 0 or -errno).
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include <libxl.h>

#include "xensim-proto.h"
#include "xensimd-state.h"
#include "xensimd-pci.h"
#include "xensimd-usb.h"

#define XENSIM_DOM0_UUID "00000000-0000-0000-0000-000000000000"
#define XENSIM_NUMA_LOCAL 10
#define XENSIM_NUMA_REMOTE 21

void
xensimDomainFree(gpointer data)
{
    XensimDomain *dom = data;

    if (!dom)
        return;
    xensimDomainDispose(dom);
    g_free(dom->uuid);
    g_free(dom->name);
    g_free(dom->vcpu_time_ns);
    xensimTuneDomainFree(dom);
    if (dom->devices)
        g_ptr_array_unref(dom->devices);
    if (dom->userdata)
        g_hash_table_unref(dom->userdata);
    g_free(dom);
}

static guint
xensimHostCpus(XensimHostConfig *host)
{
    return host->sockets * host->cores_per_socket * host->threads_per_core;
}

/* Write a domain's usual xenstore entries. */
void
xensimDomainPublish(XensimState *state, XensimDomain *dom)
{
    g_autofree char *dompath = g_strdup_printf("/local/domain/%u", dom->domid);
    g_autofree char *vmpath = g_strdup_printf("/vm/%s", dom->uuid);
    g_autofree char *p = NULL;
    g_autofree char *v = NULL;
    guint i;

#define XS_SET(base, sub, ...) \
    do { \
        g_free(p); g_free(v); \
        p = g_strconcat(base, sub, NULL); \
        v = g_strdup_printf(__VA_ARGS__); \
        xensimStoreWrite(state->store, p, v); \
    } while (0)

    XS_SET(dompath, "/name", "%s", dom->name);
    XS_SET(dompath, "/domid", "%u", dom->domid);
    XS_SET(dompath, "/vm", "%s", vmpath);
    XS_SET(dompath, "/memory/target", "%" G_GUINT64_FORMAT, dom->target_memkb);
    XS_SET(dompath, "/memory/static-max", "%" G_GUINT64_FORMAT, dom->max_memkb);
    for (i = 0; i < dom->max_vcpus; i++) {
        g_autofree char *sub = g_strdup_printf("/cpu/%u/availability", i);

        XS_SET(dompath, sub, "%s", xensimTuneVcpuOnline(dom, i) ? "online" : "offline");
    }
    XS_SET(vmpath, "/name", "%s", dom->name);
    XS_SET(vmpath, "/uuid", "%s", dom->uuid);
    XS_SET(vmpath, "/start_time", "%.2f", g_get_real_time() / 1e6);
#undef XS_SET
}

/* Domain-0 has been up for uptime_s, running all the time. */
static XensimDomain *
xensimDomainDom0New(XensimState *state)
{
    XensimHostConfig *host = &state->host;
    XensimDomain *dom = g_new0(XensimDomain, 1);
    guint i;

    dom->domid = 0;
    dom->owner = state;
    dom->uuid = g_strdup(XENSIM_DOM0_UUID);
    dom->name = g_strdup("Domain-0");
    dom->state = XENSIM_DOMAIN_RUNNING;
    dom->type = XENSIM_DOMAIN_TYPE_PV;
    dom->max_memkb = host->dom0_memory_kib;
    dom->current_memkb = dom->max_memkb;
    dom->target_memkb = dom->max_memkb;
    dom->max_vcpus = host->dom0_vcpus;
    dom->online_vcpus = host->dom0_vcpus;
    dom->vcpu_time_ns = g_new0(guint64, dom->max_vcpus);
    for (i = 0; i < dom->max_vcpus; i++)
        dom->vcpu_time_ns[i] = host->uptime_s * G_GUINT64_CONSTANT(10000000) * host->cpu_load;
    dom->cpu_since = g_get_monotonic_time();
    dom->weight = 256;
    dom->devices = g_ptr_array_new();
    dom->userdata = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_bytes_unref);
    return dom;
}

/* The new state takes over host's contents. */
XensimState *
xensimStateNew(XensimHostConfig *host)
{
    XensimState *state = g_new0(XensimState, 1);
    XensimDomain *dom0;

    state->host = *host;
    memset(host, 0, sizeof(*host));
    state->domains = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
                                           xensimDomainFree);
    state->faults = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    state->calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    state->store = xensimStoreNew();
    state->next_domid = 1;
    state->started = g_get_monotonic_time();
    state->subscribers = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                               NULL, xensimSubscriberFree);

    xensimStoreMkdir(state->store, "/tool");
    xensimStoreWrite(state->store, "/tool/xenstored", "");
    xensimStoreMkdir(state->store, "/local/domain");
    xensimStoreMkdir(state->store, "/vm");
    xensimStoreMkdir(state->store, "/libxl");

    dom0 = xensimDomainDom0New(state);
    g_hash_table_insert(state->domains, GUINT_TO_POINTER(0), dom0);
    xensimDomainPublish(state, dom0);
    return state;
}

void
xensimStateFree(XensimState *state)
{
    if (!state)
        return;
    g_hash_table_destroy(state->domains);
    xensimIoStateDispose(state);
    g_hash_table_destroy(state->faults);
    g_hash_table_destroy(state->calls);
    g_hash_table_destroy(state->subscribers);
    g_free(state->pcpu_busy_ns);
    xensimStoreFree(state->store);
    xensimHostConfigDispose(&state->host);
    g_free(state);
}

XensimDomain *
xensimStateLookup(XensimState *state, guint32 domid)
{
    return g_hash_table_lookup(state->domains, GUINT_TO_POINTER(domid));
}

/* Memory as Xen counts it: total_pages is the RAM its heap manages (not
 * the holes), of which it keeps xen_reserved; the domains have the rest
 * but free_pages. */
static guint64
xensimStateTotalMemKB(XensimState *state)
{
    return state->host.memory_kib;
}

guint64
xensimStateFreeMemKB(XensimState *state)
{
    guint64 used = state->host.xen_reserved_kib;
    guint64 total = xensimStateTotalMemKB(state);
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value))
        used += ((XensimDomain *)value)->current_memkb;
    return used > total ? 0 : total - used;
}

static gint
xensimDomainCompare(gconstpointer a, gconstpointer b)
{
    const XensimDomain *da = *(XensimDomain *const *)a;
    const XensimDomain *db = *(XensimDomain *const *)b;

    return da->domid < db->domid ? -1 : da->domid > db->domid;
}

/* The domains sorted by domid; the caller frees the array only. */
static GPtrArray *
xensimStateDomains(XensimState *state)
{
    GPtrArray *doms = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value))
        g_ptr_array_add(doms, value);
    g_ptr_array_sort(doms, xensimDomainCompare);
    return doms;
}

/* Records ----------------------------------------------------------- */

void
xensimRecOpen(XensimRec *r, GVariantBuilder *records)
{
    r->records = records;
    g_variant_builder_init(&r->rec, G_VARIANT_TYPE("a{sv}"));
}

void
xensimRecClose(XensimRec *r)
{
    g_variant_builder_add_value(r->records, g_variant_builder_end(&r->rec));
}

/* A field built directly, without parsing a format string for each:
 * a thousand domains' records are twenty thousand fields a
 * libxl_list_domain. */
static void
xensimRecField(XensimRec *r, const char *key, GVariant *v)
{
    g_variant_builder_add_value(&r->rec,
                                g_variant_new_dict_entry(g_variant_new_string(key),
                                                         g_variant_new_variant(v)));
}

void
xensimRecU64(XensimRec *r, const char *key, guint64 v)
{
    xensimRecField(r, key, g_variant_new_uint64(v));
}

void
xensimRecStr(XensimRec *r, const char *key, const char *v)
{
    xensimRecField(r, key, g_variant_new_string(v ? v : ""));
}

void
xensimRecValue(XensimRec *r, const char *key, GVariant *v)
{
    g_variant_builder_add(&r->rec, "{sv}", key, v);
}

/* Handlers ----------------------------------------------------------- */

int
xensimArgDomid(XensimCall *call, guint i, XensimDomain **dom)
{
    guint64 domid;

    if (i >= call->nargs ||
        !g_ascii_string_to_unsigned(call->args[i], 10, 0, G_MAXUINT32, &domid, NULL)) {
        call->message = g_strdup("a domain id is expected");
        return ERROR_INVAL;
    }
    if (!(*dom = xensimStateLookup(call->state, domid))) {
        call->message = g_strdup_printf("no domain %" G_GUINT64_FORMAT, domid);
        return ERROR_DOMAIN_NOTFOUND;
    }
    return 0;
}

static int
xensimCmdNop(XensimCall *call)
{
    return 0;
}

static int
xensimCmdHello(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimRecStr(&r, "server", "xensimd");
    xensimRecClose(&r);
    return 0;
}

static void
xensimAddVersionInfo(XensimState *state, XensimRec *r)
{
    XensimHostConfig *host = &state->host;
    g_auto(GStrv) parts = g_strsplit(host->xen_version, ".", 3);
    g_autofree char *extra = NULL;

    if (parts[2])
        extra = g_strconcat(".", parts[2], NULL);
    xensimRecU64(r, "xen_version_major", g_ascii_strtoull(parts[0], NULL, 10));
    xensimRecU64(r, "xen_version_minor", g_ascii_strtoull(parts[1], NULL, 10));
    xensimRecStr(r, "xen_version_extra", extra ? extra : "");
    /* as Debian's package builds it (from a tarball: no changeset) */
    xensimRecStr(r, "compiler", "x86_64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0");
    xensimRecStr(r, "compile_by", "pkg-xen-devel");
    xensimRecStr(r, "compile_domain", "lists.alioth.debian.org");
    xensimRecStr(r, "compile_date", "Thu Jan  1 00:00:00 UTC 2026");
    xensimRecStr(r, "capabilities", host->capabilities);
    xensimRecStr(r, "changeset", "");
    xensimRecU64(r, "virt_start", 0xffff800000000000ULL);
    xensimRecU64(r, "pagesize", 4096);
    xensimRecStr(r, "commandline", host->commandline);
    xensimRecStr(r, "build_id", "0000000000000000000000000000000000000000");
}

static int
xensimCmdVersionInfo(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimAddVersionInfo(call->state, &r);
    xensimRecClose(&r);
    return 0;
}

static void
xensimAddPhysinfo(XensimState *state, XensimRec *r)
{
    XensimHostConfig *host = &state->host;
    guint nr_cpus = xensimHostCpus(host);

    xensimRecU64(r, "threads_per_core", host->threads_per_core);
    xensimRecU64(r, "cores_per_socket", host->cores_per_socket);
    xensimRecU64(r, "sockets", host->sockets);
    xensimRecU64(r, "max_cpu_id", nr_cpus - 1);
    xensimRecU64(r, "nr_cpus", nr_cpus);
    xensimRecU64(r, "cpu_khz", host->cpu_khz);
    xensimRecU64(r, "total_pages", xensimStateTotalMemKB(state) / 4);
    xensimRecU64(r, "free_pages", xensimStateFreeMemKB(state) / 4);
    xensimRecU64(r, "scrub_pages", 0);
    xensimRecU64(r, "outstanding_pages", 0);
    xensimRecU64(r, "sharing_freed_pages", 0);
    xensimRecU64(r, "sharing_used_frames", 0);
    xensimRecU64(r, "max_possible_mfn",
                 (xensimStateTotalMemKB(state) + host->memory_hole_kib) / 4 - 1);
    xensimRecU64(r, "nr_nodes", host->nodes);
    xensimRecValue(r, "hw_cap", g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32,
                                                          host->hw_cap,
                                                          XENSIM_HWCAP_WORDS,
                                                          sizeof(guint32)));
    xensimRecU64(r, "cap_hvm", host->cap_hvm);
    xensimRecU64(r, "cap_pv", host->cap_pv);
    xensimRecU64(r, "cap_hvm_directio", host->cap_hvm_directio);
    xensimRecU64(r, "cap_hap", host->cap_hap);
    xensimRecU64(r, "cap_shadow", host->cap_shadow);
    xensimRecU64(r, "cap_iommu_hap_pt_share", host->cap_iommu_hap_pt_share);
    xensimRecU64(r, "cap_vmtrace", host->cap_vmtrace);
    xensimRecU64(r, "cap_vpmu", host->cap_vpmu);
    xensimRecU64(r, "cap_gnttab_v1", host->cap_gnttab_v1);
    xensimRecU64(r, "cap_gnttab_v2", host->cap_gnttab_v2);
}

static int
xensimCmdPhysinfo(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimAddPhysinfo(call->state, &r);
    xensimRecClose(&r);
    return 0;
}

/* CPUs are numbered socket by socket, core by core, thread by thread;
 * NUMA nodes take contiguous, equal blocks of CPUs. */
static int
xensimCmdCpuTopology(XensimCall *call)
{
    XensimHostConfig *host = &call->state->host;
    guint nr_cpus = xensimHostCpus(host);
    guint i;

    for (i = 0; i < nr_cpus; i++) {
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "core", (i / host->threads_per_core) % host->cores_per_socket);
        xensimRecU64(&r, "socket", i / (host->threads_per_core * host->cores_per_socket));
        xensimRecU64(&r, "node", (guint64)i * host->nodes / nr_cpus);
        xensimRecClose(&r);
    }
    return 0;
}

/* Nodes share the RAM equally (the first ones a page more); used memory
 * is taken from node 0 on.  As Xen's, a node's size is its span (its
 * spanned pages), so node 0's includes the memory hole, which is never
 * free; the nodes' free memory adds up to physinfo's free_pages. */
static int
xensimCmdNumainfo(XensimCall *call)
{
    XensimState *state = call->state;
    guint nodes = state->host.nodes;
    guint64 pages = xensimStateTotalMemKB(state) / 4;
    guint64 used = pages - xensimStateFreeMemKB(state) / 4;
    guint i, j;

    for (i = 0; i < nodes; i++) {
        g_autofree guint32 *dists = g_new(guint32, nodes);
        guint64 ram = pages / nodes + (i < pages % nodes);
        guint64 node_used = MIN(used, ram);
        guint64 span = ram + (i == 0 ? state->host.memory_hole_kib / 4 : 0);
        XensimRec r;

        used -= node_used;
        for (j = 0; j < nodes; j++)
            dists[j] = i == j ? XENSIM_NUMA_LOCAL : XENSIM_NUMA_REMOTE;
        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "size", span * 4096);
        xensimRecU64(&r, "free", (ram - node_used) * 4096);
        xensimRecValue(&r, "dists", g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32,
                                                              dists, nodes,
                                                              sizeof(guint32)));
        xensimRecClose(&r);
    }
    return 0;
}

static int
xensimCmdFreeMemory(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "free_memkb", xensimStateFreeMemKB(call->state));
    xensimRecClose(&r);
    return 0;
}

static int
xensimCmdScheduler(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimRecStr(&r, "scheduler", call->state->host.scheduler);
    xensimRecClose(&r);
    return 0;
}

static const char *
xensimDomainStateString(XensimDomainState state)
{
    switch (state) {
    case XENSIM_DOMAIN_RUNNING:
        return "running";
    case XENSIM_DOMAIN_BLOCKED:
        return "blocked";
    case XENSIM_DOMAIN_PAUSED:
        return "paused";
    case XENSIM_DOMAIN_SHUTDOWN:
        return "shutdown";
    case XENSIM_DOMAIN_DYING:
        return "dying";
    }
    return "unknown";
}

/* Simulated CPU time, as Xen's runstate accounting: while a domain runs,
 * each of its online vCPUs uses cpu_load % of the wall time; a paused,
 * shut down or dying domain uses none.  vcpu_time_ns holds what each vCPU
 * used up to cpu_since; xensimDomainCpuAccount brings it up to now, and
 * must run before a domain's state or online vCPUs change. */
guint64
xensimDomainVcpuTime(XensimDomain *dom, guint vcpu, gint64 now)
{
    guint64 t = dom->vcpu_time_ns ? dom->vcpu_time_ns[vcpu] : 0;

    if (dom->state == XENSIM_DOMAIN_RUNNING && xensimTuneVcpuOnline(dom, vcpu) &&
        now > dom->cpu_since && dom->owner)
        t += (guint64)(now - dom->cpu_since) * 10 * dom->owner->host.cpu_load;
    return t;
}

void
xensimDomainCpuAccount(XensimDomain *dom)
{
    gint64 now = g_get_monotonic_time();
    guint i;

    if (!dom->vcpu_time_ns)
        dom->vcpu_time_ns = g_new0(guint64, dom->max_vcpus);
    for (i = 0; i < dom->max_vcpus; i++) {
        guint64 t = xensimDomainVcpuTime(dom, i, now);

        /* the CPU it ran on ran that long */
        xensimTunePcpuCharge(dom, i, t - dom->vcpu_time_ns[i]);
        dom->vcpu_time_ns[i] = t;
    }
    dom->cpu_since = now;
}

void
xensimDomainSetState(XensimDomain *dom, XensimDomainState st)
{
    xensimDomainCpuAccount(dom);
    dom->state = st;
    xensimIoDomainAccount(dom);
}

/* libxl_dominfo's cpu_time: what its vCPUs used, as Xen sums them. */
static guint64
xensimDomainCpuTime(XensimDomain *dom)
{
    gint64 now = g_get_monotonic_time();
    guint64 t = 0;
    guint i;

    for (i = 0; i < dom->max_vcpus; i++)
        t += xensimDomainVcpuTime(dom, i, now);
    return t;
}

/* A domain's numbers of libxl_dominfo, in the packed order (XENSIM_DI_*):
 * what one XEN_DOMCTL_getdomaininfo record holds. */
static void
xensimDominfoNumbers(XensimDomain *dom, guint64 *d)
{
    d[XENSIM_DI_DOMID] = dom->domid;
    d[XENSIM_DI_RUNNING] = dom->state == XENSIM_DOMAIN_RUNNING;
    d[XENSIM_DI_BLOCKED] = dom->state == XENSIM_DOMAIN_BLOCKED;
    d[XENSIM_DI_PAUSED] = dom->state == XENSIM_DOMAIN_PAUSED;
    d[XENSIM_DI_SHUTDOWN] = dom->state == XENSIM_DOMAIN_SHUTDOWN;
    d[XENSIM_DI_DYING] = dom->state == XENSIM_DOMAIN_DYING;
    d[XENSIM_DI_SHUTDOWN_REASON] = dom->shutdown_reason;
    d[XENSIM_DI_CURRENT_MEMKB] = dom->current_memkb;
    d[XENSIM_DI_MAX_MEMKB] = xensimTuneMaxKB(dom);
    d[XENSIM_DI_CPU_TIME] = xensimDomainCpuTime(dom);
    d[XENSIM_DI_VCPU_MAX_ID] = dom->max_vcpus - 1;
    d[XENSIM_DI_VCPU_ONLINE] = dom->online_vcpus;
    d[XENSIM_DI_CPUPOOL] = dom->cpupool;
    d[XENSIM_DI_GPADDR_BITS] = 52;
    d[XENSIM_DI_DOMAIN_TYPE] = dom->type;
}

/* the record's field of each packed number */
static const char *const xensimDominfoFields[XENSIM_DI_LAST] = {
    [XENSIM_DI_DOMID] = "domid",
    [XENSIM_DI_RUNNING] = "running",
    [XENSIM_DI_BLOCKED] = "blocked",
    [XENSIM_DI_PAUSED] = "paused",
    [XENSIM_DI_SHUTDOWN] = "shutdown",
    [XENSIM_DI_DYING] = "dying",
    [XENSIM_DI_SHUTDOWN_REASON] = "shutdown_reason",
    [XENSIM_DI_CURRENT_MEMKB] = "current_memkb",
    [XENSIM_DI_MAX_MEMKB] = "max_memkb",
    [XENSIM_DI_CPU_TIME] = "cpu_time",
    [XENSIM_DI_VCPU_MAX_ID] = "vcpu_max_id",
    [XENSIM_DI_VCPU_ONLINE] = "vcpu_online",
    [XENSIM_DI_CPUPOOL] = "cpupool",
    [XENSIM_DI_GPADDR_BITS] = "gpaddr_bits",
    [XENSIM_DI_DOMAIN_TYPE] = "domain_type",
};

void
xensimAddDominfo(XensimRec *r, XensimDomain *dom)
{
    guint64 d[XENSIM_DI_LAST];
    guint i;

    xensimDominfoNumbers(dom, d);
    for (i = 0; i < XENSIM_DI_LAST; i++)
        xensimRecU64(r, xensimDominfoFields[i], d[i]);
    xensimRecStr(r, "uuid", dom->uuid);
    xensimRecStr(r, "name", dom->name);
    xensimRecStr(r, "state", xensimDomainStateString(dom->state));
    xensimRecU64(r, "target_memkb", dom->target_memkb);
}

static int
xensimCmdListDomain(XensimCall *call)
{
    g_autoptr(GPtrArray) doms = xensimStateDomains(call->state);
    guint i;

    for (i = 0; i < doms->len; i++) {
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimAddDominfo(&r, g_ptr_array_index(doms, i));
        xensimRecClose(&r);
    }
    return 0;
}

/* libxl_list_domain: Xen answers it with one hypercall filling an array
 * of fixed-size records (XEN_DOMCTL_getdomaininfo), so xensim answers
 * with one record holding every domain's numbers as one array of
 * integers ("dominfo", XENSIM_DOMINFO_FIELDS a domain) and their UUIDs
 * ("uuids"), instead of a record of boxed fields per domain, which cost
 * xensimd and its client more than the driver's whole statistics call
 * at a thousand domains.  xensimctl's "list" keeps the readable form. */
static int
xensimCmdListDomainPacked(XensimCall *call)
{
    g_autoptr(GPtrArray) doms = xensimStateDomains(call->state);
    g_autofree guint64 *v = g_new0(guint64, (gsize)doms->len * XENSIM_DI_LAST);
    g_autofree const char **uuids = g_new0(const char *, doms->len + 1);
    XensimRec r;
    guint i;

    for (i = 0; i < doms->len; i++) {
        XensimDomain *dom = g_ptr_array_index(doms, i);
        guint64 *d = v + (gsize)i * XENSIM_DI_LAST;

        xensimDominfoNumbers(dom, d);
        uuids[i] = dom->uuid ? dom->uuid : "";
    }

    xensimRecOpen(&r, call->records);
    xensimRecField(&r, "dominfo",
                   g_variant_new_fixed_array(G_VARIANT_TYPE_UINT64, v,
                                             (gsize)doms->len * XENSIM_DI_LAST,
                                             sizeof(guint64)));
    xensimRecField(&r, "uuids", g_variant_new_strv(uuids, doms->len));
    xensimRecClose(&r);
    return 0;
}

static int
xensimCmdDomainInfo(XensimCall *call)
{
    XensimDomain *dom;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    xensimRecOpen(&r, call->records);
    xensimAddDominfo(&r, dom);
    xensimRecClose(&r);
    return 0;
}

/* Names ------------------------------------------------------------- */

static int
xensimCmdNameToDomid(XensimCall *call)
{
    GHashTableIter it;
    gpointer value;
    XensimRec r;

    if (call->nargs < 1) {
        call->message = g_strdup("a domain name is expected");
        return ERROR_INVAL;
    }
    g_hash_table_iter_init(&it, call->state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimDomain *dom = value;

        if (strcmp(dom->name, call->args[0]) == 0) {
            xensimRecOpen(&r, call->records);
            xensimRecU64(&r, "domid", dom->domid);
            xensimRecClose(&r);
            return 0;
        }
    }
    call->message = g_strdup_printf("no domain named '%s'", call->args[0]);
    return ERROR_DOMAIN_NOTFOUND;
}

/* CPU pools: Pool-0 (id 0) holds every CPU. ------------------------- */

static void
xensimAddPool0(XensimState *state, XensimRec *r)
{
    GHashTableIter it;
    gpointer value;
    guint n_dom = 0;

    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value))
        n_dom += ((XensimDomain *)value)->cpupool == 0;
    xensimRecU64(r, "poolid", 0);
    xensimRecStr(r, "pool_name", "Pool-0");
    xensimRecStr(r, "scheduler", state->host.scheduler);
    xensimRecU64(r, "n_dom", n_dom);
    xensimRecU64(r, "n_cpus", xensimHostCpus(&state->host));
}

static int
xensimCmdListCpupool(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimAddPool0(call->state, &r);
    xensimRecClose(&r);
    return 0;
}

static int
xensimCmdCpupoolInfo(XensimCall *call)
{
    if (call->nargs < 1 || strcmp(call->args[0], "0") != 0) {
        call->message = g_strdup_printf("no cpupool %s",
                                        call->nargs ? call->args[0] : "");
        return ERROR_INVAL;
    }
    return xensimCmdListCpupool(call);
}

/* args: domid, userid; what libxl keeps for the application per domain */
static int
xensimArgUserdata(XensimCall *call, XensimDomain **dom, const char **userid)
{
    int rc;

    if ((rc = xensimArgDomid(call, 0, dom)))
        return rc;
    if (call->nargs < 2 || !call->args[1][0] || strchr(call->args[1], '/')) {
        call->message = g_strdup("a userdata id (no '/') is expected");
        return ERROR_INVAL;
    }
    *userid = call->args[1];
    return 0;
}

/* args: domid, userid, data (base64; empty: remove) */
static int
xensimCmdUserdataStore(XensimCall *call)
{
    const char *userid;
    XensimDomain *dom;
    guchar *data;
    gsize len;
    int rc;

    if ((rc = xensimArgUserdata(call, &dom, &userid)))
        return rc;
    if (call->nargs < 3) {
        call->message = g_strdup("userdata is expected");
        return ERROR_INVAL;
    }
    data = g_base64_decode(call->args[2], &len);
    if (len == 0) {
        g_free(data);
        g_hash_table_remove(dom->userdata, userid);
        return 0;
    }
    g_hash_table_replace(dom->userdata, g_strdup(userid),
                         g_bytes_new_take(data, len));
    return 0;
}

/* A record with "data" (ay) if there is userdata, else an empty one. */
static int
xensimCmdUserdataRetrieve(XensimCall *call)
{
    const char *userid;
    XensimDomain *dom;
    GBytes *data;
    XensimRec r;
    int rc;

    if ((rc = xensimArgUserdata(call, &dom, &userid)))
        return rc;
    xensimRecOpen(&r, call->records);
    if ((data = g_hash_table_lookup(dom->userdata, userid)))
        xensimRecValue(&r, "data", g_variant_new_from_bytes(G_VARIANT_TYPE("ay"),
                                                            data, TRUE));
    xensimRecClose(&r);
    return 0;
}

static int
xensimCmdUserdataUnlink(XensimCall *call)
{
    const char *userid;
    XensimDomain *dom;
    int rc;

    if ((rc = xensimArgUserdata(call, &dom, &userid)))
        return rc;
    g_hash_table_remove(dom->userdata, userid);
    return 0;
}

/* xenstore: rc is 0 or -errno */

static int
xensimArgPath(XensimCall *call, guint i, const char **path)
{
    if (i >= call->nargs || !xensimStorePathValid(call->args[i])) {
        call->message = g_strdup("an absolute xenstore path is expected");
        return -EINVAL;
    }
    *path = call->args[i];
    return 0;
}

static int
xensimCmdXsRead(XensimCall *call)
{
    const char *path;
    const char *value;
    XensimRec r;
    int rc;

    if ((rc = xensimArgPath(call, 0, &path)))
        return rc;
    if (!(value = xensimStoreRead(call->state->store, path))) {
        call->message = g_strdup_printf("%s: no such node", path);
        return -ENOENT;
    }
    xensimRecOpen(&r, call->records);
    xensimRecStr(&r, "value", value);
    xensimRecClose(&r);
    return 0;
}

static int
xensimCmdXsWrite(XensimCall *call)
{
    const char *path;
    int rc;

    if ((rc = xensimArgPath(call, 0, &path)))
        return rc;
    if (call->nargs < 2) {
        call->message = g_strdup("a value is expected");
        return -EINVAL;
    }
    if ((rc = xensimStoreWrite(call->state->store, path, call->args[1])))
        return rc;
    xensimStoreWritten(call->state, path, call->args[1]);
    return 0;
}

static int
xensimCmdXsMkdir(XensimCall *call)
{
    const char *path;
    int rc;

    if ((rc = xensimArgPath(call, 0, &path)))
        return rc;
    return xensimStoreMkdir(call->state->store, path);
}

static int
xensimCmdXsRm(XensimCall *call)
{
    const char *path;
    int rc;

    if ((rc = xensimArgPath(call, 0, &path)))
        return rc;
    rc = xensimStoreRm(call->state->store, path);
    /* xenstored: removing a missing node whose parent exists is fine */
    return rc == -ENOENT ? 0 : rc;
}

static int
xensimCmdXsDirectory(XensimCall *call)
{
    g_auto(GStrv) names = NULL;
    const char *path;
    XensimRec r;
    int rc;

    if ((rc = xensimArgPath(call, 0, &path)))
        return rc;
    if (!(names = xensimStoreDirectory(call->state->store, path))) {
        call->message = g_strdup_printf("%s: no such node", path);
        return -ENOENT;
    }
    xensimRecOpen(&r, call->records);
    xensimRecValue(&r, "names", g_variant_new_strv((const char *const *)names, -1));
    xensimRecClose(&r);
    return 0;
}

static void
xensimLsOne(const char *path, const char *value, void *opaque)
{
    XensimRec r;

    xensimRecOpen(&r, opaque);
    xensimRecStr(&r, "path", path);
    xensimRecStr(&r, "value", value);
    xensimRecClose(&r);
}

static int
xensimCmdXsLs(XensimCall *call)
{
    const char *path = "/";
    int rc;

    if (call->nargs > 0 && (rc = xensimArgPath(call, 0, &path)))
        return rc;
    if (!xensimStoreRead(call->state->store, path)) {
        call->message = g_strdup_printf("%s: no such node", path);
        return -ENOENT;
    }
    xensimStoreWalk(call->state->store, path, xensimLsOne, call->records);
    return 0;
}

/* Control commands -------------------------------------------------- */

static int
xensimCmdHost(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimAddPhysinfo(call->state, &r);
    xensimAddVersionInfo(call->state, &r);
    xensimRecU64(&r, "free_memkb", xensimStateFreeMemKB(call->state));
    xensimRecU64(&r, "total_memkb", xensimStateTotalMemKB(call->state));
    xensimRecStr(&r, "scheduler", call->state->host.scheduler);
    xensimRecStr(&r, "xen_version", call->state->host.xen_version);
    xensimRecStr(&r, "hostname", call->state->host.hostname);
    xensimRecClose(&r);
    return 0;
}

/* args: key, value: a latency or guest default of the running host */
static int
xensimCmdHostSet(XensimCall *call)
{
    static const char *const keys[] = {
        "build_delay_ms", "build_ms_per_gib", "shutdown_delay_ms", "destroy_delay_ms",
        "console_delay_ms", "save_rate_mib_s", "suspend_timeout_ms", "balloon_delay_ms",
        "guest_ignore_shutdown",
        "guest_no_pv_drivers", "guest_build_delay", "guest_shutdown_delay", "guest_no_ack",
        "guest_keep_devices", "hotplug_delay_ms", "libxl_destroy_timeout_ms", NULL,
    };
    g_autofree char *err = NULL;

    if (call->nargs != 2 || !g_strv_contains(keys, call->args[0])) {
        call->message = g_strdup("host set KEY VALUE: KEY one of build_delay_ms, "
                                 "build_ms_per_gib, "
                                 "shutdown_delay_ms, destroy_delay_ms, "
                                 "console_delay_ms, save_rate_mib_s, suspend_timeout_ms, "
                                 "balloon_delay_ms, "
                                 "guest_ignore_shutdown, guest_no_pv_drivers, "
                                 "guest_build_delay, guest_shutdown_delay, guest_no_ack, "
                                 "guest_keep_devices, hotplug_delay_ms, "
                                 "libxl_destroy_timeout_ms");
        return ERROR_INVAL;
    }
    if (xensimHostConfigSet(&call->state->host, call->args[0], call->args[1], &err) < 0) {
        call->message = g_strdup_printf("%s: %s", call->args[0], err);
        return ERROR_INVAL;
    }
    return 0;
}

static bool xensimCommandKnown(const char *name);

/* args: entry point, rc, count (-1: every call) */
static int
xensimCmdFaultSet(XensimCall *call)
{
    XensimFault *fault;
    gint64 rc, count;

    if (call->nargs != 3 ||
        !g_ascii_string_to_signed(call->args[1], 10, G_MININT32, -1, &rc, NULL) ||
        !g_ascii_string_to_signed(call->args[2], 10, -1, G_MAXINT32, &count, NULL) ||
        count == 0) {
        call->message = g_strdup("fault-set NAME RC COUNT: RC a negative error "
                                 "code, COUNT positive or -1");
        return ERROR_INVAL;
    }
    if (!xensimCommandKnown(call->args[0]) ||
        !(g_str_has_prefix(call->args[0], "libxl_") ||
          g_str_has_prefix(call->args[0], "xs_") ||
          g_str_has_prefix(call->args[0], "xc_"))) {
        call->message = g_strdup_printf("%s: not an entry point xensimd serves",
                                        call->args[0]);
        return ERROR_INVAL;
    }
    fault = g_new0(XensimFault, 1);
    fault->rc = rc;
    fault->remaining = count;
    g_hash_table_replace(call->state->faults, g_strdup(call->args[0]), fault);
    return 0;
}

static int
xensimCmdFaultClear(XensimCall *call)
{
    if (call->nargs == 0) {
        g_hash_table_remove_all(call->state->faults);
        return 0;
    }
    if (!g_hash_table_remove(call->state->faults, call->args[0])) {
        call->message = g_strdup_printf("no fault set on %s", call->args[0]);
        return ERROR_INVAL;
    }
    return 0;
}

static int
xensimCmdFaultList(XensimCall *call)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, call->state->faults);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        XensimFault *fault = value;
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecStr(&r, "name", key);
        xensimRecValue(&r, "rc", g_variant_new_int64(fault->rc));
        xensimRecValue(&r, "remaining", g_variant_new_int64(fault->remaining));
        xensimRecClose(&r);
    }
    return 0;
}

/* The entry points called since the last calls-reset and how often: a
 * trace of the host like xentrace's, so a test learns which entry points
 * an API uses (and a fault on each can be tried). */
static int
xensimCmdCalls(XensimCall *call)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, call->state->calls);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecStr(&r, "name", key);
        xensimRecValue(&r, "count", g_variant_new_uint64(*(guint64 *)value));
        xensimRecClose(&r);
    }
    return 0;
}

static int
xensimCmdCallsReset(XensimCall *call)
{
    g_hash_table_remove_all(call->state->calls);
    return 0;
}

typedef struct {
    const char *name;
    int (*handler)(XensimCall *call);
} XensimCommand;

static const XensimCommand xensimCommands[] = {
    { "hello", xensimCmdHello },
    /* entry points checked for faults only: computed by the client */
    { "libxl_ctx_alloc", xensimCmdHello },
    { "libxl_domain_need_memory", xensimCmdNop },
    { "libxl_get_max_cpus", xensimCmdPhysinfo },
    { "libxl_get_max_nodes", xensimCmdPhysinfo },
    { "libxl_get_online_cpus", xensimCmdPhysinfo },
    /* libxl entry points (some read fields of the domain info record) */
    { "libxl_get_version_info", xensimCmdVersionInfo },
    { "libxl_get_physinfo", xensimCmdPhysinfo },
    { "libxl_get_cpu_topology", xensimCmdCpuTopology },
    { "libxl_get_numainfo", xensimCmdNumainfo },
    { "libxl_get_free_memory", xensimCmdFreeMemory },
    { "libxl_get_scheduler", xensimCmdScheduler },
    { "libxl_list_domain", xensimCmdListDomainPacked },
    { "libxl_domain_info", xensimCmdDomainInfo },
    { "libxl_list_vcpu", xensimCmdListVcpu },
    { "libxl_domain_sched_params_get", xensimCmdSchedParamsGet },
    { "libxl_set_memory_target", xensimCmdSetMemoryTarget },     /* xensimd-tune.c */
    { "libxl_get_memory_target", xensimCmdDomainInfo },
    { "libxl_domid_to_name", xensimCmdDomainInfo },
    { "libxl_name_to_domid", xensimCmdNameToDomid },
    { "libxl_list_cpupool", xensimCmdListCpupool },
    { "libxl_cpupool_info", xensimCmdCpupoolInfo },
    { "libxl_userdata_store", xensimCmdUserdataStore },
    { "libxl_userdata_retrieve", xensimCmdUserdataRetrieve },
    { "libxl_userdata_unlink", xensimCmdUserdataUnlink },
    /* domain lifecycle (xensimd-domain.c) */
    { "libxl_domain_create_new", xensimCmdCreate },
    { "libxl_domain_destroy", xensimCmdDestroy },
    { "libxl_domain_shutdown", xensimCmdShutdown },
    { "libxl_domain_reboot", xensimCmdReboot },
    { "libxl_send_trigger", xensimCmdSendTrigger },
    { "libxl_domain_pause", xensimCmdPause },
    { "libxl_domain_unpause", xensimCmdUnpause },
    { "libxl_domain_setmaxmem", xensimCmdSetMaxmem },
    { "libxl_set_vcpuonline", xensimCmdSetVcpuonline },
    { "libxl_domain_sched_params_set", xensimCmdSchedParamsSet },
    /* vCPUs, scheduling, memory (xensimd-tune.c) */
    { "libxl_set_vcpuaffinity", xensimCmdSetVcpuAffinity },
    { "libxl_domain_set_nodeaffinity", xensimCmdSetNodeAffinity },
    { "libxl_domain_get_nodeaffinity", xensimCmdGetNodeAffinity },
    { "libxl_vcpu_sched_params_get", xensimCmdVcpuSchedGet },
    { "libxl_vcpu_sched_params_set", xensimCmdVcpuSchedSet },
    { "xc_getcpuinfo", xensimCmdGetCpuinfo },
    { "libxl_domain_rename", xensimCmdRename },
    { "libxl_retrieve_domain_configuration", xensimCmdRetrieveConfig },
    { "libxl_device_disk_list", xensimCmdRetrieveConfig },
    { "libxl_device_nic_list", xensimCmdRetrieveConfig },
    { "libxl_device_channel_list", xensimCmdRetrieveConfig },
    { "libxl_device_vtpm_list", xensimCmdRetrieveConfig },
    /* host devices: xensimd-pci.c */
    { "libxl_device_pci_assignable_add", xensimCmdPciAssignableAdd },
    { "libxl_device_pci_assignable_remove", xensimCmdPciAssignableRemove },
    { "libxl_device_pci_assignable_list", xensimCmdPciAssignableList },
    { "libxl_device_pci_add", xensimCmdPciAdd },
    { "libxl_device_pci_remove", xensimCmdPciRemove },
    { "libxl_device_pci_destroy", xensimCmdPciRemove },
    { "libxl_device_pci_list", xensimCmdPciList },
    { "pci-list", xensimCmdPciHost },
    /* USB: xensimd-usb.c */
    { "libxl_device_usbctrl_add", xensimCmdUsbctrlAdd },
    { "libxl_device_usbctrl_remove", xensimCmdUsbctrlRemove },
    { "libxl_device_usbctrl_destroy", xensimCmdUsbctrlRemove },
    { "libxl_device_usbctrl_list", xensimCmdUsbctrlList },
    { "libxl_device_usbdev_add", xensimCmdUsbdevAdd },
    { "libxl_device_usbdev_remove", xensimCmdUsbdevRemove },
    { "libxl_device_usbdev_list", xensimCmdUsbdevList },
    { "usb-list", xensimCmdUsbHost },
    { "libxl_console_get_tty", xensimCmdConsoleGetTty },
    { "libxl_device_channel_getinfo", xensimCmdConsoleGetTty },
    { "libxl_domain_core_dump", xensimCmdCoreDump },
    { "libxl_domain_suspend", xensimCmdSuspend },
    { "libxl_domain_suspend_only", xensimCmdSuspend },
    { "libxl_domain_resume", xensimCmdResume },
    { "libxl_domain_create_restore", xensimCmdStreamRate },
    { "libxl_evenable_domain_death", xensimCmdDomainWatch },
    /* libxensim's own: its event connection, helpers, aborts */
    { "subscribe", xensimCmdSubscribe },
    { "domain-unwatch", xensimCmdDomainUnwatch },
    { "create-abort", xensimCmdCreateAbort },
    { "helper-start", xensimCmdHelperStart },
    { "domain-kill", xensimCmdDomainKill },
    /* xenstore entry points */
    { "xs_read", xensimCmdXsRead },
    { "xs_write", xensimCmdXsWrite },
    { "xs_mkdir", xensimCmdXsMkdir },
    { "xs_rm", xensimCmdXsRm },
    { "xs_directory", xensimCmdXsDirectory },
    /* xensimctl */
    { "host", xensimCmdHost },
    { "list", xensimCmdListDomain },
    { "xenstore-ls", xensimCmdXsLs },
    { "fault-set", xensimCmdFaultSet },
    { "fault-clear", xensimCmdFaultClear },
    { "fault-list", xensimCmdFaultList },
    { "calls", xensimCmdCalls },
    { "calls-reset", xensimCmdCallsReset },
    { "guest-set", xensimCmdGuestSet },
    { "host-set", xensimCmdHostSet },
    { "guest-event", xensimCmdGuestEvent },
    { "io-stats", xensimCmdIoStats },
    { "tune", xensimCmdTune },
    { "controls", xensimCmdControls },     /* xensimd-guest.c */
    /* device hotplug (xensimd-hotplug.c) */
    { "libxl_device_disk_add", xensimCmdDeviceAdd },
    { "libxl_device_nic_add", xensimCmdDeviceAdd },
    { "libxl_device_disk_remove", xensimCmdDeviceRemove },
    { "libxl_device_disk_safe_remove", xensimCmdDeviceRemove },
    { "libxl_device_disk_destroy", xensimCmdDeviceRemove },
    { "libxl_device_nic_remove", xensimCmdDeviceRemove },
    { "libxl_device_nic_destroy", xensimCmdDeviceRemove },
    { "libxl_cdrom_insert", xensimCmdCdromInsert },
    { "device-destroy", xensimCmdDeviceDestroy },
};

static const XensimCommand *
xensimCommandLookup(const char *name)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(xensimCommands); i++) {
        if (strcmp(xensimCommands[i].name, name) == 0)
            return &xensimCommands[i];
    }
    return NULL;
}

static bool
xensimCommandKnown(const char *name)
{
    return xensimCommandLookup(name) != NULL;
}

/* Count a call of an entry point (libxl_*, xs_*: not xensimctl's). */
static void
xensimStateCount(XensimState *state, const char *name)
{
    guint64 *count;

    if (!g_str_has_prefix(name, "libxl_") && !g_str_has_prefix(name, "xs_"))
        return;
    if (!(count = g_hash_table_lookup(state->calls, name))) {
        count = g_new0(guint64, 1);
        g_hash_table_insert(state->calls, g_strdup(name), count);
    }
    (*count)++;
}

/* An injected fault for this command: its rc, or 0. */
static int
xensimStateFault(XensimState *state, const char *name)
{
    XensimFault *fault = g_hash_table_lookup(state->faults, name);
    int rc;

    if (!fault)
        return 0;
    rc = fault->rc;
    if (fault->remaining > 0 && --fault->remaining == 0)
        g_hash_table_remove(state->faults, name);
    return rc;
}

/* Serve one request; returns the reply (a new reference). */
GVariant *
xensimStateDispatch(XensimState *state, GVariant *request, int client_fd)
{
    g_autofree const char **args = NULL;
    GVariantBuilder records;
    XensimCall call = { .state = state, .records = &records,
                        .client_fd = client_fd };
    const char *name;
    gsize nargs;
    const XensimCommand *command;
    GVariant *reply;
    int rc;

    g_variant_get(request, "(&s^a&s)", &name, &args);
    nargs = g_strv_length((char **)args);
    call.args = args;
    call.nargs = nargs;
    g_variant_builder_init(&records, G_VARIANT_TYPE("aa{sv}"));

    if (!(command = xensimCommandLookup(name))) {
        call.message = g_strdup_printf("unknown command '%s'", name);
        rc = ERROR_NOTFOUND;
    } else if (xensimStateCount(state, name),
               (rc = xensimStateFault(state, name))) {
        call.message = g_strdup_printf("fault injected on %s", name);
    } else {
        rc = command->handler(&call);
    }

    if (rc) {
        g_variant_builder_clear(&records);
        reply = xensimReplyNew(rc, call.message, NULL);
    } else {
        reply = xensimReplyNew(0, NULL, g_variant_builder_end(&records));
    }
    g_free(call.message);
    return reply;
}

void
xensimStateLog(XensimState *state, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (!state->log)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    state->log(state->log_opaque, msg);
}

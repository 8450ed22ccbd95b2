/*
 * xensimd-tune.c: the simulated domains' vCPUs, scheduling and memory
 *
 * What Xen's scheduler core, its credit/credit2/rtds schedulers and the
 * guests' balloon and CPU hotplug drivers do, as libxl 4.17 sees them:
 *
 *  - vCPU affinity (XEN_DOMCTL_{set,get}vcpuaffinity): hard and soft
 *    cpumaps per vCPU, kept as given (bits past the host's CPUs dropped);
 *    a hard map with no CPU of the host is refused (-EINVAL), a soft one
 *    may be empty.  Node affinity (XEN_DOMCTL_{set,get}nodeaffinity):
 *    automatic (the nodes of the vCPUs' soft & hard affinity, else hard)
 *    until set; setting every node makes it automatic again; no node of
 *    the host: -EINVAL.
 *  - Placement: each vCPU runs on a CPU of its soft & hard affinity (else
 *    hard), chosen by (domid + vCPU) in that set, so a pinned vCPU stays
 *    on its CPUs.  The time a vCPU runs is charged to that CPU; its idle
 *    time (XEN_SYSCTL_getcpuinfo) is the host's uptime less what it ran.
 *  - CPU hotplug: the guest follows cpu/N/availability in xenstore (as
 *    libxl_set_vcpuonline writes it) at once: the vCPU goes up or down.
 *  - Schedulers: credit and credit2 keep a weight (default 256) and a cap
 *    (default 0) per domain; rtds a period, budget and extratime flag per
 *    vCPU (10000 us, 4000 us, extratime); the domain-wide rtds getinfo
 *    answers the defaults, whatever was set, as Xen 4.17's rt_dom_cntl.
 *  - Memory: the balloon driver moves the domain's pages towards
 *    memory/target balloon_delay_ms after it changes, as far as the host's
 *    free memory and the domain's maximum allow.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libxl.h>

#include "xensim-proto.h"
#include "xensimd-state.h"

#define XENSIM_RTDS_DEFAULT_PERIOD 10000    /* us, Xen's RTDS_DEFAULT_PERIOD */
#define XENSIM_RTDS_DEFAULT_BUDGET 4000
#define XENSIM_RTDS_MIN 10                  /* RTDS_MIN_PERIOD, RTDS_MIN_BUDGET */
#define XENSIM_CREDIT_DEFAULT_WEIGHT 256
#define XENSIM_MAXMEM_CONSTANT 1024         /* libxl's LIBXL_MAXMEM_CONSTANT, KiB */
#define XENSIM_MIN_DOM0_MEM (128 * 1024)    /* libxl's LIBXL_MIN_DOM0_MEM */

/* Host CPUs and maps ------------------------------------------------- */

guint
xensimTuneCpus(XensimState *state)
{
    XensimHostConfig *host = &state->host;

    return host->sockets * host->cores_per_socket * host->threads_per_core;
}

static guint
xensimTuneMapBytes(XensimState *state)
{
    return (xensimTuneCpus(state) + 7) / 8;
}

static bool
xensimMapTest(const guint8 *map, guint bit)
{
    return map[bit / 8] & (1 << (bit % 8));
}

static void
xensimMapSet(guint8 *map, guint bit)
{
    map[bit / 8] |= 1 << (bit % 8);
}

static guint64
xensimTuneAllNodes(XensimState *state)
{
    return state->host.nodes >= 64 ? G_MAXUINT64 :
           (G_GUINT64_CONSTANT(1) << state->host.nodes) - 1;
}

static guint
xensimTuneCpuNode(XensimState *state, guint cpu)
{
    return (guint64)cpu * state->host.nodes / xensimTuneCpus(state);
}

/* Hex bytes to a map of nbytes (extra bytes ignored); false if not hex. */
static bool
xensimHexMap(const char *hex, guint8 *map, guint nbytes)
{
    guint j;

    memset(map, 0, nbytes);
    if (strlen(hex) % 2)
        return false;
    for (j = 0; hex[2 * j]; j++) {
        int hi = g_ascii_xdigit_value(hex[2 * j]);
        int lo = g_ascii_xdigit_value(hex[2 * j + 1]);

        if (hi < 0 || lo < 0)
            return false;
        if (j < nbytes)
            map[j] = hi << 4 | lo;
    }
    return true;
}

/* A CPU map argument: hex bytes, libxl_bitmap's order ("" none).  Bits
 * past the host's CPUs are dropped, as Xen's xenctl_bitmap_to_bitmap. */
static int
xensimArgCpumap(XensimCall *call, guint i, guint8 *map)
{
    guint nbytes = xensimTuneMapBytes(call->state);
    guint cpus = xensimTuneCpus(call->state);
    guint c;

    if (i >= call->nargs || !xensimHexMap(call->args[i], map, nbytes)) {
        call->message = g_strdup("a CPU map (hex bytes) is expected");
        return ERROR_INVAL;
    }
    for (c = cpus; c < nbytes * 8; c++)
        map[c / 8] &= ~(1 << (c % 8));
    return 0;
}

/* Per-domain state, made on first use ------------------------------- */

/* Every vCPU may run everywhere; the first online_vcpus are up; rtds
 * defaults; automatic node affinity. */
static void
xensimTuneEnsure(XensimDomain *dom)
{
    guint nbytes = xensimTuneMapBytes(dom->owner);
    guint cpus = xensimTuneCpus(dom->owner);
    guint i, c;

    if (dom->vcpu_up)
        return;
    dom->vcpu_up = g_new0(guint8, dom->max_vcpus);
    dom->hard_affinity = g_new0(guint8, (gsize)dom->max_vcpus * nbytes);
    dom->soft_affinity = g_new0(guint8, (gsize)dom->max_vcpus * nbytes);
    dom->rt_period = g_new0(guint, dom->max_vcpus);
    dom->rt_budget = g_new0(guint, dom->max_vcpus);
    dom->rt_extratime = g_new0(guint8, dom->max_vcpus);
    for (i = 0; i < dom->max_vcpus; i++) {
        dom->vcpu_up[i] = i < dom->online_vcpus;
        for (c = 0; c < cpus; c++) {
            xensimMapSet(dom->hard_affinity + i * nbytes, c);
            xensimMapSet(dom->soft_affinity + i * nbytes, c);
        }
        dom->rt_period[i] = XENSIM_RTDS_DEFAULT_PERIOD;
        dom->rt_budget[i] = XENSIM_RTDS_DEFAULT_BUDGET;
        dom->rt_extratime[i] = 1;
    }
    dom->auto_node_affinity = true;
    if (!dom->weight)
        dom->weight = XENSIM_CREDIT_DEFAULT_WEIGHT;
}

void
xensimTuneDomainFree(XensimDomain *dom)
{
    g_clear_pointer(&dom->vcpu_up, g_free);
    g_clear_pointer(&dom->hard_affinity, g_free);
    g_clear_pointer(&dom->soft_affinity, g_free);
    g_clear_pointer(&dom->rt_period, g_free);
    g_clear_pointer(&dom->rt_budget, g_free);
    g_clear_pointer(&dom->rt_extratime, g_free);
    if (dom->balloon_timer) {
        g_source_remove(dom->balloon_timer);
        dom->balloon_timer = 0;
    }
}

bool
xensimTuneVcpuOnline(XensimDomain *dom, guint vcpu)
{
    if (vcpu >= dom->max_vcpus)
        return false;
    if (!dom->vcpu_up)
        return vcpu < dom->online_vcpus;
    return dom->vcpu_up[vcpu];
}

/* The CPU a vCPU runs on: one of its soft & hard affinity if they meet,
 * else of its hard affinity; (domid + vcpu) picks which. */
guint
xensimTuneVcpuCpu(XensimDomain *dom, guint vcpu)
{
    guint nbytes = xensimTuneMapBytes(dom->owner);
    guint cpus = xensimTuneCpus(dom->owner);
    g_autofree guint *cand = g_new(guint, cpus);
    const guint8 *hard, *soft;
    guint n = 0, c;

    if (!dom->hard_affinity || vcpu >= dom->max_vcpus)
        return (dom->domid + vcpu) % cpus;
    hard = dom->hard_affinity + vcpu * nbytes;
    soft = dom->soft_affinity + vcpu * nbytes;
    for (c = 0; c < cpus; c++) {
        if (xensimMapTest(hard, c) && xensimMapTest(soft, c))
            cand[n++] = c;
    }
    if (n == 0) {
        for (c = 0; c < cpus; c++) {
            if (xensimMapTest(hard, c))
                cand[n++] = c;
        }
    }
    if (n == 0)
        return (dom->domid + vcpu) % cpus;
    return cand[(dom->domid + vcpu) % n];
}

/* The domain's node affinity, as Xen's domain_update_node_aff. */
static guint64
xensimTuneNodeAffinity(XensimDomain *dom)
{
    guint nbytes = xensimTuneMapBytes(dom->owner);
    guint cpus = xensimTuneCpus(dom->owner);
    guint64 hard = 0, both = 0;
    guint i, c;

    xensimTuneEnsure(dom);
    if (!dom->auto_node_affinity)
        return dom->node_affinity;
    for (i = 0; i < dom->max_vcpus; i++) {
        for (c = 0; c < cpus; c++) {
            bool h = xensimMapTest(dom->hard_affinity + i * nbytes, c);
            bool s = xensimMapTest(dom->soft_affinity + i * nbytes, c);
            guint64 node = G_GUINT64_CONSTANT(1) << xensimTuneCpuNode(dom->owner, c);

            if (h)
                hard |= node;
            if (h && s)
                both |= node;
        }
    }
    return both ? both : hard;
}

/* Physical CPU time --------------------------------------------------- */

/* What each CPU ran, charged as the vCPUs' time is accounted
 * (xensimDomainCpuAccount); made on first use with what the domains had
 * used by then. */
static void
xensimTunePcpuEnsure(XensimState *state)
{
    GHashTableIter it;
    gpointer value;
    guint i;

    if (state->pcpu_busy_ns)
        return;
    state->pcpu_busy_ns = g_new0(guint64, xensimTuneCpus(state));
    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimDomain *dom = value;

        for (i = 0; dom->vcpu_time_ns && i < dom->max_vcpus; i++)
            state->pcpu_busy_ns[xensimTuneVcpuCpu(dom, i)] += dom->vcpu_time_ns[i];
    }
}

/* vcpu used ns more since it was last accounted */
void
xensimTunePcpuCharge(XensimDomain *dom, guint vcpu, guint64 ns)
{
    XensimState *state = dom->owner;

    if (!state)
        return;
    xensimTunePcpuEnsure(state);
    state->pcpu_busy_ns[xensimTuneVcpuCpu(dom, vcpu)] += ns;
}

/* Before what decides where a domain's vCPUs run changes. */
static void
xensimTuneAccount(XensimDomain *dom)
{
    xensimTunePcpuEnsure(dom->owner);
    xensimDomainCpuAccount(dom);
}

/* XEN_SYSCTL_getcpuinfo: each CPU's idle time, ns. */
int
xensimCmdGetCpuinfo(XensimCall *call)
{
    XensimState *state = call->state;
    guint cpus = xensimTuneCpus(state);
    g_autofree guint64 *busy = NULL;
    gint64 now = g_get_monotonic_time();
    guint64 wall;
    GHashTableIter it;
    gpointer value;
    guint i;

    xensimTunePcpuEnsure(state);
    busy = g_memdup2(state->pcpu_busy_ns, cpus * sizeof(guint64));
    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimDomain *dom = value;

        for (i = 0; dom->vcpu_time_ns && i < dom->max_vcpus; i++)
            busy[xensimTuneVcpuCpu(dom, i)] +=
                xensimDomainVcpuTime(dom, i, now) - dom->vcpu_time_ns[i];
    }
    wall = state->host.uptime_s * G_GUINT64_CONSTANT(1000000000) +
           (guint64)(now - state->started) * 1000;
    for (i = 0; i < cpus; i++) {
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "idletime", wall > busy[i] ? wall - busy[i] : 0);
        xensimRecClose(&r);
    }
    return 0;
}

/* vCPUs --------------------------------------------------------------- */

/* Domain-0's vCPU 0 is running (it makes this very call); its others, idle
 * in a dom0 that waits for work, are blocked, as xl vcpu-list shows them.
 * Maps as ay of the host's CPU map size. */
int
xensimCmdListVcpu(XensimCall *call)
{
    guint nbytes = xensimTuneMapBytes(call->state);
    gint64 now = g_get_monotonic_time();
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    xensimTuneEnsure(dom);
    for (i = 0; i < dom->max_vcpus; i++) {
        bool online = xensimTuneVcpuOnline(dom, i);
        bool running = online && dom->state == XENSIM_DOMAIN_RUNNING &&
                       (dom->domid != 0 || i == 0);
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "vcpuid", i);
        xensimRecU64(&r, "cpu", xensimTuneVcpuCpu(dom, i));
        xensimRecU64(&r, "online", online);
        xensimRecU64(&r, "running", running);
        xensimRecU64(&r, "blocked", online && !running);
        xensimRecU64(&r, "vcpu_time", xensimDomainVcpuTime(dom, i, now));
        xensimRecValue(&r, "cpumap",
                       g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
                                                 dom->hard_affinity + i * nbytes,
                                                 nbytes, 1));
        xensimRecValue(&r, "cpumap_soft",
                       g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
                                                 dom->soft_affinity + i * nbytes,
                                                 nbytes, 1));
        xensimRecClose(&r);
    }
    return 0;
}

/* args: domid, vcpu, hard map ("-": keep), soft map ("-": keep), force.
 * XEN_DOMCTL_setvcpuaffinity; records: the effective maps. */
int
xensimCmdSetVcpuAffinity(XensimCall *call)
{
    guint nbytes = xensimTuneMapBytes(call->state);
    g_autofree guint8 *hard = g_new0(guint8, nbytes);
    g_autofree guint8 *soft = g_new0(guint8, nbytes);
    bool set_hard, set_soft;
    XensimDomain *dom;
    guint64 vcpu;
    guint c;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 4 ||
        !g_ascii_string_to_unsigned(call->args[1], 10, 0, G_MAXUINT32, &vcpu, NULL)) {
        call->message = g_strdup("a vCPU and two CPU maps are expected");
        return ERROR_INVAL;
    }
    set_hard = strcmp(call->args[2], "-") != 0;
    set_soft = strcmp(call->args[3], "-") != 0;
    if ((set_hard && (rc = xensimArgCpumap(call, 2, hard))) ||
        (set_soft && (rc = xensimArgCpumap(call, 3, soft))))
        return rc;
    if (vcpu >= dom->max_vcpus) {
        call->message = g_strdup_printf("Setting vcpu affinity: domain %u has no "
                                        "vCPU %" G_GUINT64_FORMAT ": Invalid argument",
                                        dom->domid, vcpu);
        return ERROR_FAIL;
    }
    if (set_hard) {
        bool any = false;

        for (c = 0; c < xensimTuneCpus(call->state); c++)
            any |= xensimMapTest(hard, c);
        if (!any) {
            call->message = g_strdup("Setting vcpu affinity: the hard affinity "
                                     "has no online CPU: Invalid argument");
            return ERROR_FAIL;
        }
    }
    xensimTuneEnsure(dom);
    xensimTuneAccount(dom);
    if (set_hard)
        memcpy(dom->hard_affinity + vcpu * nbytes, hard, nbytes);
    if (set_soft)
        memcpy(dom->soft_affinity + vcpu * nbytes, soft, nbytes);

    /* what the scheduler uses: hard; soft & hard */
    xensimRecOpen(&r, call->records);
    for (c = 0; c < nbytes; c++)
        soft[c] = dom->soft_affinity[vcpu * nbytes + c] &
                  dom->hard_affinity[vcpu * nbytes + c];
    xensimRecValue(&r, "cpumap", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
                                                           dom->hard_affinity + vcpu * nbytes,
                                                           nbytes, 1));
    xensimRecValue(&r, "cpumap_soft", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
                                                                soft, nbytes, 1));
    xensimRecClose(&r);
    return 0;
}

/* args: domid, nodemap (decimal u64) */
int
xensimCmdSetNodeAffinity(XensimCall *call)
{
    guint64 all = xensimTuneAllNodes(call->state);
    XensimDomain *dom;
    guint64 map;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 2 ||
        !g_ascii_string_to_unsigned(call->args[1], 10, 0, G_MAXUINT64, &map, NULL)) {
        call->message = g_strdup("a node map is expected");
        return ERROR_INVAL;
    }
    if (!(map & all)) {
        call->message = g_strdup("Setting node affinity: no node of the host: "
                                 "Invalid argument");
        return ERROR_FAIL;
    }
    xensimTuneEnsure(dom);
    if ((map & all) == all) {
        dom->auto_node_affinity = true;
    } else {
        dom->auto_node_affinity = false;
        dom->node_affinity = map & all;
    }
    return 0;
}

int
xensimCmdGetNodeAffinity(XensimCall *call)
{
    XensimDomain *dom;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "nodemap", xensimTuneNodeAffinity(dom));
    xensimRecClose(&r);
    return 0;
}

/* The guest's hotplug driver brings a vCPU up or down. */
static void
xensimTuneVcpuSet(XensimDomain *dom, guint vcpu, bool up)
{
    guint i, n = 0;

    xensimTuneEnsure(dom);
    if (vcpu >= dom->max_vcpus || dom->vcpu_up[vcpu] == up)
        return;
    xensimDomainCpuAccount(dom);
    dom->vcpu_up[vcpu] = up;
    for (i = 0; i < dom->max_vcpus; i++)
        n += dom->vcpu_up[i];
    dom->online_vcpus = n;
}

/* args: domid, map of the vCPUs to have online (hex bytes).  As libxl:
 * none, or more than the domain's vCPUs: ERROR_FAIL; else it writes
 * cpu/N/availability for every vCPU, which the guest follows. */
int
xensimCmdSetVcpuonline(XensimCall *call)
{
    g_autofree guint8 *map = NULL;
    XensimDomain *dom;
    guint count = 0, nbytes, i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    nbytes = call->nargs >= 2 ? strlen(call->args[1]) / 2 : 0;
    map = g_new0(guint8, MAX(nbytes, (dom->max_vcpus + 7) / 8));
    if (call->nargs < 2 || !xensimHexMap(call->args[1], map, nbytes)) {
        call->message = g_strdup("a vCPU map is expected");
        return ERROR_INVAL;
    }
    for (i = 0; i < nbytes * 8; i++)
        count += xensimMapTest(map, i);
    if (count == 0) {
        call->message = g_strdup("Requested 0 VCPUs!");
        return ERROR_FAIL;
    }
    if (count > dom->max_vcpus) {
        call->message = g_strdup_printf("Requested %u VCPUs, however maxcpus is %u!",
                                        count, dom->max_vcpus);
        return ERROR_FAIL;
    }
    for (i = 0; i < dom->max_vcpus; i++) {
        g_autofree char *path = g_strdup_printf("/local/domain/%u/cpu/%u/availability",
                                                dom->domid, i);
        const char *value = xensimMapTest(map, i) ? "online" : "offline";

        xensimStoreWrite(call->state->store, path, value);
        xensimTuneStoreWritten(call->state, path, value);
    }
    return 0;
}

static void xensimTuneBalloonKick(XensimDomain *dom);

/* A write to xenstore the guest watches: cpu/N/availability (its CPU
 * hotplug driver), memory/target (its balloon driver). */
void
xensimTuneStoreWritten(XensimState *state, const char *path, const char *value)
{
    guint domid, vcpu;
    int end = 0;
    XensimDomain *dom;
    guint64 kb;

    if (sscanf(path, "/local/domain/%u/memory/target%n", &domid, &end) == 1 &&
        path[end] == '\0' && (dom = xensimStateLookup(state, domid)) &&
        g_ascii_string_to_unsigned(value, 10, 0, G_MAXUINT64 / 2, &kb, NULL)) {
        dom->target_memkb = kb;
        xensimTuneBalloonKick(dom);
        return;
    }
    end = 0;
    if (sscanf(path, "/local/domain/%u/cpu/%u/availability%n", &domid, &vcpu,
               &end) != 2 || path[end] != '\0' ||
        !(dom = xensimStateLookup(state, domid)))
        return;
    if (strcmp(value, "online") == 0)
        xensimTuneVcpuSet(dom, vcpu, true);
    else if (strcmp(value, "offline") == 0)
        xensimTuneVcpuSet(dom, vcpu, false);
}

/* Scheduling ------------------------------------------------------------ */

int
xensimCmdSchedParamsGet(XensimCall *call)
{
    const char *sched = call->state->host.scheduler;
    XensimDomain *dom;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    xensimTuneEnsure(dom);
    xensimRecOpen(&r, call->records);
    xensimRecStr(&r, "scheduler", sched);
    if (strcmp(sched, "credit") == 0 || strcmp(sched, "credit2") == 0) {
        xensimRecU64(&r, "weight", dom->weight);
        xensimRecU64(&r, "cap", dom->cap);
    } else if (strcmp(sched, "rtds") == 0) {
        /* rt_dom_cntl's getinfo: the defaults, whatever was set */
        xensimRecU64(&r, "period", XENSIM_RTDS_DEFAULT_PERIOD);
        xensimRecU64(&r, "budget", XENSIM_RTDS_DEFAULT_BUDGET);
    }
    xensimRecClose(&r);
    return 0;
}

static bool
xensimArgInts(XensimCall *call, guint first, guint n, gint64 *out)
{
    guint i;

    if (call->nargs < first + n)
        return false;
    for (i = 0; i < n; i++) {
        if (!g_ascii_string_to_signed(call->args[first + i], 10, G_MININT32,
                                      G_MAXINT32, &out[i], NULL))
            return false;
    }
    return true;
}

/* libxl's sched_rtds_validate_params */
static int
xensimRtdsValidate(XensimCall *call, gint64 period, gint64 budget)
{
    if (period < 1)
        call->message = g_strdup_printf("Invalid VCPU period of %" G_GINT64_FORMAT
                                        " (it should be >= 1)", period);
    else if (budget < 1)
        call->message = g_strdup_printf("Invalid VCPU budget of %" G_GINT64_FORMAT
                                        " (it should be >= 1)", budget);
    else if (budget > period)
        call->message = g_strdup_printf("VCPU budget must be smaller than or equal "
                                        "to period, but %" G_GINT64_FORMAT " > %"
                                        G_GINT64_FORMAT, budget, period);
    else
        return 0;
    return ERROR_INVAL;
}

/* libxl_domain_sched_params_set for domain dom on the host's scheduler
 * (or sched, if named: another is ERROR_INVAL as Xen's -EINVAL is not
 * reached, libxl's switch is); p: weight, cap, period, budget (-1:
 * keep).  Also used at create for b_info.sched_params. */
int
xensimTuneSchedSet(XensimCall *call, XensimDomain *dom, const char *sched,
                   const gint64 *p)
{
    const char *host = call->state->host.scheduler;
    guint i;

    xensimTuneEnsure(dom);
    if (!sched || !*sched)
        sched = host;
    if (strcmp(sched, "sedf") == 0) {
        call->message = g_strdup("SEDF scheduler no longer available");
        return ERROR_FEATURE_REMOVED;
    }
    if (strcmp(sched, "arinc653") == 0 || strcmp(sched, "null") == 0)
        return 0;   /* libxl has nothing to set: no hypercall */
    if (strcmp(sched, host) != 0) {
        /* libxl asks the hypervisor for the other scheduler's parameters:
         * the domain's scheduler is not that one */
        call->message = g_strdup_printf("Getting domain sched %s: Invalid argument",
                                        sched);
        return ERROR_FAIL;
    }
    if (strcmp(sched, "credit") == 0 || strcmp(sched, "credit2") == 0) {
        if (p[0] != LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT && (p[0] < 1 || p[0] > 65535)) {
            call->message = g_strdup("Cpu weight out of range, valid values are "
                                     "within range from 1 to 65535");
            return ERROR_INVAL;
        }
        if (p[1] != LIBXL_DOMAIN_SCHED_PARAM_CAP_DEFAULT &&
            (p[1] < 0 || p[1] > (gint64)dom->max_vcpus * 100)) {
            call->message = g_strdup_printf("Cpu cap out of range, valid range is "
                                            "from 0 to %u for specified number of vcpus",
                                            dom->max_vcpus * 100);
            return ERROR_INVAL;
        }
        if (p[0] != LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT)
            dom->weight = p[0];
        if (p[1] != LIBXL_DOMAIN_SCHED_PARAM_CAP_DEFAULT)
            dom->cap = p[1];
        return 0;
    }
    if (strcmp(sched, "rtds") == 0) {
        /* libxl starts from getinfo's answer: the defaults */
        gint64 period = p[2] != LIBXL_DOMAIN_SCHED_PARAM_PERIOD_DEFAULT ?
                        p[2] : XENSIM_RTDS_DEFAULT_PERIOD;
        gint64 budget = p[3] != LIBXL_DOMAIN_SCHED_PARAM_BUDGET_DEFAULT ?
                        p[3] : XENSIM_RTDS_DEFAULT_BUDGET;
        int rc;

        if ((rc = xensimRtdsValidate(call, period, budget)))
            return rc;
        /* putinfo sets every vCPU's period and budget, not extratime */
        for (i = 0; i < dom->max_vcpus; i++) {
            dom->rt_period[i] = period;
            dom->rt_budget[i] = budget;
        }
        return 0;
    }
    /* arinc653, null: nothing per domain */
    return 0;
}

/* args: domid, scheduler name ("": the domain's), weight, cap, period,
 * budget */
int
xensimCmdSchedParamsSet(XensimCall *call)
{
    XensimDomain *dom;
    gint64 p[4];
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 2 || !xensimArgInts(call, 2, 4, p)) {
        call->message = g_strdup("scheduler, weight, cap, period and budget are expected");
        return ERROR_INVAL;
    }
    return xensimTuneSchedSet(call, dom, call->args[1], p);
}

/* Per-vCPU parameters: rtds only, as libxl's switch. */
static int
xensimTuneVcpuSched(XensimCall *call, const char *sched, const char *what)
{
    if (!*sched)
        sched = call->state->host.scheduler;
    if (strcmp(sched, "sedf") == 0) {
        call->message = g_strdup("SEDF scheduler is no longer available");
        return ERROR_FEATURE_REMOVED;
    }
    if (strcmp(sched, "rtds") != 0) {
        call->message = g_strdup_printf("per-VCPU parameter %s not supported for "
                                        "this scheduler", what);
        return ERROR_INVAL;
    }
    return 0;
}

/* args: domid, vcpuid... ("all": every vCPU).  Records per vCPU. */
int
xensimCmdVcpuSchedGet(XensimCall *call)
{
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if ((rc = xensimTuneVcpuSched(call, "", "getting")))
        return rc;
    xensimTuneEnsure(dom);
    if (call->nargs < 2) {
        call->message = g_strdup("vCPUs are expected");
        return ERROR_INVAL;
    }
    if (strcmp(call->args[1], "all") != 0) {
        for (i = 1; i < call->nargs; i++) {
            gint64 v;

            if (!g_ascii_string_to_signed(call->args[i], 10, G_MININT32, G_MAXINT32,
                                          &v, NULL) ||
                v < 0 || v >= dom->max_vcpus) {
                call->message = g_strdup_printf("VCPU index is out of range, valid "
                                                "values are within range from 0 to %u",
                                                dom->max_vcpus - 1);
                return ERROR_INVAL;
            }
        }
    }
    for (i = 0; i < (strcmp(call->args[1], "all") == 0 ? dom->max_vcpus
                                                         : call->nargs - 1); i++) {
        guint v = strcmp(call->args[1], "all") == 0 ? i
                  : (guint)g_ascii_strtoull(call->args[i + 1], NULL, 10);
        XensimRec r;

        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "vcpuid", v);
        xensimRecU64(&r, "period", dom->rt_period[v]);
        xensimRecU64(&r, "budget", dom->rt_budget[v]);
        xensimRecU64(&r, "extratime", dom->rt_extratime[v]);
        xensimRecClose(&r);
    }
    return 0;
}

/* args: domid, scheduler ("": the domain's), then vcpuid period budget
 * extratime per vCPU; vcpuid "all" (one quadruple): every vCPU. */
int
xensimCmdVcpuSchedSet(XensimCall *call)
{
    XensimDomain *dom;
    bool all;
    guint n, i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 2 || (call->nargs - 2) % 4) {
        call->message = g_strdup("vCPU parameters are expected");
        return ERROR_INVAL;
    }
    if ((rc = xensimTuneVcpuSched(call, call->args[1], "setting")))
        return rc;
    xensimTuneEnsure(dom);
    n = (call->nargs - 2) / 4;
    all = n > 0 && strcmp(call->args[2], "all") == 0;
    if (n == 0 || (all && n != 1)) {
        call->message = g_strdup("vCPU parameters are expected");
        return ERROR_INVAL;
    }
    /* libxl's checks, then the hypervisor's */
    for (i = 0; i < n; i++) {
        gint64 v = 0, p[3];

        if ((!all && !g_ascii_string_to_signed(call->args[2 + 4 * i], 10, G_MININT32,
                                               G_MAXINT32, &v, NULL)) ||
            !xensimArgInts(call, 3 + 4 * i, 3, p)) {
            call->message = g_strdup("vCPU parameters are expected");
            return ERROR_INVAL;
        }
        if (!all && (v < 0 || v >= dom->max_vcpus)) {
            call->message = g_strdup_printf("Invalid VCPU %" G_GINT64_FORMAT ": valid "
                                            "range is [0, %u]", v, dom->max_vcpus - 1);
            return ERROR_INVAL;
        }
        if ((rc = xensimRtdsValidate(call, p[0], p[1])))
            return rc;
        if (p[0] < XENSIM_RTDS_MIN || p[1] < XENSIM_RTDS_MIN) {
            call->message = g_strdup("Setting vcpu sched rtds: Invalid argument");
            return ERROR_FAIL;
        }
    }
    /* the hypercall for rtds on a domain another scheduler runs */
    if (strcmp(call->state->host.scheduler, "rtds") != 0) {
        call->message = g_strdup("Setting vcpu sched rtds: Invalid argument");
        return ERROR_FAIL;
    }
    for (i = 0; i < n; i++) {
        gint64 p[3];
        guint v, first, last;

        xensimArgInts(call, 3 + 4 * i, 3, p);
        if (all) {
            first = 0;
            last = dom->max_vcpus;
        } else {
            first = g_ascii_strtoull(call->args[2 + 4 * i], NULL, 10);
            last = first + 1;
        }
        for (v = first; v < last; v++) {
            dom->rt_period[v] = p[0];
            dom->rt_budget[v] = p[1];
            dom->rt_extratime[v] = p[2] != 0;
        }
    }
    return 0;
}

/* Memory ------------------------------------------------------------ */

/* The pages the guest's balloon driver aims at: memory/target, its video
 * RAM, and what an HVM guest's firmware takes. */
guint64
xensimTuneGoalKB(XensimDomain *dom)
{
    return dom->target_memkb + dom->video_memkb +
           (dom->type == XENSIM_DOMAIN_TYPE_HVM ? XENSIM_HVM_EXTRA_MEMKB : 0);
}

/* libxl_dominfo's max_memkb: the hypervisor's limit on the domain's pages */
guint64
xensimTuneMaxKB(XensimDomain *dom)
{
    return dom->hv_max_memkb ? dom->hv_max_memkb : dom->max_memkb;
}

/* libxl__get_targetmem_fudge: memory/target is the build info's target
 * less the video RAM (and, for HVM guests that can balloon up, the
 * constant libxl adds). */
static guint64
xensimTuneFudgeKB(XensimDomain *dom, guint64 b_target, guint64 b_max)
{
    return dom->video_memkb +
           (dom->type == XENSIM_DOMAIN_TYPE_HVM && b_max > b_target ?
            XENSIM_MAXMEM_CONSTANT : 0);
}

/* The build info's target_memkb, as libxl_retrieve_domain_configuration
 * gives it back: memory/target and the fudge of the stored build info. */
guint64
xensimTuneConfigTargetKB(XensimDomain *dom)
{
    return dom->target_memkb + dom->fudge_kb;
}

/* The balloon driver: a running guest with PV drivers gives back or takes
 * the pages between what it has and its goal, as far as the domain's
 * limit and the host's free memory go; a paused one later. */
static gboolean
xensimTuneBalloon(gpointer opaque)
{
    XensimDomain *dom = opaque;
    XensimState *state = dom->owner;
    guint64 goal = MIN(xensimTuneGoalKB(dom), xensimTuneMaxKB(dom));
    guint64 free_kb = xensimStateFreeMemKB(state);

    dom->balloon_timer = 0;
    if (dom->state == XENSIM_DOMAIN_SHUTDOWN || dom->state == XENSIM_DOMAIN_DYING ||
        (dom->type == XENSIM_DOMAIN_TYPE_HVM && !dom->pv_drivers) || dom->building)
        return G_SOURCE_REMOVE;
    if (dom->state == XENSIM_DOMAIN_PAUSED) {
        dom->balloon_timer = g_timeout_add(MAX(state->host.balloon_delay_ms, 10),
                                           xensimTuneBalloon, dom);
        return G_SOURCE_REMOVE;
    }
    if (goal > dom->current_memkb)
        goal = dom->current_memkb + MIN(goal - dom->current_memkb, free_kb);
    if (goal != dom->current_memkb)
        xensimStateLog(state, "domain %u (%s): balloon %" G_GUINT64_FORMAT " -> %"
                       G_GUINT64_FORMAT " KiB", dom->domid, dom->name,
                       dom->current_memkb, goal);
    dom->current_memkb = goal;
    return G_SOURCE_REMOVE;
}

static void
xensimTuneBalloonKick(XensimDomain *dom)
{
    if (dom->balloon_timer)
        g_source_remove(dom->balloon_timer);
    dom->balloon_timer = g_timeout_add(dom->owner->host.balloon_delay_ms,
                                       xensimTuneBalloon, dom);
}

/* args: domid, target (KiB, signed), relative (0/1), enforce (0/1).
 * As libxl_set_memory_target: relative to memory/target (not below 0),
 * or absolute less the video RAM; above memory/static-max, or Domain-0
 * under 128 MiB: ERROR_INVAL; enforce: the hypervisor's limit becomes
 * the new target (with video RAM and libxl's constant).  Writes
 * memory/target and /vm/UUID/memory; the guest follows later. */
int
xensimCmdSetMemoryTarget(XensimCall *call)
{
    XensimState *state = call->state;
    g_autofree char *path = NULL;
    g_autofree char *value = NULL;
    XensimDomain *dom;
    gint64 target;
    gint64 newkb;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 4 ||
        !g_ascii_string_to_signed(call->args[1], 10, G_MININT64, G_MAXINT64,
                                  &target, NULL)) {
        call->message = g_strdup("a memory target is expected");
        return ERROR_INVAL;
    }
    if (strcmp(call->args[2], "1") == 0) {
        if (target < 0 && (guint64)-target > dom->target_memkb)
            newkb = 0;
        else
            newkb = (gint64)dom->target_memkb + target;
    } else {
        newkb = target - (gint64)dom->video_memkb;
    }
    if (newkb < 0 || (guint64)newkb > dom->max_memkb) {
        call->message = g_strdup("memory_dynamic_max must be less than or equal to "
                                 "memory_static_max");
        return ERROR_INVAL;
    }
    if (dom->domid == 0 && newkb < XENSIM_MIN_DOM0_MEM) {
        call->message = g_strdup_printf("New target %" G_GINT64_FORMAT " for dom0 is "
                                        "below the minimum threshold", newkb);
        return ERROR_INVAL;
    }
    if (strcmp(call->args[3], "1") == 0)
        dom->hv_max_memkb = newkb + dom->video_memkb + XENSIM_MAXMEM_CONSTANT;
    dom->target_memkb = newkb;
    xensimDomainPublish(state, dom);
    path = g_strdup_printf("/vm/%s/memory", dom->uuid);
    value = g_strdup_printf("%" G_GINT64_FORMAT, newkb / 1024);
    xensimStoreWrite(state->store, path, value);
    xensimTuneBalloonKick(dom);
    return 0;
}

/* args: domid, max_memkb.  As libxl_domain_setmaxmem: below memory/target
 * it returns 1 (libxl's rc starts at 1 there), else the hypervisor's
 * limit and memory/static-max change. */
int
xensimCmdSetMaxmem(XensimCall *call)
{
    XensimDomain *dom;
    guint64 kb;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 2 ||
        !g_ascii_string_to_unsigned(call->args[1], 10, 0, G_MAXUINT64 / 2, &kb, NULL)) {
        call->message = g_strdup("a memory size in KiB is expected");
        return ERROR_INVAL;
    }
    if (kb < dom->target_memkb) {
        call->message = g_strdup_printf("memory_static_max must be greater than "
                                        "or or equal to memory_dynamic_max "
                                        "(%" G_GUINT64_FORMAT " < %" G_GUINT64_FORMAT ")",
                                        kb, dom->target_memkb);
        return 1;
    }
    dom->max_memkb = kb;
    dom->hv_max_memkb = kb + XENSIM_MAXMEM_CONSTANT;
    xensimDomainPublish(call->state, dom);
    return 0;
}

/* xensimctl tune ------------------------------------------------------ */

static char *
xensimTuneMapString(XensimState *state, const guint8 *map)
{
    GString *s = g_string_new(NULL);
    guint c;

    for (c = 0; c < xensimTuneCpus(state); c++) {
        if (xensimMapTest(map, c))
            g_string_append_printf(s, "%s%u", s->len ? "," : "", c);
    }
    return g_string_free(s, FALSE);
}

/* args: domid.  A record of the domain's scheduling and memory, then one
 * per vCPU. */
int
xensimCmdTune(XensimCall *call)
{
    XensimState *state = call->state;
    guint nbytes = xensimTuneMapBytes(state);
    gint64 now = g_get_monotonic_time();
    g_autofree char *nodes = NULL;
    GString *n = g_string_new(NULL);
    guint64 nodemap;
    XensimDomain *dom;
    XensimRec r;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom))) {
        g_string_free(n, TRUE);
        return rc;
    }
    xensimTuneEnsure(dom);
    nodemap = xensimTuneNodeAffinity(dom);
    for (i = 0; i < 64; i++) {
        if (nodemap & (G_GUINT64_CONSTANT(1) << i))
            g_string_append_printf(n, "%s%u", n->len ? "," : "", i);
    }
    nodes = g_string_free(n, FALSE);
    xensimRecOpen(&r, call->records);
    xensimRecStr(&r, "scheduler", state->host.scheduler);
    xensimRecU64(&r, "weight", dom->weight);
    xensimRecU64(&r, "cap", dom->cap);
    xensimRecStr(&r, "node_affinity", nodes);
    xensimRecStr(&r, "node_affinity_auto", dom->auto_node_affinity ? "yes" : "no");
    xensimRecU64(&r, "target_memkb", dom->target_memkb);
    xensimRecU64(&r, "current_memkb", dom->current_memkb);
    xensimRecU64(&r, "static_max_memkb", dom->max_memkb);
    xensimRecU64(&r, "max_memkb", xensimTuneMaxKB(dom));
    xensimRecU64(&r, "video_memkb", dom->video_memkb);
    xensimRecClose(&r);
    for (i = 0; i < dom->max_vcpus; i++) {
        g_autofree char *hard = xensimTuneMapString(state, dom->hard_affinity + i * nbytes);
        g_autofree char *soft = xensimTuneMapString(state, dom->soft_affinity + i * nbytes);

        xensimRecOpen(&r, call->records);
        xensimRecU64(&r, "vcpu", i);
        xensimRecU64(&r, "cpu", xensimTuneVcpuCpu(dom, i));
        xensimRecStr(&r, "online", xensimTuneVcpuOnline(dom, i) ? "yes" : "no");
        xensimRecU64(&r, "time_ns", xensimDomainVcpuTime(dom, i, now));
        xensimRecStr(&r, "hard", hard);
        xensimRecStr(&r, "soft", soft);
        xensimRecU64(&r, "rtds_period", dom->rt_period[i]);
        xensimRecU64(&r, "rtds_budget", dom->rt_budget[i]);
        xensimRecU64(&r, "rtds_extratime", dom->rt_extratime[i]);
        xensimRecClose(&r);
    }
    return 0;
}

/* Create ------------------------------------------------------------ */

/* Each node's free memory, KiB, as libxl_get_numainfo reports it (the
 * domains' memory taken from node 0 on: xensimd-state.c). */
static guint64
xensimTuneNodeFreeKB(XensimState *state, guint node)
{
    guint nodes = state->host.nodes;
    guint64 pages = state->host.memory_kib / 4;
    guint64 used = pages - xensimStateFreeMemKB(state) / 4;
    guint i;

    for (i = 0; i < nodes; i++) {
        guint64 ram = pages / nodes + (i < pages % nodes);
        guint64 node_used = MIN(used, ram);

        if (i == node)
            return (ram - node_used) * 4;
        used -= node_used;
    }
    return 0;
}

/*
 * libxl's automatic NUMA placement (numa_place_domain, libxl_numa.c), for
 * a domain without soft affinity or node map of its own: the smallest
 * sets of nodes (of those with CPUs its vCPU 0's hard affinity allows)
 * with enough free memory and CPUs for its vCPUs; of them, the one with
 * the fewest vCPUs that may run there, then the most free memory.  Its
 * vCPUs' soft affinity becomes those nodes' CPUs, and its node affinity
 * those nodes.  Nothing on a host of one node (or more than 16).
 */
static void
xensimTuneNumaPlace(XensimState *state, XensimDomain *dom, guint64 need_kb)
{
    guint nbytes = xensimTuneMapBytes(state);
    guint cpus = xensimTuneCpus(state);
    guint nodes = state->host.nodes;
    g_autofree guint *vcpus_on_node = g_new0(guint, nodes);
    guint64 suitable_nodes = 0, best = 0, best_free = 0;
    guint best_vcpus = 0, size, min_nodes, nr_suit, c, i;
    const guint8 *suitable = dom->hard_affinity;
    GHashTableIter it;
    gpointer value;

    if (nodes <= 1 || nodes > 16)
        return;
    for (c = 0; c < cpus; c++) {
        if (xensimMapTest(suitable, c))
            suitable_nodes |= G_GUINT64_CONSTANT(1) << xensimTuneCpuNode(state, c);
    }
    /* the vCPUs that may run on each node (soft & hard, else hard) */
    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimDomain *d = value;

        xensimTuneEnsure(d);
        for (i = 0; i < d->max_vcpus; i++) {
            guint64 both = 0, hard = 0, counted;
            guint n;

            for (c = 0; c < cpus; c++) {
                guint64 bit = G_GUINT64_CONSTANT(1) << xensimTuneCpuNode(state, c);

                if (!xensimMapTest(suitable, c) ||
                    !xensimMapTest(d->hard_affinity + i * nbytes, c))
                    continue;
                hard |= bit;
                if (xensimMapTest(d->soft_affinity + i * nbytes, c))
                    both |= bit;
            }
            counted = both ? both : hard;
            for (n = 0; n < nodes; n++)
                vcpus_on_node[n] += (counted >> n) & 1;
        }
    }
    nr_suit = __builtin_popcountll(suitable_nodes);
    min_nodes = (dom->max_vcpus + cpus / nodes - 1) / MAX(cpus / nodes, 1);
    min_nodes = MAX(MIN(min_nodes, nr_suit), 1);
    for (size = min_nodes; size <= nr_suit && !best; size++) {
        guint64 set;

        for (set = 1; set < (G_GUINT64_CONSTANT(1) << nodes); set++) {
            guint64 free_kb = 0;
            guint set_cpus = 0, set_vcpus = 0, n;

            if ((set & ~suitable_nodes) || (guint)__builtin_popcountll(set) != size)
                continue;
            for (n = 0; n < nodes; n++) {
                if (set & (G_GUINT64_CONSTANT(1) << n)) {
                    free_kb += xensimTuneNodeFreeKB(state, n);
                    set_vcpus += vcpus_on_node[n];
                }
            }
            for (c = 0; c < cpus; c++) {
                if (xensimMapTest(suitable, c) &&
                    (set >> xensimTuneCpuNode(state, c)) & 1)
                    set_cpus++;
            }
            if (free_kb < need_kb || set_cpus < dom->max_vcpus)
                continue;
            if (!best || set_vcpus < best_vcpus ||
                (set_vcpus == best_vcpus && free_kb > best_free)) {
                best = set;
                best_vcpus = set_vcpus;
                best_free = free_kb;
            }
        }
    }
    if (!best)
        return;
    for (i = 0; i < dom->max_vcpus; i++) {
        guint8 *soft = dom->soft_affinity + i * nbytes;

        memset(soft, 0, nbytes);
        for (c = 0; c < cpus; c++) {
            if ((best >> xensimTuneCpuNode(state, c)) & 1)
                xensimMapSet(soft, c);
        }
    }
    if (best != xensimTuneAllNodes(state)) {
        dom->auto_node_affinity = false;
        dom->node_affinity = best;
    }
    xensimStateLog(state, "domain %u (%s): NUMA placement: nodes 0x%" G_GINT64_MODIFIER
                   "x", dom->domid, dom->name, best);
}

/* What libxl__build_pre does with the build info's vCPU settings, for a
 * new domain (args as xensimCmdCreate's): node affinity, each vCPU's hard
 * and soft affinity ("vcpu_hard=N HEX", "vcpu_soft=N HEX", "nodemap=U64"),
 * the scheduler parameters ("sched=NAME W C P B"). */
int
xensimTuneCreate(XensimCall *call, XensimDomain *dom)
{
    guint nbytes = xensimTuneMapBytes(call->state);
    guint i;
    int rc;

    xensimTuneEnsure(dom);
    /* memory: libxl__build_pre's setmaxmem, the build's xenstore */
    if (dom->domid != 0) {
        guint64 b_target = dom->target_memkb;
        guint64 fudge;
        g_autofree char *path = g_strdup_printf("/local/domain/%u/memory/videoram",
                                                dom->domid);
        g_autofree char *value = NULL;

        for (i = 0; i < call->nargs; i++) {
            if (g_str_has_prefix(call->args[i], "video_memkb="))
                dom->video_memkb = g_ascii_strtoull(call->args[i] + strlen("video_memkb="),
                                                    NULL, 10);
        }
        fudge = xensimTuneFudgeKB(dom, b_target, dom->max_memkb);
        dom->fudge_kb = fudge;
        dom->target_memkb = b_target > fudge ? b_target - fudge : 0;
        dom->hv_max_memkb = b_target + XENSIM_MAXMEM_CONSTANT;
        value = g_strdup_printf("%" G_GUINT64_FORMAT, dom->video_memkb);
        xensimStoreWrite(call->state->store, path, value);
    }
    for (i = 0; i < call->nargs; i++) {
        const char *arg = call->args[i];
        g_auto(GStrv) f = NULL;

        if (g_str_has_prefix(arg, "nodemap=")) {
            guint64 map = g_ascii_strtoull(arg + strlen("nodemap="), NULL, 10);

            /* none of the host's nodes: libxl only logs the failure */
            if ((map & xensimTuneAllNodes(call->state)) == 0)
                continue;
            if ((map & xensimTuneAllNodes(call->state)) != xensimTuneAllNodes(call->state)) {
                dom->auto_node_affinity = false;
                dom->node_affinity = map & xensimTuneAllNodes(call->state);
            }
            continue;
        }
        if (g_str_has_prefix(arg, "vcpu_hard=") || g_str_has_prefix(arg, "vcpu_soft=")) {
            bool hard = g_str_has_prefix(arg, "vcpu_hard=");
            g_autofree guint8 *map = g_new0(guint8, nbytes);
            const char *sub[] = { NULL, NULL };
            XensimCall c = *call;
            guint64 v;
            guint j;
            bool any = false;

            f = g_strsplit(arg + strlen("vcpu_hard="), " ", 2);
            if (!f[0] || !f[1] ||
                !g_ascii_string_to_unsigned(f[0], 10, 0, G_MAXUINT32, &v, NULL)) {
                call->message = g_strdup_printf("bad argument '%s'", arg);
                return ERROR_INVAL;
            }
            sub[0] = f[1];
            c.args = sub;
            c.nargs = 1;
            c.message = NULL;
            if ((rc = xensimArgCpumap(&c, 0, map))) {
                call->message = c.message;
                return rc;
            }
            for (j = 0; j < xensimTuneCpus(call->state); j++)
                any |= xensimMapTest(map, j);
            if (v >= dom->max_vcpus || (hard && !any)) {
                call->message = g_strdup_printf("setting affinity failed on vcpu `%"
                                                G_GUINT64_FORMAT "'", v);
                return ERROR_FAIL;
            }
            memcpy((hard ? dom->hard_affinity : dom->soft_affinity) + v * nbytes,
                   map, nbytes);
            continue;
        }
        if (g_str_has_prefix(arg, "sched=")) {
            gint64 p[4];
            XensimCall c = *call;

            f = g_strsplit(arg + strlen("sched="), " ", 5);
            c.args = (const char *const *)f;
            c.nargs = g_strv_length(f);
            c.message = NULL;
            if (!xensimArgInts(&c, 1, 4, p)) {
                call->message = g_strdup_printf("bad argument '%s'", arg);
                return ERROR_INVAL;
            }
            if ((rc = xensimTuneSchedSet(&c, dom, f[0], p))) {
                call->message = c.message;
                return rc;
            }
        }
    }
    /* libxl__build_pre: placement before the affinities are set, as if it
     * had run first (it only changes soft affinity and the node map) */
    for (i = 0; i < call->nargs; i++) {
        if (strcmp(call->args[i], "numa_placement=1") == 0)
            xensimTuneNumaPlace(call->state, dom, xensimTuneGoalKB(dom));
    }
    return 0;
}

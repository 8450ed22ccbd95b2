/*
 * libxensim-libxl.c: the libxl entry points xensim implements
 *
 * Each one asks xensimd (command = entry point name, so faults injected
 * for a name hit it) and fills libxl's types; memory handed to the
 * caller is malloc'd so that real libxenlight's dispose and list_free
 * functions release it.  The list of what is implemented here is
 * entry-points.txt: keep them in step.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC visibility push(default)
#include <libxl.h>
#include <libxl_utils.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "libxensim-libxl.h"
#include "xensim-proto.h"

/* What HVM guests need beyond their memory (firmware, ACPI...): KiB. */
#define XENSIM_HVM_EXTRA_MEMKB 2048


void
xensimCtxLog(libxl_ctx *ctx, xentoollog_level level, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (ctx && ctx->lg)
        xtl_log(ctx->lg, level, -1, "libxl", "%s", msg);
}

/* What a libxl entry point xensim does not implement yet does: fail
 * loudly, also in the application's log. */
void
xensimLibxlUnimplemented(libxl_ctx *ctx, const char *func)
{
    xensimClientUnimplemented(func);
    xensimCtxLog(ctx, XTL_ERROR, "%s: not implemented by xensim", func);
    errno = ENOSYS;
}

/* Ask xensimd; errors are logged through the application's logger. */
int
xensimCall(libxl_ctx *ctx, const char *func, const char *const *args,
           GVariant **records)
{
    g_autofree char *message = NULL;
    int rc = xensimConnCall(ctx->conn, func, args, records, &message);

    if (rc)
        xensimCtxLog(ctx, XTL_ERROR, "%s: %s (%s)", func,
                     message ? message : "failed", libxl_error_to_string(rc));
    return rc;
}

/* The only record of a reply. */
GVariant *
xensimRecord(GVariant *records)
{
    if (!records || g_variant_n_children(records) < 1)
        return NULL;
    return g_variant_get_child_value(records, 0);
}

static void
xensimRecordU32Array(GVariant *rec, const char *key, uint32_t *out, size_t n)
{
    g_autoptr(GVariant) v = g_variant_lookup_value(rec, key, G_VARIANT_TYPE("au"));
    const guint32 *words;
    gsize len = 0;

    memset(out, 0, n * sizeof(*out));
    if (!v)
        return;
    words = g_variant_get_fixed_array(v, &len, sizeof(guint32));
    memcpy(out, words, MIN(len, n) * sizeof(*out));
}

/* Context ----------------------------------------------------------- */

int
libxl_ctx_alloc(libxl_ctx **pctx, int version, unsigned flags,
                xentoollog_logger *lg)
{
    libxl_ctx *ctx;
    int rc;

    *pctx = NULL;
    if (version != LIBXL_VERSION)
        return ERROR_VERSION;

    ctx = g_new0(libxl_ctx, 1);
    ctx->lg = lg;
    ctx->nogc_gc.alloc_maxsize = -1;
    ctx->nogc_gc.owner = ctx;
    g_mutex_init(&ctx->lock);
    g_rec_mutex_init(&ctx->ev_lock);
    if (!(ctx->conn = xensimConnOpen())) {
        xensimCtxLog(ctx, XTL_ERROR, "cannot connect to the simulated Xen host "
                     "(XENSIM_DIR=%s)", xensimClientDir() ? xensimClientDir() : "");
        rc = ERROR_FAIL;
        goto out_free;
    }
    if ((rc = xensimCall(ctx, "libxl_ctx_alloc", NULL, NULL)))
        goto out_free;
    if ((rc = xensimEvInit(ctx)))
        goto out_free;

    *pctx = ctx;
    return 0;

 out_free:
    libxl_ctx_free(ctx);
    return rc;
}

int
libxl_ctx_free(libxl_ctx *ctx)
{
    if (!ctx)
        return 0;
    xensimEvDispose(ctx);
    xensimConnClose(ctx->conn);
    if (ctx->version_info) {
        libxl_version_info_dispose(ctx->version_info);
        free(ctx->version_info);
    }
    g_mutex_clear(&ctx->lock);
    g_rec_mutex_clear(&ctx->ev_lock);
    g_free(ctx);
    return 0;
}

/* Host -------------------------------------------------------------- */

const libxl_version_info *
libxl_get_version_info(libxl_ctx *ctx)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    libxl_version_info *info;

    g_mutex_lock(&ctx->lock);
    if ((info = ctx->version_info))
        goto out;
    if (xensimCall(ctx, "libxl_get_version_info", NULL, &records) ||
        !(rec = xensimRecord(records)))
        goto out;

    info = calloc(1, sizeof(*info));
    libxl_version_info_init(info);
    info->xen_version_major = xensimRecordU64(rec, "xen_version_major", 0);
    info->xen_version_minor = xensimRecordU64(rec, "xen_version_minor", 0);
    info->xen_version_extra = xensimRecordStr(rec, "xen_version_extra");
    info->compiler = xensimRecordStr(rec, "compiler");
    info->compile_by = xensimRecordStr(rec, "compile_by");
    info->compile_domain = xensimRecordStr(rec, "compile_domain");
    info->compile_date = xensimRecordStr(rec, "compile_date");
    info->capabilities = xensimRecordStr(rec, "capabilities");
    info->changeset = xensimRecordStr(rec, "changeset");
    info->virt_start = xensimRecordU64(rec, "virt_start", 0);
    info->pagesize = xensimRecordU64(rec, "pagesize", 4096);
    info->commandline = xensimRecordStr(rec, "commandline");
    info->build_id = xensimRecordStr(rec, "build_id");
    ctx->version_info = info;

 out:
    g_mutex_unlock(&ctx->lock);
    return info;
}

static void
xensimFillPhysinfo(GVariant *rec, libxl_physinfo *physinfo)
{
    physinfo->threads_per_core = xensimRecordU64(rec, "threads_per_core", 1);
    physinfo->cores_per_socket = xensimRecordU64(rec, "cores_per_socket", 1);
    physinfo->max_cpu_id = xensimRecordU64(rec, "max_cpu_id", 0);
    physinfo->nr_cpus = xensimRecordU64(rec, "nr_cpus", 1);
    physinfo->cpu_khz = xensimRecordU64(rec, "cpu_khz", 0);
    physinfo->total_pages = xensimRecordU64(rec, "total_pages", 0);
    physinfo->free_pages = xensimRecordU64(rec, "free_pages", 0);
    physinfo->scrub_pages = xensimRecordU64(rec, "scrub_pages", 0);
    physinfo->outstanding_pages = xensimRecordU64(rec, "outstanding_pages", 0);
    physinfo->sharing_freed_pages = xensimRecordU64(rec, "sharing_freed_pages", 0);
    physinfo->sharing_used_frames = xensimRecordU64(rec, "sharing_used_frames", 0);
    physinfo->max_possible_mfn = xensimRecordU64(rec, "max_possible_mfn", 0);
    physinfo->nr_nodes = xensimRecordU64(rec, "nr_nodes", 1);
    xensimRecordU32Array(rec, "hw_cap", physinfo->hw_cap,
                         G_N_ELEMENTS(physinfo->hw_cap));
    physinfo->cap_hvm = xensimRecordU64(rec, "cap_hvm", 0);
    physinfo->cap_pv = xensimRecordU64(rec, "cap_pv", 0);
    physinfo->cap_hvm_directio = xensimRecordU64(rec, "cap_hvm_directio", 0);
    physinfo->cap_hap = xensimRecordU64(rec, "cap_hap", 0);
    physinfo->cap_shadow = xensimRecordU64(rec, "cap_shadow", 0);
    physinfo->cap_iommu_hap_pt_share = xensimRecordU64(rec, "cap_iommu_hap_pt_share", 0);
    physinfo->cap_vmtrace = xensimRecordU64(rec, "cap_vmtrace", 0);
    physinfo->cap_vpmu = xensimRecordU64(rec, "cap_vpmu", 0);
    physinfo->cap_gnttab_v1 = xensimRecordU64(rec, "cap_gnttab_v1", 0);
    physinfo->cap_gnttab_v2 = xensimRecordU64(rec, "cap_gnttab_v2", 0);
}

int
libxl_get_physinfo(libxl_ctx *ctx, libxl_physinfo *physinfo)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    int rc;

    if ((rc = xensimCall(ctx, "libxl_get_physinfo", NULL, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    xensimFillPhysinfo(rec, physinfo);
    return 0;
}

/* A field of the physinfo record, read under the entry point's name. */
static int
xensimPhysinfoField(libxl_ctx *ctx, const char *func, const char *key)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    int rc;

    if ((rc = xensimCall(ctx, func, NULL, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    return xensimRecordU64(rec, key, 0);
}

int
libxl_get_max_cpus(libxl_ctx *ctx)
{
    int rc = xensimPhysinfoField(ctx, "libxl_get_max_cpus", "max_cpu_id");

    return rc < 0 ? rc : rc + 1;
}

int
libxl_get_online_cpus(libxl_ctx *ctx)
{
    return xensimPhysinfoField(ctx, "libxl_get_online_cpus", "nr_cpus");
}

int
libxl_get_max_nodes(libxl_ctx *ctx)
{
    return xensimPhysinfoField(ctx, "libxl_get_max_nodes", "nr_nodes");
}

libxl_cputopology *
libxl_get_cpu_topology(libxl_ctx *ctx, int *nb_cpu_out)
{
    g_autoptr(GVariant) records = NULL;
    libxl_cputopology *topo;
    size_t i, n;

    *nb_cpu_out = 0;
    if (xensimCall(ctx, "libxl_get_cpu_topology", NULL, &records))
        return NULL;
    if (!(n = g_variant_n_children(records)))
        return NULL;
    topo = calloc(n, sizeof(*topo));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        libxl_cputopology_init(&topo[i]);
        topo[i].core = xensimRecordU64(rec, "core", LIBXL_CPUTOPOLOGY_INVALID_ENTRY);
        topo[i].socket = xensimRecordU64(rec, "socket", LIBXL_CPUTOPOLOGY_INVALID_ENTRY);
        topo[i].node = xensimRecordU64(rec, "node", LIBXL_CPUTOPOLOGY_INVALID_ENTRY);
    }
    *nb_cpu_out = n;
    return topo;
}

libxl_numainfo *
libxl_get_numainfo(libxl_ctx *ctx, int *nr)
{
    g_autoptr(GVariant) records = NULL;
    libxl_numainfo *info;
    size_t i, n;

    *nr = 0;
    if (xensimCall(ctx, "libxl_get_numainfo", NULL, &records))
        return NULL;
    if (!(n = g_variant_n_children(records)))
        return NULL;
    info = calloc(n, sizeof(*info));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        libxl_numainfo_init(&info[i]);
        info[i].size = xensimRecordU64(rec, "size", 0);
        info[i].free = xensimRecordU64(rec, "free", 0);
        info[i].num_dists = n;
        info[i].dists = calloc(n, sizeof(*info[i].dists));
        xensimRecordU32Array(rec, "dists", info[i].dists, n);
    }
    *nr = n;
    return info;
}

int
libxl_get_free_memory(libxl_ctx *ctx, uint64_t *memkb)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    int rc;

    if ((rc = xensimCall(ctx, "libxl_get_free_memory", NULL, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    *memkb = xensimRecordU64(rec, "free_memkb", 0);
    return 0;
}

/* A libxl_scheduler value, or a libxl error code. */
int
libxl_get_scheduler(libxl_ctx *ctx)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *name = NULL;
    libxl_scheduler sched;
    int rc;

    if ((rc = xensimCall(ctx, "libxl_get_scheduler", NULL, &records)))
        return rc;
    if (!(rec = xensimRecord(records)) ||
        !(name = xensimRecordStr(rec, "scheduler")) ||
        libxl_scheduler_from_string(name, &sched) < 0)
        return ERROR_FAIL;
    return sched;
}

/* Domains ----------------------------------------------------------- */

static int
xensimParseUuid(libxl_ctx *ctx, const char *text, libxl_uuid *uuid)
{
    if (!text || libxl_uuid_from_string(uuid, text) < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "xensimd sent a bad uuid '%s'",
                     text ? text : "");
        return ERROR_FAIL;
    }
    return 0;
}

/* One domain's libxl_dominfo from the packed reply's numbers @v and its
 * @uuid (see xensimCmdListDomainPacked). */
static int
xensimFillDominfoPacked(libxl_ctx *ctx,
                        const guint64 *v,
                        const char *uuid,
                        libxl_dominfo *info)
{
    libxl_dominfo_init(info);
    info->domid = v[XENSIM_DI_DOMID];
    info->running = v[XENSIM_DI_RUNNING];
    info->blocked = v[XENSIM_DI_BLOCKED];
    info->paused = v[XENSIM_DI_PAUSED];
    info->shutdown = v[XENSIM_DI_SHUTDOWN];
    info->dying = v[XENSIM_DI_DYING];
    info->shutdown_reason = info->shutdown ?
        (libxl_shutdown_reason)v[XENSIM_DI_SHUTDOWN_REASON] :
        LIBXL_SHUTDOWN_REASON_UNKNOWN;
    info->current_memkb = v[XENSIM_DI_CURRENT_MEMKB];
    info->max_memkb = v[XENSIM_DI_MAX_MEMKB];
    info->cpu_time = v[XENSIM_DI_CPU_TIME];
    info->vcpu_max_id = v[XENSIM_DI_VCPU_MAX_ID];
    info->vcpu_online = v[XENSIM_DI_VCPU_ONLINE];
    info->cpupool = v[XENSIM_DI_CPUPOOL];
    info->gpaddr_bits = v[XENSIM_DI_GPADDR_BITS];
    info->domain_type = v[XENSIM_DI_DOMAIN_TYPE];
    return xensimParseUuid(ctx, uuid, &info->uuid);
}

/* A domain's libxl_dominfo from its record (libxl_domain_info's reply):
 * its fields read into the packed reply's order, then as that. */
static int
xensimFillDominfo(libxl_ctx *ctx, GVariant *rec, libxl_dominfo *info)
{
    guint64 v[XENSIM_DI_LAST] = {
        [XENSIM_DI_DOMID] = INVALID_DOMID,
        [XENSIM_DI_DOMAIN_TYPE] = LIBXL_DOMAIN_TYPE_INVALID,
    };
    g_autofree char *uuid = NULL;
    /* one pass over the record */
    XensimField fields[] = {
        { "domid", &v[XENSIM_DI_DOMID], NULL },
        { "uuid", NULL, &uuid },
        { "running", &v[XENSIM_DI_RUNNING], NULL },
        { "blocked", &v[XENSIM_DI_BLOCKED], NULL },
        { "paused", &v[XENSIM_DI_PAUSED], NULL },
        { "shutdown", &v[XENSIM_DI_SHUTDOWN], NULL },
        { "dying", &v[XENSIM_DI_DYING], NULL },
        { "shutdown_reason", &v[XENSIM_DI_SHUTDOWN_REASON], NULL },
        { "current_memkb", &v[XENSIM_DI_CURRENT_MEMKB], NULL },
        { "max_memkb", &v[XENSIM_DI_MAX_MEMKB], NULL },
        { "cpu_time", &v[XENSIM_DI_CPU_TIME], NULL },
        { "vcpu_max_id", &v[XENSIM_DI_VCPU_MAX_ID], NULL },
        { "vcpu_online", &v[XENSIM_DI_VCPU_ONLINE], NULL },
        { "cpupool", &v[XENSIM_DI_CPUPOOL], NULL },
        { "gpaddr_bits", &v[XENSIM_DI_GPADDR_BITS], NULL },
        { "domain_type", &v[XENSIM_DI_DOMAIN_TYPE], NULL },
    };

    xensimRecordFields(rec, fields, G_N_ELEMENTS(fields));
    return xensimFillDominfoPacked(ctx, v, uuid, info);
}

libxl_dominfo *
libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autoptr(GVariant) nums = NULL;
    g_autofree const char **uuids = NULL;
    const guint64 *v;
    libxl_dominfo *info;
    gsize nv = 0, nuuids = 0;
    size_t i, n;

    *nb_domain_out = 0;
    if (xensimCall(ctx, "libxl_list_domain", NULL, &records))
        return NULL;
    if (!(rec = xensimRecord(records)) ||
        !(nums = g_variant_lookup_value(rec, "dominfo", G_VARIANT_TYPE("at"))) ||
        !g_variant_lookup(rec, "uuids", "^a&s", &uuids)) {
        xensimCtxLog(ctx, XTL_ERROR, "libxl_list_domain: malformed reply");
        return NULL;
    }
    v = g_variant_get_fixed_array(nums, &nv, sizeof(guint64));
    n = nv / XENSIM_DI_LAST;
    nuuids = g_strv_length((char **)uuids);
    if (nv % XENSIM_DI_LAST || nuuids != n) {
        xensimCtxLog(ctx, XTL_ERROR, "libxl_list_domain: malformed reply");
        return NULL;
    }
    info = calloc(n ? n : 1, sizeof(*info));
    for (i = 0; i < n; i++) {
        if (xensimFillDominfoPacked(ctx, v + i * XENSIM_DI_LAST, uuids[i],
                                    &info[i]) < 0) {
            libxl_dominfo_list_free(info, i + 1);
            return NULL;
        }
    }
    *nb_domain_out = n;
    return info;
}

void
xensimDomidArg(char *buf, size_t len, uint32_t domid)
{
    g_snprintf(buf, len, "%u", domid);
}

int
libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info_r, uint32_t domid)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    libxl_dominfo info;
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    if ((rc = xensimCall(ctx, "libxl_domain_info", args, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    if ((rc = xensimFillDominfo(ctx, rec, &info))) {
        libxl_dominfo_dispose(&info);
        return rc;
    }
    if (info_r)
        *info_r = info;
    else
        libxl_dominfo_dispose(&info);
    return 0;
}

static int
xensimBitmapAllSet(libxl_bitmap *map, int nr_bits)
{
    int i;

    libxl_bitmap_init(map);
    map->size = (nr_bits + 7) / 8;
    if (!(map->map = calloc(map->size ? map->size : 1, 1)))
        return ERROR_NOMEM;
    for (i = 0; i < nr_bits; i++)
        map->map[i / 8] |= 1 << (i % 8);
    return 0;
}

/* A libxl_bitmap as xensimd takes it: its bytes in hex. */
char *
xensimBitmapHex(const libxl_bitmap *map)
{
    GString *hex = g_string_new(NULL);
    uint32_t i;

    for (i = 0; map && map->map && i < map->size; i++)
        g_string_append_printf(hex, "%02x", map->map[i]);
    return g_string_free(hex, FALSE);
}

/* A map of nr_bits from a record's byte array (missing: all set). */
static int
xensimBitmapFromRecord(GVariant *rec, const char *key, libxl_bitmap *map,
                       int nr_bits)
{
    g_autoptr(GVariant) v = g_variant_lookup_value(rec, key, G_VARIANT_TYPE("ay"));
    const guint8 *bytes;
    gsize len = 0;
    int rc;

    if ((rc = xensimBitmapAllSet(map, nr_bits)) || !v)
        return rc;
    bytes = g_variant_get_fixed_array(v, &len, 1);
    memset(map->map, 0, map->size);
    memcpy(map->map, bytes, MIN(len, map->size));
    return 0;
}

/* Each vCPU's state, time, CPU and affinity (XEN_DOMCTL_getvcpuinfo and
 * getvcpuaffinity): maps of libxl_get_max_cpus bits, as libxl's. */
libxl_vcpuinfo *
libxl_list_vcpu(libxl_ctx *ctx, uint32_t domid, int *nb_vcpu, int *nr_cpus_out)
{
    g_autoptr(GVariant) records = NULL;
    libxl_vcpuinfo *info;
    char id[16];
    const char *args[] = { id, NULL };
    int nr_cpus;
    size_t i, n;

    *nb_vcpu = 0;
    *nr_cpus_out = 0;
    if ((nr_cpus = libxl_get_max_cpus(ctx)) < 0)
        return NULL;
    xensimDomidArg(id, sizeof(id), domid);
    if (xensimCall(ctx, "libxl_list_vcpu", args, &records))
        return NULL;
    if (!(n = g_variant_n_children(records)))
        return NULL;
    info = calloc(n, sizeof(*info));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        libxl_vcpuinfo_init(&info[i]);
        info[i].vcpuid = xensimRecordU64(rec, "vcpuid", i);
        info[i].cpu = xensimRecordU64(rec, "cpu", 0);
        info[i].online = xensimRecordU64(rec, "online", 0);
        info[i].blocked = xensimRecordU64(rec, "blocked", 0);
        info[i].running = xensimRecordU64(rec, "running", 0);
        info[i].vcpu_time = xensimRecordU64(rec, "vcpu_time", 0);
        if (xensimBitmapFromRecord(rec, "cpumap", &info[i].cpumap, nr_cpus) < 0 ||
            xensimBitmapFromRecord(rec, "cpumap_soft", &info[i].cpumap_soft, nr_cpus) < 0) {
            libxl_vcpuinfo_list_free(info, i + 1);
            return NULL;
        }
    }
    *nb_vcpu = n;
    *nr_cpus_out = nr_cpus;
    return info;
}

/* libxl__set_vcpuaffinity: NULL maps and no flags: ERROR_INVAL; the
 * hypervisor's refusal (no such domain or vCPU, a hard map without any
 * of the host's CPUs): ERROR_FAIL. */
static int
xensimSetVcpuAffinity(libxl_ctx *ctx, uint32_t domid, uint32_t vcpuid,
                      const libxl_bitmap *cpumap_hard,
                      const libxl_bitmap *cpumap_soft, bool force)
{
    g_autofree char *hard = cpumap_hard ? xensimBitmapHex(cpumap_hard) : g_strdup("-");
    g_autofree char *soft = cpumap_soft ? xensimBitmapHex(cpumap_soft) : g_strdup("-");
    char id[16], vcpu[16];
    const char *args[] = { id, vcpu, hard, soft, force ? "1" : "0", NULL };

    if (!cpumap_hard && !cpumap_soft && !force)
        return ERROR_INVAL;
    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(vcpu, sizeof(vcpu), "%u", vcpuid);
    /* whatever the hypercall's failure (no such domain too) */
    return xensimCall(ctx, "libxl_set_vcpuaffinity", args, NULL) ? ERROR_FAIL : 0;
}

int
libxl_set_vcpuaffinity(libxl_ctx *ctx, uint32_t domid, uint32_t vcpuid,
                       const libxl_bitmap *cpumap_hard,
                       const libxl_bitmap *cpumap_soft)
{
    return xensimSetVcpuAffinity(ctx, domid, vcpuid, cpumap_hard, cpumap_soft, false);
}

int
libxl_set_vcpuaffinity_force(libxl_ctx *ctx, uint32_t domid, uint32_t vcpuid,
                             const libxl_bitmap *cpumap_hard,
                             const libxl_bitmap *cpumap_soft)
{
    return xensimSetVcpuAffinity(ctx, domid, vcpuid, cpumap_hard, cpumap_soft, true);
}

/* Every vCPU below max_vcpus; any failure: ERROR_FAIL, the others set. */
int
libxl_set_vcpuaffinity_all(libxl_ctx *ctx, uint32_t domid, unsigned int max_vcpus,
                           const libxl_bitmap *cpumap_hard,
                           const libxl_bitmap *cpumap_soft)
{
    unsigned int i;
    int rc = 0;

    for (i = 0; i < max_vcpus; i++) {
        if (libxl_set_vcpuaffinity(ctx, domid, i, cpumap_hard, cpumap_soft)) {
            xensimCtxLog(ctx, XTL_WARN, "Failed to set affinity for %u", i);
            rc = ERROR_FAIL;
        }
    }
    return rc;
}

/* Node maps go as a number: xensim has at most 64 nodes. */
int
libxl_domain_set_nodeaffinity(libxl_ctx *ctx, uint32_t domid, libxl_bitmap *nodemap)
{
    char id[16], map[32];
    const char *args[] = { id, map, NULL };
    guint64 bits = 0;
    uint32_t i;

    for (i = 0; i < nodemap->size && i < 8; i++)
        bits |= (guint64)nodemap->map[i] << (8 * i);
    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(map, sizeof(map), "%" G_GUINT64_FORMAT, bits);
    return xensimCall(ctx, "libxl_domain_set_nodeaffinity", args, NULL) ? ERROR_FAIL : 0;
}

/* Into the caller's map (libxl_node_bitmap_alloc'd), as far as it goes. */
int
libxl_domain_get_nodeaffinity(libxl_ctx *ctx, uint32_t domid, libxl_bitmap *nodemap)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    guint64 bits;
    uint32_t i;

    xensimDomidArg(id, sizeof(id), domid);
    if (xensimCall(ctx, "libxl_domain_get_nodeaffinity", args, &records) ||
        !(rec = xensimRecord(records)))
        return ERROR_FAIL;
    bits = xensimRecordU64(rec, "nodemap", 0);
    for (i = 0; i < nodemap->size; i++)
        nodemap->map[i] = i < 8 ? (bits >> (8 * i)) & 0xff : 0;
    return 0;
}

/* A domain libxl cannot find the cpupool of has an unknown scheduler:
 * "Unknown scheduler", ERROR_INVAL. */
static int
xensimSchedRc(int rc)
{
    return rc == ERROR_DOMAIN_NOTFOUND ? ERROR_INVAL : rc;
}

int
libxl_domain_sched_params_get(libxl_ctx *ctx, uint32_t domid,
                              libxl_domain_sched_params *params)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *name = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    libxl_scheduler sched;
    int rc;

    libxl_domain_sched_params_init(params);
    xensimDomidArg(id, sizeof(id), domid);
    if ((rc = xensimCall(ctx, "libxl_domain_sched_params_get", args, &records)))
        return xensimSchedRc(rc);
    if (!(rec = xensimRecord(records)) ||
        !(name = xensimRecordStr(rec, "scheduler")) ||
        libxl_scheduler_from_string(name, &sched) < 0)
        return ERROR_FAIL;

    params->sched = sched;
    switch (sched) {
    case LIBXL_SCHEDULER_CREDIT:
    case LIBXL_SCHEDULER_CREDIT2:
        params->weight = xensimRecordU64(rec, "weight", 256);
        params->cap = xensimRecordU64(rec, "cap", 0);
        break;
    case LIBXL_SCHEDULER_RTDS:
        /* extratime is left at its default, as libxl's sched_rtds_domain_get */
        params->period = xensimRecordU64(rec, "period", 10000);
        params->budget = xensimRecordU64(rec, "budget", 4000);
        break;
    case LIBXL_SCHEDULER_NULL:
        break;
    case LIBXL_SCHEDULER_ARINC653:
    case LIBXL_SCHEDULER_UNKNOWN:
    case LIBXL_SCHEDULER_SEDF:
        xensimCtxLog(ctx, XTL_ERROR, "Unknown scheduler");
        return ERROR_INVAL;
    }
    return 0;
}

static const char *
xensimSchedName(libxl_scheduler sched)
{
    const char *name;

    if (sched == LIBXL_SCHEDULER_UNKNOWN || !(name = libxl_scheduler_to_string(sched)))
        return "";
    return name;
}

int
libxl_domain_sched_params_set(libxl_ctx *ctx, uint32_t domid,
                              const libxl_domain_sched_params *params)
{
    char id[16], weight[16], cap[16], period[16], budget[16];
    const char *args[] = { id, xensimSchedName(params->sched), weight, cap,
                           period, budget, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(weight, sizeof(weight), "%d", params->weight);
    g_snprintf(cap, sizeof(cap), "%d", params->cap);
    g_snprintf(period, sizeof(period), "%d", params->period);
    g_snprintf(budget, sizeof(budget), "%d", params->budget);
    return xensimSchedRc(xensimCall(ctx, "libxl_domain_sched_params_set", args, NULL));
}

/* Per-vCPU parameters (rtds): the vCPUs named in params->vcpus, or (all)
 * every vCPU of the domain, allocated here. */
static int
xensimVcpuSchedGet(libxl_ctx *ctx, uint32_t domid, libxl_vcpu_sched_params *params,
                   bool all)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    size_t i, n;
    int rc;

    g_ptr_array_add(args, g_strdup_printf("%u", domid));
    if (all) {
        g_ptr_array_add(args, g_strdup(params->num_vcpus > 0 ? "-1" : "all"));
    } else {
        for (i = 0; params->num_vcpus > 0 && i < (size_t)params->num_vcpus; i++)
            g_ptr_array_add(args, g_strdup_printf("%d", params->vcpus[i].vcpuid));
    }
    g_ptr_array_add(args, NULL);
    params->sched = LIBXL_SCHEDULER_UNKNOWN;
    if ((rc = xensimCall(ctx, "libxl_vcpu_sched_params_get",
                         (const char *const *)args->pdata, &records)))
        return xensimSchedRc(rc);
    n = g_variant_n_children(records);
    if (all) {
        params->num_vcpus = n;
        params->vcpus = calloc(n ? n : 1, sizeof(*params->vcpus));
    }
    params->sched = LIBXL_SCHEDULER_RTDS;
    for (i = 0; i < n && i < (size_t)params->num_vcpus; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        params->vcpus[i].vcpuid = xensimRecordU64(rec, "vcpuid", i);
        params->vcpus[i].period = xensimRecordU64(rec, "period", 0);
        params->vcpus[i].budget = xensimRecordU64(rec, "budget", 0);
        params->vcpus[i].extratime = xensimRecordU64(rec, "extratime", 0);
    }
    return 0;
}

int
libxl_vcpu_sched_params_get(libxl_ctx *ctx, uint32_t domid,
                            libxl_vcpu_sched_params *params)
{
    return xensimVcpuSchedGet(ctx, domid, params, false);
}

int
libxl_vcpu_sched_params_get_all(libxl_ctx *ctx, uint32_t domid,
                                libxl_vcpu_sched_params *params)
{
    return xensimVcpuSchedGet(ctx, domid, params, true);
}

/* params->vcpus (all: its only element, for every vCPU) */
static int
xensimVcpuSchedSet(libxl_ctx *ctx, uint32_t domid,
                   const libxl_vcpu_sched_params *params, bool all)
{
    g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
    int i;

    g_ptr_array_add(args, g_strdup_printf("%u", domid));
    g_ptr_array_add(args, g_strdup(xensimSchedName(params->sched)));
    if (all && params->num_vcpus != 1) {
        /* libxl: exactly one set of parameters, else ERROR_INVAL */
        g_ptr_array_add(args, g_strdup("none"));
    } else {
        for (i = 0; i < params->num_vcpus; i++) {
            const libxl_sched_params *v = &params->vcpus[i];

            g_ptr_array_add(args, all ? g_strdup("all") : g_strdup_printf("%d", v->vcpuid));
            g_ptr_array_add(args, g_strdup_printf("%d", v->period));
            g_ptr_array_add(args, g_strdup_printf("%d", v->budget));
            g_ptr_array_add(args, g_strdup_printf("%d", v->extratime ? 1 : 0));
        }
    }
    g_ptr_array_add(args, NULL);
    return xensimSchedRc(xensimCall(ctx, "libxl_vcpu_sched_params_set",
                                    (const char *const *)args->pdata, NULL));
}

int
libxl_vcpu_sched_params_set(libxl_ctx *ctx, uint32_t domid,
                            const libxl_vcpu_sched_params *params)
{
    return xensimVcpuSchedSet(ctx, domid, params, false);
}

int
libxl_vcpu_sched_params_set_all(libxl_ctx *ctx, uint32_t domid,
                                const libxl_vcpu_sched_params *params)
{
    return xensimVcpuSchedSet(ctx, domid, params, true);
}

/* Memory ------------------------------------------------------------ */

/* 1 MiB per vCPU, and 2 pages per MiB of guest memory (P2M and shadow
 * of the guest's page tables); the result in KiB. */
unsigned long
libxl_get_required_shadow_memory(unsigned long maxmem_kb, unsigned int smp_cpus)
{
    unsigned long pages = 256UL * smp_cpus + 2 * (maxmem_kb / 1024);

    return pages * 4;
}

/* What a domain built from config takes from the host: its memory, its
 * video RAM, its shadow/HAP pool and (HVM) the firmware's extra pages.
 * The build info's defaults are filled in, as libxl does. */
int
libxl_domain_need_memory(libxl_ctx *ctx, libxl_domain_config *config,
                         uint32_t domid_for_logging, uint64_t *need_memkb)
{
    libxl_domain_build_info *b_info = &config->b_info;
    uint64_t need;
    int vcpus;
    int rc;

    if ((rc = xensimCall(ctx, "libxl_domain_need_memory", NULL, NULL)))
        return rc;

    if (b_info->max_memkb == LIBXL_MEMKB_DEFAULT)
        b_info->max_memkb = 1024 * 1024;
    if (b_info->target_memkb == LIBXL_MEMKB_DEFAULT)
        b_info->target_memkb = b_info->max_memkb;
    vcpus = b_info->max_vcpus > 0 ? b_info->max_vcpus : 1;

    need = b_info->target_memkb;
    switch (b_info->type) {
    case LIBXL_DOMAIN_TYPE_HVM:
        if (b_info->video_memkb == LIBXL_MEMKB_DEFAULT)
            b_info->video_memkb = 8 * 1024;
        need += b_info->video_memkb + XENSIM_HVM_EXTRA_MEMKB;
        G_GNUC_FALLTHROUGH;
    case LIBXL_DOMAIN_TYPE_PVH:
        if (b_info->shadow_memkb == LIBXL_MEMKB_DEFAULT)
            b_info->shadow_memkb =
                libxl_get_required_shadow_memory(b_info->max_memkb, vcpus);
        need += b_info->shadow_memkb;
        break;
    case LIBXL_DOMAIN_TYPE_PV:
        if (b_info->shadow_memkb == LIBXL_MEMKB_DEFAULT)
            b_info->shadow_memkb = 0;
        need += b_info->shadow_memkb;
        break;
    case LIBXL_DOMAIN_TYPE_INVALID:
        xensimCtxLog(ctx, XTL_ERROR, "libxl_domain_need_memory: domain %u: "
                     "no domain type", domid_for_logging);
        return ERROR_INVAL;
    }
    *need_memkb = need;
    return 0;
}

int
libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid, int64_t target_memkb,
                        int relative, int enforce)
{
    char id[16], target[32];
    const char *args[] = { id, target, relative ? "1" : "0",
                           enforce ? "1" : "0", NULL };

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(target, sizeof(target), "%" G_GINT64_FORMAT, (gint64)target_memkb);
    return xensimCall(ctx, "libxl_set_memory_target", args, NULL);
}

int
libxl_get_memory_target(libxl_ctx *ctx, uint32_t domid, uint64_t *out_target)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    if ((rc = xensimCall(ctx, "libxl_get_memory_target", args, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    *out_target = xensimRecordU64(rec, "target_memkb", 0);
    return 0;
}

/* As libxl's: every 2 s, the domain's pages against memory/target;
 * ERROR_FAIL if they grew, or if they did not come down to it in time
 * (wait_secs counts only the checks that saw no progress). */
int
libxl_wait_for_memory_target(libxl_ctx *ctx, uint32_t domid, int wait_secs)
{
    uint64_t target = 0, current = 0, prev = UINT64_MAX;
    libxl_dominfo info;
    int rc;

    if ((rc = libxl_get_memory_target(ctx, domid, &target)) < 0)
        return rc;
    do {
        g_usleep(2 * G_USEC_PER_SEC);
        if ((rc = libxl_domain_info(ctx, &info, domid)) < 0)
            return rc;
        current = info.current_memkb + info.outstanding_memkb;
        libxl_dominfo_dispose(&info);
        if (current > prev)
            return ERROR_FAIL;
        if (current == prev)
            wait_secs -= 2;
        prev = current;
    } while (wait_secs > 0 && current > target);
    return current <= target ? 0 : ERROR_FAIL;
}

/* As libxl's: once a second, the host's free pages; ERROR_NOMEM when
 * wait_secs pass. */
int
libxl_wait_for_free_memory(libxl_ctx *ctx, uint32_t domid, uint64_t memory_kb,
                           int wait_secs)
{
    libxl_physinfo info;
    int rc;

    while (wait_secs > 0) {
        libxl_physinfo_init(&info);
        rc = libxl_get_physinfo(ctx, &info);
        libxl_physinfo_dispose(&info);
        if (rc < 0)
            return rc;
        if (info.free_pages * 4 >= memory_kb)
            return 0;
        wait_secs--;
        g_usleep(G_USEC_PER_SEC);
    }
    return ERROR_NOMEM;
}

/* Names -------------------------------------------------------------- */

char *
libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16];
    const char *args[] = { id, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    if (xensimCall(ctx, "libxl_domid_to_name", args, &records) ||
        !(rec = xensimRecord(records)))
        return NULL;
    return xensimRecordStr(rec, "name");
}

int
libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    const char *args[] = { name, NULL };
    int rc;

    if ((rc = xensimCall(ctx, "libxl_name_to_domid", args, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    *domid = xensimRecordU64(rec, "domid", INVALID_DOMID);
    return 0;
}

/* CPU pools: only Pool-0, every CPU ---------------------------------- */

static int
xensimFillCpupoolinfo(libxl_ctx *ctx, GVariant *rec, libxl_cpupoolinfo *info)
{
    g_autofree char *sched = xensimRecordStr(rec, "scheduler");
    libxl_scheduler s;
    int rc;

    libxl_cpupoolinfo_init(info);
    info->poolid = xensimRecordU64(rec, "poolid", 0);
    info->pool_name = xensimRecordStr(rec, "pool_name");
    info->n_dom = xensimRecordU64(rec, "n_dom", 0);
    if (!sched || libxl_scheduler_from_string(sched, &s) < 0)
        return ERROR_FAIL;
    info->sched = s;
    if ((rc = xensimBitmapAllSet(&info->cpumap, xensimRecordU64(rec, "n_cpus", 0))))
        return rc;
    return 0;
}

libxl_cpupoolinfo *
libxl_list_cpupool(libxl_ctx *ctx, int *nb_pool_out)
{
    g_autoptr(GVariant) records = NULL;
    libxl_cpupoolinfo *info;
    size_t i, n;

    *nb_pool_out = 0;
    if (xensimCall(ctx, "libxl_list_cpupool", NULL, &records))
        return NULL;
    if (!(n = g_variant_n_children(records)))
        return NULL;
    info = calloc(n, sizeof(*info));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        if (xensimFillCpupoolinfo(ctx, rec, &info[i]) < 0) {
            libxl_cpupoolinfo_list_free(info, i + 1);
            return NULL;
        }
    }
    *nb_pool_out = n;
    return info;
}

int
libxl_cpupool_info(libxl_ctx *ctx, libxl_cpupoolinfo *info, uint32_t poolid)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), poolid);
    if ((rc = xensimCall(ctx, "libxl_cpupool_info", args, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    if ((rc = xensimFillCpupoolinfo(ctx, rec, info))) {
        libxl_cpupoolinfo_dispose(info);
        return rc;
    }
    return 0;
}

char *
libxl_cpupoolid_to_name(libxl_ctx *ctx, uint32_t poolid)
{
    libxl_cpupoolinfo info;
    char *name;

    if (libxl_cpupool_info(ctx, &info, poolid))
        return NULL;
    name = info.pool_name;
    info.pool_name = NULL;
    libxl_cpupoolinfo_dispose(&info);
    return name;
}

int
libxl_name_to_cpupoolid(libxl_ctx *ctx, const char *name, uint32_t *poolid)
{
    libxl_cpupoolinfo *pools;
    int n = 0, i, rc = ERROR_INVAL;

    if (!(pools = libxl_list_cpupool(ctx, &n)))
        return ERROR_NOMEM;
    for (i = 0; i < n; i++) {
        if (strcmp(pools[i].pool_name, name) == 0) {
            *poolid = pools[i].poolid;
            rc = 0;
            break;
        }
    }
    libxl_cpupoolinfo_list_free(pools, n);
    return rc;
}

int
libxl_cpupoolid_is_valid(libxl_ctx *ctx, uint32_t poolid)
{
    g_autofree char *name = libxl_cpupoolid_to_name(ctx, poolid);

    return name != NULL;
}

/* Userdata: kept by xensimd with the domain ------------------------- */

int
libxl_userdata_store(libxl_ctx *ctx, uint32_t domid, const char *userdata_userid,
                     const uint8_t *data, int datalen)
{
    g_autofree char *encoded = g_base64_encode(data, datalen > 0 ? datalen : 0);
    char id[16];
    const char *args[] = { id, userdata_userid, encoded, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimCall(ctx, "libxl_userdata_store", args, NULL);
}

/* No userdata stored: success, *data_r NULL and *datalen_r 0, as libxl. */
int
libxl_userdata_retrieve(libxl_ctx *ctx, uint32_t domid,
                        const char *userdata_userid, uint8_t **data_r,
                        int *datalen_r)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autoptr(GVariant) data = NULL;
    char id[16];
    const char *args[] = { id, userdata_userid, NULL };
    const void *bytes;
    gsize len = 0;
    int rc;

    *data_r = NULL;
    if (datalen_r)
        *datalen_r = 0;
    xensimDomidArg(id, sizeof(id), domid);
    if ((rc = xensimCall(ctx, "libxl_userdata_retrieve", args, &records)))
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    if (!(data = g_variant_lookup_value(rec, "data", G_VARIANT_TYPE("ay"))))
        return 0;
    bytes = g_variant_get_fixed_array(data, &len, 1);
    if (!(*data_r = malloc(len ? len : 1)))
        return ERROR_NOMEM;
    memcpy(*data_r, bytes, len);
    if (datalen_r)
        *datalen_r = len;
    return 0;
}

int
libxl_userdata_unlink(libxl_ctx *ctx, uint32_t domid, const char *userdata_userid)
{
    char id[16];
    const char *args[] = { id, userdata_userid, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimCall(ctx, "libxl_userdata_unlink", args, NULL);
}


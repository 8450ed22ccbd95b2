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
xensimParseUuid(libxl_ctx *ctx, GVariant *rec, libxl_uuid *uuid)
{
    g_autofree char *text = xensimRecordStr(rec, "uuid");

    if (!text || libxl_uuid_from_string(uuid, text) < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "xensimd sent a bad uuid '%s'",
                     text ? text : "");
        return ERROR_FAIL;
    }
    return 0;
}

static int
xensimFillDominfo(libxl_ctx *ctx, GVariant *rec, libxl_dominfo *info)
{
    libxl_dominfo_init(info);
    info->domid = xensimRecordU64(rec, "domid", INVALID_DOMID);
    info->ssidref = 0;
    info->running = xensimRecordU64(rec, "running", 0);
    info->blocked = xensimRecordU64(rec, "blocked", 0);
    info->paused = xensimRecordU64(rec, "paused", 0);
    info->shutdown = xensimRecordU64(rec, "shutdown", 0);
    info->dying = xensimRecordU64(rec, "dying", 0);
    info->never_stop = false;
    info->shutdown_reason = info->shutdown ?
        (libxl_shutdown_reason)xensimRecordU64(rec, "shutdown_reason", 0) :
        LIBXL_SHUTDOWN_REASON_UNKNOWN;
    info->outstanding_memkb = 0;
    info->current_memkb = xensimRecordU64(rec, "current_memkb", 0);
    info->shared_memkb = 0;
    info->paged_memkb = 0;
    info->max_memkb = xensimRecordU64(rec, "max_memkb", 0);
    info->cpu_time = xensimRecordU64(rec, "cpu_time", 0);
    info->vcpu_max_id = xensimRecordU64(rec, "vcpu_max_id", 0);
    info->vcpu_online = xensimRecordU64(rec, "vcpu_online", 0);
    info->cpupool = xensimRecordU64(rec, "cpupool", 0);
    info->gpaddr_bits = xensimRecordU64(rec, "gpaddr_bits", 0);
    info->domain_type = xensimRecordU64(rec, "domain_type", LIBXL_DOMAIN_TYPE_INVALID);
    return xensimParseUuid(ctx, rec, &info->uuid);
}

libxl_dominfo *
libxl_list_domain(libxl_ctx *ctx, int *nb_domain_out)
{
    g_autoptr(GVariant) records = NULL;
    libxl_dominfo *info;
    size_t i, n;

    *nb_domain_out = 0;
    if (xensimCall(ctx, "libxl_list_domain", NULL, &records))
        return NULL;
    n = g_variant_n_children(records);
    info = calloc(n ? n : 1, sizeof(*info));
    for (i = 0; i < n; i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);

        if (xensimFillDominfo(ctx, rec, &info[i]) < 0) {
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
        if (xensimBitmapAllSet(&info[i].cpumap, nr_cpus) < 0 ||
            xensimBitmapAllSet(&info[i].cpumap_soft, nr_cpus) < 0) {
            libxl_vcpuinfo_list_free(info, i + 1);
            return NULL;
        }
    }
    *nb_vcpu = n;
    *nr_cpus_out = nr_cpus;
    return info;
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

    xensimDomidArg(id, sizeof(id), domid);
    if ((rc = xensimCall(ctx, "libxl_domain_sched_params_get", args, &records)))
        return rc;
    if (!(rec = xensimRecord(records)) ||
        !(name = xensimRecordStr(rec, "scheduler")) ||
        libxl_scheduler_from_string(name, &sched) < 0)
        return ERROR_FAIL;

    libxl_domain_sched_params_init(params);
    params->sched = sched;
    switch (sched) {
    case LIBXL_SCHEDULER_CREDIT:
    case LIBXL_SCHEDULER_CREDIT2:
        params->weight = xensimRecordU64(rec, "weight", 256);
        params->cap = xensimRecordU64(rec, "cap", 0);
        break;
    case LIBXL_SCHEDULER_RTDS:
        params->period = 10000;
        params->budget = 4000;
        params->extratime = 1;
        break;
    case LIBXL_SCHEDULER_UNKNOWN:
    case LIBXL_SCHEDULER_SEDF:
    case LIBXL_SCHEDULER_ARINC653:
    case LIBXL_SCHEDULER_NULL:
        break;
    }
    return 0;
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

/* The simulated balloon reaches its target at once. */
int
libxl_wait_for_memory_target(libxl_ctx *ctx, uint32_t domid, int wait_secs)
{
    return libxl_domain_info(ctx, NULL, domid);
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


/*
 * libxl_stats.c: the statistics a monitoring tool polls: domstats,
 * domblkstat, domblkinfo, domblkerror, domifstat, domifaddr, dommemstat,
 * cpu-stats, nodecpustats, nodememstats
 *
 * Where the numbers come from:
 *  - domains' CPU time, memory and vCPUs: libxl (libxl_list_domain once
 *    for all domains, libxl_domain_info for one, libxl_list_vcpu);
 *  - blkback disks (libxl's "phy" backend): the backend's counters in
 *    /sys/bus/xen-backend/devices/vbd-DOMID-DEVID/statistics;
 *  - qdisk disks and HVM guests' emulated disks: the device model's
 *    query-blockstats, through libxl_qmp.c;
 *  - vifs: /proc/net/dev of Domain-0, read once per call, turned into
 *    the guest's view (what Domain-0 sends, the guest receives);
 *  - the host: libxl_get_physinfo, libxl_get_numainfo, and libxenctrl's
 *    xc_getcpuinfo for the physical CPUs' idle time.
 *
 * No job is taken: statistics keep answering while a domain saves or
 * migrates, as the driver's other queries do.  Every entry point copies
 * what it needs from the domain object (domid, disks, vifs) with the
 * object locked, then reads counters unlocked (sysfs, /proc, a QMP
 * socket may be slow), then checks the domain still runs under the same
 * domid before answering.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <xenctrl.h>

#include "internal.h"
#include "datatypes.h"
#include "viraccessapicheck.h"
#include "viralloc.h"
#include "virarptable.h"
#include "virdomainobjlist.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"
#include "virmacaddr.h"
#include "virstring.h"
#include "virtypedparam.h"
#include "storage_source.h"
#include "storage_file_probe.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_logger.h"
#include "libxl_qmp.h"
#include "libxl_stats.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_stats");

#define LIBXL_STATS_BACKEND_DIR "/sys/bus/xen-backend/devices"
#define LIBXL_STATS_PROC_NET_DEV "/proc/net/dev"

/* blkback counts sectors of 512 bytes whatever the disk's sector size
 * (the kernel's sector unit) */
#define LIBXL_STATS_VBD_SECTOR 512ULL

/* the groups of virConnectGetAllDomainStats Xen backs */
#define LIBXL_STATS_GROUPS \
    (VIR_DOMAIN_STATS_STATE | \
     VIR_DOMAIN_STATS_CPU_TOTAL | \
     VIR_DOMAIN_STATS_BALLOON | \
     VIR_DOMAIN_STATS_VCPU | \
     VIR_DOMAIN_STATS_INTERFACE | \
     VIR_DOMAIN_STATS_BLOCK)


/* ---- what a query copies from a domain object ---------------------- */

typedef struct _libxlStatsDisk libxlStatsDisk;
struct _libxlStatsDisk {
    char *dst;              /* target: "xvda", "hda" */
    char *path;             /* NULL: empty drive or network disk */
    int type;               /* virStorageType */
    int format;             /* virStorageFileFormat */
    int devid;              /* Xen's device number of dst, -1 unknown */
    /* the backing chain the definition knows, below the image */
    size_t nbacking;
    char **backingPaths;
    int *backingFormats;
    unsigned int *backingIndex;
};

typedef struct _libxlStatsNet libxlStatsNet;
struct _libxlStatsNet {
    char *ifname;           /* Domain-0's name of the vif */
    virMacAddr mac;
    bool swapped;           /* Domain-0's counters reversed for the guest */
    int type;               /* virDomainNetType */
    char *network;          /* type network: its name */
};

/* One disk's counters; -1: not known. */
typedef struct _libxlStatsBlock libxlStatsBlock;
struct _libxlStatsBlock {
    bool found;
    long long rd_req;
    long long rd_bytes;
    long long rd_ns;
    long long wr_req;
    long long wr_bytes;
    long long wr_ns;
    long long fl_req;
    long long fl_ns;
    long long errs;
};

typedef struct _libxlStatsDomain libxlStatsDomain;
struct _libxlStatsDomain {
    virDomainObj *vm;       /* a reference */
    int id;
    bool active;
    int state;
    int reason;
    bool hvm;
    unsigned long long maxmem;      /* KiB, the definition's */
    unsigned long long curmem;      /* KiB, the definition's balloon */
    unsigned int vcpus;
    unsigned int maxvcpus;
    size_t ndisks;
    libxlStatsDisk *disks;
    size_t nnets;
    libxlStatsNet *nets;
    libxlStatsBlock *blocks;    /* getAllDomainStats: each disk's counters */
};

/* One interface's counters, Domain-0's view. */
typedef struct _libxlStatsNetDev libxlStatsNetDev;
struct _libxlStatsNetDev {
    unsigned long long rx_bytes;
    unsigned long long rx_packets;
    unsigned long long rx_errs;
    unsigned long long rx_drop;
    unsigned long long tx_bytes;
    unsigned long long tx_packets;
    unsigned long long tx_errs;
    unsigned long long tx_drop;
};


static void
libxlStatsDomainFree(libxlStatsDomain *d)
{
    size_t i, j;

    if (!d)
        return;
    for (i = 0; i < d->ndisks; i++) {
        libxlStatsDisk *disk = &d->disks[i];

        g_free(disk->dst);
        g_free(disk->path);
        for (j = 0; j < disk->nbacking; j++)
            g_free(disk->backingPaths[j]);
        g_free(disk->backingPaths);
        g_free(disk->backingFormats);
        g_free(disk->backingIndex);
    }
    g_free(d->disks);
    for (i = 0; i < d->nnets; i++) {
        g_free(d->nets[i].ifname);
        g_free(d->nets[i].network);
    }
    g_free(d->nets);
    g_free(d->blocks);
    virObjectUnref(d->vm);
    g_free(d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libxlStatsDomain, libxlStatsDomainFree);


/*
 * libxlStatsDiskDevid:
 * Xen's device number of a virtual disk named @vdev (xen-vbd-interface:
 * xvdX, hdX, sdX with an optional partition number), or -1.
 */
int
libxlStatsDiskDevid(const char *vdev)
{
    const char *p;
    unsigned int disk = 0;
    unsigned int part = 0;
    size_t nletters = 0;
    int prefix;

    if (!vdev)
        return -1;
    if (STRPREFIX(vdev, "xvd"))
        prefix = 'x';
    else if (STRPREFIX(vdev, "hd"))
        prefix = 'h';
    else if (STRPREFIX(vdev, "sd"))
        prefix = 's';
    else
        return -1;
    p = vdev + (prefix == 'x' ? 3 : 2);

    /* a, b, ... z, aa, ab ...: bijective base 26 */
    while (g_ascii_islower(*p)) {
        if (disk > (1U << 20))
            return -1;
        disk = disk * 26 + (*p - 'a' + 1);
        p++;
        nletters++;
    }
    if (nletters == 0)
        return -1;
    disk--;
    if (*p) {
        if (!g_ascii_isdigit(*p) || *p == '0' ||
            virStrToLong_uip(p, NULL, 10, &part) < 0)
            return -1;
    }

    switch (prefix) {
    case 'x':
        if (disk < 16 && part < 16)
            return (202 << 8) | (disk << 4) | part;
        if (disk < (1U << 20) && part < 256)
            return (1 << 28) | (disk << 8) | part;
        return -1;
    case 'h':
        if (disk > 3 || part > 63)
            return -1;
        return ((disk < 2 ? 3 : 22) << 8) | ((disk % 2) << 6) | part;
    case 's':
        if (disk > 15 || part > 15)
            return -1;
        return (8 << 8) | (disk << 4) | part;
    }
    return -1;
}


/* Whether @name is one libxl generates: vifDOMID.DEVID[-emu].  (By hand:
 * a GRegex compiled per interface per statistics call was a tenth of
 * virConnectGetAllDomainStats for a thousand domains.) */
static bool
libxlStatsNetIfnameGenerated(const char *name)
{
    const char *p = name;
    size_t k;

    if (!STRPREFIX(p, "vif"))
        return false;
    p += 3;
    for (k = 0; k < 2; k++) {
        if (!g_ascii_isdigit(*p))
            return false;
        while (g_ascii_isdigit(*p))
            p++;
        if (k == 0 && *p++ != '.')
            return false;
    }
    return *p == '\0' || STREQ(p, "-emu");
}


/* The name Domain-0 gives the vif of the @idx-th interface of domain
 * @domid: the <target dev> the user chose (libxl's vifname), or libxl's
 * vifDOMID.DEVID, also in place of a generated name of an earlier run. */
static char *
libxlStatsNetIfname(virDomainNetDef *net, int domid, size_t idx)
{
    if (net->ifname && !libxlStatsNetIfnameGenerated(net->ifname))
        return g_strdup(net->ifname);
    return g_strdup_printf("vif%d.%zu", domid, idx);
}


/*
 * libxlStatsDomainNew:
 * What the statistics of @vm need, copied with @vm locked; the copy holds
 * a reference to @vm.
 */
static libxlStatsDomain *
libxlStatsDomainNew(virDomainObj *vm)
{
    libxlStatsDomain *d = g_new0(libxlStatsDomain, 1);
    virDomainDef *def = vm->def;
    size_t i;
    size_t devid = 0;

    d->vm = virObjectRef(vm);
    d->id = def->id;
    d->active = virDomainObjIsActive(vm);
    d->state = virDomainObjGetState(vm, &d->reason);
    d->hvm = def->os.type == VIR_DOMAIN_OSTYPE_HVM;
    d->maxmem = virDomainDefGetMemoryTotal(def);
    d->curmem = def->mem.cur_balloon;
    d->vcpus = virDomainDefGetVcpus(def);
    d->maxvcpus = virDomainDefGetVcpusMax(def);

    d->disks = g_new0(libxlStatsDisk, def->ndisks);
    d->ndisks = def->ndisks;
    for (i = 0; i < def->ndisks; i++) {
        virDomainDiskDef *disk = def->disks[i];
        libxlStatsDisk *sd = &d->disks[i];
        virStorageSource *n;

        sd->dst = g_strdup(disk->dst);
        sd->type = virStorageSourceGetActualType(disk->src);
        if (sd->type != VIR_STORAGE_TYPE_NETWORK)
            sd->path = g_strdup(virDomainDiskGetSource(disk));
        sd->format = virDomainDiskGetFormat(disk);
        sd->devid = libxlStatsDiskDevid(disk->dst);

        for (n = disk->src->backingStore; virStorageSourceIsBacking(n);
             n = n->backingStore) {
            if (!n->path)
                continue;
            sd->backingPaths = g_renew(char *, sd->backingPaths, sd->nbacking + 1);
            sd->backingFormats = g_renew(int, sd->backingFormats, sd->nbacking + 1);
            sd->backingIndex = g_renew(unsigned int, sd->backingIndex, sd->nbacking + 1);
            sd->backingPaths[sd->nbacking] = g_strdup(n->path);
            sd->backingFormats[sd->nbacking] = n->format;
            sd->backingIndex[sd->nbacking] = n->id ? n->id : sd->nbacking + 1;
            sd->nbacking++;
        }
    }

    d->nets = g_new0(libxlStatsNet, def->nnets);
    for (i = 0; i < def->nnets; i++) {
        virDomainNetDef *net = def->nets[i];
        libxlStatsNet *sn = &d->nets[d->nnets];

        /* <interface type='hostdev'> is a PCI device: no vif */
        if (virDomainNetGetActualType(net) == VIR_DOMAIN_NET_TYPE_HOSTDEV)
            continue;
        sn->ifname = libxlStatsNetIfname(net, def->id, devid++);
        virMacAddrSet(&sn->mac, &net->mac);
        sn->swapped = !virDomainNetTypeSharesHostView(net);
        sn->type = net->type;
        if (net->type == VIR_DOMAIN_NET_TYPE_NETWORK)
            sn->network = g_strdup(net->data.network.name);
        d->nnets++;
    }

    return d;
}


/*
 * libxlStatsDomainStillRuns:
 * After reading counters unlocked: whether the domain still runs as the
 * domid they were read for.  Reports an error if not.
 */
static int
libxlStatsDomainStillRuns(libxlStatsDomain *d)
{
    virDomainObj *vm = d->vm;
    int ret = 0;

    virObjectLock(vm);
    if (!virDomainObjIsActive(vm) || vm->def->id != d->id) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("domain is not running"));
        ret = -1;
    }
    virObjectUnlock(vm);
    return ret;
}


/*
 * libxlStatsDomainGet:
 * The running domain @vm (looked up and ACL checked by the entry point),
 * copied; NULL with an error if it is not running.  Ends the API on
 * @vm either way: no I/O is done under its lock.
 */
static libxlStatsDomain *
libxlStatsDomainGet(virDomainObj **vm)
{
    libxlStatsDomain *d = NULL;

    if (virDomainObjCheckActive(*vm) == 0)
        d = libxlStatsDomainNew(*vm);

    virDomainObjEndAPI(vm);
    return d;
}


/* ---- block devices ------------------------------------------------- */

static void
libxlStatsBlockInit(libxlStatsBlock *b)
{
    b->found = false;
    b->rd_req = b->rd_bytes = b->rd_ns = -1;
    b->wr_req = b->wr_bytes = b->wr_ns = -1;
    b->fl_req = b->fl_ns = -1;
    b->errs = -1;
}


/* @*acc += @val, where -1 is "not known" */
static void
libxlStatsAdd(long long *acc, long long val)
{
    if (val < 0)
        return;
    if (*acc < 0)
        *acc = 0;
    *acc += val;
}


static void
libxlStatsBlockSum(libxlStatsBlock *acc, const libxlStatsBlock *b)
{
    if (!b->found)
        return;
    acc->found = true;
    libxlStatsAdd(&acc->rd_req, b->rd_req);
    libxlStatsAdd(&acc->rd_bytes, b->rd_bytes);
    libxlStatsAdd(&acc->rd_ns, b->rd_ns);
    libxlStatsAdd(&acc->wr_req, b->wr_req);
    libxlStatsAdd(&acc->wr_bytes, b->wr_bytes);
    libxlStatsAdd(&acc->wr_ns, b->wr_ns);
    libxlStatsAdd(&acc->fl_req, b->fl_req);
    libxlStatsAdd(&acc->fl_ns, b->fl_ns);
    libxlStatsAdd(&acc->errs, b->errs);
}


/*
 * libxlStatsReadCounterAt:
 * The decimal counter in file @name of directory @dirfd (a sysfs
 * attribute: one read of it is whole).  Returns 0, or -1 with an error.
 */
static int
libxlStatsReadCounterAt(int dirfd,
                        const char *dir,
                        const char *name,
                        unsigned long long *val)
{
    char buf[32];
    ssize_t len;
    VIR_AUTOCLOSE fd = -1;

    if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) < 0) {
        virReportSystemError(errno, _("no %s in the blkback statistics %s"),
                             name, dir);
        return -1;
    }
    /* one read(): sysfs hands an attribute over whole (saferead's second
     * read, to see the end, was a fifth of the block group's syscalls) */
    while ((len = read(fd, buf, sizeof(buf) - 1)) < 0 && errno == EINTR)
        ;
    if (len < 0) {
        virReportSystemError(errno, _("cannot read %s/%s"), dir, name);
        return -1;
    }
    buf[len] = '\0';
    if (virStrToLong_ullp(g_strstrip(buf), NULL, 10, val) < 0) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("%s/%s is not a counter: '%s'"), dir, name, buf);
        return -1;
    }
    return 0;
}


/*
 * libxlStatsBlockReadVbd:
 * Add the blkback counters of disk @devid of domain @domid to @b.
 * Returns 1 if blkback backs the disk, 0 if not (no such backend
 * device), -1 on error.  The directory is opened once and its files
 * read relative to it: a thousand disks' statistics are five thousand
 * files a call.
 */
static int
libxlStatsBlockReadVbd(int domid, int devid, libxlStatsBlock *b)
{
    static const char *const names[] = {
        "rd_req", "wr_req", "f_req", "rd_sect", "wr_sect",
    };
    unsigned long long val[G_N_ELEMENTS(names)];
    g_autofree char *dir = NULL;
    VIR_AUTOCLOSE dirfd = -1;
    size_t i;

    if (devid < 0)
        return 0;

    dir = g_strdup_printf(LIBXL_STATS_BACKEND_DIR "/vbd-%d-%d/statistics",
                          domid, devid);
    if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return 0;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        if (libxlStatsReadCounterAt(dirfd, dir, names[i], &val[i]) < 0)
            return -1;
    }

    b->found = true;
    libxlStatsAdd(&b->rd_req, val[0]);
    libxlStatsAdd(&b->wr_req, val[1]);
    libxlStatsAdd(&b->fl_req, val[2]);
    libxlStatsAdd(&b->rd_bytes, val[3] * LIBXL_STATS_VBD_SECTOR);
    libxlStatsAdd(&b->wr_bytes, val[4] * LIBXL_STATS_VBD_SECTOR);
    /* blkback counts no times and no errors (oo_req are requests it
     * deferred for want of resources, not failures) */
    return 1;
}


/* Add the device model's counters of the drives of target @dst (an HVM
 * guest's xvdX is also its emulated IDE disk of the same index). */
static void
libxlStatsBlockAddQmp(const char *dst,
                      libxlQmpBlockStats *qmp,
                      size_t nqmp,
                      libxlStatsBlock *b)
{
    size_t i;

    for (i = 0; i < nqmp; i++) {
        if (!qmp[i].target || !libxlQmpBlockStatsMatch(&qmp[i], dst))
            continue;
        b->found = true;
        libxlStatsAdd(&b->rd_req, qmp[i].rd_req);
        libxlStatsAdd(&b->rd_bytes, qmp[i].rd_bytes);
        libxlStatsAdd(&b->rd_ns, qmp[i].rd_total_ns);
        libxlStatsAdd(&b->wr_req, qmp[i].wr_req);
        libxlStatsAdd(&b->wr_bytes, qmp[i].wr_bytes);
        libxlStatsAdd(&b->wr_ns, qmp[i].wr_total_ns);
        libxlStatsAdd(&b->fl_req, qmp[i].fl_req);
        libxlStatsAdd(&b->fl_ns, qmp[i].fl_total_ns);
        if (qmp[i].errs >= 0) {
            libxlStatsAdd(&b->errs, qmp[i].errs);
        }
    }
}


/*
 * libxlStatsBlockRead:
 * The counters of the disks of @d selected by @sel (NULL: all), each in
 * @blocks[i] (@d->ndisks of them).  blkback disks are read from sysfs;
 * the device model, which an HVM guest always has and a PV or PVH guest
 * has for its qdisk disks, is asked once when some disk needs it.  With
 * @tolerant, a device model that does not answer leaves its disks
 * without counters instead of failing.
 */
static int
libxlStatsBlockRead(libxlStatsDomain *d,
                    const bool *sel,
                    libxlStatsBlock *blocks,
                    bool tolerant)
{
    libxlQmpBlockStats *qmp = NULL;
    size_t nqmp = 0;
    bool needQmp = d->hvm;
    size_t i;
    int ret = -1;

    for (i = 0; i < d->ndisks; i++) {
        int rc;

        libxlStatsBlockInit(&blocks[i]);
        if (sel && !sel[i])
            continue;
        if ((rc = libxlStatsBlockReadVbd(d->id, d->disks[i].devid,
                                         &blocks[i])) < 0) {
            if (!tolerant)
                goto cleanup;
            virResetLastError();
        }
        if (rc <= 0)
            needQmp = true;
    }

    if (needQmp) {
        if (libxlQmpQueryBlockStats(d->id, &qmp, &nqmp) < 0) {
            if (!tolerant)
                goto cleanup;
            VIR_DEBUG("no block statistics from the device model of domain %d: %s",
                      d->id, virGetLastErrorMessage());
            virResetLastError();
        }
        for (i = 0; i < d->ndisks; i++) {
            if (sel && !sel[i])
                continue;
            libxlStatsBlockAddQmp(d->disks[i].dst, qmp, nqmp, &blocks[i]);
        }
    }
    ret = 0;

 cleanup:
    libxlQmpBlockStatsFree(qmp, nqmp);
    return ret;
}


/*
 * libxlStatsBlockSizes:
 * Capacity (the guest's size: a qcow2 image's virtual size), allocation
 * (what the host spends on it) and physical size (the file's or the
 * block device's) of the image @path of format @format.
 */
static int
libxlStatsBlockSizes(const char *path,
                     int type,
                     int format,
                     unsigned long long *capacity,
                     unsigned long long *allocation,
                     unsigned long long *physical)
{
    g_autoptr(virStorageSource) src = virStorageSourceNew();
    g_autofree char *buf = NULL;
    VIR_AUTOCLOSE fd = -1;
    struct stat sb;
    ssize_t len;

    src->path = g_strdup(path);
    src->type = type;
    /* a disk without a format is raw to libxl */
    src->format = format > VIR_STORAGE_FILE_NONE ? format : VIR_STORAGE_FILE_RAW;

    /* a raw regular file's sizes are its stat's: no need to open it */
    if (src->format == VIR_STORAGE_FILE_RAW) {
        if (stat(path, &sb) < 0) {
            virReportSystemError(errno, _("cannot stat disk image '%s'"), path);
            return -1;
        }
        if (S_ISREG(sb.st_mode)) {
            if (virStorageSourceUpdateBackingSizes(src, -1, &sb) < 0)
                return -1;
            goto done;
        }
    }

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) < 0) {
        virReportSystemError(errno, _("cannot open disk image '%s'"), path);
        return -1;
    }
    if (virStorageSourceUpdateBackingSizes(src, fd, &sb) < 0)
        return -1;

    if (src->format != VIR_STORAGE_FILE_RAW) {
        if (lseek(fd, 0, SEEK_SET) < 0 ||
            (len = virFileReadHeaderFD(fd, VIR_STORAGE_MAX_HEADER, &buf)) < 0) {
            virReportSystemError(errno, _("cannot read the header of '%s'"), path);
            return -1;
        }
        if (virStorageSourceUpdateCapacity(src, buf, len) < 0)
            return -1;
    }

 done:
    *capacity = src->capacity;
    *allocation = src->allocation;
    *physical = src->physical;
    return 0;
}


/* The index of the disk of @vm named @path (target or source), or -1
 * with VIR_ERR_INVALID_ARG. */
static int
libxlStatsDiskIndex(virDomainDef *def, const char *path, const char *fmt)
{
    virDomainDiskDef *disk;
    size_t i;

    if ((disk = virDomainDiskByName(def, path, false))) {
        for (i = 0; i < def->ndisks; i++) {
            if (def->disks[i] == disk)
                return i;
        }
    }
    virReportError(VIR_ERR_INVALID_ARG, fmt, path);
    return -1;
}


/*
 * libxlStatsBlockGet:
 * The counters of the disk of @dom named @path, all disks summed for "".
 */
static int
libxlStatsBlockGet(virDomainObj **vm,
                   const char *path,
                   libxlStatsBlock *out)
{
    g_autoptr(libxlStatsDomain) d = NULL;
    g_autofree libxlStatsBlock *blocks = NULL;
    g_autofree bool *sel = NULL;
    int idx = -1;
    size_t i;

    if (virDomainObjCheckActive(*vm) < 0 ||
        (*path && (idx = libxlStatsDiskIndex((*vm)->def, path,
                                             _("invalid path: %s"))) < 0)) {
        virDomainObjEndAPI(vm);
        return -1;
    }
    d = libxlStatsDomainNew(*vm);
    virDomainObjEndAPI(vm);

    blocks = g_new0(libxlStatsBlock, d->ndisks);
    sel = g_new0(bool, d->ndisks);
    for (i = 0; i < d->ndisks; i++)
        sel[i] = idx < 0 || (size_t) idx == i;

    if (libxlStatsBlockRead(d, sel, blocks, false) < 0)
        return -1;

    libxlStatsBlockInit(out);
    for (i = 0; i < d->ndisks; i++)
        libxlStatsBlockSum(out, &blocks[i]);
    /* a sum of errors is known only if every disk's is (blkback counts
     * none) */
    for (i = 0; i < d->ndisks; i++) {
        if (blocks[i].found && blocks[i].errs < 0)
            out->errs = -1;
    }

    if (idx >= 0 && !blocks[idx].found) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("no statistics for disk '%s': neither blkback nor the device model serves it"),
                       d->disks[idx].dst);
        return -1;
    }
    if (!out->found) {
        /* "" of a domain without disks: all zero, as summing nothing */
        out->rd_req = out->rd_bytes = out->wr_req = out->wr_bytes = 0;
    }

    return libxlStatsDomainStillRuns(d);
}


int
libxlDomainBlockStatsWork(virDomainObj **vm,
                          const char *path,
                          virDomainBlockStatsPtr stats)
{
    libxlStatsBlock b;

    if (libxlStatsBlockGet(vm, path, &b) < 0)
        return -1;

    stats->rd_req = b.rd_req;
    stats->rd_bytes = b.rd_bytes;
    stats->wr_req = b.wr_req;
    stats->wr_bytes = b.wr_bytes;
    stats->errs = b.errs;
    return 0;
}


/* the parameters of domainBlockStatsFlags, in libvirt's order */
#define LIBXL_STATS_NB_BLOCK_PARAM 9

int
libxlDomainBlockStatsFlagsWork(virDomainObj **vm,
                               const char *path,
                               virTypedParameterPtr params,
                               int *nparams)
{
    libxlStatsBlock b;
    struct {
        const char *field;
        long long value;
    } fields[LIBXL_STATS_NB_BLOCK_PARAM];
    size_t i;
    int n = 0;

    if (libxlStatsBlockGet(vm, path, &b) < 0)
        return -1;

    /* the number of parameters a caller should provide */
    if (*nparams == 0) {
        *nparams = LIBXL_STATS_NB_BLOCK_PARAM;
        return 0;
    }

    fields[0].field = VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES;
    fields[0].value = b.wr_bytes;
    fields[1].field = VIR_DOMAIN_BLOCK_STATS_WRITE_REQ;
    fields[1].value = b.wr_req;
    fields[2].field = VIR_DOMAIN_BLOCK_STATS_READ_BYTES;
    fields[2].value = b.rd_bytes;
    fields[3].field = VIR_DOMAIN_BLOCK_STATS_READ_REQ;
    fields[3].value = b.rd_req;
    fields[4].field = VIR_DOMAIN_BLOCK_STATS_FLUSH_REQ;
    fields[4].value = b.fl_req;
    fields[5].field = VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES;
    fields[5].value = b.wr_ns;
    fields[6].field = VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES;
    fields[6].value = b.rd_ns;
    fields[7].field = VIR_DOMAIN_BLOCK_STATS_FLUSH_TOTAL_TIMES;
    fields[7].value = b.fl_ns;
    fields[8].field = VIR_DOMAIN_BLOCK_STATS_ERRS;
    fields[8].value = b.errs;

    for (i = 0; i < G_N_ELEMENTS(fields) && n < *nparams; i++) {
        if (fields[i].value < 0)
            continue;
        if (virTypedParameterAssign(&params[n++], fields[i].field,
                                    VIR_TYPED_PARAM_LLONG, fields[i].value) < 0)
            return -1;
    }
    *nparams = n;
    return 0;
}


int
libxlDomainGetBlockInfoWork(virDomainObj **vm,
                            const char *path,
                            virDomainBlockInfoPtr info)
{
    g_autofree char *src = NULL;
    virDomainDiskDef *disk;
    int type;
    int format;
    int idx;

    if ((idx = libxlStatsDiskIndex((*vm)->def, path,
                                   _("invalid path %s not assigned to domain"))) < 0) {
        virDomainObjEndAPI(vm);
        return -1;
    }
    disk = (*vm)->def->disks[idx];
    type = virStorageSourceGetActualType(disk->src);
    format = virDomainDiskGetFormat(disk);
    if (type != VIR_STORAGE_TYPE_NETWORK)
        src = g_strdup(virDomainDiskGetSource(disk));
    virDomainObjEndAPI(vm);

    if (type == VIR_STORAGE_TYPE_NETWORK) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk '%s' is a network disk: its sizes are the device model's, which Xen does not report"),
                       path);
        return -1;
    }
    if (!src) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("disk '%s' does not have a source to query"), path);
        return -1;
    }

    /* the image is the same whether the domain runs or not */
    return libxlStatsBlockSizes(src, type, format, &info->capacity,
                                &info->allocation, &info->physical);
}


int
libxlDomainGetDiskErrorsWork(virDomainObj *vm)
{
    if (virDomainObjCheckActive(vm) < 0)
        return -1;

    /* Neither blkback nor the device model stops a guest on an I/O error
     * (no werror=stop/enospc with Xen): the guest sees the error, and no
     * disk is ever left in an error state to report. */
    return 0;
}


/* ---- interfaces ---------------------------------------------------- */

/*
 * libxlStatsParseNetDev:
 * Domain-0's interfaces' counters from the text of /proc/net/dev, in a
 * new table of name -> libxlStatsNetDev.
 */
static int
libxlStatsParseNetDev(const char *text, GHashTable **table)
{
    g_autoptr(GHashTable) t = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                    g_free, g_free);
    g_auto(GStrv) lines = g_strsplit(text, "\n", 0);
    size_t i;

    /* two lines of headers */
    for (i = 0; lines[i]; i++) {
        char *colon = strchr(lines[i], ':');
        libxlStatsNetDev *dev;
        unsigned long long skip;
        g_autofree char *name = NULL;

        if (i < 2 || !colon)
            continue;
        *colon = '\0';
        name = g_strdup(g_strstrip(lines[i]));
        dev = g_new0(libxlStatsNetDev, 1);
        /* rx: bytes packets errs drop fifo frame compressed multicast,
         * tx: bytes packets errs drop ... */
        if (sscanf(colon + 1,
                   "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
                   &dev->rx_bytes, &dev->rx_packets, &dev->rx_errs,
                   &dev->rx_drop, &skip, &skip, &skip, &skip,
                   &dev->tx_bytes, &dev->tx_packets, &dev->tx_errs,
                   &dev->tx_drop) != 12) {
            g_free(dev);
            virReportError(VIR_ERR_INTERNAL_ERROR,
                           _("cannot parse the counters of '%s' in %s"),
                           name, LIBXL_STATS_PROC_NET_DEV);
            return -1;
        }
        g_hash_table_replace(t, g_steal_pointer(&name), dev);
    }

    *table = g_steal_pointer(&t);
    return 0;
}


static GHashTable *
libxlStatsNetDevRead(void)
{
    g_autofree char *text = NULL;
    GHashTable *table = NULL;

    if (virFileReadAll(LIBXL_STATS_PROC_NET_DEV, 16 * 1024 * 1024, &text) < 0)
        return NULL;
    if (libxlStatsParseNetDev(text, &table) < 0)
        return NULL;
    return table;
}


/*
 * libxlStatsNetGet:
 * The guest's view of the counters of @net from @table: its vif, and for
 * an HVM guest also the emulated NIC's tap (IFNAME-emu) which carries
 * the traffic until the guest's PV driver takes over.  Returns false if
 * Domain-0 has neither.
 */
static bool
libxlStatsNetGet(GHashTable *table,
                 const libxlStatsNet *net,
                 virDomainInterfaceStatsPtr stats)
{
    g_autofree char *emu = g_strdup_printf("%s-emu", net->ifname);
    const char *names[] = { net->ifname, emu };
    bool found = false;
    size_t i;

    memset(stats, 0, sizeof(*stats));
    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        libxlStatsNetDev *dev = g_hash_table_lookup(table, names[i]);

        if (!dev)
            continue;
        found = true;
        if (net->swapped) {
            stats->rx_bytes += dev->tx_bytes;
            stats->rx_packets += dev->tx_packets;
            stats->rx_errs += dev->tx_errs;
            stats->rx_drop += dev->tx_drop;
            stats->tx_bytes += dev->rx_bytes;
            stats->tx_packets += dev->rx_packets;
            stats->tx_errs += dev->rx_errs;
            stats->tx_drop += dev->rx_drop;
        } else {
            stats->rx_bytes += dev->rx_bytes;
            stats->rx_packets += dev->rx_packets;
            stats->rx_errs += dev->rx_errs;
            stats->rx_drop += dev->rx_drop;
            stats->tx_bytes += dev->tx_bytes;
            stats->tx_packets += dev->tx_packets;
            stats->tx_errs += dev->tx_errs;
            stats->tx_drop += dev->tx_drop;
        }
    }
    return found;
}


/* The interface of @d named @device: its vif's name or its MAC. */
static libxlStatsNet *
libxlStatsNetFind(libxlStatsDomain *d, const char *device)
{
    virMacAddr mac;
    bool isMac = virMacAddrParse(device, &mac) == 0;
    size_t i;

    for (i = 0; i < d->nnets; i++) {
        libxlStatsNet *net = &d->nets[i];
        g_autofree char *emu = g_strdup_printf("%s-emu", net->ifname);

        if (isMac ? virMacAddrCmp(&mac, &net->mac) == 0 :
            STREQ(device, net->ifname) || STREQ(device, emu))
            return net;
    }

    virReportError(VIR_ERR_INVALID_ARG,
                   _("'%s' is not a known interface"), device);
    return NULL;
}


int
libxlDomainInterfaceStatsWork(virDomainObj **vm,
                              const char *device,
                              virDomainInterfaceStatsPtr stats)
{
    g_autoptr(libxlStatsDomain) d = NULL;
    g_autoptr(GHashTable) table = NULL;
    libxlStatsNet *net;

    if (!(d = libxlStatsDomainGet(vm)))
        return -1;

    if (!(net = libxlStatsNetFind(d, device)))
        return -1;

    if (!(table = libxlStatsNetDevRead()))
        return -1;

    if (!libxlStatsNetGet(table, net, stats)) {
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("interface '%s' of domain '%s' has no vif %s in Domain-0"),
                       device, d->vm->def->name, net->ifname);
        return -1;
    }

    return libxlStatsDomainStillRuns(d);
}


static void
libxlStatsInterfacesFree(virDomainInterfacePtr *ifaces, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        virDomainInterfaceFree(ifaces[i]);
    g_free(ifaces);
}


/* The DHCP leases the network driver gave the interfaces of @d on
 * virtual networks (virDomainNetDHCPInterfaces, on the copy). */
static int
libxlStatsInterfacesLease(libxlStatsDomain *d, virDomainInterfacePtr **ifaces)
{
    g_autoptr(virConnect) conn = NULL;
    virDomainInterfacePtr *list = NULL;
    size_t n = 0;
    size_t i;
    size_t j;

    if (!(conn = virGetConnectNetwork()))
        return -1;

    for (i = 0; i < d->nnets; i++) {
        libxlStatsNet *net = &d->nets[i];
        g_autoptr(virNetwork) network = NULL;
        virNetworkDHCPLeasePtr *leases = NULL;
        char mac[VIR_MAC_STRING_BUFLEN];
        virDomainInterfacePtr iface;
        int nleases;

        if (net->type != VIR_DOMAIN_NET_TYPE_NETWORK)
            continue;

        virMacAddrFormat(&net->mac, mac);
        if (!(network = virNetworkLookupByName(conn, net->network)) ||
            (nleases = virNetworkGetDHCPLeases(network, mac, &leases, 0)) < 0) {
            libxlStatsInterfacesFree(list, n);
            return -1;
        }
        if (nleases == 0)
            continue;

        iface = g_new0(virDomainInterface, 1);
        iface->name = g_strdup(net->ifname);
        iface->hwaddr = g_strdup(mac);
        iface->naddrs = nleases;
        iface->addrs = g_new0(virDomainIPAddress, nleases);
        for (j = 0; j < nleases; j++) {
            iface->addrs[j].addr = g_strdup(leases[j]->ipaddr);
            iface->addrs[j].type = leases[j]->type;
            iface->addrs[j].prefix = leases[j]->prefix;
            virNetworkDHCPLeaseFree(leases[j]);
        }
        g_free(leases);
        VIR_APPEND_ELEMENT(list, n, iface);
    }

    *ifaces = list;
    return n;
}


/* The addresses Domain-0's ARP table has for the MACs of @d. */
static int
libxlStatsInterfacesARP(libxlStatsDomain *d, virDomainInterfacePtr **ifaces)
{
    virDomainInterfacePtr *list = NULL;
    virArpTable *table;
    size_t n = 0;
    size_t i;
    size_t j;

    if (!(table = virArpTableGet()))
        return -1;

    for (i = 0; i < d->nnets; i++) {
        char mac[VIR_MAC_STRING_BUFLEN];

        virMacAddrFormat(&d->nets[i].mac, mac);
        for (j = 0; j < table->n; j++) {
            virDomainInterfacePtr iface;

            if (STRNEQ(table->t[j].mac, mac))
                continue;
            iface = g_new0(virDomainInterface, 1);
            iface->name = g_strdup(d->nets[i].ifname);
            iface->hwaddr = g_strdup(mac);
            iface->naddrs = 1;
            iface->addrs = g_new0(virDomainIPAddress, 1);
            iface->addrs[0].addr = g_strdup(table->t[j].ipaddr);
            iface->addrs[0].type = strchr(table->t[j].ipaddr, ':') ?
                VIR_IP_ADDR_TYPE_IPV6 : VIR_IP_ADDR_TYPE_IPV4;
            VIR_APPEND_ELEMENT(list, n, iface);
        }
    }
    virArpTableFree(table);

    *ifaces = list;
    return n;
}


int
libxlDomainInterfaceAddressesWork(virDomainObj **vm,
                                  virDomainInterfacePtr **ifaces,
                                  unsigned int source)
{
    g_autoptr(libxlStatsDomain) d = NULL;
    int ret;

    if (!(d = libxlStatsDomainGet(vm)))
        return -1;

    switch ((virDomainInterfaceAddressesSource) source) {
    case VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE:
        ret = libxlStatsInterfacesLease(d, ifaces);
        break;
    case VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP:
        ret = libxlStatsInterfacesARP(d, ifaces);
        break;
    case VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT:
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                       _("Xen has no guest agent channel to ask a guest for its addresses: use the lease or arp source"));
        return -1;
    case VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LAST:
    default:
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                       _("Unknown IP address data source %d"), source);
        return -1;
    }

    return ret;
}


/* ---- memory and CPUs ----------------------------------------------- */

int
libxlDomainMemoryStatsWork(libxlDriverPrivate *driver,
                           virDomainObj **vm,
                           virDomainMemoryStatPtr stats,
                           unsigned int nr_stats)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(libxlStatsDomain) d = NULL;
    libxl_dominfo info;
    unsigned int n = 0;
    int ret = -1;

    if (!(d = libxlStatsDomainGet(vm)))
        return -1;

    libxl_dominfo_init(&info);
    if (libxlDomainInfoGet(cfg->ctx, d->id, &info) < 0)
        goto cleanup;

#define LIBXL_STATS_MEM(TAG, VAL) \
    do { \
        if (n < nr_stats) { \
            stats[n].tag = TAG; \
            stats[n].val = VAL; \
            n++; \
        } \
    } while (0)

    /* The balloon's size is the memory Xen gives the domain now; the
     * memory it may balloon up to is its maximum; what it occupies on
     * the host is that same allocation (Xen does not swap guests: paged
     * out pages are not counted in it).  unused, usable, swap and page
     * fault counts exist only inside the guest: Xen's balloon driver
     * reports none of them to Domain-0, so they are left out. */
    LIBXL_STATS_MEM(VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON, info.current_memkb);
    LIBXL_STATS_MEM(VIR_DOMAIN_MEMORY_STAT_AVAILABLE,
                    MAX(d->maxmem, info.max_memkb));
    LIBXL_STATS_MEM(VIR_DOMAIN_MEMORY_STAT_RSS, info.current_memkb);
#undef LIBXL_STATS_MEM

    if (libxlStatsDomainStillRuns(d) < 0)
        goto cleanup;
    ret = n;

 cleanup:
    libxl_dominfo_dispose(&info);
    return ret;
}


/*
 * libxlDomainSetMemoryStatsPeriodWork:
 * QEMU asks its virtio balloon to poll the guest's memory statistics
 * every period; Xen's balloon has no statistics and nothing to poll, so
 * a period would be a setting with no effect: refused, saying why,
 * rather than stored in <memballoon> for nothing.
 */
int
libxlDomainSetMemoryStatsPeriodWork(void)
{
    virReportError(VIR_ERR_OPERATION_UNSUPPORTED, "%s",
                   _("Xen's balloon driver collects no guest memory statistics: there is no statistics period to set"));
    return -1;
}


/*
 * libxlDomainGetCPUStatsWork:
 * Total: the domain's CPU time.  Per CPU (start_cpu >= 0): Xen accounts
 * CPU time per vCPU, not per physical CPU (a vCPU migrates between
 * physical CPUs and Xen keeps no per-pCPU split), so the entries are the
 * domain's vCPUs: entry i is vCPU i's cpu_time and vcpu_time, and the
 * number of entries (ncpus == 0) is the domain's maximum vCPUs.
 */
int
libxlDomainGetCPUStatsWork(libxlDriverPrivate *driver,
                           virDomainObj **vm,
                           virTypedParameterPtr params,
                           unsigned int nparams,
                           int start_cpu,
                           unsigned int ncpus)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(libxlStatsDomain) d = NULL;
    libxl_vcpuinfo *vcpus = NULL;
    libxl_dominfo info;
    int nvcpus = 0;
    int nhost = 0;
    size_t i;
    int ret = -1;

    if (!(d = libxlStatsDomainGet(vm)))
        return -1;

    libxl_dominfo_init(&info);

    if (start_cpu == -1) {
        if (nparams == 0) {
            ret = 1;
            goto cleanup;
        }
        if (libxlDomainInfoGet(cfg->ctx, d->id, &info) < 0)
            goto cleanup;
        if (virTypedParameterAssign(&params[0], VIR_DOMAIN_CPU_STATS_CPUTIME,
                                    VIR_TYPED_PARAM_ULLONG, info.cpu_time) < 0)
            goto cleanup;
        ret = 1;
        goto check;
    }

    /* the number of entries */
    if (nparams == 0 && ncpus == 0) {
        ret = d->maxvcpus;
        goto cleanup;
    }
    /* the number of parameters per entry */
    if (nparams == 0) {
        ret = 2;
        goto cleanup;
    }

    if (start_cpu >= (int) d->maxvcpus) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("start_cpu %d larger than maximum of %d"),
                       start_cpu, d->maxvcpus - 1);
        goto cleanup;
    }

    if (!(vcpus = libxl_list_vcpu(cfg->ctx, d->id, &nvcpus, &nhost))) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR,
                         _("libxl_list_vcpu failed for domain %d"), d->id);
        goto cleanup;
    }

    memset(params, 0, sizeof(*params) * nparams * ncpus);
    for (i = 0; i < ncpus && start_cpu + i < d->maxvcpus; i++) {
        virTypedParameterPtr p = &params[i * nparams];
        unsigned long long t = 0;
        size_t j;

        for (j = 0; j < nvcpus; j++) {
            if (vcpus[j].vcpuid == start_cpu + i)
                t = vcpus[j].vcpu_time;
        }
        if (virTypedParameterAssign(&p[0], VIR_DOMAIN_CPU_STATS_CPUTIME,
                                    VIR_TYPED_PARAM_ULLONG, t) < 0)
            goto cleanup;
        if (nparams > 1 &&
            virTypedParameterAssign(&p[1], VIR_DOMAIN_CPU_STATS_VCPUTIME,
                                    VIR_TYPED_PARAM_ULLONG, t) < 0)
            goto cleanup;
    }
    ret = MIN(nparams, 2);

 check:
    if (libxlStatsDomainStillRuns(d) < 0)
        ret = -1;

 cleanup:
    if (vcpus)
        libxl_vcpuinfo_list_free(vcpus, nvcpus);
    libxl_dominfo_dispose(&info);
    return ret;
}


/*
 * libxlNodeGetCPUStatsWork:
 * Xen knows one thing of a physical CPU's time: how long it was idle
 * (xc_getcpuinfo, nanoseconds since Xen booted).  What it spent running
 * vCPUs or itself is not split into user and kernel time, so only
 * "idle" is reported, per CPU or summed over all.
 */
int
libxlNodeGetCPUStatsWork(libxlDriverPrivate *driver,
                         int cpuNum,
                         virNodeCPUStatsPtr params,
                         int *nparams)
{
    xc_interface *xch = NULL;
    g_autofree xc_cpuinfo_t *info = NULL;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_physinfo phys;
    unsigned long long idle = 0;
    int ncpus = 0;
    size_t i;
    int ret = -1;

    if (*nparams == 0) {
        *nparams = 1;
        return 0;
    }

    libxl_physinfo_init(&phys);
    if (libxl_get_physinfo(cfg->ctx, &phys) != 0) {
        libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                         _("libxl_get_physinfo failed"));
        goto cleanup;
    }
    if (cpuNum != VIR_NODE_CPU_STATS_ALL_CPUS &&
        (cpuNum < 0 || cpuNum > (int) phys.max_cpu_id)) {
        virReportInvalidArg(cpuNum,
                            _("cpuNum in %s only accepts values between 0 and %d or %d"),
                            __FUNCTION__, phys.max_cpu_id,
                            VIR_NODE_CPU_STATS_ALL_CPUS);
        goto cleanup;
    }

    if (!(xch = xc_interface_open(NULL, NULL, 0))) {
        virReportSystemError(errno, "%s",
                             _("cannot open libxenctrl to read the CPUs' idle time"));
        goto cleanup;
    }
    info = g_new0(xc_cpuinfo_t, phys.max_cpu_id + 1);
    if (xc_getcpuinfo(xch, phys.max_cpu_id + 1, info, &ncpus) < 0) {
        virReportSystemError(errno, "%s", _("xc_getcpuinfo failed"));
        goto cleanup;
    }
    if (cpuNum >= ncpus) {
        virReportInvalidArg(cpuNum, _("physical CPU %d is not online"), cpuNum);
        goto cleanup;
    }

    if (cpuNum == VIR_NODE_CPU_STATS_ALL_CPUS) {
        for (i = 0; i < ncpus; i++)
            idle += info[i].idletime;
    } else {
        idle = info[cpuNum].idletime;
    }

    if (virStrcpyStatic(params[0].field, VIR_NODE_CPU_STATS_IDLE) < 0)
        goto cleanup;
    params[0].value = idle;
    *nparams = 1;
    ret = 0;

 cleanup:
    if (xch)
        xc_interface_close(xch);
    libxl_physinfo_dispose(&phys);
    return ret;
}


/*
 * libxlNodeGetMemoryStatsWork:
 * total and free memory of the host (libxl_get_physinfo: Xen's pages) or
 * of a NUMA cell (libxl_get_numainfo), in KiB.  Xen has no buffers and
 * no page cache of its own: those are Domain-0's, not the host's.
 */
int
libxlNodeGetMemoryStatsWork(libxlDriverPrivate *driver,
                            int cellNum,
                            virNodeMemoryStatsPtr params,
                            int *nparams)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_numainfo *numa = NULL;
    libxl_physinfo phys;
    unsigned long long total;
    unsigned long long freemem;
    int nnodes = 0;
    int ret = -1;

    if (*nparams == 0) {
        *nparams = 2;
        return 0;
    }
    if (*nparams < 2) {
        virReportInvalidArg(nparams, _("nparams in %s must be 2"), __FUNCTION__);
        return -1;
    }

    libxl_physinfo_init(&phys);
    if (cellNum == VIR_NODE_MEMORY_STATS_ALL_CELLS) {
        if (libxl_get_physinfo(cfg->ctx, &phys) != 0) {
            libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                             _("libxl_get_physinfo failed"));
            goto cleanup;
        }
        total = phys.total_pages * (XC_PAGE_SIZE / 1024);
        freemem = phys.free_pages * (XC_PAGE_SIZE / 1024);
    } else {
        if (!(numa = libxl_get_numainfo(cfg->ctx, &nnodes)) || nnodes <= 0) {
            libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                             _("libxl_get_numainfo failed"));
            goto cleanup;
        }
        if (cellNum < 0 || cellNum >= nnodes ||
            numa[cellNum].size == LIBXL_NUMAINFO_INVALID_ENTRY) {
            virReportInvalidArg(cellNum,
                                _("cellNum in %s only accepts values between 0 and %d or %d"),
                                __FUNCTION__, nnodes - 1,
                                VIR_NODE_MEMORY_STATS_ALL_CELLS);
            goto cleanup;
        }
        total = numa[cellNum].size / 1024;
        freemem = numa[cellNum].free / 1024;
    }

    if (virStrcpyStatic(params[0].field, VIR_NODE_MEMORY_STATS_TOTAL) < 0 ||
        virStrcpyStatic(params[1].field, VIR_NODE_MEMORY_STATS_FREE) < 0)
        goto cleanup;
    params[0].value = total;
    params[1].value = freemem;
    *nparams = 2;
    ret = 0;

 cleanup:
    if (numa)
        libxl_numainfo_list_free(numa, nnodes);
    libxl_physinfo_dispose(&phys);
    return ret;
}


/* ---- virConnectGetAllDomainStats ----------------------------------- */

/* What one call shares between domains: read once for all of them. */
typedef struct _libxlStatsBulk libxlStatsBulk;
struct _libxlStatsBulk {
    libxl_ctx *ctx;
    unsigned int stats;
    bool backing;
    /* libxl_list_domain: domid -> libxl_dominfo */
    libxl_dominfo *dominfo;
    int ndominfo;
    GHashTable *byDomid;
    /* /proc/net/dev, NULL if it could not be read */
    GHashTable *netdev;
};


static int
libxlStatsBulkState(libxlStatsDomain *d,
                    const libxl_dominfo *info G_GNUC_UNUSED,
                    virTypedParamList *params)
{
    if (virTypedParamListAddInt(params, d->state, "state.state") < 0 ||
        virTypedParamListAddInt(params, d->reason, "state.reason") < 0)
        return -1;
    return 0;
}


static int
libxlStatsBulkCpu(libxlStatsDomain *d,
                  const libxl_dominfo *info,
                  virTypedParamList *params)
{
    /* Xen does not split a domain's time into user and system time */
    if (d->active && info &&
        virTypedParamListAddULLong(params, info->cpu_time, "cpu.time") < 0)
        return -1;
    return 0;
}


static int
libxlStatsBulkBalloon(libxlStatsDomain *d,
                      const libxl_dominfo *info,
                      virTypedParamList *params)
{
    unsigned long long cur = d->curmem;

    /* the maximum is the domain's, as virDomainGetMaxMemory and getInfo
     * say it: Xen's max_memkb carries libxl's slack (LIBXL_MAXMEM_CONSTANT)
     * above it */
    if (d->active && info)
        cur = info->current_memkb;
    if (virTypedParamListAddULLong(params, cur, "balloon.current") < 0 ||
        virTypedParamListAddULLong(params, d->maxmem, "balloon.maximum") < 0)
        return -1;
    if (d->active && info &&
        virTypedParamListAddULLong(params, info->current_memkb, "balloon.rss") < 0)
        return -1;
    return 0;
}


/* libvirt's state of a vCPU Xen reports: a runnable vCPU (preempted,
 * or its domain paused) is as much "running" as one on a CPU now */
static int
libxlStatsVcpuState(bool online, bool blocked)
{
    if (!online)
        return VIR_VCPU_OFFLINE;
    return blocked ? VIR_VCPU_BLOCKED : VIR_VCPU_RUNNING;
}


static int
libxlStatsBulkVcpu(libxlStatsBulk *bulk,
                   libxlStatsDomain *d,
                   const libxl_dominfo *info,
                   virTypedParamList *params)
{
    libxl_vcpuinfo *vcpus = NULL;
    int nvcpus = 0;
    int nhost = 0;
    size_t i;
    int ret = -1;

    if (virTypedParamListAddUInt(params,
                                 d->active && info && info->vcpu_online ?
                                 info->vcpu_online : d->vcpus,
                                 "vcpu.current") < 0 ||
        virTypedParamListAddUInt(params, d->maxvcpus, "vcpu.maximum") < 0)
        return -1;

    if (!d->active || !info)
        return 0;

    /* A domain of one vCPU: Xen's domain CPU time is the sum of its vCPUs'
     * and its running/blocked flags are its vCPUs' (XEN_DOMCTL_getdomaininfo),
     * so libxl_dominfo already says all libxl_list_vcpu would. */
    if (info->vcpu_max_id == 0 && info->vcpu_online == 1) {
        if (virTypedParamListAddInt(params,
                                    libxlStatsVcpuState(true, info->blocked),
                                    "vcpu.0.state") < 0 ||
            virTypedParamListAddULLong(params, info->cpu_time, "vcpu.0.time") < 0)
            return -1;
        return 0;
    }

    /* a domain that vanished meanwhile has no vCPUs left to report */
    if (!(vcpus = libxl_list_vcpu(bulk->ctx, d->id, &nvcpus, &nhost)))
        return 0;

    for (i = 0; i < nvcpus; i++) {
        if (!vcpus[i].online)
            continue;
        if (virTypedParamListAddInt(params,
                                    libxlStatsVcpuState(true, vcpus[i].blocked),
                                    "vcpu.%u.state", vcpus[i].vcpuid) < 0 ||
            virTypedParamListAddULLong(params, vcpus[i].vcpu_time,
                                       "vcpu.%u.time", vcpus[i].vcpuid) < 0)
            goto cleanup;
    }
    ret = 0;

 cleanup:
    libxl_vcpuinfo_list_free(vcpus, nvcpus);
    return ret;
}


static int
libxlStatsBulkInterface(libxlStatsBulk *bulk,
                        libxlStatsDomain *d,
                        virTypedParamList *params)
{
    size_t i;

    /* as QEMU's: interfaces only of running domains */
    if (!d->active)
        return 0;

    if (virTypedParamListAddUInt(params, d->nnets, "net.count") < 0)
        return -1;

    for (i = 0; i < d->nnets; i++) {
        virDomainInterfaceStatsStruct s;

        if (virTypedParamListAddString(params, d->nets[i].ifname,
                                       "net.%zu.name", i) < 0)
            return -1;
        if (!bulk->netdev || !libxlStatsNetGet(bulk->netdev, &d->nets[i], &s))
            continue;

#define LIBXL_STATS_NET(NAME, VAL) \
        if (virTypedParamListAddULLong(params, VAL, "net.%zu." NAME, i) < 0) \
            return -1

        LIBXL_STATS_NET("rx.bytes", s.rx_bytes);
        LIBXL_STATS_NET("rx.pkts", s.rx_packets);
        LIBXL_STATS_NET("rx.errs", s.rx_errs);
        LIBXL_STATS_NET("rx.drop", s.rx_drop);
        LIBXL_STATS_NET("tx.bytes", s.tx_bytes);
        LIBXL_STATS_NET("tx.pkts", s.tx_packets);
        LIBXL_STATS_NET("tx.errs", s.tx_errs);
        LIBXL_STATS_NET("tx.drop", s.tx_drop);
#undef LIBXL_STATS_NET
    }
    return 0;
}


/* block.N.name, path, backingIndex and sizes of one image */
static int
libxlStatsBulkBlockHeader(virTypedParamList *params,
                          size_t n,
                          const char *dst,
                          const char *path,
                          int type,
                          int format,
                          unsigned int backingIndex)
{
    unsigned long long capacity, allocation, physical;

    if (virTypedParamListAddString(params, dst, "block.%zu.name", n) < 0)
        return -1;
    if (path &&
        virTypedParamListAddString(params, path, "block.%zu.path", n) < 0)
        return -1;
    if (backingIndex &&
        virTypedParamListAddUInt(params, backingIndex,
                                 "block.%zu.backingIndex", n) < 0)
        return -1;

    if (!path)
        return 0;
    /* an image that cannot be read has no sizes here, not an error */
    if (libxlStatsBlockSizes(path, type, format, &capacity,
                             &allocation, &physical) < 0) {
        virResetLastError();
        return 0;
    }
    if (virTypedParamListAddULLong(params, allocation, "block.%zu.allocation", n) < 0 ||
        virTypedParamListAddULLong(params, capacity, "block.%zu.capacity", n) < 0 ||
        virTypedParamListAddULLong(params, physical, "block.%zu.physical", n) < 0)
        return -1;
    return 0;
}


static int
libxlStatsBulkBlock(libxlStatsBulk *bulk,
                    libxlStatsDomain *d,
                    virTypedParamList *params)
{
    g_autofree libxlStatsBlock *none = NULL;
    libxlStatsBlock *blocks = d->blocks;
    size_t count = 0;
    size_t countIdx;
    size_t n = 0;
    size_t i, j;

    /* the counters libxlStatsBulkRead read, if the domain runs */
    if (!blocks) {
        blocks = none = g_new0(libxlStatsBlock, d->ndisks);
        for (i = 0; i < d->ndisks; i++)
            libxlStatsBlockInit(&blocks[i]);
    }
    for (i = 0; i < d->ndisks; i++)
        count += 1 + (bulk->backing ? d->disks[i].nbacking : 0);
    countIdx = params->npar;
    if (virTypedParamListAddUInt(params, count, "block.count") < 0)
        return -1;

    for (i = 0; i < d->ndisks; i++) {
        libxlStatsDisk *disk = &d->disks[i];
        libxlStatsBlock *b = &blocks[i];

        if (libxlStatsBulkBlockHeader(params, n, disk->dst, disk->path,
                                      disk->type, disk->format, 0) < 0)
            return -1;

        if (b->found) {
#define LIBXL_STATS_BLK(NAME, VAL) \
            if ((VAL) >= 0 && \
                virTypedParamListAddULLong(params, VAL, "block.%zu." NAME, n) < 0) \
                return -1

            LIBXL_STATS_BLK("rd.reqs", b->rd_req);
            LIBXL_STATS_BLK("rd.bytes", b->rd_bytes);
            LIBXL_STATS_BLK("rd.times", b->rd_ns);
            LIBXL_STATS_BLK("wr.reqs", b->wr_req);
            LIBXL_STATS_BLK("wr.bytes", b->wr_bytes);
            LIBXL_STATS_BLK("wr.times", b->wr_ns);
            LIBXL_STATS_BLK("fl.reqs", b->fl_req);
            LIBXL_STATS_BLK("fl.times", b->fl_ns);
#undef LIBXL_STATS_BLK
        }
        n++;

        if (!bulk->backing)
            continue;
        for (j = 0; j < disk->nbacking; j++) {
            if (libxlStatsBulkBlockHeader(params, n, disk->dst,
                                          disk->backingPaths[j],
                                          VIR_STORAGE_TYPE_FILE,
                                          disk->backingFormats[j],
                                          disk->backingIndex[j]) < 0)
                return -1;
            n++;
        }
    }

    params->par[countIdx].value.ui = n;
    return 0;
}


static int
libxlStatsBulkDomain(libxlStatsBulk *bulk,
                     virConnectPtr conn,
                     libxlStatsDomain *d,
                     virDomainStatsRecordPtr *record)
{
    g_autoptr(virTypedParamList) params = g_new0(virTypedParamList, 1);
    g_autofree virDomainStatsRecordPtr rec = g_new0(virDomainStatsRecord, 1);
    const libxl_dominfo *info = NULL;

    if (d->active)
        info = g_hash_table_lookup(bulk->byDomid, GINT_TO_POINTER(d->id));

    if (bulk->stats & VIR_DOMAIN_STATS_STATE &&
        libxlStatsBulkState(d, info, params) < 0)
        return -1;
    if (bulk->stats & VIR_DOMAIN_STATS_CPU_TOTAL &&
        libxlStatsBulkCpu(d, info, params) < 0)
        return -1;
    if (bulk->stats & VIR_DOMAIN_STATS_BALLOON &&
        libxlStatsBulkBalloon(d, info, params) < 0)
        return -1;
    if (bulk->stats & VIR_DOMAIN_STATS_VCPU &&
        libxlStatsBulkVcpu(bulk, d, info, params) < 0)
        return -1;
    if (bulk->stats & VIR_DOMAIN_STATS_INTERFACE &&
        libxlStatsBulkInterface(bulk, d, params) < 0)
        return -1;
    if (bulk->stats & VIR_DOMAIN_STATS_BLOCK &&
        libxlStatsBulkBlock(bulk, d, params) < 0)
        return -1;

    virObjectLock(d->vm);
    rec->dom = virGetDomain(conn, d->vm->def->name, d->vm->def->uuid,
                            d->vm->def->id);
    virObjectUnlock(d->vm);
    if (!rec->dom)
        return -1;

    rec->nparams = virTypedParamListStealParams(params, &rec->params);
    *record = g_steal_pointer(&rec);
    return 0;
}


/*
 * libxlStatsBulkRead:
 * The counters of @d's disks that no call shares with other domains
 * (blkback's sysfs files, the device model's answer), into @d->blocks.
 */
static int
libxlStatsBulkRead(libxlStatsBulk *bulk, libxlStatsDomain *d)
{
    if (!(bulk->stats & VIR_DOMAIN_STATS_BLOCK) || !d->active || !d->ndisks)
        return 0;
    d->blocks = g_new0(libxlStatsBlock, d->ndisks);
    return libxlStatsBlockRead(d, NULL, d->blocks, true);
}


/*
 * The records of a thousand domains are a thousand disks' blkback counters
 * (six files each in sysfs), images to stat and typed parameters to build:
 * independent per domain, so a call shares them among up to
 * LIBXL_STATS_WORKERS threads (one per host CPU, at least
 * LIBXL_STATS_PER_WORKER domains each) in two passes over the domains,
 * each handed out LIBXL_STATS_CHUNK at a time (a thread another process
 * holds off its CPU leaves its share to the others):
 *  1. the disks' counters (libxlStatsBulkRead), which need nothing the
 *     call shares: the other threads start on it while the caller's thread
 *     asks libxl for all domains' dominfo and reads /proc/net/dev;
 *  2. once both are done, each domain's record (libxlStatsBulkDomain),
 *     in @records[i] for @snaps[i]: the order of the list.
 */
#define LIBXL_STATS_WORKERS 4
#define LIBXL_STATS_PER_WORKER 64
#define LIBXL_STATS_CHUNK 16

typedef struct _libxlStatsWork libxlStatsWork;
struct _libxlStatsWork {
    libxlStatsBulk *bulk;
    virConnectPtr conn;
    libxlStatsDomain **snaps;
    virDomainStatsRecordPtr *records;
    int n;
    int nextRead;               /* atomic: pass 1's next domain */
    int nextRecord;             /* atomic: pass 2's next domain */
    int failed;                 /* atomic: a thread failed, all stop */

    virMutex lock;
    virCond cond;               /* signalled when one of these changes: */
    int nread;                  /* domains pass 1 is done with */
    bool ready;                 /* what the caller's thread shares is read */
};

typedef struct _libxlStatsWorker libxlStatsWorker;
struct _libxlStatsWorker {
    virThread thread;
    libxlStatsWork *work;
    virErrorPtr err;            /* the error that stopped it, if any */
};


static void
libxlStatsWorkerFail(libxlStatsWorker *w)
{
    virErrorPreserveLast(&w->err);
    g_atomic_int_set(&w->work->failed, 1);
}


/* Pass 1, as long as domains are left to it. */
static void
libxlStatsWorkerRead(libxlStatsWorker *w)
{
    libxlStatsWork *work = w->work;
    int first;

    while ((first = g_atomic_int_add(&work->nextRead,
                                     LIBXL_STATS_CHUNK)) < work->n) {
        size_t last = MIN((size_t)work->n, (size_t)first + LIBXL_STATS_CHUNK);
        size_t i;

        for (i = first; i < last; i++) {
            if (!g_atomic_int_get(&work->failed) &&
                libxlStatsBulkRead(work->bulk, work->snaps[i]) < 0)
                libxlStatsWorkerFail(w);
        }
        virMutexLock(&work->lock);
        work->nread += last - first;
        if (work->nread == work->n)
            virCondBroadcast(&work->cond);
        virMutexUnlock(&work->lock);
    }
}


static void
libxlStatsWorkerRun(void *opaque)
{
    libxlStatsWorker *w = opaque;
    libxlStatsWork *work = w->work;
    int first;

    libxlStatsWorkerRead(w);

    /* pass 2 needs every domain's counters and the caller's shared data */
    virMutexLock(&work->lock);
    while (!work->ready || work->nread < work->n)
        ignore_value(virCondWait(&work->cond, &work->lock));
    virMutexUnlock(&work->lock);

    while ((first = g_atomic_int_add(&work->nextRecord,
                                     LIBXL_STATS_CHUNK)) < work->n) {
        size_t last = MIN((size_t)work->n, (size_t)first + LIBXL_STATS_CHUNK);
        size_t i;

        for (i = first; i < last; i++) {
            if (g_atomic_int_get(&work->failed))
                return;
            if (libxlStatsBulkDomain(work->bulk, work->conn, work->snaps[i],
                                     &work->records[i]) < 0) {
                libxlStatsWorkerFail(w);
                return;
            }
        }
    }
}


/*
 * libxlStatsBulkRecords:
 * Fill @records[i] for each of the @n snapshots @snaps, @prepare(@bulk)
 * first filling what @bulk shares between domains.  Returns 0, or -1 with
 * the first error (the records made are left in @records, possibly with
 * gaps).
 */
static int
libxlStatsBulkRecords(libxlStatsBulk *bulk,
                      int (*prepare)(libxlStatsBulk *bulk),
                      virConnectPtr conn,
                      libxlStatsDomain **snaps,
                      size_t n,
                      virDomainStatsRecordPtr *records)
{
    libxlStatsWork work = { .bulk = bulk, .conn = conn, .snaps = snaps,
                            .records = records, .n = n };
    g_autofree libxlStatsWorker *w = NULL;
    size_t nworkers = MIN(LIBXL_STATS_WORKERS, g_get_num_processors());
    size_t started = 1;
    size_t i;
    int ret = 0;

    if (n > INT_MAX - LIBXL_STATS_CHUNK * (LIBXL_STATS_WORKERS + 1)) {
        virReportError(VIR_ERR_INTERNAL_ERROR,
                       _("too many domains: %zu"), n);
        return -1;
    }
    if (virMutexInit(&work.lock) < 0)
        return -1;
    if (virCondInit(&work.cond) < 0) {
        virMutexDestroy(&work.lock);
        return -1;
    }

    nworkers = MAX(1, MIN(nworkers, n / LIBXL_STATS_PER_WORKER));
    w = g_new0(libxlStatsWorker, nworkers);
    for (i = 0; i < nworkers; i++)
        w[i].work = &work;

    /* the caller's thread is the first worker; a thread that cannot be
     * started leaves its share to the others */
    for (i = 1; i < nworkers; i++) {
        if (virThreadCreateFull(&w[i].thread, true, libxlStatsWorkerRun,
                                "libxl-stats", false, &w[i]) < 0) {
            VIR_WARN("statistics of %zu domains in fewer threads: %s",
                     n, virGetLastErrorMessage());
            virResetLastError();
            break;
        }
        started++;
    }

    if (prepare(bulk) < 0)
        libxlStatsWorkerFail(&w[0]);
    virMutexLock(&work.lock);
    work.ready = true;
    virCondBroadcast(&work.cond);
    virMutexUnlock(&work.lock);

    libxlStatsWorkerRun(&w[0]);
    for (i = 1; i < started; i++)
        virThreadJoin(&w[i].thread);

    for (i = 0; i < started; i++) {
        if (w[i].err && ret == 0) {
            virErrorRestore(&w[i].err);
            ret = -1;
        }
        virFreeError(w[i].err);
    }
    if (ret == 0 && g_atomic_int_get(&work.failed)) {
        /* cannot happen: a thread failed without an error */
        virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                       _("statistics failed"));
        ret = -1;
    }
    virCondDestroy(&work.cond);
    virMutexDestroy(&work.lock);
    return ret;
}


/*
 * libxlStatsBulkPrepare:
 * What @bulk's domains share: libxl's dominfo of all of them (one
 * libxl_list_domain) and /proc/net/dev, as the groups need them.
 */
static int
libxlStatsBulkPrepare(libxlStatsBulk *bulk)
{
    size_t i;

    if (bulk->stats & (VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
                       VIR_DOMAIN_STATS_VCPU)) {
        if (!(bulk->dominfo = libxl_list_domain(bulk->ctx, &bulk->ndominfo))) {
            libxlReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                             _("libxl_list_domain failed"));
            return -1;
        }
        for (i = 0; i < bulk->ndominfo; i++)
            g_hash_table_insert(bulk->byDomid,
                                GINT_TO_POINTER(bulk->dominfo[i].domid),
                                &bulk->dominfo[i]);
    }

    if (bulk->stats & VIR_DOMAIN_STATS_INTERFACE) {
        if (!(bulk->netdev = libxlStatsNetDevRead())) {
            VIR_WARN("no interface statistics: %s", virGetLastErrorMessage());
            virResetLastError();
        }
    }
    return 0;
}


/*
 * libxlConnectGetAllDomainStatsWork:
 * The records of getAllDomainStats, once the entry point in
 * libxl_driver.c has checked the caller's ACL; @filter is its per
 * domain ACL filter.
 */
int
libxlConnectGetAllDomainStatsWork(virConnectPtr conn,
                                  virDomainPtr *doms,
                                  unsigned int ndoms,
                                  unsigned int stats,
                                  virDomainStatsRecordPtr **retStats,
                                  unsigned int flags,
                                  virDomainObjListACLFilter filter)
{
    libxlDriverPrivate *driver = conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = NULL;
    bool enforce = !!(flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS);
    unsigned int lflags = flags & (VIR_CONNECT_LIST_DOMAINS_FILTERS_ACTIVE |
                                   VIR_CONNECT_LIST_DOMAINS_FILTERS_PERSISTENT |
                                   VIR_CONNECT_LIST_DOMAINS_FILTERS_STATE);
    virDomainObj **vms = NULL;
    size_t nvms = 0;
    libxlStatsDomain **snaps = NULL;
    virDomainStatsRecordPtr *records = NULL;
    libxlStatsBulk bulk = { 0 };
    size_t nrecords = 0;
    size_t i;
    int ret = -1;

    if (stats == 0) {
        stats = LIBXL_STATS_GROUPS;
    } else if (enforce && (stats & ~LIBXL_STATS_GROUPS)) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED,
                       _("Stats types bits 0x%x are not supported by this daemon or Xen"),
                       stats & ~LIBXL_STATS_GROUPS);
        return -1;
    }
    stats &= LIBXL_STATS_GROUPS;

    if (ndoms) {
        if (virDomainObjListConvert(driver->domains, conn, doms, ndoms,
                                    &vms, &nvms,
                                    filter, lflags, true) < 0)
            return -1;
    } else {
        virDomainObjListCollect(driver->domains, conn, &vms, &nvms,
                                filter, lflags);
    }

    /* Nothing here waits for a domain's job (statistics take none), so
     * NOWAIT holds by construction. */
    cfg = libxlDriverConfigGet(driver);
    bulk.ctx = cfg->ctx;
    bulk.stats = stats;
    bulk.backing = !!(flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING);
    bulk.byDomid = g_hash_table_new(g_direct_hash, g_direct_equal);

    /* copy what each domain needs: one lock each, no I/O under it */
    snaps = g_new0(libxlStatsDomain *, nvms);
    for (i = 0; i < nvms; i++) {
        virObjectLock(vms[i]);
        snaps[i] = libxlStatsDomainNew(vms[i]);
        virObjectUnlock(vms[i]);
    }

    records = g_new0(virDomainStatsRecordPtr, nvms + 1);
    if (libxlStatsBulkRecords(&bulk, libxlStatsBulkPrepare, conn,
                              snaps, nvms, records) < 0) {
        /* close the gaps a failed worker left: the list ends at its NULL */
        for (i = 0; i < nvms; i++) {
            if (records[i])
                records[nrecords++] = records[i];
        }
        records[nrecords] = NULL;
        goto cleanup;
    }

    *retStats = g_steal_pointer(&records);
    ret = nvms;

 cleanup:
    virDomainStatsRecordListFree(records);
    for (i = 0; i < nvms; i++)
        libxlStatsDomainFree(snaps ? snaps[i] : NULL);
    g_free(snaps);
    virObjectListFreeCount(vms, nvms);
    if (bulk.dominfo)
        libxl_dominfo_list_free(bulk.dominfo, bulk.ndominfo);
    g_hash_table_unref(bulk.byDomid);
    if (bulk.netdev)
        g_hash_table_unref(bulk.netdev);
    return ret;
}

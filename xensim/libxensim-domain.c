/*
 * libxensim-domain.c: the libxl entry points of the domain lifecycle,
 * consoles and device lists
 *
 * The long ones are asynchronous operations (libxensim-event.c): create
 * (xensimd builds the domain; HVM guests also get a device model child,
 * PV guests with a bootloader a bootloader child), destroy (devices and
 * xenstore nodes go, then a destroyer child kills the domain, which is
 * dying, then gone).  The others complete at once, through the same
 * machinery, so that an ao_how callback or event comes as libxl's would.
 * What libxl reads in the application's process (the PV kernel and
 * ramdisk) is read here; the stored libxl_domain_config is the answer to
 * libxl_retrieve_domain_configuration and to the device lists.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#pragma GCC visibility push(default)
#include <libxl.h>
#include <libxl_utils.h>
#pragma GCC visibility pop

#include "libxensim-client.h"
#include "libxensim-libxl.h"
#include "xensim-proto.h"

/* libxl's own deadlines: device model start, domain destroy (ms) */
#define XENSIM_CREATE_TIMEOUT_MS (60 * 1000)
#define XENSIM_DESTROY_TIMEOUT_MS (10 * 1000)
/* how long libxl waits for a guest to acknowledge a shutdown request */
#define XENSIM_PVCONTROL_TIMEOUT_MS (60 * 1000)

/* libxl reads the kernel and ramdisk into the domain: they must be
 * there and readable, in the application's file system. */
static int
xensimCheckImage(libxl_ctx *ctx, const char *what, const char *path)
{
    int fd;

    if (!path)
        return 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
        xensimCtxLog(ctx, XTL_ERROR, "xc_dom_%s_file failed: %s: %s", what, path,
                     g_strerror(errno));
        return ERROR_FAIL;
    }
    close(fd);
    return 0;
}

static const char *
xensimKernel(libxl_domain_build_info *b_info)
{
    if (b_info->kernel)
        return b_info->kernel;
    if (b_info->type == LIBXL_DOMAIN_TYPE_PV)
        return b_info->u.pv.kernel;
    return NULL;
}

static const char *
xensimRamdisk(libxl_domain_build_info *b_info)
{
    if (b_info->ramdisk)
        return b_info->ramdisk;
    if (b_info->type == LIBXL_DOMAIN_TYPE_PV)
        return b_info->u.pv.ramdisk;
    return NULL;
}

/* What libxl's setdefault functions fill in that the rest relies on. */
void
xensimConfigSetDefaults(libxl_domain_config *d_config)
{
    libxl_domain_build_info *b_info = &d_config->b_info;
    int i;

    if (libxl_uuid_is_nil(&d_config->c_info.uuid))
        libxl_uuid_generate(&d_config->c_info.uuid);
    if (b_info->max_memkb == LIBXL_MEMKB_DEFAULT)
        b_info->max_memkb = 32 * 1024;
    if (b_info->target_memkb == LIBXL_MEMKB_DEFAULT)
        b_info->target_memkb = b_info->max_memkb;
    if (!b_info->max_vcpus)
        b_info->max_vcpus = 1;
    for (i = 0; i < d_config->num_nics; i++) {
        if (d_config->nics[i].devid < 0)
            d_config->nics[i].devid = i;
    }
    for (i = 0; i < d_config->num_channels; i++) {
        if (d_config->channels[i].devid < 0)
            d_config->channels[i].devid = i + 1;    /* console 0 is the PV console */
    }
    for (i = 0; i < d_config->num_vtpms; i++) {
        if (d_config->vtpms[i].devid < 0)
            d_config->vtpms[i].devid = i;
    }
}

/* The backend libxl gives a disk whose backend is UNKNOWN, as its
 * libxl__device_disk_set_backend: phy (blkback) for a raw image that is a
 * block device or a regular file (Linux's libxl__try_phy_backend), else
 * qdisk (QEMU); tap only when asked for.  libxl stats the path in the
 * application's process, and a path it cannot stat fails the create. */
int
xensimDiskSetBackend(libxl_ctx *ctx, libxl_device_disk *disk)
{
    struct stat st = { 0 };
    bool raw = disk->format == LIBXL_DISK_FORMAT_RAW ||
               disk->format == LIBXL_DISK_FORMAT_UNKNOWN;

    if (disk->format == LIBXL_DISK_FORMAT_EMPTY) {
        if (!disk->is_cdrom) {
            xensimCtxLog(ctx, XTL_ERROR, "Disk vdev=%s is empty but not cdrom",
                         disk->vdev ? disk->vdev : "");
            return ERROR_INVAL;
        }
        if (disk->backend == LIBXL_DISK_BACKEND_UNKNOWN)
            disk->backend = LIBXL_DISK_BACKEND_PHY;
        return 0;
    }
    if ((disk->backend == LIBXL_DISK_BACKEND_UNKNOWN ||
         disk->backend == LIBXL_DISK_BACKEND_PHY) &&
        disk->backend_domid == 0 && !disk->script) {
        if (!disk->pdev_path || stat(disk->pdev_path, &st) < 0) {
            xensimCtxLog(ctx, XTL_ERROR, "Disk vdev=%s failed to stat: %s: %s",
                         disk->vdev ? disk->vdev : "",
                         disk->pdev_path ? disk->pdev_path : "",
                         g_strerror(disk->pdev_path ? errno : ENOENT));
            return ERROR_INVAL;
        }
    }
    if (disk->backend != LIBXL_DISK_BACKEND_UNKNOWN)
        return 0;
    if (raw && (disk->backend_domid != 0 || disk->script ||
                S_ISBLK(st.st_mode) || S_ISREG(st.st_mode)))
        disk->backend = LIBXL_DISK_BACKEND_PHY;
    else if (!disk->script)
        disk->backend = LIBXL_DISK_BACKEND_QDISK;
    else if (raw || disk->format == LIBXL_DISK_FORMAT_VHD)
        disk->backend = LIBXL_DISK_BACKEND_TAP;
    else {
        xensimCtxLog(ctx, XTL_ERROR, "no suitable backend for disk %s",
                     disk->vdev ? disk->vdev : "");
        return ERROR_INVAL;
    }
    return 0;
}

static const char *
xensimDiskBackendName(libxl_disk_backend backend)
{
    switch (backend) {
    case LIBXL_DISK_BACKEND_PHY: return "phy";
    case LIBXL_DISK_BACKEND_TAP: return "tap";
    case LIBXL_DISK_BACKEND_QDISK: return "qdisk";
    case LIBXL_DISK_BACKEND_STANDALONE: return "standalone";
    case LIBXL_DISK_BACKEND_UNKNOWN:
    default: return "phy";
    }
}

static const char *
xensimDiskFormatName(libxl_disk_format format)
{
    switch (format) {
    case LIBXL_DISK_FORMAT_QCOW: return "qcow";
    case LIBXL_DISK_FORMAT_QCOW2: return "qcow2";
    case LIBXL_DISK_FORMAT_VHD: return "vhd";
    case LIBXL_DISK_FORMAT_QED: return "qed";
    case LIBXL_DISK_FORMAT_EMPTY: return "empty";
    case LIBXL_DISK_FORMAT_UNKNOWN:
    case LIBXL_DISK_FORMAT_RAW:
    default: return "raw";
    }
}

/* The video RAM libxl's setdefault gives a domain (qemu-xen): KiB */
static uint64_t
xensimVideoMemKB(const libxl_domain_build_info *b_info)
{
    if (b_info->video_memkb != LIBXL_MEMKB_DEFAULT)
        return b_info->video_memkb;
    if (b_info->type != LIBXL_DOMAIN_TYPE_HVM)
        return 0;
    switch (b_info->u.hvm.vga.kind) {
    case LIBXL_VGA_INTERFACE_TYPE_NONE:
        return 0;
    case LIBXL_VGA_INTERFACE_TYPE_QXL:
        return 128 * 1024;
    case LIBXL_VGA_INTERFACE_TYPE_STD:
        return 16 * 1024;
    case LIBXL_VGA_INTERFACE_TYPE_UNKNOWN:
    case LIBXL_VGA_INTERFACE_TYPE_CIRRUS:
    default:
        return 8 * 1024;
    }
}

/* What libxl__build_pre and _post set of the build info's vCPU and
 * scheduling settings (xensimd-tune.c applies them): the deprecated cpumap
 * is every vCPU's hard affinity, as libxl's setdefault makes it. */
static void
xensimCreateArgsTune(GPtrArray *args, const libxl_domain_build_info *b_info)
{
    const libxl_domain_sched_params *sp = &b_info->sched_params;
    const char *sched = sp->sched == LIBXL_SCHEDULER_UNKNOWN ? "" :
                        libxl_scheduler_to_string(sp->sched);
    int i;

    if (b_info->nodemap.size) {
        guint64 bits = 0;

        for (i = 0; i < (int)b_info->nodemap.size && i < 8; i++)
            bits |= (guint64)b_info->nodemap.map[i] << (8 * i);
        g_ptr_array_add(args, g_strdup_printf("nodemap=%" G_GUINT64_FORMAT, bits));
    }
    if (b_info->num_vcpu_hard_affinity) {
        for (i = 0; i < b_info->num_vcpu_hard_affinity; i++) {
            g_autofree char *hex = xensimBitmapHex(&b_info->vcpu_hard_affinity[i]);

            g_ptr_array_add(args, g_strdup_printf("vcpu_hard=%d %s", i, hex));
        }
    } else if (b_info->cpumap.size) {
        g_autofree char *hex = xensimBitmapHex(&b_info->cpumap);

        for (i = 0; i < b_info->max_vcpus; i++)
            g_ptr_array_add(args, g_strdup_printf("vcpu_hard=%d %s", i, hex));
    }
    for (i = 0; i < b_info->num_vcpu_soft_affinity; i++) {
        g_autofree char *hex = xensimBitmapHex(&b_info->vcpu_soft_affinity[i]);

        g_ptr_array_add(args, g_strdup_printf("vcpu_soft=%d %s", i, hex));
    }
    g_ptr_array_add(args, g_strdup_printf("sched=%s %d %d %d %d", sched ? sched : "",
                                          sp->weight, sp->cap, sp->period, sp->budget));
    g_ptr_array_add(args, g_strdup_printf("video_memkb=%" PRIu64,
                                          xensimVideoMemKB(b_info)));
    /* libxl__build_pre's automatic NUMA placement: on by default, not
     * for a domain with a soft affinity or node map of its own */
    if ((libxl_defbool_is_default(b_info->numa_placement) ||
         libxl_defbool_val(b_info->numa_placement)) &&
        !b_info->cpumap.size && !b_info->num_vcpu_soft_affinity && !b_info->nodemap.size)
        g_ptr_array_add(args, g_strdup("numa_placement=1"));
}

/* xensimd's libxl_domain_create_new arguments for @d_config, built by @ao */
GPtrArray *
xensimCreateArgs(libxl_ctx *ctx, libxl_domain_config *d_config, XensimAo *ao)
{
    libxl_domain_create_info *c_info = &d_config->c_info;
    libxl_domain_build_info *b_info = &d_config->b_info;
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
    char uuid[LIBXL_UUID_FMTLEN + 1];
    char *json;
    int i, online, serials = 0;

    g_snprintf(uuid, sizeof(uuid), LIBXL_UUID_FMT, LIBXL_UUID_BYTES(c_info->uuid));
    online = b_info->avail_vcpus.size ? libxl_bitmap_count_set(&b_info->avail_vcpus)
                                      : b_info->max_vcpus;
    g_ptr_array_add(args, g_strdup_printf("name=%s", c_info->name ? c_info->name : ""));
    g_ptr_array_add(args, g_strdup_printf("uuid=%s", uuid));
    g_ptr_array_add(args, g_strdup_printf("type=%s",
                                          c_info->type == LIBXL_DOMAIN_TYPE_HVM ? "hvm" :
                                          c_info->type == LIBXL_DOMAIN_TYPE_PVH ? "pvh" :
                                          c_info->type == LIBXL_DOMAIN_TYPE_PV ? "pv" : ""));
    g_ptr_array_add(args, g_strdup_printf("max_memkb=%" PRIu64, b_info->max_memkb));
    g_ptr_array_add(args, g_strdup_printf("target_memkb=%" PRIu64, b_info->target_memkb));
    g_ptr_array_add(args, g_strdup_printf("max_vcpus=%d", b_info->max_vcpus));
    g_ptr_array_add(args, g_strdup_printf("online_vcpus=%d", online));
    g_ptr_array_add(args, g_strdup_printf("token=%s", xensimEvToken(ctx)));
    g_ptr_array_add(args, g_strdup_printf("op=%" G_GUINT64_FORMAT, xensimAoId(ao)));
    if (xensimKernel(b_info))
        g_ptr_array_add(args, g_strdup_printf("kernel=%s", xensimKernel(b_info)));
    if (c_info->type == LIBXL_DOMAIN_TYPE_HVM) {
        if (b_info->u.hvm.serial_list)
            serials = libxl_string_list_length(&b_info->u.hvm.serial_list);
        else if (b_info->u.hvm.serial)
            serials = 1;
    }
    g_ptr_array_add(args, g_strdup_printf("serials=%d", serials));
    for (i = 0; i < d_config->num_channels; i++) {
        if (d_config->channels[i].connection == LIBXL_CHANNEL_CONNECTION_PTY)
            g_ptr_array_add(args, g_strdup_printf("channel=%s",
                                                  d_config->channels[i].name ?
                                                  d_config->channels[i].name : ""));
    }
    for (i = 0; i < d_config->num_disks; i++) {
        const libxl_device_disk *disk = &d_config->disks[i];

        /* "VDEV BACKEND FORMAT disk|cdrom w|r PATH" */
        g_ptr_array_add(args, g_strdup_printf("disk=%s %s %s %s %s %s",
                                              disk->vdev ? disk->vdev : "",
                                              xensimDiskBackendName(disk->backend),
                                              xensimDiskFormatName(disk->format),
                                              disk->is_cdrom ? "cdrom" : "disk",
                                              disk->readwrite ? "w" : "r",
                                              disk->pdev_path ? disk->pdev_path : ""));
    }
    for (i = 0; i < d_config->num_nics; i++) {
        const libxl_device_nic *nic = &d_config->nics[i];

        g_ptr_array_add(args, g_strdup_printf("nic=%d %02x:%02x:%02x:%02x:%02x:%02x %s",
                                              nic->devid, nic->mac[0], nic->mac[1],
                                              nic->mac[2], nic->mac[3], nic->mac[4],
                                              nic->mac[5], nic->bridge ? nic->bridge : ""));
    }
    for (i = 0; i < d_config->num_vfbs; i++) {
        const libxl_device_vfb *vfb = &d_config->vfbs[i];

        g_ptr_array_add(args, g_strdup_printf("vfb=%d %d %s", vfb->devid < 0 ? i : vfb->devid,
                                              libxl_defbool_is_default(vfb->vnc.enable) ||
                                              libxl_defbool_val(vfb->vnc.enable) ?
                                              vfb->vnc.display : -1,
                                              vfb->vnc.listen ? vfb->vnc.listen : "127.0.0.1"));
    }
    for (i = 0; i < d_config->num_vkbs; i++)
        g_ptr_array_add(args, g_strdup_printf("vkb=%d", d_config->vkbs[i].devid < 0 ?
                                              i : d_config->vkbs[i].devid));
    for (i = 0; i < d_config->num_vtpms; i++)
        g_ptr_array_add(args, g_strdup_printf("vtpm=%d", d_config->vtpms[i].devid));
    for (i = 0; i < d_config->num_usbctrls; i++) {
        const libxl_device_usbctrl *c = &d_config->usbctrls[i];

        g_ptr_array_add(args, g_strdup_printf("usbctrl=%d %s %d %d", c->devid < 0 ? i : c->devid,
                                              c->type == LIBXL_USBCTRL_TYPE_AUTO ? "auto" :
                                              libxl_usbctrl_type_to_string(c->type),
                                              c->version, c->ports));
    }
    for (i = 0; i < d_config->num_usbdevs; i++) {
        const libxl_device_usbdev *u = &d_config->usbdevs[i];

        g_ptr_array_add(args, g_strdup_printf("usbdev=%d %d %u %u", u->ctrl, u->port,
                                              u->u.hostdev.hostbus, u->u.hostdev.hostaddr));
    }
    for (i = 0; i < d_config->num_pcidevs; i++) {
        const libxl_device_pci *pci = &d_config->pcidevs[i];

        g_ptr_array_add(args, g_strdup_printf("pci=%04x:%02x:%02x.%01x", pci->domain,
                                              pci->bus, pci->dev, pci->func));
    }
    xensimCreateArgsTune(args, b_info);
    json = libxl_domain_config_to_json(ctx, d_config);
    g_ptr_array_add(args, g_strdup_printf("json=%s", json ? json : ""));
    free(json);
    g_ptr_array_add(args, NULL);
    return args;
}

int
libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config,
                        uint32_t *domid, const libxl_asyncop_how *ao_how,
                        const libxl_asyncprogress_how *aop_console_how)
{
    libxl_domain_build_info *b_info = &d_config->b_info;
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autoptr(GPtrArray) args = NULL;
    XensimAo *ao;
    uint32_t newid;
    int i, rc;

    *domid = INVALID_DOMID;
    /* libxl's AO_CREATE(ctx, 0, ao_how): its completion event says domid 0 */
    ao = xensimAoNew(ctx, "libxl_domain_create_new", 0, ao_how,
                     XENSIM_CREATE_TIMEOUT_MS);
    xensimAoSetDomid(ao, INVALID_DOMID);
    xensimAoSetProgress(ao, aop_console_how, domid);
    xensimAoSetAbortable(ao, true);

    xensimConfigSetDefaults(d_config);
    for (i = 0; i < d_config->num_disks; i++) {
        if ((rc = xensimDiskSetBackend(ctx, &d_config->disks[i])))
            return xensimAoInProgress(ao, rc);
    }
    if (d_config->c_info.type == LIBXL_DOMAIN_TYPE_PV && !xensimKernel(b_info) &&
        !b_info->u.pv.bootloader) {
        xensimCtxLog(ctx, XTL_ERROR, "xc_dom_kernel_file failed: no kernel and "
                     "no bootloader");
        return xensimAoInProgress(ao, ERROR_FAIL);
    }
    if ((rc = xensimCheckImage(ctx, "kernel", xensimKernel(b_info))) ||
        (rc = xensimCheckImage(ctx, "ramdisk", xensimRamdisk(b_info))))
        return xensimAoInProgress(ao, rc);

    args = xensimCreateArgs(ctx, d_config, ao);
    xensimAoExpectDaemon(ao);
    if ((rc = xensimCall(ctx, "libxl_domain_create_new",
                         (const char *const *)args->pdata, &records)))
        return xensimAoInProgress(ao, rc);
    if (!(rec = xensimRecord(records)))
        return xensimAoInProgress(ao, ERROR_FAIL);
    newid = xensimRecordU64(rec, "domid", INVALID_DOMID);
    xensimAoSetDomid(ao, newid);

    /* libxl builds the domain (populates its memory: xc_dom_boot_mem_init)
     * inside the initiating call, unless a bootloader must run first: the
     * caller waits that long before the call returns */
    if (!(d_config->c_info.type == LIBXL_DOMAIN_TYPE_PV && b_info->u.pv.bootloader))
        g_usleep(xensimRecordU64(rec, "populate_ms", 0) * 1000);

    if (d_config->c_info.type == LIBXL_DOMAIN_TYPE_HVM)
        rc = xensimAoSpawnHelper(ao, "helper-start", "device-model", b_info->device_model);
    else if (d_config->c_info.type == LIBXL_DOMAIN_TYPE_PV && b_info->u.pv.bootloader)
        rc = xensimAoSpawnHelper(ao, "helper-start", "bootloader", b_info->u.pv.bootloader);
    return xensimAoInProgress(ao, rc);
}

int
libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_domain_destroy", domid, ao_how,
                               XENSIM_DESTROY_TIMEOUT_MS);
    char id[16], op[32];
    const char *args[] = { id, xensimEvToken(ctx), op, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(op, sizeof(op), "%" G_GUINT64_FORMAT, xensimAoId(ao));
    xensimAoExpectDaemon(ao);
    /* devices and xenstore first; then a child kills the domain, as libxl's
     * destroyer does (xc_domain_destroy) */
    if (!(rc = xensimCall(ctx, "libxl_domain_destroy", args, NULL)))
        rc = xensimAoSpawnHelper(ao, "domain-kill", "destroy", NULL);
    return xensimAoInProgress(ao, rc);
}

/* An operation xensimd does at once, completed through the ao machinery. */
static int
xensimSimpleAo(libxl_ctx *ctx, const char *func, uint32_t domid,
               const char *const *args, const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, func, domid, ao_how, 0);

    return xensimAoInProgress(ao, xensimCall(ctx, func, args, NULL));
}

/*
 * libxl_domain_shutdown/_reboot (libxl__domain_pvcontrol): write the
 * request to control/shutdown and wait for the guest to acknowledge it
 * (clear the node), 60 s at most (ERROR_TIMEDOUT); a refusal before the
 * request is written (no PV control interface: ERROR_NOPARAVIRT) is
 * returned directly, even for an asynchronous call (AO_CREATE_FAIL).
 */
static int
xensimPvControl(libxl_ctx *ctx, const char *func, uint32_t domid,
                const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, func, domid, ao_how, XENSIM_PVCONTROL_TIMEOUT_MS);
    char id[16], op[32];
    const char *args[] = { id, xensimEvToken(ctx), op, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(op, sizeof(op), "%" G_GUINT64_FORMAT, xensimAoId(ao));
    xensimAoExpectDaemon(ao);
    if ((rc = xensimCall(ctx, func, args, NULL)))
        return xensimAoCreateFail(ao, rc);
    return xensimAoInProgress(ao, 0);
}

int
libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    return xensimPvControl(ctx, "libxl_domain_shutdown", domid, ao_how);
}

int
libxl_domain_reboot(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    return xensimPvControl(ctx, "libxl_domain_reboot", domid, ao_how);
}

int
libxl_domain_pause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    char id[16];
    const char *args[] = { id, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimSimpleAo(ctx, "libxl_domain_pause", domid, args, ao_how);
}

int
libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid, const libxl_asyncop_how *ao_how)
{
    char id[16];
    const char *args[] = { id, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimSimpleAo(ctx, "libxl_domain_unpause", domid, args, ao_how);
}

int
libxl_send_trigger(libxl_ctx *ctx, uint32_t domid, libxl_trigger trigger,
                   uint32_t vcpuid, const libxl_asyncop_how *ao_how)
{
    char id[16];
    const char *name = libxl_trigger_to_string(trigger);
    const char *args[] = { id, name ? name : "unknown", NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimSimpleAo(ctx, "libxl_send_trigger", domid, args, ao_how);
}

/* The map goes as it is: xensimd writes cpu/N/availability for each
 * vCPU, as libxl does (none, or more than the domain has: ERROR_FAIL). */
int
libxl_set_vcpuonline(libxl_ctx *ctx, uint32_t domid, libxl_bitmap *cpumap,
                     const libxl_asyncop_how *ao_how)
{
    g_autofree char *map = xensimBitmapHex(cpumap);
    char id[16];
    const char *args[] = { id, map, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimSimpleAo(ctx, "libxl_set_vcpuonline", domid, args, ao_how);
}

int
libxl_domain_setmaxmem(libxl_ctx *ctx, uint32_t domid, uint64_t target_memkb)
{
    char id[16], kb[32];
    const char *args[] = { id, kb, NULL };

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(kb, sizeof(kb), "%" PRIu64, target_memkb);
    return xensimCall(ctx, "libxl_domain_setmaxmem", args, NULL);
}

int
libxl_domain_rename(libxl_ctx *ctx, uint32_t domid, const char *old_name,
                    const char *new_name)
{
    char id[16];
    const char *args[] = { id, old_name ? old_name : "", new_name ? new_name : "",
                           NULL };

    xensimDomidArg(id, sizeof(id), domid);
    return xensimCall(ctx, "libxl_domain_rename", args, NULL);
}

/* As libxl's retrieve: avail_vcpus, max_vcpus bits, the vCPUs online
 * (xenstore's cpu/N/availability, which the guest follows); the
 * scheduler parameters the domain has now. */
static int
xensimConfigGetVcpus(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config,
                     int online)
{
    libxl_domain_build_info *b_info = &d_config->b_info;
    libxl_vcpuinfo *vcpus;
    int n = 0, nr_cpus = 0, i, rc;

    libxl_bitmap_dispose(&b_info->avail_vcpus);
    libxl_bitmap_init(&b_info->avail_vcpus);
    b_info->avail_vcpus.size = (b_info->max_vcpus + 7) / 8;
    b_info->avail_vcpus.map = calloc(b_info->avail_vcpus.size ?
                                     b_info->avail_vcpus.size : 1, 1);
    if ((vcpus = libxl_list_vcpu(ctx, domid, &n, &nr_cpus))) {
        for (i = 0; i < n && i < b_info->max_vcpus; i++) {
            if (vcpus[i].online)
                libxl_bitmap_set(&b_info->avail_vcpus, i);
        }
        libxl_vcpuinfo_list_free(vcpus, n);
    } else {
        for (i = 0; i < online && i < b_info->max_vcpus; i++)
            libxl_bitmap_set(&b_info->avail_vcpus, i);
    }
    libxl_domain_sched_params_dispose(&b_info->sched_params);
    if ((rc = libxl_domain_sched_params_get(ctx, domid, &b_info->sched_params))) {
        xensimCtxLog(ctx, XTL_ERROR, "Fail to get scheduler parameters");
        return rc;
    }
    return 0;
}

/* The stored configuration, with the live name, memory and vCPUs. */
static int
xensimConfigGet(libxl_ctx *ctx, const char *func, uint32_t domid,
                libxl_domain_config *d_config)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *json = NULL;
    char id[16];
    const char *args[] = { id, NULL };
    int online, rc;

    xensimDomidArg(id, sizeof(id), domid);
    if ((rc = xensimCall(ctx, func, args, &records)))
        return rc;
    if (!(rec = xensimRecord(records)) || !(json = xensimRecordStr(rec, "json")))
        return ERROR_FAIL;
    if ((rc = libxl_domain_config_from_json(ctx, d_config, json))) {
        xensimCtxLog(ctx, XTL_ERROR, "%s: domain %u: bad stored configuration",
                     func, domid);
        return ERROR_FAIL;
    }
    /* only the devices still in xenstore, as libxl merges them */
    xensimDeviceConfigFilter(d_config, rec);
    free(d_config->c_info.name);
    d_config->c_info.name = xensimRecordStr(rec, "name");
    d_config->b_info.max_memkb = xensimRecordU64(rec, "max_memkb", 0);
    d_config->b_info.target_memkb = xensimRecordU64(rec, "target_memkb", 0);
    online = xensimRecordU64(rec, "online_vcpus", 1);
    return xensimConfigGetVcpus(ctx, domid, d_config, online);
}

int
libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
                                    libxl_domain_config *d_config,
                                    const libxl_asyncop_how *ao_how)
{
    XensimAo *ao = xensimAoNew(ctx, "libxl_retrieve_domain_configuration", domid,
                               ao_how, 0);

    return xensimAoInProgress(ao, xensimConfigGet(ctx, "libxl_retrieve_domain_configuration",
                                                  domid, d_config));
}

/* Device lists: the configuration's devices, taken from it. */
#define XENSIM_DEVICE_LIST(kind, type, field, numfield) \
    type * \
    libxl_device_##kind##_list(libxl_ctx *ctx, uint32_t domid, int *num) \
    { \
        libxl_domain_config d_config; \
        type *list = NULL; \
        \
        *num = 0; \
        libxl_domain_config_init(&d_config); \
        if (xensimConfigGet(ctx, "libxl_device_" #kind "_list", domid, &d_config) == 0 && \
            d_config.numfield > 0) { \
            list = d_config.field; \
            *num = d_config.numfield; \
            d_config.field = NULL; \
            d_config.numfield = 0; \
        } \
        libxl_domain_config_dispose(&d_config); \
        return list; \
    }

XENSIM_DEVICE_LIST(disk, libxl_device_disk, disks, num_disks)
XENSIM_DEVICE_LIST(nic, libxl_device_nic, nics, num_nics)
XENSIM_DEVICE_LIST(channel, libxl_device_channel, channels, num_channels)
XENSIM_DEVICE_LIST(vtpm, libxl_device_vtpm, vtpms, num_vtpms)

/* A tty as xenconsoled/qemu published it; ERROR_FAIL while it is not. */
static int
xensimConsoleTty(libxl_ctx *ctx, const char *func, uint32_t domid,
                 const char *kind, int num, char **tty, bool quiet)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *message = NULL;
    char id[16], n[16];
    const char *args[] = { id, kind, n, NULL };
    int rc;

    xensimDomidArg(id, sizeof(id), domid);
    g_snprintf(n, sizeof(n), "%d", num);
    if (quiet)
        rc = xensimConnCall(ctx->conn, func, args, &records, &message);
    else
        rc = xensimCall(ctx, func, args, &records);
    if (rc)
        return rc;
    if (!(rec = xensimRecord(records)))
        return ERROR_FAIL;
    *tty = xensimRecordStr(rec, "tty");
    return 0;
}

int
libxl_console_get_tty(libxl_ctx *ctx, uint32_t domid, int cons_num,
                      libxl_console_type type, char **path)
{
    g_autofree char *tty = NULL;
    const char *kind;
    int rc;

    *path = NULL;
    switch (type) {
    case LIBXL_CONSOLE_TYPE_SERIAL:
        kind = "serial";
        break;
    case LIBXL_CONSOLE_TYPE_PV:
        kind = "pv";
        break;
    case LIBXL_CONSOLE_TYPE_UNKNOWN:
    case LIBXL_CONSOLE_TYPE_VUART:
    default:
        xensimCtxLog(ctx, XTL_ERROR, "libxl_console_get_tty: domain %u: invalid "
                     "console type %d", domid, type);
        return ERROR_INVAL;
    }
    if ((rc = xensimConsoleTty(ctx, "libxl_console_get_tty", domid, kind, cons_num,
                               &tty, false)))
        return rc;
    *path = strdup(tty);
    return 0;
}

/* The primary console: HVM guests' first serial port, others' PV console. */
int
libxl_primary_console_get_tty(libxl_ctx *ctx, uint32_t domid_vm, char **path)
{
    libxl_dominfo info;
    libxl_console_type type;
    int rc;

    if ((rc = libxl_domain_info(ctx, &info, domid_vm)))
        return rc;
    type = info.domain_type == LIBXL_DOMAIN_TYPE_HVM ? LIBXL_CONSOLE_TYPE_SERIAL
                                                     : LIBXL_CONSOLE_TYPE_PV;
    libxl_dominfo_dispose(&info);
    return libxl_console_get_tty(ctx, domid_vm, 0, type, path);
}

int
libxl_device_channel_getinfo(libxl_ctx *ctx, uint32_t domid,
                             const libxl_device_channel *channel,
                             libxl_channelinfo *channelinfo)
{
    g_autofree char *tty = NULL;
    int rc;

    rc = xensimConsoleTty(ctx, "libxl_device_channel_getinfo", domid, "channel",
                          channel->devid, &tty, true);
    if (rc && rc != ERROR_FAIL)
        return rc;
    libxl_channelinfo_init(channelinfo);
    channelinfo->backend = g_strdup_printf("/local/domain/0/backend/console/%u/%d",
                                           domid, channel->devid);
    channelinfo->backend_id = 0;
    channelinfo->frontend = g_strdup_printf("/local/domain/%u/device/console/%d",
                                            domid, channel->devid);
    channelinfo->frontend_id = domid;
    channelinfo->devid = channel->devid;
    channelinfo->state = 4;
    channelinfo->evtch = 10 + channel->devid;
    channelinfo->rref = 100 + channel->devid;
    libxl_channelinfo_init_connection(channelinfo, LIBXL_CHANNEL_CONNECTION_PTY);
    channelinfo->u.pty.path = tty ? strdup(tty) : NULL;
    /* glib's allocations handed to libxl's dispose, which uses free() */
    {
        char *b = strdup(channelinfo->backend), *f = strdup(channelinfo->frontend);

        g_free(channelinfo->backend);
        g_free(channelinfo->frontend);
        channelinfo->backend = b;
        channelinfo->frontend = f;
    }
    return 0;
}


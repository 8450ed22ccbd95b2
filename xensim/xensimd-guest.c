/*
 * xensimd-guest.c: what the guest controls do to a guest
 *
 *   Xen      XEN_DOMCTL_sendtrigger NMI: an NMI pending on vCPU 0, for
 *            PV, PVH and HVM guests alike (x86 domctl.c); the guest's
 *            handler takes it: counted
 *   QEMU     send-key: the keys reach the emulated keyboard of an HVM
 *            guest: recorded, a combination per call
 *            screendump: a PPM of the VGA screen (text mode, 720x400, the
 *            guest's console text drawn as QEMU's VGA font cells)
 *            system_reset: QEMU's Xen machine turns a reset request into
 *            SHUTDOWN_reboot (xen-hvm.c, destroy_hvm_domain(true)): the
 *            toolstack then applies on_reboot
 *            block_resize of a qdisk (xen-block) drive: the image grows
 *            (a raw file's length, a qcow2 header's size), and xen-block
 *            writes the new "sectors" and the state again to its backend
 *            node, as blkback does, so that the frontend reads them
 *   blkback  the disk's size in "sectors" (512 bytes) and "sector-size"
 *            when it connects; when the backing grows (a loop device's
 *            capacity set again: xensim's blkback reads the file), it
 *            writes the new size and its state again (xen_vbd_resize)
 *
 * `xensimctl controls DOMID` shows them.
 */

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <libxl.h>

#include "xensimd-state.h"

/* QEMU's VGA in text mode: 80x25 cells of 9x16 pixels */
#define XENSIM_VGA_WIDTH 720
#define XENSIM_VGA_HEIGHT 400

void
xensimGuestNmi(XensimDomain *dom)
{
    dom->nmis++;
    xensimStateLog(dom->owner, "domain %u (%s): NMI on vCPU 0 (%u so far)",
                   dom->domid, dom->name, dom->nmis);
}

void
xensimGuestKeys(XensimDomain *dom, const char *combination)
{
    if (!dom->keys)
        dom->keys = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(dom->keys, g_strdup(combination));
    xensimStateLog(dom->owner, "domain %u (%s): keys %s", dom->domid, dom->name,
                   combination);
}

/*
 * The screen as QEMU's VGA shows it, written to @filename as QEMU's
 * ppm_save does: "P6\n<w> <h>\n255\n" and the pixels, row by row.  The
 * screen is a grey-on-black text screen whose first rows are lit where
 * the guest booted (a cell per character of its boot text).  Returns 0,
 * or -1 with QEMU's error in *@error.
 */
int
xensimGuestScreendump(XensimDomain *dom, const char *filename, char **error)
{
    g_autofree guint8 *pixels = g_malloc0(XENSIM_VGA_WIDTH * XENSIM_VGA_HEIGHT * 3);
    g_autofree char *header = g_strdup_printf("P6\n%d %d\n255\n",
                                              XENSIM_VGA_WIDTH, XENSIM_VGA_HEIGHT);
    const char *text = dom->booted ? dom->name : "";
    size_t len = strlen(header), size = XENSIM_VGA_WIDTH * XENSIM_VGA_HEIGHT * 3;
    int fd, x, y;

    /* row 0: a cell lit per character of the guest's name, once booted */
    for (y = 0; y < 16; y++) {
        for (x = 0; x < XENSIM_VGA_WIDTH && (size_t)(x / 9) < strlen(text); x++) {
            if (x % 9 < 8 && y > 2 && y < 14)
                memset(pixels + (y * XENSIM_VGA_WIDTH + x) * 3, 0xaa, 3);
        }
    }
    fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        *error = g_strdup_printf("failed to open file '%s': %s", filename,
                                 g_strerror(errno));
        return -1;
    }
    if (write(fd, header, len) != (ssize_t)len ||
        write(fd, pixels, size) != (ssize_t)size) {
        *error = g_strdup_printf("failed to write file '%s': %s", filename,
                                 g_strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    dom->screendumps++;
    xensimStateLog(dom->owner, "domain %u (%s): screendump to %s", dom->domid,
                   dom->name, filename);
    return 0;
}

/* QEMU's reset of an HVM guest: the domain shuts down for reboot. */
void
xensimGuestSystemReset(XensimDomain *dom)
{
    xensimStateLog(dom->owner, "domain %u (%s): the device model resets the machine",
                   dom->domid, dom->name);
    if (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED ||
        dom->state == XENSIM_DOMAIN_PAUSED)
        xensimGuestInitiate(dom, LIBXL_SHUTDOWN_REASON_REBOOT);
}

/* xensimctl controls DOMID: args: domid */
int
xensimCmdControls(XensimCall *call)
{
    g_autoptr(GString) keys = g_string_new(NULL);
    XensimDomain *dom;
    XensimRec r;
    guint i;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    for (i = 0; dom->keys && i < dom->keys->len; i++)
        g_string_append_printf(keys, "%s%s", i ? " " : "",
                               (char *)g_ptr_array_index(dom->keys, i));
    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "nmis", dom->nmis);
    xensimRecStr(&r, "keys", keys->str);
    xensimRecU64(&r, "screendumps", dom->screendumps);
    xensimRecClose(&r);
    return 0;
}


/* ---- disk sizes ---- */

#define XENSIM_SECTOR 512

/* The size of the disk its backend serves, in bytes: a raw image's
 * length, a qcow2 image's virtual size (big-endian at offset 24 of its
 * header); -1 if there is none to read. */
static gint64
xensimGuestDiskBytes(XensimDevice *dev)
{
    struct stat sb;

    if (dev->kind != XENSIM_DEVICE_DISK || dev->cdrom || !dev->path || !*dev->path ||
        stat(dev->path, &sb) < 0 || !S_ISREG(sb.st_mode))
        return -1;
    if (dev->format && strcmp(dev->format, "qcow2") == 0) {
        guint8 hdr[32];
        FILE *f = fopen(dev->path, "rb");
        size_t n = f ? fread(hdr, 1, sizeof(hdr), f) : 0;
        guint64 size = 0;
        int i;

        if (f)
            fclose(f);
        if (n < sizeof(hdr) || memcmp(hdr, "QFI\xfb", 4) != 0)
            return -1;
        for (i = 24; i < 32; i++)
            size = (size << 8) | hdr[i];
        return size;
    }
    return sb.st_size;
}

static char *
xensimGuestDiskBackend(XensimDomain *dom, XensimDevice *dev)
{
    return g_strdup_printf("/local/domain/0/backend/%s/%u/%d",
                           strcmp(dev->backend, "qdisk") == 0 ? "qdisk" : "vbd",
                           dom->domid, dev->devid);
}

static void
xensimGuestDiskWriteSize(XensimDomain *dom, XensimDevice *dev, gint64 bytes,
                         bool announce)
{
    XensimStore *store = dom->owner->store;
    g_autofree char *be = xensimGuestDiskBackend(dom, dev);
    g_autofree char *sectors = g_strdup_printf("%s/sectors", be);
    g_autofree char *size = g_strdup_printf("%s/sector-size", be);
    g_autofree char *state = g_strdup_printf("%s/state", be);
    g_autofree char *value = g_strdup_printf("%" G_GINT64_FORMAT, bytes / XENSIM_SECTOR);
    const char *st;

    xensimStoreWrite(store, sectors, value);
    xensimStoreWritten(dom->owner, sectors, value);
    xensimStoreWrite(store, size, "512");
    /* the state written again: the frontend's watch reads the new size */
    if (announce && (st = xensimStoreRead(store, state))) {
        g_autofree char *copy = g_strdup(st);

        xensimStoreWrite(store, state, copy);
        xensimStoreWritten(dom->owner, state, copy);
    }
}

/* The backend connects: blkback and xen-block write the disk's size. */
void
xensimGuestDiskConnect(XensimDomain *dom, XensimDevice *dev)
{
    gint64 bytes = xensimGuestDiskBytes(dev);

    if (bytes >= 0)
        xensimGuestDiskWriteSize(dom, dev, bytes, false);
}

/* blkback checks its vbds' size as it serves them (xen_blkif_schedule):
 * a backing that grew or shrank is announced.  Each second, for the
 * running domains' blkback disks. */
void
xensimGuestDiskCheck(XensimDomain *dom)
{
    guint i;

    if (dom->state != XENSIM_DOMAIN_RUNNING && dom->state != XENSIM_DOMAIN_BLOCKED)
        return;
    for (i = 0; dom->devices && i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);
        g_autofree char *be = NULL;
        g_autofree char *path = NULL;
        const char *old;
        gint64 bytes;

        if (dev->kind != XENSIM_DEVICE_DISK || strcmp(dev->backend, "phy") != 0 ||
            (bytes = xensimGuestDiskBytes(dev)) < 0)
            continue;
        be = xensimGuestDiskBackend(dom, dev);
        path = g_strdup_printf("%s/sectors", be);
        if (!(old = xensimStoreRead(dom->owner->store, path)) ||
            g_ascii_strtoll(old, NULL, 10) == bytes / XENSIM_SECTOR)
            continue;
        xensimStateLog(dom->owner, "domain %u: blkback: VBD Resize: new size %" G_GINT64_FORMAT,
                       dom->domid, bytes / XENSIM_SECTOR);
        xensimGuestDiskWriteSize(dom, dev, bytes, true);
    }
}

/* QMP block_resize of xen-block's node of @dev to @bytes: the image
 * grows or shrinks (a raw file, a qcow2 image's virtual size), then
 * xen-block announces it (xen_block_resize_cb).  -1 with QEMU's error. */
int
xensimGuestBlockResize(XensimDomain *dom, XensimDevice *dev, gint64 bytes,
                       char **error)
{
    if (bytes < 0 || bytes % XENSIM_SECTOR) {
        *error = g_strdup("The new size must be a multiple of 512");
        return -1;
    }
    if (xensimGuestDiskBytes(dev) < 0) {
        *error = g_strdup_printf("xensim: the size of '%s' cannot be read", dev->path);
        return -1;
    }
    if (dev->format && strcmp(dev->format, "qcow2") == 0) {
        guint8 be[8];
        FILE *f = fopen(dev->path, "r+b");
        int i;

        for (i = 0; i < 8; i++)
            be[i] = (guint64)bytes >> (56 - 8 * i);
        if (!f || fseek(f, 24, SEEK_SET) < 0 || fwrite(be, 1, 8, f) != 8) {
            *error = g_strdup_printf("Could not resize image: %s", g_strerror(errno));
            if (f)
                fclose(f);
            return -1;
        }
        fclose(f);
    } else if (truncate(dev->path, bytes) < 0) {
        *error = g_strdup_printf("Could not resize file: %s", g_strerror(errno));
        return -1;
    }
    xensimStateLog(dom->owner, "domain %u: %s: block_resize to %" G_GINT64_FORMAT " bytes",
                   dom->domid, dev->vdev, bytes);
    if (strcmp(dev->backend, "qdisk") == 0)
        xensimGuestDiskWriteSize(dom, dev, bytes, true);
    return 0;
}

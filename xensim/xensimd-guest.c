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
 *
 * `xensimctl controls DOMID` shows them.
 */

#include <errno.h>
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

/*
 * xensimd-domain.c: domain lifecycle, the simulated guests, and the
 * events xensimd pushes to libxensim
 *
 * A domain is made at once by libxl_domain_create_new (paused, as libxl
 * leaves it, and listed as such while it is built); its build completes
 * build_delay_ms later, when its memory is populated (that is when a
 * short host fails it, as xc_dom_boot_mem_init does); the creating
 * context is told on its event connection once the domain is built and
 * its console/tty is in xenstore, as libxl waits for it.  Consoles get
 * their pty when the domain is made; the tty paths appear
 * console_delay_ms later, as xenconsoled and qemu publish them.  A shutdown request is control/shutdown in the
 * guest's xenstore: the guest acts on it shutdown_delay_ms later, unless
 * it ignores such requests; a domain that shut down stays until destroyed;
 * a destroyed domain is dying for destroy_delay_ms, then gone.
 *
 * Events: each libxl context has an event connection (command
 * "subscribe" with its token); "libxl_evenable_domain_death" adds a domid
 * to its watch set, and every change of a watched domain's state is sent
 * there as a record {kind: "domain", domid, exists, shutdown, reason,
 * dying}.  Operation completions go to the token's connection as
 * {kind: "op", op, rc, domid, message}.  libxensim turns these into libxl
 * events exactly as libxl's own xenstore watch would.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <glib-unix.h>

#include <libxl.h>

#include "xensim-proto.h"
#include "xensimd-state.h"
#include "xensimd-pci.h"
#include "xensimd-usb.h"

#define XENSIM_HVM_MAX_VCPUS 128
#define XENSIM_PV_MAX_VCPUS 512
/* firmware, ACPI tables...: what an HVM guest takes beyond its memory */

typedef struct {
    int fd;
    char *token;
    GHashTable *domids;         /* watched domids */
} XensimSubscriber;

void
xensimSubscriberFree(gpointer opaque)
{
    XensimSubscriber *sub = opaque;

    g_free(sub->token);
    g_hash_table_unref(sub->domids);
    g_free(sub);
}

void
xensimStateClientGone(XensimState *state, int client_fd)
{
    g_hash_table_remove(state->subscribers, GINT_TO_POINTER(client_fd));
}

/* Send one event record; a client that does not take it is dropped from
 * the subscribers (xensimd drops the connection when it next reads). */
static void
xensimSubscriberSend(XensimState *state, XensimSubscriber *sub, GVariant *rec)
{
    GVariantBuilder records;
    g_autoptr(GVariant) msg = NULL;

    g_variant_builder_init(&records, G_VARIANT_TYPE("aa{sv}"));
    g_variant_builder_add_value(&records, rec);
    msg = xensimReplyNew(0, "event", g_variant_builder_end(&records));
    if (xensimProtoSend(sub->fd, msg) < 0)
        xensimStateLog(state, "event connection %d: cannot send an event", sub->fd);
}

static XensimSubscriber *
xensimSubscriberByToken(XensimState *state, const char *token)
{
    GHashTableIter it;
    gpointer value;

    if (!token)
        return NULL;
    g_hash_table_iter_init(&it, state->subscribers);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimSubscriber *sub = value;

        if (strcmp(sub->token, token) == 0)
            return sub;
    }
    return NULL;
}

/* Tell every context watching domid (dom NULL: it is gone). */
static void
xensimDomainNotify(XensimState *state, guint32 domid, XensimDomain *dom)
{
    g_autoptr(GVariant) rec = NULL;
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, state->subscribers);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimSubscriber *sub = value;

        if (!g_hash_table_contains(sub->domids, GUINT_TO_POINTER(domid)))
            continue;
        if (!rec) {
            XensimRec r;
            GVariantBuilder records;
            g_autoptr(GVariant) all = NULL;

            g_variant_builder_init(&records, G_VARIANT_TYPE("aa{sv}"));
            xensimRecOpen(&r, &records);
            xensimRecStr(&r, "kind", "domain");
            xensimRecU64(&r, "domid", domid);
            xensimRecU64(&r, "exists", dom != NULL);
            xensimRecU64(&r, "shutdown", dom && dom->state == XENSIM_DOMAIN_SHUTDOWN);
            xensimRecValue(&r, "reason",
                           g_variant_new_int32(dom ? dom->shutdown_reason : 0));
            xensimRecU64(&r, "dying", dom && dom->state == XENSIM_DOMAIN_DYING);
            xensimRecClose(&r);
            all = g_variant_ref_sink(g_variant_builder_end(&records));
            rec = g_variant_get_child_value(all, 0);
        }
        xensimSubscriberSend(state, sub, rec);
    }
}

void
xensimDomainStateChanged(XensimState *state, XensimDomain *dom)
{
    xensimDomainNotify(state, dom->domid, dom);
}

/* An operation's end, to the context that started it. */
void
xensimOpComplete(XensimState *state, const char *token, guint64 op,
                 guint32 domid, int rc, const char *message)
{
    XensimSubscriber *sub = xensimSubscriberByToken(state, token);
    g_autoptr(GVariant) all = NULL;
    g_autoptr(GVariant) rec = NULL;
    GVariantBuilder records;
    XensimRec r;

    xensimStateLog(state, "op %" G_GUINT64_FORMAT " of %s: domain %u: rc %d%s%s",
                   op, token ? token : "?", domid, rc, message ? ": " : "",
                   message ? message : "");
    if (!sub)
        return;     /* its context is gone, as the ao would be */
    g_variant_builder_init(&records, G_VARIANT_TYPE("aa{sv}"));
    xensimRecOpen(&r, &records);
    xensimRecStr(&r, "kind", "op");
    xensimRecU64(&r, "op", op);
    xensimRecU64(&r, "domid", domid);
    xensimRecValue(&r, "rc", g_variant_new_int32(rc));
    xensimRecStr(&r, "message", message);
    xensimRecClose(&r);
    all = g_variant_ref_sink(g_variant_builder_end(&records));
    rec = g_variant_get_child_value(all, 0);
    xensimSubscriberSend(state, sub, rec);
}

/* Argument i as an unsigned number up to max; else ERROR_INVAL saying
 * what was expected. */
static int
xensimArgU64(XensimCall *call, guint i, guint64 max, guint64 *out, const char *what)
{
    if (i >= call->nargs ||
        !g_ascii_string_to_unsigned(call->args[i], 10, 0, max, out, NULL)) {
        call->message = g_strdup_printf("%s is expected", what);
        return ERROR_INVAL;
    }
    return 0;
}

static void xensimDomainAcked(XensimDomain *dom);
static void xensimSuspendDone(XensimDomain *dom, int rc, const char *message);

/* args: token */
int
xensimCmdSubscribe(XensimCall *call)
{
    XensimSubscriber *sub;

    if (call->nargs != 1 || !call->args[0][0] || call->client_fd < 0) {
        call->message = g_strdup("subscribe TOKEN");
        return ERROR_INVAL;
    }
    sub = g_new0(XensimSubscriber, 1);
    sub->fd = call->client_fd;
    sub->token = g_strdup(call->args[0]);
    sub->domids = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_replace(call->state->subscribers, GINT_TO_POINTER(sub->fd), sub);
    return 0;
}

/* args: token, domid.  The watch fires at once with the domain's state,
 * as libxl's xenstore watch does when it is registered. */
int
xensimCmdDomainWatch(XensimCall *call)
{
    XensimSubscriber *sub;
    guint64 domid;
    int rc;

    if ((rc = xensimArgU64(call, 1, G_MAXUINT32, &domid, "a token and a domain id")))
        return rc;
    if (!(sub = xensimSubscriberByToken(call->state, call->args[0]))) {
        call->message = g_strdup("no event connection for this context");
        return ERROR_FAIL;
    }
    g_hash_table_add(sub->domids, GUINT_TO_POINTER(domid));
    xensimDomainNotify(call->state, domid, xensimStateLookup(call->state, domid));
    return 0;
}

int
xensimCmdDomainUnwatch(XensimCall *call)
{
    XensimSubscriber *sub;
    guint64 domid;
    int rc;

    if ((rc = xensimArgU64(call, 1, G_MAXUINT32, &domid, "a token and a domain id")))
        return rc;
    if ((sub = xensimSubscriberByToken(call->state, call->args[0])))
        g_hash_table_remove(sub->domids, GUINT_TO_POINTER(domid));
    return 0;
}

/* Domains ----------------------------------------------------------- */

static bool
xensimNameMatches(const char *globs, const char *name)
{
    g_auto(GStrv) words = g_strsplit_set(globs ? globs : "", " \t,", -1);
    size_t i;

    for (i = 0; words[i]; i++) {
        if (words[i][0] && fnmatch(words[i], name, 0) == 0)
            return true;
    }
    return false;
}

/* The delay of the first "GLOB=MS" whose glob matches name, or dflt. */
static guint
xensimNameDelay(const char *pairs, const char *name, guint dflt)
{
    g_auto(GStrv) words = g_strsplit_set(pairs ? pairs : "", " \t,", -1);
    size_t i;

    for (i = 0; words[i]; i++) {
        char *eq = strrchr(words[i], '=');

        if (!eq)
            continue;
        *eq = '\0';
        if (fnmatch(words[i], name, 0) == 0)
            return g_ascii_strtoull(eq + 1, NULL, 10);
    }
    return dflt;
}

static XensimDomain *
xensimDomainByName(XensimState *state, const char *name)
{
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, state->domains);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        XensimDomain *dom = value;

        if (strcmp(dom->name, name) == 0)
            return dom;
    }
    return NULL;
}

static void
xensimTimerClear(guint *timer)
{
    if (*timer) {
        g_source_remove(*timer);
        *timer = 0;
    }
}

void
xensimDomainDispose(XensimDomain *dom)
{
    xensimIoDomainStop(dom);
    xensimPciDomainGone(dom->owner, dom->domid);
    xensimTimerClear(&dom->build_timer);
    xensimTimerClear(&dom->console_timer);
    xensimTimerClear(&dom->guest_timer);
    xensimTimerClear(&dom->destroy_timer);
    xensimTimerClear(&dom->read_idle);
    xensimTimerClear(&dom->suspend_timer);
    g_free(dom->suspend_waiter);
    g_strfreev(dom->resume_modes);
    if (dom->ack_waiters)
        g_ptr_array_unref(dom->ack_waiters);
    if (dom->consoles)
        g_ptr_array_unref(dom->consoles);
    if (dom->disks)
        g_ptr_array_unref(dom->disks);
    if (dom->nics)
        g_ptr_array_unref(dom->nics);
    if (dom->keys)
        g_ptr_array_unref(dom->keys);
    g_free(dom->config_json);
    g_free(dom->kernel);
    g_free(dom->build_token);
    if (dom->destroy_waiters)
        g_ptr_array_unref(dom->destroy_waiters);
    g_free(dom->pending_request);
}

static const char *
xensimKv(XensimCall *call, const char *key)
{
    size_t len = strlen(key);
    guint i;

    for (i = 0; i < call->nargs; i++) {
        if (strncmp(call->args[i], key, len) == 0 && call->args[i][len] == '=')
            return call->args[i] + len + 1;
    }
    return NULL;
}

static guint64
xensimKvU64(XensimCall *call, const char *key, guint64 dflt)
{
    const char *v = xensimKv(call, key);
    guint64 n;

    if (!v || !g_ascii_string_to_unsigned(v, 10, 0, G_MAXUINT64, &n, NULL))
        return dflt;
    return n;
}

/* Every value of a repeated key. */
static GPtrArray *
xensimKvAll(XensimCall *call, const char *key)
{
    GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
    size_t len = strlen(key);
    guint i;

    for (i = 0; i < call->nargs; i++) {
        if (strncmp(call->args[i], key, len) == 0 && call->args[i][len] == '=')
            g_ptr_array_add(values, g_strdup(call->args[i] + len + 1));
    }
    return values;
}

static void G_GNUC_PRINTF(3, 4)
xensimXsPrintf(XensimState *state, const char *path, const char *fmt, ...)
{
    g_autofree char *value = NULL;
    va_list ap;

    va_start(ap, fmt);
    value = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xensimStoreWrite(state->store, path, value);
}

/* A device's frontend and backend, connected (state 4), as libxl writes
 * them, with the backend's own keys (NULL-terminated key, value pairs). */
static void
xensimPublishSimpleDevice(XensimState *state, XensimDomain *dom, const char *kind,
                          const char *devid, ...)
{
    g_autofree char *fe = g_strdup_printf("/local/domain/%u/device/%s/%s",
                                          dom->domid, kind, devid);
    g_autofree char *bk = g_strdup_printf("/local/domain/0/backend/%s/%u/%s",
                                          kind, dom->domid, devid);
    const char *key;
    va_list ap;

#define SET(base, key, ...) \
    do { \
        g_autofree char *path_ = g_strdup_printf("%s/%s", base, key); \
        xensimXsPrintf(state, path_, __VA_ARGS__); \
    } while (0)
    SET(fe, "backend", "%s", bk);
    SET(fe, "backend-id", "0");
    SET(fe, "state", "4");
    SET(bk, "frontend", "%s", fe);
    SET(bk, "frontend-id", "%u", dom->domid);
    SET(bk, "online", "1");
    SET(bk, "state", "4");
    va_start(ap, devid);
    while ((key = va_arg(ap, const char *))) {
        const char *value = va_arg(ap, const char *);

        SET(bk, key, "%s", value);
    }
    va_end(ap);
#undef SET
}

/* vfb, vkbd, vtpm, vusb and pci devices: "DEVID ..." values of args. */
static void
xensimPublishOtherDevices(XensimState *state, XensimDomain *dom, XensimCall *call)
{
    g_autoptr(GPtrArray) vfbs = xensimKvAll(call, "vfb");
    g_autoptr(GPtrArray) vkbs = xensimKvAll(call, "vkb");
    g_autoptr(GPtrArray) vtpms = xensimKvAll(call, "vtpm");
    g_autoptr(GPtrArray) usbctrls = xensimKvAll(call, "usbctrl");
    g_autoptr(GPtrArray) usbdevs = xensimKvAll(call, "usbdev");
    g_autoptr(GPtrArray) pcis = xensimKvAll(call, "pci");
    guint i;

    for (i = 0; i < vfbs->len; i++) {
        g_auto(GStrv) f = g_strsplit(g_ptr_array_index(vfbs, i), " ", 3);
        int display = f[1] ? atoi(f[1]) : -1;
        g_autofree char *disp = g_strdup_printf("%d", display);
        g_autofree char *port = g_strdup_printf("%d", 5900 + display);
        g_autofree char *p = NULL;

        xensimPublishSimpleDevice(state, dom, "vfb", f[0], "vnc", display >= 0 ? "1" : "0",
                                  "vncdisplay", disp, "vnclisten", f[1] && f[2] ? f[2] : "",
                                  NULL);
        if (display >= 0) {
            p = g_strdup_printf("/local/domain/%u/console/vnc-port", dom->domid);
            xensimStoreWrite(state->store, p, port);
        }
    }
    for (i = 0; i < vkbs->len; i++)
        xensimPublishSimpleDevice(state, dom, "vkbd", g_ptr_array_index(vkbs, i), NULL);
    for (i = 0; i < vtpms->len; i++)
        xensimPublishSimpleDevice(state, dom, "vtpm", g_ptr_array_index(vtpms, i), NULL);
    /* USB controllers and the devices in their ports */
    xensimUsbCreateAssign(state, dom, usbctrls, usbdevs);
    /* one pciback device holds every passed-through function */
    xensimPciCreateAssign(state, dom, pcis);
}

/* What libxl writes while it makes and builds a domain: devices'
 * frontends and backends, console and control nodes, libxl's own. */
static void
xensimDomainPublishDevices(XensimState *state, XensimDomain *dom)
{
    g_autofree char *dompath = g_strdup_printf("/local/domain/%u", dom->domid);
    g_autofree char *be = g_strdup_printf("/local/domain/0/backend");
    guint i;

#define P(...) g_strdup_printf(__VA_ARGS__)
    for (i = 0; i < dom->devices->len; i++) {
        XensimDevice *dev = g_ptr_array_index(dom->devices, i);
        /* libxl's backend kinds: blkback (vbd), QEMU (qdisk), tapdisk (vbd3) */
        const char *kind = strcmp(dev->backend, "qdisk") == 0 ? "qdisk" :
                           strcmp(dev->backend, "tap") == 0 ? "vbd3" : "vbd";
        g_autofree char *fe = NULL;
        g_autofree char *bk = NULL;
        g_autofree char *p = NULL;

        if (dev->kind != XENSIM_DEVICE_DISK)
            continue;
        fe = P("%s/device/vbd/%d", dompath, dev->devid);
        bk = P("%s/%s/%u/%d", be, kind, dom->domid, dev->devid);
        g_free(p); p = P("%s/backend", fe); xensimXsPrintf(state, p, "%s", bk);
        g_free(p); p = P("%s/backend-id", fe); xensimXsPrintf(state, p, "0");
        g_free(p); p = P("%s/virtual-device", fe); xensimXsPrintf(state, p, "%d", dev->devid);
        g_free(p); p = P("%s/device-type", fe);
        xensimXsPrintf(state, p, "%s", dev->cdrom ? "cdrom" : "disk");
        g_free(p); p = P("%s/state", fe); xensimXsPrintf(state, p, "4");
        g_free(p); p = P("%s/frontend", bk); xensimXsPrintf(state, p, "%s", fe);
        g_free(p); p = P("%s/frontend-id", bk); xensimXsPrintf(state, p, "%u", dom->domid);
        g_free(p); p = P("%s/dev", bk); xensimXsPrintf(state, p, "%s", dev->vdev);
        g_free(p); p = P("%s/type", bk); xensimXsPrintf(state, p, "%s", dev->backend);
        g_free(p); p = P("%s/mode", bk); xensimXsPrintf(state, p, "%s", dev->readonly ? "r" : "w");
        g_free(p); p = P("%s/device-type", bk);
        xensimXsPrintf(state, p, "%s", dev->cdrom ? "cdrom" : "disk");
        g_free(p); p = P("%s/removable", bk); xensimXsPrintf(state, p, "%d", dev->cdrom);
        g_free(p); p = P("%s/bootable", bk); xensimXsPrintf(state, p, "1");
        g_free(p); p = P("%s/params", bk);
        if (strcmp(kind, "vbd") == 0) {
            xensimXsPrintf(state, p, "%s", dev->path);
        } else {
            /* libxl__device_disk_string_of_format: raw is "aio" */
            xensimXsPrintf(state, p, "%s:%s", strcmp(dev->format, "raw") == 0 ||
                           strcmp(dev->format, "empty") == 0 ? "aio" : dev->format,
                           dev->path);
        }
        g_free(p); p = P("%s/online", bk); xensimXsPrintf(state, p, "1");
        g_free(p); p = P("%s/state", bk); xensimXsPrintf(state, p, "4");
    }
    for (i = 0; i < dom->nics->len; i++) {
        g_auto(GStrv) f = g_strsplit(g_ptr_array_index(dom->nics, i), " ", 3);
        g_autofree char *fe = P("%s/device/vif/%s", dompath, f[0]);
        g_autofree char *bk = P("%s/vif/%u/%s", be, dom->domid, f[0]);
        g_autofree char *p = NULL;

        g_free(p); p = P("%s/backend", fe); xensimXsPrintf(state, p, "%s", bk);
        g_free(p); p = P("%s/backend-id", fe); xensimXsPrintf(state, p, "0");
        g_free(p); p = P("%s/mac", fe); xensimXsPrintf(state, p, "%s", f[1] ? f[1] : "");
        g_free(p); p = P("%s/state", fe); xensimXsPrintf(state, p, "4");
        g_free(p); p = P("%s/frontend", bk); xensimXsPrintf(state, p, "%s", fe);
        g_free(p); p = P("%s/frontend-id", bk); xensimXsPrintf(state, p, "%u", dom->domid);
        g_free(p); p = P("%s/mac", bk); xensimXsPrintf(state, p, "%s", f[1] ? f[1] : "");
        if (f[1] && f[2]) {
            g_free(p); p = P("%s/bridge", bk); xensimXsPrintf(state, p, "%s", f[2]);
        }
        g_free(p); p = P("%s/script", bk); xensimXsPrintf(state, p, "/etc/xen/scripts/vif-bridge");
        g_free(p); p = P("%s/state", bk); xensimXsPrintf(state, p, "4");
    }
    for (i = 0; i < dom->consoles->len; i++) {
        XensimConsole *c = g_ptr_array_index(dom->consoles, i);
        g_autofree char *p = NULL;

        switch (xensimConsoleKind(c)) {
        case XENSIM_CONSOLE_PV:
            if (xensimConsoleNum(c) == 0) {
                g_free(p); p = P("%s/console/type", dompath);
                xensimXsPrintf(state, p, "xenconsoled");
                g_free(p); p = P("%s/console/output", dompath);
                xensimXsPrintf(state, p, "pty");
                g_free(p); p = P("%s/console/limit", dompath);
                xensimXsPrintf(state, p, "1048576");
                break;
            }
            G_GNUC_FALLTHROUGH;
        case XENSIM_CONSOLE_CHANNEL:
            g_free(p); p = P("%s/device/console/%u/backend", dompath, xensimConsoleNum(c));
            xensimXsPrintf(state, p, "%s/console/%u/%u", be, dom->domid, xensimConsoleNum(c));
            g_free(p); p = P("%s/device/console/%u/output", dompath, xensimConsoleNum(c));
            xensimXsPrintf(state, p, "pty");
            g_free(p); p = P("%s/device/console/%u/state", dompath, xensimConsoleNum(c));
            xensimXsPrintf(state, p, "4");
            if (xensimConsoleName(c)) {
                g_free(p); p = P("%s/device/console/%u/name", dompath, xensimConsoleNum(c));
                xensimXsPrintf(state, p, "%s", xensimConsoleName(c));
            }
            break;
        case XENSIM_CONSOLE_SERIAL:
            break;
        }
    }
    {
        g_autofree char *p = P("%s/control/shutdown", dompath);

        xensimStoreWrite(state->store, p, "");
        g_free(p);
        p = P("/libxl/%u/type", dom->domid);
        xensimXsPrintf(state, p, "%s", dom->type == XENSIM_DOMAIN_TYPE_HVM ? "hvm" :
                       dom->type == XENSIM_DOMAIN_TYPE_PVH ? "pvh" : "pv");
        if (dom->type == XENSIM_DOMAIN_TYPE_HVM) {
            g_free(p);
            p = P("/local/domain/0/device-model/%u/state", dom->domid);
            xensimXsPrintf(state, p, "running");
        }
    }
#undef P
}

/* libxl completes a create once the domain is built and its console/tty
 * is in xenstore (it waits for it with a watch). */
static void
xensimDomainCreateFinish(XensimDomain *dom)
{
    g_autofree char *token = NULL;

    if (!dom->building || dom->build_timer || dom->console_timer)
        return;
    dom->building = false;
    token = g_steal_pointer(&dom->build_token);
    xensimOpComplete(dom->owner, token, dom->build_op, dom->domid, 0, NULL);
}

/* xenconsoled (and qemu, for serial ports) publish the ptys. */
static gboolean
xensimDomainConsolesReady(gpointer opaque)
{
    XensimDomain *dom = opaque;
    XensimState *state = dom->owner;
    guint i;

    dom->console_timer = 0;
    for (i = 0; i < dom->consoles->len; i++) {
        XensimConsole *c = g_ptr_array_index(dom->consoles, i);
        g_autofree char *p = NULL;

        switch (xensimConsoleKind(c)) {
        case XENSIM_CONSOLE_PV:
            if (xensimConsoleNum(c) == 0)
                p = g_strdup_printf("/local/domain/%u/console/tty", dom->domid);
            else
                p = g_strdup_printf("/local/domain/%u/device/console/%u/tty",
                                    dom->domid, xensimConsoleNum(c));
            break;
        case XENSIM_CONSOLE_CHANNEL:
            p = g_strdup_printf("/local/domain/%u/device/console/%u/tty",
                                dom->domid, xensimConsoleNum(c));
            break;
        case XENSIM_CONSOLE_SERIAL:
            p = g_strdup_printf("/local/domain/%u/serial/%u/tty",
                                dom->domid, xensimConsoleNum(c));
            break;
        }
        xensimStoreWrite(state->store, p, xensimConsoleTty(c));
    }
    xensimDomainCreateFinish(dom);
    return G_SOURCE_REMOVE;
}

/* The build is done: memory populated (or not: the host is short). */
static gboolean
xensimDomainBuilt(gpointer opaque)
{
    XensimDomain *dom = opaque;
    XensimState *state = dom->owner;
    guint64 need = xensimTuneGoalKB(dom);
    guint64 free_kb = xensimStateFreeMemKB(state);
    guint32 domid = dom->domid;

    dom->build_timer = 0;
    if (need > free_kb) {
        g_autofree char *token = g_steal_pointer(&dom->build_token);
        guint64 op = dom->build_op;
        g_autofree char *msg =
            g_strdup_printf("xc_dom_boot_mem_init: can't allocate %" G_GUINT64_FORMAT
                            " KiB for domain %u: Out of memory (%" G_GUINT64_FORMAT
                            " KiB free)", need, domid, free_kb);

        /* libxl destroys what it could not build */
        g_hash_table_remove(state->domains, GUINT_TO_POINTER(domid));
        xensimDomainNotify(state, domid, NULL);
        xensimOpComplete(state, token, op, domid, ERROR_FAIL, msg);
        return G_SOURCE_REMOVE;
    }
    dom->current_memkb = need;
    xensimDomainCreateFinish(dom);
    return G_SOURCE_REMOVE;
}

static int
xensimDomainAddConsole(XensimDomain *dom, XensimConsoleKind kind, guint num,
                       const char *name, char **err)
{
    XensimConsole *c = xensimConsoleNew(dom, kind, num, name, err);

    if (!c)
        return ERROR_FAIL;
    g_ptr_array_add(dom->consoles, c);
    return 0;
}

/*
 * args (KEY=VALUE): name, uuid, type (pv|pvh|hvm), max_memkb, target_memkb,
 * max_vcpus, online_vcpus, token, op, json (the libxl_domain_config),
 * kernel, serials (HVM serial ports), channel (repeated: its name),
 * disk (repeated: vdev), nic (repeated: "devid mac bridge").
 * Makes the domain, paused; replies with its domid; the build goes on.
 */
int
xensimCmdCreate(XensimCall *call)
{
    XensimState *state = call->state;
    const char *name = xensimKv(call, "name");
    const char *uuid = xensimKv(call, "uuid");
    const char *type = xensimKv(call, "type");
    guint64 max_vcpus = xensimKvU64(call, "max_vcpus", 1);
    g_autoptr(GPtrArray) channels = xensimKvAll(call, "channel");
    g_autoptr(GPtrArray) pcis = xensimKvAll(call, "pci");
    g_autoptr(GPtrArray) usbdevs = xensimKvAll(call, "usbdev");
    g_autofree char *err = NULL;
    XensimDomain *dom;
    XensimRec r;
    guint i, serials;
    guint64 populate_ms;
    int rc;

    if (!name || !*name) {
        call->message = g_strdup("a domain name is required");
        return ERROR_INVAL;
    }
    if (xensimDomainByName(state, name)) {
        call->message = g_strdup_printf("Domain with name \"%s\" already exists.", name);
        return ERROR_INVAL;
    }
    if (!type || (strcmp(type, "pv") && strcmp(type, "pvh") && strcmp(type, "hvm"))) {
        call->message = g_strdup("a domain type (pv, pvh, hvm) is required");
        return ERROR_INVAL;
    }
    if ((strcmp(type, "hvm") == 0 && !state->host.cap_hvm) ||
        /* PVH is HVM without a device model: it needs hvm and paging */
        (strcmp(type, "pvh") == 0 &&
         !(state->host.cap_hvm && (state->host.cap_hap || state->host.cap_shadow))) ||
        (strcmp(type, "pv") == 0 && !state->host.cap_pv)) {
        call->message = g_strdup_printf("domain creation fail: this host cannot "
                                        "run %s guests", type);
        return ERROR_FAIL;
    }
    if (max_vcpus < 1 ||
        max_vcpus > (strcmp(type, "pv") == 0 ? XENSIM_PV_MAX_VCPUS
                                             : XENSIM_HVM_MAX_VCPUS)) {
        call->message = g_strdup_printf("domain creation fail: %" G_GUINT64_FORMAT
                                        " vCPUs: Invalid argument", max_vcpus);
        return ERROR_FAIL;
    }

    /* libxl adds them once the domain is made, and destroys it if one
     * cannot be (xensim checks first: no domid is used up) */
    if ((rc = xensimPciCreateCheck(state, strcmp(type, "hvm") == 0 ?
                                   XENSIM_DOMAIN_TYPE_HVM : XENSIM_DOMAIN_TYPE_PV,
                                   pcis, &call->message)) ||
        (rc = xensimUsbCreateCheck(state, usbdevs, &call->message)))
        return rc;

    dom = g_new0(XensimDomain, 1);
    while (xensimStateLookup(state, state->next_domid) || state->next_domid == 0)
        state->next_domid = state->next_domid >= 0x7fef ? 1 : state->next_domid + 1;
    dom->domid = state->next_domid++;
    dom->state = XENSIM_DOMAIN_PAUSED;
    dom->uuid = g_strdup(uuid && *uuid ? uuid : "00000000-0000-0000-0000-000000000000");
    dom->name = g_strdup(name);
    dom->type = strcmp(type, "hvm") == 0 ? XENSIM_DOMAIN_TYPE_HVM :
                strcmp(type, "pvh") == 0 ? XENSIM_DOMAIN_TYPE_PVH : XENSIM_DOMAIN_TYPE_PV;
    dom->max_memkb = xensimKvU64(call, "max_memkb", 1024 * 1024);
    dom->target_memkb = xensimKvU64(call, "target_memkb", dom->max_memkb);
    dom->current_memkb = 0;     /* populated by the build */
    dom->max_vcpus = max_vcpus;
    dom->online_vcpus = MIN(xensimKvU64(call, "online_vcpus", max_vcpus), max_vcpus);
    dom->vcpu_time_ns = g_new0(guint64, max_vcpus);
    dom->cpu_since = g_get_monotonic_time();
    dom->weight = 256;
    dom->devices = g_ptr_array_new_with_free_func(xensimDeviceFree);
    dom->userdata = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)g_bytes_unref);
    dom->owner = state;
    dom->state = XENSIM_DOMAIN_PAUSED;
    dom->config_json = g_strdup(xensimKv(call, "json"));
    dom->kernel = g_strdup(xensimKv(call, "kernel"));
    dom->building = true;
    dom->build_token = g_strdup(xensimKv(call, "token"));
    dom->build_op = xensimKvU64(call, "op", 0);
    dom->ignore_shutdown = xensimNameMatches(state->host.guest_ignore_shutdown, name);
    dom->no_ack = xensimNameMatches(state->host.guest_no_ack, name);
    dom->pv_drivers = dom->type != XENSIM_DOMAIN_TYPE_HVM ||
                      !xensimNameMatches(state->host.guest_no_pv_drivers, name);
    dom->shutdown_delay_ms = xensimNameDelay(state->host.guest_shutdown_delay, name,
                                             G_MAXUINT);
    if ((guint)dom->shutdown_delay_ms == G_MAXUINT)
        dom->shutdown_delay_ms = -1;
    dom->consoles = g_ptr_array_new_with_free_func(xensimConsoleFree);
    /* libxl_domain_create_restore: "running MODE..." of the stream */
    if (g_str_has_prefix(xensimKv(call, "guest_state") ? xensimKv(call, "guest_state") : "",
                         "running"))
        dom->resume_modes = g_strsplit(xensimKv(call, "guest_state") + strlen("running"),
                                       " ", -1);
    dom->disks = xensimKvAll(call, "disk");
    dom->nics = xensimKvAll(call, "nic");
    for (i = 0; i < dom->disks->len; i++)
        g_ptr_array_add(dom->devices,
                        xensimDeviceParseDisk(g_ptr_array_index(dom->disks, i), i));
    for (i = 0; i < dom->nics->len; i++)
        g_ptr_array_add(dom->devices,
                        xensimDeviceParseNic(g_ptr_array_index(dom->nics, i), i));
    g_hash_table_insert(state->domains, GUINT_TO_POINTER(dom->domid), dom);

    /* console 0; HVM serial ports; channels are PV consoles 1.. */
    rc = xensimDomainAddConsole(dom, XENSIM_CONSOLE_PV, 0, NULL, &err);
    serials = dom->type == XENSIM_DOMAIN_TYPE_HVM ? xensimKvU64(call, "serials", 0) : 0;
    for (i = 0; rc == 0 && i < serials; i++)
        rc = xensimDomainAddConsole(dom, XENSIM_CONSOLE_SERIAL, i, NULL, &err);
    for (i = 0; rc == 0 && i < channels->len; i++)
        rc = xensimDomainAddConsole(dom, XENSIM_CONSOLE_CHANNEL, i + 1,
                                    g_ptr_array_index(channels, i), &err);
    if (rc) {
        call->message = g_steal_pointer(&err);
        g_hash_table_remove(state->domains, GUINT_TO_POINTER(dom->domid));
        return rc;
    }
    /* memory, vCPU and node affinity, NUMA placement, scheduler
     * parameters (xensimd-tune.c) */
    if ((rc = xensimTuneCreate(call, dom))) {
        g_hash_table_remove(state->domains, GUINT_TO_POINTER(dom->domid));
        return rc;
    }

    xensimDomainPublish(state, dom);
    xensimDomainPublishDevices(state, dom);
    xensimPublishOtherDevices(state, dom, call);
    xensimIoDomainStart(dom);
    dom->console_timer = g_timeout_add(state->host.console_delay_ms,
                                       xensimDomainConsolesReady, dom);
    /* populating the memory: libxl does it in the initiating call of the
     * create (PV without bootloader, PVH, HVM: libxensim spends
     * populate_ms there), or after the bootloader ran; the build
     * completes build_delay_ms after it */
    /* a short host fails the build once its free memory is used up */
    populate_ms = (guint64)state->host.build_ms_per_gib *
                  MIN(dom->target_memkb, xensimStateFreeMemKB(state)) /
                  (1024 * 1024);
    dom->build_timer = g_timeout_add(populate_ms +
                                     xensimNameDelay(state->host.guest_build_delay, name,
                                                     state->host.build_delay_ms),
                                     xensimDomainBuilt, dom);
    xensimStateLog(state, "domain %u (%s, %s): made, building (populating "
                   "%" G_GUINT64_FORMAT " ms)", dom->domid, dom->name, type,
                   populate_ms);

    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "domid", dom->domid);
    xensimRecU64(&r, "populate_ms", populate_ms);
    xensimRecClose(&r);
    return 0;
}

/* args: domid.  libxl_ao_abort of a create: the domain goes. */
int
xensimCmdCreateAbort(XensimCall *call)
{
    XensimDomain *dom;
    guint32 domid;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (!dom->building) {
        call->message = g_strdup_printf("domain %u is not being built", dom->domid);
        return ERROR_NOTFOUND;
    }
    domid = dom->domid;
    g_hash_table_remove(call->state->domains, GUINT_TO_POINTER(domid));
    xensimDomainNotify(call->state, domid, NULL);
    return 0;
}

/* args: domid, what (device-model, bootloader): a child of libxl's
 * reports in; it fails if the domain went away meanwhile. */
int
xensimCmdHelperStart(XensimCall *call)
{
    XensimDomain *dom;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (dom->state == XENSIM_DOMAIN_DYING) {
        call->message = g_strdup_printf("domain %u is dying", dom->domid);
        return ERROR_FAIL;
    }
    xensimStateLog(call->state, "domain %u: %s started", dom->domid,
                   call->nargs > 1 ? call->args[1] : "helper");
    return 0;
}

static int
xensimArgDomU(XensimCall *call, XensimDomain **dom)
{
    int rc;

    if ((rc = xensimArgDomid(call, 0, dom)))
        return rc;
    if ((*dom)->domid == 0) {
        call->message = g_strdup("not allowed on Domain-0");
        return ERROR_INVAL;
    }
    return 0;
}

/* A domain a hypercall acts on (xc_domain_pause...): what libxl reports
 * when it fails is ERROR_FAIL, whatever the reason. */
static int
xensimArgDomUHypercall(XensimCall *call, XensimDomain **dom, const char *what)
{
    int rc;

    if ((rc = xensimArgDomU(call, dom))) {
        char *why = call->message;

        call->message = g_strdup_printf("%s failed: %s", what, why ? why : "");
        g_free(why);
        return ERROR_FAIL;
    }
    return 0;
}

static gboolean
xensimDomainGone(gpointer opaque)
{
    XensimDomain *dom = opaque;
    XensimState *state = dom->owner;
    g_autofree char *token = g_steal_pointer(&dom->build_token);
    g_autoptr(GPtrArray) waiters = g_steal_pointer(&dom->destroy_waiters);
    guint64 op = dom->build_op;
    guint32 domid = dom->domid;
    size_t i;

    dom->destroy_timer = 0;
    g_hash_table_remove(state->domains, GUINT_TO_POINTER(domid));
    xensimDomainNotify(state, domid, NULL);
    if (token)
        xensimOpComplete(state, token, op, domid, 0, NULL);
    for (i = 0; waiters && i < waiters->len; i++) {
        g_auto(GStrv) tw = g_strsplit(g_ptr_array_index(waiters, i), " ", 2);

        xensimOpComplete(state, tw[0], tw[1] ? g_ascii_strtoull(tw[1], NULL, 10) : 0,
                         domid, 0, NULL);
    }
    return G_SOURCE_REMOVE;
}

/* args: domid.  xc_domain_destroy, from libxl's destroyer child: the
 * domain dies; it is gone destroy_delay_ms later, when the destroy
 * operation completes. */
int
xensimCmdDomainKill(XensimCall *call)
{
    XensimDomain *dom;
    int rc;

    if ((rc = xensimArgDomU(call, &dom)))
        return rc;
    if (dom->state == XENSIM_DOMAIN_DYING)
        return 0;
    xensimTimerClear(&dom->guest_timer);
    xensimDomainSetState(dom, XENSIM_DOMAIN_DYING);
    xensimStateLog(call->state, "domain %u (%s): dying", dom->domid, dom->name);
    xensimDomainNotify(call->state, dom->domid, dom);
    dom->destroy_timer = g_timeout_add(call->state->host.destroy_delay_ms,
                                       xensimDomainGone, dom);
    return 0;
}

/* args: domid, token, op.  What libxl does before its destroyer child
 * kills the domain: the devices go (consoles close), and the domain's
 * xenstore nodes.  The operation completes when the domain is gone. */
int
xensimCmdDestroy(XensimCall *call)
{
    XensimState *state = call->state;
    XensimDomain *dom;
    g_autofree char *dompath = NULL;
    g_autofree char *vmpath = NULL;
    g_autofree char *p = NULL;
    int rc;

    if ((rc = xensimArgDomU(call, &dom)))
        return rc;
    if (dom->state == XENSIM_DOMAIN_DYING || dom->destroying) {
        /* libxl refuses nothing here: another destroy (another toolstack's,
         * or one after a toolstack died before its destroyer child killed
         * the domain, left paused without devices) does it all again; its
         * own destroyer child kills the domain (a dying one: nothing to
         * do), and it completes when the domain is gone */
        if (call->nargs > 2) {
            if (!dom->destroy_waiters)
                dom->destroy_waiters = g_ptr_array_new_with_free_func(g_free);
            g_ptr_array_add(dom->destroy_waiters,
                            g_strdup_printf("%s %s", call->args[1], call->args[2]));
        }
        xensimStateLog(state, "domain %u (%s): destroyed again", dom->domid, dom->name);
        return 0;
    }
    if (dom->building) {
        /* libxl's create ao sees its domain vanish */
        xensimOpComplete(state, dom->build_token, dom->build_op, dom->domid,
                         ERROR_FAIL, "domain destroyed while being built");
        xensimTimerClear(&dom->build_timer);
        dom->building = false;
    }
    xensimSuspendDone(dom, ERROR_FAIL, "domain destroyed while suspending");
    xensimTimerClear(&dom->console_timer);
    xensimTimerClear(&dom->guest_timer);
    g_ptr_array_set_size(dom->consoles, 0);
    dom->destroying = true;
    xensimIoDomainStop(dom);
    /* libxl pauses it first */
    if (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED) {
        xensimDomainSetState(dom, XENSIM_DOMAIN_PAUSED);
        xensimDomainNotify(state, dom->domid, dom);
    }
    g_free(dom->build_token);
    dom->build_token = g_strdup(call->nargs > 1 ? call->args[1] : NULL);
    dom->build_op = call->nargs > 2 ? g_ascii_strtoull(call->args[2], NULL, 10) : 0;

    dompath = g_strdup_printf("/local/domain/%u", dom->domid);
    vmpath = g_strdup_printf("/vm/%s", dom->uuid);
    xensimStoreRm(state->store, dompath);
    xensimStoreRm(state->store, vmpath);
    p = g_strdup_printf("/libxl/%u", dom->domid);
    xensimStoreRm(state->store, p);
    g_free(p);
    p = g_strdup_printf("/local/domain/0/device-model/%u", dom->domid);
    xensimStoreRm(state->store, p);
    {
        static const char *const kinds[] = { "vbd", "vif", "console", "qdisk", "vkbd",
                                             "vfb", "vtpm", "vusb", "qusb", "pci" };
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(kinds); i++) {
            g_free(p);
            p = g_strdup_printf("/local/domain/0/backend/%s/%u", kinds[i], dom->domid);
            xensimStoreRm(state->store, p);
        }
    }
    xensimDomainAcked(dom);     /* the node is gone: libxl stops waiting */
    xensimStateLog(state, "domain %u (%s): devices and xenstore nodes removed",
                   dom->domid, dom->name);
    return 0;
}

/* libxl's wait for the guest to suspend is over: @rc. */
static void
xensimSuspendDone(XensimDomain *dom, int rc, const char *message)
{
    g_auto(GStrv) tw = NULL;

    if (!dom->suspend_waiter)
        return;
    tw = g_strsplit(dom->suspend_waiter, " ", 2);
    g_clear_pointer(&dom->suspend_waiter, g_free);
    xensimTimerClear(&dom->suspend_timer);
    xensimOpComplete(dom->owner, tw[0], tw[1] ? g_ascii_strtoull(tw[1], NULL, 10) : 0,
                     dom->domid, rc, message);
}

static gboolean
xensimSuspendTimeout(gpointer opaque)
{
    XensimDomain *dom = opaque;

    dom->suspend_timer = 0;
    xensimSuspendDone(dom, ERROR_GUEST_TIMEDOUT, "guest did not suspend, timed out");
    return G_SOURCE_REMOVE;
}

/* The guest shuts down (its own decision, or a request it obeys). */
void
xensimGuestInitiate(XensimDomain *dom, int reason)
{
    guint i;

    xensimTimerClear(&dom->guest_timer);
    g_clear_pointer(&dom->pending_request, g_free);
    for (i = 0; i < dom->consoles->len; i++)
        xensimConsoleShutdownText(g_ptr_array_index(dom->consoles, i), reason);
    xensimDomainSetState(dom, XENSIM_DOMAIN_SHUTDOWN);
    dom->shutdown_reason = reason;
    xensimStateLog(dom->owner, "domain %u (%s): shut down, reason %d",
                   dom->domid, dom->name, reason);
    xensimDomainStateChanged(dom->owner, dom);
    if (reason == LIBXL_SHUTDOWN_REASON_SUSPEND)
        xensimSuspendDone(dom, 0, NULL);
}

static int
xensimRequestReason(const char *request)
{
    if (strcmp(request, "reboot") == 0)
        return LIBXL_SHUTDOWN_REASON_REBOOT;
    if (strcmp(request, "suspend") == 0)
        return LIBXL_SHUTDOWN_REASON_SUSPEND;
    if (strcmp(request, "crash") == 0)
        return LIBXL_SHUTDOWN_REASON_CRASH;
    if (strcmp(request, "watchdog") == 0)
        return LIBXL_SHUTDOWN_REASON_WATCHDOG;
    if (strcmp(request, "soft_reset") == 0 || strcmp(request, "soft-reset") == 0)
        return LIBXL_SHUTDOWN_REASON_SOFT_RESET;
    if (strcmp(request, "poweroff") == 0 || strcmp(request, "halt") == 0)
        return LIBXL_SHUTDOWN_REASON_POWEROFF;
    return -1;
}

static guint
xensimGuestDelay(XensimDomain *dom)
{
    return dom->shutdown_delay_ms >= 0 ? (guint)dom->shutdown_delay_ms
                                       : dom->owner->host.shutdown_delay_ms;
}

/* The guest acts on the request it read from control/shutdown; a paused
 * guest acts once it runs again. */
static gboolean
xensimGuestReact(gpointer opaque)
{
    XensimDomain *dom = opaque;
    int reason;

    if (dom->state == XENSIM_DOMAIN_PAUSED)
        return G_SOURCE_CONTINUE;
    dom->guest_timer = 0;
    if (dom->state != XENSIM_DOMAIN_RUNNING && dom->state != XENSIM_DOMAIN_BLOCKED)
        return G_SOURCE_REMOVE;
    if (!dom->pending_request ||
        (reason = xensimRequestReason(dom->pending_request)) < 0)
        return G_SOURCE_REMOVE;
    xensimGuestInitiate(dom, reason);
    return G_SOURCE_REMOVE;
}

/* The control/shutdown request is gone (acknowledged, or the domain's
 * nodes removed): libxl's shutdown and reboot operations complete. */
static void
xensimDomainAcked(XensimDomain *dom)
{
    g_autoptr(GPtrArray) waiters = g_steal_pointer(&dom->ack_waiters);
    guint i;

    if (!waiters)
        return;
    for (i = 0; i < waiters->len; i++) {
        g_auto(GStrv) tw = g_strsplit(g_ptr_array_index(waiters, i), " ", 2);

        xensimOpComplete(dom->owner, tw[0], tw[1] ? g_ascii_strtoull(tw[1], NULL, 10) : 0,
                         dom->domid, 0, NULL);
    }
}

/* Can the guest's xenbus shutdown handler run: booted, running, with a
 * handler (PV drivers) that answers? */
static bool
xensimGuestListens(XensimDomain *dom)
{
    return dom->booted && dom->pv_drivers && !dom->no_ack &&
           (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED);
}

/* The guest's handler reads control/shutdown: it acknowledges (clears
 * the node) at once, then shuts down shutdown_delay_ms later, unless it
 * ignores such requests (it still acknowledges them, as a Linux guest
 * whose shutdown is inhibited does). */
static void
xensimGuestReadRequest(XensimDomain *dom)
{
    XensimState *state = dom->owner;
    g_autofree char *path = g_strdup_printf("/local/domain/%u/control/shutdown", dom->domid);
    const char *value = xensimStoreRead(state->store, path);

    if (!value || !value[0] || !xensimGuestListens(dom))
        return;
    g_free(dom->pending_request);
    dom->pending_request = g_strdup(value);
    xensimStoreWrite(state->store, path, "");
    xensimDomainAcked(dom);
    if (dom->ignore_shutdown) {
        xensimStateLog(state, "domain %u (%s): acknowledged '%s', ignores it",
                       dom->domid, dom->name, dom->pending_request);
        return;
    }
    xensimTimerClear(&dom->guest_timer);
    dom->guest_timer = g_timeout_add(xensimGuestDelay(dom), xensimGuestReact, dom);
}

static gboolean
xensimGuestReadRequestIdle(gpointer opaque)
{
    XensimDomain *dom = opaque;

    dom->read_idle = 0;
    xensimGuestReadRequest(dom);
    return G_SOURCE_REMOVE;
}

/* A write to xenstore: control/shutdown is a request to a guest (the
 * guest's watch fires: it reads it right after), or its acknowledgement. */
void
xensimStoreWritten(XensimState *state, const char *path, const char *value)
{
    guint domid;
    int end = 0;
    XensimDomain *dom;

    xensimTuneStoreWritten(state, path, value);
    if (sscanf(path, "/local/domain/%u/control/shutdown%n", &domid, &end) != 1 ||
        path[end] != '\0' || domid == 0 || !(dom = xensimStateLookup(state, domid)))
        return;
    if (!value[0]) {
        xensimDomainAcked(dom);
        return;
    }
    if (!xensimGuestListens(dom)) {
        xensimStateLog(state, "domain %u (%s): does not read '%s' now", domid,
                       dom->name, value);
        return;
    }
    if (!dom->read_idle)
        dom->read_idle = g_idle_add(xensimGuestReadRequestIdle, dom);
}

static int
xensimDomainControl(XensimCall *call, const char *request)
{
    XensimDomain *dom;
    g_autofree char *path = NULL;
    int rc;

    if ((rc = xensimArgDomU(call, &dom)))
        return rc;
    /* libxl__domain_pvcontrol_available: PV and PVH guests always; HVM
     * guests once their PV drivers set HVM_PARAM_CALLBACK_IRQ, at boot */
    if (dom->type == XENSIM_DOMAIN_TYPE_HVM && (!dom->pv_drivers || !dom->booted)) {
        call->message = g_strdup_printf("domain %u: PV control interface not "
                                        "available", dom->domid);
        return ERROR_NOPARAVIRT;
    }
    if (dom->state == XENSIM_DOMAIN_DYING) {
        call->message = g_strdup_printf("domain %u is dying", dom->domid);
        return ERROR_FAIL;
    }
    path = g_strdup_printf("/local/domain/%u/control/shutdown", dom->domid);
    /* libxl waits for the guest to acknowledge (clear the node) */
    if (call->nargs >= 3) {
        if (!dom->ack_waiters)
            dom->ack_waiters = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(dom->ack_waiters, g_strdup_printf("%s %s", call->args[1],
                                                          call->args[2]));
    }
    xensimStoreWrite(call->state->store, path, request);
    xensimStoreWritten(call->state, path, request);
    return 0;
}

static GString *xensimDomainGuestState(XensimDomain *dom);

/* args: domid, token, op.  libxl_domain_suspend's first part: the guest
 * is asked to suspend (an HVM guest without PV drivers is suspended by
 * the hypervisor); the op completes once the domain is shut down for
 * suspend, or fails after suspend_timeout_ms.  Records the stream rate
 * and the guest's state as it suspends (for the stream). */
int
xensimCmdSuspend(XensimCall *call)
{
    g_autoptr(GString) guest = NULL;
    XensimDomain *dom;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomU(call, &dom)))
        return rc;
    if (call->nargs < 3) {
        call->message = g_strdup("libxl_domain_suspend: domid, token, op");
        return ERROR_INVAL;
    }
    if (dom->suspend_waiter || dom->state == XENSIM_DOMAIN_DYING || dom->destroying) {
        call->message = g_strdup_printf("domain %u is %s", dom->domid,
                                        dom->suspend_waiter ? "already suspending" : "dying");
        return ERROR_FAIL;
    }
    if (dom->state == XENSIM_DOMAIN_SHUTDOWN) {
        call->message = g_strdup_printf("domain %u is shut down", dom->domid);
        return ERROR_FAIL;
    }
    dom->suspend_waiter = g_strdup_printf("%s %s", call->args[1], call->args[2]);
    dom->suspend_timer = g_timeout_add(call->state->host.suspend_timeout_ms,
                                       xensimSuspendTimeout, dom);
    if (dom->type == XENSIM_DOMAIN_TYPE_HVM && !dom->pv_drivers &&
        (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED)) {
        xensimGuestInitiate(dom, LIBXL_SHUTDOWN_REASON_SUSPEND);
    } else {
        g_autofree char *path = g_strdup_printf("/local/domain/%u/control/shutdown",
                                                dom->domid);

        xensimStoreWrite(call->state->store, path, "suspend");
        xensimStoreWritten(call->state, path, "suspend");
    }
    guest = xensimDomainGuestState(dom);
    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "save_rate_mib_s", call->state->host.save_rate_mib_s);
    xensimRecStr(&r, "guest_state", guest->str);
    xensimRecClose(&r);
    return 0;
}

/* args: domid.  A suspended domain runs again (xc_domain_resume). */
int
xensimCmdResume(XensimCall *call)
{
    XensimDomain *dom;
    int rc;

    if ((rc = xensimArgDomU(call, &dom)))
        return rc;
    if (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED)
        return 0;
    if (dom->state != XENSIM_DOMAIN_SHUTDOWN ||
        dom->shutdown_reason != LIBXL_SHUTDOWN_REASON_SUSPEND) {
        call->message = g_strdup_printf("domain %u is not suspended", dom->domid);
        return ERROR_FAIL;
    }
    xensimDomainSetState(dom, XENSIM_DOMAIN_RUNNING);
    dom->shutdown_reason = 0;
    xensimStateLog(dom->owner, "domain %u (%s): resumed", dom->domid, dom->name);
    xensimDomainStateChanged(dom->owner, dom);
    return 0;
}

/* args: none.  What a restore's stream helper needs: the stream rate. */
int
xensimCmdStreamRate(XensimCall *call)
{
    XensimRec r;

    xensimRecOpen(&r, call->records);
    xensimRecU64(&r, "save_rate_mib_s", call->state->host.save_rate_mib_s);
    xensimRecClose(&r);
    return 0;
}

int
xensimCmdShutdown(XensimCall *call)
{
    return xensimDomainControl(call, "poweroff");
}

int
xensimCmdReboot(XensimCall *call)
{
    return xensimDomainControl(call, "reboot");
}

/* args: domid, trigger (power, sleep, nmi, init, reset, s3resume).
 * An NMI is for any guest (x86 XEN_DOMCTL_sendtrigger: nmi_pending on the
 * vCPU, PV or HVM); x86 Xen implements no INIT or RESET trigger (ENOSYS);
 * the others are for HVM guests, a PV domain refuses them (EINVAL). */
int
xensimCmdSendTrigger(XensimCall *call)
{
    XensimDomain *dom;
    const char *trigger;
    int rc;

    if ((rc = xensimArgDomUHypercall(call, &dom, "xc_domain_send_trigger")))
        return rc;
    trigger = call->nargs > 1 ? call->args[1] : "";
    if (strcmp(trigger, "nmi") == 0) {
        xensimGuestNmi(dom);
        return 0;
    }
    if (dom->type != XENSIM_DOMAIN_TYPE_HVM &&
        (strcmp(trigger, "reset") == 0 || strcmp(trigger, "init") == 0)) {
        call->message = g_strdup_printf("Send trigger '%s' failed: Function not implemented",
                                        trigger);
        return ERROR_FAIL;
    }
    if (dom->type != XENSIM_DOMAIN_TYPE_HVM) {
        call->message = g_strdup_printf("Send trigger '%s' failed: Invalid argument",
                                        trigger);
        return ERROR_FAIL;
    }
    if (strcmp(trigger, "power") == 0) {
        /* ACPI power button: the guest powers off, if it listens */
        if (dom->ignore_shutdown) {
            xensimStateLog(call->state, "domain %u: ignores the power button",
                           dom->domid);
            return 0;
        }
        g_free(dom->pending_request);
        dom->pending_request = g_strdup("poweroff");
        xensimTimerClear(&dom->guest_timer);
        dom->guest_timer = g_timeout_add(xensimGuestDelay(dom), xensimGuestReact, dom);
    } else if (strcmp(trigger, "reset") == 0) {
        if (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED)
            xensimGuestInitiate(dom, LIBXL_SHUTDOWN_REASON_REBOOT);
    } else if (strcmp(trigger, "nmi") != 0 && strcmp(trigger, "sleep") != 0 &&
               strcmp(trigger, "init") != 0 && strcmp(trigger, "s3resume") != 0) {
        call->message = g_strdup_printf("Send trigger '%s' failed: Invalid argument",
                                        trigger);
        return ERROR_INVAL;
    }
    return 0;
}

int
xensimCmdPause(XensimCall *call)
{
    XensimDomain *dom;
    int rc;

    if ((rc = xensimArgDomUHypercall(call, &dom, "xc_domain_pause")))
        return rc;
    if (dom->state == XENSIM_DOMAIN_RUNNING || dom->state == XENSIM_DOMAIN_BLOCKED) {
        xensimDomainSetState(dom, XENSIM_DOMAIN_PAUSED);
        xensimDomainStateChanged(call->state, dom);
    }
    return 0;
}

/* The first unpause boots the guest. */
int
xensimCmdUnpause(XensimCall *call)
{
    XensimDomain *dom;
    guint i;
    int rc;

    if ((rc = xensimArgDomUHypercall(call, &dom, "xc_domain_unpause")))
        return rc;
    if (dom->state != XENSIM_DOMAIN_PAUSED)
        return 0;
    xensimDomainSetState(dom, XENSIM_DOMAIN_RUNNING);
    if (!dom->booted) {
        g_autofree char *p = NULL;

        dom->booted = true;
        for (i = 0; i < dom->consoles->len; i++) {
            XensimConsole *console = g_ptr_array_index(dom->consoles, i);

            if (dom->resume_modes)
                xensimConsoleResume(console, i + 1 < g_strv_length(dom->resume_modes) ?
                                    dom->resume_modes[i + 1] : NULL);
            else
                xensimConsoleBoot(console);
        }
        if (dom->pv_drivers) {
            p = g_strdup_printf("/local/domain/%u/control/feature-poweroff", dom->domid);
            xensimStoreWrite(call->state->store, p, "1");
            g_free(p);
            p = g_strdup_printf("/local/domain/%u/control/feature-reboot", dom->domid);
            xensimStoreWrite(call->state->store, p, "1");
        }
    }
    xensimDomainStateChanged(call->state, dom);
    /* a request written while it was paused (or before it booted) */
    xensimGuestReadRequest(dom);
    return 0;
}

/* args: domid, old name ("" any), new name */
int
xensimCmdRename(XensimCall *call)
{
    XensimDomain *dom;
    XensimDomain *other;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (call->nargs < 3 || !call->args[2][0]) {
        call->message = g_strdup("a new name is expected");
        return ERROR_INVAL;
    }
    if (call->args[1][0] && strcmp(call->args[1], dom->name) != 0) {
        call->message = g_strdup_printf("domain %u is not called '%s'",
                                        dom->domid, call->args[1]);
        return ERROR_INVAL;
    }
    if ((other = xensimDomainByName(call->state, call->args[2])) && other != dom) {
        call->message = g_strdup_printf("domain with name \"%s\" already exists.",
                                        call->args[2]);
        return ERROR_INVAL;
    }
    g_free(dom->name);
    dom->name = g_strdup(call->args[2]);
    xensimDomainPublish(call->state, dom);
    return 0;
}

/* What a save stream carries of the guest: "running MODE..." (each
 * console's session) once it has booted, "" before. */
static GString *
xensimDomainGuestState(XensimDomain *dom)
{
    GString *guest = g_string_new(dom->booted ? "running" : "");
    guint i;

    for (i = 0; dom->booted && i < dom->consoles->len; i++)
        g_string_append_printf(guest, " %s",
                               xensimConsoleGuestMode(g_ptr_array_index(dom->consoles, i)));
    return guest;
}

/* args: domid.  The stored configuration with the live values. */
int
xensimCmdRetrieveConfig(XensimCall *call)
{
    g_autoptr(GString) guest = NULL;
    XensimDomain *dom;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)))
        return rc;
    if (!dom->config_json) {
        call->message = g_strdup_printf("domain %u: no libxl configuration stored",
                                        dom->domid);
        return ERROR_FAIL;
    }
    guest = xensimDomainGuestState(dom);
    xensimRecOpen(&r, call->records);
    xensimRecStr(&r, "json", dom->config_json);
    xensimRecStr(&r, "name", dom->name);
    xensimRecU64(&r, "max_memkb", dom->max_memkb);
    xensimRecU64(&r, "target_memkb", xensimTuneConfigTargetKB(dom));
    xensimRecU64(&r, "online_vcpus", dom->online_vcpus);
    xensimRecStr(&r, "guest_state", guest->str);
    xensimHotplugAddPresent(&r, dom);
    xensimRecClose(&r);
    return 0;
}

/* args: domid, kind (pv, serial, channel), number.  What libxl reads:
 * the tty path in xenstore, ERROR_FAIL while it is not there yet. */
int
xensimCmdConsoleGetTty(XensimCall *call)
{
    XensimDomain *dom;
    g_autofree char *path = NULL;
    const char *tty;
    guint64 num;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomid(call, 0, &dom)) ||
        (rc = xensimArgU64(call, 2, G_MAXUINT32, &num, "a console kind and number")))
        return rc;
    if (strcmp(call->args[1], "serial") == 0)
        path = g_strdup_printf("/local/domain/%u/serial/%u/tty", dom->domid, (guint)num);
    else if (strcmp(call->args[1], "pv") == 0 && num == 0)
        path = g_strdup_printf("/local/domain/%u/console/tty", dom->domid);
    else if (strcmp(call->args[1], "pv") == 0 || strcmp(call->args[1], "channel") == 0)
        path = g_strdup_printf("/local/domain/%u/device/console/%u/tty",
                               dom->domid, (guint)num);
    else {
        call->message = g_strdup_printf("unknown console type '%s'", call->args[1]);
        return ERROR_INVAL;
    }
    if (!(tty = xensimStoreRead(call->state->store, path)) || !*tty) {
        call->message = g_strdup_printf("Unable to read console tty path `%s'", path);
        return ERROR_FAIL;
    }
    xensimRecOpen(&r, call->records);
    xensimRecStr(&r, "tty", tty);
    xensimRecStr(&r, "path", path);
    xensimRecClose(&r);
    return 0;
}

/* args: domid.  What a core file holds: the domain's memory size. */
int
xensimCmdCoreDump(XensimCall *call)
{
    XensimDomain *dom;
    XensimRec r;
    int rc;

    if ((rc = xensimArgDomU(call, &dom)))
        return rc;
    xensimRecOpen(&r, call->records);
    xensimAddDominfo(&r, dom);
    xensimRecU64(&r, "save_rate_mib_s", call->state->host.save_rate_mib_s);
    xensimRecClose(&r);
    return 0;
}

/* xensimctl guest ------------------------------------------------------ */

static int
xensimArgGuest(XensimCall *call, XensimDomain **dom)
{
    guint64 domid;

    if (call->nargs < 1) {
        call->message = g_strdup("a domain (name or id) is expected");
        return ERROR_INVAL;
    }
    if (g_ascii_string_to_unsigned(call->args[0], 10, 0, G_MAXUINT32, &domid, NULL))
        *dom = xensimStateLookup(call->state, domid);
    else
        *dom = xensimDomainByName(call->state, call->args[0]);
    if (!*dom || (*dom)->domid == 0) {
        call->message = g_strdup_printf("no guest '%s'", call->args[0]);
        return ERROR_DOMAIN_NOTFOUND;
    }
    return 0;
}

static int
xensimParseOnOff(XensimCall *call, const char *value, bool *out)
{
    if (strcmp(value, "on") == 0 || strcmp(value, "1") == 0)
        *out = true;
    else if (strcmp(value, "off") == 0 || strcmp(value, "0") == 0)
        *out = false;
    else {
        call->message = g_strdup_printf("'%s': on or off is expected", value);
        return ERROR_INVAL;
    }
    return 0;
}

/* args: domain, key, value */
int
xensimCmdGuestSet(XensimCall *call)
{
    XensimDomain *dom;
    gint64 ms;
    int rc;

    if ((rc = xensimArgGuest(call, &dom)))
        return rc;
    if (call->nargs != 3) {
        call->message = g_strdup("guest DOMAIN set KEY VALUE");
        return ERROR_INVAL;
    }
    if (strcmp(call->args[1], "ignore-shutdown") == 0)
        return xensimParseOnOff(call, call->args[2], &dom->ignore_shutdown);
    if (strcmp(call->args[1], "pv-drivers") == 0) {
        int r = xensimParseOnOff(call, call->args[2], &dom->pv_drivers);

        /* the guest's disk I/O moves between emulated and PV disks */
        xensimIoDomainAccount(dom);
        return r;
    }
    if (strcmp(call->args[1], "ack-requests") == 0) {
        bool ack;
        int r = xensimParseOnOff(call, call->args[2], &ack);

        dom->no_ack = !ack;
        /* a guest that comes back reads what is waiting for it */
        if (!r && ack)
            xensimGuestReadRequest(dom);
        return r;
    }
    if (strcmp(call->args[1], "shutdown-delay") == 0) {
        if (!g_ascii_string_to_signed(call->args[2], 10, 0, 3600 * 1000, &ms, NULL)) {
            call->message = g_strdup_printf("'%s': milliseconds are expected",
                                            call->args[2]);
            return ERROR_INVAL;
        }
        dom->shutdown_delay_ms = ms;
        return 0;
    }
    call->message = g_strdup_printf("unknown guest setting '%s' (ignore-shutdown, "
                                    "shutdown-delay, pv-drivers, ack-requests)",
                                    call->args[1]);
    return ERROR_INVAL;
}

/* args: domain, event (poweroff, reboot, crash, suspend, watchdog,
 * soft_reset): the guest does it, now. */
int
xensimCmdGuestEvent(XensimCall *call)
{
    XensimDomain *dom;
    int rc, reason;

    if ((rc = xensimArgGuest(call, &dom)))
        return rc;
    if (call->nargs != 2 || (reason = xensimRequestReason(call->args[1])) < 0) {
        call->message = g_strdup("guest DOMAIN poweroff|reboot|crash|suspend|"
                                 "watchdog|soft_reset");
        return ERROR_INVAL;
    }
    if (dom->state != XENSIM_DOMAIN_RUNNING && dom->state != XENSIM_DOMAIN_BLOCKED) {
        call->message = g_strdup_printf("guest '%s' is not running", dom->name);
        return ERROR_INVAL;
    }
    xensimGuestInitiate(dom, reason);
    return 0;
}

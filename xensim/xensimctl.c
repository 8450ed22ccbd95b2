/*
 * xensimctl.c: inspect the simulated Xen host and inject faults
 *
 *   xensimctl --dir DIR COMMAND [ARGS]
 *
 * Errors: one line on stderr, exit status 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxl.h>

#include "xensim-proto.h"

static const char *xensimctlUsage =
    "usage: xensimctl --dir DIR COMMAND [ARGS]\n"
    "commands:\n"
    "  list                          domains: id, name, state, memory, vcpus\n"
    "  host                          the host's shape\n"
    "  host set KEY VALUE            change a latency or guest default key\n"
    "                                (build_delay_ms, shutdown_delay_ms, ...)\n"
    "  pci-list                      the host's PCI devices: address, ids,\n"
    "                                class, driver, domain (- if none)\n"
    "  usb-list                      the host's USB devices: BUS.ADDR, ids,\n"
    "                                class, domain (- if none)\n"
    "  xenstore-ls [PATH]            the xenstore tree below PATH\n"
    "  xenstore-read PATH\n"
    "  xenstore-write PATH VALUE\n"
    "  xenstore-rm PATH\n"
    "  fault set ENTRY-POINT ERROR [always|once|N]\n"
    "                                make calls of ENTRY-POINT (e.g.\n"
    "                                libxl_get_physinfo) fail with ERROR\n"
    "                                (ERROR_FAIL, a libxl error name or\n"
    "                                number; for xs_*: an errno name)\n"
    "  fault clear [ENTRY-POINT]\n"
    "  fault list\n"
    "  calls                         the entry points called since the last\n"
    "                                reset (or xensimd's start): NAME COUNT\n"
    "  calls reset\n"
    "  guest DOMAIN set KEY VALUE    a guest's behaviour (DOMAIN: name or id):\n"
    "                                ignore-shutdown on|off, shutdown-delay MS,\n"
    "                                pv-drivers on|off, ack-requests on|off\n"
    "  guest DOMAIN EVENT            the guest does it now: poweroff, reboot,\n"
    "                                crash, suspend, watchdog, soft_reset\n"
    "  tune DOMID                    scheduler parameters, memory, and each\n"
    "                                vCPU's CPU, affinity, time, rtds parameters\n"
    "  controls DOMID                what the guest controls did: NMIs taken,\n"
    "                                keys pressed, screendumps\n"
    "  console-tty DOMID [pv|serial|channel [N]]\n"
    "                                a console's pty (as libxl_console_get_tty)\n"
    "  io DOMID                      the domain's devices and their counters:\n"
    "                                a line per device, KIND then KEY=VALUE\n";

static int G_GNUC_PRINTF(1, 2)
xensimctlFail(const char *fmt, ...)
{
    va_list ap;

    fputs("xensimctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 1;
}

/* One request; on failure print one line and return non-zero. */
static int
xensimctlCall(const char *dir, const char *cmd, const char *const *args,
              GVariant **records)
{
    g_autoptr(GVariant) request = xensimRequestNew(cmd, args);
    g_autoptr(GVariant) reply = NULL;
    const char *msg;
    gint32 rc;
    int fd, r;

    if ((fd = xensimProtoConnect(dir)) < 0)
        return xensimctlFail("cannot connect to xensimd in %s: %s", dir,
                             g_strerror(-fd));
    r = xensimProtoSend(fd, request);
    if (r == 0)
        r = xensimProtoRecv(fd, XENSIM_REPLY_TYPE, &reply);
    close(fd);
    if (r < 0)
        return xensimctlFail("%s: xensimd: %s", cmd, g_strerror(-r));
    g_variant_get(reply, "(i&s@aa{sv})", &rc, &msg, records);
    if (rc != 0)
        return xensimctlFail("%s: %s", cmd, msg);
    return 0;
}

static int
xensimctlList(const char *dir)
{
    g_autoptr(GVariant) records = NULL;
    GVariantIter it;
    GVariant *rec;

    if (xensimctlCall(dir, "list", NULL, &records))
        return 1;
    printf("%-5s %-24s %-9s %9s %5s\n", "ID", "Name", "State", "Mem(MiB)", "VCPUs");
    g_variant_iter_init(&it, records);
    while ((rec = g_variant_iter_next_value(&it))) {
        g_autofree char *name = xensimRecordStr(rec, "name");
        g_autofree char *state = xensimRecordStr(rec, "state");

        /* a shut down domain says why: shutdown(poweroff) */
        if (g_strcmp0(state, "shutdown") == 0) {
            const char *why = libxl_shutdown_reason_to_string(
                (libxl_shutdown_reason)(gint64)xensimRecordU64(rec, "shutdown_reason", 0));
            char *full = g_strdup_printf("shutdown(%s)", why ? why : "unknown");

            g_free(state);
            state = full;
        }

        printf("%-5" G_GUINT64_FORMAT " %-24s %-9s %9" G_GUINT64_FORMAT
               " %5" G_GUINT64_FORMAT "\n",
               xensimRecordU64(rec, "domid", 0), name, state,
               xensimRecordU64(rec, "current_memkb", 0) / 1024,
               xensimRecordU64(rec, "vcpu_online", 0));
        g_variant_unref(rec);
    }
    return 0;
}

/* A line per device: "disk" or "nic", then its record as KEY=VALUE. */
static int
xensimctlIo(const char *dir, const char *domid)
{
    g_autoptr(GVariant) records = NULL;
    GVariantIter recs;
    GVariant *rec;

    if (xensimctlCall(dir, "io-stats", (const char *[]){ domid, NULL }, &records))
        return 1;
    g_variant_iter_init(&recs, records);
    while ((rec = g_variant_iter_next_value(&recs))) {
        GVariantIter it;
        const char *key;
        GVariant *value;
        const char *kind = NULL;

        g_variant_lookup(rec, "kind", "&s", &kind);
        printf("%s", kind ? kind : "device");
        g_variant_iter_init(&it, rec);
        while (g_variant_iter_next(&it, "{&sv}", &key, &value)) {
            if (strcmp(key, "kind") != 0) {
                if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
                    printf(" %s=%s", key, g_variant_get_string(value, NULL));
                else
                    printf(" %s=%" G_GUINT64_FORMAT, key, xensimRecordU64(rec, key, 0));
            }
            g_variant_unref(value);
        }
        printf("\n");
        g_variant_unref(rec);
    }
    return 0;
}

/* the simulated PCI bus: BDF VENDOR:DEVICE CLASS DRIVER DOMID */
static int
xensimctlPciList(const char *dir)
{
    g_autoptr(GVariant) records = NULL;
    GVariantIter it;
    GVariant *rec;

    if (xensimctlCall(dir, "pci-list", NULL, &records))
        return 1;
    g_variant_iter_init(&it, records);
    while ((rec = g_variant_iter_next_value(&it))) {
        g_autofree char *bdf = xensimRecordStr(rec, "bdf");
        g_autofree char *ids = xensimRecordStr(rec, "ids");
        g_autofree char *cls = xensimRecordStr(rec, "class");
        g_autofree char *driver = xensimRecordStr(rec, "driver");
        g_autoptr(GVariant) domid = g_variant_lookup_value(rec, "domid", G_VARIANT_TYPE_INT64);
        gint64 id = domid ? g_variant_get_int64(domid) : -1;

        if (id >= 0)
            printf("%s %s %s %s %" G_GINT64_FORMAT "\n", bdf, ids, cls, driver, id);
        else
            printf("%s %s %s %s -\n", bdf, ids, cls, driver);
        g_variant_unref(rec);
    }
    return 0;
}

static void
xensimctlPrintValue(GVariant *rec, const char *key, GVariant *value)
{
    if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
        printf("%s", g_variant_get_string(value, NULL));
    else
        printf("%" G_GUINT64_FORMAT, xensimRecordU64(rec, key, 0));
}

/* The domain's "key: value" lines, then a line per vCPU. */
static int
xensimctlTune(const char *dir, const char *domid)
{
    g_autoptr(GVariant) records = NULL;
    gsize i;

    if (xensimctlCall(dir, "tune", (const char *[]){ domid, NULL }, &records))
        return 1;
    for (i = 0; i < g_variant_n_children(records); i++) {
        g_autoptr(GVariant) rec = g_variant_get_child_value(records, i);
        GVariantIter it;
        const char *key;
        GVariant *value;
        bool first = true;

        g_variant_iter_init(&it, rec);
        while (g_variant_iter_next(&it, "{&sv}", &key, &value)) {
            if (i == 0) {
                printf("%s: ", key);
                xensimctlPrintValue(rec, key, value);
                printf("\n");
            } else {
                printf(first ? "%s " : " %s ", key);
                xensimctlPrintValue(rec, key, value);
                first = false;
            }
            g_variant_unref(value);
        }
        if (i > 0)
            printf("\n");
    }
    return 0;
}

/* The guest controls' effects on the domain: "key: value" lines. */
static int
xensimctlControls(const char *dir, const char *domid)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    GVariantIter it;
    const char *key;
    GVariant *value;

    if (xensimctlCall(dir, "controls", (const char *[]){ domid, NULL }, &records))
        return 1;
    rec = g_variant_get_child_value(records, 0);
    g_variant_iter_init(&it, rec);
    while (g_variant_iter_next(&it, "{&sv}", &key, &value)) {
        printf("%s: ", key);
        xensimctlPrintValue(rec, key, value);
        printf("\n");
        g_variant_unref(value);
    }
    return 0;
}

/* the simulated USB devices: BUS.ADDR VENDOR:PRODUCT CLASS DOMID */
static int
xensimctlUsbList(const char *dir)
{
    g_autoptr(GVariant) records = NULL;
    GVariantIter it;
    GVariant *rec;

    if (xensimctlCall(dir, "usb-list", NULL, &records))
        return 1;
    g_variant_iter_init(&it, records);
    while ((rec = g_variant_iter_next_value(&it))) {
        g_autofree char *addr = xensimRecordStr(rec, "addr");
        g_autofree char *ids = xensimRecordStr(rec, "ids");
        g_autoptr(GVariant) domid = g_variant_lookup_value(rec, "domid", G_VARIANT_TYPE_INT64);
        gint64 id = domid ? g_variant_get_int64(domid) : -1;

        if (id >= 0)
            printf("%s %s %02x %" G_GINT64_FORMAT "\n", addr, ids,
                   (unsigned)xensimRecordU64(rec, "class", 0), id);
        else
            printf("%s %s %02x -\n", addr, ids, (unsigned)xensimRecordU64(rec, "class", 0));
        g_variant_unref(rec);
    }
    return 0;
}

static int
xensimctlHost(const char *dir)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    GVariantIter it;
    const char *key;
    GVariant *value;

    if (xensimctlCall(dir, "host", NULL, &records))
        return 1;
    rec = g_variant_get_child_value(records, 0);
    g_variant_iter_init(&it, rec);
    while (g_variant_iter_next(&it, "{&sv}", &key, &value)) {
        if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)) {
            printf("%s: %s\n", key, g_variant_get_string(value, NULL));
        } else if (g_variant_is_of_type(value, G_VARIANT_TYPE("au"))) {
            gsize n, i;
            const guint32 *words = g_variant_get_fixed_array(value, &n, sizeof(guint32));

            printf("%s:", key);
            for (i = 0; i < n; i++)
                printf(" %08x", words[i]);
            printf("\n");
        } else {
            printf("%s: %" G_GUINT64_FORMAT "\n", key, xensimRecordU64(rec, key, 0));
        }
        g_variant_unref(value);
    }
    return 0;
}

static int
xensimctlXenstoreLs(const char *dir, const char *path)
{
    g_autoptr(GVariant) records = NULL;
    const char *args[] = { path, NULL };
    GVariantIter it;
    GVariant *rec;

    if (xensimctlCall(dir, "xenstore-ls", path ? args : NULL, &records))
        return 1;
    g_variant_iter_init(&it, records);
    while ((rec = g_variant_iter_next_value(&it))) {
        g_autofree char *p = xensimRecordStr(rec, "path");
        g_autofree char *v = xensimRecordStr(rec, "value");
        g_autofree char *escaped = g_strescape(v, NULL);

        printf("%s = \"%s\"\n", p, escaped);
        g_variant_unref(rec);
    }
    return 0;
}

static int
xensimctlXenstoreRead(const char *dir, const char *path)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    const char *args[] = { path, NULL };
    g_autofree char *value = NULL;

    if (xensimctlCall(dir, "xs_read", args, &records))
        return 1;
    rec = g_variant_get_child_value(records, 0);
    value = xensimRecordStr(rec, "value");
    printf("%s\n", value ? value : "");
    return 0;
}

/* A libxl error (ERROR_FAIL, FAIL, -3) or an errno name (ENOENT). */
static int
xensimctlParseError(const char *text, int *rc)
{
    static const struct { const char *name; int err; } errnos[] = {
        { "ENOENT", ENOENT }, { "EACCES", EACCES }, { "EPERM", EPERM },
        { "EINVAL", EINVAL }, { "EIO", EIO }, { "EAGAIN", EAGAIN },
        { "ENOSPC", ENOSPC }, { "ENOMEM", ENOMEM }, { "ENOSYS", ENOSYS },
        { "EBUSY", EBUSY }, { "EEXIST", EEXIST }, { "E2BIG", E2BIG },
    };
    libxl_error err;
    gint64 n;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(errnos); i++) {
        if (strcmp(text, errnos[i].name) == 0) {
            *rc = -errnos[i].err;
            return 0;
        }
    }
    if (g_str_has_prefix(text, "ERROR_"))
        text += strlen("ERROR_");
    if (libxl_error_from_string(text, &err) == 0 && err < 0) {
        *rc = err;
        return 0;
    }
    if (g_ascii_string_to_signed(text, 10, G_MININT32, -1, &n, NULL)) {
        *rc = n;
        return 0;
    }
    return -1;
}

static int
xensimctlFault(const char *dir, int argc, char **argv)
{
    if (argc >= 1 && strcmp(argv[0], "set") == 0) {
        g_autofree char *rcs = NULL;
        const char *count = "-1";
        int rc;

        if (argc < 3 || argc > 4)
            return xensimctlFail("usage: fault set ENTRY-POINT ERROR [always|once|N]");
        if (xensimctlParseError(argv[2], &rc) < 0)
            return xensimctlFail("fault set: unknown error '%s' (ERROR_FAIL, "
                                 "another libxl error, a negative number or "
                                 "an errno name)", argv[2]);
        if (argc == 4 && strcmp(argv[3], "once") == 0)
            count = "1";
        else if (argc == 4 && strcmp(argv[3], "always") != 0)
            count = argv[3];
        rcs = g_strdup_printf("%d", rc);
        return xensimctlCall(dir, "fault-set",
                             (const char *[]){ argv[1], rcs, count, NULL }, NULL);
    }
    if (argc >= 1 && strcmp(argv[0], "clear") == 0) {
        if (argc > 2)
            return xensimctlFail("usage: fault clear [ENTRY-POINT]");
        return xensimctlCall(dir, "fault-clear",
                             (const char *[]){ argc == 2 ? argv[1] : NULL, NULL },
                             NULL);
    }
    if (argc == 1 && strcmp(argv[0], "list") == 0) {
        g_autoptr(GVariant) records = NULL;
        GVariantIter it;
        GVariant *rec;

        if (xensimctlCall(dir, "fault-list", NULL, &records))
            return 1;
        g_variant_iter_init(&it, records);
        while ((rec = g_variant_iter_next_value(&it))) {
            g_autofree char *name = xensimRecordStr(rec, "name");
            gint64 remaining = xensimRecordU64(rec, "remaining", 0);

            printf("%s %d %s\n", name, (int)xensimRecordU64(rec, "rc", 0),
                   remaining < 0 ? "always" :
                   g_strdup_printf("%" G_GINT64_FORMAT, remaining));
            g_variant_unref(rec);
        }
        return 0;
    }
    return xensimctlFail("usage: fault set|clear|list ...");
}

static int
xensimctlCalls(const char *dir, int argc, char **argv)
{
    g_autoptr(GVariant) records = NULL;
    GVariantIter it;
    GVariant *rec;

    if (argc == 1 && strcmp(argv[0], "reset") == 0)
        return xensimctlCall(dir, "calls-reset", NULL, NULL);
    if (argc != 0)
        return xensimctlFail("usage: calls [reset]");
    if (xensimctlCall(dir, "calls", NULL, &records))
        return 1;
    g_variant_iter_init(&it, records);
    while ((rec = g_variant_iter_next_value(&it))) {
        g_autofree char *name = xensimRecordStr(rec, "name");

        printf("%s %" G_GUINT64_FORMAT "\n", name, xensimRecordU64(rec, "count", 0));
        g_variant_unref(rec);
    }
    return 0;
}

static int
xensimctlConsoleTty(const char *dir, const char *domid, const char *kind,
                    const char *num)
{
    g_autoptr(GVariant) records = NULL;
    g_autoptr(GVariant) rec = NULL;
    g_autofree char *tty = NULL;

    if (xensimctlCall(dir, "libxl_console_get_tty",
                      (const char *[]){ domid, kind, num, NULL }, &records))
        return 1;
    rec = g_variant_get_child_value(records, 0);
    tty = xensimRecordStr(rec, "tty");
    printf("%s\n", tty);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *dir = NULL;
    const char *cmd;
    int i = 1;

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(xensimctlUsage, stdout);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--dir") == 0) {
        dir = argv[2];
        i = 3;
    } else if ((dir = getenv("XENSIM_DIR")) == NULL || !*dir) {
        return xensimctlFail("--dir DIR is required (or XENSIM_DIR; try --help)");
    }
    if (i >= argc)
        return xensimctlFail("a command is required (try --help)");
    cmd = argv[i++];
    argc -= i;
    argv += i;

    if (strcmp(cmd, "list") == 0 && argc == 0)
        return xensimctlList(dir);
    if (strcmp(cmd, "host") == 0 && argc == 0)
        return xensimctlHost(dir);
    if (strcmp(cmd, "host") == 0 && argc == 3 && strcmp(argv[0], "set") == 0)
        return xensimctlCall(dir, "host-set", (const char *[]){ argv[1], argv[2], NULL },
                             NULL);
    if (strcmp(cmd, "usb-list") == 0 && argc == 0)
        return xensimctlUsbList(dir);
    if (strcmp(cmd, "pci-list") == 0 && argc == 0)
        return xensimctlPciList(dir);
    if (strcmp(cmd, "xenstore-ls") == 0 && argc <= 1)
        return xensimctlXenstoreLs(dir, argc ? argv[0] : NULL);
    if (strcmp(cmd, "xenstore-read") == 0 && argc == 1)
        return xensimctlXenstoreRead(dir, argv[0]);
    if (strcmp(cmd, "xenstore-write") == 0 && argc == 2)
        return xensimctlCall(dir, "xs_write", (const char *[]){ argv[0], argv[1], NULL },
                             NULL);
    if (strcmp(cmd, "xenstore-rm") == 0 && argc == 1)
        return xensimctlCall(dir, "xs_rm", (const char *[]){ argv[0], NULL }, NULL);
    if (strcmp(cmd, "fault") == 0)
        return xensimctlFault(dir, argc, argv);
    if (strcmp(cmd, "calls") == 0)
        return xensimctlCalls(dir, argc, argv);
    if (strcmp(cmd, "guest") == 0 && argc == 4 && strcmp(argv[1], "set") == 0)
        return xensimctlCall(dir, "guest-set",
                             (const char *[]){ argv[0], argv[2], argv[3], NULL }, NULL);
    if (strcmp(cmd, "guest") == 0 && argc == 2)
        return xensimctlCall(dir, "guest-event",
                             (const char *[]){ argv[0], argv[1], NULL }, NULL);
    if (strcmp(cmd, "tune") == 0 && argc == 1)
        return xensimctlTune(dir, argv[0]);
    if (strcmp(cmd, "console-tty") == 0 && argc >= 1 && argc <= 3)
        return xensimctlConsoleTty(dir, argv[0], argc > 1 ? argv[1] : "pv",
                                   argc > 2 ? argv[2] : "0");
    if (strcmp(cmd, "controls") == 0 && argc == 1)
        return xensimctlControls(dir, argv[0]);
    if (strcmp(cmd, "io") == 0 && argc == 1)
        return xensimctlIo(dir, argv[0]);
    return xensimctlFail("unknown command or wrong arguments: %s (try --help)", cmd);
}

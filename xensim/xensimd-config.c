/*
 * xensimd-config.c: the host shape: defaults, config file, flags
 *
 * The config file holds "key = value" lines; '#' starts a comment.  Every
 * key is also a command line flag (--key value); flags override the file.
 * The keys are documented in README.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "xensimd-state.h"
#include "xensimd-pci.h"
#include "xensimd-usb.h"

static const char *const xensimSchedulers[] = {
    "credit", "credit2", "rtds", "arinc653", "null", NULL,
};

void
xensimHostConfigInit(XensimHostConfig *cfg)
{
    /* A 2-socket host, 4 cores per socket, 2 threads per core. */
    static const guint32 hw_cap[XENSIM_HWCAP_WORDS] = {
        0xbfebfbff,     /* CPUID.1.EDX */
        0x77fafbff,     /* CPUID.1.ECX */
        0x2c100800,     /* CPUID.80000001.EDX */
        0x00000121,     /* CPUID.80000001.ECX */
        0x0000000f,     /* CPUID.D:1.EAX */
        0x029c6fbf,     /* CPUID.7:0.EBX */
        0x00000000,     /* CPUID.7:0.ECX */
        0x00000100,     /* CPUID.80000007.EDX */
    };

    memset(cfg, 0, sizeof(*cfg));
    cfg->sockets = 2;
    cfg->cores_per_socket = 4;
    cfg->threads_per_core = 2;
    cfg->nodes = 2;
    cfg->memory_kib = 32768 * 1024;
    /* page 0 and the legacy 640 KiB - 1 MiB hole of a PC */
    cfg->memory_hole_kib = 388;
    cfg->dom0_memory_kib = 4096 * 1024;
    cfg->dom0_vcpus = 4;
    cfg->cpu_khz = 2400000;
    cfg->cpu_load = 5;
    cfg->uptime_s = 600;
    cfg->xen_version = g_strdup("4.17.5");
    cfg->scheduler = g_strdup("credit2");
    cfg->capabilities = g_strdup("xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64");
    cfg->commandline = g_strdup("placeholder dom0_mem=4096M,max:4096M");
    cfg->hostname = g_strdup("xensim");
    memcpy(cfg->hw_cap, hw_cap, sizeof(hw_cap));
    /* An Intel host with VT-d, Debian's Xen 4.17 (built without shadow
     * paging): xl info's "pv hvm hvm_directio pv_directio hap
     * iommu_hap_pt_share gnttab-v1 gnttab-v2". */
    cfg->cap_hvm = cfg->cap_pv = true;
    cfg->cap_hvm_directio = cfg->cap_hap = true;
    cfg->cap_iommu_hap_pt_share = true;
    cfg->cap_gnttab_v1 = cfg->cap_gnttab_v2 = true;
    cfg->build_delay_ms = 100;
    cfg->build_ms_per_gib = 0;
    cfg->shutdown_delay_ms = 200;
    cfg->destroy_delay_ms = 20;
    cfg->console_delay_ms = 20;
    cfg->save_rate_mib_s = 1024;
    cfg->suspend_timeout_ms = 60000;
    cfg->balloon_delay_ms = 100;
    cfg->guest_ignore_shutdown = g_strdup("");
    cfg->guest_no_pv_drivers = g_strdup("");
    cfg->guest_build_delay = g_strdup("");
    cfg->guest_shutdown_delay = g_strdup("");
    cfg->guest_no_ack = g_strdup("");
    cfg->io_read_iops = 40;
    cfg->io_write_iops = 20;
    cfg->io_request_kib = 16;
    cfg->io_latency_us = 250;
    cfg->netback = false;
    cfg->net_rx_pps = 10;
    cfg->net_tx_pps = 5;
    cfg->net_frame_bytes = 1000;
    xensimHotplugConfigInit(cfg);
    cfg->pci_devices = g_strdup("");
    cfg->usb_devices = g_strdup("");
}

void
xensimHostConfigDispose(XensimHostConfig *cfg)
{
    g_free(cfg->xen_version);
    g_free(cfg->scheduler);
    g_free(cfg->capabilities);
    g_free(cfg->commandline);
    g_free(cfg->hostname);
    g_free(cfg->guest_ignore_shutdown);
    g_free(cfg->guest_no_pv_drivers);
    g_free(cfg->guest_build_delay);
    g_free(cfg->guest_shutdown_delay);
    g_free(cfg->guest_no_ack);
    xensimHotplugConfigDispose(cfg);
    g_free(cfg->pci_devices);
    g_free(cfg->usb_devices);
    memset(cfg, 0, sizeof(*cfg));
}

static int
xensimParseU64(const char *value, guint64 min, guint64 max, guint64 *out,
               char **err)
{
    g_autoptr(GError) gerr = NULL;

    if (!g_ascii_string_to_unsigned(value, 10, min, max, out, &gerr)) {
        *err = g_strdup_printf("invalid value '%s' (an integer from %"
                               G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT
                               " is expected)", value, min, max);
        return -1;
    }
    return 0;
}

static int
xensimParseUint(const char *value, guint max, guint *out, char **err)
{
    guint64 v;

    if (xensimParseU64(value, 1, max, &v, err) < 0)
        return -1;
    *out = v;
    return 0;
}

/* A rate or a duration: 0 to max. */
static int
xensimParseUint0(const char *value, guint max, guint *out, char **err)
{
    guint64 v;

    if (xensimParseU64(value, 0, max, &v, err) < 0)
        return -1;
    *out = v;
    return 0;
}

/* A delay in milliseconds: 0 to an hour. */
static int
xensimParseMs(const char *value, guint *out, char **err)
{
    guint64 v;

    if (xensimParseU64(value, 0, 3600 * 1000, &v, err) < 0)
        return -1;
    *out = v;
    return 0;
}

/* A memory size: "N" (MiB, the historical form), "N KiB", "N MiB",
 * "N GiB" or "N pages" (4 KiB); the unit may follow the number directly
 * and its case does not matter (K, M and G are KiB, MiB and GiB).  The
 * result, in KiB, must be a whole number of pages within [min, max]. */
static int
xensimParseMemory(const char *value, guint64 min_kib, guint64 max_kib,
                  guint64 *out, char **err)
{
    static const struct { const char *unit; guint64 kib; } units[] = {
        { "", 1024 }, { "k", 1 }, { "kib", 1 }, { "m", 1024 }, { "mib", 1024 },
        { "g", 1024 * 1024 }, { "gib", 1024 * 1024 }, { "pages", 4 }, { "page", 4 },
    };
    g_autofree char *unit = NULL;
    const char *end = value;
    guint64 n, kib;
    size_t i;

    while (g_ascii_isdigit(*end))
        end++;
    unit = g_ascii_strdown(end, -1);
    g_strstrip(unit);
    for (i = 0; i < G_N_ELEMENTS(units); i++) {
        if (strcmp(unit, units[i].unit) == 0)
            break;
    }
    if (end == value || end - value > 15 || i == G_N_ELEMENTS(units)) {
        *err = g_strdup_printf("invalid value '%s' (a size is expected: N MiB, "
                               "N KiB, N GiB or N pages; a bare number is MiB)",
                               value);
        return -1;
    }
    n = g_ascii_strtoull(value, NULL, 10);
    kib = n * units[i].kib;
    if (n > max_kib / units[i].kib || kib < min_kib || kib > max_kib) {
        *err = g_strdup_printf("invalid value '%s' (from %" G_GUINT64_FORMAT
                               " to %" G_GUINT64_FORMAT " KiB)",
                               value, min_kib, max_kib);
        return -1;
    }
    if (kib % 4) {
        *err = g_strdup_printf("invalid value '%s' (not a whole number of "
                               "4 KiB pages)", value);
        return -1;
    }
    *out = kib;
    return 0;
}

/* A CPU frequency in MHz with up to 3 decimals (xl info's cpu_mhz,
 * "2445.425"), kept in kHz as physinfo's cpu_khz. */
static int
xensimParseMhz(const char *value, guint *khz, char **err)
{
    g_autoptr(GRegex) re = g_regex_new("^([0-9]{1,6})(\\.([0-9]{1,3}))?$", 0, 0, NULL);
    g_autoptr(GMatchInfo) m = NULL;
    g_autofree char *whole = NULL;
    g_autofree char *frac = NULL;
    guint64 v;

    if (!g_regex_match(re, value, 0, &m)) {
        *err = g_strdup_printf("invalid value '%s' (MHz, with up to 3 decimals: "
                               "2445.425, is expected)", value);
        return -1;
    }
    whole = g_match_info_fetch(m, 1);
    frac = g_match_info_fetch(m, 3);
    v = g_ascii_strtoull(whole, NULL, 10) * 1000;
    if (frac && *frac)
        v += g_ascii_strtoull(frac, NULL, 10) * (strlen(frac) == 1 ? 100 :
                                                 strlen(frac) == 2 ? 10 : 1);
    if (v < 1000 || v > 100000 * 1000ULL) {
        *err = g_strdup_printf("invalid value '%s' (from 1 to 100000 MHz)", value);
        return -1;
    }
    *khz = v;
    return 0;
}

/* "GLOB=MS GLOB=MS ...": a delay for the guests whose name matches. */
static int
xensimParseGlobDelays(const char *value, char **field, char **err)
{
    g_auto(GStrv) words = g_strsplit_set(value, " \t,", -1);
    size_t i;

    for (i = 0; words[i]; i++) {
        const char *eq = strrchr(words[i], '=');
        guint64 ms;

        if (!words[i][0])
            continue;
        if (!eq || eq == words[i] ||
            !g_ascii_string_to_unsigned(eq + 1, 10, 0, 3600 * 1000, &ms, NULL)) {
            *err = g_strdup_printf("invalid value '%s' (GLOB=MS pairs are expected)",
                                   words[i]);
            return -1;
        }
    }
    g_free(*field);
    *field = g_strdup(value);
    return 0;
}

static int
xensimParseHwCap(XensimHostConfig *cfg, const char *value, char **err)
{
    g_auto(GStrv) words = g_strsplit_set(value, " \t,", -1);
    guint32 caps[XENSIM_HWCAP_WORDS] = { 0 };
    size_t i, n = 0;

    for (i = 0; words[i]; i++) {
        const char *w = words[i];
        guint64 v;

        if (!*w)
            continue;
        if (g_str_has_prefix(w, "0x") || g_str_has_prefix(w, "0X"))
            w += 2;
        if (n == XENSIM_HWCAP_WORDS ||
            !g_ascii_string_to_unsigned(w, 16, 0, G_MAXUINT32, &v, NULL)) {
            *err = g_strdup_printf("invalid value '%s' (up to %d hexadecimal "
                                   "32-bit words are expected)",
                                   value, XENSIM_HWCAP_WORDS);
            return -1;
        }
        caps[n++] = v;
    }
    memcpy(cfg->hw_cap, caps, sizeof(caps));
    return 0;
}

/* virt_caps: the words xl info prints for libxl_physinfo's cap_* flags.
 * xl prints hvm_directio and pv_directio for the one flag,
 * cap_hvm_directio (an IOMMU Xen uses), with hvm and with pv. */
static int
xensimParseVirtCaps(XensimHostConfig *cfg, const char *value, char **err)
{
    struct { const char *name; bool *flag; } caps[] = {
        { "pv", &cfg->cap_pv },
        { "hvm", &cfg->cap_hvm },
        { "hvm_directio", &cfg->cap_hvm_directio },
        { "pv_directio", &cfg->cap_hvm_directio },
        { "hap", &cfg->cap_hap },
        { "shadow", &cfg->cap_shadow },
        { "iommu_hap_pt_share", &cfg->cap_iommu_hap_pt_share },
        { "vmtrace", &cfg->cap_vmtrace },
        { "vpmu", &cfg->cap_vpmu },
        { "gnttab-v1", &cfg->cap_gnttab_v1 },
        { "gnttab-v2", &cfg->cap_gnttab_v2 },
    };
    g_auto(GStrv) words = g_strsplit_set(value, " \t,", -1);
    size_t i, j;

    for (j = 0; j < G_N_ELEMENTS(caps); j++)
        *caps[j].flag = false;
    for (i = 0; words[i]; i++) {
        if (!words[i][0])
            continue;
        for (j = 0; j < G_N_ELEMENTS(caps); j++) {
            if (strcmp(words[i], caps[j].name) == 0)
                break;
        }
        if (j == G_N_ELEMENTS(caps)) {
            *err = g_strdup_printf("unknown virtualization capability '%s' "
                                   "(xl info's words: pv hvm hvm_directio "
                                   "pv_directio hap shadow iommu_hap_pt_share "
                                   "vmtrace vpmu gnttab-v1 gnttab-v2)", words[i]);
            return -1;
        }
        *caps[j].flag = true;
    }
    return 0;
}

static int
xensimParseVersion(const char *value, char **err)
{
    g_autoptr(GRegex) re = g_regex_new("^[0-9]+\\.[0-9]+([.-][A-Za-z0-9._-]*)?$",
                                       0, 0, NULL);

    if (!g_regex_match(re, value, 0, NULL)) {
        *err = g_strdup_printf("invalid value '%s' (a Xen version like "
                               "4.17.5 is expected)", value);
        return -1;
    }
    return 0;
}

static void
xensimSetString(char **field, const char *value)
{
    g_free(*field);
    *field = g_strdup(value);
}

/* ---- pci_devices: the host's PCI bus (used by xensimd-pci.c) ---- */

void
xensimPciDevFree(gpointer data)
{
    XensimPciDev *pdev = data;

    g_free(pdev->ids);
    g_free(pdev->cls);
    g_free(pdev->driver);
    g_free(pdev);
}

/* "DDDD:BB:SS.F" (or "BB:SS.F", domain 0) */
bool
xensimPciParseBdf(const char *s, guint *domain, guint *bus, guint *dev, guint *func)
{
    char tail;

    if (sscanf(s, "%x:%x:%x.%x%c", domain, bus, dev, func, &tail) == 4)
        ;
    else if (sscanf(s, "%x:%x.%x%c", bus, dev, func, &tail) == 3)
        *domain = 0;
    else
        return false;
    return *domain <= 0xffff && *bus <= 0xff && *dev <= 0x1f && *func <= 7;
}

/*
 * pci_devices: entries separated by ',' or ';', each
 * "BDF [VENDOR:DEVICE [CLASS [DRIVER]]]" (DRIVER '-': bound to none).
 */
int
xensimPciParseDevices(const char *spec, GPtrArray **devices, char **err)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(xensimPciDevFree);
    g_auto(GStrv) entries = g_strsplit_set(spec ? spec : "", ",;\n", -1);
    size_t i;

    for (i = 0; entries[i]; i++) {
        g_auto(GStrv) f = NULL;
        XensimPciDev *pdev;
        size_t j;
        guint v, d;
        char tail;

        g_strstrip(entries[i]);
        if (!*entries[i])
            continue;
        f = g_strsplit_set(entries[i], " \t", -1);
        /* drop empty fields (runs of blanks) */
        for (j = 0; f[j];) {
            if (!*f[j]) {
                g_free(f[j]);
                memmove(&f[j], &f[j + 1], (g_strv_length(&f[j + 1]) + 1) * sizeof(char *));
            } else {
                j++;
            }
        }
        pdev = g_new0(XensimPciDev, 1);
        g_ptr_array_add(list, pdev);
        if (!xensimPciParseBdf(f[0], &pdev->domain, &pdev->bus, &pdev->dev, &pdev->func)) {
            *err = g_strdup_printf("'%s': a PCI address DDDD:BB:SS.F is expected", f[0]);
            return -1;
        }
        if (f[1] && (sscanf(f[1], "%x:%x%c", &v, &d, &tail) != 2 || v > 0xffff || d > 0xffff)) {
            *err = g_strdup_printf("'%s': VENDOR:DEVICE (hex ids) is expected", f[1]);
            return -1;
        }
        pdev->ids = g_strdup_printf("%04x:%04x", f[1] ? v : 0xffff, f[1] ? d : 0xffff);
        if (f[1] && f[2] && (sscanf(f[2], "%x%c", &v, &tail) != 1 || v > 0xffffff)) {
            *err = g_strdup_printf("'%s': a PCI class (0xCCSSPP) is expected", f[2]);
            return -1;
        }
        pdev->cls = g_strdup_printf("0x%06x", f[1] && f[2] ? v : 0);
        if (f[1] && f[2] && f[3] && strcmp(f[3], "-") != 0)
            pdev->driver = g_strdup(f[3]);
        if (f[1] && f[2] && f[3] && f[4]) {
            *err = g_strdup_printf("'%s': too many fields (BDF VENDOR:DEVICE CLASS DRIVER)",
                                   entries[i]);
            return -1;
        }
        for (j = 0; j + 1 < list->len; j++) {
            XensimPciDev *o = g_ptr_array_index(list, j);

            if (o->domain == pdev->domain && o->bus == pdev->bus &&
                o->dev == pdev->dev && o->func == pdev->func) {
                *err = g_strdup_printf("PCI device %s is listed twice", f[0]);
                return -1;
            }
        }
    }
    if (devices)
        *devices = g_steal_pointer(&list);
    return 0;
}

/* ---- usb_devices: the host's USB devices (used by xensimd-usb.c) ---- */

void
xensimUsbDevFree(gpointer data)
{
    XensimUsbDev *udev = data;

    g_free(udev->ids);
    g_free(udev);
}

/*
 * usb_devices: entries separated by ',' or ';', each
 * "BUS.ADDR [VENDOR:PRODUCT [CLASS]]" (CLASS: bDeviceClass, hex; 09 a hub).
 */
int
xensimUsbParseDevices(const char *spec, GPtrArray **devices, char **err)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(xensimUsbDevFree);
    g_auto(GStrv) entries = g_strsplit_set(spec ? spec : "", ",;\n", -1);
    size_t i, j;

    for (i = 0; entries[i]; i++) {
        g_auto(GStrv) f = NULL;
        XensimUsbDev *udev;
        guint a, b;
        char tail;

        g_strstrip(entries[i]);
        if (!*entries[i])
            continue;
        f = g_strsplit_set(entries[i], " \t", -1);
        for (j = 0; f[j];) {
            if (!*f[j]) {
                g_free(f[j]);
                memmove(&f[j], &f[j + 1], (g_strv_length(&f[j + 1]) + 1) * sizeof(char *));
            } else {
                j++;
            }
        }
        udev = g_new0(XensimUsbDev, 1);
        g_ptr_array_add(list, udev);
        if (sscanf(f[0], "%u.%u%c", &udev->bus, &udev->addr, &tail) != 2 ||
            udev->bus < 1 || udev->bus > 255 || udev->addr < 1 || udev->addr > 127) {
            *err = g_strdup_printf("'%s': a USB address BUS.ADDR is expected", f[0]);
            return -1;
        }
        if (f[1] && (sscanf(f[1], "%x:%x%c", &a, &b, &tail) != 2 || a > 0xffff || b > 0xffff)) {
            *err = g_strdup_printf("'%s': VENDOR:PRODUCT (hex ids) is expected", f[1]);
            return -1;
        }
        udev->ids = g_strdup_printf("%04x:%04x", f[1] ? a : 0xffff, f[1] ? b : 0xffff);
        if (f[1] && f[2] && (sscanf(f[2], "%x%c", &udev->cls, &tail) != 1 || udev->cls > 0xff)) {
            *err = g_strdup_printf("'%s': a USB device class (hex) is expected", f[2]);
            return -1;
        }
        if (f[1] && f[2] && f[3]) {
            *err = g_strdup_printf("'%s': too many fields (BUS.ADDR VENDOR:PRODUCT CLASS)",
                                   entries[i]);
            return -1;
        }
        for (j = 0; j + 1 < list->len; j++) {
            XensimUsbDev *o = g_ptr_array_index(list, j);

            if (o->bus == udev->bus && o->addr == udev->addr) {
                *err = g_strdup_printf("USB device %s is listed twice", f[0]);
                return -1;
            }
        }
    }
    if (devices)
        *devices = g_steal_pointer(&list);
    return 0;
}

/* Set one key; on error, *err says what is wrong with it. */
int
xensimHostConfigSet(XensimHostConfig *cfg, const char *key, const char *value,
                    char **err)
{
    int rc;

    if (strcmp(key, "sockets") == 0)
        return xensimParseUint(value, 64, &cfg->sockets, err);
    if (strcmp(key, "cores_per_socket") == 0)
        return xensimParseUint(value, 256, &cfg->cores_per_socket, err);
    if (strcmp(key, "threads_per_core") == 0)
        return xensimParseUint(value, 8, &cfg->threads_per_core, err);
    if (strcmp(key, "cpus") == 0)
        return xensimParseUint(value, 4096, &cfg->cpus, err);
    if (strcmp(key, "nodes") == 0)
        return xensimParseUint(value, 64, &cfg->nodes, err);
    if (strcmp(key, "memory") == 0)
        return xensimParseMemory(value, 64 * 1024, 1ULL << 40, &cfg->memory_kib, err);
    if (strcmp(key, "memory_hole") == 0)
        return xensimParseMemory(value, 0, 1ULL << 40, &cfg->memory_hole_kib, err);
    if (strcmp(key, "xen_reserved") == 0) {
        if (xensimParseMemory(value, 0, 1ULL << 40, &cfg->xen_reserved_kib, err) < 0)
            return -1;
        cfg->xen_reserved_set = true;
        return 0;
    }
    if (strcmp(key, "dom0_memory") == 0)
        return xensimParseMemory(value, 64 * 1024, 1ULL << 40, &cfg->dom0_memory_kib, err);
    if (strcmp(key, "dom0_vcpus") == 0)
        return xensimParseUint(value, 4096, &cfg->dom0_vcpus, err);
    if (strcmp(key, "cpu_mhz") == 0)
        return xensimParseMhz(value, &cfg->cpu_khz, err);
    if (strcmp(key, "cpu_khz") == 0) {
        guint64 v;

        if (xensimParseU64(value, 1000, 100000 * 1000ULL, &v, err) < 0)
            return -1;
        cfg->cpu_khz = v;
        return 0;
    }
    if (strcmp(key, "cpu_load") == 0) {
        guint64 v;

        if (xensimParseU64(value, 0, 100, &v, err) < 0)
            return -1;
        cfg->cpu_load = v;
        return 0;
    }
    if (strcmp(key, "uptime") == 0) {
        guint64 v;

        if (xensimParseU64(value, 0, 10ULL * 365 * 86400, &v, err) < 0)
            return -1;
        cfg->uptime_s = v;
        return 0;
    }
    if (strcmp(key, "xen_version") == 0) {
        if (xensimParseVersion(value, err) < 0)
            return -1;
        xensimSetString(&cfg->xen_version, value);
        return 0;
    }
    if (strcmp(key, "scheduler") == 0) {
        if (!g_strv_contains(xensimSchedulers, value)) {
            *err = g_strdup_printf("unknown scheduler '%s' (credit, credit2, "
                                   "rtds, arinc653 or null)", value);
            return -1;
        }
        xensimSetString(&cfg->scheduler, value);
        return 0;
    }
    if (strcmp(key, "capabilities") == 0) {
        xensimSetString(&cfg->capabilities, value);
        return 0;
    }
    if (strcmp(key, "commandline") == 0) {
        xensimSetString(&cfg->commandline, value);
        return 0;
    }
    if (strcmp(key, "hostname") == 0) {
        xensimSetString(&cfg->hostname, value);
        return 0;
    }
    if (strcmp(key, "hw_cap") == 0)
        return xensimParseHwCap(cfg, value, err);
    if (strcmp(key, "build_delay_ms") == 0)
        return xensimParseMs(value, &cfg->build_delay_ms, err);
    if (strcmp(key, "build_ms_per_gib") == 0)
        return xensimParseMs(value, &cfg->build_ms_per_gib, err);
    if (strcmp(key, "shutdown_delay_ms") == 0)
        return xensimParseMs(value, &cfg->shutdown_delay_ms, err);
    if (strcmp(key, "destroy_delay_ms") == 0)
        return xensimParseMs(value, &cfg->destroy_delay_ms, err);
    if (strcmp(key, "console_delay_ms") == 0)
        return xensimParseMs(value, &cfg->console_delay_ms, err);
    if (strcmp(key, "save_rate_mib_s") == 0)
        return xensimParseUint(value, 1u << 20, &cfg->save_rate_mib_s, err);
    if (strcmp(key, "suspend_timeout_ms") == 0)
        return xensimParseMs(value, &cfg->suspend_timeout_ms, err);
    if (strcmp(key, "balloon_delay_ms") == 0)
        return xensimParseMs(value, &cfg->balloon_delay_ms, err);
    if (strcmp(key, "guest_ignore_shutdown") == 0) {
        xensimSetString(&cfg->guest_ignore_shutdown, value);
        return 0;
    }
    if (strcmp(key, "guest_build_delay") == 0)
        return xensimParseGlobDelays(value, &cfg->guest_build_delay, err);
    if (strcmp(key, "guest_shutdown_delay") == 0)
        return xensimParseGlobDelays(value, &cfg->guest_shutdown_delay, err);
    if (strcmp(key, "usb_devices") == 0) {
        if (xensimUsbParseDevices(value, NULL, err) < 0)
            return -1;
        xensimSetString(&cfg->usb_devices, value);
        return 0;
    }
    if (strcmp(key, "pci_devices") == 0) {
        if (xensimPciParseDevices(value, NULL, err) < 0)
            return -1;
        xensimSetString(&cfg->pci_devices, value);
        return 0;
    }
    if (strcmp(key, "guest_no_ack") == 0) {
        xensimSetString(&cfg->guest_no_ack, value);
        return 0;
    }
    if (strcmp(key, "guest_no_pv_drivers") == 0) {
        xensimSetString(&cfg->guest_no_pv_drivers, value);
        return 0;
    }
    if (strcmp(key, "virt_caps") == 0)
        return xensimParseVirtCaps(cfg, value, err);
    if (strcmp(key, "io_read_iops") == 0)
        return xensimParseUint0(value, 1000000, &cfg->io_read_iops, err);
    if (strcmp(key, "io_write_iops") == 0)
        return xensimParseUint0(value, 1000000, &cfg->io_write_iops, err);
    if (strcmp(key, "io_request_kib") == 0)
        return xensimParseUint(value, 4096, &cfg->io_request_kib, err);
    if (strcmp(key, "io_latency_us") == 0)
        return xensimParseUint0(value, 10000000, &cfg->io_latency_us, err);
    if (strcmp(key, "netback") == 0) {
        if (strcmp(value, "on") == 0 || strcmp(value, "1") == 0 ||
            strcmp(value, "yes") == 0 || strcmp(value, "true") == 0) {
            cfg->netback = true;
        } else if (strcmp(value, "off") == 0 || strcmp(value, "0") == 0 ||
                   strcmp(value, "no") == 0 || strcmp(value, "false") == 0) {
            cfg->netback = false;
        } else {
            *err = g_strdup_printf("'%s' is not on or off", value);
            return -1;
        }
        return 0;
    }
    if (strcmp(key, "net_rx_pps") == 0)
        return xensimParseUint0(value, 100000, &cfg->net_rx_pps, err);
    if (strcmp(key, "net_tx_pps") == 0)
        return xensimParseUint0(value, 100000, &cfg->net_tx_pps, err);
    if (strcmp(key, "net_frame_bytes") == 0) {
        if (xensimParseUint(value, 1514, &cfg->net_frame_bytes, err) < 0)
            return -1;
        if (cfg->net_frame_bytes < 60) {
            *err = g_strdup("a frame is 60 to 1514 bytes");
            return -1;
        }
        return 0;
    }

    if ((rc = xensimHotplugConfigSet(cfg, key, value, err)) <= 0)
        return rc;

    *err = g_strdup_printf("unknown key '%s'", key);
    return -1;
}

/* ---- device hotplug's keys (xensimd-hotplug.c) ---- */

void
xensimHotplugConfigInit(XensimHostConfig *cfg)
{
    cfg->hotplug_delay_ms = 20;
    cfg->libxl_destroy_timeout_ms = 10000;
    cfg->guest_keep_devices = g_strdup("");
}

void
xensimHotplugConfigDispose(XensimHostConfig *cfg)
{
    g_clear_pointer(&cfg->guest_keep_devices, g_free);
}

/* 1: not one of ours; else 0 or -1 with *err */
int
xensimHotplugConfigSet(XensimHostConfig *cfg, const char *key, const char *value,
                       char **err)
{
    guint64 v;

    if (strcmp(key, "guest_keep_devices") == 0) {
        g_free(cfg->guest_keep_devices);
        cfg->guest_keep_devices = g_strdup(value);
        return 0;
    }
    if (strcmp(key, "hotplug_delay_ms") == 0 ||
        strcmp(key, "libxl_destroy_timeout_ms") == 0) {
        if (!g_ascii_string_to_unsigned(value, 10, 0, 3600 * 1000, &v, NULL)) {
            *err = g_strdup_printf("invalid value '%s' (milliseconds, up to 3600000)",
                                   value);
            return -1;
        }
        if (strcmp(key, "hotplug_delay_ms") == 0)
            cfg->hotplug_delay_ms = v;
        else
            cfg->libxl_destroy_timeout_ms = MAX(v, 1);
        return 0;
    }
    return 1;
}

/* Load a config file; on error, *err is "FILE:LINE: problem". */
int
xensimHostConfigLoad(XensimHostConfig *cfg, const char *file, char **err)
{
    g_autofree char *contents = NULL;
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (!g_file_get_contents(file, &contents, NULL, &gerr)) {
        *err = g_strdup_printf("%s: %s", file, gerr->message);
        return -1;
    }
    lines = g_strsplit(contents, "\n", -1);
    for (i = 0; lines[i]; i++) {
        g_autofree char *problem = NULL;
        char *line = lines[i];
        char *hash = strchr(line, '#');
        char *eq;

        if (hash)
            *hash = '\0';
        g_strstrip(line);
        if (!*line)
            continue;
        if (!(eq = strchr(line, '='))) {
            *err = g_strdup_printf("%s:%zu: expected 'key = value', got '%s'",
                                   file, i + 1, line);
            return -1;
        }
        *eq = '\0';
        g_strstrip(line);
        g_strstrip(eq + 1);
        if (!*line) {
            *err = g_strdup_printf("%s:%zu: missing key before '='", file, i + 1);
            return -1;
        }
        if (xensimHostConfigSet(cfg, line, eq + 1, &problem) < 0) {
            *err = g_strdup_printf("%s:%zu: %s: %s", file, i + 1, line, problem);
            return -1;
        }
    }
    return 0;
}

/* What Xen keeps for itself when xen_reserved is not set: its frame table
 * (a 32-byte struct page_info per 4 KiB page: memory / 128) and 7 MiB for
 * its image, heap and Domain-0's page tables; in whole pages.  The real
 * Xen 4.17 of the xenlab (2096624 KiB) kept 23724 KiB: this gives 23544. */
guint64
xensimHostConfigReservedDefault(guint64 memory_kib)
{
    return (memory_kib / 128 + 7 * 1024) / 4 * 4;
}

/* Check that the keys agree with one another. */
int
xensimHostConfigCheck(XensimHostConfig *cfg, char **err)
{
    guint nr_cpus;

    if (cfg->cpus) {
        /* Total CPUs given: the cores per socket follow. */
        if (cfg->cpus % (cfg->sockets * cfg->threads_per_core) != 0) {
            *err = g_strdup_printf("cpus: %u CPUs cannot be split into %u "
                                   "sockets of %u-thread cores", cfg->cpus,
                                   cfg->sockets, cfg->threads_per_core);
            return -1;
        }
        cfg->cores_per_socket = cfg->cpus / (cfg->sockets * cfg->threads_per_core);
    }
    nr_cpus = cfg->sockets * cfg->cores_per_socket * cfg->threads_per_core;
    if (cfg->nodes > nr_cpus) {
        *err = g_strdup_printf("%u NUMA nodes but only %u CPUs", cfg->nodes, nr_cpus);
        return -1;
    }
    if (!cfg->xen_reserved_set)
        cfg->xen_reserved_kib = xensimHostConfigReservedDefault(cfg->memory_kib);
    if (cfg->dom0_memory_kib + cfg->xen_reserved_kib > cfg->memory_kib) {
        *err = g_strdup_printf("dom0_memory (%" G_GUINT64_FORMAT " KiB) and "
                               "xen_reserved (%" G_GUINT64_FORMAT " KiB) exceed "
                               "memory (%" G_GUINT64_FORMAT " KiB)",
                               cfg->dom0_memory_kib, cfg->xen_reserved_kib,
                               cfg->memory_kib);
        return -1;
    }
    if (cfg->dom0_vcpus > nr_cpus) {
        *err = g_strdup_printf("dom0_vcpus %u exceeds the %u CPUs",
                               cfg->dom0_vcpus, nr_cpus);
        return -1;
    }
    return 0;
}

/*
 * libxl_native.c: xl.cfg and xm configuration to and from libvirt XML
 *
 * virsh domxml-from-native and domxml-to-native land here, through the
 * driver's connectDomainXMLFromNative and connectDomainXMLToNative.  A
 * native configuration is checked (size, NUL bytes, syntax with line
 * numbers, list nesting), read into a virConf, and converted key by key:
 * the keys xl and xm share are handled in this file, the rest in
 * libxl_native_xl.c and libxl_native_xm.c.  The opposite direction builds
 * a virConf in the same order and writes it out.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "datatypes.h"
#include "viralloc.h"
#include "viraccessapicheck.h"
#include "virbuffer.h"
#include "virerror.h"
#include "virlog.h"
#include "virstring.h"
#include "virutil.h"
#include "viruuid.h"
#include "domain_postparse.h"
#include "libxl_native.h"
#include "libxl_build.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_native");

/* a guest without memory= gets twice Xen's minimum guest size, in MiB */
#define LIBXL_NATIVE_MEMORY_DEFAULT 128


/* ---- reading values ----------------------------------------------- */

/*
 * libxlNativeGetBool:
 * @key as a boolean: a number (0 false, anything else true) or one of the
 * strings "0", "1", "false", "true", "no", "yes".  @def when absent.
 */
int
libxlNativeGetBool(virConf *conf, const char *key, int *value, int def)
{
    virConfValue *val = virConfGetValue(conf, key);

    *value = def;
    if (!val)
        return 0;

    switch (val->type) {
    case VIR_CONF_ULLONG:
        *value = val->l ? 1 : 0;
        return 0;
    case VIR_CONF_STRING:
        if (STREQ_NULLABLE(val->str, "1") || STREQ_NULLABLE(val->str, "true") ||
            STREQ_NULLABLE(val->str, "yes")) {
            *value = 1;
            return 0;
        }
        if (STREQ_NULLABLE(val->str, "0") || STREQ_NULLABLE(val->str, "false") ||
            STREQ_NULLABLE(val->str, "no")) {
            *value = 0;
            return 0;
        }
        break;
    case VIR_CONF_LLONG:
    case VIR_CONF_LIST:
    case VIR_CONF_NONE:
    case VIR_CONF_LAST:
        break;
    }

    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid value for '%s': expected a boolean (0 or 1)"), key);
    return -1;
}


/*
 * libxlNativeGetULong:
 * @key as a non-negative number, written as a number or a string of
 * decimal digits.  @def when absent.
 */
int
libxlNativeGetULong(virConf *conf,
                    const char *key,
                    unsigned long *value,
                    unsigned long def)
{
    virConfValue *val = virConfGetValue(conf, key);

    *value = def;
    if (!val)
        return 0;

    switch (val->type) {
    case VIR_CONF_ULLONG:
        *value = val->l;
        return 0;
    case VIR_CONF_STRING:
        if (val->str && virStrToLong_ulp(val->str, NULL, 10, value) == 0)
            return 0;
        break;
    case VIR_CONF_LLONG:
    case VIR_CONF_LIST:
    case VIR_CONF_NONE:
    case VIR_CONF_LAST:
        break;
    }

    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid value for '%s': expected a non-negative number"),
                   key);
    return -1;
}


/*
 * libxlNativeGetString:
 * @key as a string (a copy in *@value), or NULL when absent.
 */
int
libxlNativeGetString(virConf *conf, const char *key, char **value)
{
    virConfValue *val = virConfGetValue(conf, key);

    *value = NULL;
    if (!val)
        return 0;

    if (val->type != VIR_CONF_STRING || !val->str) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for '%s': expected a string"), key);
        return -1;
    }

    *value = g_strdup(val->str);
    return 0;
}


/*
 * libxlNativeGetStringList:
 * @key as a list of strings (a single string is a list of one), or NULL
 * when absent.
 */
int
libxlNativeGetStringList(virConf *conf, const char *key, char ***values)
{
    virConfValue *val = virConfGetValue(conf, key);
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(g_free);
    virConfValue *elem;
    size_t i = 0;

    *values = NULL;
    if (!val)
        return 0;

    if (val->type == VIR_CONF_STRING && val->str) {
        *values = g_new0(char *, 2);
        (*values)[0] = g_strdup(val->str);
        return 0;
    }

    if (val->type != VIR_CONF_LIST) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for '%s': expected a list of strings"),
                       key);
        return -1;
    }

    for (elem = val->list; elem; elem = elem->next, i++) {
        if (elem->type != VIR_CONF_STRING || !elem->str) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for '%s': element %zu is not a string"),
                           key, i);
            return -1;
        }
        g_ptr_array_add(list, g_strdup(elem->str));
    }
    g_ptr_array_add(list, NULL);

    *values = (char **)g_ptr_array_free(g_steal_pointer(&list), FALSE);
    return 0;
}


/* ---- writing values ----------------------------------------------- */

int
libxlNativeSetInt(virConf *conf, const char *key, long long value)
{
    virConfValue *val = g_new0(virConfValue, 1);

    val->type = VIR_CONF_LLONG;
    val->l = value;

    return virConfSetValue(conf, key, &val);
}


int
libxlNativeSetString(virConf *conf, const char *key, const char *value)
{
    virConfValue *val = g_new0(virConfValue, 1);

    val->type = VIR_CONF_STRING;
    val->str = g_strdup(value);

    return virConfSetValue(conf, key, &val);
}


virConfValue *
libxlNativeListNew(void)
{
    virConfValue *list = g_new0(virConfValue, 1);

    list->type = VIR_CONF_LIST;
    return list;
}


/* libxlNativeListAppend: add the string @str (owned by the list) */
void
libxlNativeListAppend(virConfValue *list, char *str)
{
    virConfValue *val = g_new0(virConfValue, 1);
    virConfValue **tail = &list->list;

    val->type = VIR_CONF_STRING;
    val->str = str;

    while (*tail)
        tail = &(*tail)->next;
    *tail = val;
}


/* libxlNativeSetList: set @key to *@list (consumed) unless it is empty */
int
libxlNativeSetList(virConf *conf, const char *key, virConfValue **list)
{
    if (!(*list)->list) {
        g_clear_pointer(list, virConfFreeValue);
        return 0;
    }

    return virConfSetValue(conf, key, list);
}


/* ---- device specs: "key=value,key=value" --------------------------- */

/*
 * libxlNativeSpecSplit:
 * The comma-separated tokens of a device spec, leading blanks removed,
 * empty tokens dropped.
 */
char **
libxlNativeSpecSplit(const char *spec)
{
    g_auto(GStrv) tokens = g_strsplit(spec, ",", 0);
    g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    for (i = 0; tokens[i]; i++) {
        const char *tok = tokens[i];

        virSkipSpaces(&tok);
        if (*tok)
            g_ptr_array_add(ret, g_strdup(tok));
    }
    g_ptr_array_add(ret, NULL);

    return (char **)g_ptr_array_free(g_steal_pointer(&ret), FALSE);
}


/* libxlNativeSpecValue: the value of @token if it is "@key=value" */
const char *
libxlNativeSpecValue(const char *token, const char *key)
{
    size_t len = strlen(key);

    if (STRNEQLEN(token, key, len) || token[len] != '=')
        return NULL;

    return token + len + 1;
}


/*
 * libxlNativeCheckDiskTarget:
 * Whether @dst (of disk spec @spec) names a whole disk libvirt can place:
 * hdX, sdX, xvdX, vdX, with an index below LIBXL_NATIVE_DISK_INDEX_MAX
 * (a name like "hdzzzzz" would make libvirt add a controller per
 * possible disk before it).
 */
int
libxlNativeCheckDiskTarget(const char *dst, const char *spec)
{
    int idx;
    int partition;

    if (!dst || virDiskNameParse(dst, &idx, &partition) < 0 ||
        partition != 0 || idx >= LIBXL_NATIVE_DISK_INDEX_MAX) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'disk': '%s' has an invalid device name '%s'"),
                       spec, NULLSTR(dst));
        return -1;
    }

    return 0;
}


/* ---- checking the text before virConf reads it -------------------- */

typedef struct _libxlNativeLexer libxlNativeLexer;
struct _libxlNativeLexer {
    const char *cur;
    const char *end;
    size_t line;
};

#define LEX_BLANK(c) ((c) == ' ' || (c) == '\t')
#define LEX_EOL(c) ((c) == '\n' || (c) == '\r')


static void
libxlNativeLexSkip(libxlNativeLexer *lex, bool eol)
{
    while (lex->cur < lex->end &&
           (LEX_BLANK(*lex->cur) || (eol && LEX_EOL(*lex->cur)))) {
        if (*lex->cur == '\n')
            lex->line++;
        lex->cur++;
    }
}


static int
libxlNativeLexError(libxlNativeLexer *lex, const char *what)
{
    virReportError(VIR_ERR_CONF_SYNTAX, _("line %zu: %s"), lex->line, what);
    return -1;
}


/* libxlNativeLexScalar: one string or number */
static int
libxlNativeLexScalar(libxlNativeLexer *lex)
{
    char quote = *lex->cur;

    if (quote == '"' && lex->cur + 6 < lex->end && STRPREFIX(lex->cur, "\"\"\"")) {
        lex->cur += 3;
        while (lex->cur + 2 < lex->end && !STRPREFIX(lex->cur, "\"\"\"")) {
            if (*lex->cur == '\n')
                lex->line++;
            lex->cur++;
        }
        if (!STRPREFIX(lex->cur, "\"\"\""))
            return libxlNativeLexError(lex, _("unterminated string"));
        lex->cur += 3;
        return 0;
    }

    if (quote == '"' || quote == '\'') {
        lex->cur++;
        while (lex->cur < lex->end && *lex->cur != quote && !LEX_EOL(*lex->cur))
            lex->cur++;
        if (lex->cur >= lex->end || *lex->cur != quote)
            return libxlNativeLexError(lex, _("unterminated string"));
        lex->cur++;
        return 0;
    }

    if (g_ascii_isdigit(quote) || quote == '-' || quote == '+') {
        lex->cur++;
        if (quote != '-' && quote != '+')
            lex->cur--;
        if (lex->cur >= lex->end || !g_ascii_isdigit(*lex->cur))
            return libxlNativeLexError(lex, _("unterminated number"));
        while (lex->cur < lex->end && g_ascii_isdigit(*lex->cur))
            lex->cur++;
        return 0;
    }

    return libxlNativeLexError(lex, _("expecting a value"));
}


/*
 * libxlNativeLexValue:
 * One value, lists included, without recursion: @depth counts the open
 * lists.
 */
static int
libxlNativeLexValue(libxlNativeLexer *lex)
{
    size_t depth = 0;

    libxlNativeLexSkip(lex, false);

    for (;;) {
        /* an element (or the value itself at depth 0) */
        if (lex->cur >= lex->end)
            return libxlNativeLexError(lex, _("expecting a value"));

        if (*lex->cur == '[') {
            if (++depth > LIBXL_NATIVE_NESTING_MAX)
                return libxlNativeLexError(lex, _("lists nested too deeply"));
            lex->cur++;
            libxlNativeLexSkip(lex, true);
            if (lex->cur < lex->end && *lex->cur != ']')
                continue;
        } else if (libxlNativeLexScalar(lex) < 0) {
            return -1;
        }

        /* after an element: separators and closing brackets */
        for (;;) {
            if (depth == 0)
                return 0;
            libxlNativeLexSkip(lex, true);
            if (lex->cur >= lex->end)
                return libxlNativeLexError(lex, _("list is not closed with ]"));
            if (*lex->cur == ']') {
                lex->cur++;
                depth--;
                continue;
            }
            if (*lex->cur != ',')
                return libxlNativeLexError(lex, _("expecting a separator in list"));
            lex->cur++;
            libxlNativeLexSkip(lex, true);
            if (lex->cur < lex->end && *lex->cur == ']') {
                lex->cur++;
                depth--;
                continue;
            }
            break;
        }
    }
}


/* a key set twice: xl, like Python, takes the last (see libxlNativeConfLast) */
static void
libxlNativeLexName(libxlNativeLexer *lex, GHashTable *names, const char *start)
{
    g_autofree char *name = g_strndup(start, lex->cur - start);
    gpointer line;

    if ((line = g_hash_table_lookup(names, name)))
        VIR_WARN("'%s' of line %zu is set again on line %zu, which counts",
                 name, GPOINTER_TO_SIZE(line), lex->line);

    g_hash_table_insert(names, g_steal_pointer(&name), GSIZE_TO_POINTER(lex->line));
}


static void
libxlNativeLexComment(libxlNativeLexer *lex)
{
    while (lex->cur < lex->end && !LEX_EOL(*lex->cur))
        lex->cur++;
}


/*
 * libxlNativeConfCheck:
 * Walk @text (@len bytes, NUL-terminated after them) the way virConf will, so that a syntax error is
 * reported with its line and so that virConf never sees what it handles
 * badly: NUL bytes, lists nested deeper than LIBXL_NATIVE_NESTING_MAX.
 */
static int
libxlNativeConfCheck(const char *text, size_t len)
{
    libxlNativeLexer lex = { text, text + len, 1 };
    g_autoptr(GHashTable) names = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                        g_free, NULL);
    const char *nul;
    const char *name;

    if ((nul = memchr(text, '\0', len))) {
        lex.end = nul;
        while (lex.cur < lex.end)
            if (*lex.cur++ == '\n')
                lex.line++;
        return libxlNativeLexError(&lex, _("NUL byte in configuration"));
    }

    while (lex.cur < lex.end) {
        libxlNativeLexSkip(&lex, true);
        if (lex.cur < lex.end && *lex.cur == '#') {
            libxlNativeLexComment(&lex);
        } else {
            if (lex.cur >= lex.end || !g_ascii_isalpha(*lex.cur))
                return libxlNativeLexError(&lex, _("expecting a name"));
            name = lex.cur;
            while (lex.cur < lex.end &&
                   (g_ascii_isalnum(*lex.cur) || *lex.cur == '_'))
                lex.cur++;
            libxlNativeLexName(&lex, names, name);
            libxlNativeLexSkip(&lex, false);
            if (lex.cur >= lex.end || *lex.cur != '=')
                return libxlNativeLexError(&lex, _("expecting an assignment"));
            lex.cur++;
            if (libxlNativeLexValue(&lex) < 0)
                return -1;
            libxlNativeLexSkip(&lex, false);
            if (lex.cur < lex.end && *lex.cur == '#')
                libxlNativeLexComment(&lex);
        }

        /* the separator */
        libxlNativeLexSkip(&lex, false);
        if (lex.cur >= lex.end)
            break;
        if (*lex.cur == ';')
            lex.cur++;
        else if (!LEX_EOL(*lex.cur))
            return libxlNativeLexError(&lex, _("expecting a separator"));
        libxlNativeLexSkip(&lex, true);
    }

    return 0;
}


static virConfValue *
libxlNativeConfValueCopy(const virConfValue *val)
{
    virConfValue *copy = g_new0(virConfValue, 1);
    virConfValue **tail = &copy->list;
    const virConfValue *elem;

    copy->type = val->type;
    copy->l = val->l;
    copy->str = g_strdup(val->str);

    /* as deep as LIBXL_NATIVE_NESTING_MAX at most */
    for (elem = val->list; elem; elem = elem->next) {
        *tail = libxlNativeConfValueCopy(elem);
        tail = &(*tail)->next;
    }

    return copy;
}


static int
libxlNativeConfLastValue(const char *name, virConfValue *value, void *opaque)
{
    g_hash_table_insert(opaque, (gpointer)name, value);
    return 0;
}


/*
 * libxlNativeConfLast:
 * virConf answers the first assignment of a key; xl (and xm, Python)
 * use the last.  Give every key set twice its last value.
 */
static int
libxlNativeConfLast(virConf *conf)
{
    g_autoptr(GHashTable) last = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter iter;
    gpointer name;
    gpointer value;

    if (virConfWalk(conf, libxlNativeConfLastValue, last) < 0)
        return -1;

    g_hash_table_iter_init(&iter, last);
    while (g_hash_table_iter_next(&iter, &name, &value)) {
        virConfValue *copy;

        if (virConfGetValue(conf, name) == value)
            continue;
        copy = libxlNativeConfValueCopy(value);
        if (virConfSetValue(conf, name, &copy) < 0)
            return -1;
    }

    return 0;
}


/* ---- cfg -> XML: the keys xl and xm share ------------------------- */

static int
libxlNativeParseGeneral(virConf *conf, virDomainDef *def, virCaps *caps)
{
    g_autofree char *uuid = NULL;
    g_autofree char *type = NULL;
    g_autofree char *builder = NULL;
    g_autofree virCapsDomainData *capsdata = NULL;

    if (libxlNativeGetString(conf, "name", &def->name) < 0)
        return -1;
    if (!def->name || !*def->name) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                       _("missing or empty 'name'"));
        return -1;
    }

    if (libxlNativeGetString(conf, "uuid", &uuid) < 0)
        return -1;
    if (!uuid) {
        if (virUUIDGenerate(def->uuid) < 0) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("failed to generate a UUID"));
            return -1;
        }
    } else if (virUUIDParse(uuid, def->uuid) < 0) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'uuid': '%s'"), uuid);
        return -1;
    }

    if (libxlNativeGetString(conf, "type", &type) < 0 ||
        libxlNativeGetString(conf, "builder", &builder) < 0)
        return -1;

    def->os.type = VIR_DOMAIN_OSTYPE_XEN;
    if (type) {
        if (STREQ(type, "hvm")) {
            def->os.type = VIR_DOMAIN_OSTYPE_HVM;
        } else if (STREQ(type, "pvh")) {
            def->os.type = VIR_DOMAIN_OSTYPE_XENPVH;
        } else if (STRNEQ(type, "pv")) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("invalid value for 'type': '%s' (expected pv, pvh or hvm)"),
                           type);
            return -1;
        }
    } else if (STREQ_NULLABLE(builder, "hvm")) {
        def->os.type = VIR_DOMAIN_OSTYPE_HVM;
    }

    /* The driver's capabilities advertise PVH as os_type 'xen' with machine
     * 'xenpvh' (libvirt 9.0.0's schema has no os_type 'xenpvh'); other
     * capabilities may list it under its own os_type. */
    if (def->os.type == VIR_DOMAIN_OSTYPE_XENPVH &&
        (capsdata = virCapabilitiesDomainDataLookup(caps, VIR_DOMAIN_OSTYPE_XEN,
                                                    VIR_ARCH_NONE, def->virtType,
                                                    NULL, "xenpvh"))) {
        def->os.arch = capsdata->arch;
        def->os.machine = g_strdup(capsdata->machinetype);
        return 0;
    }
    virResetLastError();

    if (!(capsdata = virCapabilitiesDomainDataLookup(caps, def->os.type,
                                                     VIR_ARCH_NONE,
                                                     def->virtType,
                                                     NULL, NULL)))
        return -1;

    def->os.arch = capsdata->arch;
    def->os.machine = g_strdup(capsdata->machinetype);
    return 0;
}


static int
libxlNativeParseMemory(virConf *conf, virDomainDef *def)
{
    unsigned long memory;
    unsigned long maxmem;

    if (libxlNativeGetULong(conf, "memory", &memory,
                            LIBXL_NATIVE_MEMORY_DEFAULT) < 0 ||
        libxlNativeGetULong(conf, "maxmem", &maxmem, memory) < 0)
        return -1;

    if (memory > VIR_DOMAIN_MEMORY_PARAM_UNLIMITED / 1024 / 1024 ||
        maxmem > VIR_DOMAIN_MEMORY_PARAM_UNLIMITED / 1024 / 1024) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                       _("invalid value for 'memory' or 'maxmem': too large"));
        return -1;
    }

    def->mem.cur_balloon = memory * 1024ULL;
    virDomainDefSetMemoryTotal(def, maxmem * 1024ULL);
    return 0;
}


static const char *libxlNativeLifecycleKeys[] = {
    "on_poweroff", "on_reboot", "on_crash",
};

static int
libxlNativeParseLifecycle(virConf *conf, virDomainDef *def)
{
    int *actions[] = {
        &def->onPoweroff, &def->onReboot, &def->onCrash,
    };
    const virDomainLifecycleAction defaults[] = {
        VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY,
        VIR_DOMAIN_LIFECYCLE_ACTION_RESTART,
        VIR_DOMAIN_LIFECYCLE_ACTION_RESTART,
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(libxlNativeLifecycleKeys); i++) {
        g_autofree char *str = NULL;
        int action;

        if (libxlNativeGetString(conf, libxlNativeLifecycleKeys[i], &str) < 0)
            return -1;

        *actions[i] = defaults[i];
        if (!str)
            continue;

        if ((action = virDomainLifecycleActionTypeFromString(str)) < 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("invalid value for '%s': '%s'"),
                           libxlNativeLifecycleKeys[i], str);
            return -1;
        }
        *actions[i] = action;
    }

    return 0;
}


static int
libxlNativeParseVcpus(virConf *conf, virDomainDef *def,
                      virDomainXMLOption *xmlopt)
{
    unsigned long vcpus;
    unsigned long maxvcpus;
    g_autofree char *cpus = NULL;

    if (libxlNativeGetULong(conf, "vcpus", &vcpus, 1) < 0 ||
        libxlNativeGetULong(conf, "maxvcpus", &maxvcpus, vcpus) < 0)
        return -1;

    if (vcpus == 0 || vcpus > LIBXL_NATIVE_VCPUS_MAX) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'vcpus': %lu (expected 1 to %d)"),
                       vcpus, LIBXL_NATIVE_VCPUS_MAX);
        return -1;
    }
    if (maxvcpus < vcpus || maxvcpus > LIBXL_NATIVE_VCPUS_MAX) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'maxvcpus': %lu (expected %lu to %d)"),
                       maxvcpus, vcpus, LIBXL_NATIVE_VCPUS_MAX);
        return -1;
    }

    if (virDomainDefSetVcpusMax(def, maxvcpus, xmlopt) < 0 ||
        virDomainDefSetVcpus(def, vcpus) < 0)
        return -1;

    if (libxlNativeGetString(conf, "cpus", &cpus) < 0)
        return -1;

    if (cpus && STRNEQ(cpus, "all") &&
        virBitmapParse(cpus, &def->cpumask, VIR_DOMAIN_CPUMASK_LEN) < 0) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'cpus': '%s'"), cpus);
        return -1;
    }

    return 0;
}


/*
 * The HVM features that are plain booleans: the value a missing key
 * stands for, and the feature state a true or a false value sets
 * (ABSENT: leave the feature alone).  Formatted in this order; those
 * with @always are written even when they only restate the default.
 */
static const struct {
    const char *key;
    virDomainFeature feature;
    int dflt;
    virTristateSwitch whenTrue;
    virTristateSwitch whenFalse;
    bool always;
} libxlNativeHVMFeatures[] = {
    { "pae", VIR_DOMAIN_FEATURE_PAE, 1,
      VIR_TRISTATE_SWITCH_ON, VIR_TRISTATE_SWITCH_ABSENT, true },
    { "acpi", VIR_DOMAIN_FEATURE_ACPI, 1,
      VIR_TRISTATE_SWITCH_ON, VIR_TRISTATE_SWITCH_ABSENT, true },
    { "apic", VIR_DOMAIN_FEATURE_APIC, 1,
      VIR_TRISTATE_SWITCH_ON, VIR_TRISTATE_SWITCH_ABSENT, true },
    { "hap", VIR_DOMAIN_FEATURE_HAP, 1,
      VIR_TRISTATE_SWITCH_ABSENT, VIR_TRISTATE_SWITCH_OFF, false },
    { "viridian", VIR_DOMAIN_FEATURE_VIRIDIAN, 0,
      VIR_TRISTATE_SWITCH_ON, VIR_TRISTATE_SWITCH_ABSENT, true },
};


static virDomainTimerDef *
libxlNativeTimerAdd(virDomainDef *def, virDomainTimerNameType name)
{
    virDomainTimerDef *timer = g_new0(virDomainTimerDef, 1);

    timer->name = name;
    VIR_APPEND_ELEMENT(def->clock.timers, def->clock.ntimers, timer);
    return def->clock.timers[def->clock.ntimers - 1];
}


static const struct {
    const char *name;
    virDomainTimerModeType mode;
} libxlNativeTscModes[] = {
    { "default", VIR_DOMAIN_TIMER_MODE_AUTO },
    { "always_emulate", VIR_DOMAIN_TIMER_MODE_EMULATE },
    { "native", VIR_DOMAIN_TIMER_MODE_NATIVE },
    { "native_paravirt", VIR_DOMAIN_TIMER_MODE_PARAVIRT },
};


static int
libxlNativeParseTsc(virConf *conf, virDomainDef *def)
{
    g_autofree char *tsc = NULL;
    virDomainTimerDef *timer;
    size_t i;

    if (libxlNativeGetString(conf, "tsc_mode", &tsc) < 0)
        return -1;
    if (!tsc)
        return 0;

    for (i = 0; i < G_N_ELEMENTS(libxlNativeTscModes); i++)
        if (STREQ(tsc, libxlNativeTscModes[i].name))
            break;

    if (i == G_N_ELEMENTS(libxlNativeTscModes)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("invalid value for 'tsc_mode': '%s'"), tsc);
        return -1;
    }

    timer = libxlNativeTimerAdd(def, VIR_DOMAIN_TIMER_NAME_TSC);
    timer->present = VIR_TRISTATE_BOOL_YES;
    timer->mode = libxlNativeTscModes[i].mode;
    return 0;
}


static int
libxlNativeParsePassthrough(virConf *conf, virDomainDef *def)
{
    g_autofree char *mode = NULL;
    virTristateSwitch state = VIR_TRISTATE_SWITCH_ON;

    if (libxlNativeGetString(conf, "passthrough", &mode) < 0)
        return -1;
    if (!mode)
        return 0;

    if (STREQ(mode, "disabled")) {
        state = VIR_TRISTATE_SWITCH_OFF;
    } else if (STREQ(mode, "sync_pt")) {
        def->xen_passthrough_mode = VIR_DOMAIN_XEN_PASSTHROUGH_MODE_SYNC_PT;
    } else if (STREQ(mode, "share_pt")) {
        def->xen_passthrough_mode = VIR_DOMAIN_XEN_PASSTHROUGH_MODE_SHARE_PT;
    } else if (STRNEQ(mode, "enabled")) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("invalid value for 'passthrough': '%s'"), mode);
        return -1;
    }

    def->features[VIR_DOMAIN_FEATURE_XEN] = state;
    def->xen_features[VIR_DOMAIN_XEN_PASSTHROUGH] = state;
    return 0;
}


/*
 * viridian=[ "GROUP", "!GROUP", ... ]: the Hyper-V enlightenment groups
 * of xl.cfg(5) as <hyperv mode='custom'> features ("base" is <relaxed>;
 * reference_tsc comes with <stimer>).
 */
static const struct {
    const char *group;
    virDomainHyperv hyperv;
    bool dflt;      /* in "defaults" */
} libxlNativeViridianGroups[] = {
    { "base", VIR_DOMAIN_HYPERV_RELAXED, true },
    { "freq", VIR_DOMAIN_HYPERV_FREQUENCIES, true },
    { "time_ref_count", VIR_DOMAIN_HYPERV_RUNTIME, true },
    { "apic_assist", VIR_DOMAIN_HYPERV_VAPIC, true },
    { "crash_ctl", VIR_DOMAIN_HYPERV_RESET, true },
    { "synic", VIR_DOMAIN_HYPERV_SYNIC, false },
    { "stimer", VIR_DOMAIN_HYPERV_STIMER, false },
    { "hcall_remote_tlb_flush", VIR_DOMAIN_HYPERV_TLBFLUSH, false },
    { "hcall_ipi", VIR_DOMAIN_HYPERV_IPI, false },
};


static int
libxlNativeParseViridianGroup(virDomainDef *def, const char *group)
{
    virTristateSwitch state = VIR_TRISTATE_SWITCH_ON;
    size_t i;

    if (*group == '!') {
        state = VIR_TRISTATE_SWITCH_OFF;
        group++;
    }

    if (STREQ(group, "reference_tsc"))
        return 0;

    for (i = 0; i < G_N_ELEMENTS(libxlNativeViridianGroups); i++) {
        if (STREQ(group, "all") ||
            (STREQ(group, "defaults") && libxlNativeViridianGroups[i].dflt) ||
            STREQ(group, libxlNativeViridianGroups[i].group)) {
            def->hyperv_features[libxlNativeViridianGroups[i].hyperv] = state;
            if (STREQ(group, libxlNativeViridianGroups[i].group))
                return 0;
        }
    }

    if (STREQ(group, "all") || STREQ(group, "defaults"))
        return 0;

    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("invalid value for 'viridian': unknown group '%s'"), group);
    return -1;
}


static int
libxlNativeParseViridian(virConf *conf, virDomainDef *def)
{
    virConfValue *val = virConfGetValue(conf, "viridian");
    g_auto(GStrv) groups = NULL;
    size_t i;

    if (!val || val->type != VIR_CONF_LIST)
        return 0;

    if (libxlNativeGetStringList(conf, "viridian", &groups) < 0)
        return -1;

    def->features[VIR_DOMAIN_FEATURE_HYPERV] = VIR_DOMAIN_HYPERV_MODE_CUSTOM;
    for (i = 0; groups[i]; i++) {
        if (libxlNativeParseViridianGroup(def, groups[i]) < 0)
            return -1;
    }

    return 0;
}


static int
libxlNativeFormatViridian(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(libxlNativeViridianGroups); i++) {
        int state = def->hyperv_features[libxlNativeViridianGroups[i].hyperv];

        if (state == VIR_TRISTATE_SWITCH_ON)
            libxlNativeListAppend(list, g_strdup(libxlNativeViridianGroups[i].group));
        else if (state == VIR_TRISTATE_SWITCH_OFF)
            libxlNativeListAppend(list, g_strdup_printf("!%s",
                                                        libxlNativeViridianGroups[i].group));
    }

    if (!list->list)
        return libxlNativeSetInt(conf, "viridian", 1);
    return virConfSetValue(conf, "viridian", &list);
}


static int
libxlNativeParseFeatures(virConf *conf, virDomainDef *def)
{
    int val;
    size_t i;

    if (libxlNativeParseTsc(conf, def) < 0 ||
        libxlNativeParsePassthrough(conf, def) < 0)
        return -1;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM) {
        if (libxlNativeGetBool(conf, "e820_host", &val, 0) < 0)
            return -1;
        if (val) {
            def->features[VIR_DOMAIN_FEATURE_XEN] = VIR_TRISTATE_SWITCH_ON;
            def->xen_features[VIR_DOMAIN_XEN_E820_HOST] = VIR_TRISTATE_SWITCH_ON;
        }
        return 0;
    }

    if (libxlNativeParseViridian(conf, def) < 0)
        return -1;

    for (i = 0; i < G_N_ELEMENTS(libxlNativeHVMFeatures); i++) {
        virTristateSwitch state;

        if (def->features[VIR_DOMAIN_FEATURE_HYPERV] == VIR_DOMAIN_HYPERV_MODE_CUSTOM &&
            libxlNativeHVMFeatures[i].feature == VIR_DOMAIN_FEATURE_VIRIDIAN)
            continue;
        if (libxlNativeGetBool(conf, libxlNativeHVMFeatures[i].key, &val,
                               libxlNativeHVMFeatures[i].dflt) < 0)
            return -1;

        state = val ? libxlNativeHVMFeatures[i].whenTrue :
                      libxlNativeHVMFeatures[i].whenFalse;
        if (state != VIR_TRISTATE_SWITCH_ABSENT)
            def->features[libxlNativeHVMFeatures[i].feature] = state;
    }

    if (libxlNativeGetBool(conf, "hpet", &val, -1) < 0)
        return -1;
    if (val != -1)
        libxlNativeTimerAdd(def, VIR_DOMAIN_TIMER_NAME_HPET)->present =
            virTristateBoolFromBool(val);

    return 0;
}


static int
libxlNativeParseClock(virConf *conf, virDomainDef *def)
{
    int localtime;
    virConfValue *val;
    long long offset = 0;
    bool valid;

    if (libxlNativeGetBool(conf, "localtime", &localtime, 0) < 0)
        return -1;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM) {
        /* no emulated RTC: the offset is fixed */
        def->clock.offset = localtime ? VIR_DOMAIN_CLOCK_OFFSET_LOCALTIME :
                                        VIR_DOMAIN_CLOCK_OFFSET_UTC;
        def->clock.data.utc_reset = true;
        return 0;
    }

    /* rtc_timeoffset: seconds, may be negative */
    if ((val = virConfGetValue(conf, "rtc_timeoffset"))) {
        if (val->type == VIR_CONF_STRING)
            valid = val->str && virStrToLong_ll(val->str, NULL, 10, &offset) == 0;
        else
            valid = val->type == VIR_CONF_ULLONG || val->type == VIR_CONF_LLONG;
        if (valid && val->type != VIR_CONF_STRING)
            offset = val->l;
        if (!valid || offset < INT_MIN || offset > INT_MAX) {
            virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                           _("invalid value for 'rtc_timeoffset': expected a number of seconds"));
            return -1;
        }
    }

    def->clock.offset = VIR_DOMAIN_CLOCK_OFFSET_VARIABLE;
    def->clock.data.variable.adjustment = offset;
    def->clock.data.variable.basis = localtime ? VIR_DOMAIN_CLOCK_BASIS_LOCALTIME :
                                                 VIR_DOMAIN_CLOCK_BASIS_UTC;
    return 0;
}


/* ---- vif ---------------------------------------------------------- */

/*
 * libxlNativeParseVifBridge:
 * bridge=NAME, NAME.VLAN (one tag) or NAME:TAG:TAG... (trunk); the last
 * two are Open vSwitch bridges.
 */
static int
libxlNativeParseVifBridge(virDomainNetDef *net, const char *bridge)
{
    g_auto(GStrv) parts = NULL;
    const char *sep = strpbrk(bridge, ".:");
    size_t i;

    if (!sep) {
        net->data.bridge.brname = g_strdup(bridge);
        return 0;
    }

    parts = g_strsplit(bridge, *sep == '.' ? "." : ":", 0);
    net->data.bridge.brname = g_strdup(parts[0]);
    net->vlan.nTags = g_strv_length(parts) - 1;
    net->vlan.tag = g_new0(unsigned int, net->vlan.nTags);
    net->vlan.trunk = *sep == ':';

    for (i = 0; i < net->vlan.nTags; i++) {
        if (virStrToLong_uip(parts[i + 1], NULL, 10, &net->vlan.tag[i]) < 0 ||
            net->vlan.tag[i] > 4095 || (*sep == '.' && net->vlan.nTags > 1)) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid VLAN in vif bridge '%s'"), bridge);
            return -1;
        }
    }

    net->virtPortProfile = g_new0(virNetDevVPortProfile, 1);
    net->virtPortProfile->virtPortType = VIR_NETDEV_VPORT_PROFILE_OPENVSWITCH;
    return 0;
}


/*
 * libxlNativeParseVifRate:
 * rate=AMOUNT[KMG](B|b)/s[@INTERVAL] in KiB/s, rounded up.  A bare number
 * is taken as KiB, as the Xen tools always did.
 */
static int
libxlNativeParseVifRate(const char *rate, unsigned long long *kbps)
{
    unsigned long long amount;
    unsigned long long mult = 1;
    char *end = NULL;

    if (virStrToLong_ullp(rate, &end, 10, &amount) < 0 ||
        !g_ascii_isdigit(*rate))
        goto error;

    switch (*end) {
    case 'G':
        mult *= 1024;
        G_GNUC_FALLTHROUGH;
    case 'M':
        mult *= 1024;
        G_GNUC_FALLTHROUGH;
    case 'K':
        end++;
        break;
    }

    if ((*end != 'B' && *end != 'b') || !STRPREFIX(end + 1, "/s") ||
        (end[3] != '\0' && end[3] != '@'))
        goto error;

    if (amount > ULLONG_MAX / mult)
        goto error;
    amount *= mult;
    if (*end == 'b')
        amount = VIR_DIV_UP(amount, 8);

    *kbps = amount;
    return 0;

 error:
    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid vif rate '%s' (expected e.g. 10MB/s)"), rate);
    return -1;
}


static virDomainNetDef *
libxlNativeParseVif(const char *spec, const char *typename)
{
    g_autoptr(virDomainNetDef) net = NULL;
    g_auto(GStrv) tokens = libxlNativeSpecSplit(spec);
    const char *mac = NULL, *bridge = NULL, *script = NULL, *model = NULL;
    const char *type = NULL, *vifname = NULL, *ip = NULL, *rate = NULL;
    const struct { const char *key; const char **value; } keys[] = {
        { "mac", &mac }, { "bridge", &bridge }, { "script", &script },
        { "model", &model }, { "type", &type }, { "vifname", &vifname },
        { "ip", &ip }, { "rate", &rate },
    };
    size_t i, j;

    for (i = 0; tokens[i]; i++) {
        if (!strchr(tokens[i], '=')) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid vif spec '%s': '%s' is not key=value"),
                           spec, tokens[i]);
            return NULL;
        }
        for (j = 0; j < G_N_ELEMENTS(keys); j++) {
            const char *v = libxlNativeSpecValue(tokens[i], keys[j].key);

            if (v)
                *keys[j].value = v;
        }
    }

    if (!(net = virDomainNetDefNew(NULL)))
        return NULL;

    if (mac && virMacAddrParse(mac, &net->mac) < 0) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid MAC address '%s' in vif spec"), mac);
        return NULL;
    }

    if (bridge || STREQ_NULLABLE(script, "vif-bridge") ||
        STREQ_NULLABLE(script, "vif-vnic")) {
        net->type = VIR_DOMAIN_NET_TYPE_BRIDGE;
        if (bridge && libxlNativeParseVifBridge(net, bridge) < 0)
            return NULL;
    } else {
        net->type = VIR_DOMAIN_NET_TYPE_ETHERNET;
    }

    if (ip) {
        g_auto(GStrv) ips = g_strsplit(ip, " ", 0);

        for (i = 0; ips[i]; i++) {
            if (*ips[i] && virDomainNetAppendIPAddress(net, ips[i], AF_UNSPEC, 0) < 0)
                return NULL;
        }
    }

    if (script && *script)
        net->script = g_strdup(script);

    if (model) {
        if (virDomainNetSetModelString(net, model) < 0)
            return NULL;
    } else if (STREQ_NULLABLE(type, typename)) {
        net->model = VIR_DOMAIN_NET_MODEL_NETFRONT;
    }

    if (vifname && *vifname)
        net->ifname = g_strdup(vifname);

    if (rate) {
        unsigned long long kbps;

        if (libxlNativeParseVifRate(rate, &kbps) < 0)
            return NULL;
        net->bandwidth = g_new0(virNetDevBandwidth, 1);
        net->bandwidth->out = g_new0(virNetDevBandwidthRate, 1);
        net->bandwidth->out->average = kbps;
    }

    return g_steal_pointer(&net);
}


static int
libxlNativeParseVifs(virConf *conf, virDomainDef *def, const char *typename)
{
    g_auto(GStrv) vifs = NULL;
    size_t i;

    if (libxlNativeGetStringList(conf, "vif", &vifs) < 0)
        return -1;

    for (i = 0; vifs && vifs[i]; i++) {
        virDomainNetDef *net;

        if (!(net = libxlNativeParseVif(vifs[i], typename)))
            return -1;
        VIR_APPEND_ELEMENT(def->nets, def->nnets, net);
    }

    return 0;
}


/* ---- pci ---------------------------------------------------------- */

/*
 * libxlNativeParsePCI:
 * [DDDD:]BB:SS.F[@VSLOT][,KEY=VALUE...]; of the options only
 * permissive= has a libvirt equivalent (writeFiltering).
 */
static virDomainHostdevDef *
libxlNativeParsePCI(const char *spec)
{
    g_auto(GStrv) tokens = libxlNativeSpecSplit(spec);
    g_auto(GStrv) fields = NULL;
    unsigned int addr[4] = { 0 };    /* domain, bus, slot, function */
    const unsigned int max[4] = { 0xffff, 0xff, 0x1f, 0x7 };
    virTristateBool filtered = VIR_TRISTATE_BOOL_ABSENT;
    virDomainHostdevDef *hostdev;
    char *dot;
    char *at;
    size_t nfields;
    size_t i;

    if (!tokens[0])
        goto malformed;

    /* the BDF: drop the virtual slot, split the function off */
    if ((at = strchr(tokens[0], '@')))
        *at = '\0';
    if (!(dot = strrchr(tokens[0], '.')))
        goto malformed;
    *dot = '\0';
    fields = g_strsplit(tokens[0], ":", 0);
    nfields = g_strv_length(fields);
    if (nfields < 2 || nfields > 3)
        goto malformed;

    for (i = 0; i < nfields; i++) {
        if (virStrToLong_uip(fields[i], NULL, 16, &addr[i + 3 - nfields]) < 0)
            goto malformed;
    }
    if (virStrToLong_uip(dot + 1, NULL, 16, &addr[3]) < 0)
        goto malformed;
    for (i = 0; i < 4; i++) {
        if (addr[i] > max[i])
            goto malformed;
    }

    for (i = 1; tokens[i]; i++) {
        const char *val;
        int permissive;

        if (!strchr(tokens[i], '=')) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid pci option '%s' in '%s'"), tokens[i], spec);
            return NULL;
        }
        if (!(val = libxlNativeSpecValue(tokens[i], "permissive")))
            continue;
        if (virStrToLong_i(val, NULL, 10, &permissive) < 0) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid pci option '%s' in '%s'"), tokens[i], spec);
            return NULL;
        }
        filtered = permissive ? VIR_TRISTATE_BOOL_NO : VIR_TRISTATE_BOOL_YES;
    }

    if (!(hostdev = virDomainHostdevDefNew()))
        return NULL;

    hostdev->managed = false;
    hostdev->writeFiltering = filtered;
    hostdev->source.subsys.type = VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI;
    hostdev->source.subsys.u.pci.addr.domain = addr[0];
    hostdev->source.subsys.u.pci.addr.bus = addr[1];
    hostdev->source.subsys.u.pci.addr.slot = addr[2];
    hostdev->source.subsys.u.pci.addr.function = addr[3];
    return hostdev;

 malformed:
    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid pci device '%s' (expected [DDDD:]BB:SS.F)"), spec);
    return NULL;
}


static int
libxlNativeParsePCIs(virConf *conf, virDomainDef *def)
{
    g_auto(GStrv) pcis = NULL;
    size_t i;

    if (libxlNativeGetStringList(conf, "pci", &pcis) < 0)
        return -1;

    for (i = 0; pcis && pcis[i]; i++) {
        virDomainHostdevDef *hostdev;

        if (!(hostdev = libxlNativeParsePCI(pcis[i])))
            return -1;
        VIR_APPEND_ELEMENT(def->hostdevs, def->nhostdevs, hostdev);
    }

    return 0;
}


/* ---- soundhw ------------------------------------------------------ */

static int
libxlNativeParseSound(virConf *conf, virDomainDef *def)
{
    g_autofree char *str = NULL;
    g_auto(GStrv) models = NULL;
    size_t i;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    if (libxlNativeGetString(conf, "soundhw", &str) < 0)
        return -1;
    if (!str)
        return 0;

    /* "all" meant the two cards the old device model had */
    if (STREQ(str, "all"))
        models = g_strsplit("sb16,es1370", ",", 0);
    else
        models = libxlNativeSpecSplit(str);

    for (i = 0; models[i]; i++) {
        virDomainSoundDef *sound;
        int model;

        /* xl's (and qemu's) hda is libvirt's ich6 */
        if (STREQ(models[i], "hda"))
            model = VIR_DOMAIN_SOUND_MODEL_ICH6;
        else
            model = virDomainSoundModelTypeFromString(models[i]);
        if (model < 0) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("invalid value for 'soundhw': unknown model '%s'"),
                           models[i]);
            return -1;
        }
        sound = g_new0(virDomainSoundDef, 1);
        sound->model = model;
        VIR_APPEND_ELEMENT(def->sounds, def->nsounds, sound);
    }

    return 0;
}


/* ---- vnc, sdl, vfb ------------------------------------------------ */

static int
libxlNativeGraphicsAdd(virDomainDef *def, virDomainGraphicsDef **graphics,
                       const char *listen)
{
    if ((*graphics)->type == VIR_DOMAIN_GRAPHICS_TYPE_VNC &&
        virDomainGraphicsListenAppendAddress(*graphics, listen) < 0)
        return -1;

    VIR_APPEND_ELEMENT(def->graphics, def->ngraphics, *graphics);
    return 0;
}


/* libxlNativeParseHVMGraphics: vnc=1 or sdl=1 and their keys */
static int
libxlNativeParseHVMGraphics(virConf *conf, virDomainDef *def)
{
    g_autoptr(virDomainGraphicsDef) graphics = g_new0(virDomainGraphicsDef, 1);
    g_autofree char *listen = NULL;
    unsigned long display;
    int val;

    if (libxlNativeGetBool(conf, "vnc", &val, 0) < 0)
        return -1;

    if (val) {
        graphics->type = VIR_DOMAIN_GRAPHICS_TYPE_VNC;
        if (libxlNativeGetBool(conf, "vncunused", &val, 1) < 0)
            return -1;
        graphics->data.vnc.autoport = !!val;
        if (!val) {
            if (libxlNativeGetULong(conf, "vncdisplay", &display, 0) < 0)
                return -1;
            if (display > 65535 - 5900) {
                virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                               _("invalid value for 'vncdisplay': too large"));
                return -1;
            }
            graphics->data.vnc.port = 5900 + display;
        }
        if (libxlNativeGetString(conf, "vnclisten", &listen) < 0 ||
            libxlNativeGetString(conf, "vncpasswd", &graphics->data.vnc.auth.passwd) < 0 ||
            libxlNativeGetString(conf, "keymap", &graphics->data.vnc.keymap) < 0)
            return -1;
        return libxlNativeGraphicsAdd(def, &graphics, listen);
    }

    if (libxlNativeGetBool(conf, "sdl", &val, 0) < 0)
        return -1;

    if (val) {
        graphics->type = VIR_DOMAIN_GRAPHICS_TYPE_SDL;
        if (libxlNativeGetString(conf, "display", &graphics->data.sdl.display) < 0 ||
            libxlNativeGetString(conf, "xauthority", &graphics->data.sdl.xauth) < 0)
            return -1;
        return libxlNativeGraphicsAdd(def, &graphics, NULL);
    }

    return 0;
}


/* libxlNativeParseVfb: the first vfb=[ "..." ] entry of a PV guest */
static int
libxlNativeParseVfb(virConf *conf, virDomainDef *def)
{
    g_autoptr(virDomainGraphicsDef) graphics = g_new0(virDomainGraphicsDef, 1);
    g_auto(GStrv) vfbs = NULL;
    g_auto(GStrv) tokens = NULL;
    const char *listen = NULL;
    size_t i;

    if (libxlNativeGetStringList(conf, "vfb", &vfbs) < 0)
        return -1;
    if (!vfbs || !vfbs[0])
        return 0;

    tokens = libxlNativeSpecSplit(vfbs[0]);
    graphics->type = VIR_DOMAIN_GRAPHICS_TYPE_VNC;
    for (i = 0; tokens[i]; i++) {
        if (STREQ(tokens[i], "type=sdl") || STREQ(tokens[i], "sdl=1"))
            graphics->type = VIR_DOMAIN_GRAPHICS_TYPE_SDL;
    }

    for (i = 0; tokens[i]; i++) {
        const char *tok = tokens[i];
        const char *val;

        if (!strchr(tok, '=')) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid vfb spec '%s': '%s' is not key=value"),
                           vfbs[0], tok);
            return -1;
        }

        if (graphics->type == VIR_DOMAIN_GRAPHICS_TYPE_SDL) {
            /* a key given twice: the last one counts */
            if ((val = libxlNativeSpecValue(tok, "display"))) {
                g_free(graphics->data.sdl.display);
                graphics->data.sdl.display = g_strdup(val);
            } else if ((val = libxlNativeSpecValue(tok, "xauthority"))) {
                g_free(graphics->data.sdl.xauth);
                graphics->data.sdl.xauth = g_strdup(val);
            }
            continue;
        }

        if ((val = libxlNativeSpecValue(tok, "vncunused"))) {
            graphics->data.vnc.autoport = STREQ(val, "1");
        } else if ((val = libxlNativeSpecValue(tok, "vnclisten"))) {
            listen = val;
        } else if ((val = libxlNativeSpecValue(tok, "vncpasswd"))) {
            g_free(graphics->data.vnc.auth.passwd);
            graphics->data.vnc.auth.passwd = g_strdup(val);
        } else if ((val = libxlNativeSpecValue(tok, "keymap"))) {
            g_free(graphics->data.vnc.keymap);
            graphics->data.vnc.keymap = g_strdup(val);
        } else if ((val = libxlNativeSpecValue(tok, "vncdisplay"))) {
            unsigned int display;

            if (virStrToLong_uip(val, NULL, 10, &display) < 0 ||
                display > 65535 - 5900) {
                virReportError(VIR_ERR_CONF_SYNTAX,
                               _("invalid vncdisplay '%s' in vfb spec"), val);
                return -1;
            }
            graphics->data.vnc.port = 5900 + display;
        }
    }

    return libxlNativeGraphicsAdd(def, &graphics, listen);
}


/* ---- serial, parallel, console ------------------------------------ */

/*
 * libxlNativeParseChr:
 * A character device as xl and xm write it: pty, null, stdio, vc,
 * /dev/PATH, file:PATH, pipe:PATH, tcp:[HOST]:PORT[,server,nowait],
 * telnet:..., udp:[HOST]:PORT[@[BINDHOST]:BINDPORT], unix:PATH[,server].
 */
static virDomainChrDef *
libxlNativeParseChr(const char *spec)
{
    g_autoptr(virDomainChrDef) chr = NULL;
    virDomainChrSourceDef *src;
    g_autofree char *prefix = NULL;
    const char *colon = strchr(spec, ':');
    const char *value = colon ? colon + 1 : NULL;
    const char *sep;
    int type;

    if (!(chr = virDomainChrDefNew(NULL)))
        return NULL;
    src = chr->source;

    if (g_path_is_absolute(spec)) {
        src->type = VIR_DOMAIN_CHR_TYPE_DEV;
        src->data.file.path = g_strdup(spec);
        return g_steal_pointer(&chr);
    }

    prefix = colon ? g_strndup(spec, colon - spec) : g_strdup(spec);
    if (STREQ(prefix, "telnet")) {
        type = VIR_DOMAIN_CHR_TYPE_TCP;
        src->data.tcp.protocol = VIR_DOMAIN_CHR_TCP_PROTOCOL_TELNET;
    } else {
        type = virDomainChrTypeFromString(prefix);
    }
    src->type = type;

    switch (type) {
    case VIR_DOMAIN_CHR_TYPE_NULL:
    case VIR_DOMAIN_CHR_TYPE_STDIO:
    case VIR_DOMAIN_CHR_TYPE_VC:
    case VIR_DOMAIN_CHR_TYPE_PTY:
        return g_steal_pointer(&chr);

    case VIR_DOMAIN_CHR_TYPE_FILE:
    case VIR_DOMAIN_CHR_TYPE_PIPE:
        if (!value || !*value)
            break;
        src->data.file.path = g_strdup(value);
        return g_steal_pointer(&chr);

    case VIR_DOMAIN_CHR_TYPE_TCP:
        if (!value || !(sep = strchr(value, ':')))
            break;
        if (sep != value)
            src->data.tcp.host = g_strndup(value, sep - value);
        value = sep + 1;
        sep = strchr(value, ',');
        src->data.tcp.service = sep ? g_strndup(value, sep - value) : g_strdup(value);
        src->data.tcp.listen = sep && strstr(sep, ",server");
        return g_steal_pointer(&chr);

    case VIR_DOMAIN_CHR_TYPE_UDP:
        if (!value || !(sep = strchr(value, ':')))
            break;
        if (sep != value)
            src->data.udp.connectHost = g_strndup(value, sep - value);
        value = sep + 1;
        if (!(sep = strchr(value, '@'))) {
            src->data.udp.connectService = g_strdup(value);
            return g_steal_pointer(&chr);
        }
        src->data.udp.connectService = g_strndup(value, sep - value);
        value = sep + 1;
        if (!(sep = strchr(value, ':')))
            break;
        if (sep != value)
            src->data.udp.bindHost = g_strndup(value, sep - value);
        src->data.udp.bindService = g_strdup(sep + 1);
        return g_steal_pointer(&chr);

    case VIR_DOMAIN_CHR_TYPE_UNIX:
        if (!value || !*value)
            break;
        sep = strchr(value, ',');
        src->data.nix.path = sep ? g_strndup(value, sep - value) : g_strdup(value);
        src->data.nix.listen = sep && strstr(sep, ",server");
        return g_steal_pointer(&chr);

    default:
        break;
    }

    virReportError(VIR_ERR_CONF_SYNTAX,
                   _("invalid character device '%s'"), spec);
    return NULL;
}


static int
libxlNativeParseChrdevs(virConf *conf, virDomainDef *def, bool xm)
{
    g_autofree char *parallel = NULL;
    g_auto(GStrv) serials = NULL;
    virDomainChrDef *chr;
    size_t i;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM) {
        /* a PV console, always there */
        if (!(chr = libxlNativeParseChr("pty")))
            return -1;
        chr->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_CONSOLE;
        chr->targetType = VIR_DOMAIN_CHR_CONSOLE_TARGET_TYPE_XEN;
        VIR_APPEND_ELEMENT(def->consoles, def->nconsoles, chr);
        return 0;
    }

    if (libxlNativeGetString(conf, "parallel", &parallel) < 0)
        return -1;
    if (parallel && STRNEQ(parallel, "none")) {
        if (!(chr = libxlNativeParseChr(parallel)))
            return -1;
        chr->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_PARALLEL;
        VIR_APPEND_ELEMENT(def->parallels, def->nparallels, chr);
    }

    if (libxlNativeGetStringList(conf, "serial", &serials) < 0)
        return -1;
    if (!serials)
        return 0;

    if (xm && g_strv_length(serials) > 1) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("invalid value for 'serial': xen-xm supports one serial device"));
        return -1;
    }

    for (i = 0; serials[i]; i++) {
        if (STREQ(serials[i], "none"))
            continue;
        if (!(chr = libxlNativeParseChr(serials[i])))
            return -1;
        chr->deviceType = VIR_DOMAIN_CHR_DEVICE_TYPE_SERIAL;
        chr->target.port = i;
        VIR_APPEND_ELEMENT(def->serials, def->nserials, chr);
    }

    return 0;
}


/* ---- cfg -> XML: pieces the xl and xm OS parsers share ------------- */

int
libxlNativeParseBoot(const char *boot, virDomainDef *def)
{
    size_t i;

    for (i = 0; boot[i]; i++) {
        virDomainBootOrder dev;

        switch (boot[i]) {
        case 'a':
            dev = VIR_DOMAIN_BOOT_FLOPPY;
            break;
        case 'c':
            dev = VIR_DOMAIN_BOOT_DISK;
            break;
        case 'd':
            dev = VIR_DOMAIN_BOOT_CDROM;
            break;
        case 'n':
            dev = VIR_DOMAIN_BOOT_NET;
            break;
        default:
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'boot': '%s' (expected letters a, c, d, n)"),
                           boot);
            return -1;
        }

        if (i >= VIR_DOMAIN_BOOT_LAST) {
            virReportError(VIR_ERR_CONF_SYNTAX,
                           _("invalid value for 'boot': '%s' (at most %d devices)"),
                           boot, VIR_DOMAIN_BOOT_LAST);
            return -1;
        }
        def->os.bootDevs[def->os.nBootDevs++] = dev;
    }

    return 0;
}


/* libxlNativeFormatBoot: @boot has room for VIR_DOMAIN_BOOT_LAST + 1 */
void
libxlNativeFormatBoot(const virDomainDef *def, char *boot)
{
    static const char letters[VIR_DOMAIN_BOOT_LAST] = {
        [VIR_DOMAIN_BOOT_FLOPPY] = 'a',
        [VIR_DOMAIN_BOOT_DISK] = 'c',
        [VIR_DOMAIN_BOOT_CDROM] = 'd',
        [VIR_DOMAIN_BOOT_NET] = 'n',
    };
    size_t i;

    for (i = 0; i < def->os.nBootDevs && i < VIR_DOMAIN_BOOT_LAST; i++)
        boot[i] = def->os.bootDevs[i] < VIR_DOMAIN_BOOT_LAST ?
                  letters[def->os.bootDevs[i]] : 'c';
    if (i == 0)
        boot[i++] = 'c';
    boot[i] = '\0';
}


/*
 * libxlNativeParseCmdline:
 * The kernel command line: cmdline= (xl only, wins), else root= and
 * extra= joined.
 */
int
libxlNativeParseCmdline(virConf *conf, bool allowCmdline, char **cmdline)
{
    g_autofree char *root = NULL;
    g_autofree char *extra = NULL;

    if (allowCmdline) {
        if (libxlNativeGetString(conf, "cmdline", cmdline) < 0)
            return -1;
        if (*cmdline)
            return 0;
    }

    if (libxlNativeGetString(conf, "root", &root) < 0 ||
        libxlNativeGetString(conf, "extra", &extra) < 0)
        return -1;

    if (root && extra)
        *cmdline = g_strdup_printf("root=%s %s", root, extra);
    else if (root)
        *cmdline = g_strdup_printf("root=%s", root);
    else
        *cmdline = g_steal_pointer(&extra);

    return 0;
}


/* the emulated USB input devices of usbdevice= */
static const char *const libxlNativeUSBInputs[VIR_DOMAIN_INPUT_TYPE_LAST] = {
    [VIR_DOMAIN_INPUT_TYPE_MOUSE] = "mouse",
    [VIR_DOMAIN_INPUT_TYPE_TABLET] = "tablet",
    [VIR_DOMAIN_INPUT_TYPE_KBD] = "keyboard",
};


/* libxlNativeUSBInputName: the usbdevice name of an input, or NULL */
const char *
libxlNativeUSBInputName(const virDomainInputDef *input)
{
    if (input->bus != VIR_DOMAIN_INPUT_BUS_USB ||
        input->type >= VIR_DOMAIN_INPUT_TYPE_LAST)
        return NULL;

    return libxlNativeUSBInputs[input->type];
}


/* libxlNativeParseUSBInput: usbdevice "tablet", "mouse" or "keyboard" */
int
libxlNativeParseUSBInput(const char *str, virDomainDef *def)
{
    virDomainInputDef *input;
    size_t type;

    for (type = 0; type < VIR_DOMAIN_INPUT_TYPE_LAST; type++) {
        if (STREQ_NULLABLE(libxlNativeUSBInputs[type], str))
            break;
    }
    if (type == VIR_DOMAIN_INPUT_TYPE_LAST)
        return 0;   /* host devices: no input device */

    input = g_new0(virDomainInputDef, 1);
    input->type = type;
    input->bus = VIR_DOMAIN_INPUT_BUS_USB;
    VIR_APPEND_ELEMENT(def->inputs, def->ninputs, input);
    return 0;
}


/* ---- cpu_weight, acpi_s3/acpi_s4, vga/stdvga/videoram ------------ */

static int
libxlNativeParseWeight(virConf *conf, virDomainDef *def)
{
    unsigned long weight;

    if (!virConfGetValue(conf, "cpu_weight"))
        return 0;

    if (libxlNativeGetULong(conf, "cpu_weight", &weight, 0) < 0)
        return -1;
    if (weight < 1 || weight > 65535) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("invalid value for 'cpu_weight': %lu (expected 1 to 65535)"),
                       weight);
        return -1;
    }

    def->cputune.shares = weight;
    def->cputune.sharesSpecified = true;
    return 0;
}


static int
libxlNativeParsePM(virConf *conf, virDomainDef *def)
{
    int val;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    if (libxlNativeGetBool(conf, "acpi_s3", &val, -1) < 0)
        return -1;
    if (val != -1)
        def->pm.s3 = virTristateBoolFromBool(val);

    if (libxlNativeGetBool(conf, "acpi_s4", &val, -1) < 0)
        return -1;
    if (val != -1)
        def->pm.s4 = virTristateBoolFromBool(val);

    return 0;
}


/* the emulated graphics cards of xl.cfg(5) vga= and their default RAM */
static const struct {
    const char *name;
    virDomainVideoType type;
    unsigned int vram;      /* KiB, qemu-xen's default */
} libxlNativeVideoTypes[] = {
    { "cirrus", VIR_DOMAIN_VIDEO_TYPE_CIRRUS, 8 * 1024 },
    { "stdvga", VIR_DOMAIN_VIDEO_TYPE_VGA, 16 * 1024 },
    { "qxl", VIR_DOMAIN_VIDEO_TYPE_QXL, 128 * 1024 },
    { "none", VIR_DOMAIN_VIDEO_TYPE_NONE, 0 },
};


static int
libxlNativeParseVideo(virConf *conf, virDomainDef *def, virDomainXMLOption *xmlopt)
{
    g_autofree char *vga = NULL;
    virDomainVideoDef *video;
    unsigned long videoram;
    int stdvga;
    size_t i = 0;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    if (libxlNativeGetString(conf, "vga", &vga) < 0 ||
        libxlNativeGetBool(conf, "stdvga", &stdvga, 0) < 0 ||
        libxlNativeGetULong(conf, "videoram", &videoram, 0) < 0)
        return -1;

    if (!vga && !stdvga && !videoram)
        return 0;

    if (vga) {
        for (i = 0; i < G_N_ELEMENTS(libxlNativeVideoTypes); i++)
            if (STREQ(vga, libxlNativeVideoTypes[i].name))
                break;
        if (i == G_N_ELEMENTS(libxlNativeVideoTypes)) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("invalid value for 'vga': '%s' (expected stdvga, cirrus, qxl or none)"),
                           vga);
            return -1;
        }
    } else if (stdvga) {
        i = 1;
    }

    if (videoram > UINT_MAX / 1024) {
        virReportError(VIR_ERR_CONF_SYNTAX, "%s",
                       _("invalid value for 'videoram': too large"));
        return -1;
    }

    if (!(video = virDomainVideoDefNew(xmlopt)))
        return -1;
    video->type = libxlNativeVideoTypes[i].type;
    video->vram = videoram * 1024;
    VIR_APPEND_ELEMENT(def->videos, def->nvideos, video);
    return 0;
}


static int
libxlNativeParseCommon(virConf *conf,
                       virDomainDef *def,
                       virCaps *caps,
                       virDomainXMLOption *xmlopt,
                       bool xm)
{
    if (libxlNativeParseGeneral(conf, def, caps) < 0 ||
        libxlNativeParseMemory(conf, def) < 0 ||
        libxlNativeParseLifecycle(conf, def) < 0 ||
        libxlNativeParseVcpus(conf, def, xmlopt) < 0 ||
        libxlNativeParseFeatures(conf, def) < 0 ||
        libxlNativeParseClock(conf, def) < 0)
        return -1;

    if (libxlNativeGetString(conf, "device_model_override", &def->emulator) < 0)
        return -1;
    /* xend's name for it */
    if (xm && !def->emulator &&
        libxlNativeGetString(conf, "device_model", &def->emulator) < 0)
        return -1;

    if (libxlNativeParseVifs(conf, def, xm ? "netfront" : "vif") < 0 ||
        libxlNativeParsePCIs(conf, def) < 0 ||
        libxlNativeParseSound(conf, def) < 0 ||
        libxlNativeParseWeight(conf, def) < 0 ||
        libxlNativeParsePM(conf, def) < 0 ||
        libxlNativeParseVideo(conf, def, xmlopt) < 0)
        return -1;

    if (def->os.type == VIR_DOMAIN_OSTYPE_HVM) {
        if (libxlNativeParseHVMGraphics(conf, def) < 0)
            return -1;
    } else if (libxlNativeParseVfb(conf, def) < 0) {
        return -1;
    }

    return libxlNativeParseChrdevs(conf, def, xm);
}


/*
 * libxlDomainDefFromNative:
 * The domain a native configuration of @format ("xen-xl" or "xen-xm")
 * describes.  @config is @len bytes, not necessarily NUL-terminated.
 */
virDomainDef *
libxlDomainDefFromNative(const char *format,
                         const char *config,
                         size_t len,
                         virCaps *caps,
                         virDomainXMLOption *xmlopt)
{
    g_autoptr(virDomainDef) def = NULL;
    g_autoptr(virConf) conf = NULL;
    g_autofree char *text = NULL;
    bool xm;

    if (STREQ_NULLABLE(format, LIBXL_NATIVE_FORMAT_XL)) {
        xm = false;
    } else if (STREQ_NULLABLE(format, LIBXL_NATIVE_FORMAT_XM)) {
        xm = true;
    } else {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unsupported native config format '%s' (expected '%s' or '%s')"),
                       NULLSTR(format), LIBXL_NATIVE_FORMAT_XL, LIBXL_NATIVE_FORMAT_XM);
        return NULL;
    }

    if (len > LIBXL_NATIVE_CONFIG_MAX) {
        virReportError(VIR_ERR_CONF_SYNTAX,
                       _("native config of %zu bytes exceeds the limit of %d bytes"),
                       len, LIBXL_NATIVE_CONFIG_MAX);
        return NULL;
    }

    /* the checks, like virConf, read the text as a C string */
    text = g_new0(char, len + 1);
    memcpy(text, config, len);
    if (libxlNativeConfCheck(text, len) < 0)
        return NULL;

    if (!(conf = virConfReadString(text, 0)) ||
        libxlNativeConfLast(conf) < 0)
        return NULL;

    if (!(def = virDomainDefNew(xmlopt)))
        return NULL;

    def->virtType = VIR_DOMAIN_VIRT_XEN;
    def->id = -1;

    if (libxlNativeParseCommon(conf, def, caps, xmlopt, xm) < 0)
        return NULL;

    if (xm) {
        if (libxlNativeParseXM(conf, def) < 0)
            return NULL;
    } else if (libxlNativeParseXL(conf, def, caps, xmlopt) < 0) {
        return NULL;
    }

    if (virDomainDefPostParse(def, VIR_DOMAIN_DEF_PARSE_ABI_UPDATE,
                              xmlopt, NULL) < 0)
        return NULL;

    return g_steal_pointer(&def);
}


/* ---- XML -> cfg: the keys xl and xm share ------------------------- */

static int
libxlNativeFormatGeneral(virConf *conf, virDomainDef *def)
{
    char uuid[VIR_UUID_STRING_BUFLEN];

    virUUIDFormat(def->uuid, uuid);

    if (libxlNativeSetString(conf, "name", def->name) < 0 ||
        libxlNativeSetString(conf, "uuid", uuid) < 0 ||
        libxlNativeSetInt(conf, "maxmem",
                          VIR_DIV_UP(virDomainDefGetMemoryTotal(def), 1024)) < 0 ||
        libxlNativeSetInt(conf, "memory",
                          VIR_DIV_UP(def->mem.cur_balloon, 1024)) < 0)
        return -1;

    if (virDomainDefGetVcpus(def) < virDomainDefGetVcpusMax(def) &&
        libxlNativeSetInt(conf, "maxvcpus", virDomainDefGetVcpusMax(def)) < 0)
        return -1;
    if (libxlNativeSetInt(conf, "vcpus", virDomainDefGetVcpus(def)) < 0)
        return -1;

    if (def->cpumask) {
        g_autofree char *cpus = NULL;

        if (!(cpus = virBitmapFormat(def->cpumask)) ||
            libxlNativeSetString(conf, "cpus", cpus) < 0)
            return -1;
    }

    return 0;
}


static int
libxlNativeFormatTimers(virConf *conf, virDomainDef *def)
{
    size_t i, j;

    for (i = 0; i < def->clock.ntimers; i++) {
        virDomainTimerDef *timer = def->clock.timers[i];
        const char *tsc = "default";

        switch ((virDomainTimerNameType)timer->name) {
        case VIR_DOMAIN_TIMER_NAME_TSC:
            for (j = 0; j < G_N_ELEMENTS(libxlNativeTscModes); j++)
                if (libxlNativeTscModes[j].mode == timer->mode)
                    tsc = libxlNativeTscModes[j].name;
            if (libxlNativeSetString(conf, "tsc_mode", tsc) < 0)
                return -1;
            break;

        case VIR_DOMAIN_TIMER_NAME_HPET:
            if (def->os.type == VIR_DOMAIN_OSTYPE_HVM) {
                if (libxlNativeSetInt(conf, "hpet",
                                      timer->present != VIR_TRISTATE_BOOL_NO) < 0)
                    return -1;
                break;
            }
            G_GNUC_FALLTHROUGH;
        case VIR_DOMAIN_TIMER_NAME_PLATFORM:
        case VIR_DOMAIN_TIMER_NAME_KVMCLOCK:
        case VIR_DOMAIN_TIMER_NAME_HYPERVCLOCK:
        case VIR_DOMAIN_TIMER_NAME_RTC:
        case VIR_DOMAIN_TIMER_NAME_PIT:
        case VIR_DOMAIN_TIMER_NAME_ARMVTIMER:
        case VIR_DOMAIN_TIMER_NAME_LAST:
        default:
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported timer '%s'"),
                           NULLSTR(virDomainTimerNameTypeToString(timer->name)));
            return -1;
        }
    }

    return 0;
}


static int
libxlNativeFormatFeatures(virConf *conf, virDomainDef *def)
{
    bool xen = def->features[VIR_DOMAIN_FEATURE_XEN] == VIR_TRISTATE_SWITCH_ON;
    size_t i;

    if (def->os.type == VIR_DOMAIN_OSTYPE_HVM) {
        for (i = 0; i < G_N_ELEMENTS(libxlNativeHVMFeatures); i++) {
            virTristateSwitch state = def->features[libxlNativeHVMFeatures[i].feature];
            int val = state == VIR_TRISTATE_SWITCH_ON;

            if (libxlNativeHVMFeatures[i].feature == VIR_DOMAIN_FEATURE_VIRIDIAN &&
                def->features[VIR_DOMAIN_FEATURE_HYPERV] == VIR_DOMAIN_HYPERV_MODE_CUSTOM) {
                if (libxlNativeFormatViridian(conf, def) < 0)
                    return -1;
                continue;
            }

            if (!libxlNativeHVMFeatures[i].always &&
                (state == VIR_TRISTATE_SWITCH_ABSENT ||
                 val == libxlNativeHVMFeatures[i].dflt))
                continue;
            if (libxlNativeSetInt(conf, libxlNativeHVMFeatures[i].key, val) < 0)
                return -1;
        }
        if (def->features[VIR_DOMAIN_FEATURE_HYPERV] == VIR_DOMAIN_HYPERV_MODE_PASSTHROUGH) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("<hyperv mode='passthrough'> has no xl.cfg equivalent"));
            return -1;
        }
    } else if (xen &&
               def->xen_features[VIR_DOMAIN_XEN_E820_HOST] == VIR_TRISTATE_SWITCH_ON &&
               libxlNativeSetInt(conf, "e820_host", 1) < 0) {
        return -1;
    }

    if (xen && def->xen_features[VIR_DOMAIN_XEN_PASSTHROUGH] == VIR_TRISTATE_SWITCH_ON) {
        const char *mode = "enabled";

        if (def->xen_passthrough_mode == VIR_DOMAIN_XEN_PASSTHROUGH_MODE_SYNC_PT ||
            def->xen_passthrough_mode == VIR_DOMAIN_XEN_PASSTHROUGH_MODE_SHARE_PT)
            mode = virDomainXenPassthroughModeTypeToString(def->xen_passthrough_mode);
        if (libxlNativeSetString(conf, "passthrough", mode) < 0)
            return -1;
    }

    return libxlNativeFormatTimers(conf, def);
}


static int
libxlNativeFormatClock(virConf *conf, virDomainDef *def)
{
    bool hvm = def->os.type == VIR_DOMAIN_OSTYPE_HVM;
    int localtime = 0;
    int offset = 0;

    switch ((virDomainClockOffsetType)def->clock.offset) {
    case VIR_DOMAIN_CLOCK_OFFSET_VARIABLE:
        if (!hvm)
            goto unsupported;
        localtime = def->clock.data.variable.basis == VIR_DOMAIN_CLOCK_BASIS_LOCALTIME;
        offset = def->clock.data.variable.adjustment;
        break;
    case VIR_DOMAIN_CLOCK_OFFSET_LOCALTIME:
        localtime = 1;
        G_GNUC_FALLTHROUGH;
    case VIR_DOMAIN_CLOCK_OFFSET_UTC:
        if (hvm && def->clock.data.utc_reset) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                           _("unsupported clock adjustment='reset' for an HVM guest"));
            return -1;
        }
        break;
    case VIR_DOMAIN_CLOCK_OFFSET_TIMEZONE:
    case VIR_DOMAIN_CLOCK_OFFSET_ABSOLUTE:
    case VIR_DOMAIN_CLOCK_OFFSET_LAST:
    default:
        goto unsupported;
    }

    if (hvm && libxlNativeSetInt(conf, "rtc_timeoffset", offset) < 0)
        return -1;
    return libxlNativeSetInt(conf, "localtime", localtime);

 unsupported:
    virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                   _("unsupported clock offset='%s'"),
                   NULLSTR(virDomainClockOffsetTypeToString(def->clock.offset)));
    return -1;
}


static int
libxlNativeFormatLifecycle(virConf *conf, virDomainDef *def)
{
    const int actions[] = {
        def->onPoweroff, def->onReboot, def->onCrash,
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(actions); i++) {
        const char *str = virDomainLifecycleActionTypeToString(actions[i]);

        if (!str) {
            virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                           _("unsupported %s action %d"),
                           libxlNativeLifecycleKeys[i], actions[i]);
            return -1;
        }
        if (libxlNativeSetString(conf, libxlNativeLifecycleKeys[i], str) < 0)
            return -1;
    }

    return 0;
}


/* the first graphics device of a kind, or NULL */
static virDomainGraphicsDef *
libxlNativeGraphicsFind(virDomainDef *def, bool spice)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        bool isSpice = def->graphics[i]->type == VIR_DOMAIN_GRAPHICS_TYPE_SPICE;

        if (isSpice == spice)
            return def->graphics[i];
    }

    return NULL;
}


static const char *
libxlNativeGraphicsListen(virDomainGraphicsDef *graphics)
{
    virDomainGraphicsListenDef *glisten = virDomainGraphicsGetListen(graphics, 0);

    return glisten ? glisten->address : NULL;
}


static int
libxlNativeFormatHVMGraphics(virConf *conf, virDomainGraphicsDef *graphics)
{
    const char *listen = libxlNativeGraphicsListen(graphics);
    bool sdl = graphics->type == VIR_DOMAIN_GRAPHICS_TYPE_SDL;

    if (libxlNativeSetInt(conf, "sdl", sdl) < 0 ||
        libxlNativeSetInt(conf, "vnc", !sdl) < 0)
        return -1;

    if (sdl) {
        if ((graphics->data.sdl.display &&
             libxlNativeSetString(conf, "display", graphics->data.sdl.display) < 0) ||
            (graphics->data.sdl.xauth &&
             libxlNativeSetString(conf, "xauthority", graphics->data.sdl.xauth) < 0))
            return -1;
        return 0;
    }

    if (libxlNativeSetInt(conf, "vncunused", graphics->data.vnc.autoport) < 0 ||
        (!graphics->data.vnc.autoport &&
         libxlNativeSetInt(conf, "vncdisplay", graphics->data.vnc.port - 5900) < 0) ||
        (listen && libxlNativeSetString(conf, "vnclisten", listen) < 0) ||
        (graphics->data.vnc.auth.passwd &&
         libxlNativeSetString(conf, "vncpasswd", graphics->data.vnc.auth.passwd) < 0) ||
        (graphics->data.vnc.keymap &&
         libxlNativeSetString(conf, "keymap", graphics->data.vnc.keymap) < 0))
        return -1;

    return 0;
}


static int
libxlNativeFormatVfb(virConf *conf, virDomainGraphicsDef *graphics)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    g_autoptr(virConfValue) list = libxlNativeListNew();
    const char *listen = libxlNativeGraphicsListen(graphics);

    if (graphics->type == VIR_DOMAIN_GRAPHICS_TYPE_SDL) {
        virBufferAddLit(&buf, "type=sdl");
        if (graphics->data.sdl.display)
            virBufferAsprintf(&buf, ",display=%s", graphics->data.sdl.display);
        if (graphics->data.sdl.xauth)
            virBufferAsprintf(&buf, ",xauthority=%s", graphics->data.sdl.xauth);
    } else {
        virBufferAsprintf(&buf, "type=vnc,vncunused=%d",
                          graphics->data.vnc.autoport ? 1 : 0);
        if (!graphics->data.vnc.autoport)
            virBufferAsprintf(&buf, ",vncdisplay=%d", graphics->data.vnc.port - 5900);
        if (listen)
            virBufferAsprintf(&buf, ",vnclisten=%s", listen);
        if (graphics->data.vnc.auth.passwd)
            virBufferAsprintf(&buf, ",vncpasswd=%s", graphics->data.vnc.auth.passwd);
        if (graphics->data.vnc.keymap)
            virBufferAsprintf(&buf, ",keymap=%s", graphics->data.vnc.keymap);
    }

    libxlNativeListAppend(list, virBufferContentAndReset(&buf));
    return libxlNativeSetList(conf, "vfb", &list);
}


static int
libxlNativeFormatGraphics(virConf *conf, virDomainDef *def)
{
    virDomainGraphicsDef *graphics = libxlNativeGraphicsFind(def, false);

    if (!graphics)
        return 0;

    if (graphics->type != VIR_DOMAIN_GRAPHICS_TYPE_VNC &&
        graphics->type != VIR_DOMAIN_GRAPHICS_TYPE_SDL) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported graphics type '%s'"),
                       virDomainGraphicsTypeToString(graphics->type));
        return -1;
    }

    if (def->os.type == VIR_DOMAIN_OSTYPE_HVM)
        return libxlNativeFormatHVMGraphics(conf, graphics);
    return libxlNativeFormatVfb(conf, graphics);
}


static char *
libxlNativeFormatIPs(const virNetDevIPInfo *info)
{
    g_auto(GStrv) ips = g_new0(char *, info->nips + 1);
    size_t i;

    for (i = 0; i < info->nips; i++) {
        if (!(ips[i] = virSocketAddrFormat(&info->ips[i]->address)))
            return NULL;
    }

    return g_strjoinv(" ", ips);
}


static int
libxlNativeFormatVifBridge(virBuffer *buf, virDomainNetDef *net,
                           const char **script)
{
    const virNetDevVPortProfile *profile = virDomainNetGetActualVirtPortProfile(net);
    const virNetDevVlan *vlan = virDomainNetGetActualVlan(net);
    size_t i;

    virBufferAsprintf(buf, ",bridge=%s", net->data.bridge.brname);

    if (!profile || profile->virtPortType != VIR_NETDEV_VPORT_PROFILE_OPENVSWITCH)
        return 0;

    if (!*script)
        *script = "vif-openvswitch";
    if (vlan && vlan->nTags > 0) {
        if (vlan->trunk) {
            for (i = 0; i < vlan->nTags; i++)
                virBufferAsprintf(buf, ":%u", vlan->tag[i]);
        } else {
            virBufferAsprintf(buf, ".%u", vlan->tag[0]);
        }
    }

    return 0;
}


static int
libxlNativeFormatVif(virConfValue *list,
                     virConnectPtr conn,
                     virDomainNetDef *net,
                     bool hvm,
                     const char *typename)
{
    g_auto(virBuffer) buf = VIR_BUFFER_INITIALIZER;
    char mac[VIR_MAC_STRING_BUFLEN];
    const char *script = net->script;
    const char *model = virDomainNetGetModelString(net);
    g_autofree char *ips = NULL;

    virBufferAsprintf(&buf, "mac=%s", virMacAddrFormat(&net->mac, mac));

    if (net->guestIP.nips > 0 && !(ips = libxlNativeFormatIPs(&net->guestIP)))
        return -1;

    switch (net->type) {
    case VIR_DOMAIN_NET_TYPE_BRIDGE:
        libxlNativeFormatVifBridge(&buf, net, &script);
        if (ips)
            virBufferAsprintf(&buf, ",ip=%s", ips);
        virBufferAsprintf(&buf, ",script=%s", script ? script : LIBXL_NATIVE_VIF_SCRIPT);
        break;

    case VIR_DOMAIN_NET_TYPE_ETHERNET:
        if (script)
            virBufferAsprintf(&buf, ",script=%s", script);
        if (ips)
            virBufferAsprintf(&buf, ",ip=%s", ips);
        break;

    case VIR_DOMAIN_NET_TYPE_NETWORK: {
        g_autoptr(virNetwork) network = NULL;
        g_autofree char *bridge = NULL;

        if (!conn ||
            !(network = virNetworkLookupByName(conn, net->data.network.name)) ||
            !(bridge = virNetworkGetBridgeName(network))) {
            virReportError(VIR_ERR_NO_NETWORK,
                           _("no bridge for network '%s' (is it defined and active?)"),
                           net->data.network.name);
            return -1;
        }
        virBufferAsprintf(&buf, ",bridge=%s,script=%s", bridge, LIBXL_NATIVE_VIF_SCRIPT);
        break;
    }

    case VIR_DOMAIN_NET_TYPE_VHOSTUSER:
    case VIR_DOMAIN_NET_TYPE_SERVER:
    case VIR_DOMAIN_NET_TYPE_CLIENT:
    case VIR_DOMAIN_NET_TYPE_MCAST:
    case VIR_DOMAIN_NET_TYPE_INTERNAL:
    case VIR_DOMAIN_NET_TYPE_DIRECT:
    case VIR_DOMAIN_NET_TYPE_HOSTDEV:
    case VIR_DOMAIN_NET_TYPE_UDP:
    case VIR_DOMAIN_NET_TYPE_USER:
    case VIR_DOMAIN_NET_TYPE_VDPA:
    case VIR_DOMAIN_NET_TYPE_NULL:
    case VIR_DOMAIN_NET_TYPE_VDS:
    case VIR_DOMAIN_NET_TYPE_LAST:
    default:
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported interface type '%s'"),
                       NULLSTR(virDomainNetTypeToString(net->type)));
        return -1;
    }

    if (model) {
        if (hvm && net->model == VIR_DOMAIN_NET_MODEL_NETFRONT)
            virBufferAsprintf(&buf, ",type=%s", typename);
        else
            virBufferAsprintf(&buf, ",model=%s", model);
    }

    if (net->ifname)
        virBufferAsprintf(&buf, ",vifname=%s", net->ifname);

    if (net->bandwidth && net->bandwidth->out && net->bandwidth->out->average)
        virBufferAsprintf(&buf, ",rate=%lluKB/s", net->bandwidth->out->average);

    libxlNativeListAppend(list, virBufferContentAndReset(&buf));
    return 0;
}


static int
libxlNativeFormatVifs(virConf *conf, virConnectPtr conn, virDomainDef *def,
                      const char *typename)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        if (libxlNativeFormatVif(list, conn, def->nets[i],
                                 def->os.type == VIR_DOMAIN_OSTYPE_HVM,
                                 typename) < 0)
            return -1;
    }

    return libxlNativeSetList(conf, "vif", &list);
}


static int
libxlNativeFormatPCIs(virConf *conf, virDomainDef *def)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    size_t i;

    for (i = 0; i < def->nhostdevs; i++) {
        virDomainHostdevDef *hostdev = def->hostdevs[i];
        virPCIDeviceAddress *addr = &hostdev->source.subsys.u.pci.addr;
        const char *permissive = "";

        if (hostdev->mode != VIR_DOMAIN_HOSTDEV_MODE_SUBSYS ||
            hostdev->source.subsys.type != VIR_DOMAIN_HOSTDEV_SUBSYS_TYPE_PCI)
            continue;

        if (hostdev->writeFiltering == VIR_TRISTATE_BOOL_YES)
            permissive = ",permissive=0";
        else if (hostdev->writeFiltering == VIR_TRISTATE_BOOL_NO)
            permissive = ",permissive=1";

        libxlNativeListAppend(list, g_strdup_printf("%04x:%02x:%02x.%x%s",
                                                    addr->domain, addr->bus,
                                                    addr->slot, addr->function,
                                                    permissive));
    }

    return libxlNativeSetList(conf, "pci", &list);
}


static int
libxlNativeFormatSerials(virConf *conf, virDomainDef *def, bool xm)
{
    g_autoptr(virConfValue) list = NULL;
    int maxport = -1;
    int port;
    size_t i;

    if (def->nserials == 0)
        return libxlNativeSetString(conf, "serial", "none");

    if (def->nserials == 1 && def->serials[0]->target.port == 0) {
        g_autofree char *str = libxlBuildChrdevString(def->serials[0]);

        return str ? libxlNativeSetString(conf, "serial", str) : -1;
    }

    if (xm) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                       _("xen-xm supports only one serial device, on port 0"));
        return -1;
    }

    for (i = 0; i < def->nserials; i++)
        maxport = MAX(maxport, def->serials[i]->target.port);

    list = libxlNativeListNew();
    for (port = 0; port <= maxport; port++) {
        char *str = g_strdup("none");

        for (i = 0; i < def->nserials; i++) {
            if (def->serials[i]->target.port != port)
                continue;
            g_free(str);
            if (!(str = libxlBuildChrdevString(def->serials[i])))
                return -1;
            break;
        }
        libxlNativeListAppend(list, str);
    }

    return libxlNativeSetList(conf, "serial", &list);
}


static int
libxlNativeFormatChrdevs(virConf *conf, virDomainDef *def, bool xm)
{
    g_autofree char *parallel = NULL;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM)
        return 0;

    if (def->nparallels && !(parallel = libxlBuildChrdevString(def->parallels[0])))
        return -1;

    if (libxlNativeSetString(conf, "parallel", parallel ? parallel : "none") < 0)
        return -1;

    return libxlNativeFormatSerials(conf, def, xm);
}


static int
libxlNativeFormatSound(virConf *conf, virDomainDef *def)
{
    g_auto(GStrv) models = NULL;
    g_autofree char *str = NULL;
    size_t i;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM || def->nsounds == 0)
        return 0;

    models = g_new0(char *, def->nsounds + 1);
    for (i = 0; i < def->nsounds; i++) {
        if (def->sounds[i]->model == VIR_DOMAIN_SOUND_MODEL_ICH6)
            models[i] = g_strdup("hda");
        else
            models[i] = g_strdup(virDomainSoundModelTypeToString(def->sounds[i]->model));
    }

    str = g_strjoinv(",", models);
    return libxlNativeSetString(conf, "soundhw", str);
}


static int
libxlNativeFormatVideo(virConf *conf, virDomainDef *def)
{
    virDomainVideoDef *video;
    size_t i;

    if (def->os.type != VIR_DOMAIN_OSTYPE_HVM || def->nvideos == 0)
        return 0;

    video = def->videos[0];
    for (i = 0; i < G_N_ELEMENTS(libxlNativeVideoTypes); i++)
        if (libxlNativeVideoTypes[i].type == video->type)
            break;

    if (i == G_N_ELEMENTS(libxlNativeVideoTypes)) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("unsupported video model '%s' (Xen HVM guests have cirrus, vga, qxl or none)"),
                       NULLSTR(virDomainVideoTypeToString(video->type)));
        return -1;
    }

    /* cirrus and its default RAM are what xl does without being asked */
    if (video->type != VIR_DOMAIN_VIDEO_TYPE_CIRRUS &&
        libxlNativeSetString(conf, "vga", libxlNativeVideoTypes[i].name) < 0)
        return -1;
    if (video->vram && video->vram != libxlNativeVideoTypes[i].vram &&
        libxlNativeSetInt(conf, "videoram", VIR_DIV_UP(video->vram, 1024)) < 0)
        return -1;

    return 0;
}


static int
libxlNativeFormatExtras(virConf *conf, virDomainDef *def)
{
    if (def->cputune.sharesSpecified &&
        libxlNativeSetInt(conf, "cpu_weight", def->cputune.shares) < 0)
        return -1;

    if (def->os.type == VIR_DOMAIN_OSTYPE_HVM) {
        if ((def->pm.s3 != VIR_TRISTATE_BOOL_ABSENT &&
             libxlNativeSetInt(conf, "acpi_s3", def->pm.s3 == VIR_TRISTATE_BOOL_YES) < 0) ||
            (def->pm.s4 != VIR_TRISTATE_BOOL_ABSENT &&
             libxlNativeSetInt(conf, "acpi_s4", def->pm.s4 == VIR_TRISTATE_BOOL_YES) < 0))
            return -1;
    }

    return libxlNativeFormatVideo(conf, def);
}


/*
 * libxlNativeParseDiskList / libxlNativeFormatDiskList:
 * disk=[ ... ] through the format's parser or formatter of one disk
 * (floppies have no native form and are left out).
 */
int
libxlNativeParseDiskList(virConf *conf, virDomainDef *def,
                         libxlNativeDiskParser parse)
{
    g_auto(GStrv) specs = NULL;
    size_t i;

    if (libxlNativeGetStringList(conf, "disk", &specs) < 0)
        return -1;

    for (i = 0; specs && specs[i]; i++) {
        virDomainDiskDef *disk;

        if (!(disk = parse(specs[i], i, def)))
            return -1;
        VIR_APPEND_ELEMENT(def->disks, def->ndisks, disk);
    }

    return 0;
}


int
libxlNativeFormatDiskList(virConf *conf, virDomainDef *def,
                          libxlNativeDiskFormatter format)
{
    g_autoptr(virConfValue) list = libxlNativeListNew();
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->device == VIR_DOMAIN_DISK_DEVICE_FLOPPY)
            continue;
        if (format(list, def->disks[i]) < 0)
            return -1;
    }

    return libxlNativeSetList(conf, "disk", &list);
}


/* libxlNativeFormatPVOS: the boot keys of PV and PVH guests */
int
libxlNativeFormatPVOS(virConf *conf, const virDomainDef *def,
                      const char *bootargsKey, const char *cmdlineKey)
{
    const struct { const char *key; const char *value; } keys[] = {
        { "bootloader", def->os.bootloader },
        { bootargsKey, def->os.bootloaderArgs },
        { "kernel", def->os.kernel },
        { "ramdisk", def->os.initrd },
        { cmdlineKey, def->os.cmdline },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (keys[i].value && libxlNativeSetString(conf, keys[i].key, keys[i].value) < 0)
            return -1;
    }

    return 0;
}


static int
libxlNativeFormatCommon(virConf *conf, virConnectPtr conn, virDomainDef *def,
                        bool xm)
{
    if (libxlNativeFormatGeneral(conf, def) < 0 ||
        libxlNativeFormatFeatures(conf, def) < 0 ||
        libxlNativeFormatClock(conf, def) < 0 ||
        libxlNativeFormatLifecycle(conf, def) < 0)
        return -1;

    if (def->emulator &&
        libxlNativeSetString(conf, "device_model_override", def->emulator) < 0)
        return -1;

    if (libxlNativeFormatGraphics(conf, def) < 0 ||
        libxlNativeFormatVifs(conf, conn, def, xm ? "netfront" : "vif") < 0 ||
        libxlNativeFormatPCIs(conf, def) < 0 ||
        libxlNativeFormatChrdevs(conf, def, xm) < 0 ||
        libxlNativeFormatSound(conf, def) < 0 ||
        libxlNativeFormatExtras(conf, def) < 0)
        return -1;

    return 0;
}


/*
 * libxlDomainDefToNative:
 * @def as a native configuration of @format ("xen-xl" or "xen-xm").
 * @conn resolves <interface type='network'> to its bridge (may be NULL).
 */
char *
libxlDomainDefToNative(const char *format, virDomainDef *def,
                       virConnectPtr conn)
{
    g_autoptr(virConf) conf = NULL;
    g_autofree char *text = NULL;
    int size = 4096;
    bool xm;

    if (STREQ_NULLABLE(format, LIBXL_NATIVE_FORMAT_XL)) {
        xm = false;
    } else if (STREQ_NULLABLE(format, LIBXL_NATIVE_FORMAT_XM)) {
        xm = true;
    } else {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unsupported native config format '%s' (expected '%s' or '%s')"),
                       NULLSTR(format), LIBXL_NATIVE_FORMAT_XL, LIBXL_NATIVE_FORMAT_XM);
        return NULL;
    }

    if (!(conf = virConfNew()))
        return NULL;

    if (libxlNativeFormatCommon(conf, conn, def, xm) < 0)
        return NULL;

    if (xm) {
        if (libxlNativeFormatXM(conf, def) < 0)
            return NULL;
    } else if (libxlNativeFormatXL(conf, def) < 0) {
        return NULL;
    }

    /* virConfWriteMem says how much room it needs when short of it */
    for (;;) {
        int len = size;

        g_free(text);
        text = g_new0(char, size + 1);
        if (virConfWriteMem(text, &len, conf) >= 0)
            break;
        if (len < size) {
            virReportError(VIR_ERR_INTERNAL_ERROR, "%s",
                           _("failed to write the native configuration"));
            return NULL;
        }
        size = len + 1;
    }

    return g_steal_pointer(&text);
}


/* ---- the driver's entry points ------------------------------------ */

/*
 * libxlNativeConnectDomainXMLFromNative:
 * The body of connectDomainXMLFromNative, once the entry point in
 * libxl_driver.c has checked the caller's ACL: @config, a native
 * configuration of @format, as domain XML.
 */
char *
libxlNativeConnectDomainXMLFromNative(virConnectPtr conn G_GNUC_UNUSED,
                                      virDomainXMLOption *xmlopt,
                                      virCaps *caps,
                                      const char *format,
                                      const char *config,
                                      unsigned int flags)
{
    g_autoptr(virDomainDef) def = NULL;

    virCheckFlags(0, NULL);

    if (!(def = libxlDomainDefFromNative(format, config, strlen(config),
                                         caps, xmlopt)))
        return NULL;

    return virDomainDefFormat(def, xmlopt, VIR_DOMAIN_DEF_FORMAT_INACTIVE);
}


/*
 * libxlNativeConnectDomainXMLToNative:
 * The body of connectDomainXMLToNative, once the entry point in
 * libxl_driver.c has checked the caller's ACL: domain @xml as a native
 * configuration of @format.
 */
char *
libxlNativeConnectDomainXMLToNative(virConnectPtr conn,
                                    virDomainXMLOption *xmlopt,
                                    const char *format,
                                    const char *xml,
                                    unsigned int flags)
{
    g_autoptr(virDomainDef) def = NULL;

    virCheckFlags(0, NULL);

    if (STRNEQ(format, LIBXL_NATIVE_FORMAT_XL) &&
        STRNEQ(format, LIBXL_NATIVE_FORMAT_XM)) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("unsupported native config format '%s' (expected '%s' or '%s')"),
                       format, LIBXL_NATIVE_FORMAT_XL, LIBXL_NATIVE_FORMAT_XM);
        return NULL;
    }

    /* a translation, not a definition: Xen's define-time rules (one
     * sound card, no parallel port, ...) are not the formats' */
    if (!(def = virDomainDefParseString(xml, xmlopt, NULL,
                                        VIR_DOMAIN_DEF_PARSE_INACTIVE |
                                        VIR_DOMAIN_DEF_PARSE_SKIP_VALIDATE)))
        return NULL;

    return libxlDomainDefToNative(format, def, conn);
}

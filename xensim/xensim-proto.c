/*
 * xensim-proto.c: message framing shared by xensimd and its clients
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "xensim-proto.h"

static int
xensimWriteAll(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len > 0) {
        ssize_t r = send(fd, p, len, MSG_NOSIGNAL);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += r;
        len -= r;
    }
    return 0;
}

static int
xensimReadAll(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len > 0) {
        ssize_t r = read(fd, p, len);

        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (r == 0)
            return -EPIPE;
        p += r;
        len -= r;
    }
    return 0;
}

/* Send one message; the caller keeps its reference to msg. */
int
xensimProtoSend(int fd, GVariant *msg)
{
    g_autoptr(GVariant) normal = g_variant_get_normal_form(msg);
    gsize size = g_variant_get_size(normal);
    guint32 len = GUINT32_TO_BE((guint32)size);
    int r;

    if (size > XENSIM_MSG_MAX)
        return -EMSGSIZE;
    if ((r = xensimWriteAll(fd, &len, sizeof(len))) < 0)
        return r;
    return xensimWriteAll(fd, g_variant_get_data(normal), size);
}

/* Decode a message body (without its length) of the given type:
 * 0 or -EPROTO. */
int
xensimProtoDecode(const void *data, size_t len, const char *type, GVariant **msg)
{
    g_autoptr(GBytes) bytes = g_bytes_new(data, len);
    g_autoptr(GVariant) v = NULL;

    *msg = NULL;
    v = g_variant_ref_sink(g_variant_new_from_bytes(G_VARIANT_TYPE(type), bytes, FALSE));
    if (!g_variant_is_normal_form(v))
        return -EPROTO;
    *msg = g_steal_pointer(&v);
    return 0;
}

/* Receive one message of the given type: 0, -EPIPE on end of file,
 * -EPROTO on a malformed message, or another -errno. */
int
xensimProtoRecv(int fd, const char *type, GVariant **msg)
{
    guint32 len;
    g_autofree char *buf = NULL;
    int r;

    *msg = NULL;
    if ((r = xensimReadAll(fd, &len, sizeof(len))) < 0)
        return r;
    len = GUINT32_FROM_BE(len);
    if (len > XENSIM_MSG_MAX)
        return -EPROTO;
    buf = g_malloc(len ? len : 1);
    if ((r = xensimReadAll(fd, buf, len)) < 0)
        return r;
    return xensimProtoDecode(buf, len, type, msg);
}

/* Connect to the daemon of directory dir: a connected fd or -errno. */
int
xensimProtoConnect(const char *dir)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    g_autofree char *path = g_build_filename(dir, XENSIM_SOCKET_NAME, NULL);
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);

    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;

        close(fd);
        return -err;
    }
    return fd;
}

GVariant *
xensimRequestNew(const char *cmd, const char *const *args)
{
    const char *const none[] = { NULL };

    return g_variant_ref_sink(g_variant_new("(s^as)", cmd, args ? args : none));
}

/* records is floating or NULL (no records). */
GVariant *
xensimReplyNew(int rc, const char *message, GVariant *records)
{
    if (!records)
        records = g_variant_new_array(G_VARIANT_TYPE("a{sv}"), NULL, 0);
    return g_variant_ref_sink(g_variant_new("(is@aa{sv})", rc,
                                            message ? message : "", records));
}

static guint64
xensimVariantU64(GVariant *v, guint64 dflt)
{
    if (!v)
        return dflt;
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64))
        return g_variant_get_uint64(v);
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64))
        return g_variant_get_int64(v);
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32))
        return g_variant_get_uint32(v);
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT32))
        return g_variant_get_int32(v);
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN))
        return g_variant_get_boolean(v);
    return dflt;
}

guint64
xensimRecordU64(GVariant *rec, const char *key, guint64 dflt)
{
    g_autoptr(GVariant) v = g_variant_lookup_value(rec, key, NULL);

    return xensimVariantU64(v, dflt);
}

/* A newly allocated (malloc) copy of a string field, or NULL. */
char *
xensimRecordStr(GVariant *rec, const char *key)
{
    g_autoptr(GVariant) v = g_variant_lookup_value(rec, key, G_VARIANT_TYPE_STRING);

    if (!v)
        return NULL;
    return strdup(g_variant_get_string(v, NULL));
}

/* Every field of @rec named in @fields (@n of them, NULL-terminated
 * names not needed) read in one pass over the record: no index built,
 * no key copied.  A field not in the record keeps its value; a string
 * field's is a malloc copy. */
void
xensimRecordFields(GVariant *rec, XensimField *fields, size_t n)
{
    GVariantIter it;
    GVariant *entry;

    g_variant_iter_init(&it, rec);
    while ((entry = g_variant_iter_next_value(&it))) {
        g_autoptr(GVariant) k = g_variant_get_child_value(entry, 0);
        const char *key = g_variant_get_string(k, NULL);
        size_t i;

        for (i = 0; i < n; i++) {
            g_autoptr(GVariant) box = NULL;
            g_autoptr(GVariant) v = NULL;

            if (strcmp(fields[i].key, key) != 0)
                continue;
            box = g_variant_get_child_value(entry, 1);
            v = g_variant_get_variant(box);
            if (fields[i].str) {
                if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING)) {
                    free(*fields[i].str);
                    *fields[i].str = strdup(g_variant_get_string(v, NULL));
                }
            } else {
                *fields[i].u64 = xensimVariantU64(v, *fields[i].u64);
            }
            break;
        }
        g_variant_unref(entry);
    }
}

/* The same of a record indexed once (g_variant_dict_new): a lookup in
 * the record itself walks its fields, and a record read field by field
 * (a libxl_dominfo's twenty, for each of a thousand domains) walked them
 * twenty times. */
guint64
xensimDictU64(GVariantDict *dict, const char *key, guint64 dflt)
{
    g_autoptr(GVariant) v = g_variant_dict_lookup_value(dict, key, NULL);

    return xensimVariantU64(v, dflt);
}

char *
xensimDictStr(GVariantDict *dict, const char *key)
{
    g_autoptr(GVariant) v = g_variant_dict_lookup_value(dict, key, G_VARIANT_TYPE_STRING);

    if (!v)
        return NULL;
    return strdup(g_variant_get_string(v, NULL));
}

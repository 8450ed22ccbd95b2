/*
 * xensim-proto.h: the wire protocol between libxensim/xensimctl and xensimd
 *
 * A message is a 4-byte big-endian length followed by a GVariant in its
 * serialised (binary, normal) form.  Requests are XENSIM_REQUEST_TYPE:
 * the command (named after the libxl/xenstore entry point it serves, or a
 * control command) and its arguments as strings.  Replies are
 * XENSIM_REPLY_TYPE: a libxl error code (0 on success), a message for
 * errors, and a list of records (string -> variant dictionaries).
 */
#pragma once

#include <glib.h>

#define XENSIM_REQUEST_TYPE "(sas)"
#define XENSIM_REPLY_TYPE "(isaa{sv})"
#define XENSIM_MSG_MAX (16u << 20)

#define XENSIM_SOCKET_NAME "xensimd.sock"
#define XENSIM_PID_NAME "xensimd.pid"
#define XENSIM_LOG_NAME "xensimd.log"
#define XENSIM_CLIENT_LOG_NAME "xensim-client.log"

int xensimProtoSend(int fd, GVariant *msg);
int xensimProtoRecv(int fd, const char *type, GVariant **msg);
int xensimProtoDecode(const void *data, size_t len, const char *type,
                      GVariant **msg);
int xensimProtoConnect(const char *dir);

GVariant *xensimRequestNew(const char *cmd, const char *const *args);
GVariant *xensimReplyNew(int rc, const char *message, GVariant *records);

guint64 xensimRecordU64(GVariant *rec, const char *key, guint64 dflt);
char *xensimRecordStr(GVariant *rec, const char *key);
typedef struct {
    const char *key;
    guint64 *u64;   /* a number field, or */
    char **str;     /* a string field (a malloc copy) */
} XensimField;
void xensimRecordFields(GVariant *rec, XensimField *fields, size_t n);
guint64 xensimDictU64(GVariantDict *dict, const char *key, guint64 dflt);
char *xensimDictStr(GVariantDict *dict, const char *key);

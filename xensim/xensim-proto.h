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

/* The fields of libxl_dominfo in the order of libxl_list_domain's packed
 * reply ("dominfo"): xensimd-state.c writes them, libxensim-libxl.c reads
 * them. */
enum {
    XENSIM_DI_DOMID, XENSIM_DI_RUNNING, XENSIM_DI_BLOCKED, XENSIM_DI_PAUSED,
    XENSIM_DI_SHUTDOWN, XENSIM_DI_DYING, XENSIM_DI_SHUTDOWN_REASON,
    XENSIM_DI_CURRENT_MEMKB, XENSIM_DI_MAX_MEMKB, XENSIM_DI_CPU_TIME,
    XENSIM_DI_VCPU_MAX_ID, XENSIM_DI_VCPU_ONLINE, XENSIM_DI_CPUPOOL,
    XENSIM_DI_GPADDR_BITS, XENSIM_DI_DOMAIN_TYPE, XENSIM_DI_LAST
};

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

/*
 * libxensim-client.h: libxensim's connection to xensimd
 */
#pragma once

#include <stdbool.h>
#include <glib.h>

typedef struct _XensimConn XensimConn;

const char *xensimClientDir(void);
void xensimClientLog(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void xensimClientUnimplemented(const char *func);

XensimConn *xensimConnOpen(void);
void xensimConnClose(XensimConn *conn);
int xensimConnCall(XensimConn *conn, const char *cmd, const char *const *args,
                   GVariant **records, char **message);

/*
 * xensimd-xenstore.h: the simulated xenstore tree
 */
#pragma once

#include <glib.h>

typedef struct _XensimStore XensimStore;

XensimStore *xensimStoreNew(void);
void xensimStoreFree(XensimStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XensimStore, xensimStoreFree);

bool xensimStorePathValid(const char *path);
const char *xensimStoreRead(XensimStore *store, const char *path);
int xensimStoreWrite(XensimStore *store, const char *path, const char *value);
int xensimStoreMkdir(XensimStore *store, const char *path);
int xensimStoreRm(XensimStore *store, const char *path);
char **xensimStoreDirectory(XensimStore *store, const char *path);
void xensimStoreWalk(XensimStore *store, const char *path,
                     void (*fn)(const char *path, const char *value, void *opaque),
                     void *opaque);

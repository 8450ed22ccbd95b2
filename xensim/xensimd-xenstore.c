/*
 * xensimd-xenstore.c: the simulated xenstore tree
 *
 * A tree of nodes, each with a value (possibly empty) and children kept
 * sorted by name.  Paths are absolute, '/'-separated, without a trailing
 * '/' (except the root itself).  Errors are -errno values like xenstored's
 * (ENOENT, EINVAL).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "xensimd-xenstore.h"

typedef struct _XensimNode XensimNode;
struct _XensimNode {
    char *name;
    char *value;
    GTree *children;            /* name -> XensimNode */
};

struct _XensimStore {
    XensimNode *root;
};

static void xensimNodeFree(gpointer data);

static gint
xensimNodeCompare(gconstpointer a, gconstpointer b, gpointer opaque)
{
    return strcmp(a, b);
}

static XensimNode *
xensimNodeNew(const char *name)
{
    XensimNode *node = g_new0(XensimNode, 1);

    node->name = g_strdup(name);
    node->value = g_strdup("");
    node->children = g_tree_new_full(xensimNodeCompare, NULL, NULL,
                                     xensimNodeFree);
    return node;
}

static void
xensimNodeFree(gpointer data)
{
    XensimNode *node = data;

    if (!node)
        return;
    g_tree_destroy(node->children);
    g_free(node->name);
    g_free(node->value);
    g_free(node);
}

XensimStore *
xensimStoreNew(void)
{
    XensimStore *store = g_new0(XensimStore, 1);

    store->root = xensimNodeNew("");
    return store;
}

void
xensimStoreFree(XensimStore *store)
{
    if (!store)
        return;
    xensimNodeFree(store->root);
    g_free(store);
}

bool
xensimStorePathValid(const char *path)
{
    size_t len;

    if (!path || path[0] != '/')
        return false;
    len = strlen(path);
    if (len > 3072)
        return false;
    if (len > 1 && path[len - 1] == '/')
        return false;
    if (strstr(path, "//"))
        return false;
    for (; *path; path++) {
        if (!g_ascii_isalnum(*path) && !strchr("/-_@.", *path))
            return false;
    }
    return true;
}

/* The node at path, created with its parents if create is set. */
static XensimNode *
xensimStoreLookup(XensimStore *store, const char *path, bool create)
{
    g_auto(GStrv) parts = g_strsplit(path + 1, "/", -1);
    XensimNode *node = store->root;
    size_t i;

    for (i = 0; parts[i] && parts[i][0]; i++) {
        XensimNode *child = g_tree_lookup(node->children, parts[i]);

        if (!child) {
            if (!create)
                return NULL;
            child = xensimNodeNew(parts[i]);
            g_tree_insert(node->children, child->name, child);
        }
        node = child;
    }
    return node;
}

const char *
xensimStoreRead(XensimStore *store, const char *path)
{
    XensimNode *node;

    if (!xensimStorePathValid(path))
        return NULL;
    node = xensimStoreLookup(store, path, false);
    return node ? node->value : NULL;
}

int
xensimStoreWrite(XensimStore *store, const char *path, const char *value)
{
    XensimNode *node;

    if (!xensimStorePathValid(path))
        return -EINVAL;
    node = xensimStoreLookup(store, path, true);
    g_free(node->value);
    node->value = g_strdup(value);
    return 0;
}

int
xensimStoreMkdir(XensimStore *store, const char *path)
{
    if (!xensimStorePathValid(path))
        return -EINVAL;
    xensimStoreLookup(store, path, true);
    return 0;
}

int
xensimStoreRm(XensimStore *store, const char *path)
{
    g_autofree char *parent = NULL;
    const char *base;
    XensimNode *dir;

    if (!xensimStorePathValid(path) || strcmp(path, "/") == 0)
        return -EINVAL;
    base = strrchr(path, '/') + 1;
    parent = g_strndup(path, base - path - 1);
    if (!(dir = xensimStoreLookup(store, parent[0] ? parent : "/", false)))
        return -ENOENT;
    if (!g_tree_remove(dir->children, base))
        return -ENOENT;
    return 0;
}

static gboolean
xensimStoreCollectName(gpointer key, gpointer value, gpointer data)
{
    g_ptr_array_add(data, g_strdup(key));
    return FALSE;
}

/* The sorted names of path's children (NULL-terminated), or NULL if
 * path does not exist. */
char **
xensimStoreDirectory(XensimStore *store, const char *path)
{
    XensimNode *node;
    GPtrArray *names;

    if (!xensimStorePathValid(path))
        return NULL;
    if (!(node = xensimStoreLookup(store, path, false)))
        return NULL;
    names = g_ptr_array_new();
    g_tree_foreach(node->children, xensimStoreCollectName, names);
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

static void
xensimNodeWalk(XensimNode *node, const char *path,
               void (*fn)(const char *path, const char *value, void *opaque),
               void *opaque)
{
    g_auto(GStrv) names = NULL;
    GPtrArray *arr = g_ptr_array_new();
    size_t i;

    fn(path, node->value, opaque);
    g_tree_foreach(node->children, xensimStoreCollectName, arr);
    g_ptr_array_add(arr, NULL);
    names = (char **)g_ptr_array_free(arr, FALSE);
    for (i = 0; names[i]; i++) {
        g_autofree char *sub = g_strconcat(strcmp(path, "/") ? path : "", "/",
                                           names[i], NULL);

        xensimNodeWalk(g_tree_lookup(node->children, names[i]), sub, fn, opaque);
    }
}

/* Call fn on path and every node below it, depth first, sorted. */
void
xensimStoreWalk(XensimStore *store, const char *path,
                void (*fn)(const char *path, const char *value, void *opaque),
                void *opaque)
{
    XensimNode *node;

    if (!xensimStorePathValid(path))
        return;
    if ((node = xensimStoreLookup(store, path, false)))
        xensimNodeWalk(node, path, fn, opaque);
}

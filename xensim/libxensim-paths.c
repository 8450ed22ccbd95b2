/*
 * libxensim-paths.c: the Xen paths, seen through $XENSIM_DIR/root
 *
 * /proc/xen, /dev/xen, /sys/bus/xen-backend and xenstored's pid file
 * cannot be overlaid in the daemon's mount namespace, so the libc entry
 * points that look paths up are interposed: an absolute path under one of
 * those prefixes is looked up under $XENSIM_DIR/root instead.  Everything
 * else goes to the next definition (libc's) untouched.  Nothing here
 * allocates or locks: the rewritten path lives on the caller's stack.
 */
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define XENSIM_EXPORT __attribute__((visibility("default")))
/* Longer redirected paths are not redirected (keeps stack frames small). */
#define XENSIM_PATH_MAX 2048

static const char *const xensimRedirected[] = {
    "/proc/xen",
    "/dev/xen",
    "/sys/bus/xen-backend",
    "/var/run/xenstored.pid",
    "/run/xenstored.pid",
};

/* The path to use for path: path itself, or its image under
 * $XENSIM_DIR/root written to buf (XENSIM_PATH_MAX bytes). */
static const char *
xensimPath(const char *path, char *buf)
{
    const char *dir;
    size_t i;

    if (!path || path[0] != '/')
        return path;
    for (i = 0; i < sizeof(xensimRedirected) / sizeof(xensimRedirected[0]); i++) {
        size_t len = strlen(xensimRedirected[i]);

        if (strncmp(path, xensimRedirected[i], len) == 0 &&
            (path[len] == '\0' || path[len] == '/'))
            break;
    }
    if (i == sizeof(xensimRedirected) / sizeof(xensimRedirected[0]))
        return path;
    if (!(dir = getenv("XENSIM_DIR")) || !*dir)
        return path;
    if (snprintf(buf, XENSIM_PATH_MAX, "%s/root%s", dir, path) >= XENSIM_PATH_MAX)
        return path;
    return buf;
}

/* The next definition of a symbol, looked up once. */
#define XENSIM_NEXT(name) \
    static __typeof__(name) *next_##name; \
    if (!__atomic_load_n(&next_##name, __ATOMIC_ACQUIRE)) \
        __atomic_store_n(&next_##name, \
                         (__typeof__(name) *)dlsym(RTLD_NEXT, #name), \
                         __ATOMIC_RELEASE)

static bool
xensimNeedsMode(int flags)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

#define XENSIM_OPEN_MODE(flags, mode) \
    do { \
        if (xensimNeedsMode(flags)) { \
            va_list ap; \
            va_start(ap, flags); \
            mode = va_arg(ap, mode_t); \
            va_end(ap); \
        } \
    } while (0)

XENSIM_EXPORT int
open(const char *path, int flags, ...)
{
    char buf[XENSIM_PATH_MAX];
    mode_t mode = 0;
    XENSIM_NEXT(open);

    XENSIM_OPEN_MODE(flags, mode);
    return next_open(xensimPath(path, buf), flags, mode);
}

XENSIM_EXPORT int
open64(const char *path, int flags, ...)
{
    char buf[XENSIM_PATH_MAX];
    mode_t mode = 0;
    XENSIM_NEXT(open64);

    XENSIM_OPEN_MODE(flags, mode);
    return next_open64(xensimPath(path, buf), flags, mode);
}

XENSIM_EXPORT int
openat(int dirfd, const char *path, int flags, ...)
{
    char buf[XENSIM_PATH_MAX];
    mode_t mode = 0;
    XENSIM_NEXT(openat);

    XENSIM_OPEN_MODE(flags, mode);
    return next_openat(dirfd, xensimPath(path, buf), flags, mode);
}

XENSIM_EXPORT int
openat64(int dirfd, const char *path, int flags, ...)
{
    char buf[XENSIM_PATH_MAX];
    mode_t mode = 0;
    XENSIM_NEXT(openat64);

    XENSIM_OPEN_MODE(flags, mode);
    return next_openat64(dirfd, xensimPath(path, buf), flags, mode);
}

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);

XENSIM_EXPORT int
__open_2(const char *path, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__open_2);

    return next___open_2(xensimPath(path, buf), flags);
}

XENSIM_EXPORT int
__open64_2(const char *path, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__open64_2);

    return next___open64_2(xensimPath(path, buf), flags);
}

XENSIM_EXPORT int
__openat_2(int dirfd, const char *path, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__openat_2);

    return next___openat_2(dirfd, xensimPath(path, buf), flags);
}

XENSIM_EXPORT FILE *
fopen(const char *path, const char *mode)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(fopen);

    return next_fopen(xensimPath(path, buf), mode);
}

XENSIM_EXPORT FILE *
fopen64(const char *path, const char *mode)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(fopen64);

    return next_fopen64(xensimPath(path, buf), mode);
}

XENSIM_EXPORT DIR *
opendir(const char *path)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(opendir);

    return next_opendir(xensimPath(path, buf));
}

XENSIM_EXPORT int
access(const char *path, int mode)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(access);

    return next_access(xensimPath(path, buf), mode);
}

XENSIM_EXPORT int
euidaccess(const char *path, int mode)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(euidaccess);

    return next_euidaccess(xensimPath(path, buf), mode);
}

XENSIM_EXPORT int
eaccess(const char *path, int mode)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(eaccess);

    return next_eaccess(xensimPath(path, buf), mode);
}

XENSIM_EXPORT int
faccessat(int dirfd, const char *path, int mode, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(faccessat);

    return next_faccessat(dirfd, xensimPath(path, buf), mode, flags);
}

XENSIM_EXPORT int
stat(const char *path, struct stat *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(stat);

    return next_stat(xensimPath(path, buf), st);
}

XENSIM_EXPORT int
stat64(const char *path, struct stat64 *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(stat64);

    return next_stat64(xensimPath(path, buf), st);
}

XENSIM_EXPORT int
lstat(const char *path, struct stat *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(lstat);

    return next_lstat(xensimPath(path, buf), st);
}

XENSIM_EXPORT int
lstat64(const char *path, struct stat64 *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(lstat64);

    return next_lstat64(xensimPath(path, buf), st);
}

XENSIM_EXPORT int
fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(fstatat);

    return next_fstatat(dirfd, xensimPath(path, buf), st, flags);
}

XENSIM_EXPORT int
fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(fstatat64);

    return next_fstatat64(dirfd, xensimPath(path, buf), st, flags);
}

XENSIM_EXPORT int
statx(int dirfd, const char *path, int flags, unsigned int mask,
      struct statx *stx)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(statx);

    return next_statx(dirfd, xensimPath(path, buf), flags, mask, stx);
}

/* The pre-2.33 stat entry points, still what older binaries call. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

XENSIM_EXPORT int
__xstat(int ver, const char *path, struct stat *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__xstat);

    return next___xstat(ver, xensimPath(path, buf), st);
}

XENSIM_EXPORT int
__xstat64(int ver, const char *path, struct stat64 *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__xstat64);

    return next___xstat64(ver, xensimPath(path, buf), st);
}

XENSIM_EXPORT int
__lxstat(int ver, const char *path, struct stat *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__lxstat);

    return next___lxstat(ver, xensimPath(path, buf), st);
}

XENSIM_EXPORT int
__lxstat64(int ver, const char *path, struct stat64 *st)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__lxstat64);

    return next___lxstat64(ver, xensimPath(path, buf), st);
}

XENSIM_EXPORT int
__fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__fxstatat);

    return next___fxstatat(ver, dirfd, xensimPath(path, buf), st, flags);
}

XENSIM_EXPORT int
__fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags)
{
    char buf[XENSIM_PATH_MAX];
    XENSIM_NEXT(__fxstatat64);

    return next___fxstatat64(ver, dirfd, xensimPath(path, buf), st, flags);
}

/*
 * libxensim-paths.c: the Xen paths, seen through $XENSIM_DIR/root
 *
 * /proc/xen, /dev/xen, /sys/bus/xen-backend, /sys/kernel/iommu_groups,
 * xenstored's pid file and Xen's run directory (/var/run/xen, /run/xen:
 * QEMU's QMP sockets) cannot be overlaid in the daemon's mount namespace,
 * so the libc entry points that look paths up are interposed: an absolute
 * path under one of those prefixes is looked up under $XENSIM_DIR/root
 * instead; so is the path of an AF_UNIX connect().  Everything else goes
 * to the next definition (libc's) untouched.
 * Nothing here allocates or locks: the rewritten path lives on the caller's
 * stack.
 */
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#define XENSIM_EXPORT __attribute__((visibility("default")))
/* Longer redirected paths are not redirected (keeps stack frames small). */
#define XENSIM_PATH_MAX 2048

static const char *const xensimRedirected[] = {
    "/proc/xen",
    "/dev/xen",
    "/sys/bus/xen-backend",
    "/sys/kernel/iommu_groups",     /* none in Domain-0: Xen owns the IOMMU */
    "/var/run/xenstored.pid",
    "/run/xenstored.pid",
    "/var/run/xen",                 /* libxl__run_dir_path(): QMP sockets */
    "/run/xen",
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

/*
 * A path entry point: look its next definition up, then call it with the
 * path rewritten.  proto names the path argument "path"; args is the
 * argument list to pass on, with xensimPath(path, buf) for the path.
 */
#define XENSIM_INTERPOSE(ret, name, proto, args) \
    XENSIM_EXPORT ret \
    name proto \
    { \
        char buf[XENSIM_PATH_MAX]; \
        XENSIM_NEXT(name); \
        return next_##name args; \
    }

int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* The pre-2.33 stat entry points, still what older binaries call. */
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st, int flags);

XENSIM_INTERPOSE(int, __open_2, (const char *path, int flags),
                 (xensimPath(path, buf), flags))
XENSIM_INTERPOSE(int, __open64_2, (const char *path, int flags),
                 (xensimPath(path, buf), flags))
XENSIM_INTERPOSE(int, __openat_2, (int dirfd, const char *path, int flags),
                 (dirfd, xensimPath(path, buf), flags))
XENSIM_INTERPOSE(int, __openat64_2, (int dirfd, const char *path, int flags),
                 (dirfd, xensimPath(path, buf), flags))
XENSIM_INTERPOSE(FILE *, fopen, (const char *path, const char *mode),
                 (xensimPath(path, buf), mode))
XENSIM_INTERPOSE(FILE *, fopen64, (const char *path, const char *mode),
                 (xensimPath(path, buf), mode))
XENSIM_INTERPOSE(DIR *, opendir, (const char *path), (xensimPath(path, buf)))
XENSIM_INTERPOSE(int, access, (const char *path, int mode),
                 (xensimPath(path, buf), mode))
XENSIM_INTERPOSE(int, euidaccess, (const char *path, int mode),
                 (xensimPath(path, buf), mode))
XENSIM_INTERPOSE(int, eaccess, (const char *path, int mode),
                 (xensimPath(path, buf), mode))
XENSIM_INTERPOSE(int, faccessat, (int dirfd, const char *path, int mode, int flags),
                 (dirfd, xensimPath(path, buf), mode, flags))
XENSIM_INTERPOSE(int, stat, (const char *path, struct stat *st),
                 (xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, stat64, (const char *path, struct stat64 *st),
                 (xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, lstat, (const char *path, struct stat *st),
                 (xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, lstat64, (const char *path, struct stat64 *st),
                 (xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, fstatat,
                 (int dirfd, const char *path, struct stat *st, int flags),
                 (dirfd, xensimPath(path, buf), st, flags))
XENSIM_INTERPOSE(int, fstatat64,
                 (int dirfd, const char *path, struct stat64 *st, int flags),
                 (dirfd, xensimPath(path, buf), st, flags))
XENSIM_INTERPOSE(int, statx,
                 (int dirfd, const char *path, int flags, unsigned int mask,
                  struct statx *stx),
                 (dirfd, xensimPath(path, buf), flags, mask, stx))
XENSIM_INTERPOSE(int, __xstat, (int ver, const char *path, struct stat *st),
                 (ver, xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, __xstat64, (int ver, const char *path, struct stat64 *st),
                 (ver, xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, __lxstat, (int ver, const char *path, struct stat *st),
                 (ver, xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, __lxstat64, (int ver, const char *path, struct stat64 *st),
                 (ver, xensimPath(path, buf), st))
XENSIM_INTERPOSE(int, __fxstatat,
                 (int ver, int dirfd, const char *path, struct stat *st, int flags),
                 (ver, dirfd, xensimPath(path, buf), st, flags))
XENSIM_INTERPOSE(int, __fxstatat64,
                 (int ver, int dirfd, const char *path, struct stat64 *st, int flags),
                 (ver, dirfd, xensimPath(path, buf), st, flags))

/* An AF_UNIX socket under a redirected directory (QEMU's QMP sockets in
 * /var/run/xen): connect to its image under $XENSIM_DIR/root. */
XENSIM_EXPORT int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
    char buf[XENSIM_PATH_MAX];
    struct sockaddr_un sun;
    const char *path;
    size_t plen;
    XENSIM_NEXT(connect);

    if (addr && addr->sa_family == AF_UNIX &&
        len > offsetof(struct sockaddr_un, sun_path) &&
        len <= sizeof(struct sockaddr_un)) {
        memset(&sun, 0, sizeof(sun));
        memcpy(&sun, addr, len);
        /* sun_path need not be NUL-terminated; an abstract name starts with NUL */
        if (sun.sun_path[0] == '/' &&
            memchr(sun.sun_path, '\0', sizeof(sun.sun_path))) {
            path = xensimPath(sun.sun_path, buf);
            plen = strlen(path);
            if (path != sun.sun_path && plen < sizeof(sun.sun_path)) {
                memcpy(sun.sun_path, path, plen + 1);
                return next_connect(fd, (struct sockaddr *)&sun,
                                    offsetof(struct sockaddr_un, sun_path) + plen + 1);
            }
        }
    }
    return next_connect(fd, addr, len);
}

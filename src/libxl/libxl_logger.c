/*
 * libxl_logger.c: a xentoollog logger writing libxl's messages to a log file
 *
 * libxl reports the reason for a failure only through its logger.  This
 * logger writes every message at or above the configured level to the
 * driver's libxl log file, and remembers the last error-level message
 * logged by each thread so that the libvirt error reported for the failed
 * call can carry libxl's own reason.  A thread's last error is only the
 * reason of the operation that logged it: every operation starts with it
 * reset, and an asynchronous operation completing on another thread takes
 * only an error logged there since it began (libxlLoggerMark).
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "internal.h"
#include "virerror.h"
#include "virfile.h"
#include "virtime.h"
#include "libxl_logger.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_logger");

struct _libxlLogger {
    xentoollog_logger xtl;      /* must stay first: libxl sees only this */
    FILE *logFile;
    xentoollog_level minLevel;
    GMutex lock;                /* serialises writes to logFile */
};

/* The last error message libxl logged on this thread, with its place in
 * the sequence of all messages (libxlLoggerMark), owned by GLib. */
typedef struct {
    char *msg;
    unsigned long long seq;
    gint64 when;                /* monotonic, us */
} libxlLoggerError;

static void
libxlLoggerErrorFree(gpointer data)
{
    libxlLoggerError *err = data;

    if (!err)
        return;
    g_free(err->msg);
    g_free(err);
}

static GPrivate libxlLoggerLastErr = G_PRIVATE_INIT(libxlLoggerErrorFree);
/* messages logged so far, by every thread */
static unsigned long long libxlLoggerSeq;


/*
 * libxl ends a failed device operation with a summary that names the
 * device, not the reason ("unable to add device", "Unable to add vif with
 * id 1", "Unable to remove vbd with id 51728"), after the message that
 * gave the reason ("Disk vdev=xvdb failed to stat: ...", "script: Could
 * not find bridge device br0"): such a summary keeps the reason this
 * thread logged just before it, so that it reaches the user.
 */
static bool
libxlLoggerIsSummary(const char *msg)
{
    return STREQ(msg, "unable to add device") ||
           STREQ(msg, "unable to remove device") ||
           STRPREFIX(msg, "Unable to add ") ||
           STRPREFIX(msg, "Unable to remove ");
}

#define LIBXL_LOGGER_REASON_US (2 * G_USEC_PER_SEC)

static void
libxlLoggerRecordError(const char *msg)
{
    libxlLoggerError *prev = g_private_get(&libxlLoggerLastErr);
    libxlLoggerError *err = g_new0(libxlLoggerError, 1);

    err->when = g_get_monotonic_time();
    if (prev && libxlLoggerIsSummary(msg) && !libxlLoggerIsSummary(prev->msg) &&
        err->when - prev->when < LIBXL_LOGGER_REASON_US)
        err->msg = g_strdup_printf("%s (%s)", prev->msg, msg);
    else
        err->msg = g_strdup(msg);
    err->seq = __atomic_add_fetch(&libxlLoggerSeq, 1, __ATOMIC_SEQ_CST);
    g_private_replace(&libxlLoggerLastErr, err);
}


static xentoollog_level
libxlLoggerLevelFromVir(virLogPriority priority)
{
    switch (priority) {
    case VIR_LOG_DEBUG:
        return XTL_DEBUG;
    case VIR_LOG_INFO:
        return XTL_INFO;
    case VIR_LOG_WARN:
        return XTL_WARN;
    case VIR_LOG_ERROR:
        return XTL_ERROR;
    }
    return XTL_DEBUG;
}


static const char *
libxlLoggerLevelName(xentoollog_level level)
{
    switch (level) {
    case XTL_DEBUG:
        return "debug";
    case XTL_VERBOSE:
        return "verbose";
    case XTL_DETAIL:
        return "detail";
    case XTL_PROGRESS:
        return "progress";
    case XTL_INFO:
        return "info";
    case XTL_NOTICE:
        return "notice";
    case XTL_WARN:
        return "warning";
    case XTL_ERROR:
        return "error";
    case XTL_CRITICAL:
        return "critical";
    case XTL_NONE:
    case XTL_NUM_LEVELS:
        break;
    }
    return "unknown";
}


/*
 * libxlLoggerVmessage:
 * libxl's log callback: remember error messages for this thread and
 * write the message to the log file when it is important enough.
 */
static void
G_GNUC_PRINTF(5, 0)
libxlLoggerVmessage(xentoollog_logger *xtl,
                    xentoollog_level level,
                    int errnoval,
                    const char *context,
                    const char *format,
                    va_list args)
{
    libxlLogger *logger = (libxlLogger *) xtl;
    g_autofree char *msg = g_strdup_vprintf(format, args);
    g_autofree char *timestamp = NULL;

    if (errnoval >= 0) {
        g_autofree char *tmp = g_steal_pointer(&msg);
        msg = g_strdup_printf("%s: %s", tmp, g_strerror(errnoval));
    }

    if (level >= XTL_ERROR)
        libxlLoggerRecordError(msg);

    if (level < logger->minLevel || !logger->logFile)
        return;

    timestamp = virTimeStringNow();

    g_mutex_lock(&logger->lock);
    fprintf(logger->logFile, "%s: libxl: %s%s%s: %s\n",
            NULLSTR(timestamp), libxlLoggerLevelName(level),
            context ? " " : "", context ? context : "", msg);
    fflush(logger->logFile);
    g_mutex_unlock(&logger->lock);
}


static void
libxlLoggerProgress(xentoollog_logger *xtl G_GNUC_UNUSED,
                    const char *context G_GNUC_UNUSED,
                    const char *doing_what G_GNUC_UNUSED,
                    int percent G_GNUC_UNUSED,
                    unsigned long done G_GNUC_UNUSED,
                    unsigned long total G_GNUC_UNUSED)
{
    /* progress messages are not logged */
}


static void
libxlLoggerDestroy(xentoollog_logger *xtl G_GNUC_UNUSED)
{
    /* the logger is owned and freed by the driver, never by libxl */
}


/*
 * libxlLoggerOpenPrivate:
 * Open @path for appending, readable by its owner (and group) only: libxl
 * logs domain configurations, kernel command lines and the like.  A file
 * left world-readable by an older build loses its bits for others.
 */
static FILE *
libxlLoggerOpenPrivate(const char *path)
{
    struct stat sb;
    FILE *fp;
    int fd;

    if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
                   S_IRUSR | S_IWUSR)) < 0)
        return NULL;

    if (fstat(fd, &sb) < 0 ||
        ((sb.st_mode & S_IRWXO) && fchmod(fd, sb.st_mode & 0770) < 0)) {
        VIR_FORCE_CLOSE(fd);
        return NULL;
    }

    /* the stream owns the fd from here (VIR_FDOPEN sets it to -1) */
    if (!(fp = VIR_FDOPEN(fd, "a"))) {
        VIR_FORCE_CLOSE(fd);
        return NULL;
    }

    return fp;
}


/*
 * libxlLoggerNewFile:
 * Create a logger appending to @path (NULL: log nothing, only keep the
 * last error).  Returns NULL with an error reported on failure.
 */
libxlLogger *
libxlLoggerNewFile(const char *path, virLogPriority minLevel)
{
    g_autoptr(libxlLogger) logger = g_new0(libxlLogger, 1);

    g_mutex_init(&logger->lock);
    logger->xtl.vmessage = libxlLoggerVmessage;
    logger->xtl.progress = libxlLoggerProgress;
    logger->xtl.destroy = libxlLoggerDestroy;
    logger->minLevel = libxlLoggerLevelFromVir(minLevel);

    if (path && !(logger->logFile = libxlLoggerOpenPrivate(path))) {
        virReportSystemError(errno, _("failed to open libxl log file '%s'"),
                             path);
        return NULL;
    }

    return g_steal_pointer(&logger);
}


/*
 * libxlLoggerNew:
 * Create the driver-wide logger, writing to LOGDIR/libxl-driver.log.
 */
libxlLogger *
libxlLoggerNew(const char *logDir, virLogPriority minLevel)
{
    g_autofree char *path = g_strdup_printf("%s/libxl-driver.log", logDir);

    return libxlLoggerNewFile(path, minLevel);
}


void
libxlLoggerFree(libxlLogger *logger)
{
    if (!logger)
        return;

    if (logger->logFile)
        VIR_FORCE_FCLOSE(logger->logFile);
    g_mutex_clear(&logger->lock);
    g_free(logger);
}


xentoollog_logger *
libxlLoggerGetXTL(libxlLogger *logger)
{
    return &logger->xtl;
}


/*
 * libxlLoggerGetLastError:
 * The last error-level message libxl logged on the calling thread, or
 * NULL.  The string stays valid until the thread's next libxl error or
 * libxlLoggerResetLastError().
 */
const char *
libxlLoggerGetLastError(void)
{
    libxlLoggerError *err = g_private_get(&libxlLoggerLastErr);

    return err ? err->msg : NULL;
}


/*
 * libxlLoggerMark:
 * A point in the sequence of libxl's error messages: an operation marks
 * where it begins, and an error logged before that mark is not its own.
 */
unsigned long long
libxlLoggerMark(void)
{
    return __atomic_load_n(&libxlLoggerSeq, __ATOMIC_SEQ_CST);
}


/*
 * libxlLoggerGetLastErrorSince:
 * The last error libxl logged on the calling thread after @mark, or
 * NULL: the reason of an operation that began at @mark, never an older
 * failure's text left on this thread.
 */
const char *
libxlLoggerGetLastErrorSince(unsigned long long mark)
{
    libxlLoggerError *err = g_private_get(&libxlLoggerLastErr);

    return err && err->seq > mark ? err->msg : NULL;
}


void
libxlLoggerResetLastError(void)
{
    g_private_replace(&libxlLoggerLastErr, NULL);
}


/*
 * libxlLoggerSetLastError:
 * Make @msg the calling thread's last libxl error: libxl reports the
 * failure of an asynchronous operation on the thread that completes it,
 * the waiting thread reports it to the user.
 */
void
libxlLoggerSetLastError(const char *msg)
{
    libxlLoggerRecordError(msg);
}


void
libxlReportErrorFull(int domcode, int code, const char *filename,
                     const char *funcname, size_t linenr,
                     const char *fmt, ...)
{
    const char *reason = libxlLoggerGetLastError();
    g_autofree char *msg = NULL;
    va_list args;

    va_start(args, fmt);
    msg = g_strdup_vprintf(fmt, args);
    va_end(args);

    if (reason) {
        g_autofree char *full = g_strdup_printf("%s: %s", msg, reason);

        virReportErrorHelper(domcode, code, filename, funcname, linenr,
                             "%s", full);
        libxlLoggerResetLastError();
    } else {
        virReportErrorHelper(domcode, code, filename, funcname, linenr,
                             "%s", msg);
    }
}

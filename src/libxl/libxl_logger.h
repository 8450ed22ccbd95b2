/*
 * libxl_logger.h: a xentoollog logger writing libxl's messages to a log file
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <xentoollog.h>

#include "internal.h"
#include "virlog.h"

typedef struct _libxlLogger libxlLogger;

libxlLogger *libxlLoggerNew(const char *logDir, virLogPriority minLevel);
libxlLogger *libxlLoggerNewFile(const char *path, virLogPriority minLevel);
void libxlLoggerFree(libxlLogger *logger);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(libxlLogger, libxlLoggerFree);

xentoollog_logger *libxlLoggerGetXTL(libxlLogger *logger);

const char *libxlLoggerGetLastError(void);
void libxlLoggerResetLastError(void);
void libxlLoggerSetLastError(const char *msg);
unsigned long long libxlLoggerMark(void);
const char *libxlLoggerGetLastErrorSince(unsigned long long mark);

/*
 * libxlReportError:
 * Report a libvirt error for a failed libxl call, appending the reason
 * libxl logged on this thread (if any) so that the user sees it.
 */
#define libxlReportError(code, ...) \
    libxlReportErrorFull(VIR_FROM_LIBXL, code, __FILE__, __FUNCTION__, \
                         __LINE__, __VA_ARGS__)

void libxlReportErrorFull(int domcode, int code, const char *filename,
                          const char *funcname, size_t linenr,
                          const char *fmt, ...)
    G_GNUC_PRINTF(6, 7);

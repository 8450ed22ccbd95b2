/*
 * libxl_qmp.h: a small blocking client of the device model's QMP socket
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include "internal.h"
#include "virjson.h"

/*
 * libxl starts a device model (QEMU) for every HVM guest and for PV/PVH
 * guests with a qdisk disk, with a second QMP monitor for libxenstat at
 * /var/run/xen/qmp-libxenstat-<domid>.  The driver reads the counters of
 * qdisk and emulated disks there (query-blockstats); blkback disks are read
 * from the backend's sysfs statistics instead.
 */

#define LIBXL_QMP_TIMEOUT_MS 1000

/* Counters of one drive of the device model, from query-blockstats. */
typedef struct _libxlQmpBlockStats libxlQmpBlockStats;
struct _libxlQmpBlockStats {
    char *target;       /* libvirt disk target the drive belongs to:
                           "hda" for QEMU's "ide0-hd0", "xvda" for a
                           xen-block (qdisk) drive of vdev xvda */
    char *device;       /* QEMU's name for the drive: its BlockBackend
                           ("ide0-hd0"), or for xen-block, whose
                           BlockBackend has none, its node ("xvda-qcow2") */
    unsigned long long rd_req;      /* rd_operations */
    unsigned long long rd_bytes;    /* rd_bytes */
    unsigned long long wr_req;      /* wr_operations */
    unsigned long long wr_bytes;    /* wr_bytes */
    unsigned long long fl_req;      /* flush_operations */
    unsigned long long rd_total_ns; /* rd_total_time_ns */
    unsigned long long wr_total_ns; /* wr_total_time_ns */
    unsigned long long fl_total_ns; /* flush_total_time_ns */
    long long errs;     /* failed_{rd,wr,flush}_operations summed;
                           -1 when QEMU does not report them */
    int ideIndex;       /* an emulated IDE disk's disk index (0-3), else -1 */
};

/* The path of the libxenstat QMP socket of domain @domid. */
char *libxlQmpSocketPath(int domid);

/*
 * Ask the device model of domain @domid for query-blockstats.  On success
 * returns 0 and an array of *@nstats drives in *@stats (free with
 * libxlQmpBlockStatsFree); on failure (no device model, no answer within
 * LIBXL_QMP_TIMEOUT_MS, an error reply) reports an error and returns -1.
 */
int libxlQmpQueryBlockStats(int domid,
                            libxlQmpBlockStats **stats,
                            size_t *nstats);

/*
 * Whether the drive @stats belongs to the libvirt disk @target.  An HVM
 * guest's disk of index N < 4, hdX or xvdX alike, is emulated as IDE disk
 * N ("ide<N/2>-hd<N%2>", target "hd<a+N>"): it matches "xvd<a+N>" too.
 * Such a disk with PV drivers in the guest also has a PV backend (blkback
 * or xen-block): its I/O is the sum of both.
 */
bool libxlQmpBlockStatsMatch(const libxlQmpBlockStats *stats, const char *target);

void libxlQmpBlockStatsFree(libxlQmpBlockStats *stats, size_t nstats);

/*
 * Run @command on the device model of domain @domid, with the arguments
 * *@args (an object, or NULL for none; consumed).  On success returns 0
 * and, if @ret is not NULL, the command's "return" value in *@ret (free
 * with virJSONValueFree); on failure (no device model, no answer within
 * LIBXL_QMP_TIMEOUT_MS, QEMU's error) reports an error and returns -1.
 */
int libxlQmpRun(int domid,
                const char *command,
                virJSONValue **args,
                virJSONValue **ret);

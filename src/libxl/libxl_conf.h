/*
 * libxl_conf.h: the libxl driver's configuration and shared state
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#pragma once

#include <libxl.h>

#include "internal.h"
#include "configmake.h"
#include "driver.h"
#include "virobject.h"
#include "virthread.h"
#include "virsysinfo.h"
#include "virfirmware.h"
#include "capabilities.h"
#include "domain_conf.h"
#include "virdomainobjlist.h"
#include "object_event.h"
#include "virthreadpool.h"
#include "virportallocator.h"
#include "locking/lock_manager.h"
#include "libxl_logger.h"
#include "libxl_osevent.h"

#define LIBXL_DRIVER_EXTERNAL_NAME "Xen"
#define LIBXL_DRIVER_INTERNAL_NAME "xenlight"

#define LIBXL_CONFIG_BASE_DIR SYSCONFDIR "/libvirt"
#define LIBXL_CONFIG_DIR SYSCONFDIR "/libvirt/libxl"
#define LIBXL_AUTOSTART_DIR LIBXL_CONFIG_DIR "/autostart"
#define LIBXL_STATE_DIR RUNSTATEDIR "/libvirt/libxl"
#define LIBXL_LOG_DIR LOCALSTATEDIR "/log/libvirt/libxl"
#define LIBXL_LIB_DIR LOCALSTATEDIR "/lib/libvirt/libxl"
#define LIBXL_SAVE_DIR LIBXL_LIB_DIR "/save"
#define LIBXL_DUMP_DIR LIBXL_LIB_DIR "/dump"
#define LIBXL_CHANNEL_DIR LIBXL_LIB_DIR "/channel/target"

/* the default of libxl.conf job_wait_time: libvirt's own job wait time */
#define LIBXL_JOB_WAIT_MS (30 * 1000ULL)

/* Where Debian's xen-utils install the device model and firmware. */
#define LIBXL_EXECBIN_DIR "/usr/lib/xen/bin"
#define LIBXL_FIRMWARE_DIR "/usr/lib/xen/boot"
#define LIBXL_DEFAULT_EMULATOR LIBXL_EXECBIN_DIR "/qemu-system-i386"
#define LIBXL_HVMLOADER LIBXL_FIRMWARE_DIR "/hvmloader"
#define LIBXL_OVMF LIBXL_FIRMWARE_DIR "/ovmf.bin"

typedef struct _libxlDriverConfig libxlDriverConfig;
struct _libxlDriverConfig {
    virObject parent;

    /* owned by ctx; valid as long as ctx is */
    const libxl_version_info *verInfo;
    /* major * 1000000 + minor * 1000 + micro */
    unsigned long version;

    /* the driver-wide libxl context, its logger and its event-loop bridge
     * (the bridge is detached, then ctx freed, then the rest) */
    libxlLogger *logger;
    libxlEventBridge *bridge;
    libxl_ctx *ctx;

    /* libxl.conf settings */
    bool autoballoon;
    char *lockManagerName;
    int keepAliveInterval;
    unsigned int keepAliveCount;
    bool nestedHVM;
    /* how long a call waits for another job on the domain (ms);
     * libxl.conf job_wait_time, in seconds */
    unsigned long long jobWaitMs;
    /* the ports of incoming migrations' connections */
    unsigned int migrationPortMin;
    unsigned int migrationPortMax;

    /* immutable once built */
    virCaps *caps;

    char *configBaseDir;
    char *configDir;
    char *autostartDir;
    char *logDir;
    char *stateDir;
    char *libDir;
    char *saveDir;
    char *autoDumpDir;
    char *channelDir;

    virFirmware **firmwares;
    size_t nfirmwares;
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC(libxlDriverConfig, virObjectUnref);


typedef struct _libxlDriverPrivate libxlDriverPrivate;
struct _libxlDriverPrivate {
    virMutex lock;

    /* take a reference with libxlDriverConfigGet() */
    libxlDriverConfig *config;

    /* pid file FD, ensures two copies of the driver can't use the same root */
    int lockFD;

    /* running domains (atomic): the first inhibits the daemon's idle
     * shutdown, the last lifts it */
    int nactive;

    /* immutable after init */
    virStateInhibitCallback inhibitCallback;
    void *inhibitOpaque;

    /* immutable pointer, self-locking APIs */
    virDomainObjList *domains;

    /* immutable pointer, immutable object */
    virDomainXMLOption *xmlopt;

    /* immutable pointer, read only; NULL if the host has no SMBIOS data */
    virSysinfoDef *hostsysinfo;

    /* immutable pointer, self-locking APIs */
    virObjectEventState *domainEventState;

    /* immutable pointers once initialized (libxl_host.c): the ports of
     * VNC and SPICE displays, the lock manager of libxl.conf */
    virPortAllocatorRange *graphicsPorts;
    virPortAllocatorRange *migrationPorts;
    virLockManagerPlugin *lockManager;

    /* immutable pointer: the workers handling libxl's domain events */
    virThreadPool *eventWorkers;
};


libxlDriverConfig *libxlDriverConfigNew(void);
int libxlDriverConfigLoadFile(libxlDriverConfig *cfg, const char *filename);
int libxlDriverConfigInit(libxlDriverConfig *cfg);
libxlDriverConfig *libxlDriverConfigGet(libxlDriverPrivate *driver);

unsigned long libxlVersionFromInfo(const libxl_version_info *info);

int libxlDriverNodeGetInfo(libxlDriverPrivate *driver, virNodeInfoPtr info);
int libxlNodeInfoFromPhysinfo(const libxl_physinfo *phy,
                              const libxl_version_info *ver,
                              virNodeInfoPtr info);

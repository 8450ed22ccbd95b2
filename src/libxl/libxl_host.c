/*
 * libxl_host.c: the host resources a domain uses beside Xen's: the
 * virtual networks its interfaces plug into, the storage pools its
 * volumes come from, the secrets of its network disks, the ports of its
 * VNC and SPICE displays, and the leases of the lock manager
 *
 * Each comes from another libvirt driver of the same daemon (network,
 * storage, secret) or from libvirt's own infrastructure (port allocator,
 * lock manager plugin), as libvirt's drivers use them:
 *   prepare (before the build): the lease taken (paused), volumes
 *     translated to their paths, a port of the network allocated for each
 *     <interface type='network'>;
 *   build: the bridge of that port, the secrets, the display ports;
 *   resume (the domain exists): the lease runs;
 *   release (the domain stopped, or the start failed): the lease
 *     paused, the network ports and display ports given back;
 *   reconnect (a daemon restart under a running domain): the network
 *     driver told of its ports, the display ports marked used.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include "internal.h"
#include "datatypes.h"
#include "domain_conf.h"
#include "locking/domain_lock.h"
#include "virerror.h"
#include "virlog.h"
#include "viridentity.h"
#include "virsecret.h"
#include "virportallocator.h"
#include "libxl_domain.h"
#include "libxl_host.h"
#include "libxl_hostdev.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_host");

/* VNC and SPICE displays: libvirt's default range, as libxl's */
#define LIBXL_HOST_GRAPHICS_PORT_MIN 5900
#define LIBXL_HOST_GRAPHICS_PORT_MAX 65535


/*
 * libxlHostInit:
 * The display port range and the lock manager of libxl.conf's
 * lock_manager ("nop" without one: no leases).
 */
int
libxlHostInit(libxlDriverPrivate *driver)
{
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);

    if (!(driver->graphicsPorts = virPortAllocatorRangeNew(_("display"),
                                                          LIBXL_HOST_GRAPHICS_PORT_MIN,
                                                          LIBXL_HOST_GRAPHICS_PORT_MAX)))
        return -1;

    if (!(driver->migrationPorts = virPortAllocatorRangeNew(_("migration"),
                                                           cfg->migrationPortMin,
                                                           cfg->migrationPortMax)))
        return -1;

    if (!(driver->lockManager = virLockManagerPluginNew(cfg->lockManagerName ?
                                                        cfg->lockManagerName : "nop",
                                                        "libxl",
                                                        cfg->configBaseDir, 0)))
        return -1;
    return 0;
}


void
libxlHostCleanup(libxlDriverPrivate *driver)
{
    g_clear_pointer(&driver->lockManager, virLockManagerPluginUnref);
    g_clear_pointer(&driver->graphicsPorts, virPortAllocatorRangeFree);
    g_clear_pointer(&driver->migrationPorts, virPortAllocatorRangeFree);
}


/* A network disk's secret (ceph's), from the secret driver: as the
 * daemon itself, so that a private secret is given too. */
static int
libxlHostDiskSecret(virStorageSource *src,
                    uint8_t **secret,
                    size_t *secretlen,
                    void *opaque G_GNUC_UNUSED)
{
    VIR_IDENTITY_AUTORESTORE virIdentity *oldident = virIdentityElevateCurrent();
    g_autoptr(virConnect) conn = NULL;

    if (!oldident || !(conn = virGetConnectSecret()))
        return -1;
    return virSecretGetSecretString(conn, &src->auth->seclookupdef,
                                    VIR_SECRET_USAGE_TYPE_CEPH,
                                    secret, secretlen);
}


/* What the build takes from the host. */
void
libxlHostBuildParams(libxlDriverPrivate *driver, libxlBuildParams *params)
{
    params->graphicsPorts = driver->graphicsPorts;
    params->diskSecret = libxlHostDiskSecret;
    params->opaque = driver;
}


/* Give back the network ports of @def's interfaces. */
static void
libxlHostReleaseNets(virDomainDef *def)
{
    g_autoptr(virConnect) conn = NULL;
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        virDomainNetDef *net = def->nets[i];

        if (net->type != VIR_DOMAIN_NET_TYPE_NETWORK)
            continue;
        if (!conn && !(conn = virGetConnectNetwork())) {
            VIR_WARN("cannot release the network ports of domain '%s': %s",
                     def->name, virGetLastErrorMessage());
            virResetLastError();
            return;
        }
        virDomainNetReleaseActualDevice(conn, def, net);
    }
}


/* Give back the display ports the build took (autoport). */
static void
libxlHostReleaseGraphics(virDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        virDomainGraphicsDef *g = def->graphics[i];

        if (g->type == VIR_DOMAIN_GRAPHICS_TYPE_VNC && g->data.vnc.autoport &&
            g->data.vnc.port > 0) {
            virPortAllocatorRelease(g->data.vnc.port);
            g->data.vnc.port = -1;
        } else if (g->type == VIR_DOMAIN_GRAPHICS_TYPE_SPICE && g->data.spice.autoport) {
            if (g->data.spice.port > 0)
                virPortAllocatorRelease(g->data.spice.port);
            if (g->data.spice.tlsPort > 0)
                virPortAllocatorRelease(g->data.spice.tlsPort);
            g->data.spice.port = -1;
            g->data.spice.tlsPort = -1;
        }
    }
}


/*
 * libxlHostPrepare:
 * Before the build of @vm (locked, with a job): the lease, the volumes'
 * paths, a port of each virtual network.  On failure what was taken is
 * given back.
 */
int
libxlHostPrepare(libxlDriverPrivate *driver, virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;
    g_autoptr(virConnect) netconn = NULL;
    size_t i;

    if (virDomainLockProcessStart(driver->lockManager, "xen:///system", vm,
                                  true, NULL) < 0)
        return -1;
    priv->lockRunning = true;

    for (i = 0; i < vm->def->ndisks; i++) {
        if (virDomainDiskTranslateSourcePool(vm->def->disks[i]) < 0)
            goto error;
    }

    for (i = 0; i < vm->def->nnets; i++) {
        virDomainNetDef *net = vm->def->nets[i];

        if (net->type != VIR_DOMAIN_NET_TYPE_NETWORK)
            continue;
        if (!netconn && !(netconn = virGetConnectNetwork()))
            goto error;
        if (virDomainNetAllocateActualDevice(netconn, vm->def, net) < 0)
            goto error;
    }

    /* PCI devices: libxl_hostdev.c */
    if (libxlHostdevPrepare(driver, vm) < 0)
        goto error;
    return 0;

 error:
    {
        virErrorPtr saved;

        virErrorPreserveLast(&saved);
        libxlHostRelease(driver, vm);
        virErrorRestore(&saved);
    }
    return -1;
}


/* The domain exists: its lease runs. */
int
libxlHostResume(libxlDriverPrivate *driver, virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    if (virDomainLockProcessResume(driver->lockManager, "xen:///system", vm,
                                   priv->lockState) < 0)
        return -1;
    g_clear_pointer(&priv->lockState, g_free);
    return 0;
}


/*
 * libxlHostRelease:
 * @vm stopped (or its start failed): the lease paused, the network and
 * display ports given back.
 */
void
libxlHostRelease(libxlDriverPrivate *driver, virDomainObj *vm)
{
    libxlDomainObjPrivate *priv = vm->privateData;

    if (priv->lockRunning) {
        g_clear_pointer(&priv->lockState, g_free);
        if (virDomainLockProcessPause(driver->lockManager, vm, &priv->lockState) < 0) {
            VIR_WARN("cannot release the lease of domain '%s': %s",
                     vm->def->name, virGetLastErrorMessage());
            virResetLastError();
        }
        priv->lockRunning = false;
    }
    libxlHostReleaseNets(vm->def);
    libxlHostReleaseGraphics(vm->def);
    libxlHostdevRelease(driver, vm);
}


/*
 * libxlHostReconnect:
 * A daemon restarted under the running @vm: the network driver learns
 * of its ports again, its display ports are in use.
 */
void
libxlHostReconnect(libxlDriverPrivate *driver, virDomainObj *vm)
{
    g_autoptr(virConnect) conn = NULL;
    size_t i;

    for (i = 0; i < vm->def->nnets; i++) {
        virDomainNetDef *net = vm->def->nets[i];

        if (net->type != VIR_DOMAIN_NET_TYPE_NETWORK)
            continue;
        if (!conn && !(conn = virGetConnectNetwork()))
            break;
        virDomainNetNotifyActualDevice(conn, vm->def, net);
    }
    virResetLastError();

    for (i = 0; i < vm->def->ngraphics; i++) {
        virDomainGraphicsDef *g = vm->def->graphics[i];

        if (g->type == VIR_DOMAIN_GRAPHICS_TYPE_VNC && g->data.vnc.autoport) {
            virPortAllocatorSetUsed(g->data.vnc.port);
        } else if (g->type == VIR_DOMAIN_GRAPHICS_TYPE_SPICE && g->data.spice.autoport) {
            virPortAllocatorSetUsed(g->data.spice.port);
            virPortAllocatorSetUsed(g->data.spice.tlsPort);
        }
    }
    libxlHostdevReconnect(driver, vm);
}

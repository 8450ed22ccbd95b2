/*
 * xensimd-state.h: the simulated host: its shape, its domains, its
 * xenstore and the faults injected into it
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "xensimd-xenstore.h"

#define XENSIM_HWCAP_WORDS 8

/* The host's shape, as set by the config file and the command line. */
typedef struct _XensimHostConfig XensimHostConfig;
struct _XensimHostConfig {
    guint sockets;
    guint cores_per_socket;
    guint threads_per_core;
    guint cpus;                 /* total, if set: overrides cores_per_socket */
    guint nodes;
    guint64 memory_mib;
    guint64 xen_reserved_mib;   /* memory Xen keeps for itself */
    guint64 dom0_memory_mib;
    guint dom0_vcpus;
    guint cpu_mhz;
    char *xen_version;          /* "4.17.5": major.minor.extra */
    char *scheduler;            /* credit, credit2, rtds, arinc653, null */
    char *capabilities;
    char *commandline;
    char *hostname;
    guint32 hw_cap[XENSIM_HWCAP_WORDS];
    bool cap_hvm, cap_pv, cap_pvh, cap_hvm_directio, cap_hap, cap_shadow,
         cap_iommu_hap_pt_share, cap_vmtrace, cap_vpmu, cap_gnttab_v1,
         cap_gnttab_v2;
};

void xensimHostConfigInit(XensimHostConfig *cfg);
void xensimHostConfigDispose(XensimHostConfig *cfg);
int xensimHostConfigSet(XensimHostConfig *cfg, const char *key,
                        const char *value, char **err);
int xensimHostConfigLoad(XensimHostConfig *cfg, const char *file, char **err);
int xensimHostConfigCheck(XensimHostConfig *cfg, char **err);

/* Domain states, as libxl_dominfo reports them. */
typedef enum {
    XENSIM_DOMAIN_RUNNING,
    XENSIM_DOMAIN_BLOCKED,
    XENSIM_DOMAIN_PAUSED,
    XENSIM_DOMAIN_SHUTDOWN,
    XENSIM_DOMAIN_DYING,
} XensimDomainState;

typedef enum {
    XENSIM_DOMAIN_TYPE_HVM = 1,     /* libxl_domain_type values */
    XENSIM_DOMAIN_TYPE_PV = 2,
    XENSIM_DOMAIN_TYPE_PVH = 3,
} XensimDomainType;

typedef struct _XensimDomain XensimDomain;
struct _XensimDomain {
    guint32 domid;
    char *uuid;                 /* canonical text form */
    char *name;
    XensimDomainState state;
    int shutdown_reason;
    XensimDomainType type;
    guint64 max_memkb;
    guint64 current_memkb;
    guint64 target_memkb;
    guint max_vcpus;
    guint online_vcpus;
    gint64 start_time;          /* monotonic, microseconds */
    guint32 cpupool;
    int weight;
    int cap;
    GPtrArray *devices;         /* grows with device support */
    GHashTable *userdata;       /* libxl userdata: userid -> GBytes */
};

typedef struct _XensimFault XensimFault;
struct _XensimFault {
    int rc;
    int remaining;              /* calls still to fail; -1: all */
};

typedef struct _XensimState XensimState;
struct _XensimState {
    XensimHostConfig host;
    GHashTable *domains;        /* domid -> XensimDomain */
    XensimStore *store;
    GHashTable *faults;         /* entry point name -> XensimFault */
    guint32 next_domid;
};

XensimState *xensimStateNew(XensimHostConfig *host);
void xensimStateFree(XensimState *state);

guint64 xensimStateFreeMemKB(XensimState *state);
XensimDomain *xensimStateLookup(XensimState *state, guint32 domid);

GVariant *xensimStateDispatch(XensimState *state, GVariant *request);

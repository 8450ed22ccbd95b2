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
/* What HVM guests take beyond their memory (firmware, ACPI...): KiB */
#define XENSIM_HVM_EXTRA_MEMKB 2048

/* The host's shape, as set by the config file and the command line. */
typedef struct _XensimHostConfig XensimHostConfig;
struct _XensimHostConfig {
    guint sockets;
    guint cores_per_socket;
    guint threads_per_core;
    guint cpus;                 /* total, if set: overrides cores_per_socket */
    guint nodes;
    /* Memory, in KiB, each a whole number of 4 KiB pages. */
    guint64 memory_kib;         /* the RAM Xen manages: total_pages */
    guint64 memory_hole_kib;    /* non-RAM inside node 0's span */
    guint64 xen_reserved_kib;   /* memory Xen keeps for itself */
    bool xen_reserved_set;      /* else: memory / 128 + 7 MiB */
    guint64 dom0_memory_kib;
    guint dom0_vcpus;
    guint cpu_khz;
    guint cpu_load;             /* % of each online vCPU a running domain uses */
    guint uptime_s;             /* how long Domain-0 ran before xensimd started */
    char *xen_version;          /* "4.17.5": major.minor.extra */
    char *scheduler;            /* credit, credit2, rtds, arinc653, null */
    char *capabilities;
    char *commandline;
    char *hostname;
    guint32 hw_cap[XENSIM_HWCAP_WORDS];
    bool cap_hvm, cap_pv, cap_hvm_directio, cap_hap, cap_shadow,
         cap_iommu_hap_pt_share, cap_vmtrace, cap_vpmu, cap_gnttab_v1,
         cap_gnttab_v2;
    /* latencies and guest behaviour (xensimd-domain.c) */
    guint build_delay_ms;       /* libxl_domain_create_new: the build */
    guint build_ms_per_gib;     /* populating a domain's memory, per GiB:
                                 * in the initiating call, as libxl does */
    guint shutdown_delay_ms;    /* a guest's reaction to a shutdown request */
    guint destroy_delay_ms;     /* dying -> gone */
    guint console_delay_ms;     /* xenconsoled publishing console/tty */
    guint save_rate_mib_s;      /* save/restore streams */
    guint suspend_timeout_ms;   /* how long libxl waits for a guest to suspend */
    guint balloon_delay_ms;     /* a guest's balloon driver following its target */
    char *guest_ignore_shutdown;    /* name globs, space separated */
    char *guest_no_pv_drivers;      /* name globs: HVM guests without PV drivers */
    char *guest_build_delay;        /* "GLOB=MS ...": build_delay_ms by name */
    char *guest_shutdown_delay;     /* "GLOB=MS ...": shutdown_delay_ms by name */
    char *guest_no_ack;             /* name globs: never acknowledge requests */
    /* device I/O (xensimd-io.c) */
    guint io_read_iops;         /* read requests/s of a domain's first disk */
    guint io_write_iops;        /* write requests/s of its first disk */
    guint io_request_kib;       /* the size of each request */
    guint io_latency_us;        /* each request's service time (QMP *_total_time_ns) */
    bool netback;               /* veth pairs for vifs (needs CAP_NET_ADMIN) */
    guint net_rx_pps;           /* frames/s Domain-0 sends a guest's first nic */
    guint net_tx_pps;           /* frames/s the guest sends back */
    guint net_frame_bytes;      /* each frame's size */
    /* device hotplug (xensimd-hotplug.c) */
    guint hotplug_delay_ms;     /* a backend's or a frontend's reaction */
    guint libxl_destroy_timeout_ms; /* libxl's LIBXL_DESTROY_TIMEOUT */
    char *guest_keep_devices;   /* name globs: guests that keep their disks */
    char *pci_devices;              /* the host's PCI bus (xensimd-pci.c) */
    char *usb_devices;              /* its USB devices (xensimd-usb.c) */
};

void xensimHostConfigInit(XensimHostConfig *cfg);
void xensimHostConfigDispose(XensimHostConfig *cfg);
int xensimHostConfigSet(XensimHostConfig *cfg, const char *key,
                        const char *value, char **err);
int xensimHostConfigLoad(XensimHostConfig *cfg, const char *file, char **err);
int xensimHostConfigCheck(XensimHostConfig *cfg, char **err);
guint64 xensimHostConfigReservedDefault(guint64 memory_kib);

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

typedef struct _XensimState XensimState;
typedef struct _XensimConsole XensimConsole;
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
    guint64 *vcpu_time_ns;      /* CPU time each vCPU used up to cpu_since */
    gint64 cpu_since;           /* monotonic, microseconds */
    guint32 cpupool;
    int weight;                 /* credit, credit2 */
    int cap;
    /* vCPUs, scheduling, memory (xensimd-tune.c; made on first use) */
    guint8 *vcpu_up;            /* per vCPU: the guest has it up */
    guint8 *hard_affinity;      /* per vCPU, a CPU map of the host's size */
    guint8 *soft_affinity;
    bool auto_node_affinity;    /* else node_affinity, as set */
    guint64 node_affinity;
    guint *rt_period;           /* rtds, per vCPU: us */
    guint *rt_budget;
    guint8 *rt_extratime;
    guint balloon_timer;        /* the balloon driver's next step */
    guint64 video_memkb;        /* memory/videoram */
    guint64 fudge_kb;           /* build info's target less memory/target */
    guint64 hv_max_memkb;       /* the hypervisor's limit (max_pages); 0: max_memkb */
    GPtrArray *devices;         /* grows with device support */
    GHashTable *userdata;       /* libxl userdata: userid -> GBytes */
    /* domUs (xensimd-domain.c) */
    XensimState *owner;
    char *config_json;          /* libxl_domain_config as libxl gave it */
    char *kernel;
    bool building;              /* libxl_domain_create_new in progress */
    bool destroying;            /* libxl_domain_destroy in progress */
    char *build_token;          /* the creating ctx's event connection */
    guint64 build_op;
    GPtrArray *destroy_waiters; /* "token op" of the destroys that came
                                 * while one was in progress */
    guint build_timer;
    guint console_timer;
    guint guest_timer;          /* the guest's reaction to a request */
    guint destroy_timer;
    char *pending_request;      /* control/shutdown the guest will act on */
    guint read_idle;            /* the guest reads control/shutdown */
    GPtrArray *ack_waiters;     /* "token op": libxl waits for the ack */
    char *suspend_waiter;       /* "token op": libxl waits for the suspend */
    guint suspend_timer;        /* its deadline */
    bool no_ack;                /* never reads control/shutdown (hung) */
    bool booted;
    /* a domain restored from a stream: its guest was running already and
     * goes on where it was (each console's mode, "login" or "shell"), the
     * first unpause boots nothing */
    char **resume_modes;
    bool ignore_shutdown;
    bool pv_drivers;
    int shutdown_delay_ms;      /* -1: the host's */
    GPtrArray *consoles;        /* XensimConsole */
    GPtrArray *disks;           /* vdev names */
    GPtrArray *nics;            /* "devid mac bridge" */
    struct _XensimDomainIo *io; /* device model and netback (xensimd-io.c) */
    /* guest controls (xensimd-guest.c) */
    guint nmis;                 /* NMIs the guest took */
    GPtrArray *keys;            /* key combinations QEMU's keyboard got */
    guint screendumps;
};

typedef struct _XensimFault XensimFault;
struct _XensimFault {
    int rc;
    int remaining;              /* calls still to fail; -1: all */
};

struct _XensimState {
    XensimHostConfig host;
    GHashTable *domains;        /* domid -> XensimDomain */
    XensimStore *store;
    GHashTable *faults;         /* entry point name -> XensimFault */
    GHashTable *calls;          /* entry point name -> calls (guint64 *) */
    guint32 next_domid;
    gint64 started;             /* monotonic, us: uptime_s ago the host booted */
    guint64 *pcpu_busy_ns;      /* per CPU: what it ran (xensimd-tune.c) */
    GHashTable *subscribers;    /* event connection fd -> XensimSubscriber */
    void (*log)(void *opaque, const char *msg);
    void *log_opaque;
    char *root;                 /* DIR/root: sysfs statistics, QMP sockets */
    guint io_tick;              /* the counters' 1 s tick (xensimd-io.c) */
    guint io_slice;             /* the tick's work, a slice at a time */
    GArray *io_queue;           /* domids the tick has still to visit */
};

XensimState *xensimStateNew(XensimHostConfig *host);
void xensimStateFree(XensimState *state);

guint64 xensimStateFreeMemKB(XensimState *state);
XensimDomain *xensimStateLookup(XensimState *state, guint32 domid);

GVariant *xensimStateDispatch(XensimState *state, GVariant *request, int client_fd);
void xensimStateClientGone(XensimState *state, int client_fd);
void xensimStateLog(XensimState *state, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Requests: the handlers' view (xensimd-state.c, xensimd-domain.c). */
typedef struct {
    XensimState *state;
    const char *const *args;
    guint nargs;
    GVariantBuilder *records;
    char *message;
    int client_fd;
} XensimCall;

typedef struct {
    GVariantBuilder *records;
    GVariantBuilder rec;
} XensimRec;

void xensimRecOpen(XensimRec *r, GVariantBuilder *records);
void xensimRecClose(XensimRec *r);
void xensimRecU64(XensimRec *r, const char *key, guint64 v);
void xensimRecStr(XensimRec *r, const char *key, const char *v);
void xensimRecValue(XensimRec *r, const char *key, GVariant *v);
int xensimArgDomid(XensimCall *call, guint i, XensimDomain **dom);
void xensimDomainPublish(XensimState *state, XensimDomain *dom);
void xensimAddDominfo(XensimRec *r, XensimDomain *dom);
void xensimDomainCpuAccount(XensimDomain *dom);
guint64 xensimDomainVcpuTime(XensimDomain *dom, guint vcpu, gint64 now);
void xensimDomainSetState(XensimDomain *dom, XensimDomainState st);
void xensimDomainFree(gpointer data);

/* Domain lifecycle, guests and events (xensimd-domain.c) */
void xensimSubscriberFree(gpointer sub);
void xensimDomainStateChanged(XensimState *state, XensimDomain *dom);
void xensimDomainDispose(XensimDomain *dom);
int xensimCmdSubscribe(XensimCall *call);
int xensimCmdDomainWatch(XensimCall *call);
int xensimCmdDomainUnwatch(XensimCall *call);
int xensimCmdCreate(XensimCall *call);
int xensimCmdCreateAbort(XensimCall *call);
int xensimCmdHelperStart(XensimCall *call);
int xensimCmdDestroy(XensimCall *call);
int xensimCmdDomainKill(XensimCall *call);
int xensimCmdShutdown(XensimCall *call);
int xensimCmdReboot(XensimCall *call);
int xensimCmdSendTrigger(XensimCall *call);
int xensimCmdPause(XensimCall *call);
int xensimCmdUnpause(XensimCall *call);
int xensimCmdRename(XensimCall *call);
int xensimCmdRetrieveConfig(XensimCall *call);
int xensimCmdConsoleGetTty(XensimCall *call);
int xensimCmdGuestSet(XensimCall *call);
int xensimCmdGuestEvent(XensimCall *call);
int xensimCmdCoreDump(XensimCall *call);
int xensimCmdSuspend(XensimCall *call);
int xensimCmdResume(XensimCall *call);
int xensimCmdStreamRate(XensimCall *call);
void xensimStoreWritten(XensimState *state, const char *path, const char *value);

/* vCPUs, scheduling, memory (xensimd-tune.c) */
guint xensimTuneCpus(XensimState *state);
bool xensimTuneVcpuOnline(XensimDomain *dom, guint vcpu);
guint xensimTuneVcpuCpu(XensimDomain *dom, guint vcpu);
void xensimTunePcpuCharge(XensimDomain *dom, guint vcpu, guint64 ns);
void xensimTuneDomainFree(XensimDomain *dom);
void xensimTuneStoreWritten(XensimState *state, const char *path, const char *value);
int xensimTuneSchedSet(XensimCall *call, XensimDomain *dom, const char *sched,
                       const gint64 *p);
int xensimTuneCreate(XensimCall *call, XensimDomain *dom);
guint64 xensimTuneGoalKB(XensimDomain *dom);
guint64 xensimTuneMaxKB(XensimDomain *dom);
guint64 xensimTuneConfigTargetKB(XensimDomain *dom);
int xensimCmdSetMemoryTarget(XensimCall *call);
int xensimCmdSetMaxmem(XensimCall *call);
int xensimCmdGetCpuinfo(XensimCall *call);
int xensimCmdListVcpu(XensimCall *call);
int xensimCmdSetVcpuAffinity(XensimCall *call);
int xensimCmdSetNodeAffinity(XensimCall *call);
int xensimCmdGetNodeAffinity(XensimCall *call);
int xensimCmdSetVcpuonline(XensimCall *call);
int xensimCmdSchedParamsGet(XensimCall *call);
int xensimCmdSchedParamsSet(XensimCall *call);
int xensimCmdVcpuSchedGet(XensimCall *call);
int xensimCmdVcpuSchedSet(XensimCall *call);
int xensimCmdTune(XensimCall *call);

/* guest controls (xensimd-guest.c) */
void xensimGuestNmi(XensimDomain *dom);
void xensimGuestKeys(XensimDomain *dom, const char *combination);
int xensimGuestScreendump(XensimDomain *dom, const char *filename, char **error);
void xensimGuestSystemReset(XensimDomain *dom);
int xensimCmdControls(XensimCall *call);

/* Consoles: a pty per console with a simulated guest (xensimd-console.c) */
typedef enum {
    XENSIM_CONSOLE_PV,
    XENSIM_CONSOLE_SERIAL,
    XENSIM_CONSOLE_CHANNEL,
} XensimConsoleKind;

XensimConsole *xensimConsoleNew(XensimDomain *dom, XensimConsoleKind kind,
                                guint num, const char *name, char **err);
void xensimConsoleFree(gpointer console);
const char *xensimConsoleTty(XensimConsole *console);
XensimConsoleKind xensimConsoleKind(XensimConsole *console);
guint xensimConsoleNum(XensimConsole *console);
const char *xensimConsoleName(XensimConsole *console);
void xensimConsoleBoot(XensimConsole *console);
const char *xensimConsoleGuestMode(XensimConsole *console);
void xensimConsoleResume(XensimConsole *console, const char *mode);
void xensimConsoleShutdownText(XensimConsole *console, int reason);
/* what the guest does when a command asks for it */
void xensimGuestInitiate(XensimDomain *dom, int reason);

/* Device records and their I/O: blkback statistics, the device model's
 * QMP socket, netback vifs (xensimd-io.c) */
typedef enum {
    XENSIM_DEVICE_DISK,
    XENSIM_DEVICE_NIC,
} XensimDeviceKind;

typedef struct _XensimDevice XensimDevice;
struct _XensimDevice {
    XensimDeviceKind kind;
    guint index;                /* n-th device of its kind: rates x (n + 1) */
    int devid;                  /* disks: the Linux device number; nics: devid */
    char *vdev;                 /* disks: xvda, hda... */
    char *backend;              /* disks: phy, qdisk, tap; nics: vif */
    char *format;               /* disks: raw, qcow2, qcow, vhd, qed, empty */
    char *path;                 /* disks: pdev_path */
    bool cdrom;
    bool readonly;
    char *mac;                  /* nics */
    char *bridge;               /* nics: "" if none */
    /* running time the device did I/O through its PV backend and through
     * its emulated (device model) disk, up to io_since; io_path: where
     * its I/O went from io_since (0 nowhere, 1 PV backend, 2 emulated) */
    guint64 pv_us;
    guint64 emu_us;
    gint64 io_since;
    int io_path;
    char *vif;                  /* netback: the vif made, or NULL */
    char *vif_peer;             /* its guest end */
    gint64 net_since;           /* net frames sent up to here */
    guint64 net_rx_frames;      /* frames the guest received (vif tx) */
    guint64 net_tx_frames;      /* frames the guest sent (vif rx) */
    /* blkback's statistics files as last written (stats_written: the
     * files are there), so that a tick rewrites only those that moved */
    bool stats_written;
    guint64 stats[5];
};

/* The counters of a device at now. */
typedef struct {
    guint64 rd_req, wr_req, f_req, rd_sect, wr_sect;          /* PV backend */
    guint64 emu_rd_req, emu_wr_req, emu_f_req, emu_rd_sect, emu_wr_sect;
    guint64 rd_ns, wr_ns, f_ns, emu_rd_ns, emu_wr_ns, emu_f_ns;
} XensimDiskCounters;

XensimDevice *xensimDeviceParseDisk(const char *spec, guint index);
XensimDevice *xensimDeviceParseNic(const char *spec, guint index);
void xensimDeviceFree(gpointer dev);
bool xensimDomainHasDeviceModel(XensimDomain *dom);
void xensimDiskCounters(XensimDomain *dom, XensimDevice *dev, XensimDiskCounters *c);
char *xensimDiskEmulatedName(XensimDomain *dom, XensimDevice *dev);
char *xensimDiskQdiskNodeName(XensimDevice *dev);
void xensimIoDomainStart(XensimDomain *dom);
void xensimIoDeviceAdd(XensimDomain *dom, XensimDevice *dev);
void xensimIoDeviceRemove(XensimDomain *dom, XensimDevice *dev);
void xensimIoDomainStop(XensimDomain *dom);
void xensimIoDomainAccount(XensimDomain *dom);
void xensimIoStateDispose(XensimState *state);
int xensimCmdIoStats(XensimCall *call);

/* Device hotplug: the backends' and the guest's side of libxl's device
 * add and remove (xensimd-hotplug.c) */
void xensimOpComplete(XensimState *state, const char *token, guint64 op,
                      guint32 domid, int rc, const char *message);
void xensimHotplugConfigInit(XensimHostConfig *cfg);
void xensimHotplugConfigDispose(XensimHostConfig *cfg);
int xensimHotplugConfigSet(XensimHostConfig *cfg, const char *key,
                           const char *value, char **err);
void xensimHotplugAddPresent(XensimRec *r, XensimDomain *dom);
int xensimCmdDeviceAdd(XensimCall *call);
int xensimCmdDeviceRemove(XensimCall *call);
int xensimCmdDeviceDestroy(XensimCall *call);
int xensimCmdCdromInsert(XensimCall *call);

/* disk sizes (xensimd-guest.c) */
void xensimGuestDiskConnect(XensimDomain *dom, XensimDevice *dev);
void xensimGuestDiskCheck(XensimDomain *dom);
int xensimGuestBlockResize(XensimDomain *dom, XensimDevice *dev, gint64 bytes,
                           char **error);

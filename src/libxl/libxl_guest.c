/*
 * libxl_guest.c: the libxl driver's guest controls
 *
 *   send-key      the device model's keyboard (QMP send-key): an HVM
 *                 guest's emulated PS/2 keyboard, a PV guest's vkbd
 *                 (which QEMU serves only with a framebuffer, <graphics>)
 *   inject-nmi    libxl_send_trigger NMI: Xen makes an NMI pending on the
 *                 guest's vCPU 0, PV, PVH and HVM alike
 *   reset         an HVM guest: the device model's system_reset (QEMU's Xen
 *                 machine turns it into a reboot shutdown, which on_reboot
 *                 follows); PV/PVH: libxl's RESET trigger, which x86 Xen
 *                 does not implement: its refusal reaches the user
 *   screenshot    the device model's screendump (a PPM) streamed back
 *   domtime       refused: Xen guests have no guest agent channel
 *   set-lifecycle-action   on_poweroff/on_reboot/on_crash, live (the
 *                 driver carries the actions out itself) and config
 *   dompmsuspend  libxl_domain_suspend_only: the guest suspends itself (PV
 *                 drivers; the hypervisor suspends an HVM guest without
 *                 them) and stays in Xen's "suspend" shutdown, its memory
 *                 kept: state pmsuspended
 *   dompmwakeup   libxl_domain_resume, co-operative (the guest's suspend
 *                 call returns, as after a cancelled suspend)
 *   blockresize   a qdisk disk: the device model's block_resize of its
 *                 xen-block node (QEMU resizes the image and tells the
 *                 frontend through the backend's "sectors"); a blkback
 *                 disk (a file on a loop device): the file is resized and
 *                 the loop device's capacity set again, which blkback
 *                 notices and announces the same way
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <config.h>

#include <fcntl.h>
#include <unistd.h>

#include "internal.h"
#include "datatypes.h"
#include "viraccessapicheck.h"
#include "virerror.h"
#include "virfdstream.h"
#include "vircommand.h"
#include "virfile.h"
#include "virjson.h"
#include "virkeycode.h"
#include "virlog.h"
#include "virstring.h"
#include "libxl_conf.h"
#include "libxl_domain.h"
#include "libxl_guest.h"
#include "domain_event.h"
#include "libxl_logger.h"
#include "libxl_process.h"
#include "libxl_qmp.h"
#include "libxl_stats.h"

#define VIR_FROM_THIS VIR_FROM_LIBXL

VIR_LOG_INIT("libxl.libxl_guest");


/* ---- common --------------------------------------------------------- */

/*
 * libxlGuestBegin:
 * The opening of a control of the running guest @vm: the job, Domain-0
 * refused (@what names the operation), the domain running.
 */
static int
libxlGuestBegin(libxlDriverPrivate *driver,
                virDomainObj *vm,
                virDomainJob job,
                const char *what)
{
    if (libxlDomainObjBeginJob(driver, vm, job, what) < 0)
        return -1;

    if (vm->def->id == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("cannot %s Domain-0"), what);
        goto error;
    }
    if (virDomainObjCheckActive(vm) < 0)
        goto error;
    return 0;

 error:
    libxlDomainObjEndJob(vm);
    return -1;
}


/* Whether the device model of @vm serves a display and a keyboard: an
 * HVM guest's VGA and PS/2 keyboard, or a PV guest's framebuffer. */
static bool
libxlGuestHasDisplay(virDomainObj *vm)
{
    return vm->def->os.type == VIR_DOMAIN_OSTYPE_HVM || vm->def->ngraphics > 0;
}


/*
 * libxlGuestQmp:
 * Run @command (arguments *@args, consumed) on the device model of @vm,
 * with @vm unlocked (the caller holds its job): a device model answers
 * within LIBXL_QMP_TIMEOUT_MS, but no other caller waits for it.
 */
static int
libxlGuestQmp(virDomainObj *vm,
              const char *command,
              virJSONValue **args)
{
    int domid = vm->def->id;
    int rc;

    virObjectUnlock(vm);
    rc = libxlQmpRun(domid, command, args, NULL);
    virObjectLock(vm);
    return rc;
}


/* ---- send-key ------------------------------------------------------- */

/*
 * libxlDomainSendKeyWork:
 * The keys go to the device model as QEMU's numbers (qnum, the codes
 * QMP's send-key takes with type "number"), pressed together and held
 * @holdtime milliseconds (QEMU's default when 0).
 */
int
libxlDomainSendKeyWork(virDomainPtr dom,
                       unsigned int codeset,
                       unsigned int holdtime,
                       unsigned int *keycodes,
                       int nkeycodes,
                       unsigned int flags,
                       libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(virJSONValue) args = NULL;
    g_autoptr(virJSONValue) keys = NULL;
    virDomainObj *vm;
    size_t i;
    int ret = -1;

    virCheckFlags(0, -1);

    keys = virJSONValueNewArray();
    for (i = 0; i < nkeycodes; i++) {
        g_autoptr(virJSONValue) key = NULL;
        int qnum = keycodes[i];

        if (codeset != VIR_KEYCODE_SET_QNUM &&
            (qnum = virKeycodeValueTranslate(codeset, VIR_KEYCODE_SET_QNUM,
                                             keycodes[i])) < 0) {
            virReportError(VIR_ERR_INVALID_ARG,
                           _("cannot translate keycode %u of %s codeset to qnum keycode"),
                           keycodes[i], virKeycodeSetTypeToString(codeset));
            return -1;
        }
        if (virJSONValueObjectAdd(&key,
                                  "s:type", "number",
                                  "i:data", qnum,
                                  NULL) < 0 ||
            virJSONValueArrayAppend(keys, &key) < 0)
            return -1;
    }
    if (virJSONValueObjectAdd(&args,
                              "a:keys", &keys,
                              "p:hold-time", holdtime,
                              NULL) < 0)
        return -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlGuestBegin(driver, vm, VIR_JOB_MODIFY, "send keys to") < 0)
        goto cleanup;

    if (!libxlGuestHasDisplay(vm)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("domain '%s' has no keyboard to send keys to: Xen gives a PV or PVH guest one (vkbd) only with a framebuffer (<graphics>); its console is the way in"),
                       vm->def->name);
        goto endjob;
    }

    ret = libxlGuestQmp(vm, "send-key", &args);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- inject-nmi ----------------------------------------------------- */

int
libxlDomainInjectNMIWork(virDomainPtr dom, unsigned int flags,
                         libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_trigger trigger = LIBXL_TRIGGER_NMI;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlGuestBegin(driver, vm, VIR_JOB_MODIFY, "inject an NMI into") < 0)
        goto cleanup;

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "inject-nmi", libxlDomainAOTrigger,
                         &trigger) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("failed to inject an NMI into domain '%s'"),
                         vm->def->name);
        goto endjob;
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- reset ---------------------------------------------------------- */

/*
 * libxlDomainResetWork:
 * An HVM guest is reset by its device model, as a reset button would:
 * QEMU's Xen machine shuts the domain down for reboot, and the driver's
 * on_reboot handling restarts it (a new domain ID, as every Xen reboot).
 * A PV or PVH guest has no reset line: libxl's RESET trigger is asked,
 * and Xen's refusal (x86 implements none) is reported.
 */
int
libxlDomainResetWork(virDomainPtr dom, unsigned int flags,
                     libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    libxl_trigger trigger = LIBXL_TRIGGER_RESET;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlGuestBegin(driver, vm, VIR_JOB_MODIFY, "reset") < 0)
        goto cleanup;

    if (vm->def->os.type == VIR_DOMAIN_OSTYPE_HVM) {
        ret = libxlGuestQmp(vm, "system_reset", NULL);
        goto endjob;
    }

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "reset", libxlDomainAOTrigger,
                         &trigger) != 0) {
        libxlReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                         _("Xen cannot reset domain '%s': a %s guest has no reset line, libxl's reset trigger failed"),
                         vm->def->name,
                         vm->def->os.type == VIR_DOMAIN_OSTYPE_XENPVH ? "PVH" : "PV");
        goto endjob;
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- screenshot ----------------------------------------------------- */

/*
 * libxlDomainScreenshotWork:
 * The device model writes its display as a PPM to a file of the driver's
 * (QEMU runs as root in Domain-0, as libvirtd), which is streamed back
 * and removed.
 */
char *
libxlDomainScreenshotWork(virDomainPtr dom,
                          virStreamPtr st,
                          unsigned int screen,
                          unsigned int flags,
                          libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virJSONValue) args = NULL;
    g_autofree char *tmp = NULL;
    virDomainObj *vm;
    bool unlink_tmp = false;
    int fd = -1;
    char *ret = NULL;

    virCheckFlags(0, NULL);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlGuestBegin(driver, vm, VIR_JOB_QUERY, "take a screenshot of") < 0)
        goto cleanup;

    if (!libxlGuestHasDisplay(vm)) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("domain '%s' has no display to take a screenshot of: Xen gives a PV or PVH guest one only with a framebuffer (<graphics>)"),
                       vm->def->name);
        goto endjob;
    }
    if (screen != 0) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("domain '%s' has one screen, 0; there is no screen %u"),
                       vm->def->name, screen);
        goto endjob;
    }

    if (g_mkdir_with_parents(cfg->libDir, 0700) < 0) {
        virReportSystemError(errno, _("cannot create directory '%s'"), cfg->libDir);
        goto endjob;
    }
    tmp = g_strdup_printf("%s/screenshot-%s-XXXXXX", cfg->libDir, vm->def->name);
    if ((fd = g_mkstemp_full(tmp, O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR)) < 0) {
        virReportSystemError(errno, _("cannot create a file for the screenshot in '%s'"),
                             cfg->libDir);
        goto endjob;
    }
    unlink_tmp = true;

    if (virJSONValueObjectAdd(&args, "s:filename", tmp, NULL) < 0 ||
        libxlGuestQmp(vm, "screendump", &args) < 0)
        goto endjob;

    if (virFDStreamOpenFile(st, tmp, 0, 0, O_RDONLY) < 0) {
        virReportError(VIR_ERR_OPERATION_FAILED, "%s",
                       _("cannot stream the screenshot"));
        goto endjob;
    }
    ret = g_strdup("image/x-portable-pixmap");

 endjob:
    VIR_FORCE_CLOSE(fd);
    if (unlink_tmp)
        unlink(tmp);
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- domtime -------------------------------------------------------- */

/*
 * libxlGuestTimeRefuse:
 * domtime (get with @set false, set with @set true) after the entry
 * point's ACL check @aclCheck.
 * A guest's clock is read and set by libvirt through a guest agent;
 * Xen guests have no channel for one (the domain's wallclock that Xen
 * keeps is not the guest OS's clock, which has drifted from it).
 */
int
libxlGuestTimeRefuse(virDomainPtr dom, bool set, unsigned int flags,
                     unsigned int allowed, libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(allowed, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        return -1;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (virDomainObjCheckActive(vm) < 0)
        goto cleanup;

    virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                   set ? _("cannot set the time of domain '%s': that needs a guest agent, and Xen guests have no guest agent channel") :
                         _("cannot read the time of domain '%s': that needs a guest agent, and Xen guests have no guest agent channel"),
                   vm->def->name);

 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- set-lifecycle-action ------------------------------------------- */

static void
libxlGuestLifecycleSet(virDomainDef *def,
                       virDomainLifecycle type,
                       virDomainLifecycleAction action)
{
    switch (type) {
    case VIR_DOMAIN_LIFECYCLE_POWEROFF:
        def->onPoweroff = action;
        break;
    case VIR_DOMAIN_LIFECYCLE_REBOOT:
        def->onReboot = action;
        break;
    case VIR_DOMAIN_LIFECYCLE_CRASH:
        def->onCrash = action;
        break;
    case VIR_DOMAIN_LIFECYCLE_LAST:
        break;
    }
}


/*
 * libxlDomainSetLifecycleActionWork:
 * The driver carries out on_poweroff, on_reboot and on_crash itself when
 * libxl reports the guest's shutdown (libxl_process.c), from the live
 * definition: a live change takes effect at the guest's next shutdown.
 */
int
libxlDomainSetLifecycleActionWork(virDomainPtr dom,
                                  unsigned int type,
                                  unsigned int action,
                                  unsigned int flags,
                                  libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    g_autoptr(virDomainDef) newDef = NULL;
    virDomainDef *def = NULL;
    virDomainDef *persistentDef = NULL;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);

    if (!virDomainDefLifecycleActionAllowed(type, action))
        return -1;

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlDomainObjBeginJob(driver, vm, VIR_JOB_MODIFY, "set-lifecycle-action") < 0)
        goto cleanup;

    if (virDomainObjGetDefs(vm, flags, &def, &persistentDef) < 0)
        goto endjob;

    if (def && def->id == 0) {
        virReportError(VIR_ERR_OPERATION_INVALID, "%s",
                       _("cannot change the lifecycle actions of Domain-0"));
        goto endjob;
    }

    if (persistentDef) {
        if (!(newDef = virDomainDefCopy(persistentDef, driver->xmlopt, NULL, false)))
            goto endjob;
        libxlGuestLifecycleSet(newDef, type, action);
        if (virDomainDefSave(newDef, driver->xmlopt, cfg->configDir) < 0)
            goto endjob;
    }

    if (def) {
        libxlGuestLifecycleSet(def, type, action);
        libxlDomainSaveStatus(driver, vm);
    }

    if (newDef) {
        if (vm->newDef == persistentDef) {
            virDomainDefFree(vm->newDef);
            vm->newDef = g_steal_pointer(&newDef);
        } else {
            virDomainDefFree(vm->def);
            vm->def = g_steal_pointer(&newDef);
        }
    }
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- dompmsuspend, dompmwakeup -------------------------------------- */

static int
libxlGuestSuspendOnlyFunc(libxl_ctx *ctx, uint32_t domid,
                          const libxl_asyncop_how *how, void *opaque G_GNUC_UNUSED)
{
    return libxl_domain_suspend_only(ctx, domid, how);
}


/*
 * libxlDomainPMSuspendForDurationWork:
 * Xen's suspend keeps the guest's memory in the suspended domain: the
 * "mem" target.  The guest's own suspend of that kind (a shutdown with
 * reason suspend) ends in the same state (libxl_process.c).
 */
int
libxlDomainPMSuspendForDurationWork(virDomainPtr dom,
                                    unsigned int target,
                                    unsigned long long duration,
                                    unsigned int flags,
                                    libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virObjectEvent *event;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (target != VIR_NODE_SUSPEND_TARGET_MEM) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("Xen suspends a guest to memory only (target 'mem'); to disk, use save or managedsave"));
        return -1;
    }
    if (duration != 0) {
        virReportError(VIR_ERR_ARGUMENT_UNSUPPORTED, "%s",
                       _("Xen has no wakeup timer for a suspended guest: the duration must be 0"));
        return -1;
    }

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlGuestBegin(driver, vm, VIR_JOB_MODIFY, "suspend") < 0)
        goto cleanup;

    if (virDomainObjGetState(vm, NULL) != VIR_DOMAIN_RUNNING) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not running"), vm->def->name);
        goto endjob;
    }

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "pmsuspend", libxlGuestSuspendOnlyFunc,
                         NULL) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("failed to suspend domain '%s' to memory"),
                         vm->def->name);
        goto endjob;
    }

    virDomainObjSetState(vm, VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN);
    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_PMSUSPENDED,
                                              VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY);
    libxlProcessQueueEvent(driver, event);
    libxlProcessQueueEvent(driver, virDomainEventPMSuspendNewFromObj(vm));
    libxlDomainSaveStatus(driver, vm);
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


int
libxlDomainPMWakeupWork(virDomainPtr dom, unsigned int flags,
                        libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(libxlDriverConfig) cfg = libxlDriverConfigGet(driver);
    virObjectEvent *event;
    virDomainObj *vm;
    int ret = -1;

    virCheckFlags(0, -1);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlGuestBegin(driver, vm, VIR_JOB_MODIFY, "wake up") < 0)
        goto cleanup;

    if (virDomainObjGetState(vm, NULL) != VIR_DOMAIN_PMSUSPENDED) {
        virReportError(VIR_ERR_OPERATION_INVALID,
                       _("domain '%s' is not suspended"), vm->def->name);
        goto endjob;
    }

    libxlLoggerResetLastError();
    if (libxlDomainAORun(vm, cfg->ctx, "pmwakeup", libxlDomainAOResume,
                         NULL) != 0) {
        libxlReportError(VIR_ERR_OPERATION_FAILED,
                         _("failed to wake up domain '%s'"), vm->def->name);
        goto endjob;
    }

    /* the death watch reported the suspend: its next shutdown needs a
     * new one */
    if (libxlProcessRewatchDeath(driver, vm) < 0)
        VIR_WARN("cannot watch domain '%s' again: %s", vm->def->name,
                 virGetLastErrorMessage());

    virDomainObjSetState(vm, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_WAKEUP);
    event = virDomainEventLifecycleNewFromObj(vm, VIR_DOMAIN_EVENT_STARTED,
                                              VIR_DOMAIN_EVENT_STARTED_WAKEUP);
    libxlProcessQueueEvent(driver, event);
    libxlProcessQueueEvent(driver, virDomainEventPMWakeupNewFromObj(vm));
    libxlDomainSaveStatus(driver, vm);
    ret = 0;

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}


/* ---- blockresize ---------------------------------------------------- */

/*
 * libxlGuestDiskIsBlkback:
 * Whether blkback serves disk @dst of the running domain @domid: it has
 * a vbd in Domain-0's sysfs (QEMU's qdisk backend has none).
 */
static bool
libxlGuestDiskIsBlkback(int domid, const char *dst)
{
    g_autofree char *dir = NULL;
    int devid = libxlStatsDiskDevid(dst);

    if (devid < 0)
        return false;
    dir = g_strdup_printf("/sys/bus/xen-backend/devices/vbd-%d-%d", domid, devid);
    return virFileIsDir(dir);
}


/* QEMU's xen-block node of disk @dst: its block_resize target. */
static char *
libxlGuestQdiskNode(int domid, const char *dst)
{
    libxlQmpBlockStats *stats = NULL;
    size_t nstats = 0, i;
    char *node = NULL;

    if (libxlQmpQueryBlockStats(domid, &stats, &nstats) < 0)
        return NULL;
    for (i = 0; i < nstats; i++) {
        /* an emulated IDE drive has an index; xen-block's node has none */
        if (stats[i].ideIndex < 0 && STREQ(stats[i].target, dst)) {
            node = g_strdup(stats[i].device);
            break;
        }
    }
    libxlQmpBlockStatsFree(stats, nstats);
    if (!node)
        virReportError(VIR_ERR_OPERATION_FAILED,
                       _("the device model of domain %d serves no disk '%s'"),
                       domid, dst);
    return node;
}


/*
 * The blkback path: @file to @size bytes, then each loop device over it
 * told its new capacity (losetup -c), as blkback reads the size of the
 * block device it serves.
 */
static int
libxlGuestResizeBlkback(const char *file, unsigned long long size)
{
    g_autoptr(virCommand) cmd = NULL;
    g_autofree char *out = NULL;
    g_auto(GStrv) lines = NULL;
    size_t i;

    if (truncate(file, size) < 0) {
        virReportSystemError(errno, _("cannot resize '%s' to %llu bytes"), file, size);
        return -1;
    }

    cmd = virCommandNewArgList("losetup", "-j", file, NULL);
    virCommandSetOutputBuffer(cmd, &out);
    if (virCommandRun(cmd, NULL) < 0)
        return -1;
    lines = g_strsplit(out ? out : "", "\n", 0);
    for (i = 0; lines[i]; i++) {
        g_autoptr(virCommand) setcap = NULL;
        char *colon = strchr(lines[i], ':');

        if (!g_str_has_prefix(lines[i], "/dev/loop") || !colon)
            continue;
        *colon = '\0';
        setcap = virCommandNewArgList("losetup", "-c", lines[i], NULL);
        if (virCommandRun(setcap, NULL) < 0)
            return -1;
    }
    return 0;
}


/*
 * libxlDomainBlockResizeWork:
 * A file disk of the running domain grows or shrinks to @size (KiB, or
 * bytes with VIR_DOMAIN_BLOCK_RESIZE_BYTES; rounded up to 512 bytes,
 * the sectors the backends count in).
 */
int
libxlDomainBlockResizeWork(virDomainPtr dom,
                           const char *path,
                           unsigned long long size,
                           unsigned int flags,
                           libxlGuestACLCheck aclCheck)
{
    libxlDriverPrivate *driver = dom->conn->privateData;
    g_autoptr(virJSONValue) args = NULL;
    g_autofree char *node = NULL;
    g_autofree char *file = NULL;
    virDomainDiskDef *disk;
    virDomainObj *vm;
    int domid;
    int ret = -1;

    virCheckFlags(VIR_DOMAIN_BLOCK_RESIZE_BYTES, -1);

    if (!(flags & VIR_DOMAIN_BLOCK_RESIZE_BYTES)) {
        if (size > ULLONG_MAX / 1024) {
            virReportError(VIR_ERR_OVERFLOW,
                           _("size must be less than %llu KiB"), ULLONG_MAX / 1024);
            return -1;
        }
        size *= 1024;
    }
    size = VIR_ROUND_UP(size, 512);

    if (!(vm = libxlDomainObjFromDomain(driver, dom)))
        goto cleanup;

    if (aclCheck(dom->conn, vm->def) < 0)
        goto cleanup;

    if (libxlGuestBegin(driver, vm, VIR_JOB_MODIFY, "resize a disk of") < 0)
        goto cleanup;

    if (!(disk = virDomainDiskByName(vm->def, path, false))) {
        virReportError(VIR_ERR_INVALID_ARG,
                       _("domain '%s' has no disk '%s'"), vm->def->name, path);
        goto endjob;
    }
    if (disk->device != VIR_DOMAIN_DISK_DEVICE_DISK || disk->src->readonly) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk '%s' of domain '%s' is a read-only %s: it cannot be resized"),
                       disk->dst, vm->def->name,
                       virDomainDiskDeviceTypeToString(disk->device));
        goto endjob;
    }
    if (virDomainDiskGetType(disk) != VIR_STORAGE_TYPE_FILE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk '%s' of domain '%s' is a %s, not a file: resize it where it lives (blkback follows a block device's new size)"),
                       disk->dst, vm->def->name,
                       virStorageTypeToString(virDomainDiskGetType(disk)));
        goto endjob;
    }

    domid = vm->def->id;
    file = g_strdup(virDomainDiskGetSource(disk));

    if (!libxlGuestDiskIsBlkback(domid, disk->dst)) {
        if (!(node = libxlGuestQdiskNode(domid, disk->dst)) ||
            virJSONValueObjectAdd(&args,
                                  "s:node-name", node,
                                  "U:size", size,
                                  NULL) < 0)
            goto endjob;
        ret = libxlGuestQmp(vm, "block_resize", &args);
        goto endjob;
    }

    if (virDomainDiskGetFormat(disk) != VIR_STORAGE_FILE_RAW &&
        virDomainDiskGetFormat(disk) != VIR_STORAGE_FILE_NONE) {
        virReportError(VIR_ERR_OPERATION_UNSUPPORTED,
                       _("disk '%s' of domain '%s': blkback serves raw images only"),
                       disk->dst, vm->def->name);
        goto endjob;
    }
    virObjectUnlock(vm);
    ret = libxlGuestResizeBlkback(file, size);
    virObjectLock(vm);

 endjob:
    libxlDomainObjEndJob(vm);
 cleanup:
    virDomainObjEndAPI(&vm);
    return ret;
}

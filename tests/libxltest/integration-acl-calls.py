#!/usr/bin/env python3
# tests/libxltest/integration-acl-calls.py: access control of every entry point of
# the driver (issue 17, item 7), run by integration-acl.sh against a sandbox
# it prepared (see there for the guests it defines).
#
#   integration-acl-calls.py list
#       the entry points of the module's virHypervisorDriver table, each with
#       the public API that reaches it, whether libvirt refuses it on a
#       read-only connection and the permissions remote_protocol.x names
#   integration-acl-calls.py ro URI RO_SOCKET WORK
#       every entry point called on a read-only connection (opened read-only,
#       and opened plainly on the read-only socket: the daemon's own check):
#       mutating ones refused with VIR_ERR_OPERATION_DENIED and nothing
#       changed, the others answered
#   integration-acl-calls.py polkit URI WORK RULES_FILE POLKIT_LOG
#       (as a user polkit is asked about; the caller runs it as 'nobody')
#       every entry point called under a rule that denies libvirt's actions:
#       VIR_ERR_ACCESS_DENIED, polkit asked for a permission remote_protocol.x
#       names for it, nothing changed; then under one that allows them: no
#       refusal, the permission asked again
#
# The entry points are read from the driver table in src/libxl/libxl_driver.c,
# not listed here: CALLS below says how to reach each one, and an entry point
# it does not know fails the test.  Output is TAP.
import os
import re
import sys
import time

import libvirt

top_srcdir = os.environ.get("top_srcdir", ".")
lsrc = os.environ.get("LIBVIRT_SRC") or os.path.join(top_srcdir, ".libvirt-src/libvirt-9.0.0")

n_tests = 0
n_fail = 0


def tap(ok, desc, detail=None):
    global n_tests, n_fail
    n_tests += 1
    if not ok:
        n_fail += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n_tests, desc), flush=True)
    if not ok and detail:
        for line in str(detail).splitlines():
            print("#   " + line, flush=True)


def note(msg):
    print("# " + msg, flush=True)


# --- what the sources say -------------------------------------------------

def driver_table():
    """The fields of libxlHypervisorDriver, in the order of the table."""
    src = open(os.path.join(top_srcdir, "src/libxl/libxl_driver.c")).read()
    m = re.search(r"static virHypervisorDriver libxlHypervisorDriver = \{(.*?)\n\};", src, re.S)
    if not m:
        raise SystemExit("Bail out! no libxlHypervisorDriver table in libxl_driver.c")
    return re.findall(r"^\s*\.(\w+)\s*=\s*libxl\w+,", m.group(1), re.M)


def public_callers():
    """field -> (public API function, refused on a read-only connection)."""
    out = {}
    for f in ("libvirt-domain.c", "libvirt-host.c", "libvirt-domain-snapshot.c",
              "libvirt-nodedev.c", "libvirt.c"):
        text = open(os.path.join(lsrc, "src", f)).read()
        # each function: from its name at the start of a line to the next
        chunks = re.split(r"^(?=(?:[a-z]\w*\s+\**)?vir\w+\()", text, flags=re.M)
        for chunk in chunks:
            m = re.match(r"(?:[a-z]\w*\s+\**)?(vir\w+)\(", chunk)
            if not m:
                continue
            # refused read-only whatever the arguments; a check under an
            # 'if' (a flag, an agent source) does not concern the call made
            name = m.group(1)
            ro = re.search(r"^\s*virCheckReadOnlyGoto", chunk, re.M) is not None and \
                re.search(r"if \([^\n]*\)\s*\n\s*virCheckReadOnlyGoto", chunk) is None
            for field in re.findall(r"->driver->(\w+)\s*\(", chunk):
                # the public call refused read-only, if there is one
                if field not in out or (ro and not out[field][1]):
                    out[field] = (name, ro)
    # virConnectOpen and virConnectClose reach the module through
    # virConnectOpenInternal and the connection's disposal
    out.setdefault("connectOpen", ("virConnectOpen", False))
    out.setdefault("connectClose", ("virConnectClose", False))
    return out


def proc_acls():
    """normalised procedure name -> [(object, perm, condition)]."""
    text = open(os.path.join(lsrc, "src/remote/remote_protocol.x")).read()
    acls = {}
    for m in re.finditer(r"/\*\*((?:(?!\*/).)*)\*/\s*REMOTE_PROC_(\w+)\s*=", text, re.S):
        comment, proc = m.group(1), m.group(2)
        lst = []
        for a in re.findall(r"@acl:\s*(\S+)", comment):
            parts = a.split(":")
            if len(parts) < 2:
                continue
            lst.append((parts[0], parts[1], ":".join(parts[2:])))
        acls[proc.replace("_", "")] = lst
    return acls


def expected_actions(field, acls):
    lst = acls.get(field.upper())
    if lst is None:
        return None
    return ["org.libvirt.api.%s.%s" % (o.replace("_", "-"), p.replace("_", "-")) for o, p, _ in lst]


# --- how to reach each entry point ----------------------------------------
#
# Each call takes the context (connection, guests' handles as that connection
# sees them) and makes the one public call that reaches the entry point.
# 'acl-run' runs, 'acl-off' is defined and shut off with two snapshots
# (s0, s1: s1 the current one, child of s0), 'acl-ms' has a managed save
# image, WORK/acl-img.save is a save image (of 'acl-img', undefined).

def dev_disk(c):
    return ("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
            "<source file='%s/extra.img'/><target dev='xvdc' bus='xen'/></disk>" % c.work)


def cpu_xml():
    return "<cpu mode='custom' match='exact'><model fallback='allow'>qemu64</model></cpu>"


def host_cpu_xml():
    return "<cpu><arch>x86_64</arch><model>qemu64</model></cpu>"


def new_xml(c, name):
    x = c.off_xml
    x = re.sub(r"<name>[^<]*</name>", "<name>%s</name>" % name, x, 1)
    x = re.sub(r"\s*<uuid>[^<]*</uuid>", "", x, 1)
    return x


def open_console(c):
    st = c.conn.newStream(0)
    try:
        c.run.openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
    finally:
        try:
            st.abort()
        except libvirt.libvirtError:
            pass


def screenshot(c):
    st = c.conn.newStream(0)
    try:
        c.run.screenshot(st, 0, 0)
    finally:
        try:
            st.abort()
        except libvirt.libvirtError:
            pass


def event_cb(*args):
    pass


def legacy_register(c):
    c.conn.domainEventRegister(event_cb, None)
    c.conn.domainEventDeregister(event_cb)


def legacy_deregister(c):
    # deregistering needs a registration: made beforehand (prep_events)
    c.conn.domainEventDeregister(event_cb)
    c.legacy = False


def deregister_any(c):
    # the registration made beforehand (prep_events) or, once that one is
    # gone, a new one for an event no other callback watches
    if c.evid is None:
        c.evid = c.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_IO_ERROR,
                                               event_cb, None)
    try:
        c.conn.domainEventDeregisterAny(c.evid)
    finally:
        c.evid = None


def prep_events(c):
    """The registration the deregistering call undoes: made once."""
    if not getattr(c, "events_prepared", False):
        c.evid = c.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, event_cb, None)
        c.events_prepared = True


def register_any(c):
    # an event no other callback of the connection watches: the client asks
    # the daemon only for the first callback of an event
    i = c.conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_RTC_CHANGE, event_cb, None)
    c.conn.domainEventDeregisterAny(i)


def messages(c):
    f = getattr(c.run, "getMessages", None) or getattr(c.run, "messages")
    return f(0)


def nodedev(c):
    return c.nodedev


CALLS = {
    "connectOpen": lambda c: libvirt.open(c.uri).close(),
    "connectClose": lambda c: libvirt.open(c.uri).close(),
    "connectGetType": lambda c: c.conn.getType(),
    "connectGetVersion": lambda c: c.conn.getVersion(),
    "connectGetHostname": lambda c: c.conn.getHostname(),
    "connectGetSysinfo": lambda c: c.conn.getSysinfo(0),
    "connectGetMaxVcpus": lambda c: c.conn.getMaxVcpus(None),
    "nodeGetInfo": lambda c: c.conn.getInfo(),
    "connectGetCapabilities": lambda c: c.conn.getCapabilities(),
    "connectDomainXMLFromNative": lambda c: c.conn.domainXMLFromNative(
        "xen-xl", 'name = "native"\nmemory = 64\nkernel = "%s/vmlinuz"\n' % c.work, 0),
    "connectDomainXMLToNative": lambda c: c.conn.domainXMLToNative("xen-xl", c.off_xml, 0),
    "connectListDomains": lambda c: c.conn.listDomainsID(),
    "connectNumOfDomains": lambda c: c.conn.numOfDomains(),
    "connectListAllDomains": lambda c: c.conn.listAllDomains(0),
    "domainLookupByID": lambda c: c.conn.lookupByID(c.run_id),
    "domainLookupByUUID": lambda c: c.conn.lookupByUUID(c.run_uuid),
    "domainLookupByName": lambda c: c.conn.lookupByName("acl-run"),
    "domainGetOSType": lambda c: c.run.OSType(),
    "domainGetMessages": messages,
    "domainGetMaxMemory": lambda c: c.run.maxMemory(),
    "domainGetInfo": lambda c: c.run.info(),
    "domainGetState": lambda c: c.run.state(0),
    "domainGetXMLDesc": lambda c: c.run.XMLDesc(0),
    "connectListDefinedDomains": lambda c: c.conn.listDefinedDomains(),
    "connectNumOfDefinedDomains": lambda c: c.conn.numOfDefinedDomains(),
    "domainGetAutostart": lambda c: c.off.autostart(),
    "nodeGetCellsFreeMemory": lambda c: c.conn.getCellsFreeMemory(0, 1),
    "nodeGetFreeMemory": lambda c: c.conn.getFreeMemory(),
    "nodeGetSecurityModel": lambda c: c.conn.getSecurityModel(),
    "domainHasManagedSaveImage": lambda c: c.ms.hasManagedSaveImage(0),
    "domainSave": lambda c: c.run.save(c.work + "/acl-out.save"),
    "domainSaveFlags": lambda c: c.run.saveFlags(c.work + "/acl-out.save", None, 0),
    "domainRestore": lambda c: c.conn.restore(c.work + "/acl-img.save"),
    "domainRestoreFlags": lambda c: c.conn.restoreFlags(c.work + "/acl-img.save", None, 0),
    "domainSaveImageGetXMLDesc": lambda c: c.conn.saveImageGetXMLDesc(c.work + "/acl-img.save", 0),
    "domainSaveImageDefineXML": lambda c: c.conn.saveImageDefineXML(
        c.work + "/acl-img.save", c.conn.saveImageGetXMLDesc(c.work + "/acl-img.save", 0)
        if c.mode == "ro" else c.img_xml, 0),
    "domainManagedSave": lambda c: c.run.managedSave(0),
    "domainManagedSaveRemove": lambda c: c.ms.managedSaveRemove(0),
    "domainManagedSaveGetXMLDesc": lambda c: c.ms.managedSaveGetXMLDesc(0),
    "domainManagedSaveDefineXML": lambda c: c.ms.managedSaveDefineXML(c.ms_xml, 0),
    "domainSnapshotCreateXML": lambda c: c.off.snapshotCreateXML(
        "<domainsnapshot><name>s9</name></domainsnapshot>", 0),
    "domainSnapshotGetXMLDesc": lambda c: c.snap.getXMLDesc(0),
    "domainSnapshotNum": lambda c: c.off.snapshotNum(0),
    "domainSnapshotListNames": lambda c: c.off.snapshotListNames(0),
    "domainListAllSnapshots": lambda c: c.off.listAllSnapshots(0),
    "domainSnapshotNumChildren": lambda c: c.snap.numChildren(0),
    "domainSnapshotListChildrenNames": lambda c: c.snap.listChildrenNames(0),
    "domainSnapshotListAllChildren": lambda c: c.snap.listAllChildren(0),
    "domainSnapshotLookupByName": lambda c: c.off.snapshotLookupByName("s1", 0),
    "domainHasCurrentSnapshot": lambda c: c.off.hasCurrentSnapshot(0),
    "domainSnapshotGetParent": lambda c: c.snap.getParent(0),
    "domainSnapshotCurrent": lambda c: c.off.snapshotCurrent(0),
    "domainSnapshotIsCurrent": lambda c: c.snap.isCurrent(0),
    "domainSnapshotHasMetadata": lambda c: c.snap.hasMetadata(0),
    "domainRevertToSnapshot": lambda c: c.off.revertToSnapshot(c.snap, 0),
    "domainSnapshotDelete": lambda c: c.snap.delete(0),
    "domainCoreDump": lambda c: c.run.coreDump(c.work + "/acl-out.core", 0),
    "domainCoreDumpWithFormat": lambda c: c.run.coreDumpWithFormat(c.work + "/acl-out.core", 0, 0),
    "connectIsEncrypted": lambda c: c.conn.isEncrypted(),
    "connectIsSecure": lambda c: c.conn.isSecure(),
    "domainIsActive": lambda c: c.run.isActive(),
    "domainIsPersistent": lambda c: c.run.isPersistent(),
    "domainIsUpdated": lambda c: c.run.isUpdated(),
    "connectIsAlive": lambda c: c.conn.isAlive(),
    # the client asks the daemon whether the destination supports
    # parameters before a migration to it
    "connectSupportsFeature": lambda c: c.run.migrate3(c.conn, {}, libvirt.VIR_MIGRATE_LIVE),
    "nodeGetCPUMap": lambda c: c.conn.getCPUMap(0),
    "connectGetDomainCapabilities": lambda c: c.conn.getDomainCapabilities(None, None, None, None, 0),
    "connectCompareCPU": lambda c: c.conn.compareCPU(cpu_xml(), 0),
    "connectBaselineCPU": lambda c: c.conn.baselineCPU([host_cpu_xml()], 0),
    "domainCreateXML": lambda c: c.conn.createXML(new_xml(c, "acl-new"), 0),
    "domainSuspend": lambda c: c.run.suspend(),
    "domainResume": lambda c: c.run.resume(),
    "domainShutdown": lambda c: c.run.shutdown(),
    "domainShutdownFlags": lambda c: c.run.shutdownFlags(0),
    "domainReboot": lambda c: c.run.reboot(0),
    "domainDestroy": lambda c: c.run.destroy(),
    "domainDestroyFlags": lambda c: c.run.destroyFlags(0),
    "domainCreate": lambda c: c.off.create(),
    "domainCreateWithFlags": lambda c: c.off.createWithFlags(0),
    "domainDefineXML": lambda c: c.conn.defineXML(new_xml(c, "acl-new")),
    "domainDefineXMLFlags": lambda c: c.conn.defineXMLFlags(new_xml(c, "acl-new"), 0),
    "domainUndefine": lambda c: c.off.undefine(),
    "domainUndefineFlags": lambda c: c.off.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA),
    "domainRename": lambda c: c.ms.rename("acl-renamed", 0),
    "domainSetAutostart": lambda c: c.off.setAutostart(1),
    "domainOpenConsole": open_console,
    "connectDomainEventRegister": legacy_register,
    "connectDomainEventDeregister": legacy_deregister,
    "connectDomainEventRegisterAny": register_any,
    "connectDomainEventDeregisterAny": deregister_any,
    "domainGetJobInfo": lambda c: c.run.jobInfo(),
    "domainGetJobStats": lambda c: c.run.jobStats(0),
    "domainAbortJob": lambda c: c.run.abortJob(),
    # a migration to the same daemon: the source's Begin (non-p2p) and
    # Perform (p2p) are reached from here; Prepare, Finish and Confirm only
    # by a migration between two daemons (integration-migrate.sh)
    "domainMigrateBegin3Params": lambda c: c.run.migrate3(c.conn, {}, 0),
    "domainMigratePerform3Params": lambda c: c.run.migrateToURI3(
        "xen+tcp://acl-nowhere.invalid/system", {}, libvirt.VIR_MIGRATE_PEER2PEER | libvirt.VIR_MIGRATE_LIVE),
    "domainMigrateSetMaxSpeed": lambda c: c.run.migrateSetMaxSpeed(100, 0),
    "domainMigrateGetMaxSpeed": lambda c: c.run.migrateGetMaxSpeed(0),
    "domainMigrateSetMaxDowntime": lambda c: c.run.migrateSetMaxDowntime(100, 0),
    "domainMigrateGetMaxDowntime": lambda c: c.run.migrateGetMaxDowntime(0),
    "domainSetMetadata": lambda c: c.run.setMetadata(
        libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, "changed", None, None, 0),
    "domainGetMetadata": lambda c: c.run.metadata(libvirt.VIR_DOMAIN_METADATA_DESCRIPTION, None, 0),
    "domainAttachDevice": lambda c: c.run.attachDevice(dev_disk(c)),
    "domainAttachDeviceFlags": lambda c: c.run.attachDeviceFlags(dev_disk(c), libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainDetachDevice": lambda c: c.run.detachDevice(dev_disk(c)),
    "domainDetachDeviceFlags": lambda c: c.run.detachDeviceFlags(dev_disk(c), libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainDetachDeviceAlias": lambda c: c.run.detachDeviceAlias("ua-nothing", libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainUpdateDeviceFlags": lambda c: c.run.updateDeviceFlags(dev_disk(c), libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainSetMaxMemory": lambda c: c.off.setMaxMemory(131072),
    "domainSetMemory": lambda c: c.run.setMemory(32768),
    "domainSetMemoryFlags": lambda c: c.run.setMemoryFlags(32768, libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainSetMemoryParameters": lambda c: c.run.setMemoryParameters(
        {"hard_limit": 1 << 20}, libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainGetMemoryParameters": lambda c: c.run.memoryParameters(0),
    "domainSetVcpus": lambda c: c.run.setVcpus(1),
    "domainSetVcpusFlags": lambda c: c.run.setVcpusFlags(1, libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainGetVcpusFlags": lambda c: c.run.vcpusFlags(0),
    "domainGetMaxVcpus": lambda c: c.run.maxVcpus(),
    "domainPinVcpu": lambda c: c.run.pinVcpu(0, (True,)),
    "domainPinVcpuFlags": lambda c: c.run.pinVcpuFlags(0, (True,), libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainGetVcpus": lambda c: c.run.vcpus(),
    "domainGetVcpuPinInfo": lambda c: c.run.vcpuPinInfo(0),
    "domainPinEmulator": lambda c: c.run.pinEmulator((True,), libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainGetEmulatorPinInfo": lambda c: c.run.emulatorPinInfo(0),
    "domainGetSchedulerType": lambda c: c.run.schedulerType(),
    "domainGetSchedulerParameters": lambda c: c.run.schedulerParameters(),
    "domainGetSchedulerParametersFlags": lambda c: c.run.schedulerParametersFlags(0),
    "domainSetSchedulerParameters": lambda c: c.run.setSchedulerParameters({"weight": 512}),
    "domainSetSchedulerParametersFlags": lambda c: c.run.setSchedulerParametersFlags(
        {"weight": 512}, libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainGetNumaParameters": lambda c: c.run.numaParameters(0),
    "domainSetNumaParameters": lambda c: c.off.setNumaParameters(
        {"numa_nodeset": "0"}, libvirt.VIR_DOMAIN_AFFECT_CONFIG),
    "connectGetAllDomainStats": lambda c: c.conn.getAllDomainStats(0, 0),
    "domainBlockStats": lambda c: c.run.blockStats("xvda"),
    "domainBlockStatsFlags": lambda c: c.run.blockStatsFlags("xvda", 0),
    "domainGetBlockInfo": lambda c: c.run.blockInfo("xvda", 0),
    "domainGetDiskErrors": lambda c: c.run.diskErrors(0),
    "domainInterfaceStats": lambda c: c.run.interfaceStats(c.run_vif),
    "domainInterfaceAddresses": lambda c: c.run.interfaceAddresses(
        libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0),
    "domainMemoryStats": lambda c: c.run.memoryStats(),
    "domainSetMemoryStatsPeriod": lambda c: c.run.setMemoryStatsPeriod(5, libvirt.VIR_DOMAIN_AFFECT_LIVE),
    "domainGetCPUStats": lambda c: c.run.getCPUStats(True, 0),
    "nodeGetCPUStats": lambda c: c.conn.getCPUStats(-1, 0),
    "nodeGetMemoryStats": lambda c: c.conn.getMemoryStats(-1, 0),
    "nodeDeviceDettach": lambda c: nodedev(c).dettach(),
    "nodeDeviceDetachFlags": lambda c: nodedev(c).detachFlags("xen", 0),
    "nodeDeviceReAttach": lambda c: nodedev(c).reAttach(),
    "nodeDeviceReset": lambda c: nodedev(c).reset(),
    "domainSendKey": lambda c: c.run.sendKey(libvirt.VIR_KEYCODE_SET_LINUX, 50, [30], 1, 0),
    "domainInjectNMI": lambda c: c.run.injectNMI(0),
    "domainReset": lambda c: c.run.reset(0),
    "domainScreenshot": screenshot,
    "domainGetTime": lambda c: c.run.getTime(0),
    "domainSetTime": lambda c: c.run.setTime({"seconds": int(time.time()), "nseconds": 0}, 0),
    "domainSetLifecycleAction": lambda c: c.off.setLifecycleAction(
        libvirt.VIR_DOMAIN_LIFECYCLE_POWEROFF, libvirt.VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY,
        libvirt.VIR_DOMAIN_AFFECT_CONFIG),
    "domainPMSuspendForDuration": lambda c: c.run.pMSuspendForDuration(
        libvirt.VIR_NODE_SUSPEND_TARGET_MEM, 0, 0),
    "domainPMWakeup": lambda c: c.run.pMWakeup(0),
    "domainBlockResize": lambda c: c.run.blockResize("xvda", 16 << 20, libvirt.VIR_DOMAIN_BLOCK_RESIZE_BYTES),
}

# Entry points no public call reaches on its own: libvirt's client probes
# the URI and answers these itself (connectURIProbe, connectIsAlive,
# connectSupportsFeature is asked by the remote driver during migration),
# and the destination half of a migration is reached only by a migration
# between two daemons.
UNREACHABLE = {
    "connectURIProbe": "the client probes URIs; a remote connection never asks the module",
    "connectDomainEventRegister": "libvirtd registers every callback with connectDomainEventRegisterAny",
    "connectDomainEventDeregister": "libvirtd deregisters every callback with connectDomainEventDeregisterAny",
    "domainMigratePrepare3Params": "the destination of a migration between two daemons",
    "domainMigratePrepareTunnel3Params": "the destination of a tunnelled migration between two daemons",
    "domainMigrateFinish3Params": "the destination of a migration between two daemons",
    "domainMigrateConfirm3Params": "the source, after the destination's Finish",
}


# Getters whose answer on this host is an error that is not a refusal: the
# error libvirt itself gives (the sandbox has no SMBIOS table to read).
HOST_ERRORS = {
    "connectGetSysinfo": (libvirt.VIR_ERR_CONFIG_UNSUPPORTED, "SMBIOS"),
    # libxl has no downtime setting: the module says so (after its checks)
    "domainMigrateGetMaxDowntime": (libvirt.VIR_ERR_OPERATION_UNSUPPORTED, "downtime"),
}

# Entry points a read-only connection reaches only through a call libvirt
# refuses it first.
RO_ONLY_THROUGH = {
    "connectSupportsFeature": "asked only during a migration, refused read-only before",
}


def answered(f, e):
    if e is None:
        return True
    acc = HOST_ERRORS.get(f)
    return (acc is not None and isinstance(e, libvirt.libvirtError) and
            e.get_error_code() == acc[0] and acc[1] in str(e))


class Ctx:
    pass


def lookup_all(c, conn):
    c.conn = conn
    c.run = conn.lookupByName("acl-run")
    c.off = conn.lookupByName("acl-off")
    c.ms = conn.lookupByName("acl-ms")
    c.snap = c.off.snapshotLookupByName("s1", 0)
    c.run_id = c.run.ID()
    c.run_uuid = c.run.UUID()
    m = re.search(r"<target dev='([^']+)'", c.run.XMLDesc(0).split("<interface", 1)[-1])
    c.run_vif = m.group(1) if m else "vif0.0"
    c.nodedev = None
    pci = conn.listAllDevices(libvirt.VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV)
    c.nodedev = pci[0] if pci else None


def snapshot_state(root):
    """What must not change: each guest's state and definitions, the snapshots."""
    out = {}
    for d in root.listAllDomains(0):
        if d.ID() == 0:
            continue
        st = d.state(0)
        out[d.name()] = (st[0], d.XMLDesc(0),
                         d.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE) if d.isPersistent() else None,
                         d.hasManagedSaveImage(0) if d.isPersistent() else None,
                         sorted(d.snapshotListNames(0)) if d.isPersistent() else None,
                         d.autostart() if d.isPersistent() else None)
    files = sorted(f for f in os.listdir(root_work) if f.startswith("acl-out"))
    return out, files


def diff_state(a, b):
    if a == b:
        return None
    lines = []
    for k in sorted(set(a[0]) | set(b[0])):
        if a[0].get(k) != b[0].get(k):
            lines.append("guest %s changed" % k)
    if a[1] != b[1]:
        lines.append("files: %s -> %s" % (a[1], b[1]))
    return "\n".join(lines) or "changed"


def err_of(fn, c):
    try:
        libvirt.virResetLastError()
        fn(c)
        # some bindings return the C call's failure value and raise nothing
        # (virNodeGetFreeMemory's 0, virDomainMigrateGetMaxDowntime's -1)
        last = libvirt.virGetLastError()
        if last is not None and last[0] != libvirt.VIR_ERR_OK:
            e = libvirt.libvirtError(last[2] or "error")
            e.err = last
            return e
        return None
    except libvirt.libvirtError as e:
        return e
    except Exception as e:  # a binding or argument problem, reported
        return e


def classify():
    table = driver_table()
    callers = public_callers()
    return table, callers


def cmd_list():
    table, callers = classify()
    acls = proc_acls()
    for f in table:
        api, ro = callers.get(f, ("-", False))
        print("%-36s %-40s %-9s %s" % (f, api, "mutating" if ro else "getter",
                                       ",".join(expected_actions(f, acls) or ["-"])))


def cmd_ro(uri, ro_socket, work):
    global root_work
    root_work = work
    libvirt.registerErrorHandler(lambda *a: None, None)
    libvirt.virEventRegisterDefaultImpl()
    table, callers = classify()
    root = libvirt.open(uri)
    ro_uri = re.sub(r"socket=[^&]*", "socket=" + ro_socket, uri)
    conns = [("virConnectOpenReadOnly", libvirt.openReadOnly(uri)),
             ("a plain connection to the read-only socket", libvirt.open(ro_uri))]
    ctxs = []
    for desc, conn in conns:
        c = Ctx()
        c.mode, c.work, c.uri, c.conn = "ro", work, ro_uri, conn
        lookup_all(c, conn)
        c.off_xml = c.off.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        c.ms_xml = c.ms.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
        ctxs.append((desc, c))
    checked = 0
    mutating = 0
    note("%d entry points in libxlHypervisorDriver" % len(table))
    for f in table:
        if f in UNREACHABLE:
            note("%s: not reachable by a public call (%s)" % (f, UNREACHABLE[f]))
            continue
        if f not in CALLS:
            tap(False, "%s: the test knows how to call it" % f)
            continue
        if f in RO_ONLY_THROUGH:
            note("%s: %s" % (f, RO_ONLY_THROUGH[f]))
            continue
        if f not in callers:
            tap(False, "%s: libvirt has a public call for it" % f)
            continue
        api, ro = callers[f]
        checked += 1
        mutating += ro
        for desc, c in ctxs:
            lookup_all(c, c.conn)
            prep_events(c)
            before = snapshot_state(root)
            e = err_of(CALLS[f], c)
            after = snapshot_state(root)
            changed = diff_state(before, after)
            if ro:
                good = (isinstance(e, libvirt.libvirtError) and
                        e.get_error_code() == libvirt.VIR_ERR_OPERATION_DENIED and
                        "read only access prevents" in str(e) and not changed)
                tap(good, "%s (%s) refused on %s, nothing changed" % (f, api, desc),
                    "error: %r code %s\nchanged: %s" % (
                        str(e), e.get_error_code() if isinstance(e, libvirt.libvirtError) else "-",
                        changed))
            else:
                tap(answered(f, e) and not changed, "%s (%s) answered on %s" % (f, api, desc),
                    "error: %s\nchanged: %s" % (e, changed))
    note("read-only: %d entry points enumerated, %d checked (%d mutating, %d getters), "
         "%d not reachable by a public call, %d only through a refused one" % (
             len(table), checked, mutating, checked - mutating,
             len([f for f in table if f in UNREACHABLE]), len(RO_ONLY_THROUGH)))


# --- polkit ---------------------------------------------------------------
#
# The calls are made by a worker running as the unprivileged user (its
# connection and guests' handles taken while the rules allow), driven over a
# pipe; this process, root, watches what polkit was asked (the rule logs each
# question), what changed, and sets the guests up again after an allowed
# call changed them.

# libvirt's actions: root may do everything; the unprivileged user what
# 'allow' lists, and the rest as the test says ('YES' or 'NO')
RULE = """// written by integration-acl-calls.py
polkit.addRule(function(action, subject) {
    if (action.id.indexOf("org.libvirt.api.") != 0)
        return polkit.Result.NOT_HANDLED;
    polkit.log("acl-check " + action.id + " " + subject.user);
    var allow = [%s];
    if (subject.user == "root" || allow.indexOf(action.id) >= 0)
        return polkit.Result.YES;
    return polkit.Result.%s;
});
"""

# Entry points that libvirt's public call answers even when the module
# refuses them: virConnectGetType falls back to the driver's name.
DENY_SWALLOWED = {"connectGetType"}


def cmd_worker(uri, work):
    import json
    libvirt.registerErrorHandler(lambda *a: None, None)
    libvirt.virEventRegisterDefaultImpl()
    c = Ctx()
    c.mode, c.work, c.uri = "polkit", work, uri
    c.conn = None
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        try:
            if cmd == "open":
                c.conn = libvirt.open(uri)
                reply = {"ok": True}
            elif cmd == "lookup":
                lookup_all(c, c.conn)
                c.off_xml = c.off.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
                c.ms_xml = c.ms.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
                c.img_xml = c.conn.saveImageGetXMLDesc(work + "/acl-img.save", 0)
                prep_events(c)
                reply = {"ok": True}
            else:
                e = err_of(CALLS[arg], c)
                if e is None:
                    reply = {"ok": True}
                else:
                    reply = {"ok": False, "msg": str(e),
                             "code": e.get_error_code() if isinstance(e, libvirt.libvirtError) else None}
        except Exception as e:
            reply = {"ok": False, "msg": "worker: %r" % e, "code": None}
        print(json.dumps(reply), flush=True)


class Worker:
    def __init__(self, uri, work):
        import subprocess
        self.p = subprocess.Popen(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
             sys.executable, os.path.abspath(__file__), "worker", uri, work],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, line):
        import json
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        out = self.p.stdout.readline()
        if not out:
            raise SystemExit("Bail out! the worker died")
        return json.loads(out)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


class PolkitLog:
    def __init__(self, path):
        self.path = path
        self.pos = os.path.getsize(path)

    def new(self):
        with open(self.path) as f:
            f.seek(self.pos)
            text = f.read()
            self.pos = f.tell()
        return text

    def asked(self, user):
        return re.findall(r"acl-check (\S+) %s\b" % user, self.new())


def set_rule(rules_file, log, result, allow=()):
    """Write the rule and wait until polkitd has loaded it again."""
    with open(log.path) as f:
        loads = f.read().count("Finished loading")
    with open(rules_file + ".tmp", "w") as f:
        f.write(RULE % (", ".join('"%s"' % a for a in sorted(allow)), result))
    os.chmod(rules_file + ".tmp", 0o644)
    os.rename(rules_file + ".tmp", rules_file)
    for _ in range(100):
        time.sleep(0.1)
        with open(log.path) as f:
            if f.read().count("Finished loading") > loads:
                time.sleep(0.1)
                log.new()
                return True
    return False


def fixtures_reset(root, work, baseline):
    """Set the guests up again as integration-acl.sh made them."""
    import subprocess
    for d in root.listAllDomains(0):
        if d.name().startswith("acl-") or d.name() == "native":
            persistent = d.isPersistent()
            if d.isActive():
                d.destroy()
            if persistent:
                for sn in d.listAllSnapshots(0):
                    try:
                        sn.delete(libvirt.VIR_DOMAIN_SNAPSHOT_DELETE_METADATA_ONLY)
                    except libvirt.libvirtError:
                        pass
                d.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                                libvirt.VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                                libvirt.VIR_DOMAIN_UNDEFINE_NVRAM)
    for f in os.listdir(work):
        if f.startswith("acl-out"):
            os.unlink(os.path.join(work, f))
    subprocess.run(["bash", os.path.join(top_srcdir, "tests/libxltest/integration-acl.sh"),
                    "--fixtures", root.getURI().replace("xen:///system?", "xen:///system?"), work],
                   check=True, stdout=subprocess.DEVNULL)
    return snapshot_state(root)


def cmd_polkit(uri, work, rules_file, polkit_log):
    global root_work
    root_work = work
    libvirt.registerErrorHandler(lambda *a: None, None)
    table = driver_table()
    acls = proc_acls()
    root = libvirt.open(uri)
    log = PolkitLog(polkit_log)
    w = Worker(uri, work)

    ok = set_rule(rules_file, log, "YES")
    r = w.ask("open")
    tap(r["ok"] and ok, "polkit: the unprivileged user connects under the allowing rule", r)
    r = w.ask("lookup")
    tap(r["ok"], "polkit: the unprivileged user looks the guests up", r)
    if not r["ok"]:
        return
    reach = [f for f in table if f not in UNREACHABLE and f in CALLS and f != "connectURIProbe"]
    for f in table:
        if f in UNREACHABLE:
            note("%s: not reachable by a public call (%s)" % (f, UNREACHABLE[f]))
        elif f not in CALLS:
            tap(False, "%s: the test knows how to call it" % f)
    no_acl = [f for f in reach if not expected_actions(f, acls)]
    note("entry points with no ACL check (remote_protocol.x names none; the client "
         "answers them): %s" % ", ".join(no_acl))

    # deny: everything; where the client asks something else first (the
    # number of host CPUs before a pinning, whether typed parameters are
    # supported, the parameters' types), that is allowed and the call made
    # again, so that the entry point's own check is the one refused
    tap(set_rule(rules_file, log, "NO"), "polkit: the denying rule is applied")
    denied = 0
    baseline = snapshot_state(root)
    current = frozenset()
    for f in reach:
        exp = expected_actions(f, acls)
        if not exp:
            continue
        allow = set()
        for attempt in range(4):
            if frozenset(allow) != current:
                set_rule(rules_file, log, "NO", allow)
                current = frozenset(allow)
            log.new()
            r = w.ask("call " + f)
            time.sleep(0.05)
            asked = log.asked("nobody")
            other = [a for a in asked if a not in exp and a not in allow]
            if not other or r["ok"] and f not in DENY_SWALLOWED:
                break
            allow |= set(other)
        asked_own = [a for a in asked if a not in allow]
        after = snapshot_state(root)
        changed = diff_state(baseline, after)
        refused = (not r["ok"] and r["code"] == libvirt.VIR_ERR_ACCESS_DENIED or
                   r["ok"] and f in DENY_SWALLOWED)
        good = refused and asked_own and all(a in exp for a in asked_own) and not changed
        denied += bool(good)
        tap(good, "polkit deny: %s refused (VIR_ERR_ACCESS_DENIED), polkit asked for %s%s, "
            "nothing changed" % (f, "/".join(sorted(set(asked_own))) or "?",
                                 " (the client's own questions allowed: %s)" % ", ".join(sorted(allow))
                                 if allow else ""),
            "reply: %s\nasked: %s\nexpected one of: %s\nchanged: %s" % (r, asked, exp, changed))
        if changed:
            baseline = fixtures_reset(root, work, baseline)

    # allow
    tap(set_rule(rules_file, log, "YES"), "polkit: the allowing rule is applied")
    allowed = 0
    for f in reach:
        exp = expected_actions(f, acls)
        if not exp:
            continue
        w.ask("lookup")
        log.new()
        r = w.ask("call " + f)
        time.sleep(0.05)
        asked = log.asked("nobody")
        refused = not r["ok"] and r["code"] in (libvirt.VIR_ERR_ACCESS_DENIED,
                                                libvirt.VIR_ERR_OPERATION_DENIED,
                                                libvirt.VIR_ERR_AUTH_FAILED)
        # virConnectGetType: the client keeps the answer it had while denied
        good = not refused and (any(a in exp for a in asked) or f in DENY_SWALLOWED and r["ok"])
        allowed += good
        tap(good, "polkit allow: %s not refused (%s), polkit asked for %s" % (
            f, "answered" if r["ok"] else "error: " + r["msg"][:80], "/".join(sorted(set(asked))) or "?"),
            "reply: %s\nasked: %s\nexpected: %s" % (r, asked, exp))
        after = snapshot_state(root)
        if diff_state(baseline, after):
            time.sleep(0.3)
            baseline = fixtures_reset(root, work, baseline)
    w.close()
    checked = len([f for f in reach if expected_actions(f, acls)])
    note("polkit: %d entry points enumerated, %d with an ACL check reached, %d denied as "
         "they should be, %d allowed; %d not reachable by a public call, %d without an ACL "
         "check" % (len(table), checked, denied, allowed, len(UNREACHABLE), len(no_acl)))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "list":
        cmd_list()
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "ro":
        cmd_ro(*sys.argv[2:])
    elif len(sys.argv) == 6 and sys.argv[1] == "polkit":
        cmd_polkit(*sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "worker":
        cmd_worker(*sys.argv[2:])
        return 0
    else:
        print(__doc__ if False else "usage: integration-acl-calls.py list | ro URI RO_SOCKET WORK | "
              "polkit URI WORK RULES_FILE POLKIT_LOG", file=sys.stderr)
        return 2
    print("1..%d" % n_tests)
    return 1 if n_fail else 0


root_work = "."

if __name__ == "__main__":
    sys.exit(main())

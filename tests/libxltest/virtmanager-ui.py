#!/usr/bin/env python3
# tests/libxltest/virtmanager-ui.py: drive Debian's virt-manager through
# AT-SPI (dogtail), the way virt-manager's own uitests do, against a sandbox.
# Run by integration-virtmanager.sh inside Xvfb and a D-Bus session with the
# accessibility bus; prints TAP lines (without the plan: the caller counts).
#   virtmanager-ui.py URI GUEST ARTIFACT-DIR DRIVER
# The domain's state is checked through libvirt (python3-libvirt), never
# through the UI it is driving.
import os
import subprocess
import sys
import time

import libvirt

uri, guest, artdir, drv = sys.argv[1:5]
record = drv == "stock"     # stock's failures are recorded, not required

os.environ.setdefault("DOGTAIL_LOCALE", "C")
from dogtail import tree, rawinput  # noqa: E402
from dogtail.config import config  # noqa: E402

config.searchBackoffDuration = 0.5
config.searchCutoffCount = 20
config.actionDelay = 0.2
config.defaultDelay = 0.2
config.logDebugToFile = False
config.logDebugToStdOut = False

n = 0
failed = 0


def tap(ok, desc, detail="", todo=None):
    global n, failed
    n += 1
    suffix = ""
    if not ok:
        if todo:
            suffix = " # TODO " + todo
        elif record:
            suffix = " # TODO stock: recorded"
        else:
            failed += 1
    print("%s %d - %s: %s%s" % ("ok" if ok else "not ok", n, drv, desc, suffix))
    for line in str(detail).splitlines():
        print("# " + line)
    sys.stdout.flush()


def wait(pred, timeout=60.0, step=0.5):
    """Generous wait for a state; returns the last value of pred."""
    end = time.monotonic() + timeout
    val = None
    while True:
        try:
            val = pred()
        except Exception:  # a UI node not there yet
            val = None
        if val or time.monotonic() > end:
            return val
        time.sleep(step)


def shot(name):
    """A PNG of the whole Xvfb screen (GdkPixbuf from the root window)."""
    import gi
    gi.require_version("Gdk", "3.0")
    from gi.repository import Gdk
    path = os.path.join(artdir, "%s-%s.png" % (drv, name))
    root = Gdk.get_default_root_window()
    pb = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
    if pb is not None:
        pb.savev(path, "png", [], [])
    return path


conn = libvirt.open(uri)


def state():
    return conn.lookupByName(guest).state()[0]


def find(parent, name=None, roleName=None, timeout=30.0, showing=True):
    def f():
        for c in parent.findChildren(
                lambda x: (name is None or x.name == name or
                       x.name.startswith(name + "\n")) and
                (roleName is None or x.roleName == roleName) and
                (not showing or x.showing), recursive=True):
            return c
        return None
    return wait(f, timeout)


app = wait(lambda: tree.root.application("virt-manager"), 90)
tap(app is not None, "virt-manager shows up on the accessibility bus")
if app is None:
    sys.exit(1)

manager = find(app, "Virtual Machine Manager", "frame", 60)
tap(manager is not None, "its manager window opens")
if manager is None:
    sys.exit(1)

# The connection row and the domain list
names = [d.name() for d in conn.listAllDomains()]
cell = find(manager, guest, "table cell", 60)
tap(cell is not None, "the domain list shows the guest %s" % guest,
    "" if cell else "cells: %s" % [x.name for x in manager.findChildren(
        lambda y: y.roleName == "table cell", recursive=True)])
# virt-manager deliberately leaves Domain-0 out of its list
others = [x for x in names if x not in (guest, "Domain-0")]
missing = [x for x in others if find(manager, x, "table cell", 10) is None]
tap(not missing, "and every other defined guest (%s)" % " ".join(sorted(others)),
    "missing: %s" % missing if missing else "")
shot("manager")

# Start through the UI: select the row, the toolbar's Run button
cell.click()
run = find(manager, "Run", "push button", 20)
if run is not None:
    wait(lambda: run.sensitive, 20)
    run.click()
st = wait(lambda: state() == libvirt.VIR_DOMAIN_RUNNING, 60)
tap(bool(st), "the toolbar's Run starts the guest (virsh state running)",
    "state %s" % state())

# The guest's window: double click the row
cell.doubleClick()
win = find(app, "%s on %s" % (guest, manager.name), "frame", 5) or \
    wait(lambda: [f for f in app.children
                  if f.roleName == "frame" and f.name.startswith(guest + " on")][0], 60)
tap(win is not None, "a double click opens the guest's window")
if win is None:
    sys.exit(1)

# Its text console: with no graphics virt-manager shows the serial console
# (a VTE terminal over virDomainOpenConsole)
term = find(win, None, "terminal", 30)
tap(term is not None, "its text console is shown (a terminal)")
shot("console")

# Details: the performance graphs
details = find(win, "Details", "radio button", 20) or \
    find(win, "Show virtual hardware details", "radio button", 20)
if details is not None:
    details.click()
perf = find(win, "Performance", "table cell", 30)
if perf is not None:
    perf.click()
# The graphs' labels are the sampled values; they get numbers once polled
cpu_lbl = wait(lambda: [x for x in win.findChildren(
    lambda y: y.roleName == "label" and y.showing and y.name.endswith("%"),
    recursive=True)], 30)
tap(bool(cpu_lbl), "the Performance page shows the CPU usage graph's value",
    [x.name for x in cpu_lbl] if cpu_lbl else "")
mem_lbl = wait(lambda: [x for x in win.findChildren(
    lambda y: y.roleName == "label" and y.showing and " MiB" in y.name and
    "of" in y.name, recursive=True)], 30)
tap(bool(mem_lbl), "and the memory graph's value (N MiB of M MiB)",
    [x.name for x in mem_lbl] if mem_lbl else "")
io_lbl = wait(lambda: [x for x in win.findChildren(
    lambda y: y.roleName == "label" and y.showing and "KiB/s" in y.name,
    recursive=True)], 30)
tap(len(io_lbl or []) >= 2, "and the disk and network I/O graphs' values",
    [x.name for x in io_lbl] if io_lbl else "")
shot("details")

# Pause / resume through the guest window's toolbar
pause = find(win, "Pause", "toggle button", 20)
if pause is not None:
    pause.click()
st = wait(lambda: state() == libvirt.VIR_DOMAIN_PAUSED, 60)
tap(bool(st), "Pause pauses it (virsh state paused)", "state %s" % state())
if pause is not None:
    pause.click()
st = wait(lambda: state() == libvirt.VIR_DOMAIN_RUNNING, 60)
tap(bool(st), "Pause again resumes it (virsh state running)", "state %s" % state())

# A snapshot through the UI (the Snapshots page, "+")
def button(parent, text, timeout=20.0):
    """A button by its name or its tooltip (the accessible description)."""
    return wait(lambda: [x for x in parent.findChildren(
        lambda y: y.roleName.endswith("button") and y.showing and
        (y.name == text or y.description.startswith(text)),
        recursive=True)][0], timeout)


# virt-manager offers snapshots of a guest whose writable disks are all
# qcow2 (the caller gives the guest one); its dialog sends
# <domainsnapshot><name>N</name><description/></domainsnapshot>, flags 0
snapname = "vmgr-snap1"
snaps = button(win, "Manage VM snapshots")
tap(snaps is not None and wait(lambda: snaps.sensitive, 20),
    "the Manage VM snapshots button is offered (a qcow2 disk)",
    "" if snaps is None else "tooltip: %s" % snaps.description)
dlg = None
if snaps is not None:
    snaps.click()
    add = button(win, "Create new snapshot", 30)
    if add is not None:
        wait(lambda: add.sensitive, 20)
        add.click()
        dlg = find(app, "Create snapshot", "frame", 20)
    if dlg is not None:
        # the Name entry holds the proposed name (snapshot1); typed over
        entry = wait(lambda: [x for x in dlg.findChildren(
            lambda y: y.roleName == "text" and y.showing and
            y.text.startswith("snapshot"), recursive=True)][0], 20)
        if entry is not None:
            entry.click()
            rawinput.keyCombo("<Control>a")
            entry.typeText(snapname)
            wait(lambda: entry.text == snapname, 10)
        fin = find(dlg, "Finish", "push button", 20)
        if fin is not None and not os.environ.get("VMGR_SKIP_FINISH"):
            fin.click()
tap(dlg is not None, "its Create new snapshot (+) opens the Create snapshot dialog")
def snapnames():
    try:
        return conn.lookupByName(guest).snapshotListNames()
    except libvirt.libvirtError as e:
        return str(e)


got = wait(lambda: snapnames() == [snapname], 60 if dlg is not None else 5)
tap(bool(got), "Finish makes the snapshot %s (snapshot-list)" % snapname,
    "snapshots: %s" % snapnames())
snapxml = ""
try:
    snapxml = conn.lookupByName(guest).snapshotLookupByName(snapname).getXMLDesc()
except libvirt.libvirtError as e:
    snapxml = str(e)
ok = "<state>running</state>" in snapxml
tap(ok, "of the running guest (snapshot-dumpxml: <state>running</state>)",
    "" if ok else snapxml)
st = wait(lambda: state() == libvirt.VIR_DOMAIN_RUNNING, 30)
tap(bool(st), "the guest runs on after the snapshot (virsh state running)",
    "state %s" % state())
row = find(win, snapname, "table cell", 30)
tap(row is not None, "virt-manager's snapshot list shows %s" % snapname,
    "cells: %s" % [x.name for x in win.findChildren(
        lambda y: y.roleName == "table cell" and y.showing, recursive=True)])
alerts = [x for x in app.findChildren(
    lambda y: y.roleName == "alert" and y.showing, recursive=False)]
# the page's own error (shown in place of the list)
errlbl = find(win, "snapshot-error-label", "label", 2)
tap(not alerts and errlbl is None,
    "and no error dialog, no error on the Snapshots page",
    "; ".join([a.name for a in alerts] +
              [c.name for a in alerts for c in a.findChildren(
                  lambda y: y.roleName == "label", recursive=True)] +
              ([errlbl.text] if errlbl is not None else [])))
shot("snapshot")

# Shut down: the toolbar's Shut Down button (an ACPI/PV shutdown request)
details = find(win, "Show the graphical console", "radio button", 10)
if details is not None:
    details.click()
sd = find(win, "Shut Down", "push button", 20)
if sd is not None:
    sd.click()
st = wait(lambda: state() == libvirt.VIR_DOMAIN_SHUTOFF, 90)
tap(bool(st), "Shut Down shuts it off (virsh state shut off)", "state %s" % state())
shot("shutoff")
sys.exit(1 if failed else 0)

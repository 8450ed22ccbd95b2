#!/usr/bin/env python3
"""Long run (issue 17, item 6): start/destroy cycles of one PV guest, with
libvirtd's resident memory and open file descriptors sampled (TAP).

Each cycle starts the defined guest (a console and a blkback disk), reads
its info and XML, opens its console and closes it again, and destroys it,
with a lifecycle event callback registered all along.  libvirtd's VmRSS and
its number of open fds are sampled every SAMPLE cycles; the first third of
the cycles is the warm-up (libvirt's and GLib's caches fill) and is left
out of the slope (least squares, KiB per cycle).

Checks: every cycle succeeded; one Started and one Stopped event per cycle;
libvirtd's fds after the run = after the warm-up (a descriptor leaked per
cycle shows at once); no domain left in the simulated host; with at least
LONGRUN_ASSERT_RSS cycles (default 5000: the long form), an RSS slope over
the last half below 0.1 KiB per cycle (a leak of 100 bytes a cycle).
The short form (make check) reports the RSS slope and asserts the rest.

    LONGRUN_CYCLES=600 (default)   cycles per module
    LONGRUN_CYCLES=10000           the long form (about 5 min a module idle)
    LONGRUN_DRIVERS="ours stock"   the modules (stock's figures for reading)
"""
import os
import subprocess
import sys
import tempfile
import threading

import libvirt

top_srcdir = os.environ["top_srcdir"]
top_builddir = os.environ.get("top_builddir", top_srcdir)
sandbox = os.path.join(top_srcdir, "scripts", "sandbox")
xensimctl = os.path.join(top_builddir, "xensim", "xensimctl")

CYCLES = int(os.environ.get("LONGRUN_CYCLES", "600"))
ASSERT_RSS = int(os.environ.get("LONGRUN_ASSERT_RSS", "5000"))
DRIVERS = os.environ.get("LONGRUN_DRIVERS", "ours stock").split()
SAMPLE = max(10, CYCLES // 40)

n = 0
failed = 0


def report(ok, desc, detail=""):
    global n, failed
    n += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, desc), flush=True)
    if not ok:
        failed += 1
        for line in str(detail).splitlines():
            print("# " + line)


def slope(points):
    """Least squares slope of [(x, y)]."""
    if len(points) < 2:
        return 0.0
    mx = sum(p[0] for p in points) / len(points)
    my = sum(p[1] for p in points) / len(points)
    sxx = sum((p[0] - mx) ** 2 for p in points)
    sxy = sum((p[0] - mx) * (p[1] - my) for p in points)
    return sxy / sxx if sxx else 0.0


def daemon_pid(sb):
    with open(os.path.join(sb, "libvirtd.pid")) as f:
        return int(f.read().split()[0])


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def nfds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def guest_xml(name, work):
    return """<domain type='xen'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type>linux</type><kernel>%s/vmlinuz</kernel><cmdline>console=hvc0</cmdline></os>
  <devices>
    <disk type='file' device='disk'><driver name='phy' type='raw'/>
      <source file='%s/disk.img'/><target dev='xvda' bus='xen'/></disk>
    <console type='pty'/>
  </devices>
</domain>""" % (name, work, work)


def run(drv, work):
    sb = os.path.join(work, drv)
    up = subprocess.run([sandbox, "up", sb, "--driver=%s" % drv], capture_output=True, text=True)
    report(up.returncode == 0, "%s: sandbox up" % drv, up.stderr)
    if up.returncode != 0:
        return
    try:
        cycles(drv, sb, up.stdout.strip(), work)
    finally:
        subprocess.run([sandbox, "down", sb], capture_output=True)


def cycles(drv, sb, uri, work):
    libvirt.virEventRegisterDefaultImpl()
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    threading.Thread(target=loop, daemon=True).start()
    conn = libvirt.open(uri)
    events = {"started": 0, "stopped": 0}

    def on_event(conn, dom, event, detail, opaque):
        if dom.name() != "lr-pv":
            return
        if event == libvirt.VIR_DOMAIN_EVENT_STARTED:
            events["started"] += 1
        elif event == libvirt.VIR_DOMAIN_EVENT_STOPPED:
            events["stopped"] += 1

    cb = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, on_event, None)
    dom = conn.defineXML(guest_xml("lr-pv", work))
    pid = daemon_pid(sb)
    warm = CYCLES // 3
    samples = []
    errors = []
    fds_warm = None
    for k in range(CYCLES):
        try:
            dom.create()
            dom.info()
            dom.XMLDesc(0)
            st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
            dom.openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
            st.abort()
            dom.destroy()
        except libvirt.libvirtError as e:
            errors.append("cycle %d: %s" % (k, e))
            try:
                if dom.isActive():
                    dom.destroy()
            except libvirt.libvirtError:
                pass
            if len(errors) > 5:
                break
        if k + 1 == warm:
            fds_warm = nfds(pid)
        if (k + 1) % SAMPLE == 0:
            samples.append((k + 1, rss_kib(pid)))
    # the events of the last cycle may still be on their way
    for _ in range(50):
        if events["stopped"] >= CYCLES:
            break
        threading.Event().wait(0.1)
    fds_end = nfds(pid)
    after = [p for p in samples if p[0] > warm]
    half = [p for p in samples if p[0] > CYCLES // 2]
    s_after, s_half = slope(after), slope(half)
    print("# %s: %d cycles, RSS %d KiB after the warm-up (%d cycles), %d KiB at the end; "
          "slope %.3f KiB/cycle after the warm-up, %.3f KiB/cycle over the last half; "
          "fds %s after the warm-up, %d at the end"
          % (drv, CYCLES, after[0][1] if after else 0, warm, samples[-1][1] if samples else 0,
             s_after, s_half, fds_warm, fds_end))
    print("# %s: RSS samples (cycle:KiB): %s" % (drv, " ".join("%d:%d" % p for p in samples)))
    report(not errors, "%s: %d start/console/destroy cycles succeed" % (drv, CYCLES), "\n".join(errors))
    report(events == {"started": CYCLES, "stopped": CYCLES},
           "%s: one Started and one Stopped event per cycle" % drv, events)
    report(fds_warm is not None and fds_end == fds_warm,
           "%s: libvirtd's open fds are as many at the end as after the warm-up" % drv,
           "after the warm-up %s, at the end %d" % (fds_warm, fds_end))
    if CYCLES >= ASSERT_RSS:
        report(s_half < 0.1, "%s: RSS flat over the last half (< 0.1 KiB/cycle)" % drv,
               "%.3f KiB/cycle" % s_half)
    dom.undefine()
    conn.domainEventDeregisterAny(cb)
    conn.close()
    stop.set()
    out = subprocess.run([xensimctl, "--dir", os.path.join(sb, "xensim"), "list"],
                         capture_output=True, text=True).stdout
    left = [line for line in out.splitlines()[1:] if len(line.split()) > 1 and line.split()[1] != "Domain-0"]
    report(not left, "%s: no domain left in the simulated host" % drv, out)


def main():
    if os.geteuid() != 0:
        print("1..0 # SKIP sandboxes need root")
        return 0
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    work = tempfile.mkdtemp(prefix="xl-longrun.")
    with open(os.path.join(work, "vmlinuz"), "wb") as f:
        f.write(b"\0" * 4096)
    with open(os.path.join(work, "disk.img"), "wb") as f:
        f.truncate(16 << 20)
    for drv in DRIVERS:
        run(drv, work)
    subprocess.run(["rm", "-rf", work])
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

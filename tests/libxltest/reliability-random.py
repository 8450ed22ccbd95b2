#!/usr/bin/env python3
"""Random operations (issue 17, item 5), TAP.

CLIENTS clients (threads, each with its own connection) run OPS random
operations each against a shared set of PV guests: define, undefine,
start, shutdown, destroy, suspend, resume, save and restore, disk hotplug
and unplug, getAllDomainStats, dominfo and XML, console open and close,
lifecycle event callbacks registered and deregistered.  Two clients
acting on the same guest at once is the point: libvirt's answers that say
so (the domain is not running, is running, another job holds it, the disk
is already there...) are expected; anything else is an unexpected error.

A watchdog fails the run when a call has not returned after 120 s (a
deadlock, not a timing: nothing here is slower than a few seconds).  At the
end every guest's state agrees with the simulated host's, no job is left,
no domain is left in Xen after the cleanup.

    RANDOM_CLIENTS=8 RANDOM_OPS=150 (default: make check)
    RANDOM_OPS=10000                         the long form (8 x 10,000)
    RANDOM_SEED=N, RANDOM_DRIVERS="ours stock"
    RANDOM_KEEP=1                            keep a failed run's directory
Figures: operations, unexpected errors, p50/p99 latency (in the output).
"""
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time

import libvirt

top_srcdir = os.environ["top_srcdir"]
top_builddir = os.environ.get("top_builddir", top_srcdir)
sandbox = os.path.join(top_srcdir, "scripts", "sandbox")
xensimctl = os.path.join(top_builddir, "xensim", "xensimctl")

CLIENTS = int(os.environ.get("RANDOM_CLIENTS", "8"))
OPS = int(os.environ.get("RANDOM_OPS", "150"))
SEED = int(os.environ.get("RANDOM_SEED", str(int(time.time()) % 100000)))
DRIVERS = os.environ.get("RANDOM_DRIVERS", "ours").split()
GUESTS = ["rnd-%d" % k for k in range(6)]
WATCHDOG = 120.0

# libvirt's answers to an operation the state of the moment does not
# allow: what concurrent clients are expected to get
EXPECTED = {
    libvirt.VIR_ERR_OPERATION_INVALID,     # not running / already running
    libvirt.VIR_ERR_NO_DOMAIN,             # undefined meanwhile
    libvirt.VIR_ERR_OPERATION_TIMEOUT,     # another job holds the domain
    libvirt.VIR_ERR_OPERATION_ABORTED,
    libvirt.VIR_ERR_OPERATION_FAILED,      # e.g. the disk is already there
    libvirt.VIR_ERR_CONFIG_UNSUPPORTED,
    libvirt.VIR_ERR_NO_SUPPORT,
    libvirt.VIR_ERR_INVALID_ARG,           # e.g. no such disk to unplug
    libvirt.VIR_ERR_SYSTEM_ERROR,          # e.g. no save image to restore
    libvirt.VIR_ERR_NO_DOMAIN_SNAPSHOT,
    libvirt.VIR_ERR_INVALID_DOMAIN,        # the object was undefined meanwhile
    libvirt.VIR_ERR_OPERATION_UNSUPPORTED,
    libvirt.VIR_ERR_DEVICE_MISSING,        # no such disk to unplug
}

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
    return ok


def guest_xml(name, work):
    return """<domain type='xen'>
  <name>%s</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type>linux</type><kernel>%s/vmlinuz</kernel><cmdline>console=hvc0</cmdline></os>
  <devices>
    <disk type='file' device='disk'><driver name='phy' type='raw'/>
      <source file='%s/%s.img'/><target dev='xvda' bus='xen'/></disk>
    <console type='pty'/>
  </devices>
</domain>""" % (name, work, work, name)


def disk_xml(work, g):
    return ("<disk type='file' device='disk'><driver name='phy' type='raw'/>"
            "<source file='%s/%s-b.img'/><target dev='xvdb' bus='xen'/></disk>" % (work, g))


class Client(threading.Thread):
    def __init__(self, k, uri, work, rnd, stats):
        super().__init__(daemon=True)
        self.k, self.uri, self.work, self.rnd, self.stats = k, uri, work, rnd, stats
        self.current = None      # (op, since) of the call in progress
        self.done = 0

    def lookup(self, conn, g):
        return conn.lookupByName(g)

    def op(self, conn, name, g):
        d = lambda: self.lookup(conn, g)  # noqa: E731
        img = os.path.join(self.work, "%s.save" % g)
        if name == "define":
            conn.defineXML(guest_xml(g, self.work))
        elif name == "undefine":
            d().undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        elif name == "start":
            d().create()
        elif name == "shutdown":
            d().shutdown()
        elif name == "destroy":
            d().destroy()
        elif name == "suspend":
            d().suspend()
        elif name == "resume":
            d().resume()
        elif name == "save":
            d().save(img + ".%d" % self.k)
            os.replace(img + ".%d" % self.k, img)
        elif name == "restore":
            if os.path.exists(img):
                tmp = img + ".r%d" % self.k
                os.replace(img, tmp)
                try:
                    conn.restore(tmp)
                finally:
                    os.unlink(tmp)
        elif name == "attach":
            d().attachDeviceFlags(disk_xml(self.work, g), libvirt.VIR_DOMAIN_AFFECT_LIVE)
        elif name == "detach":
            d().detachDeviceFlags(disk_xml(self.work, g), libvirt.VIR_DOMAIN_AFFECT_LIVE)
        elif name == "stats":
            conn.getAllDomainStats(0, 0)
        elif name == "info":
            x = d()
            x.info()
            x.XMLDesc(0)
        elif name == "console":
            st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
            d().openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
            st.abort()
        elif name == "events":
            cb = conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                             lambda *a: None, None)
            conn.domainEventDeregisterAny(cb)

    def run(self):
        names = ["define", "undefine", "start", "start", "shutdown", "destroy", "destroy",
                 "suspend", "resume", "save", "restore", "attach", "detach", "stats",
                 "info", "info", "console", "events"]
        conn = libvirt.open(self.uri)
        try:
            for _ in range(OPS):
                name = self.rnd.choice(names)
                g = self.rnd.choice(GUESTS)
                t0 = time.monotonic()
                self.current = ("%s %s" % (name, g), t0)
                try:
                    self.op(conn, name, g)
                    err = None
                except libvirt.libvirtError as e:
                    err = e
                except OSError as e:
                    err = e
                dt = time.monotonic() - t0
                self.current = None
                self.done += 1
                with self.stats["lock"]:
                    self.stats["lat"].append(dt * 1000.0)
                    self.stats["ops"][name] = self.stats["ops"].get(name, 0) + 1
                    if isinstance(err, libvirt.libvirtError):
                        key = "%s: %s" % (name, re.sub(r"rnd-[0-9]+|[0-9]+", "N", str(err))[:110])
                        self.stats["errors"][key] = self.stats["errors"].get(key, 0) + 1
                    if isinstance(err, libvirt.libvirtError) and err.get_error_code() not in EXPECTED:
                        self.stats["unexpected"].append("%s %s: [%d] %s"
                                                        % (name, g, err.get_error_code(), err))
                    elif isinstance(err, OSError) and name != "restore":
                        self.stats["unexpected"].append("%s %s: %s" % (name, g, err))
        finally:
            conn.close()


def percentile(v, p):
    v = sorted(v)
    if not v:
        return 0.0
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def sh(*args):
    p = subprocess.run(list(args), capture_output=True, text=True, timeout=300)
    return p.returncode, (p.stdout + p.stderr).strip()


def run(drv, work):
    sb = os.path.join(work, drv)
    rc, out = sh(sandbox, "up", sb, "--driver=%s" % drv)
    if not report(rc == 0, "%s: sandbox up" % drv, out):
        return
    uri = out.strip().splitlines()[-1]
    try:
        clients_run(drv, sb, uri, work)
    finally:
        sh(sandbox, "down", sb)


def clients_run(drv, sb, uri, work):
    conn = libvirt.open(uri)
    for g in GUESTS:
        for suffix in ("", "-b"):
            with open(os.path.join(work, "%s%s.img" % (g, suffix)), "wb") as f:
                f.truncate(16 << 20)
        conn.defineXML(guest_xml(g, work))
    stats = {"lock": threading.Lock(), "lat": [], "ops": {}, "unexpected": [], "errors": {}}
    rnd = random.Random(SEED)
    clients = [Client(k, uri, work, random.Random(rnd.random()), stats) for k in range(CLIENTS)]
    t0 = time.monotonic()
    for c in clients:
        c.start()
    hung = None
    while any(c.is_alive() for c in clients):
        time.sleep(0.5)
        now = time.monotonic()
        for c in clients:
            cur = c.current
            if cur and now - cur[1] > WATCHDOG:
                hung = "client %d: %s has not returned after %.0f s" % (c.k, cur[0], now - cur[1])
        if hung:
            break
    wall = time.monotonic() - t0
    total = sum(c.done for c in clients)
    lat = stats["lat"]
    print("# %s: seed %d, %d clients x %d operations: %d done in %.1f s; latency p50 %.1f ms, "
          "p99 %.1f ms, max %.1f ms; %d unexpected errors"
          % (drv, SEED, CLIENTS, OPS, total, wall, percentile(lat, 50), percentile(lat, 99),
             max(lat) if lat else 0.0, len(stats["unexpected"])), flush=True)
    print("# %s: operations: %s" % (drv, ", ".join("%s %d" % kv for kv in sorted(stats["ops"].items()))))
    for key, count in sorted(stats["errors"].items(), key=lambda kv: -kv[1]):
        print("# %s: expected error x%d: %s" % (drv, count, key))
    report(hung is None, "%s: no call hangs (watchdog %d s)" % (drv, WATCHDOG), hung or "")
    if hung:
        return
    report(total == CLIENTS * OPS, "%s: %d operations done" % (drv, CLIENTS * OPS), total)
    report(not stats["unexpected"], "%s: no unexpected error" % drv,
           "\n".join(stats["unexpected"][:20]))

    # the final state: libvirt's view agrees with the simulated host's
    time.sleep(1.0)
    rc, xl = sh(xensimctl, "--dir", os.path.join(sb, "xensim"), "list")
    xen = {}
    for line in xl.splitlines()[1:]:
        f = line.split()
        if len(f) >= 3 and f[1] != "Domain-0":
            xen[f[1]] = (int(f[0]), f[2])
    problems = []
    known = {}
    for d in conn.listAllDomains(0):
        known[d.name()] = d
    for name, (domid, xst) in xen.items():
        d = known.get(name)
        if d is None or not d.isActive():
            problems.append("%s: in Xen (domid %d, %s), not running in libvirt (orphan)" % (name, domid, xst))
        elif d.ID() != domid:
            problems.append("%s: libvirt's id %d, Xen's domid %d" % (name, d.ID(), domid))
    for name, d in known.items():
        if name == "Domain-0":
            continue
        if d.isActive() and name not in xen:
            problems.append("%s: running in libvirt (id %d), not in Xen" % (name, d.ID()))
        job = d.jobInfo()
        if job[0] != libvirt.VIR_DOMAIN_JOB_NONE:
            problems.append("%s: a job is left (%s)" % (name, job))
    report(not problems, "%s: libvirt's domains agree with the simulated host's, no job left" % drv,
           "\n".join(problems))

    for d in conn.listAllDomains(0):
        if d.name() == "Domain-0":
            continue
        try:
            if d.isActive():
                d.destroy()
            if d.isPersistent():
                d.undefineFlags(libvirt.VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
        except libvirt.libvirtError as e:
            problems.append(str(e))
    rc, xl = sh(xensimctl, "--dir", os.path.join(sb, "xensim"), "list")
    left = [line for line in xl.splitlines()[1:] if len(line.split()) > 1 and line.split()[1] != "Domain-0"]
    report(not left, "%s: every domain destroyed and undefined, none left in Xen" % drv, xl)
    conn.close()


def main():
    if os.geteuid() != 0:
        print("1..0 # SKIP sandboxes need root")
        return 0
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                     daemon=True).start()
    print("# RANDOM_SEED=%d RANDOM_CLIENTS=%d RANDOM_OPS=%d" % (SEED, CLIENTS, OPS), flush=True)
    work = tempfile.mkdtemp(prefix="xl-random.")
    with open(os.path.join(work, "vmlinuz"), "wb") as f:
        f.write(b"\0" * 4096)
    for drv in DRIVERS:
        run(drv, work)
    if failed and os.environ.get("RANDOM_KEEP"):
        print("# kept: %s (the sandbox's logs in %s/*/log)" % (work, work))
    else:
        subprocess.run(["rm", "-rf", work])
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

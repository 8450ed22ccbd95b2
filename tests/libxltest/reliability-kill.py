#!/usr/bin/env python3
"""SIGKILL torture (issue 17, item 2), TAP.

libvirtd is killed (SIGKILL) at a random moment of a random operation on one
of four persistent PV guests (start, shutdown, destroy, save, restore,
managed save and the start that resumes it, disk hotplug and unplug), while
the operation's virsh waits, then started again on the same state
(`scripts/sandbox restart --kill`).  The simulated host's latencies make
each operation last a few hundred milliseconds, so that the kill falls
inside it.  After every restart:

  - every guest is still defined (no domain lost);
  - each guest's state in libvirt agrees with the simulated host's (running
    or paused in both with the same domid, or absent from Xen and shut
    off), and Xen has no domain libvirt does not know (no orphan);
  - no job is left behind (domjobinfo: None);
  - no partial save image is left (what a save writes until it is
    complete); a save image is either complete (restorable: save-image-dumpxml reads
    it, and the guest it holds is no longer running) or gone; a guest whose
    save was cut short runs on; a managed save image exists exactly when
    the guest is shut off with "Managed save: yes";
  - after the kills, every guest still starts, runs and is destroyed.

    KILL_ROUNDS=10 (default; make check)   kills per module
    KILL_ROUNDS=100                         the long form
    KILL_SEED=N                             the random sequence (printed)
    KILL_DRIVERS="ours"                     the modules ("ours stock": the
                                            stock module's figures, for reading)
Figure: kills, inconsistencies (each one a "not ok" line with its details).
"""
import os
import random
import re
import subprocess
import sys
import tempfile
import time

top_srcdir = os.environ["top_srcdir"]
top_builddir = os.environ.get("top_builddir", top_srcdir)
sandbox = os.path.join(top_srcdir, "scripts", "sandbox")
xensimctl = os.path.join(top_builddir, "xensim", "xensimctl")

ROUNDS = int(os.environ.get("KILL_ROUNDS", "10"))
SEED = int(os.environ.get("KILL_SEED", str(int(time.time()) % 100000)))
DRIVERS = os.environ.get("KILL_DRIVERS", "ours").split()
GUESTS = ["kt-%d" % k for k in range(4)]
HOST_CFG = """build_delay_ms = 300
shutdown_delay_ms = 300
destroy_delay_ms = 150
save_rate_mib_s = 256
"""

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


def sh(*args, timeout=120):
    try:
        p = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
        return p.returncode, (p.stdout + p.stderr).strip()
    except subprocess.TimeoutExpired:
        return 124, "timed out after %d s: %s" % (timeout, " ".join(args))


class Host:
    def __init__(self, drv, work):
        self.drv = drv
        self.work = work
        self.sb = os.path.join(work, drv)
        self.uri = None

    def virsh(self, *args, timeout=120):
        return sh("virsh", "-c", self.uri, *args, timeout=timeout)

    def xen(self):
        """{name: (domid, state)} of the simulated host, Domain-0 left out."""
        rc, out = sh(xensimctl, "--dir", os.path.join(self.sb, "xensim"), "list")
        doms = {}
        for line in out.splitlines()[1:]:
            f = line.split()
            if len(f) >= 3 and f[1] != "Domain-0":
                doms[f[1]] = (f[0], f[2])
        return doms

    def libvirt(self):
        """{name: (domid or '-', state)} as virsh list --all shows them."""
        rc, out = self.virsh("list", "--all")
        doms = {}
        for line in out.splitlines()[2:]:
            m = re.match(r"\s*(\S+)\s+(\S+)\s+(.+?)\s*$", line)
            if m:
                doms[m.group(2)] = (m.group(1), m.group(3))
        return doms

    def image(self, g):
        return os.path.join(self.work, "%s-%s.save" % (self.drv, g))


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


def choose(h, rnd, states):
    """A guest and an operation its state allows."""
    g = rnd.choice(GUESTS)
    st = states.get(g, ("-", "?"))[1]
    img = h.image(g)
    if st == "running":
        ops = ["shutdown", "destroy", "save", "managedsave", "attach", "detach"]
    elif st == "paused":
        ops = ["destroy", "save"]
    elif os.path.exists(img):
        ops = ["restore"]
    else:
        ops = ["start"]
    return g, rnd.choice(ops)


def command(h, g, op):
    img = h.image(g)
    extra = os.path.join(h.work, "%s-%s-xvdb.img" % (h.drv, g))
    return {
        "start": ["start", g],
        "shutdown": ["shutdown", g],
        "destroy": ["destroy", g],
        "save": ["save", g, img],
        "restore": ["restore", img],
        "managedsave": ["managedsave", g],
        "attach": ["attach-disk", g, extra, "xvdb", "--live"],
        "detach": ["detach-disk", g, "xvdb", "--live"],
    }[op]


def check(h, rnd_round, what):
    """The consistency checks after a restart: a list of problems."""
    problems = []
    lv = {}
    xen = {}
    # the daemon may still be settling a guest it found (a shutdown that
    # completed meanwhile): the first look that agrees counts
    for _ in range(20):
        lv, xen = h.libvirt(), h.xen()
        problems = compare(h, lv, xen)
        if not problems:
            break
        time.sleep(0.25)
    for g in GUESTS:
        rc, out = h.virsh("domjobinfo", g)
        if rc != 0 or not re.search(r"Job type:\s+None", out):
            problems.append("%s: a job is left: %s" % (g, out))
        img = h.image(g)
        st = lv.get(g, ("-", "?"))[1]
        if os.path.exists(img):
            rc, out = h.virsh("save-image-dumpxml", img)
            if rc != 0:
                problems.append("%s: the save image %s is not readable: %s" % (g, img, out))
            elif st != "shut off":
                problems.append("%s: a save image exists, but the guest is %s" % (g, st))
        rc, out = h.virsh("dominfo", g)
        managed = re.search(r"Managed save:\s+yes", out) is not None
        mpath = os.path.join(h.sb, "lib", "libxl", "save", "%s.save" % g)
        if managed and st != "shut off":
            problems.append("%s: managed save image, but the guest is %s" % (g, st))
        if managed != os.path.exists(mpath):
            problems.append("%s: dominfo says managed save %s, the file %s %s"
                            % (g, "yes" if managed else "no", mpath,
                               "exists" if os.path.exists(mpath) else "does not exist"))
    # what a save, a managed save or a dump writes until it is complete
    for d in (h.work, os.path.join(h.sb, "lib", "libxl", "save")):
        for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
            if ".partial" in f:
                problems.append("a partial image is left behind: %s" % os.path.join(d, f))
    return problems, lv


def compare(h, lv, xen):
    problems = []
    for g in GUESTS:
        if g not in lv:
            problems.append("%s: no longer defined (lost)" % g)
            continue
        lid, lst = lv[g]
        if g in xen:
            xid, xst = xen[g]
            want = "paused" if xst == "paused" else "running"
            if lst != want or lid != xid:
                problems.append("%s: libvirt says %s (id %s), Xen has it %s (domid %s)"
                                % (g, lst, lid, xst, xid))
        elif lst not in ("shut off",):
            problems.append("%s: libvirt says %s (id %s), Xen has no such domain" % (g, lst, lid))
    for name in xen:
        if name not in lv:
            problems.append("%s: in Xen (domid %s), unknown to libvirt (orphan)" % (name, xen[name][0]))
    return problems


def torture(drv, work):
    h = Host(drv, work)
    cfg = os.path.join(work, "host.cfg")
    with open(cfg, "w") as f:
        f.write(HOST_CFG)
    rc, out = sh(sandbox, "up", h.sb, "--driver=%s" % drv, "--xensim-config=%s" % cfg, timeout=300)
    if not report(rc == 0, "%s: sandbox up" % drv, out):
        return
    h.uri = out.strip().splitlines()[-1]
    try:
        run_rounds(h)
    finally:
        sh(sandbox, "down", h.sb, timeout=300)


def run_rounds(h):
    drv = h.drv
    rnd = random.Random(SEED)
    for g in GUESTS:
        with open(os.path.join(h.work, "%s.img" % g), "wb") as f:
            f.truncate(16 << 20)
        with open(os.path.join(h.work, "%s-%s-xvdb.img" % (drv, g)), "wb") as f:
            f.truncate(16 << 20)
        x = os.path.join(h.work, "%s.xml" % g)
        with open(x, "w") as f:
            f.write(guest_xml(g, h.work))
        rc, out = h.virsh("define", x)
        rc2, out2 = h.virsh("start", g)
        if rc or rc2:
            report(False, "%s: define and start %s" % (drv, g), out + "\n" + out2)
            return
    kills = 0
    incons = 0
    ops = {}
    lv = h.libvirt()
    for r in range(ROUNDS):
        g, op = choose(h, rnd, lv)
        delay = rnd.uniform(0.0, 0.45)
        args = command(h, g, op)
        client = subprocess.Popen(["virsh", "-c", h.uri] + args,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(delay)
        rc, out = sh(sandbox, "restart", h.sb, "--kill", timeout=300)
        if rc != 0:
            report(False, "%s: round %d: libvirtd back after the kill" % (drv, r), out)
            return
        kills += 1
        try:
            cout, _ = client.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            client.kill()
            cout = "(virsh still waiting after 60 s)"
        ops[op] = ops.get(op, 0) + 1
        what = "round %d: %s %s, killed after %.0f ms" % (r, op, g, delay * 1000)
        print("# %s: %s; virsh: %s" % (drv, what, " / ".join(cout.strip().splitlines()) or "-"),
              flush=True)
        problems, lv = check(h, r, what)
        if problems:
            incons += len(problems)
            report(False, "%s: %s: state consistent after the restart" % (drv, what),
                   "\n".join(problems))
        # a guest whose save image is complete comes back for the next rounds
        for gg in GUESTS:
            if os.path.exists(h.image(gg)) and lv.get(gg, ("-", ""))[1] == "shut off" and rnd.random() < 0.5:
                rc, out = h.virsh("restore", h.image(gg))
                if rc == 0:
                    os.unlink(h.image(gg))
        lv = h.libvirt()
    print("# %s: seed %d, %d kills (%s), %d inconsistencies"
          % (drv, SEED, kills, ", ".join("%s %d" % kv for kv in sorted(ops.items())), incons))
    report(incons == 0, "%s: %d kills at random points, no inconsistency" % (drv, kills),
           "%d inconsistencies (above)" % incons)
    # every guest still works
    bad = []
    for g in GUESTS:
        st = lv.get(g, ("-", "?"))[1]
        if st == "shut off" and os.path.exists(h.image(g)):
            rc, out = h.virsh("restore", h.image(g))
        elif st == "shut off":
            rc, out = h.virsh("start", g)
        else:
            rc, out = 0, ""
        if rc == 0:
            rc, out = h.virsh("destroy", g)
        if rc == 0:
            rc, out = h.virsh("undefine", g, "--managed-save")
        if rc != 0:
            bad.append("%s: %s" % (g, out))
    report(not bad, "%s: every guest starts, is destroyed and undefined after the kills" % drv,
           "\n".join(bad))
    left = h.xen()
    report(not left, "%s: no domain left in Xen" % drv, left)


def main():
    if os.geteuid() != 0:
        print("1..0 # SKIP sandboxes need root")
        return 0
    print("# KILL_SEED=%d KILL_ROUNDS=%d" % (SEED, ROUNDS), flush=True)
    work = tempfile.mkdtemp(prefix="xl-kill.")
    with open(os.path.join(work, "vmlinuz"), "wb") as f:
        f.write(b"\0" * 4096)
    for drv in DRIVERS:
        torture(drv, work)
    subprocess.run(["rm", "-rf", work])
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

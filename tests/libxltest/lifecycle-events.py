#!/usr/bin/env python3
# Lifecycle events through the Python binding, checked by a listener with an
# event loop of its own, with our module and the stock one:
#   - every start, suspend, resume, guest shutdown, destroy reaches the
#     listener exactly once, in order; also with many domains shutting
#     down at once;
#   - guests that never acknowledge a shutdown request hold up no other
#     domain's events;
#   - seed bug (2013): a console opened right after the domain starts works
#     (the per-domain console mutex exists from the start);
#   - the domain's job is visible (jobInfo) and queries answer meanwhile.
# TAP on stdout.
import os
import subprocess
import sys
import tempfile
import threading
import time

import libvirt

top_srcdir = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
top_builddir = os.environ.get("top_builddir", top_srcdir)
sandbox = os.path.join(top_srcdir, "scripts", "sandbox")

n = 0
failed = 0
todo = None


def ok(cond, desc, detail=""):
    global n, failed
    n += 1
    suffix = " # TODO %s" % todo if todo else ""
    if cond:
        print("ok %d - %s%s" % (n, desc, suffix))
    else:
        if not todo:
            failed += 1
        print("not ok %d - %s%s" % (n, desc, suffix))
        for line in str(detail).splitlines():
            print("# " + line)
    sys.stdout.flush()


def xml(kind, name, d):
    if kind == "pv":
        os_xml = "<type>linux</type><kernel>%s/vmlinuz</kernel>" % d
        cons = "<console type='pty'/>"
        feats = ""
    elif kind == "pvh":
        os_xml = "<type>xenpvh</type><kernel>%s/vmlinuz</kernel>" % d
        cons = "<console type='pty'/>"
        feats = ""
    else:
        os_xml = "<type>hvm</type><boot dev='hd'/>"
        cons = "<serial type='pty'/><console type='pty'/>"
        feats = "<features><acpi/><apic/><pae/></features>"
    return """<domain type='xen'><name>%s</name><memory unit='MiB'>64</memory>
<vcpu>1</vcpu><os>%s</os>%s<devices>%s</devices></domain>""" % (name, os_xml, feats, cons)


class Listener:
    def __init__(self, conn):
        self.lock = threading.Lock()
        self.events = []
        self.cb = conn.domainEventRegisterAny(
            None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, self.lifecycle, None)

    def lifecycle(self, conn, dom, event, detail, opaque):
        with self.lock:
            self.events.append((dom.name(), event, detail))

    def of(self, name):
        with self.lock:
            return [(e, d) for (nm, e, d) in self.events if nm == name]

    def wait(self, name, count, secs=10):
        end = time.time() + secs
        while time.time() < end:
            if len(self.of(name)) >= count:
                return True
            time.sleep(0.05)
        return False


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


E = libvirt


def scenario(drv, uri, d):
    global todo
    conn = libvirt.open(uri)
    lst = Listener(conn)
    for kind in ("pv", "pvh", "hvm"):
        name = "ev-%s" % kind
        t = "%s/%s" % (drv, kind)
        try:
            dom = conn.createXML(xml(kind, name, d), 0)
        except libvirt.libvirtError as e:
            ok(False, "%s: create" % t, e)
            continue
        # seed bug: the console right after start
        try:
            st = conn.newStream(0)
            dom.openConsole(None, st, 0)
            st.abort()
            ok(True, "%s: console opens right after start" % t)
        except libvirt.libvirtError as e:
            ok(False, "%s: console opens right after start" % t, e)
        ok(dom.jobInfo()[0] == libvirt.VIR_DOMAIN_JOB_NONE, "%s: no job once started" % t)
        dom.suspend()
        dom.resume()
        dom.shutdown()
        end = time.time() + 15
        while time.time() < end:
            try:
                conn.lookupByName(name)
            except libvirt.libvirtError:
                break
            time.sleep(0.1)
        ok(lst.wait(name, 4), "%s: at least four lifecycle events" % t, lst.of(name))
        time.sleep(0.5)
        evs = lst.of(name)
        got = [e for (e, _d) in evs]
        want = [E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_SUSPENDED,
                E.VIR_DOMAIN_EVENT_RESUMED, E.VIR_DOMAIN_EVENT_SHUTDOWN,
                E.VIR_DOMAIN_EVENT_STOPPED]
        # stock's guest shutdown is one STOPPED event, no SHUTDOWN
        todo = "stock: no SHUTDOWN event of a guest shutdown" if drv == "stock" else None
        ok(got == want,
           "%s: started, suspended, resumed, shutdown, stopped, each once" % t, evs)
        todo = None
        ok(got.count(E.VIR_DOMAIN_EVENT_STOPPED) == 1, "%s: exactly one stopped event" % t, evs)
        ok((E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN) in evs,
           "%s: stopped because of a shutdown" % t, evs)
    conn.domainEventDeregisterAny(lst.cb)
    conn.close()


def xensimctl(sb, *args):
    return subprocess.run([os.path.join(top_builddir, "xensim", "xensimctl"),
                           "--dir", os.path.join(sb, "xensim")] + list(args),
                          capture_output=True, text=True)


def wait_gone(conn, names, secs):
    end = time.time() + secs
    left = set(names)
    while left and time.time() < end:
        for nm in list(left):
            try:
                conn.lookupByName(nm)
            except libvirt.libvirtError:
                left.discard(nm)
        time.sleep(0.1)
    return not left


def check_order(drv, lst, names, what, destroyed=()):
    """every domain's events: started, shutdown, stopped (shutdown; or
    destroyed for those in @destroyed), once"""
    global todo
    want = [(E.VIR_DOMAIN_EVENT_STARTED, E.VIR_DOMAIN_EVENT_STARTED_BOOTED),
            (E.VIR_DOMAIN_EVENT_SHUTDOWN, E.VIR_DOMAIN_EVENT_SHUTDOWN_GUEST),
            (E.VIR_DOMAIN_EVENT_STOPPED, E.VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN)]

    def good(nm):
        evs = lst.of(nm)
        if nm in destroyed:
            return (evs[:-1] == want[:-1] and
                    evs[-1] in (want[-1], (E.VIR_DOMAIN_EVENT_STOPPED,
                                           E.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)))
        return evs == want
    bad = ["%s: %s" % (nm, lst.of(nm)) for nm in names if not good(nm)]
    todo = "stock: no SHUTDOWN event of a guest shutdown" if drv == "stock" else None
    ok(not bad, "%s: %s: each domain's events in order, each once" % (drv, what),
       "\n".join(bad))
    todo = None


def many(drv, uri, sb, d):
    """many domains shutting down at once; guests that never acknowledge a
    shutdown request do not hold up the events of the others"""
    global todo
    conn = libvirt.open(uri)
    lst = Listener(conn)
    names = ["evm-%02d" % i for i in range(12)]
    doms = []
    for nm in names:
        try:
            doms.append(conn.createXML(xml("pv", nm, d), 0))
        except libvirt.libvirtError as e:
            ok(False, "%s: create %s" % (drv, nm), e)
            return
    threads = [threading.Thread(target=dom.shutdown) for dom in doms]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    ok(wait_gone(conn, names, 20), "%s: twelve domains shut down at once" % drv)
    time.sleep(0.5)
    check_order(drv, lst, names, "twelve at once")

    # nine hung guests: each one's shutdown request waits (libxl: 60 s at
    # most) for an acknowledgement that does not come, holding its job;
    # then each guest powers off: its events wait for its job
    hung = ["evh-%d" % i for i in range(9)]
    hdoms = []
    for nm in hung:
        try:
            hdoms.append(conn.createXML(xml("pv", nm, d), 0))
        except libvirt.libvirtError as e:
            ok(False, "%s: create %s" % (drv, nm), e)
            return
        xensimctl(sb, "guest", nm, "set", "ack-requests", "off")

    def request(dom):
        try:
            dom.shutdown()
        except libvirt.libvirtError:
            pass
    threads = [threading.Thread(target=request, args=(dom,)) for dom in hdoms]
    for th in threads:
        th.start()
    time.sleep(1)
    for nm in hung:
        xensimctl(sb, "guest", nm, "poweroff")
    time.sleep(1)
    try:
        free = conn.createXML(xml("pv", "evh-free", d), 0)
        t0 = time.time()
        xensimctl(sb, "guest", "evh-free", "poweroff")
        ok(wait_gone(conn, ["evh-free"], 5),
           "%s: another guest's poweroff is handled meanwhile (%.1f s)" % (drv, time.time() - t0),
           lst.of("evh-free"))
    except libvirt.libvirtError as e:
        ok(False, "%s: another guest starts meanwhile" % drv, e)
    # then xl destroys them: a DEATH follows each SHUTDOWN, both waiting for
    # the domain's job; the SHUTDOWN must be handled first
    for dom in hdoms:
        subprocess.run([os.path.join(top_builddir, "tests", "libxltest", "xensim-xl"),
                        "destroy", str(dom.ID())],
                       env=dict(os.environ, XENSIM_DIR=os.path.join(sb, "xensim")),
                       capture_output=True)
    time.sleep(0.5)
    # the hung guests come back: the requests end, their events follow
    for nm in hung:
        xensimctl(sb, "guest", nm, "set", "ack-requests", "on")
    for th in threads:
        th.join()
    ok(wait_gone(conn, hung, 20), "%s: the hung guests are shut off in the end" % drv)
    time.sleep(0.5)
    check_order(drv, lst, hung + ["evh-free"], "hung guests", destroyed=hung)
    conn.domainEventDeregisterAny(lst.cb)
    conn.close()


def main():
    global todo
    if os.getuid() != 0:
        print("1..0 # SKIP sandboxes need root")
        return 0
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=loop, daemon=True).start()
    work = tempfile.mkdtemp(prefix="xl-lcev.")
    with open(os.path.join(work, "vmlinuz"), "wb") as f:
        f.write(b"\0" * 4096)
    for drv in ("ours", "stock"):
        sb = os.path.join(work, "sb-" + drv)
        # /var/lock is /run/lock: console locks (virChrdevOpen) go there
        os.makedirs(os.path.join(sb, "run", "lock"), exist_ok=True)
        try:
            uri = subprocess.run([sandbox, "up", sb, "--driver=" + drv, "--host=sim"],
                                 check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        except subprocess.CalledProcessError as e:
            ok(False, "%s: sandbox up" % drv, e.stderr)
            continue
        try:
            if drv == "ours":
                try:
                    c = libvirt.open(uri)
                    c.createXML(xml("pv", "ev-probe", work), 0).destroy()
                    c.close()
                except libvirt.libvirtError as e:
                    r = subprocess.run(["grep", "-rqs", "libxl_domain_create_new.*not implemented", sb])
                    if r.returncode == 0 or "not implemented" in str(e):
                        print("1..0 # SKIP the simulated host cannot create domains yet")
                        return 0
                    ok(False, "ours: probe domain", e)
            todo = None
            scenario(drv, uri, work)
            many(drv, uri, sb, work)
        finally:
            subprocess.run([sandbox, "down", sb], capture_output=True)
    subprocess.run(["rm", "-rf", work])
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

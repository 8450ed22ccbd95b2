#!/usr/bin/env python3
# Consoles as an administrator uses them, with our module and the stock one,
# on the simulated host (each console, serial port and channel is a pty with
# a small simulated guest behind it):
#   - `virsh console` in a real terminal (a pty this test holds the other
#     side of) on PV, PVH and HVM guests: the guest's login prompt, a
#     command typed and the guest's answer, Ctrl-] to leave;
#   - the same through the Python binding's openConsole on a stream;
#   - --devname for every console, serial port and channel (by alias), the
#     live XML naming each device and its pty, `virsh ttyconsole`;
#   - --force: a second client takes the console over and the first one
#     reads a clean end of stream; without --force the second is refused;
#     --safe is refused with a reason;
#   - errors: a stopped domain, an unknown devname, a domain without console;
#   - consoles after a libvirtd restart, and a client's stream ending
#     cleanly when its domain is destroyed or powers off (after the guest's
#     shutdown text).
# What the stock module does not do is recorded (TODO) in STOCK_KNOWN; any
# other failure, with either module, fails the test.  TAP on stdout.
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

import libvirt

top_srcdir = os.environ.get("top_srcdir", os.path.join(os.path.dirname(__file__), "..", ".."))
sandbox = os.path.join(top_srcdir, "scripts", "sandbox")
top_builddir = os.environ.get("top_builddir", top_srcdir)
xensimctl = os.path.join(top_builddir, "xensim", "xensimctl")

# check key -> why the stock module fails it (recorded, not required)
STOCK_KNOWN = {
    "alias": "PV consoles and channels get no alias (virt-manager and --devname cannot name them)",
    "devname-channel": "channels have no alias: --devname cannot reach them",
    "force-clean": "the first client's stream is aborted ('stream had I/O failure')",
    "safe-reason": "--safe fails as 'unsupported flags (0x2)', without a reason",
    "err-none": "a domain without console: 'cannot find character device <null>'",
    "late-pty": "a pty libxl could not give at the start is never asked for again",
}

n = 0
failed = 0
drv = None


def ok(cond, desc, detail="", key=None):
    global n, failed
    n += 1
    reason = STOCK_KNOWN.get(key) if drv == "stock" and key else None
    if reason:
        if cond:
            failed += 1
            print("ok %d - %s # TODO stock: %s (now passes: update STOCK_KNOWN)" % (n, desc, reason))
        else:
            print("not ok %d - %s # TODO stock: %s" % (n, desc, reason))
    elif cond:
        print("ok %d - %s" % (n, desc))
    else:
        failed += 1
        print("not ok %d - %s" % (n, desc))
    if not cond:
        for line in str(detail).splitlines()[-30:]:
            print("# " + line)
    sys.stdout.flush()
    return cond


# ------------------------------------------------------------- terminal

class Term:
    """A program on a pty: what it writes is read back from the master."""

    def __init__(self, argv):
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        os.set_blocking(self.master, False)
        self.out = b""
        self.eof = False

    def _read(self, timeout):
        if self.eof:
            return False
        r, _, _ = select.select([self.master], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return False
        except OSError:         # EIO: the program closed the terminal
            data = b""
        if not data:
            self.eof = True
            return False
        self.out += data
        return True

    def expect(self, pattern, timeout=10, start=0):
        """Wait for @pattern (bytes regex) in the output after @start."""
        end = time.time() + timeout
        rx = re.compile(pattern)
        while True:
            m = rx.search(self.out, start)
            if m:
                return m
            left = end - time.time()
            if left <= 0 or (self.eof and not self._read(0)):
                return None
            self._read(min(left, 0.2))

    def send(self, data):
        # a program that went away leaves a pty nobody reads: never block
        try:
            os.write(self.master, data)
        except (BlockingIOError, OSError):
            pass

    def wait(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            self._read(0.1)
            if self.proc.poll() is not None:
                while self._read(0.05):
                    pass
                return self.proc.returncode
        return None

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)

    def text(self):
        return self.out.decode("utf-8", "replace")


def virsh_term(uri, *args):
    return Term(["virsh", "-c", uri] + list(args))


def poke(t, pattern, timeout=10, start=0, data=b"\r"):
    """Press Enter (or type @data) until @pattern shows: virsh flushes what
    was typed before its console was connected."""
    end = time.time() + timeout
    while time.time() < end:
        t.send(data)
        m = t.expect(pattern, 1, start)
        if m:
            return m
    return None


def login_and_ask(t, name, word, start=0):
    """Over a guest console: get the login prompt, log in, run `echo WORD`,
    return whether the guest's answer (not the echo of what was typed)
    came back."""
    # a previous client may have left the guest logged in
    shell = rb"root@" + re.escape(name.encode()) + rb":~# "
    m = poke(t, re.escape(name.encode()) + rb" login: |" + shell, 10, start)
    if not m:
        return False, "no login prompt"
    if m.group(0).endswith(b"login: "):
        t.send(b"root\r")
        m = t.expect(shell, 10, m.end())
        if not m:
            return False, "no shell prompt"
    t.send(b"echo " + word + b"\r")
    if not t.expect(rb"\r\n" + re.escape(word) + rb"\r\n", 10, m.end()):
        return False, "no answer to echo"
    return True, ""


# ------------------------------------------------------------- streams

class Stream:
    """A console through virDomainOpenConsole, read from the event loop."""

    def __init__(self, conn, dom, dev=None, flags=0):
        self.buf = b""
        self.end = None         # "eof" or "error: ..."
        self.lock = threading.Lock()
        self.st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
        dom.openConsole(dev, self.st, flags)
        self.st.eventAddCallback(libvirt.VIR_STREAM_EVENT_READABLE |
                                 libvirt.VIR_STREAM_EVENT_ERROR |
                                 libvirt.VIR_STREAM_EVENT_HANGUP, self._event, None)

    def _event(self, st, events, opaque):
        while True:
            try:
                r = st.recv(65536)
            except libvirt.libvirtError as e:
                with self.lock:
                    self.end = "error: %s" % e
                st.eventRemoveCallback()
                return
            if r == -2:
                return
            if len(r) == 0:
                with self.lock:
                    self.end = "eof"
                st.eventRemoveCallback()
                return
            with self.lock:
                self.buf += r

    def send(self, data):
        self.st.send(data)

    def expect(self, pattern, timeout=10, start=0):
        rx = re.compile(pattern)
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                m = rx.search(self.buf, start)
                done = self.end
            if m:
                return m
            if done:
                return None
            time.sleep(0.05)
        return None

    def wait_end(self, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if self.end:
                    return self.end
            time.sleep(0.05)
        return None

    def close(self):
        with self.lock:
            ended = self.end is not None
        try:
            if not ended:
                self.st.eventRemoveCallback()
            self.st.abort()
        except libvirt.libvirtError:
            pass


def stream_login(s, name, word):
    return login_and_ask(s, name, word)


# ------------------------------------------------------------- guests

def guest_xml(kind, name, d):
    chan = ("<channel type='pty'><target type='xen' name='org.example.ping'/></channel>")
    if kind == "pv":
        os_xml = "<type>linux</type><kernel>%s/vmlinuz</kernel><cmdline>console=hvc0</cmdline>" % d
        devs = "<console type='pty'><target type='xen' port='0'/></console>" + chan
        feats = ""
    elif kind == "pvh":
        os_xml = "<type>xenpvh</type><kernel>%s/vmlinuz</kernel>" % d
        devs = "<console type='pty'><target type='xen' port='0'/></console>" + chan
        feats = ""
    elif kind == "hvm":
        os_xml = "<type>hvm</type><boot dev='hd'/>"
        devs = "<serial type='pty'><target port='0'/></serial><console type='pty'/>" + chan
        feats = "<features><acpi/><apic/><pae/></features>"
    else:                       # an HVM guest without any console
        os_xml = "<type>hvm</type><boot dev='hd'/>"
        devs = ""
        feats = "<features><acpi/><apic/><pae/></features>"
    return """<domain type='xen'><name>%s</name><memory unit='MiB'>64</memory>
<vcpu>1</vcpu><os>%s</os>%s<devices>%s</devices></domain>""" % (name, os_xml, feats, devs)


def chardevs(dom):
    """(element tag, alias, tty) of every console, serial port and channel
    of the live XML."""
    root = ET.fromstring(dom.XMLDesc(0))
    out = []
    for tag in ("console", "serial", "channel"):
        for e in root.findall("./devices/" + tag):
            alias = e.find("alias")
            src = e.find("source")
            tty = e.get("tty") or (src.get("path") if src is not None else None)
            out.append((tag, alias.get("name") if alias is not None else None, tty))
    return out


# ------------------------------------------------------------- the checks

def kind_checks(uri, conn, kind, d):
    name = "con-" + kind
    t = "%s/%s" % (drv, kind)
    try:
        dom = conn.createXML(guest_xml(kind, name, d), 0)
    except libvirt.libvirtError as e:
        ok(False, "%s: create" % t, e)
        return
    # the guest's console daemon publishes the ptys a little after the start
    time.sleep(0.3)

    devs = chardevs(dom)
    ok(all(a for (_t, a, _p) in devs), "%s: every console, serial port and channel has an alias" % t,
       devs, key="alias")
    ok(all(p and p.startswith("/dev/pts/") for (_t, _a, p) in devs),
       "%s: every console, serial port and channel shows its pty" % t, devs, key="pty-" + kind)
    r = subprocess.run(["virsh", "-c", uri, "ttyconsole", name], capture_output=True, text=True)
    cons = [p for (tg, _a, p) in devs if tg == "console"]
    ok(r.returncode == 0 and cons and r.stdout.strip() == cons[0],
       "%s: ttyconsole is the console's pty" % t, r.stdout + r.stderr + str(devs))

    # virsh console in a terminal: prompt, command, answer, Ctrl-]
    term = virsh_term(uri, "console", name)
    try:
        ok(term.expect(rb"Escape character is \^\]") is not None,
           "%s: virsh console connects" % t, term.text())
        good, why = login_and_ask(term, name, b"tty-" + kind.encode())
        ok(good, "%s: virsh console: login prompt, command, the guest's answer" % t,
           why + "\n" + term.text())
        term.send(b"\x1d")
        rc = term.wait(10)
        ok(rc == 0, "%s: Ctrl-] leaves virsh console (exit 0)" % t, "rc=%s\n%s" % (rc, term.text()))
    finally:
        term.close()

    # the Python binding
    try:
        s = Stream(conn, dom)
        good, why = stream_login(s, name, b"py-" + kind.encode())
        ok(good, "%s: openConsole: prompt, command, answer" % t, why + "\n" + s.buf.decode("utf-8", "replace"))
        s.close()
    except libvirt.libvirtError as e:
        ok(False, "%s: openConsole: prompt, command, answer" % t, e)
    time.sleep(0.2)

    # every device by its alias
    for (tag, alias, _p) in devs:
        if not alias:
            ok(False, "%s: openConsole --devname (no alias for a %s)" % (t, tag), devs, key="alias")
            continue
        try:
            s = Stream(conn, dom, alias)
            if tag == "channel":
                s.send(b"ping\r")
                good = s.expect(rb"pong") is not None
            else:
                s.send(b"\r")
                good = s.expect(rb"(login: |:~# )") is not None
            ok(good, "%s: openConsole devname %s (%s) reaches the guest" % (t, alias, tag),
               s.buf.decode("utf-8", "replace"), key="devname-" + tag)
            s.close()
        except libvirt.libvirtError as e:
            ok(False, "%s: openConsole devname %s (%s) reaches the guest" % (t, alias, tag), e,
               key="devname-" + tag)
        time.sleep(0.1)

    if kind != "pv":
        dom.destroy()
        return

    # --devname through virsh in a terminal: the channel
    term = virsh_term(uri, "console", name, "--devname", "channel0")
    try:
        term.expect(rb"Escape character is \^\]")
        ok(poke(term, rb"pong", data=b"ping\r") is not None, "%s: virsh console --devname channel0 answers" % t,
           term.text(), key="devname-channel")
        term.send(b"\x1d")
        term.wait(5)
    finally:
        term.close()

    # --force: the second client takes over, the first one ends cleanly
    first = virsh_term(uri, "console", name)
    second = None
    try:
        first.expect(rb"Escape character is \^\]")
        ok(poke(first, rb"(login: |:~# )") is not None, "%s: a first client is connected" % t, first.text())
        busy = virsh_term(uri, "console", name)
        rc = busy.wait(10)
        ok(rc not in (0, None) and re.search(r"in use|[Aa]ctive console session", busy.text()),
           "%s: a second client without --force is refused" % t, busy.text())
        busy.close()
        second = virsh_term(uri, "console", name, "--force")
        ok(second.expect(rb"Escape character is \^\]") is not None,
           "%s: virsh console --force connects" % t, second.text())
        rc = first.wait(10)
        ok(rc == 0 and "error" not in first.text(),
           "%s: the first client's virsh console ends cleanly (exit 0, no error)" % t,
           "rc=%s\n%s" % (rc, first.text()), key="force-clean")
        ok(poke(second, rb"(login: |:~# )") is not None, "%s: the guest answers the new client" % t,
           second.text())
        second.send(b"\x1d")
        second.wait(5)
    finally:
        first.close()
        if second:
            second.close()

    # the same through the binding: the first stream reads its end
    try:
        s1 = Stream(conn, dom)
        conn2 = libvirt.open(uri)
        try:
            try:
                Stream(conn2, conn2.lookupByName(name))
                ok(False, "%s: openConsole without FORCE on a busy console fails" % t)
            except libvirt.libvirtError as e:
                ok(True, "%s: openConsole without FORCE on a busy console fails" % t)
                ok(re.search(r"in use|[Aa]ctive console session", str(e)) is not None,
                   "%s: ... saying it is in use" % t, e)
            s2 = Stream(conn2, conn2.lookupByName(name), None, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
            end = s1.wait_end(10)
            ok(end == "eof", "%s: FORCE: the first stream reads a clean end of stream" % t,
               "first stream: %s" % end, key="force-clean")
            s2.send(b"\r")
            ok(s2.expect(rb"(login: |:~# )") is not None, "%s: FORCE: the new stream reaches the guest" % t,
               s2.buf)
            s2.close()
        finally:
            conn2.close()
        s1.close()
    except libvirt.libvirtError as e:
        ok(False, "%s: FORCE through the binding" % t, e)

    # --safe
    term = virsh_term(uri, "console", name, "--safe")
    rc = term.wait(10)
    ok(rc not in (0, None), "%s: virsh console --safe is refused" % t, term.text())
    ok(re.search(r"safe console access cannot be guaranteed", term.text()) is not None,
       "%s: ... with the reason" % t, term.text(), key="safe-reason")
    term.close()

    # errors
    term = virsh_term(uri, "console", name, "--devname", "nosuchdev")
    rc = term.wait(10)
    ok(rc not in (0, None) and re.search(r"nosuchdev", term.text().split("Escape character", 1)[-1]),
       "%s: an unknown devname is named in the error" % t, term.text(), key="err-devname")
    term.close()

    # a client connected while the domain is destroyed: a clean end
    term = virsh_term(uri, "console", name)
    try:
        term.expect(rb"Escape character is \^\]")
        ok(poke(term, rb"(login: |:~# )") is not None, "%s: a client is connected" % t, term.text())
        dom.destroy()
        rc = term.wait(10)
        ok(rc == 0 and "error" not in term.text(),
           "%s: destroying the domain ends a connected virsh console cleanly" % t,
           "rc=%s\n%s" % (rc, term.text()), key="stop-clean")
    finally:
        term.close()


def error_checks(uri, conn, d):
    t = drv
    # a stopped domain
    conn.defineXML(guest_xml("pv", "con-off", d))
    term = virsh_term(uri, "console", "con-off")
    rc = term.wait(10)
    ok(rc not in (0, None) and re.search(r"not running", term.text()),
       "%s: console of a stopped domain: 'not running'" % t, term.text())
    term.close()
    conn.lookupByName("con-off").undefine()

    # no console at all
    dom = conn.createXML(guest_xml("none", "con-none", d), 0)
    term = virsh_term(uri, "console", "con-none")
    rc = term.wait(10)
    ok(rc not in (0, None) and re.search(r"has no console", term.text()),
       "%s: a domain without console: 'has no console'" % t, term.text(), key="err-none")
    term.close()
    dom.destroy()


def late_pty_checks(uri, conn, sb, d):
    """libxl cannot give the ptys at the start (the console daemon has not
    published them yet): the live XML still shows them afterwards."""
    t = drv
    ctl = [xensimctl, "--dir", os.path.join(sb, "xensim"), "fault", "set"]
    subprocess.run(ctl + ["libxl_console_get_tty", "ERROR_FAIL", "once"], check=True)
    subprocess.run(ctl + ["libxl_device_channel_getinfo", "ERROR_FAIL", "once"], check=True)
    dom = conn.createXML(guest_xml("pv", "con-late", d), 0)
    left = subprocess.run([xensimctl, "--dir", os.path.join(sb, "xensim"), "fault", "list"],
                          capture_output=True, text=True).stdout
    ok("libxl_console_get_tty" not in left, "%s: the start met a console pty not published yet" % t, left)
    devs = chardevs(dom)
    ok(len(devs) == 2 and all(p and p.startswith("/dev/pts/") for (_t, _a, p) in devs),
       "%s: the live XML shows the ptys published after the start" % t, devs, key="late-pty")
    try:
        s = Stream(conn, dom)
        s.send(b"\r")
        ok(s.expect(rb"(login: |:~# )") is not None, "%s: and the console opens" % t, s.buf,
           key="late-pty")
        s.close()
    except libvirt.libvirtError as e:
        ok(False, "%s: and the console opens" % t, e, key="late-pty")
    subprocess.run([xensimctl, "--dir", os.path.join(sb, "xensim"), "fault", "clear"])
    dom.destroy()


def restart_checks(uri, sb, d):
    t = drv
    conn = libvirt.open(uri)
    conn.createXML(guest_xml("pv", "con-rs", d), 0)
    conn.close()
    r = subprocess.run([sandbox, "restart", sb], capture_output=True, text=True)
    if not ok(r.returncode == 0, "%s: libvirtd restarts" % t, r.stderr):
        return
    term = virsh_term(uri, "console", "con-rs")
    try:
        ok(term.expect(rb"Escape character is \^\]") is not None,
           "%s: after a restart, virsh console connects" % t, term.text())
        good, why = login_and_ask(term, "con-rs", b"after-restart")
        ok(good, "%s: after a restart, the guest answers" % t, why + "\n" + term.text())
        term.send(b"\x1d")
        ok(term.wait(10) == 0, "%s: after a restart, Ctrl-] leaves" % t, term.text())
    finally:
        term.close()
    conn = libvirt.open(uri)
    dom = conn.lookupByName("con-rs")
    devs = chardevs(dom)
    ok(all(a for (_t, a, _p) in devs) and all(p for (_t, _a, p) in devs),
       "%s: after a restart, the live XML keeps aliases and ptys" % t, devs, key="alias")

    # a guest shutdown seen on the console: its shutdown text, then the end
    term = virsh_term(uri, "console", "con-rs")
    try:
        ok(poke(term, rb":~# ") is not None, "%s: connected for the shutdown" % t, term.text())
        mark = len(term.out)
        dom.shutdown()
        ok(term.expect(rb"reboot: Power down", 15, mark) is not None,
           "%s: the console shows the guest's shutdown text" % t, term.text())
        rc = term.wait(15)
        ok(rc == 0 and "error" not in term.text()[mark:],
           "%s: virsh console ends cleanly when the guest powers off" % t,
           "rc=%s\n%s" % (rc, term.text()), key="stop-clean")
    finally:
        term.close()
    try:
        dom.destroy()
    except libvirt.libvirtError:
        pass
    conn.close()


def loop():
    while True:
        libvirt.virEventRunDefaultImpl()


def main():
    global drv
    if os.getuid() != 0:
        print("1..0 # SKIP sandboxes need root")
        return 0
    # errors are checked where they matter, not printed by the binding
    libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    threading.Thread(target=loop, daemon=True).start()
    work = tempfile.mkdtemp(prefix="xl-con.")
    with open(os.path.join(work, "vmlinuz"), "wb") as f:
        f.write(b"\0" * 4096)
    drivers = os.environ.get("CONSOLE_DRIVERS", "ours stock").split()
    for drv in drivers:
        sb = os.path.join(work, "sb-" + drv)
        os.makedirs(os.path.join(sb, "run", "lock"), exist_ok=True)
        try:
            uri = subprocess.run([sandbox, "up", sb, "--driver=" + drv, "--host=sim"],
                                 check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        except subprocess.CalledProcessError as e:
            ok(False, "%s: sandbox up" % drv, e.stderr)
            continue
        try:
            conn = libvirt.open(uri)
            for kind in ("pv", "pvh", "hvm"):
                kind_checks(uri, conn, kind, work)
            error_checks(uri, conn, work)
            late_pty_checks(uri, conn, sb, work)
            conn.close()
            restart_checks(uri, sb, work)
        except libvirt.libvirtError as e:
            ok(False, "%s: unexpected libvirt error" % drv, e)
        finally:
            subprocess.run([sandbox, "down", sb], capture_output=True)
    subprocess.run(["rm", "-rf", work])
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

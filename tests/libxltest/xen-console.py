#!/usr/bin/env python3
"""Talk to a domain's console through libvirt (virDomainOpenConsole), no tty needed.

    xen-console.py URI DOMAIN [TIMEOUT [takeover]]
    xen-console.py URI DOMAIN TIMEOUT run COMMAND

Waits for the xenlab guest's shell prompt (pressing Enter until it shows),
runs `echo console-$((6*7))` and expects the shell's answer `console-42`
(an answer, not an echo of what was typed).  Prints what it read; exit 0
when the answer came, 1 otherwise.  With "takeover", a second client then
opens the console with VIR_DOMAIN_CONSOLE_FORCE: exit 2 unless the first
stream read a clean end and the second reached the shell.  With "run",
COMMAND runs in the guest's shell instead and only its output is printed
(exit 1 when it did not finish within TIMEOUT).
"""
import sys
import threading
import time

import libvirt

PROMPT = b"xenlab-guest# "
ANSWER = b"console-42"


def main():
    uri, name = sys.argv[1], sys.argv[2]
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60.0
    takeover = len(sys.argv) > 4 and sys.argv[4] == "takeover"
    command = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "run" else None
    libvirt.virEventRegisterDefaultImpl()

    def loop():
        while True:
            libvirt.virEventRunDefaultImpl()

    threading.Thread(target=loop, daemon=True).start()
    conn = libvirt.open(uri)
    dom = conn.lookupByName(name)
    st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
    dom.openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
    buf = b""
    deadline = time.time() + timeout
    last_enter = 0.0
    sent = False
    ok = False
    while time.time() < deadline:
        try:
            r = st.recv(4096)
        except libvirt.libvirtError as e:
            print("console error: %s" % e)
            break
        if r == -2:
            now = time.time()
            if not sent and now - last_enter > 3:
                st.send(b"\r")
                last_enter = now
            time.sleep(0.1)
            continue
        if isinstance(r, bytes) and len(r) == 0:
            print("console closed")
            break
        buf += r
        if not sent and PROMPT in buf:
            if command is not None:
                # markers the shell prints, not the echo of what was typed
                st.send(("echo @@$((1+1))B; %s; echo @@$((1+1))E\r" % command).encode())
            else:
                st.send(b"echo console-$((6*7))\r")
            sent = True
            buf_at_send = len(buf)
        if sent and command is not None:
            out = buf[buf_at_send:]
            if b"@@2B" in out and b"@@2E" in out.split(b"@@2B", 1)[1]:
                body = out.split(b"@@2B", 1)[1].split(b"@@2E", 1)[0]
                try:
                    st.abort()
                except libvirt.libvirtError:
                    pass
                sys.stdout.write(body.decode("utf-8", "replace").replace("\r", "").strip("\n") + "\n")
                return 0
            continue
        if sent and ANSWER in buf[buf_at_send:].replace(b"$((6*7))", b""):
            ok = True
            break
    taken = None
    if ok and takeover:
        taken = take_over(uri, name, st)
    try:
        st.abort()
    except libvirt.libvirtError:
        pass
    if command is not None:
        sys.stdout.write(buf.decode("utf-8", "replace"))
        print("\nthe command did not finish")
        return 1
    sys.stdout.write(buf.decode("utf-8", "replace"))
    print()
    print("answer received" if ok else "no answer (prompt %s)" % ("seen" if sent else "not seen"))
    if taken is not None:
        print("takeover: %s" % taken)
    if not ok:
        return 1
    return 0 if taken in (None, "the first stream ended cleanly") else 2


def take_over(uri, name, first):
    """A second client opens the console with FORCE: the first one should
    read the end of its stream, the second reach the shell."""
    conn = libvirt.open(uri)
    st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
    conn.lookupByName(name).openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
    end = time.time() + 15
    verdict = "the first stream did not end"
    while time.time() < end:
        try:
            r = first.recv(4096)
        except libvirt.libvirtError as e:
            verdict = "the first stream failed: %s" % e
            break
        if r == -2:
            time.sleep(0.1)
            continue
        if len(r) == 0:
            verdict = "the first stream ended cleanly"
            break
    buf, end = b"", time.time() + 20
    while time.time() < end and PROMPT not in buf:
        st.send(b"\r")
        time.sleep(1)
        while True:
            try:
                r = st.recv(4096)
            except libvirt.libvirtError:
                r = b""
            if r == -2 or not r:
                break
            buf += r
    if PROMPT not in buf:
        verdict += "; the second client saw no prompt"
    try:
        st.abort()
    except libvirt.libvirtError:
        pass
    conn.close()
    return verdict


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Talk to a domain's console through libvirt (virDomainOpenConsole), no tty needed.

    xen-console.py URI DOMAIN [TIMEOUT]

Waits for the xenlab guest's shell prompt (pressing Enter until it shows),
runs `echo console-$((6*7))` and expects the shell's answer `console-42`
(an answer, not an echo of what was typed).  Prints what it read; exit 0
when the answer came, 1 otherwise.
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
            st.send(b"echo console-$((6*7))\r")
            sent = True
            buf_at_send = len(buf)
        if sent and ANSWER in buf[buf_at_send:].replace(b"$((6*7))", b""):
            ok = True
            break
    try:
        st.abort()
    except libvirt.libvirtError:
        pass
    sys.stdout.write(buf.decode("utf-8", "replace"))
    print()
    print("answer received" if ok else "no answer (prompt %s)" % ("seen" if sent else "not seen"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

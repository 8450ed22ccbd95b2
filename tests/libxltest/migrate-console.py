#!/usr/bin/env python3
# migrate-console.py URI DOMAIN [LINE...]: what the console of DOMAIN shows
# when each LINE is typed (a carriage return after each, the next one once
# the guest prompts again), through the Python binding (virsh console needs
# a terminal); VIR_DOMAIN_CONSOLE_FORCE takes it over.
import sys
import threading
import time

import libvirt

# a stream's incoming data is read by the client's event loop
libvirt.virEventRegisterDefaultImpl()


def event_loop():
    while True:
        libvirt.virEventRunDefaultImpl()


threading.Thread(target=event_loop, daemon=True).start()
conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])
st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
out = b""


def read_until_prompt(secs):
    """Read until the guest prompts (a login or shell prompt) or SECS pass."""
    global out
    start = len(out)
    end = time.time() + secs
    while time.time() < end:
        try:
            d = st.recv(4096)
        except libvirt.libvirtError as e:
            sys.stderr.write("console: %s\n" % e)
            return
        if d == -2:
            tail = out[start:].rstrip(b" ")
            if tail.endswith(b"login:") or tail.endswith(b"#"):
                return
            time.sleep(0.05)
            continue
        if not d:
            return
        out += d


read_until_prompt(0.5)
for line in sys.argv[3:]:
    st.send((line + "\r").encode())
    read_until_prompt(3)
try:
    st.abort()
except libvirt.libvirtError:
    pass
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))

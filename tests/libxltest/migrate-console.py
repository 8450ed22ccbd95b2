#!/usr/bin/env python3
# migrate-console.py URI DOMAIN [LINE...]: what the console of DOMAIN shows
# when each LINE is typed (a carriage return after each), through the
# Python binding (virsh console needs a terminal); --force takes it over.
import sys, time, libvirt
conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])
st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
out = b""
def rd(secs):
    global out
    end = time.time() + secs
    while time.time() < end:
        try:
            d = st.recv(4096)
        except libvirt.libvirtError:
            break
        if d == -2:
            time.sleep(0.05); continue
        if not d: break
        out += d
rd(0.5)
for line in sys.argv[3:]:
    st.send((line + "\r").encode())
    rd(1.0)
try:
    st.abort()
except libvirt.libvirtError:
    pass
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))

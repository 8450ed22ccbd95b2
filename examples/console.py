#!/usr/bin/env python3
"""Read a running guest's console until TEXT shows up: console.py URI NAME TEXT"""
import sys
import time
import libvirt

conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])
stream = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(None, stream, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
seen = b""
end = time.monotonic() + 30
poke = 0.0
while sys.argv[3].encode() not in seen and time.monotonic() < end:
    if time.monotonic() > poke:     # ask for a fresh prompt now and then
        stream.send(b"\r")
        poke = time.monotonic() + 2
    try:
        data = stream.recv(4096)
    except libvirt.libvirtError:
        break
    if data == -2:          # nothing yet (non-blocking)
        time.sleep(0.1)
        continue
    if not data:
        break
    seen += data
sys.stdout.write(seen.decode(errors="replace"))
stream.abort()
sys.exit(0 if sys.argv[3].encode() in seen else 1)

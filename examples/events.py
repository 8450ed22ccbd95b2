#!/usr/bin/env python3
"""Print lifecycle events until COUNT have arrived: events.py URI COUNT"""
import sys
import libvirt

EVENTS = ["defined", "undefined", "started", "suspended", "resumed",
          "stopped", "shutdown", "pmsuspended", "crashed"]

libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(sys.argv[1])
left = [int(sys.argv[2])]


def cb(conn, dom, event, detail, opaque):
    print("%s %s %d" % (dom.name(), EVENTS[event], detail), flush=True)
    left[0] -= 1


conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)
print("listening", flush=True)
while left[0] > 0:
    libvirt.virEventRunDefaultImpl()

#!/usr/bin/env python3
"""List every guest with its state, vCPUs and memory: list.py URI"""
import sys
import libvirt

STATES = {libvirt.VIR_DOMAIN_RUNNING: "running", libvirt.VIR_DOMAIN_PAUSED: "paused",
          libvirt.VIR_DOMAIN_SHUTOFF: "shut off", libvirt.VIR_DOMAIN_BLOCKED: "idle"}

conn = libvirt.open(sys.argv[1])
for dom in sorted(conn.listAllDomains(), key=lambda d: d.name()):
    state, maxmem, mem, vcpus, _ = dom.info()
    print("%s\t%s\t%d vcpus\t%d KiB" % (dom.name(), STATES.get(state, str(state)), vcpus, maxmem))

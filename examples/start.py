#!/usr/bin/env python3
"""Start a defined guest and print its ID: start.py URI NAME"""
import sys
import libvirt

conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])
dom.create()
print("%s started, id %d" % (dom.name(), dom.ID()))

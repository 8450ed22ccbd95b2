#!/usr/bin/env python3
"""A running guest's CPU time, balloon, disk and network counters: stats.py URI NAME"""
import sys
import libvirt

conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])
(_, st), = conn.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_CPU_TOTAL |
                                   libvirt.VIR_DOMAIN_STATS_BALLOON |
                                   libvirt.VIR_DOMAIN_STATS_VCPU |
                                   libvirt.VIR_DOMAIN_STATS_BLOCK)
for key in sorted(st):
    print("%s=%s" % (key, st[key]))

#!/usr/bin/env python3
# The tuning calls virsh does not make, through the libvirt Python binding,
# for integration-tune.sh (which checks what this prints):
#   integration-tune-api.py URI DOM maxvcpus        virDomainGetMaxVcpus
#   integration-tune-api.py URI DOM pin-cpu CPU     virDomainPinVcpuFlags(0, CPU, LIVE)
#   integration-tune-api.py URI DOM setvcpus N FLAGS virDomainSetVcpusFlags
#   integration-tune-api.py URI DOM vcpus           virDomainGetVcpus: N STATE CPU AFFINITY
#   integration-tune-api.py URI DOM balloon KIB     virDomainSetMemoryFlags(LIVE) seen
#                                               by a BALLOON_CHANGE callback
# Prints "ok VALUE" or "error MESSAGE"; exit status 0 either way, 2 on
# bad usage.
import sys
import threading

import libvirt


def run_event_loop():
    while True:
        libvirt.virEventRunDefaultImpl()


def main():
    if len(sys.argv) < 4:
        print(__doc__ or "usage", file=sys.stderr)
        return 2
    uri, name, what = sys.argv[1:4]
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    if what == "balloon":
        libvirt.virEventRegisterDefaultImpl()
        threading.Thread(target=run_event_loop, daemon=True).start()
    conn = libvirt.open(uri)
    dom = conn.lookupByName(name)
    try:
        if what == "maxvcpus":
            print("ok %d" % dom.maxVcpus())
        elif what == "pin-cpu":
            cpu = int(sys.argv[4])
            cpumap = tuple(i == cpu for i in range(cpu + 1))
            dom.pinVcpuFlags(0, cpumap, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            print("ok pinned")
        elif what == "setvcpus":
            dom.setVcpusFlags(int(sys.argv[4]), int(sys.argv[5]))
            print("ok set")
        elif what == "vcpus":
            info, maps = dom.vcpus()
            for (num, state, _cputime, cpu), cpumap in zip(info, maps):
                cpus = ",".join(str(i) for i, on in enumerate(cpumap) if on)
                print("ok vcpu%d state=%d cpu=%d affinity=%s"
                      % (num, state, cpu, cpus))
        elif what == "balloon":
            kib = int(sys.argv[4])
            seen = threading.Event()
            got = []

            def cb(_conn, d, actual, _opaque):
                if d.name() == name:
                    got.append(actual)
                    seen.set()

            cid = conn.domainEventRegisterAny(
                dom, libvirt.VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, cb, None)
            dom.setMemoryFlags(kib, libvirt.VIR_DOMAIN_AFFECT_LIVE)
            if seen.wait(10):
                print("ok balloon-change %d" % got[0])
            else:
                print("error no balloon-change event within 10 s")
            conn.domainEventDeregisterAny(cid)
        else:
            print("unknown request %s" % what, file=sys.stderr)
            return 2
    except libvirt.libvirtError as e:
        print("error %s" % e.get_error_message())
    return 0


if __name__ == "__main__":
    sys.exit(main())

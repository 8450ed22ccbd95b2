#!/usr/bin/env python3
"""The host group through the libvirt Python binding, on both drivers (TAP)."""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import libvirt

top_srcdir = os.environ["top_srcdir"]
sandbox = os.path.join(top_srcdir, "scripts", "sandbox")
cfg = os.path.join(top_srcdir, "tests", "libxltest", "data", "host-2node.cfg")

n = 0
failed = 0


def report(ok, desc, detail=""):
    global n, failed
    n += 1
    if ok:
        print(f"ok {n} - {desc}")
    else:
        failed += 1
        print(f"not ok {n} - {desc}")
        for line in str(detail).splitlines():
            print(f"# {line}")


def check(desc, fn):
    try:
        ok, detail = fn()
    except libvirt.libvirtError as e:
        ok, detail = False, f"libvirtError: {e}"
    report(ok, desc, detail)


libvirt.registerErrorHandler(lambda ctx, err: None, None)

if os.geteuid() != 0:
    print("1..0 # SKIP sandboxes need root")
    sys.exit(0)

work = tempfile.mkdtemp(prefix="xl-hostpy.")
for drv in ("ours", "stock"):
    d = os.path.join(work, drv)
    up = subprocess.run([sandbox, "up", d, f"--driver={drv}", "--host=sim",
                         f"--xensim-config={cfg}"], capture_output=True, text=True)
    report(up.returncode == 0, f"{drv}: sandbox up", up.stderr)
    if up.returncode != 0:
        continue
    uri = up.stdout.strip()
    try:
        for readonly in (False, True):
            kind = "read-only" if readonly else "read-write"
            conn = (libvirt.openReadOnly(uri.replace("libvirt-sock", "libvirt-sock-ro"))
                    if readonly else libvirt.open(uri))
            info = conn.getInfo()
            check(f"{drv} {kind}: getInfo matches the simulated host",
                  lambda: (info[0] == "x86_64" and info[1] == 24576 and info[2] == 12
                           and info[3] == 2900 and info[4] == 2 and info[5] == 1
                           and info[6] == 3 and info[7] == 2, info))
            check(f"{drv} {kind}: getType is Xen", lambda: (conn.getType() == "Xen", conn.getType()))
            check(f"{drv} {kind}: getVersion is Xen 4.17",
                  lambda: (conn.getVersion() // 1000 == 4017, conn.getVersion()))
            check(f"{drv} {kind}: getMaxVcpus",
                  lambda: (conn.getMaxVcpus(None) == 12, conn.getMaxVcpus(None)))
            cells = conn.getCellsFreeMemory(0, 2)
            check(f"{drv} {kind}: free memory of 2 cells",
                  lambda: (len(cells) == 2 and all(c > 0 for c in cells), cells))
            free = conn.getFreeMemory()
            check(f"{drv} {kind}: getFreeMemory equals the cells' sum",
                  lambda: (free == sum(cells), (free, cells)))
            caps = ET.fromstring(conn.getCapabilities())
            check(f"{drv} {kind}: capabilities' host has 2 NUMA cells",
                  lambda: (len(caps.findall("./host/topology/cells/cell")) == 2, ""))
            doms = conn.listAllDomains()
            check(f"{drv} {kind}: listAllDomains has Domain-0",
                  lambda: ([d.name() for d in doms] == ["Domain-0"], [d.name() for d in doms]))
            d0 = conn.lookupByID(0)
            check(f"{drv} {kind}: lookupByID(0) is Domain-0 and running",
                  lambda: (d0.name() == "Domain-0" and d0.state()[0] == libvirt.VIR_DOMAIN_RUNNING,
                           d0.state()))
            # what virsh dominfo asks besides: no security driver
            check(f"{drv} {kind}: getSecurityModel answers (no security driver: empty)",
                  lambda: (conn.getSecurityModel() == ["", ""], conn.getSecurityModel()))
            try:
                conn.lookupByName("no-such-domain")
                report(False, f"{drv} {kind}: lookup of an unknown name fails")
            except libvirt.libvirtError as e:
                report(e.get_error_code() == libvirt.VIR_ERR_NO_DOMAIN,
                       f"{drv} {kind}: lookup of an unknown name fails with VIR_ERR_NO_DOMAIN", e)
            conn.close()
    finally:
        subprocess.run([sandbox, "down", d], capture_output=True)

subprocess.run(["rm", "-rf", work])
print(f"1..{n}")
sys.exit(1 if failed else 0)

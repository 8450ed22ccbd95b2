#!/usr/bin/env python3
"""Statistics through the libvirt Python binding, on both drivers (TAP).

virt-manager's stats path (getAllDomainStats with STATE, CPU_TOTAL, VCPU,
BALLOON, BLOCK and INTERFACE; domainListGetStats) and the binding's
per-domain calls (blockStats, blockStatsFlags, interfaceStats, memoryStats,
getCPUStats) return data for every disk and every interface of PV, PVH and
HVM guests with a blkback and a qdisk disk and two vifs, and agree with
each other while the guests are paused; the list filters; bad flags.  What
the stock module lacks is recorded as TODO.
"""
import os
import subprocess
import sys
import tempfile

import libvirt

top_srcdir = os.environ["top_srcdir"]
sandbox = os.path.join(top_srcdir, "scripts", "sandbox")
ctl = os.path.join(os.environ.get("top_builddir", top_srcdir), "xensim", "xensimctl")

n = 0
failed = 0
todo = None     # while set: a failure is the stock module's, recorded (TODO)


def report(ok, desc, detail=""):
    global n, failed
    n += 1
    suffix = " # TODO %s" % todo if todo else ""
    if ok:
        # recorded, not required: the stock module may do it after all
        print(f"ok {n} - {desc}")
    else:
        if not todo:
            failed += 1
        print(f"not ok {n} - {desc}{suffix}")
        for line in str(detail).splitlines():
            print(f"# {line}")


def check(desc, fn):
    try:
        ok, detail = fn()
    except libvirt.libvirtError as e:
        ok, detail = False, f"libvirtError: {e}"
    except (KeyError, TypeError, IndexError) as e:
        ok, detail = False, f"{type(e).__name__}: {e}"
    report(ok, desc, detail)


def check_error(desc, fn, text):
    try:
        fn()
        report(False, desc, "succeeded")
    except libvirt.libvirtError as e:
        report(text in str(e), desc, f"expected '{text}' in: {e}")


libvirt.registerErrorHandler(lambda ctx, err: None, None)

if os.geteuid() != 0:
    print("1..0 # SKIP sandboxes need root")
    sys.exit(0)

work = tempfile.mkdtemp(prefix="xl-statspy.")
kernel = os.path.join(work, "vmlinuz")
with open(kernel, "wb") as f:
    f.write(b"\0" * 4096)


def guest_xml(kind, name, mac):
    raw = os.path.join(work, name + "-raw.img")
    qcow = os.path.join(work, name + ".qcow2")
    with open(raw, "wb") as f:
        f.truncate(16 << 20)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", qcow, "24M"], check=True)
    os_xml = {
        "pv": f"<type>linux</type><kernel>{kernel}</kernel>",
        "pvh": f"<type>xenpvh</type><kernel>{kernel}</kernel>",
        "hvm": "<type>hvm</type><boot dev='hd'/>",
    }[kind]
    features = "<features><acpi/><apic/><pae/></features>" if kind == "hvm" else ""
    return f"""<domain type='xen'>
  <name>{name}</name>
  <memory unit='MiB'>64</memory>
  <vcpu>2</vcpu>
  <os>{os_xml}</os>
  {features}
  <devices>
    <disk type='file' device='disk'>
      <driver name='phy' type='raw'/>
      <source file='{raw}'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='{qcow}'/>
      <target dev='xvdb' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <source bridge='virbr0'/>
      <mac address='52:54:00:6b:{mac:02x}:01'/>
    </interface>
    <interface type='network'>
      <source network='default'/>
      <mac address='52:54:00:6b:{mac:02x}:02'/>
    </interface>
    <console type='pty'/>
  </devices>
</domain>"""


# more domains than the statistics' first two worker threads take
MANY = 160


def many_xml(i, disk):
    return f"""<domain type='xen'>
  <name>sp-many-{i}</name>
  <memory unit='MiB'>{16 + i % 8}</memory>
  <os><type>linux</type><kernel>{kernel}</kernel></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='phy' type='raw'/>
      <source file='{disk}'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <source bridge='virbr0'/>
      <mac address='52:54:00:6c:{i // 256:02x}:{i % 256:02x}'/>
    </interface>
  </devices>
</domain>"""


GROUPS = (libvirt.VIR_DOMAIN_STATS_STATE | libvirt.VIR_DOMAIN_STATS_CPU_TOTAL |
          libvirt.VIR_DOMAIN_STATS_VCPU | libvirt.VIR_DOMAIN_STATS_BALLOON |
          libvirt.VIR_DOMAIN_STATS_BLOCK | libvirt.VIR_DOMAIN_STATS_INTERFACE)

BLOCK_KEYS = ("rd.reqs", "rd.bytes", "wr.reqs", "wr.bytes")
NET_KEYS = ("rx.bytes", "rx.pkts", "rx.errs", "rx.drop",
            "tx.bytes", "tx.pkts", "tx.errs", "tx.drop")


def record_ok(rec):
    """Every disk and every interface has counters."""
    missing = []
    for i in range(rec.get("block.count", 0)):
        missing += [f"block.{i}.{k}" for k in BLOCK_KEYS if f"block.{i}.{k}" not in rec]
    for i in range(rec.get("net.count", 0)):
        missing += [f"net.{i}.{k}" for k in NET_KEYS if f"net.{i}.{k}" not in rec]
    for k in ("state.state", "cpu.time", "balloon.current", "balloon.maximum",
              "vcpu.current", "vcpu.maximum", "vcpu.0.time", "vcpu.0.state"):
        if k not in rec:
            missing.append(k)
    ok = (not missing and rec.get("block.count") == 2 and rec.get("net.count") == 2)
    return ok, f"missing: {missing}\n{rec}"


# a host whose netback makes vifs and whose guests do I/O while they run
host_cfg = os.path.join(work, "host.cfg")
with open(host_cfg, "w") as f:
    f.write("netback = on\n")

mac = 0
for drv in ("ours", "stock"):
    todo = None
    d = os.path.join(work, drv)
    os.makedirs(os.path.join(d, "run", "lock"), exist_ok=True)
    up = subprocess.run([sandbox, "up", d, f"--driver={drv}", "--host=sim",
                         f"--xensim-config={host_cfg}"],
                        capture_output=True, text=True)
    report(up.returncode == 0, f"{drv}: sandbox up", up.stderr)
    if up.returncode != 0:
        continue
    uri = up.stdout.strip()
    try:
        conn = libvirt.open(uri)
        doms = {}
        for kind in ("pv", "pvh", "hvm"):
            mac += 1
            name = f"sp-{drv}-{kind}"
            try:
                dom = conn.createXML(guest_xml(kind, name, mac), 0)
                dom.suspend()
                doms[kind] = dom
                report(True, f"{drv} {kind}: create and pause")
            except libvirt.libvirtError as e:
                report(False, f"{drv} {kind}: create and pause", e)
        off = conn.defineXML(guest_xml("pv", f"sp-{drv}-off", 200))

        # virt-manager's poll
        todo = "stock: no virConnectGetAllDomainStats" if drv == "stock" else None
        recs = {}
        try:
            recs = {dom.name(): rec for dom, rec in conn.getAllDomainStats(GROUPS, 0)}
            report(True, f"{drv}: getAllDomainStats(STATE|CPU_TOTAL|VCPU|BALLOON|BLOCK|INTERFACE)")
        except libvirt.libvirtError as e:
            report(False, f"{drv}: getAllDomainStats(STATE|CPU_TOTAL|VCPU|BALLOON|BLOCK|INTERFACE)", e)
        for kind, dom in doms.items():
            check(f"{drv} {kind}: getAllDomainStats has counters for every disk and interface",
                  lambda: record_ok(recs[dom.name()]))
        check(f"{drv}: getAllDomainStats has Domain-0 and the inactive domain",
              lambda: ("Domain-0" in recs and f"sp-{drv}-off" in recs, sorted(recs)))
        check(f"{drv}: the inactive domain: state shutoff, no counters",
              lambda: (recs[f"sp-{drv}-off"]["state.state"] == libvirt.VIR_DOMAIN_SHUTOFF
                       and "cpu.time" not in recs[f"sp-{drv}-off"], recs[f"sp-{drv}-off"]))
        listed = {}
        try:
            listed = {dom.name(): rec for dom, rec in
                      conn.domainListGetStats(list(doms.values()), GROUPS, 0)}
        except libvirt.libvirtError as e:
            listed = {"error": str(e)}
        check(f"{drv}: domainListGetStats of the guests: exactly them",
              lambda: (sorted(listed) == sorted(dom.name() for dom in doms.values()),
                       sorted(listed)))
        for flag, want in ((libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE,
                            {"Domain-0"} | {dom.name() for dom in doms.values()}),
                           (libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE, {f"sp-{drv}-off"}),
                           (libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED,
                            {dom.name() for dom in doms.values()}),
                           (libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING, {"Domain-0"}),
                           (libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF, {f"sp-{drv}-off"}),
                           (libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT |
                            libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER, set())):
            def filtered(flag=flag, want=want):
                got = {dom.name() for dom, _ in
                       conn.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_STATE, flag)}
                return got == want, f"{sorted(got)} != {sorted(want)}"
            check(f"{drv}: getAllDomainStats filter 0x{flag:x}", filtered)
        check_error(f"{drv}: ENFORCE_STATS with PERF",
                    lambda: conn.getAllDomainStats(
                        libvirt.VIR_DOMAIN_STATS_PERF,
                        libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS),
                    "Stats types bits 0x40 are not supported by this daemon or Xen")
        check(f"{drv}: NOWAIT and BACKING accepted",
              lambda: (len(conn.getAllDomainStats(
                  GROUPS, libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
                  libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING)) == len(recs), ""))
        todo = None

        # the binding's per-domain calls
        for kind, dom in doms.items():
            rec = recs.get(dom.name(), {})
            stock_todo = "stock: qdisk disks have no statistics" if drv == "stock" else None
            for i, target in enumerate(("xvda", "xvdb")):
                todo = stock_todo if target == "xvdb" else None
                check(f"{drv} {kind}: blockStats({target})",
                      lambda: (lambda s: (len(s) == 5 and min(s[:4]) >= 0, s))(dom.blockStats(target)))
                todo = "stock: no virConnectGetAllDomainStats" if drv == "stock" else stock_todo
                check(f"{drv} {kind}: blockStats({target}) = getAllDomainStats' block.{i}",
                      lambda: (lambda s: (list(s[:4]) == [rec[f"block.{i}.{k}"] for k in BLOCK_KEYS],
                                          (s, rec)))(dom.blockStats(target)))
                todo = stock_todo if target == "xvdb" else None
                check(f"{drv} {kind}: blockStatsFlags({target}) has the operations and bytes",
                      lambda: (lambda p: (all(k in p for k in ("rd_operations", "rd_bytes",
                                                                 "wr_operations", "wr_bytes",
                                                                 "flush_operations")), p))(
                          dom.blockStatsFlags(target, 0)))
            todo = "stock: the live XML names no vif" if drv == "stock" else None
            for i in range(2):
                ifname = f"vif{dom.ID()}.{i}"
                check(f"{drv} {kind}: interfaceStats({ifname})",
                      lambda: (lambda s: (len(s) == 8 and min(s) >= 0, s))(dom.interfaceStats(ifname)))
                todo = "stock: no virConnectGetAllDomainStats" if drv == "stock" else None
                # paused, the guest sends nothing more; Domain-0 (the bridge's
                # broadcasts) may still send it frames
                check(f"{drv} {kind}: interfaceStats({ifname}) = getAllDomainStats' net.{i}",
                      lambda: (lambda s, r: (list(s[4:]) == r[4:]
                                             and all(a >= b for a, b in zip(s[:4], r[:4])),
                                             (s, r)))(
                          dom.interfaceStats(ifname), [rec[f"net.{i}.{k}"] for k in NET_KEYS]))
                todo = "stock: the live XML names no vif" if drv == "stock" else None
            todo = "stock: no rss" if drv == "stock" else None
            check(f"{drv} {kind}: memoryStats: actual, available, rss",
                  lambda: (lambda m: ({"actual", "available", "rss"} <= set(m)
                                      and m["actual"] == dom.info()[2]
                                      and m["rss"] == dom.info()[2]
                                      and m["available"] >= 65536, m))(
                      dom.memoryStats()))
            todo = None
            check(f"{drv} {kind}: getCPUStats(total) = getInfo's CPU time (paused)",
                  lambda: (lambda t: (t[0]["cpu_time"] == dom.info()[4], (t, dom.info())))(
                      dom.getCPUStats(True)))
            todo = "stock: per-CPU entries start at the wrong index" if drv == "stock" else None
            check(f"{drv} {kind}: getCPUStats(per CPU): an entry per vCPU with its time",
                  lambda: (lambda c: (len(c) == 2 and all("cpu_time" in e for e in c), c))(
                      dom.getCPUStats(False)))
            todo = None

        if doms:
            dom = next(iter(doms.values()))
            todo = "stock: another text" if drv == "stock" else None
            check_error(f"{drv}: blockStatsFlags with bad flags",
                        lambda: dom.blockStatsFlags("xvda", 1 << 7),
                        "unsupported flags (0x80) in function libxlDomainBlockStatsFlags")
            todo = "stock: no virConnectGetAllDomainStats" if drv == "stock" else None
            check_error(f"{drv}: getAllDomainStats with bad flags",
                        lambda: conn.getAllDomainStats(GROUPS, 1 << 20),
                        "unsupported flags (0x100000) in function libxlConnectGetAllDomainStats")
            todo = "stock: another text" if drv == "stock" else None
            check_error(f"{drv}: blockStats of an unknown disk",
                        lambda: dom.blockStats("xvdz"), "invalid path: xvdz")
            todo = None
        check_error(f"{drv}: blockStats of an inactive domain",
                    lambda: off.blockStats("xvda"), "domain is not running")
        check_error(f"{drv}: interfaceStats of an inactive domain",
                    lambda: off.interfaceStats("vif1.0"), "domain is not running")
        for dom in doms.values():
            dom.destroy()
        off.undefine()

        # Many domains: the driver shares their records among threads
        # (LIBXL_STATS_PER_WORKER = 64 domains a thread at least, one thread
        # per host CPU): every record must still be its own domain's.
        if drv == "ours":
            many = []
            try:
                for i in range(MANY):
                    disk = os.path.join(work, f"many-{i}.img")
                    with open(disk, "wb") as f:
                        f.truncate(1 << 20)
                    many.append(conn.createXML(many_xml(i, disk), 0))
                report(True, f"{drv}: {MANY} small guests created")
            except libvirt.libvirtError as e:
                report(False, f"{drv}: {MANY} small guests created", e)

            def many_records():
                got = {dom.name(): rec for dom, rec in conn.getAllDomainStats(GROUPS, 0)}
                bad = []
                for i, dom in enumerate(many):
                    rec = got.get(dom.name())
                    want = {"balloon.current": (16 + i % 8) * 1024,
                            # the domain's maximum (getInfo's), not Xen's
                            # max_memkb with libxl's slack above it
                            "balloon.maximum": (16 + i % 8) * 1024,
                            "block.count": 1,
                            "block.0.path": os.path.join(work, f"many-{i}.img"),
                            "net.count": 1,
                            "net.0.name": f"vif{dom.ID()}.0"}
                    if rec is None or any(rec.get(k) != v for k, v in want.items()):
                        bad.append((dom.name(), want, rec))
                return (not bad and len(got) == MANY + 1,
                        f"{len(got)} records, {len(bad)} wrong: {bad[:3]}")
            check(f"{drv}: getAllDomainStats of {MANY + 1} domains: each record its own domain's",
                  many_records)

            # the disks' counters, read in a pass of their own before the
            # records are made, are each its own domain's: xensim's account
            # of each paused guest's I/O (counters that stand still)
            def many_counters():
                for dom in many:
                    dom.suspend()
                got = {dom.name(): rec for dom, rec in conn.getAllDomainStats(GROUPS, 0)}
                bad = []
                distinct = set()
                for dom in many:
                    io = subprocess.run([ctl, "--dir", os.path.join(d, "xensim"),
                                         "io", str(dom.ID())],
                                        capture_output=True, text=True).stdout
                    want = None
                    for line in io.splitlines():
                        words = line.split()
                        if "vdev=xvda" in words:
                            kv = dict(w.split("=", 1) for w in words if "=" in w)
                            want = (int(kv["rd_req"]), int(kv["rd_sect"]) * 512,
                                    int(kv["wr_req"]), int(kv["wr_sect"]) * 512)
                    rec = got.get(dom.name(), {})
                    have = tuple(rec.get("block.0." + k) for k in BLOCK_KEYS)
                    distinct.add(have)
                    if want is None or have != want:
                        bad.append((dom.name(), want, have))
                return (not bad and len(distinct) > 1,
                        f"{len(bad)} wrong, {len(distinct)} distinct: {bad[:3]}")
            check(f"{drv}: getAllDomainStats of {MANY + 1} domains: each disk's counters "
                  "its own domain's (= xensimctl io)", many_counters)
            for dom in many:
                dom.destroy()
        conn.close()
    finally:
        todo = None
        subprocess.run([sandbox, "down", d], capture_output=True)

subprocess.run(["rm", "-rf", work])
print(f"1..{n}")
sys.exit(1 if failed else 0)

# bench/workloads.py: the workloads of bench/run.
#
# A workload has parameters (quick and full), a simulated host (xensim keys:
# its latencies are parameters, so that the driver's own cost can be told
# from the simulated hypervisor's), and phases that run in a child process
# against one sandbox: setup (once per driver, may measure), rep (each
# repetition; returns {metric: value}), teardown.  Everything a phase
# measures is reported, never asserted.

import os
import subprocess
import threading
import time

from benchlib import (NotApplicable, api_na, cpu_ms, libvirtd_started, make_files,
                      median, now, open_conn, percentile, pv_xml,
                      remove_domains, rss_kib, sandbox_restart)

# The host every workload starts from; a workload adds or overrides keys.
BASE_HOST = {
    'sockets': 2, 'cores_per_socket': 4, 'threads_per_core': 2, 'nodes': 2,
    'memory': 65536, 'dom0_memory': 4096, 'dom0_vcpus': 4,
}
# Every simulated latency, zero: a workload sets what it measures against.
ZERO_LATENCY = {
    'build_delay_ms': 0, 'shutdown_delay_ms': 0, 'destroy_delay_ms': 0,
    'console_delay_ms': 0,
}


class Workload:
    name = ''
    title = ''
    lifecycle = True          # needs a simulated host that creates domains
    peer = False              # a second host per driver (DIR-b, xen-b)
    metrics = ()              # (key, unit, description)

    def params(self, quick):
        return {}

    def host(self, p):
        h = dict(BASE_HOST)
        h.update(ZERO_LATENCY)
        return h

    def reps(self, quick):
        return 3 if quick else 5

    def timeout(self, p, phase):
        return 120

    def setup(self, uri, sbdir, files, p):
        return {}

    def rep(self, uri, sbdir, files, p, i):
        raise NotImplementedError

    def teardown(self, uri, sbdir, files, p):
        conn = open_conn(uri)
        try:
            remove_domains(conn, 'xlb-')
        finally:
            conn.close()
        return {}


def create_all(uri, xmls, clients=None):
    """createXML of every definition, from parallel clients (untimed
    setup); returns the errors."""
    clients = clients or len(xmls)
    errors = []

    def worker(part):
        c = open_conn(uri)
        try:
            for x in part:
                try:
                    c.createXML(x, 0)
                except Exception as e:  # noqa: BLE001
                    errors.append(str(e))
        finally:
            c.close()

    threads = [threading.Thread(target=worker, args=(xmls[j::clients],))
               for j in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def timed(fn, *a):
    t0 = time.perf_counter()
    r = fn(*a)
    return (time.perf_counter() - t0) * 1000.0, r


# ------------------------------------------------------------------ host

class Host(Workload):
    name = 'host'
    title = 'host queries (no domains)'
    lifecycle = False
    metrics = (
        ('connect', 'ms', 'virConnectOpen + close'),
        ('nodeinfo', 'ms', 'virNodeGetInfo'),
        ('capabilities', 'ms', 'virConnectGetCapabilities'),
        ('freemem', 'ms', 'virNodeGetFreeMemory'),
        ('list', 'ms', 'virConnectListAllDomains (Domain-0 only)'),
        ('domcaps', 'ms', 'virConnectGetDomainCapabilities'),
    )

    def params(self, quick):
        return {'iterations': 20 if quick else 50}

    def reps(self, quick):
        # many short repetitions: the alternation is what cancels a shared
        # machine's changing load
        return 7 if quick else 11

    def rep(self, uri, sbdir, files, p, i):
        import libvirt
        n = p['iterations']
        out = {}
        lat = []
        for _ in range(max(5, n // 5)):
            t0 = time.perf_counter()
            c = open_conn(uri)
            c.close()
            lat.append((time.perf_counter() - t0) * 1000.0)
        out['connect'] = median(lat)
        conn = open_conn(uri)
        try:
            ops = {
                'nodeinfo': conn.getInfo,
                'capabilities': conn.getCapabilities,
                'freemem': conn.getFreeMemory,
                'list': lambda: conn.listAllDomains(0),
                'domcaps': lambda: conn.getDomainCapabilities(None, None, None, 'xen', 0),
            }
            for key, op in ops.items():
                try:
                    op()    # warm
                except libvirt.libvirtError as e:
                    why = api_na(e)
                    if why is None:
                        raise
                    out[key + ':na'] = why
                    continue
                out[key] = median([timed(op)[0] for _ in range(n)])
        finally:
            conn.close()
        return out


# ----------------------------------------------------------------- cycle

class Cycle(Workload):
    name = 'cycle'
    title = 'define, start, destroy, undefine one PV domain (zero simulated latency)'
    metrics = (
        ('define', 'ms', 'virDomainDefineXML'),
        ('start', 'ms', 'virDomainCreate'),
        ('destroy', 'ms', 'virDomainDestroy'),
        ('undefine', 'ms', 'virDomainUndefine'),
        ('cycle', 'ms', 'the four together'),
    )

    def params(self, quick):
        return {'cycles': 10 if quick else 20}

    def reps(self, quick):
        return 9 if quick else 15

    def rep(self, uri, sbdir, files, p, i):
        conn = open_conn(uri)
        res = {m[0]: [] for m in self.metrics}
        try:
            for k in range(p['cycles']):
                xml = pv_xml('xlb-cyc-%d-%d' % (i, k), files)
                t0 = time.perf_counter()
                d = conn.defineXML(xml)
                t1 = time.perf_counter()
                d.create()
                t2 = time.perf_counter()
                d.destroy()
                t3 = time.perf_counter()
                d.undefine()
                t4 = time.perf_counter()
                res['define'].append(t1 - t0)
                res['start'].append(t2 - t1)
                res['destroy'].append(t3 - t2)
                res['undefine'].append(t4 - t3)
                res['cycle'].append(t4 - t0)
        finally:
            conn.close()
        return {k: median(v) * 1000.0 for k, v in res.items()}


# ------------------------------------------------------ concurrent-start

class ConcurrentStart(Workload):
    name = 'concurrent-start'
    title = 'domains started at once, one client each (simulated build: build_delay_ms)'
    metrics = (
        ('wall', 's', 'first request to last start returned (floor: build_delay)'),
        ('over-floor', 's', 'wall minus the simulated build time'),
        ('median-call', 's', 'the median single virDomainCreate'),
        ('slowest-call', 's', 'the longest single virDomainCreate'),
        ('failed', 'count', 'starts that failed'),
    )

    def params(self, quick):
        return {'domains': 32, 'build_delay_ms': 500}

    def host(self, p):
        h = super().host(p)
        h['build_delay_ms'] = p['build_delay_ms']
        return h

    def reps(self, quick):
        return 3 if quick else 5

    def timeout(self, p, phase):
        return 240

    def rep(self, uri, sbdir, files, p, i):
        n = p['domains']
        conn = open_conn(uri)
        names = ['xlb-cs-%d-%d' % (i, k) for k in range(n)]
        for nm in names:
            conn.defineXML(pv_xml(nm, files))
        barrier = threading.Barrier(n + 1)
        ends = [None] * n
        durs = [None] * n
        errors = []

        def client(k):
            c = open_conn(uri)
            try:
                try:
                    d = c.lookupByName(names[k])
                except Exception as e:  # noqa: BLE001
                    errors.append(str(e))
                    barrier.abort()
                    return
                barrier.wait(60)
                t0 = time.perf_counter()
                try:
                    d.create()
                except Exception as e:  # noqa: BLE001
                    errors.append(str(e))
                ends[k] = time.perf_counter()
                durs[k] = ends[k] - t0
            finally:
                c.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(n)]
        for t in threads:
            t.start()
        try:
            barrier.wait(60)
        except threading.BrokenBarrierError:
            for t in threads:
                t.join(60)
            raise RuntimeError('the clients did not get ready: %s'
                               % (errors[0] if errors else 'timeout'))
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        if not any(e is not None for e in ends):
            raise RuntimeError('no start returned: %s' % (errors[0] if errors else '?'))
        wall = max(e for e in ends if e is not None) - t0
        remove_domains(conn, 'xlb-cs-')
        conn.close()
        if len(errors) == n:
            raise NotApplicable('every start failed: %s' % errors[0])
        return {'wall': wall, 'over-floor': wall - p['build_delay_ms'] / 1000.0,
                'median-call': median([d for d in durs if d is not None]),
                'slowest-call': max(d for d in durs if d is not None),
                'failed': len(errors)}


class ConcurrentStartNoDelay(ConcurrentStart):
    """The same with no simulated build time: the drivers' own cost."""
    name = 'concurrent-start-0'
    title = 'the same, build_delay_ms=0: the drivers\' own cost of 32 parallel starts'

    def params(self, quick):
        return {'domains': 32, 'build_delay_ms': 0}

    def reps(self, quick):
        return 5 if quick else 9


# -------------------------------------------------------- responsiveness

def _resp_load(uri, ignorers, starters, go, done):
    """In its own process: shut down the guests that ignore it and start
    the others, all at once, each from its own connection."""
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    jobs = [(n, 'shutdown') for n in ignorers] + [(n, 'start') for n in starters]
    conns = [open_conn(uri) for _ in jobs]
    doms = [c.lookupByName(n) for c, (n, op) in zip(conns, jobs)]
    barrier = threading.Barrier(len(conns))
    results = []

    def worker(k, name, op):
        d = doms[k]
        barrier.wait(60)
        t0 = time.perf_counter()
        err = None
        try:
            d.shutdown() if op == 'shutdown' else d.create()
        except Exception as e:  # noqa: BLE001
            err = str(e)
        results.append((op, time.perf_counter() - t0, err))

    go.wait()
    threads = [threading.Thread(target=worker, args=(k, n, op))
               for k, (n, op) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.put(results)
    for c in conns:
        c.close()


class Responsiveness(Workload):
    name = 'responsiveness'
    title = ('virConnectListAllDomains in a loop while 8 guests that ignore '
             'shutdown are shut down and 4 domains start')
    metrics = (
        ('list-p50', 'ms', 'under load'),
        ('list-p99', 'ms', 'under load'),
        ('list-max', 'ms', 'under load'),
        ('list-idle-p50', 'ms', 'the same loop before the load'),
        ('load-duration', 's', 'until every shutdown and start call returned'),
        ('list-calls', 'count', 'list calls measured under load'),
        ('failed-calls', 'count', 'shutdown and start calls that failed'),
        ('ignorers-running', 'count', 'guests still running after their shutdown (should be all)'),
    )

    def params(self, quick):
        return {'ignorers': 8, 'starters': 4, 'build_delay_ms': 500,
                'shutdown_delay_ms': 200, 'min_seconds': 2.0 if quick else 4.0}

    def host(self, p):
        h = super().host(p)
        h['build_delay_ms'] = p['build_delay_ms']
        h['shutdown_delay_ms'] = p['shutdown_delay_ms']
        h['guest_ignore_shutdown'] = 'xlb-ign-*'
        return h

    def reps(self, quick):
        return 3 if quick else 5

    def timeout(self, p, phase):
        return 180

    def rep(self, uri, sbdir, files, p, i):
        import multiprocessing
        conn = open_conn(uri)
        ign = ['xlb-ign-%d-%d' % (i, k) for k in range(p['ignorers'])]
        sta = ['xlb-rs-%d-%d' % (i, k) for k in range(p['starters'])]
        # the guests to shut down: started in parallel, not timed
        create_all(uri, [pv_xml(n, files) for n in ign])
        running = {d.name() for d in conn.listAllDomains(0) if d.isActive()}
        missing = [n for n in ign if n not in running]
        if missing:
            raise RuntimeError('could not start %s' % ', '.join(missing))
        for n in sta:
            conn.defineXML(pv_xml(n, files))

        idle = []
        t_end = time.perf_counter() + 1.0
        while time.perf_counter() < t_end:
            idle.append(timed(conn.listAllDomains, 0)[0])

        ctx = multiprocessing.get_context('spawn')
        go = ctx.Event()
        done = ctx.Queue()
        proc = ctx.Process(target=_resp_load, args=(uri, ign, sta, go, done), daemon=True)
        proc.start()
        time.sleep(1.0)   # its connections are open
        lat = []
        results = None
        go.set()
        t0 = time.perf_counter()
        while True:
            lat.append(timed(conn.listAllDomains, 0)[0])
            el = time.perf_counter() - t0
            if results is None and not done.empty():
                results = done.get()
                load_dur = el
            if results is not None and el >= p['min_seconds']:
                break
            if el > 120:
                break
        proc.join(10)
        if proc.is_alive():
            proc.kill()
        if results is None:
            raise RuntimeError('the load did not finish within 120 s')
        failed = [r for r in results if r[2]]
        active = {d.name() for d in conn.listAllDomains(0) if d.isActive()}
        remove_domains(conn, 'xlb-')
        conn.close()
        return {'list-p50': percentile(lat, 50), 'list-p99': percentile(lat, 99),
                'list-max': max(lat), 'list-idle-p50': percentile(idle, 50),
                'load-duration': load_dur, 'list-calls': len(lat),
                'failed-calls': len(failed),
                'ignorers-running': sum(1 for n in ign if n in active)}


# ----------------------------------------------------------------- scale

class Scale(Workload):
    name = 'scale'
    title = 'many running domains (small memory)'
    metrics = (
        ('create', 'ms/dom', 'setup: createXML of every domain from 4 clients, per domain'),
        ('rss-per-dom', 'KiB', 'libvirtd VmRSS growth per running domain'),
        ('list-api', 'ms', 'virConnectListAllDomains(0)'),
        ('virsh-list-all', 'ms', "'virsh list --all' (a process; per-domain RPCs)"),
        ('stats', 'ms', "virConnectGetAllDomainStats of virt-manager's groups (or its per-domain fallback)"),
        ('stats-all', 'ms', 'virConnectGetAllDomainStats of every group (or per-domain dominfo)'),
        ('reconnect', 's', 'new libvirtd process started -> every domain listed active'),
        ('reconnect-empty', 's', 'the same with no domain (the floor)'),
        ('restart', 's', "'scripts/sandbox restart' (stop + start) -> every domain listed"),
    )

    def params(self, quick):
        # each domain has a raw disk (blkback) and an interface on the
        # default network, as the guests a monitoring tool polls
        return {'domains': 200 if quick else 1000, 'memory_mib': 16, 'clients': 4,
                'devices': 1}

    def host(self, p):
        h = super().host(p)
        need = h['dom0_memory'] + p['domains'] * (p['memory_mib'] + 1) + 2048
        h['memory'] = max(h['memory'], need)
        # a frame a second each way per vif: counters that move, without
        # xensimd spending the run sending 15 frames a second per guest
        h['net_rx_pps'] = 1
        h['net_tx_pps'] = 1
        return h

    def reps(self, quick):
        return 2 if quick else 3

    def timeout(self, p, phase):
        return 60 + p['domains'] * (1.0 if phase == 'setup' else 0.3)

    @staticmethod
    def check_stats(res, n, p):
        """Every domain's record carries its disk and interface."""
        recs = [r for d, r in res if d.name().startswith('xlb-sc-')]
        if len(recs) != n:
            raise RuntimeError('getAllDomainStats returned %d of %d domains' % (len(recs), n))
        want = 1 if p['devices'] else 0
        for r in recs:
            if r.get('block.count') != want or r.get('net.count') != want:
                raise RuntimeError('a domain\'s stats lack its devices: %r' % sorted(r))

    @staticmethod
    def fallback_stats(conn):
        """What virt-manager does without getAllDomainStats: per domain,
        info() and the statistics of each disk and interface of its XML
        (parsed once, as virt-manager caches it; not timed)."""
        import xml.etree.ElementTree as ET
        doms = []
        for d in conn.listAllDomains(0):
            if not d.name().startswith('xlb-sc-'):
                continue
            x = ET.fromstring(d.XMLDesc(0))
            disks = [t.get('dev') for t in x.findall('./devices/disk/target')]
            nics = [t.get('dev') for t in x.findall('./devices/interface/target')]
            doms.append((d, disks, nics))
        t0 = time.perf_counter()
        for d, disks, nics in doms:
            d.info()
            for dev in disks:
                d.blockStats(dev)
            for dev in nics:
                d.interfaceStats(dev)
            try:
                d.memoryStats()
            except Exception:
                pass
        return (time.perf_counter() - t0) * 1000.0

    @staticmethod
    def restart_until(uri, sbdir, n):
        """Restart libvirtd; (seconds from the new process's start, seconds
        of the whole restart) until n xlb-sc- domains are listed active."""
        import libvirt
        t0 = time.perf_counter()
        sandbox_restart(sbdir)
        started = libvirtd_started(sbdir)
        deadline = t0 + 300
        while True:
            try:
                c = open_conn(uri)
                try:
                    act = c.listAllDomains(libvirt.VIR_CONNECT_LIST_DOMAINS_ACTIVE)
                finally:
                    c.close()
                if sum(1 for d in act if d.name().startswith('xlb-sc-')) >= n:
                    break
            except libvirt.libvirtError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError('after a restart, not every domain came back within 300 s')
            time.sleep(0.01)
        t1 = time.perf_counter()
        return (time.clock_gettime(time.CLOCK_BOOTTIME) - started, t1 - t0)

    def setup(self, uri, sbdir, files, p):
        n, k = p['domains'], p['clients']
        empty, _ = self.restart_until(uri, sbdir, 0)
        time.sleep(0.5)
        rss0 = rss_kib(sbdir)
        disk = None
        if p['devices']:
            disk = os.path.join(files, 'scale-disk.img')
            if not os.path.exists(disk):
                with open(disk, 'wb') as f:
                    f.truncate(1 << 20)
        xmls = [pv_xml('xlb-sc-%d' % j, files, p['memory_mib'], console=False,
                       disk=disk, nic=bool(p['devices']))
                for j in range(n)]
        t0 = time.perf_counter()
        errors = create_all(uri, xmls, k)
        dt = time.perf_counter() - t0
        if errors:
            raise RuntimeError('%d of %d domains failed to start, first: %s'
                               % (len(errors), n, errors[0]))
        time.sleep(1.0)
        rss1 = rss_kib(sbdir)
        return {'create': dt / n * 1000.0, 'rss-per-dom': (rss1 - rss0) / n,
                'reconnect-empty': empty}

    def rep(self, uri, sbdir, files, p, i):
        import libvirt
        n = p['domains']
        out = {}
        conn = open_conn(uri)
        try:
            doms = conn.listAllDomains(0)
            have = len([d for d in doms if d.name().startswith('xlb-sc-')])
            if have != n:
                raise RuntimeError('expected %d domains, libvirt lists %d' % (n, have))
            out['list-api'] = median([timed(conn.listAllDomains, 0)[0] for _ in range(5)])
            vl = []
            for _ in range(3):
                t0 = time.perf_counter()
                subprocess.run(['virsh', '-c', uri, 'list', '--all'], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                vl.append((time.perf_counter() - t0) * 1000.0)
            out['virsh-list-all'] = median(vl)
            vm_groups = (libvirt.VIR_DOMAIN_STATS_STATE | libvirt.VIR_DOMAIN_STATS_CPU_TOTAL |
                         libvirt.VIR_DOMAIN_STATS_VCPU | libvirt.VIR_DOMAIN_STATS_BALLOON |
                         libvirt.VIR_DOMAIN_STATS_BLOCK | libvirt.VIR_DOMAIN_STATS_INTERFACE)
            try:
                res = conn.getAllDomainStats(vm_groups, 0)
                self.check_stats(res, n, p)
                out['stats'] = median([timed(conn.getAllDomainStats, vm_groups, 0)[0]
                                       for _ in range(3)])
            except libvirt.libvirtError as e:
                if api_na(e) is None:
                    raise
                out['stats'] = self.fallback_stats(conn)
                out['stats:note'] = ("no getAllDomainStats: virt-manager's per-domain "
                                     "fallback timed (info, blockStats, interfaceStats, "
                                     "memoryStats per domain)")
            try:
                out['stats-all'] = median([timed(conn.getAllDomainStats, 0, 0)[0]
                                           for _ in range(3)])
            except libvirt.libvirtError as e:
                if api_na(e) is None:
                    raise
                t0 = time.perf_counter()
                for d in conn.listAllDomains(0):
                    d.info()
                out['stats-all'] = (time.perf_counter() - t0) * 1000.0
                out['stats-all:note'] = 'no getAllDomainStats: per-domain dominfo timed'
        finally:
            conn.close()
        out['reconnect'], out['restart'] = self.restart_until(uri, sbdir, n)
        return out


# ---------------------------------------------------------------- events

EV_NAMES = ['defined', 'undefined', 'started', 'suspended', 'resumed',
            'stopped', 'shutdown', 'pmsuspended', 'crashed']


def _event_listener(uri, ready, stop, out):
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    libvirt.virEventRegisterDefaultImpl()
    events = []

    def cb(conn, dom, event, detail, opaque):
        events.append((now(), dom.name(), event, detail))

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    conn = open_conn(uri)
    conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)
    # a timer keeps the loop turning so that it sees 'stop'
    libvirt.virEventAddTimeout(100, lambda timer, opaque: None, None)
    t = threading.Thread(target=loop, daemon=True)
    t.start()
    ready.set()
    stop.wait()
    t.join(2)
    out.put([e for e in events if e[1].startswith('xlb-ev-')])


class Events(Workload):
    name = 'events'
    title = 'lifecycle events delivered to a Python listener while domains churn'
    metrics = (
        ('events-per-s', 'ev/s', 'expected events received / churn wall time'),
        ('lag-p50', 'ms', 'event received minus its operation issued'),
        ('lag-p99', 'ms', 'event received minus its operation issued'),
        ('before-reply', '%', 'events received before their operation returned'),
        ('lost', 'count', 'expected events never received'),
        ('duplicated', 'count', 'expected events received more than once'),
        ('other', 'count', 'other lifecycle events (not expected, not wrong)'),
    )

    def params(self, quick):
        return {'domains': 16 if quick else 64, 'clients': 4}

    def reps(self, quick):
        return 3 if quick else 5

    def rep(self, uri, sbdir, files, p, i):
        import multiprocessing
        ctx = multiprocessing.get_context('spawn')
        ready, stop, q = ctx.Event(), ctx.Event(), ctx.Queue()
        proc = ctx.Process(target=_event_listener, args=(uri, ready, stop, q), daemon=True)
        proc.start()
        if not ready.wait(30):
            proc.kill()
            raise RuntimeError('the event listener did not start')
        time.sleep(0.3)
        names = ['xlb-ev-%d-%d' % (i, k) for k in range(p['domains'])]
        expected = {}     # (name, event) -> time its operation returned
        lock = threading.Lock()

        def churn(part):
            c = open_conn(uri)
            try:
                for nm in part:
                    t = [now()]
                    d = c.defineXML(pv_xml(nm, files))
                    t.append(now())
                    d.create()
                    t.append(now())
                    d.destroy()
                    t.append(now())
                    d.undefine()
                    t.append(now())
                    with lock:
                        # (issued, returned) of the operation each event follows
                        expected[(nm, 0)] = (t[0], t[1])
                        expected[(nm, 2)] = (t[1], t[2])
                        expected[(nm, 5)] = (t[2], t[3])
                        expected[(nm, 1)] = (t[3], t[4])
            finally:
                c.close()

        k = p['clients']
        t0 = now()
        threads = [threading.Thread(target=churn, args=(names[j::k],)) for j in range(k)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_ops = now()
        # wait for the stragglers (and for duplicates), then collect
        time.sleep(2.0)
        stop.set()
        events = q.get(timeout=30)
        proc.join(5)
        if proc.is_alive():
            proc.kill()
        got = {}
        lags = []
        early = 0
        other = 0
        last = t_ops
        for (t, nm, ev, det) in events:
            key = (nm, ev)
            if key in expected:
                got[key] = got.get(key, 0) + 1
                if got[key] == 1:
                    issued, returned = expected[key]
                    lags.append((t - issued) * 1000.0)
                    if t < returned:
                        early += 1
                    last = max(last, t)
            else:
                other += 1
        lost = sum(1 for key in expected if key not in got)
        dup = sum(c - 1 for c in got.values() if c > 1)
        received = len(expected) - lost
        return {'events-per-s': received / max(1e-6, last - t0),
                'lag-p50': percentile(lags, 50), 'lag-p99': percentile(lags, 99),
                'before-reply': 100.0 * early / max(1, received),
                'lost': lost, 'duplicated': dup, 'other': other}


# The issues' targets for this module (6, 12, 20), shown beside the numbers
# for reading them; nothing is asserted.  The scale ones are for 1,000
# domains.
TARGETS = {
    ('cycle', 'cycle'): 'ratio <= 0.5',
    ('concurrent-start', 'wall'): '<= 1.5 s',
    ('responsiveness', 'list-p99'): '<= 20 ms',
    ('scale', 'list-api'): '<= 100 ms',
    ('scale', 'virsh-list-all'): '<= 100 ms',
    ('scale', 'stats'): '< 100 ms',
    ('scale', 'rss-per-dom'): '<= 50 KiB',
    ('scale', 'reconnect'): '<= 2 s',
    ('events', 'lost'): '0',
    ('events', 'duplicated'): '0',
    ('cpu', 'cycle'): 'ratio <= 0.5',
    ('hung-guest', 'list-p99'): '<= 20 ms',
    ('hung-guest', 'other-p99'): '<= 20 ms',
}

# ------------------------------------------------------------------- cpu

class Cpu(Workload):
    name = 'cpu'
    title = ('libvirtd\'s own CPU time per operation: batches of define, start, '
             'destroy, undefine (zero simulated latency; xensimd not counted)')
    metrics = (
        ('define', 'ms cpu', 'libvirtd CPU per virDomainDefineXML'),
        ('start', 'ms cpu', 'libvirtd CPU per virDomainCreate'),
        ('destroy', 'ms cpu', 'libvirtd CPU per virDomainDestroy'),
        ('undefine', 'ms cpu', 'libvirtd CPU per virDomainUndefine'),
        ('cycle', 'ms cpu', 'the four together'),
        ('cycle-wall', 'ms', 'wall time per cycle, for comparison'),
    )

    def params(self, quick):
        return {'batch': 20 if quick else 40}

    def reps(self, quick):
        return 5 if quick else 9

    def rep(self, uri, sbdir, files, p, i):
        conn = open_conn(uri)
        n = p['batch']
        names = ['xlb-cpu-%d-%d' % (i, k) for k in range(n)]
        xmls = [pv_xml(nm, files) for nm in names]
        out = {}
        try:
            doms = []
            t0 = time.perf_counter()
            c0 = cpu_ms(sbdir)
            for x in xmls:
                doms.append(conn.defineXML(x))
            c1 = cpu_ms(sbdir)
            for d in doms:
                d.create()
            c2 = cpu_ms(sbdir)
            for d in doms:
                d.destroy()
            c3 = cpu_ms(sbdir)
            for d in doms:
                d.undefine()
            c4 = cpu_ms(sbdir)
            wall = time.perf_counter() - t0
        finally:
            remove_domains(conn, 'xlb-cpu-')
            conn.close()
        out['define'] = (c1 - c0) / n
        out['start'] = (c2 - c1) / n
        out['destroy'] = (c3 - c2) / n
        out['undefine'] = (c4 - c3) / n
        out['cycle'] = (c4 - c0) / n
        out['cycle-wall'] = wall * 1000.0 / n
        return out


# ------------------------------------------------------------ hung guests

def _latency_loop(uri, op, stop, out):
    """In a thread: call op(conn) until stop is set; latencies (ms) into out."""
    conn = open_conn(uri)
    try:
        while not stop.is_set():
            out.append(timed(op, conn)[0])
    finally:
        conn.close()


def _shutdown_all(uri, names, go, done):
    """In its own process: virDomainShutdown of each guest, each from its
    own connection and thread, all at once; durations and errors."""
    import libvirt
    libvirt.registerErrorHandler(lambda ctx, err: None, None)
    conns = [open_conn(uri) for _ in names]
    doms = [c.lookupByName(n) for c, n in zip(conns, names)]
    results = []

    def worker(d):
        t0 = time.perf_counter()
        err = None
        try:
            d.shutdown()
        except Exception as e:  # noqa: BLE001
            err = str(e)
        results.append((time.perf_counter() - t0, err))

    go.wait()
    threads = [threading.Thread(target=worker, args=(d,)) for d in doms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.put(results)
    for c in conns:
        c.close()


def _probe_metrics(hung):
    """The metrics of _Probes.figures(): p50, p99, max of each loop."""
    what = (('list', 'virConnectListAllDomains'), ('hung', hung),
            ('other', 'dominfo of another running domain'))
    return tuple(('%s-%s' % (k, q), 'ms', d) for k, d in what for q in ('p50', 'p99', 'max'))


class _Probes:
    """virConnectListAllDomains, dominfo of a hung guest and of another
    domain, each in a loop of its own (its own connection and thread), so
    that one blocked call does not hold the others' samples back."""

    def __init__(self, uri, hung, other):
        import threading as th
        self.stop = th.Event()
        self.lat = {'list': [], 'hung': [], 'other': []}
        ops = {'list': lambda c: c.listAllDomains(0),
               'hung': lambda c: c.lookupByName(hung).info(),
               'other': lambda c: c.lookupByName(other).info()}
        self.threads = [th.Thread(target=_latency_loop, args=(uri, ops[k], self.stop, self.lat[k]))
                        for k in ops]

    def start(self):
        for t in self.threads:
            t.start()

    def finish(self, timeout=120):
        self.stop.set()
        for t in self.threads:
            t.join(timeout)

    def figures(self):
        out = {}
        for k, v in self.lat.items():
            if not v:
                continue
            out[k + '-p50'] = percentile(v, 50)
            out[k + '-p99'] = percentile(v, 99)
            out[k + '-max'] = max(v)
        return out


class HungGuest(Workload):
    name = 'hung-guest'
    title = ('list and dominfo while guests that never acknowledge a shutdown '
             'request (guest_no_ack) are shut down')
    metrics = _probe_metrics('dominfo of a hung guest') + (
        ('shutdown-max', 's', 'the longest virDomainShutdown call'),
        ('failed-calls', 'count', 'shutdown calls that failed'),
        ('hung-running', 'count', 'hung guests still running at the end (should be all)'),
    )

    def params(self, quick):
        return {'hung': 4, 'others': 4, 'min_seconds': 3.0 if quick else 6.0}

    def host(self, p):
        h = super().host(p)
        h['guest_no_ack'] = 'xlb-hung-*'
        return h

    def reps(self, quick):
        # a repetition lasts libxl's 60 s wait for the acknowledgement
        # wherever a module waits for it in the caller's thread
        return 1 if quick else 2

    def timeout(self, p, phase):
        return 300

    def rep(self, uri, sbdir, files, p, i):
        import multiprocessing
        conn = open_conn(uri)
        hung = ['xlb-hung-%d-%d' % (i, k) for k in range(p['hung'])]
        others = ['xlb-oth-%d-%d' % (i, k) for k in range(p['others'])]
        errs = create_all(uri, [pv_xml(n, files) for n in hung + others])
        if errs:
            raise RuntimeError('could not start the guests: %s' % errs[0])
        ctx = multiprocessing.get_context('spawn')
        go = ctx.Event()
        done = ctx.Queue()
        proc = ctx.Process(target=_shutdown_all, args=(uri, hung, go, done), daemon=True)
        proc.start()
        time.sleep(1.0)   # its connections are open
        probes = _Probes(uri, hung[0], others[0])
        probes.start()
        time.sleep(0.5)   # the loops run before the load
        go.set()
        t0 = time.perf_counter()
        results = None
        while True:
            el = time.perf_counter() - t0
            if results is None and not done.empty():
                results = done.get()
            if results is not None and el >= p['min_seconds']:
                break
            if el > 150:
                break
            time.sleep(0.05)
        probes.finish()
        proc.join(10)
        if proc.is_alive():
            proc.kill()
        if results is None:
            raise RuntimeError('the shutdown calls did not return within 150 s')
        active = {d.name() for d in conn.listAllDomains(0) if d.isActive()}
        remove_domains(conn, 'xlb-')
        conn.close()
        out = probes.figures()
        out['shutdown-max'] = max(r[0] for r in results)
        out['failed-calls'] = sum(1 for r in results if r[1])
        out['hung-running'] = sum(1 for n in hung if n in active)
        return out


class BigBuild(Workload):
    name = 'big-build'
    title = ('list and dominfo while a big guest is built inside libxl\'s '
             'initiating call (build_ms_per_gib)')
    metrics = _probe_metrics('dominfo of the guest being built') + (
        ('start', 's', 'virDomainCreate of the big guest (floor: its build)'),
    )

    def params(self, quick):
        return {'memory_gib': 4, 'build_ms_per_gib': 750}

    def host(self, p):
        h = super().host(p)
        h['build_ms_per_gib'] = p['build_ms_per_gib']
        return h

    def reps(self, quick):
        return 3 if quick else 5

    def timeout(self, p, phase):
        return 180

    def rep(self, uri, sbdir, files, p, i):
        conn = open_conn(uri)
        big = 'xlb-big-%d' % i
        other = 'xlb-oth-%d' % i
        conn.createXML(pv_xml(other, files), 0)
        d = conn.defineXML(pv_xml(big, files, memory_mib=p['memory_gib'] * 1024))
        probes = _Probes(uri, big, other)
        probes.start()
        time.sleep(0.5)
        try:
            start = timed(d.create)[0] / 1000.0
            time.sleep(0.2)
        finally:
            probes.finish()
            remove_domains(conn, 'xlb-')
            conn.close()
        out = probes.figures()
        out['start'] = start
        return out


# ------------------------------------------------------------ save-restore

class _StreamGuest(Workload):
    """One running PV domain (GUEST, of params' memory_mib) whose memory
    goes through xensim's simulated stream at params' rate_mib_s."""
    guest = None

    def host(self, p):
        h = super().host(p)
        h['save_rate_mib_s'] = p['rate_mib_s']
        return h

    def setup(self, uri, sbdir, files, p):
        conn = open_conn(uri)
        try:
            d = conn.defineXML(pv_xml(self.guest, files, memory_mib=p['memory_mib']))
            d.create()
        finally:
            conn.close()
        return {}


class SaveRestore(_StreamGuest):
    name = 'save-restore'
    guest = 'xlb-save'
    title = ('save and restore one 256 MiB PV domain (simulated stream: '
             'save_rate_mib_s); overhead = wall time less the stream\'s')
    metrics = (
        ('save', 'ms', 'virDomainSave, wall'),
        ('restore', 'ms', 'virDomainRestore, wall'),
        ('stream', 'ms', 'what the simulated stream takes each way'),
        ('save-overhead', 'ms', 'save less the stream'),
        ('restore-overhead', 'ms', 'restore less the stream'),
    )

    def params(self, quick):
        return {'memory_mib': 256, 'rate_mib_s': 1024, 'cycles': 3 if quick else 5}


    def rep(self, uri, sbdir, files, p, i):
        import libvirt
        conn = open_conn(uri)
        img = os.path.join(sbdir, 'xlb-save.img')
        stream = p['memory_mib'] * 1000.0 / p['rate_mib_s']
        saves, restores = [], []
        try:
            d = conn.lookupByName('xlb-save')
            for _ in range(p['cycles']):
                try:
                    saves.append(timed(d.save, img)[0])
                    restores.append(timed(conn.restore, img)[0])
                except libvirt.libvirtError as e:
                    why = api_na(e)
                    if why is None:
                        raise
                    raise NotApplicable(why)
                d = conn.lookupByName('xlb-save')
        finally:
            conn.close()
            if os.path.exists(img):
                os.unlink(img)
        save, restore = median(saves), median(restores)
        return {'save': save, 'restore': restore, 'stream': stream,
                'save-overhead': save - stream, 'restore-overhead': restore - stream}


# ---------------------------------------------------------------- migrate

def peer_uri(sbdir):
    """The URI of the sandbox's peer host (bench/run's DIR-b, xen-b)."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([os.path.join(here, '..', 'scripts', 'sandbox'), 'uri', sbdir + '-b'],
                         stdout=subprocess.PIPE, text=True, check=True).stdout
    return out.strip().splitlines()[-1]


class Migrate(_StreamGuest):
    name = 'migrate'
    guest = 'xlb-mig'
    title = ('live migration of one 256 MiB PV domain between two simulated '
             'hosts and back (simulated stream: save_rate_mib_s); overhead = '
             'wall time less the stream\'s')
    peer = True
    metrics = (
        ('there', 'ms', 'virDomainMigrate3 xen-a -> xen-b (client-driven, VIR_MIGRATE_LIVE), wall'),
        ('back', 'ms', 'the same xen-b -> xen-a, wall'),
        ('stream', 'ms', 'what the simulated stream takes each way: a live stream\'s '
                         'rounds (all the memory, 1/4, 1/16) at save_rate_mib_s'),
        ('overhead', 'ms', 'a migration less the stream (median of both ways)'),
    )

    def params(self, quick):
        return {'memory_mib': 256, 'rate_mib_s': 256, 'round_trips': 2 if quick else 3}


    def rep(self, uri, sbdir, files, p, i):
        import libvirt
        a, b = open_conn(uri), open_conn(peer_uri(sbdir))
        # xensim's live stream (libxensim-save.c): a round of every 1 MiB
        # chunk, one of every 4th while the guest runs, one of every 16th
        # once it is suspended, each chunk paced at save_rate_mib_s
        # (writer and reader alike); the rest is the drivers' and libvirt's
        mem = p['memory_mib']
        stream = (mem + mem // 4 + mem // 16) * 1000.0 / p['rate_mib_s']
        there, back = [], []
        try:
            for _ in range(p['round_trips']):
                try:
                    d = a.lookupByName('xlb-mig')
                    there.append(timed(d.migrate3, b, {}, libvirt.VIR_MIGRATE_LIVE)[0])
                    d = b.lookupByName('xlb-mig')
                    back.append(timed(d.migrate3, a, {}, libvirt.VIR_MIGRATE_LIVE)[0])
                except libvirt.libvirtError as e:
                    why = api_na(e)
                    if why is None:
                        raise
                    raise NotApplicable(why)
        finally:
            a.close()
            b.close()
        t, k = median(there), median(back)
        return {'there': t, 'back': k, 'stream': stream,
                'overhead': median(there + back) - stream}


WORKLOADS = [Host(), Cycle(), Cpu(), ConcurrentStart(), ConcurrentStartNoDelay(), Responsiveness(),
             HungGuest(), BigBuild(), Scale(), Events(), SaveRestore(), Migrate()]
BY_NAME = {w.name: w for w in WORKLOADS}


def phase(wname, ph, uri, sbdir, files, p, i=0):
    """Entry point of a child process: one phase of one workload."""
    w = BY_NAME[wname]
    if ph == 'probe':
        from benchlib import probe_lifecycle
        return probe_lifecycle(uri, sbdir, files)
    if ph == 'setup':
        make_files(files)
        return w.setup(uri, sbdir, files, p)
    if ph == 'rep':
        return w.rep(uri, sbdir, files, p, i)
    if ph == 'teardown':
        return w.teardown(uri, sbdir, files, p)
    raise ValueError(ph)

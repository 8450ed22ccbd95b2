# bench/benchlib.py: what bench/run and its workloads share: sandboxes,
# child processes with a time limit, libvirt helpers, statistics, output.
#
# Measurements are reported, never asserted.

import csv
import math
import multiprocessing
import os
import signal
import shutil
import statistics
import subprocess
import sys
import time
import traceback

BENCH = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(BENCH)
SANDBOX = os.path.join(TOP, 'scripts', 'sandbox')
DRIVERS = ('ours', 'stock')
# units of the metrics where more is better (a ratio above 1 favours ours)
HIGHER_IS_BETTER = ('ev/s',)


def now():
    """A clock shared by every process of the run (CLOCK_MONOTONIC)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# ---------------------------------------------------------------- sandboxes

class SandboxError(Exception):
    pass


class Sandbox:
    """One scripts/sandbox: libvirtd with one driver module on its own xensim."""

    def __init__(self, root, name, driver, config, args=()):
        self.dir = os.path.join(root, name)
        self.driver = driver
        self.config = config
        self.args = list(args)      # more 'scripts/sandbox up' options
        self.uri = None
        self.started = False

    def up(self):
        os.makedirs(self.dir, exist_ok=True)
        cmd = [SANDBOX, 'up', self.dir, '--driver=' + self.driver,
               '--xensim-config=' + self.config, '--log-level=4'] + self.args
        self.started = True
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=120)
        if p.returncode != 0:
            why = first_line(p.stderr) or 'scripts/sandbox up failed'
            xs = os.path.join(self.dir, 'log', 'xensimd.stderr')
            extra = first_line(read_text(xs))
            if extra and extra not in why:
                why += ' (xensimd: %s)' % extra
            raise SandboxError(why)
        self.uri = p.stdout.strip().splitlines()[-1]
        return self.uri

    def restart(self):
        p = subprocess.run([SANDBOX, 'restart', self.dir], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=600)
        if p.returncode != 0:
            raise SandboxError('restart: ' + (first_line(p.stdout) or 'failed'))

    def signal(self, pidfile, sig):
        """Send SIG to the process of PIDFILE (libvirtd.pid, xensimd.pid),
        by its PID checked against the start time recorded with it."""
        try:
            with open(os.path.join(self.dir, pidfile)) as f:
                pid, start = f.read().split()[:2]
            with open('/proc/%s/stat' % pid) as f:
                st = f.read().rsplit(')', 1)[1].split()
            if st[19] == start:        # field 22, STARTTIME
                os.kill(int(pid), sig)
        except (OSError, ValueError, IndexError):
            pass

    def kill_libvirtd(self):
        """SIGKILL this sandbox's libvirtd (after a call into it timed out:
        a wedged daemon can take scripts/sandbox down's 30 s grace period)."""
        self.signal('libvirtd.pid', signal.SIGKILL)

    def pause_host(self, paused):
        """Stop (SIGSTOP) or continue this sandbox's xensimd: while the other
        module's repetition runs, its simulated host does no work that a
        real Xen host would not do either (xensimd rewrites every guest's
        disk and interface counters each second; Xen's are read on demand),
        so that each module is measured on a host of its own."""
        self.signal('xensimd.pid', signal.SIGSTOP if paused else signal.SIGCONT)

    def down(self):
        if not self.started:
            return
        subprocess.run([SANDBOX, 'down', self.dir], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)
        self.started = False


def sandbox_restart(sbdir):
    p = subprocess.run([SANDBOX, 'restart', sbdir], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError('scripts/sandbox restart: ' + (first_line(p.stdout) or 'failed'))


def libvirtd_started(sbdir):
    """When the sandbox's libvirtd process started, on the CLOCK_BOOTTIME
    scale (the STARTTIME of DIR/libvirtd.pid is in clock ticks since boot)."""
    with open(os.path.join(sbdir, 'libvirtd.pid')) as f:
        start = int(f.read().split()[1])
    return start / os.sysconf('SC_CLK_TCK')


def libvirtd_pid(sbdir):
    with open(os.path.join(sbdir, 'libvirtd.pid')) as f:
        return int(f.read().split()[0])


def rss_kib(sbdir):
    """VmRSS of the sandbox's libvirtd, KiB."""
    with open('/proc/%d/status' % libvirtd_pid(sbdir)) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise RuntimeError('no VmRSS for libvirtd')


def cpu_ms(sbdir):
    """CPU time (user + system) the sandbox's libvirtd has used, ms: the
    sum over its threads of /proc/PID/task/TID/schedstat's first field
    (ns on the CPU; finer than /proc/PID/stat's clock ticks).  Threads
    that have exited are not counted: libvirtd's workers and event loop
    live as long as the daemon.  Only libvirtd: xensimd is its own
    process and is not counted."""
    pid = libvirtd_pid(sbdir)
    total = 0
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/schedstat' % (pid, tid)) as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e6


def read_text(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except OSError:
        return ''


def first_line(s):
    for line in (s or '').splitlines():
        line = line.strip()
        if line:
            return line
    return ''


def write_host_config(path, keys):
    with open(path, 'w') as f:
        f.write('# written by bench/run\n')
        for k, v in keys.items():
            f.write('%s = %s\n' % (k, v))


def read_host_config(path):
    keys = {}
    for line in read_text(path).splitlines():
        line = line.split('#', 1)[0].strip()
        if '=' in line:
            k, v = line.split('=', 1)
            keys[k.strip()] = v.strip()
    return keys


# ------------------------------------------------------- child processes

class NotApplicable(Exception):
    """The workload cannot run on this driver or host: the reason says why."""


def _child_main(pipe, func, args):
    try:
        import libvirt
        # libvirt prints every error on stderr by default: keep the table readable
        libvirt.registerErrorHandler(lambda ctx, err: None, None)
        res = ('ok', func(*args))
    except NotApplicable as e:
        res = ('na', str(e))
    except Exception as e:  # noqa: BLE001 - reported, never raised
        reason = describe_error(e)
        if reason is not None:
            res = ('na', reason)
        else:
            res = ('error', '%s: %s\n%s' % (type(e).__name__, e,
                                             traceback.format_exc(limit=4)))
    try:
        pipe.send(res)
    finally:
        pipe.close()


def run_child(func, args, timeout):
    """Run func(*args) in a fresh process (spawned: no inherited libvirt
    state); returns ('ok', value) | ('na', reason) | ('error', text) |
    ('timeout', text).  A child that overruns is killed, by its PID."""
    ctx = multiprocessing.get_context('spawn')
    rd, wr = ctx.Pipe(duplex=False)
    # not a daemon: a workload may start processes of its own
    p = ctx.Process(target=_child_main, args=(wr, func, args))
    p.start()
    wr.close()
    res = None
    try:
        if rd.poll(timeout):
            try:
                res = rd.recv()
            except EOFError:
                res = None
        if res is None:
            if p.is_alive():
                res = ('timeout', 'no answer within %d s' % timeout)
            else:
                p.join(1)
                res = ('error', 'benchmark process died (exit status %s)' % p.exitcode)
    finally:
        if p.is_alive():
            p.kill()
        p.join(10)
        rd.close()
    return res


def api_na(e):
    """The reason a libvirt call is not available, or None."""
    try:
        import libvirt
    except ImportError:
        return None
    if isinstance(e, libvirt.libvirtError) and e.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
        return 'the module lacks the API (%s)' % (e.get_error_message() or e).strip()
    return None


def describe_error(e):
    """An n/a reason for a libvirt error that means 'cannot do this here',
    or None for a real failure."""
    try:
        import libvirt
    except ImportError:
        return None
    if not isinstance(e, libvirt.libvirtError):
        return None
    code = e.get_error_code()
    msg = (e.get_error_message() or str(e)).strip()
    if code in (libvirt.VIR_ERR_NO_SUPPORT,):
        return 'the module lacks the API (%s)' % msg
    if 'not implemented' in msg or 'not supported' in msg:
        return msg
    return None


# ------------------------------------------------------------- libvirt

def open_conn(uri):
    import libvirt
    return libvirt.open(uri)


def pv_xml(name, files, memory_mib=64, console=True, disk=None, nic=False):
    """A small PV guest; disk: a raw image file (blkback) to give it as
    xvda; nic: an interface on the default network."""
    dev = "<console type='pty'/>" if console else ''
    if disk:
        dev += ("<disk type='file' device='disk'><driver name='phy' type='raw'/>"
                "<source file='%s'/><target dev='xvda' bus='xen'/></disk>" % disk)
    if nic:
        dev += "<interface type='network'><source network='default'/></interface>"
    return """<domain type='xen'>
  <name>%s</name>
  <memory unit='MiB'>%d</memory>
  <vcpu>1</vcpu>
  <os><type>linux</type><kernel>%s/vmlinuz</kernel><cmdline>console=hvc0</cmdline></os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>%s</devices>
</domain>
""" % (name, memory_mib, files, dev)


def make_files(files):
    os.makedirs(files, exist_ok=True)
    k = os.path.join(files, 'vmlinuz')
    if not os.path.exists(k):
        with open(k, 'wb') as f:
            f.write(b'\0' * 4096)


def remove_domains(conn, prefix):
    """Destroy and undefine every domain whose name starts with prefix."""
    import libvirt
    for d in conn.listAllDomains(0):
        try:
            if not d.name().startswith(prefix):
                continue
            if d.isActive():
                d.destroy()
            if d.isPersistent():
                d.undefine()
        except libvirt.libvirtError:
            pass


def probe_lifecycle(uri, sbdir, files):
    """None if the simulated host and the driver can create a PV domain,
    else the reason."""
    import libvirt
    make_files(files)
    conn = open_conn(uri)
    try:
        try:
            d = conn.createXML(pv_xml('xlb-probe', files), 0)
        except libvirt.libvirtError as e:
            msg = (e.get_error_message() or str(e)).strip()
            log = read_text(os.path.join(sbdir, 'xensim', 'xensim-client.log'))
            for line in log.splitlines():
                if 'libxl_domain_create' in line and 'not implemented' in line:
                    return ('the simulated host cannot create domains yet '
                            '(xensim: %s)' % line.strip())
            if 'not implemented' in msg:
                return 'the simulated host cannot create domains yet (%s)' % msg
            if e.get_error_code() == libvirt.VIR_ERR_NO_SUPPORT:
                return 'the module lacks the API (%s)' % msg
            return 'cannot create a PV domain: %s' % msg
        try:
            d.destroy()
        except libvirt.libvirtError as e:
            return 'cannot destroy a PV domain: %s' % (e.get_error_message() or e)
        return None
    finally:
        conn.close()


# ------------------------------------------------------------ statistics

def percentile(samples, p):
    """Nearest-rank percentile (p in 0..100)."""
    if not samples:
        return float('nan')
    s = sorted(samples)
    k = max(0, min(len(s) - 1, int(math.ceil(p / 100.0 * len(s))) - 1))
    return s[k]


def median(samples):
    samples = [x for x in samples if x is not None and not math.isnan(x)]
    return statistics.median(samples) if samples else float('nan')


def fmt(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return '-'
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e6):
        return '%d' % v
    a = abs(v)
    if a >= 100:
        return '%.0f' % v
    if a >= 10:
        return '%.1f' % v
    if a >= 1:
        return '%.2f' % v
    return '%.3f' % v


# ---------------------------------------------------------------- output

def render_table(rows, notes):
    """rows: dicts with workload, metric, unit, ours, stock, ratio (strings)."""
    head = ('workload', 'metric', 'unit', 'ours', 'stock', 'ours/stock', 'target (ours)')
    keys = ('workload', 'metric', 'unit', 'ours', 'stock', 'ratio', 'target')
    table = [head] + [tuple(r[k] for k in keys) for r in rows]
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    out = []
    for n, t in enumerate(table):
        cells = []
        for i, c in enumerate(t):
            cells.append(c.rjust(widths[i]) if 3 <= i <= 5 else c.ljust(widths[i]))
        out.append('  '.join(cells).rstrip())
        if n == 0:
            out.append('  '.join('-' * w for w in widths))
    if notes:
        out.append('')
        for i, n in enumerate(notes, 1):
            out.append('[%d] %s' % (i, n))
    return '\n'.join(out) + '\n'


def write_csv(path, rows, fields):
    with open(path, 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction='ignore')
        w.writeheader()
        for r in rows:
            w.writerow(r)


def plot_png(path, rows, title):
    """A bar chart of the ours/stock ratios (log scale); gnuplot, else
    matplotlib.  Returns None or why there is no chart."""
    pts = [r for r in rows if isinstance(r.get('ratio_value'), float)
           and r['ratio_value'] > 0 and not math.isnan(r['ratio_value'])
           and r['unit'] not in ('count', '%')]
    if shutil.which('gnuplot'):
        return _plot_gnuplot(path, pts, title)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return 'neither gnuplot nor matplotlib is installed (apt-get install gnuplot-nox)'
    return _plot_matplotlib(path, pts, title)


def _plot_gnuplot(path, pts, title):
    data = path + '.dat'
    with open(data, 'w') as f:
        for r in pts:
            label = ('%s %s' % (r['workload'], r['metric'])).replace('"', "'")
            better = (r['ratio_value'] < 1) != (r['unit'] in HIGHER_IS_BETTER)
            f.write('"%s" %g %d\n' % (label, r['ratio_value'],
                                      0x3c9a3c if better else 0xc04848))
        if not pts:
            f.write('"no comparable metric" 1 %d\n' % 0x808080)
    n = max(1, len(pts))
    width = max(800, 40 + 28 * n)
    lo = min([r['ratio_value'] for r in pts] + [0.5]) / 1.5
    hi = max([r['ratio_value'] for r in pts] + [2.0]) * 1.5
    script = """
set terminal pngcairo size %d,640 font 'sans,9'
set output '%s'
set title "%s" noenhanced
set logscale y 2
set yrange [%g:%g]
set xrange [-0.6:%g]
set ylabel 'ours / stock, median (green: ours better, red: ours worse)'
set xtics rotate by -60 noenhanced
set grid ytics
set key off
set arrow from graph 0, first 1 to graph 1, first 1 nohead lw 2 lc rgb 'black'
plot '%s' using 0:2:($0-0.35):($0+0.35):(1):2:3:xtic(1) with boxxyerror fs solid 0.7 lc rgb variable, \\
     '' using 0:2:(sprintf('%%.2f', $2)) with labels offset 0,char 0.7 font 'sans,8'
""" % (width, path, title.replace('"', "'"), lo, hi, n - 0.4, data)
    p = subprocess.run(['gnuplot'], input=script, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    os.unlink(data)
    if p.returncode != 0 or not os.path.exists(path):
        return 'gnuplot failed: ' + first_line(p.stdout)
    return None


def _plot_matplotlib(path, pts, title):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    labels = ['%s %s' % (r['workload'], r['metric']) for r in pts] or ['no comparable metric']
    vals = [r['ratio_value'] for r in pts] or [1.0]
    fig, ax = plt.subplots(figsize=(max(8, 0.4 * len(vals)), 6))
    ax.bar(range(len(vals)), vals, color='#4a7ab0')
    ax.set_yscale('log', base=2)
    ax.axhline(1.0, color='black')
    ax.set_xticks(range(len(vals)))
    ax.set_xticklabels(labels, rotation=60, ha='left', fontsize=8)
    ax.set_ylabel('ours / stock (median)')
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    return None


def log(msg):
    sys.stderr.write('bench: %s\n' % msg)
    sys.stderr.flush()

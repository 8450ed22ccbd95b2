#!/bin/sh
# xensim-badinput.sh: xensimd refuses bad config files and bad flags with
# one line on stderr naming the problem (file and line for config files),
# exit status 1, nothing left running and no socket or pid file; xensimctl
# errors are one line and exit status 1 too.  Output: TAP.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
xensimd=$top_builddir/xensim/xensimd
xensimctl=$top_builddir/xensim/xensimctl
tmp=$(mktemp -d)
fail=0
started=
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
flunk() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }
diag() { sed 's/^/# /' "$@"; }

cleanup() {
    [ -n "$started" ] && kill "$started" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# expect_refusal NAME PATTERN ARGS...: xensimd ARGS must fail as described.
expect_refusal() {
    name=$1 pattern=$2
    shift 2
    dir=$tmp/$name
    timeout 10 "$xensimd" --dir "$dir" "$@" > "$tmp/out" 2> "$tmp/err"
    status=$?
    lines=$(wc -l < "$tmp/err")
    if [ $status != 1 ]; then
        flunk "$name: exit status $status, not 1"
    elif [ "$lines" != 1 ]; then
        flunk "$name: $lines lines on stderr, not 1:"; diag "$tmp/err"
    elif ! grep -q -- "$pattern" "$tmp/err"; then
        flunk "$name: stderr does not match '$pattern':"; diag "$tmp/err"
    elif [ -e "$dir/xensimd.sock" ] || [ -e "$dir/xensimd.pid" ]; then
        flunk "$name: socket or pid file left in $dir"
    elif pgrep -f -- "$xensimd --dir $dir" > /dev/null 2>&1; then
        flunk "$name: xensimd still running"
    else
        pass "$name: $(cat "$tmp/err")"
    fi
}

conf() { # NAME CONTENTS: a config file
    printf '%b' "$2" > "$tmp/$1.conf"
    echo "$tmp/$1.conf"
}

c=$(conf unknown-key '# a host\nsockets = 2\nfrobnicate = 3\n')
expect_refusal unknown-key "$c:3: frobnicate: unknown key" --config "$c"
c=$(conf bad-value 'memory = lots\n')
expect_refusal bad-value "$c:1: memory: invalid value 'lots'" --config "$c"
c=$(conf no-equals '\n\nnodes 2\n')
expect_refusal no-equals "$c:3: expected 'key = value'" --config "$c"
c=$(conf no-key ' = 4\n')
expect_refusal no-key "$c:1: missing key" --config "$c"
c=$(conf bad-delay 'shutdown_delay_ms = soon\n')
expect_refusal bad-delay "$c:1: shutdown_delay_ms: invalid value 'soon'" --config "$c"
c=$(conf bad-glob-delay 'guest_build_delay = slow-*=3000 big-*\n')
expect_refusal bad-glob-delay "$c:1: guest_build_delay: invalid value 'big-\\*'" --config "$c"
c=$(conf bad-sched 'scheduler = fifo\n')
expect_refusal bad-sched "$c:1: scheduler: unknown scheduler 'fifo'" --config "$c"
c=$(conf bad-version 'xen_version = four\n')
expect_refusal bad-version "$c:1: xen_version: invalid value" --config "$c"
c=$(conf bad-caps 'virt_caps = hvm warp\n')
expect_refusal bad-caps "$c:1: virt_caps: unknown virtualization capability 'warp'" --config "$c"
c=$(conf too-many-nodes 'sockets = 1\ncores_per_socket = 1\nthreads_per_core = 1\nnodes = 2\n')
expect_refusal too-many-nodes "$c: 2 NUMA nodes but only 1 CPUs" --config "$c"
c=$(conf dom0-too-big 'memory = 1024\ndom0_memory = 2048\n')
expect_refusal dom0-too-big "$c: dom0_memory (2097152 KiB)" --config "$c"
expect_refusal missing-config "nonexistent.conf" --config "$tmp/nonexistent.conf"

expect_refusal unknown-flag "--warp: unknown key 'warp'" --warp 9
expect_refusal bad-flag-value "--cpus: invalid value 'many'" --cpus many
expect_refusal zero-cpus "--nodes: invalid value '0'" --nodes 0
expect_refusal uneven-cpus "cpus: 6 CPUs cannot be split" --cpus 6
expect_refusal missing-value "--memory: missing value" --memory
expect_refusal stray-arg "unexpected argument 'extra'" extra

# no --dir at all
timeout 10 "$xensimd" > /dev/null 2> "$tmp/err"
if [ $? != 1 ] || [ "$(wc -l < "$tmp/err")" != 1 ] || ! grep -q -- '--dir' "$tmp/err"; then
    flunk "no-dir"; diag "$tmp/err"
else
    pass "no-dir: $(cat "$tmp/err")"
fi

# flags override the file; a good host starts, and a second daemon on the
# same directory is refused without disturbing the first.
c=$(conf good 'cpus = 8\nnodes = 4\n')
"$xensimd" --dir "$tmp/good" --config "$c" --nodes 2 2> "$tmp/good.err" &
started=$!
for i in $(seq 1 100); do [ -S "$tmp/good/xensimd.sock" ] && break; sleep 0.05; done
if ! "$xensimctl" --dir "$tmp/good" host | grep -qx 'nr_nodes: 2'; then
    flunk "flags do not override the config file"
else
    pass "flags override the config file"
fi
if "$xensimctl" --dir "$tmp/good" list | grep -Eq '^0 +Domain-0 +running +4096 +4$' &&
   "$xensimctl" --dir "$tmp/good" xenstore-ls /local/domain/0 |
       grep -qx '/local/domain/0/name = "Domain-0"' &&
   [ "$("$xensimctl" --dir "$tmp/good" xenstore-read /local/domain/0/domid)" = 0 ]; then
    pass "xensimctl list and xenstore-ls show Domain-0"
else
    flunk "xensimctl list and xenstore-ls show Domain-0"
fi
timeout 10 "$xensimd" --dir "$tmp/good" > /dev/null 2> "$tmp/err"
if [ $? != 1 ] || [ "$(wc -l < "$tmp/err")" != 1 ] || ! [ -S "$tmp/good/xensimd.sock" ]; then
    flunk "second daemon on one directory"; diag "$tmp/err"
else
    pass "second daemon: $(cat "$tmp/err")"
fi

# xensimctl errors: one line, exit 1
ctl_refusal() { # NAME ARGS...
    name=$1
    shift
    "$xensimctl" "$@" > /dev/null 2> "$tmp/err"
    if [ $? != 1 ] || [ "$(wc -l < "$tmp/err")" != 1 ]; then
        flunk "xensimctl $name"; diag "$tmp/err"
    else
        pass "xensimctl $name: $(cat "$tmp/err")"
    fi
}
ctl_refusal no-daemon --dir "$tmp/none" list
ctl_refusal unknown-command --dir "$tmp/good" frobnicate
ctl_refusal bad-path --dir "$tmp/good" xenstore-read relative/path
ctl_refusal bad-fault --dir "$tmp/good" fault set libxl_get_physinfo NOPE
ctl_refusal unknown-entry --dir "$tmp/good" fault set libxl_nonexistent ERROR_FAIL

kill -TERM "$started"
wait "$started"
status=$?
started=
if [ $status != 0 ] || [ -e "$tmp/good/xensimd.sock" ] || [ -e "$tmp/good/xensimd.pid" ]; then
    flunk "SIGTERM: exit status $status, or socket/pid file left"
else
    pass "SIGTERM: clean exit"
fi

echo "1..$n"
exit $fail

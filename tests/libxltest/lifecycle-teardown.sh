#!/usr/bin/env bash
# The driver's teardown, with our module under valgrind: libvirtd stopped
# (SIGTERM) while event workers handle guests' shutdowns, and while the
# autostart thread starts domains,
#   - stops promptly and gracefully (libvirt's 30 s shutdown budget),
#   - with no invalid access (the autostart thread and the workers are
#     joined before the driver they use is freed, the libxl context goes
#     before the workers' pool, no global pointer is left dangling).
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox
if ! command -v valgrind >/dev/null; then
    echo "1..0 # SKIP no valgrind"
    exit 0
fi

work=$(mktemp -d /tmp/xl-lctd.XXXXXX)
lc_files "$work"
# builds last: the autostart thread is in a start when the daemon stops
printf 'build_delay_ms = 1500\nshutdown_delay_ms = 0\n' > "$work/xensim.cfg"
sb="$work/sb"
xsctl() { "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" "$@"; }

# running PID: the process exists and is not a zombie
running() {
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

# stop_now DESC: SIGTERM to libvirtd; it must be gone within 40 s (valgrind
# is slow; libvirt itself gives the drivers 30 s) and not have given up
stop_now() {
    local pid t0 t1 i
    read -r pid _ < "$sb/libvirtd.pid"
    t0=$(date +%s)
    kill -TERM "$pid"
    for ((i = 0; i < 400; i++)); do
        running "$pid" || break
        sleep 0.1
    done
    t1=$(date +%s)
    if running "$pid"; then
        tap_fail "$1: libvirtd stops" "still running after $((t1 - t0)) s"
        kill -KILL "$pid" 2>/dev/null
    else
        echo "# $1: stopped in $((t1 - t0)) s"
        tap_ok "$1: libvirtd stops"
    fi
    if grep -q "forcefull daemon shutdown" "$sb/log/libvirtd.log" 2>/dev/null; then
        tap_fail "$1: gracefully" "$(grep -m1 "forcefull" "$sb/log/libvirtd.log")"
    else
        tap_ok "$1: gracefully"
    fi
}

if ! sandbox_up "$sb" --driver=ours --host=sim --xensim-config="$work/xensim.cfg" --valgrind; then
    tap_fail "sandbox up under valgrind"
    tap_done
    exit 1
fi
uri=$URI
lc_require_lifecycle "$uri" "$sb" "$work"

for i in 1 2 3; do
    lc_xml pv "td-auto$i" "$work" > "$work/td-auto$i.xml"
    virsh -c "$uri" define "$work/td-auto$i.xml" >/dev/null
    virsh -c "$uri" autostart "td-auto$i" >/dev/null
done
for i in 1 2 3 4; do
    lc_xml pv "td-ev$i" "$work" > "$work/td-ev$i.xml"
    virsh -c "$uri" create "$work/td-ev$i.xml" >/dev/null
done
ok_eq "four domains run" 4 "$(virsh -c "$uri" list --name | grep -c '^td-ev')"

# the guests power off: their events are being handled when the daemon stops
for i in 1 2 3 4; do
    xsctl guest "td-ev$i" poweroff >/dev/null &
done
wait
stop_now "during the guests' shutdowns"

# the next daemon autostarts three domains (1.5 s builds)
rm -f "$sb/run/libvirt/libxl/autostarted"
ok_run "libvirtd starts again" "$top_srcdir/scripts/sandbox" restart "$sb"
for ((i = 0; i < 100; i++)); do
    xsctl list | grep -q td-auto && break
    sleep 0.1
done
ok_match "the autostart thread is starting domains" "td-auto" "$(xsctl list)"
stop_now "during autostart"

"$top_srcdir/scripts/sandbox" down "$sb" >/dev/null 2>&1
vg=$(cat "$sb/log/valgrind-previous.log" "$sb/log/valgrind.log" 2>/dev/null)
ok_match "valgrind reported on the daemons" "ERROR SUMMARY" "$vg"
# each memcheck error with its first frames
errs=$(printf '%s\n' "$vg" |
       awk '/== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Mismatched free)/ {
                err = $0; sub(/^==[0-9]+== /, "", err)
                getline; f1 = $0; sub(/^==[0-9]+== +/, "", f1)
                getline; f2 = $0; sub(/^==[0-9]+== +/, "", f2)
                print err " " f1 " " f2 }' | sort -u)
ok_eq "no invalid access in the module's teardown" "" \
    "$(printf '%s\n' "$errs" | grep -v xensim | grep -v '^$' || true)"

sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

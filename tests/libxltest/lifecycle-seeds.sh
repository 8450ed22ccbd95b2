#!/usr/bin/env bash
# One test per bug of the 2013 driver (../shared/seeds), with our module and
# the stock one:
#   console  'virsh console' right after start reaches the guest (the
#            per-domain console mutex exists from the start)
#   hooks    a libvirt hook script (/etc/libvirt/hooks/libxl) runs while
#            libxl's children run (concurrent starts); every hook's exit
#            status reaches libvirt (a vetoing hook fails the start with its
#            own message), no "unable to wait for process"
#   cycles   LC_CYCLES (default 200, in CI too)
#            start/destroy cycles under valgrind: no invalid access, also
#            with console sessions taken over and destroyed under (every
#            tenth cycle); no memory the module allocated definitely lost
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-lcseeds.XXXXXX)
lc_files "$work"
cycles=${LC_CYCLES:-200}

console_checks() { # drv uri
    local drv=$1 uri=$2 out
    lc_xml pv sd-con "$work" > "$work/sd-con-$drv.xml"
    ok_run "$drv: create for the console test" virsh -c "$uri" create "$work/sd-con-$drv.xml"
    # straight after the start: the console opens (virsh wants a terminal:
    # script(1) gives it one; it is stopped by the timeout)
    out=$(timeout 3 script -qec "virsh -c '$uri' console sd-con --force" /dev/null </dev/null 2>&1)
    ok_match "$drv: console right after start connects" "Connected to domain" "$out"
    if printf '%s' "$out" | grep -qiE "error|internal"; then
        tap_fail "$drv: console right after start reports no error" "$out"
    else
        tap_ok "$drv: console right after start reports no error"
    fi
    ok_run "$drv: the daemon survived the console" virsh -c "$uri" list
    virsh -c "$uri" destroy sd-con >/dev/null 2>&1
}

write_hook() { # sbdir
    mkdir -p "$1/etc/hooks"
    cat > "$1/etc/hooks/libxl" <<EOF
#!/bin/sh
# \$1 domain, \$2 operation, \$3 sub-operation
cat > /dev/null
echo "\$1 \$2 \$3 begin" >> "$1/hooks.log"
sleep 0.2
case "\$1:\$2" in
    sd-veto:prepare|sd-veto:start) echo "vetoed by the hook" >&2; echo "\$1 \$2 \$3 exit 1" >> "$1/hooks.log"; exit 1 ;;
esac
echo "\$1 \$2 \$3 exit 0" >> "$1/hooks.log"
exit 0
EOF
    chmod 755 "$1/etc/hooks/libxl"
}

hook_checks() { # drv uri sbdir
    local drv=$1 uri=$2 sb=$3 i pids=() fails=0
    local log="$sb/hooks.log"
    : > "$log"
    for i in 1 2 3 4 5; do
        lc_xml pv "sd-h$i" "$work" > "$work/sd-h$i-$drv.xml"
        virsh -c "$uri" create "$work/sd-h$i-$drv.xml" > "$work/hook-create-$drv-$i.log" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || fails=$((fails + 1)); done
    ok_eq "$drv: 5 concurrent starts with a slow hook succeed" 0 "$fails"
    [ "$fails" = 0 ] || cat "$work"/hook-create-$drv-*.log | sed 's/^/# /'
    ok_eq "$drv: every start ran the prepare hook to its end" 5 \
        "$(grep -c 'sd-h[0-9] prepare begin exit 0' "$log")"
    ok_eq "$drv: every start ran the started hook" 5 \
        "$(grep -c 'sd-h[0-9] started begin exit 0' "$log")"
    lc_xml pv sd-veto "$work" > "$work/sd-veto-$drv.xml"
    ok_fail "$drv: a vetoing hook fails the start with its message" "vetoed by the hook|hook" \
        virsh -c "$uri" create "$work/sd-veto-$drv.xml"
    ok_fail "$drv: the vetoed domain is not there" "ailed to get domain|no domain" \
        virsh -c "$uri" domstate sd-veto
    for i in 1 2 3 4 5; do virsh -c "$uri" destroy "sd-h$i" >/dev/null 2>&1; done
    ok_eq "$drv: every destroy ran the release hook" 5 \
        "$(grep -c 'sd-h[0-9] release end exit 0' "$log")"
    if grep -qs "unable to wait for process\|No child processes" "$sb/log/libvirtd.log"; then
        tap_fail "$drv: no exit status was lost" "$(grep "unable to wait\|No child" "$sb/log/libvirtd.log" | head -5)"
    else
        tap_ok "$drv: no exit status was lost"
    fi
}

seed_checks() { # drv uri sbdir
    console_checks "$1" "$2"
    hook_checks "$1" "$2" "$3"
}

# console_churn URI DOM: a console client, a second one taking it over, the
# domain destroyed under the second's open session; both read the end of
# their streams (exit 0), else exit 1
console_churn() {
    "${PYTHON3:-/usr/bin/python3}" - "$1" "$2" <<'PYEOF'
import sys, threading, time, libvirt
libvirt.registerErrorHandler(lambda c, e: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)],
                 daemon=True).start()
conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])

def until_end(st, secs=30):
    end = time.time() + secs
    while time.time() < end:
        try:
            r = st.recv(4096)
        except libvirt.libvirtError as e:
            print(e)
            return False
        if r == -2:
            time.sleep(0.05)
        elif not r:
            return True
    return False

s1 = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(None, s1, 0)
s2 = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(None, s2, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
first = until_end(s1)
s2.send(b"\r")
dom.destroy()
second = until_end(s2)
print("first client: %s, second client: %s" % ("end" if first else "no end", "end" if second else "no end"))
sys.exit(0 if first and second else 1)
PYEOF
}

cycle_checks() { # drv uri sbdir cycles
    local drv=$1 uri=$2 sb=$3 n=$4 i fails=0 churns=0 churn_fails=0
    lc_xml pv sd-cyc "$work" > "$work/sd-cyc-$drv.xml"
    for i in $(seq 1 "$n"); do
        virsh -c "$uri" create "$work/sd-cyc-$drv.xml" >/dev/null 2>&1 || fails=$((fails + 1))
        # every tenth cycle, consoles: takeover, destroy under a session
        if [ $((i % 10)) = 0 ]; then
            churns=$((churns + 1))
            console_churn "$uri" sd-cyc >>"$work/churn-$drv.log" 2>&1 || churn_fails=$((churn_fails + 1))
            virsh -c "$uri" destroy sd-cyc >/dev/null 2>&1
        else
            virsh -c "$uri" destroy sd-cyc >/dev/null 2>&1 || fails=$((fails + 1))
        fi
    done
    ok_eq "$drv: $n start/destroy cycles under valgrind" 0 "$fails"
    if [ "$drv" = ours ]; then
        if [ "$churn_fails" = 0 ]; then
            tap_ok "$drv: $churns console takeovers and destroys under a session end cleanly"
        else
            tap_fail "$drv: $churns console takeovers and destroys under a session end cleanly" \
                "$churn_fails failed:" "$(tail -n 20 "$work/churn-$drv.log")"
        fi
    fi
    "$top_srcdir/scripts/sandbox" down "$sb" >/dev/null 2>&1
    # each memcheck error with the frame it happened in; the simulated
    # host's own errors are xensim's (recorded, not ours)
    lc_vg_errors "$sb/log/valgrind.log" > "$work/vg-$drv"
    ok_eq "$drv: no invalid access in $n cycles" "" "$(grep -v xensim "$work/vg-$drv")"
    # leaks (--leak-check=full): none whose allocation went through the module
    if [ "$drv" = ours ]; then
        ok_eq "$drv: no memory definitely lost by the module in $n cycles" "" \
            "$(lc_vg_module_leaks "$sb/log/valgrind.log")"
    fi
    if grep -q xensim "$work/vg-$drv"; then
        tap_fail "$drv: no invalid access in the simulated host" "$(grep xensim "$work/vg-$drv")"
    else
        tap_ok "$drv: no invalid access in the simulated host"
    fi
}

declare -A uris
for drv in ours stock; do
    lc_sandbox_prep "$work/sb-$drv"
    write_hook "$work/sb-$drv"
    if sandbox_up "$work/sb-$drv" --driver=$drv --host=sim; then
        uris[$drv]=$URI
    else
        tap_fail "$drv: sandbox up"
    fi
done
[ -n "${uris[ours]:-}" ] && lc_require_lifecycle "${uris[ours]}" "$work/sb-ours" "$work"
for drv in "${!uris[@]}"; do
    lc_par seed_checks "$drv" "${uris[$drv]}" "$work/sb-$drv"
done
lc_par_wait
for drv in ours stock; do
    "$top_srcdir/scripts/sandbox" down "$work/sb-$drv" >/dev/null 2>&1
done

# memcheck: ours for $cycles cycles, the stock module (the reference, not
# under test) for a quarter of them
if ! command -v valgrind >/dev/null; then
    tap_skip "$cycles start/destroy cycles under valgrind" "no valgrind"
else
    declare -A vuris
    for drv in ours stock; do
        if sandbox_up "$work/sbv-$drv" --driver=$drv --host=sim --valgrind; then
            vuris[$drv]=$URI
        else
            tap_fail "$drv: sandbox up under valgrind"
        fi
    done
    for drv in "${!vuris[@]}"; do
        n=$cycles
        [ "$drv" = stock ] && n=$(( (cycles + 3) / 4 ))
        lc_par cycle_checks "$drv" "${vuris[$drv]}" "$work/sbv-$drv" "$n"
    done
    lc_par_wait
fi

# down before the directory goes (the EXIT trap could not find it)
sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# Concurrency, with our module and the stock one:
#   - 20 domains started at once from 20 clients all run;
#   - while 5 guests that ignore shutdown requests are being shut down,
#     'virsh list' answers every time (its latencies go to the test log; no
#     timing assertion) and other domains start and are destroyed;
#   - a second modifying call on a busy domain fails naming the job once
#     job_wait_time has passed; queries answer meanwhile.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-lcstress.XXXXXX)
lc_files "$work"
N=${LC_PARALLEL:-20}


stress_checks() { # drv uri sbdir
    local drv=$1 uri=$2 sb=$3 i pids=() fails=0 running out

    for i in $(seq 1 "$N"); do
        lc_xml pv "st-$i" "$work" > "$work/st-$i.xml"
    done
    for i in $(seq 1 "$N"); do
        virsh -c "$uri" create "$work/st-$i.xml" > "$work/create-$i.log" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || fails=$((fails + 1))
    done
    ok_eq "$drv: $N concurrent creates from $N clients succeed" 0 "$fails"
    [ "$fails" = 0 ] || cat "$work"/create-*.log | sed 's/^/# /' | head -20
    running=$(virsh -c "$uri" list --name --state-running 2>/dev/null | grep -c '^st-')
    ok_eq "$drv: all $N run" "$N" "$running"

    # st-1..st-5 ignore shutdown requests (guest_ignore_shutdown, below)
    # and st-6..st-10 obey, at the same time
    for i in 1 2 3 4 5 6 7 8 9 10; do
        virsh -c "$uri" shutdown "st-$i" > "$work/shutdown-$i.log" 2>&1 &
    done

    # meanwhile: list answers, others start and are destroyed
    local t0 t1 lat=() listfail=0 churnfail=0
    lc_xml pv st-extra "$work" > "$work/st-extra.xml"
    for i in $(seq 1 10); do
        t0=$(ms_now)
        virsh -c "$uri" list >/dev/null 2>&1 || listfail=$((listfail + 1))
        t1=$(ms_now)
        lat+=($((t1 - t0)))
        if [ $((i % 2)) = 0 ]; then
            virsh -c "$uri" create "$work/st-extra.xml" >/dev/null 2>&1 || churnfail=$((churnfail + 1))
            virsh -c "$uri" destroy st-extra >/dev/null 2>&1 || churnfail=$((churnfail + 1))
        fi
    done
    wait
    echo "# $drv: virsh list latencies during the shutdowns (ms): ${lat[*]}"
    running=$(virsh -c "$uri" list --name --state-running 2>/dev/null | grep -c '^st-[1-5]$')
    ok_eq "$drv: the 5 guests ignoring shutdown still run" 5 "$running"
    for i in 6 7 8 9 10; do lc_wait_gone "$uri" "st-$i" 10; done
    running=$(virsh -c "$uri" list --name 2>/dev/null | grep -c '^st-\([6-9]\|10\)$')
    ok_eq "$drv: the 5 obedient guests shut down concurrently are gone" 0 "$running"
    ok_eq "$drv: virsh list answered every time during the shutdowns" 0 "$listfail"
    ok_eq "$drv: other domains started and destroyed during the shutdowns" 0 "$churnfail"


    for i in $(seq 1 "$N"); do
        virsh -c "$uri" destroy "st-$i" >/dev/null 2>&1 &
    done
    wait
    running=$(virsh -c "$uri" list --name 2>/dev/null | grep -c '^st-')
    ok_eq "$drv: all destroyed" 0 "$running"
}

printf 'guest_ignore_shutdown = st-1 st-2 st-3 st-4 st-5\n' > "$work/xensim.cfg"

for drv in ours stock; do
    if ! sandbox_up "$work/sb-$drv" --driver=$drv --host=sim --xensim-config="$work/xensim.cfg"; then
        tap_fail "$drv: sandbox up"
        continue
    fi
    [ "$drv" = ours ] && lc_require_lifecycle "$URI" "$work/sb-$drv" "$work"
    TAP_TODO=
    stress_checks "$drv" "$URI" "$work/sb-$drv"
    TAP_TODO=
    "$top_srcdir/scripts/sandbox" down "$work/sb-$drv" >/dev/null 2>&1
done

# down before the directory goes (the EXIT trap could not find it)
sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

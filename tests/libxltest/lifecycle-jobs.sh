#!/usr/bin/env bash
# Jobs, with our module (the stock one where it has the API): a slow start
# (xensim build_delay_ms) is a job that
#   - domjobinfo shows while it runs,
#   - a second modifying call waits for, then fails naming it once
#     job_wait_time (libxl.conf) has passed,
#   - queries (dominfo, domstate, dumpxml, list) do not wait for,
#   - domjobabort stops (libxl_ao_abort): the domain is left shut off,
#   - does not hold up other domains.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-lcjobs.XXXXXX)
lc_files "$work"
# a start takes 10 s: the checks made during one need a few seconds on a
# loaded machine (the aborts and the destroy end it sooner)
printf 'build_delay_ms = 10000\n' > "$work/xensim.cfg"



job_checks() { # drv uri sbdir
    local drv=$1 uri=$2 sb=$3 pid out
    lc_xml pv jb-slow "$work" > "$work/jb-slow-$drv.xml"
    lc_xml pv jb-other "$work" > "$work/jb-other-$drv.xml"
    ok_run "$drv: define jb-slow" virsh -c "$uri" define "$work/jb-slow-$drv.xml"

    virsh -c "$uri" start jb-slow > "$work/start-$drv.log" 2>&1 &
    pid=$!
    lc_wait_job "$uri" jb-slow
    ok_match "$drv: domjobinfo shows the start" "Unbounded" \
        "$(virsh -c "$uri" domjobinfo jb-slow 2>&1)"
    ok_fast "$drv: dominfo answers during the start" 1500 virsh -c "$uri" dominfo jb-slow
    ok_fast "$drv: domstate answers during the start" 1500 virsh -c "$uri" domstate jb-slow
    ok_fast "$drv: dumpxml answers during the start" 1500 virsh -c "$uri" dumpxml jb-slow
    ok_fast "$drv: list answers during the start" 1500 virsh -c "$uri" list --all
    # other domains build fast: they must not wait for jb-slow
    "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" host set build_delay_ms 100 >/dev/null
    ok_fast "$drv: another domain starts meanwhile" 2000 virsh -c "$uri" create "$work/jb-other-$drv.xml"
    "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" host set build_delay_ms 10000 >/dev/null
    # what is above proves something only if the start was still going on
    if kill -0 "$pid" 2>/dev/null; then tap_ok "$drv: the slow start was still going on meanwhile"
    else tap_fail "$drv: the slow start was still going on meanwhile" "it ended too early: the checks above prove nothing"; fi
    # (last: the stock module's waits for the start's end)
    [ "$drv" = stock ] && TAP_TODO="stock: no job wait time setting"
    ok_fail "$drv: a second start fails naming the busy job" \
        "^error: Timed out during operation: domain 'jb-slow' is busy with start \(for [0-9]+s\)\$" \
        virsh -c "$uri" start jb-slow
    TAP_TODO=
    wait "$pid"
    ok_eq "$drv: the slow start succeeds" 0 $?
    ok_match "$drv: and it runs" "^running" "$(virsh -c "$uri" domstate jb-slow 2>&1)"
    virsh -c "$uri" destroy jb-slow >/dev/null 2>&1

    # abort a start
    virsh -c "$uri" start jb-slow > "$work/start2-$drv.log" 2>&1 &
    pid=$!
    lc_wait_job "$uri" jb-slow
    [ "$drv" = stock ] && TAP_TODO="stock: no domjobabort"
    ok_run "$drv: domjobabort during the start" virsh -c "$uri" domjobabort jb-slow
    wait "$pid"
    ok_match "$drv: the aborted start fails saying so" \
        "^error: operation aborted: starting domain 'jb-slow' was aborted\$" "$(cat "$work/start2-$drv.log")"
    ok_match "$drv: the aborted domain is shut off" "^shut off" \
        "$(virsh -c "$uri" domstate jb-slow 2>&1)"
    TAP_TODO=
    [ "$drv" = stock ] && TAP_TODO="stock: no domjobabort"
    ok_fail "$drv: domjobabort without a job says there is none" \
        "Requested operation is not valid: domain 'jb-slow' has no operation in progress to abort" \
        virsh -c "$uri" domjobabort jb-slow
    TAP_TODO=

    # destroy does not wait behind a start: it aborts it
    virsh -c "$uri" start jb-slow > "$work/start3-$drv.log" 2>&1 &
    pid=$!
    lc_wait_job "$uri" jb-slow
    virsh -c "$uri" destroy jb-slow > "$work/destroy3-$drv.log" 2>&1
    ok_eq "$drv: destroy during a start succeeds" 0 $?
    ok_eq "$drv: destroy during a start says so" "Domain 'jb-slow' destroyed" \
        "$(sed '/^$/d' "$work/destroy3-$drv.log")"
    wait "$pid"
    [ "$drv" = stock ] && TAP_TODO="stock: no domjobabort"
    ok_match "$drv: the start a destroy met fails, aborted" \
        "^error: operation aborted: starting domain 'jb-slow' was aborted\$" "$(cat "$work/start3-$drv.log")"
    TAP_TODO=
    ok_match "$drv: destroy during a start leaves it shut off" "^shut off" \
        "$(virsh -c "$uri" domstate jb-slow 2>&1)"

    virsh -c "$uri" destroy jb-other >/dev/null 2>&1
    virsh -c "$uri" undefine jb-slow >/dev/null 2>&1
}

declare -A uris
for drv in ours stock; do
    sb="$work/sb-$drv"
    if ! sandbox_up "$sb" --driver=$drv --host=sim --xensim-config="$work/xensim.cfg"; then
        tap_fail "$drv: sandbox up"
        continue
    fi
    uris[$drv]=$URI
    [ "$drv" = ours ] && lc_require_lifecycle "$URI" "$sb" "$work"
    # a short job wait time
    echo "job_wait_time = 1" >> "$sb/etc/libxl.conf"
    "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1
done
for drv in "${!uris[@]}"; do
    lc_par job_checks "$drv" "${uris[$drv]}" "$work/sb-$drv"
done
lc_par_wait

# down before the directory goes (the EXIT trap could not find it)
sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

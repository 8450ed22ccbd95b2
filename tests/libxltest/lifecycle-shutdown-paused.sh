#!/usr/bin/env bash
# A shutdown request that waits for the guest's acknowledgement (libxl
# waits up to 60 s; a paused or hung guest does not answer), with our
# module and the stock one (recorded only: it holds the domain locked for
# the whole wait, even virsh list waits):
#   - dominfo answers, suspend and resume run at once, while the shutdown
#     call still waits; a resumed guest acknowledges and shuts down: one
#     Stopped (Shutdown) event, no job left;
#   - a save or a reboot meanwhile fails naming the shutdown (serialised
#     behind its job, job_wait_time = 1);
#   - destroy ends the wait: the shutdown call fails, the guest is shut
#     off (destroyed), nothing left in xensim.
# Before, resume waited job_wait_time for the shutdown's job and failed
# "busy with shutdown": the one call that lets a paused guest answer.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

xensimctl=${top_builddir:-$top_srcdir}/xensim/xensimctl
work=$(mktemp -d /tmp/xl-shutpaused.XXXXXX)
lc_files "$work"

# wait until libxl has written the request into the guest's control node
wait_request() { # sb dom
    local id i
    id=$("$xensimctl" --dir "$1/xensim" list | awk -v d="$2" '$2 == d {print $1}')
    for i in $(seq 1 100); do
        [ "$("$xensimctl" --dir "$1/xensim" xenstore-read \
              "/local/domain/$id/control/shutdown" 2>/dev/null)" = poweroff ] && return 0
        sleep 0.1
    done
    return 1
}

running() { if kill -0 "$1" 2>/dev/null; then echo yes; else echo no; fi; }

checks() { # drv uri sb
    local drv=$1 uri=$2 sb=$3 pid out rc
    V() { virsh -q -c "$uri" "$@"; }
    VV() { virsh -c "$uri" "$@"; }
    TAP_RECORD=
    [ "$drv" = stock ] && TAP_RECORD="stock: the request holds the domain locked until the guest answers (60 s)"

    # a paused guest, resumed while the request waits
    lc_xml pv sp-a "$work" > "$work/sp-a-$drv.xml"
    ok_run "$drv: define and start sp-a" sh -c "virsh -c '$uri' define '$work/sp-a-$drv.xml' && virsh -c '$uri' start sp-a"
    ok_run "$drv: suspend sp-a" V suspend sp-a
    lc_events_start "$uri" "$work/events-$drv"
    VV shutdown sp-a > "$work/shutdown-a-$drv.log" 2>&1 &
    pid=$!
    wait_request "$sb" sp-a
    ok_eq "$drv: the request is written" 0 $?
    out=$(V domstate --reason sp-a 2>&1)
    ok_eq "$drv: domstate answers while the request waits" "paused (user)/yes" "$out/$(running $pid)"
    out=$(V dominfo sp-a 2>&1 | awk '/^State:/ {print $2}')
    ok_eq "$drv: dominfo answers while the request waits" "paused/yes" "$out/$(running $pid)"
    out=$(V dumpxml sp-a 2>&1 | grep -c '<name>sp-a</name>')
    ok_eq "$drv: dumpxml answers while the request waits" "1/yes" "$out/$(running $pid)"
    ok_fail "$drv: a save meanwhile fails naming the shutdown" \
        "domain 'sp-a' is busy with shutdown" V save sp-a "$work/sp-a-$drv.img"
    ok_fail "$drv: a reboot meanwhile fails naming the shutdown" \
        "domain 'sp-a' is busy with shutdown" V reboot sp-a
    out=$(VV suspend sp-a 2>&1; echo "rc=$?")
    ok_eq "$drv: suspend (already paused) at once" "Domain 'sp-a' suspended/rc=0/yes" \
        "$(printf '%s' "$out" | sed '/^$/d' | paste -sd/)/$(running $pid)"
    out=$(VV resume sp-a 2>&1; echo "rc=$?")
    # the guest acknowledges at once: the shutdown call may be done
    ok_eq "$drv: resume at once" "Domain 'sp-a' resumed/rc=0" \
        "$(printf '%s' "$out" | sed '/^$/d' | paste -sd/)"
    wait "$pid"
    rc=$?
    ok_eq "$drv: the shutdown succeeds once the guest answers" "0 Domain 'sp-a' is being shutdown" \
        "$rc $(sed '/^$/d' "$work/shutdown-a-$drv.log")"
    lc_wait_state "$uri" sp-a "shut off" 20
    ok_eq "$drv: sp-a is shut off by its guest" "shut off (shutdown)" "$(V domstate --reason sp-a 2>&1)"
    lc_wait_count "$work/events-$drv" "'sp-a': Stopped" 1 5
    sleep 1
    lc_events_stop
    ok_eq "$drv: one Stopped (Shutdown) event, after one Resumed" "Resumed Unpaused|Stopped Shutdown" \
        "$(grep -o "'sp-a': \(Stopped\|Resumed\|Started\) [A-Za-z]*" "$work/events-$drv" |
           sed "s/'sp-a': //" | paste -sd'|')"
    ok_match "$drv: no job left" "^Job type: +None" "$(V domjobinfo sp-a 2>&1)"
    ok_eq "$drv: nothing left in xensim" 0 "$("$xensimctl" --dir "$sb/xensim" list | awk '$2 == "sp-a"' | wc -l)"

    # a hung guest: suspend and resume beside the request, destroy ends it
    lc_xml pv sp-b "$work" > "$work/sp-b-$drv.xml"
    ok_run "$drv: define and start sp-b" sh -c "virsh -c '$uri' define '$work/sp-b-$drv.xml' && virsh -c '$uri' start sp-b"
    "$xensimctl" --dir "$sb/xensim" guest sp-b set ack-requests off >/dev/null
    V shutdown sp-b > "$work/shutdown-b-$drv.log" 2>&1 &
    pid=$!
    wait_request "$sb" sp-b
    ok_eq "$drv: the request to the hung guest is written" 0 $?
    out=$(VV suspend sp-b 2>&1; echo "rc=$?")
    ok_eq "$drv: suspend at once, the shutdown call still waiting" "Domain 'sp-b' suspended/rc=0/yes" \
        "$(printf '%s' "$out" | sed '/^$/d' | paste -sd/)/$(running $pid)"
    ok_eq "$drv: xensim has sp-b paused" "paused" \
        "$("$xensimctl" --dir "$sb/xensim" list | awk '$2 == "sp-b" {print $3}')"
    out=$(VV resume sp-b 2>&1; echo "rc=$?")
    ok_eq "$drv: resume at once, the shutdown call still waiting" "Domain 'sp-b' resumed/rc=0/yes" \
        "$(printf '%s' "$out" | sed '/^$/d' | paste -sd/)/$(running $pid)"
    ok_match "$drv: sp-b runs" "^running" "$(V domstate sp-b 2>&1)"
    out=$(VV destroy sp-b 2>&1; echo "rc=$?")
    ok_eq "$drv: destroy ends the wait" "Domain 'sp-b' destroyed/rc=0" \
        "$(printf '%s' "$out" | sed '/^$/d' | paste -sd/)"
    wait "$pid"
    ok_eq "$drv: the shutdown call the destroy met fails, saying why" \
        "1 error: operation aborted: the shutdown request of domain 'sp-b' was cancelled before the guest acknowledged it" \
        "$? $(grep -v "^error: Failed to shutdown" "$work/shutdown-b-$drv.log" | sed '/^$/d')"
    ok_eq "$drv: sp-b is shut off (destroyed)" "shut off (destroyed)" "$(V domstate --reason sp-b 2>&1)"
    ok_match "$drv: no job left on sp-b" "^Job type: +None" "$(V domjobinfo sp-b 2>&1)"
    ok_eq "$drv: nothing of sp-b left in xensim" 0 "$("$xensimctl" --dir "$sb/xensim" list | awk '$2 == "sp-b"' | wc -l)"
    TAP_RECORD=
}

for drv in ours stock; do
    sb="$work/sb-$drv"
    if ! sandbox_up "$sb" --driver=$drv --host=sim; then
        tap_fail "$drv: sandbox up"
        continue
    fi
    uris[$drv]=$URI
    [ "$drv" = ours ] && lc_require_lifecycle "$URI" "$sb" "$work"
    # a short job wait time: the calls serialised behind the request's job
    echo "job_wait_time = 1" >> "$sb/etc/libxl.conf"
    "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1
done
for drv in "${!uris[@]}"; do
    lc_par checks "$drv" "${uris[$drv]}" "$work/sb-$drv"
done
lc_par_wait

sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

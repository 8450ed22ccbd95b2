#!/usr/bin/env bash
# Daemon restarts, with our module and the stock one: after SIGKILL and a new
# start every running domain is listed with its state, a guest shutdown gives
# exactly one stopped event, autostart domains are not started again (once
# per host boot: after /run is emptied they are), a domain that
# powered off meanwhile is cleaned up (on_poweroff); a clean restart
# (SIGTERM) the same.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-lcrestart.XXXXXX)
lc_files "$work"

restart_checks() { # drv uri sbdir how
    local drv=$1 uri=$2 sb=$3 how=$4 ev t="$1/$4"

    local x="$work/$drv-$how"
    mkdir -p "$x"
    for k in pv pvh hvm; do lc_xml "$k" "rs-$k" "$work" > "$x/rs-$k.xml"; done
    lc_xml pv rs-auto "$work" > "$x/rs-auto.xml"
    lc_xml pv rs-gone "$work" > "$x/rs-gone.xml"
    ok_run "$t: define rs-pv" virsh -c "$uri" define "$x/rs-pv.xml"
    ok_run "$t: start rs-pv" virsh -c "$uri" start rs-pv
    ok_run "$t: create rs-pvh --paused" virsh -c "$uri" create --paused "$x/rs-pvh.xml"
    ok_run "$t: create rs-hvm" virsh -c "$uri" create "$x/rs-hvm.xml"
    ok_run "$t: create rs-gone" virsh -c "$uri" create "$x/rs-gone.xml"
    ok_run "$t: define rs-auto" virsh -c "$uri" define "$x/rs-auto.xml"
    ok_run "$t: autostart rs-auto" virsh -c "$uri" autostart rs-auto

    if [ "$how" = kill ]; then
        "$top_srcdir/scripts/sandbox" restart "$sb" --kill >/dev/null 2>&1 &
    else
        "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1 &
    fi
    local rpid=$!
    # while libvirtd is down, rs-gone powers off (it stays shut down in
    # Xen until a toolstack destroys it: on_poweroff, at reconnect)
    sleep 0.3
    "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" guest rs-gone poweroff >/dev/null 2>&1 || true
    wait "$rpid"
    ok_eq "$t: libvirtd is back" 0 $?

    ok_match "$t: rs-pv still running" "^running" "$(virsh -c "$uri" domstate rs-pv 2>&1)"
    ok_match "$t: rs-pvh still paused" "^paused" "$(virsh -c "$uri" domstate rs-pvh 2>&1)"
    ok_match "$t: rs-hvm still running" "^running" "$(virsh -c "$uri" domstate rs-hvm 2>&1)"
    ok_match "$t: rs-pv keeps its persistent config" "Persistent: +yes" "$(virsh -c "$uri" dominfo rs-pv 2>&1)"
    ok_match "$t: rs-hvm still transient" "Persistent: +no" "$(virsh -c "$uri" dominfo rs-hvm 2>&1)"
    # autostart is once per host boot: a daemon restart does not start an
    # autostart domain the administrator left shut off
    sleep 2
    ok_match "$t: autostart domain not started by a daemon restart" "^shut off" \
        "$(virsh -c "$uri" domstate rs-auto 2>&1)"
    if lc_wait_gone "$uri" rs-gone 10; then tap_ok "$t: the domain that powered off meanwhile is cleaned up"
    else tap_fail "$t: the domain that powered off meanwhile is cleaned up" \
        "$(virsh -c "$uri" domstate --reason rs-gone 2>&1)" "$("$top_builddir/xensim/xensimctl" --dir "$sb/xensim" list 2>&1)"; fi

    ev="$work/events-$drv-$how"
    lc_events_start "$uri" "$ev"
    ok_run "$t: shutdown rs-pv after the restart" virsh -c "$uri" shutdown rs-pv
    lc_wait_state "$uri" rs-pv "shut off" 15
    ok_run "$t: resume rs-pvh after the restart" virsh -c "$uri" resume rs-pvh
    ok_run "$t: destroy rs-hvm after the restart" virsh -c "$uri" destroy rs-hvm
    sleep 1
    lc_events_stop
    ok_eq "$t: exactly one stopped event for rs-pv" 1 \
        "$(lc_count "$ev" "'lifecycle' for domain '?rs-pv'?: Stopped")"
    ok_eq "$t: one resumed event for rs-pvh" 1 \
        "$(lc_count "$ev" "'lifecycle' for domain '?rs-pvh'?: Resumed")"
    ok_eq "$t: exactly one stopped event for rs-hvm" 1 \
        "$(lc_count "$ev" "'lifecycle' for domain '?rs-hvm'?: Stopped")"

    # a host boot empties /run, and the marker that autostart was done with
    # it: the next daemon start autostarts again
    ok_run "$t: marker of the boot's autostart in /run" \
        test -e "$sb/run/libvirt/libxl/autostarted"
    rm -f "$sb/run/libvirt/libxl/autostarted"
    "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1
    ok_eq "$t: libvirtd is back after the boot" 0 $?
    if lc_wait_state "$uri" rs-auto running 10; then tap_ok "$t: autostart domain started after a boot"
    else tap_fail "$t: autostart domain started after a boot" "$(virsh -c "$uri" domstate --reason rs-auto 2>&1)"; fi

    for d in rs-pv rs-pvh rs-hvm rs-auto; do virsh -c "$uri" destroy "$d" >/dev/null 2>&1; done
    virsh -c "$uri" undefine rs-pv >/dev/null 2>&1
    virsh -c "$uri" undefine rs-auto >/dev/null 2>&1
}

# the four daemons at once
declare -A uris
for drv in ours stock; do
    for how in kill term; do
        if sandbox_up "$work/sb-$drv-$how" --driver=$drv --host=sim; then
            uris[$drv-$how]=$URI
        else
            tap_fail "$drv/$how: sandbox up"
        fi
    done
done
[ -n "${uris[ours-kill]:-}" ] && lc_require_lifecycle "${uris[ours-kill]}" "$work/sb-ours-kill" "$work"
for drv in ours stock; do
    for how in kill term; do
        [ -n "${uris[$drv-$how]:-}" ] || continue
        lc_par restart_checks "$drv" "${uris[$drv-$how]}" "$work/sb-$drv-$how" "$how"
    done
done
lc_par_wait

# down before the directory goes (the EXIT trap could not find it)
sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

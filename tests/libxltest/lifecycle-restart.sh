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

# A restart with many definitions, while guests powered off: the guests'
# shutdowns are reported (their new death watches) while the definitions
# load; a worker that stopped one known only from its status (not yet
# persistent) took it out of the list as its definition was loaded: the
# definition, finding the domain on its way out, was dropped, and the
# domain lost until the next restart (seen once in reliability-kill.py
# under ASan).  The events now wait until every definition is loaded.
lost_checks() { # drv uri sbdir
    local drv=$1 uri=$2 sb=$3 t="$1/lost" i n=${LOST_FILLERS:-400} g
    local x="$work/$drv-lost" cmds= lost= left= pid
    mkdir -p "$x"
    for ((i = 0; i < n; i++)); do
        lc_xml pv "rl-f$i" "$work" > "$x/f$i.xml"
        cmds+="define $x/f$i.xml;"
    done
    virsh -q -c "$uri" "$cmds" >/dev/null 2>&1
    ok_eq "$t: $n definitions" "$n" "$(virsh -c "$uri" list --all --name | grep -c '^rl-f')"
    for g in 1 2 3 4 5 6; do
        lc_xml pv "rl-g$g" "$work" > "$x/g$g.xml"
        virsh -c "$uri" define "$x/g$g.xml" >/dev/null 2>&1
        virsh -c "$uri" start "rl-g$g" >/dev/null 2>&1
    done
    ok_eq "$t: six guests running" 6 "$(virsh -c "$uri" list --name | grep -c '^rl-g')"
    # libvirtd dies; the guests power off (shut down in Xen, not destroyed);
    # libvirtd starts again
    pid=$(cut -d" " -f1 "$sb/libvirtd.pid")
    kill -KILL "$pid"
    for ((i = 0; i < 100; i++)); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    for g in 1 2 3 4 5 6; do
        "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" guest "rl-g$g" poweroff >/dev/null 2>&1
    done
    "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1
    ok_eq "$t: libvirtd is back" 0 $?
    for g in 1 2 3 4 5 6; do
        lc_wait_state "$uri" "rl-g$g" "shut off" 15 || {
            virsh -c "$uri" dominfo "rl-g$g" >/dev/null 2>&1 && left+=" rl-g$g" || lost+=" rl-g$g"; }
    done
    # the stock module's outcome is recorded (its own race, by chance)
    [ "$drv" = stock ] && TAP_RECORD="stock module: recorded, not required"
    ok_eq "$t: no definition lost" "" "$lost"
    ok_eq "$t: every guest that powered off is shut off" "" "$left"
    ok_eq "$t: none left in Xen" 0 \
        "$("$top_builddir/xensim/xensimctl" --dir "$sb/xensim" list | grep -c 'rl-g')"
    ok_eq "$t: the $n other definitions are all there" "$n" \
        "$(virsh -c "$uri" list --all --name | grep -c '^rl-f')"
    TAP_RECORD=
    cmds=
    for ((i = 0; i < n; i++)); do cmds+="undefine rl-f$i;"; done
    for g in 1 2 3 4 5 6; do cmds+="destroy rl-g$g;undefine rl-g$g;"; done
    virsh -q -c "$uri" "$cmds" >/dev/null 2>&1
}

# libvirtd killed while a save or a dump has its temporary file and the
# guest is not yet suspended (a paused guest's save unpauses it first, a
# dump pauses a running one; xensimd stopped holds libxl's call there):
# the status named the file only after these calls, and the next daemon
# did not know of the file it left.  Now it is named before it exists.
partial_checks() { # uri sbdir
    local uri=$1 sb=$2 t="ours/partial" x="$work/partial" xpid lpid i op d f
    mkdir -p "$x"
    for op in save dump; do
        d=rp-$op
        lc_xml pv "$d" "$work" > "$x/$d.xml"
        virsh -c "$uri" create "$x/$d.xml" >/dev/null 2>&1
        [ $op = save ] && virsh -c "$uri" suspend "$d" >/dev/null 2>&1
        local before
        before=$(virsh -c "$uri" domstate "$d" 2>&1)
        xpid=$(cut -d" " -f1 "$sb/xensimd.pid")
        lpid=$(cut -d" " -f1 "$sb/libvirtd.pid")
        kill -STOP "$xpid"
        if [ $op = save ]; then virsh -c "$uri" save "$d" "$x/$d.img" >/dev/null 2>&1 &
        else virsh -c "$uri" dump "$d" "$x/$d.img" >/dev/null 2>&1 & fi
        for ((i = 0; i < 100; i++)); do
            f=$(ls "$x" | grep "^$d.img.partial" || true)
            [ -n "$f" ] && break
            sleep 0.1
        done
        ok_match "$t: the $op's temporary file, libxl's call held" "^$d.img.partial-" "$f"
        kill -KILL "$lpid"
        for ((i = 0; i < 100; i++)); do [ -d "/proc/$lpid" ] || break; sleep 0.1; done
        kill -CONT "$xpid"
        wait
        "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1
        ok_eq "$t: libvirtd is back after the kill during the $op" 0 $?
        ok_eq "$t: no temporary file of the $op left" "" "$(ls "$x" | grep "^$d.img" || true)"
        ok_eq "$t: $d as it was ($before)" "$before" "$(virsh -c "$uri" domstate "$d" 2>&1)"
        ok_match "$t: $d's status names no job" "Job type: +None" "$(virsh -c "$uri" domjobinfo "$d" 2>&1)"
        virsh -c "$uri" destroy "$d" >/dev/null 2>&1
    done
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
for drv in ours stock; do
    [ -n "${uris[$drv-kill]:-}" ] || continue
    lc_par lost_checks "$drv" "${uris[$drv-kill]}" "$work/sb-$drv-kill"
done
lc_par_wait
# (ours: the stock module writes its image in place, with no temporary file)
[ -n "${uris[ours-term]:-}" ] && partial_checks "${uris[ours-term]}" "$work/sb-ours-term"

# down before the directory goes (the EXIT trap could not find it)
sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

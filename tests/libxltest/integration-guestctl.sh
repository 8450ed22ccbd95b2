#!/usr/bin/env bash
# Guest controls through virsh on PV, PVH and HVM guests, with our module and
# the stock one (src/libxl/libxl_guest.c): inject-nmi (the NMIs the guest
# took, counted by the simulated Xen), send-key (the keys the device model's
# keyboard got), screenshot (the device model's PPM: header, size), reset
# (HVM: the device model's reset, a reboot event and a new domain; PV/PVH:
# Xen's refusal), domtime (refused: no guest agent), blockresize (qdisk raw
# and qcow2 through QEMU, a raw image blkback serves: the images' sizes, the
# backends' "sectors" in xenstore), dompmsuspend and
# dompmwakeup (Xen's suspend: states, events, the guest's own suspend),
# set-lifecycle-action (live: the next reboot follows it; --config: the
# definition), domrename (files, events, the name Xen knows).  Each value
# is checked through xensimctl.  The stock module's gaps are recorded
# (TODO), not required.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-guestctl.XXXXXX)
lc_files "$work"

# ctl SB DOMID KEY: what the simulated host says the guest controls did
ctl() {
    "$top_builddir/xensim/xensimctl" --dir "$1/xensim" controls "$2" 2>&1 |
        sed -n "s/^$3: //p"
}

# xsr SB PATH: a xenstore node of the simulated host
xsr() { "$top_builddir/xensim/xensimctl" --dir "$1/xensim" xenstore-read "$2" 2>&1; }

# wait_xs SB PATH VALUE: until the node says VALUE (3 s at most)
wait_xs() {
    local i
    for ((i = 0; i < 30; i++)); do
        [ "$(xsr "$1" "$2")" = "$3" ] && return 0
        sleep 0.1
    done
    return 1
}

# xs_state SB DOMID: the domain's state as the simulated Xen lists it
xs_state() {
    "$top_builddir/xensim/xensimctl" --dir "$1/xensim" list 2>&1 | awk -v d="$2" '$1 == d {print $3}'
}

# the image's header (magic, width, height, maxval) and its size in bytes
ppm_of() { # file
    if [ -f "$1" ]; then
        printf '%s %s\n' "$(head -c 15 "$1" | tr '\n' ' ' | sed 's/ $//')" "$(stat -c %s "$1")"
    else
        echo "no file"
    fi
}

guest_checks() { # drv uri sb kind
    local drv=$1 uri=$2 sb=$3 kind=$4 name="gc-$4" id newid out ev
    local t="$drv/$kind"

    # xvdb: a raw image libxl gives blkback; xvdc: a qcow2 image (qdisk)
    local img="$work/$drv-$kind"
    truncate -s 16M "$img-b.img"
    qemu-img create -q -f qcow2 "$img-c.qcow2" 32M
    lc_xml "$kind" "$name" "$work" "
    <disk type='file' device='disk'><source file='$img-b.img'/><target dev='xvdb' bus='xen'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$img-c.qcow2'/><target dev='xvdc' bus='xen'/></disk>" \
        > "$work/$name-$drv.xml"
    ok_run "$t: define" virsh -c "$uri" define "$work/$name-$drv.xml"
    ok_run "$t: start" virsh -c "$uri" start "$name"
    id=$(virsh -c "$uri" domid "$name" 2>&1)

    # ---- inject-nmi: any guest (Xen's NMI trigger) ----
    ok_run "$t: inject-nmi" virsh -c "$uri" inject-nmi "$name"
    ok_eq "$t: xen: the guest took 1 NMI" 1 "$(ctl "$sb" "$id" nmis)"
    ok_run "$t: inject-nmi again" virsh -c "$uri" inject-nmi "$name"
    ok_eq "$t: xen: the guest took 2 NMIs" 2 "$(ctl "$sb" "$id" nmis)"
    ok_eq "$t: still running after the NMIs" running "$(virsh -c "$uri" domstate "$name" 2>&1 | head -1)"

    # ---- send-key and screenshot: the device model's keyboard and display ----
    rm -f "$work/shot-$drv-$kind.ppm"
    if [ "$kind" = hvm ]; then
        ok_run "$t: send-key ctrl+alt+delete" \
            virsh -c "$uri" send-key "$name" KEY_LEFTCTRL KEY_LEFTALT KEY_DELETE
        ok_run "$t: send-key --codeset xt --holdtime 50 30" \
            virsh -c "$uri" send-key "$name" --codeset xt --holdtime 50 30
        ok_eq "$t: qemu: the keyboard got ctrl+alt+delete (qnum 29 56 211), then 'a' (30)" \
            "29+56+211 30" "$(ctl "$sb" "$id" keys)"
        ok_fail "$t: send-key of a code the codeset lacks" \
            "cannot translate keycode 999 of linux codeset" \
            virsh -c "$uri" send-key "$name" --codeset linux 999
        ok_run "$t: screenshot" virsh -c "$uri" screenshot "$name" "$work/shot-$drv-$kind.ppm"
        ok_eq "$t: the screenshot is QEMU's VGA as a PPM (P6 720x400, 864015 bytes)" \
            "P6 720 400 255 864015" "$(ppm_of "$work/shot-$drv-$kind.ppm")"
        ok_eq "$t: qemu: one screendump" 1 "$(ctl "$sb" "$id" screendumps)"
        ok_fail "$t: screenshot --screen 1 refused" "screen 1" \
            virsh -c "$uri" screenshot "$name" "$work/shot-x.ppm" --screen 1
    else
        ok_fail "$t: send-key refused: no keyboard without a framebuffer" \
            "has no keyboard to send keys to: Xen gives a PV or PVH guest one \(vkbd\) only with a framebuffer" \
            virsh -c "$uri" send-key "$name" KEY_A
        ok_fail "$t: screenshot refused: no display without a framebuffer" \
            "has no display to take a screenshot of" \
            virsh -c "$uri" screenshot "$name" "$work/shot-$drv-$kind.ppm"
        ok_eq "$t: no screenshot file" "no file" "$(ppm_of "$work/shot-$drv-$kind.ppm")"
    fi
    ok_eq "$t: no screenshot left behind in the driver's directory" "" \
        "$(find "$sb/lib" -name 'screenshot-*' 2>/dev/null)"

    # ---- domtime: no guest agent ----
    ok_fail "$t: domtime refused" \
        "cannot read the time of domain '$name': that needs a guest agent, and Xen guests have no guest agent channel" \
        virsh -c "$uri" domtime "$name"
    ok_fail "$t: domtime --now refused" \
        "cannot set the time of domain '$name': that needs a guest agent" \
        virsh -c "$uri" domtime "$name" --now

    # ---- reset ----
    ev="$work/events-$drv-$kind"
    lc_events_start "$uri" "$ev"
    if [ "$kind" = hvm ]; then
        local tries=150 i
        newid=
        if out=$(virsh -c "$uri" reset "$name" 2>&1); then
            tap_ok "$t: reset"
        else
            tap_fail "$t: reset" "$out"
            tries=0         # no waiting for what will not come
            newid=$id
        fi
        # the domain is destroyed and built again (15 s at most, on a
        # loaded host)
        for ((i = 0; i < tries; i++)); do
            newid=$(virsh -c "$uri" domid "$name" 2>/dev/null)
            [ -n "$newid" ] && [ "$newid" != "$id" ] && [ "$newid" != - ] && break
            sleep 0.1
        done
        ok_match "$t: a new domain after the reset (was $id)" "^[0-9]+$" "$([ "$newid" != "$id" ] && echo "$newid")"
        [ "$newid" != "$id" ] && lc_wait_state "$uri" "$name" running 5
        ok_eq "$t: running after the reset" "running (booted)" \
            "$(virsh -c "$uri" domstate --reason "$name" 2>&1 | head -1)"
        [ "$newid" != "$id" ] && lc_wait_count "$ev" "event 'reboot' for domain '$name'" 1 5
        ok_eq "$t: one reboot event" 1 "$(lc_count "$ev" "event 'reboot' for domain '$name'")"
        id=$newid
    else
        ok_fail "$t: reset refused with Xen's reason" \
            "Xen cannot reset domain '$name': a $(echo "$kind" | tr a-z A-Z) guest has no reset line.*Function not implemented" \
            virsh -c "$uri" reset "$name"
        ok_eq "$t: the same domain, running, after the refused reset" "$id running" \
            "$(virsh -c "$uri" domid "$name" 2>&1) $(virsh -c "$uri" domstate "$name" 2>&1 | head -1)"
    fi
    lc_events_stop

    # ---- blockresize: qdisk through QEMU, blkback through its backing ----
    local be="/local/domain/0/backend"
    ok_eq "$t: xen: the backends' sizes (sectors of xvda, xvdb, xvdc)" "16384 32768 65536" \
        "$(xsr "$sb" "$be/qdisk/$id/51712/sectors") $(xsr "$sb" "$be/vbd/$id/51728/sectors") $(xsr "$sb" "$be/qdisk/$id/51744/sectors")"
    ok_run "$t: blockresize xvda (qdisk, raw) 12M" virsh -c "$uri" blockresize "$name" xvda 12M
    ok_eq "$t: the image is 12 MiB" 12582912 "$(stat -c %s "$work/disk.img")"
    ok_eq "$t: qemu's xen-block wrote the new size for the frontend" 24576 \
        "$(xsr "$sb" "$be/qdisk/$id/51712/sectors")"
    ok_match "$t: domblkinfo xvda capacity" "^Capacity: +12582912$" \
        "$(virsh -c "$uri" domblkinfo "$name" xvda 2>&1)"
    if out=$(virsh -c "$uri" blockresize "$name" xvdb 20971520b 2>&1); then
        tap_ok "$t: blockresize xvdb (blkback, raw) 20971520 bytes"
        wait_xs "$sb" "$be/vbd/$id/51728/sectors" 40960
    else
        tap_fail "$t: blockresize xvdb (blkback, raw) 20971520 bytes" "$out"
    fi
    ok_eq "$t: the image is 20 MiB" 20971520 "$(stat -c %s "$img-b.img")"
    ok_eq "$t: blkback saw the backing grow and wrote its new size" 40960 \
        "$(xsr "$sb" "$be/vbd/$id/51728/sectors")"
    ok_run "$t: blockresize xvdc (qdisk, qcow2) 64M" virsh -c "$uri" blockresize "$name" xvdc 64M
    ok_match "$t: the qcow2 image's virtual size is 64 MiB" '"virtual-size": 67108864,' \
        "$(qemu-img info -U --output=json "$img-c.qcow2" 2>&1)"
    ok_eq "$t: qemu's xen-block wrote the qcow2 disk's new size" 131072 \
        "$(xsr "$sb" "$be/qdisk/$id/51744/sectors")"
    ok_fail "$t: blockresize of a disk the domain lacks" "domain '$name' has no disk 'xvdz'" \
        virsh -c "$uri" blockresize "$name" xvdz 1M
    truncate -s 8M "$work/disk.img"

    # ---- dompmsuspend, dompmwakeup: Xen's suspend, memory kept ----
    ev="$work/pm-$drv-$kind"
    lc_events_start "$uri" "$ev"
    ok_run "$t: dompmsuspend mem" virsh -c "$uri" dompmsuspend "$name" mem
    ok_eq "$t: state pmsuspended" "pmsuspended" "$(virsh -c "$uri" domstate "$name" 2>&1 | head -1)"
    ok_eq "$t: xen: the domain is shut down for suspend" "shutdown(suspend)" "$(xs_state "$sb" "$id")"
    ok_fail "$t: dompmsuspend of a suspended domain refused" "domain '$name' is not running" \
        virsh -c "$uri" dompmsuspend "$name" mem
    ok_run "$t: dompmwakeup" virsh -c "$uri" dompmwakeup "$name"
    ok_eq "$t: running after the wakeup" "running (event wakeup)" \
        "$(virsh -c "$uri" domstate --reason "$name" 2>&1 | head -1)"
    ok_eq "$t: xen: the same domain runs again" running "$(xs_state "$sb" "$id")"
    ok_fail "$t: dompmwakeup of a running domain refused" "domain '$name' is not suspended" \
        virsh -c "$uri" dompmwakeup "$name"
    ok_fail "$t: dompmsuspend disk refused" "Xen suspends a guest to memory only" \
        virsh -c "$uri" dompmsuspend "$name" disk
    ok_fail "$t: dompmsuspend --duration refused" "Xen has no wakeup timer for a suspended guest" \
        virsh -c "$uri" dompmsuspend "$name" mem --duration 30
    # the guest suspends itself: the same state, and the wakeup resumes it
    "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" guest "$id" suspend >/dev/null 2>&1
    lc_wait_state "$uri" "$name" pmsuspended 3
    ok_eq "$t: the guest's own suspend: pmsuspended" pmsuspended \
        "$(virsh -c "$uri" domstate "$name" 2>&1 | head -1)"
    ok_run "$t: dompmwakeup after the guest's suspend" virsh -c "$uri" dompmwakeup "$name"
    ok_eq "$t: xen: running again" running "$(xs_state "$sb" "$id")"
    if [ "$kind" = pv ]; then
        # a daemon restart finds the suspended guest suspended
        ok_run "$t: dompmsuspend before a daemon restart" virsh -c "$uri" dompmsuspend "$name" mem
        lc_wait_count "$ev" "'pm-suspend' for domain '$name'" 3 2
        lc_events_stop
        ok_run "$t: daemon restart" "$top_srcdir/scripts/sandbox" restart "$sb"
        lc_events_start "$uri" "$ev.2"
        ok_eq "$t: pmsuspended after the restart" pmsuspended \
            "$(virsh -c "$uri" domstate "$name" 2>&1 | head -1)"
        ok_run "$t: dompmwakeup after the restart" virsh -c "$uri" dompmwakeup "$name"
        ok_eq "$t: xen: running after the wakeup" running "$(xs_state "$sb" "$id")"
        lc_wait_count "$ev.2" "'pm-wakeup' for domain '$name'" 1 2
        ok_eq "$t: one pm-wakeup after the restart" 1 "$(lc_count "$ev.2" "'pm-wakeup' for domain '$name'")"
        cat "$ev.2" >> "$ev"
    fi
    lc_wait_count "$ev" "'pm-wakeup' for domain '$name'" 2 2
    local n=2
    [ "$kind" = pv ] && n=3
    ok_eq "$t: events: $n pmsuspended, $n pm-suspend, $n wakeup, $n pm-wakeup" "$n $n $n $n" \
        "$(lc_count "$ev" "'$name': PMSuspended Memory") $(lc_count "$ev" "'pm-suspend' for domain '$name'") $(lc_count "$ev" "'$name': Started Event wakeup") $(lc_count "$ev" "'pm-wakeup' for domain '$name'")"
    lc_events_stop

    # ---- set-lifecycle-action ----
    local live_set=no
    if out=$(virsh -c "$uri" set-lifecycle-action "$name" reboot destroy --live 2>&1); then
        tap_ok "$t: set-lifecycle-action reboot destroy --live"
        live_set=yes
    else
        tap_fail "$t: set-lifecycle-action reboot destroy --live" "$out"
    fi
    ok_match "$t: live XML: on_reboot destroy" "<on_reboot>destroy</on_reboot>" \
        "$(virsh -c "$uri" dumpxml "$name" 2>&1)"
    ok_match "$t: persistent XML: on_reboot restart still" "<on_reboot>restart</on_reboot>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_run "$t: set-lifecycle-action crash preserve --config" \
        virsh -c "$uri" set-lifecycle-action "$name" crash preserve --config
    ok_match "$t: persistent XML: on_crash preserve" "<on_crash>preserve</on_crash>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_match "$t: live XML: on_crash destroy still" "<on_crash>destroy</on_crash>" \
        "$(virsh -c "$uri" dumpxml "$name" 2>&1)"
    ok_fail "$t: set-lifecycle-action poweroff coredump-destroy refused" \
        "Lifecycle event 'poweroff' doesn't support 'coredump-destroy' action" \
        virsh -c "$uri" set-lifecycle-action "$name" poweroff coredump-destroy
    # the guest reboots itself: the live action (destroy) is followed
    "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" guest "$id" reboot >/dev/null 2>&1
    [ "$live_set" = yes ] && lc_wait_state "$uri" "$name" "shut off" 5
    ok_eq "$t: the guest's reboot destroyed it (live on_reboot)" "shut off" \
        "$(virsh -c "$uri" domstate "$name" 2>&1 | head -1)"
    ok_run "$t: start again" virsh -c "$uri" start "$name"
    out=$(virsh -c "$uri" dumpxml "$name" 2>&1)
    ok_match "$t: restarted with the persistent on_reboot (restart)" "<on_reboot>restart</on_reboot>" "$out"
    ok_match "$t: restarted with the persistent on_crash (preserve)" "<on_crash>preserve</on_crash>" "$out"
    ok_run "$t: destroy" virsh -c "$uri" destroy "$name"
    ok_run "$t: set-lifecycle-action of the shut-off domain (config)" \
        virsh -c "$uri" set-lifecycle-action "$name" poweroff restart
    ok_match "$t: persistent XML: on_poweroff restart" "<on_poweroff>restart</on_poweroff>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_fail "$t: inject-nmi of a shut-off domain refused" "not running" \
        virsh -c "$uri" inject-nmi "$name"

    # ---- domrename (shut off only, as libvirt's drivers) ----
    ev="$work/rename-$drv-$kind"
    lc_events_start "$uri" "$ev"
    ok_run "$t: domrename" virsh -c "$uri" domrename "$name" "$name-r"
    ok_eq "$t: the new name is defined, shut off" "shut off" \
        "$(virsh -c "$uri" domstate "$name-r" 2>&1 | head -1)"
    ok_fail "$t: the old name is gone" "[Dd]omain not found|failed to get domain" \
        virsh -c "$uri" domstate "$name"
    ok_eq "$t: its configuration file renamed" "$name-r.xml" \
        "$(cd "$sb/etc/libxl" 2>/dev/null && ls "$name.xml" "$name-r.xml" 2>/dev/null)"
    ok_run "$t: start under the new name" virsh -c "$uri" start "$name-r"
    id=$(virsh -c "$uri" domid "$name-r" 2>&1)
    ok_eq "$t: xen: the domain has the new name" "$name-r" \
        "$("$top_builddir/xensim/xensimctl" --dir "$sb/xensim" list 2>&1 | awk -v d="$id" '$1 == d {print $2}')"
    ok_fail "$t: domrename of the running domain refused" \
        "cannot rename domain '$name-r' while it is running|cannot rename active domain" \
        virsh -c "$uri" domrename "$name-r" "$name"
    ok_run "$t: destroy" virsh -c "$uri" destroy "$name-r"
    lc_wait_count "$ev" "'$name-r': Defined Renamed" 1 2
    ok_eq "$t: events: Undefined Renamed, Defined Renamed" "1 1" \
        "$(lc_count "$ev" "'$name': Undefined Renamed") $(lc_count "$ev" "'$name-r': Defined Renamed")"
    lc_events_stop
    ok_run "$t: undefine" virsh -c "$uri" undefine "$name-r"
}

for drv in ${GUESTCTL_DRIVERS:-ours stock}; do
    lc_sandbox_prep "$work/sb-$drv"
    if ! sandbox_up "$work/sb-$drv" --driver=$drv --host=sim; then
        tap_fail "$drv: sandbox up"
        continue
    fi
    uri=$URI
    [ "$drv" = ours ] && lc_require_lifecycle "$uri" "$work/sb-$drv" "$work"
    # the stock module's gaps: recorded, not required
    TAP_RECORD=
    [ "$drv" = stock ] && TAP_RECORD="stock: recorded"
    for kind in pv pvh hvm; do
        guest_checks "$drv" "$uri" "$work/sb-$drv" "$kind"
    done
    TAP_RECORD=
done

sandbox_cleanup
rm -rf "$work"
tap_done

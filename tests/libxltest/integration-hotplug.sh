#!/usr/bin/env bash
# Device hotplug through virsh (issue 13), on PV, PVH and HVM guests, with
# our module and the stock one, on the simulated host with netback on (its
# vifs and bridges in the sandbox's network namespace):
#   attach-disk/detach-disk (a raw file: blkback; qcow2: QEMU's qdisk),
#   attach-device/detach-device, attach-interface/detach-interface (a
#   bridge made in the sandbox's namespace; the default network),
#   detach-device-alias, --live/--config/--persistent/--current,
#   domblklist/domiflist after each, the backend, frontend and libxl
#   directories in xenstore, device-removed events seen by a listener;
#   HVM: change-media (insert, eject) and update-device of a CD-ROM;
#   a guest that keeps its disk (xensim's guest_keep_devices): a clear
#   timeout error, a device-removal-failed event, the disk still in the
#   live XML; libxl's reasons for a missing image and a missing bridge, a
#   duplicate target, a CD-ROM hotplug; a failed live attach changes
#   neither the live nor the persistent XML; attach/detach cycles leave no
#   xenstore node, libvirtd fd or vif behind.
#
# HOTPLUG_CYCLES (default 20) sets the cycles; the long form is
#   HOTPLUG_CYCLES=100 make -C tests/libxltest check TESTS=integration-hotplug.sh
# (HOTPLUG_DRIVERS=ours or =stock tests one module only.)
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

cycles=${HOTPLUG_CYCLES:-20}
xensimctl=${top_builddir:-$top_srcdir}/xensim/xensimctl
work=$(mktemp -d /tmp/xl-hotplug.XXXXXX)
lc_files "$work"
cat > "$work/host.cfg" <<EOF
netback = on
libxl_destroy_timeout_ms = 1500
guest_keep_devices = hp-keep-*
EOF
truncate -s 4M "$work/cd.iso"

# HOTPLUG_DRIVERS: the modules to test (default both)
drivers=${HOTPLUG_DRIVERS:-ours stock}
declare -A uris sbs
for drv in $drivers; do
    if sandbox_up "$work/sb-$drv" --driver=$drv --host=sim --xensim-config="$work/host.cfg"; then
        uris[$drv]=$URI
        sbs[$drv]=$work/sb-$drv
    else
        tap_fail "$drv: sandbox up"
    fi
done
[ -n "${uris[ours]:-}" ] && lc_require_lifecycle "${uris[ours]}" "$work/sb-ours" "$work"

# the stock module's known failures, recorded
stock_todo() { # drv reason
    if [ "$1" = stock ]; then TAP_TODO="stock: $2"; else TAP_TODO=; fi
}

xs_read() { "$xensimctl" --dir "$1/xensim" xenstore-read "$2" 2>/dev/null; }
xs_count() { "$xensimctl" --dir "$1/xensim" xenstore-ls "$2" 2>/dev/null | wc -l; }
# xenstore's nodes, without the backend kinds' directories (a device's
# removal takes its kind's directory along once it is empty)
xs_nodes() {
    "$xensimctl" --dir "$1/xensim" xenstore-ls / 2>&1 |
        grep -v '^/local/domain/0/backend/[a-z0-9]* = ""$'
}
in_netns() { # sb cmd...
    local sb=$1 pid
    shift
    pid=$(awk '{print $1}' "$sb/host.pid")
    nsenter --net="/proc/$pid/ns/net" -- "$@"
}

# xs_wait SB PATH WANT: up to 3 s for PATH to read WANT; prints what it read
xs_wait() {
    local i v=
    for ((i = 0; i < 30; i++)); do
        v=$(xs_read "$1" "$2") && [ "$v" = "$3" ] && break
        sleep 0.1
    done
    printf '%s' "$v"
}

# ok_gone DESC SB PATH: the xenstore directory is not there
ok_gone() {
    local v
    if v=$(xs_read "$2" "$3"); then tap_fail "$1" "$3 = '$v'"; else tap_ok "$1"; fi
}

blk() { virsh -c "$1" domblklist "$2" 2>&1; }
ifl() { virsh -c "$1" domiflist "$2" 2>&1; }
live() { virsh -c "$1" dumpxml "$2" 2>&1; }
inactive() { virsh -c "$1" dumpxml --inactive "$2" 2>&1; }

# ok_nomatch DESC PATTERN TEXT
ok_nomatch() {
    if printf '%s' "$3" | grep -Eq -- "$2"; then tap_fail "$1" "unexpected /$2/ in:" "$3"
    else tap_ok "$1"; fi
}

cdrom_xml() { # dst source
    cat <<EOF
<disk type='file' device='cdrom'>
  <driver name='qemu' type='raw'/>
  $( [ -n "$2" ] && echo "<source file='$2'/>" )
  <target dev='$1' bus='ide'/>
  <readonly/>
</disk>
EOF
}

kind_checks() { # drv kind
    local drv=$1 kind=$2 uri=${uris[$1]} sb=${sbs[$1]}
    local name="hp-$kind" t="$drv/$kind" id ev img q mac vif be out alias
    local extra=

    img=$work/$drv-$kind-raw.img
    q=$work/$drv-$kind.qcow2
    truncate -s 8M "$img"
    qemu-img create -q -f qcow2 "$q" 16M
    [ "$kind" = hvm ] && extra=$(cdrom_xml hdc "")
    lc_xml "$kind" "$name" "$work" "$extra" > "$work/$name-$drv.xml"
    ok_run "$t: define" virsh -c "$uri" define "$work/$name-$drv.xml"
    ok_run "$t: start" virsh -c "$uri" start "$name"
    id=$(virsh -c "$uri" domid "$name" 2>&1)
    ev=$work/events-$drv-$kind
    lc_events_start "$uri" "$ev"

    # -- a raw file disk, blkback
    be=/local/domain/0/backend/vbd/$id/51728
    ok_run "$t: attach-disk raw --live" \
        virsh -c "$uri" attach-disk "$name" "$img" xvdb --targetbus xen --live
    ok_match "$t: domblklist shows xvdb" "xvdb +$img" "$(blk "$uri" "$name")"
    ok_eq "$t: blkback connected (backend state 4)" 4 "$(xs_wait "$sb" "$be/state" 4)"
    ok_eq "$t: frontend connected (state 4)" 4 \
        "$(xs_read "$sb" "/local/domain/$id/device/vbd/51728/state")"
    ok_eq "$t: backend params" "$img" "$(xs_read "$sb" "$be/params")"
    ok_eq "$t: libxl's copy names the backend" "$be" \
        "$(xs_read "$sb" "/libxl/$id/device/vbd/51728/backend")"
    ok_nomatch "$t: attach --live leaves the persistent XML" "$img" "$(inactive "$uri" "$name")"
    ok_run "$t: detach-disk --live" virsh -c "$uri" detach-disk "$name" xvdb --live
    ok_nomatch "$t: domblklist: xvdb gone" "xvdb" "$(blk "$uri" "$name")"
    ok_gone "$t: backend directory gone" "$sb" "$be"
    ok_gone "$t: frontend directory gone" "$sb" "/local/domain/$id/device/vbd/51728"
    ok_gone "$t: libxl's directory gone" "$sb" "/libxl/$id/device/vbd/51728"
    stock_todo "$drv" "no device-removed event"
    if lc_wait_count "$ev" "event 'device-removed' for domain '$name': xen-disk-xvdb" 1 3; then
        tap_ok "$t: device-removed event for xen-disk-xvdb"
    else
        tap_fail "$t: device-removed event for xen-disk-xvdb" "$(cat "$ev")"
    fi
    TAP_TODO=

    # -- qcow2 through QEMU's qdisk, attach-device/detach-device
    cat > "$work/q-$drv-$kind.xml" <<EOF
<disk type='file' device='disk'>
  <driver name='qemu' type='qcow2'/>
  <source file='$q'/>
  <target dev='xvdc' bus='xen'/>
</disk>
EOF
    be=/local/domain/0/backend/qdisk/$id/51744
    ok_run "$t: attach-device qcow2" virsh -c "$uri" attach-device "$name" "$work/q-$drv-$kind.xml" --live
    ok_match "$t: domblklist shows xvdc" "xvdc +$q" "$(blk "$uri" "$name")"
    ok_eq "$t: qdisk backend params" "qcow2:$q" "$(xs_read "$sb" "$be/params")"
    ok_eq "$t: qdisk connected" 4 "$(xs_wait "$sb" "$be/state" 4)"
    ok_run "$t: detach-device qcow2" virsh -c "$uri" detach-device "$name" "$work/q-$drv-$kind.xml" --live
    ok_nomatch "$t: domblklist: xvdc gone" "xvdc" "$(blk "$uri" "$name")"
    ok_gone "$t: qdisk backend gone" "$sb" "$be"

    # -- an interface on a bridge of Domain-0
    mac=52:54:00:3c:0${#kind}:0${#drv}
    ok_run "$t: attach-interface bridge" \
        virsh -c "$uri" attach-interface "$name" bridge br-hp --mac "$mac" --live
    # the devid libxl gave it, from its backend
    be=$("$xensimctl" --dir "$sb/xensim" xenstore-ls "/local/domain/0/backend/vif/$id" 2>/dev/null |
         sed -n "s|^\(/local/domain/0/backend/vif/$id/[0-9]*\)/mac = \"$mac\"$|\1|p")
    vif=vif$id.${be##*/}
    stock_todo "$drv" "domiflist shows no vif name for a hotplugged interface"
    ok_match "$t: domiflist shows $vif on br-hp" "$vif +bridge +br-hp .*$mac" "$(ifl "$uri" "$name")"
    TAP_TODO=
    ok_eq "$t: vif backend bridge" br-hp "$(xs_read "$sb" "$be/bridge")"
    ok_eq "$t: vif connected" 4 "$(xs_wait "$sb" "$be/state" 4)"
    ok_match "$t: netback's $vif is on br-hp" "master br-hp" \
        "$(in_netns "$sb" ip -o link show "$vif" 2>&1)"
    ok_run "$t: detach-interface" virsh -c "$uri" detach-interface "$name" bridge --mac "$mac" --live
    ok_nomatch "$t: domiflist: gone" "$mac" "$(ifl "$uri" "$name")"
    ok_gone "$t: vif backend gone" "$sb" "$be"
    if in_netns "$sb" ip link show "$vif" >/dev/null 2>&1; then
        tap_fail "$t: $vif gone from Domain-0"
    else
        tap_ok "$t: $vif gone from Domain-0"
    fi

    # -- an interface on the default network, detached by its alias
    mac=52:54:00:3d:0${#kind}:0${#drv}
    ok_run "$t: attach-interface network default" \
        virsh -c "$uri" attach-interface "$name" network default --mac "$mac" --live
    ok_match "$t: domiflist shows it on default" "network +default .*$mac" "$(ifl "$uri" "$name")"
    alias=$(live "$uri" "$name" | xmllint --xpath \
        "string(//interface[mac/@address='$mac']/alias/@name)" - 2>/dev/null)
    stock_todo "$drv" "no alias for a hotplugged interface, no detach-device-alias"
    ok_match "$t: the interface has an alias" "^net[0-9]+$" "$alias"
    ok_run "$t: detach-device-alias" virsh -c "$uri" detach-device-alias "$name" "${alias:-none}" --live
    TAP_TODO=
    if [ "$drv" = stock ]; then
        virsh -c "$uri" detach-interface "$name" network --mac "$mac" --live >/dev/null 2>&1
    fi
    ok_nomatch "$t: domiflist: gone" "$mac" "$(ifl "$uri" "$name")"

    # -- --config, --persistent, --current
    ok_run "$t: attach-disk --config" virsh -c "$uri" attach-disk "$name" "$img" xvdd --targetbus xen --config
    ok_match "$t: --config: in the persistent XML" "<target dev='xvdd'" "$(inactive "$uri" "$name")"
    ok_nomatch "$t: --config: not in the live XML" "<target dev='xvdd'" "$(live "$uri" "$name")"
    ok_run "$t: detach-disk --config" virsh -c "$uri" detach-disk "$name" xvdd --config
    ok_nomatch "$t: detach --config: gone from the persistent XML" "<target dev='xvdd'" \
        "$(inactive "$uri" "$name")"
    ok_run "$t: attach-disk --persistent" virsh -c "$uri" attach-disk "$name" "$img" xvde --targetbus xen --persistent
    ok_match "$t: --persistent: live" "xvde +$img" "$(blk "$uri" "$name")"
    ok_match "$t: --persistent: persistent" "<target dev='xvde'" "$(inactive "$uri" "$name")"
    ok_run "$t: detach-disk --persistent" virsh -c "$uri" detach-disk "$name" xvde --persistent
    ok_nomatch "$t: detach --persistent: live" "xvde" "$(blk "$uri" "$name")"
    ok_nomatch "$t: detach --persistent: persistent" "<target dev='xvde'" "$(inactive "$uri" "$name")"
    ok_run "$t: attach-disk --current (running: live)" \
        virsh -c "$uri" attach-disk "$name" "$img" xvdf --targetbus xen --current
    ok_match "$t: --current: live" "xvdf" "$(blk "$uri" "$name")"
    ok_nomatch "$t: --current: not persistent" "<target dev='xvdf'" "$(inactive "$uri" "$name")"
    ok_run "$t: detach-disk --current" virsh -c "$uri" detach-disk "$name" xvdf --current
    ok_nomatch "$t: detach --current: live" "xvdf" "$(blk "$uri" "$name")"

    # -- errors, and nothing changes
    local before_live before_conf
    before_live=$(live "$uri" "$name")
    before_conf=$(inactive "$uri" "$name")
    stock_todo "$drv" "libxl's reason for a missing image does not reach the error"
    ok_fail "$t: a missing image: libxl's reason" \
        "Disk vdev=xvdg failed to stat: $work/missing.img: No such file or directory" \
        virsh -c "$uri" attach-disk "$name" "$work/missing.img" xvdg --targetbus xen --live --persistent
    TAP_TODO=
    ok_eq "$t: the failed attach left the live XML" "$before_live" "$(live "$uri" "$name")"
    ok_eq "$t: the failed attach left the persistent XML" "$before_conf" "$(inactive "$uri" "$name")"
    if [ "$drv" = ours ]; then
        ok_fail "$t: duplicate target" "error: Requested operation is not valid: target xvda already exists" \
            virsh -c "$uri" attach-disk "$name" "$img" xvda --targetbus xen --live --persistent
        local vifs0
        vifs0=$(xs_count "$sb" "/local/domain/0/backend/vif/$id")
        ok_fail "$t: a missing bridge: the script's reason" \
            "libxenlight failed to attach interface 52:54:00:3e:00:01 to domain '$name': script: Could not find bridge device br-none \(Unable to add vif with id [0-9]+\)" \
            virsh -c "$uri" attach-interface "$name" bridge br-none --mac 52:54:00:3e:00:01 --live
        ok_eq "$t: no half-made vif left in xenstore" "$vifs0" \
            "$(xs_count "$sb" "/local/domain/0/backend/vif/$id")"
        if [ "$kind" = hvm ]; then
            ok_fail "$t: a CD-ROM cannot be hotplugged" \
                "error: Operation not supported: a cdrom drive cannot be added to a running Xen domain: change the media of an existing one \(update-device, change-media\)" \
                virsh -c "$uri" attach-disk "$name" "$work/cd.iso" hdd --type cdrom --live
        else
            ok_fail "$t: a CD-ROM cannot be hotplugged (no IDE bus)" \
                "unsupported disk bus 'ide' for disk 'hdd' on os type 'xen(pvh)?'" \
                virsh -c "$uri" attach-disk "$name" "$work/cd.iso" hdd --type cdrom --live
        fi
    else
        TAP_RECORD="stock: recorded"
        ok_fail "$t: duplicate target" "xvda" \
            virsh -c "$uri" attach-disk "$name" "$img" xvda --targetbus xen --live
        ok_fail "$t: a missing bridge" "br-none" \
            virsh -c "$uri" attach-interface "$name" bridge br-none --mac 52:54:00:3e:00:02 --live
        ok_fail "$t: a CD-ROM cannot be hotplugged" "cdrom" \
            virsh -c "$uri" attach-disk "$name" "$work/cd.iso" hdd --type cdrom --live
        TAP_RECORD=
    fi
    ok_nomatch "$t: the failed attaches left no interface" "br-none" "$(ifl "$uri" "$name")"
    ok_nomatch "$t: ... and no disk" "hdd|xvdg" "$(blk "$uri" "$name")"
    ok_eq "$t: ... and the persistent XML" "$before_conf" "$(inactive "$uri" "$name")"

    # -- an HVM guest's CD-ROM media
    if [ "$kind" = hvm ]; then
        # an emulated drive (driver qemu): QEMU's qdisk backend
        be=/local/domain/0/backend/qdisk/$id/5632
        ok_run "$t: change-media --insert" \
            virsh -c "$uri" change-media "$name" hdc "$work/cd.iso" --insert --live
        ok_match "$t: domblklist shows the media" "hdc +$work/cd.iso" "$(blk "$uri" "$name")"
        ok_eq "$t: backend params: the media" "aio:$work/cd.iso" "$(xs_read "$sb" "$be/params")"
        ok_run "$t: change-media --eject" virsh -c "$uri" change-media "$name" hdc --eject --live
        ok_match "$t: domblklist: no media" "hdc +-" "$(blk "$uri" "$name")"
        ok_eq "$t: backend params: empty" "" "$(xs_read "$sb" "$be/params")"
        cdrom_xml hdc "$work/cd.iso" > "$work/cd-$drv.xml"
        ok_run "$t: update-device inserts" virsh -c "$uri" update-device "$name" "$work/cd-$drv.xml" --live
        ok_eq "$t: backend params after update-device" "aio:$work/cd.iso" "$(xs_read "$sb" "$be/params")"
        ok_run "$t: change-media --eject again" virsh -c "$uri" change-media "$name" hdc --eject --live
    fi

    lc_events_stop
    ok_run "$t: destroy" virsh -c "$uri" destroy "$name"
    ok_run "$t: undefine" virsh -c "$uri" undefine "$name"
}

# A guest that keeps its disk: the detach times out, says so, the disk stays.
keep_checks() { # drv
    local drv=$1 uri=${uris[$1]} sb=${sbs[$1]} name=hp-keep-1 t="$1/keep" id ev img out
    img=$work/$drv-keep.img
    truncate -s 8M "$img"
    lc_xml pv "$name" "$work" > "$work/$name-$drv.xml"
    ok_run "$t: create" virsh -c "$uri" create "$work/$name-$drv.xml"
    id=$(virsh -c "$uri" domid "$name" 2>&1)
    ev=$work/events-$drv-keep
    lc_events_start "$uri" "$ev"
    ok_run "$t: attach-disk" virsh -c "$uri" attach-disk "$name" "$img" xvdb --targetbus xen --live
    xs_wait "$sb" "/local/domain/0/backend/vbd/$id/51728/state" 4 >/dev/null
    stock_todo "$drv" "libxl_device_disk_remove forces the disk away from the guest"
    ok_fail "$t: detach-disk: a clear timeout error" \
        "error: Timed out during operation: domain '$name' did not release disk xvdb; it stays attached: unable to remove device with path /local/domain/0/backend/vbd/$id/51728 \(Unable to remove vbd with id 51728\)" \
        virsh -c "$uri" detach-disk "$name" xvdb --live
    ok_match "$t: the disk stays in the live XML" "xvdb +$img" "$(blk "$uri" "$name")"
    ok_eq "$t: the backend is still there (closing)" 5 \
        "$(xs_read "$sb" "/local/domain/0/backend/vbd/$id/51728/state")"
    if lc_wait_count "$ev" "event 'device-removal-failed' for domain '$name': xen-disk-xvdb" 1 3; then
        tap_ok "$t: device-removal-failed event"
    else
        tap_fail "$t: device-removal-failed event" "$(cat "$ev")"
    fi
    TAP_TODO=
    ok_run "$t: the guest lets go" "$xensimctl" --dir "$sb/xensim" host set guest_keep_devices ''
    stock_todo "$drv" "the disk was forced away already"
    ok_run "$t: detach-disk now" virsh -c "$uri" detach-disk "$name" xvdb --live
    TAP_TODO=
    ok_nomatch "$t: gone" "xvdb" "$(blk "$uri" "$name")"
    "$xensimctl" --dir "$sb/xensim" host set guest_keep_devices 'hp-keep-*'
    lc_events_stop
    virsh -c "$uri" destroy "$name" >/dev/null 2>&1
}

# attach/detach cycles: nothing left behind
cycle_checks() { # drv
    local drv=$1 uri=${uris[$1]} sb=${sbs[$1]} name=hp-cycle t="$1/cycles" img pid
    local nodes0 fds0 links0 nodes1 fds1 links1 i fails=0 out
    img=$work/$drv-cycle.img
    truncate -s 8M "$img"
    lc_xml pv "$name" "$work" > "$work/$name-$drv.xml"
    ok_run "$t: create" virsh -c "$uri" create "$work/$name-$drv.xml"
    pid=$(awk '{print $1}' "$sb/libvirtd.pid")
    # one cycle first: what a first hotplug sets up once (connections)
    virsh -c "$uri" attach-disk "$name" "$img" xvdb --targetbus xen --live >/dev/null 2>&1
    virsh -c "$uri" attach-interface "$name" bridge br-hp --mac 52:54:00:3f:00:01 --live >/dev/null 2>&1
    virsh -c "$uri" detach-interface "$name" bridge --mac 52:54:00:3f:00:01 --live >/dev/null 2>&1
    virsh -c "$uri" detach-disk "$name" xvdb --live >/dev/null 2>&1
    xs_nodes "$sb" > "$work/xs0-$drv"
    nodes0=$(wc -l < "$work/xs0-$drv")
    fds0=$(ls "/proc/$pid/fd" | wc -l)
    links0=$(in_netns "$sb" ip -o link show | wc -l)
    for ((i = 0; i < cycles; i++)); do
        out=$(virsh -c "$uri" attach-disk "$name" "$img" xvdb --targetbus xen --live 2>&1 &&
              virsh -c "$uri" attach-interface "$name" bridge br-hp --mac 52:54:00:3f:00:01 --live 2>&1 &&
              virsh -c "$uri" detach-interface "$name" bridge --mac 52:54:00:3f:00:01 --live 2>&1 &&
              virsh -c "$uri" detach-disk "$name" xvdb --live 2>&1) || {
            fails=$((fails + 1))
            [ "$fails" = 1 ] && echo "# cycle $i: $out"
        }
    done
    ok_eq "$t: $cycles attach/detach cycles of a disk and a vif" 0 "$fails"
    xs_nodes "$sb" > "$work/xs1-$drv"
    nodes1=$(wc -l < "$work/xs1-$drv")
    fds1=$(ls "/proc/$pid/fd" | wc -l)
    links1=$(in_netns "$sb" ip -o link show | wc -l)
    ok_eq "$t: no xenstore node left behind" "$nodes0" "$nodes1"
    [ "$nodes0" = "$nodes1" ] || diff "$work/xs0-$drv" "$work/xs1-$drv" | sed 's/^/# /' | head -20
    ok_eq "$t: no libvirtd fd left behind" "$fds0" "$fds1"
    ok_eq "$t: no vif left behind" "$links0" "$links1"
    ok_eq "$t: no backend left behind" "" \
        "$("$xensimctl" --dir "$sb/xensim" xenstore-ls /local/domain/0/backend/vif 2>/dev/null)"
    virsh -c "$uri" destroy "$name" >/dev/null 2>&1
}

for drv in $drivers; do
    [ -n "${uris[$drv]:-}" ] || continue
    in_netns "${sbs[$drv]}" ip link add br-hp type bridge &&
        in_netns "${sbs[$drv]}" ip link set br-hp up
    for kind in pv pvh hvm; do
        kind_checks "$drv" "$kind"
    done
    keep_checks "$drv"
    cycle_checks "$drv"
done

tap_done
rc=$?
"$top_srcdir/scripts/sandbox" down "$work/sb-ours" >/dev/null 2>&1
"$top_srcdir/scripts/sandbox" down "$work/sb-stock" >/dev/null 2>&1
rm -rf "$work"
exit $rc

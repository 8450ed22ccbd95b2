#!/usr/bin/env bash
# PCI passthrough, with our module and with the stock one, on a simulated
# host whose PCI bus is the machine's own devices (scripts/sandbox fills
# xensim's pci_devices from sysfs; inside the sandbox that sysfs is
# read-only, so no module can unbind or reset a real device): the node
# device names, nodedev-detach / -reattach / -reset, attach-device and
# detach-device of <hostdev type='pci'> managed and not to PV and HVM
# guests, a device never given to two domains (live, at start, after a
# daemon restart), each checked through xensim (xensimctl pci-list:
# BDF IDS CLASS DRIVER DOMID).  Then USB controllers and host USB
# devices, on a simulated host with USB devices of its own.
#
# The stock module does passthrough through libvirt's virHostdevManager,
# which binds devices to pciback through Domain-0's sysfs itself and
# needs the pciback module: on xensim it cannot; its outcomes are recorded
# (TODO), not required.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-pci.XXXXXX)
files=$work/files
lc_files "$files"
ctl=$top_builddir/xensim/xensimctl

# nodedev name <-> BDF
bdf_of() { # pci_0000_00_03_0 -> 0000:00:03.0
    local n=${1#pci_}
    echo "${n:0:4}:${n:5:2}:${n:8:2}.${n:11:1}"
}
hostdev_xml() { # bdf managed
    local b=$1
    echo "<hostdev mode='subsystem' type='pci' managed='$2'><source><address domain='0x${b:0:4}' bus='0x${b:5:2}' slot='0x${b:8:2}' function='0x${b:11:1}'/></source></hostdev>"
}
# xensim's view of a device: "DRIVER DOMID"
sim_dev() { # sbdir bdf
    "$ctl" --dir "$1/xensim" pci-list 2>&1 | awk -v b="$2" '$1 == b { print $4, $5 }'
}
sim_driver0() { # sbdir bdf: the driver the machine's sysfs shows (the original)
    local d=/sys/bus/pci/devices/$2/driver
    if [ -L "$d" ]; then basename "$(readlink "$d")"; else echo -; fi
}
domid() { virsh -c "$1" domid "$2" 2>/dev/null | head -n 1; }

pci_checks() { # drv uri sbdir
    local drv=$1 uri=$2 sb=$3 out names a b c orig_a orig_b orig_c id
    local stock_why="stock: passthrough through Domain-0's sysfs (virHostdevManager), not libxl: cannot bind pciback on xensim"

    # the node device driver's PCI devices are the simulated host's
    names=$(virsh -c "$uri" nodedev-list --cap pci 2>&1 | sed '/^$/d')
    ok_eq "$drv: nodedev-list --cap pci names the devices xensim has" \
        "$("$ctl" --dir "$sb/xensim" pci-list 2>&1 | awk '{ print $1 }' | sort)" \
        "$(for n in $names; do bdf_of "$n"; done | sort)"
    # three devices to pass through (any: xensim's bus is its own)
    set -- $(printf '%s\n' $names | tail -n 3)
    if [ $# -lt 3 ]; then
        tap_skip "$drv: passthrough" "the machine has fewer than three PCI devices"
        return
    fi
    a=$(bdf_of "$1") b=$(bdf_of "$2") c=$(bdf_of "$3")
    orig_a=$(sim_driver0 "$sb" "$a") orig_b=$(sim_driver0 "$sb" "$b") orig_c=$(sim_driver0 "$sb" "$c")
    ok_eq "$drv: xensim's $a is bound to the machine's driver" "$orig_a -" "$(sim_dev "$sb" "$a")"

    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    # nodedev-detach: pciback's (libxl's assignable add), the driver remembered
    ok_run "$drv: nodedev-detach $1" virsh -c "$uri" nodedev-detach "$1"
    ok_eq "$drv: $a is pciback's, no domain's" "pciback -" "$(sim_dev "$sb" "$a")"
    if [ "$orig_a" != - ]; then
        ok_eq "$drv: libxl remembers $a's driver" "/sys/bus/pci/drivers/$orig_a" \
            "$("$ctl" --dir "$sb/xensim" xenstore-read "/libxl/pci/$(echo "$a" | tr ':.' '--')/driver_path" 2>&1)"
    fi
    ok_run "$drv: nodedev-reattach $1" virsh -c "$uri" nodedev-reattach "$1"
    ok_eq "$drv: $a is back on its driver" "$orig_a -" "$(sim_dev "$sb" "$a")"
    # again: the device is the host's already, nothing to do (libvirt's
    # other drivers answer so)
    ok_run "$drv: nodedev-reattach of a device the host has succeeds" \
        virsh -c "$uri" nodedev-reattach "$1"
    ok_eq "$drv: $a stays on its driver" "$orig_a -" "$(sim_dev "$sb" "$a")"
    TAP_RECORD=

    virsh -c "$uri" create <(lc_xml pv pci-pv "$files") >/dev/null 2>&1
    virsh -c "$uri" create <(lc_xml hvm pci-hvm "$files") >/dev/null 2>&1
    ok_eq "$drv: two guests run" "running running" \
        "$(virsh -c "$uri" domstate pci-pv 2>&1) $(virsh -c "$uri" domstate pci-hvm 2>&1)"

    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    # managed: made assignable and given to the guest
    hostdev_xml "$a" yes > "$files/a-managed.xml"
    ok_run "$drv: attach-device $a (managed) to a PV guest" \
        virsh -c "$uri" attach-device pci-pv "$files/a-managed.xml"
    ok_eq "$drv: $a is pciback's and the PV guest's" "pciback $(domid "$uri" pci-pv)" "$(sim_dev "$sb" "$a")"
    ok_match "$drv: the PV guest's live XML has $a" "slot='0x${a:8:2}' function='0x${a:11:1}'" \
        "$(virsh -c "$uri" dumpxml pci-pv 2>&1 | sed -n '/<hostdev/,/<\/hostdev>/p')"
    ok_eq "$drv: pciback's backend for the PV guest lists $a" "$a" \
        "$("$ctl" --dir "$sb/xensim" xenstore-read "/local/domain/0/backend/pci/$(domid "$uri" pci-pv)/0/dev-0" 2>&1)"
    # never to a second domain
    ok_fail "$drv: the same device is refused to the HVM guest" \
        "PCI device $a is in use by driver xenlight, domain pci-pv" \
        virsh -c "$uri" attach-device pci-hvm "$files/a-managed.xml"
    ok_eq "$drv: $a stays the PV guest's" "pciback $(domid "$uri" pci-pv)" "$(sim_dev "$sb" "$a")"
    ok_fail "$drv: nodedev-reattach of a device a guest has is refused" \
        "PCI device $a is in use by driver xenlight, domain pci-pv" \
        virsh -c "$uri" nodedev-reattach "$1"
    ok_eq "$drv: $a stays the PV guest's after the refused reattach" \
        "pciback $(domid "$uri" pci-pv)" "$(sim_dev "$sb" "$a")"
    TAP_RECORD=

    # nodedev-reset: libxl has no reset call (it resets a device itself on
    # assignment); the stock module would reset the machine's own device
    # through sysfs: not run with it
    if [ "$drv" = ours ]; then
        ok_fail "$drv: nodedev-reset of a device a guest has is refused" \
            "PCI device $a is in use by driver xenlight, domain pci-pv" \
            virsh -c "$uri" nodedev-reset "$1"
        ok_fail "$drv: nodedev-reset is unsupported, saying why" \
            "PCI device $b cannot be reset on its own: libxenlight has no reset call" \
            virsh -c "$uri" nodedev-reset "$2"
    else
        tap_skip "$drv: nodedev-reset" "the stock module resets the machine's device through sysfs"
    fi

    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    # unmanaged: must be assignable already
    hostdev_xml "$b" no > "$files/b-unmanaged.xml"
    ok_fail "$drv: attach-device of an unmanaged device not detached is refused" \
        "PCI device $b is not assignable.*nodedev-detach $2" \
        virsh -c "$uri" attach-device pci-hvm "$files/b-unmanaged.xml"
    ok_eq "$drv: $b stays on its driver" "$orig_b -" "$(sim_dev "$sb" "$b")"
    ok_run "$drv: nodedev-detach $2" virsh -c "$uri" nodedev-detach "$2"
    ok_run "$drv: attach-device $b (unmanaged) to the HVM guest" \
        virsh -c "$uri" attach-device pci-hvm "$files/b-unmanaged.xml"
    ok_eq "$drv: $b is the HVM guest's" "pciback $(domid "$uri" pci-hvm)" "$(sim_dev "$sb" "$b")"

    # detach: the guest lets go; a managed device goes back to the host
    ok_run "$drv: detach-device $a from the PV guest" \
        virsh -c "$uri" detach-device pci-pv "$files/a-managed.xml"
    ok_eq "$drv: $a is back on its driver, no domain's" "$orig_a -" "$(sim_dev "$sb" "$a")"
    TAP_RECORD=
    ok_eq "$drv: the PV guest's live XML has no hostdev" "" \
        "$(virsh -c "$uri" dumpxml pci-pv 2>&1 | grep '<hostdev')"
    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    ok_run "$drv: detach-device $b from the HVM guest" \
        virsh -c "$uri" detach-device pci-hvm "$files/b-unmanaged.xml"
    ok_eq "$drv: unmanaged $b stays pciback's, no domain's" "pciback -" "$(sim_dev "$sb" "$b")"
    ok_run "$drv: nodedev-reattach $2" virsh -c "$uri" nodedev-reattach "$2"
    ok_eq "$drv: $b is back on its driver" "$orig_b -" "$(sim_dev "$sb" "$b")"
    ok_fail "$drv: detach-device of a device the guest lacks names it" \
        "host pci device $b not found" \
        virsh -c "$uri" detach-device pci-hvm "$files/b-unmanaged.xml"
    TAP_RECORD=

    # given at start: checked the same way
    virsh -c "$uri" define <(lc_xml pv pci-pvs "$files" "$(hostdev_xml "$c" yes)") >/dev/null 2>&1
    virsh -c "$uri" define <(lc_xml hvm pci-hvms "$files" "$(hostdev_xml "$c" yes)") >/dev/null 2>&1
    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    ok_run "$drv: start a PV guest given $c (managed)" virsh -c "$uri" start pci-pvs
    ok_eq "$drv: $c is the started guest's" "pciback $(domid "$uri" pci-pvs)" "$(sim_dev "$sb" "$c")"
    ok_fail "$drv: a second guest given $c does not start" \
        "PCI device $c is in use by driver xenlight, domain pci-pvs" \
        virsh -c "$uri" start pci-hvms
    TAP_RECORD=
    ok_match "$drv: the refused guest is shut off" "^shut off" "$(virsh -c "$uri" domstate pci-hvms 2>&1)"

    # the bookkeeping survives a daemon restart
    "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1
    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    ok_fail "$drv: after a daemon restart the second guest still does not start" \
        "PCI device $c is in use by driver xenlight, domain pci-pvs" \
        virsh -c "$uri" start pci-hvms
    ok_fail "$drv: after a daemon restart nodedev-reattach of $c is refused" \
        "PCI device $c is in use by driver xenlight, domain pci-pvs" \
        virsh -c "$uri" nodedev-reattach "$3"
    ok_eq "$drv: after a daemon restart the guest given $c runs" "running" \
        "$(virsh -c "$uri" domstate pci-pvs 2>&1 | head -n 1)"
    ok_match "$drv: after a daemon restart the guest's live XML has $c" \
        "slot='0x${c:8:2}' function='0x${c:11:1}'" \
        "$(virsh -c "$uri" dumpxml pci-pvs 2>&1 | sed -n '/<hostdev/,/<\/hostdev>/p')"
    ok_eq "$drv: after a daemon restart $c is still the guest's" \
        "pciback $(domid "$uri" pci-pvs)" "$(sim_dev "$sb" "$c")"
    # the guest stops: its managed device goes back; the other one starts
    virsh -c "$uri" destroy pci-pvs >/dev/null 2>&1
    ok_eq "$drv: a stopped guest's managed $c is back on its driver" "$orig_c -" "$(sim_dev "$sb" "$c")"
    ok_run "$drv: then the second guest starts" virsh -c "$uri" start pci-hvms
    ok_eq "$drv: $c is the second guest's" "pciback $(domid "$uri" pci-hvms)" "$(sim_dev "$sb" "$c")"
    TAP_RECORD=

    # unmanaged at start: assignable already, else a clear error
    virsh -c "$uri" define <(lc_xml pv pci-pvu "$files" "$(hostdev_xml "$b" no)") >/dev/null 2>&1
    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    ok_fail "$drv: a guest given an unmanaged device not detached does not start" \
        "PCI device $b is not assignable: it has managed='no'" \
        virsh -c "$uri" start pci-pvu
    TAP_RECORD=
    ok_eq "$drv: $b stays on its driver after the refused start" "$orig_b -" "$(sim_dev "$sb" "$b")"
    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    ok_run "$drv: nodedev-detach $2 for it" virsh -c "$uri" nodedev-detach "$2"
    ok_run "$drv: then it starts" virsh -c "$uri" start pci-pvu
    ok_eq "$drv: $b is its" "pciback $(domid "$uri" pci-pvu)" "$(sim_dev "$sb" "$b")"
    virsh -c "$uri" destroy pci-pvu >/dev/null 2>&1
    ok_eq "$drv: a stopped guest's unmanaged $b stays pciback's" "pciback -" "$(sim_dev "$sb" "$b")"
    ok_run "$drv: nodedev-reattach $2 after it" virsh -c "$uri" nodedev-reattach "$2"
    TAP_RECORD=

    for d in pci-pv pci-hvm pci-pvs pci-hvms pci-pvu; do
        virsh -c "$uri" destroy "$d" >/dev/null 2>&1
    done
    ok_eq "$drv: with no guest left no device is a domain's" "" \
        "$("$ctl" --dir "$sb/xensim" pci-list 2>&1 | awk '$5 != "-"')"
}

# USB: controllers and host USB devices, on a simulated host with three
# USB devices (the third a hub, which libxl refuses); xensimctl usb-list:
# BUS.ADDR IDS CLASS DOMID
usb_dev() { # sbdir addr: the domain that has it, or -
    "$ctl" --dir "$1/xensim" usb-list 2>&1 | awk -v a="$2" '$1 == a { print $4 }'
}
usb_checks() { # drv uri sbdir
    local drv=$1 uri=$2 sb=$3 id
    local stock_why="stock: host USB devices through Domain-0's sysfs (virHostdevManager), not libxl"

    virsh -c "$uri" create <(lc_xml pv usb-pv "$files") >/dev/null 2>&1
    virsh -c "$uri" create <(lc_xml hvm usb-hvm "$files") >/dev/null 2>&1
    echo "<controller type='usb' index='0' model='qusb2' ports='1'/>" > "$files/usb-c0.xml"
    echo "<controller type='ide' index='1'/>" > "$files/ide-c1.xml"
    for a in 1.2 1.3 2.1; do
        echo "<hostdev mode='subsystem' type='usb'><source><address bus='${a%.*}' device='${a#*.}'/></source></hostdev>" \
            > "$files/usb-$a.xml"
    done

    [ "$drv" = stock ] && TAP_RECORD="stock: may differ"
    ok_run "$drv: attach-device of a USB controller to a PV guest" \
        virsh -c "$uri" attach-device usb-pv "$files/usb-c0.xml"
    id=$(domid "$uri" usb-pv)
    ok_eq "$drv: libxl's controller: qusb, one port" "qusb 1" \
        "$("$ctl" --dir "$sb/xensim" xenstore-read "/libxl/$id/device/vusb/0/type" 2>&1) $("$ctl" --dir "$sb/xensim" xenstore-read "/local/domain/0/backend/qusb/$id/0/num-ports" 2>&1)"
    ok_run "$drv: attach-device of a USB controller to an HVM guest" \
        virsh -c "$uri" attach-device usb-hvm "$files/usb-c0.xml"
    TAP_RECORD=
    ok_fail "$drv: a non-USB controller cannot be hotplugged" \
        "controller cannot be (added|hot plugged)" \
        virsh -c "$uri" attach-device usb-hvm "$files/ide-c1.xml"

    [ "$drv" = stock ] && TAP_RECORD=$stock_why
    ok_run "$drv: attach-device of USB device 1.2 to the PV guest" \
        virsh -c "$uri" attach-device usb-pv "$files/usb-1.2.xml"
    ok_eq "$drv: 001.002 is the PV guest's" "$id" "$(usb_dev "$sb" 001.002)"
    ok_match "$drv: the live XML has its controller and port" "<address type='usb' bus='0' port='1'/>" \
        "$(virsh -c "$uri" dumpxml usb-pv 2>&1 | sed -n '/<hostdev/,/<\/hostdev>/p')"
    ok_fail "$drv: the same USB device is refused to the HVM guest" \
        "USB device 001.002 is in use by driver xenlight, domain usb-pv" \
        virsh -c "$uri" attach-device usb-hvm "$files/usb-1.2.xml"
    ok_eq "$drv: 001.002 stays the PV guest's" "$id" "$(usb_dev "$sb" 001.002)"
    # the controller is full: a new one comes with the device
    ok_run "$drv: attach-device of USB device 1.3 to the PV guest" \
        virsh -c "$uri" attach-device usb-pv "$files/usb-1.3.xml"
    ok_eq "$drv: 001.003 is the PV guest's" "$id" "$(usb_dev "$sb" 001.003)"
    ok_match "$drv: a second USB controller came with it" "<controller type='usb' index='1'" \
        "$(virsh -c "$uri" dumpxml usb-pv 2>&1)"
    ok_fail "$drv: a hub is refused, with libxl's reason" "USB device is not assignable" \
        virsh -c "$uri" attach-device usb-hvm "$files/usb-2.1.xml"
    ok_fail "$drv: a controller still holding a device is not removed" \
        "USB controller 0 still has USB device 001.002" \
        virsh -c "$uri" detach-device usb-pv "$files/usb-c0.xml"
    ok_run "$drv: detach-device of USB device 1.2" \
        virsh -c "$uri" detach-device usb-pv "$files/usb-1.2.xml"
    ok_eq "$drv: 001.002 is no domain's" "-" "$(usb_dev "$sb" 001.002)"
    ok_run "$drv: then the HVM guest gets it" \
        virsh -c "$uri" attach-device usb-hvm "$files/usb-1.2.xml"
    ok_eq "$drv: 001.002 is the HVM guest's" "$(domid "$uri" usb-hvm)" "$(usb_dev "$sb" 001.002)"
    ok_run "$drv: an emptied controller is removed" \
        virsh -c "$uri" detach-device usb-pv "$files/usb-c0.xml"
    ok_eq "$drv: libxl's controller 0 is gone" "" \
        "$("$ctl" --dir "$sb/xensim" xenstore-read "/libxl/$id/device/vusb/0/type" 2>/dev/null)"
    "$top_srcdir/scripts/sandbox" restart "$sb" >/dev/null 2>&1
    ok_fail "$drv: after a daemon restart the HVM guest's USB device is still refused to another" \
        "USB device 001.002 is in use by driver xenlight, domain usb-hvm" \
        virsh -c "$uri" attach-device usb-pv "$files/usb-1.2.xml"
    TAP_RECORD=

    virsh -c "$uri" destroy usb-pv >/dev/null 2>&1
    virsh -c "$uri" destroy usb-hvm >/dev/null 2>&1
    ok_eq "$drv: with no guest left no USB device is a domain's" "- - -" \
        "$(for a in 001.002 001.003 002.001; do usb_dev "$sb" $a; done | xargs)"
}

printf 'usb_devices = 1.2 046d:c52b 00, 1.3 0781:5583 00, 2.1 1d6b:0002 09\n' > "$work/usb.cfg"

for drv in ours stock; do
    if sandbox_up "$work/usb-$drv" --driver=$drv --host=sim --xensim-config="$work/usb.cfg" \
        2>"$work/usb-$drv.err"; then
        tap_ok "$drv: USB sandbox up"
        usb_checks "$drv" "$URI" "$work/usb-$drv"
    else
        tap_fail "$drv: USB sandbox up" "$(cat "$work/usb-$drv.err")"
    fi
    "$top_srcdir/scripts/sandbox" down "$work/usb-$drv" >/dev/null 2>&1
done

for drv in ours stock; do
    if sandbox_up "$work/$drv" --driver=$drv --host=sim 2>"$work/$drv.err"; then
        tap_ok "$drv: sandbox up"
        pci_checks "$drv" "$URI" "$work/$drv"
    else
        tap_fail "$drv: sandbox up" "$(cat "$work/$drv.err")"
    fi
    "$top_srcdir/scripts/sandbox" down "$work/$drv" >/dev/null 2>&1
done

rm -rf "$work"
tap_done

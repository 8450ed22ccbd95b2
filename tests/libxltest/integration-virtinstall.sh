#!/usr/bin/env bash
# A host that looks like a real Xen host (issue 10): the sandbox's libvirtd
# has Debian's network, storage, nodedev, secret and nwfilter drivers beside
# the Xen one, in a network namespace of its own, virtlockd as its lock
# manager, the default network active.  virt-install --import creates a PV
# and an HVM guest there, each with --network network=default and a disk
# from a storage pool, as an administrator would; <disk type='volume'>
# starts too; the network's ports come and go with the guests; nothing
# changes in the machine's own network namespace.  Both modules (stock's
# failures recorded).  virt-xml edits (memory, vCPUs, a disk) and virt-clone
# of the shut-off PV guest.  INTEGRATION_DRIVERS (default "ours stock").
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

if ! command -v virt-install >/dev/null; then
    echo "1..0 # SKIP virt-install is not installed (scripts/setup installs virtinst)"
    exit 0
fi

work=$(mktemp -d /tmp/xl-vinst.XXXXXX)
lc_files "$work"
# virt-install 4.1 wants an OS name; these guests are no distribution's
export VIRTINSTALL_OSINFO_DISABLE_REQUIRE=1

host_net() { ip -o link | sed 's/ link\/.*//' | LC_ALL=C sort; ip -o addr | LC_ALL=C sort; }

state() { virsh -c "$URI" domstate "$1" 2>&1 | head -n 1; }

ports() { virsh -q -c "$URI" net-port-list default 2>/dev/null | sed '/^ *$/d' | wc -l; }

host_checks() { # drv
    local drv=$1 out br path vol
    ok_match "$drv: the default network is active in the sandbox" "^ *default +active +yes" \
        "$(virsh -c "$URI" net-list 2>&1)"
    br=$(virsh -c "$URI" net-info default 2>/dev/null | sed -n 's/^Bridge: *//p')
    ok_eq "$drv: its bridge" virbr0 "$br"
    ok_match "$drv: the storage driver answers" "Name +State +Autostart" \
        "$(virsh -c "$URI" pool-list --all 2>&1)"
    ok_match "$drv: the node device driver answers" "computer" "$(virsh -c "$URI" nodedev-list 2>&1)"
    ok_run "$drv: the secret driver answers" virsh -c "$URI" secret-list
    ok_run "$drv: the nwfilter driver answers" virsh -c "$URI" nwfilter-list

    mkdir -p "$work/pool-$drv"
    ok_run "$drv: a directory storage pool" bash -c "
        virsh -c '$URI' pool-define-as vipool dir --target '$work/pool-$drv' &&
        virsh -c '$URI' pool-start vipool &&
        virsh -c '$URI' vol-create-as vipool vi-pv.img 8M --format raw &&
        virsh -c '$URI' vol-create-as vipool vi-hvm.img 8M --format raw &&
        virsh -c '$URI' vol-create-as vipool vi-vol.img 8M --format raw"

    [ "$drv" = stock ] && TAP_RECORD="stock: recorded"
    out=$(virt-install --connect "$URI" --name vi-pv --memory 64 --vcpus 1 --import \
              --paravirt --boot "kernel=$work/vmlinuz,kernel_args=console=hvc0" \
              --disk vol=vipool/vi-pv.img,bus=xen --network network=default \
              --graphics none --noautoconsole 2>&1)
    ok_match "$drv: virt-install --import --paravirt with network=default and a pool's disk" \
        "Domain creation completed" "$out"
    ok_eq "$drv: the PV guest runs" running "$(state vi-pv)"
    out=$(virsh -c "$URI" dumpxml vi-pv 2>&1)
    ok_match "$drv: its interface plugs into the network's bridge" "<source network='default'.*bridge='$br'" \
        "$(tr -d '\n' <<<"$out" | sed 's/></>\n</g' | grep -A0 "source network")"
    # Domain-0's name of the interface, as netback makes it
    ok_eq "$drv: domiflist names the interface vif<domid>.0" \
        "vif$(virsh -c "$URI" domid vi-pv 2>&1).0 network default" \
        "$(virsh -c "$URI" domiflist vi-pv 2>&1 | awk 'NR == 3 {print $1, $2, $3}')"
    path=$(virsh -c "$URI" vol-path --pool vipool vi-pv.img 2>/dev/null)
    ok_match "$drv: its disk is the volume's file" "<source file='$path'" "$out"

    out=$(virt-install --connect "$URI" --name vi-hvm --memory 64 --vcpus 1 --import \
              --hvm --disk vol=vipool/vi-hvm.img --network network=default \
              --graphics vnc --noautoconsole 2>&1)
    ok_match "$drv: virt-install --import --hvm with network=default and a pool's disk" \
        "Domain creation completed" "$out"
    ok_eq "$drv: the HVM guest runs" running "$(state vi-hvm)"
    ok_match "$drv: its VNC display got a port" "<graphics type='vnc' port='59[0-9][0-9]'" \
        "$(virsh -c "$URI" dumpxml vi-hvm 2>&1)"
    ok_eq "$drv: the network has a port per running guest's interface" 2 "$(ports)"

    # a disk given as a pool's volume, as virt-manager can write it
    lc_xml pv vi-vol "$work" | sed "s#<disk type='file' device='disk'>#<disk type='volume' device='disk'>#;
        s#<source file='[^']*'/>#<source pool='vipool' volume='vi-vol.img'/>#" > "$work/vi-vol-$drv.xml"
    ok_run "$drv: <disk type='volume'> starts" bash -c \
        "virsh -c '$URI' define '$work/vi-vol-$drv.xml' && virsh -c '$URI' start vi-vol"
    vol=$(virsh -c "$URI" vol-path --pool vipool vi-vol.img 2>/dev/null)
    ok_match "$drv: libxl got the volume's path" "$vol" \
        "$("$top_builddir/xensim/xensimctl" --dir "$SB/xensim" xenstore-ls /local/domain/0/backend 2>&1 |
           grep -F params | tr '\n' ' ')"

    # a ceph disk whose key is a secret of the secret driver
    cat > "$work/secret-$drv.xml" <<EOF
<secret ephemeral='no' private='yes'>
  <uuid>8b9c4a1e-6a3f-4c2e-9d1b-7f0a5e3c2b10</uuid>
  <usage type='ceph'><name>client.admin secret</name></usage>
</secret>
EOF
    ok_run "$drv: a ceph secret" bash -c "virsh -c '$URI' secret-define '$work/secret-$drv.xml' &&
        virsh -c '$URI' secret-set-value 8b9c4a1e-6a3f-4c2e-9d1b-7f0a5e3c2b10 --base64 c2VjcmV0LWtleQ=="
    lc_xml pv vi-rbd "$work" "<disk type='network' device='disk'><driver name='qemu' type='raw'/>
        <source protocol='rbd' name='pool/image'><host name='mon1.example.com' port='6789'/></source>
        <auth username='admin'><secret type='ceph' usage='client.admin secret'/></auth>
        <target dev='xvdb' bus='xen'/></disk>" > "$work/vi-rbd-$drv.xml"
    ok_run "$drv: a guest with an authenticated rbd disk starts" bash -c \
        "virsh -c '$URI' define '$work/vi-rbd-$drv.xml' && virsh -c '$URI' start vi-rbd"
    ok_match "$drv: libxl got the rbd target with the secret's key" \
        "rbd:pool/image:id=admin:key=c2VjcmV0LWtleQ==" \
        "$("$top_builddir/xensim/xensimctl" --dir "$SB/xensim" xenstore-ls /local/domain/0/backend 2>&1 |
           grep -F params | tr '\n' ' ')"
    virsh -c "$URI" destroy vi-rbd >/dev/null 2>&1

    ok_run "$drv: destroy the guests" bash -c \
        "virsh -c '$URI' destroy vi-pv && virsh -c '$URI' destroy vi-hvm && virsh -c '$URI' destroy vi-vol"
    ok_eq "$drv: their network ports are given back" 0 "$(ports)"
    ok_run "$drv: a guest starts again (its port and display port reallocated)" virsh -c "$URI" start vi-hvm
    ok_eq "$drv: one port again" 1 "$(ports)"
    "$top_srcdir/scripts/sandbox" restart "$SB" >/dev/null 2>&1
    ok_eq "$drv: the port is known after a daemon restart" 1 "$(ports)"
    ok_run "$drv: and given back by the next destroy" virsh -c "$URI" destroy vi-hvm
    ok_eq "$drv: no port left" 0 "$(ports)"

    # virt-xml edits of the shut-off PV guest, then virt-clone of it
    ok_run "$drv: virt-xml --edit --memory 128" virt-xml -c "$URI" vi-pv --edit --memory 128
    out=$(virsh -c "$URI" dumpxml --inactive vi-pv 2>&1)
    ok_match "$drv: its memory is 128 MiB" "<memory unit='KiB'>131072</memory>" "$out"
    ok_run "$drv: virt-xml --edit --vcpus 2" virt-xml -c "$URI" vi-pv --edit --vcpus 2
    ok_match "$drv: it has 2 vCPUs" "<vcpu[^>]*>2</vcpu>" "$(virsh -c "$URI" dumpxml --inactive vi-pv 2>&1)"
    virsh -c "$URI" vol-create-as vipool vi-extra.img 8M --format raw >/dev/null 2>&1
    ok_run "$drv: virt-xml --add-device --disk (a pool's volume)" \
        virt-xml -c "$URI" vi-pv --add-device --disk vol=vipool/vi-extra.img,bus=xen,target=xvdb
    ok_match "$drv: the disk is in its definition" "<target dev='xvdb' bus='xen'/>" \
        "$(virsh -c "$URI" dumpxml --inactive vi-pv 2>&1)"
    ok_run "$drv: the edited guest starts" virsh -c "$URI" start vi-pv
    ok_eq "$drv: with 131072 KiB, 2 vCPUs, disks xvda xvdb" "131072 2 xvda xvdb" \
        "$(virsh -c "$URI" dominfo vi-pv 2>/dev/null | awk '/^Max memory/ {m = $3} /^CPU\(s\)/ {c = $2}
              END {printf "%s %s", m, c}') $(virsh -c "$URI" domblklist vi-pv 2>/dev/null |
              awk 'NR > 2 && NF {printf "%s ", $1}' | sed 's/ $//')"
    virsh -c "$URI" destroy vi-pv >/dev/null 2>&1
    out=$(virt-clone --connect "$URI" --original vi-pv --name vi-pv-clone --auto-clone 2>&1)
    ok_match "$drv: virt-clone --auto-clone of the shut-off guest" "successfully" "$out"
    out=$(virsh -c "$URI" dumpxml --inactive vi-pv-clone 2>&1)
    ok_eq "$drv: the clone has a UUID of its own" no \
        "$([ "$(virsh -c "$URI" domuuid vi-pv 2>&1)" = "$(virsh -c "$URI" domuuid vi-pv-clone 2>&1)" ] && echo yes || echo no)"
    ok_eq "$drv: its disks are new files in the pool" 2 \
        "$(grep -o "<source file='$work/pool-$drv/[^']*-clone[^']*'" <<<"$out" | sort -u | wc -l)"
    ok_run "$drv: the clone starts" virsh -c "$URI" start vi-pv-clone
    ok_eq "$drv: it runs" running "$(state vi-pv-clone)"
    virsh -c "$URI" destroy vi-pv-clone >/dev/null 2>&1
    TAP_RECORD=
}

before=$(host_net)
for drv in ${INTEGRATION_DRIVERS:-ours stock}; do
    SB=$work/sb-$drv
    sandbox_up "$SB" --driver="$drv" || { tap_fail "$drv: sandbox up"; continue; }
    host_checks "$drv"
    "$top_srcdir/scripts/sandbox" down "$SB" >/dev/null 2>&1
    ok_eq "$drv: nothing of the sandbox is left running" "" \
        "$(for p in /proc/[0-9]*; do
               grep -qs "$SB" "$p/cmdline" && tr '\0' ' ' < "$p/cmdline" && echo
           done 2>/dev/null)"
done
ok_eq "the machine's own links and addresses are unchanged" "$before" "$(host_net)"

sandbox_cleanup
rm -rf "$work"
tap_done

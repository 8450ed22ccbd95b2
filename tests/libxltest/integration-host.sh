#!/usr/bin/env bash
# The connection and host group of APIs, through virsh, against a sandboxed
# libvirtd on a simulated host of known shape, with our module and with the
# stock module.  The stock module's answers are the reference for ours.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-host.XXXXXX)
cfg=$top_srcdir/tests/libxltest/data/host-2node.cfg
# The shape host-2node.cfg describes (libvirt counts sockets per NUMA node).
cfg_val() { sed -n "s/^$1 *= *//p" "$cfg"; }
want_cpus=$(( $(cfg_val sockets) * $(cfg_val cores_per_socket) * $(cfg_val threads_per_core) ))
want_sockets=1 want_cores=3 want_threads=2 want_nodes=2
want_mhz=2900 want_mem_kib=$((24576 * 1024))

field() { # virsh nodeinfo output, label
    sed -n "s/^$2: *//p" <<<"$1" | sed 's/ .*//'
}

host_checks() { # driver uri
    local drv=$1 uri=$2 out
    local ro=${uri/libvirt-sock/libvirt-sock-ro}

    out=$(virsh -c "$uri" nodeinfo 2>&1)
    ok_eq "$drv: nodeinfo CPU(s)" "$want_cpus" "$(field "$out" 'CPU(s)')"
    ok_eq "$drv: nodeinfo sockets" "$want_sockets" "$(field "$out" 'CPU socket(s)')"
    ok_eq "$drv: nodeinfo cores" "$want_cores" "$(field "$out" 'Core(s) per socket')"
    ok_eq "$drv: nodeinfo threads" "$want_threads" "$(field "$out" 'Thread(s) per core')"
    ok_eq "$drv: nodeinfo NUMA cells" "$want_nodes" "$(field "$out" 'NUMA cell(s)')"
    ok_eq "$drv: nodeinfo MHz" "$want_mhz" "$(field "$out" 'CPU frequency')"
    ok_eq "$drv: nodeinfo memory" "$want_mem_kib" "$(field "$out" 'Memory size')"

    out=$(virsh -c "$uri" version 2>&1)
    ok_match "$drv: version names the hypervisor" 'Running hypervisor: Xen 4\.17\.' "$out"
    ok_match "$drv: version names the library" 'Using library: libvirt 9\.0\.0' "$out"
    ok_eq "$drv: hostname" "$(hostname)" "$(virsh -c "$uri" hostname 2>&1)"
    ok_eq "$drv: uri" "$uri" "$(virsh -c "$uri" uri 2>&1)"
    # virsh maxvcpus answers from the domain capabilities when it can:
    # virConnectGetMaxVcpus itself, through the binding.  Xen's answer is
    # its CPU count (libxl_get_max_cpus: max_cpu_id + 1), for every guest type
    out=$("$PYTHON3" - "$uri" <<'PY' 2>&1
import sys, libvirt
libvirt.registerErrorHandler(lambda c, e: None, None)
conn = libvirt.open(sys.argv[1])
for t in (None, "xen", "xenpv", "xenfv", "kvm"):
    try:
        print("%s=%d" % (t, conn.getMaxVcpus(t)))
    except libvirt.libvirtError as e:
        print("%s=error: %s" % (t, e.get_error_message()))
PY
)
    ok_match "$drv: virConnectGetMaxVcpus(NULL) is the host's CPU count" "^None=$want_cpus\$" "$out"
    ok_match "$drv: virConnectGetMaxVcpus(xen) is the host's CPU count" "^xen=$want_cpus\$" "$out"
    ok_match "$drv: virConnectGetMaxVcpus(xenpv)" "^xenpv=$want_cpus\$" "$out"
    ok_match "$drv: virConnectGetMaxVcpus(xenfv)" "^xenfv=$want_cpus\$" "$out"
    [ "$drv" = stock ] && TAP_TODO="stock: ignores the type"
    ok_match "$drv: virConnectGetMaxVcpus(kvm) is refused, naming the type" "^kvm=error: .*kvm" "$out"
    TAP_TODO=
    # ... which is what xensim's libxl says: physinfo's max_cpu_id + 1
    local max_id
    max_id=$("$top_builddir/xensim/xensimctl" --dir "$work/$drv/xensim" host 2>&1 | sed -n 's/^max_cpu_id: //p')
    ok_eq "$drv: the host's CPU count is xensim's max_cpu_id + 1" "$want_cpus" "$((${max_id:--1} + 1))"
    # virsh maxvcpus itself.  On a read-write connection it answers the
    # domain capabilities' vcpu max of the default machine, xenpv (the
    # stock module said 512 on real Xen: xenlab/real-lab-answers.txt); a
    # read-only one may not ask for them (libvirt), and virsh falls back to
    # virConnectGetMaxVcpus: the host's CPU count.
    local pvmax form
    pvmax=$(awk '/^@@xenpv$/ {p = 1; next} /^@@/ {p = 0} p' "$top_srcdir/tests/libxltest/xenlab/real-lab-answers.txt" |
            sed -n "s/.*<vcpu max='\([0-9]*\)'.*/\1/p")
    for form in "maxvcpus" "maxvcpus --type xen" "-r maxvcpus" "-r maxvcpus --type xen"; do
        local want=$pvmax c=$uri
        case $form in -r*) want=$want_cpus c=$ro ;; esac
        # shellcheck disable=SC2086
        maxvcpus[$drv:$form]=$(virsh -c "$c" $form 2>&1 | sed '/^$/d')
        ok_eq "$drv: virsh $form" "$want" "${maxvcpus[$drv:$form]}"
    done
    if command -v dmidecode >/dev/null && dmidecode -t 0 >/dev/null 2>&1; then
        ok_match "$drv: sysinfo" "<sysinfo type=.smbios.>" "$(virsh -c "$uri" sysinfo 2>&1)"
    else
        ok_fail "$drv: sysinfo without SMBIOS is an error" "SMBIOS|sysinfo|not available|not supported" \
            virsh -c "$uri" sysinfo
    fi

    out=$(virsh -c "$uri" list --all 2>&1)
    ok_match "$drv: list --all shows Domain-0 running" '^ *0 +Domain-0 +running' "$out"
    out=$(virsh -c "$uri" dominfo Domain-0 2>&1)
    ok_match "$drv: dominfo Domain-0" 'State: +running' "$out"
    # every API dominfo calls is there (no "not supported" in the daemon's log)
    if [ "$drv" = ours ]; then
        ok_eq "$drv: dominfo needs no API the module lacks" "" \
            "$(grep -ho 'not supported by the connection driver: .*' "$work/$drv/log/libvirtd.log" | sort -u)"
    fi

    out=$(virsh -c "$uri" freecell --all 2>&1)
    ok_match "$drv: freecell lists node 0" '^ *0: +[0-9]+ KiB' "$out"
    ok_match "$drv: freecell lists node 1" '^ *1: +[0-9]+ KiB' "$out"
    ok_match "$drv: freecell total" '^-+$' "$out"
    local total cells
    total=$(sed -n 's/^Total: *\([0-9]*\) KiB/\1/p' <<<"$out")
    cells=$(sed -n 's/^ *[0-9]*: *\([0-9]*\) KiB/\1/p' <<<"$out" | awk '{s+=$1} END {print s}')
    ok_eq "$drv: freecell total is the sum of cells" "$cells" "$total"

    virsh -c "$uri" capabilities > "$work/$drv-caps.xml" 2>&1
    [ "$drv" = stock ] && TAP_TODO="stock module: <netprefix> and os_type xenpvh are not in libvirt's schema"
    ok_run "$drv: capabilities validate" virt-xml-validate "$work/$drv-caps.xml" capability
    TAP_TODO=
    ok_match "$drv: capabilities list HVM x86_64" "<os_type>hvm</os_type>" "$(cat "$work/$drv-caps.xml")"
    ok_match "$drv: capabilities list PV" "<os_type>xen</os_type>" "$(cat "$work/$drv-caps.xml")"
    ok_eq "$drv: capabilities NUMA cells" "$want_nodes" "$(grep -c '<cell id=' "$work/$drv-caps.xml")"
    ok_eq "$drv: capabilities host cpus" "$want_cpus" "$(grep -c '<cpu id=' "$work/$drv-caps.xml")"

    local m
    for m in xenpv xenpvh xenfv; do
        local vt=xen
        virsh -c "$uri" domcapabilities --machine "$m" --virttype "$vt" > "$work/$drv-dc-$m.xml" 2>&1
        if [ "$drv" = stock ] && [ "$m" = xenpvh ] && ! grep -q '<domainCapabilities' "$work/$drv-dc-$m.xml"; then
            tap_skip "$drv: domcapabilities $m validate" "stock module: $(head -n 1 "$work/$drv-dc-$m.xml")"
            continue
        fi
        ok_run "$drv: domcapabilities $m validate" virt-xml-validate "$work/$drv-dc-$m.xml" domaincaps
    done
    ok_fail "$drv: domcapabilities for an unknown machine is refused" "machine|foo" \
        virsh -c "$uri" domcapabilities --machine foo
    [ "$drv" = stock ] && TAP_TODO="stock module: answers for any arch"
    ok_fail "$drv: domcapabilities for an unknown arch is refused" "arch|sparc" \
        virsh -c "$uri" domcapabilities --arch sparc64
    TAP_TODO=

    # A read-only connection answers every host query.
    local c
    for c in version hostname nodeinfo capabilities "freecell --all" "list --all" maxvcpus uri "dominfo Domain-0"; do
        # shellcheck disable=SC2086
        ok_run "$drv: read-only $c" virsh -r -c "$ro" $c
    done
    # libvirt itself keeps domain capabilities from read-only connections
    ok_fail "$drv: read-only domcapabilities is forbidden by libvirt" "read only access prevents" \
        virsh -r -c "$ro" domcapabilities
    ok_fail "$drv: read-only connection refuses a write" "read.?only|denied" virsh -r -c "$ro" define /dev/null
}

declare -A maxvcpus=()
for drv in ours stock; do
    if sandbox_up "$work/$drv" --driver=$drv --host=sim --xensim-config="$cfg" 2>"$work/$drv.err"; then
        tap_ok "$drv: sandbox up"
        host_checks "$drv" "$URI"
    else
        tap_fail "$drv: sandbox up" "$(cat "$work/$drv.err")"
    fi
    "$top_srcdir/scripts/sandbox" down "$work/$drv" >/dev/null 2>&1
done

# Ours answers virsh maxvcpus as the stock module does, in every form.
for form in "maxvcpus" "maxvcpus --type xen" "-r maxvcpus" "-r maxvcpus --type xen"; do
    ok_eq "virsh $form: ours answers as the stock module" "${maxvcpus[stock:$form]-}" "${maxvcpus[ours:$form]-}"
done

# The URI forms and a probe.
if sandbox_up "$work/uri" --driver=ours --host=sim --xensim-config="$cfg"; then
    sock=$work/uri/libvirt-sock
    ok_match "xen:/// opens the system connection" "^xen:///(system)?\\?socket=" "$(virsh -c "xen:///?socket=$sock" uri 2>&1)"
    ok_run "xen:/// answers nodeinfo" virsh -c "xen:///?socket=$sock" nodeinfo
    ok_fail "xen:///session is refused" "session|unsupported|not supported|path" virsh -c "xen:///session?socket=$sock" uri
    ok_fail "xen:///bogus is refused" "bogus|path|unsupported|not supported" virsh -c "xen:///bogus?socket=$sock" uri
fi

"$top_srcdir/scripts/sandbox" down "$work/uri" >/dev/null 2>&1
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# xensim answers as the real Xen it models.  Debian's STOCK libxl module on
# xensim configured like the real-Xen lab (xenlab/xensim-lab.cfg) is asked
# what scripts/xenlab asked it on the real Xen 4.17 there, and must give the
# answers recorded there (xenlab/real-lab-answers.txt), but for Domain-0's
# CPU time, which only has to be there and grow; xensim's physinfo and
# version info must give the lab's `xl info` (xenlab/real-lab-xl-info.txt).
# Nothing here is our module's: a difference is xensim's to fix.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
require_sandbox

lab=$top_srcdir/tests/libxltest/xenlab
work=$(mktemp -d /tmp/xs-fidelity.XXXXXX)
ctl="$top_builddir/xensim/xensimctl --dir $work/sb/xensim"

# the recorded files, without their leading comment
sed '1,/^@@/{/^#/d}' "$lab/real-lab-answers.txt" > "$work/real.txt"
sed '/^#/d' "$lab/real-lab-xl-info.txt" > "$work/xl-info.txt"

sandbox_up "$work/sb" --driver=stock --xensim-config="$lab/xensim-lab.cfg"
# The lab's libvirtd answered after a restart (installing the module restarts
# it): Domain-0 then comes from its status file, transient, with the default
# devices libvirt adds when it parses it.
"$top_srcdir/scripts/sandbox" restart "$work/sb" >/dev/null

# scripts/xenlab's questions, in one virsh
timeout 120 virsh -c "$URI" "echo @@version; version; echo @@nodeinfo; nodeinfo;
    echo @@freecell; freecell --all; echo @@list; list --all; echo @@dominfo; dominfo Domain-0;
    echo @@dumpxml; dumpxml Domain-0; echo @@caps; capabilities;
    echo @@xenpv; domcapabilities --machine xenpv --virttype xen;
    echo @@xenpvh; domcapabilities --machine xenpvh --virttype xen;
    echo @@xenfv; domcapabilities --machine xenfv --virttype xen" > "$work/sim.txt" 2>&1

sect() { # NAME FILE
    awk -v s="@@$1" '$0 == s {p = 1; next} /^@@/ {p = 0} p' "$2"
}

same_answer() { # DESC NAME [SED-FILTER]
    local want got
    want=$(sect "$2" "$work/real.txt" | sed -e "${3:-}")
    got=$(sect "$2" "$work/sim.txt" | sed -e "${3:-}")
    if [ -z "$want" ]; then
        tap_fail "$1" "no @@$2 in the recorded answers"
    elif [ "$want" = "$got" ]; then
        tap_ok "$1"
    else
        tap_fail "$1" "real Xen (<) and xensim (>) differ:" \
            "$(diff <(printf '%s\n' "$want") <(printf '%s\n' "$got"))"
    fi
}

same_answer "version: as on real Xen" version
same_answer "nodeinfo (CPUs, MHz, memory from total_pages): as on real Xen" nodeinfo
same_answer "freecell --all (numainfo free): as on real Xen" freecell
same_answer "list --all: as on real Xen" list
same_answer "dominfo Domain-0 but its CPU time: as on real Xen" dominfo '/^CPU time:/d'
same_answer "dumpxml Domain-0: as on real Xen" dumpxml
same_answer "capabilities (host CPU from hw_caps, cells from numainfo): as on real Xen" caps
same_answer "domcapabilities xenpv: as on real Xen" xenpv
same_answer "domcapabilities xenpvh: as on real Xen" xenpvh
same_answer "domcapabilities xenfv: as on real Xen" xenfv

# Domain-0's CPU time: real Xen's had grown to minutes (it ran since boot).
secs() { sed -n 's/^CPU time: *\([0-9.]*\)s$/\1/p'; }
t0=$(sect dominfo "$work/sim.txt" | secs)
real_t=$(sect dominfo "$work/real.txt" | secs)
if awk -v t="$t0" 'BEGIN { exit !(t >= 60) }'; then
    tap_ok "dominfo Domain-0: CPU time used since boot (${t0}s; real Xen: ${real_t}s)"
else
    tap_fail "dominfo Domain-0: CPU time used since boot" "got: ${t0:-none}s; real Xen: ${real_t}s"
fi
sleep 1
t1=$(virsh -c "$URI" dominfo Domain-0 2>&1 | secs)
if awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b > a) }'; then
    tap_ok "dominfo Domain-0: CPU time grows (${t0}s, then ${t1}s)"
else
    tap_fail "dominfo Domain-0: CPU time grows" "${t0}s, then ${t1:-none}s"
fi
# vcpuinfo: each vCPU's time (xl vcpu-list), adding up to the domain's
out=$(virsh -c "$URI" "vcpuinfo Domain-0; dominfo Domain-0" 2>&1)
vsum=$(awk -F': *' '/^CPU time:/ { sub(/s$/, "", $2); t[++n] = $2 } END {
    s = 0; for (i = 1; i < n; i++) s += t[i]; printf "%.1f %.1f\n", s, t[n] }' <<<"$out")
if awk -v s="${vsum% *}" -v d="${vsum#* }" 'BEGIN { exit !(s > 0 && s <= d && d - s < 1) }'; then
    tap_ok "vcpuinfo Domain-0: the vCPUs' times add up to the domain's ($vsum)"
else
    tap_fail "vcpuinfo Domain-0: the vCPUs' times add up to the domain's" "$out"
fi
ok_eq "vcpuinfo Domain-0: vCPU 0 runs, as in xl vcpu-list (it makes the call)" "running" \
    "$(sed -n 's/^State: *//p' <<<"$out" | head -n 1)"
# xl vcpu-list's lines: Domain-0 0 VCPU CPU STATE TIME all / all
ok_eq "vcpuinfo Domain-0: as many vCPUs as xl vcpu-list" \
    "$(awk '$1 == "Domain-0" && NF >= 8' "$work/xl-info.txt" | wc -l)" \
    "$(grep -c '^VCPU:' <<<"$out")"

# xensim's physinfo and version info, printed as xl info prints them
host=$($ctl host 2>&1)
hv() { sed -n "s/^$1: //p" <<<"$host"; }
xl() { sed -n "s/^$1 *: \{0,1\}//p" "$work/xl-info.txt" | sed 's/ *$//'; }
pages_mib() { echo $(( $1 / 256 )); }
xl_eq() { # XL-FIELD XENSIM-VALUE
    ok_eq "xl info $1: as on real Xen" "$(xl "$1")" "$2"
}
# Only what xensim works out: a field that xensim-lab.cfg sets outright
# (cpus, cores, threads, nodes, MHz, hw_cap, virt_caps, memory pages, the
# version, capabilities, scheduler, command line) would only read the
# lab's own value back, and is left to the stock module's answers above.
xl_eq max_cpu_id "$(hv max_cpu_id)"
xl_eq free_memory "$(pages_mib $(( $(hv free_pages) - $(hv outstanding_pages) )))"
xl_eq sharing_freed_memory "$(pages_mib "$(hv sharing_freed_pages)")"
xl_eq sharing_used_memory "$(pages_mib "$(hv sharing_used_frames)")"
xl_eq outstanding_claims "$(pages_mib "$(hv outstanding_pages)")"
xl_eq xen_pagesize "$(hv pagesize)"
xl_eq platform_params "virt_start=$(printf '0x%x' "$(hv virt_start)")"
xl_eq xen_changeset "$(hv changeset)"
xl_eq cc_compiler "$(hv compiler)"
xl_eq cc_compile_by "$(hv compile_by)"
xl_eq cc_compile_domain "$(hv compile_domain)"

sandbox_cleanup
rm -rf "$work"
tap_done

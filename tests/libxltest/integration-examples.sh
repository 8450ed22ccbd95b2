#!/usr/bin/env bash
# The python3-libvirt examples of the README (examples/*.py) against a
# sandbox with this module: each one's output values checked against virsh.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox
py=${PYTHON3:-python3}
ex=$top_srcdir/examples
work=$(mktemp -d /tmp/xl-examples.XXXXXX)
lc_files "$work"
sandbox_up "$work/sb" --driver=ours --host=sim || { tap_fail "sandbox up"; tap_done; exit 1; }
lc_xml pv ex-pv "$work" > "$work/ex-pv.xml"
virsh -c "$URI" define "$work/ex-pv.xml" >/dev/null 2>&1

"$py" "$ex/events.py" "$URI" 2 > "$work/events.out" 2>&1 &
evpid=$!
for _ in $(seq 100); do grep -q listening "$work/events.out" && break; sleep 0.1; done

out=$("$py" "$ex/list.py" "$URI" 2>&1)
ok_match "list.py: the shut-off guest, 1 vCPU, 64 MiB" "^ex-pv	shut off	1 vcpus	65536 KiB$" "$out"
out=$("$py" "$ex/start.py" "$URI" ex-pv 2>&1)
ok_eq "start.py: started, with virsh's domid" "ex-pv started, id $(virsh -c "$URI" domid ex-pv 2>/dev/null)" "$out"
ok_eq "virsh: it runs" running "$(virsh -c "$URI" domstate ex-pv 2>/dev/null | head -n 1)"
out=$("$py" "$ex/list.py" "$URI" 2>&1)
ok_match "list.py: now running" "^ex-pv	running	1 vcpus	65536 KiB$" "$out"
out=$("$py" "$ex/stats.py" "$URI" ex-pv 2>&1)
ok_match "stats.py: balloon.current 65536" "^balloon.current=65536$" "$out"
ok_match "stats.py: vcpu.current 1" "^vcpu.current=1$" "$out"
ok_match "stats.py: a nonzero cpu.time" "^cpu.time=[1-9][0-9]*$" "$out"
ok_match "stats.py: block.0.name xvda" "^block.0.name=xvda$" "$out"
out=$(timeout 40 "$py" "$ex/console.py" "$URI" ex-pv "login:" 2>&1)
ok_match "console.py: the guest's console shows its login prompt" "ex-pv login:" "$out"
virsh -c "$URI" destroy ex-pv >/dev/null 2>&1
for _ in $(seq 100); do kill -0 $evpid 2>/dev/null || break; sleep 0.1; done
kill $evpid 2>/dev/null
ok_eq "events.py: started (booted), then stopped (destroyed)" "ex-pv started 0
ex-pv stopped 1" "$(grep -v listening "$work/events.out")"

sandbox_cleanup
rm -rf "$work"
tap_done

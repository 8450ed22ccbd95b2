#!/usr/bin/env bash
# A migration in of a domain that the destination is starting (two
# simulated hosts xen-a and xen-b as in integration-migrate.sh): the
# migration is refused at once, naming the start, and the destination's
# domain keeps its own definition and runs; the source's runs on; no
# orphan in xensim.  Before, the destination's Prepare put the incoming
# definition in place of the one the start worked on (libvirt's
# ListAdd), waited for the start, and a failure removed a transient
# domain another job was using (as lifecycle-restore-race.sh for a
# restore).  Our module only.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

xensimctl=${top_builddir:-$top_srcdir}/xensim/xensimctl
work=$(mktemp -d /tmp/xl-migrate-race.XXXXXX)
lc_files "$work"

sbA=$work/sb-a
sbB=$work/sb-b
if ! sandbox_up "$sbA" --driver=ours --host=sim --hostname=xen-a; then
    tap_fail "sandbox xen-a up"; tap_done; exit 1
fi
A=$URI
if ! sandbox_up "$sbB" --driver=ours --host=sim --hostname=xen-b --peer="$sbA"; then
    tap_fail "sandbox xen-b up"; tap_done; exit 1
fi
B=$URI
lc_require_lifecycle "$A" "$sbA" "$work"

xs_count() { "$xensimctl" --dir "$1/xensim" list 2>/dev/null | awk -v n="$2" '$2 == n' | wc -l; }

uuid=$(cat /proc/sys/kernel/random/uuid)
lc_xml pv mr1 "$work" "" "<uuid>$uuid</uuid><description>from-xen-a</description>" > "$work/mr1-a.xml"
lc_xml pv mr1 "$work" "" "<uuid>$uuid</uuid><description>xen-b-own</description>" > "$work/mr1-b.xml"
ok_run "xen-a: define and start mr1" sh -c "virsh -q -c '$A' define '$work/mr1-a.xml' && virsh -q -c '$A' start mr1"
ok_run "xen-b: define mr1 (same UUID, its own description)" virsh -q -c "$B" define "$work/mr1-b.xml"

# xen-b starts mr1, building for 3 s
"$xensimctl" --dir "$sbB/xensim" host set build_delay_ms 3000 >/dev/null
virsh -c "$B" start mr1 > "$work/start.out" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
    [ "$(xs_count "$sbB" mr1)" = 1 ] && break
    sleep 0.1
done
out=$(virsh -c "$A" migrate --live mr1 "$B" 2>&1)
rc=$?
if kill -0 "$pid" 2>/dev/null; then starting=yes; else starting=no; fi
ok_eq "the migration during xen-b's start fails" 1 "$rc"
ok_match "... naming the start" "domain 'mr1' is busy with start" "$out"
ok_eq "... without waiting for it (the start still runs)" yes "$starting"
wait "$pid"
ok_eq "xen-b's start succeeds" 0 $?
"$xensimctl" --dir "$sbB/xensim" host set build_delay_ms 0 >/dev/null
ok_match "xen-b: mr1 runs" "^running" "$(virsh -q -c "$B" domstate mr1 2>&1)"
ok_eq "xen-b: mr1 keeps its own definition" "xen-b-own" \
    "$(virsh -q -c "$B" dumpxml mr1 | sed -n 's|.*<description>\(.*\)</description>.*|\1|p')"
ok_eq "xen-b: its persistent definition too" "xen-b-own" \
    "$(virsh -q -c "$B" dumpxml --inactive mr1 | sed -n 's|.*<description>\(.*\)</description>.*|\1|p')"
ok_eq "xen-b: xensim runs mr1 once" 1 "$(xs_count "$sbB" mr1)"
ok_match "xen-a: mr1 runs on" "^running" "$(virsh -q -c "$A" domstate mr1 2>&1)"
ok_eq "xen-a: xensim runs mr1 once" 1 "$(xs_count "$sbA" mr1)"
ok_run "xen-b: destroy mr1" virsh -q -c "$B" destroy mr1
ok_run "xen-a: destroy mr1" virsh -q -c "$A" destroy mr1
ok_eq "nothing left in xensim (xen-b)" 0 "$(xs_count "$sbB" mr1)"
ok_eq "nothing left in xensim (xen-a)" 0 "$(xs_count "$sbA" mr1)"

sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# Migration between hosts (issue 15), the operations beside it: two
# simulated hosts xen-a and xen-b as in integration-migrate.sh.
#  - virsh migrate --live --timeout N: virsh suspends the guest after N s
#    while the migration runs (the job of the migration lets suspend and
#    resume through, as the qemu driver's migration-out job mask does);
#    the migration goes on and the guest ends running at the destination;
#    the events show the suspend.  The stock module: recorded.
#  - --persistent --persistent-xml FILE: the destination's persistent
#    definition is FILE's (its description, its currentMemory), live and
#    offline; a persistent XML that does not parse, or is another
#    domain's, is refused before anything moves.  Stock: recorded.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

xensimctl=${top_builddir:-$top_srcdir}/xensim/xensimctl
work=$(mktemp -d /tmp/xl-migrate-more.XXXXXX)
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

xs_line() { "$xensimctl" --dir "$1/xensim" list 2>/dev/null | awk -v n="$2" '$2 == n'; }
xs_id() { xs_line "$1" "$2" | awk '{print $1}'; }
vs_id() { virsh -q -c "$1" domid "$2" 2>/dev/null | head -1; }
state() { virsh -q -c "$1" domstate --reason "$2" 2>/dev/null | head -1; }
where() {
    local d=$1 sbr=$2 ur=$3 sbn=$4 un=$5 dom=$6 st=$7
    ok_eq "$d: state at the destination" "$st" "$(state "$ur" "$dom")"
    ok_eq "$d: virsh and xensim agree on the domid" "$(xs_id "$sbr" "$dom")" "$(vs_id "$ur" "$dom")"
    ok_eq "$d: no domain left in xensim at the other host" "" "$(xs_line "$sbn" "$dom")"
    local other
    other=$(state "$un" "$dom")
    case $other in
        ""|"shut off"*) tap_ok "$d: not running at the other host ($other)" ;;
        *) tap_fail "$d: not running at the other host" "state there: $other" ;;
    esac
}

evA=$work/events-a
evB=$work/events-b
ev_start() {
    virsh -c "$A" event --all --loop >> "$evA" 2>&1 &
    pidEvA=$!
    virsh -c "$B" event --all --loop >> "$evB" 2>&1 &
    pidEvB=$!
    sleep 0.5
}
ev_stop() { kill "$pidEvA" "$pidEvB" 2>/dev/null; wait "$pidEvA" "$pidEvB" 2>/dev/null; }
ev() { grep -c "lifecycle' for domain '$2': $3\$" "$1" || true; }
ev_wait() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(ev "$1" "$2" "$3")" -ge "$4" ] && break
        sleep 0.1
    done
    ev "$1" "$2" "$3"
}
ev_start

lc_xml pv mg1 "$work" > "$work/mg1.xml"
virsh -q -c "$A" define "$work/mg1.xml" >/dev/null && virsh -q -c "$A" start mg1 >/dev/null
lc_wait_state "$A" mg1 running 10

# ---- --timeout: suspended after 1 s, the migration goes on ----
# 64 MiB at 16 MiB/s: some 4 s of rounds
virsh -q -c "$A" migrate-setspeed mg1 16 >/dev/null
t0=$(date +%s)
virsh -c "$A" migrate --live --timeout 1 mg1 "$B" > "$work/timeout.out" 2>&1 &
mpid=$!
st=
for ((i = 0; i < 40; i++)); do
    st=$(state "$A" mg1)
    [ "$st" = "paused (user)" ] && break
    sleep 0.1
done
ok_eq "--timeout 1: the source suspends the guest during the migration" "paused (user)" "$st"
ok_match "--timeout 1: xensim at xen-a has it paused meanwhile" " p|paused" "$(xs_line "$sbA" mg1)"
ok_match "--timeout 1: domjobinfo still shows the outgoing migration" \
    "Operation: +Outgoing migration" "$(virsh -c "$A" domjobinfo mg1 2>&1)"
wait "$mpid"
ok_eq "--timeout 1: virsh migrate succeeded" "0" "$?"
ok_eq "--timeout 1: virsh said nothing amiss" "" "$(grep -i error "$work/timeout.out")"
t1=$(date +%s)
if [ $((t1 - t0)) -lt 50 ]; then
    tap_ok "--timeout 1: the migration ended in $((t1 - t0)) s (not a guest timeout)"
else
    tap_fail "--timeout 1: the migration ended in $((t1 - t0)) s (a guest timeout)"
fi
where "--timeout" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"
ok_eq "--timeout: xen-a: one Suspended Paused event (virsh's suspend)" 1 \
    "$(ev_wait "$evA" mg1 "Suspended Paused" 1)"
ok_eq "--timeout: xen-a: one Stopped Migrated event" 1 "$(ev_wait "$evA" mg1 "Stopped Migrated" 1)"
ok_eq "--timeout: xen-b: one Started Migrated event" 1 "$(ev_wait "$evB" mg1 "Started Migrated" 1)"
ok_eq "--timeout: xen-b: one Resumed Migrated event" 1 "$(ev_wait "$evB" mg1 "Resumed Migrated" 1)"

# ---- suspend then resume during the migration ----
virsh -q -c "$B" migrate-setspeed mg1 16 >/dev/null
virsh -c "$B" migrate --live mg1 "$A" > "$work/sr.out" 2>&1 &
mpid=$!
sleep 1
ok_run "suspend during the migration" timeout 10 virsh -c "$B" suspend mg1
ok_eq "suspend during the migration: paused (user)" "paused (user)" "$(state "$B" mg1)"
ok_run "resume during the migration" timeout 10 virsh -c "$B" resume mg1
ok_eq "resume during the migration: running (unpaused)" "running (unpaused)" "$(state "$B" mg1)"
wait "$mpid"
ok_eq "suspend and resume: virsh migrate succeeded" "0" "$?"
where "suspend and resume" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"
ok_eq "suspend and resume: xen-b: one Suspended Paused event" 1 "$(ev_wait "$evB" mg1 "Suspended Paused" 1)"
ok_eq "suspend and resume: xen-b: one Resumed Unpaused event" 1 "$(ev_wait "$evB" mg1 "Resumed Unpaused" 1)"

# ---- suspend, then domjobabort: the guest stays paused at the source ----
virsh -q -c "$A" migrate-setspeed mg1 16 >/dev/null
virsh -c "$A" migrate --live --timeout 1 mg1 "$B" > "$work/ab.out" 2>&1 &
mpid=$!
for ((i = 0; i < 40; i++)); do
    [ "$(state "$A" mg1)" = "paused (user)" ] && break
    sleep 0.1
done
ok_run "suspended, then domjobabort" virsh -c "$A" domjobabort mg1
wait "$mpid"
ok_eq "suspended, then domjobabort: virsh migrate failed" 1 "$?"
where "suspended, aborted" "$sbA" "$A" "$sbB" "$B" mg1 "paused (user)"
ok_match "suspended, aborted: xensim has it paused" " p|paused" "$(xs_line "$sbA" mg1)"
ok_run "suspended, aborted: resume" virsh -c "$A" resume mg1
virsh -q -c "$A" migrate-setspeed mg1 0 >/dev/null
virsh -q -c "$B" migrate-setspeed mg1 0 >/dev/null 2>&1

# ---- --persistent-xml ----
virsh -q -c "$A" dumpxml --inactive mg1 > "$work/persist.xml"
sed -i -e 's|</name>|</name><description>persistent at xen-b</description>|' \
    -e 's|<currentMemory unit=.KiB.>[0-9]*</currentMemory>|<currentMemory unit="KiB">49152</currentMemory>|' \
    "$work/persist.xml"
ok_match "the persistent XML has a description" "persistent at xen-b" "$(cat "$work/persist.xml")"
head -c 200 "$work/persist.xml" > "$work/persist-bad.xml"
sed "s|<uuid>.*</uuid>|<uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>|" "$work/persist.xml" \
    > "$work/persist-other.xml"
ok_fail "--persistent-xml that does not parse: refused" "domain_definition|XML|parse" \
    virsh -c "$A" migrate --live --persistent --persistent-xml "$work/persist-bad.xml" mg1 "$B"
where "bad persistent XML" "$sbA" "$A" "$sbB" "$B" mg1 "running (unpaused)"
ok_fail "--persistent-xml of another domain: refused" "another domain" \
    virsh -c "$A" migrate --live --persistent --persistent-xml "$work/persist-other.xml" mg1 "$B"
where "another domain's persistent XML" "$sbA" "$A" "$sbB" "$B" mg1 "running (unpaused)"
ok_fail "refused: xen-b defines nothing" "ailed to get domain|not found" virsh -c "$B" dominfo mg1
ok_run "--live --persistent --persistent-xml xen-a -> xen-b" \
    virsh -c "$A" migrate --live --persistent --persistent-xml "$work/persist.xml" mg1 "$B"
where "--persistent-xml" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"
inactive=$(virsh -c "$B" dumpxml --inactive mg1 2>&1)
ok_match "--persistent-xml: xen-b's definition has its description" \
    "<description>persistent at xen-b</description>" "$inactive"
ok_match "--persistent-xml: xen-b's definition has its currentMemory" \
    "<currentMemory unit=.KiB.>49152</currentMemory>" "$inactive"
ok_eq "--persistent-xml: the running guest is the source's (no description)" "" \
    "$(virsh -c "$B" dumpxml mg1 2>&1 | grep description)"
ok_eq "--persistent-xml: xen-b: one Defined Added event" 1 "$(ev_wait "$evB" mg1 "Defined Added" 1)"
ok_run "back xen-b -> xen-a" virsh -c "$B" migrate --live mg1 "$A"
where "back" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"
ok_match "back: xen-b keeps the persistent XML's definition" \
    "persistent at xen-b" "$(virsh -c "$B" dumpxml --inactive mg1 2>&1)"
# offline: the persistent XML is all that moves
lc_xml pv mg-off "$work" > "$work/mg-off.xml"
virsh -q -c "$A" define "$work/mg-off.xml" >/dev/null
virsh -q -c "$A" dumpxml --inactive mg-off | \
    sed 's|</name>|</name><description>offline persistent</description>|' > "$work/persist-off.xml"
ok_run "--offline --persistent --persistent-xml xen-a -> xen-b" \
    virsh -c "$A" migrate --offline --persistent --persistent-xml "$work/persist-off.xml" mg-off "$B"
ok_match "--offline --persistent-xml: xen-b's definition has its description" \
    "<description>offline persistent</description>" "$(virsh -c "$B" dumpxml --inactive mg-off 2>&1)"

# ---- the stock module at the source: recorded ----
ev_stop
if "$top_srcdir/scripts/sandbox" restart "$sbA" --driver=stock >/dev/null 2>&1; then
    lc_wait_state "$A" mg1 running 10
    TAP_RECORD="stock: suspend waits for the migration's job"
    virsh -c "$A" migrate --live --timeout 1 mg1 "$B" > "$work/stock.out" 2>&1 &
    mpid=$!
    st=
    for ((i = 0; i < 30; i++)); do
        st=$(state "$A" mg1)
        [ "$st" = "paused (user)" ] && break
        sleep 0.1
    done
    ok_eq "stock: --timeout 1: the source suspends the guest during the migration" \
        "paused (user)" "$st"
    wait "$mpid"
    ok_eq "stock: --timeout 1: virsh migrate succeeded" "0" "$?"
    TAP_RECORD=
    printf '# stock: %s\n' "$(tr '\n' ' ' < "$work/stock.out")"
    TAP_RECORD="stock: no --persistent-xml"
    ok_run "stock: --persistent --persistent-xml" timeout 60 \
        virsh -c "$A" migrate --live --persistent --persistent-xml "$work/persist.xml" mg1 "$B"
    TAP_RECORD=
    "$top_srcdir/scripts/sandbox" restart "$sbA" --driver=ours >/dev/null 2>&1
fi

sandbox_cleanup
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# Migration between hosts (issue 15): the source's libvirtd killed
# (SIGKILL) in the middle of a migration, then restarted.  Two simulated
# hosts xen-a and xen-b as in integration-migrate.sh.  Afterwards the
# guest runs on exactly one host and both hosts' libvirt agree:
#  - killed during the stream (the live rounds; a migration that is not
#    live, the guest suspended), direct and --p2p: the migration is cancelled, the
#    guest runs at the source, "running (migration canceled)" as the
#    qemu driver's recovery of an outgoing migration says, nothing is
#    left at the destination;
#  - killed in Confirm (the destination runs the guest, the source was
#    destroying its copy): the source finishes it, "shut off
#    (migrated)", with a Stopped Migrated event, its definition kept
#    (or, --undefinesource, removed);
#  - the client (virsh) killed during a direct migration's stream: the
#    destination cancels the incoming migration when the connection that
#    prepared it closes, the guest runs on at the source.
# The stock module at the source: recorded.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

xensimctl=${top_builddir:-$top_srcdir}/xensim/xensimctl
work=$(mktemp -d /tmp/xl-migrate-kill.XXXXXX)
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
    ok_eq "$d: state where it runs" "$st" "$(state "$ur" "$dom")"
    ok_eq "$d: virsh and xensim agree on the domid" "$(xs_id "$sbr" "$dom")" "$(vs_id "$ur" "$dom")"
    ok_eq "$d: no domain left in xensim at the other host" "" "$(xs_line "$sbn" "$dom")"
    local other
    other=$(state "$un" "$dom")
    case $other in
        ""|"shut off"*) tap_ok "$d: not running at the other host ($other)" ;;
        *) tap_fail "$d: not running at the other host" "state there: $other" ;;
    esac
}
pidA() { cut -d" " -f1 "$sbA/libvirtd.pid"; }
evA=$work/events-a
ev_start() {
    : > "$evA"
    virsh -c "$A" event --all --loop >> "$evA" 2>&1 &
    pidEvA=$!
    sleep 0.5
}
ev_stop() { kill "$pidEvA" 2>/dev/null; wait "$pidEvA" 2>/dev/null; }
ev() { grep -c "lifecycle' for domain '$2': $3\$" "$1" || true; }
ev_wait() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(ev "$1" "$2" "$3")" -ge "$4" ] && break
        sleep 0.1
    done
    ev "$1" "$2" "$3"
}

lc_xml pv mg1 "$work" > "$work/mg1.xml"
virsh -q -c "$A" define "$work/mg1.xml" >/dev/null && virsh -q -c "$A" start mg1 >/dev/null
lc_wait_state "$A" mg1 running 10

# kill_mid DESC WHEN ARGS...: migrate mg1 from xen-a with ARGS; SIGKILL
# xen-a's libvirtd once WHEN ("rounds": 2 s into the live rounds;
# "suspended": a migration that is not live, the guest suspended while
# its memory is sent), restart it
kill_mid() {
    local d=$1 when=$2 i mpid info
    shift 2
    "$xensimctl" --dir "$sbA/xensim" host set save_rate_mib_s 8 >/dev/null
    if [ "$when" = rounds ]; then
        virsh -c "$A" migrate --live mg1 "$@" > "$work/kill-src.out" 2>&1 &
    else
        # not live: libxl suspends the guest first, then sends it
        virsh -c "$A" migrate mg1 "$@" > "$work/kill-src.out" 2>&1 &
    fi
    mpid=$!
    # the stream flows (some MiB sent; 2 s where domjobinfo does not say,
    # as the stock module's)
    for ((i = 0; i < 200; i++)); do
        info=$(virsh -c "$A" domjobinfo mg1 2>/dev/null)
        grep -Eq "Data processed: +([2-9]|[1-9][0-9])[.0-9]* MiB" <<< "$info" && break
        [ $i -ge 20 ] && ! grep -q "Data processed" <<< "$info" && break
        sleep 0.1
    done
    ok_match "$d: killed in the $when (xensim at xen-a: the guest)" \
        "$([ "$when" = rounds ] && echo running || echo suspend)" "$(xs_line "$sbA" mg1)"
    kill -KILL "$(pidA)"
    wait "$mpid"
    ok_eq "$d: virsh migrate failed" yes "$([ $? -ne 0 ] && echo yes || echo no)"
    printf '# %s\n' "$(tr '\n' ' ' < "$work/kill-src.out")"
    "$xensimctl" --dir "$sbA/xensim" host set save_rate_mib_s 1024 >/dev/null
    ok_run "$d: xen-a's libvirtd restarts" "$top_srcdir/scripts/sandbox" restart "$sbA"
    lc_wait_state "$A" mg1 running 20
    for ((i = 0; i < 100; i++)); do
        [ -z "$(xs_line "$sbB" mg1)" ] && [ -z "$(state "$B" mg1)" ] && break
        sleep 0.1
    done
    where "$d" "$sbA" "$A" "$sbB" "$B" mg1 "running (migration canceled)"
    ok_match "$d: no job left at xen-a" "Job type: +None" "$(virsh -c "$A" domjobinfo mg1 2>&1)"
    ok_eq "$d: xen-b has no domain mg1" "" "$(virsh -q -c "$B" list --all --name | grep -x mg1)"
    ok_eq "$d: one guest mg1 in xensim at xen-a" 1 \
        "$("$xensimctl" --dir "$sbA/xensim" list | awk '$2 == "mg1"' | wc -l)"
    ok_run "$d: and it migrates again" virsh -c "$A" migrate --live mg1 "$B"
    ok_run "$d: and back" virsh -c "$B" migrate --live mg1 "$A"
    lc_wait_state "$A" mg1 running 10
}

# kill_confirm DESC ARGS...: migrate mg1 from xen-a with ARGS, xen-a's
# destroy of its copy slowed; SIGKILL xen-a's libvirtd once xen-b runs
# the guest (xen-a is in Confirm), restart it
kill_confirm() {
    local d=$1 i mpid undef=
    shift
    case " $* " in *" --undefinesource "*) undef=1 ;; esac
    "$xensimctl" --dir "$sbA/xensim" host set destroy_delay_ms 4000 >/dev/null
    ev_start
    virsh -c "$A" migrate --live mg1 "$@" > "$work/kill-src.out" 2>&1 &
    mpid=$!
    for ((i = 0; i < 200; i++)); do
        [ "$(state "$B" mg1)" = "running (migrated)" ] && break
        sleep 0.05
    done
    ok_eq "$d: xen-b runs the guest" "running (migrated)" "$(state "$B" mg1)"
    sleep 0.5
    kill -KILL "$(pidA)"
    wait "$mpid"
    ev_stop
    "$xensimctl" --dir "$sbA/xensim" host set destroy_delay_ms 0 >/dev/null
    ok_run "$d: xen-a's libvirtd restarts" "$top_srcdir/scripts/sandbox" restart "$sbA"
    ev_start
    for ((i = 0; i < 100; i++)); do
        [ -z "$(xs_line "$sbA" mg1)" ] && break
        sleep 0.1
    done
    where "$d" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"
    if [ -n "$undef" ]; then
        ok_eq "$d: xen-a no longer defines mg1" "" "$(virsh -q -c "$A" list --all --name | grep -x mg1)"
    else
        ok_eq "$d: xen-a: shut off (migrated)" "shut off (migrated)" "$(state "$A" mg1)"
        ok_eq "$d: xen-a keeps the definition" "yes" \
            "$(virsh -c "$A" dominfo mg1 2>/dev/null | awk '/^Persistent:/ {print $2}')"
    fi
    ev_stop
    ok_eq "$d: xen-a: no other event after the restart" "" \
        "$(grep "lifecycle' for domain 'mg1'" "$evA" | grep -v "Stopped Migrated\|Undefined Removed")"
    ok_run "$d: back xen-b -> xen-a" virsh -c "$B" migrate --live --persistent mg1 "$A"
    where "$d: back" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"
}

# ---- the client (virsh) killed in a direct migration's stream: the
# destination's daemon sees the connection that prepared it close
# without Finish and cancels it (as the qemu driver does); the source's
# stream breaks, the guest runs on at the source ----
"$xensimctl" --dir "$sbA/xensim" host set save_rate_mib_s 8 >/dev/null
virsh -c "$A" migrate --live mg1 "$B" > "$work/kill-client.out" 2>&1 &
mpid=$!
for ((i = 0; i < 200; i++)); do
    virsh -c "$A" domjobinfo mg1 2>/dev/null |
        grep -Eq "Data processed: +([2-9]|[1-9][0-9])[.0-9]* MiB" && break
    sleep 0.1
done
ok_match "killed client: xen-b has prepared the incoming domain" "." "$(state "$B" mg1)"
kill -KILL "$mpid"
wait "$mpid" 2>/dev/null
for ((i = 0; i < 200; i++)); do
    [ -z "$(xs_line "$sbB" mg1)" ] && [ -z "$(state "$B" mg1)" ] &&
        [ "$(state "$A" mg1)" = "running (migration canceled)" ] && break
    sleep 0.1
done
"$xensimctl" --dir "$sbA/xensim" host set save_rate_mib_s 1024 >/dev/null
where "killed client" "$sbA" "$A" "$sbB" "$B" mg1 "running (migration canceled)"
ok_match "killed client: no job left at xen-a" "Job type: +None" "$(virsh -c "$A" domjobinfo mg1 2>&1)"
ok_eq "killed client: xen-b has no domain mg1" "" "$(virsh -q -c "$B" list --all --name | grep -x mg1)"
ok_run "killed client: and it migrates again" timeout 60 virsh -c "$A" migrate --live mg1 "$B"
ok_run "killed client: and back" timeout 60 virsh -c "$B" migrate --live mg1 "$A"

kill_mid "killed source, direct, live rounds" rounds "$B"
kill_mid "killed source, --p2p, live rounds" rounds --p2p xen+tcp://xen-b/system
kill_mid "killed source, direct, suspended" suspended "$B"
kill_mid "killed source, --p2p, suspended" suspended --p2p xen+tcp://xen-b/system
kill_confirm "killed source in Confirm, direct" "$B"
kill_confirm "killed source in Confirm, --p2p" --p2p xen+tcp://xen-b/system
kill_confirm "killed source in Confirm, --undefinesource" --undefinesource "$B"

# ---- the stock module at the source: recorded ----
virsh -q -c "$A" define "$work/mg1.xml" >/dev/null 2>&1
if "$top_srcdir/scripts/sandbox" restart "$sbA" --driver=stock >/dev/null 2>&1; then
    lc_wait_state "$A" mg1 running 10
    TAP_RECORD="stock: the source daemon killed mid-migration"
    kill_mid "stock source killed, direct, live rounds" rounds "$B"
    TAP_RECORD=
    "$top_srcdir/scripts/sandbox" restart "$sbA" --driver=ours >/dev/null 2>&1
fi

sandbox_cleanup
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# Migration between hosts (issue 15): two simulated hosts, xen-a and xen-b,
# each a sandbox with its own xensimd (host UUID, hostname, domids) and
# libvirtd, linked by a veth pair (scripts/sandbox --hostname, --peer).
# The client drives direct migrations over the daemons' unix sockets; with
# --p2p the source's daemon reaches the destination's at
# xen+tcp://xen-X/system.  What is checked, on both hosts each time: the
# domain's state and domid through virsh and xensimctl (it runs on exactly
# one host), the lifecycle events each side's listener saw, the job
# statistics:
#   ours -> ours: --live --persistent --undefinesource, --p2p,
#   --p2p --tunnelled, --suspend, --offline --persistent, migrate-setspeed
#   with domjobinfo's progress on the source and domjobabort (the guest
#   keeps running at the source, nothing is left at the destination),
#   migrate-setmaxdowntime refused; the destination refusing a name in use,
#   a guest bigger than the host, a missing bridge; the destination's
#   daemon killed mid-stream; a ping-pong of MIGRATE_PINGPONG (default 5)
#   live round trips under event load (on each host a small transient
#   guest created, paused, resumed and destroyed over and over meanwhile):
#   every event of the migrations and of the load counted exactly, and no
#   leaked domain (each xensim holds exactly the domains its libvirt
#   lists, the guest runs on one host, no job left);
#   ours -> stock and stock -> ours (xen-b's module swapped), direct and
#   --p2p; stock -> stock recorded.
# The long form (issue 15's 50 ping-pong live migrations under event load,
# about 2 minutes more):
#   MIGRATE_PINGPONG=50 make -C tests/libxltest check TESTS=integration-migrate.sh
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

pingpong=${MIGRATE_PINGPONG:-5}
xensimctl=${top_builddir:-$top_srcdir}/xensim/xensimctl
work=$(mktemp -d /tmp/xl-migrate.XXXXXX)
lc_files "$work"
# xen-b is small: 3 GiB, 1 GiB of it Domain-0's
printf 'memory = 3072\ndom0_memory = 1024\n' > "$work/small.cfg"

sbA=$work/sb-a
sbB=$work/sb-b
if ! sandbox_up "$sbA" --driver=ours --host=sim --hostname=xen-a; then
    tap_fail "sandbox xen-a up"; tap_done; exit 1
fi
A=$URI
if ! sandbox_up "$sbB" --driver=ours --host=sim --hostname=xen-b --peer="$sbA" \
        --xensim-config="$work/small.cfg"; then
    tap_fail "sandbox xen-b up"; tap_done; exit 1
fi
B=$URI
lc_require_lifecycle "$A" "$sbA" "$work"
P2PA=xen+tcp://xen-a/system
P2PB=xen+tcp://xen-b/system

# xs_line SB DOM: the guest's line in xensimctl list ("ID NAME STATE ...")
xs_line() { "$xensimctl" --dir "$1/xensim" list 2>/dev/null | awk -v n="$2" '$2 == n'; }
xs_id() { xs_line "$1" "$2" | awk '{print $1}'; }
vs_id() { virsh -q -c "$1" domid "$2" 2>/dev/null | head -1; }
state() { virsh -q -c "$1" domstate --reason "$2" 2>/dev/null | head -1; }
console() { timeout 20 "${PYTHON3:-python3}" "$top_srcdir/tests/libxltest/migrate-console.py" "$@" 2>&1; }

# where DESC SB-RUN URI-RUN SB-NOT URI-NOT DOM STATE: the domain runs at
# the first host only, in STATE (domstate --reason), the same domid in
# virsh and xensim, and the other host has no trace of it running
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
virsh -c "$A" event --all --loop > "$evA" 2>&1 &
pidEvA=$!
virsh -c "$B" event --all --loop > "$evB" 2>&1 &
pidEvB=$!
sleep 0.5
# ev FILE DOM WHAT: lifecycle events of DOM reading WHAT ("Stopped Migrated")
ev() { grep -c "lifecycle' for domain '$2': $3\$" "$1" || true; }
# ev_wait FILE DOM WHAT N: N of them (events arrive after the call returns)
ev_wait() {
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(ev "$1" "$2" "$3")" -ge "$4" ] && break
        sleep 0.1
    done
    ev "$1" "$2" "$3"
}

# ---- ours -> ours, direct: --live --persistent --undefinesource ----
lc_xml pv mg1 "$work" > "$work/mg1.xml"
virsh -q -c "$A" define "$work/mg1.xml" >/dev/null && virsh -q -c "$A" start mg1 >/dev/null
idA=$(vs_id "$A" mg1)
# an administrator logs in on the guest's console: the session goes along
lc_wait_state "$A" mg1 running 10
sleep 1
con=$(console "$A" mg1 "" "" root)
ok_match "the guest's console at xen-a: logged in" "root@mg1" "$con"
ok_run "direct --live --persistent --undefinesource xen-a -> xen-b" \
    virsh -c "$A" migrate --live --persistent --undefinesource mg1 "$B"
where "direct" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"
ok_fail "direct: --undefinesource: xen-a no longer knows the domain" "ailed to get domain|not found" \
    virsh -c "$A" dominfo mg1
ok_match "direct: --persistent: xen-b defined it" "Persistent: +yes" "$(virsh -c "$B" dominfo mg1)"
ok_eq "direct: xen-a: one Suspended Migrated event" 1 "$(ev_wait "$evA" mg1 "Suspended Migrated" 1)"
ok_eq "direct: xen-a: one Stopped Migrated event" 1 "$(ev_wait "$evA" mg1 "Stopped Migrated" 1)"
ok_eq "direct: xen-a: one Undefined Removed event" 1 "$(ev_wait "$evA" mg1 "Undefined Removed" 1)"
ok_eq "direct: xen-b: one Started Migrated event" 1 "$(ev_wait "$evB" mg1 "Started Migrated" 1)"
ok_eq "direct: xen-b: one Resumed Migrated event" 1 "$(ev_wait "$evB" mg1 "Resumed Migrated" 1)"
ok_eq "direct: xen-b: one Defined Added event" 1 "$(ev_wait "$evB" mg1 "Defined Added" 1)"
done_a=$(virsh -c "$B" domjobinfo --completed mg1 2>&1)
ok_match "direct: xen-b: the completed job is the incoming migration of 64 MiB" \
    "Incoming migration" "$done_a"
ok_match "direct: xen-b: its data processed is the guest's 64 MiB" "Data processed: +64\.000 MiB" "$done_a"
# the guest goes on at the destination: still logged in, not booting again
con=$(console "$B" mg1 "" "")
ok_match "direct: the console session goes on at xen-b (a shell prompt)" "root@mg1" "$con"
if printf '%s' "$con" | grep -q "Linux version"; then
    tap_fail "direct: the guest did not boot again at xen-b" "$con"
else
    tap_ok "direct: the guest did not boot again at xen-b"
fi

# ---- --p2p, --p2p --tunnelled ----
ok_run "--p2p --live xen-b -> xen-a" virsh -c "$B" migrate --live --p2p mg1 "$P2PA"
where "--p2p" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"
ok_match "--p2p: the destination stays persistent (no --undefinesource)" "Persistent: +yes" \
    "$(virsh -c "$B" dominfo mg1 2>&1)"
ok_eq "--p2p: xen-b shows it shut off (migrated)" "shut off (migrated)" "$(state "$B" mg1)"
ok_run "--p2p --tunnelled xen-a -> xen-b" \
    virsh -c "$A" migrate --live --p2p --tunnelled mg1 "$P2PB"
where "--p2p --tunnelled" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"

# ---- --suspend ----
ok_run "--suspend xen-b -> xen-a" virsh -c "$B" migrate --live --suspend mg1 "$A"
where "--suspend" "$sbA" "$A" "$sbB" "$B" mg1 "paused (user)"
ok_match "--suspend: xensim has it paused" " p|paused" "$(xs_line "$sbA" mg1)"
ok_run "--suspend: resume at xen-a" virsh -c "$A" resume mg1

# ---- not live: the guest is suspended, then all its memory moves ----
ok_run "not live xen-a -> xen-b" virsh -c "$A" migrate mg1 "$B"
where "not live" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"
ok_run "not live xen-b -> xen-a" virsh -c "$B" migrate --p2p mg1 "$P2PA"
where "not live, back" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"

# ---- --offline --persistent ----
lc_xml pv mg-off "$work" > "$work/mg-off.xml"
virsh -q -c "$A" define "$work/mg-off.xml" >/dev/null
ok_run "--offline --persistent --undefinesource xen-a -> xen-b" \
    virsh -c "$A" migrate --offline --persistent --undefinesource mg-off "$B"
ok_eq "--offline: xen-b has it defined, shut off" "shut off" "$(virsh -q -c "$B" domstate mg-off 2>&1)"
ok_fail "--offline: xen-a no longer has it" "ailed to get domain|not found" virsh -c "$A" dominfo mg-off
ok_eq "--offline: no domain in xensim at xen-b" "" "$(xs_line "$sbB" mg-off)"
ok_fail "--offline without --persistent is refused" "persistent" \
    virsh -c "$B" migrate --offline mg-off "$A"

# ---- tunables: migrate-setspeed, domjobinfo, domjobabort ----
ok_fail "migrate-setmaxdowntime: refused, libxl has no such control" "downtime" \
    virsh -c "$A" migrate-setmaxdowntime mg1 100
ok_run "migrate-setspeed 16 MiB/s" virsh -c "$A" migrate-setspeed mg1 16
ok_eq "migrate-getspeed says 16" 16 "$(virsh -q -c "$A" migrate-getspeed mg1 | tr -d ' ')"
idA=$(vs_id "$A" mg1)
virsh -c "$A" migrate --live mg1 "$B" > "$work/abort.out" 2>&1 &
mpid=$!
info=
for ((i = 0; i < 50; i++)); do
    info=$(virsh -c "$A" domjobinfo mg1 2>/dev/null)
    proc=$(printf '%s\n' "$info" | awk '/^Data processed:/ {print $3 $4}')
    case $proc in ""|0.000B|0.000KiB) sleep 0.1 ;; *) break ;; esac
done
ok_match "domjobinfo at the source: an outgoing migration" "Operation: +Outgoing migration" "$info"
ok_match "domjobinfo: the data total is the guest's 64 MiB" "Data total: +64\.000 MiB" "$info"
ok_eq "--live: the guest runs at the source while its memory moves (xensim)" "running" \
    "$(xs_line "$sbA" mg1 | awk '{print $3}')"
sleep 1
info2=$(virsh -c "$A" domjobinfo mg1 2>/dev/null)
p1=$(printf '%s\n' "$info" | awk '/^Data processed:/ {v=$3; u=$4; if (u=="KiB") v/=1024; if (u=="B") v/=1048576; print int(v)}')
p2=$(printf '%s\n' "$info2" | awk '/^Data processed:/ {v=$3; u=$4; if (u=="KiB") v/=1024; if (u=="B") v/=1048576; print int(v)}')
if [ -n "$p2" ] && [ "${p1:-0}" -lt "$p2" ] && [ "$p2" -lt 64 ]; then
    tap_ok "domjobinfo: progress at about 16 MiB/s (${p1:-0} then $p2 MiB of 64)"
else
    tap_fail "domjobinfo: progress at about 16 MiB/s" "$info" "$info2"
fi
ok_run "domjobabort" virsh -c "$A" domjobabort mg1
wait "$mpid"
ok_eq "domjobabort: virsh migrate failed" 1 "$?"
ok_match "domjobabort: the error says aborted" "abort" "$(cat "$work/abort.out")"
where "domjobabort" "$sbA" "$A" "$sbB" "$B" mg1 "running (migration canceled)"
ok_eq "domjobabort: the guest kept its domid at xen-a" "$idA" "$(vs_id "$A" mg1)"
ok_match "domjobabort: xen-b still knows the persistent definition only" "shut off" "$(state "$B" mg1)"
ok_run "migrate-setspeed 0 (no limit)" virsh -c "$A" migrate-setspeed mg1 0

# ---- the destination refuses ----
# a name in use there by another domain
lc_xml pv mg1 "$work" > "$work/mg1-other.xml"
sed -i "s|<name>mg1</name>|<name>mg1</name><uuid>$(cat /proc/sys/kernel/random/uuid)</uuid>|" "$work/mg1-other.xml"
virsh -q -c "$B" undefine mg1 >/dev/null 2>&1
virsh -q -c "$B" define "$work/mg1-other.xml" >/dev/null
ok_fail "name in use at the destination: refused" "already exists|already defined|uuid" \
    virsh -c "$A" migrate --live mg1 "$B"
where "name in use" "$sbA" "$A" "$sbB" "$B" mg1 "running (migration canceled)"
virsh -q -c "$B" undefine mg1 >/dev/null 2>&1
# a guest bigger than the destination
lc_xml pv mg-big "$work" | sed 's|<memory unit=.MiB.>64</memory>|<memory unit="MiB">4096</memory>|' > "$work/mg-big.xml"
virsh -q -c "$A" create "$work/mg-big.xml" >/dev/null
ok_fail "a guest bigger than the destination: refused" "not enough memory" \
    virsh -c "$A" migrate --live mg-big "$B"
where "not enough memory" "$sbA" "$A" "$sbB" "$B" mg-big "running (booted)"
virsh -q -c "$A" destroy mg-big >/dev/null 2>&1
# a bridge the destination lacks
nsenter -t "$(cut -d' ' -f1 "$sbA/host.pid")" --net -- ip link add br-mig type bridge
nsenter -t "$(cut -d' ' -f1 "$sbA/host.pid")" --net -- ip link set br-mig up
lc_xml pv mg-br "$work" "<interface type='bridge'><source bridge='br-mig'/></interface>" > "$work/mg-br.xml"
if virsh -q -c "$A" create "$work/mg-br.xml" >/dev/null 2>&1; then
    ok_fail "a bridge the destination lacks: refused" "bridge 'br-mig'" \
        virsh -c "$A" migrate --live mg-br "$B"
    where "missing bridge" "$sbA" "$A" "$sbB" "$B" mg-br "running (booted)"
    virsh -q -c "$A" destroy mg-br >/dev/null 2>&1
else
    tap_fail "a guest on bridge br-mig starts at xen-a"
fi

# ---- the destination's daemon killed mid-stream ----
virsh -q -c "$A" migrate-setspeed mg1 16 >/dev/null
virsh -c "$A" migrate --live mg1 "$B" > "$work/kill.out" 2>&1 &
mpid=$!
sleep 1.5
"$top_srcdir/scripts/sandbox" restart "$sbB" --kill >/dev/null 2>&1
wait "$mpid"
ok_eq "killed destination: virsh migrate failed" 1 "$?"
virsh -q -c "$A" migrate-setspeed mg1 0 >/dev/null
lc_wait_state "$A" mg1 running 10
where "killed destination" "$sbA" "$A" "$sbB" "$B" mg1 "running (migration canceled)"
# the restarted daemon's listener
kill "$pidEvB" 2>/dev/null
virsh -c "$B" event --all --loop >> "$evB" 2>&1 &
pidEvB=$!
sleep 0.5

# ---- ping-pong under event load ----
# load_loop URI NAME XML OUT: until $work/load.stop appears, the transient
# guest NAME is created, paused, resumed and destroyed, over and over; at
# the end OUT says how many of each succeeded, and how many failed
load_loop() {
    local uri=$1 name=$2 xml=$3 out=$4 c=0 s=0 r=0 d=0 f=0
    while [ ! -e "$work/load.stop" ]; do
        if ! virsh -q -c "$uri" create "$xml" >/dev/null 2>>"$out.err"; then
            f=$((f + 1)); sleep 0.2; continue
        fi
        c=$((c + 1))
        if virsh -q -c "$uri" suspend "$name" >/dev/null 2>>"$out.err"; then s=$((s + 1)); else f=$((f + 1)); fi
        if virsh -q -c "$uri" resume "$name" >/dev/null 2>>"$out.err"; then r=$((r + 1)); else f=$((f + 1)); fi
        if virsh -q -c "$uri" destroy "$name" >/dev/null 2>>"$out.err"; then d=$((d + 1)); else f=$((f + 1)); fi
    done
    echo "$c $s $r $d $f" > "$out"
}
# names: the domains a host's xensim runs (not Domain-0), and those its
# libvirt lists as active, sorted, on one line
xs_names() { "$xensimctl" --dir "$1/xensim" list 2>/dev/null | awk 'NR > 1 && $1 != 0 {print $2}' | sort | xargs; }
vs_names() { virsh -q -c "$1" list --name 2>/dev/null | sed '/^$/d; /^Domain-0$/d' | sort | xargs; }
lc_xml pv ld-a "$work" > "$work/ld-a.xml"
lc_xml pv ld-b "$work" > "$work/ld-b.xml"
rm -f "$work/load.stop"
load_loop "$A" ld-a "$work/ld-a.xml" "$work/load-a" &
pidLdA=$!
load_loop "$B" ld-b "$work/ld-b.xml" "$work/load-b" &
pidLdB=$!
sA0=$(ev "$evA" mg1 "Started Migrated"); sB0=$(ev "$evB" mg1 "Started Migrated")
xA0=$(ev "$evA" mg1 "Stopped Migrated"); xB0=$(ev "$evB" mg1 "Stopped Migrated")
pA0=$(ev "$evA" mg1 "Suspended Migrated"); pB0=$(ev "$evB" mg1 "Suspended Migrated")
rA0=$(ev "$evA" mg1 "Resumed Migrated"); rB0=$(ev "$evB" mg1 "Resumed Migrated")
fails=0
t0=$SECONDS
for ((i = 0; i < pingpong; i++)); do
    virsh -q -c "$A" migrate --live mg1 "$B" >/dev/null 2>"$work/pp.err" || { fails=$((fails + 1)); cat "$work/pp.err"; }
    virsh -q -c "$B" migrate --live mg1 "$A" >/dev/null 2>"$work/pp.err" || { fails=$((fails + 1)); cat "$work/pp.err"; }
done
touch "$work/load.stop"
wait "$pidLdA" "$pidLdB"
echo "# ping-pong: $pingpong round trips in $((SECONDS - t0)) s;" \
    "load (created paused resumed destroyed failed): xen-a $(cat "$work/load-a"), xen-b $(cat "$work/load-b")"
ok_eq "ping-pong: $pingpong round trips, no failure" 0 "$fails"
where "ping-pong" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"
for side in a b; do
    if [ $side = a ]; then f=$evA; s0=$sA0; x0=$xA0; p0=$pA0; r0=$rA0; else f=$evB; s0=$sB0; x0=$xB0; p0=$pB0; r0=$rB0; fi
    ok_eq "ping-pong: xen-$side saw $pingpong Started Migrated" $((s0 + pingpong)) "$(ev_wait "$f" mg1 "Started Migrated" $((s0 + pingpong)))"
    ok_eq "ping-pong: xen-$side saw $pingpong Resumed Migrated" $((r0 + pingpong)) "$(ev_wait "$f" mg1 "Resumed Migrated" $((r0 + pingpong)))"
    ok_eq "ping-pong: xen-$side saw $pingpong Suspended Migrated" $((p0 + pingpong)) "$(ev_wait "$f" mg1 "Suspended Migrated" $((p0 + pingpong)))"
    ok_eq "ping-pong: xen-$side saw $pingpong Stopped Migrated" $((x0 + pingpong)) "$(ev_wait "$f" mg1 "Stopped Migrated" $((x0 + pingpong)))"
    read -r c s r d fl < "$work/load-$side"
    ok_eq "load at xen-$side: no operation failed" 0 "$fl"
    [ -s "$work/load-$side.err" ] && sed 's/^/# /' "$work/load-$side.err"
    if [ "$c" -ge 1 ]; then
        tap_ok "load at xen-$side: it ran during the ping-pong ($c guests)"
    else
        tap_fail "load at xen-$side: it ran during the ping-pong ($c guests)"
    fi
    ok_eq "load at xen-$side: one Started Booted event per create" "$c" "$(ev_wait "$f" ld-$side "Started Booted" "$c")"
    ok_eq "load at xen-$side: one Suspended Paused event per suspend" "$s" "$(ev_wait "$f" ld-$side "Suspended Paused" "$s")"
    ok_eq "load at xen-$side: one Resumed Unpaused event per resume" "$r" "$(ev_wait "$f" ld-$side "Resumed Unpaused" "$r")"
    ok_eq "load at xen-$side: one Stopped Destroyed event per destroy" "$d" "$(ev_wait "$f" ld-$side "Stopped Destroyed" "$d")"
    ok_eq "load at xen-$side: no other event of the load guest" $((c + s + r + d)) \
        "$(grep -c "lifecycle' for domain 'ld-$side':" "$f")"
done
# no leaked domain: each xensim runs exactly what its libvirt lists, the
# guest at xen-a only, nothing at xen-b, no job left on either side
ok_eq "ping-pong: xen-a's xensim runs exactly the guest" "mg1" "$(xs_names "$sbA")"
ok_eq "ping-pong: xen-a's libvirt lists exactly the guest" "mg1" "$(vs_names "$A")"
ok_eq "ping-pong: xen-b's xensim runs nothing" "" "$(xs_names "$sbB")"
ok_eq "ping-pong: xen-b's libvirt lists nothing active" "" "$(vs_names "$B")"
ok_eq "ping-pong: xen-b keeps no load guest" "" "$(virsh -q -c "$B" list --all --name | grep '^ld-')"
ok_eq "ping-pong: xen-a keeps no load guest" "" "$(virsh -q -c "$A" list --all --name | grep '^ld-')"
ok_match "ping-pong: no job left on the guest at xen-a" "Job type: +None" "$(virsh -c "$A" domjobinfo mg1 2>&1)"

# ---- ours <-> stock (xen-b's module swapped) ----
if "$top_srcdir/scripts/sandbox" restart "$sbB" --driver=stock >/dev/null 2>&1; then
    kill "$pidEvB" 2>/dev/null
    virsh -c "$B" event --all --loop >> "$evB" 2>&1 &
    pidEvB=$!
    sleep 0.5
    ok_run "ours -> stock, direct --live" timeout 60 virsh -c "$A" migrate --live mg1 "$B"
    where "ours -> stock" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"
    ok_run "stock -> ours, direct --live" timeout 60 virsh -c "$B" migrate --live mg1 "$A"
    where "stock -> ours" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"
    ok_run "ours -> stock, --p2p --tunnelled" timeout 60 virsh -c "$A" migrate --live --p2p --tunnelled mg1 "$P2PB"
    where "ours -> stock --p2p --tunnelled" "$sbB" "$B" "$sbA" "$A" mg1 "running (migrated)"
    ok_run "stock -> ours, --p2p" timeout 60 virsh -c "$B" migrate --live --p2p mg1 "$P2PA"
    where "stock -> ours --p2p" "$sbA" "$A" "$sbB" "$B" mg1 "running (migrated)"
    # stock -> stock: recorded (xen-a's module swapped too)
    if "$top_srcdir/scripts/sandbox" restart "$sbA" --driver=stock >/dev/null 2>&1; then
        TAP_RECORD="stock -> stock, recorded"
        ok_run "stock -> stock, direct --live" timeout 60 virsh -c "$A" migrate --live mg1 "$B"
        ok_run "stock -> stock, back, --p2p" timeout 60 virsh -c "$B" migrate --live --p2p mg1 "$P2PA"
        TAP_RECORD=
        TAP_TODO="stock: no --offline migration"
        ok_run "stock: --offline --persistent" virsh -c "$B" migrate --offline --persistent mg-off "$A"
        TAP_TODO=
        "$top_srcdir/scripts/sandbox" restart "$sbA" --driver=ours >/dev/null 2>&1
    fi
else
    tap_fail "xen-b: the stock module loads"
fi

kill "$pidEvA" "$pidEvB" 2>/dev/null
wait "$pidEvA" "$pidEvB" 2>/dev/null
sandbox_cleanup
rm -rf "$work"
tap_done

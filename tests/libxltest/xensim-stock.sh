#!/usr/bin/env bash
# The domain lifecycle and consoles of a PV guest, through virsh and the
# libvirt Python binding, with Debian's STOCK libxl module on xensim: real
# libvirt code nobody here wrote, exercising xensim's libxl contract
# (create with a console progress callback, death watches over the osevent
# hooks, selective_reap children mode, shutdown/reboot/destroy, consoles,
# channels, userdata, a restart after SIGKILL).  What the stock module does
# is recorded, as the reference for ours.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
require_sandbox

work=$(mktemp -d /tmp/xs-stock.XXXXXX)
ctl="$top_builddir/xensim/xensimctl --dir $work/sb/xensim"
py=/usr/bin/python3

cat > "$work/host.conf" <<EOF
build_delay_ms = 100
shutdown_delay_ms = 200
destroy_delay_ms = 20
console_delay_ms = 20
guest_ignore_shutdown = stubborn-*
guest_no_pv_drivers = nopv-*
guest_no_ack = hung-*
EOF
echo "not a kernel" > "$work/vmlinuz"

guest_xml() { # name
    cat <<EOF
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='xenpv'>linux</type>
    <kernel>$work/vmlinuz</kernel><cmdline>console=hvc0</cmdline></os>
  <on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot><on_crash>destroy</on_crash>
  <devices>
    <console type='pty'><target type='xen' port='0'/></console>
    <channel type='pty'><target type='xen' name='org.qemu.guest_agent.0'/></channel>
  </devices>
</domain>
EOF
}

hvm_xml() { # name
    cat <<EOF
<domain type='xen'>
  <name>$1</name>
  <memory unit='MiB'>512</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='xenfv'>hvm</type><boot dev='hd'/></os>
  <features><acpi/><apic/><pae/></features>
  <devices>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
  </devices>
</domain>
EOF
}

# wait_state DOMAIN STATE: virsh domstate reaches STATE within 5 s
wait_state() {
    local i
    for i in $(seq 1 50); do
        [ "$(virsh -c "$URI" domstate "$1" 2>/dev/null | head -1)" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# events_start FILE: a listener for lifecycle events, for 8 s, returning
# once it is registered: it has seen the events of a domain defined and
# undefined for it (a fixed 0.3 s missed the event under load);
# events_wait: until it is done
events_pid=
events_start() {
    local i
    timeout 20 virsh -c "$URI" event --all --loop --timeout 8 > "$1" 2>&1 &
    events_pid=$!
    guest_xml ev-sentinel > "$work/ev-sentinel.xml"
    for i in $(seq 1 25); do
        virsh -c "$URI" define "$work/ev-sentinel.xml" >/dev/null 2>&1
        virsh -c "$URI" undefine ev-sentinel >/dev/null 2>&1
        grep -q "ev-sentinel" "$1" && return 0
        sleep 0.2
    done
}
events_wait() {
    wait "$events_pid" 2>/dev/null || true
}

# A console session through openConsole: prints what the guest answered.
cat > "$work/console.py" <<'EOF'
import sys, threading, time
import libvirt
libvirt.virEventRegisterDefaultImpl()
def loop():
    while True:
        libvirt.virEventRunDefaultImpl()
threading.Thread(target=loop, daemon=True).start()
conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])
st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
dom.openConsole(sys.argv[3] if len(sys.argv) > 3 else None, st, 0)
seen = b""
def until(text, secs=5):
    global seen
    end = time.time() + secs
    while text not in seen and time.time() < end:
        r = st.recv(4096)
        if r == -2:
            time.sleep(0.02)
            continue
        if not r:
            break
        seen += r
    return text in seen
st.send(b"\r")
ok = until(b"login: ")
print("login-prompt" if ok else "no-login-prompt")
st.send(b"root\r")
print("shell" if until(b"# ") else "no-shell")
seen = b""
st.send(b"uname\r")
print("uname:" + ("Linux" if until(b"Linux\r\n") else repr(seen)))
seen = b""
st.send(b"hostname\r")
until(b"\r\n" + sys.argv[2].encode() + b"\r\n")
print("hostname:" + ("ok" if (b"\r\n" + sys.argv[2].encode() + b"\r\n") in seen else repr(seen)))
st.finish()
EOF

# virsh console as a person runs it: in a terminal (a pty), leaving with ^]
cat > "$work/vconsole.py" <<'EOF'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("virsh", ["virsh", "-c", sys.argv[1], "console", sys.argv[2]])
seen = b""
def until(text, secs=5):
    global seen
    end = time.time() + secs
    while text not in seen and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return text in seen
print("connected" if until(b"Escape character") else "not-connected")
time.sleep(0.2)
os.write(fd, b"\r")
until(b"# ")
seen = b""
os.write(fd, b"echo typed in a terminal\r")
print("echo:" + ("ok" if until(b"typed in a terminal\r\n") else repr(seen)))
os.write(fd, b"\x1d")
end = time.time() + 5
status = None
while time.time() < end:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    try:
        os.read(fd, 4096)
    except OSError:
        pass
    time.sleep(0.05)
print("left:" + ("ok" if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 else str(status)))
EOF

if ! sandbox_up "$work/sb" --driver=stock --xensim-config="$work/host.conf"; then
    tap_fail "stock: sandbox up" "$(tail -5 "$work/sb/log/libvirtd.log" 2>/dev/null)"
    tap_done
    exit
fi
# libvirt's console lock files go to /var/lock (/run/lock): the sandbox's
# /run is DIR/run, which has no lock directory
mkdir -p "$work/sb/run/lock"

ok_run "stock: define a PV guest" virsh -c "$URI" define <(guest_xml pv1)
ok_run "stock: start" virsh -c "$URI" start pv1
ok_eq "stock: running" running "$(virsh -c "$URI" domstate pv1 | head -1)"
id=$(virsh -c "$URI" domid pv1)
ok_match "stock: xensim has the domain, running" "^$id +pv1 +running +256 +2\$" "$($ctl list)"
ok_match "stock: dominfo" "State: +running" "$(virsh -c "$URI" dominfo pv1)"
xml=$(virsh -c "$URI" dumpxml pv1)
tty=$(virsh -c "$URI" ttyconsole pv1 2>&1)
ok_match "stock: ttyconsole is a pty" '^/dev/pts/[0-9]+$' "$tty"
ok_eq "stock: the console's pty is xensim's" "$tty" "$($ctl console-tty "$id")"
ok_match "stock: the channel's pty is in the live XML" \
    "<channel type=.pty.>[^<]*<source path=./dev/pts/[0-9]+./>" "$(echo "$xml" | tr -d '\n')"
ok_match "stock: xenstore has the console tty" 'console/tty = "/dev/pts/[0-9]+"' \
    "$($ctl xenstore-ls /local/domain/"$id")"

out=$(timeout 20 $py "$work/console.py" "$URI" pv1 2>&1)
ok_match "stock: console: login prompt" '^login-prompt$' "$out"
ok_match "stock: console: command answered" '^uname:Linux$' "$out"
ok_match "stock: console: hostname answered" '^hostname:ok$' "$out"

out=$(timeout 20 $py "$work/vconsole.py" "$URI" pv1 2>&1)
ok_match "stock: virsh console in a terminal: connected" '^connected$' "$out"
ok_match "stock: virsh console in a terminal: the guest answers" '^echo:ok$' "$out"
ok_match "stock: virsh console in a terminal: ^] leaves" '^left:ok$' "$out"

# the running guest's knobs
ok_run "stock: suspend (pause)" virsh -c "$URI" suspend pv1
ok_match "stock: paused, in xensim too" "^$id +pv1 +paused" "$($ctl list)"
ok_run "stock: resume" virsh -c "$URI" resume pv1
ok_run "stock: setmem" virsh -c "$URI" setmem pv1 200M --live
sleep 1     # the guest's balloon driver follows balloon_delay_ms later
ok_match "stock: setmem: xensim's balloon target" "^$id +pv1 +running +200 " "$($ctl list)"
ok_run "stock: setvcpus" virsh -c "$URI" setvcpus pv1 1 --live
ok_match "stock: setvcpus: one vCPU online" "^$id +pv1 +running +200 +1\$" "$($ctl list)"
ok_match "stock: schedinfo --set weight" "weight +: 512" \
    "$(virsh -c "$URI" schedinfo pv1 --set weight=512 2>&1)"
ok_run "stock: dump" virsh -c "$URI" dump pv1 "$work/core"
ok_match "stock: dump: a core file" "xensim core: domain $id" "$(head -c 200 "$work/core" | tr -d '\0')"
rm -f "$work/core"

events_start "$work/ev-shutdown"
ok_run "stock: shutdown" virsh -c "$URI" shutdown pv1
if wait_state pv1 "shut off"; then tap_ok "stock: shutdown: shut off"; else
    tap_fail "stock: shutdown: shut off" "$(virsh -c "$URI" domstate pv1 2>&1)"; fi
events_wait
ok_eq "stock: shutdown: one stopped event" 1 "$(grep -c "Stopped Shutdown" "$work/ev-shutdown")"
ok_match "stock: xensim: the domain is gone" '^0 +Domain-0' "$($ctl list | tail -n +2)"
ok_eq "stock: xensim: only Domain-0 left" 1 "$($ctl list | tail -n +2 | wc -l)"

ok_run "stock: start again" virsh -c "$URI" start pv1
id=$(virsh -c "$URI" domid pv1)
ok_run "stock: reboot" virsh -c "$URI" reboot pv1
sleep 1.5
id2=$(virsh -c "$URI" domid pv1 2>&1)
if [ "$id2" != "$id" ] && wait_state pv1 running; then
    tap_ok "stock: reboot: running again as a new domain ($id -> $id2)"
else
    tap_fail "stock: reboot: running again as a new domain" "ids $id $id2" \
        "$(virsh -c "$URI" domstate pv1 2>&1)"
fi

# libvirtd killed: xensim keeps the domain; the new daemon re-arms its
# death watch and reports the next shutdown once
ok_run "stock: libvirtd SIGKILL and restart" "$top_srcdir/scripts/sandbox" restart "$work/sb" --kill
ok_eq "stock: after restart: still running" running "$(virsh -c "$URI" domstate pv1 | head -1)"
ok_eq "stock: after restart: same id" "$id2" "$(virsh -c "$URI" domid pv1)"
events_start "$work/ev-restart"
ok_run "stock: after restart: shutdown" virsh -c "$URI" shutdown pv1
wait_state pv1 "shut off"
events_wait
ok_eq "stock: after restart: one stopped event" 1 "$(grep -c "Stopped" "$work/ev-restart")"

# a guest that ignores shutdown requests; then it crashes on its own
ok_run "stock: define a stubborn guest" virsh -c "$URI" define <(guest_xml stubborn-1)
ok_run "stock: start it" virsh -c "$URI" start stubborn-1
ok_run "stock: ask it to shut down" virsh -c "$URI" shutdown stubborn-1
sleep 1
ok_eq "stock: it ignored the request" running "$(virsh -c "$URI" domstate stubborn-1 | head -1)"
ok_eq "stock: list answers meanwhile" 0 "$(virsh -c "$URI" list >/dev/null 2>&1; echo $?)"
events_start "$work/ev-crash"
ok_run "stock: the guest crashes (xensimctl guest crash)" $ctl guest stubborn-1 crash
if wait_state stubborn-1 "shut off"; then tap_ok "stock: crash + on_crash=destroy: shut off"; else
    tap_fail "stock: crash + on_crash=destroy: shut off" "$(virsh -c "$URI" domstate stubborn-1 2>&1)"; fi
events_wait
ok_eq "stock: crash: one crashed event" 1 "$(grep -c "Stopped Crashed" "$work/ev-crash")"

# a hung guest: libxl_domain_shutdown waits (up to 60 s) for an
# acknowledgement that does not come; the stock module calls it
# synchronously, holding the domain's lock
ok_run "stock: define a hung guest" virsh -c "$URI" define <(guest_xml hung-1)
ok_run "stock: start it" virsh -c "$URI" start hung-1
virsh -c "$URI" shutdown hung-1 > "$work/hung.out" 2>&1 &
hung_pid=$!
sleep 1
if kill -0 "$hung_pid" 2>/dev/null; then
    tap_ok "stock: shutdown of a hung guest waits for its acknowledgement"
else
    tap_fail "stock: shutdown of a hung guest waits for its acknowledgement" "$(cat "$work/hung.out")"
fi
TAP_TODO="the stock module holds the domain lock while libxl waits for the guest"
ok_run "stock: list answers while it waits" timeout 3 virsh -c "$URI" list
TAP_TODO=
ok_run "stock: the guest comes back (xensimctl guest set ack-requests on)" \
    $ctl guest hung-1 set ack-requests on
if wait "$hung_pid"; then tap_ok "stock: the shutdown call returns"; else
    tap_fail "stock: the shutdown call returns" "$(cat "$work/hung.out")"; fi
if wait_state hung-1 "shut off"; then tap_ok "stock: the hung guest shut off"; else
    tap_fail "stock: the hung guest shut off" "$(virsh -c "$URI" domstate hung-1 2>&1)"; fi

# HVM: a device model child (reaped under the stock module's
# selective_reap mode), the serial port as the console, ACPI shutdown
ok_run "stock: define an HVM guest" virsh -c "$URI" define <(hvm_xml hvm1)
ok_run "stock: HVM: start" virsh -c "$URI" start hvm1
hid=$(virsh -c "$URI" domid hvm1)
tty=$(virsh -c "$URI" ttyconsole hvm1 2>&1)
ok_eq "stock: HVM: the console is the serial port's pty" "$($ctl console-tty "$hid" serial 0)" "$tty"
out=$(timeout 20 $py "$work/console.py" "$URI" hvm1 2>&1)
ok_match "stock: HVM: serial console: command answered" '^uname:Linux$' "$out"
ok_run "stock: HVM: shutdown (PV drivers)" virsh -c "$URI" shutdown hvm1
if wait_state hvm1 "shut off"; then tap_ok "stock: HVM: shut off"; else
    tap_fail "stock: HVM: shut off" "$(virsh -c "$URI" domstate hvm1 2>&1)"; fi
ok_run "stock: define an HVM guest without PV drivers" virsh -c "$URI" define <(hvm_xml nopv-1)
ok_run "stock: start it" virsh -c "$URI" start nopv-1
ok_fail "stock: paravirt shutdown refused" "." virsh -c "$URI" shutdown --mode paravirt nopv-1
ok_run "stock: ACPI shutdown" virsh -c "$URI" shutdown --mode acpi nopv-1
if wait_state nopv-1 "shut off"; then tap_ok "stock: ACPI: shut off"; else
    tap_fail "stock: ACPI: shut off" "$(virsh -c "$URI" domstate nopv-1 2>&1)"; fi

# Device counters: the stock module reads blkback's sysfs statistics
# (domblkstat) and the vif's /proc/net/dev (domifstat, the guest's view);
# both equal xensim's (xensimctl io) once the guest is paused.
truncate -s 8M "$work/io.img"
cat > "$work/io.xml" <<EOF
<domain type='xen'>
  <name>io1</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='xenpv'>linux</type><kernel>$work/vmlinuz</kernel></os>
  <devices>
    <disk type='file' device='disk'><driver name='phy'/><source file='$work/io.img'/>
      <target dev='xvda' bus='xen'/></disk>
    <interface type='network'><source network='default'/><mac address='00:16:3e:12:34:56'/></interface>
    <console type='pty'/>
  </devices>
</domain>
EOF
io_val() { # OUT FIELD KEY: KEY=N on the line of xensimctl io's OUT with FIELD
    printf '%s\n' "$1" | grep -- "$2" | tr ' ' '\n' | sed -n "s/^$3=//p"
}
stat_val() { # OUT KEY: N of domblkstat's/domifstat's "DEV KEY N"
    printf '%s\n' "$1" | awk -v k="$2" '$2 == k { print $3 }'
}
ok_run "stock: io: create a guest with a blkback disk and a vif" virsh -c "$URI" create "$work/io.xml"
iid=$(virsh -c "$URI" domid io1)
sleep 2.3
ok_run "stock: io: suspend" virsh -c "$URI" suspend io1
io=$($ctl io "$iid")
blk=$(virsh -c "$URI" domblkstat io1 xvda 2>&1)
ok_match "stock: io: the vif is on virbr0" " bridge=virbr0 vif=vif$iid.0 " "$io"
ok_eq "stock: io: domblkstat rd_req = blkback's" "$(io_val "$io" vdev=xvda rd_req)" "$(stat_val "$blk" rd_req)"
ok_eq "stock: io: domblkstat wr_req" "$(io_val "$io" vdev=xvda wr_req)" "$(stat_val "$blk" wr_req)"
ok_eq "stock: io: domblkstat rd_bytes = rd_sect x 512" \
    "$(( $(io_val "$io" vdev=xvda rd_sect) * 512 ))" "$(stat_val "$blk" rd_bytes)"
ok_eq "stock: io: domblkstat flush_operations = f_req" "$(io_val "$io" vdev=xvda f_req)" \
    "$(stat_val "$blk" flush_operations)"
if [ "$(io_val "$io" vdev=xvda rd_req)" -ge 40 ]; then tap_ok "stock: io: 2 s of reads"; else
    tap_fail "stock: io: 2 s of reads" "$io"; fi
ifs=$(virsh -c "$URI" domifstat io1 "vif$iid.0" 2>&1)
# the guest's tx is the vif's rx: exactly what the guest sent
ok_eq "stock: io: domifstat tx_packets = the vif's rx" "$(io_val "$io" vif= vif_rx_packets)" \
    "$(stat_val "$ifs" tx_packets)"
ok_eq "stock: io: domifstat tx_bytes" "$(io_val "$io" vif= vif_rx_bytes)" "$(stat_val "$ifs" tx_bytes)"
# the guest's rx: what xensim sent it, and what the bridge floods (STP)
rx=$(stat_val "$ifs" rx_packets)
want=$(io_val "$io" vif= vif_tx_packets)
if [ -n "$rx" ] && [ -n "$want" ] && [ "$rx" -ge "$want" ] && [ "$rx" -le $((want + 3)) ]; then
    tap_ok "stock: io: domifstat rx_packets = the vif's tx (+ the bridge's own)"
else
    tap_fail "stock: io: domifstat rx_packets = the vif's tx (+ the bridge's own)" "$ifs / $io"
fi
# the simulated host's /sys: a tmpfs in the sandbox's host namespace
read -r hp _ < "$work/sb/host.pid"
backend=/proc/$hp/root$work/sb/xensim/root/sys/bus/xen-backend/devices
ok_eq "stock: io: blkback's statistics, in memory (tmpfs)" "tmpfs vbd-$iid-51712" \
    "$(stat -f -c %T "$backend") $(ls "$backend")"
ok_run "stock: io: destroy" virsh -c "$URI" destroy io1
ok_eq "stock: io: blkback's statistics gone" "" "$(ls "$backend")"
ok_fail "stock: io: the vif gone" "." virsh -c "$URI" domifstat io1 "vif$iid.0"

ok_run "stock: start, destroy" sh -c "virsh -c '$URI' start stubborn-1 && virsh -c '$URI' destroy stubborn-1"
ok_eq "stock: destroyed: shut off" "shut off" "$(virsh -c "$URI" domstate stubborn-1 | head -1)"
ok_run "stock: undefine" sh -c "virsh -c '$URI' undefine pv1 && virsh -c '$URI' undefine stubborn-1 && virsh -c '$URI' undefine hvm1 && virsh -c '$URI' undefine nopv-1 && virsh -c '$URI' undefine hung-1"
ok_eq "stock: nothing left but Domain-0" 1 "$($ctl list | tail -n +2 | wc -l)"
if grep -q "not implemented by xensim" "$work/sb/xensim/xensim-client.log" 2>/dev/null; then
    tap_fail "stock: no unimplemented entry point reached" \
        "$(grep "not implemented" "$work/sb/xensim/xensim-client.log" | sort | uniq -c)"
else
    tap_ok "stock: no unimplemented entry point reached"
fi

"$top_srcdir/scripts/sandbox" down "$work/sb" >/dev/null 2>&1
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# Swapping modules on a running host, as `make install` (and `make
# uninstall`) do: domains the stock module started are taken over by ours
# (listed running, their consoles named and reachable, destroyable), the
# stock module's Domain-0 status file is not an error, and the stock module
# takes back what ours started.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-switch.XXXXXX)
lc_files "$work"
sb=$work/sb
sandbox=$top_srcdir/scripts/sandbox

# console DOM [DEVNAME]: the guest answers on it (openConsole on a stream)
console_answers() {
    "${PYTHON3:-/usr/bin/python3}" - "$URI" "$@" <<'EOF'
import sys, threading, time, libvirt
libvirt.registerErrorHandler(lambda c, e: None, None)
libvirt.virEventRegisterDefaultImpl()
threading.Thread(target=lambda: [libvirt.virEventRunDefaultImpl() for _ in iter(int, 1)], daemon=True).start()
uri, name = sys.argv[1], sys.argv[2]
dev = sys.argv[3] if len(sys.argv) > 3 else None
conn = libvirt.open(uri)
st = conn.newStream(libvirt.VIR_STREAM_NONBLOCK)
conn.lookupByName(name).openConsole(dev, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
want = b"pong" if dev and dev.startswith("channel") else b"login: "
buf, end = b"", time.time() + 10
while time.time() < end and want not in buf:
    st.send(b"ping\r" if want == b"pong" else b"\r")
    time.sleep(0.3)
    while True:
        r = st.recv(4096)
        if r == -2 or not r:
            break
        buf += r
st.abort()
print(buf.decode("utf-8", "replace"))
sys.exit(0 if want in buf else 1)
EOF
}

chan="<channel type='pty'><target type='xen' name='org.example.ping'/></channel>"
lc_xml pv sw-pv "$work" "$chan" > "$work/sw-pv.xml"
lc_xml hvm sw-hvm "$work" > "$work/sw-hvm.xml"
lc_xml pv sw-def "$work" > "$work/sw-def.xml"

sandbox_up "$sb" --driver=stock
ok_run "stock: create sw-pv" virsh -c "$URI" create "$work/sw-pv.xml"
ok_run "stock: create sw-hvm" virsh -c "$URI" create "$work/sw-hvm.xml"
ok_run "stock: define sw-def" virsh -c "$URI" define "$work/sw-def.xml"
ok_run "stock: start sw-def" virsh -c "$URI" start sw-def
ok_run "stock left a Domain-0 status file" test -f "$sb/run/libvirt/libxl/Domain-0.xml"
: > "$sb/log/libvirtd.log"

ok_run "switch to our module" "$sandbox" restart "$sb" --driver=ours
log=$(cat "$sb/log/libvirtd.log")
if grep -q "Failed to load config\|already exists" <<<"$log"; then
    tap_fail "ours: starts without errors about the stock module's files" "$(grep -E 'Failed to load|already exists' <<<"$log")"
else
    tap_ok "ours: starts without errors about the stock module's files"
fi
out=$(virsh -c "$URI" list --all 2>&1)
ok_match "ours: sw-pv runs" "^ *[0-9]+ +sw-pv +running" "$out"
ok_match "ours: sw-hvm runs" "^ *[0-9]+ +sw-hvm +running" "$out"
ok_match "ours: sw-def runs" "^ *[0-9]+ +sw-def +running" "$out"
ok_match "ours: Domain-0 is listed once" "^ *0 +Domain-0 +running" "$out"
ok_eq "ours: Domain-0 is listed once (count)" 1 "$(grep -c 'Domain-0' <<<"$out")"
xml=$(virsh -c "$URI" dumpxml sw-pv 2>&1)
ok_match "ours: sw-pv's console is named console0" "<alias name='console0'/>" "$xml"
ok_match "ours: sw-pv's channel is named channel0" "<alias name='channel0'/>" "$xml"
ok_run "ours: sw-pv's console answers" console_answers sw-pv
ok_run "ours: sw-pv's channel answers (devname channel0)" console_answers sw-pv channel0
ok_run "ours: sw-hvm's serial port answers (devname serial0)" console_answers sw-hvm serial0
ok_run "ours: destroy sw-hvm" virsh -c "$URI" destroy sw-hvm
ok_fail "ours: sw-hvm is gone" "not found|no domain|failed to get domain" virsh -c "$URI" domstate sw-hvm
ok_run "ours: create sw-hvm again" virsh -c "$URI" create "$work/sw-hvm.xml"

ok_run "switch back to the stock module" "$sandbox" restart "$sb" --driver=stock
out=$(virsh -c "$URI" list --all 2>&1)
ok_match "stock: sw-pv runs" "^ *[0-9]+ +sw-pv +running" "$out"
ok_match "stock: sw-hvm (started by ours) runs" "^ *[0-9]+ +sw-hvm +running" "$out"
ok_run "stock: destroy sw-pv" virsh -c "$URI" destroy sw-pv
ok_run "stock: destroy sw-hvm" virsh -c "$URI" destroy sw-hvm
ok_run "stock: destroy sw-def" virsh -c "$URI" destroy sw-def
ok_run "stock: undefine sw-def" virsh -c "$URI" undefine sw-def

sandbox_cleanup
rm -rf "$work"
tap_done

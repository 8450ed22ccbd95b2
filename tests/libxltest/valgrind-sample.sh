#!/usr/bin/env bash
# valgrind-sample.sh: Debian's libvirtd under valgrind memcheck
# (--leak-check=full, scripts/sandbox --valgrind) with our module, on the
# simulated host, running a representative sample of the driver: a PV
# guest's define/start/destroy/undefine, its console (openConsole through
# the Python binding), save/restore, disk and interface hotplug, domain
# and node stats, dumpxml.  Then libvirtd is stopped and its report read:
#   - no memcheck error (invalid read/write/free, uninitialised value) with
#     a frame of the module or of xensim,
#   - no block definitely lost whose allocation went through the module.
# Run by hand (slow: a few minutes; not in make check), as root, from the
# tree (or with top_srcdir/top_builddir set):
#   tests/libxltest/valgrind-sample.sh        TAP; the report is left in
#                                             /tmp/xl-vgsample.*/sb/log/valgrind.log
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
export top_srcdir top_builddir
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox
command -v valgrind >/dev/null || { echo "1..0 # SKIP no valgrind"; exit 0; }

work=$(mktemp -d /tmp/xl-vgsample.XXXXXX)
lc_files "$work"
sb=$work/sb
lc_sandbox_prep "$sb"
if ! sandbox_up "$sb" --driver=ours --host=sim --valgrind; then
    tap_fail "sandbox up under valgrind"
    tap_done
    exit 1
fi
uri=$URI
lc_require_lifecycle "$uri" "$sb" "$work"
v() { virsh -c "$uri" "$@"; }

lc_xml pv vgs "$work" > "$work/vgs.xml"
for round in 1 2; do
    ok_run "$round: define" v define "$work/vgs.xml"
    ok_run "$round: start" v start vgs
    ok_eq "$round: running" running "$(v domstate vgs 2>&1)"
    ok_run "$round: dumpxml" v dumpxml vgs
    ok_run "$round: domstats" v domstats vgs
    ok_run "$round: dominfo" v dominfo vgs
    ok_run "$round: nodeinfo" v nodeinfo
    # the console: open, write, read, close
    out=$("$PYTHON3" - "$uri" <<'PY' 2>&1
import sys, time, libvirt
libvirt.virEventRegisterDefaultImpl()
c = libvirt.open(sys.argv[1])
d = c.lookupByName("vgs")
st = c.newStream(libvirt.VIR_STREAM_NONBLOCK)
d.openConsole(None, st, libvirt.VIR_DOMAIN_CONSOLE_FORCE)
st.send(b"\r\n")
buf = b""
end = time.time() + 5
while time.time() < end and not buf:
    try:
        r = st.recv(4096)
    except libvirt.libvirtError:
        break
    if r == -2:
        time.sleep(0.1)
        continue
    buf += r or b""
st.finish() if False else st.abort()
print("console ok, %d bytes" % len(buf))
PY
)
    ok_match "$round: console opened and closed" "console ok" "$out"
    img=$work/hot$round.img
    truncate -s 16M "$img"
    ok_run "$round: attach-disk" v attach-disk vgs "$img" xvdb --targetbus xen --live
    ok_run "$round: detach-disk" v detach-disk vgs xvdb --live
    ok_run "$round: attach-interface" v attach-interface vgs network default --live
    mac=$(v domiflist vgs | awk 'NR > 2 && $1 != "" {m = $5} END {print m}')
    ok_run "$round: detach-interface" v detach-interface vgs network --mac "$mac" --live
    ok_run "$round: save" v save vgs "$work/vgs.save"
    ok_run "$round: restore" v restore "$work/vgs.save"
    rm -f "$work/vgs.save"
    ok_eq "$round: running after restore" running "$(v domstate vgs 2>&1)"
    ok_run "$round: destroy" v destroy vgs
    ok_run "$round: undefine" v undefine vgs
done

"$top_srcdir/scripts/sandbox" down "$sb" >/dev/null 2>&1
log=$sb/log/valgrind.log
ok_match "valgrind wrote its summary" "ERROR SUMMARY" "$(cat "$log" 2>/dev/null)"
echo "# $(grep -m1 'ERROR SUMMARY' "$log")"
echo "# $(grep -m1 'definitely lost:' "$log")"
ok_eq "no memcheck error in the module or xensim" "" \
    "$(lc_vg_errors "$log" | grep -E 'libvirt_driver_libxl|xensim|libxl_' || true)"
ok_eq "no block definitely lost through the module" "" "$(lc_vg_module_leaks "$log")"
echo "# every memcheck error (any owner):"
lc_vg_errors "$log" | sed 's/^/#   /'
tap_sandboxes=()
tap_done

#!/usr/bin/env bash
# Access control (issue 17, item 7).
#  a. Every entry point of the module's driver table (read from
#     src/libxl/libxl_driver.c by integration-acl-calls.py) called on a read-only
#     connection, opened read-only and opened plainly on the read-only
#     socket: the mutating ones refused (VIR_ERR_OPERATION_DENIED, "read only
#     access prevents"), nothing changed; the others answered.
#  b. libvirt's polkit access driver (scripts/sandbox --polkit: a private
#     system bus and polkitd): every entry point called by an unprivileged
#     user under a rule that denies libvirt's actions, then one that allows
#     them: refused with VIR_ERR_ACCESS_DENIED, polkit asked for the
#     permission remote_protocol.x names, nothing changed; then allowed.
#  c. The files the driver writes (save images, core dumps, status XML,
#     logs, snapshot overlays) are not world-readable; hostile names
#     ('/', a newline, 1000 characters, bytes not UTF-8) are refused.
# ACL_POLKIT=0 leaves b out (it takes minutes).
#
#   integration-acl.sh --fixtures URI WORK: set the guests up (the helper
#   does so again after an allowed call changed them)
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
PY=${PYTHON3:-/usr/bin/python3}
ACLPY=$top_srcdir/tests/libxltest/integration-acl-calls.py

# fixtures URI: the guests integration-acl-calls.py expects, each with the same
# UUID every time (the helper's handles outlive a new definition)
fixtures() {
    local uri=$1 nic="<interface type='network'><source network='default'/></interface>"
    local u=5a1e0000-0000-4000-8000-00000000000
    # the snapshots' overlays of an earlier set
    rm -f "$work"/disk.s[0-9]*
    virsh -q -c "$uri" define <(lc_xml pv acl-run "$work" "$nic" "<uuid>${u}1</uuid><description>acl fixture</description>") >/dev/null &&
        virsh -q -c "$uri" start acl-run >/dev/null &&
        virsh -q -c "$uri" define <(lc_xml pv acl-off "$work" "" "<uuid>${u}2</uuid>") >/dev/null &&
        virsh -q -c "$uri" snapshot-create-as acl-off s0 >/dev/null &&
        virsh -q -c "$uri" snapshot-create-as acl-off s1 >/dev/null &&
        virsh -q -c "$uri" define <(lc_xml pv acl-ms "$work" "" "<uuid>${u}3</uuid>") >/dev/null &&
        virsh -q -c "$uri" start acl-ms >/dev/null &&
        virsh -q -c "$uri" managedsave acl-ms >/dev/null &&
        { [ -f "$work/acl-img.save" ] ||
          { virsh -q -c "$uri" create <(lc_xml pv acl-img "$work" "" "<uuid>${u}4</uuid>") >/dev/null &&
            virsh -q -c "$uri" save acl-img "$work/acl-img.save" >/dev/null; }; }
}

if [ "${1:-}" = --fixtures ]; then
    trap - EXIT
    work=$3
    fixtures "$2"
    exit
fi

require_sandbox
work=$(mktemp -d /tmp/xl-acl.XXXXXX)
chmod 755 "$work"
lc_files "$work"
truncate -s 8M "$work/extra.img"

# helper_tap FILE: the helper's results, renumbered into this script's plan
helper_tap() {
    local line
    while IFS= read -r line; do
        case $line in
            "ok "*) tap_ok "${line#ok [0-9]* - }" ;;
            "not ok "*) tap_fail "${line#not ok [0-9]* - }" ;;
            "#"*) echo "$line" ;;
        esac
    done < "$1"
    grep -q '^1\.\.' "$1" || tap_fail "the helper ran to its end" "$(tail -n 20 "$1")"
}

# --- c. files and names -----------------------------------------------------

# private DESC FILE: FILE exists and others may not read it
private() {
    local mode
    if ! mode=$(stat -c %a "$2" 2>/dev/null); then
        tap_fail "$1: $2 exists"
    elif (( (8#$mode & 8#007) == 0 )); then
        tap_ok "$1 is not world-readable ($mode)"
    else
        tap_fail "$1 is not world-readable" "$2: mode $mode"
    fi
}

# files_private DIR: what the driver wrote for the guests of fixtures
files_private() {
    local dir=$1 f
    ok_run "files: save acl-run" virsh -c "$URI" save acl-run "$work/c.save"
    private "files: a save image" "$work/c.save"
    ok_run "files: restore acl-run" virsh -c "$URI" restore "$work/c.save"
    ok_run "files: dump acl-run" virsh -c "$URI" dump acl-run "$work/c.core"
    private "files: a core dump" "$work/c.core"
    private "files: a managed save image" "$dir/lib/libxl/save/acl-ms.save"
    private "files: the status XML of a running guest" "$dir/run/libvirt/libxl/acl-run.xml"
    private "files: a guest's configuration" "$dir/etc/libxl/acl-run.xml"
    private "files: a snapshot's metadata" "$dir/lib/libxl/snapshot/acl-off/s1.xml"
    private "files: a snapshot's overlay (the guest's writes)" "$work/disk.s1"
    for f in "$dir"/log/libxl/*; do
        [ -f "$f" ] && private "files: the log ${f#"$dir"/log/}" "$f"
    done
    # a log an older build left world-readable is made private at the
    # daemon's next start
    chmod 644 "$dir/log/libxl/libxl-driver.log"
    ok_run "files: libvirtd restarts" "$top_srcdir/scripts/sandbox" restart "$dir"
    private "files: the driver's log, world-readable before the restart" "$dir/log/libxl/libxl-driver.log"
}

# hostile_names URI DIR: names a file cannot take are refused with an error
# naming the problem, and nothing is written (integration-names.sh has
# '/', newlines, dots and lengths in depth; here also bytes not UTF-8)
hostile_names() {
    local uri=$1 dir=$2 before after long
    long=$(printf 'n%.0s' $(seq 1 1000))
    before=$(cd "$dir" && find etc run lib log -print | LC_ALL=C sort)
    lc_xml pv 'a/b' "$work" > "$work/h-slash.xml"
    lc_xml pv "$(printf 'a\nb')" "$work" > "$work/h-nl.xml"
    lc_xml pv "$long" "$work" > "$work/h-long.xml"
    # Latin-1 bytes (0xe9, 0xff): the document says UTF-8, they are not
    lc_xml pv NONUTF8 "$work" | LC_ALL=C sed "s/NONUTF8/caf$(printf '\351')-$(printf '\377')/" > "$work/h-bytes.xml"
    local op
    for op in define create; do
        ok_fail "names: $op of 'a/b' refused, naming '/'" "cannot contain '/'" \
            virsh -c "$uri" "$op" "$work/h-slash.xml"
        ok_fail "names: $op of a name with a newline refused" "control characters|invalid char" \
            virsh -c "$uri" "$op" "$work/h-nl.xml"
        ok_fail "names: $op of a 1000-character name refused, saying how long a name may be" \
            "1000 characters long; at most" virsh -c "$uri" "$op" "$work/h-long.xml"
        ok_fail "names: $op of a name of bytes that are not UTF-8 refused" \
            "Input is not proper UTF-8" virsh -c "$uri" "$op" "$work/h-bytes.xml"
    done
    local n
    n=$(virsh -q -c "$uri" list --all --name | grep -c -v '^acl-\|^Domain-0$\|^$' || true)
    ok_eq "names: no such guest listed" 0 "$n"
    after=$(cd "$dir" && find etc run lib log -print | LC_ALL=C sort)
    ok_eq "names: no file written for them" "$before" "$after"
}

# --- a. read-only connections ---------------------------------------------
dir=$work/ro
if sandbox_up "$dir"; then
    if fixtures "$URI"; then
        tap_ok "read-only: the guests are set up"
        "$PY" "$ACLPY" ro "$URI" "$dir/libvirt-sock-ro" "$work" > "$work/ro.tap" 2>&1
        helper_tap "$work/ro.tap"
        files_private "$dir"
    else
        tap_fail "read-only: the guests are set up"
    fi
    hostile_names "$URI" "$dir"
    "$top_srcdir/scripts/sandbox" down "$dir" >/dev/null 2>&1
else
    tap_fail "read-only: sandbox up"
fi

# --- b. polkit --------------------------------------------------------------
dir=$work/pk
rm -f "$work/acl-img.save"
if [ "${ACL_POLKIT:-1}" = 0 ]; then
    tap_skip "polkit" "ACL_POLKIT=0"
elif [ ! -x /usr/lib/polkit-1/polkitd ] || ! command -v dbus-daemon >/dev/null; then
    tap_skip "polkit" "polkitd and dbus are not installed (scripts/setup installs them)"
elif ! id nobody >/dev/null 2>&1; then
    tap_skip "polkit" "no user 'nobody' to be the unprivileged caller"
elif sandbox_up "$dir" --polkit; then
    if fixtures "$URI"; then
        tap_ok "polkit: the guests are set up"
        "$PY" "$ACLPY" polkit "$URI" "$work" "$dir/polkit/rules.d/50-acl.rules" \
            "$dir/log/polkitd.log" > "$work/pk.tap" 2>&1
        helper_tap "$work/pk.tap"
    else
        tap_fail "polkit: the guests are set up"
    fi
    "$top_srcdir/scripts/sandbox" down "$dir" >/dev/null 2>&1
else
    tap_fail "polkit: sandbox up --polkit" "$(tail -n 5 "$dir/log/"*.stderr 2>/dev/null)"
fi

sandbox_cleanup
rm -rf "$work"
tap_done

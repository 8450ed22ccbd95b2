#!/usr/bin/env bash
# virt-manager (Debian's) under Xvfb, driven through AT-SPI by dogtail the
# way virt-manager's own uitests drive it (virtmanager-ui.py), connected to
# a sandbox's URI: the domain list with the defined guests, Run, a guest's
# window with its text console, the Performance graphs' values, Pause and
# resume, a snapshot, Shut Down; the domain's state checked through libvirt.
# Screenshots in tests/libxltest/artifacts/virtmanager/ (gitignored).
# Both modules (stock's failures recorded).  INTEGRATION_DRIVERS (default
# "ours stock").
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

for c in virt-manager Xvfb dbus-run-session qemu-img; do
    if ! command -v $c >/dev/null; then
        echo "1..0 # SKIP $c is not installed (scripts/setup installs virt-manager, xvfb, python3-dogtail, qemu-utils)"
        exit 0
    fi
done
if ! "${PYTHON3:-python3}" -c 'import dogtail' 2>/dev/null; then
    echo "1..0 # SKIP python3-dogtail is not installed (scripts/setup installs it)"
    exit 0
fi

work=$(mktemp -d /tmp/xl-vmgr.XXXXXX)
lc_files "$work"
art=${top_builddir:-$top_srcdir}/tests/libxltest/artifacts/virtmanager
mkdir -p "$art"

# run_ui DRV: Xvfb, a session bus with the accessibility bus, virt-manager
# connected to $URI, and the dogtail driver; its TAP lines are renumbered
run_ui() {
    local drv=$1 disp xpid line
    disp=:$((90 + RANDOM % 400))
    Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb-$drv.log" 2>&1 &
    xpid=$!
    for _ in $(seq 100); do
        [ -e "/tmp/.X11-unix/X${disp#:}" ] && break
        sleep 0.1
    done
    # virt-manager's settings in a home of its own: every stats poll on
    # (memory, disk and network are off by default), no confirmation dialogs
    mkdir -p "$work/home-$drv/.config/glib-2.0/settings"
    cat > "$work/home-$drv/.config/glib-2.0/settings/keyfile" <<'EOF'
[org/virt-manager/virt-manager/stats]
enable-cpu-poll=true
enable-disk-poll=true
enable-net-poll=true
enable-memory-poll=true
update-interval=1

[org/virt-manager/virt-manager/confirm]
forcepoweroff=false
poweroff=false
pause=false

[org/virt-manager/virt-manager/vmlist-fields]
cpu-usage=true
memory-usage=true
disk-usage=true
network-traffic=true
EOF
    DISPLAY=$disp HOME=$work/home-$drv XDG_CONFIG_HOME=$work/home-$drv/.config \
    GTK_MODULES=gail:atk-bridge NO_AT_BRIDGE=0 GSETTINGS_BACKEND=keyfile \
    timeout -k 5 170 dbus-run-session -- bash -c '
        /usr/libexec/at-spi-bus-launcher --launch-immediately >/dev/null 2>&1 &
        sleep 1
        virt-manager --no-fork --debug --connect "$1" >"$2/virt-manager-$3.log" 2>&1 &
        vm=$!
        "$4" "$5" "$1" vmgr-pv "$6" "$3"
        rc=$?
        kill $vm 2>/dev/null
        wait $vm 2>/dev/null
        exit $rc' _ "$URI" "$work" "$drv" "${PYTHON3:-python3}" \
        "$top_srcdir/tests/libxltest/virtmanager-ui.py" "$art" \
        </dev/null >"$work/ui-$drv.tap" 2>"$work/ui-$drv.err"
    local rc=$?
    kill "$xpid" 2>/dev/null
    wait "$xpid" 2>/dev/null
    cp "$work/virt-manager-$drv.log" "$art/" 2>/dev/null
    local seen=0
    while IFS= read -r line; do
        case $line in
            "ok "*|"not ok "*)
                seen=1
                tap_n=$((tap_n + 1))
                case $line in
                    "not ok "*"# TODO"*) echo "not ok $tap_n -${line#*-}" ;;
                    "not ok "*) tap_failed=$((tap_failed + 1)); echo "not ok $tap_n -${line#*-}" ;;
                    *) echo "ok $tap_n -${line#*-}" ;;
                esac ;;
            *) echo "$line" ;;
        esac
    done < "$work/ui-$drv.tap"
    if [ "$seen" = 0 ] || [ "$rc" = 124 ] || grep -q Traceback "$work/ui-$drv.err"; then
        TAP_RECORD=$([ "$drv" = stock ] && echo "stock: recorded")
        tap_fail "$drv: the UI driver ran to its end (exit $rc)" "$(tail -n 15 "$work/ui-$drv.err")"
        TAP_RECORD=
    fi
    ok_eq "$drv: virt-manager's own log has no ERROR" "" \
        "$(grep -E '\] ERROR \(' "$work/virt-manager-$drv.log" 2>/dev/null | head -n 20)"
}

for drv in ${INTEGRATION_DRIVERS:-ours stock}; do
    SB=$work/sb-$drv
    sandbox_up "$SB" --driver="$drv" --host=sim || { tap_fail "$drv: sandbox up"; continue; }
    # the guest virt-manager drives has a writable qcow2 disk: virt-manager
    # offers snapshots only where every writable disk is qcow2
    qemu-img create -q -f qcow2 "$work/vmgr-pv-$drv.qcow2" 8M
    lc_xml pv vmgr-pv "$work" |
        sed "s#type='raw'#type='qcow2'#; s#$work/disk.img#$work/vmgr-pv-$drv.qcow2#" \
        > "$work/vmgr-pv.xml"
    lc_xml hvm vmgr-hvm "$work" > "$work/vmgr-hvm.xml"
    ok_run "$drv: two guests defined" bash -c "virsh -c '$URI' define '$work/vmgr-pv.xml' &&
        virsh -c '$URI' define '$work/vmgr-hvm.xml'"
    run_ui "$drv"
    "$top_srcdir/scripts/sandbox" down "$SB" >/dev/null 2>&1
done

sandbox_cleanup
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# The seeds' save/restore race (../shared/seeds: "When doing save/restore in
# a loop, I eventually hit a race between libxlEventHandler() and domain
# cleanup in libxlDoDomainSave()"), with our module:
#   LC_SAVE_CYCLES (default 200, in CI too)
#   save/restore cycles of one guest while another domain starts and is
#   destroyed in a loop and 'virsh event --all' listens: every cycle
#   succeeds, each saved/restored lifecycle event arrives exactly once,
#   the other domain's events are whole, and libvirtd holds no more fds at
#   the end than before;
#   LC_SAVE_VG_CYCLES (default 10) of them under valgrind: no invalid
#   access, no memory the module allocated definitely lost.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-saverace.XXXXXX)
lc_files "$work"
cycles=${LC_SAVE_CYCLES:-200}
vgcycles=${LC_SAVE_VG_CYCLES:-10}

fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

race() { # label sbdir cycles [sandbox options...]
    local label=$1 sb=$2 n=$3 i fails=0 churn pid before after out
    shift 3
    sandbox_up "$sb" --driver=ours "$@" || { tap_fail "$label: sandbox up"; return; }
    pid=$(awk '{print $1}' "$sb/libvirtd.pid")
    lc_xml pv sr-main "$work" > "$work/sr-main.xml"
    lc_xml pv sr-churn "$work" > "$work/sr-churn.xml"
    virsh -c "$URI" define "$work/sr-main.xml" >/dev/null 2>&1
    virsh -c "$URI" start sr-main >/dev/null 2>&1
    # one cycle first: whatever the first save opens for good is open now
    virsh -c "$URI" save sr-main "$work/sr.img" >/dev/null 2>&1
    virsh -c "$URI" restore "$work/sr.img" >/dev/null 2>&1
    before=$(fds_of "$pid")

    lc_events_start "$URI" "$work/events-$label"
    (
        while [ ! -f "$work/stop-churn" ]; do
            virsh -c "$URI" create "$work/sr-churn.xml" >/dev/null 2>&1
            virsh -c "$URI" destroy sr-churn >/dev/null 2>&1
        done
    ) &
    churn=$!
    for ((i = 0; i < n; i++)); do
        if ! out=$(virsh -c "$URI" save sr-main "$work/sr.img" 2>&1 &&
                   virsh -c "$URI" restore "$work/sr.img" 2>&1); then
            fails=$((fails + 1))
            echo "# cycle $i: $out"
            virsh -c "$URI" start sr-main >/dev/null 2>&1
        fi
    done
    touch "$work/stop-churn"
    wait "$churn"
    rm -f "$work/stop-churn"
    sleep 1
    lc_events_stop

    ok_eq "$label: $n save/restore cycles beside a churning domain" 0 "$fails"
    ok_eq "$label: one 'Stopped Saved' event per save" "$n" \
        "$(lc_count "$work/events-$label" "'sr-main'.*Stopped Saved")"
    ok_eq "$label: one 'Started Restored' event per restore" "$n" \
        "$(lc_count "$work/events-$label" "'sr-main'.*Started Restored")"
    ok_eq "$label: no other lifecycle event of the saved domain" 0 \
        "$(grep "'sr-main'" "$work/events-$label" | grep lifecycle |
           grep -vc -e "Stopped Saved" -e "Started Restored" || true)"
    ok_eq "$label: the churning domain's starts and stops pair up" \
        "$(lc_count "$work/events-$label" "'sr-churn'.*Started")" \
        "$(lc_count "$work/events-$label" "'sr-churn'.*Stopped")"
    ok_match "$label: the domain runs at the end" "^running" \
        "$(virsh -c "$URI" domstate sr-main 2>&1)"
    after=$(fds_of "$pid")
    ok_eq "$label: libvirtd holds as many fds as before ($before)" "$before" "$after"
    virsh -c "$URI" destroy sr-main >/dev/null 2>&1
    "$top_srcdir/scripts/sandbox" down "$sb" >/dev/null 2>&1
}

race plain "$work/sb" "$cycles"

if command -v valgrind >/dev/null; then
    race valgrind "$work/sbvg" "$vgcycles" --valgrind
    vg=$work/sbvg/log/valgrind.log
    ok_eq "valgrind: no invalid access (the module)" "" "$(lc_vg_errors "$vg" | grep -v xensim)"
    ok_eq "valgrind: no memory the module allocated definitely lost" "" \
        "$(lc_vg_module_leaks "$vg")"
else
    tap_skip "valgrind: no invalid access" "valgrind is not installed"
fi

sandbox_cleanup
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# Fault injection (issue 17, item 1), table-driven: each API of the table
# is called while xensim makes one libxl entry point it uses fail with one
# of libxl's error codes.  Each time: the call fails with an error naming
# the entry point and libxl's reason; the domain's state, live and
# persistent XML, status file and xensim's domain list are as before; no
# file is left behind (save images, dumps); and the same call succeeds
# once the fault is cleared (no job leaked).  An entry point the call does
# not use (the call succeeds with the fault set) is reported, not failed.
# The figure: calls x faults tried, failures.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-faults.XXXXXX)
lc_files "$work"
truncate -s 8M "$work/extra.img"
dir=$work/s
ctl=$top_builddir/xensim/xensimctl
ERRORS=${FAULT_ERRORS:-ERROR_FAIL ERROR_NOMEM ERROR_INVAL}

sandbox_up "$dir" || { tap_fail "sandbox up"; tap_done; exit 1; }
X() { "$ctl" --dir "$dir/xensim" "$@"; }
V() { virsh -q -c "$URI" "$@"; }

ok_run "define f1" V define <(lc_xml pv f1 "$work")

# the state a failed call must leave as it found it
state() {
    V domstate f1 2>&1
    V dumpxml f1 2>&1
    V dumpxml --inactive f1 2>&1
    cat "$dir/run/libvirt/libxl/f1.xml" 2>/dev/null | grep -v '<domstatus\|^$'
    X list | awk '{ print $1, $2, $3 }'
    ls "$work"
}

# setups: the state the call starts from
running() {
    # running, with the same domid a second later: a reboot or a shutdown
    # the previous row asked for has played out
    local i id1 id2
    for i in 1 2 3 4 5 6 7 8 9 10; do
        V domstate f1 | grep -q '^shut off' && V start f1 >/dev/null 2>&1
        V domstate f1 | grep -q '^paused' && V resume f1 >/dev/null 2>&1
        id1=$(V domid f1 2>/dev/null)
        sleep 1
        id2=$(V domid f1 2>/dev/null)
        if [ -n "$id1" ] && [ "$id1" != "-" ] && [ "$id1" = "$id2" ] &&
           V domstate f1 | grep -q '^running'; then
            return 0
        fi
    done
    return 1
}
off() {
    V domstate f1 | grep -q '^shut off' || V destroy f1 >/dev/null
    V managedsave-remove f1 >/dev/null 2>&1
    V domstate f1 | grep -q '^shut off'
}
paused() { running && V suspend f1 >/dev/null; }
saved() { off && running && V save f1 "$work/f1.save" >/dev/null; }
nothing() { :; }

# NAME | SETUP | CALL | UNDO (after the call succeeded) | ENTRY POINTS
TABLE='
start|off|start f1|destroy f1|libxl_domain_create_new libxl_domain_unpause libxl_userdata_store libxl_evenable_domain_death
destroy|running|destroy f1|start f1|libxl_domain_destroy
suspend|running|suspend f1|resume f1|libxl_domain_pause
resume|paused|resume f1|nothing|libxl_domain_unpause
save|running|save f1 WORK/f1.save|restore WORK/f1.save|libxl_domain_suspend libxl_domain_pause
restore|saved|restore WORK/f1.save|destroy f1|libxl_domain_create_restore libxl_domain_unpause
managedsave|running|managedsave f1|start f1|libxl_domain_suspend
dump|running|dump f1 WORK/f1.core|nothing|libxl_domain_core_dump
setmem|running|setmem f1 48M --live|setmem f1 64M --live|libxl_set_memory_target
vcpupin|running|vcpupin f1 0 0 --live|nothing|libxl_set_vcpuaffinity
schedinfo|running|schedinfo f1 --live --set weight=512|nothing|libxl_domain_sched_params_set
attach-disk|running|attach-disk f1 WORK/extra.img xvdc --live|detach-disk f1 xvdc --live|libxl_device_disk_add
reboot|running|reboot f1|destroy f1|libxl_domain_reboot libxl_domain_shutdown
shutdown|running|shutdown f1|destroy f1|libxl_domain_shutdown
'

tried=0
failures=0
unused=()
while IFS='|' read -r name setup call undo eps; do
    [ -n "$name" ] || continue
    call=${call//WORK/$work}
    undo=${undo//WORK/$work}
    for ep in $eps; do
        for err in $ERRORS; do
            X fault clear >/dev/null
            rm -f "$work/f1.core"
            if ! "$setup"; then
                tap_fail "$name: the setup ($setup)" "$(V domstate f1 2>&1)"
                continue
            fi
            before=$(state)
            X fault set "$ep" "$err" always >/dev/null
            # shellcheck disable=SC2086
            out=$(V $call 2>&1)
            rc=$?
            X fault clear >/dev/null
            if [ "$rc" = 0 ]; then
                unused+=("$name:$ep")
                # shellcheck disable=SC2086
                [ "$undo" = nothing ] || V $undo >/dev/null 2>&1
                break
            fi
            tried=$((tried + 1))
            lc_wait_state "$URI" f1 "$(echo "$before" | head -1)" 2 || true
            after=$(state)
            local_fail=0
            if ! printf '%s' "$out" | grep -q "fault injected on $ep"; then
                tap_fail "$name with $ep failing ($err): the error names $ep and libxl's reason" "$out"
                local_fail=1
            fi
            if [ "$before" != "$after" ]; then
                tap_fail "$name with $ep failing ($err): nothing changed" \
                    "$(diff <(echo "$before") <(echo "$after") | head -20)"
                local_fail=1
            fi
            # shellcheck disable=SC2086
            if ! again=$(V $call 2>&1); then
                tap_fail "$name with $ep failing ($err): the call succeeds once the fault is cleared (no job left)" "$again"
                local_fail=1
            else
                # shellcheck disable=SC2086
                [ "$undo" = nothing ] || V $undo >/dev/null 2>&1
            fi
            if [ "$local_fail" = 0 ]; then
                tap_ok "$name with $ep failing ($err): refused naming it ('${out##*: fault}'), nothing changed, works after"
            else
                failures=$((failures + 1))
            fi
        done
    done
done <<< "$TABLE"
X fault clear >/dev/null
[ ${#unused[@]} = 0 ] || echo "# not used by the call (it succeeded with the fault set): ${unused[*]}"
echo "# fault injection: $tried calls x faults tried, $failures failures"

# A domain gone from Xen before libvirt processed its death (a destroy or
# a shutdown that ran out while the query waited for the domain's lock):
# libxl_domain_info says ERROR_DOMAIN_NOTFOUND.  The queries say the domain
# is not running, not "internal error" (reliability-random.py met it as
# an unexpected error of virDomainGetInfo).
running || tap_fail "f1 running for the vanished-domain queries"
for call in "dominfo f1" "dommemstat f1" "cpu-stats f1 --total"; do
    X fault set libxl_domain_info ERROR_DOMAIN_NOTFOUND once >/dev/null
    # shellcheck disable=SC2086
    out=$(V $call 2>&1)
    X fault clear >/dev/null
    ok_match "$call of a domain gone from Xen: 'domain is not running'" \
        "Requested operation is not valid: domain is not running" "$out"
    if printf '%s' "$out" | grep -q "internal error"; then
        tap_fail "$call of a domain gone from Xen: no internal error" "$out"
    else
        tap_ok "$call of a domain gone from Xen: no internal error"
    fi
done
ok_match "dominfo once Xen has the domain again" "State: *running" "$(V dominfo f1 2>&1)"

sandbox_cleanup
rm -rf "$work"
tap_done

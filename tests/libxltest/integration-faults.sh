#!/usr/bin/env bash
# Fault injection (issue 17, item 1), table-driven and discovered: each API
# of the table is first run once with xensim's call trace reset
# (`xensimctl calls reset`, `xensimctl calls`), which gives the libxl entry
# points the API really uses; then, for each such entry point and each
# error code of $FAULT_ERRORS, the API is called again while xensim makes
# that entry point fail.  Each time: the call fails with an error naming
# the entry point and libxl's reason; the domain's state, live and
# persistent XML, status file and xensim's domain list are as before; no
# file is left behind (save images, dumps); and the same call succeeds
# once the fault is cleared (no job leaked).  An entry point whose failure
# the API tolerates (the call succeeds with the fault set) is reported,
# not failed.  The figure: APIs, entry points, calls x faults, failures.
#
# Short form (make check): FAULT_ERRORS unset, ERROR_FAIL only.
# Long form: FAULT_ERRORS=all, every libxl error code libxl.h defines that
# an entry point can plausibly return (see ALL_ERRORS), or FAULT_ERRORS=
# "ERROR_X ERROR_Y" for a chosen set.  FAULT_APIS="start save" limits the
# table to some APIs.
#
# Entry points not faulted: the getters (EXCLUDE below) of every mutating
# API: libvirtd's own background work (the death watch, the status
# refresh) calls them too, so a fault on them is not the API's; they are
# faulted in the query rows (dominfo, domstats, nodeinfo, ...).  xenstore
# (xs_*) calls fail with an errno, not a libxl code: listed, not faulted.
# Not in the table: reset (a PV guest, f1, has no reset line), emulatorpin
# --live (refused: the device model runs in Domain-0), send-key and
# screenshot (the device model's, no libxl call).
# The driver's libxl calls served entirely inside xensim's preloaded
# library, never asking xensimd, cannot fail in xensim and are named in
# the output (LOCAL).
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-faults.XXXXXX)
lc_files "$work"
truncate -s 8M "$work/extra.img"
dir=$work/s
ctl=$top_builddir/xensim/xensimctl
ALL_ERRORS="ERROR_FAIL ERROR_NOMEM ERROR_INVAL ERROR_NOPARAVIRT ERROR_TIMEDOUT
ERROR_DOMAIN_NOTFOUND ERROR_ABORTED ERROR_NOTFOUND ERROR_BADFAIL
ERROR_GUEST_TIMEDOUT ERROR_DEVICE_EXISTS ERROR_NOT_READY ERROR_LOCK_FAIL
ERROR_FEATURE_REMOVED ERROR_NOTFOUND ERROR_DOMAIN_DESTROYED"
ERRORS=${FAULT_ERRORS:-ERROR_FAIL}
[ "$ERRORS" = all ] && ERRORS=$(echo $ALL_ERRORS | tr ' ' '\n' | sort -u | tr '\n' ' ')
EXCLUDE='^(libxl_domain_info|libxl_list_domain|libxl_list_vcpu|libxl_domid_to_name|libxl_name_to_domid|libxl_get_[a-z_]*|libxl_list_cpupool|libxl_cpupool_info|libxl_userdata_retrieve|libxl_retrieve_domain_configuration|libxl_domain_sched_params_get|libxl_vcpu_sched_params_get|libxl_get_memory_target|libxl_domain_get_nodeaffinity|libxl_device_[a-z]*_list|libxl_ctx_alloc|xs_[a-z_]*)$'
LOCAL="libxl_cpu_bitmap_alloc libxl_node_bitmap_alloc libxl_get_required_shadow_memory libxl_evdisable_domain_death libxl_ao_abort libxl_event_register_callbacks libxl_osevent_register_hooks libxl_osevent_occurred_fd libxl_osevent_occurred_timeout libxl_childproc_setmode libxl_ctx_free"
SECONDS=0

sandbox_up "$dir" || { tap_fail "sandbox up"; tap_done; exit 1; }
X() { "$ctl" --dir "$dir/xensim" "$@"; }
V() { virsh -q -c "$URI" "$@"; }

ok_run "define f1" V define <(lc_xml pv f1 "$work" | sed "s|<vcpu>1</vcpu>|<vcpu current='1'>2</vcpu>|")
# the state a failed call must leave as it found it
state() {
    V "domstate f1; dumpxml f1; dumpxml --inactive f1" 2>&1
    grep -v '<domstatus\|^$' "$dir/run/libvirt/libxl/f1.xml" 2>/dev/null
    X list | awk '{ print $1, $2, $3 }'
    ls "$work"
}

# setups: the state the call starts from
running() {
    # running, with the same domid a moment later: a reboot or a shutdown
    # the previous row asked for has played out
    local i st id1 id2
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        st=$(V "domstate f1; domid f1" 2>/dev/null)
        case $st in
            "shut off"*) V start f1 >/dev/null 2>&1; continue ;;
            paused*) V resume f1 >/dev/null 2>&1; continue ;;
            running*) ;;
            *) sleep 0.2; continue ;;
        esac
        id1=${st##*$'\n'}
        sleep 0.3
        id2=$(V domid f1 2>/dev/null)
        [ -n "$id1" ] && [ "$id1" != "-" ] && [ "$id1" = "$id2" ] && return 0
    done
    return 1
}
off() {
    V domstate f1 | grep -q '^shut off' || V destroy f1 >/dev/null
    V domstate f1 | grep -q '^shut off' || V destroy f1 >/dev/null
    V managedsave-remove f1 >/dev/null 2>&1
    V domstate f1 | grep -q '^shut off'
}
paused() { running && V suspend f1 >/dev/null; }
saved() { off && running && V save f1 "$work/f1.save" >/dev/null; }
msaved() { running && V managedsave f1 >/dev/null; }
disk() { running && { V domblklist f1 | grep -q xvdc ||
                      V attach-disk f1 "$work/extra.img" xvdc --live >/dev/null; }; }
nodisk() { running && { V domblklist f1 | grep -q xvdc || return 0;
                        V detach-disk f1 xvdc --live >/dev/null; }; }
nothing() { :; }

# NAME | SETUP | CALL | KIND (m: mutating, its getters excluded; q: query)
TABLE='
start|off|start f1|m
start-paused|off|start f1 --paused|m
destroy|running|destroy f1|m
shutdown|running|shutdown f1|m
reboot|running|reboot f1|m
suspend|running|suspend f1|m
resume|paused|resume f1|m
save|running|save f1 WORK/f1.save|m
restore|saved|restore WORK/f1.save|m
managedsave|running|managedsave f1|m
start-managedsave|msaved|start f1|m
dump|running|dump f1 WORK/f1.core|m
setmem|running|setmem f1 48M --live|m
setmaxmem-live|running|setmaxmem f1 128M --live|m
setvcpus|running|setvcpus f1 2 --live|m
vcpupin|running|vcpupin f1 0 0 --live|m
schedinfo|running|schedinfo f1 --live --set weight=512|m
attach-disk|nodisk|attach-disk f1 WORK/extra.img xvdc --live|m
detach-disk|disk|detach-disk f1 xvdc --live|m
inject-nmi|running|inject-nmi f1|m
domrename|off|domrename f1 f1x|m
dominfo|running|dominfo f1|q
domstats|running|domstats f1|q
dommemstat|running|dommemstat f1|q
vcpuinfo|running|vcpuinfo f1|q
schedinfo-get|running|schedinfo f1|q
nodeinfo|nothing|nodeinfo|q
freecell|nothing|freecell --all|q
nodememstats|nothing|nodememstats|q
'

tried=0
failures=0
apis=0
tolerated=()
noeps=()
declare -A seen_eps=()
while IFS='|' read -r name setup call kind; do
    [ -n "$name" ] || continue
    if [ -n "${FAULT_APIS:-}" ] && ! [[ " $FAULT_APIS " == *" $name "* ]]; then
        continue
    fi
    call=${call//WORK/$work}
    X fault clear >/dev/null
    rm -f "$work/f1.core" "$work/f1.save"
    [ "$name" = domrename ] && { V domrename f1x f1 >/dev/null 2>&1; }
    if ! "$setup"; then
        tap_fail "$name: the setup ($setup)" "$(V domstate f1 2>&1)"
        continue
    fi
    # discovery: the entry points this call uses
    X calls reset >/dev/null
    # shellcheck disable=SC2086
    if ! out=$(V $call 2>&1); then
        tap_fail "$name: the call works without a fault" "$out"
        continue
    fi
    used=$(X calls | awk '{ print $1 }' | sort)
    [ "$name" = domrename ] && V domrename f1x f1 >/dev/null 2>&1
    apis=$((apis + 1))
    eps=""
    for ep in $used; do
        if [[ $ep == xs_* ]] || { [ "$kind" = m ] && [[ $ep =~ $EXCLUDE ]]; }; then
            continue
        fi
        eps="$eps $ep"
        seen_eps[$ep]=1
    done
    echo "# $name uses: $(echo $used) -> faulted:$eps"
    [ -n "$eps" ] || noeps+=("$name")
    for ep in $eps; do
        for err in $ERRORS; do
            X fault clear >/dev/null
            rm -f "$work/f1.core"
            [ "$name" = restore ] || rm -f "$work/f1.save"
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
            [ "$name" = domrename ] && V domrename f1x f1 >/dev/null 2>&1
            if [ "$rc" = 0 ]; then
                tolerated+=("$name:$ep:$err")
                continue
            fi
            tried=$((tried + 1))
            expect=$before
            if [ "$name:$ep" = dump:libxl_domain_unpause ]; then
                # documented cleanup: the dump is complete and kept, the
                # guest stays paused and libvirt says so
                [ -f "$work/f1.core" ] || tap_fail "dump with the unpause failing: the dump is kept"
                rm -f "$work/f1.core"
                expect=$(echo "$before" | sed '1s/^running$/paused/; s/^\([0-9]* f1\) running$/\1 paused/')
            fi
            lc_wait_state "$URI" f1 "$(echo "$expect" | head -1)" 2 || true
            after=$(state)
            local_fail=0
            # libxl_domain_info's ERROR_DOMAIN_NOTFOUND: the domain is gone
            # from Xen, and a query says so (the vanished-domain checks below)
            if [ "$ep:$err" = libxl_domain_info:ERROR_DOMAIN_NOTFOUND ] &&
               printf '%s' "$out" | grep -q "domain is not running: domain [0-9]* is gone from Xen"; then
                :
            elif ! printf '%s' "$out" | grep -q "$ep.*fault injected on $ep\|fault injected on $ep"; then
                tap_fail "$name with $ep failing ($err): the error names $ep and libxl's reason" "$out"
                local_fail=1
            fi
            if printf '%s' "$out" | grep -q "internal error" &&
               ! printf '%s' "$out" | grep -q "$ep"; then
                tap_fail "$name with $ep failing ($err): no bare internal error" "$out"
                local_fail=1
            fi
            if [ "$expect" != "$after" ]; then
                tap_fail "$name with $ep failing ($err): nothing changed (or the documented cleanup)" \
                    "$(diff <(echo "$expect") <(echo "$after") | head -20)"
                local_fail=1
            fi
            # shellcheck disable=SC2086
            if ! again=$(V $call 2>&1); then
                tap_fail "$name with $ep failing ($err): the call succeeds once the fault is cleared (no job left)" "$again"
                local_fail=1
            fi
            [ "$name" = domrename ] && V domrename f1x f1 >/dev/null 2>&1
            if [ "$local_fail" = 0 ]; then
                tap_ok "$name with $ep failing ($err): refused naming it, nothing changed, works after"
            else
                failures=$((failures + 1))
            fi
        done
    done
done <<< "$TABLE"
X fault clear >/dev/null
[ ${#noeps[@]} = 0 ] || echo "# no libxl entry point to fault (none, or only getters/xenstore): ${noeps[*]}"
[ ${#tolerated[@]} = 0 ] || echo "# failure tolerated (the call succeeded with the fault set): ${tolerated[*]}"
echo "# served inside xensim's preloaded library, cannot be faulted: $LOCAL"
echo "# fault injection: $apis APIs, ${#seen_eps[@]} entry points, $tried calls x faults tried ($(echo $ERRORS | wc -w) error codes), $failures failures, ${SECONDS}s"

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

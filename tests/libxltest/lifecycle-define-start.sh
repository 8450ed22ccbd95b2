#!/usr/bin/env bash
# A define while the domain is being started (a slow build: xensim
# build_delay_ms) or running, with our module and the stock one: the new
# XML is the persistent next definition (written to the configuration file,
# 'dumpxml --inactive'), the live XML stays the one being started, and
# after a destroy the domain has the new definition.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-lcdefstart.XXXXXX)
lc_files "$work"

# ds_xml NAME DESCRIPTION MIB: the same domain (one UUID), changed
ds_xml() {
    lc_xml pv "$1" "$work" "" \
        "<uuid>6c1b8a52-3f0e-4d21-9a57-0d2c4e8f1b10</uuid><description>$2</description>" |
        sed "s|<memory unit='MiB'>64</memory>|<memory unit='MiB'>$3</memory>|"
}

define_checks() { # drv uri sbdir
    local drv=$1 uri=$2 sb=$3 t=$1 dom=ds-dom pid rc xml
    local ctl="$top_builddir/xensim/xensimctl" conf="$3/etc/libxl/ds-dom.xml"

    ds_xml "$dom" first-definition 64 > "$work/$drv-1.xml"
    ds_xml "$dom" second-definition 96 > "$work/$drv-2.xml"
    ds_xml "$dom" third-definition 80 > "$work/$drv-3.xml"
    ok_run "$t: define" virsh -c "$uri" define "$work/$drv-1.xml"

    "$ctl" --dir "$sb/xensim" host set build_delay_ms 3000 >/dev/null
    virsh -c "$uri" start "$dom" > "$work/$drv-start.out" 2>&1 &
    pid=$!
    sleep 1
    ok_run "$t: define a changed XML during the start" virsh -c "$uri" define "$work/$drv-2.xml"
    wait "$pid"
    rc=$?
    "$ctl" --dir "$sb/xensim" host set build_delay_ms 0 >/dev/null
    ok_eq "$t: the start succeeds" 0 "$rc"

    [ "$drv" = stock ] && TAP_TODO="stock: a define during the start replaces the definition being started"
    xml=$(virsh -c "$uri" dumpxml "$dom" 2>&1)
    ok_match "$t: the live XML is the one started" "first-definition" "$xml"
    ok_match "$t: the live memory is the one started" "<memory unit='KiB'>65536</memory>" "$xml"
    xml=$(virsh -c "$uri" dumpxml --inactive "$dom" 2>&1)
    ok_match "$t: dumpxml --inactive is the new definition" "second-definition" "$xml"
    ok_match "$t: with its memory" "<memory unit='KiB'>98304</memory>" "$xml"
    ok_match "$t: the configuration file is the new definition" "second-definition" \
        "$(cat "$conf" 2>&1)"
    TAP_TODO=

    # while it runs, the same
    ok_run "$t: define while running" virsh -c "$uri" define "$work/$drv-3.xml"
    [ "$drv" = stock ] && TAP_TODO="stock: the live XML is the one defined during the start"
    ok_match "$t: running: the live XML stays" "first-definition" \
        "$(virsh -c "$uri" dumpxml "$dom" 2>&1)"
    TAP_TODO=
    ok_match "$t: running: dumpxml --inactive is the newest" "third-definition" \
        "$(virsh -c "$uri" dumpxml --inactive "$dom" 2>&1)"
    ok_match "$t: running: the configuration file is the newest" "third-definition" \
        "$(cat "$conf" 2>&1)"

    ok_run "$t: destroy" virsh -c "$uri" destroy "$dom"
    xml=$(virsh -c "$uri" dumpxml "$dom" 2>&1)
    ok_match "$t: after destroy the domain has the newest definition" "third-definition" "$xml"
    ok_match "$t: with its memory" "<memory unit='KiB'>81920</memory>" "$xml"
    ok_run "$t: start it again" virsh -c "$uri" start "$dom"
    ok_match "$t: it runs the newest definition" "third-definition" \
        "$(virsh -c "$uri" dumpxml "$dom" 2>&1)"
    virsh -c "$uri" destroy "$dom" >/dev/null 2>&1
    virsh -c "$uri" undefine "$dom" >/dev/null 2>&1
}

lc_sandboxes_up "$work"
for drv in ours stock; do
    [ -n "${uris[$drv]:-}" ] || continue
    lc_par define_checks "$drv" "${uris[$drv]}" "$work/sb-$drv"
done
lc_par_wait

sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

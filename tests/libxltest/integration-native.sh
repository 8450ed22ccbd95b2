#!/usr/bin/env bash
# virsh domxml-from-native / domxml-to-native (xen-xl, xen-xm) through the
# daemon, with our module and the stock one, on the project's native cases.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-native.XXXXXX)
data=$top_srcdir/tests/libxltest/nativedata

# stock_known CASE CHECK: the stock module's reason for failing CHECK on
# CASE (nativedata/stock-known.txt), set as TAP_TODO while it runs
stock_known() {
    TAP_TODO=
    [ "$drv" = stock ] || return 0
    TAP_TODO=$(awk -v c="$1" -v k="$2" '$1 == c && $2 == k { $1 = $2 = ""; sub(/^ +/, ""); print }' \
               "$data/stock-known.txt")
}

# The domain XML without what depends on the host (emulator and loader
# paths) and without secrets, which the daemon only formats on request.
normalize() { grep -v -E '<emulator>|<loader|^$' "$1" | sed "s/ passwd='[^']*'//"; }

native_checks() { # driver uri
    local drv=$1 uri=$2 cfg name fmt
    for cfg in "$data"/*.cfg; do
        name=$(basename "$cfg" .cfg)
        case $name in xm-*) fmt=xen-xm ;; *) fmt=xen-xl ;; esac
        stock_known "$name" xml
        if ! virsh -c "$uri" domxml-from-native "$fmt" "$cfg" > "$work/$drv-$name.xml" 2> "$work/err"; then
            tap_fail "$drv: $fmt $name to XML" "$(cat "$work/err")"
            stock_known "$name" round
            tap_fail "$drv: $fmt $name round trip through the daemon is stable" "no XML to start from"
            continue
        fi
        if diff -u <(normalize "$data/$name.xml") <(normalize "$work/$drv-$name.xml") > "$work/diff"; then
            tap_ok "$drv: $fmt $name to XML matches $name.xml"
        else
            tap_fail "$drv: $fmt $name to XML matches $name.xml" "$(head -n 30 "$work/diff")"
        fi
        stock_known "$name" round
        rm -f "$work/diff"
        if virsh -c "$uri" domxml-to-native "$fmt" "$work/$drv-$name.xml" > "$work/$drv-$name.cfg" 2> "$work/err" &&
           virsh -c "$uri" domxml-from-native "$fmt" "$work/$drv-$name.cfg" > "$work/$drv-$name.2.xml" 2>> "$work/err" &&
           diff -u "$work/$drv-$name.xml" "$work/$drv-$name.2.xml" > "$work/diff"; then
            tap_ok "$drv: $fmt $name round trip through the daemon is stable"
        else
            tap_fail "$drv: $fmt $name round trip through the daemon is stable" "$(cat "$work/err" "$work/diff" 2>/dev/null | head -n 30)"
        fi
    done
    TAP_TODO=

    ok_fail "$drv: an unknown native format is refused by name" "xen-sxpr|format" \
        virsh -c "$uri" domxml-from-native xen-sxpr "$data/xl-pv-kernel.cfg"
    printf 'name = "bad"\nmemory = 512\ndisk = [ "phy:/dev/vg/x,xvda,w"\n' > "$work/unterminated.cfg"
    ok_fail "$drv: an unterminated list is refused" "line|list|expect|\\]" \
        virsh -c "$uri" domxml-from-native xen-xl "$work/unterminated.cfg"
    head -c 2000 /dev/urandom | tr -d '\0' > "$work/garbage.cfg"
    ok_fail "$drv: binary garbage is refused" "." \
        virsh -c "$uri" domxml-from-native xen-xl "$work/garbage.cfg"
    ok_run "$drv: the daemon still answers after bad input" virsh -c "$uri" uri
}

for drv in ours stock; do
    if sandbox_up "$work/$drv" --driver=$drv --host=sim 2>"$work/$drv.err"; then
        tap_ok "$drv: sandbox up"
        native_checks "$drv" "$URI"
    else
        tap_fail "$drv: sandbox up" "$(cat "$work/$drv.err")"
    fi
    "$top_srcdir/scripts/sandbox" down "$work/$drv" >/dev/null 2>&1
done

rm -rf "$work"
tap_done

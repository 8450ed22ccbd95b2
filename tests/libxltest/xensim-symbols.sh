#!/bin/sh
# xensim-symbols.sh: every libxl_/xs_ symbol a driver module imports must be
# defined by libxensim with the importing version node (implemented, or a
# loud stub), or be a pure helper left to the real library; every xc_
# (libxenctrl) symbol it imports must be implemented by libxensim.  Also:
# every libxl_/xs_/xc_ symbol libxensim defines carries VERS_4.17.0 /
# VERS_4.0 / VERS_4.17.0.
#
# Modules: Debian's stock libvirt_driver_libxl.so and ours (skipped while
# it is not built).  Output: TAP, a test per imported symbol and per
# check of libxensim's own symbols.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
lib=$top_builddir/xensim/.libs/libxensim.so
stock=${XENLIGHT_STOCK_MODULE:-/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_libxl.so}
ours=$top_builddir/src/libxl/.libs/libvirt_driver_libxl.so
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
flunk() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }

[ -f "$lib" ] || { echo "1..1"; echo "not ok 1 - $lib is not built"; exit 1; }

# What libxensim defines: "NAME VERSION"
objdump -T "$lib" | awk '$2 == "g" && $3 == "DF" && $4 != "*UND*" &&
    ($NF ~ /^libxl_/ || $NF ~ /^xs_/ || $NF ~ /^xc_/) { print $NF, $(NF-1) }' |
    sort > "$tmp/defined"
[ -s "$tmp/defined" ] || { echo "1..1"; echo "not ok 1 - libxensim defines no libxl_/xs_ symbol"; exit 1; }

# Right version nodes on everything libxensim defines.
while read -r name version; do
    case $name in
    libxl_*|xc_*) want=VERS_4.17.0 ;;
    xs_*) want=VERS_4.0 ;;
    esac
    if [ "$version" != "$want" ]; then
        flunk "libxensim defines $name with version $version, not $want"
    fi
done < "$tmp/defined"

# The classification libxensim was built from: "NAME implemented|stub|pure"
python3 "$top_srcdir/xensim/gen-stubs.py" \
    --entry-points "$top_srcdir/xensim/entry-points.txt" \
    --libxenlight "$($CC -print-file-name=libxenlight.so)" \
    --libxenstore "$($CC -print-file-name=libxenstore.so)" \
    --libxenctrl "$($CC -print-file-name=libxenctrl.so)" \
    --cc "$CC" --classify > "$tmp/classes" || { echo "1..1"; echo "not ok 1 - gen-stubs.py --classify"; exit 1; }

# libxensim must not shadow a pure helper: those stay the real library's.
while read -r name version; do
    if [ "$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/classes")" = pure ]; then
        flunk "libxensim defines $name, a pure helper of the real library"
    fi
done < "$tmp/defined"

check_module() { # label path
    label=$1 mod=$2
    objdump -T "$mod" | awk '$0 ~ /\*UND\*/ && ($NF ~ /^libxl_/ || $NF ~ /^xs_/ || $NF ~ /^xc_/) {
        v = $(NF-1); gsub(/[()]/, "", v); print $NF, v }' | sort -u > "$tmp/imports"
    count=$(wc -l < "$tmp/imports")
    echo "# $label module: $mod ($count libxl_/xs_/xc_ imports)"
    while read -r name version; do
        defver=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/defined")
        class=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/classes")
        if [ -n "$defver" ]; then
            if [ "$defver" != "$version" ]; then
                flunk "$label: $name@$version imported, libxensim defines $name@$defver"
            elif [ "$class" = implemented ]; then
                pass "$label: $name@$version: implemented by libxensim"
            else
                pass "$label: $name@$version: loud stub in libxensim"
            fi
        elif [ "$class" = real ]; then
            flunk "$label: $name@$version: libxenctrl's, not implemented by libxensim"
        elif [ "$class" = pure ]; then
            pass "$label: $name@$version: real libxenlight (pure helper)"
        else
            flunk "$label: $name@$version would fall through to the real library"
        fi
    done < "$tmp/imports"
}

check_module stock "$stock"
if [ -f "$ours" ]; then
    check_module ours "$ours"
else
    echo "# ours: $ours not built, skipped"
fi

[ $fail = 0 ] && pass "libxensim: every libxl_/xs_/xc_ symbol carries its library's version node, no pure helper shadowed"
echo "1..$n"
exit $fail

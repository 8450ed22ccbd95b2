#!/bin/sh
# xensim-symbols.sh: every libxl_/xs_ symbol a driver module imports must be
# defined by libxensim with the importing version node (implemented, or a
# loud stub), or be a pure helper left to the real library.  Also: every
# libxl_/xs_ symbol libxensim defines carries VERS_4.17.0 / VERS_4.0.
#
# Modules: Debian's stock libvirt_driver_libxl.so and ours (skipped while
# it is not built).  Prints one line per imported symbol.
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

[ -f "$lib" ] || { echo "FAIL: $lib is not built"; exit 1; }

# What libxensim defines: "NAME VERSION"
objdump -T "$lib" | awk '$2 == "g" && $3 == "DF" && $4 != "*UND*" &&
    ($NF ~ /^libxl_/ || $NF ~ /^xs_/) { print $NF, $(NF-1) }' | sort > "$tmp/defined"
[ -s "$tmp/defined" ] || { echo "FAIL: libxensim defines no libxl_/xs_ symbol"; exit 1; }

# Right version nodes on everything libxensim defines.
while read -r name version; do
    case $name in
    libxl_*) want=VERS_4.17.0 ;;
    xs_*) want=VERS_4.0 ;;
    esac
    if [ "$version" != "$want" ]; then
        echo "FAIL: libxensim defines $name with version $version, not $want"
        fail=1
    fi
done < "$tmp/defined"

# The classification libxensim was built from: "NAME implemented|stub|pure"
python3 "$top_srcdir/xensim/gen-stubs.py" \
    --entry-points "$top_srcdir/xensim/entry-points.txt" \
    --libxenlight "$($CC -print-file-name=libxenlight.so)" \
    --libxenstore "$($CC -print-file-name=libxenstore.so)" \
    --cc "$CC" --classify > "$tmp/classes" || { echo "FAIL: gen-stubs.py --classify"; exit 1; }

# libxensim must not shadow a pure helper: those stay the real library's.
while read -r name version; do
    if [ "$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/classes")" = pure ]; then
        echo "FAIL: libxensim defines $name, a pure helper of the real library"
        fail=1
    fi
done < "$tmp/defined"

check_module() { # label path
    label=$1 mod=$2
    objdump -T "$mod" | awk '$0 ~ /\*UND\*/ && ($NF ~ /^libxl_/ || $NF ~ /^xs_/) {
        v = $(NF-1); gsub(/[()]/, "", v); print $NF, v }' | sort -u > "$tmp/imports"
    n=$(wc -l < "$tmp/imports")
    echo "# $label module: $mod ($n libxl_/xs_ imports)"
    while read -r name version; do
        defver=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/defined")
        class=$(awk -v n="$name" '$1 == n { print $2 }' "$tmp/classes")
        if [ -n "$defver" ]; then
            if [ "$defver" != "$version" ]; then
                echo "FAIL: $label: $name@$version imported, libxensim defines $name@$defver"
                fail=1
            elif [ "$class" = implemented ]; then
                echo "$label: $name@$version: implemented by libxensim"
            else
                echo "$label: $name@$version: loud stub in libxensim"
            fi
        elif [ "$class" = pure ]; then
            echo "$label: $name@$version: real libxenlight (pure helper)"
        else
            echo "FAIL: $label: $name@$version would fall through to the real library"
            fail=1
        fi
    done < "$tmp/imports"
}

check_module stock "$stock"
if [ -f "$ours" ]; then
    check_module ours "$ours"
else
    echo "# ours: $ours not built, skipped"
fi

[ $fail = 0 ] && echo "PASS: xensim-symbols" || echo "FAIL: xensim-symbols"
exit $fail

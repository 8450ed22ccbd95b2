#!/usr/bin/env bash
# make install / make uninstall in a scratch root: the module replaces the
# stock one, and uninstall puts the stock one back byte for byte.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"

root=$(mktemp -d /tmp/xl-install.XXXXXX)
moddir=$(sed -n 's/^LIBVIRT_DRIVER_MODDIR = //p' "$top_builddir/Makefile")
stock=$moddir/libvirt_driver_libxl.so
ours=$top_builddir/src/libxl/.libs/libvirt_driver_libxl.so

mkdir -p "$root$moddir"
if [ -f "$stock" ]; then
    cp "$stock" "$root$moddir/"
else
    # no stock module on this machine: any file stands in for it
    head -c 4096 /dev/urandom > "$root$moddir/libvirt_driver_libxl.so"
fi
cp "$root$moddir/libvirt_driver_libxl.so" "$root/original"

ok_run "make install into a scratch root" make -s -C "$top_builddir" install DESTDIR="$root"
ok_run "the installed module is ours" cmp "$ours" "$root$moddir/libvirt_driver_libxl.so"
ok_run "the installed module exports libxlRegister" \
    sh -c "nm -D --defined-only '$root$moddir/libvirt_driver_libxl.so' | grep -qw libxlRegister"
ok_eq "the module exports nothing else" "libxlRegister" \
    "$(nm -D --defined-only "$root$moddir/libvirt_driver_libxl.so" | awk '$2 ~ /[TDB]/ {print $3}' | sort -u | paste -sd' ')"
ok_run "a second install keeps the first backup" make -s -C "$top_builddir" install DESTDIR="$root"
ok_run "make uninstall" make -s -C "$top_builddir" uninstall DESTDIR="$root"
ok_run "uninstall restores the stock module byte for byte" \
    cmp "$root/original" "$root$moddir/libvirt_driver_libxl.so"
left=$(cd "$root" && find . -type f ! -name original ! -path ".$moddir/libvirt_driver_libxl.so" | sort)
ok_eq "uninstall leaves no other file behind" "" "$left"

rm -rf "$root"
tap_done

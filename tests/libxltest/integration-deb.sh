#!/usr/bin/env bash
# The Debian package (issue 18): libvirt-daemon-driver-xenlight_*.deb, as
# 'make deb' builds it, installed, upgraded, removed and purged with dpkg in
# a scratch root: an overlay of the host's / (the lower layer, never
# written) with a tmpfs upper layer, mounted in a private mount namespace
# and entered with chroot, so that the maintainer scripts really run.  While
# installed, libvirt-daemon-driver-xen's module is diverted aside
# (*.distrib, byte for byte the stock one) and the module at its path is
# the one this build made (same GNU build ID); after remove and purge the
# stock module is back byte for byte and no diversion is left.  The
# installed module is loaded by Debian's libvirtd in a sandbox and runs a
# guest.  The host's own files and dpkg database are checked unchanged.
#   DEB=FILE   the package to test (default: the newest in top_builddir,
#              built with 'make deb' when there is none)
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

pkg=libvirt-daemon-driver-xenlight
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
mod=/usr/lib/$multiarch/libvirt/connection-driver/libvirt_driver_libxl.so
lens=/usr/share/augeas/lenses/libvirtd_libxl.aug
lenstest=/usr/share/augeas/lenses/tests/test_libvirtd_libxl.aug

for tool in unshare chroot dpkg-deb sha256sum readelf; do
    command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
if ! dpkg-query -W -f='${Status}' libvirt-daemon-driver-xen 2>/dev/null | grep -q 'ok installed'; then
    echo "1..0 # SKIP libvirt-daemon-driver-xen is not installed"
    exit 0
fi

# The rest runs in a mount namespace of its own: the scratch root's mounts
# vanish with it.
if [ -z "${XL_DEB_NS:-}" ]; then
    exec unshare -m --propagation private env XL_DEB_NS=1 "${BASH:-bash}" "$0" "$@"
fi

deb=${DEB:-}
if [ -z "$deb" ]; then
    deb=$(ls -t "$top_builddir"/${pkg}_*.deb 2>/dev/null | head -n 1)
    if [ -z "$deb" ]; then
        make -s -C "$top_builddir" deb >&2 || { echo "Bail out! make deb failed"; exit 1; }
        deb=$(ls -t "$top_builddir"/${pkg}_*.deb | head -n 1)
    fi
fi
deb=$(readlink -f "$deb")
# the module the package's build made, unstripped (deb-build/, make deb)
built=$(ls -t "$top_builddir"/deb-build/*/src/libxl/.libs/libvirt_driver_libxl.so 2>/dev/null | head -n 1)

work=$(mktemp -d /tmp/xl-deb.XXXXXX)
root=$work/root
cleanup() {
    sandbox_cleanup
    umount -R "$root" 2>/dev/null
    umount "$work/layers" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

sha() { sha256sum "$1" 2>&1 | cut -d' ' -f1; }
buildid() { readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: *//p'; }
diversions() { # ROOT: the diversions, sorted
    chroot "$1" dpkg-divert --list 2>/dev/null | LC_ALL=C sort
}
ours_diverted() { diversions "$root" | grep -c "by $pkg\$"; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
state() { in_root dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | tr -d ' '; }

# The host as it is before: checked unchanged at the end.
host_sha=$(sha "$mod")
host_lens=$(sha "$lens")
host_div=$(diversions /)
host_status=$(sha /var/lib/dpkg/status)

# The scratch root.
mkdir -p "$work/layers" "$root"
mount -t tmpfs -o size=512m xl-deb "$work/layers" &&
    mkdir -p "$work/layers/upper" "$work/layers/work" &&
    mount -t overlay xl-deb -o "lowerdir=/,upperdir=$work/layers/upper,workdir=$work/layers/work" "$root" &&
    mount -t proc proc "$root/proc" &&
    mount --rbind /dev "$root/dev" &&
    mount -t tmpfs tmpfs "$root/run" &&
    mount -t tmpfs tmpfs "$root/tmp" || { echo "Bail out! cannot mount the scratch root"; exit 1; }
cp "$deb" "$root/tmp/$pkg.deb"

stock_sha=$(sha "$root$mod")
stock_lens=$(sha "$root$lens")
stock_lenstest=$(sha "$root$lenstest")
ok_eq "the scratch root starts with no diversion of $pkg" 0 "$(ours_diverted)"

libvirt_ver=$(dpkg-query -W -f='${Version}' libvirt0)
depends=$(dpkg-deb -f "$deb" Depends | sed 's/, */\n/g')
ok_eq "Depends on the exact libvirt0 it was built for" "libvirt0 (= $libvirt_ver)" \
    "$(grep '^libvirt0 ' <<<"$depends")"
ok_eq "Depends on the exact libvirt-daemon-driver-xen" "libvirt-daemon-driver-xen (= $libvirt_ver)" \
    "$(grep '^libvirt-daemon-driver-xen ' <<<"$depends")"

installed_checks() { # WHAT
    local what=$1
    ok_eq "$what: $pkg is installed" ii "$(state)"
    ok_eq "$what: three diversions by $pkg" 3 "$(ours_diverted)"
    ok_match "$what: the stock module diverted to .distrib" \
        "^diversion of $mod to $mod.distrib by $pkg\$" "$(diversions "$root")"
    ok_eq "$what: the diverted module is the stock one, byte for byte" "$stock_sha" "$(sha "$root$mod.distrib")"
    ok_eq "$what: the diverted lens is the stock one" "$stock_lens" "$(sha "$root$lens.distrib")"
    if [ -n "$built" ]; then
        ok_eq "$what: the module at the stock path is this build's (build ID)" \
            "$(buildid "$built")" "$(buildid "$root$mod")"
    else
        tap_skip "$what: the module at the stock path is this build's" "no deb-build/ tree"
    fi
    ok_eq "$what: the lens at the stock path is the package's" \
        "$(sha "$top_srcdir/debian/augeas/libvirtd_libxl.aug")" "$(sha "$root$lens")"
    ok_run "$what: augparse runs the installed lens test" in_root augparse "$lenstest"
    ok_eq "$what: libxl.conf documentation shipped" yes \
        "$([ -s "$root/usr/share/doc/$pkg/examples/libxl.conf" ] && echo yes)"
}

stock_back() { # WHAT
    local what=$1
    ok_eq "$what: the stock module is back, byte for byte" "$stock_sha" "$(sha "$root$mod")"
    ok_eq "$what: the stock lens is back" "$stock_lens" "$(sha "$root$lens")"
    ok_eq "$what: the stock lens test is back" "$stock_lenstest" "$(sha "$root$lenstest")"
    ok_eq "$what: no .distrib left" "" "$(ls "$root$mod.distrib" "$root$lens.distrib" "$root$lenstest.distrib" 2>/dev/null)"
    ok_eq "$what: dpkg-divert --list as before install" "$host_div" "$(diversions "$root")"
}

# install
out=$(in_root dpkg -i /tmp/$pkg.deb 2>&1)
rc=$?
ok_eq "dpkg -i installs" 0 $rc
[ $rc = 0 ] || echo "$out" | sed 's/^/# /'
installed_checks install

# upgrade to a later version of the same package
ver=$(dpkg-deb -f "$deb" Version)
rm -rf "$work/re" && dpkg-deb -R "$deb" "$work/re" &&
    sed -i "s/^Version: .*/Version: $ver+upgrade1/" "$work/re/DEBIAN/control" &&
    dpkg-deb -b -Zxz "$work/re" "$root/tmp/$pkg-up.deb" >/dev/null
out=$(in_root dpkg -i /tmp/$pkg-up.deb 2>&1)
ok_eq "dpkg -i upgrades to $ver+upgrade1" "0 $ver+upgrade1" \
    "$? $(in_root dpkg-query -W -f='${Version}' $pkg 2>/dev/null)"
installed_checks upgrade

# remove, then purge
ok_run "dpkg -r removes" in_root dpkg -r $pkg
ok_match "remove: the package is removed" "^(rc|un|pn)$" "$(state)"
stock_back remove
ok_run "dpkg -P purges" in_root dpkg -P $pkg
ok_eq "purge: the package is gone" "" "$(in_root dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -v not-installed)"
stock_back purge

# install again, purge straight from installed
ok_run "dpkg -i installs again" in_root dpkg -i /tmp/$pkg.deb
installed_checks reinstall

# the installed module in Debian's libvirtd: a guest runs
cp "$root$mod" "$work/installed.so"
lc_files "$work"
sb=$work/sb
if sandbox_up "$sb" --driver="$root$mod" >/dev/null 2>"$work/sandbox.err"; then
    tap_ok "the installed module loads in a sandbox"
    ok_match "it is the Xen driver answering" "xen" "$(virsh -c "$URI" version 2>&1 | tr A-Z a-z)"
    lc_xml pv debpv "$work" > "$work/debpv.xml"
    ok_run "virsh create of a PV guest" virsh -c "$URI" create "$work/debpv.xml"
    ok_eq "the guest runs" running "$(virsh -c "$URI" domstate debpv 2>&1 | head -n 1)"
    ok_run "virsh destroy" virsh -c "$URI" destroy debpv
    ok_eq "the guest is gone" "Domain-0" "$(virsh -q -c "$URI" list --all --name 2>&1 | sed '/^$/d')"
    "$top_srcdir/scripts/sandbox" down "$sb" >/dev/null 2>&1
else
    tap_fail "the installed module loads in a sandbox" "$(cat "$work/sandbox.err")"
fi

ok_run "dpkg -P purges from installed" in_root dpkg -P $pkg
stock_back "purge from installed"

# the real host never saw any of it
ok_eq "the host's module unchanged" "$host_sha" "$(sha "$mod")"
ok_eq "the host's lens unchanged" "$host_lens" "$(sha "$lens")"
ok_eq "the host's diversions unchanged" "$host_div" "$(diversions /)"
ok_eq "the host's dpkg status unchanged" "$host_status" "$(sha /var/lib/dpkg/status)"

tap_done

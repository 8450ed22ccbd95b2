#!/usr/bin/env bash
# Bad input to the setup and sandbox scripts and to xensim: one line on stderr,
# exit status 1, nothing left running.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"

work=$(mktemp -d /tmp/xl-bad.XXXXXX)

# one_line_error DESC CMD...: exit 1 and exactly one line on stderr
one_line_error() {
    local d=$1 rc lines
    shift
    "$@" >"$work/out" 2>"$work/err"
    rc=$?
    lines=$(wc -l < "$work/err")
    if [ "$rc" = 1 ] && [ "$lines" = 1 ]; then
        tap_ok "$d"
    else
        tap_fail "$d" "\$ $*" "exit $rc, $lines stderr lines:" "$(cat "$work/err")"
    fi
}

# nothing_runs DESC DIR: no process of ours has DIR on its command line or in its environment
nothing_runs() {
    local p hits=
    for p in /proc/[0-9]*; do
        [ "${p#/proc/}" = $$ ] && continue
        if tr '\0' ' ' 2>/dev/null < "$p/cmdline" | grep -q -- "$2" ||
           tr '\0' '\n' 2>/dev/null < "$p/environ" | grep -q -- "=$2"; then
            hits="$hits ${p#/proc/}:$(tr '\0' ' ' 2>/dev/null < "$p/cmdline")"
        fi
    done
    ok_eq "$1" "" "$hits"
}

# scripts/setup's version checks
mkdir -p "$work/oldsrc/src"
printf "project(\n  'libvirt', 'c',\n  version: '8.0.0',\n)\n" > "$work/oldsrc/meson.build"
one_line_error "setup: a libvirt source of another version" \
    "$top_srcdir/scripts/setup" --check --libvirt-src "$work/oldsrc"
ok_fail "setup: the error names both versions" "8\.0\.0.*9\.0\.0" \
    "$top_srcdir/scripts/setup" --check --libvirt-src "$work/oldsrc"
one_line_error "setup: a libvirt.so without LIBVIRT_PRIVATE_9.0.0" \
    "$top_srcdir/scripts/setup" --check --libvirt-src "$LIBVIRT_SRC" --libvirt-so /bin/true
ok_run "setup: the real pair passes the check" \
    "$top_srcdir/scripts/setup" --check --libvirt-src "$LIBVIRT_SRC"
one_line_error "setup: an unknown option" "$top_srcdir/scripts/setup" --frobnicate

# scripts/sandbox
one_line_error "sandbox: an unknown --driver" "$top_srcdir/scripts/sandbox" up "$work/sb0" --driver=qemu
one_line_error "sandbox: an unknown --host" "$top_srcdir/scripts/sandbox" up "$work/sb0" --host=kvm
one_line_error "sandbox: an unknown command" "$top_srcdir/scripts/sandbox" frob "$work/sb0"
nothing_runs "sandbox: nothing left running after bad options" "$work/sb0"

if [ "$(id -u)" = 0 ]; then
    printf 'cpus = 4\nthis line is not a setting\n' > "$work/bad.cfg"
    one_line_error "sandbox: a malformed xensim config" \
        "$top_srcdir/scripts/sandbox" up "$work/sb1" --xensim-config="$work/bad.cfg" --host=sim
    ok_fail "sandbox: the xensim config error names the line" "bad\.cfg.*2|line 2" \
        "$top_srcdir/scripts/sandbox" up "$work/sb1" --xensim-config="$work/bad.cfg" --host=sim
    nothing_runs "sandbox: nothing left running after a bad xensim config" "$work/sb1"
    ok_eq "sandbox: no socket left after a bad xensim config" "" \
        "$(find "$work/sb1" -type s 2>/dev/null)"

    printf 'cpus = many\n' > "$work/bad2.cfg"
    one_line_error "xensimd: a bad value" "$top_builddir/xensim/xensimd" --dir "$work/xs2" --config "$work/bad2.cfg"
    one_line_error "xensimd: an unknown flag" "$top_builddir/xensim/xensimd" --dir "$work/xs3" --frobnicate
    head -c 3000 /dev/urandom > "$work/garbage.cfg"
    one_line_error "xensimd: binary garbage as config" "$top_builddir/xensim/xensimd" --dir "$work/xs4" --config "$work/garbage.cfg"
    nothing_runs "xensimd: nothing left running after bad configs" "$work/xs"

    if sandbox_up "$work/busy" --driver=ours --host=sim; then
        uri=$URI
        one_line_error "sandbox: up on a busy DIR" "$top_srcdir/scripts/sandbox" up "$work/busy"
        ok_run "sandbox: the first sandbox still answers" virsh -c "$uri" uri
        ok_run "sandbox: down" "$top_srcdir/scripts/sandbox" down "$work/busy"
        nothing_runs "sandbox: nothing left running after down" "$work/busy"
        ok_eq "sandbox: no mount left behind" "" "$(grep -F "$work" /proc/self/mountinfo)"
    else
        tap_fail "sandbox: up for the busy-DIR test"
    fi
else
    tap_skip "sandbox tests that start daemons" "need root"
fi

rm -rf "$work"
tap_done

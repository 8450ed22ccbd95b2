#!/usr/bin/env bash
# Hostile domain names (issue 19): the driver makes file names of domain
# names (configuration, status, autostart link, log, dumps), so a name
# with '/', a newline, only dots or too long for a file name is refused at
# define, create and rename, through virsh and the Python binding, with an
# error naming the problem, and no file appears anywhere: not in the
# sandbox's tree, not outside it.  A domain an older build defined with
# such a name is still listed, cannot start, and can be renamed or
# undefined.  The stock module's answers are recorded beside ours.
# INTEGRATION_DRIVERS (default "ours stock") chooses the modules.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-names.XXXXXX)
lc_files "$work"
long=$(printf 'n%.0s' $(seq 1 1000))
# relative to /etc/libvirt/libxl (config) or /run/libvirt/libxl (status),
# this one reaches $work itself, outside the sandbox
escape="../../../..$work/escaped"

# hostile_xml FILE NAME: a PV guest called NAME (raw: it may hold a newline)
hostile_xml() {
    lc_xml pv NAMEPLACEHOLDER "$work" | N=$2 awk '{
        i = index($0, "NAMEPLACEHOLDER")
        if (i) $0 = substr($0, 1, i - 1) ENVIRON["N"] substr($0, i + 15)
    } 1' > "$1"
}

# tree DIR: every path under DIR (what is there, not what it holds)
tree() { (cd "$1" && find . -path ./log -prune -o -print | LC_ALL=C sort); }

# refused DESC PATTERN CMD...: refused with an error matching PATTERN
refused() { ok_fail "$@"; }

check_driver() {
    local drv=$1 dir=$work/$drv before after out
    sandbox_up "$dir" --driver="$drv" || { tap_fail "$drv: sandbox up"; return; }
    # the record of the stock module: its answers, not requirements
    local rec=
    [ "$drv" = stock ] && rec="stock module: recorded"


    hostile_xml "$work/slash.xml" '../x'
    hostile_xml "$work/ab.xml" 'a/b'
    hostile_xml "$work/nl.xml" "$(printf 'a\nb')"
    hostile_xml "$work/long.xml" "$long"
    hostile_xml "$work/dots.xml" '..'
    hostile_xml "$work/dot.xml" '.'
    hostile_xml "$work/escape.xml" "$escape"

    # a first definition makes the configuration directory: the tree is
    # taken with it there
    ok_run "$drv: define a well-named domain" \
        virsh -c "$URI" define <(lc_xml pv good "$work")
    before=$(tree "$dir")

    # '/': both modules refuse it at define (libvirt's own rule)
    refused "$drv: define '../x' refused, naming '/'" "name \.\./x cannot contain '/'" \
        virsh -c "$URI" define "$work/slash.xml"
    refused "$drv: define 'a/b' refused, naming '/'" "name a/b cannot contain '/'" \
        virsh -c "$URI" define "$work/ab.xml"
    refused "$drv: define of a name escaping the tree refused" "cannot contain '/'" \
        virsh -c "$URI" define "$work/escape.xml"
    refused "$drv: create '../x' refused, naming '/'" "cannot contain '/'" \
        virsh -c "$URI" create "$work/slash.xml"
    refused "$drv: create of a name escaping the tree refused" "cannot contain '/'" \
        virsh -c "$URI" create "$work/escape.xml"

    TAP_RECORD=$rec
    refused "$drv: define of a name with a newline refused" "control characters|invalid char in name" \
        virsh -c "$URI" define "$work/nl.xml"
    refused "$drv: create of a name with a newline refused" "control characters|invalid char in name" \
        virsh -c "$URI" create "$work/nl.xml"
    refused "$drv: define of a 1000-character name refused, saying how long a name may be" \
        "1000 characters long; at most 235" virsh -c "$URI" define "$work/long.xml"
    refused "$drv: create of a 1000-character name refused, saying how long a name may be" \
        "1000 characters long; at most 235" virsh -c "$URI" create "$work/long.xml"
    refused "$drv: define of '..' refused" "dots only" virsh -c "$URI" define "$work/dots.xml"
    refused "$drv: create of '.' refused" "dots only" virsh -c "$URI" create "$work/dot.xml"
    TAP_RECORD=

    # rename: a good domain cannot take a hostile name, and keeps its own
    TAP_RECORD=$rec
    for bad in '../x' 'a/b' "$escape"; do
        refused "$drv: rename to '$bad' refused, naming '/'" "cannot contain '/'" \
            virsh -c "$URI" domrename good "$bad"
    done
    refused "$drv: rename to a name with a newline refused" "control characters" \
        virsh -c "$URI" domrename good "$(printf 'a\nb')"
    refused "$drv: rename to a 1000-character name refused" "at most 235" \
        virsh -c "$URI" domrename good "$long"
    refused "$drv: rename to '...' refused" "dots only" \
        virsh -c "$URI" domrename good '...'
    TAP_RECORD=
    ok_eq "$drv: the domain keeps its name" "shut off" \
        "$(virsh -c "$URI" domstate good 2>&1)"

    # the Python binding gets the same refusals
    out=$("$PYTHON3" - "$URI" "$work" "$long" "$escape" <<'EOF' 2>&1
import sys, libvirt
uri, work, long_name, escape = sys.argv[1:]
conn = libvirt.open(uri)
def xml_named(name):
    x = open(work + "/slash.xml").read()
    start, end = x.index("<name>") + 6, x.index("</name>")
    return x[:start] + name + x[end:]
good = conn.lookupByName("good")
for name in ["../x", "a/b", "a\nb", long_name, "..", escape]:
    for what, call in (("define", lambda: conn.defineXML(xml_named(name))),
                       ("create", lambda: conn.createXML(xml_named(name), 0)),
                       ("rename", lambda: good.rename(name, 0))):
        try:
            call()
            print("ACCEPTED %s %r" % (what, name[:20]))
        except libvirt.libvirtError as e:
            print("refused %s %r: %s" % (what, name[:20], e.get_error_message()[:160]))
print("names:", sorted(d.name() for d in conn.listAllDomains()))
EOF
)
    TAP_RECORD=$rec
    ok_eq "$drv: python: every hostile define, create and rename refused" "" \
        "$(printf '%s\n' "$out" | grep -E '^ACCEPTED|Traceback' || true)"
    ok_eq "$drv: python: only Domain-0 and the good domain are listed" \
        "names: ['Domain-0', 'good']" "$(printf '%s\n' "$out" | grep '^names:')"
    TAP_RECORD=
    ok_match "$drv: python: errors name the problem" "refused define '\.\./x': .*cannot contain '/'" "$out"
    printf '%s\n' "$out" | sed "s/^/# $drv: /"

    after=$(tree "$dir")
    virsh -c "$URI" undefine good >/dev/null 2>&1
    TAP_RECORD=$rec
    ok_eq "$drv: no file appeared or vanished in the sandbox's tree" "" \
        "$(diff <(echo "$before") <(echo "$after") | grep '^[<>]' || true)"
    TAP_RECORD=
    ok_eq "$drv: nothing was written outside the sandbox" "" \
        "$(ls "$work" | grep -E '^escaped' || true)"
}

for drv in ${INTEGRATION_DRIVERS:-ours stock}; do
    check_driver "$drv"
done

# A domain an older build defined as "../legacy" and marked autostart left
# /etc/libvirt/legacy.xml (its configuration) and the symlink
# /etc/libvirt/libxl/legacy.xml (its autostart link
# /etc/libvirt/libxl/autostart/../legacy.xml).  This module lists it, refuses to start it or
# make files of its name, renames it into place, and undefines it.
legacy() { # ACTION: rename or undefine
    local dir=$work/legacy-$1 out
    mkdir -p "$dir/etc/libxl/autostart"
    hostile_xml "$dir/etc/legacy.xml" '../legacy'
    ln -s /etc/libvirt/libxl/../legacy.xml "$dir/etc/libxl/legacy.xml"
    sandbox_up "$dir" --driver=ours || { tap_fail "legacy: sandbox up"; return; }
    ok_match "legacy/$1: the domain is listed" "\.\./legacy +shut off" \
        "$(virsh -c "$URI" list --all 2>&1)"
    refused "legacy/$1: start refused, naming '/'" "cannot contain '/'" \
        virsh -c "$URI" start ../legacy
    refused "legacy/$1: autostart refused, naming '/'" "cannot contain '/'" \
        virsh -c "$URI" autostart ../legacy
    case $1 in
    rename)
        ok_run "legacy: rename to a good name" virsh -c "$URI" domrename ../legacy legacy
        ok_eq "legacy: its configuration is a file in the configuration directory" \
            "file:legacy" \
            "$( [ -f "$dir/etc/libxl/legacy.xml" ] && [ ! -L "$dir/etc/libxl/legacy.xml" ] &&
                echo "file:$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$dir/etc/libxl/legacy.xml")")"
        ok_eq "legacy: the old build's file outside it is gone" "" \
            "$(ls "$dir/etc" | grep -x legacy.xml || true)"
        "$top_srcdir/scripts/sandbox" restart "$dir" >/dev/null 2>&1
        ok_eq "legacy: after a restart it is 'legacy', and starts" "running" \
            "$(virsh -c "$URI" start legacy >/dev/null 2>&1; virsh -c "$URI" domstate legacy 2>&1)"
        virsh -c "$URI" destroy legacy >/dev/null 2>&1
        ;;
    undefine)
        ok_run "legacy: undefine" virsh -c "$URI" undefine ../legacy
        ok_eq "legacy: both of the old build's files are gone" "" \
            "$(ls "$dir/etc" "$dir/etc/libxl" | grep -x legacy.xml || true)"
        "$top_srcdir/scripts/sandbox" restart "$dir" >/dev/null 2>&1
        ok_eq "legacy: after a restart it stays gone" "Domain-0" \
            "$(virsh -c "$URI" list --all --name 2>&1 | sed '/^$/d' | tr '\n' ' ' | sed 's/ $//')"
        ;;
    esac
}
case " ${INTEGRATION_DRIVERS:-ours stock} " in
*" ours "*) legacy rename; legacy undefine ;;
esac

sandbox_cleanup
rm -rf "$work"
tap_done

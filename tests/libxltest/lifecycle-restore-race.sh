#!/usr/bin/env bash
# A restore (or createXML) of a domain that another client is starting
# (reliability-random.py found it): the restore is refused at once,
# naming the start, and changes nothing.  Before, libvirt's ListAdd put
# the image's definition in place of the one the start worked on, the
# restore then waited for the start and failed, and, the domain having
# been undefined meanwhile, removed the domain the start had made run:
# an orphan in Xen that libvirt no longer listed.  Our module only.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

xensimctl=${top_builddir:-$top_srcdir}/xensim/xensimctl
work=$(mktemp -d /tmp/xl-restore-race.XXXXXX)
lc_files "$work"
sb=$work/sb
sandbox_up "$sb" --driver=ours || { tap_fail "sandbox up"; tap_done; exit 1; }
V() { virsh -q -c "$URI" "$@"; }

lc_xml pv rr1 "$work" > "$work/rr1.xml"
ok_run "define rr1" V define "$work/rr1.xml"
ok_run "start rr1" V start rr1
ok_run "save rr1" V save rr1 "$work/rr1.img"
# the image's definition, told apart by a description
V save-image-dumpxml "$work/rr1.img" |
    sed 's|</name>|</name><description>from-the-restore</description>|' > "$work/alt.xml"
ok_match "the replacement XML has the description" "from-the-restore" "$(cat "$work/alt.xml")"

# a start that builds for 3 s
"$xensimctl" --dir "$sb/xensim" host set build_delay_ms 3000 >/dev/null
V start rr1 > "$work/start.out" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
    "$xensimctl" --dir "$sb/xensim" list 2>/dev/null | awk '$2 == "rr1"' | grep -q . && break
    sleep 0.1
done
out=$(V restore "$work/rr1.img" --xml "$work/alt.xml" 2>&1)
rc=$?
if kill -0 "$pid" 2>/dev/null; then starting=yes; else starting=no; fi
ok_eq "restore during the start fails" 1 "$rc"
ok_match "... naming the start" "busy with start" "$out"
ok_eq "... without waiting for it (the start still runs)" yes "$starting"
V undefine rr1 > "$work/undefine.out" 2>&1 &
upid=$!
wait "$pid"
ok_eq "the start succeeds" 0 $?
wait "$upid"
ok_eq "undefine during the start succeeds (the domain runs on, transient)" 0 $?
ok_match "rr1 runs" "^running" "$(V domstate rr1 2>&1)"
ok_eq "rr1's definition is the one it started with" "" "$(V dumpxml rr1 | grep from-the-restore)"
ok_eq "xensim runs rr1 once" 1 "$("$xensimctl" --dir "$sb/xensim" list | awk '$2 == "rr1"' | wc -l)"
ok_eq "libvirt lists it running (no orphan)" "rr1" "$(V list --name | grep '^rr1$')"
"$xensimctl" --dir "$sb/xensim" host set build_delay_ms 0 >/dev/null
ok_run "destroy rr1" V destroy rr1
ok_eq "nothing left in xensim" 0 "$("$xensimctl" --dir "$sb/xensim" list | awk '$2 == "rr1"' | wc -l)"

sandbox_cleanup
rm -rf "$work"
tap_done

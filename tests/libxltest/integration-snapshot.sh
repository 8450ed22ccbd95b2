#!/usr/bin/env bash
# Snapshots (issue 16; src/libxl/libxl_snapshot.c), with our module and the
# stock one (which has none: its refusal recorded as TODO):
#   a tree of depth 3 on a PV guest: s1 with memory (running), s2 --disk-only
#   of the running domain, s3 of the shut-off domain, each disk overlay
#   given a marker (qemu-io writing where the guest would); snapshot-list
#   --tree, --roots, --leaves, --parent, --current, --name; snapshot-info,
#   -dumpxml, -current, -parent; the tree and the current snapshot surviving
#   a daemon restart; reverts across the tree (to a memory state, to a
#   disk-only one, --running, --paused), each disk's markers checked;
#   snapshot-edit (dumpxml + create --redefine); bad input (unknown
#   snapshot, bad XML, a name taken, --quiesce, --live, internal memory)
#   refused saying why with nothing changed; undefine and domrename refused
#   while snapshots exist; snapshot-delete refused where a merge needs the
#   domain off, --metadata, and merges (qemu-img commit) down to the base
#   image, which keeps the markers of the state merged;
#   an HVM guest: --halt, --no-metadata, --atomic, a memory revert, and
#   undefine --snapshots-metadata; virt-manager's calls through the Python
#   binding (listAllSnapshots, snapshotCurrent, getXMLDesc,
#   revertToSnapshot).
# SNAPSHOT_DRIVERS (default "ours stock") chooses the modules.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

if ! command -v qemu-img >/dev/null || ! command -v qemu-io >/dev/null; then
    echo "1..0 # SKIP qemu-img and qemu-io (Debian's qemu-utils) are needed"
    exit 0
fi

work=$(mktemp -d /tmp/xl-snapshot.XXXXXX)
lc_files "$work"
# what snapshot-edit runs as the user's editor
printf '#!/bin/sh\nsed -i "s#<description>edited<#<description>edited-again<#" "$1"\n' > "$work/editor"
chmod 755 "$work/editor"

state() { virsh -c "$1" domstate --reason "$2" 2>&1 | head -1; }
source_of() { virsh -c "$1" dumpxml "$2" 2>/dev/null | sed -n "s/.*<source file='\([^']*\)'.*/\1/p" | head -1; }
format_of() { qemu-img info -U "$1" 2>/dev/null | awk '/^file format:/ { print $3 }'; }
# mark FILE BYTE OFFSET: the guest writes 64 KiB of BYTE at OFFSET
mark() { qemu-io -f "$(format_of "$1")" -c "write -P $2 $3 64k" "$1" >/dev/null 2>&1; }
# markers FILE: the first byte at 0, 64k, 128k and 192k, as the disk reads
markers() {
    local f=$1 fmt o out=
    fmt=$(format_of "$f")
    for o in 0 64k 128k 192k; do
        out+=$(qemu-io -r -U -f "$fmt" -c "read -v $o 1" "$f" 2>/dev/null |
               awk '/^[0-9a-f]+:/ { print $2; exit }')" "
    done
    echo "${out% }"
}
names() { virsh -c "$1" snapshot-list "$2" --name "${@:3}" 2>&1 | sed '/^$/d' | tr '\n' ' ' | sed 's/ $//'; }

tree_checks() { # uri dir
    local uri=$1 d=$2 dom=sn-pv out
    lc_xml pv $dom "$d" > "$d/$dom.xml"
    ok_run "define $dom" virsh -c "$uri" define "$d/$dom.xml"
    mark "$d/disk.img" 0x41 0
    ok_eq "the base image has marker A" "41 00 00 00" "$(markers "$d/disk.img")"
    ok_run "start $dom" virsh -c "$uri" start $dom

    # s1: the running domain, with its memory
    ok_run "snapshot-create-as s1 (running, with memory)" \
        virsh -c "$uri" snapshot-create-as $dom s1 --description "first"
    ok_eq "the domain runs on after s1" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "it runs on the overlay disk.s1" "$d/disk.s1" "$(source_of "$uri" $dom)"
    ok_eq "the overlay is qcow2 over the base image" "qcow2 $d/disk.img" \
        "$(format_of "$d/disk.s1") $(qemu-img info -U --output=json "$d/disk.s1" |
                                      sed -n 's/.*"backing-filename": "\([^"]*\)".*/\1/p')"
    ok_match "s1 keeps the memory state in a save image" "<memory snapshot='external' file='/var/lib/libvirt/libxl/snapshot/$dom/s1.save'/>" \
        "$(virsh -c "$uri" snapshot-dumpxml $dom s1 2>&1)"
    ok_eq "the memory image exists" "yes" \
        "$([ -s "$SB/lib/libxl/snapshot/$dom/s1.save" ] && echo yes || echo no)"
    ok_match "Xen's backend reads the overlay" "qcow2:$d/disk.s1" \
        "$(xensimctl --dir "$SB/xensim" xenstore-ls 2>&1 | grep params)"
    mark "$d/disk.s1" 0x42 64k

    # s2: disk-only, of the running domain
    ok_run "snapshot-create-as s2 --disk-only (running)" \
        virsh -c "$uri" snapshot-create-as $dom s2 --disk-only --atomic
    ok_eq "the domain runs on after s2" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "on disk.s2" "$d/disk.s2" "$(source_of "$uri" $dom)"
    ok_eq "no switch image is left" "s1.save s1.xml s2.xml" \
        "$(ls -A "$SB/lib/libxl/snapshot/$dom" | tr '\n' ' ' | sed 's/ $//')"
    mark "$d/disk.s2" 0x43 128k

    # s3: the shut-off domain
    ok_run "destroy $dom" virsh -c "$uri" destroy $dom
    ok_run "snapshot-create-as s3 (shut off)" virsh -c "$uri" snapshot-create-as $dom s3
    ok_eq "on disk.s3" "$d/disk.s3" "$(source_of "$uri" $dom)"
    ok_eq "the domain stays off" "shut off" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    mark "$d/disk.s3" 0x44 192k
    ok_eq "the current disk reads markers A B C D" "41 42 43 44" "$(markers "$d/disk.s3")"
    ok_match "list --with-snapshot shows the domain" "^$dom\$" \
        "$(virsh -c "$uri" list --all --name --with-snapshot 2>&1)"
    ok_eq "list --without-snapshot does not" "" \
        "$(virsh -c "$uri" list --all --name --without-snapshot 2>&1 | grep -x $dom || true)"

    tree_queries "$uri" "before a daemon restart"
    "$top_srcdir/scripts/sandbox" restart "$SB" >/dev/null 2>&1
    tree_queries "$uri" "after a daemon restart"
    # a host that swaps modules and back keeps them
    "$top_srcdir/scripts/sandbox" restart "$SB" --driver=stock >/dev/null 2>&1
    ok_run "the stock module starts the domain on its overlay" virsh -c "$uri" start $dom
    ok_run "and destroys it" virsh -c "$uri" destroy $dom
    "$top_srcdir/scripts/sandbox" restart "$SB" --driver=ours >/dev/null 2>&1
    tree_queries "$uri" "after a swap to the stock module and back"

    # reverts across the tree
    ok_run "snapshot-revert s1 (memory)" virsh -c "$uri" snapshot-revert $dom s1
    ok_eq "the domain runs again" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "on a new overlay over the base image" "$d/disk.s1-revert-1" "$(source_of "$uri" $dom)"
    ok_eq "it reads A only" "41 00 00 00" "$(markers "$d/disk.s1-revert-1")"
    ok_eq "s1 is current" "s1" "$(virsh -c "$uri" snapshot-current $dom --name 2>&1)"
    ok_eq "snapshot-list --current --descendants" "s2 s3" \
        "$(names "$uri" $dom --current --descendants --topological)"
    ok_eq "the discarded state's overlay is removed, the snapshots' images kept" \
        "disk.img disk.s1 disk.s1-revert-1 disk.s2" \
        "$(cd "$d" && ls disk.* | tr '\n' ' ' | sed 's/ $//')"

    ok_run "snapshot-revert s2 (disk-only)" virsh -c "$uri" snapshot-revert $dom s2
    ok_eq "the domain is shut off, from the snapshot" "shut off (from snapshot)" "$(state "$uri" $dom)"
    ok_eq "its disk reads A B" "41 42 00 00" "$(markers "$(source_of "$uri" $dom)")"

    ok_run "snapshot-revert s3 --running" virsh -c "$uri" snapshot-revert $dom s3 --running
    ok_eq "the domain runs" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "its disk reads A B C" "41 42 43 00" "$(markers "$(source_of "$uri" $dom)")"

    ok_run "snapshot-revert s2 --paused" virsh -c "$uri" snapshot-revert $dom s2 --paused
    ok_eq "the domain is paused" "paused" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "its disk reads A B" "41 42 00 00" "$(markers "$(source_of "$uri" $dom)")"

    # snapshot-edit: dumpxml, create --redefine
    virsh -c "$uri" snapshot-dumpxml $dom s2 2>/dev/null |
        sed 's#<name>s2</name>#<name>s2</name><description>edited</description>#' > "$d/s2.xml"
    ok_run "snapshot-create --redefine --current (snapshot-edit)" \
        virsh -c "$uri" snapshot-create $dom "$d/s2.xml" --redefine --current
    ok_match "the edit shows" "Description: +edited|<description>edited</description>" \
        "$(virsh -c "$uri" snapshot-dumpxml $dom s2 2>&1)"
    ok_eq "the tree is unchanged" "s1 s2 s3" "$(names "$uri" $dom --topological)"
    ok_run "snapshot-edit through an editor" \
        env EDITOR="$work/editor" \
        virsh -c "$uri" snapshot-edit $dom s2
    ok_match "its edit shows" "<description>edited-again</description>" \
        "$(virsh -c "$uri" snapshot-dumpxml $dom s2 2>&1)"

    bad_input "$uri" "$d"

    # delete
    local src
    src=$(source_of "$uri" $dom)
    ok_run "snapshot-delete s3 (a leaf the paused domain left)" virsh -c "$uri" snapshot-delete $dom s3
    ok_eq "s3 and the images only it needed are gone" "disk.img disk.s1 $(basename "$src")" \
        "$(cd "$d" && ls disk.* | tr '\n' ' ' | sed 's/ $//')"
    ok_eq "s2 is a leaf now" "s2" "$(names "$uri" $dom --leaves)"
    ok_eq "the domain is still paused" "paused" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_fail "snapshot-delete s2 needing a merge under the running domain is refused" \
        "disk 'xvda' of running domain 'sn-pv'.*merged into '$d/disk.s1'.*shut the domain off" \
        virsh -c "$uri" snapshot-delete $dom s2
    ok_fail "so is snapshot-delete s1 --children" "merged into '$d/disk.s1'" \
        virsh -c "$uri" snapshot-delete $dom s1 --children
    ok_eq "nothing was deleted" "s1 s2" "$(names "$uri" $dom --topological)"
    ok_eq "the disk is unchanged" "$src" "$(source_of "$uri" $dom)"
    ok_eq "the images are unchanged" "disk.img disk.s1 $(basename "$src")" \
        "$(cd "$d" && ls disk.* | tr '\n' ' ' | sed 's/ $//')"
    ok_run "destroy $dom" virsh -c "$uri" destroy $dom
    ok_fail "domrename with snapshots is refused" "with snapshots" \
        virsh -c "$uri" domrename $dom other
    ok_run "snapshot-delete s1 --children (merging down)" \
        virsh -c "$uri" snapshot-delete $dom s1 --children
    ok_eq "no snapshot is left" "" "$(names "$uri" $dom)"
    ok_eq "the domain is back on its base image" "$d/disk.img" "$(source_of "$uri" $dom)"
    ok_match "as raw" "type='raw'" "$(virsh -c "$uri" dumpxml $dom 2>&1 | grep "<driver")"
    ok_eq "which holds the merged state, A B" "41 42 00 00" "$(markers "$d/disk.img")"
    ok_eq "no overlay is left" "disk.img" "$(cd "$d" && ls disk.* | tr '\n' ' ' | sed 's/ $//')"
    ok_eq "no metadata or memory image is left" "" "$(ls -A "$SB/lib/libxl/snapshot/$dom" 2>/dev/null)"
    ok_run "the domain starts on its base image" virsh -c "$uri" start $dom
    ok_run "destroy $dom" virsh -c "$uri" destroy $dom
}

tree_queries() { # uri when
    local uri=$1 w=$2 dom=sn-pv
    ok_eq "$w: three snapshots, topologically" "s1 s2 s3" "$(names "$uri" $dom --topological)"
    ok_eq "$w: the tree" "s1|  +- s2|      +- s3" \
        "$(virsh -c "$uri" snapshot-list $dom --tree 2>&1 | grep -v '^ *|\? *$' | sed 's/ *$//' | tr '\n' '|' | sed 's/|$//')"
    ok_eq "$w: --roots" "s1" "$(names "$uri" $dom --roots)"
    ok_eq "$w: --leaves" "s3" "$(names "$uri" $dom --leaves)"
    ok_eq "$w: --current (the current one's descendants): none" "" "$(names "$uri" $dom --current)"
    ok_eq "$w: --from s2" "s3" "$(names "$uri" $dom --from s2)"
    ok_eq "$w: snapshot-current" "s3" "$(virsh -c "$uri" snapshot-current $dom --name 2>&1)"
    ok_eq "$w: snapshot-parent s3" "s2" "$(virsh -c "$uri" snapshot-parent $dom s3 2>&1)"
    ok_fail "$w: s1 has no parent" "has no parent" virsh -c "$uri" snapshot-parent $dom s1
    ok_match "$w: --parent" "s3 +[0-9-]+ [0-9:]+ [+0-9]+ +shutoff +s2" \
        "$(virsh -c "$uri" snapshot-list $dom --parent 2>&1)"
    out=$(virsh -c "$uri" snapshot-info $dom s2 2>&1)
    ok_match "$w: snapshot-info s2: disk-snapshot" "State: +disk-snapshot" "$out"
    ok_match "$w: snapshot-info s2: external" "Location: +external" "$out"
    ok_match "$w: snapshot-info s2: parent s1, one child" "Parent: +s1.*Children: +1" "$(echo $out)"
    ok_match "$w: snapshot-info s1: running" "State: +running" "$(virsh -c "$uri" snapshot-info $dom s1 2>&1)"
    ok_match "$w: s1's description" "<description>first</description>" \
        "$(virsh -c "$uri" snapshot-dumpxml $dom s1 2>&1)"
    ok_eq "$w: snapshot-list --from s1 --descendants" "s2 s3" \
        "$(names "$uri" $dom --from s1 --descendants --topological)"
}

bad_input() { # uri dir
    local uri=$1 d=$2 dom=sn-pv before src st
    before=$(names "$uri" $dom --topological)
    src=$(source_of "$uri" $dom)
    st=$(state "$uri" $dom)
    ok_fail "revert to an unknown snapshot names it" "no domain snapshot with matching name 'nosuch'" \
        virsh -c "$uri" snapshot-revert $dom nosuch
    ok_fail "delete of an unknown snapshot names it" "no domain snapshot with matching name 'nosuch'" \
        virsh -c "$uri" snapshot-delete $dom nosuch
    echo "<domainsnapshot><name>bad</name>" > "$d/bad.xml"
    ok_fail "bad XML is refused, saying where" "Premature end of data in tag domainsnapshot" virsh -c "$uri" snapshot-create $dom "$d/bad.xml"
    ok_fail "a name taken is refused" "already has a snapshot named 's1'" \
        virsh -c "$uri" snapshot-create-as $dom s1
    ok_fail "a name with / is refused" "invalid snapshot name" \
        virsh -c "$uri" snapshot-create-as $dom "a/b" --disk-only
    ok_fail "--quiesce is refused saying why" "quiesce needs a guest agent" \
        virsh -c "$uri" snapshot-create-as $dom q --disk-only --quiesce
    ok_fail "--live is refused saying why" "live is not supported" \
        virsh -c "$uri" snapshot-create-as $dom l --live
    ok_fail "internal memory is refused saying why" "no internal snapshots" \
        virsh -c "$uri" snapshot-create-as $dom m --memspec snapshot=internal
    ok_fail "an overlay that exists is refused" "overlay '$d/disk.img' already exists" \
        virsh -c "$uri" snapshot-create-as $dom e --disk-only --diskspec "xvda,file=$d/disk.img"
    ok_fail "undefine with snapshots is refused" "with 3 snapshots; use --snapshots-metadata" \
        virsh -c "$uri" undefine $dom
    ok_eq "nothing changed: the snapshots" "$before" "$(names "$uri" $dom --topological)"
    ok_eq "nothing changed: the disk" "$src" "$(source_of "$uri" $dom)"
    ok_eq "nothing changed: the state" "$st" "$(state "$uri" $dom)"
    ok_eq "nothing changed: no file made" "" \
        "$(cd "$d" && ls | grep -E '\.(q|l|m|e|bad)$|a/b' || true)"
}

hvm_checks() { # uri dir
    local uri=$1 d=$2 dom=sn-hvm
    truncate -s 1M "$d/cd.iso"
    lc_xml hvm $dom "$d" "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='$d/cd.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>" \
        > "$d/$dom.xml"
    ok_run "define and start $dom" \
        bash -c "virsh -c '$uri' define '$d/$dom.xml' && virsh -c '$uri' start $dom"
    ok_run "$dom: snapshot --no-metadata --disk-only" \
        virsh -c "$uri" snapshot-create-as $dom nm --disk-only --no-metadata
    ok_eq "$dom: no snapshot listed" "" "$(names "$uri" $dom)"
    ok_eq "$dom: on the overlay" "$d/disk.nm" "$(source_of "$uri" $dom)"
    mark "$d/disk.nm" 0x45 0
    ok_run "$dom: snapshot h1 --halt" virsh -c "$uri" snapshot-create-as $dom h1 --halt
    ok_eq "$dom: shut off after --halt" "shut off" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "$dom: on disk.h1" "$d/disk.h1" "$(source_of "$uri" $dom)"
    ok_match "$dom: the CD-ROM has no overlay" "<disk name='hdc' snapshot='no'/>" \
        "$(virsh -c "$uri" snapshot-dumpxml $dom h1 2>&1)"
    ok_match "$dom: and keeps its image" "<source file='$d/cd.iso'/>" \
        "$(virsh -c "$uri" dumpxml $dom 2>&1)"
    ok_eq "$dom: the domain's CD-ROM has no snapshot attribute" "" \
        "$(virsh -c "$uri" dumpxml $dom 2>&1 | grep "snapshot=" || true)"
    ok_run "$dom: revert h1 (memory)" virsh -c "$uri" snapshot-revert $dom h1
    ok_eq "$dom: running from h1" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "$dom: reading the marker" "45 00 00 00" "$(markers "$(source_of "$uri" $dom)")"

    # a paused domain's memory snapshot: it stays paused, and so comes back
    ok_run "$dom: suspend" virsh -c "$uri" suspend $dom
    ok_run "$dom: snapshot p1 of the paused domain" virsh -c "$uri" snapshot-create-as $dom p1
    ok_eq "$dom: still paused" "paused" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_match "$dom: p1's state is paused" "State: +paused" "$(virsh -c "$uri" snapshot-info $dom p1 2>&1)"
    ok_run "$dom: resume" virsh -c "$uri" resume $dom
    ok_run "$dom: revert to p1" virsh -c "$uri" snapshot-revert $dom p1
    ok_eq "$dom: paused again" "paused" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_run "$dom: revert to h1 --running" virsh -c "$uri" snapshot-revert $dom h1 --running
    ok_eq "$dom: running" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_run "$dom: delete p1 (nothing sits on its image but its own overlay)" \
        virsh -c "$uri" snapshot-delete $dom p1
    ok_eq "$dom: p1's images are gone, the domain on a second overlay of h1" \
        "disk.h1-revert-2 disk.img disk.nm" "$(cd "$d" && ls disk.* | tr '\n' ' ' | sed 's/ $//')"

    # --atomic: an overlay that cannot be made leaves the domain as it was
    ok_fail "$dom: an overlay qemu-img cannot make fails the snapshot" \
        "qemu-img.*/nonexistent/dir/x.qcow2" \
        virsh -c "$uri" snapshot-create-as $dom at --atomic --disk-only \
        --diskspec "xvda,file=/nonexistent/dir/x.qcow2"
    ok_eq "$dom: the domain runs as before" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "$dom: on its disk as before" "$d/disk.h1-revert-2" "$(source_of "$uri" $dom)"
    ok_eq "$dom: no snapshot 'at'" "h1" "$(names "$uri" $dom)"
    ok_eq "$dom: no switch image left" "h1.save h1.xml" \
        "$(ls -A "$SB/lib/libxl/snapshot/$dom" | tr '\n' ' ' | sed 's/ $//')"

    # a restore onto the overlays that fails: the domain comes back as it was
    xensimctl --dir "$SB/xensim" fault set libxl_domain_create_restore ERROR_FAIL once >/dev/null
    ok_fail "$dom: a snapshot whose restore fails says so" "libxenlight|restore" \
        virsh -c "$uri" snapshot-create-as $dom rf
    xensimctl --dir "$SB/xensim" fault clear >/dev/null
    ok_eq "$dom: the domain runs again" "running" "$(virsh -c "$uri" domstate $dom 2>&1 | head -1)"
    ok_eq "$dom: on its old disk" "$d/disk.h1-revert-2" "$(source_of "$uri" $dom)"
    ok_eq "$dom: which its definition names" "$d/disk.h1-revert-2" \
        "$(virsh -c "$uri" dumpxml --inactive $dom 2>/dev/null | sed -n "s/.*<source file='\([^']*disk[^']*\)'.*/\1/p")"
    ok_eq "$dom: no snapshot 'rf', no overlay, no memory image" "h1 | disk.h1-revert-2 disk.img disk.nm | h1.save h1.xml" \
        "$(names "$uri" $dom) | $(cd "$d" && ls disk.* | tr '\n' ' ' | sed 's/ $//') | $(ls -A "$SB/lib/libxl/snapshot/$dom" | tr '\n' ' ' | sed 's/ $//')"

    # a transient domain
    lc_xml pv sn-tr "$d" | sed "s#$d/disk.img#$d/tr.img#" > "$d/sn-tr.xml"
    truncate -s 8M "$d/tr.img"
    ok_run "$dom: a transient domain" virsh -c "$uri" create "$d/sn-tr.xml"
    ok_fail "its snapshot is refused, saying why" "cannot snapshot transient domain 'sn-tr'" \
        virsh -c "$uri" snapshot-create-as sn-tr t1
    virsh -c "$uri" destroy sn-tr >/dev/null 2>&1

    # virt-manager's calls
    ok_run "$dom: virt-manager's snapshot calls (Python binding)" "$PYTHON3" - "$uri" $dom <<'EOF'
import sys, libvirt
conn = libvirt.open(sys.argv[1])
dom = conn.lookupByName(sys.argv[2])
snaps = dom.listAllSnapshots()
assert [s.getName() for s in snaps] == ["h1"], snaps
cur = dom.snapshotCurrent()
assert cur.getName() == "h1"
assert cur.isCurrent() and cur.hasMetadata()
xml = cur.getXMLDesc()
assert "<state>running</state>" in xml and "<domain type='xen'>" in xml, xml
dom.destroy()
dom.revertToSnapshot(cur)
assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING, dom.state()
s2 = dom.snapshotCreateXML("<domainsnapshot><name>py</name></domainsnapshot>",
                           libvirt.VIR_DOMAIN_SNAPSHOT_CREATE_DISK_ONLY)
assert s2.getParent().getName() == "h1"
assert dom.snapshotNum() == 2
assert cur.numChildren() == 1 and cur.listAllChildren()[0].getName() == "py"
EOF
    # a delete --children whose last merge needs the domain off is refused
    # before any of them is deleted
    ok_run "$dom: revert to h1 (py's parent)" virsh -c "$uri" snapshot-revert $dom h1
    ok_fail "$dom: snapshot-delete h1 --children of the running domain is refused" \
        "merged into '$d/disk.nm'" virsh -c "$uri" snapshot-delete $dom h1 --children
    ok_eq "$dom: nothing was deleted" "h1 py" "$(names "$uri" $dom --topological)"
    ok_fail "$dom: undefine with snapshots is refused" "snapshots-metadata" virsh -c "$uri" undefine $dom
    ok_run "$dom: destroy" virsh -c "$uri" destroy $dom
    ok_run "$dom: undefine --snapshots-metadata" virsh -c "$uri" undefine $dom --snapshots-metadata
    ok_eq "$dom: its metadata is gone" "" \
        "$(ls "$SB/lib/libxl/snapshot/$dom" 2>/dev/null | grep xml || true)"
    ok_run "$dom: defined again" virsh -c "$uri" define "$d/$dom.xml"
    ok_eq "$dom: no snapshot comes back" "" "$(names "$uri" $dom)"
    ok_run "$dom: a snapshot of the shut-off domain" virsh -c "$uri" snapshot-create-as $dom off1
    ok_match "$dom: its CD-ROM has no overlay" "<disk name='hdc' snapshot='no'/>" \
        "$(virsh -c "$uri" snapshot-dumpxml $dom off1 2>&1)"
    ok_eq "$dom: the domain's definition is unmarked" "" \
        "$(virsh -c "$uri" dumpxml --inactive $dom 2>&1 | grep "snapshot=" || true)"
    ok_eq "$dom: its CD-ROM image is unchanged" "$d/cd.iso" \
        "$(virsh -c "$uri" dumpxml --inactive $dom 2>&1 | sed -n "s/.*<source file='\([^']*cd[^']*\)'.*/\1/p")"
}

xensimctl() { "$top_builddir/xensim/xensimctl" "$@"; }

for drv in ${SNAPSHOT_DRIVERS:-ours stock}; do
    SB=$work/sb-$drv
    sandbox_up "$SB" --driver="$drv" || { tap_fail "$drv: sandbox up"; continue; }
    d=$work/$drv
    lc_files "$d"
    if [ "$drv" = stock ]; then
        lc_xml pv sn-pv "$d" > "$d/sn-pv.xml"
        virsh -c "$URI" define "$d/sn-pv.xml" >/dev/null 2>&1
        ok_fail "stock: snapshot-create-as is not supported" "not supported" \
            virsh -c "$URI" snapshot-create-as sn-pv s1
        TAP_TODO="stock: no snapshot support"
        ok_run "stock: snapshot-create-as s1" virsh -c "$URI" snapshot-create-as sn-pv s1
        ok_eq "stock: snapshot-list" "s1" "$(names "$URI" sn-pv)"
        TAP_TODO=
    else
        tree_checks "$URI" "$d"
        lc_files "$d/hvm"
        hvm_checks "$URI" "$d/hvm"
    fi
    "$top_srcdir/scripts/sandbox" down "$SB" >/dev/null 2>&1
done

rm -rf "$work"
tap_done

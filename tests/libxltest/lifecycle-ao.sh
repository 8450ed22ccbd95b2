#!/usr/bin/env bash
# libxl's asynchronous operations, with our module, on a host where a build
# costs what it costs on Xen (xensim build_ms_per_gib: the domain's memory is
# populated inside the initiating call of libxl_domain_create_new):
#   - while a slow build is inside that call, the domain list, the building
#     domain's dominfo and operations on other domains answer promptly;
#   - a failure's message carries libxl's reason of that operation only,
#     never the text of an earlier failure of another domain;
#   - a daemon killed during a build leaves no orphan Xen domain: the
#     restarted daemon destroys the half-built one, and leaves alone a
#     domain created outside libvirt (as by xl).
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-lcao.XXXXXX)
lc_files "$work"
# a 2 GiB guest takes 10 s to populate (the checks made during a build
# need a few seconds on a loaded machine; the aborts end it sooner)
printf 'build_ms_per_gib = 5000\n' > "$work/xensim.cfg"

xsctl() { "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" "$@"; }

# big_xml NAME: a 2 GiB PV guest
big_xml() {
    lc_xml pv "$1" "$work" | sed "s|<memory unit='MiB'>64</memory>|<memory unit='MiB'>2048</memory>|"
}

sb="$work/sb"
if ! sandbox_up "$sb" --driver=ours --host=sim --xensim-config="$work/xensim.cfg"; then
    tap_fail "sandbox up"
    tap_done
    exit 1
fi
uri=$URI
lc_require_lifecycle "$uri" "$sb" "$work"

# ---- the initiating call runs with the domain unlocked ----------------
big_xml ao-slow > "$work/ao-slow.xml"
lc_xml pv ao-other "$work" > "$work/ao-other.xml"
ok_run "define ao-slow (2 GiB)" virsh -c "$uri" define "$work/ao-slow.xml"
ok_run "start ao-other" virsh -c "$uri" create "$work/ao-other.xml"

virsh -c "$uri" start ao-slow > "$work/start.log" 2>&1 &
pid=$!
lc_wait_job "$uri" ao-slow
ok_fast "dominfo of the building domain answers" 2000 virsh -c "$uri" dominfo ao-slow
ok_fast "list answers during the build" 2000 virsh -c "$uri" list --all
ok_fast "domstate of the building domain answers" 2000 virsh -c "$uri" domstate ao-slow
ok_fast "dominfo of another domain answers" 2000 virsh -c "$uri" dominfo ao-other
ok_fast "another domain suspends" 2000 virsh -c "$uri" suspend ao-other
ok_fast "another domain resumes" 2000 virsh -c "$uri" resume ao-other
if kill -0 "$pid" 2>/dev/null; then
    tap_ok "the build was still going on meanwhile"
else
    tap_fail "the build was still going on meanwhile" "it ended too early: the checks above prove nothing"
fi
wait "$pid"
ok_eq "the slow start succeeds" 0 $?
ok_match "and it runs" "^running" "$(virsh -c "$uri" domstate ao-slow 2>&1)"
virsh -c "$uri" destroy ao-slow >/dev/null 2>&1
virsh -c "$uri" destroy ao-other >/dev/null 2>&1

# ---- an error names only what happened in this operation --------------
lc_xml pv ao-a "$work" > "$work/ao-a.xml"
lc_xml pv ao-b "$work" | sed "s|<memory unit='MiB'>64</memory>|<memory unit='GiB'>40</memory>|" > "$work/ao-b.xml"
ok_run "define ao-a" virsh -c "$uri" define "$work/ao-a.xml"
ok_run "define ao-b (more memory than the host has)" virsh -c "$uri" define "$work/ao-b.xml"
# a short host fails a build at once
xsctl host set build_ms_per_gib 0 >/dev/null
xsctl fault set libxl_domain_create_new ERROR_FAIL once >/dev/null
ok_fail "ao-a's start fails with libxl's reason" \
    "ao-a.*fault injected on libxl_domain_create_new" virsh -c "$uri" start ao-a
for i in 1 2 3; do
    out=$(virsh -c "$uri" start ao-b 2>&1)
    ok_match "ao-b's start fails with its own reason ($i)" "ao-b.*Out of memory" "$out"
    if printf '%s' "$out" | grep -q "fault injected"; then
        tap_fail "ao-b's error does not carry ao-a's ($i)" "$out"
    else
        tap_ok "ao-b's error does not carry ao-a's ($i)"
    fi
    xsctl host set build_ms_per_gib 5000 >/dev/null
    virsh -c "$uri" start ao-slow > "$work/abort.log" 2>&1 &
    pid=$!
    lc_wait_job "$uri" ao-slow
    virsh -c "$uri" domjobabort ao-slow >/dev/null 2>&1
    wait "$pid"
    out=$(cat "$work/abort.log")
    xsctl host set build_ms_per_gib 0 >/dev/null
    ok_match "an aborted start says so ($i)" "ao-slow.*abort" "$out"
    if printf '%s' "$out" | grep -Eq "fault injected|Out of memory"; then
        tap_fail "and carries no other domain's error ($i)" "$out"
    else
        tap_ok "and carries no other domain's error ($i)"
    fi
done
ok_eq "no domain is left behind" "" \
    "$(xsctl list | grep -E 'ao-(a|b|slow)' || true)"

# ---- no orphans after a daemon killed during a build --------------------
# xsctl_wait_gone NAME: xensim no longer lists NAME (10 s at most)
xsctl_wait_gone() {
    local i
    for ((i = 0; i < 100; i++)); do
        xsctl list | grep -qw "$1" || return 0
        sleep 0.1
    done
    return 1
}
big_xml ao-kill > "$work/ao-kill.xml"
ok_run "define ao-kill (2 GiB)" virsh -c "$uri" define "$work/ao-kill.xml"
xsctl host set build_ms_per_gib 5000 >/dev/null
virsh -c "$uri" start ao-kill > "$work/kill.log" 2>&1 &
pid=$!
# (the domain exists in Xen from the build's start)
for ((i = 0; i < 100; i++)); do xsctl list | grep -qw ao-kill && break; sleep 0.1; done
ok_match "ao-kill is being built" "ao-kill" "$(xsctl list)"
ok_run "libvirtd killed during the build, restarted" \
    "$top_srcdir/scripts/sandbox" restart "$sb" --kill
wait "$pid"
xsctl host set build_ms_per_gib 0 >/dev/null
xsctl_wait_gone ao-kill
ok_eq "the half-built domain is gone from Xen" "" "$(xsctl list | grep -w ao-kill || true)"
ok_match "ao-kill is shut off" "^shut off" "$(virsh -c "$uri" domstate ao-kill 2>&1)"
ok_run "and starts again" virsh -c "$uri" start ao-kill
virsh -c "$uri" destroy ao-kill >/dev/null 2>&1

# a domain xl created is left alone; a libvirt domain running without a
# status (started by libvirt, status lost) is taken back
xl_uuid=$(cat /proc/sys/kernel/random/uuid)
xl_id=$(XENSIM_DIR="$sb/xensim" "$top_builddir/tests/libxltest/xensim-xl" \
        create ao-xl "$xl_uuid" "$work/vmlinuz" 64 2>&1)
ok_match "xl creates ao-xl" "^[0-9]+$" "$xl_id"
lc_xml pv ao-adopt "$work" > "$work/ao-adopt.xml"
ok_run "define ao-adopt" virsh -c "$uri" define "$work/ao-adopt.xml"
adopt_uuid=$(virsh -c "$uri" domuuid ao-adopt 2>/dev/null)
adopt_id=$(XENSIM_DIR="$sb/xensim" "$top_builddir/tests/libxltest/xensim-xl" \
           create ao-adopt "$adopt_uuid" "$work/vmlinuz" 64 2>&1)
ok_match "ao-adopt runs, started outside the daemon" "^[0-9]+$" "$adopt_id"
ok_run "libvirtd killed, restarted" "$top_srcdir/scripts/sandbox" restart "$sb" --kill
ok_match "ao-xl survives untouched" "^ *$xl_id +ao-xl +running" "$(xsctl list)"
ok_fail "libvirt does not claim ao-xl" "failed to get domain|no domain" virsh -c "$uri" domstate ao-xl
ok_match "ao-adopt is running under libvirt" "^running" \
    "$(virsh -c "$uri" domstate ao-adopt 2>&1)"
ok_eq "with its domid" "$adopt_id" "$(virsh -c "$uri" domid ao-adopt 2>&1)"
ok_run "and libvirt can destroy it" virsh -c "$uri" destroy ao-adopt
xsctl_wait_gone ao-adopt
ok_eq "it is gone from Xen" "" "$(xsctl list | grep -w ao-adopt || true)"
ok_match "ao-xl still runs" "^ *$xl_id +ao-xl +running" "$(xsctl list)"

# down before the directory goes (the EXIT trap could not find it)
sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

#!/usr/bin/env bash
# Every restart of a domain publishes the new run's ptys, with our module and
# the stock one: after a reboot (on_reboot restart), a crash with on_crash
# restart and one with rename-restart, a soft reset (on_reboot restart),
# 'virsh ttyconsole' and the live XML name the pty the simulated host has
# now, not the previous run's.  The old pty's slave is held open meanwhile
# so that the new pty gets another number (otherwise the kernel hands the
# same one out again and a stale path would look right).
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-lcrbcons.XXXXXX)
lc_files "$work"

# rb_wait_restart URI DOM OLD-ID: the domain runs again under another domid
rb_wait_restart() {
    local uri=$1 dom=$2 old=$3 i id
    for ((i = 0; i < 150; i++)); do
        id=$(virsh -c "$uri" domid "$dom" 2>/dev/null | head -1)
        if [[ "$id" =~ ^[0-9]+$ ]] && [ "$id" != "$old" ] &&
           [ "$(virsh -c "$uri" domstate "$dom" 2>/dev/null | head -1)" = running ]; then
            echo "$id"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# rb_tty URI DOM: ttyconsole, once the pty is published
rb_tty() {
    local uri=$1 dom=$2 i tty
    for ((i = 0; i < 50; i++)); do
        tty=$(virsh -c "$uri" ttyconsole "$dom" 2>/dev/null | head -1)
        [ -n "$tty" ] && break
        sleep 0.1
    done
    echo "$tty"
}

# restart_case DRV URI SBDIR HOW: HOW is reboot, crash or crash-rename
restart_case() {
    local drv=$1 uri=$2 sb=$3 how=$4 t="$1/$4" top= dom="rbc-$4"
    local ctl="$top_builddir/xensim/xensimctl" old oldid newid xs tty xml

    case $how in
        reboot) top="<on_reboot>restart</on_reboot>" ;;
        crash) top="<on_crash>restart</on_crash>" ;;
        crash-rename) top="<on_crash>rename-restart</on_crash>" ;;
        soft-reset) top="<on_reboot>restart</on_reboot>" ;;
    esac
    lc_xml pv "$dom" "$work" "" "$top" > "$work/$drv-$dom.xml"
    ok_run "$t: create $dom" virsh -c "$uri" create "$work/$drv-$dom.xml"
    oldid=$(virsh -c "$uri" domid "$dom" 2>&1)
    old=$(rb_tty "$uri" "$dom")
    ok_match "$t: ttyconsole is a pty" '^/dev/pts/[0-9]+$' "$old"
    ok_eq "$t: it is xensim's pty" "$("$ctl" --dir "$sb/xensim" console-tty "$oldid" 2>&1)" "$old"
    [ -c "$old" ] || { tap_fail "$t: the old pty exists" "$old"; return; }

    # the old pty stays allocated while its slave is open here
    exec 7<>"$old"
    case $how in
        reboot) ok_run "$t: virsh reboot" virsh -c "$uri" reboot "$dom" ;;
        soft-reset) ok_run "$t: the guest asks for a soft reset" \
            "$ctl" --dir "$sb/xensim" guest "$dom" soft_reset ;;
        *) ok_run "$t: the guest crashes" "$ctl" --dir "$sb/xensim" guest "$dom" crash ;;
    esac
    [ "$drv/$how" = stock/soft-reset ] && TAP_TODO="stock: a soft reset ends the domain"
    if newid=$(rb_wait_restart "$uri" "$dom" "$oldid"); then
        tap_ok "$t: the domain runs again under a new domid"
        TAP_TODO=
    else
        tap_fail "$t: the domain runs again under a new domid" \
            "$(virsh -c "$uri" domstate --reason "$dom" 2>&1)" "$("$ctl" --dir "$sb/xensim" list 2>&1)"
        TAP_TODO=
        exec 7>&-
        virsh -c "$uri" destroy "$dom" >/dev/null 2>&1
        return
    fi
    xs=$("$ctl" --dir "$sb/xensim" console-tty "$newid" 2>&1)
    ok_match "$t: xensim has a new pty" '^/dev/pts/[0-9]+$' "$xs"
    if [ "$xs" != "$old" ]; then tap_ok "$t: the new run's pty is another one"
    else tap_fail "$t: the new run's pty is another one" "old $old, new $xs"; fi
    tty=$(rb_tty "$uri" "$dom")
    ok_eq "$t: ttyconsole names the new run's pty" "$xs" "$tty"
    xml=$(virsh -c "$uri" dumpxml "$dom" 2>&1)
    ok_match "$t: the live XML names the new run's pty" "<console type='pty' tty='$xs'>" "$xml"
    if printf '%s' "$xml" | grep -qF "'$old'"; then
        tap_fail "$t: the live XML no longer names the old pty" "$(printf '%s' "$xml" | grep -F "'$old'")"
    else
        tap_ok "$t: the live XML no longer names the old pty"
    fi
    exec 7>&-

    virsh -c "$uri" destroy "$dom" >/dev/null 2>&1
}

restart_cases() { # drv uri sbdir
    local how
    for how in reboot crash crash-rename soft-reset; do restart_case "$@" "$how"; done
}

lc_sandboxes_up "$work"
for drv in ours stock; do
    [ -n "${uris[$drv]:-}" ] || continue
    lc_par restart_cases "$drv" "${uris[$drv]}" "$work/sb-$drv"
done
lc_par_wait

sandbox_cleanup
tap_sandboxes=()
rm -rf "$work"
tap_done

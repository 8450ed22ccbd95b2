# tests/libxltest/lifecycle-lib.sh: what the lifecycle tests share (source it
# after tap.sh): guest definitions, waiting, event capture.
# shellcheck shell=bash

# A dummy guest kernel and disk: xensim does not boot them.
lc_files() { # dir
    mkdir -p "$1"
    [ -f "$1/vmlinuz" ] || head -c 4096 /dev/zero > "$1/vmlinuz"
    [ -f "$1/disk.img" ] || truncate -s 8M "$1/disk.img"
}

# lc_xml KIND NAME DIR [EXTRA-DEVICES] [EXTRA-TOP]: a small PV, PVH or HVM guest
lc_xml() {
    local kind=$1 name=$2 dir=$3 devs=${4:-} top=${5:-} os
    case $kind in
        pv)  os="<type>linux</type><kernel>$dir/vmlinuz</kernel><cmdline>console=hvc0</cmdline>" ;;
        pvh) os="<type>xenpvh</type><kernel>$dir/vmlinuz</kernel>" ;;
        hvm) os="<type>hvm</type><boot dev='hd'/>" ;;
    esac
    local console="<console type='pty'/>"
    [ "$kind" = hvm ] && console="<serial type='pty'/><console type='pty'/>"
    cat <<EOF
<domain type='xen'>
  <name>$name</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os>$os</os>
  $( [ "$kind" = hvm ] && echo "<features><acpi/><apic/><pae/></features>" )
  $top
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$dir/disk.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    $console
    $devs
  </devices>
</domain>
EOF
}

# lc_wait_state URI DOM STATE [SECONDS]: poll domstate until it says STATE
lc_wait_state() {
    local uri=$1 dom=$2 want=$3 secs=${4:-10} i st
    for ((i = 0; i < secs * 10; i++)); do
        st=$(virsh -c "$uri" domstate "$dom" 2>/dev/null | head -1)
        [ "$st" = "$want" ] && return 0
        sleep 0.1
    done
    return 1
}

# lc_wait_job URI DOM [SECONDS]: poll domjobinfo until DOM has a job (an
# operation started in the background has reached the driver), 10 s at
# most: on a loaded machine a fixed sleep is either too short or too long
lc_wait_job() {
    local uri=$1 dom=$2 secs=${3:-10} i
    for ((i = 0; i < secs * 10; i++)); do
        virsh -c "$uri" domjobinfo "$dom" 2>/dev/null |
            grep -Eq '^Job type: +(Unbounded|Bounded)' && return 0
        sleep 0.1
    done
    return 1
}

# lc_wait_gone URI DOM [SECONDS]: the domain is no longer listed
lc_wait_gone() {
    local uri=$1 dom=$2 secs=${3:-10} i
    for ((i = 0; i < secs * 10; i++)); do
        virsh -c "$uri" domstate "$dom" >/dev/null 2>&1 || return 0
        sleep 0.1
    done
    return 1
}

# lc_events_start URI FILE: capture 'virsh event --all --loop' into FILE
# (its PID in $LC_EVENTS_PID); lc_events_stop ends it.
LC_EVENTS_PID=
lc_events_start() {
    virsh -c "$1" event --all --loop --timestamp > "$2" 2>&1 &
    LC_EVENTS_PID=$!
    # the registration is done once virsh has connected
    sleep 0.5
}
lc_events_stop() {
    [ -n "$LC_EVENTS_PID" ] && kill "$LC_EVENTS_PID" 2>/dev/null
    wait "$LC_EVENTS_PID" 2>/dev/null
    LC_EVENTS_PID=
}

# lc_count FILE PATTERN: lines of FILE matching PATTERN
lc_count() { grep -Ec -- "$2" "$1" 2>/dev/null || true; }

# lc_wait_count FILE PATTERN N [SECONDS]: wait for N matching lines
lc_wait_count() {
    local f=$1 pat=$2 n=$3 secs=${4:-10} i
    for ((i = 0; i < secs * 10; i++)); do
        [ "$(lc_count "$f" "$pat")" -ge "$n" ] && return 0
        sleep 0.1
    done
    return 1
}

# lc_require_lifecycle URI SANDBOX-DIR FILES-DIR: skip the whole test unless
# the simulated host can create domains (xensim's lifecycle slice).
lc_require_lifecycle() {
    local uri=$1 sb=$2 dir=$3 out
    lc_files "$dir"
    lc_xml pv lc-probe "$dir" > "$dir/probe.xml"
    if ! out=$(virsh -c "$uri" create "$dir/probe.xml" 2>&1); then
        if grep -rqs "libxl_domain_create_new.*not implemented" "$sb" ||
           printf '%s' "$out" | grep -q "not implemented"; then
            echo "1..0 # SKIP the simulated host cannot create domains yet"
            exit 0
        fi
        echo "# probe domain: $out"
        return 1
    fi
    virsh -c "$uri" destroy lc-probe >/dev/null 2>&1
    return 0
}

# lc_sandbox_prep DIR: what a sandbox directory needs before 'up': /var/lock
# is /run/lock on Debian, where virChrdevOpen puts the console locks.
lc_sandbox_prep() { mkdir -p "$1/run/lock"; }

# Parallel checks: lc_par CMD... runs CMD in the background with a TAP
# numbering of its own, its output kept in a file; lc_par_wait waits for all
# of them and prints their results in the order they were started,
# renumbered, counting failures (and TODO passes) like tap.sh does.
lc_par_files=()
lc_par() {
    local f
    f=$(mktemp "${TMPDIR:-/tmp}/lc-par.XXXXXX")
    lc_par_files+=("$f")
    ( tap_n=0; tap_failed=0; TAP_TODO=; "$@" ) > "$f" 2>&1 &
}
lc_par_wait() {
    local f line rest
    wait
    for f in "${lc_par_files[@]}"; do
        while IFS= read -r line; do
            case $line in
                "ok "[0-9]*|"not ok "[0-9]*)
                    tap_n=$((tap_n + 1))
                    rest=${line#ok }
                    rest=${rest#not ok }
                    rest=${rest#* }
                    if [ "${line#not }" != "$line" ]; then
                        echo "not ok $tap_n $rest"
                        case $rest in *"# TODO"*) ;; *) tap_failed=$((tap_failed + 1)) ;; esac
                    else
                        echo "ok $tap_n $rest"
                        case $rest in *"# TODO"*) tap_failed=$((tap_failed + 1)) ;; esac
                    fi ;;
                *) printf '%s\n' "$line" ;;
            esac
        done < "$f"
        rm -f "$f"
    done
    lc_par_files=()
}

# lc_vg_errors LOG: each memcheck error of valgrind's LOG with the frame it
# happened in, once
lc_vg_errors() {
    awk '/== (Invalid (read|write|free)|Conditional jump|Use of uninitialised|Mismatched free|Source and destination overlap)/ {
             err = $0; sub(/^==[0-9]+== /, "", err); getline; sub(/^==[0-9]+== +/, ""); print err " " $0 }' \
        "$1" 2>/dev/null | sort -u
}

# lc_vg_module_leaks LOG: the blocks definitely lost whose allocation went
# through the driver module
lc_vg_module_leaks() {
    awk '/are definitely lost/ {rec = 1; buf = $0; next}
         rec && /^==[0-9]+== *$/ {if (buf ~ /libvirt_driver_libxl/) print buf; rec = 0; next}
         rec {buf = buf "\n" $0}' "$1" 2>/dev/null
}

ms_now() { date +%s%3N; }

# ok_fast DESC MAXMS CMD...: the command succeeds within MAXMS (generous:
# it would otherwise wait for a whole slow operation)
ok_fast() {
    local d=$1 max=$2 t0 t1 out
    shift 2
    t0=$(ms_now)
    if out=$("$@" 2>&1); then
        t1=$(ms_now)
        echo "# $d: $((t1 - t0)) ms"
        if [ $((t1 - t0)) -lt "$max" ]; then tap_ok "$d"
        else tap_fail "$d" "took $((t1 - t0)) ms" "$out"; fi
    else
        tap_fail "$d" "\$ $*" "$out"
    fi
}

# lc_sandboxes_up WORK: a sandbox per module on the simulated host
# (WORK/sb-ours, WORK/sb-stock), their URIs in the array uris; the whole
# test is skipped unless the simulated host creates domains
declare -A uris
lc_sandboxes_up() {
    local drv
    for drv in ours stock; do
        if sandbox_up "$1/sb-$drv" --driver=$drv --host=sim; then
            uris[$drv]=$URI
        else
            tap_fail "$drv: sandbox up"
        fi
    done
    if [ -n "${uris[ours]:-}" ]; then
        lc_require_lifecycle "${uris[ours]}" "$1/sb-ours" "$1"
    fi
}

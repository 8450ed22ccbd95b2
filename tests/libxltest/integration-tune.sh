#!/usr/bin/env bash
# Tuning through virsh and the Python binding, on PV, PVH and HVM guests,
# with our module and the stock one: vcpucount, setvcpus (--live, --config,
# --current, --maximum), vcpuinfo, vcpupin, emulatorpin, setmem, setmaxmem,
# memtune, schedinfo (credit2: weight, cap), numatune; each value checked
# through virsh and through the simulated host's libxl (xensim-xltune:
# what xl would say), --config values across destroy/start and a daemon
# restart, the errors' words, the balloon-change event.
# The stock module's gaps are recorded (TODO), not required.
set -u
. "$top_srcdir/tests/libxltest/tap.sh"
. "$top_srcdir/tests/libxltest/lifecycle-lib.sh"
require_sandbox

work=$(mktemp -d /tmp/xl-tune.XXXXXX)
lc_files "$work"
xltune=$top_builddir/tests/libxltest/xensim-xltune
py() { "${PYTHON3:-/usr/bin/python3}" "$top_srcdir/tests/libxltest/integration-tune-api.py" "$@" 2>&1; }

# xl SB DOMID KEY: what the simulated host's libxl says of KEY
xl() {
    XENSIM_DIR="$1/xensim" "$xltune" "$2" 2>/dev/null | sed -n "s/^$3=//p"
}

xsctl() { # sb args...
    local sb=$1
    shift
    "$top_builddir/xensim/xensimctl" --dir "$sb/xensim" "$@" >/dev/null 2>&1
}

# xs SB PATH: a xenstore node of the simulated host
xs() { "$top_builddir/xensim/xensimctl" --dir "$1/xensim" xenstore-read "$2" 2>&1; }

# used_mem URI DOM SB DOMID: dominfo's "Used memory" and what the host
# says the domain has, once the guest's balloon has followed its target
used_mem() {
    local i used cur
    for ((i = 0; i < 30; i++)); do
        used=$(virsh -c "$1" dominfo "$2" 2>&1 | awk '/^Used memory:/ {print $3}')
        cur=$(xl "$3" "$4" current_memkb)
        [ "$used" = "$cur" ] && break
        sleep 0.1
    done
    echo "$used $cur"
}

# the guest: 128 MiB, 96 MiB current; 4 vcpus, 2 online
tune_xml() { # kind name
    lc_xml "$1" "$2" "$work" |
        sed -e "s|<memory unit='MiB'>64</memory>|<memory unit='MiB'>128</memory><currentMemory unit='MiB'>96</currentMemory>|" \
            -e "s|<vcpu>1</vcpu>|<vcpu current='2'>4</vcpu>|"
}

# vcpupin's affinity of VCPU, from 'virsh vcpupin DOM [--config]'
pin_of() { # uri dom vcpu [flags]
    virsh -c "$1" vcpupin "$2" ${4:-} 2>&1 | awk -v v="$3" '$1 == v {print $2}'
}

# a value of 'virsh schedinfo' / 'memtune' / 'numatune' output
field() { # key text
    printf '%s\n' "$2" | awk -F' *: *' -v k="$1" '$1 == k {print $2}'
}

tune_checks() { # drv uri sb kind
    local drv=$1 uri=$2 sb=$3 kind=$4 name="tu-$4" out id ev
    local t="$drv/$kind"

    tune_xml "$kind" "$name" > "$work/$name-$drv.xml"
    ok_run "$t: define" virsh -c "$uri" define "$work/$name-$drv.xml"
    ok_run "$t: start" virsh -c "$uri" start "$name"
    id=$(virsh -c "$uri" domid "$name" 2>&1)
    ev="$work/events-$drv-$kind"
    virsh -c "$uri" event "$name" --event balloon-change --loop > "$ev" 2>&1 &
    local evpid=$!
    sleep 0.5

    # ---- vcpus ----
    ok_eq "$t: vcpucount --live --current" 2 "$(virsh -c "$uri" vcpucount "$name" --live --current 2>&1)"
    ok_eq "$t: vcpucount --live --maximum" 4 "$(virsh -c "$uri" vcpucount "$name" --live --maximum 2>&1)"
    ok_eq "$t: xl: 2 vcpus online" 2 "$(xl "$sb" "$id" vcpu_online)"
    ok_eq "$t: python maxVcpus" "ok 4" "$(py "$uri" "$name" maxvcpus)"

    ok_run "$t: setvcpus 3 --live" virsh -c "$uri" setvcpus "$name" 3 --live
    ok_eq "$t: vcpucount --live after setvcpus --live" 3 "$(virsh -c "$uri" vcpucount "$name" --live --current 2>&1)"
    ok_eq "$t: xl: 3 vcpus online" 3 "$(xl "$sb" "$id" vcpu_online)"
    ok_eq "$t: xl: vcpu2 online" online "$(xl "$sb" "$id" vcpu2 | cut -d: -f1)"
    ok_eq "$t: vcpucount --config unchanged by --live" 2 "$(virsh -c "$uri" vcpucount "$name" --config --current 2>&1)"
    ok_eq "$t: vcpuinfo lists 3 vcpus" 3 "$(virsh -c "$uri" vcpuinfo "$name" 2>&1 | grep -c '^VCPU:')"

    ok_run "$t: setvcpus 4 --current (running: live)" virsh -c "$uri" setvcpus "$name" 4 --current
    ok_eq "$t: xl: 4 vcpus online" 4 "$(xl "$sb" "$id" vcpu_online)"
    ok_run "$t: setvcpus 2 (default: live)" virsh -c "$uri" setvcpus "$name" 2
    ok_eq "$t: xl: 2 vcpus online, vcpu3 offline" "2 offline" \
        "$(xl "$sb" "$id" vcpu_online) $(xl "$sb" "$id" vcpu3 | cut -d: -f1)"

    ok_run "$t: setvcpus 1 --config" virsh -c "$uri" setvcpus "$name" 1 --config
    ok_eq "$t: vcpucount --config after setvcpus --config" 1 "$(virsh -c "$uri" vcpucount "$name" --config --current 2>&1)"
    ok_eq "$t: xl: live vcpus unchanged by --config" 2 "$(xl "$sb" "$id" vcpu_online)"

    ok_fail "$t: setvcpus 5 --live above the maximum" \
        "^error: invalid argument: requested vcpus is greater than max allowable vcpus for the live domain: 5 > 4$" \
        virsh -c "$uri" setvcpus "$name" 5 --live
    ok_fail "$t: setvcpus 5 --config above the maximum" \
        "requested vcpus is greater than max allowable vcpus for the persistent domain: 5 > 4" \
        virsh -c "$uri" setvcpus "$name" 5 --config
    # virsh and libvirt want --config with --maximum: MAXIMUM | LIVE | CONFIG
    ok_eq "$t: python setVcpusFlags(MAXIMUM | LIVE | CONFIG) refused" \
        "error Operation not supported: maximum vcpu count of a live domain can't be modified" \
        "$(py "$uri" "$name" setvcpus 3 7)"
    ok_eq "$t: xl: still 2 vcpus online after the refusals" 2 "$(xl "$sb" "$id" vcpu_online)"
    ok_run "$t: setvcpus 3 --maximum --config" virsh -c "$uri" setvcpus "$name" 3 --maximum --config
    ok_eq "$t: vcpucount --maximum --config" 3 "$(virsh -c "$uri" vcpucount "$name" --maximum --config 2>&1)"
    ok_eq "$t: vcpucount --maximum --live unchanged" 4 "$(virsh -c "$uri" vcpucount "$name" --maximum --live 2>&1)"

    # ---- pinning ----
    ok_run "$t: vcpupin 1 5 --live" virsh -c "$uri" vcpupin "$name" 1 5 --live
    ok_eq "$t: vcpupin shows vcpu 1 on CPU 5" 5 "$(pin_of "$uri" "$name" 1)"
    ok_eq "$t: xl: vcpu1 hard affinity 5" online:5 "$(xl "$sb" "$id" vcpu1)"
    ok_match "$t: python vcpus: vcpu1 affinity 5" "vcpu1 state=1 cpu=[0-9]+ affinity=5$" "$(py "$uri" "$name" vcpus)"
    ok_eq "$t: vcpupin --config unchanged by --live" 0-15 "$(pin_of "$uri" "$name" 1 --config)"
    ok_run "$t: vcpupin 0 2-3 --config" virsh -c "$uri" vcpupin "$name" 0 2-3 --config
    ok_eq "$t: vcpupin --config shows vcpu 0 on 2-3" 2-3 "$(pin_of "$uri" "$name" 0 --config)"
    ok_match "$t: dumpxml --inactive has the vcpupin" "<vcpupin vcpu='0' cpuset='2-3'/>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_eq "$t: xl: vcpu0 live affinity unchanged by --config" online:0-15 "$(xl "$sb" "$id" vcpu0)"
    ok_fail "$t: vcpupin of a vcpu beyond the maximum" \
        "vcpu 7 is out of range of live cpu count 4" \
        virsh -c "$uri" vcpupin "$name" 7 1 --live
    # the binding drops CPUs past the host's: the map arrives empty
    ok_eq "$t: python pinVcpu to a CPU the host lacks: empty map refused" \
        "error invalid argument: Empty cpu list for pinning" \
        "$(py "$uri" "$name" pin-cpu 40)"
    ok_fail "$t: vcpupin to a CPU the host lacks" \
        "CPU 40 in cpulist '40' exceed the maxcpu 16" \
        virsh -c "$uri" vcpupin "$name" 0 40 --live
    ok_eq "$t: xl: vcpu0 unchanged by the refusal" online:0-15 "$(xl "$sb" "$id" vcpu0)"
    ok_fail "$t: emulatorpin --live refused: the device model runs in Domain-0" \
        "cannot pin the emulator of a running Xen domain" \
        virsh -c "$uri" emulatorpin "$name" 1 --live
    ok_run "$t: emulatorpin 0-1 --config" virsh -c "$uri" emulatorpin "$name" 0-1 --config
    ok_match "$t: dumpxml --inactive has the emulatorpin" "<emulatorpin cpuset='0-1'/>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_match "$t: emulatorpin --config" "\*: +0-1" "$(virsh -c "$uri" emulatorpin "$name" --config 2>&1)"

    # ---- memory ----
    ok_run "$t: setmem 80M --live" virsh -c "$uri" setmem "$name" 80M --live
    out=$(used_mem "$uri" "$name" "$sb" "$id")
    ok_match "$t: dominfo used memory is what the host says the domain has" '^([0-9]+) \1$' "$out"
    ok_eq "$t: xl: target 81920" 81920 "$(xl "$sb" "$id" target_memkb)"
    ok_match "$t: currentMemory --config unchanged by --live" "<currentMemory unit='KiB'>98304</currentMemory>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    if lc_wait_count "$ev" "balloon-change.*81920" 1 5; then
        tap_ok "$t: virsh event: balloon-change 81920KiB"
    else
        tap_fail "$t: virsh event: balloon-change 81920KiB" "$(cat "$ev")"
    fi
    ok_eq "$t: python: BALLOON_CHANGE event" "ok balloon-change 77824" "$(py "$uri" "$name" balloon 77824)"
    ok_eq "$t: xl: target 77824" 77824 "$(xl "$sb" "$id" target_memkb)"
    ok_fail "$t: setmem above the maximum" \
        "^error: invalid argument: cannot set memory higher than max memory$" \
        virsh -c "$uri" setmem "$name" 200M --live
    ok_eq "$t: xl: target unchanged by the refusal" 77824 "$(xl "$sb" "$id" target_memkb)"
    ok_run "$t: setmem 64M --config" virsh -c "$uri" setmem "$name" 64M --config
    ok_match "$t: dumpxml --inactive currentMemory 65536" "<currentMemory unit='KiB'>65536</currentMemory>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_eq "$t: xl: target unchanged by --config" 77824 "$(xl "$sb" "$id" target_memkb)"

    ok_run "$t: setmaxmem 100M --live" virsh -c "$uri" setmaxmem "$name" 100M --live
    ok_match "$t: dominfo max memory 102400" "Max memory: +102400 KiB" "$(virsh -c "$uri" dominfo "$name" 2>&1)"
    ok_eq "$t: xenstore: static-max 102400" 102400 "$(xs "$sb" /local/domain/$id/memory/static-max)"
    # Xen's limit is libxl's 1 MiB above it
    ok_eq "$t: xl: the hypervisor's limit 103424" 103424 "$(xl "$sb" "$id" max_memkb)"
    ok_eq "$t: memtune hard_limit is the live maximum" 102400 "$(field hard_limit "$(virsh -c "$uri" memtune "$name" --live 2>&1)")"
    ok_fail "$t: setmaxmem --live below the current memory" \
        "cannot set the maximum memory of domain '$name' below its current memory: 71680 KiB < 77824 KiB" \
        virsh -c "$uri" setmaxmem "$name" 70M --live
    ok_eq "$t: xenstore: static-max unchanged by the refusal" 102400 "$(xs "$sb" /local/domain/$id/memory/static-max)"
    ok_run "$t: setmaxmem 120M --config" virsh -c "$uri" setmaxmem "$name" 120M --config
    ok_match "$t: dumpxml --inactive memory 122880" "<memory unit='KiB'>122880</memory>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_eq "$t: memtune --config hard_limit" 122880 "$(field hard_limit "$(virsh -c "$uri" memtune "$name" --config 2>&1)")"
    ok_fail "$t: memtune --soft-limit refused" \
        "Xen does not enforce the memory parameter 'soft_limit'" \
        virsh -c "$uri" memtune "$name" --soft-limit 1024 --live

    # ---- scheduler ----
    out=$(virsh -c "$uri" schedinfo "$name" 2>&1)
    ok_eq "$t: schedinfo: credit2, weight 256, cap 0" "credit2 256 0" \
        "$(field Scheduler "$out") $(field weight "$out") $(field cap "$out")"
    ok_run "$t: schedinfo --live weight=512 cap=50" \
        virsh -c "$uri" schedinfo "$name" --live --set weight=512 --set cap=50
    ok_eq "$t: xl: weight 512 cap 50" "512 50" "$(xl "$sb" "$id" weight) $(xl "$sb" "$id" cap)"
    out=$(virsh -c "$uri" schedinfo "$name" --live 2>&1)
    ok_eq "$t: schedinfo --live shows them" "512 50" "$(field weight "$out") $(field cap "$out")"
    ok_fail "$t: schedinfo weight=0 refused with the range" \
        "weight 0 out of range: the credit2 scheduler takes 1 to 65535" \
        virsh -c "$uri" schedinfo "$name" --live --set weight=0
    ok_fail "$t: schedinfo weight=70000 refused with the range" \
        "weight 70000 out of range: the credit2 scheduler takes 1 to 65535" \
        virsh -c "$uri" schedinfo "$name" --live --set weight=70000
    ok_fail "$t: schedinfo cap=500 refused with the range" \
        "cap 500 out of range: 0 \(none\) to 400, 100 per vcpu of the domain" \
        virsh -c "$uri" schedinfo "$name" --live --set cap=500
    ok_eq "$t: xl: weight, cap unchanged by the refusals" "512 50" "$(xl "$sb" "$id" weight) $(xl "$sb" "$id" cap)"
    ok_run "$t: schedinfo --config weight=300 cap=25" \
        virsh -c "$uri" schedinfo "$name" --config --set weight=300 --set cap=25
    out=$(virsh -c "$uri" schedinfo "$name" --config 2>&1)
    ok_eq "$t: schedinfo --config shows them" "300 25" "$(field weight "$out") $(field cap "$out")"
    ok_match "$t: dumpxml --inactive <shares>300</shares>" "<shares>300</shares>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_eq "$t: xl: live weight unchanged by --config" 512 "$(xl "$sb" "$id" weight)"
    # a live change Xen refuses leaves both definitions as they were
    xsctl "$sb" fault set libxl_domain_sched_params_set ERROR_FAIL once
    ok_fail "$t: schedinfo --live --config failing in libxl" \
        "cannot set the scheduler parameters of domain '$name'" \
        virsh -c "$uri" schedinfo "$name" --live --config --set weight=777
    out=$(virsh -c "$uri" schedinfo "$name" --config 2>&1)
    ok_eq "$t: the failed live change left --config's weight" 300 "$(field weight "$out")"
    out=$(virsh -c "$uri" schedinfo "$name" --live 2>&1)
    ok_eq "$t: the failed live change left the live weight" "512 512" \
        "$(field weight "$out") $(xl "$sb" "$id" weight)"
    xsctl "$sb" fault set libxl_set_vcpuonline ERROR_FAIL once
    ok_fail "$t: setvcpus --live --config failing in libxl" \
        "cannot set the vcpus of domain '$name' to 3" \
        virsh -c "$uri" setvcpus "$name" 3 --live --config
    ok_eq "$t: the failed live change left both vcpu counts" "1 2 2" \
        "$(virsh -c "$uri" vcpucount "$name" --config --current 2>&1) $(virsh -c "$uri" vcpucount "$name" --live --current 2>&1) $(xl "$sb" "$id" vcpu_online)"
    xsctl "$sb" fault clear

    # ---- NUMA ----
    ok_run "$t: numatune --live --nodeset 1" virsh -c "$uri" numatune "$name" --live --nodeset 1
    ok_eq "$t: xl: node affinity 1" 1 "$(xl "$sb" "$id" nodeaffinity)"
    ok_eq "$t: numatune --live shows it" 1 "$(field numa_nodeset "$(virsh -c "$uri" numatune "$name" --live 2>&1)")"
    ok_run "$t: numatune --config --nodeset 0" virsh -c "$uri" numatune "$name" --config --nodeset 0
    ok_match "$t: dumpxml --inactive numatune" "<memory mode='interleave' nodeset='0'/>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_eq "$t: xl: live node affinity unchanged by --config" 1 "$(xl "$sb" "$id" nodeaffinity)"
    ok_fail "$t: numatune of a node the host lacks" \
        "NUMA node 5 does not exist: the host has 2 nodes" \
        virsh -c "$uri" numatune "$name" --live --nodeset 5
    ok_fail "$t: numatune --mode strict refused" \
        "numatune mode 'strict' is not Xen's" \
        virsh -c "$uri" numatune "$name" --live --mode strict

    # ---- the next start takes the --config values ----
    ok_run "$t: destroy" virsh -c "$uri" destroy "$name"
    ok_fail "$t: setvcpus --live on an inactive domain" \
        "^error: Requested operation is not valid: domain is not running$" \
        virsh -c "$uri" setvcpus "$name" 2 --live
    ok_fail "$t: setmem --live on an inactive domain" "domain is not running" \
        virsh -c "$uri" setmem "$name" 70M --live
    ok_fail "$t: schedinfo --live on an inactive domain" "domain is not running" \
        virsh -c "$uri" schedinfo "$name" --live --set weight=100
    ok_fail "$t: vcpupin --live on an inactive domain" "domain is not running" \
        virsh -c "$uri" vcpupin "$name" 0 1 --live
    # --current on an inactive domain: the persistent definition
    ok_run "$t: setvcpus 2 --current (inactive: config)" virsh -c "$uri" setvcpus "$name" 2 --current
    ok_run "$t: setmem 62M --current (inactive: config)" virsh -c "$uri" setmem "$name" 62M --current
    ok_match "$t: dumpxml --inactive currentMemory 63488" "<currentMemory unit='KiB'>63488</currentMemory>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"
    ok_run "$t: schedinfo --current weight=350 (inactive: config)" \
        virsh -c "$uri" schedinfo "$name" --current --set weight=350
    ok_eq "$t: schedinfo --config weight 350" 350 "$(field weight "$(virsh -c "$uri" schedinfo "$name" --config 2>&1)")"
    ok_run "$t: vcpupin 2 4 --current (inactive: config)" virsh -c "$uri" vcpupin "$name" 2 4 --current
    ok_eq "$t: vcpupin --config vcpu 2 on 4" 4 "$(pin_of "$uri" "$name" 2 --config)"
    ok_run "$t: start again" virsh -c "$uri" start "$name"
    id=$(virsh -c "$uri" domid "$name" 2>&1)
    ok_eq "$t: xl: vcpus of the config: 2 online of 3" "2 3" "$(xl "$sb" "$id" vcpu_online) $(xl "$sb" "$id" vcpu_max)"
    ok_eq "$t: xl: vcpu0 pinned to 2-3 by the config" online:2-3 "$(xl "$sb" "$id" vcpu0)"
    ok_eq "$t: xl: vcpu2 pinned to 4 by the config" offline:4 "$(xl "$sb" "$id" vcpu2)"
    # an HVM guest whose maximum is above its target: libxl takes its
    # 1 MiB constant off the target it writes
    local target=63488
    [ "$kind" = hvm ] && target=62464
    ok_eq "$t: memory of the config: static-max 122880, target $target" "122880 $target" \
        "$(xs "$sb" /local/domain/$id/memory/static-max) $(xl "$sb" "$id" target_memkb)"
    ok_eq "$t: xl: weight 350 cap 25 of the config" "350 25" "$(xl "$sb" "$id" weight) $(xl "$sb" "$id" cap)"
    ok_eq "$t: xl: node affinity 0 of the config" 0 "$(xl "$sb" "$id" nodeaffinity)"

    # --current on a running domain: the live one
    ok_run "$t: setmem 60M --current (running: live)" virsh -c "$uri" setmem "$name" 60M --current
    ok_eq "$t: xl: target 61440" 61440 "$(xl "$sb" "$id" target_memkb)"
    ok_run "$t: setmaxmem 110M --current (running: live)" virsh -c "$uri" setmaxmem "$name" 110M --current
    ok_eq "$t: xenstore: static-max 112640" 112640 "$(xs "$sb" /local/domain/$id/memory/static-max)"
    ok_run "$t: schedinfo --current cap=10 (running: live)" \
        virsh -c "$uri" schedinfo "$name" --current --set cap=10
    ok_eq "$t: xl: cap 10" 10 "$(xl "$sb" "$id" cap)"
    ok_run "$t: vcpupin 1 6 --current (running: live)" virsh -c "$uri" vcpupin "$name" 1 6 --current
    ok_eq "$t: xl: vcpu1 on 6" online:6 "$(xl "$sb" "$id" vcpu1)"
    ok_run "$t: numatune --current --nodeset 1 (running: live)" \
        virsh -c "$uri" numatune "$name" --current --nodeset 1
    ok_eq "$t: xl: node affinity 1" 1 "$(xl "$sb" "$id" nodeaffinity)"
    ok_match "$t: the persistent definition unchanged by --current" "<memory unit='KiB'>122880</memory>" \
        "$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)"

    # live changes survive a daemon restart (status XML), --config too
    virsh -c "$uri" setvcpus "$name" 3 --live >/dev/null 2>&1
    kill "$evpid" 2>/dev/null
    wait "$evpid" 2>/dev/null
}

after_restart() { # drv uri sb kind
    local drv=$1 uri=$2 sb=$3 kind=$4 name="tu-$4" id out
    local t="$drv/$kind"

    id=$(virsh -c "$uri" domid "$name" 2>&1)
    ok_eq "$t: after restart: vcpucount --live" 3 "$(virsh -c "$uri" vcpucount "$name" --live --current 2>&1)"
    out=$(used_mem "$uri" "$name" "$sb" "$id")
    ok_match "$t: after restart: dominfo used memory is what the host says the domain has" '^([0-9]+) \1$' "$out"
    ok_eq "$t: after restart: xl: target 61440" 61440 "$(xl "$sb" "$id" target_memkb)"
    out=$(virsh -c "$uri" schedinfo "$name" --config 2>&1)
    ok_eq "$t: after restart: schedinfo --config" "350 25" "$(field weight "$out") $(field cap "$out")"
    out=$(virsh -c "$uri" schedinfo "$name" --live 2>&1)
    ok_eq "$t: after restart: schedinfo --live" "350 10" "$(field weight "$out") $(field cap "$out")"
    ok_eq "$t: after restart: vcpupin --live" 6 "$(pin_of "$uri" "$name" 1)"
    out=$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)
    ok_match "$t: after restart: dumpxml --inactive memory" "<memory unit='KiB'>122880</memory>" "$out"
    ok_match "$t: after restart: dumpxml --inactive currentMemory" "<currentMemory unit='KiB'>63488</currentMemory>" "$out"
    ok_match "$t: after restart: dumpxml --inactive numatune" "<memory mode='interleave' nodeset='0'/>" "$out"
    ok_eq "$t: after restart: vcpupin --config" 2-3 "$(pin_of "$uri" "$name" 0 --config)"
    ok_eq "$t: after restart: vcpucount --maximum --config" 3 "$(virsh -c "$uri" vcpucount "$name" --maximum --config 2>&1)"
    ok_run "$t: setvcpus 1 --live after restart" virsh -c "$uri" setvcpus "$name" 1 --live
    ok_eq "$t: xl: 1 vcpu online" 1 "$(xl "$sb" "$id" vcpu_online)"
    ok_run "$t: destroy" virsh -c "$uri" destroy "$name"
    ok_run "$t: undefine" virsh -c "$uri" undefine "$name"
}

# RTDS (a host whose scheduler is rtds): period and budget of each vcpu,
# as schedinfo's vcpu_period and vcpu_quota
rtds_checks() { # drv uri sb kind
    local drv=$1 uri=$2 sb=$3 kind=$4 name="rt-$4" out id
    local t="$drv/rtds/$kind"

    tune_xml "$kind" "$name" > "$work/$name-$drv.xml"
    ok_run "$t: define" virsh -c "$uri" define "$work/$name-$drv.xml"
    ok_run "$t: start" virsh -c "$uri" start "$name"
    id=$(virsh -c "$uri" domid "$name" 2>&1)
    out=$(virsh -c "$uri" schedinfo "$name" 2>&1)
    ok_eq "$t: schedinfo: rtds, period 10000, budget 4000" "rtds 10000 4000" \
        "$(field Scheduler "$out") $(field vcpu_period "$out") $(field vcpu_quota "$out")"
    ok_run "$t: schedinfo --live vcpu_period=20000 vcpu_quota=5000" \
        virsh -c "$uri" schedinfo "$name" --live --set vcpu_period=20000 --set vcpu_quota=5000
    ok_eq "$t: xl: each vcpu 20000/5000" "20000/5000 20000/5000" "$(xl "$sb" "$id" rtds0) $(xl "$sb" "$id" rtds3)"
    out=$(virsh -c "$uri" schedinfo "$name" --live 2>&1)
    ok_eq "$t: schedinfo --live shows them" "20000 5000" "$(field vcpu_period "$out") $(field vcpu_quota "$out")"
    ok_run "$t: schedinfo --live vcpu_quota=8000 alone keeps the period" \
        virsh -c "$uri" schedinfo "$name" --live --set vcpu_quota=8000
    ok_eq "$t: xl: each vcpu 20000/8000" "20000/8000" "$(xl "$sb" "$id" rtds1)"
    ok_fail "$t: a budget above the period refused" \
        "vcpu_quota 30000 out of range: the rtds scheduler's budget cannot exceed the period 20000" \
        virsh -c "$uri" schedinfo "$name" --live --set vcpu_quota=30000
    ok_fail "$t: a period under 10 us refused with the range" \
        "vcpu_period 5 out of range: the rtds scheduler takes 10 to 1000000000 microseconds" \
        virsh -c "$uri" schedinfo "$name" --live --set vcpu_period=5
    ok_eq "$t: xl: unchanged by the refusals" "20000/8000" "$(xl "$sb" "$id" rtds0)"
    ok_run "$t: schedinfo --config vcpu_period=30000 vcpu_quota=6000" \
        virsh -c "$uri" schedinfo "$name" --config --set vcpu_period=30000 --set vcpu_quota=6000
    out=$(virsh -c "$uri" dumpxml --inactive "$name" 2>&1)
    ok_match "$t: dumpxml --inactive <period>, <quota>" "<period>30000</period>" "$out"
    ok_match "$t: dumpxml --inactive <quota>" "<quota>6000</quota>" "$out"
    ok_run "$t: destroy" virsh -c "$uri" destroy "$name"
    ok_run "$t: start again" virsh -c "$uri" start "$name"
    id=$(virsh -c "$uri" domid "$name" 2>&1)
    ok_eq "$t: xl: the config's 30000/6000 at start" "30000/6000 30000/6000" "$(xl "$sb" "$id" rtds0) $(xl "$sb" "$id" rtds2)"
    ok_run "$t: destroy" virsh -c "$uri" destroy "$name"
    ok_run "$t: undefine" virsh -c "$uri" undefine "$name"
}

for drv in ${TUNE_DRIVERS:-ours stock}; do
    lc_sandbox_prep "$work/sb-$drv"
    if ! sandbox_up "$work/sb-$drv" --driver=$drv --host=sim; then
        tap_fail "$drv: sandbox up"
        continue
    fi
    uri=$URI
    [ "$drv" = ours ] && lc_require_lifecycle "$uri" "$work/sb-$drv" "$work"
    # the stock module's gaps: recorded, not required
    TAP_RECORD=
    [ "$drv" = stock ] && TAP_RECORD="stock: recorded"
    for kind in pv pvh hvm; do
        tune_checks "$drv" "$uri" "$work/sb-$drv" "$kind"
    done
    ok_run "$drv: daemon restart" "$top_srcdir/scripts/sandbox" restart "$work/sb-$drv"
    for kind in pv pvh hvm; do
        after_restart "$drv" "$uri" "$work/sb-$drv" "$kind"
    done
    TAP_RECORD=
done

sed 's/^scheduler = .*/scheduler = rtds/' "$top_srcdir/tests/libxltest/data/host-2node.cfg" > "$work/rtds.cfg"
for drv in ${TUNE_DRIVERS:-ours stock}; do
    lc_sandbox_prep "$work/rt-$drv"
    if ! sandbox_up "$work/rt-$drv" --driver=$drv --host=sim --xensim-config="$work/rtds.cfg"; then
        tap_fail "$drv: rtds sandbox up"
        continue
    fi
    TAP_RECORD=
    [ "$drv" = stock ] && TAP_RECORD="stock: recorded"
    for kind in pv hvm; do
        rtds_checks "$drv" "$URI" "$work/rt-$drv" "$kind"
    done
    TAP_RECORD=
done

sandbox_cleanup
rm -rf "$work"
tap_done

# tests/libxltest/tap.sh: TAP helpers for the shell integration tests.
# Source it; every assertion prints one "ok"/"not ok" line; tap_done prints the plan.
# shellcheck shell=bash

tap_n=0
tap_failed=0
# While TAP_TODO is set, assertions are known failures (the stock module's
# bugs, recorded): a failure is an XFAIL, a success an XPASS that fails the run.
TAP_TODO=
# While TAP_RECORD is set (a reason), a failure is recorded as a known one
# (TODO) and a success passes: for the stock module's behaviour where it is
# only recorded, not required.
TAP_RECORD=

tap_ok() { # description
    tap_n=$((tap_n + 1))
    if [ -n "$TAP_TODO" ]; then
        tap_failed=$((tap_failed + 1))
        echo "ok $tap_n - $1 # TODO $TAP_TODO"
    else
        echo "ok $tap_n - $1"
    fi
}

tap_fail() { # description [detail...]
    local d=$1
    shift
    tap_n=$((tap_n + 1))
    if [ -n "$TAP_TODO$TAP_RECORD" ]; then
        echo "not ok $tap_n - $d # TODO $TAP_TODO$TAP_RECORD"
    else
        tap_failed=$((tap_failed + 1))
        echo "not ok $tap_n - $d"
    fi
    local line
    for line in "$@"; do
        printf '%s\n' "$line" | sed 's/^/# /'
    done
}

tap_skip() { # description reason
    tap_n=$((tap_n + 1))
    echo "ok $tap_n - $1 # SKIP $2"
}

# ok_run DESC CMD...: the command succeeds
ok_run() {
    local d=$1 out
    shift
    if out=$("$@" 2>&1); then tap_ok "$d"; else tap_fail "$d" "\$ $*" "$out"; fi
}

# ok_fail DESC PATTERN CMD...: the command fails, saying something matching PATTERN
ok_fail() {
    local d=$1 pat=$2 out
    shift 2
    if out=$("$@" 2>&1); then
        tap_fail "$d" "\$ $*" "succeeded but should have failed" "$out"
    elif ! printf '%s' "$out" | grep -Eq -- "$pat"; then
        tap_fail "$d" "\$ $*" "error does not match /$pat/:" "$out"
    else
        tap_ok "$d"
    fi
}

# ok_eq DESC EXPECTED ACTUAL
ok_eq() {
    if [ "$2" = "$3" ]; then tap_ok "$1"; else tap_fail "$1" "expected: $2" "actual:   $3"; fi
}

# ok_match DESC PATTERN TEXT
ok_match() {
    if printf '%s' "$3" | grep -Eq -- "$2"; then tap_ok "$1"; else tap_fail "$1" "no match for /$2/ in:" "$3"; fi
}

tap_done() {
    echo "1..$tap_n"
    [ "$tap_failed" = 0 ]
}

# Sandboxes started by a test are stopped when it exits, whatever happens.
# sandbox_up DIR ARGS...: start one; its URI is left in $URI (not printed, so
# that the call runs in this shell and the sandbox is remembered).
tap_sandboxes=()
URI=
sandbox_up() {
    local dir=$1
    shift
    tap_sandboxes+=("$dir")
    URI=$("$top_srcdir/scripts/sandbox" up "$dir" "$@")
}
sandbox_cleanup() {
    local d
    for d in "${tap_sandboxes[@]}"; do
        "$top_srcdir/scripts/sandbox" down "$d" >/dev/null 2>&1 || true
    done
}
# A test removes its work directory only after its sandboxes are down:
# 'down' finds the daemons through their PID files there.
trap sandbox_cleanup EXIT

# Skip the whole script unless the environment can run sandboxes.
require_sandbox() {
    if [ "$(id -u)" != 0 ]; then
        echo "1..0 # SKIP sandboxes need root"
        exit 0
    fi
}

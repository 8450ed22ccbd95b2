#!/bin/sh
# make check (TAP): a 20 s libFuzzer run of the native configuration
# parser, in its own directory; skipped when clang is not installed.
echo "1..1"
if ! command -v clang >/dev/null 2>&1; then
    echo "ok 1 - native config fuzz smoke run # SKIP clang not found"
    exit 0
fi

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
NATIVE_FUZZ_DIR=${NATIVE_FUZZ_DIR:-native-fuzz-smoke}
export NATIVE_FUZZ_DIR
secs=${NATIVE_FUZZ_SECONDS:-20}

if "$top_srcdir/tests/libxltest/fuzz/run" "$secs" > "$NATIVE_FUZZ_DIR.out" 2>&1; then
    result="ok"
else
    result="not ok"
fi
sed 's/^/# /' "$NATIVE_FUZZ_DIR.out"
echo "$result 1 - native config fuzz smoke run (${secs}s)"

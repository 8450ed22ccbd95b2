#!/bin/sh
# make check: a 20 s libFuzzer run of the native configuration parser,
# in its own directory; skipped (77) when clang is not installed.
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
NATIVE_FUZZ_DIR=${NATIVE_FUZZ_DIR:-native-fuzz-smoke}
export NATIVE_FUZZ_DIR
exec "$top_srcdir/tests/libxltest/fuzz/run" "${NATIVE_FUZZ_SECONDS:-20}"

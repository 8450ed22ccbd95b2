#!/bin/sh
# make check: a 20 s libFuzzer run of the native configuration parser,
# skipped (77) when clang is not installed.
command -v clang >/dev/null 2>&1 || { echo "SKIP: clang not found"; exit 77; }
exec "${top_srcdir:-$(dirname "$0")/../..}/tests/libxltest/fuzz/run" "${NATIVE_FUZZ_SECONDS:-20}"

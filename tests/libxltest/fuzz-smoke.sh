#!/bin/sh
# make check (TAP): the short form of every libFuzzer target (fuzz/README):
# fuzz/run TARGET for FUZZ_SMOKE_SECONDS (20 by default) each, which
# replays the seed corpus then fuzzes for the rest of the time, each in
# its own directory under fuzz-smoke/.  Without clang the whole script is
# skipped (TAP's "1..0 # SKIP", what exit 77 is to a plain test).
targets=${FUZZ_SMOKE_TARGETS:-native xml2config save status}
secs=${FUZZ_SMOKE_SECONDS:-20}

if ! command -v clang >/dev/null 2>&1; then
    echo "1..0 # SKIP clang not found"
    exit 0
fi

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
set -- $targets
echo "1..$#"
i=0
for t in $targets; do
    i=$((i + 1))
    dir=fuzz-smoke/$t
    mkdir -p fuzz-smoke
    rm -rf "$dir"
    if FUZZ_DIR=$dir "$top_srcdir/tests/libxltest/fuzz/run" "$t" "$secs" -seed="${FUZZ_SMOKE_SEED:-1}" > "$dir.out" 2>&1; then
        result="ok"
    else
        result="not ok"
    fi
    sed 's/^/# /' "$dir.out"
    echo "$result $i - $t fuzz target: seed corpus and a ${secs}s run without a finding"
done

#!/bin/sh
#  tests/fuzz/run.sh - build and run every libFuzzer harness tests/fuzz/fuzz_*.c
#
#  Usage: tests/fuzz/run.sh            (from the repo root or anywhere)
#         FUZZ_SECONDS=60 tests/fuzz/run.sh
#
#  Builds the library with `make MODE=fuzz build/fuzz/libab.a`, links each
#  harness fuzz_<x>.c against it, and runs it for FUZZ_SECONDS (default 20)
#  on tests/fuzz/corpus/<x>/.  New inputs go to a temporary directory, so
#  the repository's corpus only changes when someone copies seeds in on
#  purpose.  A crash, leak, sanitizer report or timeout fails the run; its
#  input is kept as tests/fuzz/crashes/<x>-crash-<sha1> (or leak-, timeout-,
#  oom-) to replay with build/fuzz/fuzz_<x> FILE.  Prints one line per
#  harness and exits non-zero if any harness failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
SECONDS_EACH=${FUZZ_SECONDS:-20}
CRASHES=tests/fuzz/crashes
mkdir -p "$CRASHES" build/fuzz
[ -f "$CRASHES/.gitignore" ] || printf '*\n!.gitignore\n' > "$CRASHES/.gitignore"

if ! make --no-print-directory MODE=fuzz build/fuzz/libab.a > build/fuzz/make.log 2>&1; then
    tail -20 build/fuzz/make.log
    echo "fuzz: FAILED to build build/fuzz/libab.a (see build/fuzz/make.log)"
    exit 2
fi

#  Same packages and include directories as the Makefile, read from it so
#  the two cannot drift apart
PKGS=$(sed -n 's/^PKGS := //p' Makefile)
INCLUDES="-Icommon -Iproto -Iproducer -Iworkers/normalize -Iworkers/extract -Isink -Itools/lib"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer $INCLUDES $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm -lpthread"
#  halt_on_error: the library was built with recoverable UBSan checks;
#  a report must still stop the run and keep the input
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"

failed=0
found=0
for source in tests/fuzz/fuzz_*.c; do
    [ -f "$source" ] || continue
    found=$((found + 1))
    name=$(basename "$source" .c)
    short=${name#fuzz_}
    binary=build/fuzz/$name
    corpus=tests/fuzz/corpus/$short
    mkdir -p "$corpus"
    if ! clang -fsanitize=fuzzer,address,undefined $CFLAGS -o "$binary" "$source" \
            build/fuzz/libab.a $LIBS > "build/fuzz/$name.build.log" 2>&1; then
        tail -20 "build/fuzz/$name.build.log"
        echo "$name: FAILED to build (see build/fuzz/$name.build.log)"
        failed=$((failed + 1))
        continue
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/ab-fuzz-$short.XXXXXX")
    log=build/fuzz/$name.log
    #  The first corpus directory receives new inputs: the temporary one
    "$binary" "$work" "$corpus" -max_total_time="$SECONDS_EACH" -timeout=10 \
        -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1 \
        -artifact_prefix="$CRASHES/$short-" > "$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$log" | tail -1)
    rm -rf "$work"
    if [ $rc -eq 0 ]; then
        echo "$name: ok, ${runs:-? runs}, ${cov:-cov: ?}, ${corp:-corp: ?}"
    else
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        echo "$name: FAILED (exit $rc) input ${artifact:-?}, log $log"
        grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done
if [ $found -eq 0 ]; then
    echo "fuzz: no tests/fuzz/fuzz_*.c harness found"
    exit 2
fi
[ $failed -eq 0 ] || exit 1
exit 0

#!/bin/sh
# allybrief's whole test suite: `make check` runs this, and so does .ci/run.
#
#   1. builds every program and test under gcc (debug), clang, and
#      gcc with AddressSanitizer + UBSan; and the optimized release
#      programs and bench drivers (profile-guided: see the Makefile)
#   2. unit tests (cmocka): debug build, ASan/UBSan build, and valgrind
#   3. integration tests: the real programs (ASan/UBSan build) as processes
#   4. eval: the evaluation corpus through the real programs (ASan/UBSan
#      build), scored against eval/gold.tsv (precision >= 0.9, recall >= 0.8)
#   5. deploy files: config examples, systemd units, Kubernetes manifests
#      (deploy/check.sh)
#   6. multi-host: the pipeline over CURVE across network namespaces
#      (tests/integration/test_netns.sh; skips without root or ip netns)
#   7. fuzz smoke: each libFuzzer harness for FUZZ_SECONDS (default 15)
#   8. web: allybrief-web's page in headless Chromium (tests/web/run.sh, ASan build)
#
# Ends with one line "N passed, N failed"; exits non-zero if anything failed.
# With arguments, runs only the steps named (build-gcc, unit-debug, ...;
# `make unit` and `make integration` do this); a step needs the build its
# name says to have run before.
set -u
cd "$(dirname "$0")/.."
JOBS=${JOBS:-2}
ONLY=" $* "
passed=0
failed=0
failures=""

step () {
    name=$1
    shift
    if [ "$ONLY" != "  " ] && [ "${ONLY#* "$name" }" = "$ONLY" ]; then
        return 0
    fi
    echo "==== $name"
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failures="$failures $name"
        echo "==== FAILED: $name"
    fi
}

unit_tests () {
    for src in tests/unit/test_*.c; do
        basename "$src" .c
    done
}

integration_tests () {
    for src in tests/integration/test_*.c; do
        basename "$src" .c
    done
}

build () {
    make -s -j"$JOBS" MODE="$1" programs tests
}

run_unit () {
    mode=$1
    wrapper=${2:-}
    rc=0
    for test in $(unit_tests); do
        echo "-- $test ($mode${wrapper:+, valgrind})"
        if [ -n "$wrapper" ]; then
            valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
                --suppressions=tests/valgrind.supp "build/$mode/tests/$test" || rc=1
        else
            "build/$mode/tests/$test" || rc=1
        fi
    done
    return $rc
}

run_integration () {
    rc=0
    for test in $(integration_tests); do
        echo "-- $test (programs from build/$1)"
        AB_BIN="build/$1/bin" "build/$1/tests/$test" || rc=1
    done
    return $rc
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

step build-gcc build debug || { echo "0 passed, 1 failed"; exit 1; }
step build-clang build clang
step build-asan build asan
step build-release make -s -j"$JOBS" MODE=release programs bench-programs
step unit-debug run_unit debug
step unit-asan run_unit asan
step unit-valgrind run_unit debug valgrind
step integration run_integration asan
step eval sh eval/run.sh build/asan/bin build/asan/eval-out
step deploy-check env AB_BIN=build/debug/bin sh deploy/check.sh
step netns env AB_BIN=build/asan/bin sh tests/integration/test_netns.sh
if [ -x tests/fuzz/run.sh ] || [ -f tests/fuzz/run.sh ]; then
    step fuzz sh tests/fuzz/run.sh
fi
step web env MODE=asan sh tests/web/run.sh

echo
[ -n "$failures" ] && echo "failed steps:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

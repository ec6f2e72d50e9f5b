#!/bin/bash
# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# ovs-vtap-test.sh: the whole test suite of ovs-vtap from nothing, as root
# on Debian 12: installs the packages, builds Open vSwitch (once, cached),
# configures and builds ovs-vtap with -Werror, runs "make check" (cmocka
# unit tests and the autotest suite, topology tests included), runs the
# unit tests again under AddressSanitizer and UBSan, runs "make distcheck",
# and runs the benchmarks once in quick mode so that they keep working
# (their figures are printed, never asserted).  Prints one closing line
# "tests: N passed, N failed, N skipped".
#
# Usage: ovs-vtap-test.sh [TESTSUITEFLAGS...]
#   Arguments go to the autotest suite, e.g. "-k ovs-vtapctl" or "-v 12".
# Environment:
#   OVS_VTAP_SKIP_DISTCHECK=yes   skip "make distcheck" (for quick runs)
#   OVS_VTAP_SKIP_SANITIZERS=yes  skip the sanitizer build
#   OVS_VTAP_SKIP_BENCH=yes       skip "make bench BENCHFLAGS=--quick"

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

step() {
    echo
    echo "=== $* ($(date +%T))"
}

fail() {
    echo "ovs-vtap-test: $*" >&2
    echo "tests: 0 passed, 1 failed"
    exit 1
}

step "dependencies"
bash utilities/ovs-vtap-deps.sh || fail "installing dependencies failed"

step "autoreconf"
if test ! -x configure || test configure.ac -nt configure \
       || test m4/ovs-vtap.m4 -nt configure; then
    autoreconf -fi || fail "autoreconf failed"
fi

jobs=$(nproc)
step "configure and build (-Werror)"
mkdir -p _build
(cd _build && { test -f Makefile || ../configure --enable-Werror; } \
    && make -j"$jobs") || fail "build failed"

log=$(mktemp)
trap 'rm -f "$log"' EXIT

step "make check"
(cd _build && make check TESTSUITEFLAGS="-j$jobs $*") 2>&1 | tee -a "$log"
check_rc=$?
cat _build/tests/test-*.log >>"$log" 2>/dev/null

sanitizer_rc=0
if test "$OVS_VTAP_SKIP_SANITIZERS" != yes; then
    step "unit tests under AddressSanitizer and UBSan"
    mkdir -p _build-sanitizers
    (cd _build-sanitizers \
        && { test -f Makefile \
             || ../configure --enable-Werror --enable-sanitizers; } \
        && make -j"$jobs" check-unit) 2>&1 | tee -a "$log"
    sanitizer_rc=$?
    cat _build-sanitizers/tests/test-*.log >>"$log" 2>/dev/null
fi

distcheck_rc=0
if test "$OVS_VTAP_SKIP_DISTCHECK" != yes; then
    # The tarball runs its unit tests and the tests that need no root; the
    # topology tests already ran above on the same code.
    step "make distcheck"
    (cd _build && make -j"$jobs" distcheck \
        TESTSUITEFLAGS="-j$jobs -k !topology") > _build/distcheck.log 2>&1
    distcheck_rc=$?
    tail -5 _build/distcheck.log
    test $distcheck_rc = 0 || grep -E 'FAIL|Error|error:' _build/distcheck.log \
        | head -30
fi

bench_rc=0
bench_runs=0
if test "$OVS_VTAP_SKIP_BENCH" != yes; then
    step "benchmarks, quick run (make bench BENCHFLAGS=--quick)"
    (cd _build && make bench BENCHFLAGS=--quick) > _build/bench.log 2>&1
    bench_rc=$?
    bench_runs=1
    sed -n '/^ovs-vtap benchmarks,/,$p' _build/bench.log
    test $bench_rc = 0 || tail -30 _build/bench.log
fi

# Count cmocka cases and autotest tests from what they printed.
unit_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" \
            | awk '{s += $1} END {print s + 0}')
unit_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" \
            | awk '{s += $1} END {print s + 0}')
at_pass=$(grep -cE '^ *[0-9]+: .* ok$' "$log")
at_fail=$(grep -cE '^ *[0-9]+: .* FAILED \(' "$log")
at_skip=$(grep -cE '^ *[0-9]+: .* skipped \(' "$log")

bench_fail=$((bench_rc != 0))
passed=$((unit_pass + at_pass + bench_runs - bench_fail))
failed=$((unit_fail + at_fail + bench_fail))
for rc in $check_rc $sanitizer_rc $distcheck_rc; do
    if test "$rc" != 0 && test "$failed" = 0; then
        failed=1
    fi
done

echo
echo "unit tests (incl. sanitizers): $unit_pass passed, $unit_fail failed;" \
     "autotest: $at_pass passed, $at_fail failed, $at_skip skipped;" \
     "distcheck rc=$distcheck_rc; benchmarks rc=$bench_rc"
echo "tests: $passed passed, $failed failed, $at_skip skipped"
test "$failed" = 0

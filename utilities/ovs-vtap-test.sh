#!/bin/bash
# Copyright (c) 2026 The ovs-vtap authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# SPDX-License-Identifier: Apache-2.0
# ovs-vtap-test.sh: the whole test suite of ovs-vtap from nothing, as root
# on Debian 12.  The set-up prints one line per phase with its time
# (packages, the Open vSwitch build, which is cached, autoreconf, configure
# and build with -Werror, in _build and, with AddressSanitizer and UBSan,
# in _build-sanitizers) and keeps the full output in _build/setup.log,
# whose last lines and path it prints when a phase fails.  Then it runs
# "make check" (cmocka unit tests and the autotest suite, topology tests
# included), the whole of "make check" again under the sanitizers, "make
# distcheck", the install and Debian package checks
# (utilities/ovs-vtap-package-test.sh), and the benchmarks once in quick
# mode so that they keep working (their figures are printed, never
# asserted; a benchmark that fails runs once more, and only one that cannot
# run at all fails).
# Prints one closing line "tests: N passed, N failed, N skipped".
#
# Usage: ovs-vtap-test.sh [TESTSUITEFLAGS...]
#   Arguments go to both runs of the autotest suite, e.g. "-k ovs-vtapctl".
# Environment:
#   OVS_VTAP_SKIP_DISTCHECK=yes   skip "make distcheck" (for quick runs)
#   OVS_VTAP_SKIP_SANITIZERS=yes  skip the sanitizer build and its run
#   OVS_VTAP_SKIP_PACKAGES=yes    skip the install and package checks
#   OVS_VTAP_SKIP_BENCH=yes       skip the quick benchmarks

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
# shellcheck source=utilities/ovs-vtap-setup.sh
. utilities/ovs-vtap-setup.sh

command_start=$(date +%s)
jobs=$(nproc)

step() {
    echo
    echo "=== $* ($(date +%T))"
}

fail() {
    echo "ovs-vtap-test: $*" >&2
    echo "tests: 0 passed, 1 failed, 0 skipped"
    exit 1
}

# setup_tests BUILDDIR: builds the test programs and the autotest suite of
# BUILDDIR without running them.
setup_tests() {
    make -C "$1" -j"$jobs" check TESTS= TESTSUITE_DISABLED=yes
}

# run_check BUILDDIR LOG [TESTSUITEFLAGS...]: "make check" in BUILDDIR, its
# output shown and appended to LOG with the unit tests' logs.
run_check() {
    local builddir=$1 log=$2 status
    shift 2
    (cd "$builddir" && make -s --no-print-directory check \
                            TESTSUITEFLAGS="-j$jobs $*") 2>&1 \
        | tee -a "$log"
    status=$?
    cat "$builddir"/tests/test-*.log >>"$log" 2>/dev/null
    return $status
}

setup_log_init "$top/_build/setup.log"
setup_all "$top/_build" --enable-Werror || fail "set-up failed"
setup_phase "build tests _build" setup_tests "$top/_build" \
    || fail "set-up failed"
if test "$OVS_VTAP_SKIP_SANITIZERS" != yes; then
    setup_builddir "$top/_build-sanitizers" --enable-Werror \
                   --enable-sanitizers || fail "set-up failed"
    setup_phase "build tests _build-sanitizers" setup_tests \
                "$top/_build-sanitizers" || fail "set-up failed"
fi

log=$(mktemp)
san_log=$(mktemp)
trap 'rm -f "$log" "$san_log"' EXIT

step "make check"
run_check _build "$log" "$@"
check_rc=$?

sanitizer_rc=0
sanitizer_time=
if test "$OVS_VTAP_SKIP_SANITIZERS" != yes; then
    step "make check under AddressSanitizer and UBSan (_build-sanitizers)"
    sanitizer_start=$(date +%s)
    run_check _build-sanitizers "$san_log" "$@"
    sanitizer_rc=$?
    sanitizer_time=$(($(date +%s) - sanitizer_start))
    echo "make check under the sanitizers took ${sanitizer_time} s"
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

package_rc=0
if test "$OVS_VTAP_SKIP_PACKAGES" != yes; then
    # make install, the Debian packages with lintian, and the systemd units.
    step "packages (utilities/ovs-vtap-package-test.sh)"
    bash utilities/ovs-vtap-package-test.sh _build >_build/package.log 2>&1
    package_rc=$?
    grep -E '^(ovs-vtap-package-test|package):|FAIL' _build/package.log
    test $package_rc = 0 \
        || echo "the package checks' full output is in $top/_build/package.log"
fi

bench_rc=0
bench_runs=0
if test "$OVS_VTAP_SKIP_BENCH" != yes; then
    step "benchmarks, quick run (make bench BENCHFLAGS='--quick --retry')"
    (cd _build && make bench BENCHFLAGS="--quick --retry") \
        >_build/bench.log 2>&1
    bench_rc=$?
    bench_runs=1
    sed -n '/^ovs-vtap benchmarks,/,$p' _build/bench.log
    if test $bench_rc != 0; then
        grep -q '^ovs-vtap benchmarks,' _build/bench.log \
            || tail -n 25 _build/bench.log
        echo "the benchmarks' full output is in $top/_build/bench.log"
    fi
fi

# count LOG: the cmocka cases and autotest tests that LOG shows, as
# "UNIT-PASSED UNIT-FAILED AT-PASSED AT-FAILED AT-SKIPPED".
count() {
    local unit_pass unit_fail
    unit_pass=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" \
                | awk '{s += $1} END {print s + 0}')
    unit_fail=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" \
                | awk '{s += $1} END {print s + 0}')
    echo "$unit_pass $unit_fail" \
         "$(grep -cE '^ *[0-9]+: .* ok$' "$1")" \
         "$(grep -cE '^ *[0-9]+: .* FAILED \(' "$1")" \
         "$(grep -cE '^ *[0-9]+: .* skipped \(' "$1")"
}
read -r unit_pass unit_fail at_pass at_fail at_skip < <(count "$log")
read -r san_unit_pass san_unit_fail san_at_pass san_at_fail san_at_skip \
    < <(count "$san_log")

bench_fail=$((bench_rc != 0))
passed=$((unit_pass + at_pass + san_unit_pass + san_at_pass + bench_runs
          - bench_fail))
failed=$((unit_fail + at_fail + san_unit_fail + san_at_fail + bench_fail))
skipped=$((at_skip + san_at_skip))
for rc in $check_rc $sanitizer_rc $distcheck_rc $package_rc; do
    if test "$rc" != 0 && test "$failed" = 0; then
        failed=1
    fi
done

echo
echo "make check: unit tests $unit_pass passed, $unit_fail failed;" \
     "autotest $at_pass passed, $at_fail failed, $at_skip skipped"
if test "$OVS_VTAP_SKIP_SANITIZERS" != yes; then
    echo "under AddressSanitizer and UBSan (${sanitizer_time} s):" \
         "unit tests $san_unit_pass passed, $san_unit_fail failed;" \
         "autotest $san_at_pass passed, $san_at_fail failed," \
         "$san_at_skip skipped"
fi
echo "distcheck rc=$distcheck_rc; packages rc=$package_rc;" \
     "benchmarks rc=$bench_rc;" \
     "the whole command took $(($(date +%s) - command_start)) s"
echo "tests: $passed passed, $failed failed, $skipped skipped"
test "$failed" = 0

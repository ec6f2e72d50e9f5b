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
# ovs-vtap-bench.sh: runs the ovs-vtap benchmarks and prints a table of
# their figures, each with its ratio to a reference measured in the same
# run (these machines are shared and noisy: the ratio is what counts).
#
#   start     start/stop latency of a VTAP, against a bare OVS Mirror
#             (bench-start.sh, root: network namespaces)
#   scale     1,000 VTAPs of 10 rules, then one more (bench-scale.sh)
#   datapath  iperf3 TCP through a tapped port (bench-datapath.sh, root)
#   receiver  ovs-vtap-receiver against tcpdump (tests/bench-receiver.sh)
#   e2e       a VTAP mirroring a full-speed iperf3 stream: the copies the
#             receiver got against the VTAP's counters (bench-e2e.sh, root)
#   hosts     50 hosts on a 3-member clustered VTAP database, 10,000 VTAPs:
#             until every host applied, against idle monitor clients of
#             the database; transactions when idle (bench-hosts.sh)
#
# The benchmarks print numbers; they fail only if they cannot measure.  A
# benchmark that fails gets a row with its reason (its last "cannot
# measure" line, or its last line on standard error).  With --retry, each
# one that fails runs once more.  One whose measurement was disturbed
# (exit status 2, see bench-lib.sh: noise on a loaded machine) is reported
# but fails nothing; one that could not run at all (any other status) makes
# this script exit 1.  See docs/benchmarks.md for what each figure means.

set -u -o pipefail

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$srcdir/_build
quick=no
retry=no
only="start scale datapath receiver e2e hosts pool"

usage() {
    cat <<USAGE
$0: the ovs-vtap benchmarks
usage: $0 [OPTIONS]
  --quick            short runs (for CI: well under 3 minutes)
  --retry            run each benchmark that fails once more
  --builddir=DIR     the build tree with the programs (default: $builddir)
  --only=LIST        some of: start,scale,datapath,receiver,e2e,hosts,pool
                     (default: all)
  -h, --help         this help
The start, datapath and e2e benchmarks need root (network namespaces), iperf3
and tcpdump.  The hosts benchmark (50 hosts, 10,000 VTAPs; --quick: 5 and 200)
takes about 6 minutes on 2 CPUs; BENCH_HOSTS_HOSTS and BENCH_HOSTS_VTAPS
change its size.  Set BENCH_KEEP=yes to keep a failed benchmark's files.
USAGE
}

for arg; do
    case $arg in
    --quick) quick=yes ;;
    --retry) retry=yes ;;
    --builddir=*) builddir=$(cd "${arg#*=}" && pwd) ;;
    --only=*) only=$(echo "${arg#*=}" | tr ',' ' ') ;;
    -h | --help) usage; exit 0 ;;
    *) echo "$0: unknown argument \"$arg\" (see --help)" >&2; exit 1 ;;
    esac
done
for b in $only; do
    case $b in
    start | scale | datapath | receiver | e2e | hosts | pool) ;;
    *) echo "$0: unknown benchmark \"$b\"" >&2; exit 1 ;;
    esac
done
for prog in ovs-vtapd/ovs-vtapd utilities/ovs-vtapctl \
            utilities/ovs-vtap-receiver; do
    test -x "$builddir/$prog" \
        || { echo "$0: $builddir/$prog is not built" >&2; exit 1; }
done

results=$(mktemp /tmp/ovs-vtap-bench.XXXXXX)
stderr=$(mktemp /tmp/ovs-vtap-bench-stderr.XXXXXX)
trap 'rm -f "$results" "$stderr"' EXIT
export BENCH_SRCDIR=$srcdir BENCH_BUILDDIR=$builddir BENCH_RESULTS=$results
export BENCH_QUICK=$quick
failed=
disturbed=
reasons=

# The receiver's own benchmark prints its rates and ratio; they become rows.
bench_receiver() {
    local out flags=
    test $quick = no || flags=--quick
    out=$(bash "$srcdir/tests/bench-receiver.sh" $flags "$builddir") \
        || return 1
    echo "$out" >&2
    local size sizes rx tcpdump ratio rx_cpu tcpdump_cpu
    sizes=$(echo "$out" \
            | sed -n 's/^receiver (.*), \([0-9]*\)-byte frames: .*/\1/p')
    test -n "$sizes" || return 1
    for size in $sizes; do
        rx=$(echo "$out" | sed -n "s/^receiver (.*), $size-byte frames: .*without loss: \([>=0-9]*\) pps.*/\1/p")
        tcpdump=$(echo "$out" | sed -n "s/^tcpdump .*, $size-byte frames: .*without loss: \([>=0-9]*\) pps.*/\1/p")
        ratio=$(echo "$out" | sed -n "s/^ratio receiver\/tcpdump, $size-byte frames: \([>=<0-9. ]*\).*/\1/p")
        echo "receiver|loss-free rate, pcapng to a file, $size-byte frames|$rx|pps|tcpdump -w|${tcpdump:--}|${ratio:--}" \
            >>"$results"
        rx_cpu=$(echo "$out" | sed -n "s/^receiver (.*), $size-byte frames: .*(\([0-9.-]*\) us CPU\/packet).*/\1/p")
        tcpdump_cpu=$(echo "$out" | sed -n "s/^tcpdump .*, $size-byte frames: .*(\([0-9.-]*\) us CPU\/packet).*/\1/p")
        if test -n "$rx_cpu" && test -n "$tcpdump_cpu"; then
            echo "receiver|system CPU per packet, $size-byte frames|$rx_cpu|us|tcpdump -w|$tcpdump_cpu|$(awk -v a="$rx_cpu" -v b="$tcpdump_cpu" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
                >>"$results"
        fi
    done
    if echo "$out" | grep -q 'the sender, not the tools, was the limit'; then
        echo "receiver|(the sender was the limit: both are at least this fast)||||||" \
            >>"$results"
    fi
}

# run_bench NAME: runs one benchmark, its standard error shown and kept in
# $stderr for the reason of a failure.
run_bench() {
    echo "=== $1" >&2
    if test "$1" = receiver; then
        bench_receiver 2>&1 >&3 | tee "$stderr" >&2
    else
        bash "$srcdir/tests/bench/bench-$1.sh" 2>&1 >&3 | tee "$stderr" >&2
    fi
    return "${PIPESTATUS[0]}"
} 3>&1

# failure_reason STATUS: why the benchmark that just ran failed: its last
# "cannot measure" or "measurement disturbed" line, else its last line on
# standard error and its exit status.
failure_reason() {
    local reason
    reason=$(sed -n 's/^[^:]*: \(cannot measure\|measurement disturbed\): //p' \
                 "$stderr" | tail -1)
    if test -z "$reason"; then
        reason=$(grep -v '^[[:space:]]*$' "$stderr" | tail -1)
        reason="${reason:-nothing printed} (exit status $1)"
    fi
    echo "$reason"
}

start_time=$(date -u +%s)
for b in $only; do
    run_bench "$b"
    status=$?
    if test $status != 0 && test $retry = yes; then
        echo "$b: failed: $(failure_reason $status); once more" >&2
        run_bench "$b"
        status=$?
    fi
    if test $status = 2; then
        disturbed="$disturbed $b"
        echo "$b|NOT MEASURED (disturbed, see below)||||||" >>"$results"
        reasons="$reasons$b: measurement disturbed (noise, not a failure):"
        reasons="$reasons $(failure_reason $status)"$'\n'
    elif test $status != 0; then
        failed="$failed $b"
        echo "$b|COULD NOT MEASURE (see below)||||||" >>"$results"
        reasons="$reasons$b: could not measure: $(failure_reason $status)"
        reasons=$reasons$'\n'
    fi
done
elapsed=$(($(date -u +%s) - start_time))

echo
echo "ovs-vtap benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -n):" \
     "$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo \
        | head -1)), Open vSwitch $(ovs-vswitchd --version | sed -n 's/.* //p;q')," \
     "$([ $quick = yes ] && echo quick || echo full) run in ${elapsed}s"
{
    echo "benchmark|figure|value|unit|reference|ref. value|ratio"
    cat "$results"
} | awk -F'|' '
    { for (i = 1; i <= NF; i++) { cell[NR, i] = $i
          if (length($i) > w[i]) w[i] = length($i) }
      n = NR; nf[NR] = NF }
    END {
        for (r = 1; r <= n; r++) {
            line = ""
            for (i = 1; i <= 7; i++)
                line = line sprintf(i >= 3 && i != 4 && i != 5 ? "%*s  " : "%-*s  ",
                                    w[i], cell[r, i])
            sub(/ +$/, "", line); print line
            if (r == 1) {
                line = ""
                for (i = 1; i <= 7; i++) { s = sprintf("%*s", w[i], ""); gsub(/ /, "-", s); line = line s "  " }
                sub(/ +$/, "", line); print line
            }
        }
    }'
printf '%s' "$reasons"
test -z "$failed"

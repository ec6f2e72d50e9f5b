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
# shellcheck shell=bash disable=SC2034
# bench-lib.sh: shell helpers shared by the ovs-vtap benchmarks
# (tests/bench/bench-*.sh), sourced by each.  A benchmark prints its
# numbers as rows "BENCH|FIGURE|VALUE|UNIT|REFERENCE|REF-VALUE|RATIO" on
# the file $BENCH_RESULTS, which ovs-vtap-bench.sh turns into a table.
#
# A benchmark that cannot measure says why on standard error, in a line
# "NAME: cannot measure: REASON", and exits 1: it is broken (a program
# missing, a lab that does not come up, a VTAP that never mirrors, or any
# command that fails under "set -e", which the ERR trap below names).  A
# benchmark whose measurement worked at first and was then disturbed (a
# wait that timed out on a loaded machine) says "NAME: measurement
# disturbed: REASON" and exits 2: that is noise, not a fault.
#
# Environment (set by ovs-vtap-bench.sh, with defaults for a direct run):
#   BENCH_SRCDIR    the ovs-vtap source tree
#   BENCH_BUILDDIR  its build tree (programs)
#   BENCH_RESULTS   the file of result rows (default: standard output)
#   BENCH_QUICK     "yes" for a short run
#   BENCH_TMPDIR    where scratch directories go
#   BENCH_KEEP      "yes" keeps the scratch directory, the processes and
#                   the lab at exit, to look into a failure

bench_srcdir=${BENCH_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
bench_builddir=${BENCH_BUILDDIR:-$bench_srcdir/_build}
bench_results=${BENCH_RESULTS:-/dev/stdout}
bench_quick=${BENCH_QUICK:-no}
bench_name=$(basename "$0" .sh)

bench_say() {
    echo "$bench_name: $*" >&2
}

bench_die() {
    echo "$bench_name: cannot measure: $*" >&2
    exit 1
}

# bench_disturbed REASON: gives up on a measurement that had worked before.
bench_disturbed() {
    echo "$bench_name: measurement disturbed: $*" >&2
    exit 2
}

# bench_cycle_failed GOOD REASON: a cycle of a measurement failed after
# GOOD cycles of the same kind had succeeded: noise if there were any,
# otherwise the benchmark is broken.
bench_cycle_failed() {
    if test "$1" -gt 0; then
        bench_disturbed "$2 (after $1 good cycles)"
    fi
    bench_die "$2"
}

# Names the command that makes the benchmark stop under "set -e" (in the
# benchmark's own shell, not in its subshells, whose failures come back to
# it), and stops it with status 1: a broken benchmark.
bench_on_error() {
    if test "$BASHPID" = "$$"; then
        echo "$bench_name: cannot measure: \"$2\" failed" \
             "(exit status $1, line $3)" >&2
        exit 1
    fi
}
set -E
trap 'bench_on_error $? "$BASH_COMMAND" "$LINENO"' ERR

# bench_result FIGURE VALUE UNIT [REFERENCE REF-VALUE]: records one figure,
# with its ratio to a reference measured in the same run if one is given.
bench_result() {
    local figure=$1 value=$2 unit=$3 ref=${4:-} ref_value=${5:-} ratio=
    if test -n "$ref_value"; then
        ratio=$(awk -v a="$value" -v b="$ref_value" \
                    'BEGIN { if (b != 0) printf "%.2f", a / b; else print "-" }')
    fi
    echo "${bench_name#bench-}|$figure|$value|$unit|$ref|$ref_value|$ratio" \
        >>"$bench_results"
    bench_say "$figure: $value $unit${ref:+ (reference $ref: $ref_value, ratio $ratio)}"
}

# bench_now: the time of day in seconds since the epoch, with nanoseconds.
bench_now() {
    date +%s.%N
}

# bench_stats: reads numbers, one a line, and prints "MEDIAN P95 N"
# (nearest rank), with three decimals.
bench_stats() {
    sort -g | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "- - 0"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            r = int(0.95 * NR); if (r < 0.95 * NR) r++
            printf "%.3f %.3f %d\n", m, v[r], NR
        }'
}

# bench_wait SECONDS COMMAND...: retries COMMAND every 10 ms until it
# succeeds, at most SECONDS; fails if it never does.
bench_wait() {
    local limit=$1
    shift
    for _ in $(seq 1 $((limit * 100))); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.01
    done
    return 1
}

# Scratch directory, removed at exit.
bench_tmp=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/ovs-vtap-$bench_name.XXXXXX")

# Processes that the benchmark started, stopped at exit by pid.
bench_pids=
bench_lab=

# bench_track PID...: stops these processes at exit.
bench_track() {
    bench_pids="$bench_pids $*"
}

bench_cleanup() {
    local pid
    if test "${BENCH_KEEP:-no}" = yes; then
        bench_say "kept $bench_tmp and pids$bench_pids (BENCH_KEEP=yes)"
        return
    fi
    for pid in $bench_pids; do
        kill "$pid" 2>/dev/null || true
    done
    if test -n "$bench_lab"; then
        bench_lab_cmd down >/dev/null 2>&1 || true
    fi
    rm -rf "$bench_tmp"
}
trap bench_cleanup EXIT
trap 'exit 1' INT TERM

# bench_lab_cmd ARG...: runs the lab script (utilities/ovs-vtap-lab.sh) on
# the benchmark's lab, whose files are in the scratch directory.
bench_lab_cmd() {
    OVS_VTAP_LAB_DIR=$bench_tmp/labs OVS_VTAP_BUILDDIR=$bench_builddir \
        bash "$bench_srcdir/utilities/ovs-vtap-lab.sh" -n "$bench_lab" "$@"
}

# bench_lab_up NAME TOPOLOGY: brings up lab NAME (a namespace prefix
# starting with "vtb", after $OVS_VTAP_BENCH_LAB_PREFIX if set) and points
# the OVS and ovs-vtap tools at it; the lab goes down at exit.
bench_lab_up() {
    test "$(id -u)" = 0 || bench_die "network namespaces need root"
    ip netns list >/dev/null 2>&1 || bench_die "no \"ip netns\""
    bench_lab=${OVS_VTAP_BENCH_LAB_PREFIX-}$1
    bench_lab_cmd up "$2" >"$bench_tmp/lab-up.log" 2>&1 \
        || { cat "$bench_tmp/lab-up.log" >&2; bench_die "lab did not come up"; }
    eval "$(bench_lab_cmd env)"
}

# bench_lab_bg HOST PIDFILE CMD...: runs CMD in the background in HOST's
# namespace, writing its pid to PIDFILE (it is stopped at exit).
bench_lab_bg() {
    local host=$1 pidfile=$2
    shift 2
    # shellcheck disable=SC2016
    bench_lab_cmd exec "$host" sh -c 'echo $$ >"$0"; exec "$@"' \
        "$pidfile" "$@" &
    bench_wait 10 test -s "$pidfile" || bench_die "$1 did not start in $host"
    bench_track "$(cat "$pidfile")"
}

# bench_receiver HOST OUTPUT [OPTION...]: starts ovs-vtap-receiver on
# HOST's UDP 4789, its lines appended to OUTPUT; waits until it listens.
bench_receiver() {
    local host=$1 out=$2
    shift 2
    bench_lab_bg "$host" "$bench_tmp/receiver-$host.pid" \
        "$bench_builddir/utilities/ovs-vtap-receiver" -l 0.0.0.0:4789 \
        --unixctl="$bench_tmp/receiver-$host.ctl" "$@" \
        >>"$out" 2>"$bench_tmp/receiver-$host.err"
    bench_wait 10 grep -q 'listening on' "$bench_tmp/receiver-$host.err" \
        || bench_die "the receiver on $host does not listen"
}

# The bare-OVS reference: a VXLAN port (key 200) on br-int toward the
# collector, and a hand-made Mirror of the server's port to it.
bench_bare_port_add() {
    ovs-vsctl add-port br-int vtb-bare -- set interface vtb-bare type=vxlan \
        options:remote_ip=172.16.0.222 options:key=200
}

# bench_bare_mirror_add: creates the Mirror, then makes a dummy flow_mod:
# Open vSwitch 3.1 does not revalidate cached datapath flows after a Mirror
# change (docs/architecture.md, "Open vSwitch 3.1 traps"), so without it
# the Mirror takes seconds.
bench_bare_mirror_add() {
    ovs-vsctl -- --id=@p get port p-server \
        -- --id=@o get port vtb-bare \
        -- --id=@m create mirror name=vtb-bare select_src_port=@p \
           select_dst_port=@p output_port=@o \
        -- add bridge br-int mirrors @m >/dev/null
    ovs-ofctl add-flow br-int "table=200,priority=1,cookie=0xbe,actions=drop"
}

# bench_bare_mirror_del: removes the Mirror, with the same dummy flow_mod.
bench_bare_mirror_del() {
    ovs-vsctl -- --id=@m get mirror vtb-bare -- remove bridge br-int mirrors @m
    ovs-ofctl del-flows br-int "table=200,cookie=0xbe/-1"
}

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
# bench-start.sh: start and stop latency of a VTAP, against bare Open
# vSwitch.
#
# In a lab (client, server, collector "nlb"), the client pings the server
# every 2 ms, and ovs-vtap-receiver on the collector writes a JSON line with
# the kernel's receive time of each mirrored frame.  One cycle of each kind,
# interleaved:
#   vtap:  "ovs-vtapctl start" of a VTAP (server's port, everything, VNI
#          100) and later "ovs-vtapctl stop";
#   bare:  the floor of bare OVS: "ovs-vsctl" creating a Mirror of the
#          server's port to a VXLAN port (VNI 200) on the bridge, then
#          "ovs-ofctl add-flow" of a dummy flow, because OVS 3.1 does not
#          revalidate its datapath flows on a Mirror change
#          (docs/architecture.md); the stop is "ovs-vsctl clear" of the mirror and "ovs-ofctl del-flows"
#          of the dummy flow.
# Start latency: from just before the command to the first mirrored frame;
# stop latency: from just before the command to the last one.  Prints the
# median and 95th percentile of each, and the ratios vtap/bare.
#
# usage: bench-start.sh [--quick]; see bench-lib.sh for the environment.

set -eu -o pipefail
# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

cycles=${BENCH_START_CYCLES:-40}
test "$bench_quick" != yes || test -n "${BENCH_START_CYCLES:-}" || cycles=10
test "${1:-}" != --quick || cycles=10
interval=0.002          # Seconds between pings.
hold=0.2                # Seconds that a tap runs in a cycle.
quiet=0.3               # Seconds without a frame that mean "stopped".

cat >"$bench_tmp/lab.topo" <<TOPO
bridge br-int 172.16.0.1/24
host client 172.16.0.148/24
host server 172.16.0.134/24
host nlb 172.16.0.222/24
vtapd --stats-interval=5
TOPO
bench_lab_up vtbs "$bench_tmp/lab.topo"

rx=$bench_tmp/rx.json
: >"$rx"
bench_receiver nlb "$rx" --json

# The VTAP (stopped) and the bare tunnel port.
ovs-vtapctl add-target nlb 172.16.0.222 \
    -- add-filter all \
    -- add-rule all ingress include proto=all \
    -- add-rule all egress include proto=all \
    -- add-vtap vtap iface-id=server nlb all vni=100 >/dev/null
bench_bare_port_add
bench_wait 30 sh -c "ovs-vtapctl show | grep -q 'state: stopped'" \
    || bench_die "ovs-vtapd did not realize the VTAP"

bench_lab_bg client "$bench_tmp/ping.pid" \
    ping -q -i "$interval" 172.16.0.134 >/dev/null
bench_wait 10 sh -c "ovs-ofctl dump-ports br-int p-server | grep -q 'rx pkts=[1-9]'" \
    || bench_die "no traffic from the client to the server"

bare_start() { bench_bare_mirror_add; }
bare_stop() { bench_bare_mirror_del; }

vtap_start() {
    ovs-vtapctl start vtap
}

vtap_stop() {
    ovs-vtapctl stop vtap
}

# frames_after LINE VNI T0: the receive times of the frames of VNI received
# after T0, from line LINE of the receiver's output on (its JSON "time" is
# a string, to keep the nanoseconds: the quotes are left out).
frames_after() {
    tail -n +"$1" "$rx" | awk -F'[:,]' -v vni="$2" -v t0="$3" \
        '{ t = $2; gsub(/"/, "", t) }
         $3 == "\"vni\"" && $4 == vni && t + 0 > t0 + 0 { print t }'
}

first_frame_after() {
    test -n "$(frames_after "$@" | head -1)"
}

# still_mirroring LINE VNI: whether a frame of VNI came in the last $quiet
# seconds.
still_mirroring() {
    local t
    t=$(awk -v now="$(bench_now)" -v q="$quiet" 'BEGIN { printf "%.9f", now - q }')
    test -n "$(frames_after "$1" "$2" "$t" | head -1)"
}

# ms TIME T0: TIME - T0 in milliseconds.
ms() {
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (a - b) * 1000 }'
}

# Cycles of each kind that went through, warm-up included.
declare -A good=([vtap]=0 [bare]=0)

# cycle KIND VNI [warm-up]: one start/stop cycle; appends the latencies in
# ms to KIND.start and KIND.stop unless it is a warm-up.  A cycle that times
# out after one of its kind went through is noise (the machine is loaded),
# not a broken benchmark.
cycle() {
    local kind=$1 vni=$2 out=$bench_tmp/$1 line t0 first last
    test -z "${3:-}" || out=$bench_tmp/warm-up
    line=$(($(wc -l <"$rx") + 1))
    t0=$(bench_now)
    "${kind}_start"
    bench_wait 10 first_frame_after "$line" "$vni" "$t0" \
        || bench_cycle_failed "${good[$kind]}" \
               "$kind: no mirrored frame within 10 s of the start"
    first=$(frames_after "$line" "$vni" "$t0" | head -1)
    ms "$first" "$t0" >>"$out.start"
    sleep "$hold"
    line=$(($(wc -l <"$rx") + 1))
    t0=$(bench_now)
    "${kind}_stop"
    for _ in $(seq 1 200); do
        still_mirroring "$line" "$vni" || break
        sleep 0.05
    done
    ! still_mirroring "$line" "$vni" \
        || bench_cycle_failed "${good[$kind]}" \
               "$kind: still mirroring 10 s after the stop"
    last=$(frames_after "$line" "$vni" "$t0" | tail -1)
    if test -n "$last"; then
        ms "$last" "$t0"
    else
        echo 0
    fi >>"$out.stop"
    good[$kind]=$((good[$kind] + 1))
}

bench_say "$cycles start/stop cycles of each kind, ping every ${interval}s"
cycle vtap 100 warm-up
cycle bare 200 warm-up
for _ in $(seq 1 "$cycles"); do
    cycle vtap 100
    cycle bare 200
done

for what in start stop; do
    read -r vmed vp95 n < <(bench_stats <"$bench_tmp/vtap.$what")
    read -r bmed bp95 n < <(bench_stats <"$bench_tmp/bare.$what")
    bench_result "$what latency, median (n=$n)" "$vmed" ms \
        "bare OVS Mirror + flow_mod" "$bmed"
    bench_result "$what latency, 95th percentile" "$vp95" ms \
        "bare OVS Mirror + flow_mod" "$bp95"
done

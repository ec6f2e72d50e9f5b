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
# bench-e2e.sh: a VTAP mirroring a full-speed iperf3 TCP stream, end to
# end, and whether the receiver gets every copy.
#
# In a lab (tests/bench/e2e.topo: client, server, collector "nlb"), an
# iperf3 TCP stream, as fast as it goes, runs from the client to the server
# through Open vSwitch's user-space datapath, and a running VTAP of the
# server's port (both directions, everything) mirrors it to ovs-vtap-receiver
# on the collector, on its ring path (--capture=ring, 32 MiB ring) writing
# pcapng.  Once the stream is over and both sides' counters have settled,
# the copies that the VTAP counted (its realization's ingress_packets plus
# egress_packets, from Open vSwitch's flow counters) are compared with what
# the receiver counted and wrote: the difference is what was lost between
# the switch and the receiver's file, and the receiver's own ring drops are
# reported apart.  The goal is 0 lost.
#
# usage: bench-e2e.sh [--quick]; see bench-lib.sh for the environment.

set -eu -o pipefail
# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

seconds=10
if test "$bench_quick" = yes || test "${1:-}" = --quick; then
    seconds=3
fi
command -v iperf3 >/dev/null || bench_die "iperf3 is not installed"

bench_lab_up vtbe "$bench_srcdir/tests/bench/e2e.topo"
bench_receiver nlb /dev/null -q --capture=ring --rcvbuf $((32 << 20)) \
    --pcapng "$bench_tmp/e2e.pcapng"

ovs-vtapctl add-target nlb 172.16.0.222 \
    -- add-filter all \
    -- add-rule all ingress include proto=all \
    -- add-rule all egress include proto=all \
    -- add-vtap tap iface-id=server nlb all vni=100 >/dev/null
ovs-vtapctl --wait start tap
bench_wait 30 sh -c "ovs-vtapctl show | grep -q 'state: running'" \
    || bench_die "the VTAP does not run"

bench_lab_bg server "$bench_tmp/iperf3.pid" iperf3 -s >/dev/null 2>&1
server_listens() {
    bench_lab_cmd exec server ss -ltn | grep -q ':5201 '
}
bench_wait 10 server_listens || bench_die "iperf3 does not listen on the server"
bench_lab_cmd exec client ping -q -c 2 -i 0.2 172.16.0.134 >/dev/null \
    || bench_die "the client does not reach the server"

# vtap_packets: the copies that the VTAP counted, both directions, on
# every host.
vtap_packets() {
    local in out
    in=$(ovs-vtapctl statistics tap ingress_packets 2>/dev/null || echo 0)
    out=$(ovs-vtapctl statistics tap egress_packets 2>/dev/null || echo 0)
    echo $((in + out))
}

# receiver_counts: the receiver's "MATCHED WRITTEN RING-DROPS".
receiver_counts() {
    ovs-appctl -t "$bench_tmp/receiver-nlb.ctl" receiver/show-json \
        | python3 -c 'import json, sys
j = json.load(sys.stdin)
print(j["matched"], j["pcapng_written"], j["kernel_drops"])'
}

# counts: "VTAP MATCHED WRITTEN RING-DROPS" now.
counts() {
    echo "$(vtap_packets) $(receiver_counts)"
}

# settled: the counters did not move over the last 2.5 s (the VTAP's are
# refreshed every second), their value in $settled.
settled_last=''
settled_same=0
settle_step() {
    local now
    now=$(counts)
    if test "$now" = "$settled_last"; then
        settled_same=$((settled_same + 1))
    else
        settled_same=0 settled_last=$now
    fi
    test $settled_same -ge 10
}
settle() {
    settled_last='' settled_same=0
    for _ in $(seq 1 240); do
        if settle_step; then
            settled=$settled_last
            return 0
        fi
        sleep 0.25
    done
    return 1
}

settle || bench_die "the counters never settled before the stream"
read -r vtap0 rx0 written0 drops0 <<<"$settled"

bench_say "iperf3 TCP, ${seconds}s, as fast as it goes, mirrored by a VTAP"
bench_lab_cmd exec client iperf3 -c 172.16.0.134 -t "$seconds" -J \
    >"$bench_tmp/iperf3.json" \
    || bench_die "iperf3 failed: $(cat "$bench_tmp/iperf3.json")"
gbps=$(python3 -c 'import json, sys
print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]
                ["bits_per_second"] / 1e9))' <"$bench_tmp/iperf3.json")

settle || bench_disturbed "the counters never settled after the stream"
read -r vtap1 rx1 written1 drops1 <<<"$settled"
mirrored=$((vtap1 - vtap0)) received=$((rx1 - rx0))
written=$((written1 - written0)) drops=$((drops1 - drops0))
test "$mirrored" -gt 1000 || bench_die "the VTAP mirrored only $mirrored packets"
lost=$((mirrored - written))
pps=$((mirrored / seconds))

bench_result "iperf3 TCP mirrored by a VTAP" "$gbps" Gbit/s
bench_result "copies the VTAP counted" "$mirrored" packets
bench_result "copies the receiver got" "$received" packets \
    "VTAP counters" "$mirrored"
bench_result "copies lost before the receiver's file" "$lost" packets \
    "VTAP counters" "$mirrored"
bench_result "receiver ring drops" "$drops" packets
bench_say "about $pps copies a second; receiver wrote $written, dropped $drops"

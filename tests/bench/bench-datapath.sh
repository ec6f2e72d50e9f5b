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
# bench-datapath.sh: TCP throughput through a tapped port, against the
# same port untapped.
#
# In a lab (client, server, collector "nlb" running ovs-vtap-receiver), an
# iperf3 TCP stream goes from the client to the server through Open
# vSwitch's user-space datapath, with the server's port:
#   untapped:  no Mirror, no VTAP on it;
#   bare:      a bare OVS Mirror (both directions) to a VXLAN port on the
#              bridge, as by hand (ovs-vsctl, then a dummy flow_mod);
#   vtap-all:  a running VTAP whose filter includes everything;
#   vtap-none: a running VTAP whose filter excludes TCP (and includes only
#              ICMP), so that nothing of the stream is mirrored.
# The configurations take turns, round after round; each figure is the
# median over the rounds, as a ratio to untapped.  The receiver's counts
# check that the tapped runs mirrored and the excluded one did not.
#
# usage: bench-datapath.sh [--quick]; see bench-lib.sh for the environment.

set -eu -o pipefail
# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

rounds=3 seconds=5
if test "$bench_quick" = yes || test "${1:-}" = --quick; then
    rounds=1 seconds=2
fi
command -v iperf3 >/dev/null || bench_die "iperf3 is not installed"

cat >"$bench_tmp/lab.topo" <<TOPO
bridge br-int 172.16.0.1/24
host client 172.16.0.148/24
host server 172.16.0.134/24
host nlb 172.16.0.222/24
vtapd --stats-interval=5
TOPO
bench_lab_up vtbd "$bench_tmp/lab.topo"
bench_receiver nlb /dev/null -q

ovs-vtapctl add-target nlb 172.16.0.222 \
    -- add-filter all \
    -- add-rule all ingress include proto=all \
    -- add-rule all egress include proto=all \
    -- add-filter notcp \
    -- add-rule notcp ingress exclude proto=tcp \
    -- add-rule notcp ingress include proto=icmp \
    -- add-rule notcp egress exclude proto=tcp \
    -- add-rule notcp egress include proto=icmp >/dev/null
bench_bare_port_add

bench_lab_bg server "$bench_tmp/iperf3.pid" iperf3 -s >/dev/null
server_listens() {
    bench_lab_cmd exec server ss -ltn | grep -q ':5201 '
}
bench_wait 10 server_listens || bench_die "iperf3 does not listen on the server"
# The hosts learn each other (ARP) before the first run.
bench_lab_cmd exec client ping -q -c 2 -i 0.2 172.16.0.134 >/dev/null \
    || bench_die "the client does not reach the server"
bench_lab_cmd exec client ping -q -c 2 -i 0.2 172.16.0.222 >/dev/null \
    || bench_die "the client does not reach the collector"

untapped_on() { :; }
untapped_off() { :; }

bare_on() { bench_bare_mirror_add; }
bare_off() { bench_bare_mirror_del; }

# vtap_on FILTER: a running VTAP of the server's port with FILTER.
vtap_on() {
    ovs-vtapctl add-vtap tap iface-id=server nlb "$1" vni=100 >/dev/null
    ovs-vtapctl --wait start tap
    bench_wait 30 sh -c "ovs-vtapctl show | grep -q 'state: running'" \
        || bench_die "the VTAP does not run"
}

vtap_off() {
    ovs-vtapctl --wait del-vtap tap
}

vtap-all_on() { vtap_on all; }
vtap-all_off() { vtap_off; }
vtap-none_on() { vtap_on notcp; }
vtap-none_off() { vtap_off; }

mirrored() {
    ovs-appctl -t "$bench_tmp/receiver-nlb.ctl" receiver/show \
        | sed -n 's/^datagrams: \([0-9]*\).*/\1/p'
}

# run CONFIG: one iperf3 run with CONFIG; appends Gbit/s to CONFIG.gbps
# and the frames that the receiver got to CONFIG.mirrored.
run() {
    local config=$1 before after
    "${config}_on"
    before=$(mirrored)
    bench_lab_cmd exec client iperf3 -c 172.16.0.134 -t "$seconds" -J \
        >"$bench_tmp/iperf3.json" \
        || bench_die "$config: iperf3 failed: $(cat "$bench_tmp/iperf3.json")"
    python3 -c 'import json, sys
print("%.3f" % (json.load(sys.stdin)["end"]["sum_received"]
                ["bits_per_second"] / 1e9))' \
        <"$bench_tmp/iperf3.json" >>"$bench_tmp/$config.gbps"
    sleep 0.5               # The last mirrored frames come in.
    after=$(mirrored)
    echo $((after - before)) >>"$bench_tmp/$config.mirrored"
    "${config}_off"
}

configs="untapped bare vtap-all vtap-none"
bench_say "$rounds rounds of ${seconds}s iperf3 runs: $configs"
for _ in $(seq 1 "$rounds"); do
    for config in $configs; do
        run "$config"
    done
done

median() {
    read -r m _ < <(bench_stats <"$bench_tmp/$1")
    echo "$m"
}

untapped=$(median untapped.gbps)
for config in $configs; do
    frames=$(median "$config.mirrored")
    case $config in
    bare | vtap-all)
        test "${frames%.*}" -gt 1000 \
            || bench_die "$config: only $frames frames mirrored" ;;
    vtap-none)
        test "${frames%.*}" -lt 100 \
            || bench_die "$config: $frames frames mirrored, expected none" ;;
    esac
    bench_result "iperf3 TCP, $config" "$(median "$config.gbps")" Gbit/s \
        untapped "$untapped"
done

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
# tests/topology-lib.sh: shell helpers of the topology tests
# (tests/topology.at), sourced by each test after its lab is up.  $LAB is
# the lab's name; its files are in labs/$LAB.

# lab_wait COMMAND...: retries COMMAND, a bounded number of times (30 s),
# until it succeeds; fails if it never does.
lab_wait () {
    for _ in $(seq 1 300); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "lab_wait: timed out: $*" >&2
    return 1
}

# lab_exec HOST COMMAND...: runs COMMAND in HOST's namespace.
lab_exec () {
    ovs-vtap-lab.sh exec "$@"
}

# rx_count HOST [REGEX]: lines of HOST's receiver that match REGEX.
rx_count () {
    grep -c -- "${2:-.}" "labs/$LAB/log/receiver-$1.txt"
}

# rx_seqs HOST REGEX: the ICMP sequence numbers of the matching lines.
rx_seqs () {
    grep -- "$2" "labs/$LAB/log/receiver-$1.txt" \
        | sed -n 's/.*, seq \([0-9]*\),.*/\1/p'
}

# rx_wait HOST REGEX N: waits until HOST's receiver has N matching lines.
rx_wait () {
    lab_wait sh -c "test \$(grep -c -- '$2' labs/$LAB/log/receiver-$1.txt) -ge $3"
}

# start_tcpdump HOST NAME TCPDUMP-ARGS...: tcpdump in HOST's namespace,
# writing NAME.pcap packet by packet; returns once it listens.  It ends
# with the lab.
start_tcpdump () {
    local host=$1 name=$2
    shift 2
    lab_exec "$host" tcpdump --immediate-mode -U -n -w "$name.pcap" "$@" \
        2>"$name.err" &
    lab_wait grep -q 'listening on' "$name.err"
}

# pcap_count FILE REGEX [TCPDUMP-ARGS...]: lines of "tcpdump -r FILE" that
# match REGEX.
pcap_count () {
    local file=$1 regex=$2
    shift 2
    tcpdump -n -r "$file" "$@" 2>/dev/null | grep -c -- "$regex"
}

# pcap_has FILE REGEX N: whether "tcpdump -r FILE" has N matching lines.
pcap_has () {
    test "$(pcap_count "$1" "$2")" -ge "$3"
}

# pcap_wait FILE REGEX N: waits until FILE has N matching lines.
pcap_wait () {
    lab_wait pcap_has "$@"
}

# seed_vtap NAME TARGET VNI [ADDRESS]: the seed's VTAP (stopped): source the
# server's port, the client's ICMP both ways, target TARGET (made at
# ADDRESS unless it exists).
seed_vtap () {
    local name=$1 target=$2 vni=$3 address=${4:-}
    if test -n "$address"; then
        ovs-vtapctl add-target "$target" "$address" || return 1
    fi
    if ! ovs-vtapctl list-filters | grep -qx icmp-client; then
        ovs-vtapctl add-filter icmp-client \
            -- add-rule icmp-client ingress include proto=icmp \
               src=172.16.0.148/32 \
            -- add-rule icmp-client egress include proto=icmp \
               dst=172.16.0.148/32 || return 1
    fi
    ovs-vtapctl add-vtap "$name" iface-id=server "$target" icmp-client \
        vni="$vni"
}

# vtap_realization NAME: the UUID of the VTAP's realization that is not
# released (empty if none): in a lab of one hypervisor, its only one.
vtap_realization () {
    ovs-vtapctl --bare --columns=_uuid find realization \
        vtap="$(ovs-vtapctl get vtap "$1" _uuid)" state!=released | head -1
}

# vtap_state NAME: the state of the VTAP's realization (empty if none).
vtap_state () {
    local r
    r=$(vtap_realization "$1")
    test -z "$r" || ovs-vtapctl --bare get realization "$r" state
}

# vtap_stat NAME KEY: one counter of the VTAP, summed over its hosts.
vtap_stat () {
    ovs-vtapctl statistics "$1" "$2" 2>/dev/null || echo 0
}

# vtap_stat_is NAME KEY N: whether the VTAP's counter KEY is N.
vtap_stat_is () {
    test "$(vtap_stat "$1" "$2")" = "$3"
}

# vtap_packets NAME: the VTAP's mirrored packets, both directions.
vtap_packets () {
    echo $(( $(vtap_stat "$1" ingress_packets) + \
             $(vtap_stat "$1" egress_packets) ))
}

# vtap_is NAME STATE: whether the VTAP's realization is in STATE.
vtap_is () {
    test "$(vtap_state "$1")" = "$2"
}

# vtap_bytes NAME: the VTAP's mirrored bytes, both directions.
vtap_bytes () {
    echo $(( $(vtap_stat "$1" ingress_bytes) + \
             $(vtap_stat "$1" egress_bytes) ))
}

# vtap_bytes_are NAME N: whether the VTAP's counters show N bytes.
vtap_bytes_are () {
    test "$(vtap_bytes "$1")" = "$2"
}

# vtap_packets_are NAME N: whether the VTAP's counters show N packets.
vtap_packets_are () {
    test "$(vtap_packets "$1")" = "$2"
}

# start_vtap NAME: starts the VTAP and waits until ovs-vtapd reports it
# running (its flows installed).
start_vtap () {
    ovs-vtapctl start "$1" && lab_wait vtap_is "$1" running
}

# stop_vtap NAME: stops the VTAP and waits until ovs-vtapd reports it
# stopped.
stop_vtap () {
    ovs-vtapctl stop "$1" && lab_wait vtap_is "$1" stopped
}

# ping_last_seq FILE: the last icmp_seq that ping printed in FILE.
ping_last_seq () {
    sed -n 's/.*icmp_seq=\([0-9]*\).*/\1/p' "$1" | tail -1
}

# backend_packets HOST...: one line per TCP packet that the receivers of
# the HOSTs (an NLB's backends) wrote to their pcaps: "HOST SRC SPORT DST
# DPORT IP-ID SEQ ACK FLAGS", read with tshark.
backend_packets () {
    local host
    for host in "$@"; do
        tshark -r "labs/$LAB/log/receiver-$host.pcap" -Y tcp -T fields \
            -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport -e ip.id \
            -e tcp.seq_raw -e tcp.ack_raw -e tcp.flags 2>/dev/null \
            | sed "s/^/$host	/"
    done
}

# session_backends CLIENT: from backend_packets' lines on stdin, one line
# per TCP session of CLIENT (by its port) with the backends that each of
# its directions reached, "PORT TO-BACKENDS FROM-BACKENDS same|split",
# then a line "sessions N split K duplicates D": a duplicate is a packet
# (the same addresses, ports, IP ID, sequence and acknowledgment numbers
# and flags) that reached more than one backend or one backend twice.
session_backends () {
    awk -v client="$1" -F '\t' '
        function add(list, item) {
            return index("," list ",", "," item ",") ? list \
                   : (list == "" ? item : list "," item)
        }
        {
            key = $2 " " $3 " " $4 " " $5 " " $6 " " $7 " " $8 " " $9
            if (seen[key]++) {
                duplicates++
            }
            if ($2 == client) {
                port = $3; to[port] = add(to[port], $1)
            } else {
                port = $5; from[port] = add(from[port], $1)
            }
            ports[port] = 1
        }
        END {
            for (port in ports) {
                sessions++
                verdict = to[port] == from[port] ? "same" : "split"
                split_sessions += verdict == "split"
                print port, to[port], from[port], verdict
            }
            printf "sessions %d split %d duplicates %d\n", sessions,
                   split_sessions, duplicates
        }'
}

# vtap_host_realization NAME HOST: the UUID of the VTAP's realization that
# HOST (a hypervisor's system-id) writes (empty if none).
vtap_host_realization () {
    ovs-vtapctl --bare --columns=_uuid find realization \
        vtap="$(ovs-vtapctl get vtap "$1" _uuid)" host="$2"
}

# vtap_host_state NAME HOST: the state of the VTAP's realization on HOST.
vtap_host_state () {
    local r
    r=$(vtap_host_realization "$1" "$2")
    test -z "$r" || ovs-vtapctl --bare get realization "$r" state
}

# vtap_host_is NAME HOST STATE: whether the VTAP is in STATE on HOST.
vtap_host_is () {
    test "$(vtap_host_state "$1" "$2")" = "$3"
}

# vtap_host_packets NAME HOST: the VTAP's mirrored packets (both
# directions) in HOST's realization.
vtap_host_packets () {
    local r key n=0
    r=$(vtap_host_realization "$1" "$2")
    if test -n "$r"; then
        for key in ingress_packets egress_packets; do
            n=$((n + $(ovs-vtapctl get realization "$r" "statistics:$key" \
                       2>/dev/null || echo 0)))
        done
    fi
    echo $n
}

# hv_mirrors HV: the names of the Mirror rows in HV's Open_vSwitch
# database, one a line.
hv_mirrors () {
    lab_exec "$1" ovs-vsctl --bare --columns=name list mirror | sed '/^$/d'
}

# vtap_host_packets_are NAME HOST N: whether HOST's realization of the VTAP
# counts N packets.
vtap_host_packets_are () {
    test "$(vtap_host_packets "$1" "$2")" = "$3"
}

# hv_has_no_mirrors HV: whether HV's Open_vSwitch database has no Mirror.
hv_has_no_mirrors () {
    test -z "$(hv_mirrors "$1")"
}

# hv_bridges_are HV BRIDGE...: whether HV has exactly these bridges.
hv_bridges_are () {
    local hv=$1
    shift
    test "$(lab_exec "$hv" ovs-vsctl list-br | tr '\n' ' ')" = "$* "
}

# pool_flows CLIENT SINCE HOST...: one line per TCP or UDP flow of CLIENT
# (by protocol and CLIENT's port) that the receivers of the HOSTs (a pool's
# backends) wrote to their pcaps at or after SINCE (seconds since the
# epoch): "PROTO PORT BACKENDS", BACKENDS every host that got one of its
# packets either way, comma-separated; sorted.  Health packets are not in
# the pcaps (the receiver counts them apart).
pool_flows () {
    local client=$1 since=$2 host
    shift 2
    for host in "$@"; do
        tshark -r "labs/$LAB/log/receiver-$host.pcap" \
            -Y "(tcp or udp) && !icmp && frame.time_epoch >= $since" \
            -T fields -e ip.src -e tcp.srcport -e udp.srcport \
            -e tcp.dstport -e udp.dstport 2>/dev/null \
            | sed "s/^/$host	/"
    done | awk -F '\t' -v client="$client" '
        {
            proto = $3 != "" ? "tcp" : "udp"
            port = $2 == client ? $3 $4 : $5 $6
            k = proto " " port
            if (!index("," b[k] ",", "," $1 ",")) {
                b[k] = b[k] == "" ? $1 : b[k] "," $1
            }
        }
        END { for (k in b) print k, b[k] }' | sort -k1,1 -k2n
}

# pool_backends_up VTAP: how many backends of the pool VTAP's target are
# up in its Realization row.
pool_backends_up () {
    ovs-vtapctl --bare --columns=backend_state list Realization \
        | grep -o '=up' | wc -l
}

# pool_backends_are VTAP N: whether N backends of VTAP's pool are up.
pool_backends_are () {
    test "$(pool_backends_up "$1")" = "$2"
}

# backend_is ADDR STATE: whether the pool backend ADDR is in STATE in
# "ovs-vtapctl show".
backend_is () {
    ovs-vtapctl show | grep -q "backend $1: $2"
}

# udp_echo_server HOST PORT: a UDP echo server on HOST's PORT, for 120 s.
udp_echo_server () {
    lab_exec "$1" timeout 120 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    data, addr = s.recvfrom(2048)
    s.sendto(data, addr)
' "$2" >/dev/null 2>&1 &
}

# udp_flows CLIENT-HOST SERVER PORT FIRST LAST: one datagram from each
# client port FIRST..LAST to SERVER:PORT (the server echoes it back), all
# at once.
udp_flows () {
    local p
    for p in $(seq "$4" "$5"); do
        echo "flow $p" | lab_exec "$1" nc -u -w 1 -q 1 -p "$p" "$2" "$3" \
            >/dev/null 2>&1 &
    done
    wait
}

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
# demo.sh: plays the seed scenario (docs/scenario.md) in a lab, narrating each
# step, showing the evidence and checking every expectation.  Exits 0 only
# if all held.  Run through "ovs-vtap-lab.sh demo", which builds first.
#
# Usage: demo.sh [keep|no] [multi]   ("keep" leaves the lab up at the end;
# "multi" plays it across two hypervisors, utilities/lab/seed-multi.topo)
#
# Environment: OVS_VTAP_LAB_NAME, OVS_VTAP_LAB_DIR, OVS_VTAP_BUILDDIR as for
# ovs-vtap-lab.sh.

# Conditions for wait_for are single-quoted on purpose (evaluated later);
# finish runs from the EXIT trap.
# shellcheck disable=SC2016,SC2317
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
lab_sh=$top/utilities/ovs-vtap-lab.sh
keep=${1:-no}
multi=${2:-no}
failures=0
wait_tries=300         # bounded waits: 300 tries, 0.1 s apart

client=172.16.0.148
server=172.16.0.134
nlb=172.16.0.222
collector=172.16.0.200
if test "$multi" = multi; then
    topology=$top/utilities/lab/seed-multi.topo
    bridge=172.16.0.11          # hv1's br-int: the server's hypervisor
    server_hv=hv1 client_hv=hv2
    daemons="hv1/ovs-vtapd hv2/ovs-vtapd receiver-collector"
else
    topology=$top/utilities/lab/seed.topo
    bridge=172.16.0.1
    server_hv="" client_hv=""
    daemons="ovs-vtapd receiver-collector"
fi
vni=100

step() {
    printf '\n=== %s\n' "$*"
}

# Shows a command, runs it and indents its output.
run() {
    echo "  \$ $*"
    "$@" 2>&1 | sed 's/^/    /'
    return "${PIPESTATUS[0]}"
}

# expect DESCRIPTION COMMAND...: checks one expectation of the story.
expect() {
    local description=$1; shift
    if "$@"; then
        echo "  [ok]   $description"
    else
        echo "  [FAIL] $description"
        failures=$((failures + 1))
    fi
}

# wait_for CONDITION: waits, a bounded number of times, until the shell
# CONDITION (evaluated anew each time) holds.
wait_for() {
    for _ in $(seq 1 "$wait_tries"); do
        if eval "$1" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

lab() {
    "$lab_sh" "$@"
}

# The receiver's lines so far (one per mirrored frame).
receiver_lines() {
    cat "$OVS_LOGDIR/receiver-collector.txt" 2>/dev/null
}

# receiver_count [REGEX]: how many of the receiver's lines match.
receiver_count() {
    receiver_lines | grep -c -- "${1:-.}"
}

# tcpdump_count HOST DESTINATION: the VXLAN packets with the VTAP's VNI
# from the bridge's address to DESTINATION that tcpdump saw on HOST.
tcpdump_count() {
    tcpdump -n -r "$OVS_LOGDIR/$1-eth0.pcap" 2>/dev/null \
        | grep -c "IP $bridge\.[0-9]* > $2\.4789: VXLAN.* vni $vni\$"
}

# Sends 10 echo requests from the client to the server; prints the summary.
client_pings() {
    lab exec client ping -c 10 -i 0.2 -W 1 "$server" \
        | grep -e 'packets transmitted' -e '^rtt' | sed 's/^/    /'
}

# The packets that the VTAP mirrored, both ways, over all its hosts.
vtap_packets() {
    echo $(($(ovs-vtapctl statistics server-tap ingress_packets)
            + $(ovs-vtapctl statistics server-tap egress_packets)))
}

# The bytes of those packets.
vtap_bytes() {
    echo $(($(ovs-vtapctl statistics server-tap ingress_bytes)
            + $(ovs-vtapctl statistics server-tap egress_bytes)))
}

# The inner-frame bytes that the receiver accepted.
receiver_bytes() {
    ovs-appctl -t "$OVS_RUNDIR/receiver-collector.ctl" receiver/show \
        | sed -n 's/^matched: [0-9]* (\([0-9]*\) bytes)$/\1/p'
}

# The state of the VTAP's realization on the server's hypervisor (the
# only host in a lab without hypervisors), or on hypervisor $1; nothing if
# that host does not realize it.
vtap_state() {
    local host=${1:-$server_hv}
    ovs-vtapctl --bare --columns=state find Realization \
        vtap="$(ovs-vtapctl get vtap server-tap _uuid)" ${host:+host=$host}
}

# Shows the security list's flows on the server's switch.
show_security_list() {
    local dump="ovs-ofctl --no-stats dump-flows br-int cookie=0x1ab/-1"
    if test -n "$server_hv"; then
        echo "  \$ $dump     (on $server_hv)"
        # shellcheck disable=SC2086
        lab exec "$server_hv" $dump 2>&1 | sed 's/^/    /'
    else
        # shellcheck disable=SC2086
        run $dump
    fi
}

finish() {
    if test "$keep" = keep; then
        echo
        echo "The lab stays up.  Drive it with:"
        echo "  eval \"\$($lab_sh --name $OVS_VTAP_LAB_NAME env)\""
        echo "  ovs-vtapctl show"
        echo "and take it down with: $lab_sh --name $OVS_VTAP_LAB_NAME down"
    elif test "$failures" = 0; then
        lab down >/dev/null
    else
        lab --keep-logs down >/dev/null
        echo "Logs: $OVS_LOGDIR"
    fi
}

if test -n "$server_hv"; then
    step "Setting up the lab: two hypervisors (OVS, ovs-vtapd), four hosts"
else
    step "Setting up the lab: a switch (OVS, user-space datapath), four hosts"
fi
trap finish EXIT
lab up "$topology" || { failures=1; exit 1; }
eval "$(lab env)"
for pidfile in $daemons; do
    if test ! -e "$OVS_RUNDIR/$pidfile.pid"; then
        echo "  $pidfile is not running (not built?): the demo needs it"
        failures=1
        exit 1
    fi
done
echo "  client $client, server $server, nlb $nlb (the VTAP target: a"
echo "  load balancer whose UDP 4789 listener forwards to its backend, the"
echo "  collector $collector, which runs the receiver)"
if test -n "$server_hv"; then
    echo "  The server is a VM on $server_hv, the client one on $client_hv; the"
    echo "  NLB and the collector are off the hypervisors, on the underlay"
    echo "  that carries the subnet; the VTAP database is shared"
    echo "  (namespace $OVS_VTAP_LAB_NAME-db)."
    if test -d "$OVS_VTAP_LAB_DIR/$OVS_VTAP_LAB_NAME/tls"; then
        echo "  It is a RAFT cluster on TLS; each hypervisor's ovs-vtapd"
        echo "  connects with its own certificate to a remote with the role"
        echo "  ovs-vtap-host, so it may write only its own rows."
    fi
else
    echo "  All on br-int in namespace $OVS_VTAP_LAB_NAME-ovs."
fi
echo "  The subnet's security list, as flows on br-int (ICMP dropped; SSH"
echo "  and UDP 4789 allowed):"
lab security-list closed
show_security_list
# tcpdump on the NLB and on the collector, for the cross-check at the end.
for host in nlb collector; do
    lab exec $host tcpdump --immediate-mode -U -n -i eth0 \
        -w "$OVS_LOGDIR/$host-eth0.pcap" udp port 4789 \
        2>"$OVS_LOGDIR/$host-tcpdump.err" &
done
for host in nlb collector; do
    wait_for 'grep -q "listening on" "$OVS_LOGDIR/$host-tcpdump.err"'
done

step "1. The client sends 10 ICMP echo requests to the server"
echo "  \$ ping -c 10 $server     (on the client)"
summary=$(client_pings)
echo "$summary"
expect "the pings fail: 100% packet loss" grep -q ' 0 received' <<<"$summary"
expect "the receiver counts 0 mirrored packets" \
    test "$(receiver_count)" = 0

step "2. A VTAP: source the server's port, target the NLB, a capture filter"
run ovs-vtapctl add-target nlb "$nlb"
run ovs-vtapctl add-filter icmp-client
run ovs-vtapctl add-rule icmp-client ingress include proto=icmp src=$client/32
run ovs-vtapctl add-rule icmp-client egress include proto=icmp dst=$client/32
run ovs-vtapctl add-vtap server-tap iface-id=server nlb icmp-client vni=$vni
run ovs-vtapctl show
expect "the new VTAP is stopped" \
    test "$(ovs-vtapctl get vtap server-tap enabled)" = false
run ovs-vtapctl start server-tap
expect "ovs-vtapd reports it running${server_hv:+ on $server_hv}" \
    wait_for 'test "$(vtap_state)" = running'
if test -n "$client_hv"; then
    expect "the ovs-vtapd of $client_hv does not realize it: no server there" \
        test -z "$(vtap_state "$client_hv")"
fi
run ovs-vtapctl show

step "3. The client pings again"
summary=$(client_pings)
echo "$summary"
expect "still no reply" grep -q ' 0 received' <<<"$summary"
expect "the collector still sees nothing: the pings never reach the server" \
    test "$(receiver_count)" = 0

step "4. The cause: the security list has no ICMP.  Add an ingress rule:"
echo "  source 172.16.0.0/24, protocol ICMP"
lab security-list fixed
show_security_list

step "5. The client pings again"
summary=$(client_pings)
echo "$summary"
expect "the replies come back" grep -q ' 10 received' <<<"$summary"
echo "  Meanwhile, traffic that the filter leaves out: SSH from the collector"
echo "  and from the client to the server, and a ping from the collector."
lab exec server timeout 10 nc -l -p 22 >/dev/null &
wait_for 'lab exec server ss -ltn | grep -q ":22 "'
echo SSH-2.0-demo | lab exec collector nc -N -w 2 "$server" 22
lab exec server timeout 10 nc -l -p 22 >/dev/null &
wait_for 'lab exec server ss -ltn | grep -q ":22 "'
echo SSH-2.0-demo | lab exec client nc -N -w 2 "$server" 22
lab exec collector ping -q -c 3 -i 0.2 -W 1 "$server" >/dev/null
wait_for 'test "$(receiver_count)" -ge 20'
echo "  The receiver on the collector, behind the NLB:"
receiver_lines | sed 's/^/    /'
outer="vni $vni from $bridge"
expect "10 echo requests client > server, in VXLAN with VNI $vni from $bridge" \
    test "$(receiver_count "$outer: IP $client > $server: ICMP echo request")" = 10
expect "10 echo replies server > client, in VXLAN with VNI $vni from $bridge" \
    test "$(receiver_count "$outer: IP $server > $client: ICMP echo reply")" = 10
expect "nothing else: no SSH, no ping from the collector" \
    test "$(receiver_count)" = 20
wait_for 'test "$(tcpdump_count collector $collector)" -ge 20'
echo "  tcpdump on the NLB's interface: each packet in to $nlb, and out"
echo "  again to $collector with its outer source kept:"
tcpdump -n -r "$OVS_LOGDIR/nlb-eth0.pcap" 2>/dev/null | head -4 \
    | sed 's/^/    /'
expect "the NLB got the 20 VXLAN packets and forwarded them to $collector" \
    test "$(tcpdump_count nlb $nlb)/$(tcpdump_count nlb $collector)" = 20/20
expect "tcpdump on the collector saw the same 20 VXLAN packets" \
    test "$(tcpdump_count collector $collector)" = 20

step "6. The VTAP's counters agree with the receiver"
wait_for 'test "$(vtap_packets)" = 20'
run ovs-vtapctl show
expect "ovs-vtapctl show counts the 20 packets that the receiver counted" \
    test "$(vtap_packets)" = "$(receiver_count)"
echo "  The receiver's own counters:"
run ovs-appctl -t "$OVS_RUNDIR/receiver-collector.ctl" receiver/show
expect "and the same bytes ($(vtap_bytes))" \
    test "$(vtap_bytes)" = "$(receiver_bytes)"

echo
if test $failures = 0; then
    echo "The seed scenario played out: every expectation held."
    exit 0
fi
echo "The seed scenario FAILED: $failures expectation(s) did not hold."
exit 1

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
# bench-scale.sh: the control plane at scale: 1,000 VTAPs of 10 rules each
# on one host, then one more.
#
# A sandbox without root: ovsdb-server (Open_vSwitch and VTAP databases),
# ovs-vswitchd with the dummy datapath and bridge br0 with 16 ports, and
# ovs-vtapd.  The VTAPs, each with its own filter of 10 rules (TCP, UDP,
# ICMP, ICMPv6 and "all"; IPv4 and IPv6 CIDRs; single ports and ranges;
# include and exclude), spread over the 16 ports, are created running in 10
# ovs-vtapctl transactions, the last with --wait.  Figures:
#   - the time from the first transaction until the mirror bridge holds
#     every flow and ovs-vtapd reported them applied (Host_Private.cur_cfg);
#     reference: "ovs-ofctl --bundle add-flows" of the same flows into an
#     empty bridge of the same switch;
#   - the number of flows, against the minimal value/mask expansion of the
#     same rules computed here (each port range as its fewest prefixes, a
#     TCP/UDP rule without CIDR once for IPv4 and once for IPv6), plus five
#     output flows per VTAP (whole, cut, cut through conntrack for IPv4 and
#     IPv6, cut and counted), plus the pipeline's fixed flows (four
#     table-miss drops, one loop guard for the one target, one dispatch
#     flow per mirrored port direction);
#   - ovs-vtapd's memory (VmRSS, VmHWM), its CPU time, and its CPU load
#     once nothing changes (it polls the flow counters every 5 s), with
#     ovs-vswitchd's meanwhile (answering the polls);
#   - one more VTAP: the time until its flows are in (and that time less
#     what ovs-vtapctl itself takes, measured with --dry-run: it reads the
#     whole VTAP database first), and the flow changes it caused (seen by "ovs-ofctl monitor"), against its own flows (rules
#     and output) plus the two dispatch flows of its port that must change;
#   - one rule of one VTAP changed: the time, the flow changes and the
#     CPU, against a bundle of just the flows that change;
#   - 1,000 ports (200 with --quick) added one by one to the source
#     bridge, which no VTAP names: ovs-vtapd's CPU per port, and the flow
#     changes (none).
#
# usage: bench-scale.sh [--quick]; see bench-lib.sh for the environment.

set -eu -o pipefail
# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

n_vtaps=${BENCH_SCALE_VTAPS:-1000}
n_ports=16
n_batches=10
test "$n_vtaps" -ge $n_batches || n_batches=$n_vtaps

export OVS_RUNDIR=$bench_tmp OVS_DBDIR=$bench_tmp OVS_LOGDIR=$bench_tmp
export OVS_SYSCONFDIR=$bench_tmp OVS_PKGDATADIR=$bench_tmp
export PATH=$bench_builddir/utilities:$bench_builddir/ovs-vtapd:$PATH
export OVS_VTAP_DB=unix:$bench_tmp/db.sock
cd "$bench_tmp"

# The sandbox.
ovsdb-tool create conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-tool create vtap.db "$bench_srcdir/lib/vtap.ovsschema"
ovsdb-server --detach --no-chdir --pidfile --log-file -vconsole:off \
    --remote=punix:"$bench_tmp/db.sock" conf.db vtap.db 2>>daemons.err
bench_track "$(cat ovsdb-server.pid)"
ovs-vsctl --no-wait init
ovs-vswitchd --enable-dummy --disable-system --disable-system-route \
    --detach --no-chdir --pidfile --log-file -vconsole:off 2>>daemons.err
bench_track "$(cat ovs-vswitchd.pid)"
bench_wait 10 ovs-appctl version || bench_die "ovs-vswitchd did not start"
ports=
for p in $(seq 0 $((n_ports - 1))); do
    ports="$ports -- add-port br0 p$p -- set interface p$p type=dummy"
done
# shellcheck disable=SC2086
ovs-vsctl add-br br0 -- set bridge br0 datapath_type=dummy $ports
ovs-vtapctl init
ovs-vtapctl add-target coll 172.16.0.222 >/dev/null
ovs-vtapd --detach --no-chdir --pidfile --log-file -vconsole:off 2>>daemons.err
vtapd_pid=$(cat ovs-vtapd.pid)
bench_track "$vtapd_pid"

# rules I: the 10 rules of VTAP I, as "DIRECTION ACTION MATCH..." lines.
rules() {
    local a=$(($1 / 256)) b=$(($1 % 256))
    cat <<RULES
ingress include proto=tcp src=10.$a.$b.0/24 dport=80
ingress include proto=tcp src=10.$a.$b.0/24 dport=1024-65535
ingress exclude proto=udp dst=192.168.$b.0/24 dport=53
ingress include proto=udp src=10.$a.$b.0/24 sport=5000-5100
ingress include proto=icmp src=172.16.0.0/16 icmp-type=8
egress include proto=tcp dst=10.$a.$b.0/24 sport=80
egress include proto=tcp dst=10.$a.$b.0/24 sport=8000-8080
egress exclude proto=all dst=10.$a.$b.128/25
egress include proto=icmpv6 dst=fd00:$a:$b::/64
egress include proto=udp sport=1000-2000 dport=3000-3100
RULES
}

# vtap_commands I: the ovs-vtapctl commands that make VTAP I, running.
vtap_commands() {
    local dir action match
    printf -- '-- add-filter f%d ' "$1"
    while read -r dir action match; do
        printf -- '-- add-rule f%d %s %s %s ' "$1" "$dir" "$action" "$match"
    done < <(rules "$1")
    printf -- '-- add-vtap v%d p%d coll f%d vni=%d -- start v%d ' \
        "$1" $(($1 % n_ports)) "$1" $(($1 + 1)) "$1"
}

# The minimal value/mask expansion of the rules of VTAP I: each port range
# as its fewest prefixes; a TCP/UDP rule with no CIDR for IPv4 and IPv6.
min_flows() {
    rules "$1" | awk -f "$bench_srcdir/tests/bench/min-flows.awk"
}

flow_count() {
    ovs-ofctl dump-aggregate "$1" 2>/dev/null \
        | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p'
}

# cpu_ms PID: the CPU time (user and system) of PID so far, in ms.
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' \
        "/proc/$1/stat"
}

# wait_flows BRIDGE N: waits (at most 600 s) until BRIDGE holds N flows;
# prints the time when it did.
wait_flows() {
    local i count
    for i in $(seq 1 12000); do
        count=$(flow_count "$1")
        if test "${count:-0}" = "$2"; then
            bench_now
            return 0
        fi
        sleep 0.05
    done
    bench_die "$1 holds ${count:-no} flows, not $2, after 600 s"
}

# Each VTAP's output flows: its copies are cut to fit the path (this
# sandbox has no route: an MTU of 1500 is assumed), so five of them.
output_flows=5
per_vtap=$(($(min_flows 0) + output_flows))
expected_rules=0
for i in $(seq 0 "$n_vtaps"); do
    expected_rules=$((expected_rules + $(min_flows "$i") + output_flows))
done
# VTAP $n_vtaps is the extra one.
extra_rules=$(($(min_flows "$n_vtaps") + output_flows))
expected_rules=$((expected_rules - extra_rules))
used_ports=$((n_vtaps < n_ports ? n_vtaps : n_ports))
fixed=$((4 + 1 + 2 * used_ports))
expected=$((expected_rules + fixed))
bench_say "$n_vtaps VTAPs of 10 rules on $n_ports ports: expecting" \
    "$expected flows ($per_vtap per VTAP + $fixed fixed)"

# The VTAPs, in $n_batches transactions.
per_batch=$(( (n_vtaps + n_batches - 1) / n_batches ))
for b in $(seq 0 $((n_batches - 1))); do
    first=$((b * per_batch))
    last=$(( (b + 1) * per_batch - 1 ))
    test $last -lt "$n_vtaps" || last=$((n_vtaps - 1))
    for i in $(seq "$first" "$last"); do
        vtap_commands "$i"
    done >"batch$b"
done
cpu0=$(cpu_ms "$vtapd_pid")
t0=$(bench_now)
for b in $(seq 0 $((n_batches - 1))); do
    wait=
    test "$b" != $((n_batches - 1)) || wait=--wait
    read -r -a commands <"batch$b" || test -s "batch$b"
    # shellcheck disable=SC2086
    ovs-vtapctl --timeout="${BENCH_TIMEOUT:-600}" $wait "${commands[@]}" \
        >/dev/null || bench_die "ovs-vtapctl failed on batch $b"
done
t_wait=$(bench_now)
mbr=vtap-br0
t_flows=$(wait_flows "$mbr" "$expected")
t_all=$(awk -v a="$t_wait" -v b="$t_flows" 'BEGIN { print (a > b) ? a : b }')
cpu1=$(cpu_ms "$vtapd_pid")
install_s=$(awk -v a="$t_all" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
flows=$(flow_count "$mbr")

# Reference: the same flows, by hand, into an empty bridge.
ovs-ofctl --no-stats --no-names dump-flows "$mbr" \
    | sed 's/^ *//' >flows.txt
ovs-vsctl add-br vtb-ref -- set bridge vtb-ref datapath_type=dummy \
    fail_mode=secure
ovs-ofctl del-flows vtb-ref
r0=$(bench_now)
ovs-ofctl -vconsole:err --bundle add-flows vtb-ref flows.txt
r1=$(bench_now)
ref_s=$(awk -v a="$r1" -v b="$r0" 'BEGIN { printf "%.2f", a - b }')
test "$(flow_count vtb-ref)" = "$flows" \
    || bench_die "the reference bridge holds $(flow_count vtb-ref) flows, not $flows"

label="$n_vtaps VTAPs x 10 rules"
bench_result "$label: install time" "$install_s" s \
    "ovs-ofctl --bundle add-flows" "$ref_s"
bench_result "$label: flows" "$flows" flows "minimal expansion" "$expected"
bench_result "$label: ovs-vtapd CPU" \
    "$(awk -v a="$cpu1" -v b="$cpu0" 'BEGIN { printf "%.0f", a - b }')" ms
for key in VmRSS VmHWM; do
    bench_result "$label: ovs-vtapd $key" \
        "$(awk -v k="$key:" '$1 == k { printf "%.1f", $2 / 1024 }' \
               "/proc/$vtapd_pid/status")" MiB
done
# Steady state: nothing changes; ovs-vtapd polls the flow counters (every
# 5 s, its default): the aggregate, and every flow at least every 12th
# poll, so 60 s hold one whole cycle of them (a quick run, part of one).
idle_s=60
test "$bench_quick" != yes || idle_s=10
vswitchd_pid=$(cat ovs-vswitchd.pid)
cpu0=$(cpu_ms "$vtapd_pid")
sw0=$(cpu_ms "$vswitchd_pid")
sleep "$idle_s"
cpu1=$(cpu_ms "$vtapd_pid")
sw1=$(cpu_ms "$vswitchd_pid")
idle_ms_per_s=$(awk -v a="$cpu1" -v b="$cpu0" -v s="$idle_s" \
                    'BEGIN { print (a - b) / s }')
bench_result "$label: ovs-vtapd CPU when idle" \
    "$(awk -v a="$cpu1" -v b="$cpu0" -v s="$idle_s" \
           'BEGIN { printf "%.1f", (a - b) / s / 10 }')" "% of a CPU"
# What the polls cost ovs-vswitchd (it has nothing else to do here).
bench_result "$label: ovs-vswitchd CPU when idle" \
    "$(awk -v a="$sw1" -v b="$sw0" -v s="$idle_s" \
           'BEGIN { printf "%.1f", (a - b) / s / 10 }')" "% of a CPU"
if ovs-appctl -t "$bench_tmp/ovs-vtapd.$vtapd_pid.ctl" memory/show \
        >memory.txt 2>/dev/null; then
    bench_say "ovs-vtapd memory/show: $(tr '\n' ' ' <memory.txt)"
fi

# One more VTAP, watched by a flow monitor.
ovs-ofctl monitor "$mbr" 'watch:!initial' >monitor.txt 2>&1 &
monitor_pid=$!
bench_track "$monitor_pid"
bench_wait 10 sh -c "ovs-appctl -t ovs-vswitchd coverage/read-counter \
    ofproto_recv_openflow >/dev/null" || true
sleep 0.5
vtap_commands "$n_vtaps" >"batch-extra"
# ovs-vtapctl's own part: reading the database and running the same
# commands, committing nothing.
read -r -a commands <batch-extra || test -s batch-extra
t0=$(bench_now)
ovs-vtapctl --dry-run "${commands[@]}" >/dev/null \
    || bench_die "ovs-vtapctl --dry-run failed on the extra VTAP"
t1=$(bench_now)
ctl_ms=$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
cpu0=$(cpu_ms "$vtapd_pid")
t0=$(bench_now)
read -r -a commands <batch-extra || test -s batch-extra
ovs-vtapctl --wait "${commands[@]}" >/dev/null \
    || bench_die "ovs-vtapctl failed on the extra VTAP"
t_wait=$(bench_now)
t_flows=$(wait_flows "$mbr" $((expected + extra_rules)))
t_all=$(awk -v a="$t_wait" -v b="$t_flows" 'BEGIN { print (a > b) ? a : b }')
cpu1=$(cpu_ms "$vtapd_pid")
incr_ms=$(awk -v a="$t_all" -v b="$t0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
# Whatever else the extra VTAP changes comes within this second.
sleep 1
kill "$monitor_pid"
added=$(grep -c 'event=ADDED' monitor.txt || true)
deleted=$(grep -c 'event=DELETED' monitor.txt || true)
modified=$(grep -c 'event=MODIFIED' monitor.txt || true)
bench_say "extra VTAP: $added flows added, $deleted deleted, $modified modified"

# Reference: the extra VTAP's flows by hand.
ovs-ofctl --no-stats --no-names dump-flows "$mbr" \
    | sed 's/^ *//' | grep -v -x -F -f flows.txt >extra.txt || true
ovs-vsctl del-br vtb-ref -- add-br vtb-ref \
    -- set bridge vtb-ref datapath_type=dummy fail_mode=secure
ovs-ofctl del-flows vtb-ref
ovs-ofctl -vconsole:err --bundle add-flows vtb-ref flows.txt
r0=$(bench_now)
ovs-ofctl -vconsole:err --bundle add-flows vtb-ref extra.txt
r1=$(bench_now)
ref_ms=$(awk -v a="$r1" -v b="$r0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')

bench_result "one more VTAP: time" "$incr_ms" ms \
    "ovs-ofctl --bundle add-flows of its flows" "$ref_ms"
bench_result "one more VTAP: ovs-vtapctl's own part (--dry-run)" \
    "$ctl_ms" ms
bench_result "one more VTAP: time less ovs-vtapctl's own part" \
    "$(awk -v a="$incr_ms" -v b="$ctl_ms" 'BEGIN { x = a - b; if (x < 0) x = 0;
                                                 printf "%.1f", x }')" ms \
    "ovs-ofctl --bundle add-flows of its flows" "$ref_ms"
bench_result "one more VTAP: flow changes" $((added + deleted + modified)) \
    "flow mods" "its flows + 2 dispatch" $((extra_rules + 2))
bench_result "one more VTAP: ovs-vtapd CPU" \
    "$(awk -v a="$cpu1" -v b="$cpu0" 'BEGIN { printf "%.0f", a - b }')" ms

# monitor_start: watches the flow changes of the mirror bridge from now on,
# in monitor.txt.
monitor_start() {
    ovs-ofctl monitor "$mbr" 'watch:!initial' >monitor.txt 2>&1 &
    monitor_pid=$!
    bench_track "$monitor_pid"
    sleep 0.5
}

# monitor_stop: stops the monitor, after a second for what comes late, and
# prints the number of flow changes that it saw.
monitor_stop() {
    sleep 1
    kill "$monitor_pid"
    grep -c 'event=\(ADDED\|DELETED\|MODIFIED\)' monitor.txt || true
}

# One rule of one VTAP changed: the first ingress rule of VTAP 0 gets
# another source CIDR.  Its flows go and others come; nothing else changes.
ovs-ofctl --no-stats --no-names dump-flows "$mbr" | sed 's/^ *//' \
    | sort >before-rule.txt
order=$(ovs-vtapctl list-rules f0 | awk '$1 == "ingress" { print $2; exit }')
test -n "$order" || bench_die "VTAP 0 has no ingress rule"
monitor_start
cpu0=$(cpu_ms "$vtapd_pid")
t0=$(bench_now)
ovs-vtapctl --wait del-rule f0 ingress "$order" \
    -- add-rule f0 ingress include order="$order" proto=tcp \
    src=10.255.255.0/24 dport=80 >/dev/null \
    || bench_die "ovs-vtapctl failed on the rule change"
t1=$(bench_now)
cpu1=$(cpu_ms "$vtapd_pid")
changes=$(monitor_stop)
ovs-ofctl --no-stats --no-names dump-flows "$mbr" | sed 's/^ *//' \
    | sort >after-rule.txt
comm -13 before-rule.txt after-rule.txt >rule-new.txt
n_changed=$(( $(comm -3 before-rule.txt after-rule.txt | wc -l) ))
rule_ms=$(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
# Reference: the flows that changed, by hand (those that go are deleted by
# the same bundle: their number is added as strict deletions).
comm -23 before-rule.txt after-rule.txt \
    | sed 's/ actions=.*//;s/^cookie=[^,]*, //' >rule-gone.txt
ovs-vsctl del-br vtb-ref -- add-br vtb-ref \
    -- set bridge vtb-ref datapath_type=dummy fail_mode=secure
ovs-ofctl del-flows vtb-ref
ovs-ofctl -vconsole:err --bundle add-flows vtb-ref before-rule.txt
{ sed 's/^/delete_strict /' rule-gone.txt; sed 's/^/add /' rule-new.txt; } \
    >rule-ref.txt
r0=$(bench_now)
ovs-ofctl -vconsole:err --bundle add-flows vtb-ref rule-ref.txt
r1=$(bench_now)
ref_ms=$(awk -v a="$r1" -v b="$r0" 'BEGIN { printf "%.1f", (a - b) * 1000 }')
bench_result "one rule changed: time" "$rule_ms" ms \
    "ovs-ofctl --bundle of the flows that change" "$ref_ms"
bench_result "one rule changed: flow changes" "$changes" "flow mods" \
    "flows that differ" "$n_changed"
bench_result "one rule changed: ovs-vtapd CPU" \
    "$(awk -v a="$cpu1" -v b="$cpu0" 'BEGIN { printf "%.0f", a - b }')" ms

# Ports that concern no VTAP: added one by one to the source bridge.
n_extra=1000
test "$bench_quick" != yes || n_extra=200
monitor_start
cpu0=$(cpu_ms "$vtapd_pid")
t0=$(bench_now)
for i in $(seq 1 "$n_extra"); do
    ovs-vsctl add-port br0 z$i -- set interface z$i type=dummy \
        || bench_die "ovs-vsctl failed on port z$i"
done
# Each addition returns once ovs-vswitchd applied it; ovs-vtapd's view
# follows within a moment.
sleep 1
t1=$(bench_now)
cpu1=$(cpu_ms "$vtapd_pid")
changes=$(monitor_stop)
# Less what the polls of the flow counters cost meanwhile (as when idle).
bench_result "$n_extra unrelated port additions: ovs-vtapd CPU per port" \
    "$(awk -v a="$cpu1" -v b="$cpu0" -v n="$n_extra" -v i="$idle_ms_per_s" \
           -v t="$t1" -v u="$t0" \
           'BEGIN { x = (a - b - i * (t - u)) / n; if (x < 0) x = 0;
                    printf "%.2f", x }')" ms \
    "with the polls of the counters" \
    "$(awk -v a="$cpu1" -v b="$cpu0" -v n="$n_extra" \
           'BEGIN { printf "%.2f", (a - b) / n }')"
bench_result "$n_extra unrelated port additions: flow changes" "$changes" \
    "flow mods"
if ovs-appctl -t "$bench_tmp/ovs-vtapd.$vtapd_pid.ctl" coverage/show \
        >coverage.txt 2>/dev/null; then
    counters='vtapd_(full|incremental)_run|vtapd_ovs_change_ignored'
    counters="$counters|vtapd_vtap_built|flow_table_poll_skipped"
    bench_say "ovs-vtapd passes: $(grep -E "$counters" coverage.txt \
        | awk '{ printf "%s %s; ", $1, $NF }')"
fi

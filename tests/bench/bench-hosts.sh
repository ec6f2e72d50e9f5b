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
# bench-hosts.sh: many hosts on one clustered VTAP database: 50 hosts
# (5 with --quick), 10,000 VTAPs of 10 rules (200 with --quick), then one
# more.  The full run takes about 6 minutes on a 2-CPU machine
# (docs/benchmarks.md).
#
# A sandbox without root, all on unix sockets: a VTAP database on a RAFT
# cluster of three ovsdb-servers (utilities/ovs-vtap-db.sh), and H
# simulated hosts, each with its own ovsdb-server (Open_vSwitch), a dummy
# ovs-vswitchd with bridge br0 of 4 dummy ports, and ovs-vtapd --host=hvN
# on the three members.  The VTAPs, each with its own filter of 10 rules
# (those of bench-scale.sh), spread over the hosts and their ports (VTAP I
# on host hv(I % H + 1), port p(I / H % 4)), are created running in 10
# ovs-vtapctl transactions, the last with --wait.  Figures:
#   - the time from the first transaction until --wait returns, that is
#     until every host's Host_Private.cur_cfg reached Global.next_cfg (checked
#     after, with every host's flows and every VTAP's Realization running);
#     reference, in the same run: the time until the last VTAP reached H
#     idle "ovsdb-client monitor" clients of the VTAP table, started on the
#     members before the first transaction (the database's own floor);
#   - the database's transactions per second once idle (RAFT log index
#     growth on the leader over 10 s), against one per host per statistics
#     interval (the heartbeats);
#   - each host's ovs-vtapd CPU for the install and when idle, its VmRSS
#     (mean and max over the hosts), and the cluster members' VmRSS and CPU;
#   - one more VTAP, added and started with --wait, until it runs on its
#     host (--wait returned, its flows in, its Realization running),
#     against the time until its row reached every monitor client.
#
# usage: bench-hosts.sh [--quick]; see bench-lib.sh for the environment.
# BENCH_HOSTS_HOSTS, BENCH_HOSTS_VTAPS and BENCH_HOSTS_INTERVAL change H,
# the number of VTAPs and the statistics interval S.

set -eu -o pipefail
# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

for arg; do
    case $arg in
    --quick) bench_quick=yes ;;
    *) bench_die "unknown argument \"$arg\"" ;;
    esac
done

if test "$bench_quick" = yes; then
    n_hosts=${BENCH_HOSTS_HOSTS:-5}
    n_vtaps=${BENCH_HOSTS_VTAPS:-200}
    interval=${BENCH_HOSTS_INTERVAL:-2}
else
    n_hosts=${BENCH_HOSTS_HOSTS:-50}
    n_vtaps=${BENCH_HOSTS_VTAPS:-10000}
    interval=${BENCH_HOSTS_INTERVAL:-5}
fi
n_ports=4
n_batches=10
test "$n_vtaps" -ge $n_batches || n_batches=$n_vtaps
timeout=${BENCH_TIMEOUT:-1800}
idle_s=10

export OVS_RUNDIR=$bench_tmp OVS_DBDIR=$bench_tmp OVS_LOGDIR=$bench_tmp
export OVS_SYSCONFDIR=$bench_tmp OVS_PKGDATADIR=$bench_tmp
export PATH=$bench_builddir/utilities:$bench_builddir/ovs-vtapd:$PATH
vswitch_schema=/usr/share/openvswitch/vswitch.ovsschema
cd "$bench_tmp"

for prog in ovsdb-server ovsdb-tool ovsdb-client ovs-vswitchd ovs-vsctl \
            ovs-ofctl ovs-appctl ovs-vtapd ovs-vtapctl; do
    command -v "$prog" >/dev/null || bench_die "no $prog"
done
test -f "$vswitch_schema" || bench_die "no $vswitch_schema"

# cpu_ms PID: the CPU time (user and system) of PID so far, in ms.
cpu_ms() {
    awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' \
        "/proc/$1/stat"
}

# rss_mib PID: the VmRSS of PID, in MiB.
rss_mib() {
    awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# elapsed T0 T1 [SCALE]: T1 - T0 (seconds) times SCALE, with 2 decimals.
elapsed() {
    awk -v a="$2" -v b="$1" -v s="${3:-1}" 'BEGIN { printf "%.2f", (a - b) * s }'
}

# mean_max: reads numbers, one a line; prints "MEAN MAX".
mean_max() {
    awk '{ s += $1; if (NR == 1 || $1 > m) m = $1 }
         END { if (NR) printf "%.2f %.2f\n", s / NR, m; else print "- -" }'
}

# The cluster: three members s1, s2, s3, their RAFT links and client
# sockets in the scratch directory.
db_sh() {
    sh "$bench_srcdir/utilities/ovs-vtap-db.sh" "$@"
}
mkdir s1 s2 s3
db_sh --schema="$bench_srcdir/lib/vtap.ovsschema" --db-file=s1/vtap.db \
    create-cluster "unix:$bench_tmp/s1.raft" >/dev/null
db_sh --db-file=s2/vtap.db join-cluster "unix:$bench_tmp/s2.raft" \
    "unix:$bench_tmp/s1.raft" >/dev/null
db_sh --db-file=s3/vtap.db join-cluster "unix:$bench_tmp/s3.raft" \
    "unix:$bench_tmp/s1.raft" "unix:$bench_tmp/s2.raft" >/dev/null
member_pids=
for m in 1 2 3; do
    db_sh --db-file="s$m/vtap.db" --run-dir="$bench_tmp/s$m" \
        --log-file="$bench_tmp/s$m/ovsdb-server.log" start >/dev/null
    member_pids="$member_pids $(cat "s$m/ovs-vtap-db.pid")"
    bench_track "$(cat "s$m/ovs-vtap-db.pid")"
done
member_sock() {
    echo "unix:$bench_tmp/s$1/ovs-vtap-db.sock"
}
member_status() {
    ovs-appctl -t "$bench_tmp/s$1/ovs-vtap-db.ctl" cluster/status VTAP
}
members_joined() {
    local m
    for m in 1 2 3; do
        member_status "$m" >"status$m" 2>&1 || return 1
        grep -q '^Status: cluster member' "status$m" || return 1
        grep '^Leader: ' "status$m" | grep -vq unknown || return 1
    done
}
bench_wait 60 members_joined || bench_die "the cluster did not form in 60 s"
leader() {
    local m
    for m in 1 2 3; do
        if member_status "$m" 2>/dev/null | grep -q '^Role: leader'; then
            echo "$m"
            return 0
        fi
    done
    return 1
}
# log_index: the last index of the leader's RAFT log.
log_index() {
    member_status "$(leader)" | sed -n 's/^Log: \[[0-9]*, \([0-9]*\)\].*/\1/p'
}
# On this loaded 2-core machine a member may not run for seconds: an
# election timer of 4 s (from 1 s, doubling at most per change) keeps the
# leader in place, as members on machines of their own would.
election_timer() {
    local l
    l=$(leader) || return 1
    ovs-appctl -t "$bench_tmp/s$l/ovs-vtap-db.ctl" \
        cluster/change-election-timer VTAP "$1" >/dev/null 2>&1 || true
    member_status "$l" | grep -q "^Election timer: $1\$"
}
for ms in 2000 4000; do
    bench_wait 30 election_timer $ms \
        || bench_die "the election timer did not change to $ms ms"
done
VTAP_DB=$(member_sock 1),$(member_sock 2),$(member_sock 3)
# vtapctl ARG...: ovs-vtapctl on the cluster, through the leader first
# (BENCH_HOSTS_VIA=any: the members in order, so mostly through a
# follower, which forwards each transaction to the leader: with 50 hosts'
# heartbeats the leader refuses a big forwarded transaction whose
# prerequisite is no longer its latest entry, over and over).
vtapctl() {
    local db=$VTAP_DB l
    if test "${BENCH_HOSTS_VIA:-leader}" = leader && l=$(leader); then
        db=$(member_sock "$l"),$VTAP_DB
    fi
    ovs-vtapctl --db="$db" --timeout="$timeout" "$@"
}
# query TABLE COLUMN...: the rows of TABLE (those columns) as JSON, read
# from member 1 alone (cheaper than ovs-vtapctl, which reads it all).
query() {
    local table=$1 columns
    shift
    columns=$(printf '"%s",' "$@")
    ovsdb-client query "$(member_sock 1)" \
        "[\"VTAP\",{\"op\":\"select\",\"table\":\"$table\",\"where\":[],\"columns\":[${columns%,}]}]"
}

vtapctl init
# A stopped VTAP on a host that does not exist: no daemon realizes it; the
# monitor clients print it first, which says that they are listening.
vtapctl add-target coll 172.16.0.222 -- add-filter fready \
    -- add-vtap vtb-ready p0@vtb-nohost coll fready vni=16000000 \
    >/dev/null 2>&1

# The hosts, each in directory hvN.
hv() {
    local n=$1
    shift
    env OVS_RUNDIR="$bench_tmp/hv$n" OVS_LOGDIR="$bench_tmp/hv$n" \
        OVS_DBDIR="$bench_tmp/hv$n" "$@"
}
ports=
for p in $(seq 0 $((n_ports - 1))); do
    ports="$ports -- add-port br0 p$p -- set interface p$p type=dummy"
done
vtapd_pids=
vswitchd_pids=
h0=$(bench_now)
for n in $(seq 1 "$n_hosts"); do
    d=$bench_tmp/hv$n
    mkdir "$d"
    ovsdb-tool create "$d/conf.db" "$vswitch_schema"
    hv "$n" ovsdb-server --detach --no-chdir --pidfile --log-file \
        -vconsole:off --remote=punix:"$d/db.sock" "$d/conf.db" \
        2>>daemons.err
    bench_track "$(cat "$d/ovsdb-server.pid")"
    hv "$n" ovs-vsctl --no-wait init \
        -- set Open_vSwitch . external_ids:system-id="sys$n"
    hv "$n" ovs-vswitchd --enable-dummy --disable-system \
        --disable-system-route --detach --no-chdir --pidfile --log-file \
        -vconsole:off 2>>daemons.err
    bench_track "$(cat "$d/ovs-vswitchd.pid")"
    vswitchd_pids="$vswitchd_pids $(cat "$d/ovs-vswitchd.pid")"
    # shellcheck disable=SC2086
    hv "$n" ovs-vsctl --timeout=60 add-br br0 \
        -- set bridge br0 datapath_type=dummy fail-mode=standalone $ports
    hv "$n" ovs-vtapd --detach --no-chdir --pidfile --log-file \
        -vconsole:off --ovs-db="unix:$d/db.sock" --host="hv$n" \
        --stats-interval="$interval" --vtap-db="$VTAP_DB" 2>>daemons.err
    bench_track "$(cat "$d/ovs-vtapd.pid")"
    vtapd_pids="$vtapd_pids $(cat "$d/ovs-vtapd.pid")"
done
hosts_up() {
    test "$(query Host name | grep -o '"name":"hv[0-9]*"' | wc -l)" \
        = "$n_hosts"
}
bench_wait 120 hosts_up \
    || bench_die "$(query Host name | grep -o '"name":"hv[0-9]*"' | wc -l)" \
                 "of $n_hosts hosts wrote their Host row in 120 s"
bench_say "$n_hosts hosts up in $(elapsed "$h0" "$(bench_now)") s" \
    "(statistics interval $interval s)"

# The idle monitor clients of the reference: H of them, over the members.
mon_pids=
for k in $(seq 1 "$n_hosts"); do
    ovsdb-client --timestamp monitor "$(member_sock $(( (k - 1) % 3 + 1 )))" \
        VTAP VTAP name >"mon$k.txt" 2>"mon$k.err" &
    bench_track $!
    mon_pids="$mon_pids $!"
done
for k in $(seq 1 "$n_hosts"); do
    bench_wait 60 grep -qw vtb-ready "mon$k.txt" \
        || bench_die "monitor client $k did not start: $(cat "mon$k.err")"
done

# The 10 rules of a VTAP, with its address bytes as A and B (bench-scale.sh's
# rules; every VTAP has the same ports, so the same number of flows).
rules() {
    cat <<RULES
ingress include proto=tcp src=10.A.B.0/24 dport=80
ingress include proto=tcp src=10.A.B.0/24 dport=1024-65535
ingress exclude proto=udp dst=192.168.B.0/24 dport=53
ingress include proto=udp src=10.A.B.0/24 sport=5000-5100
ingress include proto=icmp src=172.16.0.0/16 icmp-type=8
egress include proto=tcp dst=10.A.B.0/24 sport=80
egress include proto=tcp dst=10.A.B.0/24 sport=8000-8080
egress exclude proto=all dst=10.A.B.128/25
egress include proto=icmpv6 dst=fd00:A:B::/64
egress include proto=udp sport=1000-2000 dport=3000-3100
RULES
}

# vtap_commands FIRST LAST: on one line, the ovs-vtapctl commands that make
# VTAPs FIRST to LAST, running, each on its host and port.
vtap_commands() {
    rules | awk -v first="$1" -v last="$2" -v hosts="$n_hosts" \
                -v ports="$n_ports" '
        { rule[NR] = $0 }
        END {
            for (i = first; i <= last; i++) {
                a = int(i / 256); b = i % 256
                printf "-- add-filter f%d ", i
                for (r = 1; r <= NR; r++) {
                    s = rule[r]; gsub(/A/, a, s); gsub(/B/, b, s)
                    printf "-- add-rule f%d %s ", i, s
                }
                printf "-- add-vtap v%d p%d@hv%d coll f%d vni=%d -- start v%d ",
                    i, int(i / hosts) % ports, i % hosts + 1, i, i + 1, i
            }
            print ""
        }'
}

# The minimal value/mask expansion of the rules (see bench-scale.sh).
min_flows() {
    rules | awk -f "$bench_srcdir/tests/bench/min-flows.awk"
}
# Each VTAP's flows: its rules' and five output flows (bench-scale.sh); each
# host's mirror bridge also has four table-miss drops, the target's loop
# guard and one dispatch flow per mirrored port direction.
per_vtap=$(($(min_flows) + 5))
# host_vtaps N [TOTAL]: how many of TOTAL VTAPs (default all) host N has.
host_vtaps() {
    local total=${2:-$n_vtaps}
    echo $(( total / n_hosts + ($1 - 1 < total % n_hosts ? 1 : 0) ))
}
host_flows_expected() {
    local v
    v=$(host_vtaps "$@")
    echo $(( v * per_vtap + (v > 0 ? 5 + 2 * (v < n_ports ? v : n_ports) : 0) ))
}
flow_count() {
    hv "$1" ovs-ofctl dump-aggregate vtap-br0 2>/dev/null \
        | sed -n 's/.*flow_count=\([0-9]*\).*/\1/p'
}
# hosts_flows_ok TOTAL: true if every host's mirror bridge holds the flows
# of its VTAPs among the first TOTAL; the hosts that do not are in
# hosts-short.txt.
hosts_flows_ok() {
    local n count
    : >hosts-short.txt
    for n in $(seq 1 "$n_hosts"); do
        count=$(flow_count "$n")
        if test "${count:-0}" != "$(host_flows_expected "$n" "$@")"; then
            echo "hv$n ${count:-none} $(host_flows_expected "$n" "$@")" \
                >>hosts-short.txt
        fi
    done
    test ! -s hosts-short.txt
}
# cfg_behind: the hosts whose Host_Private.cur_cfg is below Global.next_cfg.
cfg_behind() {
    local next
    next=$(query Global next_cfg | sed -n 's/.*"next_cfg":\([0-9]*\).*/\1/p')
    query Host_Private name cur_cfg | grep -o '{[^{}]*}' \
        | sed -n 's/.*"cur_cfg":\([0-9]*\).*"name":"\([^"]*\)".*/\1 \2/p;
                   s/.*"name":"\([^"]*\)".*"cur_cfg":\([0-9]*\).*/\2 \1/p' \
        | awk -v next_cfg="$next" '$1 < next_cfg { print $2 }'
}
# running_count: how many Realization rows are running.
running_count() {
    query Realization _uuid state | grep -o '"state":"running"' | wc -l
}
# The conditions waited for after --wait returned (which should find them
# true at once).
all_applied() {
    test -z "$(cfg_behind)"
}
all_running() {
    test "$(running_count)" = "$n_vtaps"
}
# host_flows_are N COUNT: true if host N's mirror bridge holds COUNT flows.
host_flows_are() {
    test "$(flow_count "$1")" = "$2"
}
# mon_time K NAME: when monitor client K printed the insertion of NAME, in
# seconds since the epoch, or nothing.
mon_time() {
    local ts
    ts=$(awk -v name="$2" '
        /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] / { ts = $1 " " $2 }
        $2 == "insert" && $3 == name { print ts; exit }' "mon$1.txt")
    test -n "$ts" || return 0
    TZ=UTC date -d "$ts UTC" +%s.%N
}
# mon_last NAME: when the last of the monitor clients printed NAME; fails
# if one did not (yet).
mon_last() {
    local k t
    for k in $(seq 1 "$n_hosts"); do
        t=$(mon_time "$k" "$1")
        test -n "$t" || return 1
        echo "$t"
    done | sort -g | tail -1
}

# The VTAPs, in $n_batches transactions.
per_batch=$(( (n_vtaps + n_batches - 1) / n_batches ))
for b in $(seq 0 $((n_batches - 1))); do
    first=$((b * per_batch))
    last=$(( (b + 1) * per_batch - 1 ))
    test $last -lt "$n_vtaps" || last=$((n_vtaps - 1))
    vtap_commands "$first" "$last" >"batch$b"
done
last_vtap=v$((n_vtaps - 1))
bench_say "$n_vtaps VTAPs of 10 rules over $n_hosts hosts x $n_ports ports" \
    "in $n_batches transactions: expecting $per_vtap flows per VTAP"

for pid in $vtapd_pids; do cpu_ms "$pid"; done >cpu-vtapd0
for pid in $member_pids; do cpu_ms "$pid"; done >cpu-members0
: >wait.err
t0=$(bench_now)
for b in $(seq 0 $((n_batches - 1))); do
    wait=
    test "$b" != $((n_batches - 1)) || wait=--wait
    read -r -a commands <"batch$b" || test -s "batch$b"
    # shellcheck disable=SC2086
    vtapctl $wait "${commands[@]}" >/dev/null 2>>wait.err \
        || { cat wait.err >&2; bench_die "ovs-vtapctl failed on batch $b"; }
    bench_say "batch $b committed${wait:+ (with --wait)} at $(elapsed "$t0" "$(bench_now)") s"
done
t_wait=$(bench_now)
for pid in $vtapd_pids; do cpu_ms "$pid"; done >cpu-vtapd1
for pid in $member_pids; do cpu_ms "$pid"; done >cpu-members1
# (Less the warnings of a loaded machine: "Unreasonably long poll interval".)
if grep -v '|timeval|' wait.err >wait-said.txt; then
    bench_say "ovs-vtapctl said: $(tr '\n' ' ' <wait-said.txt)"
fi
install_s=$(elapsed "$t0" "$t_wait")

# Checks: every host at next_cfg, every VTAP running, every flow in.
behind=$(cfg_behind | tr '\n' ' ')
if test -n "$behind"; then
    bench_say "after --wait returned, hosts below next_cfg: $behind"
    bench_wait 600 all_applied \
        || bench_die "hosts $(cfg_behind | tr '\n' ' ') never reached next_cfg"
    bench_say "... they reached it after $(elapsed "$t0" "$(bench_now)") s"
fi
if ! hosts_flows_ok "$n_vtaps"; then
    bench_say "after --wait, hosts short of flows (host, flows, expected):" \
        "$(tr '\n' ';' <hosts-short.txt)"
    bench_wait 600 hosts_flows_ok "$n_vtaps" \
        || bench_die "hosts short of flows after 600 s:" \
                     "$(tr '\n' ';' <hosts-short.txt)"
    bench_say "... all flows in after $(elapsed "$t0" "$(bench_now)") s"
fi
running=$(running_count)
test "$running" = "$n_vtaps" \
    || bench_say "after --wait, $running of $n_vtaps VTAPs running"
bench_wait 600 all_running \
    || bench_die "$(running_count) of $n_vtaps VTAPs running after 600 s"

# Reference: the last VTAP at every monitor client.
bench_wait 600 mon_last "$last_vtap" \
    || bench_die "the monitor clients did not all see $last_vtap"
ref_s=$(elapsed "$t0" "$(mon_last "$last_vtap")")
total_flows=0
for n in $(seq 1 "$n_hosts"); do
    total_flows=$((total_flows + $(flow_count "$n")))
done
expected_flows=0
for n in $(seq 1 "$n_hosts"); do
    expected_flows=$((expected_flows + $(host_flows_expected "$n")))
done

label="$n_hosts hosts, $n_vtaps VTAPs x 10 rules"
bench_result "$label: until every host applied (--wait)" "$install_s" s \
    "last VTAP at $n_hosts ovsdb-client monitors" "$ref_s"
bench_result "$label: flows on all hosts" "$total_flows" flows \
    "minimal expansion" "$expected_flows"
paste cpu-vtapd0 cpu-vtapd1 | awk '{ print ($2 - $1) / 1000 }' | mean_max \
    >cpu-vtapd
paste cpu-members0 cpu-members1 | awk '{ print ($2 - $1) / 1000 }' \
    >cpu-members
read -r cpu_mean cpu_max <cpu-vtapd
bench_result "$label: ovs-vtapd CPU per host for the install, mean" \
    "$cpu_mean" s
bench_result "$label: ovs-vtapd CPU per host for the install, max" \
    "$cpu_max" s
for pid in $vtapd_pids; do rss_mib "$pid"; echo; done | mean_max >rss-vtapd
read -r rss_mean rss_max <rss-vtapd
bench_result "$label: ovs-vtapd VmRSS per host, mean" "$rss_mean" MiB
bench_result "$label: ovs-vtapd VmRSS per host, max" "$rss_max" MiB
for pid in $vswitchd_pids; do rss_mib "$pid"; echo; done | mean_max \
    >rss-vswitchd
bench_say "ovs-vswitchd VmRSS per host, mean and max: $(cat rss-vswitchd) MiB"
m=0
for pid in $member_pids; do
    m=$((m + 1))
    bench_result "$label: cluster member s$m VmRSS" "$(rss_mib "$pid")" MiB
    bench_result "$label: cluster member s$m CPU for the install" \
        "$(sed -n "${m}p" cpu-members)" s
done
bench_say "leader: s$(leader)"

# Steady state: nothing changes; each host writes its heartbeat every
# $interval s.  Two intervals to settle first.
sleep $((2 * interval))
for pid in $vtapd_pids; do cpu_ms "$pid"; done >cpu-vtapd0
i0=$(log_index)
s0=$(bench_now)
sleep "$idle_s"
i1=$(log_index)
s1=$(bench_now)
for pid in $vtapd_pids; do cpu_ms "$pid"; done >cpu-vtapd1
if test -z "$i0" || test -z "$i1"; then
    bench_die "no \"Log:\" line in the leader's cluster/status"
fi
idle_window=$(elapsed "$s0" "$s1")
tps=$(awk -v a="$i1" -v b="$i0" -v s="$idle_window" \
          'BEGIN { printf "%.2f", (a - b) / s }')
bench_say "idle: $((i1 - i0)) RAFT log entries in $idle_window s"
bench_result "$label: database transactions when idle" "$tps" "txn/s" \
    "one per host per interval (H / S)" \
    "$(awk -v h="$n_hosts" -v s="$interval" 'BEGIN { printf "%.2f", h / s }')"
paste cpu-vtapd0 cpu-vtapd1 \
    | awk -v s="$idle_window" '{ print ($2 - $1) / s / 10 }' | mean_max \
    >cpu-idle
read -r idle_mean idle_max <cpu-idle
bench_result "$label: ovs-vtapd CPU per host when idle, mean" "$idle_mean" \
    "% of a CPU"
bench_result "$label: ovs-vtapd CPU per host when idle, max" "$idle_max" \
    "% of a CPU"

# One more VTAP, on hv1, added and started with --wait; reference: its row
# at every monitor client.
extra=$n_vtaps
extra_host=$((extra % n_hosts + 1))
vtap_commands "$extra" "$extra" >batch-extra
read -r -a commands <batch-extra
x0=$(bench_now)
vtapctl --wait "${commands[@]}" >/dev/null 2>wait.err \
    || { cat wait.err >&2; bench_die "ovs-vtapctl failed on the extra VTAP"; }
x1=$(bench_now)
# (Less the warnings of a loaded machine: "Unreasonably long poll interval".)
if grep -v '|timeval|' wait.err >wait-said.txt; then
    bench_say "ovs-vtapctl said: $(tr '\n' ' ' <wait-said.txt)"
fi
want=$(host_flows_expected "$extra_host" $((n_vtaps + 1)))
if test "$(flow_count "$extra_host")" != "$want"; then
    bench_say "after --wait, hv$extra_host holds $(flow_count "$extra_host")" \
        "flows, not $want"
    bench_wait 600 host_flows_are "$extra_host" "$want" \
        || bench_die "hv$extra_host holds $(flow_count "$extra_host") flows," \
                     "not $want"
    x1=$(bench_now)
fi
state=$(vtapctl --bare --columns=state find Realization \
            vtap="$(vtapctl get VTAP "v$extra" _uuid)" host="hv$extra_host")
test "$state" = running \
    || bench_die "v$extra on hv$extra_host is \"$state\", not running"
bench_wait 600 mon_last "v$extra" \
    || bench_die "the monitor clients did not all see v$extra"
bench_result "one more VTAP on hv$extra_host: until running (--wait)" \
    "$(elapsed "$x0" "$x1" 1000)" ms \
    "its row at $n_hosts ovsdb-client monitors" \
    "$(elapsed "$x0" "$(mon_last "v$extra")" 1000)"

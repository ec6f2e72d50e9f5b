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
# bench-pool.sh: failover time of a pool target, in health intervals.
#
# In a lab (tests/bench/pool.topo) a VTAP of the server's port mirrors to
# a pool of three receivers that answer BFD (--health=bfd).  A UDP flow
# from the client, one datagram every 10 ms, lands on one backend (HRW);
# that backend's receiver is killed, and the failover time is from the
# kill to the first copy of the flow at another backend: BFD's detection
# (three intervals) plus the switch noticing.  Then the receiver comes
# back, BFD comes up, and the flow returns to it.  Reported per health
# interval: the median and worst failover, and the median in intervals
# (goal: at most 3).  Then the same for a pool shared by a VTAP of a
# second source bridge, whose mirror bridge follows the BFD sessions of the
# first (ovs-vtapd(8)): its failover also waits for ovs-vswitchd to write
# the session's state and for ovs-vtapd to build its bundle again.
#
# usage: bench-pool.sh [--quick]; see bench-lib.sh for the environment.

set -eu -o pipefail
# shellcheck source=tests/bench/bench-lib.sh
. "$(dirname "$0")/bench-lib.sh"

intervals="300 1000"
runs=3
if test "$bench_quick" = yes || test "${1:-}" = --quick; then
    intervals=300
    runs=1
fi

bench_lab_up vtbp "$bench_srcdir/tests/bench/pool.topo"
for h in coll1 coll2 coll3; do
    bench_receiver $h "$bench_tmp/rx-$h.txt" --health=bfd --print
done

# backends_up: how many backends the VTAP's status has up.
backends_up() {
    ovs-vtapctl --bare --columns=backend_state list Realization \
        | grep -o '=up' | wc -l
}
# test_backends_up N: whether N backends are up.
test_backends_up() {
    test "$(backends_up)" = "$1"
}
# flow_at HOST [VNI]: whether HOST's receiver printed a copy of the flow
# (in VNI, by default any) since its file was last cut (the flow's client
# port is 43999).
flow_at() {
    grep -q "vni ${2:-[0-9]*} from .*\.43999 >" "$bench_tmp/rx-$1.txt"
}

bench_lab_bg server "$bench_tmp/echo.pid" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 6000))
while True:
    s.recvfrom(2048)
' >/dev/null 2>&1
bench_lab_bg client "$bench_tmp/stream.pid" python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 43999))
while True:
    s.sendto(b"x" * 64, ("172.16.0.134", 6000))
    time.sleep(0.01)
' >/dev/null 2>&1

first=yes
# cut_all: empties every receiver's file, so that what it prints after is new.
cut_all() {
    local h
    for h in coll1 coll2 coll3; do : >"$bench_tmp/rx-$h.txt"; done
}
# moved_off OWNER VNI: whether another backend than OWNER got the copies.
moved_off() {
    local h
    for h in coll1 coll2 coll3; do
        test $h = "$1" || ! flow_at $h "$2" || return 0
    done
    return 1
}
# failover_runs WHAT VNI N_UP: $runs times, kills the receiver of the
# backend that the copies in VNI (empty: any) reach, measures until another
# backend gets them, and brings it back (HRW returns them); prints the
# median and worst, and the median in health intervals.  WHAT prefixes the
# results' names ("" or "second bridge, "); N_UP is the number of BFD
# sessions up when every backend is.
failover_runs() {
    local what=$1 vni=$2 n_up=$3 run owner h t_kill t_moved ms times=
    for run in $(seq 1 $runs); do
        bench_wait 60 test_backends_up "$n_up" \
            || bench_die "the pool's backends are not up"
        sleep 2
        # The backend that the flow is on.
        cut_all
        sleep 1
        owner=
        for h in coll1 coll2 coll3; do
            if flow_at $h "$vni"; then owner="$owner $h"; fi
        done
        owner=${owner# }
        case $owner in
        coll?) ;;
        *) bench_disturbed "${what}the flow is on \"$owner\", not on one backend" ;;
        esac
        cut_all
        kill "$(cat "$bench_tmp/receiver-$owner.pid")"
        t_kill=$(bench_now)
        bench_wait 30 moved_off "$owner" "$vni" \
            || bench_die "${what}the flow did not move off $owner"
        t_moved=$(bench_now)
        ms=$(awk -v a="$t_kill" -v b="$t_moved" 'BEGIN { printf "%d", (b - a) * 1000 }')
        bench_say "${what}interval $interval ms, run $run: $owner killed, flow moved after $ms ms"
        times="$times $ms"
        # Back: BFD up again, and HRW gives the flow back.
        bench_receiver "$owner" "$bench_tmp/rx-$owner.txt" --health=bfd --print
        bench_wait 60 test_backends_up "$n_up" \
            || bench_die "$owner does not come back up"
        cut_all
        bench_wait 10 flow_at "$owner" "$vni" \
            || bench_die "${what}the flow did not return to $owner"
    done
    read -r median worst _ < <(printf '%s\n' $times | bench_stats)
    bench_result "failover, ${what}BFD every $interval ms (median of $runs)" \
        "$median" ms
    bench_result "failover, ${what}BFD every $interval ms (worst of $runs)" \
        "$worst" ms
    bench_result "failover in health intervals, ${what}BFD every $interval ms" \
        "$(awk -v a="$median" -v b="$interval" 'BEGIN { printf "%.2f", a / b }')" \
        intervals "goal" 3
}

for interval in $intervals; do
    if test $first = yes; then
        ovs-vtapctl --pool add-target pool \
            172.16.0.201,172.16.0.202,172.16.0.203 \
            health-interval=$interval \
            -- add-filter udp -- add-rule udp ingress include proto=udp \
            -- add-vtap tap iface-id=server pool udp vni=100 >/dev/null
        ovs-vtapctl --wait start tap
        first=no
    else
        ovs-vtapctl set Target pool health_interval=$interval
    fi
    failover_runs "" "" 3
done

# The pool shared by a second source bridge: the client moves to br-two,
# patched to br-int, and a VTAP of its port mirrors what it sends (VNI 200)
# through vtap-br-two, whose tunnel ports follow vtap-br-int's BFD.
interval=${intervals%% *}
ovs-vsctl add-br br-two -- set bridge br-two datapath_type=netdev \
    -- add-port br-two pt-int -- set interface pt-int type=patch \
       options:peer=pi-two \
    -- add-port br-int pi-two -- set interface pi-two type=patch \
       options:peer=pt-int \
    -- del-port br-int p-client -- add-port br-two p-client \
    -- set interface p-client external_ids:iface-id=client
ovs-vtapctl set Target pool health_interval=$interval \
    -- add-filter udp-out -- add-rule udp-out egress include proto=udp \
    -- add-vtap tap2 iface-id=client pool udp-out vni=200 >/dev/null
ovs-vtapctl --wait start tap2
failover_runs "second bridge, " 200 6

#! /bin/bash
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
# bench-receiver.sh: benchmark of ovs-vtap-receiver against tcpdump and
# tshark.
#
# Two network namespaces joined by a veth pair (MTU 9000, so that 1500-byte
# inner frames fit in one datagram): in the first, several
# tests/test-vxlan-send processes (pre-built VXLAN datagrams, sendmmsg, each
# paced at its share of the rate, each from its own UDP port so that the
# outer flows differ; inner flows vary too: each sender its own inner
# source address, its datagrams over 4 VNIs, ICMP sequence numbers counting
# up over its batch of 64) send to the second, where one tool captures at a
# time:
#   receiver       ovs-vtap-receiver --capture=ring writing pcapng
#   receiver-socket  the same with --capture=socket
#   receiver-workers the ring path with --workers 2 (on the tool's one CPU
#                  when it is pinned: the cost of the fanout, not its gain)
#   tcpdump        tcpdump -w (pcap)
#   tshark         tshark -F pcap -w
# all with a 32 MiB buffer (--rcvbuf, tcpdump -B, tshark -B).  Everything is
# measured for each inner frame size (FRAME_SIZES: 64, 512 and 1500 bytes;
# --quick: 64 only, to stay short for CI), but the two workers only with the
# smallest.  For each tool, rising rates (doubling from 50,000 pps, then
# bisecting) find the highest rate at which it loses nothing: what was sent
# less what its file holds (the receiver's pcapng_written counter; the size of
# the others' pcap files, whose records are all the same size).  "Lost"
# includes the tools' drops (kernel, ring).  A rate that the senders could not
# reach (under 90 % of it) ends the search with ">=": the senders, not the
# tool, were the limit. Each step prints the rate asked and the rate the
# senders reached, the tool's drops and the kernel's input backlog drops
# (/proc/net/softnet_stat, the whole machine's: packets lost before any tool
# sees them), and for each frame size the rate the senders reach with nobody
# capturing (asked for 2 Mpps) is printed first: a tool's loss-free rate well
# under it was the tool's limit, not the senders'.
#
# CPU per packet is system-wide, measured for every tool at the same rate
# (200,000 pps, 100,000 for 1500-byte frames) over a longer run: the busy time
# of every CPU in /proc/stat (user, system, irq, softirq, steal) while the
# senders send, plus the tool's own CPU time while it drains what is left, over
# the packets sent, less the same measured just before with nobody capturing
# (the senders and the kernel path to a bound socket): what capturing costs the
# machine, softirq included.  Other work on the machine adds noise.
#
# The own + softirq figure also gives the tool's rate per core: packets a
# second that one CPU fully busy with the tool (and the softirq work) would
# take, 1 / (own + softirq CPU per packet): with two workers sharing one
# CPU (this machine has two, one of them the senders'), that is the figure
# that can be compared with one worker's.
#
# Prints one line per tool and frame size, "TOOL ..., N-byte frames:
# highest rate without loss: RATE pps (CPU us CPU/packet) [own + softirq:
# CPU us/packet, PPS pps per core]", and the ratios against tcpdump of the
# same run and size.
#
# usage: bench-receiver.sh [--quick] [BUILDDIR]
# BUILDDIR (default: .) holds utilities/ovs-vtap-receiver and
# tests/test-vxlan-send.  Needs root (namespaces, and tcpdump); without
# it, or without ip(8), it says why and measures nothing.
set -e

quick=false
builddir=.
for arg; do
    case $arg in
        --quick) quick=true ;;
        -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) builddir=$arg ;;
    esac
done
receiver=$(cd "$builddir" && pwd)/utilities/ovs-vtap-receiver
sender=$(cd "$builddir" && pwd)/tests/test-vxlan-send
for prog in "$receiver" "$sender"; do
    test -x "$prog" || { echo "$0: $prog: not built" >&2; exit 1; }
done
if test "$(id -u)" != 0 || ! command -v ip >/dev/null \
        || ! ip netns list >/dev/null 2>&1; then
    echo "receiver benchmark: cannot measure: it needs root and network" \
         "namespaces (ip netns)" >&2
    exit 0
fi

if $quick; then
    step=1 bisections=1 cpu_secs=2 frame_sizes=${FRAME_SIZES:-64}
else
    step=2 bisections=3 cpu_secs=4 frame_sizes=${FRAME_SIZES:-64 512 1500}
fi
senders=4                       # Sending processes.
buffer_mib=32
hz=$(getconf CLK_TCK)

if test "$(nproc)" -ge 2 && command -v taskset >/dev/null; then
    on_sender_cpu="taskset -c 0" on_tool_cpu="taskset -c 1"
else
    on_sender_cpu= on_tool_cpu=
fi

tmp=$(mktemp -d /tmp/bench-receiver.XXXXXX)
ns_s=vtb$$s ns_r=vtb$$r
pids=
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null || true
    done
    ip netns del "$ns_s" 2>/dev/null || true
    ip netns del "$ns_r" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

ip netns add "$ns_s"
ip netns add "$ns_r"
in_s="ip netns exec $ns_s"
in_r="ip netns exec $ns_r"
ip link add vtb$$a netns "$ns_s" type veth peer name vtb$$b netns "$ns_r"
ip -n "$ns_s" addr add 192.0.2.1/24 dev vtb$$a
ip -n "$ns_r" addr add 192.0.2.2/24 dev vtb$$b
ip -n "$ns_s" link set vtb$$a mtu 9000 up
ip -n "$ns_r" link set vtb$$b mtu 9000 up
ip -n "$ns_s" link set lo up
ip -n "$ns_r" link set lo up
# The capturing side's kernel work (the veth's receive softirq: the rings'
# copies, the UDP stack) on the tool's CPU, as a NIC's interrupt would be on
# a collector, not on the senders' CPU, where it would slow the senders
# down with every tool's work (Receive Packet Steering to CPU 1).
if test -n "$on_tool_cpu"; then
    $in_r sh -c "echo 2 >/sys/class/net/vtb$$b/queues/rx-0/rps_cpus"
fi
for i in $(seq 50); do
    ip netns exec "$ns_s" ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 && break
    sleep 0.1
done

# Waits (bounded) until FILE contains PATTERN.
wait_for() {
    for i in $(seq 200); do
        if grep -q "$2" "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "$0: timed out waiting for \"$2\" in $1" >&2
    exit 1
}

# Prints the value of the integer member NAME of the JSON object on stdin.
json_int() {
    sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}

# Waits (bounded) until the output of COMMAND stays the same for 1.5 s:
# the tool has drained what it was sent.  (tcpdump's and tshark's rings
# hand over a partly filled block only after a 1 s timeout.)
wait_stable() {
    local last= same=0 cur
    for i in $(seq 150); do
        cur=$("$@")
        if test "$cur" = "$last"; then
            same=$((same + 1))
            test $same -ge 6 && return 0
        else
            same=0
        fi
        last=$cur
        sleep 0.25
    done
}

# Prints the busy jiffies of all CPUs (user nice system irq softirq steal).
busy_jiffies() {
    awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# Prints the softirq jiffies of all CPUs.
softirq_jiffies() {
    awk '$1 == "cpu" { print $8; exit }' /proc/stat
}

# Prints the packets that the kernel dropped, all CPUs, because a CPU's
# input backlog was full (the second column of /proc/net/softnet_stat,
# hex): with Receive Packet Steering, what the tool's CPU could not even
# take from the veth, before any tool sees it.
backlog_drops() {
    local total=0 dropped
    while read -r _ dropped _; do
        total=$((total + 0x$dropped))
    done </proc/net/softnet_stat
    echo $total
}

# Prints the CPU time of process PID in jiffies.
proc_jiffies() {
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

file_size() {
    stat -c %s "$1" 2>/dev/null || echo 0
}

# send RATE COUNT PORT: sends COUNT datagrams at RATE (together) to PORT
# from $senders processes; sets "achieved" (pps), "send_jiffies" (the
# system's busy jiffies while they sent) and "send_softirq" (the softirq
# part).
send() {
    local each=$(($2 / senders)) rate=$(($1 / senders)) i spids= start
    local t0 t1 s0 s1 b0 b1
    rm -f "$tmp"/s.*
    t0=$(busy_jiffies) s0=$(softirq_jiffies) b0=$(backlog_drops)
    start=$(date +%s.%N)
    for i in $(seq $senders); do
        $in_s $on_sender_cpu "$sender" --rate "$rate" --count "$each" \
            --batch 64 --size "$frame" --src "172.16.$i.1" --vni-count 4 \
            "192.0.2.2:$3" >"$tmp/s.$i" &
        spids="$spids $!"
    done
    for i in $spids; do
        wait "$i" || true
    done
    t1=$(busy_jiffies) s1=$(softirq_jiffies) b1=$(backlog_drops)
    achieved=$(awk -v s="$start" -v e="$(date +%s.%N)" -v n="$2" \
               'BEGIN { printf "%d\n", n / (e - s) }')
    send_jiffies=$((t1 - t0)) send_softirq=$((s1 - s0))
    send_backlog=$((b1 - b0))
}

# start_sink PORT: binds PORT in the capturing namespace without reading,
# as the receiver's socket is bound, so that no ICMP goes back.
start_sink() {
    $in_r "$sender" --sink $((step + 60)) "192.0.2.2:$1" >"$tmp/sink" &
    sink=$!
    pids="$pids $sink"
    wait_for "$tmp/sink" sinking
}

stop() {
    kill "$@" 2>/dev/null || true
    for pid; do
        wait "$pid" 2>/dev/null || true
    done
}

# Each measure_TOOL RATE prints "LOST ACHIEVED DROPS JIFFIES": the packets
# lost, the rate sent, the tool's drop count and the CPU jiffies of the
# measurement (see the header).

# measure_receiver_path CAPTURE RATE [ARG...]
measure_receiver_path() {
    local count=$(($2 * secs)) ctl=$tmp/r.ctl port pid json drops written
    local j0 j1 own
    rm -f "$tmp"/r.*
    local extra=("${@:3}")
    $in_r $on_tool_cpu "$receiver" -l 192.0.2.2:0 -q --capture="$1" \
        "${extra[@]}" --rcvbuf $((buffer_mib * 1024 * 1024)) \
        --pcapng "$tmp/r.pcapng" --unixctl="$ctl" 2>"$tmp/r.err" &
    pid=$!
    pids="$pids $pid"
    wait_for "$tmp/r.err" 'listening on'
    port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$tmp/r.err")
    own=$(proc_jiffies "$pid")
    send "$2" "$count" "$port"
    j0=$(proc_jiffies "$pid")
    wait_stable ovs-appctl -t "$ctl" receiver/show-json >/dev/null
    j1=$(proc_jiffies "$pid")
    json=$(ovs-appctl -t "$ctl" receiver/show-json)
    drops=$(echo "$json" | json_int kernel_drops)
    written=$(echo "$json" | json_int pcapng_written)
    ovs-appctl -t "$ctl" exit >/dev/null
    wait "$pid" || true
    echo "$((count - written)) $achieved $drops" \
         "$((send_jiffies + j1 - j0)) $((j1 - own + send_softirq))" \
         "$send_backlog"
}
measure_receiver() { measure_receiver_path ring "$1"; }
measure_receiver_socket() { measure_receiver_path socket "$1"; }
measure_receiver_workers() { measure_receiver_path ring "$1" --workers 2; }

# measure_dumper TOOL RATE: tcpdump or tshark, writing pcap.
measure_dumper() {
    local count=$(($2 * secs)) port=$((40000 + RANDOM % 20000)) pid
    local j0 j1 own drops written
    rm -f "$tmp"/t.*
    start_sink "$port"
    if test "$1" = tcpdump; then
        $in_r $on_tool_cpu tcpdump -i vtb$$b -n -B $((buffer_mib * 1024)) \
            -w "$tmp/t.pcap" udp dst port "$port" 2>"$tmp/t.err" &
        pid=$!
        wait_for "$tmp/t.err" 'listening on'
    else
        $in_r $on_tool_cpu tshark -q -i vtb$$b -n -B $buffer_mib -F pcap \
            -w "$tmp/t.pcap" -f "udp dst port $port" 2>"$tmp/t.err" &
        pid=$!
        wait_for "$tmp/t.err" 'Capturing on'
    fi
    pids="$pids $pid"
    own=$(proc_jiffies "$pid")
    send "$2" "$count" "$port"
    j0=$(proc_jiffies "$pid")
    wait_stable file_size "$tmp/t.pcap"
    j1=$(proc_jiffies "$pid")
    kill -INT "$pid"
    wait "$pid" || true
    stop "$sink"
    drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p;
                    s/.*Packets: [0-9]*  *Dropped: \([0-9]*\).*/\1/p' \
            "$tmp/t.err" | head -1)
    written=$(( ($(file_size "$tmp/t.pcap") - 24) / outer_record ))
    echo "$((count - written)) $achieved ${drops:-?}" \
         "$((send_jiffies + j1 - j0)) $((j1 - own + send_softirq))" \
         "$send_backlog"
}
measure_tcpdump() { measure_dumper tcpdump "$1"; }
measure_tshark() { measure_dumper tshark "$1"; }

# measure_nobody RATE: the senders to a bound socket, nobody capturing.
measure_nobody() {
    local port=$((40000 + RANDOM % 20000))
    start_sink "$port"
    send "$1" "$(($1 * secs))" "$port"
    stop "$sink"
    echo "0 $achieved 0 $send_jiffies $send_softirq $send_backlog"
}

# report_step TOOL RATE LOST ACHIEVED DROPS BACKLOG: one line on stderr.
report_step() {
    printf '  %-16s %5d B %7d pps asked, %7d sent/s: lost %d, drops %s,' \
        "$1" "$frame" "$2" "$4" "$3" "$5" >&2
    printf ' backlog drops %s\n' "$6" >&2
}

# cpu TOOL: prints the CPU per packet that TOOL costs at $cpu_rate, in
# microseconds: "SYSTEM OWN": system-wide, less the same with nobody
# capturing; the tool's own and all softirq time, less the softirq with
# nobody capturing (less noisy: other work on the machine is left out
# but for its softirq).
cpu() {
    local tool=$1 secs=$cpu_secs count=$((cpu_rate * cpu_secs)) base soft
    set -- $(measure_nobody $cpu_rate)
    base=$4 soft=$5
    set -- $(measure_$tool $cpu_rate)
    awk -v j="$4" -v o="$5" -v b="$base" -v s="$soft" -v hz="$hz" \
        -v n="$count" -v l="$1" -v tool="$tool" -v rate="$cpu_rate" \
        -v frame="$frame" \
        'BEGIN { u = 1e6 / hz / n
                 printf "  %-16s %5d B at %d pps: system CPU %.3f us/packet " \
                        "(%.3f with nobody capturing), own + softirq " \
                        "%.3f (softirq with nobody capturing %.3f), " \
                        "lost %d\n", tool, frame, rate, j * u, b * u, o * u,
                        s * u, l > "/dev/stderr"
                 printf "%.3f %.3f\n", (j - b) * u, (o - s) * u }'
}

# search TOOL: prints the highest rate without loss that TOOL reached, with
# ">=" before it when the senders, not the tool, were the limit, and the
# capture's system-wide CPU per packet at that rate (less the baseline).
search() {
    local tool=$1 rate=50000 good=0 bad=0 prefix= secs=$step
    while :; do
        set -- $(measure_$tool $rate)
        report_step "$tool" "$rate" "$1" "$2" "$3" "$6"
        if test "$1" -ne 0; then
            bad=$rate
            break
        fi
        good=$rate
        if test "$2" -lt $((rate * 9 / 10)); then
            prefix='>='         # The senders could not go faster.
            good=$2
            break
        fi
        rate=$((rate * 2))
    done
    if test $bad -gt 0 && test $good -gt 0; then
        for i in $(seq $bisections); do
            rate=$(( (good + bad) / 2 ))
            set -- $(measure_$tool $rate)
            report_step "$tool" "$rate" "$1" "$2" "$3" "$6"
            if test "$1" -eq 0 && test "$2" -lt $((rate * 9 / 10)); then
                # The senders fell short: what they reached is a bound.
                test "$2" -le $good || { good=$2 prefix='>='; }
                break
            elif test "$1" -eq 0; then
                good=$rate prefix=
            else
                bad=$rate
            fi
        done
    fi
    echo "$prefix$good"
}

echo "VXLAN across a veth pair, $senders senders, ${step}s a step," \
     "$(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg):" >&2
all_tools="receiver receiver_socket receiver_workers tcpdump"
if command -v tshark >/dev/null; then
    all_tools="$all_tools tshark"
else
    echo "  tshark: not measured (not installed)" >&2
fi
first_size=${frame_sizes%% *}

# tools_for SIZE: the tools measured with SIZE-byte frames.
tools_for() {
    local tool
    for tool in $all_tools; do
        if test $tool != receiver_workers || test "$1" = "$first_size"; then
            echo $tool
        fi
    done
}

# The first line's shape is what tests/bench/ovs-vtap-bench.sh reads.
label() {
    case $1 in
        receiver) echo "receiver (ring, pcapng to a file)" ;;
        receiver_socket) echo "receiver-socket (pcapng to a file)" ;;
        receiver_workers) echo "receiver-workers (ring, 2 workers)" ;;
        tcpdump) echo "tcpdump -w" ;;
        tshark) echo "tshark -w" ;;
    esac
}

for frame in $frame_sizes; do
    outer_record=$((16 + 14 + 20 + 8 + 8 + frame))  # A pcap record.
    cpu_rate=200000
    test "$frame" -lt 1000 || cpu_rate=100000
    tools=$(tools_for "$frame")
    set -- $(secs=$step measure_nobody 2000000)
    eval "senders_rate_$frame=$2"
    echo "  senders alone, $frame-byte frames, 2,000,000 pps asked:" \
         "$2 sent/s" >&2
    for tool in $tools; do
        eval "${tool}_rate_$frame=\$(search $tool)"
    done
    echo "CPU per packet at $cpu_rate pps, ${cpu_secs}s, $frame-byte" \
         "frames:" >&2
    for tool in $tools; do
        set -- $(cpu $tool)
        eval "${tool}_cpu_$frame=\$1 ${tool}_own_$frame=\$2"
    done
done

for frame in $frame_sizes; do
    for tool in $(tools_for "$frame"); do
        eval "rate=\$${tool}_rate_$frame cpu=\$${tool}_cpu_$frame"
        eval "own=\$${tool}_own_$frame"
        printf '%s, %s-byte frames: highest rate without loss: %s pps' \
            "$(label $tool)" "$frame" "$rate"
        printf ' (%s us CPU/packet) [own + softirq: %s us/packet, %s pps' \
            "$cpu" "$own" \
            "$(awk -v o="$own" 'BEGIN { printf "%d", (o > 0 ? 1e6 / o : 0) }')"
        printf ' per core]\n'
    done
    eval "rate=\$senders_rate_$frame"
    printf 'senders alone, %s-byte frames: %s pps\n' "$frame" "$rate"
done

# ratio NAME A B: prints "ratio NAME: A/B" with what the bounds allow.
ratio() {
    local a=${2#>=} b=${3#>=} r
    if test "$a" = 0 || test "$b" = 0; then
        echo "ratio $1: undefined (a tool lost packets at every rate)"
        return
    fi
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }')
    case $2,$3 in
        '>='*,'>='*) echo "ratio $1: $r, but neither lost a packet at the" \
                          "highest rate that the senders reached: the" \
                          "sender, not the tools, was the limit" ;;
        '>='*) echo "ratio $1: >= $r" ;;
        *,'>='*) echo "ratio $1: <= $r" ;;
        *) echo "ratio $1: $r" ;;
    esac
}
for frame in $frame_sizes; do
    eval "tcpdump_rate=\$tcpdump_rate_$frame tcpdump_cpu=\$tcpdump_cpu_$frame"
    eval "tcpdump_own=\$tcpdump_own_$frame"
    for tool in $(tools_for "$frame"); do
        test $tool != tcpdump || continue
        name=$(echo $tool | tr _ -)
        eval "rate=\$${tool}_rate_$frame cpu=\$${tool}_cpu_$frame"
        eval "own=\$${tool}_own_$frame"
        if test $tool = receiver_workers; then
            eval "one=\$receiver_rate_$frame one_own=\$receiver_own_$frame"
            ratio "$name/receiver, $frame-byte frames" "$rate" "$one"
            awk -v n="$name" -v f="$frame" -v a="$own" -v b="$one_own" \
                'BEGIN { printf "ratio per core %s/receiver, %d-byte " \
                                "frames: %s\n", n, f,
                                (a > 0 && b > 0 ? sprintf("%.2f", b / a) \
                                 : "undefined") }'
            continue
        fi
        ratio "$name/tcpdump, $frame-byte frames" "$rate" "$tcpdump_rate"
        awk -v t="$name" -v f="$frame" -v c="$cpu" -v d="$tcpdump_cpu" \
            -v o="$own" -v e="$tcpdump_own" \
            'BEGIN { printf "ratio CPU/packet %s/tcpdump, %d-byte frames: " \
                            "system %s, own + softirq %s\n", t, f,
                            (c > 0 && d > 0 ? sprintf("%.2f", c / d) \
                             : "undefined"),
                            (o > 0 && e > 0 ? sprintf("%.2f", o / e) \
                             : "undefined") }'
    done
done

#! /bin/bash
# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# bench-receiver.sh: benchmark of ovs-vtap-receiver against tcpdump.
#
# Blasts VXLAN over loopback at rising rates with tests/test-vxlan-send
# (sendmmsg, paced) and finds, in the same run, the highest rate with no
# loss for (a) ovs-vtap-receiver writing pcap to a file and (b)
# "tcpdump -i lo -w FILE udp port P" on the same traffic, then prints both
# and their ratio.  Loss is what was sent less what ended up in the file:
# the receiver's pcap holds the inner frames, tcpdump's the whole outer
# packets, all of one size, so the file sizes give exact packet counts.
# Each tool runs with its default buffer sizes; with two CPUs or more the
# sender runs on CPU 0 and the tool on CPU 1.  Each step also reports the
# CPU time that the tool's process used per packet (the kernel work done in
# the sender's context, e.g. tcpdump's copy into its ring, is not in it).
#
# usage: bench-receiver.sh [--quick] [BUILDDIR]
# BUILDDIR (default: .) holds utilities/ovs-vtap-receiver and
# tests/test-vxlan-send.  tcpdump needs root; without it only the
# receiver is measured.
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
receiver=$builddir/utilities/ovs-vtap-receiver
sender=$builddir/tests/test-vxlan-send
for prog in "$receiver" "$sender"; do
    test -x "$prog" || { echo "$0: $prog: not built" >&2; exit 1; }
done

if $quick; then
    step=1 bisections=1
else
    step=2 bisections=3
fi
frame=98                        # Inner frame: the sender's default ICMP.
pcap_record=$((16 + frame))     # Receiver: record header + inner frame.
lo_record=$((16 + 14 + 20 + 8 + 8 + frame))     # tcpdump: outer too.

if test "$(nproc)" -ge 2 && command -v taskset >/dev/null; then
    on_sender_cpu="taskset -c 0" on_tool_cpu="taskset -c 1"
else
    on_sender_cpu= on_tool_cpu=
fi

tmp=$(mktemp -d /tmp/bench-receiver.XXXXXX)
pids=
cleanup() {
    for pid in $pids; do
        kill "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# Waits (bounded) until FILE is non-empty and contains PATTERN.
wait_for() {
    for i in $(seq 100); do
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
# the tool has drained what it was sent.  (tcpdump's capture ring hands
# over a partly filled block only after its 1 s timeout.)
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

# Prints the CPU time that process PID used, in microseconds per COUNT.
cpu_per_packet() {
    awk -v count="$2" -v hz="$(getconf CLK_TCK)" \
        '{ printf "%.2f\n", ($14 + $15) * 1e6 / hz / count }' "/proc/$1/stat"
}

file_size() {
    stat -c %s "$1" 2>/dev/null || echo 0
}

# Sends COUNT datagrams at RATE to PORT; prints the rate achieved.
send() {
    $on_sender_cpu "$sender" --rate "$1" --count "$2" "127.0.0.1:$3" \
        | awk '{ printf "%d\n", $2 / $4 }'
}

# measure_receiver RATE: prints "LOST ACHIEVED KERNEL_DROPS CPU".
measure_receiver() {
    local rate=$1 count=$(($1 * step)) ctl=$tmp/r.ctl port achieved
    rm -f "$tmp"/r.*
    $on_tool_cpu "$receiver" -l 127.0.0.1:0 -q -w "$tmp/r.pcap" \
        --unixctl="$ctl" \
        2>"$tmp/r.err" &
    local pid=$!
    pids="$pids $pid"
    wait_for "$tmp/r.err" 'listening on'
    port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$tmp/r.err")
    achieved=$(send "$rate" "$count" "$port")
    wait_stable ovs-appctl -t "$ctl" receiver/show-json >/dev/null
    local json drops cpu
    json=$(ovs-appctl -t "$ctl" receiver/show-json)
    drops=$(echo "$json" | json_int kernel_drops)
    cpu=$(cpu_per_packet "$pid" "$count")
    ovs-appctl -t "$ctl" exit
    wait "$pid" || true
    local written=$(( ($(file_size "$tmp/r.pcap") - 24) / pcap_record ))
    echo "$((count - written)) $achieved $drops $cpu"
}

# measure_tcpdump RATE: prints "LOST ACHIEVED KERNEL_DROPS CPU".
measure_tcpdump() {
    local rate=$1 count=$(($1 * step)) port=$((40000 + RANDOM % 20000))
    local achieved
    rm -f "$tmp"/t.*
    "$sender" --sink $((step + 30)) "127.0.0.1:$port" >"$tmp/t.sink" &
    local sink=$!
    pids="$pids $sink"
    wait_for "$tmp/t.sink" sinking
    $on_tool_cpu tcpdump -i lo -n -w "$tmp/t.pcap" udp port "$port" \
        2>"$tmp/t.err" &
    local pid=$!
    pids="$pids $pid"
    wait_for "$tmp/t.err" 'listening on'
    achieved=$(send "$rate" "$count" "$port")
    wait_stable file_size "$tmp/t.pcap"
    local cpu
    cpu=$(cpu_per_packet "$pid" "$count")
    kill -INT "$pid"
    wait "$pid" || true
    kill "$sink" 2>/dev/null || true
    wait "$sink" 2>/dev/null || true
    local drops written
    drops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' \
            "$tmp/t.err")
    written=$(( ($(file_size "$tmp/t.pcap") - 24) / lo_record ))
    echo "$((count - written)) $achieved ${drops:-?} $cpu"
}

# report_step TOOL RATE LOST ACHIEVED DROPS CPU: one line on stderr.
report_step() {
    printf '  %-8s %7d pps asked, %7d sent/s: lost %d, kernel drops %s, ' \
        "$1" "$2" "$4" "$3" "$5" >&2
    printf 'tool CPU %s us/packet\n' "$6" >&2
}

# search TOOL: prints the highest rate without loss that TOOL reached, with
# ">=" before it when the sender, not the tool, was the limit, and the
# tool's CPU time per packet at that rate.
search() {
    local tool=$1 rate=50000 good=0 bad=0 prefix= cpu=?
    while :; do
        set -- $(measure_$tool $rate)
        report_step "$tool" "$rate" "$@"
        if test "$1" -ne 0; then
            bad=$rate
            break
        fi
        good=$rate cpu=$4
        if test "$2" -lt $((rate * 9 / 10)); then
            prefix='>='         # The sender could not go faster.
            good=$2
            break
        fi
        rate=$((rate * 2))
    done
    if test $bad -gt 0 && test $good -gt 0; then
        for i in $(seq $bisections); do
            rate=$(( (good + bad) / 2 ))
            set -- $(measure_$tool $rate)
            report_step "$tool" "$rate" "$@"
            if test "$1" -eq 0; then
                good=$rate cpu=$4
            else
                bad=$rate
            fi
        done
    fi
    echo "$prefix$good $cpu"
}

echo "VXLAN over loopback, $frame-byte inner frames, ${step}s a step:" >&2
set -- $(search receiver)
receiver_rate=$1 receiver_cpu=$2
if test "$(id -u)" = 0 && command -v tcpdump >/dev/null; then
    set -- $(search tcpdump)
    tcpdump_rate=$1 tcpdump_cpu=$2
else
    tcpdump_rate=
    echo "  tcpdump: skipped (needs root and tcpdump)" >&2
fi

echo "receiver (pcap to file): highest rate without loss: $receiver_rate pps" \
     "($receiver_cpu us CPU/packet)"
test -n "$tcpdump_rate" || exit 0
echo "tcpdump -i lo -w:        highest rate without loss: $tcpdump_rate pps" \
     "($tcpdump_cpu us CPU/packet)"
r=${receiver_rate#>=} t=${tcpdump_rate#>=}
if test "$t" -eq 0 || test "$r" -eq 0; then
    echo "ratio receiver/tcpdump: undefined (a tool lost packets at every rate)"
    exit 0
fi
ratio=$(awk -v r="$r" -v t="$t" 'BEGIN { printf "%.2f", r / t }')
case $receiver_rate,$tcpdump_rate in
    '>='*,'>='*)
        echo "ratio receiver/tcpdump: $ratio, but neither lost a packet at" \
             "the highest rate that the sender reached: the sender, not the" \
             "tools, was the limit" ;;
    '>='*) echo "ratio receiver/tcpdump: >= $ratio" ;;
    *,'>='*) echo "ratio receiver/tcpdump: <= $ratio" ;;
    *) echo "ratio receiver/tcpdump: $ratio" ;;
esac

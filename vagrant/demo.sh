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
# demo.sh: the multi-VM demo (vagrant/Vagrantfile) from a bare machine:
# Debian's packages for it, the offline box (vagrant/build-box.sh, cached),
# the project's .debs, libvirtd in a network namespace of its own
# (vagrant/libvirt-ns.sh), "vagrant up" (the four guests booted and
# provisioned at once), the seed scenario with the checks of
# utilities/lab/demo.sh, "vagrant destroy" and a teardown that leaves
# nothing behind, also on failure or Ctrl-C.  --keep leaves the guests up.
# Prints each phase's time; exits non-zero if a check fails.  Each phase's
# output is kept in $OVS_VTAP_DEMO_LOGS (default vagrant/logs).

set -e -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
program=${0##*/}
keep=no
case $1 in
    --keep) keep=yes ;;
    "") ;;
    *) echo "usage: $program [--keep]" >&2; exit 1 ;;
esac
test "$(id -u)" = 0 || { echo "$program: must run as root" >&2; exit 1; }
ns=vg-libvirt
export OVS_VTAP_PREFIX=vgdemo
export OVS_VTAP_INSERT_KEY=no
export VAGRANT_DOTFILE_PATH=$here/.vagrant
debs_cache=/var/cache/ovs-vtap/vagrant-debs
debs=$OVS_VTAP_DEBS
logs=${OVS_VTAP_DEMO_LOGS:-$here/logs}
vni=100
failures=0
started=no
run_libvirt=$(test -e /run/libvirt && echo yes || echo no)
box=
bg_pids=
t0=$(date +%s)
phase_t=$t0
rm -rf "$logs"
mkdir -p "$logs"

say() {
    local now
    now=$(date +%s)
    printf '%s: %s (%d s, total %d s)\n' "$program" "$*" \
        $((now - phase_t)) $((now - t0)) | tee -a "$logs/times"
    phase_t=$now
}

# expect DESCRIPTION COMMAND...: checks one expectation.
expect() {
    local what=$1
    shift
    if "$@"; then
        echo "  [ok]   $what"
    else
        echo "  [FAIL] $what"
        failures=$((failures + 1))
    fi
}

# wait_for SECONDS CONDITION: waits until the shell CONDITION (evaluated
# anew each second) holds, at most SECONDS times.
wait_for() {
    local n=$1
    for _ in $(seq "$n"); do
        eval "$2" >/dev/null 2>&1 && return 0
        sleep 1
    done
    return 1
}

# stamp: copies its input with the time before each line (without the
# progress bars that end in carriage returns or erase the line).
stamp() {
    local line
    while IFS= read -r line; do
        line=${line##*$'\r'}
        line=${line##*$'\e'\[K}
        printf '%(%T)T %s\n' -1 "$line"
    done
}

# run_bg COMMAND...: runs COMMAND in the background and waits for it, so
# that a signal to this script runs its teardown at once (a foreground
# command would first have to end); returns COMMAND's status.
run_bg() {
    local rc=0
    "$@" &
    bg_pids=$!
    wait $! || rc=$?
    bg_pids=
    return $rc
}

# kill_tree PID: interrupts process PID and all its descendants.
kill_tree() {
    local child
    for child in $(ps -o pid= --ppid "$1"); do
        kill_tree "$child"
    done
    kill -INT "$1" 2>/dev/null || true
}

# in_ns COMMAND...: runs COMMAND in the source's vagrant/ directory inside
# libvirt's namespace (where vagrant must run, as the guests' management
# network is there).
in_ns() {
    (cd "$here" && "$here/libvirt-ns.sh" exec "$ns" "$@")
}

# vssh GUEST COMMAND: runs the shell COMMAND as root in GUEST, over ssh
# with the configuration that "vagrant ssh-config" gave (one vagrant
# process costs seconds; ssh does not).
vssh() {
    local guest=$1
    shift
    printf '%s\n' "$*" \
        | in_ns ssh -F "$logs/ssh-config" -o ControlMaster=auto \
              -o ControlPath="$logs/ssh-%n" -o ControlPersist=300 \
              "$guest" sudo sh -s 2>>"$logs/ssh.err"
}

# Ends the ssh master connections that vssh left (they run in libvirt's
# namespace, which "libvirt-ns.sh down" refuses to remove while they do).
vssh_close() {
    local guest
    for guest in hv1 hv2 nlb collector; do
        test -S "$logs/ssh-$guest" || continue
        in_ns ssh -F "$logs/ssh-config" -o ControlPath="$logs/ssh-%n" \
            -O exit "$guest" >/dev/null 2>&1 || true
    done
}

# leftovers: prints what of this demo is still on the machine after the
# teardown (nothing, if all went well).
leftovers() {
    ip netns list | grep -qw "$ns" && echo "namespace $ns"
    test -e "/run/ovs-vtap-libvirt-ns/$ns" \
        && echo "libvirt-ns.sh's state /run/ovs-vtap-libvirt-ns/$ns"
    local volume
    for volume in /var/lib/libvirt/images/"${OVS_VTAP_PREFIX}"_* \
                  /var/lib/libvirt/images/*VAGRANTSLASH*; do
        test -e "$volume" && echo "volume $volume"
    done
    ps -eo pid=,args= | grep -F -e "guest=${OVS_VTAP_PREFIX}_" \
        -e "/run/ovs-vtap-libvirt-ns/$ns/" -e "ControlPath=$logs/" \
        | grep -v -e grep -e "ps -eo" | sed 's/^ */process /' | cut -c1-100
    test -e "$here/.vagrant" && echo "$here/.vagrant"
    for f in /var/log/libvirt/qemu/"${OVS_VTAP_PREFIX}"_* \
             /run/libvirt/network/"${OVS_VTAP_PREFIX}"-*; do
        test -e "$f" && echo "$f"
    done
    test $run_libvirt = no && test -e /run/libvirt && echo /run/libvirt
    return 0
}

teardown() {
    local rc=$? pid
    trap - EXIT INT TERM
    for pid in $bg_pids; do
        kill_tree "$pid"
    done
    for pid in $bg_pids; do
        wait "$pid" 2>/dev/null || true
    done
    vssh_close
    if test $started = yes && test $keep = no; then
        in_ns vagrant destroy -f > "$logs/destroy.log" 2>&1 || true
        cp /var/log/libvirt/qemu/"${OVS_VTAP_PREFIX}"_*.log "$logs" \
            2>/dev/null || true
        "$here/libvirt-ns.sh" down "$ns" "$OVS_VTAP_PREFIX" \
            "$(echo "$box" | sed 's|/|-VAGRANTSLASH-|g')" || rc=1
        rm -rf "$here/.vagrant" "$here/pki"
        left=$(leftovers)
        if test -n "$left"; then
            echo "$program: left behind:" $left >&2
            rc=1
        fi
        say "destroyed"
    fi
    if test $rc = 0; then
        say "passed"
    else
        say "FAILED (logs in $logs)"
    fi
    exit $rc
}
trap teardown EXIT
trap 'exit 130' INT TERM

# Phase 1: Debian's packages for this target only.
pkgs="vagrant vagrant-libvirt libvirt-daemon-system qemu-system-x86
      qemu-utils mmdebstrap dnsmasq-base openvswitch-common"
# shellcheck disable=SC2086
if ! dpkg -s $pkgs >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs \
        > "$logs/apt.log"
fi
say "packages"

# Phase 2: the box (cached).
"$here/build-box.sh" > "$logs/box.log" 2>&1 \
    || { tail -n 20 "$logs/box.log" >&2; exit 1; }
box=$("$here/build-box.sh" --print-name)
export OVS_VTAP_BOX=$box
say "box $box"

# source_key: a digest of the source that goes into the .debs (every file
# of the tree but the demos, the tests and the documents).
source_key() {
    (
        cd "$top"
        if git rev-parse --git-dir >/dev/null 2>&1; then
            git ls-files --cached --others --exclude-standard
        else
            find . -type f ! -path './_build/*' | sed 's|^\./||'
        fi | grep -v -e '^vagrant/' -e '^tests/' -e '^docs/' | LC_ALL=C sort \
            | while IFS= read -r f; do
                test -f "$f" && sha256sum "$f"
            done
    ) | sha256sum | cut -c1-16
}

# Phase 3: the project's .debs, cached by the source's digest (unless
# $OVS_VTAP_DEBS names them).
if test -z "$debs"; then
    debs=$debs_cache/$(source_key)
    for old in "$debs_cache"/*; do
        test "$old" = "$debs" || rm -rf "$old"
    done
fi
if ! ls "$debs"/ovs-vtap_*.deb "$debs"/ovs-vtap-receiver_*.deb \
        >/dev/null 2>&1; then
    # From a configured tree _build (made here if missing), built.
    if ! test -f "$top/_build/Makefile"; then
        "$top/utilities/ovs-vtap-deps.sh" > "$logs/deps.log" 2>&1
        (cd "$top" && autoreconf -fi && mkdir -p _build && cd _build \
             && ../configure) > "$logs/build.log" 2>&1
    fi
    make -C "$top/_build" -j"$(nproc)" >> "$logs/build.log" 2>&1 \
        || { tail -n 20 "$logs/build.log" >&2; exit 1; }
    mkdir -p "$debs"
    OVS_VTAP_KEEP_PACKAGES=$debs "$top/utilities/ovs-vtap-package-test.sh" \
        > "$logs/debs.log" 2>&1 \
        || { tail -n 20 "$logs/debs.log" >&2; exit 1; }
fi
export OVS_VTAP_DEBS=$debs
say "packages of ovs-vtap in $debs"

# Phase 4: the PKI: the members db1..db3, the hosts hv1 and hv2 (their
# common name is their system-id) and the operator.
rm -rf "$here/pki"
mkdir -p "$here/pki"
(
    cd "$here/pki"
    ovs-pki --dir=pki init >/dev/null 2>&1
    for i in db1 db2 db3 op; do
        ovs-pki --dir=pki req+sign "$i" switch >/dev/null
    done
    for i in hv1 hv2; do
        ovs-pki --dir=pki -u req+sign "$i" switch >/dev/null
    done
)
say "PKI"

# Phase 5: libvirtd in its namespace, and "vagrant up": the four guests
# boot at once and each is provisioned as soon as it is up (hv1 creates
# the database's cluster; the other members join it whenever it answers).
started=yes
"$here/libvirt-ns.sh" up "$ns"
run_bg in_ns vagrant up --provider=libvirt \
    > >(stamp > "$logs/up.log") 2>&1 \
    || { sleep 1; tail -n 30 "$logs/up.log" >&2; exit 1; }
in_ns vagrant ssh-config > "$logs/ssh-config" 2>>"$logs/up.log"
for guest in hv1 hv2 nlb collector; do
    printf '  %-9s booted %s, provisioned %s\n' $guest \
        "$(awk -v g="==> $guest:" 'index($0, g) && /Machine booted and ready/ \
              { print $1 }' "$logs/up.log")" \
        "$(grep -e "==> $guest:" -e "    $guest:" "$logs/up.log" \
              | tail -n 1 | cut -d' ' -f1)"
done | tee -a "$logs/times"
say "vagrant up: hv1 hv2 nlb collector booted and provisioned"

# Phase 7: the seed scenario.
server=172.16.0.134
client=172.16.0.148
nlb=172.16.0.222
collector=172.16.0.200
bridge=172.16.0.11
pki=/ovs-vtap/vagrant/pki
ctl="ovs-vtapctl --timeout=30 --db=ssl:172.16.0.11:6641 --private-key=$pki/op-privkey.pem --certificate=$pki/op-cert.pem --ca-cert=$pki/pki/switchca/cacert.pem"
receiver_show() {
    vssh collector "ovs-appctl -t /run/openvswitch/ovs-vtap-receiver-demo.ctl receiver/show"
}
receiver_count() {
    receiver_show | sed -n 's/^matched: \([0-9]*\) .*/\1/p'
}
receiver_bytes() {
    receiver_show | sed -n 's/^matched: [0-9]* (\([0-9]*\) bytes)$/\1/p'
}
receiver_lines() {
    vssh collector "journalctl -u ovs-vtap-receiver@demo --no-pager -o cat" \
        | grep ' vni '
}
vtap_packets() {
    echo $(($(vssh hv1 "$ctl statistics server-tap ingress_packets")
            + $(vssh hv1 "$ctl statistics server-tap egress_packets")))
}
vtap_bytes() {
    echo $(($(vssh hv1 "$ctl statistics server-tap ingress_bytes")
            + $(vssh hv1 "$ctl statistics server-tap egress_bytes")))
}
# The state of the VTAP's realization on hypervisor $1 (nothing if none).
vtap_state() {
    vssh hv1 "$ctl --bare --columns=state find Realization \
        vtap=\$($ctl get vtap server-tap _uuid) host=$1"
}
client_pings() {
    vssh hv2 "ip netns exec client ping -c 10 -i 0.2 -W 1 $server" || true
}
# tcpdump_count GUEST DESTINATION: the VXLAN packets with the VTAP's VNI
# from hv1 to DESTINATION that tcpdump saw on GUEST.
tcpdump_count() {
    vssh "$1" "tcpdump -n -r /tmp/vxlan.pcap 2>/dev/null" \
        | grep -c "IP $bridge\.[0-9]* > $2\.4789: VXLAN.* vni $vni\$"
}
# The scenario, with each check's result.
scenario() {
echo "0. The cluster: three members, hv1's and hv2's ovs-vtapd connected"
for guest in hv1 hv2 nlb; do
    expect "$guest's member has joined the cluster" wait_for 120 \
        "vssh $guest ovs-vtap-db.sh --run-dir=/run/ovs-vtap-db \
             --db-file=/var/lib/ovs-vtap/vtap-cluster.db cluster-status \
             | grep -q 'Status: cluster member'"
    expect "$guest's member serves Global's connections (the hosts' port)" \
        wait_for 60 "vssh $guest ss -ltn | grep -q ':6660 '"
done
expect "hv1 and hv2 have registered in the database" wait_for 120 \
    "test \"\$(vssh hv1 \"$ctl --bare --columns=name list Host\" \
        | sort | xargs)\" = 'hv1 hv2'"
for guest in nlb collector; do
    vssh $guest "rm -f /tmp/vxlan.pcap; nohup tcpdump --immediate-mode -U \
        -n -i eth1 -w /tmp/vxlan.pcap udp port 4789 \
        </dev/null >/dev/null 2>/tmp/tcpdump.err & echo \$! > /tmp/tcpdump.pid"
done
for guest in nlb collector; do
    expect "tcpdump listens on $guest" wait_for 60 \
        "vssh $guest grep -q 'listening on' /tmp/tcpdump.err"
done

echo "1. The security list drops ICMP to the server (a flow on hv1's br-int)"
vssh hv1 "ovs-ofctl add-flow br-int cookie=0x5ec,priority=60000,icmp,nw_dst=$server,actions=drop"
out=$(client_pings)
echo "$out" | tail -n 2
expect "the pings fail" grep -q ' 0 received' <<<"$out"
expect "nothing mirrored before the VTAP" test "$(receiver_count)" = 0

echo "2. The operator adds the VTAP"
vssh hv1 "$ctl add-target nlb $nlb && $ctl add-filter icmp-client &&
    $ctl add-rule icmp-client ingress include proto=icmp src=$client/32 &&
    $ctl add-rule icmp-client egress include proto=icmp dst=$client/32 &&
    $ctl add-vtap server-tap iface-id=server nlb icmp-client vni=$vni"
expect "the new VTAP is stopped" \
    test "$(vssh hv1 "$ctl get vtap server-tap enabled")" = false
vssh hv1 "$ctl start server-tap"
expect "ovs-vtapd reports it running on hv1" \
    wait_for 120 'test "$(vtap_state hv1)" = running'
expect "hv2's ovs-vtapd does not realize it: no server there" \
    test -z "$(vtap_state hv2)"
vssh hv1 "$ctl show"
out=$(in_ns vagrant ssh hv1 -c 'ovs-vtapctl show; sudo ovs-vtapctl show' \
          2>>"$logs/ssh.err" || true)
expect "\"vagrant ssh hv1 -c 'ovs-vtapctl show'\" (as user vagrant, and with sudo) shows it running on hv1 only" \
    test "$(grep -cx '    state: running on hv1' <<<"$out")" = 2

echo "3. The client pings again"
out=$(client_pings)
echo "$out" | tail -n 2
expect "still no reply" grep -q ' 0 received' <<<"$out"
expect "nothing mirrored before the fix" test "$(receiver_count)" = 0

echo "4. The fix: ICMP allowed"
vssh hv1 "ovs-ofctl del-flows br-int cookie=0x5ec/-1"
out=$(client_pings)
echo "$out" | tail -n 2
expect "the replies come back" grep -q ' 10 received' <<<"$out"
echo "   Traffic that the filter leaves out: SSH to the server from the"
echo "   client and from the collector, a ping from the collector"
for guest in hv2 collector; do
    vssh hv1 "ip netns exec server timeout 20 nc -l -p 22 >/dev/null 2>&1 &"
    wait_for 20 "vssh hv1 ip netns exec server ss -ltn | grep -q ':22 '" \
        || true
    if test $guest = hv2; then
        vssh hv2 "echo SSH-2.0-demo | ip netns exec client nc -N -w 2 $server 22" || true
    else
        vssh collector "echo SSH-2.0-demo | nc -N -w 2 $server 22" || true
    fi
done
vssh collector "ping -q -c 3 -i 0.2 -W 1 $server" >/dev/null || true
wait_for 30 'test "$(receiver_count)" -ge 20' || true
lines=$(receiver_lines)
echo "$lines" | sed 's/^/    /'
outer="vni $vni from $bridge"
expect "10 echo requests client > server, VNI $vni from hv1" \
    test "$(grep -c "$outer: IP $client > $server: ICMP echo request" <<<"$lines")" = 10
expect "10 echo replies server > client, VNI $vni from hv1" \
    test "$(grep -c "$outer: IP $server > $client: ICMP echo reply" <<<"$lines")" = 10
expect "nothing else: no SSH, no ping from the collector" \
    test "$(receiver_count)" = 20
wait_for 30 'test "$(tcpdump_count collector $collector)" -ge 20' || true
expect "the NLB got the 20 VXLAN packets and forwarded them to the collector" \
    test "$(tcpdump_count nlb $nlb)/$(tcpdump_count nlb $collector)" = 20/20
expect "tcpdump on the collector saw the same 20" \
    test "$(tcpdump_count collector $collector)" = 20

echo "5. The VTAP's counters agree with the receiver"
wait_for 30 'test "$(vtap_packets)" = 20' || true
expect "the VTAP's counters count the receiver's 20 packets" \
    test "$(vtap_packets)" = "$(receiver_count)"
expect "and the same bytes" test "$(vtap_bytes)" = "$(receiver_bytes)"
vssh hv1 "$ctl show"
}
scenario_rc=0
run_bg scenario > >(tee "$logs/scenario.log") 2>&1 || scenario_rc=$?
sleep 1
failures=$(grep -c '^  \[FAIL\]' "$logs/scenario.log" || true)
if test $scenario_rc != 0; then
    echo "  [FAIL] the scenario stopped half-way (status $scenario_rc)"
    failures=$((failures + 1))
fi
say "seed scenario ($failures failed)"
for guest in nlb collector; do
    vssh $guest "kill \$(cat /tmp/tcpdump.pid)" || true
done

if test $keep = yes; then
    cat <<EOF
Left up.  As root (vagrant must run in libvirt's namespace $ns):
    cd $here
    ./libvirt-ns.sh exec $ns vagrant ssh hv1 -c 'ovs-vtapctl show'
shows the VTAP running on hv1 only (hv2 and nlb have the same read-only
view; changes need the operator's certificate: sudo $ctl ...).
Take it all down:
    ./libvirt-ns.sh exec $ns vagrant destroy -f
    ./libvirt-ns.sh down $ns $OVS_VTAP_PREFIX $(echo "$box" | sed 's|/|-VAGRANTSLASH-|g')
    rm -rf .vagrant pki
EOF
fi
test "$failures" = 0

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
# (vagrant/libvirt-ns.sh), "vagrant up", the seed scenario with the
# checks of utilities/lab/demo.sh, "vagrant destroy" and a teardown that
# leaves nothing behind, also on failure or Ctrl-C.  --keep leaves the
# guests up.  Prints each phase's time; exits non-zero if a check fails.

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
ns=vg-libvirt
export OVS_VTAP_PREFIX=vgdemo
export VAGRANT_DOTFILE_PATH=$here/.vagrant
debs=${OVS_VTAP_DEBS:-/var/cache/ovs-vtap/vagrant-debs}
vni=100
failures=0
started=no
t0=$(date +%s)
phase_t=$t0

say() {
    local now
    now=$(date +%s)
    printf '%s: %s (%d s, total %d s)\n' "$program" "$*" \
        $((now - phase_t)) $((now - t0))
    phase_t=$now
}

# expect DESCRIPTION COMMAND...: checks one expectation.
expect() {
    local what=$1
    shift
    if "$@"; then
        echo "  ok: $what"
    else
        echo "  FAILED: $what"
        failures=$((failures + 1))
    fi
}

# vssh GUEST COMMAND: runs COMMAND as root in GUEST.
vssh() {
    local guest=$1
    shift
    (cd "$here" && "$here/libvirt-ns.sh" exec "$ns" \
         vagrant ssh "$guest" -c "sudo sh -c '$*'" 2>/dev/null)
}

teardown() {
    local rc=$?
    trap - EXIT INT TERM
    if test $started = yes && test $keep = no; then
        (cd "$here" && "$here/libvirt-ns.sh" exec "$ns" \
             vagrant destroy -f >/dev/null 2>&1) || true
        "$here/libvirt-ns.sh" down "$ns" "$OVS_VTAP_PREFIX" \
            "$(echo "$box" | sed 's|/|-VAGRANTSLASH-|g')" || rc=1
        rm -rf "$here/.vagrant" "$here/pki"
        say "destroyed"
    fi
    test $rc = 0 && say "passed" || say "FAILED"
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
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkgs >/dev/null
fi
say "packages"

# Phase 2: the box (cached).
"$here/build-box.sh"
box=$("$here/build-box.sh" --print-name)
export OVS_VTAP_BOX=$box
say "box $box"

# Phase 3: the project's .debs (cached by the source's version).
if ! ls "$debs"/*.deb >/dev/null 2>&1; then
    # From a configured and built tree _build (made here if missing).
    if ! test -x "$top/_build/ovs-vtapd/ovs-vtapd"; then
        "$top/utilities/ovs-vtap-deps.sh" >/dev/null
        (cd "$top" && autoreconf -fi && mkdir -p _build && cd _build \
             && ../configure && make -j"$(nproc)") >/dev/null
    fi
    mkdir -p "$debs"
    OVS_VTAP_KEEP_PACKAGES=$debs "$top/utilities/ovs-vtap-package-test.sh"
fi
export OVS_VTAP_DEBS=$debs
say "packages of ovs-vtap in $debs"

# Phase 4: the PKI: the members db1..db3, the hosts hv1 and hv2 (their
# common name is their system-id) and the operator.
rm -rf "$here/pki"
mkdir -p "$here/pki"
(
    cd "$here/pki"
    ovs-pki --dir=pki init >/dev/null
    for i in db1 db2 db3 op; do
        ovs-pki --dir=pki req+sign "$i" switch >/dev/null
    done
    for i in hv1 hv2; do
        ovs-pki --dir=pki -u req+sign "$i" switch >/dev/null
    done
)
say "PKI"

# Phase 5: libvirtd in its namespace, and the guests.
started=yes
"$here/libvirt-ns.sh" up "$ns"
(cd "$here" && "$here/libvirt-ns.sh" exec "$ns" \
     vagrant up --provider=libvirt --no-parallel > "$here/.up.log" 2>&1) \
    || { tail -n 30 "$here/.up.log" >&2; exit 1; }
say "vagrant up: hv1 hv2 nlb collector"

# Phase 6: the seed scenario.
server=172.16.0.134
client=172.16.0.148
nlb=172.16.0.222
ctl="ovs-vtapctl --db=ssl:172.16.0.11:6641 --private-key=/ovs-vtap/vagrant/pki/op-privkey.pem --certificate=/ovs-vtap/vagrant/pki/op-cert.pem --ca-cert=/ovs-vtap/vagrant/pki/pki/switchca/cacert.pem"
receiver_count() {
    vssh collector "ovs-appctl -t /run/openvswitch/ovs-vtap-receiver-demo.ctl receiver/show" \
        | sed -n 's/^matched: \([0-9]*\) .*/\1/p'
}
vtap_packets() {
    echo $(($(vssh hv1 "$ctl statistics server-tap ingress_packets")
            + $(vssh hv1 "$ctl statistics server-tap egress_packets")))
}
echo "1. The security list drops ICMP to the server (a flow on hv1's br-int)"
vssh hv1 "ovs-ofctl add-flow br-int cookie=0x5ec,priority=60000,icmp,nw_dst=$server,actions=drop"
out=$(vssh hv2 "ip netns exec client ping -c 10 -i 0.2 -W 1 $server" || true)
expect "the pings fail" grep -q ' 0 received' <<<"$out"
expect "nothing mirrored before the VTAP" test "$(receiver_count)" = 0
echo "2. The operator adds the VTAP"
vssh hv1 "$ctl add-target nlb $nlb && $ctl add-filter icmp-client &&
    $ctl add-rule icmp-client ingress include proto=icmp src=$client/32 &&
    $ctl add-rule icmp-client egress include proto=icmp dst=$client/32 &&
    $ctl add-vtap server-tap iface-id=server nlb icmp-client vni=$vni &&
    $ctl start server-tap && sleep 5 && $ctl show"
out=$(vssh hv2 "ip netns exec client ping -c 10 -i 0.2 -W 1 $server" || true)
expect "still no reply" grep -q ' 0 received' <<<"$out"
expect "nothing mirrored before the fix" test "$(receiver_count)" = 0
echo "3. The fix: ICMP allowed"
vssh hv1 "ovs-ofctl del-flows br-int cookie=0x5ec/-1"
out=$(vssh hv2 "ip netns exec client ping -c 10 -i 0.2 -W 1 $server" || true)
expect "the replies come back" grep -q ' 10 received' <<<"$out"
sleep 3
lines=$(vssh collector "journalctl -u ovs-vtap-receiver@demo --no-pager -o cat")
expect "10 echo requests with VNI $vni" \
    test "$(grep -c "vni $vni .*$client > $server: ICMP echo request" <<<"$lines")" = 10
expect "10 echo replies with VNI $vni" \
    test "$(grep -c "vni $vni .*$server > $client: ICMP echo reply" <<<"$lines")" = 10
expect "nothing else" test "$(receiver_count)" = 20
sleep 3
expect "the VTAP's counters equal the receiver's" \
    test "$(vtap_packets)" = "$(receiver_count)"
say "seed scenario ($failures failed)"

if test $keep = yes; then
    echo "Left up.  cd $here; $here/libvirt-ns.sh exec $ns vagrant ssh hv1"
    echo "then: sudo $ctl show   (the VTAP runs on hv1 only)"
fi
test $failures = 0

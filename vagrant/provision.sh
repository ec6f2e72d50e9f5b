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
# provision.sh: configures one guest of the multi-VM demo
# (vagrant/Vagrantfile) as root, from the source tree synced to /ovs-vtap:
#   hypervisor N ADDRESS  OVS with br-int (kernel datapath), the VTAP
#                         database's member N, ovs-vtapd on the cluster,
#                         and its "VM" (server on hv1, client on hv2) as a
#                         network namespace on br-int
#   nlb N ADDRESS         the NLB (utilities/lab/provision-nlb.sh, as the
#                         lab's) and the database's member N
#   collector ADDRESS     ovs-vtap-receiver@demo (its systemd unit)
# OVS_VTAP_HOSTNAME, if set, is the guest's host name.
# ovs-vtap comes from the project's .debs in $OVS_VTAP_DEBS (installed
# with apt, offline) or, without them, is built from /ovs-vtap.  The PKI
# (certificates) is made by vagrant/demo.sh in /ovs-vtap/vagrant/pki.

set -e -o pipefail

src=/ovs-vtap
pki=$src/vagrant/pki
raft_port=6640
client_port=6641
host_port=6660
local_port=6642
members="172.16.0.11 172.16.0.12 172.16.0.222"

die() {
    echo "provision.sh: $*" >&2
    exit 1
}

# install_ovs_vtap [--no-start] PACKAGE...: installs ovs-vtap's PACKAGEs
# (ovs-vtap, ovs-vtap-receiver): the .debs when given, else a build of the
# source.  --no-start: the packages' services are not started (nor is
# Open vSwitch, which ovs-vtapd needs).
install_ovs_vtap() {
    local no_start=no debs='' p
    if test "$1" = --no-start; then
        no_start=yes
        shift
    fi
    if test -n "$OVS_VTAP_DEBS" && ls "$OVS_VTAP_DEBS"/*.deb >/dev/null 2>&1
    then
        for p in "$@"; do
            debs="$debs $(ls "$OVS_VTAP_DEBS/${p}"_*.deb)"
        done
        if test $no_start = yes; then
            # deb-systemd-invoke asks policy-rc.d whether to start a unit.
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod 0755 /usr/sbin/policy-rc.d
        fi
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            -o Dpkg::Options::=--force-confold $debs >/dev/null \
            || { rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
        rm -f /usr/sbin/policy-rc.d
    elif ! command -v ovs-vtapd >/dev/null; then
        (cd "$src" && autoreconf -fi && mkdir -p _guest && cd _guest \
             && ../configure --prefix=/usr --sysconfdir=/etc \
                  --localstatedir=/var && make -j"$(nproc)" && make install) \
            >/var/log/ovs-vtap-build.log 2>&1 \
            || die "building ovs-vtap failed (/var/log/ovs-vtap-build.log)"
    fi
}

# need_packages PACKAGE...: installs those of Debian's PACKAGEs that are
# missing (a public box; the offline box has them all).
need_packages() {
    local p missing=
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    test -z "$missing" && return 0
    apt-get update -q >/dev/null || die "apt-get update failed"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing \
        >/dev/null || die "cannot install$missing"
}

# set_hostname NAME: this guest's host name (set here rather than by
# Vagrant, whose way costs a dozen ssh round trips and a restart of the
# network under TCG).
set_hostname() {
    test -n "$1" || return 0
    test "$(hostname)" = "$1" && return 0
    hostnamectl set-hostname "$1"
    sed -i '/^127\.0\.1\.1[[:space:]]/d' /etc/hosts
    echo "127.0.1.1 $1" >> /etc/hosts
}

# The TLS options of this guest's certificate NAME.
tls() {
    echo "--private-key=$pki/$1-privkey.pem --certificate=$pki/$1-cert.pem" \
         "--ca-cert=$pki/pki/switchca/cacert.pem"
}

# Raises the new cluster's election timer from 1 s to 4 s (in the steps
# that RAFT allows, each at most twice the last): under TCG, guests that
# boot and provision at once miss 1 s heartbeats, and an election while
# the others join can leave a join stuck in its catch-up.
raise_election_timer() {
    local ctl=/run/ovs-vtap-db/ovs-vtap-db.ctl timer
    for timer in 2000 4000; do
        for _ in $(seq 150); do
            ovs-appctl -t "$ctl" cluster/status VTAP 2>/dev/null \
                | grep -qx "Election timer: $timer" && break
            ovs-appctl -t "$ctl" cluster/change-election-timer VTAP \
                "$timer" >/dev/null 2>&1 || true
            sleep 0.2
        done
    done
    ovs-appctl -t "$ctl" cluster/status VTAP | grep -qx 'Election timer: 4000' \
        || echo "provision.sh: the election timer stays below 4 s" >&2
}

# Makes and starts the VTAP database's member N at ADDRESS: member 1
# creates the cluster, the others join it.
start_member() {
    local n=$1 address=$2 opts
    opts="--db-file=/var/lib/ovs-vtap/vtap-cluster.db
          --run-dir=/run/ovs-vtap-db --log-file=/var/log/ovs-vtap-db.log
          $(tls "db$n")"
    mkdir -p /var/lib/ovs-vtap /run/ovs-vtap-db
    # shellcheck disable=SC2086
    if ! test -f /var/lib/ovs-vtap/vtap-cluster.db; then
        if test "$n" = 1; then
            ovs-vtap-db.sh $opts create-cluster "ssl:$address:$raft_port"
        else
            ovs-vtap-db.sh $opts join-cluster "ssl:$address:$raft_port" \
                "ssl:172.16.0.11:$raft_port"
        fi
    fi
    # shellcheck disable=SC2086
    ovs-vtap-db.sh $opts --remote="pssl:$client_port:$address" start
    if test "$n" = 1; then
        raise_election_timer
        ovs-vtapctl --db="unix:/run/ovs-vtap-db/ovs-vtap-db.sock" \
            --timeout=60 set-connection role=ovs-vtap-host \
            "pssl:$host_port" role= read-only "ptcp:$local_port:127.0.0.1"
    fi
    # Plain "ovs-vtapctl show" on a member reads the database through that
    # read-only remote on its loopback (writes need the operator's
    # certificate).
    cat > /etc/profile.d/ovs-vtap.sh <<PROFILE
# Written by vagrant/provision.sh: ovs-vtapctl reads the VTAP database of
# this machine's cluster member (read-only).
export OVS_VTAP_DB=tcp:127.0.0.1:$local_port
PROFILE
    # And "sudo ovs-vtapctl show" too: sudo would drop that variable and
    # ovs-vtapctl fall back on the switch's db.sock.  Checked before it is
    # installed, as a bad sudoers file breaks every sudo (vagrant's too).
    echo 'Defaults env_keep += "OVS_VTAP_DB"' > /etc/sudoers.d/ovs-vtap.new
    chmod 0440 /etc/sudoers.d/ovs-vtap.new
    visudo -cqf /etc/sudoers.d/ovs-vtap.new
    mv /etc/sudoers.d/ovs-vtap.new /etc/sudoers.d/ovs-vtap
}

# The hosts' remote: every member's ovs-vtap-host port.
host_remote() {
    local m r=
    for m in $members; do
        r="$r${r:+,}ssl:$m:$host_port"
    done
    echo "$r"
}

# The hypervisor: br-int with the underlay address, ovs-vtapd, its VM.
provision_hypervisor() {
    local n=$1 address=$2 iface vm vm_address
    iface=$(ip -o -4 addr show | awk -v a="$address" \
                'index($4, a "/") == 1 { print $2 }')
    test -n "$iface" || iface=$(ip -o link | awk -F': ' '$2 == "br-int" {print $2}')
    test -n "$iface" || die "no interface has $address"
    hostname=hv$n
    # ovs-vtapd's options first, so that the package starts it on the
    # cluster at once (--force-confold keeps this file).
    cat > /etc/default/ovs-vtap <<CONF
# Written by vagrant/provision.sh: ovs-vtapd on the VTAP cluster over TLS.
OVS_VTAP_LOCAL_DB=no
OVS_VTAPD_OPTS="--vtap-db=$(host_remote) $(tls "$hostname") --stats-interval=1"
CONF
    # The offline box does not start Open vSwitch at boot.
    systemctl enable --now openvswitch-switch 2>/dev/null || true
    install_ovs_vtap ovs-vtap
    start_member "$n" "$address"
    ovs-vsctl --may-exist add-br br-int \
        -- set Open_vSwitch . external_ids:system-id="$hostname"
    if test "$iface" != br-int; then
        ip addr flush dev "$iface"
        ovs-vsctl --may-exist add-port br-int "$iface"
        ip addr add "$address/24" dev br-int
        ip link set br-int up
    fi
    if test "$n" = 1; then
        vm=server vm_address=172.16.0.134
    else
        vm=client vm_address=172.16.0.148
    fi
    if ! ip netns list | grep -qw "$vm"; then
        ip netns add "$vm"
        ip link add "$vm" type veth peer name eth0 netns "$vm"
        ip -n "$vm" addr add "$vm_address/24" dev eth0
        ip -n "$vm" link set eth0 up
        ip -n "$vm" link set lo up
        ip link set "$vm" up
        ovs-vsctl --may-exist add-port br-int "$vm" \
            -- set Interface "$vm" external_ids:iface-id="$vm"
    fi
    systemctl restart ovs-vtapd
}

# The NLB: nftables as the lab's, and database member N.
provision_nlb() {
    local n=$1 address=$2 iface
    iface=$(ip -o -4 addr show | awk -v a="$address" \
                'index($4, a "/") == 1 { print $2 }')
    need_packages nftables tcpdump
    # Only the database member: no ovs-vtapd, no Open vSwitch switch here.
    install_ovs_vtap --no-start ovs-vtap
    systemctl disable ovs-vtapd 2>/dev/null || true
    start_member "$n" "$address"
    nft list table ip nlb >/dev/null 2>&1 \
        || "$src/utilities/lab/provision-nlb.sh" --interface="$iface" \
               "$address" collector=172.16.0.200
}

# The collector: ovs-vtap-receiver's systemd unit, and tcpdump.
provision_collector() {
    need_packages tcpdump
    install_ovs_vtap ovs-vtap-receiver
    cat > /etc/default/ovs-vtap-receiver-demo <<CONF
# Written by vagrant/provision.sh: the demo's collector.
OVS_VTAP_RECEIVER_OPTS="--listen=0.0.0.0:4789 --print --pcapng=demo.pcapng"
CONF
    systemctl restart ovs-vtap-receiver@demo
}

set_hostname "$OVS_VTAP_HOSTNAME"
case $1 in
    hypervisor) provision_hypervisor "$2" "$3" ;;
    nlb) provision_nlb "$2" "$3" ;;
    collector) provision_collector "$2" ;;
    *) die "usage: provision.sh hypervisor|nlb N ADDRESS | collector ADDRESS" ;;
esac

#!/bin/sh
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
# provision-nlb.sh: makes the current network namespace (a lab's NLB
# namespace, or a whole machine such as the Vagrant demo's nlb guest) a
# network load balancer as a cloud's NLB with a UDP 4789 listener is:
# VXLAN to ADDRESS is forwarded (DNAT) to one of the BACKEND addresses,
# chosen by a hash of the outer addresses and ports, with the outer source
# address kept.  Conntrack keeps a flow on the backend of its first
# packet; the forward chain counts each backend's packets (its comment is
# the backend's NAME).  The lab (utilities/ovs-vtap-lab.sh) and the
# Vagrant demo (vagrant/provision.sh) both run it.

set -e

usage() {
    cat <<USAGE
usage: ${0##*/} [--interface=IFACE] ADDRESS NAME=BACKEND...
Make this namespace an NLB for VXLAN (UDP 4789) to ADDRESS, forwarded to
the BACKEND addresses (each counted under NAME) in table "ip nlb".
  --interface=IFACE  also turn off ICMP redirects on IFACE (default eth0)
USAGE
}

iface=eth0
case $1 in
    --interface=*) iface=${1#--interface=}; shift ;;
    -h|--help) usage; exit 0 ;;
esac
if test $# -lt 2; then
    usage >&2
    exit 1
fi
address=$1
shift
command -v nft >/dev/null 2>&1 || {
    echo "${0##*/}: nft (Debian's nftables) is not installed" >&2
    exit 1
}

map=
counters=
i=0
for backend in "$@"; do
    name=${backend%%=*}
    backend_address=${backend#*=}
    if test "$name" = "$backend" || test -z "$backend_address"; then
        echo "${0##*/}: \"$backend\": expected NAME=ADDRESS" >&2
        exit 1
    fi
    map="$map${map:+, }$i : $backend_address"
    counters="$counters
        ip daddr $backend_address udp dport 4789 counter comment \"$name\""
    i=$((i + 1))
done

sysctl -q -w net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
    "net.ipv4.conf.$iface.send_redirects=0"
nft -f - <<NFT
table ip nlb {
    chain prerouting {
        type nat hook prerouting priority dstnat; policy accept;
        ip daddr $address udp dport 4789 counter \
            dnat to jhash ip saddr . udp sport . ip daddr . udp dport \
                mod $i map { $map }
    }
    chain forward {
        type filter hook forward priority filter; policy accept;$counters
    }
}
NFT

#!/usr/bin/env python3
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
"""garp.py: announce a device's IPv4 addresses with gratuitous ARP.

Usage: garp.py DEVICE [NETNS...]

Sends, for each IPv4 address of DEVICE, one broadcast ARP request whose
sender and target are that address and the device's MAC, as a hypervisor
does for a VM after migrating it: the switches on the way learn where the
MAC address is now, and neighbors refresh their ARP caches.  With NETNS
names, does so for the DEVICE of each of those network namespaces
(/run/netns/NETNS, as "ip netns" makes them) in turn, in one process.
Needs root.
"""

import socket
import struct
import subprocess
import sys

from netns import in_each_netns

ETH_P_ARP = 0x0806
ARP_REQUEST = 1
BROADCAST = b"\xff" * 6


def device_ipv4_addresses(device):
    """The device's IPv4 addresses, from "ip -4 -o addr show DEVICE"."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show", "dev", device],
                         check=True, capture_output=True, text=True).stdout
    return [line.split()[3].split("/")[0] for line in out.splitlines()]


def gratuitous_arp(mac, address):
    """The Ethernet frame of a gratuitous ARP request for 'address'."""
    ip = socket.inet_aton(address)
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, ARP_REQUEST,
                      mac, ip, b"\x00" * 6, ip)
    return BROADCAST + mac + struct.pack("!H", ETH_P_ARP) + arp


def announce(device):
    """Sends the gratuitous ARPs of 'device'."""
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
        sock.bind((device, 0))
        # The device's MAC, from the socket: /sys is the namespace's that
        # mounted it, not necessarily the one that the process is in.
        mac = sock.getsockname()[4]
        for address in device_ipv4_addresses(device):
            sock.send(gratuitous_arp(mac, address))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: garp.py DEVICE [NETNS...]")
    device = sys.argv[1]
    try:
        in_each_netns(sys.argv[2:], lambda: announce(device))
    except (OSError, subprocess.CalledProcessError) as error:
        sys.exit("garp.py: %s: %s" % (device, error))


if __name__ == "__main__":
    main()

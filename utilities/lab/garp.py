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

Usage: garp.py DEVICE

Sends, for each IPv4 address of DEVICE, one broadcast ARP request whose
sender and target are that address and the device's MAC, as a hypervisor
does for a VM after migrating it: the switches on the way learn where the
MAC address is now, and neighbors refresh their ARP caches.  Needs
CAP_NET_RAW (root) in the device's network namespace.
"""

import socket
import struct
import subprocess
import sys

ETH_P_ARP = 0x0806
ARP_REQUEST = 1
BROADCAST = b"\xff" * 6


def device_mac(device):
    """The device's MAC address, as 6 bytes."""
    with open("/sys/class/net/%s/address" % device) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


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


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: garp.py DEVICE")
    device = sys.argv[1]
    try:
        mac = device_mac(device)
        with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as sock:
            sock.bind((device, 0))
            for address in device_ipv4_addresses(device):
                sock.send(gratuitous_arp(mac, address))
    except (OSError, subprocess.CalledProcessError) as error:
        sys.exit("garp.py: %s: %s" % (device, error))


if __name__ == "__main__":
    main()

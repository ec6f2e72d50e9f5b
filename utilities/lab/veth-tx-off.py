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
"""veth-tx-off.py: turn off transmit checksum offload on a network device.

Usage: veth-tx-off.py DEVICE [NETNS...]

What "ethtool -K DEVICE tx off" does, without needing ethtool: the
user-space datapath of Open vSwitch 3.1 reads frames from veth ports through
AF_PACKET and does not complete checksums that the sending stack left to the
device, so every lab host sends with checksums already filled in (segmentation
offload depends on checksum offload and goes off with it).  With NETNS
names, does it for the DEVICE of each of those network namespaces in turn,
in one process.
"""

import ctypes
import fcntl
import socket
import struct
import sys

from netns import in_each_netns

SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x17
IFNAMSIZ = 16
IFREQ_SIZE = 40


def tx_checksum_off(device):
    """Sets the device's transmit checksum offload off."""
    value = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0))
    ifreq = struct.pack("%dsP" % IFNAMSIZ, device.encode(),
                        ctypes.addressof(value))
    ifreq += bytes(IFREQ_SIZE - len(ifreq))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        fcntl.ioctl(sock, SIOCETHTOOL, ifreq)


def main():
    if len(sys.argv) < 2 or len(sys.argv[1]) >= IFNAMSIZ:
        sys.exit("usage: veth-tx-off.py DEVICE [NETNS...]")
    device = sys.argv[1]
    try:
        in_each_netns(sys.argv[2:], lambda: tx_checksum_off(device))
    except OSError as error:
        sys.exit("veth-tx-off.py: %s: %s" % (device, error.strerror))


if __name__ == "__main__":
    main()

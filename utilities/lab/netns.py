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
"""netns.py: run a function in each of several network namespaces.

A helper module of the lab's Python scripts (garp.py, veth-tx-off.py),
which set up the hosts of a lab in one process rather than one per host:
starting Python is what takes the time.
"""

import ctypes
import os

CLONE_NEWNET = 0x40000000


def enter_netns(name):
    """Makes the process's network namespace the one named 'name', as
    "ip netns" makes them (/run/netns/NAME)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/%s" % name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno))
    finally:
        os.close(fd)


def in_each_netns(names, function):
    """Calls 'function' in the current network namespace if 'names' is
    empty, else in each namespace of 'names' in turn.  An OSError names
    the namespace in which it happened."""
    if not names:
        function()
    for name in names:
        try:
            enter_netns(name)
            function()
        except OSError as error:
            raise OSError(error.errno, "%s: %s" % (name, error.strerror))

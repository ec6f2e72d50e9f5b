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
# min-flows.awk: the fewest flows that a capture filter's rules can
# compile to, from the lines "DIRECTION ACTION MATCH..." of
# "ovs-vtapctl add-rule": one per rule and address family (a TCP or UDP
# rule without a CIDR matches IPv4 and IPv6), times the value/mask prefixes
# that cover each port range.  The scale benchmarks compare the flows that
# ovs-vtapd installs with it.

function prefixes(range,   r, lo, hi, n, size) {
    if (range == "") return 1
    split(range, r, "-"); lo = r[1]; hi = (2 in r) ? r[2] : r[1]
    for (n = 0; lo <= hi; n++) {
        for (size = 1; lo % (size * 2) == 0 && lo + size * 2 - 1 <= hi; )
            size *= 2
        lo += size
    }
    return n
}
{
    sport = dport = ""; cidr = 0; proto = ""
    for (i = 3; i <= NF; i++) {
        split($i, kv, "=")
        if (kv[1] == "sport") sport = kv[2]
        if (kv[1] == "dport") dport = kv[2]
        if (kv[1] == "src" || kv[1] == "dst") cidr = 1
        if (kv[1] == "proto") proto = kv[2]
    }
    families = (!cidr && (proto == "tcp" || proto == "udp")) ? 2 : 1
    total += families * prefixes(sport) * prefixes(dport)
}
END { print total }

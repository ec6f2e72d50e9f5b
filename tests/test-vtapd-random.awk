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
# tests/test-vtapd-random.awk: writes the random steps of the property
# test of ovs-vtapd's incremental processing (tests/ovs-vtapd.at), one
# shell command a line, from the seed 'seed' (awk -v seed=N -v steps=N).
#
# The steps add, change and delete VTAPs, capture rules, filters and
# targets in the VTAP database, and make the ports q1..q4 (sources by name
# and by iface-id) appear on br0 or br1, move, vanish and be renumbered,
# and ports z1..z4, which no VTAP uses, come and go.  Some steps are
# refused (a target in use, a source that is not there): they change
# nothing.  Two lines are not commands: "CHECK", where the test compares
# the flows with those of a full recompute, and "RESTART", where it
# restarts ovs-vtapd.

function pick(n) {
    return 1 + int(rand() * n)
}

function vtapctl(cmd) {
    print "ovs-vtapctl --timeout=30 " cmd
}

function vsctl(cmd) {
    print "ovs-vsctl --timeout=30 " cmd
}

# Returns a random source of a VTAP.
function source() {
    r = pick(10)
    if (r <= 2) {
        return "p" pick(2)
    } else if (r <= 5) {
        return "q" pick(4)
    } else if (r <= 7) {
        return "iface-id=vm" pick(3)
    } else if (r == 8) {
        return "bridge=br1"
    } else {
        return "vlan=br0:" (10 * pick(2))
    }
}

# Returns a random match of a capture rule.
function rule_match() {
    r = pick(8)
    if (r == 1) {
        return "proto=icmp"
    } else if (r == 2) {
        return "proto=tcp dport=80"
    } else if (r == 3) {
        return "proto=udp sport=1000-1999"
    } else if (r == 4) {
        return "src=172.16.0.0/24"
    } else if (r == 5) {
        return "proto=icmpv6 icmp-type=128"
    } else if (r == 6) {
        return "proto=tcp dst=fd00::/64"
    } else if (r == 7) {
        return "dst=172.16.0.134"
    }
    return "proto=all"
}

# Makes sure that target 'name' and filter 'filter' exist, in the same
# transaction as what follows.
function ensure(target, filter) {
    return "--may-exist add-target " target " " addr[target] \
        " port=" port[target] " -- --may-exist add-filter " filter " -- "
}

BEGIN {
    srand(seed)
    addr["t1"] = "172.16.0.222"; port["t1"] = 4789
    addr["t2"] = "172.16.0.223"; port["t2"] = 4789
    addr["t3"] = "172.16.0.224"; port["t3"] = 4790
    for (i = 1; i <= steps; i++) {
        if (i == int(steps / 2)) {
            print "RESTART"
        } else if (i % 100 == 0) {
            print "CHECK"
            continue
        }
        r = pick(100)
        v = "v" pick(8)
        t = "t" pick(3)
        f = "f" pick(3)
        if (r <= 14) {
            vtapctl(ensure(t, f) "--may-exist add-vtap " v " " source() \
                    " " t " " f " vni=" pick(5))
        } else if (r <= 20) {
            vtapctl((pick(2) == 1 ? "start " : "stop ") v)
        } else if (r <= 26) {
            s = pick(5)
            setting = (s == 1 ? "vni=" pick(5) \
                       : s == 2 ? "target=" t \
                       : s == 3 ? "filter=" f \
                       : s == 4 ? "source=" source() \
                       : "max-packet-size=" (pick(2) == 1 ? 200 : "none"))
            vtapctl(ensure(t, f) "set-vtap " v " " setting)
        } else if (r <= 29) {
            vtapctl("--if-exists del-vtap " v)
        } else if (r <= 42) {
            vtapctl("--may-exist add-filter " f " -- add-rule " f " " \
                    (pick(2) == 1 ? "ingress " : "egress ") \
                    (pick(3) == 1 ? "exclude " : "include ") \
                    "order=" pick(6) " " rule_match())
        } else if (r <= 48) {
            vtapctl("--if-exists del-rule " f " " \
                    (pick(2) == 1 ? "ingress " : "egress ") pick(6))
        } else if (r <= 50) {
            vtapctl("--if-exists --force del-filter " f)
        } else if (r <= 52) {
            vtapctl("--if-exists del-target " t)
        } else if (r <= 54) {
            a = "172.16.0." (221 + pick(4))
            vtapctl("--may-exist add-target " t " " addr[t] " port=" \
                    port[t] " -- set Target " t " address=" a)
        } else if (r <= 62) {
            q = pick(4)
            vsctl("--may-exist add-port br" (pick(2) - 1) " q" q \
                  " -- set interface q" q " type=dummy" \
                  " ofport_request=" (10 * q + pick(5)) \
                  " external_ids:iface-id=vm" pick(3))
        } else if (r <= 67) {
            q = pick(4)
            vsctl("--if-exists del-port q" q " -- add-port br" \
                  (pick(2) - 1) " q" q " -- set interface q" q \
                  " type=dummy ofport_request=" (10 * q + pick(5)))
        } else if (r <= 71) {
            vsctl("--if-exists del-port q" pick(4))
        } else if (r <= 76) {
            q = pick(4)
            vsctl("--if-exists set interface q" q " ofport_request=" \
                  (10 * q + pick(5)) \
                  (pick(2) == 1 ? " external_ids:iface-id=vm" pick(3) : ""))
        } else if (r <= 88) {
            z = pick(4)
            if (pick(2) == 1) {
                vsctl("--may-exist add-port br0 z" z " -- set interface z" z \
                      " type=dummy ofport_request=" (60 + z))
            } else {
                vsctl("--if-exists del-port z" z)
            }
        } else {
            vtapctl(ensure(t, f) "--may-exist add-vtap " v " " source() \
                    " " t " " f " -- start " v)
        }
    }
    print "CHECK"
}

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
"""foreign-ovsdb-client: another client of the Open_vSwitch database.

Usage: foreign-ovsdb-client.py REMOTE SCHEMA BRIDGE PREFIX SELECT STOPFILE
                               RESULTFILE

Plays a client such as ovn-controller or os-vif through the Python IDL,
until the file STOPFILE exists: in its own transactions it adds to BRIDGE
ports PREFIX-pN (each with its Interface, type dummy), some with a Mirror
row PREFIX-mN that selects the packets to port SELECT and outputs to the
new port, and once it holds enough, removes one of its ports (with its
Mirror) for each new one; now and then it also adds a bridge of its own
and removes an older one.  It changes BRIDGE and the Open_vSwitch row
only by partial updates (mutations) and never bumps Open_vSwitch.next_cfg,
as such clients do.  A row that it is about to remove but that is gone was
lost: it says so on stderr.  At the end it writes to RESULTFILE the rows
that must exist, one a line ("bridge NAME", "port NAME", "interface NAME",
"mirror NAME"), and prints the number of its transactions and of the rows
lost.
"""

import os
import sys

import ovs.db.idl
import ovs.poller
import ovs.timeval

# Most ports that the client keeps at once (one in MIRROR_EVERY with a
# Mirror, so that Mirror rows stay well within a bridge's limit of 32), and
# the pause after each port, in milliseconds.
MAX_LIVE = 60
MIRROR_EVERY = 16
PACE_MS = 25

# One port in BRIDGE_EVERY comes with a bridge of the client's own, in
# Open_vSwitch.bridges, of which it keeps MAX_BRIDGES.
BRIDGE_EVERY = 20
MAX_BRIDGES = 2


def wait_for(idl, condition):
    """Runs 'idl' until 'condition()' holds."""
    idl.run()
    while not condition():
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.block()
        idl.run()


def wait_for_time(idl, msec):
    """Runs 'idl' for 'msec' milliseconds."""
    deadline = ovs.timeval.msec() + msec
    while ovs.timeval.msec() < deadline:
        idl.run()
        poller = ovs.poller.Poller()
        idl.wait(poller)
        poller.timer_wait_until(deadline)
        poller.block()


def find_by_name(idl, table, name):
    """Returns the row of 'table' called 'name', or None."""
    for row in idl.tables[table].rows.values():
        if row.name == name:
            return row
    return None


def add_bridge(idl, txn, prefix, n):
    """Adds to 'txn' a bridge PREFIX-brN, without ports."""
    cfg = next(iter(idl.tables["Open_vSwitch"].rows.values()))
    br = txn.insert(idl.tables["Bridge"])
    br.name = "%s-br%d" % (prefix, n)
    br.datapath_type = "dummy"
    br.external_ids = {"owner": prefix}
    cfg.addvalue("bridges", br)


def remove_bridge(idl, name, lost):
    """Removes bridge 'name', or puts its name in 'lost' if it is gone."""
    cfg = next(iter(idl.tables["Open_vSwitch"].rows.values()))
    br = find_by_name(idl, "Bridge", name)
    lost.clear()
    if br:
        cfg.delvalue("bridges", br)
    else:
        lost.append(name)


def commit(idl, build):
    """Runs 'build(txn)' in a transaction until it commits; returns False
    if it cannot."""
    for _ in range(100):
        idl.run()
        txn = ovs.db.idl.Transaction(idl)
        build(txn)
        status = txn.commit_block()
        if status in (ovs.db.idl.Transaction.SUCCESS,
                      ovs.db.idl.Transaction.UNCHANGED):
            return True
        if status != ovs.db.idl.Transaction.TRY_AGAIN:
            sys.stderr.write("transaction failed: %s (%s)\n"
                             % (status, txn.get_error()))
            return False
        # Another client changed what the transaction verified: try again
        # once the IDL has the change.
        seqno = idl.change_seqno
        wait_for(idl, lambda: idl.change_seqno != seqno)
    return False


def main():
    if len(sys.argv) != 8:
        sys.stderr.write(__doc__)
        sys.exit(1)
    remote, schema, bridge, prefix, select, stopfile, resultfile = \
        sys.argv[1:]

    helper = ovs.db.idl.SchemaHelper(location=schema)
    helper.register_all()
    idl = ovs.db.idl.Idl(remote, helper)
    wait_for(idl, idl.has_ever_connected)

    live = []               # (port name, mirror name or None).
    bridges = []            # Bridge names, oldest first.
    n = 0
    n_txns = 0
    n_lost = 0
    while not os.path.exists(stopfile):
        n += 1
        port_name = "%s-p%d" % (prefix, n)
        mirror_name = ("%s-m%d" % (prefix, n)
                       if n % MIRROR_EVERY == 0 else None)

        def add(txn):
            br = find_by_name(idl, "Bridge", bridge)
            iface = txn.insert(idl.tables["Interface"])
            iface.name = port_name
            iface.type = "dummy"
            iface.external_ids = {"owner": prefix}
            port = txn.insert(idl.tables["Port"])
            port.name = port_name
            port.interfaces = [iface]
            port.external_ids = {"owner": prefix}
            br.addvalue("ports", port)
            if mirror_name:
                mirror = txn.insert(idl.tables["Mirror"])
                mirror.name = mirror_name
                mirror.select_dst_port = [find_by_name(idl, "Port", select)]
                mirror.output_port = [port]
                mirror.external_ids = {"owner": prefix}
                br.addvalue("mirrors", mirror)

        if not commit(idl, add):
            sys.exit(1)
        live.append((port_name, mirror_name))
        n_txns += 1

        if len(live) > MAX_LIVE:
            old_port, old_mirror = live.pop(n * 7 % len(live))
            lost = []

            def remove(txn):
                lost.clear()
                br = find_by_name(idl, "Bridge", bridge)
                port = find_by_name(idl, "Port", old_port)
                if port:
                    br.delvalue("ports", port)
                else:
                    lost.append(old_port)
                if old_mirror:
                    mirror = find_by_name(idl, "Mirror", old_mirror)
                    if mirror:
                        br.delvalue("mirrors", mirror)
                    else:
                        lost.append(old_mirror)

            if not commit(idl, remove):
                sys.exit(1)
            n_txns += 1
            for name in lost:
                sys.stderr.write("%s was lost\n" % name)
            n_lost += len(lost)

        if n % BRIDGE_EVERY == 0:
            n_txns += 1
            if not commit(idl, lambda txn: add_bridge(idl, txn, prefix, n)):
                sys.exit(1)
            bridges.append("%s-br%d" % (prefix, n))
            if len(bridges) > MAX_BRIDGES:
                old_bridge = bridges.pop(0)
                lost = []
                n_txns += 1
                if not commit(idl, lambda txn: remove_bridge(idl, old_bridge,
                                                             lost)):
                    sys.exit(1)
                for name in lost:
                    sys.stderr.write("%s was lost\n" % name)
                n_lost += len(lost)

        # Paces the client (it keeps reading updates meanwhile), so that
        # its rows live for seconds, across many of ovs-vtapd's commits.
        wait_for_time(idl, PACE_MS)

    with open(resultfile, "w") as f:
        for bridge_name in bridges:
            f.write("bridge %s\n" % bridge_name)
        for port_name, mirror_name in live:
            f.write("port %s\ninterface %s\n" % (port_name, port_name))
            if mirror_name:
                f.write("mirror %s\n" % mirror_name)
    print("%d %d" % (n_txns, n_lost))


if __name__ == "__main__":
    main()

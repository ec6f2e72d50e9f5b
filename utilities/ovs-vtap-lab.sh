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
# ovs-vtap-lab.sh: the ovs-vtap lab, a whole Open vSwitch set-up in network
# namespaces: a switch namespace running ovsdb-server (Open_vSwitch and VTAP
# databases), ovs-vswitchd (user-space datapath) and ovs-vtapd, and one
# namespace per host on a veth port of the switch's bridge.  Every address,
# route and process of a lab lives in namespaces that the lab made; "down"
# removes exactly those, by the names and pids that "up" recorded.
#
# Run "ovs-vtap-lab.sh --help" for the commands, or see ovs-vtap-lab(8).

set -eu -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
labdir_base=${OVS_VTAP_LAB_DIR:-/run/ovs-vtap-lab}
lab=${OVS_VTAP_LAB_NAME:-vtl}
default_topology=$top/utilities/lab/seed.topo
# Cookie of the lab's own flows (the security list) on the bridge.
lab_cookie=0x1ab
timeout=${OVS_CTL_TIMEOUT:-30}

usage() {
    cat <<EOF
$0: the ovs-vtap lab in network namespaces
usage: $0 [OPTIONS] COMMAND [ARG...]

Commands:
  up [TOPOLOGY]       bring up a lab (default topology: utilities/lab/seed.topo);
                      the leftovers of an earlier lab of the same name go first
  down                tear down the lab: its daemons, then its namespaces
  status              the lab's namespaces, daemons, bridge and VTAPs
  env                 print shell exports that point OVS and ovs-vtap tools
                      at the lab: eval "\$($0 env)"
  restart DAEMON      stop (if it runs) and start again one of the lab's
                      daemons: ovsdb-server, ovs-vswitchd, ovs-vtapd or
                      receiver-HOST; with hypervisors, DAEMON@HV is one of
                      HV's and ovsdb-server alone the VTAP database's, or
                      db@N its cluster member N
  exec HOST CMD...    run CMD in HOST's namespace ("ovs" is the switch's,
                      with OVS_RUNDIR set)
  security-list closed|fixed|open
                      the seed's security list as flows on the bridge:
                      closed drops ICMP toward the subnet (SSH and UDP 4789
                      pass), fixed also allows ICMP from the subnet, open
                      removes the lab's flows
  demo [--keep] [--no-build] [--multi]
                      install and build everything (as root on Debian 12;
                      one line per phase, the output in _build/setup.log),
                      then play the seed scenario (docs/scenario.md) in a
                      lab and check every step; exits 0 only if all held;
                      --keep leaves the lab up, --no-build skips the set-up,
                      --multi plays it across two hypervisors
                      (utilities/lab/seed-multi.topo)
  move HOST HV        move a host's port (same MAC, addresses, iface-id)
                      to hypervisor HV, then announce it (gratuitous ARP)

Options:
  -n, --name NAME     lab name and namespace prefix, up to 20 lower-case
                      letters and digits (default: vtl;
                      env OVS_VTAP_LAB_NAME); labs of different names
                      never collide
  --no-vtapd          (up) do not start ovs-vtapd
  --no-tls            (up) with a database cluster, keep the whole VTAP
                      database on unix sockets, without TLS, certificates
                      or the hosts' role (for debugging); by default the
                      members' RAFT and the hypervisors' ovs-vtapd are on
                      TLS, the hosts on a remote with the role
                      ovs-vtap-host
  --keep-logs         (down) keep the lab directory's logs
  -h, --help          this help

Environment:
  OVS_VTAP_LAB_DIR    where labs keep their state (default /run/ovs-vtap-lab);
                      a lab's files are in \$OVS_VTAP_LAB_DIR/NAME
  OVS_VTAP_BUILDDIR   the ovs-vtap build tree whose programs the lab runs
                      (default: _build in the source tree, then PATH)

Namespaces: NAME-ovs (the switch), NAME-HOST for each host and NLB; with
hypervisors, NAME-HV for each, NAME-db (the VTAP database) and NAME-fabric
(the underlay) instead of NAME-ovs.
EOF
}

die() {
    echo "ovs-vtap-lab: $*" >&2
    exit 1
}

say() {
    echo "ovs-vtap-lab: $*"
}

# Finds an ovs-vtap program: in the build tree first, then on PATH.
find_program() {
    local name=$1 subdir=$2 builddir=${OVS_VTAP_BUILDDIR:-$top/_build}
    if test -x "$builddir/$subdir/$name"; then
        echo "$builddir/$subdir/$name"
    elif command -v "$name" >/dev/null 2>&1; then
        command -v "$name"
    fi
}

lab_paths() {
    case $lab in
    *[!a-z0-9]* | "") die "lab name \"$lab\" must be lower-case letters and digits" ;;
    esac
    test ${#lab} -le 20 || die "lab name \"$lab\" is longer than 20 characters"
    dir=$labdir_base/$lab
    rundir=$dir/run
    logdir=$dir/log
    use_switch ovs
}

# Makes SWITCH the one that the functions below work on: "ovs", the switch
# of a lab without hypervisors (its files in the lab's directories), or a
# hypervisor (its files in subdirectories of the same name).  Sets
# switch_ns and the switch's sw_rundir, sw_logdir and sw_dbdir.
use_switch() {
    switch=$1
    switch_ns=$lab-$1
    if test "$1" = ovs; then
        sw_rundir=$rundir sw_logdir=$logdir sw_dbdir=$dir
    else
        sw_rundir=$rundir/$1 sw_logdir=$logdir/$1 sw_dbdir=$dir/$1
    fi
}

# Runs a command in the switch's namespace with its OVS directories.
in_switch() {
    ip netns exec "$switch_ns" env OVS_RUNDIR="$sw_rundir" \
        OVS_DBDIR="$sw_dbdir" OVS_LOGDIR="$sw_logdir" "$@"
}

vsctl() {
    ovs-vsctl --db="unix:$sw_rundir/db.sock" --timeout="$timeout" "$@"
}

ofctl() {
    OVS_RUNDIR=$sw_rundir ovs-ofctl "$@"
}

# The hypervisors of the topology, in order (none: a one-switch lab).
hypervisors() {
    topology_items | awk '$1 == "hypervisor" { print $2 }'
}

# The number of members of the VTAP database's RAFT cluster ("database
# cluster N"), or nothing for one standalone server.
db_members() {
    topology_items | awk '$1 == "database" && $2 == "cluster" { print $3 }'
}

# The management network of a lab with a database cluster on TLS: a Linux
# bridge "mgmt" in namespace NAME-db, with the members' address, and a
# veth "mgmt" in each hypervisor's namespace, apart from the underlay and
# from OVS (the hypervisors' own addresses on the underlay are br-int's,
# whose traffic the lab's ovs-vswitchd and ovs-vtapd handle).  198.18.0.0/15
# is for benchmark networks (RFC 2544), and lives in lab namespaces only.
mgmt_db_address=198.18.0.1
mgmt_prefix=198.18.0
# TCP ports on the members' address: member N's RAFT on raft_port_base+N,
# its operator's TLS remote (no role) on client_port_base+N, and the hosts'
# remote (role ovs-vtap-host) on host_port.
raft_port_base=6640
client_port_base=6650
host_port=6660

# Whether the lab's VTAP database cluster is on TLS (as "up" made it).
lab_tls() {
    test -d "$dir/tls"
}

# The TLS options of a lab's certificate NAME (db1, hv1, op...).
tls_options() {
    echo "--private-key=$dir/tls/$1-privkey.pem" \
         "--certificate=$dir/tls/$1-cert.pem" \
         "--ca-cert=$dir/tls/pki/switchca/cacert.pem"
}

# Makes the lab's PKI with ovs-pki, in directory tls of the lab's
# directory: a certificate for each member dbI, for each hypervisor (whose
# common name is exactly its name, its system-id, as the role
# ovs-vtap-host needs: hence -u) and for an operator "op".
make_lab_pki() {
    local n=$1 i hv
    mkdir -p "$dir/tls"
    (
        cd "$dir/tls"
        test -d pki || ovs-pki --dir=pki init >/dev/null 2>&1 \
            || die "ovs-pki init failed (or use --no-tls)"
        for i in $(seq 1 "$n") op; do
            test "$i" = op || i=db$i
            test -f "$i-cert.pem" \
                || ovs-pki --dir=pki req+sign "$i" switch >/dev/null 2>&1 \
                || die "ovs-pki req+sign $i failed"
        done
        for hv in $(hypervisors); do
            test -f "$hv-cert.pem" \
                || ovs-pki --dir=pki -u req+sign "$hv" switch >/dev/null 2>&1 \
                || die "ovs-pki -u req+sign $hv failed"
        done
    )
}

# The remote of the hosts' ovs-vtapd: the cluster's remote with the role
# ovs-vtap-host on TLS, or as the operator's.
host_db_remote() {
    if lab_tls; then
        echo "ssl:$mgmt_db_address:$host_port"
    else
        vtap_db_remote
    fi
}

# The management address of the hypervisor of index INDEX (from 1).
mgmt_hv_address() {
    echo "$mgmt_prefix.$((10 + $1))"
}

# Links the current switch (a hypervisor of index INDEX) to the
# management network.
add_mgmt_link() {
    ip -n "$switch_ns" link add mgmt type veth peer name "m-$switch" \
        netns "$lab-db"
    ip -n "$lab-db" link set "m-$switch" master mgmt up
    ip -n "$switch_ns" addr add "$(mgmt_hv_address "$1")/24" dev mgmt
    ip -n "$switch_ns" link set mgmt up
}

# Whether something listens on TCP port PORT in the db namespace.
db_listens() {
    ip netns exec "$lab-db" ss -Htln "sport = :$1" | grep -q .
}

# The VTAP database's remote for ovs-vtapd and ovs-vtapctl: the server's
# socket, or the list of the cluster members' sockets.
vtap_db_remote() {
    local n i remote=
    n=$(db_members)
    if test -z "$n"; then
        echo "unix:$rundir/db.sock"
        return
    fi
    for i in $(seq 1 "$n"); do
        remote="$remote${remote:+,}unix:$rundir/db$i/ovs-vtap-db.sock"
    done
    echo "$remote"
}

# ovs-vtap-db.sh for cluster member N (its file, run directory and log).
# On TLS, with its certificate, and for "start" its operator's TLS remote
# too (its unix: socket in the run directory stays).
member_db_sh() {
    local n=$1 tls=
    shift
    if lab_tls; then
        tls=$(tls_options "db$n")
        test "$1" != start \
            || tls="$tls --remote=pssl:$((client_port_base + n)):$mgmt_db_address"
    fi
    # shellcheck disable=SC2086
    ip netns exec "$lab-db" "$top/utilities/ovs-vtap-db.sh" \
        --schema="$top/lib/vtap.ovsschema" --db-file="$dir/vtap$n.db" \
        --run-dir="$rundir/db$n" --log-file="$logdir/vtap-db$n.log" \
        $tls "$@"
}

# Member N's RAFT address: on TLS on the management network, or a unix
# socket in the run directory.
member_raft_address() {
    if lab_tls; then
        echo "ssl:$mgmt_db_address:$((raft_port_base + $1))"
    else
        echo "unix:$rundir/db$1.raft"
    fi
}

# Whether cluster member N is in the cluster and knows its leader.
member_joined() {
    ovs-appctl -t "$rundir/db$1/ovs-vtap-db.ctl" cluster/status VTAP \
        2>/dev/null | grep -q '^Leader: [0-9a-f]\|^Leader: self'
}

# Makes the VTAP database's RAFT cluster of N members, on TLS on the
# management network (or, --no-tls, on unix sockets in the run
# directory), and starts them in namespace NAME-db.
start_vtap_cluster() {
    local n=$1 i
    for i in $(seq 1 "$n"); do
        mkdir -p "$rundir/db$i"
        if test "$i" = 1; then
            member_db_sh 1 create-cluster "$(member_raft_address 1)" >/dev/null
        else
            member_db_sh "$i" join-cluster "$(member_raft_address "$i")" \
                "$(member_raft_address 1)" >/dev/null
        fi
    done
    for i in $(seq 1 "$n"); do
        member_db_sh "$i" start >/dev/null
    done
    for i in $(seq 1 "$n"); do
        wait_until member_joined "$i"
    done
}

# The lab's switches: its hypervisors, or "ovs".
switches() {
    local hvs
    hvs=$(hypervisors)
    echo "${hvs:-ovs}"
}

# The switch that a host's port is on now: its hypervisor (as "up" placed
# it or "move" moved it), "fabric" for a host off the hypervisors of a
# multi-hypervisor lab, or "ovs".
host_switch() {
    if test -f "$dir/placement"; then
        awk -v h="$1" '$1 == h { print $2 }' "$dir/placement"
    else
        echo ovs
    fi
}

# Whether a network namespace of that name exists.
namespace_exists() {
    # (Errors of namespaces that others delete meanwhile are not ours.)
    ip netns list 2>/dev/null | grep -q "^$1\( \|$\)"
}

# Records a namespace in the lab's state before it is made, so that "down"
# removes it even if "up" dies half-way.  A namespace of that name that the
# lab did not make is never touched: "up" stops.
add_namespace() {
    if namespace_exists "$1"; then
        die "namespace $1 exists and is not this lab's: choose another name"
    fi
    echo "$1" >>"$dir/namespaces"
    ip netns add "$1"
    ip -n "$1" link set lo up
}

# Waits, a bounded number of times, until the command succeeds.
wait_until() {
    local i
    for i in $(seq 1 $((timeout * 10))); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    die "timed out waiting for: $*"
}

# The topology (the lab's copy, or $topology_file while "up" checks it),
# one item per line with comments and blank lines removed.
topology_items() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "${topology_file:-$dir/topology}"
}

bridge_name() {
    if test -n "$(hypervisors)"; then
        echo br-int
    else
        topology_items | awk '$1 == "bridge" { print $2; exit }'
    fi
}

check_topology() {
    local kind name rest item bridges=0 hvs
    hvs=" $(hypervisors | tr '\n' ' ')"
    while read -r kind name rest; do
        case $kind in
        bridge) bridges=$((bridges + 1)) ;;
        vtapd) ;;
        hypervisor)
            case $name in
            ovs | db | fabric | *[!a-z0-9]* | "" | [0-9]*)
                die "topology: bad hypervisor name \"$name\"" ;;
            esac
            test ${#name} -le 12 \
                || die "topology: hypervisor name \"$name\" is too long"
            case " $rest " in
            *" "[0-9]*.*/*" "*) ;;
            *) die "topology: hypervisor $name: an IPv4 address is needed" ;;
            esac ;;
        database)
            case "$name $rest" in
            "standalone " | "cluster 3" | "cluster 5") ;;
            *) die "topology: database: \"database standalone\"," \
                   "\"database cluster 3\" or \"database cluster 5\"" ;;
            esac ;;
        host | nlb)
            case $name in
            ovs | db | fabric | *[!a-z0-9]* | "" | [0-9]*)
                die "topology: bad $kind name \"$name\"" ;;
            esac
            case $hvs in
            *" $name "*) die "topology: $kind $name: a hypervisor's name" ;;
            esac
            test ${#name} -le 12 \
                || die "topology: $kind name \"$name\" is too long"
            for item in $rest; do
                case $kind:$item in
                *:*/* | host:receiver | host:health | nlb:backends=?*) ;;
                host:hv=*)
                    case $hvs in
                    *" ${item#hv=} "*) ;;
                    *) die "topology: host $name:" \
                           "no hypervisor \"${item#hv=}\"" ;;
                    esac ;;
                *:mtu=*[!0-9]* | *:mtu=)
                    die "topology: $kind $name: bad \"$item\"" ;;
                *:mtu=*) ;;
                *) die "topology: $kind $name: unknown flag \"$item\"" ;;
                esac
            done
            # shellcheck disable=SC2086
            test "$kind" = host || check_nlb "$name" $rest ;;
        *) die "topology: unknown item \"$kind\"" ;;
        esac
    done < <(topology_items)
    if test "$hvs" = " "; then
        test $bridges = 1 || die "topology: exactly one bridge is needed"
        test -z "$(db_members)" \
            || die "topology: a database cluster needs hypervisors"
    else
        test $bridges = 0 \
            || die "topology: hypervisors have their own bridges:" \
                   "no \"bridge\""
    fi
}

# The backends of an NLB: the host names of its "backends=" flag.
nlb_backends() {
    local item
    for item in "$@"; do
        case $item in
        backends=*) echo "${item#backends=}" | tr , ' ' ;;
        esac
    done
}

# The first IPv4 address (without its prefix length) of a host or NLB of
# the topology.
topology_ipv4() {
    topology_items | awk -v name="$1" '
        ($1 == "host" || $1 == "nlb") && $2 == name {
            for (i = 3; i <= NF; i++) {
                if ($i ~ /^[0-9.]+\/[0-9]+$/) {
                    sub(/\/.*/, "", $i)
                    print $i
                    exit
                }
            }
        }'
}

# Checks an NLB item: an IPv4 address to listen on, and backends that are
# hosts of the topology with IPv4 addresses.
check_nlb() {
    local name=$1 backend backends
    shift
    test -n "$(topology_ipv4 "$name")" \
        || die "topology: nlb $name: an IPv4 address is needed"
    backends=$(nlb_backends "$@")
    test -n "$backends" \
        || die "topology: nlb $name: no \"backends=HOST,...\""
    for backend in $backends; do
        topology_items | awk -v b="$backend" \
            '$1 == "host" && $2 == b { found = 1 } END { exit !found }' \
            || die "topology: nlb $name: backend \"$backend\" is not a host"
        test -n "$(topology_ipv4 "$backend")" \
            || die "topology: nlb $name:" \
                   "backend \"$backend\" has no IPv4 address"
    done
    command -v nft >/dev/null 2>&1 \
        || die "topology: nlb $name: nft (Debian's nftables) is not installed"
}

# Makes an NLB's namespace a network load balancer (see
# utilities/lab/provision-nlb.sh, which the Vagrant demo's nlb guest runs
# too): VXLAN to its address forwarded to its backends, each counted.
configure_nlb() {
    local name=$1 ns=$lab-$1 address backend backends=
    shift
    address=$(topology_ipv4 "$name")
    for backend in $(nlb_backends "$@"); do
        backends="$backends $backend=$(topology_ipv4 "$backend")"
    done
    # shellcheck disable=SC2086
    ip netns exec "$ns" "$top/utilities/lab/provision-nlb.sh" \
        --interface=eth0 "$address" $backends >/dev/null
}

# Starts the switch's ovsdb-server: the Open_vSwitch database, and in a
# lab without hypervisors the VTAP database too.
start_ovsdb_server() {
    local vtap_db=
    test "$switch" != ovs || vtap_db=$dir/vtap.db
    # shellcheck disable=SC2086
    in_switch ovsdb-server --detach --no-chdir --pidfile -vconsole:err \
        --log-file --remote="punix:$sw_rundir/db.sock" \
        "$sw_dbdir/conf.db" $vtap_db
}

# Starts the ovsdb-server of a multi-hypervisor lab's VTAP database, which
# the hypervisors share: in namespace NAME-db, on the socket db.sock of
# the lab's run directory.
start_vtap_db_server() {
    ip netns exec "$lab-db" ovsdb-server --detach --no-chdir \
        --pidfile="$rundir/ovsdb-server.pid" -vconsole:err \
        --log-file="$logdir/ovsdb-server.log" \
        --unixctl="$rundir/ovsdb-server.ctl" \
        --remote="punix:$rundir/db.sock" "$dir/vtap.db"
}

# Makes the VTAP database and its Global row, as "ovs-vtapctl init" does.
init_vtap_db() {
    local remote
    remote=$(vtap_db_remote)
    # A follower forwards the transaction to the leader.
    ovsdb-client transact "${remote%%,*}" \
        '["VTAP", {"op": "insert", "table": "Global", "row": {}}]' >/dev/null
}

start_ovs_vswitchd() {
    in_switch ovs-vswitchd --detach --no-chdir --pidfile -vconsole:err \
        --log-file
}

# Gives the bridge's internal port (a tap device that ovs-vswitchd makes,
# again after each restart) the topology's addresses.
configure_bridge_port() {
    local bridge kind name rest addr
    bridge=$(bridge_name)
    wait_until ip -n "$switch_ns" link show "$bridge"
    while read -r kind name rest; do
        test "$kind" = bridge || test "$kind:$name" = "hypervisor:$switch" \
            || continue
        for addr in $rest; do
            case $addr in
            *:*) ip -n "$switch_ns" addr replace "$addr" dev "$bridge" nodad ;;
            *) ip -n "$switch_ns" addr replace "$addr" dev "$bridge" ;;
            esac
        done
    done < <(topology_items)
    ip -n "$switch_ns" link set "$bridge" up
}

# Starts the current switch (number INDEX, from 1): its namespace,
# ovsdb-server, ovs-vswitchd and bridge.  A hypervisor's Open_vSwitch
# row has its name as external_ids:system-id, the host name under which
# its ovs-vtapd writes.
start_switch() {
    local index=$1 bridge
    bridge=$(bridge_name)
    add_namespace "$switch_ns"
    mkdir -p "$sw_rundir" "$sw_logdir" "$sw_dbdir"
    ovsdb-tool create "$sw_dbdir/conf.db" \
        /usr/share/openvswitch/vswitch.ovsschema
    if test "$switch" = ovs; then
        ovsdb-tool create "$dir/vtap.db" "$top/lib/vtap.ovsschema"
    fi
    start_ovsdb_server
    vsctl --no-wait init
    if test "$switch" = ovs; then
        init_vtap_db
    else
        vsctl --no-wait set open_vswitch . \
            external_ids:system-id="$switch"
    fi
    start_ovs_vswitchd
    vsctl add-br "$bridge" -- set bridge "$bridge" datapath_type=netdev \
        -- set bridge "$bridge" \
           other_config:hwaddr="$(printf '02:00:00:00:00:%02x' "$index")"
    configure_bridge_port
}

# The shared parts of a multi-hypervisor lab: the VTAP database in
# namespace NAME-db, and the underlay, a Linux bridge "fabric" in
# namespace NAME-fabric.  The underlay is one flat L2 segment that
# carries the tenant subnet: each hypervisor's br-int has an uplink port
# on it, and the hosts off the hypervisors (NLBs, collectors) are on it
# too.
#
# On TLS, the db namespace also has the management network's bridge, and
# once the cluster is up the operator (on a member's unix: socket) opens
# the hosts' remote with the role ovs-vtap-host.  Every member serves the
# remotes of Global's connections, but in the lab they share one
# namespace: one member at a time listens on the hosts' port, the others
# retry (ovsdb-server tries its failed remotes again on each pass, and
# logs "listen failed: Address already in use") and one of them takes it
# over when it goes.  (On machines of their own, each member listens.)
start_shared() {
    local ctl i
    add_namespace "$lab-db"
    if lab_tls; then
        ip -n "$lab-db" link add mgmt type bridge
        ip -n "$lab-db" addr add "$mgmt_db_address/24" dev mgmt
        ip -n "$lab-db" link set mgmt up
    fi
    if test -n "$(db_members)"; then
        start_vtap_cluster "$(db_members)"
    else
        ovsdb-tool create "$dir/vtap.db" "$top/lib/vtap.ovsschema"
        start_vtap_db_server
    fi
    init_vtap_db
    if lab_tls; then
        ctl=$(find_program ovs-vtapctl utilities)
        test -n "$ctl" || die "ovs-vtapctl is not built: no TLS (use --no-tls)"
        "$ctl" --db="$(vtap_db_remote)" --timeout="$timeout" \
            set-connection role=ovs-vtap-host \
            "pssl:$host_port:$mgmt_db_address"
        wait_until db_listens "$host_port"
        # The members that joined started before they knew the schema:
        # ovs-vtap-db.sh has them serve Global's connections once they
        # have joined, in the background; here, before the hosts connect.
        for i in $(seq 2 "$(db_members)"); do
            ovs-appctl -t "$rundir/db$i/ovs-vtap-db.ctl" \
                ovsdb-server/add-remote db:VTAP,Global,connections
        done
    fi
    add_namespace "$lab-fabric"
    ip -n "$lab-fabric" link add fabric type bridge
    ip -n "$lab-fabric" link set fabric up
}

# Links the current switch (a hypervisor) to the underlay: a veth whose
# end "uplink" is a port of its bridge.
add_uplink() {
    ip -n "$switch_ns" link add uplink type veth peer name "u-$switch" \
        netns "$lab-fabric"
    ip -n "$lab-fabric" link set "u-$switch" master fabric up
    ip -n "$switch_ns" link set uplink up
    vsctl add-port "$(bridge_name)" uplink
}

# Adds a host or NLB: its namespace, whose eth0 is a veth whose peer
# p-NAME is on the current switch (a port of its bridge, with
# iface-id=NAME), or with "fabric" as SWITCH on the underlay's bridge.
add_host() {
    local on=$1 name=$2; shift 2
    local ns=$lab-$name port=p-$name item mtu="" peer_ns=$switch_ns
    test "$on" != fabric || peer_ns=$lab-fabric
    add_namespace "$ns"
    ip -n "$peer_ns" link add "$port" type veth peer name eth0 netns "$ns"
    for item in "$@"; do
        case $item in
        mtu=*) mtu=${item#mtu=} ;;
        *:*/*) ip -n "$ns" addr add "$item" dev eth0 nodad ;;
        */*) ip -n "$ns" addr add "$item" dev eth0 ;;
        esac
    done
    if test -n "$mtu"; then
        ip -n "$peer_ns" link set "$port" mtu "$mtu"
        ip -n "$ns" link set eth0 mtu "$mtu"
    fi
    ip -n "$ns" link set eth0 up
    if test "$on" = fabric; then
        ip -n "$peer_ns" link set "$port" master fabric up
    else
        ip -n "$peer_ns" link set "$port" up
        vsctl add-port "$(bridge_name)" "$port" \
            -- set interface "$port" external_ids:iface-id="$name"
    fi
    echo "$name $on" >>"$dir/placement"
}

# Has every host and NLB send a gratuitous ARP, so that the bridges (and
# the underlay) learn where each MAC address is before the first VXLAN
# packet is sent to it.  Otherwise a bridge floods that packet to every
# port, the NLB's backends too, and a receiver that reads an AF_PACKET
# ring sees it as well as the copy that the NLB forwards.
announce_hosts() {
    # shellcheck disable=SC2046
    python3 "$top/utilities/lab/garp.py" eth0 $(host_namespaces)
}

# The namespaces of the topology's hosts and NLBs.
host_namespaces() {
    topology_items \
        | awk -v lab="$lab" '$1 == "host" || $1 == "nlb" { print lab "-" $2 }'
}

# Tells the tunnel neighbor cache of ovs-vswitchd every host's MAC address
# (ovs-appctl tnl/neigh/set), as if each host had already answered the
# switch's ARP.  Otherwise the first packets that OVS sends in VXLAN to a
# collector are lost while it resolves the collector's address.
set_tunnel_neighbors() {
    local bridge kind name rest mac item
    bridge=$(bridge_name)
    while read -r kind name rest; do
        test "$kind" = host || test "$kind" = nlb || continue
        mac=$(ip -n "$lab-$name" -br link show eth0 | awk '{ print $3 }')
        for item in $rest; do
            case $item in
            */*) in_switch ovs-appctl tnl/neigh/set "$bridge" "${item%/*}" \
                     "$mac" >/dev/null ;;
            esac
        done
    done < <(topology_items)
}

start_vtapd() {
    local vtapd
    vtapd=$(find_program ovs-vtapd ovs-vtapd)
    if test -z "$vtapd"; then
        say "ovs-vtapd is not built: not started"
        return 0
    fi
    # On TLS, with the hypervisor's certificate, whose common name is its
    # system-id.
    # shellcheck disable=SC2046
    in_switch "$vtapd" --detach --no-chdir --pidfile -vconsole:err --log-file \
        --ovs-db="unix:$sw_rundir/db.sock" --vtap-db="$(host_db_remote)" \
        $(! lab_tls || test "$switch" = ovs || tls_options "$switch") \
        $(topology_items | awk '$1 == "vtapd" { $1 = ""; print }')
}

# Starts the receiver on a host, in the background rather than detached so
# that its lines go to a file: receiver-HOST.txt, and the frames to
# receiver-HOST.pcap, in the log directory.  It listens on UDP 4789 of
# every IPv4 and IPv6 address (one dual-stack socket).  A host with the
# item "health" has it answer BFD (--health=bfd), as a pool's backend.
start_receiver() {
    local host=$1 receiver health=
    receiver=$(find_program ovs-vtap-receiver utilities)
    if test -z "$receiver"; then
        say "ovs-vtap-receiver is not built: not started on $host"
        return 0
    fi
    if topology_items | awk -v h="$host" '$1 == "host" && $2 == h {
           for (i = 3; i <= NF; i++) if ($i == "health") f = 1 }
           END { exit !f }'; then
        health=--health=bfd
    fi
    setsid ip netns exec "$lab-$host" "$receiver" --no-chdir $health \
        --listen='[::]:4789' \
        --pidfile="$rundir/receiver-$host.pid" \
        --unixctl="$rundir/receiver-$host.ctl" \
        -vconsole:off --log-file="$logdir/receiver-$host.log" \
        --print -w "$logdir/receiver-$host.pcap" \
        >>"$logdir/receiver-$host.txt" 2>>"$logdir/receiver-$host.err" \
        </dev/null &
    wait_until ovs-appctl -t "$rundir/receiver-$host.ctl" receiver/show
}

# The switch that the topology puts a host on: its "hv=" hypervisor, the
# underlay ("fabric") in a lab with hypervisors, else "ovs".
topology_host_switch() {
    local name=$1 item
    shift
    for item in "$@"; do
        case $item in
        hv=*) echo "${item#hv=}"; return ;;
        esac
    done
    if test -n "$(hypervisors)"; then
        echo fabric
    else
        echo ovs
    fi
}

cmd_up() {
    local topology=${1:-$default_topology} kind name rest vtapd=$2 sw on
    local index tls=$3
    test -r "$topology" || die "cannot read topology \"$topology\""
    topology_file=$topology check_topology
    lab_down quiet
    mkdir -p "$rundir" "$logdir"
    cp "$topology" "$dir/topology"
    : >"$dir/namespaces"
    : >"$dir/placement"
    trap 'echo "ovs-vtap-lab: up failed; tearing down" >&2; lab_down keep-logs' EXIT
    if test -n "$(db_members)" && test "$tls" = yes; then
        make_lab_pki "$(db_members)"
    fi
    if test -n "$(hypervisors)"; then
        start_shared
    fi
    index=0
    for sw in $(switches); do
        index=$((index + 1))
        use_switch "$sw"
        start_switch "$index"
        test "$sw" = ovs || add_uplink
        ! lab_tls || add_mgmt_link "$index"
    done
    while read -r kind name rest; do
        case $kind in
        host | nlb)
            # shellcheck disable=SC2086
            on=$(topology_host_switch "$name" $rest)
            test "$on" = fabric || use_switch "$on"
            # shellcheck disable=SC2086
            add_host "$on" "$name" $rest ;;
        esac
    done < <(topology_items)
    # Transmit checksum offload off on every host's eth0 (see
    # veth-tx-off.py), in one process for all: Python's start is slow.
    # shellcheck disable=SC2046
    python3 "$top/utilities/lab/veth-tx-off.py" eth0 $(host_namespaces)
    while read -r kind name rest; do
        # shellcheck disable=SC2086
        test "$kind" != nlb || configure_nlb "$name" $rest
    done < <(topology_items)
    announce_hosts
    for sw in $(switches); do
        use_switch "$sw"
        set_tunnel_neighbors
        if test "$vtapd" = yes; then
            start_vtapd
        fi
    done
    while read -r kind name rest; do
        case " $rest " in
        *" receiver "*) test "$kind" != host || start_receiver "$name" ;;
        esac
    done < <(topology_items)
    trap - EXIT
    say "lab \"$lab\" is up in $dir"
    say "point the tools at it with: eval \"\$($0 --name $lab env)\""
}

# Stops the process of a pidfile if it runs in one of the lab's namespaces.
stop_pidfile() {
    local pidfile=$1 pid ns
    pid=$(cat "$pidfile" 2>/dev/null) || return 0
    ns=$(ip netns identify "$pid" 2>/dev/null) || return 0
    if grep -qx "$ns" "$dir/namespaces"; then
        kill "$pid" 2>/dev/null || true
    fi
}

# Kills every process left in a lab namespace, then deletes the namespace.
remove_namespace() {
    local ns=$1 pids i
    namespace_exists "$ns" || return 0
    for i in $(seq 1 50); do
        pids=$(ip netns pids "$ns")
        test -n "$pids" || break
        # shellcheck disable=SC2086
        if test "$i" -lt 30; then
            kill $pids 2>/dev/null || true
        else
            # shellcheck disable=SC2086
            kill -9 $pids 2>/dev/null || true
        fi
        sleep 0.1
    done
    ip netns del "$ns"
}

# Tears the lab down from its recorded state; "keep-logs" keeps its logs,
# "quiet" says nothing when there is no lab.
lab_down() {
    local mode=${1:-} pidfile ns
    if test ! -f "$dir/namespaces"; then
        test "$mode" = quiet || say "no lab \"$lab\" in $dir"
        rm -rf "$rundir"
        return 0
    fi
    for pidfile in "$rundir"/*.pid "$rundir"/*/*.pid; do
        test ! -e "$pidfile" || stop_pidfile "$pidfile"
    done
    tac "$dir/namespaces" | while read -r ns; do
        remove_namespace "$ns"
    done
    if test "$mode" = keep-logs; then
        rm -rf "$rundir" "$dir/namespaces" "$dir/placement" "$dir"/*.db \
            "$dir"/.*.db.~lock~ "$dir"/*/*.db "$dir"/*/.*.db.~lock~
    else
        rm -rf "$dir"
    fi
    test "$mode" = quiet || say "lab \"$lab\" is down"
}

# Whether a process runs: whether one of its threads is not a zombie.  (A
# killed daemon's main thread may be a zombie while its other threads still
# exit and hold its pidfile.)
process_runs() {
    grep -h '^State:' /proc/"$1"/task/*/status 2>/dev/null | grep -qv zombie
}

# Stops the daemon of a pidfile, if it runs in the lab, and waits until it
# is gone (killing it outright if it lingers).
stop_daemon() {
    local pidfile=$1 pid i
    pid=$(cat "$pidfile" 2>/dev/null) || return 0
    stop_pidfile "$pidfile"
    for i in $(seq 1 100); do
        process_runs "$pid" || return 0
        test "$i" != 50 || kill -9 "$pid" 2>/dev/null || true
        sleep 0.1
    done
    die "could not stop pid $pid"
}

# Whether NAME is one of the lab's hypervisors.
is_hypervisor() {
    hypervisors | grep -qx -- "$1"
}

cmd_restart() {
    local daemon=${1:-} host hv=
    need_lab
    case $daemon in
    db@*)
        local n=${daemon#db@}
        case " $(seq 1 "$(db_members)" 2>/dev/null | xargs) " in
        *" $n "*) ;;
        *) die "restart: no VTAP database cluster member \"$n\"" ;;
        esac
        stop_daemon "$rundir/db$n/ovs-vtap-db.pid"
        member_db_sh "$n" start >/dev/null
        return ;;
    *@*)
        hv=${daemon#*@}
        daemon=${daemon%%@*}
        is_hypervisor "$hv" || die "restart: no hypervisor \"$hv\""
        use_switch "$hv" ;;
    esac
    case $daemon in
    ovsdb-server | ovs-vswitchd | ovs-vtapd)
        test -n "$hv" || test -z "$(hypervisors)" \
            || test "$daemon" = ovsdb-server \
            || die "restart: $daemon of which hypervisor? ($daemon@HV)" ;;
    receiver-*)
        test -z "$hv" || die "restart: receivers are not on hypervisors"
        host=${daemon#receiver-}
        topology_items | grep -q "^host $host .*receiver" \
            || die "restart: host \"$host\" has no receiver" ;;
    *) die "restart: ovsdb-server, ovs-vswitchd, ovs-vtapd" \
           "(@HV with hypervisors) or receiver-HOST" ;;
    esac
    if test "$daemon" = ovsdb-server && test -z "$hv" \
            && test -n "$(db_members)"; then
        die "restart: the VTAP database is a cluster: restart db@N"
    fi
    stop_daemon "$sw_rundir/$daemon.pid"
    case $daemon in
    ovsdb-server)
        if test -n "$(hypervisors)" && test -z "$hv"; then
            start_vtap_db_server
        else
            start_ovsdb_server
        fi ;;
    ovs-vswitchd)
        start_ovs_vswitchd
        configure_bridge_port
        set_tunnel_neighbors ;;
    ovs-vtapd) start_vtapd ;;
    receiver-*) start_receiver "$host" ;;
    esac
}

# Moves a host's port to another hypervisor, as a VM's migration does: the
# veth peer p-HOST leaves the old hypervisor's bridge and namespace and
# becomes a port of the new one's with the same iface-id; the host keeps
# its MAC and IP addresses.  Then the host announces itself with a
# gratuitous ARP, as a hypervisor does after a migration, so that the
# underlay and the bridges learn where its MAC address is now.
cmd_move() {
    local host=${1:-} to=${2:-} from
    need_lab
    test -n "$(hypervisors)" || die "move: the lab has no hypervisors"
    from=$(host_switch "$host")
    test -n "$from" || die "move: no host \"$host\""
    is_hypervisor "$from" || die "move: host \"$host\" is not on a hypervisor"
    is_hypervisor "$to" || die "move: no hypervisor \"$to\""
    test "$from" != "$to" || die "move: host \"$host\" is on $to already"
    use_switch "$from"
    vsctl del-port "$(bridge_name)" "p-$host"
    ip -n "$switch_ns" link set "p-$host" netns "$lab-$to"
    use_switch "$to"
    ip -n "$switch_ns" link set "p-$host" up
    vsctl add-port "$(bridge_name)" "p-$host" \
        -- set interface "p-$host" external_ids:iface-id="$host"
    awk -v h="$host" -v to="$to" '$1 == h { $2 = to } { print }' \
        "$dir/placement" >"$dir/placement.new"
    mv "$dir/placement.new" "$dir/placement"
    ip netns exec "$lab-$host" python3 "$top/utilities/lab/garp.py" eth0
    say "host $host moved from $from to $to"
}

need_lab() {
    test -f "$dir/namespaces" || die "no lab \"$lab\" in $dir (run \"up\" first)"
}

cmd_status() {
    local ns pidfile pid state kind name rest sw
    need_lab
    echo "lab \"$lab\" in $dir"
    echo "namespaces:"
    while read -r ns; do
        if namespace_exists "$ns"; then
            state=present
        else
            state=MISSING
        fi
        echo "  $ns: $state"
    done <"$dir/namespaces"
    echo "daemons:"
    for pidfile in "$rundir"/*.pid "$rundir"/*/*.pid; do
        test -e "$pidfile" || continue
        pid=$(cat "$pidfile")
        if kill -0 "$pid" 2>/dev/null; then
            state="running, pid $pid"
        else
            state="NOT RUNNING (pid $pid)"
        fi
        name=${pidfile#"$rundir"/}
        echo "  ${name%.pid}: $state"
    done
    for sw in $(switches); do
        use_switch "$sw"
        test "$sw" = ovs || echo "hypervisor $sw:"
        vsctl show
        ofctl dump-flows "$(bridge_name)" "cookie=$lab_cookie/-1"
    done
    while read -r kind name rest; do
        test "$kind" = nlb || continue
        echo "nlb $name (packets per backend in chain forward):"
        ip netns exec "$lab-$name" nft list table ip nlb
    done < <(topology_items)
    db_summary
    if test -n "$(find_program ovs-vtapctl utilities)"; then
        "$(find_program ovs-vtapctl utilities)" --db="$(vtap_db_remote)" show
    fi
}

# How the VTAP database of a lab with a cluster is reached, in lines for
# "status" (and, as comments, "env").
db_summary() {
    local n i raft='' ops=''
    n=$(db_members)
    test -n "$n" || return 0
    if lab_tls; then
        for i in $(seq 1 "$n"); do
            raft="$raft $(member_raft_address "$i")"
            ops="$ops${ops:+,}ssl:$mgmt_db_address:$((client_port_base + i))"
        done
        echo "VTAP database: a RAFT cluster of $n on TLS (PKI and certificates in $dir/tls)"
        echo "  RAFT:$raft"
        echo "  hosts: ssl:$mgmt_db_address:$host_port, role ovs-vtap-host," \
             "each hypervisor's ovs-vtapd with its certificate (CN = its name)"
        echo "  operator: full rights on the members' unix: sockets (OVS_VTAP_DB)," \
             "or on TLS at $ops with $(tls_options op)"
    else
        echo "VTAP database: a RAFT cluster of $n on unix sockets, no TLS (--no-tls)"
    fi
}

cmd_env() {
    need_lab
    local ctl receiver vtapd path=
    ctl=$(find_program ovs-vtapctl utilities)
    receiver=$(find_program ovs-vtap-receiver utilities)
    vtapd=$(find_program ovs-vtapd ovs-vtapd)
    for p in "$ctl" "$receiver" "$vtapd"; do
        test -z "$p" || path=$path$(dirname "$p"):
    done
    echo "export OVS_VTAP_LAB_NAME='$lab'"
    echo "export OVS_VTAP_LAB_DIR='$labdir_base'"
    echo "export OVS_RUNDIR='$rundir'"
    echo "export OVS_DBDIR='$dir'"
    echo "export OVS_LOGDIR='$logdir'"
    echo "export OVS_VTAP_DB='$(vtap_db_remote)'"
    echo "export PATH='$path'\"\$PATH\""
    if test -n "$(hypervisors)"; then
        echo "# ovs-vtapctl now reaches the VTAP database of lab \"$lab\"; the"
        echo "# hypervisors' OVS: $0 --name $lab exec HV ovs-vsctl show"
    else
        echo "# ovs-vsctl, ovs-ofctl, ovs-appctl and ovs-vtapctl now reach lab \"$lab\";"
    fi
    echo "# e.g.: ovs-vtapctl show (it reads \$OVS_VTAP_DB)"
    db_summary | sed 's/^/# /'
}

cmd_exec() {
    local host=$1 ns; shift
    need_lab
    test $# -gt 0 || die "exec: no command"
    ns=$lab-$host
    grep -qx "$ns" "$dir/namespaces" || die "exec: no host \"$host\" in lab \"$lab\""
    if test "$host" = ovs || is_hypervisor "$host"; then
        use_switch "$host"
    fi
    exec ip netns exec "$ns" env OVS_RUNDIR="$sw_rundir" \
        OVS_DBDIR="$sw_dbdir" OVS_LOGDIR="$sw_logdir" "$@"
}

# The subnet of the bridge's first IPv4 address (the story's subnet).
lab_subnet() {
    ip -n "$switch_ns" -4 route show dev "$(bridge_name)" \
        proto kernel scope link | awk '{print $1; exit}'
}

# The security list on every switch's bridge.
cmd_security_list() {
    local sw
    need_lab
    case ${1:-} in
    closed | fixed | open) ;;
    *) die "security-list: closed, fixed or open" ;;
    esac
    for sw in $(switches); do
        use_switch "$sw"
        security_list "$1"
    done
}

# The security list on the current switch's bridge.
security_list() {
    local bridge subnet
    bridge=$(bridge_name)
    subnet=$(lab_subnet)
    test -n "$subnet" || die "security-list: the bridge has no IPv4 subnet"
    case $1 in
    closed)
        ofctl del-flows "$bridge" "cookie=$lab_cookie/-1"
        ofctl add-flows "$bridge" - <<EOF
cookie=$lab_cookie,priority=1000,icmp,nw_dst=$subnet,actions=drop
cookie=$lab_cookie,priority=2000,tcp,tp_dst=22,actions=NORMAL
cookie=$lab_cookie,priority=2000,tcp,tp_src=22,actions=NORMAL
cookie=$lab_cookie,priority=2000,udp,tp_dst=4789,actions=NORMAL
EOF
        ;;
    fixed)
        ofctl add-flow "$bridge" \
            "cookie=$lab_cookie,priority=3000,icmp,nw_src=$subnet,actions=NORMAL"
        ;;
    open)
        ofctl del-flows "$bridge" "cookie=$lab_cookie/-1"
        ;;
    esac
}

cmd_demo() {
    local keep=no build=yes multi=no arg
    for arg in "$@"; do
        case $arg in
        --keep) keep=keep ;;
        --no-build) build=no ;;
        --multi) multi=multi ;;
        *) die "demo: unknown option \"$arg\"" ;;
        esac
    done
    if test $build = yes; then
        # One line per set-up phase; the full output in _build/setup.log.
        # shellcheck source=utilities/ovs-vtap-setup.sh
        . "$top/utilities/ovs-vtap-setup.sh"
        setup_log_init "$top/_build/setup.log"
        setup_all "$top/_build" || exit 1
    fi
    OVS_VTAP_LAB_NAME=$lab OVS_VTAP_LAB_DIR=$labdir_base \
        exec bash "$top/utilities/lab/demo.sh" "$keep" "$multi"
}

main() {
    local vtapd=yes keep_logs=no tls=yes
    while test $# -gt 0; do
        case $1 in
        -n | --name) lab=$2; shift 2 ;;
        --name=*) lab=${1#--name=}; shift ;;
        --no-vtapd) vtapd=no; shift ;;
        --no-tls) tls=no; shift ;;
        --keep-logs) keep_logs=yes; shift ;;
        -h | --help) usage; exit 0 ;;
        -*) die "unknown option \"$1\" (see --help)" ;;
        *) break ;;
        esac
    done
    test $# -gt 0 || { usage >&2; exit 1; }
    lab_paths
    local cmd=$1; shift
    case $cmd in
    up | down | restart | move | security-list | demo)
        test "$(id -u)" = 0 || die "$cmd: must run as root" ;;
    esac
    case $cmd in
    up) test $# -le 1 || die "up: one topology at most"
        cmd_up "${1:-}" "$vtapd" "$tls" ;;
    down) if test $keep_logs = yes; then lab_down keep-logs; else lab_down; fi ;;
    status) cmd_status ;;
    env) cmd_env ;;
    exec) test $# -ge 1 || die "exec: HOST CMD..."; cmd_exec "$@" ;;
    restart) cmd_restart "$@" ;;
    move) test $# = 2 || die "move: HOST HYPERVISOR"; cmd_move "$@" ;;
    security-list) cmd_security_list "$@" ;;
    demo) cmd_demo "$@" ;;
    *) die "unknown command \"$cmd\" (see --help)" ;;
    esac
}

main "$@"

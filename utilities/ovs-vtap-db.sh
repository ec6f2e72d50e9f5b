#! /bin/sh
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
# ovs-vtap-db.sh: creates the VTAP database, adds it to a running
# ovsdb-server (by default the one that serves Open_vSwitch, as OVS does
# with hardware_vtep) and upgrades it to a new schema keeping its data.
# For many hosts it also makes the database a RAFT cluster of its own
# ovsdb-servers, with OVS's ovsdb-tool create-cluster and join-cluster,
# starts and stops such a member and shows its cluster status.

set -e

program=${0##*/}
version=0.1.0

# Where the schema is installed: $prefix/share/ovs-vtap next to
# $prefix/bin, or OVS_VTAP_SCHEMA.
find_schema () {
    if test -n "$OVS_VTAP_SCHEMA"; then
        echo "$OVS_VTAP_SCHEMA"
        return
    fi
    bindir=$(cd "$(dirname "$0")" && pwd)
    for dir in "$bindir/../share/ovs-vtap" /usr/local/share/ovs-vtap \
               /usr/share/ovs-vtap; do
        if test -f "$dir/vtap.ovsschema"; then
            echo "$dir/vtap.ovsschema"
            return
        fi
    done
    echo "/usr/share/ovs-vtap/vtap.ovsschema"
}

usage () {
    cat <<EOF
$program: create, serve and upgrade the VTAP database
usage: $program [OPTIONS] COMMAND [ARG...]

The VTAP database next to Open_vSwitch (one host, the default):
  create     create the database file with the schema (error if it exists)
  add        create the file if it is missing, upgrade it if it is older
             than the schema, and make the running ovsdb-server serve it
             (ovsdb-server/add-db); nothing to do if it already does
  upgrade    convert the database to the schema, keeping its data: a
             standalone file after a backup copy (if the running
             ovsdb-server serves it, the server closes it for the
             conversion and opens it again); a clustered database online,
             with "ovsdb-client convert" through the cluster (--db); from
             a schema before 1.3.0, each Realization row then names the
             VTAP that listed it (needs python3)
  status     print the schema version of the database and of the schema

The VTAP database on a RAFT cluster of its own ovsdb-servers:
  create-cluster LOCAL
             create the database file as the first member of a new
             cluster, whose members reach it at LOCAL (tcp:IP:PORT,
             ssl:IP:PORT, or unix:PATH for members on one machine)
  join-cluster LOCAL REMOTE...
             create the database file of a new member at LOCAL that joins
             the cluster of which REMOTE... are members (it joins once it
             is started and reaches one of them)
  start      start an ovsdb-server that serves the database file (a
             cluster member, or a standalone file) on a socket in the run
             directory and on every --remote
  stop       stop that ovsdb-server
  cluster-status
             print the member's view of the cluster (ovs-appctl
             cluster/status VTAP)
  leave-cluster
             make the member leave the cluster (cluster/leave), then stop

Options:
  --db-file=FILE    database file (default: \$OVS_DBDIR/vtap.db,
                    OVS_DBDIR default /etc/openvswitch)
  --schema=FILE     schema (default: $(find_schema))
  --server=TARGET   ovs-appctl target of the ovsdb-server for "add"
                    (default: ovsdb-server, in \$OVS_RUNDIR)
  --run-dir=DIR     where "start" puts the member's pidfile
                    ovs-vtap-db.pid, control socket ovs-vtap-db.ctl and
                    client socket ovs-vtap-db.sock (default: \$OVS_RUNDIR,
                    default /var/run/openvswitch)
  --log-file=FILE   the member's log (default: \$OVS_LOGDIR/ovs-vtap-db.log,
                    OVS_LOGDIR default /var/log/openvswitch)
  --remote=REMOTE   for "start": also listen for clients there, e.g.
                    ptcp:6650:192.0.2.1 (may be given more than once)
  --db=REMOTE[,REMOTE...]
                    for "upgrade" and "status" of a clustered database:
                    client remotes of its members (default: the run
                    directory's unix:ovs-vtap-db.sock)

TLS (for ssl: member addresses, pssl: remotes and ssl: --db):
  --private-key=FILE   this member's (or client's) private key
  --certificate=FILE   its certificate
  --ca-cert=FILE       the CA certificate that peers' certificates are
                       signed by
Plain tcp: and ptcp: work too, with a warning: whoever reaches them can
read and change every VTAP.
  -h, --help        display this help message
  -V, --version     display version information
EOF
}

die () {
    echo "$program: $*" >&2
    exit 1
}

db_file=${OVS_DBDIR:-/etc/openvswitch}/vtap.db
schema=
server=ovsdb-server
run_dir=${OVS_RUNDIR:-/var/run/openvswitch}
log_file=
remotes=
db_remotes=
private_key=
certificate=
ca_cert=

# Options may come anywhere; what is left is the command and its arguments.
for arg; do
    shift
    case $arg in
        --db-file=*) db_file=${arg#*=} ;;
        --schema=*) schema=${arg#*=} ;;
        --server=*) server=${arg#*=} ;;
        --run-dir=*) run_dir=${arg#*=} ;;
        --log-file=*) log_file=${arg#*=} ;;
        --remote=*)
            test -n "${arg#*=}" || die "--remote: empty remote"
            remotes="$remotes --remote=${arg#*=}"
            ;;
        --db=*)
            db_remotes=${arg#*=}
            test -n "$db_remotes" || die "--db: empty remote"
            ;;
        --private-key=*) private_key=${arg#*=} ;;
        --certificate=*) certificate=${arg#*=} ;;
        --ca-cert=*) ca_cert=${arg#*=} ;;
        -h|--help) usage; exit 0 ;;
        -V|--version) echo "$program (ovs-vtap) $version"; exit 0 ;;
        -*) die "unknown option \"$arg\" (use --help for help)" ;;
        *) set -- "$@" "$arg" ;;
    esac
done
test $# -gt 0 || die "missing command (use --help for help)"
command=$1
shift

ctl=$run_dir/ovs-vtap-db.ctl
test -n "$log_file" \
    || log_file=${OVS_LOGDIR:-/var/log/openvswitch}/ovs-vtap-db.log

# Dies unless the command's arguments, $3..., are at least $1 and, unless
# $2 is empty, at most $2.
check_nargs () {
    min=$1
    max=$2
    shift 2
    if test $# -lt "$min"; then
        die "$command: missing argument (use --help for help)"
    fi
    if test -n "$max" && test $# -gt "$max"; then
        shift "$max"
        die "$command: unexpected argument \"$1\" (use --help for help)"
    fi
}

# Sets schema and schema_version, or dies.
need_schema () {
    test -n "$schema" || schema=$(find_schema)
    test -f "$schema" \
        || die "schema \"$schema\" not found (give --schema=FILE)"
    schema_version=$(ovsdb-tool schema-version "$schema")
}

# Dies unless $2 is an address at which RAFT members reach each other:
# tcp:IP:PORT or ssl:IP:PORT (an IPv6 address in brackets), or for members
# on one machine unix:PATH.  $1 says which address it is.
check_raft_address () {
    case $2 in
        unix:?*) return ;;
        tcp:?*:*|ssl:?*:*) ;;
        *) die "$1 \"$2\" is not tcp:IP:PORT, ssl:IP:PORT or unix:PATH" ;;
    esac
    port=${2##*:}
    case $port in
        ''|*[!0-9]*) die "$1 \"$2\": port \"$port\" is not a number" ;;
    esac
    if test "$port" -lt 1 || test "$port" -gt 65535; then
        die "$1 \"$2\": port $port is not between 1 and 65535"
    fi
}

# Prints the TLS options for ovsdb-server or ovsdb-client if any was
# given.  Dies if only some of them were, or if a file does not exist.
ssl_options () {
    test -n "$private_key$certificate$ca_cert" || return 0
    for ssl_opt in "private-key:$private_key" "certificate:$certificate" \
                   "ca-cert:$ca_cert"; do
        ssl_file=${ssl_opt#*:}
        test -n "$ssl_file" || die "TLS needs --private-key, --certificate" \
            "and --ca-cert together (--${ssl_opt%%:*} is missing)"
        test -r "$ssl_file" \
            || die "--${ssl_opt%%:*}: cannot read \"$ssl_file\""
    done
    echo "--private-key=$private_key --certificate=$certificate" \
         "--ca-cert=$ca_cert"
}

# check_transport USE WHAT ADDRESS...: warns about plain tcp: and ptcp:
# addresses; if USE is "use" (the addresses are used now, not only written
# in a file), dies if an address is ssl: or pssl: and no TLS options were
# given.
check_transport () {
    ct_use=$1
    ct_what=$2
    shift 2
    for ct_addr; do
        case $ct_addr in
            ssl:*|pssl:*)
                test "$ct_use" != use || test -n "$private_key" \
                    || die "$ct_what \"$ct_addr\" is TLS: give" \
                           "--private-key, --certificate and --ca-cert"
                ;;
            tcp:*|ptcp:*)
                echo "$program: warning: $ct_what \"$ct_addr\" is plain" \
                     "TCP: whoever reaches it can read and change every" \
                     "VTAP (use ssl:)" >&2
                ;;
        esac
    done
}

# Returns true if the database file is a cluster member's.
is_clustered () {
    ovsdb-tool db-is-clustered "$db_file" 2>/dev/null
}

# Returns true if the member's ovsdb-server runs.
member_runs () {
    ovs-appctl -t "$ctl" version >/dev/null 2>&1
}

create_db () {
    test ! -e "$db_file" || die "\"$db_file\" already exists"
    ovsdb-tool create "$db_file" "$schema"
    echo "created $db_file with VTAP schema $schema_version"
}

# Returns true, saying so, if the database file needs no conversion; dies
# if it does not exist.
up_to_date () {
    test -f "$db_file" || die "\"$db_file\" does not exist"
    if test "$(ovsdb-tool needs-conversion "$db_file" "$schema")" != yes
    then
        echo "$db_file is already at VTAP schema $schema_version"
        return 0
    fi
    return 1
}

# Before schema 1.3.0 each VTAP row listed its Realization rows (the
# strong references of VTAP.realizations); from 1.3.0 on, each Realization
# row names its VTAP (the weak reference Realization.vtap).  A conversion
# keeps the rows and their UUIDs but not the link, so the upgrade reads it
# first with this query, and writes it back after the conversion.
links_query='["VTAP", {"op": "select", "table": "VTAP", "where": [],
                       "columns": ["_uuid", "realizations"]}]'

# Reads the answer to $links_query on standard input and prints the
# transaction that sets Realization.vtap accordingly, or nothing if the
# database had no VTAP.realizations (its query failed) or $schema has no
# Realization.vtap.
links_transaction () {
    python3 -c '
import json, sys
schema = json.load(open(sys.argv[1]))
realization = schema["tables"].get("Realization", {}).get("columns", {})
answer = json.loads(sys.stdin.read() or "[]")
first = answer[0] if isinstance(answer, list) and answer else {}
ops = []
for row in first.get("rows", []) if "vtap" in realization else []:
    refs = row["realizations"]
    for ref in refs[1] if refs[0] == "set" else [refs]:
        ops.append({"op": "update", "table": "Realization",
                    "where": [["_uuid", "==", ref]],
                    "row": {"vtap": row["_uuid"]}})
if ops:
    print(json.dumps(["VTAP"] + ops))
' "$schema"
}

# Reads the answer to a transaction on standard input; fails, printing the
# errors, if an operation failed.
check_answer () {
    python3 -c '
import json, sys
errors = [op for op in json.load(sys.stdin) if op and "error" in op]
for op in errors:
    sys.stderr.write("%s\n" % json.dumps(op))
sys.exit(1 if errors else 0)
'
}

# Converts the database file offline, after a copy named after its version
# and checksum, as OVS's own ovs-ctl does, keeping the links between VTAPs
# and their Realization rows (see $links_query).
upgrade_file () {
    up_to_date && return
    old=$(ovsdb-tool db-version "$db_file")
    backup=$db_file.backup$old-$(ovsdb-tool db-cksum "$db_file" | cut -d' ' -f1)
    cp "$db_file" "$backup"
    # "|| return": set -e does not hold in upgrade_served's "||".
    links=$(ovsdb-tool query "$db_file" "$links_query" 2>/dev/null \
                | links_transaction) || return
    # "convert" reads every record of the log as the new schema, so a value
    # that a later record replaced would still fail it: compact first.
    ovsdb-tool compact "$db_file" || return
    ovsdb-tool convert "$db_file" "$schema" || return
    if test -n "$links" \
            && ! ovsdb-tool transact "$db_file" "$links" | check_answer; then
        echo "$program: $db_file is at VTAP schema $schema_version but its" \
             "Realization rows do not name their VTAPs (backup: $backup)" >&2
        return 1
    fi
    echo "upgraded $db_file from VTAP schema $old to $schema_version" \
         "(backup: $backup)"
}

# Returns true if the running ovsdb-server serves a VTAP database.
served () {
    ovs-appctl -t "$server" ovsdb-server/list-dbs 2>/dev/null \
        | grep -qx VTAP
}

# Whether schema version $1 has Global's connections (1.3.0 and later).
has_connections () {
    test -n "$1" && test "$(printf '%s\n' 1.3.0 "$1" | sort -V | head -1)" = 1.3.0
}

# Makes the server of control socket $1, which serves the database, also
# listen on the remotes of Global's connections (ovs-vtapctl
# set-connection) if its schema $2 has them.
add_connections_remote () {
    if has_connections "$2"; then
        ovs-appctl -t "$1" ovsdb-server/add-remote \
            db:VTAP,Global,connections >/dev/null
    fi
}

# Upgrades the database file that the running server serves.  An online
# "ovsdb-client convert" is not used: ovsdb-server 3.1 then keeps
# announcing the old schema in its _Server database, where clients' IDLs
# learn it, so they would not see the new columns until it restarts.
upgrade_served () {
    up_to_date && return
    ovs-appctl -t "$server" ovsdb-server/remove-db VTAP
    status=0
    upgrade_file || status=$?
    ovs-appctl -t "$server" ovsdb-server/add-db "$db_file"
    echo "$server serves $db_file again"
    return $status
}

# Upgrades a clustered database online (through the member in the run
# directory unless --db names the members): ovsdb-client finds the leader
# among $db_remotes, the leader converts the database in the cluster's log
# and every member follows; then the links between VTAPs and their
# Realization rows, read before, are written back (see $links_query).  A copy of the data is first converted offline:
# data that does not fit the new schema is refused there, and the cluster
# is not touched (ovsdb-server 3.1's leader exits on a conversion that
# fails).
upgrade_cluster () {
    test -n "$db_remotes" || db_remotes=unix:$run_dir/ovs-vtap-db.sock
    check_transport use "remote" $(echo "$db_remotes" | tr , ' ')
    client="ovsdb-client -vconsole:off $(ssl_options)"
    old=$($client get-schema-version "$db_remotes" VTAP) \
        || die "cannot read the VTAP schema version at $db_remotes"
    if test "$($client needs-conversion "$db_remotes" "$schema")" != yes
    then
        echo "the cluster at $db_remotes is already at VTAP schema" \
             "$schema_version"
        return
    fi
    trial=$(mktemp "${TMPDIR:-/tmp}/ovs-vtap-db.XXXXXX") \
        || die "cannot make a temporary file"
    if ! $client backup "$db_remotes" VTAP > "$trial" \
            || ! ovsdb-tool -vconsole:off convert "$trial" "$schema" \
                 2> "$trial.err"; then
        cat "$trial.err" >&2 2>/dev/null
        rm -f "$trial" "$trial.err"
        die "the data of the cluster at $db_remotes does not fit VTAP" \
            "schema $schema_version; it keeps schema $old"
    fi
    rm -f "$trial" "$trial.err"
    links=$($client query "$db_remotes" "$links_query" 2>/dev/null \
                | links_transaction) \
        || die "cannot read the realizations of the VTAPs at $db_remotes"
    # shellcheck disable=SC2046
    ovsdb-client -vconsole:warn $(ssl_options) convert "$db_remotes" \
        "$schema" \
        || die "the cluster at $db_remotes refused the conversion to VTAP" \
               "schema $schema_version; it keeps schema $old"
    if test -n "$links"; then
        $client transact "$db_remotes" "$links" | check_answer \
            || die "the cluster at $db_remotes is at VTAP schema" \
                   "$schema_version but its Realization rows do not name" \
                   "their VTAPs"
    fi
    echo "upgraded the cluster at $db_remotes from VTAP schema $old to" \
         "$schema_version"
}

ssl_options > /dev/null

case $command in
    create)
        check_nargs 0 0 "$@"
        need_schema
        create_db
        ;;
    add)
        check_nargs 0 0 "$@"
        need_schema
        if served; then
            echo "$server already serves the VTAP database"
            exit 0
        fi
        if test -e "$db_file"; then
            upgrade_file
        else
            create_db
        fi
        ovs-appctl -t "$server" ovsdb-server/add-db "$db_file"
        add_connections_remote "$server" "$(ovsdb-tool db-version "$db_file")"
        echo "$server now serves $db_file"
        ;;
    upgrade)
        check_nargs 0 0 "$@"
        need_schema
        if is_clustered || test -n "$db_remotes"; then
            upgrade_cluster
        elif served; then
            upgrade_served
        else
            upgrade_file
        fi
        ;;
    status)
        check_nargs 0 0 "$@"
        need_schema
        if is_clustered; then
            echo "database: clustered, member at" \
                 "$(ovsdb-tool db-local-address "$db_file")"
            test -n "$db_remotes" \
                || db_remotes=unix:$run_dir/ovs-vtap-db.sock
            # shellcheck disable=SC2046
            if v=$(ovsdb-client -vconsole:off $(ssl_options) \
                       get-schema-version "$db_remotes" VTAP 2>/dev/null)
            then
                echo "cluster: $v"
            else
                echo "cluster: not reachable at $db_remotes"
            fi
        else
            echo "database: $(ovsdb-tool db-version "$db_file")"
        fi
        echo "schema: $schema_version"
        if ! is_clustered; then
            if served; then
                echo "served by $server: yes"
            else
                echo "served by $server: no"
            fi
        fi
        ;;
    create-cluster)
        check_nargs 1 1 "$@"
        check_raft_address "local address" "$1"
        check_transport record "local address" "$1"
        need_schema
        test ! -e "$db_file" || die "\"$db_file\" already exists"
        ovsdb-tool create-cluster "$db_file" "$schema" "$1"
        echo "created $db_file, the first member of a new VTAP cluster," \
             "at $1 (schema $schema_version)"
        ;;
    join-cluster)
        check_nargs 2 "" "$@"
        local=$1
        shift
        check_raft_address "local address" "$local"
        for remote; do
            check_raft_address "remote address" "$remote"
            test "$remote" != "$local" \
                || die "remote address \"$remote\" is the local address"
        done
        check_transport record "local address" "$local"
        test ! -e "$db_file" || die "\"$db_file\" already exists"
        ovsdb-tool join-cluster "$db_file" VTAP "$local" "$@"
        echo "created $db_file, a member at $local that joins the VTAP" \
             "cluster of $* once started"
        ;;
    start)
        check_nargs 0 0 "$@"
        test -f "$db_file" || die "\"$db_file\" does not exist"
        test -d "$run_dir" \
            || die "run directory \"$run_dir\" does not exist"
        ! member_runs || die "an ovsdb-server already runs at $ctl"
        ssl=$(ssl_options)
        if is_clustered; then
            check_transport use "local address" \
                "$(ovsdb-tool db-local-address "$db_file")"
        fi
        # shellcheck disable=SC2046
        check_transport use "remote" $(echo "$remotes" | sed 's/--remote=//g')
        # shellcheck disable=SC2086
        ovsdb-server --detach --no-chdir $ssl \
            --pidfile="$run_dir/ovs-vtap-db.pid" --unixctl="$ctl" \
            -vconsole:off --log-file="$log_file" \
            --remote="punix:$run_dir/ovs-vtap-db.sock" $remotes "$db_file" \
            || die "ovsdb-server did not start (see $log_file)"
        if is_clustered; then
            # A member that has not joined its cluster yet knows no schema:
            # it listens on the connections' remotes once it has joined.
            (sock=unix:$run_dir/ovs-vtap-db.sock
             ovsdb-client -vconsole:off --timeout=300 wait "$sock" VTAP \
                 connected \
                 && add_connections_remote "$ctl" "$(ovsdb-client \
                        -vconsole:off --timeout=30 get-schema-version \
                        "$sock" VTAP)") >/dev/null 2>&1 &
        else
            add_connections_remote "$ctl" "$(ovsdb-tool db-version "$db_file")"
        fi
        echo "started ovsdb-server for $db_file (control socket $ctl)"
        ;;
    stop)
        check_nargs 0 0 "$@"
        member_runs || die "no ovsdb-server runs at $ctl"
        ovs-appctl -t "$ctl" exit
        echo "stopped the ovsdb-server at $ctl"
        ;;
    cluster-status)
        check_nargs 0 0 "$@"
        member_runs || die "no ovsdb-server runs at $ctl"
        is_clustered || die "\"$db_file\" is not a clustered database"
        ovs-appctl -t "$ctl" cluster/status VTAP
        ;;
    leave-cluster)
        check_nargs 0 0 "$@"
        member_runs || die "no ovsdb-server runs at $ctl"
        ovs-appctl -t "$ctl" cluster/leave VTAP
        # Once it has left, the server no longer serves the database.
        ovsdb-client -vconsole:off --timeout=30 wait \
            "unix:$run_dir/ovs-vtap-db.sock" VTAP removed \
            || die "the member did not leave the cluster in 30 s"
        ovs-appctl -t "$ctl" exit
        echo "the member at $ctl left the cluster and stopped"
        ;;
    *)
        die "unknown command \"$command\" (use --help for help)"
        ;;
esac

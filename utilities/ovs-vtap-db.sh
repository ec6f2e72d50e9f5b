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
usage: $program [OPTIONS] COMMAND

Commands:
  create     create the database file with the schema (error if it exists)
  add        create the file if it is missing, upgrade it if it is older
             than the schema, and make the running ovsdb-server serve it
             (ovsdb-server/add-db); nothing to do if it already does
  upgrade    convert the database file to the schema, keeping its data
             (after a backup copy); if the running ovsdb-server serves
             it, the server closes it for the conversion and opens it
             again (ovsdb-server/remove-db, add-db)
  status     print the schema version of the database and of the schema

Options:
  --db-file=FILE    database file (default: \$OVS_DBDIR/vtap.db,
                    OVS_DBDIR default /etc/openvswitch)
  --schema=FILE     schema (default: $(find_schema))
  --server=TARGET   ovs-appctl target of the ovsdb-server for "add"
                    (default: ovsdb-server, in \$OVS_RUNDIR)
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
command=

for arg; do
    case $arg in
        --db-file=*) db_file=${arg#*=} ;;
        --schema=*) schema=${arg#*=} ;;
        --server=*) server=${arg#*=} ;;
        -h|--help) usage; exit 0 ;;
        -V|--version) echo "$program (ovs-vtap) $version"; exit 0 ;;
        -*) die "unknown option \"$arg\" (use --help for help)" ;;
        *)
            test -z "$command" || die "only one command, not \"$arg\" too"
            command=$arg
            ;;
    esac
done
test -n "$command" || die "missing command (use --help for help)"
test -n "$schema" || schema=$(find_schema)
test -f "$schema" || die "schema \"$schema\" not found (give --schema=FILE)"

schema_version=$(ovsdb-tool schema-version "$schema")

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

# Converts the database file offline, after a copy named after its version
# and checksum, as OVS's own ovs-ctl does.
upgrade_file () {
    up_to_date && return
    old=$(ovsdb-tool db-version "$db_file")
    backup=$db_file.backup$old-$(ovsdb-tool db-cksum "$db_file" | cut -d' ' -f1)
    cp "$db_file" "$backup"
    # "convert" reads every record of the log as the new schema, so a value
    # that a later record replaced would still fail it: compact first.
    # "|| return": set -e does not hold in upgrade_served's "||".
    ovsdb-tool compact "$db_file" || return
    ovsdb-tool convert "$db_file" "$schema" || return
    echo "upgraded $db_file from VTAP schema $old to $schema_version" \
         "(backup: $backup)"
}

# Returns true if the running ovsdb-server serves a VTAP database.
served () {
    ovs-appctl -t "$server" ovsdb-server/list-dbs 2>/dev/null \
        | grep -qx VTAP
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

case $command in
    create)
        create_db
        ;;
    add)
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
        echo "$server now serves $db_file"
        ;;
    upgrade)
        if served; then
            upgrade_served
        else
            upgrade_file
        fi
        ;;
    status)
        echo "database: $(ovsdb-tool db-version "$db_file")"
        echo "schema: $schema_version"
        if served; then
            echo "served by $server: yes"
        else
            echo "served by $server: no"
        fi
        ;;
    *)
        die "unknown command \"$command\" (use --help for help)"
        ;;
esac

#! /bin/sh
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
  upgrade    convert the database to the schema, keeping its data:
             the file (after a backup copy), or with --remote the
             database of a running server (ovsdb-client convert)
  status     print the database's schema version and the schema's

Options:
  --db-file=FILE    database file (default: \$OVS_DBDIR/vtap.db,
                    OVS_DBDIR default /etc/openvswitch)
  --schema=FILE     schema (default: $(find_schema))
  --server=TARGET   ovs-appctl target of the ovsdb-server for "add"
                    (default: ovsdb-server, in \$OVS_RUNDIR)
  --remote=REMOTE   for "upgrade" and "status": the running server, e.g.
                    unix:/var/run/openvswitch/db.sock
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
remote=
command=

for arg; do
    case $arg in
        --db-file=*) db_file=${arg#*=} ;;
        --schema=*) schema=${arg#*=} ;;
        --server=*) server=${arg#*=} ;;
        --remote=*) remote=${arg#*=} ;;
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

# Converts the database file offline, after a copy named after its version
# and checksum, as OVS's own ovs-ctl does.
upgrade_file () {
    test -f "$db_file" || die "\"$db_file\" does not exist"
    if test "$(ovsdb-tool needs-conversion "$db_file" "$schema")" != yes
    then
        echo "$db_file is already at VTAP schema $schema_version"
        return
    fi
    old=$(ovsdb-tool db-version "$db_file")
    backup=$db_file.backup$old-$(ovsdb-tool db-cksum "$db_file" | cut -d' ' -f1)
    cp "$db_file" "$backup"
    ovsdb-tool convert "$db_file" "$schema"
    echo "upgraded $db_file from VTAP schema $old to $schema_version" \
         "(backup: $backup)"
}

# Converts the database of a running server, in one transaction.
upgrade_remote () {
    if test "$(ovsdb-client needs-conversion "$remote" "$schema")" != yes
    then
        echo "VTAP database at $remote is already at schema $schema_version"
        return
    fi
    old=$(ovsdb-client get-schema-version "$remote" VTAP)
    ovsdb-client convert "$remote" "$schema"
    echo "upgraded VTAP database at $remote from schema $old to" \
         "$schema_version"
}

case $command in
    create)
        create_db
        ;;
    add)
        if ovs-appctl -t "$server" ovsdb-server/list-dbs | grep -qx VTAP
        then
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
        if test -n "$remote"; then
            upgrade_remote
        else
            upgrade_file
        fi
        ;;
    status)
        if test -n "$remote"; then
            db_version=$(ovsdb-client get-schema-version "$remote" VTAP)
        else
            db_version=$(ovsdb-tool db-version "$db_file")
        fi
        echo "database: $db_version"
        echo "schema: $schema_version"
        ;;
    *)
        die "unknown command \"$command\" (use --help for help)"
        ;;
esac

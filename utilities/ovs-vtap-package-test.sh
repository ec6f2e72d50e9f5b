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
# ovs-vtap-package-test.sh: checks how ovs-vtap installs, as root on Debian
# 12 after utilities/ovs-vtap-deps.sh: "make install" into a DESTDIR gives
# exactly the expected files and "make uninstall" removes them all; then,
# from a copy of the distribution ("make distdir") in a temporary directory,
# "dpkg-buildpackage -b -us -uc" makes the packages ovs-vtap and
# ovs-vtap-receiver (and dpkg-source the source package), whose contents
# (dpkg-deb -c) and metadata (dpkg-deb -I: version from configure.ac,
# exact Open vSwitch dependencies, conffiles, maintainer scripts) are
# checked, lintian finds no error or warning that is not overridden with
# its reason, and "systemd-analyze verify" accepts
# both units with the packages' files in place (an overlay on /usr in a
# private mount namespace: nothing is installed on the host).  Then the
# units' commands run as systemd would run them, with the packages'
# programs: ovs-vtapd with each example of /etc/default/ovs-vtap (options
# only), its ExecStartPre= and ExecStart= beside an ovsdb-server of the
# test's own, and a receiver instance with the example options on
# 127.0.0.1.  The source tree and the build tree stay as they were.
#
# Usage: ovs-vtap-package-test.sh [BUILDDIR]
#   BUILDDIR  a configured and built ovs-vtap tree (default: _build)
# Environment:
#   OVS_VTAP_KEEP_PACKAGES=DIR  copy the built .deb files to DIR

set -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(cd "${1:-$top/_build}" 2>/dev/null && pwd) \
    || { echo "$0: no build directory ${1:-$top/_build}" >&2; exit 1; }
test -f "$builddir/Makefile" \
    || { echo "$0: $builddir is not a configured build tree" >&2; exit 1; }

version=$(sed -n 's/^AC_INIT(\[ovs-vtap\], \[\([^]]*\)\].*/\1/p' \
          "$top/configure.ac")
test -n "$version" \
    || { echo "$0: no version in AC_INIT of configure.ac" >&2; exit 1; }
# The packages' version: debian/changelog's, AC_INIT's and a revision.
deb_version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
test "${deb_version%-*}" = "$version" \
    || { echo "$0: debian/changelog has $deb_version, not $version-N" >&2
         exit 1; }
ovs_version=$(dpkg-query -W -f='${Version}' openvswitch-source)
tmp=$(mktemp -d /tmp/ovs-vtap-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
start=$(date +%s)

# Runs the check "$2 ..." that $1 describes, quietly; prints "ok" or
# "FAILED" with the end of its output.
check () {
    local what=$1
    shift
    if "$@" >"$tmp/check.log" 2>&1; then
        echo "ok: $what"
        passed=$((passed + 1))
    else
        echo "FAILED: $what"
        tail -40 "$tmp/check.log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
}

# What "make install" installs (with prefix /usr), one path a line.
installed_files () {
    cat <<EOF
usr/bin/ovs-vtap-db.sh
usr/bin/ovs-vtap-receiver
usr/bin/ovs-vtapctl
usr/sbin/ovs-vtapd
usr/share/bash-completion/completions/ovs-vtapctl
usr/share/man/man5/vtap.5
usr/share/man/man8/ovs-vtap-db.sh.8
usr/share/man/man8/ovs-vtap-receiver.8
usr/share/man/man8/ovs-vtapctl.8
usr/share/man/man8/ovs-vtapd.8
usr/share/ovs-vtap/vtap.ovsschema
EOF
}

# The files of package $1.
package_files () {
    case $1 in
        ovs-vtap) cat <<EOF
etc/default/ovs-vtap
lib/systemd/system/ovs-vtapd.service
usr/bin/ovs-vtap-db.sh
usr/bin/ovs-vtapctl
usr/sbin/ovs-vtapd
usr/share/bash-completion/completions/ovs-vtapctl
usr/share/doc/ovs-vtap/README.Debian
usr/share/doc/ovs-vtap/changelog.Debian.gz
usr/share/doc/ovs-vtap/copyright
usr/share/lintian/overrides/ovs-vtap
usr/share/man/man5/vtap.5.gz
usr/share/man/man8/ovs-vtap-db.sh.8.gz
usr/share/man/man8/ovs-vtapctl.8.gz
usr/share/man/man8/ovs-vtapd.8.gz
usr/share/ovs-vtap/vtap.ovsschema
EOF
            ;;
        ovs-vtap-receiver) cat <<EOF
lib/systemd/system/ovs-vtap-receiver@.service
usr/bin/ovs-vtap-receiver
usr/share/doc/ovs-vtap-receiver/README.Debian
usr/share/doc/ovs-vtap-receiver/changelog.Debian.gz
usr/share/doc/ovs-vtap-receiver/copyright
usr/share/doc/ovs-vtap-receiver/examples/ovs-vtap-receiver-NAME
usr/share/lintian/overrides/ovs-vtap-receiver
usr/share/man/man8/ovs-vtap-receiver.8.gz
EOF
            ;;
    esac
}

# The files (not directories) under directory $1, relative, sorted.
list_files () {
    (cd "$1" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort)
}

# "make install" into a DESTDIR installs exactly installed_files.
check_install () {
    rm -rf "$tmp/dest"
    make -C "$builddir" install DESTDIR="$tmp/dest" prefix=/usr \
        sysconfdir=/etc localstatedir=/var || return 1
    diff -u <(installed_files | LC_ALL=C sort) <(list_files "$tmp/dest")
}

# bash-completion loads ovs-vtapctl's completion on demand from where
# "make install" put it.
check_bash_completion () {
    XDG_DATA_DIRS=$tmp/dest/usr/share bash -c '
        . /usr/share/bash-completion/bash_completion
        __load_completion ovs-vtapctl && complete -p ovs-vtapctl' \
        | grep -x 'complete -F _ovs_vtapctl ovs-vtapctl'
}

# "make uninstall" from that DESTDIR leaves no file.
check_uninstall () {
    make -C "$builddir" uninstall DESTDIR="$tmp/dest" prefix=/usr \
        sysconfdir=/etc localstatedir=/var || return 1
    diff -u /dev/null <(list_files "$tmp/dest")
}

# The source package and the binary packages from a copy of the
# distribution, as "make dist" would pack it.
check_build () {
    local src=$tmp/src/ovs-vtap-$version
    mkdir -p "$tmp/src" && make -C "$builddir" distdir distdir="$src" \
        || return 1
    # The source package too: the distribution less debian/ is the
    # upstream tarball.
    tar -C "$tmp/src" -czf "$tmp/src/ovs-vtap_$version.orig.tar.gz" \
        --exclude="ovs-vtap-$version/debian" "ovs-vtap-$version" \
        && (cd "$src" && dpkg-source -b .) || return 1
    (cd "$src" \
     && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -b -us -uc) \
        >"$tmp/dpkg-buildpackage.log" 2>&1 \
        || { tail -40 "$tmp/dpkg-buildpackage.log"; return 1; }
    grep '^# PASS: ' "$tmp/dpkg-buildpackage.log"
    for pkg in ovs-vtap ovs-vtap-receiver; do
        ls "$tmp/src/${pkg}_${deb_version}_"*.deb || return 1
    done
}

# The .deb of package $1.
deb () {
    echo "$tmp/src/$1_${deb_version}_$(dpkg --print-architecture).deb"
}

# Package $1 holds exactly package_files $1, with the right modes.
check_contents () {
    dpkg-deb -c "$(deb "$1")" >"$tmp/$1.contents" || return 1
    diff -u <(package_files "$1") \
        <(awk '$1 !~ /^d/ { sub("^\\./", "", $6); print $6 }' \
              "$tmp/$1.contents" | LC_ALL=C sort) || return 1
    # Programs executable, everything else not.
    awk '$1 ~ /^d/ { next }
         $6 ~ /\/s?bin\// && $1 !~ /^-rwxr-xr-x/ { bad = 1; print }
         $6 !~ /\/s?bin\// && $1 ~ /^-..x/ { bad = 1; print }
         END { exit bad }' "$tmp/$1.contents"
}

# Field $2 of package $1 must be $3.
field_is () {
    local value
    value=$(dpkg-deb -f "$(deb "$1")" "$2")
    test "$value" = "$3" || { echo "$1 $2: \"$value\", not \"$3\""; return 1; }
}

# Field $2 of package $1 must hold $3.
field_has () {
    local value
    value=$(dpkg-deb -f "$(deb "$1")" "$2")
    case ", $value," in
        *", $3,"*) ;;
        *) echo "$1 $2: \"$value\" lacks \"$3\""; return 1 ;;
    esac
}

# Both packages' control fields, ovs-vtap's conffiles and the systemd parts
# of its maintainer scripts.
check_metadata () {
    local ctl=$tmp/control
    dpkg-deb -I "$(deb ovs-vtap)" && dpkg-deb -I "$(deb ovs-vtap-receiver)" \
        || return 1
    for pkg in ovs-vtap ovs-vtap-receiver; do
        field_is "$pkg" Package "$pkg" \
            && field_is "$pkg" Version "$deb_version" \
            && field_is "$pkg" Architecture "$(dpkg --print-architecture)" \
            && field_has "$pkg" Depends "openvswitch-common (= $ovs_version)" \
            && field_is "$pkg" Built-Using "openvswitch (= $ovs_version)" \
            || return 1
    done
    field_has ovs-vtap Depends "openvswitch-switch (= $ovs_version)" \
        || return 1
    rm -rf "$ctl" && dpkg-deb -e "$(deb ovs-vtap)" "$ctl" || return 1
    diff -u <(echo /etc/default/ovs-vtap) "$ctl/conffiles" || return 1
    # debhelper enables and starts the unit on installation and stops it
    # on removal.
    grep -q "deb-systemd-helper enable 'ovs-vtapd.service'" "$ctl/postinst" \
        && grep -q "deb-systemd-invoke .*'ovs-vtapd.service'" "$ctl/postinst" \
        && grep -q "ovs-vtapd.service" "$ctl/prerm" \
        || { echo "ovs-vtap: no systemd snippets in its scripts"; return 1; }
}

# lintian finds no error or warning that is not overridden.
check_lintian () {
    lintian --fail-on error,warning --display-info \
        "$tmp/src/ovs-vtap_$deb_version.dsc" \
        "$(deb ovs-vtap)" "$(deb ovs-vtap-receiver)"
}

# Verifies both units with the packages' files on /usr (an overlay in a
# private mount namespace), so that their programs and manual pages exist.
check_units () {
    local root=$tmp/root
    rm -rf "$root" && mkdir -p "$root" || return 1
    dpkg-deb -x "$(deb ovs-vtap)" "$root" \
        && dpkg-deb -x "$(deb ovs-vtap-receiver)" "$root" || return 1
    # Debian 12's /lib is /usr/lib.
    mkdir -p "$root/usr/lib" && cp -a "$root/lib/." "$root/usr/lib/" \
        || return 1
    unshare --mount --propagation private sh -ec "
        mount -t overlay ovs-vtap-package -o lowerdir='$root/usr':/usr /usr
        out=\$(systemd-analyze verify \
            /lib/systemd/system/ovs-vtapd.service \
            /lib/systemd/system/ovs-vtap-receiver@.service 2>&1)
        echo \"\$out\"
        test -z \"\$out\""
}

# The command line of the setting $2 (ExecStart, ExecStartPre) of unit
# $1, its continued lines joined, as systemd would run it for instance
# "test" ("$$" as "$", the options variable $3 replaced by $4), with the
# run directory in $tmp/run and the programs of $tmp/root.
unit_command () {
    awk '/\\$/ { sub(/\\$/, ""); printf "%s", $0; next } { print }' \
        "$tmp/root/lib/systemd/system/$1" \
        | sed -n "s/^$2=//p" \
        | sed "s|/run/openvswitch/|$tmp/run/|g; s|%i|test|g;
               s|\\\$$3|$4|; s|\\$\\$|\\$|g;
               s|/usr/\\(s*bin/ovs-vtap\\)|$tmp/root/usr/\\1|g"
}

# ovs-vtapd accepts the options of its unit with each example of
# /etc/default/ovs-vtap (up to --help, which stops it there), and the
# receiver runs as its unit runs it with the example options of
# /etc/default/ovs-vtap-receiver-NAME (on 127.0.0.1, port 0) and answers
# ovs-appctl on the unit's control socket.
check_unit_options () {
    local opts cmd pid ctl=$tmp/run/ovs-vtap-receiver-test.ctl
    local examples=$tmp/root/usr/share/doc/ovs-vtap-receiver/examples
    mkdir -p "$tmp/run" "$tmp/rx" || return 1
    grep '^#OVS_VTAPD_OPTS=' "$tmp/root/etc/default/ovs-vtap" \
        | sed 's/^#//' >"$tmp/vtapd-examples"
    test -s "$tmp/vtapd-examples" || return 1
    while read -r line; do
        opts=$(eval "$line"; echo "$OVS_VTAPD_OPTS")
        cmd=$(unit_command ovs-vtapd.service ExecStart OVS_VTAPD_OPTS \
              "$opts")
        cmd=${cmd/--log-file/--log-file=$tmp/run/ovs-vtapd.log}
        echo "$cmd --help"
        $cmd --help >/dev/null || return 1
    done <"$tmp/vtapd-examples"

    opts=$(. "$examples/ovs-vtap-receiver-NAME"
           echo "$OVS_VTAP_RECEIVER_OPTS")
    test -n "$opts" || return 1
    opts=$(echo "$opts" | sed 's/--listen=[^ ]*/--listen=127.0.0.1:0/')
    cmd=$(unit_command ovs-vtap-receiver@.service ExecStart \
          OVS_VTAP_RECEIVER_OPTS "$opts")
    echo "$cmd"
    (cd "$tmp/rx" && exec $cmd) &
    pid=$!
    for i in $(seq 100); do
        test -S "$ctl" && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    ovs-appctl -t "$ctl" receiver/show | grep '^datagrams: 0' \
        && ovs-appctl -t "$ctl" exit
    local rc=$?
    test $rc = 0 || kill $pid 2>/dev/null
    wait $pid && test $rc = 0
}

# ovs-vtapd.service's ExecStartPre= and ExecStart= as systemd runs them,
# with the packages' programs, beside an ovsdb-server of its own (no
# ovs-vswitchd: nothing is switched, no packet is sent): the VTAP database
# is created and served, a second start leaves it as it is, and ovs-vtapd
# detaches, writes its pidfile and realizes a VTAP, here in error for want
# of its port.
check_vtapd_unit () {
    local run=$tmp/run db=$tmp/db rc=0
    mkdir -p "$run" "$db" || return 1
    (
        export OVS_RUNDIR=$run OVS_DBDIR=$db OVS_LOGDIR=$run \
               OVS_VTAP_LOCAL_DB=yes OVS_VTAP_DB_OPTS= OVS_VTAPD_OPTS=
        local pre start ctl
        pre=$(unit_command ovs-vtapd.service ExecStartPre x x)
        start=$(unit_command ovs-vtapd.service ExecStart x x)
        ctl="$tmp/root/usr/bin/ovs-vtapctl --db=unix:$run/db.sock"
        set -ex
        ovsdb-tool create "$db/conf.db" \
            /usr/share/openvswitch/vswitch.ovsschema
        ovsdb-server --detach --no-chdir --pidfile --log-file \
            --remote="punix:$run/db.sock" "$db/conf.db"
        ovs-vsctl --db="unix:$run/db.sock" --no-wait init
        eval "$pre" | tee "$tmp/pre.log"
        grep -q "now serves $db/vtap.db" "$tmp/pre.log"
        eval "$pre" | grep 'already serves the VTAP database'
        (OVS_VTAP_LOCAL_DB=no; eval "$pre") | tee "$tmp/pre.log"
        test ! -s "$tmp/pre.log"
        eval "$start"
        test -s "$run/ovs-vtapd.pid"
        $ctl add-target nlb 192.0.2.222 -- add-filter f \
            -- add-rule f ingress include -- add-vtap v nosuchport nlb f \
            -- start v
        for i in $(seq 100); do
            $ctl show | grep -q 'reason: source port nosuchport not found' \
                && break
            sleep 0.1
        done
        $ctl show
        ovs-appctl -t ovs-vtapd vtap/show | grep -q '^VTAP v .*: error$'
    ) || rc=1
    for daemon in ovs-vtapd ovsdb-server; do
        if test -s "$run/$daemon.pid"; then
            OVS_RUNDIR=$run ovs-appctl -t "$run/$daemon.$(cat \
                "$run/$daemon.pid").ctl" exit 2>/dev/null \
                || kill "$(cat "$run/$daemon.pid")"
        fi
    done
    return $rc
}

echo "ovs-vtap-package-test: ovs-vtap $version on Open vSwitch $ovs_version"
check "make install DESTDIR: the expected files" check_install
check "bash completion loads on demand from there" check_bash_completion
check "make uninstall DESTDIR: nothing left" check_uninstall
check "dpkg-buildpackage -b -us -uc from make distdir" check_build
if test -f "$(deb ovs-vtap)"; then
    check "dpkg-deb -c ovs-vtap: contents and modes" check_contents ovs-vtap
    check "dpkg-deb -c ovs-vtap-receiver: contents and modes" \
        check_contents ovs-vtap-receiver
    check "dpkg-deb -I: version, dependencies, conffiles, scripts" \
        check_metadata
    check "lintian (source, both packages): no error or warning" \
        check_lintian
    check "systemd-analyze verify: both units" check_units
    check "the units' command lines with the example options" \
        check_unit_options
    check "ovs-vtapd.service's commands beside an ovsdb-server" \
        check_vtapd_unit
    if test -n "$OVS_VTAP_KEEP_PACKAGES"; then
        mkdir -p "$OVS_VTAP_KEEP_PACKAGES" \
            && cp "$tmp"/src/*.deb "$OVS_VTAP_KEEP_PACKAGES"/
    fi
    for pkg in ovs-vtap ovs-vtap-receiver; do
        echo "package: $(basename "$(deb "$pkg")")," \
             "$(stat -c %s "$(deb "$pkg")") bytes"
    done
fi
echo "ovs-vtap-package-test: $passed checks ok, $failed failed" \
     "($(( $(date +%s) - start ))s)"
test "$failed" = 0

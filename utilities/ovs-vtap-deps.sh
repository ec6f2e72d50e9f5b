#!/bin/bash
# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# ovs-vtap-deps.sh: install every Debian package that ovs-vtap needs to build,
# test and run, and build Open vSwitch from Debian's openvswitch-source into a
# cache directory outside the checkout (once per installed OVS version).
#
# Usage: ovs-vtap-deps.sh [--print-ovs-build]
#   --print-ovs-build   only print the cached OVS build directory and exit.
#
# Environment:
#   OVS_VTAP_CACHE  cache directory (default /var/cache/ovs-vtap)

set -e

CACHE=${OVS_VTAP_CACHE:-/var/cache/ovs-vtap}

PACKAGES="openvswitch-switch openvswitch-source openvswitch-common
          build-essential autoconf automake libtool pkg-config python3
          libssl-dev libcap-ng-dev libunbound-dev unbound libcmocka-dev
          libpcap-dev tcpdump tshark iproute2 iputils-ping iperf3
          netcat-openbsd procps psmisc dnsutils groff clang
          libclang-rt-14-dev python3-openvswitch debhelper dpkg-dev
          lintian systemd bash-completion"

ovs_version() {
    dpkg-query -W -f='${Version}' openvswitch-source 2>/dev/null
}

ovs_build_dir() {
    echo "$CACHE/openvswitch-$(ovs_version)"
}

if test "$1" = --print-ovs-build; then
    ovs_build_dir
    exit 0
fi

if test "$(id -u)" != 0; then
    echo "$0: must run as root (installs Debian packages)" >&2
    exit 1
fi

missing=
for pkg in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
            | grep -q 'install ok installed'; then
        missing="$missing $pkg"
    fi
done
if test -n "$missing"; then
    echo "ovs-vtap-deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends $missing
fi

# The installed switch and the source package must be the same release, or
# the library we link would not match the daemons we test against.
switch_version=$(dpkg-query -W -f='${Version}' openvswitch-switch)
if test "$switch_version" != "$(ovs_version)"; then
    echo "ovs-vtap-deps: openvswitch-switch $switch_version and" \
         "openvswitch-source $(ovs_version) differ" >&2
    exit 1
fi

build=$(ovs_build_dir)
if test -f "$build/.ovs-vtap-built"; then
    echo "ovs-vtap-deps: reusing Open vSwitch build in $build"
    exit 0
fi

echo "ovs-vtap-deps: building Open vSwitch $(ovs_version) in $build"
start=$(date +%s)
mkdir -p "$CACHE"
# Drop stale builds of other versions.
for old in "$CACHE"/openvswitch-*; do
    test -e "$old" && test "$old" != "$build" && rm -rf "$old"
done
# Build in place (libtool and the IDL generator remember absolute paths);
# the stamp file is written only when everything has been built.
rm -rf "$build"
mkdir -p "$build"
tar -xzf /usr/src/openvswitch/openvswitch.tar.gz -C "$build" \
    --strip-components=1
(
    cd "$build"
    test -x configure || ./boot.sh
    ./configure --prefix=/usr --localstatedir=/var --sysconfdir=/etc \
                --enable-shared=no --with-pic >configure.log 2>&1 \
        || { tail -30 configure.log; exit 1; }
    # Only what ovs-vtap links and runs: the generated sources first (make
    # does not order them before explicit targets), then the library and
    # the IDL generator.
    built_sources=$(printf 'print-bs:\n\t@echo $(BUILT_SOURCES)\n' \
                    | make -s -f Makefile -f - print-bs)
    make -j"$(nproc)" $built_sources >make.log 2>&1 \
        && make -j"$(nproc)" lib/libopenvswitch.la ovsdb/ovsdb-idlc \
                ovsdb/ovsdb-tool >>make.log 2>&1 \
        || { tail -30 make.log; exit 1; }
)
touch "$build/.ovs-vtap-built"
echo "ovs-vtap-deps: Open vSwitch built in $(( $(date +%s) - start ))s"

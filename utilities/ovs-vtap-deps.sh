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
# ovs-vtap-deps.sh: install every Debian package that ovs-vtap needs to build,
# test and run, and build Open vSwitch from Debian's openvswitch-source into a
# cache directory outside the checkout (once per installed OVS version).
# Prints one line per phase with its time; the full output goes to the
# set-up log ($OVS_VTAP_SETUP_LOG, by default $OVS_VTAP_CACHE/setup.log),
# whose last lines and path are printed if a phase fails.
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
          lintian systemd bash-completion nftables"

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

# shellcheck source=utilities/ovs-vtap-setup.sh
. "$(dirname "$0")/ovs-vtap-setup.sh"
setup_log_init "$CACHE/setup.log"

# Installs the packages that are missing.  The installed switch and the
# source package must then be the same release, or the library we link
# would not match the daemons we test against.
install_packages() {
    local pkg missing='' switch_version
    for pkg in $PACKAGES; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null \
                | grep -q 'install ok installed'; then
            missing="$missing $pkg"
        fi
    done
    if test -n "$missing"; then
        echo "installing:$missing"
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get update -q \
            && DEBIAN_FRONTEND=noninteractive \
               apt-get install -y -q --no-install-recommends $missing \
            || return 1
        setup_note="installed$missing"
    else
        setup_note="all installed"
    fi
    switch_version=$(dpkg-query -W -f='${Version}' openvswitch-switch)
    if test "$switch_version" != "$(ovs_version)"; then
        echo "openvswitch-switch $switch_version and" \
             "openvswitch-source $(ovs_version) differ" >&2
        return 1
    fi
}

# Builds Open vSwitch in the cache, unless a complete build is there.
build_ovs() {
    local build old built_sources
    build=$(ovs_build_dir)
    if test -f "$build/.ovs-vtap-built"; then
        setup_note="reusing $build"
        return 0
    fi
    echo "building Open vSwitch $(ovs_version) in $build"
    mkdir -p "$CACHE" || return 1
    # Drop stale builds of other versions.
    for old in "$CACHE"/openvswitch-*; do
        if test -e "$old" && test "$old" != "$build"; then
            rm -rf "$old"
        fi
    done
    # Build in place (libtool and the IDL generator remember absolute
    # paths); the stamp file is written only when everything has been built.
    rm -rf "$build" && mkdir -p "$build" || return 1
    tar -xzf /usr/src/openvswitch/openvswitch.tar.gz -C "$build" \
        --strip-components=1 || return 1
    (
        cd "$build" || exit 1
        if test ! -x configure; then
            ./boot.sh || exit 1
        fi
        ./configure --prefix=/usr --localstatedir=/var --sysconfdir=/etc \
                    --enable-shared=no --with-pic || exit 1
        # Only what ovs-vtap links and runs: the generated sources first
        # (make does not order them before explicit targets), then the
        # library and the IDL generator.
        # shellcheck disable=SC2016
        built_sources=$(printf 'print-bs:\n\t@echo $(BUILT_SOURCES)\n' \
                        | make -s -f Makefile -f - print-bs) || exit 1
        # shellcheck disable=SC2086
        make -j"$(nproc)" $built_sources \
            && make -j"$(nproc)" lib/libopenvswitch.la ovsdb/ovsdb-idlc \
                    ovsdb/ovsdb-tool
    ) || return 1
    touch "$build/.ovs-vtap-built"
    setup_note="built in $build"
}

setup_phase packages install_packages || exit 1
setup_phase "Open vSwitch build" build_ovs || exit 1

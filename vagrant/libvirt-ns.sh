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
# libvirt-ns.sh: runs libvirtd and virtlogd inside a network namespace of
# their own, so that every bridge, dnsmasq, firewall rule and guest address
# that libvirt makes lives there and nowhere else, for machines where
# systemd does not start libvirt (or where it must not touch the host's
# network).  "down" removes exactly what "up" and the guests made: the
# domains, networks and volumes whose names start with the prefix, the
# daemons by their pid files, the namespace, /dev/kvm's mode, the domains'
# qemu logs and libvirtd's /run/libvirt (if "up" made it).

set -e -o pipefail

program=${0##*/}

usage() {
    cat <<EOF
usage: $program up NAMESPACE
       $program down NAMESPACE PREFIX...
       $program exec NAMESPACE COMMAND...
Run libvirtd and virtlogd in network namespace NAMESPACE (made by "up"),
and tear it all down again.

  up NAMESPACE           make the namespace, start virtlogd and libvirtd in
                         it (state in $state_root/NAMESPACE)
  down NAMESPACE PREFIX  destroy and undefine the domains and networks whose
                         names start with a PREFIX, delete such volumes of
                         the "default" pool, stop the daemons, remove the
                         namespace, restore /dev/kvm's mode, remove the
                         domains' qemu logs and /run/libvirt if "up" made it
  exec NAMESPACE CMD...  run CMD (vagrant, virsh) inside the namespace
EOF
}

state_root=/run/ovs-vtap-libvirt-ns

die() {
    echo "$program: $*" >&2
    exit 1
}

check_namespace_name() {
    case $1 in
        '' | *[!A-Za-z0-9_-]*) die "bad namespace name '$1'" ;;
    esac
}

in_ns() {
    ip netns exec "$ns" "$@"
}

virsh_ns() {
    in_ns virsh --quiet --connect qemu:///system "$@"
}

# /dev/kvm must be usable by libvirt's qemu user, or libvirt discards its
# cached QEMU capabilities on every call (seconds each).  The mode is put
# back at "down".
open_kvm() {
    test -c /dev/kvm || return 0
    stat -c '%g %a' /dev/kvm > "$state/kvm-mode"
    chgrp kvm /dev/kvm 2>/dev/null || true
    chmod 0660 /dev/kvm
}

restore_kvm() {
    local gid mode
    test -f "$state/kvm-mode" || return 0
    read -r gid mode < "$state/kvm-mode"
    chgrp "$gid" /dev/kvm && chmod "$mode" /dev/kvm
}

start_daemon() {
    local daemon=$1
    in_ns "$daemon" -d -p "$state/$daemon.pid"
    for _ in $(seq 100); do
        test -s "$state/$daemon.pid" && return 0
        sleep 0.1
    done
    die "$daemon did not start"
}

stop_daemon() {
    local pidfile=$state/$1.pid pid
    test -s "$pidfile" || return 0
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

matches_prefix() {
    local name=$1 prefix
    for prefix in "${prefixes[@]}"; do
        case $name in "$prefix"*) return 0 ;; esac
    done
    return 1
}

cmd_up() {
    test -n "$(ls /run/libvirt/libvirt-sock 2>/dev/null)" \
        && die "a libvirtd already runs on this machine (/run/libvirt)"
    ip netns add "$ns"
    mkdir -p "$state"
    # libvirtd's run-time state goes to /run/libvirt (the namespace is a
    # network namespace only): "down" removes it if "up" made it.
    test -e /run/libvirt || : > "$state/made-run-libvirt"
    ip -n "$ns" link set lo up
    open_kvm
    start_daemon virtlogd
    start_daemon libvirtd
    for _ in $(seq 100); do
        virsh_ns version >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    die "libvirtd in $ns does not answer"
}

cmd_down() {
    local name
    test -d "$state" || ip netns pids "$ns" >/dev/null 2>&1 \
        || die "no namespace $ns made by $program"
    if test -s "$state/libvirtd.pid" \
            && kill -0 "$(cat "$state/libvirtd.pid")" 2>/dev/null; then
        for name in $(virsh_ns list --all --name); do
            matches_prefix "$name" || continue
            virsh_ns destroy "$name" >/dev/null 2>&1 || true
            virsh_ns undefine "$name" --remove-all-storage --nvram \
                >/dev/null 2>&1 \
                || virsh_ns undefine "$name" --remove-all-storage >/dev/null
        done
        for name in $(virsh_ns net-list --all --name); do
            matches_prefix "$name" || continue
            virsh_ns net-destroy "$name" >/dev/null 2>&1 || true
            virsh_ns net-undefine "$name" >/dev/null
        done
        for name in $(virsh_ns vol-list default 2>/dev/null \
                          | awk '{print $1}'); do
            matches_prefix "$name" || continue
            virsh_ns vol-delete --pool default "$name" >/dev/null
        done
    fi
    stop_daemon libvirtd
    stop_daemon virtlogd
    if ip netns pids "$ns" 2>/dev/null | grep -q .; then
        die "processes still run in $ns: $(ip netns pids "$ns" | xargs)"
    fi
    ip netns del "$ns" 2>/dev/null || true
    restore_kvm
    for name in /var/log/libvirt/qemu/*.log; do
        if matches_prefix "${name##*/}"; then
            rm -f "$name"
        fi
    done
    if test -e "$state/made-run-libvirt"; then
        rm -rf /run/libvirt
    fi
    rm -rf "$state"
}

test $# -ge 1 || { usage >&2; exit 1; }
case $1 in
    -h | --help) usage; exit 0 ;;
esac
command=$1; shift
test $# -ge 1 || die "$command: a namespace name is needed"
ns=$1; shift
check_namespace_name "$ns"
state=$state_root/$ns
case $command in
    up) test $# -eq 0 || die "up: only a namespace"; cmd_up ;;
    down) test $# -ge 1 || die "down: at least one name prefix"
          prefixes=("$@"); cmd_down ;;
    exec) test $# -ge 1 || die "exec: a command"; in_ns "$@" ;;
    *) die "unknown command '$command' (see --help)" ;;
esac

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
# smoke.sh: checks the offline Vagrant set-up end to end on this machine:
# the box (vagrant/build-box.sh), libvirt in a network namespace of its own
# (vagrant/libvirt-ns.sh), two guests under qemu's TCG on a private
# network, Open vSwitch running in each and a ping between them, then
# everything destroyed.  Exits non-zero if any step fails, and tears down
# what it made also on failure or Ctrl-C.  Prints each phase's time.

set -e -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
program=${0##*/}
ns=vtvg$$
prefix=vtvgsmoke$$
box=$("$here/build-box.sh" --print-name)
work=$(mktemp -d /tmp/ovs-vtap-vagrant-smoke.XXXXXX)
export VAGRANT_DOTFILE_PATH=$work/.vagrant
started=no
t0=$(date +%s)

say() {
    printf '%s: %s (%d s)\n' "$program" "$*" $(( $(date +%s) - t0 ))
}

teardown() {
    local rc=$?
    trap - EXIT INT TERM
    if test $started = yes; then
        (cd "$work" && "$here/libvirt-ns.sh" exec "$ns" \
             vagrant destroy -f >/dev/null 2>&1) || true
        "$here/libvirt-ns.sh" down "$ns" "$prefix" \
            "${box//\//-VAGRANTSLASH-}" || rc=1
    fi
    rm -rf "$work"
    test $rc = 0 && say "passed" || say "FAILED"
    exit $rc
}
trap teardown EXIT
trap 'exit 130' INT TERM

"$here/build-box.sh"
say "box ready"

cat > "$work/Vagrantfile" <<EOF
Vagrant.configure("2") do |config|
  config.vm.box = "$box"
  config.vm.synced_folder ".", "/vagrant", disabled: true
  config.vm.provider :libvirt do |lv|
    lv.driver = "qemu"
    lv.cpu_mode = "custom"
    lv.cpu_model = "qemu64"
    lv.memory = 768
    lv.cpus = 1
    lv.default_prefix = "${prefix}_"
    lv.management_network_name = "${prefix}-mgmt"
    lv.management_network_address = "10.254.7.0/24"
    lv.management_network_mode = "none"
  end
  %w[a b].each_with_index do |n, i|
    config.vm.define n do |m|
      m.vm.hostname = n
      m.vm.network :private_network, ip: "172.31.9.#{10 + i}",
        libvirt__network_name: "${prefix}-priv",
        libvirt__forward_mode: "none", libvirt__dhcp_enabled: false
    end
  end
end
EOF

started=yes
"$here/libvirt-ns.sh" up "$ns"
say "libvirtd runs in namespace $ns"
(cd "$work" && "$here/libvirt-ns.sh" exec "$ns" \
     vagrant up --provider=libvirt > "$work/up.log" 2>&1) \
    || { tail -n 20 "$work/up.log" >&2; exit 1; }
say "vagrant up: two guests"
(cd "$work" && "$here/libvirt-ns.sh" exec "$ns" vagrant ssh a -c \
     'sudo ovs-vsctl --timeout=30 show >/dev/null && ping -c 3 -W 5 172.31.9.11' \
     > "$work/check.log" 2>&1) \
    || { cat "$work/check.log" >&2; exit 1; }
grep -q ' 0% packet loss' "$work/check.log"
say "Open vSwitch runs in a guest, which pings the other"

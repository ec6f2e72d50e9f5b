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
# build-box.sh: builds a Debian 12 box for Vagrant's libvirt provider from
# Debian's package mirror alone, with everything the demo's guests need
# baked in (the guests have no route to any mirror), and adds it to Vagrant
# under a local name.  The box is cached: a second run with the same
# script and package list only checks that Vagrant has it.
#
# Needs root (mmdebstrap into a directory, qemu for one boot), mmdebstrap,
# qemu-system-x86, qemu-utils, e2fsprogs, fdisk and vagrant.  It makes no
# network of any kind: the one boot that installs the boot loader has no
# network device.

set -e -o pipefail

program=${0##*/}

usage() {
    cat <<EOF
usage: $program [OPTIONS]
Build a Debian 12 (bookworm) box for Vagrant's libvirt provider from
Debian's mirror, and add it to Vagrant.

Options:
  --name NAME     the box's name in Vagrant (default: $default_name)
  --cache DIR     where boxes are kept (default: $default_cache)
  --mirror URL    Debian mirror (default: the first one in apt's sources,
                  else http://deb.debian.org/debian)
  --force         build again even if a cached box matches
  --print-name    print the box's name and exit
  -h, --help      this help

Environment: VAGRANT_HOME (Vagrant's own) says where Vagrant keeps boxes.
The box has a user "vagrant" with Vagrant's well-known insecure key, as
public boxes do: it is meant for throw-away guests on private networks.
EOF
}

default_name=ovs-vtap/bookworm-offline
default_cache=/var/cache/ovs-vtap/vagrant-box
name=$default_name
cache=$default_cache
mirror=
force=no

# What the guests run: the hypervisors (Open vSwitch, ovs-vtap's packages
# and what they depend on), the NLB (nftables) and the collectors
# (tcpdump).  ovs-vtap's own .debs are copied in later and installed with
# apt, offline: every library they link must already be here.
box_packages="systemd-sysv udev dbus openssh-server sudo linux-image-amd64
grub-pc ca-certificates iproute2 iputils-ping netcat-openbsd procps less
rsync openvswitch-switch openvswitch-common python3 nftables tcpdump
libunbound8 libpcap0.8 libcap-ng0 libssl3
dnsutils"

die() {
    echo "$program: $*" >&2
    exit 1
}

say() {
    printf '%s: %s\n' "$program" "$*"
}

apt_mirror() {
    local uri
    uri=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)\/*$/\1/p' \
              /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
    if test -z "$uri"; then
        uri=$(sed -n 's/^deb  *\(http[^ ]*\/debian\)\/* .*/\1/p' \
                  /etc/apt/sources.list 2>/dev/null | head -n 1)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

while test $# -gt 0; do
    case $1 in
        --name) test $# -ge 2 || die "--name needs a value"; name=$2; shift ;;
        --name=*) name=${1#*=} ;;
        --cache) test $# -ge 2 || die "--cache needs a value"; cache=$2
                 shift ;;
        --cache=*) cache=${1#*=} ;;
        --mirror) test $# -ge 2 || die "--mirror needs a value"; mirror=$2
                  shift ;;
        --mirror=*) mirror=${1#*=} ;;
        --force) force=yes ;;
        --print-name) echo "$name"; exit 0 ;;
        -h | --help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
    shift
done
case $name in
    */*/* | /* | */ | *[!A-Za-z0-9._/-]*)
        die "bad box name '$name': use letters, digits, '.', '_', '-' and at \
most one '/'" ;;
esac
test "$(id -u)" = 0 || die "must run as root (mmdebstrap, qemu)"
for tool in mmdebstrap qemu-system-x86_64 qemu-img mke2fs sfdisk vagrant; do
    command -v $tool >/dev/null || die "$tool not found: apt-get install \
mmdebstrap qemu-system-x86 qemu-utils e2fsprogs fdisk vagrant"
done
test -n "$mirror" || mirror=$(apt_mirror)
security_mirror=${mirror%/debian}/debian-security

vagrant_key=$(ls /usr/share/rubygems-integration/all/gems/vagrant-*/keys/\
vagrant.pub 2>/dev/null | head -n 1)
test -n "$vagrant_key" || die "Vagrant's insecure public key not found \
(is Debian's vagrant package installed?)"

# The cache key: this script (which says how the box is made) and the
# mirror.  The packages' versions are those of the mirror on the day.
key=$( (cat "$0"; echo "$mirror") | sha256sum | cut -c1-16)
dir=$cache/$key
box_version=1.0.$((16#${key:0:7}))

box_added() {
    vagrant box list --machine-readable 2>/dev/null \
        | awk -F, -v n="$name" -v v="$box_version" '
            $3 == "box-name" { cur = $4 }
            $3 == "box-version" && cur == n && $4 == v { found = 1 }
            END { exit !found }'
}

if test $force = no && test -f "$dir/done"; then
    if box_added; then
        say "box $name $box_version is cached in $dir and added"
        exit 0
    fi
    say "box $name $box_version is cached in $dir; adding it"
    vagrant box add --force "file://$dir/catalog.json" >/dev/null
    say "added $name $box_version"
    exit 0
fi

start=$(date +%s)
rm -rf "$dir"
mkdir -p "$dir"
work=$(mktemp -d "$dir/work.XXXXXX")
qemu_pid=
cleanup() {
    if test -n "$qemu_pid"; then
        kill "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

root=$work/rootfs
uuid=$(cat /proc/sys/kernel/random/uuid)

# The customize hook: a vagrant user with the insecure key and sudo, DHCP
# on every Ethernet device by systemd-networkd (Vagrant's Debian guest
# support then configures private networks through networkd), the root
# file system, a serial console, and a one-shot boot script that installs
# the boot loader from inside the guest (no loop device needed here).
customize() {
    local r=$1
    chroot "$r" useradd -m -s /bin/bash -G sudo vagrant
    echo vagrant:vagrant | chroot "$r" chpasswd
    install -d -m 0700 "$r/home/vagrant/.ssh"
    install -m 0600 "$vagrant_key" "$r/home/vagrant/.ssh/authorized_keys"
    chroot "$r" chown -R vagrant:vagrant /home/vagrant/.ssh
    echo 'vagrant ALL=(ALL) NOPASSWD:ALL' > "$r/etc/sudoers.d/vagrant"
    chmod 0440 "$r/etc/sudoers.d/vagrant"
    # One host key, Ed25519: "ssh-keygen -A" also makes RSA and ECDSA
    # keys, and the RSA one takes a minute and a half under TCG.
    printf 'UseDNS no\nHostKey /etc/ssh/ssh_host_ed25519_key\n' \
        > "$r/etc/ssh/sshd_config.d/vagrant.conf"
    echo bookworm > "$r/etc/hostname"
    printf '127.0.0.1 localhost\n127.0.1.1 bookworm\n' > "$r/etc/hosts"
    echo "UUID=$uuid / ext4 errors=remount-ro 0 1" > "$r/etc/fstab"
    mkdir -p "$r/etc/systemd/network"
    printf '[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n' \
        > "$r/etc/systemd/network/80-eth0.network"
    chroot "$r" systemctl enable systemd-networkd ssh >/dev/null 2>&1
    # The guests have no route to a mirror.
    : > "$r/etc/apt/sources.list"
    rm -f "$r"/etc/apt/sources.list.d/*
    cat >> "$r/etc/default/grub" <<'EOF'
GRUB_TIMEOUT=1
GRUB_CMDLINE_LINUX="console=tty0 console=ttyS0,115200 net.ifnames=0"
EOF
    cat > "$r/sbin/box-install-grub" <<'EOF'
#!/bin/sh
# Runs once as init: installs grub on the box's disk, then powers off.
mount -t proc proc /proc 2>/dev/null
mount -t sysfs sys /sys 2>/dev/null
mount -t devtmpfs dev /dev 2>/dev/null
mount -o remount,rw /
if grub-install --target=i386-pc /dev/vda && update-grub; then
    echo BOX-GRUB-OK
else
    echo BOX-GRUB-FAILED
fi
rm -f /sbin/box-install-grub
sync
mount -o remount,ro /
echo o > /proc/sysrq-trigger
sleep 30
EOF
    chmod 0755 "$r/sbin/box-install-grub"
    chroot "$r" apt-get clean
    rm -rf "$r"/var/lib/apt/lists/* "$r"/var/log/*.log
    rm -f "$r/etc/machine-id" "$r/var/lib/dbus/machine-id"
    : > "$r/etc/machine-id"
    rm -f "$r"/etc/ssh/ssh_host_*
    cat > "$r/etc/systemd/system/ssh-host-keys.service" <<'EOF'
[Unit]
Description=SSH host keys made on first boot
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -q -t ed25519 -N "" -f /etc/ssh/ssh_host_ed25519_key

[Install]
WantedBy=multi-user.target
EOF
    chroot "$r" systemctl enable ssh-host-keys >/dev/null 2>&1
    # Open vSwitch starts where provision.sh makes a hypervisor, not at
    # boot: network.target, and so sshd, would wait for it (a minute under
    # TCG), and the NLB and the collector do not need it.
    chroot "$r" systemctl disable openvswitch-switch ovs-record-hostname \
        >/dev/null 2>&1
}

say "packages from $mirror into $root"
mkdir "$root"
mmdebstrap --quiet --variant=apt --components=main \
    --include="$(echo $box_packages | tr ' ' ,)" \
    --aptopt='Acquire::Retries "3"' \
    --essential-hook='echo "grub-pc grub-pc/install_devices multiselect" |
        chroot "$1" debconf-set-selections' \
    bookworm "$root" \
    "deb $mirror bookworm main" \
    "deb $mirror bookworm-updates main" \
    "deb $security_mirror bookworm-security main" \
    > "$work/mmdebstrap.log" 2>&1 \
    || { tail -n 20 "$work/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
customize "$root"
kernel=$(ls "$root"/boot/vmlinuz-* | tail -n 1)
initrd=$(ls "$root"/boot/initrd.img-* | tail -n 1)
test -f "$kernel" && test -f "$initrd" || die "no kernel in the box"
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd"
say "packages done ($(( $(date +%s) - start )) s, $(du -sm "$root" \
| cut -f1) MiB)"

# A sparse 8 GiB disk with one partition from 1 MiB, the file system made
# straight from the directory.
disk=$work/disk.raw
truncate -s 8G "$disk"
echo 'start=2048, type=83, bootable' | sfdisk --quiet "$disk"
part_size=$(( (8 * 1024 - 1) * 1024 ))
mke2fs -q -t ext4 -U "$uuid" -L root -E offset=1048576 -d "$root" \
    "$disk" "${part_size}k"
rm -rf "$root"

# One boot under TCG, without network, to install the boot loader.
say "installing the boot loader (one boot under qemu)"
qemu-system-x86_64 -machine accel=tcg -m 1024 -nographic -no-reboot \
    -nic none -kernel "$work/vmlinuz" -initrd "$work/initrd" \
    -append "root=UUID=$uuid ro console=ttyS0 panic=1 init=/sbin/box-install-grub" \
    -drive file="$disk",format=raw,if=virtio \
    > "$work/grub-boot.log" 2>&1 < /dev/null &
qemu_pid=$!
for _ in $(seq 300); do
    kill -0 $qemu_pid 2>/dev/null || break
    sleep 1
done
cp "$work/grub-boot.log" "$dir/grub-boot.log"
if kill -0 $qemu_pid 2>/dev/null; then
    tail -n 20 "$work/grub-boot.log" >&2
    die "the boot that installs grub did not end in 300 s"
fi
wait $qemu_pid || true
qemu_pid=
grep -q BOX-GRUB-OK "$work/grub-boot.log" \
    || { tail -n 20 "$work/grub-boot.log" >&2
         die "grub-install failed (the boot's log: $dir/grub-boot.log)"; }

say "making the box"
qemu-img convert -O qcow2 -c "$disk" "$work/box.img"
rm -f "$disk"
cat > "$work/metadata.json" <<EOF
{"provider": "libvirt", "format": "qcow2", "virtual_size": 8}
EOF
cat > "$work/Vagrantfile" <<'EOF'
# The box's own defaults: the libvirt provider, a serial console.
Vagrant.configure("2") do |config|
  config.vm.provider :libvirt do |libvirt|
    libvirt.disk_bus = "virtio"
  end
end
EOF
tar -C "$work" -cf "$dir/box.box" metadata.json Vagrantfile box.img
checksum=$(sha256sum "$dir/box.box" | cut -d' ' -f1)
cat > "$dir/catalog.json" <<EOF
{"name": "$name",
 "versions": [{"version": "$box_version",
   "providers": [{"name": "libvirt", "url": "file://$dir/box.box",
                  "checksum_type": "sha256", "checksum": "$checksum"}]}]}
EOF
vagrant box add --force "file://$dir/catalog.json" >/dev/null
touch "$dir/done"
# The boxes that older versions of this script made: out of the cache and
# out of Vagrant.
for old in "$cache"/*/; do
    test "${old%/}" = "$dir" || rm -rf "$old"
done
vagrant box list --machine-readable 2>/dev/null \
    | awk -F, -v n="$name" -v v="$box_version" '
        $3 == "box-name" { cur = $4 }
        $3 == "box-version" && cur == n && $4 != v { print $4 }' \
    | while read -r old; do
        vagrant box remove --force "$name" --box-version "$old" >/dev/null \
            || true
    done
say "box $name $box_version added ($(du -m "$dir/box.box" | cut -f1) MiB, \
$(( $(date +%s) - start )) s)"

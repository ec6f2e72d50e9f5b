#!/bin/bash
# ovs-vtap-lab.sh: the ovs-vtap lab in network namespaces.
#
# Usage: ovs-vtap-lab.sh demo
#
# For now "demo" does the whole set-up (Debian packages, the Open vSwitch
# build, configure and make); the scenario itself comes with the lab.

set -e
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

case "$1" in
demo)
    bash utilities/ovs-vtap-deps.sh
    if test ! -x configure || test configure.ac -nt configure; then
        autoreconf -fi
    fi
    mkdir -p _build
    (cd _build && { test -f Makefile || ../configure; } && make -j"$(nproc)")
    echo "ovs-vtap-lab: built in $top/_build"
    ;;
*)
    echo "usage: $0 demo" >&2
    exit 1
    ;;
esac

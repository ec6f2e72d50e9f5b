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
# shellcheck shell=bash
# ovs-vtap-setup.sh: shell functions of the quiet set-up, sourced by
# ovs-vtap-deps.sh, ovs-vtap-test.sh and "ovs-vtap-lab.sh demo".  Each
# set-up phase (packages, the Open vSwitch build, autoreconf, configure,
# build) prints one line with its time; the full output of every phase goes
# to one log file, whose last lines and path are printed when a phase
# fails.
#
# Environment:
#   OVS_VTAP_SETUP_LOG   the log file (default: set by the caller with
#                        setup_log_init); exported, so that the scripts
#                        that a phase runs append to the same log

setup_srcdir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# setup_log_init DEFAULT: uses $OVS_VTAP_SETUP_LOG if set (the log of a
# calling script), else starts DEFAULT afresh.
setup_log_init() {
    if test -z "${OVS_VTAP_SETUP_LOG:-}"; then
        OVS_VTAP_SETUP_LOG=$1
        mkdir -p "$(dirname "$OVS_VTAP_SETUP_LOG")"
        : >"$OVS_VTAP_SETUP_LOG"
    fi
    export OVS_VTAP_SETUP_LOG
}

# setup_phase NAME COMMAND...: runs COMMAND (a program or a shell function,
# which may set $setup_note to a few words for the line) with its output in
# the log, and prints "NAME  ok (N s)".  If COMMAND fails, prints FAILED,
# the last lines of the log and its path, and returns COMMAND's status.
# (A shell function runs here, not in a subshell, and so without "set -e":
# its steps must check their own status.)
setup_phase() {
    local name=$1 start status elapsed
    shift
    setup_note=
    printf 'ovs-vtap set-up: %-30s ' "$name"
    echo "=== $name ($(date -u '+%F %T UTC'))" >>"$OVS_VTAP_SETUP_LOG"
    start=$(date +%s)
    if "$@" >>"$OVS_VTAP_SETUP_LOG" 2>&1 </dev/null; then
        status=0
    else
        status=$?
    fi
    elapsed=$(($(date +%s) - start))
    if test $status = 0; then
        echo "ok (${elapsed} s${setup_note:+, $setup_note})"
        return 0
    fi
    echo "FAILED (${elapsed} s, exit status $status)"
    echo "--- last lines of $OVS_VTAP_SETUP_LOG:"
    tail -n 25 "$OVS_VTAP_SETUP_LOG" | sed 's/^/    /'
    echo "--- the full output of the set-up is in $OVS_VTAP_SETUP_LOG"
    return $status
}

# Runs autoreconf if configure is missing or older than its sources.
setup_autoreconf() {
    local src=$setup_srcdir
    if test -x "$src/configure" \
            && test ! "$src/configure.ac" -nt "$src/configure" \
            && test ! "$src/m4/ovs-vtap.m4" -nt "$src/configure"; then
        setup_note="configure is up to date"
        return 0
    fi
    (cd "$setup_srcdir" && autoreconf -fi)
}

# setup_configure BUILDDIR ARG...: configures BUILDDIR unless it already
# has a Makefile.
setup_configure() {
    local builddir=$1
    shift
    if test -f "$builddir/Makefile"; then
        setup_note="already configured"
        return 0
    fi
    mkdir -p "$builddir" && (cd "$builddir" && "$setup_srcdir/configure" "$@")
}

# setup_make BUILDDIR: builds everything in BUILDDIR.
setup_make() {
    make -C "$1" -j"$(nproc)"
}

# setup_all BUILDDIR CONFIGURE-ARG...: the whole set-up, as root: the
# packages and the Open vSwitch build (ovs-vtap-deps.sh), autoreconf, then
# configure and build of BUILDDIR.  Returns non-zero at the first phase
# that fails (which printed why).
setup_all() {
    bash "$setup_srcdir/utilities/ovs-vtap-deps.sh" || return 1
    setup_phase autoreconf setup_autoreconf || return 1
    setup_builddir "$@"
}

# setup_builddir BUILDDIR CONFIGURE-ARG...: configure and build of
# BUILDDIR, one phase each.
setup_builddir() {
    local builddir=$1 label
    label=${builddir#"$setup_srcdir"/}
    setup_phase "configure $label" setup_configure "$@" || return 1
    setup_phase "build $label" setup_make "$builddir"
}

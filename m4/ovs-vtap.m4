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
# m4/ovs-vtap.m4: configure checks of ovs-vtap.

dnl OVS_VTAP_CHECK_OVS
dnl
dnl Finds an Open vSwitch source and build tree (--with-ovs-source,
dnl --with-ovs-build), by default the one that utilities/ovs-vtap-deps.sh
dnl builds from Debian's openvswitch-source, and checks that it has
dnl libopenvswitch.la and the IDL generator.
AC_DEFUN([OVS_VTAP_CHECK_OVS], [
  ovs_vtap_default_build=`$srcdir/utilities/ovs-vtap-deps.sh --print-ovs-build 2>/dev/null`
  AC_ARG_WITH([ovs-source],
    [AS_HELP_STRING([--with-ovs-source=DIR],
                    [Open vSwitch source tree (default: the build tree)])],
    [OVS_SRCDIR=$withval], [OVS_SRCDIR=])
  AC_ARG_WITH([ovs-build],
    [AS_HELP_STRING([--with-ovs-build=DIR],
                    [Open vSwitch build tree (default: the cache that
                     utilities/ovs-vtap-deps.sh builds)])],
    [OVS_BUILDDIR=$withval], [OVS_BUILDDIR=$ovs_vtap_default_build])
  AS_IF([test -z "$OVS_SRCDIR"], [OVS_SRCDIR=$OVS_BUILDDIR])
  OVS_SRCDIR=`cd "$OVS_SRCDIR" 2>/dev/null && pwd`
  OVS_BUILDDIR=`cd "$OVS_BUILDDIR" 2>/dev/null && pwd`

  AC_MSG_CHECKING([for an Open vSwitch build tree])
  AS_IF([test -z "$OVS_BUILDDIR" || \
         test ! -f "$OVS_BUILDDIR/lib/libopenvswitch.la"],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([no Open vSwitch build with lib/libopenvswitch.la found.
Run utilities/ovs-vtap-deps.sh as root to build one from Debian's
openvswitch-source, or give --with-ovs-build=DIR.])])
  AC_MSG_RESULT([$OVS_BUILDDIR])

  AC_MSG_CHECKING([for the Open vSwitch IDL generator])
  AS_IF([test ! -f "$OVS_SRCDIR/ovsdb/ovsdb-idlc.in" || \
         test ! -d "$OVS_SRCDIR/python/ovs"],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$OVS_SRCDIR has no ovsdb/ovsdb-idlc.in; give --with-ovs-source=DIR])])
  AC_MSG_RESULT([$OVS_SRCDIR/ovsdb/ovsdb-idlc.in])

  OVS_CFLAGS="-I$OVS_BUILDDIR -I$OVS_SRCDIR/include -I$OVS_BUILDDIR/include -I$OVS_SRCDIR/lib -I$OVS_BUILDDIR/lib"
  OVS_LIBS="$OVS_BUILDDIR/lib/libopenvswitch.la"
  AC_SUBST([OVS_SRCDIR])
  AC_SUBST([OVS_BUILDDIR])
  AC_SUBST([OVS_CFLAGS])
  AC_SUBST([OVS_LIBS])
])

dnl OVS_VTAP_CHECK_LIBS
dnl
dnl Checks for the libraries that ovs-vtap needs besides libopenvswitch,
dnl naming the Debian package that brings each one.
AC_DEFUN([OVS_VTAP_CHECK_LIBS], [
  AC_CHECK_HEADER([unbound.h], [],
    [AC_MSG_ERROR([libunbound headers not found (Debian package: libunbound-dev)])])
  AC_CHECK_LIB([unbound], [ub_ctx_create], [UNBOUND_LIBS=-lunbound],
    [AC_MSG_ERROR([libunbound not found (Debian package: libunbound-dev)])])
  AC_SUBST([UNBOUND_LIBS])

  AC_CHECK_HEADER([pcap/pcap.h], [],
    [AC_MSG_ERROR([libpcap headers not found (Debian package: libpcap-dev)])])
  AC_CHECK_LIB([pcap], [pcap_offline_filter], [PCAP_LIBS=-lpcap],
    [AC_MSG_ERROR([libpcap not found (Debian package: libpcap-dev)])])
  AC_SUBST([PCAP_LIBS])

  AC_CHECK_HEADER([cmocka.h], [],
    [AC_MSG_ERROR([cmocka headers not found (Debian package: libcmocka-dev)])],
    [#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>])
  AC_CHECK_LIB([cmocka], [_cmocka_run_group_tests], [CMOCKA_LIBS=-lcmocka],
    [AC_MSG_ERROR([libcmocka not found (Debian package: libcmocka-dev)])])
  AC_SUBST([CMOCKA_LIBS])
])

dnl OVS_VTAP_ENABLE_WERROR
dnl
dnl --enable-Werror turns every warning into an error, as OVS's does.
AC_DEFUN([OVS_VTAP_ENABLE_WERROR], [
  AC_ARG_ENABLE([Werror],
    [AS_HELP_STRING([--enable-Werror], [treat warnings as errors])],
    [], [enable_Werror=no])
  AS_IF([test "$enable_Werror" = yes], [WARNING_FLAGS="$WARNING_FLAGS -Werror"])
])

dnl OVS_VTAP_ENABLE_SANITIZERS
dnl
dnl --enable-sanitizers builds with AddressSanitizer and
dnl UndefinedBehaviorSanitizer.
AC_DEFUN([OVS_VTAP_ENABLE_SANITIZERS], [
  AC_ARG_ENABLE([sanitizers],
    [AS_HELP_STRING([--enable-sanitizers],
                    [build with AddressSanitizer and UBSan])],
    [], [enable_sanitizers=no])
  AS_IF([test "$enable_sanitizers" = yes],
    [SANITIZER_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"])
  AC_SUBST([SANITIZER_FLAGS])
])

dnl OVS_VTAP_CHECK_CC_OPTION(OPTION)
dnl
dnl Adds OPTION to WARNING_FLAGS if the compiler accepts it.
AC_DEFUN([OVS_VTAP_CHECK_CC_OPTION], [
  AC_MSG_CHECKING([whether $CC accepts $1])
  ovs_vtap_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS -Werror $1"
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([], [])],
    [AC_MSG_RESULT([yes]); WARNING_FLAGS="$WARNING_FLAGS $1"],
    [AC_MSG_RESULT([no])])
  CFLAGS=$ovs_vtap_save_CFLAGS
])

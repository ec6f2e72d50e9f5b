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
# tests/automake.mk: cmocka unit tests and the autotest suite.

# Unit tests (cmocka): each area's automake.mk adds its programs to
# UNIT_TESTS, and its .at files to TESTSUITE_AT.
UNIT_TESTS += tests/test-vtap-parse
check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
unit_test_ldadd = lib/libovsvtap.la $(CMOCKA_LIBS)

tests_test_vtap_parse_SOURCES = tests/test-vtap-parse.c
tests_test_vtap_parse_LDADD = $(unit_test_ldadd)

# Runs only the unit tests (CI runs them once more under the sanitizers).
check-unit: $(UNIT_TESTS)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(UNIT_TESTS)' \
		TESTSUITE_DISABLED=yes

# The autotest suite: flow-level tests on a dummy datapath (no root) and
# topology tests with real packets in network namespaces (root).  Each
# area's tests live in their own .at file, listed here and included by
# tests/testsuite.at.
TESTSUITE_AT += \
	tests/testsuite.at \
	tests/ovs-vtap-macros.at \
	tests/sandbox.at \
	tests/ovs-vtapctl.at \
	tests/resolver.at \
	tests/ovs-vtapd.at \
	tests/receiver.at \
	tests/coexist.at \
	tests/topology.at \
	tests/cluster.at \
	tests/security.at \
	tests/examples.at \
	tests/scripts.at
TESTSUITE = $(srcdir)/tests/testsuite
TESTSUITE_PATH = $(abs_top_builddir)/ovs-vtapd:$(abs_top_builddir)/utilities:$(abs_top_srcdir)/utilities:$(abs_top_builddir)/tests
EXTRA_DIST += $(TESTSUITE_AT) $(TESTSUITE) tests/package.m4 tests/atlocal.in
# Helpers of the coexist tests: a delaying OVSDB relay, a Python IDL client.
EXTRA_DIST += tests/ovsdb-delay-relay.py tests/foreign-ovsdb-client.py
DISTCLEANFILES += tests/atconfig tests/atlocal

AUTOTEST = $(AUTOM4TE) -l autotest
AUTOM4TE = autom4te
$(TESTSUITE): $(TESTSUITE_AT) $(srcdir)/tests/package.m4
	$(AM_V_GEN)$(AUTOTEST) -I '$(srcdir)/tests' -I '$(srcdir)' -I '$(OVS_SRCDIR)' -o $@.tmp $@.at \
		&& mv $@.tmp $@

$(srcdir)/tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN){ \
	  echo '# Signature of the current package.'; \
	  echo 'm4_define([AT_PACKAGE_NAME],      [$(PACKAGE_NAME)])'; \
	  echo 'm4_define([AT_PACKAGE_TARNAME],   [$(PACKAGE_TARNAME)])'; \
	  echo 'm4_define([AT_PACKAGE_VERSION],   [$(PACKAGE_VERSION)])'; \
	  echo 'm4_define([AT_PACKAGE_STRING],    [$(PACKAGE_STRING)])'; \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} > $@.tmp && mv $@.tmp $@

# The suite runs after the unit tests in "make check"; TESTSUITEFLAGS
# passes options such as -j2, -k KEYWORD or test numbers.
check-local: tests/atconfig tests/atlocal $(TESTSUITE) $(check_PROGRAMS) \
		$(bin_PROGRAMS) $(sbin_PROGRAMS)
	@if test "$(TESTSUITE_DISABLED)" != yes; then \
	  $(SHELL) '$(TESTSUITE)' -C tests AUTOTEST_PATH='$(TESTSUITE_PATH)' \
	    $(TESTSUITEFLAGS); \
	fi

tests/atconfig: config.status
	$(AM_V_GEN)$(SHELL) ./config.status tests/atconfig

clean-local:
	test ! -f '$(TESTSUITE)' || $(SHELL) '$(TESTSUITE)' -C tests --clean
include tests/bench.mk

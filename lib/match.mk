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
# lib/match.mk: the capture rule model (lib/vtap-rule.c) with its unit
# tests, and the VTAP schema's documentation vtap(5).

lib_libovsvtap_la_SOURCES += lib/vtap-rule.c

UNIT_TESTS += tests/test-vtap-rule
tests_test_vtap_rule_SOURCES = tests/test-vtap-rule.c
tests_test_vtap_rule_LDADD = $(unit_test_ldadd)

# Both include the generated IDL header, which "make check-unit" in a new
# build directory (it skips BUILT_SOURCES) would otherwise not make first.
lib/vtap-rule.lo: lib/vtap-idl.h
tests/test-vtap-rule.$(OBJEXT): lib/vtap-idl.h

# vtap(5), the documentation of the VTAP schema, rendered from lib/vtap.xml
# by Open vSwitch's ovsdb-doc as OVS renders vtep(5).
EXTRA_DIST += lib/vtap.xml
CLEANFILES += lib/vtap.5
man_MANS += lib/vtap.5
lib/vtap.5: $(srcdir)/lib/vtap.xml $(srcdir)/lib/vtap.ovsschema
	$(AM_V_GEN)$(MKDIR_P) lib && $(OVSDB_DOC) --version=$(VERSION) \
		$(srcdir)/lib/vtap.ovsschema $(srcdir)/lib/vtap.xml > $@.tmp \
		&& mv $@.tmp $@

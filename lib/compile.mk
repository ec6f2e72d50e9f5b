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
# lib/compile.mk: see lib/automake.mk.

# The capture-filter compiler and the DNS resolver of target names.
lib_libovsvtap_la_SOURCES += lib/vtap-compile.c lib/vtap-resolver.c

UNIT_TESTS += tests/test-vtap-compile
tests_test_vtap_compile_SOURCES = tests/test-vtap-compile.c
tests_test_vtap_compile_LDADD = $(unit_test_ldadd)

# Drives the resolver against the real unbound that tests/resolver.at starts
# (not a unit test: it needs that server).
check_PROGRAMS += tests/test-vtap-resolver
tests_test_vtap_resolver_SOURCES = tests/test-vtap-resolver.c
tests_test_vtap_resolver_LDADD = lib/libovsvtap.la

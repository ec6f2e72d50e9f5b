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
# ovs-vtapd/automake.mk: the controller daemon.

sbin_PROGRAMS += ovs-vtapd/ovs-vtapd
ovs_vtapd_ovs_vtapd_SOURCES = \
	ovs-vtapd/ovs-vtapd.c \
	ovs-vtapd/flow-counters.c \
	ovs-vtapd/flow-counters.h \
	ovs-vtapd/flow-table.c \
	ovs-vtapd/flow-table.h \
	ovs-vtapd/host-row.c \
	ovs-vtapd/host-row.h \
	ovs-vtapd/path-mtu.c \
	ovs-vtapd/path-mtu.h \
	ovs-vtapd/revalidation.c \
	ovs-vtapd/revalidation.h \
	ovs-vtapd/vtap-cleanup.c \
	ovs-vtapd/vtap-cleanup.h \
	ovs-vtapd/vtap-changes.c \
	ovs-vtapd/vtap-changes.h \
	ovs-vtapd/vtap-cookie.c \
	ovs-vtapd/vtap-cookie.h \
	ovs-vtapd/vtap-desired.c \
	ovs-vtapd/vtap-desired.h \
	ovs-vtapd/vtap-monitor.c \
	ovs-vtapd/vtap-monitor.h \
	ovs-vtapd/vtap-names.c \
	ovs-vtapd/vtap-names.h \
	ovs-vtapd/vtap-pipeline.c \
	ovs-vtapd/vtap-pipeline.h \
	ovs-vtapd/vtap-status.c \
	ovs-vtapd/vtap-status.h \
	ovs-vtapd/vswitch-config.c \
	ovs-vtapd/vswitch-config.h \
	ovs-vtapd/vswitchd-ctl.c \
	ovs-vtapd/vswitchd-ctl.h
ovs_vtapd_ovs_vtapd_LDADD = lib/libovsvtap.la $(OVS_LIBS) $(UNBOUND_LIBS)
dist_man_MANS += ovs-vtapd/ovs-vtapd.8

# Unit tests of the daemon's own code.
UNIT_TESTS += tests/test-vtapd-flow-table
tests_test_vtapd_flow_table_SOURCES = \
	tests/test-vtapd-flow-table.c \
	ovs-vtapd/flow-counters.c \
	ovs-vtapd/flow-counters.h \
	ovs-vtapd/flow-table.c \
	ovs-vtapd/flow-table.h \
	ovs-vtapd/revalidation.c \
	ovs-vtapd/revalidation.h \
	ovs-vtapd/vswitchd-ctl.c \
	ovs-vtapd/vswitchd-ctl.h \
	ovs-vtapd/vtap-cookie.c \
	ovs-vtapd/vtap-cookie.h
tests_test_vtapd_flow_table_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/ovs-vtapd
tests_test_vtapd_flow_table_LDADD = $(unit_test_ldadd) $(OVS_LIBS)

# The steps of the property test of the incremental processing
# (tests/ovs-vtapd.at).
EXTRA_DIST += tests/test-vtapd-random.awk

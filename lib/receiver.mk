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
# lib/receiver.mk: see lib/automake.mk.  The backend receiver's library
# part (VXLAN decoding, frame summaries, the list of accepted sources, the
# libpcap filter on inner frames, the AF_PACKET capture ring, bounded
# counters and the capture writers) and its unit tests.

lib_libovsvtap_la_SOURCES += \
	lib/vxlan-decode.c \
	include/ovs-vtap/vxlan-decode.h \
	lib/frame-format.c \
	include/ovs-vtap/frame-format.h \
	lib/receiver-acl.c \
	include/ovs-vtap/receiver-acl.h \
	lib/receiver-counters.c \
	include/ovs-vtap/receiver-counters.h \
	lib/receiver-filter.c \
	include/ovs-vtap/receiver-filter.h \
	lib/receiver-ring.c \
	include/ovs-vtap/receiver-ring.h \
	lib/receiver-bfd.c \
	include/ovs-vtap/receiver-bfd.h \
	lib/capture-writer.c \
	include/ovs-vtap/capture-writer.h
lib_libovsvtap_la_LIBADD += $(PCAP_LIBS)

UNIT_TESTS += \
	tests/test-vxlan-decode \
	tests/test-capture-writer \
	tests/test-receiver
tests_test_vxlan_decode_SOURCES = tests/test-vxlan-decode.c
tests_test_vxlan_decode_LDADD = $(unit_test_ldadd)
tests_test_capture_writer_SOURCES = tests/test-capture-writer.c
tests_test_capture_writer_LDADD = $(unit_test_ldadd)
tests_test_receiver_SOURCES = tests/test-receiver.c
tests_test_receiver_LDADD = $(unit_test_ldadd)

# Inputs that the decoder's fuzz target found or started from, replayed by
# tests/test-vxlan-decode.
EXTRA_DIST += $(srcdir)/tests/fuzz-regressions

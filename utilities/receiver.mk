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
# utilities/receiver.mk: the backend receiver, its manual, its benchmark
# and the fuzz target of its datagram path.

bin_PROGRAMS += utilities/ovs-vtap-receiver
utilities_ovs_vtap_receiver_SOURCES = utilities/ovs-vtap-receiver.c
utilities_ovs_vtap_receiver_LDADD = lib/libovsvtap.la $(OVS_LIBS) $(PCAP_LIBS)
dist_man_MANS += utilities/ovs-vtap-receiver.8

# A small VXLAN sender for the tests and the benchmark.
check_PROGRAMS += tests/test-vxlan-send
tests_test_vxlan_send_SOURCES = tests/test-vxlan-send.c
tests_test_vxlan_send_LDADD = $(OVS_LIBS)

# The libFuzzer target of the datagram path (--from, the bounded tables,
# the decoder, the libpcap filter and the formatters), built with clang
# outside the normal build (it needs -fsanitize=fuzzer).  "make fuzz" runs
# it for FUZZ_TIME seconds from the inputs in tests/fuzz-regressions/, and
# keeps any input that makes it crash there, where tests/test-vxlan-decode
# replays it for ever after.
CLANG = clang
FUZZ_TIME = 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined
fuzz_vxlan_decode_sources = \
	$(srcdir)/tests/fuzz-vxlan-decode.c \
	$(srcdir)/lib/vxlan-decode.c \
	$(srcdir)/lib/frame-format.c \
	$(srcdir)/lib/receiver-acl.c \
	$(srcdir)/lib/receiver-counters.c \
	$(srcdir)/lib/receiver-filter.c \
	$(srcdir)/lib/vtap-parse.c
EXTRA_DIST += tests/fuzz-vxlan-decode.c
CLEANFILES += tests/fuzz-vxlan-decode
tests/fuzz-vxlan-decode: $(fuzz_vxlan_decode_sources)
	$(AM_V_CCLD)$(LIBTOOL) $(AM_V_lt) --tag=CC --mode=link $(CLANG) \
		$(FUZZ_FLAGS) $(AM_CPPFLAGS) $(CPPFLAGS) -o $@ \
		$(fuzz_vxlan_decode_sources) $(OVS_LIBS) $(PCAP_LIBS)
fuzz: tests/fuzz-vxlan-decode
	rm -rf tests/fuzz-corpus && $(MKDIR_P) tests/fuzz-corpus
	cp $(srcdir)/tests/fuzz-regressions/* tests/fuzz-corpus/
	tests/fuzz-vxlan-decode -max_total_time=$(FUZZ_TIME) \
		-artifact_prefix=$(srcdir)/tests/fuzz-regressions/ \
		tests/fuzz-corpus
check-fuzz: fuzz
.PHONY: fuzz check-fuzz
clean-local: clean-fuzz
clean-fuzz:
	rm -rf tests/fuzz-corpus
.PHONY: clean-fuzz

# The benchmark against tcpdump (not a test: it prints rates and a ratio).
dist_noinst_SCRIPTS += tests/bench-receiver.sh
bench-receiver: utilities/ovs-vtap-receiver tests/test-vxlan-send
	$(SHELL) $(srcdir)/tests/bench-receiver.sh $(BENCH_RECEIVER_FLAGS) .
.PHONY: bench-receiver

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
# tests/bench.mk: the benchmarks (not tests: they print figures and ratios
# against references measured in the same run).  "make bench" runs them
# all; "make bench BENCHFLAGS=--quick" a short run; see docs/benchmarks.md.

bench_scripts = \
	tests/bench/ovs-vtap-bench.sh \
	tests/bench/bench-start.sh \
	tests/bench/bench-scale.sh \
	tests/bench/bench-datapath.sh \
	tests/bench/bench-e2e.sh \
	tests/bench/bench-pool.sh \
	tests/bench/bench-hosts.sh
dist_noinst_SCRIPTS += $(bench_scripts)
EXTRA_DIST += tests/bench/bench-lib.sh tests/bench/min-flows.awk \
	tests/bench/e2e.topo tests/bench/pool.topo docs/benchmarks.md

bench: all tests/test-vxlan-send
	$(SHELL) $(srcdir)/tests/bench/ovs-vtap-bench.sh \
		--builddir=$(abs_top_builddir) $(BENCHFLAGS)
.PHONY: bench

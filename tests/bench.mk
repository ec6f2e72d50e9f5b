# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# tests/bench.mk: the benchmarks (not tests: they print figures and ratios
# against references measured in the same run).  "make bench" runs them
# all; "make bench BENCHFLAGS=--quick" a short run; see docs/benchmarks.md.

bench_scripts = \
	tests/bench/ovs-vtap-bench.sh \
	tests/bench/bench-start.sh \
	tests/bench/bench-scale.sh \
	tests/bench/bench-datapath.sh
dist_noinst_SCRIPTS += $(bench_scripts)
EXTRA_DIST += tests/bench/bench-lib.sh docs/benchmarks.md

bench: all tests/test-vxlan-send
	$(SHELL) $(srcdir)/tests/bench/ovs-vtap-bench.sh \
		--builddir=$(abs_top_builddir) $(BENCHFLAGS)
.PHONY: bench

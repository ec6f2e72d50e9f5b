# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# utilities/lab.mk: the lab in network namespaces (not installed: it runs
# from the source tree, with the programs of the build tree).

dist_noinst_SCRIPTS += \
	utilities/ovs-vtap-lab.sh \
	utilities/lab/demo.sh \
	utilities/lab/veth-tx-off.py
EXTRA_DIST += \
	utilities/ovs-vtap-lab.8 \
	utilities/lab/seed.topo \
	tests/topology-lib.sh

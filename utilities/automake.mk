# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# utilities/automake.mk: command-line tools and scripts.

dist_noinst_SCRIPTS += \
	utilities/ovs-vtap-deps.sh \
	utilities/ovs-vtap-test.sh
EXTRA_DIST += utilities/ovs-vtap-setup.sh

# Area fragments, one per tool.
include utilities/ctl.mk
include utilities/receiver.mk
include utilities/lab.mk

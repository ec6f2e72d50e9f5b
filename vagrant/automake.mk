# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# vagrant/automake.mk: the multi-VM demos (shipped, not built).

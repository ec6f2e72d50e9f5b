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
# utilities/lab.mk: the lab in network namespaces (not installed: it runs
# from the source tree, with the programs of the build tree).

dist_noinst_SCRIPTS += \
	utilities/ovs-vtap-lab.sh \
	utilities/lab/demo.sh \
	utilities/lab/provision-nlb.sh \
	utilities/lab/garp.py \
	utilities/lab/veth-tx-off.py
EXTRA_DIST += \
	utilities/ovs-vtap-lab.8 \
	utilities/lab/seed.topo \
	utilities/lab/direct.topo \
	utilities/lab/seed-multi.topo \
	utilities/lab/netns.py \
	tests/topology-lib.sh

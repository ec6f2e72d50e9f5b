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
# vagrant/automake.mk: the multi-VM demos (shipped, not built).
EXTRA_DIST += \
	vagrant/Vagrantfile \
	vagrant/build-box.sh \
	vagrant/demo.sh \
	vagrant/libvirt-ns.sh \
	vagrant/provision.sh \
	vagrant/smoke.sh \
	docs/vagrant.md

# The multi-VM demo (root; not part of "make check": it takes minutes of
# TCG guests).
vagrant-demo:
	$(srcdir)/vagrant/demo.sh
.PHONY: vagrant-demo

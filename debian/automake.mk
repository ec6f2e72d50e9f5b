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
# debian/automake.mk: the Debian packaging (shipped, built by
# dpkg-buildpackage) and the check, as Open vSwitch makes it, that
# debian/changelog names the version of configure.ac.

EXTRA_DIST += \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/rules \
	debian/source/format \
	debian/source/lintian-overrides \
	debian/ovs-vtap.install \
	debian/ovs-vtap.default \
	debian/ovs-vtap.README.Debian \
	debian/ovs-vtap.lintian-overrides \
	debian/ovs-vtap-receiver.install \
	debian/ovs-vtap-receiver.examples \
	debian/ovs-vtap-receiver.README.Debian \
	debian/ovs-vtap-receiver.lintian-overrides \
	debian/ovs-vtap-receiver-NAME \
	debian/systemd/ovs-vtapd.service \
	debian/systemd/ovs-vtap-receiver@.service

# The check of "make install" and of the packages (root, Debian):
# "make check-packages" in a build tree.
dist_noinst_SCRIPTS += utilities/ovs-vtap-package-test.sh
check-packages: all
	bash $(srcdir)/utilities/ovs-vtap-package-test.sh $(abs_top_builddir)
.PHONY: check-packages

# The packages take their version from debian/changelog, which must be
# that of AC_INIT plus a Debian revision.
check-debian-changelog-version:
	@if head -1 $(srcdir)/debian/changelog \
	    | grep -q '^$(PACKAGE_TARNAME) ($(VERSION)-[0-9]'; then :; else \
	  echo "Update debian/changelog to mention version $(VERSION)" >&2; \
	  exit 1; \
	fi
all-local: check-debian-changelog-version
dist-hook: check-debian-changelog-version
.PHONY: check-debian-changelog-version

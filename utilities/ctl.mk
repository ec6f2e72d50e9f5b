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
# utilities/ctl.mk: ovs-vtapctl, the command line of the VTAP database, and
# ovs-vtap-db, which creates, serves and upgrades that database.

bin_PROGRAMS += utilities/ovs-vtapctl
utilities_ovs_vtapctl_SOURCES = \
	utilities/ovs-vtapctl.c \
	utilities/vtapctl-commands.c \
	utilities/vtapctl-commands.h \
	utilities/vtapctl-connection.c \
	utilities/vtapctl-connection.h \
	utilities/vtapctl-hosts.c \
	utilities/vtapctl-hosts.h \
	utilities/vtapctl-policy.c \
	utilities/vtapctl-policy.h \
	utilities/vtapctl-realizations.c \
	utilities/vtapctl-realizations.h \
	utilities/vtapctl-show.c
utilities_ovs_vtapctl_LDADD = lib/libovsvtap.la
dist_bin_SCRIPTS += utilities/ovs-vtap-db.sh
dist_man_MANS += utilities/ovs-vtapctl.8 utilities/ovs-vtap-db.sh.8

# Bash completion, where bash-completion 2 loads it on demand, as Debian's
# Open vSwitch installs its own: the file is named after the command.
bashcompdir = $(datadir)/bash-completion/completions
EXTRA_DIST += utilities/ovs-vtapctl.bash
install-data-local: install-bash-completion
install-bash-completion:
	$(MKDIR_P) '$(DESTDIR)$(bashcompdir)'
	$(INSTALL_DATA) $(srcdir)/utilities/ovs-vtapctl.bash \
		'$(DESTDIR)$(bashcompdir)/ovs-vtapctl'
uninstall-local: uninstall-bash-completion
uninstall-bash-completion:
	rm -f '$(DESTDIR)$(bashcompdir)/ovs-vtapctl'
.PHONY: install-bash-completion uninstall-bash-completion

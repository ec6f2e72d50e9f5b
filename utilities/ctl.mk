# Copyright (c) 2026 The ovs-vtap authors.
# SPDX-License-Identifier: Apache-2.0
# utilities/ctl.mk: ovs-vtapctl, the command line of the VTAP database, and
# ovs-vtap-db, which creates, serves and upgrades that database.

bin_PROGRAMS += utilities/ovs-vtapctl
utilities_ovs_vtapctl_SOURCES = \
	utilities/ovs-vtapctl.c \
	utilities/vtapctl-commands.c \
	utilities/vtapctl-commands.h \
	utilities/vtapctl-show.c
utilities_ovs_vtapctl_LDADD = lib/libovsvtap.la
dist_bin_SCRIPTS += utilities/ovs-vtap-db.sh
dist_man_MANS += utilities/ovs-vtapctl.8 utilities/ovs-vtap-db.sh.8

# Bash completion, where bash-completion sources every file, as OVS installs
# its own.
bashcompdir = $(sysconfdir)/bash_completion.d
dist_bashcomp_DATA = utilities/ovs-vtapctl.bash

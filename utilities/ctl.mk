# utilities/ctl.mk: ovs-vtapctl, the command line of the VTAP database, and
# ovs-vtap-db, which creates, serves and upgrades that database.

bin_PROGRAMS += utilities/ovs-vtapctl
utilities_ovs_vtapctl_SOURCES = \
	utilities/ovs-vtapctl.c \
	utilities/vtapctl-commands.c \
	utilities/vtapctl-commands.h
utilities_ovs_vtapctl_LDADD = lib/libovsvtap.la

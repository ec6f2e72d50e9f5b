# utilities/ctl.mk: ovs-vtapctl.

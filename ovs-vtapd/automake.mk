# ovs-vtapd/automake.mk: the controller daemon.

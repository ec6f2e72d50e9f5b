# utilities/lab.mk: the lab in network namespaces.

dist_noinst_SCRIPTS += utilities/ovs-vtap-lab.sh

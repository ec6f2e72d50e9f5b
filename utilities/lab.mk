# utilities/lab.mk: the lab in network namespaces.

dist_noinst_SCRIPTS += \
	utilities/ovs-vtap-lab.sh \
	utilities/lab/veth-tx-off.py
EXTRA_DIST += \
	utilities/lab/seed.topo

# utilities/automake.mk: command-line tools and scripts.

dist_noinst_SCRIPTS += \
	utilities/ovs-vtap-deps.sh \
	utilities/ovs-vtap-test.sh \
	utilities/ovs-vtap-lab.sh

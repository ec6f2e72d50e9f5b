# utilities/receiver.mk: the backend receiver, its manual, its benchmark
# and the fuzz target of its decoder.

bin_PROGRAMS += utilities/ovs-vtap-receiver
utilities_ovs_vtap_receiver_SOURCES = utilities/ovs-vtap-receiver.c
utilities_ovs_vtap_receiver_LDADD = lib/libovsvtap.la $(OVS_LIBS)
dist_man_MANS += utilities/ovs-vtap-receiver.8

# A small VXLAN sender for the tests and the benchmark.
check_PROGRAMS += tests/test-vxlan-send
tests_test_vxlan_send_SOURCES = tests/test-vxlan-send.c

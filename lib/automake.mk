# lib/automake.mk: libovsvtap, the code that the programs share.

noinst_LTLIBRARIES += lib/libovsvtap.la
lib_libovsvtap_la_SOURCES = \
	lib/vtap-parse.c \
	include/ovs-vtap/vtap-parse.h
lib_libovsvtap_la_LIBADD = $(OVS_LIBS) $(UNBOUND_LIBS)

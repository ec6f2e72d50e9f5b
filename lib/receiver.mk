# lib/receiver.mk: see lib/automake.mk.  The backend receiver's library
# part (VXLAN decoding, frame summaries, the inner filter, counters and the
# capture writers) and its unit tests.

lib_libovsvtap_la_SOURCES += \
	lib/vxlan-decode.c \
	include/ovs-vtap/vxlan-decode.h \
	lib/frame-format.c \
	include/ovs-vtap/frame-format.h \
	lib/inner-match.c \
	include/ovs-vtap/inner-match.h \
	lib/receiver-counters.c \
	include/ovs-vtap/receiver-counters.h \
	lib/capture-writer.c \
	include/ovs-vtap/capture-writer.h

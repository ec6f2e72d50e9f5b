# lib/compile.mk: see lib/automake.mk.

# The capture-filter compiler and the DNS resolver of target names.
lib_libovsvtap_la_SOURCES += lib/vtap-compile.c

UNIT_TESTS += tests/test-vtap-compile
tests_test_vtap_compile_SOURCES = tests/test-vtap-compile.c
tests_test_vtap_compile_LDADD = $(unit_test_ldadd)

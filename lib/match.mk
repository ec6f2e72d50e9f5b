# lib/match.mk: see lib/automake.mk.

lib_libovsvtap_la_SOURCES += lib/vtap-rule.c

UNIT_TESTS += tests/test-vtap-rule
tests_test_vtap_rule_SOURCES = tests/test-vtap-rule.c
tests_test_vtap_rule_LDADD = $(unit_test_ldadd)

/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* test-vtapd-flow-table.c: unit tests of ovs-vtapd's flow cookies and of
 * the desired side of a flow table (no switch is contacted). */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "flow.h"
#include "flow-table.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/vlog.h"
#include "packets.h"

/* Every field of a cookie comes back as it went in, and the magic is what
 * the flow stats request masks on. */
static void
test_cookie_fields(void **state OVS_UNUSED)
{
    static const uint32_t ids[] = { 0, 1, 0x7fffffff, 0xdeadbeef, UINT32_MAX };
    static const unsigned int rules[] = { 0, 1, 9, 0x3fff };

    for (unsigned int kind = 0; kind < 3; kind++) {
        for (size_t r = 0; r < ARRAY_SIZE(rules); r++) {
            for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
                uint64_t cookie = vtap_cookie(kind, rules[r], ids[i]);

                assert_int_equal(vtap_cookie_kind(cookie), kind);
                assert_int_equal(vtap_cookie_rule(cookie), rules[r]);
                assert_int_equal(vtap_cookie_vtap(cookie), ids[i]);
                assert_true((cookie & VTAP_COOKIE_MASK)
                            == VTAP_COOKIE_MAGIC << 48);
            }
        }
    }
}

/* Counters are found by cookie and freed. */
static void
test_counters(void **state OVS_UNUSED)
{
    struct hmap counters = HMAP_INITIALIZER(&counters);
    struct flow_counter *c = xzalloc(sizeof *c);

    c->cookie = vtap_cookie(VTAP_COOKIE_KIND_INGRESS, 2, 7);
    c->packets = 3;
    hmap_insert(&counters, &c->node, hash_uint64(c->cookie));
    assert_ptr_equal(flow_counters_find(&counters, c->cookie), c);
    assert_null(flow_counters_find(&counters,
                                   vtap_cookie(VTAP_COOKIE_KIND_EGRESS, 2,
                                               7)));
    flow_counters_destroy(&counters);
}

/* Desired flows: a flow with the same table, priority and match is added
 * once; other priorities or tables are other flows; actions that do not
 * parse are refused with a message; clear empties the table. */
static void
test_desired_flows(void **state OVS_UNUSED)
{
    struct hmap counters = HMAP_INITIALIZER(&counters);
    struct flow_table *ft = flow_table_create("vtap-test", "/nonexistent",
                                              &counters);
    struct match match;
    char *error;

    match_init_catchall(&match);
    match_set_in_port(&match, u16_to_ofp(3));
    match_set_reg(&match, 0, 42);
    assert_string_equal(flow_table_bridge(ft), "vtap-test");

    error = flow_table_add(ft, 1, 100, 1, &match,
                           "set_field:172.16.0.222->tun_dst,"
                           "set_field:100->tun_id,output:1");
    assert_null(error);
    error = flow_table_add(ft, 1, 100, 1, &match, "drop");
    assert_null(error);
    assert_int_equal(flow_table_count(ft), 1);

    error = flow_table_add(ft, 1, 99, 1, &match, "drop");
    assert_null(error);
    error = flow_table_add(ft, 0, 100, 1, &match,
                           "clone(set_field:42->reg0,resubmit(,1))");
    assert_null(error);
    assert_int_equal(flow_table_count(ft), 3);

    error = flow_table_add(ft, 1, 98, 1, &match, "output(port=1,max_len=10");
    assert_non_null(error);
    free(error);
    assert_int_equal(flow_table_count(ft), 3);

    assert_false(flow_table_is_synced(ft));
    assert_false(flow_table_is_connected(ft));
    flow_table_clear(ft);
    assert_int_equal(flow_table_count(ft), 0);

    flow_table_destroy(ft);
    flow_counters_destroy(&counters);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_fields),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_desired_flows),
    };

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

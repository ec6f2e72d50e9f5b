/*
 * Copyright (c) 2026 The ovs-vtap authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 * SPDX-License-Identifier: Apache-2.0
 */

/* test-vtapd-flow-table.c: unit tests of ovs-vtapd's flow cookies and rule
 * ids, of its flow counters and baselines, and of the desired side of a
 * flow table and its owners (no switch is contacted). */

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
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/vtap-rule.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"
#include "vtap-cookie.h"

/* Every field of a cookie comes back as it went in, and the magic is what
 * the flow stats request masks on. */
static void
test_cookie_fields(void **state OVS_UNUSED)
{
    static const uint32_t ids[] = { 0, 1, 0x7fffffff, 0xdeadbeef, UINT32_MAX };
    static const unsigned int rules[] = { 0, 1, 9, VTAP_COOKIE_RULE_MAX };

    for (unsigned int kind = 0; kind < 3; kind++) {
        for (size_t r = 0; r < ARRAY_SIZE(rules); r++) {
            for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
                for (int include = 0; include < 2; include++) {
                    uint64_t cookie = vtap_cookie(kind, include, rules[r],
                                                  ids[i]);

                    assert_int_equal(vtap_cookie_kind(cookie), kind);
                    assert_int_equal(vtap_cookie_include(cookie), include);
                    assert_int_equal(vtap_cookie_rule(cookie), rules[r]);
                    assert_int_equal(vtap_cookie_vtap(cookie), ids[i]);
                    assert_true((cookie & VTAP_COOKIE_MASK)
                                == VTAP_COOKIE_MAGIC << 48);
                }
            }
        }
    }
}

/* A rule with UUID parts[0] 'p0' and parts[1] 'p1'. */
static struct vtap_rule
make_rule(uint32_t p0, uint32_t p1)
{
    struct vtap_rule rule;

    vtap_rule_init(&rule);
    rule.uuid.parts[0] = p0;
    rule.uuid.parts[1] = p1;
    return rule;
}

/* Returns the index of the rule with cookie id 'id' in 'ids', or -1. */
static int
rule_with_id(const unsigned int *ids, size_t n, unsigned int id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return i;
        }
    }
    return -1;
}

/* Rule ids come from the rules' UUIDs: adding rules before, after or
 * colliding with a rule, or deleting one, leaves the ids of the others as
 * they were; ids are unique and nonzero; a rule without a UUID gets 0. */
static void
test_rule_ids(void **state OVS_UNUSED)
{
    struct vtap_rule before[] = { make_rule(5, 1), make_rule(77, 1),
                                  make_rule(9000, 1) };
    /* A new first rule whose UUID collides with the first (5 + 8191), a
     * new last rule, the old rules in between, a rule without UUID. */
    struct vtap_rule after[] = { make_rule(5 + VTAP_COOKIE_RULE_MAX, 1),
                                 before[0], before[1], before[2],
                                 make_rule(123456, 1), make_rule(0, 0) };
    unsigned int ids_before[ARRAY_SIZE(before)];
    unsigned int ids_after[ARRAY_SIZE(after)];

    vtap_cookie_rule_ids(before, ARRAY_SIZE(before), ids_before);
    vtap_cookie_rule_ids(after, ARRAY_SIZE(after), ids_after);
    for (size_t i = 0; i < ARRAY_SIZE(before); i++) {
        assert_true(ids_before[i] >= 1
                    && ids_before[i] <= VTAP_COOKIE_RULE_MAX);
        assert_int_equal(ids_after[i + 1], ids_before[i]);
    }
    for (size_t i = 0; i + 1 < ARRAY_SIZE(after); i++) {
        assert_true(ids_after[i] >= 1);
        for (size_t j = i + 1; j + 1 < ARRAY_SIZE(after); j++) {
            assert_int_not_equal(ids_after[i], ids_after[j]);
        }
    }
    assert_int_equal(ids_after[ARRAY_SIZE(after) - 1], 0);

    /* Deleting the middle rule changes nothing for the others. */
    struct vtap_rule fewer[] = { before[0], before[2] };
    unsigned int ids_fewer[ARRAY_SIZE(fewer)];
    vtap_cookie_rule_ids(fewer, ARRAY_SIZE(fewer), ids_fewer);
    assert_int_equal(ids_fewer[0], ids_before[0]);
    assert_int_equal(ids_fewer[1], ids_before[2]);

    /* A statistics reply for a flow of the second rule, requested before
     * the rules changed and counted after, still finds that rule, by the
     * cookie that the switch reports: never the rule now at its index. */
    uint64_t cookie = vtap_cookie(VTAP_COOKIE_KIND_INGRESS, true,
                                  ids_before[1], 42);
    int idx = rule_with_id(ids_after, ARRAY_SIZE(after),
                           vtap_cookie_rule(cookie));
    assert_int_equal(idx, 2);
    assert_true(uuid_equals(&after[idx].uuid, &before[1].uuid));
    /* A reply for a rule that is gone finds no rule. */
    cookie = vtap_cookie(VTAP_COOKIE_KIND_INGRESS, true, ids_before[1], 42);
    assert_int_equal(rule_with_id(ids_fewer, ARRAY_SIZE(fewer),
                                  vtap_cookie_rule(cookie)), -1);
}

/* Returns the packets pending for 'cookie' in 'fc' (0 if none). */
static uint64_t
pending_packets(const struct flow_counters *fc, uint64_t cookie)
{
    const struct flow_counter *c = flow_counters_find(fc, cookie);

    return c ? c->packets : 0;
}

/* What a flow counted is what its raw counter grew by since it was last
 * seen; a counter that went down counts from zero; a baseline read back
 * from the database continues; a forgotten baseline (the flow was added
 * anew) counts from zero; a sweep forgets the flows that a reply did not
 * report; a baseline goes out and comes back as the same key and value. */
static void
test_counters(void **state OVS_UNUSED)
{
    uint64_t cookie = vtap_cookie(VTAP_COOKIE_KIND_INGRESS, true, 2, 7);
    uint64_t other = vtap_cookie(VTAP_COOKIE_KIND_EGRESS, true, 2, 7);
    struct flow_counters fc;

    flow_counters_init(&fc);
    flow_counters_observe(&fc, "br", 1, cookie, 1, 40000, 0xabcd, 10, 980);
    assert_int_equal(pending_packets(&fc, cookie), 10);
    assert_null(flow_counters_find(&fc, other));
    flow_counters_observe(&fc, "br", 2, cookie, 1, 40000, 0xabcd, 15, 1470);
    assert_int_equal(pending_packets(&fc, cookie), 15);
    flow_counters_observe(&fc, "br", 3, cookie, 1, 40000, 0xabcd, 3, 294);
    assert_int_equal(pending_packets(&fc, cookie), 18);
    assert_int_equal(flow_counters_find(&fc, cookie)->bytes, 1764);

    /* Out to the database and back, as after a restart. */
    struct flow_baseline *b = flow_counters_find_baseline(&fc, 1, 40000,
                                                          0xabcd, false);
    assert_non_null(b);
    assert_int_equal(b->vtap_id, 7);
    char *key = flow_baseline_key(b);
    char *value = flow_baseline_value(b);
    assert_string_equal(key, "flow:1:40000:0000abcd");
    assert_string_equal(value, "3 294");

    struct flow_counters restarted;
    flow_counters_init(&restarted);
    flow_counters_load_baseline(&restarted, 7, "br", key, value);
    flow_counters_load_baseline(&restarted, 7, "br", "other", "1 2");
    flow_counters_load_baseline(&restarted, 7, "br", "flow:1:2:3", "x");
    assert_int_equal(hmap_count(&restarted.baselines), 1);
    flow_counters_observe(&restarted, "br", 1, cookie, 1, 40000, 0xabcd,
                          103, 294 + 9800);
    assert_int_equal(pending_packets(&restarted, cookie), 100);
    assert_int_equal(flow_counters_find(&restarted, cookie)->bytes, 9800);
    free(key);
    free(value);

    /* Added anew: from zero. */
    flow_counters_forget(&restarted, "br", cookie, 1, 40000, 0xabcd);
    b = flow_counters_find_baseline(&restarted, 1, 40000, 0xabcd, false);
    assert_int_equal(b->packets, 0);
    assert_int_equal(b->bytes, 0);
    flow_counters_observe(&restarted, "br", 2, cookie, 1, 40000, 0xabcd,
                          200, 19600);
    assert_int_equal(pending_packets(&restarted, cookie), 300);

    /* Sweeps: another bridge's, or a flow seen in the reply, stay. */
    flow_counters_observe(&restarted, "br2", 5, other, 1, 40000, 0x1234,
                          1, 98);
    flow_counters_sweep(&restarted, "br", 2);
    assert_non_null(flow_counters_find_baseline(&restarted, 1, 40000,
                                                0xabcd, false));
    flow_counters_sweep(&restarted, "br", 3);
    assert_null(flow_counters_find_baseline(&restarted, 1, 40000, 0xabcd,
                                            false));
    assert_non_null(flow_counters_find_baseline(&restarted, 1, 40000,
                                                0x1234, false));

    flow_counters_destroy(&restarted);
    flow_counters_destroy(&fc);
}

/* A flow that the daemon deletes counts what it counted after the last
 * poll from its final counts; a late statistics entry for it counts for
 * it, not for a new flow with the same match; final counts that never come
 * are given up after two replies of the flow's bridge (not another's). */
static void
test_counters_removed(void **state OVS_UNUSED)
{
    uint64_t old_rule = vtap_cookie(VTAP_COOKIE_KIND_INGRESS, true, 5, 7);
    uint64_t new_rule = vtap_cookie(VTAP_COOKIE_KIND_INGRESS, true, 6, 7);
    struct flow_counters fc;

    flow_counters_init(&fc);
    flow_counters_observe(&fc, "br", 1, old_rule, 1, 100, 0x42, 10, 1000);
    flow_counters_retire(&fc, "br", 1, 1, 100, 0x42);
    assert_null(flow_counters_find_baseline(&fc, 1, 100, 0x42, false));
    /* The same match added anew, for another rule. */
    flow_counters_forget(&fc, "br", new_rule, 1, 100, 0x42);
    /* A late entry of the old flow, then its final counts. */
    flow_counters_observe(&fc, "br", 2, old_rule, 1, 100, 0x42, 12, 1200);
    assert_int_equal(pending_packets(&fc, old_rule), 12);
    flow_counters_removed(&fc, old_rule, 1, 100, 0x42, 15, 1500);
    assert_int_equal(pending_packets(&fc, old_rule), 15);
    assert_null(flow_counters_find_baseline(&fc, 1, 100, 0x42, true));
    /* The new flow counts from zero. */
    flow_counters_observe(&fc, "br", 3, new_rule, 1, 100, 0x42, 4, 400);
    assert_int_equal(pending_packets(&fc, new_rule), 4);
    assert_int_equal(pending_packets(&fc, old_rule), 15);

    /* Deleted by someone else: its final counts, against its baseline. */
    flow_counters_removed(&fc, new_rule, 1, 100, 0x42, 9, 900);
    assert_int_equal(pending_packets(&fc, new_rule), 9);
    assert_null(flow_counters_find_baseline(&fc, 1, 100, 0x42, false));

    /* Final counts that do not come: forgotten after two replies. */
    flow_counters_observe(&fc, "br", 3, new_rule, 1, 200, 0x43, 1, 100);
    flow_counters_retire(&fc, "br", 3, 1, 200, 0x43);
    flow_counters_sweep(&fc, "br", 4);
    flow_counters_sweep(&fc, "other-bridge", 99);
    assert_non_null(flow_counters_find_baseline(&fc, 1, 200, 0x43, true));
    flow_counters_sweep(&fc, "br", 5);
    assert_null(flow_counters_find_baseline(&fc, 1, 200, 0x43, true));
    flow_counters_destroy(&fc);
}

/* Desired flows: a flow with the same table, priority and match is added
 * once; other priorities or tables are other flows; clear empties the
 * table. */
static void
test_desired_flows(void **state OVS_UNUSED)
{
    struct flow_counters counters;
    flow_counters_init(&counters);
    struct flow_table *ft = flow_table_create("vtap-test", "/nonexistent", NULL,
                                              &counters);
    struct ofpbuf output, clone;
    struct match match;

    match_init_catchall(&match);
    match_set_in_port(&match, u16_to_ofp(3));
    match_set_reg(&match, 0, 42);
    assert_string_equal(flow_table_bridge(ft), "vtap-test");

    ofpbuf_init(&output, 64);
    ofpact_put_OUTPUT(&output)->port = u16_to_ofp(1);
    flow_table_add(ft, 1, 100, 1, &match, output.data, output.size);
    flow_table_add(ft, 1, 100, 1, &match, NULL, 0);
    assert_int_equal(flow_table_count(ft), 1);

    ofpbuf_init(&clone, 64);
    ofpact_put_CLONE(&clone);
    struct ofpact_resubmit *resubmit = ofpact_put_RESUBMIT(&clone);
    resubmit->in_port = OFPP_IN_PORT;
    resubmit->table_id = 1;
    struct ofpact_nest *nest = clone.data;
    clone.header = nest;
    ofpact_finish_CLONE(&clone, &nest);
    flow_table_add(ft, 1, 99, 1, &match, NULL, 0);
    flow_table_add(ft, 0, 100, 1, &match, clone.data, clone.size);
    assert_int_equal(flow_table_count(ft), 3);

    assert_false(flow_table_is_synced(ft));
    assert_false(flow_table_is_connected(ft));
    flow_table_clear(ft);
    assert_int_equal(flow_table_count(ft), 0);

    ofpbuf_uninit(&output);
    ofpbuf_uninit(&clone);
    flow_table_destroy(ft);
    flow_counters_destroy(&counters);
}

/* Owners: a flow belongs to the VTAP that its cookie names; removing an
 * owner removes only its flows, removing by identity only that flow; two
 * tables built the same way, in any order, compare equal, and a difference
 * is told. */
static void
test_owners(void **state OVS_UNUSED)
{
    struct flow_counters counters;
    flow_counters_init(&counters);
    struct flow_table *a = flow_table_create("vtap-a", NULL, NULL, &counters);
    struct flow_table *b = flow_table_create("vtap-b", NULL, NULL, &counters);
    struct ofpbuf output;
    struct match match;
    struct ds diff = DS_EMPTY_INITIALIZER;

    ofpbuf_init(&output, 64);
    ofpact_put_OUTPUT(&output)->port = u16_to_ofp(1);
    for (uint32_t id = 1; id <= 3; id++) {
        for (int prio = 1; prio <= 4; prio++) {
            match_init_catchall(&match);
            match_set_reg(&match, 0, id);
            flow_table_add(a, 1, prio, vtap_cookie(VTAP_COOKIE_KIND_INGRESS,
                                                   true, prio, id),
                           &match, output.data, output.size);
        }
    }
    /* The same flows into 'b', in the other order. */
    for (uint32_t id = 3; id >= 1; id--) {
        for (int prio = 4; prio >= 1; prio--) {
            match_init_catchall(&match);
            match_set_reg(&match, 0, id);
            flow_table_add(b, 1, prio, vtap_cookie(VTAP_COOKIE_KIND_INGRESS,
                                                   true, prio, id),
                           &match, output.data, output.size);
        }
    }
    assert_int_equal(flow_table_count(a), 12);
    assert_true(flow_table_desired_equal(a, b, &diff));
    assert_int_equal(diff.length, 0);

    flow_table_remove_owner(a, 2);
    assert_int_equal(flow_table_count(a), 8);
    assert_false(flow_table_desired_equal(a, b, &diff));
    assert_non_null(strstr(ds_cstr(&diff), "only in the second"));
    ds_clear(&diff);

    match_init_catchall(&match);
    match_set_reg(&match, 0, 3);
    flow_table_remove(a, 1, 4, &match);
    flow_table_remove(a, 1, 4, &match);
    assert_int_equal(flow_table_count(a), 7);
    flow_table_remove_owner(a, 99);
    assert_int_equal(flow_table_count(a), 7);

    /* The flows put back compare equal again; other actions do not. */
    for (int prio = 1; prio <= 4; prio++) {
        match_init_catchall(&match);
        match_set_reg(&match, 0, 2);
        flow_table_add(a, 1, prio, vtap_cookie(VTAP_COOKIE_KIND_INGRESS,
                                               true, prio, 2),
                       &match, output.data, output.size);
    }
    match_init_catchall(&match);
    match_set_reg(&match, 0, 3);
    flow_table_add(a, 1, 4, vtap_cookie(VTAP_COOKIE_KIND_INGRESS, true, 4,
                                        3), &match, NULL, 0);
    assert_false(flow_table_desired_equal(a, b, &diff));
    ds_clear(&diff);
    flow_table_remove(a, 1, 4, &match);
    flow_table_add(a, 1, 4, vtap_cookie(VTAP_COOKIE_KIND_INGRESS, true, 4,
                                        3), &match, output.data, output.size);
    assert_true(flow_table_desired_equal(a, b, &diff));

    ds_destroy(&diff);
    ofpbuf_uninit(&output);
    flow_table_destroy(a);
    flow_table_destroy(b);
    flow_counters_destroy(&counters);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cookie_fields),
        cmocka_unit_test(test_rule_ids),
        cmocka_unit_test(test_counters),
        cmocka_unit_test(test_counters_removed),
        cmocka_unit_test(test_desired_flows),
        cmocka_unit_test(test_owners),
    };

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    return cmocka_run_group_tests(tests, NULL, NULL);
}

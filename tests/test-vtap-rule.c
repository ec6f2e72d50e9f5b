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

/* test-vtap-rule.c: unit tests of the capture rule model: the match
 * parser, its formatter and the semantic checks. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "openvswitch/dynamic-string.h"
#include "ovs-vtap/vtap-rule.h"
#include "svec.h"
#include "util.h"
#include "vtap-idl.h"

/* Splits 'match' at spaces into words and parses them into 'rule'.
 * Returns the parser's error, if any. */
static char *
parse(const char *match, struct vtap_rule *rule)
{
    struct svec words = SVEC_EMPTY_INITIALIZER;
    char *copy = xstrdup(match);
    char *save = NULL;

    for (char *w = strtok_r(copy, " ", &save); w;
         w = strtok_r(NULL, " ", &save)) {
        svec_add(&words, w);
    }
    vtap_rule_init(rule);
    char *error = vtap_rule_parse_match(rule, words.n, words.names);
    svec_destroy(&words);
    free(copy);
    return error;
}

/* Asserts that 'match' parses and formats back as 'expected'. */
static void
assert_match(const char *match, const char *expected)
{
    struct vtap_rule rule;
    char *error = parse(match, &rule);

    if (error) {
        fail_msg("\"%s\": unexpected error \"%s\"", match, error);
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    vtap_rule_format_match(&rule, &s);
    assert_string_equal(ds_cstr(&s), expected);

    /* What is formatted parses back to the same. */
    struct vtap_rule again;
    error = parse(ds_cstr(&s), &again);
    assert_null(error);
    struct ds s2 = DS_EMPTY_INITIALIZER;
    vtap_rule_format_match(&again, &s2);
    assert_string_equal(ds_cstr(&s2), expected);
    ds_destroy(&s);
    ds_destroy(&s2);
}

/* Asserts that 'match' is refused with an error that contains 'needle'. */
static void
assert_match_error(const char *match, const char *needle)
{
    struct vtap_rule rule;
    char *error = parse(match, &rule);

    if (!error || !strstr(error, needle)) {
        fail_msg("\"%s\": expected an error with \"%s\", got \"%s\"",
                 match, needle, error ? error : "(none)");
    }
    free(error);
}

static void
test_parse_seed_rules(void **state OVS_UNUSED)
{
    struct vtap_rule rule;

    assert_null(parse("proto=icmp src=172.16.0.148", &rule));
    assert_int_equal(rule.protocol, 1);
    assert_true(rule.has_src);
    assert_false(rule.has_dst);
    assert_int_equal(rule.src.family, AF_INET);
    assert_int_equal(rule.src.plen, 32);
    assert_int_equal(rule.icmp_type, -1);
    assert_int_equal(vtap_rule_family(&rule), AF_INET);

    assert_match("proto=icmp src=172.16.0.148",
                 "proto=icmp src=172.16.0.148/32");
    assert_match("proto=icmp dst=172.16.0.148/32",
                 "proto=icmp dst=172.16.0.148/32");
    assert_match("src=172.16.0.0/24 proto=icmp",
                 "proto=icmp src=172.16.0.0/24");
}

static void
test_parse_all_fields(void **state OVS_UNUSED)
{
    assert_match("", "proto=all");
    assert_match("proto=all", "proto=all");
    assert_match("proto=tcp sport=1024-65535 dport=80",
                 "proto=tcp sport=1024-65535 dport=80");
    assert_match("proto=udp dport=4789-4789", "proto=udp dport=4789");
    assert_match("proto=17 dport=53", "proto=udp dport=53");
    assert_match("proto=6", "proto=tcp");
    assert_match("proto=1", "proto=icmp");
    assert_match("proto=58", "proto=icmpv6");
    assert_match("proto=132", "proto=132");
    assert_match("proto=0", "proto=0");
    assert_match("proto=icmp icmp-type=8 icmp-code=0",
                 "proto=icmp icmp-type=8 icmp-code=0");
    assert_match("proto=icmpv6 icmp-type=128 src=2001:db8::/32",
                 "proto=icmpv6 src=2001:db8::/32 icmp-type=128");
    assert_match("src=10.0.0.0/8 dst=192.168.1.0/24",
                 "proto=all src=10.0.0.0/8 dst=192.168.1.0/24");
    assert_match("src=::/0 dst=fe80::1", "proto=all src=::/0 dst=fe80::1/128");
}

static void
test_family(void **state OVS_UNUSED)
{
    struct vtap_rule rule;

    assert_null(parse("", &rule));
    assert_int_equal(vtap_rule_family(&rule), AF_UNSPEC);
    assert_null(parse("proto=tcp dport=80", &rule));
    assert_int_equal(vtap_rule_family(&rule), AF_UNSPEC);
    assert_null(parse("proto=icmpv6", &rule));
    assert_int_equal(vtap_rule_family(&rule), AF_INET6);
    assert_null(parse("proto=icmp", &rule));
    assert_int_equal(vtap_rule_family(&rule), AF_INET);
    assert_null(parse("dst=2001:db8::1", &rule));
    assert_int_equal(vtap_rule_family(&rule), AF_INET6);
}

static void
test_parse_errors(void **state OVS_UNUSED)
{
    assert_match_error("proto=foo", "proto: \"foo\": not a protocol");
    assert_match_error("proto=256", "proto: \"256\": not a protocol");
    assert_match_error("proto=-1", "proto: \"-1\"");
    assert_match_error("src=172.16.0.300", "src: \"172.16.0.300\"");
    assert_match_error("dst=172.16.0.1/24", "dst: \"172.16.0.1/24\": host");
    assert_match_error("src=10.0.0.0/33", "src: \"10.0.0.0/33\"");
    assert_match_error("proto=tcp sport=70000",
                       "sport: \"70000\": not a port number");
    assert_match_error("proto=udp dport=90-80",
                       "dport: \"90-80\": port range minimum 90");
    assert_match_error("proto=icmp icmp-type=256",
                       "icmp-type: \"256\": not an ICMP type");
    assert_match_error("proto=icmp icmp-type=8 icmp-code=x",
                       "icmp-code: \"x\": not an ICMP code");
    assert_match_error("color=red", "unknown match field \"color\"");
    assert_match_error("proto", "\"proto\": a match word is KEY=VALUE");
    assert_match_error("=icmp", "\"=icmp\": a match word is KEY=VALUE");
    assert_match_error("proto=tcp proto=udp",
                       "proto: \"udp\": field given twice");
}

static void
test_semantic_errors(void **state OVS_UNUSED)
{
    assert_match_error("src=172.16.0.0/24 dst=2001:db8::/32",
                       "src 172.16.0.0/24 (IPv4) and dst 2001:db8::/32 "
                       "(IPv6) mix address families");
    assert_match_error("dport=80", "dport: ports need proto=tcp or "
                       "proto=udp, not proto=all");
    assert_match_error("proto=icmp sport=80",
                       "sport: ports need proto=tcp or proto=udp, "
                       "not proto=icmp");
    assert_match_error("proto=132 dport=80", "not proto=132");
    assert_match_error("proto=tcp icmp-type=8",
                       "icmp-type: 8 needs proto=icmp or proto=icmpv6");
    assert_match_error("icmp-type=8", "icmp-type: 8 needs proto=icmp");
    assert_match_error("proto=udp icmp-code=0",
                       "icmp-code: 0 needs proto=icmp");
    assert_match_error("proto=icmp icmp-code=0",
                       "icmp-code: 0 needs an icmp-type");
    assert_match_error("proto=icmp src=2001:db8::1",
                       "proto=icmp is IPv4 only but src 2001:db8::1/128 "
                       "is IPv6");
    assert_match_error("proto=icmpv6 dst=10.0.0.0/8",
                       "proto=icmpv6 is IPv6 only but dst 10.0.0.0/8 "
                       "is IPv4");
}

static void
test_check(void **state OVS_UNUSED)
{
    struct vtap_rule rule;
    char *error;

    assert_null(parse("proto=tcp dport=80", &rule));
    error = vtap_rule_check(&rule);
    assert_non_null(error);
    assert_non_null(strstr(error, "order: \"0\": not an order number"));
    free(error);

    rule.order = 10;
    assert_null(vtap_rule_check(&rule));
    rule.order = 32766;
    assert_null(vtap_rule_check(&rule));
    rule.order = 32767;
    error = vtap_rule_check(&rule);
    assert_non_null(strstr(error, "order: \"32767\""));
    free(error);

    /* A range built by hand, not by the parser, is checked too. */
    rule.order = 10;
    rule.dst_ports.min = 90;
    rule.dst_ports.max = 80;
    error = vtap_rule_check(&rule);
    assert_non_null(error);
    assert_non_null(strstr(error, "dport: \"90-80\""));
    free(error);

    vtap_rule_init(&rule);
    rule.order = 1;
    rule.icmp_type = 300;
    rule.protocol = 1;
    error = vtap_rule_check(&rule);
    assert_non_null(strstr(error, "icmp-type: \"300\""));
    free(error);
}

/* Returns the error of vtap_rule_from_idl() on 'row', and its match in
 * 'match'. */
static char *
from_idl(const struct vtaprec_capture_rule *row, struct ds *match)
{
    struct vtap_rule rule;
    char *error = vtap_rule_from_idl(row, &rule);

    ds_clear(match);
    if (!error) {
        ds_put_format(match, "%s %u %s ",
                      vtap_direction_to_string(rule.direction), rule.order,
                      vtap_action_to_string(rule.action));
        vtap_rule_format_match(&rule, match);
    }
    return error;
}

static void
test_from_idl(void **state OVS_UNUSED)
{
    struct vtaprec_capture_rule row;
    struct ds match = DS_EMPTY_INITIALIZER;
    int64_t proto = 6, port_min = 80, port_max = 90, icmp_code = 0;
    char *error;

    /* A Capture_Rule row as the IDL fills it in. */
    memset(&row, 0, sizeof row);
    row.direction = "egress";
    row.action = "exclude";
    row.order = 30;
    row.protocol = &proto;
    row.n_protocol = 1;
    row.src_cidr = "10.0.0.0/8";
    row.dst_port_min = &port_min;
    row.n_dst_port_min = 1;
    row.dst_port_max = &port_max;
    row.n_dst_port_max = 1;
    assert_null(from_idl(&row, &match));
    assert_string_equal(ds_cstr(&match),
                        "egress 30 exclude proto=tcp src=10.0.0.0/8 "
                        "dport=80-90");

    /* A minimum alone is a single port. */
    row.n_dst_port_max = 0;
    assert_null(from_idl(&row, &match));
    assert_string_equal(ds_cstr(&match),
                        "egress 30 exclude proto=tcp src=10.0.0.0/8 "
                        "dport=80");

    /* A maximum needs a minimum. */
    row.n_dst_port_min = 0;
    row.n_dst_port_max = 1;
    error = from_idl(&row, &match);
    assert_non_null(error);
    assert_string_equal(error, "dst_port_max: 90 without dst_port_min");
    free(error);
    row.n_dst_port_max = 0;

    /* Malformed CIDRs name the column. */
    row.src_cidr = "10.0.0.1/8";
    error = from_idl(&row, &match);
    assert_non_null(strstr(error, "src_cidr: \"10.0.0.1/8\": host bits"));
    free(error);
    row.src_cidr = NULL;
    row.dst_cidr = "fe80::/10";

    /* Every semantic check applies, as to ovs-vtapctl's input. */
    row.icmp_code = &icmp_code;
    row.n_icmp_code = 1;
    error = from_idl(&row, &match);
    assert_non_null(strstr(error, "icmp-code: 0 needs proto=icmp"));
    free(error);
    row.n_icmp_code = 0;

    row.n_protocol = 0;
    assert_null(from_idl(&row, &match));
    assert_string_equal(ds_cstr(&match),
                        "egress 30 exclude proto=all dst=fe80::/10");

    row.order = 0;
    error = from_idl(&row, &match);
    assert_non_null(strstr(error, "order: \"0\""));
    free(error);
    row.order = 1;

    row.direction = "sideways";
    error = from_idl(&row, &match);
    assert_string_equal(error,
                        "direction: \"sideways\": not ingress or egress");
    free(error);
    row.direction = "ingress";
    row.action = "mirror";
    error = from_idl(&row, &match);
    assert_string_equal(error, "action: \"mirror\": not include or exclude");
    free(error);

    ds_destroy(&match);
}

static void
test_to_string(void **state OVS_UNUSED)
{
    assert_string_equal(vtap_direction_to_string(VTAP_INGRESS), "ingress");
    assert_string_equal(vtap_direction_to_string(VTAP_EGRESS), "egress");
    assert_string_equal(vtap_action_to_string(VTAP_INCLUDE), "include");
    assert_string_equal(vtap_action_to_string(VTAP_EXCLUDE), "exclude");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_seed_rules),
        cmocka_unit_test(test_parse_all_fields),
        cmocka_unit_test(test_family),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_semantic_errors),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_from_idl),
        cmocka_unit_test(test_to_string),
    };
    return cmocka_run_group_tests_name("vtap-rule", tests, NULL, NULL);
}

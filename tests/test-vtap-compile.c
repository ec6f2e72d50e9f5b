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

/* test-vtap-compile.c: unit tests of the capture-filter compiler: port
 * ranges against an exhaustive search for the fewest aligned blocks, and
 * first-match semantics against a direct evaluation of the rules on random
 * packets, matched with Open vSwitch's own classifier helpers. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "flow.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-match.h"
#include "ovs-vtap/vtap-compile.h"
#include "packets.h"

/* Port ranges. */

/* Returns the fewest aligned power-of-two blocks that tile 'min'..'max',
 * by dynamic programming over every tiling: the block that covers the
 * lowest uncovered port must start there, so try each size that fits. */
static size_t
fewest_blocks(unsigned int min, unsigned int max)
{
    static unsigned int best[65537];

    best[max + 1] = 0;
    for (unsigned int x = max + 1; x-- > min;) {
        best[x] = UINT32_MAX;
        for (unsigned int size = 1; size <= 65536; size *= 2) {
            if (x % size || x + size - 1 > max) {
                break;
            }
            if (best[x + size] + 1 < best[x]) {
                best[x] = best[x + size] + 1;
            }
        }
    }
    return best[min];
}

/* Checks the pairs for 'min'..'max': every port of the range is covered by
 * exactly one pair, no port outside by any, and the count is the fewest. */
static size_t
check_range(unsigned int min, unsigned int max)
{
    struct vtap_port_mask masks[64];
    size_t n = vtap_port_range_to_masks(min, max, masks, 64);

    assert_true(n >= 1 && n <= 30);
    for (unsigned int port = 0; port <= 65535; port++) {
        unsigned int hits = 0;
        for (size_t i = 0; i < n; i++) {
            hits += (port & masks[i].mask) == masks[i].value;
        }
        if (hits != (port >= min && port <= max)) {
            fail_msg("range %u-%u: port %u is covered %u times",
                     min, max, port, hits);
        }
    }
    size_t fewest = fewest_blocks(min, max);
    if (n != fewest) {
        fail_msg("range %u-%u: %zu pairs, fewest is %zu",
                 min, max, n, fewest);
    }
    return n;
}

static void
test_range_edges(void **state OVS_UNUSED)
{
    struct vtap_port_mask masks[2];

    assert_int_equal(check_range(0, 0), 1);
    assert_int_equal(check_range(65535, 65535), 1);
    assert_int_equal(check_range(0, 65535), 1);
    assert_int_equal(vtap_port_range_to_masks(0, 65535, masks, 2), 1);
    assert_int_equal(masks[0].value, 0);
    assert_int_equal(masks[0].mask, 0);
    assert_int_equal(check_range(1024, 2047), 1);
    assert_int_equal(check_range(1000, 1999), 7);
    assert_int_equal(check_range(80, 90), 3);
    assert_int_equal(check_range(1, 65534), 30);
    check_range(0, 65534);
    check_range(1, 65535);
    check_range(32767, 32768);
    check_range(443, 443);

    /* Too small an output array: the count is still right, nothing is
     * written past the end. */
    struct vtap_port_mask small[3];
    memset(small, 0xff, sizeof small);
    assert_int_equal(vtap_port_range_to_masks(1000, 1999, small, 2), 7);
    assert_int_equal(small[2].value, 0xffff);
    assert_int_equal(small[2].mask, 0xffff);

    assert_int_equal(vtap_port_range_to_masks(2, 1, masks, 2), 0);
}

static void
test_range_random(void **state OVS_UNUSED)
{
    srandom(4);
    for (int i = 0; i < 150; i++) {
        unsigned int a = random() % 65536;
        unsigned int b = (i % 2 ? a + random() % 3000 : random() % 65536);
        b = MIN(b, 65535);
        check_range(MIN(a, b), MAX(a, b));
    }
}

/* Rules. */

/* Returns a rule of 'direction' and 'order' that matches everything. */
static struct vtap_rule
make_rule(enum vtap_direction direction, unsigned int order,
          enum vtap_action action, int protocol)
{
    struct vtap_rule rule;

    memset(&rule, 0, sizeof rule);
    rule.direction = direction;
    rule.action = action;
    rule.order = order;
    rule.protocol = protocol;
    rule.icmp_type = rule.icmp_code = -1;
    return rule;
}

/* Sets 'cidr' from the address 's' and 'plen'. */
static void
set_cidr(struct vtap_cidr *cidr, const char *s, unsigned int plen)
{
    char *error = vtap_parse_cidr(s, cidr);
    assert_null(error);
    if (cidr->family == AF_INET) {
        ovs_be32 addr = in6_addr_get_mapped_ipv4(&cidr->addr);
        in6_addr_set_mapped_ipv4(&cidr->addr, addr & be32_prefix_mask(plen));
    } else {
        struct in6_addr mask = ipv6_create_mask(plen);
        cidr->addr = ipv6_addr_bitand(&cidr->addr, &mask);
    }
    cidr->plen = plen;
}

/* Compiles 'rules' for 'direction' with base priority 1000, expecting
 * success. */
static void
compile_ok(const struct vtap_rule *rules, size_t n,
           enum vtap_direction direction, struct vtap_flows *flows)
{
    char *error = vtap_filter_compile(rules, n, direction, 1000,
                                      VTAP_MAX_FLOWS_PER_RULE, flows);
    if (error) {
        fail_msg("unexpected error: %s", error);
    }
}

/* Asserts that compiling 'rule' fails with an error containing 'needle'. */
static void
assert_compile_error(const struct vtap_rule *rule, size_t max_flows,
                     const char *needle)
{
    struct vtap_flows flows;

    vtap_flows_init(&flows);
    char *error = vtap_filter_compile(rule, 1, rule->direction, 1000,
                                      max_flows, &flows);
    if (!error || !strstr(error, needle)) {
        fail_msg("expected an error with \"%s\", got \"%s\"",
                 needle, error ? error : "(none)");
    }
    assert_int_equal(flows.n, 0);
    free(error);
    vtap_flows_destroy(&flows);
}

/* Returns the flow 'i' of 'flows' as ovs-ofctl would print its match. */
static char *
flow_string(const struct vtap_flows *flows, size_t i)
{
    return match_to_string(&flows->flows[i].match, NULL,
                           OFP_DEFAULT_PRIORITY);
}

static void
assert_flow_string(const struct vtap_flows *flows, size_t i,
                   const char *expected)
{
    char *s = flow_string(flows, i);
    assert_string_equal(s, expected);
    free(s);
}

/* The seed scenario's filter: the client's ICMP in both directions. */
static void
test_seed_filter(void **state OVS_UNUSED)
{
    struct vtap_rule rules[2] = {
        make_rule(VTAP_INGRESS, 10, VTAP_INCLUDE, VTAP_PROTO_ICMP),
        make_rule(VTAP_EGRESS, 10, VTAP_INCLUDE, VTAP_PROTO_ICMP),
    };
    struct vtap_flows flows;

    rules[0].has_src = true;
    set_cidr(&rules[0].src, "172.16.0.148", 32);
    rules[1].has_dst = true;
    set_cidr(&rules[1].dst, "172.16.0.148", 32);

    vtap_flows_init(&flows);
    compile_ok(rules, 2, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 1);
    assert_flow_string(&flows, 0, "icmp,nw_src=172.16.0.148");
    assert_int_equal(flows.flows[0].priority, 1000);
    assert_int_equal(flows.flows[0].action, VTAP_INCLUDE);
    assert_int_equal(flows.flows[0].rule_idx, 0);

    compile_ok(rules, 2, VTAP_EGRESS, &flows);
    assert_int_equal(flows.n, 1);
    assert_flow_string(&flows, 0, "icmp,nw_dst=172.16.0.148");
    assert_int_equal(flows.flows[0].rule_idx, 1);
    vtap_flows_destroy(&flows);
}

/* Which Ethernet types each kind of rule gets. */
static void
test_families(void **state OVS_UNUSED)
{
    struct vtap_rule rule;
    struct vtap_flows flows;

    vtap_flows_init(&flows);

    /* "all" with nothing else: every frame, ARP included. */
    rule = make_rule(VTAP_INGRESS, 1, VTAP_INCLUDE, -1);
    compile_ok(&rule, 1, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 1);
    assert_int_equal(flows.flows[0].match.wc.masks.dl_type, 0);
    assert_flow_string(&flows, 0, "");

    /* "all" with a CIDR: that family only. */
    rule.has_dst = true;
    set_cidr(&rule.dst, "2001:db8::", 32);
    compile_ok(&rule, 1, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 1);
    assert_flow_string(&flows, 0, "ipv6,ipv6_dst=2001:db8::/32");

    /* A protocol without a CIDR: IPv4 and IPv6. */
    rule = make_rule(VTAP_INGRESS, 1, VTAP_EXCLUDE, VTAP_PROTO_TCP);
    compile_ok(&rule, 1, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 2);
    assert_flow_string(&flows, 0, "tcp");
    assert_flow_string(&flows, 1, "tcp6");
    assert_int_equal(flows.flows[1].action, VTAP_EXCLUDE);

    rule.protocol = 47;
    compile_ok(&rule, 1, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 2);
    assert_flow_string(&flows, 0, "ip,nw_proto=47");
    assert_flow_string(&flows, 1, "ipv6,nw_proto=47");

    /* ICMP is IPv4, ICMPv6 is IPv6, each with its type and code. */
    rule = make_rule(VTAP_INGRESS, 1, VTAP_INCLUDE, VTAP_PROTO_ICMP);
    rule.icmp_type = 8;
    rule.icmp_code = 0;
    compile_ok(&rule, 1, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 1);
    assert_flow_string(&flows, 0, "icmp,icmp_type=8,icmp_code=0");

    rule.protocol = VTAP_PROTO_ICMPV6;
    rule.icmp_type = 128;
    rule.icmp_code = -1;
    compile_ok(&rule, 1, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 1);
    assert_flow_string(&flows, 0, "icmp6,icmp_type=128");

    /* A UDP rule with an IPv4 source and ports. */
    rule = make_rule(VTAP_EGRESS, 1, VTAP_INCLUDE, VTAP_PROTO_UDP);
    rule.has_src = true;
    set_cidr(&rule.src, "10.1.0.0", 16);
    rule.has_dst_ports = true;
    rule.dst_ports.min = rule.dst_ports.max = 53;
    compile_ok(&rule, 1, VTAP_EGRESS, &flows);
    assert_int_equal(flows.n, 1);
    assert_flow_string(&flows, 0, "udp,nw_src=10.1.0.0/16,tp_dst=53");

    vtap_flows_destroy(&flows);
}

/* Rules whose fields contradict each other are refused, by name. */
static void
test_bad_rules(void **state OVS_UNUSED)
{
    struct vtap_rule rule;

    rule = make_rule(VTAP_INGRESS, 3, VTAP_INCLUDE, VTAP_PROTO_ICMP);
    rule.has_src = true;
    set_cidr(&rule.src, "2001:db8::", 32);
    assert_compile_error(&rule, 10, "ingress rule with order 3: its source "
                         "CIDR is IPv6 but the rest of the rule is IPv4");

    rule = make_rule(VTAP_EGRESS, 4, VTAP_INCLUDE, -1);
    rule.has_src = true;
    set_cidr(&rule.src, "10.0.0.0", 8);
    rule.has_dst = true;
    set_cidr(&rule.dst, "2001:db8::", 32);
    assert_compile_error(&rule, 10, "egress rule with order 4: its "
                         "destination CIDR is IPv6");

    rule = make_rule(VTAP_INGRESS, 5, VTAP_INCLUDE, VTAP_PROTO_ICMP);
    rule.has_dst_ports = true;
    rule.dst_ports.min = rule.dst_ports.max = 80;
    assert_compile_error(&rule, 10, "port ranges need protocol tcp or udp");

    rule = make_rule(VTAP_INGRESS, 6, VTAP_INCLUDE, VTAP_PROTO_TCP);
    rule.icmp_type = 3;
    assert_compile_error(&rule, 10, "ICMP type and code need protocol icmp");
}

/* Two port ranges multiply; past the bound, the error names the rule. */
static void
test_flow_bound(void **state OVS_UNUSED)
{
    struct vtap_rule rule = make_rule(VTAP_INGRESS, 7, VTAP_INCLUDE,
                                      VTAP_PROTO_TCP);
    struct vtap_flows flows;

    rule.has_src_ports = rule.has_dst_ports = true;
    rule.src_ports.min = 1000;
    rule.src_ports.max = 1999;
    rule.dst_ports.min = 80;
    rule.dst_ports.max = 90;
    vtap_flows_init(&flows);
    compile_ok(&rule, 1, VTAP_INGRESS, &flows);
    assert_int_equal(flows.n, 2 * fewest_blocks(1000, 1999)
                     * fewest_blocks(80, 90));
    assert_int_equal(flows.n, 2 * 7 * 3);
    for (size_t i = 0; i < flows.n; i++) {
        assert_int_equal(flows.flows[i].priority, 1000);
    }

    rule.src_ports.min = rule.dst_ports.min = 1;
    rule.src_ports.max = rule.dst_ports.max = 65534;
    assert_compile_error(&rule, 1024, "ingress rule with order 7 expands to "
                         "1800 flows, more than the limit of 1024 flows "
                         "per rule");
    char *error = vtap_filter_compile(&rule, 1, VTAP_INGRESS, 1000, 1800,
                                      &flows);
    assert_null(error);
    assert_int_equal(flows.n, 1800);
    vtap_flows_destroy(&flows);
}

/* Priorities follow 'order', not the position in the array; the other
 * direction's rules are left out. */
static void
test_priorities(void **state OVS_UNUSED)
{
    struct vtap_rule rules[4] = {
        make_rule(VTAP_INGRESS, 30, VTAP_INCLUDE, VTAP_PROTO_UDP),
        make_rule(VTAP_EGRESS, 5, VTAP_INCLUDE, VTAP_PROTO_UDP),
        make_rule(VTAP_INGRESS, 10, VTAP_EXCLUDE, VTAP_PROTO_ICMP),
        make_rule(VTAP_INGRESS, 20, VTAP_INCLUDE, VTAP_PROTO_ICMPV6),
    };
    struct vtap_flows flows;

    vtap_flows_init(&flows);
    char *error = vtap_filter_compile(rules, 4, VTAP_INGRESS, 500, 10,
                                      &flows);
    assert_null(error);
    assert_int_equal(flows.n, 4);
    assert_int_equal(flows.flows[0].rule_idx, 2);
    assert_int_equal(flows.flows[0].priority, 500);
    assert_int_equal(flows.flows[0].action, VTAP_EXCLUDE);
    assert_int_equal(flows.flows[1].rule_idx, 3);
    assert_int_equal(flows.flows[1].priority, 499);
    assert_int_equal(flows.flows[2].rule_idx, 0);
    assert_int_equal(flows.flows[2].priority, 498);
    assert_int_equal(flows.flows[3].rule_idx, 0);
    assert_int_equal(flows.flows[3].priority, 498);

    error = vtap_filter_compile(rules, 4, VTAP_INGRESS, 3, 10, &flows);
    assert_non_null(error);
    assert_string_equal(error, "3 ingress rules do not fit below "
                        "priority 3");
    assert_int_equal(flows.n, 0);
    free(error);

    error = vtap_filter_compile(rules, 4, VTAP_EGRESS, 2, 10, &flows);
    assert_null(error);
    assert_int_equal(flows.n, 2);
    assert_int_equal(flows.flows[0].rule_idx, 1);
    vtap_flows_destroy(&flows);
}

/* First-match semantics on random filters and packets. */

static const char *const v4_pool[] = {
    "10.0.0.1", "10.0.0.130", "10.0.1.7", "10.200.3.4", "172.16.0.148",
};
static const char *const v6_pool[] = {
    "2001:db8::1", "2001:db8::8001", "2001:db8:1::7", "fd00::5",
};

/* A packet as the rules see it. */
struct test_packet {
    int family;                 /* AF_INET, AF_INET6 or AF_UNSPEC (ARP). */
    uint8_t proto;
    struct in6_addr src, dst;   /* IPv4 mapped. */
    uint16_t tp_src, tp_dst;    /* Ports, or ICMP type and code. */
};

/* Returns a random address of 'family' near the pool's addresses. */
static struct in6_addr
random_addr(int family)
{
    struct in6_addr addr;
    char *error;
    struct vtap_cidr cidr;

    if (family == AF_INET) {
        error = vtap_parse_cidr(v4_pool[random() % ARRAY_SIZE(v4_pool)],
                                &cidr);
    } else {
        error = vtap_parse_cidr(v6_pool[random() % ARRAY_SIZE(v6_pool)],
                                &cidr);
    }
    assert_null(error);
    addr = cidr.addr;
    if (random() % 2) {
        addr.s6_addr[15] ^= 1u << (random() % 8);
    }
    if (random() % 4 == 0) {
        addr.s6_addr[14] ^= 1u << (random() % 8);
    }
    return addr;
}

static uint16_t
random_port(void)
{
    static const uint16_t edges[] = { 0, 1, 79, 80, 90, 91, 1023, 1024,
                                      65535 };
    return (random() % 3 ? random() % 2048
            : edges[random() % ARRAY_SIZE(edges)]);
}

static const int protocols[] = {
    -1, VTAP_PROTO_ICMP, VTAP_PROTO_TCP, VTAP_PROTO_UDP, VTAP_PROTO_ICMPV6,
    47,
};

static struct test_packet
random_packet(void)
{
    struct test_packet p;

    memset(&p, 0, sizeof p);
    int r = random() % 9;
    p.family = r < 4 ? AF_INET : r < 8 ? AF_INET6 : AF_UNSPEC;
    p.proto = protocols[1 + random() % (ARRAY_SIZE(protocols) - 1)];
    if (p.family != AF_UNSPEC) {
        p.src = random_addr(p.family);
        p.dst = random_addr(p.family);
    }
    if (p.proto == VTAP_PROTO_ICMP || p.proto == VTAP_PROTO_ICMPV6) {
        p.tp_src = random() % 4;
        p.tp_dst = random() % 3;
    } else if (p.proto == VTAP_PROTO_TCP || p.proto == VTAP_PROTO_UDP) {
        p.tp_src = random_port();
        p.tp_dst = random_port();
    }
    return p;
}

static void
random_port_range(struct vtap_port_range *range)
{
    uint16_t a = random_port(), b = random_port();
    range->min = MIN(a, b);
    range->max = MAX(a, b);
}

/* Fills 'cidr' with a random prefix of 'family' around the pool. */
static void
random_cidr(struct vtap_cidr *cidr, int family)
{
    char buf[INET6_ADDRSTRLEN];
    struct in6_addr addr = random_addr(family);
    unsigned int plen;

    if (family == AF_INET) {
        ovs_be32 ip = in6_addr_get_mapped_ipv4(&addr);
        inet_ntop(AF_INET, &ip, buf, sizeof buf);
        plen = random() % 4 ? 20 + random() % 13 : random() % 33;
    } else {
        inet_ntop(AF_INET6, &addr, buf, sizeof buf);
        plen = random() % 4 ? 112 + random() % 17 : random() % 129;
    }
    set_cidr(cidr, buf, plen);
}

static struct vtap_rule
random_rule(unsigned int order)
{
    struct vtap_rule rule = make_rule(random() % 2 ? VTAP_INGRESS
                                      : VTAP_EGRESS, order,
                                      random() % 2 ? VTAP_INCLUDE
                                      : VTAP_EXCLUDE,
                                      protocols[random()
                                                % ARRAY_SIZE(protocols)]);
    int family = (rule.protocol == VTAP_PROTO_ICMP ? AF_INET
                  : rule.protocol == VTAP_PROTO_ICMPV6 ? AF_INET6
                  : random() % 2 ? AF_INET : AF_INET6);

    if (random() % 3 == 0) {
        rule.has_src = true;
        random_cidr(&rule.src, family);
    }
    if (random() % 3 == 0) {
        rule.has_dst = true;
        random_cidr(&rule.dst, family);
    }
    if (rule.protocol == VTAP_PROTO_TCP || rule.protocol == VTAP_PROTO_UDP) {
        if (random() % 2) {
            rule.has_src_ports = true;
            random_port_range(&rule.src_ports);
        }
        if (random() % 2) {
            rule.has_dst_ports = true;
            random_port_range(&rule.dst_ports);
        }
    } else if (rule.protocol == VTAP_PROTO_ICMP
               || rule.protocol == VTAP_PROTO_ICMPV6) {
        if (random() % 2) {
            rule.icmp_type = random() % 4;
            if (random() % 2) {
                rule.icmp_code = random() % 3;
            }
        }
    }
    return rule;
}

static bool
cidr_contains(const struct vtap_cidr *cidr, int family,
              const struct in6_addr *addr)
{
    if (cidr->family != family) {
        return false;
    }
    unsigned int plen = cidr->plen + (family == AF_INET ? 96 : 0);
    for (unsigned int bit = 0; bit < plen; bit++) {
        unsigned int byte = bit / 8, shift = 7 - bit % 8;
        if (((addr->s6_addr[byte] ^ cidr->addr.s6_addr[byte]) >> shift) & 1) {
            return false;
        }
    }
    return true;
}

/* Whether 'rule' matches 'p', read straight from the rule model. */
static bool
rule_matches(const struct vtap_rule *rule, const struct test_packet *p)
{
    if (p->family == AF_UNSPEC) {
        return rule->protocol < 0 && !rule->has_src && !rule->has_dst;
    }
    bool icmp = (rule->protocol == VTAP_PROTO_ICMP
                 || rule->protocol == VTAP_PROTO_ICMPV6);
    return ((rule->protocol < 0 || rule->protocol == p->proto)
            && (rule->protocol != VTAP_PROTO_ICMP || p->family == AF_INET)
            && (rule->protocol != VTAP_PROTO_ICMPV6
                || p->family == AF_INET6)
            && (!rule->has_src || cidr_contains(&rule->src, p->family,
                                                &p->src))
            && (!rule->has_dst || cidr_contains(&rule->dst, p->family,
                                                &p->dst))
            && (!rule->has_src_ports || (p->tp_src >= rule->src_ports.min
                                         && p->tp_src <= rule->src_ports.max))
            && (!rule->has_dst_ports || (p->tp_dst >= rule->dst_ports.min
                                         && p->tp_dst <= rule->dst_ports.max))
            && (!icmp || rule->icmp_type < 0 || p->tp_src == rule->icmp_type)
            && (!icmp || rule->icmp_code < 0 || p->tp_dst == rule->icmp_code));
}

/* Returns the index of the rule of 'direction' with the lowest order that
 * matches 'p', or -1 if none does. */
static int
first_match(const struct vtap_rule *rules, size_t n,
            enum vtap_direction direction, const struct test_packet *p)
{
    int best = -1;

    for (size_t i = 0; i < n; i++) {
        if (rules[i].direction == direction && rule_matches(&rules[i], p)
            && (best < 0 || rules[i].order < rules[best].order)) {
            best = i;
        }
    }
    return best;
}

/* Builds the OVS flow of 'p', as the datapath would extract it. */
static void
packet_to_flow(const struct test_packet *p, struct flow *flow)
{
    memset(flow, 0, sizeof *flow);
    flow->packet_type = htonl(PT_ETH);
    if (p->family == AF_UNSPEC) {
        flow->dl_type = htons(ETH_TYPE_ARP);
        flow->nw_proto = ARP_OP_REQUEST;
        flow->nw_src = htonl(0x0a000001);
        flow->nw_dst = htonl(0x0a000002);
        return;
    }
    if (p->family == AF_INET) {
        flow->dl_type = htons(ETH_TYPE_IP);
        flow->nw_src = in6_addr_get_mapped_ipv4(&p->src);
        flow->nw_dst = in6_addr_get_mapped_ipv4(&p->dst);
    } else {
        flow->dl_type = htons(ETH_TYPE_IPV6);
        flow->ipv6_src = p->src;
        flow->ipv6_dst = p->dst;
    }
    flow->nw_proto = p->proto;
    flow->nw_ttl = 64;
    flow->tp_src = htons(p->tp_src);
    flow->tp_dst = htons(p->tp_dst);
}

/* Checks one random filter against many random packets. */
static void
check_random_filter(size_t n_rules, size_t n_packets)
{
    struct vtap_rule rules[16];
    struct vtap_flows flows[2];

    /* Distinct orders, in random positions. */
    for (size_t i = 0; i < n_rules; i++) {
        rules[i] = random_rule(1 + i * 3);
    }
    for (size_t i = n_rules; i > 1; i--) {
        size_t j = random() % i;
        unsigned int order = rules[i - 1].order;
        rules[i - 1].order = rules[j].order;
        rules[j].order = order;
    }

    for (int d = 0; d < 2; d++) {
        vtap_flows_init(&flows[d]);
        char *error = vtap_filter_compile(rules, n_rules, d, 100, 4096,
                                          &flows[d]);
        if (error) {
            fail_msg("%s", error);
        }
        for (size_t i = 0; i < flows[d].n; i++) {
            /* Every field has its prerequisites: OVS would keep the match
             * as it is. */
            struct match normalized = flows[d].flows[i].match;
            ofputil_normalize_match_quiet(&normalized);
            assert_true(match_equal(&normalized, &flows[d].flows[i].match));
            assert_true(flows[d].flows[i].priority > 0);
        }
    }

    struct minimatch *mms[2];
    for (int d = 0; d < 2; d++) {
        mms[d] = xmalloc(MAX(flows[d].n, 1) * sizeof *mms[d]);
        for (size_t i = 0; i < flows[d].n; i++) {
            minimatch_init(&mms[d][i], &flows[d].flows[i].match);
        }
    }

    for (size_t k = 0; k < n_packets; k++) {
        struct test_packet p = random_packet();
        struct flow flow;

        packet_to_flow(&p, &flow);
        for (int d = 0; d < 2; d++) {
            int expected = first_match(rules, n_rules, d, &p);
            const struct vtap_flow *hit = NULL;
            size_t n_hits_at_top = 0;

            for (size_t i = 0; i < flows[d].n; i++) {
                const struct vtap_flow *f = &flows[d].flows[i];
                if (!minimatch_matches_flow(&mms[d][i], &flow)) {
                    continue;
                }
                if (!hit || f->priority > hit->priority) {
                    hit = f;
                    n_hits_at_top = 1;
                } else if (f->priority == hit->priority) {
                    n_hits_at_top++;
                }
            }
            int got = hit ? (int) hit->rule_idx : -1;
            if (got != expected || n_hits_at_top > 1) {
                char *s = flow_to_string(&flow, NULL);
                fail_msg("%s: %s: rule %d by evaluation, %d by flows "
                         "(%zu flows hit at the top)", s,
                         d == VTAP_INGRESS ? "ingress" : "egress",
                         expected, got, n_hits_at_top);
            }
            if (hit) {
                assert_int_equal(hit->action, rules[got].action);
            }
        }
    }

    for (int d = 0; d < 2; d++) {
        for (size_t i = 0; i < flows[d].n; i++) {
            minimatch_destroy(&mms[d][i]);
        }
        free(mms[d]);
        vtap_flows_destroy(&flows[d]);
    }
}

static void
test_first_match_random(void **state OVS_UNUSED)
{
    srandom(17);
    for (int i = 0; i < 300; i++) {
        check_random_filter(1 + random() % 16, 300);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range_edges),
        cmocka_unit_test(test_range_random),
        cmocka_unit_test(test_seed_filter),
        cmocka_unit_test(test_families),
        cmocka_unit_test(test_bad_rules),
        cmocka_unit_test(test_flow_bound),
        cmocka_unit_test(test_priorities),
        cmocka_unit_test(test_first_match_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

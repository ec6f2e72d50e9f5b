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

/* vtap-compile.c: the capture-filter compiler (see vtap-compile.h).
 *
 * Each rule of the chosen direction becomes one priority level, the first
 * rule (lowest 'order') the highest, and expands there into the cross
 * product of:
 *
 *   - its Ethernet types: a rule whose protocol or CIDRs name a family
 *     gets that family only (icmp means IPv4, icmpv6 IPv6); any other rule
 *     gets both IPv4 and IPv6, except that protocol "all" with no CIDR gets
 *     no Ethernet type at all and so matches every frame, ARP and other
 *     non-IP traffic included (a rule "all" is the way to mirror ARP;
 *     narrow it with exclude rules above it to leave some out);
 *   - the value/mask pairs of its source port range and of its destination
 *     port range.
 *
 * The flows of one rule never overlap, so a packet hits at most one of them
 * and per-rule statistics count each packet once. */

#include <config.h>

#include "ovs-vtap/vtap-compile.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "packets.h"
#include "util.h"

/* The most value/mask pairs that one 16-bit range can need (2 * 16 - 2). */
#define MAX_PORT_MASKS 30

void
vtap_flows_init(struct vtap_flows *flows)
{
    flows->flows = NULL;
    flows->n = flows->allocated = 0;
}

void
vtap_flows_destroy(struct vtap_flows *flows)
{
    free(flows->flows);
    vtap_flows_init(flows);
}

/* Appends a new flow to 'flows' and returns it, with a catch-all match. */
static struct vtap_flow *
vtap_flows_add(struct vtap_flows *flows)
{
    if (flows->n >= flows->allocated) {
        flows->flows = x2nrealloc(flows->flows, &flows->allocated,
                                  sizeof *flows->flows);
    }
    struct vtap_flow *flow = &flows->flows[flows->n++];
    memset(flow, 0, sizeof *flow);
    match_init_catchall(&flow->match);
    return flow;
}

/* Splits the inclusive range 'min'..'max' into the fewest aligned blocks of
 * a power-of-two size, each a value/mask pair, in ascending order.  The
 * pairs cover exactly the range and never overlap; 0-65535 is the single
 * pair 0/0 (any port).  Writes at most 'max_out' pairs to 'out' and returns
 * how many the range needs (at most 30), or 0 if 'min' > 'max'.
 *
 * These are the fewest pairs whose masks are prefixes.  Masks with holes
 * can cover some ranges in fewer disjoint pairs (25-30 takes 4 prefixes but
 * 3 such pairs: 11*01, 1101*, 111*0 in 5 bits); they are not used here. */
size_t
vtap_port_range_to_masks(uint16_t min, uint16_t max,
                         struct vtap_port_mask *out, size_t max_out)
{
    uint32_t lo = min;
    size_t n = 0;

    while (lo <= max) {
        /* The largest block that starts at 'lo' and is aligned on its size,
         * shrunk until it ends within the range. */
        uint32_t size = lo ? lo & -lo : UINT32_C(1) << 16;
        while (lo + size - 1 > max) {
            size >>= 1;
        }
        if (n < max_out) {
            out[n].value = lo;
            out[n].mask = ~(size - 1) & 0xffff;
        }
        n++;
        lo += size;
    }
    return n;
}

/* Writes into 'buf' a short name of 'rule' for error messages. */
static const char *
rule_name(const struct vtap_rule *rule, char *buf, size_t size)
{
    snprintf(buf, size, "%s rule with order %u",
             vtap_direction_to_string(rule->direction), rule->order);
    return buf;
}

/* Finds the Ethernet types that 'rule' matches: stores them in 'dl_types'
 * and their number in '*n' (0 means any frame at all).  Returns an error if
 * the rule asks for fields that its protocol or family cannot carry. */
static char *
rule_dl_types(const struct vtap_rule *rule, ovs_be16 dl_types[2], size_t *n)
{
    char name[64];
    int family = AF_UNSPEC;

    rule_name(rule, name, sizeof name);
    if (rule->protocol == VTAP_PROTO_ICMP) {
        family = AF_INET;
    } else if (rule->protocol == VTAP_PROTO_ICMPV6) {
        family = AF_INET6;
    }
    const struct vtap_cidr *cidrs[2] = {
        rule->has_src ? &rule->src : NULL,
        rule->has_dst ? &rule->dst : NULL,
    };
    for (size_t i = 0; i < 2; i++) {
        if (!cidrs[i]) {
            continue;
        } else if (family != AF_UNSPEC && cidrs[i]->family != family) {
            return xasprintf("%s: its %s CIDR is %s but the rest of the "
                             "rule is %s", name, i ? "destination" : "source",
                             cidrs[i]->family == AF_INET ? "IPv4" : "IPv6",
                             family == AF_INET ? "IPv4" : "IPv6");
        }
        family = cidrs[i]->family;
    }

    bool tcp_udp = (rule->protocol == VTAP_PROTO_TCP
                    || rule->protocol == VTAP_PROTO_UDP);
    bool icmp = (rule->protocol == VTAP_PROTO_ICMP
                 || rule->protocol == VTAP_PROTO_ICMPV6);
    if ((rule->has_src_ports || rule->has_dst_ports) && !tcp_udp) {
        return xasprintf("%s: port ranges need protocol tcp or udp (not %d)",
                         name, rule->protocol);
    }
    if ((rule->icmp_type >= 0 || rule->icmp_code >= 0) && !icmp) {
        return xasprintf("%s: ICMP type and code need protocol icmp or "
                         "icmpv6 (not %d)", name, rule->protocol);
    }

    *n = 0;
    if (family == AF_INET) {
        dl_types[(*n)++] = htons(ETH_TYPE_IP);
    } else if (family == AF_INET6) {
        dl_types[(*n)++] = htons(ETH_TYPE_IPV6);
    } else if (rule->protocol >= 0) {
        dl_types[(*n)++] = htons(ETH_TYPE_IP);
        dl_types[(*n)++] = htons(ETH_TYPE_IPV6);
    }
    return NULL;
}

/* Sets in 'match' the source (if 'dst' is false) or destination prefix
 * 'cidr', whose family is that of the match's Ethernet type. */
static void
match_set_cidr(struct match *match, const struct vtap_cidr *cidr, bool dst)
{
    if (cidr->family == AF_INET) {
        ovs_be32 addr = in6_addr_get_mapped_ipv4(&cidr->addr);
        ovs_be32 mask = be32_prefix_mask(cidr->plen);
        if (dst) {
            match_set_nw_dst_masked(match, addr, mask);
        } else {
            match_set_nw_src_masked(match, addr, mask);
        }
    } else {
        struct in6_addr mask = ipv6_create_mask(cidr->plen);
        if (dst) {
            match_set_ipv6_dst_masked(match, &cidr->addr, &mask);
        } else {
            match_set_ipv6_src_masked(match, &cidr->addr, &mask);
        }
    }
}

/* Stores in 'masks' the value/mask pairs of 'range' if 'has_range', else
 * the single pair that matches any port, and returns their number. */
static size_t
rule_port_masks(bool has_range, const struct vtap_port_range *range,
                struct vtap_port_mask masks[MAX_PORT_MASKS])
{
    if (!has_range) {
        masks[0].value = masks[0].mask = 0;
        return 1;
    }
    return vtap_port_range_to_masks(range->min, range->max,
                                    masks, MAX_PORT_MASKS);
}

/* Appends to 'flows' the flows of 'rule', at 'priority', each pointing back
 * to 'rule_idx'.  Fails without appending anything if 'rule' would need
 * more than 'max_flows' flows or asks for fields it cannot match. */
static char *
compile_rule(const struct vtap_rule *rule, size_t rule_idx,
             uint16_t priority, size_t max_flows, struct vtap_flows *flows)
{
    struct vtap_port_mask src_ports[MAX_PORT_MASKS];
    struct vtap_port_mask dst_ports[MAX_PORT_MASKS];
    ovs_be16 dl_types[2];
    size_t n_dl_types = 0;

    char *error = rule_dl_types(rule, dl_types, &n_dl_types);
    if (error) {
        return error;
    }
    size_t n_src = rule_port_masks(rule->has_src_ports, &rule->src_ports,
                                   src_ports);
    size_t n_dst = rule_port_masks(rule->has_dst_ports, &rule->dst_ports,
                                   dst_ports);
    size_t n_flows = MAX(n_dl_types, 1) * n_src * n_dst;
    if (!n_flows) {
        char name[64];
        return xasprintf("%s: empty port range",
                         rule_name(rule, name, sizeof name));
    } else if (n_flows > max_flows) {
        char name[64];
        return xasprintf("%s expands to %"PRIuSIZE" flows, more than the "
                         "limit of %"PRIuSIZE" flows per rule",
                         rule_name(rule, name, sizeof name),
                         n_flows, max_flows);
    }

    for (size_t i = 0; i < MAX(n_dl_types, 1); i++) {
        for (size_t s = 0; s < n_src; s++) {
            for (size_t d = 0; d < n_dst; d++) {
                struct vtap_flow *flow = vtap_flows_add(flows);
                struct match *match = &flow->match;

                flow->priority = priority;
                flow->action = rule->action;
                flow->rule_idx = rule_idx;
                if (n_dl_types) {
                    match_set_dl_type(match, dl_types[i]);
                }
                if (rule->protocol >= 0) {
                    match_set_nw_proto(match, rule->protocol);
                }
                if (rule->has_src) {
                    match_set_cidr(match, &rule->src, false);
                }
                if (rule->has_dst) {
                    match_set_cidr(match, &rule->dst, true);
                }
                if (src_ports[s].mask) {
                    match_set_tp_src_masked(match, htons(src_ports[s].value),
                                            htons(src_ports[s].mask));
                }
                if (dst_ports[d].mask) {
                    match_set_tp_dst_masked(match, htons(dst_ports[d].value),
                                            htons(dst_ports[d].mask));
                }
                if (rule->icmp_type >= 0) {
                    match_set_icmp_type(match, rule->icmp_type);
                }
                if (rule->icmp_code >= 0) {
                    match_set_icmp_code(match, rule->icmp_code);
                }
            }
        }
    }
    return NULL;
}

/* A rule of the direction being compiled, for sorting. */
struct ranked_rule {
    const struct vtap_rule *rule;
    size_t idx;                 /* In the caller's array. */
};

static int
compare_ranked_rules(const void *a_, const void *b_)
{
    const struct ranked_rule *a = a_;
    const struct ranked_rule *b = b_;

    if (a->rule->order != b->rule->order) {
        return a->rule->order < b->rule->order ? -1 : 1;
    }
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Compiles the rules among 'rules' whose direction is 'direction' into
 * 'flows', which the caller has initialized; whatever 'flows' held is
 * replaced.  Rules are taken by ascending 'order' (ties by position in
 * 'rules'); the k-th (from 0) gets priority 'base_priority' - k, which must
 * stay above 0 so that the caller can put its "no match" drop below all of
 * them.  Each rule may expand into at most 'max_flows_per_rule' flows.
 *
 * Returns NULL on success, otherwise a malloc()'d error message that names
 * the rule at fault, leaving 'flows' empty. */
char *
vtap_filter_compile(const struct vtap_rule *rules, size_t n_rules,
                    enum vtap_direction direction, uint16_t base_priority,
                    size_t max_flows_per_rule, struct vtap_flows *flows)
{
    struct ranked_rule *ranked = xmalloc(MAX(n_rules, 1) * sizeof *ranked);
    size_t n_ranked = 0;
    char *error = NULL;

    flows->n = 0;
    for (size_t i = 0; i < n_rules; i++) {
        if (rules[i].direction == direction) {
            ranked[n_ranked].rule = &rules[i];
            ranked[n_ranked].idx = i;
            n_ranked++;
        }
    }
    if (n_ranked >= base_priority) {
        error = xasprintf("%"PRIuSIZE" %s rules do not fit below priority "
                          "%"PRIu16, n_ranked,
                          vtap_direction_to_string(direction),
                          base_priority);
        goto out;
    }
    qsort(ranked, n_ranked, sizeof *ranked, compare_ranked_rules);

    for (size_t k = 0; k < n_ranked; k++) {
        error = compile_rule(ranked[k].rule, ranked[k].idx,
                             base_priority - k, max_flows_per_rule, flows);
        if (error) {
            flows->n = 0;
            break;
        }
    }

out:
    free(ranked);
    return error;
}

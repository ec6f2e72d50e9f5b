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

/* vtap-compile.h: the capture-filter compiler.  It turns the rules of one
 * direction of a filter into OpenFlow matches with priorities such that the
 * highest-priority flow that a packet hits gives the same verdict as
 * evaluating the rules in order (first match decides, no match means not
 * mirrored).  TCP/UDP port ranges become the fewest value/mask matches.
 *
 * A rule tied to no family (no CIDR, protocol not icmp/icmpv6) matches
 * IPv4 and IPv6; protocol "all" with no CIDR matches every frame, ARP and
 * other non-IP traffic included.
 *
 * The matches carry only packet fields (dl_type, nw_proto, addresses, ports,
 * ICMP type/code); the caller adds in_port/metadata and the actions. */

#ifndef OVS_VTAP_VTAP_COMPILE_H
#define OVS_VTAP_VTAP_COMPILE_H 1

#include <stddef.h>
#include <stdint.h>
#include "openvswitch/match.h"
#include "ovs-vtap/vtap-rule.h"

/* One flow of a compiled filter direction. */
struct vtap_flow {
    struct match match;         /* Packet fields only. */
    uint16_t priority;          /* Relative: higher wins. */
    enum vtap_action action;    /* VTAP_INCLUDE: mirror, else drop. */
    size_t rule_idx;            /* Index of the rule in the input array. */
};

/* A compiled filter direction: an array of flows. */
struct vtap_flows {
    struct vtap_flow *flows;
    size_t n, allocated;
};

/* Default bound on the flows that a single rule may expand into. */
#define VTAP_MAX_FLOWS_PER_RULE 1024

void vtap_flows_init(struct vtap_flows *);
void vtap_flows_destroy(struct vtap_flows *);

char *vtap_filter_compile(const struct vtap_rule *rules, size_t n_rules,
                          enum vtap_direction, uint16_t base_priority,
                          size_t max_flows_per_rule, struct vtap_flows *)
    OVS_WARN_UNUSED_RESULT;

/* A value/mask pair covering part of a port range. */
struct vtap_port_mask {
    uint16_t value;
    uint16_t mask;
};

size_t vtap_port_range_to_masks(uint16_t min, uint16_t max,
                                struct vtap_port_mask *out, size_t max_out);

#endif /* vtap-compile.h */

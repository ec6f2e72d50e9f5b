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

/* vtap-rule.h: a capture rule in memory, as ovs-vtapctl parses it from the
 * command line and ovs-vtapd reads it from the VTAP database, and the
 * checks that make a rule valid.
 *
 * A rule matches a direction (ingress: traffic delivered to the source;
 * egress: traffic the source sends), and within it a protocol, source and
 * destination CIDRs, TCP/UDP port ranges and an ICMP type and code.  An
 * absent field matches anything.  Rules of one direction are evaluated by
 * ascending 'order'; the first that matches decides include or exclude; no
 * match means not mirrored. */

#ifndef OVS_VTAP_VTAP_RULE_H
#define OVS_VTAP_VTAP_RULE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/compiler.h"
#include "openvswitch/uuid.h"
#include "ovs-vtap/vtap-parse.h"

struct ds;
struct vtaprec_capture_rule;

enum vtap_direction {
    VTAP_INGRESS,               /* Delivered to the source. */
    VTAP_EGRESS,                /* Sent by the source. */
};

enum vtap_action {
    VTAP_INCLUDE,               /* Mirror what matches. */
    VTAP_EXCLUDE,               /* Do not mirror what matches. */
};

/* IP protocol numbers that rules treat specially. */
/* Highest Capture_Rule.order that the schema allows. */
#define VTAP_RULE_MAX_ORDER 32766

#define VTAP_PROTO_ICMP   1
#define VTAP_PROTO_TCP    6
#define VTAP_PROTO_UDP    17
#define VTAP_PROTO_ICMPV6 58

struct vtap_rule {
    enum vtap_direction direction;
    enum vtap_action action;
    unsigned int order;         /* 1..32766, unique per direction. */

    int protocol;               /* IP protocol 0..255, or -1 for all. */

    bool has_src, has_dst;      /* Whether 'src', 'dst' are set. */
    struct vtap_cidr src, dst;

    bool has_src_ports, has_dst_ports;  /* TCP or UDP only. */
    struct vtap_port_range src_ports, dst_ports;

    int icmp_type;              /* 0..255, or -1 for any; ICMP(v6) only. */
    int icmp_code;              /* 0..255, or -1 for any; needs a type. */

    struct uuid uuid;           /* Capture_Rule row, or all-zero. */
};

/* The address family a rule matches: AF_INET, AF_INET6, or AF_UNSPEC when
 * nothing in the rule ties it to one family. */
int vtap_rule_family(const struct vtap_rule *);

void vtap_rule_init(struct vtap_rule *);
char *vtap_rule_check(const struct vtap_rule *) OVS_WARN_UNUSED_RESULT;
char *vtap_rule_parse_match(struct vtap_rule *, int argc, char *argv[])
    OVS_WARN_UNUSED_RESULT;
void vtap_rule_format_match(const struct vtap_rule *, struct ds *);
char *vtap_rule_from_idl(const struct vtaprec_capture_rule *,
                         struct vtap_rule *) OVS_WARN_UNUSED_RESULT;
const char *vtap_direction_to_string(enum vtap_direction);
const char *vtap_action_to_string(enum vtap_action);

#endif /* vtap-rule.h */

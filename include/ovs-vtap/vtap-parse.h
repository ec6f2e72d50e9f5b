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

/* vtap-parse.h: parsing of the small values that capture rules are made
 * of: CIDRs of either address family and TCP/UDP port ranges; and the
 * check of a target's address. */

#ifndef OVS_VTAP_VTAP_PARSE_H
#define OVS_VTAP_VTAP_PARSE_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/compiler.h"

/* An IPv4 or IPv6 prefix.  IPv4 addresses are kept IPv4-mapped in 'addr'. */
struct vtap_cidr {
    int family;                 /* AF_INET or AF_INET6. */
    struct in6_addr addr;       /* Network address, host bits zero. */
    unsigned int plen;          /* Prefix length: 0..32 or 0..128. */
};

/* An inclusive range of TCP or UDP ports. */
struct vtap_port_range {
    uint16_t min;
    uint16_t max;
};

char *vtap_parse_cidr(const char *s, struct vtap_cidr *)
    OVS_WARN_UNUSED_RESULT;
char *vtap_parse_port_range(const char *s, struct vtap_port_range *)
    OVS_WARN_UNUSED_RESULT;
void vtap_cidr_format(const struct vtap_cidr *, char *buf, size_t size);
char *vtap_check_collector_address(const char *s) OVS_WARN_UNUSED_RESULT;

#endif /* vtap-parse.h */

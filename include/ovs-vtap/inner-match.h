/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* inner-match.h: a small filter on the inner frames of VXLAN packets, for
 * the receiver's --match option.
 *
 * Syntax: terms separated by spaces, all of which must hold ("and" between
 * terms is allowed and means nothing more):
 *
 *     arp | ip | ip6 | icmp | icmp6 | tcp | udp
 *     [src | dst] [host | net] ADDRESS[/PREFIXLEN]
 *     [src | dst] port NUMBER
 *
 * e.g. "icmp src 172.16.0.148" or "tcp port 22 and net 2001:db8::/32".
 * Without "src" or "dst", either side may match. */

#ifndef OVS_VTAP_INNER_MATCH_H
#define OVS_VTAP_INNER_MATCH_H 1

#include <stdbool.h>

#include "openvswitch/compiler.h"

struct vxlan_packet;
struct inner_match;

char *inner_match_parse(const char *, struct inner_match **)
    OVS_WARN_UNUSED_RESULT;
bool inner_match_packet(const struct inner_match *,
                        const struct vxlan_packet *);
void inner_match_destroy(struct inner_match *);

#endif /* inner-match.h */

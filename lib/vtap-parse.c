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

/* vtap-parse.c: parsing of CIDRs and port ranges for capture rules. */

#include <config.h>

#include "ovs-vtap/vtap-parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "packets.h"
#include "util.h"

/* Parses the decimal number that is the whole of 's', at most 'max', into
 * '*value'. */
static bool
parse_decimal(const char *s, unsigned int max, unsigned int *value)
{
    return (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) <= 5
            && str_to_uint(s, 10, value) && *value <= max);
}

/* Parses 's', an IPv4 or IPv6 address with an optional "/plen", into
 * '*cidr'.  An address without a prefix length is a host prefix.  Host bits
 * beyond the prefix must be zero, so that a typing error such as
 * "172.16.0.1/24" is refused instead of being silently widened.
 * (OVS's ip_parse_cidr() is not used: it takes "172.16.0.300" as
 * "172.16.0.44".)
 *
 * Returns NULL on success, otherwise a malloc()'d error message. */
char *
vtap_parse_cidr(const char *s, struct vtap_cidr *cidr)
{
    const char *slash = strchr(s, '/');
    char *addr_s = slash ? xmemdup0(s, slash - s) : xstrdup(s);
    bool ipv6 = strchr(addr_s, ':') != NULL;
    unsigned int max_plen = ipv6 ? 128 : 32;
    const char *family_name = ipv6 ? "IPv6" : "IPv4";
    char *error = NULL;

    memset(cidr, 0, sizeof *cidr);
    cidr->family = ipv6 ? AF_INET6 : AF_INET;
    cidr->plen = max_plen;
    if (ipv6) {
        if (inet_pton(AF_INET6, addr_s, &cidr->addr) != 1) {
            error = xasprintf("\"%s\": not an IPv6 address or CIDR", s);
        }
    } else {
        ovs_be32 ip;
        if (inet_pton(AF_INET, addr_s, &ip) != 1) {
            error = xasprintf("\"%s\": not an IPv4 address or CIDR", s);
        } else {
            in6_addr_set_mapped_ipv4(&cidr->addr, ip);
        }
    }
    free(addr_s);
    if (error) {
        return error;
    }

    if (slash && !parse_decimal(slash + 1, max_plen, &cidr->plen)) {
        return xasprintf("\"%s\": prefix length must be 0 to %u for %s",
                         s, max_plen, family_name);
    }

    struct in6_addr mask = ipv6_create_mask(cidr->plen + (ipv6 ? 0 : 96));
    struct in6_addr net = ipv6_addr_bitand(&cidr->addr, &mask);
    if (!ipv6_addr_equals(&net, &cidr->addr)) {
        return xasprintf("\"%s\": host bits set beyond the /%u prefix",
                         s, cidr->plen);
    }
    return NULL;
}

/* Formats 'cidr' as "ADDR/PLEN" into 'buf' of 'size' bytes. */
void
vtap_cidr_format(const struct vtap_cidr *cidr, char *buf, size_t size)
{
    char addr[INET6_ADDRSTRLEN];

    if (cidr->family == AF_INET) {
        ovs_be32 ip = in6_addr_get_mapped_ipv4(&cidr->addr);
        inet_ntop(AF_INET, &ip, addr, sizeof addr);
    } else {
        inet_ntop(AF_INET6, &cidr->addr, addr, sizeof addr);
    }
    snprintf(buf, size, "%s/%u", addr, cidr->plen);
}

/* Parses one port number 0..65535 from the whole of 's'. */
static bool
parse_port(const char *s, uint16_t *port)
{
    unsigned int value;

    if (!parse_decimal(s, UINT16_MAX, &value)) {
        return false;
    }
    *port = value;
    return true;
}

/* Parses 's', a port "N" or a range "MIN-MAX" with 0 <= MIN <= MAX <= 65535,
 * into '*range'.
 *
 * Returns NULL on success, otherwise a malloc()'d error message. */
char *
vtap_parse_port_range(const char *s, struct vtap_port_range *range)
{
    const char *dash = strchr(s, '-');

    if (!dash) {
        if (!parse_port(s, &range->min)) {
            return xasprintf("\"%s\": not a port number (0 to 65535)", s);
        }
        range->max = range->min;
        return NULL;
    }

    char *min_s = xmemdup0(s, dash - s);
    bool ok = parse_port(min_s, &range->min) && parse_port(dash + 1,
                                                           &range->max);
    free(min_s);
    if (!ok) {
        return xasprintf("\"%s\": not a port range (MIN-MAX, each 0 to "
                         "65535)", s);
    }
    if (range->min > range->max) {
        return xasprintf("\"%s\": port range minimum %u exceeds maximum %u",
                         s, range->min, range->max);
    }
    return NULL;
}

/* Returns the kind of IPv4 address 'ip' is, if it cannot be a collector's,
 * otherwise NULL. */
static const char *
ipv4_collector_refusal(ovs_be32 ip)
{
    uint32_t host = ntohl(ip);

    if (host == 0) {
        return "the unspecified address";
    } else if ((host >> 24) == 0) {
        return "an address of \"this network\" (0.0.0.0/8)";
    } else if ((host >> 24) == 127) {
        return "a loopback address";
    } else if ((host >> 28) == 0xe) {
        return "a multicast address";
    } else if (host == UINT32_MAX) {
        return "the broadcast address";
    }
    return NULL;
}

/* Returns the kind of IPv6 address 'a' is, if it cannot be a collector's,
 * otherwise NULL. */
static const char *
ipv6_collector_refusal(const struct in6_addr *a)
{
    static const struct in6_addr loopback = IN6ADDR_LOOPBACK_INIT;
    const uint8_t *b = a->s6_addr;

    if (ipv6_addr_equals(a, &in6addr_any)) {
        return "the unspecified address";
    } else if (ipv6_addr_equals(a, &loopback)) {
        return "the loopback address";
    } else if (b[0] == 0xff) {
        return "a multicast address";
    } else if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) {
        return "a link-local address (a target cannot name its link)";
    } else if (IN6_IS_ADDR_V4MAPPED(a)) {
        return "an IPv4-mapped IPv6 address (give the IPv4 address)";
    } else if (IN6_IS_ADDR_V4COMPAT(a)) {
        return "an IPv4-compatible IPv6 address (give the IPv4 address)";
    }
    return NULL;
}

/* Checks that 's', an IPv4 or IPv6 address, may be the address of a
 * collector, the far end of a VTAP's VXLAN: not the unspecified address,
 * nor a loopback, multicast or broadcast address, nor an IPv6 link-local
 * (a target has no zone to name its link), IPv4-mapped or IPv4-compatible
 * address.  IPv4 link-local addresses (169.254.0.0/16) are accepted: the
 * switch's routes reach them without a zone.
 *
 * Returns NULL if 's' may be a collector's address, otherwise a malloc()'d
 * message that says why not (also if 's' is not an address at all). */
char *
vtap_check_collector_address(const char *s)
{
    const char *refusal;
    struct in6_addr a6;
    ovs_be32 a4;

    if (inet_pton(AF_INET, s, &a4) == 1) {
        refusal = ipv4_collector_refusal(a4);
    } else if (inet_pton(AF_INET6, s, &a6) == 1) {
        refusal = ipv6_collector_refusal(&a6);
    } else {
        return xasprintf("\"%s\": not an IPv4 or IPv6 address", s);
    }
    return (refusal
            ? xasprintf("\"%s\": %s cannot be a collector", s, refusal)
            : NULL);
}

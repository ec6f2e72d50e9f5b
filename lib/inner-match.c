/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* inner-match.c: the receiver's small filter on inner frames (see
 * inner-match.h for its syntax). */

#include <config.h>

#include "ovs-vtap/inner-match.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/util.h"
#include "ovs-vtap/vtap-parse.h"
#include "ovs-vtap/vxlan-decode.h"
#include "util.h"

enum term_kind { TERM_PROTO, TERM_ADDR, TERM_PORT };
enum term_side { SIDE_EITHER, SIDE_SRC, SIDE_DST };

/* Protocols that a term may name. */
enum term_proto {
    PROTO_ARP, PROTO_IP, PROTO_IP6, PROTO_ICMP, PROTO_ICMP6, PROTO_TCP,
    PROTO_UDP
};

static const char *const proto_names[] = {
    "arp", "ip", "ip6", "icmp", "icmp6", "tcp", "udp"
};

/* One condition; a packet matches when it meets all of them. */
struct term {
    enum term_kind kind;
    enum term_side side;
    enum term_proto proto;      /* TERM_PROTO. */
    struct vtap_cidr cidr;      /* TERM_ADDR. */
    uint16_t port;              /* TERM_PORT. */
};

struct inner_match {
    struct term *terms;
    size_t n_terms;
};

static bool
parse_proto(const char *word, enum term_proto *proto)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(proto_names); i++) {
        if (!strcmp(word, proto_names[i])) {
            *proto = i;
            return true;
        }
    }
    return false;
}

/* Parses 's' into a new filter stored in '*matchp'.  Returns NULL, or an
 * error message (to free) naming the word that is wrong. */
char *
inner_match_parse(const char *s, struct inner_match **matchp)
{
    struct inner_match *match = xzalloc(sizeof *match);
    char *copy = xstrdup(s);
    char *save_ptr = NULL;
    char *error = NULL;
    char *word;

    for (word = strtok_r(copy, " \t", &save_ptr); word && !error;
         word = strtok_r(NULL, " \t", &save_ptr)) {
        struct term term = { .side = SIDE_EITHER };

        if (!strcmp(word, "and")) {
            continue;
        }
        if (!strcmp(word, "src") || !strcmp(word, "dst")) {
            term.side = word[0] == 's' ? SIDE_SRC : SIDE_DST;
            word = strtok_r(NULL, " \t", &save_ptr);
            if (!word) {
                error = xasprintf("match \"%s\": an address or \"port\" "
                                  "must follow src or dst", s);
                break;
            }
        }
        if (term.side == SIDE_EITHER && parse_proto(word, &term.proto)) {
            term.kind = TERM_PROTO;
        } else if (!strcmp(word, "port")) {
            char *arg = strtok_r(NULL, " \t", &save_ptr);
            char *end;
            long port;

            errno = 0;
            port = arg ? strtol(arg, &end, 10) : -1;
            if (!arg || errno || *end || port < 0 || port > 65535) {
                error = xasprintf("match \"%s\": port \"%s\" is not a "
                                  "number from 0 to 65535", s,
                                  arg ? arg : "");
                break;
            }
            term.kind = TERM_PORT;
            term.port = port;
        } else {
            char *cidr_error;

            if (!strcmp(word, "host") || !strcmp(word, "net")) {
                word = strtok_r(NULL, " \t", &save_ptr);
                if (!word) {
                    error = xasprintf("match \"%s\": an address must follow "
                                      "host or net", s);
                    break;
                }
            }
            cidr_error = vtap_parse_cidr(word, &term.cidr);
            if (cidr_error) {
                error = xasprintf("match \"%s\": \"%s\" is not a protocol "
                                  "(arp, ip, ip6, icmp, icmp6, tcp, udp), "
                                  "port or address (%s)", s, word,
                                  cidr_error);
                free(cidr_error);
                break;
            }
            term.kind = TERM_ADDR;
        }
        match->terms = xrealloc(match->terms,
                                (match->n_terms + 1) * sizeof *match->terms);
        match->terms[match->n_terms++] = term;
    }
    free(copy);
    if (error) {
        inner_match_destroy(match);
        match = NULL;
    }
    *matchp = match;
    return error;
}

static bool
proto_matches(enum term_proto proto, const struct vxlan_packet *pkt)
{
    switch (proto) {
    case PROTO_ARP:
        return pkt->is_arp;
    case PROTO_IP:
        return pkt->is_ipv4;
    case PROTO_IP6:
        return pkt->is_ipv6;
    case PROTO_ICMP:
        return pkt->is_ipv4 && pkt->ip_proto == 1;
    case PROTO_ICMP6:
        return pkt->is_ipv6 && pkt->ip_proto == 58;
    case PROTO_TCP:
        return (pkt->is_ipv4 || pkt->is_ipv6) && pkt->ip_proto == 6;
    case PROTO_UDP:
        return (pkt->is_ipv4 || pkt->is_ipv6) && pkt->ip_proto == 17;
    default:
        OVS_NOT_REACHED();
    }
}

/* Whether 'addr' (IPv4-mapped when 'ipv4') is in 'cidr'. */
static bool
cidr_contains(const struct vtap_cidr *cidr, const struct in6_addr *addr,
              bool ipv4)
{
    unsigned int plen = cidr->plen;
    unsigned int start = 0;
    unsigned int i;

    if (ipv4 != (cidr->family == AF_INET)) {
        return false;
    }
    if (ipv4) {
        start = 12;
    }
    for (i = 0; plen > 0; i++, plen = plen > 8 ? plen - 8 : 0) {
        uint8_t mask = plen >= 8 ? 0xff : (uint8_t) (0xff00 >> plen);

        if ((addr->s6_addr[start + i] ^ cidr->addr.s6_addr[start + i])
            & mask) {
            return false;
        }
    }
    return true;
}

static bool
term_matches(const struct term *term, const struct vxlan_packet *pkt)
{
    bool ipv4 = pkt->is_ipv4 || pkt->is_arp;
    bool ports = pkt->has_l4 && (pkt->ip_proto == 6 || pkt->ip_proto == 17);

    switch (term->kind) {
    case TERM_PROTO:
        return proto_matches(term->proto, pkt);
    case TERM_ADDR:
        if (!pkt->is_ipv4 && !pkt->is_ipv6 && !pkt->is_arp) {
            return false;
        }
        return ((term->side != SIDE_DST
                 && cidr_contains(&term->cidr, &pkt->src, ipv4))
                || (term->side != SIDE_SRC
                    && cidr_contains(&term->cidr, &pkt->dst, ipv4)));
    case TERM_PORT:
        return ports
               && ((term->side != SIDE_DST && pkt->src_port == term->port)
                   || (term->side != SIDE_SRC
                       && pkt->dst_port == term->port));
    default:
        OVS_NOT_REACHED();
    }
}

/* Whether 'pkt' meets every term of 'match'.  A null 'match' matches every
 * packet. */
bool
inner_match_packet(const struct inner_match *match,
                   const struct vxlan_packet *pkt)
{
    size_t i;

    if (!match) {
        return true;
    }
    for (i = 0; i < match->n_terms; i++) {
        if (!term_matches(&match->terms[i], pkt)) {
            return false;
        }
    }
    return true;
}

/* Frees 'match'. */
void
inner_match_destroy(struct inner_match *match)
{
    if (match) {
        free(match->terms);
        free(match);
    }
}

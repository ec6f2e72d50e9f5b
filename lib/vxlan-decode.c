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

/* vxlan-decode.c: decoding of VXLAN datagrams (RFC 7348) and of the
 * headers of their inner Ethernet frames, with every read bounded by the
 * length of the datagram. */

#include <config.h>

#include "ovs-vtap/vxlan-decode.h"

#include <string.h>

/* Ethernet types and IP protocols that the decoder understands. */
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP 0x0806
#define ETH_TYPE_VLAN 0x8100
#define ETH_TYPE_VLAN_8021AD 0x88a8
#define ETH_TYPE_VLAN_QINQ 0x9100
#define ETH_TYPE_IPV6 0x86dd
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define MAX_IPV6_EXT_HEADERS 8

static const char *const result_names[] = {
#define VXLAN_DECODE_RESULT(ENUM, NAME) NAME,
    VXLAN_DECODE_RESULTS
#undef VXLAN_DECODE_RESULT
};

/* Returns the name of 'result', e.g. "no-i-flag". */
const char *
vxlan_decode_result_name(enum vxlan_decode_result result)
{
    return (unsigned) result < VXLAN_DECODE_N_RESULTS
           ? result_names[result] : "unknown";
}

static uint16_t
get_be16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get_be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

/* Stores IPv4 address 'p' into 'addr' as an IPv4-mapped IPv6 address. */
static void
put_mapped_ipv4(struct in6_addr *addr, const uint8_t *p)
{
    memset(addr, 0, sizeof *addr);
    addr->s6_addr[10] = addr->s6_addr[11] = 0xff;
    memcpy(&addr->s6_addr[12], p, 4);
}

/* Bytes that an IP packet says follow 'ofs' bytes into it, never less than
 * zero, for an IP packet whose length per its header is 'l3_len'. */
static size_t
bytes_after(size_t l3_len, size_t ofs)
{
    return l3_len > ofs ? l3_len - ofs : 0;
}

static enum vxlan_decode_result
decode_l4(const uint8_t *frame, size_t len, struct vxlan_packet *pkt)
{
    const uint8_t *l4 = frame + pkt->l4_ofs;
    size_t avail = len - pkt->l4_ofs;
    size_t l4_len = bytes_after(pkt->l3_len, pkt->l4_ofs - pkt->l3_ofs);
    bool icmp = (pkt->is_ipv4 && pkt->ip_proto == PROTO_ICMP)
                || (pkt->is_ipv6 && pkt->ip_proto == PROTO_ICMPV6);

    if (pkt->ip_later_fragment) {
        return VXLAN_DECODE_OK;
    }
    if (pkt->ip_proto == PROTO_TCP) {
        size_t hlen;

        if (avail < 20) {
            return VXLAN_DECODE_SHORT_TCP;
        }
        hlen = (l4[12] >> 4) * 4;
        if (hlen < 20) {
            return VXLAN_DECODE_BAD_TCP_OFFSET;
        }
        pkt->src_port = get_be16(l4);
        pkt->dst_port = get_be16(l4 + 2);
        pkt->tcp_seq = get_be32(l4 + 4);
        pkt->tcp_ack = get_be32(l4 + 8);
        pkt->tcp_flags = l4[13];
        pkt->tcp_win = get_be16(l4 + 14);
        pkt->l4_payload_len = bytes_after(l4_len, hlen);
    } else if (pkt->ip_proto == PROTO_UDP) {
        if (avail < 8) {
            return VXLAN_DECODE_SHORT_UDP;
        }
        pkt->src_port = get_be16(l4);
        pkt->dst_port = get_be16(l4 + 2);
        pkt->l4_payload_len = bytes_after(l4_len, 8);
    } else if (icmp) {
        bool echo;

        if (avail < 4) {
            return VXLAN_DECODE_SHORT_ICMP;
        }
        pkt->icmp_type = l4[0];
        pkt->icmp_code = l4[1];
        echo = (pkt->is_ipv4
                ? pkt->icmp_type == 0 || pkt->icmp_type == 8
                : pkt->icmp_type == 128 || pkt->icmp_type == 129);
        if (echo) {
            if (avail < 8) {
                return VXLAN_DECODE_SHORT_ICMP;
            }
            pkt->icmp_id = get_be16(l4 + 4);
            pkt->icmp_seq = get_be16(l4 + 6);
        }
        pkt->l4_payload_len = l4_len;
    } else {
        return VXLAN_DECODE_OK;
    }
    pkt->has_l4 = true;
    return VXLAN_DECODE_OK;
}

static enum vxlan_decode_result
decode_ipv4(const uint8_t *frame, size_t len, struct vxlan_packet *pkt)
{
    const uint8_t *ip = frame + pkt->l3_ofs;
    size_t avail = len - pkt->l3_ofs;
    size_t ihl;

    if (avail < 20) {
        return VXLAN_DECODE_SHORT_IPV4;
    }
    if (ip[0] >> 4 != 4) {
        return VXLAN_DECODE_BAD_IPV4_VERSION;
    }
    ihl = (ip[0] & 0x0f) * 4;
    if (ihl < 20) {
        return VXLAN_DECODE_BAD_IPV4_IHL;
    }
    if (avail < ihl) {
        return VXLAN_DECODE_SHORT_IPV4;
    }
    pkt->is_ipv4 = true;
    pkt->l3_len = get_be16(ip + 2);
    pkt->ip_ttl = ip[8];
    pkt->ip_proto = ip[9];
    pkt->ip_later_fragment = (get_be16(ip + 6) & 0x1fff) != 0;
    put_mapped_ipv4(&pkt->src, ip + 12);
    put_mapped_ipv4(&pkt->dst, ip + 16);
    pkt->l4_ofs = pkt->l3_ofs + ihl;
    return decode_l4(frame, len, pkt);
}

static enum vxlan_decode_result
decode_ipv6(const uint8_t *frame, size_t len, struct vxlan_packet *pkt)
{
    const uint8_t *ip = frame + pkt->l3_ofs;
    size_t avail = len - pkt->l3_ofs;
    size_t ofs = 40;
    uint8_t next;
    int i;

    if (avail < 40) {
        return VXLAN_DECODE_SHORT_IPV6;
    }
    if (ip[0] >> 4 != 6) {
        return VXLAN_DECODE_BAD_IPV6_VERSION;
    }
    pkt->is_ipv6 = true;
    pkt->l3_len = 40 + get_be16(ip + 4);
    pkt->ip_ttl = ip[7];
    memcpy(&pkt->src, ip + 8, 16);
    memcpy(&pkt->dst, ip + 24, 16);

    /* Skips the extension headers that precede the transport header. */
    next = ip[6];
    for (i = 0; i < MAX_IPV6_EXT_HEADERS; i++) {
        size_t ext_len;

        if (next != 0 && next != 43 && next != 44 && next != 51
            && next != 60) {
            break;
        }
        if (avail - ofs < 8) {
            return VXLAN_DECODE_SHORT_IPV6_EXT;
        }
        if (next == 44) {
            ext_len = 8;
            if (get_be16(ip + ofs + 2) & 0xfff8) {
                pkt->ip_later_fragment = true;
            }
        } else if (next == 51) {
            ext_len = (ip[ofs + 1] + 2) * 4;
        } else {
            ext_len = (ip[ofs + 1] + 1) * 8;
        }
        if (avail - ofs < ext_len) {
            return VXLAN_DECODE_SHORT_IPV6_EXT;
        }
        next = ip[ofs];
        ofs += ext_len;
    }
    pkt->ip_proto = next;
    pkt->l4_ofs = pkt->l3_ofs + ofs;
    return decode_l4(frame, len, pkt);
}

static enum vxlan_decode_result
decode_arp(const uint8_t *frame, size_t len, struct vxlan_packet *pkt)
{
    const uint8_t *arp = frame + pkt->l3_ofs;
    size_t avail = len - pkt->l3_ofs;
    size_t hlen, plen;

    if (avail < 8) {
        return VXLAN_DECODE_SHORT_ARP;
    }
    hlen = arp[4];
    plen = arp[5];
    if (avail < 8 + 2 * (hlen + plen)) {
        return VXLAN_DECODE_SHORT_ARP;
    }
    pkt->is_arp = true;
    pkt->arp_op = get_be16(arp + 6);
    if (plen == 4) {
        put_mapped_ipv4(&pkt->src, arp + 8 + hlen);
        put_mapped_ipv4(&pkt->dst, arp + 8 + 2 * hlen + plen);
    }
    return VXLAN_DECODE_OK;
}

/* Decodes the headers of the Ethernet frame of 'len' bytes at 'frame' into
 * '*pkt' (all but its 'vni', which is set to 0).  Returns VXLAN_DECODE_OK,
 * or why the frame is too short for the headers that it announces.  Only
 * the fixed part of TCP's header needs to be present, so that frames cut to
 * a snap length still decode. */
enum vxlan_decode_result
vxlan_decode_frame(const void *frame_, size_t len, struct vxlan_packet *pkt)
{
    const uint8_t *frame = frame_;
    enum vxlan_decode_result result;
    size_t ofs = 14;

    memset(pkt, 0, sizeof *pkt);
    pkt->frame = frame;
    pkt->frame_len = pkt->orig_len = len;
    if (len < 14) {
        return VXLAN_DECODE_SHORT_ETH;
    }
    memcpy(pkt->eth_dst, frame, 6);
    memcpy(pkt->eth_src, frame + 6, 6);
    pkt->eth_type = get_be16(frame + 12);
    while (pkt->eth_type == ETH_TYPE_VLAN
           || pkt->eth_type == ETH_TYPE_VLAN_8021AD
           || pkt->eth_type == ETH_TYPE_VLAN_QINQ) {
        if (pkt->n_vlans >= 2) {
            break;
        }
        if (len - ofs < 4) {
            return VXLAN_DECODE_SHORT_VLAN;
        }
        pkt->vlan_tci[pkt->n_vlans++] = get_be16(frame + ofs);
        pkt->eth_type = get_be16(frame + ofs + 2);
        ofs += 4;
    }
    pkt->l3_ofs = ofs;

    switch (pkt->eth_type) {
    case ETH_TYPE_IPV4:
        result = decode_ipv4(frame, len, pkt);
        break;
    case ETH_TYPE_IPV6:
        result = decode_ipv6(frame, len, pkt);
        break;
    case ETH_TYPE_ARP:
        return decode_arp(frame, len, pkt);
    default:
        return VXLAN_DECODE_OK;
    }
    /* A frame cut by a VTAP's max packet size (or by the path) still
     * says in its IP header how long it was: the captures record that as
     * its original length, so that readers show it as cut, not as
     * malformed.  Ethernet padding makes a frame longer than its IP packet,
     * never shorter. */
    if (result == VXLAN_DECODE_OK && pkt->l3_ofs + pkt->l3_len > len) {
        pkt->orig_len = pkt->l3_ofs + pkt->l3_len;
    }
    return result;
}

/* Decodes the UDP payload of 'len' bytes at 'datagram' as a VXLAN packet
 * into '*pkt'.  The I flag must be set; the other flags and the reserved
 * fields are ignored, as RFC 7348 asks of a receiver.  Returns
 * VXLAN_DECODE_OK or why the datagram is malformed; on success, and for the
 * malformed inner frames, '*pkt' holds what could be decoded. */
enum vxlan_decode_result
vxlan_decode(const void *datagram_, size_t len, struct vxlan_packet *pkt)
{
    const uint8_t *datagram = datagram_;
    enum vxlan_decode_result result;

    if (len < VXLAN_HEADER_LEN) {
        memset(pkt, 0, sizeof *pkt);
        return VXLAN_DECODE_SHORT_VXLAN;
    }
    if (!(datagram[0] & VXLAN_FLAG_I)) {
        memset(pkt, 0, sizeof *pkt);
        return VXLAN_DECODE_NO_I_FLAG;
    }
    result = vxlan_decode_frame(datagram + VXLAN_HEADER_LEN,
                                len - VXLAN_HEADER_LEN, pkt);
    pkt->vni = ((uint32_t) datagram[4] << 16) | (datagram[5] << 8)
               | datagram[6];
    return result;
}

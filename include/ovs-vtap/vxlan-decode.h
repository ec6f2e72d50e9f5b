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

/* vxlan-decode.h: decoding of VXLAN datagrams (RFC 7348) and of the
 * headers of the Ethernet frame that they carry. */

#ifndef OVS_VTAP_VXLAN_DECODE_H
#define OVS_VTAP_VXLAN_DECODE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Length of the VXLAN header that precedes the inner Ethernet frame. */
#define VXLAN_HEADER_LEN 8

/* The "I" flag: the VNI field is valid.  RFC 7348 section 5. */
#define VXLAN_FLAG_I 0x08

/* The outcome of decoding one datagram: VXLAN_OK or why it is malformed.
 * A datagram is malformed when it cannot be a VXLAN packet or when the
 * inner frame is too short for the headers that it announces. */
#define VXLAN_DECODE_RESULTS                                            \
    VXLAN_DECODE_RESULT(OK, "ok")                                       \
    VXLAN_DECODE_RESULT(SHORT_VXLAN, "short-vxlan-header")              \
    VXLAN_DECODE_RESULT(NO_I_FLAG, "no-i-flag")                         \
    VXLAN_DECODE_RESULT(SHORT_ETH, "short-ethernet-header")             \
    VXLAN_DECODE_RESULT(SHORT_VLAN, "short-vlan-header")                \
    VXLAN_DECODE_RESULT(SHORT_ARP, "short-arp")                         \
    VXLAN_DECODE_RESULT(SHORT_IPV4, "short-ipv4-header")                \
    VXLAN_DECODE_RESULT(BAD_IPV4_VERSION, "bad-ipv4-version")           \
    VXLAN_DECODE_RESULT(BAD_IPV4_IHL, "bad-ipv4-header-length")         \
    VXLAN_DECODE_RESULT(SHORT_IPV6, "short-ipv6-header")                \
    VXLAN_DECODE_RESULT(BAD_IPV6_VERSION, "bad-ipv6-version")           \
    VXLAN_DECODE_RESULT(SHORT_IPV6_EXT, "short-ipv6-extension-header")  \
    VXLAN_DECODE_RESULT(SHORT_TCP, "short-tcp-header")                  \
    VXLAN_DECODE_RESULT(BAD_TCP_OFFSET, "bad-tcp-data-offset")          \
    VXLAN_DECODE_RESULT(SHORT_UDP, "short-udp-header")                  \
    VXLAN_DECODE_RESULT(SHORT_ICMP, "short-icmp-header")

enum vxlan_decode_result {
#define VXLAN_DECODE_RESULT(ENUM, NAME) VXLAN_DECODE_##ENUM,
    VXLAN_DECODE_RESULTS
#undef VXLAN_DECODE_RESULT
    VXLAN_DECODE_N_RESULTS
};

const char *vxlan_decode_result_name(enum vxlan_decode_result);

/* The inner frame of a VXLAN datagram and what its headers say.  Pointers
 * point into the datagram; offsets are from the start of 'frame'.  A field
 * is meaningful only when the header that holds it is present. */
struct vxlan_packet {
    uint32_t vni;               /* 24-bit VXLAN network identifier. */
    const uint8_t *frame;       /* Inner Ethernet frame. */
    size_t frame_len;           /* Its length in bytes. */
    size_t orig_len;            /* Its length before any cut: 'frame_len',
                                 * or more when the IP header says that
                                 * the packet was longer. */

    /* Layer 2. */
    uint8_t eth_dst[6];
    uint8_t eth_src[6];
    uint16_t eth_type;          /* After any VLAN tags, host order. */
    uint16_t vlan_tci[2];       /* Host order, 'n_vlans' of them. */
    int n_vlans;
    size_t l3_ofs;              /* Start of the network header. */

    /* Layer 3: IPv4 addresses are kept as IPv4-mapped IPv6 addresses. */
    bool is_arp, is_ipv4, is_ipv6;
    uint16_t arp_op;            /* ARP operation, host order. */
    struct in6_addr src, dst;   /* IP (or ARP sender/target protocol). */
    uint8_t ip_proto;           /* IPv4 protocol or IPv6 next header. */
    uint8_t ip_ttl;             /* IPv4 TTL or IPv6 hop limit. */
    bool ip_later_fragment;     /* A fragment other than the first. */
    size_t l3_len;              /* IP packet length per its header. */
    size_t l4_ofs;              /* Start of the transport header. */

    /* Layer 4. */
    bool has_l4;                /* Transport header present and parsed. */
    uint16_t src_port, dst_port;        /* TCP/UDP, host order. */
    uint8_t tcp_flags;
    uint32_t tcp_seq, tcp_ack;
    uint16_t tcp_win;
    uint8_t icmp_type, icmp_code;
    uint16_t icmp_id, icmp_seq;         /* Echo request/reply only. */
    size_t l4_payload_len;      /* Transport payload per the IP length. */
};

enum vxlan_decode_result vxlan_decode(const void *datagram, size_t len,
                                      struct vxlan_packet *);
enum vxlan_decode_result vxlan_decode_frame(const void *frame, size_t len,
                                            struct vxlan_packet *);

#endif /* vxlan-decode.h */

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

/* frame-format.c: one-line summaries of decoded VXLAN packets, as text in
 * the manner of tcpdump and as JSON lines for scripts. */

#include <config.h>

#include "ovs-vtap/frame-format.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/util.h"
#include "ovs-vtap/vxlan-decode.h"
#include "packets.h"
#include "util.h"

/* Appends 'addr' (IPv4-mapped for IPv4) to 'ds'. */
static void
format_ip(struct ds *ds, const struct in6_addr *addr, bool ipv4)
{
    if (ipv4) {
        ds_put_format(ds, IP_FMT, IP_ARGS(in6_addr_get_mapped_ipv4(addr)));
    } else {
        ipv6_format_addr(addr, ds);
    }
}

/* Appends the Ethernet address at 'mac' to 'ds'. */
static void
format_mac(struct ds *ds, const uint8_t mac[6])
{
    ds_put_format(ds, ETH_ADDR_FMT,
                  mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* Appends the address and, if 'with_port', the port of 'ss' to 'ds', as
 * "192.0.2.1:4789" or "[2001:db8::1]:4789". */
void
frame_format_sockaddr(struct ds *ds, const struct sockaddr_storage *ss,
                      bool with_port)
{
    char buf[INET6_ADDRSTRLEN];

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) ss;

        inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
        ds_put_cstr(ds, buf);
        if (with_port) {
            ds_put_format(ds, ":%u", ntohs(sin->sin_port));
        }
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ss;

        inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
        if (with_port) {
            ds_put_format(ds, "[%s]:%u", buf, ntohs(sin6->sin6_port));
        } else {
            ds_put_cstr(ds, buf);
        }
    } else {
        ds_put_cstr(ds, "?");
    }
}

/* Appends TCP flags in tcpdump's letters, e.g. "S." for SYN+ACK. */
static void
format_tcp_flags(struct ds *ds, uint8_t flags)
{
    static const struct {
        uint8_t bit;
        char letter;
    } letters[] = {
        { 0x01, 'F' }, { 0x02, 'S' }, { 0x04, 'R' }, { 0x08, 'P' },
        { 0x10, '.' }, { 0x20, 'U' }, { 0x40, 'E' }, { 0x80, 'W' },
    };
    size_t i;

    for (i = 0; i < sizeof letters / sizeof letters[0]; i++) {
        if (flags & letters[i].bit) {
            ds_put_char(ds, letters[i].letter);
        }
    }
    if (!flags) {
        ds_put_cstr(ds, "none");
    }
}

static const char *
icmp_type_name(const struct vxlan_packet *pkt)
{
    if (pkt->is_ipv4) {
        switch (pkt->icmp_type) {
        case 0: return "echo reply";
        case 3: return "unreachable";
        case 5: return "redirect";
        case 8: return "echo request";
        case 11: return "time exceeded";
        default: return NULL;
        }
    }
    switch (pkt->icmp_type) {
    case 1: return "destination unreachable";
    case 2: return "packet too big";
    case 3: return "time exceeded";
    case 128: return "echo request";
    case 129: return "echo reply";
    case 133: return "router solicitation";
    case 134: return "router advertisement";
    case 135: return "neighbor solicitation";
    case 136: return "neighbor advertisement";
    default: return NULL;
    }
}

static bool
is_icmp_echo(const struct vxlan_packet *pkt)
{
    return (pkt->is_ipv4
            ? pkt->icmp_type == 0 || pkt->icmp_type == 8
            : pkt->icmp_type == 128 || pkt->icmp_type == 129);
}

/* Appends "ADDR.PORT" or "ADDR" for the source or destination. */
static void
format_endpoint(struct ds *ds, const struct vxlan_packet *pkt, bool src)
{
    bool ports = pkt->has_l4 && (pkt->ip_proto == 6 || pkt->ip_proto == 17);

    format_ip(ds, src ? &pkt->src : &pkt->dst, pkt->is_ipv4);
    if (ports) {
        ds_put_format(ds, ".%u", src ? pkt->src_port : pkt->dst_port);
    }
}

static void
format_ip_text(struct ds *ds, const struct vxlan_packet *pkt)
{
    ds_put_cstr(ds, pkt->is_ipv4 ? "IP " : "IP6 ");
    format_endpoint(ds, pkt, true);
    ds_put_cstr(ds, " > ");
    format_endpoint(ds, pkt, false);
    ds_put_cstr(ds, ": ");
    if (!pkt->has_l4) {
        ds_put_format(ds, "ip-proto-%u%s, length %"PRIuSIZE, pkt->ip_proto,
                      pkt->ip_later_fragment ? " (fragment)" : "",
                      pkt->l3_len);
    } else if (pkt->ip_proto == 6) {
        ds_put_cstr(ds, "Flags [");
        format_tcp_flags(ds, pkt->tcp_flags);
        ds_put_format(ds, "], seq %"PRIu32, pkt->tcp_seq);
        if (pkt->tcp_flags & 0x10) {
            ds_put_format(ds, ", ack %"PRIu32, pkt->tcp_ack);
        }
        ds_put_format(ds, ", win %u, length %"PRIuSIZE,
                      pkt->tcp_win, pkt->l4_payload_len);
    } else if (pkt->ip_proto == 17) {
        ds_put_format(ds, "UDP, length %"PRIuSIZE, pkt->l4_payload_len);
    } else {
        const char *name = icmp_type_name(pkt);

        ds_put_cstr(ds, pkt->is_ipv4 ? "ICMP " : "ICMP6, ");
        if (name) {
            ds_put_cstr(ds, name);
        } else {
            ds_put_format(ds, "type %u code %u",
                          pkt->icmp_type, pkt->icmp_code);
        }
        if (is_icmp_echo(pkt)) {
            ds_put_format(ds, ", id %u, seq %u", pkt->icmp_id, pkt->icmp_seq);
        }
        ds_put_format(ds, ", length %"PRIuSIZE, pkt->l4_payload_len);
    }
}

static void
format_arp_text(struct ds *ds, const struct vxlan_packet *pkt)
{
    const uint8_t *arp = pkt->frame + pkt->l3_ofs;

    ds_put_cstr(ds, "ARP, ");
    if (pkt->arp_op == 1) {
        ds_put_cstr(ds, "Request who-has ");
        format_ip(ds, &pkt->dst, true);
        ds_put_cstr(ds, " tell ");
        format_ip(ds, &pkt->src, true);
    } else if (pkt->arp_op == 2) {
        ds_put_cstr(ds, "Reply ");
        format_ip(ds, &pkt->src, true);
        if (arp[4] == 6) {
            ds_put_cstr(ds, " is-at ");
            format_mac(ds, arp + 8);
        }
    } else {
        ds_put_format(ds, "op %u", pkt->arp_op);
    }
    ds_put_format(ds, ", length %"PRIuSIZE, pkt->frame_len - pkt->l3_ofs);
}

/* Appends the local time of day of 'ts' with nanoseconds. */
static void
format_time_of_day(struct ds *ds, const struct timespec *ts)
{
    static time_t cached_sec = -1;
    static char cached[16];

    if (ts->tv_sec != cached_sec) {
        struct tm tm;

        localtime_r(&ts->tv_sec, &tm);
        strftime(cached, sizeof cached, "%H:%M:%S", &tm);
        cached_sec = ts->tv_sec;
    }
    ds_put_format(ds, "%s.%09ld", cached, (long) ts->tv_nsec);
}

/* Appends to 'ds' a line (with its new-line) that summarizes 'pkt' in the
 * manner of tcpdump: time of day, VNI, outer source, then the inner frame,
 * e.g. "12:00:00.000000001 vni 100 from 192.0.2.1: IP 172.16.0.148 >
 * 172.16.0.134: ICMP echo request, id 1, seq 1, length 64". */
void
frame_format_text(struct ds *ds, const struct vxlan_packet *pkt,
                  const struct frame_origin *origin)
{
    int i;

    format_time_of_day(ds, &origin->ts);
    ds_put_format(ds, " vni %"PRIu32" from ", pkt->vni);
    frame_format_sockaddr(ds, origin->src, false);
    ds_put_cstr(ds, ": ");
    for (i = 0; i < pkt->n_vlans; i++) {
        ds_put_format(ds, "vlan %u, ", pkt->vlan_tci[i] & 0xfff);
    }
    if (pkt->is_ipv4 || pkt->is_ipv6) {
        format_ip_text(ds, pkt);
    } else if (pkt->is_arp) {
        format_arp_text(ds, pkt);
    } else {
        format_mac(ds, pkt->eth_src);
        ds_put_cstr(ds, " > ");
        format_mac(ds, pkt->eth_dst);
        ds_put_format(ds, ", ethertype 0x%04x, length %"PRIuSIZE,
                      pkt->eth_type, pkt->frame_len);
    }
    ds_put_char(ds, '\n');
}

static const char *
protocol_name(const struct vxlan_packet *pkt)
{
    if (pkt->is_arp) {
        return "arp";
    } else if (!pkt->is_ipv4 && !pkt->is_ipv6) {
        return NULL;
    }
    switch (pkt->ip_proto) {
    case 1: return pkt->is_ipv4 ? "icmp" : NULL;
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return pkt->is_ipv6 ? "icmp6" : NULL;
    default: return NULL;
    }
}

/* Appends to 'ds' a JSON object on one line (with its new-line) that
 * describes 'pkt': "time" (seconds since the epoch with nanoseconds, as a
 * string such as "1764629183.123456789", since a JSON number would lose
 * the nanoseconds in parsers that read numbers as doubles), "vni",
 * "outer_src", "len", "orig_len" (only if the frame was cut), "eth_src",
 * "eth_dst", "eth_type", and as far as the frame has them "vlan",
 * "proto", "src", "dst", "ttl", "sport", "dport", "tcp_flags",
 * "icmp_type", "icmp_code", "arp_op". */
void
frame_format_json(struct ds *ds, const struct vxlan_packet *pkt,
                  const struct frame_origin *origin)
{
    const char *proto = protocol_name(pkt);

    ds_put_format(ds, "{\"time\":\"%lld.%09ld\",\"vni\":%"PRIu32
                  ",\"outer_src\":\"", (long long) origin->ts.tv_sec,
                  (long) origin->ts.tv_nsec, pkt->vni);
    frame_format_sockaddr(ds, origin->src, true);
    ds_put_format(ds, "\",\"len\":%"PRIuSIZE, pkt->frame_len);
    if (pkt->orig_len > pkt->frame_len) {
        ds_put_format(ds, ",\"orig_len\":%"PRIuSIZE, pkt->orig_len);
    }
    ds_put_cstr(ds, ",\"eth_src\":\"");
    format_mac(ds, pkt->eth_src);
    ds_put_cstr(ds, "\",\"eth_dst\":\"");
    format_mac(ds, pkt->eth_dst);
    ds_put_format(ds, "\",\"eth_type\":%u", pkt->eth_type);
    if (pkt->n_vlans) {
        ds_put_format(ds, ",\"vlan\":%u", pkt->vlan_tci[0] & 0xfff);
    }
    if (proto) {
        ds_put_format(ds, ",\"proto\":\"%s\"", proto);
    } else if (pkt->is_ipv4 || pkt->is_ipv6) {
        ds_put_format(ds, ",\"proto\":%u", pkt->ip_proto);
    }
    if (pkt->is_ipv4 || pkt->is_ipv6 || pkt->is_arp) {
        ds_put_cstr(ds, ",\"src\":\"");
        format_ip(ds, &pkt->src, !pkt->is_ipv6);
        ds_put_cstr(ds, "\",\"dst\":\"");
        format_ip(ds, &pkt->dst, !pkt->is_ipv6);
        ds_put_char(ds, '"');
    }
    if (pkt->is_arp) {
        ds_put_format(ds, ",\"arp_op\":%u", pkt->arp_op);
    } else if (pkt->is_ipv4 || pkt->is_ipv6) {
        ds_put_format(ds, ",\"ttl\":%u", pkt->ip_ttl);
    }
    if (pkt->has_l4) {
        if (pkt->ip_proto == 6 || pkt->ip_proto == 17) {
            ds_put_format(ds, ",\"sport\":%u,\"dport\":%u",
                          pkt->src_port, pkt->dst_port);
        } else {
            ds_put_format(ds, ",\"icmp_type\":%u,\"icmp_code\":%u",
                          pkt->icmp_type, pkt->icmp_code);
        }
        if (pkt->ip_proto == 6) {
            ds_put_cstr(ds, ",\"tcp_flags\":\"");
            format_tcp_flags(ds, pkt->tcp_flags);
            ds_put_char(ds, '"');
        }
    }
    ds_put_cstr(ds, "}\n");
}

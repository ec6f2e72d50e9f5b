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

/* fuzz-vxlan-decode.c: libFuzzer target for the receiver's datagram path.
 * Takes an outer source address from the input, checks it against a
 * --from list, counts the input in bounded per-source and per-VNI tables
 * (small caps, kept across inputs, so that the "other" buckets fill),
 * decodes the input as a UDP payload and, when it decodes, runs libpcap
 * filters on the inner frame and formats it as text and JSON, as the
 * receiver does. */

#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "ovs-vtap/frame-format.h"
#include "ovs-vtap/receiver-acl.h"
#include "ovs-vtap/receiver-counters.h"
#include "ovs-vtap/receiver-filter.h"
#include "ovs-vtap/vxlan-decode.h"
#include "util.h"

#define FUZZ_MAX_VNIS 16
#define FUZZ_MAX_SOURCES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Expressions that reach much of libpcap's code: VLAN tags, IPv6, ranges
 * of ports, byte offsets into the frame, negation and lengths. */
static const char *const expressions[] = {
    "tcp and src net 10.0.0.0/8 and port 22",
    "vlan 10 and (icmp or icmp6) or not ip",
    "udp portrange 1000-2000 or tcp[tcpflags] & tcp-syn != 0 or ip6 and tcp",
    "ether[12:2] = 0x8100 or greater 1000 or arp",
};

/* Builds an outer source address from the first bytes of the input, IPv6
 * when the first byte is odd. */
static void
source_from_input(const uint8_t *data, size_t size,
                  struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (size && data[0] & 1) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

        sin6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, data, MIN(size, 16));
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *) ss;

        sin->sin_family = AF_INET;
        memcpy(&sin->sin_addr, data, MIN(size, 4));
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct receiver_filter *filters[ARRAY_SIZE(expressions)];
    static struct receiver_counters counters;
    static struct receiver_acl acl;
    static bool initialized;
    struct sockaddr_storage ss;
    struct frame_origin origin = { .src = &ss };
    struct receiver_source_counters *sc;
    struct receiver_vni_counters *vc;
    struct vxlan_packet pkt;
    struct json *json;
    struct ds s;
    size_t i;

    if (!initialized) {
        char *error;

        set_program_name("fuzz-vxlan-decode");
        error = receiver_acl_parse(&acl, "0.0.0.0/1,2001:db8::/32");
        if (error) {
            ovs_abort(0, "%s", error);
        }
        for (i = 0; i < ARRAY_SIZE(expressions); i++) {
            error = receiver_filter_compile(expressions[i], &filters[i]);
            if (error) {
                ovs_abort(0, "%s: %s", expressions[i], error);
            }
        }
        receiver_counters_init(&counters, FUZZ_MAX_VNIS, FUZZ_MAX_SOURCES);
        initialized = true;
    }

    source_from_input(data, size, &ss);
    if (!receiver_acl_allows(&acl, &ss)) {
        counters.refused++;
        return 0;
    }
    sc = receiver_counters_source(&counters, &ss);
    sc->datagrams++;
    if (vxlan_decode(data, size, &pkt) == VXLAN_DECODE_OK) {
        if (pkt.orig_len < pkt.frame_len) {
            ovs_abort(0, "original length shorter than the frame");
        }
        vc = receiver_counters_vni(&counters, pkt.vni);
        vc->packets++;
        ds_init(&s);
        frame_format_text(&s, &pkt, &origin);
        frame_format_json(&s, &pkt, &origin);
        ds_destroy(&s);
        for (i = 0; i < ARRAY_SIZE(filters); i++) {
            if (receiver_filter_match(filters[i], pkt.frame, pkt.frame_len,
                                      pkt.orig_len)) {
                vc->matched++;
            }
        }
    } else {
        sc->malformed++;
    }
    if (hmap_count(&counters.vnis) > FUZZ_MAX_VNIS
        || hmap_count(&counters.sources) > FUZZ_MAX_SOURCES) {
        ovs_abort(0, "a table passed its cap");
    }
    json = receiver_counters_to_json(&counters);
    json_destroy(json);
    return 0;
}

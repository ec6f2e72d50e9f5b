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

/* receiver-counters.h: what the receiver counts, per VNI, per outer
 * source and per reason for a malformed datagram, and its text and JSON
 * reports.
 *
 * The per-VNI and per-source tables are bounded, since anyone who can send
 * UDP to the receiver chooses the VNIs and (with spoofing) the sources that
 * it sees: past its cap, a table counts new keys together in its "other"
 * bucket. */

#ifndef OVS_VTAP_RECEIVER_COUNTERS_H
#define OVS_VTAP_RECEIVER_COUNTERS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "openvswitch/hmap.h"
#include "ovs-vtap/vxlan-decode.h"

struct ds;
struct json;

/* Counters of one VNI, over the well-formed packets that carried it. */
struct receiver_vni_counters {
    struct hmap_node node;      /* In receiver_counters's 'vnis'. */
    uint32_t vni;
    uint64_t packets, bytes;    /* Inner frames and their bytes. */
    uint64_t matched;           /* Those that passed the filters. */
};

/* Counters of one outer source address (the port is left out: senders
 * vary it per inner flow). */
struct receiver_source_counters {
    struct hmap_node node;      /* In receiver_counters's 'sources'. */
    struct sockaddr_storage addr;       /* Port zero. */
    uint64_t datagrams, bytes;  /* UDP payloads and their bytes. */
    uint64_t malformed;
};

struct receiver_counters {
    uint64_t datagrams, bytes;  /* Every UDP payload received. */
    uint64_t refused, refused_bytes;    /* From a source not accepted. */
    uint64_t malformed[VXLAN_DECODE_N_RESULTS]; /* [VXLAN_DECODE_OK]: 0. */
    uint64_t vni_filtered;      /* Well-formed, VNI not in the list. */
    uint64_t unmatched;         /* Well-formed, failed the inner filter. */
    uint64_t matched, matched_bytes;    /* Passed every filter. */
    uint64_t kernel_drops;      /* Dropped by the kernel at the sockets. */
    struct hmap vnis;           /* "struct receiver_vni_counters"s. */
    struct hmap sources;        /* "struct receiver_source_counters"s. */
    size_t max_vnis;            /* Most entries in 'vnis'. */
    size_t max_sources;         /* Most entries in 'sources'. */
    struct receiver_vni_counters other_vnis;    /* VNIs past the cap. */
    struct receiver_source_counters other_sources;  /* Sources past it. */

    /* The last counters looked up: consecutive datagrams mostly share
     * their VNI and source. */
    struct receiver_vni_counters *last_vni;
    struct receiver_source_counters *last_source;
};

void receiver_counters_init(struct receiver_counters *, size_t max_vnis,
                            size_t max_sources);
void receiver_counters_destroy(struct receiver_counters *);
void receiver_counters_add(struct receiver_counters *dst,
                           const struct receiver_counters *src);
struct receiver_vni_counters *receiver_counters_vni(
    struct receiver_counters *, uint32_t vni);
const struct receiver_vni_counters *receiver_counters_find_vni(
    const struct receiver_counters *, uint32_t vni);
struct receiver_source_counters *receiver_counters_source(
    struct receiver_counters *, const struct sockaddr_storage *);
uint64_t receiver_counters_n_malformed(const struct receiver_counters *);
void receiver_counters_format(const struct receiver_counters *,
                              struct ds *);
struct json *receiver_counters_to_json(const struct receiver_counters *);

#endif /* receiver-counters.h */

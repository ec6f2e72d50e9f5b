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

/* flow-counters.h: the counting of what ovs-vtapd's flows counted in the
 * switch.  Statistics replies are attributed by cookie alone (see
 * vtap-cookie.h), so a reply that arrives after the flows changed still
 * counts for the rule whose flow counted the packets.
 *
 * The switch's counters of a flow only grow while the flow lives.  For each
 * flow (by table, priority and match) the raw counters last seen are kept
 * as its baseline; what a reply adds is the raw count less the baseline,
 * or the whole raw count if it went down (the flow was reinstalled).  A
 * flow that ovs-vtapd deletes reports its final counts in a flow_removed
 * message, so that nothing it counted after the last poll is lost.  The
 * baselines are written to the database together with the totals they
 * were counted into, so that a restarted daemon continues exactly where
 * the last written totals ended. */

#ifndef OVS_VTAPD_FLOW_COUNTERS_H
#define OVS_VTAPD_FLOW_COUNTERS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/hmap.h"
#include "vtap-cookie.h"

/* Packets and bytes counted by the flows with one cookie since the last
 * flow_counters_take(). */
struct flow_counter {
    struct hmap_node node;      /* In flow_counters.pending, by cookie. */
    uint64_t cookie;
    uint64_t packets;
    uint64_t bytes;
};

/* The raw counters last seen of one flow. */
struct flow_baseline {
    struct hmap_node node;      /* In flow_counters.baselines. */
    uint8_t table_id;           /* The flow: table, priority and the hash */
    uint16_t priority;          /* of its match (flow_baseline_hash()). */
    uint32_t match_hash;
    uint64_t cookie;            /* Last reported (0 if read from the
                                 * database). */
    uint32_t vtap_id;           /* The VTAP that owns it. */
    char *bridge;               /* Mirror bridge, or NULL if not known. */
    unsigned int seen;          /* Its table's dump when last seen. */
    bool retired;               /* Deleted, waiting for its last counts. */
    uint64_t packets;
    uint64_t bytes;
};

/* Everything counted, shared by the flow tables and the status writer. */
struct flow_counters {
    struct hmap pending;        /* "struct flow_counter"s, by cookie. */
    struct hmap baselines;      /* "struct flow_baseline"s. */
};

void flow_counters_init(struct flow_counters *);
void flow_counters_destroy(struct flow_counters *);

const struct flow_counter *flow_counters_find(const struct flow_counters *,
                                              uint64_t cookie);
void flow_counters_observe(struct flow_counters *, const char *bridge,
                           unsigned int seen, uint64_t cookie,
                           uint8_t table_id, uint16_t priority,
                           uint32_t match_hash,
                           uint64_t packets, uint64_t bytes);
void flow_counters_removed(struct flow_counters *, uint64_t cookie,
                           uint8_t table_id, uint16_t priority,
                           uint32_t match_hash,
                           uint64_t packets, uint64_t bytes);
void flow_counters_forget(struct flow_counters *, const char *bridge,
                          uint64_t cookie, uint8_t table_id,
                          uint16_t priority, uint32_t match_hash);
void flow_counters_retire(struct flow_counters *, const char *bridge,
                          unsigned int seen, uint8_t table_id,
                          uint16_t priority, uint32_t match_hash);
void flow_counters_sweep(struct flow_counters *, const char *bridge,
                         unsigned int seen);

struct flow_baseline *flow_counters_find_baseline(
    const struct flow_counters *, uint8_t table_id, uint16_t priority,
    uint32_t match_hash, bool retired);
void flow_counters_load_baseline(struct flow_counters *, uint32_t vtap_id,
                                 const char *bridge, const char *key,
                                 const char *value);
bool flow_counters_awaiting_removal(const struct flow_counters *,
                                    const char *bridge);
char *flow_baseline_key(const struct flow_baseline *);
char *flow_baseline_value(const struct flow_baseline *);

#endif /* flow-counters.h */

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

/* flow-counters.c: cookies and flow counters of ovs-vtapd (see
 * flow-counters.h). */

#include <config.h>
#include "flow-counters.h"

#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "util.h"

/* Initializes 'fc' empty. */
void
flow_counters_init(struct flow_counters *fc)
{
    hmap_init(&fc->pending);
    hmap_init(&fc->baselines);
}

/* Frees everything in 'fc'. */
void
flow_counters_destroy(struct flow_counters *fc)
{
    struct flow_baseline *b;
    struct flow_counter *c;

    HMAP_FOR_EACH_POP (c, node, &fc->pending) {
        free(c);
    }
    hmap_destroy(&fc->pending);
    HMAP_FOR_EACH_POP (b, node, &fc->baselines) {
        free(b->bridge);
        free(b);
    }
    hmap_destroy(&fc->baselines);
}

/* Returns the counts pending for 'cookie' in 'fc', or NULL. */
const struct flow_counter *
flow_counters_find(const struct flow_counters *fc, uint64_t cookie)
{
    const struct flow_counter *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash_uint64(cookie), &fc->pending) {
        if (c->cookie == cookie) {
            return c;
        }
    }
    return NULL;
}

static uint32_t
baseline_hash(uint8_t table_id, uint16_t priority, uint32_t match_hash)
{
    return hash_3words(table_id, priority, match_hash);
}

/* Returns the baseline of the live flow (or, if 'retired', of the flow
 * deleted and waiting for its final counts) with 'table_id', 'priority'
 * and 'match_hash' in 'fc', or NULL if none (its counters were zero). */
struct flow_baseline *
flow_counters_find_baseline(const struct flow_counters *fc, uint8_t table_id,
                            uint16_t priority, uint32_t match_hash,
                            bool retired)
{
    struct flow_baseline *b;

    HMAP_FOR_EACH_WITH_HASH (b, node,
                             baseline_hash(table_id, priority, match_hash),
                             &fc->baselines) {
        if (b->table_id == table_id && b->priority == priority
            && b->match_hash == match_hash && b->retired == retired) {
            return b;
        }
    }
    return NULL;
}

static struct flow_baseline *
baseline_create(struct flow_counters *fc, uint8_t table_id,
                uint16_t priority, uint32_t match_hash)
{
    struct flow_baseline *b = xzalloc(sizeof *b);

    b->table_id = table_id;
    b->priority = priority;
    b->match_hash = match_hash;
    hmap_insert(&fc->baselines, &b->node,
                baseline_hash(table_id, priority, match_hash));
    return b;
}

static void baseline_destroy(struct flow_counters *, struct flow_baseline *);

static void
baseline_set_bridge(struct flow_baseline *b, const char *bridge)
{
    if (!b->bridge || strcmp(b->bridge, bridge)) {
        free(b->bridge);
        b->bridge = xstrdup(bridge);
    }
}

/* Adds 'packets' and 'bytes' to what is pending for 'cookie'. */
static void
add_pending(struct flow_counters *fc, uint64_t cookie, uint64_t packets,
            uint64_t bytes)
{
    struct flow_counter *c = CONST_CAST(struct flow_counter *,
                                        flow_counters_find(fc, cookie));
    if (!c) {
        c = xzalloc(sizeof *c);
        c->cookie = cookie;
        hmap_insert(&fc->pending, &c->node, hash_uint64(cookie));
    }
    c->packets += packets;
    c->bytes += bytes;
}

/* Makes what 'b' counted up to 'packets' and 'bytes' pending for
 * 'cookie', and those the new baseline. */
static void
baseline_advance(struct flow_counters *fc, struct flow_baseline *b,
                 uint64_t cookie, uint64_t packets, uint64_t bytes)
{
    uint64_t dp, db;

    if (packets < b->packets || bytes < b->bytes) {
        /* The switch's counters went back: a new flow, counting from 0. */
        dp = packets;
        db = bytes;
    } else {
        dp = packets - b->packets;
        db = bytes - b->bytes;
    }
    b->packets = packets;
    b->bytes = bytes;
    b->cookie = cookie;
    b->vtap_id = vtap_cookie_vtap(cookie);
    if (dp || db) {
        add_pending(fc, cookie, dp, db);
    }
}

/* Counts one flow statistics entry of 'bridge': the flow with 'cookie',
 * 'table_id', 'priority' and 'match_hash' has counted 'packets' and 'bytes'
 * in all.  What it counted since the last entry (or since the baseline
 * read from the database) becomes pending for 'cookie'.  'seen' identifies
 * the statistics reply, for flow_counters_sweep().  An entry for a flow
 * that was just deleted (the reply was asked for before) counts for the
 * deleted flow. */
void
flow_counters_observe(struct flow_counters *fc, const char *bridge,
                      unsigned int seen, uint64_t cookie, uint8_t table_id,
                      uint16_t priority, uint32_t match_hash,
                      uint64_t packets, uint64_t bytes)
{
    struct flow_baseline *b = flow_counters_find_baseline(fc, table_id,
                                                          priority,
                                                          match_hash, false);
    struct flow_baseline *retired = flow_counters_find_baseline(
        fc, table_id, priority, match_hash, true);

    if (retired && (!b || b->cookie != cookie)) {
        baseline_advance(fc, retired, cookie, packets, bytes);
        return;
    }
    if (!b) {
        if (!packets && !bytes) {
            return;
        }
        b = baseline_create(fc, table_id, priority, match_hash);
    }
    baseline_advance(fc, b, cookie, packets, bytes);
    b->seen = seen;
    baseline_set_bridge(b, bridge);
}

/* Counts the final 'packets' and 'bytes' of a flow that the switch
 * removed (a flow_removed message), and forgets its baseline. */
void
flow_counters_removed(struct flow_counters *fc, uint64_t cookie,
                      uint8_t table_id, uint16_t priority,
                      uint32_t match_hash, uint64_t packets, uint64_t bytes)
{
    struct flow_baseline *b = flow_counters_find_baseline(fc, table_id,
                                                          priority,
                                                          match_hash, true);
    if (!b) {
        b = flow_counters_find_baseline(fc, table_id, priority, match_hash,
                                        false);
    }
    if (b) {
        baseline_advance(fc, b, cookie, packets, bytes);
        baseline_destroy(fc, b);
    } else {
        add_pending(fc, cookie, packets, bytes);
    }
}

/* Marks the baseline of a flow of 'bridge' that is being deleted, while
 * its statistics request 'seen' is the latest, as waiting for the flow's
 * final counts (flow_counters_removed()); a sweep forgets it if they do
 * not come. */
void
flow_counters_retire(struct flow_counters *fc, const char *bridge,
                     unsigned int seen, uint8_t table_id, uint16_t priority,
                     uint32_t match_hash)
{
    struct flow_baseline *old = flow_counters_find_baseline(fc, table_id,
                                                            priority,
                                                            match_hash, true);
    struct flow_baseline *b = flow_counters_find_baseline(fc, table_id,
                                                          priority,
                                                          match_hash, false);
    if (old) {
        baseline_destroy(fc, old);
    }
    if (!b) {
        b = baseline_create(fc, table_id, priority, match_hash);
    }
    b->retired = true;
    b->seen = seen;
    baseline_set_bridge(b, bridge);
}

static void
baseline_destroy(struct flow_counters *fc, struct flow_baseline *b)
{
    hmap_remove(&fc->baselines, &b->node);
    free(b->bridge);
    free(b);
}

/* Starts at zero the baseline of a flow of 'bridge' with 'cookie' that is
 * added anew. */
void
flow_counters_forget(struct flow_counters *fc, const char *bridge,
                     uint64_t cookie, uint8_t table_id, uint16_t priority,
                     uint32_t match_hash)
{
    struct flow_baseline *b = flow_counters_find_baseline(fc, table_id,
                                                          priority,
                                                          match_hash, false);
    if (!b && flow_counters_find_baseline(fc, table_id, priority,
                                          match_hash, true)) {
        /* The flow that it replaces has yet to report its final counts:
         * keep the new one apart. */
        b = baseline_create(fc, table_id, priority, match_hash);
    }
    if (b) {
        b->packets = b->bytes = 0;
        b->cookie = cookie;
        b->vtap_id = vtap_cookie_vtap(cookie);
        baseline_set_bridge(b, bridge);
    }
}

/* Once a whole statistics reply 'seen' of 'bridge' is counted, forgets the
 * baselines of that bridge's flows that it did not report: those flows are
 * gone, or counted nothing (a baseline of zero); and the deleted flows
 * whose final counts did not come within two replies. */
void
flow_counters_sweep(struct flow_counters *fc, const char *bridge,
                    unsigned int seen)
{
    struct flow_baseline *b;

    HMAP_FOR_EACH_SAFE (b, node, &fc->baselines) {
        bool mine = !b->bridge || !strcmp(b->bridge, bridge);

        if (mine && (b->retired ? seen - b->seen >= 2 : b->seen != seen)) {
            baseline_destroy(fc, b);
        }
    }
}

/* Returns true if a flow of 'bridge' was deleted and its final counts
 * (flow_counters_removed()) have not come yet. */
bool
flow_counters_awaiting_removal(const struct flow_counters *fc,
                               const char *bridge)
{
    const struct flow_baseline *b;

    HMAP_FOR_EACH (b, node, &fc->baselines) {
        if (b->retired && b->bridge && !strcmp(b->bridge, bridge)) {
            return true;
        }
    }
    return false;
}

/* Returns the key under which 'b' is stored in the database, as
 * "flow:TABLE:PRIORITY:HASH". */
char *
flow_baseline_key(const struct flow_baseline *b)
{
    return xasprintf("flow:%"PRIu8":%"PRIu16":%08"PRIx32, b->table_id,
                     b->priority, b->match_hash);
}

/* Returns the value under which 'b' is stored, as "PACKETS BYTES". */
char *
flow_baseline_value(const struct flow_baseline *b)
{
    return xasprintf("%"PRIu64" %"PRIu64, b->packets, b->bytes);
}

/* Adds to 'fc' the baseline stored in the database as 'key' and 'value'
 * (see flow_baseline_key() and flow_baseline_value()) for the flow of VTAP
 * 'vtap_id' on 'bridge' (NULL if not known).  Keys that are not a
 * baseline and values that do not parse are ignored. */
void
flow_counters_load_baseline(struct flow_counters *fc, uint32_t vtap_id,
                            const char *bridge, const char *key,
                            const char *value)
{
    uint32_t table_id, priority, match_hash;
    uint64_t packets, bytes;

    if (!ovs_scan(key, "flow:%"SCNu32":%"SCNu32":%"SCNx32, &table_id,
                  &priority, &match_hash)
        || table_id > UINT8_MAX || priority > UINT16_MAX
        || !ovs_scan(value, "%"SCNu64" %"SCNu64, &packets, &bytes)) {
        return;
    }

    struct flow_baseline *b = flow_counters_find_baseline(fc, table_id,
                                                          priority,
                                                          match_hash, false);
    if (!b) {
        b = baseline_create(fc, table_id, priority, match_hash);
    }
    b->vtap_id = vtap_id;
    b->cookie = 0;
    b->packets = packets;
    b->bytes = bytes;
    if (bridge && bridge[0]) {
        baseline_set_bridge(b, bridge);
    }
}

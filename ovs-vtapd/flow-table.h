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

/* flow-table.h: the OpenFlow table of one mirror bridge, kept equal to a
 * desired set of flows over an rconn to the bridge's management socket.
 *
 * On every (re)connection the installed flows that carry ovs-vtapd's
 * cookie are dumped and diffed against the desired ones, so that after a
 * restart identical flows are kept (their counters continue), stale ones are
 * deleted and missing ones added.  Changes go out in one atomic bundle.
 *
 * Ownership: each desired flow belongs to the VTAP whose id its cookie
 * carries (0: the bridge's shared flows), and flow_table_remove_owner()
 * takes out all of one VTAP's.  The flows added and removed since the last
 * sync are tracked, so that a sync compares only those with the switch's;
 * every flow is compared after flow_table_clear(), a (re)connection, a
 * repair, and while the switch refuses some.
 *
 * Flow statistics are polled and counted in a "struct flow_counters" (see
 * flow-counters.h).  A poll first asks for the aggregate of ovs-vtapd's
 * flows; only if it differs from what the last reading of every flow added
 * up to (or the flow count from the installed one), and at least every
 * 12th poll, is every flow read.
 *
 * Self-repair: each statistics reply lists every flow with ovs-vtapd's
 * cookie, so it is also checked against the flows known to be installed; a
 * flow that someone else deleted, changed or added is put back (or
 * deleted) by the next sync, at once.
 *
 * Fault isolation: if the switch refuses a bundle, the next sync sends one
 * bundle per VTAP (and one for the shared flows), so that the switch says
 * whose flows it refuses.  A refused VTAP keeps no flows; it is tried again
 * in a bundle of its own when its flows change, at each statistics
 * interval, and after the switch reconnects. */

#ifndef OVS_VTAPD_FLOW_TABLE_H
#define OVS_VTAPD_FLOW_TABLE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "flow-counters.h"

struct ds;
struct match;
struct ofpact;
struct revalidation;

struct flow_table;

struct flow_table *flow_table_create(const char *bridge, const char *rundir,
                                     struct revalidation *,
                                     struct flow_counters *);
void flow_table_destroy(struct flow_table *);
const char *flow_table_bridge(const struct flow_table *);

void flow_table_clear(struct flow_table *);
void flow_table_add(struct flow_table *, uint8_t table_id, uint16_t priority,
                    uint64_t cookie, const struct match *,
                    const struct ofpact *, size_t ofpacts_len);
void flow_table_remove(struct flow_table *, uint8_t table_id,
                       uint16_t priority, const struct match *);
void flow_table_remove_owner(struct flow_table *, uint32_t owner);
void flow_table_touch(struct flow_table *);

void flow_table_run(struct flow_table *, long long int stats_interval);
void flow_table_wait(struct flow_table *);
void flow_table_poll_stats(struct flow_table *);
bool flow_table_poll_done(const struct flow_table *);
bool flow_table_is_synced(const struct flow_table *);
bool flow_table_is_connected(const struct flow_table *);
const char *flow_table_refused(const struct flow_table *, uint32_t vtap_id);
const char *flow_table_refused_shared(const struct flow_table *,
                                      uint32_t vtap_id);
bool flow_table_refusals_changed(struct flow_table *);
bool flow_table_is_repairing(const struct flow_table *);
size_t flow_table_count(const struct flow_table *);
bool flow_table_desired_equal(const struct flow_table *,
                              const struct flow_table *, struct ds *diff);
bool flow_table_has_refusals(const struct flow_table *);
void flow_table_format(const struct flow_table *, uint32_t vtap_id,
                       struct ds *);

#endif /* flow-table.h */

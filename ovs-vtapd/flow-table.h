/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* flow-table.h: the OpenFlow table of one mirror bridge, kept equal to a
 * desired set of flows over an rconn to the bridge's management socket.
 *
 * On every (re)connection the installed flows that carry ovs-vtapd's
 * cookie are dumped and diffed against the desired ones, so that after a
 * restart identical flows are kept (their counters continue), stale ones are
 * deleted and missing ones added.  Changes go out in one atomic bundle.
 * Flow statistics are polled and accumulated per cookie.
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
#include "openvswitch/hmap.h"

struct ds;
struct match;

/* Cookies: the high 16 bits mark ovs-vtapd's flows; bits 32..47 say what
 * the flow is for; the low 32 bits are the VTAP id (0 for flows that VTAPs
 * share, such as the dispatch of a patch port with several VTAPs). */
#define VTAP_COOKIE_MAGIC   0x7674ULL
#define VTAP_COOKIE_MASK    0xffff000000000000ULL
#define VTAP_COOKIE_KIND_SHARED  0      /* Dispatch, loop guard, drops. */
#define VTAP_COOKIE_KIND_INGRESS 1      /* Rule flow of the ingress. */
#define VTAP_COOKIE_KIND_EGRESS  2      /* Rule flow of the egress. */

uint64_t vtap_cookie(unsigned int kind, unsigned int rule_idx, uint32_t id);
unsigned int vtap_cookie_kind(uint64_t cookie);
unsigned int vtap_cookie_rule(uint64_t cookie);
uint32_t vtap_cookie_vtap(uint64_t cookie);

/* Packets and bytes counted by the flows with one cookie, accumulated over
 * flow reinstalls since the daemon started. */
struct flow_counter {
    struct hmap_node node;      /* In a counters hmap, by cookie. */
    uint64_t cookie;
    uint64_t packets;
    uint64_t bytes;
};

const struct flow_counter *flow_counters_find(const struct hmap *,
                                              uint64_t cookie);
void flow_counters_destroy(struct hmap *);

struct flow_table;

struct flow_table *flow_table_create(const char *bridge, const char *rundir,
                                     struct hmap *counters);
void flow_table_destroy(struct flow_table *);
const char *flow_table_bridge(const struct flow_table *);

void flow_table_clear(struct flow_table *);
char *flow_table_add(struct flow_table *, uint8_t table_id, uint16_t priority,
                     uint64_t cookie, const struct match *,
                     const char *actions) OVS_WARN_UNUSED_RESULT;
void flow_table_touch(struct flow_table *);

void flow_table_run(struct flow_table *, long long int stats_interval);
void flow_table_wait(struct flow_table *);
bool flow_table_is_synced(const struct flow_table *);
bool flow_table_is_connected(const struct flow_table *);
const char *flow_table_refused(const struct flow_table *, uint32_t vtap_id);
const char *flow_table_refused_shared(const struct flow_table *,
                                      uint32_t vtap_id);
bool flow_table_refusals_changed(struct flow_table *);
bool flow_table_is_repairing(const struct flow_table *);
size_t flow_table_count(const struct flow_table *);
void flow_table_format(const struct flow_table *, uint32_t vtap_id,
                       struct ds *);

#endif /* flow-table.h */

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

/* flow-table.c: keeps the OpenFlow table of one mirror bridge equal to the
 * desired flows (see flow-table.h). */

#include <config.h>
#include "flow-table.h"

#include <errno.h>
#include <string.h>
#include "byte-order.h"
#include "coverage.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-connection.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vlog.h"
#include "svec.h"
#include "openvswitch/poll-loop.h"
#include "revalidation.h"
#include "timeval.h"
#include "util.h"
#include "vtap-cookie.h"

VLOG_DEFINE_THIS_MODULE(flow_table);

COVERAGE_DEFINE(flow_table_poll_skipped);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* One flow, desired or installed.  Its identity is the table, the
 * priority and the match, compared in binary form (no text). */
struct ft_flow {
    struct hmap_node node;      /* By ft_hash(). */
    uint8_t table_id;
    uint16_t priority;
    uint64_t cookie;
    struct minimatch match;     /* Compressed: a "struct match" is
                                 * over 3 kB, a flow table 100,000s. */
    struct ofpact *ofpacts;     /* The actions, binary. */
    size_t ofpacts_len;
    bool dumped_actions;        /* 'ofpacts' as decoded from the switch,
                                 * which may encode the same actions
                                 * differently from how they parse. */
    uint64_t packets, bytes;    /* Installed: counts last seen. */
    unsigned int check_seqno;   /* Installed: the flow check that saw it. */
    uint32_t dump_hash;         /* Installed: hash of the actions as the
                                 * switch last reported them, if
                                 * 'dump_hash_valid', known to be equal to
                                 * 'ofpacts'. */
    bool dump_hash_valid;

    /* Desired flows only. */
    struct ovs_list group_node; /* In its owner's ft_group 'flows'. */
    struct ovs_list track_node; /* Added since the last sync: in
                                 * flow_table's 'added'; removed: in its
                                 * 'removed'. */
    bool tracked;               /* In 'added'. */
};

/* The flows of one VTAP (or, with id 0, the shared flows) as one group:
 * after the switch refused a bundle, each group goes in its own bundle, and
 * a group that the switch refuses is left out until a retry succeeds. */
struct ft_group {
    struct hmap_node node;      /* In flow_table's 'groups', by id. */
    uint32_t id;                /* VTAP id, 0 for the shared flows. */
    struct ovs_list flows;      /* Its desired "struct ft_flow"s. */
    uint32_t hash;              /* Of the desired flows, as added. */
    size_t n_desired;           /* Desired flows. */
    char *refused;              /* The switch's error, or NULL. */
    uint32_t refused_hash;      /* 'hash' when refused. */
    long long int retry_at;     /* When a refused group is tried again. */
    bool due;                   /* Refused, tried again in this sync. */
    uint32_t *vtaps;            /* Refused shared flows: the VTAPs that the
                                 * refused flow dispatches to, or none if
                                 * it concerns every VTAP of the bridge. */
    size_t n_vtaps;
};

/* The key of the bundle that holds the flows of more than one group. */
#define FT_BUNDLE_MAIN (-1)

/* One flow_mod of a bundle, applied to 'installed' once committed. */
struct ft_op {
    struct ovs_list list_node;  /* In ft_bundle's 'ops'. */
    uint16_t command;           /* OFPFC_ADD, _MODIFY_STRICT or
                                 * _DELETE_STRICT. */
    ovs_be32 xid;               /* Of its bundle add message. */
    bool failed;                /* The switch refused it. */
    struct ft_flow *flow;       /* A copy of the flow. */
};

/* A bundle, while it is built and until the switch answers its commit. */
struct ft_bundle {
    struct hmap_node node;      /* While built: by key. */
    struct ovs_list list_node;  /* Then in flow_table's 'bundles'. */
    int64_t key;                /* FT_BUNDLE_MAIN or one group's id. */
    uint32_t id;                /* OpenFlow bundle id. */
    uint32_t hash;              /* The group's hash, for one group. */
    struct ovs_list msgs;       /* Bundle add messages, while built. */
    struct ovs_list ops;        /* "struct ft_op"s. */
    ovs_be32 open_xid;
    ovs_be32 commit_xid;
    char *error;                /* The switch's first error, or NULL. */
};

struct flow_table {
    char *bridge;
    struct rconn *rconn;
    unsigned int conn_seqno;    /* rconn's when last dumped. */
    struct hmap desired;        /* "struct ft_flow"s wanted. */
    struct hmap installed;      /* "struct ft_flow"s in the switch. */
    struct flow_counters *counters; /* Counted per cookie, shared. */

    bool dumped;                /* Installed flows known since connect. */
    ovs_be32 stats_xid;         /* Outstanding flow stats request. */
    unsigned int stats_seq;     /* Number of stats requests sent. */
    unsigned int stats_done;    /* 'stats_seq' of the last one counted. */
    unsigned int poll_target;   /* flow_table_poll_stats() waits for it. */
    bool stats_is_dump;         /* It is the dump after connecting. */
    bool stats_all;             /* It must look at flows that counted
                                 * nothing too (some counters were reset). */
    bool replaced;              /* A flow was replaced (its counters reset)
                                 * since the last statistics request. */
    bool stats_is_aggregate;    /* The request is for the aggregate. */
    uint64_t sum_packets;       /* Of the flows of the statistics reply */
    uint64_t sum_bytes;         /* being counted, or of the last one. */
    bool sums_valid;            /* 'sum_*' are a whole reply's. */
    unsigned int n_skipped;     /* Polls skipped since the last full. */
    long long int next_stats;   /* When to poll statistics next. */

    uint32_t next_bundle_id;
    struct ovs_list bundles;    /* "struct ft_bundle"s sent, not answered. */
    bool need_sync;             /* 'desired' may differ from 'installed'. */
    bool full_sync;             /* The next sync compares every flow (else
                                 * only those in 'added' and 'removed'). */
    struct ovs_list added;      /* Desired flows added since the last sync
                                 * (while !full_sync). */
    struct ovs_list removed;    /* Flows no longer desired since then, not
                                 * in 'desired' any more, owned here. */
    long long int retry_at;     /* After an error, not before this time. */
    bool touch;                 /* Send a flow_mod even if nothing differs. */

    /* Counts credited before a sync changes flows (revalidation.h). */
    struct revalidation *reval; /* NULL: a sync goes at once. */
    bool settle_touched;        /* The touch before the sync was sent. */
    unsigned int settle_ticket; /* Then the round asked for, or 0. */

    /* Fault isolation. */
    struct hmap groups;         /* "struct ft_group"s, by id. */
    bool isolate;               /* Next sync: one bundle per group. */
    bool refusals_changed;      /* A group was refused or accepted. */
    long long int next_retry;   /* Earliest retry of a refused group. */
    long long int stats_interval;

    /* Self-repair: each statistics reply is checked against 'installed'. */
    unsigned int check_seqno;   /* Of the check in progress. */
    size_t n_altered;           /* Flows that it found changed or extra. */
    bool repairing;             /* The last check found flows altered. */
};

/* Initializes 'mm' from 'match' in the form that the switch reports it
 * back: bits outside the mask zeroed, and the implicit Ethernet packet type
 * (which OpenFlow does not encode) left out, so that a flow that the
 * switch dumps compares equal to the one that was sent. */
static void
ft_minimatch_init(struct minimatch *mm, const struct match *match)
{
    struct match m = *match;

    if (match_has_default_packet_type(&m)) {
        m.flow.packet_type = htonl(0);
        m.wc.masks.packet_type = htonl(0);
    }
    match_zero_wildcarded_fields(&m);
    minimatch_init(mm, &m);
}

static uint32_t
ft_hash(uint8_t table_id, uint16_t priority, const struct minimatch *match)
{
    return minimatch_hash(match, hash_2words(table_id, priority));
}

static struct ft_flow *
ft_find(const struct hmap *flows, uint8_t table_id, uint16_t priority,
        const struct minimatch *match, uint32_t hash)
{
    struct ft_flow *f;

    HMAP_FOR_EACH_WITH_HASH (f, node, hash, flows) {
        if (f->table_id == table_id && f->priority == priority
            && minimatch_equal(&f->match, match)) {
            return f;
        }
    }
    return NULL;
}

/* Returns the flow in 'flows' with the same identity as 'f', or NULL. */
static struct ft_flow *
ft_find_flow(const struct hmap *flows, const struct ft_flow *f)
{
    return ft_find(flows, f->table_id, f->priority, &f->match, f->node.hash);
}

static void
ft_flow_set_actions(struct ft_flow *f, const struct ofpact *ofpacts,
                    size_t len)
{
    free(f->ofpacts);
    f->ofpacts = len ? xmemdup(ofpacts, len) : NULL;
    f->ofpacts_len = len;
    f->dumped_actions = false;
    f->dump_hash_valid = false;
}

static void format_actions(const struct ofpact *, size_t, struct ds *);

/* Returns true if installed flow 'i' has the actions of desired flow 'd'.
 * Actions read back from the switch are compared as text, once: if they
 * are the same, 'i' takes the binary form of 'd' for later comparisons. */
static bool
ft_flow_actions_equal(struct ft_flow *i, const struct ft_flow *d)
{
    if (!i->dumped_actions) {
        return ofpacts_equal(i->ofpacts, i->ofpacts_len,
                             d->ofpacts, d->ofpacts_len);
    }

    struct ds a = DS_EMPTY_INITIALIZER;
    struct ds b = DS_EMPTY_INITIALIZER;
    format_actions(i->ofpacts, i->ofpacts_len, &a);
    format_actions(d->ofpacts, d->ofpacts_len, &b);
    bool equal = !strcmp(ds_cstr(&a), ds_cstr(&b));
    ds_destroy(&a);
    ds_destroy(&b);
    if (equal) {
        ft_flow_set_actions(i, d->ofpacts, d->ofpacts_len);
    }
    return equal;
}

static void
ft_flow_free(struct ft_flow *f)
{
    free(f->ofpacts);
    minimatch_destroy(&f->match);
    free(f);
}

static void
ft_flows_clear(struct hmap *flows)
{
    struct ft_flow *f;

    HMAP_FOR_EACH_POP (f, node, flows) {
        ft_flow_free(f);
    }
}

/* Forgets which desired flows were added and removed since the last sync:
 * the next sync compares them all. */
static void
ft_untrack(struct flow_table *ft)
{
    struct ft_flow *f;

    LIST_FOR_EACH_POP (f, track_node, &ft->added) {
        f->tracked = false;
    }
    LIST_FOR_EACH_POP (f, track_node, &ft->removed) {
        ft_flow_free(f);
    }
}

/* Makes the next sync of 'ft' compare every flow. */
static void
ft_need_full_sync(struct flow_table *ft)
{
    ft->need_sync = true;
    if (!ft->full_sync) {
        ft->full_sync = true;
        ft_untrack(ft);
    }
}

static void ft_bundles_clear(struct flow_table *);

/* Creates the flow table of 'bridge', connecting to its management socket
 * in 'rundir', or if 'rundir' is NULL, to nothing (a table of desired
 * flows only, to compare).  Statistics accumulate into 'counters'.  Unless
 * 'reval' is NULL, a sync that changes flows waits for a round of the
 * switch's revalidators first (see revalidation.h). */
struct flow_table *
flow_table_create(const char *bridge, const char *rundir,
                  struct revalidation *reval, struct flow_counters *counters)
{
    struct flow_table *ft = xzalloc(sizeof *ft);
    uint32_t versions = ((1u << OFP13_VERSION) | (1u << OFP14_VERSION)
                         | (1u << OFP15_VERSION));

    ft->bridge = xstrdup(bridge);
    ft->rconn = rconn_create(0, 8, 0, versions);
    if (rundir) {
        char *target = xasprintf("unix:%s/%s.mgmt", rundir, bridge);
        rconn_connect(ft->rconn, target, bridge);
        free(target);
    }
    hmap_init(&ft->desired);
    hmap_init(&ft->installed);
    ft->counters = counters;
    ft->reval = reval;
    ft->next_bundle_id = 1;
    ovs_list_init(&ft->bundles);
    ovs_list_init(&ft->added);
    ovs_list_init(&ft->removed);
    ft->full_sync = true;
    hmap_init(&ft->groups);
    return ft;
}

/* Forgets that the switch refused the flows of 'g'. */
static void
ft_group_clear_refusal(struct ft_group *g)
{
    free(g->refused);
    g->refused = NULL;
    free(g->vtaps);
    g->vtaps = NULL;
    g->n_vtaps = 0;
}

static void
ft_group_free(struct ft_group *g)
{
    ft_group_clear_refusal(g);
    free(g);
}

/* Closes the connection of 'ft' and frees it.  Its flows stay in the
 * switch (the bridge is normally being removed too). */
void
flow_table_destroy(struct flow_table *ft)
{
    if (ft) {
        struct ft_group *g;

        rconn_destroy(ft->rconn);
        ft_bundles_clear(ft);
        ft_untrack(ft);
        HMAP_FOR_EACH_POP (g, node, &ft->groups) {
            ft_group_free(g);
        }
        hmap_destroy(&ft->groups);
        ft_flows_clear(&ft->desired);
        hmap_destroy(&ft->desired);
        ft_flows_clear(&ft->installed);
        hmap_destroy(&ft->installed);
        free(ft->bridge);
        free(ft);
    }
}

/* Returns the name of the bridge of 'ft'. */
const char *
flow_table_bridge(const struct flow_table *ft)
{
    return ft->bridge;
}

/* Forgets the desired flows of 'ft', before adding the new ones.  The
 * next sync compares every flow. */
void
flow_table_clear(struct flow_table *ft)
{
    struct ft_group *g;

    ft_need_full_sync(ft);
    HMAP_FOR_EACH (g, node, &ft->groups) {
        g->hash = 0;
        g->n_desired = 0;
        ovs_list_init(&g->flows);
    }
    ft_flows_clear(&ft->desired);
}

static void
format_actions(const struct ofpact *ofpacts, size_t len, struct ds *s)
{
    struct ofpact_format_params fp = { .s = s };

    ofpacts_format(ofpacts, len, &fp);
}

static struct ft_group *
ft_group_find(const struct flow_table *ft, uint32_t id)
{
    struct ft_group *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, hash_int(id, 0), &ft->groups) {
        if (g->id == id) {
            return g;
        }
    }
    return NULL;
}

static struct ft_group *
ft_group_get(struct flow_table *ft, uint32_t id)
{
    struct ft_group *g = ft_group_find(ft, id);

    if (!g) {
        g = xzalloc(sizeof *g);
        g->id = id;
        ovs_list_init(&g->flows);
        hmap_insert(&ft->groups, &g->node, hash_int(id, 0));
    }
    return g;
}

/* Returns what desired flow 'f' adds to the hash of its group. */
static uint32_t
ft_flow_group_hash(const struct ft_flow *f)
{
    return hash_bytes(f->ofpacts, f->ofpacts_len,
                      hash_uint64_basis(f->cookie, f->node.hash));
}

/* Adds a desired flow to 'ft' with the 'ofpacts_len' bytes of actions in
 * 'ofpacts'.  It belongs to the owner that its cookie names (the VTAP, or
 * 0 for the shared flows).  A flow with the same table, priority and match
 * as one already added is ignored. */
void
flow_table_add(struct flow_table *ft, uint8_t table_id, uint16_t priority,
               uint64_t cookie, const struct match *match,
               const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ft_flow *f = xzalloc(sizeof *f);
    f->table_id = table_id;
    f->priority = priority;
    f->cookie = cookie;
    ft_minimatch_init(&f->match, match);
    uint32_t hash = ft_hash(table_id, priority, &f->match);
    if (ft_find(&ft->desired, table_id, priority, &f->match, hash)) {
        minimatch_destroy(&f->match);
        free(f);
        return;
    }
    ft_flow_set_actions(f, ofpacts, ofpacts_len);
    hmap_insert(&ft->desired, &f->node, hash);
    ft->need_sync = true;
    if (!ft->full_sync) {
        ovs_list_push_back(&ft->added, &f->track_node);
        f->tracked = true;
    }

    struct ft_group *g = ft_group_get(ft, vtap_cookie_vtap(cookie));
    ovs_list_push_back(&g->flows, &f->group_node);
    g->hash += ft_flow_group_hash(f);
    g->n_desired++;
}

/* Removes desired flow 'f' of group 'g' from 'ft'. */
static void
ft_remove_desired(struct flow_table *ft, struct ft_group *g,
                  struct ft_flow *f)
{
    hmap_remove(&ft->desired, &f->node);
    ovs_list_remove(&f->group_node);
    g->hash -= ft_flow_group_hash(f);
    g->n_desired--;
    ft->need_sync = true;
    if (f->tracked) {
        ovs_list_remove(&f->track_node);
        f->tracked = false;
    }
    if (ft->full_sync) {
        ft_flow_free(f);
    } else {
        ovs_list_push_back(&ft->removed, &f->track_node);
    }
}

/* Removes from 'ft' every desired flow of owner 'id' (a VTAP id, or 0 for
 * the shared flows). */
void
flow_table_remove_owner(struct flow_table *ft, uint32_t id)
{
    struct ft_group *g = ft_group_find(ft, id);
    struct ft_flow *f;

    if (g) {
        LIST_FOR_EACH_SAFE (f, group_node, &g->flows) {
            ft_remove_desired(ft, g, f);
        }
    }
}

/* Removes from 'ft' the desired flow with 'table_id', 'priority' and
 * 'match', if there is one, whoever owns it. */
void
flow_table_remove(struct flow_table *ft, uint8_t table_id, uint16_t priority,
                  const struct match *match)
{
    struct minimatch mm;

    ft_minimatch_init(&mm, match);
    struct ft_flow *f = ft_find(&ft->desired, table_id, priority, &mm,
                                ft_hash(table_id, priority, &mm));
    if (f) {
        ft_remove_desired(ft, ft_group_find(ft, vtap_cookie_vtap(f->cookie)),
                          f);
    }
    minimatch_destroy(&mm);
}

/* Asks 'ft' to send a flow_mod soon even if no flow changed, so that
 * ovs-vswitchd revalidates its cached datapath flows (needed after Mirror
 * changes in OVS 3.1). */
void
flow_table_touch(struct flow_table *ft)
{
    ft->touch = true;
}

static enum ofputil_protocol
ft_protocol(const struct flow_table *ft)
{
    return ofputil_protocol_from_ofp_version(rconn_get_version(ft->rconn));
}

/* Sends a request for the statistics of every flow with ovs-vtapd's cookie
 * (or, if 'aggregate', for their sum), and records it as the one awaited. */
static void
send_own_flows_request(struct flow_table *ft, bool aggregate, bool is_dump)
{
    struct ofputil_flow_stats_request fsr = {
        .aggregate = aggregate,
        .cookie = htonll(VTAP_COOKIE_MAGIC << 48),
        .cookie_mask = htonll(VTAP_COOKIE_MASK),
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = OFPTT_ALL,
    };
    match_init_catchall(&fsr.match);

    struct ofpbuf *msg = ofputil_encode_flow_stats_request(&fsr,
                                                           ft_protocol(ft));
    ft->stats_xid = ((struct ofp_header *) msg->data)->xid;
    ft->stats_seq++;
    ft->stats_is_dump = is_dump;
    ft->stats_is_aggregate = aggregate;
    rconn_send(ft->rconn, msg, NULL);
}

static void
send_stats_request(struct flow_table *ft, bool is_dump)
{
    ft->stats_all = is_dump || ft->replaced;
    ft->replaced = false;
    ft->check_seqno++;
    ft->n_altered = 0;
    ft->sum_packets = ft->sum_bytes = 0;
    ft->sums_valid = false;
    send_own_flows_request(ft, false, is_dump);
}

/* Polls with the aggregate statistics only, at most this many in a row:
 * then all the flows are checked again even if nothing seems to have
 * changed (a flow changed from outside keeps the aggregate). */
#define FT_MAX_SKIPPED_POLLS 11

/* Returns true if the next poll of 'ft' must read every flow: nothing is
 * known of the aggregate yet, counters were reset, flows are being
 * repaired, or enough polls were skipped. */
static bool
ft_full_poll_due(const struct flow_table *ft)
{
    return (!ft->sums_valid || ft->replaced || ft->repairing
            || ft->n_skipped >= FT_MAX_SKIPPED_POLLS);
}

/* Asks for the aggregate statistics of ovs-vtapd's flows: if they are those
 * that the last reply of every flow added up to, with as many flows as are
 * installed, nothing counted and nothing is missing, and the flows need
 * not be read (process_aggregate_reply()). */
static void
send_aggregate_request(struct flow_table *ft)
{
    send_own_flows_request(ft, true, false);
}

static struct ft_flow *
ft_flow_clone(const struct ft_flow *f)
{
    struct ft_flow *c = xmemdup(f, sizeof *f);

    c->ofpacts = NULL;
    ft_flow_set_actions(c, f->ofpacts, f->ofpacts_len);
    minimatch_clone(&c->match, &f->match);
    c->packets = c->bytes = 0;
    c->tracked = false;
    return c;
}

/* Returns the bundle with 'key' among those being built in 'building',
 * created if new. */
static struct ft_bundle *
ft_bundle_get(struct flow_table *ft, struct hmap *building, int64_t key)
{
    uint32_t hash = hash_uint64(key);
    struct ft_bundle *b;

    HMAP_FOR_EACH_WITH_HASH (b, node, hash, building) {
        if (b->key == key) {
            return b;
        }
    }
    b = xzalloc(sizeof *b);
    b->key = key;
    b->id = ft->next_bundle_id++;
    if (key != FT_BUNDLE_MAIN) {
        const struct ft_group *g = ft_group_find(ft, key);
        b->hash = g ? g->hash : 0;
    }
    ovs_list_init(&b->msgs);
    ovs_list_init(&b->ops);
    hmap_insert(building, &b->node, hash);
    return b;
}

static void
ft_bundle_free(struct ft_bundle *b)
{
    struct ft_op *op;
    struct ofpbuf *msg;

    LIST_FOR_EACH_POP (op, list_node, &b->ops) {
        if (op->flow) {
            ft_flow_free(op->flow);
        }
        free(op);
    }
    LIST_FOR_EACH_POP (msg, list_node, &b->msgs) {
        ofpbuf_delete(msg);
    }
    free(b->error);
    free(b);
}

/* Forgets the bundles that wait for an answer (the connection is new). */
static void
ft_bundles_clear(struct flow_table *ft)
{
    struct ft_bundle *b;

    LIST_FOR_EACH_POP (b, list_node, &ft->bundles) {
        ft_bundle_free(b);
    }
}

/* Appends to bundle 'b' a flow_mod for 'f', to apply to 'installed' once
 * the bundle is committed. */
static void
add_flow_mod(struct flow_table *ft, const struct ft_flow *f, uint16_t command,
             struct ft_bundle *b)
{
    bool del = command == OFPFC_DELETE_STRICT;
    struct ofputil_flow_mod fm = {
        .priority = f->priority,
        .new_cookie = htonll(f->cookie),
        .table_id = f->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = del ? NULL : f->ofpacts,
        .ofpacts_len = del ? 0 : f->ofpacts_len,
        /* A VTAP's flow reports its final counts when deleted. */
        .flags = (vtap_cookie_kind(f->cookie) != VTAP_COOKIE_KIND_SHARED
                  ? OFPUTIL_FF_SEND_FLOW_REM : 0),
    };
    minimatch_clone(&fm.match, &f->match);

    enum ofp_version version = rconn_get_version(ft->rconn);
    struct ofpbuf *fm_msg = ofputil_encode_flow_mod(&fm, ft_protocol(ft));
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = b->id,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
        .msg = fm_msg->data,
    };
    struct ofpbuf *msg = ofputil_encode_bundle_add(version, &bam);
    ovs_list_push_back(&b->msgs, &msg->list_node);

    struct ft_op *op = xzalloc(sizeof *op);
    op->command = command;
    op->xid = ((struct ofp_header *) msg->data)->xid;
    op->flow = ft_flow_clone(f);
    ovs_list_push_back(&b->ops, &op->list_node);

    ofpbuf_delete(fm_msg);
    minimatch_destroy(&fm.match);
}

/* Returns the key of the bundle for the flows of group 'g' (id 'id'). */
static int64_t
ft_bundle_key(bool isolate, const struct ft_group *g, uint32_t id)
{
    return isolate || (g && g->refused) ? (int64_t) id : FT_BUNDLE_MAIN;
}

/* Orders bundles: the main one first, then by group, the shared flows
 * (group 0) last, once the VTAPs' rules that they lead to are in place. */
static int
compare_bundles(const void *a_, const void *b_)
{
    const struct ft_bundle *const *a = a_;
    const struct ft_bundle *const *b = b_;
    int64_t ka = (*a)->key ? (*a)->key : INT64_MAX;
    int64_t kb = (*b)->key ? (*b)->key : INT64_MAX;

    return ka < kb ? -1 : ka > kb;
}

/* Sends bundle 'b' and adds it to those that wait for an answer. */
static void
send_bundle(struct flow_table *ft, struct ft_bundle *b)
{
    enum ofp_version version = rconn_get_version(ft->rconn);
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = b->id,
        .type = OFPBCT_OPEN_REQUEST,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
    };
    struct ofpbuf *msg = ofputil_encode_bundle_ctrl_request(version, &bc);

    b->open_xid = ((struct ofp_header *) msg->data)->xid;
    rconn_send(ft->rconn, msg, NULL);
    LIST_FOR_EACH_POP (msg, list_node, &b->msgs) {
        rconn_send(ft->rconn, msg, NULL);
    }
    bc.type = OFPBCT_COMMIT_REQUEST;
    msg = ofputil_encode_bundle_ctrl_request(version, &bc);
    b->commit_xid = ((struct ofp_header *) msg->data)->xid;
    rconn_send(ft->rconn, msg, NULL);
    ovs_list_push_back(&ft->bundles, &b->list_node);
    if (b->key == FT_BUNDLE_MAIN) {
        VLOG_DBG("%s: bundle %"PRIu32": %"PRIuSIZE" flow_mods", ft->bridge,
                 b->id, ovs_list_size(&b->ops));
    } else {
        VLOG_DBG("%s: bundle %"PRIu32" of VTAP id %"PRId64" alone: %"PRIuSIZE
                 " flow_mods", ft->bridge, b->id, b->key,
                 ovs_list_size(&b->ops));
    }
}

/* Returns true if a bundle with 'key' waits for its commit reply. */
static bool
ft_bundle_is_pending(const struct flow_table *ft, int64_t key)
{
    const struct ft_bundle *b;

    LIST_FOR_EACH (b, list_node, &ft->bundles) {
        if (b->key == key) {
            return true;
        }
    }
    return false;
}

/* Returns true if group 'g' is refused and is to be tried again now: its
 * flows changed since, or its retry time came. */
static bool
ft_group_is_due(const struct ft_group *g, long long int now)
{
    return g->refused && (g->hash != g->refused_hash || now >= g->retry_at);
}

/* Forgets the groups that have no desired flows any more (a VTAP stopped
 * or deleted: a refusal of its flows no longer holds), and marks those
 * refused that are tried again in this sync. */
static void
ft_groups_prepare(struct flow_table *ft, long long int now)
{
    struct ft_group *g;

    ft->next_retry = 0;
    HMAP_FOR_EACH_SAFE (g, node, &ft->groups) {
        if (!g->n_desired) {
            if (g->refused) {
                ft->refusals_changed = true;
            }
            hmap_remove(&ft->groups, &g->node);
            ft_group_free(g);
            continue;
        }
        g->due = ft_group_is_due(g, now);
        if (g->refused && !g->due
            && (!ft->next_retry || g->retry_at < ft->next_retry)) {
            ft->next_retry = g->retry_at;
        }
    }
}

/* Sends the bundles that make the switch's flows equal to 'desired',
 * comparing every flow: one for all groups, or after a refused bundle
 * ('isolate') one per group.  The flows of a refused VTAP are deleted and,
 * when it is due, added back in a bundle of their own; a refused shared
 * group is left as it is until it is due. */
static void
sync_all_flows(struct flow_table *ft)
{
    struct hmap building = HMAP_INITIALIZER(&building);
    long long int now = time_msec();
    bool isolate = ft->isolate;
    struct ft_flow *d, *i;
    bool touched = false;

    ft_groups_prepare(ft, now);
    ft->isolate = false;

    /* Deletions go first in each ordered bundle, so that a flow that is
     * deleted and added back in one bundle ends up installed. */
    HMAP_FOR_EACH (i, node, &ft->installed) {
        uint32_t id = vtap_cookie_vtap(i->cookie);
        const struct ft_group *g = ft_group_find(ft, id);
        int64_t key = ft_bundle_key(isolate, g, id);

        if (g && g->refused && id) {
            /* A refused VTAP keeps no flows but those of a retry. */
            int64_t del_key = isolate ? (int64_t) id : FT_BUNDLE_MAIN;
            add_flow_mod(ft, i, OFPFC_DELETE_STRICT,
                         ft_bundle_get(ft, &building, del_key));
            flow_counters_retire(ft->counters, ft->bridge, ft->stats_seq,
                                 i->table_id, i->priority, i->node.hash);
            touched = true;
        } else if (g && g->refused && !g->due) {
            continue;
        } else if (!ft_find_flow(&ft->desired, i)) {
            add_flow_mod(ft, i, OFPFC_DELETE_STRICT,
                         ft_bundle_get(ft, &building, key));
            flow_counters_retire(ft->counters, ft->bridge, ft->stats_seq,
                                 i->table_id, i->priority, i->node.hash);
            touched = true;
        }
    }
    HMAP_FOR_EACH (d, node, &ft->desired) {
        uint32_t id = vtap_cookie_vtap(d->cookie);
        struct ft_group *g = ft_group_find(ft, id);
        int64_t key = ft_bundle_key(isolate, g, id);

        if (g && g->refused && !g->due) {
            continue;
        }
        struct ft_bundle *b = ft_bundle_get(ft, &building, key);
        i = ft_find_flow(&ft->installed, d);
        if (g && g->refused && id) {
            add_flow_mod(ft, d, OFPFC_ADD, b);
            flow_counters_forget(ft->counters, ft->bridge, d->cookie,
                                 d->table_id, d->priority, d->node.hash);
            touched = true;
        } else if (!i) {
            add_flow_mod(ft, d, OFPFC_ADD, b);
            flow_counters_forget(ft->counters, ft->bridge, d->cookie,
                                 d->table_id, d->priority, d->node.hash);
            touched = true;
        } else if (i->cookie != d->cookie) {
            add_flow_mod(ft, d, OFPFC_ADD, b);
            ft->replaced = true;
            touched = true;
        } else if (!ft_flow_actions_equal(i, d)
                   || (ft->touch && !touched && !d->table_id
                       && !d->priority)) {
            add_flow_mod(ft, d, OFPFC_MODIFY_STRICT, b);
            touched = true;
        }
    }
    ft->need_sync = false;
    ft->full_sync = false;
    if (touched) {
        ft->touch = false;
    }

    /* Send, in order.  A bundle that got no flow_mod is dropped. */
    struct ft_bundle **sorted = xmalloc((hmap_count(&building) + 1)
                                        * sizeof *sorted);
    size_t n = 0;
    struct ft_bundle *b;
    HMAP_FOR_EACH_POP (b, node, &building) {
        if (ovs_list_is_empty(&b->ops)) {
            ft_bundle_free(b);
        } else {
            sorted[n++] = b;
        }
    }
    hmap_destroy(&building);
    qsort(sorted, n, sizeof *sorted, compare_bundles);
    for (size_t k = 0; k < n; k++) {
        send_bundle(ft, sorted[k]);
    }
    free(sorted);

    /* Refused shared flows that were due and needed no flow_mod (a refused
     * VTAP always gets one) are in place now. */
    struct ft_group *g;
    HMAP_FOR_EACH (g, node, &ft->groups) {
        if (g->due && !g->id && !ft_bundle_is_pending(ft, 0)) {
            ft_group_clear_refusal(g);
            ft->refusals_changed = true;
        }
        g->due = false;
    }
}

/* Returns true if some group of 'ft' is refused. */
static bool
ft_has_refusals(const struct flow_table *ft)
{
    const struct ft_group *g;

    HMAP_FOR_EACH (g, node, &ft->groups) {
        if (g->refused) {
            return true;
        }
    }
    return false;
}

/* Returns the table-miss flow of table 0 in 'flows', or NULL. */
static struct ft_flow *
ft_table_miss(const struct hmap *flows)
{
    struct match catchall;
    struct minimatch mm;

    match_init_catchall(&catchall);
    ft_minimatch_init(&mm, &catchall);
    struct ft_flow *f = ft_find(flows, 0, 0, &mm, ft_hash(0, 0, &mm));
    minimatch_destroy(&mm);
    return f;
}

/* Sends the bundle that makes the switch's flows equal to 'desired' when
 * only the flows in 'added' and 'removed' changed since the last sync:
 * only those are compared. */
static void
sync_changed_flows(struct flow_table *ft)
{
    struct hmap building = HMAP_INITIALIZER(&building);
    struct ft_bundle *b = ft_bundle_get(ft, &building, FT_BUNDLE_MAIN);
    struct ft_flow *d, *i;

    /* Deletions first, as in sync_all_flows(). */
    LIST_FOR_EACH_POP (d, track_node, &ft->removed) {
        if (!ft_find_flow(&ft->desired, d)) {
            i = ft_find_flow(&ft->installed, d);
            if (i) {
                add_flow_mod(ft, i, OFPFC_DELETE_STRICT, b);
                flow_counters_retire(ft->counters, ft->bridge, ft->stats_seq,
                                     i->table_id, i->priority, i->node.hash);
            }
        }
        ft_flow_free(d);
    }
    LIST_FOR_EACH_POP (d, track_node, &ft->added) {
        d->tracked = false;
        i = ft_find_flow(&ft->installed, d);
        if (!i) {
            add_flow_mod(ft, d, OFPFC_ADD, b);
            flow_counters_forget(ft->counters, ft->bridge, d->cookie,
                                 d->table_id, d->priority, d->node.hash);
        } else if (i->cookie != d->cookie) {
            add_flow_mod(ft, d, OFPFC_ADD, b);
            ft->replaced = true;
        } else if (!ft_flow_actions_equal(i, d)) {
            add_flow_mod(ft, d, OFPFC_MODIFY_STRICT, b);
        }
    }
    if (ft->touch && ovs_list_is_empty(&b->ops)) {
        /* The table-miss flow of table 0, modified as it is. */
        d = ft_table_miss(&ft->desired);
        if (d) {
            add_flow_mod(ft, d, OFPFC_MODIFY_STRICT, b);
        }
    }
    if (!ovs_list_is_empty(&b->ops)) {
        ft->touch = false;
    }
    ft->need_sync = false;

    hmap_remove(&building, &b->node);
    hmap_destroy(&building);
    if (ovs_list_is_empty(&b->ops)) {
        ft_bundle_free(b);
    } else {
        send_bundle(ft, b);
    }
}

/* Makes the switch's flows equal to 'desired': by comparing only the flows
 * that changed, unless every flow must be compared (after a connection, a
 * repair, or while the switch refuses some). */
static void
sync_flows(struct flow_table *ft)
{
    if (ft->full_sync || ft->isolate || ft_has_refusals(ft)) {
        ft_untrack(ft);
        sync_all_flows(ft);
    } else {
        sync_changed_flows(ft);
    }
}

/* Applies committed 'op' to 'installed'. */
static void
ft_op_apply(struct flow_table *ft, struct ft_op *op)
{
    struct ft_flow *i = ft_find_flow(&ft->installed, op->flow);

    if (op->command == OFPFC_DELETE_STRICT) {
        if (i) {
            hmap_remove(&ft->installed, &i->node);
            ft_flow_free(i);
        }
    } else if (op->command == OFPFC_ADD && !i) {
        hmap_insert(&ft->installed, &op->flow->node, op->flow->node.hash);
        op->flow = NULL;
    } else if (i) {
        i->cookie = op->flow->cookie;
        ft_flow_set_actions(i, op->flow->ofpacts, op->flow->ofpacts_len);
    }
}

/* Adds to 'g' the VTAP ids that the actions of 'f' (a dispatch flow) set
 * in reg0. */
static void
ft_group_add_dispatched(struct ft_group *g, const struct ft_flow *f)
{
    const struct ofpact *a;

    OFPACT_FOR_EACH (a, f->ofpacts, f->ofpacts_len) {
        if (a->type != OFPACT_CLONE) {
            continue;
        }
        const struct ofpact_nest *clone = ofpact_get_CLONE(a);
        const struct ofpact *inner;
        OFPACT_FOR_EACH (inner, clone->actions,
                         ofpact_nest_get_action_len(clone)) {
            if (inner->type == OFPACT_SET_FIELD) {
                const struct ofpact_set_field *sf
                    = ofpact_get_SET_FIELD(inner);
                if (sf->field->id == MFF_REG0) {
                    g->vtaps = xrealloc(g->vtaps, (g->n_vtaps + 1)
                                        * sizeof *g->vtaps);
                    g->vtaps[g->n_vtaps++] = ntohl(sf->value->be32);
                }
            }
        }
    }
}

/* Returns the switch's error in 'oh' as text, for people. */
static char *
ft_error_text(const struct ofp_header *oh)
{
    enum ofperr error = ofperr_decode_msg(oh, NULL);

    return (error
            ? xasprintf("%s: %s", ofperr_to_string(error),
                        ofperr_get_description(error))
            : xstrdup("an OpenFlow error that does not decode"));
}

/* Ends bundle 'b', which the switch committed (except the flow_mods that it
 * refused when they were added) or, if '!committed', rolled back. */
static void
ft_bundle_done(struct flow_table *ft, struct ft_bundle *b, bool committed)
{
    bool failed = !committed;
    struct ft_op *op;

    LIST_FOR_EACH (op, list_node, &b->ops) {
        if (op->failed) {
            failed = true;
        } else if (committed) {
            ft_op_apply(ft, op);
        }
    }
    ovs_list_remove(&b->list_node);

    if (b->key == FT_BUNDLE_MAIN) {
        if (failed) {
            VLOG_WARN("%s: ovs-vswitchd refused a bundle (%s), applying "
                      "VTAP by VTAP", ft->bridge,
                      b->error ? b->error : "no reason");
            ft->isolate = true;
            ft_need_full_sync(ft);
        }
    } else {
        struct ft_group *g = ft_group_get(ft, b->key);

        if (failed) {
            const char *error = b->error ? b->error : "no reason given";
            if (!g->refused || strcmp(g->refused, error)) {
                if (b->key) {
                    VLOG_WARN("%s: ovs-vswitchd refused the flows of VTAP "
                              "id %"PRId64": %s", ft->bridge, b->key, error);
                } else {
                    VLOG_WARN("%s: ovs-vswitchd refused the shared flows: "
                              "%s", ft->bridge, error);
                }
                free(g->refused);
                g->refused = xstrdup(error);
                ft->refusals_changed = true;
            }
            if (!b->key) {
                /* The refused flow, if the switch said which, and the
                 * VTAPs that it dispatches to. */
                free(g->vtaps);
                g->vtaps = NULL;
                g->n_vtaps = 0;
                LIST_FOR_EACH (op, list_node, &b->ops) {
                    if (op->failed) {
                        ft_group_add_dispatched(g, op->flow);
                    }
                }
            }
            g->refused_hash = b->hash;
            g->retry_at = time_msec() + ft->stats_interval;
            if (!ft->next_retry || g->retry_at < ft->next_retry) {
                ft->next_retry = g->retry_at;
            }
            ft_need_full_sync(ft);
        } else if (g->refused) {
            if (b->key) {
                VLOG_INFO("%s: ovs-vswitchd took the flows of VTAP id %"
                          PRId64" now", ft->bridge, b->key);
            } else {
                VLOG_INFO("%s: ovs-vswitchd took the shared flows now",
                          ft->bridge);
            }
            ft_group_clear_refusal(g);
            ft->refusals_changed = true;
        }
    }
    ft_bundle_free(b);
}

/* Handles error 'oh' if it is about a pending bundle, returning true. */
static bool
ft_bundle_error(struct flow_table *ft, const struct ofp_header *oh)
{
    struct ft_bundle *b;

    LIST_FOR_EACH (b, list_node, &ft->bundles) {
        bool ours = oh->xid == b->open_xid || oh->xid == b->commit_xid;
        struct ft_op *op;

        LIST_FOR_EACH (op, list_node, &b->ops) {
            if (op->xid == oh->xid) {
                op->failed = true;
                ours = true;
            }
        }
        if (!ours) {
            continue;
        }
        if (!b->error) {
            b->error = ft_error_text(oh);
        }
        if (oh->xid == b->commit_xid) {
            ft_bundle_done(ft, b, false);
        }
        return true;
    }
    return false;
}

/* Returns true if installed flow 'i' has the cookie and the actions that
 * the switch reports in 'fs'.  The actions are compared as text once; the
 * hash of their binary form then stands for them while it stays. */
static bool
ft_flow_is_as_reported(struct ft_flow *i, const struct ofputil_flow_stats *fs)
{
    if (i->cookie != ntohll(fs->cookie)) {
        return false;
    }

    uint32_t hash = hash_bytes(fs->ofpacts, fs->ofpacts_len, 0);
    if (i->dump_hash_valid && i->dump_hash == hash) {
        return true;
    }

    bool equal = ofpacts_equal(i->ofpacts, i->ofpacts_len,
                               fs->ofpacts, fs->ofpacts_len);
    if (!equal) {
        struct ds a = DS_EMPTY_INITIALIZER;
        struct ds b = DS_EMPTY_INITIALIZER;
        format_actions(i->ofpacts, i->ofpacts_len, &a);
        format_actions(fs->ofpacts, fs->ofpacts_len, &b);
        equal = !strcmp(ds_cstr(&a), ds_cstr(&b));
        ds_destroy(&a);
        ds_destroy(&b);
    }
    if (equal) {
        i->dump_hash = hash;
        i->dump_hash_valid = true;
    }
    return equal;
}

/* Checks flow 'fs' of a statistics reply against 'installed'.  A flow that
 * someone else changed, or added with ovs-vtapd's cookie, is recorded as
 * the switch has it, so that the next sync puts the desired one back. */
static void
ft_check_flow(struct flow_table *ft, const struct ofputil_flow_stats *fs)
{
    struct minimatch mm;

    ft_minimatch_init(&mm, &fs->match);
    uint32_t hash = ft_hash(fs->table_id, fs->priority, &mm);
    struct ft_flow *i = ft_find(&ft->installed, fs->table_id, fs->priority,
                                &mm, hash);
    if (!i) {
        i = xzalloc(sizeof *i);
        i->table_id = fs->table_id;
        i->priority = fs->priority;
        minimatch_clone(&i->match, &mm);
        hmap_insert(&ft->installed, &i->node, hash);
        i->packets = fs->packet_count == UINT64_MAX ? 0 : fs->packet_count;
        i->bytes = fs->byte_count == UINT64_MAX ? 0 : fs->byte_count;
        i->cookie = ntohll(fs->cookie);
        ft_flow_set_actions(i, fs->ofpacts, fs->ofpacts_len);
        i->dumped_actions = true;
        ft->n_altered++;
    } else if (!ft_flow_is_as_reported(i, fs)) {
        i->cookie = ntohll(fs->cookie);
        ft_flow_set_actions(i, fs->ofpacts, fs->ofpacts_len);
        i->dumped_actions = true;
        ft->n_altered++;
    }
    i->check_seqno = ft->check_seqno;
    minimatch_destroy(&mm);
}

/* Ends the check of a statistics reply: the installed flows that it did not
 * report are gone. */
static void
ft_check_done(struct flow_table *ft)
{
    size_t n_missing = 0;
    struct ft_flow *i;

    HMAP_FOR_EACH_SAFE (i, node, &ft->installed) {
        if (i->check_seqno != ft->check_seqno) {
            hmap_remove(&ft->installed, &i->node);
            ft_flow_free(i);
            n_missing++;
        }
    }
    if (n_missing || ft->n_altered) {
        VLOG_WARN("%s: %"PRIuSIZE" flows missing and %"PRIuSIZE" changed "
                  "or added from outside, repairing", ft->bridge, n_missing,
                  ft->n_altered);
        ft->repairing = true;
        ft_need_full_sync(ft);
    } else if (ft->repairing) {
        VLOG_INFO("%s: flows repaired", ft->bridge);
        ft->repairing = false;
    }
}

/* Handles one flow stats reply part. */
static void
process_stats_reply(struct flow_table *ft, struct ofpbuf *msg)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct ofpbuf b = ofpbuf_const_initializer(msg->data, msg->size);

    for (;;) {
        struct ofputil_flow_stats fs;
        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (retval) {
            if (retval != EOF) {
                VLOG_WARN_RL(&rl, "%s: bad flow stats reply", ft->bridge);
            }
            break;
        }
        if (!ft->stats_is_dump) {
            ft_check_flow(ft, &fs);
        }

        uint64_t cookie = ntohll(fs.cookie);
        uint64_t packets = fs.packet_count == UINT64_MAX ? 0 : fs.packet_count;
        uint64_t bytes = fs.byte_count == UINT64_MAX ? 0 : fs.byte_count;
        ft->sum_packets += packets;
        ft->sum_bytes += bytes;
        if (!packets && !bytes && !ft->stats_all) {
            /* Most flows count nothing: skip the lookup.  A flow reports
             * zero after counting something only once its counters were
             * reset, by a replacement ('stats_all' then) or because it is a
             * new flow (whose last counts are zero too). */
            continue;
        }

        struct minimatch mm;
        ft_minimatch_init(&mm, &fs.match);
        uint32_t hash = ft_hash(fs.table_id, fs.priority, &mm);
        struct ft_flow *f = ft_find(&ft->installed, fs.table_id,
                                    fs.priority, &mm, hash);

        if (ft->stats_is_dump) {
            /* Adopted: what it counted before is in its baseline. */
            if (!f) {
                f = xzalloc(sizeof *f);
                f->table_id = fs.table_id;
                f->priority = fs.priority;
                minimatch_clone(&f->match, &mm);
                hmap_insert(&ft->installed, &f->node, hash);
            }
            f->cookie = cookie;
            ft_flow_set_actions(f, fs.ofpacts, fs.ofpacts_len);
            f->dumped_actions = true;
        }
        if (f) {
            f->packets = packets;
            f->bytes = bytes;
        }
        if (vtap_cookie_kind(cookie) != VTAP_COOKIE_KIND_SHARED) {
            /* Attributed by the cookie that the switch reports, which is
             * the owner's even if the flow changed since the request. */
            flow_counters_observe(ft->counters, ft->bridge, ft->stats_seq,
                                  cookie, fs.table_id, fs.priority, hash,
                                  packets, bytes);
        }
        minimatch_destroy(&mm);
    }
    ofpbuf_uninit(&ofpacts);

    if (!ofpmp_more(msg->data)) {
        ft->stats_xid = 0;
        ft->stats_done = ft->stats_seq;
        ft->sums_valid = true;
        ft->n_skipped = 0;
        flow_counters_sweep(ft->counters, ft->bridge, ft->stats_seq);
        if (ft->stats_is_dump) {
            VLOG_INFO("%s: found %"PRIuSIZE" installed flows", ft->bridge,
                      hmap_count(&ft->installed));
            ft->dumped = true;
            ft_need_full_sync(ft);
        } else {
            ft_check_done(ft);
        }
    }
}

/* Handles the aggregate statistics reply 'oh': if nothing changed since
 * the last reply of every flow, this poll is done; else every flow is read
 * now. */
static void
process_aggregate_reply(struct flow_table *ft, const struct ofp_header *oh)
{
    struct ofputil_aggregate_stats as;

    ft->stats_xid = 0;
    if (!ofputil_decode_aggregate_stats_reply(&as, oh)
        && ft->sums_valid && !ft->replaced
        && as.packet_count == ft->sum_packets
        && as.byte_count == ft->sum_bytes
        && as.flow_count == hmap_count(&ft->installed)) {
        ft->stats_done = ft->stats_seq;
        ft->n_skipped++;
        COVERAGE_INC(flow_table_poll_skipped);
    } else {
        send_stats_request(ft, false);
    }
}

/* Counts the final counters of a flow that the switch removed. */
static void
process_flow_removed(struct flow_table *ft, const struct ofp_header *oh)
{
    struct ofputil_flow_removed fr;

    if (ofputil_decode_flow_removed(&fr, oh)) {
        VLOG_WARN_RL(&rl, "%s: bad flow removed message", ft->bridge);
        return;
    }

    uint64_t cookie = ntohll(fr.cookie);
    if ((cookie & VTAP_COOKIE_MASK) != VTAP_COOKIE_MAGIC << 48
        || vtap_cookie_kind(cookie) == VTAP_COOKIE_KIND_SHARED) {
        return;
    }

    struct minimatch mm;
    ft_minimatch_init(&mm, &fr.match);
    flow_counters_removed(ft->counters, cookie, fr.table_id, fr.priority,
                          ft_hash(fr.table_id, fr.priority, &mm),
                          fr.packet_count == UINT64_MAX ? 0 : fr.packet_count,
                          fr.byte_count == UINT64_MAX ? 0 : fr.byte_count);
    minimatch_destroy(&mm);
}

/* Asks the switch to send, of all asynchronous messages, only those of
 * flows deleted by a flow_mod (which carry their final counters). */
static void
send_async_config(struct flow_table *ft)
{
    struct ofputil_async_cfg ac = OFPUTIL_ASYNC_CFG_INIT;

    ac.primary[OAM_FLOW_REMOVED] = 1u << OFPRR_DELETE;
    ac.secondary[OAM_FLOW_REMOVED] = 1u << OFPRR_DELETE;
    rconn_send(ft->rconn,
               ofputil_encode_set_async_config(&ac, UINT32_MAX,
                                               rconn_get_version(ft->rconn)),
               NULL);
}

static void
process_msg(struct flow_table *ft, struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    enum ofptype type;

    if (ofptype_decode(&type, oh)) {
        return;
    }
    switch ((int) type) {
    case OFPTYPE_ECHO_REQUEST:
        rconn_send(ft->rconn, ofputil_encode_echo_reply(oh), NULL);
        break;

    case OFPTYPE_FLOW_STATS_REPLY:
        if (oh->xid == ft->stats_xid && !ft->stats_is_aggregate) {
            process_stats_reply(ft, msg);
        }
        break;

    case OFPTYPE_AGGREGATE_STATS_REPLY:
        if (oh->xid == ft->stats_xid && ft->stats_is_aggregate) {
            process_aggregate_reply(ft, oh);
        }
        break;

    case OFPTYPE_FLOW_REMOVED:
        process_flow_removed(ft, oh);
        break;

    case OFPTYPE_BUNDLE_CONTROL: {
        struct ofputil_bundle_ctrl_msg bc;
        struct ft_bundle *b;
        if (!ofputil_decode_bundle_ctrl(oh, &bc)
            && bc.type == OFPBCT_COMMIT_REPLY) {
            LIST_FOR_EACH (b, list_node, &ft->bundles) {
                if (oh->xid == b->commit_xid) {
                    ft_bundle_done(ft, b, true);
                    break;
                }
            }
        }
        break;
    }

    case OFPTYPE_ERROR: {
        if (ft_bundle_error(ft, oh)) {
            break;
        }
        char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 2);
        VLOG_WARN_RL(&rl, "%s: OpenFlow error: %s", ft->bridge, s);
        free(s);
        /* Start over from what the switch really has, after a pause so
         * that a flow that the switch refuses does not make a busy loop. */
        ft->retry_at = time_msec() + 2000;
        ft_bundles_clear(ft);
        ft->dumped = false;
        ft->stats_xid = 0;
        ft_flows_clear(&ft->installed);
        break;
    }

    default:
        break;
    }
}

/* Returns true if a sync may change the flows now: what the switch's
 * datapath flows matched until now is credited to the flows installed
 * (see revalidation.h).  Until then, touches the table once, which starts
 * a round of the revalidators at once, and once the switch took the touch,
 * asks for a round that starts after it.  While the switch refuses flows,
 * a sync retries them (once per statistics interval) without waiting:
 * the refused flows count nothing. */
static bool
ft_counts_settled(struct flow_table *ft)
{
    if (!ft->reval || hmap_is_empty(&ft->installed) || ft->isolate
        || ft_has_refusals(ft)) {
        return true;
    }
    if (!ft->settle_touched) {
        struct ft_flow *miss = ft_table_miss(&ft->installed);

        ft->settle_touched = true;
        if (miss) {
            struct hmap building = HMAP_INITIALIZER(&building);
            struct ft_bundle *b = ft_bundle_get(ft, &building,
                                                FT_BUNDLE_MAIN);

            add_flow_mod(ft, miss, OFPFC_MODIFY_STRICT, b);
            hmap_remove(&building, &b->node);
            hmap_destroy(&building);
            send_bundle(ft, b);
            return false;
        }
    }
    if (!ft->settle_ticket) {
        ft->settle_ticket = revalidation_request(ft->reval);
    }
    return revalidation_done(ft->reval, ft->settle_ticket);
}

/* Makes the next sync wait for the counts to settle again. */
static void
ft_settle_reset(struct flow_table *ft)
{
    ft->settle_touched = false;
    ft->settle_ticket = 0;
}

/* Talks to the switch: (re)connects, dumps, syncs, polls statistics. */
void
flow_table_run(struct flow_table *ft, long long int stats_interval)
{
    rconn_run(ft->rconn);
    ft->stats_interval = stats_interval;
    if (!rconn_is_connected(ft->rconn)) {
        return;
    }

    unsigned int seqno = rconn_get_connection_seqno(ft->rconn);
    if (seqno != ft->conn_seqno) {
        VLOG_INFO("%s: connected, reading its flows", ft->bridge);
        ft->conn_seqno = seqno;
        send_async_config(ft);
        ft->dumped = false;
        ft->stats_xid = 0;
        ft_bundles_clear(ft);
        ft_flows_clear(&ft->installed);
        ft_settle_reset(ft);
        ft->repairing = false;

        /* A new switch may take what the old one refused. */
        struct ft_group *g;
        HMAP_FOR_EACH (g, node, &ft->groups) {
            g->retry_at = 0;
        }
    }

    for (int i = 0; i < 50; i++) {
        struct ofpbuf *msg = rconn_recv(ft->rconn);
        if (!msg) {
            break;
        }
        process_msg(ft, msg);
        ofpbuf_delete(msg);
    }

    if (time_msec() < ft->retry_at) {
        return;
    }
    if (!ft->dumped) {
        if (!ft->stats_xid) {
            send_stats_request(ft, true);
            ft->next_stats = time_msec() + stats_interval;
        }
        return;
    }
    if (ft->next_retry && time_msec() >= ft->next_retry) {
        ft_need_full_sync(ft);
    }
    if ((ft->need_sync || ft->touch) && ovs_list_is_empty(&ft->bundles)
        && (!ft->need_sync || ft_counts_settled(ft))) {
        sync_flows(ft);
        ft_settle_reset(ft);
    }
    if (!ft->stats_xid && time_msec() >= ft->next_stats) {
        if (ft_full_poll_due(ft)) {
            send_stats_request(ft, false);
        } else {
            send_aggregate_request(ft);
        }
        ft->next_stats = time_msec() + stats_interval;
    }
}

/* Arranges for poll_block() to wake up when 'ft' has work. */
void
flow_table_wait(struct flow_table *ft)
{
    rconn_run_wait(ft->rconn);
    rconn_recv_wait(ft->rconn);
    if (time_msec() < ft->retry_at) {
        poll_timer_wait_until(ft->retry_at);
    } else if (rconn_is_connected(ft->rconn) && ft->dumped) {
        if ((ft->need_sync || ft->touch) && ovs_list_is_empty(&ft->bundles)
            && !(ft->need_sync && ft->settle_ticket
                 && !revalidation_done(ft->reval, ft->settle_ticket))) {
            /* (Waiting for a round: revalidation_wait() wakes us.) */
            poll_immediate_wake();
        }
        if (ft->next_retry) {
            poll_timer_wait_until(ft->next_retry);
        }
        poll_timer_wait_until(ft->next_stats);
    }
}

/* Asks 'ft' to poll the flow statistics now (after the outstanding
 * request, if any); flow_table_poll_done() says when it is counted. */
void
flow_table_poll_stats(struct flow_table *ft)
{
    ft->poll_target = ft->stats_seq + 1;
    ft->next_stats = 0;
}

/* Returns true if the poll asked for by flow_table_poll_stats() is
 * counted, or cannot be (the switch is not connected). */
bool
flow_table_poll_done(const struct flow_table *ft)
{
    return (!rconn_is_connected(ft->rconn)
            || ft->stats_done >= ft->poll_target);
}

/* Returns true if the switch is known to hold exactly the desired flows. */
bool
flow_table_is_synced(const struct flow_table *ft)
{
    return (rconn_is_connected(ft->rconn) && ft->dumped && !ft->need_sync
            && !ft->touch && ovs_list_is_empty(&ft->bundles)
            && !ft->isolate);
}

/* Returns the switch's reason for refusing the flows of VTAP 'vtap_id' (0:
 * the shared flows of the mirror bridge), or NULL if it took them. */
const char *
flow_table_refused(const struct flow_table *ft, uint32_t vtap_id)
{
    const struct ft_group *g = ft_group_find(ft, vtap_id);

    return g ? g->refused : NULL;
}

/* Returns the switch's reason for refusing shared flows of the mirror
 * bridge that concern VTAP 'vtap_id' (a dispatch flow to it, or a flow of
 * the bridge's own), or NULL. */
const char *
flow_table_refused_shared(const struct flow_table *ft, uint32_t vtap_id)
{
    const struct ft_group *g = ft_group_find(ft, 0);

    if (!g || !g->refused || !g->n_vtaps) {
        return g ? g->refused : NULL;
    }
    for (size_t i = 0; i < g->n_vtaps; i++) {
        if (g->vtaps[i] == vtap_id) {
            return g->refused;
        }
    }
    return NULL;
}

/* Returns true once if a refusal began or ended since the last call. */
bool
flow_table_refusals_changed(struct flow_table *ft)
{
    bool changed = ft->refusals_changed;

    ft->refusals_changed = false;
    return changed;
}

/* Returns true if the last check found flows that someone else deleted,
 * changed or added, and no check since found them all back. */
bool
flow_table_is_repairing(const struct flow_table *ft)
{
    return ft->repairing;
}

/* Returns true if 'ft' is connected to its switch. */
bool
flow_table_is_connected(const struct flow_table *ft)
{
    return rconn_is_connected(ft->rconn);
}

/* Returns the number of desired flows in 'ft'. */
size_t
flow_table_count(const struct flow_table *ft)
{
    return hmap_count(&ft->desired);
}

/* Appends to 's' one line for desired flow 'f', prefixed by 'what'. */
static void
ft_format_desired(const struct ft_flow *f, const char *what, struct ds *s)
{
    struct match match;

    minimatch_expand(&f->match, &match);
    ds_put_format(s, "%s: cookie=%#"PRIx64", table=%"PRIu8",", what,
                  f->cookie, f->table_id);
    match_format(&match, NULL, s, f->priority);
    ds_put_cstr(s, " actions=");
    format_actions(f->ofpacts, f->ofpacts_len, s);
    ds_put_char(s, '\n');
}

/* Returns true if 'a' and 'b' have the same desired flows (by table,
 * priority, match, cookie and the bytes of their actions).  Otherwise,
 * appends to 'diff' the first flows that differ. */
bool
flow_table_desired_equal(const struct flow_table *a,
                         const struct flow_table *b, struct ds *diff)
{
    const struct ft_flow *fa, *fb;
    size_t n_diff = 0;

    HMAP_FOR_EACH (fa, node, &a->desired) {
        fb = ft_find_flow(&b->desired, fa);
        if (!fb || fb->cookie != fa->cookie
            || !ofpacts_equal(fa->ofpacts, fa->ofpacts_len,
                              fb->ofpacts, fb->ofpacts_len)) {
            if (n_diff++ < 10) {
                ft_format_desired(fa, "only in the first", diff);
                if (fb) {
                    ft_format_desired(fb, "the second has", diff);
                }
            }
        }
    }
    HMAP_FOR_EACH (fb, node, &b->desired) {
        if (!ft_find_flow(&a->desired, fb) && n_diff++ < 10) {
            ft_format_desired(fb, "only in the second", diff);
        }
    }
    return !n_diff;
}

/* Returns true if the switch refuses some flows of 'ft'. */
bool
flow_table_has_refusals(const struct flow_table *ft)
{
    return ft_has_refusals(ft);
}

/* Appends to 's' the installed flows of VTAP 'vtap_id' (0: the shared
 * ones) with their counters, sorted. */
void
flow_table_format(const struct flow_table *ft, uint32_t vtap_id,
                  struct ds *s)
{
    const struct ft_flow *f;
    struct svec lines;

    svec_init(&lines);
    HMAP_FOR_EACH (f, node, &ft->installed) {
        if (vtap_cookie_vtap(f->cookie) == vtap_id) {
            struct ds line = DS_EMPTY_INITIALIZER;
            struct match match;

            minimatch_expand(&f->match, &match);
            ds_put_format(&line, "      table=%"PRIu8",", f->table_id);
            match_format(&match, NULL, &line, f->priority);
            ds_put_cstr(&line, " actions=");
            format_actions(f->ofpacts, f->ofpacts_len, &line);
            ds_put_format(&line, " (n_packets=%"PRIu64", n_bytes=%"PRIu64
                          ")\n", f->packets, f->bytes);
            svec_add_nocopy(&lines, ds_steal_cstr(&line));
        }
    }
    svec_sort(&lines);
    for (size_t i = 0; i < lines.n; i++) {
        ds_put_cstr(s, lines.names[i]);
    }
    svec_destroy(&lines);
}

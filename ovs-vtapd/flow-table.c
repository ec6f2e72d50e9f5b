/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* flow-table.c: keeps the OpenFlow table of one mirror bridge equal to the
 * desired flows (see flow-table.h). */

#include <config.h>
#include "flow-table.h"

#include <errno.h>
#include <string.h>
#include "byte-order.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
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
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "svec.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(flow_table);

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
};

struct flow_table {
    char *bridge;
    struct rconn *rconn;
    unsigned int conn_seqno;    /* rconn's when last dumped. */
    struct hmap desired;        /* "struct ft_flow"s wanted. */
    struct hmap installed;      /* "struct ft_flow"s in the switch. */
    struct shash parsed;        /* Actions text -> "struct ft_actions". */
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
    long long int next_stats;   /* When to poll statistics next. */

    uint32_t next_bundle_id;
    ovs_be32 commit_xid;        /* Outstanding bundle commit, or 0. */
    bool need_sync;             /* 'desired' may differ from 'installed'. */
    long long int retry_at;     /* After an error, not before this time. */
    bool touch;                 /* Send a flow_mod even if nothing differs. */
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

/* Actions parsed from one text.  Parsing the same text twice may give
 * bytes that differ in padding, so each text is parsed once and kept while
 * flows use it: then equal actions always compare equal as binary. */
struct ft_actions {
    struct ofpbuf ofpacts;
    bool used;                  /* By a flow added since the last clear. */
};

/* Frees the parsed actions that no flow added since the previous call
 * used ('all': every one), and marks the others unused. */
static void
ft_parsed_sweep(struct flow_table *ft, bool all)
{
    struct shash_node *node;

    SHASH_FOR_EACH_SAFE (node, &ft->parsed) {
        struct ft_actions *a = node->data;
        if (all || !a->used) {
            ofpbuf_uninit(&a->ofpacts);
            free(a);
            shash_delete(&ft->parsed, node);
        } else {
            a->used = false;
        }
    }
}

/* Creates the flow table of 'bridge', connecting to its management socket
 * in 'rundir'.  Statistics accumulate into 'counters'. */
struct flow_table *
flow_table_create(const char *bridge, const char *rundir,
                  struct flow_counters *counters)
{
    struct flow_table *ft = xzalloc(sizeof *ft);
    uint32_t versions = ((1u << OFP13_VERSION) | (1u << OFP14_VERSION)
                         | (1u << OFP15_VERSION));

    ft->bridge = xstrdup(bridge);
    ft->rconn = rconn_create(0, 8, 0, versions);
    char *target = xasprintf("unix:%s/%s.mgmt", rundir, bridge);
    rconn_connect(ft->rconn, target, bridge);
    free(target);
    hmap_init(&ft->desired);
    hmap_init(&ft->installed);
    shash_init(&ft->parsed);
    ft->counters = counters;
    ft->next_bundle_id = 1;
    return ft;
}

/* Closes the connection of 'ft' and frees it.  Its flows stay in the
 * switch (the bridge is normally being removed too). */
void
flow_table_destroy(struct flow_table *ft)
{
    if (ft) {
        rconn_destroy(ft->rconn);
        ft_flows_clear(&ft->desired);
        hmap_destroy(&ft->desired);
        ft_flows_clear(&ft->installed);
        hmap_destroy(&ft->installed);
        ft_parsed_sweep(ft, true);
        shash_destroy(&ft->parsed);
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

/* Forgets the desired flows of 'ft', before adding the new ones. */
void
flow_table_clear(struct flow_table *ft)
{
    ft_flows_clear(&ft->desired);
    ft_parsed_sweep(ft, false);
    ft->need_sync = true;
}

/* Parses 'actions' into 'ofpacts'.  Returns an error message or NULL. */
static char *
parse_actions(const char *actions, struct ofpbuf *ofpacts)
{
    enum ofputil_protocol usable;
    struct ofpact_parse_params pp = {
        .ofpacts = ofpacts,
        .usable_protocols = &usable,
    };

    return ofpacts_parse_actions(actions, &pp);
}

static void
format_actions(const struct ofpact *ofpacts, size_t len, struct ds *s)
{
    struct ofpact_format_params fp = { .s = s };

    ofpacts_format(ofpacts, len, &fp);
}

/* Adds a desired flow to 'ft'.  Returns an error message if 'actions' does
 * not parse (a bug), else NULL.  A flow with the same table, priority and
 * match as one already added is ignored. */
char *
flow_table_add(struct flow_table *ft, uint8_t table_id, uint16_t priority,
               uint64_t cookie, const struct match *match,
               const char *actions)
{
    /* The flows of a VTAP share their actions: parse each text once. */
    struct ft_actions *a = shash_find_data(&ft->parsed, actions);
    if (!a) {
        a = xzalloc(sizeof *a);
        ofpbuf_init(&a->ofpacts, 64);
        char *error = parse_actions(actions, &a->ofpacts);
        if (error) {
            ofpbuf_uninit(&a->ofpacts);
            free(a);
            return error;
        }
        shash_add(&ft->parsed, actions, a);
    }
    a->used = true;
    const struct ofpbuf *ofpacts = &a->ofpacts;

    struct ft_flow *f = xzalloc(sizeof *f);
    f->table_id = table_id;
    f->priority = priority;
    f->cookie = cookie;
    ft_minimatch_init(&f->match, match);
    uint32_t hash = ft_hash(table_id, priority, &f->match);
    if (ft_find(&ft->desired, table_id, priority, &f->match, hash)) {
        minimatch_destroy(&f->match);
        free(f);
        return NULL;
    }
    ft_flow_set_actions(f, ofpacts->data, ofpacts->size);
    hmap_insert(&ft->desired, &f->node, hash);
    ft->need_sync = true;
    return NULL;
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

static void
send_stats_request(struct flow_table *ft, bool is_dump)
{
    struct ofputil_flow_stats_request fsr = {
        .aggregate = false,
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
    ft->stats_all = is_dump || ft->replaced;
    ft->replaced = false;
    rconn_send(ft->rconn, msg, NULL);
}

/* Appends to 'msgs' a bundled flow_mod for 'f'. */
static void
add_flow_mod(struct flow_table *ft, const struct ft_flow *f, uint16_t command,
             uint32_t bundle_id, struct ovs_list *msgs)
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
        .bundle_id = bundle_id,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
        .msg = fm_msg->data,
    };
    struct ofpbuf *msg = ofputil_encode_bundle_add(version, &bam);
    ovs_list_push_back(msgs, &msg->list_node);

    ofpbuf_delete(fm_msg);
    minimatch_destroy(&fm.match);
}

static struct ft_flow *
ft_flow_clone(const struct ft_flow *f)
{
    struct ft_flow *c = xmemdup(f, sizeof *f);

    c->ofpacts = NULL;
    ft_flow_set_actions(c, f->ofpacts, f->ofpacts_len);
    minimatch_clone(&c->match, &f->match);
    c->packets = c->bytes = 0;
    return c;
}

/* Sends one bundle that makes the switch's flows equal to 'desired'. */
static void
sync_flows(struct flow_table *ft)
{
    uint32_t bundle_id = ft->next_bundle_id++;
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    struct ft_flow *d, *i;
    bool touched = false;
    size_t n_add = 0, n_mod = 0, n_del = 0;

    /* Deletions go first in the ordered bundle, so that a flow that is
     * deleted and added back in one bundle ends up installed. */
    HMAP_FOR_EACH_SAFE (i, node, &ft->installed) {
        if (!ft_find_flow(&ft->desired, i)) {
            add_flow_mod(ft, i, OFPFC_DELETE_STRICT, bundle_id, &msgs);
            flow_counters_retire(ft->counters, ft->bridge, ft->stats_seq,
                                 i->table_id, i->priority, i->node.hash);
            hmap_remove(&ft->installed, &i->node);
            ft_flow_free(i);
            n_del++;
            touched = true;
        }
    }
    HMAP_FOR_EACH (d, node, &ft->desired) {
        i = ft_find_flow(&ft->installed, d);
        if (!i) {
            add_flow_mod(ft, d, OFPFC_ADD, bundle_id, &msgs);
            i = ft_flow_clone(d);
            hmap_insert(&ft->installed, &i->node, i->node.hash);
            flow_counters_forget(ft->counters, ft->bridge, d->cookie,
                                 d->table_id, d->priority, d->node.hash);
            n_add++;
            touched = true;
        } else if (i->cookie != d->cookie) {
            add_flow_mod(ft, d, OFPFC_ADD, bundle_id, &msgs);
            i->cookie = d->cookie;
            ft_flow_set_actions(i, d->ofpacts, d->ofpacts_len);
            ft->replaced = true;
            n_mod++;
            touched = true;
        } else if (!ft_flow_actions_equal(i, d)
                   || (ft->touch && !touched && !d->table_id
                       && !d->priority)) {
            add_flow_mod(ft, d, OFPFC_MODIFY_STRICT, bundle_id, &msgs);
            ft_flow_set_actions(i, d->ofpacts, d->ofpacts_len);
            n_mod++;
            touched = true;
        }
    }
    ft->need_sync = false;
    if (touched) {
        ft->touch = false;
    }
    if (ovs_list_is_empty(&msgs)) {
        return;
    }

    enum ofp_version version = rconn_get_version(ft->rconn);
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = bundle_id,
        .type = OFPBCT_OPEN_REQUEST,
        .flags = OFPBF_ATOMIC | OFPBF_ORDERED,
    };
    rconn_send(ft->rconn, ofputil_encode_bundle_ctrl_request(version, &bc),
               NULL);
    struct ofpbuf *msg;
    LIST_FOR_EACH_POP (msg, list_node, &msgs) {
        rconn_send(ft->rconn, msg, NULL);
    }
    bc.type = OFPBCT_COMMIT_REQUEST;
    msg = ofputil_encode_bundle_ctrl_request(version, &bc);
    ft->commit_xid = ((struct ofp_header *) msg->data)->xid;
    rconn_send(ft->rconn, msg, NULL);
    VLOG_DBG("%s: bundle %"PRIu32": %"PRIuSIZE" added, %"PRIuSIZE
             " modified, %"PRIuSIZE" deleted", ft->bridge, bundle_id,
             n_add, n_mod, n_del);
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

        uint64_t cookie = ntohll(fs.cookie);
        uint64_t packets = fs.packet_count == UINT64_MAX ? 0 : fs.packet_count;
        uint64_t bytes = fs.byte_count == UINT64_MAX ? 0 : fs.byte_count;
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
        flow_counters_sweep(ft->counters, ft->bridge, ft->stats_seq);
        if (ft->stats_is_dump) {
            VLOG_INFO("%s: found %"PRIuSIZE" installed flows", ft->bridge,
                      hmap_count(&ft->installed));
            ft->dumped = true;
            ft->need_sync = true;
        }
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
        if (oh->xid == ft->stats_xid) {
            process_stats_reply(ft, msg);
        }
        break;

    case OFPTYPE_FLOW_REMOVED:
        process_flow_removed(ft, oh);
        break;

    case OFPTYPE_BUNDLE_CONTROL: {
        struct ofputil_bundle_ctrl_msg bc;
        if (!ofputil_decode_bundle_ctrl(oh, &bc)
            && bc.type == OFPBCT_COMMIT_REPLY && oh->xid == ft->commit_xid) {
            ft->commit_xid = 0;
        }
        break;
    }

    case OFPTYPE_ERROR: {
        char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 2);
        VLOG_WARN_RL(&rl, "%s: OpenFlow error: %s", ft->bridge, s);
        free(s);
        /* Start over from what the switch really has, after a pause so
         * that a flow that the switch refuses does not make a busy loop. */
        ft->retry_at = time_msec() + 2000;
        ft->commit_xid = 0;
        ft->dumped = false;
        ft->stats_xid = 0;
        ft_flows_clear(&ft->installed);
        break;
    }

    default:
        break;
    }
}

/* Talks to the switch: (re)connects, dumps, syncs, polls statistics. */
void
flow_table_run(struct flow_table *ft, long long int stats_interval)
{
    rconn_run(ft->rconn);
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
        ft->commit_xid = 0;
        ft_flows_clear(&ft->installed);
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
    if ((ft->need_sync || ft->touch) && !ft->commit_xid) {
        sync_flows(ft);
    }
    if (!ft->stats_xid && time_msec() >= ft->next_stats) {
        send_stats_request(ft, false);
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
        if ((ft->need_sync || ft->touch) && !ft->commit_xid) {
            poll_immediate_wake();
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
            && !ft->touch && !ft->commit_xid);
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

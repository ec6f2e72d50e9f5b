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
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vlog.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(flow_table);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Returns the cookie of a flow of 'kind' for rule 'rule_idx' of VTAP 'id'. */
uint64_t
vtap_cookie(unsigned int kind, unsigned int rule_idx, uint32_t id)
{
    return ((VTAP_COOKIE_MAGIC << 48) | ((uint64_t) (kind & 0x3) << 46)
            | ((uint64_t) (rule_idx & 0x3fff) << 32) | id);
}

/* Returns the kind (VTAP_COOKIE_KIND_*) of a flow with 'cookie'. */
unsigned int
vtap_cookie_kind(uint64_t cookie)
{
    return (cookie >> 46) & 0x3;
}

/* Returns the rule index of a flow with 'cookie'. */
unsigned int
vtap_cookie_rule(uint64_t cookie)
{
    return (cookie >> 32) & 0x3fff;
}

/* Returns the VTAP id of a flow with 'cookie'. */
uint32_t
vtap_cookie_vtap(uint64_t cookie)
{
    return cookie & 0xffffffff;
}

/* Returns the counter for 'cookie' in 'counters', or NULL. */
const struct flow_counter *
flow_counters_find(const struct hmap *counters, uint64_t cookie)
{
    const struct flow_counter *c;

    HMAP_FOR_EACH_WITH_HASH (c, node, hash_uint64(cookie), counters) {
        if (c->cookie == cookie) {
            return c;
        }
    }
    return NULL;
}

static void
flow_counters_add(struct hmap *counters, uint64_t cookie,
                  uint64_t packets, uint64_t bytes)
{
    struct flow_counter *c = CONST_CAST(struct flow_counter *,
                                        flow_counters_find(counters, cookie));
    if (!c) {
        c = xzalloc(sizeof *c);
        c->cookie = cookie;
        hmap_insert(counters, &c->node, hash_uint64(cookie));
    }
    c->packets += packets;
    c->bytes += bytes;
}

/* Frees every counter in 'counters'. */
void
flow_counters_destroy(struct hmap *counters)
{
    struct flow_counter *c;

    HMAP_FOR_EACH_POP (c, node, counters) {
        free(c);
    }
    hmap_destroy(counters);
}

/* One flow, desired or installed. */
struct ft_flow {
    struct hmap_node node;      /* By hash of 'key'. */
    char *key;                  /* Table, priority and match, as text. */
    uint8_t table_id;
    uint16_t priority;
    uint64_t cookie;
    struct minimatch match;     /* Compressed: a "struct match" is
                                 * over 3 kB, a flow table 100,000s. */
    char *actions;              /* Normalized text of the actions. */
    uint64_t packets, bytes;    /* Installed: counts last seen. */
};

struct flow_table {
    char *bridge;
    struct rconn *rconn;
    unsigned int conn_seqno;    /* rconn's when last dumped. */
    struct hmap desired;        /* "struct ft_flow"s wanted. */
    struct hmap installed;      /* "struct ft_flow"s in the switch. */
    struct hmap *counters;      /* Per-cookie totals, shared. */

    bool dumped;                /* Installed flows known since connect. */
    ovs_be32 stats_xid;         /* Outstanding flow stats request. */
    bool stats_is_dump;         /* It is the dump after connecting. */
    long long int next_stats;   /* When to poll statistics next. */

    uint32_t next_bundle_id;
    ovs_be32 commit_xid;        /* Outstanding bundle commit, or 0. */
    bool need_sync;             /* 'desired' may differ from 'installed'. */
    long long int retry_at;     /* After an error, not before this time. */
    bool touch;                 /* Send a flow_mod even if nothing differs. */
};

static char *
flow_key(uint8_t table_id, const struct match *match, uint16_t priority)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "table=%"PRIu8",", table_id);
    match_format(match, NULL, &s, priority);
    return ds_steal_cstr(&s);
}

static struct ft_flow *
ft_find(const struct hmap *flows, const char *key)
{
    struct ft_flow *f;

    HMAP_FOR_EACH_WITH_HASH (f, node, hash_string(key, 0), flows) {
        if (!strcmp(f->key, key)) {
            return f;
        }
    }
    return NULL;
}

static void
ft_flow_free(struct ft_flow *f)
{
    free(f->key);
    free(f->actions);
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

/* Creates the flow table of 'bridge', connecting to its management socket
 * in 'rundir'.  Statistics accumulate into 'counters'. */
struct flow_table *
flow_table_create(const char *bridge, const char *rundir,
                  struct hmap *counters)
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

static char *
format_actions(const struct ofpact *ofpacts, size_t len)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };

    if (len) {
        ofpacts_format(ofpacts, len, &fp);
    } else {
        ds_put_cstr(&s, "drop");
    }
    return ds_steal_cstr(&s);
}

/* Adds a desired flow to 'ft'.  Returns an error message if 'actions' does
 * not parse (a bug), else NULL.  A flow with the same table, priority and
 * match as one already added is ignored. */
char *
flow_table_add(struct flow_table *ft, uint8_t table_id, uint16_t priority,
               uint64_t cookie, const struct match *match,
               const char *actions)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    char *error = parse_actions(actions, &ofpacts);

    if (error) {
        ofpbuf_uninit(&ofpacts);
        return error;
    }

    char *key = flow_key(table_id, match, priority);
    if (ft_find(&ft->desired, key)) {
        free(key);
        ofpbuf_uninit(&ofpacts);
        return NULL;
    }
    struct ft_flow *f = xzalloc(sizeof *f);
    f->key = key;
    f->table_id = table_id;
    f->priority = priority;
    f->cookie = cookie;
    minimatch_init(&f->match, match);
    f->actions = format_actions(ofpacts.data, ofpacts.size);
    hmap_insert(&ft->desired, &f->node, hash_string(key, 0));
    ofpbuf_uninit(&ofpacts);
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
    ft->stats_is_dump = is_dump;
    rconn_send(ft->rconn, msg, NULL);
}

/* Appends to 'msgs' a bundled flow_mod for 'f'. */
static void
add_flow_mod(struct flow_table *ft, const struct ft_flow *f, uint16_t command,
             uint32_t bundle_id, struct ovs_list *msgs)
{
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    char *error = (command == OFPFC_DELETE_STRICT ? NULL
                   : parse_actions(f->actions, &ofpacts));

    if (error) {
        /* The text came from ofpacts_format(), so it always parses. */
        VLOG_ERR("%s: cannot parse actions \"%s\": %s", ft->bridge,
                 f->actions, error);
        free(error);
        ofpbuf_uninit(&ofpacts);
        return;
    }

    struct ofputil_flow_mod fm = {
        .priority = f->priority,
        .new_cookie = htonll(f->cookie),
        .table_id = f->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size,
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
    ofpbuf_uninit(&ofpacts);
}

static struct ft_flow *
ft_flow_clone(const struct ft_flow *f)
{
    struct ft_flow *c = xmemdup(f, sizeof *f);

    c->key = xstrdup(f->key);
    c->actions = xstrdup(f->actions);
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

    HMAP_FOR_EACH (d, node, &ft->desired) {
        i = ft_find(&ft->installed, d->key);
        if (!i) {
            add_flow_mod(ft, d, OFPFC_ADD, bundle_id, &msgs);
            i = ft_flow_clone(d);
            hmap_insert(&ft->installed, &i->node, i->node.hash);
            n_add++;
            touched = true;
        } else if (i->cookie != d->cookie) {
            add_flow_mod(ft, d, OFPFC_ADD, bundle_id, &msgs);
            i->cookie = d->cookie;
            free(i->actions);
            i->actions = xstrdup(d->actions);
            n_mod++;
            touched = true;
        } else if (strcmp(i->actions, d->actions)
                   || (ft->touch && !touched && !d->table_id
                       && !d->priority)) {
            add_flow_mod(ft, d, OFPFC_MODIFY_STRICT, bundle_id, &msgs);
            free(i->actions);
            i->actions = xstrdup(d->actions);
            n_mod++;
            touched = true;
        }
    }
    HMAP_FOR_EACH_SAFE (i, node, &ft->installed) {
        if (!ft_find(&ft->desired, i->key)) {
            add_flow_mod(ft, i, OFPFC_DELETE_STRICT, bundle_id, &msgs);
            hmap_remove(&ft->installed, &i->node);
            ft_flow_free(i);
            n_del++;
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

        char *key = flow_key(fs.table_id, &fs.match, fs.priority);
        struct ft_flow *f = ft_find(&ft->installed, key);
        uint64_t cookie = ntohll(fs.cookie);
        uint64_t packets = fs.packet_count == UINT64_MAX ? 0 : fs.packet_count;
        uint64_t bytes = fs.byte_count == UINT64_MAX ? 0 : fs.byte_count;

        if (ft->stats_is_dump) {
            /* Adopted: counted already before the daemon (re)started. */
            if (!f) {
                f = xzalloc(sizeof *f);
                f->key = key;
                key = NULL;
                f->table_id = fs.table_id;
                f->priority = fs.priority;
                minimatch_init(&f->match, &fs.match);
                hmap_insert(&ft->installed, &f->node,
                            hash_string(f->key, 0));
            }
            f->cookie = cookie;
            free(f->actions);
            f->actions = format_actions(fs.ofpacts, fs.ofpacts_len);
            f->packets = packets;
            f->bytes = bytes;
        } else if (f) {
            /* A reset counter (flow replaced) starts again from zero. */
            uint64_t dp = packets >= f->packets ? packets - f->packets
                                                 : packets;
            uint64_t db = bytes >= f->bytes ? bytes - f->bytes : bytes;
            if (dp || db) {
                flow_counters_add(ft->counters, cookie, dp, db);
            }
            f->packets = packets;
            f->bytes = bytes;
        }
        free(key);
    }
    ofpbuf_uninit(&ofpacts);

    if (!ofpmp_more(msg->data)) {
        ft->stats_xid = 0;
        if (ft->stats_is_dump) {
            VLOG_INFO("%s: found %"PRIuSIZE" installed flows", ft->bridge,
                      hmap_count(&ft->installed));
            ft->dumped = true;
            ft->need_sync = true;
        }
    }
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

static int
compare_flow_keys(const void *a_, const void *b_)
{
    const struct ft_flow *const *a = a_;
    const struct ft_flow *const *b = b_;

    return strcmp((*a)->key, (*b)->key);
}

/* Appends to 's' the installed flows of VTAP 'vtap_id' (0: the shared
 * ones) with their counters, sorted. */
void
flow_table_format(const struct flow_table *ft, uint32_t vtap_id,
                  struct ds *s)
{
    const struct ft_flow **flows;
    const struct ft_flow *f;
    size_t n = 0;

    flows = xmalloc((hmap_count(&ft->installed) + 1) * sizeof *flows);
    HMAP_FOR_EACH (f, node, &ft->installed) {
        if (vtap_cookie_vtap(f->cookie) == vtap_id) {
            flows[n++] = f;
        }
    }
    qsort(flows, n, sizeof *flows, compare_flow_keys);
    for (size_t i = 0; i < n; i++) {
        f = flows[i];
        ds_put_format(s, "      %s actions=%s (n_packets=%"PRIu64
                      ", n_bytes=%"PRIu64")\n", f->key, f->actions,
                      f->packets, f->bytes);
    }
    free(flows);
}

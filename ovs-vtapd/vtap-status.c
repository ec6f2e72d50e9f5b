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

/* vtap-status.c: status and counters written back to the VTAP database
 * (see vtap-status.h). */

#include <config.h>
#include "vtap-status.h"

#include <string.h>
#include "flow-counters.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "packets.h"
#include "smap.h"
#include "util.h"
#include "vtap-cookie.h"
#include "flow-table.h"
#include "openvswitch/shash.h"
#include "vswitch-config.h"
#include "vtap-desired.h"
#include "vtap-pipeline.h"
#include "vtap-idl.h"

VLOG_DEFINE_THIS_MODULE(vtap_status);

/* Counter names in Realization.statistics, in this order. */
static const char *const realization_keys[] = {
    "cut_packets", "egress_bytes", "egress_packets", "ingress_bytes",
    "ingress_packets",
};
enum {
    CUT_PACKETS, EG_BYTES, EG_PACKETS, IN_BYTES, IN_PACKETS,
    N_REALIZATION_KEYS
};

/* What one rule of a VTAP counted on this host. */
struct rule_totals {
    struct uuid uuid;           /* Capture_Rule row. */
    unsigned int id;            /* Its cookie id, 0 if none now. */
    int64_t packets;
    int64_t bytes;
};

/* Totals of one VTAP on this host, starting from what its Realization row
 * held.  They outlive the VTAP's realization here (its source moved
 * away), so that the final counts of its flows still count, and continue
 * if the source comes back. */
struct totals {
    struct hmap_node node;      /* In vtap_status.vtaps, by uuid. */
    struct hmap_node id_node;   /* In vtap_status.by_id, by 'id'. */
    struct uuid uuid;           /* VTAP row. */
    uint32_t id;                /* Cookie id last given, 0 for none. */
    int64_t v[N_REALIZATION_KEYS];
    struct rule_totals *rules;
    size_t n_rules, allocated_rules;
    const char *state;          /* State last written. */

    /* A pool: the copies sent to each backend (by its index in the
     * target), continued from the row once 'backends_loaded'. */
    int64_t backend_packets[VTAP_POOL_MAX];
    bool backends_loaded;
};

struct vtap_status {
    struct hmap vtaps;          /* "struct totals" per VTAP. */
    struct hmap by_id;          /* The same, those with an id, by id. */
    bool baselines_loaded;      /* The first vtap_status_update() ran. */
    char *host;                 /* Whose rows the IDL is asked for. */
    unsigned int cond_seqno;    /* The IDL's condition seqno once the
                                 * server has sent those rows. */
};

/* Keeps the IDL from waking the daemon for what it writes itself. */
void
vtap_status_register_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_column *const status_columns[] = {
        &vtaprec_realization_col_backend_packets,
        &vtaprec_realization_col_backend_state,
        &vtaprec_realization_col_external_ids,
        &vtaprec_realization_col_host,
        &vtaprec_realization_col_mirror_bridge,
        &vtaprec_realization_col_reason,
        &vtaprec_realization_col_rule_bytes,
        &vtaprec_realization_col_rule_packets,
        &vtaprec_realization_col_source_bridge,
        &vtaprec_realization_col_state,
        &vtaprec_realization_col_statistics,
        &vtaprec_realization_col_target_address,
        &vtaprec_realization_col_vtap,
    };

    for (size_t i = 0; i < ARRAY_SIZE(status_columns); i++) {
        ovsdb_idl_omit_alert(idl, status_columns[i]);
    }
}

/* Creates an empty status tracker. */
struct vtap_status *
vtap_status_create(void)
{
    struct vtap_status *st = xzalloc(sizeof *st);

    hmap_init(&st->vtaps);
    hmap_init(&st->by_id);
    return st;
}

static void
totals_free(struct totals *t)
{
    free(t->rules);
    free(t);
}

/* Frees 'st'. */
void
vtap_status_destroy(struct vtap_status *st)
{
    if (st) {
        struct totals *t;

        HMAP_FOR_EACH_POP (t, node, &st->vtaps) {
            totals_free(t);
        }
        hmap_destroy(&st->vtaps);
        hmap_destroy(&st->by_id);
        free(st->host);
        free(st);
    }
}

/* Asks the server of 'idl' for the Realization rows of host 'host' only:
 * each host writes its own and reads no other's. */
void
vtap_status_set_host(struct vtap_status *st, struct ovsdb_idl *idl,
                     const char *host)
{
    if (!st->host || strcmp(st->host, host)) {
        struct ovsdb_idl_condition cond
            = OVSDB_IDL_CONDITION_INIT(&cond);

        free(st->host);
        st->host = xstrdup(host);
        vtaprec_realization_add_clause_host(&cond, OVSDB_F_EQ, host);
        st->cond_seqno = vtaprec_realization_set_condition(idl, &cond);
        ovsdb_idl_condition_destroy(&cond);
    }
}

/* Returns true once 'idl' holds this host's Realization rows, which the
 * counters continue from: before, nothing is to be built or counted. */
bool
vtap_status_is_ready(const struct vtap_status *st,
                     const struct ovsdb_idl *idl)
{
    return st->host && ovsdb_idl_get_condition_seqno(idl) >= st->cond_seqno;
}

static struct totals *
totals_find(const struct hmap *map, const struct uuid *uuid)
{
    struct totals *t;

    HMAP_FOR_EACH_WITH_HASH (t, node, uuid_hash(uuid), map) {
        if (uuid_equals(&t->uuid, uuid)) {
            return t;
        }
    }
    return NULL;
}

static struct totals *
totals_by_id(const struct vtap_status *st, uint32_t id)
{
    struct totals *t;

    HMAP_FOR_EACH_WITH_HASH (t, id_node, hash_int(id, 0), &st->by_id) {
        if (t->id == id) {
            return t;
        }
    }
    return NULL;
}

/* Gives 't' the cookie id 'id' (0: none), taking it from the VTAP that had
 * it before, which no longer counts under it. */
static void
totals_set_id(struct vtap_status *st, struct totals *t, uint32_t id)
{
    if (t->id == id) {
        return;
    }
    if (t->id) {
        hmap_remove(&st->by_id, &t->id_node);
    }
    t->id = 0;
    if (id) {
        struct totals *old = totals_by_id(st, id);

        if (old) {
            hmap_remove(&st->by_id, &old->id_node);
            old->id = 0;
        }
        t->id = id;
        hmap_insert(&st->by_id, &t->id_node, hash_int(id, 0));
    }
}

static int64_t
stat_get(char **keys, const int64_t *values, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(keys[i], key)) {
            return values[i];
        }
    }
    return 0;
}

static int64_t
rule_stat_get(const struct uuid *keys, const int64_t *values, size_t n,
              const struct uuid *key)
{
    for (size_t i = 0; i < n; i++) {
        if (uuid_equals(&keys[i], key)) {
            return values[i];
        }
    }
    return 0;
}

/* This host's Realization rows, by the VTAP that they are of. */
struct own_row {
    struct hmap_node node;      /* By VTAP uuid. */
    const struct vtaprec_realization *row;
    const struct uuid *vtap;    /* The VTAP that 'row' names. */
};

/* Returns the UUID of the VTAP that 'r' names, or NULL if it names none
 * (the VTAP was deleted).  The VTAP itself need not be in the IDL: the
 * server sends a host only the VTAPs that can concern it (see
 * vtap-monitor.h), and a VTAP whose source moved to another host is
 * still this host's to release. */
static const struct uuid *
realization_vtap_uuid(const struct vtaprec_realization *r)
{
    const struct ovsdb_datum *vtap;

    if (r->vtap) {
        return &r->vtap->header_.uuid;
    }
    vtap = vtaprec_realization_get_vtap(r, OVSDB_TYPE_UUID);
    return vtap->n ? &vtap->keys[0].uuid : NULL;
}

/* Indexes in 'rows' this host's Realization rows in 'idl' that name a
 * VTAP, the first of each VTAP only. */
static void
own_rows_build(struct hmap *rows, const struct ovsdb_idl *idl,
               const char *host)
{
    const struct vtaprec_realization *r;

    hmap_init(rows);
    VTAPREC_REALIZATION_FOR_EACH (r, idl) {
        const struct uuid *vtap = realization_vtap_uuid(r);

        if (vtap && !strcmp(r->host, host)) {
            struct own_row *o = xmalloc(sizeof *o);

            o->row = r;
            o->vtap = vtap;
            hmap_insert(rows, &o->node, uuid_hash(vtap));
        }
    }
}

static const struct vtaprec_realization *
own_row_find(const struct hmap *rows, const struct uuid *vtap)
{
    const struct own_row *o;

    HMAP_FOR_EACH_WITH_HASH (o, node, uuid_hash(vtap), rows) {
        if (uuid_equals(o->vtap, vtap)) {
            return o->row;
        }
    }
    return NULL;
}

static void
own_rows_destroy(struct hmap *rows)
{
    struct own_row *o;

    HMAP_FOR_EACH_POP (o, node, rows) {
        free(o);
    }
    hmap_destroy(rows);
}

/* Returns the totals of VTAP 'uuid', created from its row 'r' (if any) if
 * new. */
static struct totals *
vtap_totals(struct vtap_status *st, const struct uuid *uuid,
            const struct vtaprec_realization *r)
{
    struct totals *t = totals_find(&st->vtaps, uuid);

    if (!t) {
        t = xzalloc(sizeof *t);
        t->uuid = *uuid;
        for (size_t i = 0; r && i < N_REALIZATION_KEYS; i++) {
            t->v[i] = stat_get(r->key_statistics, r->value_statistics,
                               r->n_statistics, realization_keys[i]);
        }
        for (size_t i = 0; r && i < r->n_rule_packets; i++) {
            struct rule_totals *rt;

            if (t->n_rules >= t->allocated_rules) {
                t->rules = x2nrealloc(t->rules, &t->allocated_rules,
                                      sizeof *t->rules);
            }
            rt = &t->rules[t->n_rules++];
            rt->uuid = r->key_rule_packets[i];
            rt->id = 0;
            rt->packets = r->value_rule_packets[i];
            rt->bytes = rule_stat_get(r->key_rule_bytes, r->value_rule_bytes,
                                      r->n_rule_bytes, &rt->uuid);
        }
        /* A VTAP that ran before a restart of the daemon keeps running
         * while its flows are adopted. */
        if (r && !strcmp(r->state, "running")) {
            t->state = "running";
        }
        hmap_insert(&st->vtaps, &t->node, uuid_hash(uuid));
    }
    return t;
}

static struct rule_totals *
rule_totals_find(struct totals *t, const struct uuid *uuid)
{
    for (size_t i = 0; i < t->n_rules; i++) {
        if (uuid_equals(&t->rules[i].uuid, uuid)) {
            return &t->rules[i];
        }
    }
    return NULL;
}

/* Gives the rules of 't' the cookie ids of the rules of 'want', keeping
 * the counts of each rule, also of those that 'want' no longer has (their
 * flows' final counts may still come) unless their id was taken. */
static void
totals_sync_rules(struct totals *t, const struct vtap_want *want)
{
    unsigned int *ids = xmalloc(want->n_rules * sizeof *ids + 1);

    vtap_cookie_rule_ids(want->rules, want->n_rules, ids);
    for (size_t i = 0; i < t->n_rules; i++) {
        for (size_t j = 0; j < want->n_rules; j++) {
            if (t->rules[i].id == ids[j]
                && !uuid_equals(&t->rules[i].uuid, &want->rules[j].uuid)) {
                t->rules[i].id = 0;
            }
        }
    }
    for (size_t j = 0; j < want->n_rules; j++) {
        struct rule_totals *rt = rule_totals_find(t, &want->rules[j].uuid);

        if (!ids[j]) {
            continue;
        } else if (!rt) {
            if (t->n_rules >= t->allocated_rules) {
                t->rules = x2nrealloc(t->rules, &t->allocated_rules,
                                      sizeof *t->rules);
            }
            rt = &t->rules[t->n_rules++];
            memset(rt, 0, sizeof *rt);
            rt->uuid = want->rules[j].uuid;
        }
        rt->id = ids[j];
    }
    free(ids);
}

/* After each build of 'desired': keeps the totals of every VTAP realized
 * here, with the cookie ids that its flows count under, so that what the
 * flows count (also after the VTAP stops being realized here) goes to the
 * right totals.  The first time, also reads the flow baselines that the
 * daemon wrote into this host's Realization rows before it (re)started
 * into 'counters' (before any statistics reply is counted). */
void
vtap_status_update(struct vtap_status *st, const struct ovsdb_idl *idl,
                   const struct vtap_desired *desired,
                   struct flow_counters *counters)
{
    const struct vtap_want *want;
    struct hmap rows;

    own_rows_build(&rows, idl, desired->host);
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        const struct vtaprec_realization *r = own_row_find(&rows,
                                                           &want->uuid);
        struct totals *t = vtap_totals(st, &want->uuid, r);

        totals_set_id(st, t, want->id);
        totals_sync_rules(t, want);
        if (!st->baselines_loaded && r) {
            const struct smap_node *node;

            SMAP_FOR_EACH (node, &r->external_ids) {
                flow_counters_load_baseline(counters, want->id,
                                            r->mirror_bridge, node->key,
                                            node->value);
            }
        }
    }
    st->baselines_loaded = true;
    own_rows_destroy(&rows);
}

/* Moves the packets and bytes counted in 'counters' since the last call
 * into the totals of the VTAPs and rules they belong to, by cookie: the
 * VTAP's id, the direction, whether the rule includes and the rule's id.
 * Returns true if there were any. */
bool
vtap_status_collect(struct vtap_status *st, struct flow_counters *counters)
{
    struct flow_counter *c;

    if (hmap_is_empty(&counters->pending)) {
        return false;
    }
    HMAP_FOR_EACH_POP (c, node, &counters->pending) {
        unsigned int kind = vtap_cookie_kind(c->cookie);
        struct totals *t = totals_by_id(st, vtap_cookie_vtap(c->cookie));

        if (t && kind == VTAP_COOKIE_KIND_OUTPUT) {
            unsigned int out = vtap_cookie_rule(c->cookie);

            /* Copies cut to fit the path, already counted by their rule;
             * copies sent to one backend of a pool. */
            if (out == VTAP_OUTPUT_CUT) {
                t->v[CUT_PACKETS] += c->packets;
            } else if (out >= VTAP_OUTPUT_BACKEND
                       && out - VTAP_OUTPUT_BACKEND < VTAP_POOL_MAX) {
                t->backend_packets[out - VTAP_OUTPUT_BACKEND] += c->packets;
            }
        } else if (t && kind != VTAP_COOKIE_KIND_SHARED) {
            unsigned int rule_id = vtap_cookie_rule(c->cookie);

            if (vtap_cookie_include(c->cookie)) {
                bool in = kind == VTAP_COOKIE_KIND_INGRESS;
                t->v[in ? IN_PACKETS : EG_PACKETS] += c->packets;
                t->v[in ? IN_BYTES : EG_BYTES] += c->bytes;
            }
            for (size_t i = 0; rule_id && i < t->n_rules; i++) {
                if (t->rules[i].id == rule_id) {
                    t->rules[i].packets += c->packets;
                    t->rules[i].bytes += c->bytes;
                    break;
                }
            }
        }
        free(c);
    }
    return true;
}

static bool
stats_differ(char **keys, const int64_t *values, size_t n,
             const char *const *want_keys, const int64_t *want, size_t n_want)
{
    if (n != n_want) {
        return true;
    }
    for (size_t i = 0; i < n_want; i++) {
        if (stat_get(keys, values, n, want_keys[i]) != want[i]) {
            return true;
        }
    }
    return false;
}

/* Returns the state and the reason of 'want', as 'stages' made it. */
static const char *
want_state(const struct vtap_want *want, const struct vtap_stages *stages,
           const char *last_state, const char **reason)
{
    const struct vtap_compiled *vc = vtap_pipeline_find(stages->pipeline,
                                                        &want->uuid);
    const struct vtap_place *place = vtap_places_find(stages->places,
                                                      &want->uuid);
    const struct flow_table *ft = (place && place->mirror_bridge
                                   ? shash_find_data(stages->flow_tables,
                                                     place->mirror_bridge)
                                   : NULL);
    const char *error = vc ? vc->error : want->error;
    bool installed = ft && flow_table_is_synced(ft);

    if (error) {
        *reason = error;
        return "error";
    } else if (!want->enabled) {
        *reason = "not enabled";
        return "stopped";
    } else if (!vc || !vc->dispatched || (!installed && !(
                   last_state && !strcmp(last_state, "running")))) {
        /* Once running, a change in progress does not stop it. */
        *reason = "waiting for ovs-vswitchd to set up the mirror bridge";
        return "stopped";
    }
    *reason = (ft && flow_table_is_repairing(ft)
               ? "repairing flows altered from outside"
               : want->warning ? want->warning
               : want->target_error ? want->target_error : "");
    return "running";
}

/* The flow baselines of one VTAP, as they go into external_ids. */
struct vtap_baselines {
    struct hmap_node node;      /* By VTAP id. */
    uint32_t vtap_id;
    struct smap smap;           /* flow_baseline_key() -> value. */
};

/* Groups the baselines in 'counters' by VTAP into 'groups'. */
static void
group_baselines(const struct flow_counters *counters, struct hmap *groups)
{
    const struct flow_baseline *b;

    HMAP_FOR_EACH (b, node, &counters->baselines) {
        struct vtap_baselines *g = NULL, *iter;

        if (b->retired || (!b->packets && !b->bytes)) {
            /* Gone, or counted nothing: a restart counts from zero. */
            continue;
        }

        HMAP_FOR_EACH_WITH_HASH (iter, node, b->vtap_id, groups) {
            if (iter->vtap_id == b->vtap_id) {
                g = iter;
                break;
            }
        }
        if (!g) {
            g = xmalloc(sizeof *g);
            g->vtap_id = b->vtap_id;
            smap_init(&g->smap);
            hmap_insert(groups, &g->node, b->vtap_id);
        }
        smap_add_nocopy(&g->smap, flow_baseline_key(b),
                        flow_baseline_value(b));
    }
}

static void
baselines_destroy(struct hmap *groups)
{
    struct vtap_baselines *g;

    HMAP_FOR_EACH_POP (g, node, groups) {
        smap_destroy(&g->smap);
        free(g);
    }
    hmap_destroy(groups);
}

/* Sets the flow baselines of 'r' to 'baselines' (NULL for none), keeping
 * its other external_ids. */
static void
write_baselines(const struct vtaprec_realization *r,
                const struct vtap_baselines *baselines)
{
    struct smap ids = SMAP_INITIALIZER(&ids);
    const struct smap_node *node;

    SMAP_FOR_EACH (node, &r->external_ids) {
        if (strncmp(node->key, "flow:", 5)) {
            smap_add(&ids, node->key, node->value);
        }
    }
    if (baselines) {
        SMAP_FOR_EACH (node, &baselines->smap) {
            smap_add(&ids, node->key, node->value);
        }
    }
    if (!smap_equal(&ids, &r->external_ids)) {
        vtaprec_realization_set_external_ids(r, &ids);
    }
    smap_destroy(&ids);
}

/* The baselines of every VTAP, grouped on first use by a write. */
struct baselines_by_vtap {
    const struct flow_counters *counters;
    bool grouped;               /* 'groups' is filled in. */
    struct hmap groups;         /* "struct vtap_baselines"s. */
};

/* Returns the baselines of VTAP 'vtap_id' in 'b', or NULL if none. */
static const struct vtap_baselines *
baselines_of(struct baselines_by_vtap *b, uint32_t vtap_id)
{
    const struct vtap_baselines *g;

    if (!b->grouped) {
        group_baselines(b->counters, &b->groups);
        b->grouped = true;
    }
    HMAP_FOR_EACH_WITH_HASH (g, node, vtap_id, &b->groups) {
        if (g->vtap_id == vtap_id) {
            return g;
        }
    }
    return NULL;
}

/* Writes the per-rule counters of 't' into 'r' if they differ, leaving
 * out the rules that no longer exist. */
static void
write_rule_counters(const struct vtaprec_realization *r,
                    const struct ovsdb_idl *idl, struct totals *t)
{
    struct uuid *keys = xmalloc(t->n_rules * sizeof *keys + 1);
    int64_t *packets = xmalloc(t->n_rules * sizeof *packets + 1);
    int64_t *bytes = xmalloc(t->n_rules * sizeof *bytes + 1);
    bool differ = false;
    size_t n = 0;

    for (size_t i = 0; i < t->n_rules; i++) {
        const struct rule_totals *rt = &t->rules[i];

        if (!vtaprec_capture_rule_get_for_uuid(idl, &rt->uuid)) {
            continue;
        }
        t->rules[n] = *rt;
        keys[n] = rt->uuid;
        packets[n] = rt->packets;
        bytes[n] = rt->bytes;
        differ = differ || (rule_stat_get(r->key_rule_packets,
                                          r->value_rule_packets,
                                          r->n_rule_packets, &rt->uuid)
                            != rt->packets
                            || rule_stat_get(r->key_rule_bytes,
                                             r->value_rule_bytes,
                                             r->n_rule_bytes, &rt->uuid)
                            != rt->bytes);
        n++;
    }
    t->n_rules = n;             /* The deleted rules are forgotten. */
    if (differ || n != r->n_rule_packets || n != r->n_rule_bytes) {
        vtaprec_realization_set_rule_packets(r, keys, packets, n);
        vtaprec_realization_set_rule_bytes(r, keys, bytes, n);
    }
    free(keys);
    free(packets);
    free(bytes);
}

/* Writes the counters of 't' into 'r', with the flow baselines that they
 * were counted up to, if they differ from what 'r' holds. */
static void
write_counters(const struct vtaprec_realization *r,
               const struct ovsdb_idl *idl, struct totals *t,
               const struct vtap_baselines *baselines)
{
    /* The totals and the baselines that they were counted up to go into
     * the same transaction, so that the database always holds a pair that
     * a restarted daemon can continue from.  (A baseline changes without
     * the totals only when a flow goes or comes back at zero; until its
     * flow counts again, which writes it, the one in the database is
     * higher than the switch's counter, which counts from zero.) */
    if (stats_differ(r->key_statistics, r->value_statistics, r->n_statistics,
                     realization_keys, t->v, N_REALIZATION_KEYS)) {
        vtaprec_realization_set_statistics(
            r, CONST_CAST(const char **, realization_keys), t->v,
            N_REALIZATION_KEYS);
        write_baselines(r, baselines);
    }
    write_rule_counters(r, idl, t);
}

/* Writes into 'r' the health and the counters of each backend of the pool
 * VTAP 'want' at 'place' (nothing for a single target), and returns the
 * number of backends that are up. */
static size_t
write_backends(const struct vtaprec_realization *r,
               const struct vtap_want *want, const struct vtap_place *place,
               struct totals *t)
{
    size_t n = MIN(want->n_backends, VTAP_POOL_MAX);
    struct smap state = SMAP_INITIALIZER(&state);
    const char **keys = xmalloc(n * sizeof *keys + 1);
    int64_t *packets = xmalloc(n * sizeof *packets + 1);
    size_t n_up = 0;

    if (!t->backends_loaded) {
        /* Continue the counts that a previous run wrote. */
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < r->n_backend_packets; j++) {
                if (!strcmp(r->key_backend_packets[j],
                            want->backend_names[i])) {
                    t->backend_packets[i] += r->value_backend_packets[j];
                }
            }
        }
        t->backends_loaded = true;
    }
    for (size_t i = 0; i < n; i++) {
        bool up = (place && place->n_backends == want->n_backends
                   && place->backend_up[i]);

        smap_replace(&state, want->backend_names[i], up ? "up" : "down");
        keys[i] = want->backend_names[i];
        packets[i] = t->backend_packets[i];
        n_up += up;
    }
    if (!smap_equal(&r->backend_state, &state)) {
        vtaprec_realization_set_backend_state(r, &state);
    }
    bool differ = r->n_backend_packets != n;
    for (size_t i = 0; !differ && i < n; i++) {
        differ = (strcmp(r->key_backend_packets[i], keys[i])
                  || r->value_backend_packets[i] != packets[i]);
    }
    if (differ) {
        vtaprec_realization_set_backend_packets(r, keys, packets, n);
    }
    smap_destroy(&state);
    free(keys);
    free(packets);
    return n_up;
}

/* Writes the state of 'want' into its row 'r', inserted if NULL. */
static void
write_realization(struct vtap_status *st, struct ovsdb_idl_txn *txn,
                  const struct ovsdb_idl *idl,
                  const struct vtaprec_realization *r,
                  const struct vtap_want *want,
                  const struct vtap_stages *stages,
                  struct baselines_by_vtap *baselines)
{
    const struct vtap_place *place = vtap_places_find(stages->places,
                                                      &want->uuid);
    const char *reason;
    const char *src = want->src_bridge ? want->src_bridge : "";
    const char *mbr = (place && place->mirror_bridge ? place->mirror_bridge
                       : "");
    const char *addr = want->target_addr ? want->target_addr : "";
    struct totals *t = vtap_totals(st, &want->uuid, r);
    const char *state = want_state(want, stages, t->state, &reason);

    t->state = state;
    if (!r) {
        const struct vtaprec_vtap *row = vtaprec_vtap_get_for_uuid(
            idl, &want->uuid);

        r = vtaprec_realization_insert(txn);
        vtaprec_realization_set_vtap(r, row);
        vtaprec_realization_set_host(r, stages->desired->host);
    }
    /* A pool all of whose backends are down sends nothing.  It stays
     * running (its flows are in place, and copies go out as soon as a
     * backend comes up, as when a pool starts and its BFD sessions are
     * not up yet: "--wait start" does not fail for that), and the reason
     * says so. */
    char *pool_reason = NULL;
    if (want->n_backends && !write_backends(r, want, place, t)
        && !strcmp(state, "running")) {
        pool_reason = xasprintf("target %s: every backend of the pool is "
                                "down (no BFD session up): copies are "
                                "dropped", want->target_name);
        reason = pool_reason;
    }
    if (strcmp(r->state, state)) {
        VLOG_INFO("VTAP %s: %s%s%s", want->name, state, reason[0] ? ": " : "",
                  reason);
        vtaprec_realization_set_state(r, state);
    }
    if (strcmp(r->reason, reason)) {
        vtaprec_realization_set_reason(r, reason);
    }
    if (strcmp(r->source_bridge, src)) {
        vtaprec_realization_set_source_bridge(r, src);
    }
    if (strcmp(r->mirror_bridge, mbr)) {
        vtaprec_realization_set_mirror_bridge(r, mbr);
    }
    if (strcmp(r->target_address, addr)) {
        vtaprec_realization_set_target_address(r, addr);
    }
    write_counters(r, idl, t, baselines_of(baselines, want->id));
    free(pool_reason);
}

/* Writes that this host no longer realizes the VTAP of its row 'r' (its
 * source is elsewhere, or the VTAP names another host): the row keeps the
 * final counts, so that the VTAP's totals over its hosts never go back, or
 * is deleted if it counted nothing. */
static void
write_released(struct vtap_status *st, const struct ovsdb_idl *idl,
               const struct vtaprec_realization *r)
{
    const struct uuid *uuid = realization_vtap_uuid(r);
    struct totals *t = vtap_totals(st, uuid, r);
    bool counted = false;

    for (size_t i = 0; i < N_REALIZATION_KEYS; i++) {
        counted = counted || t->v[i];
    }
    if (!counted) {
        vtaprec_realization_delete(r);
        return;
    }
    if (strcmp(r->state, "released")) {
        if (r->vtap) {
            VLOG_INFO("VTAP %s: released: its source is not on this host",
                      r->vtap->name);
        } else {
            VLOG_INFO("VTAP "UUID_FMT": released: its source is on another "
                      "host", UUID_ARGS(uuid));
        }
        vtaprec_realization_set_state(r, "released");
        vtaprec_realization_set_reason(r, "the source is not on this host");
        vtaprec_realization_set_mirror_bridge(r, "");
    }
    t->state = "released";
    write_counters(r, idl, t, NULL);
}

/* Writes the status of every VTAP of 'stages' in 'txn', each in this
 * host's Realization row of it, with the counters collected into 'st' and
 * the flow baselines of 'counters'; releases the rows of the VTAPs no
 * longer realized here, and deletes those of deleted VTAPs. */
void
vtap_status_write(struct vtap_status *st, struct ovsdb_idl_txn *txn,
                  const struct ovsdb_idl *idl,
                  const struct vtap_stages *stages,
                  const struct flow_counters *counters)
{
    const char *host = stages->desired->host;
    struct baselines_by_vtap baselines = {
        .counters = counters,
        .groups = HMAP_INITIALIZER(&baselines.groups),
    };
    const struct vtaprec_realization *r;
    struct hmap rows;

    /* This host's rows: one per VTAP, of a VTAP that exists. */
    own_rows_build(&rows, idl, host);
    VTAPREC_REALIZATION_FOR_EACH (r, idl) {
        const struct uuid *vtap = realization_vtap_uuid(r);

        if (!strcmp(r->host, host)
            && (!vtap || own_row_find(&rows, vtap) != r)) {
            vtaprec_realization_delete(r);
        }
    }

    const struct vtap_want *want;
    HMAP_FOR_EACH (want, node, &stages->desired->vtaps) {
        write_realization(st, txn, idl, own_row_find(&rows, &want->uuid),
                          want, stages, &baselines);
    }
    struct own_row *o;
    HMAP_FOR_EACH (o, node, &rows) {
        const struct uuid *uuid = o->vtap;

        if (vtap_desired_find(stages->desired, uuid)) {
            continue;
        } else if (strcmp(o->row->state, "released")) {
            write_released(st, idl, o->row);
        } else {
            /* The final counts of its flows may come after the release. */
            write_counters(o->row, idl, vtap_totals(st, uuid, o->row), NULL);
        }
    }

    /* Forget the totals of deleted VTAPs (those of VTAPs released here,
     * which this host may no longer receive, still count what their
     * flows count while they drain). */
    struct totals *t;
    HMAP_FOR_EACH_SAFE (t, node, &st->vtaps) {
        if (!vtaprec_vtap_get_for_uuid(idl, &t->uuid)
            && !own_row_find(&rows, &t->uuid)) {
            totals_set_id(st, t, 0);
            hmap_remove(&st->vtaps, &t->node);
            totals_free(t);
        }
    }
    own_rows_destroy(&rows);
    baselines_destroy(&baselines.groups);
}

/* Appends the counters of VTAP 'uuid' to 's'. */
void
vtap_status_format_counters(const struct vtap_status *st,
                            const struct uuid *uuid, struct ds *s)
{
    const struct totals *t = totals_find(&st->vtaps, uuid);
    int64_t zero[N_REALIZATION_KEYS] = { 0 };
    const int64_t *v = t ? t->v : zero;

    ds_put_format(s, "ingress %"PRId64" packets %"PRId64" bytes, "
                  "egress %"PRId64" packets %"PRId64" bytes, "
                  "cut %"PRId64" packets",
                  v[IN_PACKETS], v[IN_BYTES], v[EG_PACKETS], v[EG_BYTES],
                  v[CUT_PACKETS]);
}

/* Returns the copies that VTAP 'uuid' sent to the backend with index 'i'
 * in its pool target (0 if none or not a pool). */
int64_t
vtap_status_backend_packets(const struct vtap_status *st,
                            const struct uuid *uuid, size_t i)
{
    const struct totals *t = totals_find(&st->vtaps, uuid);

    return t && i < VTAP_POOL_MAX ? t->backend_packets[i] : 0;
}

/* Returns the state last written for VTAP 'uuid', or "unknown". */
const char *
vtap_status_state(const struct vtap_status *st, const struct uuid *uuid)
{
    const struct totals *t = totals_find(&st->vtaps, uuid);

    return t && t->state ? t->state : "unknown";
}

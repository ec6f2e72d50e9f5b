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
#include "ovs-vtap/vtap-resolver.h"
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

/* Counter names in Capture_Rule.statistics, in this order. */
static const char *const rule_keys[] = { "bytes", "packets" };
enum { R_BYTES, R_PACKETS, N_RULE_KEYS };

/* Totals of one row, starting from what the database held. */
struct totals {
    struct hmap_node node;      /* By uuid. */
    struct uuid uuid;           /* VTAP or Capture_Rule row. */
    int64_t v[N_REALIZATION_KEYS];
    const char *state;          /* VTAPs: state last written. */
};

struct vtap_status {
    struct hmap vtaps;          /* "struct totals" per VTAP. */
    struct hmap rules;          /* "struct totals" per Capture_Rule. */
    bool baselines_loaded;      /* vtap_status_load_baselines() ran. */
};

/* Keeps the IDL from waking the daemon for what it writes itself. */
void
vtap_status_register_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_column *const status_columns[] = {
        &vtaprec_capture_rule_col_statistics,
        &vtaprec_global_col_cur_cfg,
        &vtaprec_realization_col_external_ids,
        &vtaprec_realization_col_host,
        &vtaprec_realization_col_mirror_bridge,
        &vtaprec_realization_col_reason,
        &vtaprec_realization_col_source_bridge,
        &vtaprec_realization_col_state,
        &vtaprec_realization_col_statistics,
        &vtaprec_realization_col_target_address,
        &vtaprec_target_col_status,
        &vtaprec_vtap_col_realizations,
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
    hmap_init(&st->rules);
    return st;
}

static void
totals_clear(struct hmap *map)
{
    struct totals *t;

    HMAP_FOR_EACH_POP (t, node, map) {
        free(t);
    }
    hmap_destroy(map);
}

/* Frees 'st'. */
void
vtap_status_destroy(struct vtap_status *st)
{
    if (st) {
        totals_clear(&st->vtaps);
        totals_clear(&st->rules);
        free(st);
    }
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

/* Returns this host's Realization row of 'vtap', or NULL. */
static const struct vtaprec_realization *
my_realization(const struct vtaprec_vtap *vtap, const char *host)
{
    for (size_t i = 0; i < vtap->n_realizations; i++) {
        if (!strcmp(vtap->realizations[i]->host, host)) {
            return vtap->realizations[i];
        }
    }
    return NULL;
}

/* Returns the totals of VTAP 'uuid', created from the database if new. */
static struct totals *
vtap_totals(struct vtap_status *st, const struct ovsdb_idl *idl,
            const struct uuid *uuid, const char *host)
{
    struct totals *t = totals_find(&st->vtaps, uuid);

    if (!t) {
        const struct vtaprec_vtap *vtap = vtaprec_vtap_get_for_uuid(idl,
                                                                    uuid);
        const struct vtaprec_realization *r = (vtap
                                               ? my_realization(vtap, host)
                                               : NULL);
        t = xzalloc(sizeof *t);
        t->uuid = *uuid;
        for (size_t i = 0; r && i < N_REALIZATION_KEYS; i++) {
            t->v[i] = stat_get(r->key_statistics, r->value_statistics,
                               r->n_statistics, realization_keys[i]);
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

/* Returns the totals of Capture_Rule 'uuid', created if new. */
static struct totals *
rule_totals(struct vtap_status *st, const struct ovsdb_idl *idl,
            const struct uuid *uuid)
{
    struct totals *t = totals_find(&st->rules, uuid);

    if (!t) {
        const struct vtaprec_capture_rule *r
            = vtaprec_capture_rule_get_for_uuid(idl, uuid);
        t = xzalloc(sizeof *t);
        t->uuid = *uuid;
        for (size_t i = 0; r && i < N_RULE_KEYS; i++) {
            t->v[i] = stat_get(r->key_statistics, r->value_statistics,
                               r->n_statistics, rule_keys[i]);
        }
        hmap_insert(&st->rules, &t->node, uuid_hash(uuid));
    }
    return t;
}

/* A VTAP by its id, for vtap_status_collect(). */
struct want_by_id {
    struct hmap_node node;      /* By id. */
    const struct vtap_want *want;
    unsigned int *rule_ids;     /* Cookie id of each rule, or NULL. */
};

static struct want_by_id *
want_by_id_find(const struct hmap *by_id, uint32_t id)
{
    struct want_by_id *w;

    HMAP_FOR_EACH_WITH_HASH (w, node, id, by_id) {
        if (w->want->id == id) {
            return w;
        }
    }
    return NULL;
}

/* Returns the rule of 'w' whose cookie id is 'rule_id', or NULL (a rule
 * deleted since the flows were counted). */
static const struct vtap_rule *
want_rule_by_id(struct want_by_id *w, unsigned int rule_id)
{
    const struct vtap_want *want = w->want;

    if (!w->rule_ids) {
        w->rule_ids = xmalloc(want->n_rules * sizeof *w->rule_ids + 1);
        vtap_cookie_rule_ids(want->rules, want->n_rules, w->rule_ids);
    }
    for (size_t i = 0; rule_id && i < want->n_rules; i++) {
        if (w->rule_ids[i] == rule_id) {
            return &want->rules[i];
        }
    }
    return NULL;
}

/* Reads, once, the flow baselines that the daemon wrote into this host's
 * Realization rows before it (re)started into 'counters'.  Must be called
 * before any statistics reply is counted. */
void
vtap_status_load_baselines(struct vtap_status *st,
                           const struct ovsdb_idl *idl,
                           const struct vtap_desired *desired,
                           struct flow_counters *counters)
{
    const struct vtap_want *want;

    if (st->baselines_loaded) {
        return;
    }
    st->baselines_loaded = true;
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        const struct vtaprec_vtap *row = vtaprec_vtap_get_for_uuid(
            idl, &want->uuid);
        const struct vtaprec_realization *r = (row
                                               ? my_realization(row,
                                                                desired->host)
                                               : NULL);
        const struct smap_node *node;

        if (!r) {
            continue;
        }
        SMAP_FOR_EACH (node, &r->external_ids) {
            flow_counters_load_baseline(counters, want->id, r->mirror_bridge,
                                        node->key, node->value);
        }
    }
}

/* Moves the packets and bytes counted in 'counters' since the last call
 * into the totals of the VTAPs and rules they belong to, by cookie: the
 * VTAP's id, the direction, whether the rule includes and the rule's id.
 * Returns true if there were any. */
bool
vtap_status_collect(struct vtap_status *st, const struct ovsdb_idl *idl,
                    const struct vtap_desired *desired,
                    struct flow_counters *counters)
{
    struct hmap by_id = HMAP_INITIALIZER(&by_id);
    struct want_by_id *w;
    const struct vtap_want *want;
    struct flow_counter *c;

    if (hmap_is_empty(&counters->pending)) {
        return false;
    }
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        w = xzalloc(sizeof *w);
        w->want = want;
        hmap_insert(&by_id, &w->node, want->id);
    }

    HMAP_FOR_EACH_POP (c, node, &counters->pending) {
        unsigned int kind = vtap_cookie_kind(c->cookie);

        w = want_by_id_find(&by_id, vtap_cookie_vtap(c->cookie));
        if (w && kind == VTAP_COOKIE_KIND_OUTPUT) {
            /* Copies cut to fit the path, already counted by their rule. */
            if (vtap_cookie_rule(c->cookie) == VTAP_OUTPUT_CUT) {
                struct totals *t = vtap_totals(st, idl, &w->want->uuid,
                                               desired->host);
                t->v[CUT_PACKETS] += c->packets;
            }
        } else if (w && kind != VTAP_COOKIE_KIND_SHARED) {
            const struct vtap_rule *rule;
            struct totals *t;

            if (vtap_cookie_include(c->cookie)) {
                bool in = kind == VTAP_COOKIE_KIND_INGRESS;
                t = vtap_totals(st, idl, &w->want->uuid, desired->host);
                t->v[in ? IN_PACKETS : EG_PACKETS] += c->packets;
                t->v[in ? IN_BYTES : EG_BYTES] += c->bytes;
            }
            rule = want_rule_by_id(w, vtap_cookie_rule(c->cookie));
            if (rule) {
                t = rule_totals(st, idl, &rule->uuid);
                t->v[R_PACKETS] += c->packets;
                t->v[R_BYTES] += c->bytes;
            }
        }
        free(c);
    }

    HMAP_FOR_EACH_POP (w, node, &by_id) {
        free(w->rule_ids);
        free(w);
    }
    hmap_destroy(&by_id);
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
               : want->warning ? want->warning : "");
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

static void
write_realization(struct vtap_status *st, struct ovsdb_idl_txn *txn,
                  const struct ovsdb_idl *idl, const struct vtaprec_vtap *row,
                  const struct vtap_want *want,
                  const struct vtap_stages *stages,
                  struct baselines_by_vtap *baselines)
{
    const char *host = stages->desired->host;
    const struct vtaprec_realization *r = my_realization(row, host);
    const struct vtap_place *place = vtap_places_find(stages->places,
                                                      &want->uuid);
    const char *reason;
    const char *src = want->src_bridge ? want->src_bridge : "";
    const char *mbr = (place && place->mirror_bridge ? place->mirror_bridge
                       : "");
    const char *addr = want->target_addr ? want->target_addr : "";
    struct totals *t = vtap_totals(st, idl, &want->uuid, host);
    const char *state = want_state(want, stages, t->state, &reason);

    t->state = state;
    if (!r) {
        r = vtaprec_realization_insert(txn);
        vtaprec_realization_set_host(r, host);
        vtaprec_vtap_update_realizations_addvalue(row, r);
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
        write_baselines(r, baselines_of(baselines, want->id));
    }
}

static void
write_target_status(const struct vtaprec_target *target,
                    struct vtap_resolver *resolver)
{
    struct smap status = SMAP_INITIALIZER(&status);
    struct in6_addr a6;
    ovs_be32 a4;

    if (ip_parse(target->address, &a4) || ipv6_parse(target->address, &a6)) {
        smap_add(&status, "address", target->address);
    } else if (resolver) {
        struct vtap_resolution res = vtap_resolver_lookup(resolver,
                                                          target->address);
        if (res.address) {
            smap_add(&status, "address", res.address);
        }
        if (res.error) {
            smap_add(&status, "error", res.error);
        }
    } else {
        smap_add(&status, "error", "no resolver for names");
    }
    if (!smap_equal(&status, &target->status)) {
        vtaprec_target_set_status(target, &status);
    }
    smap_destroy(&status);
}

/* Writes the status of every VTAP, rule and target in 'txn', with the
 * counters collected from 'counters' and its flow baselines.  If
 * 'applied', everything wanted is in place, so Global.cur_cfg catches up
 * with Global.next_cfg. */
void
vtap_status_write(struct vtap_status *st, struct ovsdb_idl_txn *txn,
                  const struct ovsdb_idl *idl,
                  const struct vtap_stages *stages,
                  const struct flow_counters *counters,
                  struct vtap_resolver *resolver, bool applied)
{
    struct baselines_by_vtap baselines = {
        .counters = counters,
        .groups = HMAP_INITIALIZER(&baselines.groups),
    };
    const struct vtaprec_vtap *row;

    VTAPREC_VTAP_FOR_EACH (row, idl) {
        const struct vtap_want *want = vtap_desired_find(stages->desired,
                                                         &row->header_.uuid);
        if (want) {
            write_realization(st, txn, idl, row, want, stages, &baselines);
        }
    }
    baselines_destroy(&baselines.groups);

    /* Forget the totals of deleted rows. */
    struct totals *t;
    HMAP_FOR_EACH_SAFE (t, node, &st->vtaps) {
        if (!vtaprec_vtap_get_for_uuid(idl, &t->uuid)) {
            hmap_remove(&st->vtaps, &t->node);
            free(t);
        }
    }
    HMAP_FOR_EACH_SAFE (t, node, &st->rules) {
        const struct vtaprec_capture_rule *r
            = vtaprec_capture_rule_get_for_uuid(idl, &t->uuid);
        if (!r) {
            hmap_remove(&st->rules, &t->node);
            free(t);
        } else if (stats_differ(r->key_statistics, r->value_statistics,
                                r->n_statistics, rule_keys, t->v,
                                N_RULE_KEYS)) {
            vtaprec_capture_rule_set_statistics(
                r, CONST_CAST(const char **, rule_keys), t->v, N_RULE_KEYS);
        }
    }

    const struct vtaprec_target *target;
    VTAPREC_TARGET_FOR_EACH (target, idl) {
        write_target_status(target, resolver);
    }

    const struct vtaprec_global *global = vtaprec_global_first(idl);
    if (applied && global && global->cur_cfg != global->next_cfg) {
        vtaprec_global_set_cur_cfg(global, global->next_cfg);
    }
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

/* Returns the state last written for VTAP 'uuid', or "unknown". */
const char *
vtap_status_state(const struct vtap_status *st, const struct uuid *uuid)
{
    const struct totals *t = totals_find(&st->vtaps, uuid);

    return t && t->state ? t->state : "unknown";
}

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

/* ovs-vtapd: the ovs-vtap controller daemon.  It watches the VTAP and
 * Open_vSwitch databases and realizes each VTAP on this host as Mirror
 * rows, patch ports, a mirror bridge, a VXLAN port and OpenFlow flows, and
 * writes status and counters back.  This file holds the main loop, the
 * options and the ovs-appctl commands. */

#include <config.h>

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "command-line.h"
#include "coverage.h"
#include "daemon.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "memory.h"
#include "flow-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/vtap-resolver.h"
#include "flow.h"
#include "hash.h"
#include "host-row.h"
#include "ovsdb-idl.h"
#include "path-mtu.h"
#include "revalidation.h"
#include "simap.h"
#include "smap.h"
#include "stopwatch.h"
#include "stream.h"
#include "stream-ssl.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "uuidset.h"
#include "vswitch-config.h"
#include "vswitch-idl.h"
#include "vtap-cleanup.h"
#include "vtap-changes.h"
#include "vtap-desired.h"
#include "vtap-monitor.h"
#include "vtap-names.h"
#include "vtap-idl.h"
#include "vtap-pipeline.h"
#include "vtap-status.h"

VLOG_DEFINE_THIS_MODULE(ovs_vtapd);

COVERAGE_DEFINE(vtapd_full_run);
COVERAGE_DEFINE(vtapd_incremental_run);
COVERAGE_DEFINE(vtapd_desired_full);
COVERAGE_DEFINE(vtapd_desired_incremental);
COVERAGE_DEFINE(vtapd_vtap_built);
COVERAGE_DEFINE(vtapd_ovs_change_ignored);
COVERAGE_DEFINE(vtapd_check_incremental_ok);
COVERAGE_DEFINE(vtapd_check_incremental_diff);

/* Stopwatches of the passes, in "stopwatch/show". */
#define SW_FULL_RUN "vtapd-full-run"
#define SW_INCREMENTAL_RUN "vtapd-incremental-run"

/* Command-line settings. */
static char *vswitch_remote;
static char *vtap_remote;
static long long int stats_interval = 5000;     /* Milliseconds. */
static bool resolver_configured;    /* --dns-forwarder or --dns-hosts. */
static char *unixctl_path;          /* --unixctl, or NULL for default. */
static bool check_incremental;      /* --check-incremental. */
static char *host_name;             /* --host, or NULL for the system-id. */
static struct vtap_resolver_options resolver_options = {
    .hosts_file = "/etc/hosts",
    .min_ttl = 5,
    .max_ttl = 3600,
    .retry = 5,
};

/* The daemon's state. */
struct vtapd {
    struct ovsdb_idl_loop ovs_loop;
    struct ovsdb_idl_loop vtap_loop;
    struct vtap_resolver *resolver;
    struct path_mtu *paths;     /* Path MTU toward each target. */
    struct revalidation *reval; /* ovs-vswitchd's revalidators' rounds. */
    struct shash flow_tables;   /* Mirror bridge name -> flow_table. */
    struct uuidset holding;     /* VTAPs no longer realized here whose
                                 * flows stay until the switch credited
                                 * them with what they matched (hold_until,
                                 * hold_departed()). */
    long long int hold_until;   /* When they go, 0 once the Mirror change
                                 * is applied. */
    struct shash draining;      /* Of those, the mirror bridges that no
                                 * VTAP needs, kept until their flows are
                                 * deleted and have given their counts:
                                 * name -> "long long int" deadline. */
    struct flow_counters counters;  /* What the flows counted. */
    struct vtap_status *status;
    struct host_row *host;      /* This host's name and Host row. */
    struct vtap_monitor *monitor; /* The VTAP rows that this host gets. */
    size_t n_hosts;             /* Hosts that share the VTAP database. */

    /* The stages, each the output of one module (see vtap_stages). */
    struct vtap_desired desired;        /* What the databases ask for. */
    struct vtap_rule_cache *rules;      /* Its rules, parsed. */
    struct vtap_changes changes;        /* What changed in its inputs of the
                                         * VTAP database since it was
                                         * built. */
    bool desired_stale;         /* Build the desired state anew in the next
                                 * pass, not only the VTAPs that
                                 * 'changes' concern: something else that
                                 * it is built from changed. */
    struct vtap_places places;          /* Where it is realized. */
    struct vtap_pipeline pipeline;      /* What its flows became. */

    unsigned int ovs_seqno, vtap_seqno;
    bool ovs_concerned;         /* An Open_vSwitch change since the last
                                 * pass may concern a VTAP or what
                                 * ovs-vtapd made. */
    bool need_recompute;        /* Run a pass even if nothing changed. */
    bool ovs_connected;         /* Each IDL's connection in the last pass, */
    bool vtap_connected;        /* to see it come back (need_full). */
    bool need_full;             /* Build every flow again in the next pass,
                                 * not only those of the VTAPs that
                                 * changed. */
    bool mirror_pending;        /* Our Open_vSwitch changes may not be
                                 * applied by ovs-vswitchd yet. */
    unsigned long long int n_passes;    /* Passes run. */
    char *not_ready;            /* After the last pass, the first running
                                 * VTAP whose flows are not made, or NULL
                                 * (find_not_ready()). */
    bool status_dirty;          /* Counts collected, not yet written. */
    uint32_t status_inputs;     /* status_inputs_hash() when the status
                                 * was last written. */

    bool exiting;
    bool cleanup;               /* "exit --cleanup": removing what we made. */
    struct unixctl_conn *exit_conn;     /* Its reply, once done. */

    /* A clean exit first polls the counters and writes them. */
    long long int exit_deadline;    /* Exit then anyway; 0: not begun. */
    long long int exit_poll_at;     /* Poll then, 0 once polled. */
    bool exit_polled;           /* Every flow table's last poll counted. */
    bool exit_written;          /* The final counts are in a transaction. */
    bool exit_committed;        /* That transaction was sent. */
};

static void parse_options(int argc, char *argv[]);
static void warn_plain_tcp(const char *remote);
OVS_NO_RETURN static void usage(void);
static unixctl_cb_func vtapd_exit;
static unixctl_cb_func vtapd_show;
static unixctl_cb_func vtapd_recompute;
static void find_not_ready(struct vtapd *);

/* Makes the set of flow tables match the mirror bridges in use. */
static void
sync_flow_tables(struct vtapd *d)
{
    struct shash wanted = SHASH_INITIALIZER(&wanted);
    const struct vtap_place *place;

    HMAP_FOR_EACH (place, node, &d->places.map) {
        /* Once a port has a number, the bridge exists in the switch. */
        if (place->mirror_bridge && place->ingress_ofport) {
            shash_add_once(&wanted, place->mirror_bridge, NULL);
        }
    }
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &d->flow_tables) {
        if (shash_find(&wanted, node->name)) {
            free(shash_find_and_delete(&d->draining, node->name));
        } else if (flow_table_is_connected(node->data)) {
            /* Its flows go first: their removal gives their last counts
             * (drain_flow_tables()), within a few statistics intervals. */
            if (!shash_find(&d->draining, node->name)) {
                long long int deadline = time_msec() + 3 * stats_interval;
                shash_add(&d->draining, node->name,
                          xmemdup(&deadline, sizeof deadline));
            }
        } else {
            free(shash_find_and_delete(&d->draining, node->name));
            flow_table_destroy(node->data);
            shash_delete(&d->flow_tables, node);
        }
    }
    SHASH_FOR_EACH (node, &wanted) {
        if (!shash_find(&d->flow_tables, node->name)) {
            shash_add(&d->flow_tables, node->name,
                      flow_table_create(node->name, ovs_rundir(),
                                        d->reval, &d->counters));
        }
    }
    shash_destroy(&wanted);
}

/* How long the flows of a VTAP that left stay after the switch applied
 * the removal of its Mirror rows, and how long a clean exit waits after a
 * touch before its last poll: Open vSwitch credits a flow with what it
 * matched only when its revalidators next see the datapath flows (at once
 * after a flow change, which the touch makes, at most 500 ms otherwise);
 * a flow deleted or polled before that misses those counts. */
#define VTAPD_HOLD_MSEC 600

/* In a pass that is not 'full', keeps the flows of the VTAPs that were
 * built but are no longer wanted (their source left this host, they were
 * stopped or deleted) for VTAPD_HOLD_MSEC after the Mirror change that
 * stops their traffic is applied, so that their final counts are whole.
 * A full pass drops them. */
static void
hold_departed(struct vtapd *d, bool full)
{
    const struct vtap_compiled *vc;
    bool added = false;

    if (full) {
        uuidset_clear(&d->holding);
        return;
    }
    if (!uuidset_is_empty(&d->holding) && !d->mirror_pending
        && d->hold_until && time_msec() >= d->hold_until) {
        /* Time is up for all of them, also those that left since. */
        uuidset_clear(&d->holding);
        d->hold_until = 0;
        return;
    }
    HMAP_FOR_EACH (vc, node, &d->pipeline.vtaps) {
        if (!vtap_desired_find(&d->desired, &vc->uuid)
            && !uuidset_find(&d->holding, &vc->uuid)) {
            uuidset_insert(&d->holding, &vc->uuid);
            added = true;
        }
    }
    if (added) {
        d->hold_until = d->mirror_pending ? 0 : time_msec() + VTAPD_HOLD_MSEC;
    }
}

/* Once the held flows' time is up, a pass retracts them. */
static void
check_holding(struct vtapd *d)
{
    if (!uuidset_is_empty(&d->holding) && !d->mirror_pending) {
        if (!d->hold_until) {
            d->hold_until = time_msec() + VTAPD_HOLD_MSEC;
        }
        if (time_msec() >= d->hold_until) {
            d->need_recompute = true;
        } else {
            poll_timer_wait_until(d->hold_until);
        }
    }
}

/* Adds to 'names' the mirror bridges whose flow tables are connected: a
 * bridge that no VTAP needs any more stays until its flow table has
 * deleted its flows (drain_flow_tables()). */
static void
connected_flow_tables(const struct vtapd *d, struct sset *names)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &d->flow_tables) {
        if (flow_table_is_connected(node->data)) {
            sset_add(names, node->name);
        }
    }
}

/* Destroys the flow table of each draining mirror bridge once its flows
 * are deleted and their final counts came (the switch sends them after it
 * confirms the deletion), or once it is disconnected or its deadline
 * passed, and has its bridge removed in the next pass. */
static void
drain_flow_tables(struct vtapd *d)
{
    struct shash_node *node;

    if (!uuidset_is_empty(&d->holding)) {
        /* Held flows may be in them (check_holding() wakes us). */
        return;
    }
    SHASH_FOR_EACH_SAFE (node, &d->draining) {
        struct flow_table *ft = shash_find_data(&d->flow_tables, node->name);
        const long long int *deadline = node->data;

        if (ft && flow_table_is_connected(ft) && time_msec() < *deadline
            && (!flow_table_is_synced(ft)
                || flow_counters_awaiting_removal(&d->counters,
                                                  node->name))) {
            poll_timer_wait_until(*deadline);
            continue;
        }
        if (ft) {
            VLOG_DBG("%s: flows deleted, removing the bridge", node->name);
            flow_table_destroy(ft);
            shash_find_and_delete(&d->flow_tables, node->name);
        }
        free(node->data);
        shash_delete(&d->draining, node);
        d->need_recompute = true;
    }
}

/* Asks ovs-vswitchd to tell us when it has applied our changes, by
 * bumping Open_vSwitch.next_cfg in 'txn', as "ovs-vsctl --wait" does. */
static void
bump_next_cfg(struct vtapd *d, struct ovsdb_idl_txn *txn)
{
    const struct ovsrec_open_vswitch *cfg
        = ovsrec_open_vswitch_first(d->ovs_loop.idl);

    if (cfg) {
        ovsrec_open_vswitch_verify_next_cfg(cfg);
        ovsrec_open_vswitch_set_next_cfg(cfg, cfg->next_cfg + 1);
        d->mirror_pending = true;
        ovsdb_idl_txn_add_comment(txn, "ovs-vtapd: realizing VTAPs");
    }
}

/* Returns what the stages made, for the status writer. */
static struct vtap_stages
vtapd_stages(const struct vtapd *d)
{
    return (struct vtap_stages) {
        .desired = &d->desired,
        .places = &d->places,
        .pipeline = &d->pipeline,
        .flow_tables = &d->flow_tables,
    };
}

/* After an incremental pass, or a change of Open_vSwitch that concerned
 * no VTAP, builds everything again from scratch from both databases: the
 * desired state, the places (reading Open_vSwitch only) and every flow, into
 * tables of desired flows of their own; and logs an error for each
 * difference from what ovs-vtapd holds: the flows of each mirror bridge and
 * what became of each VTAP (--check-incremental).  Skipped while the switch
 * refuses flows or holds the flows of VTAPs that left (the scratch tables
 * know nothing of refusals or of what left). */
static void
check_incremental_pass(struct vtapd *d)
{
    struct shash scratch = SHASH_INITIALIZER(&scratch);
    struct flow_counters counters;
    struct vtap_desired desired;
    struct vtap_places places;
    struct vtap_pipeline pl;
    struct shash_node *node;
    bool equal = true;

    SHASH_FOR_EACH (node, &d->flow_tables) {
        if (flow_table_has_refusals(node->data)) {
            VLOG_DBG("incremental check skipped: %s refuses flows",
                     node->name);
            return;
        }
    }
    if (!uuidset_is_empty(&d->holding)) {
        VLOG_DBG("incremental check skipped: flows of VTAPs that left are "
                 "held");
        return;
    }
    vtap_desired_build(&desired, host_row_name(d->host, d->ovs_loop.idl),
                       d->n_hosts,
                       d->ovs_loop.idl, d->vtap_loop.idl, d->resolver,
                       d->paths, NULL);
    vtap_places_init(&places);
    struct sset keep = SSET_INITIALIZER(&keep);
    connected_flow_tables(d, &keep);
    vswitch_config_run(NULL, d->ovs_loop.idl, &desired, &places, &keep);
    sset_destroy(&keep);
    flow_counters_init(&counters);
    vtap_pipeline_init(&pl);
    SHASH_FOR_EACH (node, &d->flow_tables) {
        shash_add(&scratch, node->name,
                  flow_table_create(node->name, NULL, NULL, &counters));
    }
    vtap_pipeline_run(&pl, &desired, &places, &scratch, true, NULL);

    SHASH_FOR_EACH (node, &d->flow_tables) {
        struct ds diff = DS_EMPTY_INITIALIZER;

        if (!flow_table_desired_equal(node->data,
                                      shash_find_data(&scratch, node->name),
                                      &diff)) {
            VLOG_ERR("incremental check: the flows of %s differ from a full "
                     "recompute (first: incremental, second: full):\n%s",
                     node->name, ds_cstr(&diff));
            equal = false;
        }
        ds_destroy(&diff);
    }
    const struct vtap_compiled *full;
    HMAP_FOR_EACH (full, node, &pl.vtaps) {
        const struct vtap_compiled *inc = vtap_pipeline_find(&d->pipeline,
                                                             &full->uuid);
        if (!inc || inc->n_flows != full->n_flows
            || inc->dispatched != full->dispatched
            || !nullable_string_is_equal(inc->error, full->error)) {
            VLOG_ERR("incremental check: VTAP "UUID_FMT" differs from a "
                     "full recompute: %"PRIuSIZE" flows, %s, error \"%s\" "
                     "instead of %"PRIuSIZE" flows, %s, error \"%s\"",
                     UUID_ARGS(&full->uuid), inc ? inc->n_flows : 0,
                     inc && inc->dispatched ? "dispatched" : "not dispatched",
                     inc && inc->error ? inc->error : "",
                     full->n_flows,
                     full->dispatched ? "dispatched" : "not dispatched",
                     full->error ? full->error : "");
            equal = false;
        }
    }
    if (hmap_count(&pl.vtaps) != hmap_count(&d->pipeline.vtaps)) {
        VLOG_ERR("incremental check: %"PRIuSIZE" VTAPs instead of %"PRIuSIZE,
                 hmap_count(&d->pipeline.vtaps), hmap_count(&pl.vtaps));
        equal = false;
    }
    if (equal) {
        COVERAGE_INC(vtapd_check_incremental_ok);
    } else {
        COVERAGE_INC(vtapd_check_incremental_diff);
    }

    SHASH_FOR_EACH (node, &scratch) {
        flow_table_destroy(node->data);
    }
    shash_destroy(&scratch);
    vtap_pipeline_destroy(&pl);
    flow_counters_destroy(&counters);
    vtap_places_destroy(&places);
    vtap_desired_destroy(&desired);
}

/* Rebuilds the desired state and everything derived from it: the flows
 * of the VTAPs whose inputs changed, or every flow after 'need_full'. */
static void
recompute(struct vtapd *d, struct ovsdb_idl_txn *ovs_txn)
{
    bool full = d->need_full;
    const char *sw = full ? SW_FULL_RUN : SW_INCREMENTAL_RUN;

    stopwatch_start(sw, time_msec());
    d->n_passes++;
    if (full || d->desired_stale
        || !vtap_desired_update(&d->desired, &d->changes, d->ovs_loop.idl,
                                d->vtap_loop.idl, d->resolver, d->paths,
                                d->rules)) {
        vtap_desired_destroy(&d->desired);
        vtap_desired_build(&d->desired,
                           host_row_name(d->host, d->ovs_loop.idl),
                           d->n_hosts, d->ovs_loop.idl, d->vtap_loop.idl,
                           d->resolver, d->paths, d->rules);
        path_mtu_sweep(d->paths);
        COVERAGE_INC(vtapd_desired_full);
    } else {
        COVERAGE_INC(vtapd_desired_incremental);
    }
    vtap_changes_clear(&d->changes);
    d->desired_stale = false;
    vtap_places_destroy(&d->places);
    vtap_places_init(&d->places);
    struct sset keep = SSET_INITIALIZER(&keep);
    connected_flow_tables(d, &keep);
    if (vswitch_config_run(ovs_txn, d->ovs_loop.idl, &d->desired, &d->places,
                           &keep)
        && ovs_txn) {
        bump_next_cfg(d, ovs_txn);
    }
    sset_destroy(&keep);
    sync_flow_tables(d);
    hold_departed(d, full);
    vtap_pipeline_run(&d->pipeline, &d->desired, &d->places,
                      &d->flow_tables, full, &d->holding);
    find_not_ready(d);
    d->need_full = false;
    stopwatch_stop(sw, time_msec());
    if (full) {
        COVERAGE_INC(vtapd_full_run);
    } else {
        COVERAGE_INC(vtapd_incremental_run);
    }
    COVERAGE_ADD(vtapd_vtap_built, d->pipeline.n_built);
    if (check_incremental && !full) {
        check_incremental_pass(d);
    }
}

/* Returns true if everything wanted is in place. */
static bool
all_applied(const struct vtapd *d)
{
    const struct ovsrec_open_vswitch *cfg
        = ovsrec_open_vswitch_first(d->ovs_loop.idl);
    struct shash_node *node;

    if (!cfg || d->need_recompute || d->mirror_pending
        || d->ovs_loop.committing_txn || !uuidset_is_empty(&d->holding)
        || !shash_is_empty(&d->draining)) {
        VLOG_DBG("not applied: %s", !cfg ? "no Open_vSwitch row"
                 : d->need_recompute ? "recompute pending"
                 : d->mirror_pending ? "waiting for ovs-vswitchd"
                 : d->ovs_loop.committing_txn
                 ? "Open_vSwitch transaction in progress"
                 : "flows of VTAPs that left still held or draining");
        return false;
    }
    SHASH_FOR_EACH (node, &d->flow_tables) {
        if (!flow_table_is_synced(node->data)) {
            VLOG_DBG("not applied: flows of %s not in place", node->name);
            return false;
        }
    }
    if (d->not_ready) {
        VLOG_DBG("not applied: VTAP %s not ready", d->not_ready);
        return false;
    }
    if (!vtap_monitor_is_ready(d->monitor, d->vtap_loop.idl)) {
        VLOG_DBG("not applied: the VTAPs of a new iface-id not here yet");
        return false;
    }
    return true;
}

/* Finds, after a pass, the first running VTAP whose flows the pipeline has
 * not made yet (nor found in error), for all_applied(): what the pipeline
 * made changes only in a pass. */
static void
find_not_ready(struct vtapd *d)
{
    struct vtap_want *want;

    free(d->not_ready);
    d->not_ready = NULL;
    HMAP_FOR_EACH (want, node, &d->desired.vtaps) {
        const struct vtap_compiled *vc = vtap_pipeline_find(&d->pipeline,
                                                            &want->uuid);
        if (want->enabled && (!vc || (!vc->error && !vc->dispatched))) {
            d->not_ready = xstrdup(want->name);
            return;
        }
    }
}

/* Touches every flow table once ovs-vswitchd has applied our Open_vSwitch
 * changes (its cur_cfg caught up with next_cfg after our transaction
 * committed), so that its cached datapath flows see new Mirror rows. */
static void
check_mirror_cfg(struct vtapd *d)
{
    const struct ovsrec_open_vswitch *cfg
        = ovsrec_open_vswitch_first(d->ovs_loop.idl);

    if (d->mirror_pending && !d->ovs_loop.committing_txn
        && cfg && cfg->cur_cfg >= cfg->next_cfg) {
        struct shash_node *node;

        VLOG_DBG("ovs-vswitchd applied cfg %"PRId64, cfg->cur_cfg);
        d->mirror_pending = false;
        SHASH_FOR_EACH (node, &d->flow_tables) {
            flow_table_touch(node->data);
        }
        /* Ports now have OpenFlow numbers. */
        d->need_recompute = true;
    }
}

/* Returns a hash of everything that the status that vtap_status_write()
 * writes depends on, but the counters: the VTAP database, the passes, the
 * state of each flow table, what keeps the configuration from being
 * applied, and the exit.  While it stays the same and no counts were
 * collected, the status is not written again (writing it visits every
 * VTAP). */
static uint32_t
status_inputs_hash(const struct vtapd *d)
{
    uint32_t hash = hash_int(ovsdb_idl_get_seqno(d->vtap_loop.idl), 0);
    struct shash_node *node;

    hash = hash_uint64_basis(d->n_passes, hash);
    hash = hash_int((d->need_recompute << 0) | (d->mirror_pending << 1)
                    | ((d->ovs_loop.committing_txn != NULL) << 2)
                    | (d->exit_polled << 3), hash);
    SHASH_FOR_EACH (node, &d->flow_tables) {
        const struct flow_table *ft = node->data;

        hash = hash_string(node->name, hash);
        hash = hash_int((flow_table_is_synced(ft) << 0)
                        | (flow_table_is_repairing(ft) << 1)
                        | (flow_table_is_connected(ft) << 2), hash);
    }
    return hash;
}

/* Returns a number that changes whenever the part of the VTAP database
 * that the desired state is built from changes.  The daemon's own rows
 * (Realization) are left out: an IDL counts its own row insert as a change
 * whatever the column alerts, and the recompute it would cause is
 * useless. */
static unsigned int
vtap_input_seqno(const struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_table_class *const inputs[] = {
        &vtaprec_table_global,
        &vtaprec_table_vtap,
        &vtaprec_table_capture_filter,
        &vtaprec_table_capture_rule,
        &vtaprec_table_target,
    };
    unsigned int seqno = 0;

    for (size_t i = 0; i < ARRAY_SIZE(inputs); i++) {
        seqno = MAX(seqno, ovsdb_idl_table_get_seqno(idl, inputs[i]));
    }
    return seqno;
}

/* After either database connection comes back, the next pass is a full
 * one: whatever changed while it was down is built from scratch, not
 * inferred from what the IDL reports as changed. */
static void
check_reconnection(struct vtapd *d)
{
    bool ovs_up = ovsdb_idl_is_connected(d->ovs_loop.idl);
    bool vtap_up = ovsdb_idl_is_connected(d->vtap_loop.idl);

    if ((ovs_up && !d->ovs_connected) || (vtap_up && !d->vtap_connected)) {
        d->need_recompute = true;
        d->need_full = true;
    }
    d->ovs_connected = ovs_up;
    d->vtap_connected = vtap_up;
}

static void
run(struct vtapd *d)
{
    struct ovsdb_idl_txn *ovs_txn = ovsdb_idl_loop_run(&d->ovs_loop);
    struct ovsdb_idl_txn *vtap_txn = ovsdb_idl_loop_run(&d->vtap_loop);
    unsigned int ovs_seqno = ovsdb_idl_get_seqno(d->ovs_loop.idl);
    unsigned int vtap_seqno = vtap_input_seqno(d->vtap_loop.idl);

    /* Every change is noted, also in a pass that builds nothing. */
    vtap_changes_collect(&d->changes, d->vtap_loop.idl);
    enum vtap_ovs_change ovs_change = vtap_desired_ovs_changed(
        &d->desired, d->ovs_loop.idl);
    if (ovs_change == VTAP_OVS_SOURCES) {
        d->desired_stale = true;
    }
    if (ovs_change != VTAP_OVS_NONE) {
        d->ovs_concerned = true;
    }
    if (d->resolver && vtap_resolver_run(d->resolver)) {
        d->need_recompute = true;
        d->desired_stale = true;
    }
    if (path_mtu_run(d->paths, d->ovs_loop.idl)) {
        d->need_recompute = true;
        d->desired_stale = true;
    }
    check_mirror_cfg(d);
    check_holding(d);
    check_reconnection(d);
    if (!ovsdb_idl_has_ever_connected(d->ovs_loop.idl)
        || !ovsdb_idl_has_ever_connected(d->vtap_loop.idl)) {
        /* Until both databases are read, nothing is known to be stale. */
        return;
    }
    vtap_status_set_host(d->status, d->vtap_loop.idl,
                         host_row_name(d->host, d->ovs_loop.idl));
    host_row_set_condition(d->host, d->vtap_loop.idl, d->ovs_loop.idl);
    vtap_monitor_run(d->monitor, d->vtap_loop.idl, d->ovs_loop.idl,
                     host_row_name(d->host, d->ovs_loop.idl));
    if (!vtap_monitor_is_ready(d->monitor, d->vtap_loop.idl)
        && !vtap_monitor_was_ready(d->monitor)) {
        /* This host's VTAPs are not here yet: nothing is known stale. */
        return;
    }
    if (!vtap_status_is_ready(d->status, d->vtap_loop.idl)) {
        /* The counters continue from this host's rows, not yet here. */
        return;
    }
    /* (Counted every time: the Host rows change without alerts.) */
    size_t n_hosts = host_row_count_hosts(d->host, d->vtap_loop.idl,
                                          d->ovs_loop.idl);
    if (n_hosts != d->n_hosts) {
        /* Sources that name no host are this host's only if it is alone. */
        d->n_hosts = n_hosts;
        d->need_recompute = true;
        d->desired_stale = true;
    }
    if (ovs_seqno != d->ovs_seqno && vtap_seqno == d->vtap_seqno
        && !d->need_recompute && !d->ovs_concerned) {
        /* Nothing that changed in Open_vSwitch concerns a VTAP. */
        d->ovs_seqno = ovs_seqno;
        COVERAGE_INC(vtapd_ovs_change_ignored);
        if (check_incremental) {
            check_incremental_pass(d);
        }
    }
    if (ovs_seqno != d->ovs_seqno || vtap_seqno != d->vtap_seqno
        || d->need_recompute) {
        d->ovs_seqno = ovs_seqno;
        d->vtap_seqno = vtap_seqno;
        /* Without a transaction (one is still committing), only read, and
         * come back once it is done. */
        d->need_recompute = !ovs_txn;
        d->ovs_concerned = false;
        recompute(d, ovs_txn);
        vtap_status_update(d->status, d->vtap_loop.idl, &d->desired,
                           &d->counters);
    }

    drain_flow_tables(d);
    revalidation_run(d->reval);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &d->flow_tables) {
        flow_table_run(node->data, stats_interval);
        if (flow_table_refusals_changed(node->data)) {
            /* VTAPs go in or out of error, and of the dispatch. */
            d->need_recompute = true;
            d->need_full = true;
        }
    }

    if (vtap_status_collect(d->status, &d->counters)) {
        d->status_dirty = true;
    }
    bool applied = all_applied(d);
    if (vtap_txn) {
        /* The heartbeat and applied configuration, on their own clock. */
        host_row_run(d->host, vtap_txn, d->vtap_loop.idl, d->ovs_loop.idl,
                     applied);
    }
    uint32_t status_inputs = status_inputs_hash(d);
    /* The health of pool backends, which no pass reads, except where a
     * mirror bridge follows another's BFD session: a pass then builds its
     * bundle again without the dead backend. */
    bool followed_changed = false;
    status_inputs = hash_int(vtap_places_update_backends(&d->places,
                                                         d->ovs_loop.idl,
                                                         &d->desired,
                                                         &followed_changed),
                             status_inputs);
    if (followed_changed) {
        d->need_recompute = true;
        poll_immediate_wake();
    }
    if (vtap_txn && (d->status_dirty || status_inputs != d->status_inputs)) {
        struct vtap_stages stages = vtapd_stages(d);
        vtap_status_write(d->status, vtap_txn, d->vtap_loop.idl, &stages,
                          &d->counters);
        d->exit_written = d->exit_polled;
        d->status_dirty = false;
        d->status_inputs = status_inputs;
    }
}

/* Reports the daemon's memory use in "memory/show" and the log. */
static void
report_memory(const struct vtapd *d)
{
    struct simap usage = SIMAP_INITIALIZER(&usage);
    struct shash_node *node;
    size_t n_flows = 0;

    SHASH_FOR_EACH (node, &d->flow_tables) {
        n_flows += flow_table_count(node->data);
    }
    simap_put(&usage, "vtaps", hmap_count(&d->desired.vtaps));
    simap_put(&usage, "mirror-bridges", shash_count(&d->flow_tables));
    simap_put(&usage, "flows", n_flows);
    simap_put(&usage, "flow-baselines", hmap_count(&d->counters.baselines));
    memory_report(&usage);
    simap_destroy(&usage);
}

/* Instead of run() after "exit --cleanup": removes everything that
 * ovs-vtapd made, and once it is gone and ovs-vswitchd has applied it,
 * lets the daemon exit. */
static void
cleanup_run(struct vtapd *d)
{
    struct ovsdb_idl_txn *ovs_txn = ovsdb_idl_loop_run(&d->ovs_loop);
    struct ovsdb_idl_txn *vtap_txn = ovsdb_idl_loop_run(&d->vtap_loop);
    bool done = true;

    check_mirror_cfg(d);
    if (!ovsdb_idl_has_ever_connected(d->ovs_loop.idl)
        || !ovsdb_idl_has_ever_connected(d->vtap_loop.idl)) {
        /* What an earlier ovs-vtapd made is known once they are read. */
        return;
    }
    if (!ovs_txn || d->mirror_pending) {
        done = false;
    } else if (vtap_cleanup_ovs(ovs_txn, d->ovs_loop.idl)) {
        bump_next_cfg(d, ovs_txn);
        done = false;
    }
    const char *host = host_row_name(d->host, d->ovs_loop.idl);
    if (!vtap_txn
        || vtap_cleanup_realizations(vtap_txn, d->vtap_loop.idl, host)
        || host_row_cleanup(vtap_txn, d->vtap_loop.idl, host)) {
        done = false;
    }
    if (done) {
        VLOG_INFO("removed everything that ovs-vtapd made, exiting");
        d->exiting = true;
    }
}

/* On a clean exit, returns true once the final counters are written: every
 * flow table touched, polled once more VTAPD_HOLD_MSEC later, and those
 * counts committed to the VTAP database; or once that took too long.
 * Called after wait(), which sent the transaction that run() filled in. */
static bool
exit_is_done(struct vtapd *d)
{
    struct shash_node *node;

    d->exit_committed = d->exit_written;
    if (!d->exit_deadline) {
        /* First the switch credits its flows with what the datapath
         * matched (VTAPD_HOLD_MSEC), then they are polled. */
        d->exit_deadline = time_msec() + 3000;
        d->exit_poll_at = time_msec() + VTAPD_HOLD_MSEC;
        SHASH_FOR_EACH (node, &d->flow_tables) {
            flow_table_touch(node->data);
        }
        poll_timer_wait_until(d->exit_poll_at);
        return false;
    }
    if (time_msec() >= d->exit_deadline) {
        VLOG_WARN("exiting before the last counters were written");
        return true;
    }
    if (d->exit_poll_at) {
        if (time_msec() < d->exit_poll_at) {
            poll_timer_wait_until(d->exit_poll_at);
            return false;
        }
        d->exit_poll_at = 0;
        SHASH_FOR_EACH (node, &d->flow_tables) {
            flow_table_poll_stats(node->data);
        }
        poll_immediate_wake();
        return false;
    }
    if (!d->exit_polled) {
        SHASH_FOR_EACH (node, &d->flow_tables) {
            if (!flow_table_poll_done(node->data)) {
                poll_timer_wait_until(d->exit_deadline);
                return false;
            }
        }
        d->exit_polled = true;
        poll_immediate_wake();
        return false;
    }
    poll_timer_wait_until(d->exit_deadline);
    return d->exit_committed && !d->vtap_loop.committing_txn;
}

static void
wait(struct vtapd *d)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &d->flow_tables) {
        flow_table_wait(node->data);
    }
    if (d->resolver) {
        vtap_resolver_wait(d->resolver);
    }
    path_mtu_wait(d->paths);
    revalidation_wait(d->reval);
    host_row_wait(d->host);
    /* While our Open_vSwitch transaction commits, its reply wakes us. */
    if (d->need_recompute && !d->ovs_loop.committing_txn) {
        poll_immediate_wake();
    }
    ovsdb_idl_loop_commit_and_wait(&d->ovs_loop);
    ovsdb_idl_loop_commit_and_wait(&d->vtap_loop);
}

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    struct vtapd d;
    char *error;
    int retval;

    ovs_cmdl_proctitle_init(argc, argv);
    set_program_name(argv[0]);
    service_start(&argc, &argv);
    fatal_ignore_sigpipe();
    parse_options(argc, argv);

    daemonize_start(false);
    warn_plain_tcp(vtap_remote);
    retval = unixctl_server_create(unixctl_path, &unixctl);
    if (retval) {
        exit(EXIT_FAILURE);
    }
    memset(&d, 0, sizeof d);

    /* After the fork of --detach (libunbound may run a thread), before the
     * parent returns, so that a bad setting makes the start fail. */
    error = vtap_resolver_create(&resolver_options, &d.resolver);
    if (error) {
        if (resolver_configured) {
            ovs_fatal(0, "%s", error);
        }
        VLOG_WARN("DNS names of targets will not resolve: %s", error);
        free(error);
        d.resolver = NULL;
    }
    unixctl_command_register("exit", "[--cleanup]", 0, 1, vtapd_exit, &d);
    unixctl_command_register("vtap/show", "[VTAP]", 0, 1, vtapd_show, &d);
    unixctl_command_register("vtap/recompute", "", 0, 0, vtapd_recompute,
                             &d);
    daemonize_complete();

    struct ovsdb_idl *ovs_idl = ovsdb_idl_create(vswitch_remote,
                                                 &ovsrec_idl_class,
                                                 true, true);
    vswitch_config_register_columns(ovs_idl);
    d.ovs_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(ovs_idl);
    d.vtap_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(
        ovsdb_idl_create(vtap_remote, &vtaprec_idl_class, true, true));
    vtap_status_register_columns(d.vtap_loop.idl);
    vtap_changes_register_columns(d.vtap_loop.idl);
    host_row_register_columns(d.vtap_loop.idl);
    vtap_monitor_register(d.vtap_loop.idl);
    /* Any member of a clustered VTAP database will do for reading. */
    ovsdb_idl_set_leader_only(d.vtap_loop.idl, false);
    d.host = host_row_create(host_name, stats_interval);
    d.monitor = vtap_monitor_create();

    shash_init(&d.flow_tables);
    shash_init(&d.draining);
    uuidset_init(&d.holding);
    flow_counters_init(&d.counters);
    vtap_desired_init(&d.desired);
    vtap_changes_init(&d.changes);
    d.rules = vtap_rule_cache_create();
    vtap_places_init(&d.places);
    vtap_pipeline_init(&d.pipeline);
    d.status = vtap_status_create();
    d.paths = path_mtu_create(ovs_rundir());
    d.reval = revalidation_create(ovs_rundir());
    d.need_recompute = true;
    d.need_full = true;
    stopwatch_create(SW_FULL_RUN, SW_MS);
    stopwatch_create(SW_INCREMENTAL_RUN, SW_MS);

    for (;;) {
        memory_run();
        if (memory_should_report()) {
            report_memory(&d);
        }
        if (d.cleanup) {
            cleanup_run(&d);
        } else {
            run(&d);
        }
        /* The changes of Open_vSwitch rows were looked at by run(). */
        ovsdb_idl_track_clear(d.ovs_loop.idl);
        unixctl_server_run(unixctl);
        wait(&d);
        memory_wait();
        unixctl_server_wait(unixctl);
        if (d.exiting && (d.cleanup || exit_is_done(&d))) {
            break;
        }
        poll_block();
        if (should_service_stop()) {
            d.exiting = true;
        }
    }

    if (d.exit_conn) {
        unixctl_command_reply(d.exit_conn, NULL);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &d.flow_tables) {
        flow_table_destroy(node->data);
    }
    shash_destroy(&d.flow_tables);
    revalidation_destroy(d.reval);
    shash_destroy_free_data(&d.draining);
    uuidset_destroy(&d.holding);
    vtap_pipeline_destroy(&d.pipeline);
    vtap_places_destroy(&d.places);
    vtap_desired_destroy(&d.desired);
    vtap_changes_destroy(&d.changes);
    free(d.not_ready);
    vtap_rule_cache_destroy(d.rules);
    vtap_status_destroy(d.status);
    host_row_destroy(d.host);
    vtap_monitor_destroy(d.monitor);
    flow_counters_destroy(&d.counters);
    vtap_resolver_destroy(d.resolver);
    path_mtu_destroy(d.paths);
    ovsdb_idl_loop_destroy(&d.ovs_loop);
    ovsdb_idl_loop_destroy(&d.vtap_loop);
    unixctl_server_destroy(unixctl);
    service_stop();
    return 0;
}

static long long int
parse_uint_option(const char *name, const char *arg, long long int max)
{
    long long int value;

    if (!str_to_llong(arg, 10, &value) || value < 1 || value > max) {
        ovs_fatal(0, "--%s: \"%s\" is not an integer between 1 and %lld",
                  name, arg, max);
    }
    return value;
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_OVS_DB = UCHAR_MAX + 1,
        OPT_VTAP_DB,
        OPT_STATS_INTERVAL,
        OPT_DNS_FORWARDER,
        OPT_DNS_MIN_TTL,
        OPT_DNS_MAX_TTL,
        OPT_DNS_HOSTS,
        OPT_UNIXCTL,
        OPT_CHECK_INCREMENTAL,
        OPT_HOST,
        OPT_PEER_CA_CERT,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"ovs-db", required_argument, NULL, OPT_OVS_DB},
        {"vtap-db", required_argument, NULL, OPT_VTAP_DB},
        {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
        {"dns-forwarder", required_argument, NULL, OPT_DNS_FORWARDER},
        {"dns-min-ttl", required_argument, NULL, OPT_DNS_MIN_TTL},
        {"dns-max-ttl", required_argument, NULL, OPT_DNS_MAX_TTL},
        {"dns-hosts", required_argument, NULL, OPT_DNS_HOSTS},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"check-incremental", no_argument, NULL, OPT_CHECK_INCREMENTAL},
        {"host", required_argument, NULL, OPT_HOST},
        {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_OVS_DB:
            vswitch_remote = optarg;
            break;

        case OPT_VTAP_DB:
            vtap_remote = optarg;
            break;

        case OPT_STATS_INTERVAL:
            stats_interval = parse_uint_option("stats-interval", optarg,
                                               3600) * 1000;
            break;

        case OPT_DNS_FORWARDER:
            resolver_options.forwarder = optarg;
            resolver_configured = true;
            break;

        case OPT_DNS_MIN_TTL:
            resolver_options.min_ttl = parse_uint_option("dns-min-ttl",
                                                         optarg, 86400);
            break;

        case OPT_DNS_MAX_TTL:
            resolver_options.max_ttl = parse_uint_option("dns-max-ttl",
                                                         optarg, 86400);
            break;

        case OPT_DNS_HOSTS:
            resolver_options.hosts_file = optarg[0] ? optarg : NULL;
            resolver_configured = true;
            break;

        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case OPT_CHECK_INCREMENTAL:
            check_incremental = true;
            break;

        case OPT_HOST:
            if (!optarg[0]) {
                ovs_fatal(0, "--host: the host name must not be empty");
            }
            host_name = optarg;
            break;

        case 'h':
            usage();

        case 'V':
            printf("%s (ovs-vtap) %s\n", program_name, OVS_VTAP_VERSION);
            exit(EXIT_SUCCESS);

        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case OPT_PEER_CA_CERT:
            stream_ssl_set_peer_ca_cert_file(optarg);
            break;

        case '?':
            exit(EXIT_FAILURE);

        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    if (optind < argc) {
        ovs_fatal(0, "%s: unexpected argument (use --help for help)",
                  argv[optind]);
    }
    if (resolver_options.min_ttl > resolver_options.max_ttl) {
        ovs_fatal(0, "--dns-min-ttl (%u) is above --dns-max-ttl (%u)",
                  resolver_options.min_ttl, resolver_options.max_ttl);
    }
    if (!vswitch_remote) {
        vswitch_remote = xasprintf("unix:%s/db.sock", ovs_rundir());
    }
    if (!vtap_remote) {
        vtap_remote = xasprintf("unix:%s/db.sock", ovs_rundir());
    }
}

/* Warns about each member of the VTAP database that 'remote' reaches over
 * plain TCP: whoever is on the path can read and change the VTAPs. */
static void
warn_plain_tcp(const char *remote)
{
    char *copy = xstrdup(remote);
    char *save = NULL;

    for (char *r = strtok_r(copy, ",", &save); r;
         r = strtok_r(NULL, ",", &save)) {
        if (!strncmp(r, "tcp:", 4)) {
            VLOG_WARN("--vtap-db %s is plain TCP: anyone on the path can read "
                      "and change every VTAP (use ssl:)", r);
        }
    }
    free(copy);
}

static void
usage(void)
{
    printf("%s: ovs-vtap controller daemon\n"
           "usage: %s [OPTIONS]\n"
           "\nDatabases:\n"
           "  --ovs-db=REMOTE         Open_vSwitch database "
           "(default: unix:%s/db.sock)\n"
           "  --vtap-db=REMOTE        VTAP database (default: the same);\n"
           "                          REMOTE,REMOTE,... for the members of "
           "a cluster\n"
           "  --host=NAME             this host's name (default: "
           "external_ids:system-id)\n"
           "\nStatistics and names:\n"
           "  --stats-interval=SECS   poll flow counters every SECS "
           "(default: 5)\n"
           "  --dns-forwarder=IP[@PORT]  resolve target names there "
           "(default: /etc/resolv.conf)\n"
           "  --dns-min-ttl=SECS      floor of a name's TTL (default: 5)\n"
           "  --dns-max-ttl=SECS      ceiling of a name's TTL "
           "(default: 3600)\n"
           "  --dns-hosts=FILE        hosts file to read, \"\" for none "
           "(default: /etc/hosts)\n",
           program_name, program_name, ovs_rundir());
    stream_usage("--vtap-db", true, false, false);
    printf("  --peer-ca-cert=FILE     CA certificate of the peer, for "
           "TLS\n");
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "  --check-incremental     after each incremental pass, check it "
           "against a full one\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n");
    exit(EXIT_SUCCESS);
}

/* "exit": exits, leaving what is realized for a later ovs-vtapd to adopt.
 * "exit --cleanup": first removes everything that ovs-vtapd made, then
 * exits, and only then replies. */
static void
vtapd_exit(struct unixctl_conn *conn, int argc, const char *argv[],
           void *d_)
{
    struct vtapd *d = d_;

    if (argc > 1 && strcmp(argv[1], "--cleanup")) {
        unixctl_command_reply_error(conn, "unknown option (use --cleanup)");
        return;
    }
    if (argc < 2) {
        d->exiting = true;
        unixctl_command_reply(conn, NULL);
        return;
    }
    if (d->exit_conn) {
        unixctl_command_reply_error(conn, "already cleaning up");
        return;
    }
    d->cleanup = true;
    d->exit_conn = conn;

    /* Flows go with the mirror bridges. */
    struct shash_node *node;
    SHASH_FOR_EACH (node, &d->flow_tables) {
        flow_table_destroy(node->data);
    }
    shash_clear(&d->flow_tables);
    poll_immediate_wake();
}

static void
vtapd_recompute(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[] OVS_UNUSED, void *d_)
{
    struct vtapd *d = d_;

    d->need_recompute = true;
    d->need_full = true;
    poll_immediate_wake();
    unixctl_command_reply(conn, NULL);
}

static int
compare_wants_by_name(const void *a_, const void *b_)
{
    const struct vtap_want *const *a = a_;
    const struct vtap_want *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* Appends to 's' the backends of the pool VTAP 'want' at 'place' (or
 * NULL), one line each, in the target's order: name, address, BFD state,
 * tunnel port and the copies sent to it.  Nothing for a single target. */
static void
show_backends(const struct vtapd *d, const struct vtap_want *want,
              const struct vtap_place *place, struct ds *s)
{
    bool placed = (place && place->mirror_bridge
                   && place->n_backends == want->n_backends);

    if (want->n_backends) {
        ds_put_format(s, "  pool: %"PRIuSIZE" backends, health interval "
                      "%d ms\n", want->n_backends, want->health_interval);
    }
    for (size_t i = 0; i < want->n_backends; i++) {
        const char *name = want->backend_names[i];
        const char *addr = want->backend_addrs[i];

        ds_put_format(s, "  backend %s", name);
        if (!addr) {
            ds_put_cstr(s, " (address unknown)");
        } else if (strcmp(addr, name)) {
            ds_put_format(s, " (%s)", addr);
        }
        ds_put_format(s, ": %s", (placed && place->backend_up[i]
                                  ? "up" : "down"));
        if (placed && addr) {
            char *port = vtap_backend_port_name(place->mirror_bridge,
                                                want->target_port, addr);
            ds_put_format(s, ", port %s (ofport %"PRIu16")", port,
                          ofp_to_u16(place->backend_ofports[i]));
            free(port);
        }
        ds_put_format(s, ", packets=%"PRId64"\n",
                      vtap_status_backend_packets(d->status, &want->uuid,
                                                  i));
    }
}

/* Appends to 's' how 'want' is realized. */
static void
show_want(const struct vtapd *d, const struct vtap_want *want, struct ds *s)
{
    const struct vtap_place *place = vtap_places_find(&d->places,
                                                      &want->uuid);
    const struct vtap_compiled *vc = vtap_pipeline_find(&d->pipeline,
                                                        &want->uuid);
    const char *error = vc ? vc->error : want->error;

    ds_put_format(s, "VTAP %s ("UUID_FMT"), id %"PRIu32": %s\n", want->name,
                  UUID_ARGS(&want->uuid), want->id,
                  vtap_status_state(d->status, &want->uuid));
    if (error) {
        ds_put_format(s, "  error: %s\n", error);
    }
    if (want->src_bridge) {
        if (want->src_port) {
            ds_put_format(s, "  source: port %s on bridge %s\n",
                          want->src_port, want->src_bridge);
        } else if (want->src_vlan >= 0) {
            ds_put_format(s, "  source: VLAN %d on bridge %s\n",
                          want->src_vlan, want->src_bridge);
        } else {
            ds_put_format(s, "  source: bridge %s\n", want->src_bridge);
        }
    }
    ds_put_format(s, "  target: %s, address %s, UDP port %"PRIu16", VNI %"
                  PRIu32, want->target_name ? want->target_name : "(none)",
                  want->target_addr ? want->target_addr : "(unknown)",
                  want->target_port, want->vni);
    if (want->max_len) {
        ds_put_format(s, ", max packet size %d", want->max_len);
    }
    ds_put_char(s, '\n');
    if (want->target_addr) {
        ds_put_format(s, "  path: MTU %d", want->path_mtu);
        if (want->path_dev) {
            ds_put_format(s, " of %s", want->path_dev);
        } else if (want->path_error) {
            ds_put_format(s, " assumed (%s)", want->path_error);
        }
        ds_put_format(s, ", copies cut to %d%s\n", want->trunc_len,
                      want->path_cut ? " to fit (counted as cut)"
                      : " (max packet size)");
    }
    if (want->warning) {
        ds_put_format(s, "  warning: %s\n", want->warning);
    }
    if (place && place->mirror_bridge) {
        const char *tag = place->source_tag;
        int n_dirs = want->src_port ? 2 : 1;

        ds_put_format(s, "  mirrors on %s:", want->src_bridge);
        for (int egress = 0; egress < n_dirs; egress++) {
            char *mirror = vtap_mirror_name(tag, egress);
            ds_put_format(s, "%s %s (%s)", egress ? "," : "", mirror,
                          egress ? "egress" : "ingress");
            free(mirror);
        }
        ds_put_format(s, "\n  mirror bridge: %s\n  patch ports:",
                      place->mirror_bridge);
        for (int egress = 0; egress < n_dirs; egress++) {
            char *src_side = vtap_patch_name(tag, egress, false);
            char *mirror_side = vtap_patch_name(tag, egress, true);
            ofp_port_t ofport = (egress ? place->egress_ofport
                                 : place->ingress_ofport);
            ds_put_format(s, "%s %s -> %s (ofport %"PRIu16")",
                          egress ? "," : "", src_side, mirror_side,
                          ofp_to_u16(ofport));
            free(src_side);
            free(mirror_side);
        }
        ds_put_format(s, "\n  vxlan port: %s (ofport %"PRIu16")\n",
                      place->vxlan_port, ofp_to_u16(place->vxlan_ofport));
    }
    show_backends(d, want, place, s);
    ds_put_cstr(s, "  counters: ");
    vtap_status_format_counters(d->status, &want->uuid, s);
    ds_put_char(s, '\n');

    const struct flow_table *ft = (place && place->mirror_bridge
                                   ? shash_find_data(&d->flow_tables,
                                                     place->mirror_bridge)
                                   : NULL);
    ds_put_format(s, "  flows: %"PRIuSIZE"\n", vc ? vc->n_flows : 0);
    if (ft) {
        flow_table_format(ft, want->id, s);
    }
}

static void
vtapd_show(struct unixctl_conn *conn, int argc, const char *argv[],
           void *d_)
{
    struct vtapd *d = d_;
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n = 0;
    const struct vtap_want **wants;
    const struct vtap_want *want;

    wants = xmalloc((hmap_count(&d->desired.vtaps) + 1) * sizeof *wants);
    HMAP_FOR_EACH (want, node, &d->desired.vtaps) {
        if (argc < 2 || !strcmp(want->name, argv[1])) {
            wants[n++] = want;
        }
    }
    if (argc >= 2 && !n) {
        unixctl_command_reply_error(conn, "no such VTAP");
        free(wants);
        return;
    }
    qsort(wants, n, sizeof *wants, compare_wants_by_name);
    ds_put_format(&s, "host %s\n", d->desired.host ? d->desired.host : "");
    for (size_t i = 0; i < n; i++) {
        show_want(d, wants[i], &s);
    }
    if (argc < 2) {
        struct shash_node *node;
        SHASH_FOR_EACH (node, &d->flow_tables) {
            ds_put_format(&s, "mirror bridge %s: %s, %"PRIuSIZE" flows\n",
                          node->name,
                          flow_table_is_connected(node->data)
                          ? "connected" : "not connected",
                          flow_table_count(node->data));
            flow_table_format(node->data, 0, &s);
        }
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
    free(wants);
}

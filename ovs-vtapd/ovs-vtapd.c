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
#include "daemon.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "flow-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "ovs-config.h"
#include "ovs-vtap/vtap-resolver.h"
#include "flow.h"
#include "host-row.h"
#include "ovsdb-idl.h"
#include "path-mtu.h"
#include "smap.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vtap-cleanup.h"
#include "vtap-desired.h"
#include "vtap-idl.h"
#include "vtap-pipeline.h"
#include "vtap-status.h"

VLOG_DEFINE_THIS_MODULE(ovs_vtapd);

/* Command-line settings. */
static char *ovs_remote;
static char *vtap_remote;
static long long int stats_interval = 5000;     /* Milliseconds. */
static bool resolver_configured;    /* --dns-forwarder or --dns-hosts. */
static char *unixctl_path;          /* --unixctl, or NULL for default. */
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
    struct shash flow_tables;   /* Mirror bridge name -> flow_table. */
    struct flow_counters counters;  /* What the flows counted. */
    struct vtap_status *status;
    struct vtap_desired desired;
    struct host_row *host;      /* This host's name and Host row. */

    unsigned int ovs_seqno, vtap_seqno;
    bool need_recompute;        /* Rebuild even if nothing changed. */
    bool mirror_pending;        /* Our Open_vSwitch changes may not be
                                 * applied by ovs-vswitchd yet. */
    bool exiting;
    bool cleanup;               /* "exit --cleanup": removing what we made. */
    struct unixctl_conn *exit_conn;     /* Its reply, once done. */

    /* A clean exit first polls the counters and writes them. */
    long long int exit_deadline;    /* Exit then anyway; 0: not begun. */
    bool exit_polled;           /* Every flow table's last poll counted. */
    bool exit_written;          /* The final counts are in a transaction. */
    bool exit_committed;        /* That transaction was sent. */
};

static void parse_options(int argc, char *argv[]);
OVS_NO_RETURN static void usage(void);
static unixctl_cb_func vtapd_exit;
static unixctl_cb_func vtapd_show;
static unixctl_cb_func vtapd_recompute;

/* Makes the set of flow tables match the mirror bridges in use. */
static void
sync_flow_tables(struct vtapd *d)
{
    struct shash wanted = SHASH_INITIALIZER(&wanted);
    struct vtap_want *want;

    HMAP_FOR_EACH (want, node, &d->desired.vtaps) {
        /* Once a port has a number, the bridge exists in the switch. */
        if (want->mirror_bridge && want->ingress_ofport) {
            shash_add_once(&wanted, want->mirror_bridge, NULL);
        }
    }
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &d->flow_tables) {
        if (!shash_find(&wanted, node->name)) {
            flow_table_destroy(node->data);
            shash_delete(&d->flow_tables, node);
        }
    }
    SHASH_FOR_EACH (node, &wanted) {
        if (!shash_find(&d->flow_tables, node->name)) {
            shash_add(&d->flow_tables, node->name,
                      flow_table_create(node->name, ovs_rundir(),
                                        &d->counters));
        }
    }
    shash_destroy(&wanted);
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

/* Rebuilds the desired state and everything derived from it. */
static void
recompute(struct vtapd *d, struct ovsdb_idl_txn *ovs_txn)
{
    vtap_desired_destroy(&d->desired);
    vtap_desired_build(&d->desired, d->ovs_loop.idl, d->vtap_loop.idl,
                       d->resolver, d->paths);
    free(d->desired.host);
    d->desired.host = xstrdup(host_row_name(d->host, d->ovs_loop.idl));
    path_mtu_sweep(d->paths);
    if (ovs_config_run(ovs_txn, d->ovs_loop.idl, &d->desired) && ovs_txn) {
        bump_next_cfg(d, ovs_txn);
    }
    sync_flow_tables(d);
    vtap_pipeline_build(&d->desired, &d->flow_tables);

    /* Shared flows that the switch refused fail the VTAPs that they
     * dispatch to, or if they are the bridge's own, all of its VTAPs. */
    struct vtap_want *want;
    HMAP_FOR_EACH (want, node, &d->desired.vtaps) {
        const struct flow_table *ft = (want->mirror_bridge
                                       ? shash_find_data(&d->flow_tables,
                                                         want->mirror_bridge)
                                       : NULL);
        const char *refused = (ft ? flow_table_refused_shared(ft, want->id)
                               : NULL);
        if (refused && want->enabled) {
            vtap_want_set_error(want, "ovs-vswitchd refused the flows of "
                                "mirror bridge %s: %s", want->mirror_bridge,
                                refused);
        }
    }
}

/* Returns true if everything wanted is in place. */
static bool
all_applied(const struct vtapd *d)
{
    const struct ovsrec_open_vswitch *cfg
        = ovsrec_open_vswitch_first(d->ovs_loop.idl);
    struct shash_node *node;
    struct vtap_want *want;

    if (!cfg || d->need_recompute || d->mirror_pending
        || d->ovs_loop.committing_txn) {
        VLOG_DBG("not applied: %s", !cfg ? "no Open_vSwitch row"
                 : d->need_recompute ? "recompute pending"
                 : d->mirror_pending ? "waiting for ovs-vswitchd"
                 : "Open_vSwitch transaction in progress");
        return false;
    }
    SHASH_FOR_EACH (node, &d->flow_tables) {
        if (!flow_table_is_synced(node->data)) {
            VLOG_DBG("not applied: flows of %s not in place", node->name);
            return false;
        }
    }
    HMAP_FOR_EACH (want, node, &d->desired.vtaps) {
        if (want->enabled && !want->error && !want->dispatched) {
            VLOG_DBG("not applied: VTAP %s not ready", want->name);
            return false;
        }
    }
    return true;
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

static void
run(struct vtapd *d)
{
    struct ovsdb_idl_txn *ovs_txn = ovsdb_idl_loop_run(&d->ovs_loop);
    struct ovsdb_idl_txn *vtap_txn = ovsdb_idl_loop_run(&d->vtap_loop);
    unsigned int ovs_seqno = ovsdb_idl_get_seqno(d->ovs_loop.idl);
    unsigned int vtap_seqno = vtap_input_seqno(d->vtap_loop.idl);

    if (d->resolver && vtap_resolver_run(d->resolver)) {
        d->need_recompute = true;
    }
    if (path_mtu_run(d->paths, d->ovs_loop.idl)) {
        d->need_recompute = true;
    }
    check_mirror_cfg(d);
    if (!ovsdb_idl_has_ever_connected(d->ovs_loop.idl)
        || !ovsdb_idl_has_ever_connected(d->vtap_loop.idl)) {
        /* Until both databases are read, nothing is known to be stale. */
        return;
    }
    if (ovs_seqno != d->ovs_seqno || vtap_seqno != d->vtap_seqno
        || d->need_recompute) {
        d->ovs_seqno = ovs_seqno;
        d->vtap_seqno = vtap_seqno;
        /* Without a transaction (one is still committing), only read, and
         * come back once it is done. */
        d->need_recompute = !ovs_txn;
        recompute(d, ovs_txn);
        vtap_status_load_baselines(d->status, d->vtap_loop.idl, &d->desired,
                                   &d->counters);
    }

    struct shash_node *node;
    SHASH_FOR_EACH (node, &d->flow_tables) {
        flow_table_run(node->data, stats_interval);
        if (flow_table_refusals_changed(node->data)) {
            /* VTAPs go in or out of error, and of the dispatch. */
            d->need_recompute = true;
        }
    }
    struct vtap_want *want;
    HMAP_FOR_EACH (want, node, &d->desired.vtaps) {
        const struct flow_table *ft = (want->mirror_bridge
                                       ? shash_find_data(&d->flow_tables,
                                                         want->mirror_bridge)
                                       : NULL);
        want->installed = ft && flow_table_is_synced(ft);
        want->repairing = ft && flow_table_is_repairing(ft);
    }

    vtap_status_collect(d->status, d->vtap_loop.idl, &d->desired,
                        &d->counters);
    if (vtap_txn) {
        bool applied = all_applied(d);

        vtap_status_write(d->status, vtap_txn, d->vtap_loop.idl, &d->desired,
                          &d->counters, d->resolver, applied);
        host_row_run(d->host, vtap_txn, d->vtap_loop.idl, d->ovs_loop.idl,
                     applied);
        d->exit_written = d->exit_polled;
    }
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
 * flow table polled once more, and those counts committed to the VTAP
 * database; or once that took too long.  Called after wait(), which sent
 * the transaction that run() filled in. */
static bool
exit_is_done(struct vtapd *d)
{
    struct shash_node *node;

    d->exit_committed = d->exit_written;
    if (!d->exit_deadline) {
        d->exit_deadline = time_msec() + 3000;
        SHASH_FOR_EACH (node, &d->flow_tables) {
            flow_table_poll_stats(node->data);
        }
        poll_immediate_wake();
        return false;
    }
    if (time_msec() >= d->exit_deadline) {
        VLOG_WARN("exiting before the last counters were written");
        return true;
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

    struct ovsdb_idl *ovs_idl = ovsdb_idl_create(ovs_remote,
                                                 &ovsrec_idl_class,
                                                 true, true);
    ovs_config_register_columns(ovs_idl);
    d.ovs_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(ovs_idl);
    d.vtap_loop = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(
        ovsdb_idl_create(vtap_remote, &vtaprec_idl_class, true, true));
    vtap_status_register_columns(d.vtap_loop.idl);
    host_row_register_columns(d.vtap_loop.idl);
    /* Any member of a clustered VTAP database will do for reading. */
    ovsdb_idl_set_leader_only(d.vtap_loop.idl, false);
    d.host = host_row_create(host_name, stats_interval);

    shash_init(&d.flow_tables);
    flow_counters_init(&d.counters);
    hmap_init(&d.desired.vtaps);
    d.status = vtap_status_create();
    d.paths = path_mtu_create(ovs_rundir());
    d.need_recompute = true;

    for (;;) {
        if (d.cleanup) {
            cleanup_run(&d);
        } else {
            run(&d);
        }
        unixctl_server_run(unixctl);
        wait(&d);
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
    vtap_desired_destroy(&d.desired);
    vtap_status_destroy(d.status);
    host_row_destroy(d.host);
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
        OPT_HOST,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
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
        {"host", required_argument, NULL, OPT_HOST},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
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
            ovs_remote = optarg;
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
    if (!ovs_remote) {
        ovs_remote = xasprintf("unix:%s/db.sock", ovs_rundir());
    }
    if (!vtap_remote) {
        vtap_remote = xasprintf("unix:%s/db.sock", ovs_rundir());
    }
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
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  --unixctl=SOCKET        override default control socket name\n"
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

/* Appends to 's' how 'want' is realized. */
static void
show_want(const struct vtapd *d, const struct vtap_want *want, struct ds *s)
{
    ds_put_format(s, "VTAP %s ("UUID_FMT"), id %"PRIu32": %s\n", want->name,
                  UUID_ARGS(&want->uuid), want->id,
                  vtap_status_state(d->status, &want->uuid));
    if (want->error) {
        ds_put_format(s, "  error: %s\n", want->error);
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
    if (want->mirror_bridge) {
        const char *tag = want->source_tag;

        ds_put_format(s, "  mirrors on %s: ovs-vtap-i-%s (ingress)",
                      want->src_bridge, tag);
        if (want->src_port) {
            ds_put_format(s, ", ovs-vtap-e-%s (egress)", tag);
        }
        ds_put_format(s, "\n  mirror bridge: %s\n", want->mirror_bridge);
        ds_put_format(s, "  patch ports: vtpi-%s -> vtmi-%s (ofport %"PRIu16
                      ")", tag, tag, ofp_to_u16(want->ingress_ofport));
        if (want->src_port) {
            ds_put_format(s, ", vtpe-%s -> vtme-%s (ofport %"PRIu16")",
                          tag, tag, ofp_to_u16(want->egress_ofport));
        }
        ds_put_format(s, "\n  vxlan port: %s (ofport %"PRIu16")\n",
                      want->vxlan_port, ofp_to_u16(want->vxlan_ofport));
    }
    ds_put_cstr(s, "  counters: ");
    vtap_status_format_counters(d->status, &want->uuid, s);
    ds_put_char(s, '\n');

    const struct flow_table *ft = (want->mirror_bridge
                                   ? shash_find_data(&d->flow_tables,
                                                     want->mirror_bridge)
                                   : NULL);
    ds_put_format(s, "  flows: %"PRIuSIZE"\n", want->n_flows);
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

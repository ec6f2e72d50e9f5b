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

/* ovs-vtapctl: the command line of the VTAP database, in the manner of
 * ovs-vsctl and vtep-ctl: OVS's lib/db-ctl-base brings the generic
 * database commands and the command-line parsing, vtapctl-commands.c the
 * VTAP commands.  All the commands of one invocation, separated by "--",
 * run in one transaction, retried when the database changed meanwhile. */

#include <config.h>

#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "command-line.h"
#include "db-ctl-base.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-data.h"
#include "ovsdb-idl.h"
#include "process.h"
#include "sset.h"
#include "stream.h"
#include "svec.h"
#include "stream-ssl.h"
#include "table.h"
#include "timeval.h"
#include "util.h"
#include "vtap-idl.h"
#include "vtapctl-commands.h"
#include "vtapctl-hosts.h"
#include "vtapctl-connection.h"
#include "vtapctl-policy.h"

VLOG_DEFINE_THIS_MODULE(vtapctl);

/* Command-line options. */
static const char *db;          /* --db: the database server. */
static bool oneline;            /* --oneline: one line per command. */
static bool dry_run;            /* --dry-run: do not commit. */
static bool wait_for_daemon;    /* --wait: wait until every live host's
                                 * ovs-vtapd applied. */
static unsigned int timeout;    /* --timeout, in seconds; 0: none. */
static struct table_style table_style = TABLE_STYLE_DEFAULT;

/* For vtapctl_exit() only, which cleans them up. */
static struct ovsdb_idl *the_idl;
static struct ovsdb_idl_txn *the_idl_txn;

/* Generic commands name the rows of these tables by their names. */
static const struct ctl_table_class tables[VTAPREC_N_TABLES] = {
    [VTAPREC_TABLE_VTAP].row_ids[0]
    = {&vtaprec_vtap_col_name, NULL, NULL},
    [VTAPREC_TABLE_CAPTURE_FILTER].row_ids[0]
    = {&vtaprec_capture_filter_col_name, NULL, NULL},
    [VTAPREC_TABLE_TARGET].row_ids[0]
    = {&vtaprec_target_col_name, NULL, NULL},
    [VTAPREC_TABLE_HOST].row_ids[0]
    = {&vtaprec_host_col_name, NULL, NULL},
    [VTAPREC_TABLE_HOST_PRIVATE].row_ids[0]
    = {&vtaprec_host_private_col_name, NULL, NULL},
    [VTAPREC_TABLE_RBAC_ROLE].row_ids[0]
    = {&vtaprec_rbac_role_col_name, NULL, NULL},
    [VTAPREC_TABLE_CONNECTION].row_ids[0]
    = {&vtaprec_connection_col_target, NULL, NULL},
};

OVS_NO_RETURN static void
vtapctl_exit(int status)
{
    if (the_idl_txn) {
        ovsdb_idl_txn_abort(the_idl_txn);
        ovsdb_idl_txn_destroy(the_idl_txn);
    }
    ovsdb_idl_destroy(the_idl);
    exit(status);
}

/* Returns the database to use without --db: $OVS_VTAP_DB if it is set (a
 * remote or a cluster's list, as OVN's tools take $OVN_NB_DB), else the
 * ovsdb-server that serves Open_vSwitch. */
static const char *
vtapctl_default_db(void)
{
    const char *env = getenv("OVS_VTAP_DB");

    return env && env[0] ? env : ctl_default_db();
}

OVS_NO_RETURN static void
usage(void)
{
    printf("%s: VTAP database configuration utility\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
           "\n%s%s%s%s%s%s\n"
           "Options:\n"
           "  --db=DATABASE               connect to DATABASE, or to any of\n"
           "                              DATABASE,DATABASE,... (a cluster)\n"
           "                              (default: %s)\n"
           "  -t, --timeout=SECS          wait at most SECS seconds\n"
           "  --dry-run                   do not commit changes to database\n"
           "  --oneline                   print exactly one line of output "
           "per command\n"
           "  --wait                      wait until ovs-vtapd on every live "
           "host has\n"
           "                              applied the changes\n"
           "                              (exit 1 if a VTAP they touch ends "
           "in error)\n"
           "  --columns=COLUMN[,COLUMN]...\n"
           "                              columns that \"list\" and "
           "\"find\" print\n",
           program_name, program_name, vtapctl_commands_usage(),
           vtapctl_hosts_usage(), vtapctl_policy_usage(),
           vtapctl_connection_usage(),
           ctl_get_db_cmd_usage(), ctl_list_db_tables_usage(),
           vtapctl_default_db());
    table_usage();
    vlog_usage();
    stream_usage("database", true, true, false);
    printf("  --peer-ca-cert=FILE     CA certificate of the server, "
           "if it is self-signed\n");
    printf("\nOther options:\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n");
    exit(EXIT_SUCCESS);
}

static void
parse_options(int argc, char *argv[], struct shash *local_options)
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_ONELINE,
        OPT_DRY_RUN,
        OPT_WAIT,
        OPT_LOCAL,
        OPT_PEER_CA_CERT,
        VLOG_OPTION_ENUMS,
        TABLE_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option global_long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"oneline", no_argument, NULL, OPT_ONELINE},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"wait", no_argument, NULL, OPT_WAIT},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        TABLE_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {"peer-ca-cert", required_argument, NULL, OPT_PEER_CA_CERT},
        {NULL, 0, NULL, 0},
    };
    const size_t n_global = ARRAY_SIZE(global_long_options) - 1;

    char *tmp = ovs_cmdl_long_options_to_short_options(global_long_options);
    char *short_options = xasprintf("+%s", tmp);
    free(tmp);

    /* getopt_long() needs the global options and the options of every
     * command in one array. */
    struct option *options = xmemdup(global_long_options,
                                     sizeof global_long_options);
    size_t allocated = ARRAY_SIZE(global_long_options);
    size_t n_options = n_global;
    ctl_add_cmd_options(&options, &n_options, &allocated, OPT_LOCAL);

    for (;;) {
        int idx;
        int c = getopt_long(argc, argv, short_options, options, &idx);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            db = optarg;
            break;

        case OPT_ONELINE:
            oneline = true;
            break;

        case OPT_DRY_RUN:
            dry_run = true;
            break;

        case OPT_WAIT:
            wait_for_daemon = true;
            break;

        case OPT_LOCAL:
            if (shash_find(local_options, options[idx].name)) {
                ctl_fatal("'%s' option specified multiple times",
                          options[idx].name);
            }
            shash_add_nocopy(local_options,
                             xasprintf("--%s", options[idx].name),
                             nullable_xstrdup(optarg));
            break;

        case 'h':
            usage();

        case 'V':
            ovs_print_version(0, 0);
            printf("ovs-vtap %s\nDB Schema %s\n", OVS_VTAP_VERSION,
                   vtaprec_get_db_version());
            exit(EXIT_SUCCESS);

        case 't':
            if (!str_to_uint(optarg, 10, &timeout) || !timeout) {
                ctl_fatal("timeout: \"%s\": not a positive number of "
                          "seconds", optarg);
            }
            break;

        VLOG_OPTION_HANDLERS
        TABLE_OPTION_HANDLERS(&table_style)
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

    if (!db) {
        db = vtapctl_default_db();
    }
    for (size_t i = n_global; options[i].name; i++) {
        free(CONST_CAST(char *, options[i].name));
    }
    free(options);
}

/* Whether a generic command may write a VTAP's source, after which
 * vtapctl_sync_source_hosts() has to run. */
static bool sync_source_hosts;

/* Returns true if 'c' is a generic command that writes rows of table
 * VTAP, which db-ctl-base finds by a case-insensitive prefix of its name. */
static bool
writes_vtap_rows(const struct ctl_command *c)
{
    static const char *const writers[] = {
        "set", "add", "remove", "clear", "create",
    };

    for (size_t i = 0; i < ARRAY_SIZE(writers); i++) {
        if (!strcmp(c->syntax->name, writers[i])) {
            return (c->argc > 1 && c->argv[1][0]
                    && !strncasecmp(c->argv[1], "VTAP",
                                    strlen(c->argv[1])));
        }
    }
    return false;
}

/* Lets each command register the tables and columns that it reads. */
static void
run_prerequisites(struct ctl_command *commands, size_t n_commands,
                  struct ovsdb_idl *idl)
{
    ovsdb_idl_add_table(idl, &vtaprec_table_global);
    ovsdb_idl_add_column(idl, &vtaprec_global_col_next_cfg);
    if (wait_for_daemon) {
        /* Host rows, and the realizations of what the commands touch. */
        static const struct ovsdb_idl_column *const columns[] = {
            &vtaprec_realization_col_vtap,
            &vtaprec_realization_col_host,
            &vtaprec_realization_col_state,
            &vtaprec_realization_col_reason,
            &vtaprec_vtap_col_name,
        };

        vtapctl_hosts_add_columns(idl);
        for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
            ovsdb_idl_add_column(idl, columns[i]);
        }
    }
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        if (writes_vtap_rows(c)) {
            sync_source_hosts = true;
            vtapctl_pre_source_hosts(idl);
        }
        if (c->syntax->prerequisites) {
            struct ctl_context ctx;

            ds_init(&c->output);
            c->table = NULL;
            ctl_context_init(&ctx, c, idl, NULL, NULL, NULL);
            c->syntax->prerequisites(&ctx);
            if (ctx.error) {
                ctl_fatal("%s", ctx.error);
            }
            ctl_context_done(&ctx, c);
        }
    }
}

/* Checks the "--id=@name" rows that the commands referred to. */
static void
check_symbols(struct ovsdb_symbol_table *symtab)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &symtab->sh) {
        struct ovsdb_symbol *symbol = node->data;
        if (!symbol->created) {
            ctl_fatal("row id \"%s\" is referenced but never created "
                      "(e.g. with \"-- --id=%s create ...\")",
                      node->name, node->name);
        }
        if (!symbol->strong_ref) {
            VLOG_WARN("row id \"%s\" was created but no strong reference to "
                      "it was inserted, so it will not actually appear in "
                      "the database", node->name);
        }
    }
}

/* Prints the output of each command, then frees the commands. */
static void
print_output(struct ctl_command *commands, size_t n_commands)
{
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        struct ds *ds = &c->output;

        if (c->table) {
            table_print(c->table, &table_style);
        } else if (oneline) {
            ds_chomp(ds, '\n');
            for (size_t j = 0; j < ds->length; j++) {
                int ch = ds->string[j];
                if (ch == '\n') {
                    fputs("\\n", stdout);
                } else if (ch == '\\') {
                    fputs("\\\\", stdout);
                } else {
                    putchar(ch);
                }
            }
            putchar('\n');
        } else {
            fputs(ds_cstr(ds), stdout);
        }
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
        shash_destroy_free_data(&c->options);
    }
    free(commands);
}

/* Waits until the ovs-vtapd of every live host reports, in its
 * Host_Private row's cur_cfg, that it has applied the configuration
 * numbered 'next_cfg', and there is at least one such host.  A host that
 * stops writing its heartbeat meanwhile is dead and no longer waited for.
 * A database older than the Host_Private table is an error: it must be
 * upgraded first. */
static void
wait_for_hosts(struct ovsdb_idl *idl, int64_t next_cfg)
{
    ovsdb_idl_enable_reconnect(idl);
    for (;;) {
        const struct vtaprec_host *host;
        long long int now = time_wall_msec();
        long long int wake = LLONG_MAX;
        size_t n_live = 0, n_pending = 0;

        ovsdb_idl_run(idl);
        if (!ovsdb_idl_server_has_table(idl, &vtaprec_table_host_private)) {
            ctl_fatal("--wait: the VTAP database has no Host_Private table, "
                      "where hosts report what they applied: run "
                      "\"ovs-vtap-db.sh upgrade\" (the changes are "
                      "committed)");
        }
        VTAPREC_HOST_FOR_EACH (host, idl) {
            if (vtapctl_host_is_alive(idl, host, now)) {
                n_live++;
                if (vtapctl_host_progress(idl, host).cur_cfg < next_cfg) {
                    n_pending++;
                    wake = MIN(wake, vtapctl_host_dead_at(idl, host));
                }
            }
        }
        if (n_live && !n_pending) {
            return;
        }
        ovsdb_idl_wait(idl);
        if (wake != LLONG_MAX) {
            /* Until the heartbeat of the first host that is late. */
            poll_timer_wait_until(time_msec() + (wake - now));
        }
        poll_block();
    }
}

/* After --wait: says which hosts were dead and not waited for, reports
 * every realization in error, on a host that is not dead, of a VTAP that
 * the commands touched (see vtapctl_txn_vtaps()) with its host and reason,
 * and then exits with status 1.  A released realization, of a host that
 * the source left, is never an error. */
static void
check_realizations(struct ovsdb_idl *idl)
{
    const struct sset *names = vtapctl_txn_vtaps();
    long long int now = time_wall_msec();
    const struct vtaprec_realization *r;
    const struct vtaprec_host *host;
    bool failed = false;

    VTAPREC_HOST_FOR_EACH (host, idl) {
        if (!vtapctl_host_is_alive(idl, host, now)) {
            long long int beat = vtapctl_host_progress(idl, host).heartbeat;

            fprintf(stderr, "%s: host %s is dead (no heartbeat for %lld "
                    "s): not waited for\n", program_name, host->name,
                    (now - beat) / 1000);
        }
    }
    /* The rows of every host, sorted, so that the errors come in order. */
    struct svec errors = SVEC_EMPTY_INITIALIZER;
    VTAPREC_REALIZATION_FOR_EACH (r, idl) {
        if (!r->vtap || !sset_contains(names, r->vtap->name)
            || strcmp(r->state, "error")) {
            continue;
        }
        host = vtapctl_find_host(idl, r->host);
        if (host && !vtapctl_host_is_alive(idl, host, now)) {
            continue;
        }
        svec_add_nocopy(&errors, xasprintf("%s: vtap: \"%s\": error on "
                                           "host %s: %s", program_name,
                                           r->vtap->name, r->host,
                                           r->reason));
    }
    svec_sort(&errors);

    const char *error;
    size_t i;
    SVEC_FOR_EACH (i, error, &errors) {
        fprintf(stderr, "%s\n", error);
        failed = true;
    }
    svec_destroy(&errors);
    if (failed) {
        vtapctl_exit(EXIT_FAILURE);
    }
}

/* Returns "USER@HOST" for the audit comment of a transaction: the user who
 * runs this command (the one behind sudo, if it is run through sudo, with
 * the effective user after a slash) and this machine's host name.  The
 * caller frees it. */
static char *
vtapctl_who(void)
{
    const struct passwd *pw = getpwuid(getuid());
    const char *sudo_user = getenv("SUDO_USER");
    char host[256];
    struct ds who = DS_EMPTY_INITIALIZER;

    if (sudo_user && sudo_user[0] && getuid() == 0) {
        ds_put_format(&who, "%s/", sudo_user);
    }
    if (pw) {
        ds_put_cstr(&who, pw->pw_name);
    } else {
        ds_put_format(&who, "uid %ld", (long int) getuid());
    }
    if (gethostname(host, sizeof host)) {
        host[0] = '\0';
    }
    host[sizeof host - 1] = '\0';
    ds_put_format(&who, "@%s", host[0] ? host : "unknown-host");
    return ds_steal_cstr(&who);
}

/* Runs the commands in one transaction.  Returns false if the transaction
 * must be retried on a newer copy of the database. */
static bool
do_vtapctl(const char *args, struct ctl_command *commands, size_t n_commands,
           struct ovsdb_idl *idl)
{
    bool writes = ctl_might_write_to_db(commands, n_commands);
    struct ovsdb_idl_txn *txn = the_idl_txn = ovsdb_idl_txn_create(idl);
    struct ovsdb_symbol_table *symtab = ovsdb_symbol_table_create();
    struct ctl_context ctx;
    int64_t next_cfg = 0;

    if (dry_run) {
        ovsdb_idl_txn_set_dry_run(txn);
    }
    char *who = vtapctl_who();
    ovsdb_idl_txn_add_comment(txn, "ovs-vtapctl (%s): %s", who, args);
    free(who);

    const struct vtaprec_global *global = vtaprec_global_first(idl);
    if (!global && writes) {
        global = vtaprec_global_insert(txn);
    }

    vtapctl_txn_start();
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_init(&c->output);
        c->table = NULL;
    }
    ctl_context_init(&ctx, NULL, idl, txn, symtab, NULL);
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ctl_context_init_command(&ctx, c, c == &commands[n_commands - 1]);
        if (c->syntax->run) {
            c->syntax->run(&ctx);
        }
        if (ctx.error) {
            ctl_fatal("%s", ctx.error);
        }
        ctl_context_done_command(&ctx, c);
        if (ctx.try_again) {
            ctl_context_done(&ctx, NULL);
            goto try_again;
        }
    }
    ctl_context_done(&ctx, NULL);
    check_symbols(symtab);
    if (sync_source_hosts) {
        vtapctl_sync_source_hosts(idl);
    }

    bool increment = ((writes && wait_for_daemon)
                      || vtapctl_txn_increments_cfg());
    if (global && increment && !dry_run) {
        ovsdb_idl_txn_increment(txn, &global->header_,
                                &vtaprec_global_col_next_cfg, false);
    }

    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn);
    if (status == TXN_SUCCESS && writes && wait_for_daemon && !dry_run) {
        next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
    }
    if (status == TXN_UNCHANGED || status == TXN_SUCCESS) {
        for (struct ctl_command *c = commands; c < &commands[n_commands];
             c++) {
            if (c->syntax->postprocess) {
                ctl_context_init(&ctx, c, idl, txn, symtab, NULL);
                c->syntax->postprocess(&ctx);
                if (ctx.error) {
                    ctl_fatal("%s", ctx.error);
                }
                ctl_context_done(&ctx, c);
            }
        }
    }

    switch (status) {
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
        OVS_NOT_REACHED();

    case TXN_ABORTED:
        ctl_fatal("transaction aborted");

    case TXN_UNCHANGED:
    case TXN_SUCCESS:
        break;

    case TXN_TRY_AGAIN:
        goto try_again;

    case TXN_ERROR:
        ctl_fatal("transaction error: %s", ovsdb_idl_txn_get_error(txn));

    case TXN_NOT_LOCKED:
        ctl_fatal("database not locked");

    default:
        OVS_NOT_REACHED();
    }

    ovsdb_symbol_table_destroy(symtab);
    print_output(commands, n_commands);
    fflush(stdout);
    ovsdb_idl_txn_destroy(txn);
    the_idl_txn = NULL;

    if (next_cfg) {
        wait_for_hosts(idl, next_cfg);
        check_realizations(idl);
    }
    return true;

try_again:
    ovsdb_idl_txn_abort(txn);
    ovsdb_idl_txn_destroy(txn);
    the_idl_txn = NULL;
    ovsdb_symbol_table_destroy(symtab);
    for (struct ctl_command *c = commands; c < &commands[n_commands]; c++) {
        ds_destroy(&c->output);
        table_destroy(c->table);
        free(c->table);
    }
    return false;
}

int
main(int argc, char *argv[])
{
    struct ctl_command *commands;
    struct shash local_options;
    size_t n_commands;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    vlog_set_levels_from_string_assert("reconnect:warn");

    ctl_init(&vtaprec_idl_class, vtaprec_table_classes, tables, NULL,
             vtapctl_exit);
    vtapctl_register_commands();

    char *args = process_escape_args(argv);
    shash_init(&local_options);
    parse_options(argc, argv, &local_options);
    char *error = ctl_parse_commands(argc - optind, argv + optind,
                                     &local_options, &commands, &n_commands);
    if (error) {
        ctl_fatal("%s", error);
    }
    VLOG(ctl_might_write_to_db(commands, n_commands) ? VLL_INFO : VLL_DBG,
         "Called as %s", args);

    ctl_timeout_setup(timeout);

    struct ovsdb_idl *idl = the_idl = ovsdb_idl_create(db, &vtaprec_idl_class,
                                                      false, false);
    /* Any member of a cluster will do: followers forward transactions to
     * the leader. */
    ovsdb_idl_set_leader_only(idl, false);
    run_prerequisites(commands, n_commands, idl);

    /* Run the commands on each new copy of the database until the
     * transaction commits: a retry needs a database that changed. */
    unsigned int seqno = ovsdb_idl_get_seqno(idl);
    for (;;) {
        ovsdb_idl_run(idl);
        if (!ovsdb_idl_is_alive(idl)) {
            int retval = ovsdb_idl_get_last_error(idl);
            ctl_fatal("%s: database connection failed (%s)",
                      db, ovs_retval_to_string(retval));
        }

        if (ovsdb_idl_has_ever_connected(idl)) {
            /* Once a member answered, losing it (say the leader fails)
             * means trying the others, within --timeout. */
            ovsdb_idl_enable_reconnect(idl);
        }
        if (seqno != ovsdb_idl_get_seqno(idl)) {
            seqno = ovsdb_idl_get_seqno(idl);
            if (do_vtapctl(args, commands, n_commands, idl)) {
                free(args);
                ovsdb_idl_destroy(idl);
                exit(EXIT_SUCCESS);
            }
        }
        if (seqno == ovsdb_idl_get_seqno(idl)) {
            ovsdb_idl_wait(idl);
            poll_block();
        }
    }
}

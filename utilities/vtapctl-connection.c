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

/* vtapctl-connection.c: the remotes of the VTAP database's servers and the
 * role of a host's ovs-vtapd (see vtapctl-connection.h).  ovsdb-server
 * enforces the role: on a remote whose Connection row has the role
 * "ovs-vtap-host", a client may insert, update and delete only the Host
 * row whose name, and the Realization rows whose host, is the common name
 * of its certificate, and only the columns that ovs-vtapd writes. */

#include <config.h>

#include "vtapctl-connection.h"

#include <string.h>
#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "vtap-idl.h"
#include "vtapctl-commands.h"

/* The role of the hosts' ovs-vtapd. */
#define HOST_ROLE "ovs-vtap-host"

/* What the role may write in one table. */
struct host_permission {
    const char *table;
    const char *authorization;  /* Column that must be the client's CN. */
    const char *const *update;  /* Columns it may change, NULL-ended. */
};

static const char *const host_columns[] = {
    "heartbeat_interval", "version", "tunnel_address", "external_ids", NULL,
};
static const char *const host_private_columns[] = {
    "cur_cfg", "heartbeat", "heartbeat_seq", NULL,
};
static const char *const realization_columns[] = {
    "vtap", "state", "reason", "source_bridge", "mirror_bridge",
    "target_address", "statistics", "rule_packets", "rule_bytes",
    "backend_state", "backend_packets",
    "external_ids", NULL,
};
static const struct host_permission host_permissions[] = {
    { "Host", "name", host_columns },
    { "Host_Private", "name", host_private_columns },
    { "Realization", "host", realization_columns },
};

static size_t
count_strings(const char *const *strings)
{
    size_t n = 0;

    while (strings[n]) {
        n++;
    }
    return n;
}

/* Returns true if the 'n' strings of 'set' are those of 'want'. */
static bool
string_set_equals(char **set, size_t n, const char *const *want)
{
    struct sset a = SSET_INITIALIZER(&a);
    struct sset b = SSET_INITIALIZER(&b);
    bool equal;

    sset_add_array(&a, set, n);
    for (size_t i = 0; want[i]; i++) {
        sset_add(&b, want[i]);
    }
    equal = sset_equals(&a, &b);
    sset_destroy(&a);
    sset_destroy(&b);
    return equal;
}

/* Returns the permission of 'role' for table 'table', or NULL. */
static const struct vtaprec_rbac_permission *
role_permission(const struct vtaprec_rbac_role *role, const char *table)
{
    for (size_t i = 0; role && i < role->n_permissions; i++) {
        if (!strcmp(role->key_permissions[i], table)) {
            return role->value_permissions[i];
        }
    }
    return NULL;
}

/* Makes the role "ovs-vtap-host" in 'ctx' what this version of ovs-vtap
 * needs, if it is not already (and the database has the RBAC tables). */
void
vtapctl_update_host_role(struct ctl_context *ctx)
{
    enum { N = ARRAY_SIZE(host_permissions) };
    const struct vtaprec_rbac_role *role = NULL, *r;
    struct vtaprec_rbac_permission *perms[N];
    const char *tables[N];

    if (!ovsdb_idl_server_has_table(ctx->idl, &vtaprec_table_rbac_role)) {
        return;
    }

    VTAPREC_RBAC_ROLE_FOR_EACH (r, ctx->idl) {
        if (!strcmp(r->name, HOST_ROLE)) {
            role = r;
            break;
        }
    }
    if (!role) {
        role = vtaprec_rbac_role_insert(ctx->txn);
        vtaprec_rbac_role_set_name(role, HOST_ROLE);
    }

    bool changed = role->n_permissions != N;
    for (size_t i = 0; i < N; i++) {
        const struct host_permission *hp = &host_permissions[i];
        const struct vtaprec_rbac_permission *p = role_permission(role,
                                                                  hp->table);
        const char *auth = hp->authorization;

        if (!p) {
            p = vtaprec_rbac_permission_insert(ctx->txn);
            vtaprec_rbac_permission_set_table(p, hp->table);
            changed = true;
        }
        if (!string_set_equals(p->authorization, p->n_authorization,
                               (const char *[]) { auth, NULL })) {
            vtaprec_rbac_permission_set_authorization(p, &auth, 1);
        }
        if (!p->insert_delete) {
            vtaprec_rbac_permission_set_insert_delete(p, true);
        }
        if (!string_set_equals(p->update, p->n_update, hp->update)) {
            vtaprec_rbac_permission_set_update(
                p, CONST_CAST(const char **, hp->update),
                count_strings(hp->update));
        }
        perms[i] = CONST_CAST(struct vtaprec_rbac_permission *, p);
        tables[i] = hp->table;
    }
    if (changed) {
        vtaprec_rbac_role_set_permissions(role, tables, perms, N);
    }
}

/* set-connection [role=ROLE] [read-only] TARGET...: the remotes of
 * Global's connections become TARGETs, each with the ROLE and read-only
 * flag given before it; the role "ovs-vtap-host" is written up to date
 * too. */
static void
cmd_set_connection(struct ctl_context *ctx)
{
    const struct vtaprec_global *global = vtaprec_global_first(ctx->idl);
    struct vtaprec_connection **conns;
    const char *role = "";
    bool read_only = false;
    size_t n = 0;

    if (!ovsdb_idl_server_has_table(ctx->idl, &vtaprec_table_connection)) {
        ctl_error(ctx, "the VTAP database has no Connection table: run "
                  "\"ovs-vtap-db.sh upgrade\"");
        return;
    }
    /* One pass: an error aborts the whole transaction, rows and all. */
    conns = xmalloc(ctx->argc * sizeof *conns);
    for (int i = 1; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];

        if (!strncmp(arg, "role=", 5)) {
            role = arg + 5;
            if (role[0] && strcmp(role, HOST_ROLE)) {
                ctl_error(ctx, "role \"%s\": the only role is \"%s\" "
                          "(or none: role=)", role, HOST_ROLE);
                free(conns);
                return;
            }
        } else if (!strcmp(arg, "read-only") || !strcmp(arg, "read-write")) {
            read_only = !strcmp(arg, "read-only");
        } else if (strchr(arg, ':')) {
            struct vtaprec_connection *c = vtaprec_connection_insert(
                ctx->txn);
            vtaprec_connection_set_target(c, arg);
            vtaprec_connection_set_role(c, role);
            vtaprec_connection_set_read_only(c, read_only);
            conns[n++] = c;
        } else {
            ctl_error(ctx, "\"%s\" is not a remote such as pssl:6641 or "
                      "punix:FILE, nor role=ROLE, read-only or read-write",
                      arg);
            free(conns);
            return;
        }
    }
    if (!n) {
        ctl_error(ctx, "set-connection: no remote given");
        free(conns);
        return;
    }
    vtapctl_update_host_role(ctx);
    if (!global) {
        global = vtaprec_global_insert(ctx->txn);
    }
    vtaprec_global_set_connections(global, conns, n);
    free(conns);
}

/* get-connection: one line per remote, with its role, sorted. */
static void
cmd_get_connection(struct ctl_context *ctx)
{
    const struct vtaprec_global *global = vtaprec_global_first(ctx->idl);
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    const char *line;
    size_t i;

    for (i = 0; global && i < global->n_connections; i++) {
        const struct vtaprec_connection *c = global->connections[i];
        struct ds s = DS_EMPTY_INITIALIZER;

        if (c->read_only) {
            ds_put_cstr(&s, "read-only ");
        }
        if (c->role[0]) {
            ds_put_format(&s, "role=%s ", c->role);
        }
        ds_put_cstr(&s, c->target);
        svec_add_nocopy(&lines, ds_steal_cstr(&s));
    }
    svec_sort(&lines);
    SVEC_FOR_EACH (i, line, &lines) {
        ds_put_format(&ctx->output, "%s\n", line);
    }
    svec_destroy(&lines);
}

/* del-connection: no remote in Global's connections. */
static void
cmd_del_connection(struct ctl_context *ctx)
{
    const struct vtaprec_global *global = vtaprec_global_first(ctx->idl);

    if (global) {
        vtaprec_global_set_connections(global, NULL, 0);
    }
}

static const struct ctl_command_syntax connection_commands[] = {
    {"set-connection", 1, INT_MAX, "[role=ROLE] [read-only] TARGET...",
     vtapctl_pre_all, cmd_set_connection, NULL, "", RW},
    {"get-connection", 0, 0, "", vtapctl_pre_all, cmd_get_connection, NULL,
     "", RO},
    {"del-connection", 0, 0, "", vtapctl_pre_all, cmd_del_connection, NULL,
     "", RW},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Registers the commands above with db-ctl-base. */
void
vtapctl_connection_register_commands(void)
{
    ctl_register_commands(connection_commands);
}

/* Returns the --help text of the commands above. */
const char *
vtapctl_connection_usage(void)
{
    return "\
Remotes of the database's servers:\n\
  set-connection [role=ROLE] [read-only] TARGET...\n\
                              listen on TARGETs (pssl:PORT, punix:FILE...)\n\
                              with ROLE: ovs-vtap-host lets a host's\n\
                              ovs-vtapd write only its own rows\n\
  get-connection              print the remotes\n\
  del-connection              remove every remote\n\
\n";
}

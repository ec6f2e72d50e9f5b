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

/* vtapctl-hosts.c: "ovs-vtapctl list-hosts" and "del-host", over the Host
 * and Host_Private rows that each host's ovs-vtapd writes (see
 * vtapctl-hosts.h). */

#include <config.h>

#include "vtapctl-hosts.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "simap.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"
#include "vtap-idl.h"
#include "vtapctl-commands.h"

/* Registers in 'idl' every column of the Host and Host_Private tables. */
void
vtapctl_hosts_add_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_table_class *const tables[] = {
        &vtaprec_table_host, &vtaprec_table_host_private,
    };

    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        ovsdb_idl_add_table(idl, tables[i]);
        for (size_t j = 0; j < tables[i]->n_columns; j++) {
            ovsdb_idl_add_column(idl, &tables[i]->columns[j]);
        }
    }
}

/* Returns the Host_Private row named 'name' in 'idl', or NULL. */
const struct vtaprec_host_private *
vtapctl_find_host_private(const struct ovsdb_idl *idl, const char *name)
{
    const struct vtaprec_host_private *priv;

    VTAPREC_HOST_PRIVATE_FOR_EACH (priv, idl) {
        if (!strcmp(priv->name, name)) {
            return priv;
        }
    }
    return NULL;
}

/* Returns what the Host_Private row of 'host' in 'idl' says: the
 * configuration it has applied and the wall-clock time, in milliseconds, of
 * its last heartbeat; both 0 if it has no such row. */
struct vtapctl_host_progress
vtapctl_host_progress(const struct ovsdb_idl *idl,
                      const struct vtaprec_host *host)
{
    const struct vtaprec_host_private *priv
        = vtapctl_find_host_private(idl, host->name);

    return (struct vtapctl_host_progress) {
        .cur_cfg = priv ? priv->cur_cfg : 0,
        .heartbeat = priv ? priv->heartbeat : 0,
    };
}

/* Returns the wall-clock time, in milliseconds, at which 'host' is dead if
 * it writes no heartbeat before. */
long long int
vtapctl_host_dead_at(const struct ovsdb_idl *idl,
                     const struct vtaprec_host *host)
{
    return vtapctl_host_progress(idl, host).heartbeat
           + VTAPCTL_DEAD_INTERVALS * MAX(host->heartbeat_interval, 1);
}

/* Returns true if 'host' wrote a heartbeat recently enough at wall-clock
 * time 'now' (milliseconds). */
bool
vtapctl_host_is_alive(const struct ovsdb_idl *idl,
                      const struct vtaprec_host *host, long long int now)
{
    return now < vtapctl_host_dead_at(idl, host);
}

/* Returns the Host row named 'name' in 'idl', or NULL. */
const struct vtaprec_host *
vtapctl_find_host(const struct ovsdb_idl *idl, const char *name)
{
    const struct vtaprec_host *host;

    VTAPREC_HOST_FOR_EACH (host, idl) {
        if (!strcmp(host->name, name)) {
            return host;
        }
    }
    return NULL;
}

static int
compare_hosts_by_name(const void *a_, const void *b_)
{
    const struct vtaprec_host *const *a = a_;
    const struct vtaprec_host *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* list-hosts: every host, one a line, with what it applied, the age of its
 * heartbeat, whether it is alive, the number of VTAPs running there, its
 * version and tunnel address, in aligned columns. */
static void
cmd_list_hosts(struct ctl_context *ctx)
{
    static const char *const headings[] = {
        "name", "cur_cfg", "heartbeat_age", "state", "vtaps", "version",
        "tunnel_address",
    };
    enum { N_COLUMNS = ARRAY_SIZE(headings) };
    long long int now = time_wall_msec();
    const struct vtaprec_host **hosts;
    const struct vtaprec_host *host;
    size_t n = 0;

    VTAPREC_HOST_FOR_EACH (host, ctx->idl) {
        n++;
    }
    hosts = xmalloc((n + 1) * sizeof *hosts);
    n = 0;
    VTAPREC_HOST_FOR_EACH (host, ctx->idl) {
        hosts[n++] = host;
    }
    qsort(hosts, n, sizeof *hosts, compare_hosts_by_name);

    /* The VTAPs running on each host, in one pass over the Realization
     * table. */
    struct simap running = SIMAP_INITIALIZER(&running);
    const struct vtaprec_realization *r;
    VTAPREC_REALIZATION_FOR_EACH (r, ctx->idl) {
        if (r->vtap && !strcmp(r->state, "running")) {
            simap_increase(&running, r->host, 1);
        }
    }

    /* The cells, row by row, the headings first. */
    struct svec cells = SVEC_EMPTY_INITIALIZER;
    size_t widths[N_COLUMNS];
    for (size_t j = 0; j < N_COLUMNS; j++) {
        svec_add(&cells, headings[j]);
    }
    for (size_t i = 0; i < n; i++) {
        host = hosts[i];

        struct vtapctl_host_progress p = vtapctl_host_progress(ctx->idl,
                                                               host);
        long long int age = MAX(now - p.heartbeat, 0);
        svec_add(&cells, host->name);
        svec_add_nocopy(&cells, xasprintf("%"PRId64, p.cur_cfg));
        svec_add_nocopy(&cells, xasprintf("%lld.%llds", age / 1000,
                                          age % 1000 / 100));
        svec_add(&cells, (vtapctl_host_is_alive(ctx->idl, host, now)
                          ? "alive" : "dead"));
        svec_add_nocopy(&cells, xasprintf("%u", simap_get(&running,
                                                          host->name)));
        svec_add(&cells, host->version);
        svec_add(&cells, host->tunnel_address[0]
                         ? host->tunnel_address : "-");
    }
    for (size_t j = 0; j < N_COLUMNS; j++) {
        widths[j] = 0;
        for (size_t i = 0; i <= n; i++) {
            widths[j] = MAX(widths[j], strlen(cells.names[i * N_COLUMNS
                                                          + j]));
        }
    }
    for (size_t i = 0; i <= n; i++) {
        for (size_t j = 0; j < N_COLUMNS; j++) {
            const char *cell = cells.names[i * N_COLUMNS + j];

            if (j < N_COLUMNS - 1) {
                ds_put_format(&ctx->output, "%-*s  ", (int) widths[j], cell);
            } else {
                ds_put_format(&ctx->output, "%s\n", cell);
            }
        }
    }
    svec_destroy(&cells);
    simap_destroy(&running);
    free(hosts);
}

/* del-host HOST: removes the Host and Host_Private rows and every
 * Realization row of a host that is gone.  A live host needs --force. */
static void
cmd_del_host(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vtaprec_host *host = vtapctl_find_host(ctx->idl, name);
    long long int now = time_wall_msec();

    if (!host) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            ctl_error(ctx, "host: \"%s\": no such host", name);
        }
        return;
    }
    if (vtapctl_host_is_alive(ctx->idl, host, now)
        && !shash_find(&ctx->options, "--force")) {
        long long int age
            = MAX(now - vtapctl_host_progress(ctx->idl, host).heartbeat, 0);

        ctl_error(ctx, "host: \"%s\": alive (heartbeat %lld.%llds ago): "
                  "stop its ovs-vtapd first, or use --force",
                  name, age / 1000, age % 1000 / 100);
        return;
    }

    const struct vtaprec_realization *r;
    VTAPREC_REALIZATION_FOR_EACH_SAFE (r, ctx->idl) {
        if (!strcmp(r->host, name)) {
            vtaprec_realization_delete(r);
        }
    }

    const struct vtaprec_host_private *priv
        = vtapctl_find_host_private(ctx->idl, name);
    if (priv) {
        vtaprec_host_private_delete(priv);
    }
    vtaprec_host_delete(host);
}

static const struct ctl_command_syntax host_commands[] = {
    {"list-hosts", 0, 0, "", vtapctl_pre_all, cmd_list_hosts, NULL, "", RO},
    {"del-host", 1, 1, "HOST", vtapctl_pre_all, cmd_del_host, NULL,
     "--if-exists,--force", RW},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Registers the commands above with db-ctl-base. */
void
vtapctl_hosts_register_commands(void)
{
    ctl_register_commands(host_commands);
}

/* Returns the --help text of the commands above. */
const char *
vtapctl_hosts_usage(void)
{
    return "\
Host commands:\n\
  list-hosts                  print every host that runs ovs-vtapd: what\n\
                              it applied, heartbeat, alive or dead, how\n\
                              many VTAPs run there\n\
  [--force] del-host HOST     delete a dead host's Host, Host_Private\n\
                              and Realization rows (--force: even if it\n\
                              is alive)\n\
\n";
}

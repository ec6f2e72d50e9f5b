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

/* host-row.c: this host's name and its Host and Host_Private rows in the
 * VTAP database (see host-row.h). */

#include <config.h>

#include "host-row.h"

#include <string.h>
#include <unistd.h>
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vtap-idl.h"

VLOG_DEFINE_THIS_MODULE(host_row);

struct host_row {
    char *name;                 /* --host, or NULL for the system-id. */
    long long int interval;     /* Most milliseconds between heartbeats. */
    long long int next_beat;    /* time_msec() of the next heartbeat. */
    long long int inserted;     /* time_msec() of our insert, 0 if none. */
    int64_t seq;                /* Heartbeats written since the start. */
    char *cond_name;            /* The name that Host_Private is asked for. */
    unsigned int cond_seqno;    /* The IDL's condition seqno once it is. */
};

/* Creates the Host row writer of a host named 'name' (NULL: by the
 * Open_vSwitch system-id or host name), which writes a heartbeat every
 * 'interval' milliseconds. */
struct host_row *
host_row_create(const char *name, long long int interval)
{
    struct host_row *h = xzalloc(sizeof *h);

    h->name = nullable_xstrdup(name);
    h->interval = interval;
    return h;
}

void
host_row_destroy(struct host_row *h)
{
    if (h) {
        free(h->name);
        free(h->cond_name);
        free(h);
    }
}

/* Keeps the IDL from waking the daemon for Host and Host_Private rows: the
 * daemon writes its own and does not act on the others'. */
void
host_row_register_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vtaprec_host_private_col_name,
        &vtaprec_host_private_col_cur_cfg,
        &vtaprec_host_private_col_heartbeat,
        &vtaprec_host_private_col_heartbeat_seq,
        &vtaprec_host_col_name,
        &vtaprec_host_col_heartbeat_interval,
        &vtaprec_host_col_version,
        &vtaprec_host_col_tunnel_address,
        &vtaprec_host_col_external_ids,
    };

    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_omit_alert(idl, columns[i]);
    }
}

/* Asks the server of 'vtap' for this host's own Host_Private row only, the
 * host being named as host_row_name() says for 'ovs': every host writes its
 * heartbeat there, and no host reads another's (which would make the
 * updates sent grow with the square of the hosts). */
void
host_row_set_condition(struct host_row *h, struct ovsdb_idl *vtap,
                       const struct ovsdb_idl *ovs)
{
    const char *name = host_row_name(h, ovs);

    if (!ovsdb_idl_server_has_table(vtap, &vtaprec_table_host_private)) {
        /* A database not yet upgraded: a condition on a table that the
         * server lacks would never be acknowledged, and the IDL's condition
         * seqno, which the other tables' conditions wait on, would stay
         * behind. */
        return;
    }
    if (!h->cond_name || strcmp(h->cond_name, name)) {
        struct ovsdb_idl_condition cond = OVSDB_IDL_CONDITION_INIT(&cond);

        free(h->cond_name);
        h->cond_name = xstrdup(name);
        vtaprec_host_private_add_clause_name(&cond, OVSDB_F_EQ, name);
        h->cond_seqno = vtaprec_host_private_set_condition(vtap, &cond);
        ovsdb_idl_condition_destroy(&cond);
    }
}

/* Returns the host's own name: Open_vSwitch external_ids:system-id, else
 * the machine's host name. */
static const char *
system_name(const struct ovsdb_idl *ovs)
{
    static char hostname[256];
    const struct ovsrec_open_vswitch *cfg = ovsrec_open_vswitch_first(ovs);
    const char *id = cfg ? smap_get(&cfg->external_ids, "system-id") : NULL;

    if (id && id[0]) {
        return id;
    }
    if (!hostname[0] && gethostname(hostname, sizeof hostname - 1)) {
        ovs_strlcpy(hostname, "localhost", sizeof hostname);
    }
    return hostname;
}

/* Returns this host's name: --host, else Open_vSwitch external_ids:system-id
 * in 'ovs', else the host name. */
const char *
host_row_name(const struct host_row *h, const struct ovsdb_idl *ovs)
{
    return h->name ? h->name : system_name(ovs);
}

/* Returns the address that this host's VXLAN copies leave from, as the
 * Open_vSwitch database configures it, or "". */
static const char *
tunnel_address(const struct ovsdb_idl *ovs)
{
    const struct ovsrec_open_vswitch *cfg = ovsrec_open_vswitch_first(ovs);
    const char *ip = NULL;

    if (cfg) {
        ip = smap_get(&cfg->external_ids, "ovs-vtap-encap-ip");
        if (!ip) {
            ip = smap_get(&cfg->external_ids, "ovn-encap-ip");
        }
    }
    return ip ? ip : "";
}

/* Returns the Host row named 'name' in 'vtap', or NULL. */
static const struct vtaprec_host *
find_host(const struct ovsdb_idl *vtap, const char *name)
{
    const struct vtaprec_host *row;

    VTAPREC_HOST_FOR_EACH (row, vtap) {
        if (!strcmp(row->name, name)) {
            return row;
        }
    }
    return NULL;
}

/* Returns the Host_Private row named 'name' in 'vtap', or NULL. */
static const struct vtaprec_host_private *
find_private(const struct ovsdb_idl *vtap, const char *name)
{
    const struct vtaprec_host_private *row;

    VTAPREC_HOST_PRIVATE_FOR_EACH (row, vtap) {
        if (!strcmp(row->name, name)) {
            return row;
        }
    }
    return NULL;
}

/* Returns true if 'row' says what this host is as 'h' and 'tunnel' do. */
static bool
host_is_current(const struct host_row *h, const struct vtaprec_host *row,
                const char *tunnel)
{
    return (!strcmp(row->version, OVS_VTAP_VERSION)
            && !strcmp(row->tunnel_address, tunnel)
            && row->heartbeat_interval == h->interval);
}

/* Returns how many hosts share the VTAP database 'vtap': its Host rows by
 * name, and this host, whether its row is there yet or not. */
size_t
host_row_count_hosts(const struct host_row *h, const struct ovsdb_idl *vtap,
                     const struct ovsdb_idl *ovs)
{
    const char *name = host_row_name(h, ovs);
    struct sset names = SSET_INITIALIZER(&names);
    const struct vtaprec_host *row;
    size_t n;

    sset_add(&names, name);
    VTAPREC_HOST_FOR_EACH (row, vtap) {
        sset_add(&names, row->name);
    }
    n = sset_count(&names);
    sset_destroy(&names);
    return n;
}

/* Updates this host's Host and Host_Private rows in 'txn' if they are
 * missing or out of date, or if a heartbeat is due.  If 'applied',
 * everything that the current Global.next_cfg wants is in place (or in
 * error), and the Host_Private row says so. */
void
host_row_run(struct host_row *h, struct ovsdb_idl_txn *txn,
             const struct ovsdb_idl *vtap, const struct ovsdb_idl *ovs,
             bool applied)
{
    const char *name = host_row_name(h, ovs);
    const struct vtaprec_global *global = vtaprec_global_first(vtap);
    const char *tunnel = tunnel_address(ovs);
    long long int now = time_msec();

    if (!txn || !ovsdb_idl_server_has_table(vtap, &vtaprec_table_host)
        || !ovsdb_idl_server_has_table(vtap, &vtaprec_table_host_private)) {
        /* A database not yet upgraded to a schema with these rows. */
        return;
    }
    if (!h->cond_name || strcmp(h->cond_name, name)
        || ovsdb_idl_get_condition_seqno(vtap) < h->cond_seqno) {
        /* Our Host_Private row, if there is one, is not here yet. */
        return;
    }

    const struct vtaprec_host *row = find_host(vtap, name);
    const struct vtaprec_host_private *priv = find_private(vtap, name);
    if (!row || !priv) {
        if (h->inserted && now < h->inserted + h->interval) {
            /* Our insert committed, but its update may not be here yet
             * (a cluster's follower can answer before it applies). */
            return;
        }
        VLOG_INFO("adding the %s row%s of host %s",
                  !row && !priv ? "Host and Host_Private"
                  : !row ? "Host" : "Host_Private",
                  !row && !priv ? "s" : "", name);
        if (!row) {
            row = vtaprec_host_insert(txn);
            vtaprec_host_set_name(row, name);
        }
        if (!priv) {
            priv = vtaprec_host_private_insert(txn);
            vtaprec_host_private_set_name(priv, name);
        }
        h->inserted = now;
    } else if (now < h->next_beat
               && (!applied || !global || priv->cur_cfg == global->next_cfg)
               && host_is_current(h, row, tunnel)) {
        return;
    }
    if (applied && global && priv->cur_cfg != global->next_cfg) {
        vtaprec_host_private_set_cur_cfg(priv, global->next_cfg);
    }
    if (strcmp(row->version, OVS_VTAP_VERSION)) {
        vtaprec_host_set_version(row, OVS_VTAP_VERSION);
    }
    if (strcmp(row->tunnel_address, tunnel)) {
        vtaprec_host_set_tunnel_address(row, tunnel);
    }
    if (row->heartbeat_interval != h->interval) {
        vtaprec_host_set_heartbeat_interval(row, h->interval);
    }
    vtaprec_host_private_set_heartbeat(priv, time_wall_msec());
    vtaprec_host_private_set_heartbeat_seq(priv, ++h->seq);
    h->next_beat = now + h->interval;
}

/* Wakes the daemon when the next heartbeat is due.  One that is already
 * due waits for a transaction (the one in flight, or the connection), which
 * wakes the daemon when it can be had: waking for it at once would spin. */
void
host_row_wait(const struct host_row *h)
{
    if (h->next_beat > time_msec()) {
        poll_timer_wait_until(h->next_beat);
    }
}

/* Deletes in 'txn' the Host and Host_Private rows named 'name' from
 * 'vtap'.  Returns true if there was one. */
bool
host_row_cleanup(struct ovsdb_idl_txn *txn, const struct ovsdb_idl *vtap,
                 const char *name)
{
    const struct vtaprec_host *row = find_host(vtap, name);
    const struct vtaprec_host_private *priv = find_private(vtap, name);

    if (txn) {
        if (row) {
            vtaprec_host_delete(row);
        }
        if (priv) {
            vtaprec_host_private_delete(priv);
        }
    }
    return row || priv;
}

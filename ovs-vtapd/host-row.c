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

/* host-row.c: this host's name and its Host row in the VTAP database (see
 * host-row.h). */

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
        free(h);
    }
}

/* Keeps the IDL from waking the daemon for Host rows: the daemon writes its
 * own and does not act on the others'. */
void
host_row_register_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vtaprec_host_col_name,
        &vtaprec_host_col_cur_cfg,
        &vtaprec_host_col_heartbeat,
        &vtaprec_host_col_heartbeat_seq,
        &vtaprec_host_col_heartbeat_interval,
        &vtaprec_host_col_version,
        &vtaprec_host_col_tunnel_address,
        &vtaprec_host_col_external_ids,
    };

    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_omit_alert(idl, columns[i]);
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

/* Updates this host's row in 'txn' if it is missing or out of date, or if
 * a heartbeat is due.  If 'applied', everything that the current
 * Global.next_cfg wants is in place (or in error), and the row says so. */
void
host_row_run(struct host_row *h, struct ovsdb_idl_txn *txn,
             const struct ovsdb_idl *vtap, const struct ovsdb_idl *ovs,
             bool applied)
{
    const char *name = host_row_name(h, ovs);
    const struct vtaprec_host *row = find_host(vtap, name);
    const struct vtaprec_global *global = vtaprec_global_first(vtap);
    const char *tunnel = tunnel_address(ovs);
    long long int now = time_msec();

    if (!txn || !ovsdb_idl_server_has_table(vtap, &vtaprec_table_host)) {
        /* A database not yet upgraded to a schema with Host rows. */
        return;
    }
    if (!row) {
        if (h->inserted && now < h->inserted + h->interval) {
            /* Our insert committed, but its update may not be here yet
             * (a cluster's follower can answer before it applies). */
            return;
        }
        VLOG_INFO("adding Host row %s", name);
        row = vtaprec_host_insert(txn);
        vtaprec_host_set_name(row, name);
        h->inserted = now;
    } else if (now < h->next_beat
               && (!applied || !global || row->cur_cfg == global->next_cfg)
               && !strcmp(row->version, OVS_VTAP_VERSION)
               && !strcmp(row->tunnel_address, tunnel)
               && row->heartbeat_interval == h->interval) {
        return;
    }
    if (applied && global && row->cur_cfg != global->next_cfg) {
        vtaprec_host_set_cur_cfg(row, global->next_cfg);
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
    vtaprec_host_set_heartbeat(row, time_wall_msec());
    vtaprec_host_set_heartbeat_seq(row, ++h->seq);
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

/* Deletes in 'txn' the Host row named 'name' from 'vtap'.  Returns true if
 * there was one. */
bool
host_row_cleanup(struct ovsdb_idl_txn *txn, const struct ovsdb_idl *vtap,
                 const char *name)
{
    const struct vtaprec_host *row = find_host(vtap, name);

    if (row && txn) {
        vtaprec_host_delete(row);
    }
    return row != NULL;
}

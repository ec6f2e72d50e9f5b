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

/* vtap-monitor.c: the monitor condition of the VTAP table (see
 * vtap-monitor.h). */

#include <config.h>

#include "vtap-monitor.h"

#include <string.h>
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vtap-idl.h"

struct vtap_monitor {
    char *host;                 /* The host the condition is for. */
    struct sset iface_ids;      /* The iface-ids it asks for. */
    unsigned int ovs_seqno;     /* Of the Open_vSwitch IDL they came from. */
    unsigned int cond_seqno;    /* The IDL's condition seqno once it is. */
    bool set;                   /* A condition was asked for. */
    bool was_ready;             /* One was acknowledged. */
};

/* Creates the monitor of a daemon that has asked for no condition yet. */
struct vtap_monitor *
vtap_monitor_create(void)
{
    struct vtap_monitor *m = xzalloc(sizeof *m);

    sset_init(&m->iface_ids);
    return m;
}

void
vtap_monitor_destroy(struct vtap_monitor *m)
{
    if (m) {
        free(m->host);
        sset_destroy(&m->iface_ids);
        free(m);
    }
}

/* Asks, before 'vtap_idl' first connects, for no VTAP row: until the host
 * and its interfaces are known, every row would be sent for nothing. */
void
vtap_monitor_register(struct ovsdb_idl *vtap_idl)
{
    struct ovsdb_idl_condition none = OVSDB_IDL_CONDITION_INIT(&none);

    vtaprec_vtap_set_condition(vtap_idl, &none);
    ovsdb_idl_condition_destroy(&none);
}

/* Collects in 'ids' the iface-id of every interface in 'ovs'. */
static void
collect_iface_ids(const struct ovsdb_idl *ovs, struct sset *ids)
{
    const struct ovsrec_interface *iface;

    OVSREC_INTERFACE_FOR_EACH (iface, ovs) {
        const char *id = smap_get(&iface->external_ids, "iface-id");

        if (id && id[0]) {
            sset_add(ids, id);
        }
    }
}

/* Returns true if an interface change that 'ovs' tracks since its last
 * ovsdb_idl_track_clear() may change the set of this host's iface-ids: an
 * interface with one added or removed, or one whose external_ids changed.
 * Other changes (a port without an iface-id, statistics) cost a look at
 * the changed rows only. */
static bool
iface_ids_may_differ(const struct ovsdb_idl *ovs)
{
    const struct ovsrec_interface *iface;

    OVSREC_INTERFACE_FOR_EACH_TRACKED (iface, ovs) {
        if (ovsrec_interface_is_new(iface)
            || ovsrec_interface_is_deleted(iface)
            ? smap_get(&iface->external_ids, "iface-id") != NULL
            : ovsrec_interface_is_updated(iface,
                                          OVSREC_INTERFACE_COL_EXTERNAL_IDS)) {
            return true;
        }
    }
    return false;
}

/* Asks the server of 'vtap_idl' for the VTAP rows that can concern host
 * 'host', whose interfaces 'ovs_idl' holds, if the condition asked for
 * differs.  A server whose VTAP table lacks source_host (a database not
 * yet upgraded) gets every row. */
void
vtap_monitor_run(struct vtap_monitor *m, struct ovsdb_idl *vtap_idl,
                 const struct ovsdb_idl *ovs_idl, const char *host)
{
    unsigned int ovs_seqno = ovsdb_idl_get_seqno(ovs_idl);

    if (vtap_monitor_is_ready(m, vtap_idl)) {
        m->was_ready = true;
    }
    if (!ovsdb_idl_has_ever_connected(vtap_idl)) {
        return;
    }
    bool same_host = m->set && !strcmp(m->host, host);
    if (same_host
        && (ovs_seqno == m->ovs_seqno || !iface_ids_may_differ(ovs_idl))) {
        m->ovs_seqno = ovs_seqno;
        return;
    }

    struct sset ids = SSET_INITIALIZER(&ids);
    collect_iface_ids(ovs_idl, &ids);
    m->ovs_seqno = ovs_seqno;
    if (same_host && sset_equals(&ids, &m->iface_ids)) {
        sset_destroy(&ids);
        return;
    }

    struct ovsdb_idl_condition cond = OVSDB_IDL_CONDITION_INIT(&cond);
    if (!ovsdb_idl_server_has_column(vtap_idl,
                                     &vtaprec_vtap_col_source_host)) {
        ovsdb_idl_condition_add_clause_true(&cond);
    } else {
        const char *id;

        vtaprec_vtap_add_clause_source_host(&cond, OVSDB_F_EQ, host);
        vtaprec_vtap_add_clause_source_host(&cond, OVSDB_F_EQ, "*");
        vtaprec_vtap_add_clause_source_host(&cond, OVSDB_F_EQ, "");
        SSET_FOR_EACH (id, &ids) {
            vtaprec_vtap_add_clause_source(&cond, OVSDB_F_EQ, id);
        }
    }
    m->cond_seqno = vtaprec_vtap_set_condition(vtap_idl, &cond);
    ovsdb_idl_condition_destroy(&cond);

    free(m->host);
    m->host = xstrdup(host);
    sset_swap(&m->iface_ids, &ids);
    sset_destroy(&ids);
    m->set = true;
}

/* Returns true once the server of 'vtap_idl' has acknowledged the last
 * condition asked for: the IDL holds every VTAP row that can concern the
 * host. */
bool
vtap_monitor_is_ready(const struct vtap_monitor *m,
                      const struct ovsdb_idl *vtap_idl)
{
    return m->set && ovsdb_idl_get_condition_seqno(vtap_idl) >= m->cond_seqno;
}

/* Returns true if a condition of 'm' was acknowledged by the time of the
 * last vtap_monitor_run(): the IDL then held every VTAP of the host as it
 * was, and a later change of the condition (an interface added or
 * removed) only adds or removes the VTAPs of the iface-ids it changes. */
bool
vtap_monitor_was_ready(const struct vtap_monitor *m)
{
    return m->was_ready;
}

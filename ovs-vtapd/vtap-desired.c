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

/* vtap-desired.c: reads the VTAP and Open_vSwitch databases into the set of
 * VTAPs that this host should realize (see vtap-desired.h). */

#include <config.h>
#include "vtap-desired.h"

#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/vtap-resolver.h"
#include "packets.h"
#include "path-mtu.h"
#include "smap.h"
#include "socket-util.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vtap-idl.h"
#include "vtap-names.h"

VLOG_DEFINE_THIS_MODULE(vtap_desired);

/* Returns the name under which this host writes its Realization rows:
 * Open_vSwitch external_ids:system-id, else the host name. */
const char *
vtap_desired_host(const struct ovsdb_idl *ovs)
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

/* Sets the first reason why 'want' cannot run; later ones are ignored. */
static void OVS_PRINTF_FORMAT(2, 3)
vtap_want_set_error(struct vtap_want *want, const char *format, ...)
{
    if (!want->error) {
        va_list args;

        va_start(args, format);
        want->error = xvasprintf(format, args);
        va_end(args);
    }
}

/* Finds the bridge and port of 'want''s source on this host. */
static void
resolve_source(struct vtap_want *want, const struct vtaprec_vtap *row,
               const struct ovsdb_idl *ovs)
{
    const struct ovsrec_bridge *bridge = NULL;
    const struct ovsrec_port *port = NULL;
    const char *type = row->source_type;

    if (!strcmp(type, "port") || !strcmp(type, "iface-id")) {
        const struct ovsrec_bridge *br;
        OVSREC_BRIDGE_FOR_EACH (br, ovs) {
            if (vtap_is_owned(&br->external_ids)) {
                continue;
            }
            for (size_t i = 0; i < br->n_ports && !port; i++) {
                const struct ovsrec_port *p = br->ports[i];
                if (vtap_is_owned(&p->external_ids)) {
                    continue;
                }
                if (!strcmp(type, "port")) {
                    if (!strcmp(p->name, row->source)) {
                        port = p;
                    }
                    continue;
                }
                for (size_t j = 0; j < p->n_interfaces; j++) {
                    const char *iface_id = smap_get(
                        &p->interfaces[j]->external_ids, "iface-id");
                    if (iface_id && !strcmp(iface_id, row->source)) {
                        port = p;
                    }
                }
            }
            if (port) {
                bridge = br;
                break;
            }
        }
        if (!port) {
            vtap_want_set_error(want, "source %s %s not found on this host",
                                !strcmp(type, "port") ? "port" : "iface-id",
                                row->source);
            return;
        }
    } else {
        const struct ovsrec_bridge *br;
        OVSREC_BRIDGE_FOR_EACH (br, ovs) {
            if (!strcmp(br->name, row->source)
                && !vtap_is_owned(&br->external_ids)) {
                bridge = br;
                break;
            }
        }
        if (!bridge) {
            vtap_want_set_error(want, "source bridge %s not found on this "
                                "host", row->source);
            return;
        }
        if (!strcmp(type, "vlan")) {
            if (!row->n_source_vlan) {
                vtap_want_set_error(want, "source_vlan is missing for a "
                                    "VLAN source");
                return;
            }
            want->src_vlan = row->source_vlan[0];
        }
    }

    want->src_bridge = xstrdup(bridge->name);
    want->src_dp_type = xstrdup(bridge->datapath_type[0]
                                ? bridge->datapath_type : "system");
    want->src_port = port ? xstrdup(port->name) : NULL;
    want->source_key = vtap_source_key(bridge->name,
                                       port ? port->name : NULL,
                                       want->src_vlan);
}

/* Finds the address of the target, by literal or through 'resolver'. */
static void
resolve_target(struct vtap_want *want, const struct vtaprec_target *target,
               struct vtap_resolver *resolver)
{
    struct in6_addr addr6;
    ovs_be32 addr4;

    want->target_name = xstrdup(target->name);
    want->target_port = target->port;
    if (ip_parse(target->address, &addr4)) {
        want->target_addr = xstrdup(target->address);
    } else if (ipv6_parse(target->address, &addr6)) {
        want->target_addr = xstrdup(target->address);
        want->target_ipv6 = true;
    } else if (resolver) {
        struct vtap_resolution res = vtap_resolver_lookup(resolver,
                                                          target->address);
        if (res.address) {
            want->target_addr = xstrdup(res.address);
            want->target_ipv6 = strchr(res.address, ':') != NULL;
        }
        if (res.error) {
            want->target_error = xasprintf("target %s: name %s does not "
                                           "resolve: %s", target->name,
                                           target->address, res.error);
        } else if (!res.address) {
            want->target_error = xasprintf("target %s: resolving %s",
                                           target->name, target->address);
        }
    } else {
        want->target_error = xasprintf("target %s: %s is not an IP address "
                                       "and no resolver is available",
                                       target->name, target->address);
    }
    if (!want->target_addr) {
        vtap_want_set_error(want, "%s", want->target_error);
    }
}

/* Finds the path toward 'want''s target through 'paths' (or assumes
 * PATH_MTU_DEFAULT if 'paths' is NULL) and sets how copies are cut: to the
 * max packet size if one is set that fits the path, else to the largest
 * frame that fits, in which case the copies that this cuts are counted. */
static void
set_truncation(struct vtap_want *want, const struct ovsdb_idl *ovs,
               struct path_mtu *paths)
{
    int overhead = (want->target_ipv6 ? PATH_MTU_VXLAN_OVERHEAD_IPV6
                    : PATH_MTU_VXLAN_OVERHEAD_IPV4);

    want->path_mtu = PATH_MTU_DEFAULT;
    if (paths && want->target_addr) {
        struct path_mtu_info info = path_mtu_lookup(paths, ovs,
                                                    want->target_addr);
        want->path_mtu = info.mtu;
        want->path_dev = nullable_xstrdup(info.dev);
        want->path_error = nullable_xstrdup(info.error);
    }
    /* Never below a minimal frame, whatever the interface says. */
    want->path_max_len = MAX(want->path_mtu - overhead, ETH_TOTAL_MIN);

    if (want->max_len && want->max_len <= want->path_max_len) {
        want->trunc_len = want->max_len;
        want->path_cut = false;
    } else {
        want->trunc_len = want->path_max_len;
        want->path_cut = true;
        if (want->max_len) {
            want->warning = xasprintf(
                "max packet size %d clamped to %d: the path to %s allows "
                "%d (MTU %d%s%s less %d of VXLAN over %s)", want->max_len,
                want->path_max_len, want->target_addr, want->path_max_len,
                want->path_mtu, want->path_dev ? " of " : "",
                want->path_dev ? want->path_dev : "", overhead,
                want->target_ipv6 ? "IPv6" : "IPv4");
        }
    }
}

/* Reads the rules of 'filter' into 'want'. */
static void
read_rules(struct vtap_want *want, const struct vtaprec_capture_filter *filter)
{
    want->rules = xcalloc(filter->n_rules, sizeof *want->rules);
    for (size_t i = 0; i < filter->n_rules; i++) {
        struct vtap_rule *rule = &want->rules[want->n_rules];
        char *error = vtap_rule_from_idl(filter->rules[i], rule);

        if (error) {
            vtap_want_set_error(want, "capture filter %s, rule %"PRId64": %s",
                                filter->name, filter->rules[i]->order, error);
            free(error);
        } else {
            want->n_rules++;
        }
    }
}

/* An id in use, in a set of them hashed by the id itself. */
struct id_node {
    struct hmap_node node;
};

/* Gives 'want' an id derived from its UUID that no other VTAP has. */
static void
assign_id(struct vtap_want *want, struct hmap *ids)
{
    uint32_t id = want->uuid.parts[0] & 0x7fffffff;

    for (;;) {
        bool taken = false;
        struct id_node *n;

        id = id ? id : 1;
        HMAP_FOR_EACH_WITH_HASH (n, node, id, ids) {
            taken = true;
        }
        if (!taken) {
            break;
        }
        id = (id + 1) & 0x7fffffff;
    }
    want->id = id;
    struct id_node *n = xmalloc(sizeof *n);
    hmap_insert(ids, &n->node, id);
}

static int
compare_vtap_rows(const void *a_, const void *b_)
{
    const struct vtaprec_vtap *const *a = a_;
    const struct vtaprec_vtap *const *b = b_;

    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* Builds 'desired' from the databases.  Names are resolved through
 * 'resolver' and paths found through 'paths' (each may be NULL). */
void
vtap_desired_build(struct vtap_desired *desired, const struct ovsdb_idl *ovs,
                   const struct ovsdb_idl *vtap,
                   struct vtap_resolver *resolver, struct path_mtu *paths)
{
    const struct vtaprec_vtap *row;
    size_t n = 0, allocated = 0;
    const struct vtaprec_vtap **rows = NULL;

    hmap_init(&desired->vtaps);
    desired->host = xstrdup(vtap_desired_host(ovs));

    VTAPREC_VTAP_FOR_EACH (row, vtap) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n++] = row;
    }
    /* Sorted, so that ids are assigned the same way on every run. */
    if (n) {
        qsort(rows, n, sizeof *rows, compare_vtap_rows);
    }

    struct hmap ids = HMAP_INITIALIZER(&ids);
    for (size_t i = 0; i < n; i++) {
        struct vtap_want *want = xzalloc(sizeof *want);

        row = rows[i];
        want->uuid = row->header_.uuid;
        want->name = xstrdup(row->name);
        want->enabled = row->enabled;
        want->vni = row->vni;
        want->max_len = row->n_max_packet_size ? row->max_packet_size[0] : 0;
        want->src_vlan = -1;
        assign_id(want, &ids);
        hmap_insert(&desired->vtaps, &want->node, uuid_hash(&want->uuid));

        resolve_source(want, row, ovs);
        if (row->target) {
            resolve_target(want, row->target, resolver);
            set_truncation(want, ovs, paths);
        } else {
            vtap_want_set_error(want, "no target");
        }
        if (row->capture_filter) {
            read_rules(want, row->capture_filter);
        } else {
            vtap_want_set_error(want, "no capture filter");
        }
    }
    free(rows);

    struct id_node *id_node;
    HMAP_FOR_EACH_POP (id_node, node, &ids) {
        free(id_node);
    }
    hmap_destroy(&ids);
}

/* Returns the VTAP with 'uuid' in 'desired', or NULL. */
struct vtap_want *
vtap_desired_find(const struct vtap_desired *desired, const struct uuid *uuid)
{
    struct vtap_want *want;

    HMAP_FOR_EACH_WITH_HASH (want, node, uuid_hash(uuid), &desired->vtaps) {
        if (uuid_equals(&want->uuid, uuid)) {
            return want;
        }
    }
    return NULL;
}

/* Frees everything in 'desired'. */
void
vtap_desired_destroy(struct vtap_desired *desired)
{
    struct vtap_want *want;

    HMAP_FOR_EACH_POP (want, node, &desired->vtaps) {
        free(want->name);
        free(want->src_bridge);
        free(want->src_dp_type);
        free(want->src_port);
        free(want->source_key);
        free(want->target_name);
        free(want->target_addr);
        free(want->target_error);
        free(want->path_dev);
        free(want->path_error);
        free(want->warning);
        free(want->rules);
        free(want->error);
        free(want);
    }
    hmap_destroy(&desired->vtaps);
    free(desired->host);
}

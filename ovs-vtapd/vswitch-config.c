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

/* vswitch-config.c: reconciles the Open_vSwitch rows that ovs-vtapd owns
 * (mirror bridges, patch and VXLAN ports, Mirror rows) with the VTAPs that
 * this host should realize.  See vswitch-config.h. */

#include <config.h>
#include "vswitch-config.h"

#include <stdarg.h>
#include <string.h>
#include "flow.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "simap.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "uuid.h"
#include "vswitch-idl.h"
#include "vtap-desired.h"
#include "vtap-names.h"

VLOG_DEFINE_THIS_MODULE(vswitch_config);

/* Frees the 'backend_health' of 'place'. */
static void
place_free_backend_health(struct vtap_place *place)
{
    for (size_t i = 0; place->backend_health && i < place->n_backends; i++) {
        free(place->backend_health[i]);
    }
    free(place->backend_health);
    place->backend_health = NULL;
}

/* Initializes 'places' empty. */
void
vtap_places_init(struct vtap_places *places)
{
    hmap_init(&places->map);
}

/* Frees everything in 'places'. */
void
vtap_places_destroy(struct vtap_places *places)
{
    struct vtap_place *place;

    HMAP_FOR_EACH_POP (place, node, &places->map) {
        free(place->mirror_bridge);
        free(place->source_tag);
        free(place->vxlan_port);
        free(place->backend_ofports);
        free(place->backend_up);
        place_free_backend_health(place);
        free(place->error);
        free(place);
    }
    hmap_destroy(&places->map);
}

/* Returns the place of VTAP 'vtap' in 'places', or NULL. */
const struct vtap_place *
vtap_places_find(const struct vtap_places *places, const struct uuid *vtap)
{
    const struct vtap_place *place;

    HMAP_FOR_EACH_WITH_HASH (place, node, uuid_hash(vtap), &places->map) {
        if (uuid_equals(&place->uuid, vtap)) {
            return place;
        }
    }
    return NULL;
}

/* Returns the place of 'want' in 'places', created if new. */
static struct vtap_place *
place_get(struct vtap_places *places, const struct vtap_want *want)
{
    struct vtap_place *place = CONST_CAST(struct vtap_place *,
                                          vtap_places_find(places,
                                                           &want->uuid));
    if (!place) {
        place = xzalloc(sizeof *place);
        place->uuid = want->uuid;
        hmap_insert(&places->map, &place->node, uuid_hash(&want->uuid));
    }
    return place;
}

/* Sets the first reason why the configuration cannot realize 'want'. */
static void OVS_PRINTF_FORMAT(3, 4)
place_set_error(struct vtap_places *places, const struct vtap_want *want,
                const char *format, ...)
{
    struct vtap_place *place;
    va_list args;

    if (!places) {
        return;
    }
    place = place_get(places, want);
    if (!place->error) {
        va_start(args, format);
        place->error = xvasprintf(format, args);
        va_end(args);
    }
}

/* Keeps the IDL from waking the daemon for the state and counters that
 * ovs-vswitchd keeps writing and that ovs-vtapd does not act on, and
 * tracks the changes of the others. */
void
vswitch_config_register_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_column *const volatile_columns[] = {
        &ovsrec_bridge_col_datapath_version,
        &ovsrec_bridge_col_rstp_status,
        &ovsrec_bridge_col_status,
        &ovsrec_interface_col_admin_state,
        &ovsrec_interface_col_bfd_status,
        &ovsrec_interface_col_cfm_fault,
        &ovsrec_interface_col_cfm_fault_status,
        &ovsrec_interface_col_cfm_flap_count,
        &ovsrec_interface_col_cfm_health,
        &ovsrec_interface_col_cfm_remote_mpids,
        &ovsrec_interface_col_cfm_remote_opstate,
        &ovsrec_interface_col_duplex,
        &ovsrec_interface_col_ifindex,
        &ovsrec_interface_col_lacp_current,
        &ovsrec_interface_col_link_resets,
        &ovsrec_interface_col_link_speed,
        &ovsrec_interface_col_link_state,
        &ovsrec_interface_col_mac_in_use,
        &ovsrec_interface_col_mtu,
        &ovsrec_interface_col_statistics,
        &ovsrec_interface_col_status,
        &ovsrec_mirror_col_statistics,
        &ovsrec_open_vswitch_col_statistics,
        &ovsrec_port_col_rstp_statistics,
        &ovsrec_port_col_rstp_status,
        &ovsrec_port_col_statistics,
        &ovsrec_port_col_status,
    };

    /* Changes are tracked, so that those that concern no VTAP are told
     * apart at once (vtap_desired_ovs_changed()); first, since omitting
     * the alerts of a column stops its tracking too. */
    ovsdb_idl_track_add_all(idl);
    for (size_t i = 0; i < ARRAY_SIZE(volatile_columns); i++) {
        ovsdb_idl_omit_alert(idl, volatile_columns[i]);
    }
}

/* A source that needs Mirror rows: a port, a whole bridge or a VLAN. */
struct source {
    struct hmap_node node;      /* In 'sources', by key. */
    const char *key;            /* vtap_want.source_key. */
    char tag[VTAP_TAG_SIZE];    /* vtap_source_tag() of the key. */
    const struct vtap_want *want;   /* The first VTAP on it. */
    bool over_limit;            /* Its bridge has no room left. */
};

/* A mirror bridge and what it must hold. */
struct mbridge {
    char *name;
    const char *src_bridge;
    const char *dp_type;
    struct shash ports;         /* Port name -> "struct smap *" options. */
    struct shash types;         /* Port name -> interface type. */
};

static void
mbridge_add_port(struct mbridge *mb, const char *name, const char *type,
                 struct smap *options)
{
    if (!shash_find(&mb->ports, name)) {
        shash_add(&mb->ports, name, options);
        shash_add(&mb->types, name, type);
    } else {
        smap_destroy(options);
        free(options);
    }
}

/* Returns the options of a patch port whose peer is the patch port of the
 * source with 'tag' for one direction ('egress'), on the mirror bridge if
 * 'mirror_side', else on the source bridge. */
static struct smap *
patch_options(const char *tag, bool egress, bool mirror_side)
{
    struct smap *options = xmalloc(sizeof *options);

    smap_init(options);
    smap_add_nocopy(options, xstrdup("peer"),
                    vtap_patch_name(tag, egress, mirror_side));
    return options;
}

/* Returns the interface of 'port' (ours have exactly one). */
static const struct ovsrec_interface *
port_iface(const struct ovsrec_port *port)
{
    return port->n_interfaces == 1 ? port->interfaces[0] : NULL;
}

static const struct ovsrec_port *
bridge_find_port(const struct ovsrec_bridge *br, const char *name)
{
    for (size_t i = 0; br && i < br->n_ports; i++) {
        if (!strcmp(br->ports[i]->name, name)) {
            return br->ports[i];
        }
    }
    return NULL;
}

static ofp_port_t
bridge_port_ofport(const struct ovsrec_bridge *br, const char *name)
{
    const struct ovsrec_port *port = bridge_find_port(br, name);
    const struct ovsrec_interface *iface = port ? port_iface(port) : NULL;

    return (iface && iface->n_ofport && iface->ofport[0] > 0
            ? u16_to_ofp(iface->ofport[0]) : 0);
}

/* Splits the wanted settings 'all' of an interface into its 'options' and,
 * from the keys that begin with "bfd:", its 'bfd' column (both
 * initialized here). */
static void
split_bfd(const struct smap *all, struct smap *options, struct smap *bfd)
{
    const struct smap_node *node;

    smap_init(options);
    smap_init(bfd);
    SMAP_FOR_EACH (node, all) {
        if (!strncmp(node->key, "bfd:", 4)) {
            smap_add(bfd, node->key + 4, node->value);
        } else {
            smap_add(options, node->key, node->value);
        }
    }
}

static const struct ovsrec_bridge *find_bridge(const struct ovsdb_idl *,
                                               const char *name);

/* Returns the key of the backend at 'addr' on UDP port 'udp_port' in
 * the map of backend owners. */
static char *
backend_key(uint16_t udp_port, const char *addr)
{
    return xasprintf("%"PRIu16"|%s", udp_port, addr);
}

/* Returns the interface of the tunnel port of mirror bridge 'bridge' (in
 * 'idl') toward the backend 'addr' on 'udp_port', or NULL. */
static const struct ovsrec_interface *
backend_iface(const struct ovsdb_idl *idl, const char *bridge,
              uint16_t udp_port, const char *addr)
{
    const struct ovsrec_bridge *br = find_bridge(idl, bridge);
    char *pname = vtap_backend_port_name(bridge, udp_port, addr);
    const struct ovsrec_port *port = br ? bridge_find_port(br, pname) : NULL;

    free(pname);
    return port ? port_iface(port) : NULL;
}

/* Adds to 'owners', for each pool backend (by backend_key()) whose BFD
 * runs in a tunnel port of an ovs-vtapd mirror bridge in 'idl', that
 * bridge's name (a copy), and the key to 'running'. */
static void
find_bfd_ports(const struct ovsdb_idl *idl, struct shash *owners,
               struct sset *running)
{
    const struct ovsrec_bridge *br;

    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (!vtap_is_owned(&br->external_ids)) {
            continue;
        }
        for (size_t i = 0; i < br->n_ports; i++) {
            const struct ovsrec_interface *iface = port_iface(br->ports[i]);
            if (!iface || !vtap_is_owned(&iface->external_ids)
                || strcmp(iface->type, "vxlan")
                || !smap_get_bool(&iface->bfd, "enable", false)) {
                continue;
            }
            const char *remote = smap_get(&iface->options, "remote_ip");
            const char *key = smap_get(&iface->options, "key");
            int dst_port = smap_get_int(&iface->options, "dst_port", 4789);
            if (!remote || !strcmp(remote, "flow")
                || !key || strcmp(key, "flow")) {
                continue;
            }
            char *bkey = backend_key(dst_port, remote);
            if (shash_find(owners, bkey)) {
                free(bkey);
            } else {
                sset_add(running, bkey);
                shash_add_nocopy(owners, bkey, xstrdup(br->name));
            }
        }
    }
}

/* Fills the backend part of 'place' of the pool VTAP 'want' from the
 * tunnel ports of mirror bridge 'mbr' in 'idl': their numbers, and the
 * BFD states of those ports or, for a backend whose BFD runs in another
 * mirror bridge (its name in 'owners', by backend_key(), if nonnull; else
 * as 'place' already says), of that bridge's port. */
static void
place_set_backends(struct vtap_place *place, const struct vtap_want *want,
                   const struct ovsrec_bridge *mbr,
                   const struct ovsdb_idl *idl, const struct shash *owners)
{
    size_t n = want->n_backends;

    if (owners || !place->backend_health || place->n_backends != n) {
        place_free_backend_health(place);
        place->backend_health = xcalloc(n, sizeof *place->backend_health);
        for (size_t i = 0; owners && i < n; i++) {
            if (want->backend_addrs[i]) {
                char *key = backend_key(want->target_port,
                                        want->backend_addrs[i]);
                const char *owner = shash_find_data(owners, key);
                free(key);
                if (owner && strcmp(owner, place->mirror_bridge)) {
                    place->backend_health[i] = xstrdup(owner);
                }
            }
        }
    }
    place->n_backends = n;
    free(place->backend_ofports);
    free(place->backend_up);
    place->backend_ofports = xcalloc(n, sizeof *place->backend_ofports);
    place->backend_up = xcalloc(n, sizeof *place->backend_up);
    for (size_t i = 0; i < n; i++) {
        const char *addr = want->backend_addrs[i];
        if (!addr) {
            continue;
        }
        char *pname = vtap_backend_port_name(place->mirror_bridge,
                                             want->target_port, addr);
        place->backend_ofports[i] = bridge_port_ofport(mbr, pname);
        free(pname);

        const struct ovsrec_interface *health = backend_iface(
            idl, (place->backend_health[i] ? place->backend_health[i]
                  : place->mirror_bridge), want->target_port, addr);
        const char *state = health ? smap_get(&health->bfd_status, "state")
                                   : NULL;
        place->backend_up[i] = (place->backend_ofports[i] && state
                                && !strcmp(state, "up"));
    }
}

/* Makes 'br' (NULL if the bridge is new, then 'new_br' receives all) hold
 * exactly the owned ports in 'want_ports' beside its other ports.  Changes
 * an existing bridge's ports only by partial updates (mutations), so that
 * the ports that other clients add or remove at the same time, which
 * ovs-vtapd may not have seen yet, are left as they are.  Returns true if
 * anything changed. */
static bool
sync_ports(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
           struct ovsrec_bridge *new_br, const struct shash *want_ports,
           const struct shash *want_types, struct shash *port_rows)
{
    struct ovsrec_port **new_ports = NULL;
    size_t n_new_ports = 0;
    bool changed = false;

    if (!br) {
        new_ports = xmalloc(shash_count(want_ports) * sizeof *new_ports);
    }
    for (size_t i = 0; br && i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];

        if (!vtap_is_owned(&port->external_ids)) {
            continue;
        }

        const struct ovsrec_interface *iface = port_iface(port);
        if (shash_find(want_ports, port->name) && iface
            && vtap_is_owned(&iface->external_ids)) {
            const struct smap *options = shash_find_data(want_ports,
                                                         port->name);
            const char *type = shash_find_data(want_types, port->name);

            if (txn && strcmp(iface->type, type)) {
                ovsrec_interface_set_type(iface, type);
                changed = true;
            }
            struct smap opts, bfd;
            split_bfd(options, &opts, &bfd);
            if (txn && !smap_equal(&iface->options, &opts)) {
                ovsrec_interface_set_options(iface, &opts);
                changed = true;
            }
            if (txn && !smap_equal(&iface->bfd, &bfd)) {
                ovsrec_interface_set_bfd(iface, &bfd);
                changed = true;
            }
            smap_destroy(&opts);
            smap_destroy(&bfd);
            shash_add_once(port_rows, port->name, port);
        } else {
            /* Not wanted, or not as made here (its interface is not ours):
             * removed, and made again below if wanted. */
            VLOG_INFO("removing port %s from bridge %s", port->name,
                      br->name);
            if (txn) {
                ovsrec_bridge_update_ports_delvalue(br, port);
            }
            changed = true;
        }
    }

    struct shash_node *node;
    SHASH_FOR_EACH (node, want_ports) {
        if (!txn || shash_find(port_rows, node->name)) {
            continue;
        }
        struct smap owner = SMAP_CONST1(&owner, VTAP_OWNER_KEY,
                                        VTAP_OWNER);
        struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
        ovsrec_interface_set_name(iface, node->name);
        ovsrec_interface_set_type(iface, shash_find_data(want_types,
                                                         node->name));
        struct smap opts, bfd;
        split_bfd(node->data, &opts, &bfd);
        ovsrec_interface_set_options(iface, &opts);
        if (!smap_is_empty(&bfd)) {
            ovsrec_interface_set_bfd(iface, &bfd);
        }
        smap_destroy(&opts);
        smap_destroy(&bfd);
        ovsrec_interface_set_external_ids(iface, &owner);

        struct ovsrec_port *port = ovsrec_port_insert(txn);
        ovsrec_port_set_name(port, node->name);
        ovsrec_port_set_interfaces(port, &iface, 1);
        ovsrec_port_set_external_ids(port, &owner);
        if (br) {
            ovsrec_bridge_update_ports_addvalue(br, port);
        } else {
            new_ports[n_new_ports++] = port;
        }
        shash_add(port_rows, node->name, port);
        VLOG_INFO("adding port %s to bridge %s", node->name,
                  br ? br->name : new_br->name);
        changed = true;
    }

    if (new_br && n_new_ports) {
        /* A bridge inserted in this transaction is ovs-vtapd's own. */
        ovsrec_bridge_set_ports(new_br, new_ports, n_new_ports);
    }
    free(new_ports);
    return changed;
}

/* The Mirror rows wanted on one source bridge. */
struct mirror_want {
    char *name;
    const struct ovsrec_port *select;   /* NULL: select_all. */
    bool egress;                        /* select_src_port, else dst. */
    int vlan;                           /* select_vlan, or -1. */
    const char *output;                 /* Output patch port name. */
};

static bool
mirror_matches(const struct ovsrec_mirror *m, const struct mirror_want *w,
               const struct ovsrec_port *output)
{
    const struct ovsrec_port *sel = w->select;

    return (m->output_port == output
            && m->select_all == !sel
            && m->n_select_src_port == (sel && w->egress)
            && (!m->n_select_src_port || m->select_src_port[0] == sel)
            && m->n_select_dst_port == (sel && !w->egress)
            && (!m->n_select_dst_port || m->select_dst_port[0] == sel)
            && m->n_select_vlan == (w->vlan >= 0)
            && (!m->n_select_vlan || m->select_vlan[0] == w->vlan));
}

static void
mirror_set(const struct ovsrec_mirror *m, const struct mirror_want *w,
           const struct ovsrec_port *output)
{
    struct ovsrec_port *sel = CONST_CAST(struct ovsrec_port *, w->select);
    int64_t vlan = w->vlan;

    ovsrec_mirror_set_output_port(m, output);
    ovsrec_mirror_set_select_all(m, !sel);
    ovsrec_mirror_set_select_src_port(m, &sel, sel && w->egress);
    ovsrec_mirror_set_select_dst_port(m, &sel, sel && !w->egress);
    ovsrec_mirror_set_select_vlan(m, &vlan, w->vlan >= 0);
}

/* Makes the owned Mirror rows of 'br' those in 'wants' (by name), by
 * partial updates of its mirrors, as sync_ports() does for ports. */
static bool
sync_mirrors(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
             const struct mirror_want *wants, size_t n_wants,
             const struct shash *port_rows)
{
    bool changed = false;
    bool *found = xcalloc(n_wants + 1, sizeof *found);

    for (size_t i = 0; i < br->n_mirrors; i++) {
        const struct ovsrec_mirror *m = br->mirrors[i];
        const struct mirror_want *w = NULL;

        if (!vtap_is_owned(&m->external_ids)) {
            continue;
        }
        for (size_t j = 0; j < n_wants; j++) {
            if (!found[j] && !strcmp(wants[j].name, m->name)) {
                w = &wants[j];
                found[j] = true;
                break;
            }
        }
        if (!w) {
            VLOG_INFO("removing mirror %s from bridge %s", m->name, br->name);
            if (txn) {
                ovsrec_bridge_update_mirrors_delvalue(br, m);
            }
            changed = true;
            continue;
        }
        const struct ovsrec_port *output = shash_find_data(port_rows,
                                                           w->output);
        if (!mirror_matches(m, w, output)) {
            if (txn) {
                mirror_set(m, w, output);
            }
            changed = true;
        }
    }
    for (size_t j = 0; j < n_wants && txn; j++) {
        if (!found[j]) {
            const struct mirror_want *w = &wants[j];
            struct smap owner = SMAP_CONST1(&owner, VTAP_OWNER_KEY,
                                            VTAP_OWNER);
            struct ovsrec_mirror *m = ovsrec_mirror_insert(txn);

            ovsrec_mirror_set_name(m, w->name);
            ovsrec_mirror_set_external_ids(m, &owner);
            mirror_set(m, w, shash_find_data(port_rows, w->output));
            ovsrec_bridge_update_mirrors_addvalue(br, m);
            VLOG_INFO("adding mirror %s to bridge %s", w->name, br->name);
            changed = true;
        }
    }
    free(found);
    return changed;
}

static const struct ovsrec_bridge *
find_bridge(const struct ovsdb_idl *idl, const char *name)
{
    const struct ovsrec_bridge *br;

    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

static int
compare_sources(const void *a_, const void *b_)
{
    const struct source *const *a = a_;
    const struct source *const *b = b_;

    return strcmp((*a)->key, (*b)->key);
}

/* Marks the sources of each bridge that do not fit in its Mirror limit. */
static void
apply_mirror_limit(const struct ovsdb_idl *idl, struct hmap *sources)
{
    size_t n = hmap_count(sources), i = 0;
    struct source **sorted = xmalloc(n * sizeof *sorted);
    struct source *src;
    struct simap used = SIMAP_INITIALIZER(&used);

    HMAP_FOR_EACH (src, node, sources) {
        sorted[i++] = src;
    }
    qsort(sorted, n, sizeof *sorted, compare_sources);
    for (i = 0; i < n; i++) {
        const char *bridge = sorted[i]->want->src_bridge;
        struct simap_node *count = simap_find(&used, bridge);

        if (!count) {
            const struct ovsrec_bridge *br = find_bridge(idl, bridge);
            unsigned int others = 0;

            for (size_t j = 0; br && j < br->n_mirrors; j++) {
                others += !vtap_is_owned(&br->mirrors[j]->external_ids);
            }
            simap_put(&used, bridge, others);
            count = simap_find(&used, bridge);
        }
        unsigned int need = sorted[i]->want->src_port ? 2 : 1;
        if (count->data + need > VTAP_MAX_MIRRORS) {
            sorted[i]->over_limit = true;
        } else {
            count->data += need;
        }
    }
    simap_destroy(&used);
    free(sorted);
}

static struct source *
find_source(const struct hmap *sources, const char *key)
{
    struct source *src;

    HMAP_FOR_EACH_WITH_HASH (src, node, hash_string(key, 0), sources) {
        if (!strcmp(src->key, key)) {
            return src;
        }
    }
    return NULL;
}

static void
mbridge_destroy(struct mbridge *mb)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &mb->ports) {
        smap_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&mb->ports);
    shash_destroy(&mb->types);
    free(mb->name);
    free(mb);
}

/* Creates the mirror bridge 'mb' in 'txn'. */
static struct ovsrec_bridge *
create_mirror_bridge(struct ovsdb_idl_txn *txn,
                     const struct ovsrec_open_vswitch *cfg,
                     const struct mbridge *mb)
{
    struct smap owner = SMAP_CONST1(&owner, VTAP_OWNER_KEY,
                                    VTAP_OWNER);
    struct smap other = SMAP_CONST1(&other, "disable-in-band", "true");
    struct ovsrec_bridge *br = ovsrec_bridge_insert(txn);

    ovsrec_bridge_set_name(br, mb->name);
    ovsrec_bridge_set_fail_mode(br, "secure");
    ovsrec_bridge_set_datapath_type(br, mb->dp_type);
    ovsrec_bridge_set_other_config(br, &other);
    ovsrec_bridge_set_external_ids(br, &owner);
    ovsrec_open_vswitch_update_bridges_addvalue(cfg, br);
    VLOG_INFO("creating mirror bridge %s for bridge %s (datapath type %s)",
              mb->name, mb->src_bridge, mb->dp_type);
    return br;
}

/* Collects the sources and mirror bridges that 'desired' needs. */
static void
collect(const struct vtap_desired *desired, struct hmap *sources,
        struct shash *mbridges)
{
    const struct vtap_want *want;

    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        if (!want->src_bridge) {
            continue;
        }
        struct source *src = find_source(sources, want->source_key);
        if (!src) {
            src = xzalloc(sizeof *src);
            src->key = want->source_key;
            src->want = want;
            vtap_source_tag(src->key, src->tag);
            hmap_insert(sources, &src->node, hash_string(src->key, 0));
        }

        char *name = vtap_mirror_bridge_name(want->src_bridge);
        struct mbridge *mb = shash_find_data(mbridges, name);
        if (!mb) {
            mb = xzalloc(sizeof *mb);
            mb->name = name;
            mb->src_bridge = want->src_bridge;
            mb->dp_type = want->src_dp_type;
            shash_init(&mb->ports);
            shash_init(&mb->types);
            shash_add(mbridges, name, mb);
        } else {
            free(name);
        }
    }
}

/* Reconciles the owned Open_vSwitch rows with 'desired' in 'txn', or only
 * reads them if 'txn' is NULL.  Fills 'places' (if nonnull, initialized
 * empty) with each VTAP's mirror bridge and OpenFlow ports, or why the
 * configuration cannot realize it.  A mirror bridge that no VTAP needs any
 * more is kept as it is while its name is in 'keep' (if nonnull): its
 * flows go first, and their final counts come with their deletion.
 * Returns true if 'txn' changes anything. */
bool
vswitch_config_run(struct ovsdb_idl_txn *txn, const struct ovsdb_idl *idl,
                   const struct vtap_desired *desired,
                   struct vtap_places *places, const struct sset *keep)
{
    const struct ovsrec_open_vswitch *cfg = ovsrec_open_vswitch_first(idl);
    struct hmap sources = HMAP_INITIALIZER(&sources);
    struct shash mbridges = SHASH_INITIALIZER(&mbridges);
    const struct vtap_want *want;
    bool changed = false;

    if (!cfg) {
        return false;
    }
    collect(desired, &sources, &mbridges);
    apply_mirror_limit(idl, &sources);

    /* The ports of each mirror bridge. */
    struct source *src;
    HMAP_FOR_EACH (src, node, &sources) {
        char *name = vtap_mirror_bridge_name(src->want->src_bridge);
        struct mbridge *mb = shash_find_data(&mbridges, name);
        free(name);
        if (src->over_limit) {
            continue;
        }
        for (int egress = 0; egress < 1 + !!src->want->src_port; egress++) {
            char *pname = vtap_patch_name(src->tag, egress, true);
            mbridge_add_port(mb, pname, "patch",
                             patch_options(src->tag, egress, false));
            free(pname);
        }
    }
    /* Each pool backend's BFD runs in one mirror bridge: OVS gives the
     * BFD replies, which come back in VNI 0, to one tunnel port.  The
     * others follow its state.  It stays where it runs (also in a mirror
     * bridge on its way out); otherwise it goes to the first by name of
     * those that need it, once no port runs it any more: a port whose
     * receive side is the same as another's is refused by OVS. */
    struct shash owners = SHASH_INITIALIZER(&owners);
    struct sset running = SSET_INITIALIZER(&running);
    find_bfd_ports(idl, &owners, &running);
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        for (size_t i = 0; want->src_bridge && i < want->n_backends; i++) {
            if (!want->backend_addrs[i]) {
                continue;
            }
            char *key = backend_key(want->target_port,
                                    want->backend_addrs[i]);
            char *name = vtap_mirror_bridge_name(want->src_bridge);
            struct shash_node *owner = shash_find(&owners, key);
            if (!owner) {
                shash_add_nocopy(&owners, key, name);
            } else {
                if (!sset_contains(&running, key)
                    && strcmp(name, owner->data) < 0) {
                    free(owner->data);
                    owner->data = name;
                } else {
                    free(name);
                }
                free(key);
            }
        }
    }
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        if (want->src_bridge && want->target_port) {
            char *name = vtap_mirror_bridge_name(want->src_bridge);
            struct mbridge *mb = shash_find_data(&mbridges, name);
            char *pname = vtap_vxlan_port_name(name, want->target_port);

            /* (Another VTAP's target may have the same UDP port, and
             * already this port: mbridge_add_port() keeps the first.  Its
             * backends are this VTAP's own, added below all the same.) */
            struct smap *options = xmalloc(sizeof *options);

            /* The VNI is set per flow (out_key=flow).  A fixed in_key of
             * its own keeps this port's receive side apart from other
             * flow-based VXLAN ports on the same UDP port, in other mirror
             * bridges or the user's own: OVS refuses two tunnel ports
             * with the same receive configuration. */
            smap_init(options);
            smap_add(options, "remote_ip", "flow");
            smap_add(options, "out_key", "flow");
            smap_add_format(options, "in_key", "%"PRIu32,
                            vtap_vxlan_in_key(name));
            smap_add_format(options, "dst_port", "%"PRIu16, want->target_port);
            mbridge_add_port(mb, pname, "vxlan", options);
            free(pname);

            /* A pool: one VXLAN port per backend, toward its address,
             * with BFD as the health check.  The key is the flow's (the
             * VNI on the way out, any on the way in: BFD comes back in
             * VNI 0); the fixed remote keeps its receive side apart.  In
             * a mirror bridge that does not run the backend's BFD, the
             * port receives only this bridge's own key, as the VXLAN port
             * above, so that it does not clash with the one that does. */
            for (size_t i = 0; i < want->n_backends; i++) {
                const char *addr = want->backend_addrs[i];
                if (!addr) {
                    continue;
                }
                char *key = backend_key(want->target_port, addr);
                bool owner = !strcmp(shash_find_data(&owners, key), name);
                free(key);

                options = xmalloc(sizeof *options);
                smap_init(options);
                smap_add(options, "remote_ip", addr);
                smap_add_format(options, "dst_port", "%"PRIu16,
                                want->target_port);
                if (owner) {
                    smap_add(options, "key", "flow");
                    smap_add(options, "bfd:enable", "true");
                    smap_add_format(options, "bfd:min_tx", "%d",
                                    want->health_interval);
                    smap_add_format(options, "bfd:min_rx", "%d",
                                    want->health_interval);
                } else {
                    smap_add(options, "out_key", "flow");
                    smap_add_format(options, "in_key", "%"PRIu32,
                                    MAX(vtap_vxlan_in_key(name), 1));
                }
                pname = vtap_backend_port_name(name, want->target_port,
                                               addr);
                mbridge_add_port(mb, pname, "vxlan", options);
                free(pname);
            }
            free(name);
        }
    }

    /* Mirror bridges: remove those no longer needed, create or fix the
     * others. */
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (vtap_is_owned(&br->external_ids)
            && !shash_find(&mbridges, br->name)
            && !(keep && sset_contains(keep, br->name))) {
            if (txn) {
                ovsrec_open_vswitch_update_bridges_delvalue(cfg, br);
            }
            VLOG_INFO("removing mirror bridge %s", br->name);
            changed = true;
        }
    }
    struct shash mport_rows = SHASH_INITIALIZER(&mport_rows);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &mbridges) {
        struct mbridge *mb = node->data;
        const struct ovsrec_bridge *old = find_bridge(idl, mb->name);
        struct ovsrec_bridge *new = NULL;

        if (old && !vtap_is_owned(&old->external_ids)) {
            HMAP_FOR_EACH (want, node, &desired->vtaps) {
                if (want->src_bridge && !strcmp(want->src_bridge,
                                                mb->src_bridge)) {
                    place_set_error(places, want, "bridge %s exists and is "
                                    "not ovs-vtapd's", mb->name);
                }
            }
            continue;
        }
        if (!old) {
            if (!txn) {
                continue;
            }
            new = create_mirror_bridge(txn, cfg, mb);
            changed = true;
        }
        changed |= sync_ports(txn, old, new, &mb->ports, &mb->types,
                              &mport_rows);
    }
    shash_destroy(&mport_rows);

    /* Source bridges: patch ports and Mirror rows. */
    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (vtap_is_owned(&br->external_ids)) {
            continue;
        }
        struct shash ports = SHASH_INITIALIZER(&ports);
        struct shash types = SHASH_INITIALIZER(&types);
        struct mirror_want *mwants = NULL;
        size_t n_mwants = 0, allocated = 0;

        HMAP_FOR_EACH (src, node, &sources) {
            const struct vtap_want *w = src->want;
            if (strcmp(w->src_bridge, br->name) || src->over_limit) {
                continue;
            }
            for (int egress = 0; egress < 2; egress++) {
                if (egress && !w->src_port) {
                    break;
                }
                char *pname = vtap_patch_name(src->tag, egress, false);
                shash_add(&ports, pname,
                          patch_options(src->tag, egress, true));
                shash_add(&types, pname, "patch");

                if (n_mwants >= allocated) {
                    mwants = x2nrealloc(mwants, &allocated, sizeof *mwants);
                }
                struct mirror_want *mw = &mwants[n_mwants++];
                mw->name = vtap_mirror_name(src->tag, egress);
                mw->select = w->src_port ? bridge_find_port(br, w->src_port)
                                         : NULL;
                mw->egress = egress;
                mw->vlan = w->src_vlan;
                mw->output = shash_find(&ports, pname)->name;
                free(pname);
            }
        }

        struct shash port_rows = SHASH_INITIALIZER(&port_rows);
        changed |= sync_ports(txn, br, NULL, &ports, &types, &port_rows);
        changed |= sync_mirrors(txn, br, mwants, n_mwants, &port_rows);
        shash_destroy(&port_rows);

        for (size_t i = 0; i < n_mwants; i++) {
            free(mwants[i].name);
        }
        free(mwants);
        SHASH_FOR_EACH (node, &ports) {
            smap_destroy(node->data);
            free(node->data);
        }
        shash_destroy(&ports);
        shash_destroy(&types);
    }

    /* Where each VTAP is realized. */
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        if (!want->src_bridge || !places) {
            continue;
        }
        src = find_source(&sources, want->source_key);
        if (src->over_limit) {
            place_set_error(places, want, "mirror limit of bridge %s reached "
                            "(%d)", want->src_bridge, VTAP_MAX_MIRRORS);
            continue;
        }
        struct vtap_place *place = place_get(places, want);
        place->mirror_bridge = vtap_mirror_bridge_name(want->src_bridge);
        place->source_tag = xstrdup(src->tag);
        place->vxlan_port = vtap_vxlan_port_name(place->mirror_bridge,
                                                 want->target_port);
        const struct ovsrec_bridge *mbr = find_bridge(idl,
                                                      place->mirror_bridge);
        if (!mbr || !vtap_is_owned(&mbr->external_ids)) {
            continue;
        }
        char *pname = vtap_patch_name(src->tag, false, true);
        place->ingress_ofport = bridge_port_ofport(mbr, pname);
        free(pname);
        pname = vtap_patch_name(src->tag, true, true);
        place->egress_ofport = bridge_port_ofport(mbr, pname);
        free(pname);
        place->vxlan_ofport = bridge_port_ofport(mbr, place->vxlan_port);
        if (want->n_backends) {
            place_set_backends(place, want, mbr, idl, &owners);
        }
    }
    shash_destroy_free_data(&owners);
    sset_destroy(&running);

    HMAP_FOR_EACH_POP (src, node, &sources) {
        free(src);
    }
    hmap_destroy(&sources);
    SHASH_FOR_EACH (node, &mbridges) {
        mbridge_destroy(node->data);
    }
    shash_destroy(&mbridges);
    return changed;
}

/* Reads again the BFD state of the backends of every pool VTAP of
 * 'desired' into 'places', from 'idl' (Interface bfd_status changes do not
 * make a pass: they wake no one).  Returns a hash of those states, which
 * changes when one does.  Sets '*followed_changed' if the state of a
 * backend whose BFD runs in another mirror bridge changed: the flows that
 * follow it must be built again (where the BFD runs, OVS's bundle follows
 * it by itself). */
uint32_t
vtap_places_update_backends(struct vtap_places *places,
                            const struct ovsdb_idl *idl,
                            const struct vtap_desired *desired,
                            bool *followed_changed)
{
    const struct vtap_want *want;
    uint32_t hash = 0;

    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        struct vtap_place *place = CONST_CAST(
            struct vtap_place *, vtap_places_find(places, &want->uuid));
        const struct ovsrec_bridge *mbr;

        if (!want->n_backends || !place || !place->mirror_bridge
            || !(mbr = find_bridge(idl, place->mirror_bridge))
            || !vtap_is_owned(&mbr->external_ids)) {
            continue;
        }
        ofp_port_t *ofports = (place->backend_ofports
                               ? xmemdup(place->backend_ofports,
                                         (place->n_backends
                                          * sizeof *ofports))
                               : NULL);
        size_t n = place->n_backends;
        bool *was_up = (place->backend_up
                        ? xmemdup(place->backend_up, n * sizeof *was_up)
                        : NULL);
        place_set_backends(place, want, mbr, idl, NULL);
        /* The numbers stay those that the flows were built from. */
        if (ofports && n == place->n_backends) {
            memcpy(place->backend_ofports, ofports, n * sizeof *ofports);
        }
        for (size_t i = 0; i < place->n_backends; i++) {
            if (place->backend_health[i]
                && (!was_up || n != place->n_backends
                    || was_up[i] != place->backend_up[i])) {
                *followed_changed = true;
            }
        }
        free(was_up);
        free(ofports);
        for (size_t i = 0; i < place->n_backends; i++) {
            hash = hash_int(place->backend_up[i] | (i << 1),
                            hash_int(want->id, hash));
        }
    }
    return hash;
}

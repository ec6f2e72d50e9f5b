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

/* vswitch-config.h: the Open_vSwitch configuration that realizes VTAPs: per
 * source a pair of Mirror rows (one for a bridge or VLAN source) into patch
 * ports, per source bridge a mirror bridge with the patch peers, and per
 * mirror bridge one flow-based VXLAN port for each target UDP port.
 *
 * Every row made here carries the owner mark of vtap-names.h, and only
 * such rows are ever changed or removed.  The columns of other rows
 * that refer to them (a bridge's ports and mirrors, Open_vSwitch bridges)
 * change only by partial updates, so that what other clients commit
 * meanwhile stays. */

#ifndef OVS_VTAPD_VSWITCH_CONFIG_H
#define OVS_VTAPD_VSWITCH_CONFIG_H 1

#include <stdbool.h>
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct sset;
struct vtap_desired;

/* Most Mirror rows that one bridge can have (MAX_MIRRORS in OVS). */
#define VTAP_MAX_MIRRORS 32

/* Where one VTAP is realized in the Open_vSwitch configuration: written
 * by vswitch_config_run() only. */
struct vtap_place {
    struct hmap_node node;      /* In vtap_places.map, by uuid. */
    struct uuid uuid;           /* The VTAP. */
    char *mirror_bridge;        /* Mirror bridge name, or NULL. */
    char *source_tag;           /* Tag of the source (vtap-names.h). */
    char *vxlan_port;           /* Name of the VXLAN port, or NULL. */
    ofp_port_t ingress_ofport;  /* Patch ports in the mirror bridge, 0 */
    ofp_port_t egress_ofport;   /* until ovs-vswitchd numbers them. */
    ofp_port_t vxlan_ofport;    /* VXLAN port for the target's port. */

    /* A pool target: per backend of the VTAP's want (same order), its
     * tunnel port's number (0 if none yet or not resolved), whether its
     * BFD session is up. */
    size_t n_backends;
    ofp_port_t *backend_ofports;
    bool *backend_up;
    /* Per backend, NULL if its tunnel port here runs the BFD session,
     * else the mirror bridge whose tunnel port to the same backend does
     * (OVS takes one receiving tunnel port per remote and key only: a
     * backend shared by the mirror bridges of several source bridges has
     * its BFD in one of them, and the others follow its state). */
    char **backend_health;
    char *error;                /* Why the configuration cannot realize
                                 * the VTAP, or NULL. */
};

/* The places of the VTAPs that have a source on this host. */
struct vtap_places {
    struct hmap map;            /* Contains "struct vtap_place"s. */
};

void vtap_places_init(struct vtap_places *);
void vtap_places_destroy(struct vtap_places *);
const struct vtap_place *vtap_places_find(const struct vtap_places *,
                                          const struct uuid *vtap);

bool vswitch_config_run(struct ovsdb_idl_txn *, const struct ovsdb_idl *,
                        const struct vtap_desired *, struct vtap_places *,
                        const struct sset *keep);
void vswitch_config_register_columns(struct ovsdb_idl *);
uint32_t vtap_places_update_backends(struct vtap_places *,
                                     const struct ovsdb_idl *,
                                     const struct vtap_desired *,
                                     bool *followed_changed);

#endif /* vswitch-config.h */

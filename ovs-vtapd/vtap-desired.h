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

/* vtap-desired.h: what ovs-vtapd wants on this host, read from the VTAP
 * and Open_vSwitch databases: each VTAP whose source is on this host (see
 * vtap-source.h), with its source as found here, its target address and
 * its rules.  Only vtap-desired.c writes these; the
 * later stages keep what they make of each VTAP in structures of their own
 * (vswitch-config.h: where it is realized; vtap-pipeline.h: its flows). */

#ifndef OVS_VTAPD_VTAP_DESIRED_H
#define OVS_VTAPD_VTAP_DESIRED_H 1

#include <stdbool.h>
#include <stdint.h>
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"
#include "openvswitch/uuid.h"
#include "ovs-vtap/vtap-rule.h"
#include "sset.h"
#include "uuidset.h"

struct ovsdb_idl;
struct path_mtu;
struct vtap_changes;
struct vtap_resolver;
struct vtap_rule_cache;

#define VTAP_HEALTH_INTERVAL_DEFAULT 1000   /* ms, Target.health_interval. */
#define VTAP_POOL_MAX 16        /* Backends of a pool used at most. */

/* One VTAP as this host should realize it. */
struct vtap_want {
    struct hmap_node node;      /* In vtap_desired.vtaps, by uuid. */
    struct uuid uuid;           /* VTAP row. */
    char *name;
    uint32_t id;                /* Nonzero, unique: reg0 and cookie. */
    bool enabled;
    uint32_t vni;
    int max_len;                /* Max packet size set, or 0 for none. */

    /* The source on this host; 'src_bridge' is NULL if not found. */
    char *src_bridge;
    char *src_dp_type;          /* Datapath type of 'src_bridge'. */
    char *src_port;             /* Port name, NULL for a bridge source. */
    int src_vlan;               /* VLAN of a VLAN source, else -1. */
    char *source_key;           /* Identifies the shared Mirror pair. */

    /* The target. */
    char *target_name;
    char *target_addr;          /* IP literal, or NULL if not known. */
    bool target_ipv6;
    uint16_t target_port;       /* UDP port. */
    char *target_error;         /* Resolution problem, or NULL. */

    /* A pool target (Target.backends), else n_backends is 0.  Backend i is
     * backend_names[i] as the target lists it (sorted), backend_addrs[i]
     * its IP literal or NULL if it does not resolve; 'target_addr' is then
     * the first backend address known, for the path and the checks. */
    size_t n_backends;
    char **backend_names;
    char **backend_addrs;
    int health_interval;        /* BFD interval of the backends, in ms. */

    /* The path toward the target (see path-mtu.h) and what it allows. */
    int path_mtu;               /* MTU of the interface it leaves by. */
    char *path_dev;             /* That interface, or NULL if not known. */
    char *path_error;           /* Why it is not known, or NULL. */
    int path_max_len;           /* Largest frame whose copy fits. */
    int trunc_len;              /* Copies are cut to this many bytes. */
    bool path_cut;              /* 'trunc_len' is the path's limit: copies
                                 * that it cuts are counted apart. */
    char *warning;              /* Running, but not as asked, or NULL. */

    /* The capture rules, valid ones only, in database order. */
    struct vtap_rule *rules;
    size_t n_rules;

    char *error;                /* Why it cannot run as read from the
                                 * databases, or NULL. */

    /* The rows besides its own that it was built from: its target, its
     * capture filter and the filter's rules (see vtap_desired_update()). */
    struct uuid *deps;
    size_t n_deps, allocated_deps;
};

/* Everything wanted on this host. */
struct vtap_desired {
    struct hmap vtaps;          /* Contains "struct vtap_want"s. */
    char *host;                 /* This host's name in Realization rows. */
    size_t n_hosts;             /* Hosts sharing the VTAP database. */

    /* What of the Open_vSwitch database the sources depend on, so that a
     * change that concerns none of it is known at once
     * (vtap_desired_ovs_changed()). */
    struct sset source_names;   /* The names that the sources give, and
                                 * of the bridges, ports and interfaces
                                 * where they were found. */
    struct uuidset source_rows; /* Those bridge, port and interface rows. */

    /* For vtap_desired_update(). */
    struct hmap ids;            /* The ids in use. */
    size_t n_probed;            /* VTAPs whose id is not their UUID's own,
                                 * since another VTAP had it. */
    struct hmap deps;           /* Row -> the VTAPs built from it. */
};

void vtap_desired_init(struct vtap_desired *);
void vtap_desired_build(struct vtap_desired *, const char *host,
                        size_t n_hosts, const struct ovsdb_idl *ovs,
                        const struct ovsdb_idl *vtap,
                        struct vtap_resolver *, struct path_mtu *,
                        struct vtap_rule_cache *);
bool vtap_desired_update(struct vtap_desired *, const struct vtap_changes *,
                         const struct ovsdb_idl *ovs,
                         const struct ovsdb_idl *vtap,
                         struct vtap_resolver *, struct path_mtu *,
                         struct vtap_rule_cache *);

struct vtap_rule_cache *vtap_rule_cache_create(void);
void vtap_rule_cache_destroy(struct vtap_rule_cache *);
void vtap_desired_destroy(struct vtap_desired *);
struct vtap_want *vtap_desired_find(const struct vtap_desired *,
                                    const struct uuid *);

/* How a change of the Open_vSwitch database concerns ovs-vtapd. */
enum vtap_ovs_change {
    VTAP_OVS_NONE,              /* Not at all. */
    VTAP_OVS_OWN,               /* What it made, not the desired state. */
    VTAP_OVS_SOURCES,           /* The desired state. */
};

enum vtap_ovs_change vtap_desired_ovs_changed(const struct vtap_desired *,
                                              const struct ovsdb_idl *ovs);

#endif /* vtap-desired.h */

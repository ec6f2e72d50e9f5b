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

/* path-mtu.h: the MTU of the path from this host to each target, found as
 * ovs-vswitchd finds it.
 *
 * The user-space datapath routes an encapsulated packet with ovs-vswitchd's
 * own router (ovs-router: the kernel's routes plus those added with
 * "ovs-appctl ovs/route/add"), which lives inside ovs-vswitchd; so the route
 * is asked of ovs-vswitchd itself ("ovs/route/lookup" over its control
 * socket, through libopenvswitch's unixctl client).  The MTU is then that of
 * the interface that the route leaves by: Interface.mtu of the Open_vSwitch
 * database when it is an Open vSwitch interface, else the kernel's.
 *
 * Answers are cached per address and asked again by path_mtu_run() every
 * few seconds, which reports whether any of them changed; path_mtu_sweep()
 * forgets the addresses that are no longer looked up. */

#ifndef OVS_VTAPD_PATH_MTU_H
#define OVS_VTAPD_PATH_MTU_H 1

#include <stdbool.h>

struct ovsdb_idl;
struct path_mtu;

/* The MTU assumed when the path is not known (no route, ovs-vswitchd not
 * reachable): a plain Ethernet path. */
#define PATH_MTU_DEFAULT 1500

/* Encapsulation overhead within the MTU: outer IP header, UDP and VXLAN.
 * The inner frame, Ethernet header included, is the payload. */
#define PATH_MTU_VXLAN_OVERHEAD_IPV4 (20 + 8 + 8)
#define PATH_MTU_VXLAN_OVERHEAD_IPV6 (40 + 8 + 8)

/* The path toward one address. */
struct path_mtu_info {
    int mtu;                    /* MTU of 'dev', or PATH_MTU_DEFAULT. */
    const char *dev;            /* Interface the route leaves by, or NULL. */
    const char *error;          /* Why the path is not known, or NULL. */
};

struct path_mtu *path_mtu_create(const char *rundir);
void path_mtu_destroy(struct path_mtu *);

struct path_mtu_info path_mtu_lookup(struct path_mtu *,
                                     const struct ovsdb_idl *ovs,
                                     const char *address);
void path_mtu_sweep(struct path_mtu *);
bool path_mtu_run(struct path_mtu *, const struct ovsdb_idl *ovs);
void path_mtu_wait(const struct path_mtu *);

#endif /* path-mtu.h */

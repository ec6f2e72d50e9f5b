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

/* vtapctl-hosts.h: the hosts that run ovs-vtapd, as their Host and
 * Host_Private rows show them: "list-hosts", "del-host", and the liveness
 * and progress that "--wait" needs. */

#ifndef VTAPCTL_HOSTS_H
#define VTAPCTL_HOSTS_H 1

#include <stdbool.h>
#include <stdint.h>

struct ovsdb_idl;
struct vtaprec_host;
struct vtaprec_host_private;

/* A host is dead once it has written no heartbeat for this many of its
 * heartbeat intervals. */
#define VTAPCTL_DEAD_INTERVALS 3

void vtapctl_hosts_register_commands(void);
const char *vtapctl_hosts_usage(void);

void vtapctl_hosts_add_columns(struct ovsdb_idl *);

const struct vtaprec_host *vtapctl_find_host(const struct ovsdb_idl *,
                                             const char *name);
const struct vtaprec_host_private *vtapctl_find_host_private(
    const struct ovsdb_idl *, const char *name);
/* What a host's Host_Private row says (see vtapctl_host_progress()). */
struct vtapctl_host_progress {
    int64_t cur_cfg;            /* The configuration it has applied. */
    long long int heartbeat;    /* Its last heartbeat, wall-clock ms. */
};
struct vtapctl_host_progress vtapctl_host_progress(
    const struct ovsdb_idl *, const struct vtaprec_host *);
long long int vtapctl_host_dead_at(const struct ovsdb_idl *,
                                   const struct vtaprec_host *);
bool vtapctl_host_is_alive(const struct ovsdb_idl *,
                           const struct vtaprec_host *, long long int now);

#endif /* vtapctl-hosts.h */

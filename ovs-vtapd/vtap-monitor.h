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

/* vtap-monitor.h: the VTAP rows that this host's ovs-vtapd asks its server
 * for.  A monitor condition on VTAP.source_host and VTAP.source limits them
 * to those that can concern the host: its own (source_host is its name),
 * every host's ("*"), the database's one host's (""), and those of an
 * iface-id that one of its interfaces has.  The condition follows the
 * host's name and interfaces; until the server has acknowledged it, what
 * the IDL holds is not known to be complete. */

#ifndef OVS_VTAPD_VTAP_MONITOR_H
#define OVS_VTAPD_VTAP_MONITOR_H 1

#include <stdbool.h>

struct ovsdb_idl;

struct vtap_monitor *vtap_monitor_create(void);
void vtap_monitor_destroy(struct vtap_monitor *);

void vtap_monitor_register(struct ovsdb_idl *vtap_idl);
void vtap_monitor_run(struct vtap_monitor *, struct ovsdb_idl *vtap_idl,
                      const struct ovsdb_idl *ovs_idl, const char *host);
bool vtap_monitor_is_ready(const struct vtap_monitor *,
                           const struct ovsdb_idl *vtap_idl);
bool vtap_monitor_was_ready(const struct vtap_monitor *);

#endif /* vtap-monitor.h */

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

/* host-row.h: this host's identity and its rows in the VTAP database's Host
 * and Host_Private tables.  The host is named by --host, else by
 * Open_vSwitch external_ids:system-id, else by its host name.  The daemon
 * is the only writer of its two rows: in Host what it is (its version, its
 * tunnel address, its heartbeat interval), which every host reads; in
 * Host_Private what it does (the configuration that it has applied, that
 * is Global.next_cfg copied once everything is in place, and a heartbeat
 * written at most once per interval), which no other host reads. */

#ifndef OVS_VTAPD_HOST_ROW_H
#define OVS_VTAPD_HOST_ROW_H 1

#include <stdbool.h>
#include <stddef.h>

struct ovsdb_idl;
struct ovsdb_idl_txn;

struct host_row *host_row_create(const char *name, long long int interval);
void host_row_destroy(struct host_row *);

void host_row_register_columns(struct ovsdb_idl *vtap_idl);
void host_row_set_condition(struct host_row *, struct ovsdb_idl *vtap_idl,
                            const struct ovsdb_idl *ovs_idl);

const char *host_row_name(const struct host_row *,
                          const struct ovsdb_idl *ovs_idl);
size_t host_row_count_hosts(const struct host_row *,
                            const struct ovsdb_idl *vtap,
                            const struct ovsdb_idl *ovs);
void host_row_run(struct host_row *, struct ovsdb_idl_txn *vtap_txn,
                  const struct ovsdb_idl *vtap_idl,
                  const struct ovsdb_idl *ovs_idl, bool applied);
void host_row_wait(const struct host_row *);
bool host_row_cleanup(struct ovsdb_idl_txn *, const struct ovsdb_idl *vtap,
                      const char *name);

#endif /* host-row.h */

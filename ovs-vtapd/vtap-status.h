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

/* vtap-status.h: what ovs-vtapd writes back to the VTAP database: this
 * host's Realization row of each VTAP that it realizes (state, reason,
 * where, counters), kept as "released" with its final counters when the
 * VTAP's source leaves the host.  It writes no other row, and reads only
 * this host's Realization rows (vtap_status_set_host()).
 *
 * Counters are kept per VTAP and direction and per rule (by the rule's
 * UUID), starting from the values already in the database.  With the
 * totals, each Realization row's external_ids hold the raw counters of the
 * VTAP's flows that the totals were counted up to (flow-counters.h), so
 * that a restarted daemon counts exactly what the switch counted while it
 * was down.  Nothing is written when nothing changed. */

#ifndef OVS_VTAPD_VTAP_STATUS_H
#define OVS_VTAPD_VTAP_STATUS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ds;
struct flow_counters;
struct shash;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct uuid;
struct vtap_desired;
struct vtap_pipeline;
struct vtap_places;

struct vtap_status;

/* What the stages before the status made, which it reports. */
struct vtap_stages {
    const struct vtap_desired *desired;     /* vtap-desired.h. */
    const struct vtap_places *places;       /* vswitch-config.h. */
    const struct vtap_pipeline *pipeline;   /* vtap-pipeline.h. */
    const struct shash *flow_tables;        /* Mirror bridge name ->
                                             * "struct flow_table *". */
};

void vtap_status_register_columns(struct ovsdb_idl *);
struct vtap_status *vtap_status_create(void);
void vtap_status_destroy(struct vtap_status *);
void vtap_status_set_host(struct vtap_status *, struct ovsdb_idl *,
                          const char *host);
bool vtap_status_is_ready(const struct vtap_status *,
                          const struct ovsdb_idl *);
void vtap_status_update(struct vtap_status *, const struct ovsdb_idl *,
                        const struct vtap_desired *,
                        struct flow_counters *);
bool vtap_status_collect(struct vtap_status *, struct flow_counters *);
void vtap_status_write(struct vtap_status *, struct ovsdb_idl_txn *,
                       const struct ovsdb_idl *, const struct vtap_stages *,
                       const struct flow_counters *);
void vtap_status_format_counters(const struct vtap_status *,
                                 const struct uuid *vtap, struct ds *);
int64_t vtap_status_backend_packets(const struct vtap_status *,
                                    const struct uuid *vtap, size_t i);
const char *vtap_status_state(const struct vtap_status *,
                              const struct uuid *vtap);

#endif /* vtap-status.h */

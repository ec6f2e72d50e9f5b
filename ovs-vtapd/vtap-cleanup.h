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

/* vtap-cleanup.h: what "ovs-appctl -t ovs-vtapd exit --cleanup" removes
 * before ovs-vtapd exits: every Open_vSwitch row that ovs-vtapd made
 * (mirror bridges with their flows, patch and VXLAN ports, Mirror rows)
 * and this host's Realization rows in the VTAP database.  The rows of
 * other clients and the user's VTAP rows stay. */

#ifndef OVS_VTAPD_VTAP_CLEANUP_H
#define OVS_VTAPD_VTAP_CLEANUP_H 1

#include <stdbool.h>

struct ovsdb_idl;
struct ovsdb_idl_txn;

bool vtap_cleanup_ovs(struct ovsdb_idl_txn *, const struct ovsdb_idl *);
bool vtap_cleanup_realizations(struct ovsdb_idl_txn *,
                               const struct ovsdb_idl *, const char *host);

#endif /* vtap-cleanup.h */

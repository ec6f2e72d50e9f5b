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

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct vtap_desired;

/* Most Mirror rows that one bridge can have (MAX_MIRRORS in OVS). */
#define VTAP_MAX_MIRRORS 32

bool vswitch_config_run(struct ovsdb_idl_txn *, const struct ovsdb_idl *,
                        struct vtap_desired *);
void vswitch_config_register_columns(struct ovsdb_idl *);

#endif /* vswitch-config.h */

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

/* vtap-changes.h: what changed in the VTAP database's configuration since
 * the desired state was last built, gathered from the IDL's change
 * tracking on every pass of the main loop (also those that build
 * nothing), so that the next build visits only the VTAPs concerned (see
 * vtap_desired_update()). */

#ifndef OVS_VTAPD_VTAP_CHANGES_H
#define OVS_VTAPD_VTAP_CHANGES_H 1

#include <stdbool.h>
#include "uuidset.h"

struct ovsdb_idl;

/* The changes not yet built. */
struct vtap_changes {
    struct uuidset vtaps;       /* VTAP rows inserted, updated, deleted. */
    struct uuidset gone;        /* Those of 'vtaps' deleted last.  (The IDL
                                 * may keep a deleted row that a Realization
                                 * row still names, without its data, and
                                 * return it by UUID.) */
    struct uuidset rows;        /* Capture_Filter, Capture_Rule and Target
                                 * rows inserted, updated, deleted. */
    bool all;                   /* Something that concerns every VTAP
                                 * changed (Global's allowed targets). */
};

void vtap_changes_register_columns(struct ovsdb_idl *);
void vtap_changes_init(struct vtap_changes *);
void vtap_changes_destroy(struct vtap_changes *);
void vtap_changes_collect(struct vtap_changes *, struct ovsdb_idl *);
void vtap_changes_clear(struct vtap_changes *);

#endif /* vtap-changes.h */

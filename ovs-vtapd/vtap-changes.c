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

/* vtap-changes.c: the VTAP database's configuration changes, from the
 * IDL's change tracking. */

#include <config.h>

#include "vtap-changes.h"

#include "ovsdb-idl.h"
#include "util.h"
#include "vtap-idl.h"

/* Asks 'idl' to track the changes of the configuration that the desired
 * state is built from: every column of VTAP, Capture_Filter, Capture_Rule
 * and Target, and Global's allowed targets (not the rows ovs-vtapd writes
 * itself). */
void
vtap_changes_register_columns(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_table_class *const tables[] = {
        &vtaprec_table_vtap,
        &vtaprec_table_capture_filter,
        &vtaprec_table_capture_rule,
        &vtaprec_table_target,
    };

    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        for (size_t j = 0; j < tables[i]->n_columns; j++) {
            ovsdb_idl_track_add_column(idl, &tables[i]->columns[j]);
        }
    }
    ovsdb_idl_track_add_column(idl, &vtaprec_global_col_allowed_targets);
}

/* Initializes 'changes' empty. */
void
vtap_changes_init(struct vtap_changes *changes)
{
    uuidset_init(&changes->vtaps);
    uuidset_init(&changes->gone);
    uuidset_init(&changes->rows);
    changes->all = false;
}

/* Frees what 'changes' holds. */
void
vtap_changes_destroy(struct vtap_changes *changes)
{
    uuidset_destroy(&changes->vtaps);
    uuidset_destroy(&changes->gone);
    uuidset_destroy(&changes->rows);
}

/* Adds to 'changes' the changes that 'idl' tracked since its last
 * ovsdb_idl_track_clear(), and clears them there. */
void
vtap_changes_collect(struct vtap_changes *changes, struct ovsdb_idl *idl)
{
    const struct vtaprec_vtap *vtap;
    VTAPREC_VTAP_FOR_EACH_TRACKED (vtap, idl) {
        uuidset_insert(&changes->vtaps, &vtap->header_.uuid);
        if (vtaprec_vtap_is_deleted(vtap)) {
            uuidset_insert(&changes->gone, &vtap->header_.uuid);
        } else {
            uuidset_find_and_delete(&changes->gone, &vtap->header_.uuid);
        }
    }
    const struct vtaprec_capture_filter *filter;
    VTAPREC_CAPTURE_FILTER_FOR_EACH_TRACKED (filter, idl) {
        uuidset_insert(&changes->rows, &filter->header_.uuid);
    }
    const struct vtaprec_capture_rule *rule;
    VTAPREC_CAPTURE_RULE_FOR_EACH_TRACKED (rule, idl) {
        uuidset_insert(&changes->rows, &rule->header_.uuid);
    }
    const struct vtaprec_target *target;
    VTAPREC_TARGET_FOR_EACH_TRACKED (target, idl) {
        uuidset_insert(&changes->rows, &target->header_.uuid);
    }
    const struct vtaprec_global *global;
    VTAPREC_GLOBAL_FOR_EACH_TRACKED (global, idl) {
        changes->all = true;
    }
    ovsdb_idl_track_clear(idl);
}

/* Forgets every change in 'changes': the desired state has them. */
void
vtap_changes_clear(struct vtap_changes *changes)
{
    uuidset_clear(&changes->vtaps);
    uuidset_clear(&changes->gone);
    uuidset_clear(&changes->rows);
    changes->all = false;
}

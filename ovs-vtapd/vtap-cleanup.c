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

/* vtap-cleanup.c: removes what ovs-vtapd made (see vtap-cleanup.h). */

#include <config.h>
#include "vtap-cleanup.h"

#include <string.h>
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "vswitch-config.h"
#include "vtap-desired.h"
#include "vtap-idl.h"

VLOG_DEFINE_THIS_MODULE(vtap_cleanup);

/* Removes in 'txn' every Open_vSwitch row that ovs-vtapd owns, as for a
 * host that realizes no VTAP, by partial updates of the rows that it does
 * not own.  Returns true if there was anything to remove. */
bool
vtap_cleanup_ovs(struct ovsdb_idl_txn *txn, const struct ovsdb_idl *idl)
{
    struct vtap_desired none;
    bool changed;

    vtap_desired_init(&none);
    changed = vswitch_config_run(txn, idl, &none, NULL);
    vtap_desired_destroy(&none);
    return changed;
}

/* Deletes in 'txn' (unless it is NULL) the Realization rows of 'host'.
 * Returns true if there was any. */
bool
vtap_cleanup_realizations(struct ovsdb_idl_txn *txn,
                          const struct ovsdb_idl *idl, const char *host)
{
    const struct vtaprec_realization *r;
    bool changed = false;

    VTAPREC_REALIZATION_FOR_EACH (r, idl) {
        if (host && !strcmp(r->host, host)) {
            if (txn) {
                VLOG_INFO("removing the Realization of VTAP %s",
                          r->vtap ? r->vtap->name : "(deleted)");
                vtaprec_realization_delete(r);
            }
            changed = true;
        }
    }
    return changed;
}

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

/* vtapctl-realizations.c: the Realization rows of each VTAP and their
 * summed counters (see vtapctl-realizations.h). */

#include <config.h>

#include "vtapctl-realizations.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"
#include "uuid.h"
#include "vtap-idl.h"

/* The Realization rows of one VTAP. */
struct vtapctl_vtap_rows {
    struct hmap_node node;      /* In vtapctl_realizations's 'vtaps'. */
    const struct vtaprec_vtap *vtap;
    const struct vtaprec_realization **rows;
    size_t n, allocated;
};

const char *const vtapctl_statistics_keys[] = {
    "cut_packets", "egress_bytes", "egress_packets", "ingress_bytes",
    "ingress_packets",
};
const size_t vtapctl_n_statistics_keys = ARRAY_SIZE(vtapctl_statistics_keys);

static struct vtapctl_vtap_rows *
find_rows(const struct vtapctl_realizations *rs,
          const struct vtaprec_vtap *vtap)
{
    struct vtapctl_vtap_rows *vr;

    HMAP_FOR_EACH_WITH_HASH (vr, node, hash_pointer(vtap, 0), &rs->vtaps) {
        if (vr->vtap == vtap) {
            return vr;
        }
    }
    return NULL;
}

/* Orders Realization rows by host, then state ("released" ones after the
 * host's current one). */
static int
compare_rows(const void *a_, const void *b_)
{
    const struct vtaprec_realization *const *a = a_;
    const struct vtaprec_realization *const *b = b_;
    int cmp = strcmp((*a)->host, (*b)->host);

    if (cmp) {
        return cmp;
    }
    return (!strcmp((*a)->state, "released")
            - !strcmp((*b)->state, "released"));
}

/* Indexes in 'rs' the Realization rows of 'idl' that name a VTAP, or only
 * those of host 'host' if it is nonnull, with one pass over the table. */
void
vtapctl_realizations_init(struct vtapctl_realizations *rs,
                          const struct ovsdb_idl *idl, const char *host)
{
    const struct vtaprec_realization *r;
    struct vtapctl_vtap_rows *vr;

    hmap_init(&rs->vtaps);
    VTAPREC_REALIZATION_FOR_EACH (r, idl) {
        if (!r->vtap || (host && strcmp(r->host, host))) {
            continue;
        }
        vr = find_rows(rs, r->vtap);
        if (!vr) {
            vr = xzalloc(sizeof *vr);
            vr->vtap = r->vtap;
            hmap_insert(&rs->vtaps, &vr->node, hash_pointer(r->vtap, 0));
        }
        if (vr->n >= vr->allocated) {
            vr->rows = x2nrealloc(vr->rows, &vr->allocated, sizeof *vr->rows);
        }
        vr->rows[vr->n++] = r;
    }
    HMAP_FOR_EACH (vr, node, &rs->vtaps) {
        qsort(vr->rows, vr->n, sizeof *vr->rows, compare_rows);
    }
}

/* Frees what 'rs' holds (not the rows). */
void
vtapctl_realizations_destroy(struct vtapctl_realizations *rs)
{
    struct vtapctl_vtap_rows *vr;

    HMAP_FOR_EACH_POP (vr, node, &rs->vtaps) {
        free(vr->rows);
        free(vr);
    }
    hmap_destroy(&rs->vtaps);
}

/* Returns the Realization rows of 'vtap', sorted by host, and their number
 * in '*n' (NULL and 0 if it has none). */
const struct vtaprec_realization **
vtapctl_realizations_find(const struct vtapctl_realizations *rs,
                          const struct vtaprec_vtap *vtap, size_t *n)
{
    const struct vtapctl_vtap_rows *vr = find_rows(rs, vtap);

    *n = vr ? vr->n : 0;
    return vr ? vr->rows : NULL;
}

/* Sums the statistics of the 'n' rows 'rows' into 'sums', which the caller
 * initialized, a map from each key to an int64_t; frees it with
 * vtapctl_sums_destroy(). */
void
vtapctl_sum_statistics(const struct vtaprec_realization **rows, size_t n,
                       struct shash *sums)
{
    for (size_t i = 0; i < n; i++) {
        const struct vtaprec_realization *r = rows[i];

        for (size_t j = 0; j < r->n_statistics; j++) {
            int64_t *sum = shash_find_data(sums, r->key_statistics[j]);

            if (!sum) {
                sum = xzalloc(sizeof *sum);
                shash_add(sums, r->key_statistics[j], sum);
            }
            *sum += r->value_statistics[j];
        }
    }
}

/* Frees 'sums' and the numbers in it. */
void
vtapctl_sums_destroy(struct shash *sums)
{
    shash_destroy_free_data(sums);
}

/* Returns the sum of 'key' in 'sums', 0 if no row had it. */
int64_t
vtapctl_sum_get(const struct shash *sums, const char *key)
{
    const int64_t *sum = shash_find_data(sums, key);

    return sum ? *sum : 0;
}

/* Sums the counters of Capture_Rule 'rule' in the 'n' rows 'rows' into
 * '*packets' and '*bytes'.  Returns true if a row counted it at all. */
bool
vtapctl_sum_rule(const struct vtaprec_realization **rows, size_t n,
                 const struct uuid *rule, int64_t *packets, int64_t *bytes)
{
    bool found = false;

    *packets = *bytes = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vtaprec_realization *r = rows[i];

        for (size_t j = 0; j < r->n_rule_packets; j++) {
            if (uuid_equals(&r->key_rule_packets[j], rule)) {
                *packets += r->value_rule_packets[j];
                found = true;
            }
        }
        for (size_t j = 0; j < r->n_rule_bytes; j++) {
            if (uuid_equals(&r->key_rule_bytes[j], rule)) {
                *bytes += r->value_rule_bytes[j];
                found = true;
            }
        }
    }
    return found;
}

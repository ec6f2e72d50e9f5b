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

/* vtapctl-realizations.h: the Realization rows of each VTAP, which each
 * host's ovs-vtapd writes and which name their VTAP in their "vtap"
 * column, indexed once per command, and their counters summed over hosts
 * (released rows included, so that totals never go back when a source
 * moves to another host). */

#ifndef VTAPCTL_REALIZATIONS_H
#define VTAPCTL_REALIZATIONS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"

struct ovsdb_idl;
struct uuid;
struct vtaprec_realization;
struct vtaprec_vtap;

/* The Realization rows of every VTAP, each VTAP's sorted by host. */
struct vtapctl_realizations {
    struct hmap vtaps;          /* Contains "struct vtapctl_vtap_rows". */
};

void vtapctl_realizations_init(struct vtapctl_realizations *,
                               const struct ovsdb_idl *,
                               const char *host);
void vtapctl_realizations_destroy(struct vtapctl_realizations *);
const struct vtaprec_realization **vtapctl_realizations_find(
    const struct vtapctl_realizations *, const struct vtaprec_vtap *,
    size_t *n);

/* The keys of Realization.statistics that every VTAP has, 0 if no host
 * counted any. */
extern const char *const vtapctl_statistics_keys[];
extern const size_t vtapctl_n_statistics_keys;

void vtapctl_sum_statistics(const struct vtaprec_realization **, size_t n,
                            struct shash *sums);
void vtapctl_sums_destroy(struct shash *sums);
int64_t vtapctl_sum_get(const struct shash *sums, const char *key);
bool vtapctl_sum_rule(const struct vtaprec_realization **, size_t n,
                      const struct uuid *rule, int64_t *packets,
                      int64_t *bytes);

#endif /* vtapctl-realizations.h */

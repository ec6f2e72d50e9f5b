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

/* vtap-cookie.c: the cookies of ovs-vtapd's flows (see vtap-cookie.h). */

#include <config.h>
#include "vtap-cookie.h"

#include <stdlib.h>
#include "bitmap.h"
#include "ovs-vtap/vtap-rule.h"
#include "util.h"
#include "uuid.h"

/* Returns the cookie of a flow of 'kind' for the rule with 'rule_id' of
 * VTAP 'vtap_id', of an include rule if 'include'. */
uint64_t
vtap_cookie(unsigned int kind, bool include, unsigned int rule_id,
            uint32_t vtap_id)
{
    return ((VTAP_COOKIE_MAGIC << 48) | ((uint64_t) (kind & 0x3) << 46)
            | ((uint64_t) include << 45)
            | ((uint64_t) (rule_id & VTAP_COOKIE_RULE_MAX) << 32)
            | vtap_id);
}

/* Returns the kind (VTAP_COOKIE_KIND_*) of a flow with 'cookie'. */
unsigned int
vtap_cookie_kind(uint64_t cookie)
{
    return (cookie >> 46) & 0x3;
}

/* Returns true if a flow with 'cookie' belongs to an include rule. */
bool
vtap_cookie_include(uint64_t cookie)
{
    return (cookie >> 45) & 1;
}

/* Returns the rule id of a flow with 'cookie'. */
unsigned int
vtap_cookie_rule(uint64_t cookie)
{
    return (cookie >> 32) & VTAP_COOKIE_RULE_MAX;
}

/* Returns the VTAP id of a flow with 'cookie'. */
uint32_t
vtap_cookie_vtap(uint64_t cookie)
{
    return cookie & 0xffffffff;
}

static int
compare_rules_by_uuid(const void *a_, const void *b_)
{
    const struct vtap_rule *const *a = a_;
    const struct vtap_rule *const *b = b_;

    return uuid_compare_3way(&(*a)->uuid, &(*b)->uuid);
}

/* Sets ids[i] to the cookie id of rules[i], for the 'n' rules of one VTAP:
 * 1..VTAP_COOKIE_RULE_MAX, derived from the rule's UUID and unique among
 * the 'n' (on a collision, the rule with the higher UUID takes the next
 * free id), so that a rule keeps its id when other rules are added or
 * removed (unless they collide with it).  A rule without a UUID gets 0. */
void
vtap_cookie_rule_ids(const struct vtap_rule *rules, size_t n,
                     unsigned int *ids)
{
    unsigned long *used = bitmap_allocate(VTAP_COOKIE_RULE_MAX + 1);
    const struct vtap_rule **sorted = xmalloc(n * sizeof *sorted + 1);
    size_t n_sorted = 0;

    for (size_t i = 0; i < n; i++) {
        ids[i] = 0;
        if (!uuid_is_zero(&rules[i].uuid)) {
            sorted[n_sorted++] = &rules[i];
        }
    }
    qsort(sorted, n_sorted, sizeof *sorted, compare_rules_by_uuid);
    for (size_t i = 0; i < n_sorted && i < VTAP_COOKIE_RULE_MAX; i++) {
        unsigned int id = 1 + sorted[i]->uuid.parts[0] % VTAP_COOKIE_RULE_MAX;

        while (bitmap_is_set(used, id)) {
            id = id % VTAP_COOKIE_RULE_MAX + 1;
        }
        bitmap_set1(used, id);
        ids[sorted[i] - rules] = id;
    }
    free(sorted);
    bitmap_free(used);
}

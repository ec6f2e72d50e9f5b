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

/* target-policy.h: which addresses a VTAP's target may have.  The policy
 * is Global's allowed_targets column: a list of CIDRs, IPv4 and IPv6; an
 * empty list allows every address.  ovs-vtapctl checks a target's address
 * against it when the target is added, and ovs-vtapd checks every address
 * a target has or resolves to before it mirrors to it. */

#ifndef OVS_VTAP_TARGET_POLICY_H
#define OVS_VTAP_TARGET_POLICY_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include "openvswitch/compiler.h"
#include "ovs-vtap/vtap-parse.h"

struct target_policy {
    struct vtap_cidr *cidrs;    /* The allowed prefixes. */
    size_t n_cidrs;             /* Zero: every address is allowed. */
};

char *target_policy_init(struct target_policy *,
                         char *const *cidrs, size_t n_cidrs)
    OVS_WARN_UNUSED_RESULT;
void target_policy_destroy(struct target_policy *);

bool target_policy_allows(const struct target_policy *,
                          const struct in6_addr *);
bool target_policy_allows_address(const struct target_policy *,
                                  const char *address);
char *target_policy_check_address(const struct target_policy *,
                                  const char *address)
    OVS_WARN_UNUSED_RESULT;
char *target_policy_to_string(const struct target_policy *);

#endif /* target-policy.h */

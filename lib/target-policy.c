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

/* target-policy.c: the allowed targets of Global's allowed_targets: parsed
 * once into prefixes, then each address checked against them. */

#include <config.h>
#include "ovs-vtap/target-policy.h"

#include <arpa/inet.h>
#include <string.h>
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Parses 'cidrs', the n_cidrs strings of Global's allowed_targets, into
 * 'policy'.  Returns NULL, or an error naming the first string that is not
 * an IPv4 or IPv6 CIDR, which the caller frees: 'policy' then holds the
 * prefixes before it and must still be destroyed, and the caller refuses
 * every target (a policy that cannot be read allows nothing). */
char *
target_policy_init(struct target_policy *policy,
                   char *const *cidrs, size_t n_cidrs)
{
    policy->cidrs = xcalloc(n_cidrs ? n_cidrs : 1, sizeof *policy->cidrs);
    policy->n_cidrs = 0;
    for (size_t i = 0; i < n_cidrs; i++) {
        char *error = vtap_parse_cidr(cidrs[i], &policy->cidrs[i]);
        if (error) {
            char *msg = xasprintf("allowed targets: %s", error);
            free(error);
            return msg;
        }
        policy->n_cidrs++;
    }
    return NULL;
}

/* Frees what 'policy' holds. */
void
target_policy_destroy(struct target_policy *policy)
{
    free(policy->cidrs);
    policy->cidrs = NULL;
    policy->n_cidrs = 0;
}

/* Returns true if 'policy' allows a target at 'addr' (an IPv4 address
 * IPv4-mapped). */
bool
target_policy_allows(const struct target_policy *policy,
                     const struct in6_addr *addr)
{
    if (!policy->n_cidrs) {
        return true;
    }
    bool ipv4 = IN6_IS_ADDR_V4MAPPED(addr);
    for (size_t i = 0; i < policy->n_cidrs; i++) {
        const struct vtap_cidr *c = &policy->cidrs[i];
        if ((c->family == AF_INET) != ipv4) {
            continue;
        }
        struct in6_addr mask = ipv6_create_mask(c->plen + (ipv4 ? 96 : 0));
        struct in6_addr net = ipv6_addr_bitand(addr, &mask);
        if (ipv6_addr_equals(&net, &c->addr)) {
            return true;
        }
    }
    return false;
}

/* Returns true if 'policy' allows 'address', an IPv4 or IPv6 literal.
 * Anything else (a DNS name, before it is resolved) is allowed: what it
 * resolves to is checked then. */
bool
target_policy_allows_address(const struct target_policy *policy,
                             const char *address)
{
    struct in6_addr a6;
    ovs_be32 a4;

    if (inet_pton(AF_INET, address, &a4) == 1) {
        in6_addr_set_mapped_ipv4(&a6, a4);
    } else if (inet_pton(AF_INET6, address, &a6) != 1) {
        return true;
    }
    return target_policy_allows(policy, &a6);
}

/* Checks 'address', a target's address as written in the database.  A DNS
 * name cannot be checked before it is resolved: it passes here, and
 * ovs-vtapd checks what it resolves to.  Returns NULL if it passes, else
 * an error that names the address and the allowed prefixes, which the
 * caller frees. */
char *
target_policy_check_address(const struct target_policy *policy,
                            const char *address)
{
    if (target_policy_allows_address(policy, address)) {
        return NULL;
    }
    char *allowed = target_policy_to_string(policy);
    char *error = xasprintf("\"%s\" is outside the allowed targets (%s)",
                            address, allowed);
    free(allowed);
    return error;
}

/* Returns the allowed prefixes as "10.0.0.0/8, fd00::/8", or "any" when
 * every address is allowed.  The caller frees it. */
char *
target_policy_to_string(const struct target_policy *policy)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    if (!policy->n_cidrs) {
        return xstrdup("any");
    }
    for (size_t i = 0; i < policy->n_cidrs; i++) {
        char buf[INET6_ADDRSTRLEN + 8];

        vtap_cidr_format(&policy->cidrs[i], buf, sizeof buf);
        ds_put_format(&s, "%s%s", i ? ", " : "", buf);
    }
    return ds_steal_cstr(&s);
}

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

/* receiver-acl.c: the receiver's list of accepted outer sources. */

#include <config.h>

#include "ovs-vtap/receiver-acl.h"

#include <stdlib.h>
#include <string.h>

#include "packets.h"
#include "util.h"

/* Adds the comma-separated prefixes in 'list' to 'acl', e.g.
 * "192.0.2.1,10.0.0.0/8,2001:db8::/32".  Returns NULL, or an error message
 * (to free) that names the item that is wrong; 'acl' is then unchanged. */
char *
receiver_acl_parse(struct receiver_acl *acl, const char *list)
{
    char *copy = xstrdup(list);
    char *save_ptr = NULL;
    size_t n_old = acl->n;
    char *item;

    for (item = strtok_r(copy, ",", &save_ptr); item;
         item = strtok_r(NULL, ",", &save_ptr)) {
        struct vtap_cidr p;
        char *error = vtap_parse_cidr(item, &p);

        if (error) {
            free(copy);
            acl->n = n_old;
            return error;
        }
        acl->prefixes = xrealloc(acl->prefixes,
                                 (acl->n + 1) * sizeof *acl->prefixes);
        acl->prefixes[acl->n++] = p;
    }
    free(copy);
    if (acl->n == n_old) {
        return xasprintf("\"%s\" names no address", list);
    }
    return NULL;
}

/* Returns true if 'acl' accepts datagrams from the address of 'ss' (an
 * AF_INET or AF_INET6 address; IPv4-mapped IPv6 addresses count as IPv4,
 * and IPv6 prefixes never match IPv4 addresses). */
bool
receiver_acl_allows(const struct receiver_acl *acl,
                    const struct sockaddr_storage *ss)
{
    struct in6_addr addr;
    int family;
    size_t i;

    if (!acl->n) {
        return true;
    }
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) ss;

        in6_addr_set_mapped_ipv4(&addr, sin->sin_addr.s_addr);
    } else if (ss->ss_family == AF_INET6) {
        addr = ((const struct sockaddr_in6 *) ss)->sin6_addr;
    } else {
        return false;
    }
    family = IN6_IS_ADDR_V4MAPPED(&addr) ? AF_INET : AF_INET6;
    for (i = 0; i < acl->n; i++) {
        const struct vtap_cidr *p = &acl->prefixes[i];
        struct in6_addr mask, masked;

        if (p->family != family) {
            continue;
        }
        mask = ipv6_create_mask(p->plen + (family == AF_INET ? 96 : 0));
        masked = ipv6_addr_bitand(&addr, &mask);
        if (ipv6_addr_equals(&masked, &p->addr)) {
            return true;
        }
    }
    return false;
}

/* Frees what 'acl' holds and empties it. */
void
receiver_acl_destroy(struct receiver_acl *acl)
{
    free(acl->prefixes);
    acl->prefixes = NULL;
    acl->n = 0;
}

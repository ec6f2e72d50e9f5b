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

/* receiver-acl.h: the outer source addresses that the receiver accepts
 * datagrams from (--from), a list of IPv4 and IPv6 prefixes. */

#ifndef OVS_VTAP_RECEIVER_ACL_H
#define OVS_VTAP_RECEIVER_ACL_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "openvswitch/compiler.h"
#include "ovs-vtap/vtap-parse.h"

/* A list of prefixes.  An empty list (no --from) accepts every source. */
struct receiver_acl {
    struct vtap_cidr *prefixes;
    size_t n;
};

char *receiver_acl_parse(struct receiver_acl *, const char *list)
    OVS_WARN_UNUSED_RESULT;
bool receiver_acl_allows(const struct receiver_acl *,
                         const struct sockaddr_storage *);
void receiver_acl_destroy(struct receiver_acl *);

#endif /* receiver-acl.h */

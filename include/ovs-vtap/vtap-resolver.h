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

/* vtap-resolver.h: asynchronous DNS resolution of target names for
 * ovs-vtapd, on libunbound, inside an OVS poll loop.
 *
 * Each name is resolved for A and AAAA; the A answer is used if there is
 * one, else the AAAA answer.  Answers are kept for their TTL, clamped to a
 * floor and a ceiling; when a later lookup fails, the last good address is
 * kept and the error is reported beside it.  An IP address resolves to
 * itself at once.  vtap_resolver_run() refreshes names when they are due. */

#ifndef OVS_VTAP_VTAP_RESOLVER_H
#define OVS_VTAP_VTAP_RESOLVER_H 1

#include <stdbool.h>
#include "openvswitch/compiler.h"

struct vtap_resolver;

/* Settings of a resolver.  NULL 'forwarder' means /etc/resolv.conf. */
struct vtap_resolver_options {
    const char *forwarder;      /* "IP" or "IP@PORT", or NULL. */
    const char *hosts_file;     /* e.g. "/etc/hosts", or NULL for none. */
    unsigned int min_ttl;       /* Seconds, floor of a TTL (at least 1). */
    unsigned int max_ttl;       /* Seconds, ceiling of a TTL (0: 3600). */
    unsigned int retry;         /* Seconds between retries (0: 5). */
};

/* What is known of one name. */
struct vtap_resolution {
    const char *address;        /* Last good address, or NULL if none. */
    const char *error;          /* Last lookup's error, or NULL if fine. */
    bool pending;               /* A lookup is in flight. */
};

char *vtap_resolver_create(const struct vtap_resolver_options *,
                           struct vtap_resolver **) OVS_WARN_UNUSED_RESULT;
void vtap_resolver_destroy(struct vtap_resolver *);

/* Returns what is known of 'name', starting or refreshing a lookup as
 * needed.  The returned strings stay valid until the next call to
 * vtap_resolver_run() or vtap_resolver_forget(). */
struct vtap_resolution vtap_resolver_lookup(struct vtap_resolver *,
                                            const char *name);
void vtap_resolver_forget(struct vtap_resolver *, const char *name);

/* Processes answers; returns true if any name's address or error changed. */
bool vtap_resolver_run(struct vtap_resolver *);
void vtap_resolver_wait(struct vtap_resolver *);

#endif /* vtap-resolver.h */

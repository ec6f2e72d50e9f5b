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

/* vtap-source.h: a VTAP's source as VTAP.source names it, and which hosts
 * it is on.  An iface-id source names no host: it is on the host where an
 * interface has that iface-id.  A port, bridge or VLAN source names its
 * host after '@' ("server@hv1"); a bridge or VLAN source may name every
 * host that has the bridge with "@*".  Without '@' the source is on the
 * database's one host, and ambiguous if several hosts share it.  Both
 * ovs-vtapctl, which checks sources as they are given, and ovs-vtapd,
 * which realizes them, read sources through this. */

#ifndef OVS_VTAP_VTAP_SOURCE_H
#define OVS_VTAP_VTAP_SOURCE_H 1

#include <stdbool.h>
#include "openvswitch/compiler.h"

/* Which hosts a source is on. */
enum vtap_source_hosts {
    VTAP_SOURCE_BOUND,          /* iface-id: where it is bound. */
    VTAP_SOURCE_ONE_HOST,       /* "NAME@HOST". */
    VTAP_SOURCE_EVERY_HOST,     /* "NAME@*". */
    VTAP_SOURCE_NO_HOST,        /* "NAME": the database's one host. */
};

/* A source, split. */
struct vtap_source {
    char *name;                 /* Port, iface-id or bridge name. */
    char *host;                 /* For VTAP_SOURCE_ONE_HOST, else NULL. */
    enum vtap_source_hosts hosts;
};

char *vtap_source_parse(const char *type, const char *source,
                        struct vtap_source *) OVS_WARN_UNUSED_RESULT;
void vtap_source_destroy(struct vtap_source *);
const char *vtap_source_host_key(const struct vtap_source *);
bool vtap_source_is_here(const struct vtap_source *, const char *host,
                         size_t n_hosts, bool *ambiguous);
char *vtap_source_ambiguity(const char *type, const struct vtap_source *,
                            size_t n_hosts);

#endif /* vtap-source.h */

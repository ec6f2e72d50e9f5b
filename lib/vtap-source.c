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

/* vtap-source.c: a VTAP's source and its hosts (see vtap-source.h). */

#include <config.h>

#include "ovs-vtap/vtap-source.h"

#include <string.h>
#include "util.h"

/* Splits 'source', of a VTAP whose source_type is 'type', into 'src'.
 * Returns NULL, or an error message (which the caller frees, and then
 * 'src' is empty) if 'source' cannot be a source of that type. */
char *
vtap_source_parse(const char *type, const char *source,
                  struct vtap_source *src)
{
    const char *at = strchr(source, '@');

    memset(src, 0, sizeof *src);
    if (!strcmp(type, "iface-id")) {
        /* An iface-id is whatever the orchestrator made it, '@' too. */
        if (!source[0]) {
            return xstrdup("iface-id source is empty");
        }
        src->name = xstrdup(source);
        src->hosts = VTAP_SOURCE_BOUND;
        return NULL;
    }
    if (!at) {
        src->hosts = VTAP_SOURCE_NO_HOST;
    } else if (!strcmp(at + 1, "*")) {
        if (!strcmp(type, "port")) {
            return xasprintf("source %s: a port is on one host, \"@*\" is "
                             "for bridge and vlan sources", source);
        }
        src->hosts = VTAP_SOURCE_EVERY_HOST;
    } else if (!at[1] || strchr(at + 1, '@')) {
        return xasprintf("source %s: the host after \"@\" is %s", source,
                         at[1] ? "not one name" : "missing");
    } else {
        src->hosts = VTAP_SOURCE_ONE_HOST;
        src->host = xstrdup(at + 1);
    }
    if (at == source || !source[0]) {
        free(src->host);
        src->host = NULL;
        return xasprintf("source %s: the %s name is missing", source, type);
    }
    src->name = at ? xmemdup0(source, at - source) : xstrdup(source);
    return NULL;
}

/* Returns the value of a VTAP's source_host column for source 'src': its
 * host, "*" for every host, "" for none, "@" for wherever an iface-id is
 * bound.  Each ovs-vtapd asks its server for the VTAPs whose source_host
 * can concern it only (see ovs-vtapd/vtap-monitor.c). */
const char *
vtap_source_host_key(const struct vtap_source *src)
{
    switch (src->hosts) {
    case VTAP_SOURCE_BOUND:
        return "@";
    case VTAP_SOURCE_ONE_HOST:
        return src->host;
    case VTAP_SOURCE_EVERY_HOST:
        return "*";
    case VTAP_SOURCE_NO_HOST:
    default:
        return "";
    }
}

/* Frees what 'src' holds. */
void
vtap_source_destroy(struct vtap_source *src)
{
    free(src->name);
    free(src->host);
    src->name = src->host = NULL;
}

/* Returns true if host 'host', one of 'n_hosts' that share the database
 * (this one counted, whether its Host row is there yet or not), is where
 * 'src' may be realized (if it has the source).  A source that names no
 * host is on the database's one host; if several share the database, it
 * is ambiguous: then '*ambiguous' is set (and true is returned, so that a
 * host that has the source reports it). */
bool
vtap_source_is_here(const struct vtap_source *src, const char *host,
                    size_t n_hosts, bool *ambiguous)
{
    *ambiguous = false;
    switch (src->hosts) {
    case VTAP_SOURCE_BOUND:
    case VTAP_SOURCE_EVERY_HOST:
        return true;
    case VTAP_SOURCE_ONE_HOST:
        return !strcmp(src->host, host);
    case VTAP_SOURCE_NO_HOST:
    default:
        *ambiguous = n_hosts > 1;
        return true;
    }
}

/* Returns the error for a source 'src' of type 'type' that names no host
 * while 'n_hosts' hosts share the database, or NULL if it is not
 * ambiguous.  The caller frees it. */
char *
vtap_source_ambiguity(const char *type, const struct vtap_source *src,
                      size_t n_hosts)
{
    if (src->hosts != VTAP_SOURCE_NO_HOST || n_hosts <= 1) {
        return NULL;
    }
    return xasprintf("source %s %s names no host and %"PRIuSIZE" hosts share "
                     "the VTAP database: name one, as %s@HOST%s%s%s", type,
                     src->name, n_hosts, src->name,
                     strcmp(type, "port") ? ", or every host, as " : "",
                     strcmp(type, "port") ? src->name : "",
                     strcmp(type, "port") ? "@*" : "");
}

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

/* vtap-resolver.c: asynchronous resolution of target names on libunbound
 * inside an OVS poll loop (see vtap-resolver.h).
 *
 * Open vSwitch's lib/dns-resolve.c is not used because it cannot be told
 * which server to ask (only /etc/resolv.conf or a whole unbound.conf through
 * an environment variable), does not clamp the TTL of an answer, and forgets
 * a name's address as soon as a lookup fails, where a VTAP should keep
 * mirroring to the last good address.
 *
 * Each lookup round asks for A and AAAA at once.  An A answer ends the round
 * (IPv4 is preferred); an AAAA answer is used only once the A query has
 * come back without an address.  A good answer is kept for its TTL, clamped
 * to [min_ttl, max_ttl].  An answer that cannot be a collector's address (a
 * loopback, multicast... address, see vtap_check_collector_address()) counts
 * as no answer, with that reason.  A failed round keeps the previous
 * address, records the error beside it and is retried after 'retry'
 * seconds.  Names are refreshed by vtap_resolver_run() when they are due, so
 * a caller that only looks a name up once still sees its changes. */

#include <config.h>

#include "ovs-vtap/vtap-resolver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unbound.h>

#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/vtap-parse.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vtap_resolver);

/* DNS record types and class. */
#define RR_TYPE_A 1
#define RR_TYPE_AAAA 28
#define RR_CLASS_IN 1

/* Used when the options give 0. */
#define DEFAULT_MAX_TTL 3600
#define DEFAULT_RETRY 5

/* One of the two queries of a lookup round. */
struct resolver_query {
    struct resolver_name *rn;   /* Owner. */
    int rrtype;                 /* RR_TYPE_A or RR_TYPE_AAAA. */
    int async_id;               /* For ub_cancel(). */
    bool active;                /* In flight. */
    char *error;                /* Why it found no address, once done. */
    bool refused;               /* Its answer cannot be a collector's. */
};

/* What is known of one name. */
struct resolver_name {
    struct vtap_resolver *resolver;
    char *name;
    char *address;              /* Last good address, or NULL. */
    char *error;                /* Last round's error, or NULL. */
    bool literal;               /* 'name' is an IP address: never looked up. */
    long long int next_refresh; /* time_msec() of the next round. */

    /* The round in progress. */
    struct resolver_query queries[2];   /* A, AAAA. */
    char *aaaa_address;         /* AAAA answer waiting for the A one. */
    unsigned int aaaa_ttl;
};

struct vtap_resolver {
    struct ub_ctx *ctx;
    struct shash names;         /* Contains "struct resolver_name *"s. */
    unsigned int min_ttl, max_ttl, retry;
    bool changed;               /* An address or error changed. */
};

/* Checks that 'forwarder' is "IP" or "IP@PORT". */
static char *
check_forwarder(const char *forwarder)
{
    char *copy = xstrdup(forwarder);
    char *at = strchr(copy, '@');
    char *error = NULL;
    struct in6_addr addr;

    if (at) {
        char *end;
        *at = '\0';
        errno = 0;
        long int port = strtol(at + 1, &end, 10);
        if (errno || end == at + 1 || *end || port < 1 || port > 65535) {
            error = xasprintf("forwarder \"%s\": port \"%s\" is not a "
                              "number from 1 to 65535", forwarder, at + 1);
        }
    }
    if (!error && inet_pton(AF_INET, copy, &addr) != 1
        && inet_pton(AF_INET6, copy, &addr) != 1) {
        error = xasprintf("forwarder \"%s\": \"%s\" is not an IPv4 or IPv6 "
                          "address", forwarder, copy);
    }
    free(copy);
    return error;
}

/* Creates a resolver with 'options' into '*resolverp'.  Returns NULL on
 * success, otherwise a malloc()'d error (and '*resolverp' is NULL).
 *
 * A 'min_ttl' below 1 is taken as 1; 'max_ttl' and 'retry' of 0 mean 3600
 * and 5 seconds. */
char *
vtap_resolver_create(const struct vtap_resolver_options *options,
                     struct vtap_resolver **resolverp)
{
    unsigned int min_ttl = MAX(options->min_ttl, 1);
    unsigned int max_ttl = options->max_ttl ? options->max_ttl
                                            : DEFAULT_MAX_TTL;
    char *error = NULL;
    int retval;

    *resolverp = NULL;
    if (min_ttl > max_ttl) {
        return xasprintf("minimum TTL %u is above maximum TTL %u",
                         min_ttl, max_ttl);
    }
    if (options->forwarder) {
        error = check_forwarder(options->forwarder);
        if (error) {
            return error;
        }
    }

    struct ub_ctx *ctx = ub_ctx_create();
    if (!ctx) {
        return xstrdup("could not create a libunbound context");
    }
    if (options->forwarder) {
        retval = ub_ctx_set_fwd(ctx, options->forwarder);
        if (retval) {
            error = xasprintf("forwarder \"%s\": %s", options->forwarder,
                              ub_strerror(retval));
            goto error;
        }
    } else {
        retval = ub_ctx_resolvconf(ctx, NULL);
        if (retval) {
            error = xasprintf("/etc/resolv.conf: %s", ub_strerror(retval));
            goto error;
        }
    }
    /* libunbound's own cache must not hold an answer past the ceiling, or
     * a refresh would only get the same answer back. */
    char *max_ttl_s = xasprintf("%u", max_ttl);
    retval = ub_ctx_set_option(ctx, "cache-max-ttl:", max_ttl_s);
    free(max_ttl_s);
    if (retval) {
        error = xasprintf("libunbound cache-max-ttl: %s",
                          ub_strerror(retval));
        goto error;
    }
    if (options->hosts_file) {
        retval = ub_ctx_hosts(ctx, options->hosts_file);
        if (retval) {
            error = xasprintf("hosts file \"%s\": %s", options->hosts_file,
                              ub_strerror(retval));
            goto error;
        }
    }
    /* A worker thread rather than a forked process, which would be a second
     * copy of the daemon. */
    retval = ub_ctx_async(ctx, 1);
    if (retval) {
        error = xasprintf("libunbound: %s", ub_strerror(retval));
        goto error;
    }

    struct vtap_resolver *resolver = xzalloc(sizeof *resolver);
    resolver->ctx = ctx;
    shash_init(&resolver->names);
    resolver->min_ttl = min_ttl;
    resolver->max_ttl = max_ttl;
    resolver->retry = options->retry ? options->retry : DEFAULT_RETRY;
    *resolverp = resolver;
    return NULL;

error:
    ub_ctx_delete(ctx);
    return error;
}

/* Stops the queries of 'rn' that are in flight and clears its round. */
static void
resolver_name_cancel(struct resolver_name *rn)
{
    for (size_t i = 0; i < ARRAY_SIZE(rn->queries); i++) {
        struct resolver_query *q = &rn->queries[i];
        if (q->active) {
            ub_cancel(rn->resolver->ctx, q->async_id);
            q->active = false;
        }
        free(q->error);
        q->error = NULL;
        q->refused = false;
    }
    free(rn->aaaa_address);
    rn->aaaa_address = NULL;
}

static void
resolver_name_destroy(struct resolver_name *rn)
{
    resolver_name_cancel(rn);
    free(rn->name);
    free(rn->address);
    free(rn->error);
    free(rn);
}

void
vtap_resolver_destroy(struct vtap_resolver *resolver)
{
    if (resolver) {
        struct shash_node *node;
        SHASH_FOR_EACH_SAFE (node, &resolver->names) {
            resolver_name_destroy(node->data);
            shash_delete(&resolver->names, node);
        }
        shash_destroy(&resolver->names);
        ub_ctx_delete(resolver->ctx);
        free(resolver);
    }
}

/* Ends the round of 'rn' with 'address' (NULL for a failure, then 'error'
 * says why) valid for 'ttl' seconds. */
static void
resolver_name_finish(struct resolver_name *rn, const char *address,
                     unsigned int ttl, const char *error)
{
    struct vtap_resolver *resolver = rn->resolver;
    long long int now = time_msec();

    if (address) {
        ttl = MIN(MAX(ttl, resolver->min_ttl), resolver->max_ttl);
        if (!rn->address || strcmp(rn->address, address) || rn->error) {
            VLOG_INFO("%s: %s (for %u s)", rn->name, address, ttl);
            resolver->changed = true;
        }
        free(rn->address);
        rn->address = xstrdup(address);
        free(rn->error);
        rn->error = NULL;
        rn->next_refresh = now + ttl * 1000LL;
    } else {
        if (!rn->error || strcmp(rn->error, error)) {
            VLOG_INFO("%s: %s (keeping %s)", rn->name, error,
                      rn->address ? rn->address : "no address");
            resolver->changed = true;
        }
        free(rn->error);
        rn->error = xstrdup(error);
        rn->next_refresh = now + resolver->retry * 1000LL;
    }
    resolver_name_cancel(rn);
}

/* Returns a malloc()'d description of why 'result' holds no address. */
static char *
result_error(const struct ub_result *result)
{
    if (result->nxdomain) {
        return xstrdup("no such name (NXDOMAIN)");
    } else if (result->rcode) {
        return xasprintf("DNS server answered with error code %d%s",
                         result->rcode,
                         result->rcode == 2 ? " (SERVFAIL)"
                         : result->rcode == 5 ? " (REFUSED)" : "");
    } else if (result->bogus) {
        return xasprintf("DNSSEC validation failed: %s",
                         result->why_bogus ? result->why_bogus : "bogus");
    } else {
        return xstrdup("no A or AAAA record");
    }
}

/* Puts in 'address' (of INET6_ADDRSTRLEN bytes) the address that 'rn'
 * takes from the records of 'result' (of family 'af', each 'len' bytes):
 * the one it has if it is among them, else the lowest, so that a name
 * with several addresses, which servers hand out in turn, does not move
 * from one to another at each lookup.  Empty if none has the length. */
static void
result_choose(const struct resolver_name *rn, const struct ub_result *result,
              int af, int len, char address[INET6_ADDRSTRLEN])
{
    const char *best = NULL;

    address[0] = '\0';
    for (size_t i = 0; result->data[i]; i++) {
        char text[INET6_ADDRSTRLEN];

        if (result->len[i] != len) {
            continue;
        }
        inet_ntop(af, result->data[i], text, sizeof text);
        if (rn->address && !strcmp(text, rn->address)) {
            ovs_strlcpy(address, text, INET6_ADDRSTRLEN);
            return;
        }
        if (!best || memcmp(result->data[i], best, len) < 0) {
            best = result->data[i];
        }
    }
    if (best) {
        inet_ntop(af, best, address, INET6_ADDRSTRLEN);
    }
}

/* libunbound's callback, from ub_process(), for one query of a round. */
static void
resolver_query_done(void *q_, int err, struct ub_result *result)
{
    struct resolver_query *q = q_;
    struct resolver_name *rn = q->rn;
    char address[INET6_ADDRSTRLEN] = "";
    unsigned int ttl = 0;

    q->active = false;
    if (err) {
        q->error = xasprintf("lookup failed: %s", ub_strerror(err));
    } else if (result->havedata && q->rrtype == RR_TYPE_A) {
        result_choose(rn, result, AF_INET, 4, address);
    } else if (result->havedata && q->rrtype == RR_TYPE_AAAA) {
        result_choose(rn, result, AF_INET6, 16, address);
    }
    if (!err && !address[0]) {
        q->error = result_error(result);
    }
    if (address[0]) {
        /* An answer that cannot be a collector's is a failure, as
         * ovs-vtapctl refuses such an address given literally. */
        char *refusal = vtap_check_collector_address(address);
        if (refusal) {
            q->error = xasprintf("DNS answer %s", refusal);
            q->refused = true;
            free(refusal);
            address[0] = '\0';
        }
    }
    if (result) {
        ttl = MAX(result->ttl, 0);
        ub_resolve_free(result);
    }

    struct resolver_query *a = &rn->queries[0];
    if (q->rrtype == RR_TYPE_A && address[0]) {
        resolver_name_finish(rn, address, ttl, NULL);
    } else if (q->rrtype == RR_TYPE_AAAA && address[0]) {
        rn->aaaa_address = xstrdup(address);
        rn->aaaa_ttl = ttl;
        if (!a->active) {
            resolver_name_finish(rn, rn->aaaa_address, ttl, NULL);
        }
    } else if (!rn->queries[0].active && !rn->queries[1].active) {
        /* Both are back and the A query found nothing. */
        if (rn->aaaa_address) {
            resolver_name_finish(rn, rn->aaaa_address, rn->aaaa_ttl, NULL);
        } else {
            /* A refused answer says more than the absence of the
             * other. */
            const struct resolver_query *aaaa = &rn->queries[1];
            char *error = xstrdup(aaaa->refused && !a->refused
                                  ? aaaa->error
                                  : a->error ? a->error : aaaa->error);
            resolver_name_finish(rn, NULL, 0, error);
            free(error);
        }
    }
}

/* Starts a lookup round for 'rn'.  The AAAA query goes first, so its answer
 * tends to come back first, which the tests use to show that A is still
 * preferred. */
static void
resolver_name_start(struct resolver_name *rn)
{
    resolver_name_cancel(rn);
    for (size_t i = ARRAY_SIZE(rn->queries); i-- > 0;) {
        struct resolver_query *q = &rn->queries[i];
        int id;

        q->active = true;
        int retval = ub_resolve_async(rn->resolver->ctx, rn->name,
                                      q->rrtype, RR_CLASS_IN, q,
                                      resolver_query_done, &id);
        if (retval) {
            char *error = xasprintf("lookup failed: %s",
                                    ub_strerror(retval));
            q->active = false;
            resolver_name_finish(rn, NULL, 0, error);
            free(error);
            return;
        }
        q->async_id = id;
    }
}

static bool
resolver_name_pending(const struct resolver_name *rn)
{
    return rn->queries[0].active || rn->queries[1].active;
}

/* Returns a new entry for 'name'; an IP address is its own answer. */
static struct resolver_name *
resolver_name_create(struct vtap_resolver *resolver, const char *name)
{
    struct resolver_name *rn = xzalloc(sizeof *rn);
    char buf[INET6_ADDRSTRLEN];
    struct in6_addr addr;

    rn->resolver = resolver;
    rn->name = xstrdup(name);
    rn->queries[0].rn = rn->queries[1].rn = rn;
    rn->queries[0].rrtype = RR_TYPE_A;
    rn->queries[1].rrtype = RR_TYPE_AAAA;
    if (inet_pton(AF_INET, name, &addr) == 1) {
        rn->literal = true;
        rn->address = xstrdup(inet_ntop(AF_INET, &addr, buf, sizeof buf));
    } else if (inet_pton(AF_INET6, name, &addr) == 1) {
        rn->literal = true;
        rn->address = xstrdup(inet_ntop(AF_INET6, &addr, buf, sizeof buf));
    }
    rn->next_refresh = rn->literal ? LLONG_MAX : time_msec();
    shash_add(&resolver->names, name, rn);
    return rn;
}

/* Starts a round for 'rn' if its answer is due and none is in flight. */
static void
resolver_name_refresh_if_due(struct resolver_name *rn, long long int now)
{
    if (!rn->literal && !resolver_name_pending(rn)
        && now >= rn->next_refresh) {
        resolver_name_start(rn);
    }
}

struct vtap_resolution
vtap_resolver_lookup(struct vtap_resolver *resolver, const char *name)
{
    struct resolver_name *rn = shash_find_data(&resolver->names, name);
    if (!rn) {
        rn = resolver_name_create(resolver, name);
    }
    resolver_name_refresh_if_due(rn, time_msec());

    struct vtap_resolution resolution = {
        .address = rn->address,
        .error = rn->error,
        .pending = resolver_name_pending(rn),
    };
    return resolution;
}

/* Stops resolving 'name' and frees what is known of it. */
void
vtap_resolver_forget(struct vtap_resolver *resolver, const char *name)
{
    struct resolver_name *rn = shash_find_and_delete(&resolver->names, name);
    if (rn) {
        resolver_name_destroy(rn);
    }
}

bool
vtap_resolver_run(struct vtap_resolver *resolver)
{
    if (ub_poll(resolver->ctx)) {
        int retval = ub_process(resolver->ctx);
        if (retval) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "libunbound: %s", ub_strerror(retval));
        }
    }

    long long int now = time_msec();
    struct shash_node *node;
    SHASH_FOR_EACH (node, &resolver->names) {
        resolver_name_refresh_if_due(node->data, now);
    }

    bool changed = resolver->changed;
    resolver->changed = false;
    return changed;
}

void
vtap_resolver_wait(struct vtap_resolver *resolver)
{
    long long int next = LLONG_MAX;
    bool pending = false;
    struct shash_node *node;

    SHASH_FOR_EACH (node, &resolver->names) {
        const struct resolver_name *rn = node->data;
        if (resolver_name_pending(rn)) {
            pending = true;
        } else {
            next = MIN(next, rn->next_refresh);
        }
    }
    if (pending) {
        poll_fd_wait(ub_fd(resolver->ctx), POLLIN);
    }
    if (resolver->changed) {
        poll_immediate_wake();
    } else if (next != LLONG_MAX) {
        poll_timer_wait_until(next);
    }
}

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

/* vtap-desired.c: reads the VTAP and Open_vSwitch databases into the set of
 * VTAPs that this host should realize (see vtap-desired.h). */

#include <config.h>
#include "vtap-desired.h"

#include <stdarg.h>
#include <string.h>
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/target-policy.h"
#include "ovs-vtap/vtap-resolver.h"
#include "ovs-vtap/vtap-source.h"
#include "packets.h"
#include "path-mtu.h"
#include "smap.h"
#include "socket-util.h"
#include "sset.h"
#include "util.h"
#include "uuidset.h"
#include "vtap-changes.h"
#include "vswitch-idl.h"
#include "vtap-idl.h"
#include "vtap-names.h"

VLOG_DEFINE_THIS_MODULE(vtap_desired);

/* Sets the first reason why 'want' cannot run; later ones are ignored. */
static void OVS_PRINTF_FORMAT(2, 3)
vtap_want_set_error(struct vtap_want *want, const char *format, ...)
{
    if (!want->error) {
        va_list args;

        va_start(args, format);
        want->error = xvasprintf(format, args);
        va_end(args);
    }
}

/* A port where a source may be found. */
struct found_port {
    const struct ovsrec_bridge *bridge;
    const struct ovsrec_port *port;
    const struct ovsrec_interface *iface;   /* Whose iface-id it has. */
};

/* Where the sources of VTAPs are found in the Open_vSwitch database, built
 * once per build: the user's bridges by name, and their ports by name and
 * by the iface-id of an interface bound here, each the first found. */
struct source_index {
    struct shash bridges;       /* Name -> "struct ovsrec_bridge *". */
    struct shash ports;         /* Port name -> "struct found_port *". */
    struct shash iface_ids;     /* iface-id -> "struct found_port *". */
};

static struct found_port *
found_port_create(const struct ovsrec_bridge *br, const struct ovsrec_port *p,
                  const struct ovsrec_interface *iface)
{
    struct found_port *fp = xmalloc(sizeof *fp);

    fp->bridge = br;
    fp->port = p;
    fp->iface = iface;
    return fp;
}

/* Indexes the user's bridges and ports of 'ovs' in 'idx'. */
/* Returns true if 'iface' is bound on this host: it has an OpenFlow port
 * and, where an orchestrator says so, it is active (OpenStack's
 * external_ids:iface-status) or installed (OVN's ovn-installed).  While a
 * VM migrates, its interface may exist on both hosts, bound on one. */
static bool
iface_is_bound(const struct ovsrec_interface *iface)
{
    const char *status = smap_get(&iface->external_ids, "iface-status");
    const char *installed = smap_get(&iface->external_ids, "ovn-installed");

    return (iface->n_ofport && iface->ofport[0] > 0
            && (!status || !strcmp(status, "active"))
            && (!installed || !strcmp(installed, "true")));
}

static void
source_index_build(struct source_index *idx, const struct ovsdb_idl *ovs)
{
    const struct ovsrec_bridge *br;

    shash_init(&idx->bridges);
    shash_init(&idx->ports);
    shash_init(&idx->iface_ids);
    OVSREC_BRIDGE_FOR_EACH (br, ovs) {
        if (vtap_is_owned(&br->external_ids)) {
            continue;
        }
        shash_add_once(&idx->bridges, br->name, br);
        for (size_t i = 0; i < br->n_ports; i++) {
            const struct ovsrec_port *p = br->ports[i];
            if (vtap_is_owned(&p->external_ids)) {
                continue;
            }
            if (!shash_find(&idx->ports, p->name)) {
                shash_add(&idx->ports, p->name,
                          found_port_create(br, p, NULL));
            }
            for (size_t j = 0; j < p->n_interfaces; j++) {
                const struct ovsrec_interface *iface = p->interfaces[j];
                const char *iface_id = smap_get(&iface->external_ids,
                                                "iface-id");
                if (iface_id && iface_is_bound(iface)
                    && !shash_find(&idx->iface_ids, iface_id)) {
                    shash_add(&idx->iface_ids, iface_id,
                              found_port_create(br, p, iface));
                }
            }
        }
    }
}

static void
source_index_destroy(struct source_index *idx)
{
    shash_destroy(&idx->bridges);
    shash_destroy_free_data(&idx->ports);
    shash_destroy_free_data(&idx->iface_ids);
}

/* Finds the bridge and port of 'want''s source 'src' on this host through
 * 'idx'. */
static void
resolve_source(struct vtap_desired *desired, struct vtap_want *want,
               const struct vtaprec_vtap *row, const struct vtap_source *src,
               const struct source_index *idx)
{
    const struct ovsrec_bridge *bridge = NULL;
    const struct ovsrec_port *port = NULL;
    const char *type = row->source_type;

    if (!strcmp(type, "port") || !strcmp(type, "iface-id")) {
        bool by_name = !strcmp(type, "port");
        const struct found_port *fp = shash_find_data(by_name ? &idx->ports
                                                      : &idx->iface_ids,
                                                      src->name);
        if (!fp) {
            vtap_want_set_error(want, "source %s %s not found on this host",
                                by_name ? "port" : "iface-id", src->name);
            return;
        }
        bridge = fp->bridge;
        port = fp->port;
        if (fp->iface) {
            sset_add(&desired->source_names, fp->iface->name);
            uuidset_insert(&desired->source_rows, &fp->iface->header_.uuid);
        }
    } else {
        bridge = shash_find_data(&idx->bridges, src->name);
        if (!bridge) {
            vtap_want_set_error(want, "source bridge %s not found on this "
                                "host", src->name);
            return;
        }
        if (!strcmp(type, "vlan")) {
            if (!row->n_source_vlan) {
                vtap_want_set_error(want, "source_vlan is missing for a "
                                    "VLAN source");
                return;
            }
            want->src_vlan = row->source_vlan[0];
        }
    }

    sset_add(&desired->source_names, bridge->name);
    uuidset_insert(&desired->source_rows, &bridge->header_.uuid);
    if (port) {
        sset_add(&desired->source_names, port->name);
        uuidset_insert(&desired->source_rows, &port->header_.uuid);
    }
    want->src_bridge = xstrdup(bridge->name);
    want->src_dp_type = xstrdup(bridge->datapath_type[0]
                                ? bridge->datapath_type : "system");
    want->src_port = port ? xstrdup(port->name) : NULL;
    want->source_key = vtap_source_key(bridge->name,
                                       port ? port->name : NULL,
                                       want->src_vlan);
}

/* Returns true if the VTAP of 'row', whose source is 'src', is to be
 * realized on host 'host', one of 'n_hosts' that share the database,
 * whose sources are in 'idx': an iface-id bound here, a source that names
 * this host, a bridge of every host that is here, or a source that names
 * no host while this is the only host (if several share the database, it
 * is ambiguous, and '*ambiguous' is set if the source is here).  Notes in
 * 'desired' the name that a change of Open_vSwitch may make it here. */
static bool
source_is_here(struct vtap_desired *desired, const struct vtaprec_vtap *row,
               const struct vtap_source *src, const struct source_index *idx,
               size_t n_hosts, bool *ambiguous)
{
    const struct shash *names = (!strcmp(row->source_type, "iface-id")
                                 ? &idx->iface_ids
                                 : !strcmp(row->source_type, "port")
                                 ? &idx->ports : &idx->bridges);

    if (!vtap_source_is_here(src, desired->host, n_hosts, ambiguous)) {
        return false;
    }
    sset_add(&desired->source_names, src->name);
    if (src->hosts == VTAP_SOURCE_ONE_HOST
        || (src->hosts == VTAP_SOURCE_NO_HOST && !*ambiguous)) {
        /* Here, found or not. */
        return true;
    }
    return shash_find(names, src->name) != NULL;
}

/* Refuses 'want''s target if its address is outside the allowed targets
 * 'policy' (or if the policy could not be read, 'policy_error'). */
static void
check_target_policy(struct vtap_want *want, const struct target_policy *policy,
                    const char *policy_error)
{
    if (policy_error) {
        vtap_want_set_error(want, "target %s: %s: no target is allowed",
                            want->target_name, policy_error);
    } else if (!target_policy_allows_address(policy, want->target_addr)) {
        char *allowed = target_policy_to_string(policy);
        vtap_want_set_error(want, "target %s: %s is outside the allowed "
                            "targets (%s)", want->target_name,
                            want->target_addr, allowed);
        free(allowed);
    }
}

/* Sets '*addr' to the IP literal of 'address' of target 'name', itself or
 * as 'resolver' resolves it, and '*ipv6' to its family.  Returns NULL, or
 * why it is not known (then '*addr' may still be set, to the last answer
 * of a name that no longer resolves). */
static char *
resolve_address(const char *name, const char *address,
                struct vtap_resolver *resolver, char **addr, bool *ipv6)
{
    struct in6_addr addr6;
    ovs_be32 addr4;

    *addr = NULL;
    *ipv6 = false;
    if (ip_parse(address, &addr4)) {
        *addr = xstrdup(address);
    } else if (ipv6_parse(address, &addr6)) {
        *addr = xstrdup(address);
        *ipv6 = true;
    } else if (resolver) {
        struct vtap_resolution res = vtap_resolver_lookup(resolver, address);
        if (res.address) {
            *addr = xstrdup(res.address);
            *ipv6 = strchr(res.address, ':') != NULL;
        }
        if (res.error) {
            return xasprintf("target %s: name %s does not resolve: %s",
                             name, address, res.error);
        } else if (!res.address) {
            return xasprintf("target %s: resolving %s", name, address);
        }
    } else {
        return xasprintf("target %s: %s is not an IP address and no "
                         "resolver is available", name, address);
    }
    return NULL;
}

/* Finds the address of the target (of each backend of a pool), by literal
 * or through 'resolver', and checks it against the allowed targets. */
static void
resolve_target(struct vtap_want *want, const struct vtaprec_target *target,
               struct vtap_resolver *resolver,
               const struct target_policy *policy, const char *policy_error)
{
    want->target_name = xstrdup(target->name);
    want->target_port = target->port;
    if (!target->n_backends) {
        want->target_error = resolve_address(target->name, target->address,
                                             resolver, &want->target_addr,
                                             &want->target_ipv6);
    } else if (target->n_backends > VTAP_POOL_MAX) {
        want->target_error = xasprintf("target %s: %"PRIuSIZE" backends, at "
                                       "most %d used", target->name,
                                       target->n_backends, VTAP_POOL_MAX);
    } else {
        /* A pool: every backend's address.  One that is not known is left
         * out of the bundle; the pool runs while one is. */
        want->n_backends = target->n_backends;
        want->backend_names = xcalloc(target->n_backends,
                                      sizeof *want->backend_names);
        want->backend_addrs = xcalloc(target->n_backends,
                                      sizeof *want->backend_addrs);
        want->health_interval = (target->health_interval
                                 ? *target->health_interval
                                 : VTAP_HEALTH_INTERVAL_DEFAULT);
        for (size_t i = 0; i < target->n_backends; i++) {
            bool ipv6;
            char *error;

            want->backend_names[i] = xstrdup(target->backends[i]);
            error = resolve_address(target->name, target->backends[i],
                                    resolver, &want->backend_addrs[i], &ipv6);
            if (error && !want->target_error) {
                want->target_error = error;
            } else {
                free(error);
            }
            if (want->backend_addrs[i] && !want->target_addr) {
                want->target_addr = xstrdup(want->backend_addrs[i]);
                want->target_ipv6 = ipv6;
            }
        }
    }
    if (!want->target_addr) {
        vtap_want_set_error(want, "%s", (want->target_error
                                         ? want->target_error
                                         : "target has no address"));
        return;
    }
    check_target_policy(want, policy, policy_error);
    for (size_t i = 0; i < want->n_backends && !want->error; i++) {
        const char *addr = want->backend_addrs[i];
        if (addr && !policy_error
            && !target_policy_allows_address(policy, addr)) {
            char *allowed = target_policy_to_string(policy);
            vtap_want_set_error(want, "target %s: backend %s is outside the "
                                "allowed targets (%s)", want->target_name,
                                addr, allowed);
            free(allowed);
        }
    }
}

/* Finds the path toward 'want''s target through 'paths' (or assumes
 * PATH_MTU_DEFAULT if 'paths' is NULL) and sets how copies are cut: to the
 * max packet size if one is set that fits the path, else to the largest
 * frame that fits, in which case the copies that this cuts are counted. */
static void
set_truncation(struct vtap_want *want, const struct ovsdb_idl *ovs,
               struct path_mtu *paths)
{
    int overhead = (want->target_ipv6 ? PATH_MTU_VXLAN_OVERHEAD_IPV6
                    : PATH_MTU_VXLAN_OVERHEAD_IPV4);

    want->path_mtu = PATH_MTU_DEFAULT;
    if (paths && want->target_addr) {
        struct path_mtu_info info = path_mtu_lookup(paths, ovs,
                                                    want->target_addr);
        want->path_mtu = info.mtu;
        want->path_dev = nullable_xstrdup(info.dev);
        want->path_error = nullable_xstrdup(info.error);
    }
    /* Never below a minimal frame, whatever the interface says. */
    want->path_max_len = MAX(want->path_mtu - overhead, ETH_TOTAL_MIN);

    if (want->max_len && want->max_len <= want->path_max_len) {
        want->trunc_len = want->max_len;
        want->path_cut = false;
    } else {
        want->trunc_len = want->path_max_len;
        want->path_cut = true;
        if (want->max_len) {
            want->warning = xasprintf(
                "max packet size %d clamped to %d: the path to %s allows "
                "%d (MTU %d%s%s less %d of VXLAN over %s)", want->max_len,
                want->path_max_len, want->target_addr, want->path_max_len,
                want->path_mtu, want->path_dev ? " of " : "",
                want->path_dev ? want->path_dev : "", overhead,
                want->target_ipv6 ? "IPv6" : "IPv4");
        }
    }
}

/* A capture rule as last parsed, kept while its row does not change. */
struct parsed_rule {
    struct hmap_node node;      /* In vtap_rule_cache.rules, by uuid. */
    struct uuid uuid;           /* Capture_Rule row. */
    unsigned int insert_seqno;  /* The row's change seqnos when parsed. */
    unsigned int modify_seqno;
    struct vtap_rule rule;      /* Valid if !error. */
    char *error;                /* Why the row is not a valid rule. */
    unsigned int build;         /* The build that last used it. */
};

/* The capture rules parsed by earlier builds, so that a build parses only
 * the rules whose rows are new or changed. */
struct vtap_rule_cache {
    struct hmap rules;          /* Contains "struct parsed_rule"s. */
    unsigned int build;         /* Number of the build in progress. */
};

/* Creates an empty rule cache. */
struct vtap_rule_cache *
vtap_rule_cache_create(void)
{
    struct vtap_rule_cache *cache = xzalloc(sizeof *cache);

    hmap_init(&cache->rules);
    return cache;
}

static void
parsed_rule_free(struct parsed_rule *pr)
{
    free(pr->error);
    free(pr);
}

/* Frees 'cache'. */
void
vtap_rule_cache_destroy(struct vtap_rule_cache *cache)
{
    if (cache) {
        struct parsed_rule *pr;

        HMAP_FOR_EACH_POP (pr, node, &cache->rules) {
            parsed_rule_free(pr);
        }
        hmap_destroy(&cache->rules);
        free(cache);
    }
}

/* Forgets the rules that the build that just ended did not use. */
static void
rule_cache_sweep(struct vtap_rule_cache *cache)
{
    struct parsed_rule *pr;

    HMAP_FOR_EACH_SAFE (pr, node, &cache->rules) {
        if (pr->build != cache->build) {
            hmap_remove(&cache->rules, &pr->node);
            parsed_rule_free(pr);
        }
    }
}

/* Returns 'row' parsed: from 'cache' if its row did not change since it
 * was parsed, else parsed now and kept there. */
static const struct parsed_rule *
rule_cache_get(struct vtap_rule_cache *cache,
               const struct vtaprec_capture_rule *row)
{
    const struct uuid *uuid = &row->header_.uuid;
    unsigned int insert_seqno = vtaprec_capture_rule_row_get_seqno(
        row, OVSDB_IDL_CHANGE_INSERT);
    unsigned int modify_seqno = vtaprec_capture_rule_row_get_seqno(
        row, OVSDB_IDL_CHANGE_MODIFY);
    struct parsed_rule *pr;

    HMAP_FOR_EACH_WITH_HASH (pr, node, uuid_hash(uuid), &cache->rules) {
        if (uuid_equals(&pr->uuid, uuid)) {
            break;
        }
    }
    if (!pr) {
        pr = xzalloc(sizeof *pr);
        pr->uuid = *uuid;
        hmap_insert(&cache->rules, &pr->node, uuid_hash(uuid));
    } else if (pr->insert_seqno == insert_seqno
               && pr->modify_seqno == modify_seqno) {
        pr->build = cache->build;
        return pr;
    }
    free(pr->error);
    pr->error = vtap_rule_from_idl(row, &pr->rule);
    pr->insert_seqno = insert_seqno;
    pr->modify_seqno = modify_seqno;
    pr->build = cache->build;
    return pr;
}

/* Reads the rules of 'filter' into 'want', through 'cache' if nonnull. */
static void
read_rules(struct vtap_want *want, const struct vtaprec_capture_filter *filter,
           struct vtap_rule_cache *cache)
{
    want->rules = xcalloc(filter->n_rules, sizeof *want->rules);
    for (size_t i = 0; i < filter->n_rules; i++) {
        struct vtap_rule *rule = &want->rules[want->n_rules];
        char *parse_error = NULL;
        const char *error;

        if (cache) {
            const struct parsed_rule *pr = rule_cache_get(cache,
                                                          filter->rules[i]);
            error = pr->error;
            if (!error) {
                *rule = pr->rule;
            }
        } else {
            parse_error = vtap_rule_from_idl(filter->rules[i], rule);
            error = parse_error;
        }
        if (error) {
            vtap_want_set_error(want, "capture filter %s, rule %"PRId64": %s",
                                filter->name, filter->rules[i]->order, error);
        } else {
            want->n_rules++;
        }
        free(parse_error);
    }
}

/* An id in use, in vtap_desired.ids, hashed by the id itself. */
struct id_node {
    struct hmap_node node;
};

static bool
id_is_taken(const struct hmap *ids, uint32_t id)
{
    const struct id_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, node, id, ids) {
        return true;
    }
    return false;
}

/* The id that 'uuid' gives a VTAP unless another VTAP has it. */
static uint32_t
natural_id(const struct uuid *uuid)
{
    uint32_t id = uuid->parts[0] & 0x7fffffff;

    return id ? id : 1;
}

/* Gives 'want' an id derived from its UUID that no other VTAP of 'desired'
 * has. */
static void
assign_id(struct vtap_desired *desired, struct vtap_want *want)
{
    uint32_t id = natural_id(&want->uuid);

    while (id_is_taken(&desired->ids, id)) {
        id = (id + 1) & 0x7fffffff;
        id = id ? id : 1;
    }
    if (id != natural_id(&want->uuid)) {
        desired->n_probed++;
    }
    want->id = id;

    struct id_node *n = xmalloc(sizeof *n);
    hmap_insert(&desired->ids, &n->node, id);
}

static void
release_id(struct vtap_desired *desired, const struct vtap_want *want)
{
    struct id_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, node, want->id, &desired->ids) {
        hmap_remove(&desired->ids, &n->node);
        free(n);
        break;
    }
    if (want->id != natural_id(&want->uuid)) {
        desired->n_probed--;
    }
}

/* A row of the configuration that some VTAPs are built from (a capture
 * filter, one of its rules, a target), with those VTAPs. */
struct vtap_dep {
    struct hmap_node node;      /* In vtap_desired.deps, by uuid. */
    struct uuid uuid;           /* The row. */
    struct uuidset vtaps;       /* The VTAPs built from it. */
};

static struct vtap_dep *
dep_find(const struct hmap *deps, const struct uuid *uuid)
{
    struct vtap_dep *dep;

    HMAP_FOR_EACH_WITH_HASH (dep, node, uuid_hash(uuid), deps) {
        if (uuid_equals(&dep->uuid, uuid)) {
            return dep;
        }
    }
    return NULL;
}

/* Notes that 'want' is built from the row 'uuid'. */
static void
want_add_dep(struct vtap_desired *desired, struct vtap_want *want,
             const struct uuid *uuid)
{
    struct vtap_dep *dep = dep_find(&desired->deps, uuid);

    if (!dep) {
        dep = xmalloc(sizeof *dep);
        dep->uuid = *uuid;
        uuidset_init(&dep->vtaps);
        hmap_insert(&desired->deps, &dep->node, uuid_hash(uuid));
    }
    if (!uuidset_contains(&dep->vtaps, &want->uuid)) {
        uuidset_insert(&dep->vtaps, &want->uuid);
        if (want->n_deps >= want->allocated_deps) {
            want->deps = x2nrealloc(want->deps, &want->allocated_deps,
                                    sizeof *want->deps);
        }
        want->deps[want->n_deps++] = *uuid;
    }
}

static void
want_remove_deps(struct vtap_desired *desired, struct vtap_want *want)
{
    for (size_t i = 0; i < want->n_deps; i++) {
        struct vtap_dep *dep = dep_find(&desired->deps, &want->deps[i]);

        uuidset_find_and_delete(&dep->vtaps, &want->uuid);
        if (uuidset_is_empty(&dep->vtaps)) {
            hmap_remove(&desired->deps, &dep->node);
            uuidset_destroy(&dep->vtaps);
            free(dep);
        }
    }
    free(want->deps);
    want->deps = NULL;
    want->n_deps = want->allocated_deps = 0;
}

static void
want_free(struct vtap_want *want)
{
    free(want->name);
    free(want->src_bridge);
    free(want->src_dp_type);
    free(want->src_port);
    free(want->source_key);
    free(want->target_name);
    free(want->target_addr);
    free(want->target_error);
    for (size_t i = 0; i < want->n_backends; i++) {
        free(want->backend_names[i]);
        free(want->backend_addrs[i]);
    }
    free(want->backend_names);
    free(want->backend_addrs);
    free(want->path_dev);
    free(want->path_error);
    free(want->warning);
    free(want->rules);
    free(want->deps);
    free(want->error);
    free(want);
}

/* Removes 'want' from 'desired' and frees it. */
static void
want_remove(struct vtap_desired *desired, struct vtap_want *want)
{
    hmap_remove(&desired->vtaps, &want->node);
    want_remove_deps(desired, want);
    release_id(desired, want);
    want_free(want);
}

/* What a build reads besides the VTAP rows, made once per build (the
 * index of sources only when a VTAP needs it). */
struct build_ctx {
    const struct ovsdb_idl *ovs;
    struct vtap_resolver *resolver;
    struct path_mtu *paths;
    struct vtap_rule_cache *rules;
    struct target_policy policy;
    char *policy_error;
    struct source_index idx;
    bool have_idx;
};

static void
build_ctx_init(struct build_ctx *ctx, const struct ovsdb_idl *ovs,
               const struct ovsdb_idl *vtap, struct vtap_resolver *resolver,
               struct path_mtu *paths, struct vtap_rule_cache *rules)
{
    const struct vtaprec_global *global = vtaprec_global_first(vtap);

    ctx->ovs = ovs;
    ctx->resolver = resolver;
    ctx->paths = paths;
    ctx->rules = rules;
    ctx->policy_error = target_policy_init(
        &ctx->policy, global ? global->allowed_targets : NULL,
        global ? global->n_allowed_targets : 0);
    ctx->have_idx = false;
}

static const struct source_index *
build_ctx_index(struct build_ctx *ctx)
{
    if (!ctx->have_idx) {
        source_index_build(&ctx->idx, ctx->ovs);
        ctx->have_idx = true;
    }
    return &ctx->idx;
}

static void
build_ctx_destroy(struct build_ctx *ctx)
{
    if (ctx->have_idx) {
        source_index_destroy(&ctx->idx);
    }
    target_policy_destroy(&ctx->policy);
    free(ctx->policy_error);
}

/* Adds to 'desired' the VTAP of 'row' if its source is on this host. */
static void
add_vtap(struct vtap_desired *desired, const struct vtaprec_vtap *row,
         struct build_ctx *ctx)
{
    const struct source_index *idx = build_ctx_index(ctx);
    struct vtap_source src;
    bool ambiguous = false;
    char *source_error;

    source_error = vtap_source_parse(row->source_type, row->source, &src);
    if (!source_error && !source_is_here(desired, row, &src, idx,
                                         desired->n_hosts, &ambiguous)) {
        vtap_source_destroy(&src);
        return;
    }

    struct vtap_want *want = xzalloc(sizeof *want);
    want->uuid = row->header_.uuid;
    want->name = xstrdup(row->name);
    want->enabled = row->enabled;
    want->vni = row->vni;
    want->max_len = row->n_max_packet_size ? row->max_packet_size[0] : 0;
    want->src_vlan = -1;
    assign_id(desired, want);
    hmap_insert(&desired->vtaps, &want->node, uuid_hash(&want->uuid));

    if (source_error) {
        /* ovs-vtapctl refuses such a source; every host says why. */
        vtap_want_set_error(want, "%s", source_error);
        free(source_error);
    } else if (ambiguous) {
        char *error = vtap_source_ambiguity(row->source_type, &src,
                                            desired->n_hosts);
        vtap_want_set_error(want, "%s", error);
        free(error);
    } else {
        resolve_source(desired, want, row, &src, idx);
    }
    vtap_source_destroy(&src);
    if (row->target) {
        want_add_dep(desired, want, &row->target->header_.uuid);
        resolve_target(want, row->target, ctx->resolver, &ctx->policy,
                       ctx->policy_error);
        set_truncation(want, ctx->ovs, ctx->paths);
    } else {
        vtap_want_set_error(want, "no target");
    }
    if (row->capture_filter) {
        const struct vtaprec_capture_filter *filter = row->capture_filter;

        want_add_dep(desired, want, &filter->header_.uuid);
        for (size_t i = 0; i < filter->n_rules; i++) {
            want_add_dep(desired, want, &filter->rules[i]->header_.uuid);
        }
        read_rules(want, filter, ctx->rules);
    } else {
        vtap_want_set_error(want, "no capture filter");
    }
}

static int
compare_vtap_rows(const void *a_, const void *b_)
{
    const struct vtaprec_vtap *const *a = a_;
    const struct vtaprec_vtap *const *b = b_;

    return uuid_compare_3way(&(*a)->header_.uuid, &(*b)->header_.uuid);
}

/* Initializes 'desired' empty. */
void
vtap_desired_init(struct vtap_desired *desired)
{
    hmap_init(&desired->vtaps);
    sset_init(&desired->source_names);
    uuidset_init(&desired->source_rows);
    hmap_init(&desired->ids);
    hmap_init(&desired->deps);
    desired->n_probed = 0;
    desired->host = NULL;
    desired->n_hosts = 0;
}

/* Builds 'desired' from the databases: the VTAPs that host 'host', one of
 * 'n_hosts' that share the VTAP database, realizes.  Names are resolved
 * through 'resolver', paths found through 'paths' and rules parsed through
 * 'rules' (each may be NULL). */
void
vtap_desired_build(struct vtap_desired *desired, const char *host,
                   size_t n_hosts,
                   const struct ovsdb_idl *ovs, const struct ovsdb_idl *vtap,
                   struct vtap_resolver *resolver, struct path_mtu *paths,
                   struct vtap_rule_cache *rules)
{
    const struct vtaprec_vtap *row;
    size_t n = 0, allocated = 0;
    const struct vtaprec_vtap **rows = NULL;

    vtap_desired_init(desired);
    desired->host = xstrdup(host);
    desired->n_hosts = n_hosts;
    if (rules) {
        rules->build++;
    }

    VTAPREC_VTAP_FOR_EACH (row, vtap) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n++] = row;
    }
    /* Sorted, so that ids are assigned the same way on every run. */
    if (n) {
        qsort(rows, n, sizeof *rows, compare_vtap_rows);
    }

    struct build_ctx ctx;
    build_ctx_init(&ctx, ovs, vtap, resolver, paths, rules);
    for (size_t i = 0; i < n; i++) {
        add_vtap(desired, rows[i], &ctx);
    }
    free(rows);
    build_ctx_destroy(&ctx);
    if (rules) {
        rule_cache_sweep(rules);
    }
}

/* Builds again, in 'desired', only the VTAPs that 'changes' concern: the
 * VTAP rows that changed and the VTAPs built from a filter, rule or target
 * that changed.  Returns false, with 'desired' half updated, if that
 * cannot give what vtap_desired_build() would (a change that concerns
 * every VTAP, or ids that depend on the order in which VTAPs came): then
 * the caller builds it anew.  The arguments are those of
 * vtap_desired_build(), which must have built 'desired' for the same
 * 'host' and 'n_hosts' and the same Open_vSwitch database. */
bool
vtap_desired_update(struct vtap_desired *desired,
                    const struct vtap_changes *changes,
                    const struct ovsdb_idl *ovs, const struct ovsdb_idl *vtap,
                    struct vtap_resolver *resolver, struct path_mtu *paths,
                    struct vtap_rule_cache *rules)
{
    if (changes->all || desired->n_probed) {
        return false;
    }

    struct uuidset affected = UUIDSET_INITIALIZER(&affected);
    const struct uuidset_node *node;
    UUIDSET_FOR_EACH (node, &changes->vtaps) {
        uuidset_insert(&affected, &node->uuid);
    }
    UUIDSET_FOR_EACH (node, &changes->rows) {
        const struct vtap_dep *dep = dep_find(&desired->deps, &node->uuid);

        if (dep) {
            const struct uuidset_node *v;
            UUIDSET_FOR_EACH (v, &dep->vtaps) {
                uuidset_insert(&affected, &v->uuid);
            }
        }
    }

    /* First take out every VTAP concerned, so that each id that they free
     * is free for those that come back. */
    UUIDSET_FOR_EACH (node, &affected) {
        struct vtap_want *want = vtap_desired_find(desired, &node->uuid);

        if (want) {
            want_remove(desired, want);
        }
    }

    struct build_ctx ctx;
    bool ok = true;
    build_ctx_init(&ctx, ovs, vtap, resolver, paths, rules);
    UUIDSET_FOR_EACH (node, &affected) {
        const struct vtaprec_vtap *row = vtaprec_vtap_get_for_uuid(
            vtap, &node->uuid);

        if (row && !uuidset_find(&changes->gone, &node->uuid)) {
            add_vtap(desired, row, &ctx);
            if (desired->n_probed) {
                ok = false;
                break;
            }
        }
    }
    build_ctx_destroy(&ctx);
    uuidset_destroy(&affected);
    return ok;
}

/* Returns the VTAP with 'uuid' in 'desired', or NULL. */
struct vtap_want *
vtap_desired_find(const struct vtap_desired *desired, const struct uuid *uuid)
{
    struct vtap_want *want;

    HMAP_FOR_EACH_WITH_HASH (want, node, uuid_hash(uuid), &desired->vtaps) {
        if (uuid_equals(&want->uuid, uuid)) {
            return want;
        }
    }
    return NULL;
}

/* Frees everything in 'desired'. */
void
vtap_desired_destroy(struct vtap_desired *desired)
{
    struct vtap_want *want;

    HMAP_FOR_EACH_POP (want, node, &desired->vtaps) {
        want_free(want);
    }
    hmap_destroy(&desired->vtaps);

    struct id_node *id_node;
    HMAP_FOR_EACH_POP (id_node, node, &desired->ids) {
        free(id_node);
    }
    hmap_destroy(&desired->ids);

    struct vtap_dep *dep;
    HMAP_FOR_EACH_POP (dep, node, &desired->deps) {
        uuidset_destroy(&dep->vtaps);
        free(dep);
    }
    hmap_destroy(&desired->deps);
    sset_destroy(&desired->source_names);
    uuidset_destroy(&desired->source_rows);
    free(desired->host);
}

/* Returns true if the row 'uuid' named 'name' is (by name or row) a
 * source's bridge, port or interface. */
static bool
row_is_source(const struct vtap_desired *desired, const struct uuid *uuid,
              const char *name)
{
    return (sset_contains(&desired->source_names, name)
            || uuidset_find(&desired->source_rows, uuid));
}

/* Says how the changes tracked in 'ovs' since the last
 * ovsdb_idl_track_clear() may concern 'desired' or what ovs-vtapd made:
 * VTAP_OVS_NONE if they certainly concern neither (a port added that no
 * VTAP names, an interface's statistics), and then 'desired' and
 * everything derived from it stay as they are; VTAP_OVS_OWN if they
 * concern only ovs-vtapd's own rows or Mirror rows, which 'desired' is not
 * built from; VTAP_OVS_SOURCES if they may concern the sources, and then
 * 'desired' is to be built anew.  The cost is a lookup per changed row. */
enum vtap_ovs_change
vtap_desired_ovs_changed(const struct vtap_desired *desired,
                         const struct ovsdb_idl *ovs)
{
    enum vtap_ovs_change change = VTAP_OVS_NONE;

    const struct ovsrec_open_vswitch *cfg;
    OVSREC_OPEN_VSWITCH_FOR_EACH_TRACKED (cfg, ovs) {
        if (ovsrec_open_vswitch_is_new(cfg)
            || ovsrec_open_vswitch_is_deleted(cfg)
            || ovsrec_open_vswitch_is_updated(
                cfg, OVSREC_OPEN_VSWITCH_COL_EXTERNAL_IDS)) {
            return VTAP_OVS_SOURCES;
        }
    }
    const struct ovsrec_mirror *mirror;
    OVSREC_MIRROR_FOR_EACH_TRACKED (mirror, ovs) {
        /* Ours, or one of the user's, which counts in a bridge's limit. */
        change = VTAP_OVS_OWN;
        break;
    }
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH_TRACKED (br, ovs) {
        if (vtap_is_owned(&br->external_ids)) {
            change = VTAP_OVS_OWN;
            continue;
        }
        if (!row_is_source(desired, &br->header_.uuid, br->name)) {
            continue;
        }
        /* A port added to or removed from a source bridge is of concern
         * only if the port is (and then it is tracked too). */
        if (ovsrec_bridge_is_new(br) || ovsrec_bridge_is_deleted(br)
            || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_NAME)
            || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_DATAPATH_TYPE)
            || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_EXTERNAL_IDS)) {
            return VTAP_OVS_SOURCES;
        }
        if (ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_MIRRORS)) {
            change = VTAP_OVS_OWN;
        }
    }
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH_TRACKED (port, ovs) {
        if (vtap_is_owned(&port->external_ids)) {
            change = VTAP_OVS_OWN;
        } else if (row_is_source(desired, &port->header_.uuid, port->name)) {
            return VTAP_OVS_SOURCES;
        }
    }
    const struct ovsrec_interface *iface;
    OVSREC_INTERFACE_FOR_EACH_TRACKED (iface, ovs) {
        const char *iface_id = smap_get(&iface->external_ids, "iface-id");

        if (vtap_is_owned(&iface->external_ids)) {
            change = VTAP_OVS_OWN;
        } else if (row_is_source(desired, &iface->header_.uuid, iface->name)
                   || (iface_id && sset_contains(&desired->source_names,
                                                 iface_id))) {
            return VTAP_OVS_SOURCES;
        }
    }
    return change;
}

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

/* vtapctl-show.c: "ovs-vtapctl show", the VTAP database as a tree: each
 * VTAP with its source, target, capture filter and rules, and the
 * realizations that ovs-vtapd reports with their state and counters. */

#include <config.h>

#include "vtapctl-commands.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "smap.h"
#include "svec.h"
#include "util.h"
#include "vtap-idl.h"

/* Appends the pairs of 'keys' and 'values' (a map to integers), sorted by
 * key, as "KEY=VALUE KEY=VALUE". */
static void
format_counters(char **keys, const int64_t *values, size_t n, struct ds *s)
{
    struct svec sorted = SVEC_EMPTY_INITIALIZER;
    const char *key;
    size_t i;

    for (i = 0; i < n; i++) {
        svec_add_nocopy(&sorted, xasprintf("%s=%"PRId64, keys[i], values[i]));
    }
    svec_sort(&sorted);
    SVEC_FOR_EACH (i, key, &sorted) {
        ds_put_format(s, "%s%s", i ? " " : "", key);
    }
    svec_destroy(&sorted);
}

/* Appends 'smap' as "KEY=VALUE KEY=VALUE", sorted by key. */
static void
format_smap(const struct smap *smap, struct ds *s)
{
    const struct smap_node **nodes = smap_sort(smap);
    size_t n = smap_count(smap);

    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "%s%s=%s", i ? " " : "", nodes[i]->key,
                      nodes[i]->value);
    }
    free(nodes);
}

static void
show_target(const struct vtaprec_target *target, int indent, struct ds *s)
{
    bool ipv6 = strchr(target->address, ':') != NULL;

    ds_put_format(s, "%*sTarget %s\n", indent, "", target->name);
    ds_put_format(s, "%*saddress: %s%s%s:%"PRId64"\n", indent + 4, "",
                  ipv6 ? "[" : "", target->address, ipv6 ? "]" : "",
                  target->port);
    if (!smap_is_empty(&target->status)) {
        ds_put_format(s, "%*sstatus: ", indent + 4, "");
        format_smap(&target->status, s);
        ds_put_char(s, '\n');
    }
}

static void
show_filter(const struct vtaprec_capture_filter *filter, int indent,
            struct ds *s)
{
    const struct vtaprec_capture_rule **rules = vtapctl_sorted_rules(filter);

    ds_put_format(s, "%*sCapture_Filter %s\n", indent, "", filter->name);
    if (!filter->n_rules) {
        ds_put_format(s, "%*s(no rules: mirrors nothing)\n", indent + 4, "");
    }
    for (size_t i = 0; i < filter->n_rules; i++) {
        const struct vtaprec_capture_rule *rule = rules[i];

        ds_put_format(s, "%*s", indent + 4, "");
        vtapctl_format_rule(rule, s);
        if (rule->n_statistics) {
            ds_put_cstr(s, " (");
            format_counters(rule->key_statistics, rule->value_statistics,
                            rule->n_statistics, s);
            ds_put_char(s, ')');
        }
        ds_put_char(s, '\n');
    }
    free(rules);
}

static void
show_realization(const struct vtaprec_realization *r, struct ds *s)
{
    ds_put_format(s, "    Realization %s\n", r->host);
    ds_put_format(s, "        state: %s\n", r->state);
    if (r->reason[0]) {
        ds_put_format(s, "        reason: %s\n", r->reason);
    }
    if (r->source_bridge[0]) {
        ds_put_format(s, "        source_bridge: %s\n", r->source_bridge);
    }
    if (r->mirror_bridge[0]) {
        ds_put_format(s, "        mirror_bridge: %s\n", r->mirror_bridge);
    }
    if (r->target_address[0]) {
        ds_put_format(s, "        target_address: %s\n",
                      r->target_address);
    }
    if (r->n_statistics) {
        ds_put_cstr(s, "        statistics: ");
        format_counters(r->key_statistics, r->value_statistics,
                        r->n_statistics, s);
        ds_put_char(s, '\n');
    }
}

static int
compare_realizations(const void *a_, const void *b_)
{
    const struct vtaprec_realization *const *a = a_;
    const struct vtaprec_realization *const *b = b_;

    return strcmp((*a)->host, (*b)->host);
}

static void
show_vtap(const struct vtaprec_vtap *vtap, struct ds *s)
{
    ds_put_format(s, "VTAP %s\n", vtap->name);
    ds_put_format(s, "    source: %s %s", vtap->source_type, vtap->source);
    if (vtap->n_source_vlan) {
        ds_put_format(s, ":%"PRId64, vtap->source_vlan[0]);
    }
    ds_put_char(s, '\n');
    ds_put_format(s, "    enabled: %s\n", vtap->enabled ? "true" : "false");
    ds_put_format(s, "    vni: %"PRId64"\n", vtap->vni);
    if (vtap->n_max_packet_size) {
        ds_put_format(s, "    max_packet_size: %"PRId64"\n",
                      vtap->max_packet_size[0]);
    } else {
        ds_put_cstr(s, "    max_packet_size: none\n");
    }
    if (vtap->target) {
        show_target(vtap->target, 4, s);
    }
    if (vtap->capture_filter) {
        show_filter(vtap->capture_filter, 4, s);
    }

    struct vtaprec_realization **rs
        = xmalloc((vtap->n_realizations + 1) * sizeof *rs);
    for (size_t i = 0; i < vtap->n_realizations; i++) {
        rs[i] = vtap->realizations[i];
    }
    qsort(rs, vtap->n_realizations, sizeof *rs, compare_realizations);
    for (size_t i = 0; i < vtap->n_realizations; i++) {
        show_realization(rs[i], s);
    }
    free(rs);
}

static int
compare_vtaps(const void *a_, const void *b_)
{
    const struct vtaprec_vtap *const *a = a_;
    const struct vtaprec_vtap *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* show: every VTAP, sorted by name, with its source, target, capture
 * filter and realizations; then the targets and filters that no VTAP
 * uses. */
void
vtapctl_cmd_show(struct ctl_context *ctx)
{
    const struct vtaprec_vtap *vtap;
    const struct vtaprec_target *target;
    const struct vtaprec_capture_filter *filter;
    const struct vtaprec_vtap **vtaps = NULL;
    size_t n = 0, allocated = 0;

    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        if (n >= allocated) {
            vtaps = x2nrealloc(vtaps, &allocated, sizeof *vtaps);
        }
        vtaps[n++] = vtap;
    }
    if (n) {
        qsort(vtaps, n, sizeof *vtaps, compare_vtaps);
    }
    for (size_t i = 0; i < n; i++) {
        show_vtap(vtaps[i], &ctx->output);
    }

    struct svec unused = SVEC_EMPTY_INITIALIZER;
    VTAPREC_TARGET_FOR_EACH (target, ctx->idl) {
        bool used = false;
        for (size_t i = 0; i < n; i++) {
            used = used || vtaps[i]->target == target;
        }
        if (!used) {
            struct ds s = DS_EMPTY_INITIALIZER;
            show_target(target, 0, &s);
            svec_add_nocopy(&unused, ds_steal_cstr(&s));
        }
    }
    VTAPREC_CAPTURE_FILTER_FOR_EACH (filter, ctx->idl) {
        bool used = false;
        for (size_t i = 0; i < n; i++) {
            used = used || vtaps[i]->capture_filter == filter;
        }
        if (!used) {
            struct ds s = DS_EMPTY_INITIALIZER;
            show_filter(filter, 0, &s);
            svec_add_nocopy(&unused, ds_steal_cstr(&s));
        }
    }
    const char *text;
    size_t i;
    svec_sort(&unused);
    SVEC_FOR_EACH (i, text, &unused) {
        ds_put_cstr(&ctx->output, text);
    }
    svec_destroy(&unused);
    free(vtaps);
}

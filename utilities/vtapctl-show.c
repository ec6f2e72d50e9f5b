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
 * realizations that each host's ovs-vtapd reports with their state and
 * counters, summed over the hosts; and "statistics", a VTAP's counters
 * summed likewise, for scripts. */

#include <config.h>

#include "vtapctl-commands.h"

#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "smap.h"
#include "svec.h"
#include "util.h"
#include "vtap-idl.h"
#include "vtapctl-hosts.h"
#include "vtapctl-realizations.h"

/* Appends the sums in 'sums', sorted by key, as "KEY=VALUE KEY=VALUE". */
static void
format_sums(const struct shash *sums, struct ds *s)
{
    const struct shash_node **nodes = shash_sort(sums);
    size_t n = shash_count(sums);

    for (size_t i = 0; i < n; i++) {
        const int64_t *sum = nodes[i]->data;

        ds_put_format(s, "%s%s=%"PRId64, i ? " " : "", nodes[i]->name, *sum);
    }
    free(nodes);
}

/* Appends the counters of the 'n' rows 'rows' as "KEY=VALUE KEY=VALUE",
 * sorted by key. */
static void
format_statistics(const struct vtaprec_realization **rows, size_t n,
                  struct ds *s)
{
    struct shash sums = SHASH_INITIALIZER(&sums);

    vtapctl_sum_statistics(rows, n, &sums);
    format_sums(&sums, s);
    vtapctl_sums_destroy(&sums);
}

static void
show_target(const struct vtaprec_target *target, int indent, struct ds *s)
{
    ds_put_format(s, "%*sTarget %s\n", indent, "", target->name);
    if (target->n_backends) {
        ds_put_format(s, "%*spool:", indent + 4, "");
        for (size_t i = 0; i < target->n_backends; i++) {
            const char *b = target->backends[i];
            bool b6 = strchr(b, ':') != NULL;

            ds_put_format(s, " %s%s%s:%"PRId64, b6 ? "[" : "", b,
                          b6 ? "]" : "", target->port);
        }
        ds_put_char(s, '\n');
        if (target->health_interval) {
            ds_put_format(s, "%*shealth_interval: %"PRId64" ms\n",
                          indent + 4, "", *target->health_interval);
        }
        return;
    }

    bool ipv6 = strchr(target->address, ':') != NULL;
    ds_put_format(s, "%*saddress: %s%s%s:%"PRId64"\n", indent + 4, "",
                  ipv6 ? "[" : "", target->address, ipv6 ? "]" : "",
                  target->port);
}

/* Appends 'filter' and its rules, each rule with its counters summed over
 * the 'n' Realization rows 'rows' if any of them counted it. */
static void
show_filter(const struct vtaprec_capture_filter *filter,
            const struct vtaprec_realization **rows, size_t n,
            int indent, struct ds *s)
{
    const struct vtaprec_capture_rule **rules = vtapctl_sorted_rules(filter);

    ds_put_format(s, "%*sCapture_Filter %s\n", indent, "", filter->name);
    if (!filter->n_rules) {
        ds_put_format(s, "%*s(no rules: mirrors nothing)\n", indent + 4, "");
    }
    for (size_t i = 0; i < filter->n_rules; i++) {
        const struct vtaprec_capture_rule *rule = rules[i];
        int64_t packets, bytes;

        ds_put_format(s, "%*s", indent + 4, "");
        vtapctl_format_rule(rule, s);
        if (vtapctl_sum_rule(rows, n, &rule->header_.uuid,
                             &packets, &bytes)) {
            ds_put_format(s, " (bytes=%"PRId64" packets=%"PRId64")",
                          bytes, packets);
        }
        ds_put_char(s, '\n');
    }
    free(rules);
}

/* Appends one host's Realization row 'r'. */
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
        format_statistics(&r, 1, s);
        ds_put_char(s, '\n');
    }
    /* A pool's backends, sorted by address. */
    const struct smap_node **nodes = smap_sort(&r->backend_state);
    for (size_t i = 0; i < smap_count(&r->backend_state); i++) {
        const char *b = nodes[i]->key;
        int64_t packets = 0;

        for (size_t j = 0; j < r->n_backend_packets; j++) {
            if (!strcmp(r->key_backend_packets[j], b)) {
                packets = r->value_backend_packets[j];
            }
        }
        ds_put_format(s, "        backend %s: %s (packets=%"PRId64")\n",
                      b, nodes[i]->value, packets);
    }
    free(nodes);
}

/* Appends "running on hv1", "running on 2 hosts", ... for 'hosts', those
 * whose rows are in state 'state', after "; " if 's' says something after
 * offset 'start' already. */
static void
put_hosts_in_state(const char *state, const struct svec *hosts,
                   struct ds *s, size_t start)
{
    if (!hosts->n) {
        return;
    }
    if (s->length > start) {
        ds_put_cstr(s, "; ");
    }
    if (hosts->n == 1) {
        ds_put_format(s, "%s on %s", state, hosts->names[0]);
    } else {
        ds_put_format(s, "%s on %"PRIuSIZE" hosts", state, hosts->n);
    }
}

/* Appends the summary state line of a VTAP whose Realization rows are the
 * 'n' in 'rows', sorted by host: each host in error with its reason, then
 * where it runs, then where it is stopped; released rows do not count. */
static void
show_summary(const struct vtaprec_realization **rows, size_t n,
             struct ds *s)
{
    struct svec running = SVEC_EMPTY_INITIALIZER;
    struct svec stopped = SVEC_EMPTY_INITIALIZER;

    ds_put_cstr(s, "    state: ");
    size_t start = s->length;
    for (size_t i = 0; i < n; i++) {
        const struct vtaprec_realization *r = rows[i];

        if (!strcmp(r->state, "error")) {
            ds_put_format(s, "%serror on %s: %s",
                          s->length > start ? "; " : "", r->host,
                          r->reason[0] ? r->reason : "no reason");
        } else if (!strcmp(r->state, "running")) {
            svec_add(&running, r->host);
        } else if (!strcmp(r->state, "stopped")) {
            svec_add(&stopped, r->host);
        }
    }
    put_hosts_in_state("running", &running, s, start);
    put_hosts_in_state("stopped", &stopped, s, start);
    if (s->length == start) {
        ds_put_cstr(s, "not realized on any host");
    }
    ds_put_char(s, '\n');
    svec_destroy(&running);
    svec_destroy(&stopped);
}

/* Appends 'vtap' with its Realization rows in 'rs'. */
static void
show_vtap(const struct vtaprec_vtap *vtap,
          const struct vtapctl_realizations *rs, struct ds *s)
{
    size_t n;
    const struct vtaprec_realization **rows
        = vtapctl_realizations_find(rs, vtap, &n);

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
        show_filter(vtap->capture_filter, rows, n, 4, s);
    }
    show_summary(rows, n, s);

    size_t before = s->length;
    ds_put_cstr(s, "    statistics: ");
    size_t start = s->length;
    format_statistics(rows, n, s);
    if (s->length == start) {
        ds_truncate(s, before);
    } else {
        ds_put_char(s, '\n');
    }
    for (size_t i = 0; i < n; i++) {
        show_realization(rows[i], s);
    }
}

static int
compare_vtaps(const void *a_, const void *b_)
{
    const struct vtaprec_vtap *const *a = a_;
    const struct vtaprec_vtap *const *b = b_;

    return strcmp((*a)->name, (*b)->name);
}

/* Returns true if 'host' is NULL, or names a Host row or the host of a
 * Realization row (of a host deleted since); otherwise reports it. */
static bool
check_host_option(struct ctl_context *ctx, const char *host)
{
    const struct vtaprec_realization *r;

    if (!host || vtapctl_find_host(ctx->idl, host)) {
        return true;
    }
    VTAPREC_REALIZATION_FOR_EACH (r, ctx->idl) {
        if (!strcmp(r->host, host)) {
            return true;
        }
    }
    ctl_error(ctx, "host: \"%s\": no such host", host);
    return false;
}

/* [--host=HOST] show: every VTAP, sorted by name, with its source,
 * target, capture filter, the state and counters of its realizations (or
 * only of those on HOST) summed up, and each of them; then the targets and
 * filters that no VTAP uses. */
void
vtapctl_cmd_show(struct ctl_context *ctx)
{
    const char *host = shash_find_data(&ctx->options, "--host");
    struct vtapctl_realizations rs;
    const struct vtaprec_vtap *vtap;
    const struct vtaprec_target *target;
    const struct vtaprec_capture_filter *filter;
    const struct vtaprec_vtap **vtaps = NULL;
    size_t n = 0, allocated = 0;

    if (!check_host_option(ctx, host)) {
        return;
    }
    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        if (n >= allocated) {
            vtaps = x2nrealloc(vtaps, &allocated, sizeof *vtaps);
        }
        vtaps[n++] = vtap;
    }
    if (n) {
        qsort(vtaps, n, sizeof *vtaps, compare_vtaps);
    }
    vtapctl_realizations_init(&rs, ctx->idl, host);
    for (size_t i = 0; i < n; i++) {
        show_vtap(vtaps[i], &rs, &ctx->output);
    }
    vtapctl_realizations_destroy(&rs);

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
            show_filter(filter, NULL, 0, 0, &s);
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

/* [--host=HOST] statistics VTAP [KEY]: the counters of VTAP summed over
 * its Realization rows (released ones too), or over HOST's only: each
 * KEY=VALUE, sorted, then each rule of its filter, in order, as "rule
 * ORDER DIRECTION ACTION packets=N bytes=N"; with KEY, that counter's
 * value alone. */
void
vtapctl_cmd_statistics(struct ctl_context *ctx)
{
    const char *host = shash_find_data(&ctx->options, "--host");
    const char *key = ctx->argc > 2 ? ctx->argv[2] : NULL;
    const struct vtaprec_vtap *vtap;
    struct shash sums = SHASH_INITIALIZER(&sums);
    struct vtapctl_realizations rs;
    size_t n;

    vtap = vtapctl_must_find_vtap(ctx, ctx->argv[1]);
    if (!vtap || !check_host_option(ctx, host)) {
        return;
    }
    vtapctl_realizations_init(&rs, ctx->idl, host);
    const struct vtaprec_realization **rows
        = vtapctl_realizations_find(&rs, vtap, &n);
    vtapctl_sum_statistics(rows, n, &sums);
    for (size_t i = 0; i < vtapctl_n_statistics_keys; i++) {
        if (!shash_find(&sums, vtapctl_statistics_keys[i])) {
            shash_add(&sums, vtapctl_statistics_keys[i],
                      xzalloc(sizeof(int64_t)));
        }
    }

    if (key) {
        if (shash_find(&sums, key)) {
            ds_put_format(&ctx->output, "%"PRId64"\n",
                          vtapctl_sum_get(&sums, key));
        } else {
            struct ds keys = DS_EMPTY_INITIALIZER;

            for (size_t i = 0; i < vtapctl_n_statistics_keys; i++) {
                ds_put_format(&keys, "%s%s", i ? ", " : "",
                              vtapctl_statistics_keys[i]);
            }
            ctl_error(ctx, "statistics: \"%s\": no such counter (expected "
                      "%s)", key, ds_cstr(&keys));
            ds_destroy(&keys);
        }
    } else {
        const struct shash_node **nodes = shash_sort(&sums);

        for (size_t i = 0; i < shash_count(&sums); i++) {
            const int64_t *sum = nodes[i]->data;

            ds_put_format(&ctx->output, "%s=%"PRId64"\n",
                          nodes[i]->name, *sum);
        }
        free(nodes);

        const struct vtaprec_capture_filter *filter = vtap->capture_filter;
        const struct vtaprec_capture_rule **rules
            = filter ? vtapctl_sorted_rules(filter) : NULL;
        for (size_t i = 0; filter && i < filter->n_rules; i++) {
            int64_t packets, bytes;

            vtapctl_sum_rule(rows, n, &rules[i]->header_.uuid,
                             &packets, &bytes);
            ds_put_format(&ctx->output, "rule %"PRId64" %s %s packets=%"
                          PRId64" bytes=%"PRId64"\n", rules[i]->order,
                          rules[i]->direction, rules[i]->action,
                          packets, bytes);
        }
        free(rules);
    }
    vtapctl_sums_destroy(&sums);
    vtapctl_realizations_destroy(&rs);
}

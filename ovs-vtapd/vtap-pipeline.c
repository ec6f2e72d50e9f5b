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

/* vtap-pipeline.c: turns the VTAPs of each mirror bridge into desired
 * OpenFlow flows (see vtap-pipeline.h). */

#include <config.h>
#include "vtap-pipeline.h"

#include <string.h>
#include "flow.h"
#include "flow-table.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/vtap-compile.h"
#include "packets.h"
#include "sset.h"
#include "util.h"
#include "vtap-cookie.h"
#include "vtap-desired.h"

VLOG_DEFINE_THIS_MODULE(vtap_pipeline);

static void
add_flow(struct flow_table *ft, uint8_t table_id, uint16_t priority,
         uint64_t cookie, const struct match *match, const char *actions)
{
    char *error = flow_table_add(ft, table_id, priority, cookie, match,
                                 actions);
    if (error) {
        VLOG_ERR("%s: bad actions \"%s\": %s", flow_table_bridge(ft),
                 actions, error);
        free(error);
    }
}

/* Adds a flow of 'want' to 'ft' and counts it in 'want->n_flows'. */
static void
add_want_flow(struct flow_table *ft, struct vtap_want *want, uint8_t table_id,
              uint16_t priority, uint64_t cookie, const struct match *match,
              const char *actions)
{
    add_flow(ft, table_id, priority, cookie, match, actions);
    want->n_flows++;
}

/* Returns true if 'want' can have flows now. */
static bool
want_is_ready(const struct vtap_want *want)
{
    return (want->enabled && !want->error && want->mirror_bridge
            && want->ingress_ofport && want->vxlan_ofport
            && (!want->src_port || want->egress_ofport)
            && want->target_addr);
}

/* Adds to 'ft' the filter flows of one direction of 'want'.  Returns false
 * if the filter does not compile (the VTAP is then in error). */
static bool
add_filter_flows(struct flow_table *ft, struct vtap_want *want,
                 enum vtap_direction dir, ofp_port_t in_port)
{
    struct vtap_flows flows;
    char *error;

    vtap_flows_init(&flows);
    error = vtap_filter_compile(want->rules, want->n_rules, dir,
                                VTAP_PRIO_RULES_TOP, VTAP_MAX_FLOWS_PER_RULE,
                                &flows);
    if (error) {
        vtap_want_set_error(want, "capture filter: %s", error);
        free(error);
        vtap_flows_destroy(&flows);
        return false;
    }

    /* An include hands the copy to the VTAP's output flows (table 2), with
     * whether it is larger than the path allows in reg1[0]. */
    char *include = (want->path_cut
                     ? xasprintf("check_pkt_larger(%d)->reg1[0],"
                                 "resubmit(,%d)", want->trunc_len,
                                 VTAP_TABLE_OUTPUT)
                     : xasprintf("resubmit(,%d)", VTAP_TABLE_OUTPUT));
    unsigned int kind = (dir == VTAP_INGRESS ? VTAP_COOKIE_KIND_INGRESS
                         : VTAP_COOKIE_KIND_EGRESS);
    unsigned int *rule_ids = xmalloc(want->n_rules * sizeof *rule_ids + 1);
    vtap_cookie_rule_ids(want->rules, want->n_rules, rule_ids);
    for (size_t i = 0; i < flows.n; i++) {
        const struct vtap_flow *f = &flows.flows[i];
        bool is_include = f->action == VTAP_INCLUDE;
        struct match match = f->match;

        match_set_in_port(&match, in_port);
        match_set_reg(&match, 0, want->id);
        add_flow(ft, 1, f->priority,
                 vtap_cookie(kind, is_include, rule_ids[f->rule_idx],
                             want->id),
                 &match, is_include ? include : "drop");
    }
    want->n_flows += flows.n;
    free(rule_ids);
    free(include);
    vtap_flows_destroy(&flows);
    return true;
}

/* Adds to 'ft' the flows that send 'want''s copies to its target, in the
 * tables VTAP_TABLE_OUTPUT and VTAP_TABLE_CUT (see vtap-pipeline.h). */
static void
add_output_flows(struct flow_table *ft, struct vtap_want *want)
{
    uint64_t copy = vtap_cookie(VTAP_COOKIE_KIND_OUTPUT, false,
                                VTAP_OUTPUT_COPY, want->id);
    uint64_t cut = vtap_cookie(VTAP_COOKIE_KIND_OUTPUT, false,
                               VTAP_OUTPUT_CUT, want->id);
    uint16_t vxlan = ofp_to_u16(want->vxlan_ofport);
    char *set_tunnel = xasprintf("set_field:%s->%s,set_field:%"PRIu32
                                 "->tun_id", want->target_addr,
                                 want->target_ipv6 ? "tun_ipv6_dst"
                                 : "tun_dst", want->vni);
    char *whole = xasprintf("%s,output:%"PRIu16, set_tunnel, vxlan);
    char *trunc = xasprintf("%s,output(port=%"PRIu16",max_len=%d)",
                            set_tunnel, vxlan, want->trunc_len);
    struct match match;

    match_init_catchall(&match);
    match_set_reg(&match, 0, want->id);
    if (!want->path_cut) {
        /* Cut to the max packet size, or not at all: nothing to count. */
        add_want_flow(ft, want, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT, copy,
                      &match, trunc);
    } else {
        add_want_flow(ft, want, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT, copy,
                      &match, whole);

        /* Larger than the path allows.  In the datapath, check_pkt_larger
         * runs both branches of one datapath flow, whose counter OVS
         * credits to every OpenFlow flow of both; so the cut copies go
         * through conntrack (in a zone of their own, never committed) only
         * to recirculate into a datapath flow of their own, in table
         * VTAP_TABLE_CUT, whose counter counts just them.  Conntrack takes
         * IP only, and not fragments (it would hold them to reassemble):
         * others are cut uncounted. */
        match_set_reg_masked(&match, 1, 1, 1);
        add_want_flow(ft, want, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT_CUT, copy,
                      &match, trunc);
        char *ct = xasprintf("ct(zone=%d,table=%d)", VTAP_CT_ZONE,
                             VTAP_TABLE_CUT);
        match_set_nw_frag_masked(&match, 0, FLOW_NW_FRAG_MASK);
        for (int v6 = 0; v6 < 2; v6++) {
            match_set_dl_type(&match, htons(v6 ? ETH_TYPE_IPV6
                                            : ETH_TYPE_IP));
            add_want_flow(ft, want, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT_CT,
                          copy, &match, ct);
        }
        free(ct);

        match_init_catchall(&match);
        match_set_reg(&match, 0, want->id);
        add_want_flow(ft, want, VTAP_TABLE_CUT, VTAP_PRIO_OUT, cut, &match,
                      trunc);
    }
    free(set_tunnel);
    free(whole);
    free(trunc);
}

/* Adds to 'ft' the loop guard: a copy of a packet addressed to the VXLAN
 * port of any target of this host (IPv4 or IPv6) is dropped, so that
 * copies seen again on a tapped port or bridge are never mirrored again,
 * whichever mirror bridge made them; other UDP on that port (a tenant's own
 * VXLAN) is mirrored. */
static void
add_loop_guard(struct flow_table *ft, const struct vtap_desired *desired)
{
    uint64_t shared = vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, 0);
    struct sset done = SSET_INITIALIZER(&done);
    const struct vtap_want *want;

    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        struct in6_addr ip6;
        struct match match;
        ovs_be32 ip4;

        if (!want->target_addr || !want->target_port) {
            continue;
        }
        char *key = xasprintf("%s %"PRIu16, want->target_addr,
                              want->target_port);
        if (!sset_add(&done, key)) {
            free(key);
            continue;
        }
        free(key);

        match_init_catchall(&match);
        if (ip_parse(want->target_addr, &ip4)) {
            match_set_dl_type(&match, htons(ETH_TYPE_IP));
            match_set_nw_dst(&match, ip4);
        } else if (ipv6_parse(want->target_addr, &ip6)) {
            match_set_dl_type(&match, htons(ETH_TYPE_IPV6));
            match_set_ipv6_dst(&match, &ip6);
        } else {
            continue;
        }
        match_set_nw_proto(&match, IPPROTO_UDP);
        match_set_tp_dst(&match, htons(want->target_port));
        add_flow(ft, 0, VTAP_PRIO_LOOP_GUARD, shared, &match, "drop");
    }
    sset_destroy(&done);
}

static int
compare_wants_by_id(const void *a_, const void *b_)
{
    const struct vtap_want *const *a = a_;
    const struct vtap_want *const *b = b_;

    return (*a)->id < (*b)->id ? -1 : (*a)->id > (*b)->id;
}

/* Adds the dispatch flow of 'in_port' to every VTAP in 'wants'.  The flow
 * of a port with one VTAP is that VTAP's (its cookie has the VTAP's id), so
 * that a switch that refuses it refuses that VTAP only. */
static void
add_dispatch(struct flow_table *ft, ofp_port_t in_port,
             struct vtap_want **wants, size_t n)
{
    struct ds actions = DS_EMPTY_INITIALIZER;
    struct match match;

    for (size_t i = 0; i < n; i++) {
        ds_put_format(&actions, "%sclone(set_field:%"PRIu32"->reg0,"
                      "resubmit(,1))", i ? "," : "", wants[i]->id);
    }
    match_init_catchall(&match);
    match_set_in_port(&match, in_port);
    uint32_t owner = n == 1 ? wants[0]->id : 0;
    add_flow(ft, 0, VTAP_PRIO_DISPATCH,
             vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, owner), &match,
             ds_cstr(&actions));
    ds_destroy(&actions);
}

/* Builds the flows of one mirror bridge. */
static void
build_bridge(struct flow_table *ft, struct vtap_desired *desired)
{
    const char *bridge = flow_table_bridge(ft);
    uint64_t shared = vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, 0);
    struct match match;

    flow_table_clear(ft);
    match_init_catchall(&match);
    add_flow(ft, 0, 0, shared, &match, "drop");
    add_flow(ft, 1, 0, shared, &match, "drop");
    add_flow(ft, VTAP_TABLE_OUTPUT, 0, shared, &match, "drop");
    add_flow(ft, VTAP_TABLE_CUT, 0, shared, &match, "drop");
    add_loop_guard(ft, desired);

    /* Rules, then dispatch to the VTAPs whose rules compiled. */
    struct shash by_port = SHASH_INITIALIZER(&by_port);
    struct vtap_want *want;
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        if (!want_is_ready(want) || strcmp(want->mirror_bridge, bridge)) {
            continue;
        }
        bool ok = add_filter_flows(ft, want, VTAP_INGRESS,
                                   want->ingress_ofport);
        if (ok && want->src_port) {
            ok = add_filter_flows(ft, want, VTAP_EGRESS, want->egress_ofport);
        }
        if (!ok) {
            continue;
        }
        add_output_flows(ft, want);
        /* Flows that the switch refused stay out of the switch until a
         * retry succeeds (the flow table leaves them out), but they stay
         * desired, so that a retry tries exactly them. */
        const char *refused = flow_table_refused(ft, want->id);
        if (refused) {
            vtap_want_set_error(want, "ovs-vswitchd refused its flows: %s",
                                refused);
        } else {
            want->dispatched = true;
        }
        for (int egress = 0; egress < 2; egress++) {
            ofp_port_t p = egress ? want->egress_ofport : want->ingress_ofport;
            if (!p) {
                continue;
            }
            char *key = xasprintf("%"PRIu16, ofp_to_u16(p));
            struct shash_node *node = shash_find(&by_port, key);
            if (!node) {
                struct vtap_want **v = xmalloc(sizeof *v * (hmap_count(
                                                   &desired->vtaps) + 1));
                v[0] = NULL;
                node = shash_add(&by_port, key, v);
            }
            struct vtap_want **v = node->data;
            size_t n = 0;
            while (v[n]) {
                n++;
            }
            v[n] = want;
            v[n + 1] = NULL;
            free(key);
        }
    }

    struct shash_node *node;
    SHASH_FOR_EACH (node, &by_port) {
        struct vtap_want **v = node->data;
        size_t n = 0;
        while (v[n]) {
            n++;
        }
        qsort(v, n, sizeof *v, compare_wants_by_id);
        add_dispatch(ft, u16_to_ofp(atoi(node->name)), v, n);
    }
    shash_destroy_free_data(&by_port);
}

/* Sets the desired flows of every table in 'flow_tables' (mirror bridge
 * name -> "struct flow_table *") from 'desired'. */
void
vtap_pipeline_build(struct vtap_desired *desired, struct shash *flow_tables)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, flow_tables) {
        build_bridge(node->data, desired);
    }
}

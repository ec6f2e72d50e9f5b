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

#include <stdarg.h>
#include <string.h>
#include "flow.h"
#include "flow-table.h"
#include "hash.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/vtap-compile.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"
#include "vswitch-config.h"
#include "vtap-cookie.h"
#include "vtap-desired.h"

VLOG_DEFINE_THIS_MODULE(vtap_pipeline);

/* Adds a flow to 'ft' with the actions in 'ofpacts', or if 'ofpacts' is
 * NULL, one that drops. */
static void
add_flow(struct flow_table *ft, uint8_t table_id, uint16_t priority,
         uint64_t cookie, const struct match *match,
         const struct ofpbuf *ofpacts)
{
    flow_table_add(ft, table_id, priority, cookie, match,
                   ofpacts ? ofpacts->data : NULL,
                   ofpacts ? ofpacts->size : 0);
}

/* Adds a flow of a VTAP to 'ft' and counts it in 'vc'. */
static void
add_vtap_flow(struct flow_table *ft, struct vtap_compiled *vc,
              uint8_t table_id, uint16_t priority, uint64_t cookie,
              const struct match *match, const struct ofpbuf *ofpacts)
{
    add_flow(ft, table_id, priority, cookie, match, ofpacts);
    vc->n_flows++;
}

/* Initializes 'pl' empty. */
void
vtap_pipeline_init(struct vtap_pipeline *pl)
{
    hmap_init(&pl->vtaps);
}

/* Frees everything in 'pl'. */
void
vtap_pipeline_destroy(struct vtap_pipeline *pl)
{
    struct vtap_compiled *vc;

    HMAP_FOR_EACH_POP (vc, node, &pl->vtaps) {
        free(vc->error);
        free(vc);
    }
    hmap_destroy(&pl->vtaps);
}

/* Returns what 'pl' made of VTAP 'vtap', or NULL. */
const struct vtap_compiled *
vtap_pipeline_find(const struct vtap_pipeline *pl, const struct uuid *vtap)
{
    const struct vtap_compiled *vc;

    HMAP_FOR_EACH_WITH_HASH (vc, node, uuid_hash(vtap), &pl->vtaps) {
        if (uuid_equals(&vc->uuid, vtap)) {
            return vc;
        }
    }
    return NULL;
}

/* Sets the first reason why the VTAP of 'vc' cannot run. */
static void OVS_PRINTF_FORMAT(2, 3)
compiled_set_error(struct vtap_compiled *vc, const char *format, ...)
{
    if (!vc->error) {
        va_list args;

        va_start(args, format);
        vc->error = xvasprintf(format, args);
        va_end(args);
    }
}

/* Appends "resubmit(,TABLE_ID)" to 'ofpacts'. */
static void
put_resubmit(struct ofpbuf *ofpacts, uint8_t table_id)
{
    struct ofpact_resubmit *resubmit = ofpact_put_RESUBMIT(ofpacts);

    resubmit->in_port = OFPP_IN_PORT;
    resubmit->table_id = table_id;
}

/* Appends "set_field:VALUE->FIELD" to 'ofpacts', 'value' being of the
 * field's size.  The padding after the value and the mask is zeroed (as
 * ofpact_put_set_field() leaves it when given a value), so that the same
 * action always has the same bytes and flows compare equal by them. */
static void
put_set_field(struct ofpbuf *ofpacts, enum mf_field_id id, const void *value)
{
    const struct mf_field *field = mf_from_id(id);
    struct ofpact_set_field *sf = ofpact_put_set_field(ofpacts, field, NULL,
                                                       NULL);

    memcpy(sf->value, value, field->n_bytes);
    memset(ofpact_set_field_mask(sf), 0xff, field->n_bytes);
}

/* Appends to 'ofpacts' the actions that set the tunnel of 'want''s
 * copies: its target as destination, its VNI as key. */
static void
put_set_tunnel(struct ofpbuf *ofpacts, const struct vtap_want *want)
{
    ovs_be64 vni = htonll(want->vni);
    struct in6_addr ip6;
    ovs_be32 ip4;

    if (want->target_ipv6 && ipv6_parse(want->target_addr, &ip6)) {
        put_set_field(ofpacts, MFF_TUN_IPV6_DST, &ip6);
    } else if (ip_parse(want->target_addr, &ip4)) {
        put_set_field(ofpacts, MFF_TUN_DST, &ip4);
    }
    put_set_field(ofpacts, MFF_TUN_ID, &vni);
}

/* Appends to 'ofpacts' an output to 'port', cut to 'max_len' bytes unless
 * 'max_len' is 0. */
static void
put_output(struct ofpbuf *ofpacts, ofp_port_t port, uint32_t max_len)
{
    if (max_len) {
        struct ofpact_output_trunc *trunc = ofpact_put_OUTPUT_TRUNC(ofpacts);
        trunc->port = port;
        trunc->max_len = max_len;
    } else {
        ofpact_put_OUTPUT(ofpacts)->port = port;
    }
}

/* Returns true if 'want', realized at 'place' (NULL if nowhere) and so
 * far without error in 'vc', can have flows now. */
static bool
want_is_ready(const struct vtap_want *want, const struct vtap_place *place,
              const struct vtap_compiled *vc)
{
    return (want->enabled && !vc->error && place && place->mirror_bridge
            && place->ingress_ofport && place->vxlan_ofport
            && (!want->src_port || place->egress_ofport)
            && want->target_addr);
}

/* Adds to 'ft' the filter flows of one direction of 'want'.  Returns false
 * if the filter does not compile (the VTAP is then in error). */
static bool
add_filter_flows(struct flow_table *ft, const struct vtap_want *want,
                 struct vtap_compiled *vc, enum vtap_direction dir,
                 ofp_port_t in_port)
{
    struct vtap_flows flows;
    char *error;

    vtap_flows_init(&flows);
    error = vtap_filter_compile(want->rules, want->n_rules, dir,
                                VTAP_PRIO_RULES_TOP, VTAP_MAX_FLOWS_PER_RULE,
                                &flows);
    if (error) {
        compiled_set_error(vc, "capture filter: %s", error);
        free(error);
        vtap_flows_destroy(&flows);
        return false;
    }

    /* An include hands the copy to the VTAP's output flows (table 2), with
     * whether it is larger than the path allows in reg1[0]. */
    uint64_t include_stub[64 / 8];
    struct ofpbuf include = OFPBUF_STUB_INITIALIZER(include_stub);
    if (want->path_cut) {
        struct ofpact_check_pkt_larger *check
            = ofpact_put_CHECK_PKT_LARGER(&include);
        check->pkt_len = want->trunc_len;
        check->dst.field = mf_from_id(MFF_REG1);
        check->dst.ofs = 0;
        check->dst.n_bits = 1;
    }
    put_resubmit(&include, VTAP_TABLE_OUTPUT);

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
                 &match, is_include ? &include : NULL);
    }
    vc->n_flows += flows.n;
    free(rule_ids);
    ofpbuf_uninit(&include);
    vtap_flows_destroy(&flows);
    return true;
}

/* Adds to 'ft' the flows that send 'want''s copies to its target, in the
 * tables VTAP_TABLE_OUTPUT and VTAP_TABLE_CUT (see vtap-pipeline.h). */
static void
add_output_flows(struct flow_table *ft, const struct vtap_want *want,
                 const struct vtap_place *place, struct vtap_compiled *vc)
{
    uint64_t copy = vtap_cookie(VTAP_COOKIE_KIND_OUTPUT, false,
                                VTAP_OUTPUT_COPY, want->id);
    uint64_t cut = vtap_cookie(VTAP_COOKIE_KIND_OUTPUT, false,
                               VTAP_OUTPUT_CUT, want->id);
    uint64_t whole_stub[128 / 8], trunc_stub[128 / 8];
    struct ofpbuf whole = OFPBUF_STUB_INITIALIZER(whole_stub);
    struct ofpbuf trunc = OFPBUF_STUB_INITIALIZER(trunc_stub);
    struct match match;

    put_set_tunnel(&whole, want);
    put_output(&whole, place->vxlan_ofport, 0);
    put_set_tunnel(&trunc, want);
    put_output(&trunc, place->vxlan_ofport, want->trunc_len);

    match_init_catchall(&match);
    match_set_reg(&match, 0, want->id);
    if (!want->path_cut) {
        /* Cut to the max packet size, or not at all: nothing to count. */
        add_vtap_flow(ft, vc, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT, copy,
                      &match, &trunc);
    } else {
        add_vtap_flow(ft, vc, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT, copy,
                      &match, &whole);

        /* Larger than the path allows.  In the datapath, check_pkt_larger
         * runs both branches of one datapath flow, whose counter OVS
         * credits to every OpenFlow flow of both; so the cut copies go
         * through conntrack (in a zone of their own, never committed) only
         * to recirculate into a datapath flow of their own, in table
         * VTAP_TABLE_CUT, whose counter counts just them.  Conntrack takes
         * IP only, and not fragments (it would hold them to reassemble):
         * others are cut uncounted. */
        match_set_reg_masked(&match, 1, 1, 1);
        add_vtap_flow(ft, vc, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT_CUT, copy,
                      &match, &trunc);

        uint64_t ct_stub[64 / 8];
        struct ofpbuf ct_ofpacts = OFPBUF_STUB_INITIALIZER(ct_stub);
        struct ofpact_conntrack *ct = ofpact_put_CT(&ct_ofpacts);
        ct->zone_imm = VTAP_CT_ZONE;
        ct->recirc_table = VTAP_TABLE_CUT;
        ofpact_finish_CT(&ct_ofpacts, &ct);

        match_set_nw_frag_masked(&match, 0, FLOW_NW_FRAG_MASK);
        for (int v6 = 0; v6 < 2; v6++) {
            match_set_dl_type(&match, htons(v6 ? ETH_TYPE_IPV6
                                            : ETH_TYPE_IP));
            add_vtap_flow(ft, vc, VTAP_TABLE_OUTPUT, VTAP_PRIO_OUT_CT,
                          copy, &match, &ct_ofpacts);
        }
        ofpbuf_uninit(&ct_ofpacts);

        match_init_catchall(&match);
        match_set_reg(&match, 0, want->id);
        add_vtap_flow(ft, vc, VTAP_TABLE_CUT, VTAP_PRIO_OUT, cut, &match,
                      &trunc);
    }
    ofpbuf_uninit(&whole);
    ofpbuf_uninit(&trunc);
}

/* Adds to 'ft' the loop guard: a copy of a packet addressed to the VXLAN
 * port of any target of this host (IPv4 or IPv6) is dropped, so that
 * copies seen again on a tapped port or bridge are never mirrored again,
 * whichever mirror bridge made them; other UDP on that port (a tenant's own
 * VXLAN) is mirrored.  The flow table keeps one flow per match, so a target
 * that several VTAPs share is guarded once. */
static void
add_loop_guard(struct flow_table *ft, const struct vtap_desired *desired)
{
    uint64_t shared = vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, 0);
    const struct vtap_want *want;

    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        struct in6_addr ip6;
        struct match match;
        ovs_be32 ip4;

        if (!want->target_addr || !want->target_port) {
            continue;
        }
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
        add_flow(ft, 0, VTAP_PRIO_LOOP_GUARD, shared, &match, NULL);
    }
}

/* The running VTAPs that one patch port of a mirror bridge feeds. */
struct port_dispatch {
    struct hmap_node node;      /* In a bridge's dispatch map, by port. */
    ofp_port_t in_port;
    const struct vtap_want **wants;
    size_t n, allocated;
};

/* Adds 'want' to the VTAPs that 'in_port' feeds in 'ports'. */
static void
port_dispatch_add(struct hmap *ports, ofp_port_t in_port,
                  const struct vtap_want *want)
{
    uint32_t hash = hash_int(ofp_to_u16(in_port), 0);
    struct port_dispatch *pd;

    HMAP_FOR_EACH_WITH_HASH (pd, node, hash, ports) {
        if (pd->in_port == in_port) {
            goto found;
        }
    }
    pd = xzalloc(sizeof *pd);
    pd->in_port = in_port;
    hmap_insert(ports, &pd->node, hash);
found:
    if (pd->n >= pd->allocated) {
        pd->wants = x2nrealloc(pd->wants, &pd->allocated, sizeof *pd->wants);
    }
    pd->wants[pd->n++] = want;
}

static int
compare_wants_by_id(const void *a_, const void *b_)
{
    const struct vtap_want *const *a = a_;
    const struct vtap_want *const *b = b_;

    return (*a)->id < (*b)->id ? -1 : (*a)->id > (*b)->id;
}

/* Adds the dispatch flow of 'pd': a clone per VTAP, in the order of their
 * ids.  The flow of a port with one VTAP is that VTAP's (its cookie has the
 * VTAP's id), so that a switch that refuses it refuses that VTAP only. */
static void
add_dispatch(struct flow_table *ft, struct port_dispatch *pd)
{
    struct ofpbuf ofpacts;
    struct match match;

    qsort(pd->wants, pd->n, sizeof *pd->wants, compare_wants_by_id);
    ofpbuf_init(&ofpacts, 32 * pd->n);
    for (size_t i = 0; i < pd->n; i++) {
        size_t clone_ofs = ofpacts.size;
        ovs_be32 id = htonl(pd->wants[i]->id);

        ofpact_put_CLONE(&ofpacts);
        put_set_field(&ofpacts, MFF_REG0, &id);
        put_resubmit(&ofpacts, 1);
        struct ofpact_nest *clone = ofpbuf_at_assert(&ofpacts, clone_ofs,
                                                     sizeof *clone);
        ofpacts.header = clone;
        ofpact_finish_CLONE(&ofpacts, &clone);
    }
    match_init_catchall(&match);
    match_set_in_port(&match, pd->in_port);
    uint32_t owner = pd->n == 1 ? pd->wants[0]->id : 0;
    add_flow(ft, 0, VTAP_PRIO_DISPATCH,
             vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, owner), &match,
             &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Returns what 'pl' made of 'want', created if new, with the first error
 * of the earlier stages: of 'want' itself, then of its 'place'. */
static struct vtap_compiled *
compiled_get(struct vtap_pipeline *pl, const struct vtap_want *want,
             const struct vtap_place *place)
{
    struct vtap_compiled *vc = CONST_CAST(struct vtap_compiled *,
                                          vtap_pipeline_find(pl,
                                                             &want->uuid));
    if (!vc) {
        vc = xzalloc(sizeof *vc);
        vc->uuid = want->uuid;
        vc->error = nullable_xstrdup(want->error ? want->error
                                     : place ? place->error : NULL);
        hmap_insert(&pl->vtaps, &vc->node, uuid_hash(&want->uuid));
    }
    return vc;
}

/* Builds the flows of one mirror bridge. */
static void
build_bridge(struct flow_table *ft, struct vtap_pipeline *pl,
             const struct vtap_desired *desired,
             const struct vtap_places *places)
{
    const char *bridge = flow_table_bridge(ft);
    uint64_t shared = vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, 0);
    struct match match;

    flow_table_clear(ft);
    match_init_catchall(&match);
    add_flow(ft, 0, 0, shared, &match, NULL);
    add_flow(ft, 1, 0, shared, &match, NULL);
    add_flow(ft, VTAP_TABLE_OUTPUT, 0, shared, &match, NULL);
    add_flow(ft, VTAP_TABLE_CUT, 0, shared, &match, NULL);
    add_loop_guard(ft, desired);

    /* Rules, then dispatch to the VTAPs whose rules compiled. */
    struct hmap ports = HMAP_INITIALIZER(&ports);
    const struct vtap_want *want;
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        const struct vtap_place *place = vtap_places_find(places,
                                                          &want->uuid);
        if (!place || !place->mirror_bridge
            || strcmp(place->mirror_bridge, bridge)) {
            continue;
        }
        struct vtap_compiled *vc = compiled_get(pl, want, place);
        if (!want_is_ready(want, place, vc)) {
            continue;
        }
        bool ok = add_filter_flows(ft, want, vc, VTAP_INGRESS,
                                   place->ingress_ofport);
        if (ok && want->src_port) {
            ok = add_filter_flows(ft, want, vc, VTAP_EGRESS,
                                  place->egress_ofport);
        }
        if (!ok) {
            continue;
        }
        add_output_flows(ft, want, place, vc);
        /* Flows that the switch refused stay out of the switch until a
         * retry succeeds (the flow table leaves them out), but they stay
         * desired, so that a retry tries exactly them. */
        const char *refused = flow_table_refused(ft, want->id);
        if (refused) {
            compiled_set_error(vc, "ovs-vswitchd refused its flows: %s",
                               refused);
        } else {
            vc->dispatched = true;
        }
        port_dispatch_add(&ports, place->ingress_ofport, want);
        if (place->egress_ofport) {
            port_dispatch_add(&ports, place->egress_ofport, want);
        }
    }

    struct port_dispatch *pd;
    HMAP_FOR_EACH_POP (pd, node, &ports) {
        add_dispatch(ft, pd);
        free(pd->wants);
        free(pd);
    }
    hmap_destroy(&ports);
}

/* Sets the desired flows of every table in 'flow_tables' (mirror bridge
 * name -> "struct flow_table *") from 'desired' and the 'places' of its
 * VTAPs, and fills 'pl' (initialized empty) with what became of each
 * VTAP. */
void
vtap_pipeline_build(struct vtap_pipeline *pl,
                    const struct vtap_desired *desired,
                    const struct vtap_places *places,
                    struct shash *flow_tables)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, flow_tables) {
        build_bridge(node->data, pl, desired, places);
    }

    /* Every VTAP has an entry.  Shared flows that the switch refused fail
     * the VTAPs that they dispatch to, or if they are the bridge's own,
     * all of its VTAPs. */
    const struct vtap_want *want;
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        const struct vtap_place *place = vtap_places_find(places,
                                                          &want->uuid);
        struct vtap_compiled *vc = compiled_get(pl, want, place);
        const struct flow_table *ft = (place && place->mirror_bridge
                                       ? shash_find_data(flow_tables,
                                                         place->mirror_bridge)
                                       : NULL);
        const char *refused = (ft ? flow_table_refused_shared(ft, want->id)
                               : NULL);
        if (refused && want->enabled) {
            compiled_set_error(vc, "ovs-vswitchd refused the flows of "
                               "mirror bridge %s: %s", place->mirror_bridge,
                               refused);
        }
    }
}

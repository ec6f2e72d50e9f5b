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
 * OpenFlow flows (see vtap-pipeline.h).  The actions are built as ofpacts.
 * What a run built lasts until the next: each VTAP with the inputs of its
 * flows (which it owns in the flow table), each patch port with the VTAPs
 * that it feeds, each target's loop guard with the VTAPs that need it; a
 * run builds again only what the changed VTAPs touch. */

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
#include "uuidset.h"
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

/* What the flows of one VTAP were built from, and what they hold. */
struct vtap_built {
    /* The inputs: what of the VTAP and of its place the flows depend on. */
    uint32_t id;
    bool enabled;
    char *error;                /* Of the earlier stages, or NULL. */
    char *mirror_bridge;        /* Of its place, or NULL. */
    bool has_egress;            /* A port source: two directions. */
    ofp_port_t ingress_ofport, egress_ofport, vxlan_ofport;
    char *target_addr;          /* Or NULL. */
    bool target_ipv6;
    uint16_t target_port;
    uint32_t vni;
    int trunc_len;
    bool path_cut;
    struct vtap_rule *rules;
    size_t n_rules;
    size_t n_backends;          /* A pool: its backends' tunnel ports, */
    ofp_port_t *backend_ofports;    /* 0 for none yet. */
    bool *backend_followed_up;  /* Per backend: false if its BFD runs in
                                 * another mirror bridge and is down
                                 * (vtap_place.backend_health), then no
                                 * member of the bundle here. */
    char **backend_addrs;       /* A pool: its backends' addresses (each
                                 * may be NULL), which have loop guards. */
    size_t n_backend_addrs;

    /* What was built. */
    bool has_flows;             /* Its flows are in 'mirror_bridge'. */
    bool in_dispatch;           /* Its patch ports feed it. */
    bool has_guard;             /* It holds a reference to a loop guard. */
    char *build_error;          /* The error that the build found. */
};

/* Returns false if backend 'i' of the pool at 'place' has its BFD session
 * in another mirror bridge and that session is down. */
static bool
place_backend_followed_up(const struct vtap_place *place, size_t i)
{
    return (!place->backend_health || !place->backend_health[i]
            || place->backend_up[i]);
}

/* Returns the inputs of the flows of 'want' at 'place' (or NULL). */
static struct vtap_built *
built_create(const struct vtap_want *want, const struct vtap_place *place)
{
    struct vtap_built *b = xzalloc(sizeof *b);

    b->id = want->id;
    b->enabled = want->enabled;
    b->error = nullable_xstrdup(want->error ? want->error
                                : place ? place->error : NULL);
    if (place) {
        b->mirror_bridge = nullable_xstrdup(place->mirror_bridge);
        b->ingress_ofport = place->ingress_ofport;
        b->egress_ofport = place->egress_ofport;
        b->vxlan_ofport = place->vxlan_ofport;
        if (place->n_backends == want->n_backends && want->n_backends) {
            b->n_backends = place->n_backends;
            b->backend_ofports = xmemdup(place->backend_ofports,
                                         (place->n_backends
                                          * sizeof *b->backend_ofports));
            b->backend_followed_up = xmalloc(place->n_backends
                                             * sizeof *b->backend_followed_up);
            for (size_t i = 0; i < place->n_backends; i++) {
                b->backend_followed_up[i] = place_backend_followed_up(place,
                                                                      i);
            }
        }
    }
    b->has_egress = want->src_port != NULL;
    b->n_backend_addrs = want->n_backends;
    b->backend_addrs = (want->n_backends
                        ? xcalloc(want->n_backends, sizeof *b->backend_addrs)
                        : NULL);
    for (size_t i = 0; i < want->n_backends; i++) {
        b->backend_addrs[i] = nullable_xstrdup(want->backend_addrs[i]);
    }
    b->target_addr = nullable_xstrdup(want->target_addr);
    b->target_ipv6 = want->target_ipv6;
    b->target_port = want->target_port;
    b->vni = want->vni;
    b->trunc_len = want->trunc_len;
    b->path_cut = want->path_cut;
    b->rules = (want->n_rules
                ? xmemdup(want->rules, want->n_rules * sizeof *want->rules)
                : NULL);
    b->n_rules = want->n_rules;
    return b;
}

static void
built_free(struct vtap_built *b)
{
    if (b) {
        free(b->error);
        free(b->mirror_bridge);
        free(b->target_addr);
        free(b->rules);
        free(b->backend_ofports);
        free(b->backend_followed_up);
        for (size_t i = 0; i < b->n_backend_addrs; i++) {
            free(b->backend_addrs[i]);
        }
        free(b->backend_addrs);
        free(b->build_error);
        free(b);
    }
}

static bool
cidr_equal(const struct vtap_cidr *a, const struct vtap_cidr *b)
{
    return (a->family == b->family && a->plen == b->plen
            && ipv6_addr_equals(&a->addr, &b->addr));
}

static bool
port_range_equal(const struct vtap_port_range *a,
                 const struct vtap_port_range *b)
{
    return a->min == b->min && a->max == b->max;
}

/* Returns true if rules 'a' and 'b' compile to the same flows. */
static bool
rule_equal(const struct vtap_rule *a, const struct vtap_rule *b)
{
    return (a->direction == b->direction && a->action == b->action
            && a->order == b->order && a->protocol == b->protocol
            && a->has_src == b->has_src
            && (!a->has_src || cidr_equal(&a->src, &b->src))
            && a->has_dst == b->has_dst
            && (!a->has_dst || cidr_equal(&a->dst, &b->dst))
            && a->has_src_ports == b->has_src_ports
            && (!a->has_src_ports
                || port_range_equal(&a->src_ports, &b->src_ports))
            && a->has_dst_ports == b->has_dst_ports
            && (!a->has_dst_ports
                || port_range_equal(&a->dst_ports, &b->dst_ports))
            && a->icmp_type == b->icmp_type && a->icmp_code == b->icmp_code
            && uuid_equals(&a->uuid, &b->uuid));
}

/* Returns true if 'b' holds the inputs that built_create() would make of
 * 'want' at 'place' (or NULL), so that its flows are those they build.
 * (Compared in place: most VTAPs of a run do not change.) */
static bool
built_matches(const struct vtap_built *b, const struct vtap_want *want,
              const struct vtap_place *place)
{
    const char *error = (want->error ? want->error
                         : place ? place->error : NULL);
    size_t n_backends = (place && place->n_backends == want->n_backends
                         ? want->n_backends : 0);

    if (b->id != want->id || b->enabled != want->enabled
        || !nullable_string_is_equal(b->error, error)
        || !nullable_string_is_equal(b->mirror_bridge,
                                     place ? place->mirror_bridge : NULL)
        || b->ingress_ofport != (place ? place->ingress_ofport : 0)
        || b->egress_ofport != (place ? place->egress_ofport : 0)
        || b->vxlan_ofport != (place ? place->vxlan_ofport : 0)
        || b->has_egress != (want->src_port != NULL)
        || !nullable_string_is_equal(b->target_addr, want->target_addr)
        || b->target_ipv6 != want->target_ipv6
        || b->target_port != want->target_port || b->vni != want->vni
        || b->trunc_len != want->trunc_len || b->path_cut != want->path_cut
        || b->n_rules != want->n_rules || b->n_backends != n_backends
        || (n_backends
            && memcmp(b->backend_ofports, place->backend_ofports,
                      n_backends * sizeof *b->backend_ofports))) {
        return false;
    }
    for (size_t i = 0; i < n_backends; i++) {
        if (b->backend_followed_up[i]
            != place_backend_followed_up(place, i)) {
            return false;
        }
    }
    if (b->n_backend_addrs != want->n_backends) {
        return false;
    }
    for (size_t i = 0; i < b->n_backend_addrs; i++) {
        if (!nullable_string_is_equal(b->backend_addrs[i],
                                      want->backend_addrs[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < b->n_rules; i++) {
        if (!rule_equal(&b->rules[i], &want->rules[i])) {
            return false;
        }
    }
    return true;
}

/* The VTAPs that one patch port of a mirror bridge feeds. */
struct port_dispatch {
    struct hmap_node node;      /* In vtap_pipeline.dispatch. */
    char *bridge;               /* Mirror bridge. */
    ofp_port_t in_port;         /* The patch port. */
    uint32_t *ids;              /* The VTAPs' ids, in no order. */
    size_t n, allocated;
    bool dirty;                 /* In the run's 'dirty' list. */
    struct ovs_list dirty_node;
};

/* A loop guard, and how many VTAPs have its target. */
struct loop_guard {
    struct hmap_node node;      /* In vtap_pipeline.guards. */
    char *addr;                 /* Target address. */
    uint16_t port;              /* Target UDP port. */
    size_t n_refs;
};

/* Initializes 'pl' empty. */
void
vtap_pipeline_init(struct vtap_pipeline *pl)
{
    memset(pl, 0, sizeof *pl);
    hmap_init(&pl->vtaps);
    hmap_init(&pl->dispatch);
    hmap_init(&pl->guards);
}

/* Forgets everything that 'pl' built, without touching a flow table. */
static void
pipeline_clear(struct vtap_pipeline *pl)
{
    struct vtap_compiled *vc;
    struct port_dispatch *pd;
    struct loop_guard *g;

    HMAP_FOR_EACH_POP (vc, node, &pl->vtaps) {
        built_free(vc->built);
        free(vc->error);
        free(vc);
    }
    HMAP_FOR_EACH_POP (pd, node, &pl->dispatch) {
        free(pd->bridge);
        free(pd->ids);
        free(pd);
    }
    HMAP_FOR_EACH_POP (g, node, &pl->guards) {
        free(g->addr);
        free(g);
    }
}

/* Frees everything in 'pl'. */
void
vtap_pipeline_destroy(struct vtap_pipeline *pl)
{
    pipeline_clear(pl);
    hmap_destroy(&pl->vtaps);
    hmap_destroy(&pl->dispatch);
    hmap_destroy(&pl->guards);
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

/* Sets the first reason why the build of 'b' cannot run its VTAP. */
static void OVS_PRINTF_FORMAT(2, 3)
built_set_error(struct vtap_built *b, const char *format, ...)
{
    if (!b->build_error) {
        va_list args;

        va_start(args, format);
        b->build_error = xvasprintf(format, args);
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

/* Returns true if the pool whose inputs are in 'b' has a tunnel port for
 * one backend at least (true for a single target). */
static bool
built_has_backend(const struct vtap_built *b)
{
    for (size_t i = 0; i < b->n_backends; i++) {
        if (b->backend_ofports[i]) {
            return true;
        }
    }
    return !b->n_backends;
}

/* Returns true if the VTAP whose inputs are in 'b' can have flows now. */
static bool
built_is_ready(const struct vtap_built *b)
{
    return (b->enabled && !b->error && b->mirror_bridge
            && b->ingress_ofport && b->vxlan_ofport
            && (!b->has_egress || b->egress_ofport) && b->target_addr
            && built_has_backend(b));
}

/* A member of a pool's bundle that is no port, so never live: it holds
 * the place of a backend without a tunnel port, since the HRW choice
 * depends on each member's position. */
#define VTAP_OFPP_ABSENT u16_to_ofp(0xfe00)

/* Appends to 'ofpacts' the choice of a pool's backend for the copy:
 * "bundle_load(symmetric_l3l4+udp,0,hrw,ofport,NXM_NX_REG2[0..15],
 * members:...)" over the backends' tunnel ports, in the target's order,
 * then "resubmit(,VTAP_TABLE_BACKEND)", whose flows output to the chosen
 * port.  The hash is symmetric, so that both directions of a session go
 * to one backend; HRW moves only a dead backend's flows, and bundle skips
 * a port whose BFD session is down. */
static void
put_pool_output(struct ofpbuf *ofpacts, const struct vtap_built *b)
{
    struct ofpact_bundle *bundle = ofpact_put_BUNDLE(ofpacts);

    bundle->algorithm = NX_BD_ALG_HRW;
    bundle->fields = NX_HASH_FIELDS_SYMMETRIC_L3L4_UDP;
    bundle->basis = 0;
    bundle->dst.field = mf_from_id(MFF_REG2);
    bundle->dst.ofs = 0;
    bundle->dst.n_bits = 16;
    for (size_t i = 0; i < b->n_backends; i++) {
        ofp_port_t port = (b->backend_ofports[i] && b->backend_followed_up[i]
                           ? b->backend_ofports[i] : VTAP_OFPP_ABSENT);

        ofpbuf_put(ofpacts, &port, sizeof port);
        bundle = ofpacts->header;
        bundle->n_members++;
    }
    ofpact_finish_BUNDLE(ofpacts, &bundle);
    put_resubmit(ofpacts, VTAP_TABLE_BACKEND);
}

/* Adds to 'ft' the flows of table VTAP_TABLE_BACKEND of the pool VTAP
 * 'want': one per backend, which outputs the copy to its tunnel port, cut
 * to the VTAP's length. */
static void
add_backend_flows(struct flow_table *ft, const struct vtap_want *want,
                  struct vtap_compiled *vc)
{
    const struct vtap_built *b = vc->built;

    for (size_t i = 0; i < b->n_backends; i++) {
        if (!b->backend_ofports[i]) {
            continue;
        }

        uint64_t stub[64 / 8];
        struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
        struct match match;

        match_init_catchall(&match);
        match_set_reg(&match, 0, want->id);
        match_set_reg(&match, 2, ofp_to_u16(b->backend_ofports[i]));
        put_output(&ofpacts, b->backend_ofports[i], want->trunc_len);
        add_vtap_flow(ft, vc, VTAP_TABLE_BACKEND, VTAP_PRIO_OUT,
                      vtap_cookie(VTAP_COOKIE_KIND_OUTPUT, false,
                                  VTAP_OUTPUT_BACKEND + i, want->id),
                      &match, &ofpacts);
        ofpbuf_uninit(&ofpacts);
    }
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
        built_set_error(vc->built, "capture filter: %s", error);
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
                 struct vtap_compiled *vc)
{
    uint64_t copy = vtap_cookie(VTAP_COOKIE_KIND_OUTPUT, false,
                                VTAP_OUTPUT_COPY, want->id);
    uint64_t cut = vtap_cookie(VTAP_COOKIE_KIND_OUTPUT, false,
                               VTAP_OUTPUT_CUT, want->id);
    uint64_t whole_stub[128 / 8], trunc_stub[128 / 8];
    struct ofpbuf whole = OFPBUF_STUB_INITIALIZER(whole_stub);
    struct ofpbuf trunc = OFPBUF_STUB_INITIALIZER(trunc_stub);
    struct match match;

    if (vc->built->n_backends) {
        /* A pool: the backend's port sets the destination, the VNI is the
         * flow's; its flow in VTAP_TABLE_BACKEND cuts the copy. */
        ovs_be64 vni = htonll(want->vni);

        put_set_field(&whole, MFF_TUN_ID, &vni);
        put_pool_output(&whole, vc->built);
        put_set_field(&trunc, MFF_TUN_ID, &vni);
        put_pool_output(&trunc, vc->built);
        add_backend_flows(ft, want, vc);
    } else {
        put_set_tunnel(&whole, want);
        put_output(&whole, vc->built->vxlan_ofport, 0);
        put_set_tunnel(&trunc, want);
        put_output(&trunc, vc->built->vxlan_ofport, want->trunc_len);
    }

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

/* Sets 'match' to what the loop guard of target 'addr':'port' drops: a
 * copy of a packet addressed to the VXLAN port of a target of this host
 * (IPv4 or IPv6), so that copies seen again on a tapped port or bridge are
 * never mirrored again, whichever mirror bridge made them; other UDP on
 * that port (a tenant's own VXLAN) is mirrored.  Returns false if 'addr'
 * is not an address. */
static bool
loop_guard_match(const char *addr, uint16_t port, struct match *match)
{
    struct in6_addr ip6;
    ovs_be32 ip4;

    match_init_catchall(match);
    if (ip_parse(addr, &ip4)) {
        match_set_dl_type(match, htons(ETH_TYPE_IP));
        match_set_nw_dst(match, ip4);
    } else if (ipv6_parse(addr, &ip6)) {
        match_set_dl_type(match, htons(ETH_TYPE_IPV6));
        match_set_ipv6_dst(match, &ip6);
    } else {
        return false;
    }
    match_set_nw_proto(match, IPPROTO_UDP);
    match_set_tp_dst(match, htons(port));
    return true;
}

/* Adds the flow of loop guard 'g' to 'ft'. */
static void
add_loop_guard(struct flow_table *ft, const struct loop_guard *g)
{
    struct match match;

    if (loop_guard_match(g->addr, g->port, &match)) {
        add_flow(ft, 0, VTAP_PRIO_LOOP_GUARD,
                 vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, 0), &match,
                 NULL);
    }
}

static struct loop_guard *
loop_guard_find(const struct vtap_pipeline *pl, const char *addr,
                uint16_t port)
{
    struct loop_guard *g;

    HMAP_FOR_EACH_WITH_HASH (g, node, hash_string(addr, port), &pl->guards) {
        if (g->port == port && !strcmp(g->addr, addr)) {
            return g;
        }
    }
    return NULL;
}

/* Takes a reference to the loop guard of 'addr':'port', which every mirror
 * bridge gets with the first. */
static void
loop_guard_ref(struct vtap_pipeline *pl, struct shash *flow_tables,
               const char *addr, uint16_t port)
{
    struct loop_guard *g = loop_guard_find(pl, addr, port);

    if (!g) {
        struct shash_node *node;

        g = xzalloc(sizeof *g);
        g->addr = xstrdup(addr);
        g->port = port;
        hmap_insert(&pl->guards, &g->node, hash_string(addr, port));
        SHASH_FOR_EACH (node, flow_tables) {
            add_loop_guard(node->data, g);
        }
    }
    g->n_refs++;
}

/* Drops a reference to the loop guard of 'addr':'port'; with the last, it
 * leaves every mirror bridge. */
static void
loop_guard_unref(struct vtap_pipeline *pl, struct shash *flow_tables,
                 const char *addr, uint16_t port)
{
    struct loop_guard *g = loop_guard_find(pl, addr, port);

    if (g && !--g->n_refs) {
        struct shash_node *node;
        struct match match;

        if (loop_guard_match(addr, port, &match)) {
            SHASH_FOR_EACH (node, flow_tables) {
                flow_table_remove(node->data, 0, VTAP_PRIO_LOOP_GUARD,
                                  &match);
            }
        }
        hmap_remove(&pl->guards, &g->node);
        free(g->addr);
        free(g);
    }
}

/* Returns the dispatch of 'in_port' of 'bridge' in 'pl', created empty if
 * 'create'. */
static struct port_dispatch *
port_dispatch_find(struct vtap_pipeline *pl, const char *bridge,
                   ofp_port_t in_port, bool create)
{
    uint32_t hash = hash_string(bridge, ofp_to_u16(in_port));
    struct port_dispatch *pd;

    HMAP_FOR_EACH_WITH_HASH (pd, node, hash, &pl->dispatch) {
        if (pd->in_port == in_port && !strcmp(pd->bridge, bridge)) {
            return pd;
        }
    }
    if (!create) {
        return NULL;
    }
    pd = xzalloc(sizeof *pd);
    pd->bridge = xstrdup(bridge);
    pd->in_port = in_port;
    hmap_insert(&pl->dispatch, &pd->node, hash);
    return pd;
}

/* Marks 'pd' for its dispatch flow to be built again by this run. */
static void
port_dispatch_dirty(struct port_dispatch *pd, struct ovs_list *dirty)
{
    if (!pd->dirty) {
        pd->dirty = true;
        ovs_list_push_back(dirty, &pd->dirty_node);
    }
}

/* Makes 'in_port' of 'bridge' feed VTAP 'id'. */
static void
port_dispatch_add(struct vtap_pipeline *pl, struct ovs_list *dirty,
                  const char *bridge, ofp_port_t in_port, uint32_t id)
{
    struct port_dispatch *pd = port_dispatch_find(pl, bridge, in_port, true);

    if (pd->n >= pd->allocated) {
        pd->ids = x2nrealloc(pd->ids, &pd->allocated, sizeof *pd->ids);
    }
    pd->ids[pd->n++] = id;
    port_dispatch_dirty(pd, dirty);
}

/* Makes 'in_port' of 'bridge' no longer feed VTAP 'id'. */
static void
port_dispatch_remove(struct vtap_pipeline *pl, struct ovs_list *dirty,
                     const char *bridge, ofp_port_t in_port, uint32_t id)
{
    struct port_dispatch *pd = port_dispatch_find(pl, bridge, in_port,
                                                  false);

    for (size_t i = 0; pd && i < pd->n; i++) {
        if (pd->ids[i] == id) {
            pd->ids[i] = pd->ids[--pd->n];
            port_dispatch_dirty(pd, dirty);
            break;
        }
    }
}

static int
compare_ids(const void *a_, const void *b_)
{
    const uint32_t *a = a_;
    const uint32_t *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Builds again the dispatch flow of 'pd' in 'ft' (if it exists): a clone
 * per VTAP, in the order of their ids.  The flow of a port with one VTAP
 * is that VTAP's (its cookie has the VTAP's id), so that a switch that
 * refuses it refuses that VTAP only.  Frees 'pd' if it feeds no VTAP. */
static void
port_dispatch_build(struct vtap_pipeline *pl, struct flow_table *ft,
                    struct port_dispatch *pd)
{
    struct match match;

    match_init_catchall(&match);
    match_set_in_port(&match, pd->in_port);
    if (ft) {
        flow_table_remove(ft, 0, VTAP_PRIO_DISPATCH, &match);
    }
    if (!pd->n) {
        hmap_remove(&pl->dispatch, &pd->node);
        free(pd->bridge);
        free(pd->ids);
        free(pd);
        return;
    }
    if (!ft) {
        return;
    }

    struct ofpbuf ofpacts;
    qsort(pd->ids, pd->n, sizeof *pd->ids, compare_ids);
    ofpbuf_init(&ofpacts, 32 * pd->n);
    for (size_t i = 0; i < pd->n; i++) {
        size_t clone_ofs = ofpacts.size;
        ovs_be32 id = htonl(pd->ids[i]);

        ofpact_put_CLONE(&ofpacts);
        put_set_field(&ofpacts, MFF_REG0, &id);
        put_resubmit(&ofpacts, 1);
        struct ofpact_nest *clone = ofpbuf_at_assert(&ofpacts, clone_ofs,
                                                     sizeof *clone);
        ofpacts.header = clone;
        ofpact_finish_CLONE(&ofpacts, &clone);
    }
    uint32_t owner = pd->n == 1 ? pd->ids[0] : 0;
    add_flow(ft, 0, VTAP_PRIO_DISPATCH,
             vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, owner), &match,
             &ofpacts);
    ofpbuf_uninit(&ofpacts);
}

/* Adds to the new flow table 'ft' the flows of a mirror bridge of its
 * own: the lowest of each table, which drops, and the loop guards. */
static void
add_bridge_flows(const struct vtap_pipeline *pl, struct flow_table *ft)
{
    uint64_t shared = vtap_cookie(VTAP_COOKIE_KIND_SHARED, false, 0, 0);
    const struct loop_guard *g;
    struct match match;

    match_init_catchall(&match);
    add_flow(ft, 0, 0, shared, &match, NULL);
    add_flow(ft, 1, 0, shared, &match, NULL);
    add_flow(ft, VTAP_TABLE_OUTPUT, 0, shared, &match, NULL);
    add_flow(ft, VTAP_TABLE_CUT, 0, shared, &match, NULL);
    HMAP_FOR_EACH (g, node, &pl->guards) {
        add_loop_guard(ft, g);
    }
}

/* Takes out of the flow tables everything built for 'vc'. */
static void
retract(struct vtap_pipeline *pl, struct shash *flow_tables,
        struct ovs_list *dirty, struct vtap_compiled *vc)
{
    struct vtap_built *b = vc->built;

    if (b->has_flows) {
        struct flow_table *ft = shash_find_data(flow_tables,
                                                b->mirror_bridge);
        if (ft) {
            flow_table_remove_owner(ft, b->id);
        }
    }
    if (b->in_dispatch) {
        port_dispatch_remove(pl, dirty, b->mirror_bridge, b->ingress_ofport,
                             b->id);
        if (b->egress_ofport) {
            port_dispatch_remove(pl, dirty, b->mirror_bridge,
                                 b->egress_ofport, b->id);
        }
    }
    if (b->has_guard) {
        loop_guard_unref(pl, flow_tables, b->target_addr, b->target_port);
        for (size_t i = 0; i < b->n_backend_addrs; i++) {
            if (b->backend_addrs[i]) {
                loop_guard_unref(pl, flow_tables, b->backend_addrs[i],
                                 b->target_port);
            }
        }
    }
    built_free(b);
    vc->built = NULL;
    vc->n_flows = 0;
    vc->dispatched = false;
}

/* Builds the flows of 'want' into the flow tables, from the inputs in
 * 'vc->built'. */
static void
build(struct vtap_pipeline *pl, struct shash *flow_tables,
      struct ovs_list *dirty, const struct vtap_want *want,
      struct vtap_compiled *vc)
{
    struct vtap_built *b = vc->built;

    if (b->target_addr && b->target_port) {
        /* A pool's copies go to every backend: each has its guard. */
        loop_guard_ref(pl, flow_tables, b->target_addr, b->target_port);
        for (size_t i = 0; i < b->n_backend_addrs; i++) {
            if (b->backend_addrs[i]) {
                loop_guard_ref(pl, flow_tables, b->backend_addrs[i],
                               b->target_port);
            }
        }
        b->has_guard = true;
    }

    struct flow_table *ft = (b->mirror_bridge
                             ? shash_find_data(flow_tables, b->mirror_bridge)
                             : NULL);
    if (!ft || !built_is_ready(b)) {
        return;
    }
    b->has_flows = true;
    bool ok = add_filter_flows(ft, want, vc, VTAP_INGRESS,
                               b->ingress_ofport);
    if (ok && b->has_egress) {
        ok = add_filter_flows(ft, want, vc, VTAP_EGRESS, b->egress_ofport);
    }
    if (!ok) {
        return;
    }
    add_output_flows(ft, want, vc);
    /* Flows that the switch refused stay out of the switch until a retry
     * succeeds (the flow table leaves them out), but they stay desired, so
     * that a retry tries exactly them. */
    const char *refused = flow_table_refused(ft, want->id);
    if (refused) {
        built_set_error(b, "ovs-vswitchd refused its flows: %s", refused);
    } else {
        vc->dispatched = true;
    }
    b->in_dispatch = true;
    port_dispatch_add(pl, dirty, b->mirror_bridge, b->ingress_ofport,
                      b->id);
    if (b->egress_ofport) {
        port_dispatch_add(pl, dirty, b->mirror_bridge, b->egress_ofport,
                          b->id);
    }
}

/* Sets the desired flows of every table in 'flow_tables' (mirror bridge
 * name -> "struct flow_table *") from 'desired' and the 'places' of its
 * VTAPs, and updates 'pl' with what became of each VTAP.  Unless 'full',
 * builds again only the flows of the VTAPs whose inputs changed since the
 * last run (and the dispatch flows of their patch ports); if 'full', every
 * flow.  The flows of a VTAP that is no longer in 'desired' stay while it
 * is in 'hold' (if nonnull). */
void
vtap_pipeline_run(struct vtap_pipeline *pl,
                  const struct vtap_desired *desired,
                  const struct vtap_places *places,
                  struct shash *flow_tables, bool full,
                  const struct uuidset *hold)
{
    struct ovs_list dirty = OVS_LIST_INITIALIZER(&dirty);
    struct shash_node *node;

    if (full) {
        pipeline_clear(pl);
        SHASH_FOR_EACH (node, flow_tables) {
            flow_table_clear(node->data);
        }
        pl->n_full++;
    } else {
        pl->n_incremental++;
    }
    SHASH_FOR_EACH (node, flow_tables) {
        if (!flow_table_count(node->data)) {
            add_bridge_flows(pl, node->data);
        }
    }

    /* VTAPs deleted. */
    struct vtap_compiled *vc;
    HMAP_FOR_EACH_SAFE (vc, node, &pl->vtaps) {
        if (!vtap_desired_find(desired, &vc->uuid)
            && !(hold && uuidset_find(hold, &vc->uuid))) {
            retract(pl, flow_tables, &dirty, vc);
            hmap_remove(&pl->vtaps, &vc->node);
            free(vc->error);
            free(vc);
        }
    }

    /* VTAPs new or changed. */
    const struct vtap_want *want;
    pl->n_built = 0;
    HMAP_FOR_EACH (want, node, &desired->vtaps) {
        const struct vtap_place *place = vtap_places_find(places,
                                                          &want->uuid);
        vc = CONST_CAST(struct vtap_compiled *,
                        vtap_pipeline_find(pl, &want->uuid));
        if (vc && built_matches(vc->built, want, place)) {
            continue;
        }

        struct vtap_built *inputs = built_create(want, place);
        if (vc) {
            retract(pl, flow_tables, &dirty, vc);
        } else {
            vc = xzalloc(sizeof *vc);
            vc->uuid = want->uuid;
            hmap_insert(&pl->vtaps, &vc->node, uuid_hash(&want->uuid));
        }
        vc->built = inputs;
        build(pl, flow_tables, &dirty, want, vc);
        pl->n_built++;
    }

    /* Dispatch flows of the patch ports whose VTAPs changed. */
    struct port_dispatch *pd;
    LIST_FOR_EACH_POP (pd, dirty_node, &dirty) {
        pd->dirty = false;
        port_dispatch_build(pl, shash_find_data(flow_tables, pd->bridge),
                            pd);
    }

    /* Each VTAP's error: the first of the earlier stages, then of its
     * build; then, shared flows that the switch refused fail the VTAPs
     * that they dispatch to, or if they are the bridge's own, all of its
     * VTAPs. */
    HMAP_FOR_EACH (vc, node, &pl->vtaps) {
        const struct vtap_built *b = vc->built;
        const struct flow_table *ft = (b->mirror_bridge
                                       ? shash_find_data(flow_tables,
                                                         b->mirror_bridge)
                                       : NULL);
        const char *refused = (ft && b->enabled
                               ? flow_table_refused_shared(ft, b->id)
                               : NULL);

        free(vc->error);
        vc->error = (b->error ? xstrdup(b->error)
                     : b->build_error ? xstrdup(b->build_error)
                     : refused ? xasprintf("ovs-vswitchd refused the flows "
                                           "of mirror bridge %s: %s",
                                           b->mirror_bridge, refused)
                     : NULL);
    }
}

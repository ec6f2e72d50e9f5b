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

/* vtap-pipeline.h: the OpenFlow pipeline of the mirror bridges.
 *
 * Table 0: highest, the loop guard (UDP to the address and UDP port of any
 * target of this host, IPv4 and IPv6, is dropped); then per patch port one
 * flow that hands a copy of the packet to each running VTAP on that source,
 * with the VTAP's id in reg0, to table 1 (the flow belongs to the VTAP if
 * it is the only one of the port, else it is shared; a VTAP whose flows the
 * switch refused may get copies too, which its missing rules drop);
 * lowest, drop.
 *
 * Table 1: each running VTAP's compiled capture filter for the direction
 * of the patch port, keyed on in_port and reg0: an include hands the copy
 * to table 2 (first noting in reg1[0], with check_pkt_larger, whether it is
 * larger than the path to the target allows); an exclude drops; lowest,
 * drop.
 *
 * Table 2: per VTAP, keyed on reg0, set the tunnel destination and VNI and
 * output to the VXLAN port: whole, or cut with max_len to the VTAP's max
 * packet size when that is set and fits the path, or, for a copy larger
 * than the path allows, cut to the largest frame that fits.  Such an IP
 * copy first recirculates (ct in zone VTAP_CT_ZONE) into table 3, where one
 * flow per VTAP, with a cookie of its own, outputs it cut and so counts the
 * cut copies.  Lowest, drop.
 *
 * Table 3: the cut copies' flows; lowest, drop. */

#ifndef OVS_VTAPD_VTAP_PIPELINE_H
#define OVS_VTAPD_VTAP_PIPELINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "openvswitch/hmap.h"
#include "openvswitch/uuid.h"

struct shash;
struct uuidset;
struct vtap_desired;
struct vtap_places;

/* Priorities. */
#define VTAP_PRIO_LOOP_GUARD 65000  /* Table 0. */
#define VTAP_PRIO_DISPATCH   100    /* Table 0. */
#define VTAP_PRIO_RULES_TOP  40000  /* Table 1: the first rule. */
#define VTAP_PRIO_OUT_CT     300    /* Table 2: larger IP, to conntrack. */
#define VTAP_PRIO_OUT_CUT    200    /* Table 2: larger, cut uncounted. */
#define VTAP_PRIO_OUT        100    /* Table 2: the copy; table 3: the cut
                                     * copy. */

/* Tables after the rules. */
#define VTAP_TABLE_OUTPUT 2
#define VTAP_TABLE_CUT    3
#define VTAP_TABLE_BACKEND 4    /* A pool: output to the chosen backend
                                 * (no flow matches a copy whose pool has
                                 * no backend up: a miss drops it). */

/* The conntrack zone through which cut copies recirculate.  Nothing is
 * committed to it. */
#define VTAP_CT_ZONE 0x7674

/* What the pipeline made of one VTAP: written by vtap_pipeline_run()
 * only.  It lasts from one run to the next, with the inputs that its flows
 * were built from, so that a run builds again only the flows of the VTAPs
 * whose inputs changed. */
struct vtap_compiled {
    struct hmap_node node;      /* In vtap_pipeline.vtaps, by uuid. */
    struct uuid uuid;           /* The VTAP. */
    size_t n_flows;             /* Flows wanted for this VTAP. */
    bool dispatched;            /* Running: its source feeds its rules. */
    char *error;                /* Why it cannot run: the first reason of
                                 * any stage, or NULL. */
    struct vtap_built *built;   /* What its flows were built from (private
                                 * to the pipeline). */
};

/* The pipeline's state: every VTAP of the desired state, the dispatch flow
 * of each patch port and the loop guard of each target. */
struct vtap_pipeline {
    struct hmap vtaps;          /* Contains "struct vtap_compiled"s. */
    struct hmap dispatch;       /* The VTAPs that each patch port feeds. */
    struct hmap guards;         /* Loop guards, by target address and
                                 * port, with the VTAPs that need them. */

    /* Statistics of the runs, for vtap/show. */
    unsigned long long int n_full;          /* Full runs. */
    unsigned long long int n_incremental;   /* Incremental runs. */
    size_t n_built;             /* VTAPs whose flows the last run built. */
};

void vtap_pipeline_init(struct vtap_pipeline *);
void vtap_pipeline_destroy(struct vtap_pipeline *);
const struct vtap_compiled *vtap_pipeline_find(const struct vtap_pipeline *,
                                               const struct uuid *vtap);
void vtap_pipeline_run(struct vtap_pipeline *, const struct vtap_desired *,
                       const struct vtap_places *, struct shash *flow_tables,
                       bool full, const struct uuidset *hold);

#endif /* vtap-pipeline.h */

/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* vtap-pipeline.h: the OpenFlow pipeline of the mirror bridges.
 *
 * Table 0: highest, the loop guard (UDP to any target's port, IPv4 and
 * IPv6, is dropped); then per patch port one flow that hands a copy of
 * the packet to each running VTAP on that source, with the VTAP's id in
 * reg0, to table 1 (the flow belongs to the VTAP if it is the only one of
 * the port, else it is shared; a VTAP whose flows the switch refused may
 * get copies too, which its missing rules drop); lowest, drop.
 *
 * Table 1: each running VTAP's compiled capture filter for the direction
 * of the patch port, keyed on in_port and reg0: an include sets the
 * tunnel destination and VNI and outputs to the VXLAN port (truncated with
 * max_len when the VTAP has a max packet size); an exclude drops; lowest,
 * drop. */

#ifndef OVS_VTAPD_VTAP_PIPELINE_H
#define OVS_VTAPD_VTAP_PIPELINE_H 1

struct shash;
struct vtap_desired;

/* Priorities. */
#define VTAP_PRIO_LOOP_GUARD 65000  /* Table 0. */
#define VTAP_PRIO_DISPATCH   100    /* Table 0. */
#define VTAP_PRIO_RULES_TOP  40000  /* Table 1: the first rule. */

void vtap_pipeline_build(struct vtap_desired *, struct shash *flow_tables);

#endif /* vtap-pipeline.h */

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

/* vtap-cookie.h: the layout of the cookies of ovs-vtapd's flows.
 *
 * A cookie says whose a flow is: the VTAP (its id), the direction, the
 * capture rule (an id derived from the Capture_Rule's UUID, so that it does
 * not change when rules are added or removed before it) and whether the
 * rule includes.  The flow table groups flows by the VTAP id of their
 * cookie; the counters attribute what a flow counted by its cookie. */

#ifndef OVS_VTAPD_VTAP_COOKIE_H
#define OVS_VTAPD_VTAP_COOKIE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vtap_rule;

/* Cookies: the high 16 bits mark ovs-vtapd's flows; bits 46..47 say what
 * the flow is for, bit 45 is set for a flow of an include rule, bits
 * 32..44 are the rule's id (see vtap_cookie_rule_ids()); the low 32 bits
 * are the VTAP id (0 for shared flows). */
#define VTAP_COOKIE_MAGIC   0x7674ULL
#define VTAP_COOKIE_MASK    0xffff000000000000ULL
#define VTAP_COOKIE_KIND_SHARED  0      /* Dispatch, loop guard, drops. */
#define VTAP_COOKIE_KIND_INGRESS 1      /* Rule flow of the ingress. */
#define VTAP_COOKIE_KIND_EGRESS  2      /* Rule flow of the egress. */
#define VTAP_COOKIE_KIND_OUTPUT  3      /* Output to the target; the rule
                                         * bits say which: */
#define VTAP_OUTPUT_COPY         0      /*   whole or as set, not counted; */
#define VTAP_OUTPUT_CUT          1      /*   cut to fit the path, counted. */
#define VTAP_OUTPUT_BACKEND      2      /*   2 + i: to backend i of a pool,
                                         *   counted per backend. */
#define VTAP_COOKIE_RULE_MAX     0x1fff /* Largest rule id. */

uint64_t vtap_cookie(unsigned int kind, bool include, unsigned int rule_id,
                     uint32_t vtap_id);
unsigned int vtap_cookie_kind(uint64_t cookie);
bool vtap_cookie_include(uint64_t cookie);
unsigned int vtap_cookie_rule(uint64_t cookie);
uint32_t vtap_cookie_vtap(uint64_t cookie);
void vtap_cookie_rule_ids(const struct vtap_rule *, size_t n,
                          unsigned int *ids);

#endif /* vtap-cookie.h */

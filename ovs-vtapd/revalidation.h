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
/* revalidation.h: waiting for ovs-vswitchd's revalidators.
 *
 * Open vSwitch credits its OpenFlow flows with the packets that their
 * datapath flows matched only when its revalidators next look at those
 * datapath flows: at each round, every 500 ms by default or at once after a
 * flow change.  When a round finds that the flow tables changed, it
 * credits what the datapath flow matched since the last round to the flows
 * that it is translated to now.  So a flow that is deleted before a round
 * looked at what it matched loses those packets, and a flow that is added
 * is credited with packets that went by before it existed.  ovs-vtapd
 * therefore waits, before it changes flows that count, for a round that
 * started after the packets (revalidation_request(), after a flow change
 * that makes one start at once): it asks ovs-vswitchd over its control
 * socket ("revalidator/wait", which answers when a round ends).  Where that
 * cannot be asked (no control socket, several datapath types), it waits
 * REVALIDATION_FALLBACK_MSEC instead, longer than a round's period. */

#ifndef OVS_VTAPD_REVALIDATION_H
#define OVS_VTAPD_REVALIDATION_H 1

#include <stdbool.h>

#define REVALIDATION_FALLBACK_MSEC 600

struct revalidation;

struct revalidation *revalidation_create(const char *rundir);
void revalidation_destroy(struct revalidation *);

unsigned int revalidation_request(struct revalidation *);
bool revalidation_done(const struct revalidation *, unsigned int ticket);

void revalidation_run(struct revalidation *);
void revalidation_wait(struct revalidation *);

#endif /* revalidation.h */

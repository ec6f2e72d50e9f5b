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

/* receiver-filter.h: the receiver's filter on inner frames, in libpcap's
 * filter language (pcap-filter(7)), the one that tcpdump takes, compiled
 * for Ethernet frames and run on each inner frame. */

#ifndef OVS_VTAP_RECEIVER_FILTER_H
#define OVS_VTAP_RECEIVER_FILTER_H 1

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/compiler.h"

struct receiver_filter;

char *receiver_filter_compile(const char *expression,
                              struct receiver_filter **)
    OVS_WARN_UNUSED_RESULT;
bool receiver_filter_match(const struct receiver_filter *,
                           const void *frame, size_t caplen,
                           size_t orig_len);
void receiver_filter_destroy(struct receiver_filter *);

#endif /* receiver-filter.h */

/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

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

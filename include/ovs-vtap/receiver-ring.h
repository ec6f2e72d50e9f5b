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

/* receiver-ring.h: the receiver's ring capture path.  An AF_PACKET socket
 * with a TPACKET_V3 ring mapped into the receiver's memory and a classic
 * BPF filter in the kernel that passes only UDP to the listening address
 * and port: the kernel copies each datagram once, into the ring, and the
 * receiver reads whole blocks of them without a system call per datagram.
 *
 * The UDP socket that the receiver binds stays open, so that the kernel
 * sends no ICMP port unreachable to the senders, with a socket filter that
 * drops all that it would queue (receiver_ring_drop_all()). */

#ifndef OVS_VTAP_RECEIVER_RING_H
#define OVS_VTAP_RECEIVER_RING_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

struct receiver_ring;

/* What the kernel reports of a ring, accumulated since it was opened. */
struct receiver_ring_stats {
    uint64_t drops;             /* Datagrams lost: the ring was full. */
    uint64_t freezes;           /* Times the ring filled up. */
};

/* Called with each UDP datagram read from the ring: its payload, its
 * outer source (address and port), its outer destination (the address,
 * port zero) and its time of arrival.  Returns false to stop reading. */
typedef bool receiver_ring_datagram_cb(void *aux, const uint8_t *payload,
                                       size_t len,
                                       const struct sockaddr_storage *src,
                                       const struct sockaddr_storage *dst,
                                       const struct timespec *ts);

int receiver_ring_open(const struct sockaddr_storage *listen,
                       size_t ring_bytes, unsigned int timeout_msec,
                       struct receiver_ring **);
void receiver_ring_close(struct receiver_ring *);
int receiver_ring_ifindex(const struct receiver_ring *);
size_t receiver_ring_bytes(const struct receiver_ring *);
bool receiver_ring_run(struct receiver_ring *, size_t max_blocks,
                       receiver_ring_datagram_cb *, void *aux);
void receiver_ring_wait(const struct receiver_ring *);
void receiver_ring_drain(struct receiver_ring *, receiver_ring_datagram_cb *,
                         void *aux);

/* For receiver_ring_join_fanout(): make a new group. */
#define RECEIVER_RING_NEW_GROUP UINT32_MAX
int receiver_ring_join_fanout(struct receiver_ring *, uint32_t *group);
void receiver_ring_get_stats(struct receiver_ring *,
                             struct receiver_ring_stats *);
int receiver_ring_drop_all(int fd);

#endif /* receiver-ring.h */

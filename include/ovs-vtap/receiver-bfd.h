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

/* receiver-bfd.h: the receiver's answer to a health check (--health=bfd):
 * BFD control packets (RFC 5880) inside VXLAN (RFC 8971), as Open
 * vSwitch's BFD on a VXLAN tunnel port sends them, answered with a BFD
 * state machine (Down, Init, Up) per sender, each reply a VXLAN datagram
 * back to the sender.  No sockets here: the caller sends the replies. */

#ifndef OVS_VTAP_RECEIVER_BFD_H
#define OVS_VTAP_RECEIVER_BFD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "openvswitch/hmap.h"

struct ds;
struct json;
struct ofpbuf;

#define RECEIVER_BFD_PORT 3784          /* UDP port of BFD control. */
#define RECEIVER_BFD_MULT 3             /* Our detection multiplier. */

/* BFD session states (RFC 5880 section 4.1). */
enum receiver_bfd_state {
    RECEIVER_BFD_ADMIN_DOWN = 0,
    RECEIVER_BFD_DOWN = 1,
    RECEIVER_BFD_INIT = 2,
    RECEIVER_BFD_UP = 3,
};

/* The sessions, one per sender address, and what they counted. */
struct receiver_bfd {
    struct hmap sessions;       /* Contains "struct receiver_bfd_session"s. */
    uint32_t next_disc;         /* Next local discriminator. */
    uint64_t rx;                /* BFD control packets received. */
    uint64_t tx;                /* Replies made. */
    uint64_t bad;               /* Malformed BFD packets. */
};

void receiver_bfd_init(struct receiver_bfd *);
void receiver_bfd_destroy(struct receiver_bfd *);
bool receiver_bfd_is_control(const uint8_t *frame, size_t len);
bool receiver_bfd_input(struct receiver_bfd *,
                        const struct sockaddr_storage *src, uint32_t vni,
                        const uint8_t *frame, size_t len, long long int now,
                        struct ofpbuf *reply);
void receiver_bfd_run(struct receiver_bfd *, long long int now);
enum receiver_bfd_state receiver_bfd_session_state(
    const struct receiver_bfd *, const struct sockaddr_storage *src);
const char *receiver_bfd_state_name(enum receiver_bfd_state);
struct json *receiver_bfd_to_json(const struct receiver_bfd *);
void receiver_bfd_format(const struct receiver_bfd *, struct ds *);

#endif /* receiver-bfd.h */

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

/* frame-format.h: one-line summaries of decoded VXLAN packets, as text in
 * the manner of tcpdump and as JSON lines. */

#ifndef OVS_VTAP_FRAME_FORMAT_H
#define OVS_VTAP_FRAME_FORMAT_H 1

#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>

struct ds;
struct vxlan_packet;

/* Where and when a VXLAN packet arrived. */
struct frame_origin {
    struct timespec ts;                 /* Time of arrival (wall clock). */
    const struct sockaddr_storage *src; /* Outer source address and port. */
};

void frame_format_text(struct ds *, const struct vxlan_packet *,
                       const struct frame_origin *);
void frame_format_json(struct ds *, const struct vxlan_packet *,
                       const struct frame_origin *);
void frame_format_sockaddr(struct ds *, const struct sockaddr_storage *,
                           bool with_port);

#endif /* frame-format.h */

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

/* receiver-bfd.c: answers BFD in VXLAN (see receiver-bfd.h). */

#include <config.h>

#include "ovs-vtap/receiver-bfd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofpbuf.h"
#include "ovs-vtap/frame-format.h"
#include "util.h"

#define ETH_HLEN_ 14
#define IP_HLEN_ 20
#define UDP_HLEN_ 8
#define BFD_LEN 24
#define VXLAN_HLEN_ 8

/* One BFD session: the sender at 'addr'. */
struct receiver_bfd_session {
    struct hmap_node node;      /* In receiver_bfd.sessions, by address. */
    struct sockaddr_storage addr;       /* The sender, port zeroed. */
    enum receiver_bfd_state state;
    uint32_t local_disc;
    uint32_t remote_disc;
    long long int detect_deadline;      /* Down if nothing by then (ms). */
    uint64_t rx, tx;
};

/* Initializes 'bfd' with no sessions. */
void
receiver_bfd_init(struct receiver_bfd *bfd)
{
    memset(bfd, 0, sizeof *bfd);
    hmap_init(&bfd->sessions);
    bfd->next_disc = 0x76740001;
}

/* Frees the sessions of 'bfd'. */
void
receiver_bfd_destroy(struct receiver_bfd *bfd)
{
    struct receiver_bfd_session *s;

    HMAP_FOR_EACH_POP (s, node, &bfd->sessions) {
        free(s);
    }
    hmap_destroy(&bfd->sessions);
}

/* Returns the name of 'state', as RFC 5880 spells it. */
const char *
receiver_bfd_state_name(enum receiver_bfd_state state)
{
    switch (state) {
    case RECEIVER_BFD_ADMIN_DOWN: return "admin_down";
    case RECEIVER_BFD_DOWN: return "down";
    case RECEIVER_BFD_INIT: return "init";
    case RECEIVER_BFD_UP: return "up";
    }
    return "unknown";
}

/* Copies the address of 'src' into 'key', its port and the rest zeroed. */
static void
session_key(const struct sockaddr_storage *src, struct sockaddr_storage *key)
{
    memset(key, 0, sizeof *key);
    key->ss_family = src->ss_family;
    if (src->ss_family == AF_INET) {
        ((struct sockaddr_in *) key)->sin_addr
            = ((const struct sockaddr_in *) src)->sin_addr;
    } else if (src->ss_family == AF_INET6) {
        ((struct sockaddr_in6 *) key)->sin6_addr
            = ((const struct sockaddr_in6 *) src)->sin6_addr;
    }
}

static struct receiver_bfd_session *
session_find(const struct receiver_bfd *bfd,
             const struct sockaddr_storage *key, uint32_t hash)
{
    struct receiver_bfd_session *s;

    HMAP_FOR_EACH_WITH_HASH (s, node, hash, &bfd->sessions) {
        if (!memcmp(&s->addr, key, sizeof *key)) {
            return s;
        }
    }
    return NULL;
}

/* Returns the state of the session with the sender 'src', "down" if there
 * is none. */
enum receiver_bfd_state
receiver_bfd_session_state(const struct receiver_bfd *bfd,
                           const struct sockaddr_storage *src)
{
    struct sockaddr_storage key;

    session_key(src, &key);
    struct receiver_bfd_session *s
        = session_find(bfd, &key, hash_bytes(&key, sizeof key, 0));
    return s ? s->state : RECEIVER_BFD_DOWN;
}

/* Returns true if 'frame' is an untagged Ethernet frame with an IPv4 UDP
 * packet to the BFD control port: what BFD on a tunnel port sends. */
bool
receiver_bfd_is_control(const uint8_t *frame, size_t len)
{
    if (len < ETH_HLEN_ + IP_HLEN_ + UDP_HLEN_
        || frame[12] != 0x08 || frame[13] != 0x00) {
        return false;
    }

    const uint8_t *ip = frame + ETH_HLEN_;
    size_t ihl = (ip[0] & 0x0f) * 4;
    if ((ip[0] >> 4) != 4 || ihl < IP_HLEN_ || ip[9] != IPPROTO_UDP
        || len < ETH_HLEN_ + ihl + UDP_HLEN_
        || (ip[6] & 0x3f) || ip[7]) {     /* Not a fragment. */
        return false;
    }
    const uint8_t *udp = ip + ihl;
    return ((udp[2] << 8) | udp[3]) == RECEIVER_BFD_PORT;
}

static uint32_t
get_be32(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, sizeof v);
    return ntohl(v);
}

static void
put_be32(uint8_t *p, uint32_t v)
{
    v = htonl(v);
    memcpy(p, &v, sizeof v);
}

/* The BFD state machine (RFC 5880 section 6.8.6) on a packet whose state
 * is 'remote'. */
static enum receiver_bfd_state
next_state(enum receiver_bfd_state local, enum receiver_bfd_state remote)
{
    if (remote == RECEIVER_BFD_ADMIN_DOWN) {
        return RECEIVER_BFD_DOWN;
    }
    switch (local) {
    case RECEIVER_BFD_ADMIN_DOWN:
    case RECEIVER_BFD_DOWN:
        return (remote == RECEIVER_BFD_DOWN ? RECEIVER_BFD_INIT
                : remote == RECEIVER_BFD_INIT ? RECEIVER_BFD_UP
                : RECEIVER_BFD_DOWN);
    case RECEIVER_BFD_INIT:
        return remote == RECEIVER_BFD_DOWN ? RECEIVER_BFD_INIT
               : RECEIVER_BFD_UP;
    case RECEIVER_BFD_UP:
        return remote == RECEIVER_BFD_DOWN ? RECEIVER_BFD_DOWN
               : RECEIVER_BFD_UP;
    }
    return RECEIVER_BFD_DOWN;
}

/* Handles the BFD control packet in the inner Ethernet 'frame' (of 'len'
 * bytes, see receiver_bfd_is_control()) that 'src' sent in VXLAN 'vni'
 * at 'now' (ms): runs the sender's session and puts in 'reply' (cleared
 * first) the VXLAN payload to send back to the sender's UDP port 4789:
 * the VXLAN header with 'vni', then the inner frame with the addresses of
 * both layers swapped and our BFD control packet.  Returns false, with
 * nothing in 'reply', if the BFD packet is malformed (counted). */
bool
receiver_bfd_input(struct receiver_bfd *bfd,
                   const struct sockaddr_storage *src, uint32_t vni,
                   const uint8_t *frame, size_t len, long long int now,
                   struct ofpbuf *reply)
{
    const uint8_t *ip = frame + ETH_HLEN_;
    size_t ihl = (ip[0] & 0x0f) * 4;
    const uint8_t *udp = ip + ihl;
    const uint8_t *pkt = udp + UDP_HLEN_;
    size_t bfd_len = len - (pkt - frame);

    ofpbuf_clear(reply);
    bfd->rx++;
    if (bfd_len < BFD_LEN || (pkt[0] >> 5) != 1 || pkt[3] < BFD_LEN
        || pkt[3] > bfd_len || !pkt[2] || !get_be32(pkt + 4)) {
        bfd->bad++;
        return false;
    }

    /* The sender's session. */
    struct sockaddr_storage key;
    session_key(src, &key);
    uint32_t hash = hash_bytes(&key, sizeof key, 0);
    struct receiver_bfd_session *s = session_find(bfd, &key, hash);
    if (!s) {
        s = xzalloc(sizeof *s);
        s->addr = key;
        s->state = RECEIVER_BFD_DOWN;
        s->local_disc = bfd->next_disc++;
        hmap_insert(&bfd->sessions, &s->node, hash);
    }
    s->rx++;

    enum receiver_bfd_state remote = pkt[1] >> 6;
    bool poll = (pkt[1] & 0x20) != 0;
    uint8_t mult = pkt[2];
    uint32_t remote_min_tx = get_be32(pkt + 12);    /* us */
    uint32_t remote_min_rx = get_be32(pkt + 16);    /* us */

    s->remote_disc = get_be32(pkt + 4);
    s->state = next_state(s->state, remote);
    /* Down if the sender's packets stop for its multiplier times its
     * transmit interval, taken as 1 s at least: while a poll sequence
     * runs, the sender advertises a new interval but still sends at the
     * old one, up to 1 s apart while it is not up.  (It is the sender
     * that detects our failure, the health check; this side only has to
     * come down when the sender is gone.) */
    long long int interval = MAX(remote_min_tx / 1000, 1000);
    s->detect_deadline = now + mult * interval;

    /* The reply: VXLAN, Ethernet, IPv4, UDP, BFD. */
    uint8_t *vx = ofpbuf_put_zeros(reply, VXLAN_HLEN_);
    vx[0] = 0x08;
    put_be32(vx + 4, (vni & 0xffffff) << 8);

    uint8_t *eth = ofpbuf_put_zeros(reply, ETH_HLEN_);
    memcpy(eth, frame + 6, 6);
    memcpy(eth + 6, frame, 6);
    eth[12] = 0x08;

    uint8_t *rip = ofpbuf_put_zeros(reply, IP_HLEN_);
    rip[0] = 0x45;
    rip[1] = 0xc0;                      /* Internetwork control. */
    rip[3] = IP_HLEN_ + UDP_HLEN_ + BFD_LEN;
    rip[8] = 255;                       /* RFC 5881: TTL 255. */
    rip[9] = IPPROTO_UDP;
    memcpy(rip + 12, ip + 16, 4);
    memcpy(rip + 16, ip + 12, 4);
    uint16_t sum = csum(rip, IP_HLEN_);
    memcpy(rip + 10, &sum, 2);

    uint8_t *rudp = ofpbuf_put_zeros(reply, UDP_HLEN_);
    uint16_t sport = 49152 + (s->local_disc & 0x3fff);
    rudp[0] = sport >> 8;
    rudp[1] = sport;
    rudp[2] = RECEIVER_BFD_PORT >> 8;
    rudp[3] = RECEIVER_BFD_PORT & 0xff;
    rudp[5] = UDP_HLEN_ + BFD_LEN;      /* No checksum: IPv4 allows it. */

    uint8_t *b = ofpbuf_put_zeros(reply, BFD_LEN);
    b[0] = (1 << 5) | (s->state == RECEIVER_BFD_DOWN && remote
                       == RECEIVER_BFD_UP ? 3 : 0);   /* Neighbor down. */
    b[1] = (s->state << 6) | (poll ? 0x10 : 0);         /* Final. */
    b[2] = RECEIVER_BFD_MULT;
    b[3] = BFD_LEN;
    put_be32(b + 4, s->local_disc);
    put_be32(b + 8, s->state == RECEIVER_BFD_DOWN && remote
             == RECEIVER_BFD_UP ? 0 : s->remote_disc);
    /* We answer each packet, so that we send at the sender's rate: we
     * ask for its packets as often as it wants to send them, and say that
     * we send ours no faster than it sends, so that the sender's detection
     * time (three of our intervals) covers the gaps between its own
     * packets, also while it is not up and sends once a second. */
    uint32_t min_tx = MAX(remote_min_tx, remote_min_rx);
    put_be32(b + 12, min_tx ? min_tx : 1000000);
    put_be32(b + 16, remote_min_tx ? remote_min_tx : 1000000);
    bfd->tx++;
    s->tx++;
    return true;
}

/* Takes down the sessions whose sender went silent by 'now' (ms). */
void
receiver_bfd_run(struct receiver_bfd *bfd, long long int now)
{
    struct receiver_bfd_session *s;

    HMAP_FOR_EACH (s, node, &bfd->sessions) {
        if (s->state != RECEIVER_BFD_DOWN && now >= s->detect_deadline) {
            s->state = RECEIVER_BFD_DOWN;
        }
    }
}

/* Returns the counters and sessions of 'bfd' as a JSON object. */
struct json *
receiver_bfd_to_json(const struct receiver_bfd *bfd)
{
    struct json *json = json_object_create();
    struct json *sessions = json_object_create();
    struct receiver_bfd_session *s;
    struct ds d = DS_EMPTY_INITIALIZER;

    json_object_put_string(json, "mode", "bfd");
    json_object_put(json, "received", json_integer_create(bfd->rx));
    json_object_put(json, "sent", json_integer_create(bfd->tx));
    json_object_put(json, "malformed", json_integer_create(bfd->bad));
    HMAP_FOR_EACH (s, node, &bfd->sessions) {
        ds_clear(&d);
        frame_format_sockaddr(&d, &s->addr, false);
        json_object_put_string(sessions, ds_cstr(&d),
                               receiver_bfd_state_name(s->state));
    }
    json_object_put(json, "sessions", sessions);
    ds_destroy(&d);
    return json;
}

/* Appends the counters and sessions of 'bfd' to 'ds', one line each. */
void
receiver_bfd_format(const struct receiver_bfd *bfd, struct ds *ds)
{
    struct receiver_bfd_session *s;

    ds_put_format(ds, "health (bfd): %"PRIu64" received, %"PRIu64" sent, "
                  "%"PRIu64" malformed\n", bfd->rx, bfd->tx, bfd->bad);
    HMAP_FOR_EACH (s, node, &bfd->sessions) {
        ds_put_cstr(ds, "  bfd session ");
        frame_format_sockaddr(ds, &s->addr, false);
        ds_put_format(ds, ": %s\n", receiver_bfd_state_name(s->state));
    }
}

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

/* receiver-ring.c: the receiver's AF_PACKET capture ring (see
 * receiver-ring.h).
 *
 * The packet socket is of type SOCK_DGRAM, so that each packet in the ring
 * starts at its network header, whatever the link layer: the kernel filter
 * and the parser below read IPv4 and IPv6 headers only.  The filter passes
 * UDP datagrams to the listening port (and address, unless it is a
 * wildcard), not fragments (whose UDP header is in the first fragment only)
 * and not packets that the host sends: a packet socket sees those too, on
 * loopback each packet twice, once going out and once coming in. */

#include <config.h>

#include "ovs-vtap/receiver-ring.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"

#define RING_BLOCK_SIZE (256 * 1024)    /* Holds the largest datagram. */
#define RING_MIN_BLOCKS 2
#define RING_FRAME_SIZE 2048    /* Only a unit of accounting in V3. */
#define FILTER_MAX_INSNS 32

struct receiver_ring {
    int fd;
    int ifindex;                /* Where it captures, or 0 for all. */
    uint8_t *map;               /* The ring, 'n_blocks' blocks. */
    size_t n_blocks;
    size_t next_block;          /* The next block to read. */
    unsigned int timeout_msec;  /* The kernel's block timeout. */
    struct receiver_ring_stats stats;
};

/* Where a jump of the filter goes, until the program is laid out. */
enum filter_label {
    L_NEXT,                     /* The next instruction. */
    L_IPV6,                     /* The IPv6 part. */
    L_ACCEPT,
    L_DROP,
    N_LABELS
};

/* A filter program being built. */
struct filter_builder {
    struct sock_filter insns[FILTER_MAX_INSNS];
    uint8_t jt[FILTER_MAX_INSNS], jf[FILTER_MAX_INSNS]; /* Labels. */
    size_t n;
    size_t labels[N_LABELS];    /* Where each label is. */
};

static void
emit(struct filter_builder *b, uint16_t code, uint32_t k,
     enum filter_label jt, enum filter_label jf)
{
    ovs_assert(b->n < FILTER_MAX_INSNS);
    b->insns[b->n] = (struct sock_filter) { .code = code, .k = k };
    b->jt[b->n] = jt;
    b->jf[b->n] = jf;
    b->n++;
}

static void
emit_stmt(struct filter_builder *b, uint16_t code, uint32_t k)
{
    emit(b, code, k, L_NEXT, L_NEXT);
}

/* Emits: drop unless the 32-bit word at 'offset' is 'value' (in network
 * byte order). */
static void
emit_word_check(struct filter_builder *b, uint32_t offset, ovs_be32 value)
{
    emit_stmt(b, BPF_LD | BPF_W | BPF_ABS, offset);
    emit(b, BPF_JMP | BPF_JEQ | BPF_K, ntohl(value), L_NEXT, L_DROP);
}

/* Resolves the labels of 'b' into relative jumps. */
static void
resolve_labels(struct filter_builder *b)
{
    size_t i;

    for (i = 0; i < b->n; i++) {
        struct sock_filter *insn = &b->insns[i];

        if (BPF_CLASS(insn->code) == BPF_JMP) {
            size_t jt = b->jt[i] == L_NEXT ? i + 1 : b->labels[b->jt[i]];
            size_t jf = b->jf[i] == L_NEXT ? i + 1 : b->labels[b->jf[i]];

            insn->jt = jt - (i + 1);
            insn->jf = jf - (i + 1);
        }
    }
}

/* Builds into 'b' the filter for UDP to 'listen': IPv4 for an IPv4 or
 * IPv4-mapped address, IPv6 for an IPv6 address, both for "::" (whose
 * socket takes IPv4 too); the address itself unless it is a wildcard. */
static void
build_filter(const struct sockaddr_storage *listen, struct filter_builder *b)
{
    uint16_t port = ss_get_port(listen);
    bool ipv4, ipv6, any;
    struct in6_addr addr6 = in6addr_any;
    ovs_be32 addr4 = 0;

    if (listen->ss_family == AF_INET) {
        addr4 = ((const struct sockaddr_in *) listen)->sin_addr.s_addr;
        ipv4 = true;
        ipv6 = false;
        any = !addr4;
    } else {
        addr6 = ((const struct sockaddr_in6 *) listen)->sin6_addr;
        any = ipv6_addr_equals(&addr6, &in6addr_any);
        if (IN6_IS_ADDR_V4MAPPED(&addr6)) {
            memcpy(&addr4, &addr6.s6_addr[12], 4);
            ipv4 = true;
            ipv6 = false;
        } else {
            ipv4 = any;
            ipv6 = true;
        }
    }

    memset(b, 0, sizeof *b);
    emit_stmt(b, BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_PKTTYPE);
    /* Not what this host sent, nor a frame for another host's MAC that
     * reaches the interface (a switch flooding an unknown destination):
     * the UDP socket would see neither. */
    emit(b, BPF_JMP | BPF_JGE | BPF_K, PACKET_OTHERHOST, L_DROP, L_NEXT);
    emit_stmt(b, BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL);
    if (ipv4) {
        emit(b, BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, L_NEXT,
             ipv6 ? L_IPV6 : L_DROP);
        /* Protocol UDP, not a fragment, to the address and the port (past
         * the header's options). */
        emit_stmt(b, BPF_LD | BPF_B | BPF_ABS, 9);
        emit(b, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, L_NEXT, L_DROP);
        emit_stmt(b, BPF_LD | BPF_H | BPF_ABS, 6);
        emit(b, BPF_JMP | BPF_JSET | BPF_K, 0x3fff, L_DROP, L_NEXT);
        if (!any) {
            emit_word_check(b, 16, addr4);
        }
        emit_stmt(b, BPF_LDX | BPF_B | BPF_MSH, 0);
        emit_stmt(b, BPF_LD | BPF_H | BPF_IND, 2);
        emit(b, BPF_JMP | BPF_JEQ | BPF_K, port, L_ACCEPT, L_DROP);
    }
    if (ipv6) {
        b->labels[L_IPV6] = b->n;
        if (!ipv4) {
            emit(b, BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IPV6, L_NEXT, L_DROP);
        }
        /* UDP right after the fixed header, to the address and port. */
        emit_stmt(b, BPF_LD | BPF_B | BPF_ABS, 6);
        emit(b, BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, L_NEXT, L_DROP);
        if (!any) {
            const ovs_be32 *words = ALIGNED_CAST(const ovs_be32 *,
                                                 addr6.s6_addr);
            size_t i;

            for (i = 0; i < 4; i++) {
                emit_word_check(b, 24 + 4 * i, words[i]);
            }
        }
        emit_stmt(b, BPF_LD | BPF_H | BPF_ABS, 42);
        emit(b, BPF_JMP | BPF_JEQ | BPF_K, port, L_ACCEPT, L_DROP);
    }
    b->labels[L_ACCEPT] = b->n;
    emit_stmt(b, BPF_RET | BPF_K, UINT32_MAX);
    b->labels[L_DROP] = b->n;
    emit_stmt(b, BPF_RET | BPF_K, 0);
    resolve_labels(b);
}

/* Returns the index of the interface that holds the address of 'listen',
 * or 0 (every interface) for a wildcard or an address that no interface
 * holds as such (such as 127.0.0.2, local through 127.0.0.0/8). */
static int
listen_ifindex(const struct sockaddr_storage *listen)
{
    struct ifaddrs *ifas, *ifa;
    int ifindex = 0;

    if (getifaddrs(&ifas)) {
        return 0;
    }
    for (ifa = ifas; ifa && !ifindex; ifa = ifa->ifa_next) {
        const struct sockaddr *sa = ifa->ifa_addr;

        if (!sa || sa->sa_family != listen->ss_family) {
            continue;
        }
        if (sa->sa_family == AF_INET
            ? (((const struct sockaddr_in *) sa)->sin_addr.s_addr
               == ((const struct sockaddr_in *) listen)->sin_addr.s_addr)
            : ipv6_addr_equals(
                &((const struct sockaddr_in6 *) sa)->sin6_addr,
                &((const struct sockaddr_in6 *) listen)->sin6_addr)) {
            ifindex = if_nametoindex(ifa->ifa_name);
        }
    }
    freeifaddrs(ifas);
    return ifindex;
}

static bool
listen_is_wildcard(const struct sockaddr_storage *listen)
{
    return (listen->ss_family == AF_INET
            ? !((const struct sockaddr_in *) listen)->sin_addr.s_addr
            : ipv6_addr_equals(
                &((const struct sockaddr_in6 *) listen)->sin6_addr,
                &in6addr_any));
}

/* Opens a ring of about 'ring_bytes' (at least two blocks of 256 kB) that
 * captures the UDP datagrams to 'listen' (an address and port that a UDP
 * socket is bound to) on the interface that holds the address, or on every
 * interface for a wildcard, and whose kernel hands a block over when it is
 * full or 'timeout_msec' old.  Returns 0 and stores the ring in '*ringp', or
 * returns an errno value (EPERM without CAP_NET_RAW) and stores NULL. */
int
receiver_ring_open(const struct sockaddr_storage *listen, size_t ring_bytes,
                   unsigned int timeout_msec, struct receiver_ring **ringp)
{
    struct filter_builder filter;
    struct sock_fprog prog;
    struct tpacket_req3 req;
    struct sockaddr_ll sll;
    struct receiver_ring *ring;
    int version = TPACKET_V3;
    int error;

    *ringp = NULL;
    ring = xzalloc(sizeof *ring);
    ring->ifindex = listen_is_wildcard(listen) ? 0 : listen_ifindex(listen);
    ring->timeout_msec = timeout_msec;
    ring->n_blocks = MAX(RING_MIN_BLOCKS, ring_bytes / RING_BLOCK_SIZE);

    /* Protocol 0: nothing arrives before bind(), so nothing before the
     * filter is in place. */
    ring->fd = socket(AF_PACKET, SOCK_DGRAM, 0);
    if (ring->fd < 0) {
        error = errno;
        free(ring);
        return error;
    }
    build_filter(listen, &filter);
    prog = (struct sock_fprog) { .len = filter.n, .filter = filter.insns };
    req = (struct tpacket_req3) {
        .tp_block_size = RING_BLOCK_SIZE,
        .tp_block_nr = ring->n_blocks,
        .tp_frame_size = RING_FRAME_SIZE,
        .tp_frame_nr = RING_BLOCK_SIZE / RING_FRAME_SIZE * ring->n_blocks,
        .tp_retire_blk_tov = timeout_msec,
    };
    if (setsockopt(ring->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
                   sizeof prog)
        || setsockopt(ring->fd, SOL_PACKET, PACKET_VERSION, &version,
                      sizeof version)
        || setsockopt(ring->fd, SOL_PACKET, PACKET_RX_RING, &req,
                      sizeof req)) {
        error = errno;
        goto error;
    }
    ring->map = mmap(NULL, ring->n_blocks * RING_BLOCK_SIZE,
                     PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                     ring->fd, 0);
    if (ring->map == MAP_FAILED) {
        error = errno;
        ring->map = NULL;
        goto error;
    }
    sll = (struct sockaddr_ll) {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = ring->ifindex,
    };
    if (bind(ring->fd, (struct sockaddr *) &sll, sizeof sll)) {
        error = errno;
        goto error;
    }
    *ringp = ring;
    return 0;

error:
    receiver_ring_close(ring);
    return error;
}

/* Closes 'ring' and frees its memory. */
void
receiver_ring_close(struct receiver_ring *ring)
{
    if (ring) {
        if (ring->map) {
            munmap(ring->map, ring->n_blocks * RING_BLOCK_SIZE);
        }
        close(ring->fd);
        free(ring);
    }
}

/* Returns the index of the interface that 'ring' captures on, 0 for
 * all. */
int
receiver_ring_ifindex(const struct receiver_ring *ring)
{
    return ring->ifindex;
}

/* Returns the size of 'ring' in bytes. */
size_t
receiver_ring_bytes(const struct receiver_ring *ring)
{
    return ring->n_blocks * RING_BLOCK_SIZE;
}

/* Parses the IPv4 or IPv6 packet 'p' of 'len' bytes (as the filter passed
 * it, UDP) into the UDP payload, the outer source and the outer
 * destination (its port zero).  Returns false if it is too short to hold
 * what its headers say.
 *
 * Only the part of 'src' and 'dst' that a sockaddr_in6 covers is zeroed
 * and written: the caller zeroes the rest once for many packets (zeroing
 * two whole sockaddr_storage took half of the ring's walk). */
static bool
parse_datagram(const uint8_t *p, size_t len, const uint8_t **payload,
               size_t *payload_len, struct sockaddr_storage *src,
               struct sockaddr_storage *dst)
{
    const uint8_t *udp;
    size_t udp_len;

    memset(src, 0, sizeof(struct sockaddr_in6));
    memset(dst, 0, sizeof(struct sockaddr_in6));
    if (len >= 20 && p[0] >> 4 == 4) {
        struct sockaddr_in *sin = (struct sockaddr_in *) src;
        struct sockaddr_in *din = (struct sockaddr_in *) dst;
        size_t ihl = (p[0] & 0xf) * 4;

        if (ihl < 20 || len < ihl + 8) {
            return false;
        }
        sin->sin_family = din->sin_family = AF_INET;
        memcpy(&sin->sin_addr, p + 12, 4);
        memcpy(&din->sin_addr, p + 16, 4);
        udp = p + ihl;
    } else if (len >= 48 && p[0] >> 4 == 6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) src;
        struct sockaddr_in6 *din6 = (struct sockaddr_in6 *) dst;

        sin6->sin6_family = din6->sin6_family = AF_INET6;
        memcpy(&sin6->sin6_addr, p + 8, 16);
        memcpy(&din6->sin6_addr, p + 24, 16);
        udp = p + 40;
    } else {
        return false;
    }
    udp_len = (udp[4] << 8) | udp[5];
    if (udp_len < 8 || udp + udp_len > p + len) {
        return false;
    }
    /* The port is at the same place in both. */
    memcpy(src->ss_family == AF_INET
           ? (void *) &((struct sockaddr_in *) src)->sin_port
           : (void *) &((struct sockaddr_in6 *) src)->sin6_port, udp, 2);
    *payload = udp + 8;
    *payload_len = udp_len - 8;
    return true;
}

/* Passes the datagrams of block 'bd' to 'cb'.  Returns false if 'cb' asked
 * to stop. */
static bool
read_block(const struct tpacket_block_desc *bd,
           receiver_ring_datagram_cb *cb, void *aux)
{
    const uint8_t *p = (const uint8_t *) bd + bd->hdr.bh1.offset_to_first_pkt;
    struct sockaddr_storage src, dst;   /* See parse_datagram(). */
    uint32_t i;

    memset(&src, 0, sizeof src);
    memset(&dst, 0, sizeof dst);
    for (i = 0; i < bd->hdr.bh1.num_pkts; i++) {
        const struct tpacket3_hdr *ppd = ALIGNED_CAST(
            const struct tpacket3_hdr *, p);
        const struct sockaddr_ll *sll = ALIGNED_CAST(
            const struct sockaddr_ll *,
            p + TPACKET_ALIGN(sizeof *ppd));
        const uint8_t *payload;
        size_t payload_len;

        /* The filter passed no outgoing packet and none for another host:
         * this is a second line of defence, cheap enough. */
        if (sll->sll_pkttype < PACKET_OTHERHOST
            && parse_datagram(p + ppd->tp_net, ppd->tp_snaplen, &payload,
                              &payload_len, &src, &dst)) {
            struct timespec ts = {
                .tv_sec = ppd->tp_sec,
                .tv_nsec = ppd->tp_nsec,
            };

            if (!cb(aux, payload, payload_len, &src, &dst, &ts)) {
                return false;
            }
        }
        p += ppd->tp_next_offset;
    }
    return true;
}

/* Gives block 'bd', the next to read, back to the kernel, with no
 * datagrams counted in it (the kernel counts from zero when it fills it
 * again), and moves on to the next block. */
static void
release_block(struct receiver_ring *ring, struct tpacket_block_desc *bd)
{
    bd->hdr.bh1.num_pkts = 0;
    __atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
                     __ATOMIC_RELEASE);
    ring->next_block = (ring->next_block + 1) % ring->n_blocks;
}

/* Reads up to 'max_blocks' full blocks from 'ring', passing each datagram
 * to 'cb' with 'aux', and gives the blocks back to the kernel.  Returns
 * true if the ring may hold more (the limit was reached), false if it is
 * empty or 'cb' asked to stop. */
bool
receiver_ring_run(struct receiver_ring *ring, size_t max_blocks,
                  receiver_ring_datagram_cb *cb, void *aux)
{
    size_t n;

    for (n = 0; n < max_blocks; n++) {
        struct tpacket_block_desc *bd = ALIGNED_CAST(
            struct tpacket_block_desc *,
            ring->map + ring->next_block * RING_BLOCK_SIZE);
        bool more;

        if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE)
              & TP_STATUS_USER)) {
            return false;
        }
        more = read_block(bd, cb, aux);
        release_block(ring, bd);
        if (!more) {
            return false;
        }
    }
    return true;
}

/* Reads what 'ring' holds, as receiver_ring_run() does, and then the
 * datagrams in the block that the kernel is filling: it waits until the
 * kernel hands that block over, at its timeout (the kernel's timer retires
 * a block that it finds unchanged since its last run: within twice the
 * timeout), but no longer than that.  For a receiver that stops: what
 * arrived before is not left in the ring. */
void
receiver_ring_drain(struct receiver_ring *ring,
                    receiver_ring_datagram_cb *cb, void *aux)
{
    /* With a margin for the kernel's timer ticks (jiffies). */
    long long int deadline = time_msec() + 2 * ring->timeout_msec + 50;

    for (;;) {
        struct tpacket_block_desc *bd = ALIGNED_CAST(
            struct tpacket_block_desc *,
            ring->map + ring->next_block * RING_BLOCK_SIZE);
        struct pollfd pfd = { .fd = ring->fd, .events = POLLIN };
        long long int now;

        if (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE)
            & TP_STATUS_USER) {
            bool more = read_block(bd, cb, aux);

            release_block(ring, bd);
            if (!more) {
                return;
            }
            continue;
        }
        /* The kernel's block: empty unless the kernel counted datagrams in
         * it (release_block() zeroed the count of a block given back). */
        now = time_msec();
        if (!__atomic_load_n(&bd->hdr.bh1.num_pkts, __ATOMIC_RELAXED)
            || now >= deadline) {
            return;
        }
        poll(&pfd, 1, deadline - now);
    }
}

/* Puts 'ring' in a PACKET_FANOUT_HASH group, so that the kernel spreads
 * the datagrams of the rings in the group by a hash of their outer flow
 * (the flows that a VXLAN sender makes of its inner flows by its source
 * port): with '*group' RECEIVER_RING_NEW_GROUP, a new group, whose id it
 * stores in '*group', otherwise group '*group'.  Returns 0 or an errno
 * value. */
int
receiver_ring_join_fanout(struct receiver_ring *ring, uint32_t *group)
{
    uint32_t arg;
    socklen_t len = sizeof arg;

    if (*group == RECEIVER_RING_NEW_GROUP) {
        arg = (uint32_t) (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG
                          | PACKET_FANOUT_FLAG_UNIQUEID) << 16;
    } else {
        arg = *group | ((uint32_t) (PACKET_FANOUT_HASH
                                    | PACKET_FANOUT_FLAG_DEFRAG) << 16);
    }
    if (setsockopt(ring->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof arg)
        || getsockopt(ring->fd, SOL_PACKET, PACKET_FANOUT, &arg, &len)) {
        return errno;
    }
    *group = arg & 0xffff;
    return 0;
}

/* Makes the poll loop wake up when 'ring' has a block to read. */
void
receiver_ring_wait(const struct receiver_ring *ring)
{
    poll_fd_wait(ring->fd, POLLIN);
}

/* Adds what the kernel counted for 'ring' since the last call (the kernel
 * resets its counts as it reports them) and stores the totals in
 * '*stats'. */
void
receiver_ring_get_stats(struct receiver_ring *ring,
                        struct receiver_ring_stats *stats)
{
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof st;

    if (!getsockopt(ring->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len)) {
        ring->stats.drops += st.tp_drops;
        ring->stats.freezes += st.tp_freeze_q_cnt;
    }
    *stats = ring->stats;
}

/* Attaches to socket 'fd' a filter that drops all that it would queue: a
 * UDP socket whose datagrams a ring reads keeps its port bound, so that
 * the kernel sends no ICMP port unreachable, and takes no memory.  Returns
 * 0 or an errno value. */
int
receiver_ring_drop_all(int fd)
{
    struct sock_filter drop = BPF_STMT(BPF_RET | BPF_K, 0);
    struct sock_fprog prog = { .len = 1, .filter = &drop };

    return (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog)
            ? errno : 0);
}

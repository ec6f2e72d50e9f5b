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

/* ovs-vtap-receiver: the built-in backend receiver of ovs-vtap.  Listens
 * for VXLAN on UDP, reading it from an AF_PACKET capture ring where it may
 * (receiver-ring.h) or from the socket, accepts it from the outer sources
 * that --from names, counts what arrives per VNI and outer source (in
 * bounded tables), filters the inner frames with a libpcap expression,
 * prints them as text or JSON lines, writes them to pcap or pcapng, and
 * checks expectations for tests. */

#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/sock_diag.h>

#include "command-line.h"
#include "daemon.h"
#include "fatal-signal.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "ovs-vtap/capture-writer.h"
#include "ovs-vtap/frame-format.h"
#include "ovs-vtap/receiver-acl.h"
#include "ovs-vtap/receiver-bfd.h"
#include "ovs-vtap/receiver-counters.h"
#include "ovs-vtap/receiver-filter.h"
#include "ovs-vtap/receiver-ring.h"
#include "ovs-vtap/vxlan-decode.h"
#include "socket-util.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(ovs_vtap_receiver);

#define VXLAN_PORT 4789
#define MAX_LISTENERS 8
#define BATCH_SIZE 64           /* Datagrams per recvmmsg(). */
#define BATCHES_PER_RUN 16      /* recvmmsg() calls before other work. */
#define BLOCKS_PER_RUN 8        /* Ring blocks read before other work. */
#define MAX_DATAGRAM 65536
#define DEFAULT_RCVBUF (32 * 1024 * 1024)
#define COALESCE_NSEC (500 * 1000)      /* Wait after an idle wake-up. */
#define FLUSH_MSEC 100          /* Longest that output stays buffered. */
/* A ring's block timeout by default: short when someone may watch the
 * output as it comes (see 'live'), else long enough that blocks fill up at
 * moderate rates, so that the receiver wakes up less and the ring holds
 * more of the traffic. */
#define LIVE_RING_TIMEOUT_MSEC 1
#define QUIET_RING_TIMEOUT_MSEC 100
#define DEFAULT_MAX_VNIS 4096     /* Entries in the per-VNI table. */
#define DEFAULT_MAX_SOURCES 1024  /* Entries in the per-source table. */
#define MAX_WORKERS 64
#define CMSG_BUF_SIZE (CMSG_SPACE(sizeof(uint32_t)) \
                       + CMSG_SPACE(sizeof(struct timespec)) \
                       + CMSG_SPACE(sizeof(struct in6_pktinfo)))

/* How inner frames are printed on standard output. */
enum print_mode { PRINT_NONE, PRINT_TEXT, PRINT_JSON };

/* How datagrams are read: --capture. */
enum capture_mode {
    CAPTURE_AUTO,               /* The ring where allowed, else socket. */
    CAPTURE_RING,               /* An AF_PACKET ring, or fail. */
    CAPTURE_SOCKET,             /* recvmmsg() on the UDP socket. */
};

/* A socket that the receiver listens on. */
struct listener {
    int fd;
    struct sockaddr_storage addr;       /* Bound address, with its port. */
    uint32_t kernel_drops;              /* Last drop count, SO_RXQ_OVFL. */
    struct receiver_ring *ring;         /* Reads for 'fd', or NULL. */
};

/* Expectations that decide the exit status. */
struct expectations {
    long long int min;          /* At least this many, or -1. */
    long long int exactly;      /* Exactly this many, or -1. */
    long long int max;          /* At most this many, or -1. */
    bool vni_set;
    uint32_t vni;               /* Count only packets on this VNI. */
    bool only;                  /* Nothing else may arrive. */
};

/* The receiver's configuration, from the command line. */
struct receiver_config {
    char *listen[MAX_LISTENERS];
    size_t n_listen;
    int rcvbuf;                 /* Socket buffer or ring size. */
    enum capture_mode capture;
    unsigned int ring_timeout;  /* A ring's block timeout, in ms. */
    bool live;                  /* Lines or a capture on standard output,
                                 * or health checks to answer: flushed
                                 * when idle, a 1 ms block timeout. */
    size_t n_workers;           /* --workers. */
    uint32_t *vnis;             /* Allow-list, sorted, or NULL for all. */
    size_t n_vnis;
    struct receiver_acl from;   /* Accepted outer sources; empty: all. */
    struct receiver_filter *filter;     /* On inner frames, or NULL. */
    size_t max_vnis, max_sources;       /* Bounds of the tables. */
    enum print_mode print;
    bool print_explicit;        /* --print, -q or --json given. */
    struct capture_writer_options pcap, pcapng;
    char *pcap_file, *pcapng_file;
    long long int max_packets;  /* -c, or -1. */
    double duration;            /* --duration in seconds, or 0. */
    char *stats_file;
    unsigned int file_mode;     /* Of the captures and the stats file. */
    char *unixctl_path;
    struct expectations expect;
    bool health_bfd;            /* --health=bfd: answer BFD in VXLAN. */
};

/* The receiver's state while it runs. */
struct receiver {
    struct receiver_config cfg;
    struct listener listeners[MAX_LISTENERS];
    size_t n_listeners;
    bool ring;                  /* The listeners read by rings? */
    struct receiver_ring_stats ring_stats;      /* All rings. */

    /* With --workers N, the first worker is this receiver, in the main
     * thread; the others (only in the first) are receivers of their own,
     * each with its rings in the same fanout groups, its counters and its
     * files, in a thread that holds its 'mutex' while it reads a run of
     * blocks.  The first adds their counters to its own to report them. */
    struct receiver **others;
    size_t n_others;
    bool others_added;          /* Their counters are in 'counters'. */
    struct ovs_mutex mutex;
    pthread_t thread;
    struct receiver_counters counters;
    struct capture_writer *pcap, *pcapng;
    uint64_t pcap_written, pcapng_written;      /* Packets, all files. */
    struct ds line;
    struct receiver_bfd bfd;    /* --health=bfd: sessions and counters. */
    int health_fd[2];           /* Sockets for the replies: IPv4, IPv6
                                 * (-1 until needed). */
    struct ofpbuf health_reply;
    bool exiting;
    bool count_reached;         /* -c: read no more. */
    bool dirty;                 /* Outputs hold data not yet flushed. */
    long long int flush_deadline;       /* Flush by then, if 'dirty'. */
    long long int deadline;     /* Monotonic msec, or LLONG_MAX. */

    /* recvmmsg() buffers. */
    struct mmsghdr msgs[BATCH_SIZE];
    struct iovec iovs[BATCH_SIZE];
    struct sockaddr_storage srcs[BATCH_SIZE];
    uint8_t (*bufs)[MAX_DATAGRAM];
    uint8_t cmsgs[BATCH_SIZE][CMSG_BUF_SIZE];
};

static struct receiver receiver;
static atomic_bool workers_stop = false;

static struct vlog_rate_limit malformed_rl = VLOG_RATE_LIMIT_INIT(5, 5);
static struct vlog_rate_limit recv_rl = VLOG_RATE_LIMIT_INIT(1, 5);
static struct vlog_rate_limit refused_rl = VLOG_RATE_LIMIT_INIT(1, 5);

OVS_NO_RETURN static void usage(void);
static void parse_options(int argc, char *argv[], struct receiver_config *);

static void
open_listener(struct receiver *r, const char *spec)
{
    struct listener *l = &r->listeners[r->n_listeners++];
    socklen_t len = sizeof l->addr;
    int one = 1;
    int error;

    if (!inet_parse_active(spec, VXLAN_PORT, &l->addr, false, NULL)) {
        ovs_fatal(0, "-l %s: not ADDRESS[:PORT] or [IPV6-ADDRESS][:PORT] "
                  "with a numeric address", spec);
    }
    l->fd = socket(l->addr.ss_family, SOCK_DGRAM, 0);
    if (l->fd < 0) {
        ovs_fatal(errno, "-l %s: socket failed", spec);
    }
    /* A large buffer absorbs bursts: SO_RCVBUFFORCE passes the system's
     * limit when we may, SO_RCVBUF is capped by it otherwise. */
    if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &r->cfg.rcvbuf,
                   sizeof r->cfg.rcvbuf)
        && setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &r->cfg.rcvbuf,
                      sizeof r->cfg.rcvbuf)) {
        VLOG_WARN("-l %s: cannot set receive buffer (%s)",
                  spec, ovs_strerror(errno));
    }
    if (setsockopt(l->fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one)
        || setsockopt(l->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one)) {
        ovs_fatal(errno, "-l %s: cannot ask for drop counts and timestamps",
                  spec);
    }
    if (l->addr.ss_family == AF_INET6) {
        /* "[::]" then takes IPv4 too, as most servers do. */
        int zero = 0;

        setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    }
    if (r->cfg.health_bfd
        && (l->addr.ss_family == AF_INET6
            ? setsockopt(l->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
                         sizeof one)
            : setsockopt(l->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one))) {
        /* The health check's replies go out from the address that the
         * check was sent to. */
        ovs_fatal(errno, "-l %s: cannot ask for destination addresses",
                  spec);
    }
    if (bind(l->fd, (struct sockaddr *) &l->addr, ss_length(&l->addr))) {
        ovs_fatal(errno, "-l %s: cannot bind", spec);
    }
    if (getsockname(l->fd, (struct sockaddr *) &l->addr, &len)) {
        ovs_fatal(errno, "-l %s: getsockname failed", spec);
    }
    error = set_nonblocking(l->fd);
    if (error) {
        ovs_fatal(error, "-l %s: cannot make socket non-blocking", spec);
    }
}

/* Opens a ring for each listener (see receiver-ring.h) and makes their
 * sockets drop what they would queue.  With --capture=auto, falls back to
 * the sockets if a ring cannot be opened (as without CAP_NET_RAW); with
 * --capture=ring, dies. */
static void
open_rings(struct receiver *r)
{
    size_t i;

    for (i = 0; i < r->n_listeners; i++) {
        struct listener *l = &r->listeners[i];
        struct ds s = DS_EMPTY_INITIALIZER;
        int error;

        frame_format_sockaddr(&s, &l->addr, true);
        error = receiver_ring_open(&l->addr, r->cfg.rcvbuf,
                                   r->cfg.ring_timeout, &l->ring);
        if (error) {
            const char *why = (error == EPERM || error == EACCES
                               ? ": it needs CAP_NET_RAW" : "");

            if (r->cfg.capture == CAPTURE_RING) {
                ovs_fatal(0, "--capture=ring: cannot open a capture ring "
                          "for %s (%s)%s", ds_cstr(&s), ovs_strerror(error),
                          why);
            }
            VLOG_INFO("cannot open a capture ring for %s (%s)%s; reading "
                      "the sockets", ds_cstr(&s), ovs_strerror(error), why);
            ds_destroy(&s);
            for (; i > 0; i--) {
                receiver_ring_close(r->listeners[i - 1].ring);
                r->listeners[i - 1].ring = NULL;
            }
            return;
        }
        if (receiver_ring_ifindex(l->ring)) {
            char name[IF_NAMESIZE];

            VLOG_INFO("%s: capture ring of %"PRIuSIZE" bytes on %s",
                      ds_cstr(&s), receiver_ring_bytes(l->ring),
                      if_indextoname(receiver_ring_ifindex(l->ring), name)
                      ? name : "?");
        } else {
            VLOG_INFO("%s: capture ring of %"PRIuSIZE" bytes on every "
                      "interface", ds_cstr(&s), receiver_ring_bytes(l->ring));
        }
        ds_destroy(&s);
    }
    for (i = 0; i < r->n_listeners; i++) {
        int error = receiver_ring_drop_all(r->listeners[i].fd);

        if (error) {
            ovs_fatal(error, "cannot attach a filter to a UDP socket");
        }
    }
    r->ring = true;
}

static bool
vni_allowed(const struct receiver_config *cfg, uint32_t vni)
{
    size_t lo = 0, hi = cfg->n_vnis;

    if (!cfg->vnis) {
        return true;
    }
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (cfg->vnis[mid] == vni) {
            return true;
        } else if (cfg->vnis[mid] < vni) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

/* An IPv6 socket that takes IPv4 too reports IPv4 sources as IPv4-mapped
 * IPv6 addresses: turns them back into IPv4 addresses. */
static void
unmap_ipv4(struct sockaddr_storage *ss)
{
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ss;

    if (ss->ss_family == AF_INET6
        && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
        struct sockaddr_in sin = {
            .sin_family = AF_INET,
            .sin_port = sin6->sin6_port,
        };

        memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
        memset(ss, 0, sizeof *ss);
        memcpy(ss, &sin, sizeof sin);
    }
}

/* Reads the kernel's drop count for 'l', the time of arrival into '*ts'
 * and the address that the datagram was sent to into '*dst' (zeroed if it
 * is not there) from the control messages of 'msg'. */
static void
parse_cmsgs(struct listener *l, struct msghdr *msg, struct timespec *ts,
            struct sockaddr_storage *dst)
{
    struct cmsghdr *cmsg;
    bool have_ts = false;

    memset(dst, 0, sizeof *dst);
    for (cmsg = CMSG_FIRSTHDR(msg); cmsg; cmsg = CMSG_NXTHDR(msg, cmsg)) {
        if (cmsg->cmsg_level == IPPROTO_IP
            && cmsg->cmsg_type == IP_PKTINFO) {
            struct sockaddr_in *sin = (struct sockaddr_in *) dst;
            struct in_pktinfo pi;

            memcpy(&pi, CMSG_DATA(cmsg), sizeof pi);
            sin->sin_family = AF_INET;
            sin->sin_addr = pi.ipi_addr;
            continue;
        } else if (cmsg->cmsg_level == IPPROTO_IPV6
                   && cmsg->cmsg_type == IPV6_PKTINFO) {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) dst;
            struct in6_pktinfo pi;

            memcpy(&pi, CMSG_DATA(cmsg), sizeof pi);
            sin6->sin6_family = AF_INET6;
            sin6->sin6_addr = pi.ipi6_addr;
            unmap_ipv4(dst);
            continue;
        }
        if (cmsg->cmsg_level != SOL_SOCKET) {
            continue;
        }
        if (cmsg->cmsg_type == SO_RXQ_OVFL) {
            memcpy(&l->kernel_drops, CMSG_DATA(cmsg), sizeof l->kernel_drops);
        } else if (cmsg->cmsg_type == SO_TIMESTAMPNS) {
            memcpy(ts, CMSG_DATA(cmsg), sizeof *ts);
            have_ts = true;
        }
    }
    if (!have_ts) {
        clock_gettime(CLOCK_REALTIME, ts);
    }
}

static void
fatal_write_error(const char *what, int error)
{
    ovs_fatal(0, "%s: write failed (%s)", what, ovs_strerror(error));
}

/* Does what the configuration asks with one well-formed, matching packet. */
static void
output_packet(struct receiver *r, const struct vxlan_packet *pkt,
              const struct frame_origin *origin)
{
    int error;

    if (r->pcap) {
        error = capture_writer_write(r->pcap, &origin->ts, pkt->vni,
                                     origin->src, pkt->frame,
                                     pkt->frame_len, pkt->orig_len);
        if (error) {
            fatal_write_error(capture_writer_file_name(r->pcap), error);
        }
        r->pcap_written++;
    }
    if (r->pcapng) {
        error = capture_writer_write(r->pcapng, &origin->ts, pkt->vni,
                                     origin->src, pkt->frame,
                                     pkt->frame_len, pkt->orig_len);
        if (error) {
            fatal_write_error(capture_writer_file_name(r->pcapng), error);
        }
        r->pcapng_written++;
    }
    if (!r->dirty) {
        r->dirty = true;
        r->flush_deadline = time_msec() + FLUSH_MSEC;
    }
    if (r->cfg.print != PRINT_NONE) {
        ds_clear(&r->line);
        if (r->cfg.print == PRINT_TEXT) {
            frame_format_text(&r->line, pkt, origin);
        } else {
            frame_format_json(&r->line, pkt, origin);
        }
        if (fwrite(r->line.string, r->line.length, 1, stdout) != 1) {
            fatal_write_error("standard output", errno);
        }
    }
}

/* Initializes the health check state of 'r'. */
static void
health_init(struct receiver *r)
{
    receiver_bfd_init(&r->bfd);
    r->health_fd[0] = r->health_fd[1] = -1;
    ofpbuf_init(&r->health_reply, 128);
}

/* Sends the reply in 'r->health_reply' to 'dst' (of 'dst_len' bytes) on
 * 'fd', from the address 'from' if it is known (its family is that of
 * 'dst'), else from the one that the kernel chooses.  Returns 0 or an
 * errno value. */
static int
health_send(int fd, const struct ofpbuf *reply,
            const struct sockaddr_storage *dst, socklen_t dst_len,
            const struct sockaddr_storage *from)
{
    uint8_t control[CMSG_SPACE(sizeof(struct in6_pktinfo))];
    struct iovec iov = {
        .iov_base = reply->data,
        .iov_len = reply->size,
    };
    struct msghdr msg = {
        .msg_name = CONST_CAST(struct sockaddr_storage *, dst),
        .msg_namelen = dst_len,
        .msg_iov = &iov,
        .msg_iovlen = 1,
    };

    memset(control, 0, sizeof control);
    if (from && from->ss_family == dst->ss_family) {
        struct cmsghdr *cmsg;

        msg.msg_control = control;
        if (from->ss_family == AF_INET) {
            struct in_pktinfo pi = {
                .ipi_spec_dst = ((const struct sockaddr_in *) from)->sin_addr,
            };

            msg.msg_controllen = CMSG_SPACE(sizeof pi);
            cmsg = CMSG_FIRSTHDR(&msg);
            cmsg->cmsg_level = IPPROTO_IP;
            cmsg->cmsg_type = IP_PKTINFO;
            cmsg->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(cmsg), &pi, sizeof pi);
        } else {
            struct in6_pktinfo pi = {
                .ipi6_addr = ((const struct sockaddr_in6 *) from)->sin6_addr,
            };

            msg.msg_controllen = CMSG_SPACE(sizeof pi);
            cmsg = CMSG_FIRSTHDR(&msg);
            cmsg->cmsg_level = IPPROTO_IPV6;
            cmsg->cmsg_type = IPV6_PKTINFO;
            cmsg->cmsg_len = CMSG_LEN(sizeof pi);
            memcpy(CMSG_DATA(cmsg), &pi, sizeof pi);
        }
    }
    return sendmsg(fd, &msg, MSG_DONTWAIT) < 0 ? errno : 0;
}

/* Answers the BFD control packet in 'pkt' from 'src', which 'src' sent to
 * our address 'to' (its family AF_UNSPEC if not known): the reply goes in
 * VXLAN to the sender's VXLAN port, from 'to', since the sender (OVS's
 * tunnel port) knows its peer by that address only, where the kernel may
 * have chosen another of the host's as the source. */
static void
health_answer(struct receiver *r, const struct sockaddr_storage *src,
              const struct sockaddr_storage *to,
              const struct vxlan_packet *pkt)
{
    if (!receiver_bfd_input(&r->bfd, src, pkt->vni, pkt->frame,
                            pkt->frame_len, time_msec(), &r->health_reply)) {
        return;
    }

    struct sockaddr_storage dst = *src;
    int v6 = dst.ss_family == AF_INET6;
    socklen_t dst_len;
    if (v6) {
        ((struct sockaddr_in6 *) &dst)->sin6_port = htons(VXLAN_PORT);
        dst_len = sizeof(struct sockaddr_in6);
    } else {
        ((struct sockaddr_in *) &dst)->sin_port = htons(VXLAN_PORT);
        dst_len = sizeof(struct sockaddr_in);
    }
    if (r->health_fd[v6] < 0) {
        r->health_fd[v6] = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        if (r->health_fd[v6] < 0) {
            VLOG_WARN_RL(&recv_rl, "health: socket failed (%s)",
                         ovs_strerror(errno));
            return;
        }
    }
    int error = health_send(r->health_fd[v6], &r->health_reply, &dst,
                            dst_len, to);
    if (error) {
        VLOG_WARN_RL(&recv_rl, "health: sendmsg failed (%s)",
                     ovs_strerror(error));
    }
}

/* Checks the source, decodes, counts, filters and outputs one datagram.
 * Nothing is tabled for a datagram from a source that --from refuses, nor
 * per VNI for a VNI outside --vni: the tables, bounded anyway, hold only
 * what the user asked for. */
static void
handle_datagram(struct receiver *r, const uint8_t *data, size_t len,
                const struct sockaddr_storage *src,
                const struct sockaddr_storage *dst,
                const struct timespec *ts)
{
    struct receiver_counters *c = &r->counters;
    struct receiver_source_counters *sc;
    struct receiver_vni_counters *vc;
    enum vxlan_decode_result result;
    struct vxlan_packet pkt;

    c->datagrams++;
    c->bytes += len;
    if (!receiver_acl_allows(&r->cfg.from, src)) {
        c->refused++;
        c->refused_bytes += len;
        if (!VLOG_DROP_INFO(&refused_rl)) {
            struct ds s = DS_EMPTY_INITIALIZER;

            frame_format_sockaddr(&s, src, true);
            VLOG_INFO("refused a datagram from %s (not in --from)",
                      ds_cstr(&s));
            ds_destroy(&s);
        }
        return;
    }
    sc = receiver_counters_source(c, src);
    sc->datagrams++;
    sc->bytes += len;
    result = vxlan_decode(data, len, &pkt);
    if (result != VXLAN_DECODE_OK) {
        c->malformed[result]++;
        sc->malformed++;
        VLOG_DBG_RL(&malformed_rl, "malformed datagram (%s)",
                    vxlan_decode_result_name(result));
        return;
    }
    if (r->cfg.health_bfd
        && receiver_bfd_is_control(pkt.frame, pkt.frame_len)) {
        /* A health check, not mirrored traffic: answered and counted
         * apart, never printed or written. */
        health_answer(r, src, dst, &pkt);
        return;
    }
    if (!vni_allowed(&r->cfg, pkt.vni)) {
        c->vni_filtered++;
        return;
    }
    vc = receiver_counters_vni(c, pkt.vni);
    vc->packets++;
    vc->bytes += pkt.frame_len;
    if (!receiver_filter_match(r->cfg.filter, pkt.frame, pkt.frame_len,
                               pkt.orig_len)) {
        c->unmatched++;
        return;
    }
    c->matched++;
    c->matched_bytes += pkt.frame_len;
    vc->matched++;
    output_packet(r, &pkt, &(struct frame_origin) { .ts = *ts, .src = src });
    if (r->cfg.max_packets >= 0 && c->matched >= r->cfg.max_packets) {
        r->count_reached = true;
        r->exiting = true;
    }
}

/* Receives what 'l' has, in batches.  Returns true if the socket may have
 * more to read (the batch limit was reached). */
static bool
receive_batches(struct receiver *r, struct listener *l)
{
    int batch;

    for (batch = 0; batch < BATCHES_PER_RUN && !r->exiting; batch++) {
        int i, n;

        for (i = 0; i < BATCH_SIZE; i++) {
            struct msghdr *msg = &r->msgs[i].msg_hdr;

            msg->msg_name = &r->srcs[i];
            msg->msg_namelen = sizeof r->srcs[i];
            msg->msg_control = r->cmsgs[i];
            msg->msg_controllen = sizeof r->cmsgs[i];
            msg->msg_flags = 0;
        }
        n = recvmmsg(l->fd, r->msgs, BATCH_SIZE, MSG_DONTWAIT, NULL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                VLOG_WARN_RL(&recv_rl, "recvmmsg failed (%s)",
                             ovs_strerror(errno));
            }
            return false;
        }
        for (i = 0; i < n && !r->exiting; i++) {
            struct sockaddr_storage dst;
            struct timespec ts;

            parse_cmsgs(l, &r->msgs[i].msg_hdr, &ts, &dst);
            unmap_ipv4(&r->srcs[i]);
            handle_datagram(r, r->bufs[i], r->msgs[i].msg_len, &r->srcs[i],
                            &dst, &ts);
        }
        if (n < BATCH_SIZE) {
            return false;
        }
    }
    return !r->exiting;
}

/* Handles a datagram that a ring read (see receiver_ring_datagram_cb). */
static bool
ring_datagram_cb(void *r_, const uint8_t *payload, size_t len,
                 const struct sockaddr_storage *src,
                 const struct sockaddr_storage *dst,
                 const struct timespec *ts)
{
    struct receiver *r = r_;

    handle_datagram(r, payload, len, src, dst, ts);
    return !r->count_reached;
}

/* Reads, as the receiver stops, what its rings still hold, also in the
 * blocks that the kernel is filling (see receiver_ring_drain()), unless -c
 * was reached. */
static void
drain_rings(struct receiver *r)
{
    size_t i;

    for (i = 0; i < r->n_listeners && !r->count_reached; i++) {
        if (r->listeners[i].ring) {
            receiver_ring_drain(r->listeners[i].ring, ring_datagram_cb, r);
        }
    }
}

/* Whether 'r' flushes its outputs now: when they are due, or when it is
 * idle ('busy' false) if someone may be watching them as they come. */
static bool
flush_due(const struct receiver *r, bool busy)
{
    return (r->dirty
            && ((!busy && r->cfg.live) || time_msec() >= r->flush_deadline));
}

/* Reads what 'l' has: from its ring if it has one, else from its socket.
 * Returns true if there may be more. */
static bool
receive(struct receiver *r, struct listener *l)
{
    return (l->ring
            ? receiver_ring_run(l->ring, BLOCKS_PER_RUN, ring_datagram_cb, r)
            : receive_batches(r, l));
}

/* Updates the kernel drop counter from every socket, or from every ring
 * (with their freezes) on the ring path.  SO_MEMINFO reports drops that no
 * later datagram has yet carried in SO_RXQ_OVFL. */
static void
update_kernel_drops(struct receiver *r)
{
    uint64_t total = 0;
    size_t i;

    if (r->ring) {
        /* The UDP sockets' filter drops every datagram by design: the
         * kernel drops that count are the rings', of every worker. */
        size_t w;

        memset(&r->ring_stats, 0, sizeof r->ring_stats);
        for (w = 0; w <= r->n_others; w++) {
            const struct receiver *wr = w ? r->others[w - 1] : r;

            for (i = 0; i < wr->n_listeners; i++) {
                struct receiver_ring_stats st;

                receiver_ring_get_stats(wr->listeners[i].ring, &st);
                r->ring_stats.drops += st.drops;
                r->ring_stats.freezes += st.freezes;
            }
        }
        r->counters.kernel_drops = r->ring_stats.drops;
        return;
    }
    for (i = 0; i < r->n_listeners; i++) {
        struct listener *l = &r->listeners[i];
        uint32_t meminfo[SK_MEMINFO_VARS];
        socklen_t len = sizeof meminfo;
        uint32_t drops = l->kernel_drops;

        if (!getsockopt(l->fd, SOL_SOCKET, SO_MEMINFO, meminfo, &len)
            && len > SK_MEMINFO_DROPS * sizeof(uint32_t)) {
            drops = MAX(drops, meminfo[SK_MEMINFO_DROPS]);
        }
        total += drops;
    }
    r->counters.kernel_drops = total;
}

static void
flush_outputs(struct receiver *r)
{
    int error;

    if (r->pcap && (error = capture_writer_flush(r->pcap))) {
        fatal_write_error(capture_writer_file_name(r->pcap), error);
    }
    if (r->pcapng && (error = capture_writer_flush(r->pcapng))) {
        fatal_write_error(capture_writer_file_name(r->pcapng), error);
    }
    if (r->cfg.print != PRINT_NONE && fflush(stdout)) {
        fatal_write_error("standard output", errno);
    }
    r->dirty = false;
}

/* The receiver's state as JSON: its counters, the addresses that it
 * listens on and how many packets it wrote to each file. */
/* What the reports show: the counters of every worker. */
struct receiver_totals {
    struct receiver_counters counters;
    uint64_t pcap_written, pcapng_written;
};

/* Stores in '*t' the counters of 'r' and of its other workers, to free
 * with receiver_counters_destroy(&t->counters). */
static void
receiver_totals(struct receiver *r, struct receiver_totals *t)
{
    size_t i;

    update_kernel_drops(r);
    receiver_counters_init(&t->counters, r->cfg.max_vnis,
                           r->cfg.max_sources);
    receiver_counters_add(&t->counters, &r->counters);
    t->pcap_written = r->pcap_written;
    t->pcapng_written = r->pcapng_written;
    for (i = 0; i < r->n_others && !r->others_added; i++) {
        struct receiver *w = r->others[i];

        ovs_mutex_lock(&w->mutex);
        receiver_counters_add(&t->counters, &w->counters);
        t->pcap_written += w->pcap_written;
        t->pcapng_written += w->pcapng_written;
        ovs_mutex_unlock(&w->mutex);
    }
}

static struct json *
receiver_to_json(struct receiver *r)
{
    struct json *json, *listen = json_array_create_empty();
    struct ds s = DS_EMPTY_INITIALIZER;
    struct receiver_totals t;
    size_t i;

    receiver_totals(r, &t);
    json = receiver_counters_to_json(&t.counters);
    for (i = 0; i < r->n_listeners; i++) {
        ds_clear(&s);
        frame_format_sockaddr(&s, &r->listeners[i].addr, true);
        json_array_add(listen, json_string_create(ds_cstr(&s)));
    }
    json_object_put(json, "listen", listen);
    json_object_put_string(json, "capture", r->ring ? "ring" : "socket");
    if (r->ring) {
        json_object_put(json, "ring_drops",
                        json_integer_create(r->ring_stats.drops));
        json_object_put(json, "ring_freezes",
                        json_integer_create(r->ring_stats.freezes));
        json_object_put(json, "ring_timeout_ms",
                        json_integer_create(r->cfg.ring_timeout));
    }
    json_object_put(json, "workers", json_integer_create(r->cfg.n_workers));
    if (r->cfg.pcap_file) {
        json_object_put(json, "pcap_written",
                        json_integer_create(t.pcap_written));
    }
    if (r->cfg.pcapng_file) {
        json_object_put(json, "pcapng_written",
                        json_integer_create(t.pcapng_written));
    }
    if (r->cfg.health_bfd) {
        json_object_put(json, "health", receiver_bfd_to_json(&r->bfd));
    }
    receiver_counters_destroy(&t.counters);
    ds_destroy(&s);
    return json;
}

static void
receiver_format(struct receiver *r, struct ds *ds)
{
    struct receiver_totals t;
    size_t i;

    receiver_totals(r, &t);
    for (i = 0; i < r->n_listeners; i++) {
        ds_put_cstr(ds, "listening on ");
        frame_format_sockaddr(ds, &r->listeners[i].addr, true);
        ds_put_char(ds, '\n');
    }
    ds_put_format(ds, "capture: %s", r->ring ? "ring" : "socket");
    if (r->cfg.n_workers > 1) {
        ds_put_format(ds, ", %"PRIuSIZE" workers", r->cfg.n_workers);
    }
    ds_put_char(ds, '\n');
    if (r->ring) {
        ds_put_format(ds, "ring-drops: %"PRIu64", freezes %"PRIu64", "
                      "block timeout %u ms\n", r->ring_stats.drops,
                      r->ring_stats.freezes, r->cfg.ring_timeout);
    }
    receiver_counters_format(&t.counters, ds);
    if (r->cfg.pcap_file) {
        ds_put_format(ds, "pcap written: %"PRIu64"\n", t.pcap_written);
    }
    if (r->cfg.pcapng_file) {
        ds_put_format(ds, "pcapng written: %"PRIu64"\n", t.pcapng_written);
    }
    if (r->cfg.health_bfd) {
        receiver_bfd_format(&r->bfd, ds);
    }
    receiver_counters_destroy(&t.counters);
}

static void
receiver_unixctl_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *r_)
{
    struct ds ds = DS_EMPTY_INITIALIZER;

    receiver_format(r_, &ds);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
receiver_unixctl_show_json(struct unixctl_conn *conn, int argc OVS_UNUSED,
                           const char *argv[] OVS_UNUSED, void *r_)
{
    struct json *json = receiver_to_json(r_);
    char *s = json_to_string(json, JSSF_SORT);

    unixctl_command_reply(conn, s);
    free(s);
    json_destroy(json);
}

static void
receiver_unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *r_)
{
    struct receiver *r = r_;

    r->exiting = true;
    unixctl_command_reply(conn, NULL);
}

/* Checks the expectations, reporting each that fails on stderr and in the
 * log.  Returns true if they all hold. */
static bool
check_expectations(const struct receiver *r)
{
    const struct expectations *e = &r->cfg.expect;
    const struct receiver_counters *c = &r->counters;
    uint64_t others = (c->refused + c->vni_filtered + c->unmatched
                       + receiver_counters_n_malformed(c));
    uint64_t n = c->matched;
    bool ok = true;

    if (e->vni_set) {
        /* main() tabled the expected VNI first: it has its own entry. */
        const struct receiver_vni_counters *v
            = receiver_counters_find_vni(c, e->vni);

        n = v ? v->matched : 0;
        others += c->matched - n;
    }
#define EXPECTATION_FAILED(...)                         \
    do {                                                \
        char *msg_ = xasprintf(__VA_ARGS__);            \
        fprintf(stderr, "expectation failed: %s\n", msg_);      \
        VLOG_WARN("expectation failed: %s", msg_);      \
        free(msg_);                                     \
        ok = false;                                     \
    } while (0)
    if (e->min >= 0 && n < e->min) {
        EXPECTATION_FAILED("at least %lld packets, got %"PRIu64, e->min, n);
    }
    if (e->exactly >= 0 && n != e->exactly) {
        EXPECTATION_FAILED("exactly %lld packets, got %"PRIu64,
                           e->exactly, n);
    }
    if (e->max >= 0 && n > e->max) {
        EXPECTATION_FAILED("at most %lld packets, got %"PRIu64, e->max, n);
    }
    if (e->only && others) {
        EXPECTATION_FAILED("nothing else, got %"PRIu64" other datagrams",
                           others);
    }
#undef EXPECTATION_FAILED
    return ok;
}

/* Closes the capture files of 'r'. */
static void
close_writers(struct receiver *r)
{
    int error;

    if (r->pcap && (error = capture_writer_close(r->pcap))) {
        VLOG_ERR("pcap: write failed (%s)", ovs_strerror(error));
    }
    r->pcap = NULL;
    if (r->pcapng && (error = capture_writer_close(r->pcapng))) {
        VLOG_ERR("pcapng: write failed (%s)", ovs_strerror(error));
    }
    r->pcapng = NULL;
}

/* Flushes and closes the outputs, reports the counters (stderr, log and
 * --stats-file) and exits with the status that the expectations give. */
OVS_NO_RETURN static void
finish(struct receiver *r)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t i;

    /* The other workers stop, and their counters join the first's.  Each
     * reads what its rings still hold. */
    atomic_store(&workers_stop, true);
    drain_rings(r);
    for (i = 0; i < r->n_others; i++) {
        struct receiver *w = r->others[i];

        xpthread_join(w->thread, NULL);
        close_writers(w);
        receiver_counters_add(&r->counters, &w->counters);
        r->pcap_written += w->pcap_written;
        r->pcapng_written += w->pcapng_written;
    }
    r->others_added = true;
    close_writers(r);
    fflush(stdout);

    receiver_format(r, &ds);
    fputs(ds_cstr(&ds), stderr);
    VLOG_INFO("exiting; counters:\n%s", ds_cstr(&ds));
    ds_destroy(&ds);
    if (r->cfg.stats_file) {
        struct json *json = receiver_to_json(r);
        char *s = json_to_string(json, JSSF_SORT);
        int fd = open(r->cfg.stats_file,
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                      r->cfg.file_mode);
        FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

        if (!f && fd >= 0) {
            close(fd);
        }
        if (!f || fprintf(f, "%s\n", s) < 0 || fclose(f)) {
            VLOG_ERR("%s: cannot write statistics (%s)", r->cfg.stats_file,
                     ovs_strerror(errno));
        }
        free(s);
        json_destroy(json);
    }
    exit(check_expectations(r) ? EXIT_SUCCESS : 2);
}

/* Runs at SIGINT or SIGTERM: the receiver stops as it does at "exit". */
static void
fatal_signal_hook(void *r)
{
    finish(r);
}

static struct capture_writer *
open_writer(struct capture_writer_options *opts, const char *file_name,
            enum capture_format format)
{
    struct capture_writer *w;
    char *error;

    opts->format = format;
    opts->file_name = file_name;
    opts->application = "ovs-vtap-receiver " OVS_VTAP_VERSION;
    error = capture_writer_open(opts, &w);
    if (error) {
        ovs_fatal(0, "%s", error);
    }
    return w;
}

/* The loop of a worker other than the first: reads its rings, holding
 * its mutex while it reads a run of blocks, and flushes its files. */
static void *
worker_main(void *w_)
{
    struct receiver *w = w_;

    while (!atomic_load(&workers_stop)) {
        bool busy = false;
        size_t i;

        ovs_mutex_lock(&w->mutex);
        for (i = 0; i < w->n_listeners; i++) {
            busy |= receive(w, &w->listeners[i]);
        }
        if (flush_due(w, busy)) {
            flush_outputs(w);
        }
        ovs_mutex_unlock(&w->mutex);
        if (busy) {
            poll_immediate_wake();
        }
        for (i = 0; i < w->n_listeners; i++) {
            receiver_ring_wait(w->listeners[i].ring);
        }
        /* To flush by the deadline (at most FLUSH_MSEC away), and to see
         * 'workers_stop'. */
        poll_timer_wait(FLUSH_MSEC);
        poll_block();
    }
    ovs_mutex_lock(&w->mutex);
    drain_rings(w);
    ovs_mutex_unlock(&w->mutex);
    return NULL;
}

/* Returns the name of the file that worker 'index' writes for 'name':
 * 'name' for the first, "NAME.INDEX" for the others. */
static char *
worker_file_name(const char *name, size_t index)
{
    return index ? xasprintf("%s.%"PRIuSIZE, name, index) : xstrdup(name);
}

/* With --workers N, puts the rings of 'r' in fanout groups and starts the
 * other N - 1 workers, each with rings of its own in those groups.  Dies
 * if the rings cannot be had. */
static void
start_workers(struct receiver *r)
{
    uint32_t groups[MAX_LISTENERS];
    size_t i, k;

    if (!r->ring) {
        ovs_fatal(0, "--workers %"PRIuSIZE": more than one worker needs "
                  "the ring path (CAP_NET_RAW)", r->cfg.n_workers);
    }
    for (i = 0; i < r->n_listeners; i++) {
        int error;

        groups[i] = RECEIVER_RING_NEW_GROUP;
        error = receiver_ring_join_fanout(r->listeners[i].ring, &groups[i]);
        if (error) {
            ovs_fatal(error, "--workers: cannot make a fanout group");
        }
    }
    r->n_others = r->cfg.n_workers - 1;
    r->others = xcalloc(r->n_others, sizeof *r->others);
    for (k = 1; k <= r->n_others; k++) {
        struct receiver *w = xzalloc(sizeof *w);

        w->cfg = r->cfg;
        receiver_counters_init(&w->counters, r->cfg.max_vnis,
                               r->cfg.max_sources);
        ds_init(&w->line);
        health_init(w);
        ovs_mutex_init(&w->mutex);
        w->ring = true;
        w->n_listeners = r->n_listeners;
        for (i = 0; i < r->n_listeners; i++) {
            struct listener *l = &w->listeners[i];
            int error;

            l->fd = -1;
            l->addr = r->listeners[i].addr;
            error = receiver_ring_open(&l->addr, r->cfg.rcvbuf,
                                       r->cfg.ring_timeout, &l->ring);
            if (!error) {
                error = receiver_ring_join_fanout(l->ring, &groups[i]);
            }
            if (error) {
                ovs_fatal(error, "--workers: cannot open worker %"PRIuSIZE
                          "'s ring", k);
            }
        }
        if (r->cfg.pcap_file) {
            w->pcap = open_writer(&w->cfg.pcap,
                                  worker_file_name(r->cfg.pcap_file, k),
                                  CAPTURE_PCAP);
        }
        if (r->cfg.pcapng_file) {
            w->pcapng = open_writer(&w->cfg.pcapng,
                                    worker_file_name(r->cfg.pcapng_file, k),
                                    CAPTURE_PCAPNG);
        }
        r->others[k - 1] = w;
    }
    for (k = 0; k < r->n_others; k++) {
        r->others[k]->thread = ovs_thread_create("worker", worker_main,
                                                 r->others[k]);
    }
    VLOG_INFO("%"PRIuSIZE" workers, in fanout groups", r->cfg.n_workers);
}

int
main(int argc, char *argv[])
{
    struct receiver *r = &receiver;
    struct unixctl_server *unixctl;
    size_t i;
    int error;

    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    /* The console is for the frames and the counters: only warnings and
     * errors go there unless -v asks for more. */
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    parse_options(argc, argv, &r->cfg);

    /* With --user, the ring path keeps CAP_NET_RAW (and the other network
     * capabilities that Open vSwitch keeps for a datapath) to open its
     * rings; the socket path keeps only what Open vSwitch keeps for every
     * daemon (low ports, locked memory). */
    daemonize_start(r->cfg.capture != CAPTURE_SOCKET);
    receiver_counters_init(&r->counters, r->cfg.max_vnis,
                           r->cfg.max_sources);
    if (r->cfg.expect.vni_set) {
        receiver_counters_vni(&r->counters, r->cfg.expect.vni);
    }
    ds_init(&r->line);
    health_init(r);
    r->bufs = xmalloc(BATCH_SIZE * sizeof *r->bufs);
    for (i = 0; i < BATCH_SIZE; i++) {
        r->iovs[i].iov_base = r->bufs[i];
        r->iovs[i].iov_len = MAX_DATAGRAM;
        r->msgs[i].msg_hdr.msg_iov = &r->iovs[i];
        r->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    if (!r->cfg.n_listen) {
        r->cfg.listen[r->cfg.n_listen++] = xstrdup("0.0.0.0");
    }
    for (i = 0; i < r->cfg.n_listen; i++) {
        open_listener(r, r->cfg.listen[i]);
    }
    if (r->cfg.capture != CAPTURE_SOCKET) {
        open_rings(r);
    }
    VLOG_INFO("capture: %s", r->ring ? "ring" : "socket");
    for (i = 0; i < r->n_listeners; i++) {
        struct ds s = DS_EMPTY_INITIALIZER;

        frame_format_sockaddr(&s, &r->listeners[i].addr, true);
        /* Tests read the port that "-l ADDRESS:0" picked from here.  A
         * detached receiver prints nothing: its parent's standard error
         * belongs to whoever started it, who has the log. */
        if (!get_detach()) {
            fprintf(stderr, "listening on %s\n", ds_cstr(&s));
        }
        VLOG_INFO("listening on %s", ds_cstr(&s));
        ds_destroy(&s);
    }
    if (r->cfg.pcap_file) {
        r->pcap = open_writer(&r->cfg.pcap, r->cfg.pcap_file, CAPTURE_PCAP);
    }
    if (r->cfg.pcapng_file) {
        r->pcapng = open_writer(&r->cfg.pcapng, r->cfg.pcapng_file,
                                CAPTURE_PCAPNG);
    }
    if (r->cfg.n_workers > 1) {
        start_workers(r);
    }
    if (r->cfg.print != PRINT_NONE) {
        setvbuf(stdout, NULL, _IOFBF, 256 * 1024);
    }

    error = unixctl_server_create(r->cfg.unixctl_path, &unixctl);
    if (error) {
        ovs_fatal(error, "cannot create unixctl server");
    }
    unixctl_command_register("receiver/show", "", 0, 0,
                             receiver_unixctl_show, r);
    unixctl_command_register("receiver/show-json", "", 0, 0,
                             receiver_unixctl_show_json, r);
    unixctl_command_register("exit", "", 0, 0, receiver_unixctl_exit, r);
    fatal_signal_add_hook(fatal_signal_hook, NULL, r, false);
    daemonize_complete();

    r->deadline = (r->cfg.duration > 0
                   ? time_msec() + (long long int) (r->cfg.duration * 1000)
                   : LLONG_MAX);
    while (!r->exiting) {
        bool busy = false;

        unixctl_server_run(unixctl);
        for (i = 0; i < r->n_listeners && !r->exiting; i++) {
            busy |= receive(r, &r->listeners[i]);
        }
        if (time_msec() >= r->deadline) {
            r->exiting = true;
        }
        if (r->exiting) {
            break;
        }
        if (flush_due(r, busy)) {
            flush_outputs(r);
        }
        if (busy) {
            poll_immediate_wake();
        }
        for (i = 0; i < r->n_listeners; i++) {
            if (r->listeners[i].ring) {
                receiver_ring_wait(r->listeners[i].ring);
            } else {
                poll_fd_wait(r->listeners[i].fd, POLLIN);
            }
        }
        if (r->deadline != LLONG_MAX) {
            poll_timer_wait_until(r->deadline);
        }
        if (r->dirty) {
            poll_timer_wait_until(r->flush_deadline);
        }
        if (r->cfg.health_bfd) {
            /* BFD sessions whose sender went silent go down. */
            receiver_bfd_run(&r->bfd, time_msec());
            poll_timer_wait(100);
        }
        unixctl_server_wait(unixctl);
        poll_block();
        if (!busy && !r->ring) {
            /* Woken from idle: let datagrams gather for a moment, so that
             * each wake-up and recvmmsg() serves many of them rather than
             * one, as a ring's block timeout does on the ring path. */
            xnanosleep_no_quiesce(COALESCE_NSEC);
        }
    }
    unixctl_server_destroy(unixctl);
    finish(r);
}

/* Parses an integer option from 'min' to 'max' or dies naming it. */
static long long int
parse_range(const char *option, const char *arg, long long int min,
            long long int max)
{
    long long int value;

    if (!str_to_llong(arg, 10, &value) || value < min || value > max) {
        ovs_fatal(0, "%s: \"%s\" is not a number from %lld to %lld",
                  option, arg, min, max);
    }
    return value;
}

/* Parses a non-negative integer option or dies naming it. */
static long long int
parse_count(const char *option, const char *arg, long long int max)
{
    return parse_range(option, arg, 0, max);
}

/* Returns the strings in null-terminated 'args' joined by spaces (to free),
 * as tcpdump joins the words of its filter expression. */
static char *
join_args(char **args)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (; *args; args++) {
        if (s.length) {
            ds_put_char(&s, ' ');
        }
        ds_put_cstr(&s, *args);
    }
    return ds_steal_cstr(&s);
}

static int
compare_uint32s(const void *a_, const void *b_)
{
    const uint32_t *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Parses "--vni 100,200-210" into the sorted allow-list of 'cfg'. */
static void
parse_vni_list(struct receiver_config *cfg, const char *arg)
{
    char *copy = xstrdup(arg);
    char *save_ptr = NULL;
    char *item;

    for (item = strtok_r(copy, ",", &save_ptr); item;
         item = strtok_r(NULL, ",", &save_ptr)) {
        char *dash = strchr(item, '-');
        long long int lo, hi, v;

        if (dash) {
            *dash = '\0';
        }
        lo = parse_count("--vni", item, 0xffffff);
        hi = dash ? parse_count("--vni", dash + 1, 0xffffff) : lo;
        if (hi < lo || hi - lo > 65535) {
            ovs_fatal(0, "--vni: range \"%s-%s\" is empty or larger than "
                      "65536 VNIs", item, dash + 1);
        }
        for (v = lo; v <= hi; v++) {
            cfg->vnis = xrealloc(cfg->vnis,
                                 (cfg->n_vnis + 1) * sizeof *cfg->vnis);
            cfg->vnis[cfg->n_vnis++] = v;
        }
    }
    free(copy);
    if (!cfg->n_vnis) {
        ovs_fatal(0, "--vni: \"%s\" names no VNI", arg);
    }
    qsort(cfg->vnis, cfg->n_vnis, sizeof *cfg->vnis, compare_uint32s);
}

/* Returns 'name' made absolute, since --detach changes directory, or "-"
 * for standard output. */
static char *
capture_file_name(const char *name)
{
    return strcmp(name, "-") ? abs_file_name(NULL, name) : xstrdup(name);
}

static void
parse_options(int argc, char *argv[], struct receiver_config *cfg)
{
    enum {
        OPT_PCAPNG = UCHAR_MAX + 1,
        OPT_JSON,
        OPT_PRINT,
        OPT_VNI,
        OPT_FROM,
        OPT_MATCH,
        OPT_MAX_VNIS,
        OPT_MAX_SOURCES,
        OPT_DURATION,
        OPT_RCVBUF,
        OPT_RING_TIMEOUT,
        OPT_CAPTURE,
        OPT_WORKERS,
        OPT_SNAPLEN,
        OPT_STATS_FILE,
        OPT_FILE_MODE,
        OPT_UNIXCTL,
        OPT_EXPECT_MIN,
        OPT_EXPECT_EXACTLY,
        OPT_EXPECT_MAX,
        OPT_EXPECT_VNI,
        OPT_EXPECT_ONLY,
        OPT_HEALTH,
        DAEMON_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"listen", required_argument, NULL, 'l'},
        {"write", required_argument, NULL, 'w'},
        {"pcapng", required_argument, NULL, OPT_PCAPNG},
        {"file-size", required_argument, NULL, 'C'},
        {"rotate-seconds", required_argument, NULL, 'G'},
        {"file-count", required_argument, NULL, 'W'},
        {"snaplen", required_argument, NULL, OPT_SNAPLEN},
        {"quiet", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, OPT_JSON},
        {"print", no_argument, NULL, OPT_PRINT},
        {"vni", required_argument, NULL, OPT_VNI},
        {"from", required_argument, NULL, OPT_FROM},
        {"match", required_argument, NULL, OPT_MATCH},
        {"max-vnis", required_argument, NULL, OPT_MAX_VNIS},
        {"max-sources", required_argument, NULL, OPT_MAX_SOURCES},
        {"count", required_argument, NULL, 'c'},
        {"duration", required_argument, NULL, OPT_DURATION},
        {"rcvbuf", required_argument, NULL, OPT_RCVBUF},
        {"ring-timeout", required_argument, NULL, OPT_RING_TIMEOUT},
        {"capture", required_argument, NULL, OPT_CAPTURE},
        {"workers", required_argument, NULL, OPT_WORKERS},
        {"stats-file", required_argument, NULL, OPT_STATS_FILE},
        {"file-mode", required_argument, NULL, OPT_FILE_MODE},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"expect-min", required_argument, NULL, OPT_EXPECT_MIN},
        {"expect-exactly", required_argument, NULL, OPT_EXPECT_EXACTLY},
        {"expect-max", required_argument, NULL, OPT_EXPECT_MAX},
        {"expect-vni", required_argument, NULL, OPT_EXPECT_VNI},
        {"expect-only", no_argument, NULL, OPT_EXPECT_ONLY},
        {"health", required_argument, NULL, OPT_HEALTH},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        DAEMON_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);
    struct expectations *e = &cfg->expect;
    char *filter_text = NULL;
    uint64_t rotate_bytes = 0;
    unsigned int rotate_secs = 0, max_files = 0, snaplen = 0;
    unsigned int file_mode = 0640;

    cfg->rcvbuf = DEFAULT_RCVBUF;
    cfg->n_workers = 1;
    cfg->print = PRINT_TEXT;
    cfg->max_packets = -1;
    cfg->max_vnis = DEFAULT_MAX_VNIS;
    cfg->max_sources = DEFAULT_MAX_SOURCES;
    e->min = e->exactly = e->max = -1;

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);

        if (c == -1) {
            break;
        }
        switch (c) {
        case 'l':
            if (cfg->n_listen >= MAX_LISTENERS) {
                ovs_fatal(0, "-l: at most %d addresses", MAX_LISTENERS);
            }
            cfg->listen[cfg->n_listen++] = xstrdup(optarg);
            break;
        case 'w':
            free(cfg->pcap_file);
            cfg->pcap_file = capture_file_name(optarg);
            break;
        case OPT_PCAPNG:
            free(cfg->pcapng_file);
            cfg->pcapng_file = capture_file_name(optarg);
            break;
        case 'C':
            rotate_bytes = parse_count("-C", optarg, 1000000) * 1000000;
            if (!rotate_bytes) {
                ovs_fatal(0, "-C: the size must be at least 1 (million "
                          "bytes)");
            }
            break;
        case 'G':
            rotate_secs = parse_count("-G", optarg, INT_MAX);
            break;
        case 'W':
            max_files = parse_count("-W", optarg, INT_MAX);
            break;
        case OPT_SNAPLEN:
            snaplen = parse_count("--snaplen", optarg, 262144);
            break;
        case 'q':
            cfg->print = PRINT_NONE;
            cfg->print_explicit = true;
            break;
        case OPT_JSON:
            cfg->print = PRINT_JSON;
            cfg->print_explicit = true;
            break;
        case OPT_PRINT:
            cfg->print = PRINT_TEXT;
            cfg->print_explicit = true;
            break;
        case OPT_VNI:
            parse_vni_list(cfg, optarg);
            break;
        case OPT_FROM: {
            char *error = receiver_acl_parse(&cfg->from, optarg);

            if (error) {
                ovs_fatal(0, "--from: %s", error);
            }
            break;
        }
        case OPT_MATCH:
            free(filter_text);
            filter_text = xstrdup(optarg);
            break;
        case OPT_MAX_VNIS:
            cfg->max_vnis = parse_range("--max-vnis", optarg, 1, 0x1000000);
            break;
        case OPT_MAX_SOURCES:
            cfg->max_sources = parse_range("--max-sources", optarg, 1,
                                           INT_MAX);
            break;
        case 'c':
            /* Refused as tcpdump refuses it ("invalid packet count"):
             * without -c the receiver runs until stopped. */
            cfg->max_packets = parse_range("-c", optarg, 1, LLONG_MAX);
            break;
        case OPT_DURATION: {
            char *end;

            cfg->duration = strtod(optarg, &end);
            if (*end || !(cfg->duration > 0) || !isfinite(cfg->duration)) {
                ovs_fatal(0, "--duration: \"%s\" is not a positive number "
                          "of seconds", optarg);
            }
            break;
        }
        case OPT_RCVBUF:
            cfg->rcvbuf = parse_count("--rcvbuf", optarg, INT_MAX / 2);
            break;
        case OPT_RING_TIMEOUT:
            cfg->ring_timeout = parse_range("--ring-timeout", optarg, 1,
                                            1000);
            break;
        case OPT_CAPTURE:
            if (!strcmp(optarg, "auto")) {
                cfg->capture = CAPTURE_AUTO;
            } else if (!strcmp(optarg, "ring")) {
                cfg->capture = CAPTURE_RING;
            } else if (!strcmp(optarg, "socket")) {
                cfg->capture = CAPTURE_SOCKET;
            } else {
                ovs_fatal(0, "--capture: \"%s\" is not auto, ring or "
                          "socket", optarg);
            }
            break;
        case OPT_WORKERS:
            cfg->n_workers = parse_range("--workers", optarg, 1, MAX_WORKERS);
            break;
        case OPT_STATS_FILE:
            free(cfg->stats_file);
            cfg->stats_file = abs_file_name(NULL, optarg);
            break;
        case OPT_FILE_MODE: {
            char *end;
            unsigned long int mode = strtoul(optarg, &end, 8);

            if (!optarg[0] || *end || mode > 0777) {
                ovs_fatal(0, "--file-mode: \"%s\": not an octal mode 0 to "
                          "0777", optarg);
            }
            if (!mode) {
                ovs_fatal(0, "--file-mode: 0 would make files that nobody "
                          "can read");
            }
            file_mode = mode;
            break;
        }
        case OPT_UNIXCTL:
            free(cfg->unixctl_path);
            cfg->unixctl_path = xstrdup(optarg);
            break;
        case OPT_EXPECT_MIN:
            e->min = parse_count("--expect-min", optarg, LLONG_MAX);
            break;
        case OPT_EXPECT_EXACTLY:
            e->exactly = parse_count("--expect-exactly", optarg, LLONG_MAX);
            break;
        case OPT_EXPECT_MAX:
            e->max = parse_count("--expect-max", optarg, LLONG_MAX);
            break;
        case OPT_EXPECT_VNI:
            e->vni = parse_count("--expect-vni", optarg, 0xffffff);
            e->vni_set = true;
            break;
        case OPT_EXPECT_ONLY:
            e->only = true;
            break;
        case OPT_HEALTH:
            if (strcmp(optarg, "bfd")) {
                ovs_fatal(0, "--health: \"%s\": unknown health check "
                          "(only \"bfd\")", optarg);
            }
            cfg->health_bfd = true;
            break;

        case 'h':
            usage();
        case 'V':
            printf("%s (ovs-vtap) %s\n", program_name, OVS_VTAP_VERSION);
            exit(EXIT_SUCCESS);
        DAEMON_OPTION_HANDLERS
        VLOG_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);

    /* The filter: --match, or as with tcpdump the arguments that follow the
     * options, joined by spaces. */
    if (optind < argc) {
        if (filter_text) {
            ovs_fatal(0, "\"%s\": a filter given both with --match and as "
                      "arguments", argv[optind]);
        }
        filter_text = join_args(argv + optind);
    }
    if (filter_text) {
        char *error = receiver_filter_compile(filter_text, &cfg->filter);

        if (error) {
            ovs_fatal(0, "filter \"%s\": %s", filter_text, error);
        }
        free(filter_text);
    }

    /* --expect-vni alone asks for at least one packet on that VNI. */
    if (e->vni_set && e->min < 0 && e->exactly < 0 && e->max < 0) {
        e->min = 1;
    }
    if ((rotate_bytes || rotate_secs || max_files)
        && !cfg->pcap_file && !cfg->pcapng_file) {
        ovs_fatal(0, "-C, -G and -W need -w or --pcapng");
    }
    if (max_files && !rotate_bytes && !rotate_secs) {
        ovs_fatal(0, "-W: a file count needs rotation by -C or -G");
    }
    cfg->pcap = (struct capture_writer_options) {
        .rotate_bytes = rotate_bytes, .rotate_secs = rotate_secs,
        .max_files = max_files, .snaplen = snaplen,
        .file_mode = file_mode,
    };
    cfg->file_mode = file_mode;
    cfg->pcapng = cfg->pcap;

    /* Like tcpdump, do not print lines while writing a capture unless
     * asked, and never mix them into a capture on standard output. */
    if (cfg->pcap_file || cfg->pcapng_file) {
        bool to_stdout = ((cfg->pcap_file && !strcmp(cfg->pcap_file, "-"))
                          || (cfg->pcapng_file
                              && !strcmp(cfg->pcapng_file, "-")));

        if (cfg->pcap_file && cfg->pcapng_file && to_stdout) {
            ovs_fatal(0, "-w - and --pcapng -: only one capture may go to "
                      "standard output");
        }
        if (to_stdout && cfg->print_explicit
            && cfg->print != PRINT_NONE) {
            ovs_fatal(0, "--print and --json cannot share standard output "
                      "with a capture written to \"-\"");
        }
        if (!cfg->print_explicit || to_stdout) {
            cfg->print = PRINT_NONE;
        }
    }

    /* Someone may watch lines or a capture on standard output as they
     * come, and a health check waits for its answer. */
    cfg->live = (cfg->print != PRINT_NONE || cfg->health_bfd
                 || (cfg->pcap_file && !strcmp(cfg->pcap_file, "-"))
                 || (cfg->pcapng_file && !strcmp(cfg->pcapng_file, "-")));
    if (!cfg->ring_timeout) {
        cfg->ring_timeout = (cfg->live ? LIVE_RING_TIMEOUT_MSEC
                             : QUIET_RING_TIMEOUT_MSEC);
    } else if (cfg->capture == CAPTURE_SOCKET) {
        ovs_fatal(0, "--ring-timeout: --capture=socket has no ring");
    }

    /* Workers write files of their own, and neither share standard output
     * nor a packet count. */
    if (cfg->n_workers > 1) {
        if (cfg->print != PRINT_NONE) {
            ovs_fatal(0, "--workers %"PRIuSIZE": lines on standard output "
                      "need one worker (use -q, -w or --pcapng)",
                      cfg->n_workers);
        }
        if ((cfg->pcap_file && !strcmp(cfg->pcap_file, "-"))
            || (cfg->pcapng_file && !strcmp(cfg->pcapng_file, "-"))) {
            ovs_fatal(0, "--workers %"PRIuSIZE": a capture on standard "
                      "output needs one worker", cfg->n_workers);
        }
        if (cfg->max_packets >= 0) {
            ovs_fatal(0, "--workers %"PRIuSIZE": -c needs one worker",
                      cfg->n_workers);
        }
    }
}

static void
usage(void)
{
    printf("%s: the ovs-vtap backend receiver\n"
           "usage: %s [OPTIONS] [EXPRESSION]\n"
           "\nReceives VXLAN (RFC 7348) on UDP and shows, counts and records "
           "the inner frames.\n"
           "\nListening:\n"
           "  -l, --listen=ADDR[:PORT]  listen on ADDR (IPv4, or [IPv6]), "
           "default\n"
           "                            0.0.0.0:%d; PORT 0 picks a free "
           "port; repeatable\n"
           "  --rcvbuf=BYTES            socket buffer or ring size "
           "(default %d)\n"
           "  --capture=auto|ring|socket  read an AF_PACKET ring or the UDP "
           "socket;\n"
           "                            auto: the ring if allowed "
           "(CAP_NET_RAW)\n"
           "  --ring-timeout=MS         hand a ring's block over when "
           "MS old (default 1\n"
           "                            when printing, writing to stdout or "
           "with --health,\n"
           "                            else 100)\n"
           "  --workers=N               N threads on rings in a fanout group "
           "(default 1);\n"
           "                            worker K > 0 writes FILE.K\n"
           "  --vni=LIST                accept only these VNIs "
           "(e.g. 100,200-210)\n"
           "  --health=bfd              answer BFD in VXLAN (the health "
           "check of pool\n"
           "                            targets), counted apart from "
           "mirrored traffic\n"
           "  --from=PREFIX,...         accept datagrams only from these "
           "outer sources\n"
           "                            (IPv4 or IPv6 addresses or "
           "prefixes); count others\n"
           "                            as refused\n"
           "  --match=EXPRESSION        accept only inner frames that match "
           "a libpcap\n"
           "                            filter (pcap-filter(7)), e.g. "
           "'icmp or vlan 10';\n"
           "                            also as the arguments after the "
           "options, as tcpdump\n"
           "  --max-vnis=N              table at most N VNIs (default %d), "
           "then \"other\"\n"
           "  --max-sources=N           table at most N sources "
           "(default %d), then \"other\"\n"
           "\nOutput:\n"
           "  (default)                 a tcpdump-like line per frame on "
           "stdout\n"
           "  --json                    a JSON object per frame instead\n"
           "  -q, --quiet               no line per frame\n"
           "  --print                   lines even while writing a capture\n"
           "  -w, --write=FILE          write pcap (nanoseconds); - for "
           "stdout\n"
           "  --pcapng=FILE             write pcapng (an interface per VNI); "
           "- for stdout\n"
           "  -C, --file-size=N         new file past N million bytes\n"
           "  -G, --rotate-seconds=N    new file every N seconds "
           "(FILE may use strftime)\n"
           "  -W, --file-count=N        with -C or -G, reuse file names after "
           "N files\n"
           "  --snaplen=N               cut frames to N bytes in captures\n"
           "  --stats-file=FILE         write the counters as JSON at exit\n"
           "  --file-mode=MODE          permissions of the files it makes\n"
           "                            (octal, default 0640)\n"
           "\nStopping and expectations (exit status 2 if one fails):\n"
           "  -c, --count=N             stop after N accepted frames\n"
           "  --duration=SECONDS        stop after SECONDS\n"
           "  --expect-min=N            at least N accepted frames\n"
           "  --expect-exactly=N        exactly N accepted frames\n"
           "  --expect-max=N            at most N accepted frames\n"
           "  --expect-vni=VNI          count only accepted frames on VNI "
           "(alone: at least 1)\n"
           "  --expect-only             and nothing else: no other VNI, "
           "filtered or\n"
           "                            malformed datagram\n"
           "\nRuntime management:\n"
           "  --unixctl=SOCKET          control socket (default: in the run "
           "directory)\n"
           "  ovs-appctl -t ovs-vtap-receiver receiver/show | "
           "receiver/show-json | exit\n",
           program_name, program_name, VXLAN_PORT, DEFAULT_RCVBUF,
           DEFAULT_MAX_VNIS, DEFAULT_MAX_SOURCES);
    daemon_usage();
    vlog_usage();
    printf("\nOther options:\n"
           "  -h, --help                display this help message\n"
           "  -V, --version             display version information\n");
    exit(EXIT_SUCCESS);
}

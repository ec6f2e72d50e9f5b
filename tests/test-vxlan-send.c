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

/* test-vxlan-send: sends crafted VXLAN datagrams to a receiver, for the
 * receiver's tests and benchmark.
 *
 * usage: test-vxlan-send [OPTIONS] ADDRESS:PORT
 *   --kind=KIND     inner frame: icmp (echo request, the default),
 *                   icmp-reply, icmp6, tcp, udp, arp, or a malformed
 *                   datagram: short-vxlan, no-i-flag, short-eth,
 *                   short-ip, short-tcp
 *   --vni=N         VNI (default 100)
 *   --vni-count=N   spread the datagrams over N VNIs, VNI to VNI+N-1 in
 *                   turn (default 1)
 *   --src=IP --dst=IP   inner IPv4 or IPv6 addresses (default
 *                   172.16.0.148 > 172.16.0.134, or 2001:db8::1 > ::2)
 *   --count=N       datagrams to send (default 1); the ICMP sequence
 *                   number counts up from 1 in the first batch, which
 *                   later batches repeat
 *   --size=N        inner frame size for icmp, padded (default 98)
 *   --cut=N         cut each inner frame to at most N bytes, as a VTAP's
 *                   max packet size does (the IP length is kept)
 *   --outer-src=IP  send from this local address (default: the kernel's
 *                   choice)
 *   --src-count=N   with an IPv4 --outer-src, send from N addresses in
 *                   turn, --outer-src and those after it (on loopback
 *                   all of 127.0.0.0/8 is local)
 *   --rate=PPS      pace at PPS datagrams a second (default: no pacing)
 *   --batch=N       datagrams per sendmmsg() (default 32)
 *   --sink=SECONDS  instead of sending, bind ADDRESS:PORT (port 0: a free
 *                   one) and hold it for SECONDS without reading (a
 *                   listener for benchmarks); prints "sinking on port N"
 * Prints "sent N" at the end. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "socket-util.h"
#include "util.h"

#define MAX_FRAME 65000         /* A datagram of it fits in IPv4. */
#define MAX_BATCH 256

struct sender {
    const char *kind;
    uint32_t vni;
    uint32_t vni_count;
    size_t cut;                 /* Inner frame cut to this, or 0. */
    uint32_t src_count;
    bool ipv6;
    struct in6_addr src, dst;
    long long count;
    size_t size;
    double rate;
    int batch;
};

static void
die(const char *msg)
{
    fprintf(stderr, "test-vxlan-send: %s\n", msg);
    exit(EXIT_FAILURE);
}

static uint16_t
checksum(const uint8_t *p, size_t len, uint32_t sum)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (len & 1) {
        sum += p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum & 0xffff;
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

/* Sum of the IPv6 pseudo-header for an upper-layer checksum. */
static uint32_t
pseudo_sum6(const uint8_t *ip6, size_t l4_len, uint8_t proto)
{
    uint32_t sum = 0;
    int i;

    for (i = 8; i < 40; i += 2) {
        sum += (ip6[i] << 8) | ip6[i + 1];
    }
    return sum + l4_len + proto;
}

/* Builds datagram 'seq' (VXLAN header and inner frame) into 'buf' and
 * returns its length. */
static size_t
build(const struct sender *s, uint8_t *buf, uint16_t seq)
{
    static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x86 };
    static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0, 0x94 };
    uint8_t *eth = buf + 8, *l3 = eth + 14, *l4;
    const char *kind = s->kind;
    size_t l4_len, len;
    uint8_t proto;

    memset(buf, 0, 8 + (s->size > 128 ? s->size : 128));
    buf[0] = 0x08;
    buf[4] = s->vni >> 16;
    buf[5] = s->vni >> 8;
    buf[6] = s->vni;
    if (!strcmp(kind, "short-vxlan")) {
        return 7;
    } else if (!strcmp(kind, "no-i-flag")) {
        buf[0] = 0;
        kind = "icmp";
    }
    memcpy(eth, dst_mac, 6);
    memcpy(eth + 6, src_mac, 6);
    if (!strcmp(kind, "short-eth")) {
        return 8 + 10;
    }
    if (!strcmp(kind, "arp")) {
        put16(eth + 12, 0x0806);
        memset(eth, 0xff, 6);
        put16(l3, 1);
        put16(l3 + 2, 0x0800);
        l3[4] = 6;
        l3[5] = 4;
        put16(l3 + 6, 1);
        memcpy(l3 + 8, src_mac, 6);
        memcpy(l3 + 14, &s->src.s6_addr[12], 4);
        memcpy(l3 + 24, &s->dst.s6_addr[12], 4);
        return 8 + 14 + 28;
    }

    if (!strcmp(kind, "tcp") || !strcmp(kind, "short-tcp")) {
        proto = 6;
        l4_len = 20;
    } else if (!strcmp(kind, "udp")) {
        proto = 17;
        l4_len = 8 + 4;
    } else {
        proto = s->ipv6 ? 58 : 1;
        l4_len = s->size > 14 + 20 + 8 ? s->size - 14 - (s->ipv6 ? 40 : 20)
                 : 8;
    }
    if (s->ipv6) {
        put16(eth + 12, 0x86dd);
        l3[0] = 0x60;
        put16(l3 + 4, l4_len);
        l3[6] = proto;
        l3[7] = 64;
        memcpy(l3 + 8, &s->src, 16);
        memcpy(l3 + 24, &s->dst, 16);
        l4 = l3 + 40;
    } else {
        put16(eth + 12, 0x0800);
        l3[0] = 0x45;
        put16(l3 + 2, 20 + l4_len);
        put16(l3 + 4, seq);
        l3[8] = 64;
        l3[9] = proto;
        memcpy(l3 + 12, &s->src.s6_addr[12], 4);
        memcpy(l3 + 16, &s->dst.s6_addr[12], 4);
        put16(l3 + 10, checksum(l3, 20, 0));
        l4 = l3 + 20;
    }
    if (!strcmp(kind, "short-ip")) {
        return l3 + 12 - buf;
    }
    if (proto == 6) {
        put16(l4, 40000 + seq % 1000);
        put16(l4 + 2, 22);
        l4[7] = seq;
        l4[12] = 5 << 4;
        l4[13] = 0x02;          /* SYN. */
        put16(l4 + 14, 64240);
        if (!strcmp(kind, "short-tcp")) {
            return l4 + 10 - buf;
        }
    } else if (proto == 17) {
        put16(l4, 33333);
        put16(l4 + 2, 44444);
        put16(l4 + 4, l4_len);
        memcpy(l4 + 8, "vtap", 4);
    } else {
        l4[0] = (!strcmp(kind, "icmp-reply") ? (s->ipv6 ? 129 : 0)
                 : (s->ipv6 ? 128 : 8));
        put16(l4 + 4, 0x1234);
        put16(l4 + 6, seq);
    }
    len = l4 - buf + l4_len;
    if (!s->ipv6) {
        if (proto != 6 && proto != 17) {
            put16(l4 + 2, checksum(l4, l4_len, 0));
        }
    } else {
        size_t ofs = proto == 6 ? 16 : proto == 17 ? 6 : 2;

        put16(l4 + ofs, checksum(l4, l4_len, pseudo_sum6(l3, l4_len,
                                                         proto)));
    }
    return len;
}

/* Sets the VNI and the outer source of datagram number 'index' in 'msg',
 * per --vni-count and --src-count. */
static void
vary(const struct sender *s, struct msghdr *msg,
     const struct sockaddr_storage *bind_addr, long long index)
{
    if (s->vni_count > 1) {
        uint8_t *buf = msg->msg_iov->iov_base;
        uint32_t vni = (s->vni + index % s->vni_count) & 0xffffff;

        buf[4] = vni >> 16;
        buf[5] = vni >> 8;
        buf[6] = vni;
    }
    if (s->src_count > 1) {
        const struct sockaddr_in *sin
            = (const struct sockaddr_in *) bind_addr;
        struct in_pktinfo pi;

        memset(&pi, 0, sizeof pi);
        pi.ipi_spec_dst.s_addr = htonl(ntohl(sin->sin_addr.s_addr)
                                       + index % s->src_count);
        memcpy(CMSG_DATA(CMSG_FIRSTHDR(msg)), &pi, sizeof pi);
    }
}

static void
parse_inet(const char *s, struct in6_addr *addr, bool *ipv6)
{
    struct in_addr a4;

    if (inet_pton(AF_INET, s, &a4) == 1) {
        memset(addr, 0, sizeof *addr);
        addr->s6_addr[10] = addr->s6_addr[11] = 0xff;
        memcpy(&addr->s6_addr[12], &a4, 4);
        *ipv6 = false;
    } else if (inet_pton(AF_INET6, s, addr) == 1) {
        *ipv6 = true;
    } else {
        die("--src/--dst: not an IP address");
    }
}

/* Parses "A.B.C.D:PORT" or "[V6]:PORT". */
static void
parse_target(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    char *copy = xstrdup(s);
    char *colon = strrchr(copy, ':');
    char *host = copy;

    memset(ss, 0, sizeof *ss);
    if (!colon) {
        die("target must be ADDRESS:PORT");
    }
    *colon = '\0';
    if (host[0] == '[') {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

        host++;
        host[strlen(host) - 1] = '\0';
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(atoi(colon + 1));
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
            die("bad IPv6 target");
        }
        *len = sizeof *sin6;
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *) ss;

        sin->sin_family = AF_INET;
        sin->sin_port = htons(atoi(colon + 1));
        if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
            die("bad IPv4 target");
        }
        *len = sizeof *sin;
    }
    free(copy);
}

static double
now_sec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
sink(const struct sockaddr_storage *ss, socklen_t len, double seconds)
{
    int fd = socket(ss->ss_family, SOCK_DGRAM, 0);
    struct timespec ts = { (time_t) seconds,
                           (long) ((seconds - (time_t) seconds) * 1e9) };
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;

    if (fd < 0 || bind(fd, (const struct sockaddr *) ss, len)
        || getsockname(fd, (struct sockaddr *) &bound, &bound_len)) {
        die(ovs_strerror(errno));
    }
    printf("sinking on port %"PRIu16"\n", ss_get_port(&bound));
    fflush(stdout);
    nanosleep(&ts, NULL);
    return 0;
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        {"kind", required_argument, NULL, 'k'},
        {"vni", required_argument, NULL, 'v'},
        {"src", required_argument, NULL, 's'},
        {"dst", required_argument, NULL, 'd'},
        {"count", required_argument, NULL, 'c'},
        {"size", required_argument, NULL, 'z'},
        {"rate", required_argument, NULL, 'r'},
        {"batch", required_argument, NULL, 'b'},
        {"sink", required_argument, NULL, 'S'},
        {"vni-count", required_argument, NULL, 'V'},
        {"cut", required_argument, NULL, 'C'},
        {"outer-src", required_argument, NULL, 'o'},
        {"src-count", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0},
    };
    struct sender s = { .kind = "icmp", .vni = 100, .count = 1, .size = 98,
                        .batch = 32, .vni_count = 1, .src_count = 1 };
    static uint8_t cmsgs[MAX_BATCH][CMSG_SPACE(sizeof(struct in_pktinfo))];
    const char *outer_src = NULL;
    struct sockaddr_storage bind_addr = { .ss_family = AF_UNSPEC };
    socklen_t bind_len = 0;
    static uint8_t bufs[MAX_BATCH][8 + MAX_FRAME];
    struct mmsghdr msgs[MAX_BATCH];
    struct iovec iovs[MAX_BATCH];
    const char *src = NULL, *dst = NULL;
    struct sockaddr_storage target;
    double sink_seconds = 0;
    long long sent = 0;
    socklen_t target_len;
    double start;
    int c, fd, i;

    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'k': s.kind = optarg; break;
        case 'v': s.vni = strtoul(optarg, NULL, 0); break;
        case 's': src = optarg; break;
        case 'd': dst = optarg; break;
        case 'c': s.count = atoll(optarg); break;
        case 'z': s.size = atoi(optarg); break;
        case 'r': s.rate = atof(optarg); break;
        case 'b': s.batch = atoi(optarg); break;
        case 'S': sink_seconds = atof(optarg); break;
        case 'V': s.vni_count = strtoul(optarg, NULL, 0); break;
        case 'C': s.cut = atoi(optarg); break;
        case 'o': outer_src = optarg; break;
        case 'n': s.src_count = strtoul(optarg, NULL, 0); break;
        default: exit(EXIT_FAILURE);
        }
    }
    if (optind + 1 != argc) {
        die("usage: test-vxlan-send [OPTIONS] ADDRESS:PORT");
    }
    parse_target(argv[optind], &target, &target_len);
    if (sink_seconds > 0) {
        return sink(&target, target_len, sink_seconds);
    }
    if (!strcmp(s.kind, "icmp6")) {
        s.ipv6 = true;
    }
    parse_inet(src ? src : s.ipv6 ? "2001:db8::1" : "172.16.0.148",
               &s.src, &s.ipv6);
    parse_inet(dst ? dst : s.ipv6 ? "2001:db8::2" : "172.16.0.134",
               &s.dst, &s.ipv6);
    if (s.batch < 1 || s.batch > MAX_BATCH || s.size > MAX_FRAME) {
        die("--batch must be 1..256 and --size at most 65000");
    }

    if (!s.vni_count || !s.src_count) {
        die("--vni-count and --src-count must be at least 1");
    }
    fd = socket(target.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        die(ovs_strerror(errno));
    }
    if (outer_src) {
        char *spec = xasprintf(target.ss_family == AF_INET6 ? "[%s]:0"
                               : "%s:0", outer_src);

        parse_target(spec, &bind_addr, &bind_len);
        free(spec);
        if (bind(fd, (struct sockaddr *) &bind_addr, bind_len)) {
            die(ovs_strerror(errno));
        }
    }
    if (s.src_count > 1 && (!outer_src || bind_addr.ss_family != AF_INET)) {
        die("--src-count needs an IPv4 --outer-src");
    }
    memset(msgs, 0, sizeof msgs);
    for (i = 0; i < s.batch; i++) {
        iovs[i].iov_base = bufs[i];
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &target;
        msgs[i].msg_hdr.msg_namelen = target_len;
        if (s.src_count > 1) {
            struct cmsghdr *cmsg;

            msgs[i].msg_hdr.msg_control = cmsgs[i];
            msgs[i].msg_hdr.msg_controllen = sizeof cmsgs[i];
            cmsg = CMSG_FIRSTHDR(&msgs[i].msg_hdr);
            cmsg->cmsg_level = IPPROTO_IP;
            cmsg->cmsg_type = IP_PKTINFO;
            cmsg->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
        }
    }
    /* Wake up on time from the pacing sleeps (the default slack of 50 us
     * would slow the sender down at high rates). */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    start = now_sec();
    while (sent < s.count) {
        int n = s.count - sent < s.batch ? s.count - sent : s.batch;
        int done = 0;

        /* Datagrams are built for the first batch only: later batches
         * resend them, so that building costs nothing at high rates. */
        for (i = 0; i < n && sent < s.batch; i++) {
            iovs[i].iov_len = build(&s, bufs[i], sent + i + 1);
            if (s.cut && iovs[i].iov_len > 8 + s.cut) {
                iovs[i].iov_len = 8 + s.cut;
            }
        }
        for (i = 0; i < n; i++) {
            vary(&s, &msgs[i].msg_hdr, &bind_addr, sent + i);
        }
        while (done < n) {
            int k = sendmmsg(fd, msgs + done, n - done, 0);

            if (k < 0) {
                if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR
                    || errno == ECONNREFUSED) {
                    continue;
                }
                die(ovs_strerror(errno));
            }
            done += k;
        }
        sent += n;
        if (s.rate > 0) {
            double due = start + sent / s.rate;
            double wait = due - now_sec();

            if (wait > 0) {
                struct timespec ts = { (time_t) wait,
                                       (long) ((wait - (time_t) wait)
                                               * 1e9) };
                nanosleep(&ts, NULL);
            }
        }
    }
    printf("sent %lld in %.3f s\n", sent, now_sec() - start);
    return 0;
}

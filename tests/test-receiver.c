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

/* test-receiver.c: unit tests of the receiver's bounded counters, its list
 * of accepted outer sources (--from) and its libpcap filter on inner
 * frames. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "openvswitch/compiler.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofpbuf.h"
#include "ovs-vtap/receiver-acl.h"
#include "ovs-vtap/receiver-bfd.h"
#include "ovs-vtap/receiver-counters.h"
#include "ovs-vtap/receiver-filter.h"
#include "util.h"

/* Returns a socket address for 'ip', IPv4 or IPv6, with port 'port'. */
static struct sockaddr_storage
make_addr(const char *ip, uint16_t port)
{
    struct sockaddr_storage ss;

    memset(&ss, 0, sizeof ss);
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;

        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        assert_int_equal(inet_pton(AF_INET6, ip, &sin6->sin6_addr), 1);
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *) &ss;

        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
    }
    return ss;
}

/* Past its cap the VNI table stops growing and counts every new VNI in
 * its "other" bucket; VNIs already tabled keep their own entries, and the
 * report says how many the cap is. */
static void
test_vni_table_bounded(void **state OVS_UNUSED)
{
    struct receiver_counters c;
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct json *json;
    char *s;
    uint32_t vni;

    receiver_counters_init(&c, 3, 2);
    for (vni = 1; vni <= 1000; vni++) {
        receiver_counters_vni(&c, vni)->packets++;
    }
    assert_int_equal(hmap_count(&c.vnis), 3);
    assert_int_equal(c.other_vnis.packets, 997);
    assert_int_equal(receiver_counters_vni(&c, 2)->packets, 1);
    assert_ptr_equal(receiver_counters_vni(&c, 4), &c.other_vnis);
    /* VNI 0, the "other" bucket's own 'vni', is not mistaken for it by the
     * lookup cache. */
    assert_ptr_equal(receiver_counters_vni(&c, 0), &c.other_vnis);
    assert_ptr_not_equal(receiver_counters_vni(&c, 1), &c.other_vnis);
    assert_non_null(receiver_counters_find_vni(&c, 3));
    assert_null(receiver_counters_find_vni(&c, 500));

    receiver_counters_format(&c, &ds);
    assert_non_null(strstr(ds_cstr(&ds), "vni 3: packets 1,"));
    assert_null(strstr(ds_cstr(&ds), "vni 4:"));
    assert_non_null(strstr(ds_cstr(&ds),
                           "other vnis (past 3): packets 997,"));
    ds_destroy(&ds);

    json = receiver_counters_to_json(&c);
    s = json_to_string(json, JSSF_SORT);
    assert_non_null(strstr(s, "\"other_vnis\":{\"bytes\":0,\"matched\":0,"
                           "\"packets\":997}"));
    assert_null(strstr(s, "\"500\""));
    free(s);
    json_destroy(json);
    receiver_counters_destroy(&c);
}

/* The same for outer sources, keyed by address without the port, IPv4 and
 * IPv6 apart. */
static void
test_source_table_bounded(void **state OVS_UNUSED)
{
    struct receiver_counters c;
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct sockaddr_storage a, b;
    int i;

    receiver_counters_init(&c, 3, 2);
    a = make_addr("192.0.2.1", 1000);
    b = make_addr("192.0.2.1", 2000);
    receiver_counters_source(&c, &a)->datagrams++;
    receiver_counters_source(&c, &b)->datagrams++;
    assert_int_equal(hmap_count(&c.sources), 1);
    b = make_addr("2001:db8::1", 1000);
    receiver_counters_source(&c, &b)->datagrams++;
    assert_int_equal(hmap_count(&c.sources), 2);
    for (i = 0; i < 300; i++) {
        char ip[32];

        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
        b = make_addr(ip, 4789);
        receiver_counters_source(&c, &b)->datagrams++;
    }
    assert_int_equal(hmap_count(&c.sources), 2);
    assert_int_equal(c.other_sources.datagrams, 300);
    assert_int_equal(receiver_counters_source(&c, &a)->datagrams, 2);

    receiver_counters_format(&c, &ds);
    assert_non_null(strstr(ds_cstr(&ds), "source 192.0.2.1: datagrams 2,"));
    assert_non_null(strstr(ds_cstr(&ds), "source 2001:db8::1: datagrams 1,"));
    assert_non_null(strstr(ds_cstr(&ds),
                           "other sources (past 2): datagrams 300,"));
    ds_destroy(&ds);
    receiver_counters_destroy(&c);
}

/* Whatever arrives, the reports stay small: a million VNIs and sources
 * make no more lines than the caps allow. */
static void
test_report_size_bounded(void **state OVS_UNUSED)
{
    struct receiver_counters c;
    struct ds ds = DS_EMPTY_INITIALIZER;
    uint32_t i;

    receiver_counters_init(&c, 100, 100);
    for (i = 0; i < 1000000; i++) {
        struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };

        memcpy(&sin6.sin6_addr.s6_addr[12], &i, sizeof i);
        receiver_counters_vni(&c, i & 0xffffff)->packets++;
        receiver_counters_source(
            &c, (struct sockaddr_storage *) &sin6)->datagrams++;
    }
    receiver_counters_format(&c, &ds);
    assert_true(ds.length < 100 * 2 * 80 + 1000);
    assert_int_equal(c.other_vnis.packets, 1000000 - 100);
    ds_destroy(&ds);
    receiver_counters_destroy(&c);
}

static void
assert_acl_allows(const struct receiver_acl *acl, const char *ip,
                  bool expected)
{
    struct sockaddr_storage ss = make_addr(ip, 4789);

    if (receiver_acl_allows(acl, &ss) != expected) {
        fail_msg("%s: expected %s", ip, expected ? "allowed" : "refused");
    }
}

/* --from: IPv4 and IPv6 prefixes and hosts; IPv4-mapped IPv6 sources (as
 * an IPv6 socket that takes IPv4 reports them) count as IPv4. */
static void
test_acl(void **state OVS_UNUSED)
{
    struct receiver_acl acl = { .n = 0 };
    char *error;

    assert_acl_allows(&acl, "203.0.113.9", true);       /* Empty: all. */
    error = receiver_acl_parse(&acl, "192.0.2.0/24,10.1.2.3");
    assert_null(error);
    error = receiver_acl_parse(&acl, "2001:db8::/32");
    assert_null(error);
    assert_int_equal(acl.n, 3);
    assert_acl_allows(&acl, "192.0.2.0", true);
    assert_acl_allows(&acl, "192.0.2.255", true);
    assert_acl_allows(&acl, "192.0.3.1", false);
    assert_acl_allows(&acl, "10.1.2.3", true);
    assert_acl_allows(&acl, "10.1.2.4", false);
    assert_acl_allows(&acl, "2001:db8:ffff::1", true);
    assert_acl_allows(&acl, "2001:db9::1", false);
    assert_acl_allows(&acl, "::ffff:192.0.2.7", true);
    assert_acl_allows(&acl, "::ffff:192.0.3.7", false);
    assert_acl_allows(&acl, "::192.0.2.7", false);
    receiver_acl_destroy(&acl);

    /* ::/0 accepts every IPv6 address, no IPv4 one. */
    assert_null(receiver_acl_parse(&acl, "192.0.2.0/24,::/0"));
    assert_acl_allows(&acl, "192.0.2.1", true);
    assert_acl_allows(&acl, "2001:db9::1", true);
    assert_acl_allows(&acl, "198.51.100.1", false);
    receiver_acl_destroy(&acl);
}

/* A bad item (host bits beyond the prefix too, a typing error more likely
 * than a wish) is refused with a message that names it, and leaves the
 * list as it was. */
static void
test_acl_errors(void **state OVS_UNUSED)
{
    static const char *const bad[] = {
        "10.0.0.0/33", "foo", "192.0.2.1,300.1.1.1", "2001:db8::/129",
        "10.0.0.0/255.0.255.0", ",", "", "192.0.2.77/24",
    };
    struct receiver_acl acl = { .n = 0 };
    size_t i;

    assert_null(receiver_acl_parse(&acl, "192.0.2.1"));
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        char *error = receiver_acl_parse(&acl, bad[i]);

        if (!error) {
            fail_msg("\"%s\" was accepted", bad[i]);
        }
        assert_int_equal(acl.n, 1);
        free(error);
    }
    {
        char *error = receiver_acl_parse(&acl, "192.0.2.1,300.1.1.1");

        assert_non_null(strstr(error, "300.1.1.1"));
        free(error);
    }
    receiver_acl_destroy(&acl);
}

/* An Ethernet frame with an IPv4 ICMP echo request (behind a VLAN tag if
 * 'vlan' is non-zero), of 'len' bytes, into 'frame'. */
static size_t
make_icmp_frame(uint8_t *frame, uint16_t vlan, uint16_t ip_len)
{
    static const uint8_t macs[12] = {
        0x02, 0, 0, 0, 0, 0x86, 0x02, 0, 0, 0, 0, 0x94
    };
    uint8_t *ip;
    size_t ofs = 12;

    memset(frame, 0, 128);
    memcpy(frame, macs, sizeof macs);
    if (vlan) {
        frame[ofs++] = 0x81;
        frame[ofs++] = 0x00;
        frame[ofs++] = vlan >> 8;
        frame[ofs++] = vlan;
    }
    frame[ofs++] = 0x08;
    frame[ofs++] = 0x00;
    ip = frame + ofs;
    ip[0] = 0x45;
    ip[2] = ip_len >> 8;
    ip[3] = ip_len;
    ip[8] = 64;
    ip[9] = 1;                  /* ICMP. */
    memcpy(ip + 12, (uint8_t[]) { 172, 16, 0, 148 }, 4);
    memcpy(ip + 16, (uint8_t[]) { 172, 16, 0, 134 }, 4);
    ip[20] = 8;                 /* Echo request. */
    return ofs + 28;
}

static bool
filter_matches(const char *expression, const uint8_t *frame, size_t caplen,
               size_t orig_len)
{
    struct receiver_filter *f;
    char *error = receiver_filter_compile(expression, &f);
    bool matched;

    if (error) {
        fail_msg("%s: %s", expression, error);
    }
    matched = receiver_filter_match(f, frame, caplen, orig_len);
    receiver_filter_destroy(f);
    return matched;
}

/* tcpdump's language, with what the old --match lacked: or, not, vlan,
 * ranges, byte offsets, lengths (of the frame before its cut). */
static void
test_filter(void **state OVS_UNUSED)
{
    uint8_t frame[128], tagged[128];
    size_t len = make_icmp_frame(frame, 0, 28);
    size_t tagged_len = make_icmp_frame(tagged, 10, 1500);

    assert_true(receiver_filter_match(NULL, frame, len, len));
    assert_true(filter_matches("icmp", frame, len, len));
    assert_true(filter_matches("icmp and src host 172.16.0.148",
                               frame, len, len));
    assert_false(filter_matches("icmp and src host 172.16.0.134",
                                frame, len, len));
    assert_true(filter_matches("tcp or icmp", frame, len, len));
    assert_false(filter_matches("not icmp", frame, len, len));
    assert_true(filter_matches("net 172.16.0.0/16", frame, len, len));
    assert_true(filter_matches("icmp[icmptype] = icmp-echo", frame, len,
                               len));
    assert_false(filter_matches("tcp portrange 20-30", frame, len, len));
    assert_false(filter_matches("vlan", frame, len, len));
    assert_true(filter_matches("vlan 10 and icmp", tagged, tagged_len,
                               tagged_len));
    assert_false(filter_matches("vlan 11", tagged, tagged_len, tagged_len));
    assert_false(filter_matches("icmp", tagged, tagged_len, tagged_len));

    /* "greater" sees the length before the cut. */
    assert_true(filter_matches("greater 1000", tagged, tagged_len, 1518));
    assert_false(filter_matches("greater 1000", tagged, tagged_len,
                                tagged_len));
}

/* A bad expression gets libpcap's own message. */
static void
test_filter_errors(void **state OVS_UNUSED)
{
    static const char *const bad[] = {
        "icmp frm 10.0.0.1", "tcp port 99999", "host", "(icmp", "vlan x",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        struct receiver_filter *f;
        char *error = receiver_filter_compile(bad[i], &f);

        if (!error) {
            fail_msg("\"%s\" compiled", bad[i]);
        }
        assert_null(f);
        free(error);
    }
    {
        struct receiver_filter *f;
        char *error = receiver_filter_compile("icmp frm 10.0.0.1", &f);

        assert_non_null(strstr(error, "syntax error"));
        free(error);
    }
}

/* Fills 'frame' (66 bytes) with what Open vSwitch's BFD sends on a VXLAN
 * port: Ethernet, IPv4 169.254.1.1 > 169.254.1.0, UDP to 3784, and a BFD
 * control packet in 'state' from discriminator 'disc', 300 ms intervals.
 * 'poll' sets the P bit. */
static void
make_bfd(uint8_t frame[66], int state, uint32_t disc, bool poll)
{
    static const uint8_t head[14 + 20 + 8] = {
        0x00, 0x23, 0x20, 0x00, 0x00, 0x01,     /* dst */
        0x02, 0x00, 0x00, 0x00, 0x00, 0x07,     /* src */
        0x08, 0x00,
        0x45, 0xc0, 0x00, 52, 0, 0, 0x40, 0, 255, 17, 0, 0,
        169, 254, 1, 1, 169, 254, 1, 0,
        0xc0, 0x01, 0x0e, 0xc8, 0, 32, 0, 0,
    };
    uint8_t *b = frame + sizeof head;
    uint32_t v;

    memcpy(frame, head, sizeof head);
    memset(b, 0, 24);
    b[0] = 1 << 5;
    b[1] = (state << 6) | (poll ? 0x20 : 0);
    b[2] = 3;
    b[3] = 24;
    v = htonl(disc);
    memcpy(b + 4, &v, 4);
    v = htonl(300000);
    memcpy(b + 12, &v, 4);
    memcpy(b + 16, &v, 4);
}

static uint32_t
be32_at(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return ntohl(v);
}

/* The receiver's BFD: detection of control packets, the state machine
 * Down -> Init -> Up -> Down, the reply's layers, malformed packets and
 * the detection timeout. */
static void
test_bfd(void **state OVS_UNUSED)
{
    struct sockaddr_storage src;
    struct receiver_bfd bfd;
    struct ofpbuf reply;
    uint8_t frame[66];

    memset(&src, 0, sizeof src);
    src.ss_family = AF_INET;
    inet_pton(AF_INET, "172.16.0.1",
              &((struct sockaddr_in *) &src)->sin_addr);
    receiver_bfd_init(&bfd);
    ofpbuf_init(&reply, 0);

    make_bfd(frame, RECEIVER_BFD_DOWN, 0x1234, false);
    assert_true(receiver_bfd_is_control(frame, sizeof frame));
    frame[14 + 20 + 3] = 80;        /* Another UDP port: not BFD. */
    assert_false(receiver_bfd_is_control(frame, sizeof frame));
    assert_false(receiver_bfd_is_control(frame, 30));

    /* Down from the sender: our session goes to Init. */
    make_bfd(frame, RECEIVER_BFD_DOWN, 0x1234, false);
    assert_true(receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame, 1000,
                                   &reply));
    assert_int_equal(reply.size, 8 + 66);
    const uint8_t *r = reply.data;
    assert_int_equal(r[0], 0x08);                   /* VXLAN I flag. */
    assert_int_equal(be32_at(r + 4) >> 8, 0);       /* VNI as received. */
    const uint8_t *eth = r + 8;
    assert_memory_equal(eth, frame + 6, 6);         /* MACs swapped. */
    assert_memory_equal(eth + 6, frame, 6);
    const uint8_t *ip = eth + 14;
    assert_int_equal(ip[8], 255);                   /* TTL. */
    assert_memory_equal(ip + 12, frame + 14 + 16, 4);   /* IPs swapped. */
    assert_memory_equal(ip + 16, frame + 14 + 12, 4);
    const uint8_t *udp = ip + 20;
    assert_int_equal((udp[2] << 8) | udp[3], RECEIVER_BFD_PORT);
    assert_true(((udp[0] << 8) | udp[1]) >= 49152);
    const uint8_t *b = udp + 8;
    assert_int_equal(b[0] >> 5, 1);
    assert_int_equal(b[1] >> 6, RECEIVER_BFD_INIT);
    assert_int_equal(b[3], 24);
    assert_int_equal(be32_at(b + 8), 0x1234);       /* Your discriminator. */
    assert_true(be32_at(b + 4) != 0);
    assert_int_equal(be32_at(b + 12), 300000);
    assert_int_equal(receiver_bfd_session_state(&bfd, &src),
                     RECEIVER_BFD_INIT);

    /* Init from the sender, with Poll: Up, and the reply has Final. */
    make_bfd(frame, RECEIVER_BFD_INIT, 0x1234, true);
    assert_true(receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame, 1100,
                                   &reply));
    b = (const uint8_t *) reply.data + 8 + 14 + 20 + 8;
    assert_int_equal(b[1] >> 6, RECEIVER_BFD_UP);
    assert_true(b[1] & 0x10);
    make_bfd(frame, RECEIVER_BFD_UP, 0x1234, false);
    assert_true(receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame, 1200,
                                   &reply));
    assert_int_equal(receiver_bfd_session_state(&bfd, &src),
                     RECEIVER_BFD_UP);

    /* Silence for three intervals (at least 1 s each): Down. */
    receiver_bfd_run(&bfd, 1200 + 2999);
    assert_int_equal(receiver_bfd_session_state(&bfd, &src),
                     RECEIVER_BFD_UP);
    receiver_bfd_run(&bfd, 1200 + 3000);
    assert_int_equal(receiver_bfd_session_state(&bfd, &src),
                     RECEIVER_BFD_DOWN);

    /* Up again, then the sender says Down: Down. */
    make_bfd(frame, RECEIVER_BFD_DOWN, 0x1234, false);
    receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame, 5000, &reply);
    make_bfd(frame, RECEIVER_BFD_UP, 0x1234, false);
    receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame, 5100, &reply);
    assert_int_equal(receiver_bfd_session_state(&bfd, &src),
                     RECEIVER_BFD_UP);
    make_bfd(frame, RECEIVER_BFD_DOWN, 0x1234, false);
    receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame, 5200, &reply);
    assert_int_equal(receiver_bfd_session_state(&bfd, &src),
                     RECEIVER_BFD_DOWN);

    /* Malformed: version 2, or a zero discriminator: no reply. */
    make_bfd(frame, RECEIVER_BFD_DOWN, 0x1234, false);
    frame[14 + 20 + 8] = 2 << 5;
    assert_false(receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame,
                                    6000, &reply));
    assert_int_equal(reply.size, 0);
    make_bfd(frame, RECEIVER_BFD_DOWN, 0, false);
    assert_false(receiver_bfd_input(&bfd, &src, 0, frame, sizeof frame,
                                    6000, &reply));
    assert_int_equal(bfd.bad, 2);
    assert_int_equal(bfd.rx, 8);
    assert_int_equal(bfd.tx, 6);

    /* Counted apart in the report. */
    struct json *json = receiver_bfd_to_json(&bfd);
    char *text = json_to_string(json, JSSF_SORT);
    assert_non_null(strstr(text, "\"received\":8"));
    assert_non_null(strstr(text, "\"172.16.0.1\":\"down\""));
    free(text);
    json_destroy(json);

    ofpbuf_uninit(&reply);
    receiver_bfd_destroy(&bfd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vni_table_bounded),
        cmocka_unit_test(test_source_table_bounded),
        cmocka_unit_test(test_report_size_bounded),
        cmocka_unit_test(test_acl),
        cmocka_unit_test(test_acl_errors),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_filter_errors),
        cmocka_unit_test(test_bfd),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

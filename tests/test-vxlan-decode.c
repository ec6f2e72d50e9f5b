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

/* test-vxlan-decode.c: unit tests of the VXLAN decoder on hand-built
 * datagrams, good and malformed, and replay of the inputs kept under
 * tests/fuzz-regressions/. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "openvswitch/compiler.h"
#include "openvswitch/dynamic-string.h"
#include "ovs-vtap/frame-format.h"
#include "ovs-vtap/receiver-filter.h"
#include "ovs-vtap/vxlan-decode.h"
#include "util.h"

/* A datagram under construction. */
struct dgram {
    uint8_t data[256];
    size_t len;
};

static void
put(struct dgram *d, const void *p, size_t n)
{
    memcpy(d->data + d->len, p, n);
    d->len += n;
}

static void
put_bytes(struct dgram *d, int n, ...)
{
    va_list args;
    int i;

    va_start(args, n);
    for (i = 0; i < n; i++) {
        d->data[d->len++] = va_arg(args, int);
    }
    va_end(args);
}

static void
put_vxlan(struct dgram *d, uint8_t flags, uint32_t vni)
{
    put_bytes(d, 8, flags, 0, 0, 0, vni >> 16, (vni >> 8) & 0xff,
              vni & 0xff, 0);
}

static void
put_eth(struct dgram *d, uint16_t type)
{
    static const uint8_t macs[12] = {
        0x02, 0, 0, 0, 0, 0x86, 0x02, 0, 0, 0, 0, 0x94
    };

    put(d, macs, sizeof macs);
    put_bytes(d, 2, type >> 8, type & 0xff);
}

static void
put_ipv4(struct dgram *d, uint8_t proto, uint16_t payload)
{
    uint16_t total = 20 + payload;

    put_bytes(d, 20, 0x45, 0, total >> 8, total & 0xff, 0, 1, 0, 0, 64,
              proto, 0, 0, 172, 16, 0, 148, 172, 16, 0, 134);
}

static void
put_ipv6(struct dgram *d, uint8_t next, uint16_t payload)
{
    int i;

    put_bytes(d, 8, 0x60, 0, 0, 0, payload >> 8, payload & 0xff, next, 64);
    for (i = 0; i < 2; i++) {
        put_bytes(d, 16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                  0, 0, 0, i + 1);
    }
}

static void
put_icmp_echo(struct dgram *d, uint8_t type, uint16_t seq)
{
    put_bytes(d, 8, type, 0, 0, 0, 0x12, 0x34, seq >> 8, seq & 0xff);
}

static void
put_tcp(struct dgram *d, uint8_t offset_words, uint8_t flags)
{
    put_bytes(d, 20, 0x9c, 0x40, 0, 22, 0, 0, 0, 1, 0, 0, 0, 0,
              offset_words << 4, flags, 0xfa, 0xf0, 0, 0, 0, 0);
}

/* Decodes 'd' from a heap copy of exactly its length, so that the address
 * sanitizer catches any read past its end. */
static enum vxlan_decode_result
decode(const struct dgram *d, size_t len, struct vxlan_packet *pkt)
{
    uint8_t *copy = xmalloc(len ? len : 1);
    enum vxlan_decode_result result;

    memcpy(copy, d->data, len);
    result = vxlan_decode(copy, len, pkt);
    free(copy);
    return result;
}

static void
assert_result(const struct dgram *d, enum vxlan_decode_result expected)
{
    struct vxlan_packet pkt;
    enum vxlan_decode_result result = decode(d, d->len, &pkt);

    if (result != expected) {
        fail_msg("expected %s, got %s", vxlan_decode_result_name(expected),
                 vxlan_decode_result_name(result));
    }
}

static void
test_icmp_echo(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;

    put_vxlan(&d, 0x08, 100);
    put_eth(&d, 0x0800);
    put_ipv4(&d, 1, 8 + 56);
    put_icmp_echo(&d, 8, 7);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_int_equal(pkt.vni, 100);
    assert_int_equal(pkt.frame_len, d.len - 8);
    assert_true(pkt.is_ipv4);
    assert_int_equal(pkt.ip_proto, 1);
    assert_int_equal(pkt.src.s6_addr[15], 148);
    assert_int_equal(pkt.dst.s6_addr[15], 134);
    assert_true(pkt.has_l4);
    assert_int_equal(pkt.icmp_type, 8);
    assert_int_equal(pkt.icmp_id, 0x1234);
    assert_int_equal(pkt.icmp_seq, 7);
    /* The IP header says 56 more bytes than the frame holds, as for a
     * frame cut to a snap length: still well-formed. */
    assert_int_equal(pkt.l4_payload_len, 64);
    /* Its original length: Ethernet header and the IP total length. */
    assert_int_equal(pkt.orig_len, 14 + 20 + 64);
}

/* The original length of a frame is the length of the IP packet that it
 * carries plus its L2 header (VLAN tags included), when the frame is
 * shorter; padding or a non-IP frame leaves it the frame's length. */
static void
test_orig_len(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct sockaddr_storage ss = { .ss_family = AF_INET };
    struct frame_origin origin = { .ts = { 1764629183, 123456789 },
                                   .src = &ss };

    /* IPv6 behind a VLAN tag, cut after the ICMPv6 echo header. */
    put_vxlan(&d, 0x08, 5);
    put_eth(&d, 0x8100);
    put_bytes(&d, 4, 0x00, 0x0a, 0x86, 0xdd);
    put_ipv6(&d, 58, 1440);
    put_icmp_echo(&d, 128, 3);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_int_equal(pkt.frame_len, 18 + 40 + 8);
    assert_int_equal(pkt.orig_len, 18 + 40 + 1440);
    frame_format_json(&s, &pkt, &origin);
    assert_non_null(strstr(ds_cstr(&s),
                           "{\"time\":\"1764629183.123456789\","));
    assert_non_null(strstr(ds_cstr(&s), "\"len\":66,\"orig_len\":1498,"));
    ds_destroy(&s);

    /* A whole IPv4 packet padded to Ethernet's minimum. */
    d.len = 0;
    put_vxlan(&d, 0x08, 5);
    put_eth(&d, 0x0800);
    put_ipv4(&d, 1, 8);
    put_icmp_echo(&d, 8, 1);
    put_bytes(&d, 18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_int_equal(pkt.frame_len, 60);
    assert_int_equal(pkt.orig_len, 60);

    /* ARP says nothing of a cut. */
    d.len = 0;
    put_vxlan(&d, 0x08, 5);
    put_eth(&d, 0x0806);
    put_bytes(&d, 8, 0, 1, 8, 0, 6, 4, 0, 1);
    put_bytes(&d, 20, 2, 0, 0, 0, 0, 0x94, 172, 16, 0, 148,
              0, 0, 0, 0, 0, 0, 172, 16, 0, 134);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_int_equal(pkt.orig_len, pkt.frame_len);
}

static void
test_reserved_bits_ignored(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;

    /* Every flag and reserved bit set, and the largest VNI. */
    put_bytes(&d, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    put_eth(&d, 0x0800);
    put_ipv4(&d, 1, 8);
    put_icmp_echo(&d, 0, 1);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_int_equal(pkt.vni, 0xffffff);
    assert_int_equal(pkt.icmp_type, 0);
}

static void
test_tcp_flags_and_ports(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;
    struct ds s = DS_EMPTY_INITIALIZER;
    struct sockaddr_storage ss = { .ss_family = AF_INET };
    struct frame_origin origin = { .ts = { 0, 5 }, .src = &ss };

    put_vxlan(&d, 0x08, 7);
    put_eth(&d, 0x0800);
    put_ipv4(&d, 6, 20);
    put_tcp(&d, 5, 0x12);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_int_equal(pkt.src_port, 40000);
    assert_int_equal(pkt.dst_port, 22);
    assert_int_equal(pkt.tcp_flags, 0x12);
    frame_format_text(&s, &pkt, &origin);
    assert_non_null(strstr(ds_cstr(&s), " vni 7 from 0.0.0.0: IP "
                           "172.16.0.148.40000 > 172.16.0.134.22: "
                           "Flags [S.], seq 1, ack 0, win 64240, "
                           "length 0\n"));
    ds_clear(&s);
    frame_format_json(&s, &pkt, &origin);
    assert_non_null(strstr(ds_cstr(&s), "\"proto\":\"tcp\""));
    assert_non_null(strstr(ds_cstr(&s), "\"tcp_flags\":\"S.\""));
    /* A string, that keeps its nanoseconds in any JSON parser. */
    assert_non_null(strstr(ds_cstr(&s), "{\"time\":\"0.000000005\","));
    /* Not cut: no original length. */
    assert_null(strstr(ds_cstr(&s), "orig_len"));
    ds_destroy(&s);
}

static void
test_vlan_ipv6_icmp6(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;

    put_vxlan(&d, 0x08, 5);
    put_eth(&d, 0x8100);
    put_bytes(&d, 4, 0x00, 0x0a, 0x86, 0xdd);
    /* A hop-by-hop options header before ICMPv6. */
    put_ipv6(&d, 0, 8 + 8);
    put_bytes(&d, 8, 58, 0, 1, 4, 0, 0, 0, 0);
    put_icmp_echo(&d, 128, 3);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_int_equal(pkt.n_vlans, 1);
    assert_int_equal(pkt.vlan_tci[0], 10);
    assert_true(pkt.is_ipv6);
    assert_int_equal(pkt.ip_proto, 58);
    assert_int_equal(pkt.icmp_type, 128);
    assert_int_equal(pkt.icmp_seq, 3);
}

static void
test_arp(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;

    put_vxlan(&d, 0x08, 1);
    put_eth(&d, 0x0806);
    put_bytes(&d, 8, 0, 1, 0x08, 0, 6, 4, 0, 1);
    put_bytes(&d, 20, 2, 0, 0, 0, 0, 0x94, 172, 16, 0, 148,
              0, 0, 0, 0, 0, 0, 172, 16, 0, 134);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_true(pkt.is_arp);
    assert_int_equal(pkt.arp_op, 1);
    assert_int_equal(pkt.src.s6_addr[15], 148);
    assert_int_equal(pkt.dst.s6_addr[15], 134);
    d.len--;
    assert_result(&d, VXLAN_DECODE_SHORT_ARP);
}

static void
test_unknown_ethertype(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;

    put_vxlan(&d, 0x08, 1);
    put_eth(&d, 0x88cc);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_false(pkt.is_ipv4 || pkt.is_ipv6 || pkt.is_arp);
}

static void
test_malformed_vxlan(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };

    assert_result(&d, VXLAN_DECODE_SHORT_VXLAN);
    put_vxlan(&d, 0x08, 100);
    d.len = 7;
    assert_result(&d, VXLAN_DECODE_SHORT_VXLAN);
    d.len = 0;
    put_vxlan(&d, 0xf7, 100);   /* Every flag but I. */
    put_eth(&d, 0x0800);
    put_ipv4(&d, 1, 8);
    put_icmp_echo(&d, 8, 1);
    assert_result(&d, VXLAN_DECODE_NO_I_FLAG);
}

static void
test_malformed_inner(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };

    put_vxlan(&d, 0x08, 100);
    assert_result(&d, VXLAN_DECODE_SHORT_ETH);
    put_eth(&d, 0x0800);
    d.len--;
    assert_result(&d, VXLAN_DECODE_SHORT_ETH);
    d.len++;
    assert_result(&d, VXLAN_DECODE_SHORT_IPV4);

    d.len = 8;
    put_eth(&d, 0x8100);
    put_bytes(&d, 3, 0, 1, 0x08);
    assert_result(&d, VXLAN_DECODE_SHORT_VLAN);

    d.len = 8;
    put_eth(&d, 0x0800);
    put_ipv4(&d, 1, 8);
    d.data[8 + 14] = 0x65;      /* Version 6 in an IPv4 frame. */
    assert_result(&d, VXLAN_DECODE_BAD_IPV4_VERSION);
    d.data[8 + 14] = 0x44;      /* Header length 16. */
    assert_result(&d, VXLAN_DECODE_BAD_IPV4_IHL);
    d.data[8 + 14] = 0x46;      /* 24 bytes, with 20 present. */
    assert_result(&d, VXLAN_DECODE_SHORT_IPV4);
    d.data[8 + 14] = 0x45;
    assert_result(&d, VXLAN_DECODE_SHORT_ICMP);
    put_bytes(&d, 4, 8, 0, 0, 0);
    assert_result(&d, VXLAN_DECODE_SHORT_ICMP);   /* Echo needs 8. */
    d.data[8 + 14 + 20] = 3;    /* Unreachable needs only 4. */
    assert_result(&d, VXLAN_DECODE_OK);

    d.len = 8;
    put_eth(&d, 0x0800);
    put_ipv4(&d, 6, 20);
    put_tcp(&d, 5, 0x02);
    d.len--;
    assert_result(&d, VXLAN_DECODE_SHORT_TCP);
    d.len++;
    d.data[d.len - 8] = 4 << 4;
    assert_result(&d, VXLAN_DECODE_BAD_TCP_OFFSET);
    d.data[d.len - 8] = 8 << 4; /* Options cut off: still fine. */
    assert_result(&d, VXLAN_DECODE_OK);

    d.len = 8;
    put_eth(&d, 0x0800);
    put_ipv4(&d, 17, 8);
    put_bytes(&d, 7, 0, 53, 0, 53, 0, 8, 0);
    assert_result(&d, VXLAN_DECODE_SHORT_UDP);

    d.len = 8;
    put_eth(&d, 0x86dd);
    put_ipv6(&d, 58, 8);
    d.data[8 + 14] = 0x40;
    assert_result(&d, VXLAN_DECODE_BAD_IPV6_VERSION);
    d.data[8 + 14] = 0x60;
    assert_result(&d, VXLAN_DECODE_SHORT_ICMP);
    d.len--;
    assert_result(&d, VXLAN_DECODE_SHORT_IPV6);

    d.len = 8;
    put_eth(&d, 0x86dd);
    put_ipv6(&d, 60, 16);
    put_bytes(&d, 8, 17, 1, 0, 0, 0, 0, 0, 0);    /* Says 16 bytes. */
    assert_result(&d, VXLAN_DECODE_SHORT_IPV6_EXT);
}

/* A later IPv4 fragment has no transport header to check. */
static void
test_later_fragment(void **state OVS_UNUSED)
{
    struct dgram d = { .len = 0 };
    struct vxlan_packet pkt;

    put_vxlan(&d, 0x08, 1);
    put_eth(&d, 0x0800);
    put_ipv4(&d, 6, 4);
    d.data[8 + 14 + 7] = 0x10;  /* Fragment offset 16 * 8. */
    put_bytes(&d, 4, 1, 2, 3, 4);
    assert_int_equal(decode(&d, d.len, &pkt), VXLAN_DECODE_OK);
    assert_true(pkt.ip_later_fragment);
    assert_false(pkt.has_l4);
}

/* Every prefix of good datagrams of each kind decodes to some result
 * without reading past its end (checked by the address sanitizer in CI),
 * and the shorter prefixes of a good datagram are never "ok" until the
 * headers are whole. */
static void
test_every_prefix(void **state OVS_UNUSED)
{
    struct dgram kinds[4];
    size_t k, len;

    memset(kinds, 0, sizeof kinds);
    put_vxlan(&kinds[0], 0x08, 1);
    put_eth(&kinds[0], 0x0800);
    put_ipv4(&kinds[0], 6, 20);
    put_tcp(&kinds[0], 5, 0x18);
    put_vxlan(&kinds[1], 0x08, 1);
    put_eth(&kinds[1], 0x86dd);
    put_ipv6(&kinds[1], 44, 16);
    put_bytes(&kinds[1], 8, 17, 0, 0, 0, 0, 0, 0, 1);
    put_bytes(&kinds[1], 8, 0, 1, 0, 2, 0, 8, 0, 0);
    put_vxlan(&kinds[2], 0x08, 1);
    put_eth(&kinds[2], 0x88a8);
    put_bytes(&kinds[2], 4, 0, 1, 0x81, 0x00);
    put_bytes(&kinds[2], 4, 0, 2, 0x08, 0x00);
    put_ipv4(&kinds[2], 1, 8);
    put_icmp_echo(&kinds[2], 8, 1);
    put_vxlan(&kinds[3], 0x08, 1);
    put_eth(&kinds[3], 0x0806);
    put_bytes(&kinds[3], 28, 0, 1, 8, 0, 6, 4, 0, 2, 0, 0, 0, 0, 0, 0,
              1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 5, 6, 7, 8);

    for (k = 0; k < ARRAY_SIZE(kinds); k++) {
        struct vxlan_packet pkt;

        assert_int_equal(decode(&kinds[k], kinds[k].len, &pkt),
                         VXLAN_DECODE_OK);
        for (len = 0; len < kinds[k].len; len++) {
            enum vxlan_decode_result r = decode(&kinds[k], len, &pkt);

            if (r == VXLAN_DECODE_OK) {
                fail_msg("kind %"PRIuSIZE": prefix of %"PRIuSIZE" bytes "
                         "decoded as ok", k, len);
            }
        }
    }
}

static void
test_result_names(void **state OVS_UNUSED)
{
    int i;

    for (i = 0; i < VXLAN_DECODE_N_RESULTS; i++) {
        const char *name = vxlan_decode_result_name(i);

        assert_non_null(name);
        assert_string_not_equal(name, "unknown");
    }
    assert_string_equal(vxlan_decode_result_name(VXLAN_DECODE_NO_I_FLAG),
                        "no-i-flag");
    assert_string_equal(vxlan_decode_result_name(VXLAN_DECODE_N_RESULTS),
                        "unknown");
}

/* Decodes, filters and formats each input that the fuzzer ever kept, as
 * the fuzz target does: none may crash or read out of bounds. */
static void
test_fuzz_regressions(void **state OVS_UNUSED)
{
    const char *srcdir = getenv("srcdir");
    char *dir_name = xasprintf("%s/tests/fuzz-regressions",
                               srcdir ? srcdir : ".");
    DIR *dir = opendir(dir_name);
    struct receiver_filter *filter;
    struct dirent *de;
    int n = 0;

    assert_null(receiver_filter_compile("vlan and icmp or tcp port 22 "
                                        "or ip6 or greater 100", &filter));
    assert_non_null(dir);
    while ((de = readdir(dir)) != NULL) {
        char *name = xasprintf("%s/%s", dir_name, de->d_name);
        struct sockaddr_storage ss = { .ss_family = AF_INET6 };
        struct frame_origin origin = { .src = &ss };
        struct ds s = DS_EMPTY_INITIALIZER;
        struct vxlan_packet pkt;
        uint8_t *data = xmalloc(65536);
        FILE *f = de->d_name[0] != '.' ? fopen(name, "rb") : NULL;
        size_t len;

        if (f) {
            len = fread(data, 1, 65536, f);
            fclose(f);
            data = xrealloc(data, len ? len : 1);
            if (vxlan_decode(data, len, &pkt) == VXLAN_DECODE_OK) {
                frame_format_text(&s, &pkt, &origin);
                frame_format_json(&s, &pkt, &origin);
                receiver_filter_match(filter, pkt.frame, pkt.frame_len,
                                      pkt.orig_len);
                assert_true(pkt.orig_len >= pkt.frame_len);
            }
            n++;
        }
        ds_destroy(&s);
        free(data);
        free(name);
    }
    closedir(dir);
    free(dir_name);
    receiver_filter_destroy(filter);
    assert_true(n > 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_icmp_echo),
        cmocka_unit_test(test_orig_len),
        cmocka_unit_test(test_reserved_bits_ignored),
        cmocka_unit_test(test_tcp_flags_and_ports),
        cmocka_unit_test(test_vlan_ipv6_icmp6),
        cmocka_unit_test(test_arp),
        cmocka_unit_test(test_unknown_ethertype),
        cmocka_unit_test(test_malformed_vxlan),
        cmocka_unit_test(test_malformed_inner),
        cmocka_unit_test(test_later_fragment),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_result_names),
        cmocka_unit_test(test_fuzz_regressions),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

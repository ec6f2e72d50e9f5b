/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* test-inner-match.c: unit tests of the receiver's inner frame filter. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "openvswitch/compiler.h"
#include "ovs-vtap/inner-match.h"
#include "ovs-vtap/vxlan-decode.h"

/* Makes a decoded IPv4 packet by hand. */
static struct vxlan_packet
ipv4_packet(const char *src, const char *dst, uint8_t proto,
            uint16_t sport, uint16_t dport)
{
    struct vxlan_packet pkt;

    memset(&pkt, 0, sizeof pkt);
    pkt.is_ipv4 = true;
    pkt.ip_proto = proto;
    pkt.has_l4 = true;
    pkt.src.s6_addr[10] = pkt.src.s6_addr[11] = 0xff;
    pkt.dst.s6_addr[10] = pkt.dst.s6_addr[11] = 0xff;
    inet_pton(AF_INET, src, &pkt.src.s6_addr[12]);
    inet_pton(AF_INET, dst, &pkt.dst.s6_addr[12]);
    pkt.src_port = sport;
    pkt.dst_port = dport;
    return pkt;
}

static bool
matches(const char *filter, const struct vxlan_packet *pkt)
{
    struct inner_match *match;
    char *error = inner_match_parse(filter, &match);
    bool result;

    if (error) {
        fail_msg("%s", error);
    }
    result = inner_match_packet(match, pkt);
    inner_match_destroy(match);
    return result;
}

static void
test_protocols_and_addresses(void **state OVS_UNUSED)
{
    struct vxlan_packet icmp = ipv4_packet("172.16.0.148", "172.16.0.134",
                                           1, 0, 0);
    struct vxlan_packet tcp = ipv4_packet("10.0.0.1", "10.0.0.2", 6,
                                          40000, 22);

    assert_true(matches("icmp src 172.16.0.148", &icmp));
    assert_false(matches("icmp dst 172.16.0.148", &icmp));
    assert_true(matches("icmp and host 172.16.0.148", &icmp));
    assert_true(matches("ip net 172.16.0.0/24", &icmp));
    assert_true(matches("src net 172.16.0.128/25 dst 172.16.0.134", &icmp));
    assert_false(matches("src net 172.16.0.0/25 dst 172.16.0.134", &icmp));
    assert_false(matches("tcp", &icmp));
    assert_false(matches("ip6", &icmp));
    assert_false(matches("net 2001:db8::/32", &icmp));
    assert_false(matches("port 22", &icmp));
    assert_true(matches("", &icmp));
    assert_true(matches("tcp port 22", &tcp));
    assert_true(matches("tcp dst port 22 src port 40000", &tcp));
    assert_false(matches("tcp src port 22", &tcp));
    assert_false(matches("udp port 22", &tcp));
    assert_true(inner_match_packet(NULL, &tcp));
}

static void
test_ipv6_and_arp(void **state OVS_UNUSED)
{
    struct vxlan_packet pkt;

    memset(&pkt, 0, sizeof pkt);
    pkt.is_ipv6 = true;
    pkt.ip_proto = 58;
    inet_pton(AF_INET6, "2001:db8::1", &pkt.src);
    inet_pton(AF_INET6, "2001:db8:1::2", &pkt.dst);
    assert_true(matches("icmp6 src 2001:db8::1", &pkt));
    assert_true(matches("dst net 2001:db8:1::/48", &pkt));
    assert_false(matches("dst net 2001:db8:2::/48", &pkt));
    assert_false(matches("icmp", &pkt));
    assert_false(matches("net 0.0.0.0/0", &pkt));

    memset(&pkt, 0, sizeof pkt);
    pkt.is_arp = true;
    pkt.src.s6_addr[10] = pkt.src.s6_addr[11] = 0xff;
    pkt.src.s6_addr[12] = 10;
    assert_true(matches("arp src 10.0.0.0", &pkt));
    assert_false(matches("ip", &pkt));
}

static void
assert_parse_error(const char *filter, const char *needle)
{
    struct inner_match *match;
    char *error = inner_match_parse(filter, &match);

    if (!error || !strstr(error, needle)) {
        fail_msg("\"%s\": expected an error with \"%s\", got \"%s\"",
                 filter, needle, error ? error : "(none)");
    }
    assert_null(match);
    free(error);
}

static void
test_parse_errors(void **state OVS_UNUSED)
{
    assert_parse_error("icmpx", "\"icmpx\" is not a protocol");
    assert_parse_error("port 70000", "port \"70000\"");
    assert_parse_error("port", "port \"\"");
    assert_parse_error("tcp src", "must follow src or dst");
    assert_parse_error("host", "must follow host or net");
    assert_parse_error("net 10.0.0.0/33", "\"10.0.0.0/33\"");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_protocols_and_addresses),
        cmocka_unit_test(test_ipv6_and_arp),
        cmocka_unit_test(test_parse_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

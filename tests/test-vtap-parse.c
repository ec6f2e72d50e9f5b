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

/* test-vtap-parse.c: unit tests of the CIDR and port range parsers and of
 * the check of a collector's address. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ovs-vtap/vtap-parse.h"

/* Asserts that 's' parses as a CIDR that formats back as 'expected'. */
static void
assert_cidr(const char *s, int family, const char *expected)
{
    struct vtap_cidr cidr;
    char buf[64];
    char *error = vtap_parse_cidr(s, &cidr);

    assert_null(error);
    assert_int_equal(cidr.family, family);
    vtap_cidr_format(&cidr, buf, sizeof buf);
    assert_string_equal(buf, expected);
}

/* Asserts that 's' is refused with an error containing 'needle'. */
static void
assert_cidr_error(const char *s, const char *needle)
{
    struct vtap_cidr cidr;
    char *error = vtap_parse_cidr(s, &cidr);

    if (!error || !strstr(error, needle)) {
        fail_msg("\"%s\": expected an error with \"%s\", got \"%s\"",
                 s, needle, error ? error : "(none)");
    }
    free(error);
}

static void
test_cidr_ipv4(void **state OVS_UNUSED)
{
    assert_cidr("172.16.0.148", AF_INET, "172.16.0.148/32");
    assert_cidr("172.16.0.148/32", AF_INET, "172.16.0.148/32");
    assert_cidr("172.16.0.0/24", AF_INET, "172.16.0.0/24");
    assert_cidr("0.0.0.0/0", AF_INET, "0.0.0.0/0");
}

static void
test_cidr_ipv6(void **state OVS_UNUSED)
{
    assert_cidr("2001:db8::1", AF_INET6, "2001:db8::1/128");
    assert_cidr("2001:db8::/32", AF_INET6, "2001:db8::/32");
    assert_cidr("::/0", AF_INET6, "::/0");
}

static void
test_cidr_errors(void **state OVS_UNUSED)
{
    assert_cidr_error("172.16.0.1/24", "host bits");
    assert_cidr_error("2001:db8::1/32", "host bits");
    assert_cidr_error("172.16.0.300", "not an IPv4");
    assert_cidr_error("172.16.0.0/33", "prefix length must be 0 to 32");
    assert_cidr_error("172.16.0.0/", "prefix length must be 0 to 32");
    assert_cidr_error("2001:db8::/129", "prefix length must be 0 to 128");
    assert_cidr_error("2001:db8::g", "not an IPv6");
    assert_cidr_error("bogus", "not an IPv4");
    assert_cidr_error("", "not an IPv4");
}

/* Asserts that 's' parses as the port range 'min'..'max'. */
static void
assert_range(const char *s, unsigned int min, unsigned int max)
{
    struct vtap_port_range range;
    char *error = vtap_parse_port_range(s, &range);

    assert_null(error);
    assert_int_equal(range.min, min);
    assert_int_equal(range.max, max);
}

/* Asserts that 's' is refused with an error containing 'needle'. */
static void
assert_range_error(const char *s, const char *needle)
{
    struct vtap_port_range range;
    char *error = vtap_parse_port_range(s, &range);

    if (!error || !strstr(error, needle)) {
        fail_msg("\"%s\": expected an error with \"%s\", got \"%s\"",
                 s, needle, error ? error : "(none)");
    }
    free(error);
}

static void
test_port_ranges(void **state OVS_UNUSED)
{
    assert_range("80", 80, 80);
    assert_range("0", 0, 0);
    assert_range("65535", 65535, 65535);
    assert_range("1000-1999", 1000, 1999);
    assert_range("0-65535", 0, 65535);
}

static void
test_port_range_errors(void **state OVS_UNUSED)
{
    assert_range_error("65536", "not a port number");
    assert_range_error("-1", "not a port range");
    assert_range_error("80-", "not a port range");
    assert_range_error("80-70000", "not a port range");
    assert_range_error("+80", "not a port number");
    assert_range_error("http", "not a port number");
    assert_range_error("", "not a port number");
    assert_range_error("90-80", "minimum 90 exceeds maximum 80");
}

/* Asserts that 's' may be a collector's address. */
static void
assert_collector(const char *s)
{
    char *error = vtap_check_collector_address(s);

    if (error) {
        fail_msg("\"%s\": unexpected error: %s", s, error);
    }
}

/* Asserts that 's' is refused as a collector's address, with an error
 * that names 's' and contains 'fragment'. */
static void
assert_not_collector(const char *s, const char *fragment)
{
    char *error = vtap_check_collector_address(s);

    assert_non_null(error);
    if (!strstr(error, s) || !strstr(error, fragment)) {
        fail_msg("\"%s\": error \"%s\" lacks \"%s\"", s, error,
                 fragment);
    }
    free(error);
}

static void
test_collector_addresses(void **state OVS_UNUSED)
{
    assert_collector("172.16.0.222");
    assert_collector("10.0.0.1");
    assert_collector("169.254.1.1");
    assert_collector("223.255.255.254");
    assert_collector("255.255.255.254");
    assert_collector("1.0.0.0");
    assert_collector("2001:db8::1");
    assert_collector("fd00::1");
    assert_collector("fec0::1");
    assert_collector("::2:0:0:1");

    assert_not_collector("0.0.0.0", "the unspecified address cannot be");
    assert_not_collector("0.1.2.3", "\"this network\"");
    assert_not_collector("127.0.0.1", "a loopback address cannot be");
    assert_not_collector("127.255.0.9", "a loopback address");
    assert_not_collector("224.0.0.1", "a multicast address");
    assert_not_collector("239.1.2.3", "a multicast address");
    assert_not_collector("255.255.255.255", "the broadcast address");
    assert_not_collector("::", "the unspecified address");
    assert_not_collector("::1", "the loopback address");
    assert_not_collector("ff02::1", "a multicast address");
    assert_not_collector("ff0e::101", "a multicast address");
    assert_not_collector("fe80::1", "a link-local address");
    assert_not_collector("febf::1", "a link-local address");
    assert_not_collector("::ffff:172.16.0.222", "an IPv4-mapped IPv6");
    assert_not_collector("::172.16.0.222", "an IPv4-compatible IPv6");
    assert_not_collector("172.16.0.300", "not an IPv4 or IPv6 address");
    assert_not_collector("nlb.example", "not an IPv4 or IPv6 address");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr_ipv4),
        cmocka_unit_test(test_cidr_ipv6),
        cmocka_unit_test(test_cidr_errors),
        cmocka_unit_test(test_port_ranges),
        cmocka_unit_test(test_port_range_errors),
        cmocka_unit_test(test_collector_addresses),
    };
    return cmocka_run_group_tests_name("vtap-parse", tests, NULL, NULL);
}

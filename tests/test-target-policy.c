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

/* test-target-policy.c: unit tests of the allowed targets: parsing the
 * prefixes, checking IPv4 and IPv6 addresses and DNS names against them,
 * and the text that errors and "show" print. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ovs-vtap/target-policy.h"
#include "util.h"

/* Makes 'policy' of the 'n' prefixes, asserting that they parse. */
static void
make_policy(struct target_policy *policy, char *const *cidrs, size_t n)
{
    char *error = target_policy_init(policy, cidrs, n);
    assert_null(error);
}

/* Returns true if 'policy' passes 'address'. */
static bool
passes(const struct target_policy *policy, const char *address)
{
    char *error = target_policy_check_address(policy, address);
    bool ok = !error;
    free(error);
    return ok;
}

static void
test_empty_allows_all(void **state OVS_UNUSED)
{
    struct target_policy policy;

    make_policy(&policy, NULL, 0);
    assert_true(passes(&policy, "192.0.2.1"));
    assert_true(passes(&policy, "2001:db8::1"));
    char *s = target_policy_to_string(&policy);
    assert_string_equal(s, "any");
    free(s);
    target_policy_destroy(&policy);
}

static void
test_prefixes_of_both_families(void **state OVS_UNUSED)
{
    char *cidrs[] = { "10.0.0.0/8", "172.16.0.222/32", "fd00::/8" };
    struct target_policy policy;

    make_policy(&policy, cidrs, ARRAY_SIZE(cidrs));
    assert_true(passes(&policy, "10.1.2.3"));
    assert_true(passes(&policy, "10.255.255.255"));
    assert_false(passes(&policy, "11.0.0.1"));
    assert_true(passes(&policy, "172.16.0.222"));
    assert_false(passes(&policy, "172.16.0.223"));
    assert_true(passes(&policy, "fd12:3456::1"));
    assert_false(passes(&policy, "fe80::1"));
    /* An IPv4 prefix does not pass the IPv4-mapped IPv6 form of another
     * family's address, nor does "::/0" pass IPv4. */
    assert_false(passes(&policy, "::ffff:11.0.0.1"));
    /* DNS names are checked once resolved, by ovs-vtapd. */
    assert_true(passes(&policy, "collector.example"));

    char *s = target_policy_to_string(&policy);
    assert_string_equal(s, "10.0.0.0/8, 172.16.0.222/32, fd00::/8");
    free(s);

    char *error = target_policy_check_address(&policy, "192.0.2.1");
    assert_string_equal(error, "\"192.0.2.1\" is outside the allowed targets "
                        "(10.0.0.0/8, 172.16.0.222/32, fd00::/8)");
    free(error);
    target_policy_destroy(&policy);
}

static void
test_families_kept_apart(void **state OVS_UNUSED)
{
    char *v6_all[] = { "::/0" };
    char *v4_all[] = { "0.0.0.0/0" };
    struct target_policy policy;

    make_policy(&policy, v6_all, 1);
    assert_true(passes(&policy, "2001:db8::1"));
    assert_false(passes(&policy, "192.0.2.1"));
    target_policy_destroy(&policy);

    make_policy(&policy, v4_all, 1);
    assert_true(passes(&policy, "192.0.2.1"));
    assert_false(passes(&policy, "2001:db8::1"));
    target_policy_destroy(&policy);
}

static void
test_bad_prefixes(void **state OVS_UNUSED)
{
    char *bad_host_bits[] = { "10.0.0.0/8", "10.0.0.1/8" };
    char *bad_word[] = { "collector" };
    char *bad_plen[] = { "fd00::/129" };
    struct target_policy policy;
    char *error;

    error = target_policy_init(&policy, bad_host_bits, 2);
    assert_string_equal(error, "allowed targets: \"10.0.0.1/8\": host bits "
                        "set beyond the /8 prefix");
    free(error);
    target_policy_destroy(&policy);

    error = target_policy_init(&policy, bad_word, 1);
    assert_string_equal(error, "allowed targets: \"collector\": not an IPv4 "
                        "address or CIDR");
    free(error);
    target_policy_destroy(&policy);

    error = target_policy_init(&policy, bad_plen, 1);
    assert_string_equal(error, "allowed targets: \"fd00::/129\": prefix "
                        "length must be 0 to 128 for IPv6");
    free(error);
    target_policy_destroy(&policy);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_allows_all),
        cmocka_unit_test(test_prefixes_of_both_families),
        cmocka_unit_test(test_families_kept_apart),
        cmocka_unit_test(test_bad_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

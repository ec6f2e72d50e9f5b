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

/* test-vtap-source.c: unit tests of a VTAP source's name and host
 * (lib/vtap-source.c): splitting NAME@HOST and NAME@*, what each type
 * allows, the errors, which hosts a source is on, when a source that
 * names no host is ambiguous, and the source_host that each is monitored
 * by. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ovs-vtap/vtap-source.h"
#include "util.h"

/* Parses 'source' of 'type' into 'src', asserting that it parses. */
static void
parse_ok(const char *type, const char *source, struct vtap_source *src)
{
    char *error = vtap_source_parse(type, source, src);
    assert_null(error);
}

/* Asserts that 'source' of 'type' is refused with 'expected', leaving the
 * source empty. */
static void
parse_fails(const char *type, const char *source, const char *expected)
{
    struct vtap_source src;
    char *error = vtap_source_parse(type, source, &src);

    assert_non_null(error);
    assert_string_equal(error, expected);
    assert_null(src.name);
    assert_null(src.host);
    free(error);
}

static void
test_one_host(void **state OVS_UNUSED)
{
    static const char *const types[] = { "port", "bridge", "vlan" };
    struct vtap_source src;
    bool ambiguous;

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        parse_ok(types[i], "server@hv1", &src);
        assert_int_equal(src.hosts, VTAP_SOURCE_ONE_HOST);
        assert_string_equal(src.name, "server");
        assert_string_equal(src.host, "hv1");
        assert_string_equal(vtap_source_host_key(&src), "hv1");
        assert_true(vtap_source_is_here(&src, "hv1", 3, &ambiguous));
        assert_false(ambiguous);
        assert_false(vtap_source_is_here(&src, "hv2", 3, &ambiguous));
        assert_false(ambiguous);
        assert_null(vtap_source_ambiguity(types[i], &src, 3));
        vtap_source_destroy(&src);
        assert_null(src.name);
        assert_null(src.host);
    }
}

static void
test_every_host(void **state OVS_UNUSED)
{
    struct vtap_source src;
    bool ambiguous;

    parse_ok("bridge", "br-int@*", &src);
    assert_int_equal(src.hosts, VTAP_SOURCE_EVERY_HOST);
    assert_string_equal(src.name, "br-int");
    assert_null(src.host);
    assert_string_equal(vtap_source_host_key(&src), "*");
    assert_true(vtap_source_is_here(&src, "hv1", 2, &ambiguous));
    assert_true(vtap_source_is_here(&src, "hv2", 2, &ambiguous));
    assert_false(ambiguous);
    assert_null(vtap_source_ambiguity("bridge", &src, 2));
    vtap_source_destroy(&src);

    parse_ok("vlan", "br-ex@*", &src);
    assert_int_equal(src.hosts, VTAP_SOURCE_EVERY_HOST);
    assert_string_equal(src.name, "br-ex");
    vtap_source_destroy(&src);

    /* A port is on one host only. */
    parse_fails("port", "server@*", "source server@*: a port is on one "
                "host, \"@*\" is for bridge and vlan sources");
}

static void
test_no_host(void **state OVS_UNUSED)
{
    struct vtap_source src;
    bool ambiguous;

    parse_ok("port", "server", &src);
    assert_int_equal(src.hosts, VTAP_SOURCE_NO_HOST);
    assert_string_equal(src.name, "server");
    assert_null(src.host);
    assert_string_equal(vtap_source_host_key(&src), "");

    /* The database's one host, whatever its name. */
    assert_true(vtap_source_is_here(&src, "hv1", 1, &ambiguous));
    assert_false(ambiguous);
    assert_null(vtap_source_ambiguity("port", &src, 0));
    assert_null(vtap_source_ambiguity("port", &src, 1));

    /* Several hosts: ambiguous, still "here" so that a host reports it. */
    assert_true(vtap_source_is_here(&src, "hv1", 2, &ambiguous));
    assert_true(ambiguous);

    char *error = vtap_source_ambiguity("port", &src, 2);
    assert_string_equal(error, "source port server names no host and 2 "
                        "hosts share the VTAP database: name one, as "
                        "server@HOST");
    free(error);
    vtap_source_destroy(&src);

    parse_ok("bridge", "br-int", &src);
    error = vtap_source_ambiguity("bridge", &src, 3);
    assert_string_equal(error, "source bridge br-int names no host and 3 "
                        "hosts share the VTAP database: name one, as "
                        "br-int@HOST, or every host, as br-int@*");
    free(error);
    vtap_source_destroy(&src);
}

static void
test_iface_id(void **state OVS_UNUSED)
{
    struct vtap_source src;
    bool ambiguous;

    /* An iface-id names no host, and may hold '@' itself. */
    parse_ok("iface-id", "vm@2", &src);
    assert_int_equal(src.hosts, VTAP_SOURCE_BOUND);
    assert_string_equal(src.name, "vm@2");
    assert_null(src.host);
    assert_string_equal(vtap_source_host_key(&src), "@");
    assert_true(vtap_source_is_here(&src, "hv1", 5, &ambiguous));
    assert_false(ambiguous);
    assert_null(vtap_source_ambiguity("iface-id", &src, 5));
    vtap_source_destroy(&src);

    parse_fails("iface-id", "", "iface-id source is empty");
}

static void
test_bad_sources(void **state OVS_UNUSED)
{
    parse_fails("port", "server@", "source server@: the host after \"@\" "
                "is missing");
    parse_fails("bridge", "br@hv1@hv2", "source br@hv1@hv2: the host after "
                "\"@\" is not one name");
    parse_fails("port", "@hv1", "source @hv1: the port name is missing");
    parse_fails("bridge", "@*", "source @*: the bridge name is missing");
    parse_fails("vlan", "", "source : the vlan name is missing");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_host),
        cmocka_unit_test(test_every_host),
        cmocka_unit_test(test_no_host),
        cmocka_unit_test(test_iface_id),
        cmocka_unit_test(test_bad_sources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

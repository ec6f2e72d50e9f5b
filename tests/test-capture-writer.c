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

/* test-capture-writer.c: unit tests of the pcap and pcapng writers: write
 * frames, read the bytes back and check every header. */

#include <config.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "openvswitch/compiler.h"
#include "ovs-vtap/capture-writer.h"
#include "util.h"

static uint8_t frame[100];
static struct sockaddr_storage src;

/* Reads all of 'name' into a new buffer, its length into '*len'. */
static uint8_t *
slurp(const char *name, size_t *len)
{
    FILE *f = fopen(name, "rb");
    uint8_t *data = xmalloc(1 << 20);

    assert_non_null(f);
    *len = fread(data, 1, 1 << 20, f);
    fclose(f);
    return data;
}

static uint32_t
u32_at(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
}

static uint16_t
u16_at(const uint8_t *p)
{
    uint16_t v;

    memcpy(&v, p, 2);
    return v;
}

/* Makes a writer of 'format' on a new temporary file name. */
static struct capture_writer *
open_temp(enum capture_format format, char *name, uint64_t rotate_bytes,
          unsigned int rotate_secs, unsigned int max_files,
          uint32_t snaplen)
{
    struct capture_writer_options opts = {
        .format = format, .file_name = name, .rotate_bytes = rotate_bytes,
        .rotate_secs = rotate_secs, .max_files = max_files,
        .snaplen = snaplen, .application = "test",
    };
    struct capture_writer *w;
    char *error;

    error = capture_writer_open(&opts, &w);
    assert_null(error);
    return w;
}

static void
setup_frame(void)
{
    struct sockaddr_in *sin = (struct sockaddr_in *) &src;
    size_t i;

    for (i = 0; i < sizeof frame; i++) {
        frame[i] = i;
    }
    memset(&src, 0, sizeof src);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(4242);
    inet_pton(AF_INET, "192.0.2.7", &sin->sin_addr);
}

static void
test_pcap(void **state OVS_UNUSED)
{
    char name[] = "/tmp/test-capture-writer-XXXXXX";
    struct timespec ts1 = { 1700000000, 123456789 };
    struct timespec ts2 = { 1700000001, 999999999 };
    struct capture_writer *w;
    uint8_t *data;
    size_t len;

    setup_frame();
    close(mkstemp(name));
    w = open_temp(CAPTURE_PCAP, name, 0, 0, 0, 60);
    assert_int_equal(capture_writer_write(w, &ts1, 100, &src, frame, 40, 40),
                     0);
    assert_int_equal(capture_writer_write(w, &ts2, 200, &src, frame, 100,
                                          100), 0);
    assert_int_equal(capture_writer_n_packets(w), 2);
    assert_string_equal(capture_writer_file_name(w), name);
    assert_int_equal(capture_writer_close(w), 0);

    data = slurp(name, &len);
    assert_int_equal(len, 24 + 16 + 40 + 16 + 60);
    assert_int_equal(u32_at(data), 0xa1b23c4d);
    assert_int_equal(u16_at(data + 4), 2);
    assert_int_equal(u16_at(data + 6), 4);
    assert_int_equal(u32_at(data + 16), 60);    /* Snap length. */
    assert_int_equal(u32_at(data + 20), 1);     /* Ethernet. */
    assert_int_equal(u32_at(data + 24), 1700000000);
    assert_int_equal(u32_at(data + 28), 123456789);
    assert_int_equal(u32_at(data + 32), 40);
    assert_int_equal(u32_at(data + 36), 40);
    assert_memory_equal(data + 40, frame, 40);
    assert_int_equal(u32_at(data + 80), 1700000001);
    assert_int_equal(u32_at(data + 84), 999999999);
    assert_int_equal(u32_at(data + 88), 60);    /* Cut to the snap... */
    assert_int_equal(u32_at(data + 92), 100);   /* ...from 100 bytes. */
    assert_memory_equal(data + 96, frame, 60);
    free(data);
    unlink(name);
}

/* Checks the pcapng block at 'p' (of 'type') and returns its length. */
static uint32_t
check_block(const uint8_t *p, uint32_t type)
{
    uint32_t total = u32_at(p + 4);

    assert_int_equal(u32_at(p), type);
    assert_int_equal(total % 4, 0);
    assert_int_equal(u32_at(p + total - 4), total);
    return total;
}

/* Returns whether the options from 'p' to 'end' hold 'code' with
 * 'value'. */
static bool
has_option(const uint8_t *p, const uint8_t *end, uint16_t code,
           const char *value)
{
    while (p + 4 <= end) {
        uint16_t c = u16_at(p), len = u16_at(p + 2);

        if (c == code && len == strlen(value) && !memcmp(p + 4, value, len)) {
            return true;
        }
        if (!c) {
            break;
        }
        p += 4 + ROUND_UP(len, 4);
    }
    return false;
}

static void
test_pcapng(void **state OVS_UNUSED)
{
    char name[] = "/tmp/test-capture-writer-XXXXXX";
    struct timespec ts = { 1700000000, 5 };
    uint32_t vnis[3] = { 100, 200, 100 };
    uint32_t ids[3] = { 0, 1, 0 };
    struct capture_writer *w;
    uint8_t *data, *p;
    size_t len;
    int i;

    setup_frame();
    close(mkstemp(name));
    w = open_temp(CAPTURE_PCAPNG, name, 0, 0, 0, 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(capture_writer_write(w, &ts, vnis[i], &src, frame,
                                              41 + i, 41 + i), 0);
    }
    assert_int_equal(capture_writer_close(w), 0);

    data = slurp(name, &len);
    p = data;
    p += check_block(p, 0x0a0d0d0a);
    assert_int_equal(u32_at(data + 8), 0x1a2b3c4d);
    assert_true(has_option(data + 24, p - 4, 4, "test"));
    for (i = 0; i < 3; i++) {
        uint32_t total;

        if (i < 2) {
            char if_name[16];

            snprintf(if_name, sizeof if_name, "vni%u", vnis[i]);
            total = check_block(p, 1);
            assert_int_equal(u16_at(p + 8), 1);          /* Ethernet. */
            assert_true(has_option(p + 16, p + total - 4, 2, if_name));
            assert_true(has_option(p + 16, p + total - 4, 9, "\x09"));
            p += total;
        }
        total = check_block(p, 6);
        assert_int_equal(u32_at(p + 8), ids[i]);
        assert_int_equal(u32_at(p + 12), 395812094); /* ns >> 32. */
        assert_int_equal(u32_at(p + 16),
                         (uint32_t) (1700000000000000005ULL & 0xffffffff));
        assert_int_equal(u32_at(p + 20), 41 + i);
        assert_int_equal(u32_at(p + 24), 41 + i);
        assert_memory_equal(p + 28, frame, 41 + i);
        assert_true(has_option(p + 28 + ROUND_UP(41 + i, 4),
                               p + total - 4, 1,
                               i == 1 ? "vni 200 from 192.0.2.7:4242"
                               : "vni 100 from 192.0.2.7:4242"));
        p += total;
    }
    assert_ptr_equal(p, data + len);
    free(data);
    unlink(name);
}

/* Size rotation names files NAME, NAME1, NAME2...; with a file count
 * NAME0..NAME<count-1>, reused in turn; each file starts with its own
 * header (and for pcapng its own interfaces). */
static void
test_rotation(void **state OVS_UNUSED)
{
    char dir[] = "/tmp/test-capture-writer-XXXXXX";
    struct timespec ts = { 1700000000, 0 };
    struct capture_writer *w;
    char *name, *name1, *name2, *name0;
    uint8_t *data;
    size_t len;
    int i;

    setup_frame();
    assert_non_null(mkdtemp(dir));
    name = xasprintf("%s/c", dir);
    w = open_temp(CAPTURE_PCAPNG, name, 100, 0, 0, 0);
    for (i = 0; i < 3; i++) {
        assert_int_equal(capture_writer_write(w, &ts, 7, &src, frame, 60,
                                              60), 0);
    }
    assert_int_equal(capture_writer_close(w), 0);
    name1 = xasprintf("%s1", name);
    name2 = xasprintf("%s2", name);
    for (i = 0; i < 3; i++) {
        data = slurp(i == 0 ? name : i == 1 ? name1 : name2, &len);
        len = check_block(data, 0x0a0d0d0a);
        len += check_block(data + len, 1);
        check_block(data + len, 6);
        free(data);
    }
    unlink(name);
    unlink(name1);
    unlink(name2);

    /* Two file names, by time: the third file reuses the first name. */
    w = open_temp(CAPTURE_PCAP, name, 0, 10, 2, 0);
    for (i = 0; i < 3; i++) {
        ts.tv_sec = time(NULL) + i * 10;
        assert_int_equal(capture_writer_write(w, &ts, 7, &src, frame,
                                              20 + i, 20 + i), 0);
    }
    assert_int_equal(capture_writer_close(w), 0);
    name0 = xasprintf("%s0", name);
    data = slurp(name0, &len);
    assert_int_equal(len, 24 + 16 + 22);
    free(data);
    data = slurp(name1, &len);
    assert_int_equal(len, 24 + 16 + 21);
    free(data);
    assert_int_equal(access(name, F_OK), -1);
    unlink(name0);
    unlink(name1);
    rmdir(dir);
    free(name);
    free(name0);
    free(name1);
    free(name2);
}

/* A frame cut on its way keeps its original length in both formats, also
 * when the snap length cuts it further; an original length shorter than
 * the frame (Ethernet padding) records the frame's length. */
static void
test_orig_len(void **state OVS_UNUSED)
{
    char name[] = "/tmp/test-capture-writer-XXXXXX";
    struct timespec ts = { 1700000000, 0 };
    struct capture_writer *w;
    uint8_t *data, *p;
    size_t len;

    setup_frame();
    close(mkstemp(name));
    w = open_temp(CAPTURE_PCAP, name, 0, 0, 0, 40);
    assert_int_equal(capture_writer_write(w, &ts, 1, &src, frame, 60, 1514),
                     0);
    assert_int_equal(capture_writer_write(w, &ts, 1, &src, frame, 30, 1000),
                     0);
    assert_int_equal(capture_writer_write(w, &ts, 1, &src, frame, 36, 20),
                     0);
    assert_int_equal(capture_writer_close(w), 0);
    data = slurp(name, &len);
    assert_int_equal(len, 24 + 16 + 40 + 16 + 30 + 16 + 36);
    p = data + 24;
    assert_int_equal(u32_at(p + 8), 40);        /* Captured... */
    assert_int_equal(u32_at(p + 12), 1514);     /* ...of the original. */
    p += 16 + 40;
    assert_int_equal(u32_at(p + 8), 30);
    assert_int_equal(u32_at(p + 12), 1000);
    p += 16 + 30;
    assert_int_equal(u32_at(p + 8), 36);
    assert_int_equal(u32_at(p + 12), 36);
    free(data);

    w = open_temp(CAPTURE_PCAPNG, name, 0, 0, 0, 0);
    assert_int_equal(capture_writer_write(w, &ts, 1, &src, frame, 60, 1514),
                     0);
    assert_int_equal(capture_writer_close(w), 0);
    data = slurp(name, &len);
    p = data;
    p += check_block(p, 0x0a0d0d0a);
    p += check_block(p, 1);
    check_block(p, 6);
    assert_int_equal(u32_at(p + 20), 60);
    assert_int_equal(u32_at(p + 24), 1514);
    free(data);
    unlink(name);
}

/* The source and VNI of record 'k' of test_comment_cache: 300 ports,
 * 7 addresses (every 11th an IPv6 one), 5 VNIs, interleaved, so that the
 * writer's table of comments misses, collides and hits. */
static uint32_t
cache_test_source(int k, struct sockaddr_storage *ss, char *comment,
                  size_t size)
{
    uint32_t vni = 1 + k % 5;
    int port = 1000 + k % 300;
    char addr[64];

    memset(ss, 0, sizeof *ss);
    if (k % 11 == 0) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) ss;

        snprintf(addr, sizeof addr, "2001:db8::%d", 1 + k % 7);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        assert_int_equal(inet_pton(AF_INET6, addr, &sin6->sin6_addr), 1);
        snprintf(comment, size, "vni %u from [%s]:%d", vni, addr, port);
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *) ss;

        snprintf(addr, sizeof addr, "192.0.2.%d", 1 + k % 7);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        assert_int_equal(inet_pton(AF_INET, addr, &sin->sin_addr), 1);
        snprintf(comment, size, "vni %u from %s:%d", vni, addr, port);
    }
    return vni;
}

/* Checks the pcapng file 'name', which holds records 'k' onward of
 * test_comment_cache: each record's comment names its VNI and source, and
 * its interface ID is that of an interface of this file named after its
 * VNI.  Returns the number of records in the file. */
static int
check_cache_file(const char *name, int k)
{
    char if_names[8][16];
    size_t len, n_ifaces = 0;
    uint8_t *data, *p;
    int n = 0;

    data = slurp(name, &len);
    p = data + check_block(data, 0x0a0d0d0a);
    while (p < data + len) {
        uint32_t type = u32_at(p), total;

        if (type == 1) {
            total = check_block(p, 1);
            assert_true(n_ifaces < ARRAY_SIZE(if_names));
            assert_int_equal(u16_at(p + 16), 2);   /* if_name first. */
            memcpy(if_names[n_ifaces], p + 20, u16_at(p + 18));
            if_names[n_ifaces++][u16_at(p + 18)] = '\0';
        } else {
            struct sockaddr_storage ss;
            char comment[96], if_name[16];
            uint32_t vni, id;

            total = check_block(p, 6);
            vni = cache_test_source(k + n, &ss, comment, sizeof comment);
            snprintf(if_name, sizeof if_name, "vni%u", vni);
            id = u32_at(p + 8);
            assert_true(id < n_ifaces);
            assert_string_equal(if_names[id], if_name);
            assert_int_equal(u32_at(p + 20), 20 + (k + n) % 9);
            assert_memory_equal(p + 28, frame, 20 + (k + n) % 9);
            assert_true(has_option(p + 28 + ROUND_UP(20 + (k + n) % 9, 4),
                                   p + total - 4, 1, comment));
            n++;
        }
        p += total;
    }
    assert_ptr_equal(p, data + len);
    free(data);
    return n;
}

/* Records from many interleaved VNIs and sources, across a rotation to a
 * second file, each carry their own comment and an interface ID of their
 * own file: the writer's table of comments never gives one record's
 * options to another. */
static void
test_comment_cache(void **state OVS_UNUSED)
{
    char dir[] = "/tmp/test-capture-writer-XXXXXX";
    struct timespec ts = { 1700000000, 0 };
    struct capture_writer *w;
    char *name, *name1, *name2;
    int k, n;

    setup_frame();
    assert_non_null(mkdtemp(dir));
    name = xasprintf("%s/c", dir);
    w = open_temp(CAPTURE_PCAPNG, name, 60000, 0, 0, 0);
    for (k = 0; k < 1200; k++) {
        struct sockaddr_storage ss;
        char comment[96];
        uint32_t vni = cache_test_source(k, &ss, comment, sizeof comment);

        assert_int_equal(capture_writer_write(w, &ts, vni, &ss, frame,
                                              20 + k % 9, 20 + k % 9), 0);
    }
    assert_int_equal(capture_writer_close(w), 0);
    name1 = xasprintf("%s1", name);
    name2 = xasprintf("%s2", name);
    n = check_cache_file(name, 0);
    assert_true(n > 0 && n < 1200);
    n += check_cache_file(name1, n);
    if (n < 1200) {
        n += check_cache_file(name2, n);
    }
    assert_int_equal(n, 1200);
    unlink(name);
    unlink(name1);
    unlink(name2);
    rmdir(dir);
    free(name);
    free(name1);
    free(name2);
}

static void
test_errors(void **state OVS_UNUSED)
{
    struct capture_writer_options opts = {
        .format = CAPTURE_PCAP, .file_name = "-", .rotate_bytes = 1000,
    };
    struct capture_writer *w;
    char *error;

    error = capture_writer_open(&opts, &w);
    assert_non_null(error);
    assert_non_null(strstr(error, "cannot be rotated"));
    free(error);

    opts.file_name = "/nonexistent-dir/x.pcap";
    opts.rotate_bytes = 0;
    error = capture_writer_open(&opts, &w);
    assert_non_null(error);
    assert_non_null(strstr(error, "/nonexistent-dir/x.pcap"));
    assert_null(w);
    free(error);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pcap),
        cmocka_unit_test(test_pcapng),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_orig_len),
        cmocka_unit_test(test_comment_cache),
        cmocka_unit_test(test_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

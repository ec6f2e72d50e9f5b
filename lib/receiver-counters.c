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

/* receiver-counters.c: the receiver's counters and their reports. */

#include <config.h>

#include "ovs-vtap/receiver-counters.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/util.h"
#include "ovs-vtap/frame-format.h"
#include "util.h"

/* Initializes 'c' with every counter zero, to table at most 'max_vnis'
 * VNIs and 'max_sources' source addresses. */
void
receiver_counters_init(struct receiver_counters *c, size_t max_vnis,
                       size_t max_sources)
{
    memset(c, 0, sizeof *c);
    hmap_init(&c->vnis);
    hmap_init(&c->sources);
    c->max_vnis = max_vnis;
    c->max_sources = max_sources;
}

/* Adds the counters of 'src' to 'dst' (whose tables stay bounded: what
 * does not fit goes to their "other" buckets). */
void
receiver_counters_add(struct receiver_counters *dst,
                      const struct receiver_counters *src)
{
    const struct receiver_source_counters *s;
    const struct receiver_vni_counters *v;
    size_t i;

    dst->datagrams += src->datagrams;
    dst->bytes += src->bytes;
    dst->refused += src->refused;
    dst->refused_bytes += src->refused_bytes;
    for (i = 0; i < VXLAN_DECODE_N_RESULTS; i++) {
        dst->malformed[i] += src->malformed[i];
    }
    dst->vni_filtered += src->vni_filtered;
    dst->unmatched += src->unmatched;
    dst->matched += src->matched;
    dst->matched_bytes += src->matched_bytes;
    dst->kernel_drops += src->kernel_drops;
    HMAP_FOR_EACH (v, node, &src->vnis) {
        struct receiver_vni_counters *d = receiver_counters_vni(dst, v->vni);

        d->packets += v->packets;
        d->bytes += v->bytes;
        d->matched += v->matched;
    }
    dst->other_vnis.packets += src->other_vnis.packets;
    dst->other_vnis.bytes += src->other_vnis.bytes;
    dst->other_vnis.matched += src->other_vnis.matched;
    HMAP_FOR_EACH (s, node, &src->sources) {
        struct receiver_source_counters *d
            = receiver_counters_source(dst, &s->addr);

        d->datagrams += s->datagrams;
        d->bytes += s->bytes;
        d->malformed += s->malformed;
    }
    dst->other_sources.datagrams += src->other_sources.datagrams;
    dst->other_sources.bytes += src->other_sources.bytes;
    dst->other_sources.malformed += src->other_sources.malformed;
}

/* Frees what 'c' holds. */
void
receiver_counters_destroy(struct receiver_counters *c)
{
    struct receiver_source_counters *src;
    struct receiver_vni_counters *vni;

    HMAP_FOR_EACH_POP (vni, node, &c->vnis) {
        free(vni);
    }
    hmap_destroy(&c->vnis);
    HMAP_FOR_EACH_POP (src, node, &c->sources) {
        free(src);
    }
    hmap_destroy(&c->sources);
}

static struct receiver_vni_counters *
find_vni(const struct receiver_counters *c, uint32_t vni, uint32_t hash)
{
    struct receiver_vni_counters *v;

    HMAP_FOR_EACH_WITH_HASH (v, node, hash, &c->vnis) {
        if (v->vni == vni) {
            return v;
        }
    }
    return NULL;
}

/* Returns the counters of 'vni', creating them if the table has room, or
 * else the "other" bucket. */
struct receiver_vni_counters *
receiver_counters_vni(struct receiver_counters *c, uint32_t vni)
{
    struct receiver_vni_counters *v;
    uint32_t hash;

    if (c->last_vni && c->last_vni->vni == vni) {
        return c->last_vni;
    }
    hash = hash_int(vni, 0);
    v = find_vni(c, vni, hash);
    if (v) {
        return c->last_vni = v;
    }
    if (hmap_count(&c->vnis) >= c->max_vnis) {
        return &c->other_vnis;
    }
    v = xzalloc(sizeof *v);
    v->vni = vni;
    hmap_insert(&c->vnis, &v->node, hash);
    return c->last_vni = v;
}

/* Returns the counters of 'vni' if it has a table entry, else NULL. */
const struct receiver_vni_counters *
receiver_counters_find_vni(const struct receiver_counters *c, uint32_t vni)
{
    return find_vni(c, vni, hash_int(vni, 0));
}

/* Returns a hash of the address of 'ss', without its port. */
static uint32_t
source_hash(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        return hash_int(((const struct sockaddr_in *) ss)->sin_addr.s_addr,
                        AF_INET);
    } else if (ss->ss_family == AF_INET6) {
        return hash_bytes(&((const struct sockaddr_in6 *) ss)->sin6_addr,
                          sizeof(struct in6_addr), AF_INET6);
    }
    return hash_int(ss->ss_family, 0);
}

/* Returns true if 'a' and 'b' have the same address, whatever their
 * ports. */
static bool
source_equal(const struct sockaddr_storage *a,
             const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family) {
        return false;
    } else if (a->ss_family == AF_INET) {
        return (((const struct sockaddr_in *) a)->sin_addr.s_addr
                == ((const struct sockaddr_in *) b)->sin_addr.s_addr);
    } else if (a->ss_family == AF_INET6) {
        return !memcmp(&((const struct sockaddr_in6 *) a)->sin6_addr,
                       &((const struct sockaddr_in6 *) b)->sin6_addr,
                       sizeof(struct in6_addr));
    }
    return true;
}

/* Copies the address of 'ss', without its port, into '*key'. */
static void
source_key(const struct sockaddr_storage *ss, struct sockaddr_storage *key)
{
    memset(key, 0, sizeof *key);
    key->ss_family = ss->ss_family;
    if (ss->ss_family == AF_INET) {
        ((struct sockaddr_in *) key)->sin_addr
            = ((const struct sockaddr_in *) ss)->sin_addr;
    } else if (ss->ss_family == AF_INET6) {
        ((struct sockaddr_in6 *) key)->sin6_addr
            = ((const struct sockaddr_in6 *) ss)->sin6_addr;
    }
}

/* Returns the counters of the address of 'ss' (its port left out),
 * creating them if the table has room, or else the "other" bucket. */
struct receiver_source_counters *
receiver_counters_source(struct receiver_counters *c,
                         const struct sockaddr_storage *ss)
{
    struct receiver_source_counters *s;
    uint32_t hash;

    if (c->last_source && source_equal(&c->last_source->addr, ss)) {
        return c->last_source;
    }
    hash = source_hash(ss);
    HMAP_FOR_EACH_WITH_HASH (s, node, hash, &c->sources) {
        if (source_equal(&s->addr, ss)) {
            return c->last_source = s;
        }
    }
    if (hmap_count(&c->sources) >= c->max_sources) {
        return &c->other_sources;
    }
    s = xzalloc(sizeof *s);
    source_key(ss, &s->addr);
    hmap_insert(&c->sources, &s->node, hash);
    return c->last_source = s;
}

/* Total number of malformed datagrams, whatever the reason. */
uint64_t
receiver_counters_n_malformed(const struct receiver_counters *c)
{
    uint64_t n = 0;
    int i;

    for (i = 0; i < VXLAN_DECODE_N_RESULTS; i++) {
        n += c->malformed[i];
    }
    return n;
}

static int
compare_vnis(const void *a_, const void *b_)
{
    const struct receiver_vni_counters *const *a = a_, *const *b = b_;

    return (*a)->vni < (*b)->vni ? -1 : (*a)->vni > (*b)->vni;
}

/* Returns the VNI counters of 'c' in an array sorted by VNI, to free. */
static const struct receiver_vni_counters **
sorted_vnis(const struct receiver_counters *c)
{
    const struct receiver_vni_counters **vnis, *v;
    size_t n = 0;

    vnis = xmalloc((hmap_count(&c->vnis) + 1) * sizeof *vnis);
    HMAP_FOR_EACH (v, node, &c->vnis) {
        vnis[n++] = v;
    }
    qsort(vnis, n, sizeof *vnis, compare_vnis);
    return vnis;
}

/* Appends to 'ds' a report of 'c' for people, one counter a line. */
void
receiver_counters_format(const struct receiver_counters *c, struct ds *ds)
{
    const struct receiver_vni_counters **vnis = sorted_vnis(c);
    const struct receiver_source_counters *s;
    size_t i;

    ds_put_format(ds, "datagrams: %"PRIu64" (%"PRIu64" bytes)\n",
                  c->datagrams, c->bytes);
    ds_put_format(ds, "refused: %"PRIu64" (%"PRIu64" bytes)\n",
                  c->refused, c->refused_bytes);
    ds_put_format(ds, "matched: %"PRIu64" (%"PRIu64" bytes)\n",
                  c->matched, c->matched_bytes);
    ds_put_format(ds, "vni-filtered: %"PRIu64"\n", c->vni_filtered);
    ds_put_format(ds, "unmatched: %"PRIu64"\n", c->unmatched);
    ds_put_format(ds, "malformed: %"PRIu64"\n",
                  receiver_counters_n_malformed(c));
    for (i = 1; i < VXLAN_DECODE_N_RESULTS; i++) {
        if (c->malformed[i]) {
            ds_put_format(ds, "  %s: %"PRIu64"\n",
                          vxlan_decode_result_name(i), c->malformed[i]);
        }
    }
    ds_put_format(ds, "kernel-drops: %"PRIu64"\n", c->kernel_drops);
    for (i = 0; i < hmap_count(&c->vnis); i++) {
        ds_put_format(ds, "vni %"PRIu32": packets %"PRIu64", bytes %"PRIu64
                      ", matched %"PRIu64"\n", vnis[i]->vni,
                      vnis[i]->packets, vnis[i]->bytes, vnis[i]->matched);
    }
    if (c->other_vnis.packets) {
        ds_put_format(ds, "other vnis (past %"PRIuSIZE"): packets %"PRIu64
                      ", bytes %"PRIu64", matched %"PRIu64"\n",
                      c->max_vnis, c->other_vnis.packets,
                      c->other_vnis.bytes, c->other_vnis.matched);
    }
    HMAP_FOR_EACH (s, node, &c->sources) {
        ds_put_cstr(ds, "source ");
        frame_format_sockaddr(ds, &s->addr, false);
        ds_put_format(ds, ": datagrams %"PRIu64", bytes %"PRIu64
                      ", malformed %"PRIu64"\n",
                      s->datagrams, s->bytes, s->malformed);
    }
    s = &c->other_sources;
    if (s->datagrams) {
        ds_put_format(ds, "other sources (past %"PRIuSIZE"): datagrams %"
                      PRIu64", bytes %"PRIu64", malformed %"PRIu64"\n",
                      c->max_sources, s->datagrams, s->bytes, s->malformed);
    }
    free(vnis);
}

static void
put_count(struct json *object, const char *name, uint64_t value)
{
    json_object_put(object, name, json_integer_create(value));
}

static struct json *
vni_counters_to_json(const struct receiver_vni_counters *v)
{
    struct json *json = json_object_create();

    put_count(json, "packets", v->packets);
    put_count(json, "bytes", v->bytes);
    put_count(json, "matched", v->matched);
    return json;
}

static struct json *
source_counters_to_json(const struct receiver_source_counters *s)
{
    struct json *json = json_object_create();

    put_count(json, "datagrams", s->datagrams);
    put_count(json, "bytes", s->bytes);
    put_count(json, "malformed", s->malformed);
    return json;
}

/* Returns 'c' as a JSON object (to free with json_destroy()):
 * {"datagrams", "bytes", "refused", "refused_bytes", "matched",
 *  "matched_bytes", "vni_filtered", "unmatched",
 *  "malformed": {"total", REASON...}, "kernel_drops",
 *  "vnis": {VNI: {"packets", "bytes", "matched"}},
 *  "other_vnis": {"packets", "bytes", "matched"},
 *  "sources": {ADDRESS: {"datagrams", "bytes", "malformed"}},
 *  "other_sources": {"datagrams", "bytes", "malformed"}}. */
struct json *
receiver_counters_to_json(const struct receiver_counters *c)
{
    const struct receiver_vni_counters **vnis = sorted_vnis(c);
    struct json *malformed = json_object_create();
    struct json *sources = json_object_create();
    struct json *json = json_object_create();
    struct json *vni_json = json_object_create();
    const struct receiver_source_counters *s;
    struct ds name = DS_EMPTY_INITIALIZER;
    size_t i;

    put_count(json, "datagrams", c->datagrams);
    put_count(json, "bytes", c->bytes);
    put_count(json, "refused", c->refused);
    put_count(json, "refused_bytes", c->refused_bytes);
    put_count(json, "matched", c->matched);
    put_count(json, "matched_bytes", c->matched_bytes);
    put_count(json, "vni_filtered", c->vni_filtered);
    put_count(json, "unmatched", c->unmatched);
    put_count(malformed, "total", receiver_counters_n_malformed(c));
    for (i = 1; i < VXLAN_DECODE_N_RESULTS; i++) {
        put_count(malformed, vxlan_decode_result_name(i), c->malformed[i]);
    }
    json_object_put(json, "malformed", malformed);
    put_count(json, "kernel_drops", c->kernel_drops);

    for (i = 0; i < hmap_count(&c->vnis); i++) {
        ds_clear(&name);
        ds_put_format(&name, "%"PRIu32, vnis[i]->vni);
        json_object_put(vni_json, ds_cstr(&name),
                        vni_counters_to_json(vnis[i]));
    }
    json_object_put(json, "vnis", vni_json);
    json_object_put(json, "other_vnis", vni_counters_to_json(&c->other_vnis));

    HMAP_FOR_EACH (s, node, &c->sources) {
        ds_clear(&name);
        frame_format_sockaddr(&name, &s->addr, false);
        json_object_put(sources, ds_cstr(&name), source_counters_to_json(s));
    }
    json_object_put(json, "sources", sources);
    json_object_put(json, "other_sources",
                    source_counters_to_json(&c->other_sources));
    ds_destroy(&name);
    free(vnis);
    return json;
}

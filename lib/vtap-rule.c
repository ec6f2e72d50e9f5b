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

/* vtap-rule.c: capture rules in memory: their checks, the match syntax of
 * ovs-vtapctl ("proto=icmp src=172.16.0.148/32 ...") and their reading
 * from Capture_Rule rows of the VTAP database. */

#include <config.h>

#include "ovs-vtap/vtap-rule.h"

#include <string.h>
#include <sys/socket.h>

#include "openvswitch/dynamic-string.h"
#include "util.h"
#include "vtap-idl.h"

/* Initializes 'rule' as an ingress include rule that matches everything,
 * with no order number yet. */
void
vtap_rule_init(struct vtap_rule *rule)
{
    memset(rule, 0, sizeof *rule);
    rule->direction = VTAP_INGRESS;
    rule->action = VTAP_INCLUDE;
    rule->order = 0;
    rule->protocol = -1;
    rule->icmp_type = -1;
    rule->icmp_code = -1;
}

/* Returns the address family that 'rule' matches, see vtap-rule.h. */
int
vtap_rule_family(const struct vtap_rule *rule)
{
    if (rule->has_src) {
        return rule->src.family;
    } else if (rule->has_dst) {
        return rule->dst.family;
    } else if (rule->protocol == VTAP_PROTO_ICMP) {
        return AF_INET;
    } else if (rule->protocol == VTAP_PROTO_ICMPV6) {
        return AF_INET6;
    }
    return AF_UNSPEC;
}

/* Returns "ingress" or "egress". */
const char *
vtap_direction_to_string(enum vtap_direction direction)
{
    return direction == VTAP_EGRESS ? "egress" : "ingress";
}

/* Returns "include" or "exclude". */
const char *
vtap_action_to_string(enum vtap_action action)
{
    return action == VTAP_EXCLUDE ? "exclude" : "include";
}

static const char *
family_name(int family)
{
    return family == AF_INET6 ? "IPv6" : "IPv4";
}

static void format_protocol(int proto, struct ds *);

/* Checks the match of 'rule', that is everything but its order number.
 * Returns NULL if it is valid, otherwise a malloc()'d message that names
 * the offending fields and values in the match syntax. */
static char *
check_match(const struct vtap_rule *rule)
{
    char src[INET6_ADDRSTRLEN + 8], dst[INET6_ADDRSTRLEN + 8];
    int proto = rule->protocol;

    if (proto < -1 || proto > 255) {
        return xasprintf("proto: \"%d\": not a protocol (0 to 255)", proto);
    }
    if (rule->has_src) {
        vtap_cidr_format(&rule->src, src, sizeof src);
    }
    if (rule->has_dst) {
        vtap_cidr_format(&rule->dst, dst, sizeof dst);
    }
    if (rule->has_src && rule->has_dst
        && rule->src.family != rule->dst.family) {
        return xasprintf("src %s (%s) and dst %s (%s) mix address families",
                         src, family_name(rule->src.family),
                         dst, family_name(rule->dst.family));
    }

    int family = rule->has_src ? rule->src.family
                 : rule->has_dst ? rule->dst.family : AF_UNSPEC;
    const char *cidr = rule->has_src ? src : dst;
    if (proto == VTAP_PROTO_ICMP && family == AF_INET6) {
        return xasprintf("proto=icmp is IPv4 only but %s %s is IPv6 "
                         "(use proto=icmpv6)",
                         rule->has_src ? "src" : "dst", cidr);
    }
    if (proto == VTAP_PROTO_ICMPV6 && family == AF_INET) {
        return xasprintf("proto=icmpv6 is IPv6 only but %s %s is IPv4 "
                         "(use proto=icmp)",
                         rule->has_src ? "src" : "dst", cidr);
    }

    bool has_ports = proto == VTAP_PROTO_TCP || proto == VTAP_PROTO_UDP;
    const struct vtap_port_range *ranges[2] = {
        rule->has_src_ports ? &rule->src_ports : NULL,
        rule->has_dst_ports ? &rule->dst_ports : NULL,
    };
    static const char *const range_names[2] = { "sport", "dport" };
    for (int i = 0; i < 2; i++) {
        const struct vtap_port_range *r = ranges[i];
        if (!r) {
            continue;
        }
        if (r->min > r->max) {
            return xasprintf("%s: \"%u-%u\": port range minimum %u exceeds "
                             "maximum %u", range_names[i], r->min, r->max,
                             r->min, r->max);
        }
        if (!has_ports) {
            struct ds s = DS_EMPTY_INITIALIZER;
            format_protocol(proto, &s);
            char *msg = xasprintf("%s: ports need proto=tcp or proto=udp, "
                                  "not proto=%s", range_names[i],
                                  ds_cstr(&s));
            ds_destroy(&s);
            return msg;
        }
    }

    bool is_icmp = proto == VTAP_PROTO_ICMP || proto == VTAP_PROTO_ICMPV6;
    if (rule->icmp_type < -1 || rule->icmp_type > 255) {
        return xasprintf("icmp-type: \"%d\": not an ICMP type (0 to 255)",
                         rule->icmp_type);
    }
    if (rule->icmp_code < -1 || rule->icmp_code > 255) {
        return xasprintf("icmp-code: \"%d\": not an ICMP code (0 to 255)",
                         rule->icmp_code);
    }
    if (rule->icmp_type >= 0 && !is_icmp) {
        return xasprintf("icmp-type: %d needs proto=icmp or proto=icmpv6",
                         rule->icmp_type);
    }
    if (rule->icmp_code >= 0 && !is_icmp) {
        return xasprintf("icmp-code: %d needs proto=icmp or proto=icmpv6",
                         rule->icmp_code);
    }
    if (rule->icmp_code >= 0 && rule->icmp_type < 0) {
        return xasprintf("icmp-code: %d needs an icmp-type",
                         rule->icmp_code);
    }
    return NULL;
}

/* Checks every constraint on 'rule': its order number (1 to 32766), the
 * address families of its CIDRs, ports only with TCP or UDP, ICMP type and
 * code only with ICMP or ICMPv6 of the CIDRs' family, a code only with a
 * type, port ranges with minimum <= maximum.
 *
 * Returns NULL if 'rule' is valid, otherwise a malloc()'d error message
 * that names the field and the value. */
char *
vtap_rule_check(const struct vtap_rule *rule)
{
    if (rule->order < 1 || rule->order > VTAP_RULE_MAX_ORDER) {
        return xasprintf("order: \"%u\": not an order number (1 to %d)",
                         rule->order, VTAP_RULE_MAX_ORDER);
    }
    return check_match(rule);
}

/* Parses 's', a decimal number 0..'max', into '*value'. */
static bool
parse_small_uint(const char *s, int max, int *value)
{
    unsigned int u;

    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5
        || !str_to_uint(s, 10, &u) || u > max) {
        return false;
    }
    *value = u;
    return true;
}

/* Parses the protocol 's' into '*proto' (-1 for "all"). */
static char *
parse_protocol(const char *s, int *proto)
{
    static const struct {
        const char *name;
        int number;
    } names[] = {
        { "all", -1 },
        { "icmp", VTAP_PROTO_ICMP },
        { "icmpv6", VTAP_PROTO_ICMPV6 },
        { "tcp", VTAP_PROTO_TCP },
        { "udp", VTAP_PROTO_UDP },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(s, names[i].name)) {
            *proto = names[i].number;
            return NULL;
        }
    }
    if (!parse_small_uint(s, 255, proto)) {
        return xasprintf("proto: \"%s\": not a protocol (all, icmp, icmpv6, "
                         "tcp, udp, or a number 0 to 255)", s);
    }
    return NULL;
}

/* Parses the value 'value' of the match word 'key' into 'rule'. */
static char *
parse_match_word(struct vtap_rule *rule, const char *key, const char *value)
{
    char *error;

    if (!strcmp(key, "proto")) {
        return parse_protocol(value, &rule->protocol);
    } else if (!strcmp(key, "src") || !strcmp(key, "dst")) {
        bool src = key[0] == 's';
        error = vtap_parse_cidr(value, src ? &rule->src : &rule->dst);
        if (error) {
            char *msg = xasprintf("%s: %s", key, error);
            free(error);
            return msg;
        }
        *(src ? &rule->has_src : &rule->has_dst) = true;
        return NULL;
    } else if (!strcmp(key, "sport") || !strcmp(key, "dport")) {
        bool src = key[0] == 's';
        error = vtap_parse_port_range(value, src ? &rule->src_ports
                                                 : &rule->dst_ports);
        if (error) {
            char *msg = xasprintf("%s: %s", key, error);
            free(error);
            return msg;
        }
        *(src ? &rule->has_src_ports : &rule->has_dst_ports) = true;
        return NULL;
    } else if (!strcmp(key, "icmp-type") || !strcmp(key, "icmp-code")) {
        bool type = !strcmp(key, "icmp-type");
        if (!parse_small_uint(value, 255, type ? &rule->icmp_type
                                               : &rule->icmp_code)) {
            return xasprintf("%s: \"%s\": not an ICMP %s (0 to 255)",
                             key, value, type ? "type" : "code");
        }
        return NULL;
    }
    return xasprintf("\"%s\": unknown match field \"%s\" (expected proto, "
                     "src, dst, sport, dport, icmp-type or icmp-code)",
                     value, key);
}

/* Parses the 'argc' words in 'argv', each KEY=VALUE with KEY one of proto,
 * src, dst, sport, dport, icmp-type, icmp-code, into the match fields of
 * 'rule' (which the caller initialized), then checks the match as
 * vtap_rule_check() does, leaving the order number aside.  Each field may
 * be given once.
 *
 * Returns NULL on success, otherwise a malloc()'d error message that names
 * the field and the value. */
char *
vtap_rule_parse_match(struct vtap_rule *rule, int argc, char *argv[])
{
    static const char *const keys[] = {
        "proto", "src", "dst", "sport", "dport", "icmp-type", "icmp-code",
    };
    bool seen[ARRAY_SIZE(keys)] = { false };

    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq || eq == argv[i]) {
            return xasprintf("\"%s\": a match word is KEY=VALUE, e.g. "
                             "proto=icmp", argv[i]);
        }

        char *key = xmemdup0(argv[i], eq - argv[i]);
        for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
            if (!strcmp(key, keys[k])) {
                if (seen[k]) {
                    char *msg = xasprintf("%s: \"%s\": field given twice",
                                          key, eq + 1);
                    free(key);
                    return msg;
                }
                seen[k] = true;
            }
        }
        char *error = parse_match_word(rule, key, eq + 1);
        free(key);
        if (error) {
            return error;
        }
    }
    return check_match(rule);
}

static void
format_protocol(int proto, struct ds *s)
{
    switch (proto) {
    case -1:
        ds_put_cstr(s, "all");
        break;
    case VTAP_PROTO_ICMP:
        ds_put_cstr(s, "icmp");
        break;
    case VTAP_PROTO_ICMPV6:
        ds_put_cstr(s, "icmpv6");
        break;
    case VTAP_PROTO_TCP:
        ds_put_cstr(s, "tcp");
        break;
    case VTAP_PROTO_UDP:
        ds_put_cstr(s, "udp");
        break;
    default:
        ds_put_format(s, "%d", proto);
        break;
    }
}

static void
format_port_range(const char *key, const struct vtap_port_range *r,
                  struct ds *s)
{
    ds_put_format(s, " %s=%u", key, r->min);
    if (r->max != r->min) {
        ds_put_format(s, "-%u", r->max);
    }
}

/* Appends the match of 'rule' to 's' in the syntax that
 * vtap_rule_parse_match() reads, always starting with "proto=". */
void
vtap_rule_format_match(const struct vtap_rule *rule, struct ds *s)
{
    char buf[INET6_ADDRSTRLEN + 8];

    ds_put_cstr(s, "proto=");
    format_protocol(rule->protocol, s);
    if (rule->has_src) {
        vtap_cidr_format(&rule->src, buf, sizeof buf);
        ds_put_format(s, " src=%s", buf);
    }
    if (rule->has_dst) {
        vtap_cidr_format(&rule->dst, buf, sizeof buf);
        ds_put_format(s, " dst=%s", buf);
    }
    if (rule->has_src_ports) {
        format_port_range("sport", &rule->src_ports, s);
    }
    if (rule->has_dst_ports) {
        format_port_range("dport", &rule->dst_ports, s);
    }
    if (rule->icmp_type >= 0) {
        ds_put_format(s, " icmp-type=%d", rule->icmp_type);
    }
    if (rule->icmp_code >= 0) {
        ds_put_format(s, " icmp-code=%d", rule->icmp_code);
    }
}

/* Reads the CIDR column 'column' (a string set of at most one element)
 * into '*cidr', setting '*has'. */
static char *
cidr_from_idl(const char *column, const char *value, bool *has,
              struct vtap_cidr *cidr)
{
    *has = value != NULL;
    if (value) {
        char *error = vtap_parse_cidr(value, cidr);
        if (error) {
            char *msg = xasprintf("%s: %s", column, error);
            free(error);
            return msg;
        }
    }
    return NULL;
}

/* Reads the port range columns 'name'_port_min and 'name'_port_max.  A
 * minimum alone is a single port; a maximum needs a minimum. */
static char *
ports_from_idl(const char *name, const int64_t *min, size_t n_min,
               const int64_t *max, size_t n_max, bool *has,
               struct vtap_port_range *range)
{
    *has = n_min > 0;
    if (!n_min) {
        return (n_max
                ? xasprintf("%s_port_max: %"PRId64" without %s_port_min",
                            name, max[0], name)
                : NULL);
    }
    range->min = min[0];
    range->max = n_max ? max[0] : min[0];
    return NULL;
}

/* Converts the Capture_Rule row 'row' into '*rule' and checks it as
 * vtap_rule_check() does.  Returns NULL on success, otherwise a malloc()'d
 * error message naming the column and the value. */
char *
vtap_rule_from_idl(const struct vtaprec_capture_rule *row,
                   struct vtap_rule *rule)
{
    char *error;

    vtap_rule_init(rule);
    rule->uuid = row->header_.uuid;

    if (!row->direction || (strcmp(row->direction, "ingress")
                            && strcmp(row->direction, "egress"))) {
        return xasprintf("direction: \"%s\": not ingress or egress",
                         row->direction ? row->direction : "");
    }
    rule->direction = (!strcmp(row->direction, "egress")
                       ? VTAP_EGRESS : VTAP_INGRESS);
    if (!row->action || (strcmp(row->action, "include")
                         && strcmp(row->action, "exclude"))) {
        return xasprintf("action: \"%s\": not include or exclude",
                         row->action ? row->action : "");
    }
    rule->action = (!strcmp(row->action, "exclude")
                    ? VTAP_EXCLUDE : VTAP_INCLUDE);
    rule->order = (row->order >= 0 && row->order <= UINT_MAX
                   ? row->order : 0);
    rule->protocol = row->n_protocol ? row->protocol[0] : -1;

    error = cidr_from_idl("src_cidr", row->src_cidr, &rule->has_src,
                          &rule->src);
    if (!error) {
        error = cidr_from_idl("dst_cidr", row->dst_cidr, &rule->has_dst,
                              &rule->dst);
    }
    if (!error) {
        error = ports_from_idl("src", row->src_port_min, row->n_src_port_min,
                               row->src_port_max, row->n_src_port_max,
                               &rule->has_src_ports, &rule->src_ports);
    }
    if (!error) {
        error = ports_from_idl("dst", row->dst_port_min, row->n_dst_port_min,
                               row->dst_port_max, row->n_dst_port_max,
                               &rule->has_dst_ports, &rule->dst_ports);
    }
    if (error) {
        return error;
    }
    rule->icmp_type = row->n_icmp_type ? row->icmp_type[0] : -1;
    rule->icmp_code = row->n_icmp_code ? row->icmp_code[0] : -1;
    return vtap_rule_check(rule);
}

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

/* vtapctl-commands.c: ovs-vtapctl's own commands over the VTAP database:
 * targets, capture filters and their rules, VTAPs, start and stop ("show"
 * is in vtapctl-show.c).
 *
 * Every command checks all of its input before it changes a row, and
 * reports a bad input through ctl_error() with the field and the value, so
 * that ovs-vtapctl exits 1 without committing anything. */

#include <config.h>

#include "vtapctl-commands.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "ovs-vtap/vtap-parse.h"
#include "ovs-vtap/vtap-rule.h"
#include "ovs-vtap/vtap-source.h"
#include "hmapx.h"
#include "ovsdb-idl.h"
#include "sset.h"
#include "svec.h"
#include "util.h"
#include "vtap-idl.h"
#include "vtapctl-hosts.h"
#include "vtapctl-connection.h"
#include "vtapctl-policy.h"

#define VTAP_DEFAULT_PORT 4789      /* Target.port unless given. */
#define VTAP_MAX_BACKENDS 16        /* Backends of one pool at most. */
#define VTAP_MAX_VNI 16777215       /* 24 bits. */
#define VTAP_MIN_PACKET_SIZE 64     /* VTAP.max_packet_size range. */
#define VTAP_MAX_PACKET_SIZE 65535
#define VTAP_RULE_ORDER_STEP 10     /* Default gap between rule orders. */

/* What the commands of the transaction being tried leave for ovs-vtapctl.c
 * (see vtapctl_txn_start()). */
static bool txn_increments_cfg;     /* An add-vtap ran. */
static struct sset txn_vtaps = SSET_INITIALIZER(&txn_vtaps);

/* Forgets what the commands of an earlier try of the transaction left. */
void
vtapctl_txn_start(void)
{
    txn_increments_cfg = false;
    sset_clear(&txn_vtaps);
}

/* Returns true if the transaction must increment Global.next_cfg even
 * without --wait: an add-vtap ran, and two concurrent add-vtap must
 * conflict so that the default VNI of one of them is chosen again (see
 * default_vni()). */
bool
vtapctl_txn_increments_cfg(void)
{
    return txn_increments_cfg;
}

/* Returns the names of the VTAPs that the commands of the transaction
 * added, changed, started or stopped, or whose capture filter they
 * changed: those whose realization "--wait" checks. */
const struct sset *
vtapctl_txn_vtaps(void)
{
    return &txn_vtaps;
}

/* Adds every VTAP that uses 'filter' to the VTAPs of the transaction. */
static void
note_vtaps_of_filter(struct ctl_context *ctx,
                     const struct vtaprec_capture_filter *filter)
{
    const struct vtaprec_vtap *vtap;

    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        if (vtap->capture_filter == filter) {
            sset_add(&txn_vtaps, vtap->name);
        }
    }
}

/* Makes the IDL replicate every table of the VTAP database, which all of
 * the commands here read. */
void
vtapctl_add_prerequisites(struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < VTAPREC_N_TABLES; i++) {
        const struct ovsdb_idl_table_class *tc = &vtaprec_table_classes[i];

        ovsdb_idl_add_table(idl, tc);
        for (size_t j = 0; j < tc->n_columns; j++) {
            ovsdb_idl_add_column(idl, &tc->columns[j]);
        }
    }
}

/* Makes the IDL replicate what vtapctl_sync_source_hosts() reads. */
void
vtapctl_pre_source_hosts(struct ovsdb_idl *idl)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vtaprec_vtap_col_source_type,
        &vtaprec_vtap_col_source,
        &vtaprec_vtap_col_source_host,
    };

    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_add_column(idl, columns[i]);
    }
}

/* After generic commands ("set VTAP NAME source=..."), which know nothing
 * of VTAP.source_host, writes it to match the source of every VTAP whose
 * source_host does not, so that the hosts that the source concerns receive
 * the VTAP.  A source that does not parse goes to every host, whose
 * ovs-vtapd reports it. */
void
vtapctl_sync_source_hosts(struct ovsdb_idl *idl)
{
    const struct vtaprec_vtap *vtap;

    if (!ovsdb_idl_server_has_column(idl, &vtaprec_vtap_col_source_host)) {
        return;
    }
    VTAPREC_VTAP_FOR_EACH (vtap, idl) {
        struct vtap_source src;
        char *error = vtap_source_parse(vtap->source_type, vtap->source,
                                        &src);
        const char *key = error ? "" : vtap_source_host_key(&src);

        if (strcmp(vtap->source_host, key)) {
            vtaprec_vtap_set_source_host(vtap, key);
        }
        vtap_source_destroy(&src);
        free(error);
    }
}

/* Prerequisites of every VTAP command that has none of its own: all of
 * the database. */
void
vtapctl_pre_all(struct ctl_context *ctx)
{
    vtapctl_add_prerequisites(ctx->idl);
}

/* Makes the IDL replicate 'columns' (and their tables). */
static void
add_columns(struct ovsdb_idl *idl,
            const struct ovsdb_idl_column *const columns[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_add_column(idl, columns[i]);
    }
}

/* Prerequisites of the commands that change capture filters and their
 * rules (add-filter, add-rule, del-rule): the filters, the direction and
 * order of their rules, and which VTAPs use them.  The other columns of
 * the rules, most of a large database, are never read. */
static void
pre_filters(struct ctl_context *ctx)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vtaprec_capture_filter_col_name,
        &vtaprec_capture_filter_col_rules,
        &vtaprec_capture_rule_col_direction,
        &vtaprec_capture_rule_col_order,
        &vtaprec_vtap_col_name,
        &vtaprec_vtap_col_capture_filter,
    };

    add_columns(ctx->idl, columns, ARRAY_SIZE(columns));
}

/* Prerequisites of add-vtap, start and stop: the names of VTAPs, targets,
 * filters and hosts, and the VNIs in use. */
static void
pre_vtaps(struct ctl_context *ctx)
{
    static const struct ovsdb_idl_column *const columns[] = {
        &vtaprec_vtap_col_name,
        &vtaprec_vtap_col_vni,
        &vtaprec_vtap_col_enabled,
        &vtaprec_target_col_name,
        &vtaprec_capture_filter_col_name,
        &vtaprec_host_col_name,
    };

    add_columns(ctx->idl, columns, ARRAY_SIZE(columns));
}

/* Parses the decimal number that is the whole of 's', 'min'..'max'. */
static bool
parse_number(const char *s, long long int min, long long int max,
             long long int *value)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 12) {
        return false;
    }
    *value = strtoll(s, NULL, 10);
    return *value >= min && *value <= max;
}

/* Looks up rows by name. */

static const struct vtaprec_target *
find_target(struct ctl_context *ctx, const char *name)
{
    const struct vtaprec_target *target;

    VTAPREC_TARGET_FOR_EACH (target, ctx->idl) {
        if (!strcmp(target->name, name)) {
            return target;
        }
    }
    return NULL;
}

static const struct vtaprec_capture_filter *
find_filter(struct ctl_context *ctx, const char *name)
{
    const struct vtaprec_capture_filter *filter;

    VTAPREC_CAPTURE_FILTER_FOR_EACH (filter, ctx->idl) {
        if (!strcmp(filter->name, name)) {
            return filter;
        }
    }
    return NULL;
}

static const struct vtaprec_vtap *
find_vtap(struct ctl_context *ctx, const char *name)
{
    const struct vtaprec_vtap *vtap;

    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        if (!strcmp(vtap->name, name)) {
            return vtap;
        }
    }
    return NULL;
}

/* Like find_target() etc., but report an unknown name as an error. */

static const struct vtaprec_target *
must_find_target(struct ctl_context *ctx, const char *name)
{
    const struct vtaprec_target *target = find_target(ctx, name);
    if (!target) {
        ctl_error(ctx, "target: \"%s\": no such target", name);
    }
    return target;
}

static const struct vtaprec_capture_filter *
must_find_filter(struct ctl_context *ctx, const char *name)
{
    const struct vtaprec_capture_filter *filter = find_filter(ctx, name);
    if (!filter) {
        ctl_error(ctx, "filter: \"%s\": no such capture filter", name);
    }
    return filter;
}

/* Returns the VTAP named 'name', or NULL after reporting that there is
 * none. */
const struct vtaprec_vtap *
vtapctl_must_find_vtap(struct ctl_context *ctx, const char *name)
{
    const struct vtaprec_vtap *vtap = find_vtap(ctx, name);
    if (!vtap) {
        ctl_error(ctx, "vtap: \"%s\": no such VTAP", name);
    }
    return vtap;
}

/* Checks that 'name' may name a row of 'table' ("target", ...). */
static bool
check_name(struct ctl_context *ctx, const char *what, const char *name)
{
    if (!name[0]) {
        ctl_error(ctx, "name: \"\": a %s needs a non-empty name", what);
        return false;
    }
    return true;
}

/* Prints the names in 'names', sorted, one per line. */
static void
print_sorted(struct ctl_context *ctx, struct svec *names)
{
    const char *name;
    size_t i;

    svec_sort(names);
    SVEC_FOR_EACH (i, name, names) {
        ds_put_format(&ctx->output, "%s\n", name);
    }
    svec_destroy(names);
}

static void
cmd_init(struct ctl_context *ctx)
{
    /* The Global row is created by the transaction itself when it is
     * missing, see ovs-vtapctl.c; the hosts' role is brought up to date. */
    vtapctl_update_host_role(ctx);
}

/* Targets. */

/* Returns true if 's' is a DNS host name: dot-separated labels of 1 to 63
 * letters, digits and hyphens, not starting or ending with a hyphen, 253
 * characters at most, an optional final dot, and a last label that is not
 * all digits (so that a malformed IPv4 address is not taken for a name). */
static bool
is_hostname(const char *s)
{
    size_t len = strlen(s);

    if (len && s[len - 1] == '.') {
        len--;
    }
    if (!len || len > 253) {
        return false;
    }

    size_t label_len = 0;
    bool label_all_digits = true;
    for (size_t i = 0; i <= len; i++) {
        char c = i < len ? s[i] : '.';
        if (c == '.') {
            if (!label_len || s[i - 1] == '-') {
                return false;
            }
            if (i == len && label_all_digits) {
                return false;
            }
            label_len = 0;
            label_all_digits = true;
        } else if (isalnum((unsigned char) c) || c == '-') {
            if ((!label_len && c == '-') || ++label_len > 63) {
                return false;
            }
            if (!isdigit((unsigned char) c)) {
                label_all_digits = false;
            }
        } else {
            return false;
        }
    }
    return true;
}

/* Checks that 'address' is an IPv4 or IPv6 address that may be a
 * collector's (see vtap_check_collector_address()) or a DNS host name. */
static bool
check_target_address(struct ctl_context *ctx, const char *address)
{
    struct in6_addr in6;
    struct in_addr in4;

    if (inet_pton(AF_INET, address, &in4) == 1
        || inet_pton(AF_INET6, address, &in6) == 1) {
        char *error = vtap_check_collector_address(address);
        if (error) {
            ctl_error(ctx, "address: %s", error);
            free(error);
            return false;
        }
        return true;
    } else if (!strchr(address, ':') && is_hostname(address)) {
        return true;
    }
    ctl_error(ctx, "address: \"%s\": not an IPv4 address, an IPv6 address "
              "or a DNS host name", address);
    return false;
}

/* Parses a target's "port=N" into '*port'. */
static bool
parse_target_port(struct ctl_context *ctx, const char *arg, int64_t *port)
{
    long long int value;

    if (strncmp(arg, "port=", 5)) {
        ctl_error(ctx, "\"%s\": expected port=N", arg);
        return false;
    }
    if (!parse_number(arg + 5, 1, 65535, &value)) {
        ctl_error(ctx, "port: \"%s\": not a UDP port (1 to 65535)", arg + 5);
        return false;
    }
    *port = value;
    return true;
}

/* Parses the comma-separated backend list 'list' of a pool into 'backends'
 * (each an IPv4 or IPv6 address or a DNS name that the policy allows, no
 * duplicates, IPv4 and IPv6 literals not mixed).  Returns false, with an
 * error in 'ctx', if it is not a valid pool. */
static bool
parse_pool(struct ctl_context *ctx, const char *list, struct svec *backends)
{
    bool v4 = false, v6 = false;
    char *copy = xstrdup(list);
    char *save = NULL;
    bool ok = true;

    if (list[0] == ',' || strstr(list, ",,")
        || (list[0] && list[strlen(list) - 1] == ',')) {
        /* strtok_r() would skip it: most likely a backend left out. */
        ctl_error(ctx, "pool: \"%s\": empty backend in the list", list);
        free(copy);
        return false;
    }
    for (char *b = strtok_r(copy, ",", &save); b;
         b = strtok_r(NULL, ",", &save)) {
        struct in6_addr in6;
        struct in_addr in4;

        if (!check_target_address(ctx, b)
            || !vtapctl_policy_check_target(ctx, b)) {
            ok = false;
            break;
        }
        if (svec_contains_unsorted(backends, b)) {
            ctl_error(ctx, "pool: backend \"%s\" is listed twice", b);
            ok = false;
            break;
        }
        v4 = v4 || inet_pton(AF_INET, b, &in4) == 1;
        v6 = v6 || inet_pton(AF_INET6, b, &in6) == 1;
        if (v4 && v6) {
            ctl_error(ctx, "pool: \"%s\": IPv4 and IPv6 backends may not "
                      "be mixed in one pool", b);
            ok = false;
            break;
        }
        svec_add(backends, b);
    }
    free(copy);
    if (ok && !backends->n) {
        ctl_error(ctx, "pool: \"%s\": no backend address", list);
        ok = false;
    } else if (ok && backends->n > VTAP_MAX_BACKENDS) {
        ctl_error(ctx, "pool: %"PRIuSIZE" backends, at most %d allowed",
                  backends->n, VTAP_MAX_BACKENDS);
        ok = false;
    }
    return ok;
}

/* Parses the optional arguments of add-target, "port=N" and (for a pool)
 * "health-interval=MS", from 'ctx->argv[3]' on. */
static bool
parse_target_options(struct ctl_context *ctx, bool pool, int64_t *port,
                     int64_t *interval)
{
    bool have_port = false, have_interval = false;

    for (int i = 3; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        long long int value;
        bool is_interval = !strncmp(arg, "health-interval=", 16);
        bool *seen = is_interval ? &have_interval : &have_port;

        if (*seen) {
            ctl_error(ctx, "\"%s\": %s given twice", arg,
                      is_interval ? "health-interval" : "port");
            return false;
        }
        *seen = true;
        if (is_interval) {
            if (!pool) {
                ctl_error(ctx, "\"%s\": only a pool (--pool) has health "
                          "checks", arg);
                return false;
            }
            if (!parse_number(arg + 16, 100, 60000, &value)) {
                ctl_error(ctx, "health-interval: \"%s\": not a number of "
                          "milliseconds from 100 to 60000", arg + 16);
                return false;
            }
            *interval = value;
        } else if (!parse_target_port(ctx, arg, port)) {
            return false;
        }
    }
    return true;
}

static void
cmd_add_target(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *address = ctx->argv[2];
    bool pool = shash_find(&ctx->options, "--pool") != NULL;
    struct svec backends = SVEC_EMPTY_INITIALIZER;
    int64_t port = VTAP_DEFAULT_PORT;
    int64_t interval = 0;

    if (!check_name(ctx, "target", name)
        || (pool
            ? !parse_pool(ctx, address, &backends)
            : (!check_target_address(ctx, address)
               || !vtapctl_policy_check_target(ctx, address)))
        || !parse_target_options(ctx, pool, &port, &interval)) {
        svec_destroy(&backends);
        return;
    }
    if (find_target(ctx, name)) {
        if (!shash_find(&ctx->options, "--may-exist")) {
            ctl_error(ctx, "name: \"%s\": a target with this name already "
                      "exists", name);
        }
        svec_destroy(&backends);
        return;
    }

    struct vtaprec_target *target = vtaprec_target_insert(ctx->txn);
    vtaprec_target_set_name(target, name);
    vtaprec_target_set_port(target, port);
    if (pool) {
        vtaprec_target_set_address(target, "");
        vtaprec_target_set_backends(target,
                                    (const char **) backends.names,
                                    backends.n);
        if (interval) {
            vtaprec_target_set_health_interval(target, &interval, 1);
        }
    } else {
        vtaprec_target_set_address(target, address);
    }
    svec_destroy(&backends);
}

static void
cmd_del_target(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vtaprec_target *target = find_target(ctx, name);
    const struct vtaprec_vtap *vtap;

    if (!target) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            must_find_target(ctx, name);
        }
        return;
    }
    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        if (vtap->target == target) {
            ctl_error(ctx, "target: \"%s\": still used by VTAP \"%s\"",
                      name, vtap->name);
            return;
        }
    }
    vtaprec_target_delete(target);
}

static void
cmd_list_targets(struct ctl_context *ctx)
{
    const struct vtaprec_target *target;
    struct svec names = SVEC_EMPTY_INITIALIZER;

    VTAPREC_TARGET_FOR_EACH (target, ctx->idl) {
        svec_add(&names, target->name);
    }
    print_sorted(ctx, &names);
}

/* Deletes the VTAPs in 'vtaps' and, in one pass over the Realization
 * table, the Realization rows of every host that name them. */
static void
delete_vtaps(struct ctl_context *ctx, const struct hmapx *vtaps)
{
    const struct vtaprec_realization *r;
    struct hmapx_node *node;

    VTAPREC_REALIZATION_FOR_EACH_SAFE (r, ctx->idl) {
        if (r->vtap && hmapx_contains(vtaps, r->vtap)) {
            vtaprec_realization_delete(r);
        }
    }
    HMAPX_FOR_EACH (node, vtaps) {
        vtaprec_vtap_delete(node->data);
    }
}

/* Capture filters. */

static void
cmd_add_filter(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];

    if (!check_name(ctx, "capture filter", name)) {
        return;
    }
    if (find_filter(ctx, name)) {
        if (!shash_find(&ctx->options, "--may-exist")) {
            ctl_error(ctx, "name: \"%s\": a capture filter with this name "
                      "already exists", name);
        }
        return;
    }
    struct vtaprec_capture_filter *filter
        = vtaprec_capture_filter_insert(ctx->txn);
    vtaprec_capture_filter_set_name(filter, name);
}

static void
cmd_del_filter(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vtaprec_capture_filter *filter = find_filter(ctx, name);
    bool force = shash_find(&ctx->options, "--force") != NULL;
    const struct vtaprec_vtap *vtap;

    if (!filter) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            must_find_filter(ctx, name);
        }
        return;
    }
    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        if (vtap->capture_filter == filter && !force) {
            ctl_error(ctx, "filter: \"%s\": still used by VTAP \"%s\" "
                      "(--force deletes the VTAPs that use it)",
                      name, vtap->name);
            return;
        }
    }
    struct hmapx vtaps = HMAPX_INITIALIZER(&vtaps);
    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        if (vtap->capture_filter == filter) {
            hmapx_add(&vtaps, CONST_CAST(struct vtaprec_vtap *, vtap));
        }
    }
    delete_vtaps(ctx, &vtaps);
    hmapx_destroy(&vtaps);
    vtaprec_capture_filter_delete(filter);
}

static void
cmd_list_filters(struct ctl_context *ctx)
{
    const struct vtaprec_capture_filter *filter;
    struct svec names = SVEC_EMPTY_INITIALIZER;

    VTAPREC_CAPTURE_FILTER_FOR_EACH (filter, ctx->idl) {
        svec_add(&names, filter->name);
    }
    print_sorted(ctx, &names);
}

/* Capture rules. */

static bool
parse_direction(struct ctl_context *ctx, const char *s,
                enum vtap_direction *direction)
{
    if (!strcmp(s, "ingress")) {
        *direction = VTAP_INGRESS;
    } else if (!strcmp(s, "egress")) {
        *direction = VTAP_EGRESS;
    } else {
        ctl_error(ctx, "direction: \"%s\": not ingress or egress", s);
        return false;
    }
    return true;
}

static bool
parse_action(struct ctl_context *ctx, const char *s, enum vtap_action *action)
{
    if (!strcmp(s, "include")) {
        *action = VTAP_INCLUDE;
    } else if (!strcmp(s, "exclude")) {
        *action = VTAP_EXCLUDE;
    } else {
        ctl_error(ctx, "action: \"%s\": not include or exclude", s);
        return false;
    }
    return true;
}

static bool
parse_order(struct ctl_context *ctx, const char *s, unsigned int *order)
{
    long long int value;

    if (!parse_number(s, 1, VTAP_RULE_MAX_ORDER, &value)) {
        ctl_error(ctx, "order: \"%s\": not an order number (1 to %d)",
                  s, VTAP_RULE_MAX_ORDER);
        return false;
    }
    *order = value;
    return true;
}

/* Returns the rule of 'filter' with 'direction' and 'order', if any. */
static const struct vtaprec_capture_rule *
find_rule(const struct vtaprec_capture_filter *filter,
          enum vtap_direction direction, unsigned int order)
{
    const char *dir = vtap_direction_to_string(direction);

    for (size_t i = 0; i < filter->n_rules; i++) {
        const struct vtaprec_capture_rule *rule = filter->rules[i];
        if (!strcmp(rule->direction, dir) && rule->order == order) {
            return rule;
        }
    }
    return NULL;
}

/* Returns the order that a new rule of 'direction' in 'filter' gets by
 * default: the highest order of that direction plus 10, at least 10. */
static long long int
default_order(const struct vtaprec_capture_filter *filter,
              enum vtap_direction direction)
{
    const char *dir = vtap_direction_to_string(direction);
    long long int max = 0;

    for (size_t i = 0; i < filter->n_rules; i++) {
        const struct vtaprec_capture_rule *rule = filter->rules[i];
        if (!strcmp(rule->direction, dir) && rule->order > max) {
            max = rule->order;
        }
    }
    return max + VTAP_RULE_ORDER_STEP;
}

/* Writes the fields of 'rule' into the new row 'row'. */
static void
rule_to_idl(const struct vtap_rule *rule, struct vtaprec_capture_rule *row)
{
    char buf[INET6_ADDRSTRLEN + 8];
    int64_t value;

    vtaprec_capture_rule_set_direction(
        row, vtap_direction_to_string(rule->direction));
    vtaprec_capture_rule_set_action(row,
                                    vtap_action_to_string(rule->action));
    vtaprec_capture_rule_set_order(row, rule->order);
    if (rule->protocol >= 0) {
        value = rule->protocol;
        vtaprec_capture_rule_set_protocol(row, &value, 1);
    }
    if (rule->has_src) {
        vtap_cidr_format(&rule->src, buf, sizeof buf);
        vtaprec_capture_rule_set_src_cidr(row, buf);
    }
    if (rule->has_dst) {
        vtap_cidr_format(&rule->dst, buf, sizeof buf);
        vtaprec_capture_rule_set_dst_cidr(row, buf);
    }
    if (rule->has_src_ports) {
        value = rule->src_ports.min;
        vtaprec_capture_rule_set_src_port_min(row, &value, 1);
        value = rule->src_ports.max;
        vtaprec_capture_rule_set_src_port_max(row, &value, 1);
    }
    if (rule->has_dst_ports) {
        value = rule->dst_ports.min;
        vtaprec_capture_rule_set_dst_port_min(row, &value, 1);
        value = rule->dst_ports.max;
        vtaprec_capture_rule_set_dst_port_max(row, &value, 1);
    }
    if (rule->icmp_type >= 0) {
        value = rule->icmp_type;
        vtaprec_capture_rule_set_icmp_type(row, &value, 1);
    }
    if (rule->icmp_code >= 0) {
        value = rule->icmp_code;
        vtaprec_capture_rule_set_icmp_code(row, &value, 1);
    }
}

/* add-rule FILTER DIRECTION ACTION [order=N] MATCH... */
static void
cmd_add_rule(struct ctl_context *ctx)
{
    const struct vtaprec_capture_filter *filter;
    struct vtap_rule rule;
    const char *order_s = NULL;
    struct svec match = SVEC_EMPTY_INITIALIZER;
    char *error;

    vtap_rule_init(&rule);
    filter = must_find_filter(ctx, ctx->argv[1]);
    if (!filter
        || !parse_direction(ctx, ctx->argv[2], &rule.direction)
        || !parse_action(ctx, ctx->argv[3], &rule.action)) {
        return;
    }
    for (int i = 4; i < ctx->argc; i++) {
        if (!strncmp(ctx->argv[i], "order=", 6)) {
            if (order_s) {
                ctl_error(ctx, "order: \"%s\": field given twice",
                          ctx->argv[i] + 6);
                goto out;
            }
            order_s = ctx->argv[i] + 6;
        } else {
            svec_add(&match, ctx->argv[i]);
        }
    }

    error = vtap_rule_parse_match(&rule, match.n, match.names);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        goto out;
    }

    if (order_s) {
        if (!parse_order(ctx, order_s, &rule.order)) {
            goto out;
        }
        if (find_rule(filter, rule.direction, rule.order)) {
            ctl_error(ctx, "order: \"%s\": filter \"%s\" already has an %s "
                      "rule with this order", order_s, filter->name,
                      vtap_direction_to_string(rule.direction));
            goto out;
        }
    } else {
        long long int order = default_order(filter, rule.direction);
        if (order > VTAP_RULE_MAX_ORDER) {
            ctl_error(ctx, "order: \"%lld\": the next free order in filter "
                      "\"%s\" is beyond %d; give order=N", order,
                      filter->name, VTAP_RULE_MAX_ORDER);
            goto out;
        }
        rule.order = order;
    }

    error = vtap_rule_check(&rule);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        goto out;
    }

    struct vtaprec_capture_rule *row = vtaprec_capture_rule_insert(ctx->txn);
    rule_to_idl(&rule, row);

    struct vtaprec_capture_rule **rules
        = xmalloc((filter->n_rules + 1) * sizeof *rules);
    for (size_t i = 0; i < filter->n_rules; i++) {
        rules[i] = filter->rules[i];
    }
    rules[filter->n_rules] = row;
    vtaprec_capture_filter_verify_rules(filter);
    vtaprec_capture_filter_set_rules(filter, rules, filter->n_rules + 1);
    free(rules);
    note_vtaps_of_filter(ctx, filter);

out:
    svec_destroy(&match);
}

/* del-rule FILTER DIRECTION ORDER */
static void
cmd_del_rule(struct ctl_context *ctx)
{
    const struct vtaprec_capture_filter *filter;
    enum vtap_direction direction;
    unsigned int order;

    filter = must_find_filter(ctx, ctx->argv[1]);
    if (!filter
        || !parse_direction(ctx, ctx->argv[2], &direction)
        || !parse_order(ctx, ctx->argv[3], &order)) {
        return;
    }

    const struct vtaprec_capture_rule *rule
        = find_rule(filter, direction, order);
    if (!rule) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            ctl_error(ctx, "order: \"%u\": filter \"%s\" has no %s rule "
                      "with this order", order, filter->name,
                      vtap_direction_to_string(direction));
        }
        return;
    }

    struct vtaprec_capture_rule **rules
        = xmalloc(filter->n_rules * sizeof *rules);
    size_t n = 0;
    for (size_t i = 0; i < filter->n_rules; i++) {
        if (filter->rules[i] != rule) {
            rules[n++] = filter->rules[i];
        }
    }
    vtaprec_capture_filter_verify_rules(filter);
    vtaprec_capture_filter_set_rules(filter, rules, n);
    vtaprec_capture_rule_delete(rule);
    free(rules);
    note_vtaps_of_filter(ctx, filter);
}

/* Orders rules by direction (ingress first), then by order number. */
static int
compare_rules(const void *a_, const void *b_)
{
    const struct vtaprec_capture_rule *const *a = a_;
    const struct vtaprec_capture_rule *const *b = b_;
    bool a_in = !strcmp((*a)->direction, "ingress");
    bool b_in = !strcmp((*b)->direction, "ingress");

    if (a_in != b_in) {
        return a_in ? -1 : 1;
    }
    return (*a)->order < (*b)->order ? -1 : (*a)->order > (*b)->order;
}

/* Appends "DIRECTION ORDER ACTION MATCH" for 'row' to 's', the match as
 * add-rule reads it. */
void
vtapctl_format_rule(const struct vtaprec_capture_rule *row, struct ds *s)
{
    struct vtap_rule rule;
    char *error = vtap_rule_from_idl(row, &rule);

    ds_put_format(s, "%s %"PRId64" %s ", row->direction, row->order,
                  row->action);
    if (error) {
        ds_put_format(s, "(invalid: %s)", error);
        free(error);
    } else {
        vtap_rule_format_match(&rule, s);
    }
}

/* Returns the rules of 'filter', ingress first, each direction by
 * ascending order; the caller frees the array. */
const struct vtaprec_capture_rule **
vtapctl_sorted_rules(const struct vtaprec_capture_filter *filter)
{
    const struct vtaprec_capture_rule **rules
        = xmalloc((filter->n_rules + 1) * sizeof *rules);
    for (size_t i = 0; i < filter->n_rules; i++) {
        rules[i] = filter->rules[i];
    }
    qsort(rules, filter->n_rules, sizeof *rules, compare_rules);
    return rules;
}

static void
cmd_list_rules(struct ctl_context *ctx)
{
    const struct vtaprec_capture_filter *filter
        = must_find_filter(ctx, ctx->argv[1]);

    if (!filter) {
        return;
    }
    const struct vtaprec_capture_rule **rules = vtapctl_sorted_rules(filter);
    for (size_t i = 0; i < filter->n_rules; i++) {
        vtapctl_format_rule(rules[i], &ctx->output);
        ds_put_char(&ctx->output, '\n');
    }
    free(rules);
}

/* VTAPs. */

/* A VTAP's source, as the VTAP columns source_type, source and
 * source_vlan hold it. */
struct source_setting {
    const char *type;           /* "port", "iface-id", "bridge", "vlan". */
    char *source;               /* NAME or NAME@HOST (see vtap-source.h). */
    int64_t vlan;               /* VLAN ID for "vlan", otherwise -1. */
};

/* Checks 'src', just parsed from 'arg', with vtap_source_parse(): a port,
 * bridge or VLAN source that names no host is refused if several hosts
 * share the database, and one that names a host without a Host row yet is
 * accepted with a warning. */
static bool
check_source_hosts(struct ctl_context *ctx, const char *arg,
                   const struct source_setting *src)
{
    const struct vtaprec_host *host;
    struct vtap_source vs;
    size_t n_hosts = 0;

    char *error = vtap_source_parse(src->type, src->source, &vs);
    if (!error) {
        VTAPREC_HOST_FOR_EACH (host, ctx->idl) {
            n_hosts++;
        }
        error = vtap_source_ambiguity(src->type, &vs, n_hosts);
    }
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        vtap_source_destroy(&vs);
        return false;
    }
    if (vs.hosts == VTAP_SOURCE_ONE_HOST
        && !vtapctl_find_host(ctx->idl, vs.host)) {
        fprintf(stderr, "%s: warning: source \"%s\": no host %s has "
                "connected yet\n", program_name, arg, vs.host);
    }
    vtap_source_destroy(&vs);
    return true;
}

/* Parses 's', one of PORT, port=PORT, iface-id=ID, bridge=BRIDGE or
 * vlan=BRIDGE:VID, where PORT and BRIDGE may name their host as NAME@HOST
 * and BRIDGE every host as NAME@*, into '*src'.  The caller frees
 * src->source. */
static bool
parse_source(struct ctl_context *ctx, const char *s,
             struct source_setting *src)
{
    const char *eq = strchr(s, '=');
    const char *value = eq ? eq + 1 : s;
    long long int vid;

    src->vlan = -1;
    src->source = NULL;
    if (!eq) {
        src->type = "port";
    } else if (!strncmp(s, "port=", 5)) {
        src->type = "port";
    } else if (!strncmp(s, "iface-id=", 9)) {
        src->type = "iface-id";
    } else if (!strncmp(s, "bridge=", 7)) {
        src->type = "bridge";
    } else if (!strncmp(s, "vlan=", 5)) {
        const char *colon = strrchr(value, ':');
        if (!colon || colon == value
            || !parse_number(colon + 1, 1, 4094, &vid)) {
            ctl_error(ctx, "source: \"%s\": a VLAN source is "
                      "vlan=BRIDGE:VID with VID 1 to 4094", s);
            return false;
        }
        src->type = "vlan";
        src->source = xmemdup0(value, colon - value);
        src->vlan = vid;
    } else {
        ctl_error(ctx, "source: \"%s\": not PORT, port=PORT, iface-id=ID, "
                  "bridge=BRIDGE or vlan=BRIDGE:VID", s);
        return false;
    }
    if (!src->source) {
        if (!*value) {
            ctl_error(ctx, "source: \"%s\": empty name", s);
            return false;
        }
        src->source = xstrdup(value);
    }
    if (!check_source_hosts(ctx, s, src)) {
        free(src->source);
        src->source = NULL;
        return false;
    }
    return true;
}

/* Writes source 'src' into 'vtap', with the source_host that goes with it
 * (if the database has the column). */
static void
set_source(struct ctl_context *ctx, const struct vtaprec_vtap *vtap,
           const struct source_setting *src)
{
    vtaprec_vtap_set_source_type(vtap, src->type);
    vtaprec_vtap_set_source(vtap, src->source);
    vtaprec_vtap_set_source_vlan(vtap, &src->vlan, src->vlan >= 0);
    if (ovsdb_idl_server_has_column(ctx->idl, &vtaprec_vtap_col_source_host)) {
        struct vtap_source split;
        char *error = vtap_source_parse(src->type, src->source, &split);

        /* (The source was checked: it parses.) */
        ovs_assert(!error);
        vtaprec_vtap_set_source_host(vtap, vtap_source_host_key(&split));
        vtap_source_destroy(&split);
    }
}

static bool
parse_vni(struct ctl_context *ctx, const char *s, int64_t *vni)
{
    long long int value;

    if (!parse_number(s, 0, VTAP_MAX_VNI, &value)) {
        ctl_error(ctx, "vni: \"%s\": not a VNI (0 to %d, 24 bits)",
                  s, VTAP_MAX_VNI);
        return false;
    }
    *vni = value;
    return true;
}

/* Parses a max packet size, or "none" for no limit ('*n' = 0). */
static bool
parse_max_packet_size(struct ctl_context *ctx, const char *s, int64_t *size,
                      size_t *n)
{
    long long int value;

    if (!strcmp(s, "none")) {
        *n = 0;
        return true;
    }
    if (!parse_number(s, VTAP_MIN_PACKET_SIZE, VTAP_MAX_PACKET_SIZE,
                      &value)) {
        ctl_error(ctx, "max-packet-size: \"%s\": not a packet size (%d to "
                  "%d, or none)", s, VTAP_MIN_PACKET_SIZE,
                  VTAP_MAX_PACKET_SIZE);
        return false;
    }
    *size = value;
    *n = 1;
    return true;
}

static int
compare_int64(const void *a_, const void *b_)
{
    const int64_t *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Returns the lowest VNI from 1 up that no VTAP uses, so that a collector
 * can tell VTAPs apart when no VNI is given; VTAP_MAX_VNI + 1 if all are
 * used.
 *
 * The choice holds only if no other client changes the VNIs meanwhile, so
 * the transaction verifies the VNI of every VTAP read, and Global.next_cfg,
 * which every add-vtap increments (see vtapctl_txn_increments_cfg()): a
 * VTAP that another client added, deleted or renumbered meanwhile makes the
 * transaction fail and ovs-vtapctl try again on the new contents. */
static int64_t
default_vni(struct ctl_context *ctx)
{
    const struct vtaprec_global *global = vtaprec_global_first(ctx->idl);
    const struct vtaprec_vtap *vtap;
    int64_t *vnis = NULL;
    size_t n = 0, allocated = 0;

    if (global) {
        vtaprec_global_verify_next_cfg(global);
    }
    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        vtaprec_vtap_verify_vni(vtap);
        if (n >= allocated) {
            vnis = x2nrealloc(vnis, &allocated, sizeof *vnis);
        }
        vnis[n++] = vtap->vni;
    }
    if (n) {
        qsort(vnis, n, sizeof *vnis, compare_int64);
    }

    int64_t vni = 1;
    for (size_t i = 0; i < n && vnis[i] <= vni; i++) {
        if (vnis[i] == vni) {
            vni++;
        }
    }
    free(vnis);
    return vni;
}

/* The settings of add-vtap and set-vtap, each KEY=VALUE. */
struct vtap_settings {
    struct source_setting source;
    bool has_source;
    const struct vtaprec_target *target;
    const struct vtaprec_capture_filter *filter;
    int64_t vni;
    bool has_vni;
    int64_t max_packet_size;
    size_t n_max_packet_size;
    bool has_max_packet_size;
};

/* Parses the 'argc' words of 'argv' into 'settings'.  'keys' lists the
 * keys allowed, each at most once. */
static bool
parse_vtap_settings(struct ctl_context *ctx, int argc, char *argv[],
                    const char *const keys[], size_t n_keys,
                    struct vtap_settings *settings)
{
    struct sset seen = SSET_INITIALIZER(&seen);

    for (int i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        char *key = eq ? xmemdup0(argv[i], eq - argv[i]) : xstrdup(argv[i]);
        const char *value = eq ? eq + 1 : "";
        bool known = false;
        bool ok;

        for (size_t k = 0; k < n_keys; k++) {
            known = known || !strcmp(key, keys[k]);
        }
        if (!eq || !known) {
            struct ds allowed = DS_EMPTY_INITIALIZER;
            for (size_t k = 0; k < n_keys; k++) {
                ds_put_format(&allowed, "%s%s=", k ? ", " : "", keys[k]);
            }
            ctl_error(ctx, "\"%s\": unknown setting (expected %s)",
                      argv[i], ds_cstr(&allowed));
            ds_destroy(&allowed);
            ok = false;
        } else if (!sset_add(&seen, key)) {
            ctl_error(ctx, "%s: \"%s\": setting given twice", key, value);
            ok = false;
        } else if (!strcmp(key, "source")) {
            ok = parse_source(ctx, value, &settings->source);
            settings->has_source = true;
        } else if (!strcmp(key, "target")) {
            settings->target = must_find_target(ctx, value);
            ok = settings->target != NULL;
        } else if (!strcmp(key, "filter")) {
            settings->filter = must_find_filter(ctx, value);
            ok = settings->filter != NULL;
        } else if (!strcmp(key, "vni")) {
            ok = parse_vni(ctx, value, &settings->vni);
            settings->has_vni = true;
        } else {
            ok = parse_max_packet_size(ctx, value,
                                       &settings->max_packet_size,
                                       &settings->n_max_packet_size);
            settings->has_max_packet_size = true;
        }
        free(key);
        if (!ok) {
            sset_destroy(&seen);
            return false;
        }
    }
    sset_destroy(&seen);
    return true;
}

/* add-vtap NAME SOURCE TARGET FILTER [vni=N] [max-packet-size=N] */
static void
cmd_add_vtap(struct ctl_context *ctx)
{
    static const char *const keys[] = { "vni", "max-packet-size" };
    const char *name = ctx->argv[1];
    struct vtap_settings s;

    memset(&s, 0, sizeof s);
    if (!check_name(ctx, "VTAP", name)
        || !parse_source(ctx, ctx->argv[2], &s.source)) {
        goto out;
    }
    s.has_source = true;
    s.target = must_find_target(ctx, ctx->argv[3]);
    if (!s.target) {
        goto out;
    }
    s.filter = must_find_filter(ctx, ctx->argv[4]);
    if (!s.filter
        || !parse_vtap_settings(ctx, ctx->argc - 5, ctx->argv + 5,
                                keys, ARRAY_SIZE(keys), &s)) {
        goto out;
    }
    if (find_vtap(ctx, name)) {
        if (!shash_find(&ctx->options, "--may-exist")) {
            ctl_error(ctx, "name: \"%s\": a VTAP with this name already "
                      "exists", name);
        }
        goto out;
    }
    txn_increments_cfg = true;
    if (!s.has_vni) {
        s.vni = default_vni(ctx);
        if (s.vni > VTAP_MAX_VNI) {
            ctl_error(ctx, "vni: every VNI is in use; give vni=N");
            goto out;
        }
    }

    struct vtaprec_vtap *vtap = vtaprec_vtap_insert(ctx->txn);
    vtaprec_vtap_set_name(vtap, name);
    set_source(ctx, vtap, &s.source);
    vtaprec_vtap_set_target(vtap, s.target);
    vtaprec_vtap_set_capture_filter(vtap, s.filter);
    vtaprec_vtap_set_vni(vtap, s.vni);
    vtaprec_vtap_set_max_packet_size(vtap, &s.max_packet_size,
                                     s.n_max_packet_size);
    vtaprec_vtap_set_enabled(vtap, false);
    sset_add(&txn_vtaps, name);

out:
    free(s.source.source);
}

/* set-vtap NAME KEY=VALUE... */
static void
cmd_set_vtap(struct ctl_context *ctx)
{
    static const char *const keys[] = {
        "source", "target", "filter", "vni", "max-packet-size",
    };
    const struct vtaprec_vtap *vtap = vtapctl_must_find_vtap(ctx,
                                                             ctx->argv[1]);
    struct vtap_settings s;

    memset(&s, 0, sizeof s);
    if (!vtap
        || !parse_vtap_settings(ctx, ctx->argc - 2, ctx->argv + 2,
                                keys, ARRAY_SIZE(keys), &s)) {
        goto out;
    }
    if (s.has_source) {
        set_source(ctx, vtap, &s.source);
    }
    if (s.target) {
        vtaprec_vtap_set_target(vtap, s.target);
    }
    if (s.filter) {
        vtaprec_vtap_set_capture_filter(vtap, s.filter);
    }
    if (s.has_vni) {
        vtaprec_vtap_set_vni(vtap, s.vni);
    }
    if (s.has_max_packet_size) {
        vtaprec_vtap_set_max_packet_size(vtap, &s.max_packet_size,
                                         s.n_max_packet_size);
    }
    sset_add(&txn_vtaps, vtap->name);

out:
    free(s.source.source);
}

static void
cmd_del_vtap(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vtaprec_vtap *vtap = find_vtap(ctx, name);

    if (!vtap) {
        if (!shash_find(&ctx->options, "--if-exists")) {
            vtapctl_must_find_vtap(ctx, name);
        }
        return;
    }

    struct hmapx vtaps = HMAPX_INITIALIZER(&vtaps);
    hmapx_add(&vtaps, CONST_CAST(struct vtaprec_vtap *, vtap));
    delete_vtaps(ctx, &vtaps);
    hmapx_destroy(&vtaps);
}

static void
cmd_list_vtaps(struct ctl_context *ctx)
{
    const struct vtaprec_vtap *vtap;
    struct svec names = SVEC_EMPTY_INITIALIZER;

    VTAPREC_VTAP_FOR_EACH (vtap, ctx->idl) {
        svec_add(&names, vtap->name);
    }
    print_sorted(ctx, &names);
}

/* start NAME, stop NAME. */
static void
cmd_start_stop(struct ctl_context *ctx)
{
    const struct vtaprec_vtap *vtap = vtapctl_must_find_vtap(ctx,
                                                             ctx->argv[1]);

    if (vtap) {
        vtaprec_vtap_set_enabled(vtap, !strcmp(ctx->argv[0], "start"));
        sset_add(&txn_vtaps, vtap->name);
    }
}

static const struct ctl_command_syntax vtapctl_commands[] = {
    {"init", 0, 0, "", NULL, cmd_init, NULL, "", RW},
    {"show", 0, 0, "", vtapctl_pre_all, vtapctl_cmd_show, NULL, "--host=",
     RO},
    {"statistics", 1, 2, "VTAP [KEY]", vtapctl_pre_all,
     vtapctl_cmd_statistics, NULL, "--host=", RO},

    {"add-target", 2, 4, "NAME ADDRESS [port=N] [health-interval=MS]",
     vtapctl_pre_all, cmd_add_target, NULL, "--may-exist,--pool", RW},
    {"del-target", 1, 1, "NAME", vtapctl_pre_all, cmd_del_target, NULL,
     "--if-exists", RW},
    {"list-targets", 0, 0, "", vtapctl_pre_all, cmd_list_targets, NULL, "",
     RO},

    {"add-filter", 1, 1, "NAME", pre_filters, cmd_add_filter, NULL,
     "--may-exist", RW},
    {"del-filter", 1, 1, "NAME", vtapctl_pre_all, cmd_del_filter, NULL,
     "--if-exists,--force", RW},
    {"list-filters", 0, 0, "", vtapctl_pre_all, cmd_list_filters, NULL, "",
     RO},

    {"add-rule", 3, INT_MAX, "FILTER DIRECTION ACTION [order=N] MATCH...",
     pre_filters, cmd_add_rule, NULL, "", RW},
    {"del-rule", 3, 3, "FILTER DIRECTION ORDER", pre_filters, cmd_del_rule,
     NULL, "--if-exists", RW},
    {"list-rules", 1, 1, "FILTER", vtapctl_pre_all, cmd_list_rules, NULL, "",
     RO},

    {"add-vtap", 4, 6, "NAME SOURCE TARGET FILTER [vni=N] "
     "[max-packet-size=N]", pre_vtaps, cmd_add_vtap, NULL,
     "--may-exist", RW},
    {"set-vtap", 2, INT_MAX, "NAME KEY=VALUE...", vtapctl_pre_all,
     cmd_set_vtap, NULL, "", RW},
    {"del-vtap", 1, 1, "NAME", vtapctl_pre_all, cmd_del_vtap, NULL,
     "--if-exists", RW},
    {"list-vtaps", 0, 0, "", vtapctl_pre_all, cmd_list_vtaps, NULL, "", RO},
    {"start", 1, 1, "NAME", pre_vtaps, cmd_start_stop, NULL, "", RW},
    {"stop", 1, 1, "NAME", pre_vtaps, cmd_start_stop, NULL, "", RW},

    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Registers the commands above with db-ctl-base. */
void
vtapctl_register_commands(void)
{
    ctl_register_commands(vtapctl_commands);
    vtapctl_hosts_register_commands();
    vtapctl_policy_register_commands();
    vtapctl_connection_register_commands();
}

/* Returns the --help text of the commands above. */
const char *
vtapctl_commands_usage(void)
{
    return "\
General commands:\n\
  init                        create the Global row if it is missing\n\
  [--host=HOST] show          print an overview of every VTAP, with\n\
                              its state and counters on every host\n\
                              (--host: on HOST only)\n\
  [--host=HOST] statistics VTAP [KEY]\n\
                              print the counters of VTAP summed over\n\
                              its hosts (--host: HOST's), or only KEY\n\
\n\
Target commands:\n\
  add-target NAME ADDRESS [port=N]\n\
                              add a target (IPv4, IPv6 or DNS name; UDP\n\
                              port default 4789)\n\
  --pool add-target NAME ADDR,ADDR,... [port=N] [health-interval=MS]\n\
                              add a pool of backends (symmetric HRW\n\
                              hash, BFD health checks)\n\
  del-target NAME             delete a target that no VTAP uses\n\
  list-targets                print the names of all targets\n\
\n\
Capture filter commands:\n\
  add-filter NAME             add an empty capture filter\n\
  [--force] del-filter NAME   delete a filter no VTAP uses (--force:\n\
                              with the VTAPs that use it)\n\
  list-filters                print the names of all capture filters\n\
  add-rule FILTER ingress|egress include|exclude [order=N] MATCH...\n\
                              add a rule; MATCH words: proto=all|icmp|\n\
                              icmpv6|tcp|udp|N src=CIDR dst=CIDR\n\
                              sport=N[-M] dport=N[-M] icmp-type=N\n\
                              icmp-code=N (order default: last + 10)\n\
  del-rule FILTER ingress|egress ORDER\n\
                              delete the rule with that order\n\
  list-rules FILTER           print the rules of FILTER, in order\n\
\n\
VTAP commands:\n\
  add-vtap NAME SOURCE TARGET FILTER [vni=N] [max-packet-size=N]\n\
                              add a stopped VTAP; SOURCE is PORT@HOST,\n\
                              iface-id=ID, bridge=BRIDGE@HOST,\n\
                              bridge=BRIDGE@* (every host) or\n\
                              vlan=BRIDGE@HOST:VID (@HOST may be left\n\
                              out if one host shares the database;\n\
                              vni default: lowest unused)\n\
  set-vtap NAME [source=SOURCE] [target=TARGET] [filter=FILTER] [vni=N]\n\
           [max-packet-size=N|none]\n\
                              change a VTAP, running or not\n\
  del-vtap NAME               delete a VTAP and its Realization rows\n\
  list-vtaps                  print the names of all VTAPs\n\
  start NAME                  start mirroring\n\
  stop NAME                   stop mirroring\n\
\n";
}

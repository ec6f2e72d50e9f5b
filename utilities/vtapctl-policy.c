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

/* vtapctl-policy.c: Global's allowed_targets, the prefixes that targets'
 * addresses must be in.  ovs-vtapctl refuses a target outside them; every
 * ovs-vtapd refuses to mirror to one, also after DNS resolution. */

#include <config.h>

#include "vtapctl-policy.h"

#include <stdio.h>
#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "ovs-vtap/target-policy.h"
#include "util.h"
#include "vtap-idl.h"
#include "vtapctl-commands.h"

/* Reads Global's allowed targets into 'policy'.  Returns false, having
 * reported the error, if the list in the database does not parse. */
static bool
read_policy(struct ctl_context *ctx, struct target_policy *policy)
{
    const struct vtaprec_global *global = vtaprec_global_first(ctx->idl);
    char *error = target_policy_init(policy,
                                     global ? global->allowed_targets : NULL,
                                     global ? global->n_allowed_targets : 0);
    if (error) {
        ctl_error(ctx, "%s (set a valid list with set-allowed-targets)",
                  error);
        free(error);
        target_policy_destroy(policy);
        return false;
    }
    if (global) {
        vtaprec_global_verify_allowed_targets(global);
    }
    return true;
}

/* Checks that 'address', a new target's, is in the allowed targets.
 * Reports an error and returns false if not.  A DNS name passes: ovs-vtapd
 * checks the addresses it resolves to. */
bool
vtapctl_policy_check_target(struct ctl_context *ctx, const char *address)
{
    struct target_policy policy;

    if (!read_policy(ctx, &policy)) {
        return false;
    }
    char *error = target_policy_check_address(&policy, address);
    target_policy_destroy(&policy);
    if (error) {
        ctl_error(ctx, "address: %s", error);
        free(error);
        return false;
    }
    return true;
}

/* set-allowed-targets [CIDR...]: no CIDR allows every address again.  The
 * targets already outside the new list are named on standard error: their
 * VTAPs stop mirroring. */
static void
cmd_set_allowed_targets(struct ctl_context *ctx)
{
    struct target_policy policy;
    char *error = target_policy_init(&policy, &ctx->argv[1],
                                     ctx->argc - 1);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        target_policy_destroy(&policy);
        return;
    }

    const struct vtaprec_global *global = vtaprec_global_first(ctx->idl);
    if (!global) {
        global = vtaprec_global_insert(ctx->txn);
    }
    vtaprec_global_set_allowed_targets(global,
                                       (const char **) &ctx->argv[1],
                                       ctx->argc - 1);

    const struct vtaprec_target *target;
    VTAPREC_TARGET_FOR_EACH (target, ctx->idl) {
        /* A single target's address, or each backend of a pool. */
        size_t n = target->n_backends ? target->n_backends : 1;
        for (size_t i = 0; i < n; i++) {
            const char *address = (target->n_backends ? target->backends[i]
                                   : target->address);
            char *outside = target_policy_check_address(&policy, address);
            if (outside) {
                fprintf(stderr, "%s: warning: target \"%s\": %s%s: its "
                        "VTAPs stop mirroring\n", program_name, target->name,
                        target->n_backends ? "backend " : "", outside);
                free(outside);
            }
        }
    }
    target_policy_destroy(&policy);
}

/* get-allowed-targets: one prefix per line, nothing if any address is
 * allowed. */
static void
cmd_get_allowed_targets(struct ctl_context *ctx)
{
    const struct vtaprec_global *global = vtaprec_global_first(ctx->idl);

    for (size_t i = 0; global && i < global->n_allowed_targets; i++) {
        ds_put_format(&ctx->output, "%s\n", global->allowed_targets[i]);
    }
}

static const struct ctl_command_syntax policy_commands[] = {
    {"set-allowed-targets", 0, INT_MAX, "[CIDR...]", vtapctl_pre_all,
     cmd_set_allowed_targets, NULL, "", RW},
    {"get-allowed-targets", 0, 0, "", vtapctl_pre_all,
     cmd_get_allowed_targets, NULL, "", RO},
    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, RO},
};

/* Registers the commands above with db-ctl-base. */
void
vtapctl_policy_register_commands(void)
{
    ctl_register_commands(policy_commands);
}

/* Returns the --help text of the commands above. */
const char *
vtapctl_policy_usage(void)
{
    return "\
Allowed targets:\n\
  set-allowed-targets [CIDR...]\n\
                              allow targets only in these IPv4/IPv6\n\
                              prefixes (none: any address)\n\
  get-allowed-targets         print the allowed prefixes\n\
\n";
}

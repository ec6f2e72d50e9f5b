/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* vtapctl-commands.h: the VTAP-specific commands of ovs-vtapctl (targets,
 * capture filters and rules, VTAPs, show), registered with OVS's
 * db-ctl-base next to its generic database commands. */

#ifndef VTAPCTL_COMMANDS_H
#define VTAPCTL_COMMANDS_H 1

#include "db-ctl-base.h"

struct ds;
struct ovsdb_idl;
struct vtaprec_capture_filter;
struct vtaprec_capture_rule;

void vtapctl_register_commands(void);
void vtapctl_add_prerequisites(struct ovsdb_idl *);
const char *vtapctl_commands_usage(void);
void vtapctl_pre_all(struct ctl_context *);

/* Shared by the commands and "show". */
void vtapctl_format_rule(const struct vtaprec_capture_rule *, struct ds *);
const struct vtaprec_capture_rule **vtapctl_sorted_rules(
    const struct vtaprec_capture_filter *);
void vtapctl_cmd_show(struct ctl_context *);

#endif /* vtapctl-commands.h */

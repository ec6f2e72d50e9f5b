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

/* vtapctl-commands.h: the VTAP-specific commands of ovs-vtapctl (targets,
 * capture filters and rules, VTAPs, show), registered with OVS's
 * db-ctl-base next to its generic database commands. */

#ifndef VTAPCTL_COMMANDS_H
#define VTAPCTL_COMMANDS_H 1

#include "db-ctl-base.h"

struct ds;
struct ovsdb_idl;
struct sset;
struct vtaprec_capture_filter;
struct vtaprec_capture_rule;
struct vtaprec_vtap;

void vtapctl_register_commands(void);
void vtapctl_add_prerequisites(struct ovsdb_idl *);
const char *vtapctl_commands_usage(void);
void vtapctl_pre_all(struct ctl_context *);
void vtapctl_pre_source_hosts(struct ovsdb_idl *);
void vtapctl_sync_source_hosts(struct ovsdb_idl *);

/* What the commands of one try of the transaction leave for ovs-vtapctl.c:
 * vtapctl_txn_start() before the commands run, the others after. */
void vtapctl_txn_start(void);
bool vtapctl_txn_increments_cfg(void);
const struct sset *vtapctl_txn_vtaps(void);

/* Shared by the commands and "show". */
void vtapctl_format_rule(const struct vtaprec_capture_rule *, struct ds *);
const struct vtaprec_capture_rule **vtapctl_sorted_rules(
    const struct vtaprec_capture_filter *);
void vtapctl_cmd_show(struct ctl_context *);
void vtapctl_cmd_statistics(struct ctl_context *);
const struct vtaprec_vtap *vtapctl_must_find_vtap(struct ctl_context *,
                                                  const char *name);

#endif /* vtapctl-commands.h */

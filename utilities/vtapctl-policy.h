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

/* vtapctl-policy.h: the allowed targets as ovs-vtapctl sees them:
 * "set-allowed-targets", "get-allowed-targets", and the check of a new
 * target's address. */

#ifndef VTAPCTL_POLICY_H
#define VTAPCTL_POLICY_H 1

#include <stdbool.h>

struct ctl_context;

void vtapctl_policy_register_commands(void);
const char *vtapctl_policy_usage(void);
bool vtapctl_policy_check_target(struct ctl_context *, const char *address);

#endif /* vtapctl-policy.h */

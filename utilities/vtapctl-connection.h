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

/* vtapctl-connection.h: the remotes of the VTAP database's servers
 * ("set-connection", "get-connection", "del-connection", in Global's
 * connections) and the role "ovs-vtap-host" that limits a host's
 * ovs-vtapd to its own rows (RBAC_Role, RBAC_Permission). */

#ifndef VTAPCTL_CONNECTION_H
#define VTAPCTL_CONNECTION_H 1

struct ctl_context;

void vtapctl_connection_register_commands(void);
void vtapctl_update_host_role(struct ctl_context *);
const char *vtapctl_connection_usage(void);

#endif /* vtapctl-connection.h */

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
/* vswitchd-ctl.h: a connection to ovs-vswitchd's control socket (the one
 * "ovs-appctl" talks to), found from its pidfile in the run directory. */

#ifndef OVS_VTAPD_VSWITCHD_CTL_H
#define OVS_VTAPD_VSWITCHD_CTL_H 1

struct jsonrpc;

char *vswitchd_ctl_connect(const char *rundir, struct jsonrpc **);

#endif /* vswitchd-ctl.h */

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
/* vswitchd-ctl.c: a connection to ovs-vswitchd's control socket. */

#include <config.h>
#include "vswitchd-ctl.h"

#include <unistd.h>
#include "daemon.h"
#include "unixctl.h"
#include "util.h"

/* Connects '*clientp' to the control socket of the ovs-vswitchd whose
 * pidfile is in 'rundir'.  Returns NULL, or why it cannot (then
 * '*clientp' is NULL), which the caller frees. */
char *
vswitchd_ctl_connect(const char *rundir, struct jsonrpc **clientp)
{
    char *pidfile = xasprintf("%s/ovs-vswitchd.pid", rundir);
    char *error = NULL;

    *clientp = NULL;
    if (access(pidfile, R_OK)) {
        error = xasprintf("ovs-vswitchd is not running (no %s)", pidfile);
    } else {
        pid_t pid = read_pidfile(pidfile);
        if (pid < 0) {
            error = xasprintf("ovs-vswitchd is not running (%s: %s)",
                              pidfile, ovs_strerror(-pid));
        } else {
            char *socket = xasprintf("%s/ovs-vswitchd.%ld.ctl", rundir,
                                     (long int) pid);
            int retval = unixctl_client_create(socket, clientp);
            if (retval) {
                error = xasprintf("cannot connect to %s: %s", socket,
                                  ovs_strerror(retval));
            }
            free(socket);
        }
    }
    free(pidfile);
    return error;
}

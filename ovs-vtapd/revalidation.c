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
/* revalidation.c: waiting for a round of ovs-vswitchd's revalidators (see
 * revalidation.h). */

#include <config.h>
#include "revalidation.h"

#include <errno.h>
#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"
#include "vswitchd-ctl.h"

VLOG_DEFINE_THIS_MODULE(revalidation);

/* How long a request sent may go unanswered before the round counts as
 * done anyway (revalidators paused, ovs-vswitchd stuck). */
#define REVALIDATION_TIMEOUT_MSEC 2000

struct revalidation {
    char *rundir;               /* Where ovs-vswitchd's pidfile is. */
    struct jsonrpc *vswitchd;   /* Its control socket, or NULL. */
    struct json *request_id;    /* Of the request sent, if answerable. */
    unsigned int wanted;        /* The last ticket handed out. */
    unsigned int sent;          /* The ticket of the last request sent. */
    unsigned int done;          /* The last ticket whose round ended. */
    long long int give_up_at;   /* While 'sent' > 'done': when it counts as
                                 * done without an answer. */
    bool fell_back;             /* Said that it waits by time instead. */
};

/* Creates a waiter for the revalidators of the ovs-vswitchd whose pidfile
 * is in 'rundir'. */
struct revalidation *
revalidation_create(const char *rundir)
{
    struct revalidation *rv = xzalloc(sizeof *rv);

    rv->rundir = xstrdup(rundir);
    return rv;
}

static void
revalidation_disconnect(struct revalidation *rv)
{
    jsonrpc_close(rv->vswitchd);
    rv->vswitchd = NULL;
    json_destroy(rv->request_id);
    rv->request_id = NULL;
}

void
revalidation_destroy(struct revalidation *rv)
{
    if (rv) {
        revalidation_disconnect(rv);
        free(rv->rundir);
        free(rv);
    }
}

/* From now on, waits for the round of 'sent' by time alone, saying so
 * once. */
static void
fall_back(struct revalidation *rv, const char *why)
{
    if (!rv->fell_back) {
        VLOG_INFO("cannot wait for ovs-vswitchd's revalidators (%s): "
                  "waiting %d ms before changing counting flows instead",
                  why, REVALIDATION_FALLBACK_MSEC);
        rv->fell_back = true;
    }
    json_destroy(rv->request_id);
    rv->request_id = NULL;
    rv->give_up_at = time_msec() + REVALIDATION_FALLBACK_MSEC;
}

static void
send_request(struct revalidation *rv)
{
    rv->sent = rv->wanted;
    if (!rv->vswitchd) {
        char *error = vswitchd_ctl_connect(rv->rundir, &rv->vswitchd);

        if (error) {
            fall_back(rv, error);
            free(error);
            return;
        }
    }

    struct jsonrpc_msg *msg = jsonrpc_create_request(
        "revalidator/wait", json_array_create_empty(), NULL);
    json_destroy(rv->request_id);
    rv->request_id = json_clone(msg->id);
    int error = jsonrpc_send(rv->vswitchd, msg);
    if (error) {
        revalidation_disconnect(rv);
        fall_back(rv, ovs_strerror(error));
        return;
    }
    rv->give_up_at = time_msec() + REVALIDATION_TIMEOUT_MSEC;
}

/* Asks for a round of the revalidators that starts after this call.
 * Returns the ticket to pass to revalidation_done(). */
unsigned int
revalidation_request(struct revalidation *rv)
{
    /* A request already sent may be answered by a round that began before
     * this call: the caller's is the one after it. */
    rv->wanted = rv->sent + 1;
    if (rv->sent == rv->done) {
        send_request(rv);
    }
    return rv->wanted;
}

/* Returns true if the round asked for with 'ticket' ended. */
bool
revalidation_done(const struct revalidation *rv, unsigned int ticket)
{
    return ticket <= rv->done;
}

/* Handles ovs-vswitchd's answers, and sends the next request. */
void
revalidation_run(struct revalidation *rv)
{
    if (rv->vswitchd) {
        jsonrpc_run(rv->vswitchd);
        for (;;) {
            struct jsonrpc_msg *msg;
            int error = jsonrpc_recv(rv->vswitchd, &msg);

            if (error == EAGAIN) {
                break;
            } else if (error) {
                revalidation_disconnect(rv);
                if (rv->sent > rv->done) {
                    fall_back(rv, ovs_retval_to_string(error));
                }
                break;
            }
            if (rv->request_id && msg->id
                && json_equal(msg->id, rv->request_id)) {
                if (msg->type == JSONRPC_ERROR) {
                    char *s = json_to_string(msg->error, 0);

                    fall_back(rv, s);
                    free(s);
                } else {
                    json_destroy(rv->request_id);
                    rv->request_id = NULL;
                    rv->done = rv->sent;
                }
            }
            jsonrpc_msg_destroy(msg);
        }
    }
    if (rv->sent > rv->done && time_msec() >= rv->give_up_at) {
        /* Unanswered in time, or waited by time: counts as ended. */
        json_destroy(rv->request_id);
        rv->request_id = NULL;
        rv->done = rv->sent;
    }
    if (rv->sent == rv->done && rv->wanted > rv->sent) {
        send_request(rv);
    }
}

/* Arranges for poll_block() to wake up when revalidation_run() has work. */
void
revalidation_wait(struct revalidation *rv)
{
    if (rv->vswitchd) {
        jsonrpc_wait(rv->vswitchd);
        jsonrpc_recv_wait(rv->vswitchd);
    }
    if (rv->sent > rv->done) {
        poll_timer_wait_until(rv->give_up_at);
    } else if (rv->wanted > rv->sent) {
        poll_immediate_wake();
    }
}

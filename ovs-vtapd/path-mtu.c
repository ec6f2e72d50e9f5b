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

/* path-mtu.c: the MTU of the path toward each target, asked of
 * ovs-vswitchd's router (see path-mtu.h). */

#include <config.h>
#include "path-mtu.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include "jsonrpc.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vswitchd-ctl.h"

VLOG_DEFINE_THIS_MODULE(path_mtu);

/* How often the routes of known addresses are asked again. */
#define PATH_MTU_REFRESH_MS 5000

/* The cached path toward one address. */
struct path_entry {
    char *dev;                  /* Interface of the route, or NULL. */
    char *error;                /* Why 'dev' is not known, or NULL. */
    int mtu;
    bool used;                  /* Looked up since path_mtu_sweep(). */
};

struct path_mtu {
    char *rundir;               /* Where ovs-vswitchd's pidfile is. */
    struct jsonrpc *vswitchd;   /* Its control socket, or NULL. */
    struct shash paths;         /* Address -> "struct path_entry *". */
    long long int next_refresh;
};

/* Creates a cache that asks the ovs-vswitchd whose pidfile is in
 * 'rundir'. */
struct path_mtu *
path_mtu_create(const char *rundir)
{
    struct path_mtu *pm = xzalloc(sizeof *pm);

    pm->rundir = xstrdup(rundir);
    shash_init(&pm->paths);
    pm->next_refresh = time_msec() + PATH_MTU_REFRESH_MS;
    return pm;
}

static void
path_entry_destroy(struct path_entry *e)
{
    if (e) {
        free(e->dev);
        free(e->error);
        free(e);
    }
}

/* Frees 'pm'. */
void
path_mtu_destroy(struct path_mtu *pm)
{
    if (pm) {
        struct shash_node *node;

        SHASH_FOR_EACH_SAFE (node, &pm->paths) {
            path_entry_destroy(node->data);
            shash_delete(&pm->paths, node);
        }
        shash_destroy(&pm->paths);
        jsonrpc_close(pm->vswitchd);
        free(pm->rundir);
        free(pm);
    }
}

/* Asks ovs-vswitchd the route toward 'address'.  Returns the interface it
 * leaves by, or NULL with '*errorp' set to why not. */
static char *
lookup_route(struct path_mtu *pm, const char *address, char **errorp)
{
    char *argv[] = { CONST_CAST(char *, address) };
    char *result = NULL, *cmd_error = NULL;
    int retval;

    for (int attempt = 0; ; attempt++) {
        if (!pm->vswitchd) {
            *errorp = vswitchd_ctl_connect(pm->rundir, &pm->vswitchd);
            if (*errorp) {
                return NULL;
            }
        }
        retval = unixctl_client_transact(pm->vswitchd, "ovs/route/lookup",
                                         1, argv, &result, &cmd_error);
        if (!retval) {
            break;
        }
        /* ovs-vswitchd restarted or went away: try a new connection once. */
        jsonrpc_close(pm->vswitchd);
        pm->vswitchd = NULL;
        if (attempt) {
            *errorp = xasprintf("ovs-vswitchd does not answer: %s",
                                ovs_strerror(retval));
            return NULL;
        }
    }

    char *dev = NULL;
    if (cmd_error) {
        size_t len = strcspn(cmd_error, "\n");
        *errorp = xasprintf("ovs-vswitchd has no route to %s (%.*s)",
                            address, (int) len, cmd_error);
    } else {
        /* "src ADDR\ngateway ADDR\ndev NAME\n". */
        const char *line = result ? strstr(result, "dev ") : NULL;
        if (line && (line == result || line[-1] == '\n')) {
            line += strlen("dev ");
            dev = xmemdup0(line, strcspn(line, "\n"));
            *errorp = NULL;
        } else {
            *errorp = xasprintf("ovs-vswitchd's route to %s names no "
                                "interface", address);
        }
    }
    free(result);
    free(cmd_error);
    return dev;
}

/* Returns the MTU of interface 'dev', or PATH_MTU_DEFAULT if it is not
 * known. */
static int
dev_mtu(const struct ovsdb_idl *ovs, const char *dev)
{
    const struct ovsrec_interface *iface;

    OVSREC_INTERFACE_FOR_EACH (iface, ovs) {
        if (!strcmp(iface->name, dev)) {
            if (iface->n_mtu && iface->mtu[0] > 0) {
                return iface->mtu[0];
            }
            break;
        }
    }

    /* Not (yet) an Open vSwitch interface with an MTU: ask the kernel. */
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (!af_inet_ifreq_ioctl(dev, &ifr, SIOCGIFMTU, "SIOCGIFMTU")
        && ifr.ifr_mtu > 0) {
        return ifr.ifr_mtu;
    }
    return PATH_MTU_DEFAULT;
}

/* Fills 'e' with the path toward 'address'.  Returns true if that differs
 * from what 'e' held. */
static bool
path_entry_refresh(struct path_mtu *pm, const struct ovsdb_idl *ovs,
                   const char *address, struct path_entry *e)
{
    char *error;
    char *dev = lookup_route(pm, address, &error);
    int mtu = dev ? dev_mtu(ovs, dev) : PATH_MTU_DEFAULT;
    bool changed = (mtu != e->mtu || !nullable_string_is_equal(dev, e->dev)
                    || !nullable_string_is_equal(error, e->error));

    if (changed) {
        if (error) {
            VLOG_WARN("path to %s: %s; assuming an MTU of %d", address, error,
                      mtu);
        } else {
            VLOG_INFO("path to %s: leaves by %s, MTU %d", address, dev, mtu);
        }
    }
    free(e->dev);
    free(e->error);
    e->dev = dev;
    e->error = error;
    e->mtu = mtu;
    return changed;
}

/* Returns the path toward 'address' (an IP literal), from the cache or
 * asked now.  The strings in the result are valid until the next call to
 * path_mtu_run(), path_mtu_sweep() or path_mtu_destroy(). */
struct path_mtu_info
path_mtu_lookup(struct path_mtu *pm, const struct ovsdb_idl *ovs,
                const char *address)
{
    struct path_entry *e = shash_find_data(&pm->paths, address);

    if (!e) {
        e = xzalloc(sizeof *e);
        path_entry_refresh(pm, ovs, address, e);
        shash_add(&pm->paths, address, e);
    }
    e->used = true;
    return (struct path_mtu_info) {
        .mtu = e->mtu, .dev = e->dev, .error = e->error,
    };
}

/* Forgets the addresses that were not looked up since the last call. */
void
path_mtu_sweep(struct path_mtu *pm)
{
    struct shash_node *node;

    SHASH_FOR_EACH_SAFE (node, &pm->paths) {
        struct path_entry *e = node->data;

        if (!e->used) {
            path_entry_destroy(e);
            shash_delete(&pm->paths, node);
        } else {
            e->used = false;
        }
    }
}

/* Every few seconds, asks the routes of the known addresses again.
 * Returns true if the path of any of them changed (its interface or that
 * interface's MTU), so that the caller looks them up again. */
bool
path_mtu_run(struct path_mtu *pm, const struct ovsdb_idl *ovs)
{
    bool changed = false;

    if (time_msec() < pm->next_refresh) {
        return false;
    }
    pm->next_refresh = time_msec() + PATH_MTU_REFRESH_MS;

    struct shash_node *node;
    SHASH_FOR_EACH (node, &pm->paths) {
        changed |= path_entry_refresh(pm, ovs, node->name, node->data);
    }
    return changed;
}

/* Wakes the poll loop when path_mtu_run() has work. */
void
path_mtu_wait(const struct path_mtu *pm)
{
    if (!shash_is_empty(&pm->paths)) {
        poll_timer_wait_until(pm->next_refresh);
    }
}

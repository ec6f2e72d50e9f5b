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

/* test-vtap-resolver.c: drives the target-name resolver in an OVS poll loop
 * for tests/resolver.at.
 *
 * Without --watch, resolves each NAME once and prints "NAME -> ADDRESS",
 * "NAME -> ADDRESS (error: TEXT)" or "NAME -> none (error: TEXT)" in the
 * order given.  With --watch, keeps running and prints such a line whenever
 * what is known of a name changes. */

#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "command-line.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-vtap/vtap-resolver.h"
#include "timeval.h"
#include "util.h"

/* Gives up after this long without every name settled (one-shot mode). */
#define SETTLE_TIMEOUT_MSEC (60 * 1000)

static void usage(void) OVS_NO_RETURN;

static void
usage(void)
{
    printf("%s: drives ovs-vtap's target-name resolver\n"
           "usage: %s [OPTIONS] NAME...\n"
           "  --forwarder=IP[@PORT]  ask this DNS server "
           "(default: /etc/resolv.conf)\n"
           "  --hosts=FILE           also read this hosts file\n"
           "  --min-ttl=SECS         floor of a record's TTL\n"
           "  --max-ttl=SECS         ceiling of a record's TTL\n"
           "  --retry=SECS           time between retries of failures\n"
           "  --watch                keep running, print every change\n"
           "  -h, --help             display this help message\n"
           "  -V, --version          display version information\n",
           program_name, program_name);
    vlog_usage();
    exit(EXIT_SUCCESS);
}

static unsigned int
parse_seconds(const char *option, const char *s)
{
    unsigned int value;

    if (!str_to_uint(s, 10, &value)) {
        ovs_fatal(0, "--%s: \"%s\" is not a number of seconds", option, s);
    }
    return value;
}

/* Parses the options into 'options' and '*watch'; returns the index of the
 * first name in 'argv'. */
static int
parse_options(int argc, char *argv[], struct vtap_resolver_options *options,
              bool *watch)
{
    enum {
        OPT_FORWARDER = UCHAR_MAX + 1,
        OPT_HOSTS,
        OPT_MIN_TTL,
        OPT_MAX_TTL,
        OPT_RETRY,
        OPT_WATCH,
        VLOG_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"forwarder", required_argument, NULL, OPT_FORWARDER},
        {"hosts", required_argument, NULL, OPT_HOSTS},
        {"min-ttl", required_argument, NULL, OPT_MIN_TTL},
        {"max-ttl", required_argument, NULL, OPT_MAX_TTL},
        {"retry", required_argument, NULL, OPT_RETRY},
        {"watch", no_argument, NULL, OPT_WATCH},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(
        long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case OPT_FORWARDER:
            options->forwarder = optarg;
            break;
        case OPT_HOSTS:
            options->hosts_file = optarg;
            break;
        case OPT_MIN_TTL:
            options->min_ttl = parse_seconds("min-ttl", optarg);
            break;
        case OPT_MAX_TTL:
            options->max_ttl = parse_seconds("max-ttl", optarg);
            break;
        case OPT_RETRY:
            options->retry = parse_seconds("retry", optarg);
            break;
        case OPT_WATCH:
            *watch = true;
            break;
        case 'h':
            usage();
        case 'V':
            printf("%s (ovs-vtap) %s\n", program_name, OVS_VTAP_VERSION);
            exit(EXIT_SUCCESS);
        VLOG_OPTION_HANDLERS
        case '?':
            exit(EXIT_FAILURE);
        default:
            OVS_NOT_REACHED();
        }
    }
    free(short_options);
    if (optind >= argc) {
        ovs_fatal(0, "at least one name is required (use --help for help)");
    }
    return optind;
}

/* Formats what is known of 'name' into a malloc()'d line. */
static char *
format_resolution(const char *name, const struct vtap_resolution *r)
{
    if (!r->error) {
        return xasprintf("%s -> %s", name, r->address ? r->address : "none");
    }
    return xasprintf("%s -> %s (error: %s)", name,
                     r->address ? r->address : "none", r->error);
}

int
main(int argc, char *argv[])
{
    struct vtap_resolver_options options = { .forwarder = NULL };
    struct vtap_resolver *resolver;
    bool watch = false;

    set_program_name(argv[0]);
    int first = parse_options(argc, argv, &options, &watch);
    char **names = &argv[first];
    size_t n_names = argc - first;

    char *error = vtap_resolver_create(&options, &resolver);
    if (error) {
        ovs_fatal(0, "%s", error);
    }

    /* The last line printed for each name, in --watch mode. */
    char **printed = xcalloc(n_names, sizeof *printed);
    long long int deadline = time_msec() + SETTLE_TIMEOUT_MSEC;
    for (;;) {
        vtap_resolver_run(resolver);

        bool settled = true;
        for (size_t i = 0; i < n_names; i++) {
            struct vtap_resolution r = vtap_resolver_lookup(resolver,
                                                            names[i]);
            if (r.pending && !r.address && !r.error) {
                settled = false;
            } else if (watch) {
                char *line = format_resolution(names[i], &r);
                if (!printed[i] || strcmp(printed[i], line)) {
                    puts(line);
                    fflush(stdout);
                    free(printed[i]);
                    printed[i] = line;
                } else {
                    free(line);
                }
            }
        }
        if (!watch && settled) {
            for (size_t i = 0; i < n_names; i++) {
                struct vtap_resolution r = vtap_resolver_lookup(resolver,
                                                                names[i]);
                char *line = format_resolution(names[i], &r);
                puts(line);
                free(line);
            }
            break;
        } else if (!watch && time_msec() >= deadline) {
            ovs_fatal(0, "names not resolved after %d seconds",
                      SETTLE_TIMEOUT_MSEC / 1000);
        }

        vtap_resolver_wait(resolver);
        if (!watch) {
            poll_timer_wait_until(deadline);
        }
        poll_block();
    }

    for (size_t i = 0; i < n_names; i++) {
        free(printed[i]);
    }
    free(printed);
    vtap_resolver_destroy(resolver);
    return 0;
}

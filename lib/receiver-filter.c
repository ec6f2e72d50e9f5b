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

/* receiver-filter.c: libpcap filter expressions on inner frames.  The
 * expression is compiled once, by pcap_compile() on a "dead" Ethernet
 * handle (no capture device is opened), and run on each frame by
 * pcap_offline_filter(), libpcap's BPF interpreter: any expression that
 * tcpdump takes works, with tcpdump's meaning. */

#include <config.h>

#include "ovs-vtap/receiver-filter.h"

#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The snap length that the expression is compiled for: the largest frame
 * that a VXLAN datagram can carry. */
#define FILTER_SNAPLEN 65535

struct receiver_filter {
    struct bpf_program program;
};

/* Compiles 'expression' (pcap-filter(7) syntax) for Ethernet frames.
 * Returns NULL and stores the filter in '*fp', or returns libpcap's error
 * message (to free) and stores NULL. */
char *
receiver_filter_compile(const char *expression, struct receiver_filter **fp)
{
    struct receiver_filter *f;
    pcap_t *pcap;
    char *error = NULL;

    *fp = NULL;
    pcap = pcap_open_dead(DLT_EN10MB, FILTER_SNAPLEN);
    if (!pcap) {
        return xstrdup("cannot create a libpcap handle");
    }
    f = xzalloc(sizeof *f);
    if (pcap_compile(pcap, &f->program, expression, 1,
                     PCAP_NETMASK_UNKNOWN)) {
        error = xstrdup(pcap_geterr(pcap));
        free(f);
    } else {
        *fp = f;
    }
    pcap_close(pcap);
    return error;
}

/* Returns true if the Ethernet frame of 'caplen' bytes at 'frame', which
 * was 'orig_len' bytes before any cut, passes 'f'.  A null 'f' passes
 * every frame. */
bool
receiver_filter_match(const struct receiver_filter *f, const void *frame,
                      size_t caplen, size_t orig_len)
{
    struct pcap_pkthdr header;

    if (!f) {
        return true;
    }
    memset(&header, 0, sizeof header);
    header.caplen = caplen;
    header.len = MAX(orig_len, caplen);
    return pcap_offline_filter(&f->program, &header, frame) != 0;
}

/* Frees 'f', which may be null. */
void
receiver_filter_destroy(struct receiver_filter *f)
{
    if (f) {
        pcap_freecode(&f->program);
        free(f);
    }
}

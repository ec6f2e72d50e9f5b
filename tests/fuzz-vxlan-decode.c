/* Copyright (c) 2026 The ovs-vtap authors.
 * SPDX-License-Identifier: Apache-2.0 */

/* fuzz-vxlan-decode.c: libFuzzer target for the VXLAN decoder.  Decodes
 * the input as a UDP payload and, when it decodes, formats it as text and
 * JSON and runs the inner filter on it, as the receiver does. */

#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "openvswitch/dynamic-string.h"
#include "ovs-vtap/frame-format.h"
#include "ovs-vtap/inner-match.h"
#include "ovs-vtap/vxlan-decode.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct inner_match *match;
    struct sockaddr_storage ss = { .ss_family = AF_INET };
    struct frame_origin origin = { .src = &ss };
    struct vxlan_packet pkt;
    struct ds s;

    if (!match) {
        char *error = inner_match_parse("tcp src net 10.0.0.0/8 port 22",
                                        &match);
        if (error) {
            ovs_abort(0, "%s", error);
        }
    }
    if (vxlan_decode(data, size, &pkt) == VXLAN_DECODE_OK) {
        ds_init(&s);
        frame_format_text(&s, &pkt, &origin);
        frame_format_json(&s, &pkt, &origin);
        ds_destroy(&s);
        inner_match_packet(match, &pkt);
    }
    return 0;
}

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

/* capture-writer.h: buffered writing of inner frames to pcap (nanosecond
 * timestamps) or pcapng (one interface per VNI) files, with rotation by
 * size and time in the manner of tcpdump's -C, -G and -W. */

#ifndef OVS_VTAP_CAPTURE_WRITER_H
#define OVS_VTAP_CAPTURE_WRITER_H 1

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "openvswitch/compiler.h"

enum capture_format {
    CAPTURE_PCAP,               /* libpcap format, nanosecond magic. */
    CAPTURE_PCAPNG              /* pcapng, an interface per VNI. */
};

struct capture_writer_options {
    enum capture_format format;
    const char *file_name;      /* "-" for standard output; with rotate_secs
                                 * a strftime() pattern. */
    uint64_t rotate_bytes;      /* Start a new file past this size, or 0. */
    unsigned int rotate_secs;   /* Start a new file this often, or 0. */
    unsigned int max_files;     /* With rotation, reuse names after this
                                 * many files, or 0 for no limit. */
    uint32_t snaplen;           /* Cut frames to this length, or 0. */
    const char *application;    /* pcapng: the writing program. */
    unsigned int file_mode;     /* Permissions of new files (the umask
                                 * applies), or 0 for 0640. */
};

struct capture_writer;

char *capture_writer_open(const struct capture_writer_options *,
                          struct capture_writer **) OVS_WARN_UNUSED_RESULT;
int capture_writer_write(struct capture_writer *, const struct timespec *,
                         uint32_t vni, const struct sockaddr_storage *src,
                         const void *frame, size_t len, size_t orig_len);
int capture_writer_flush(struct capture_writer *);
int capture_writer_close(struct capture_writer *);
uint64_t capture_writer_n_packets(const struct capture_writer *);
const char *capture_writer_file_name(const struct capture_writer *);

#endif /* capture-writer.h */

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

/* capture-writer.c: pcap and pcapng writers for the receiver.
 *
 * Open vSwitch's lib/pcap-file writes microsecond pcap only, flushes after
 * every packet and takes a struct dp_packet, so it fits neither nanosecond
 * timestamps, nor pcapng with a VNI per packet, nor the rate the receiver
 * needs: these writers are our own.  Both write in the host's byte order,
 * which readers detect from the magic numbers, through a large stdio
 * buffer that the caller flushes when it has nothing else to do. */

#include <config.h>

#include "ovs-vtap/capture-writer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/util.h"
#include "ovs-vtap/frame-format.h"
#include "util.h"

#define PCAP_MAGIC_NSEC 0xa1b23c4d
#define PCAPNG_SHB_TYPE 0x0a0d0d0a
#define PCAPNG_IDB_TYPE 0x00000001
#define PCAPNG_EPB_TYPE 0x00000006
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4d
#define PCAPNG_OPT_END 0
#define PCAPNG_OPT_COMMENT 1
#define PCAPNG_OPT_SHB_USERAPPL 4
#define PCAPNG_OPT_IF_NAME 2
#define PCAPNG_OPT_IF_DESCRIPTION 3
#define PCAPNG_OPT_IF_TSRESOL 9
#define LINKTYPE_ETHERNET 1
#define DEFAULT_SNAPLEN 262144
#define WRITE_BUFFER_SIZE (1024 * 1024)

/* A pcapng interface: the one for a VNI in the current file. */
struct vni_interface {
    struct hmap_node node;      /* In capture_writer's 'interfaces'. */
    uint32_t vni;
    uint32_t id;                /* Interface ID in the current file. */
};

struct capture_writer {
    struct capture_writer_options opts;
    char *pattern;              /* opts.file_name, owned. */
    char *cur_name;             /* Name of the file being written. */
    FILE *file;
    char *buffer;               /* stdio buffer of 'file'. */
    bool to_stdout;
    uint64_t file_bytes;        /* Bytes written to the current file. */
    time_t file_start;          /* When the current file was opened. */
    unsigned int file_index;    /* 0 for the first file, then 1, 2... */
    struct hmap interfaces;     /* pcapng: "struct vni_interface"s. */
    uint32_t n_interfaces;
    uint64_t n_packets;         /* Packets written, all files. */
    struct ds scratch;
};

static int
put(struct capture_writer *w, const void *data, size_t size)
{
    if (size && fwrite_unlocked(data, size, 1, w->file) != 1) {
        return errno ? errno : EIO;
    }
    w->file_bytes += size;
    return 0;
}

static int
put_u32(struct capture_writer *w, uint32_t value)
{
    return put(w, &value, sizeof value);
}

/* Writes a pcapng option 'code' with 'len' bytes of 'value', padded. */
static int
put_option(struct capture_writer *w, uint16_t code, const void *value,
           uint16_t len)
{
    static const uint8_t zeros[4];
    uint16_t header[2] = { code, len };

    return (put(w, header, sizeof header) || put(w, value, len)
            || put(w, zeros, ROUND_UP(len, 4) - len)) ? EIO : 0;
}

/* Bytes that an option with a 'len'-byte value takes. */
static size_t
option_size(size_t len)
{
    return 4 + ROUND_UP(len, 4);
}

static int
write_pcap_header(struct capture_writer *w)
{
    struct {
        uint32_t magic;
        uint16_t version_major, version_minor;
        int32_t thiszone;
        uint32_t sigfigs, snaplen, linktype;
    } header = {
        PCAP_MAGIC_NSEC, 2, 4, 0, 0, w->opts.snaplen, LINKTYPE_ETHERNET
    };

    return put(w, &header, sizeof header);
}

static int
write_pcapng_header(struct capture_writer *w)
{
    const char *app = w->opts.application ? w->opts.application : "";
    size_t app_len = strlen(app);
    uint32_t total = 28 + (app_len ? option_size(app_len) : 0) + 4;
    uint16_t version[2] = { 1, 0 };
    uint64_t section_length = UINT64_MAX;
    int error;

    error = (put_u32(w, PCAPNG_SHB_TYPE) || put_u32(w, total)
             || put_u32(w, PCAPNG_BYTE_ORDER_MAGIC)
             || put(w, version, sizeof version)
             || put(w, &section_length, sizeof section_length));
    if (!error && app_len) {
        error = put_option(w, PCAPNG_OPT_SHB_USERAPPL, app, app_len);
    }
    if (!error) {
        error = put_option(w, PCAPNG_OPT_END, NULL, 0) || put_u32(w, total);
    }
    return error ? EIO : 0;
}

/* Writes an Interface Description Block for 'vni', named "vniN". */
static int
write_pcapng_interface(struct capture_writer *w, uint32_t vni)
{
    char name[16], description[32];
    size_t name_len, description_len;
    uint16_t link[2] = { LINKTYPE_ETHERNET, 0 };
    uint8_t tsresol = 9;        /* Nanoseconds. */
    uint32_t total;

    name_len = snprintf(name, sizeof name, "vni%"PRIu32, vni);
    description_len = snprintf(description, sizeof description,
                               "VXLAN VNI %"PRIu32, vni);
    total = 16 + option_size(name_len) + option_size(description_len)
            + option_size(1) + 4 + 4;
    return (put_u32(w, PCAPNG_IDB_TYPE) || put_u32(w, total)
            || put(w, link, sizeof link) || put_u32(w, w->opts.snaplen)
            || put_option(w, PCAPNG_OPT_IF_NAME, name, name_len)
            || put_option(w, PCAPNG_OPT_IF_DESCRIPTION, description,
                          description_len)
            || put_option(w, PCAPNG_OPT_IF_TSRESOL, &tsresol, 1)
            || put_option(w, PCAPNG_OPT_END, NULL, 0)
            || put_u32(w, total)) ? EIO : 0;
}

/* Returns the interface ID of 'vni' in the current file, writing its
 * description first if it is new, or -1 on error. */
static int64_t
pcapng_interface_id(struct capture_writer *w, uint32_t vni)
{
    uint32_t hash = hash_int(vni, 0);
    struct vni_interface *iface;

    HMAP_FOR_EACH_WITH_HASH (iface, node, hash, &w->interfaces) {
        if (iface->vni == vni) {
            return iface->id;
        }
    }
    if (write_pcapng_interface(w, vni)) {
        return -1;
    }
    iface = xmalloc(sizeof *iface);
    iface->vni = vni;
    iface->id = w->n_interfaces++;
    hmap_insert(&w->interfaces, &iface->node, hash);
    return iface->id;
}

static void
forget_interfaces(struct capture_writer *w)
{
    struct vni_interface *iface;

    HMAP_FOR_EACH_POP (iface, node, &w->interfaces) {
        free(iface);
    }
    w->n_interfaces = 0;
}

/* Computes the name of the next file into w->cur_name.  The first file is
 * named after the pattern (expanded by strftime() when rotating by time);
 * with rotation, later files add the file's number, which wraps around at
 * max_files, and with max_files every file has a number, as tcpdump
 * does. */
static void
next_file_name(struct capture_writer *w, time_t now)
{
    const char *base = w->pattern;
    char expanded[4096];

    if (w->opts.rotate_secs && strchr(w->pattern, '%')) {
        struct tm tm;

        localtime_r(&now, &tm);
        if (strftime(expanded, sizeof expanded, w->pattern, &tm)) {
            base = expanded;
        }
    }
    free(w->cur_name);
    if (w->opts.max_files) {
        w->cur_name = xasprintf("%s%u", base,
                                w->file_index % w->opts.max_files);
    } else if (w->file_index) {
        w->cur_name = xasprintf("%s%u", base, w->file_index);
    } else {
        w->cur_name = xstrdup(base);
    }
}

static int
start_file(struct capture_writer *w, time_t now)
{
    w->file_bytes = 0;
    w->file_start = now;
    forget_interfaces(w);
    if (w->to_stdout) {
        int fd = dup(STDOUT_FILENO);

        w->file = fd < 0 ? NULL : fdopen(fd, "wb");
        if (!w->file) {
            return errno;
        }
    } else {
        next_file_name(w, now);
        w->file = fopen(w->cur_name, "wb");
        if (!w->file) {
            return errno;
        }
    }
    setvbuf(w->file, w->buffer, _IOFBF, WRITE_BUFFER_SIZE);
    return (w->opts.format == CAPTURE_PCAP
            ? write_pcap_header(w) : write_pcapng_header(w));
}

static int
close_file(struct capture_writer *w)
{
    int error = 0;

    if (w->file) {
        if (fflush(w->file) || ferror(w->file)) {
            error = errno ? errno : EIO;
        }
        if (fclose(w->file) && !error) {
            error = errno;
        }
        w->file = NULL;
    }
    return error;
}

/* Opens a writer with 'opts' (which it copies) and writes the header of
 * its first file.  Returns NULL and stores the writer in '*wp', or returns
 * an error message (to free) that names the file. */
char *
capture_writer_open(const struct capture_writer_options *opts,
                    struct capture_writer **wp)
{
    struct capture_writer *w = xzalloc(sizeof *w);
    int error;

    *wp = NULL;
    w->opts = *opts;
    w->pattern = xstrdup(opts->file_name);
    w->opts.file_name = w->pattern;
    if (!w->opts.snaplen) {
        w->opts.snaplen = DEFAULT_SNAPLEN;
    }
    w->to_stdout = !strcmp(opts->file_name, "-");
    if (w->to_stdout && (opts->rotate_bytes || opts->rotate_secs)) {
        free(w->pattern);
        free(w);
        return xstrdup("-w -: standard output cannot be rotated "
                       "(-C, -G)");
    }
    w->buffer = xmalloc(WRITE_BUFFER_SIZE);
    hmap_init(&w->interfaces);
    ds_init(&w->scratch);
    error = start_file(w, time(NULL));
    if (error) {
        char *msg = xasprintf("%s: cannot write (%s)",
                              w->to_stdout ? "standard output" : w->cur_name,
                              ovs_strerror(error));
        capture_writer_close(w);
        return msg;
    }
    *wp = w;
    return NULL;
}

static int
maybe_rotate(struct capture_writer *w, const struct timespec *ts)
{
    bool by_size = (w->opts.rotate_bytes
                    && w->file_bytes >= w->opts.rotate_bytes);
    bool by_time = (w->opts.rotate_secs
                    && ts->tv_sec - w->file_start >= w->opts.rotate_secs);
    int error;

    if (w->to_stdout || (!by_size && !by_time)) {
        return 0;
    }
    error = close_file(w);
    if (error) {
        return error;
    }
    w->file_index++;
    return start_file(w, by_time ? ts->tv_sec : w->file_start);
}

static int
write_pcap_record(struct capture_writer *w, const struct timespec *ts,
                  const void *frame, uint32_t caplen, uint32_t len)
{
    uint32_t header[4] = { ts->tv_sec, ts->tv_nsec, caplen, len };

    return (put(w, header, sizeof header) || put(w, frame, caplen))
           ? EIO : 0;
}

static int
write_pcapng_record(struct capture_writer *w, const struct timespec *ts,
                    uint32_t vni, const struct sockaddr_storage *src,
                    const void *frame, uint32_t caplen, uint32_t len)
{
    static const uint8_t zeros[4];
    uint64_t ns = (uint64_t) ts->tv_sec * 1000000000 + ts->tv_nsec;
    int64_t id = pcapng_interface_id(w, vni);
    uint32_t total;

    if (id < 0) {
        return EIO;
    }
    ds_clear(&w->scratch);
    ds_put_format(&w->scratch, "vni %"PRIu32" from ", vni);
    frame_format_sockaddr(&w->scratch, src, true);
    total = 28 + ROUND_UP(caplen, 4) + option_size(w->scratch.length)
            + 4 + 4;
    return (put_u32(w, PCAPNG_EPB_TYPE) || put_u32(w, total)
            || put_u32(w, id) || put_u32(w, ns >> 32) || put_u32(w, ns)
            || put_u32(w, caplen) || put_u32(w, len)
            || put(w, frame, caplen)
            || put(w, zeros, ROUND_UP(caplen, 4) - caplen)
            || put_option(w, PCAPNG_OPT_COMMENT, w->scratch.string,
                          w->scratch.length)
            || put_option(w, PCAPNG_OPT_END, NULL, 0)
            || put_u32(w, total)) ? EIO : 0;
}

/* Writes the inner 'frame' of 'len' bytes, received at 'ts' on 'vni' from
 * 'src', starting a new file first if rotation asks for it.  'orig_len' is
 * the frame's length before it was cut on its way (e.g. by a VTAP's max
 * packet size), recorded as its original length so that readers show it as
 * cut; the snap length may cut it further.  Returns 0 or an errno
 * value. */
int
capture_writer_write(struct capture_writer *w, const struct timespec *ts,
                     uint32_t vni, const struct sockaddr_storage *src,
                     const void *frame, size_t len, size_t orig_len)
{
    uint32_t caplen = MIN(len, w->opts.snaplen);
    uint32_t wire_len = MAX(len, orig_len);
    int error = maybe_rotate(w, ts);

    if (!error) {
        error = (w->opts.format == CAPTURE_PCAP
                 ? write_pcap_record(w, ts, frame, caplen, wire_len)
                 : write_pcapng_record(w, ts, vni, src, frame, caplen,
                                       wire_len));
    }
    if (!error) {
        w->n_packets++;
    }
    return error;
}

/* Writes out what the writer has buffered.  Returns 0 or an errno value. */
int
capture_writer_flush(struct capture_writer *w)
{
    return fflush(w->file) ? errno : 0;
}

/* Flushes and closes the current file and frees 'w'.  Returns 0 or an
 * errno value. */
int
capture_writer_close(struct capture_writer *w)
{
    int error = 0;

    if (w) {
        error = close_file(w);
        forget_interfaces(w);
        hmap_destroy(&w->interfaces);
        ds_destroy(&w->scratch);
        free(w->buffer);
        free(w->cur_name);
        free(w->pattern);
        free(w);
    }
    return error;
}

/* Number of packets written so far, over all files. */
uint64_t
capture_writer_n_packets(const struct capture_writer *w)
{
    return w->n_packets;
}

/* Name of the file being written, or "-" for standard output. */
const char *
capture_writer_file_name(const struct capture_writer *w)
{
    return w->to_stdout ? "-" : w->cur_name;
}

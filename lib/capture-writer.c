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
 * which readers detect from the magic numbers, into a large buffer of
 * their own that goes to the file with one write(2) when it is full or
 * when the caller flushes it (when it has nothing else to do).
 *
 * pcapng records carry a comment "vni N from ADDRESS:PORT" per packet.
 * Formatting it costs more than the rest of the record, so the writer
 * keeps the options of the last records, comment and end of options laid
 * out as they go to the file, with their interface ID, in a small table
 * indexed by a hash of VNI and source: consecutive packets of a flow (one
 * VNI, one outer source port) copy them in one memcpy(). */

#include <config.h>

#include "ovs-vtap/capture-writer.h"

#include <errno.h>
#include <fcntl.h>
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
#define COMMENT_CACHE_SIZE 256  /* Entries, a power of 2. */
#define COMMENT_MAX 64          /* "vni 16777215 from [v6]:65535" fits. */

/* A source of datagrams as the comment cache compares it. */
struct comment_source {
    uint8_t addr[16];           /* IPv4: the first 4 bytes. */
    uint16_t port;              /* Network byte order. */
    uint16_t family;
};

/* The options of a pcapng record for one VNI and source, as written. */
struct comment_entry {
    bool valid;
    uint32_t vni;
    struct comment_source source;
    uint32_t interface_id;      /* Of 'vni' in the current file. */
    uint16_t options_len;       /* Bytes in 'options'. */
    uint8_t options[4 + COMMENT_MAX + 4];  /* Comment, end of options. */
};

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
    int fd;                     /* The current file, or -1. */
    uint8_t *buffer;            /* What is not yet written to 'fd'. */
    size_t buffer_len;          /* Bytes in 'buffer'. */
    bool to_stdout;
    uint64_t file_bytes;        /* Bytes written to the current file. */
    time_t file_start;          /* When the current file was opened. */
    unsigned int file_index;    /* 0 for the first file, then 1, 2... */
    struct hmap interfaces;     /* pcapng: "struct vni_interface"s. */
    uint32_t n_interfaces;
    uint64_t n_packets;         /* Packets written, all files. */
    struct comment_entry *comments;     /* COMMENT_CACHE_SIZE entries. */
    struct ds scratch;
};

/* Writes out the whole buffer of 'w'.  Returns 0 or an errno value. */
static int
write_buffer(struct capture_writer *w)
{
    size_t done = 0;

    while (done < w->buffer_len) {
        ssize_t n = write(w->fd, w->buffer + done, w->buffer_len - done);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        done += n;
    }
    w->buffer_len = 0;
    return 0;
}

/* Makes room for 'size' contiguous bytes in the buffer of 'w', writing out
 * what it holds if needed.  Returns where they go, or NULL (with '*error'
 * set) if the write failed or 'size' exceeds the buffer (a record never
 * does: the snap length is at most a quarter of it). */
static uint8_t *
reserve(struct capture_writer *w, size_t size, int *error)
{
    if (w->buffer_len + size > WRITE_BUFFER_SIZE) {
        *error = write_buffer(w);
        if (*error) {
            return NULL;
        }
        if (size > WRITE_BUFFER_SIZE) {
            *error = EFBIG;
            return NULL;
        }
    }
    w->file_bytes += size;
    w->buffer_len += size;
    return w->buffer + w->buffer_len - size;
}

static int
put(struct capture_writer *w, const void *data, size_t size)
{
    int error = 0;
    uint8_t *p = reserve(w, size, &error);

    if (p && size) {
        memcpy(p, data, size);
    }
    return error;
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
    if (w->comments) {
        /* Their interface IDs were those of the file that ends. */
        memset(w->comments, 0, COMMENT_CACHE_SIZE * sizeof *w->comments);
    }
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
    w->buffer_len = 0;
    if (w->to_stdout) {
        w->fd = dup(STDOUT_FILENO);
    } else {
        next_file_name(w, now);
        /* Never through a symbolic link: whoever may write the directory
         * must not make the receiver overwrite another file. */
        w->fd = open(w->cur_name,
                     O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                     w->opts.file_mode ? w->opts.file_mode : 0640);
    }
    if (w->fd < 0) {
        return errno;
    }
    return (w->opts.format == CAPTURE_PCAP
            ? write_pcap_header(w) : write_pcapng_header(w));
}

static int
close_file(struct capture_writer *w)
{
    int error = 0;

    if (w->fd >= 0) {
        error = write_buffer(w);
        if (close(w->fd) && !error) {
            error = errno;
        }
        w->fd = -1;
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
    w->fd = -1;
    w->buffer = xmalloc(WRITE_BUFFER_SIZE);
    w->comments = xcalloc(COMMENT_CACHE_SIZE, sizeof *w->comments);
    hmap_init(&w->interfaces);
    ds_init(&w->scratch);
    error = start_file(w, time(NULL));
    if (error) {
        char *msg = (error == ELOOP && !w->to_stdout
                     ? xasprintf("%s: is a symbolic link: captures are "
                                 "not written through one", w->cur_name)
                     : xasprintf("%s: cannot write (%s)",
                                 w->to_stdout ? "standard output"
                                 : w->cur_name, ovs_strerror(error)));
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

/* Extracts the address and port of 'ss' into '*source' and returns a hash
 * of them with 'vni'. */
static uint32_t
comment_source_init(struct comment_source *source,
                    const struct sockaddr_storage *ss, uint32_t vni)
{
    memset(source, 0, sizeof *source);
    source->family = ss->ss_family;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) ss;

        memcpy(source->addr, &sin->sin_addr, 4);
        source->port = sin->sin_port;
        return hash_3words(vni, sin->sin_addr.s_addr, sin->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) ss;

        memcpy(source->addr, &sin6->sin6_addr, 16);
        source->port = sin6->sin6_port;
        return hash_bytes(source->addr, 16,
                          hash_2words(vni, sin6->sin6_port));
    }
    return hash_int(vni, 0);
}

/* Lays out in 'e' the options of a record for 'vni' from 'src' (its
 * comment and the end of options) and their interface ID.  Returns 0 or
 * an errno value. */
static int
fill_comment(struct capture_writer *w, struct comment_entry *e,
             uint32_t vni, const struct sockaddr_storage *src)
{
    int64_t id = pcapng_interface_id(w, vni);
    uint16_t header[2];
    size_t padded;

    if (id < 0) {
        return EIO;
    }
    ds_clear(&w->scratch);
    ds_put_format(&w->scratch, "vni %"PRIu32" from ", vni);
    frame_format_sockaddr(&w->scratch, src, true);
    if (w->scratch.length > COMMENT_MAX) {
        /* Cannot happen for an IPv4 or IPv6 source. */
        return EINVAL;
    }
    padded = ROUND_UP(w->scratch.length, 4);
    header[0] = PCAPNG_OPT_COMMENT;
    header[1] = w->scratch.length;
    memset(e->options, 0, sizeof e->options);
    memcpy(e->options, header, sizeof header);
    memcpy(e->options + 4, w->scratch.string, w->scratch.length);
    /* Then the end of options: a zero code and length, already there. */
    e->options_len = 4 + padded + 4;
    e->interface_id = id;
    e->vni = vni;
    e->valid = true;
    return 0;
}

static int
write_pcapng_record(struct capture_writer *w, const struct timespec *ts,
                    uint32_t vni, const struct sockaddr_storage *src,
                    const void *frame, uint32_t caplen, uint32_t len)
{
    uint64_t ns = (uint64_t) ts->tv_sec * 1000000000 + ts->tv_nsec;
    uint32_t padded = ROUND_UP(caplen, 4);
    struct comment_source source;
    struct comment_entry *e;
    uint32_t header[7], total;
    uint8_t *p;
    int error;

    e = &w->comments[comment_source_init(&source, src, vni)
                     & (COMMENT_CACHE_SIZE - 1)];
    if (!e->valid || e->vni != vni
        || memcmp(&e->source, &source, sizeof source)) {
        e->source = source;
        error = fill_comment(w, e, vni, src);
        if (error) {
            e->valid = false;
            return error;
        }
    }

    total = 28 + padded + e->options_len + 4;
    header[0] = PCAPNG_EPB_TYPE;
    header[1] = total;
    header[2] = e->interface_id;
    header[3] = ns >> 32;
    header[4] = ns;
    header[5] = caplen;
    header[6] = len;
    p = reserve(w, total, &error);
    if (!p) {
        return error;
    }
    memcpy(p, header, sizeof header);
    p += sizeof header;
    memcpy(p, frame, caplen);
    memset(p + caplen, 0, padded - caplen);
    p += padded;
    memcpy(p, e->options, e->options_len);
    p += e->options_len;
    memcpy(p, &total, sizeof total);
    return 0;
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
    return w->fd >= 0 ? write_buffer(w) : 0;
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
        free(w->comments);
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

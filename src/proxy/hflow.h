/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One direction of an HTTP exchange (client -> member, or member -> client):
 * bytes read from the source land in `in`; the head ballast rewrites goes to
 * `out`; body bytes are not copied but counted in `fwd` as they are found in
 * `in` (by length, or by the chunked decoder, which reads the framing and
 * leaves it in place), then sent after `out` in one sendmsg().
 *
 * A large length-delimited body between two plain TCP sockets is spliced
 * instead (`splice`): once `in` is empty, the rest of the body moves source ->
 * pipe -> destination without being copied to user space, never more than
 * `left` bytes (the next message on a keep-alive connection stays in the
 * socket), and no more is read while the pipe holds bytes (backpressure). The
 * pipe is borrowed from the worker's pool only while it holds bytes.
 */
#ifndef BL_PROXY_HFLOW_H
#define BL_PROXY_HFLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http/chunked.h"
#include "http/http1.h"
#include "net/tls.h"
#include "proxy/hbuf.h"

/* Where a flow is in its message. */
enum bl_body_st {
    BL_BODY_HEAD = 0, /* no head yet */
    BL_BODY_LENGTH,   /* `left` body bytes to come */
    BL_BODY_CHUNKED,  /* chunked body: the decoder finds its end */
    BL_BODY_CLOSE,    /* response body until the member closes */
    BL_BODY_TUNNEL,   /* opaque bytes after a protocol switch */
    BL_BODY_DONE,     /* message complete */
};

struct bl_worker;

/* Bodies longer than this go through a pipe when the flow may splice: one read fills `in`. */
#define BL_HFLOW_SPLICE_MIN BL_HBUF_SIZE
/* Bytes moved into the pipe at a time, so at most this much waits in the kernel for a
 * slow reader (a default pipe's worth; the L4 relay's pipes hold up to 256 KiB). */
#define BL_HFLOW_SPLICE_MAX 65536

struct bl_hflow {
    struct bl_hbuf in;  /* bytes read from the source */
    struct bl_hbuf out; /* head (or whole small request) for the destination */
    uint64_t left;      /* BL_BODY_LENGTH: body bytes not yet found in `in` */
    uint32_t fwd;       /* bytes at in.off that are body, to send after `out` */
    uint32_t parsed;    /* head bytes the parser saw last time (its `last_len`) */
    struct bl_http_chunked ck;
    int pipe[2];    /* splice: -1 while no bytes are in flight */
    uint32_t piped; /* splice: bytes in the pipe (at most BL_HFLOW_SPLICE_MAX), not yet sent */
    uint8_t st;     /* enum bl_body_st */
    bool eof;       /* the source sent FIN */
    bool shut;      /* FIN forwarded (tunnel) */
    /* Bits, so that a session is no larger than before splicing (idle memory). */
    uint8_t splice : 1; /* this body may be spliced (plain TCP both ways, long) */
    uint8_t full : 1;   /* the last read took all it asked for: the source likely has more */
};

#define BL_HFLOW_MAX_HEADERS 100 /* header lines in a head */

/* Parser limits of the proxy: heads leave room in a buffer for the headers ballast adds. */
extern const struct bl_http_limits bl_hflow_limits;

/* True while `f` has bytes for its destination. */
static inline bool bl_hflow_pending(const struct bl_hflow *f)
{
    return bl_hbuf_used(&f->out) > 0 || f->fwd > 0 || f->piped > 0;
}

/* True while `f` may read from its source: no EOF yet, and room in `in` (or,
 * splicing, an empty pipe). */
static inline bool bl_hflow_can_read(const struct bl_hflow *f)
{
    return !f->eof && f->piped == 0 && bl_hbuf_room(&f->in) > 0;
}

/* Reads what `fd` (through `tls` when not NULL) has into f->in, or splices
 * it into the pipe. Returns bytes read, 0 (nothing, or EOF now in f->eof) or
 * a negative errno. */
ssize_t bl_hflow_fill(struct bl_hflow *f, struct bl_worker *w, int fd, struct bl_tls_conn *tls);

/* Finds the body bytes in f->in that may be forwarded. Returns 0 or -EPROTO. */
int bl_hflow_scan(struct bl_hflow *f);

/* Sends f->out, then f->fwd bytes of f->in, then the pipe, to `fd` (through
 * `tls` when not NULL: one record per part). Returns bytes sent or -errno. */
ssize_t bl_hflow_flush(struct bl_hflow *f, struct bl_worker *w, int fd, struct bl_tls_conn *tls);

/* Gives the pipe back (closed when it still holds bytes: they are dropped); the rest
 * of the body, if read, goes to `in`. */
void bl_hflow_drop_pipe(struct bl_hflow *f, struct bl_worker *w);

/* A new flow: no pipe, waiting for a head. */
void bl_hflow_init(struct bl_hflow *f);

/* Forgets the message (not the buffers, nor eof): the next one starts with a
 * head. The pipe must be empty (bl_hflow_drop_pipe). */
void bl_hflow_reset(struct bl_hflow *f);

/* Sets how the message whose head was just taken ends. */
void bl_hflow_body(struct bl_hflow *f, enum bl_http_body body, int64_t length);

#endif

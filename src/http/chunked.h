/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Incremental decoder for the chunked transfer coding (RFC 9112 §7.1). Its
 * whole state is a struct the caller zero-fills and keeps beside the
 * connection; bytes may arrive in any split. Either report data spans
 * (bl_http_chunked_scan, for forwarding without copies) or decode in place
 * (bl_http_chunked_decode). Pure: no I/O, no allocation; any thread.
 */
#ifndef BL_HTTP_CHUNKED_H
#define BL_HTTP_CHUNKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http/http1.h"

/*
 * Zero-fill before the first call (that is the start state and the default
 * limits); fields with a leading underscore are private.
 */
struct bl_http_chunked {
    const struct bl_http_limits *limits; /* NULL = defaults; max_chunk_line_bytes bounds
                                            a size line, max_header_bytes and max_headers
                                            the trailer section; must outlive the decoder */
    uint64_t _size;                      /* size being read, then data bytes left in the chunk */
    size_t _line_bytes;                  /* bytes of the current chunk-size line, CRLF excluded */
    size_t _trailer_bytes;               /* bytes of the trailer section so far */
    size_t _trailers;                    /* trailer lines so far */
    unsigned _state;                     /* private enum in chunked.c; 0 = expecting a chunk size */
    enum bl_http_reason _why;            /* the first fault, repeated by later calls */
};

/*
 * Consumes framing from `buf[0..len)` up to and including the first run of
 * body data. Sets `*data`/`*data_len` to that run, which lies inside the
 * consumed bytes (`*data_len` = 0: they held framing only).
 *
 * Returns the bytes consumed, 0..len: fewer than `len` when it stopped after a
 * data run (call again with the rest) or at the end of the body (the rest is
 * the next message; bl_http_chunked_is_done() turns true). Never incomplete:
 * the state remembers a partial line. Returns BL_HTTP_ERROR with `*why` set on
 * bad framing, and again on every later call. Trailer fields are checked with
 * the header rules of http1.h, then dropped. `why` may be NULL.
 */
ssize_t bl_http_chunked_scan(struct bl_http_chunked *d, const char *buf, size_t len,
                             const char **data, size_t *data_len, enum bl_http_reason *why);

/*
 * Decodes `buf[0..*len)` in place: on return `buf[0..*len)` holds the body
 * bytes it carried. Returns BL_HTTP_INCOMPLETE when every byte was used and
 * the body goes on (call again with the next bytes); when the body ended, the
 * count of bytes that followed it, moved to start at `buf + *len` (pipelined
 * data); or BL_HTTP_ERROR with `*why` set (then `buf` holds no useful data).
 */
ssize_t bl_http_chunked_decode(struct bl_http_chunked *d, char *buf, size_t *len,
                               enum bl_http_reason *why);

/* True once the last chunk, the trailers and the final CRLF have been consumed. */
bool bl_http_chunked_is_done(const struct bl_http_chunked *d);

#endif

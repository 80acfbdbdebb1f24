/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Chunked transfer coding decoder: a byte-at-a-time state machine for the
 * framing (size lines, CRLFs, trailers) and bulk copies for the data. Because
 * the state carries everything, any split of the input gives the same result,
 * and each byte is looked at once. Framing faults are the smuggling surface
 * (a size that overflows, a bare LF that one hop takes as a line end and the
 * next does not), so the grammar is applied strictly.
 */
#include "http/chunked.h"

#include <string.h>

#include "http/chars.h"

enum state {
    ST_SIZE_FIRST = 0, /* first hex digit of a chunk size */
    ST_SIZE,           /* more hex digits, then ';', BWS or CR */
    ST_SIZE_WS,        /* BWS after the size: only ';' may follow it */
    ST_EXT,            /* chunk extensions, skipped up to CR */
    ST_SIZE_LF,        /* LF ending the size line */
    ST_DATA,           /* `_size` bytes of data left */
    ST_DATA_CR,        /* CR after the data */
    ST_DATA_LF,        /* LF after the data */
    ST_TRAILER_START,  /* a trailer line, or the CR of the final CRLF */
    ST_TRAILER_NAME,   /* field name, up to ':' */
    ST_TRAILER_VALUE,  /* field value, up to CR */
    ST_TRAILER_LF,     /* LF ending a trailer line */
    ST_END_LF,         /* LF of the final CRLF */
    ST_DONE,           /* body complete; the decoder consumes nothing more */
    ST_FAILED,         /* `_why` says why; every later call fails the same way */
};

/* Largest chunk size before the next hex digit would carry it past 2^63 - 1. */
#define SIZE_SHIFT_MAX ((uint64_t)INT64_MAX >> 4)

static int failed(struct bl_http_chunked *d, enum bl_http_reason r)
{
    d->_why = r;
    d->_state = ST_FAILED;
    return BL_HTTP_ERROR;
}

/* Byte `ch` is not allowed here. NUL and bare LF are named wherever they appear; a
 * CR where no line may end is a fault of the context (no lookahead is needed). */
static int bad(struct bl_http_chunked *d, unsigned char ch, enum bl_http_reason ctx)
{
    if (ch == '\0')
        return failed(d, BL_HTTP_REASON_NUL);
    if (ch == '\n')
        return failed(d, BL_HTTP_REASON_BARE_LF);
    return failed(d, ctx);
}

/* A byte of the size line that is not its CRLF: bounded, since extensions are
 * skipped unread and would otherwise let a peer stream framing forever. */
static int count_line_byte(struct bl_http_chunked *d, const struct bl_http_limits *L)
{
    if (++d->_line_bytes > L->max_chunk_line_bytes)
        return failed(d, BL_HTTP_REASON_CHUNK_LINE_TOO_LONG);
    return 0;
}

static int size_byte(struct bl_http_chunked *d, const struct bl_http_limits *L, unsigned char ch)
{
    if (is_hex(ch) && (d->_state == ST_SIZE_FIRST || d->_state == ST_SIZE)) {
        if (d->_size > SIZE_SHIFT_MAX)
            return bad(d, ch, BL_HTTP_REASON_CHUNK_SIZE);
        d->_size = d->_size * 16 + hex_val(ch);
        d->_state = ST_SIZE;
    } else if (d->_state == ST_SIZE_FIRST) {
        return bad(d, ch, BL_HTTP_REASON_CHUNK_SIZE);
    } else if (ch == '\r' && d->_state != ST_SIZE_WS) {
        d->_state = ST_SIZE_LF;
        return 0;
    } else if (ch == ';' && d->_state != ST_EXT) {
        d->_state = ST_EXT;
    } else if (is_ws(ch) && d->_state == ST_SIZE) {
        d->_state = ST_SIZE_WS;
    } else if (!(d->_state == ST_EXT ? is_field_char(ch) : is_ws(ch))) {
        return bad(d, ch, BL_HTTP_REASON_CHUNK_SIZE);
    }
    return count_line_byte(d, L);
}

/* Trailer lines follow the header-line rules of http1.c, byte by byte. */
static int trailer_byte(struct bl_http_chunked *d, const struct bl_http_limits *L, unsigned char ch)
{
    switch (d->_state) {
    case ST_TRAILER_START:
        if (ch == '\r') {
            d->_state = ST_END_LF;
            return 0;
        }
        if (is_ws(ch))
            return bad(d, ch, BL_HTTP_REASON_OBS_FOLD);
        if (!is_tchar(ch))
            return bad(d, ch, BL_HTTP_REASON_HEADER_NAME);
        if (d->_trailers == L->max_headers)
            return bad(d, ch, BL_HTTP_REASON_TOO_MANY_HEADERS);
        d->_trailers++;
        d->_state = ST_TRAILER_NAME;
        return 0;
    case ST_TRAILER_NAME:
        if (ch == ':')
            d->_state = ST_TRAILER_VALUE;
        else if (is_ws(ch))
            return bad(d, ch, BL_HTTP_REASON_SPACE_BEFORE_COLON);
        else if (!is_tchar(ch))
            return bad(d, ch, BL_HTTP_REASON_HEADER_NAME);
        return 0;
    default: /* ST_TRAILER_VALUE */
        if (ch == '\r')
            d->_state = ST_TRAILER_LF;
        else if (!is_field_char(ch))
            return bad(d, ch, BL_HTTP_REASON_HEADER_VALUE);
        return 0;
    }
}

/* The LF half of a CRLF: anything else makes the CR a bare one. */
static int lf_byte(struct bl_http_chunked *d, unsigned char ch, enum state next)
{
    if (ch != '\n')
        return failed(d, BL_HTTP_REASON_BARE_CR);
    d->_state = next;
    return 0;
}

/* Advances over one framing byte (any state but ST_DATA, ST_DONE, ST_FAILED). */
static int step(struct bl_http_chunked *d, const struct bl_http_limits *L, unsigned char ch)
{
    /* The trailer states come last in the enum; the whole section is bounded. */
    if (d->_state >= ST_TRAILER_START && ++d->_trailer_bytes > L->max_header_bytes)
        return failed(d, BL_HTTP_REASON_HEADERS_TOO_LARGE);
    switch (d->_state) {
    case ST_SIZE_FIRST:
    case ST_SIZE:
    case ST_SIZE_WS:
    case ST_EXT:
        return size_byte(d, L, ch);
    case ST_SIZE_LF:
        d->_line_bytes = 0;
        return lf_byte(d, ch, d->_size == 0 ? ST_TRAILER_START : ST_DATA);
    case ST_DATA_CR:
        if (ch != '\r')
            return bad(d, ch, BL_HTTP_REASON_CHUNK_DATA);
        d->_state = ST_DATA_LF;
        return 0;
    case ST_DATA_LF:
        return lf_byte(d, ch, ST_SIZE_FIRST);
    case ST_TRAILER_LF:
        return lf_byte(d, ch, ST_TRAILER_START);
    case ST_END_LF:
        return lf_byte(d, ch, ST_DONE);
    default:
        return trailer_byte(d, L, ch);
    }
}

ssize_t bl_http_chunked_scan(struct bl_http_chunked *d, const char *buf, size_t len,
                             const char **data, size_t *data_len, enum bl_http_reason *why)
{
    struct bl_http_limits L = bl_http_limits_resolve(d->limits);
    enum bl_http_reason ignored;
    size_t i = 0;

    if (why == NULL)
        why = &ignored;
    *why = BL_HTTP_REASON_NONE;
    *data = buf;
    *data_len = 0;
    while (i < len && d->_state != ST_DONE) {
        if (d->_state == ST_FAILED) {
            *why = d->_why;
            return BL_HTTP_ERROR;
        }
        if (d->_state == ST_DATA) {
            size_t n = len - i < d->_size ? len - i : (size_t)d->_size;
            *data = buf + i;
            *data_len = n;
            d->_size -= n;
            if (d->_size == 0)
                d->_state = ST_DATA_CR;
            return (ssize_t)(i + n);
        }
        if (step(d, &L, (unsigned char)buf[i]) != 0) {
            *why = d->_why;
            return BL_HTTP_ERROR;
        }
        i++;
    }
    if (d->_state == ST_FAILED) {
        *why = d->_why;
        return BL_HTTP_ERROR;
    }
    return (ssize_t)i;
}

ssize_t bl_http_chunked_decode(struct bl_http_chunked *d, char *buf, size_t *len,
                               enum bl_http_reason *why)
{
    size_t in = 0, out = 0;

    for (;;) {
        const char *data;
        size_t n;
        ssize_t r = bl_http_chunked_scan(d, buf + in, *len - in, &data, &n, why);
        if (r < 0)
            return r;
        memmove(buf + out, data, n);
        out += n;
        in += (size_t)r;
        if (bl_http_chunked_is_done(d)) {
            size_t rest = *len - in;
            memmove(buf + out, buf + in, rest);
            *len = out;
            return (ssize_t)rest;
        }
        if (in == *len) {
            *len = out;
            return BL_HTTP_INCOMPLETE;
        }
    }
}

bool bl_http_chunked_is_done(const struct bl_http_chunked *d)
{
    return d->_state == ST_DONE;
}

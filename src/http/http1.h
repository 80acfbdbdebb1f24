/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.x message heads (RFC 9112), parsed in the picohttpparser shape: the
 * caller owns the buffer and an array of header slices, the parser keeps no
 * state, never allocates, never logs, and answers "consumed", "incomplete" or
 * "error + reason". Strict where framing is at stake (request smuggling). Pure:
 * any thread. Used by the REST API server and the L7 proxy.
 */
#ifndef BL_HTTP_HTTP1_H
#define BL_HTTP_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BL_HTTP_ERROR (-1)      /* malformed or over a limit; see the reason */
#define BL_HTTP_INCOMPLETE (-2) /* no verdict yet: call again with more bytes */

/* Why a message was refused. bl_http_reason_status() gives the status to answer. */
enum bl_http_reason {
    BL_HTTP_REASON_NONE = 0,            /* no error */
    BL_HTTP_REASON_SYNTAX,              /* 400: malformed request line or status line */
    BL_HTTP_REASON_METHOD,              /* 400: empty method or a non-token byte in it */
    BL_HTTP_REASON_TARGET,              /* 400: bad byte, bad %-escape or bad form of target */
    BL_HTTP_REASON_VERSION,             /* 505: well formed, but not HTTP/1.0 or HTTP/1.1 */
    BL_HTTP_REASON_LINE_TOO_LONG,       /* 414: request line over max_line_bytes */
    BL_HTTP_REASON_HEADERS_TOO_LARGE,   /* 431: head (or trailer section) over max_header_bytes */
    BL_HTTP_REASON_TOO_MANY_HEADERS,    /* 431: more header (or trailer) lines than allowed */
    BL_HTTP_REASON_HEADER_NAME,         /* 400: empty header name or a non-token byte in it */
    BL_HTTP_REASON_SPACE_BEFORE_COLON,  /* 400: "Name : value" (RFC 9112 §5.1 MUST reject) */
    BL_HTTP_REASON_HEADER_VALUE,        /* 400: control byte (other than HTAB) in a value */
    BL_HTTP_REASON_OBS_FOLD,            /* 400: line folding (a line starting with SP/HTAB) */
    BL_HTTP_REASON_BARE_CR,             /* 400: CR not followed by LF */
    BL_HTTP_REASON_BARE_LF,             /* 400: LF not preceded by CR */
    BL_HTTP_REASON_NUL,                 /* 400: NUL byte */
    BL_HTTP_REASON_CONTENT_LENGTH,      /* 400: bad Content-Length, or differing duplicates */
    BL_HTTP_REASON_CL_AND_TE,           /* 400: both Content-Length and Transfer-Encoding */
    BL_HTTP_REASON_TRANSFER_ENCODING,   /* 400: TE not ending in chunked, chunked twice, in 1.0 */
    BL_HTTP_REASON_TE_UNSUPPORTED,      /* 501: a transfer-coding other than chunked */
    BL_HTTP_REASON_HOST,                /* 400: Host missing (1.1), repeated or malformed */
    BL_HTTP_REASON_STATUS,              /* 400: status code not three digits in 100..599 */
    BL_HTTP_REASON_CHUNK_SIZE,          /* 400: bad chunk-size line, or size >= 2^63 */
    BL_HTTP_REASON_CHUNK_LINE_TOO_LONG, /* 400: chunk-size line over max_chunk_line_bytes */
    BL_HTTP_REASON_CHUNK_DATA,          /* 400: chunk data not followed by CRLF */
};

/* How the body after a head is delimited. */
enum bl_http_body {
    BL_HTTP_BODY_NONE = 0, /* no body: the next message starts right after the head */
    BL_HTTP_BODY_LENGTH,   /* exactly content_length bytes */
    BL_HTTP_BODY_CHUNKED,  /* chunked coding: see http/chunked.h */
    BL_HTTP_BODY_CLOSE,    /* response only: everything until the server closes */
    BL_HTTP_BODY_TUNNEL,   /* response only (101, 2xx to CONNECT): opaque bytes both ways */
};

/* Size limits. Zero fields (and a NULL pointer) mean the defaults in brackets. */
struct bl_http_limits {
    size_t max_line_bytes;       /* request/status line with its CRLF and any empty lines
                                    before it [8 KiB]; over it: 414 */
    size_t max_header_bytes;     /* whole head: start line, header lines, final CRLF [32 KiB];
                                    also the trailer section; over it: 431 */
    size_t max_headers;          /* header lines, and trailer lines [100]; over it: 431 */
    size_t max_chunk_line_bytes; /* chunk-size line with extensions, without CRLF [4 KiB] */
};

/* One header line; both slices point into the caller's buffer. */
struct bl_http_header {
    const char *name; /* a token, case as sent; never empty */
    size_t name_len;
    const char *value; /* without leading and trailing SP/HTAB; may be empty */
    size_t value_len;
};

/* A parsed request head. Set `headers` and `headers_cap`; the parser fills the rest. */
struct bl_http_req {
    struct bl_http_header *headers; /* in: the caller's array for header slices */
    size_t headers_cap;             /* in: its length; more header lines than this: 431 */
    const char *method;             /* a token, case-sensitive ("GET") */
    size_t method_len;
    const char *target; /* origin-form "/p?q", absolute-form, authority-form (CONNECT)
                           or "*" (OPTIONS); validated, not decoded */
    size_t target_len;
    const char *host; /* Host value; NULL when absent (allowed in HTTP/1.0 only) */
    size_t host_len;
    int minor_version;      /* 0 or 1 (HTTP/1.0, HTTP/1.1) */
    size_t num_headers;     /* header lines stored in `headers` */
    int64_t content_length; /* -1 = no Content-Length; else >= 0 */
    enum bl_http_body body; /* NONE, LENGTH or CHUNKED */
    bool is_chunked;        /* body == BL_HTTP_BODY_CHUNKED */
    bool keep_alive;        /* another request may follow (version default + Connection) */
    bool expect_continue;   /* HTTP/1.1 "Expect: 100-continue" */
    bool is_upgrade;        /* HTTP/1.1 "Connection: upgrade" plus an Upgrade header */
};

/* A parsed response head. Set `headers` and `headers_cap`; the parser fills the rest. */
struct bl_http_resp {
    struct bl_http_header *headers; /* in: the caller's array for header slices */
    size_t headers_cap;             /* in: its length; more header lines than this: error */
    int minor_version;              /* 0 or 1 */
    int status;                     /* 100..599 */
    const char *reason;             /* reason phrase, may be empty */
    size_t reason_len;
    size_t num_headers;     /* header lines stored in `headers` */
    int64_t content_length; /* -1 = no Content-Length; else >= 0 (kept even when the
                               status or the request method rules out a body) */
    enum bl_http_body body; /* any of the five */
    bool is_chunked;        /* body == BL_HTTP_BODY_CHUNKED */
    bool keep_alive;        /* the connection may carry another exchange */
};

/* What the response answers; it changes how the body is delimited (RFC 9112 §6.3). */
#define BL_HTTP_RESP_F_HEAD (1u << 0)    /* answer to HEAD: never a body */
#define BL_HTTP_RESP_F_CONNECT (1u << 1) /* answer to CONNECT: 2xx turns into a tunnel */

/*
 * Parses one request head from `buf[0..len)`.
 *
 * Returns the head's length in bytes (the body or the next request starts
 * there), BL_HTTP_INCOMPLETE when `buf` holds a valid beginning of a head, or
 * BL_HTTP_ERROR with `*why` set (answer bl_http_reason_status(*why) and close).
 * `*why` is BL_HTTP_REASON_NONE otherwise; `why` may be NULL. The fields of
 * `req` are meaningful only on success, and point into `buf`.
 *
 * The verdict depends only on the bytes, never on how they arrived: a prefix
 * of a message gives BL_HTTP_INCOMPLETE or the whole message's verdict.
 * `last_len` is 0, or the `len` of the previous call on the same message, which
 * returned BL_HTTP_INCOMPLETE: the parser then re-parses only when a line may
 * have ended or a limit is crossed, so that a head trickling in byte by byte
 * costs O(lines * len), not O(len^2). With it, an error inside a line that has
 * not ended yet shows up when the line ends or a limit is reached.
 *
 * Choices where RFC 9112 leaves room: bare LF is not a line end (400); empty
 * lines before the request line are skipped; identical Content-Length values
 * (repeated lines or "5, 5") are merged, differing ones refused; Transfer-Encoding
 * must be exactly chunked (400 when not last, 501 with other codings) and is
 * refused in HTTP/1.0; HTTP/1.x with x > 1 gets 505.
 */
ssize_t bl_http1_parse_request(const char *buf, size_t len, size_t last_len,
                               const struct bl_http_limits *lim, struct bl_http_req *req,
                               enum bl_http_reason *why);

/*
 * Parses one response head from `buf[0..len)`; same return values, `last_len`
 * and limits as bl_http1_parse_request() (max_line_bytes bounds the status line).
 * `req_flags` (BL_HTTP_RESP_F_*) says what the request was. A 1xx other than 101
 * is a head of its own: parse the real response after it. Whatever the reason,
 * a proxy answers a bad response with 502. A status line without reason phrase
 * ("HTTP/1.1 200\r\n") is accepted; Transfer-Encoding that does not end in
 * chunked means the body runs until close; other codings before chunked pass.
 */
ssize_t bl_http1_parse_response(const char *buf, size_t len, size_t last_len,
                                const struct bl_http_limits *lim, unsigned req_flags,
                                struct bl_http_resp *resp, enum bl_http_reason *why);

/* The limits in force: `lim` with each zero field replaced by its default. */
struct bl_http_limits bl_http_limits_resolve(const struct bl_http_limits *lim);

/* Status code to answer a request refused with `r` (400, 414, 431, 501 or 505; 0 for NONE). */
int bl_http_reason_status(enum bl_http_reason r);

/* Short stable name for logs, e.g. "bare_cr". Never NULL. */
const char *bl_http_reason_name(enum bl_http_reason r);

/* True when `h` is named `lname` (lowercase), compared ignoring ASCII case. */
bool bl_http_header_is(const struct bl_http_header *h, const char *lname);

#endif

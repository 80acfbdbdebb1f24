/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for src/http/: the request parser, the response parser
 * and the chunked decoder over the same bytes. Beyond "no crash, no
 * over-read" it checks the contracts: consumed <= len, slices inside the
 * head, a reason exactly on error, and that a parse split at a point taken
 * from the input (with and without the `last_len` hint) gives the one-shot
 * verdict. The first input byte picks the split point, limits and flags.
 * `make fuzz` builds it with clang; `make unit` replays the corpus.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/chunked.h"
#include "http/http1.h"

#define HDR_CAP 16 /* small on purpose: the array bound is a limit too */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
    if (!cond)
        __builtin_trap();
}

/* A copy of s[0..n) in its own allocation, so ASan catches a read past n. */
static char *dup_exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);

    check(p != NULL);
    if (n)
        memcpy(p, s, n);
    return p;
}

static bool slice_in(const char *p, size_t n, const char *buf, ssize_t rc)
{
    return p >= buf && p + n <= buf + rc;
}

static bool same_slice(const char *a, size_t an, const char *abuf, const char *b, size_t bn,
                       const char *bbuf)
{
    return an == bn && a - abuf == b - bbuf;
}

static bool same_headers(const struct bl_http_header *a, const char *abuf,
                         const struct bl_http_header *b, const char *bbuf, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!same_slice(a[i].name, a[i].name_len, abuf, b[i].name, b[i].name_len, bbuf) ||
            !same_slice(a[i].value, a[i].value_len, abuf, b[i].value, b[i].value_len, bbuf))
            return false;
    return true;
}

/* ---- requests ---- */

struct req_out {
    ssize_t rc;
    enum bl_http_reason why;
    struct bl_http_header h[HDR_CAP];
    struct bl_http_req r;
    const char *buf;
};

static void parse_req(const char *buf, size_t n, size_t last_len, const struct bl_http_limits *lim,
                      struct req_out *o)
{
    o->r = (struct bl_http_req){.headers = o->h, .headers_cap = HDR_CAP};
    o->buf = buf;
    o->rc = bl_http1_parse_request(buf, n, last_len, lim, &o->r, &o->why);
}

static bool same_req(const struct req_out *a, const struct req_out *b)
{
    const struct bl_http_req *x = &a->r, *y = &b->r;

    if (a->rc != b->rc || a->why != b->why)
        return false;
    if (a->rc < 0)
        return true;
    return same_slice(x->method, x->method_len, a->buf, y->method, y->method_len, b->buf) &&
           same_slice(x->target, x->target_len, a->buf, y->target, y->target_len, b->buf) &&
           (x->host == NULL) == (y->host == NULL) &&
           (x->host == NULL ||
            same_slice(x->host, x->host_len, a->buf, y->host, y->host_len, b->buf)) &&
           x->minor_version == y->minor_version && x->num_headers == y->num_headers &&
           x->content_length == y->content_length && x->body == y->body &&
           x->keep_alive == y->keep_alive && x->expect_continue == y->expect_continue &&
           x->is_upgrade == y->is_upgrade &&
           same_headers(x->headers, a->buf, y->headers, b->buf, x->num_headers);
}

static void req_invariants(const struct req_out *o, size_t n)
{
    const struct bl_http_req *r = &o->r;

    if (o->rc == BL_HTTP_ERROR) {
        int st = bl_http_reason_status(o->why);
        check(o->why != BL_HTTP_REASON_NONE &&
              (st == 400 || st == 414 || st == 431 || st == 501 || st == 505));
        return;
    }
    check(o->why == BL_HTTP_REASON_NONE);
    if (o->rc == BL_HTTP_INCOMPLETE)
        return;
    check(o->rc > 0 && (size_t)o->rc <= n);
    check(slice_in(r->method, r->method_len, o->buf, o->rc) && r->method_len > 0);
    check(slice_in(r->target, r->target_len, o->buf, o->rc) && r->target_len > 0);
    check(r->num_headers <= HDR_CAP && (r->minor_version == 0 || r->minor_version == 1));
    for (size_t i = 0; i < r->num_headers; i++)
        check(slice_in(r->headers[i].name, r->headers[i].name_len, o->buf, o->rc) &&
              slice_in(r->headers[i].value, r->headers[i].value_len, o->buf, o->rc) &&
              r->headers[i].name_len > 0);
    check(r->content_length >= -1 && r->is_chunked == (r->body == BL_HTTP_BODY_CHUNKED));
    check(r->body != BL_HTTP_BODY_CLOSE && r->body != BL_HTTP_BODY_TUNNEL);
    check((r->body == BL_HTTP_BODY_LENGTH) == (r->content_length >= 0));
    check(r->minor_version == 0 || r->host != NULL); /* Host is required in 1.1 */
}

/* With the hint, an error inside an unfinished line may stay hidden until the line ends. */
static bool hinted_ok(const struct req_out *got, const struct req_out *full, const char *s,
                      size_t n)
{
    if (same_req(got, full))
        return true;
    return got->rc == BL_HTTP_INCOMPLETE && full->rc == BL_HTTP_ERROR && s[n - 1] != '\n';
}

static void check_request(const char *s, size_t n, size_t k, const struct bl_http_limits *lim)
{
    static struct req_out full, part, next;
    char *pbuf = dup_exact(s, k);

    parse_req(s, n, 0, lim, &full);
    req_invariants(&full, n);
    parse_req(pbuf, k, 0, lim, &part);
    req_invariants(&part, k);
    check(part.rc == BL_HTTP_INCOMPLETE || same_req(&part, &full));
    if (part.rc == BL_HTTP_INCOMPLETE && n > 0) {
        parse_req(s, n, k, lim, &next);
        check(hinted_ok(&next, &full, s, n));
    }
    free(pbuf);
    if (full.rc > 0) {
        /* The head alone, in an exact allocation, parses the same. */
        char *head = dup_exact(s, (size_t)full.rc);
        parse_req(head, (size_t)full.rc, 0, lim, &part);
        check(same_req(&part, &full));
        free(head);
    }
}

/* ---- responses ---- */

struct resp_out {
    ssize_t rc;
    enum bl_http_reason why;
    struct bl_http_header h[HDR_CAP];
    struct bl_http_resp r;
    const char *buf;
};

static void parse_resp(const char *buf, size_t n, size_t last_len, const struct bl_http_limits *lim,
                       unsigned flags, struct resp_out *o)
{
    o->r = (struct bl_http_resp){.headers = o->h, .headers_cap = HDR_CAP};
    o->buf = buf;
    o->rc = bl_http1_parse_response(buf, n, last_len, lim, flags, &o->r, &o->why);
}

static bool same_resp(const struct resp_out *a, const struct resp_out *b)
{
    const struct bl_http_resp *x = &a->r, *y = &b->r;

    if (a->rc != b->rc || a->why != b->why)
        return false;
    if (a->rc < 0)
        return true;
    return x->status == y->status && x->minor_version == y->minor_version &&
           same_slice(x->reason, x->reason_len, a->buf, y->reason, y->reason_len, b->buf) &&
           x->num_headers == y->num_headers && x->content_length == y->content_length &&
           x->body == y->body && x->keep_alive == y->keep_alive &&
           same_headers(x->headers, a->buf, y->headers, b->buf, x->num_headers);
}

static void resp_invariants(const struct resp_out *o, size_t n)
{
    const struct bl_http_resp *r = &o->r;

    check((o->rc == BL_HTTP_ERROR) == (o->why != BL_HTTP_REASON_NONE));
    if (o->rc < 0)
        return;
    check((size_t)o->rc <= n && r->status >= 100 && r->status <= 599);
    check(slice_in(r->reason, r->reason_len, o->buf, o->rc) && r->num_headers <= HDR_CAP);
    check(r->is_chunked == (r->body == BL_HTTP_BODY_CHUNKED));
    check(!(r->keep_alive && (r->body == BL_HTTP_BODY_CLOSE || r->body == BL_HTTP_BODY_TUNNEL)));
    check(r->body != BL_HTTP_BODY_LENGTH || r->content_length >= 0);
}

static void check_response(const char *s, size_t n, size_t k, const struct bl_http_limits *lim,
                           unsigned flags)
{
    static struct resp_out full, part, next;
    char *pbuf = dup_exact(s, k);

    parse_resp(s, n, 0, lim, flags, &full);
    resp_invariants(&full, n);
    parse_resp(pbuf, k, 0, lim, flags, &part);
    resp_invariants(&part, k);
    check(part.rc == BL_HTTP_INCOMPLETE || same_resp(&part, &full));
    if (part.rc == BL_HTTP_INCOMPLETE && n > 0) {
        parse_resp(s, n, k, lim, flags, &next);
        check(same_resp(&next, &full) ||
              (next.rc == BL_HTTP_INCOMPLETE && full.rc == BL_HTTP_ERROR && s[n - 1] != '\n'));
    }
    free(pbuf);
}

/* ---- chunked ---- */

struct body_out {
    char *body;
    size_t body_len;
    ssize_t verdict; /* BL_HTTP_INCOMPLETE, BL_HTTP_ERROR, or 0 = done */
    enum bl_http_reason why;
    size_t consumed; /* input bytes used when done */
};

/* Feeds s[0..n) to `d` through scan, in an exact allocation. */
static void feed(struct bl_http_chunked *d, const char *s, size_t n, size_t base,
                 struct body_out *o)
{
    char *buf = dup_exact(s, n);
    size_t off = 0;

    while (o->verdict == BL_HTTP_INCOMPLETE && off < n) {
        const char *data;
        size_t dlen;
        ssize_t r = bl_http_chunked_scan(d, buf + off, n - off, &data, &dlen, &o->why);
        if (r < 0) {
            check(r == BL_HTTP_ERROR && o->why != BL_HTTP_REASON_NONE);
            o->verdict = r;
            break;
        }
        check((size_t)r <= n - off && data >= buf + off && data + dlen <= buf + off + r);
        check(r > 0 || bl_http_chunked_is_done(d));
        memcpy(o->body + o->body_len, data, dlen);
        o->body_len += dlen;
        off += (size_t)r;
        if (bl_http_chunked_is_done(d)) {
            o->verdict = 0;
            o->consumed = base + off;
        }
    }
    free(buf);
}

static void decode_split(const char *s, size_t n, size_t k, const struct bl_http_limits *lim,
                         struct body_out *o)
{
    struct bl_http_chunked d = {.limits = lim};

    o->body_len = 0;
    o->verdict = BL_HTTP_INCOMPLETE;
    o->why = BL_HTTP_REASON_NONE;
    o->consumed = 0;
    feed(&d, s, k, 0, o);
    feed(&d, s + k, n - k, k, o);
}

static void check_chunked(const char *s, size_t n, size_t k, const struct bl_http_limits *lim)
{
    struct body_out one = {.body = malloc(n + 1)}, two = {.body = malloc(n + 1)};
    struct bl_http_chunked d = {.limits = lim};
    char *buf = dup_exact(s, n);
    size_t len = n;
    ssize_t r;

    decode_split(s, n, n, lim, &one);
    decode_split(s, n, k, lim, &two);
    check(one.verdict == two.verdict && one.why == two.why);
    if (one.verdict != BL_HTTP_ERROR)
        check(one.body_len == two.body_len && memcmp(one.body, two.body, one.body_len) == 0 &&
              one.consumed == two.consumed);
    /* In place gives the same body, and the bytes after it. */
    r = bl_http_chunked_decode(&d, buf, &len, NULL);
    check(r == one.verdict || (r >= 0 && one.verdict == 0));
    if (r != BL_HTTP_ERROR)
        check(len == one.body_len && memcmp(buf, one.body, len) == 0);
    if (r >= 0)
        check((size_t)r == n - one.consumed && memcmp(buf + len, s + one.consumed, (size_t)r) == 0);
    free(buf);
    free(one.body);
    free(two.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct bl_http_limits small = {.max_line_bytes = 40,
                                                .max_header_bytes = 120,
                                                .max_headers = 4,
                                                .max_chunk_line_bytes = 12};
    const struct bl_http_limits *lim;
    const char *s = (const char *)data + 1;
    size_t n, k;

    if (size < 2)
        return 0;
    n = size - 1;
    k = (size_t)(data[0] * 131u) % (n + 1); /* spread the split over the input */
    lim = (data[0] & 1) ? &small : NULL;
    check_request(s, n, k, lim);
    check_response(s, n, k, lim, (data[0] >> 1) & 3);
    check_chunked(s, n, k, lim);
    return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/http/chunked.c: decoding, extensions, trailers, the
 * bytes after the body, every framing fault with its reason, and for each
 * input the split property: fed in two pieces cut at every byte (and one byte
 * at a time), both entry points give the one-shot result. Each piece sits
 * against a PROT_NONE page (guard.h) so any over-read crashes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "guard.h"
#include "http/chunked.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1 /* a literal as (pointer, length), NULs included */

/* The whole result of decoding an input: body, verdict, what followed. */
struct out {
    char body[8192];
    size_t body_len;
    ssize_t verdict; /* BL_HTTP_INCOMPLETE, BL_HTTP_ERROR, or 0 = done */
    enum bl_http_reason why;
    char rest[1024]; /* the bytes after the body */
    size_t rest_len;
};

static void append(char *dst, size_t *len, size_t cap, const char *src, size_t n)
{
    if (*len + n > cap)
        abort();
    memcpy(dst + *len, src, n);
    *len += n;
}

static void out_init(struct out *o)
{
    memset(o, 0, sizeof(*o));
    o->verdict = BL_HTTP_INCOMPLETE;
}

/* Feeds one piece through bl_http_chunked_scan; `after` = input bytes in later pieces. */
static void feed_scan(struct bl_http_chunked *d, const char *s, size_t n, const char *after,
                      size_t after_len, struct out *o, const struct bl_http_limits *lim)
{
    const char *buf = guard_place(s, n);
    size_t off = 0;

    d->limits = lim;
    while (o->verdict == BL_HTTP_INCOMPLETE && off < n) {
        const char *data;
        size_t dlen;
        ssize_t r = bl_http_chunked_scan(d, buf + off, n - off, &data, &dlen, &o->why);
        if (r < 0) {
            o->verdict = r;
            return;
        }
        if (data < buf + off || data + dlen > buf + off + (size_t)r)
            abort(); /* the span must lie inside the consumed bytes */
        append(o->body, &o->body_len, sizeof(o->body), data, dlen);
        off += (size_t)r;
        if (bl_http_chunked_is_done(d)) {
            o->verdict = 0;
            append(o->rest, &o->rest_len, sizeof(o->rest), buf + off, n - off);
            append(o->rest, &o->rest_len, sizeof(o->rest), after, after_len);
        }
    }
}

/* Feeds one piece through bl_http_chunked_decode, in place at the guard page. */
static void feed_decode(struct bl_http_chunked *d, const char *s, size_t n, const char *after,
                        size_t after_len, struct out *o, const struct bl_http_limits *lim)
{
    char *buf = guard_place(s, n);
    size_t len = n;
    ssize_t r;

    if (o->verdict != BL_HTTP_INCOMPLETE)
        return;
    d->limits = lim;
    r = bl_http_chunked_decode(d, buf, &len, &o->why);
    if (r == BL_HTTP_ERROR) {
        o->verdict = r;
        return;
    }
    append(o->body, &o->body_len, sizeof(o->body), buf, len);
    if (r >= 0) {
        o->verdict = 0;
        append(o->rest, &o->rest_len, sizeof(o->rest), buf + len, (size_t)r);
        append(o->rest, &o->rest_len, sizeof(o->rest), after, after_len);
    }
}

typedef void feed_fn(struct bl_http_chunked *d, const char *s, size_t n, const char *after,
                     size_t after_len, struct out *o, const struct bl_http_limits *lim);

/* Decodes s[0..n) cut at `cut` (n = no cut) with `feed`. */
static void decode2(feed_fn *feed, const char *s, size_t n, size_t cut,
                    const struct bl_http_limits *lim, struct out *o)
{
    struct bl_http_chunked d = {0};

    out_init(o);
    feed(&d, s, cut, s + cut, n - cut, o, lim);
    feed(&d, s + cut, n - cut, "", 0, o, lim);
}

/* Decodes s[0..n) in one piece. */
static void decode1(feed_fn *feed, const char *s, size_t n, const struct bl_http_limits *lim,
                    struct out *o)
{
    decode2(feed, s, n, n, lim, o);
}

/* Decodes s[0..n) one byte at a time. */
static void decode_bytes(feed_fn *feed, const char *s, size_t n, const struct bl_http_limits *lim,
                         struct out *o)
{
    struct bl_http_chunked d = {0};

    out_init(o);
    for (size_t i = 0; i < n; i++)
        feed(&d, s + i, 1, s + i + 1, n - i - 1, o, lim);
}

/* Equal results; after an error only the reason counts (decode leaves no body then). */
static bool same(const struct out *a, const struct out *b)
{
    if (a->verdict == BL_HTTP_ERROR || b->verdict == BL_HTTP_ERROR)
        return a->verdict == b->verdict && a->why == b->why;
    return a->verdict == b->verdict && a->why == b->why && a->body_len == b->body_len &&
           memcmp(a->body, b->body, a->body_len) == 0 && a->rest_len == b->rest_len &&
           memcmp(a->rest, b->rest, a->rest_len) == 0;
}

/* One test point: both entry points, every cut and byte by byte, agree with one shot. */
static void check_splits(const char *name, const char *s, size_t n,
                         const struct bl_http_limits *lim, const struct out *want)
{
    static struct out got;
    feed_fn *feeds[] = {feed_scan, feed_decode};
    bool good = true;

    for (size_t f = 0; f < 2 && good; f++) {
        for (size_t cut = 0; cut <= n && good; cut++) {
            decode2(feeds[f], s, n, cut, lim, &got);
            good = same(&got, want);
            if (!good)
                diag("%s: cut at %zu differs", f ? "decode" : "scan", cut);
        }
        decode_bytes(feeds[f], s, n, lim, &got);
        if (good && !same(&got, want)) {
            good = false;
            diag("%s: byte by byte differs", f ? "decode" : "scan");
        }
    }
    ok(good, "%s: every split gives the one-shot result", name);
}

static void expect_body(const char *name, const char *s, size_t n, const char *body,
                        size_t body_len, const char *rest)
{
    struct out o;

    decode1(feed_decode, s, n, NULL, &o);
    if (!ok(o.verdict == 0 && o.body_len == body_len && memcmp(o.body, body, body_len) == 0 &&
                o.rest_len == strlen(rest) && memcmp(o.rest, rest, o.rest_len) == 0,
            "%s", name))
        diag("verdict %zd (%s), body %zu bytes, rest %zu bytes", o.verdict,
             bl_http_reason_name(o.why), o.body_len, o.rest_len);
    check_splits(name, s, n, NULL, &o);
}

static void test_valid(void)
{
    expect_body("one chunk", S("5\r\nhello\r\n0\r\n\r\n"), S("hello"), "");
    expect_body("several chunks, both hex cases",
                S("3\r\nabc\r\na\r\n0123456789\r\nB\r\nABCDEFGHIJK\r\n0\r\n\r\n"),
                S("abc0123456789ABCDEFGHIJK"), "");
    expect_body("empty body", S("0\r\n\r\n"), "", 0, "");
    expect_body("leading zeros", S("000000000000000000000003\r\nxyz\r\n0000\r\n\r\n"), S("xyz"),
                "");
    expect_body("extensions skipped", S("4;name=val;q=\"a b\"\r\nwiki\r\n0;last\r\n\r\n"),
                S("wiki"), "");
    expect_body("BWS before an extension", S("4 \t;x\r\nwiki\r\n0\r\n\r\n"), S("wiki"), "");
    expect_body("data holding CR, LF and NUL", S("6\r\n\r\n\0\r0\n\r\n0\r\n\r\n"), S("\r\n\0\r0\n"),
                "");
    expect_body("trailers", S("2\r\nok\r\n0\r\nX-Sum: abc\r\nX-Empty:\r\n\r\n"), S("ok"), "");
    expect_body("next message follows", S("2\r\nok\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n"), S("ok"),
                "GET / HTTP/1.1\r\n\r\n");
}

static void test_incomplete(void)
{
    struct out o;

    decode1(feed_decode, S("5\r\nhel"), NULL, &o);
    ok(o.verdict == BL_HTTP_INCOMPLETE && o.body_len == 3 && memcmp(o.body, "hel", 3) == 0,
       "a partial chunk yields its bytes and asks for more");
    check_splits("partial chunk", S("5\r\nhel"), NULL, &o);
    decode1(feed_decode, S("7fffffffffffffff\r\nab"), NULL, &o);
    ok(o.verdict == BL_HTTP_INCOMPLETE && o.body_len == 2, "size 2^63 - 1 is accepted");
    decode1(feed_decode, S("0\r\nX: y\r\n"), NULL, &o);
    ok(o.verdict == BL_HTTP_INCOMPLETE, "trailers wait for the final CRLF");
}

struct bad_case {
    const char *name;
    const char *in;
    size_t len;
    enum bl_http_reason why;
};

static const struct bad_case bad[] = {
    {"no size", S("\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"size not hex", S("g\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"size 0x prefix", S("0x5\r\nhello\r\n0\r\n\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"size negative", S("-5\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"size 2^63", S("8000000000000000\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"size 17 digits", S("10000000000000000\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"size 2^64 + 5 wraps", S("10000000000000005\r\nhello\r\n0\r\n\r\n"),
     BL_HTTP_REASON_CHUNK_SIZE},
    {"space after size", S("5 \r\nhello\r\n0\r\n\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"space inside size", S("1 0\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"bare LF after size", S("5\nhello\r\n0\r\n\r\n"), BL_HTTP_REASON_BARE_LF},
    {"bare CR after size", S("5\rhello\r\n0\r\n\r\n"), BL_HTTP_REASON_BARE_CR},
    {"bare LF in extension", S("5;a\nhello\r\n0\r\n\r\n"), BL_HTTP_REASON_BARE_LF},
    {"NUL in extension", S("5;a\0\r\nhello\r\n0\r\n\r\n"), BL_HTTP_REASON_NUL},
    {"control in extension", S("5;a\x01\r\nhello\r\n"), BL_HTTP_REASON_CHUNK_SIZE},
    {"data too long", S("5\r\nhelloX\r\n0\r\n\r\n"), BL_HTTP_REASON_CHUNK_DATA},
    {"bare LF after data", S("5\r\nhello\n0\r\n\r\n"), BL_HTTP_REASON_BARE_LF},
    {"bare CR after data", S("5\r\nhello\r0\r\n\r\n"), BL_HTTP_REASON_BARE_CR},
    {"bare LF ends body", S("0\r\n\n"), BL_HTTP_REASON_BARE_LF},
    {"bare CR ends body", S("0\r\n\rX"), BL_HTTP_REASON_BARE_CR},
    {"trailer obs-fold", S("0\r\nX: a\r\n b\r\n\r\n"), BL_HTTP_REASON_OBS_FOLD},
    {"trailer space before colon", S("0\r\nX : a\r\n\r\n"), BL_HTTP_REASON_SPACE_BEFORE_COLON},
    {"trailer bad name", S("0\r\nX(: a\r\n\r\n"), BL_HTTP_REASON_HEADER_NAME},
    {"trailer empty name", S("0\r\n: a\r\n\r\n"), BL_HTTP_REASON_HEADER_NAME},
    {"trailer control in value", S("0\r\nX: a\x7f\r\n\r\n"), BL_HTTP_REASON_HEADER_VALUE},
    {"trailer NUL", S("0\r\nX: a\0\r\n\r\n"), BL_HTTP_REASON_NUL},
    {"trailer bare LF", S("0\r\nX: a\nY: b\r\n\r\n"), BL_HTTP_REASON_BARE_LF},
    {"trailer bare CR", S("0\r\nX: a\rY\r\n\r\n"), BL_HTTP_REASON_BARE_CR},
};

static void test_bad(void)
{
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct out o;
        decode1(feed_scan, bad[i].in, bad[i].len, NULL, &o);
        if (!ok(o.verdict == BL_HTTP_ERROR && o.why == bad[i].why, "refused: %s (%s)", bad[i].name,
                bl_http_reason_name(bad[i].why)))
            diag("got %zd %s", o.verdict, bl_http_reason_name(o.why));
        check_splits(bad[i].name, bad[i].in, bad[i].len, NULL, &o);
    }
}

static void test_limits(void)
{
    static char in[16384];
    struct bl_http_limits lim = {
        .max_chunk_line_bytes = 16, .max_header_bytes = 32, .max_headers = 2};
    struct out o;
    size_t n;

    decode1(feed_scan, S("5;0123456789\r\nhello\r\n0\r\n\r\n"), &lim, &o);
    ok(o.verdict == 0, "size line of 12 bytes under a 16-byte limit");
    decode1(feed_scan, S("5;0123456789abcdef\r\nhello\r\n0\r\n\r\n"), &lim, &o);
    ok(o.verdict == BL_HTTP_ERROR && o.why == BL_HTTP_REASON_CHUNK_LINE_TOO_LONG,
       "size line over the limit");
    check_splits("size line over the limit", S("5;0123456789abcdef\r\nhello\r\n0\r\n\r\n"), &lim,
                 &o);
    decode1(feed_scan, S("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"), &lim, &o);
    ok(o.verdict == BL_HTTP_ERROR && o.why == BL_HTTP_REASON_TOO_MANY_HEADERS,
       "more trailer lines than max_headers");
    decode1(feed_scan, S("0\r\nA: 0123456789012345678901234567\r\n\r\n"), &lim, &o);
    ok(o.verdict == BL_HTTP_ERROR && o.why == BL_HTTP_REASON_HEADERS_TOO_LARGE,
       "trailer section over max_header_bytes");
    check_splits("trailers too large", S("0\r\nA: 0123456789012345678901234567\r\n\r\n"), &lim, &o);
    /* The default size-line limit is 4 KiB: 4095 extension bytes pass, 4096 do not. */
    in[0] = '1';
    in[1] = ';';
    memset(in + 2, 'x', 4094);
    memcpy(in + 4096, "\r\nZ\r\n0\r\n\r\n", 10);
    n = 4106;
    decode1(feed_scan, in, n, NULL, &o);
    ok(o.verdict == 0 && o.body_len == 1, "a 4096-byte size line passes by default");
    memmove(in + 1, in, n);
    in[0] = '0';
    decode1(feed_scan, in, n + 1, NULL, &o);
    ok(o.verdict == BL_HTTP_ERROR && o.why == BL_HTTP_REASON_CHUNK_LINE_TOO_LONG,
       "a 4097-byte size line is refused");
}

/* bl_http_chunked_scan over s[0..n) placed against the guard page. */
static ssize_t scan(struct bl_http_chunked *d, const char *s, size_t n, const char **data,
                    size_t *dlen, enum bl_http_reason *why)
{
    return bl_http_chunked_scan(d, guard_place(s, n), n, data, dlen, why);
}

static void test_sticky_and_done(void)
{
    struct bl_http_chunked d = {0};
    const char *data;
    size_t dlen;
    enum bl_http_reason why;
    ssize_t r;
    char buf[32];

    r = scan(&d, S("zz"), &data, &dlen, &why);
    ok(r == BL_HTTP_ERROR && why == BL_HTTP_REASON_CHUNK_SIZE, "a fault is reported");
    r = scan(&d, S("5\r\nhello"), &data, &dlen, &why);
    ok(r == BL_HTTP_ERROR && why == BL_HTTP_REASON_CHUNK_SIZE, "and again on the next call");
    memset(&d, 0, sizeof(d));
    r = scan(&d, S("0\r\n\r\nX"), &data, &dlen, &why);
    ok(r == 5 && bl_http_chunked_is_done(&d) && dlen == 0, "scan stops at the end of the body");
    r = scan(&d, S("X"), &data, &dlen, &why);
    ok(r == 0 && why == BL_HTTP_REASON_NONE, "and consumes nothing after it");
    memset(&d, 0, sizeof(d));
    r = scan(&d, S("3\r\nabc\r\n"), &data, &dlen, &why);
    ok(r == 6 && dlen == 3 && memcmp(data, "abc", 3) == 0, "scan stops after a data run");
    memcpy(buf, "3\r\nabc\r\n0\r\n\r\nNEXT", 17);
    memset(&d, 0, sizeof(d));
    dlen = 17;
    r = bl_http_chunked_decode(&d, buf, &dlen, &why);
    ok(r == 4 && dlen == 3 && memcmp(buf, "abcNEXT", 7) == 0,
       "decode moves the following bytes right after the body");
}

int main(void)
{
    guard_init();
    test_valid();
    test_incomplete();
    test_bad();
    test_limits();
    test_sticky_and_done();
    return done_testing();
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/http/http1.c: valid requests and responses, every
 * smuggling vector and limit with its reason and status, and for each input
 * the split property: any prefix gives "incomplete" or the one-shot verdict,
 * and re-parsing with the `last_len` hint ends at the same verdict. Inputs sit
 * against a PROT_NONE page (guard.h) so any over-read crashes.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "http/http1.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1 /* a literal as (pointer, length), NULs included */
#define HDR_CAP 128                 /* above the default limit of 100 header lines */

/* A verdict as text, slices as offsets into the buffer, so that two parses of
 * the same bytes at different addresses compare equal with strcmp. */
struct res {
    ssize_t rc;
    char text[16384];
};

/* What a split check parses: a request or a response, with these settings. */
struct ctx {
    bool response;
    const struct bl_http_limits *lim;
    unsigned req_flags;
};

__attribute__((format(printf, 2, 3))) static void cat(struct res *o, const char *fmt, ...)
{
    size_t used = strlen(o->text);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(o->text + used, sizeof(o->text) - used, fmt, ap);
    va_end(ap);
}

static void cat_headers(struct res *o, const char *buf, const struct bl_http_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cat(o, " |%td:%.*s=%td:%.*s", h[i].name - buf, (int)h[i].name_len, h[i].name,
            h[i].value - buf, (int)h[i].value_len, h[i].value);
}

static bool verdict(struct res *o, ssize_t rc, enum bl_http_reason why)
{
    o->rc = rc;
    o->text[0] = '\0';
    if (rc == BL_HTTP_INCOMPLETE)
        cat(o, "incomplete");
    else if (rc == BL_HTTP_ERROR)
        cat(o, "error %s", bl_http_reason_name(why));
    else if (why != BL_HTTP_REASON_NONE)
        cat(o, "success with reason %d", (int)why);
    return rc >= 0;
}

static void describe_req(struct res *o, const char *buf, ssize_t rc, enum bl_http_reason why,
                         const struct bl_http_req *r)
{
    if (!verdict(o, rc, why))
        return;
    cat(o, "ok %zd %.*s %td:%.*s v%d cl=%lld body=%d ka=%d ec=%d up=%d ch=%d", rc,
        (int)r->method_len, r->method, r->target - buf, (int)r->target_len, r->target,
        r->minor_version, (long long)r->content_length, (int)r->body, r->keep_alive,
        r->expect_continue, r->is_upgrade, r->is_chunked);
    if (r->host != NULL)
        cat(o, " host=%td:%.*s", r->host - buf, (int)r->host_len, r->host);
    cat_headers(o, buf, r->headers, r->num_headers);
}

static void describe_resp(struct res *o, const char *buf, ssize_t rc, enum bl_http_reason why,
                          const struct bl_http_resp *r)
{
    if (!verdict(o, rc, why))
        return;
    cat(o, "ok %zd v%d %d %td:%.*s cl=%lld body=%d ka=%d ch=%d", rc, r->minor_version, r->status,
        r->reason - buf, (int)r->reason_len, r->reason, (long long)r->content_length, (int)r->body,
        r->keep_alive, r->is_chunked);
    cat_headers(o, buf, r->headers, r->num_headers);
}

/* Parses s[0..n), placed against the guard page, and describes the verdict. */
static void run(const struct ctx *x, const char *s, size_t n, size_t last_len, struct res *o)
{
    static struct bl_http_header h[HDR_CAP];
    const char *buf = guard_place(s, n);
    enum bl_http_reason why;

    if (x->response) {
        struct bl_http_resp r = {.headers = h, .headers_cap = HDR_CAP};
        ssize_t rc = bl_http1_parse_response(buf, n, last_len, x->lim, x->req_flags, &r, &why);
        describe_resp(o, buf, rc, why, &r);
    } else {
        struct bl_http_req r = {.headers = h, .headers_cap = HDR_CAP};
        ssize_t rc = bl_http1_parse_request(buf, n, last_len, x->lim, &r, &why);
        describe_req(o, buf, rc, why, &r);
    }
}

static bool incomplete(const struct res *o)
{
    return o->rc == BL_HTTP_INCOMPLETE;
}

/* Split points: all of them for small inputs, a sample plus the tail for big ones. */
static size_t next_split(size_t k, size_t n)
{
    if (n <= 4096 || k + 64 >= n)
        return k + 1;
    return k + 97 < n - 64 ? k + 97 : n - 64;
}

/*
 * With the hint, an error inside a line that has not ended may stay hidden;
 * the verdict must match once the input ends with a line end or succeeds.
 */
static bool hinted_ok(const struct res *got, const struct res *full, const char *s, size_t n)
{
    if (strcmp(got->text, full->text) == 0)
        return true;
    return incomplete(got) && full->rc == BL_HTTP_ERROR && n > 0 && s[n - 1] != '\n';
}

/* Parse s[0..k), then (if incomplete) s[0..n) with last_len = k, for every k. */
static bool two_piece_splits(const struct ctx *x, const char *s, size_t n, const struct res *full)
{
    static struct res part, next;

    for (size_t k = 0; k < n; k = next_split(k, n)) {
        run(x, s, k, 0, &part);
        if (!incomplete(&part)) {
            if (strcmp(part.text, full->text) != 0) {
                diag("prefix %zu: %s", k, part.text);
                return false;
            }
            continue;
        }
        run(x, s, n, k, &next);
        if (!hinted_ok(&next, full, s, n)) {
            diag("hint %zu: %s", k, next.text);
            return false;
        }
    }
    return true;
}

/* Feed growing prefixes with the hint, as a server reading a slow client does. */
static bool trickle(const struct ctx *x, const char *s, size_t n, const struct res *full)
{
    static struct res r;
    size_t last = 0;

    for (size_t k = 1; k <= n; k = next_split(k, n)) {
        run(x, s, k, last, &r);
        if (!incomplete(&r)) {
            if (strcmp(r.text, full->text) != 0)
                diag("trickle %zu: %s", k, r.text);
            return strcmp(r.text, full->text) == 0;
        }
        last = k;
    }
    return hinted_ok(&r, full, s, n);
}

/* One test point: the split property for s[0..n). Returns the one-shot verdict. */
static ssize_t check_splits(const char *name, const struct ctx *x, const char *s, size_t n)
{
    static struct res full;

    run(x, s, n, 0, &full);
    if (!ok(two_piece_splits(x, s, n, &full) && trickle(x, s, n, &full),
            "%s: every split gives the one-shot verdict", name))
        diag("one-shot: %s", full.text);
    return full.rc;
}

static const struct ctx REQ = {.response = false};
static const struct ctx RESP = {.response = true};

/* One-shot request parse for field checks; slices stay valid until the next placement. */
static ssize_t parse_req(const char *s, size_t n, const struct bl_http_limits *lim,
                         struct bl_http_req *r, enum bl_http_reason *why)
{
    static struct bl_http_header h[HDR_CAP];

    *r = (struct bl_http_req){.headers = h, .headers_cap = HDR_CAP};
    return bl_http1_parse_request(guard_place(s, n), n, 0, lim, r, why);
}

static ssize_t parse_resp(const char *s, size_t n, unsigned flags, struct bl_http_resp *r,
                          enum bl_http_reason *why)
{
    static struct bl_http_header h[HDR_CAP];

    *r = (struct bl_http_resp){.headers = h, .headers_cap = HDR_CAP};
    return bl_http1_parse_response(guard_place(s, n), n, 0, NULL, flags, r, why);
}

static bool slice_is(const char *p, size_t n, const char *want)
{
    return p != NULL && n == strlen(want) && memcmp(p, want, n) == 0;
}

static void test_get(void)
{
    static const char in[] = "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\n"
                             "User-Agent: t/1\r\nAccept: */*\r\n\r\n";
    struct bl_http_req r;
    enum bl_http_reason why;
    ssize_t n = parse_req(S(in), NULL, &r, &why);

    is_int(n, sizeof(in) - 1, "GET: consumed is the head length");
    is_int(why, BL_HTTP_REASON_NONE, "GET: no reason on success");
    ok(slice_is(r.method, r.method_len, "GET"), "GET: method");
    ok(slice_is(r.target, r.target_len, "/index.html?q=1"), "GET: target");
    ok(slice_is(r.host, r.host_len, "example.com"), "GET: host");
    is_int(r.minor_version, 1, "GET: HTTP/1.1");
    is_int(r.num_headers, 3, "GET: three headers");
    ok(slice_is(r.headers[2].name, r.headers[2].name_len, "Accept") &&
           slice_is(r.headers[2].value, r.headers[2].value_len, "*/*"),
       "GET: header slices");
    is_int(r.content_length, -1, "GET: no Content-Length is -1");
    is_int(r.body, BL_HTTP_BODY_NONE, "GET: no body");
    ok(r.keep_alive && !r.is_chunked && !r.expect_continue && !r.is_upgrade,
       "GET: 1.1 keeps alive by default, no other flag");
    check_splits("GET", &REQ, S(in));
}

static void test_post_length(void)
{
    static const char in[] = "POST /v2/lbaas/loadbalancers HTTP/1.1\r\nHost: api:9876\r\n"
                             "Content-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"a\":1}";
    struct bl_http_req r;
    enum bl_http_reason why;
    ssize_t n = parse_req(S(in), NULL, &r, &why);

    is_int(n, sizeof(in) - 1 - 7, "POST: consumed stops at the body");
    is_int(r.content_length, 7, "POST: Content-Length");
    is_int(r.body, BL_HTTP_BODY_LENGTH, "POST: body by length");
    check_splits("POST with body", &REQ, S(in));
}

static void test_post_chunked(void)
{
    static const char in[] = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n0\r\n\r\n";
    struct bl_http_req r;
    enum bl_http_reason why;
    ssize_t n = parse_req(S(in), NULL, &r, &why);

    is_int(n, strstr(in, "5\r\n") - in, "chunked: consumed stops at the body");
    ok(r.is_chunked && r.body == BL_HTTP_BODY_CHUNKED, "chunked: flagged");
    is_int(r.content_length, -1, "chunked: no length");
    check_splits("chunked POST", &REQ, S(in));
    check_splits("TE: chunked with odd case and OWS", &REQ,
                 S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  ChUnKeD \r\n\r\n"));
    n = parse_req(S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked,\r\n\r\n"), NULL,
                  &r, &why);
    ok(n > 0 && r.is_chunked, "TE: empty list elements are skipped (RFC 9110 5.6.1)");
}

static void test_http10(void)
{
    struct bl_http_req r;
    enum bl_http_reason why;
    ssize_t n;

    n = parse_req(S("GET /x HTTP/1.0\r\n\r\n"), NULL, &r, &why);
    ok(n == 19 && r.minor_version == 0 && !r.keep_alive && r.host == NULL,
       "HTTP/1.0: no Host needed, closes by default");
    n = parse_req(S("GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"), NULL, &r, &why);
    ok(n > 0 && r.keep_alive, "HTTP/1.0: Connection: keep-alive keeps it");
    n = parse_req(S("GET /x HTTP/1.0\r\nExpect: 100-continue\r\nConnection: upgrade\r\n"
                    "Upgrade: websocket\r\n\r\n"),
                  NULL, &r, &why);
    ok(n > 0 && !r.expect_continue && !r.is_upgrade, "HTTP/1.0: Expect and Upgrade ignored");
    check_splits("HTTP/1.0 keep-alive", &REQ,
                 S("GET /x HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
}

static void test_connection_flags(void)
{
    struct bl_http_req r;
    enum bl_http_reason why;
    ssize_t n;

    n = parse_req(S("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), NULL, &r, &why);
    ok(n > 0 && !r.keep_alive, "Connection: close ends keep-alive");
    n = parse_req(S("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive\r\nConnection: CLOSE\r\n"
                    "\r\n"),
                  NULL, &r, &why);
    ok(n > 0 && !r.keep_alive, "close wins over keep-alive, across lines");
    n = parse_req(S("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\n"
                    "Upgrade: websocket\r\n\r\n"),
                  NULL, &r, &why);
    ok(n > 0 && r.is_upgrade && r.keep_alive, "Connection: upgrade + Upgrade is an upgrade");
    n = parse_req(S("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n"), NULL, &r, &why);
    ok(n > 0 && !r.is_upgrade, "Upgrade without the Connection token is not");
    n = parse_req(S("PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n"
                    "\r\n"),
                  NULL, &r, &why);
    ok(n > 0 && r.expect_continue, "Expect: 100-continue flagged");
    check_splits("upgrade", &REQ,
                 S("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"));
}

static void test_pipelined(void)
{
    static const char in[] = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
                             "POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
                             "\r\nGET /c HTTP/1.1\r\nHost: a\r\n\r\n";
    struct bl_http_req r;
    enum bl_http_reason why;
    size_t off = 0;
    ssize_t n;

    n = parse_req(S(in), NULL, &r, &why);
    ok(n > 0 && slice_is(r.target, r.target_len, "/a"), "pipelined: first request");
    off = (size_t)n;
    n = parse_req(in + off, sizeof(in) - 1 - off, NULL, &r, &why);
    ok(n > 0 && slice_is(r.target, r.target_len, "/b") && r.content_length == 2,
       "pipelined: second request parsed from where the first ended");
    off += (size_t)n + 2;
    n = parse_req(in + off, sizeof(in) - 1 - off, NULL, &r, &why);
    ok(n > 0 && slice_is(r.target, r.target_len, "/c"),
       "pipelined: an empty line before the third request is skipped");
    check_splits("pipelined", &REQ, S(in));
}

static void test_forms_and_values(void)
{
    struct bl_http_req r;
    enum bl_http_reason why;
    ssize_t n;

    n = parse_req(S("GET http://a.example/p?x HTTP/1.1\r\nHost: a.example\r\n\r\n"), NULL, &r,
                  &why);
    ok(n > 0, "absolute-form target");
    n = parse_req(S("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), NULL, &r, &why);
    ok(n > 0, "asterisk-form for OPTIONS");
    n = parse_req(S("CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n"), NULL,
                  &r, &why);
    ok(n > 0, "authority-form for CONNECT");
    n = parse_req(S("GET /a%20b/%7Ec;p=1@x:y HTTP/1.1\r\nHost: a\r\n\r\n"), NULL, &r, &why);
    ok(n > 0, "percent escapes and sub-delims in the target");
    n = parse_req(S("GET / HTTP/1.1\r\nHost: a\r\nX-A:  two  words \t\r\nX-B:\r\n"
                    "X-C: caf\xc3\xa9\r\ncontent-LENGTH: 0\r\n\r\n"),
                  NULL, &r, &why);
    ok(n > 0 && slice_is(r.headers[1].value, r.headers[1].value_len, "two  words"),
       "values are trimmed, inner whitespace kept");
    ok(n > 0 && r.headers[2].value_len == 0, "empty value");
    ok(n > 0 && r.content_length == 0 && r.body == BL_HTTP_BODY_LENGTH,
       "obs-text in values; names compare without case");
    n = parse_req(S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n"
                    "Content-Length: 005\r\n\r\n"),
                  NULL, &r, &why);
    ok(n > 0 && r.content_length == 5, "identical Content-Length values are merged");
    n = parse_req(S("GET / HTTP/1.1\r\nHost:\r\n\r\n"), NULL, &r, &why);
    ok(n > 0 && r.host != NULL && r.host_len == 0, "empty Host is allowed");
    n = parse_req(S("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), NULL, &r, &why);
    ok(n == 31, "leading empty lines are skipped and consumed");
    check_splits("values", &REQ,
                 S("GET / HTTP/1.1\r\nHost: a\r\nX-A:  two  words \t\r\nX-B:\r\n\r\n"));
}

struct bad_case {
    const char *name;
    const char *in;
    size_t len;
    enum bl_http_reason why;
};

/* Each request below must be refused with exactly this reason. */
static const struct bad_case bad_requests[] = {
    {"CL and TE",
     S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked"
       "\r\n\r\n"),
     BL_HTTP_REASON_CL_AND_TE},
    {"TE and CL",
     S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0"
       "\r\n\r\n"),
     BL_HTTP_REASON_CL_AND_TE},
    {"differing CL lines",
     S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
       "Content-Length: 6\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"differing CL list", S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"CL empty member", S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"CL empty", S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"CL sign", S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"CL negative", S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"CL hex", S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"CL overflow", S("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9223372036854775808\r\n\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"TE not chunked", S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE chunked not last",
     S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n"
       "\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE chunked twice",
     S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
       "Transfer-Encoding: chunked\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE chunked params", S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;x=1\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE lookalike", S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE quoted", S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE empty", S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE in HTTP/1.0", S("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"TE gzip, chunked",
     S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"),
     BL_HTTP_REASON_TE_UNSUPPORTED},
    {"TE split gzip + chunked",
     S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n"
       "Transfer-Encoding: chunked\r\n\r\n"),
     BL_HTTP_REASON_TE_UNSUPPORTED},
    {"obs-fold", S("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n"), BL_HTTP_REASON_OBS_FOLD},
    {"obs-fold tab", S("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\t2\r\n\r\n"),
     BL_HTTP_REASON_OBS_FOLD},
    {"space before first header", S("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), BL_HTTP_REASON_OBS_FOLD},
    {"space before colon", S("GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
     BL_HTTP_REASON_SPACE_BEFORE_COLON},
    {"tab before colon", S("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n"),
     BL_HTTP_REASON_SPACE_BEFORE_COLON},
    {"smuggled TE with space",
     S("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n"
       "Content-Length: 4\r\n\r\n"),
     BL_HTTP_REASON_SPACE_BEFORE_COLON},
    {"bad name char", S("GET / HTTP/1.1\r\nHost: a\r\nX(A): 1\r\n\r\n"),
     BL_HTTP_REASON_HEADER_NAME},
    {"empty name", S("GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n"), BL_HTTP_REASON_HEADER_NAME},
    {"no colon", S("GET / HTTP/1.1\r\nHost: a\r\nX-A\r\n\r\n"), BL_HTTP_REASON_HEADER_NAME},
    {"control in value", S("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\x01\r\n\r\n"),
     BL_HTTP_REASON_HEADER_VALUE},
    {"DEL in value", S("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\x7f\r\n\r\n"),
     BL_HTTP_REASON_HEADER_VALUE},
    {"bare CR in value", S("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n"),
     BL_HTTP_REASON_BARE_CR},
    {"bare CR ends line", S("GET / HTTP/1.1\rHost: a\r\n\r\n"), BL_HTTP_REASON_BARE_CR},
    {"bare CR in target", S("GET /\r HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_BARE_CR},
    {"bare CR before head end", S("GET / HTTP/1.1\r\nHost: a\r\n\r\r\n"), BL_HTTP_REASON_BARE_CR},
    {"bare CR leading", S("\rGET / HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_BARE_CR},
    {"bare LF request line", S("GET / HTTP/1.1\nHost: a\r\n\r\n"), BL_HTTP_REASON_BARE_LF},
    {"bare LF header", S("GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n"), BL_HTTP_REASON_BARE_LF},
    {"bare LF head end", S("GET / HTTP/1.1\r\nHost: a\r\n\n"), BL_HTTP_REASON_BARE_LF},
    {"NUL in method", S("G\0T / HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_NUL},
    {"NUL in target", S("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_NUL},
    {"NUL in name", S("GET / HTTP/1.1\r\nHo\0st: a\r\n\r\n"), BL_HTTP_REASON_NUL},
    {"NUL in value", S("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"), BL_HTTP_REASON_NUL},
    {"NUL in version", S("GET / HTTP/1\0\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_NUL},
    {"method char", S("G@T / HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_METHOD},
    {"empty method", S(" / HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_METHOD},
    {"TLS hello", S("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), BL_HTTP_REASON_METHOD},
    {"target quote", S("GET /a\"b HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target brace", S("GET /a{b} HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target fragment", S("GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target 8-bit", S("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target bad escape", S("GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target short escape", S("GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target relative", S("GET a/b HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target * for GET", S("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"target path for CONNECT", S("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"two spaces", S("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"lowercase version", S("GET / http/1.1\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_SYNTAX},
    {"version 1.10", S("GET / HTTP/1.10\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_SYNTAX},
    {"space after version", S("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), BL_HTTP_REASON_SYNTAX},
    {"no version", S("GET /\r\n\r\n"), BL_HTTP_REASON_TARGET},
    {"HTTP/2.0", S("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_VERSION},
    {"HTTP/1.2", S("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), BL_HTTP_REASON_VERSION},
    {"HTTP/0.9", S("GET / HTTP/0.9\r\n\r\n"), BL_HTTP_REASON_VERSION},
    {"no Host in 1.1", S("GET / HTTP/1.1\r\nX: a\r\n\r\n"), BL_HTTP_REASON_HOST},
    {"two Hosts", S("GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n"), BL_HTTP_REASON_HOST},
    {"Host with space", S("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), BL_HTTP_REASON_HOST},
    {"Host with slash", S("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"), BL_HTTP_REASON_HOST},
};

static void test_bad_requests(void)
{
    for (size_t i = 0; i < sizeof(bad_requests) / sizeof(bad_requests[0]); i++) {
        const struct bad_case *c = &bad_requests[i];
        struct bl_http_req r;
        enum bl_http_reason why = BL_HTTP_REASON_NONE;
        ssize_t n = parse_req(c->in, c->len, NULL, &r, &why);
        if (!ok(n == BL_HTTP_ERROR && why == c->why, "refused: %s (%s, %d)", c->name,
                bl_http_reason_name(c->why), bl_http_reason_status(c->why)))
            diag("got %zd %s", n, bl_http_reason_name(why));
        if (check_splits(c->name, &REQ, c->in, c->len) != BL_HTTP_ERROR)
            diag("split check did not see the error");
    }
}

static void test_status_map(void)
{
    is_int(bl_http_reason_status(BL_HTTP_REASON_NONE), 0, "status: none");
    is_int(bl_http_reason_status(BL_HTTP_REASON_OBS_FOLD), 400, "status: malformed is 400");
    is_int(bl_http_reason_status(BL_HTTP_REASON_LINE_TOO_LONG), 414, "status: line 414");
    is_int(bl_http_reason_status(BL_HTTP_REASON_HEADERS_TOO_LARGE), 431, "status: head 431");
    is_int(bl_http_reason_status(BL_HTTP_REASON_TOO_MANY_HEADERS), 431, "status: count 431");
    is_int(bl_http_reason_status(BL_HTTP_REASON_TE_UNSUPPORTED), 501, "status: coding 501");
    is_int(bl_http_reason_status(BL_HTTP_REASON_VERSION), 505, "status: version 505");
    is_str(bl_http_reason_name(BL_HTTP_REASON_CHUNK_DATA), "chunk_data", "last name present");
    is_str(bl_http_reason_name((enum bl_http_reason)999), "unknown", "out-of-range name");
}

/* A request whose target is `target_len` bytes and with `n` headers of `value_len` bytes. */
static size_t build(char *buf, size_t target_len, size_t n, size_t value_len)
{
    size_t len = 0;

    len += (size_t)sprintf(buf + len, "GET /");
    memset(buf + len, 'a', target_len - 1);
    len += target_len - 1;
    len += (size_t)sprintf(buf + len, " HTTP/1.1\r\nHost: a\r\n");
    for (size_t i = 0; i < n; i++) {
        len += (size_t)sprintf(buf + len, "X-%04zu: ", i);
        memset(buf + len, 'v', value_len);
        len += value_len;
        len += (size_t)sprintf(buf + len, "\r\n");
    }
    len += (size_t)sprintf(buf + len, "\r\n");
    return len;
}

static void expect(const char *name, const char *buf, size_t len, const struct bl_http_limits *lim,
                   ssize_t want_rc, enum bl_http_reason want)
{
    struct bl_http_req r;
    enum bl_http_reason why = BL_HTTP_REASON_NONE;
    ssize_t n = parse_req(buf, len, lim, &r, &why);
    struct ctx x = {.lim = lim};

    if (!ok(n == want_rc && why == want, "%s", name))
        diag("got %zd %s", n, bl_http_reason_name(why));
    check_splits(name, &x, buf, len);
}

static void test_limits(void)
{
    static char buf[128 * 1024];
    struct bl_http_limits small = {.max_line_bytes = 64, .max_header_bytes = 256, .max_headers = 3};
    struct bl_http_limits dflt = bl_http_limits_resolve(NULL);
    size_t len;

    ok(dflt.max_line_bytes == 8192 && dflt.max_header_bytes == 32768 && dflt.max_headers == 100 &&
           dflt.max_chunk_line_bytes == 4096,
       "defaults: 8 KiB line, 32 KiB head, 100 headers, 4 KiB chunk line");
    /* "GET " + 8177-byte target + " HTTP/1.1\r\n" = 8192 bytes: the longest line allowed. */
    len = build(buf, 8177, 0, 0);
    expect("request line of exactly 8 KiB passes", buf, len, NULL, (ssize_t)len, 0);
    len = build(buf, 8178, 0, 0);
    expect("request line over 8 KiB: 414", buf, len, NULL, BL_HTTP_ERROR,
           BL_HTTP_REASON_LINE_TOO_LONG);
    len = build(buf, 1, 99, 8);
    expect("Host + 99 headers pass", buf, len, NULL, (ssize_t)len, 0);
    len = build(buf, 1, 100, 8);
    expect("Host + 100 headers: 431", buf, len, NULL, BL_HTTP_ERROR,
           BL_HTTP_REASON_TOO_MANY_HEADERS);
    len = build(buf, 1, 40, 1000);
    expect("head over 32 KiB: 431", buf, len, NULL, BL_HTTP_ERROR,
           BL_HTTP_REASON_HEADERS_TOO_LARGE);
    len = build(buf, 1, 2, 8);
    expect("small limits: 2 headers + Host pass", buf, len, &small, (ssize_t)len, 0);
    len = build(buf, 1, 3, 8);
    expect("small limits: 4 headers refused", buf, len, &small, BL_HTTP_ERROR,
           BL_HTTP_REASON_TOO_MANY_HEADERS);
    len = build(buf, 49, 0, 0);
    expect("small limits: 64-byte line passes", buf, len, &small, (ssize_t)len, 0);
    len = build(buf, 50, 0, 0);
    expect("small limits: 65-byte line refused", buf, len, &small, BL_HTTP_ERROR,
           BL_HTTP_REASON_LINE_TOO_LONG);
    len = build(buf, 1, 2, 110);
    expect("small limits: head over 256 bytes", buf, len, &small, BL_HTTP_ERROR,
           BL_HTTP_REASON_HEADERS_TOO_LARGE);
    len = build(buf, 1, 1, 0);
    memmove(buf + 50, buf, len);
    for (size_t i = 0; i < 50; i += 2)
        memcpy(buf + i, "\r\n", 2);
    expect("small limits: empty lines count toward the line", buf, len + 50, &small, BL_HTTP_ERROR,
           BL_HTTP_REASON_LINE_TOO_LONG);
    len = build(buf, 1, 1, 40000);
    expect("a long header line is a 431, found before the end", buf, 33000, NULL, BL_HTTP_ERROR,
           BL_HTTP_REASON_HEADERS_TOO_LARGE);
}

static void test_header_array_cap(void)
{
    struct bl_http_header h[3];
    struct bl_http_req r = {.headers = h, .headers_cap = 2};
    static const char in[] = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
    enum bl_http_reason why;
    ssize_t n;

    n = bl_http1_parse_request(guard_place(S(in)), sizeof(in) - 1, 0, NULL, &r, &why);
    ok(n == BL_HTTP_ERROR && why == BL_HTTP_REASON_TOO_MANY_HEADERS,
       "more headers than the caller's array: 431");
    r.headers_cap = 3;
    n = bl_http1_parse_request(guard_place(S(in)), sizeof(in) - 1, 0, NULL, &r, &why);
    ok(n > 0 && r.num_headers == 3 && r.headers == h && r.headers_cap == 3,
       "an array that fits; the in-fields are kept");
}

static void test_responses(void)
{
    struct bl_http_resp r;
    enum bl_http_reason why;
    ssize_t n;

    n = parse_resp(S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"), 0, &r, &why);
    ok(n == 38 && r.status == 200 && slice_is(r.reason, r.reason_len, "OK") &&
           r.body == BL_HTTP_BODY_LENGTH && r.content_length == 3 && r.keep_alive,
       "200 with Content-Length");
    n = parse_resp(S("HTTP/1.1 204 No Content\r\n\r\n"), 0, &r, &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_NONE && r.keep_alive, "204: no body");
    n = parse_resp(S("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"), 0, &r, &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_NONE && r.content_length == 10,
       "304: no body, Content-Length kept as information");
    n = parse_resp(S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"), 0, &r, &why);
    ok(n == 25 && r.status == 100 && r.body == BL_HTTP_BODY_NONE, "100: a head of its own");
    n = parse_resp(S("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n"
                     "Upgrade: websocket\r\n\r\n"),
                   0, &r, &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_TUNNEL && !r.keep_alive, "101: a tunnel");
    n = parse_resp(S("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nbody until close"), 0, &r, &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_CLOSE && !r.keep_alive, "no length: close-delimited");
    n = parse_resp(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), 0, &r, &why);
    ok(n > 0 && r.is_chunked && r.body == BL_HTTP_BODY_CHUNKED && r.keep_alive, "chunked");
    n = parse_resp(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 0, &r, &why);
    ok(n > 0 && r.is_chunked, "gzip, chunked: framed by chunked, gzip passes through");
    n = parse_resp(S("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"), 0, &r, &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_CLOSE && !r.keep_alive, "TE without chunked: until close");
    n = parse_resp(S("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi"), 0, &r, &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_LENGTH && !r.keep_alive, "1.0: closes by default");
    n = parse_resp(S("HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n"), 0,
                   &r, &why);
    ok(n > 0 && r.keep_alive, "1.0 + keep-alive");
    n = parse_resp(S("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n"), 0, &r,
                   &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_LENGTH && !r.keep_alive, "Connection: close");
    n = parse_resp(S("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"), BL_HTTP_RESP_F_HEAD, &r,
                   &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_NONE && r.keep_alive, "answer to HEAD: no body");
    n = parse_resp(S("HTTP/1.1 200 Connection established\r\n\r\n"), BL_HTTP_RESP_F_CONNECT, &r,
                   &why);
    ok(n > 0 && r.body == BL_HTTP_BODY_TUNNEL, "2xx to CONNECT: a tunnel");
    n = parse_resp(S("HTTP/1.1 404\r\n\r\n"), 0, &r, &why);
    ok(n > 0 && r.status == 404 && r.reason_len == 0, "no reason phrase, no SP: accepted");
    n = parse_resp(S("HTTP/1.1 503 \r\n\r\n"), 0, &r, &why);
    ok(n > 0 && r.status == 503 && r.reason_len == 0, "empty reason phrase");
    check_splits("response 200", &RESP, S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"));
    check_splits("response 1xx then 200", &RESP,
                 S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n"));
    check_splits("response chunked", &RESP,
                 S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
}

static const struct bad_case bad_responses[] = {
    {"status short", S("HTTP/1.1 20 OK\r\n\r\n"), BL_HTTP_REASON_STATUS},
    {"status long", S("HTTP/1.1 2000 OK\r\n\r\n"), BL_HTTP_REASON_STATUS},
    {"status 099", S("HTTP/1.1 099 x\r\n\r\n"), BL_HTTP_REASON_STATUS},
    {"status 600", S("HTTP/1.1 600 x\r\n\r\n"), BL_HTTP_REASON_STATUS},
    {"status letters", S("HTTP/1.1 2x0 OK\r\n\r\n"), BL_HTTP_REASON_STATUS},
    {"HTTP/2.0 response", S("HTTP/2.0 200 OK\r\n\r\n"), BL_HTTP_REASON_VERSION},
    {"HTTP/2 response", S("HTTP/2 200 OK\r\n\r\n"), BL_HTTP_REASON_SYNTAX},
    {"no SP after version", S("HTTP/1.1\r\n\r\n"), BL_HTTP_REASON_SYNTAX},
    {"response CL and TE",
     S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
       "Transfer-Encoding: chunked\r\n\r\n"),
     BL_HTTP_REASON_CL_AND_TE},
    {"response differing CL",
     S("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n"
       "\r\n"),
     BL_HTTP_REASON_CONTENT_LENGTH},
    {"response TE in 1.0", S("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"response chunked twice",
     S("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n"
       "\r\n"),
     BL_HTTP_REASON_TRANSFER_ENCODING},
    {"response bare LF", S("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"), BL_HTTP_REASON_BARE_LF},
    {"response control in reason", S("HTTP/1.1 200 O\x01K\r\n\r\n"), BL_HTTP_REASON_SYNTAX},
    {"response obs-fold", S("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n"), BL_HTTP_REASON_OBS_FOLD},
    {"response leading CRLF", S("\r\nHTTP/1.1 200 OK\r\n\r\n"), BL_HTTP_REASON_SYNTAX},
};

static void test_bad_responses(void)
{
    for (size_t i = 0; i < sizeof(bad_responses) / sizeof(bad_responses[0]); i++) {
        const struct bad_case *c = &bad_responses[i];
        struct bl_http_resp r;
        enum bl_http_reason why = BL_HTTP_REASON_NONE;
        ssize_t n = parse_resp(c->in, c->len, 0, &r, &why);
        if (!ok(n == BL_HTTP_ERROR && why == c->why, "refused: %s (%s)", c->name,
                bl_http_reason_name(c->why)))
            diag("got %zd %s", n, bl_http_reason_name(why));
        check_splits(c->name, &RESP, c->in, c->len);
    }
}

int main(void)
{
    guard_init();
    test_get();
    test_post_length();
    test_post_chunked();
    test_http10();
    test_connection_flags();
    test_pipelined();
    test_forms_and_values();
    test_bad_requests();
    test_status_map();
    test_limits();
    test_header_array_cap();
    test_responses();
    test_bad_responses();
    return done_testing();
}

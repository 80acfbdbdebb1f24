/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.x head parser. One left-to-right pass: the start line, then header
 * lines, each byte checked once against the RFC 9112 grammar; then the
 * framing fields (Content-Length, Transfer-Encoding, Connection, Host) are
 * judged together. Stateless: an incomplete head is parsed again from the
 * start when more bytes arrive, which is cheap because heads are small and
 * the `last_len` hint skips calls that cannot change the answer.
 */
#include "http/http1.h"

#include <string.h>

#include "http/chars.h"

#define DEFAULT_MAX_LINE_BYTES (8 * 1024)
#define DEFAULT_MAX_HEADER_BYTES (32 * 1024)
#define DEFAULT_MAX_HEADERS 100
#define DEFAULT_MAX_CHUNK_LINE_BYTES (4 * 1024)

/*
 * A read cursor: bytes in [p, lim) may be read. `lim` is either the end of
 * the input (`cap` is NONE, and running out means "incomplete") or a size
 * limit that the input reaches (running out means the limit is exceeded, and
 * `cap` says which one). Limits are checked by position, never by `len`, so
 * that the first fault in reading order wins however the bytes arrived.
 */
struct cur {
    const char *p;
    const char *lim;
    enum bl_http_reason cap;
};

/* What the framing-relevant fields said, gathered before they are judged together. */
struct fields {
    int64_t content_length;            /* -1 = none */
    const struct bl_http_header *host; /* the last Host line */
    unsigned n_host;                   /* Host lines seen */
    unsigned n_codings;                /* transfer-codings listed, all lines */
    bool has_te;                       /* a Transfer-Encoding line was seen */
    bool te_malformed;                 /* bad element, or chunked twice or with parameters */
    bool te_chunked;                   /* chunked was listed */
    bool te_last_chunked;              /* ... and is the final coding */
    bool te_other;                     /* a coding other than chunked was listed */
    bool conn_close;                   /* Connection: close */
    bool conn_keep_alive;              /* Connection: keep-alive */
    bool conn_upgrade;                 /* Connection: upgrade */
    bool has_upgrade;                  /* a non-empty Upgrade line */
    bool expect_continue;              /* Expect: 100-continue */
};

static ssize_t fail(enum bl_http_reason *why, enum bl_http_reason r)
{
    *why = r;
    return BL_HTTP_ERROR;
}

/* The verdict when the cursor needs a byte at `lim`. */
static ssize_t starved(const struct cur *c, enum bl_http_reason *why)
{
    if (c->cap == BL_HTTP_REASON_NONE)
        return BL_HTTP_INCOMPLETE;
    return fail(why, c->cap);
}

/* Makes `buf + cap` the limit when the input reaches it, else the end of input. */
static void cur_limit(struct cur *c, const char *buf, size_t len, size_t cap, enum bl_http_reason r)
{
    if (len >= cap) {
        c->lim = buf + cap;
        c->cap = r;
    } else {
        c->lim = buf + len;
        c->cap = BL_HTTP_REASON_NONE;
    }
}

/*
 * The grammar allows no such byte at `c->p` in context `ctx`. NUL, bare CR and
 * bare LF get their own reasons wherever they appear, since they are the bytes
 * that smuggling attempts use; a CR needs the next byte to tell which it is.
 */
static ssize_t reject(const struct cur *c, enum bl_http_reason ctx, enum bl_http_reason *why)
{
    switch (*c->p) {
    case '\0':
        return fail(why, BL_HTTP_REASON_NUL);
    case '\n':
        return fail(why, BL_HTTP_REASON_BARE_LF);
    case '\r':
        if (c->p + 1 == c->lim)
            return starved(c, why);
        if (c->p[1] != '\n')
            return fail(why, BL_HTTP_REASON_BARE_CR);
        break;
    default:
        break;
    }
    return fail(why, ctx);
}

static const char *skip_while(const char *p, const char *lim, bool (*pred)(unsigned char))
{
    while (p < lim && pred((unsigned char)*p))
        p++;
    return p;
}

/* Consumes CRLF; anything else at `c->p` is a fault of context `ctx`. */
static ssize_t expect_crlf(struct cur *c, enum bl_http_reason ctx, enum bl_http_reason *why)
{
    if (c->p == c->lim)
        return starved(c, why);
    if (*c->p != '\r')
        return reject(c, ctx, why);
    if (c->p + 1 == c->lim)
        return starved(c, why);
    if (c->p[1] != '\n')
        return fail(why, BL_HTTP_REASON_BARE_CR);
    c->p += 2;
    return 0;
}

/* "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3); only 1.0 and 1.1 pass. */
static ssize_t parse_version(struct cur *c, int *minor, enum bl_http_reason *why)
{
    static const char pattern[] = "HTTP/#.#"; /* '#' stands for a digit */

    for (size_t i = 0; i < sizeof(pattern) - 1; i++, c->p++) {
        bool ok;
        if (c->p == c->lim)
            return starved(c, why);
        ok = pattern[i] == '#' ? is_digit((unsigned char)*c->p) : *c->p == pattern[i];
        if (!ok)
            return reject(c, BL_HTTP_REASON_SYNTAX, why);
    }
    if (c->p[-3] != '1' || c->p[-1] > '1')
        return fail(why, BL_HTTP_REASON_VERSION);
    *minor = c->p[-1] - '0';
    return 0;
}

/* A header line: name ":" OWS value OWS CRLF. `c->p < c->lim` and is not CR. */
static ssize_t parse_field_line(struct cur *c, struct bl_http_header *h, enum bl_http_reason *why)
{
    const char *name = c->p, *value, *end;

    /* Folding joined lines in the past; a proxy that unfolds differently from
     * the backend is a smuggling vector, so RFC 9112 §5.2 lets us refuse it. */
    if (is_ws((unsigned char)*c->p))
        return fail(why, BL_HTTP_REASON_OBS_FOLD);
    c->p = skip_while(c->p, c->lim, is_tchar);
    if (c->p == c->lim)
        return starved(c, why);
    if (is_ws((unsigned char)*c->p) && c->p != name)
        return fail(why, BL_HTTP_REASON_SPACE_BEFORE_COLON);
    if (*c->p != ':' || c->p == name)
        return reject(c, BL_HTTP_REASON_HEADER_NAME, why);
    h->name = name;
    h->name_len = (size_t)(c->p - name);
    c->p = skip_while(c->p + 1, c->lim, is_ws);
    value = c->p;
    c->p = skip_while(c->p, c->lim, is_field_char);
    end = c->p;
    while (end > value && is_ws((unsigned char)end[-1]))
        end--;
    h->value = value;
    h->value_len = (size_t)(end - value);
    return expect_crlf(c, BL_HTTP_REASON_HEADER_VALUE, why);
}

/* Header lines up to and including the empty line; at most `max` of them. */
static ssize_t parse_fields(struct cur *c, struct bl_http_header *headers, size_t max, size_t *n,
                            enum bl_http_reason *why)
{
    *n = 0;
    for (;;) {
        ssize_t r;
        if (c->p == c->lim)
            return starved(c, why);
        if (*c->p == '\r')
            return expect_crlf(c, BL_HTTP_REASON_SYNTAX, why);
        if (*n == max)
            return fail(why, BL_HTTP_REASON_TOO_MANY_HEADERS);
        r = parse_field_line(c, &headers[*n], why);
        if (r != 0)
            return r;
        (*n)++;
    }
}

/* ---- request line ---- */

/* RFC 9112 §2.2: a server SHOULD ignore at least one empty line before a request
 * (old clients send CRLF after a POST body). They count toward the line limit. */
static ssize_t skip_empty_lines(struct cur *c, enum bl_http_reason *why)
{
    while (c->p != c->lim && *c->p == '\r') {
        if (c->p + 1 == c->lim)
            return starved(c, why);
        if (c->p[1] != '\n')
            return fail(why, BL_HTTP_REASON_BARE_CR);
        c->p += 2;
    }
    return 0;
}

static ssize_t parse_method(struct cur *c, struct bl_http_req *req, enum bl_http_reason *why)
{
    const char *start = c->p;

    c->p = skip_while(c->p, c->lim, is_tchar);
    if (c->p == c->lim)
        return starved(c, why);
    if (c->p == start || *c->p != ' ')
        return reject(c, BL_HTTP_REASON_METHOD, why);
    req->method = start;
    req->method_len = (size_t)(c->p - start);
    c->p++;
    return 0;
}

static bool method_is(const struct bl_http_req *req, const char *m)
{
    return req->method_len == strlen(m) && memcmp(req->method, m, req->method_len) == 0;
}

/*
 * RFC 9112 §3.2: origin-form "/...", absolute-form "scheme:...", authority-form
 * for CONNECT only, "*" for OPTIONS only. Anything else cannot be routed.
 */
static bool target_form_ok(const struct bl_http_req *req, const char *t, size_t n)
{
    size_t i;

    if (method_is(req, "CONNECT"))
        return t[0] != '/' && memchr(t, ':', n) != NULL && memchr(t, '/', n) == NULL;
    if (t[0] == '/')
        return true;
    if (n == 1 && t[0] == '*')
        return method_is(req, "OPTIONS");
    if (!is_alpha((unsigned char)t[0]))
        return false;
    for (i = 1; i < n && (is_alpha((unsigned char)t[i]) || is_digit((unsigned char)t[i]) ||
                          t[i] == '+' || t[i] == '-' || t[i] == '.');
         i++)
        ;
    return i < n && t[i] == ':';
}

/* '%' at `c->p` must be followed by two hex digits. */
static ssize_t skip_pct_escape(struct cur *c, enum bl_http_reason *why)
{
    for (int i = 0; i < 2; i++) {
        c->p++;
        if (c->p == c->lim)
            return starved(c, why);
        if (!is_hex((unsigned char)*c->p))
            return reject(c, BL_HTTP_REASON_TARGET, why);
    }
    c->p++;
    return 0;
}

static ssize_t parse_target(struct cur *c, struct bl_http_req *req, enum bl_http_reason *why)
{
    const char *start = c->p;

    for (;;) {
        ssize_t r;
        c->p = skip_while(c->p, c->lim, is_target_char);
        if (c->p == c->lim)
            return starved(c, why);
        if (*c->p != '%')
            break;
        r = skip_pct_escape(c, why);
        if (r != 0)
            return r;
    }
    if (c->p == start || *c->p != ' ')
        return reject(c, BL_HTTP_REASON_TARGET, why);
    if (!target_form_ok(req, start, (size_t)(c->p - start)))
        return fail(why, BL_HTTP_REASON_TARGET);
    req->target = start;
    req->target_len = (size_t)(c->p - start);
    c->p++;
    return 0;
}

/* method SP request-target SP HTTP-version CRLF, with exactly one SP each. */
static ssize_t parse_request_line(struct cur *c, struct bl_http_req *req, enum bl_http_reason *why)
{
    ssize_t r = skip_empty_lines(c, why);

    if (r == 0)
        r = parse_method(c, req, why);
    if (r == 0)
        r = parse_target(c, req, why);
    if (r == 0)
        r = parse_version(c, &req->minor_version, why);
    if (r == 0)
        r = expect_crlf(c, BL_HTTP_REASON_SYNTAX, why);
    return r;
}

/* ---- status line ---- */

static ssize_t parse_status_code(struct cur *c, int *status, enum bl_http_reason *why)
{
    int v = 0;

    for (int i = 0; i < 3; i++, c->p++) {
        if (c->p == c->lim)
            return starved(c, why);
        if (!is_digit((unsigned char)*c->p))
            return reject(c, BL_HTTP_REASON_STATUS, why);
        v = v * 10 + (*c->p - '0');
    }
    if (v < 100 || v > 599)
        return fail(why, BL_HTTP_REASON_STATUS);
    if (c->p == c->lim)
        return starved(c, why);
    if (*c->p != ' ' && *c->p != '\r')
        return reject(c, BL_HTTP_REASON_STATUS, why);
    *status = v;
    return 0;
}

/* HTTP-version SP status-code [SP reason-phrase] CRLF. The SP before an empty
 * reason is required by the grammar but often left out; it changes no framing. */
static ssize_t parse_status_line(struct cur *c, struct bl_http_resp *resp, enum bl_http_reason *why)
{
    ssize_t r = parse_version(c, &resp->minor_version, why);

    if (r != 0)
        return r;
    if (c->p == c->lim)
        return starved(c, why);
    if (*c->p != ' ')
        return reject(c, BL_HTTP_REASON_SYNTAX, why);
    c->p++;
    r = parse_status_code(c, &resp->status, why);
    if (r != 0)
        return r;
    if (*c->p == ' ')
        c->p++;
    resp->reason = c->p;
    c->p = skip_while(c->p, c->lim, is_field_char);
    resp->reason_len = (size_t)(c->p - resp->reason);
    return expect_crlf(c, BL_HTTP_REASON_SYNTAX, why);
}

/* ---- framing fields ---- */

/* Next element of a comma-separated list, trimmed; empty elements are skipped
 * as RFC 9110 §5.6.1 asks. Returns false at the end of the list. */
static bool next_element(const char **p, const char *end, const char **elem, size_t *elem_len)
{
    const char *s = *p, *e;

    while (s < end && (*s == ',' || is_ws((unsigned char)*s)))
        s++;
    if (s == end)
        return false;
    e = memchr(s, ',', (size_t)(end - s));
    if (e == NULL)
        e = end;
    *p = e;
    while (is_ws((unsigned char)e[-1]))
        e--;
    *elem = s;
    *elem_len = (size_t)(e - s);
    return true;
}

/*
 * Content-Length: 1*DIGIT, or a list of them. RFC 9110 §8.6 lets a recipient
 * merge a list (or repeated lines) whose members all have the same value; we
 * do, and refuse anything else, including empty members and values >= 2^63.
 */
static bool merge_content_length(const struct bl_http_header *h, int64_t *cl)
{
    const char *p = h->value, *end = h->value + h->value_len;

    for (;;) {
        int64_t v = 0;
        const char *digits;
        p = skip_while(p, end, is_ws);
        digits = p;
        for (; p < end && is_digit((unsigned char)*p); p++) {
            if (v > (INT64_MAX - (*p - '0')) / 10)
                return false;
            v = v * 10 + (*p - '0');
        }
        if (p == digits || (*cl >= 0 && v != *cl))
            return false;
        *cl = v;
        p = skip_while(p, end, is_ws);
        if (p == end)
            return true;
        if (*p != ',')
            return false;
        p++;
    }
}

/* Transfer-Encoding: a list of codings, each a token with optional parameters. */
static void add_codings(const struct bl_http_header *h, struct fields *f)
{
    const char *p = h->value, *end = h->value + h->value_len, *e;
    size_t n;

    f->has_te = true;
    while (next_element(&p, end, &e, &n)) {
        const char *name_end = skip_while(e, e + n, is_tchar);
        const char *params = skip_while(name_end, e + n, is_ws);
        bool chunked = lit_eq_nocase(e, (size_t)(name_end - e), "chunked");
        if (name_end == e || (params != e + n && *params != ';'))
            f->te_malformed = true;
        if (chunked && (f->te_chunked || name_end != e + n))
            f->te_malformed = true; /* applied twice, or with parameters it has none of */
        f->te_chunked |= chunked;
        f->te_other |= !chunked;
        f->te_last_chunked = chunked;
        f->n_codings++;
    }
}

static void add_connection_tokens(const struct bl_http_header *h, struct fields *f)
{
    const char *p = h->value, *end = h->value + h->value_len, *e;
    size_t n;

    while (next_element(&p, end, &e, &n)) {
        f->conn_close |= lit_eq_nocase(e, n, "close");
        f->conn_keep_alive |= lit_eq_nocase(e, n, "keep-alive");
        f->conn_upgrade |= lit_eq_nocase(e, n, "upgrade");
    }
}

static ssize_t gather(const struct bl_http_header *h, size_t n, struct fields *f,
                      enum bl_http_reason *why)
{
    memset(f, 0, sizeof(*f));
    f->content_length = -1;
    for (size_t i = 0; i < n; i++) {
        if (bl_http_header_is(&h[i], "content-length")) {
            if (!merge_content_length(&h[i], &f->content_length))
                return fail(why, BL_HTTP_REASON_CONTENT_LENGTH);
        } else if (bl_http_header_is(&h[i], "transfer-encoding")) {
            add_codings(&h[i], f);
        } else if (bl_http_header_is(&h[i], "connection")) {
            add_connection_tokens(&h[i], f);
        } else if (bl_http_header_is(&h[i], "host")) {
            f->host = &h[i];
            f->n_host++;
        } else if (bl_http_header_is(&h[i], "upgrade")) {
            f->has_upgrade |= h[i].value_len > 0;
        } else if (bl_http_header_is(&h[i], "expect")) {
            f->expect_continue = lit_eq_nocase(h[i].value, h[i].value_len, "100-continue");
        }
    }
    return 0;
}

/*
 * Transfer-Encoding checks common to both directions (RFC 9112 §6.1, §6.3):
 * with Content-Length as well, the two framings could disagree between us and
 * the next hop, the classic smuggling setup, so we refuse rather than pick one;
 * in HTTP/1.0 chunked is unknown and the framing untrustworthy.
 */
static ssize_t check_te(const struct fields *f, int minor, enum bl_http_reason *why)
{
    if (f->content_length >= 0)
        return fail(why, BL_HTTP_REASON_CL_AND_TE);
    if (minor == 0 || f->te_malformed || f->n_codings == 0)
        return fail(why, BL_HTTP_REASON_TRANSFER_ENCODING);
    return 0;
}

static bool host_ok(const struct bl_http_header *h)
{
    return skip_while(h->value, h->value + h->value_len, is_host_char) == h->value + h->value_len;
}

static ssize_t judge_request(struct bl_http_req *req, enum bl_http_reason *why)
{
    struct fields f;
    ssize_t r = gather(req->headers, req->num_headers, &f, why);

    if (r != 0)
        return r;
    /* RFC 9112 §3.2: one Host, required in 1.1; a second one could route elsewhere. */
    if (f.n_host > 1 || (f.n_host == 0 && req->minor_version == 1) ||
        (f.host != NULL && !host_ok(f.host)))
        return fail(why, BL_HTTP_REASON_HOST);
    if (f.has_te) {
        r = check_te(&f, req->minor_version, why);
        if (r != 0)
            return r;
        if (!f.te_last_chunked)
            return fail(why, BL_HTTP_REASON_TRANSFER_ENCODING);
        if (f.te_other)
            return fail(why, BL_HTTP_REASON_TE_UNSUPPORTED);
        req->body = BL_HTTP_BODY_CHUNKED;
    } else if (f.content_length >= 0) {
        req->body = BL_HTTP_BODY_LENGTH;
    }
    if (f.host != NULL) {
        req->host = f.host->value;
        req->host_len = f.host->value_len;
    }
    req->content_length = f.content_length;
    req->is_chunked = req->body == BL_HTTP_BODY_CHUNKED;
    req->keep_alive = !f.conn_close && (req->minor_version == 1 || f.conn_keep_alive);
    /* RFC 9110 §10.1.1 and §7.8: both are ignored in HTTP/1.0 requests. */
    req->expect_continue = req->minor_version == 1 && f.expect_continue;
    req->is_upgrade = req->minor_version == 1 && f.conn_upgrade && f.has_upgrade;
    return 0;
}

/* RFC 9112 §6.3, in its order: the status and the request method come first. */
static enum bl_http_body response_body(const struct bl_http_resp *resp, const struct fields *f,
                                       unsigned req_flags)
{
    int s = resp->status;

    if (s == 101 || ((req_flags & BL_HTTP_RESP_F_CONNECT) && s >= 200 && s < 300))
        return BL_HTTP_BODY_TUNNEL;
    if (s < 200 || s == 204 || s == 304 || (req_flags & BL_HTTP_RESP_F_HEAD))
        return BL_HTTP_BODY_NONE;
    if (f->has_te)
        return f->te_last_chunked ? BL_HTTP_BODY_CHUNKED : BL_HTTP_BODY_CLOSE;
    if (f->content_length >= 0)
        return BL_HTTP_BODY_LENGTH;
    return BL_HTTP_BODY_CLOSE;
}

static ssize_t judge_response(struct bl_http_resp *resp, unsigned req_flags,
                              enum bl_http_reason *why)
{
    struct fields f;
    ssize_t r = gather(resp->headers, resp->num_headers, &f, why);

    if (r == 0 && f.has_te)
        r = check_te(&f, resp->minor_version, why);
    if (r != 0)
        return r;
    resp->content_length = f.content_length;
    resp->body = response_body(resp, &f, req_flags);
    resp->is_chunked = resp->body == BL_HTTP_BODY_CHUNKED;
    resp->keep_alive = !f.conn_close && (resp->minor_version == 1 || f.conn_keep_alive) &&
                       resp->body != BL_HTTP_BODY_CLOSE && resp->body != BL_HTTP_BODY_TUNNEL;
    return 0;
}

/* ---- entry points ---- */

/*
 * With a `last_len` hint, the previous call saw buf[0..last_len) and found no
 * fault and no end. Only a new LF can end a line (and so the head), and only
 * crossing a size limit can make "incomplete" an error; otherwise the answer
 * is still "incomplete", found without a full parse.
 */
static bool worth_parsing(const char *buf, size_t len, size_t last_len,
                          const struct bl_http_limits *L)
{
    if (last_len == 0 || last_len >= len || len >= L->max_header_bytes)
        return true;
    if (last_len < L->max_line_bytes && len >= L->max_line_bytes)
        return true;
    return memchr(buf + last_len, '\n', len - last_len) != NULL;
}

/* The start line's limit: the line limit, unless the head limit is tighter. */
static void start_line_limit(struct cur *c, const char *buf, size_t len,
                             const struct bl_http_limits *L)
{
    c->p = buf;
    if (L->max_line_bytes <= L->max_header_bytes)
        cur_limit(c, buf, len, L->max_line_bytes, BL_HTTP_REASON_LINE_TOO_LONG);
    else
        cur_limit(c, buf, len, L->max_header_bytes, BL_HTTP_REASON_HEADERS_TOO_LARGE);
}

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

ssize_t bl_http1_parse_request(const char *buf, size_t len, size_t last_len,
                               const struct bl_http_limits *lim, struct bl_http_req *req,
                               enum bl_http_reason *why)
{
    struct bl_http_limits L = bl_http_limits_resolve(lim);
    struct bl_http_header *headers = req->headers;
    size_t cap = req->headers_cap;
    enum bl_http_reason ignored;
    struct cur c;
    ssize_t r;

    if (why == NULL)
        why = &ignored;
    *why = BL_HTTP_REASON_NONE;
    if (!worth_parsing(buf, len, last_len, &L))
        return BL_HTTP_INCOMPLETE;
    memset(req, 0, sizeof(*req));
    req->headers = headers;
    req->headers_cap = cap;
    req->content_length = -1;
    start_line_limit(&c, buf, len, &L);
    r = parse_request_line(&c, req, why);
    if (r != 0)
        return r;
    cur_limit(&c, buf, len, L.max_header_bytes, BL_HTTP_REASON_HEADERS_TOO_LARGE);
    r = parse_fields(&c, headers, min_size(cap, L.max_headers), &req->num_headers, why);
    if (r == 0)
        r = judge_request(req, why);
    return r != 0 ? r : c.p - buf;
}

ssize_t bl_http1_parse_response(const char *buf, size_t len, size_t last_len,
                                const struct bl_http_limits *lim, unsigned req_flags,
                                struct bl_http_resp *resp, enum bl_http_reason *why)
{
    struct bl_http_limits L = bl_http_limits_resolve(lim);
    struct bl_http_header *headers = resp->headers;
    size_t cap = resp->headers_cap;
    enum bl_http_reason ignored;
    struct cur c;
    ssize_t r;

    if (why == NULL)
        why = &ignored;
    *why = BL_HTTP_REASON_NONE;
    if (!worth_parsing(buf, len, last_len, &L))
        return BL_HTTP_INCOMPLETE;
    memset(resp, 0, sizeof(*resp));
    resp->headers = headers;
    resp->headers_cap = cap;
    resp->content_length = -1;
    start_line_limit(&c, buf, len, &L);
    r = parse_status_line(&c, resp, why);
    if (r != 0)
        return r;
    cur_limit(&c, buf, len, L.max_header_bytes, BL_HTTP_REASON_HEADERS_TOO_LARGE);
    r = parse_fields(&c, headers, min_size(cap, L.max_headers), &resp->num_headers, why);
    if (r == 0)
        r = judge_response(resp, req_flags, why);
    return r != 0 ? r : c.p - buf;
}

struct bl_http_limits bl_http_limits_resolve(const struct bl_http_limits *lim)
{
    struct bl_http_limits L = {0};

    if (lim != NULL)
        L = *lim;
    if (L.max_line_bytes == 0)
        L.max_line_bytes = DEFAULT_MAX_LINE_BYTES;
    if (L.max_header_bytes == 0)
        L.max_header_bytes = DEFAULT_MAX_HEADER_BYTES;
    if (L.max_headers == 0)
        L.max_headers = DEFAULT_MAX_HEADERS;
    if (L.max_chunk_line_bytes == 0)
        L.max_chunk_line_bytes = DEFAULT_MAX_CHUNK_LINE_BYTES;
    return L;
}

int bl_http_reason_status(enum bl_http_reason r)
{
    switch (r) {
    case BL_HTTP_REASON_NONE:
        return 0;
    case BL_HTTP_REASON_VERSION:
        return 505;
    case BL_HTTP_REASON_LINE_TOO_LONG:
        return 414;
    case BL_HTTP_REASON_HEADERS_TOO_LARGE:
    case BL_HTTP_REASON_TOO_MANY_HEADERS:
        return 431;
    case BL_HTTP_REASON_TE_UNSUPPORTED:
        return 501;
    default:
        return 400;
    }
}

const char *bl_http_reason_name(enum bl_http_reason r)
{
    static const char *const names[] = {
        [BL_HTTP_REASON_NONE] = "none",
        [BL_HTTP_REASON_SYNTAX] = "syntax",
        [BL_HTTP_REASON_METHOD] = "method",
        [BL_HTTP_REASON_TARGET] = "target",
        [BL_HTTP_REASON_VERSION] = "version",
        [BL_HTTP_REASON_LINE_TOO_LONG] = "line_too_long",
        [BL_HTTP_REASON_HEADERS_TOO_LARGE] = "headers_too_large",
        [BL_HTTP_REASON_TOO_MANY_HEADERS] = "too_many_headers",
        [BL_HTTP_REASON_HEADER_NAME] = "header_name",
        [BL_HTTP_REASON_SPACE_BEFORE_COLON] = "space_before_colon",
        [BL_HTTP_REASON_HEADER_VALUE] = "header_value",
        [BL_HTTP_REASON_OBS_FOLD] = "obs_fold",
        [BL_HTTP_REASON_BARE_CR] = "bare_cr",
        [BL_HTTP_REASON_BARE_LF] = "bare_lf",
        [BL_HTTP_REASON_NUL] = "nul",
        [BL_HTTP_REASON_CONTENT_LENGTH] = "content_length",
        [BL_HTTP_REASON_CL_AND_TE] = "cl_and_te",
        [BL_HTTP_REASON_TRANSFER_ENCODING] = "transfer_encoding",
        [BL_HTTP_REASON_TE_UNSUPPORTED] = "te_unsupported",
        [BL_HTTP_REASON_HOST] = "host",
        [BL_HTTP_REASON_STATUS] = "status",
        [BL_HTTP_REASON_CHUNK_SIZE] = "chunk_size",
        [BL_HTTP_REASON_CHUNK_LINE_TOO_LONG] = "chunk_line_too_long",
        [BL_HTTP_REASON_CHUNK_DATA] = "chunk_data",
    };

    if ((unsigned)r >= sizeof(names) / sizeof(names[0]) || names[r] == NULL)
        return "unknown";
    return names[r];
}

bool bl_http_header_is(const struct bl_http_header *h, const char *lname)
{
    return lit_eq_nocase(h->name, h->name_len, lname);
}

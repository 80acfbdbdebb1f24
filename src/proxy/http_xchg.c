/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The exchange half of the HTTP proxy (see http.c for the whole): a request
 * head is parsed, rewritten and routed to a member, over an idle connection
 * from the worker's pool or a new one; the response head is parsed and
 * rewritten for the client; bodies stream through (hflow.h); failures before
 * the response starts are retried on another member or answered by ballast.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"
#include "lb/outlier.h"
#include "lb/pool.h"
#include "proxy/http_msg.h"
#include "proxy/http_sess.h"
#include "proxy/l7.h"

static void start_member(struct bl_hsess *s);
static int connect_member(struct bl_hsess *s);

/* ---- responses ballast makes -------------------------------------------------------------- */

static enum bl_reply_kind reply_kind(int status)
{
    switch (status) {
    case 403:
        return BL_REPLY_403;
    case 408:
        return BL_REPLY_408;
    case 502:
        return BL_REPLY_502;
    case 503:
        return BL_REPLY_503;
    case 504:
        return BL_REPLY_504;
    default:
        return status < 400 ? BL_REPLY_REDIRECT : BL_REPLY_400;
    }
}

/*
 * Answers the current request with a response of ballast's own. The client
 * connection is kept only when it asked for it and its request body, if any,
 * has been read whole (otherwise the rest of the body would be taken for the
 * next request).
 */
struct bl_hflow *bl_hs_reply_begin(struct bl_hsess *s, int status, bool close)
{
    struct bl_hflow *f = &s->resp;

    bl_hs_detach_member(s, false, false);
    if (close || s->req.st != BL_BODY_DONE || s->req.eof)
        s->keep_alive = false;
    bl_stat_add(s->sl->st->responses[status / 100], 1);
    bl_hbuf_drop(&s->w->bufs, &f->in);
    bl_hbuf_drop(&s->w->bufs, &f->out);
    bl_hflow_drop_pipe(f, s->w);
    bl_hflow_drop_pipe(&s->req, s->w); /* a body still coming is drained by reads, if at all */
    bl_hflow_reset(f);
    bl_hbuf_ready(&s->w->bufs, &f->out);
    f->st = BL_BODY_DONE;
    s->resp_started = true;
    s->state = HS_REPLY;
    return f;
}

void bl_hs_reply(struct bl_hsess *s, int status, const char *location, bool close)
{
    struct bl_hflow *f = bl_hs_reply_begin(s, status, close);
    ssize_t n;

    bl_stat_add(s->sl->st->replies[reply_kind(status)], 1);
    n = bl_hmsg_reply(f->out.data, BL_HBUF_SIZE, status, location, !s->keep_alive);
    if (n < 0) { /* only a redirect URL can be this long: the parser bounds it */
        s->keep_alive = false;
        n = bl_hmsg_reply(f->out.data, BL_HBUF_SIZE, 500, NULL, true);
    }
    f->out.len = (uint32_t)n;
}

/* ---- member failures and retries ----------------------------------------------------------- */

/* A 5xx answer counts towards the member's ejection as a failed connect does
 * (Envoy's consecutive_5xx), but not in its connect-error counter. */
static void note_5xx(struct bl_hsess *s)
{
    bl_worker_member_failure(s->pool, bl_hs_member_st(s), bl_loop_now_ms(s->w->loop));
}

static void count_member_error(struct bl_hsess *s)
{
    struct bl_member_state *st = bl_hs_member_st(s);

    if (st == NULL)
        return;
    bl_stat_add(st->conn_errors, 1);
    note_5xx(s);
}

/* Puts the whole request back in req.out to be sent again. */
static bool rewind_request(struct bl_hsess *s)
{
    if (s->replay_len == 0 || s->req.out.data == NULL)
        return false;
    s->req.out.off = 0;
    s->req.out.len = s->replay_len;
    return true;
}

/*
 * May the request go again? Before the connect completed nothing was sent,
 * so always; after, only a whole, idempotent request (RFC 9110 §9.2.2): the
 * member may have acted on it already.
 */
static bool can_resend(struct bl_hsess *s, bool sent)
{
    if (!sent)
        return true;
    return s->idempotent && rewind_request(s);
}

/* Does the pool's retry policy cover this failure? */
static bool policy_retries(const struct bl_hsess *s, enum bl_hs_fail why, bool sent)
{
    unsigned on = s->pool->cfg->retry.on;

    if (!sent)
        return on & BL_RETRY_CONNECT;
    switch (why) {
    case FAIL_TIMEOUT:
        return on & BL_RETRY_TIMEOUT;
    case FAIL_5XX:
        return on & BL_RETRY_5XX;
    default:
        return on & BL_RETRY_RESET;
    }
}

/*
 * A pooled connection that closes before answering was most likely closed by
 * the member while idle (keep-alive race): the request goes again on a new
 * connection to the same member, once, without blaming it. Otherwise another
 * member is tried while retries remain and the request may go again; else the
 * client gets 502, or 504 after a timeout.
 */
void bl_hs_member_failed(struct bl_hsess *s, enum bl_hs_fail why)
{
    bool sent = s->state != HS_CONNECT;
    bool stale =
        why == FAIL_CLOSED && s->reused && !s->stale_retried && bl_hbuf_used(&s->resp.in) == 0;

    if (why == FAIL_5XX)
        note_5xx(s);
    else if (!stale)
        count_member_error(s);
    bl_hs_detach_member(s, false, why != FAIL_5XX);
    bl_hbuf_drop(&s->w->bufs, &s->resp.in);
    bl_hflow_drop_pipe(&s->resp, s->w);
    bl_hflow_reset(&s->resp);
    s->fail_status = why == FAIL_TIMEOUT ? 504 : 502;
    if (stale && rewind_request(s)) {
        s->stale_retried = true;
        if (connect_member(s) == 0)
            return;
    }
    if (s->retries_left > 0 && policy_retries(s, why, sent) && can_resend(s, sent)) {
        s->retries_left--;
        bl_stat_add(s->sl->st->retries, 1);
        start_member(s);
        return;
    }
    bl_hs_reply(s, s->fail_status, NULL, true);
}

/* ---- member connections -------------------------------------------------------------------- */

static void attach(struct bl_hsess *s, struct bl_hconn *c, bool reused)
{
    s->up = c;
    c->sess = s;
    c->io.cb = bl_hs_on_member;
    s->reused = reused;
    s->up_reusable = false;
    s->srv_seen_ms = s->try_ms = bl_loop_now_ms(s->w->loop);
    bl_stat_add(bl_hs_member_st(s)->active, 1);
}

/* Opens a new connection to the current member. Returns 0 or -errno. */
static int connect_member(struct bl_hsess *s)
{
    struct bl_hconn *c;
    int rc = bl_up_connect(&s->w->up, &s->pool->members[s->member].cfg->addr, s->pool->tls_client,
                           bl_hs_on_member, &c);

    if (rc < 0) {
        count_member_error(s);
        return rc;
    }
    attach(s, c, false);
    s->state = HS_CONNECT;
    return 0;
}

/* The persisted member first, if it can take the request; else the algorithm's pick. */
static int pick(struct bl_hsess *s)
{
    int m = s->persist.member;

    s->persist.member = -1; /* a retry balances */
    if (m >= 0 && !bl_lb_tried_has(&s->tried, (uint32_t)m))
        return m;
    return bl_lb_pick(&s->pool->lb, s->hash, &s->tried);
}

/* Picks a member not tried yet and sends the staged request to it, over an
 * idle connection from the pool or a new one. */
static void start_member(struct bl_hsess *s)
{
    while (s->tried.n < BL_LB_MAX_TRIES) {
        int m = pick(s);
        struct bl_hconn *c;
        if (m < 0)
            break;
        s->member = m;
        s->tried.idx[s->tried.n++] = (uint32_t)m;
        bl_stat_add(bl_hs_member_st(s)->total, 1);
        bl_persist_chosen(s->pool, &s->persist, m, bl_loop_now_ms(s->w->loop));
        c = bl_up_take(&s->w->up, &s->pool->members[m].cfg->addr, s->pool->tls_client);
        if (c != NULL) {
            attach(s, c, true); /* pooled: connected, TLS (if any) up */
            s->state = HS_EXCHANGE;
            return;
        }
        if (connect_member(s) == 0)
            return;
    }
    s->member = -1;
    /* After a member failure the client connection closes, as after any 5xx
     * ballast sends on a member's behalf; "no member at all" keeps it. */
    if (s->tried.n == 0)
        bl_hs_reply(s, 503, NULL, false);
    else
        bl_hs_reply(s, s->fail_status, NULL, true);
}

/* ---- requests ------------------------------------------------------------------------------ */

static bool method_is(const struct bl_http_req *r, const char *m)
{
    size_t n = strlen(m);
    return r->method_len == n && memcmp(r->method, m, n) == 0;
}

static bool method_idempotent(const struct bl_http_req *r)
{
    return method_is(r, "GET") || method_is(r, "HEAD") || method_is(r, "OPTIONS") ||
           method_is(r, "TRACE") || method_is(r, "PUT") || method_is(r, "DELETE");
}

/* Writes the member-bound head to req.out. Returns 0 or -ENOSPC. */
static int stage_head(struct bl_hsess *s, const struct bl_http_req *req)
{
    struct bl_hreq_ctx ctx = {
        .peer = &s->peer,
        .dst_port = s->sl->cfg->port,
        .insert = s->sl->cfg->insert_headers,
        .tls = s->tls != NULL,
        .upstream_close = false,
    };
    struct bl_hflow *f = &s->req;
    char ssl[2048];
    ssize_t n;

    if (s->tls != NULL && (ctx.insert & BL_XH_SSL_ANY)) {
        int k = bl_tls_client_headers(s->tls, ctx.insert & BL_XH_SSL_ANY, ssl, sizeof(ssl));
        if (k < 0)
            return k;
        ctx.extra = ssl;
        ctx.extra_len = (size_t)k;
    }
    bl_hbuf_ready(&s->w->bufs, &f->out);
    n = bl_hmsg_request(f->out.data, BL_HBUF_SIZE, req, &ctx);
    if (n < 0)
        return (int)n;
    f->out.off = 0;
    f->out.len = (uint32_t)n;
    return 0;
}

/* A request that came whole, small enough to keep: copy its body next to the
 * head, so the request can be sent again (retries) from req.out alone. */
static void keep_for_replay(struct bl_hsess *s)
{
    struct bl_hflow *f = &s->req;

    s->replay_len = 0;
    if (bl_hflow_scan(f) < 0 || f->st != BL_BODY_DONE || f->fwd > BL_HBUF_SIZE - f->out.len)
        return;
    memcpy(f->out.data + f->out.len, f->in.data + f->in.off, f->fwd);
    f->out.len += (uint32_t)f->fwd;
    bl_hbuf_consume(&f->in, f->fwd);
    f->fwd = 0;
    s->replay_len = f->out.len;
}

/* Applies the listener's L7 policies. Returns false when the request was answered. */
static bool apply_l7(struct bl_hsess *s, const struct bl_http_req *req)
{
    struct bl_l7_input in = {
        .req = req,
        .tls = s->tls != NULL,
        .peer_cert = s->tls ? bl_tls_peer_cert(s->tls) : NULL,
        .verify_result = s->tls ? bl_tls_verify_result(s->tls) : 0,
    };
    struct bl_l7_verdict v;
    char loc[2048];

    s->pool = s->sl->pool;
    if (s->sl->nl7 == 0)
        return true;
    bl_l7_eval(s->sl, &in, &v);
    switch (v.action) {
    case BL_L7_REJECT:
        bl_hs_reply(s, 403, NULL, false);
        return false;
    case BL_L7_REDIRECT_URL:
    case BL_L7_REDIRECT_PREFIX:
        if (bl_l7_location(&v, req, loc, sizeof(loc)) < 0)
            bl_hs_reply(s, 414, NULL, true); /* the target is too long to redirect */
        else
            bl_hs_reply(s, v.http_code, loc, false);
        return false;
    default:
        s->pool = v.pool;
        return true;
    }
}

/* Plain TCP both ways and a body longer than a buffer: it is spliced once `in` is empty. */
static bool may_splice(const struct bl_hsess *s, enum bl_http_body body, int64_t length,
                       bool member_plain)
{
    return body == BL_HTTP_BODY_LENGTH && length > BL_HFLOW_SPLICE_MIN && s->tls == NULL &&
           member_plain;
}

static void route(struct bl_hsess *s, const struct bl_http_req *req)
{
    if (s->sl->cfg->proto == BL_PROTO_PROMETHEUS) {
        bl_hs_prom(s, req); /* answered here, from no pool */
        return;
    }
    if (!apply_l7(s, req))
        return;
    if (s->pool == NULL) {
        bl_hs_reply(s, 503, NULL, false);
        return;
    }
    if (s->pool->hash_client)
        s->hash = bl_addr_hash(&s->peer, s->pool->hash_port);
    bl_persist_find(s->pool, &s->peer, req, bl_loop_now_ms(s->w->loop), &s->persist);
    s->retries_left = s->pool->cfg->retry.num_retries;
    s->tried.n = 0;
    s->tried.ignore_health = false;
    s->fail_status = 502;
    s->stale_retried = false;
    s->req.splice = may_splice(s, req->body, req->content_length, s->pool->tls_client == NULL);
    start_member(s);
}

static void take_request_head(struct bl_hsess *s, const struct bl_http_req *req, size_t head_len)
{
    struct bl_hflow *f = &s->req;

    bl_stat_add(s->sl->st->requests, 1);
    s->client_minor = (uint8_t)req->minor_version;
    s->keep_alive = req->keep_alive;
    s->client_close = !req->keep_alive;
    s->is_head = method_is(req, "HEAD");
    s->is_upgrade = req->is_upgrade;
    s->idempotent = method_idempotent(req);
    s->resp_started = false;
    bl_hflow_reset(&s->resp);
    if (method_is(req, "CONNECT")) {
        bl_hbuf_consume(&f->in, head_len);
        f->st = BL_BODY_DONE;
        bl_hs_reply(s, 405, NULL, true);
        return;
    }
    if (stage_head(s, req) < 0) {
        bl_hbuf_consume(&f->in, head_len);
        bl_stat_add(s->sl->st->request_errors, 1);
        bl_hs_reply(s, 431, NULL, true);
        return;
    }
    bl_hbuf_consume(&f->in, head_len);
    bl_hflow_body(f, req->body, req->content_length);
    keep_for_replay(s);
    route(s, req);
}

/* Parses the request head in req.in. Returns true when the session moved on. */
static bool parse_request(struct bl_hsess *s)
{
    struct bl_http_header hdrs[BL_HFLOW_MAX_HEADERS];
    struct bl_http_req req = {.headers = hdrs, .headers_cap = BL_HFLOW_MAX_HEADERS};
    struct bl_hflow *f = &s->req;
    enum bl_http_reason why;
    ssize_t n;

    if (bl_hbuf_used(&f->in) == 0)
        return false;
    if (s->head_ms == 0)
        s->head_ms = bl_loop_now_ms(s->w->loop);
    n = bl_http1_parse_request(f->in.data + f->in.off, bl_hbuf_used(&f->in), f->parsed,
                               &bl_hflow_limits, &req, &why);
    if (n == BL_HTTP_INCOMPLETE) {
        f->parsed = (uint32_t)bl_hbuf_used(&f->in);
        return false;
    }
    f->parsed = 0;
    s->head_ms = 0;
    if (n == BL_HTTP_ERROR) {
        bl_stat_add(s->sl->st->request_errors, 1);
        if (bl_log_enabled(BL_LOG_DEBUG)) {
            char ps[BL_ADDR_STRLEN];
            bl_log(BL_LOG_DEBUG, "%s: client %s: bad request: %s", s->sl->label,
                   bl_addr_str(&s->peer, ps), bl_http_reason_name(why));
        }
        f->st = BL_BODY_HEAD; /* nothing of it is trusted: the connection closes */
        bl_hs_reply(s, bl_http_reason_status(why), NULL, true);
        return true;
    }
    take_request_head(s, &req, (size_t)n);
    return true;
}

/* ---- responses ----------------------------------------------------------------------------- */

static bool retry_5xx(const struct bl_hsess *s, int status)
{
    return status >= 500 && (s->pool->cfg->retry.on & BL_RETRY_5XX) && s->idempotent &&
           s->replay_len > 0 && s->retries_left > 0 && s->pool->nmembers > s->tried.n;
}

/* A 1xx other than 101: passed on to HTTP/1.1 clients (100-continue), dropped for 1.0. */
static void take_interim(struct bl_hsess *s, const struct bl_http_resp *resp, size_t head_len)
{
    struct bl_hresp_ctx ctx = {.close = false, .client_minor = 1};
    struct bl_hflow *f = &s->resp;
    ssize_t n;

    if (s->client_minor >= 1 && !bl_hflow_pending(f)) {
        bl_hbuf_ready(&s->w->bufs, &f->out);
        n = bl_hmsg_response(f->out.data, BL_HBUF_SIZE, resp, &ctx);
        if (n > 0)
            f->out.len = (uint32_t)n;
    }
    bl_hbuf_consume(&f->in, head_len);
}

static void take_response_head(struct bl_hsess *s, const struct bl_http_resp *resp, size_t head_len)
{
    struct bl_hflow *f = &s->resp;
    struct bl_hresp_ctx ctx = {.client_minor = s->client_minor};
    bool upgrade = resp->status == 101;
    char cookie[128];
    ssize_t n;

    /* A body delimited by close, or a request body still coming: the client
     * connection cannot carry another exchange. */
    if (resp->body == BL_HTTP_BODY_CLOSE || s->req.st != BL_BODY_DONE)
        s->keep_alive = false;
    s->up_reusable = resp->keep_alive && resp->body != BL_HTTP_BODY_CLOSE && !upgrade;
    ctx.close = !s->keep_alive && !upgrade;
    ctx.extra = cookie;
    ctx.extra_len = bl_persist_response(s->pool, &s->persist, s->member, resp,
                                        bl_loop_now_ms(s->w->loop), cookie, sizeof(cookie));
    bl_hbuf_ready(&s->w->bufs, &f->out);
    n = bl_hmsg_response(f->out.data + f->out.len, BL_HBUF_SIZE - f->out.len, resp, &ctx);
    if (n < 0) {
        bl_hs_member_failed(s, FAIL_BAD);
        return;
    }
    f->out.len += (uint32_t)n;
    bl_hbuf_consume(&f->in, head_len);
    s->resp_started = true;
    bl_stat_add(s->sl->st->responses[resp->status / 100], 1);
    if (resp->status >= 500)
        note_5xx(s);
    else
        bl_outlier_success(bl_hs_member_st(s));
    if (upgrade) {
        s->state = HS_TUNNEL;
        f->st = s->req.st = BL_BODY_TUNNEL;
        return;
    }
    bl_hflow_body(f, resp->body, resp->content_length);
    f->splice = may_splice(s, resp->body, resp->content_length, s->up->tls == NULL);
}

/* Parses the response head in resp.in. Returns true when the session moved on. */
static bool parse_response(struct bl_hsess *s)
{
    struct bl_http_header hdrs[BL_HFLOW_MAX_HEADERS];
    struct bl_http_resp resp = {.headers = hdrs, .headers_cap = BL_HFLOW_MAX_HEADERS};
    struct bl_hflow *f = &s->resp;
    unsigned flags = s->is_head ? BL_HTTP_RESP_F_HEAD : 0;
    ssize_t n;

    n = bl_http1_parse_response(f->in.data + f->in.off, bl_hbuf_used(&f->in), f->parsed,
                                &bl_hflow_limits, flags, &resp, NULL);
    if (n == BL_HTTP_INCOMPLETE) {
        f->parsed = (uint32_t)bl_hbuf_used(&f->in);
        return false;
    }
    f->parsed = 0;
    if (n == BL_HTTP_ERROR || (resp.status == 101 && !s->is_upgrade)) {
        bl_hs_member_failed(s, FAIL_BAD);
        return true;
    }
    if (resp.status < 200 && resp.status != 101) {
        take_interim(s, &resp, (size_t)n);
        return true;
    }
    if (retry_5xx(s, resp.status)) {
        bl_hs_member_failed(s, FAIL_5XX);
        return true;
    }
    take_response_head(s, &resp, (size_t)n);
    return true;
}

/* ---- moving the session forward -------------------------------------------------------------- */

/* Both messages are complete and delivered: the member connection goes back
 * to the pool and the client may send its next request. */
static void finish_exchange(struct bl_hsess *s)
{
    struct bl_hbuf_cache *bc = &s->w->bufs;
    bool reuse = s->up_reusable && bl_hbuf_used(&s->resp.in) == 0 && !s->resp.eof;

    bl_hs_detach_member(s, reuse, false);
    bl_hbuf_drop(bc, &s->req.out);
    bl_hbuf_drop(bc, &s->resp.in);
    bl_hbuf_release(bc, &s->resp.out);
    bl_hbuf_release(bc, &s->req.in);
    s->replay_len = 0;
    s->member = -1;
    bl_hflow_reset(&s->req);
    bl_hflow_reset(&s->resp);
    if (!s->keep_alive || s->req.eof) {
        bl_hs_close_client(s);
        return;
    }
    s->state = HS_HEAD;
}

/* Sends what `f` holds to `fd` (over `tls` unless NULL); stamps `seen`. Returns 0 or -errno. */
static int push(struct bl_hsess *s, struct bl_hflow *f, int fd, struct bl_tls_conn *tls,
                uint64_t *seen)
{
    ssize_t n;

    if (!bl_hflow_pending(f))
        return 0;
    n = bl_hflow_flush(f, s->w, fd, tls);
    if (n < 0)
        return (int)n;
    if (n > 0)
        *seen = bl_loop_now_ms(s->w->loop);
    return 0;
}

/* Request side of an exchange. Returns false when the session ended or moved on. */
static bool exchange_up(struct bl_hsess *s)
{
    struct bl_hflow *f = &s->req;

    if (bl_hflow_scan(f) < 0) {
        bl_hs_finalize(s, END_PROTOCOL);
        return false;
    }
    if (push(s, f, s->up->io.fd, s->up->tls, &s->srv_seen_ms) < 0) {
        if (s->resp_started || bl_hbuf_used(&s->resp.in) > 0)
            bl_hs_finalize(s, END_MEMBER_RESET);
        else
            bl_hs_member_failed(s, FAIL_CLOSED);
        return false;
    }
    if (f->eof && f->st != BL_BODY_DONE) {
        bl_hs_finalize(s, END_CLIENT_RESET); /* the client left in the middle of its body */
        return false;
    }
    return true;
}

/* Response side of an exchange: -1 the session ended or moved on, 0 waiting, 1 moved. */
static int exchange_down(struct bl_hsess *s)
{
    struct bl_hflow *f = &s->resp;

    if (f->st == BL_BODY_HEAD) {
        if (bl_hbuf_used(&f->in) > 0 && parse_response(s)) {
            if (s->state != HS_EXCHANGE)
                return -1; /* retried, answered by ballast, or switched to a tunnel */
            if (f->st == BL_BODY_HEAD)
                return 1; /* an interim response: the final one may follow in the buffer */
        } else if (f->eof) {
            bl_hs_member_failed(s, FAIL_CLOSED);
            return -1;
        } else {
            /* Only an interim response (100 Continue) can be waiting here. */
            if (push(s, f, s->cli.fd, s->tls, &s->cli_seen_ms) < 0) {
                bl_hs_finalize(s, END_CLIENT_RESET);
                return -1;
            }
            return 0;
        }
    }
    if (bl_hflow_scan(f) < 0) {
        bl_hs_finalize(s, END_PROTOCOL);
        return -1;
    }
    if (f->eof && f->st == BL_BODY_CLOSE && f->fwd == bl_hbuf_used(&f->in))
        f->st = BL_BODY_DONE;
    if (push(s, f, s->cli.fd, s->tls, &s->cli_seen_ms) < 0) {
        bl_hs_finalize(s, END_CLIENT_RESET);
        return -1;
    }
    if (f->eof && f->st != BL_BODY_DONE) {
        bl_hs_finalize(s, END_MEMBER_RESET); /* truncated: the client must not take it as whole */
        return -1;
    }
    return 0;
}

static bool step_exchange(struct bl_hsess *s)
{
    int down;

    if (!exchange_up(s))
        return s->state != HS_CLOSED;
    down = exchange_down(s);
    if (down != 0)
        return s->state != HS_CLOSED;
    if (s->req.st == BL_BODY_DONE && s->resp.st == BL_BODY_DONE && !bl_hflow_pending(&s->req) &&
        !bl_hflow_pending(&s->resp)) {
        finish_exchange(s);
        return true;
    }
    return false;
}

/* After a protocol switch: bytes both ways, FIN passed on once a side is drained. */
static bool step_tunnel(struct bl_hsess *s)
{
    struct bl_hflow *flows[2] = {&s->req, &s->resp};
    int fds[2] = {s->up->io.fd, s->cli.fd};
    struct bl_tls_conn *tls[2] = {s->up->tls, s->tls};

    for (int i = 0; i < 2; i++) {
        struct bl_hflow *f = flows[i];
        bl_hflow_scan(f);
        if (push(s, f, fds[i], tls[i], i ? &s->cli_seen_ms : &s->srv_seen_ms) < 0) {
            bl_hs_finalize(s, i ? END_CLIENT_RESET : END_MEMBER_RESET);
            return false;
        }
        if (f->eof && !bl_hflow_pending(f) && !f->shut) {
            if (tls[i] != NULL)
                bl_tls_shutdown(tls[i]);
            shutdown(fds[i], SHUT_WR);
            f->shut = true;
        }
    }
    if (s->req.shut && s->resp.shut)
        bl_hs_finalize(s, END_DONE);
    return false;
}

static bool step_reply(struct bl_hsess *s)
{
    struct bl_hflow *f = &s->resp;

    if (push(s, f, s->cli.fd, s->tls, &s->cli_seen_ms) < 0 ||
        (!bl_hflow_pending(f) && bl_hs_push_body(s) < 0)) {
        bl_hs_finalize(s, END_CLIENT_RESET);
        return false;
    }
    if (bl_hflow_pending(f) || s->body != NULL)
        return false;
    if (!s->keep_alive) {
        bl_hs_close_client(s);
        return false;
    }
    bl_hbuf_release(&s->w->bufs, &f->out);
    bl_hflow_reset(&s->req);
    bl_hflow_reset(f);
    s->state = HS_HEAD;
    return true;
}

/* TERMINATED_HTTPS: the handshake; a client refused by allowed_cidrs gets its 403 after it. */
static bool step_handshake(struct bl_hsess *s)
{
    int rc = bl_tls_handshake(s->tls);

    if (rc == -EAGAIN)
        return false;
    if (rc < 0) {
        bl_stat_add(s->sl->st->request_errors, 1);
        if (bl_log_enabled(BL_LOG_DEBUG)) {
            char ps[BL_ADDR_STRLEN];
            bl_log(BL_LOG_DEBUG, "%s: client %s: TLS handshake failed: %s", s->sl->label,
                   bl_addr_str(&s->peer, ps), bl_tls_error(s->tls));
        }
        bl_hs_finalize(s, END_CLIENT_RESET);
        return false;
    }
    s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
    if (s->denied)
        bl_hs_deny(s);
    else
        s->state = HS_HEAD;
    return true;
}

void bl_hs_deny(struct bl_hsess *s)
{
    s->req.st = BL_BODY_DONE; /* nothing of the client is read: close after the 403 */
    bl_hs_reply(s, 403, NULL, true);
}

/* One move; returns true when another may follow at once. */
bool bl_hs_step(struct bl_hsess *s)
{
    switch (s->state) {
    case HS_HANDSHAKE:
        return step_handshake(s);
    case HS_HEAD:
        if (parse_request(s))
            return true;
        if (s->req.eof) /* a client that leaves between requests is done */
            bl_hs_finalize(s, bl_hbuf_used(&s->req.in) == 0 ? END_DONE : END_CLIENT_RESET);
        return false;
    case HS_EXCHANGE:
        return step_exchange(s);
    case HS_TUNNEL:
        return step_tunnel(s);
    case HS_REPLY:
        return step_reply(s);
    case HS_LINGER:
        bl_hbuf_drop(&s->w->bufs, &s->req.in);
        if (s->req.eof)
            bl_hs_finalize(s, END_DONE);
        return false;
    default:
        return false;
    }
}

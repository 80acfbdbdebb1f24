/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP/1.1 proxy: one session per client connection, carrying one
 * exchange (request up, response down) at a time over member connections
 * taken from the worker's keep-alive pool (upstream.h).
 *
 * Each direction is a `flow`: bytes read from the source land in `in`; a
 * rewritten head (http_msg.h) is written to `out`; body bytes are not copied
 * but counted in `fwd` as they are found in `in` (by length, or by the
 * chunked decoder, which reads the framing and leaves it in place), then
 * sent with the head in one sendmsg(). A whole small request is copied to
 * `out` instead, so that it can be sent again to another member (retries).
 *
 * Event handlers only read; everything else happens in run(), which moves
 * the session forward until it waits on the network, then sets the epoll
 * interest from what each flow holds. Member connections stay registered for
 * reading across exchanges and client connections for reading while they have
 * room, so a keep-alive request costs no epoll_ctl.
 *
 * Errors become proper responses while nothing of the response has gone out:
 * 400 (malformed, from the parser), 403 (allowed_cidrs, L7 REJECT), 408
 * (request head too slow), 502 (member refused, reset or answered nonsense),
 * 503 (no usable member), 504 (member too slow); later, the connection is cut.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "http/chunked.h"
#include "http/http1.h"
#include "lb/outlier.h"
#include "lb/pool.h"
#include "net/sock.h"
#include "proxy/http_msg.h"
#include "proxy/worker.h"

#define MAX_HEAD_BYTES (BL_HBUF_SIZE - 2048) /* room left for the headers ballast adds */
#define MAX_HEADERS 100
#define LINGER_MS 1000   /* after a final response, how long a client may keep sending */
#define ACCEPT_BURST 32

static const struct bl_http_limits limits = {
    .max_line_bytes = 8192,
    .max_header_bytes = MAX_HEAD_BYTES,
    .max_headers = MAX_HEADERS,
};

enum hs_state {
    HS_HEAD = 0, /* waiting for a request head */
    HS_CONNECT,  /* request staged; member connect in flight */
    HS_EXCHANGE, /* request going up, response coming down */
    HS_TUNNEL,   /* after 101 Switching Protocols: bytes both ways */
    HS_REPLY,    /* sending a response ballast made */
    HS_LINGER,   /* final response sent and write side shut: draining the client */
    HS_CLOSED,   /* finalized; freed at the end of the loop iteration */
};

/* Where a flow is in its message. */
enum body_st {
    B_HEAD = 0, /* no head yet */
    B_LENGTH,   /* `left` body bytes to come */
    B_CHUNKED,  /* chunked body: the decoder finds its end */
    B_CLOSE,    /* response body until the member closes */
    B_TUNNEL,   /* opaque bytes after a protocol switch */
    B_DONE,     /* message complete */
};

enum hs_end {
    END_DONE = 0,   /* clean close */
    END_CLIENT_RESET, /* client error, reset or premature close */
    END_MEMBER_RESET, /* member failed after the response started */
    END_TIMEOUT,
    END_SHUTDOWN,
    END_PROTOCOL, /* framing error in a body */
};

static const char *const end_names[] = {"done", "client reset", "member reset", "timeout",
                                        "shutdown", "protocol error"};

struct flow {
    struct bl_hbuf in;   /* bytes read from the source */
    struct bl_hbuf out;  /* head (or whole small request) for the destination */
    size_t fwd;          /* bytes at in.off that are body, to send after `out` */
    uint64_t left;       /* B_LENGTH: body bytes not yet found in `in` */
    size_t parsed;       /* head bytes the parser saw last time (its `last_len`) */
    struct bl_http_chunked ck;
    uint8_t st;          /* enum body_st */
    bool eof;            /* the source sent FIN */
    bool shut;           /* FIN forwarded (tunnel) */
};

struct bl_hsess {
    struct bl_list node; /* in w->hsessions */
    struct bl_worker *w;
    struct bl_snapshot *snap; /* reference: keeps sl, pools and members alive */
    struct bl_snap_listener *sl;
    struct bl_snap_pool *pool; /* of the current request */
    struct bl_hconn *up;       /* member connection, NULL when none */
    struct bl_io cli;
    struct flow req, resp;
    struct bl_timer timer;
    struct bl_lb_tried tried;
    int member;                /* index in pool->members, -1 = none */
    uint64_t cli_seen_ms;      /* last byte to or from the client */
    uint64_t srv_seen_ms;      /* last byte to or from the member; connect start */
    uint64_t head_ms;          /* first byte of the current request head, 0 = none yet */
    uint64_t hash;             /* client hash for SOURCE_IP* */
    struct bl_addr peer;
    uint32_t replay_len;       /* whole request in req.out[0..replay_len), 0 = not replayable */
    uint8_t state;             /* enum hs_state */
    uint8_t retries_left;
    uint8_t client_minor;
    bool keep_alive;           /* the client connection stays open after this exchange */
    bool idempotent;           /* method safe to send twice (RFC 9110 §9.2.2) */
    bool is_head, is_upgrade;
    bool reused;               /* the member connection carried an exchange before */
    bool stale_retried;        /* a reused connection already failed for this request */
    bool resp_started;         /* a final response head went to the client */
    bool up_reusable;          /* the member allows another exchange on the connection */
    struct bl_defer free_d;
};

static void run(struct bl_hsess *s);
static void on_member(struct bl_loop *loop, struct bl_io *io, uint32_t events);
static void start_member(struct bl_hsess *s);
static int connect_member(struct bl_hsess *s);

/* ---- teardown ---------------------------------------------------------------------------- */

static void on_free(struct bl_loop *loop, struct bl_defer *d)
{
    struct bl_hsess *s = bl_container_of(d, struct bl_hsess, free_d);

    (void)loop;
    bl_snapshot_unref(s->snap);
    free(s);
}

static struct bl_member_state *member_st(const struct bl_hsess *s)
{
    return s->member >= 0 ? s->pool->members[s->member].st : NULL;
}

/* Lets go of the member connection: back to the pool when clean, else closed. */
static void detach_member(struct bl_hsess *s, bool reuse, bool reset)
{
    struct bl_hconn *c = s->up;

    if (c == NULL)
        return;
    s->up = NULL;
    bl_stat_add(member_st(s)->active, -1);
    if (reuse) {
        c->requests++;
        bl_up_put(&s->w->up, c);
    } else {
        bl_up_close(&s->w->up, c, reset);
    }
}

static void drop_buffers(struct bl_hsess *s)
{
    struct bl_hbuf_cache *bc = &s->w->bufs;

    bl_hbuf_drop(bc, &s->req.in);
    bl_hbuf_drop(bc, &s->req.out);
    bl_hbuf_drop(bc, &s->resp.in);
    bl_hbuf_drop(bc, &s->resp.out);
}

/* The single exit: closes both sides, settles counters, logs, queues the free. */
static void finalize(struct bl_hsess *s, enum hs_end why)
{
    struct bl_loop *loop = s->w->loop;
    bool reset = why == END_CLIENT_RESET || why == END_MEMBER_RESET || why == END_PROTOCOL;

    if (s->state == HS_CLOSED)
        return;
    s->state = HS_CLOSED;
    bl_timer_stop(loop, &s->timer);
    detach_member(s, false, reset);
    if (reset)
        bl_sock_set_reset(s->cli.fd);
    bl_io_close(loop, &s->cli);
    drop_buffers(s);
    bl_stat_add(s->sl->st->active, -1);
    if (bl_log_enabled(BL_LOG_DEBUG)) {
        char ps[BL_ADDR_STRLEN];
        bl_log(BL_LOG_DEBUG, "%s: client %s closed: %s", s->sl->label, bl_addr_str(&s->peer, ps),
               end_names[why]);
    }
    bl_list_remove(&s->node);
    bl_loop_defer(loop, &s->free_d, on_free);
}

void bl_http_close_all(struct bl_worker *w)
{
    while (!bl_list_empty(&w->hsessions))
        finalize(bl_container_of(w->hsessions.next, struct bl_hsess, node), END_SHUTDOWN);
}

/* ---- flows ------------------------------------------------------------------------------- */

static bool pending(const struct flow *f)
{
    return bl_hbuf_used(&f->out) > 0 || f->fwd > 0;
}

/* Reads what the socket has into f->in. Returns bytes read, 0 (nothing, or EOF
 * now in f->eof) or a negative errno. */
static ssize_t fill(struct bl_hsess *s, struct flow *f, int fd)
{
    ssize_t n;

    if (f->eof)
        return 0;
    bl_hbuf_ready(&s->w->bufs, &f->in);
    if (bl_hbuf_room(&f->in) == 0)
        return 0;
    n = recv(fd, f->in.data + f->in.len, BL_HBUF_SIZE - f->in.len, 0);
    if (n > 0) {
        f->in.len += (uint32_t)n;
        return n;
    }
    bl_hbuf_release(&s->w->bufs, &f->in);
    if (n == 0) {
        f->eof = true;
        return 0;
    }
    return errno == EAGAIN ? 0 : -errno;
}

/* Finds the body bytes in f->in that may be forwarded. Returns 0 or -EPROTO. */
static int scan(struct flow *f)
{
    size_t avail = bl_hbuf_used(&f->in) - f->fwd;

    switch (f->st) {
    case B_LENGTH: {
        size_t n = avail < f->left ? avail : (size_t)f->left;
        f->fwd += n;
        f->left -= n;
        if (f->left == 0)
            f->st = B_DONE;
        return 0;
    }
    case B_CHUNKED:
        while (avail > 0 && !bl_http_chunked_is_done(&f->ck)) {
            const char *data;
            size_t dlen;
            ssize_t n = bl_http_chunked_scan(&f->ck, f->in.data + f->in.off + f->fwd, avail,
                                             &data, &dlen, NULL);
            if (n < 0)
                return -EPROTO;
            if (n == 0)
                break;
            f->fwd += (size_t)n;
            avail -= (size_t)n;
        }
        if (bl_http_chunked_is_done(&f->ck))
            f->st = B_DONE;
        return 0;
    case B_CLOSE:
    case B_TUNNEL:
        f->fwd += avail;
        return 0;
    default:
        return 0;
    }
}

/* Sends f->out, then f->fwd bytes of f->in, to `fd`. Returns bytes sent or -errno. */
static ssize_t flush(struct flow *f, int fd)
{
    struct iovec iov[2];
    struct msghdr mh = {.msg_iov = iov};
    size_t ol = bl_hbuf_used(&f->out), head;
    ssize_t n;

    if (ol > 0) {
        iov[mh.msg_iovlen].iov_base = f->out.data + f->out.off;
        iov[mh.msg_iovlen++].iov_len = ol;
    }
    if (f->fwd > 0) {
        iov[mh.msg_iovlen].iov_base = f->in.data + f->in.off;
        iov[mh.msg_iovlen++].iov_len = f->fwd;
    }
    if (mh.msg_iovlen == 0)
        return 0;
    n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    if (n < 0)
        return errno == EAGAIN ? 0 : -errno;
    head = (size_t)n < ol ? (size_t)n : ol;
    bl_hbuf_consume(&f->out, head);
    bl_hbuf_consume(&f->in, (size_t)n - head);
    f->fwd -= (size_t)n - head;
    return n;
}

static void flow_reset(struct flow *f)
{
    f->fwd = 0;
    f->left = 0;
    f->parsed = 0;
    f->st = B_HEAD;
    memset(&f->ck, 0, sizeof(f->ck));
    f->ck.limits = &limits;
}

/* Sets how the message whose head was just taken ends. */
static void flow_body(struct flow *f, enum bl_http_body body, int64_t length)
{
    switch (body) {
    case BL_HTTP_BODY_LENGTH:
        f->left = (uint64_t)length;
        f->st = length > 0 ? B_LENGTH : B_DONE;
        break;
    case BL_HTTP_BODY_CHUNKED:
        f->st = B_CHUNKED;
        break;
    case BL_HTTP_BODY_CLOSE:
        f->st = B_CLOSE;
        break;
    case BL_HTTP_BODY_TUNNEL:
        f->st = B_TUNNEL;
        break;
    default:
        f->st = B_DONE;
    }
}

/* ---- responses ballast makes -------------------------------------------------------------- */

static enum bl_reply_kind reply_kind(int status)
{
    switch (status) {
    case 403: return BL_REPLY_403;
    case 408: return BL_REPLY_408;
    case 502: return BL_REPLY_502;
    case 503: return BL_REPLY_503;
    case 504: return BL_REPLY_504;
    default: return status < 400 ? BL_REPLY_REDIRECT : BL_REPLY_400;
    }
}

/*
 * Answers the current request with a response of ballast's own. The client
 * connection is kept only when it asked for it and its request body, if any,
 * has been read whole (otherwise the rest of the body would be taken for the
 * next request).
 */
static void reply(struct bl_hsess *s, int status, const char *location, bool close)
{
    struct flow *f = &s->resp;
    ssize_t n;

    detach_member(s, false, false);
    if (close || s->req.st != B_DONE || s->req.eof)
        s->keep_alive = false;
    bl_stat_add(s->sl->st->replies[reply_kind(status)], 1);
    bl_stat_add(s->sl->st->responses[status / 100], 1);
    bl_hbuf_drop(&s->w->bufs, &f->in);
    bl_hbuf_drop(&s->w->bufs, &f->out);
    flow_reset(f);
    bl_hbuf_ready(&s->w->bufs, &f->out);
    n = bl_hmsg_reply(f->out.data, BL_HBUF_SIZE, status, location, !s->keep_alive);
    if (n < 0) { /* only a redirect URL can be this long: the parser bounds it */
        s->keep_alive = false;
        n = bl_hmsg_reply(f->out.data, BL_HBUF_SIZE, 500, NULL, true);
    }
    f->out.len = (uint32_t)n;
    f->st = B_DONE;
    s->resp_started = true;
    s->state = HS_REPLY;
}

/* ---- member failures and retries ----------------------------------------------------------- */

static void count_member_error(struct bl_hsess *s)
{
    struct bl_member_state *st = member_st(s);

    if (st == NULL)
        return;
    bl_stat_add(st->conn_errors, 1);
    bl_outlier_failure(&s->pool->cfg->outlier, st, &s->pool->st->ejected, s->pool->nmembers,
                       bl_loop_now_ms(s->w->loop));
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

/* How a member let a request down, before any of its response reached the client. */
enum fail {
    FAIL_CLOSED = 0, /* closed or reset the connection, or a write to it failed */
    FAIL_TIMEOUT,    /* connect or response too slow */
    FAIL_BAD,        /* answered something that is not HTTP/1.x */
    FAIL_5XX,        /* answered 5xx to a request that may be sent elsewhere */
};

/*
 * A pooled connection that closes before answering was most likely closed by
 * the member while idle (keep-alive race): the request goes again on a new
 * connection to the same member, once, without blaming it. Otherwise another
 * member is tried while retries remain and the request can be sent again;
 * else the client gets 502, or 504 after a timeout.
 */
static void member_failed(struct bl_hsess *s, enum fail why)
{
    bool stale = why == FAIL_CLOSED && s->reused && !s->stale_retried &&
                 bl_hbuf_used(&s->resp.in) == 0;

    if (!stale && why != FAIL_5XX)
        count_member_error(s);
    detach_member(s, false, why != FAIL_5XX);
    bl_hbuf_drop(&s->w->bufs, &s->resp.in);
    flow_reset(&s->resp);
    if (stale && rewind_request(s)) {
        s->stale_retried = true;
        connect_member(s);
        return;
    }
    if (s->retries_left > 0 && rewind_request(s)) {
        s->retries_left--;
        bl_stat_add(s->sl->st->retries, 1);
        start_member(s);
        return;
    }
    reply(s, why == FAIL_TIMEOUT ? 504 : 502, NULL, true);
}

/* ---- member connections -------------------------------------------------------------------- */

static void attach(struct bl_hsess *s, struct bl_hconn *c, bool reused)
{
    s->up = c;
    c->sess = s;
    c->io.cb = on_member;
    s->reused = reused;
    s->up_reusable = false;
    s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
    bl_stat_add(member_st(s)->active, 1);
}

/* Opens a new connection to the current member. Returns 0 or -errno. */
static int connect_member(struct bl_hsess *s)
{
    struct bl_hconn *c;
    int rc = bl_up_connect(&s->w->up, &s->pool->members[s->member].cfg->addr, on_member, &c);

    if (rc < 0) {
        count_member_error(s);
        return rc;
    }
    attach(s, c, false);
    s->state = HS_CONNECT;
    return 0;
}

/* Picks a member not tried yet and sends the staged request to it, over an
 * idle connection from the pool or a new one. */
static void start_member(struct bl_hsess *s)
{
    while (s->tried.n < BL_LB_MAX_TRIES) {
        int m = bl_lb_pick(&s->pool->lb, s->hash, &s->tried);
        struct bl_hconn *c;
        if (m < 0)
            break;
        s->member = m;
        s->tried.idx[s->tried.n++] = (uint32_t)m;
        bl_stat_add(member_st(s)->total, 1);
        c = bl_up_take(&s->w->up, &s->pool->members[m].cfg->addr);
        if (c != NULL) {
            attach(s, c, true);
            s->state = HS_EXCHANGE;
            return;
        }
        if (connect_member(s) == 0)
            return;
    }
    s->member = -1;
    reply(s, s->tried.n == 0 ? 503 : 502, NULL, false);
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
        .tls = false,
        .upstream_close = false,
    };
    struct flow *f = &s->req;
    ssize_t n;

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
    struct flow *f = &s->req;

    s->replay_len = 0;
    if (scan(f) < 0 || f->st != B_DONE || f->fwd > BL_HBUF_SIZE - f->out.len)
        return;
    memcpy(f->out.data + f->out.len, f->in.data + f->in.off, f->fwd);
    f->out.len += (uint32_t)f->fwd;
    bl_hbuf_consume(&f->in, f->fwd);
    f->fwd = 0;
    s->replay_len = f->out.len;
}

static void route(struct bl_hsess *s, const struct bl_http_req *req)
{
    (void)req;
    s->pool = s->sl->pool;
    if (s->pool == NULL) {
        reply(s, 503, NULL, false);
        return;
    }
    if (s->pool->hash_client)
        s->hash = bl_addr_hash(&s->peer, s->pool->hash_port);
    s->retries_left = 1;
    s->tried.n = 0;
    s->tried.ignore_health = false;
    s->stale_retried = false;
    start_member(s);
}

static void take_request_head(struct bl_hsess *s, const struct bl_http_req *req, size_t head_len)
{
    struct flow *f = &s->req;

    bl_stat_add(s->sl->st->requests, 1);
    s->client_minor = (uint8_t)req->minor_version;
    s->keep_alive = req->keep_alive;
    s->is_head = method_is(req, "HEAD");
    s->is_upgrade = req->is_upgrade;
    s->idempotent = method_idempotent(req);
    s->resp_started = false;
    flow_reset(&s->resp);
    if (method_is(req, "CONNECT")) {
        bl_hbuf_consume(&f->in, head_len);
        f->st = B_DONE;
        reply(s, 405, NULL, true);
        return;
    }
    if (stage_head(s, req) < 0) {
        bl_hbuf_consume(&f->in, head_len);
        bl_stat_add(s->sl->st->request_errors, 1);
        reply(s, 431, NULL, true);
        return;
    }
    bl_hbuf_consume(&f->in, head_len);
    flow_body(f, req->body, req->content_length);
    keep_for_replay(s);
    route(s, req);
}

/* Parses the request head in req.in. Returns true when the session moved on. */
static bool parse_request(struct bl_hsess *s)
{
    struct bl_http_header hdrs[MAX_HEADERS];
    struct bl_http_req req = {.headers = hdrs, .headers_cap = MAX_HEADERS};
    struct flow *f = &s->req;
    enum bl_http_reason why;
    ssize_t n;

    if (bl_hbuf_used(&f->in) == 0)
        return false;
    if (s->head_ms == 0)
        s->head_ms = bl_loop_now_ms(s->w->loop);
    n = bl_http1_parse_request(f->in.data + f->in.off, bl_hbuf_used(&f->in), f->parsed, &limits,
                               &req, &why);
    if (n == BL_HTTP_INCOMPLETE) {
        f->parsed = bl_hbuf_used(&f->in);
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
        f->st = B_HEAD; /* nothing of it is trusted: the connection closes */
        reply(s, bl_http_reason_status(why), NULL, true);
        return true;
    }
    take_request_head(s, &req, (size_t)n);
    return true;
}

/* ---- responses ----------------------------------------------------------------------------- */

static bool retry_5xx(const struct bl_hsess *s, int status)
{
    return status >= 500 && s->idempotent && s->replay_len > 0 && s->retries_left > 0 &&
           s->pool->nmembers > s->tried.n;
}

/* A 1xx other than 101: passed on to HTTP/1.1 clients (100-continue), dropped for 1.0. */
static void take_interim(struct bl_hsess *s, const struct bl_http_resp *resp, size_t head_len)
{
    struct bl_hresp_ctx ctx = {.close = false, .client_minor = 1};
    struct flow *f = &s->resp;
    ssize_t n;

    if (s->client_minor >= 1 && !pending(f)) {
        bl_hbuf_ready(&s->w->bufs, &f->out);
        n = bl_hmsg_response(f->out.data, BL_HBUF_SIZE, resp, &ctx);
        if (n > 0)
            f->out.len = (uint32_t)n;
    }
    bl_hbuf_consume(&f->in, head_len);
}

static void take_response_head(struct bl_hsess *s, const struct bl_http_resp *resp,
                               size_t head_len)
{
    struct flow *f = &s->resp;
    struct bl_hresp_ctx ctx = {.client_minor = s->client_minor};
    bool upgrade = resp->status == 101;
    ssize_t n;

    /* A body delimited by close, or a request body still coming: the client
     * connection cannot carry another exchange. */
    if (resp->body == BL_HTTP_BODY_CLOSE || s->req.st != B_DONE)
        s->keep_alive = false;
    s->up_reusable = resp->keep_alive && resp->body != BL_HTTP_BODY_CLOSE && !upgrade;
    ctx.close = !s->keep_alive && !upgrade;
    bl_hbuf_ready(&s->w->bufs, &f->out);
    n = bl_hmsg_response(f->out.data + f->out.len, BL_HBUF_SIZE - f->out.len, resp, &ctx);
    if (n < 0) {
        member_failed(s, FAIL_BAD);
        return;
    }
    f->out.len += (uint32_t)n;
    bl_hbuf_consume(&f->in, head_len);
    s->resp_started = true;
    bl_stat_add(s->sl->st->responses[resp->status / 100], 1);
    bl_outlier_success(member_st(s));
    if (upgrade) {
        s->state = HS_TUNNEL;
        f->st = s->req.st = B_TUNNEL;
        return;
    }
    flow_body(f, resp->body, resp->content_length);
}

/* Parses the response head in resp.in. Returns true when the session moved on. */
static bool parse_response(struct bl_hsess *s)
{
    struct bl_http_header hdrs[MAX_HEADERS];
    struct bl_http_resp resp = {.headers = hdrs, .headers_cap = MAX_HEADERS};
    struct flow *f = &s->resp;
    unsigned flags = s->is_head ? BL_HTTP_RESP_F_HEAD : 0;
    ssize_t n;

    n = bl_http1_parse_response(f->in.data + f->in.off, bl_hbuf_used(&f->in), f->parsed, &limits,
                                flags, &resp, NULL);
    if (n == BL_HTTP_INCOMPLETE) {
        f->parsed = bl_hbuf_used(&f->in);
        return false;
    }
    f->parsed = 0;
    if (n == BL_HTTP_ERROR || (resp.status == 101 && !s->is_upgrade)) {
        member_failed(s, FAIL_BAD);
        return true;
    }
    if (resp.status < 200 && resp.status != 101) {
        take_interim(s, &resp, (size_t)n);
        return true;
    }
    if (retry_5xx(s, resp.status)) {
        member_failed(s, FAIL_5XX);
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

    detach_member(s, reuse, false);
    bl_hbuf_drop(bc, &s->req.out);
    bl_hbuf_drop(bc, &s->resp.in);
    bl_hbuf_release(bc, &s->resp.out);
    bl_hbuf_release(bc, &s->req.in);
    s->replay_len = 0;
    s->member = -1;
    flow_reset(&s->req);
    flow_reset(&s->resp);
    if (!s->keep_alive || s->req.eof) {
        shutdown(s->cli.fd, SHUT_WR);
        s->state = HS_LINGER;
        s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
        return;
    }
    s->state = HS_HEAD;
}

/* Sends what `f` holds to `fd`; stamps `seen`. Returns 0 or -errno. */
static int push(struct bl_hsess *s, struct flow *f, int fd, uint64_t *seen)
{
    ssize_t n;

    if (!pending(f))
        return 0;
    n = flush(f, fd);
    if (n < 0)
        return (int)n;
    if (n > 0)
        *seen = bl_loop_now_ms(s->w->loop);
    return 0;
}

/* Request side of an exchange. Returns false when the session ended or moved on. */
static bool exchange_up(struct bl_hsess *s)
{
    struct flow *f = &s->req;

    if (scan(f) < 0) {
        finalize(s, END_PROTOCOL);
        return false;
    }
    if (push(s, f, s->up->io.fd, &s->srv_seen_ms) < 0) {
        if (s->resp_started || bl_hbuf_used(&s->resp.in) > 0)
            finalize(s, END_MEMBER_RESET);
        else
            member_failed(s, FAIL_CLOSED);
        return false;
    }
    if (f->eof && f->st != B_DONE) {
        finalize(s, END_CLIENT_RESET); /* the client left in the middle of its body */
        return false;
    }
    return true;
}

/* Response side of an exchange: -1 the session ended or moved on, 0 waiting, 1 moved. */
static int exchange_down(struct bl_hsess *s)
{
    struct flow *f = &s->resp;

    if (f->st == B_HEAD) {
        if (bl_hbuf_used(&f->in) > 0 && parse_response(s)) {
            if (s->state != HS_EXCHANGE)
                return -1; /* retried, answered by ballast, or switched to a tunnel */
            if (f->st == B_HEAD)
                return 1; /* an interim response: the final one may follow in the buffer */
        } else if (f->eof) {
            member_failed(s, FAIL_CLOSED);
            return -1;
        } else {
            return 0;
        }
    }
    if (scan(f) < 0) {
        finalize(s, END_PROTOCOL);
        return -1;
    }
    if (f->eof && f->st == B_CLOSE && f->fwd == bl_hbuf_used(&f->in))
        f->st = B_DONE;
    if (push(s, f, s->cli.fd, &s->cli_seen_ms) < 0) {
        finalize(s, END_CLIENT_RESET);
        return -1;
    }
    if (f->eof && f->st != B_DONE) {
        finalize(s, END_MEMBER_RESET); /* truncated: the client must not take it as whole */
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
    if (s->req.st == B_DONE && s->resp.st == B_DONE && !pending(&s->req) && !pending(&s->resp)) {
        finish_exchange(s);
        return true;
    }
    return false;
}

/* After a protocol switch: bytes both ways, FIN passed on once a side is drained. */
static bool step_tunnel(struct bl_hsess *s)
{
    struct flow *flows[2] = {&s->req, &s->resp};
    int fds[2] = {s->up->io.fd, s->cli.fd};

    for (int i = 0; i < 2; i++) {
        struct flow *f = flows[i];
        scan(f);
        if (push(s, f, fds[i], i ? &s->cli_seen_ms : &s->srv_seen_ms) < 0) {
            finalize(s, i ? END_CLIENT_RESET : END_MEMBER_RESET);
            return false;
        }
        if (f->eof && !pending(f) && !f->shut) {
            shutdown(fds[i], SHUT_WR);
            f->shut = true;
        }
    }
    if (s->req.shut && s->resp.shut)
        finalize(s, END_DONE);
    return false;
}

static bool step_reply(struct bl_hsess *s)
{
    struct flow *f = &s->resp;

    if (push(s, f, s->cli.fd, &s->cli_seen_ms) < 0) {
        finalize(s, END_CLIENT_RESET);
        return false;
    }
    if (pending(f))
        return false;
    if (!s->keep_alive) {
        shutdown(s->cli.fd, SHUT_WR);
        s->state = HS_LINGER;
        s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
        return false;
    }
    bl_hbuf_release(&s->w->bufs, &f->out);
    flow_reset(&s->req);
    flow_reset(f);
    s->state = HS_HEAD;
    return true;
}

/* One move; returns true when another may follow at once. */
static bool step(struct bl_hsess *s)
{
    switch (s->state) {
    case HS_HEAD:
        if (parse_request(s))
            return true;
        if (s->req.eof) /* a client that leaves between requests is done */
            finalize(s, bl_hbuf_used(&s->req.in) == 0 ? END_DONE : END_CLIENT_RESET);
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
            finalize(s, END_DONE);
        return false;
    default:
        return false;
    }
}

/* ---- timers ------------------------------------------------------------------------------ */

static uint64_t after(uint64_t since, uint32_t ms)
{
    return ms ? since + ms : 0;
}

static uint64_t earliest(uint64_t a, uint64_t b)
{
    return a == 0 || (b != 0 && b < a) ? b : a;
}

/* When the session times out in its current state (loop clock), 0 = never. */
static uint64_t deadline(const struct bl_hsess *s)
{
    const struct bl_cfg_listener *l = s->sl->cfg;

    switch (s->state) {
    case HS_HEAD:
        if (s->head_ms != 0 && l->timeout_request_ms)
            return after(s->head_ms, l->timeout_request_ms);
        return after(s->cli_seen_ms, l->timeout_client_data_ms);
    case HS_CONNECT:
        return after(s->srv_seen_ms, l->timeout_member_connect_ms);
    case HS_EXCHANGE:
    case HS_TUNNEL:
        return earliest(after(s->cli_seen_ms, l->timeout_client_data_ms),
                        after(s->srv_seen_ms, l->timeout_member_data_ms));
    case HS_LINGER:
        return s->cli_seen_ms + LINGER_MS;
    default:
        return after(s->cli_seen_ms, l->timeout_client_data_ms);
    }
}

/* Moves the timer only when the deadline came closer: activity pushes deadlines
 * later, and the timer then fires early once and re-arms (lazy, as tcp.c). */
static void arm(struct bl_hsess *s)
{
    struct bl_loop *loop = s->w->loop;
    uint64_t due = deadline(s), now = bl_loop_now_ms(loop);

    if (due == 0)
        bl_timer_stop(loop, &s->timer);
    else if (!bl_timer_armed(&s->timer) || due < s->timer.due_ms)
        bl_timer_start(loop, &s->timer, due > now ? due - now : 0);
}

static void on_expired(struct bl_hsess *s)
{
    const struct bl_cfg_listener *l = s->sl->cfg;
    uint64_t now = bl_loop_now_ms(s->w->loop);

    switch (s->state) {
    case HS_HEAD:
        if (s->head_ms != 0 && bl_hbuf_used(&s->req.in) > 0) {
            reply(s, 408, NULL, true); /* slowloris, or a client that stalled mid-head */
            run(s);
        } else {
            finalize(s, END_DONE); /* idle keep-alive connection */
        }
        return;
    case HS_CONNECT:
        member_failed(s, FAIL_TIMEOUT);
        run(s);
        return;
    case HS_EXCHANGE:
        if (l->timeout_member_data_ms && now >= s->srv_seen_ms + l->timeout_member_data_ms &&
            !s->resp_started) {
            member_failed(s, FAIL_TIMEOUT);
            run(s);
            return;
        }
        finalize(s, END_TIMEOUT);
        return;
    default:
        finalize(s, END_TIMEOUT);
    }
}

static void on_timer(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_hsess *s = bl_container_of(t, struct bl_hsess, timer);
    uint64_t due = deadline(s);

    if (due != 0 && due <= bl_loop_now_ms(loop))
        on_expired(s);
    else
        arm(s);
}

/* ---- events ------------------------------------------------------------------------------- */

static void update_interest(struct bl_hsess *s)
{
    struct bl_loop *loop = s->w->loop;
    uint32_t ce = 0, me = 0;

    if ((s->state == HS_LINGER || bl_hbuf_room(&s->req.in) > 0) && !s->req.eof)
        ce |= EPOLLIN;
    if (pending(&s->resp))
        ce |= EPOLLOUT;
    if (bl_io_want(loop, &s->cli, ce) < 0) {
        finalize(s, END_CLIENT_RESET);
        return;
    }
    if (s->up == NULL)
        return;
    if (s->state == HS_CONNECT) {
        me = EPOLLOUT;
    } else {
        if (!s->resp.eof && bl_hbuf_room(&s->resp.in) > 0)
            me |= EPOLLIN;
        if (pending(&s->req))
            me |= EPOLLOUT;
    }
    if (bl_io_want(loop, &s->up->io, me) < 0)
        finalize(s, END_MEMBER_RESET);
}

static void run(struct bl_hsess *s)
{
    /* Bounded: a client pipelining requests gets served a handful per event. */
    for (int i = 0; i < 16 && s->state != HS_CLOSED && step(s); i++)
        ;
    if (s->state == HS_CLOSED)
        return;
    update_interest(s);
    if (s->state != HS_CLOSED)
        arm(s);
}

static void on_client(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_hsess *s = bl_container_of(io, struct bl_hsess, cli);
    ssize_t n = 0;

    (void)loop;
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (io->events & EPOLLIN)) {
        n = fill(s, &s->req, io->fd);
        if (n > 0) {
            s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
            bl_stat_add(s->sl->st->bytes_in, (uint64_t)n);
        }
    }
    if (n < 0) {
        finalize(s, END_CLIENT_RESET);
        return;
    }
    run(s);
}

/* The connect finished: the staged request goes out. */
static void on_connected(struct bl_hsess *s, uint32_t events)
{
    int rc = 0;

    if (events & (EPOLLERR | EPOLLHUP)) {
        rc = bl_sock_error(s->up->io.fd);
        if (rc == 0)
            rc = -ECONNRESET;
    }
    if (rc < 0) {
        member_failed(s, FAIL_CLOSED);
    } else {
        s->state = HS_EXCHANGE;
        s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
    }
    run(s);
}

static void on_member(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_hconn *c = bl_container_of(io, struct bl_hconn, io);
    struct bl_hsess *s = c->sess;
    ssize_t n = 0;

    (void)loop;
    if (s == NULL) {
        bl_up_on_idle(c->pool, c);
        return;
    }
    if (s->state == HS_CONNECT) {
        on_connected(s, events);
        return;
    }
    if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (io->events & EPOLLIN)) {
        n = fill(s, &s->resp, io->fd);
        if (n > 0) {
            s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
            bl_stat_add(s->sl->st->bytes_out, (uint64_t)n);
            bl_stat_add(member_st(s)->bytes_out, (uint64_t)n);
        }
    }
    if (n < 0)
        s->resp.eof = true; /* a reset reads as an end: exchange_down() decides what it means */
    run(s);
}

/* ---- accepting ------------------------------------------------------------------------------ */

static void start_session(struct bl_wlistener *wl, int fd, const struct bl_addr *peer)
{
    struct bl_worker *w = wl->w;
    struct bl_snap_listener *sl = wl->sl;
    bool allowed = bl_listener_allows(sl, peer);
    struct bl_hsess *s;

    if (!bl_listener_admit(sl)) {
        bl_sock_set_reset(fd);
        close(fd);
        return;
    }
    s = bl_xcalloc(1, sizeof(*s));
    s->w = w;
    s->snap = w->snap;
    bl_snapshot_ref(s->snap);
    s->sl = sl;
    s->member = -1;
    s->peer = *peer;
    s->keep_alive = true;
    s->cli_seen_ms = bl_loop_now_ms(w->loop);
    flow_reset(&s->req);
    flow_reset(&s->resp);
    bl_stat_add(sl->st->total, 1);
    bl_io_init(&s->cli, fd, on_client);
    bl_timer_init(&s->timer, on_timer);
    bl_list_append(&w->hsessions, &s->node);
    if (!allowed) {
        s->req.st = B_DONE;
        reply(s, 403, NULL, true);
    }
    run(s);
}

void bl_http_on_accept(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_wlistener *wl = bl_container_of(io, struct bl_wlistener, io);

    (void)events;
    for (int i = 0; i < ACCEPT_BURST; i++) {
        struct bl_addr peer;
        socklen_t len = sizeof(peer.u);
        int fd = accept4(io->fd, &peer.u.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                bl_worker_pause_accept(wl);
            return;
        }
        peer.len = len;
        start_session(wl, fd, &peer);
    }
}

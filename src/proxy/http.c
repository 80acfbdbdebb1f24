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
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "net/sock.h"
#include "net/tls.h"
#include "proxy/http_sess.h"

#define LINGER_MS 1000 /* after a final response, how long a client may keep sending */

static const char *const end_names[] = {"done",    "client reset", "member reset",
                                        "timeout", "shutdown",     "protocol error"};

/* ---- teardown ---------------------------------------------------------------------------- */

static void on_free(struct bl_loop *loop, struct bl_defer *d)
{
    struct bl_hsess *s = bl_container_of(d, struct bl_hsess, free_d);

    (void)loop;
    bl_snapshot_unref(s->snap);
    free(s);
}

struct bl_member_state *bl_hs_member_st(const struct bl_hsess *s)
{
    return s->member >= 0 ? s->pool->members[s->member].st : NULL;
}

/* Lets go of the member connection: back to the pool when clean, else closed. */
void bl_hs_detach_member(struct bl_hsess *s, bool reuse, bool reset)
{
    struct bl_hconn *c = s->up;

    if (c == NULL)
        return;
    s->up = NULL;
    bl_stat_add(bl_hs_member_st(s)->active, -1);
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
    bl_hflow_drop_pipe(&s->req, s->w);
    bl_hflow_drop_pipe(&s->resp, s->w);
    bl_hs_drop_body(s);
}

/* The single exit: closes both sides, settles counters, logs, queues the free. */
void bl_hs_finalize(struct bl_hsess *s, enum bl_hs_end why)
{
    struct bl_loop *loop = s->w->loop;
    bool reset = why == END_CLIENT_RESET || why == END_MEMBER_RESET || why == END_PROTOCOL;

    if (s->state == HS_CLOSED)
        return;
    s->state = HS_CLOSED;
    bl_timer_stop(loop, &s->timer);
    bl_hs_detach_member(s, false, reset);
    if (reset)
        bl_sock_set_reset(s->cli.fd);
    bl_io_close(loop, &s->cli);
    bl_tls_conn_free(s->tls);
    s->tls = NULL;
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

void bl_hs_close_client(struct bl_hsess *s)
{
    if (s->tls != NULL)
        bl_tls_shutdown(s->tls); /* close_notify: the response ended, it was not cut */
    if (s->client_close && bl_hbuf_used(&s->req.in) == 0) {
        bl_hs_finalize(s, END_DONE); /* nothing unread: close() sends a FIN, not a RST */
        return;
    }
    shutdown(s->cli.fd, SHUT_WR);
    s->state = HS_LINGER;
    s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
}

void bl_http_close_all(struct bl_worker *w)
{
    while (!bl_list_empty(&w->hsessions))
        bl_hs_finalize(bl_container_of(w->hsessions.next, struct bl_hsess, node), END_SHUTDOWN);
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
    case HS_HANDSHAKE: /* a client that never finishes its handshake is a slowloris too */
        return after(s->cli_seen_ms,
                     l->timeout_request_ms ? l->timeout_request_ms : l->timeout_client_data_ms);
    case HS_CONNECT:
        return after(s->srv_seen_ms, l->timeout_member_connect_ms);
    case HS_EXCHANGE:
        if (s->resp.st == BL_BODY_HEAD && s->pool->cfg->retry.per_try_timeout_ms)
            return earliest(after(s->try_ms, s->pool->cfg->retry.per_try_timeout_ms),
                            after(s->srv_seen_ms, l->timeout_member_data_ms));
        /* fall through */
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
            bl_hs_reply(s, 408, NULL, true); /* slowloris, or a client that stalled mid-head */
            bl_hs_run(s);
        } else {
            bl_hs_finalize(s, END_DONE); /* idle keep-alive connection */
        }
        return;
    case HS_CONNECT:
        bl_hs_member_failed(s, FAIL_TIMEOUT);
        bl_hs_run(s);
        return;
    case HS_EXCHANGE:
        if (!s->resp_started && s->resp.st == BL_BODY_HEAD &&
            s->pool->cfg->retry.per_try_timeout_ms &&
            now >= s->try_ms + s->pool->cfg->retry.per_try_timeout_ms) {
            bl_hs_member_failed(s, FAIL_TIMEOUT);
            bl_hs_run(s);
            return;
        }
        if (l->timeout_member_data_ms && now >= s->srv_seen_ms + l->timeout_member_data_ms &&
            !s->resp_started) {
            bl_hs_member_failed(s, FAIL_TIMEOUT);
            bl_hs_run(s);
            return;
        }
        bl_hs_finalize(s, END_TIMEOUT);
        return;
    default:
        bl_hs_finalize(s, END_TIMEOUT);
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

/* What the member connection waits for. */
static uint32_t member_interest(const struct bl_hsess *s)
{
    const struct bl_hconn *c = s->up;
    uint32_t me = 0;

    if (s->state == HS_CONNECT) /* connect, then the TLS handshake if any */
        return c->tls && c->connected ? (bl_tls_wants(c->tls) ?: EPOLLIN) : EPOLLOUT;
    if (bl_hflow_can_read(&s->resp))
        me |= EPOLLIN;
    if (bl_hflow_pending(&s->req))
        me |= EPOLLOUT;
    if (c->tls)
        me |= bl_tls_wants(c->tls); /* a read may need a write and the reverse */
    return me;
}

static void update_interest(struct bl_hsess *s)
{
    struct bl_loop *loop = s->w->loop;
    uint32_t ce = 0;

    if (s->state == HS_LINGER ? !s->req.eof : bl_hflow_can_read(&s->req))
        ce |= EPOLLIN;
    if (bl_hflow_pending(&s->resp) || s->body != NULL)
        ce |= EPOLLOUT;
    if (s->tls != NULL)
        ce = s->state == HS_HANDSHAKE ? (bl_tls_wants(s->tls) ?: EPOLLIN)
                                      : ce | bl_tls_wants(s->tls);
    if (bl_io_want(loop, &s->cli, ce) < 0) {
        bl_hs_finalize(s, END_CLIENT_RESET);
        return;
    }
    if (s->up != NULL && bl_io_want(loop, &s->up->io, member_interest(s)) < 0)
        bl_hs_finalize(s, END_MEMBER_RESET);
}

static ssize_t read_client(struct bl_hsess *s)
{
    ssize_t n = bl_hflow_fill(&s->req, s->w, s->cli.fd, s->tls);

    if (n > 0) {
        s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
        bl_stat_add(s->sl->st->bytes_in, (uint64_t)n);
    }
    return n;
}

/* Bytes OpenSSL holds decrypted already raise no epoll event: read them while there is room. */
static bool tls_holds_more(const struct bl_hsess *s)
{
    return s->tls != NULL && s->state != HS_HANDSHAKE && s->state != HS_CLOSED && !s->req.eof &&
           bl_tls_pending(s->tls) > 0 && bl_hbuf_room(&s->req.in) > 0;
}

void bl_hs_run(struct bl_hsess *s)
{
    /* Bounded: a client pipelining requests gets served a handful per event. */
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 16 && s->state != HS_CLOSED && bl_hs_step(s); i++)
            ;
        if (!tls_holds_more(s))
            break;
        if (read_client(s) < 0) {
            bl_hs_finalize(s, END_CLIENT_RESET);
            return;
        }
    }
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
    /* Over TLS a read may wait for writability (and a write for readability). */
    if (s->state != HS_HANDSHAKE &&
        (((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (io->events & EPOLLIN)) ||
         (s->tls != NULL && (bl_tls_wants(s->tls) & events))))
        n = read_client(s);
    if (n < 0) {
        bl_hs_finalize(s, END_CLIENT_RESET);
        return;
    }
    bl_hs_run(s);
}

/* The connect finished (or, over TLS, moved the handshake on): once the member
 * can take it, the staged request goes out. */
static void on_connected(struct bl_hsess *s, uint32_t events)
{
    struct bl_hconn *c = s->up;
    int rc = 0;

    if (!c->connected && (events & (EPOLLERR | EPOLLHUP))) {
        rc = bl_sock_error(c->io.fd);
        if (rc == 0)
            rc = -ECONNRESET;
    }
    c->connected = rc == 0;
    if (rc == 0 && c->tls != NULL)
        rc = bl_tls_handshake(c->tls);
    if (rc == -EAGAIN) {
        bl_hs_run(s);
        return;
    }
    if (rc < 0) {
        if (c->tls != NULL && c->connected)
            bl_log(BL_LOG_WARN, "%s: member TLS handshake failed: %s", s->sl->label,
                   bl_tls_error(c->tls));
        bl_hs_member_failed(s, FAIL_CLOSED);
    } else {
        s->state = HS_EXCHANGE;
        s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
    }
    bl_hs_run(s);
}

/* Reads the member's bytes, and over TLS those OpenSSL holds decrypted already.
 * Returns true when the read took all it asked for: the member likely has more right now. */
static bool read_member(struct bl_hsess *s)
{
    struct bl_hconn *c = s->up;

    for (int i = 0; i < 4 && c != NULL; i++) {
        ssize_t n = bl_hflow_fill(&s->resp, s->w, c->io.fd, c->tls);
        if (n < 0) {
            s->resp.eof = true; /* a reset reads as an end: exchange_down() decides */
            return false;
        }
        if (n > 0) {
            s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
            bl_stat_add(s->sl->st->bytes_out, (uint64_t)n);
            bl_stat_add(bl_hs_member_st(s)->bytes_out, (uint64_t)n);
        }
        if (n > 0 && s->resp.full)
            return true;
        if (n == 0 || c->tls == NULL || bl_tls_pending(c->tls) == 0)
            return false;
    }
    return false;
}

void bl_hs_on_member(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_hconn *c = bl_container_of(io, struct bl_hconn, io);
    struct bl_hsess *s = c->sess;
    bool more = false;

    (void)loop;
    if (s == NULL) {
        bl_up_on_idle(c->pool, c);
        return;
    }
    if (s->state == HS_CONNECT) {
        on_connected(s, events);
        return;
    }
    if (((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (io->events & EPOLLIN)) ||
        (c->tls != NULL && (bl_tls_wants(c->tls) & events)))
        more = read_member(s);
    bl_hs_run(s);
    /* A large body: while a read takes all it asked for (a full buffer, or a
     * full splice) and the client takes it all, read again now rather than
     * after another epoll_wait. */
    for (int i = 0;
         i < 3 && more && s->state == HS_EXCHANGE && s->up == c && !bl_hflow_pending(&s->resp);
         i++) {
        more = read_member(s);
        bl_hs_run(s);
    }
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
    bl_hflow_init(&s->req);
    bl_hflow_init(&s->resp);
    bl_stat_add(sl->st->total, 1);
    bl_io_init(&s->cli, fd, on_client);
    bl_timer_init(&s->timer, on_timer);
    bl_list_append(&w->hsessions, &s->node);
    s->denied = !allowed;
    if (sl->tls != NULL) {
        s->tls = bl_tls_conn_new(sl->tls, fd, NULL);
        s->state = HS_HANDSHAKE; /* the 403 of a denied client waits for it */
    } else if (s->denied) {
        bl_hs_deny(s);
    }
    bl_hs_run(s);
}

void bl_http_on_accept(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    (void)loop;
    (void)events;
    bl_worker_accept(bl_container_of(io, struct bl_wlistener, io), start_session);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The L4 TCP proxy: accept -> pick a member -> non-blocking connect (one
 * retry on another member) -> relay both directions with splice(2).
 *
 * Each direction ("half") starts by copying: recv() into the worker's
 * buffer, send() at once. A read that fills the buffer marks the half as
 * bulk, and from then on it splices: source socket -> pipe -> destination
 * socket, without copying through user space. (Splicing small messages costs
 * more kernel work than recv/send; copying large ones costs more than
 * splicing.) Bytes the destination cannot take yet wait in a pipe borrowed
 * from the worker's pool, so an idle connection costs a session struct and
 * two sockets. While a half has bytes waiting, its source is not read
 * (backpressure): at most one pipe's worth is ever in flight.
 *
 * A FIN read from one side is forwarded with shutdown(SHUT_WR) once that
 * half is drained, and the other half keeps going (half-close). A reset or
 * error on either side resets the other (RST propagation). The session ends
 * when both halves have forwarded their FIN, or on error or timeout, always
 * through finalize().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "lb/outlier.h"
#include "lb/pool.h"
#include "net/proxyproto.h"
#include "net/sock.h"
#include "proxy/persist.h"
#include "proxy/worker.h"

#define SPLICE_CHUNK (256 * 1024) /* pipes are sized to match (worker.c) */

enum bl_sess_state {
    BL_SESS_ST_CONNECTING = 0, /* member connect in flight; the client is not read yet */
    BL_SESS_ST_RELAY,          /* connected: bytes flow both ways */
    BL_SESS_ST_CLOSED,         /* finalized; freed at the end of the loop iteration */
};

/* Why a session ended; logged, and decides between FIN and RST. */
enum bl_sess_end {
    BL_END_DONE = 0,       /* both sides closed cleanly */
    BL_END_NO_MEMBER,      /* no usable member */
    BL_END_CONNECT_FAILED, /* every try failed */
    BL_END_CLIENT_RESET,   /* error or RST from the client */
    BL_END_MEMBER_RESET,   /* error or RST from the member */
    BL_END_CLIENT_TIMEOUT, /* timeout_client_data */
    BL_END_MEMBER_TIMEOUT, /* timeout_member_data */
    BL_END_SHUTDOWN,       /* ballastd is stopping */
    BL_END_MEMBER_DOWN,    /* member marked down, pool says ballast_close_on_markdown */
};

static const char *const end_names[] = {
    "done", "no usable member", "member connect failed", "client reset",
    "member reset", "client data timeout", "member data timeout", "shutdown",
    "member marked down",
};

/* One direction of the relay. */
struct half {
    int pipe[2];    /* -1 while nothing is in flight (pipe back in the worker's pool) */
    size_t pending; /* bytes in the pipe, not yet written to the destination */
    bool eof;       /* the source sent FIN */
    bool shut;      /* that FIN was forwarded (or will be, by close()) */
    bool bulk;      /* a read filled the copy buffer: splice from now on */
    unsigned char *spill; /* bytes a small pipe could not take, sent after the pipe's */
    size_t spill_len;     /* counted in `pending` too */
};

struct bl_session {
    struct bl_list node; /* in w->sessions */
    struct bl_worker *w;
    struct bl_snapshot *snap; /* reference: keeps sl, pool and members alive */
    struct bl_snap_listener *sl;
    struct bl_snap_pool *pool;
    int member; /* index in pool->members, -1 = none */
    struct bl_lb_tried tried;
    struct bl_io cli;
    struct bl_io srv;
    struct bl_timer timer; /* connect timeout, then the two inactivity timeouts */
    uint64_t cli_seen_ms;  /* last byte read from or written to the client */
    uint64_t srv_seen_ms;  /* same for the member */
    struct half up;        /* client -> member */
    struct half down;      /* member -> client */
    struct bl_addr peer;
    uint64_t hash; /* client hash for SOURCE_IP* */
    struct bl_persist_pick persist; /* session_persistence SOURCE_IP */
    unsigned char hdr[BL_PROXY_HDR_MAX]; /* PROXY header still to send */
    uint8_t hdr_len, hdr_off;
    enum bl_sess_state state;
    struct bl_defer free_d;
};

static void on_client(struct bl_loop *loop, struct bl_io *io, uint32_t events);
static void on_member(struct bl_loop *loop, struct bl_io *io, uint32_t events);
static void on_timer(struct bl_loop *loop, struct bl_timer *t);
static void start_connect(struct bl_session *s);

/* ---- teardown --------------------------------------------------------------------------- */

static void on_free(struct bl_loop *loop, struct bl_defer *d)
{
    struct bl_session *s = bl_container_of(d, struct bl_session, free_d);

    (void)loop;
    bl_snapshot_unref(s->snap);
    free(s);
}

static void release_half(struct bl_worker *w, struct half *h)
{
    free(h->spill);
    h->spill = NULL;
    if (h->pipe[0] < 0)
        return;
    if (h->pending == 0) {
        bl_worker_pipe_put(w, h->pipe);
    } else {
        /* Bytes we could not deliver: the pipe is dirty, do not reuse it. */
        close(h->pipe[0]);
        close(h->pipe[1]);
        h->pipe[0] = h->pipe[1] = -1;
    }
}

static struct bl_member_state *member_st(const struct bl_session *s)
{
    return s->member >= 0 ? s->pool->members[s->member].st : NULL;
}

/* A connect to the current member failed: count it, and tell passive checks
 * (which may eject the member; the health checker logs that). */
static void count_connect_error(struct bl_session *s)
{
    struct bl_member_state *st = member_st(s);

    bl_stat_add(st->conn_errors, 1);
    bl_worker_member_failure(s->pool, st, bl_loop_now_ms(s->w->loop));
}

static void close_member(struct bl_session *s, bool reset)
{
    struct bl_member_state *st = member_st(s);

    if (s->srv.fd < 0)
        return;
    if (reset)
        bl_sock_set_reset(s->srv.fd);
    bl_io_close(s->w->loop, &s->srv);
    if (st)
        bl_stat_add(st->active, -1);
}

/* The single exit: closes both sides, settles counters, logs, queues the free. */
static void finalize(struct bl_session *s, enum bl_sess_end why)
{
    struct bl_loop *loop = s->w->loop;
    /* A reset is passed on as a reset; a failure to find or reach a member is
     * shown to the client as one too, so it fails fast rather than reading EOF.
     * Timeouts and shutdown close cleanly. */
    bool reset =
        why == BL_END_CLIENT_RESET || why == BL_END_MEMBER_RESET || why == BL_END_MEMBER_DOWN;

    if (s->state == BL_SESS_ST_CLOSED)
        return;
    s->state = BL_SESS_ST_CLOSED;
    bl_timer_stop(loop, &s->timer);
    if (why == BL_END_NO_MEMBER || why == BL_END_CONNECT_FAILED) {
        bl_stat_add(s->sl->st->errors, 1);
        reset = true;
    }
    close_member(s, reset);
    if (reset)
        bl_sock_set_reset(s->cli.fd);
    bl_io_close(loop, &s->cli);
    release_half(s->w, &s->up);
    release_half(s->w, &s->down);
    bl_stat_add(s->sl->st->active, -1);
    if (bl_log_enabled(BL_LOG_DEBUG)) {
        char ps[BL_ADDR_STRLEN];
        bl_log(BL_LOG_DEBUG, "%s: client %s closed: %s", s->sl->label, bl_addr_str(&s->peer, ps),
               end_names[why]);
    }
    bl_list_remove(&s->node);
    bl_loop_defer(loop, &s->free_d, on_free);
}

void bl_tcp_close_all(struct bl_worker *w)
{
    while (!bl_list_empty(&w->sessions)) {
        struct bl_session *s = bl_container_of(w->sessions.next, struct bl_session, node);
        finalize(s, BL_END_SHUTDOWN);
    }
}

void bl_tcp_close_down(struct bl_worker *w)
{
    struct bl_list *n, *next;

    for (n = w->sessions.next; n != &w->sessions; n = next) {
        struct bl_session *s = bl_container_of(n, struct bl_session, node);
        next = n->next; /* finalize() unlinks s */
        if (s->state != BL_SESS_ST_RELAY || !s->pool->cfg->close_on_markdown ||
            bl_member_is_usable(member_st(s)))
            continue;
        /* In panic mode the pool serves from down members on purpose. */
        if (s->pool->lb.panic && !bl_lb_any_usable(&s->pool->lb))
            continue;
        finalize(s, BL_END_MEMBER_DOWN);
    }
}

/* ---- timers ------------------------------------------------------------------------------ */

/* The earliest inactivity deadline, or 0 when both timeouts are disabled. */
static uint64_t idle_deadline(const struct bl_session *s)
{
    const struct bl_cfg_listener *l = s->sl->cfg;
    uint64_t c = l->timeout_client_data_ms ? s->cli_seen_ms + l->timeout_client_data_ms : 0;
    uint64_t m = l->timeout_member_data_ms ? s->srv_seen_ms + l->timeout_member_data_ms : 0;

    if (c == 0 || (m != 0 && m < c))
        return m;
    return c;
}

static void arm_idle(struct bl_session *s)
{
    struct bl_loop *loop = s->w->loop;
    uint64_t due = idle_deadline(s), now = bl_loop_now_ms(loop);

    if (due == 0)
        bl_timer_stop(loop, &s->timer);
    else
        bl_timer_start(loop, &s->timer, due > now ? due - now : 0);
}

/* Activity only moves timestamps; the timer notices when it fires (lazy re-arm). */
static void on_timer(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_session *s = bl_container_of(t, struct bl_session, timer);
    const struct bl_cfg_listener *l = s->sl->cfg;
    uint64_t now = bl_loop_now_ms(loop);

    if (s->state == BL_SESS_ST_CONNECTING) {
        char ms[BL_ADDR_STRLEN];
        count_connect_error(s);
        bl_log(BL_LOG_WARN, "%s: member %s: connect timeout after %u ms", s->sl->label,
               bl_addr_str(&s->pool->members[s->member].cfg->addr, ms),
               l->timeout_member_connect_ms);
        close_member(s, true);
        start_connect(s);
        return;
    }
    if (l->timeout_client_data_ms && now >= s->cli_seen_ms + l->timeout_client_data_ms)
        finalize(s, BL_END_CLIENT_TIMEOUT);
    else if (l->timeout_member_data_ms && now >= s->srv_seen_ms + l->timeout_member_data_ms)
        finalize(s, BL_END_MEMBER_TIMEOUT);
    else
        arm_idle(s);
}

/* ---- relay ---------------------------------------------------------------------------------- */

/* Recomputes what each socket waits for; ends the session once both FINs are forwarded. */
static void update_interest(struct bl_session *s)
{
    struct bl_loop *loop = s->w->loop;
    uint32_t ce = 0, me = 0;

    if (s->up.shut && s->down.shut) {
        finalize(s, BL_END_DONE);
        return;
    }
    if (!s->up.eof && s->up.pending == 0)
        ce |= EPOLLIN;
    if (s->down.pending > 0)
        ce |= EPOLLOUT;
    if (!s->down.eof && s->down.pending == 0)
        me |= EPOLLIN;
    if (s->up.pending > 0 || s->hdr_off < s->hdr_len)
        me |= EPOLLOUT;
    if (bl_io_want(loop, &s->cli, ce) < 0 || bl_io_want(loop, &s->srv, me) < 0)
        finalize(s, BL_END_CLIENT_RESET);
}

/* Writes what the pipe holds to `to`. Returns 0, or the end reason on a fatal error. */
static int half_flush(struct bl_session *s, struct half *h, int to, bool to_client)
{
    ssize_t n;

    if (!to_client && s->hdr_off < s->hdr_len)
        return 0; /* the PROXY header goes first; on_member_relay() resumes */
    if (h->pending > h->spill_len) {
        n = splice(h->pipe[0], NULL, to, NULL, h->pending - h->spill_len,
                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n < 0 && errno != EAGAIN)
            return to_client ? BL_END_CLIENT_RESET : BL_END_MEMBER_RESET;
        if (n > 0) {
            h->pending -= (size_t)n;
            if (to_client)
                s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
            else
                s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
        }
    }
    if (h->spill_len > 0 && h->pending == h->spill_len) {
        n = send(to, h->spill, h->spill_len, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN)
            return to_client ? BL_END_CLIENT_RESET : BL_END_MEMBER_RESET;
        if (n > 0) {
            memmove(h->spill, h->spill + n, h->spill_len - (size_t)n);
            h->spill_len -= (size_t)n;
            h->pending -= (size_t)n;
        }
        if (h->spill_len == 0) {
            free(h->spill);
            h->spill = NULL;
        }
    }
    if (h->pending == 0) {
        struct half *other = h == &s->up ? &s->down : &s->up;
        if (h->pipe[0] >= 0)
            bl_worker_pipe_put(s->w, h->pipe);
        if (h->eof && !h->shut) {
            /* When the other way is finished too, the session closes now and
             * close() sends this FIN: spare the shutdown() call. */
            if (!other->shut)
                shutdown(to, SHUT_WR);
            h->shut = true;
        }
    }
    return 0;
}

static void count_in(struct bl_session *s, bool from_client, size_t n)
{
    struct bl_member_state *mst = member_st(s);

    if (from_client) {
        bl_stat_add(s->sl->st->bytes_in, (uint64_t)n);
        bl_stat_add(mst->bytes_in, (uint64_t)n);
        s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
    } else {
        bl_stat_add(s->sl->st->bytes_out, (uint64_t)n);
        bl_stat_add(mst->bytes_out, (uint64_t)n);
        s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
    }
}

/* Parks bytes the destination did not take in the half's pipe. */
static int park(struct bl_session *s, struct half *h, const unsigned char *buf, size_t n)
{
    ssize_t w;

    if (h->pipe[0] < 0 && bl_worker_pipe_get(s->w, h->pipe) < 0)
        return -1;
    w = h->spill_len ? 0 : write(h->pipe[1], buf, n);
    if (w < 0 && errno != EAGAIN)
        return -1;
    if (w < 0)
        w = 0;
    /* A pipe normally takes a whole copy buffer, but a user over
     * fs.pipe-user-pages-soft gets 8 KiB pipes: keep the tail aside. */
    if ((size_t)w < n) {
        h->spill = bl_xrealloc(h->spill, h->spill_len + (n - (size_t)w));
        memcpy(h->spill + h->spill_len, buf + w, n - (size_t)w);
        h->spill_len += n - (size_t)w;
    }
    h->pending += n;
    return 0;
}

/* The copy path: one recv() into the worker's buffer, one send() out. */
static int half_copy(struct bl_session *s, struct half *h, int from, int to, bool from_client)
{
    int reset = from_client ? BL_END_CLIENT_RESET : BL_END_MEMBER_RESET;
    int reset_to = from_client ? BL_END_MEMBER_RESET : BL_END_CLIENT_RESET;
    unsigned char *buf = s->w->scratch;
    ssize_t n = recv(from, buf, BL_COPY_BUF, 0), m = 0;

    if (n < 0)
        return errno == EAGAIN ? 0 : reset;
    if (n == 0) {
        h->eof = true;
        return half_flush(s, h, to, !from_client);
    }
    count_in(s, from_client, (size_t)n);
    if ((size_t)n == BL_COPY_BUF)
        h->bulk = true;
    /* Client bytes wait behind an unsent PROXY header. */
    if (!from_client || s->hdr_off == s->hdr_len) {
        m = send(to, buf, (size_t)n, MSG_NOSIGNAL);
        if (m < 0 && errno != EAGAIN)
            return reset_to;
        if (m < 0)
            m = 0;
    }
    if (m > 0) {
        if (from_client)
            s->srv_seen_ms = s->cli_seen_ms;
        else
            s->cli_seen_ms = s->srv_seen_ms;
    }
    if (m < n && park(s, h, buf + m, (size_t)(n - m)) < 0)
        return reset;
    return 0;
}

/* Reads from `from` into the half's pipe, then tries to deliver at once. */
static int half_fill(struct bl_session *s, struct half *h, int from, int to, bool from_client)
{
    struct bl_member_state *mst = member_st(s);
    ssize_t n;
    int rc;

    if (!h->bulk)
        return half_copy(s, h, from, to, from_client);
    if (h->pipe[0] < 0 && (rc = bl_worker_pipe_get(s->w, h->pipe)) < 0) {
        bl_log(BL_LOG_ERROR, "%s: cannot create pipe: %s", s->sl->label, strerror(-rc));
        return from_client ? BL_END_CLIENT_RESET : BL_END_MEMBER_RESET;
    }
    n = splice(from, NULL, h->pipe[1], NULL, SPLICE_CHUNK, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n < 0) {
        if (errno == EAGAIN)
            return half_flush(s, h, to, !from_client);
        return from_client ? BL_END_CLIENT_RESET : BL_END_MEMBER_RESET;
    }
    if (n == 0) {
        h->eof = true;
    } else {
        h->pending += (size_t)n;
        if (from_client) {
            bl_stat_add(s->sl->st->bytes_in, (uint64_t)n);
            bl_stat_add(mst->bytes_in, (uint64_t)n);
        } else {
            bl_stat_add(s->sl->st->bytes_out, (uint64_t)n);
            bl_stat_add(mst->bytes_out, (uint64_t)n);
        }
    }
    if (from_client)
        s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
    else
        s->srv_seen_ms = bl_loop_now_ms(s->w->loop);
    return half_flush(s, h, to, !from_client);
}

static void on_client(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_session *s = bl_container_of(io, struct bl_session, cli);
    int rc = 0;

    (void)loop;
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && s->down.pending > 0)
        rc = half_flush(s, &s->down, s->cli.fd, true);
    if (rc == 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (s->cli.events & EPOLLIN))
        rc = half_fill(s, &s->up, s->cli.fd, s->srv.fd, true);
    if (rc != 0)
        finalize(s, (enum bl_sess_end)rc);
    else
        update_interest(s);
}

/* Sends the rest of the PROXY protocol header. Returns 0 or an end reason. */
static int send_header(struct bl_session *s)
{
    ssize_t n = send(s->srv.fd, s->hdr + s->hdr_off, s->hdr_len - s->hdr_off, MSG_NOSIGNAL);

    if (n < 0)
        return errno == EAGAIN ? 0 : BL_END_MEMBER_RESET;
    s->hdr_off += (uint8_t)n;
    return 0;
}

static void on_member_relay(struct bl_session *s, uint32_t events)
{
    int rc = 0;

    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && s->hdr_off < s->hdr_len)
        rc = send_header(s);
    if (rc == 0 && s->hdr_off == s->hdr_len && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) &&
        s->up.pending > 0)
        rc = half_flush(s, &s->up, s->srv.fd, false);
    if (rc == 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && (s->srv.events & EPOLLIN))
        rc = half_fill(s, &s->down, s->srv.fd, s->cli.fd, false);
    if (rc != 0)
        finalize(s, (enum bl_sess_end)rc);
    else
        update_interest(s);
}

/* ---- connecting ------------------------------------------------------------------------------ */

static void build_header(struct bl_session *s)
{
    struct bl_addr local;

    s->hdr_len = s->hdr_off = 0;
    if (s->pool->cfg->proto != BL_PROTO_PROXY && s->pool->cfg->proto != BL_PROTO_PROXYV2)
        return;
    /* The address the client reached, as HAProxy's send-proxy reports it. */
    if (bl_sock_local(s->cli.fd, &local) < 0)
        local = s->sl->addr;
    if (s->pool->cfg->proto == BL_PROTO_PROXY)
        s->hdr_len = (uint8_t)bl_proxy_v1_build((char *)s->hdr, &s->peer, &local);
    else
        s->hdr_len = (uint8_t)bl_proxy_v2_build(s->hdr, &s->peer, &local);
}

static void connected(struct bl_session *s)
{
    struct bl_loop *loop = s->w->loop;

    s->state = BL_SESS_ST_RELAY;
    bl_stat_add(member_st(s)->total, 1);
    bl_outlier_success(member_st(s));
    s->cli_seen_ms = s->srv_seen_ms = bl_loop_now_ms(loop);
    build_header(s);
    if (s->hdr_len > 0 && send_header(s) != 0) {
        finalize(s, BL_END_MEMBER_RESET);
        return;
    }
    arm_idle(s);
    /* The client has usually sent its first bytes while we connected: read
     * them now rather than after another trip through epoll_wait. */
    if (s->hdr_off == s->hdr_len) {
        int rc = half_fill(s, &s->up, s->cli.fd, s->srv.fd, true);
        if (rc != 0) {
            finalize(s, (enum bl_sess_end)rc);
            return;
        }
    }
    update_interest(s);
}

/* At most one line per member per second: an outage under load would
 * otherwise write a line per connection. The counters keep every failure. */
static void log_connect_failure(const struct bl_session *s, int rc)
{
    struct bl_member_state *st = member_st(s);
    uint64_t now = bl_loop_now_ms(s->w->loop), last = atomic_load(&st->warned_ms);
    char ms[BL_ADDR_STRLEN];
    uint32_t skipped;

    if ((last != 0 && now - last < 1000) ||
        !atomic_compare_exchange_strong(&st->warned_ms, &last, now)) {
        atomic_fetch_add(&st->unlogged, 1);
        return;
    }
    skipped = atomic_exchange(&st->unlogged, 0);
    bl_log(BL_LOG_WARN, "%s: member %s: connect failed: %s%s", s->sl->label,
           bl_addr_str(&s->pool->members[s->member].cfg->addr, ms), strerror(-rc),
           s->tried.n < 1u + s->pool->cfg->retry.num_retries ? " (trying another member)" : "");
    if (skipped > 0)
        bl_log(BL_LOG_WARN, "%s: member %s: %u more connect failures in the last second",
               s->sl->label, ms, skipped);
}

static void connect_failed(struct bl_session *s, int rc)
{
    count_connect_error(s);
    log_connect_failure(s, rc);
    close_member(s, false);
    start_connect(s);
}

static void on_member(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_session *s = bl_container_of(io, struct bl_session, srv);
    int rc;

    (void)loop;
    if (s->state == BL_SESS_ST_RELAY) {
        on_member_relay(s, events);
        return;
    }
    /* Writable without error means connected: SO_ERROR is only read (one more
     * system call) to name a failure. */
    rc = 0;
    if (events & (EPOLLERR | EPOLLHUP)) {
        rc = bl_sock_error(io->fd);
        if (rc == 0)
            rc = -ECONNRESET;
    }
    if (rc < 0)
        connect_failed(s, rc);
    else
        connected(s);
}

/* Picks a member not tried yet and starts connecting; finalizes when none is left. */
static void start_connect(struct bl_session *s)
{
    struct bl_loop *loop = s->w->loop;
    const struct bl_cfg_listener *l = s->sl->cfg;

    while (s->tried.n < 1u + s->pool->cfg->retry.num_retries) {
        int fd, m = s->persist.member;
        s->persist.member = -1; /* a retry balances */
        if (m < 0 || bl_lb_tried_has(&s->tried, (uint32_t)m))
            m = bl_lb_pick(&s->pool->lb, s->hash, &s->tried);
        if (m < 0)
            break;
        bl_persist_chosen(s->pool, &s->persist, m, bl_loop_now_ms(loop));
        s->member = m;
        s->tried.idx[s->tried.n++] = (uint32_t)m;
        bl_stat_add(member_st(s)->active, 1);
        fd = bl_sock_connect(&s->pool->members[m].cfg->addr, SOCK_STREAM);
        if (fd < 0) {
            log_connect_failure(s, fd);
            bl_stat_add(member_st(s)->active, -1);
            count_connect_error(s);
            continue;
        }
        bl_io_init(&s->srv, fd, on_member);
        if (bl_io_want(loop, &s->srv, EPOLLOUT) < 0) {
            close_member(s, false);
            continue;
        }
        if (l->timeout_member_connect_ms)
            bl_timer_start(loop, &s->timer, l->timeout_member_connect_ms);
        return;
    }
    s->member = -1;
    finalize(s, s->tried.n == 0 ? BL_END_NO_MEMBER : BL_END_CONNECT_FAILED);
}

/* ---- accepting -------------------------------------------------------------------------------- */

static void start_session(struct bl_wlistener *wl, int fd, const struct bl_addr *peer)
{
    struct bl_worker *w = wl->w;
    struct bl_snap_listener *sl = wl->sl;
    struct bl_session *s;

    if (sl->pool == NULL || !bl_listener_allows(sl, peer) || !bl_listener_admit(sl)) {
        if (sl->pool == NULL)
            bl_stat_add(sl->st->errors, 1);
        bl_sock_set_reset(fd);
        close(fd);
        return;
    }
    s = bl_xcalloc(1, sizeof(*s));
    s->w = w;
    s->snap = w->snap;
    bl_snapshot_ref(s->snap);
    s->sl = sl;
    s->pool = sl->pool;
    s->member = -1;
    s->peer = *peer;
    s->up.pipe[0] = s->up.pipe[1] = s->down.pipe[0] = s->down.pipe[1] = -1;
    if (s->pool->hash_client)
        s->hash = bl_addr_hash(peer, s->pool->hash_port);
    bl_persist_find(s->pool, peer, NULL, bl_loop_now_ms(w->loop), &s->persist);
    bl_stat_add(sl->st->total, 1);
    bl_io_init(&s->cli, fd, on_client);
    bl_io_init(&s->srv, -1, on_member);
    bl_timer_init(&s->timer, on_timer);
    bl_list_append(&w->sessions, &s->node);
    start_connect(s);
}

void bl_tcp_on_accept(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    (void)loop;
    (void)events;
    bl_worker_accept(bl_container_of(io, struct bl_wlistener, io), start_session);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A worker: one thread, one event loop, its own listening socket per
 * listener (SO_REUSEPORT spreads connections over workers in the kernel),
 * and the sessions and UDP flows it accepted. Nothing here is touched by
 * another thread except `pending`, the hand-over slot for a new snapshot.
 * Internal to proxy/; the rest of ballast sees proxy/dataplane.h.
 */
#ifndef BL_PROXY_WORKER_H
#define BL_PROXY_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "config/snapshot.h"
#include "core/list.h"
#include "core/loop.h"
#include "lb/outlier.h"
#include "proxy/hbuf.h"
#include "proxy/upstream.h"

#define BL_PIPE_POOL_MAX 64
#define BL_PIPE_BYTES (256 * 1024) /* pipe capacity asked for (F_SETPIPE_SZ) */
#define BL_SCRATCH 65536           /* the largest UDP datagram */
#define BL_COPY_BUF 16384          /* TCP reads this size are copied; a full one turns to splice */

struct bl_worker;
struct bl_udp_flow;

/* This worker's view of one snapshot listener: the epoll registration of its socket. */
struct bl_wlistener {
    struct bl_io io;              /* fd borrowed from `ls`, never closed here */
    struct bl_worker *w;
    struct bl_snap_listener *sl;  /* in w->snap */
    struct bl_lsock *ls;
    struct bl_timer pause;        /* re-enables accept after EMFILE */
};

struct bl_worker {
    unsigned id;
    pthread_t thread;
    struct bl_loop *loop;
    struct bl_async wake;                  /* "look at `pending`" or "stop" */
    _Atomic(struct bl_snapshot *) pending; /* a reference handed over by the control thread */
    _Atomic bool stopping;
    struct bl_snapshot *snap;              /* the snapshot new connections use */
    _Atomic uint64_t generation;           /* snap->generation, readable by the control thread */
    struct bl_wlistener **wls;             /* one per snap->listeners[], each its own block */
    struct bl_list sessions;               /* live TCP sessions (struct bl_session.node) */
    struct bl_list hsessions;              /* live HTTP sessions (struct bl_hsess.node) */
    struct bl_up_pool up;                  /* member connections kept alive (HTTP) */
    struct bl_hbuf_cache bufs;             /* spare HTTP buffers */
    int pipes[BL_PIPE_POOL_MAX][2];        /* empty pipes kept for splice */
    unsigned npipes;
    struct bl_udp_flow **flows;            /* UDP flow hash table */
    uint32_t nflow_buckets, nflows;
    unsigned char *scratch;                /* BL_SCRATCH bytes: a UDP datagram, a TCP copy */
    struct bl_timer reaper;                /* armed while a pool says ballast_close_on_markdown */
};

/* Takes an empty pipe from the pool (or makes one). Returns 0 or -errno. */
int bl_worker_pipe_get(struct bl_worker *w, int fds[2]);

/* Returns an empty pipe to the pool (closing it if the pool is full). */
void bl_worker_pipe_put(struct bl_worker *w, int fds[2]);

/* tcp.c: accept what the listener has queued; start a session for each. */
void bl_tcp_on_accept(struct bl_loop *loop, struct bl_io *io, uint32_t events);

/* tcp.c: closes every session (worker shutdown). */
void bl_tcp_close_all(struct bl_worker *w);

/* tcp.c: resets the established sessions whose member is marked down, in pools
 * with ballast_close_on_markdown (unless the pool is in panic mode). */
void bl_tcp_close_down(struct bl_worker *w);

/* http.c: accept what an HTTP listener has queued; start a session for each. */
void bl_http_on_accept(struct bl_loop *loop, struct bl_io *io, uint32_t events);

/* http.c: closes every HTTP session (worker shutdown). */
void bl_http_close_all(struct bl_worker *w);

/* Accepts what `wl` has queued (a bounded burst), handing each connection to `start`. */
void bl_worker_accept(struct bl_wlistener *wl,
                      void (*start)(struct bl_wlistener *wl, int fd, const struct bl_addr *peer));

/* Stops accepting on `wl` for a moment (accept failed for lack of descriptors or memory). */
void bl_worker_pause_accept(struct bl_wlistener *wl);

/* udp.c: read datagrams from a UDP listener and forward them. */
void bl_udp_on_datagram(struct bl_loop *loop, struct bl_io *io, uint32_t events);

/* udp.c: closes every flow (worker shutdown). */
void bl_udp_close_all(struct bl_worker *w);

/* A member of `sp` failed a worker's request or connection: passive checks
 * (lb/outlier.h) may eject it now, within the pool's budget. */
static inline void bl_worker_member_failure(const struct bl_snap_pool *sp,
                                            struct bl_member_state *st, uint64_t now_ms)
{
    bl_outlier_failure(&sp->cfg->outlier, st, &sp->st->ejected, sp->nmembers, now_ms);
}

/* True when `peer` may use `sl` under its allowed_cidrs. */
bool bl_listener_allows(const struct bl_snap_listener *sl, const struct bl_addr *peer);

/* Counts a new client against connection_limit; false (and counted as denied) if over. */
bool bl_listener_admit(struct bl_snap_listener *sl);

#endif

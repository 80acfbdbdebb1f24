/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Connections from a worker to members for the HTTP proxy, and the pool of
 * idle ones kept open between requests (keep-alive to members). Each worker
 * has its own pool, so taking and giving back a connection is a hash look-up
 * and two list operations, with no lock.
 *
 * A connection is keyed by the member's address (and, later, its TLS
 * settings), not by the member object: a reload that keeps the member keeps
 * its warm connections. Idle connections stay registered for EPOLLIN so a
 * member that closes one is noticed and the socket closed; the most recently
 * used is reused first (its TCP window is warm), and the least recently used
 * beyond the cap or older than the idle time is closed.
 */
#ifndef BL_PROXY_UPSTREAM_H
#define BL_PROXY_UPSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/list.h"
#include "core/loop.h"
#include "net/addr.h"
#include "net/tls.h"

#define BL_UP_IDLE_MAX 1024 /* idle connections per worker */
#define BL_UP_IDLE_MS 5000  /* an idle connection unused this long is closed */
#define BL_UP_BUCKETS 256   /* hash buckets (power of two) */

struct bl_hsess;
struct bl_up_pool;

struct bl_hconn {
    struct bl_io io;                  /* callback: the session's while attached */
    struct bl_up_pool *pool;          /* the worker's pool it belongs to */
    struct bl_list lru;               /* in the pool's LRU list, while idle */
    struct bl_list bucket;            /* in its hash bucket, while idle */
    struct bl_hsess *sess;            /* attached session; NULL while idle */
    struct bl_addr addr;              /* the member address: with tls_ctx, the key */
    const struct bl_tls_ctx *tls_ctx; /* the pool's client context, NULL = plain */
    struct bl_tls_conn *tls;          /* re-encryption to the member (pool tls_enabled), or NULL */
    uint64_t idle_since_ms;           /* loop clock when it was put back */
    uint32_t requests;                /* exchanges carried so far */
    bool idle;
    bool connected; /* the TCP connect completed (a TLS handshake may follow) */
};

struct bl_up_pool {
    struct bl_list lru; /* idle connections, most recent first */
    struct bl_list buckets[BL_UP_BUCKETS];
    unsigned nidle;
    struct bl_timer sweep;
    struct bl_loop *loop;
    uint64_t reused, opened; /* for tests and stats */
};

void bl_up_init(struct bl_up_pool *p, struct bl_loop *loop);

/* Closes every idle connection (worker exit). Attached ones are the sessions' to close. */
void bl_up_dispose(struct bl_up_pool *p);

/* An idle connection to `a` made with `tls_ctx` (NULL = plain), now attached to
 * nobody and out of the pool; NULL if none. */
struct bl_hconn *bl_up_take(struct bl_up_pool *p, const struct bl_addr *a,
                            const struct bl_tls_ctx *tls_ctx);

/*
 * Starts a non-blocking connect to `a`; the new connection's events go to
 * `cb` (interest: EPOLLOUT, for the connect to complete). With `tls_ctx`, the
 * connection speaks TLS over it (the handshake starts once connected).
 * Returns 0 with `*out` set, or a negative errno.
 */
int bl_up_connect(struct bl_up_pool *p, const struct bl_addr *a, struct bl_tls_ctx *tls_ctx,
                  bl_io_cb *cb, struct bl_hconn **out);

/* Puts a connection with a finished exchange back in the pool (or closes it when full). */
void bl_up_put(struct bl_up_pool *p, struct bl_hconn *c);

/* An event on an idle connection (the member closed it, or spoke out of turn): closes it. */
void bl_up_on_idle(struct bl_up_pool *p, struct bl_hconn *c);

/* Closes and frees a connection that is not idle; `reset` sends a RST. */
void bl_up_close(struct bl_up_pool *p, struct bl_hconn *c, bool reset);

#endif

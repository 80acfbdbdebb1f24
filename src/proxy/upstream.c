/* SPDX-License-Identifier: Apache-2.0 */
/* Member connections and the per-worker idle pool: see upstream.h. */
#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/xalloc.h"
#include "net/sock.h"
#include "proxy/upstream.h"

#define SWEEP_MS 1000

static struct bl_list *bucket_of(struct bl_up_pool *p, const struct bl_addr *a)
{
    return &p->buckets[bl_addr_hash(a, true) & (BL_UP_BUCKETS - 1)];
}

static void unlink_idle(struct bl_up_pool *p, struct bl_hconn *c)
{
    bl_list_remove(&c->lru);
    bl_list_remove(&c->bucket);
    c->idle = false;
    p->nidle--;
}

static void destroy(struct bl_up_pool *p, struct bl_hconn *c, bool reset)
{
    if (c->idle)
        unlink_idle(p, c);
    if (reset && c->io.fd >= 0)
        bl_sock_set_reset(c->io.fd);
    bl_io_close(p->loop, &c->io);
    bl_tls_conn_free(c->tls);
    free(c);
}

static void on_sweep(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_up_pool *p = bl_container_of(t, struct bl_up_pool, sweep);
    uint64_t now = bl_loop_now_ms(loop);

    /* The LRU list is ordered by idle_since_ms: the oldest are at the tail. */
    while (!bl_list_empty(&p->lru)) {
        struct bl_hconn *c = bl_container_of(p->lru.prev, struct bl_hconn, lru);
        if (now - c->idle_since_ms < BL_UP_IDLE_MS)
            break;
        destroy(p, c, false);
    }
    if (p->nidle > 0)
        bl_timer_start(loop, t, SWEEP_MS);
}

void bl_up_init(struct bl_up_pool *p, struct bl_loop *loop)
{
    p->loop = loop;
    bl_list_init(&p->lru);
    for (unsigned i = 0; i < BL_UP_BUCKETS; i++)
        bl_list_init(&p->buckets[i]);
    bl_timer_init(&p->sweep, on_sweep);
}

void bl_up_dispose(struct bl_up_pool *p)
{
    while (!bl_list_empty(&p->lru))
        destroy(p, bl_container_of(p->lru.next, struct bl_hconn, lru), false);
    bl_timer_stop(p->loop, &p->sweep);
}

struct bl_hconn *bl_up_take(struct bl_up_pool *p, const struct bl_addr *a,
                            const struct bl_tls_ctx *tls_ctx)
{
    struct bl_list *b = bucket_of(p, a);

    for (struct bl_list *n = b->next; n != b; n = n->next) {
        struct bl_hconn *c = bl_container_of(n, struct bl_hconn, bucket);
        if (c->tls_ctx == tls_ctx && bl_addr_equal(&c->addr, a)) {
            unlink_idle(p, c);
            p->reused++;
            return c;
        }
    }
    return NULL;
}

int bl_up_connect(struct bl_up_pool *p, const struct bl_addr *a, struct bl_tls_ctx *tls_ctx,
                  bl_io_cb *cb, struct bl_hconn **out)
{
    int fd = bl_sock_connect(a, SOCK_STREAM), rc;
    struct bl_hconn *c;

    if (fd < 0)
        return fd;
    c = bl_xcalloc(1, sizeof(*c));
    c->addr = *a;
    c->pool = p;
    c->tls_ctx = tls_ctx;
    if (tls_ctx != NULL)
        c->tls = bl_tls_conn_new(tls_ctx, fd, NULL); /* holds a reference to the context */
    bl_io_init(&c->io, fd, cb);
    rc = bl_io_want(p->loop, &c->io, EPOLLOUT);
    if (rc < 0) {
        close(fd);
        free(c);
        return rc;
    }
    p->opened++;
    *out = c;
    return 0;
}

void bl_up_put(struct bl_up_pool *p, struct bl_hconn *c)
{
    c->sess = NULL;
    if (p->nidle >= BL_UP_IDLE_MAX)
        destroy(p, bl_container_of(p->lru.prev, struct bl_hconn, lru), false);
    /* Only EPOLLIN: a close by the member shows as readable. */
    if (bl_io_want(p->loop, &c->io, EPOLLIN) < 0) {
        destroy(p, c, false);
        return;
    }
    c->idle = true;
    c->idle_since_ms = bl_loop_now_ms(p->loop);
    bl_list_prepend(&p->lru, &c->lru);
    bl_list_prepend(bucket_of(p, &c->addr), &c->bucket);
    p->nidle++;
    if (!bl_timer_armed(&p->sweep))
        bl_timer_start(p->loop, &p->sweep, SWEEP_MS);
}

void bl_up_close(struct bl_up_pool *p, struct bl_hconn *c, bool reset)
{
    destroy(p, c, reset);
}

/* Whatever an idle connection reads (EOF, an error, stray bytes) ends it:
 * a member may not speak before it is asked. */
void bl_up_on_idle(struct bl_up_pool *p, struct bl_hconn *c)
{
    destroy(p, c, false);
}

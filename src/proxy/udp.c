/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The UDP proxy. A flow is one client address on one listening socket: the
 * first datagram picks a member and opens a socket connected to it; later
 * datagrams of that client reuse the flow; the member's replies are sent back
 * through the listening socket, so they come from the VIP. A flow ends after
 * timeout_client_data of silence in both directions.
 *
 * SO_REUSEPORT hashes a client's datagrams to one worker, so each worker
 * keeps its own flow table and no lock is needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/registry.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "lb/pool.h"
#include "net/sock.h"
#include "proxy/worker.h"

#define DGRAM_BURST 64
#define FLOW_IDLE_DEFAULT_MS 50000 /* when timeout_client_data is 0 */

struct bl_udp_flow {
    struct bl_udp_flow *next;  /* hash chain */
    struct bl_worker *w;
    struct bl_snapshot *snap;  /* reference: keeps sl, pool and the lsock alive */
    struct bl_snap_listener *sl;
    struct bl_lsock *ls;       /* replies leave through this socket */
    struct bl_snap_member *member;
    struct bl_addr client;
    uint64_t key;              /* hash of (ls, client) */
    uint64_t seen_ms;
    struct bl_io io;           /* socket connected to the member */
    struct bl_timer idle;
    struct bl_defer free_d;
};

static uint64_t flow_key(const struct bl_lsock *ls, const struct bl_addr *client)
{
    return bl_addr_hash(client, true) ^ ((uint64_t)(uintptr_t)ls * 0x9e3779b97f4a7c15ULL);
}

static struct bl_udp_flow **bucket(struct bl_worker *w, uint64_t key)
{
    return &w->flows[key % w->nflow_buckets];
}

static struct bl_udp_flow *flow_find(struct bl_worker *w, const struct bl_lsock *ls,
                                     const struct bl_addr *client, uint64_t key)
{
    if (w->nflow_buckets == 0)
        return NULL;
    for (struct bl_udp_flow *f = *bucket(w, key); f != NULL; f = f->next) {
        if (f->key == key && f->ls == ls && bl_addr_equal(&f->client, client))
            return f;
    }
    return NULL;
}

static void flow_table_grow(struct bl_worker *w)
{
    uint32_t n = w->nflow_buckets ? w->nflow_buckets * 2 : 1024;
    struct bl_udp_flow **nb = bl_xcalloc(n, sizeof(*nb));

    for (uint32_t i = 0; i < w->nflow_buckets; i++) {
        struct bl_udp_flow *f = w->flows[i], *next;
        for (; f != NULL; f = next) {
            next = f->next;
            f->next = nb[f->key % n];
            nb[f->key % n] = f;
        }
    }
    free(w->flows);
    w->flows = nb;
    w->nflow_buckets = n;
}

static void on_flow_free(struct bl_loop *loop, struct bl_defer *d)
{
    struct bl_udp_flow *f = bl_container_of(d, struct bl_udp_flow, free_d);

    (void)loop;
    bl_registry_unref(f->ls);
    bl_snapshot_unref(f->snap);
    free(f);
}

static void flow_close(struct bl_udp_flow *f)
{
    struct bl_udp_flow **pp;

    for (pp = bucket(f->w, f->key); *pp != f; pp = &(*pp)->next)
        ;
    *pp = f->next;
    f->w->nflows--;
    bl_timer_stop(f->w->loop, &f->idle);
    bl_io_close(f->w->loop, &f->io);
    bl_stat_add(f->member->st->active, -1);
    bl_stat_add(f->sl->st->active, -1);
    bl_loop_defer(f->w->loop, &f->free_d, on_flow_free);
}

void bl_udp_close_all(struct bl_worker *w)
{
    for (uint32_t i = 0; i < w->nflow_buckets; i++) {
        while (w->flows[i] != NULL)
            flow_close(w->flows[i]);
    }
}

static uint32_t idle_ms(const struct bl_udp_flow *f)
{
    uint32_t t = f->sl->cfg->timeout_client_data_ms;
    return t ? t : FLOW_IDLE_DEFAULT_MS;
}

static void on_idle(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_udp_flow *f = bl_container_of(t, struct bl_udp_flow, idle);
    uint64_t due = f->seen_ms + idle_ms(f), now = bl_loop_now_ms(loop);

    if (now >= due)
        flow_close(f);
    else
        bl_timer_start(loop, t, due - now);
}

/* A reply from the member: send it to the client from the VIP. */
static void on_member_dgram(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_udp_flow *f = bl_container_of(io, struct bl_udp_flow, io);
    unsigned char *buf = f->w->scratch;

    (void)events;
    for (int i = 0; i < DGRAM_BURST; i++) {
        ssize_t n = recv(io->fd, buf, BL_SCRATCH, 0);
        if (n < 0) {
            if (errno == ECONNREFUSED) /* ICMP port unreachable from the member */
                bl_stat_add(f->member->st->conn_errors, 1);
            return;
        }
        f->seen_ms = bl_loop_now_ms(loop);
        if (sendto(f->ls->fd, buf, (size_t)n, 0, &f->client.u.sa, f->client.len) == n) {
            bl_stat_add(f->member->st->bytes_out, (uint64_t)n);
            bl_stat_add(f->sl->st->bytes_out, (uint64_t)n);
        }
    }
}

static struct bl_udp_flow *flow_open(struct bl_wlistener *wl, const struct bl_addr *client,
                                     uint64_t key)
{
    struct bl_worker *w = wl->w;
    struct bl_snap_pool *pool = wl->sl->pool;
    struct bl_udp_flow *f;
    int m, fd;

    m = bl_lb_pick(&pool->lb, pool->hash_client ? bl_addr_hash(client, pool->hash_port) : 0, NULL);
    if (m < 0)
        return NULL;
    fd = bl_sock_connect(&pool->members[m].cfg->addr, SOCK_DGRAM);
    if (fd < 0) {
        bl_stat_add(pool->members[m].st->conn_errors, 1);
        return NULL;
    }
    f = bl_xcalloc(1, sizeof(*f));
    f->w = w;
    f->snap = w->snap;
    bl_snapshot_ref(f->snap);
    f->sl = wl->sl;
    f->ls = wl->ls;
    bl_registry_hold(f->ls); /* replies need the socket even if the listener goes away */
    f->member = &pool->members[m];
    f->client = *client;
    f->key = key;
    bl_io_init(&f->io, fd, on_member_dgram);
    bl_io_want(w->loop, &f->io, EPOLLIN);
    bl_timer_init(&f->idle, on_idle);
    bl_timer_start(w->loop, &f->idle, idle_ms(f));
    bl_stat_add(f->member->st->active, 1);
    bl_stat_add(f->member->st->total, 1);
    bl_stat_add(wl->sl->st->total, 1);
    if (w->nflows >= w->nflow_buckets)
        flow_table_grow(w);
    f->next = *bucket(w, key);
    *bucket(w, key) = f;
    w->nflows++;
    return f;
}

/* Finds or opens the flow for `client`; NULL when the datagram must be dropped. */
static struct bl_udp_flow *flow_for(struct bl_wlistener *wl, const struct bl_addr *client)
{
    uint64_t key = flow_key(wl->ls, client);
    struct bl_udp_flow *f = flow_find(wl->w, wl->ls, client, key);

    if (f != NULL)
        return f;
    if (wl->sl->pool == NULL || !bl_listener_allows(wl->sl, client) ||
        !bl_listener_admit(wl->sl))
        return NULL;
    f = flow_open(wl, client, key);
    if (f == NULL) {
        bl_stat_add(wl->sl->st->active, -1);
        bl_stat_add(wl->sl->st->errors, 1);
    }
    return f;
}

void bl_udp_on_datagram(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_wlistener *wl = bl_container_of(io, struct bl_wlistener, io);
    unsigned char *buf = wl->w->scratch;

    (void)events;
    for (int i = 0; i < DGRAM_BURST; i++) {
        struct bl_addr client;
        socklen_t len = sizeof(client.u);
        struct bl_udp_flow *f;
        ssize_t n = recvfrom(io->fd, buf, BL_SCRATCH, 0, &client.u.sa, &len);
        if (n < 0)
            return;
        client.len = len;
        f = flow_for(wl, &client);
        if (f == NULL)
            continue;
        f->seen_ms = bl_loop_now_ms(loop);
        bl_stat_add(wl->sl->st->bytes_in, (uint64_t)n);
        if (send(f->io.fd, buf, (size_t)n, 0) == n)
            bl_stat_add(f->member->st->bytes_in, (uint64_t)n);
        else if (errno == ECONNREFUSED)
            bl_stat_add(f->member->st->conn_errors, 1);
    }
}

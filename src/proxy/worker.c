/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Worker threads and the data plane that owns them. A new snapshot reaches a
 * worker through its `pending` slot and an eventfd; the worker then moves its
 * epoll registrations from the old snapshot's listeners to the new ones.
 * Sockets are shared between the two (config/registry), so between the
 * EPOLL_CTL_DEL and the ADD new connections simply wait in the kernel's
 * accept queue: none is refused.
 */
#include "proxy/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "net/sock.h"
#include "proxy/dataplane.h"

struct bl_dataplane {
    unsigned nworkers;
    struct bl_worker *workers;
    struct bl_snapshot *current; /* the control thread's reference */
};

/* ---- pipes for splice -------------------------------------------------------------- */

int bl_worker_pipe_get(struct bl_worker *w, int fds[2])
{
    if (w->npipes > 0) {
        w->npipes--;
        fds[0] = w->pipes[w->npipes][0];
        fds[1] = w->pipes[w->npipes][1];
        return 0;
    }
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0)
        return -errno;
    /* Bulk transfers move up to this much per splice; a refusal (over
     * pipe-max-size) just leaves the default 64 KiB. */
    fcntl(fds[0], F_SETPIPE_SZ, BL_PIPE_BYTES);
    return 0;
}

void bl_worker_pipe_put(struct bl_worker *w, int fds[2])
{
    if (w->npipes < BL_PIPE_POOL_MAX) {
        w->pipes[w->npipes][0] = fds[0];
        w->pipes[w->npipes][1] = fds[1];
        w->npipes++;
    } else {
        close(fds[0]);
        close(fds[1]);
    }
    fds[0] = fds[1] = -1;
}

/* ---- listener admission -------------------------------------------------------------- */

bool bl_listener_allows(const struct bl_snap_listener *sl, const struct bl_addr *peer)
{
    const struct bl_cfg_listener *l = sl->cfg;

    if (l->nallowed_cidrs == 0)
        return true;
    for (uint32_t i = 0; i < l->nallowed_cidrs; i++) {
        if (bl_cidr_match(&l->allowed_cidrs[i], peer))
            return true;
    }
    bl_stat_add(sl->st->denied, 1);
    return false;
}

bool bl_listener_admit(struct bl_snap_listener *sl)
{
    int32_t now = bl_stat_add(sl->st->active, 1) + 1;

    if (sl->cfg->connection_limit >= 0 && now > sl->cfg->connection_limit) {
        bl_stat_add(sl->st->active, -1);
        bl_stat_add(sl->st->denied, 1);
        return false;
    }
    return true;
}

/* ---- snapshot switch ------------------------------------------------------------------ */

static void on_pause_end(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_wlistener *wl = bl_container_of(t, struct bl_wlistener, pause);
    bl_io_want(loop, &wl->io, EPOLLIN);
}

void bl_worker_pause_accept(struct bl_wlistener *wl)
{
    /* Level-triggered: without a pause the loop would spin on this listener. */
    bl_log(BL_LOG_ERROR, "%s: accept: %s; pausing 100 ms", wl->sl->label, strerror(errno));
    bl_io_want(wl->w->loop, &wl->io, 0);
    bl_timer_start(wl->w->loop, &wl->pause, 100);
}

static bl_io_cb *accept_handler(const struct bl_snap_listener *sl)
{
    if (sl->socktype == SOCK_DGRAM)
        return bl_udp_on_datagram;
    switch (sl->cfg->proto) {
    case BL_PROTO_HTTP:
    case BL_PROTO_TERMINATED_HTTPS:
    case BL_PROTO_PROMETHEUS:
        return bl_http_on_accept;
    default:
        return bl_tcp_on_accept;
    }
}

static void detach_one(struct bl_worker *w, struct bl_wlistener *wl)
{
    bl_io_detach(w->loop, &wl->io);
    bl_timer_stop(w->loop, &wl->pause);
    free(wl);
}

static void detach_listeners(struct bl_worker *w)
{
    for (uint32_t i = 0; w->snap && i < w->snap->nlisteners; i++)
        detach_one(w, w->wls[i]);
    free(w->wls);
    w->wls = NULL;
}

static struct bl_wlistener *attach_one(struct bl_worker *w, struct bl_snap_listener *sl)
{
    struct bl_wlistener *wl = bl_xcalloc(1, sizeof(*wl));
    int rc;

    wl->w = w;
    wl->sl = sl;
    wl->ls = sl->lsocks[w->id];
    bl_timer_init(&wl->pause, on_pause_end);
    bl_io_init(&wl->io, wl->ls->fd, accept_handler(sl));
    rc = bl_io_want(w->loop, &wl->io, EPOLLIN);
    if (rc < 0)
        bl_log(BL_LOG_ERROR, "worker %u: cannot watch listener %s: %s", w->id, sl->label,
               strerror(-rc));
    return wl;
}

static void attach_listeners(struct bl_worker *w, struct bl_snapshot *s)
{
    w->wls = bl_xcalloc(s->nlisteners ? s->nlisteners : 1, sizeof(*w->wls));
    for (uint32_t i = 0; i < s->nlisteners; i++)
        w->wls[i] = attach_one(w, &s->listeners[i]);
}

/* Open addressing over the current registrations, by listening socket. */
static struct bl_wlistener **index_by_socket(struct bl_worker *w, uint32_t *mask)
{
    uint32_t n = w->snap ? w->snap->nlisteners : 0, size = 16;
    struct bl_wlistener **tab;

    while (size < 2 * n)
        size *= 2;
    tab = bl_xcalloc(size, sizeof(*tab));
    for (uint32_t i = 0; i < n; i++) {
        uint32_t h = (uint32_t)(((uintptr_t)w->wls[i]->ls >> 4) * 2654435761u) & (size - 1);
        while (tab[h] != NULL)
            h = (h + 1) & (size - 1);
        tab[h] = w->wls[i];
    }
    *mask = size - 1;
    return tab;
}

/*
 * Moves to `s`'s listeners. A listening socket both snapshots share keeps its
 * registration (no epoll_ctl, a pause after EMFILE carries on) and only looks
 * at the new listener; the others are attached or detached. So a change to
 * one load balancer costs the worker what that load balancer has, not what
 * the node has.
 */
static void rebind_listeners(struct bl_worker *w, struct bl_snapshot *s)
{
    uint32_t mask;
    struct bl_wlistener **tab = index_by_socket(w, &mask);
    struct bl_wlistener **wls = bl_xcalloc(s->nlisteners ? s->nlisteners : 1, sizeof(*wls));

    for (uint32_t i = 0; i < s->nlisteners; i++) {
        struct bl_lsock *ls = s->listeners[i].lsocks[w->id];
        uint32_t h = (uint32_t)(((uintptr_t)ls >> 4) * 2654435761u) & mask;
        while (tab[h] != NULL && tab[h]->ls != ls)
            h = (h + 1) & mask;
        if (tab[h] != NULL) {
            wls[i] = tab[h];
            wls[i]->sl = &s->listeners[i];
            wls[i]->io.cb = accept_handler(wls[i]->sl); /* TCP <-> HTTP on the same socket */
            tab[h]->ls = NULL;                          /* taken: the sweep below leaves it */
        } else {
            wls[i] = attach_one(w, &s->listeners[i]);
        }
    }
    for (uint32_t i = 0; i <= mask; i++) {
        if (tab[i] != NULL && tab[i]->ls != NULL)
            detach_one(w, tab[i]);
    }
    for (uint32_t i = 0; i < s->nlisteners; i++)
        wls[i]->ls = s->listeners[i].lsocks[w->id];
    free(tab);
    free(w->wls);
    w->wls = wls;
}

#define REAPER_MS 250 /* how soon a marked-down member's connections are reset, at most */

static bool wants_reaper(const struct bl_snapshot *s)
{
    for (uint32_t i = 0; i < s->npools; i++) {
        if (s->pools[i].cfg->close_on_markdown)
            return true;
    }
    return false;
}

/* Polled rather than told: the health checker runs on another thread, and a
 * quarter second is soon enough for connections the pool wants cut. */
static void on_reaper(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_worker *w = bl_container_of(t, struct bl_worker, reaper);

    bl_tcp_close_down(w);
    bl_timer_start(loop, t, REAPER_MS);
}

static void arm_reaper(struct bl_worker *w)
{
    /* Follows the snapshot new connections use: once a reload turns the option
     * off, sessions from before it are left alone too. */
    if (wants_reaper(w->snap) && !bl_timer_armed(&w->reaper))
        bl_timer_start(w->loop, &w->reaper, REAPER_MS);
    else if (!wants_reaper(w->snap))
        bl_timer_stop(w->loop, &w->reaper);
}

static void switch_snapshot(struct bl_worker *w, struct bl_snapshot *s)
{
    struct bl_snapshot *old = w->snap;

    /* `s` arrives held for this worker (bl_dataplane_apply): its sockets cannot
     * be released by a newer apply before we attach them. */
    rebind_listeners(w, s);
    w->snap = s;
    atomic_store(&w->generation, s->generation);
    arm_reaper(w);
    bl_snapshot_release(old);
    bl_snapshot_unref(old); /* sessions still on it hold their own references */
}

static void on_wake(struct bl_loop *loop, struct bl_async *a)
{
    struct bl_worker *w = bl_container_of(a, struct bl_worker, wake);
    struct bl_snapshot *s = atomic_exchange(&w->pending, NULL);

    if (s != NULL)
        switch_snapshot(w, s);
    if (atomic_load(&w->stopping))
        bl_loop_stop(loop);
}

static void *worker_main(void *arg)
{
    struct bl_worker *w = arg;
    int rc = bl_loop_run(w->loop);

    if (rc < 0)
        bl_log(BL_LOG_ERROR, "worker %u: event loop failed: %s", w->id, strerror(-rc));
    return NULL;
}

/* ---- the data plane ---------------------------------------------------------------------- */

static int worker_init(struct bl_worker *w, unsigned id, struct bl_snapshot *s)
{
    int rc;

    w->id = id;
    w->loop = bl_loop_create();
    if (w->loop == NULL)
        return -errno;
    bl_list_init(&w->sessions);
    bl_list_init(&w->hsessions);
    bl_up_init(&w->up, w->loop);
    w->scratch = bl_xmalloc(BL_SCRATCH);
    rc = bl_async_init(w->loop, &w->wake, on_wake);
    if (rc < 0)
        return rc;
    bl_snapshot_ref(s);
    bl_snapshot_hold(s);
    w->snap = s;
    atomic_store(&w->generation, s->generation);
    attach_listeners(w, s);
    bl_timer_init(&w->reaper, on_reaper);
    arm_reaper(w);
    return 0;
}

int bl_dataplane_start(unsigned nworkers, struct bl_snapshot *snap, struct bl_dataplane **out,
                       struct bl_err *err)
{
    struct bl_dataplane *dp = bl_xcalloc(1, sizeof(*dp));
    int rc;

    dp->nworkers = nworkers;
    dp->workers = bl_xcalloc(nworkers, sizeof(*dp->workers));
    dp->current = snap;
    bl_snapshot_hold(snap);
    for (unsigned i = 0; i < nworkers; i++) {
        rc = worker_init(&dp->workers[i], i, snap);
        if (rc < 0)
            return bl_err_set(err, rc, "worker %u: %s", i, strerror(-rc));
    }
    for (unsigned i = 0; i < nworkers; i++) {
        rc = pthread_create(&dp->workers[i].thread, NULL, worker_main, &dp->workers[i]);
        if (rc != 0)
            return bl_err_set(err, -rc, "cannot start worker thread: %s", strerror(rc));
    }
    *out = dp;
    return 0;
}

void bl_dataplane_apply(struct bl_dataplane *dp, struct bl_snapshot *snap)
{
    for (unsigned i = 0; i < dp->nworkers; i++) {
        struct bl_worker *w = &dp->workers[i];
        struct bl_snapshot *prev;
        bl_snapshot_ref(snap);
        bl_snapshot_hold(snap); /* the worker's hold, taken before it can be released */
        /* A worker that has not yet taken the previous hand-over skips it. */
        prev = atomic_exchange(&w->pending, snap);
        bl_snapshot_release(prev);
        bl_snapshot_unref(prev);
        bl_async_send(&w->wake);
    }
    bl_snapshot_hold(snap);
    bl_snapshot_release(dp->current);
    bl_snapshot_unref(dp->current);
    dp->current = snap;
}

struct bl_snapshot *bl_dataplane_snapshot(const struct bl_dataplane *dp)
{
    return dp->current;
}

uint64_t bl_dataplane_applied_generation(const struct bl_dataplane *dp)
{
    uint64_t g = UINT64_MAX;

    for (unsigned i = 0; i < dp->nworkers; i++) {
        uint64_t wg = atomic_load(&dp->workers[i].generation);
        if (wg < g)
            g = wg;
    }
    return g;
}

static void worker_dispose(struct bl_worker *w)
{
    bl_tcp_close_all(w);
    bl_http_close_all(w);
    bl_udp_close_all(w);
    bl_up_dispose(&w->up);
    /* Closing sessions queued their frees; run them now. */
    bl_loop_drain(w->loop);
    bl_hbuf_cache_clear(&w->bufs);
    bl_timer_stop(w->loop, &w->reaper);
    detach_listeners(w);
    bl_snapshot_release(w->snap);
    bl_snapshot_unref(w->snap);
    {
        struct bl_snapshot *pending = atomic_exchange(&w->pending, NULL);
        bl_snapshot_release(pending);
        bl_snapshot_unref(pending);
    }
    while (w->npipes > 0) {
        w->npipes--;
        close(w->pipes[w->npipes][0]);
        close(w->pipes[w->npipes][1]);
    }
    bl_async_close(w->loop, &w->wake);
    if (bl_loop_alive(w->loop) != 0)
        bl_log(BL_LOG_WARN, "worker %u: %u watchers still alive at exit", w->id,
               bl_loop_alive(w->loop));
    bl_loop_destroy(w->loop);
    free(w->flows);
    free(w->scratch);
}

void bl_dataplane_stop(struct bl_dataplane *dp)
{
    if (dp == NULL)
        return;
    for (unsigned i = 0; i < dp->nworkers; i++) {
        atomic_store(&dp->workers[i].stopping, true);
        bl_async_send(&dp->workers[i].wake);
    }
    for (unsigned i = 0; i < dp->nworkers; i++) {
        pthread_join(dp->workers[i].thread, NULL);
        worker_dispose(&dp->workers[i]);
    }
    bl_snapshot_release(dp->current);
    bl_snapshot_unref(dp->current);
    free(dp->workers);
    free(dp);
}

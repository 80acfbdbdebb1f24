/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Event loop: see loop.h for the iteration order. Level-triggered epoll is a
 * deliberate choice: a handler reads once per wake-up and returns, and a fd
 * that must wait (backpressure) has its interest removed, so no handler ever
 * has to drain a socket to EAGAIN to stay correct.
 */
#include "core/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/xalloc.h"

#define MAX_EVENTS 256

struct bl_loop {
    int epfd;
    bool stop;
    uint64_t now_ms;
    unsigned nregistered;
    struct bl_timer **heap; /* heap[1..nheap]; heap[0] unused so parent(i) = i / 2 */
    uint32_t nheap;
    uint32_t heap_cap;
    struct bl_list deferred;
    /* Events fetched by the current epoll_wait, so bl_io_close() can void them. */
    struct epoll_event events[MAX_EVENTS];
    int nevents;
};

static uint64_t clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct bl_loop *bl_loop_create(void)
{
    struct bl_loop *loop = bl_xcalloc(1, sizeof(*loop));

    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (loop->epfd < 0) {
        free(loop);
        return NULL;
    }
    loop->now_ms = clock_ms();
    loop->heap_cap = 64;
    loop->heap = bl_xmalloc(sizeof(*loop->heap) * (loop->heap_cap + 1));
    bl_list_init(&loop->deferred);
    return loop;
}

void bl_loop_destroy(struct bl_loop *loop)
{
    if (loop == NULL)
        return;
    close(loop->epfd);
    free(loop->heap);
    free(loop);
}

uint64_t bl_loop_now_ms(const struct bl_loop *loop)
{
    return loop->now_ms;
}

unsigned bl_loop_alive(const struct bl_loop *loop)
{
    return loop->nregistered + loop->nheap;
}

void bl_loop_stop(struct bl_loop *loop)
{
    loop->stop = true;
}

/* ---- I/O ---------------------------------------------------------------- */

void bl_io_init(struct bl_io *io, int fd, bl_io_cb *cb)
{
    io->fd = fd;
    io->events = 0;
    io->registered = false;
    io->cb = cb;
}

int bl_io_want(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = io};
    int op;

    if (io->registered && io->events == events)
        return 0;
    if (events == 0) {
        if (!io->registered)
            return 0;
        if (epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL) < 0)
            return -errno;
        loop->nregistered--;
        io->registered = false;
        io->events = 0;
        return 0;
    }
    op = io->registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(loop->epfd, op, io->fd, &ev) < 0)
        return -errno;
    if (!io->registered)
        loop->nregistered++;
    io->registered = true;
    io->events = events;
    return 0;
}

/* As libuv's uv__platform_invalidate_fd: the struct may be reused for a new
 * fd before the rest of this batch is dispatched. */
static void forget_events(struct bl_loop *loop, const struct bl_io *io)
{
    for (int i = 0; i < loop->nevents; i++) {
        if (loop->events[i].data.ptr == io)
            loop->events[i].data.ptr = NULL;
    }
}

void bl_io_detach(struct bl_loop *loop, struct bl_io *io)
{
    if (io->fd < 0)
        return;
    if (io->registered) {
        /* close() alone would leave the fd in the set if it was dup'ed; be explicit. */
        epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
        loop->nregistered--;
        io->registered = false;
    }
    forget_events(loop, io);
    io->fd = -1;
    io->events = 0;
}

void bl_io_close(struct bl_loop *loop, struct bl_io *io)
{
    if (io->fd < 0)
        return;
    /* ballast never dup()s a watched fd, so close() alone takes it out of the
     * epoll set: skipping EPOLL_CTL_DEL saves a system call per socket. */
    if (io->registered) {
        loop->nregistered--;
        io->registered = false;
    }
    forget_events(loop, io);
    close(io->fd);
    io->fd = -1;
    io->events = 0;
}

/* ---- timers: binary min-heap keyed on due_ms ---------------------------- */

static void heap_set(struct bl_loop *loop, uint32_t pos, struct bl_timer *t)
{
    loop->heap[pos] = t;
    t->heap_pos = pos;
}

static void heap_up(struct bl_loop *loop, uint32_t pos)
{
    struct bl_timer *t = loop->heap[pos];

    while (pos > 1 && loop->heap[pos / 2]->due_ms > t->due_ms) {
        heap_set(loop, pos, loop->heap[pos / 2]);
        pos /= 2;
    }
    heap_set(loop, pos, t);
}

static void heap_down(struct bl_loop *loop, uint32_t pos)
{
    struct bl_timer *t = loop->heap[pos];

    for (;;) {
        uint32_t child = pos * 2;
        if (child > loop->nheap)
            break;
        if (child < loop->nheap && loop->heap[child + 1]->due_ms < loop->heap[child]->due_ms)
            child++;
        if (loop->heap[child]->due_ms >= t->due_ms)
            break;
        heap_set(loop, pos, loop->heap[child]);
        pos = child;
    }
    heap_set(loop, pos, t);
}

void bl_timer_init(struct bl_timer *t, bl_timer_cb *cb)
{
    t->due_ms = 0;
    t->heap_pos = 0;
    t->cb = cb;
}

void bl_timer_stop(struct bl_loop *loop, struct bl_timer *t)
{
    uint32_t pos = t->heap_pos;
    struct bl_timer *last;

    if (pos == 0)
        return;
    t->heap_pos = 0;
    last = loop->heap[loop->nheap--];
    if (last == t)
        return;
    heap_set(loop, pos, last);
    heap_up(loop, pos);
    heap_down(loop, last->heap_pos);
}

void bl_timer_start(struct bl_loop *loop, struct bl_timer *t, uint64_t delay_ms)
{
    bl_timer_stop(loop, t);
    t->due_ms = loop->now_ms + delay_ms;
    if (loop->nheap == loop->heap_cap) {
        loop->heap_cap *= 2;
        loop->heap = bl_xrealloc(loop->heap, sizeof(*loop->heap) * (loop->heap_cap + 1));
    }
    loop->nheap++;
    heap_set(loop, loop->nheap, t);
    heap_up(loop, loop->nheap);
}

static void run_timers(struct bl_loop *loop)
{
    while (loop->nheap > 0 && loop->heap[1]->due_ms <= loop->now_ms) {
        struct bl_timer *t = loop->heap[1];
        bl_timer_stop(loop, t);
        t->cb(loop, t);
    }
}

static int next_timeout_ms(const struct bl_loop *loop)
{
    uint64_t due;

    /* Pending deferred work, or a timer callback that asked to stop: don't sleep. */
    if (!bl_list_empty(&loop->deferred) || loop->stop)
        return 0;
    if (loop->nheap == 0)
        return -1;
    due = loop->heap[1]->due_ms;
    if (due <= loop->now_ms)
        return 0;
    return due - loop->now_ms > 60000 ? 60000 : (int)(due - loop->now_ms);
}

/* ---- deferred callbacks ------------------------------------------------- */

void bl_loop_defer(struct bl_loop *loop, struct bl_defer *d, bl_defer_cb *cb)
{
    if (d->queued)
        return;
    d->queued = true;
    d->cb = cb;
    bl_list_append(&loop->deferred, &d->node);
}

static void run_deferred(struct bl_loop *loop)
{
    /* A deferred callback may queue another (a close that frees a parent). */
    while (!bl_list_empty(&loop->deferred)) {
        struct bl_defer *d = bl_container_of(loop->deferred.next, struct bl_defer, node);
        bl_list_remove(&d->node);
        d->queued = false;
        d->cb(loop, d);
    }
}

void bl_loop_drain(struct bl_loop *loop)
{
    run_deferred(loop);
}

/* ---- the loop ------------------------------------------------------------ */

static int poll_io(struct bl_loop *loop)
{
    int n = epoll_wait(loop->epfd, loop->events, MAX_EVENTS, next_timeout_ms(loop));

    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    loop->now_ms = clock_ms();
    loop->nevents = n;
    for (int i = 0; i < n; i++) {
        struct bl_io *io = loop->events[i].data.ptr;
        if (io != NULL)
            io->cb(loop, io, loop->events[i].events);
    }
    loop->nevents = 0;
    return 0;
}

int bl_loop_run(struct bl_loop *loop)
{
    loop->stop = false;
    while (!loop->stop) {
        int rc;
        loop->now_ms = clock_ms();
        run_timers(loop);
        rc = poll_io(loop);
        if (rc < 0)
            return rc;
        run_deferred(loop);
    }
    return 0;
}

/* ---- cross-thread wake-up ----------------------------------------------- */

static void on_async(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_async *a = bl_container_of(io, struct bl_async, io);
    uint64_t v;

    (void)events;
    (void)!read(io->fd, &v, sizeof(v));
    a->cb(loop, a);
}

int bl_async_init(struct bl_loop *loop, struct bl_async *a,
                  void (*cb)(struct bl_loop *loop, struct bl_async *a))
{
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd < 0)
        return -errno;
    a->cb = cb;
    bl_io_init(&a->io, fd, on_async);
    return bl_io_want(loop, &a->io, EPOLLIN);
}

void bl_async_send(struct bl_async *a)
{
    uint64_t one = 1;
    (void)!write(a->io.fd, &one, sizeof(one));
}

void bl_async_close(struct bl_loop *loop, struct bl_async *a)
{
    bl_io_close(loop, &a->io);
}

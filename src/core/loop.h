/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event loop: epoll (level-triggered), a binary min-heap of timers, a
 * queue of deferred callbacks that run at the end of each iteration (where
 * closed objects are freed), and an eventfd wake-up for other threads.
 *
 * One loop per thread. Every function here must be called from the loop's own
 * thread, except bl_async_send(). Iteration order (see bl_loop_run):
 *   1. update the cached clock   2. run due timers
 *   3. epoll_wait until the next timer   4. dispatch I/O callbacks
 *   5. run deferred callbacks (closes, frees) until the queue is empty
 */
#ifndef BL_CORE_LOOP_H
#define BL_CORE_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>

#include "core/list.h"

struct bl_loop;
struct bl_io;
struct bl_timer;
struct bl_defer;

/* `events` holds the EPOLL* bits the kernel reported (EPOLLERR/HUP included). */
typedef void bl_io_cb(struct bl_loop *loop, struct bl_io *io, uint32_t events);
typedef void bl_timer_cb(struct bl_loop *loop, struct bl_timer *t);
typedef void bl_defer_cb(struct bl_loop *loop, struct bl_defer *d);

/* A file descriptor watched by the loop. Embedded in its owner; all-zero is "no fd". */
struct bl_io {
    int fd;          /* -1 once closed */
    uint32_t events; /* interest currently registered (EPOLLIN | EPOLLOUT) */
    bool registered; /* fd is in the epoll set */
    bl_io_cb *cb;
};

/* A one-shot timer. Embedded in its owner; re-arm from its own callback if needed. */
struct bl_timer {
    uint64_t due_ms;   /* loop clock value at which it fires */
    uint32_t heap_pos; /* 1-based slot in the heap, 0 = not armed */
    bl_timer_cb *cb;
};

/* A callback queued to run after the current I/O dispatch (deferred close). */
struct bl_defer {
    struct bl_list node;
    bl_defer_cb *cb;
    bool queued;
};

/* A wake-up that any thread may send; the callback runs on the loop's thread. */
struct bl_async {
    struct bl_io io; /* eventfd */
    void (*cb)(struct bl_loop *loop, struct bl_async *a);
};

struct bl_loop *bl_loop_create(void);

/* Frees the loop. Every io must be closed and every timer stopped by now. */
void bl_loop_destroy(struct bl_loop *loop);

/* Runs iterations until bl_loop_stop(). Returns 0, or a negative errno if epoll failed. */
int bl_loop_run(struct bl_loop *loop);

/* Runs the deferred callbacks queued so far (teardown outside bl_loop_run). */
void bl_loop_drain(struct bl_loop *loop);

/* Makes bl_loop_run() return after the current iteration. Loop thread only. */
void bl_loop_stop(struct bl_loop *loop);

/* The loop's cached monotonic clock in milliseconds, updated once per iteration. */
uint64_t bl_loop_now_ms(const struct bl_loop *loop);

/* Number of armed timers and registered fds; tests use it to prove nothing leaked. */
unsigned bl_loop_alive(const struct bl_loop *loop);

/* Prepares `io` for `fd` (takes ownership: bl_io_close() closes it). Registers nothing. */
void bl_io_init(struct bl_io *io, int fd, bl_io_cb *cb);

/*
 * Sets the interest to `events` (EPOLLIN, EPOLLOUT or both). 0 removes the fd
 * from the epoll set, because epoll reports EPOLLHUP whatever the mask says
 * and a paused fd must not wake the loop. Issues epoll_ctl only when the
 * interest actually changes. Returns 0 or -errno.
 */
int bl_io_want(struct bl_loop *loop, struct bl_io *io, uint32_t events);

/*
 * Closes the fd and forgets any event already fetched for it in this
 * iteration, so a callback never sees an event meant for a closed fd.
 */
void bl_io_close(struct bl_loop *loop, struct bl_io *io);

/* As bl_io_close() but leaves the fd open: for fds owned elsewhere (shared listeners). */
void bl_io_detach(struct bl_loop *loop, struct bl_io *io);

void bl_timer_init(struct bl_timer *t, bl_timer_cb *cb);

/* Arms (or re-arms) `t` to fire `delay_ms` from the loop's cached clock. */
void bl_timer_start(struct bl_loop *loop, struct bl_timer *t, uint64_t delay_ms);

/* Disarms `t`; harmless if it is not armed. */
void bl_timer_stop(struct bl_loop *loop, struct bl_timer *t);

static inline bool bl_timer_armed(const struct bl_timer *t)
{
    return t->heap_pos != 0;
}

/* Queues `cb` to run once at the end of this iteration; a second call while queued is a no-op. */
void bl_loop_defer(struct bl_loop *loop, struct bl_defer *d, bl_defer_cb *cb);

/* Creates the eventfd and registers it. Returns 0 or -errno. */
int bl_async_init(struct bl_loop *loop, struct bl_async *a,
                  void (*cb)(struct bl_loop *loop, struct bl_async *a));

/* Wakes the loop so that a->cb runs on its thread. Any thread; async-signal-safe. */
void bl_async_send(struct bl_async *a);

void bl_async_close(struct bl_loop *loop, struct bl_async *a);

#endif

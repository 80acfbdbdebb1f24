/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/core/loop.c on a real epoll, with socketpairs and an eventfd. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "tap.h"

static char order[16];
static int norder;

struct tmr {
    struct bl_timer t;
    char name;
};

static void on_tmr(struct bl_loop *loop, struct bl_timer *t)
{
    struct tmr *x = bl_container_of(t, struct tmr, t);
    order[norder++] = x->name;
    if (x->name == 'c')
        bl_loop_stop(loop);
}

static void test_timers(void)
{
    struct bl_loop *loop = bl_loop_create();
    struct tmr a = {.name = 'a'}, b = {.name = 'b'}, c = {.name = 'c'}, d = {.name = 'd'};
    uint64_t t0 = bl_loop_now_ms(loop);

    bl_timer_init(&a.t, on_tmr);
    bl_timer_init(&b.t, on_tmr);
    bl_timer_init(&c.t, on_tmr);
    bl_timer_init(&d.t, on_tmr);
    bl_timer_start(loop, &c.t, 30);
    bl_timer_start(loop, &a.t, 10);
    bl_timer_start(loop, &d.t, 20);
    bl_timer_start(loop, &b.t, 20);
    bl_timer_stop(loop, &d.t);
    ok(!bl_timer_armed(&d.t) && bl_timer_armed(&a.t), "stop disarms only that timer");
    bl_timer_start(loop, &b.t, 15); /* re-arm moves it */
    bl_loop_run(loop);
    order[norder] = '\0';
    is_str(order, "abc", "timers fire in due order; a stopped timer never fires");
    ok(bl_loop_now_ms(loop) - t0 >= 30, "the loop waited for the last timer");
    is_int(bl_loop_alive(loop), 0, "nothing left alive");
    bl_loop_destroy(loop);
}

/* Many timers through the heap: fire order must be sorted. */
static uint64_t last_due;
static int heap_bad, heap_fired;

static void on_heap(struct bl_loop *loop, struct bl_timer *t)
{
    if (t->due_ms < last_due)
        heap_bad++;
    last_due = t->due_ms;
    if (++heap_fired == 200)
        bl_loop_stop(loop);
}

static void test_timer_heap(void)
{
    struct bl_loop *loop = bl_loop_create();
    struct bl_timer *ts = calloc(300, sizeof(*ts));

    srand(7);
    for (int i = 0; i < 300; i++) {
        bl_timer_init(&ts[i], on_heap);
        bl_timer_start(loop, &ts[i], (uint64_t)(rand() % 40));
    }
    for (int i = 0; i < 300; i += 3)
        bl_timer_stop(loop, &ts[i]); /* 100 removed from the middle of the heap */
    bl_loop_run(loop);
    is_int(heap_fired, 200, "200 remaining timers fired");
    is_int(heap_bad, 0, "in non-decreasing due order");
    is_int(bl_loop_alive(loop), 0, "heap empty");
    bl_loop_destroy(loop);
    free(ts);
}

struct pair {
    struct bl_io a;
    int peer;
    int reads;
    struct bl_defer d;
    int deferred;
};

static void on_deferred(struct bl_loop *loop, struct bl_defer *d)
{
    struct pair *p = bl_container_of(d, struct pair, d);
    p->deferred++;
    bl_loop_stop(loop);
}

static void on_read(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct pair *p = bl_container_of(io, struct pair, a);
    char buf[8];

    if (events & EPOLLIN) {
        p->reads++;
        (void)!read(io->fd, buf, sizeof(buf));
    }
    /* Close from inside the callback, as a session finalize does; free later. */
    bl_io_close(loop, io);
    bl_loop_defer(loop, &p->d, on_deferred);
    bl_loop_defer(loop, &p->d, on_deferred); /* a second defer while queued is a no-op */
}

static void test_io_and_defer(void)
{
    struct bl_loop *loop = bl_loop_create();
    struct pair p = {0};
    int sv[2];

    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    bl_io_init(&p.a, sv[0], on_read);
    p.peer = sv[1];
    is_int(bl_io_want(loop, &p.a, EPOLLIN), 0, "register for reading");
    is_int(bl_io_want(loop, &p.a, EPOLLIN), 0, "same interest again is a no-op");
    is_int(bl_loop_alive(loop), 1, "one fd registered");
    (void)!write(sv[1], "x", 1);
    bl_loop_run(loop);
    is_int(p.reads, 1, "readable callback ran once");
    is_int(p.deferred, 1, "deferred callback ran once, after the I/O");
    is_int(p.a.fd, -1, "closed io forgets its fd");
    is_int(bl_loop_alive(loop), 0, "nothing left alive");
    close(sv[1]);
    bl_loop_destroy(loop);
}

/* Two fds ready in one batch; the first callback closes the second's io and
 * reuses the struct for a new fd. The stale event must not be delivered. */
struct two {
    struct bl_io x, y;
    int y_calls;
    int stale; /* calls of on_y after on_x swapped its fd: must stay 0 */
    bool swapped;
    int sx[2], sy[2], fresh[2];
};

static void on_y(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct two *t = bl_container_of(io, struct two, y);
    (void)loop;
    (void)events;
    t->y_calls++;
    if (t->swapped)
        t->stale++;
}

static void on_x(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct two *t = bl_container_of(io, struct two, x);
    (void)events;
    bl_io_close(loop, &t->y);
    bl_io_init(&t->y, t->fresh[0], on_y); /* not readable: nothing to deliver */
    bl_io_want(loop, &t->y, EPOLLIN);
    t->swapped = true;
    bl_io_close(loop, io);
    bl_loop_stop(loop);
}

static void test_stale_events(void)
{
    struct bl_loop *loop = bl_loop_create();
    struct two t = {0};

    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, t.sx);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, t.sy);
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, t.fresh);
    bl_io_init(&t.x, t.sx[0], on_x);
    bl_io_init(&t.y, t.sy[0], on_y);
    bl_io_want(loop, &t.x, EPOLLIN);
    bl_io_want(loop, &t.y, EPOLLIN);
    (void)!write(t.sx[1], "a", 1);
    (void)!write(t.sy[1], "b", 1);
    /* epoll reports ready fds in the order they became ready: x first. */
    bl_loop_run(loop);
    ok(t.swapped, "x ran");
    is_int(t.stale, 0, "the event fetched for y's closed fd was not delivered to the reused io");
    {
        int before = t.y_calls;
        /* Run once more with a timer so the loop returns: y's new fd is idle. */
        struct tmr stop = {.name = 'c'};
        norder = 0;
        bl_timer_init(&stop.t, on_tmr);
        bl_timer_start(loop, &stop.t, 20);
        bl_loop_run(loop);
        is_int(t.y_calls, before, "no event of the closed fd reached the reused io");
    }
    bl_io_close(loop, &t.y);
    close(t.sx[1]);
    close(t.sy[1]);
    close(t.fresh[1]);
    is_int(bl_loop_alive(loop), 0, "nothing left alive");
    bl_loop_destroy(loop);
}

struct asy {
    struct bl_async a;
    int calls;
};

static void on_async_cb(struct bl_loop *loop, struct bl_async *a)
{
    struct asy *x = bl_container_of(a, struct asy, a);
    x->calls++;
    bl_loop_stop(loop);
}

static void *sender(void *arg)
{
    usleep(10000);
    bl_async_send(arg);
    return NULL;
}

static void test_async(void)
{
    struct bl_loop *loop = bl_loop_create();
    struct asy x = {0};
    pthread_t th;

    is_int(bl_async_init(loop, &x.a, on_async_cb), 0, "async created");
    pthread_create(&th, NULL, sender, &x.a);
    bl_loop_run(loop);
    pthread_join(th, NULL);
    is_int(x.calls, 1, "a wake-up from another thread runs the callback on the loop");
    bl_async_close(loop, &x.a);
    is_int(bl_loop_alive(loop), 0, "nothing left alive");
    bl_loop_destroy(loop);
}

/* Interest 0 takes the fd out of epoll, so a hung-up peer cannot spin the loop. */
static void test_pause(void)
{
    struct bl_loop *loop = bl_loop_create();
    struct pair p = {0};
    struct tmr stop = {.name = 'c'};
    int sv[2];

    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    bl_io_init(&p.a, sv[0], on_read);
    bl_io_want(loop, &p.a, EPOLLIN);
    is_int(bl_io_want(loop, &p.a, 0), 0, "pause");
    is_int(bl_loop_alive(loop), 0, "a paused fd is not in the epoll set");
    close(sv[1]); /* would report EPOLLHUP if still registered */
    bl_timer_init(&stop.t, on_tmr);
    bl_timer_start(loop, &stop.t, 10);
    bl_loop_run(loop);
    is_int(p.reads, 0, "no callback for a paused fd");
    bl_io_close(loop, &p.a);
    bl_loop_destroy(loop);
}

int main(void)
{
    test_timers();
    test_timer_heap();
    test_io_and_defer();
    test_stale_events();
    test_async();
    test_pause();
    return done_testing();
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtload: a fixed number of HTTP/1.1 request/response round trips, for
 * counting what a proxy spends per request (strace -c, callgrind) rather
 * than how fast it goes. Deterministic by construction: every connection
 * has at most one request in flight, and in "close" mode each connection is
 * read to EOF (the origin closes first) before it is closed, so the proxy
 * sees the same sequence of events on every run.
 *
 * usage: rtload HOST PORT ka|close N CONC PATH [DEADLINE_S]
 *   ka     CONC keep-alive connections share N requests (one in flight each)
 *   close  N connections, one "Connection: close" request each, CONC at a time
 * Prints "ok=<n> errors=<n> bytes=<body+header bytes> secs=<wall>" and exits
 * 0 only when all N requests completed. Bounded: gives up after DEADLINE_S
 * (default 300) seconds. Loopback only: refuses any address outside 127/8.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ST_CONNECTING, ST_SENDING, ST_HEADERS, ST_BODY, ST_DRAIN };

struct conn {
    int fd;
    int st;
    size_t sent;
    char hdr[8192];
    size_t hlen;
    long long need; /* body bytes still expected */
};

static struct sockaddr_in dst;
static char req[512];
static size_t reqlen;
static int close_mode, epfd;
static long total, started, done, errors;
static long long bytes;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void watch(struct conn *c, int op, uint32_t ev)
{
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(epfd, op, c->fd, &e) < 0) {
        perror("epoll_ctl");
        exit(2);
    }
}

/* Opens a new connection for the next request (close mode, or the initial ka ones). */
static int open_conn(struct conn *c)
{
    int one = 1;

    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        perror("socket");
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 && errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->st = ST_CONNECTING;
    watch(c, EPOLL_CTL_ADD, EPOLLOUT);
    return 0;
}

static void start_request(struct conn *c)
{
    c->sent = 0;
    c->hlen = 0;
    c->need = 0;
    c->st = ST_SENDING;
}

static void finish(struct conn *c, int ok);
static int do_send(struct conn *c);

/* The next request on this connection (ka), or a fresh connection (close), if any is left. */
static void next(struct conn *c)
{
    if (started >= total) {
        if (c->fd >= 0) {
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
        }
        return;
    }
    started++; /* this connection takes the next request */
    if (c->fd < 0) {
        if (open_conn(c) < 0)
            finish(c, 0);
        return;
    }
    start_request(c);
    if (do_send(c) < 0)
        finish(c, 0);
}

static void finish(struct conn *c, int ok)
{
    done++;
    if (!ok) {
        errors++;
        if (c->fd >= 0) {
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
        }
    }
    next(c);
}

static int do_send(struct conn *c)
{
    while (c->sent < reqlen) {
        ssize_t n = send(c->fd, req + c->sent, reqlen - c->sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) {
            watch(c, EPOLL_CTL_MOD, EPOLLOUT);
            return 0;
        }
        if (n < 0)
            return -1;
        c->sent += (size_t)n;
    }
    c->st = ST_HEADERS;
    watch(c, EPOLL_CTL_MOD, EPOLLIN);
    return 0;
}

/* Returns 1 when the response is complete, 0 to wait, -1 on error. */
static int do_recv(struct conn *c)
{
    char buf[65536];

    for (;;) {
        if (c->st == ST_HEADERS) {
            ssize_t n = recv(c->fd, c->hdr + c->hlen, sizeof(c->hdr) - 1 - c->hlen, 0);
            char *end, *cl;
            if (n < 0)
                return errno == EAGAIN ? 0 : -1;
            if (n == 0)
                return -1;
            c->hlen += (size_t)n;
            bytes += n;
            c->hdr[c->hlen] = 0;
            end = strstr(c->hdr, "\r\n\r\n");
            if (end == NULL) {
                if (c->hlen >= sizeof(c->hdr) - 1)
                    return -1;
                continue;
            }
            if (strncmp(c->hdr, "HTTP/1.1 200", 12) != 0)
                return -1;
            cl = strcasestr(c->hdr, "\r\ncontent-length:");
            c->need = cl ? strtoll(cl + 17, NULL, 10) : 0;
            c->need -= (long long)(c->hlen - (size_t)(end + 4 - c->hdr));
            c->st = ST_BODY;
        }
        if (c->st == ST_BODY) {
            ssize_t n;
            if (c->need <= 0) {
                if (!close_mode)
                    return 1;
                c->st = ST_DRAIN;
                continue;
            }
            n = recv(c->fd, buf, (size_t)c->need < sizeof(buf) ? (size_t)c->need : sizeof(buf), 0);
            if (n < 0)
                return errno == EAGAIN ? 0 : -1;
            if (n == 0)
                return -1;
            bytes += n;
            c->need -= n;
            continue;
        }
        if (c->st == ST_DRAIN) { /* close mode: wait for the origin's FIN */
            ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
            if (n < 0)
                return errno == EAGAIN ? 0 : -1;
            if (n > 0)
                return -1; /* nothing may follow the response */
            epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
            close(c->fd);
            c->fd = -1;
            return 1;
        }
    }
}

int main(int argc, char **argv)
{
    struct epoll_event evs[256];
    struct conn *conns;
    double t0, deadline;
    long conc;

    if (argc < 7) {
        fprintf(stderr, "usage: rtload HOST PORT ka|close N CONC PATH [DEADLINE_S]\n");
        return 2;
    }
    memset(&dst, 0, sizeof(dst));
    dst.sin_family = AF_INET;
    dst.sin_port = htons((uint16_t)atoi(argv[2]));
    if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 ||
        (ntohl(dst.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "rtload: %s: only 127.0.0.0/8 addresses are allowed\n", argv[1]);
        return 2;
    }
    close_mode = strcmp(argv[3], "close") == 0;
    if (!close_mode && strcmp(argv[3], "ka") != 0) {
        fprintf(stderr, "rtload: mode must be ka or close\n");
        return 2;
    }
    total = atol(argv[4]);
    conc = atol(argv[5]);
    if (total < 0 || conc < 1 || conc > 4096) {
        fprintf(stderr, "rtload: bad N or CONC\n");
        return 2;
    }
    if (conc > total && total > 0)
        conc = total;
    reqlen = (size_t)snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: bench\r\n%s\r\n", argv[6],
                              close_mode ? "Connection: close\r\n" : "");
    epfd = epoll_create1(EPOLL_CLOEXEC);
    conns = calloc((size_t)conc, sizeof(*conns));
    t0 = now_s();
    deadline = t0 + (argc > 7 ? atof(argv[7]) : 300.0);
    for (long i = 0; i < conc && total > 0; i++) {
        conns[i].fd = -1;
        next(&conns[i]);
    }
    while (done < total) {
        int n = epoll_wait(epfd, evs, 256, 1000);
        if (now_s() > deadline) {
            fprintf(stderr, "rtload: deadline reached after %ld of %ld requests\n", done, total);
            errors += total - done;
            break;
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            int rc = 0;
            if (c->fd < 0)
                continue;
            if (c->st == ST_CONNECTING) {
                int err = 0;
                socklen_t len = sizeof(err);
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err != 0 || (evs[i].events & (EPOLLERR | EPOLLHUP))) {
                    finish(c, 0);
                    continue;
                }
                start_request(c);
            }
            if (c->st == ST_SENDING && do_send(c) < 0) {
                finish(c, 0);
                continue;
            }
            if (c->st >= ST_HEADERS && (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))) {
                rc = do_recv(c);
                if (rc != 0)
                    finish(c, rc > 0);
            }
        }
    }
    printf("ok=%ld errors=%ld bytes=%lld secs=%.3f\n", done - errors, errors, bytes, now_s() - t0);
    return errors == 0 && done == total ? 0 : 1;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* One direction of an HTTP exchange: see hflow.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proxy/hflow.h"
#include "proxy/worker.h"

#define MAX_HEAD_BYTES (BL_HBUF_SIZE - 2048) /* room left for the headers ballast adds */

const struct bl_http_limits bl_hflow_limits = {
    .max_line_bytes = 8192,
    .max_header_bytes = MAX_HEAD_BYTES,
    .max_headers = BL_HFLOW_MAX_HEADERS,
};

/* Splices up to `left` body bytes from `fd` into the pipe (`in` is empty, the pipe taken). */
static ssize_t splice_in(struct bl_hflow *f, struct bl_worker *w, int fd)
{
    size_t want = f->left < BL_HFLOW_SPLICE_MAX ? (size_t)f->left : BL_HFLOW_SPLICE_MAX;
    ssize_t n;

    bl_hbuf_release(&w->bufs, &f->in); /* no buffer held while the body streams */
    n = splice(fd, NULL, f->pipe[1], NULL, want, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) {
        f->piped += (uint32_t)n;
        f->left -= (uint64_t)n;
        f->full = (size_t)n == want;
        if (f->left == 0)
            f->st = BL_BODY_DONE;
        return n;
    }
    n = n < 0 ? -errno : 0;
    if (f->piped == 0)
        bl_worker_pipe_put(w, f->pipe);
    if (n == 0)
        f->eof = true;
    return n == -EAGAIN ? 0 : n;
}

/* May the next read go to the pipe? Only with nothing buffered (order), and a pipe. */
static bool may_splice(struct bl_hflow *f, struct bl_worker *w, struct bl_tls_conn *tls)
{
    if (!f->splice || f->st != BL_BODY_LENGTH || tls != NULL || bl_hbuf_used(&f->in) > 0)
        return false;
    if (f->pipe[0] < 0 && bl_worker_pipe_get(w, f->pipe) < 0)
        f->splice = false; /* no descriptor left: this body is copied, as a short one */
    return f->splice;
}

ssize_t bl_hflow_fill(struct bl_hflow *f, struct bl_worker *w, int fd, struct bl_tls_conn *tls)
{
    size_t want;
    ssize_t n;

    f->full = false;
    if (f->eof || f->piped > 0)
        return 0;
    if (may_splice(f, w, tls))
        return splice_in(f, w, fd);
    bl_hbuf_ready(&w->bufs, &f->in);
    if ((want = bl_hbuf_room(&f->in)) == 0)
        return 0;
    if (tls != NULL)
        n = bl_tls_read(tls, f->in.data + f->in.len, want);
    else if ((n = recv(fd, f->in.data + f->in.len, want, 0)) < 0)
        n = -errno;
    if (n > 0) {
        f->in.len += (uint32_t)n;
        f->full = (size_t)n == want;
        return n;
    }
    bl_hbuf_release(&w->bufs, &f->in);
    if (n == 0) {
        f->eof = true;
        return 0;
    }
    return n == -EAGAIN ? 0 : n;
}

int bl_hflow_scan(struct bl_hflow *f)
{
    size_t avail = bl_hbuf_used(&f->in) - f->fwd;

    switch (f->st) {
    case BL_BODY_LENGTH: {
        size_t n = avail < f->left ? avail : (size_t)f->left;
        f->fwd += (uint32_t)n;
        f->left -= n;
        if (f->left == 0)
            f->st = BL_BODY_DONE;
        return 0;
    }
    case BL_BODY_CHUNKED:
        while (avail > 0 && !bl_http_chunked_is_done(&f->ck)) {
            const char *data;
            size_t dlen;
            ssize_t n = bl_http_chunked_scan(&f->ck, f->in.data + f->in.off + f->fwd, avail, &data,
                                             &dlen, NULL);
            if (n < 0)
                return -EPROTO;
            if (n == 0)
                break;
            f->fwd += (uint32_t)n;
            avail -= (size_t)n;
        }
        if (bl_http_chunked_is_done(&f->ck))
            f->st = BL_BODY_DONE;
        return 0;
    case BL_BODY_CLOSE:
    case BL_BODY_TUNNEL:
        f->fwd += (uint32_t)avail;
        return 0;
    default:
        return 0;
    }
}

/* Sends f->out, then f->fwd bytes of f->in. Returns bytes sent or -errno. */
static ssize_t send_bufs(struct bl_hflow *f, int fd, struct bl_tls_conn *tls)
{
    struct iovec iov[2];
    struct msghdr mh = {.msg_iov = iov};
    size_t ol = bl_hbuf_used(&f->out), head;
    ssize_t n;

    if (ol > 0) {
        iov[mh.msg_iovlen].iov_base = f->out.data + f->out.off;
        iov[mh.msg_iovlen++].iov_len = ol;
    }
    if (f->fwd > 0) {
        iov[mh.msg_iovlen].iov_base = f->in.data + f->in.off;
        iov[mh.msg_iovlen++].iov_len = f->fwd;
    }
    if (mh.msg_iovlen == 0)
        return 0;
    if (tls != NULL)
        n = bl_tls_writev(tls, iov, (int)mh.msg_iovlen);
    else if ((n = sendmsg(fd, &mh, MSG_NOSIGNAL)) < 0)
        n = -errno;
    if (n < 0)
        return n == -EAGAIN ? 0 : n;
    head = (size_t)n < ol ? (size_t)n : ol;
    bl_hbuf_consume(&f->out, head);
    bl_hbuf_consume(&f->in, (size_t)n - head);
    f->fwd -= (uint32_t)((size_t)n - head);
    return n;
}

/* Sends what the pipe holds (after everything buffered). Returns bytes sent or -errno. */
static ssize_t splice_out(struct bl_hflow *f, struct bl_worker *w, int fd)
{
    ssize_t n = splice(f->pipe[0], NULL, fd, NULL, f->piped, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);

    if (n < 0)
        return errno == EAGAIN ? 0 : -errno;
    f->piped -= (uint32_t)n;
    if (f->piped == 0)
        bl_worker_pipe_put(w, f->pipe);
    return n;
}

ssize_t bl_hflow_flush(struct bl_hflow *f, struct bl_worker *w, int fd, struct bl_tls_conn *tls)
{
    ssize_t n = send_bufs(f, fd, tls), m;

    if (n < 0 || f->piped == 0 || bl_hbuf_used(&f->out) > 0 || f->fwd > 0)
        return n;
    m = splice_out(f, w, fd);
    return m < 0 ? m : n + m;
}

void bl_hflow_drop_pipe(struct bl_hflow *f, struct bl_worker *w)
{
    f->splice = false; /* what is left of this body, if read at all, is read to be dropped */
    if (f->pipe[0] < 0)
        return;
    if (f->piped == 0) {
        bl_worker_pipe_put(w, f->pipe);
        return;
    }
    close(f->pipe[0]); /* bytes left inside: not for the next user */
    close(f->pipe[1]);
    f->pipe[0] = f->pipe[1] = -1;
    f->piped = 0;
}

void bl_hflow_init(struct bl_hflow *f)
{
    f->pipe[0] = f->pipe[1] = -1;
    f->piped = 0;
    bl_hflow_reset(f);
}

void bl_hflow_reset(struct bl_hflow *f)
{
    f->fwd = 0;
    f->left = 0;
    f->parsed = 0;
    f->st = BL_BODY_HEAD;
    f->splice = false;
    memset(&f->ck, 0, sizeof(f->ck));
    f->ck.limits = &bl_hflow_limits;
}

void bl_hflow_body(struct bl_hflow *f, enum bl_http_body body, int64_t length)
{
    switch (body) {
    case BL_HTTP_BODY_LENGTH:
        f->left = (uint64_t)length;
        f->st = length > 0 ? BL_BODY_LENGTH : BL_BODY_DONE;
        break;
    case BL_HTTP_BODY_CHUNKED:
        f->st = BL_BODY_CHUNKED;
        break;
    case BL_HTTP_BODY_CLOSE:
        f->st = BL_BODY_CLOSE;
        break;
    case BL_HTTP_BODY_TUNNEL:
        f->st = BL_BODY_TUNNEL;
        break;
    default:
        f->st = BL_BODY_DONE;
    }
}

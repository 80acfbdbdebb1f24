/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PROMETHEUS listener: an HTTP session (http.c, http_xchg.c) whose
 * requests are answered here instead of going to a pool. GET or HEAD
 * /metrics gets the exposition of the listener's own load balancer (prom.h),
 * rendered per scrape into a malloc'd body that is sent after the head
 * (bl_hs_push_body); any other path is 404, any other method 405. Keep-alive
 * and pipelining work as on an HTTP listener.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/xalloc.h"
#include "proxy/http_msg.h"
#include "proxy/http_sess.h"
#include "proxy/prom.h"

#define PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"

static bool method_is(const struct bl_http_req *r, const char *m)
{
    size_t n = strlen(m);
    return r->method_len == n && memcmp(r->method, m, n) == 0;
}

/* "/metrics", with or without a query (Prometheus may add one). */
static bool is_metrics(const struct bl_http_req *r)
{
    static const char path[] = "/metrics";
    size_t n = sizeof(path) - 1;

    return r->target_len >= n && memcmp(r->target, path, n) == 0 &&
           (r->target_len == n || r->target[n] == '?');
}

/*
 * Sends `status` with `body[0..len)` (taken: freed here or once sent). A body
 * that fits after the head goes in resp.out; a longer one stays in s->body.
 * HEAD gets the head alone, with the length GET would have.
 */
static void answer(struct bl_hsess *s, int status, const char *type, const char *extra, char *body,
                   size_t len)
{
    struct bl_hflow *f = bl_hs_reply_begin(s, status, false);
    const char *conn = !s->keep_alive         ? "Connection: close\r\n"
                       : s->client_minor == 0 ? "Connection: keep-alive\r\n"
                                              : "";
    int n = snprintf(f->out.data, BL_HBUF_SIZE,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                     "Cache-Control: no-cache\r\n%s%s\r\n",
                     status, bl_hmsg_reason(status), type, len, extra ? extra : "", conn);

    f->out.len = (uint32_t)n; /* short: fixed text and a number */
    bl_stat_add(s->sl->st->bytes_out, (uint64_t)n + (s->is_head ? 0 : len));
    if (s->is_head || len == 0) {
        free(body);
        return;
    }
    if (len <= BL_HBUF_SIZE - f->out.len) {
        memcpy(f->out.data + f->out.len, body, len);
        f->out.len += (uint32_t)len;
        free(body);
        return;
    }
    s->body = body;
    s->body_len = len;
    s->body_off = 0;
}

static void answer_text(struct bl_hsess *s, int status, const char *extra)
{
    char *body = bl_xmalloc(64);
    int n = snprintf(body, 64, "%d %s\n", status, bl_hmsg_reason(status));

    answer(s, status, "text/plain; charset=utf-8", extra, body, (size_t)n);
}

void bl_hs_prom(struct bl_hsess *s, const struct bl_http_req *req)
{
    const struct bl_snapshot *snap = s->snap;
    struct bl_prom_text t = {0};

    /* Nothing goes to a member: what was staged for one is let go. */
    bl_hbuf_drop(&s->w->bufs, &s->req.out);
    s->replay_len = 0;
    if (!method_is(req, "GET") && !method_is(req, "HEAD")) {
        answer_text(s, 405, "Allow: GET, HEAD\r\n");
        return;
    }
    if (!is_metrics(req)) {
        answer_text(s, 404, NULL);
        return;
    }
    /* s->sl is a view in s->snap: its load balancer is cfg->lbs[i], part i. */
    bl_prom_render(snap->parts[s->sl->lb - snap->cfg->lbs], &t);
    answer(s, 200, PROM_TYPE, NULL, t.p, t.len);
}

int bl_hs_push_body(struct bl_hsess *s)
{
    ssize_t n;

    if (s->body == NULL)
        return 0;
    n = send(s->cli.fd, s->body + s->body_off, s->body_len - s->body_off, MSG_NOSIGNAL);
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
    s->cli_seen_ms = bl_loop_now_ms(s->w->loop);
    s->body_off += (size_t)n;
    if (s->body_off == s->body_len)
        bl_hs_drop_body(s);
    return 0;
}

void bl_hs_drop_body(struct bl_hsess *s)
{
    free(s->body);
    s->body = NULL;
    s->body_len = s->body_off = 0;
}

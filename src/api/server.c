/* SPDX-License-Identifier: Apache-2.0 */
/*
 * HTTP/1.1 framing for the API. A connection reads into a growing buffer
 * until a head parses and the body has arrived, calls the handler, queues
 * the response and writes it out; with keep-alive it then parses the next
 * request from what is left in the buffer (pipelining works).
 */
#include "api/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/list.h"
#include "core/log.h"
#include "core/xalloc.h"
#include "http/http1.h"
#include "net/sock.h"

#define MAX_REQUEST (1024 * 1024) /* head + body; an API body is small JSON */
#define HEAD_MAX 768              /* response head: status line and our few headers */
#define MAX_HEADERS 64
#define IDLE_MS 60000

struct bl_api_server {
    struct bl_loop *loop;
    struct bl_io io;
    bl_api_handler *handler;
    void *ctx;
    struct bl_list conns;
};

struct conn {
    struct bl_list node;
    struct bl_api_server *srv;
    struct bl_io io;
    struct bl_timer idle;
    char *in;          /* received bytes, in[0..in_len) */
    size_t in_len, in_cap;
    char *out;         /* response bytes, out[out_off..out_len) still to send */
    size_t out_len, out_off;
    bool close_after;  /* close once `out` is sent */
    struct bl_defer free_d;
};

static const char *status_text(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

static void on_free(struct bl_loop *loop, struct bl_defer *d)
{
    struct conn *c = bl_container_of(d, struct conn, free_d);

    (void)loop;
    free(c->in);
    free(c->out);
    free(c);
}

static void conn_close(struct conn *c)
{
    struct bl_loop *loop = c->srv->loop;

    if (c->io.fd < 0)
        return;
    bl_timer_stop(loop, &c->idle);
    bl_io_close(loop, &c->io);
    bl_list_remove(&c->node);
    bl_loop_defer(loop, &c->free_d, on_free);
}

static void on_idle(struct bl_loop *loop, struct bl_timer *t)
{
    (void)loop;
    conn_close(bl_container_of(t, struct conn, idle));
}

/* Where the responses to one connection's requests go. */
struct outbuf {
    char **buf; /* bl_xrealloc'd */
    size_t *len;
    bool *close; /* close once the output is sent */
};

/* Appends a full response (head + body) to the output buffer. */
static void queue_response(struct outbuf *o, int status, const char *ctype, const char *body,
                           size_t body_len, const char *request_id, const char *extra)
{
    char head[HEAD_MAX];
    int n = snprintf(head, sizeof(head), "HTTP/1.1 %d %s\r\n", status, status_text(status));

    if (body != NULL)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Type: %s\r\n", ctype);
    if (status != 204)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Length: %zu\r\n", body_len);
    if (extra && extra[0])
        n += snprintf(head + n, sizeof(head) - (size_t)n, "%s\r\n", extra);
    n += snprintf(head + n, sizeof(head) - (size_t)n, "x-openstack-request-id: %s\r\n%s\r\n",
                  request_id, *o->close ? "Connection: close\r\n" : "");
    *o->buf = bl_xrealloc(*o->buf, *o->len + (size_t)n + body_len);
    memcpy(*o->buf + *o->len, head, (size_t)n);
    *o->len += (size_t)n;
    if (body_len) {
        memcpy(*o->buf + *o->len, body, body_len);
        *o->len += body_len;
    }
}

static void request_id(char out[48])
{
    static unsigned long long seq;
    snprintf(out, 48, "req-%08x-0000-4000-8000-%012llx", (unsigned)getpid(), ++seq);
}

static void queue_error(struct outbuf *o, int status)
{
    char body[128], rid[48];
    int n = snprintf(body, sizeof(body), "{\"code\": %d, \"title\": \"%s\", \"description\": \"\"}",
                     status, status_text(status));

    *o->close = true;
    request_id(rid);
    queue_response(o, status, "application/json", body, (size_t)n, rid, NULL);
}

/* Copies a header value into a NUL-terminated string (NULL when absent). */
static char *header_dup(const struct bl_http_req *h, const char *lname)
{
    for (size_t i = 0; i < h->num_headers; i++) {
        if (bl_http_header_is(&h->headers[i], lname))
            return strndup(h->headers[i].value, h->headers[i].value_len);
    }
    return NULL;
}

static void dispatch(bl_api_handler *handler, void *ctx, struct outbuf *o,
                     const struct bl_http_req *h, const char *body)
{
    char *method = strndup(h->method, h->method_len);
    char *target = strndup(h->target, h->target_len);
    char *q = strchr(target, '?');
    char *project = header_dup(h, "x-project-id"), *token = header_dup(h, "x-auth-token");
    char *subject = header_dup(h, "x-subject-token");
    char *no_settle = header_dup(h, "x-oracle-no-settle");
    char *host = h->host ? strndup(h->host, h->host_len) : bl_xstrdup("localhost");
    char base[300], rid[48];
    struct bl_api_resp resp = {0};
    struct bl_api_req req;

    if (q)
        *q++ = '\0';
    snprintf(base, sizeof(base), "http://%s", host);
    req = (struct bl_api_req){
        method,  target, q ? q : "", body, (size_t)(h->content_length > 0 ? h->content_length : 0),
        project, token,  subject,    base, no_settle && no_settle[0]};
    free(no_settle);
    handler(ctx, &req, &resp);
    request_id(rid);
    queue_response(o, resp.status, resp.content_type ? resp.content_type : "application/json",
                   resp.body, resp.body ? strlen(resp.body) : 0, rid, resp.header);
    free(resp.body);
    free(method);
    free(target);
    free(project);
    free(token);
    free(subject);
    free(host);
}

size_t bl_api_serve(bl_api_handler *handler, void *ctx, const char *in, size_t len, char **out,
                    size_t *out_len, bool *close)
{
    struct outbuf o = {out, out_len, close};
    size_t used = 0;

    while (!*close && used < len) {
        struct bl_http_header hdrs[MAX_HEADERS];
        struct bl_http_req h = {.headers = hdrs, .headers_cap = MAX_HEADERS};
        enum bl_http_reason why;
        ssize_t n = bl_http1_parse_request(in + used, len - used, 0, NULL, &h, &why);
        size_t total;
        if (n == BL_HTTP_INCOMPLETE) {
            if (len - used >= MAX_REQUEST)
                queue_error(&o, 431);
            break;
        }
        if (n < 0) {
            queue_error(&o, bl_http_reason_status(why));
            break;
        }
        if (h.body == BL_HTTP_BODY_CHUNKED) {
            queue_error(&o, 411); /* API clients send Content-Length */
            break;
        }
        total = (size_t)n + (size_t)(h.content_length > 0 ? h.content_length : 0);
        if (total > MAX_REQUEST) {
            queue_error(&o, 413);
            break;
        }
        if (len - used < total)
            break; /* body still arriving */
        *close = !h.keep_alive;
        dispatch(handler, ctx, &o, &h, in + used + n);
        used += total;
    }
    return used;
}

/* Handles every complete request in the buffer. Returns false when the connection must stop
 * reading. */
static bool process(struct conn *c)
{
    size_t used = bl_api_serve(c->srv->handler, c->srv->ctx, c->in, c->in_len, &c->out, &c->out_len,
                               &c->close_after);

    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= used;
    return !c->close_after;
}

static void flush_out(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->io.fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN)
                conn_close(c);
            return;
        }
        c->out_off += (size_t)n;
    }
    c->out_off = c->out_len = 0;
    if (c->close_after)
        conn_close(c);
}

static void on_conn(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct conn *c = bl_container_of(io, struct conn, io);
    bool reading = true;

    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t n;
        if (c->in_cap - c->in_len < 4096) {
            c->in_cap = c->in_cap ? c->in_cap * 2 : 8192;
            c->in = bl_xrealloc(c->in, c->in_cap);
        }
        n = recv(io->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n <= 0 && !(n < 0 && errno == EAGAIN)) {
            conn_close(c);
            return;
        }
        if (n > 0)
            c->in_len += (size_t)n;
        reading = process(c);
        bl_timer_start(loop, &c->idle, IDLE_MS);
    }
    flush_out(c);
    if (c->io.fd >= 0)
        bl_io_want(loop, io, (reading ? EPOLLIN : 0) | (c->out_len ? EPOLLOUT : 0));
}

static void on_accept(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_api_server *s = bl_container_of(io, struct bl_api_server, io);
    int fd = accept4(io->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    struct conn *c;

    (void)events;
    if (fd < 0)
        return;
    c = bl_xcalloc(1, sizeof(*c));
    c->srv = s;
    bl_io_init(&c->io, fd, on_conn);
    bl_timer_init(&c->idle, on_idle);
    bl_list_append(&s->conns, &c->node);
    bl_io_want(loop, &c->io, EPOLLIN);
    bl_timer_start(loop, &c->idle, IDLE_MS);
}

int bl_api_server_start(struct bl_loop *loop, const struct bl_addr *addr, bl_api_handler *handler,
                        void *ctx, struct bl_api_server **out, struct bl_err *err)
{
    struct bl_api_server *s;
    int fd = bl_sock_listen(addr, SOCK_STREAM, err);

    if (fd < 0)
        return fd;
    s = bl_xcalloc(1, sizeof(*s));
    s->loop = loop;
    s->handler = handler;
    s->ctx = ctx;
    bl_list_init(&s->conns);
    bl_io_init(&s->io, fd, on_accept);
    bl_io_want(loop, &s->io, EPOLLIN);
    *out = s;
    return 0;
}

void bl_api_server_stop(struct bl_api_server *s)
{
    if (s == NULL)
        return;
    while (!bl_list_empty(&s->conns))
        conn_close(bl_container_of(s->conns.next, struct conn, node));
    bl_io_close(s->loop, &s->io);
    bl_loop_drain(s->loop);
    free(s);
}

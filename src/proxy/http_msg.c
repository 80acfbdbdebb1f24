/* SPDX-License-Identifier: Apache-2.0 */
/* Request and response heads written by the HTTP proxy: see http_msg.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config/model.h"
#include "proxy/http_msg.h"

#define MAX_NAMED 16 /* headers a Connection header may name for removal */

struct out {
    char *p;
    size_t len, cap;
    bool full;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->full || o->cap - o->len < n) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Header names listed in Connection values ("close", "keep-alive" are not names of headers). */
struct named {
    const char *name[MAX_NAMED];
    size_t len[MAX_NAMED];
    unsigned n;
};

static void collect_connection_tokens(const struct bl_http_header *h, size_t nh, struct named *nm)
{
    nm->n = 0;
    for (size_t i = 0; i < nh; i++) {
        const char *v = h[i].value, *end = v + h[i].value_len;
        if (!bl_http_header_is(&h[i], "connection"))
            continue;
        while (v < end && nm->n < MAX_NAMED) {
            const char *t;
            while (v < end && (*v == ',' || *v == ' ' || *v == '\t'))
                v++;
            t = v;
            while (v < end && *v != ',' && *v != ' ' && *v != '\t')
                v++;
            if (v > t) {
                nm->name[nm->n] = t;
                nm->len[nm->n++] = (size_t)(v - t);
            }
        }
    }
}

static bool is_named(const struct bl_http_header *h, const struct named *nm)
{
    for (unsigned i = 0; i < nm->n; i++) {
        if (nm->len[i] == h->name_len && strncasecmp(nm->name[i], h->name, h->name_len) == 0)
            return true;
    }
    return false;
}

/* Hop-by-hop, or a header the proxy sets itself. */
/* Hop-by-hop, or named by a Connection header. Dispatched on the name's
 * length: most headers of a request match none of these, and this runs for
 * every header of every message. */
static bool dropped(const struct bl_http_header *h, const struct named *nm, bool keep_upgrade)
{
    switch (h->name_len) {
    case 2:
        if (bl_http_header_is(h, "te"))
            return true;
        break;
    case 7:
        if (bl_http_header_is(h, "trailer"))
            return true;
        if (bl_http_header_is(h, "upgrade"))
            return !keep_upgrade;
        break;
    case 10:
        if (bl_http_header_is(h, "connection") || bl_http_header_is(h, "keep-alive"))
            return true;
        break;
    case 16:
        if (bl_http_header_is(h, "proxy-connection"))
            return true;
        break;
    case 4:
    case 14:
    case 17:
        /* A Connection header may not take away what frames the message or
         * names the host: that would let a client make the member read
         * another request. */
        if (bl_http_header_is(h, "host") || bl_http_header_is(h, "content-length") ||
            bl_http_header_is(h, "transfer-encoding"))
            return false;
        break;
    default:
        break;
    }
    return nm->n > 0 && is_named(h, nm);
}

static void put_header(struct out *o, const struct bl_http_header *h)
{
    put(o, h->name, h->name_len);
    put(o, ": ", 2);
    put(o, h->value, h->value_len);
    put(o, "\r\n", 2);
}

/* The client's address without port, as X-Forwarded-For carries it. */
static void put_client_ip(struct out *o, const struct bl_addr *a)
{
    char ip[INET6_ADDRSTRLEN];
    const void *src = a->u.sa.sa_family == AF_INET6 ? (const void *)&a->u.in6.sin6_addr
                                                    : (const void *)&a->u.in4.sin_addr;

    if (inet_ntop(a->u.sa.sa_family, src, ip, sizeof(ip)) == NULL)
        strcpy(ip, "unknown");
    puts_(o, ip);
}

static void put_forwarded(struct out *o, const struct bl_hreq_ctx *ctx)
{
    char num[16];

    if (ctx->insert & BL_XH_FOR) {
        puts_(o, "X-Forwarded-For: ");
        put_client_ip(o, ctx->peer);
        put(o, "\r\n", 2);
    }
    if (ctx->insert & BL_XH_PORT) {
        snprintf(num, sizeof(num), "%u", ctx->dst_port);
        puts_(o, "X-Forwarded-Port: ");
        puts_(o, num);
        put(o, "\r\n", 2);
    }
    if (ctx->insert & BL_XH_PROTO)
        puts_(o, ctx->tls ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n");
}

/* Headers the member must not receive from the client when ballast sets them (spoofing). */
static bool overridden(const struct bl_http_header *h, uint32_t insert)
{
    return ((insert & BL_XH_PORT) && bl_http_header_is(h, "x-forwarded-port")) ||
           ((insert & BL_XH_PROTO) && bl_http_header_is(h, "x-forwarded-proto")) ||
           ((insert & BL_XH_SSL_ANY) && h->name_len > 6 && strncasecmp(h->name, "x-ssl-", 6) == 0);
}

ssize_t bl_hmsg_request(char *buf, size_t cap, const struct bl_http_req *req,
                        const struct bl_hreq_ctx *ctx)
{
    struct out o = {buf, 0, cap, false};
    struct named nm;

    collect_connection_tokens(req->headers, req->num_headers, &nm);
    put(&o, req->method, req->method_len);
    put(&o, " ", 1);
    put(&o, req->target, req->target_len);
    puts_(&o, req->minor_version ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    for (size_t i = 0; i < req->num_headers; i++) {
        const struct bl_http_header *h = &req->headers[i];
        if (!dropped(h, &nm, req->is_upgrade) && !overridden(h, ctx->insert))
            put_header(&o, h);
    }
    put_forwarded(&o, ctx);
    if (req->is_upgrade)
        puts_(&o, "Connection: upgrade\r\n");
    else if (req->minor_version == 0 && !ctx->upstream_close)
        puts_(&o, "Connection: keep-alive\r\n");
    else if (req->minor_version == 1 && ctx->upstream_close)
        puts_(&o, "Connection: close\r\n");
    if (ctx->extra)
        put(&o, ctx->extra, ctx->extra_len);
    put(&o, "\r\n", 2);
    return o.full ? -ENOSPC : (ssize_t)o.len;
}

ssize_t bl_hmsg_response(char *buf, size_t cap, const struct bl_http_resp *resp,
                         const struct bl_hresp_ctx *ctx)
{
    struct out o = {buf, 0, cap, false};
    struct named nm;
    char line[32];
    bool upgrade = resp->status == 101;

    collect_connection_tokens(resp->headers, resp->num_headers, &nm);
    snprintf(line, sizeof(line), "HTTP/1.1 %d ", resp->status);
    puts_(&o, line);
    put(&o, resp->reason, resp->reason_len);
    put(&o, "\r\n", 2);
    for (size_t i = 0; i < resp->num_headers; i++) {
        if (!dropped(&resp->headers[i], &nm, upgrade))
            put_header(&o, &resp->headers[i]);
    }
    if (upgrade)
        puts_(&o, "Connection: upgrade\r\n");
    else if (ctx->close)
        puts_(&o, "Connection: close\r\n");
    else if (ctx->client_minor == 0)
        puts_(&o, "Connection: keep-alive\r\n");
    if (ctx->extra)
        put(&o, ctx->extra, ctx->extra_len);
    put(&o, "\r\n", 2);
    return o.full ? -ENOSPC : (ssize_t)o.len;
}

const char *bl_hmsg_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

ssize_t bl_hmsg_reply(char *buf, size_t cap, int status, const char *location, bool close)
{
    char body[160];
    const char *reason = bl_hmsg_reason(status);
    int blen = snprintf(body, sizeof(body), "<html><body><h1>%d %s</h1></body></html>\n", status,
                        reason);
    int n;

    if (location != NULL)
        n = snprintf(buf, cap,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                     "Location: %s\r\n%s\r\n%s",
                     status, reason, blen, location, close ? "Connection: close\r\n" : "", body);
    else
        n = snprintf(buf, cap,
                     "HTTP/1.1 %d %s\r\nContent-Type: text/html\r\nContent-Length: %d\r\n"
                     "Cache-Control: no-cache\r\n%s\r\n%s",
                     status, reason, blen, close ? "Connection: close\r\n" : "", body);
    return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

/* Looks for `name`=value among the ';'-separated pairs of v[0..len). */
static bool cookie_in(const char *v, size_t len, const char *name, bool first_only,
                      const char **value, size_t *value_len)
{
    const char *end = v + len;
    size_t nlen = strlen(name);

    while (v < end) {
        const char *semi = memchr(v, ';', (size_t)(end - v)), *pe = semi ? semi : end;
        while (v < pe && (*v == ' ' || *v == '\t'))
            v++;
        if ((size_t)(pe - v) > nlen && memcmp(v, name, nlen) == 0 && v[nlen] == '=') {
            const char *val = v + nlen + 1, *ve = pe;
            while (ve > val && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            *value = val;
            *value_len = (size_t)(ve - val);
            return true;
        }
        if (first_only)
            return false;
        v = pe + 1;
    }
    return false;
}

bool bl_hmsg_cookie(const struct bl_http_header *h, size_t nh, const char *hname, const char *name,
                    const char **value, size_t *value_len)
{
    bool set = strcmp(hname, "set-cookie") == 0;

    for (size_t i = 0; i < nh; i++) {
        if (bl_http_header_is(&h[i], hname) &&
            cookie_in(h[i].value, h[i].value_len, name, set, value, value_len))
            return true;
    }
    return false;
}

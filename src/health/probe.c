/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Probes for every monitor type. A probe is a small state machine (enum
 * step) driven by its socket's events and one timer, the monitor's timeout:
 *
 *   TCP        CONNECTING -> passed
 *   HTTP       CONNECTING -> SENDING -> RECEIVING -> status in expected_codes?
 *   HTTPS      CONNECTING -> HANDSHAKE -> SENDING -> RECEIVING -> same
 *   TLS-HELLO  CONNECTING -> HANDSHAKE -> passed
 *   PING       ECHO (echo request sent, waiting for the reply)
 *   UDP        UDP_WAIT: a reply passes, ICMP port unreachable fails, and
 *              silence until the timeout passes (Octavia's UDP-CONNECT)
 *
 * finish() is the single exit: it closes everything and reports the result.
 */
#include "health/probe.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "http/http1.h"
#include "net/sock.h"

#define HTTP_BUF 16384 /* request, then the response head: larger heads fail the check */
#define HTTP_HEADERS 64
#define ICMP_PAYLOAD "ballast-health!!" /* 16 bytes, so the echo is 24 bytes long */

enum step {
    STEP_IDLE = 0,   /* not running */
    STEP_CONNECTING, /* TCP connect in flight */
    STEP_HANDSHAKE,  /* TLS handshake in flight */
    STEP_SENDING,    /* HTTP request being written */
    STEP_RECEIVING,  /* waiting for the HTTP response head */
    STEP_ECHO,       /* ICMP echo request sent, waiting for the reply */
    STEP_UDP_WAIT,   /* datagram sent, waiting for a reply or an ICMP error */
};

static void on_io(struct bl_loop *loop, struct bl_io *io, uint32_t events);
static void on_timeout(struct bl_loop *loop, struct bl_timer *t);

void bl_probe_init(struct bl_probe *p, struct bl_loop *loop, bl_probe_done_cb *done)
{
    memset(p, 0, sizeof(*p));
    p->loop = loop;
    p->done = done;
    bl_io_init(&p->io, -1, on_io);
    bl_timer_init(&p->timer, on_timeout);
}

static uint32_t timeout_ms(const struct bl_probe *p)
{
    return p->mon->timeout_s * 1000;
}

static bool is_stream(const struct bl_probe *p)
{
    return p->mon->kind != BL_MON_PING && p->mon->kind != BL_MON_UDP_CONNECT;
}

/* Releases everything the probe holds; leaves it idle. */
static void cleanup(struct bl_probe *p)
{
    bl_timer_stop(p->loop, &p->timer);
    if (p->ssl != NULL) {
        SSL_free(p->ssl);
        p->ssl = NULL;
        ERR_clear_error(); /* the error queue is per thread: leave nothing for others */
    }
    if (p->io.fd >= 0) {
        if (is_stream(p))
            bl_sock_set_reset(p->io.fd);
        bl_io_close(p->loop, &p->io);
    }
    free(p->buf);
    p->buf = NULL;
    p->len = p->sent = 0;
    p->step = STEP_IDLE;
    p->running = false;
}

/* The single exit: cleans up, then reports. `done` may start the next probe. */
__attribute__((format(printf, 3, 4))) static void finish(struct bl_probe *p, bool passed,
                                                         const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
    va_end(ap);
    cleanup(p);
    p->done(p, passed, p->reason);
}

void bl_probe_cancel(struct bl_probe *p)
{
    if (p->running)
        cleanup(p);
}

static void want(struct bl_probe *p, uint32_t events)
{
    int rc = bl_io_want(p->loop, &p->io, events);

    if (rc < 0)
        finish(p, false, "epoll: %s", strerror(-rc));
}

/* ---- HTTP ------------------------------------------------------------------------------ */

static void build_request(struct bl_probe *p)
{
    const struct bl_cfg_monitor *m = p->mon;
    char host[300] = "", as[BL_ADDR_STRLEN];

    /* HTTP/1.1 needs a Host: domain_name, else the address probed. HTTP/1.0
     * goes without, as HAProxy's "option httpchk" sends it. */
    if (m->domain_name)
        snprintf(host, sizeof(host), "Host: %s\r\n", m->domain_name);
    else if (m->http_minor == 1)
        snprintf(host, sizeof(host), "Host: %s\r\n", bl_addr_str(&p->target, as));
    p->buf = bl_xmalloc(HTTP_BUF);
    p->len = (size_t)snprintf(p->buf, HTTP_BUF,
                              "%s %s HTTP/1.%u\r\n%sUser-Agent: ballast-health-check\r\n"
                              "Accept: */*\r\nConnection: close\r\n\r\n",
                              m->http_method, m->url_path, m->http_minor, host);
    p->sent = 0;
}

/* Sends (more of) the request; returns 0, or -EAGAIN / -errno. */
static int send_some(struct bl_probe *p)
{
    ssize_t n;

    if (p->ssl != NULL) {
        int r = SSL_write(p->ssl, p->buf + p->sent, (int)(p->len - p->sent));
        if (r <= 0) {
            int e = SSL_get_error(p->ssl, r);
            return e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ ? -EAGAIN : -EPIPE;
        }
        n = r;
    } else {
        n = send(p->io.fd, p->buf + p->sent, p->len - p->sent, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN ? -EAGAIN : -errno;
    }
    p->sent += (size_t)n;
    return 0;
}

/* Reads into the buffer; returns bytes, 0 at EOF, -EAGAIN, or -errno. */
static ssize_t recv_some(struct bl_probe *p)
{
    size_t room = HTTP_BUF - p->len;
    ssize_t n;

    if (p->ssl != NULL) {
        int r = SSL_read(p->ssl, p->buf + p->len, (int)room);
        if (r > 0)
            return r;
        r = SSL_get_error(p->ssl, r);
        if (r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE)
            return -EAGAIN;
        return r == SSL_ERROR_ZERO_RETURN ? 0 : -ECONNRESET;
    }
    n = recv(p->io.fd, p->buf + p->len, room, 0);
    if (n < 0)
        return errno == EAGAIN ? -EAGAIN : -errno;
    return n;
}

/* Looks for a complete response head in the buffer; finishes when there is a verdict. */
static void check_response(struct bl_probe *p, size_t last_len, bool eof)
{
    struct bl_http_header hdrs[HTTP_HEADERS];
    struct bl_http_resp resp = {.headers = hdrs, .headers_cap = HTTP_HEADERS};
    struct bl_http_limits lim = {.max_line_bytes = HTTP_BUF, .max_header_bytes = HTTP_BUF};
    unsigned flags = strcmp(p->mon->http_method, "HEAD") == 0 ? BL_HTTP_RESP_F_HEAD : 0;
    enum bl_http_reason why;
    ssize_t rc = bl_http1_parse_response(p->buf, p->len, last_len, &lim, flags, &resp, &why);

    if (rc >= 0) {
        finish(p, bl_codeset_has(&p->mon->codes, resp.status), "HTTP %d from %s", resp.status,
               p->mon->url_path);
    } else if (rc == BL_HTTP_ERROR) {
        finish(p, false, "invalid HTTP response from %s (%s)", p->mon->url_path,
               bl_http_reason_name(why));
    } else if (eof) {
        finish(p, false, "connection closed before the HTTP response from %s", p->mon->url_path);
    } else if (p->len == HTTP_BUF) {
        finish(p, false, "HTTP response head from %s over %d bytes", p->mon->url_path, HTTP_BUF);
    }
}

static void drive_http(struct bl_probe *p)
{
    if (p->step == STEP_SENDING) {
        int rc = send_some(p);
        if (rc == -EAGAIN) {
            want(p, EPOLLOUT);
            return;
        }
        if (rc < 0) {
            finish(p, false, "sending the HTTP request failed: %s", strerror(-rc));
            return;
        }
        if (p->sent < p->len) {
            want(p, EPOLLOUT);
            return;
        }
        p->step = STEP_RECEIVING;
        p->len = 0;
    }
    for (;;) {
        size_t last = p->len;
        ssize_t n = recv_some(p);
        if (n == -EAGAIN) {
            want(p, EPOLLIN);
            return;
        }
        if (n < 0) {
            finish(p, false, "reading the HTTP response failed: %s", strerror((int)-n));
            return;
        }
        p->len += (size_t)n;
        check_response(p, last, n == 0);
        if (!p->running)
            return;
    }
}

/* ---- TLS --------------------------------------------------------------------------------- */

static void tls_failed(struct bl_probe *p, int err)
{
    char detail[120] = "";
    unsigned long e = ERR_peek_last_error();

    if (e != 0)
        ERR_error_string_n(e, detail, sizeof(detail));
    else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN)
        snprintf(detail, sizeof(detail), "connection closed by the member");
    else
        snprintf(detail, sizeof(detail), "SSL error %d", err);
    finish(p, false, "TLS handshake failed: %s", detail);
}

static void drive_tls(struct bl_probe *p)
{
    int r = SSL_connect(p->ssl), e;

    if (r == 1) {
        if (p->mon->kind == BL_MON_TLS_HELLO) {
            finish(p, true, "TLS handshake done (%s)", SSL_get_version(p->ssl));
            return;
        }
        build_request(p);
        p->step = STEP_SENDING;
        drive_http(p);
        return;
    }
    e = SSL_get_error(p->ssl, r);
    if (e == SSL_ERROR_WANT_READ)
        want(p, EPOLLIN);
    else if (e == SSL_ERROR_WANT_WRITE)
        want(p, EPOLLOUT);
    else
        tls_failed(p, e);
}

static void start_tls(struct bl_probe *p)
{
    if (p->ssl_ctx == NULL || (p->ssl = SSL_new(p->ssl_ctx)) == NULL) {
        finish(p, false, "TLS unavailable (OpenSSL could not make a session)");
        return;
    }
    SSL_set_fd(p->ssl, p->io.fd);
    if (p->mon->domain_name)
        SSL_set_tlsext_host_name(p->ssl, p->mon->domain_name);
    p->step = STEP_HANDSHAKE;
    drive_tls(p);
}

/* ---- TCP connect, the first step of TCP, HTTP(S) and TLS-HELLO ----------------------------- */

static void connected(struct bl_probe *p)
{
    switch (p->mon->kind) {
    case BL_MON_TCP:
        finish(p, true, "TCP connect OK");
        break;
    case BL_MON_HTTPS:
    case BL_MON_TLS_HELLO:
        start_tls(p);
        break;
    default:
        build_request(p);
        p->step = STEP_SENDING;
        drive_http(p);
        break;
    }
}

static void start_connect(struct bl_probe *p)
{
    int fd = bl_sock_connect(&p->target, SOCK_STREAM);

    if (fd < 0) {
        finish(p, false, "connect failed: %s", strerror(-fd));
        return;
    }
    bl_io_init(&p->io, fd, on_io);
    p->step = STEP_CONNECTING;
    want(p, EPOLLOUT);
}

/* ---- PING ------------------------------------------------------------------------------------ */

static uint16_t icmp_checksum(const unsigned char *b, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (n & 1)
        sum += (uint32_t)b[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/*
 * An ICMP socket: the unprivileged datagram kind when net.ipv4.ping_group_range
 * allows our group (the kernel then owns the echo id and filters replies),
 * else a raw socket, which needs CAP_NET_RAW (ballastd as root).
 */
static int icmp_socket(struct bl_probe *p, bool v6)
{
    int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);

    p->raw = false;
    if (fd >= 0 || (errno != EACCES && errno != EPERM && errno != EPROTONOSUPPORT))
        return fd < 0 ? -errno : fd;
    p->raw = true;
    fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    return fd < 0 ? -errno : fd;
}

static void start_ping(struct bl_probe *p)
{
    static uint16_t seq;
    bool v6 = p->target.u.sa.sa_family == AF_INET6;
    unsigned char pkt[8 + sizeof(ICMP_PAYLOAD) - 1];
    char ip[BL_ADDR_STRLEN];
    struct bl_addr to = p->target;
    uint16_t ck;
    int fd = icmp_socket(p, v6);

    if (fd < 0) {
        finish(p, false, "ICMP socket: %s", strerror(-fd));
        return;
    }
    bl_io_init(&p->io, fd, on_io);
    to.u.in4.sin_port = 0; /* same offset in sockaddr_in6 */
    p->echo_id = (uint16_t)(getpid() ^ (uintptr_t)p);
    p->echo_seq = ++seq;
    memset(pkt, 0, sizeof(pkt));
    pkt[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
    pkt[4] = (uint8_t)(p->echo_id >> 8), pkt[5] = (uint8_t)p->echo_id;
    pkt[6] = (uint8_t)(p->echo_seq >> 8), pkt[7] = (uint8_t)p->echo_seq;
    memcpy(pkt + 8, ICMP_PAYLOAD, sizeof(ICMP_PAYLOAD) - 1);
    ck = v6 ? 0 : icmp_checksum(pkt, sizeof(pkt)); /* the kernel sums ICMPv6 */
    pkt[2] = (uint8_t)(ck >> 8), pkt[3] = (uint8_t)ck;
    /* connect() makes the kernel pass us only what comes from the target. */
    if (connect(fd, &to.u.sa, to.len) < 0 || send(fd, pkt, sizeof(pkt), 0) < 0) {
        finish(p, false, "ICMP echo to %s: %s", bl_addr_ip_str(&p->target, ip), strerror(errno));
        return;
    }
    p->step = STEP_ECHO;
    want(p, EPOLLIN);
}

/* True when `b[0..n)` (as read from the socket) is the reply to our echo. */
static bool is_our_reply(const struct bl_probe *p, const unsigned char *b, size_t n)
{
    bool v6 = p->target.u.sa.sa_family == AF_INET6;

    if (p->raw && !v6) { /* raw IPv4 sockets see the IP header too */
        size_t ihl = n > 0 ? (size_t)(b[0] & 0x0f) * 4 : 0;
        if (n < ihl)
            return false;
        b += ihl;
        n -= ihl;
    }
    if (n < 8 || b[0] != (v6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
        return false;
    /* The datagram socket rewrites the id to its own; the sequence is ours either way. */
    if (p->raw && (b[4] << 8 | b[5]) != p->echo_id)
        return false;
    return (b[6] << 8 | b[7]) == p->echo_seq;
}

static void on_echo(struct bl_probe *p)
{
    unsigned char b[512];

    for (;;) {
        ssize_t n = recv(p->io.fd, b, sizeof(b), 0);
        if (n < 0 && errno == EAGAIN)
            return;
        if (n < 0) {
            finish(p, false, "ICMP echo: %s", strerror(errno));
            return;
        }
        if (is_our_reply(p, b, (size_t)n)) {
            finish(p, true, "ICMP echo reply%s", p->raw ? " (raw socket)" : "");
            return;
        }
    }
}

/* ---- UDP-CONNECT -------------------------------------------------------------------------------
 */

static void start_udp(struct bl_probe *p)
{
    int fd = bl_sock_connect(&p->target, SOCK_DGRAM);

    if (fd < 0) {
        finish(p, false, "UDP connect: %s", strerror(-fd));
        return;
    }
    bl_io_init(&p->io, fd, on_io);
    /* An empty datagram: the port's owner, if any, sees nothing to act on. */
    if (send(fd, "", 0, 0) < 0) {
        finish(p, false, "UDP send: %s", strerror(errno));
        return;
    }
    p->step = STEP_UDP_WAIT;
    want(p, EPOLLIN);
}

static void on_udp(struct bl_probe *p)
{
    unsigned char b[512];
    ssize_t n = recv(p->io.fd, b, sizeof(b), 0);

    if (n >= 0)
        finish(p, true, "UDP reply received");
    else if (errno == ECONNREFUSED)
        finish(p, false, "ICMP port unreachable");
    else if (errno != EAGAIN)
        finish(p, false, "UDP: %s", strerror(errno));
}

/* ---- events --------------------------------------------------------------------------------- */

static void on_io(struct bl_loop *loop, struct bl_io *io, uint32_t events)
{
    struct bl_probe *p = bl_container_of(io, struct bl_probe, io);
    int rc;

    (void)loop;
    switch (p->step) {
    case STEP_CONNECTING:
        rc = (events & (EPOLLERR | EPOLLHUP)) ? bl_sock_error(io->fd) : 0;
        if (rc == 0 && (events & (EPOLLERR | EPOLLHUP)))
            rc = -ECONNRESET;
        if (rc < 0)
            finish(p, false, "connect failed: %s", strerror(-rc));
        else
            connected(p);
        break;
    case STEP_HANDSHAKE:
        drive_tls(p);
        break;
    case STEP_SENDING:
    case STEP_RECEIVING:
        drive_http(p);
        break;
    case STEP_ECHO:
        on_echo(p);
        break;
    case STEP_UDP_WAIT:
        on_udp(p);
        break;
    default:
        break;
    }
}

static void on_timeout(struct bl_loop *loop, struct bl_timer *t)
{
    struct bl_probe *p = bl_container_of(t, struct bl_probe, timer);
    uint32_t ms = timeout_ms(p);

    (void)loop;
    switch (p->step) {
    case STEP_CONNECTING:
        finish(p, false, "connect timeout after %u ms", ms);
        break;
    case STEP_HANDSHAKE:
        finish(p, false, "TLS handshake timeout after %u ms", ms);
        break;
    case STEP_ECHO:
        finish(p, false, "no ICMP echo reply within %u ms", ms);
        break;
    case STEP_UDP_WAIT:
        finish(p, true, "no ICMP port unreachable within %u ms", ms);
        break;
    default:
        finish(p, false, "no HTTP response from %s within %u ms", p->mon->url_path, ms);
        break;
    }
}

void bl_probe_start(struct bl_probe *p, const struct bl_cfg_monitor *mon,
                    const struct bl_addr *target, struct ssl_ctx_st *ssl_ctx)
{
    p->mon = mon;
    p->target = *target;
    p->ssl_ctx = ssl_ctx;
    p->running = true;
    p->reason[0] = '\0';
    bl_timer_start(p->loop, &p->timer, timeout_ms(p));
    if (mon->kind == BL_MON_PING)
        start_ping(p);
    else if (mon->kind == BL_MON_UDP_CONNECT)
        start_udp(p);
    else
        start_connect(p);
}

struct ssl_ctx_st *bl_probe_ssl_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL) {
        bl_log(BL_LOG_ERROR, "health: cannot create a TLS context for HTTPS/TLS-HELLO probes");
        ERR_clear_error();
        return NULL;
    }
    /* Like Octavia's HTTPS and TLS-HELLO checks: the member's certificate is
     * not verified; the probe asks whether TLS answers, not who. */
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    /* A member that closes without close_notify has still answered. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    return ctx;
}

void bl_probe_ssl_ctx_free(struct ssl_ctx_st *ctx)
{
    SSL_CTX_free(ctx);
}

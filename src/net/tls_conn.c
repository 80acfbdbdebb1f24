/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One TLS connection over a non-blocking socket (tls.h). OpenSSL's error
 * queue is per thread and outlives a call, so it is cleared before each
 * operation and only the newest error is kept (packed, for bl_tls_error):
 * nothing of it is formatted unless someone asks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "core/xalloc.h"
#include "net/tls_internal.h"

struct bl_tls_conn {
    SSL *ssl;
    struct bl_tls_ctx *ctx; /* a reference */
    unsigned long err;      /* packed OpenSSL error of the last -EPROTO, 0 = none */
    uint32_t wants;         /* EPOLLIN/EPOLLOUT the last -EAGAIN waits for */
    bool done;              /* handshake complete */
    bool shut;              /* close_notify sent */
};

struct bl_tls_conn *bl_tls_conn_new(struct bl_tls_ctx *ctx, int fd, const char *server_name)
{
    struct bl_tls_conn *c = bl_xcalloc(1, sizeof(*c));

    c->ssl = SSL_new(ctx->ctx);
    if (c->ssl == NULL) { /* only on allocation failure: as bl_xalloc does */
        fprintf(stderr, "ballast: out of memory creating a TLS connection\n");
        abort();
    }
    bl_tls_ctx_ref(ctx);
    c->ctx = ctx;
    SSL_set_fd(c->ssl, fd);
    if (ctx->server) {
        SSL_set_accept_state(c->ssl);
    } else {
        SSL_set_connect_state(c->ssl);
        if (server_name != NULL) {
            SSL_set_tlsext_host_name(c->ssl, server_name);
            if (ctx->verify)
                SSL_set1_host(c->ssl, server_name);
        }
    }
    return c;
}

void bl_tls_conn_free(struct bl_tls_conn *c)
{
    if (c == NULL)
        return;
    SSL_free(c->ssl);
    bl_tls_ctx_unref(c->ctx);
    free(c);
}

/* Turns OpenSSL's verdict on a call that returned `r` into tls.h's returns. */
static int settle(struct bl_tls_conn *c, int r)
{
    int e = SSL_get_error(c->ssl, r);

    c->wants = 0;
    switch (e) {
    case SSL_ERROR_WANT_READ:
        c->wants = EPOLLIN;
        return -EAGAIN;
    case SSL_ERROR_WANT_WRITE:
        c->wants = EPOLLOUT;
        return -EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    case SSL_ERROR_SYSCALL:
        c->err = ERR_peek_last_error();
        return errno > 0 ? -errno : -ECONNRESET;
    default:
        c->err = ERR_peek_last_error();
        ERR_clear_error();
        return -EPROTO;
    }
}

int bl_tls_handshake(struct bl_tls_conn *c)
{
    int r;

    if (c->done)
        return 0;
    ERR_clear_error();
    errno = 0;
    r = SSL_do_handshake(c->ssl);
    if (r == 1) {
        c->done = true;
        c->wants = 0;
        return 0;
    }
    r = settle(c, r);
    return r == 0 ? -ECONNRESET : r; /* a close before the end is no handshake */
}

bool bl_tls_handshake_done(const struct bl_tls_conn *c)
{
    return c->done;
}

ssize_t bl_tls_read(struct bl_tls_conn *c, void *buf, size_t len)
{
    size_t n = 0;

    ERR_clear_error();
    errno = 0;
    if (SSL_read_ex(c->ssl, buf, len, &n) == 1) {
        c->done = true;
        c->wants = 0;
        return (ssize_t)n;
    }
    return settle(c, 0);
}

ssize_t bl_tls_write(struct bl_tls_conn *c, const void *buf, size_t len)
{
    size_t n = 0;
    int r;

    if (len == 0)
        return 0;
    ERR_clear_error();
    errno = 0;
    if (SSL_write_ex(c->ssl, buf, len, &n) == 1) {
        c->done = true;
        c->wants = 0;
        return (ssize_t)n;
    }
    r = settle(c, 0);
    return r == 0 ? -EPIPE : r; /* the peer's close_notify: nothing more goes out */
}

#define COALESCE_MAX 16384 /* one full TLS record */

/*
 * A head and a small body go out as one record (one encryption, one write),
 * not one record per piece: the pieces' first 16 KiB are copied together. A
 * retry after -EAGAIN then presents at least the bytes of the attempt that
 * waited (the pieces only grow, and no single piece exceeds 16 KiB), which is
 * what OpenSSL requires of a retried write.
 */
ssize_t bl_tls_writev(struct bl_tls_conn *c, const struct iovec *iov, int iovcnt)
{
    static _Thread_local unsigned char buf[COALESCE_MAX];
    size_t n = 0;

    if (iovcnt == 1)
        return bl_tls_write(c, iov[0].iov_base, iov[0].iov_len);
    for (int i = 0; i < iovcnt && n < COALESCE_MAX; i++) {
        size_t k = iov[i].iov_len < COALESCE_MAX - n ? iov[i].iov_len : COALESCE_MAX - n;
        memcpy(buf + n, iov[i].iov_base, k);
        n += k;
    }
    return bl_tls_write(c, buf, n);
}

uint32_t bl_tls_wants(const struct bl_tls_conn *c)
{
    return c->wants;
}

size_t bl_tls_pending(const struct bl_tls_conn *c)
{
    int n = SSL_pending(c->ssl);

    if (n > 0)
        return (size_t)n;
    return SSL_has_pending(c->ssl) ? 1 : 0; /* a whole record read but not yet decrypted */
}

int bl_tls_shutdown(struct bl_tls_conn *c)
{
    int r;

    if (c->shut || !c->done)
        return 0;
    ERR_clear_error();
    errno = 0;
    r = SSL_shutdown(c->ssl);
    if (r >= 0) { /* 0: sent, the peer's not seen yet; we do not wait for it */
        c->shut = true;
        return 0;
    }
    r = settle(c, r);
    return r == 0 ? -EPIPE : r;
}

const char *bl_tls_error(const struct bl_tls_conn *c)
{
    long v = SSL_get_verify_result(c->ssl);
    const char *r;

    if (c->err == 0)
        return "";
    if (ERR_GET_REASON(c->err) == SSL_R_CERTIFICATE_VERIFY_FAILED && v != X509_V_OK)
        return X509_verify_cert_error_string(v);
    r = ERR_reason_error_string(c->err);
    return r ? r : "TLS error";
}

const char *bl_tls_version(const struct bl_tls_conn *c)
{
    return SSL_get_version(c->ssl);
}

const char *bl_tls_alpn(const struct bl_tls_conn *c)
{
    static const char *const known[] = {"http/1.1", "http/1.0"};
    const unsigned char *p;
    unsigned int n;

    SSL_get0_alpn_selected(c->ssl, &p, &n);
    for (int i = 0; i < 2 && n == 8; i++) {
        if (memcmp(p, known[i], 8) == 0)
            return known[i];
    }
    return "";
}

const char *bl_tls_server_name(const struct bl_tls_conn *c)
{
    return SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
}

struct x509_st *bl_tls_peer_cert(const struct bl_tls_conn *c)
{
    return SSL_get0_peer_certificate(c->ssl);
}

long bl_tls_verify_result(const struct bl_tls_conn *c)
{
    return SSL_get_verify_result(c->ssl);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS with OpenSSL 3: contexts for TERMINATED_HTTPS listeners (default and
 * SNI certificates, client authentication, CA/CRL) and for pools that
 * re-encrypt to their members, and a non-blocking connection wrapper over an
 * already-connected socket that the proxy drives from its event loop.
 *
 * Contexts are built on the control thread from plain structs of file paths
 * (config/ resolves Octavia's container refs to files) and are immutable
 * afterwards, so every worker may start connections on one concurrently.
 * They are refcounted: a reload builds new contexts while connections keep
 * the one they started with (each connection holds a reference).
 *
 * A connection belongs to one worker thread. Each call that returns -EAGAIN
 * records what OpenSSL waits for (bl_tls_wants); the caller retries the same
 * call when the socket is ready. OpenSSL may hold decrypted bytes that epoll
 * will never report (bl_tls_pending): read until -EAGAIN or check it.
 */
#ifndef BL_NET_TLS_H
#define BL_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "core/err.h"

/* Octavia's tls_versions, as bits. */
enum {
    BL_TLS_SSLV3 = 1u << 0, /* refused by OpenSSL 3 builds without SSLv3: handshakes fail */
    BL_TLS_V1_0 = 1u << 1,
    BL_TLS_V1_1 = 1u << 2,
    BL_TLS_V1_2 = 1u << 3,
    BL_TLS_V1_3 = 1u << 4,
};
#define BL_TLS_VERSIONS_DEFAULT (BL_TLS_V1_2 | BL_TLS_V1_3) /* Octavia's default */

/* Octavia's default tls_ciphers for listeners and pools (CIPHERS_OWASP_SUITE_B). */
#define BL_TLS_CIPHERS_DEFAULT                                                                     \
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:"                  \
    "DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"             \
    "ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-SHA256:DHE-RSA-AES128-SHA256:"                     \
    "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256"

/* Octavia's alpn_protocols values, as bits. ballast speaks HTTP/1.x only:
 * h2 is accepted in configurations but never negotiated nor offered. */
enum {
    BL_ALPN_HTTP11 = 1u << 0, /* "http/1.1" */
    BL_ALPN_HTTP10 = 1u << 1, /* "http/1.0" */
    BL_ALPN_H2 = 1u << 2,     /* "h2": ignored */
};

/* Octavia's client_authentication. */
enum bl_tls_auth {
    BL_TLS_AUTH_NONE = 0,  /* no certificate requested */
    BL_TLS_AUTH_OPTIONAL,  /* requested; a presented one must verify */
    BL_TLS_AUTH_MANDATORY, /* required and must verify */
};

/*
 * One TERMINATED_HTTPS listener. Each certificate file is PEM holding the
 * certificate, its chain and its (unencrypted) private key, in any order.
 */
struct bl_tls_server_cfg {
    const char *cert_file;        /* default certificate; required */
    const char *const *sni_files; /* SNI certificates, by the names they hold */
    uint32_t nsni;
    unsigned versions;         /* BL_TLS_* bits; 0 = BL_TLS_VERSIONS_DEFAULT */
    const char *ciphers;       /* OpenSSL cipher string; NULL = BL_TLS_CIPHERS_DEFAULT */
    const unsigned char *alpn; /* BL_ALPN_* values in preference order; NULL = none */
    uint32_t nalpn;
    enum bl_tls_auth client_auth;
    const char *client_ca_file;  /* PEM CA bundle; required unless client_auth is NONE */
    const char *client_crl_file; /* PEM CRL(s) of that CA; NULL = none */
};

/* One pool with tls_enabled (ballast is the TLS client of its members). */
struct bl_tls_client_cfg {
    const char *ca_file;   /* PEM CA bundle: members are verified against it; NULL = no check */
    const char *crl_file;  /* PEM CRL(s); only with ca_file */
    const char *cert_file; /* client certificate + key to present; NULL = none */
    unsigned versions;     /* as in the server cfg */
    const char *ciphers;
    const unsigned char *alpn; /* offered to members (h2 never) */
    uint32_t nalpn;
};

struct bl_tls_ctx;
struct bl_tls_conn;

/*
 * Build a context. Files are read now; errors name the file and the problem
 * (no certificate, no private key, key does not match, bad cipher string...).
 * An expired certificate is accepted with a warning in the log, so a reload
 * that only changes something else never fails because of it. Returns 0 with
 * `*out` holding one reference, or a negative errno with `err` filled.
 */
int bl_tls_server_new(const struct bl_tls_server_cfg *cfg, struct bl_tls_ctx **out,
                      struct bl_err *err);
int bl_tls_client_new(const struct bl_tls_client_cfg *cfg, struct bl_tls_ctx **out,
                      struct bl_err *err);

void bl_tls_ctx_ref(struct bl_tls_ctx *ctx);
void bl_tls_ctx_unref(struct bl_tls_ctx *ctx); /* NULL is fine; any thread */

/* True for a listener context (bl_tls_conn_new then accepts). */
bool bl_tls_ctx_is_server(const struct bl_tls_ctx *ctx);

/*
 * Wraps connected non-blocking socket `fd` (not owned: the caller closes it
 * after bl_tls_conn_free). Server contexts accept; client contexts connect,
 * sending `server_name` as SNI (NULL = none) and, when the context verifies
 * members, checking the certificate is for that name. Takes a reference on
 * `ctx`. Never returns NULL (allocation aborts).
 */
struct bl_tls_conn *bl_tls_conn_new(struct bl_tls_ctx *ctx, int fd, const char *server_name);
void bl_tls_conn_free(struct bl_tls_conn *c); /* NULL is fine */

/* Advances the handshake: 0 when done, -EAGAIN (see bl_tls_wants), -EPROTO
 * (bl_tls_error says why), or -errno from the socket. */
int bl_tls_handshake(struct bl_tls_conn *c);
bool bl_tls_handshake_done(const struct bl_tls_conn *c);

/*
 * Bytes read (> 0), 0 at the peer's end of stream (close_notify, or a close
 * without one: HTTP/1 framing detects truncation), -EAGAIN, -EPROTO or
 * -errno. Runs the handshake first if it is not done.
 */
ssize_t bl_tls_read(struct bl_tls_conn *c, void *buf, size_t len);

/*
 * Bytes written (> 0, possibly fewer than `len`), -EAGAIN, -EPIPE, -EPROTO
 * or -errno. After -EAGAIN, call again with the same bytes first (they may
 * sit at another address). bl_tls_writev writes the vectors' first 16 KiB
 * as one record (each vector must be at most 16 KiB, and a retry must start
 * with the same vectors, longer or not); it returns the bytes written from
 * the start of the vectors.
 */
ssize_t bl_tls_write(struct bl_tls_conn *c, const void *buf, size_t len);
ssize_t bl_tls_writev(struct bl_tls_conn *c, const struct iovec *iov, int iovcnt);

/* EPOLLIN or EPOLLOUT: what the last -EAGAIN waits for (0 if none). A read may
 * wait for EPOLLOUT (renegotiation, key update) and a write for EPOLLIN. */
uint32_t bl_tls_wants(const struct bl_tls_conn *c);

/* Non-zero when OpenSSL holds received bytes that epoll will not report:
 * call bl_tls_read again before waiting. */
size_t bl_tls_pending(const struct bl_tls_conn *c);

/* Sends close_notify (once; the peer's is not awaited). 0 when sent,
 * -EAGAIN, or a negative errno (then just close the socket). */
int bl_tls_shutdown(struct bl_tls_conn *c);

/* Why the last call failed with -EPROTO, for logs ("certificate verify
 * failed", "peer did not return a certificate"...); "" if nothing. */
const char *bl_tls_error(const struct bl_tls_conn *c);

/* After the handshake: "TLSv1.3", the ALPN protocol chosen ("" = none), the
 * SNI name the client sent (NULL = none). */
const char *bl_tls_version(const struct bl_tls_conn *c);
const char *bl_tls_alpn(const struct bl_tls_conn *c);
const char *bl_tls_server_name(const struct bl_tls_conn *c);

/* ---- peer facts (for L7 rules and X-SSL-* headers) ------------------------------- */

struct x509_st;

/* The peer's certificate (borrowed; valid until bl_tls_conn_free), or NULL. */
struct x509_st *bl_tls_peer_cert(const struct bl_tls_conn *c);

/* OpenSSL's verify result (X509_V_OK = 0 when verified or no certificate),
 * as HAProxy's ssl_c_verify and Octavia's SSL_VERIFY_RESULT rule. */
long bl_tls_verify_result(const struct bl_tls_conn *c);

/*
 * The value of field `key` ("CN", "OU", "O", ... or a dotted OID) of the
 * peer certificate's subject DN, as Octavia's SSL_DN_FIELD rule (HAProxy
 * ssl_c_s_dn(key): the last occurrence). Writes it NUL-terminated to `out`
 * and returns its length, or -ENOENT (no certificate or no such field),
 * -ENOSPC.
 */
int bl_tls_peer_dn_field(const struct bl_tls_conn *c, const char *key, char *out, size_t cap);

/* insert_headers bits of the X-SSL-* family; equal to config's BL_XH_SSL_*
 * (config/model.c checks it at compile time). */
enum {
    BL_TLS_H_VERIFY = 1u << 3,     /* X-SSL-Client-Verify: 0, else OpenSSL's verify error */
    BL_TLS_H_HAS_CERT = 1u << 4,   /* X-SSL-Client-Has-Cert: 1 or 0 */
    BL_TLS_H_DN = 1u << 5,         /* X-SSL-Client-DN: /C=../CN=.. */
    BL_TLS_H_CN = 1u << 6,         /* X-SSL-Client-CN */
    BL_TLS_H_ISSUER = 1u << 7,     /* X-SSL-Issuer: the issuer's DN */
    BL_TLS_H_SHA1 = 1u << 8,       /* X-SSL-Client-SHA1: upper-case hex of the DER's SHA-1 */
    BL_TLS_H_NOT_BEFORE = 1u << 9, /* X-SSL-Client-Not-Before: YYMMDDhhmmssZ */
    BL_TLS_H_NOT_AFTER = 1u << 10, /* X-SSL-Client-Not-After */
};

/*
 * Writes the X-SSL-* header lines selected by `flags` ("Name: value\r\n"
 * each) to `out`, NUL-terminated, with values as Octavia's HAProxy
 * configuration sends them (HAProxy 2.6, checked): unquoted; without a
 * client certificate Verify is 0, Has-Cert 0 and the others empty. Control
 * bytes in certificate text are written as \xHH so nothing can end the
 * header early. Other bits of `flags` are ignored. Returns the bytes
 * written, or -ENOSPC.
 */
int bl_tls_client_headers(const struct bl_tls_conn *c, unsigned flags, char *out, size_t cap);

#endif

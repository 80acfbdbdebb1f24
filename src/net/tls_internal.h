/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What tls.c, tls_sni.c and tls_conn.c share: the context's layout. Not for
 * use outside net/tls*.c.
 */
#ifndef BL_NET_TLS_INTERNAL_H
#define BL_NET_TLS_INTERNAL_H

#include <stdatomic.h>

#include <openssl/ssl.h>

#include "net/tls.h"

/* A name an SNI certificate answers for: lower case; "*.example.com" is
 * stored as ".example.com" in the wildcard part of the table. */
struct bl_tls_name {
    char *name;
    SSL_CTX *ctx; /* borrowed from bl_tls_ctx.ctx or .sni_ctx */
    bool wild;
};

struct bl_tls_ctx {
    _Atomic uint32_t refs; /* the builder's (snapshot's) and one per connection */
    bool server;
    bool verify;       /* client: members are verified (ca_file given) */
    SSL_CTX *ctx;      /* server: the default certificate's */
    SSL_CTX **sni_ctx; /* server: one per SNI certificate, as configured */
    uint32_t nsni;
    struct bl_tls_name *names; /* sorted: exact names, then wildcards, each by name */
    uint32_t nnames;
    unsigned char alpn[18]; /* wire format: http/1.1 and/or http/1.0 in order */
    size_t alpn_len;
};

typedef SSL_CTX *(*bl_tls_server_ctx_fn)(struct bl_tls_ctx *t, const struct bl_tls_server_cfg *cfg,
                                         const char *cert_file, X509_STORE *store,
                                         struct bl_err *err);

/* Builds one SSL_CTX per SNI certificate with `make`, indexes the names of
 * every certificate (default first: on a tie the earlier one wins) and
 * installs the servername callback on t->ctx. */
int bl_tls_sni_build(struct bl_tls_ctx *t, const struct bl_tls_server_cfg *cfg, X509_STORE *store,
                     bl_tls_server_ctx_fn make, struct bl_err *err);

/* The SSL_CTX for `name` (the client's SNI), NULL for the default. */
SSL_CTX *bl_tls_sni_find(const struct bl_tls_ctx *t, const char *name);

#endif

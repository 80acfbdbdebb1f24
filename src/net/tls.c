/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TLS contexts (tls.h): reading PEM files with errors people can act on, and
 * the SSL_CTX settings shared by listeners and pools. A listener gets one
 * SSL_CTX per certificate, all configured alike; the servername callback
 * switches a handshake to the SNI certificate's SSL_CTX, as HAProxy's
 * crt-list does: exact names first, then `*.domain` wildcards (one label),
 * else the default certificate. Connections: tls_conn.c.
 */
#include "net/tls.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "net/tls_internal.h"

/* ---- errors ------------------------------------------------------------------------- */

/* The reason of the newest OpenSSL error, for messages ("" when none). */
static const char *ossl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;
    return r ? r : "unknown OpenSSL error";
}

/* Never prompt on the terminal for a passphrase: encrypted keys are refused. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

static BIO *open_pem(const char *path, struct bl_err *err)
{
    BIO *b = BIO_new_file(path, "r");

    if (b == NULL) {
        int e = errno ? errno : ENOENT;
        bl_err_set(err, -e, "%s: %s", path, strerror(e));
    }
    return b;
}

/* ---- certificate files ---------------------------------------------------------------- */

struct certkey {
    X509 *leaf;
    STACK_OF(X509) * chain; /* the other certificates of the file, in order */
    EVP_PKEY *key;
};

static void certkey_free(struct certkey *ck)
{
    X509_free(ck->leaf);
    sk_X509_pop_free(ck->chain, X509_free);
    EVP_PKEY_free(ck->key);
}

static int read_key(BIO *b, const char *path, struct certkey *ck, struct bl_err *err)
{
    char line[128];
    bool encrypted = false;

    BIO_reset(b);
    ck->key = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
    if (ck->key != NULL)
        return 0;
    BIO_reset(b);
    while (BIO_gets(b, line, sizeof(line)) > 0)
        encrypted |= strstr(line, "ENCRYPTED") != NULL;
    if (encrypted)
        return bl_err_set(err, -EINVAL,
                          "%s: the private key is encrypted (ballast does not "
                          "take passphrases: store it unencrypted, readable by ballast only)",
                          path);
    return bl_err_set(err, -EINVAL,
                      "%s: no private key (the PEM must hold the certificate, "
                      "its chain and its key)",
                      path);
}

/* The first certificate is the leaf; the key must match it. */
static int load_certkey(const char *path, struct certkey *ck, struct bl_err *err)
{
    BIO *b = open_pem(path, err);
    X509 *x;
    int rc = 0;

    memset(ck, 0, sizeof(*ck));
    if (b == NULL)
        return err ? err->code : -ENOENT;
    ck->chain = sk_X509_new_null();
    while ((x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL)) != NULL) {
        if (ck->leaf == NULL)
            ck->leaf = x;
        else
            sk_X509_push(ck->chain, x);
    }
    ERR_clear_error(); /* the loop ends on "no start line" */
    if (ck->leaf == NULL)
        rc = bl_err_set(err, -EINVAL, "%s: no certificate in the PEM file", path);
    else
        rc = read_key(b, path, ck, err);
    if (rc == 0 && X509_check_private_key(ck->leaf, ck->key) != 1)
        rc = bl_err_set(err, -EINVAL, "%s: the private key does not match the certificate", path);
    if (rc == 0 && X509_cmp_current_time(X509_get0_notAfter(ck->leaf)) < 0)
        bl_log(BL_LOG_WARN, "%s: the certificate has expired; serving it anyway", path);
    BIO_free(b);
    ERR_clear_error();
    if (rc < 0)
        certkey_free(ck);
    return rc;
}

/* Adds every certificate (and, with `crls`, every CRL) of a PEM file to `store`. */
static int load_store_file(X509_STORE *store, const char *path, bool crls, struct bl_err *err)
{
    BIO *b = open_pem(path, err);
    int n = 0;

    if (b == NULL)
        return err ? err->code : -ENOENT;
    for (;;) {
        if (crls) {
            X509_CRL *crl = PEM_read_bio_X509_CRL(b, NULL, no_passphrase, NULL);
            if (crl == NULL)
                break;
            X509_STORE_add_crl(store, crl);
            X509_CRL_free(crl);
        } else {
            X509 *x = PEM_read_bio_X509(b, NULL, no_passphrase, NULL);
            if (x == NULL)
                break;
            X509_STORE_add_cert(store, x);
            X509_free(x);
        }
        n++;
    }
    BIO_free(b);
    ERR_clear_error();
    if (n == 0)
        return bl_err_set(err, -EINVAL, "%s: no %s in the PEM file", path,
                          crls ? "certificate revocation list (X509 CRL)" : "CA certificate");
    return 0;
}

static X509_STORE *build_store(const char *ca_file, const char *crl_file, struct bl_err *err)
{
    X509_STORE *st = X509_STORE_new();

    if (load_store_file(st, ca_file, false, err) < 0 ||
        (crl_file && load_store_file(st, crl_file, true, err) < 0)) {
        X509_STORE_free(st);
        return NULL;
    }
    /* The leaf is checked against the CRL; a CA without one is not an error. */
    if (crl_file)
        X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
    return st;
}

/* ---- shared SSL_CTX settings ------------------------------------------------------------ */

static int set_versions(SSL_CTX *ctx, unsigned versions, struct bl_err *err)
{
    static const struct {
        unsigned bit;
        int version;
        uint64_t no_op;
    } tab[] = {
        {BL_TLS_SSLV3, SSL3_VERSION, SSL_OP_NO_SSLv3},
        {BL_TLS_V1_0, TLS1_VERSION, SSL_OP_NO_TLSv1},
        {BL_TLS_V1_1, TLS1_1_VERSION, SSL_OP_NO_TLSv1_1},
        {BL_TLS_V1_2, TLS1_2_VERSION, SSL_OP_NO_TLSv1_2},
        {BL_TLS_V1_3, TLS1_3_VERSION, SSL_OP_NO_TLSv1_3},
    };
    int lo = -1, hi = -1;

    if (versions == 0)
        versions = BL_TLS_VERSIONS_DEFAULT;
    for (int i = 0; i < 5; i++) {
        if (versions & tab[i].bit) {
            lo = lo < 0 ? i : lo;
            hi = i;
        }
    }
    if (lo < 0)
        return bl_err_set(err, -EINVAL, "tls_versions: no known version");
    /* OpenSSL 3 has no SSLv3 here: a list starting there starts at TLSv1. */
    if (SSL_CTX_set_min_proto_version(ctx, tab[lo].version) != 1 &&
        SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION) != 1)
        return bl_err_set(err, -EINVAL, "tls_versions: OpenSSL refuses the lowest version");
    if (SSL_CTX_set_max_proto_version(ctx, tab[hi].version) != 1)
        return bl_err_set(err, -EINVAL, "tls_versions: OpenSSL refuses the highest version");
    for (int i = lo + 1; i < hi; i++) {
        if (!(versions & tab[i].bit))
            SSL_CTX_set_options(ctx, tab[i].no_op); /* a hole, e.g. TLSv1 + TLSv1.2 */
    }
    return 0;
}

/*
 * Octavia's cipher strings mix TLS 1.3 suites (TLS_AES_...) with the legacy
 * list; OpenSSL takes them apart. A part left empty keeps OpenSSL's default.
 */
static int set_ciphers(SSL_CTX *ctx, const char *ciphers, struct bl_err *err)
{
    size_t n = strlen(ciphers) + 1;
    char *legacy = bl_xcalloc(1, n), *v13 = bl_xcalloc(1, n), *copy = bl_xstrdup(ciphers);
    char *save = NULL;
    int rc = 0;

    for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
        char *dst = strncmp(t, "TLS_", 4) == 0 ? v13 : legacy;
        if (dst[0])
            strcat(dst, ":");
        strcat(dst, t);
    }
    if (legacy[0] && SSL_CTX_set_cipher_list(ctx, legacy) != 1)
        rc = bl_err_set(err, -EINVAL, "tls_ciphers: OpenSSL knows none of '%s'", legacy);
    if (rc == 0 && v13[0] && SSL_CTX_set_ciphersuites(ctx, v13) != 1)
        rc = bl_err_set(err, -EINVAL, "tls_ciphers: OpenSSL refuses the TLS 1.3 suites '%s'", v13);
    ERR_clear_error();
    free(legacy);
    free(v13);
    free(copy);
    return rc;
}

/* BL_ALPN_* in order -> wire format, without h2. Returns the length. */
static size_t alpn_wire(const unsigned char *alpn, uint32_t n, unsigned char *out)
{
    size_t len = 0;

    for (uint32_t i = 0; i < n; i++) {
        const char *p = alpn[i] == BL_ALPN_HTTP11   ? "http/1.1"
                        : alpn[i] == BL_ALPN_HTTP10 ? "http/1.0"
                                                    : NULL;
        if (p == NULL || memmem(out, len, p, 8) != NULL)
            continue;
        out[len++] = 8;
        memcpy(out + len, p, 8);
        len += 8;
    }
    return len;
}

static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    struct bl_tls_ctx *t = arg;
    unsigned char *o;

    (void)ssl;
    if (SSL_select_next_proto(&o, outlen, t->alpn, (unsigned)t->alpn_len, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK; /* e.g. a client offering only h2: no ALPN, HTTP/1.1 */
    *out = o;
    return SSL_TLSEXT_ERR_OK;
}

/* What every SSL_CTX of ballast has, server or client. */
static SSL_CTX *new_ctx(bool server, unsigned versions, const char *ciphers, struct bl_err *err)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

    if (ctx == NULL) {
        bl_err_set(err, -ENOMEM, "OpenSSL: %s", ossl_reason());
        return NULL;
    }
    /* Partial writes suit a non-blocking relay; idle connections give their
     * 34 KiB of record buffers back. */
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    /* A close without close_notify reads as end of stream: HTTP/1 framing
     * tells a truncated message, and most clients close that way. */
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION |
                                 (server ? SSL_OP_CIPHER_SERVER_PREFERENCE : 0));
    SSL_CTX_set_dh_auto(ctx, 1);
    /* TLS 1.3 servers send two session tickets by default; one resumes a
     * client just as well at half the work per full handshake. */
    if (server)
        SSL_CTX_set_num_tickets(ctx, 1);
    if (set_versions(ctx, versions, err) < 0 ||
        set_ciphers(ctx, ciphers ? ciphers : BL_TLS_CIPHERS_DEFAULT, err) < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int use_certkey(SSL_CTX *ctx, const char *path, struct bl_err *err)
{
    struct certkey ck;
    int rc = load_certkey(path, &ck, err);

    if (rc < 0)
        return rc;
    if (SSL_CTX_use_cert_and_key(ctx, ck.leaf, ck.key, ck.chain, 1) != 1)
        rc = bl_err_set(err, -EINVAL, "%s: OpenSSL refuses the certificate: %s", path,
                        ossl_reason());
    ERR_clear_error();
    certkey_free(&ck);
    return rc;
}

/* ---- contexts ---------------------------------------------------------------------------- */

static void ctx_free(struct bl_tls_ctx *t)
{
    SSL_CTX_free(t->ctx);
    for (uint32_t i = 0; i < t->nsni; i++)
        SSL_CTX_free(t->sni_ctx[i]);
    free(t->sni_ctx);
    for (uint32_t i = 0; i < t->nnames; i++)
        free(t->names[i].name);
    free(t->names);
    free(t);
}

void bl_tls_ctx_ref(struct bl_tls_ctx *t)
{
    atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed);
}

void bl_tls_ctx_unref(struct bl_tls_ctx *t)
{
    if (t != NULL && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
        ctx_free(t);
}

bool bl_tls_ctx_is_server(const struct bl_tls_ctx *t)
{
    return t->server;
}

/* A listener's SSL_CTX for one certificate; all of a listener's are alike. */
static SSL_CTX *server_ctx(struct bl_tls_ctx *t, const struct bl_tls_server_cfg *cfg,
                           const char *cert_file, X509_STORE *store, struct bl_err *err)
{
    static const unsigned char sid[] = "ballast";
    SSL_CTX *ctx = new_ctx(true, cfg->versions, cfg->ciphers, err);

    if (ctx == NULL)
        return NULL;
    if (use_certkey(ctx, cert_file, err) < 0) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    /* Tickets resume sessions; the per-context cache would be one more lock. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
    if (t->alpn_len)
        SSL_CTX_set_alpn_select_cb(ctx, select_alpn, t);
    if (store != NULL) {
        SSL_CTX_set1_cert_store(ctx, store);
        SSL_CTX_set_verify(
            ctx,
            SSL_VERIFY_PEER |
                (cfg->client_auth == BL_TLS_AUTH_MANDATORY ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
            NULL);
        SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(cfg->client_ca_file));
        ERR_clear_error();
    }
    return ctx;
}

/* The public builders' common frame: `build` fills a fresh context; a
 * failure frees it. `err` may be NULL; the errno is read back from it. */
static int build_ctx(bool server, const void *cfg, struct bl_tls_ctx **out, struct bl_err *err,
                     int (*build)(struct bl_tls_ctx *, const void *, struct bl_err *))
{
    struct bl_tls_ctx *t = bl_xcalloc(1, sizeof(*t));
    struct bl_err local;
    int rc;

    if (err == NULL)
        err = &local;
    err->code = 0;
    atomic_init(&t->refs, 1);
    t->server = server;
    rc = build(t, cfg, err);
    if (rc < 0) {
        ctx_free(t);
        return err->code ? err->code : rc;
    }
    *out = t;
    return 0;
}

static int build_server(struct bl_tls_ctx *t, const void *arg, struct bl_err *err)
{
    const struct bl_tls_server_cfg *cfg = arg;
    X509_STORE *store = NULL;
    int rc = 0;

    t->alpn_len = alpn_wire(cfg->alpn, cfg->nalpn, t->alpn);
    if (cfg->client_auth != BL_TLS_AUTH_NONE) {
        if (cfg->client_ca_file == NULL)
            rc = bl_err_set(err, -EINVAL, "client_authentication needs a client CA");
        else if ((store = build_store(cfg->client_ca_file, cfg->client_crl_file, err)) == NULL)
            rc = -EINVAL;
    }
    if (rc == 0 && (t->ctx = server_ctx(t, cfg, cfg->cert_file, store, err)) == NULL)
        rc = -EINVAL;
    if (rc == 0)
        rc = bl_tls_sni_build(t, cfg, store, server_ctx, err);
    X509_STORE_free(store);
    return rc;
}

static int build_client(struct bl_tls_ctx *t, const void *arg, struct bl_err *err)
{
    const struct bl_tls_client_cfg *cfg = arg;
    X509_STORE *store;

    t->ctx = new_ctx(false, cfg->versions, cfg->ciphers, err);
    if (t->ctx == NULL)
        return -EINVAL;
    if (cfg->ca_file) {
        if ((store = build_store(cfg->ca_file, cfg->crl_file, err)) == NULL)
            return -EINVAL;
        SSL_CTX_set1_cert_store(t->ctx, store);
        X509_STORE_free(store); /* the SSL_CTX holds its own reference */
        SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
        t->verify = true;
    }
    if (cfg->cert_file && use_certkey(t->ctx, cfg->cert_file, err) < 0)
        return -EINVAL;
    t->alpn_len = alpn_wire(cfg->alpn, cfg->nalpn, t->alpn);
    if (t->alpn_len && SSL_CTX_set_alpn_protos(t->ctx, t->alpn, (unsigned)t->alpn_len) != 0)
        return bl_err_set(err, -EINVAL, "alpn_protocols: OpenSSL refuses them");
    return 0;
}

int bl_tls_server_new(const struct bl_tls_server_cfg *cfg, struct bl_tls_ctx **out,
                      struct bl_err *err)
{
    return build_ctx(true, cfg, out, err, build_server);
}

int bl_tls_client_new(const struct bl_tls_client_cfg *cfg, struct bl_tls_ctx **out,
                      struct bl_err *err)
{
    return build_ctx(false, cfg, out, err, build_client);
}

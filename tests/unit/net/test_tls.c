/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for src/net/tls*.c: real handshakes between ballast's own
 * server and client contexts over non-blocking socketpairs, with the
 * certificate set of tests/integration/tlsutil.py (made once in a temp dir
 * with the `openssl` command).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/tls.h"
#include "tap.h"

static char dir[64];

static const char *f(const char *name)
{
    static char bufs[8][160];
    static int n;
    char *b = bufs[n++ % 8];
    snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
    return b;
}

static int make_certs(void)
{
    char cmd[512], script[256];
    const char *src = __FILE__; /* tests/unit/net/test_tls.c, relative to the repository */
    const char *cut = strstr(src, "tests/unit/");

    snprintf(dir, sizeof(dir), "/tmp/bl-tls-XXXXXX");
    if (mkdtemp(dir) == NULL || cut == NULL)
        return -1;
    snprintf(script, sizeof(script), "%.*stests/integration/tlsutil.py", (int)(cut - src), src);
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s", script, dir);
    return system(cmd) == 0 ? 0 : -1;
}

struct pair {
    int fds[2];
    struct bl_tls_conn *srv, *cli;
    int src, ccl; /* handshake results: 0, or the first error */
};

static void pair_open(struct pair *p, struct bl_tls_ctx *s, struct bl_tls_ctx *c, const char *sni)
{
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fds);
    p->srv = bl_tls_conn_new(s, p->fds[0], NULL);
    p->cli = bl_tls_conn_new(c, p->fds[1], sni);
    p->src = p->ccl = -EAGAIN;
}

static void pair_close(struct pair *p)
{
    bl_tls_conn_free(p->srv);
    bl_tls_conn_free(p->cli);
    close(p->fds[0]);
    close(p->fds[1]);
}

/* Steps both ends until neither can move; bounded. Returns 0 when both finished. */
static int handshake(struct pair *p)
{
    for (int i = 0; i < 200 && (p->src == -EAGAIN || p->ccl == -EAGAIN); i++) {
        if (p->ccl == -EAGAIN)
            p->ccl = bl_tls_handshake(p->cli);
        if (p->src == -EAGAIN)
            p->src = bl_tls_handshake(p->srv);
        if (p->src < 0 && p->src != -EAGAIN)
            break; /* the server said no: the client may wait forever */
    }
    if (p->src == 0 && p->ccl == 0) {
        /* TLS 1.3: a client certificate is judged after the client finished;
         * the server's verdict reaches the client with its first read. */
        char b[1];
        ssize_t n = bl_tls_read(p->cli, b, 0);
        (void)n;
    }
    return p->src == 0 && p->ccl == 0 ? 0 : -1;
}

static struct bl_tls_ctx *server(const struct bl_tls_server_cfg *cfg)
{
    struct bl_err err = {0};
    struct bl_tls_ctx *t = NULL;

    if (bl_tls_server_new(cfg, &t, &err) < 0)
        diag("server context: %s", err.msg);
    return t;
}

static struct bl_tls_ctx *client(const struct bl_tls_client_cfg *cfg)
{
    struct bl_err err = {0};
    struct bl_tls_ctx *t = NULL;

    if (bl_tls_client_new(cfg, &t, &err) < 0)
        diag("client context: %s", err.msg);
    return t;
}

static const char *peer_cn(struct bl_tls_conn *c)
{
    static char cn[128];
    if (bl_tls_peer_dn_field(c, "CN", cn, sizeof(cn)) < 0)
        return "(none)";
    return cn;
}

static void test_load_errors(void)
{
    struct bl_tls_server_cfg cfg = {.cert_file = f("nothere.pem")};
    struct bl_err err = {0};
    struct bl_tls_ctx *t = NULL;
    char cmd[512];

    is_int(bl_tls_server_new(&cfg, &t, &err), -ENOENT, "a missing file is -ENOENT");
    ok(strstr(err.msg, "nothere.pem") != NULL, "the message names the file: %s", err.msg);
    cfg.cert_file = f("default.crt");
    ok(bl_tls_server_new(&cfg, &t, &err) < 0 && strstr(err.msg, "no private key"),
       "a certificate without key is refused: %s", err.msg);
    snprintf(cmd, sizeof(cmd), "cat %s %s > %s", f("default.crt"), f("sni_a.key"), f("mix.pem"));
    system(cmd);
    cfg.cert_file = f("mix.pem");
    ok(bl_tls_server_new(&cfg, &t, &err) < 0 && strstr(err.msg, "does not match"),
       "a key of another certificate is refused: %s", err.msg);
    cfg.cert_file = f("default.key");
    ok(bl_tls_server_new(&cfg, &t, &err) < 0 && strstr(err.msg, "no certificate"),
       "a key alone is refused: %s", err.msg);
    snprintf(cmd, sizeof(cmd),
             "openssl pkey -in %s -aes256 -passout pass:x -out %s && cat %s >> %s",
             f("default.key"), f("enc.pem"), f("default.crt"), f("enc.pem"));
    system(cmd);
    cfg.cert_file = f("enc.pem");
    ok(bl_tls_server_new(&cfg, &t, &err) < 0 && strstr(err.msg, "encrypted"),
       "an encrypted key is refused without prompting: %s", err.msg);
    cfg.cert_file = f("default.pem");
    cfg.ciphers = "NOT-A-CIPHER";
    ok(bl_tls_server_new(&cfg, &t, &err) < 0 && strstr(err.msg, "tls_ciphers"),
       "an unknown cipher string is refused: %s", err.msg);
    cfg.ciphers = NULL;
    cfg.client_auth = BL_TLS_AUTH_MANDATORY;
    cfg.client_ca_file = f("default.key");
    ok(bl_tls_server_new(&cfg, &t, &err) < 0 && strstr(err.msg, "no CA certificate"),
       "a CA file without certificates is refused: %s", err.msg);
    cfg.client_ca_file = f("ca.crt");
    cfg.client_crl_file = f("ca.crt");
    ok(bl_tls_server_new(&cfg, &t, &err) < 0 && strstr(err.msg, "revocation list"),
       "a CRL file without CRL is refused: %s", err.msg);
    cfg = (struct bl_tls_server_cfg){.cert_file = f("expired.pem")};
    ok(bl_tls_server_new(&cfg, &t, &err) == 0, "an expired certificate loads (with a warning)");
    bl_tls_ctx_unref(t);
}

static void test_sni(void)
{
    const char *snis[] = {f("sni_a.pem"), f("sni_wild.pem")};
    struct bl_tls_server_cfg scfg = {.cert_file = f("default.pem"), .sni_files = snis, .nsni = 2};
    struct bl_tls_client_cfg ccfg = {.ca_file = f("ca.crt")};
    struct bl_tls_client_cfg nvcfg = {0};
    struct bl_tls_ctx *s = server(&scfg), *c = client(&ccfg), *nv = client(&nvcfg);
    static const struct {
        const char *sni, *cn;
    } cases[] = {
        {"www.example.com", "www.example.com"},
        {"a.example.com", "a.example.com"},
        {"ALT.Example.COM", "a.example.com"}, /* a SAN, any case */
        {"x.wild.example.com", "*.wild.example.com"},
        {"wild.example.com", "www.example.com"},     /* the wildcard needs a label */
        {"y.x.wild.example.com", "www.example.com"}, /* one label only */
        {"unknown.org", "www.example.com"},
    };

    ok(s && c && nv, "contexts with two SNI certificates build");
    /* A client that does not verify, so any SNI name can be sent. */
    for (size_t i = 0; s && nv && i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pair p;
        pair_open(&p, s, nv, cases[i].sni);
        ok(handshake(&p) == 0, "handshake with SNI %s", cases[i].sni);
        is_str(peer_cn(p.cli), cases[i].cn, cases[i].sni);
        pair_close(&p);
    }
    if (s && c) {
        struct pair p;
        pair_open(&p, s, c, NULL);
        ok(handshake(&p) == 0, "no SNI: handshake");
        is_str(peer_cn(p.cli), "www.example.com", "no SNI: the default certificate");
        ok(bl_tls_server_name(p.srv) == NULL, "no SNI: no server name");
        pair_close(&p);
        pair_open(&p, s, c, "x.wild.example.com");
        ok(handshake(&p) == 0, "a verifying client accepts the wildcard for its name");
        is_str(bl_tls_server_name(p.srv), "x.wild.example.com", "the server saw the SNI");
        pair_close(&p);
        pair_open(&p, s, c, "nomatch.example.com");
        ok(handshake(&p) < 0, "a verifying client refuses a certificate for another name");
        ok(strstr(bl_tls_error(p.cli), "hostname") != NULL, "why: %s", bl_tls_error(p.cli));
        pair_close(&p);
    }
    bl_tls_ctx_unref(s);
    bl_tls_ctx_unref(c);
    bl_tls_ctx_unref(nv);
}

/* Server with client_authentication `auth` (CRL given); client presenting `cert`. */
static int mtls(enum bl_tls_auth auth, const char *cert, struct pair *p, struct bl_tls_ctx **ctxs)
{
    struct bl_tls_server_cfg scfg = {.cert_file = f("default.pem"),
                                     .client_auth = auth,
                                     .client_ca_file = f("ca.crt"),
                                     .client_crl_file = f("crl.pem")};
    struct bl_tls_client_cfg ccfg = {.ca_file = f("ca.crt"), .cert_file = cert};

    ctxs[0] = server(&scfg);
    ctxs[1] = client(&ccfg);
    if (!ctxs[0] || !ctxs[1])
        return -2;
    pair_open(p, ctxs[0], ctxs[1], "www.example.com");
    return handshake(p);
}

static void mtls_done(struct pair *p, struct bl_tls_ctx **ctxs)
{
    pair_close(p);
    bl_tls_ctx_unref(ctxs[0]);
    bl_tls_ctx_unref(ctxs[1]);
}

static char *fingerprint(const char *crt)
{
    static char out[128];
    char cmd[256], *eq, *w = out;
    FILE *pf;

    snprintf(cmd, sizeof(cmd), "openssl x509 -noout -fingerprint -sha1 -in %s", crt);
    pf = popen(cmd, "r");
    out[0] = '\0';
    if (pf == NULL || fgets(out, sizeof(out), pf) == NULL)
        out[0] = '\0';
    if (pf)
        pclose(pf);
    eq = strchr(out, '=');
    for (char *r = eq ? eq + 1 : out; *r && *r != '\n'; r++) {
        if (*r != ':')
            *w++ = *r;
    }
    *w = '\0';
    return out;
}

static void test_client_auth(void)
{
    struct bl_tls_ctx *ctxs[2];
    struct pair p;
    char hdr[2048], want[1024], field[64];

    ok(mtls(BL_TLS_AUTH_MANDATORY, NULL, &p, ctxs) < 0, "MANDATORY: no certificate, no handshake");
    ok(strstr(bl_tls_error(p.srv), "certificate") != NULL, "why: %s", bl_tls_error(p.srv));
    mtls_done(&p, ctxs);
    ok(mtls(BL_TLS_AUTH_MANDATORY, f("client.pem"), &p, ctxs) == 0, "MANDATORY: a good one");
    ok(bl_tls_peer_cert(p.srv) != NULL, "the server has the client's certificate");
    mtls_done(&p, ctxs);
    ok(mtls(BL_TLS_AUTH_MANDATORY, f("revoked.pem"), &p, ctxs) < 0,
       "the CRL refuses a revoked one");
    ok(strstr(bl_tls_error(p.srv), "revoked") != NULL, "why: %s", bl_tls_error(p.srv));
    mtls_done(&p, ctxs);
    ok(mtls(BL_TLS_AUTH_OPTIONAL, f("other_client.pem"), &p, ctxs) < 0,
       "OPTIONAL: a certificate of an unknown CA is refused (as HAProxy's verify optional)");
    mtls_done(&p, ctxs);

    ok(mtls(BL_TLS_AUTH_OPTIONAL, NULL, &p, ctxs) == 0, "OPTIONAL: no certificate is fine");
    is_int(bl_tls_client_headers(p.srv, ~0u, hdr, sizeof(hdr)) > 0, 1, "headers written");
    is_str(hdr,
           "X-SSL-Client-Verify: 0\r\nX-SSL-Client-Has-Cert: 0\r\nX-SSL-Client-DN: \r\n"
           "X-SSL-Client-CN: \r\nX-SSL-Issuer: \r\nX-SSL-Client-SHA1: \r\n"
           "X-SSL-Client-Not-Before: \r\nX-SSL-Client-Not-After: \r\n",
           "headers without a client certificate (as HAProxy sends them)");
    is_int(bl_tls_peer_dn_field(p.srv, "CN", field, sizeof(field)), -ENOENT, "no DN field");
    mtls_done(&p, ctxs);

    ok(mtls(BL_TLS_AUTH_OPTIONAL, f("client.pem"), &p, ctxs) == 0, "OPTIONAL: with a certificate");
    bl_tls_client_headers(p.srv,
                          BL_TLS_H_VERIFY | BL_TLS_H_HAS_CERT | BL_TLS_H_DN | BL_TLS_H_CN |
                              BL_TLS_H_ISSUER | BL_TLS_H_SHA1 | (1u << 0),
                          hdr, sizeof(hdr));
    snprintf(want, sizeof(want),
             "X-SSL-Client-Verify: 0\r\nX-SSL-Client-Has-Cert: 1\r\n"
             "X-SSL-Client-DN: /O=ballast/OU=tests/CN=client-ok\r\nX-SSL-Client-CN: client-ok\r\n"
             "X-SSL-Issuer: /O=ballast/CN=ballast test CA\r\nX-SSL-Client-SHA1: %s\r\n",
             fingerprint(f("client.crt")));
    is_str(hdr, want, "headers of a client certificate, bits outside X-SSL-* ignored");
    bl_tls_client_headers(p.srv, BL_TLS_H_NOT_BEFORE | BL_TLS_H_NOT_AFTER, hdr, sizeof(hdr));
    ok(strncmp(hdr, "X-SSL-Client-Not-Before: ", 25) == 0 && hdr[25 + 12] == 'Z' &&
           strstr(hdr, "\r\nX-SSL-Client-Not-After: ") == hdr + 25 + 13,
       "dates as YYMMDDhhmmssZ");
    is_int(bl_tls_client_headers(p.srv, ~0u, hdr, 40), -ENOSPC, "too small a buffer: -ENOSPC");
    is_int(bl_tls_peer_dn_field(p.srv, "OU", field, sizeof(field)), 5, "SSL_DN_FIELD OU");
    is_str(field, "tests", "OU value");
    is_int(bl_tls_peer_dn_field(p.srv, "L", field, sizeof(field)), -ENOENT, "absent field");
    is_int(bl_tls_verify_result(p.srv), 0, "verify result 0");
    mtls_done(&p, ctxs);
}

static void test_versions_alpn(void)
{
    const unsigned char alpn_srv[] = {BL_ALPN_H2, BL_ALPN_HTTP11, BL_ALPN_HTTP10};
    const unsigned char alpn_h2[] = {BL_ALPN_H2}, alpn_10[] = {BL_ALPN_HTTP10, BL_ALPN_HTTP11};
    struct bl_tls_server_cfg scfg = {.cert_file = f("default.pem"), .alpn = alpn_srv, .nalpn = 3};
    struct bl_tls_client_cfg ccfg = {0};
    struct bl_tls_ctx *s, *c;
    struct pair p;

    scfg.versions = BL_TLS_V1_2;
    s = server(&scfg);
    c = client(&ccfg);
    pair_open(&p, s, c, NULL);
    ok(handshake(&p) == 0, "TLSv1.2-only listener: handshake");
    is_str(bl_tls_version(p.srv), "TLSv1.2", "TLSv1.2 negotiated");
    is_str(bl_tls_alpn(p.srv), "", "no ALPN offered: none chosen");
    pair_close(&p);
    bl_tls_ctx_unref(c);
    ccfg.versions = BL_TLS_V1_3;
    c = client(&ccfg);
    pair_open(&p, s, c, NULL);
    ok(handshake(&p) < 0, "a TLSv1.3-only client cannot talk to a TLSv1.2-only listener");
    pair_close(&p);
    bl_tls_ctx_unref(s);
    bl_tls_ctx_unref(c);

    scfg.versions = 0; /* Octavia's default: TLSv1.2 + TLSv1.3 */
    s = server(&scfg);
    ccfg = (struct bl_tls_client_cfg){.alpn = alpn_10, .nalpn = 2};
    c = client(&ccfg);
    pair_open(&p, s, c, NULL);
    ok(handshake(&p) == 0, "default versions: handshake");
    is_str(bl_tls_version(p.cli), "TLSv1.3", "TLSv1.3 by default");
    is_str(bl_tls_alpn(p.cli), "http/1.1", "the listener's preference among HTTP/1 protocols");
    pair_close(&p);
    bl_tls_ctx_unref(c);
    bl_tls_ctx_unref(s);
    scfg.alpn = alpn_h2; /* h2 alone: ballast has nothing to negotiate */
    scfg.nalpn = 1;
    s = server(&scfg);
    c = client(&ccfg);
    pair_open(&p, s, c, NULL);
    ok(handshake(&p) == 0, "listener with h2 only: handshake still fine");
    is_str(bl_tls_alpn(p.srv), "", "h2 is never negotiated");
    pair_close(&p);
    bl_tls_ctx_unref(c);
    bl_tls_ctx_unref(s);
}

/* Moves `len` bytes from `w` to `r` with the non-blocking calls; bounded. */
static size_t transfer(struct bl_tls_conn *w, struct bl_tls_conn *r, const unsigned char *data,
                       size_t len, unsigned char *got, int *eagains)
{
    size_t sent = 0, recvd = 0;

    for (int i = 0; i < 100000 && recvd < len; i++) {
        while (sent < len) { /* until the socket is full */
            ssize_t n = bl_tls_write(w, data + sent, len - sent);
            if (n > 0) {
                sent += (size_t)n;
                continue;
            }
            if (n == -EAGAIN && bl_tls_wants(w) == EPOLLOUT)
                ++*eagains;
            else if (n != -EAGAIN)
                return recvd;
            break;
        }
        for (;;) {
            ssize_t n = bl_tls_read(r, got + recvd, len - recvd);
            if (n <= 0)
                break;
            recvd += (size_t)n;
            if (bl_tls_pending(r) == 0)
                break;
        }
    }
    return recvd;
}

static void test_data(void)
{
    struct bl_tls_server_cfg scfg = {.cert_file = f("default.pem")};
    struct bl_tls_client_cfg ccfg = {.ca_file = f("ca.crt")};
    struct bl_tls_ctx *s = server(&scfg), *c = client(&ccfg);
    size_t len = 1 << 20;
    unsigned char *data = malloc(len), *got = calloc(1, len), b[16];
    struct iovec iov[2] = {{(void *)"head:", 5}, {(void *)"body", 4}};
    int eagains = 0;
    struct pair p;

    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 7 + (i >> 9));
    pair_open(&p, s, c, "www.example.com");
    bl_tls_ctx_unref(s); /* the connections hold the contexts alive */
    bl_tls_ctx_unref(c);
    is_int(bl_tls_read(p.srv, b, sizeof(b)), -EAGAIN, "a read before the handshake waits");
    is_int(bl_tls_wants(p.srv), EPOLLIN, "... for EPOLLIN");
    ok(handshake(&p) == 0, "handshake (contexts only held by the connections)");
    ok(bl_tls_handshake_done(p.srv) && bl_tls_handshake_done(p.cli), "both done");
    is_int(transfer(p.cli, p.srv, data, len, got, &eagains), len, "1 MiB client -> server");
    ok(memcmp(data, got, len) == 0, "bytes intact");
    ok(eagains > 0, "the socket buffer filled: -EAGAIN waiting for EPOLLOUT (%d)", eagains);
    memset(got, 0, len);
    is_int(transfer(p.srv, p.cli, data, len, got, &eagains), len, "1 MiB server -> client");
    ok(memcmp(data, got, len) == 0, "bytes intact");
    is_int(bl_tls_writev(p.srv, iov, 2), 9, "writev writes both vectors");
    memset(b, 0, sizeof(b));
    {
        ssize_t n = bl_tls_read(p.cli, b, 3);
        ok(n == 3 && bl_tls_pending(p.cli) > 0, "a short read leaves bytes epoll cannot see");
        n = bl_tls_read(p.cli, b + 3, sizeof(b) - 3);
        ok(n > 0, "read them");
    }
    is_int(bl_tls_shutdown(p.srv), 0, "close_notify sent");
    {
        ssize_t n;
        for (int i = 0; i < 4 && (n = bl_tls_read(p.cli, b, sizeof(b))) > 0; i++)
            ;
        is_int(n, 0, "the client reads the end of stream");
    }
    pair_close(&p);
    free(data);
    free(got);
}

static void test_close_without_notify(void)
{
    struct bl_tls_server_cfg scfg = {.cert_file = f("default.pem")};
    struct bl_tls_client_cfg ccfg = {0};
    struct bl_tls_ctx *s = server(&scfg), *c = client(&ccfg);
    struct pair p;
    char b[8];

    pair_open(&p, s, c, NULL);
    ok(handshake(&p) == 0, "handshake");
    shutdown(p.fds[1], SHUT_WR);
    is_int(bl_tls_read(p.srv, b, sizeof(b)), 0, "a close without close_notify reads as EOF");
    pair_close(&p);
    bl_tls_ctx_unref(s);
    bl_tls_ctx_unref(c);
}

int main(void)
{
    if (!ok(make_certs() == 0, "certificate set made in %s", dir))
        return done_testing();
    test_load_errors();
    test_sni();
    test_client_auth();
    test_versions_alpn();
    test_data();
    test_close_without_notify();
    {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        system(cmd);
    }
    return done_testing();
}

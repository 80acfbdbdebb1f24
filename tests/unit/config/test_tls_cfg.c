/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the TLS part of the configuration: src/config/parse_tls.c
 * (Octavia's rules and messages), src/config/certs.c (refs to files) and the
 * TLS contexts a snapshot builds from real certificates (made with
 * tests/integration/tlsutil.py).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/certs.h"
#include "config/parse.h"
#include "config/registry.h"
#include "config/snapshot.h"
#include "tap.h"

static char dir[64];

/* One load balancer with one listener (`listener` fields) and, if `pool` is
 * not NULL, a default pool with those extra fields. */
static char *doc(const char *listener, const char *pool, int port)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"loadbalancer\": {\"vip_address\": \"127.0.0.1\", \"listeners\": [{"
             "\"protocol_port\": %d, %s%s%s%s%s}]}}",
             port, listener,
             pool ? ", \"default_pool\": {\"protocol\": \"HTTP\", "
                    "\"lb_algorithm\": \"ROUND_ROBIN\""
                  : "",
             pool && pool[0] ? ", " : "", pool ? pool : "", pool ? "}" : "");
    return buf;
}

static void expect_error(const char *json, const char *msg)
{
    struct bl_err err = {0};
    struct bl_cfg *cfg = NULL;

    is_int(bl_cfg_parse(json, strlen(json), &cfg, &err), -EINVAL, "refused");
    is_str(err.msg, msg, "message");
}

#define TH "\"protocol\": \"TERMINATED_HTTPS\""

static void test_parse(void)
{
    struct bl_err err = {0};
    struct bl_cfg *cfg = NULL;
    const char *j;

    expect_error(doc(TH, NULL, 443),
                 "loadbalancer.listeners[0].default_tls_container_ref: An SNI or default "
                 "certificate container reference must be provided for TERMINATED_HTTPS protocol "
                 "listeners.");
    expect_error(doc("\"protocol\": \"HTTP\", \"default_tls_container_ref\": \"a\"", NULL, 80),
                 "loadbalancer.listeners[0].default_tls_container_ref: Certificate container "
                 "references are not allowed on HTTP protocol listeners.");
    expect_error(doc(TH ", \"default_tls_container_ref\": \"a\", \"client_authentication\": "
                        "\"MANDATORY\"",
                     NULL, 443),
                 "loadbalancer.listeners[0].client_authentication: Client authentication setting "
                 "MANDATORY requires a client CA container reference.");
    expect_error(doc(TH ", \"default_tls_container_ref\": \"a\", \"client_authentication\": "
                        "\"SOMETIMES\"",
                     NULL, 443),
                 "loadbalancer.listeners[0].client_authentication: must be one of NONE, "
                 "OPTIONAL, MANDATORY");
    expect_error(doc(TH ", \"default_tls_container_ref\": \"a\", \"client_crl_container_ref\": "
                        "\"crl\"",
                     NULL, 443),
                 "loadbalancer.listeners[0].client_crl_container_ref: A client authentication CA "
                 "reference is required to specify a client authentication revocation list.");
    expect_error(doc(TH ", \"default_tls_container_ref\": \"a\", \"tls_versions\": []", NULL, 443),
                 "loadbalancer.listeners[0].tls_versions: Empty TLS version list. Either specify "
                 "at least one TLS version or remove this parameter to use the default.");
    expect_error(
        doc(TH ", \"default_tls_container_ref\": \"a\", \"tls_versions\": [\"TLSv9\"]", NULL, 443),
        "loadbalancer.listeners[0].tls_versions: Invalid TLS versions: TLSv9 (known: "
        "SSLv3, TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)");
    expect_error(
        doc(TH ", \"default_tls_container_ref\": \"a\", \"alpn_protocols\": [\"h3\"]", NULL, 443),
        "loadbalancer.listeners[0].alpn_protocols: Invalid ALPN protocol: h3 (known: "
        "http/1.1, h2, http/1.0)");
    expect_error(
        doc(TH ", \"default_tls_container_ref\": \"a\", \"tls_ciphers\": \"A B\"", NULL, 443),
        "loadbalancer.listeners[0].tls_ciphers: Invalid characters in cipher string. "
        "Only alphanumeric, -, +, !, :, @, =, _, and . are allowed.");
    expect_error(doc("\"protocol\": \"HTTP\"", "\"crl_container_ref\": \"c\"", 80),
                 "loadbalancer.listeners[0].default_pool.crl_container_ref: A CA certificate "
                 "reference is required to specify a revocation list.");

    j = doc(
        TH
        ", \"sni_container_refs\": [\"s1\", \"s2\"], \"tls_versions\": [\"TLSv1.3\"], "
        "\"alpn_protocols\": [\"h2\", \"http/1.0\"], \"client_authentication\": \"OPTIONAL\", "
        "\"client_ca_tls_container_ref\": \"ca\", \"tls_ciphers\": \"ECDHE-RSA-AES128-GCM-SHA256\"",
        "\"tls_enabled\": true, \"ca_tls_container_ref\": \"ca\"", 443);
    if (ok(bl_cfg_parse(j, strlen(j), &cfg, &err) == 0, "a full TLS listener parses")) {
        const struct bl_cfg_listener *l = &cfg->lbs[0].listeners[0];
        const struct bl_cfg_pool *p = &cfg->lbs[0].pools[0];
        is_str(l->tls.cert_ref, "s1", "no default: the first SNI certificate is the default");
        is_int(l->tls.nsni, 2, "two SNI refs");
        is_int(l->tls.versions, BL_TLS_V1_3, "tls_versions");
        ok(l->tls.nalpn == 2 && l->tls.alpn[0] == BL_ALPN_H2 && l->tls.alpn[1] == BL_ALPN_HTTP10,
           "alpn_protocols in order");
        is_int(l->tls.client_auth, BL_TLS_AUTH_OPTIONAL, "client_authentication");
        is_str(l->tls.ciphers, "ECDHE-RSA-AES128-GCM-SHA256", "tls_ciphers");
        is_str(l->tls.where, "loadbalancer.listeners[0]", "where, for errors");
        ok(p->tls_enabled && p->tls.ca_ref && p->tls.cert_ref == NULL, "pool TLS fields");
        is_int(p->tls.versions, BL_TLS_VERSIONS_DEFAULT, "pool versions default 1.2 + 1.3");
        is_int(p->tls.nalpn, 3, "pool ALPN defaults to Octavia's h2, http/1.1, http/1.0");
        bl_cfg_free(cfg);
    } else {
        diag("%s", err.msg);
    }
}

static void test_paths(void)
{
    struct bl_cfg cfg = {.certs_dir = "/c", .files_dir = "/etc/lb"};
    char out[256];
    const char *why = NULL;

    bl_certs_path(&cfg, "web", out, sizeof(out), &why);
    is_str(out, "/c/web.pem", "an id names <certs>/<id>.pem");
    bl_certs_path(&cfg, "https://barbican.example/v1/containers/1a2b-3c/", out, sizeof(out), &why);
    is_str(out, "/c/1a2b-3c.pem", "a URL: its last segment is the id");
    bl_certs_path(&cfg, "http://h/v1/secrets/abc?x=1", out, sizeof(out), &why);
    is_str(out, "/c/abc.pem", "query ignored");
    bl_certs_path(&cfg, "certs/web.pem", out, sizeof(out), &why);
    is_str(out, "/etc/lb/certs/web.pem", "a relative path: from the config file's directory");
    bl_certs_path(&cfg, "file:///srv/x.pem", out, sizeof(out), &why);
    is_str(out, "/srv/x.pem", "a file:// URL");
    bl_certs_path(&cfg, "web.pem", out, sizeof(out), &why);
    is_str(out, "/etc/lb/web.pem", "a name ending in .pem is a file");
    is_int(bl_certs_path(&cfg, "../x", out, sizeof(out), &why), 0, "paths may go up in file mode");
    is_int(bl_certs_path(&cfg, "a b", out, sizeof(out), &why), -EINVAL, "not an id");
    ok(why && strstr(why, "neither"), "why: %s", why);
    is_int(bl_certs_path(&cfg, "https://h/v1/..", out, sizeof(out), &why), -EINVAL,
           "'..' is no id");
    is_int(bl_certs_path(&cfg, "https://host", out, sizeof(out), &why), -EINVAL, "no path");
    cfg.files_dir = NULL; /* API mode */
    is_int(bl_certs_path(&cfg, "/etc/shadow", out, sizeof(out), &why), -EINVAL,
           "API mode: no file paths");
    ok(why && strstr(why, "file mode only"), "why: %s", why);
    is_int(bl_certs_path(&cfg, "web", out, sizeof(out), &why), 0, "API mode: ids");
}

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    bind(fd, (struct sockaddr *)&a, sizeof(a));
    getsockname(fd, (struct sockaddr *)&a, &n);
    port = ntohs(a.sin_port);
    close(fd);
    return port;
}

/* Parses `json` as if read from <dir>/lb.json and builds a snapshot. */
static int build(const char *json, struct bl_snapshot **s, struct bl_err *err)
{
    struct bl_cfg *cfg;
    char path[128];
    int rc = bl_cfg_parse(json, strlen(json), &cfg, err);

    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "%s/lb.json", dir);
    bl_cfg_set_file_dirs(cfg, path);
    return bl_snapshot_build(cfg, 1, 1, s, err, NULL);
}

static void test_snapshot(void)
{
    struct bl_err err = {0};
    struct bl_snapshot *s = NULL;
    char l[512];
    int port = free_port();

    snprintf(l, sizeof(l),
             TH ", \"default_tls_container_ref\": \"default\", \"sni_container_refs\": "
                "[\"sni_a.pem\"], \"client_authentication\": \"OPTIONAL\", "
                "\"client_ca_tls_container_ref\": \"file://ca.crt\", "
                "\"client_crl_container_ref\": \"%s/crl.pem\"",
             dir);
    if (ok(build(doc(l,
                     "\"tls_enabled\": true, \"ca_tls_container_ref\": \"ca.crt\", "
                     "\"tls_container_ref\": \"client\"",
                     port),
                 &s, &err) == 0,
           "snapshot with a TLS listener and a TLS pool builds")) {
        ok(s->listeners[0].tls && bl_tls_ctx_is_server(s->listeners[0].tls), "listener context");
        ok(s->pools[0].tls_client && !bl_tls_ctx_is_server(s->pools[0].tls_client),
           "pool client context");
        bl_snapshot_unref(s);
    } else {
        diag("%s", err.msg);
    }
    ok(build(doc(TH ", \"default_tls_container_ref\": \"nothere\"", NULL, port), &s, &err) < 0,
       "a missing certificate fails the build");
    ok(strstr(err.msg, "loadbalancer.listeners[0].default_tls_container_ref: 'nothere': ") &&
           strstr(err.msg, "nothere.pem: No such file"),
       "naming the field, the ref and the file: %s", err.msg);
    ok(build(doc(TH ", \"default_tls_container_ref\": \"default\", \"sni_container_refs\": "
                    "[\"ca.crt\"]",
                 NULL, port),
             &s, &err) < 0 &&
           strstr(err.msg, ".sni_container_refs[0]: 'ca.crt': ") &&
           strstr(err.msg, "no private key"),
       "an SNI file without key: %s", err.msg);
    ok(build(doc("\"protocol\": \"HTTP\"",
                 "\"tls_enabled\": true, \"crl_container_ref\": \"crl.pem\", "
                 "\"ca_tls_container_ref\": \"default.key\"",
                 port),
             &s, &err) < 0 &&
           strstr(err.msg, "default_pool.ca_tls_container_ref: 'default.key': "),
       "a pool CA file without certificates: %s", err.msg);
    ok(build(doc(TH ", \"default_tls_container_ref\": \"default\", \"tls_ciphers\": \"NOPE\"", NULL,
                 port),
             &s, &err) < 0 &&
           strncmp(err.msg, "loadbalancer.listeners[0].tls_ciphers: ", 39) == 0,
       "a cipher string OpenSSL does not know: %s", err.msg);
    is_int(bl_registry_count(), 0, "nothing left in the registry");
}

int main(void)
{
    char cmd[512];
    const char *src = __FILE__, *cut = strstr(src, "tests/unit/");

    test_parse();
    test_paths();
    snprintf(dir, sizeof(dir), "/tmp/bl-tlscfg-XXXXXX");
    if (mkdtemp(dir) == NULL || cut == NULL)
        return done_testing();
    snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %.*stests/integration/tlsutil.py %s",
             (int)(cut - src), src, dir);
    if (ok(system(cmd) == 0, "certificate set made"))
        test_snapshot();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    system(cmd);
    return done_testing();
}

/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/proxy/l7.c (and the snapshot's L7 part it runs on):
 * every rule type with every compare type it accepts, invert, the order of
 * evaluation (deny, then redirects, then pools, by position), disabled rules,
 * policies and pools, regexes, and the TLS fields with a client certificate
 * made here with OpenSSL. Requests go through the real HTTP/1 parser. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse.h"
#include "config/snapshot.h"
#include "http/http1.h"
#include "proxy/l7.h"
#include "tap.h"

/* One parsed configuration + the listener's snapshot part. */
struct fixture {
    struct bl_cfg *cfg;
    struct bl_snap_pool pools[8];
    struct bl_snap_listener sl;
};

static bool setup(struct fixture *f, const char *policies)
{
    char json[8192];
    struct bl_err err = {0};
    const struct bl_cfg_lb *lb;

    snprintf(json, sizeof(json),
             "{\"loadbalancer\": {\"vip_address\": \"127.0.0.1\", \"pools\": ["
             "{\"name\": \"def\", \"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"},"
             "{\"name\": \"a\", \"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"},"
             "{\"name\": \"b\", \"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\"},"
             "{\"name\": \"off\", \"protocol\": \"HTTP\", \"lb_algorithm\": \"ROUND_ROBIN\","
             " \"admin_state_up\": false}],"
             " \"listeners\": [{\"protocol\": \"HTTP\", \"protocol_port\": 80,"
             "  \"default_pool\": {\"name\": \"def\"}, \"l7policies\": [%s]}]}}",
             policies);
    memset(f, 0, sizeof(*f));
    if (bl_cfg_parse(json, strlen(json), &f->cfg, &err) < 0) {
        diag("parse: %s", err.msg);
        return false;
    }
    lb = &f->cfg->lbs[0];
    for (uint32_t i = 0; i < lb->npools; i++)
        f->pools[i].cfg = &lb->pools[i];
    f->sl.cfg = &lb->listeners[0];
    f->sl.lb = lb;
    f->sl.pool = &f->pools[0];
    if (bl_snap_l7_build(&f->sl, f->pools, "loadbalancer.listeners[0]", &err) < 0) {
        diag("build: %s", err.msg);
        bl_cfg_free(f->cfg);
        return false;
    }
    return true;
}

static void teardown(struct fixture *f)
{
    bl_snap_l7_free(&f->sl);
    bl_cfg_free(f->cfg);
}

struct tls {
    bool on;
    const X509 *cert;
    long verify;
};

/* Evaluates `raw` (a request head) against `policies`; returns the verdict. */
static struct bl_l7_verdict eval(const char *policies, const char *raw, struct tls tls, char *where,
                                 size_t cap)
{
    struct fixture f;
    struct bl_http_header h[32];
    struct bl_http_req req = {.headers = h, .headers_cap = 32};
    struct bl_l7_input in = {&req, tls.cert, tls.on, tls.verify};
    struct bl_l7_verdict v = {.action = -1};
    enum bl_http_reason why;

    if (where)
        where[0] = '\0';
    if (!setup(&f, policies))
        return v;
    if (bl_http1_parse_request(raw, strlen(raw), 0, NULL, &req, &why) <= 0) {
        diag("request refused: %s", bl_http_reason_name(why));
    } else {
        bl_l7_eval(&f.sl, &in, &v);
        if (v.pool && where)
            snprintf(where, cap, "%s", v.pool->cfg->name);
        if (where && (v.action == BL_L7_REDIRECT_URL || v.action == BL_L7_REDIRECT_PREFIX))
            bl_l7_location(&v, &req, where, cap);
    }
    teardown(&f);
    return v;
}

/* One REJECT policy with one rule: does the request match it? */
static void rule(const char *rule_json, const char *raw, struct tls tls, bool want,
                 const char *name)
{
    char pol[2048];
    struct bl_l7_verdict v;

    snprintf(pol, sizeof(pol), "{\"action\": \"REJECT\", \"rules\": [%s]}", rule_json);
    v = eval(pol, raw, tls, NULL, 0);
    if (!ok((v.action == BL_L7_REJECT) == want && (int)v.action >= 0, "%s", name))
        diag("action %d for rule %s", (int)v.action, rule_json);
}

#define NOTLS ((struct tls){false, NULL, 0})
#define GET(target, headers)                                                                       \
    "GET " target " HTTP/1.1\r\nHost: Www.Example.com:8080\r\n" headers "\r\n"

static void test_host_name(void)
{
    const char *r = GET("/", "");
    rule("{\"type\": \"HOST_NAME\", \"compare_type\": \"EQUAL_TO\", \"value\": "
         "\"www.example.com:8080\"}",
         r, NOTLS, true, "HOST_NAME EQUAL_TO: port included, case ignored");
    rule(
        "{\"type\": \"HOST_NAME\", \"compare_type\": \"EQUAL_TO\", \"value\": \"www.example.com\"}",
        r, NOTLS, false, "HOST_NAME EQUAL_TO: the port is part of the value");
    rule("{\"type\": \"HOST_NAME\", \"compare_type\": \"STARTS_WITH\", \"value\": \"WWW.\"}", r,
         NOTLS, true, "HOST_NAME STARTS_WITH");
    rule("{\"type\": \"HOST_NAME\", \"compare_type\": \"ENDS_WITH\", \"value\": \"COM:8080\"}", r,
         NOTLS, true, "HOST_NAME ENDS_WITH");
    rule("{\"type\": \"HOST_NAME\", \"compare_type\": \"CONTAINS\", \"value\": \"example\"}", r,
         NOTLS, true, "HOST_NAME CONTAINS");
    rule("{\"type\": \"HOST_NAME\", \"compare_type\": \"CONTAINS\", \"value\": \"exampel\"}", r,
         NOTLS, false, "HOST_NAME CONTAINS: no");
    rule("{\"type\": \"HOST_NAME\", \"compare_type\": \"REGEX\", \"value\": \"^www\\\\.EXAMPLE\"}",
         r, NOTLS, true, "HOST_NAME REGEX is caseless");
    rule("{\"type\": \"HOST_NAME\", \"compare_type\": \"EQUAL_TO\", \"value\": \"x\"}",
         "GET / HTTP/1.0\r\n\r\n", NOTLS, false, "HOST_NAME without a Host header: no match");
}

static void test_path(void)
{
    const char *r = GET("/api/v1/items.json?x=/api/v2", "");
    rule("{\"type\": \"PATH\", \"compare_type\": \"EQUAL_TO\", \"value\": \"/api/v1/items.json\"}",
         r, NOTLS, true, "PATH EQUAL_TO: the query is not part of it");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/api/v1\"}", r,
         NOTLS, true, "PATH STARTS_WITH");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/API\"}", r, NOTLS,
         false, "PATH STARTS_WITH is case-sensitive");
    rule("{\"type\": \"PATH\", \"compare_type\": \"ENDS_WITH\", \"value\": \".json\"}", r, NOTLS,
         true, "PATH ENDS_WITH");
    rule("{\"type\": \"PATH\", \"compare_type\": \"CONTAINS\", \"value\": \"/api/v2\"}", r, NOTLS,
         false, "PATH CONTAINS does not look into the query");
    rule("{\"type\": \"PATH\", \"compare_type\": \"REGEX\", \"value\": \"^/api/v[0-9]+/\"}", r,
         NOTLS, true, "PATH REGEX");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/abs\"}",
         "GET http://h.example/abs/x?q HTTP/1.1\r\nHost: h.example\r\n\r\n", NOTLS, true,
         "PATH of an absolute-form target starts after the authority");
}

static void test_file_type(void)
{
    rule("{\"type\": \"FILE_TYPE\", \"compare_type\": \"EQUAL_TO\", \"value\": \"jpg\"}",
         GET("/img/a.b/c.jpg?v=1.png", ""), NOTLS, true, "FILE_TYPE EQUAL_TO: the extension");
    rule("{\"type\": \"FILE_TYPE\", \"compare_type\": \"EQUAL_TO\", \"value\": \"b\"}",
         GET("/img/a.b/c", ""), NOTLS, false, "FILE_TYPE: a dot in a directory is not one");
    rule("{\"type\": \"FILE_TYPE\", \"compare_type\": \"EQUAL_TO\", \"value\": \"jpg\"}",
         GET("/jpg", ""), NOTLS, false, "FILE_TYPE: no extension, no match");
    rule("{\"type\": \"FILE_TYPE\", \"compare_type\": \"REGEX\", \"value\": \"\\\\.(png|gif)$\"}",
         GET("/x/y.gif", ""), NOTLS, true, "FILE_TYPE REGEX searches the path");
}

static void test_header(void)
{
    const char *r = GET("/", "X-Tenant: blue, Green\r\nx-tenant: red\r\n");
    rule("{\"type\": \"HEADER\", \"key\": \"X-Tenant\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"Green\"}",
         r, NOTLS, true, "HEADER EQUAL_TO: each comma-separated value");
    rule("{\"type\": \"HEADER\", \"key\": \"x-TENANT\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"red\"}",
         r, NOTLS, true, "HEADER: every line, name ignoring case");
    rule("{\"type\": \"HEADER\", \"key\": \"X-Tenant\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"green\"}",
         r, NOTLS, false, "HEADER values are case-sensitive");
    rule("{\"type\": \"HEADER\", \"key\": \"X-Tenant\", \"compare_type\": \"STARTS_WITH\", "
         "\"value\": \"Gr\"}",
         r, NOTLS, true, "HEADER STARTS_WITH");
    rule("{\"type\": \"HEADER\", \"key\": \"X-Tenant\", \"compare_type\": \"ENDS_WITH\", "
         "\"value\": \"ue\"}",
         r, NOTLS, true, "HEADER ENDS_WITH");
    rule("{\"type\": \"HEADER\", \"key\": \"X-Tenant\", \"compare_type\": \"CONTAINS\", "
         "\"value\": \"ee\"}",
         r, NOTLS, true, "HEADER CONTAINS");
    rule("{\"type\": \"HEADER\", \"key\": \"X-Tenant\", \"compare_type\": \"REGEX\", "
         "\"value\": \"^r.d$\"}",
         r, NOTLS, true, "HEADER REGEX");
    rule("{\"type\": \"HEADER\", \"key\": \"X-Other\", \"compare_type\": \"REGEX\", "
         "\"value\": \".*\"}",
         r, NOTLS, false, "HEADER absent: no match even for .*");
}

static void test_cookie(void)
{
    const char *r = GET("/", "Cookie: a=1; session=abc123\r\nCookie: theme=dark\r\n");
    rule("{\"type\": \"COOKIE\", \"key\": \"session\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"abc123\"}",
         r, NOTLS, true, "COOKIE EQUAL_TO");
    rule("{\"type\": \"COOKIE\", \"key\": \"theme\", \"compare_type\": \"STARTS_WITH\", "
         "\"value\": \"da\"}",
         r, NOTLS, true, "COOKIE STARTS_WITH, second Cookie header");
    rule("{\"type\": \"COOKIE\", \"key\": \"session\", \"compare_type\": \"ENDS_WITH\", "
         "\"value\": \"123\"}",
         r, NOTLS, true, "COOKIE ENDS_WITH");
    rule("{\"type\": \"COOKIE\", \"key\": \"session\", \"compare_type\": \"CONTAINS\", "
         "\"value\": \"c12\"}",
         r, NOTLS, true, "COOKIE CONTAINS");
    rule("{\"type\": \"COOKIE\", \"key\": \"session\", \"compare_type\": \"REGEX\", "
         "\"value\": \"^[a-z]+[0-9]+$\"}",
         r, NOTLS, true, "COOKIE REGEX");
    rule("{\"type\": \"COOKIE\", \"key\": \"Session\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"abc123\"}",
         r, NOTLS, false, "COOKIE names are case-sensitive");
    rule("{\"type\": \"COOKIE\", \"key\": \"a\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"1\"}",
         r, NOTLS, true, "COOKIE: the first pair");
}

static X509 *make_cert(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();

    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"FR", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Ballast Org", -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)"ops", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "OU", MBSTRING_ASC, (const unsigned char *)"dev", -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"client.example", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(n, "emailAddress", MBSTRING_ASC,
                               (const unsigned char *)"me@example.com", -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, key);
    X509_sign(x, key, EVP_sha256());
    X509_NAME_free(n);
    EVP_PKEY_free(key);
    return x;
}

static void test_tls(void)
{
    X509 *cert = make_cert();
    struct tls with = {true, cert, 0}, without = {true, NULL, 0}, bad = {true, cert, 10};
    const char *r = GET("/", "");

    rule("{\"type\": \"SSL_CONN_HAS_CERT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"True\"}",
         r, with, true, "SSL_CONN_HAS_CERT with a client certificate");
    rule("{\"type\": \"SSL_CONN_HAS_CERT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"true\"}",
         r, without, false, "SSL_CONN_HAS_CERT: TLS without a certificate");
    rule("{\"type\": \"SSL_CONN_HAS_CERT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"true\"}",
         r, NOTLS, false, "SSL_CONN_HAS_CERT: plain HTTP");
    rule("{\"type\": \"SSL_CONN_HAS_CERT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"true\", "
         "\"invert\": true}",
         r, NOTLS, true, "SSL_CONN_HAS_CERT inverted: plain HTTP matches");
    rule("{\"type\": \"SSL_VERIFY_RESULT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"0\"}", r,
         with, true, "SSL_VERIFY_RESULT 0 = verified");
    rule("{\"type\": \"SSL_VERIFY_RESULT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"10\"}", r,
         bad, true, "SSL_VERIFY_RESULT 10 (certificate has expired)");
    rule("{\"type\": \"SSL_VERIFY_RESULT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"0\"}", r,
         bad, false, "SSL_VERIFY_RESULT: another result does not match");
    rule("{\"type\": \"SSL_VERIFY_RESULT\", \"compare_type\": \"EQUAL_TO\", \"value\": \"0\"}", r,
         NOTLS, false, "SSL_VERIFY_RESULT: plain HTTP has none");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"CN\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"client.example\"}",
         r, with, true, "SSL_DN_FIELD CN EQUAL_TO");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"cn\", \"compare_type\": \"STARTS_WITH\", "
         "\"value\": \"client\"}",
         r, with, true, "SSL_DN_FIELD key ignores case, STARTS_WITH");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"O\", \"compare_type\": \"ENDS_WITH\", "
         "\"value\": \"Org\"}",
         r, with, true, "SSL_DN_FIELD O ENDS_WITH");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"OU\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"ops\"}",
         r, with, true, "SSL_DN_FIELD OU: the first one");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"OU\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"dev\"}",
         r, with, false, "SSL_DN_FIELD OU: not the second one");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"emailAddress\", \"compare_type\": \"CONTAINS\", "
         "\"value\": \"@example\"}",
         r, with, true, "SSL_DN_FIELD emailAddress CONTAINS");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"emailAddress\", \"compare_type\": \"REGEX\", "
         "\"value\": \"^me@\"}",
         r, with, true, "SSL_DN_FIELD REGEX");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"L\", \"compare_type\": \"REGEX\", "
         "\"value\": \".*\"}",
         r, with, false, "SSL_DN_FIELD: a field the subject lacks");
    rule("{\"type\": \"SSL_DN_FIELD\", \"key\": \"CN\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"client.example\"}",
         r, NOTLS, false, "SSL_DN_FIELD: plain HTTP");
    X509_free(cert);
}

static void test_invert_and_all_rules(void)
{
    const char *r = GET("/api/x", "X-A: 1\r\n");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/api\", "
         "\"invert\": true}",
         r, NOTLS, false, "invert: a matching rule fails");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/web\", "
         "\"invert\": true}",
         r, NOTLS, true, "invert: a failing rule matches");
    rule("{\"type\": \"HEADER\", \"key\": \"X-B\", \"compare_type\": \"EQUAL_TO\", "
         "\"value\": \"1\", \"invert\": true}",
         r, NOTLS, true, "invert: an absent header matches");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/api\"},"
         "{\"type\": \"HEADER\", \"key\": \"X-A\", \"compare_type\": \"EQUAL_TO\", \"value\": "
         "\"1\"}",
         r, NOTLS, true, "all rules match: the policy matches");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/api\"},"
         "{\"type\": \"HEADER\", \"key\": \"X-A\", \"compare_type\": \"EQUAL_TO\", \"value\": "
         "\"2\"}",
         r, NOTLS, false, "one rule fails: the policy does not match");
    rule(
        "{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/api\"},"
        "{\"type\": \"HEADER\", \"key\": \"X-A\", \"compare_type\": \"EQUAL_TO\", \"value\": \"2\","
        " \"admin_state_up\": false}",
        r, NOTLS, true, "a disabled rule is left out");
    rule("{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/api\", "
         "\"admin_state_up\": false}",
         r, NOTLS, false, "only disabled rules: never matches");
    rule("", r, NOTLS, false, "a policy without rules never matches");
}

#define ANY "{\"type\": \"PATH\", \"compare_type\": \"STARTS_WITH\", \"value\": \"/\"}"
#define POL(action, extra) "{\"action\": \"" action "\", " extra "\"rules\": [" ANY "]}"

static void expect(const char *policies, const char *raw, enum bl_l7_action want_action,
                   const char *want_where, int want_code, const char *name)
{
    char where[512];
    struct bl_l7_verdict v = eval(policies, raw, NOTLS, where, sizeof(where));

    if (!ok(v.action == want_action && strcmp(where, want_where) == 0 && v.http_code == want_code,
            "%s", name))
        diag("got action %d '%s' code %d", (int)v.action, where, v.http_code);
}

static void test_order(void)
{
    const char *r = GET("/p/q?x=1", "");

    expect(
        POL("REDIRECT_TO_POOL", "\"redirect_pool\": {\"name\": \"a\"}, \"position\": 1, ") "," POL(
            "REDIRECT_TO_URL",
            "\"redirect_url\": \"http://u.example/\", \"position\": 2, ") "," POL("REJECT",
                                                                                  "\"position\": "
                                                                                  "3, "),
        r, BL_L7_REJECT, "", 0, "REJECT runs first whatever its position (deny rules)");
    expect(
        POL("REDIRECT_TO_POOL", "\"redirect_pool\": {\"name\": \"a\"}, \"position\": 1, ") "," POL(
            "REDIRECT_PREFIX", "\"redirect_prefix\": \"https://p.example\", \"position\": 2, "),
        r, BL_L7_REDIRECT_PREFIX, "https://p.example/p/q?x=1", 302,
        "redirects run before pools; prefix keeps the path and query; default code 302");
    expect(POL("REDIRECT_TO_URL",
               "\"redirect_url\": \"http://u.example/x\", "
               "\"redirect_http_code\": 308, \"position\": 2, ") "," POL("REDIRECT_PREFIX",
                                                                         "\"redirect_prefix\": "
                                                                         "\"https://p.example\", "
                                                                         "\"position\": 1, "),
           r, BL_L7_REDIRECT_PREFIX, "https://p.example/p/q?x=1", 302,
           "among redirects, position decides");
    expect(POL("REDIRECT_TO_URL",
               "\"redirect_url\": \"http://u.example/x\", "
               "\"redirect_http_code\": 308, ") "," POL("REDIRECT_PREFIX",
                                                        "\"redirect_prefix\": "
                                                        "\"https://p.example\", \"position\": 1, "),
           r, BL_L7_REDIRECT_PREFIX, "https://p.example/p/q?x=1", 302,
           "a policy inserted at position 1 goes before the others");
    expect(POL("REDIRECT_TO_URL", "\"redirect_url\": \"http://u.example/x\", "
                                  "\"redirect_http_code\": 308, "),
           r, BL_L7_REDIRECT_URL, "http://u.example/x", 308, "REDIRECT_TO_URL with its code");
    expect(
        POL("REDIRECT_TO_POOL", "\"redirect_pool\": {\"name\": \"b\"}, \"position\": 2, ") "," POL(
            "REDIRECT_TO_POOL", "\"redirect_pool\": {\"name\": \"a\"}, \"position\": 1, "),
        r, BL_L7_POOL, "a", 0, "pools by position");
    expect(POL("REDIRECT_TO_POOL",
               "\"redirect_pool\": {\"name\": \"a\"}, "
               "\"admin_state_up\": false, ") "," POL("REDIRECT_TO_POOL",
                                                      "\"redirect_pool\": {\"name\": \"b\"}, "),
           r, BL_L7_POOL, "b", 0, "a disabled policy is skipped");
    expect(POL("REDIRECT_TO_POOL", "\"redirect_pool\": {\"name\": \"off\"}, ") "," POL(
               "REDIRECT_TO_POOL", "\"redirect_pool\": {\"name\": \"b\"}, "),
           r, BL_L7_POOL, "b", 0, "a policy whose pool is disabled is skipped");
    expect("{\"action\": \"REJECT\", \"rules\": [{\"type\": \"PATH\", \"compare_type\": "
           "\"EQUAL_TO\", \"value\": \"/nope\"}]}",
           r, BL_L7_DEFAULT, "def", 0, "nothing matches: the default pool");
    expect("{\"action\": \"REDIRECT_PREFIX\", \"redirect_prefix\": \"http://p.example\", "
           "\"rules\": [{\"type\": \"HOST_NAME\", \"compare_type\": \"EQUAL_TO\", "
           "\"value\": \"h.example\"}]}",
           "GET http://h.example HTTP/1.1\r\nHost: h.example\r\n\r\n", BL_L7_REDIRECT_PREFIX,
           "http://p.example/", 302, "prefix of an absolute-form target without a path: /");
}

static void test_location_space(void)
{
    struct bl_l7_verdict v = {BL_L7_REDIRECT_URL, NULL, "http://u.example/long", 302, NULL};
    char small[8];

    is_int(bl_l7_location(&v, NULL, small, sizeof(small)), -ENOSPC, "Location too long: -ENOSPC");
    v.action = BL_L7_POOL;
    is_int(bl_l7_location(&v, NULL, small, sizeof(small)), -EINVAL, "not a redirect: -EINVAL");
}

int main(void)
{
    test_host_name();
    test_path();
    test_file_type();
    test_header();
    test_cookie();
    test_tls();
    test_invert_and_all_rules();
    test_order();
    test_location_space();
    return done_testing();
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * L7 policies: which policy of a listener a request matches, and what to do.
 * Pure (no I/O, no allocation per request; REGEX rules use the patterns the
 * snapshot compiled and a per-thread match block), callable from any worker.
 *
 * Semantics are those of Octavia's HAProxy amphora (octavia/common/jinja/
 * haproxy/combined_listeners/templates/macros.j2), checked against HAProxy:
 *  - Order: HAProxy runs a frontend's "http-request deny" rules, then its
 *    "redirect" rules, then its "use_backend" rules, whatever their order in
 *    the file. So REJECT policies come first, then REDIRECT_TO_URL and
 *    REDIRECT_PREFIX, then REDIRECT_TO_POOL, each class by position; the
 *    first policy that matches wins; none: the listener's default pool. The
 *    snapshot stores them already in that order (bl_snap_l7_build).
 *  - A policy matches when every one of its enabled rules matches; a disabled
 *    policy, a policy without enabled rules and a REDIRECT_TO_POOL policy
 *    whose pool is disabled never match (the template renders nothing).
 *  - A rule matches when one of the values it extracts compares true; a
 *    value that cannot be extracted (no such header, plain HTTP for the SSL
 *    types) makes it false; `invert` negates the result either way.
 *  - HOST_NAME: the Host header as sent, port included ("a.example:8080"),
 *    compared ignoring case (HAProxy's "req.hdr(host) -i").
 *  - PATH: the target's path, without the query ("path").
 *  - FILE_TYPE: EQUAL_TO compares the extension of the path's last segment
 *    ("jpg" for "/a/b.jpg"); REGEX searches the whole path. (HAProxy's
 *    "path_end -m str jpg" compares the whole path to "jpg" and never
 *    matches: ballast does what Octavia documents instead.)
 *  - HEADER: each comma-separated value of each header named `key` (name
 *    ignoring case), trimmed ("req.hdr(key)" in an ACL).
 *  - COOKIE: the value of each cookie named `key` in the Cookie headers.
 *  - SSL_CONN_HAS_CERT: a TLS client sent a certificate ("ssl_c_used").
 *  - SSL_VERIFY_RESULT: TLS, and the verification result equals the value.
 *  - SSL_DN_FIELD: the first entry of the client certificate's subject whose
 *    short name (CN, O, OU, emailAddress...) is `key`, ignoring case.
 *  - Compare types: EQUAL_TO, STARTS_WITH, ENDS_WITH, CONTAINS, and REGEX
 *    (PCRE2 search, not anchored); case-sensitive except for HOST_NAME.
 */
#ifndef BL_PROXY_L7_H
#define BL_PROXY_L7_H

#include <stdbool.h>
#include <stddef.h>

#include "config/snapshot.h"
#include "http/http1.h"

struct bl_l7_input {
    const struct bl_http_req *req; /* parsed request head (http/http1.h) */
    const void *peer_cert;         /* X509 * of a TLS client, NULL if none / plain HTTP */
    bool tls;                      /* arrived over TERMINATED_HTTPS */
    long verify_result;            /* X509_V_OK (0) or the verification error */
};

enum bl_l7_action {
    BL_L7_DEFAULT = 0,     /* no policy matched: the listener's default pool (may be NULL) */
    BL_L7_POOL,            /* REDIRECT_TO_POOL: `pool` */
    BL_L7_REDIRECT_URL,    /* answer `http_code` with Location: `url` */
    BL_L7_REDIRECT_PREFIX, /* answer `http_code` with Location: `url` + the original path */
    BL_L7_REJECT,          /* answer 403 */
};

struct bl_l7_verdict {
    enum bl_l7_action action;
    struct bl_snap_pool *pool; /* BL_L7_POOL: the target; BL_L7_DEFAULT: the listener's pool */
    const char *url;           /* REDIRECT_URL: the URL; REDIRECT_PREFIX: the prefix */
    int http_code;             /* redirects: 301, 302, 303, 307 or 308 */
    const struct bl_cfg_l7policy *policy; /* the policy that matched; NULL for DEFAULT */
};

void bl_l7_eval(const struct bl_snap_listener *sl, const struct bl_l7_input *in,
                struct bl_l7_verdict *out);

/*
 * The Location of a redirect verdict: REDIRECT_URL -> the URL; REDIRECT_PREFIX
 * -> the prefix followed by the request's path and query (from an
 * absolute-form target, what follows the authority; "/" when there is none),
 * as HAProxy's "redirect prefix". Writes a NUL-terminated string; returns its
 * length, -ENOSPC when `cap` is too small, -EINVAL for other verdicts.
 */
int bl_l7_location(const struct bl_l7_verdict *v, const struct bl_http_req *req, char *buf,
                   size_t cap);

#endif

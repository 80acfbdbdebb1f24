/* SPDX-License-Identifier: Apache-2.0 */
/* L7 policy evaluation; the semantics are described in l7.h. */
#include "proxy/l7.h"

#include <errno.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A borrowed slice of the request. */
struct span {
    const char *p;
    size_t n;
};

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool same(const char *a, const char *b, size_t n, bool icase)
{
    if (!icase)
        return memcmp(a, b, n) == 0;
    for (size_t i = 0; i < n; i++) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

static bool compare(const struct bl_snap_l7rule *r, struct span v, bool icase)
{
    const char *want = r->cfg->value;
    size_t n = r->value_len;

    switch (r->cfg->compare) {
    case BL_L7C_REGEX:
        return bl_regex_search(r->re, v.p, v.n);
    case BL_L7C_EQUAL_TO:
        return v.n == n && same(v.p, want, n, icase);
    case BL_L7C_STARTS_WITH:
        return v.n >= n && same(v.p, want, n, icase);
    case BL_L7C_ENDS_WITH:
        return v.n >= n && same(v.p + v.n - n, want, n, icase);
    case BL_L7C_CONTAINS:
        for (size_t i = 0; i + n <= v.n; i++) {
            if (same(v.p + i, want, n, icase))
                return true;
        }
        return false;
    }
    return false;
}

/* Where the path starts in the target: origin-form, or after the authority of
 * an absolute-form target. False for "*", authority-form, or no path at all. */
static bool target_path(const struct bl_http_req *req, struct span *out)
{
    const char *t = req->target, *end = t + req->target_len, *p = t;
    const char *scheme = memchr(t, ':', req->target_len);

    if (req->target_len == 0)
        return false;
    if (t[0] != '/') {
        if (scheme == NULL || end - scheme < 3 || memcmp(scheme, "://", 3) != 0)
            return false;
        p = memchr(scheme + 3, '/', (size_t)(end - scheme - 3));
        if (p == NULL)
            return false;
    }
    *out = (struct span){p, (size_t)(end - p)};
    return true;
}

static bool req_path(const struct bl_http_req *req, struct span *out)
{
    const char *q;

    if (!target_path(req, out))
        return false;
    q = memchr(out->p, '?', out->n);
    if (q != NULL)
        out->n = (size_t)(q - out->p);
    return true;
}

/* "jpg" of "/a/b.jpg": after the last dot of the last segment. */
static bool path_ext(struct span path, struct span *out)
{
    for (size_t i = path.n; i > 0; i--) {
        char c = path.p[i - 1];
        if (c == '/')
            return false;
        if (c == '.') {
            *out = (struct span){path.p + i, path.n - i};
            return true;
        }
    }
    return false;
}

static struct span trim(const char *p, size_t n)
{
    while (n > 0 && (p[0] == ' ' || p[0] == '\t'))
        p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (struct span){p, n};
}

static bool name_is(const struct bl_http_header *h, const char *name)
{
    return strlen(name) == h->name_len && strncasecmp(h->name, name, h->name_len) == 0;
}

/* Each comma-separated value of each header called `key`. */
static bool match_header(const struct bl_snap_l7rule *r, const struct bl_http_req *req)
{
    for (size_t i = 0; i < req->num_headers; i++) {
        const struct bl_http_header *h = &req->headers[i];
        const char *p = h->value, *end = h->value + h->value_len;
        if (!name_is(h, r->cfg->key))
            continue;
        for (;;) {
            const char *comma = memchr(p, ',', (size_t)(end - p));
            const char *stop = comma ? comma : end;
            if (compare(r, trim(p, (size_t)(stop - p)), false))
                return true;
            if (comma == NULL)
                break;
            p = comma + 1;
        }
    }
    return false;
}

/* Each "name=value" of each Cookie header, pairs separated by ';'. */
static bool match_cookie(const struct bl_snap_l7rule *r, const struct bl_http_req *req)
{
    size_t klen = strlen(r->cfg->key);

    for (size_t i = 0; i < req->num_headers; i++) {
        const struct bl_http_header *h = &req->headers[i];
        const char *p = h->value, *end = h->value + h->value_len;
        if (!name_is(h, "cookie"))
            continue;
        while (p < end) {
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *stop = semi ? semi : end;
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            if (eq != NULL) {
                struct span name = trim(p, (size_t)(eq - p));
                if (name.n == klen && memcmp(name.p, r->cfg->key, klen) == 0 &&
                    compare(r, trim(eq + 1, (size_t)(stop - eq - 1)), false))
                    return true;
            }
            p = stop + 1;
        }
    }
    return false;
}

/* The first subject entry whose short name is `key`, as HAProxy's ssl_c_s_dn(key). */
static bool dn_field(const void *cert, const char *key, struct span *out)
{
    const X509_NAME *name = X509_get_subject_name((const X509 *)cert);
    char txt[80];

    for (int i = 0; name != NULL && i < X509_NAME_entry_count(name); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
        const ASN1_STRING *data = X509_NAME_ENTRY_get_data(e);
        int nid = OBJ_obj2nid(obj);
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        if (sn == NULL) {
            OBJ_obj2txt(txt, sizeof(txt), obj, 0);
            sn = txt;
        }
        if (strcasecmp(sn, key) == 0) {
            *out = (struct span){(const char *)ASN1_STRING_get0_data(data),
                                 (size_t)ASN1_STRING_length(data)};
            return true;
        }
    }
    return false;
}

/* Whether the rule's condition holds, before `invert`. */
static bool rule_holds(const struct bl_snap_l7rule *r, const struct bl_l7_input *in)
{
    const struct bl_http_req *req = in->req;
    struct span v, path;

    switch (r->cfg->type) {
    case BL_L7R_HOST_NAME:
        return req->host != NULL && compare(r, (struct span){req->host, req->host_len}, true);
    case BL_L7R_PATH:
        return req_path(req, &v) && compare(r, v, false);
    case BL_L7R_FILE_TYPE:
        if (!req_path(req, &path))
            return false;
        if (r->cfg->compare == BL_L7C_REGEX)
            return compare(r, path, false);
        return path_ext(path, &v) && compare(r, v, false);
    case BL_L7R_HEADER:
        return match_header(r, req);
    case BL_L7R_COOKIE:
        return match_cookie(r, req);
    case BL_L7R_SSL_CONN_HAS_CERT:
        return in->tls && in->peer_cert != NULL;
    case BL_L7R_SSL_VERIFY_RESULT:
        return in->tls && in->verify_result == r->cfg->verify;
    case BL_L7R_SSL_DN_FIELD:
        return in->tls && in->peer_cert != NULL && dn_field(in->peer_cert, r->cfg->key, &v) &&
               compare(r, v, false);
    }
    return false;
}

static bool policy_matches(const struct bl_snap_l7policy *p, const struct bl_l7_input *in)
{
    for (uint32_t i = 0; i < p->nrules; i++) {
        if (rule_holds(&p->rules[i], in) == p->rules[i].cfg->invert)
            return false;
    }
    return p->nrules > 0;
}

void bl_l7_eval(const struct bl_snap_listener *sl, const struct bl_l7_input *in,
                struct bl_l7_verdict *out)
{
    *out = (struct bl_l7_verdict){BL_L7_DEFAULT, sl->pool, NULL, 0, NULL};
    for (uint32_t i = 0; i < sl->nl7; i++) {
        const struct bl_snap_l7policy *p = &sl->l7[i];
        if (!policy_matches(p, in))
            continue;
        switch (p->cfg->action) {
        case BL_L7P_REJECT:
            *out = (struct bl_l7_verdict){BL_L7_REJECT, NULL, NULL, 0, p->cfg};
            break;
        case BL_L7P_REDIRECT_TO_POOL:
            *out = (struct bl_l7_verdict){BL_L7_POOL, p->pool, NULL, 0, p->cfg};
            break;
        case BL_L7P_REDIRECT_TO_URL:
            *out = (struct bl_l7_verdict){BL_L7_REDIRECT_URL, NULL, p->cfg->redirect_url,
                                          p->cfg->redirect_http_code, p->cfg};
            break;
        case BL_L7P_REDIRECT_PREFIX:
            *out = (struct bl_l7_verdict){BL_L7_REDIRECT_PREFIX, NULL, p->cfg->redirect_prefix,
                                          p->cfg->redirect_http_code, p->cfg};
            break;
        }
        return;
    }
}

int bl_l7_location(const struct bl_l7_verdict *v, const struct bl_http_req *req, char *buf,
                   size_t cap)
{
    struct span path = {"/", 1};
    int n;

    if (v->action == BL_L7_REDIRECT_URL)
        n = snprintf(buf, cap, "%s", v->url);
    else if (v->action == BL_L7_REDIRECT_PREFIX) {
        if (!target_path(req, &path))
            path = (struct span){"/", 1};
        n = snprintf(buf, cap, "%s%.*s", v->url, (int)path.n, path.p);
    } else
        return -EINVAL;
    return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
}

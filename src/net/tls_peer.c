/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Facts about the client certificate for L7 rules and Octavia's X-SSL-*
 * headers, formatted as Octavia's HAProxy configuration makes them (checked
 * against HAProxy 2.6: `http-request set-header X-SSL-Client-DN %{+Q}[ssl_c_s_dn]`
 * sends the value unquoted; without a certificate the text headers are sent
 * empty, Verify is 0 and Has-Cert is 0).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "net/tls_internal.h"

/* Output with a capacity; `over` once something did not fit. */
struct out {
    char *p;
    size_t len, cap;
    bool over;
};

static void put(struct out *o, const void *s, size_t n)
{
    if (o->over || o->len + n >= o->cap) {
        o->over = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Certificate text goes into a header: control bytes would end it early. */
static void put_safe(struct out *o, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char hex[5];
        if (s[i] >= 0x20 && s[i] != 0x7f) {
            put(o, &s[i], 1);
            continue;
        }
        snprintf(hex, sizeof(hex), "\\x%02X", s[i]);
        puts_(o, hex);
    }
}

/* HAProxy's ssl_c_s_dn: "/C=US/O=Org/CN=name", short names, raw values. */
static void put_dn(struct out *o, const X509_NAME *name)
{
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
        const ASN1_STRING *d = X509_NAME_ENTRY_get_data(e);
        int nid = OBJ_obj2nid(obj);
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        char oid[80];
        if (sn == NULL) {
            OBJ_obj2txt(oid, sizeof(oid), obj, 1);
            sn = oid;
        }
        puts_(o, "/");
        puts_(o, sn);
        puts_(o, "=");
        put_safe(o, ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d));
    }
}

/* The last entry of `key` in `name` (HAProxy's default occurrence), or NULL. */
static const ASN1_STRING *dn_field(const X509_NAME *name, const char *key)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(key, 0);
    const ASN1_STRING *v = NULL;
    int i = -1;

    if (obj == NULL)
        return NULL;
    while ((i = X509_NAME_get_index_by_OBJ(name, obj, i)) >= 0)
        v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    ASN1_OBJECT_free(obj);
    return v;
}

int bl_tls_peer_dn_field(const struct bl_tls_conn *c, const char *key, char *out, size_t cap)
{
    X509 *x = bl_tls_peer_cert(c);
    const ASN1_STRING *v = x ? dn_field(X509_get_subject_name(x), key) : NULL;
    struct out o = {out, 0, cap, cap == 0};

    if (v == NULL)
        return -ENOENT;
    if (cap > 0)
        out[0] = '\0';
    put_safe(&o, ASN1_STRING_get0_data(v), (size_t)ASN1_STRING_length(v));
    return o.over ? -ENOSPC : (int)o.len;
}

/* HAProxy's ssl_c_notbefore: YYMMDDhhmmssZ (a GeneralizedTime loses its century). */
static void put_time(struct out *o, const ASN1_TIME *t)
{
    const unsigned char *s = ASN1_STRING_get0_data(t);
    size_t n = (size_t)ASN1_STRING_length(t);

    if (ASN1_STRING_type(t) == V_ASN1_GENERALIZEDTIME && n >= 2) {
        s += 2;
        n -= 2;
    }
    put_safe(o, s, n);
}

static void put_sha1(struct out *o, X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    char hex[3];

    if (X509_digest(x, EVP_sha1(), md, &n) != 1)
        return;
    for (unsigned i = 0; i < n; i++) {
        snprintf(hex, sizeof(hex), "%02X", md[i]);
        put(o, hex, 2);
    }
}

static void put_value(struct out *o, unsigned bit, X509 *x, long verify)
{
    char num[24];
    const ASN1_STRING *cn;

    switch (bit) {
    case BL_TLS_H_VERIFY:
        snprintf(num, sizeof(num), "%ld", verify);
        puts_(o, num);
        return;
    case BL_TLS_H_HAS_CERT:
        puts_(o, x ? "1" : "0");
        return;
    }
    if (x == NULL)
        return; /* the other headers go out empty, as HAProxy sends them */
    if (bit == BL_TLS_H_DN) {
        put_dn(o, X509_get_subject_name(x));
    } else if (bit == BL_TLS_H_CN) {
        if ((cn = dn_field(X509_get_subject_name(x), "CN")) != NULL)
            put_safe(o, ASN1_STRING_get0_data(cn), (size_t)ASN1_STRING_length(cn));
    } else if (bit == BL_TLS_H_ISSUER) {
        put_dn(o, X509_get_issuer_name(x));
    } else if (bit == BL_TLS_H_SHA1) {
        put_sha1(o, x);
    } else if (bit == BL_TLS_H_NOT_BEFORE) {
        put_time(o, X509_get0_notBefore(x));
    } else if (bit == BL_TLS_H_NOT_AFTER) {
        put_time(o, X509_get0_notAfter(x));
    }
}

int bl_tls_client_headers(const struct bl_tls_conn *c, unsigned flags, char *out, size_t cap)
{
    static const struct {
        unsigned bit;
        const char *name;
    } hdrs[] = {
        {BL_TLS_H_VERIFY, "X-SSL-Client-Verify"},
        {BL_TLS_H_HAS_CERT, "X-SSL-Client-Has-Cert"},
        {BL_TLS_H_DN, "X-SSL-Client-DN"},
        {BL_TLS_H_CN, "X-SSL-Client-CN"},
        {BL_TLS_H_ISSUER, "X-SSL-Issuer"},
        {BL_TLS_H_SHA1, "X-SSL-Client-SHA1"},
        {BL_TLS_H_NOT_BEFORE, "X-SSL-Client-Not-Before"},
        {BL_TLS_H_NOT_AFTER, "X-SSL-Client-Not-After"},
    };
    struct out o = {out, 0, cap, cap == 0};
    X509 *x = bl_tls_peer_cert(c);
    long verify = bl_tls_verify_result(c);

    if (cap > 0)
        out[0] = '\0';
    for (size_t i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
        if (!(flags & hdrs[i].bit))
            continue;
        puts_(&o, hdrs[i].name);
        puts_(&o, ": ");
        put_value(&o, hdrs[i].bit, x, verify);
        puts_(&o, "\r\n");
    }
    return o.over ? -ENOSPC : (int)o.len;
}

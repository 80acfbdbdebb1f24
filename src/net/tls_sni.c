/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNI certificate selection for listeners: every certificate answers for the
 * DNS names of its subjectAltName and its subject CNs, as HAProxy indexes a
 * crt-list without filters. The table is sorted once per context and
 * searched per handshake; exact names win over `*.domain` wildcards, and a
 * wildcard covers one label only (RFC 6125).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "core/xalloc.h"
#include "net/tls_internal.h"

#define NAME_MAX_LEN 255

struct names {
    struct bl_tls_name *v;
    uint32_t n, cap;
    uint32_t *order; /* insertion order, to break ties: the earlier certificate wins */
};

static void add_name(struct names *ns, const char *s, size_t len, SSL_CTX *ctx)
{
    bool wild = len > 2 && s[0] == '*' && s[1] == '.';
    char *name;

    if (wild) {
        s++, len--;
    }
    if (len == 0 || len > NAME_MAX_LEN || memchr(s, '*', len) || memchr(s, '\0', len))
        return; /* partial wildcards ("w*.example.com") and odd names are not indexed */
    if (ns->n == ns->cap) {
        ns->cap = ns->cap ? ns->cap * 2 : 8;
        ns->v = bl_xrealloc(ns->v, ns->cap * sizeof(*ns->v));
        ns->order = bl_xrealloc(ns->order, ns->cap * sizeof(*ns->order));
    }
    name = bl_xcalloc(1, len + 1);
    for (size_t i = 0; i < len; i++)
        name[i] = (char)tolower((unsigned char)s[i]);
    ns->order[ns->n] = ns->n;
    ns->v[ns->n++] = (struct bl_tls_name){name, ctx, wild};
}

static void add_cert_names(struct names *ns, SSL_CTX *ctx)
{
    X509 *x = SSL_CTX_get0_certificate(ctx);
    GENERAL_NAMES *san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    X509_NAME *subj = X509_get_subject_name(x);
    int i = -1;

    for (int k = 0; k < sk_GENERAL_NAME_num(san); k++) {
        GENERAL_NAME *g = sk_GENERAL_NAME_value(san, k);
        if (g->type == GEN_DNS)
            add_name(ns, (const char *)ASN1_STRING_get0_data(g->d.dNSName),
                     (size_t)ASN1_STRING_length(g->d.dNSName), ctx);
    }
    GENERAL_NAMES_free(san);
    while ((i = X509_NAME_get_index_by_NID(subj, NID_commonName, i)) >= 0) {
        ASN1_STRING *d = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, i));
        add_name(ns, (const char *)ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d), ctx);
    }
}

static int cmp_name(const struct bl_tls_name *a, bool wild, const char *name)
{
    if (a->wild != wild)
        return a->wild ? 1 : -1;
    return strcmp(a->name, name);
}

/* Sorts by (wild, name, insertion order): insertion sort, tables are small. */
static void sort_names(struct names *ns)
{
    for (uint32_t i = 1; i < ns->n; i++) {
        struct bl_tls_name v = ns->v[i];
        uint32_t o = ns->order[i], k = i;
        while (k > 0) {
            int c = cmp_name(&ns->v[k - 1], v.wild, v.name);
            if (c < 0 || (c == 0 && ns->order[k - 1] < o))
                break;
            ns->v[k] = ns->v[k - 1];
            ns->order[k] = ns->order[k - 1];
            k--;
        }
        ns->v[k] = v;
        ns->order[k] = o;
    }
}

static const struct bl_tls_name *lookup(const struct bl_tls_ctx *t, bool wild, const char *name)
{
    uint32_t lo = 0, hi = t->nnames;

    while (lo < hi) { /* the first entry >= (wild, name) */
        uint32_t mid = lo + (hi - lo) / 2;
        if (cmp_name(&t->names[mid], wild, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->nnames && cmp_name(&t->names[lo], wild, name) == 0)
        return &t->names[lo];
    return NULL;
}

SSL_CTX *bl_tls_sni_find(const struct bl_tls_ctx *t, const char *name)
{
    char low[NAME_MAX_LEN + 1];
    const struct bl_tls_name *hit;
    const char *dot;
    size_t n = strlen(name);

    if (n == 0 || n > NAME_MAX_LEN)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    if (n > 1 && low[n - 1] == '.')
        low[n - 1] = '\0'; /* "example.com." is "example.com" */
    hit = lookup(t, false, low);
    dot = strchr(low, '.');
    if (hit == NULL && dot != NULL && dot[1] != '\0')
        hit = lookup(t, true, dot);
    return hit ? hit->ctx : NULL;
}

static int on_servername(SSL *ssl, int *alert, void *arg)
{
    const struct bl_tls_ctx *t = arg;
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    SSL_CTX *ctx;

    (void)alert;
    if (name == NULL)
        return SSL_TLSEXT_ERR_NOACK;
    ctx = bl_tls_sni_find(t, name);
    if (ctx != NULL && ctx != SSL_get_SSL_CTX(ssl))
        SSL_set_SSL_CTX(ssl, ctx);
    return SSL_TLSEXT_ERR_OK;
}

int bl_tls_sni_build(struct bl_tls_ctx *t, const struct bl_tls_server_cfg *cfg, X509_STORE *store,
                     bl_tls_server_ctx_fn make, struct bl_err *err)
{
    struct names ns = {0};

    t->sni_ctx = bl_xcalloc(cfg->nsni ? cfg->nsni : 1, sizeof(*t->sni_ctx));
    for (uint32_t i = 0; i < cfg->nsni; i++) {
        t->sni_ctx[i] = make(t, cfg, cfg->sni_files[i], store, err);
        if (t->sni_ctx[i] == NULL)
            return -EINVAL;
        t->nsni++;
    }
    add_cert_names(&ns, t->ctx);
    for (uint32_t i = 0; i < t->nsni; i++)
        add_cert_names(&ns, t->sni_ctx[i]);
    sort_names(&ns);
    t->names = ns.v;
    t->nnames = ns.n;
    free(ns.order);
    if (t->nsni > 0) { /* with the default certificate alone there is nothing to pick */
        SSL_CTX_set_tlsext_servername_callback(t->ctx, on_servername);
        SSL_CTX_set_tlsext_servername_arg(t->ctx, t);
    }
    return 0;
}

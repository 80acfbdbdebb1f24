/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TLS fields of listeners and pools, with Octavia's rules and messages:
 * a TERMINATED_HTTPS listener needs a default or SNI certificate; other
 * listeners take no certificate refs; client authentication needs a client
 * CA, and a CRL needs a CA; tls_versions, alpn_protocols and tls_ciphers are
 * checked as Octavia's API checks them (only where TLS is on, as Octavia).
 * Refs are kept as written: files are read when a snapshot is built
 * (config/certs.c), since parsing does no I/O.
 */
#include <errno.h>
#include <string.h>

#include "config/parse_int.h"
#include "core/arena.h"

#define CIPHERS_MAX_LEN 2048 /* Octavia's tls_ciphers limit */

/* A list of strings (NULL/absent = none); each at most 255 characters. */
static int get_strlist(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, const char *key,
                       const char ***out, uint32_t *n, bool *present)
{
    json_t *arr = json_object_get(o, key), *v;
    struct bl_pj_path ip;
    size_t i;

    *out = NULL;
    *n = 0;
    *present = arr != NULL && !json_is_null(arr);
    if (!*present)
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, key, "must be a list of strings");
    *n = (uint32_t)json_array_size(arr);
    *out = bl_arena_alloc(c->arena, (*n ? *n : 1) * sizeof(**out));
    json_array_foreach(arr, i, v)
    {
        bl_pj_index(&ip, p, key, i);
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 255)
            return bl_pj_fail(c, &ip, NULL, "must be a string of 1..255 characters");
        (*out)[i] = bl_arena_strdup(c->arena, json_string_value(v));
    }
    return 0;
}

/* Octavia's validate.check_tls_version_list. Absent = Octavia's default. */
static int get_versions(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, unsigned *out)
{
    static const char *const names[] = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    static const unsigned bits[] = {BL_TLS_SSLV3, BL_TLS_V1_0, BL_TLS_V1_1, BL_TLS_V1_2,
                                    BL_TLS_V1_3};
    const char **list;
    uint32_t n;
    bool present;

    *out = BL_TLS_VERSIONS_DEFAULT;
    if (get_strlist(c, p, o, "tls_versions", &list, &n, &present))
        return -EINVAL;
    if (!present)
        return 0;
    if (n == 0)
        return bl_pj_fail(c, p, "tls_versions",
                    "Empty TLS version list. Either specify at least one "
                    "TLS version or remove this parameter to use the default.");
    *out = 0;
    for (uint32_t i = 0; i < n; i++) {
        int k = 0;
        while (k < 5 && strcmp(names[k], list[i]) != 0)
            k++;
        if (k == 5)
            return bl_pj_fail(c, p, "tls_versions",
                        "Invalid TLS versions: %s (known: SSLv3, TLSv1, "
                        "TLSv1.1, TLSv1.2, TLSv1.3)",
                        list[i]);
        *out |= bits[k];
    }
    return 0;
}

/* Octavia's validate.check_alpn_protocols. Absent = Octavia's default
 * (h2, http/1.1, http/1.0), of which ballast negotiates the HTTP/1 ones. */
static int get_alpn(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_tls *t)
{
    static const char *const names[] = {"http/1.1", "http/1.0", "h2"};
    static const unsigned char vals[] = {BL_ALPN_HTTP11, BL_ALPN_HTTP10, BL_ALPN_H2};
    const char **list;
    uint32_t n;
    bool present;

    t->alpn[0] = BL_ALPN_H2;
    t->alpn[1] = BL_ALPN_HTTP11;
    t->alpn[2] = BL_ALPN_HTTP10;
    t->nalpn = 3;
    if (get_strlist(c, p, o, "alpn_protocols", &list, &n, &present))
        return -EINVAL;
    if (!present)
        return 0;
    if (n == 0)
        return bl_pj_fail(c, p, "alpn_protocols",
                    "Empty ALPN protocol list. Either specify at least "
                    "one ALPN protocol or remove this parameter to use the default.");
    t->nalpn = 0;
    for (uint32_t i = 0; i < n; i++) {
        int k = 0;
        while (k < 3 && strcmp(names[k], list[i]) != 0)
            k++;
        if (k == 3)
            return bl_pj_fail(c, p, "alpn_protocols",
                        "Invalid ALPN protocol: %s (known: http/1.1, "
                        "h2, http/1.0)",
                        list[i]);
        if (memchr(t->alpn, vals[k], t->nalpn) == NULL)
            t->alpn[t->nalpn++] = vals[k];
    }
    return 0;
}

/* Octavia's VALID_CIPHER_RE: ^[A-Za-z0-9\-+!:@=_.]+$ ; up to 2048 characters. */
static int get_ciphers(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, const char **out)
{
    json_t *v = json_object_get(o, "tls_ciphers");
    const char *s;

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v) || json_string_length(v) > CIPHERS_MAX_LEN)
        return bl_pj_fail(c, p, "tls_ciphers", "must be a string of at most %d characters",
                    CIPHERS_MAX_LEN);
    s = json_string_value(v);
    if (s[0] == '\0' || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-+!:@=_.") != strlen(s))
        return bl_pj_fail(c, p, "tls_ciphers",
                    "Invalid characters in cipher string. Only "
                    "alphanumeric, -, +, !, :, @, =, _, and . are allowed.");
    *out = bl_arena_strdup(c->arena, s);
    return 0;
}

/* tls_versions, alpn_protocols, tls_ciphers: checked only where TLS is on. */
static int parse_tls_params(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_tls *t)
{
    t->where = bl_arena_strdup(c->arena, p->s);
    if (get_versions(c, p, o, &t->versions) || get_alpn(c, p, o, t) ||
        get_ciphers(c, p, o, &t->ciphers))
        return -EINVAL;
    return 0;
}

static int get_client_auth(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, enum bl_tls_auth *out)
{
    static const char *const names[] = {"NONE", "OPTIONAL", "MANDATORY", NULL};
    int i = 0;

    if (bl_pj_set(o, "client_authentication") &&
        bl_pj_enum(c, p, o, "client_authentication", names, &i))
        return -EINVAL;
    *out = (enum bl_tls_auth)i;
    return 0;
}

int bl_pj_listener_tls(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_listener *l)
{
    static const char *const auth[] = {"NONE", "OPTIONAL", "MANDATORY"};
    struct bl_cfg_tls *t = &l->tls;
    const char *def;
    bool sni_set;

    if (bl_pj_str(c, p, o, "default_tls_container_ref", &def, NULL) ||
        get_strlist(c, p, o, "sni_container_refs", &t->sni_refs, &t->nsni, &sni_set) ||
        bl_pj_str(c, p, o, "client_ca_tls_container_ref", &t->ca_ref, NULL) ||
        bl_pj_str(c, p, o, "client_crl_container_ref", &t->crl_ref, NULL) ||
        get_client_auth(c, p, o, &t->client_auth))
        return -EINVAL;
    if (l->proto == BL_PROTO_PROMETHEUS && (def || t->nsni || t->ca_ref))
        return bl_pj_fail(c, p, def ? "default_tls_container_ref" : "sni_container_refs",
                          "PROMETHEUS listeners with TLS are not supported by ballast yet");
    if (l->proto != BL_PROTO_TERMINATED_HTTPS && (def || t->nsni || t->ca_ref))
        return bl_pj_fail(c, p,
                    def       ? "default_tls_container_ref"
                    : t->nsni ? "sni_container_refs"
                              : "client_ca_tls_container_ref",
                    "Certificate container references are not allowed on %s protocol "
                    "listeners.",
                    bl_proto_name(l->proto));
    if (t->client_auth != BL_TLS_AUTH_NONE && t->ca_ref == NULL)
        return bl_pj_fail(c, p, "client_authentication",
                    "Client authentication setting %s requires a "
                    "client CA container reference.",
                    auth[t->client_auth]);
    if (t->crl_ref && t->ca_ref == NULL)
        return bl_pj_fail(c, p, "client_crl_container_ref",
                    "A client authentication CA reference is "
                    "required to specify a client authentication revocation list.");
    if (l->proto != BL_PROTO_TERMINATED_HTTPS)
        return 0;
    if (def == NULL && t->nsni == 0)
        return bl_pj_fail(c, p, "default_tls_container_ref",
                    "An SNI or default certificate container "
                    "reference must be provided for TERMINATED_HTTPS protocol listeners.");
    /* Without a default, the first SNI certificate serves clients that match none. */
    t->cert_ref = def ? def : t->sni_refs[0];
    return parse_tls_params(c, p, o, t);
}

int bl_pj_pool_tls(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_pool *pool)
{
    struct bl_cfg_tls *t = &pool->tls;

    if (bl_pj_bool(c, p, o, "tls_enabled", &pool->tls_enabled, false) ||
        bl_pj_str(c, p, o, "tls_container_ref", &t->cert_ref, NULL) ||
        bl_pj_str(c, p, o, "ca_tls_container_ref", &t->ca_ref, NULL) ||
        bl_pj_str(c, p, o, "crl_container_ref", &t->crl_ref, NULL))
        return -EINVAL;
    if (t->crl_ref && t->ca_ref == NULL)
        return bl_pj_fail(c, p, "crl_container_ref",
                    "A CA certificate reference is required to "
                    "specify a revocation list.");
    if (pool->tls_enabled && (pool->proto == BL_PROTO_UDP || pool->proto == BL_PROTO_SCTP))
        return bl_pj_fail(c, p, "tls_enabled", "%s pools cannot use TLS", bl_proto_name(pool->proto));
    if (!pool->tls_enabled)
        return 0;
    return parse_tls_params(c, p, o, t);
}

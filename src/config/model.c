/* SPDX-License-Identifier: Apache-2.0 */
#include "config/model.h"

#include <errno.h>
#include <string.h>

#include "core/arena.h"

static const char *const proto_names[] = {
    [BL_PROTO_TCP] = "TCP",
    [BL_PROTO_UDP] = "UDP",
    [BL_PROTO_HTTP] = "HTTP",
    [BL_PROTO_HTTPS] = "HTTPS",
    [BL_PROTO_TERMINATED_HTTPS] = "TERMINATED_HTTPS",
    [BL_PROTO_PROXY] = "PROXY",
    [BL_PROTO_PROXYV2] = "PROXYV2",
    [BL_PROTO_SCTP] = "SCTP",
    [BL_PROTO_PROMETHEUS] = "PROMETHEUS",
};

/* net/tls.h writes the X-SSL-* headers from the same bits (it cannot see this layer). */
#define SAME_BIT(a, b) ((unsigned)(a) == (unsigned)(b))
_Static_assert(SAME_BIT(BL_XH_SSL_CLIENT_VERIFY, BL_TLS_H_VERIFY) &&
                   SAME_BIT(BL_XH_SSL_CLIENT_HAS_CERT, BL_TLS_H_HAS_CERT) &&
                   SAME_BIT(BL_XH_SSL_CLIENT_DN, BL_TLS_H_DN) &&
                   SAME_BIT(BL_XH_SSL_CLIENT_CN, BL_TLS_H_CN) &&
                   SAME_BIT(BL_XH_SSL_ISSUER, BL_TLS_H_ISSUER) &&
                   SAME_BIT(BL_XH_SSL_CLIENT_SHA1, BL_TLS_H_SHA1) &&
                   SAME_BIT(BL_XH_SSL_CLIENT_NOT_BEFORE, BL_TLS_H_NOT_BEFORE) &&
                   SAME_BIT(BL_XH_SSL_CLIENT_NOT_AFTER, BL_TLS_H_NOT_AFTER) &&
                   SAME_BIT(BL_XH_SSL_ANY, BL_TLS_H_VERIFY | BL_TLS_H_HAS_CERT | BL_TLS_H_DN |
                                               BL_TLS_H_CN | BL_TLS_H_ISSUER | BL_TLS_H_SHA1 |
                                               BL_TLS_H_NOT_BEFORE | BL_TLS_H_NOT_AFTER),
               "BL_XH_SSL_* and BL_TLS_H_* differ");

const char *const bl_insert_header_names[BL_XH_COUNT] = {
    "X-Forwarded-For",      "X-Forwarded-Port",       "X-Forwarded-Proto",
    "X-SSL-Client-Verify",  "X-SSL-Client-Has-Cert",  "X-SSL-Client-DN",
    "X-SSL-Client-CN",      "X-SSL-Issuer",           "X-SSL-Client-SHA1",
    "X-SSL-Client-Not-Before", "X-SSL-Client-Not-After",
};

const char *bl_proto_name(enum bl_proto p)
{
    return proto_names[p];
}

const char *const bl_l7policy_action_names[] = {
    [BL_L7P_REJECT] = "REJECT",
    [BL_L7P_REDIRECT_TO_URL] = "REDIRECT_TO_URL",
    [BL_L7P_REDIRECT_TO_POOL] = "REDIRECT_TO_POOL",
    [BL_L7P_REDIRECT_PREFIX] = "REDIRECT_PREFIX",
    NULL,
};

const char *const bl_l7rule_type_names[] = {
    [BL_L7R_HOST_NAME] = "HOST_NAME",
    [BL_L7R_PATH] = "PATH",
    [BL_L7R_FILE_TYPE] = "FILE_TYPE",
    [BL_L7R_HEADER] = "HEADER",
    [BL_L7R_COOKIE] = "COOKIE",
    [BL_L7R_SSL_CONN_HAS_CERT] = "SSL_CONN_HAS_CERT",
    [BL_L7R_SSL_VERIFY_RESULT] = "SSL_VERIFY_RESULT",
    [BL_L7R_SSL_DN_FIELD] = "SSL_DN_FIELD",
    NULL,
};

const char *const bl_l7rule_compare_names[] = {
    [BL_L7C_REGEX] = "REGEX",         [BL_L7C_STARTS_WITH] = "STARTS_WITH",
    [BL_L7C_ENDS_WITH] = "ENDS_WITH", [BL_L7C_CONTAINS] = "CONTAINS",
    [BL_L7C_EQUAL_TO] = "EQUAL_TO",   NULL,
};

bool bl_proto_is_stream(enum bl_proto p)
{
    return p != BL_PROTO_UDP && p != BL_PROTO_SCTP;
}

void bl_cfg_free(struct bl_cfg *cfg)
{
    /* The struct itself lives in its own arena. */
    if (cfg != NULL)
        bl_arena_destroy(cfg->arena);
}

/* Reads a three-digit code in 100..599 at *s; advances past it. */
static int read_code(const char **s, int *out, const char **why)
{
    const char *p = *s;

    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9') {
        *why = "expected a three-digit HTTP status code";
        return -EINVAL;
    }
    *out = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    if (*out < 100 || *out > 599) {
        *why = "status codes must be 100..599";
        return -EINVAL;
    }
    *s = p + 3;
    return 0;
}

static void codeset_add(struct bl_codeset *set, int lo, int hi)
{
    for (int c = lo; c <= hi; c++)
        set->bits[(c - 100) / 64] |= 1ULL << ((c - 100) % 64);
}

/* One item of the list: "200" or "200-204". */
static int read_item(const char **s, struct bl_codeset *set, const char **why)
{
    int lo, hi;

    if (read_code(s, &lo, why) < 0)
        return -EINVAL;
    hi = lo;
    if (**s == '-') {
        (*s)++;
        if (read_code(s, &hi, why) < 0)
            return -EINVAL;
        if (hi < lo) {
            *why = "a range must not end below its start";
            return -EINVAL;
        }
    }
    codeset_add(set, lo, hi);
    return 0;
}

int bl_codeset_parse(const char *s, struct bl_codeset *out, const char **why)
{
    const char *dummy;

    if (why == NULL)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    for (;;) {
        while (*s == ' ')
            s++;
        if (read_item(&s, out, why) < 0)
            return -EINVAL;
        while (*s == ' ')
            s++;
        if (*s == '\0')
            return 0;
        if (*s != ',') {
            *why = "use codes such as 200, ranges such as 200-204, separated by commas";
            return -EINVAL;
        }
        s++;
    }
}

bool bl_codeset_has(const struct bl_codeset *set, int status)
{
    if (status < 100 || status > 599)
        return false;
    return (set->bits[(status - 100) / 64] >> ((status - 100) % 64)) & 1;
}

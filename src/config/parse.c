/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declarative file -> struct bl_cfg. Each object kind has one function that
 * first rejects unknown keys (a typo must not silently become a default),
 * then reads its fields with Octavia's defaults and limits. Every error
 * message starts with the JSON path of the offending value.
 */
#include "config/parse.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/parse_int.h"
#include "core/arena.h"
#include "core/xalloc.h"

#define TIMEOUT_MAX_MS 2073600000LL /* Octavia's upper bound for listener timeouts */

void path_key(struct path *out, const struct path *base, const char *key)
{
    snprintf(out->s, sizeof(out->s), "%s%s%s", base->s, base->s[0] ? "." : "", key);
}

void path_index(struct path *out, const struct path *base, const char *key, size_t i)
{
    snprintf(out->s, sizeof(out->s), "%s%s%s[%zu]", base->s, base->s[0] ? "." : "", key, i);
}

int fail(struct ctx *c, const struct path *p, const char *key, const char *fmt, ...)
{
    char msg[384];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (key)
        return bl_err_set(c->err, -EINVAL, "%s%s%s: %s", p->s, p->s[0] ? "." : "", key, msg);
    return bl_err_set(c->err, -EINVAL, "%s: %s", p->s[0] ? p->s : "(top level)", msg);
}

/* ---- field readers: each returns 0 or -EINVAL; null means "use the default" ---- */

int check_keys(struct ctx *c, const struct path *p, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        size_t i;
        for (i = 0; known[i] != NULL; i++) {
            if (strcmp(known[i], key) == 0)
                break;
        }
        if (known[i] == NULL)
            return fail(c, p, key, "unknown field");
    }
    return 0;
}

int get_str(struct ctx *c, const struct path *p, json_t *obj, const char *key, const char **out,
            const char *def)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_string(v))
        return fail(c, p, key, "must be a string");
    if (json_string_length(v) > 255)
        return fail(c, p, key, "must be at most 255 characters");
    *out = bl_arena_strdup(c->arena, json_string_value(v));
    return 0;
}

static int get_int(struct ctx *c, const struct path *p, json_t *obj, const char *key,
                   int64_t *out, int64_t def, int64_t min, int64_t max)
{
    json_t *v = json_object_get(obj, key);
    json_int_t n;

    if (v == NULL || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v))
        return fail(c, p, key, "must be an integer");
    n = json_integer_value(v);
    if (n < min || n > max)
        return fail(c, p, key, "must be %lld..%lld", (long long)min, (long long)max);
    *out = n;
    return 0;
}

int get_bool(struct ctx *c, const struct path *p, json_t *obj, const char *key, bool *out,
             bool def)
{
    json_t *v = json_object_get(obj, key);

    if (v == NULL || json_is_null(v)) {
        *out = def;
        return 0;
    }
    if (!json_is_boolean(v))
        return fail(c, p, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* Reads a mandatory string that must be one of `allowed`; returns its index via `out`. */
int get_enum(struct ctx *c, const struct path *p, json_t *obj, const char *key,
             const char *const *allowed, int *out)
{
    json_t *v = json_object_get(obj, key);
    char list[256] = "";

    if (v == NULL || json_is_null(v))
        return fail(c, p, key, "is required");
    if (json_is_string(v)) {
        for (int i = 0; allowed[i] != NULL; i++) {
            if (strcmp(allowed[i], json_string_value(v)) == 0) {
                *out = i;
                return 0;
            }
        }
    }
    for (int i = 0; allowed[i] != NULL; i++) {
        strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
        strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
    }
    return fail(c, p, key, "must be one of %s", list);
}

static int get_proto(struct ctx *c, const struct path *p, json_t *obj, const char *key,
                     enum bl_proto *out)
{
    static const char *const names[] = {"TCP",   "UDP",     "HTTP", "HTTPS",      "TERMINATED_HTTPS",
                                        "PROXY", "PROXYV2", "SCTP", "PROMETHEUS", NULL};
    int i, rc = get_enum(c, p, obj, key, names, &i);

    if (rc == 0)
        *out = (enum bl_proto)i;
    return rc;
}

/* ---- members ---------------------------------------------------------------------- */

static const char *const member_keys[] = {
    "id",         "name",      "address",     "protocol_port",      "weight",
    "backup",     "admin_state_up", "subnet_id", "monitor_address",  "monitor_port",
    "tags",       "project_id", "tenant_id",  "provisioning_status", "operating_status",
    "created_at", "updated_at", "vnic_type",  NULL};

static int parse_member(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_member *m)
{
    int64_t port, weight, mport;
    const char *maddr;
    struct bl_addr tmp;

    if (!json_is_object(o))
        return fail(c, p, NULL, "must be an object");
    if (check_keys(c, p, o, member_keys) || get_str(c, p, o, "id", &m->id, "") ||
        get_str(c, p, o, "name", &m->name, "") || get_str(c, p, o, "address", &m->address, NULL))
        return -EINVAL;
    if (m->address == NULL)
        return fail(c, p, "address", "is required");
    if (get_int(c, p, o, "protocol_port", &port, 0, 1, 65535))
        return -EINVAL;
    if (port == 0)
        return fail(c, p, "protocol_port", "is required");
    if (bl_addr_parse(&m->addr, m->address, (uint16_t)port) < 0)
        return fail(c, p, "address", "'%s' is not an IPv4 or IPv6 address", m->address);
    if (get_int(c, p, o, "weight", &weight, 1, 0, 256) ||
        get_bool(c, p, o, "backup", &m->backup, false) ||
        get_bool(c, p, o, "admin_state_up", &m->admin_up, true) ||
        get_str(c, p, o, "monitor_address", &maddr, NULL) ||
        get_int(c, p, o, "monitor_port", &mport, 0, 1, 65535))
        return -EINVAL;
    if (maddr && bl_addr_parse(&tmp, maddr, 0) < 0)
        return fail(c, p, "monitor_address", "'%s' is not an IPv4 or IPv6 address", maddr);
    m->weight = (uint32_t)weight;
    m->monitor_address = maddr;
    m->monitor_port = (uint16_t)mport;
    /* Health probes go to monitor_address:monitor_port, each defaulting to
     * the member's own address and port. */
    bl_addr_parse(&m->probe_addr, maddr ? maddr : m->address, (uint16_t)(mport ? mport : port));
    return 0;
}

/* ---- health monitor ------------------------------------------------------------- */

static const char *const monitor_keys[] = {
    "id",          "name",        "type",           "delay",          "timeout",
    "max_retries", "max_retries_down", "http_method", "url_path",     "expected_codes",
    "http_version", "domain_name", "admin_state_up", "tags",          "project_id",
    "tenant_id",   "provisioning_status", "operating_status", "created_at", "updated_at",
    NULL};

bool json_set(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return v != NULL && !json_is_null(v);
}

/* Visible ASCII only: the value goes into a request line or a header as is. */
static bool is_visible(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    }
    return true;
}

static bool is_hostname(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 253)
        return false;
    for (; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '.' || *s == '_'))
            return false;
    }
    return true;
}

/* http_version: 1.0 or 1.1, as a number (Octavia) or a string; null = 1.0. */
static int get_http_version(struct ctx *c, const struct path *p, json_t *o, uint8_t *minor)
{
    json_t *v = json_object_get(o, "http_version");
    double d;

    *minor = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_number(v))
        d = json_number_value(v);
    else if (json_is_string(v))
        d = strtod(json_string_value(v), NULL);
    else
        d = 0;
    if (d == 1.0 || d == 1.1) {
        *minor = d == 1.1;
        return 0;
    }
    return fail(c, p, "http_version", "must be 1.0 or 1.1");
}

/* The HTTP-only fields: refused on other types (as Octavia), defaulted on HTTP(S). */
static int parse_monitor_http(struct ctx *c, const struct path *p, json_t *o,
                              struct bl_cfg_monitor *hm)
{
    static const char *const http_only[] = {"http_method",  "url_path",    "expected_codes",
                                            "http_version", "domain_name", NULL};
    static const char *const methods[] = {"GET",   "HEAD",    "POST",    "PUT",   "DELETE",
                                          "TRACE", "OPTIONS", "CONNECT", "PATCH", NULL};
    const char *why;
    int m = 0;

    if (hm->kind != BL_MON_HTTP && hm->kind != BL_MON_HTTPS) {
        for (int i = 0; http_only[i]; i++) {
            if (json_set(o, http_only[i]))
                return fail(c, p, http_only[i],
                            "is not a valid option for health monitors of type %s", hm->type);
        }
        return 0;
    }
    if ((json_set(o, "http_method") && get_enum(c, p, o, "http_method", methods, &m)) ||
        get_str(c, p, o, "url_path", &hm->url_path, "/") ||
        get_str(c, p, o, "expected_codes", &hm->expected_codes, "200") ||
        get_str(c, p, o, "domain_name", &hm->domain_name, NULL) ||
        get_http_version(c, p, o, &hm->http_minor))
        return -EINVAL;
    hm->http_method = methods[m];
    if (hm->url_path[0] != '/' || !is_visible(hm->url_path))
        return fail(c, p, "url_path",
                    "must start with '/' and hold no spaces or control characters");
    if (bl_codeset_parse(hm->expected_codes, &hm->codes, &why) < 0)
        return fail(c, p, "expected_codes", "'%s' is not valid: %s", hm->expected_codes, why);
    if (hm->domain_name && !is_hostname(hm->domain_name))
        return fail(c, p, "domain_name", "'%s' is not a host name", hm->domain_name);
    if (hm->domain_name && !json_set(o, "http_version"))
        return fail(c, p, "domain_name", "needs http_version 1.1");
    if (hm->domain_name && hm->http_minor == 0)
        return fail(c, p, "http_version", "must be 1.1 when domain_name is set");
    return 0;
}

/* Octavia's pairing of monitor types and pool protocols; SCTP has no prober here. */
static int check_monitor_type(struct ctx *c, const struct path *p, const struct bl_cfg_monitor *hm,
                              enum bl_proto pool_proto)
{
    if (hm->kind == BL_MON_SCTP)
        return fail(c, p, "type",
                    "SCTP health monitors are not supported by ballast (no SCTP in its data "
                    "plane); use TCP, HTTP, HTTPS, TLS-HELLO, PING or UDP-CONNECT");
    if (pool_proto == BL_PROTO_UDP && hm->kind != BL_MON_UDP_CONNECT && hm->kind != BL_MON_TCP &&
        hm->kind != BL_MON_HTTP)
        return fail(c, p, "type",
                    "the pool protocol is UDP, so only a UDP-CONNECT, TCP or HTTP health "
                    "monitor is supported");
    if (pool_proto != BL_PROTO_UDP && hm->kind == BL_MON_UDP_CONNECT)
        return fail(c, p, "type", "UDP-CONNECT is only supported for pools of protocol UDP");
    return 0;
}

static int parse_monitor(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_monitor *hm,
                         enum bl_proto pool_proto)
{
    static const char *const types[] = {"HTTP", "HTTPS", "PING", "TCP", "TLS-HELLO",
                                        "UDP-CONNECT", "SCTP", NULL};
    int64_t delay, timeout, retries, retries_down;
    int type;

    if (!json_is_object(o))
        return fail(c, p, NULL, "must be an object");
    if (check_keys(c, p, o, monitor_keys) || get_enum(c, p, o, "type", types, &type) ||
        get_int(c, p, o, "delay", &delay, -1, 1, INT32_MAX) ||
        get_int(c, p, o, "timeout", &timeout, -1, 1, INT32_MAX) ||
        get_int(c, p, o, "max_retries", &retries, -1, 1, 10) ||
        get_int(c, p, o, "max_retries_down", &retries_down, 3, 1, 10) ||
        get_bool(c, p, o, "admin_state_up", &hm->admin_up, true))
        return -EINVAL;
    if (delay < 0)
        return fail(c, p, "delay", "is required");
    if (timeout < 0)
        return fail(c, p, "timeout", "is required");
    if (retries < 0)
        return fail(c, p, "max_retries", "is required");
    if (timeout > delay)
        return fail(c, p, "timeout", "must not exceed delay (%lld s)", (long long)delay);
    hm->type = types[type];
    hm->kind = (enum bl_monitor_type)type;
    hm->delay_s = (uint32_t)delay;
    hm->timeout_s = (uint32_t)timeout;
    hm->max_retries = (uint32_t)retries;
    hm->max_retries_down = (uint32_t)retries_down;
    if (check_monitor_type(c, p, hm, pool_proto))
        return -EINVAL;
    return parse_monitor_http(c, p, o, hm);
}

/* ---- pools ------------------------------------------------------------------------ */

static const char *const pool_keys[] = {
    "id",           "name",          "description",        "protocol",
    "lb_algorithm", "session_persistence", "healthmonitor", "members",
    "admin_state_up", "tags",        "tls_enabled",        "tls_container_ref",
    "ca_tls_container_ref", "crl_container_ref", "tls_ciphers", "tls_versions",
    "alpn_protocols", "listener_id", "loadbalancer_id",    "project_id",
    "tenant_id",    "provisioning_status", "operating_status", "created_at",
    "updated_at",   "listeners",     "loadbalancers",      "healthmonitor_id",
    "ballast_panic", "ballast_outlier_detection", "ballast_close_on_markdown", NULL};

static int parse_members(struct ctx *c, const struct path *p, json_t *arr,
                         struct bl_cfg_pool *pool)
{
    struct path mp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return fail(c, p, "members", "must be a list");
    pool->nmembers = (uint32_t)json_array_size(arr);
    pool->members = bl_arena_alloc(c->arena, pool->nmembers * sizeof(*pool->members));
    json_array_foreach(arr, i, v) {
        path_index(&mp, p, "members", i);
        if (parse_member(c, &mp, v, &pool->members[i]))
            return -EINVAL;
        for (size_t k = 0; k < i; k++) {
            if (bl_addr_equal(&pool->members[k].addr, &pool->members[i].addr))
                return fail(c, &mp, NULL, "duplicate member %s:%u (same as members[%zu])",
                            pool->members[i].address, bl_addr_port(&pool->members[i].addr), k);
        }
    }
    return 0;
}

static const char *const outlier_keys[] = {"consecutive_errors", "interval", "base_ejection_time",
                                           "max_ejection_percent", NULL};

/* ballast_outlier_detection: null/absent = off, {} = on with Envoy's defaults. */
static int parse_outlier(struct ctx *c, const struct path *pp, json_t *o, struct bl_outlier_cfg *od)
{
    int64_t errors, interval, base, pct;
    struct path p;

    od->enabled = false;
    if (o == NULL || json_is_null(o))
        return 0;
    path_key(&p, pp, "ballast_outlier_detection");
    if (!json_is_object(o))
        return fail(c, &p, NULL, "must be an object (or null)");
    if (check_keys(c, &p, o, outlier_keys) ||
        get_int(c, &p, o, "consecutive_errors", &errors, BL_OUTLIER_DEFAULT_ERRORS, 1, 1000) ||
        get_int(c, &p, o, "interval", &interval, BL_OUTLIER_DEFAULT_INTERVAL_S, 1, 3600) ||
        get_int(c, &p, o, "base_ejection_time", &base, BL_OUTLIER_DEFAULT_BASE_S, 1, 3600) ||
        get_int(c, &p, o, "max_ejection_percent", &pct, BL_OUTLIER_DEFAULT_MAX_PERCENT, 0, 100))
        return -EINVAL;
    *od = (struct bl_outlier_cfg){true, (uint32_t)errors, (uint32_t)interval, (uint32_t)base,
                                  (uint32_t)pct};
    return 0;
}

static int check_pool_proto(struct ctx *c, const struct path *p, enum bl_proto proto)
{
    switch (proto) {
    case BL_PROTO_TCP:
    case BL_PROTO_UDP:
    case BL_PROTO_HTTP:
    case BL_PROTO_HTTPS:
    case BL_PROTO_PROXY:
    case BL_PROTO_PROXYV2:
        return 0;
    case BL_PROTO_SCTP:
        return fail(c, p, "protocol", "SCTP pools are not supported by ballast");
    default:
        return fail(c, p, "protocol", "%s is not a pool protocol", bl_proto_name(proto));
    }
}

static int parse_pool(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_pool *pool)
{
    static const char *const algos[] = {"ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP",
                                        "SOURCE_IP_PORT", NULL};
    json_t *hm;
    struct path hp;
    int algo;

    if (!json_is_object(o))
        return fail(c, p, NULL, "must be an object");
    if (check_keys(c, p, o, pool_keys) || get_str(c, p, o, "id", &pool->id, "") ||
        get_str(c, p, o, "name", &pool->name, "") || get_proto(c, p, o, "protocol", &pool->proto) ||
        check_pool_proto(c, p, pool->proto) || get_enum(c, p, o, "lb_algorithm", algos, &algo) ||
        get_bool(c, p, o, "admin_state_up", &pool->admin_up, true) ||
        get_bool(c, p, o, "ballast_panic", &pool->panic, false) ||
        get_bool(c, p, o, "ballast_close_on_markdown", &pool->close_on_markdown, false) ||
        parse_outlier(c, p, json_object_get(o, "ballast_outlier_detection"), &pool->outlier) ||
        parse_members(c, p, json_object_get(o, "members"), pool) || parse_pool_tls(c, p, o, pool))
        return -EINVAL;
    pool->algo = bl_algo_find(algos[algo]);
    hm = json_object_get(o, "healthmonitor");
    if (hm != NULL && !json_is_null(hm)) {
        path_key(&hp, p, "healthmonitor");
        if (parse_monitor(c, &hp, hm, &pool->monitor, pool->proto))
            return -EINVAL;
    }
    return 0;
}

/* ---- listeners -------------------------------------------------------------------- */

static const char *const listener_keys[] = {
    "id", "name", "description", "protocol", "protocol_port", "connection_limit",
    "default_pool_id", "default_pool", "timeout_client_data", "timeout_member_connect",
    "timeout_member_data", "timeout_tcp_inspect", "insert_headers", "allowed_cidrs",
    "default_tls_container_ref", "sni_container_refs", "client_authentication",
    "client_ca_tls_container_ref", "client_crl_container_ref", "tls_ciphers", "tls_versions",
    "alpn_protocols", "l7policies", "admin_state_up", "tags", "project_id", "tenant_id",
    "loadbalancer_id", "loadbalancers", "provisioning_status", "operating_status",
    "created_at", "updated_at", "hsts_max_age", "hsts_include_subdomains", "hsts_preload",
    "ballast_timeout_http_request", NULL};

static int check_listener_proto(struct ctx *c, const struct path *p, enum bl_proto proto)
{
    switch (proto) {
    case BL_PROTO_TCP:
    case BL_PROTO_UDP:
    case BL_PROTO_HTTPS:
    case BL_PROTO_HTTP:
    case BL_PROTO_TERMINATED_HTTPS:
        return 0;
    case BL_PROTO_PROMETHEUS:
        return fail(c, p, "protocol", "%s listeners are not supported by this ballast yet "
                    "(the L7 proxy is still to come); use TCP", bl_proto_name(proto));
    case BL_PROTO_SCTP:
        return fail(c, p, "protocol", "SCTP listeners are not supported by ballast");
    default:
        return fail(c, p, "protocol", "%s is not a listener protocol", bl_proto_name(proto));
    }
}

/* Octavia's table "allowed listener/pool protocol pairs". */
static bool protos_compatible(enum bl_proto l, enum bl_proto p)
{
    switch (l) {
    case BL_PROTO_TCP:
        return p == BL_PROTO_HTTP || p == BL_PROTO_HTTPS || p == BL_PROTO_PROXY ||
               p == BL_PROTO_PROXYV2 || p == BL_PROTO_TCP;
    case BL_PROTO_HTTP:
    case BL_PROTO_TERMINATED_HTTPS:
        return p == BL_PROTO_HTTP || p == BL_PROTO_PROXY || p == BL_PROTO_PROXYV2;
    case BL_PROTO_HTTPS:
        return p == BL_PROTO_HTTPS || p == BL_PROTO_PROXY || p == BL_PROTO_PROXYV2 ||
               p == BL_PROTO_TCP;
    case BL_PROTO_UDP:
        return p == BL_PROTO_UDP;
    case BL_PROTO_SCTP:
        return p == BL_PROTO_SCTP;
    default:
        return false;
    }
}

#define DEFAULT_TIMEOUT_HTTP_REQUEST_MS 10000 /* as HAProxy's usual "timeout http-request" */

static int parse_timeouts(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_listener *l)
{
    int64_t tcd, tmc, tmd, tti, thr;

    if (get_int(c, p, o, "timeout_client_data", &tcd, BL_DEFAULT_TIMEOUT_CLIENT_DATA_MS, 0,
                TIMEOUT_MAX_MS) ||
        get_int(c, p, o, "timeout_member_connect", &tmc, BL_DEFAULT_TIMEOUT_MEMBER_CONNECT_MS, 0,
                TIMEOUT_MAX_MS) ||
        get_int(c, p, o, "timeout_member_data", &tmd, BL_DEFAULT_TIMEOUT_MEMBER_DATA_MS, 0,
                TIMEOUT_MAX_MS) ||
        get_int(c, p, o, "timeout_tcp_inspect", &tti, 0, 0, TIMEOUT_MAX_MS) ||
        get_int(c, p, o, "ballast_timeout_http_request", &thr, DEFAULT_TIMEOUT_HTTP_REQUEST_MS, 0,
                TIMEOUT_MAX_MS))
        return -EINVAL;
    l->timeout_request_ms = (uint32_t)thr;
    l->timeout_client_data_ms = (uint32_t)tcd;
    l->timeout_member_connect_ms = (uint32_t)tmc;
    l->timeout_member_data_ms = (uint32_t)tmd;
    return 0;
}

/* Octavia's insert_headers: {"X-Forwarded-For": "true", ...}, values "true"/"false". */
static int parse_insert_headers(struct ctx *c, const struct path *p, json_t *o,
                                struct bl_cfg_listener *l)
{
    json_t *ih = json_object_get(o, "insert_headers"), *v;
    const char *k;
    struct path hp;

    if (ih == NULL || json_is_null(ih))
        return 0;
    if (!json_is_object(ih))
        return fail(c, p, "insert_headers", "must be an object of header names to \"true\"");
    path_key(&hp, p, "insert_headers");
    json_object_foreach(ih, k, v) {
        unsigned i = 0;
        bool on;
        while (i < BL_XH_COUNT && strcasecmp(k, bl_insert_header_names[i]) != 0)
            i++;
        if (i == BL_XH_COUNT)
            return fail(c, &hp, k, "is not a header ballast can insert (X-Forwarded-For, "
                        "X-Forwarded-Port, X-Forwarded-Proto, X-SSL-Client-*, X-SSL-Issuer)");
        if (json_is_boolean(v))
            on = json_is_true(v);
        else if (json_is_string(v) && (strcasecmp(json_string_value(v), "true") == 0 ||
                                       strcasecmp(json_string_value(v), "false") == 0))
            on = strcasecmp(json_string_value(v), "true") == 0;
        else
            return fail(c, &hp, k, "must be \"true\" or \"false\"");
        if (on && l->proto != BL_PROTO_HTTP && l->proto != BL_PROTO_TERMINATED_HTTPS)
            return fail(c, &hp, k, "headers are inserted only by HTTP and TERMINATED_HTTPS "
                        "listeners, not %s", bl_proto_name(l->proto));
        if (on && (1u << i) & BL_XH_SSL_ANY && l->proto != BL_PROTO_TERMINATED_HTTPS)
            return fail(c, &hp, k, "is inserted only by TERMINATED_HTTPS listeners");
        if (on)
            l->insert_headers |= 1u << i;
    }
    return 0;
}

static int parse_cidrs(struct ctx *c, const struct path *p, json_t *arr, const struct bl_cfg_lb *lb,
                       struct bl_cfg_listener *l)
{
    struct path cp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return fail(c, p, "allowed_cidrs", "must be a list of CIDR strings");
    l->nallowed_cidrs = (uint32_t)json_array_size(arr);
    l->allowed_cidrs = bl_arena_alloc(c->arena, l->nallowed_cidrs * sizeof(*l->allowed_cidrs));
    json_array_foreach(arr, i, v) {
        path_index(&cp, p, "allowed_cidrs", i);
        if (!json_is_string(v) || bl_cidr_parse(&l->allowed_cidrs[i], json_string_value(v)) < 0)
            return fail(c, &cp, NULL, "must be a CIDR such as 192.0.2.0/24");
        if (l->allowed_cidrs[i].family != lb->vip.u.sa.sa_family)
            return fail(c, &cp, NULL, "IP version of '%s' does not match the VIP %s",
                        json_string_value(v), lb->vip_address);
    }
    return 0;
}

static int find_pool(const struct bl_cfg_lb *lb, const char *field, const char *want)
{
    for (uint32_t i = 0; i < lb->npools; i++) {
        const char *have = strcmp(field, "id") == 0 ? lb->pools[i].id : lb->pools[i].name;
        if (have[0] != '\0' && strcmp(have, want) == 0)
            return (int)i;
    }
    return -1;
}

/* Appends an embedded pool spec to the load balancer's pool list; returns its index. */
static int add_pool(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_lb *lb)
{
    struct bl_cfg_pool *pools = bl_arena_alloc(c->arena, (lb->npools + 1) * sizeof(*pools));

    if (lb->npools)
        memcpy(pools, lb->pools, lb->npools * sizeof(*pools));
    lb->pools = pools;
    if (parse_pool(c, p, o, &pools[lb->npools]))
        return -EINVAL;
    return (int)lb->npools++;
}

/* default_pool is either a full pool spec or {"name": ...} naming one of lb.pools. */
static int parse_default_pool(struct ctx *c, const struct path *p, json_t *o,
                              struct bl_cfg_lb *lb, struct bl_cfg_listener *l)
{
    json_t *dp = json_object_get(o, "default_pool");
    const char *ref = NULL;
    struct path pp;

    l->pool = -1;
    if (get_str(c, p, o, "default_pool_id", &ref, NULL))
        return -EINVAL;
    if (ref != NULL) {
        l->pool = find_pool(lb, "id", ref);
        if (l->pool < 0)
            return fail(c, p, "default_pool_id", "no pool with id '%s' in this load balancer",
                        ref);
        return 0;
    }
    if (dp == NULL || json_is_null(dp))
        return 0;
    path_key(&pp, p, "default_pool");
    if (!json_is_object(dp))
        return fail(c, &pp, NULL, "must be an object");
    if (json_object_size(dp) == 1 && json_is_string(json_object_get(dp, "name"))) {
        ref = json_string_value(json_object_get(dp, "name"));
        l->pool = find_pool(lb, "name", ref);
        if (l->pool < 0)
            return fail(c, &pp, "name", "no pool named '%s' in loadbalancer.pools", ref);
        return 0;
    }
    l->pool = add_pool(c, &pp, dp, lb);
    return l->pool < 0 ? -EINVAL : 0;
}

static int parse_listener(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_lb *lb,
                          struct bl_cfg_listener *l)
{
    int64_t port, limit;
    struct path pp;

    if (!json_is_object(o))
        return fail(c, p, NULL, "must be an object");
    if (check_keys(c, p, o, listener_keys) || get_str(c, p, o, "id", &l->id, "") ||
        get_str(c, p, o, "name", &l->name, "") || get_proto(c, p, o, "protocol", &l->proto) ||
        get_int(c, p, o, "protocol_port", &port, 0, 1, 65535) ||
        get_int(c, p, o, "connection_limit", &limit, -1, -1, INT32_MAX) ||
        get_bool(c, p, o, "admin_state_up", &l->admin_up, true) || parse_timeouts(c, p, o, l) ||
        parse_cidrs(c, p, json_object_get(o, "allowed_cidrs"), lb, l))
        return -EINVAL;
    if (port == 0)
        return fail(c, p, "protocol_port", "is required");
    if (check_listener_proto(c, p, l->proto) || parse_insert_headers(c, p, o, l) ||
        parse_listener_tls(c, p, o, l))
        return -EINVAL;
    l->port = (uint16_t)port;
    l->connection_limit = limit;
    if (parse_default_pool(c, p, o, lb, l))
        return -EINVAL;
    if (l->pool >= 0 && !protos_compatible(l->proto, lb->pools[l->pool].proto)) {
        path_key(&pp, p, "default_pool");
        return fail(c, &pp, "protocol", "the pool protocol '%s' is invalid while the listener "
                    "protocol is '%s'", bl_proto_name(lb->pools[l->pool].proto),
                    bl_proto_name(l->proto));
    }
    return 0;
}

/* ---- load balancers --------------------------------------------------------------- */

static const char *const lb_keys[] = {
    "id", "name", "description", "vip_address", "vip_subnet_id", "vip_network_id",
    "vip_port_id", "vip_qos_policy_id", "additional_vips", "provider", "flavor_id",
    "availability_zone", "project_id", "tenant_id", "admin_state_up", "tags", "listeners",
    "pools", "vip_sg_ids", "vip_vnic_type", "provisioning_status", "operating_status",
    "created_at", "updated_at", NULL};

static int parse_lb_pools(struct ctx *c, const struct path *p, json_t *arr, struct bl_cfg_lb *lb)
{
    struct path pp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return fail(c, p, "pools", "must be a list");
    json_array_foreach(arr, i, v) {
        path_index(&pp, p, "pools", i);
        if (add_pool(c, &pp, v, lb) < 0)
            return -EINVAL;
        if (lb->pools[i].name[0] && find_pool(lb, "name", lb->pools[i].name) != (int)i)
            return fail(c, &pp, "name", "pool names must be unique ('%s')", lb->pools[i].name);
    }
    return 0;
}

/* Listeners of one load balancer may not share a port within an L4 family. */
static int check_port_unique(struct ctx *c, const struct path *p, const struct bl_cfg_lb *lb,
                             uint32_t n)
{
    const struct bl_cfg_listener *l = &lb->listeners[n];

    for (uint32_t k = 0; k < n; k++) {
        const struct bl_cfg_listener *o = &lb->listeners[k];
        if (o->port == l->port && bl_proto_is_stream(o->proto) == bl_proto_is_stream(l->proto))
            return fail(c, p, "protocol_port", "%u is already used by listeners[%u]", l->port, k);
    }
    return 0;
}

static int parse_listeners(struct ctx *c, const struct path *p, json_t *arr, struct bl_cfg_lb *lb)
{
    struct path lp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return fail(c, p, "listeners", "must be a list");
    lb->nlisteners = (uint32_t)json_array_size(arr);
    lb->listeners = bl_arena_alloc(c->arena, lb->nlisteners * sizeof(*lb->listeners));
    json_array_foreach(arr, i, v) {
        path_index(&lp, p, "listeners", i);
        if (parse_listener(c, &lp, v, lb, &lb->listeners[i]) ||
            check_port_unique(c, &lp, lb, (uint32_t)i))
            return -EINVAL;
    }
    return 0;
}

/* Gives each pool a key that stays the same across reloads of an unchanged file. */
static void name_pools(struct ctx *c, struct bl_cfg_lb *lb, const char *lbkey)
{
    char key[512];

    for (uint32_t i = 0; i < lb->npools; i++) {
        struct bl_cfg_pool *pool = &lb->pools[i];
        if (pool->id[0])
            snprintf(key, sizeof(key), "pool:%s", pool->id);
        else if (pool->name[0])
            snprintf(key, sizeof(key), "%s/pool:%s", lbkey, pool->name);
        else
            snprintf(key, sizeof(key), "%s/pool#%u", lbkey, i);
        pool->key = bl_arena_strdup(c->arena, key);
    }
}

static int parse_lb(struct ctx *c, const struct path *p, json_t *o, struct bl_cfg_lb *lb)
{
    char lbkey[320];

    if (!json_is_object(o))
        return fail(c, p, NULL, "must be an object");
    if (check_keys(c, p, o, lb_keys) || get_str(c, p, o, "id", &lb->id, "") ||
        get_str(c, p, o, "name", &lb->name, "") ||
        get_str(c, p, o, "vip_address", &lb->vip_address, NULL) ||
        get_bool(c, p, o, "admin_state_up", &lb->admin_up, true))
        return -EINVAL;
    if (lb->vip_address == NULL)
        return fail(c, p, "vip_address", "is required (the address listeners bind to)");
    if (bl_addr_parse(&lb->vip, lb->vip_address, 0) < 0)
        return fail(c, p, "vip_address", "'%s' is not an IPv4 or IPv6 address", lb->vip_address);
    if (parse_lb_pools(c, p, json_object_get(o, "pools"), lb) ||
        parse_listeners(c, p, json_object_get(o, "listeners"), lb))
        return -EINVAL;
    if (lb->id[0])
        snprintf(lbkey, sizeof(lbkey), "lb:%s", lb->id);
    else
        snprintf(lbkey, sizeof(lbkey), "lb:%s@%s", lb->name, lb->vip_address);
    name_pools(c, lb, lbkey);
    return 0;
}

/* Two load balancers on the same VIP may not both bind one port. */
static int check_vips(struct ctx *c, const struct bl_cfg *cfg, const char *top)
{
    for (uint32_t a = 0; a < cfg->nlbs; a++) {
        for (uint32_t b = 0; b < a; b++) {
            const struct bl_cfg_lb *la = &cfg->lbs[a], *lb2 = &cfg->lbs[b];
            if (!bl_addr_equal(&la->vip, &lb2->vip))
                continue;
            for (uint32_t i = 0; i < la->nlisteners; i++) {
                for (uint32_t k = 0; k < lb2->nlisteners; k++) {
                    const struct bl_cfg_listener *x = &la->listeners[i], *y = &lb2->listeners[k];
                    struct path p;
                    snprintf(p.s, sizeof(p.s), "%s[%u].listeners[%u]", top, a, i);
                    if (x->port == y->port &&
                        bl_proto_is_stream(x->proto) == bl_proto_is_stream(y->proto))
                        return fail(c, &p, "protocol_port",
                                    "%u on %s is already used by %s[%u].listeners[%u]", x->port,
                                    la->vip_address, top, b, k);
                }
            }
        }
    }
    return 0;
}

static int parse_root(struct ctx *c, json_t *root, struct bl_cfg *cfg)
{
    json_t *one = json_object_get(root, "loadbalancer");
    json_t *many = json_object_get(root, "loadbalancers");
    struct path top = {""}, p;
    size_t i;
    json_t *v;

    if (!json_is_object(root) || json_object_size(root) != 1 || (one == NULL && many == NULL))
        return fail(c, &top, NULL, "expected {\"loadbalancer\": {...}} or "
                    "{\"loadbalancers\": [...]}");
    if (one != NULL) {
        cfg->single = true;
        cfg->nlbs = 1;
        cfg->lbs = bl_arena_alloc(c->arena, sizeof(*cfg->lbs));
        path_key(&p, &top, "loadbalancer");
        return parse_lb(c, &p, one, &cfg->lbs[0]);
    }
    if (!json_is_array(many))
        return fail(c, &top, "loadbalancers", "must be a list");
    cfg->nlbs = (uint32_t)json_array_size(many);
    cfg->lbs = bl_arena_alloc(c->arena, cfg->nlbs * sizeof(*cfg->lbs));
    json_array_foreach(many, i, v) {
        path_index(&p, &top, "loadbalancers", i);
        if (parse_lb(c, &p, v, &cfg->lbs[i]))
            return -EINVAL;
    }
    return check_vips(c, cfg, "loadbalancers");
}

int bl_cfg_parse(const char *json, size_t len, struct bl_cfg **out, struct bl_err *err)
{
    struct bl_arena *arena = bl_arena_create();
    struct bl_cfg *cfg = bl_arena_alloc(arena, sizeof(*cfg));
    struct ctx c = {arena, err};
    json_error_t jerr;
    json_t *root;
    int rc;

    cfg->arena = arena;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        bl_arena_destroy(arena);
        return bl_err_set(err, -EINVAL, "invalid JSON at line %d, column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    }
    rc = parse_root(&c, root, cfg);
    json_decref(root);
    if (rc < 0) {
        bl_arena_destroy(arena);
        return rc;
    }
    *out = cfg;
    return 0;
}

int bl_cfg_load(const char *path, struct bl_cfg **out, struct bl_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    int rc;

    if (f == NULL)
        return bl_err_set(err, -errno, "%s: %s", path, strerror(errno));
    do {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 65536;
            buf = bl_xrealloc(buf, cap);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    rc = ferror(f) ? -EIO : 0;
    fclose(f);
    if (rc == 0) {
        rc = bl_cfg_parse(buf, len, out, err);
        if (rc == 0)
            bl_cfg_set_file_dirs(*out, path);
        if (rc < 0 && err != NULL) {
            char msg[sizeof(err->msg)];
            snprintf(msg, sizeof(msg), "%s: %s", path, err->msg);
            memcpy(err->msg, msg, sizeof(msg));
        }
    } else {
        bl_err_set(err, rc, "%s: read error", path);
    }
    free(buf);
    return rc;
}

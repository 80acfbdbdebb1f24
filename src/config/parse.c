/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Declarative file -> struct bl_cfg. Each object kind has one function that
 * first rejects unknown keys (a typo must not silently become a default),
 * then reads its fields with Octavia's defaults and limits. Every error
 * message starts with the JSON path of the offending value. The readers are
 * in parse_util.c, health monitors in parse_monitor.c, L7 in parse_l7.c.
 */
#include "config/parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/parse_int.h"
#include "core/arena.h"
#include "core/file.h"
#include "core/xalloc.h"

#define TIMEOUT_MAX_MS 2073600000LL /* Octavia's upper bound for listener timeouts */

/* ---- members ---------------------------------------------------------------------- */

static const char *const member_keys[] = {
    "id",         "name",      "address",     "protocol_port",      "weight",
    "backup",     "admin_state_up", "subnet_id", "monitor_address",  "monitor_port",
    "tags",       "project_id", "tenant_id",  "provisioning_status", "operating_status",
    "created_at", "updated_at", "vnic_type",  NULL};

static int parse_member(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_member *m)
{
    int64_t port, weight, mport;
    const char *maddr;
    struct bl_addr tmp;

    if (!json_is_object(o))
        return bl_pj_fail(c, p, NULL, "must be an object");
    if (bl_pj_keys(c, p, o, member_keys) || bl_pj_str(c, p, o, "id", &m->id, "") ||
        bl_pj_str(c, p, o, "name", &m->name, "") || bl_pj_str(c, p, o, "address", &m->address, NULL))
        return -EINVAL;
    if (m->address == NULL)
        return bl_pj_fail(c, p, "address", "is required");
    if (bl_pj_int(c, p, o, "protocol_port", &port, 0, 1, 65535))
        return -EINVAL;
    if (port == 0)
        return bl_pj_fail(c, p, "protocol_port", "is required");
    if (bl_addr_parse(&m->addr, m->address, (uint16_t)port) < 0)
        return bl_pj_fail(c, p, "address", "'%s' is not an IPv4 or IPv6 address", m->address);
    if (bl_pj_int(c, p, o, "weight", &weight, 1, 0, 256) ||
        bl_pj_bool(c, p, o, "backup", &m->backup, false) ||
        bl_pj_bool(c, p, o, "admin_state_up", &m->admin_up, true) ||
        bl_pj_str(c, p, o, "monitor_address", &maddr, NULL) ||
        bl_pj_int(c, p, o, "monitor_port", &mport, 0, 1, 65535))
        return -EINVAL;
    if (maddr && bl_addr_parse(&tmp, maddr, 0) < 0)
        return bl_pj_fail(c, p, "monitor_address", "'%s' is not an IPv4 or IPv6 address", maddr);
    m->weight = (uint32_t)weight;
    m->monitor_address = maddr;
    m->monitor_port = (uint16_t)mport;
    /* Health probes go to monitor_address:monitor_port, each defaulting to
     * the member's own address and port. */
    bl_addr_parse(&m->probe_addr, maddr ? maddr : m->address, (uint16_t)(mport ? mport : port));
    return 0;
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
    "ballast_panic", "ballast_outlier_detection", "ballast_close_on_markdown",
    "ballast_retry_policy", NULL};

static int parse_members(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr,
                         struct bl_cfg_pool *pool)
{
    struct bl_pj_path mp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, "members", "must be a list");
    pool->nmembers = (uint32_t)json_array_size(arr);
    pool->members = bl_arena_alloc(c->arena, pool->nmembers * sizeof(*pool->members));
    json_array_foreach(arr, i, v) {
        bl_pj_index(&mp, p, "members", i);
        if (parse_member(c, &mp, v, &pool->members[i]))
            return -EINVAL;
        for (size_t k = 0; k < i; k++) {
            if (bl_addr_equal(&pool->members[k].addr, &pool->members[i].addr))
                return bl_pj_fail(c, &mp, NULL, "duplicate member %s:%u (same as members[%zu])",
                            pool->members[i].address, bl_addr_port(&pool->members[i].addr), k);
        }
    }
    return 0;
}

static const char *const outlier_keys[] = {"consecutive_errors", "interval", "base_ejection_time",
                                           "max_ejection_percent", NULL};

/* ballast_outlier_detection: null/absent = off, {} = on with Envoy's defaults. */
static int parse_outlier(struct bl_pj *c, const struct bl_pj_path *pp, json_t *o, struct bl_outlier_cfg *od)
{
    int64_t errors, interval, base, pct;
    struct bl_pj_path p;

    od->enabled = false;
    if (o == NULL || json_is_null(o))
        return 0;
    bl_pj_key(&p, pp, "ballast_outlier_detection");
    if (!json_is_object(o))
        return bl_pj_fail(c, &p, NULL, "must be an object (or null)");
    if (bl_pj_keys(c, &p, o, outlier_keys) ||
        bl_pj_int(c, &p, o, "consecutive_errors", &errors, BL_OUTLIER_DEFAULT_ERRORS, 1, 1000) ||
        bl_pj_int(c, &p, o, "interval", &interval, BL_OUTLIER_DEFAULT_INTERVAL_S, 1, 3600) ||
        bl_pj_int(c, &p, o, "base_ejection_time", &base, BL_OUTLIER_DEFAULT_BASE_S, 1, 3600) ||
        bl_pj_int(c, &p, o, "max_ejection_percent", &pct, BL_OUTLIER_DEFAULT_MAX_PERCENT, 0, 100))
        return -EINVAL;
    *od = (struct bl_outlier_cfg){true, (uint32_t)errors, (uint32_t)interval, (uint32_t)base,
                                  (uint32_t)pct};
    return 0;
}

/* An IP mask ("255.255.255.0", "ffff:ffff::") as a prefix length; -1 if not a contiguous mask. */
static int mask_prefix(const char *s, bool *v6)
{
    unsigned char b[16];
    int n = 4, bits = 0;

    *v6 = strchr(s, ':') != NULL;
    if (*v6)
        n = 16;
    if (inet_pton(*v6 ? AF_INET6 : AF_INET, s, b) != 1)
        return -1;
    for (int i = 0; i < n; i++) {
        for (int k = 7; k >= 0; k--) {
            if (b[i] >> k & 1) {
                if (bits != i * 8 + (7 - k))
                    return -1; /* a 1 after a 0 */
                bits++;
            }
        }
    }
    return bits;
}

static const char *const persist_keys[] = {"type", "cookie_name", "persistence_timeout",
                                           "persistence_granularity", NULL};

static int parse_granularity(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
                             struct bl_persist_cfg *ps)
{
    const char *g;
    bool v6;
    int bits;

    if (bl_pj_str(c, p, o, "persistence_granularity", &g, NULL))
        return -EINVAL;
    if (g == NULL)
        return 0;
    if (ps->type != BL_PERSIST_SOURCE_IP)
        return bl_pj_fail(c, p, "persistence_granularity", "applies to SOURCE_IP persistence only");
    bits = mask_prefix(g, &v6);
    if (bits < 0)
        return bl_pj_fail(c, p, "persistence_granularity", "must be an IP mask such as 255.255.255.0");
    if (v6)
        ps->prefix_v6 = (uint8_t)bits;
    else
        ps->prefix_v4 = (uint8_t)bits;
    return 0;
}

/* Octavia's session_persistence: null/absent = none. */
static int parse_persist(struct bl_pj *c, const struct bl_pj_path *pp, json_t *o, struct bl_cfg_pool *pool)
{
    static const char *const types[] = {"SOURCE_IP", "HTTP_COOKIE", "APP_COOKIE", NULL};
    struct bl_persist_cfg *ps = &pool->persist;
    int64_t timeout;
    struct bl_pj_path p;
    int type;

    *ps = (struct bl_persist_cfg){BL_PERSIST_NONE, NULL, 0, 32, 128};
    if (o == NULL || json_is_null(o))
        return 0;
    bl_pj_key(&p, pp, "session_persistence");
    if (!json_is_object(o))
        return bl_pj_fail(c, &p, NULL, "must be an object (or null)");
    if (bl_pj_keys(c, &p, o, persist_keys) || bl_pj_enum(c, &p, o, "type", types, &type) ||
        bl_pj_str(c, &p, o, "cookie_name", &ps->cookie_name, NULL) ||
        bl_pj_int(c, &p, o, "persistence_timeout", &timeout, 0, 0, 31536000))
        return -EINVAL;
    ps->type = (enum bl_persist_type)(type + 1);
    ps->timeout_s = (uint32_t)timeout;
    if (ps->type == BL_PERSIST_APP_COOKIE && (ps->cookie_name == NULL || !ps->cookie_name[0]))
        return bl_pj_fail(c, &p, "cookie_name", "is required for APP_COOKIE persistence");
    if (ps->type != BL_PERSIST_APP_COOKIE && ps->cookie_name != NULL)
        return bl_pj_fail(c, &p, "cookie_name", "applies to APP_COOKIE persistence only");
    if (ps->cookie_name && strpbrk(ps->cookie_name, " \t,;\\=\"()<>@:/[]?{}") != NULL)
        return bl_pj_fail(c, &p, "cookie_name", "must be a cookie name (no spaces or separators)");
    if (ps->type != BL_PERSIST_SOURCE_IP && pool->proto != BL_PROTO_HTTP &&
        pool->proto != BL_PROTO_HTTPS)
        return bl_pj_fail(c, &p, "type", "%s persistence needs an HTTP pool, not %s",
                    types[type], bl_proto_name(pool->proto));
    return parse_granularity(c, &p, o, ps);
}

static const char *const retry_keys[] = {"num_retries", "retry_on", "per_try_timeout", NULL};

static int parse_retry_on(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr, uint8_t *on)
{
    static const char *const names[] = {"connect-failure", "reset", "5xx", "per-try-timeout"};
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, "retry_on", "must be a list");
    *on = 0;
    json_array_foreach(arr, i, v) {
        unsigned k = 0;
        while (k < 4 && !(json_is_string(v) && strcmp(json_string_value(v), names[k]) == 0))
            k++;
        if (k == 4)
            return bl_pj_fail(c, p, "retry_on", "entries must be connect-failure, reset, 5xx or "
                        "per-try-timeout");
        *on |= (uint8_t)(1u << k);
    }
    return 0;
}

/* ballast_retry_policy: absent = 1 retry on connect-failure, reset and 5xx. */
static int parse_retry(struct bl_pj *c, const struct bl_pj_path *pp, json_t *o, struct bl_retry_cfg *r)
{
    int64_t n, per_try;
    struct bl_pj_path p;

    *r = (struct bl_retry_cfg){1, BL_RETRY_CONNECT | BL_RETRY_RESET | BL_RETRY_5XX, 0};
    if (o == NULL || json_is_null(o))
        return 0;
    bl_pj_key(&p, pp, "ballast_retry_policy");
    if (!json_is_object(o))
        return bl_pj_fail(c, &p, NULL, "must be an object (or null)");
    if (bl_pj_keys(c, &p, o, retry_keys) ||
        bl_pj_int(c, &p, o, "num_retries", &n, 1, 0, BL_LB_MAX_TRIES - 1) ||
        bl_pj_int(c, &p, o, "per_try_timeout", &per_try, 0, 0, TIMEOUT_MAX_MS) ||
        parse_retry_on(c, &p, json_object_get(o, "retry_on"), &r->on))
        return -EINVAL;
    r->num_retries = (uint8_t)n;
    r->per_try_timeout_ms = (uint32_t)per_try;
    if (per_try > 0 && !(r->on & BL_RETRY_TIMEOUT))
        r->on |= BL_RETRY_TIMEOUT;
    return 0;
}

static int check_pool_proto(struct bl_pj *c, const struct bl_pj_path *p, enum bl_proto proto)
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
        return bl_pj_fail(c, p, "protocol", "SCTP pools are not supported by ballast");
    default:
        return bl_pj_fail(c, p, "protocol", "%s is not a pool protocol", bl_proto_name(proto));
    }
}

static int parse_pool(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_pool *pool)
{
    static const char *const algos[] = {"ROUND_ROBIN", "LEAST_CONNECTIONS", "SOURCE_IP",
                                        "SOURCE_IP_PORT", NULL};
    json_t *hm;
    struct bl_pj_path hp;
    int algo;

    if (!json_is_object(o))
        return bl_pj_fail(c, p, NULL, "must be an object");
    if (bl_pj_keys(c, p, o, pool_keys) || bl_pj_str(c, p, o, "id", &pool->id, "") ||
        bl_pj_str(c, p, o, "name", &pool->name, "") || bl_pj_proto(c, p, o, "protocol", &pool->proto) ||
        check_pool_proto(c, p, pool->proto) || bl_pj_enum(c, p, o, "lb_algorithm", algos, &algo) ||
        bl_pj_bool(c, p, o, "admin_state_up", &pool->admin_up, true) ||
        bl_pj_bool(c, p, o, "ballast_panic", &pool->panic, false) ||
        bl_pj_bool(c, p, o, "ballast_close_on_markdown", &pool->close_on_markdown, false) ||
        parse_outlier(c, p, json_object_get(o, "ballast_outlier_detection"), &pool->outlier) ||
        parse_persist(c, p, json_object_get(o, "session_persistence"), pool) ||
        parse_retry(c, p, json_object_get(o, "ballast_retry_policy"), &pool->retry) ||
        parse_members(c, p, json_object_get(o, "members"), pool) ||
        bl_pj_pool_tls(c, p, o, pool))
        return -EINVAL;
    pool->algo = bl_algo_find(algos[algo]);
    hm = json_object_get(o, "healthmonitor");
    if (hm != NULL && !json_is_null(hm)) {
        bl_pj_key(&hp, p, "healthmonitor");
        if (bl_pj_monitor(c, &hp, hm, &pool->monitor, pool->proto))
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

static int check_listener_proto(struct bl_pj *c, const struct bl_pj_path *p, enum bl_proto proto)
{
    switch (proto) {
    case BL_PROTO_TCP:
    case BL_PROTO_UDP:
    case BL_PROTO_HTTPS:
    case BL_PROTO_HTTP:
    case BL_PROTO_TERMINATED_HTTPS:
        return 0;
    case BL_PROTO_PROMETHEUS:
        return 0; /* what the data plane runs today is snapshot.c's business */
    case BL_PROTO_SCTP:
        return bl_pj_fail(c, p, "protocol", "SCTP listeners are not supported by ballast");
    default:
        return bl_pj_fail(c, p, "protocol", "%s is not a listener protocol", bl_proto_name(proto));
    }
}

/* Octavia's table "allowed listener/pool protocol pairs". */
bool bl_pj_protos_compatible(enum bl_proto l, enum bl_proto p)
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

static int parse_timeouts(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_listener *l)
{
    int64_t tcd, tmc, tmd, tti, thr;

    if (bl_pj_int(c, p, o, "timeout_client_data", &tcd, BL_DEFAULT_TIMEOUT_CLIENT_DATA_MS, 0,
                TIMEOUT_MAX_MS) ||
        bl_pj_int(c, p, o, "timeout_member_connect", &tmc, BL_DEFAULT_TIMEOUT_MEMBER_CONNECT_MS, 0,
                TIMEOUT_MAX_MS) ||
        bl_pj_int(c, p, o, "timeout_member_data", &tmd, BL_DEFAULT_TIMEOUT_MEMBER_DATA_MS, 0,
                TIMEOUT_MAX_MS) ||
        bl_pj_int(c, p, o, "timeout_tcp_inspect", &tti, 0, 0, TIMEOUT_MAX_MS) ||
        bl_pj_int(c, p, o, "ballast_timeout_http_request", &thr, DEFAULT_TIMEOUT_HTTP_REQUEST_MS, 0,
                TIMEOUT_MAX_MS))
        return -EINVAL;
    l->timeout_request_ms = (uint32_t)thr;
    l->timeout_client_data_ms = (uint32_t)tcd;
    l->timeout_member_connect_ms = (uint32_t)tmc;
    l->timeout_member_data_ms = (uint32_t)tmd;
    return 0;
}

/* Octavia's insert_headers: {"X-Forwarded-For": "true", ...}, values "true"/"false". */
static int parse_insert_headers(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
                                struct bl_cfg_listener *l)
{
    json_t *ih = json_object_get(o, "insert_headers"), *v;
    const char *k;
    struct bl_pj_path hp;

    if (ih == NULL || json_is_null(ih))
        return 0;
    if (!json_is_object(ih))
        return bl_pj_fail(c, p, "insert_headers", "must be an object of header names to \"true\"");
    bl_pj_key(&hp, p, "insert_headers");
    json_object_foreach(ih, k, v) {
        unsigned i = 0;
        bool on;
        while (i < BL_XH_COUNT && strcasecmp(k, bl_insert_header_names[i]) != 0)
            i++;
        if (i == BL_XH_COUNT)
            return bl_pj_fail(c, &hp, k, "is not a header ballast can insert (X-Forwarded-For, "
                        "X-Forwarded-Port, X-Forwarded-Proto, X-SSL-Client-*, X-SSL-Issuer)");
        if (json_is_boolean(v))
            on = json_is_true(v);
        else if (json_is_string(v) && (strcasecmp(json_string_value(v), "true") == 0 ||
                                       strcasecmp(json_string_value(v), "false") == 0))
            on = strcasecmp(json_string_value(v), "true") == 0;
        else
            return bl_pj_fail(c, &hp, k, "must be \"true\" or \"false\"");
        if (on && l->proto != BL_PROTO_HTTP && l->proto != BL_PROTO_TERMINATED_HTTPS)
            return bl_pj_fail(c, &hp, k, "headers are inserted only by HTTP and TERMINATED_HTTPS "
                        "listeners, not %s", bl_proto_name(l->proto));
        if (on && (1u << i) & BL_XH_SSL_ANY && l->proto != BL_PROTO_TERMINATED_HTTPS)
            return bl_pj_fail(c, &hp, k, "is inserted only by TERMINATED_HTTPS listeners");
        if (on)
            l->insert_headers |= 1u << i;
    }
    return 0;
}

static int parse_cidrs(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr, const struct bl_cfg_lb *lb,
                       struct bl_cfg_listener *l)
{
    struct bl_pj_path cp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, "allowed_cidrs", "must be a list of CIDR strings");
    l->nallowed_cidrs = (uint32_t)json_array_size(arr);
    l->allowed_cidrs = bl_arena_alloc(c->arena, l->nallowed_cidrs * sizeof(*l->allowed_cidrs));
    json_array_foreach(arr, i, v) {
        bl_pj_index(&cp, p, "allowed_cidrs", i);
        if (!json_is_string(v) || bl_cidr_parse(&l->allowed_cidrs[i], json_string_value(v)) < 0)
            return bl_pj_fail(c, &cp, NULL, "must be a CIDR such as 192.0.2.0/24");
        if (l->allowed_cidrs[i].family != lb->vip.u.sa.sa_family)
            return bl_pj_fail(c, &cp, NULL, "IP version of '%s' does not match the VIP %s",
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
static int add_pool(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_lb *lb)
{
    struct bl_cfg_pool *pools = bl_arena_alloc(c->arena, (lb->npools + 1) * sizeof(*pools));

    if (lb->npools)
        memcpy(pools, lb->pools, lb->npools * sizeof(*pools));
    lb->pools = pools;
    if (parse_pool(c, p, o, &pools[lb->npools]))
        return -EINVAL;
    return (int)lb->npools++;
}

int bl_pj_pool_ref(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, const char *id_key,
                   const char *obj_key, struct bl_cfg_lb *lb, int *index)
{
    json_t *dp = json_object_get(o, obj_key);
    const char *ref = NULL;
    struct bl_pj_path pp;

    *index = -1;
    if (bl_pj_str(c, p, o, id_key, &ref, NULL))
        return -EINVAL;
    if (ref != NULL) {
        *index = find_pool(lb, "id", ref);
        if (*index < 0)
            return bl_pj_fail(c, p, id_key, "no pool with id '%s' in this load balancer", ref);
        return 0;
    }
    if (dp == NULL || json_is_null(dp))
        return 0;
    bl_pj_key(&pp, p, obj_key);
    if (!json_is_object(dp))
        return bl_pj_fail(c, &pp, NULL, "must be an object");
    if (json_object_size(dp) == 1 && json_is_string(json_object_get(dp, "name"))) {
        ref = json_string_value(json_object_get(dp, "name"));
        *index = find_pool(lb, "name", ref);
        if (*index < 0)
            return bl_pj_fail(c, &pp, "name", "no pool named '%s' in loadbalancer.pools", ref);
        return 0;
    }
    *index = add_pool(c, &pp, dp, lb);
    return *index < 0 ? -EINVAL : 0;
}

static int parse_listener(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_lb *lb,
                          struct bl_cfg_listener *l)
{
    int64_t port, limit;
    struct bl_pj_path pp;

    if (!json_is_object(o))
        return bl_pj_fail(c, p, NULL, "must be an object");
    if (bl_pj_keys(c, p, o, listener_keys) || bl_pj_str(c, p, o, "id", &l->id, "") ||
        bl_pj_str(c, p, o, "name", &l->name, "") || bl_pj_proto(c, p, o, "protocol", &l->proto) ||
        bl_pj_int(c, p, o, "protocol_port", &port, 0, 1, 65535) ||
        bl_pj_int(c, p, o, "connection_limit", &limit, -1, -1, INT32_MAX) ||
        bl_pj_bool(c, p, o, "admin_state_up", &l->admin_up, true) || parse_timeouts(c, p, o, l) ||
        parse_cidrs(c, p, json_object_get(o, "allowed_cidrs"), lb, l))
        return -EINVAL;
    if (port == 0)
        return bl_pj_fail(c, p, "protocol_port", "is required");
    if (check_listener_proto(c, p, l->proto) || parse_insert_headers(c, p, o, l) ||
        bl_pj_listener_tls(c, p, o, l))
        return -EINVAL;
    l->port = (uint16_t)port;
    l->connection_limit = limit;
    if (bl_pj_pool_ref(c, p, o, "default_pool_id", "default_pool", lb, &l->pool))
        return -EINVAL;
    if (l->pool >= 0 && !bl_pj_protos_compatible(l->proto, lb->pools[l->pool].proto)) {
        bl_pj_key(&pp, p, "default_pool");
        return bl_pj_fail(c, &pp, "protocol", "the pool protocol '%s' is invalid while the listener "
                    "protocol is '%s'", bl_proto_name(lb->pools[l->pool].proto),
                    bl_proto_name(l->proto));
    }
    return bl_pj_l7policies(c, p, json_object_get(o, "l7policies"), lb, l);
}

/* ---- load balancers --------------------------------------------------------------- */

static const char *const lb_keys[] = {
    "id", "name", "description", "vip_address", "vip_subnet_id", "vip_network_id",
    "vip_port_id", "vip_qos_policy_id", "additional_vips", "provider", "flavor_id",
    "availability_zone", "project_id", "tenant_id", "admin_state_up", "tags", "listeners",
    "pools", "vip_sg_ids", "vip_vnic_type", "provisioning_status", "operating_status",
    "created_at", "updated_at", NULL};

static int parse_lb_pools(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr, struct bl_cfg_lb *lb)
{
    struct bl_pj_path pp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, "pools", "must be a list");
    json_array_foreach(arr, i, v) {
        bl_pj_index(&pp, p, "pools", i);
        if (add_pool(c, &pp, v, lb) < 0)
            return -EINVAL;
        if (lb->pools[i].name[0] && find_pool(lb, "name", lb->pools[i].name) != (int)i)
            return bl_pj_fail(c, &pp, "name", "pool names must be unique ('%s')", lb->pools[i].name);
    }
    return 0;
}

/* Listeners of one load balancer may not share a port within an L4 family. */
static int check_port_unique(struct bl_pj *c, const struct bl_pj_path *p, const struct bl_cfg_lb *lb,
                             uint32_t n)
{
    const struct bl_cfg_listener *l = &lb->listeners[n];

    for (uint32_t k = 0; k < n; k++) {
        const struct bl_cfg_listener *o = &lb->listeners[k];
        if (o->port == l->port && bl_proto_is_stream(o->proto) == bl_proto_is_stream(l->proto))
            return bl_pj_fail(c, p, "protocol_port", "%u is already used by listeners[%u]", l->port, k);
    }
    return 0;
}

static int parse_listeners(struct bl_pj *c, const struct bl_pj_path *p, json_t *arr, struct bl_cfg_lb *lb)
{
    struct bl_pj_path lp;
    size_t i;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return bl_pj_fail(c, p, "listeners", "must be a list");
    lb->nlisteners = (uint32_t)json_array_size(arr);
    lb->listeners = bl_arena_alloc(c->arena, lb->nlisteners * sizeof(*lb->listeners));
    json_array_foreach(arr, i, v) {
        bl_pj_index(&lp, p, "listeners", i);
        if (parse_listener(c, &lp, v, lb, &lb->listeners[i]) ||
            check_port_unique(c, &lp, lb, (uint32_t)i))
            return -EINVAL;
    }
    return 0;
}

/* Gives each pool a key that stays the same across reloads of an unchanged file. */
static void name_pools(struct bl_pj *c, struct bl_cfg_lb *lb, const char *lbkey)
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

static int parse_lb(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_lb *lb)
{
    char lbkey[320];

    if (!json_is_object(o))
        return bl_pj_fail(c, p, NULL, "must be an object");
    if (bl_pj_keys(c, p, o, lb_keys) || bl_pj_str(c, p, o, "id", &lb->id, "") ||
        bl_pj_str(c, p, o, "name", &lb->name, "") ||
        bl_pj_str(c, p, o, "vip_address", &lb->vip_address, NULL) ||
        bl_pj_bool(c, p, o, "admin_state_up", &lb->admin_up, true))
        return -EINVAL;
    if (lb->vip_address == NULL)
        return bl_pj_fail(c, p, "vip_address", "is required (the address listeners bind to)");
    if (bl_addr_parse(&lb->vip, lb->vip_address, 0) < 0)
        return bl_pj_fail(c, p, "vip_address", "'%s' is not an IPv4 or IPv6 address", lb->vip_address);
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
static int check_vips(struct bl_pj *c, const struct bl_cfg *cfg, const char *top)
{
    for (uint32_t a = 0; a < cfg->nlbs; a++) {
        for (uint32_t b = 0; b < a; b++) {
            const struct bl_cfg_lb *la = &cfg->lbs[a], *lb2 = &cfg->lbs[b];
            if (!bl_addr_equal(&la->vip, &lb2->vip))
                continue;
            for (uint32_t i = 0; i < la->nlisteners; i++) {
                for (uint32_t k = 0; k < lb2->nlisteners; k++) {
                    const struct bl_cfg_listener *x = &la->listeners[i], *y = &lb2->listeners[k];
                    struct bl_pj_path p;
                    snprintf(p.s, sizeof(p.s), "%s[%u].listeners[%u]", top, a, i);
                    if (x->port == y->port &&
                        bl_proto_is_stream(x->proto) == bl_proto_is_stream(y->proto))
                        return bl_pj_fail(c, &p, "protocol_port",
                                    "%u on %s is already used by %s[%u].listeners[%u]", x->port,
                                    la->vip_address, top, b, k);
                }
            }
        }
    }
    return 0;
}

static int parse_root(struct bl_pj *c, json_t *root, struct bl_cfg *cfg)
{
    json_t *one = json_object_get(root, "loadbalancer");
    json_t *many = json_object_get(root, "loadbalancers");
    struct bl_pj_path top = {""}, p;
    size_t i;
    json_t *v;

    if (!json_is_object(root) || json_object_size(root) != 1 || (one == NULL && many == NULL))
        return bl_pj_fail(c, &top, NULL, "expected {\"loadbalancer\": {...}} or "
                    "{\"loadbalancers\": [...]}");
    if (one != NULL) {
        cfg->single = true;
        cfg->nlbs = 1;
        cfg->lbs = bl_arena_alloc(c->arena, sizeof(*cfg->lbs));
        bl_pj_key(&p, &top, "loadbalancer");
        return parse_lb(c, &p, one, &cfg->lbs[0]);
    }
    if (!json_is_array(many))
        return bl_pj_fail(c, &top, "loadbalancers", "must be a list");
    cfg->nlbs = (uint32_t)json_array_size(many);
    cfg->lbs = bl_arena_alloc(c->arena, cfg->nlbs * sizeof(*cfg->lbs));
    json_array_foreach(many, i, v) {
        bl_pj_index(&p, &top, "loadbalancers", i);
        if (parse_lb(c, &p, v, &cfg->lbs[i]))
            return -EINVAL;
    }
    return check_vips(c, cfg, "loadbalancers");
}

int bl_cfg_parse(const char *json, size_t len, struct bl_cfg **out, struct bl_err *err)
{
    struct bl_arena *arena = bl_arena_create();
    struct bl_cfg *cfg = bl_arena_alloc(arena, sizeof(*cfg));
    struct bl_pj c = {arena, err};
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
    char *buf = NULL;
    size_t len = 0;
    int rc = bl_read_file(path, &buf, &len, err);

    if (rc < 0)
        return rc;
    rc = bl_cfg_parse(buf, len, out, err);
    if (rc == 0)
        bl_cfg_set_file_dirs(*out, path);
    if (rc < 0 && err != NULL) {
        char msg[sizeof(err->msg)];
        snprintf(msg, sizeof(msg), "%s: %s", path, err->msg);
        memcpy(err->msg, msg, sizeof(msg));
    }
    free(buf);
    return rc;
}

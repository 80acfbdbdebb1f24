/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Health monitors in the declarative file: Octavia's types, timings and the
 * HTTP-only options, refused on the types that do not use them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/parse_int.h"

static const char *const monitor_keys[] = {"id",
                                           "name",
                                           "type",
                                           "delay",
                                           "timeout",
                                           "max_retries",
                                           "max_retries_down",
                                           "http_method",
                                           "url_path",
                                           "expected_codes",
                                           "http_version",
                                           "domain_name",
                                           "admin_state_up",
                                           BL_PJ_META_KEYS,
                                           NULL};

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
static int get_http_version(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, uint8_t *minor)
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
    return bl_pj_fail(c, p, "http_version", "must be 1.0 or 1.1");
}

/* The HTTP-only fields: refused on other types (as Octavia), defaulted on HTTP(S). */
static int parse_monitor_http(struct bl_pj *c, const struct bl_pj_path *p, json_t *o,
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
            if (bl_pj_set(o, http_only[i]))
                return bl_pj_fail(c, p, http_only[i],
                                  "is not a valid option for health monitors of type %s", hm->type);
        }
        return 0;
    }
    if ((bl_pj_set(o, "http_method") && bl_pj_enum(c, p, o, "http_method", methods, &m)) ||
        bl_pj_str(c, p, o, "url_path", &hm->url_path, "/") ||
        bl_pj_str(c, p, o, "expected_codes", &hm->expected_codes, "200") ||
        bl_pj_str(c, p, o, "domain_name", &hm->domain_name, NULL) ||
        get_http_version(c, p, o, &hm->http_minor))
        return -EINVAL;
    hm->http_method = methods[m];
    if (hm->url_path[0] != '/' || !is_visible(hm->url_path))
        return bl_pj_fail(c, p, "url_path",
                          "must start with '/' and hold no spaces or control characters");
    if (bl_codeset_parse(hm->expected_codes, &hm->codes, &why) < 0)
        return bl_pj_fail(c, p, "expected_codes", "'%s' is not valid: %s", hm->expected_codes, why);
    if (hm->domain_name && !is_hostname(hm->domain_name))
        return bl_pj_fail(c, p, "domain_name", "'%s' is not a host name", hm->domain_name);
    if (hm->domain_name && !bl_pj_set(o, "http_version"))
        return bl_pj_fail(c, p, "domain_name", "needs http_version 1.1");
    if (hm->domain_name && hm->http_minor == 0)
        return bl_pj_fail(c, p, "http_version", "must be 1.1 when domain_name is set");
    return 0;
}

/* Octavia's pairing of monitor types and pool protocols; SCTP has no prober here. */
static int check_monitor_type(struct bl_pj *c, const struct bl_pj_path *p,
                              const struct bl_cfg_monitor *hm, enum bl_proto pool_proto)
{
    if (hm->kind == BL_MON_SCTP)
        return bl_pj_fail(c, p, "type",
                          "SCTP health monitors are not supported by ballast (no SCTP in its data "
                          "plane); use TCP, HTTP, HTTPS, TLS-HELLO, PING or UDP-CONNECT");
    if (pool_proto == BL_PROTO_UDP && hm->kind != BL_MON_UDP_CONNECT && hm->kind != BL_MON_TCP &&
        hm->kind != BL_MON_HTTP)
        return bl_pj_fail(c, p, "type",
                          "the pool protocol is UDP, so only a UDP-CONNECT, TCP or HTTP health "
                          "monitor is supported");
    if (pool_proto != BL_PROTO_UDP && hm->kind == BL_MON_UDP_CONNECT)
        return bl_pj_fail(c, p, "type", "UDP-CONNECT is only supported for pools of protocol UDP");
    return 0;
}

int bl_pj_monitor(struct bl_pj *c, const struct bl_pj_path *p, json_t *o, struct bl_cfg_monitor *hm,
                  enum bl_proto pool_proto)
{
    static const char *const types[] = {"HTTP",      "HTTPS",       "PING", "TCP",
                                        "TLS-HELLO", "UDP-CONNECT", "SCTP", NULL};
    int64_t delay, timeout, retries, retries_down;
    int type;

    if (!json_is_object(o))
        return bl_pj_fail(c, p, NULL, "must be an object");
    if (bl_pj_keys(c, p, o, monitor_keys) || bl_pj_enum(c, p, o, "type", types, &type) ||
        bl_pj_int(c, p, o, "delay", &delay, -1, 1, INT32_MAX) ||
        bl_pj_int(c, p, o, "timeout", &timeout, -1, 1, INT32_MAX) ||
        bl_pj_int(c, p, o, "max_retries", &retries, -1, 1, 10) ||
        bl_pj_int(c, p, o, "max_retries_down", &retries_down, 3, 1, 10) ||
        bl_pj_bool(c, p, o, "admin_state_up", &hm->admin_up, true))
        return -EINVAL;
    if (delay < 0)
        return bl_pj_fail(c, p, "delay", "is required");
    if (timeout < 0)
        return bl_pj_fail(c, p, "timeout", "is required");
    if (retries < 0)
        return bl_pj_fail(c, p, "max_retries", "is required");
    if (timeout > delay)
        return bl_pj_fail(c, p, "timeout", "must not exceed delay (%lld s)", (long long)delay);
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

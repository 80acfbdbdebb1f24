/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the health-related parts of src/config/parse.c: health
 * monitor fields and defaults, member probe overrides, the ballast_panic and
 * ballast_outlier_detection pool extensions, and each refusal's message. */
#include <string.h>

#include "config/parse.h"
#include "tap.h"

/* A pool of protocol `proto` with one member and healthmonitor `hm`. */
#define HM_POOL(proto, hm, extra)                                                                  \
    "{\"loadbalancer\": {\"vip_address\": \"127.0.0.1\", \"pools\": [{\"protocol\": \"" proto      \
    "\", \"lb_algorithm\": \"ROUND_ROBIN\", \"healthmonitor\": " hm extra ", \"members\": "        \
    "[{\"address\": \"127.0.0.1\", \"protocol_port\": 8080}]}]}}"
#define HM(fields)                                                                                 \
    HM_POOL("TCP", "{\"delay\": 5, \"timeout\": 2, \"max_retries\": 2, " fields "}", "")

static struct bl_cfg *parse_ok(const char *json, const char *name)
{
    struct bl_err err = {0};
    struct bl_cfg *cfg = NULL;

    if (!ok(bl_cfg_parse(json, strlen(json), &cfg, &err) == 0, "%s", name))
        diag("error: %s", err.msg);
    return cfg;
}

static void expect_error(const char *json, const char *msg)
{
    struct bl_err err = {0};
    struct bl_cfg *cfg = NULL;

    is_int(bl_cfg_parse(json, strlen(json), &cfg, &err), -22, "rejected");
    is_str(err.msg, msg, "message names the path and the problem");
}

static void test_http_defaults(void)
{
    struct bl_cfg *cfg = parse_ok(HM("\"type\": \"HTTP\""), "an HTTP monitor with defaults");
    const struct bl_cfg_monitor *m;

    if (cfg == NULL)
        return;
    m = &cfg->lbs[0].pools[0].monitor;
    is_str(m->type, "HTTP", "type");
    ok(m->kind == BL_MON_HTTP, "kind");
    is_int(m->max_retries_down, 3, "max_retries_down defaults to 3");
    ok(m->admin_up, "admin_state_up defaults to true");
    is_str(m->http_method, "GET", "http_method defaults to GET");
    is_str(m->url_path, "/", "url_path defaults to /");
    is_str(m->expected_codes, "200", "expected_codes defaults to 200");
    ok(bl_codeset_has(&m->codes, 200) && !bl_codeset_has(&m->codes, 204), "codes parsed");
    is_int(m->http_minor, 0, "http_version defaults to 1.0, as Octavia's HAProxy checks");
    ok(m->domain_name == NULL, "no domain_name");
    bl_cfg_free(cfg);

    cfg = parse_ok(HM("\"type\": \"HTTPS\", \"http_method\": \"HEAD\", \"url_path\": \"/h?x=1\", "
                      "\"expected_codes\": \"200-204,301\", \"http_version\": 1.1, "
                      "\"domain_name\": \"www.example.com\", \"admin_state_up\": false"),
                   "an HTTPS monitor with every field");
    if (cfg == NULL)
        return;
    m = &cfg->lbs[0].pools[0].monitor;
    ok(m->kind == BL_MON_HTTPS && !m->admin_up, "kind, admin_state_up");
    is_str(m->http_method, "HEAD", "http_method");
    is_str(m->url_path, "/h?x=1", "url_path");
    ok(bl_codeset_has(&m->codes, 203) && bl_codeset_has(&m->codes, 301), "expected_codes");
    is_int(m->http_minor, 1, "http_version 1.1");
    is_str(m->domain_name, "www.example.com", "domain_name");
    bl_cfg_free(cfg);
}

static void test_member_overrides(void)
{
    const char *json =
        "{\"loadbalancer\": {\"vip_address\": \"127.0.0.1\", \"pools\": [{\"protocol\": \"TCP\","
        " \"lb_algorithm\": \"ROUND_ROBIN\", \"ballast_panic\": true,"
        " \"ballast_close_on_markdown\": true,"
        " \"ballast_outlier_detection\": {\"consecutive_errors\": 2, \"interval\": 1},"
        " \"members\": [{\"address\": \"127.0.0.1\", \"protocol_port\": 80,"
        "  \"monitor_address\": \"127.0.0.9\", \"monitor_port\": 81},"
        " {\"address\": \"127.0.0.2\", \"protocol_port\": 80, \"monitor_port\": 82},"
        " {\"address\": \"127.0.0.3\", \"protocol_port\": 80}]}]}}";
    struct bl_cfg *cfg = parse_ok(json, "members with monitor_address / monitor_port");
    const struct bl_cfg_pool *p;
    char s[BL_ADDR_STRLEN];

    if (cfg == NULL)
        return;
    p = &cfg->lbs[0].pools[0];
    is_str(bl_addr_str(&p->members[0].probe_addr, s), "127.0.0.9:81", "both overrides");
    is_str(p->members[0].monitor_address, "127.0.0.9", "monitor_address kept as written");
    is_str(bl_addr_str(&p->members[1].probe_addr, s), "127.0.0.2:82", "port override only");
    is_str(bl_addr_str(&p->members[2].probe_addr, s), "127.0.0.3:80", "no override");
    ok(p->members[2].monitor_address == NULL && p->members[2].monitor_port == 0, "none stored");
    ok(p->panic, "ballast_panic");
    ok(p->close_on_markdown, "ballast_close_on_markdown");
    ok(p->outlier.enabled, "ballast_outlier_detection enables passive checks");
    is_int(p->outlier.consecutive_errors, 2, "consecutive_errors");
    is_int(p->outlier.interval_s, 1, "interval");
    is_int(p->outlier.base_ejection_s, 30, "base_ejection_time defaults to 30 s");
    is_int(p->outlier.max_ejection_percent, 10, "max_ejection_percent defaults to 10");
    bl_cfg_free(cfg);
    cfg = parse_ok(HM("\"type\": \"TCP\""), "a pool without the extensions");
    if (cfg != NULL) {
        ok(!cfg->lbs[0].pools[0].panic && !cfg->lbs[0].pools[0].outlier.enabled &&
               !cfg->lbs[0].pools[0].close_on_markdown,
           "panic, passive checks and close-on-markdown are off by default");
        bl_cfg_free(cfg);
    }
}

static void test_errors(void)
{
    const char *hm = "loadbalancer.pools[0].healthmonitor";
    char want[256];

#define WANT(suffix) (snprintf(want, sizeof(want), "%s%s", hm, suffix), want)
    expect_error(HM("\"type\": \"SCTP\""),
                 WANT(".type: SCTP health monitors are not supported by ballast (no SCTP in its "
                      "data plane); use TCP, HTTP, HTTPS, TLS-HELLO, PING or UDP-CONNECT"));
    expect_error(
        HM("\"type\": \"ICMP\""),
        WANT(".type: must be one of HTTP, HTTPS, PING, TCP, TLS-HELLO, UDP-CONNECT, SCTP"));
    expect_error(
        HM_POOL("TCP", "{\"type\": \"TCP\", \"delay\": 2, \"timeout\": 3, \"max_retries\": 1}", ""),
        WANT(".timeout: must not exceed delay (2 s)"));
    expect_error(
        HM_POOL("TCP", "{\"type\": \"TCP\", \"delay\": 0, \"timeout\": 0, \"max_retries\": 1}", ""),
        WANT(".delay: must be 1..2147483647"));
    expect_error(HM("\"type\": \"HTTP\", \"expected_codes\": \"200-2xx\""),
                 WANT(".expected_codes: '200-2xx' is not valid: expected a three-digit HTTP "
                      "status code"));
    expect_error(HM("\"type\": \"HTTP\", \"expected_codes\": \"204-200\""),
                 WANT(".expected_codes: '204-200' is not valid: a range must not end below its "
                      "start"));
    expect_error(HM("\"type\": \"TCP\", \"url_path\": \"/x\""),
                 WANT(".url_path: is not a valid option for health monitors of type TCP"));
    expect_error(HM("\"type\": \"HTTP\", \"url_path\": \"health\""),
                 WANT(".url_path: must start with '/' and hold no spaces or control characters"));
    expect_error(HM("\"type\": \"HTTP\", \"url_path\": \"/a b\""),
                 WANT(".url_path: must start with '/' and hold no spaces or control characters"));
    expect_error(HM("\"type\": \"HTTP\", \"http_method\": \"FETCH\""),
                 WANT(".http_method: must be one of GET, HEAD, POST, PUT, DELETE, TRACE, OPTIONS, "
                      "CONNECT, PATCH"));
    expect_error(HM("\"type\": \"HTTP\", \"http_version\": 2"),
                 WANT(".http_version: must be 1.0 or 1.1"));
    expect_error(HM("\"type\": \"HTTP\", \"domain_name\": \"a.example\""),
                 WANT(".domain_name: needs http_version 1.1"));
    expect_error(HM("\"type\": \"HTTP\", \"domain_name\": \"a.example\", \"http_version\": 1.0"),
                 WANT(".http_version: must be 1.1 when domain_name is set"));
    expect_error(HM("\"type\": \"HTTP\", \"domain_name\": \"a b\", \"http_version\": 1.1"),
                 WANT(".domain_name: 'a b' is not a host name"));
    expect_error(HM("\"type\": \"UDP-CONNECT\""),
                 WANT(".type: UDP-CONNECT is only supported for pools of protocol UDP"));
    expect_error(HM_POOL("UDP",
                         "{\"type\": \"PING\", \"delay\": 5, \"timeout\": 2, "
                         "\"max_retries\": 2}",
                         ""),
                 WANT(".type: the pool protocol is UDP, so only a UDP-CONNECT, TCP or HTTP health "
                      "monitor is supported"));
    expect_error(HM_POOL("TCP", "null", ", \"ballast_panic\": 1"),
                 "loadbalancer.pools[0].ballast_panic: must be true or false");
    expect_error(HM_POOL("TCP", "null", ", \"ballast_outlier_detection\": {\"errors\": 1}"),
                 "loadbalancer.pools[0].ballast_outlier_detection.errors: unknown field");
    expect_error(HM_POOL("TCP", "null", ", \"ballast_outlier_detection\": {\"interval\": 0}"),
                 "loadbalancer.pools[0].ballast_outlier_detection.interval: must be 1..3600");
    expect_error(HM_POOL("TCP", "null", ", \"ballast_outlier_detection\": true"),
                 "loadbalancer.pools[0].ballast_outlier_detection: must be an object (or null)");
#undef WANT
}

int main(void)
{
    test_http_defaults();
    test_member_overrides();
    test_errors();
    return done_testing();
}

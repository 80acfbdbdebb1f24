/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for src/config/parse.c: Octavia defaults, graph references, and
 * the exact error text (JSON path + problem) for each kind of bad input. */
#include <string.h>

#include "config/parse.h"
#include "tap.h"

static struct bl_cfg *parse_ok(const char *json, const char *name)
{
    struct bl_err err = {0};
    struct bl_cfg *cfg = NULL;
    int rc = bl_cfg_parse(json, strlen(json), &cfg, &err);

    if (!ok(rc == 0, "%s", name))
        diag("error: %s", err.msg);
    return cfg;
}

static void expect_error(const char *json, const char *msg)
{
    struct bl_err err = {0};
    struct bl_cfg *cfg = NULL;
    int rc = bl_cfg_parse(json, strlen(json), &cfg, &err);

    is_int(rc, -22, "rejected with -EINVAL");
    is_str(err.msg, msg, "message names the path and the problem");
    ok(cfg == NULL, "no configuration is returned");
}

static void test_example(void)
{
    struct bl_cfg *cfg = parse_ok(
        "{\"loadbalancer\": {\"name\": \"lb\", \"vip_address\": \"127.0.0.1\","
        " \"listeners\": [{\"name\": \"lb-ssh\", \"protocol\": \"TCP\", \"protocol_port\": 2222,"
        "  \"default_pool\": {\"name\": \"lb-ssh-pool\", \"protocol\": \"TCP\","
        "   \"lb_algorithm\": \"ROUND_ROBIN\","
        "   \"members\": [{\"address\": \"127.0.0.1\", \"protocol_port\": 3001},"
        "                {\"address\": \"127.0.0.1\", \"protocol_port\": 3002}]}}]}}",
        "the tutorial's load balancer parses");
    const struct bl_cfg_listener *l;
    const struct bl_cfg_pool *p;

    if (cfg == NULL)
        return;
    is_int(cfg->nlbs, 1, "one load balancer");
    l = &cfg->lbs[0].listeners[0];
    is_int(l->port, 2222, "listener port");
    is_int(l->connection_limit, -1, "connection_limit defaults to -1 (unlimited)");
    is_int(l->timeout_client_data_ms, 50000, "timeout_client_data defaults to 50000");
    is_int(l->timeout_member_connect_ms, 5000, "timeout_member_connect defaults to 5000");
    is_int(l->timeout_member_data_ms, 50000, "timeout_member_data defaults to 50000");
    ok(l->admin_up, "admin_state_up defaults to true");
    is_int(l->pool, 0, "the embedded default pool becomes pools[0]");
    p = &cfg->lbs[0].pools[0];
    is_str(p->algo->name, "ROUND_ROBIN", "algorithm");
    is_int(p->nmembers, 2, "two members");
    is_int(p->members[1].weight, 1, "member weight defaults to 1");
    ok(!p->members[1].backup, "backup defaults to false");
    is_str(p->key, "lb:lb@127.0.0.1/pool:lb-ssh-pool", "pool key is stable (LB name, VIP, pool name)");
    bl_cfg_free(cfg);
}

static void test_graph_references(void)
{
    struct bl_cfg *cfg = parse_ok(
        "{\"loadbalancers\": [{\"vip_address\": \"::1\", \"admin_state_up\": false,"
        " \"pools\": [{\"name\": \"web\", \"protocol\": \"PROXYV2\", \"lb_algorithm\": \"SOURCE_IP\","
        "   \"healthmonitor\": {\"type\": \"TCP\", \"delay\": 5, \"timeout\": 3, \"max_retries\": 2},"
        "   \"members\": [{\"address\": \"::1\", \"protocol_port\": 8080, \"weight\": 0,"
        "                  \"backup\": true, \"admin_state_up\": false}]}],"
        " \"listeners\": [{\"protocol\": \"HTTPS\", \"protocol_port\": 443,"
        "   \"allowed_cidrs\": [\"::1/128\"], \"connection_limit\": 10,"
        "   \"timeout_member_connect\": 0, \"default_pool\": {\"name\": \"web\"}},"
        "  {\"protocol\": \"UDP\", \"protocol_port\": 443}]}]}",
        "a list of load balancers with pools referenced by name");

    if (cfg == NULL)
        return;
    is_int(cfg->lbs[0].nlisteners, 2, "TCP and UDP listeners may share a port number");
    is_int(cfg->lbs[0].listeners[0].pool, 0, "{\"name\": \"web\"} resolves to pools[0]");
    is_int(cfg->lbs[0].listeners[1].pool, -1, "a listener without a pool");
    is_int(cfg->lbs[0].listeners[0].nallowed_cidrs, 1, "allowed_cidrs kept");
    is_int(cfg->lbs[0].listeners[0].connection_limit, 10, "connection_limit kept");
    is_int(cfg->lbs[0].listeners[0].timeout_member_connect_ms, 0, "0 = no timeout is allowed");
    ok(!cfg->lbs[0].admin_up, "LB admin_state_up false kept");
    is_str(cfg->lbs[0].pools[0].monitor.type, "TCP", "health monitor type kept");
    is_int(cfg->lbs[0].pools[0].monitor.max_retries_down, 3, "max_retries_down defaults to 3");
    is_int(cfg->lbs[0].pools[0].members[0].weight, 0, "weight 0 kept");
    ok(cfg->lbs[0].pools[0].members[0].backup, "backup kept");
    bl_cfg_free(cfg);
}

#define LB1(listener) "{\"loadbalancers\": [{\"vip_address\": \"127.0.0.1\", \"listeners\": [" \
    "{\"protocol\": \"TCP\", \"protocol_port\": 80}, " listener "]}]}"
#define POOL(body) "{\"loadbalancer\": {\"vip_address\": \"127.0.0.1\", \"pools\": [" body "]}}"
#define MEMBER(m) POOL("{\"protocol\": \"TCP\", \"lb_algorithm\": \"ROUND_ROBIN\", \"members\": [" m "]}")

static void test_errors(void)
{
    expect_error("{\"loadbalancer\": {\"vip_address\": \"127.0.0.1\",",
                 "invalid JSON at line 1, column 45: string or '}' expected near end of file");
    expect_error("[]", "(top level): expected {\"loadbalancer\": {...}} or {\"loadbalancers\": [...]}");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 70000}"),
                 "loadbalancers[0].listeners[1].protocol_port: must be 1..65535");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 80}"),
                 "loadbalancers[0].listeners[1].protocol_port: 80 is already used by listeners[0]");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 81, \"conection_limit\": 5}"),
                 "loadbalancers[0].listeners[1].conection_limit: unknown field");
    expect_error(LB1("{\"protocol\": \"tcp\", \"protocol_port\": 81}"),
                 "loadbalancers[0].listeners[1].protocol: must be one of TCP, UDP, HTTP, HTTPS, "
                 "TERMINATED_HTTPS, PROXY, PROXYV2, SCTP, PROMETHEUS");
    expect_error(LB1("{\"protocol\": \"PROXY\", \"protocol_port\": 81}"),
                 "loadbalancers[0].listeners[1].protocol: PROXY is not a listener protocol");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 81, \"timeout_client_data\": -1}"),
                 "loadbalancers[0].listeners[1].timeout_client_data: must be 0..2073600000");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 81, \"allowed_cidrs\": [\"::/0\"]}"),
                 "loadbalancers[0].listeners[1].allowed_cidrs[0]: IP version of '::/0' does not "
                 "match the VIP 127.0.0.1");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 81, \"allowed_cidrs\": [\"10/8\"]}"),
                 "loadbalancers[0].listeners[1].allowed_cidrs[0]: must be a CIDR such as 192.0.2.0/24");
    expect_error(LB1("{\"protocol\": \"UDP\", \"protocol_port\": 81, \"default_pool\": "
                     "{\"protocol\": \"TCP\", \"lb_algorithm\": \"ROUND_ROBIN\"}}"),
                 "loadbalancers[0].listeners[1].default_pool.protocol: the pool protocol 'TCP' is "
                 "invalid while the listener protocol is 'UDP'");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 81, \"default_pool\": {\"name\": \"x\"}}"),
                 "loadbalancers[0].listeners[1].default_pool.name: no pool named 'x' in loadbalancer.pools");
    expect_error(LB1("{\"protocol\": \"TCP\", \"protocol_port\": 81, \"default_pool\": "
                     "{\"protocol\": \"TCP\", \"lb_algorithm\": \"RANDOM\"}}"),
                 "loadbalancers[0].listeners[1].default_pool.lb_algorithm: must be one of "
                 "ROUND_ROBIN, LEAST_CONNECTIONS, SOURCE_IP, SOURCE_IP_PORT");
    expect_error(LB1("{\"protocol\": \"PROMETHEUS\", \"protocol_port\": 81}"),
                 "loadbalancers[0].listeners[1].protocol: PROMETHEUS listeners are not supported "
                 "by this ballast yet (the L7 proxy is still to come); use TCP");
    expect_error("{\"loadbalancer\": {\"name\": \"x\"}}",
                 "loadbalancer.vip_address: is required (the address listeners bind to)");
    expect_error("{\"loadbalancer\": {\"vip_address\": \"example.com\"}}",
                 "loadbalancer.vip_address: 'example.com' is not an IPv4 or IPv6 address");
    expect_error(MEMBER("{\"address\": \"127.0.0.1\", \"protocol_port\": 1, \"weight\": 257}"),
                 "loadbalancer.pools[0].members[0].weight: must be 0..256");
    expect_error(MEMBER("{\"address\": \"127.0.0.1\"}"),
                 "loadbalancer.pools[0].members[0].protocol_port: is required");
    expect_error(MEMBER("{\"address\": \"1.2.3\", \"protocol_port\": 1}"),
                 "loadbalancer.pools[0].members[0].address: '1.2.3' is not an IPv4 or IPv6 address");
    expect_error(MEMBER("{\"address\": \"127.0.0.1\", \"protocol_port\": 1, \"backup\": \"yes\"}"),
                 "loadbalancer.pools[0].members[0].backup: must be true or false");
    expect_error(MEMBER("{\"address\": \"127.0.0.1\", \"protocol_port\": 1},"
                        "{\"address\": \"127.0.0.1\", \"protocol_port\": 1}"),
                 "loadbalancer.pools[0].members[1]: duplicate member 127.0.0.1:1 (same as members[0])");
    expect_error(POOL("{\"protocol\": \"TCP\", \"lb_algorithm\": \"ROUND_ROBIN\", \"healthmonitor\":"
                      " {\"type\": \"TCP\", \"delay\": 1, \"timeout\": 5, \"max_retries\": 3}}"),
                 "loadbalancer.pools[0].healthmonitor.timeout: must not exceed delay (1 s)");
    expect_error(POOL("{\"name\": \"a\", \"protocol\": \"TCP\", \"lb_algorithm\": \"ROUND_ROBIN\"},"
                      "{\"name\": \"a\", \"protocol\": \"UDP\", \"lb_algorithm\": \"ROUND_ROBIN\"}"),
                 "loadbalancer.pools[1].name: pool names must be unique ('a')");
    expect_error("{\"loadbalancers\": [{\"vip_address\": \"127.0.0.1\", \"listeners\": "
                 "[{\"protocol\": \"TCP\", \"protocol_port\": 80}]}, {\"vip_address\": \"127.0.0.1\","
                 " \"listeners\": [{\"protocol\": \"HTTPS\", \"protocol_port\": 80}]}]}",
                 "loadbalancers[1].listeners[0].protocol_port: 80 on 127.0.0.1 is already used by "
                 "loadbalancers[0].listeners[0]");
    expect_error("{\"loadbalancer\": {\"vip_address\": \"127.0.0.1\", \"vip_address\": \"::1\"}}",
                 "invalid JSON at line 1, column 59: duplicate object key near '\"vip_address\"'");
}

int main(void)
{
    test_example();
    test_graph_references();
    test_errors();
    return done_testing();
}

# SPDX-License-Identifier: Apache-2.0
"""The fully-populated load balancer create, the member batch update and
failover, each proven with traffic through the VIP."""
from apiutil import (LB, LOOPBACK_SUBNET, assert_fault, create_lb, free_port, members_path,
                     poll, relay, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)


def graph_body(port, members, **lb):
    return {"loadbalancer": dict({
        "name": "g", "vip_subnet_id": LOOPBACK_SUBNET,
        "listeners": [{"name": "l", "protocol": "TCP", "protocol_port": port,
                       "default_pool": {"name": "p"}}],
        "pools": [{"name": "p", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
                   "healthmonitor": {"type": "TCP", "delay": 5, "timeout": 3, "max_retries": 2},
                   "members": [{"address": "127.0.0.1", "protocol_port": m.port}
                               for m in members]}]}, **lb)}


def names(vip, port, n):
    return [relay(vip, port) for _ in range(n)]


def test_graph_create_serves_at_once(api, tcp_member):
    a, b = tcp_member("echo", name="ga"), tcp_member("echo", name="gb")
    port = free_port("127.100.0.1")
    r = api.post(LB, graph_body(port, [a, b]))
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    assert lb["provisioning_status"] == "PENDING_CREATE"
    # the answer embeds the full children, not {"id"} lists
    assert [l["name"] for l in lb["listeners"]] == ["l"], lb
    pool = lb["pools"][0]
    assert pool["name"] == "p" and len(pool["members"]) == 2, pool
    assert pool["healthmonitor"]["type"] == "TCP", pool
    assert lb["listeners"][0]["default_pool_id"] == pool["id"]
    wait_lb(api, lb["id"])
    got = names(lb["vip_address"], port, 4)
    assert sorted(got[:2]) == ["ga", "gb"] and got[:2] == got[2:], got


def test_graph_create_with_embedded_default_pool(api, tcp_member):
    a = tcp_member("echo", name="only")
    port = free_port("127.100.0.1")
    body = {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET, "listeners": [{
        "protocol": "TCP", "protocol_port": port, "default_pool": {
            "protocol": "TCP", "lb_algorithm": "LEAST_CONNECTIONS",
            "members": [{"address": "127.0.0.1", "protocol_port": a.port}]}}]}}
    r = api.post(LB, body)
    assert r.status == 201, r
    lb = wait_lb(api, r.body["loadbalancer"]["id"])
    assert relay(lb["vip_address"], port) == "only"


def test_graph_create_is_atomic(api, tcp_member):
    """A bad child refuses the whole request and leaves nothing behind."""
    body = graph_body(free_port("127.100.0.1"), [tcp_member("echo")])
    body["loadbalancer"]["pools"][0]["members"][0]["weight"] = 999
    r = api.post(LB, body)
    assert_fault(r, 400, "Invalid input for field/attribute weight. Value: '999'. "
                         "Value should be lower or equal to 256")
    assert api.get(LB).body["loadbalancers"] == []
    body["loadbalancer"]["pools"][0]["members"][0]["weight"] = 1
    body["loadbalancer"]["listeners"][0]["default_pool"] = {"name": "nope"}
    r = api.post(LB, body)
    assert_fault(r, 400, "Validation failure: Pool nope is not defined in loadbalancer.pools.")
    assert api.get(LB).body["loadbalancers"] == []


def test_member_batch_update(api, tcp_member):
    a, b, c = (tcp_member("echo", name=n) for n in ("ba", "bb", "bc"))
    port = free_port("127.100.0.1")
    r = api.post(LB, graph_body(port, [a, b]))
    lb = wait_lb(api, r.body["loadbalancer"]["id"])
    pool_id = r.body["loadbalancer"]["pools"][0]["id"]
    # b updated (weight 3), c created, a deleted
    r = api.put(members_path(pool_id), {"members": [
        {"address": "127.0.0.1", "protocol_port": b.port, "weight": 3},
        {"address": "127.0.0.1", "protocol_port": c.port}]})
    assert (r.status, r.raw) == (202, b""), r
    wait_lb(api, lb["id"])
    ms = api.get(members_path(pool_id)).body["members"]
    assert sorted((m["protocol_port"], m["weight"]) for m in ms) == sorted(
        [(b.port, 3), (c.port, 1)]), ms
    got = names(lb["vip_address"], port, 8)
    assert got.count("bb") == 6 and got.count("bc") == 2 and "ba" not in got, got
    # additive_only keeps members that are not listed
    r = api.put(members_path(pool_id) + "?additive_only=true",
                {"members": [{"address": "127.0.0.1", "protocol_port": a.port}]})
    assert r.status == 202, r
    wait_lb(api, lb["id"])
    assert len(api.get(members_path(pool_id)).body["members"]) == 3
    r = api.put(members_path(pool_id), {"members": [{"address": "127.0.0.1"}]})
    assert r.status == 400, r


def test_failover(api):
    lb = create_lb(api)
    r = api.put(f"{LB}/{lb['id']}/failover")
    assert (r.status, r.raw) == (202, b""), r
    assert wait_lb(api, lb["id"])["provisioning_status"] == "ACTIVE"
    r = api.put(f"{LB}/00000000-0000-4000-8000-000000000000/failover")
    assert r.status == 404, r

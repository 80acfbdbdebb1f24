# SPDX-License-Identifier: Apache-2.0
"""REST API: ballast's pool extensions (docs/api-extensions.md) on pool create
and update: ballast_panic, ballast_close_on_markdown, ballast_outlier_detection.
Stored, shown in GET, validated with a 400 naming the field, and run by the
data plane (panic mode spreads over members that are all down)."""
from apiutil import (POOLS, create_lb, create_listener, create_member, create_pool, free_port,
                     members_path, poll, relay, wait_active, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)


def test_defaults_shown(server, api):
    lb = create_lb(api)
    p = create_pool(api, lb_id=lb["id"])
    r = api.get(f"{POOLS}/{p['id']}")
    assert r.status == 200, r
    pool = r.body["pool"]
    assert pool["ballast_panic"] is False
    assert pool["ballast_close_on_markdown"] is False
    assert pool["ballast_outlier_detection"] is None


def test_create_update_and_show(server, api):
    lb = create_lb(api)
    p = create_pool(api, lb_id=lb["id"], ballast_panic=True,
                    ballast_outlier_detection={"consecutive_errors": 3})
    pool = api.get(f"{POOLS}/{p['id']}").body["pool"]
    assert pool["ballast_panic"] is True
    assert pool["ballast_outlier_detection"] == {"consecutive_errors": 3}
    r = api.put(f"{POOLS}/{p['id']}", {"pool": {"ballast_close_on_markdown": True,
                                                 "ballast_outlier_detection": None}})
    assert r.status == 200, r
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    pool = api.get(f"{POOLS}/{p['id']}").body["pool"]
    assert pool["ballast_close_on_markdown"] is True
    assert pool["ballast_panic"] is True
    assert pool["ballast_outlier_detection"] is None


def test_bad_values_refused(server, api):
    lb = create_lb(api)
    base = {"loadbalancer_id": lb["id"], "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"}
    for extra, word in (({"ballast_panic": "maybe"}, "ballast_panic"),
                        ({"ballast_outlier_detection": 5}, "ballast_outlier_detection"),
                        ({"ballast_outlier_detection": {"consecutive_errors": 0}},
                         "consecutive_errors"),
                        ({"ballast_outlier_detection": {"max_ejection_percent": 101}},
                         "max_ejection_percent"),
                        ({"ballast_outlier_detection": {"nope": 1}}, "nope")):
        r = api.post(POOLS, {"pool": dict(base, **extra)})
        assert r.status == 400, (extra, r)
        assert word in r.fault, (extra, r.fault)
    wait_lb(api, lb["id"])
    p = create_pool(api, lb_id=lb["id"])
    r = api.put(f"{POOLS}/{p['id']}", {"pool": {"ballast_close_on_markdown": "x"}})
    assert r.status == 400, r
    pool = api.get(f"{POOLS}/{p['id']}").body["pool"]
    assert pool["ballast_close_on_markdown"] is False and pool["provisioning_status"] == "ACTIVE"


def test_panic_runs(server, api, tcp_member):
    """All members down by health check: refused without panic, relayed with it."""
    a = tcp_member()
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port)
    p = create_pool(api, listener_id=l["id"], ballast_panic=True)
    # a member whose probe port is closed: the monitor marks it down, traffic still works
    create_member(api, p["id"], port=a.port, monitor_port=free_port("127.0.0.1"))
    r = api.post("/v2/lbaas/healthmonitors", {"healthmonitor": {
        "pool_id": p["id"], "type": "TCP", "delay": 1, "timeout": 1, "max_retries": 1,
        "max_retries_down": 1}})
    assert r.status == 201, r
    wait_lb(api, lb["id"])
    poll(lambda: api.get(members_path(p["id"])).body["members"][0]["operating_status"] == "ERROR",
         timeout=6, what="the member marked down")
    assert relay(vip, port) == a.name

# SPDX-License-Identifier: Apache-2.0
"""REST API: health monitors (one per pool, type-specific options and
defaults, update, delete, locking)."""
from apiutil import (HMS, LB, POOLS, UNKNOWN, assert_fault, create_hm, create_lb, create_listener,
                     create_member, create_pool, members_path, pipeline, wait_active, wait_gone,
                     wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)


def base(api, protocol="TCP"):
    lb = create_lb(api)
    p = create_pool(api, lb_id=lb["id"], protocol=protocol)
    return lb, p


def post_hm(api, pool_id, **kw):
    body = {"pool_id": pool_id, "type": "TCP", "delay": 5, "timeout": 4, "max_retries": 3}
    body.update(kw)
    return api.post(HMS, {"healthmonitor": body})


def test_create_tcp_monitor(server, api):
    lb, p = base(api)
    r1, r2, r3 = pipeline(server.port, [
        ("POST", HMS, {"healthmonitor": {"pool_id": p["id"], "type": "TCP", "delay": 5,
                                         "timeout": 4, "max_retries": 3}}),
        ("GET", f"{POOLS}/{p['id']}", None),
        ("GET", f"{LB}/{lb['id']}", None)])
    assert r1.status == 201, r1
    hm = r1.body["healthmonitor"]
    expected = {"name": "", "type": "TCP", "delay": 5, "timeout": 4, "max_retries": 3,
                "max_retries_down": 3, "http_method": None, "url_path": None,
                "expected_codes": None, "admin_state_up": True, "project_id": "ballast",
                "pools": [{"id": p["id"]}], "provisioning_status": "PENDING_CREATE",
                "operating_status": "OFFLINE", "updated_at": None, "tags": [],
                "http_version": None, "domain_name": None, "tenant_id": "ballast"}
    assert {k: hm.get(k, "<absent>") for k in expected} == expected
    assert hm["id"] != p["id"] and "pool_id" not in hm, hm
    assert r2.body["pool"]["provisioning_status"] == "PENDING_UPDATE", r2
    assert r2.body["pool"]["healthmonitor_id"] == hm["id"], r2
    assert r3.body["loadbalancer"]["provisioning_status"] == "PENDING_UPDATE", r3

    settled = wait_active(api, f"{HMS}/{hm['id']}", "healthmonitor")
    assert settled["operating_status"] == "ONLINE", settled
    assert wait_active(api, f"{POOLS}/{p['id']}", "pool")["healthmonitor_id"] == hm["id"]
    wait_lb(api, lb["id"])
    r = api.get(HMS)
    assert r.status == 200 and r.body == {"healthmonitors": [settled],
                                          "healthmonitors_links": []}, r


def test_second_monitor_409(api):
    lb, p = base(api)
    hm = create_hm(api, p["id"])
    assert_fault(post_hm(api, p["id"]), 409, "This pool already has a health monitor")
    assert [x["id"] for x in api.get(HMS).body["healthmonitors"]] == [hm["id"]]


def test_bad_options_before_duplicate(api):
    """Octavia checks a monitor's options before looking for one in place: a
    second, invalid monitor gets the 400 that names the option, not the 409."""
    lb, p = base(api)
    create_hm(api, p["id"])
    assert_fault(post_hm(api, p["id"], url_path="/x"), 400,
                 "url_path is not a valid option for health monitors of type TCP")


def test_http_monitor_defaults(api):
    lb, p = base(api, protocol="HTTP")
    r = post_hm(api, p["id"], type="HTTP")
    assert r.status == 201, r
    hm = r.body["healthmonitor"]
    assert (hm["http_method"], hm["url_path"], hm["expected_codes"]) == ("GET", "/", "200"), hm
    assert (hm["http_version"], hm["domain_name"]) == (None, None)
    settled = wait_active(api, f"{HMS}/{hm['id']}", "healthmonitor")
    assert (settled["http_method"], settled["url_path"], settled["expected_codes"]) == \
        ("GET", "/", "200")
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    # explicit values, then null resets them to the defaults
    path = f"{HMS}/{hm['id']}"
    r = api.put(path, {"healthmonitor": {"http_method": "HEAD", "url_path": "/health",
                                         "expected_codes": "200-204"}})
    assert r.status == 200, r
    assert (r.body["healthmonitor"]["http_method"], r.body["healthmonitor"]["url_path"],
            r.body["healthmonitor"]["expected_codes"]) == ("HEAD", "/health", "200-204")
    wait_active(api, path, "healthmonitor")
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    r = api.put(path, {"healthmonitor": {"http_method": None, "url_path": None,
                                         "expected_codes": None}})
    assert r.status == 200, r
    assert (r.body["healthmonitor"]["http_method"], r.body["healthmonitor"]["url_path"],
            r.body["healthmonitor"]["expected_codes"]) == ("GET", "/", "200"), r


def test_tcp_monitor_rejects_http_options(api):
    lb, p = base(api)
    assert_fault(post_hm(api, p["id"], url_path="/x"), 400,
                 "url_path is not a valid option for health monitors of type TCP")
    assert_fault(post_hm(api, p["id"], http_method="GET"), 400,
                 "http_method is not a valid option for health monitors of type TCP")
    assert api.get(HMS).body["healthmonitors"] == []
    assert "healthmonitor_id" not in api.get(f"{POOLS}/{p['id']}").body["pool"]


def test_monitor_validation_errors(api):
    lb, p = base(api)
    assert_fault(post_hm(api, p["id"], max_retries=11), 400,
                 "Invalid input for field/attribute max_retries. Value: '11'. Value should be "
                 "lower or equal to 10")
    assert_fault(post_hm(api, p["id"], max_retries_down=0), 400,
                 "Invalid input for field/attribute max_retries_down. Value: '0'. Value should be "
                 "greater or equal to 1")
    r = post_hm(api, p["id"], type="ICMP")
    assert r.status == 400, r
    assert r.fault.startswith("Invalid input for field/attribute type. Value: 'ICMP'. "
                              "Value should be one of:"), r
    r = api.post(HMS, {"healthmonitor": {"pool_id": p["id"], "type": "TCP", "timeout": 4,
                                         "max_retries": 3}})
    assert_fault(r, 400, "Invalid input for field/attribute delay. Value: 'None'. "
                         "Mandatory field missing.")
    assert_fault(post_hm(api, UNKNOWN), 404, f"Pool {UNKNOWN} not found.")
    assert api.get(HMS).body["healthmonitors"] == []
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["provisioning_status"] == "ACTIVE"


def test_monitor_create_while_pool_locked(server, api):
    lb, p = base(api)
    r1, r2 = pipeline(server.port, [
        ("POST", members_path(p["id"]), {"member": {"address": "127.0.0.5",
                                                     "protocol_port": 80}}),
        ("POST", HMS, {"healthmonitor": {"pool_id": p["id"], "type": "TCP", "delay": 5,
                                         "timeout": 4, "max_retries": 3}})])
    assert r1.status == 201, r1
    assert_fault(r2, 409, f"Load Balancer {lb['id']} is immutable and cannot be updated.")
    wait_lb(api, lb["id"])
    assert api.get(HMS).body["healthmonitors"] == []


def test_update_monitor(api):
    lb, p = base(api)
    hm = create_hm(api, p["id"], name="hm")
    path = f"{HMS}/{hm['id']}"
    r = api.put(path, {"healthmonitor": {"delay": 10, "timeout": 7, "max_retries": 5,
                                         "max_retries_down": 2, "name": "hm2",
                                         "admin_state_up": False}})
    assert r.status == 200, r
    up = r.body["healthmonitor"]
    assert up["provisioning_status"] == "PENDING_UPDATE"
    assert (up["delay"], up["timeout"], up["max_retries"], up["max_retries_down"], up["name"]) \
        == (10, 7, 5, 2, "hm2")
    settled = wait_active(api, path, "healthmonitor")
    assert settled["operating_status"] == "OFFLINE", settled  # admin down
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    for field, value in (("type", "HTTP"), ("pool_id", p["id"])):
        r = api.put(path, {"healthmonitor": {field: value}})
        assert_fault(r, 400, f"Unknown attribute for argument healthmonitor.healthmonitor: "
                             f"{field}")


def test_delete_monitor(api):
    lb, p = base(api)
    hm = create_hm(api, p["id"])
    path = f"{HMS}/{hm['id']}"
    r = api.delete(path)
    assert r.status == 204 and r.raw == b"", r
    wait_gone(api, path)
    assert_fault(api.get(path), 404, f"Health Monitor {hm['id']} not found.")
    pool = wait_active(api, f"{POOLS}/{p['id']}", "pool")
    assert "healthmonitor_id" not in pool, pool
    assert api.get(HMS).body["healthmonitors"] == []
    # a new one may be added now
    create_hm(api, p["id"])


def test_unknown_monitor_404(api):
    msg = f"Health Monitor {UNKNOWN} not found."
    assert_fault(api.get(f"{HMS}/{UNKNOWN}"), 404, msg)
    assert_fault(api.put(f"{HMS}/{UNKNOWN}", {"healthmonitor": {"delay": 1}}), 404, msg)
    assert_fault(api.delete(f"{HMS}/{UNKNOWN}"), 404, msg)


def test_status_tree_with_monitor(api):
    lb = create_lb(api, name="lb1")
    l = create_listener(api, lb["id"], name="l1")
    p = create_pool(api, listener_id=l["id"], name="p1")
    hm = create_hm(api, p["id"])
    m = create_member(api, p["id"], address="127.0.0.19", port=22)
    wait_lb(api, lb["id"])
    r = api.get(f"{LB}/{lb['id']}/status")
    assert r.status == 200, r
    assert r.body == {"statuses": {"loadbalancer": {
        "id": lb["id"], "name": "lb1", "operating_status": "ONLINE",
        "provisioning_status": "ACTIVE",
        "listeners": [{"id": l["id"], "name": "l1", "operating_status": "ONLINE",
                       "provisioning_status": "ACTIVE",
                       "pools": [{"id": p["id"], "name": "p1", "provisioning_status": "ACTIVE",
                                  "operating_status": "ONLINE",
                                  "health_monitor": {"id": hm["id"], "name": "", "type": "TCP",
                                                     "provisioning_status": "ACTIVE",
                                                     "operating_status": "ONLINE"},
                                  "members": [{"id": m["id"], "name": "",
                                               "operating_status": m["operating_status"],
                                               "provisioning_status": "ACTIVE",
                                               "address": "127.0.0.19",
                                               "protocol_port": 22}]}]}]}}}, r


def test_monitor_the_data_plane_cannot_run_is_refused(api):
    """What ballast would refuse to run is refused at the API, with the parser's
    JSON path, and nothing is stored: the load balancer stays ACTIVE."""
    lb = create_lb(api)
    pool = api.post(POOLS, {"pool": {"loadbalancer_id": lb["id"], "protocol": "TCP",
                                     "lb_algorithm": "ROUND_ROBIN"}}).body["pool"]
    wait_lb(api, lb["id"])
    r = api.post(HMS, {"healthmonitor": {"pool_id": pool["id"], "type": "HTTP", "delay": 5,
                                         "timeout": 3, "max_retries": 2,
                                         "expected_codes": "20x"}})
    assert r.status == 400, r
    assert r.body["faultstring"].startswith(
        "Validation failure: loadbalancer.pools[0].healthmonitor.expected_codes:"), r
    assert api.get(HMS).body["healthmonitors"] == []
    assert wait_lb(api, lb["id"])["provisioning_status"] == "ACTIVE"

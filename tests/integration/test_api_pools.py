# SPDX-License-Identifier: Apache-2.0
"""REST API: pools (on a listener or on a load balancer), session persistence,
protocol compatibility, the listener binding, locking, delete."""
from apiutil import (LB, LISTENERS, POOLS, UNKNOWN, assert_fault, create_lb, create_listener,
                     create_member, create_pool, pipeline, wait_active, wait_gone, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

DEFAULTS = {"description": "", "admin_state_up": True, "session_persistence": None,
            "members": [], "tags": [], "tls_container_ref": None, "ca_tls_container_ref": None,
            "crl_container_ref": None, "tls_enabled": False, "tls_ciphers": None,
            "tls_versions": None, "alpn_protocols": None, "project_id": "ballast",
            "tenant_id": "ballast", "updated_at": None}


def post_pool(api, **kw):
    body = {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"}
    body.update(kw)
    return api.post(POOLS, {"pool": body})


def test_create_pool_on_listener(server, api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    r1, r2 = pipeline(server.port, [
        ("POST", POOLS, {"pool": {"name": "p1", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
                                  "listener_id": l["id"]}}),
        ("GET", f"{LISTENERS}/{l['id']}", None)])
    assert r1.status == 201, r1
    p = r1.body["pool"]
    assert p["provisioning_status"] == "PENDING_CREATE" and p["operating_status"] == "OFFLINE"
    assert (p["name"], p["protocol"], p["lb_algorithm"]) == ("p1", "TCP", "ROUND_ROBIN")
    assert p["loadbalancers"] == [{"id": lb["id"]}]
    assert p["listeners"] == [{"id": l["id"]}]
    assert "healthmonitor_id" not in p, p
    assert "listener_id" not in p and "loadbalancer_id" not in p, p
    assert {k: p.get(k, "<absent>") for k in DEFAULTS} == DEFAULTS
    # the listener got it as default pool and is locked too
    assert r2.body["listener"]["default_pool_id"] == p["id"], r2
    assert r2.body["listener"]["provisioning_status"] == "PENDING_UPDATE", r2

    settled = wait_active(api, f"{POOLS}/{p['id']}", "pool")
    assert settled["operating_status"] == "ONLINE"
    assert wait_active(api, f"{LISTENERS}/{l['id']}", "listener")["default_pool_id"] == p["id"]
    assert wait_lb(api, lb["id"])["pools"] == [{"id": p["id"]}]
    r = api.get(POOLS)
    assert r.status == 200 and r.body == {"pools": [settled], "pools_links": []}, r


def test_create_pool_on_lb_with_persistence(api):
    lb = create_lb(api)
    r = post_pool(api, name="p2", protocol="HTTP", lb_algorithm="LEAST_CONNECTIONS",
                  loadbalancer_id=lb["id"],
                  session_persistence={"type": "APP_COOKIE", "cookie_name": "sid"})
    assert r.status == 201, r
    p = r.body["pool"]
    assert p["session_persistence"] == {"type": "APP_COOKIE", "cookie_name": "sid",
                                        "persistence_timeout": None,
                                        "persistence_granularity": None}, p
    assert p["listeners"] == [] and p["loadbalancers"] == [{"id": lb["id"]}]
    settled = wait_active(api, f"{POOLS}/{p['id']}", "pool")
    assert settled["session_persistence"] == p["session_persistence"]


def test_pool_validation_errors(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    udp = create_listener(api, lb["id"], protocol="UDP")
    assert_fault(post_pool(api, loadbalancer_id=lb["id"], protocol="HTTP",
                           session_persistence={"type": "APP_COOKIE"}), 400,
                 "Validation failure: Field \"cookie_name\" must be specified when using the "
                 "\"APP_COOKIE\" session persistence type.")
    assert_fault(post_pool(api, protocol="HTTP"), 400,
                 "Validation failure: Must provide at least one of: loadbalancer_id, listener_id")
    assert_fault(post_pool(api, protocol="UDP", listener_id=l["id"]), 400,
                 "Validation failure: The pool protocol 'UDP' is invalid while the listener "
                 "protocol is 'TCP'.")
    assert_fault(post_pool(api, protocol="TCP", listener_id=udp["id"]), 400,
                 "Validation failure: The pool protocol 'TCP' is invalid while the listener "
                 "protocol is 'UDP'.")
    r = post_pool(api, loadbalancer_id=lb["id"], lb_algorithm="RANDOM")
    assert r.status == 400, r
    assert r.fault.startswith("Invalid input for field/attribute lb_algorithm. Value: 'RANDOM'. "
                              "Value should be one of:"), r
    r = api.post(POOLS, {"pool": {"protocol": "TCP", "loadbalancer_id": lb["id"]}})
    assert_fault(r, 400, "Invalid input for field/attribute lb_algorithm. Value: 'None'. "
                         "Mandatory field missing.")
    assert_fault(post_pool(api, listener_id=UNKNOWN), 404, f"Listener {UNKNOWN} not found.")
    assert_fault(post_pool(api, loadbalancer_id=UNKNOWN), 404,
                 f"Load Balancer {UNKNOWN} not found.")
    # nothing created, nothing left locked
    assert api.get(POOLS).body["pools"] == []
    assert api.get(f"{LISTENERS}/{l['id']}").body["listener"]["default_pool_id"] is None
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["provisioning_status"] == "ACTIVE"


def test_listener_already_has_default_pool(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    p = create_pool(api, listener_id=l["id"])
    assert_fault(post_pool(api, listener_id=l["id"]), 409,
                 "This listener already has a default pool")
    assert [x["id"] for x in api.get(POOLS).body["pools"]] == [p["id"]]
    assert api.get(f"{LISTENERS}/{l['id']}").body["listener"]["default_pool_id"] == p["id"]


def test_pool_create_while_lb_locked(server, api):
    lb = create_lb(api)
    r1, r2 = pipeline(server.port, [
        ("POST", POOLS, {"pool": {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
                                  "loadbalancer_id": lb["id"]}}),
        ("POST", POOLS, {"pool": {"protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
                                  "loadbalancer_id": lb["id"]}})])
    assert r1.status == 201, r1
    assert_fault(r2, 409, f"Load Balancer {lb['id']} is immutable and cannot be updated.")
    wait_lb(api, lb["id"])
    assert len(api.get(POOLS).body["pools"]) == 1


def test_update_pool(server, api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    p = create_pool(api, listener_id=l["id"], name="p1")
    path = f"{POOLS}/{p['id']}"
    r1, r2, r3 = pipeline(server.port, [
        ("PUT", path, {"pool": {"name": "p1b", "lb_algorithm": "LEAST_CONNECTIONS",
                                "session_persistence": {"type": "SOURCE_IP"}, "tags": ["x"]}}),
        ("GET", f"{LISTENERS}/{l['id']}", None),
        ("GET", f"{LB}/{lb['id']}", None)])
    assert r1.status == 200, r1
    up = r1.body["pool"]
    assert up["provisioning_status"] == "PENDING_UPDATE"
    assert (up["name"], up["lb_algorithm"], up["tags"]) == ("p1b", "LEAST_CONNECTIONS", ["x"])
    assert up["session_persistence"] == {"type": "SOURCE_IP", "cookie_name": None,
                                         "persistence_timeout": None,
                                         "persistence_granularity": None}, up
    assert r2.body["listener"]["provisioning_status"] == "PENDING_UPDATE", r2
    assert r3.body["loadbalancer"]["provisioning_status"] == "PENDING_UPDATE", r3
    settled = wait_active(api, path, "pool")
    assert (settled["name"], settled["lb_algorithm"]) == ("p1b", "LEAST_CONNECTIONS")
    wait_active(api, f"{LISTENERS}/{l['id']}", "listener")
    # immutable fields
    for field, value in (("protocol", "HTTP"), ("listener_id", l["id"])):
        r = api.put(path, {"pool": {field: value}})
        assert r.status == 400, (field, r)
        assert r.fault.startswith("Unknown attribute for argument ") and \
            r.fault.endswith(f": {field}"), r
    # null clears session persistence
    r = api.put(path, {"pool": {"session_persistence": None}})
    assert r.status == 200 and r.body["pool"]["session_persistence"] is None, r
    wait_active(api, path, "pool")


def test_delete_default_pool_clears_listener(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    p = create_pool(api, listener_id=l["id"])
    r = api.delete(f"{POOLS}/{p['id']}")
    assert r.status == 204 and r.raw == b"", r
    wait_gone(api, f"{POOLS}/{p['id']}")
    assert_fault(api.get(f"{POOLS}/{p['id']}"), 404, f"Pool {p['id']} not found.")
    settled = wait_active(api, f"{LISTENERS}/{l['id']}", "listener")
    assert settled["default_pool_id"] is None, settled
    assert wait_lb(api, lb["id"])["pools"] == []
    # and the listener can get a new pool
    p2 = create_pool(api, listener_id=l["id"])
    assert api.get(f"{LISTENERS}/{l['id']}").body["listener"]["default_pool_id"] == p2["id"]


def test_delete_pool_with_members(api):
    lb = create_lb(api)
    p = create_pool(api, lb_id=lb["id"])
    m = create_member(api, p["id"])
    assert api.delete(f"{POOLS}/{p['id']}").status == 204
    wait_gone(api, f"{POOLS}/{p['id']}")
    r = api.get(f"{POOLS}/{p['id']}/members/{m['id']}")
    assert r.status == 404, r
    wait_lb(api, lb["id"])


def test_unknown_pool_404(api):
    msg = f"Pool {UNKNOWN} not found."
    assert_fault(api.get(f"{POOLS}/{UNKNOWN}"), 404, msg)
    assert_fault(api.put(f"{POOLS}/{UNKNOWN}", {"pool": {"name": "x"}}), 404, msg)
    assert_fault(api.delete(f"{POOLS}/{UNKNOWN}"), 404, msg)
    assert_fault(api.get(f"{POOLS}/{UNKNOWN}/members"), 404, msg)

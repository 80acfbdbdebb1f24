# SPDX-License-Identifier: Apache-2.0
"""REST API: members (create, show, list, update, delete, uniqueness, ranges,
locking of LB / pool / listener, operating status without a monitor)."""
from apiutil import (LB, LISTENERS, LOOPBACK_SUBNET, POOLS, UNKNOWN, assert_fault, create_hm,
                     create_lb, create_listener, create_member, create_pool, members_path, pipeline,
                     wait_active, wait_gone, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)


def base(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    p = create_pool(api, listener_id=l["id"])
    return lb, l, p


def post_member(api, pool_id, **kw):
    body = {"address": "127.0.0.19", "protocol_port": 22}
    body.update(kw)
    return api.post(members_path(pool_id), {"member": body})


def test_create_member(server, api):
    lb, l, p = base(api)
    path = members_path(p["id"])
    r1, r2, r3, r4 = pipeline(server.port, [
        ("POST", path, {"member": {"address": "127.0.0.19", "protocol_port": 22}}),
        ("GET", f"{POOLS}/{p['id']}", None),
        ("GET", f"{LISTENERS}/{l['id']}", None),
        ("GET", f"{LB}/{lb['id']}", None)])
    assert r1.status == 201, r1
    m = r1.body["member"]
    expected = {"name": "", "operating_status": "NO_MONITOR",
                "provisioning_status": "PENDING_CREATE", "admin_state_up": True,
                "address": "127.0.0.19", "protocol_port": 22, "weight": 1, "backup": False,
                "subnet_id": None, "project_id": "ballast", "updated_at": None,
                "monitor_address": None, "monitor_port": None, "tags": [],
                "tenant_id": "ballast"}
    assert {k: m.get(k, "<absent>") for k in expected} == expected
    assert "description" not in m, m
    # a member change locks the pool, its listener and the LB
    for r, key in ((r2, "pool"), (r3, "listener"), (r4, "loadbalancer")):
        assert r.status == 200 and r.body[key]["provisioning_status"] == "PENDING_UPDATE", r
    assert r2.body["pool"]["members"] == [{"id": m["id"]}]

    settled = wait_active(api, f"{path}/{m['id']}", "member")
    assert settled["operating_status"] == "NO_MONITOR", settled
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    wait_active(api, f"{LISTENERS}/{l['id']}", "listener")
    wait_lb(api, lb["id"])
    r = api.get(path)
    assert r.status == 200 and r.body == {"members": [settled], "members_links": []}, r


def test_member_with_all_options(api):
    lb, l, p = base(api)
    r = post_member(api, p["id"], address="127.0.0.20", subnet_id=LOOPBACK_SUBNET, weight=10,
                    backup=True, monitor_address="127.0.0.21", monitor_port=2222, name="m2",
                    tags=["t"])
    assert r.status == 201, r
    m = r.body["member"]
    assert (m["name"], m["weight"], m["backup"], m["subnet_id"], m["monitor_address"],
            m["monitor_port"], m["tags"]) == \
        ("m2", 10, True, LOOPBACK_SUBNET, "127.0.0.21", 2222, ["t"])
    assert m["operating_status"] == "NO_MONITOR"
    # integers as strings (the CLI sends them so)
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    r = post_member(api, p["id"], address="127.0.0.22", protocol_port="8080", weight="3")
    assert r.status == 201, r
    assert (r.body["member"]["protocol_port"], r.body["member"]["weight"]) == (8080, 3)


def test_duplicate_member_409(api):
    lb, l, p = base(api)
    create_member(api, p["id"], address="127.0.0.19", port=22)
    assert_fault(post_member(api, p["id"]), 409,
                 "Another member on this pool is already using ip 127.0.0.19 on protocol_port 22")
    # same address on another port is fine
    m2 = create_member(api, p["id"], address="127.0.0.19", port=23)
    assert m2["protocol_port"] == 23
    assert len(api.get(members_path(p["id"])).body["members"]) == 2


def test_member_validation_errors(api):
    lb, l, p = base(api)
    assert_fault(post_member(api, p["id"], address="127.0.0.30", weight=1000), 400,
                 "Invalid input for field/attribute weight. Value: '1000'. Value should be lower "
                 "or equal to 256")
    assert_fault(post_member(api, p["id"], weight=-1), 400,
                 "Invalid input for field/attribute weight. Value: '-1'. Value should be greater "
                 "or equal to 0")
    assert_fault(post_member(api, p["id"], protocol_port=0), 400,
                 "Invalid input for field/attribute protocol_port. Value: '0'. Value should be "
                 "greater or equal to 1")
    r = post_member(api, p["id"], address="not-an-ip")
    assert r.status == 400, r
    assert r.fault.startswith("Invalid input for field/attribute address. Value: 'not-an-ip'."), r
    r = api.post(members_path(p["id"]), {"member": {"protocol_port": 22}})
    assert_fault(r, 400, "Invalid input for field/attribute address. Value: 'None'. "
                         "Mandatory field missing.")
    assert_fault(post_member(api, p["id"], description="x"), 400,
                 "Unknown attribute for argument member.member: description")
    assert api.get(members_path(p["id"])).body["members"] == []
    assert api.get(f"{POOLS}/{p['id']}").body["pool"]["provisioning_status"] == "ACTIVE"
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["provisioning_status"] == "ACTIVE"


def test_member_create_while_locked(server, api):
    lb, l, p = base(api)
    path = members_path(p["id"])
    r1, r2 = pipeline(server.port, [
        ("POST", path, {"member": {"address": "127.0.0.19", "protocol_port": 22}}),
        ("POST", path, {"member": {"address": "127.0.0.20", "protocol_port": 22}})])
    assert r1.status == 201, r1
    assert_fault(r2, 409, f"Load Balancer {lb['id']} is immutable and cannot be updated.")
    wait_lb(api, lb["id"])
    assert [m["address"] for m in api.get(path).body["members"]] == ["127.0.0.19"]


def test_update_member(api):
    lb, l, p = base(api)
    m = create_member(api, p["id"], name="m")
    path = f"{members_path(p['id'])}/{m['id']}"
    r = api.put(path, {"member": {"weight": 0, "admin_state_up": False, "name": "m2"}})
    assert r.status == 200, r
    up = r.body["member"]
    assert up["provisioning_status"] == "PENDING_UPDATE"
    assert (up["weight"], up["admin_state_up"], up["name"]) == (0, False, "m2")
    assert up["operating_status"] == "NO_MONITOR", up
    settled = wait_active(api, path, "member")
    assert (settled["weight"], settled["admin_state_up"]) == (0, False)
    assert settled["operating_status"] == "OFFLINE", settled  # disabled
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    # null resets weight to 1; re-enable
    r = api.put(path, {"member": {"weight": None, "admin_state_up": True}})
    assert r.status == 200 and r.body["member"]["weight"] == 1, r
    settled = wait_active(api, path, "member")
    assert settled["operating_status"] == "NO_MONITOR", settled
    wait_active(api, f"{POOLS}/{p['id']}", "pool")
    for field, value in (("address", "127.0.0.2"), ("protocol_port", 80),
                         ("subnet_id", LOOPBACK_SUBNET)):
        r = api.put(path, {"member": {field: value}})
        assert_fault(r, 400, f"Unknown attribute for argument member.member: {field}")


def test_delete_member(api):
    lb, l, p = base(api)
    m1 = create_member(api, p["id"], port=1001)
    m2 = create_member(api, p["id"], port=1002)
    path = f"{members_path(p['id'])}/{m1['id']}"
    r = api.delete(path)
    assert r.status == 204 and r.raw == b"", r
    wait_gone(api, path)
    assert_fault(api.get(path), 404, f"Member {m1['id']} not found.")
    assert [x["id"] for x in api.get(members_path(p["id"])).body["members"]] == [m2["id"]]
    assert wait_active(api, f"{POOLS}/{p['id']}", "pool")["members"] == [{"id": m2["id"]}]
    # the address/port pair is free again
    create_member(api, p["id"], port=1001)


def test_member_through_wrong_pool_404(api):
    """Transcript: "show member via wrong pool" -> 404 Member <id> not found."""
    lb = create_lb(api)
    p1 = create_pool(api, lb_id=lb["id"])
    p2 = create_pool(api, lb_id=lb["id"])
    m = create_member(api, p1["id"])
    wrong = f"{members_path(p2['id'])}/{m['id']}"
    assert_fault(api.get(wrong), 404, f"Member {m['id']} not found.")
    assert_fault(api.put(wrong, {"member": {"name": "x"}}), 404, f"Member {m['id']} not found.")
    assert_fault(api.delete(wrong), 404, f"Member {m['id']} not found.")
    assert api.get(members_path(p2["id"])).body["members"] == []
    r = api.get(f"{members_path(p1['id'])}/{m['id']}")
    assert r.status == 200 and r.body["member"]["name"] == "", r


def test_unknown_member_and_pool_404(api):
    lb, l, p = base(api)
    msg = f"Member {UNKNOWN} not found."
    assert_fault(api.get(f"{members_path(p['id'])}/{UNKNOWN}"), 404, msg)
    assert_fault(api.delete(f"{members_path(p['id'])}/{UNKNOWN}"), 404, msg)
    assert_fault(post_member(api, UNKNOWN), 404, f"Pool {UNKNOWN} not found.")


def test_operating_status_with_and_without_monitor(api):
    lb, l, p = base(api)
    m1 = create_member(api, p["id"], port=1001)
    assert m1["operating_status"] == "NO_MONITOR"
    create_hm(api, p["id"])
    r = post_member(api, p["id"], protocol_port=1002)
    assert r.status == 201, r
    assert r.body["member"]["operating_status"] == "OFFLINE", r  # until checked

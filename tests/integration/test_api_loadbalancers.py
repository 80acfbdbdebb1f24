# SPDX-License-Identifier: Apache-2.0
"""REST API: version documents and load balancers (create, show, list, update,
delete/cascade, VIP allocation, validation errors), checked against the
answers of real Octavia in /work/shared/octavia/octavia-oracle-transcript.md."""
import ipaddress
import re
import socket

from apiutil import (LB, LISTENERS, LOOPBACK_NETWORK, LOOPBACK_SUBNET, POOLS, TIME_RE, UNKNOWN,
                     assert_fault, create_listener, create_lb, create_member, create_pool,
                     free_port, is_uuid, members_path, pipeline, scaled, wait_active, wait_gone,
                     wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

VIP_NET = ipaddress.ip_network("127.100.0.0/16")


# ---- version documents -----------------------------------------------------------------------


def test_version_document(api):
    r = api.get("/")
    assert r.status == 200, r
    assert r.headers["content-type"].startswith("application/json")
    vs = r.body["versions"]
    assert [v["id"] for v in vs] == [f"v2.{i}" for i in range(27)]
    assert [v["status"] for v in vs] == ["SUPPORTED"] * 26 + ["CURRENT"]
    for v in vs:
        assert v["links"] == [{"href": f"http://127.0.0.1:{api.port}/v2", "rel": "self"}], v
    assert re.match(r"^req-[0-9a-f-]+$", r.headers["x-openstack-request-id"]), r.headers


def test_v2_roots_and_unknown_path(api):
    for path in ("/v2", "/v2.0", "/v2/lbaas", "/v2.0/lbaas"):
        r = api.get(path)
        assert (r.status, r.body) == (200, "v2"), (path, r)
    r = api.get("/v2.0/lbaas/nothing")
    assert (r.status, r.body) == (404, {"code": 404, "title": "Not Found", "description": ""}), r


def test_keep_alive_and_connection_close(server):
    """The API follows the client: keep-alive requests share one connection; a
    request with Connection: close is answered with Connection: close and the
    server then closes (tempest relies on it)."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=scaled(5))
    try:
        f = s.makefile("rb")
        for close in (False, False, True):
            s.sendall(b"GET /v2 HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n" +
                      (b"Connection: close\r\n" if close else b"") + b"\r\n")
            line = f.readline()
            assert line.startswith(b"HTTP/1.1 200 "), line
            headers = {}
            while True:
                h = f.readline()
                if h in (b"\r\n", b""):
                    break
                k, v = h.decode().split(":", 1)
                headers[k.strip().lower()] = v.strip()
            assert f.read(int(headers["content-length"])) == b'"v2"'
            assert (headers.get("connection", "").lower() == "close") == close, headers
        assert f.read() == b""  # closed by the server
    finally:
        s.close()


def test_method_not_allowed(api):
    """Transcript "method not allowed": PATCH on a collection -> 405."""
    r = api.request("PATCH", LB)
    assert (r.status, r.body) == (405, {"code": 405, "title": "Method Not Allowed",
                                        "description": ""}), r


def test_providers(api):
    r = api.get("/v2.0/lbaas/providers")
    assert r.status == 200, r
    assert [p["name"] for p in r.body["providers"]] == ["ballast", "noop_driver"], r


def test_noop_provider(api):
    """Octavia's test set-up: the no-op provider stores and settles, runs nothing,
    accepts any subnet (no-op network) and any listener protocol."""
    subnet = "6a1d2c1e-1111-4c1b-9d7e-0d1f4b0e9a11"
    r = api.post(LB, {"loadbalancer": {"name": "n", "vip_subnet_id": subnet,
                                       "provider": "noop_driver"}})
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    assert lb["provider"] == "noop_driver" and lb["vip_subnet_id"] == subnet, lb
    assert lb["vip_address"] == "198.51.100.1", lb
    # as Octavia's no-op network driver, every such VIP is the same address
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": subnet, "provider": "noop_driver"}})
    assert r.status == 201 and r.body["loadbalancer"]["vip_address"] == "198.51.100.1", r
    lb = wait_lb(api, lb["id"])
    assert (lb["provisioning_status"], lb["operating_status"]) == ("ACTIVE", "OFFLINE"), lb
    r = api.post(LISTENERS, {"listener": {"loadbalancer_id": lb["id"], "protocol": "HTTP",
                                          "protocol_port": 80}})
    assert r.status == 201, r
    l = wait_active(api, f"{LISTENERS}/{r.body['listener']['id']}", "listener")
    assert l["operating_status"] == "OFFLINE", l
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": subnet, "provider": "amphora"}})
    assert_fault(r, 400, "Provider 'amphora' is not enabled.")


# ---- create / show / list --------------------------------------------------------------------


def test_create_lb_pending_then_active(api):
    r = api.post(LB, {"loadbalancer": {"name": "lb1", "vip_subnet_id": LOOPBACK_SUBNET,
                                       "admin_state_up": True}})
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    assert lb["provisioning_status"] == "PENDING_CREATE"
    assert lb["operating_status"] == "OFFLINE"
    assert ipaddress.ip_address(lb["vip_address"]) in VIP_NET, lb
    assert is_uuid(lb["id"]) and is_uuid(lb["vip_port_id"]), lb
    assert lb["vip_subnet_id"] == LOOPBACK_SUBNET
    assert lb["vip_network_id"] == LOOPBACK_NETWORK
    expected = {"name": "lb1", "description": "", "admin_state_up": True, "listeners": [],
                "pools": [], "additional_vips": [], "provider": "ballast", "flavor_id": None,
                "vip_qos_policy_id": None, "tags": [], "availability_zone": None,
                "project_id": "ballast", "tenant_id": "ballast", "updated_at": None}
    assert {k: lb.get(k, "<absent>") for k in expected} == expected
    assert TIME_RE.match(lb["created_at"]), lb

    settled = wait_lb(api, lb["id"])
    assert settled["operating_status"] == "ONLINE", settled
    for k in ("vip_address", "vip_port_id", "vip_subnet_id", "vip_network_id", "created_at",
              "name", "project_id"):
        assert settled[k] == lb[k], k
    r = api.get(f"{LB}/{lb['id']}")
    assert r.status == 200 and r.body == {"loadbalancer": settled}, r


def test_settled_lb_has_updated_at(api):
    """Octavia stamps updated_at when the provider settles the LB (transcript:
    "show load balancer (settled)" has a time; tempest parses it)."""
    lb = create_lb(api)
    assert lb["updated_at"] is not None and TIME_RE.match(lb["updated_at"]), lb


def test_create_with_project_header(api):
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET}},
                 headers={"X-Project-Id": "e3cd678b11784734bc366148aa37580e"})
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    assert lb["project_id"] == lb["tenant_id"] == "e3cd678b11784734bc366148aa37580e"
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["project_id"] == lb["project_id"]


def test_create_with_network_only(api):
    r = api.post(LB, {"loadbalancer": {"vip_network_id": LOOPBACK_NETWORK}})
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    assert lb["vip_subnet_id"] == LOOPBACK_SUBNET
    assert ipaddress.ip_address(lb["vip_address"]) in VIP_NET


def test_list_lbs(api):
    a = create_lb(api, name="a")
    b = create_lb(api, name="b", description="second")
    r = api.get(LB)
    assert r.status == 200, r
    assert r.body["loadbalancers_links"] == []
    got = {lb["id"]: lb for lb in r.body["loadbalancers"]}
    assert set(got) == {a["id"], b["id"]}
    assert got[a["id"]] == a and got[b["id"]] == b
    # /v2 is an alias of /v2.0
    r2 = api.get("/v2/lbaas/loadbalancers")
    assert r2.status == 200 and r2.body == r.body, r2


def test_two_lbs_get_different_vips(api):
    a = create_lb(api)
    b = create_lb(api)
    assert a["vip_address"] != b["vip_address"]
    assert a["vip_port_id"] != b["vip_port_id"]
    for lb in (a, b):
        assert ipaddress.ip_address(lb["vip_address"]) in VIP_NET


def test_given_vip_address(api):
    lb = create_lb(api, vip_address="127.100.7.9")
    assert lb["vip_address"] == "127.100.7.9"
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET,
                                       "vip_address": "127.100.7.9"}})
    assert r.status == 409, r
    assert r.body["faultcode"] == "Client" and "127.100.7.9" in r.fault, r
    # the automatic allocation does not hand out the taken address either
    other = create_lb(api)
    assert other["vip_address"] != "127.100.7.9"


def test_vip_address_outside_subnet(api):
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET,
                                       "vip_address": "10.0.0.1"}})
    assert r.status == 400, r
    assert r.fault.startswith("Validation failure:"), r
    assert api.get(LB).body["loadbalancers"] == []


def test_unknown_subnet(api):
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": UNKNOWN}})
    assert r.status == 400, r
    assert UNKNOWN in r.fault, r
    assert api.get(LB).body["loadbalancers"] == []


# ---- validation errors (transcript) ----------------------------------------------------------


def test_create_no_vip(api):
    r = api.post(LB, {"loadbalancer": {"name": "bad"}})
    assert_fault(r, 400, "Validation failure: VIP must contain one of: vip_port_id, "
                         "vip_network_id, vip_subnet_id.")


def test_create_bad_uuid(api):
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": "not-a-uuid"}})
    assert_fault(r, 400, "Invalid input for field/attribute vip_subnet_id. Value: "
                         "'not-a-uuid'. Value should be UUID format")


def test_create_unknown_attribute(api):
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET, "colour": "red"}})
    assert_fault(r, 400, "Unknown attribute for argument load_balancer.loadbalancer: colour")


def test_create_no_wrapper(api):
    r = api.post(LB, {"vip_subnet_id": LOOPBACK_SUBNET})
    assert_fault(r, 400, "Unknown attribute for argument load_balancer: vip_subnet_id")


def test_create_malformed_json(api):
    r = api.post(LB, raw='{"loadbalancer": {')
    assert_fault(r, 400, "Request is not in valid JSON format")


def test_create_empty_body(api):
    r = api.post(LB)
    assert_fault(r, 400, 'Missing argument: "load_balancer"')


def test_create_bad_boolean(api):
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET,
                                       "admin_state_up": "maybe"}})
    assert r.status == 400, r
    assert r.fault.endswith("Value not an unambiguous boolean: maybe"), r
    assert api.get(LB).body["loadbalancers"] == []


def test_unknown_id_is_404(api):
    create_lb(api)  # something else exists
    msg = f"Load Balancer {UNKNOWN} not found."
    assert_fault(api.get(f"{LB}/{UNKNOWN}"), 404, msg)
    assert_fault(api.put(f"{LB}/{UNKNOWN}", {"loadbalancer": {"name": "x"}}), 404, msg)
    assert_fault(api.delete(f"{LB}/{UNKNOWN}"), 404, msg)
    assert_fault(api.get(f"{LB}/{UNKNOWN}/stats"), 404, msg)
    assert_fault(api.get(f"{LB}/{UNKNOWN}/status"), 404, msg)


# ---- update ----------------------------------------------------------------------------------


def test_update_name_description_tags(api):
    lb = create_lb(api, name="lb1")
    r = api.put(f"{LB}/{lb['id']}", {"loadbalancer": {"name": "lb1b", "description": "d",
                                                      "tags": ["t1", "t2"]}})
    assert r.status == 200, r
    up = r.body["loadbalancer"]
    assert up["provisioning_status"] == "PENDING_UPDATE", up
    assert (up["name"], up["description"], up["tags"]) == ("lb1b", "d", ["t1", "t2"])
    assert up["vip_address"] == lb["vip_address"] and up["id"] == lb["id"]
    assert up["updated_at"] is not None and TIME_RE.match(up["updated_at"]), up
    settled = wait_lb(api, lb["id"])
    assert (settled["name"], settled["description"], settled["tags"]) == \
        ("lb1b", "d", ["t1", "t2"])
    assert settled["operating_status"] == "ONLINE"
    # null resets a name to ""
    r = api.put(f"{LB}/{lb['id']}", {"loadbalancer": {"name": None}})
    assert r.status == 200 and r.body["loadbalancer"]["name"] == "", r
    assert wait_lb(api, lb["id"])["name"] == ""


def test_update_admin_state_down(api):
    lb = create_lb(api)
    r = api.put(f"{LB}/{lb['id']}", {"loadbalancer": {"admin_state_up": False}})
    assert r.status == 200 and r.body["loadbalancer"]["admin_state_up"] is False, r
    settled = wait_lb(api, lb["id"])
    assert settled["admin_state_up"] is False
    assert settled["operating_status"] == "OFFLINE", settled


def test_update_immutable_field(api):
    lb = create_lb(api)
    r = api.put(f"{LB}/{lb['id']}", {"loadbalancer": {"vip_address": "10.0.0.1"}})
    assert_fault(r, 400, "Unknown attribute for argument load_balancer.loadbalancer: vip_address")
    r = api.get(f"{LB}/{lb['id']}")
    assert r.body["loadbalancer"]["vip_address"] == lb["vip_address"]
    assert r.body["loadbalancer"]["provisioning_status"] == "ACTIVE"


def test_update_while_pending_is_409(server, api):
    """Two PUTs in one send(): the second finds the LB PENDING_UPDATE."""
    lb = create_lb(api)
    path = f"{LB}/{lb['id']}"
    r1, r2 = pipeline(server.port, [("PUT", path, {"loadbalancer": {"name": "one"}}),
                                    ("PUT", path, {"loadbalancer": {"name": "two"}})])
    assert r1.status == 200, r1
    assert_fault(r2, 409, f"Invalid state PENDING_UPDATE of loadbalancer resource {lb['id']}")
    assert wait_lb(api, lb["id"])["name"] == "one"


# ---- delete ----------------------------------------------------------------------------------


def test_delete_empty_lb(api):
    lb = create_lb(api)
    r = api.delete(f"{LB}/{lb['id']}")
    assert r.status == 204, r
    assert r.raw == b"" and "content-type" not in r.headers, r.headers
    wait_gone(api, f"{LB}/{lb['id']}")
    assert_fault(api.get(f"{LB}/{lb['id']}"), 404, f"Load Balancer {lb['id']} not found.")
    assert api.get(LB).body["loadbalancers"] == []


def test_delete_with_children_then_cascade(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    p = create_pool(api, listener_id=l["id"])
    m = create_member(api, p["id"])
    r = api.delete(f"{LB}/{lb['id']}")
    assert_fault(r, 400, f"Validation failure: Cannot delete Load Balancer {lb['id']} - it has "
                         f"children")
    assert wait_lb(api, lb["id"])["listeners"] == [{"id": l["id"]}]

    r = api.delete(f"{LB}/{lb['id']}?cascade=true")
    assert r.status == 204, r
    wait_gone(api, f"{LB}/{lb['id']}")
    assert_fault(api.get(f"{LISTENERS}/{l['id']}"), 404, f"Listener {l['id']} not found.")
    assert_fault(api.get(f"{POOLS}/{p['id']}"), 404, f"Pool {p['id']} not found.")
    r = api.get(f"{members_path(p['id'])}/{m['id']}")
    assert r.status == 404, r
    for path, key in ((LB, "loadbalancers"), (LISTENERS, "listeners"), (POOLS, "pools")):
        assert api.get(path).body[key] == [], path


def test_delete_cascade_cli_spelling(api):
    """The CLI sends cascade=True."""
    lb = create_lb(api)
    create_listener(api, lb["id"])
    assert api.delete(f"{LB}/{lb['id']}?cascade=True").status == 204
    wait_gone(api, f"{LB}/{lb['id']}")


def test_delete_twice_while_pending(server, api):
    lb = create_lb(api)
    path = f"{LB}/{lb['id']}"
    r1, r2, r3 = pipeline(server.port, [("DELETE", path, None), ("GET", path, None),
                                        ("DELETE", path, None)])
    assert r1.status == 204, r1
    assert r2.status == 200 and r2.body["loadbalancer"]["provisioning_status"] == \
        "PENDING_DELETE", r2
    assert_fault(r3, 409, f"Invalid state PENDING_DELETE of loadbalancer resource {lb['id']}")
    wait_gone(api, path)


def test_delete_lb_locked_by_child_write(server, api):
    """Transcript: "delete lb while PENDING_UPDATE" -> 409."""
    lb = create_lb(api)
    path = f"{LB}/{lb['id']}"
    r1, r2 = pipeline(server.port, [
        ("POST", LISTENERS, {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP",
                                          "protocol_port": free_port()}}),
        ("DELETE", path + "?cascade=true", None)])
    assert r1.status == 201, r1
    assert_fault(r2, 409, f"Invalid state PENDING_UPDATE of loadbalancer resource {lb['id']}")
    assert wait_lb(api, lb["id"])["listeners"] == [{"id": r1.body["listener"]["id"]}]


# ---- stats and status tree -------------------------------------------------------------------


def test_stats_and_status_of_empty_lb(api):
    lb = create_lb(api, name="lb1")
    r = api.get(f"{LB}/{lb['id']}/stats")
    assert r.status == 200, r
    assert r.body == {"stats": {"bytes_in": 0, "bytes_out": 0, "active_connections": 0,
                                "total_connections": 0, "request_errors": 0}}, r
    r = api.get(f"{LB}/{lb['id']}/status")
    assert r.status == 200, r
    assert r.body == {"statuses": {"loadbalancer": {
        "id": lb["id"], "name": "lb1", "operating_status": "ONLINE",
        "provisioning_status": "ACTIVE", "listeners": []}}}, r


def test_statuses_alias(api):
    """octavia-api.md §2: /loadbalancers/{id}/statuses is an alias of /status."""
    lb = create_lb(api, name="lb1")
    r = api.get(f"{LB}/{lb['id']}/statuses")
    assert r.status == 200, r
    assert r.body == api.get(f"{LB}/{lb['id']}/status").body, r

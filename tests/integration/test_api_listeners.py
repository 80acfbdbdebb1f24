# SPDX-License-Identifier: Apache-2.0
"""REST API: listeners (create, show, list, update, delete, locking, port
uniqueness, protocol checks, default pool)."""
from apiutil import (LB, LISTENERS, POOLS, UNKNOWN, assert_fault, create_lb, create_listener,
                     create_pool, free_port, pipeline, relay, wait_active,
                     wait_gone, wait_lb)
from apiutil import serving
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

DEFAULTS = {"description": "", "admin_state_up": True, "connection_limit": -1,
            "default_tls_container_ref": None, "sni_container_refs": [], "default_pool_id": None,
            "l7policies": [], "insert_headers": {}, "timeout_client_data": 50000,
            "timeout_member_connect": 5000, "timeout_member_data": 50000,
            "timeout_tcp_inspect": 0, "tags": [], "client_ca_tls_container_ref": None,
            "client_authentication": "NONE", "client_crl_container_ref": None,
            "allowed_cidrs": None, "tls_ciphers": None, "tls_versions": None,
            "alpn_protocols": None, "project_id": "ballast", "tenant_id": "ballast",
            "updated_at": None}


def post_listener(api, lb_id, **kw):
    body = {"loadbalancer_id": lb_id, "protocol": "TCP", "protocol_port": free_port()}
    body.update(kw)
    return api.post(LISTENERS, {"listener": body})


def test_create_tcp_listener_defaults(api):
    lb = create_lb(api)
    port = free_port()
    r = post_listener(api, lb["id"], name="l1", protocol_port=port)
    assert r.status == 201, r
    l = r.body["listener"]
    assert l["provisioning_status"] == "PENDING_CREATE" and l["operating_status"] == "OFFLINE"
    assert (l["name"], l["protocol"], l["protocol_port"]) == ("l1", "TCP", port)
    assert l["loadbalancers"] == [{"id": lb["id"]}]
    assert "loadbalancer_id" not in l, l
    assert {k: l.get(k, "<absent>") for k in DEFAULTS} == DEFAULTS

    settled = wait_active(api, f"{LISTENERS}/{l['id']}", "listener")
    assert settled["operating_status"] == "ONLINE"
    lb2 = wait_lb(api, lb["id"])
    assert lb2["listeners"] == [{"id": l["id"]}]
    r = api.get(LISTENERS)
    assert r.status == 200 and r.body["listeners"] == [settled], r
    assert r.body["listeners_links"] == []


def test_create_with_options(api):
    lb = create_lb(api)
    r = post_listener(api, lb["id"], connection_limit="100", timeout_client_data=1000,
                      timeout_member_connect="2000", tags=["a", "b"], description="web")
    assert r.status == 201, r
    l = r.body["listener"]
    assert (l["connection_limit"], l["timeout_client_data"], l["timeout_member_connect"],
            l["timeout_member_data"], l["tags"], l["description"]) == \
        (100, 1000, 2000, 50000, ["a", "b"], "web")


def test_child_create_locks_lb(server, api):
    """Transcript: right after a listener create the LB shows PENDING_UPDATE and a
    second listener create gets 409. Both requests go out in one send(), so
    ballastd handles them before its agent runs."""
    lb = create_lb(api)
    lb_path = f"{LB}/{lb['id']}"
    mk = {"loadbalancer_id": lb["id"], "protocol": "TCP"}
    r1, r2, r3 = pipeline(server.port, [
        ("POST", LISTENERS, {"listener": dict(mk, protocol_port=free_port())}),
        ("GET", lb_path, None),
        ("POST", LISTENERS, {"listener": dict(mk, protocol_port=free_port())})])
    assert r1.status == 201 and r1.body["listener"]["provisioning_status"] == "PENDING_CREATE"
    assert r2.status == 200, r2
    assert r2.body["loadbalancer"]["provisioning_status"] == "PENDING_UPDATE", r2
    assert r2.body["loadbalancer"]["listeners"] == [{"id": r1.body["listener"]["id"]}]
    assert_fault(r3, 409, f"Load Balancer {lb['id']} is immutable and cannot be updated.")
    # once settled, the second create goes through
    wait_lb(api, lb["id"])
    assert post_listener(api, lb["id"]).status == 201
    assert len(api.get(LISTENERS).body["listeners"]) == 2


def test_duplicate_port_409(api):
    lb = create_lb(api)
    port = free_port()
    create_listener(api, lb["id"], port=port)
    r = post_listener(api, lb["id"], protocol_port=port)
    assert_fault(r, 409, f"Another Listener on this Load Balancer is already using protocol TCP "
                         f"and protocol_port {port}")
    assert len(api.get(LISTENERS).body["listeners"]) == 1


def test_duplicate_port_other_tcp_protocol(api):
    """Ports are unique per L4 family; the message names the L4 protocol
    (transcript: an HTTP listener on a TCP listener's port -> "protocol TCP")."""
    lb = create_lb(api)
    port = free_port()
    create_listener(api, lb["id"], port=port)
    r = post_listener(api, lb["id"], protocol="HTTPS", protocol_port=port)
    assert_fault(r, 409, f"Another Listener on this Load Balancer is already using protocol TCP "
                         f"and protocol_port {port}")


def test_same_port_udp_and_tcp(api):
    lb = create_lb(api)
    port = free_port()
    create_listener(api, lb["id"], port=port)
    l2 = create_listener(api, lb["id"], port=port, protocol="UDP")
    assert (l2["protocol"], l2["protocol_port"]) == ("UDP", port)


def test_same_port_on_two_lbs(api):
    a, b = create_lb(api), create_lb(api)
    port = free_port()
    create_listener(api, a["id"], port=port)
    create_listener(api, b["id"], port=port)


def test_validation_errors(api):
    lb = create_lb(api)
    assert_fault(post_listener(api, lb["id"], protocol="FTP", protocol_port=21), 400,
                 "Invalid input for field/attribute protocol. Value: 'FTP'. Value should be one "
                 "of: HTTP, UDP, PROMETHEUS, SCTP, TERMINATED_HTTPS, TCP, HTTPS")
    assert_fault(post_listener(api, lb["id"], protocol_port=70000), 400,
                 "Invalid input for field/attribute protocol_port. Value: '70000'. Value should "
                 "be lower or equal to 65535")
    r = api.post(LISTENERS, {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP"}})
    assert_fault(r, 400, "Invalid input for field/attribute protocol_port. Value: 'None'. "
                         "Mandatory field missing.")
    assert_fault(post_listener(api, lb["id"], protocol="TERMINATED_HTTPS", protocol_port=443),
                 400, "Validation failure: An SNI or default certificate container reference "
                      "must be provided for TERMINATED_HTTPS protocol listeners.")
    assert_fault(post_listener(api, lb["id"], insert_headers={"X-Forwarded-For": "true"}), 400,
                 "insert-headers is not a valid option for a TCP protocol listener.")
    assert_fault(post_listener(api, UNKNOWN), 404, f"Load Balancer {UNKNOWN} not found.")
    assert_fault(post_listener(api, lb["id"], connection_limit=-2), 400,
                 "Invalid input for field/attribute connection_limit. Value: '-2'. Value should "
                 "be greater or equal to -1")
    # nothing was created, nothing is locked
    assert api.get(LISTENERS).body["listeners"] == []
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["provisioning_status"] == "ACTIVE"


def test_sctp_not_implemented_and_missing_certificate_refused(api):
    lb = create_lb(api)
    tls = {"default_tls_container_ref": "https://barbican.example/v1/containers/x"}
    # no x.pem in the certificate store: refused before anything is stored
    r = post_listener(api, lb["id"], protocol="TERMINATED_HTTPS", **tls)
    assert r.status == 400 and "default_tls_container_ref" in r.fault and "x" in r.fault, r
    for proto, kw in (("SCTP", {}),):
        r = post_listener(api, lb["id"], protocol=proto, **kw)
        assert r.status == 501, (proto, r)
        assert r.body["faultcode"] == "Server"
        assert r.fault.startswith("Provider 'ballast' does not support a requested option:"), r
    assert api.get(LISTENERS).body["listeners"] == []
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["provisioning_status"] == "ACTIVE"


def test_update_listener(server, api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"], name="web", timeout_client_data=1000)
    path = f"{LISTENERS}/{l['id']}"
    r1, r2 = pipeline(server.port, [
        ("PUT", path, {"listener": {"connection_limit": 5, "description": "d",
                                    "timeout_client_data": None}}),
        ("GET", f"{LB}/{lb['id']}", None)])
    assert r1.status == 200, r1
    up = r1.body["listener"]
    assert up["provisioning_status"] == "PENDING_UPDATE"
    assert (up["connection_limit"], up["description"], up["timeout_client_data"], up["name"]) == \
        (5, "d", 50000, "web")
    assert r2.body["loadbalancer"]["provisioning_status"] == "PENDING_UPDATE", r2
    settled = wait_active(api, path, "listener")
    assert (settled["connection_limit"], settled["description"],
            settled["timeout_client_data"]) == (5, "d", 50000)
    wait_lb(api, lb["id"])
    # an empty update is accepted and changes nothing
    r = api.put(path, {"listener": {}})
    assert r.status == 200 and r.body["listener"]["connection_limit"] == 5, r
    # null resets connection_limit to its default
    r = api.put(path, {"listener": {"connection_limit": None}})
    assert r.status == 200 and r.body["listener"]["connection_limit"] == -1, r
    wait_active(api, path, "listener")


def test_update_immutable_fields(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    for field, value in (("protocol_port", 1234), ("protocol", "UDP"),
                         ("loadbalancer_id", lb["id"])):
        r = api.put(f"{LISTENERS}/{l['id']}", {"listener": {field: value}})
        assert r.status == 400, (field, r)
        assert r.fault.startswith("Unknown attribute for argument "), r
        assert r.fault.endswith(f": {field}"), r
    assert api.get(f"{LISTENERS}/{l['id']}").body["listener"]["protocol_port"] == \
        l["protocol_port"]


def test_delete_listener(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    keep = create_listener(api, lb["id"])
    r = api.delete(f"{LISTENERS}/{l['id']}")
    assert r.status == 204 and r.raw == b"", r
    wait_gone(api, f"{LISTENERS}/{l['id']}")
    assert_fault(api.get(f"{LISTENERS}/{l['id']}"), 404, f"Listener {l['id']} not found.")
    assert wait_lb(api, lb["id"])["listeners"] == [{"id": keep["id"]}]
    assert [x["id"] for x in api.get(LISTENERS).body["listeners"]] == [keep["id"]]
    # its port is free again
    create_listener(api, lb["id"], port=l["protocol_port"])


def test_unknown_listener_404(api):
    msg = f"Listener {UNKNOWN} not found."
    assert_fault(api.get(f"{LISTENERS}/{UNKNOWN}"), 404, msg)
    assert_fault(api.put(f"{LISTENERS}/{UNKNOWN}", {"listener": {"name": "x"}}), 404, msg)
    assert_fault(api.delete(f"{LISTENERS}/{UNKNOWN}"), 404, msg)
    assert_fault(api.get(f"{LISTENERS}/{UNKNOWN}/stats"), 404, msg)


def test_listener_stats_zero(api):
    lb = create_lb(api)
    l = create_listener(api, lb["id"])
    r = api.get(f"{LISTENERS}/{l['id']}/stats")
    assert r.status == 200, r
    assert r.body == {"stats": {"bytes_in": 0, "bytes_out": 0, "active_connections": 0,
                                "total_connections": 0, "request_errors": 0}}, r


def test_listener_with_default_pool(api):
    lb = create_lb(api)
    p = create_pool(api, lb_id=lb["id"], name="p")
    r = post_listener(api, lb["id"], default_pool_id=p["id"])
    assert r.status == 201, r
    l = r.body["listener"]
    assert l["default_pool_id"] == p["id"]
    wait_active(api, f"{LISTENERS}/{l['id']}", "listener")
    assert api.get(f"{POOLS}/{p['id']}").body["pool"]["listeners"] == [{"id": l["id"]}]
    # switch to another pool, then clear it
    wait_lb(api, lb["id"])
    p2 = create_pool(api, lb_id=lb["id"], name="p2")
    r = api.put(f"{LISTENERS}/{l['id']}", {"listener": {"default_pool_id": p2["id"]}})
    assert r.status == 200 and r.body["listener"]["default_pool_id"] == p2["id"], r
    wait_active(api, f"{LISTENERS}/{l['id']}", "listener")
    wait_lb(api, lb["id"])
    assert api.get(f"{POOLS}/{p['id']}").body["pool"]["listeners"] == []
    assert api.get(f"{POOLS}/{p2['id']}").body["pool"]["listeners"] == [{"id": l["id"]}]
    r = api.put(f"{LISTENERS}/{l['id']}", {"listener": {"default_pool_id": None}})
    assert r.status == 200 and r.body["listener"]["default_pool_id"] is None, r
    wait_active(api, f"{LISTENERS}/{l['id']}", "listener")


def test_default_pool_checks(api):
    lb = create_lb(api)
    other = create_lb(api)
    udp = create_pool(api, lb_id=lb["id"], protocol="UDP")
    foreign = create_pool(api, lb_id=other["id"])
    assert_fault(post_listener(api, lb["id"], default_pool_id=udp["id"]), 400,
                 "Validation failure: The pool protocol 'UDP' is invalid while the listener "
                 "protocol is 'TCP'.")
    assert_fault(post_listener(api, lb["id"], default_pool_id=UNKNOWN), 404,
                 f"Pool {UNKNOWN} not found.")
    r = post_listener(api, lb["id"], default_pool_id=foreign["id"])
    assert r.status in (400, 404), r  # a pool of another LB is not usable
    assert api.get(LISTENERS).body["listeners"] == []


def test_delete_listener_closes_its_port(api, tcp_member):
    m = tcp_member("echo")
    lb, l, p, vip, port = serving(api, m)
    assert api.delete(f"{LISTENERS}/{l['id']}").status == 204
    wait_gone(api, f"{LISTENERS}/{l['id']}")
    wait_lb(api, lb["id"])
    assert relay(vip, port, timeout=1) == "refused"
    # the pool stays, unattached
    r = api.get(f"{POOLS}/{p['id']}")
    assert r.status == 200 and r.body["pool"]["listeners"] == [], r


def test_allowed_cidrs_are_checked_and_normalised(api):
    lb = create_lb(api)
    r = api.post(LISTENERS, {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP",
                                          "protocol_port": 81,
                                          "allowed_cidrs": ["192.0.2.9/24", "2001:db8::/32"]}})
    assert r.status == 400 and "IP version incompatible" in r.body["faultstring"], r
    r = api.post(LISTENERS, {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP",
                                          "protocol_port": 81, "allowed_cidrs": ["10.0.0/8"]}})
    assert r.status == 400 and "not a valid CIDR" in r.body["faultstring"], r
    wait_lb(api, lb["id"])
    r = api.post(LISTENERS, {"listener": {"loadbalancer_id": lb["id"], "protocol": "TCP",
                                          "protocol_port": 81, "allowed_cidrs": ["192.0.2.9/24"]}})
    assert r.status == 201 and r.body["listener"]["allowed_cidrs"] == ["192.0.2.0/24"], r

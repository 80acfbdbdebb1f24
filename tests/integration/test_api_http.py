# SPDX-License-Identifier: Apache-2.0
"""REST API end to end for HTTP: an HTTP listener, pools, an L7 policy and a
retry policy created through the API, with real HTTP traffic through the VIP."""
import json

import pytest

from apiutil import (L7P, create_lb, create_listener, create_member, create_pool, free_port,
                     wait_active, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)
from conftest import wait_until
from httputil import HttpMember, http_request


@pytest.fixture
def http_member():
    made = []

    def make(**kw):
        m = HttpMember(**kw)
        made.append(m)
        return m

    yield make
    for m in made:
        m.stop()


def _who(vip, port, target="/", **kw):
    status, hdrs, body, s = http_request(port, target, host=vip, **kw)
    s.close()
    return json.loads(body)["member"] if status == 200 else status


def test_http_listener_with_l7_policy_through_the_api(server, api, http_member):
    web, static = http_member(name="web"), http_member(name="static")
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port, protocol="HTTP",
                        insert_headers={"X-Forwarded-For": "true"})
    p = create_pool(api, listener_id=l["id"], protocol="HTTP")
    sp = create_pool(api, lb_id=lb["id"], protocol="HTTP", name="static")
    create_member(api, p["id"], port=web.port)
    create_member(api, sp["id"], port=static.port)
    wait_lb(api, lb["id"])
    assert _who(vip, port, "/x") == "web"
    assert ("X-Forwarded-For", "127.0.0.1") in web.requests[-1]["headers"]
    r = api.post(L7P, {"l7policy": {"listener_id": l["id"], "action": "REDIRECT_TO_POOL",
                                    "redirect_pool_id": sp["id"]}})
    assert r.status == 201, r
    pol = r.body["l7policy"]
    r = api.post(f"{L7P}/{pol['id']}/rules", {"rule": {
        "type": "PATH", "compare_type": "STARTS_WITH", "value": "/static"}})
    assert r.status == 201, r
    wait_active(api, f"{L7P}/{pol['id']}", "l7policy")
    wait_lb(api, lb["id"])
    wait_until(lambda: _who(vip, port, "/static/app.js") == "static", 3.0,
               what="the L7 policy to route /static")
    assert _who(vip, port, "/other") == "web"
    # a REJECT policy in front of it
    r = api.post(L7P, {"l7policy": {"listener_id": l["id"], "action": "REJECT", "position": 1}})
    rej = r.body["l7policy"]
    api.post(f"{L7P}/{rej['id']}/rules", {"rule": {
        "type": "HEADER", "key": "X-Bad", "compare_type": "EQUAL_TO", "value": "1"}})
    wait_active(api, f"{L7P}/{rej['id']}", "l7policy")
    wait_lb(api, lb["id"])
    wait_until(lambda: _who(vip, port, "/static/x", headers={"X-Bad": "1"}) == 403, 3.0,
               what="the REJECT policy")
    assert _who(vip, port, "/static/x") == "static"


def test_retry_policy_through_the_api(server, api, http_member):
    bad, good = http_member(name="bad"), http_member(name="good")
    bad.fail_status = 503
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port, protocol="HTTP")
    p = create_pool(api, listener_id=l["id"], protocol="HTTP",
                    ballast_retry_policy={"num_retries": 0})
    assert p["ballast_retry_policy"] == {"num_retries": 0}
    create_member(api, p["id"], port=bad.port)
    create_member(api, p["id"], port=good.port)
    wait_lb(api, lb["id"])
    got = sorted(str(_who(vip, port)) for _ in range(2))
    assert got == ["503", "good"], got
    r = api.put(f"/v2/lbaas/pools/{p['id']}", {"pool": {"ballast_retry_policy": None}})
    assert r.status == 200, r
    wait_lb(api, lb["id"])
    wait_until(lambda: all(_who(vip, port) == "good" for _ in range(4)), 3.0,
               what="the default retry policy (1 retry on 5xx)")
    r = api.put(f"/v2/lbaas/pools/{p['id']}", {"pool": {
        "ballast_retry_policy": {"num_retries": 7}}})
    assert r.status == 400 and "num_retries" in r.body["faultstring"], r


def test_terminated_https_through_the_api_with_the_certificate_store(server, api, http_member):
    import os
    import shutil
    import socket
    from tlsutil import client_context, make_certs, peer_common_name
    from httputil import read_response
    certs = make_certs(os.path.join(server.workdir, "made"))
    store = os.path.join(os.path.dirname(server.db), "certs")  # ballastd's default --certs
    os.makedirs(store, exist_ok=True)
    shutil.copy(certs.default, os.path.join(store, "site.pem"))
    shutil.copy(certs.sni_a, os.path.join(store, "alt.pem"))
    m = http_member(name="web")
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port, protocol="TERMINATED_HTTPS",
                        default_tls_container_ref="https://barbican.example/v1/containers/site",
                        sni_container_refs=["alt"],
                        insert_headers={"X-Forwarded-Proto": "true"})
    p = create_pool(api, listener_id=l["id"], protocol="HTTP")
    create_member(api, p["id"], port=m.port)
    wait_lb(api, lb["id"])
    for name in ("www.example.com", "a.example.com"):
        s = client_context(certs).wrap_socket(socket.create_connection((vip, port), timeout=5),
                                              server_hostname=name)
        assert peer_common_name(s) == name
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body = read_response(s)
        s.close()
        assert status == 200 and json.loads(body)["member"] == "web"
        assert ["X-Forwarded-Proto", "https"] in json.loads(body)["headers"]
    # a ref the store does not hold is refused with its name; the listener keeps running
    r = api.put(f"/v2/lbaas/listeners/{l['id']}", {"listener": {
        "sni_container_refs": ["alt", "missing"]}})
    assert r.status == 400 and "missing" in r.body["faultstring"], r
    assert api.get(f"/v2/lbaas/loadbalancers/{lb['id']}").body["loadbalancer"][
        "provisioning_status"] == "ACTIVE"

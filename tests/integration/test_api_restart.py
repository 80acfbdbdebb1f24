# SPDX-License-Identifier: Apache-2.0
"""REST API: crash recovery. ballastd is SIGKILLed and restarted on the same
database: every object is still there and ACTIVE, and the data plane is back
before the API answers (traffic works on the very first try)."""
from apiutil import (HMS, LB, LISTENERS, POOLS, create_hm, create_lb, create_listener,
                     alternating, create_member, create_pool, free_port, members_path, relay,
                     wait_lb)
from apiutil import serving
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)


def snapshot(api, lb_id):
    """Every object of the LB as GET shows it, keyed by path."""
    out = {}
    r = api.get(f"{LB}/{lb_id}")
    assert r.status == 200, r
    out[f"{LB}/{lb_id}"] = r.body["loadbalancer"]
    for l in r.body["loadbalancer"]["listeners"]:
        out[f"{LISTENERS}/{l['id']}"] = api.get(f"{LISTENERS}/{l['id']}").body["listener"]
    for p in r.body["loadbalancer"]["pools"]:
        pool = api.get(f"{POOLS}/{p['id']}").body["pool"]
        out[f"{POOLS}/{p['id']}"] = pool
        for m in pool["members"]:
            path = f"{members_path(p['id'])}/{m['id']}"
            out[path] = api.get(path).body["member"]
        if "healthmonitor_id" in pool:
            path = f"{HMS}/{pool['healthmonitor_id']}"
            out[path] = api.get(path).body["healthmonitor"]
    return out


def build(api, a, b):
    lb = create_lb(api, name="lb", tags=["keep"])
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port, name="l1", connection_limit=1000)
    p = create_pool(api, listener_id=l["id"], name="p1")
    create_member(api, p["id"], port=a.port, name="a")
    create_member(api, p["id"], port=b.port, name="b", weight=1)
    # a second pool, not in use, with a monitor
    spare = create_pool(api, lb_id=lb["id"], name="spare", algo="LEAST_CONNECTIONS")
    create_member(api, spare["id"], address="127.0.0.3", port=free_port())
    create_hm(api, spare["id"], type_="HTTP", url_path="/ping")
    wait_lb(api, lb["id"])
    return lb, vip, port, p


def test_objects_and_traffic_survive_kill9(server, api, tcp_member):
    a, b = tcp_member("echo"), tcp_member("echo")
    lb, vip, port, p = build(api, a, b)
    names = [relay(vip, port) for _ in range(4)]
    assert sorted(names) == sorted([a.name, b.name] * 2), names
    before = snapshot(api, lb["id"])
    assert len(before) == 8, before.keys()  # lb, listener, 2 pools, 3 members, 1 monitor
    assert all(o["provisioning_status"] == "ACTIVE" for o in before.values()), before

    server.kill9()
    assert relay(vip, port, timeout=1) == "refused"
    server.start()
    # the data plane was rebuilt from the store before the API answered
    first = relay(vip, port)
    assert first in (a.name, b.name), first

    api = server.api
    after = snapshot(api, lb["id"])
    assert after == before
    r = api.get(LB)
    assert [x["id"] for x in r.body["loadbalancers"]] == [lb["id"]], r
    names = [relay(vip, port) for _ in range(6)]
    assert set(names) == {a.name, b.name} and alternating(names), names
    # and the API still works normally on the recovered state
    r = api.put(f"{LB}/{lb['id']}", {"loadbalancer": {"description": "after crash"}})
    assert r.status == 200, r
    assert wait_lb(api, lb["id"])["description"] == "after crash"


def test_kill9_right_after_a_write(server, api, tcp_member):
    """A change answered (201) but maybe not yet applied when the process dies is
    applied at the next start: ACTIVE at once, traffic reaches the new member."""
    a, b = tcp_member("echo"), tcp_member("echo")
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port)
    p = create_pool(api, listener_id=l["id"])
    create_member(api, p["id"], port=a.port)
    r = api.post(members_path(p["id"]), {"member": {"address": "127.0.0.1",
                                                    "protocol_port": b.port}})
    assert r.status == 201, r
    mb = r.body["member"]
    server.kill9()
    server.start()
    api = server.api
    first = relay(vip, port)
    assert first in (a.name, b.name), first
    for path, key in ((f"{members_path(p['id'])}/{mb['id']}", "member"),
                      (f"{POOLS}/{p['id']}", "pool"), (f"{LISTENERS}/{l['id']}", "listener"),
                      (f"{LB}/{lb['id']}", "loadbalancer")):
        r = api.get(path)
        assert r.status == 200 and r.body[key]["provisioning_status"] == "ACTIVE", r
    names = [relay(vip, port) for _ in range(4)]
    assert set(names) == {a.name, b.name} and alternating(names), names


def test_kill9_during_delete(server, api, tcp_member):
    """A cascade delete answered 204 is completed at the next start."""
    m = tcp_member("echo")
    lb, l, p, vip, port = serving(api, m)
    assert api.delete(f"{LB}/{lb['id']}?cascade=true").status == 204
    server.kill9()
    server.start()
    api = server.api
    for path in (f"{LB}/{lb['id']}", f"{LISTENERS}/{l['id']}", f"{POOLS}/{p['id']}"):
        assert api.get(path).status == 404, path
    assert api.get(LB).body["loadbalancers"] == []
    assert relay(vip, port, timeout=1) == "refused"

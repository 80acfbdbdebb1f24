# SPDX-License-Identifier: Apache-2.0
"""REST API end to end: the tutorial (LB, TCP listener, ROUND_ROBIN pool, two
members) driven through the API, with real TCP traffic through the VIP."""
import time

from apiutil import (LB, LISTENERS, POOLS, create_lb, create_listener, create_member, create_pool,
                     alternating, free_port, members_path, poll, relay, wait_active, wait_gone,
                     wait_lb)
from apiutil import serving
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)


def stats(api, path):
    r = api.get(f"{path}/stats")
    assert r.status == 200, r
    return r.body["stats"]


def settle(api, lb_id, *paths):
    for path, key in paths:
        wait_active(api, path, key)
    wait_lb(api, lb_id)


def test_tutorial_end_to_end(server, api, tcp_member):
    a, b = tcp_member("echo"), tcp_member("echo")
    lb = create_lb(api, name="tutorial")
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port, name="tcp")
    p = create_pool(api, listener_id=l["id"], name="rr")
    # no member yet: the listener accepts but has nowhere to send the connection
    assert relay(vip, port, timeout=1) in ("reset", "eof")

    def post_and_time(member):
        """POSTs a member; returns it and the time until a connection reaches it."""
        t0 = time.monotonic()
        r = api.post(members_path(p["id"]), {"member": {
            "address": "127.0.0.1", "protocol_port": member.port,
            "name": "a" if member is a else "b"}})
        assert r.status == 201, r
        poll(lambda: relay(vip, port, timeout=1) == member.name, timeout=3.0,
             what=f"a connection relayed to {member.name}")
        return r.body["member"], time.monotonic() - t0

    ma, ta = post_and_time(a)
    settle(api, lb["id"], (f"{members_path(p['id'])}/{ma['id']}", "member"))
    mb, tb = post_and_time(b)  # the last member
    print(f"\nPOST of a member -> first connection relayed to it: first member "
          f"{ta * 1000:.1f} ms, last member {tb * 1000:.1f} ms")
    settle(api, lb["id"], (f"{members_path(p['id'])}/{mb['id']}", "member"),
           (f"{POOLS}/{p['id']}", "pool"), (f"{LISTENERS}/{l['id']}", "listener"))

    # consecutive connections alternate between the two members
    base = stats(api, f"{LB}/{lb['id']}")
    before = base["total_connections"]
    payload = b"hello through the VIP\n"
    names = [relay(vip, port, payload) for _ in range(8)]
    assert set(names) == {a.name, b.name}, names
    assert alternating(names), names
    assert names.count(a.name) == names.count(b.name) == 4, names

    # stats: LB and listener count the connections and bytes (settled when closed)
    def counted():
        s = stats(api, f"{LB}/{lb['id']}")
        return s if s["total_connections"] >= before + 8 and s["active_connections"] == 0 \
            else None
    s = poll(counted, timeout=3.0, what="LB stats to count the 8 connections")
    assert s["bytes_in"] >= base["bytes_in"] + 8 * len(payload), s
    assert s["bytes_out"] >= base["bytes_out"] + 8 * (len(payload) + len(a.name) + 1), s
    assert s["request_errors"] == base["request_errors"], (base, s)
    assert stats(api, f"{LISTENERS}/{l['id']}") == s

    # status tree shows both members under the listener's pool
    r = api.get(f"{LB}/{lb['id']}/status")
    assert r.status == 200, r
    tree = r.body["statuses"]["loadbalancer"]
    assert (tree["provisioning_status"], tree["operating_status"]) == ("ACTIVE", "ONLINE")
    [tl] = tree["listeners"]
    assert (tl["id"], tl["name"], tl["operating_status"]) == (l["id"], "tcp", "ONLINE")
    [tp] = tl["pools"]
    assert (tp["id"], tp["name"]) == (p["id"], "rr")
    assert "health_monitor" not in tp, tp
    assert sorted((m["name"], m["address"], m["protocol_port"], m["operating_status"],
                   m["provisioning_status"]) for m in tp["members"]) == \
        [("a", "127.0.0.1", a.port, "NO_MONITOR", "ACTIVE"),
         ("b", "127.0.0.1", b.port, "NO_MONITOR", "ACTIVE")]
    ids = {m["name"]: m["id"] for m in tp["members"]}

    # weight 0 on a: no new connections go to it
    path_a = f"{members_path(p['id'])}/{ids['a']}"
    r = api.put(path_a, {"member": {"weight": 0}})
    assert r.status == 200, r
    settle(api, lb["id"], (path_a, "member"), (f"{POOLS}/{p['id']}", "pool"))
    accepted_a = a.accepted
    names = [relay(vip, port) for _ in range(6)]
    assert names == [b.name] * 6, names
    assert a.accepted == accepted_a

    # weight back to 1: both again
    r = api.put(path_a, {"member": {"weight": 1}})
    assert r.status == 200, r
    settle(api, lb["id"], (path_a, "member"), (f"{POOLS}/{p['id']}", "pool"))
    names = [relay(vip, port) for _ in range(4)]
    assert sorted(names) == sorted([a.name, b.name] * 2) and alternating(names), names

    # delete b: traffic only to a
    path_b = f"{members_path(p['id'])}/{ids['b']}"
    assert api.delete(path_b).status == 204
    wait_gone(api, path_b)
    settle(api, lb["id"], (f"{POOLS}/{p['id']}", "pool"))
    accepted_b = b.accepted
    names = [relay(vip, port) for _ in range(4)]
    assert names == [a.name] * 4, names
    assert b.accepted == accepted_b
    # stats are cumulative across the changes
    assert stats(api, f"{LB}/{lb['id']}")["total_connections"] >= before + 8 + 6 + 4 + 4

    # delete the LB (cascade): the VIP port stops accepting
    assert api.delete(f"{LB}/{lb['id']}?cascade=true").status == 204
    wait_gone(api, f"{LB}/{lb['id']}")
    outcome = poll(lambda: (lambda o: o if o == "refused" else None)(relay(vip, port, timeout=1)),
                   timeout=2.0, what="the VIP port to refuse connections")
    assert outcome == "refused"
    assert api.get(LISTENERS).body["listeners"] == []


def test_listener_without_pool_then_pool(server, api, tcp_member):
    """A listener whose pool has no member relays nothing; adding one makes it work."""
    m = tcp_member("echo")
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port)
    p = create_pool(api, listener_id=l["id"])
    assert relay(vip, port, timeout=1) not in (m.name,)
    assert m.accepted == 0
    create_member(api, p["id"], port=m.port)
    wait_lb(api, lb["id"])
    assert [relay(vip, port) for _ in range(3)] == [m.name] * 3


def test_admin_down_lb_stops_traffic(server, api, tcp_member):
    m = tcp_member("echo")
    lb, l, p, vip, port = serving(api, m)
    r = api.put(f"{LB}/{lb['id']}", {"loadbalancer": {"admin_state_up": False}})
    assert r.status == 200, r
    wait_lb(api, lb["id"])
    accepted = m.accepted
    out = poll(lambda: (lambda o: o if o != m.name else None)(relay(vip, port, timeout=1)),
               timeout=2.0, what="the disabled LB to stop relaying")
    assert out in ("refused", "reset", "eof"), out
    assert m.accepted == accepted
    r = api.put(f"{LB}/{lb['id']}", {"loadbalancer": {"admin_state_up": True}})
    assert r.status == 200, r
    wait_lb(api, lb["id"])
    assert poll(lambda: relay(vip, port) == m.name, timeout=2.0, what="traffic again")

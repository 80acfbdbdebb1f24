# SPDX-License-Identifier: Apache-2.0
"""Roll-up of operating statuses in API mode: as the health checker marks
members down and up, their pool, listener and load balancer show what
Octavia's health manager would store (amphorae/drivers/health/heartbeat_udp.py):

  pool      ERROR when no member is up, DEGRADED when some member is in ERROR,
            OFFLINE when disabled or used by no enabled listener, else ONLINE;
  listener  ONLINE or OFFLINE (admin_state_up): Octavia does not fold its
            pools into it;
  LB        ERROR when a pool in use is in ERROR, DEGRADED when one is
            DEGRADED, OFFLINE when disabled, else ONLINE.

GET of each object and the status tree show the same; a restart rewrites no
row (the store's revision does not move); a settled change keeps what health
checks decided. (That status writes rebuild nothing is shown by
tests/unit/agent/test_agent.c, which can see the parts.)"""
import sqlite3
import time

from apiutil import (HMS, L7P, LB, LISTENERS, POOLS, create_lb, create_listener,
                     create_member, create_pool, free_port, members_path, poll, scaled, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

WAIT = 6.0  # seconds for a monitor with delay 1 to see a change (scaled)


def statuses(api, lb_id, l_id, p_id):
    """(LB, listener, pool) operating_status as GET shows them."""
    return (api.get(f"{LB}/{lb_id}").body["loadbalancer"]["operating_status"],
            api.get(f"{LISTENERS}/{l_id}").body["listener"]["operating_status"],
            api.get(f"{POOLS}/{p_id}").body["pool"]["operating_status"])


def tree(api, lb_id):
    """The status tree as {id: operating_status} for LB, listeners, pools, members."""
    r = api.get(f"{LB}/{lb_id}/status")
    assert r.status == 200, r
    lb = r.body["statuses"]["loadbalancer"]
    out = {lb["id"]: lb["operating_status"]}
    for l in lb["listeners"]:
        out[l["id"]] = l["operating_status"]
        for p in l["pools"]:
            out[p["id"]] = p["operating_status"]
            for m in p["members"]:
                out[m["id"]] = m["operating_status"]
    return out


def wait_statuses(api, ids, want, timeout=WAIT):
    return poll(lambda: statuses(api, *ids) == want or None, timeout=scaled(timeout),
                what=f"statuses {want}")


def build(api, tcp_member, hm=True):
    """LB -> TCP listener -> pool with two live members (and a fast TCP monitor)."""
    a, b = tcp_member("echo", name="a"), tcp_member("echo", name="b")
    lb = create_lb(api, name="lb")
    l = create_listener(api, lb["id"], port=free_port(lb["vip_address"]), name="l")
    p = create_pool(api, listener_id=l["id"], name="p")
    if hm:
        r = api.post(HMS, {"healthmonitor": {"pool_id": p["id"], "type": "TCP", "delay": 1,
                                             "timeout": 1, "max_retries": 1,
                                             "max_retries_down": 1}})
        assert r.status == 201, r
        wait_lb(api, lb["id"])
    ma = create_member(api, p["id"], port=a.port, name="a")
    mb = create_member(api, p["id"], port=b.port, name="b")
    wait_lb(api, lb["id"])
    return (lb["id"], l["id"], p["id"]), (a, ma), (b, mb)


def member_status(api, p_id, m_id):
    return api.get(f"{members_path(p_id)}/{m_id}").body["member"]["operating_status"]


def test_members_down_and_up_roll_up(server, api, tcp_member):
    ids, (a, ma), (b, mb) = build(api, tcp_member)
    lb_id, l_id, p_id = ids
    wait_statuses(api, ids, ("ONLINE", "ONLINE", "ONLINE"))

    a.stop()  # one of two down
    wait_statuses(api, ids, ("DEGRADED", "ONLINE", "DEGRADED"))
    assert member_status(api, p_id, ma["id"]) == "ERROR"
    assert tree(api, lb_id) == {lb_id: "DEGRADED", l_id: "ONLINE", p_id: "DEGRADED",
                                ma["id"]: "ERROR", mb["id"]: "ONLINE"}

    b.stop()  # both down
    wait_statuses(api, ids, ("ERROR", "ONLINE", "ERROR"))
    assert tree(api, lb_id) == {lb_id: "ERROR", l_id: "ONLINE", p_id: "ERROR",
                                ma["id"]: "ERROR", mb["id"]: "ERROR"}

    tcp_member("echo", name="a2", port=a.port)  # one back: degraded again
    wait_statuses(api, ids, ("DEGRADED", "ONLINE", "DEGRADED"))
    tcp_member("echo", name="b2", port=b.port)
    wait_statuses(api, ids, ("ONLINE", "ONLINE", "ONLINE"))
    assert tree(api, lb_id) == {lb_id: "ONLINE", l_id: "ONLINE", p_id: "ONLINE",
                                ma["id"]: "ONLINE", mb["id"]: "ONLINE"}


def store_revision(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
    finally:
        con.close()


def test_restart_keeps_statuses_without_rewriting(server, api, tcp_member):
    ids, (a, ma), (b, mb) = build(api, tcp_member)
    lb_id, l_id, p_id = ids
    a.stop()
    wait_statuses(api, ids, ("DEGRADED", "ONLINE", "DEGRADED"))
    before = tree(api, lb_id)
    rev = store_revision(server.db)

    server.stop()
    api = server.start().api
    assert tree(api, lb_id) == before
    time.sleep(scaled(2.5))  # a few check rounds: the dead member is checked again
    assert tree(api, lb_id) == before
    assert store_revision(server.db) == rev, "a restart rewrote rows"
    # and the member that was down is not sent traffic while its first check runs
    tcp_member("echo", name="a2", port=a.port)
    wait_statuses(api, ids, ("ONLINE", "ONLINE", "ONLINE"))
    assert member_status(api, p_id, ma["id"]) == "ONLINE"


def test_settling_a_change_keeps_what_health_decided(server, api, tcp_member):
    ids, (a, _), _ = build(api, tcp_member)
    lb_id, l_id, p_id = ids
    a.stop()
    wait_statuses(api, ids, ("DEGRADED", "ONLINE", "DEGRADED"))
    r = api.put(f"{LISTENERS}/{l_id}", {"listener": {"name": "renamed"}})
    assert r.status == 200, r
    seen = set()

    def settled():
        lb = api.get(f"{LB}/{lb_id}").body["loadbalancer"]
        seen.add(lb["operating_status"])
        return lb["provisioning_status"] == "ACTIVE" or None

    poll(settled, timeout=scaled(2.0))
    assert seen == {"DEGRADED"}, seen
    assert statuses(api, *ids) == ("DEGRADED", "ONLINE", "DEGRADED")


def test_disabled_listener_and_lb_are_offline(server, api, tcp_member):
    ids, _, _ = build(api, tcp_member, hm=False)
    lb_id, l_id, p_id = ids
    wait_statuses(api, ids, ("ONLINE", "ONLINE", "ONLINE"))
    # no monitor: members are NO_MONITOR and count as up
    assert {m["operating_status"] for m in
            api.get(members_path(p_id)).body["members"]} == {"NO_MONITOR"}

    r = api.put(f"{LISTENERS}/{l_id}", {"listener": {"admin_state_up": False}})
    assert r.status == 200, r
    wait_lb(api, lb_id)
    # the pool is now used by no enabled listener: OFFLINE too, as Octavia shows it
    assert statuses(api, *ids) == ("ONLINE", "OFFLINE", "OFFLINE")
    assert tree(api, lb_id)[l_id] == "OFFLINE"

    r = api.put(f"{LISTENERS}/{l_id}", {"listener": {"admin_state_up": True}})
    assert r.status == 200, r
    wait_lb(api, lb_id)
    assert statuses(api, *ids) == ("ONLINE", "ONLINE", "ONLINE")

    r = api.put(f"{LB}/{lb_id}", {"loadbalancer": {"admin_state_up": False}})
    assert r.status == 200, r
    wait_lb(api, lb_id)
    assert statuses(api, *ids) == ("OFFLINE", "OFFLINE", "OFFLINE")


def test_pool_outside_listeners_is_offline(server, api, tcp_member):
    """tempest (test_pool.py): a pool created on the load balancer alone is OFFLINE."""
    lb = create_lb(api)
    p = create_pool(api, lb_id=lb["id"], name="spare")
    wait_lb(api, lb["id"])
    assert api.get(f"{POOLS}/{p['id']}").body["pool"]["operating_status"] == "OFFLINE"
    assert api.get(f"{LB}/{lb['id']}").body["loadbalancer"]["operating_status"] == "ONLINE"


def test_pool_behind_an_l7_policy_is_in_use(server, api):
    """A pool that only an L7 policy (with a rule) sends to is in use: ONLINE,
    as Octavia's haproxy reports its backend; it goes OFFLINE with the policy."""
    lb = create_lb(api)
    l = create_listener(api, lb["id"], port=free_port(lb["vip_address"]), protocol="HTTP")
    create_pool(api, listener_id=l["id"], protocol="HTTP", name="default")
    target = create_pool(api, lb_id=lb["id"], protocol="HTTP", name="target")
    wait_lb(api, lb["id"])
    pool_status = lambda: api.get(f"{POOLS}/{target['id']}").body["pool"]["operating_status"]
    assert pool_status() == "OFFLINE"
    r = api.post(L7P, {"l7policy": {"listener_id": l["id"], "action": "REDIRECT_TO_POOL",
                                    "redirect_pool_id": target["id"]}})
    assert r.status == 201, r
    pol = r.body["l7policy"]["id"]
    wait_lb(api, lb["id"])
    r = api.post(f"{L7P}/{pol}/rules", {"rule": {"type": "PATH", "compare_type": "STARTS_WITH",
                                                 "value": "/t"}})
    assert r.status == 201, r
    wait_lb(api, lb["id"])
    assert pool_status() == "ONLINE"
    tree_pools = {p["id"] for p in api.get(f"{LB}/{lb['id']}/status").body["statuses"]
                  ["loadbalancer"]["listeners"][0]["pools"]}
    assert target["id"] in tree_pools, tree_pools
    assert api.delete(f"{L7P}/{pol}").status == 204
    wait_lb(api, lb["id"])
    assert pool_status() == "OFFLINE"

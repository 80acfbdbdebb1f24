# SPDX-License-Identifier: Apache-2.0
"""Health monitors in API mode: the checker follows what the agent applies and
writes each member's verdict into its operating_status (member show, status
tree); traffic avoids the member in ERROR."""
import time

from apiutil import (HMS, create_lb, create_listener, create_member, create_pool, free_port,
                     members_path, relay, scaled, wait_active, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)


def member_status(api, pool_id, member_id):
    return api.get(f"{members_path(pool_id)}/{member_id}").body["member"]["operating_status"]


def wait_status(api, pool_id, member_id, want, timeout=6.0):
    deadline = time.monotonic() + scaled(timeout)
    while time.monotonic() < deadline:
        got = member_status(api, pool_id, member_id)
        if got == want:
            return
        time.sleep(0.05)
    raise AssertionError(f"member {member_id}: {got}, want {want}")


def test_api_members_get_their_health(api, tcp_member):
    live = tcp_member("echo", name="live")
    dead_port = free_port()
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port)
    p = create_pool(api, listener_id=l["id"])
    r = api.post(HMS, {"healthmonitor": {"pool_id": p["id"], "type": "TCP", "delay": 1,
                                         "timeout": 1, "max_retries": 1,
                                         "max_retries_down": 1}})
    assert r.status == 201, r
    wait_lb(api, lb["id"])
    a = create_member(api, p["id"], port=live.port)
    b = create_member(api, p["id"], port=dead_port)
    wait_status(api, p["id"], a["id"], "ONLINE")
    wait_status(api, p["id"], b["id"], "ERROR")
    tree = api.get(f"/v2.0/lbaas/loadbalancers/{lb['id']}/status").body
    members = tree["statuses"]["loadbalancer"]["listeners"][0]["pools"][0]["members"]
    assert sorted(m["operating_status"] for m in members) == ["ERROR", "ONLINE"], members
    assert [relay(vip, port) for _ in range(4)] == ["live"] * 4
    # the dead member comes back: it goes ONLINE again
    back = tcp_member("echo", name="back", port=dead_port)
    wait_status(api, p["id"], b["id"], "ONLINE")
    assert {relay(vip, port) for _ in range(4)} == {"live", "back"}
    back.stop()

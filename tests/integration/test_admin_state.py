# SPDX-License-Identifier: Apache-2.0
"""admin_state_up on listeners, pools, members and the load balancer."""
from conftest import banner, free_port, lb_config, listener, member, pool, simple_config


def test_disabled_listener_does_not_listen(ballastd, tcp_member):
    a = tcp_member()
    p1, p2 = free_port(), free_port()
    bd = ballastd(lb_config([listener(p1, pool([a])),
                             listener(p2, pool([a], name="p2"), name="l2",
                                      admin_state_up=False)]))
    assert banner(p1) == a.name
    assert banner(p2) == "refused"
    assert [l["name"] for l in bd.stats()["listeners"]] == ["l1"]


def test_listener_disabled_and_enabled_by_reload(ballastd, tcp_member):
    a = tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a]))
    assert banner(port) == a.name
    assert bd.reload(simple_config(port, [a], admin_state_up=False))["ok"]
    assert banner(port) == "refused"
    assert bd.reload(simple_config(port, [a]))["ok"]
    assert banner(port) == a.name


def test_disabled_member_gets_nothing(ballastd, tcp_member):
    a, b, c = tcp_member(), tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, member(b, admin_state_up=False), c]))
    seen = [banner(port) for _ in range(8)]
    assert seen == [a.name, c.name] * 4, seen
    assert b.accepted == 0
    assert bd.member_stats(b)["admin_state_up"] is False


def test_disabled_member_by_reload(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, b]))
    assert {banner(port) for _ in range(4)} == {a.name, b.name}
    assert bd.reload(simple_config(port, [member(a, admin_state_up=False), b]))["ok"]
    assert [banner(port) for _ in range(4)] == [b.name] * 4
    assert a.accepted == 2


def test_disabled_member_with_least_connections_and_source_ip(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    for algo in ("LEAST_CONNECTIONS", "SOURCE_IP"):
        port = free_port()
        ballastd(simple_config(port, [member(a, admin_state_up=False), b], algo=algo))
        seen = {banner(port, src=f"127.0.0.{i}") for i in range(2, 12)}
        assert seen == {b.name}, (algo, seen)
    assert a.accepted == 0


def test_disabled_pool_resets_clients(ballastd, tcp_member):
    a = tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a], pool_kw={"admin_state_up": False}))
    assert banner(port) == "reset"
    assert a.accepted == 0
    assert bd.listener_stats()["request_errors"] == 1


def test_disabled_load_balancer_listens_nowhere(ballastd, tcp_member):
    a = tcp_member()
    port = free_port()
    bd = ballastd(lb_config([listener(port, pool([a]))], admin_state_up=False))
    assert banner(port) == "refused"
    assert bd.stats()["listeners"] == []

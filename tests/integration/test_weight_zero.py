# SPDX-License-Identifier: Apache-2.0
"""Weight 0: no new connections; set by reload it drains the member."""
from conftest import banner, echo_ok, free_port, member, simple_config, wait_until


def test_weight_zero_member_gets_nothing(ballastd, tcp_member):
    a, b, c = tcp_member(), tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, member(b, weight=0), c]))
    seen = [banner(port) for _ in range(10)]
    assert seen == [a.name, c.name] * 5, seen
    assert b.accepted == 0
    assert bd.member_stats(b)["weight"] == 0


def test_weight_zero_by_reload_drains(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, b]))
    name, held = banner(port, keep=True)
    assert name == a.name
    assert echo_ok(held)

    assert bd.reload(simple_config(port, [member(a, weight=0), b]))["ok"]
    # the established connection survives ...
    assert echo_ok(held, b"still there\n")
    assert bd.member_stats(a)["active_connections"] == 1
    # ... and a gets no new ones
    seen = [banner(port) for _ in range(6)]
    assert seen == [b.name] * 6, seen
    assert a.accepted == 1
    assert echo_ok(held, b"and after new connections\n")
    held.close()
    wait_until(lambda: bd.member_stats(a)["active_connections"] == 0, what="a to drain")


def test_all_weights_zero_resets_clients(ballastd, tcp_member):
    a = tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [member(a, weight=0)]))
    assert banner(port) in ("reset", "eof")
    assert a.accepted == 0
    assert bd.listener_stats()["request_errors"] == 1

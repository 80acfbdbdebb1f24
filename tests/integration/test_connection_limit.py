# SPDX-License-Identifier: Apache-2.0
"""connection_limit: connections beyond the limit are accepted, then reset at once."""
from conftest import banner, echo_ok, free_port, simple_config, wait_until


def test_connections_beyond_limit_are_reset(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, b], connection_limit=2))
    held = [banner(port, keep=True) for _ in range(2)]
    assert sorted(n for n, _ in held) == sorted([a.name, b.name]), held
    assert bd.listener_stats()["active_connections"] == 2

    over = [banner(port) for _ in range(3)]
    assert over == ["reset"] * 3, over
    lst = bd.listener_stats()
    assert lst["denied_connections"] == 3, lst
    assert lst["active_connections"] == 2 and lst["total_connections"] == 2, lst
    assert a.accepted + b.accepted == 2  # the members never saw the rejected ones
    # the held ones are unaffected
    for _, s in held:
        assert echo_ok(s)

    # one slot frees up: exactly one new connection fits again
    held[0][1].close()
    wait_until(lambda: bd.listener_stats()["active_connections"] == 1, what="one slot free")
    name, s3 = banner(port, keep=True)
    assert name in (a.name, b.name), name
    assert banner(port) == "reset"
    assert bd.listener_stats()["denied_connections"] == 4
    s3.close()
    held[1][1].close()


def test_limit_counts_across_workers(ballastd, tcp_member):
    """The limit is per listener, not per worker: with 4 workers and a limit of 3,
    8 held connections give exactly 3 served."""
    m = tcp_member("hold")
    port = free_port()
    bd = ballastd(simple_config(port, [m], connection_limit=3), workers=4)
    results = [banner(port, keep=True) for _ in range(8)]
    names = [n for n, _ in results]
    assert names.count(m.name) == 3 and names.count("reset") == 5, names
    assert bd.listener_stats()["denied_connections"] == 5
    for _, s in results:
        if s:
            s.close()


def test_unlimited_minus_one(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    bd = ballastd(simple_config(port, [m], connection_limit=-1))
    held = [banner(port, keep=True) for _ in range(30)]
    assert [n for n, _ in held] == [m.name] * 30
    assert bd.listener_stats()["denied_connections"] == 0
    for _, s in held:
        s.close()

# SPDX-License-Identifier: Apache-2.0
"""LEAST_CONNECTIONS (weighted by member weight)."""
from conftest import banner, free_port, member, simple_config, wait_until


def _hold(port, n):
    """Opens n connections one after the other; returns [(member name, socket)]."""
    out = []
    for _ in range(n):
        name, s = banner(port, keep=True)
        out.append((name, s))
    return out


def test_next_connection_goes_to_member_with_fewer(ballastd, tcp_member):
    a, b = tcp_member("hold"), tcp_member("hold")
    port = free_port()
    bd = ballastd(simple_config(port, [a, b], algo="LEAST_CONNECTIONS"))
    held = _hold(port, 4)
    names = [n for n, _ in held]
    assert names.count(a.name) == 2 and names.count(b.name) == 2, names

    # close both connections on a: a has 0, b has 2
    for n, s in held:
        if n == a.name:
            s.close()
    wait_until(lambda: bd.member_stats(a)["active_connections"] == 0, what="a to drain")
    assert bd.member_stats(b)["active_connections"] == 2

    nxt = _hold(port, 2)
    assert [n for n, _ in nxt] == [a.name, a.name], nxt
    for _, s in held + nxt:
        s.close()


def test_unequal_load_is_rebalanced(ballastd, tcp_member):
    """Three held on a (made so by closing those on b), then three new ones all go to b."""
    a, b = tcp_member("hold"), tcp_member("hold")
    port = free_port()
    bd = ballastd(simple_config(port, [a, b], algo="LEAST_CONNECTIONS"))
    held = _hold(port, 6)
    keep = [(n, s) for n, s in held if n == a.name]
    for n, s in held:
        if n == b.name:
            s.close()
    assert len(keep) == 3, [n for n, _ in held]
    wait_until(lambda: bd.member_stats(b)["active_connections"] == 0, what="b to drain")
    nxt = _hold(port, 3)
    assert [n for n, _ in nxt] == [b.name] * 3, nxt
    for _, s in keep + nxt:
        s.close()


def test_weighted_least_connections(ballastd, tcp_member):
    """Weights 1:3: eight held connections settle as 2 on a and 6 on b."""
    a, b = tcp_member("hold"), tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [member(a, weight=1), member(b, weight=3)],
                           algo="LEAST_CONNECTIONS"))
    held = _hold(port, 8)
    names = [n for n, _ in held]
    assert (names.count(a.name), names.count(b.name)) == (2, 6), names
    for _, s in held:
        s.close()

# SPDX-License-Identifier: Apache-2.0
"""ROUND_ROBIN: smooth weighted round robin, exact across workers (one shared cursor)."""
from conftest import banner, free_port, member, simple_config


def test_two_members_alternate_exactly(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    ballastd(simple_config(port, [a, b]))
    seen = [banner(port) for _ in range(10)]
    assert seen == [a.name, b.name] * 5, seen
    assert (a.accepted, b.accepted) == (5, 5)


def test_three_members_cycle_in_order(ballastd, tcp_member):
    ms = [tcp_member() for _ in range(3)]
    port = free_port()
    ballastd(simple_config(port, ms))
    seen = [banner(port) for _ in range(9)]
    assert seen == [m.name for m in ms] * 3, seen


def test_weights_1_to_3(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    ballastd(simple_config(port, [member(a, weight=1), member(b, weight=3)]))
    seen = [banner(port) for _ in range(16)]
    assert seen.count(a.name) == 4 and seen.count(b.name) == 12, seen
    # smooth: every window of 4 consecutive connections holds exactly one for a
    for i in range(0, 16, 4):
        assert seen[i:i + 4].count(a.name) == 1, seen


def test_weights_proportion_with_three_members(ballastd, tcp_member):
    ms = [tcp_member() for _ in range(3)]
    port = free_port()
    weights = [1, 2, 5]
    ballastd(simple_config(port, [member(m, weight=w) for m, w in zip(ms, weights)]))
    seen = [banner(port) for _ in range(24)]
    counts = [seen.count(m.name) for m in ms]
    assert counts == [3, 6, 15], (counts, seen)


def test_concurrent_clients_split_evenly(ballastd, tcp_member):
    """The cursor is shared by both workers: 40 connections from parallel
    clients still split exactly 20/20."""
    import threading
    a, b = tcp_member(), tcp_member()
    port = free_port()
    ballastd(simple_config(port, [a, b]))
    results = []
    lock = threading.Lock()

    def client():
        for _ in range(10):
            n = banner(port)
            with lock:
                results.append(n)

    ts = [threading.Thread(target=client) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=30)
    assert len(results) == 40
    assert results.count(a.name) == 20 and results.count(b.name) == 20, results

# SPDX-License-Identifier: Apache-2.0
"""Reload (admin `reload` and SIGHUP): live connections survive, the listening
socket stays open, a bad file changes nothing."""
import socket
import threading
import time

from conftest import (banner, echo_ok, free_port, lb_config, listener, member, pool, scaled,
                      simple_config, wait_until)


def test_reload_under_live_connections_drops_none(ballastd, tcp_member):
    a, b, c = tcp_member(), tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, b]))
    held = [banner(port, keep=True) for _ in range(20)]
    assert [n for n, _ in held] == [a.name, b.name] * 10
    for _, s in held:
        assert echo_ok(s, b"before\n")

    ans = bd.reload(simple_config(port, [a, c]))  # b removed, c added
    assert ans["ok"], ans
    st = bd.stats()
    assert st["generation"] == 2 and st["workers_generation"] == 2
    assert [m["protocol_port"] for m in st["pools"][0]["members"]] == [a.port, c.port]

    broken = [i for i, (_, s) in enumerate(held) if not echo_ok(s, b"after reload\n")]
    assert broken == [], f"connections broken by the reload: {broken}"
    assert len(b.open_conns) == 10  # b's clients are still connected to b

    seen = [banner(port) for _ in range(6)]
    assert set(seen) == {a.name, c.name} and seen.count(a.name) == 3, seen
    assert b.accepted == 10

    # a second and a third reload: still nothing dropped
    assert bd.reload(simple_config(port, [c]))["ok"]
    assert bd.sighup_and_wait(simple_config(port, [a, b, c]))["generation"] == 4
    broken = [i for i, (_, s) in enumerate(held) if not echo_ok(s, b"again\n")]
    assert broken == [], broken
    for _, s in held:
        s.close()


def test_listening_socket_never_closed_during_reloads(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    cfgs = [simple_config(port, [a, b]), simple_config(port, [member(a, weight=3), b]),
            simple_config(port, [b]), simple_config(port, [a], timeout_client_data=4000)]
    bd = ballastd(cfgs[0])
    stop = threading.Event()
    results = []

    def hammer():
        deadline = time.monotonic() + scaled(20)
        for _ in range(5000):
            if stop.is_set() or time.monotonic() > deadline:
                break
            results.append(banner(port, timeout=5))

    t = threading.Thread(target=hammer)
    t.start()
    try:
        time.sleep(0.1)
        for i in range(8):
            ans = bd.reload(cfgs[(i + 1) % len(cfgs)])
            assert ans["ok"], ans
            time.sleep(0.03)
        bd.sighup_and_wait(cfgs[0])
        time.sleep(0.1)
    finally:
        stop.set()
        t.join(timeout=scaled(30))
    bad = {r: results.count(r) for r in set(results) if r not in (a.name, b.name)}
    print(f"\n{len(results)} connections during 9 reloads; failures: {bad}")
    assert len(results) >= 20
    assert bad == {}, bad
    assert bd.stats()["generation"] == 10


def test_bad_file_on_reload_keeps_old_config(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    good = simple_config(port, [a])
    bd = ballastd(good)
    assert banner(port) == a.name

    bad = simple_config(port, [b])
    bad["loadbalancer"]["listeners"][0]["protocol_port"] = 70000
    ans = bd.reload(bad)
    assert ans["ok"] is False, ans
    assert "loadbalancer.listeners[0].protocol_port" in ans["error"], ans
    assert "1..65535" in ans["error"], ans
    st = bd.stats()
    assert st["reload_failures"] == 1, st
    assert "loadbalancer.listeners[0].protocol_port" in (st["last_reload_error"] or ""), st
    assert st["generation"] == 1 and st["workers_generation"] == 1
    assert [banner(port) for _ in range(3)] == [a.name] * 3  # the old config serves
    assert any("reload rejected" in l for l in bd.log_lines("error")), bd.log()

    # the same through SIGHUP, with a file that is not even JSON
    bd.write_config('{"loadbalancer": {"name": "lb", ')
    st = bd.sighup_and_wait()
    assert st["reload_failures"] == 2 and st["generation"] == 1, st
    assert "invalid JSON" in st["last_reload_error"], st
    assert banner(port) == a.name

    # a missing file
    import os
    os.unlink(bd.config_path)
    ans = bd.reload()
    assert ans["ok"] is False and bd.config_path in ans["error"], ans
    assert banner(port) == a.name

    # and a good file again is taken
    ans = bd.reload(simple_config(port, [b]))
    assert ans["ok"], ans
    assert bd.stats()["generation"] == 2
    assert banner(port) == b.name


def test_reload_with_port_in_use_keeps_old_config(ballastd, tcp_member):
    a = tcp_member()
    port, busy = free_port(), socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        bd = ballastd(simple_config(port, [a]))
        new = lb_config([listener(port, pool([a])),
                         listener(busy.getsockname()[1], pool([a], name="p2"), name="l2")])
        ans = bd.reload(new)
        assert ans["ok"] is False, ans
        assert str(busy.getsockname()[1]) in ans["error"], ans
        assert "loadbalancer.listeners[1]" in ans["error"], ans
        assert bd.stats()["reload_failures"] == 1
        assert banner(port) == a.name
    finally:
        busy.close()


def test_reload_moves_listener_port(ballastd, tcp_member):
    a = tcp_member()
    p1, p2 = free_port(), free_port()
    bd = ballastd(simple_config(p1, [a]))
    assert banner(p1) == a.name
    assert banner(p2) == "refused"
    assert bd.reload(simple_config(p2, [a]))["ok"]
    assert banner(p2) == a.name
    # the old port closes once no snapshot uses it any more
    wait_until(lambda: banner(p1) == "refused", 3.0, what=f"port {p1} to close")


def test_reload_removes_listener_but_keeps_its_connections(ballastd, tcp_member):
    a = tcp_member()
    p1, p2 = free_port(), free_port()
    both = lb_config([listener(p1, pool([a])), listener(p2, pool([a], name="p2"), name="l2")])
    bd = ballastd(both)
    name, held = banner(p2, keep=True)
    assert name == a.name
    assert bd.reload(simple_config(p1, [a]))["ok"]
    assert echo_ok(held), "the connection of the removed listener was dropped"
    held.close()
    wait_until(lambda: banner(p2) == "refused", 3.0, what=f"port {p2} to close")
    assert banner(p1) == a.name


def test_round_robin_cursor_survives_reload(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, b]))
    assert [banner(port) for _ in range(3)] == [a.name, b.name, a.name]
    assert bd.reload(simple_config(port, [a, b]))["ok"]
    assert [banner(port) for _ in range(3)] == [b.name, a.name, b.name]


def test_member_counters_survive_reload(ballastd, tcp_member):
    a, b = tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a]))
    for _ in range(3):
        assert banner(port) == a.name
    assert bd.reload(simple_config(port, [a, b]))["ok"]
    assert bd.member_stats(a)["total_connections"] == 3
    assert bd.listener_stats()["total_connections"] == 3


def test_reload_storm_keeps_serving(ballastd, tcp_member):
    """Reloads arriving faster than the workers switch (a burst of SIGHUPs, as a
    config-management run can send) must neither crash ballastd nor lose a
    listener. Many workers on few CPUs make it likely that the next reload lands
    while a worker is in the middle of switching to the previous one."""
    import os
    import signal
    a = tcp_member()
    ports = []
    while len(ports) < 8:
        p = free_port()
        if p not in ports:
            ports.append(p)
    cfg = lb_config([listener(p, pool([a], name=f"p{i}"), name=f"l{i}")
                     for i, p in enumerate(ports)])
    bd = ballastd(cfg, workers=24)
    sent = 0
    deadline = time.monotonic() + min(scaled(2.5), 8.0)
    while time.monotonic() < deadline and bd.proc.poll() is None and sent < 50000:
        os.kill(bd.proc.pid, signal.SIGHUP)
        sent += 1
        time.sleep(0.0002)
    time.sleep(0.1)
    assert bd.proc.poll() is None, \
        f"ballastd died (status {bd.proc.returncode}) after {sent} SIGHUPs:\n" + \
        "\n".join(l for l in bd.log().splitlines() if "reloaded" not in l)[-3000:]
    st = bd.wait_workers(timeout=10)
    assert st["generation"] > 1 and st["reload_failures"] == 0, st
    assert len(st["listeners"]) == len(ports)
    for p in ports:
        assert banner(p) == a.name, p

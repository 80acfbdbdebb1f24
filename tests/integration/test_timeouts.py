# SPDX-License-Identifier: Apache-2.0
"""timeout_client_data, timeout_member_data, timeout_member_connect (ms; 0 = disabled)."""
import socket
import time

from conftest import (VIP, banner, echo_ok, free_port, member, outcome, scaled, simple_config,
                      wait_until)

T = 0.5  # the configured timeout in these tests, seconds


def _idle_close_time(port):
    """Connects, reads the banner, then measures how long the idle relay lives."""
    name, s = banner(port, keep=True)
    t0 = time.monotonic()
    assert name.startswith("member-"), name
    kind, _ = outcome(s, timeout=T + 3.0)
    elapsed = time.monotonic() - t0
    s.close()
    return kind, elapsed


def _assert_about(elapsed, expected):
    assert expected - 0.1 <= elapsed <= expected + scaled(0.5), \
        f"closed after {elapsed:.3f}s, expected ~{expected:.3f}s"


def test_client_data_timeout_closes_idle_relay(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m], timeout_client_data=int(T * 1000), timeout_member_data=0))
    kind, elapsed = _idle_close_time(port)
    assert kind == "eof", kind
    _assert_about(elapsed, T)
    # the member's side is closed too
    wait_until(lambda: m.conns and m.conns[0].closed.is_set(), 2.0, what="member side closed")


def test_member_data_timeout_closes_idle_relay(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m], timeout_client_data=0, timeout_member_data=int(T * 1000)))
    kind, elapsed = _idle_close_time(port)
    assert kind == "eof", kind
    _assert_about(elapsed, T)
    wait_until(lambda: m.conns and m.conns[0].closed.is_set(), 2.0, what="member side closed")


def test_shorter_of_the_two_timeouts_wins(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m], timeout_client_data=3000, timeout_member_data=400))
    kind, elapsed = _idle_close_time(port)
    assert kind == "eof", kind
    _assert_about(elapsed, 0.4)


def test_activity_keeps_relay_open(ballastd, tcp_member):
    m = tcp_member("echo")
    port = free_port()
    ballastd(simple_config(port, [m], timeout_client_data=400, timeout_member_data=400))
    name, s = banner(port, keep=True)
    t0 = time.monotonic()
    for i in range(7):  # 7 x 150 ms = 1.05 s, well past 400 ms
        time.sleep(0.15)
        assert echo_ok(s, b"tick %d\n" % i), f"relay closed after {time.monotonic() - t0:.2f}s"
    s.close()


def test_zero_disables_data_timeouts(ballastd, tcp_member):
    m = tcp_member("echo")
    port = free_port()
    ballastd(simple_config(port, [m], timeout_client_data=0, timeout_member_data=0))
    name, s = banner(port, keep=True)
    assert outcome(s, timeout=1.0)[0] == "timeout"  # nothing happens for 1 s
    assert echo_ok(s)
    s.close()


def _unresponsive_listener():
    """A listening socket whose accept queue is full: further SYNs are dropped, so a
    connect to it hangs. Returns (listening socket, filler sockets)."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind((VIP, 0))
    ls.listen(0)
    port = ls.getsockname()[1]
    fillers = []
    for _ in range(3):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        c.connect_ex((VIP, port))
        fillers.append(c)
    time.sleep(0.05)
    # check: a fresh connect really hangs
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.settimeout(0.3)
    try:
        probe.connect((VIP, port))
        hung = False
    except socket.timeout:
        hung = True
    finally:
        probe.close()
    assert hung, "could not make a listener whose connects hang"
    return ls, fillers


def test_member_connect_timeout_fails_over(ballastd, tcp_member):
    ls, fillers = _unresponsive_listener()
    try:
        good = tcp_member()
        port = free_port()
        tmc = 400
        bd = ballastd(simple_config(port, [member(ls.getsockname()[1]), good],
                                    timeout_member_connect=tmc))
        # round robin: the first connection goes to the hanging member first
        t0 = time.monotonic()
        name = banner(port, timeout=5.0)
        elapsed = time.monotonic() - t0
        assert name == good.name, name
        _assert_about(elapsed, tmc / 1000)
        st = bd.member_stats(ls.getsockname()[1])
        assert st["connection_errors"] == 1 and st["active_connections"] == 0, st
        # and so on for the next connections: every one is served
        assert [banner(port, timeout=5.0) for _ in range(3)] == [good.name] * 3
    finally:
        for c in fillers:
            c.close()
        ls.close()


def test_member_connect_timeout_on_every_member_resets(ballastd):
    ls, fillers = _unresponsive_listener()
    ls2, fillers2 = _unresponsive_listener()
    try:
        port = free_port()
        bd = ballastd(simple_config(port, [member(ls.getsockname()[1]),
                                           member(ls2.getsockname()[1])],
                                    timeout_member_connect=300))
        t0 = time.monotonic()
        name = banner(port, timeout=5.0)
        elapsed = time.monotonic() - t0
        assert name == "reset", name
        _assert_about(elapsed, 0.6)  # two tries of 300 ms
        assert bd.listener_stats()["request_errors"] == 1
    finally:
        for c in fillers + fillers2:
            c.close()
        ls.close()
        ls2.close()

# SPDX-License-Identifier: Apache-2.0
"""Resource behaviour: no busy loops in any waiting state, survival of fd exhaustion."""
import os
import select
import socket
import time

from conftest import (VIP, banner, free_port, lb_config, listener, pool, scaled,
                      simple_config)

MiB = 1024 * 1024


def test_waiting_sessions_use_no_cpu(ballastd, tcp_member):
    """Sessions that wait in every way (idle, half-closed either side, backpressure
    either way, connecting) must not spin."""
    hold, stall = tcp_member("hold"), tcp_member("stall")
    src = tcp_member("source", payload=os.urandom(8 * MiB))
    fin = tcp_member("source", payload=b"")
    hang = socket.socket()
    hang.bind((VIP, 0))
    hang.listen(0)
    fillers = [socket.socket() for _ in range(3)]
    for f in fillers:
        f.setblocking(False)
        f.connect_ex(hang.getsockname())
    ports = [free_port() for _ in range(5)]
    members = [hold, stall, src, fin, hang.getsockname()[1]]
    bd = ballastd(lb_config([listener(p, pool([m], name=f"p{i}"), name=f"l{i}",
                                      timeout_member_connect=30000)
                             for i, (p, m) in enumerate(zip(ports, members))]))
    socks = []
    n, s = banner(ports[0], keep=True)  # idle, established
    socks.append(s)
    n, s = banner(ports[0], keep=True)  # client half-closed, member silent
    s.shutdown(socket.SHUT_WR)
    socks.append(s)
    n, s = banner(ports[1], keep=True)  # client -> member backed up
    s.setblocking(False)
    try:
        for _ in range(2000):
            s.send(b"x" * 65536)
    except BlockingIOError:
        pass
    socks.append(s)
    n, s = banner(ports[2], keep=True)  # member -> client backed up (client not reading)
    socks.append(s)
    n, s = banner(ports[3], keep=True)  # member half-closed, client silent
    socks.append(s)
    c = socket.create_connection((VIP, ports[4]))  # connecting to a member that hangs
    socks.append(c)
    time.sleep(0.3)
    c0, t0 = bd.cpu_seconds(), time.monotonic()
    time.sleep(1.0)
    used, wall = bd.cpu_seconds() - c0, time.monotonic() - t0
    assert used < 0.1 * wall * max(1.0, os.cpu_count() / 2), \
        f"ballastd used {used:.2f}s CPU in {wall:.2f}s while every session waits"
    for s in socks:
        s.close()
    for f in fillers:
        f.close()
    hang.close()


def test_fd_exhaustion_is_survived(ballastd, tcp_member):
    """With RLIMIT_NOFILE at 64 only some of 40 connections fit; ballastd pauses
    accepting instead of spinning or dying, and serves again once fds free up."""
    m = tcp_member("hold")
    port = free_port()
    bd = ballastd(simple_config(port, [m]), nofile=64)
    clients = [socket.create_connection((VIP, port)) for _ in range(40)]
    got, deadline = {}, time.monotonic() + scaled(1.5)
    while time.monotonic() < deadline and len(got) < len(clients):
        r, _, _ = select.select([c for c in clients if c not in got], [], [], 0.05)
        for c in r:
            try:
                got[c] = c.recv(100)
            except ConnectionResetError:  # accepted, but no fd left for the member
                got[c] = "reset"
    served = sum(1 for v in got.values() if v == m.banner)
    print(f"\n{served} of 40 served with 64 fds")
    assert 10 <= served < 40, served
    c0 = bd.cpu_seconds()
    time.sleep(0.5)
    assert bd.cpu_seconds() - c0 < 0.2, "spinning on EMFILE"
    assert any("Too many open files" in l for l in bd.log_lines("error")), bd.log()[-2000:]
    for c in clients:
        c.close()
    time.sleep(0.3)
    assert [banner(port) for _ in range(5)] == [m.name] * 5
    assert bd.proc.poll() is None

# SPDX-License-Identifier: Apache-2.0
"""The TCP relay: bytes both ways, half-close, RST propagation."""
import hashlib
import os
import socket
import threading

from conftest import (banner, echo_ok, free_port, outcome, recv_exact, scaled,
                      set_rst_on_close, simple_config, wait_until)

MiB = 1024 * 1024


def _recv_all(s, limit=64 * MiB):
    buf = bytearray()
    while len(buf) < limit:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def test_bulk_both_ways_through_echo(ballastd, tcp_member):
    m = tcp_member("echo")
    port = free_port()
    ballastd(simple_config(port, [m]))
    data = os.urandom(8 * MiB)
    name, s = banner(port, keep=True, timeout=30)
    assert name == m.name
    err = []

    def send():
        try:
            s.sendall(data)
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=send)
    t.start()
    got = recv_exact(s, len(data))
    t.join(timeout=scaled(30))
    assert not err, err
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    assert hashlib.sha256(m.conns[0].data()).digest() == hashlib.sha256(data).digest()
    s.close()


def test_bulk_member_to_client(ballastd, tcp_member):
    payload = os.urandom(6 * MiB + 123)
    m = tcp_member("source", payload=payload)
    port = free_port()
    ballastd(simple_config(port, [m]))
    name, s = banner(port, keep=True, timeout=30)
    assert name == m.name
    got = _recv_all(s)  # ends with the member's FIN, forwarded
    assert len(got) == len(payload)
    assert hashlib.sha256(got).digest() == hashlib.sha256(payload).digest()
    s.close()


def test_half_close_client_side(ballastd, tcp_member):
    """The client sends a request, shuts down its write side, and still gets the
    answer the member sends after seeing EOF."""
    m = tcp_member("reply_on_eof", reply=lambda d: hashlib.sha256(d).hexdigest().encode())
    port = free_port()
    ballastd(simple_config(port, [m]))
    data = os.urandom(3 * MiB)
    name, s = banner(port, keep=True, timeout=30)
    assert name == m.name
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    answer = _recv_all(s)
    assert answer == hashlib.sha256(data).hexdigest().encode()
    s.close()


def test_half_close_small_request(ballastd, tcp_member):
    m = tcp_member("reply_on_eof")
    port = free_port()
    ballastd(simple_config(port, [m]))
    name, s = banner(port, keep=True)
    s.sendall(b"question")
    s.shutdown(socket.SHUT_WR)
    assert _recv_all(s) == b"answer:question"
    s.close()


def test_request_and_fin_before_member_connected(ballastd, tcp_member):
    """The client writes its whole request and FIN at once, before ballastd has
    even connected to the member: nothing is lost, the answer comes back."""
    m = tcp_member("reply_on_eof", banner=False)
    port = free_port()
    ballastd(simple_config(port, [m]))
    from conftest import connect
    s = connect(port)
    s.sendall(b"early request")
    s.shutdown(socket.SHUT_WR)
    assert _recv_all(s) == b"answer:early request"
    s.close()


def test_half_close_member_side(ballastd, tcp_member):
    """The member shuts down its write side first: the client reads EOF but can
    still send, and the member gets those bytes."""
    m = tcp_member("source", payload=b"")
    port = free_port()
    ballastd(simple_config(port, [m]))
    name, s = banner(port, keep=True)
    assert name == m.name
    assert outcome(s)[0] == "eof"
    s.sendall(b"late data")
    assert m.conns[0].wait_received(9) == b"late data"
    s.close()
    wait_until(lambda: m.conns[0].closed.is_set(), what="member to see the client's FIN")
    assert not m.conns[0].reset


def test_member_reset_propagates_to_client(ballastd, tcp_member):
    m = tcp_member("rst")
    port = free_port()
    bd = ballastd(simple_config(port, [m]))
    name, s = banner(port, keep=True)
    assert name == m.name
    s.sendall(b"trigger")
    kind, _ = outcome(s)
    assert kind == "reset", kind
    s.close()
    wait_until(lambda: bd.listener_stats()["active_connections"] == 0, what="session end")


def test_client_reset_propagates_to_member(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    bd = ballastd(simple_config(port, [m]))
    name, s = banner(port, keep=True)
    s.sendall(b"hi")
    m.conns[0].wait_received(2)
    set_rst_on_close(s)
    s.close()
    wait_until(lambda: m.conns[0].closed.is_set(), what="member connection to end")
    assert m.conns[0].reset, "member saw a clean close instead of a reset"
    wait_until(lambda: bd.listener_stats()["active_connections"] == 0, what="session end")


def test_clean_close_is_not_a_reset(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m]))
    name, s = banner(port, keep=True)
    s.sendall(b"bye")
    m.conns[0].wait_received(3)
    s.close()
    wait_until(lambda: m.conns[0].closed.is_set(), what="member connection to end")
    assert not m.conns[0].reset


def test_many_concurrent_relays(ballastd, tcp_member):
    a, b = tcp_member("echo"), tcp_member("echo")
    port = free_port()
    ballastd(simple_config(port, [a, b]))
    n = 40
    errors = []

    def one(i):
        try:
            data = os.urandom(100_000 + i)
            name, s = banner(port, keep=True, timeout=20)
            if name not in (a.name, b.name):
                errors.append((i, name))
                return
            t = threading.Thread(target=s.sendall, args=(data,))
            t.start()
            got = recv_exact(s, len(data))
            t.join()
            if got != data:
                errors.append((i, "mismatch"))
            s.close()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((i, repr(e)))

    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout=scaled(30))
    assert errors == []
    assert a.accepted == b.accepted == n // 2


def test_https_listener_is_passed_through(ballastd, tcp_member):
    """HTTPS listener = TLS passthrough: bytes are relayed untouched."""
    m = tcp_member("echo")
    port = free_port()
    ballastd(simple_config(port, [m], listener_protocol="HTTPS", pool_protocol="HTTPS"))
    client_hello = bytes.fromhex("16030100a5010000a10303") + os.urandom(160)
    name, s = banner(port, keep=True)
    assert name == m.name
    assert echo_ok(s, client_hello)
    s.close()


def test_slow_reader_gets_everything(ballastd, tcp_member):
    """Backpressure: the member sends 4 MiB at once, the client reads slowly."""
    import time
    payload = os.urandom(4 * MiB)
    m = tcp_member("source", payload=payload)
    port = free_port()
    ballastd(simple_config(port, [m]))
    name, s = banner(port, keep=True, timeout=30)
    assert name == m.name
    time.sleep(0.3)  # every buffer on the way fills up; ballastd must stop reading
    buf = bytearray()
    for _ in range(20):  # then dawdle for another ~0.3 s
        buf += s.recv(4096)
        time.sleep(0.015)
    buf += _recv_all(s)
    assert hashlib.sha256(bytes(buf)).digest() == hashlib.sha256(payload).digest()
    s.close()

# SPDX-License-Identifier: Apache-2.0
"""Large Content-Length bodies, which ballast splices (source socket -> pipe -> destination
socket) when neither side speaks TLS: responses and uploads whole and in order, exact framing
for the next message on both keep-alive connections, backpressure and timeouts with bytes in
the pipe, a member or a client leaving mid-body, an upload answered by ballast itself.
(test_https.py checks that TLS on either side keeps the copy path.)"""
import os
import socket
import time

from conftest import VIP, free_port, scaled, wait_until
from httputil import http_member_fixture  # noqa: F401  (fixture)
from httputil import (get_json, http_config, http_request, open_pipes, pattern_body,
                      read_response_from)


# Around one buffer (16 KiB, the head shares the first read), one splice (64 KiB), and more.
SIZES = [16384, 16385, 16384 + 300, 65536, 65537 + 16384, 262145, 1000003]


def test_large_bodies_arrive_whole_in_order_and_framing_stays_exact(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m]), workers=1)
    s = None
    for n in SIZES:
        status, hdrs, body, s = http_request(port, f"/pattern/{n}", sock=s)
        assert status == 200 and int(hdrs["content-length"]) == n
        assert body == pattern_body(n), n
    # The same two connections carried every exchange: ballast read exactly each body,
    # and the next response head was not taken for body bytes, on either side.
    status, _, body, s = http_request(port, "/after", sock=s)
    s.close()
    assert status == 200 and b'"seen_on_conn": %d' % (len(SIZES) + 1) in body, body[:200]
    assert m.conns == 1
    st = b.listener_stats()
    assert st["bytes_out"] >= sum(SIZES), st


def test_pipelined_request_waits_behind_a_spliced_body(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]), workers=1)
    s = socket.create_connection((VIP, port), timeout=10)
    s.sendall(b"GET /pattern/700000 HTTP/1.1\r\nHost: x\r\n\r\n"
              b"HEAD /pattern/300000 HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n")
    rf = s.makefile("rb")
    status, _, body = read_response_from(rf)
    assert status == 200 and body == pattern_body(700000)
    status, hdrs, body = read_response_from(rf, head_request=True)
    assert status == 200 and hdrs["content-length"] == "300000" and body == b""
    status, _, body = read_response_from(rf)
    assert status == 200 and b'"target": "/second"' in body, body[:200]
    rf.close()
    s.close()


def test_slow_reader_holds_a_pipe_not_memory_and_gets_everything(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m]), workers=1)
    pid = b.proc.pid
    pipes_idle = open_pipes(pid)
    rss = lambda: int(open(f"/proc/{pid}/status").read().split("VmRSS:")[1].split()[0])  # noqa
    rss_before = rss()
    n = 8000000
    s = socket.create_connection((VIP, port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall(b"GET /pattern/%d HTTP/1.1\r\nHost: x\r\n\r\n" % n)
    # Not reading: the body waits in a pipe, and ballast stops reading the member.
    wait_until(lambda: open_pipes(pid) > pipes_idle, timeout=scaled(3), what="a pipe in use")
    time.sleep(0.5)
    assert rss() - rss_before < 4096, (rss_before, rss())  # KiB: far below 8 MB
    rf = s.makefile("rb")
    status, _, body = read_response_from(rf)
    assert status == 200 and body == pattern_body(n)
    rf.close()
    # The drained pipe went back to the worker's pool, and the connection goes on.
    status, _, body, s = http_request(port, "/next", sock=s)
    assert status == 200 and b'"seen_on_conn": 2' in body
    s.close()


def test_member_closing_mid_body_cuts_the_client_and_frees_the_pipe(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m]), workers=1)
    pipes_idle = open_pipes(b.proc.pid)
    s = socket.create_connection((VIP, port), timeout=10)
    s.sendall(b"GET /short/1000000/300000 HTTP/1.1\r\nHost: x\r\n\r\n")
    got = b""
    deadline = time.monotonic() + scaled(5)
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            got += chunk
    except ConnectionResetError:
        pass  # the client must not take the truncated body as whole: a reset is right
    s.close()
    head, _, body = got.partition(b"\r\n\r\n")
    assert b"Content-Length: 1000000" in head
    assert len(body) <= 300000
    # Nothing leaks: the pipe of the cut exchange is closed, not kept.
    wait_until(lambda: open_pipes(b.proc.pid) <= pipes_idle + 2, timeout=scaled(3),
               what="no pipe but the pool's")
    assert get_json(port, "/after")[0] == 200


def test_client_too_slow_times_out_while_the_body_waits_in_the_pipe(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m], timeout_client_data=400), workers=1)
    pid = b.proc.pid
    pipes_idle = open_pipes(pid)
    s = socket.create_connection((VIP, port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall(b"GET /big/20000000 HTTP/1.1\r\nHost: x\r\n\r\n")
    wait_until(lambda: open_pipes(pid) > pipes_idle, timeout=scaled(3), what="a pipe in use")
    # The client never reads: after timeout_client_data the session ends, its pipe is closed.
    wait_until(lambda: open_pipes(pid) == pipes_idle, timeout=scaled(3), what="the pipe closed")
    s.close()
    assert b.listener_stats()["active_connections"] == 0
    assert get_json(port, "/after")[0] == 200


# ---- request bodies (uploads) go the same way, client socket -> pipe -> member socket ----


def _cpu_s(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def test_large_uploads_arrive_whole_in_order_and_framing_stays_exact(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]), workers=1)
    s = None
    for i, n in enumerate(SIZES):
        status, _, body, s = http_request(port, f"/up{i}", method="POST", body=pattern_body(n),
                                          sock=s)
        assert status == 200
        assert m.requests[-1]["body"].encode("latin-1") == pattern_body(n), n
        assert m.requests[-1]["seen_on_conn"] == i + 1
    s.close()
    assert m.conns == 1


def test_pipelined_request_waits_behind_a_spliced_upload(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]), workers=1)
    s = socket.create_connection((VIP, port), timeout=10)
    n = 600000
    s.sendall(b"PUT /up HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % n + pattern_body(n)
              + b"GET /second HTTP/1.1\r\nHost: x\r\n\r\n")
    rf = s.makefile("rb")
    assert read_response_from(rf)[0] == 200
    status, _, body = read_response_from(rf)
    assert status == 200 and b'"target": "/second"' in body
    rf.close()
    s.close()
    assert [r["target"] for r in m.requests] == ["/up", "/second"]
    assert m.requests[0]["body"].encode("latin-1") == pattern_body(n)


def test_client_leaving_mid_upload_frees_the_pipe_and_the_member_connection(ballastd,
                                                                            http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m]), workers=1)
    pid = b.proc.pid
    pipes_idle = open_pipes(pid)
    s = socket.create_connection((VIP, port), timeout=10)
    s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000\r\n\r\n" + b"z" * 300000)
    time.sleep(0.3)
    s.close()  # gone with most of the body unsent
    wait_until(lambda: b.listener_stats()["active_connections"] == 0, timeout=scaled(3),
               what="the session to end")
    wait_until(lambda: open_pipes(pid) <= pipes_idle + 2, timeout=scaled(3),
               what="no pipe but the pool's")
    assert m.requests == []  # the member never saw a whole request: nothing to act on
    status, r = get_json(port, "/after")
    assert status == 200 and r["target"] == "/after"


def test_upload_answered_by_ballast_is_drained_without_spinning(ballastd):
    port = free_port()
    b = ballastd(http_config(port, []), workers=1)  # no member: 503 before the body is read
    n = 4000000
    s = socket.create_connection((VIP, port), timeout=10)
    s.sendall(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % n)
    rf = s.makefile("rb")
    cpu0 = _cpu_s(b.proc.pid)
    s.sendall(b"z" * 200000)
    assert read_response_from(rf)[0] == 503
    time.sleep(0.5)  # ballast lingers, reading what the client still sends
    rf.close()
    s.close()
    assert _cpu_s(b.proc.pid) - cpu0 < 0.25  # a loop on an unread socket would burn it all
    assert b.listener_stats()["replies"]["503"] == 1

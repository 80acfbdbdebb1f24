# SPDX-License-Identifier: Apache-2.0
"""The HTTP listener: proxying, keep-alive both sides, bodies, headers, upgrades."""
import json
import socket

from conftest import VIP, free_port
from httputil import http_member_fixture  # noqa: F401  (fixture)
from httputil import (get_json, http_config, http_request,
                      read_response, read_response_from)


def _hdr(report, name):
    vals = [v for k, v in report["headers"] if k.lower() == name.lower()]
    return vals


def test_round_robin_alternates_members_per_request(ballastd, http_member):
    a, b = http_member(name="a"), http_member(name="b")
    port = free_port()
    ballastd(http_config(port, [a, b]), workers=1)
    seen = [get_json(port, f"/r{i}")[1]["member"] for i in range(4)]
    assert seen in (["a", "b", "a", "b"], ["b", "a", "b", "a"]), seen


def test_keep_alive_client_requests_alternate_and_reuse_member_connections(ballastd, http_member):
    a, b = http_member(name="a"), http_member(name="b")
    port = free_port()
    ballastd(http_config(port, [a, b]), workers=1)
    s = None
    names = []
    for i in range(6):
        status, hdrs, body, s = http_request(port, f"/k{i}", sock=s)
        assert status == 200
        names.append(json.loads(body)["member"])
    s.close()
    assert names.count("a") == 3 and names.count("b") == 3, names
    # six requests over one client connection took one connection per member
    assert a.conns == 1 and b.conns == 1, (a.conns, b.conns)
    assert [r["seen_on_conn"] for r in a.requests] == [1, 2, 3]


def test_forwarded_headers_are_inserted_and_spoofs_replaced(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m], insert_headers={
        "X-Forwarded-For": "true", "X-Forwarded-Port": "True", "X-Forwarded-Proto": "true"}))
    _, r = get_json(port, "/", headers={"X-Forwarded-Port": "1", "X-Forwarded-Proto": "gopher",
                                        "X-Forwarded-For": "203.0.113.9"})
    assert _hdr(r, "X-Forwarded-Port") == [str(port)]
    assert _hdr(r, "X-Forwarded-Proto") == ["http"]
    # X-Forwarded-For is appended as a new line, as HAProxy's option forwardfor does
    assert _hdr(r, "X-Forwarded-For") == ["203.0.113.9", VIP]


def test_no_forwarded_headers_without_insert_headers(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    _, r = get_json(port, "/")
    assert not any(k.lower().startswith("x-forwarded") for k, _ in r["headers"]), r["headers"]


def test_hop_by_hop_headers_are_not_forwarded(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    _, r = get_json(port, "/", headers={"Connection": "keep-alive, X-Secret", "X-Secret": "1",
                                        "Keep-Alive": "timeout=5", "TE": "trailers",
                                        "X-Kept": "yes"})
    names = [k.lower() for k, _ in r["headers"]]
    for gone in ("connection", "x-secret", "keep-alive", "te"):
        assert gone not in names, (gone, names)
    assert _hdr(r, "X-Kept") == ["yes"]


def test_request_bodies_length_and_chunked_arrive_whole(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    _, r = get_json(port, "/post", method="POST", body=b"a=1&b=2")
    assert r["body"] == "a=1&b=2"
    big = bytes(range(256)) * 4096  # 1 MiB, several buffers' worth
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 50000]), big[i:i + 50000])
                      for i in range(0, len(big), 50000)) + b"0\r\n\r\n"
    status, _, body, s = http_request(port, "/up", method="PUT", body=chunks,
                                      headers={"Transfer-Encoding": "chunked"})
    s.close()
    assert status == 200
    assert json.loads(body)["body"].encode("latin-1") == big


def test_response_bodies_chunked_big_and_close_delimited(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    status, hdrs, body, s = http_request(port, "/chunked/7")
    assert status == 200 and hdrs["transfer-encoding"] == "chunked"
    assert json.loads(body)["target"] == "/chunked/7"
    status, hdrs, body, s = http_request(port, "/big/300000", sock=s)  # same client connection
    assert status == 200 and body == b"x" * 300000
    # a body delimited by close reaches the client whole, and then the client is closed
    status, hdrs, body, s = http_request(port, "/close", sock=s)
    assert status == 200 and hdrs.get("connection") == "close"
    assert json.loads(body)["target"] == "/close"
    s.settimeout(2)
    assert s.recv(1) == b""
    s.close()


def test_head_response_has_no_body_and_connection_stays_usable(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    status, hdrs, body, s = http_request(port, "/h", method="HEAD")
    assert status == 200 and body == b"" and int(hdrs["content-length"]) > 0
    status, _, body, s = http_request(port, "/after", sock=s)
    assert status == 200 and json.loads(body)["target"] == "/after"
    s.close()


def test_http10_client_without_host_and_with_keep_alive(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    status, hdrs, body, s = http_request(port, "/ten", version="HTTP/1.0")
    assert status == 200 and json.loads(body)["version"] == "HTTP/1.0"
    assert hdrs.get("connection") == "close"
    s.close()
    status, hdrs, body, s = http_request(port, "/ten", version="HTTP/1.0",
                                         headers={"Connection": "keep-alive"})
    assert status == 200 and hdrs.get("connection") == "keep-alive"
    status, _, _, s = http_request(port, "/again", version="HTTP/1.0",
                                   headers={"Connection": "keep-alive"}, sock=s)
    assert status == 200
    s.close()


def test_expect_100_continue(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    s = socket.create_connection((VIP, port), timeout=5)
    s.sendall(b"POST /continue HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
              b"Expect: 100-continue\r\n\r\n")
    first = s.recv(25)
    assert first.startswith(b"HTTP/1.1 100 Continue\r\n"), first
    s.recv(2) if first.count(b"\r\n") < 2 else None
    s.sendall(b"hello")
    status, _, body = read_response(s)
    assert status == 200 and json.loads(body)["body"] == "hello"
    s.close()


def test_websocket_upgrade_becomes_a_byte_relay(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    s = socket.create_connection((VIP, port), timeout=5)
    s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
              b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    assert b"upgrade" in head.lower()
    for msg in (b"\x81\x05hello", b"x" * 70000):
        s.sendall(msg)
        got = b""
        while len(got) < len(msg):
            got += s.recv(65536)
        assert got == msg
    s.shutdown(socket.SHUT_WR)
    assert s.recv(10) == b""
    s.close()


def test_pipelined_requests_are_answered_in_order(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    s = socket.create_connection((VIP, port), timeout=5)
    s.sendall(b"GET /p1 HTTP/1.1\r\nHost: x\r\n\r\nGET /p2 HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /p3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    rf = s.makefile("rb")
    targets = []
    for _ in range(3):
        status, _, body = read_response_from(rf)
        targets.append(json.loads(body)["target"])
    assert targets == ["/p1", "/p2", "/p3"]
    rf.close()
    s.close()


def test_member_closing_an_idle_connection_is_transparent(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]), workers=1)
    status, _, _, s = http_request(port, "/close")   # the member closes after this one
    s.close()
    assert get_json(port, "/x")[0] == 200
    # the pooled connection is closed by the member under ballast's feet: kill all of them
    before = m.conns
    for i in range(3):
        assert get_json(port, f"/y{i}")[0] == 200
    assert m.conns <= before + 1


def test_connection_header_cannot_strip_host_or_framing(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    _, r = get_json(port, "/p", method="POST", body=b"abc",
                    headers={"Connection": "Host, Content-Length, X-Gone", "X-Gone": "1"})
    assert _hdr(r, "Host") and _hdr(r, "Content-Length") == ["3"] and r["body"] == "abc"
    assert _hdr(r, "X-Gone") == []

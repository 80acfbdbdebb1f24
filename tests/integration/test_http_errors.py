# SPDX-License-Identifier: Apache-2.0
"""The HTTP listener's own answers: malformed requests, slow clients, failed members."""
import socket
import struct
import time

from conftest import VIP, free_port, scaled
from httputil import http_member_fixture  # noqa: F401  (fixture)
from httputil import get_json, http_config, http_request, raw_exchange


def _status(raw):
    assert raw.startswith(b"HTTP/1.1 "), raw[:200]
    return int(raw[9:12])


# Request smuggling and malformed heads: each is answered by ballast and never reaches a member.
SMUGGLING = [
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"0\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n folded\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-A : 1\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
    (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\n\r\n", 400),                               # no Host
    (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"b" * 15000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"GET / HTTP/1.1\nHost: x\n\n", 400),                           # bare LF
]


def test_smuggling_corpus_is_refused_before_any_member(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m]))
    for raw, want in SMUGGLING:
        got = raw_exchange(port, raw)
        assert _status(got) == want, (raw[:80], got[:120])
        assert b"connection: close" in got.lower()
    assert m.requests == []
    st = b.listener_stats()
    assert st["request_errors"] == len(SMUGGLING), st


def test_chunked_body_with_bad_framing_is_cut(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    got = raw_exchange(port, b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                             b"zz\r\nhello\r\n0\r\n\r\n", timeout=2)
    assert not got.startswith(b"HTTP/1.1 200"), got[:100]


def test_slowloris_is_answered_408_and_closed(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m], ballast_timeout_http_request=500))
    s = socket.create_connection((VIP, port), timeout=5)
    t0 = time.monotonic()
    got = b""
    try:
        for piece in [b"GET / HTTP/1.1\r\n", b"Host: x\r\n", b"X-1: a\r\n", b"X-2: b\r\n",
                      b"X-3: c\r\n", b"X-4: d\r\n"]:
            s.sendall(piece)
            time.sleep(0.2)
    except OSError:
        pass
    s.settimeout(3)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    elapsed = time.monotonic() - t0
    s.close()
    assert _status(got) == 408, got
    assert elapsed < scaled(2.5), elapsed
    assert m.requests == []


def test_idle_keep_alive_client_is_closed_after_client_timeout(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m], timeout_client_data=400))
    status, _, _, s = http_request(port, "/")
    assert status == 200
    t0 = time.monotonic()
    s.settimeout(3)
    assert s.recv(1) == b""
    assert 0.3 < time.monotonic() - t0 < scaled(1.5)
    s.close()


def test_refused_member_is_retried_on_another(ballastd, http_member):
    good = http_member(name="good")
    dead = free_port()
    port = free_port()
    b = ballastd(http_config(port, [dead, good]), workers=1)
    for i in range(4):
        status, r = get_json(port, f"/{i}")
        assert status == 200 and r["member"] == "good"
    assert b.listener_stats()["retries"] >= 1


def test_all_members_refusing_gives_502(ballastd):
    port = free_port()
    b = ballastd(http_config(port, [free_port(), free_port()]))
    got = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _status(got) == 502
    assert b.listener_stats()["replies"]["502"] == 1


def test_no_member_gives_503(ballastd):
    port = free_port()
    b = ballastd(http_config(port, []))
    got = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert _status(got) == 503
    assert b.listener_stats()["replies"]["503"] == 1


def test_no_member_keeps_the_client_connection(ballastd):
    port = free_port()
    ballastd(http_config(port, []))
    status, hdrs, _, s = http_request(port, "/")
    assert status == 503 and hdrs.get("connection") != "close"
    status, _, _, s = http_request(port, "/", sock=s)
    assert status == 503
    s.close()


def test_slow_member_gives_504(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m], timeout_member_data=300))
    t0 = time.monotonic()
    got = raw_exchange(port, b"GET /slow/1500 HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
    assert _status(got) == 504
    assert time.monotonic() - t0 < scaled(1.4)
    assert b.listener_stats()["replies"]["504"] == 1


def test_denied_cidr_gets_403(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m], allowed_cidrs=["192.0.2.0/24"]))
    got = raw_exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _status(got) == 403
    assert m.requests == []
    assert b.listener_stats()["denied_connections"] == 1


def test_member_dropping_the_request_gives_502(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]))
    got = raw_exchange(port, b"GET /drop HTTP/1.1\r\nHost: x\r\n\r\n")
    assert _status(got) == 502


def test_5xx_on_idempotent_request_is_retried_on_another_member(ballastd, http_member):
    bad, good = http_member(name="bad"), http_member(name="good")
    bad.fail_status = 503
    port = free_port()
    b = ballastd(http_config(port, [bad, good]), workers=1)
    for i in range(4):
        status, r = get_json(port, f"/g{i}")
        assert status == 200 and r["member"] == "good", (status, r)
    assert len(bad.requests) >= 2  # round robin sends it some first tries
    assert b.listener_stats()["retries"] == len(bad.requests)


def test_5xx_on_post_is_passed_through(ballastd, http_member):
    bad, good = http_member(name="bad"), http_member(name="good")
    bad.fail_status = 503
    port = free_port()
    ballastd(http_config(port, [bad, good]), workers=1)
    statuses = sorted(get_json(port, "/p", method="POST", body=b"x")[0] for _ in range(2))
    assert statuses == [200, 503]


def test_5xx_answers_eject_a_member_with_outlier_detection(ballastd, http_member):
    bad, good = http_member(name="bad"), http_member(name="good")
    bad.fail_status = 500
    port = free_port()
    bd = ballastd(http_config(port, [bad, good], pool_kw={
        "ballast_retry_policy": {"num_retries": 0},
        "ballast_outlier_detection": {"consecutive_errors": 2}}), workers=1)
    first = [get_json(port, f"/{i}")[0] for i in range(4)]
    assert sorted(first) == [200, 200, 500, 500], first
    # two 5xx in a row from `bad`: ejected, every request now goes to `good`
    assert [get_json(port, f"/after{i}")[0] for i in range(6)] == [200] * 6
    st = bd.member_stats(bad.port)
    assert st["ejected"] is True and st["ejections"] == 1, st


def test_member_answering_garbage_or_a_huge_head_gives_502(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m]))
    for target in ("/garbage", "/hugeheader"):
        got = raw_exchange(port, f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert _status(got) == 502, (target, got[:100])
    assert b.listener_stats()["replies"]["502"] == 2
    # the member's other connections are unharmed
    assert get_json(port, "/ok")[0] == 200


def test_client_leaving_mid_response_does_not_poison_the_pool(ballastd, http_member):
    m = http_member()
    port = free_port()
    ballastd(http_config(port, [m]), workers=1)
    s = socket.create_connection((VIP, port), timeout=5)
    s.sendall(b"GET /big/5000000 HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(1000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()  # RST in the middle of a 5 MB body
    for i in range(4):
        status, r = get_json(port, f"/after{i}")
        assert status == 200 and r["target"] == f"/after{i}"


def test_slow_reader_of_a_large_body_is_served_with_bounded_memory(ballastd, http_member):
    m = http_member()
    port = free_port()
    b = ballastd(http_config(port, [m]), workers=1)
    rss_before = int(open(f"/proc/{b.proc.pid}/status").read().split("VmRSS:")[1].split()[0])
    s = socket.create_connection((VIP, port), timeout=10)
    s.sendall(b"GET /big/20000000 HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(1.0)  # not reading: ballast must stop reading the member too
    rss_mid = int(open(f"/proc/{b.proc.pid}/status").read().split("VmRSS:")[1].split()[0])
    assert rss_mid - rss_before < 4096, (rss_before, rss_mid)  # KiB: far below 20 MB
    got = 0
    deadline = time.monotonic() + 20
    s.settimeout(5)
    while time.monotonic() < deadline:
        chunk = s.recv(1 << 20)
        if not chunk:
            break
        got += len(chunk)
        if got >= 20000000:
            break
    s.close()
    assert got >= 20000000

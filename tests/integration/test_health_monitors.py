# SPDX-License-Identifier: Apache-2.0
"""Active health monitors, one test per Octavia type: a stub member goes
up -> down -> up, the admin stats show ONLINE -> ERROR -> ONLINE with the
reason, the log has one line per transition, and new connections move away
from the member while it is down. Monitors use delay 1 s, timeout 1 s and
small retry counts, so each transition lands within about a second."""
import socket
import time

from conftest import (VIP, HttpMember, TcpMember, UdpMember, banner, free_port, listener,
                      lb_config, member, monitor, pool, scaled, simple_config, wait_log,
                      wait_member_status, wait_until)


def transition(b, port, old, new, reason, pool_name="p1"):
    """Waits for the log line of one member transition; returns it."""
    return wait_log(b, f"member 127.0.0.1:{port} of pool {pool_name}: {old} -> {new} ({reason}")


def banners(port, n=6):
    return [banner(port) for _ in range(n)]


def http_get(port):
    """One HTTP/1.0 request through ballast; returns the body's last line (the member's name)."""
    try:
        s = socket.create_connection((VIP, port), timeout=scaled(3))
    except ConnectionResetError:  # the reset can beat connect() back
        return "reset"
    data = b""
    try:
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except ConnectionResetError:
        return "reset"
    finally:
        s.close()
    return data.decode(errors="replace").strip().splitlines()[-1] if data else "eof"


def test_tcp_monitor_up_down_up(ballastd, tcp_member):
    a, b_ = tcp_member(), tcp_member()
    port = free_port()
    b = ballastd(simple_config(port, [a, b_], pool_kw={"healthmonitor": monitor("TCP")}))
    m = wait_until(lambda: (lambda x: x if x["last_check"] == "TCP connect OK" else None)(
        b.member_stats(a)), 3, what="a first passed TCP check")
    assert m["operating_status"] == "ONLINE"
    assert {"member-%d" % a.port, "member-%d" % b_.port} == set(banners(port, 4))

    a_port = a.port
    a.stop()
    m = wait_member_status(b, a_port, "ERROR")
    assert m["status_reason"] == "connect failed: Connection refused", m
    transition(b, a_port, "ONLINE", "ERROR", "connect failed: Connection refused")
    wait_log(b, "pool p1: ONLINE -> DEGRADED (1 of 2 members up)")
    st = b.stats()
    assert st["pools"][0]["operating_status"] == "DEGRADED"
    assert st["loadbalancers"][0]["operating_status"] == "DEGRADED"
    assert st["listeners"][0]["operating_status"] == "ONLINE"  # Octavia: pools do not roll up here
    errors_before = b.member_stats(a_port)["connection_errors"]
    assert banners(port) == ["member-%d" % b_.port] * 6, "traffic left the member in ERROR"
    assert b.member_stats(a_port)["connection_errors"] == errors_before, "no connect was tried"

    a2 = tcp_member(port=a_port)
    m = wait_member_status(b, a_port, "ONLINE")
    assert m["status_reason"] == "TCP connect OK"
    transition(b, a_port, "ERROR", "ONLINE", "TCP connect OK")
    wait_log(b, "pool p1: DEGRADED -> ONLINE (2 of 2 members up)")
    assert "member-%d" % a2.port in banners(port, 4), "traffic came back"
    assert b.stats()["loadbalancers"][0]["operating_status"] == "ONLINE"


def test_http_monitor_up_down_up(ballastd, http_member):
    """HTTP with max_retries 2 / max_retries_down 2: one bad answer is not enough."""
    a, b_ = http_member(), http_member()
    port = free_port()
    hm = monitor("HTTP", rise=2, fall=2, url_path="/healthz", expected_codes="200-204",
                 http_method="GET", http_version=1.1, domain_name="app.example")
    b = ballastd(simple_config(port, [a, b_], pool_kw={"healthmonitor": hm}))
    wait_until(lambda: a.count >= 1, 3, what="a first probe")
    line, headers = a.requests[0]
    assert line == "GET /healthz HTTP/1.1", line
    assert headers["host"] == "app.example" and headers["connection"] == "close", headers
    assert {http_get(port) for _ in range(4)} == {a.name, b_.name}

    a.status = 204  # still in expected_codes
    n = a.count
    wait_until(lambda: a.count >= n + 2, 4, what="two more probes")
    assert b.member_stats(a)["operating_status"] == "ONLINE"

    a.status = 503
    m = wait_member_status(b, a, "ERROR")
    assert m["status_reason"] == "HTTP 503 from /healthz", m
    line = transition(b, a.port, "ONLINE", "ERROR", "HTTP 503 from /healthz")
    # Two failures were needed: the first one left it ONLINE.
    assert a.count - n >= 2
    assert {http_get(port) for _ in range(4)} == {b_.name}

    a.status = 200
    wait_member_status(b, a, "ONLINE")
    transition(b, a.port, "ERROR", "ONLINE", "HTTP 200 from /healthz")
    assert a.name in {http_get(port) for _ in range(4)}


def test_https_monitor_up_down_up(ballastd, http_member, tls_cert):
    a = http_member(tls=tls_cert)
    port = free_port()
    b = ballastd(simple_config(port, [a], pool_kw={"healthmonitor": monitor("HTTPS",
                                                                           url_path="/ok")}))
    m = wait_until(lambda: (lambda x: x if x["last_check"] == "HTTP 200 from /ok" else None)(
        b.member_stats(a)), 3, what="a first HTTPS check")
    assert m["operating_status"] == "ONLINE"
    assert a.requests[0][0] == "GET /ok HTTP/1.0", "Octavia's default http_version is 1.0"

    a.status = 500
    wait_member_status(b, a, "ERROR")
    transition(b, a.port, "ONLINE", "ERROR", "HTTP 500 from /ok")
    wait_log(b, "pool p1: no member is usable: new connections are refused")
    assert banner(port) in ("reset", "eof"), "no member left: TCP is refused"

    a.status = 200
    wait_member_status(b, a, "ONLINE")
    transition(b, a.port, "ERROR", "ONLINE", "HTTP 200 from /ok")


def test_tls_hello_monitor_up_down_up(ballastd, http_member, tls_cert):
    """TLS-HELLO passes on a completed handshake; TCP connects alone do not."""
    a = http_member(tls=tls_cert)
    port = free_port()
    b = ballastd(simple_config(port, [a], pool_kw={"healthmonitor": monitor("TLS-HELLO")}))
    m = wait_until(lambda: (lambda x: x if x["last_check"].startswith("TLS handshake done")
                            else None)(b.member_stats(a)), 3, what="a first handshake")
    assert m["operating_status"] == "ONLINE"

    a.tls_ok = False  # the port still accepts TCP, but answers in plain text
    m = wait_member_status(b, a, "ERROR")
    assert m["status_reason"].startswith("TLS handshake failed"), m
    transition(b, a.port, "ONLINE", "ERROR", "TLS handshake failed")

    a.tls_ok = True
    wait_member_status(b, a, "ONLINE")
    transition(b, a.port, "ERROR", "ONLINE", "TLS handshake done")


def udp_exchange(port, payload=b"hello"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(scaled(2))
    try:
        s.sendto(payload, (VIP, port))
        return s.recvfrom(65536)[0].split(b":")[0].decode()
    except socket.timeout:
        return "timeout"
    finally:
        s.close()


def test_udp_connect_monitor_up_down_up(ballastd, udp_member):
    a, b_ = udp_member(), udp_member()
    port = free_port(udp=True)
    cfg = simple_config(port, [a, b_], pool_protocol="UDP", listener_protocol="UDP",
                        pool_kw={"healthmonitor": monitor("UDP-CONNECT")})
    b = ballastd(cfg)
    m = wait_until(lambda: (lambda x: x if x["last_check"] == "UDP reply received" else None)(
        b.member_stats(a)), 3, what="a first UDP-CONNECT check")
    assert m["operating_status"] == "ONLINE"
    assert {udp_exchange(port) for _ in range(6)} == {a.name, b_.name}

    a_port = a.port
    a.stop()  # the port closes: the kernel answers ICMP port unreachable
    m = wait_member_status(b, a_port, "ERROR")
    assert m["status_reason"] == "ICMP port unreachable", m
    transition(b, a_port, "ONLINE", "ERROR", "ICMP port unreachable")
    assert {udp_exchange(port) for _ in range(6)} == {b_.name}

    # A member that is there but silent passes after the timeout (Octavia's rule).
    a2 = udp_member(port=a_port, silent=True)
    m = wait_member_status(b, a_port, "ONLINE")
    transition(b, a_port, "ERROR", "ONLINE", "no ICMP port unreachable within 1000 ms")
    assert len(a2.received) >= 1 and a2.received[0] == b"", "the probe is an empty datagram"


def test_ping_monitor_up_down_up(ballastd, netns):
    """PING in a private network namespace, where ICMP echo can be switched off.
    Both socket kinds are exercised: raw (ping_group_range excludes root's group,
    the default) and the unprivileged ICMP datagram socket."""
    port = 20000
    cfg = simple_config(port, [member(7001)], pool_kw={"healthmonitor": monitor("PING")})
    b = ballastd(cfg, argv_prefix=netns.enter())
    m = wait_until(lambda: (lambda x: x if x["last_check"] == "ICMP echo reply (raw socket)"
                            else None)(b.member_stats(7001)), 3, what="a raw-socket echo")
    assert m["operating_status"] == "ONLINE"
    netns.sysctl("net.ipv4.ping_group_range", "0 0")
    wait_until(lambda: b.member_stats(7001)["last_check"] == "ICMP echo reply", 3,
               what="an echo through the unprivileged ICMP socket")

    netns.sysctl("net.ipv4.icmp_echo_ignore_all", "1")
    m = wait_member_status(b, 7001, "ERROR")
    assert m["status_reason"] == "no ICMP echo reply within 1000 ms", m
    transition(b, 7001, "ONLINE", "ERROR", "no ICMP echo reply within 1000 ms")

    netns.sysctl("net.ipv4.icmp_echo_ignore_all", "0")
    wait_member_status(b, 7001, "ONLINE")
    transition(b, 7001, "ERROR", "ONLINE", "ICMP echo reply")


def test_monitor_address_and_port_override(ballastd, tcp_member):
    """Probes go to monitor_address:monitor_port; traffic still goes to the member."""
    app, health = tcp_member(), tcp_member()
    port = free_port()
    m = member(app, monitor_address="127.0.0.1", monitor_port=health.port)
    b = ballastd(simple_config(port, [m], pool_kw={"healthmonitor": monitor("TCP")}))
    wait_until(lambda: health.accepted >= 1, 3, what="a probe on the health port")
    assert app.accepted == 0, "no probe went to the traffic port"
    assert banner(port) == app.name

    health.stop()
    wait_member_status(b, app, "ERROR")
    assert banner(port) in ("reset", "eof"), "marked down by its health port alone"

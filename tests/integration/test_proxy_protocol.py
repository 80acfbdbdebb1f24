# SPDX-License-Identifier: Apache-2.0
"""PROXY / PROXYV2 pools: the member first receives a PROXY protocol header."""
import socket
import struct

from conftest import VIP, banner, free_port, recv_exact, simple_config, wait_until

V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def _connect_and_send(port, src, payload):
    name, s = banner(port, src=src, keep=True)
    assert name.startswith("member-"), name
    s.sendall(payload)
    return s


def test_proxy_v1_header(ballastd, tcp_member):
    m = tcp_member("echo")
    port = free_port()
    ballastd(simple_config(port, [m], pool_protocol="PROXY"))
    s = _connect_and_send(port, "127.0.0.7", b"hello\n")
    cport = s.getsockname()[1]
    expected = f"PROXY TCP4 127.0.0.7 {VIP} {cport} {port}\r\n".encode()
    got = m.conns[0].wait_received(len(expected) + 6)
    assert got == expected + b"hello\n", got
    # the client's own bytes come back after the (echoed) header
    assert recv_exact(s, len(expected) + 6) == expected + b"hello\n"
    s.close()


def test_proxy_v1_header_per_connection(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m], pool_protocol="PROXY"))
    socks = [_connect_and_send(port, f"127.0.0.{20 + i}", b"x") for i in range(3)]
    wait_until(lambda: m.accepted == 3 and all(len(c.received) > 0 and
                                                c.received.endswith(b"x") for c in m.conns),
               what="three headers")
    got = sorted(c.data() for c in m.conns)
    want = sorted(f"PROXY TCP4 127.0.0.{20 + i} {VIP} {s.getsockname()[1]} {port}\r\nx".encode()
                  for i, s in enumerate(socks))
    assert got == want
    for s in socks:
        s.close()


def test_proxy_v2_header(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m], pool_protocol="PROXYV2"))
    s = _connect_and_send(port, "127.0.0.9", b"payload")
    cport = s.getsockname()[1]
    expected = (V2_SIG + bytes([0x21, 0x11]) + struct.pack("!H", 12)
                + socket.inet_aton("127.0.0.9") + socket.inet_aton(VIP)
                + struct.pack("!HH", cport, port))
    got = m.conns[0].wait_received(len(expected) + 7)
    assert got[:16] == expected[:16], got[:16].hex()
    assert got == expected + b"payload", got.hex()
    s.close()


def test_plain_tcp_pool_sends_no_header(ballastd, tcp_member):
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m], pool_protocol="TCP"))
    s = _connect_and_send(port, "127.0.0.9", b"raw")
    assert m.conns[0].wait_received(3) == b"raw"
    s.close()


def test_proxy_header_sent_before_client_speaks(ballastd, tcp_member):
    """A server-speaks-first protocol: the header arrives though the client sends nothing."""
    m = tcp_member("hold")
    port = free_port()
    ballastd(simple_config(port, [m], pool_protocol="PROXY"))
    name, s = banner(port, src="127.0.0.8", keep=True)
    expected = f"PROXY TCP4 127.0.0.8 {VIP} {s.getsockname()[1]} {port}\r\n".encode()
    assert m.conns[0].wait_received(len(expected)) == expected
    s.close()

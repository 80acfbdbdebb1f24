# SPDX-License-Identifier: Apache-2.0
"""Health monitors and traffic over IPv6 (::1): TCP and HTTP probes, a dead member
marked ERROR, traffic only to the live one."""
import socket
import threading

import pytest

from conftest import (lb_config, listener, monitor, pool, wait_member_status, wait_until)


class V6Member:
    """An IPv6 stub on ::1: TCP connections get b"v6-<port>\\n"; an HTTP request gets 200."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("::1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.name = f"v6-{self.port}"
        self.probes = 0
        self.stopping = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            c.settimeout(2)
            try:
                data = c.recv(4096)
                if data.startswith(b"GET /health"):
                    self.probes += 1
                    c.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
                else:
                    c.sendall(self.name.encode() + b"\n")
            except OSError:
                pass
            c.close()

    def stop(self):
        self.stopping = True
        self.sock.close()
        self.thread.join(2)


def _free_v6_port():
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    s.bind(("::1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def _banner(port):
    s = socket.create_connection(("::1", port), timeout=3)
    s.sendall(b"hi")
    data = s.recv(64)
    s.close()
    return data.decode().strip()


@pytest.mark.parametrize("hm", [monitor("TCP"),
                                monitor("HTTP", url_path="/health", expected_codes="200")])
def test_ipv6_members_probed_and_dead_one_avoided(ballastd, hm):
    live = V6Member()
    dead_port = _free_v6_port()
    port = _free_v6_port()
    try:
        members = [{"address": "::1", "protocol_port": live.port},
                   {"address": "::1", "protocol_port": dead_port}]
        b = ballastd(lb_config([listener(port, pool(members, healthmonitor=hm))], vip="::1"))
        m = wait_member_status(b, dead_port, "ERROR")
        assert "refused" in m["status_reason"], m
        wait_member_status(b, live.port, "ONLINE")
        assert {_banner(port) for _ in range(6)} == {live.name}
        if hm["type"] == "HTTP":
            wait_until(lambda: live.probes >= 1, 3, what="an HTTP probe over IPv6")
    finally:
        live.stop()

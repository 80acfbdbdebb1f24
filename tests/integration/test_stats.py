# SPDX-License-Identifier: Apache-2.0
"""The admin socket's `stats`: counters after known traffic, and the document's shape."""
import json
import signal

from conftest import (admin_request, banner, free_port, recv_exact, simple_config,
                      wait_until)

LISTENER_KEYS = {"name", "label", "protocol", "address", "active_connections",
                 "total_connections", "bytes_in", "bytes_out", "denied_connections",
                 "request_errors", "default_pool"}
POOL_KEYS = {"name", "key", "protocol", "lb_algorithm", "members"}
MEMBER_KEYS = {"name", "address", "protocol_port", "weight", "backup", "admin_state_up",
               "active_connections", "total_connections", "bytes_in", "bytes_out",
               "connection_errors"}


def test_stats_document_shape(ballastd, tcp_member):
    a = tcp_member()
    port = free_port()
    cfg = simple_config(port, [a])
    cfg["loadbalancer"]["listeners"][0]["default_pool"]["members"][0]["name"] = "alpha"
    bd = ballastd(cfg)
    st = bd.stats()
    assert {"generation", "workers_generation", "reload_failures", "last_reload_error",
            "listeners", "pools"} <= set(st), st
    assert st["generation"] == 1 and st["reload_failures"] == 0
    assert st["last_reload_error"] is None
    (l,) = st["listeners"]
    assert set(l) >= LISTENER_KEYS, l
    assert l["name"] == "l1" and l["protocol"] == "TCP"
    assert l["address"] == f"127.0.0.1:{port}"
    (p,) = st["pools"]
    assert set(p) >= POOL_KEYS, p
    assert l["default_pool"] == p["key"]
    assert (p["name"], p["protocol"], p["lb_algorithm"]) == ("p1", "TCP", "ROUND_ROBIN")
    (m,) = p["members"]
    assert set(m) >= MEMBER_KEYS, m
    assert (m["name"], m["address"], m["protocol_port"], m["weight"], m["backup"],
            m["admin_state_up"]) == ("alpha", "127.0.0.1", a.port, 1, False, True)
    for k in ("active_connections", "total_connections", "bytes_in", "bytes_out",
              "connection_errors"):
        assert m[k] == 0, (k, m)


def test_counters_after_known_traffic(ballastd, tcp_member):
    a, b = tcp_member("echo"), tcp_member("echo")
    port = free_port()
    bd = ballastd(simple_config(port, [a, b]))
    sizes = [100, 2000, 30000, 400000]  # a, b, a, b
    for n in sizes:
        name, s = banner(port, keep=True)
        payload = bytes([n % 251]) * n
        s.sendall(payload)
        assert recv_exact(s, n) == payload
        s.close()
    wait_until(lambda: bd.listener_stats()["active_connections"] == 0, what="sessions to end")
    l = bd.listener_stats()
    ba, bb = len(a.banner), len(b.banner)
    assert l["total_connections"] == 4, l
    assert l["bytes_in"] == sum(sizes), l
    assert l["bytes_out"] == sum(sizes) + 2 * ba + 2 * bb, l
    assert l["denied_connections"] == 0 and l["request_errors"] == 0, l
    ma, mb = bd.member_stats(a), bd.member_stats(b)
    assert (ma["total_connections"], ma["bytes_in"], ma["bytes_out"]) == \
        (2, 100 + 30000, 100 + 30000 + 2 * ba), ma
    assert (mb["total_connections"], mb["bytes_in"], mb["bytes_out"]) == \
        (2, 2000 + 400000, 2000 + 400000 + 2 * bb), mb
    assert ma["active_connections"] == mb["active_connections"] == 0


def test_active_connections(ballastd, tcp_member):
    a, b = tcp_member("hold"), tcp_member("hold")
    port = free_port()
    bd = ballastd(simple_config(port, [a, b]))
    held = [banner(port, keep=True)[1] for _ in range(3)]
    st = bd.stats()
    assert st["listeners"][0]["active_connections"] == 3
    assert [m["active_connections"] for m in st["pools"][0]["members"]] == [2, 1]
    held[0].close()
    wait_until(lambda: bd.member_stats(a)["active_connections"] == 1, what="a: one less")
    for s in held[1:]:
        s.close()
    wait_until(lambda: bd.listener_stats()["active_connections"] == 0, what="all closed")
    st = bd.stats()
    assert [m["active_connections"] for m in st["pools"][0]["members"]] == [0, 0]
    assert st["listeners"][0]["total_connections"] == 3


def test_unknown_admin_command(ballastd):
    port = free_port()
    bd = ballastd(simple_config(port, [free_port()]))
    ans = admin_request(bd.admin_path, "frobnicate")
    assert ans["ok"] is False and "unknown command" in ans["error"], ans
    assert bd.stats()["generation"] == 1  # and the socket still answers


def test_sigusr1_dumps_stats_to_stderr(ballastd, tcp_member):
    a = tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a]))
    assert banner(port) == a.name
    bd.proc.send_signal(signal.SIGUSR1)

    def dumped():
        for line in bd.log().splitlines():
            if line.startswith("{"):
                return json.loads(line)
        return None
    doc = wait_until(dumped, what="a stats line on stderr")
    assert doc["listeners"][0]["total_connections"] == 1

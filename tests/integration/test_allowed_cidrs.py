# SPDX-License-Identifier: Apache-2.0
"""allowed_cidrs: clients outside every listed CIDR are reset."""
from conftest import banner, free_port, simple_config


def test_only_listed_source_is_served(ballastd, tcp_member):
    m = tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [m], allowed_cidrs=["127.0.0.2/32"]))
    assert banner(port, src="127.0.0.2") == m.name
    assert banner(port, src="127.0.0.3") == "reset"
    assert banner(port, src="127.0.0.1") == "reset"
    assert banner(port, src="127.0.0.2") == m.name
    assert m.accepted == 2
    lst = bd.listener_stats()
    assert lst["denied_connections"] == 2 and lst["total_connections"] == 2, lst


def test_prefixes_and_several_cidrs(ballastd, tcp_member):
    m = tcp_member()
    port = free_port()
    ballastd(simple_config(port, [m], allowed_cidrs=["127.0.0.16/28", "127.0.0.100/32"]))
    allowed = {f"127.0.0.{i}" for i in range(16, 32)} | {"127.0.0.100"}
    for i in (2, 15, 16, 20, 31, 32, 99, 100, 101, 200):
        src = f"127.0.0.{i}"
        got = banner(port, src=src)
        assert got == (m.name if src in allowed else "reset"), (src, got)


def test_allowed_cidrs_changed_by_reload(ballastd, tcp_member):
    m = tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [m], allowed_cidrs=["127.0.0.2/32"]))
    assert banner(port, src="127.0.0.3") == "reset"
    assert bd.reload(simple_config(port, [m], allowed_cidrs=["127.0.0.3/32"]))["ok"]
    assert banner(port, src="127.0.0.3") == m.name
    assert banner(port, src="127.0.0.2") == "reset"
    assert bd.reload(simple_config(port, [m]))["ok"]  # no list: everybody
    assert banner(port, src="127.0.0.2") == m.name
    assert banner(port, src="127.0.0.3") == m.name

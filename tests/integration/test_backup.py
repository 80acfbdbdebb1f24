# SPDX-License-Identifier: Apache-2.0
"""Backup members: used only when no non-backup member is usable."""
from conftest import banner, free_port, member, simple_config


def test_backup_gets_nothing_while_primaries_are_usable(ballastd, tcp_member):
    a, b, bk = tcp_member(), tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, member(bk, backup=True), b]))
    seen = [banner(port) for _ in range(8)]
    assert seen == [a.name, b.name] * 4, seen
    assert bk.accepted == 0
    assert bd.member_stats(bk)["backup"] is True
    assert bd.member_stats(bk)["total_connections"] == 0


def test_backup_takes_over_when_primary_disabled(ballastd, tcp_member):
    a, bk = tcp_member(), tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [a, member(bk, backup=True)]))
    assert [banner(port) for _ in range(4)] == [a.name] * 4
    # primary drained by weight 0: the backup serves everything
    assert bd.reload(simple_config(port, [member(a, weight=0), member(bk, backup=True)]))["ok"]
    assert [banner(port) for _ in range(4)] == [bk.name] * 4
    # primary disabled: the backup serves everything
    assert bd.reload(simple_config(port, [member(a, admin_state_up=False),
                                          member(bk, backup=True)]))["ok"]
    assert [banner(port) for _ in range(4)] == [bk.name] * 4
    # primary back: the backup is idle again
    assert bd.reload(simple_config(port, [a, member(bk, backup=True)]))["ok"]
    assert [banner(port) for _ in range(4)] == [a.name] * 4
    assert bk.accepted == 8


def test_backup_is_the_retry_when_the_primary_refuses(ballastd, tcp_member):
    """The primary's port is closed: each connection is retried on the backup."""
    bk = tcp_member()
    dead = free_port()
    port = free_port()
    bd = ballastd(simple_config(port, [member(dead), member(bk, backup=True)]))
    assert [banner(port) for _ in range(5)] == [bk.name] * 5
    assert bd.member_stats(dead)["connection_errors"] == 5


def test_several_backups_round_robin(ballastd, tcp_member):
    b1, b2 = tcp_member(), tcp_member()
    port = free_port()
    ballastd(simple_config(port, [member(free_port(), admin_state_up=False),
                                  member(b1, backup=True), member(b2, backup=True)]))
    seen = [banner(port) for _ in range(6)]
    assert sorted(seen) == sorted([b1.name] * 3 + [b2.name] * 3), seen

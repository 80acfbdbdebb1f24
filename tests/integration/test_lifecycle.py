# SPDX-License-Identifier: Apache-2.0
"""Start and stop: SIGTERM/SIGINT with live traffic, the admin socket file."""
import os
import signal
import socket
import time

from conftest import (VIP, banner, free_port, lb_config, listener, outcome, pool, scaled,
                      simple_config)


def test_sigterm_with_live_connections_exits_zero(ballastd, tcp_member, udp_member):
    t, u = tcp_member("hold"), udp_member()
    tport, uport = free_port(), free_port(udp=True)
    bd = ballastd(lb_config([listener(tport, pool([t])),
                             listener(uport, pool([u], protocol="UDP", name="pu"),
                                      protocol="UDP", name="lu")]))
    held = [banner(tport, keep=True)[1] for _ in range(10)]
    c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    c.settimeout(scaled(2))
    c.sendto(b"x", (VIP, uport))
    assert c.recvfrom(100)[0] == u.name.encode() + b":x"
    assert bd.stats()["listeners"][0]["active_connections"] == 10

    t0 = time.monotonic()
    rc = bd.stop()
    assert rc == 0, f"exit status {rc}:\n{bd.log()}"
    assert time.monotonic() - t0 < scaled(3)
    # every client is closed, none left hanging
    for s in held:
        assert outcome(s, timeout=2)[0] in ("eof", "reset")
        s.close()
    assert not os.path.exists(bd.admin_path), "admin socket file left behind"
    assert banner(tport) == "refused"
    c.close()


def test_sigint_stops_cleanly(ballastd, tcp_member):
    m = tcp_member()
    port = free_port()
    bd = ballastd(simple_config(port, [m]))
    assert banner(port) == m.name
    bd.proc.send_signal(signal.SIGINT)
    assert bd.wait_exit() == 0, bd.log()
    assert "stopping" in bd.log()


def test_start_logs_ready_line(ballastd, tcp_member):
    port = free_port()
    bd = ballastd(simple_config(port, [tcp_member()]))
    ready = [l for l in bd.log_lines("info") if " ready: " in l]
    assert len(ready) == 1 and "1 listeners, 2 workers" in ready[0], bd.log()


def test_version_and_usage():
    import subprocess
    from conftest import BALLASTD
    out = subprocess.run([BALLASTD, "--version"], capture_output=True, text=True, timeout=10)
    assert out.returncode == 0 and out.stdout.startswith("ballastd "), out
    out = subprocess.run([BALLASTD], capture_output=True, text=True, timeout=10)
    assert out.returncode != 0 and "--config" in out.stderr, out
    out = subprocess.run([BALLASTD, "--config", "/dev/null", "--workers", "0"],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode != 0 and "--workers" in out.stderr, out

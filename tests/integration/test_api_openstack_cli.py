# SPDX-License-Identifier: Apache-2.0
"""The tutorial with the real `openstack loadbalancer` client (Debian's
python3-octaviaclient) against ballastd, no Keystone (OS_AUTH_TYPE=none):
the client's Neutron look-ups (subnet by name) go to ballast's Neutron
subset, then LB, listener, pool, two members, each with --wait; then two
connections through the VIP land on different members."""
import os
import socket
import subprocess

from apiutil import free_port
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)

OPENSTACK = "/usr/bin/openstack"


def cli(server, *args):
    env = dict(os.environ, OS_AUTH_TYPE="none",
               OS_ENDPOINT=f"http://127.0.0.1:{server.port}")
    for k in ("OS_CLOUD", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_TOKEN"):
        env.pop(k, None)
    p = subprocess.run([OPENSTACK, "loadbalancer", *args], env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, f"openstack loadbalancer {' '.join(args)}:\n{p.stderr}"
    return p.stdout.strip()


def first_line(host, port):
    with socket.create_connection((host, port), timeout=3) as s:
        return s.makefile().readline().strip()


def test_tutorial_with_the_openstack_client(server, tcp_member):
    a, b = tcp_member("echo", name="web1"), tcp_member("echo", name="web2")
    lb = cli(server, "create", "--name", "lb", "--vip-subnet-id", "loopback", "--wait",
             "-f", "value", "-c", "id")
    vip = cli(server, "show", lb, "-c", "vip_address", "-f", "value")
    assert vip.startswith("127.100."), vip
    port = free_port(vip)
    cli(server, "listener", "create", "--name", "lb-ssh", "--protocol", "TCP",
        "--protocol-port", str(port), "--wait", "lb")
    cli(server, "pool", "create", "--name", "lb-ssh-pool", "--lb-algorithm", "ROUND_ROBIN",
        "--listener", "lb-ssh", "--protocol", "TCP", "--wait")
    for m in (a, b):
        cli(server, "member", "create", "--address", "127.0.0.1", "--protocol-port",
            str(m.port), "--wait", "lb-ssh-pool")
    table = cli(server, "member", "list", "lb-ssh-pool")
    assert table.count("ACTIVE") == 2 and table.count("NO_MONITOR") == 2, table
    assert cli(server, "show", "lb", "-c", "provisioning_status", "-f", "value") == "ACTIVE"
    seen = [first_line(vip, port) for _ in range(4)]
    assert seen in (["web1", "web2", "web1", "web2"], ["web2", "web1", "web2", "web1"]), seen
    stats = cli(server, "stats", "show", "lb", "-f", "value", "-c", "total_connections")
    assert stats == "4", stats
    cli(server, "delete", "--cascade", "--wait", "lb")
    assert cli(server, "list", "-f", "value") == ""

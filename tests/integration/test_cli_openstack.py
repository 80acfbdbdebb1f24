# SPDX-License-Identifier: Apache-2.0
"""ballast against the real `openstack loadbalancer` client (Debian's
python3-octaviaclient) on the same ballastd: the same commands print the
same bytes (tables, JSON, YAML, CSV, value), so scripts written for one work
with the other. Few commands: the OpenStack client needs ~2 s each."""
import subprocess

from apiutil import free_port
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)
from cliutil import ballast, clean_env

OPENSTACK = "/usr/bin/openstack"


def openstack(server, *args):
    env = clean_env(OS_AUTH_TYPE="none", OS_ENDPOINT=f"http://127.0.0.1:{server.port}")
    p = subprocess.run([OPENSTACK, "loadbalancer", *args], env=env, capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0, f"openstack loadbalancer {' '.join(args)}:\n{p.stderr}"
    return p.stdout


def test_same_output_as_the_openstack_client(server):
    ballast(server, "loadbalancer", "create", "--name", "lb", "--vip-subnet-id", "loopback",
            "--tag", "t1", "--wait")
    ballast(server, "loadbalancer", "listener", "create", "--name", "l1", "--protocol", "TCP",
            "--protocol-port", str(free_port("127.100.0.1")), "--allowed-cidr", "127.0.0.0/8",
            "--wait", "lb")
    ballast(server, "loadbalancer", "pool", "create", "--name", "p1", "--lb-algorithm",
            "ROUND_ROBIN", "--listener", "l1", "--protocol", "TCP", "--wait")
    for port in (3001, 3002):
        ballast(server, "loadbalancer", "member", "create", "--address", "127.0.0.1",
                "--protocol-port", str(port), "--wait", "p1")
    for args in [
        ("list",),
        ("show", "lb"),
        ("show", "lb", "-f", "yaml"),
        ("listener", "show", "l1", "-f", "json"),
        ("pool", "show", "p1"),
        ("member", "list", "p1", "-f", "csv", "--sort-column", "protocol_port"),
        ("member", "list", "p1", "--sort-column", "protocol_port", "--sort-descending"),
        ("status", "show", "lb"),
    ]:
        ours = ballast(server, "loadbalancer", *args).out
        assert ours == openstack(server, *args), args

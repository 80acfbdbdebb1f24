# SPDX-License-Identifier: Apache-2.0
"""docs/tutorial.md, unattended: scripts/tutorial.sh builds two member hosts
in network namespaces (sshd, or a host-name server), a load balancer with a
TCP listener, a ROUND_ROBIN pool and the two members, all with build/ballast,
and two logins through the VIP must land on different members. The script
removes its namespaces and daemons, which is checked too."""
import os
import subprocess

from apiutil import free_port
from conftest import BALLASTD, scaled

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def test_tutorial_script():
    env = dict(os.environ, LISTENER_PORT=str(free_port("127.100.0.1")),
               BALLAST_API_PORT=str(free_port()), BALLAST_BUILD=os.path.dirname(BALLASTD))
    for k in ("BALLAST_URL", "BALLAST_TOKEN", "OS_CLOUD", "OS_AUTH_URL"):
        env.pop(k, None)
    p = subprocess.run([os.path.join(ROOT, "scripts", "tutorial.sh")], env=env,
                       capture_output=True, text=True, timeout=scaled(120))
    assert p.returncode == 0, f"{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    out = p.stdout
    assert "The two logins landed on web1 and web2" in out or \
        "The two logins landed on web2 and web1" in out, out
    assert out.count("| ACTIVE              |") >= 2, out  # both members in the member list
    assert "| total_connections  | 2     |" in out, out
    left = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert "bltut-" not in left, left
    links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    assert "blt1-h" not in links and "blt2-h" not in links, links

# SPDX-License-Identifier: Apache-2.0
"""ballastd --noop-settle next-request: objects of no-op provider load balancers
stay PENDING_* until the next API request without "X-Oracle-No-Settle: 1", as
Octavia's API shows them when its worker acts between two requests; the
ballast provider's objects settle as always, when the data plane runs them."""
import subprocess
import time

import pytest

from apiutil import LB, LISTENERS, ApiBallastd, assert_fault, create_lb, wait_lb
from conftest import BALLASTD, scaled

HOLD = {"X-Oracle-No-Settle": "1"}


@pytest.fixture(name="held")
def held_fixture(short_tmp):
    b = ApiBallastd(short_tmp, extra_args=["--noop-settle", "next-request"])
    b.start()
    yield b.api
    problems = b.check()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def status(api, path, key):
    r = api.get(path, headers=HOLD)
    assert r.status == 200, r
    return r.body[key]["provisioning_status"]


def test_noop_objects_wait_for_the_next_request(held):
    api = held
    r = api.post(LB, {"loadbalancer": {"vip_subnet_id": "6a1d2c1e-1111-4c1b-9d7e-0d1f4b0e9a11",
                                       "provider": "noop_driver"}})
    assert r.status == 201, r
    lb = f"{LB}/{r.body['loadbalancer']['id']}"
    time.sleep(scaled(0.2))  # the agent has synced by now: still held
    assert status(api, lb, "loadbalancer") == "PENDING_CREATE"
    body = {"listener": {"loadbalancer_id": r.body["loadbalancer"]["id"], "protocol": "TCP",
                         "protocol_port": 22}}
    assert_fault(api.post(LISTENERS, body, headers=HOLD), 409,
                 f"Load Balancer {r.body['loadbalancer']['id']} is immutable and cannot be "
                 "updated.")
    # a request without the header settles first, then is answered
    assert api.get(lb).body["loadbalancer"]["provisioning_status"] == "ACTIVE"
    r = api.post(LISTENERS, body)
    assert r.status == 201, r
    assert status(api, lb, "loadbalancer") == "PENDING_UPDATE"
    assert status(api, f"{LISTENERS}/{r.body['listener']['id']}", "listener") == "PENDING_CREATE"
    assert api.get(lb).body["loadbalancer"]["provisioning_status"] == "ACTIVE"
    # deletion: PENDING_DELETE until the next request, then gone
    assert api.delete(lb + "?cascade=true").status == 204
    time.sleep(scaled(0.2))
    assert status(api, lb, "loadbalancer") == "PENDING_DELETE"
    assert api.get(lb).status == 404


def test_ballast_provider_is_not_held(held):
    """Its objects become ACTIVE once running, with no other request needed
    (every poll carries the header)."""
    lb = create_lb(held, wait=False)
    deadline = time.monotonic() + scaled(2.0)
    while status(held, f"{LB}/{lb['id']}", "loadbalancer") != "ACTIVE":
        assert time.monotonic() < deadline, "ballast load balancer still pending"
        time.sleep(0.01)
    wait_lb(held, lb["id"])


def test_bad_value_is_refused():
    p = subprocess.run([BALLASTD, "--api", "127.0.0.1:1", "--noop-settle", "later"],
                       capture_output=True, text=True, timeout=scaled(5))
    assert p.returncode != 0
    assert "--noop-settle: must be agent or next-request, got 'later'" in p.stderr, p.stderr

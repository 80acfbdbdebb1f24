# SPDX-License-Identifier: Apache-2.0
"""Keystone mode (`--users FILE`): the Keystone v3 subset issues and validates
project-scoped tokens; the API enforces them: no token → 401, another project's
objects are invisible in lists and forbidden by id, observers cannot write,
global observers read everything, admins do everything."""
import json
import os

import pytest

from apiutil import LB, LOOPBACK_SUBNET, Api, ApiBallastd, wait_lb

USERS = os.path.join(os.path.dirname(__file__), "..", "tempest", "users.json")


@pytest.fixture(name="ks")
def ks_fixture(short_tmp):
    b = ApiBallastd(short_tmp, extra_args=["--users", USERS])
    b.start()
    yield b
    problems = b.check()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def login(ks, user, project):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": user, "password": "pw", "domain": {"name": "Default"}}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
    r = Api(ks.port).post("/identity/v3/auth/tokens", body)
    return r


class Session(Api):
    def __init__(self, port, token):
        super().__init__(port)
        self.token = token

    def request(self, method, path, body=None, raw=None, headers=None, timeout=5.0):
        h = dict(headers or {}, **{"X-Auth-Token": self.token})
        return super().request(method, path, body=body, raw=raw, headers=h, timeout=timeout)


def session(ks, user, project):
    r = login(ks, user, project)
    assert r.status == 201, r
    return Session(ks.port, r.headers["x-subject-token"]), r.body["token"]


def test_token_issue_and_validate(ks):
    r = login(ks, "tmem1", "pmem1")
    assert r.status == 201, r
    token = r.headers["x-subject-token"]
    t = r.body["token"]
    assert t["project"]["name"] == "pmem1" and len(t["project"]["id"]) == 32, t
    assert [x["name"] for x in t["roles"]] == ["load-balancer_member"], t
    lb_eps = [c for c in t["catalog"] if c["type"] == "load-balancer"][0]["endpoints"]
    assert lb_eps[0]["url"] == f"http://127.0.0.1:{ks.port}", lb_eps
    s = Session(ks.port, token)
    r = s.request("GET", "/identity/v3/auth/tokens", headers={"X-Subject-Token": token})
    assert r.status == 200 and r.body["token"]["user"]["name"] == "tmem1", r
    assert login(ks, "tmem1", "pmem2").status == 401  # not that user's project
    r = Api(ks.port).post("/identity/v3/auth/tokens", {"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "tmem1", "password": "no"}}}}})
    assert r.status == 401, r


def test_api_needs_a_token(ks):
    assert Api(ks.port).get(LB).status == 401
    assert Api(ks.port).get("/").status == 200  # version discovery stays open
    s = Session(ks.port, "f" * 64)
    assert s.get(LB).status == 401


def test_projects_are_isolated(ks):
    m1, t1 = session(ks, "tmem1", "pmem1")
    m2, _ = session(ks, "tmem2", "pmem2")
    r = m1.post(LB, {"loadbalancer": {"name": "mine", "vip_subnet_id": LOOPBACK_SUBNET}})
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    assert lb["project_id"] == t1["project"]["id"], lb
    wait_lb(m1, lb["id"])
    assert m2.get(LB).body["loadbalancers"] == []
    for r in (m2.get(f"{LB}/{lb['id']}"), m2.delete(f"{LB}/{lb['id']}"),
              m2.put(f"{LB}/{lb['id']}", {"loadbalancer": {"name": "theirs"}})):
        assert r.status == 403, r
    admin, _ = session(ks, "tadmin", "padmin")
    assert [x["name"] for x in admin.get(LB).body["loadbalancers"]] == ["mine"]
    gobs, _ = session(ks, "tgobs", "pgobs")
    assert [x["name"] for x in gobs.get(LB).body["loadbalancers"]] == ["mine"]
    assert gobs.delete(f"{LB}/{lb['id']}").status == 403
    obs, _ = session(ks, "tobs", "pobs")
    r = obs.post(LB, {"loadbalancer": {"vip_subnet_id": LOOPBACK_SUBNET}})
    assert (r.status, r.body["faultstring"]) == (
        403, "Policy does not allow this request to be performed."), r
    assert m1.get("/v2.0/lbaas/flavorprofiles").status == 403
    assert admin.get("/v2.0/lbaas/flavorprofiles").status == 200
    assert m1.delete(f"{LB}/{lb['id']}").status == 204

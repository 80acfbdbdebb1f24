# SPDX-License-Identifier: Apache-2.0
"""Endpoint and credentials read as the OpenStack client reads them: the
default URL, BALLAST_URL, OS_AUTH_TYPE=none + OS_ENDPOINT, Keystone v3
password auth through OS_* (ballastd --users, the catalog gives the
endpoint), clouds.yaml with OS_CLOUD, flags over variables, bad passwords."""
import os

import pytest

from apiutil import ApiBallastd
from cliutil import ballast, clean_env

USERS = os.path.join(os.path.dirname(__file__), "..", "tempest", "users.json")


@pytest.fixture(name="kserver")
def kserver_fixture(short_tmp):
    b = ApiBallastd(short_tmp, extra_args=["--users", USERS])
    b.start()
    yield b
    problems = b.check()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


def names(r):
    return r.out.split()


def test_keystone_password_from_os_variables(kserver, short_tmp):
    url = f"http://127.0.0.1:{kserver.port}"
    env = clean_env(OS_AUTH_URL=f"{url}/identity/v3", OS_USERNAME="tmem1", OS_PASSWORD="pw",
                    OS_PROJECT_NAME="pmem1", OS_USER_DOMAIN_NAME="Default",
                    OS_PROJECT_DOMAIN_NAME="Default")
    ballast(None, "loadbalancer", "create", "--name", "mine", "--vip-subnet-id", "loopback",
            "--wait", env=env)
    r = ballast(None, "loadbalancer", "list", "-f", "value", "-c", "name", "-c", "project_id",
                env=env)
    name, project = r.out.split()
    assert name == "mine" and len(project) == 32, r  # Keystone's id of pmem1
    # another project does not see it (the token, not the URL, decides)
    env2 = dict(env, OS_USERNAME="tmem2", OS_PROJECT_NAME="pmem2")
    assert ballast(None, "loadbalancer", "list", env=env2).out == "\n"
    # wrong password: Keystone's 401, exit 1
    r = ballast(None, "loadbalancer", "list", env=dict(env, OS_PASSWORD="nope"), ok=False)
    assert r.rc == 1 and "(HTTP 401)" in r.err and r.out == ""
    # no credentials at all: ballastd refuses
    r = ballast(kserver, "loadbalancer", "list", ok=False)
    assert r.rc == 1 and "(HTTP 401)" in r.err


def test_clouds_yaml_and_precedence(kserver, short_tmp):
    url = f"http://127.0.0.1:{kserver.port}"
    with open(os.path.join(short_tmp, "clouds.yaml"), "w") as f:
        f.write(f"""clouds:
  lab:
    auth:
      auth_url: {url}/identity/v3
      username: tmem1
      project_name: pmem1
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
""")
    with open(os.path.join(short_tmp, "secure.yaml"), "w") as f:
        f.write("clouds:\n  lab:\n    auth:\n      password: pw\n")
    env = clean_env(OS_CLOUD="lab")
    ballast(None, "loadbalancer", "create", "--name", "fromyaml", "--vip-subnet-id", "loopback",
            "--wait", env=env, cwd=short_tmp)
    assert ballast(None, "loadbalancer", "list", "-f", "value", "-c", "name", env=env,
                   cwd=short_tmp).out == "fromyaml\n"
    # OS_* over clouds.yaml, --os-* over OS_*
    r = ballast(None, "loadbalancer", "list", env=dict(env, OS_PASSWORD="bad"), cwd=short_tmp,
                ok=False)
    assert r.rc == 1 and "(HTTP 401)" in r.err
    assert ballast(None, "--os-password", "pw", "loadbalancer", "list", "-f", "value", "-c",
                   "name", env=dict(env, OS_PASSWORD="bad"), cwd=short_tmp).out == "fromyaml\n"
    r = ballast(None, "loadbalancer", "list", env=clean_env(OS_CLOUD="nosuch"), cwd=short_tmp,
                ok=False)
    assert (r.rc, r.err) == (2, "Cloud nosuch was not found.\n")
    # a token obtained once, then given directly
    r = ballast(None, "--debug", "loadbalancer", "list", env=env, cwd=short_tmp)
    assert "REQ: POST " + url + "/identity/v3/auth/tokens" in r.err
    assert "REQ: GET " + url + "/v2/lbaas/loadbalancers" in r.err


def test_default_url_and_noauth_variables(server, short_tmp):
    url = f"http://127.0.0.1:{server.port}"
    ballast(server, "loadbalancer", "create", "--name", "a", "--vip-subnet-id", "loopback")
    env = clean_env(OS_AUTH_TYPE="none", OS_ENDPOINT=url)
    assert names(ballast(None, "loadbalancer", "list", "-f", "value", "-c", "name", env=env)) == ["a"]
    env = clean_env(BALLAST_URL=url + "/")
    assert names(ballast(None, "loadbalancer", "list", "-f", "value", "-c", "name", env=env)) == ["a"]
    r = ballast(None, "--debug", "loadbalancer", "list", env=clean_env(), ok=False)
    assert "http://127.0.0.1:9876/v2/lbaas/loadbalancers" in r.err


from apiutil import server_fixture  # noqa: E402,F401  (fixture)

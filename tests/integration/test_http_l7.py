# SPDX-License-Identifier: Apache-2.0
"""Octavia L7 policies and rules applied to real HTTP traffic."""
import pytest

from conftest import free_port, lb_config, listener, pool
from httputil import http_member_fixture  # noqa: F401  (fixture)
from httputil import get_json, http_request


def _rule(type_, compare, value, key=None, invert=False):
    r = {"type": type_, "compare_type": compare, "value": value, "invert": invert}
    if key:
        r["key"] = key
    return r


def _policies():
    return [
        {"action": "REJECT", "position": 1,
         "rules": [_rule("PATH", "STARTS_WITH", "/admin")]},
        {"action": "REDIRECT_TO_URL", "redirect_url": "https://new.example.com/",
         "redirect_http_code": 301, "rules": [_rule("HOST_NAME", "EQUAL_TO", "old.example.com")]},
        {"action": "REDIRECT_PREFIX", "redirect_prefix": "https://docs.example.com",
         "rules": [_rule("PATH", "STARTS_WITH", "/legacy")]},
        {"action": "REDIRECT_TO_POOL", "redirect_pool": {"name": "canary"},
         "rules": [_rule("HEADER", "EQUAL_TO", "1", key="X-Canary")]},
        {"action": "REDIRECT_TO_POOL", "redirect_pool": {"name": "images"},
         "rules": [_rule("FILE_TYPE", "EQUAL_TO", "jpg")]},
        {"action": "REDIRECT_TO_POOL", "redirect_pool": {"name": "api"},
         "rules": [_rule("PATH", "REGEX", "^/api/v[0-9]+/"),
                   _rule("COOKIE", "EQUAL_TO", "debug", key="mode", invert=True)]},
    ]


@pytest.fixture
def l7_setup(ballastd, http_member):
    web, canary = http_member(name="web"), http_member(name="canary")
    images, api = http_member(name="images"), http_member(name="api")
    port = free_port()
    pools = [pool([canary], protocol="HTTP", name="canary"),
             pool([images], protocol="HTTP", name="images"),
             pool([api], protocol="HTTP", name="api")]
    ls = listener(port, pool([web], protocol="HTTP", name="web"), protocol="HTTP",
                  l7policies=_policies())
    ballastd(lb_config([ls], pools=pools))
    return port


def test_reject_answers_403(l7_setup):
    status, _, _, s = http_request(l7_setup, "/admin/panel")
    s.close()
    assert status == 403


def test_redirect_to_url_with_its_code(l7_setup):
    status, hdrs, _, s = http_request(l7_setup, "/x", headers={"Host": "old.example.com"})
    s.close()
    assert status == 301 and hdrs["location"] == "https://new.example.com/"


def test_redirect_prefix_keeps_path_and_query(l7_setup):
    status, hdrs, _, s = http_request(l7_setup, "/legacy/page?a=1")
    s.close()
    assert status == 302
    assert hdrs["location"] == "https://docs.example.com/legacy/page?a=1"


def test_redirect_to_pool_by_header_file_type_regex_and_cookie(l7_setup):
    port = l7_setup
    assert get_json(port, "/", headers={"X-Canary": "1"})[1]["member"] == "canary"
    assert get_json(port, "/pics/cat.jpg")[1]["member"] == "images"
    assert get_json(port, "/api/v2/items")[1]["member"] == "api"
    # the inverted cookie rule: mode=debug keeps /api on the default pool
    assert get_json(port, "/api/v2/items", headers={"Cookie": "mode=debug"})[1]["member"] == "web"
    assert get_json(port, "/api/vX/items")[1]["member"] == "web"
    assert get_json(port, "/")[1]["member"] == "web"


def test_policies_apply_per_request_on_one_connection(l7_setup):
    port = l7_setup
    s = None
    got = []
    for target, hdrs in [("/", {}), ("/a.jpg", {}), ("/", {"X-Canary": "1"}), ("/admin", {})]:
        status, _, body, s = http_request(port, target, headers=hdrs, sock=s)
        got.append(status if status != 200 else __import__("json").loads(body)["member"])
    s.close()
    assert got == ["web", "images", "canary", 403]

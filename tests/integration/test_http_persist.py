# SPDX-License-Identifier: Apache-2.0
"""Session persistence (SOURCE_IP, HTTP_COOKIE, APP_COOKIE) and the retry policy on HTTP pools."""
import time

from conftest import free_port
from httputil import http_member_fixture  # noqa: F401  (fixture)
from httputil import get_json, http_config, http_request


def _served_by(port, n, **kw):
    return [get_json(port, "/", **kw)[1]["member"] for _ in range(n)]


def test_source_ip_persistence_sticks_and_survives_reload(ballastd, http_member):
    a, b = http_member(name="a"), http_member(name="b")
    port = free_port()
    cfg = http_config(port, [a, b], pool_kw={"session_persistence": {"type": "SOURCE_IP"}})
    bd = ballastd(cfg, workers=2)
    seen = _served_by(port, 6)
    assert len(set(seen)) == 1, seen          # round robin would alternate
    first = seen[0]
    # a reload that adds a member keeps the client where it was
    c = http_member(name="c")
    cfg["loadbalancer"]["listeners"][0]["default_pool"]["members"].append(
        {"address": c.host, "protocol_port": c.port})
    bd.reload(cfg)
    assert set(_served_by(port, 4)) == {first}


def test_source_ip_persisted_member_down_is_replaced(ballastd, http_member):
    a, b = http_member(name="a"), http_member(name="b")
    port = free_port()
    ballastd(http_config(port, [a, b], pool_kw={"session_persistence": {"type": "SOURCE_IP"}}),
             workers=1)
    first = _served_by(port, 1)[0]
    (a if first == "a" else b).stop()
    other = "b" if first == "a" else "a"
    # the next request fails over (connect retry), then sticks to the new member
    assert set(_served_by(port, 4)) == {other}


def test_http_cookie_inserted_then_followed(ballastd, http_member):
    a, b = http_member(name="a"), http_member(name="b")
    port = free_port()
    ballastd(http_config(port, [a, b], pool_kw={"session_persistence": {"type": "HTTP_COOKIE"}}))
    status, hdrs, body, s = http_request(port, "/")
    s.close()
    cookie = hdrs["set-cookie"]
    assert cookie.startswith("SRV=") and "path=/" in cookie, cookie
    value = cookie.split(";")[0]
    import json
    who = json.loads(body)["member"]
    for _ in range(4):
        status, hdrs, body, s = http_request(port, "/", headers={"Cookie": f"x=1; {value}"})
        s.close()
        assert json.loads(body)["member"] == who
        assert "set-cookie" not in hdrs   # the client already holds the right cookie
    # a cookie naming no member is replaced
    status, hdrs, body, s = http_request(port, "/", headers={"Cookie": "SRV=nobody"})
    s.close()
    assert hdrs["set-cookie"].startswith("SRV=")


def test_app_cookie_learned_from_the_member_response(ballastd, http_member):
    a, b = http_member(name="a"), http_member(name="b")
    a.set_cookie = "JSESSIONID=sess-a"
    b.set_cookie = "JSESSIONID=sess-b"
    port = free_port()
    ballastd(http_config(port, [a, b], pool_kw={
        "session_persistence": {"type": "APP_COOKIE", "cookie_name": "JSESSIONID"}}), workers=2)
    _, r = get_json(port, "/")
    who = r["member"]
    sess = "sess-a" if who == "a" else "sess-b"
    got = _served_by(port, 6, headers={"Cookie": f"JSESSIONID={sess}"})
    assert set(got) == {who}, got
    # without the cookie, balancing goes on
    assert len(set(_served_by(port, 4))) == 2


def test_retry_policy_zero_retries_shows_the_failure(ballastd, http_member):
    bad, good = http_member(name="bad"), http_member(name="good")
    bad.fail_status = 503
    port = free_port()
    ballastd(http_config(port, [bad, good], pool_kw={
        "ballast_retry_policy": {"num_retries": 0}}), workers=1)
    statuses = sorted(get_json(port, "/")[0] for _ in range(2))
    assert statuses == [200, 503]


def test_retry_policy_without_5xx_passes_5xx_through(ballastd, http_member):
    bad, good = http_member(name="bad"), http_member(name="good")
    bad.fail_status = 500
    port = free_port()
    ballastd(http_config(port, [bad, good], pool_kw={
        "ballast_retry_policy": {"num_retries": 2, "retry_on": ["connect-failure"]}}), workers=1)
    statuses = sorted(get_json(port, "/")[0] for _ in range(2))
    assert statuses == [200, 500]


def test_per_try_timeout_moves_a_slow_request_to_another_member(ballastd, http_member):
    slow, fast = http_member(name="slow"), http_member(name="fast")
    slow.delay_s = 2.0
    port = free_port()
    bd = ballastd(http_config(port, [slow, fast], pool_kw={
        "ballast_retry_policy": {"num_retries": 1, "per_try_timeout": 300}}), workers=1)
    for _ in range(2):
        t0 = time.monotonic()
        status, r = get_json(port, "/")
        assert status == 200 and r["member"] == "fast"
        assert time.monotonic() - t0 < 1.5
    assert bd.listener_stats()["retries"] >= 1


def test_bad_persistence_and_retry_policy_are_refused(ballastd, http_member):
    m = http_member()
    port = free_port()
    for pk, needle in [
        ({"session_persistence": {"type": "APP_COOKIE"}}, "cookie_name"),
        ({"session_persistence": {"type": "SOURCE_IP", "cookie_name": "x"}}, "cookie_name"),
        ({"session_persistence": {"type": "SOURCE_IP",
                                  "persistence_granularity": "255.0.255.0"}},
         "persistence_granularity"),
        ({"ballast_retry_policy": {"num_retries": 9}}, "num_retries"),
        ({"ballast_retry_policy": {"retry_on": ["sometimes"]}}, "retry_on"),
    ]:
        bd = ballastd(http_config(port, [m], pool_kw=pk), start=False)
        rc = bd.wait_exit()
        assert rc != 0 and needle in bd.log(), (pk, bd.log()[-500:])

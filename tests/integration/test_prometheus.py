# SPDX-License-Identifier: Apache-2.0
"""PROMETHEUS listeners: real scrapes of /metrics after traffic through TCP and
HTTP listeners of the same load balancer, read with a strict parser of the
text format 0.0.4; only the listener's own load balancer is exposed; 404,
405, HEAD, keep-alive, a body larger than one 16 KiB buffer, a reload; and a
PROMETHEUS listener created through the REST API."""
import http.client
import json
import re
import socket

import pytest

from apiutil import (L7P, LISTENERS, POOLS, UNKNOWN, assert_fault, create_lb, create_listener,
                     create_member, create_pool, wait_lb)
from apiutil import api_fixture, server_fixture  # noqa: F401  (fixtures)
from apiutil import free_port as api_free_port
from conftest import (banner, echo_ok, free_port, lb_config, listener, member, pool,
                      stub_factory, wait_until)
from httputil import HttpMember, http_request

PROM_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# ---- a strict parser of the text exposition format ------------------------------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
SAMPLE_RE = re.compile(rf"^({NAME})(?:\{{(.*)\}})? (\S+)$")
VALUE_RE = re.compile(r"^-?(\d+(\.\d*)?([eE][-+]?\d+)?|\+Inf|-Inf|NaN)$")


def _labels(text, line):
    out, pos = {}, 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        assert m, f"bad labels at {pos}: {line!r}"
        k = m.group(1)
        assert k not in out, f"label {k} twice: {line!r}"
        out[k] = m.group(2).replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        pos = m.end()
        if pos < len(text):
            assert text[pos] == ",", f"expected ',' at {pos}: {line!r}"
            pos += 1
            assert pos < len(text), f"trailing comma: {line!r}"
    return out


def parse(text):
    """Parses an exposition strictly: every line is HELP, TYPE or a sample; HELP
    and TYPE come once per family, before its samples; a family's samples are
    contiguous; no series twice. Returns (types {name: type},
    samples {(name, frozenset(labels.items())): float})."""
    assert text.endswith("\n"), "the exposition ends with a line feed"
    types, helps, samples, done = {}, {}, {}, set()
    current = None
    for line in text[:-1].split("\n"):
        if line.startswith("#"):
            m = re.match(rf"^# (HELP|TYPE) ({NAME}) (.+)$", line)
            assert m, f"bad comment line: {line!r}"
            kind, name, rest = m.groups()
            assert name not in done and name != current or kind == "TYPE" and name not in types, \
                f"{kind} for {name} after its samples: {line!r}"
            table = helps if kind == "HELP" else types
            assert name not in table, f"second {kind} for {name}"
            if kind == "TYPE":
                assert rest in ("counter", "gauge", "untyped", "summary", "histogram"), line
            table[name] = rest
            if current is not None and current != name:
                done.add(current)
            current = name
            continue
        m = SAMPLE_RE.match(line)
        assert m, f"bad sample line: {line!r}"
        name, ltext, value = m.groups()
        assert name in types and name in helps, f"sample before its HELP and TYPE: {line!r}"
        assert name == current, f"samples of {name} are not contiguous: {line!r}"
        assert VALUE_RE.match(value), f"bad value: {line!r}"
        key = (name, frozenset(_labels(ltext or "", line).items()))
        assert key not in samples, f"series twice: {line!r}"
        samples[key] = float(value)
    return types, samples


def test_parser_is_strict():
    good = '# HELP a_total A.\n# TYPE a_total counter\na_total{x="1",y="q\\"z"} 3\n'
    types, samples = parse(good)
    assert samples == {("a_total", frozenset({("x", "1"), ("y", 'q"z')})): 3.0}
    for bad in ('a_total{x="1"} 3\n',                                  # no HELP / TYPE
                '# HELP a A.\n# TYPE a gauge\na{x="1",} 3\n',         # trailing comma
                '# HELP a A.\n# TYPE a gauge\na{x=1} 3\n',             # unquoted
                '# HELP a A.\n# TYPE a gauge\na 3\na 4\n',             # twice
                '# HELP a A.\n# TYPE a gauge\na 3',                    # no final LF
                '# HELP a A.\n# TYPE a gauge\na three\n',              # value
                '# HELP a A.\n# TYPE a gauge\n# HELP b B.\n# TYPE b gauge\nb 1\na 2\n'):
        with pytest.raises(AssertionError):
            parse(bad)


# ---- helpers ------------------------------------------------------------------------------


class Scrape:
    def __init__(self, text):
        self.text = text
        self.types, self.samples = parse(text)

    def find(self, name, **labels):
        """Samples of `name` whose labels include `labels`: [(labels dict, value)]."""
        want = set(labels.items())
        return [(dict(k), v) for (n, k), v in self.samples.items() if n == name and want <= k]

    def value(self, name, **labels):
        found = self.find(name, **labels)
        assert len(found) == 1, (name, labels, found)
        return found[0][1]

    def label_values(self):
        return {v for (_, k) in self.samples for _, v in k}


def scrape(port, path="/metrics", conn=None):
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    assert r.status == 200, (r.status, body)
    assert r.getheader("Content-Type") == PROM_TYPE
    assert int(r.getheader("Content-Length")) == len(body)
    if conn is None:
        c.close()
    return Scrape(body.decode())


@pytest.fixture
def web():
    yield from stub_factory(HttpMember)


def two_lbs(tcp_port, http_port, prom_port, other_port, other_prom, echo, w, other_echo):
    lb1 = lb_config([
        listener(tcp_port, pool([member(echo, id="m-tcp", name="echo")], name="tcp-pool",
                                id="pool-tcp"), name="tcp", id="l-tcp"),
        listener(http_port, pool([member(w, id="m-web", name="web")], protocol="HTTP",
                                 name="web-pool", id="pool-web"),
                 protocol="HTTP", name="web", id="l-web"),
        listener(prom_port, protocol="PROMETHEUS", name="metrics", id="l-prom"),
    ], name="shop", id="lb-shop")["loadbalancer"]
    lb2 = lb_config([
        listener(other_port, pool([member(other_echo, id="m-other", name="secret-member")],
                                  name="other-pool", id="pool-other"), name="other", id="l-other"),
        listener(other_prom, protocol="PROMETHEUS", name="other-metrics", id="l-other-prom"),
    ], name="other-tenant", id="lb-other")["loadbalancer"]
    return {"loadbalancers": [lb1, lb2]}


# ---- tests ---------------------------------------------------------------------------------


def test_counters_move_and_only_own_lb(ballastd, tcp_member, web):
    echo, other_echo, w = tcp_member("echo"), tcp_member("echo"), web(name="w1")
    ports = [free_port() for _ in range(5)]
    tcp_port, http_port, prom_port, other_port, other_prom = ports
    ballastd(two_lbs(*ports, echo, w, other_echo))

    before = scrape(prom_port)
    lbl = dict(loadbalancer="lb-shop")
    tcp_l = dict(lbl, listener="l-tcp", listener_name="tcp", protocol="TCP", port=str(tcp_port))
    web_l = dict(lbl, listener="l-web", listener_name="web", protocol="HTTP", port=str(http_port))
    assert before.value("octavia_listener_connections_total", **tcp_l) == 0
    assert before.value("octavia_listener_http_requests_total", **web_l) == 0
    assert before.types["octavia_listener_connections_total"] == "counter"
    assert before.types["octavia_member_current_sessions"] == "gauge"

    # traffic: one TCP connection with an echo, three HTTP requests on one connection
    name, s = banner(tcp_port, keep=True)
    assert name == echo.name and echo_ok(s, b"x" * 1000)
    s.close()
    sock = None
    for _ in range(3):
        status, _, body, sock = http_request(http_port, "/hello", sock=sock)
        assert status == 200 and json.loads(body)["member"] == "w1"
    sock.close()
    wait_until(lambda: scrape(prom_port).value("octavia_listener_current_sessions", **tcp_l) == 0
               and scrape(prom_port).value("octavia_listener_current_sessions", **web_l) == 0,
               what="sessions to end")

    after = scrape(prom_port)
    assert after.value("octavia_listener_connections_total", **tcp_l) == 1
    assert after.value("octavia_listener_bytes_in_total", **tcp_l) == 1000
    assert after.value("octavia_listener_bytes_out_total", **tcp_l) == 1000 + len(echo.banner)
    assert after.value("octavia_listener_connections_total", **web_l) == 1
    assert after.value("octavia_listener_http_requests_total", **web_l) == 3
    assert after.value("octavia_listener_http_responses_total", code="2xx", **web_l) == 3
    assert after.value("octavia_listener_http_responses_total", code="5xx", **web_l) == 0
    assert after.value("ballast_listener_replies_total", reason="503", **web_l) == 0
    assert after.find("octavia_listener_http_requests_total", **tcp_l) == []  # HTTP only
    # members: labels name the member, its address and port; counters moved
    tcp_m = dict(lbl, pool="pool-tcp", member="m-tcp", member_name="echo",
                 address="127.0.0.1", port=str(echo.port))
    web_m = dict(lbl, pool="pool-web", member="m-web", member_name="web",
                 address="127.0.0.1", port=str(w.port))
    assert after.value("octavia_member_sessions_total", **tcp_m) == 1
    assert after.value("octavia_member_bytes_in_total", **tcp_m) == 1000
    assert after.value("octavia_member_sessions_total", **web_m) >= 1
    assert after.value("octavia_member_bytes_out_total", **web_m) > 0
    assert after.value("octavia_pool_sessions_total", pool="pool-tcp", pool_name="tcp-pool",
                       protocol="TCP") == 1
    assert after.value("octavia_loadbalancer_connections_total", loadbalancer_name="shop") \
        >= 2 + before.value("octavia_loadbalancer_connections_total")
    # status gauges: no monitor -> NO_MONITOR, which Octavia's member legend counts as 1
    assert after.value("octavia_member_status", **tcp_m) == 1
    assert after.value("ballast_member_operating_status", operating_status="NO_MONITOR",
                       **tcp_m) == 1
    assert after.value("ballast_member_operating_status", operating_status="ONLINE",
                       **tcp_m) == 0
    assert after.value("octavia_pool_status", pool="pool-tcp") == 1
    assert after.value("ballast_loadbalancer_operating_status", operating_status="ONLINE") == 1
    assert after.value("octavia_loadbalancer_listeners") == 3
    # the other load balancer is not there, and its own listener shows only it
    for secret in ("lb-other", "other-tenant", "l-other", "pool-other", "m-other",
                   "secret-member", str(other_echo.port)):
        assert secret not in after.label_values(), secret
    other = scrape(other_prom)
    assert {v for (_, k) in other.samples for n, v in k if n == "loadbalancer"} == {"lb-other"}
    assert other.value("octavia_listener_connections_total", listener="l-other") == 0


def test_http_semantics_on_one_connection(ballastd, tcp_member, web):
    echo, other_echo, w = tcp_member("echo"), tcp_member("echo"), web()
    ports = [free_port() for _ in range(5)]
    prom_port = ports[2]
    ballastd(two_lbs(*ports, echo, w, other_echo))
    c = http.client.HTTPConnection("127.0.0.1", prom_port, timeout=5)
    scrape(prom_port, conn=c)
    c.request("GET", "/other")
    r = c.getresponse()
    assert (r.status, r.read()) == (404, b"404 Not Found\n")
    c.request("POST", "/metrics")  # (a body still on its way would close the connection)
    r = c.getresponse()
    assert r.status == 405 and r.getheader("Allow") == "GET, HEAD"
    r.read()
    c.request("HEAD", "/metrics")
    r = c.getresponse()
    assert r.status == 200 and r.getheader("Content-Type") == PROM_TYPE
    assert int(r.getheader("Content-Length")) > 1000 and r.read() == b""
    s = scrape(prom_port, path="/metrics?format=text", conn=c)
    c.close()
    me = dict(listener="l-prom", protocol="PROMETHEUS")
    # all of it was one connection: keep-alive; the last scrape sees its own request
    assert s.value("octavia_listener_connections_total", **me) == 1
    assert s.value("octavia_listener_http_requests_total", **me) == 5
    assert s.value("octavia_listener_http_responses_total", code="2xx", **me) == 2
    assert s.value("octavia_listener_http_responses_total", code="4xx", **me) == 2
    assert s.value("octavia_listener_bytes_in_total", **me) > 0
    assert s.value("octavia_listener_bytes_out_total", **me) > 1000


def test_body_larger_than_a_buffer_and_reload(ballastd, tcp_member):
    port, prom_port = free_port(), free_port()
    members = [member(10000 + i, name=f"m{i}", weight=i % 3, admin_state_up=i != 1)
               for i in range(60)]
    cfg = lb_config([listener(port, pool(members, name="big")),
                     listener(prom_port, protocol="PROMETHEUS", name="metrics")])
    bd = ballastd(cfg)
    c = http.client.HTTPConnection("127.0.0.1", prom_port, timeout=5)
    s = scrape(prom_port, conn=c)
    assert len(s.text) > 5 * 16384
    assert len(s.find("octavia_member_weight")) == 60
    # weight 0 -> DRAIN (3), disabled -> OFFLINE (2), as Octavia's legend
    assert s.value("octavia_member_status", member_name="m0") == 3
    assert s.value("octavia_member_status", member_name="m1") == 2
    assert s.value("octavia_member_status", member_name="m2") == 1
    assert s.value("octavia_member_weight", member_name="m2") == 2
    assert s.value("octavia_pool_active_members", pool_name="big") == 59  # all but m1
    for _ in range(3):  # the same connection again: each large body sent whole
        assert len(scrape(prom_port, conn=c).find("octavia_member_weight")) == 60
    cfg["loadbalancer"]["listeners"][0]["default_pool"]["members"].append(
        member(10100, name="added"))
    bd.reload(cfg)
    s = scrape(prom_port, conn=c)  # a session started before the reload sees its snapshot
    s = scrape(prom_port)
    assert s.value("octavia_member_weight", member_name="added") == 1
    c.close()


def test_raw_pipelined_http10_and_escaping(ballastd):
    prom_port = free_port()
    odd = 'odd "lb" \\ name\nsecond line'
    ballastd(lb_config([listener(prom_port, protocol="PROMETHEUS", name="metrics")], name=odd))
    assert scrape(prom_port).value("octavia_loadbalancer_listeners", loadbalancer_name=odd) == 1
    s = socket.create_connection(("127.0.0.1", prom_port), timeout=5)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /metrics HTTP/1.0\r\n\r\n")
    data = b""
    while True:  # HTTP/1.0 without keep-alive: ballast closes after the third
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    assert data.count(b"HTTP/1.1 200 OK\r\n") == 2 and data.count(b"HTTP/1.1 404 ") == 1
    assert data.index(b"404 Not Found") < data.rindex(b"HTTP/1.1 200 OK")
    assert b"Connection: close\r\n" in data


def test_prometheus_listener_through_the_api(server, api, tcp_member):
    m = tcp_member("echo")
    lb = create_lb(api, name="api-lb")
    vip = lb["vip_address"]
    tcp_port, prom_port = api_free_port(vip), api_free_port(vip)
    l = create_listener(api, lb["id"], port=tcp_port, name="tcp")
    p = create_pool(api, listener_id=l["id"], name="p")
    mem = create_member(api, p["id"], port=m.port, name="echo")
    pl = create_listener(api, lb["id"], port=prom_port, protocol="PROMETHEUS", name="metrics")
    assert pl["protocol"] == "PROMETHEUS" and pl["default_pool_id"] is None
    wait_lb(api, lb["id"])
    # Octavia refuses children and certificates on it (same words)
    no_children = "Protocol PROMETHEUS listeners cannot have child objects."
    r = api.post(POOLS, {"pool": {"listener_id": pl["id"], "protocol": "TCP",
                                  "lb_algorithm": "ROUND_ROBIN"}})
    assert r.status == 400, r
    assert_fault(api.put(f"{LISTENERS}/{pl['id']}", {"listener": {"default_pool_id": p["id"]}}),
                 400, no_children)
    assert_fault(api.post(LISTENERS, {"listener": {
        "loadbalancer_id": lb["id"], "protocol": "PROMETHEUS", "protocol_port": prom_port + 1,
        "default_pool_id": UNKNOWN}}), 400, no_children)
    assert_fault(api.post(L7P, {"l7policy": {"listener_id": pl["id"], "action": "REJECT"}}),
                 400, no_children)
    # Octavia lets a PROMETHEUS listener offload TLS; ballast's provider does not yet: 501
    r = api.put(f"{LISTENERS}/{pl['id']}", {"listener": {"default_tls_container_ref": "x"}})
    assert r.status == 501 and "PROMETHEUS listeners with TLS" in r.fault, r
    wait_lb(api, lb["id"])
    c = socket.create_connection((vip, tcp_port), timeout=5)
    assert c.recv(100) == m.banner
    c.close()

    def scraped():
        conn = http.client.HTTPConnection(vip, prom_port, timeout=5)
        conn.request("GET", "/metrics")
        r = conn.getresponse()
        body = r.read().decode()
        conn.close()
        return Scrape(body)
    wait_until(lambda: scraped().value("octavia_member_sessions_total", member=mem["id"]) >= 1,
               what="the member's sessions in the scrape")
    sc = scraped()
    labels = sc.find("octavia_member_sessions_total", member=mem["id"])[0][0]
    assert labels == {"loadbalancer": lb["id"], "pool": p["id"], "member": mem["id"],
                      "member_name": "echo", "address": "127.0.0.1", "port": str(m.port)}
    assert sc.value("octavia_listener_status", listener=pl["id"], listener_name="metrics",
                    protocol="PROMETHEUS", port=str(prom_port)) == 1
    assert sc.value("octavia_loadbalancer_listeners", loadbalancer_name="api-lb") == 2


def test_reload_turns_a_tcp_listener_into_prometheus(ballastd, tcp_member):
    echo = tcp_member("echo")
    port = free_port()
    cfg = lb_config([listener(port, pool([echo]), name="l1")])
    bd = ballastd(cfg)
    assert banner(port) == echo.name
    cfg["loadbalancer"]["listeners"][0] = listener(port, protocol="PROMETHEUS", name="l1")
    bd.reload(cfg)
    s = scrape(port)  # the same listening socket now answers HTTP itself
    assert s.value("octavia_listener_status", listener_name="l1", protocol="PROMETHEUS") == 1
    cfg["loadbalancer"]["listeners"][0] = listener(port, pool([echo]), name="l1")
    bd.reload(cfg)
    assert banner(port) == echo.name

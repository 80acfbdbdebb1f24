# SPDX-License-Identifier: Apache-2.0
"""
Helpers for the REST API tests (tests/integration/test_api_*.py).

  * ApiBallastd   -- runs `ballastd --api 127.0.0.1:PORT --db DIR/ballast.db`,
                     stops it with SIGTERM (must exit 0), can be SIGKILLed and
                     restarted on the same database, scans its stderr for
                     sanitizer reports
  * Api           -- a tiny JSON client (http.client, one connection per call)
                     returning Resp(status, body, headers, raw)
  * fixtures      -- `server` (a fresh ApiBallastd per test; start-up costs
                     ~15 ms) and `api` (its client). Test modules import
                     server_fixture / api_fixture to make them visible.
  * helpers that create objects and poll them to ACTIVE with a bounded wait,
    like real clients (CLI --wait, tempest) do
  * pipeline()    -- several requests written with a single send() on one
                     keep-alive connection

Standard library only. BALLASTD selects the binary (default
/work/main/build/ballastd); BL_TEST_TIMEOUT_SCALE stretches every wait.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid

import pytest

from conftest import BALLASTD, read_line, recv_exact, scaled, wait_until

LOOPBACK_SUBNET = "a2b1c0d0-0000-4000-8000-000000000002"
LOOPBACK_NETWORK = "a2b1c0d0-0000-4000-8000-000000000001"
API_HOST = "127.0.0.1"
SANITIZER_MARKERS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")
LB = "/v2.0/lbaas/loadbalancers"
LISTENERS = "/v2.0/lbaas/listeners"
POOLS = "/v2.0/lbaas/pools"
HMS = "/v2.0/lbaas/healthmonitors"
L7P = "/v2.0/lbaas/l7policies"
SETTLE = 2.0  # seconds a write may take to become ACTIVE (scaled)


def free_port(host=API_HOST):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((host, 0))
        return s.getsockname()[1]
    finally:
        s.close()


UNKNOWN = "6a1d2c1e-1111-4c1b-9d7e-0d1f4b0e9a11"  # a UUID that names nothing
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


def is_uuid(s):
    return isinstance(s, str) and str(uuid.UUID(s)) == s


def assert_fault(r, status, faultstring):
    """r is an Octavia error: {"faultcode", "faultstring", "debuginfo": null}."""
    assert r.status == status, r
    assert r.body == {"faultcode": "Client" if status < 500 else "Server",
                      "faultstring": faultstring, "debuginfo": None}, r


def members_path(pool_id):
    return f"{POOLS}/{pool_id}/members"


class Resp:
    def __init__(self, status, body, headers, raw):
        self.status = status
        self.body = body
        self.headers = headers
        self.raw = raw

    def __repr__(self):
        return f"<Resp {self.status} {self.raw[:600]!r}>"

    @property
    def fault(self):
        """The faultstring of an Octavia error body."""
        assert isinstance(self.body, dict) and "faultstring" in self.body, self
        return self.body["faultstring"]


def _decode(raw):
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class Api:
    """JSON client for one ballastd API endpoint."""

    def __init__(self, port, host=API_HOST, project=None):
        self.host = host
        self.port = port
        self.project = project

    def request(self, method, path, body=None, raw=None, headers=None, timeout=5.0):
        hdrs = {"Accept": "application/json", "Connection": "close"}
        if self.project:
            hdrs["X-Project-Id"] = self.project
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
        elif body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=scaled(timeout))
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            rawb = r.read()
            return Resp(r.status, _decode(rawb), {k.lower(): v for k, v in r.getheaders()}, rawb)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def answers(self):
        try:
            return self.get("/", timeout=1.0).status == 200
        except OSError:
            return False


class ApiBallastd:
    """ballastd in API mode on its own database."""

    def __init__(self, workdir, workers=2, binary=None, extra_args=(), prefix=(), make_api=Api):
        """prefix: words run before the binary (`ip netns exec NS`); make_api(port)
        builds the client (one that can reach the API from where it listens)."""
        self.workdir = workdir
        self.prefix = list(prefix)
        self.make_api = make_api
        self.extra_args = list(extra_args)
        self.db = os.path.join(workdir, "ballast.db")
        self.workers = workers
        self.binary = binary or BALLASTD
        self.proc = None
        self.running = False  # started by us and not yet stopped / killed
        self.port = None
        self.api = None
        self.runs = 0
        self.logs = []  # one stderr file per run
        self.dirty = []  # problems found at stop (status, sanitizer)

    def log(self, run=-1):
        try:
            with open(self.logs[run], "rb") as f:
                return f.read().decode(errors="replace")
        except (IndexError, FileNotFoundError):
            return ""

    def all_logs(self):
        return "\n".join(self.log(i) for i in range(len(self.logs)))

    def start(self, port=None, timeout=5.0):
        """Starts (or restarts, same db) ballastd; returns once GET / answers."""
        for attempt in range(5):
            self.port = port or free_port()
            self.runs += 1
            path = os.path.join(self.workdir, f"ballastd.{self.runs}.log")
            self.logs.append(path)
            self._logf = open(path, "wb")
            self.proc = subprocess.Popen(
                [*self.prefix, self.binary, "--api", f"{API_HOST}:{self.port}", "--db", self.db,
                 "--workers", str(self.workers), *self.extra_args],
                stdin=subprocess.DEVNULL, stdout=self._logf, stderr=subprocess.STDOUT)
            self.api = self.make_api(self.port)
            self.running = True
            deadline = time.monotonic() + scaled(timeout)
            while True:
                if self.proc.poll() is not None:
                    self.running = False
                    self._logf.close()
                    text = self.log()
                    if port is None and "in use" in text.lower() and attempt < 4:
                        break  # lost a race for the port: try another one
                    raise AssertionError(f"ballastd exited with {self.proc.returncode} at "
                                         f"start:\n{text}")
                if self.api.answers():
                    return self
                if time.monotonic() >= deadline:
                    self.running = False
                    self.proc.kill()
                    self.proc.wait()
                    self._logf.close()
                    raise AssertionError(f"ballastd API not answering after "
                                         f"{scaled(timeout):.1f}s:\n{self.log()}")
                time.sleep(0.005)
        raise AssertionError("could not start ballastd on a free port")

    def sanitizer_report(self):
        text = self.all_logs()
        return [m for m in SANITIZER_MARKERS if m in text]

    def stop(self, timeout=10.0):
        """SIGTERM; returns the exit status (None if not running)."""
        if not self.running:
            return None if self.proc is None else self.proc.returncode
        self.running = False
        died_before = self.proc.poll() is not None
        if not died_before:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=scaled(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self._logf.close()
            raise AssertionError(f"ballastd did not exit within {scaled(timeout):.1f}s of "
                                 f"SIGTERM:\n{self.log()[-4000:]}")
        self._logf.close()
        if died_before:
            self.dirty.append(f"ballastd died during the test (status {rc}):\n{self.log()[-4000:]}")
        elif rc != 0:
            self.dirty.append(f"ballastd exited with {rc} on SIGTERM (expected 0):\n"
                              f"{self.log()[-4000:]}")
        return rc

    def kill9(self):
        """SIGKILL, as a crash would; the database stays as it is."""
        assert self.running and self.proc.poll() is None, \
            f"ballastd is not running (status {self.proc.returncode}):\n{self.log()[-4000:]}"
        self.running = False
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=scaled(5))
        self._logf.close()

    def check(self):
        """Stops the process; returns the list of problems found."""
        problems = []
        try:
            self.stop()
        except AssertionError as e:
            problems.append(str(e))
        problems += self.dirty
        found = self.sanitizer_report()
        if found:
            problems.append(f"ballastd stderr contains {found}:\n{self.all_logs()[-8000:]}")
        return problems


@pytest.fixture(name="server")
def server_fixture(short_tmp):
    """A fresh, started ApiBallastd on a temp db; checked at teardown."""
    b = ApiBallastd(short_tmp)
    b.start()
    yield b
    problems = b.check()
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture(name="api")
def api_fixture(server):
    """The Api client of `server`."""
    return server.api


# ---- waiting ---------------------------------------------------------------------------------


def poll(fn, timeout=SETTLE, interval=0.005, what="condition"):
    """Calls fn() until it returns something truthy (returned); bounded."""
    return wait_until(fn, timeout=timeout, interval=interval, what=what)


def wait_active(api, path, key, timeout=SETTLE):
    """Polls GET path until <key>.provisioning_status is ACTIVE; returns the object."""
    seen = []

    def ok():
        r = api.get(path)
        seen.append(r)
        assert r.status == 200, r
        st = r.body[key]["provisioning_status"]
        assert st != "ERROR", f"{path} went to ERROR: {r}"
        return r.body[key] if st == "ACTIVE" else None

    return poll(ok, timeout, what=lambda: f"{path} ACTIVE (last {seen[-1] if seen else None})")


def wait_gone(api, path, timeout=SETTLE):
    seen = []

    def gone():
        r = api.get(path)
        seen.append(r)
        return r.status == 404

    poll(gone, timeout, what=lambda: f"{path} to be 404 (last {seen[-1]})")
    return seen[-1]


def wait_lb(api, lb_id, timeout=SETTLE):
    return wait_active(api, f"{LB}/{lb_id}", "loadbalancer", timeout)


# ---- creating --------------------------------------------------------------------------------


def create_lb(api, wait=True, **kw):
    body = {"vip_subnet_id": LOOPBACK_SUBNET}
    body.update(kw)
    r = api.post(LB, {"loadbalancer": body})
    assert r.status == 201, r
    lb = r.body["loadbalancer"]
    return wait_lb(api, lb["id"]) if wait else lb


def create_listener(api, lb_id, port=None, protocol="TCP", wait=True, **kw):
    body = {"loadbalancer_id": lb_id, "protocol": protocol,
            "protocol_port": port if port is not None else free_port()}
    body.update(kw)
    r = api.post(LISTENERS, {"listener": body})
    assert r.status == 201, r
    l = r.body["listener"]
    if wait:
        l = wait_active(api, f"{LISTENERS}/{l['id']}", "listener")
        wait_lb(api, lb_id)
    return l


def create_pool(api, lb_id=None, listener_id=None, protocol="TCP", algo="ROUND_ROBIN", wait=True,
                **kw):
    body = {"protocol": protocol, "lb_algorithm": algo}
    if lb_id:
        body["loadbalancer_id"] = lb_id
    if listener_id:
        body["listener_id"] = listener_id
    body.update(kw)
    r = api.post(POOLS, {"pool": body})
    assert r.status == 201, r
    p = r.body["pool"]
    if wait:
        p = wait_active(api, f"{POOLS}/{p['id']}", "pool")
        wait_lb(api, p["loadbalancers"][0]["id"])
    return p


def create_member(api, pool_id, address="127.0.0.1", port=None, wait=True, **kw):
    body = {"address": address, "protocol_port": port if port is not None else free_port()}
    body.update(kw)
    r = api.post(members_path(pool_id), {"member": body})
    assert r.status == 201, r
    m = r.body["member"]
    if wait:
        m = wait_active(api, f"{members_path(pool_id)}/{m['id']}", "member")
        wait_active(api, f"{POOLS}/{pool_id}", "pool")
    return m


def create_hm(api, pool_id, type_="TCP", wait=True, **kw):
    body = {"pool_id": pool_id, "type": type_, "delay": 5, "timeout": 4, "max_retries": 3}
    body.update(kw)
    r = api.post(HMS, {"healthmonitor": body})
    assert r.status == 201, r
    hm = r.body["healthmonitor"]
    if wait:
        hm = wait_active(api, f"{HMS}/{hm['id']}", "healthmonitor")
        wait_active(api, f"{POOLS}/{pool_id}", "pool")
    return hm


def serving(api, member):
    """LB + TCP listener + ROUND_ROBIN default pool + `member` (a stub), all ACTIVE
    and relaying; returns (lb, listener, pool, vip, port)."""
    lb = create_lb(api)
    vip = lb["vip_address"]
    port = free_port(vip)
    l = create_listener(api, lb["id"], port=port)
    p = create_pool(api, listener_id=l["id"])
    create_member(api, p["id"], port=member.port)
    wait_lb(api, lb["id"])
    assert relay(vip, port) == member.name
    return lb, l, p, vip, port


# ---- raw HTTP --------------------------------------------------------------------------------


def _http_request(method, path, body, port, close):
    data = json.dumps(body).encode() if body is not None else b""
    head = (f"{method} {path} HTTP/1.1\r\nHost: {API_HOST}:{port}\r\n"
            f"Accept: application/json\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n")
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + data


def _read_response(f):
    status_line = f.readline()
    if not status_line:
        raise AssertionError("connection closed before a response")
    parts = status_line.decode().split(" ", 2)
    status = int(parts[1])
    headers = {}
    while True:
        line = f.readline().decode()
        if line in ("\r\n", "\n", ""):
            break
        k, v = line.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    raw = f.read(n) if n else b""
    return Resp(status, _decode(raw), headers, raw)


def pipeline(port, reqs, timeout=5.0):
    """Writes every (method, path, body) request with ONE send() on one keep-alive
    connection (the last one says Connection: close) and reads all responses."""
    data = b"".join(_http_request(m, p, b, port, i == len(reqs) - 1)
                    for i, (m, p, b) in enumerate(reqs))
    s = socket.create_connection((API_HOST, port), timeout=scaled(timeout))
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(data)
        f = s.makefile("rb")
        return [_read_response(f) for _ in reqs]
    finally:
        s.close()


# ---- traffic ---------------------------------------------------------------------------------


def relay(vip, port, payload=b"", timeout=3.0):
    """One connection to vip:port: returns the member's banner name (payload, if
    any, is sent and must come back from the echo member), or "refused",
    "reset", "eof", "timeout"."""
    try:
        s = socket.create_connection((vip, port), timeout=scaled(timeout))
    except ConnectionRefusedError:
        return "refused"
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "timeout"
    try:
        line = read_line(s)
        if not line.endswith(b"\n"):
            return "eof" if not line else "partial:" + line.decode()
        if payload:
            s.sendall(payload)
            assert recv_exact(s, len(payload)) == payload
        return line.decode().strip()
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        return "timeout"
    finally:
        s.close()


def alternating(names):
    return all(a != b for a, b in zip(names, names[1:]))

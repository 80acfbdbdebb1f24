# SPDX-License-Identifier: Apache-2.0
"""HTTP test parts: a member that reports what it received, and a raw client.

HttpMember is a small HTTP/1.1 server of our own (not http.server) so that tests
control exactly what goes on the wire: it answers each request with a JSON
report (member name, method, target, headers as received, body, the number of
requests seen on this TCP connection) unless the path asks for something else:

  /status/NNN          answer NNN (with the JSON report as body)
  /chunked/K           the report sent as K chunks
  /close               the report with no Content-Length; the member closes after it
  /slow/MS             wait MS milliseconds first
  /big/N               a body of N bytes ("x" * N)
  /pattern/N           a body of N bytes of pattern_body(N) (order and offsets checkable)
  /short/N/M           announce a body of N bytes, send M of them, then close
  /ws                  with "Upgrade: websocket": 101, then echo bytes until EOF
  /drop                close without answering
  /garbage             answer something that is not HTTP
  /hugeheader          answer a head larger than ballast's limit
  /continue            answer "100 Continue" before reading the body (Expect: 100-continue)

Every loop is bounded: connections time out after 10 s of silence.
"""
import json
import socket
import threading
import time

import pytest

from conftest import VIP, free_port, stub_factory


def _read_head(rf):
    lines = []
    while True:
        line = rf.readline(65536)
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            return lines
        lines.append(line.rstrip(b"\r\n").decode("latin-1"))


def _read_body(rf, headers):
    te = headers.get("transfer-encoding", "")
    if "chunked" in te.lower():
        body = b""
        while True:
            size = int(rf.readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while rf.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass
                return body
            body += rf.read(size)
            rf.readline(16)
    n = int(headers.get("content-length", "0") or 0)
    return rf.read(n) if n else b""


def open_pipes(pid):
    """Pipe ends process `pid` holds open (ballastd: its workers' pools, and pipes in use)."""
    import os
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            n += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("pipe:")
        except OSError:
            pass
    return n


def pattern_body(n):
    """N bytes where every 4-byte word tells its own offset: a byte out of place shows."""
    words = (n + 3) // 4
    return b"".join((i * 4).to_bytes(4, "big") for i in range(words))[:n]


class HttpMember:
    def __init__(self, name=None, port=None, host=VIP, tls=None):
        self.host = host
        self.port = port or free_port()
        self.name = name or f"member-{self.port}"
        self.requests = []          # reports of every request, in order
        self.conns = 0              # TCP connections accepted
        self.live = set()           # sockets of open connections
        self.tls_ctx = None         # with `tls` (a PEM of certificate, chain and key): HTTPS
        if tls:
            import ssl
            self.tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls_ctx.load_cert_chain(tls)
        self.fail_status = None     # answer this status to every request when set
        self.set_cookie = None      # a Set-Cookie value to send with every response
        self.delay_s = 0.0          # wait this long before every response
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, self.port))
        self.sock.listen(128)
        self.sock.settimeout(0.2)
        self.stopping = False
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    def _accept_loop(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            with self.lock:
                self.conns += 1
                self.live.add(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        c.settimeout(10)
        if self.tls_ctx is not None:
            try:
                c = self.tls_ctx.wrap_socket(c, server_side=True)
            except OSError:
                c.close()
                return
        rf = c.makefile("rb")
        seen = 0
        try:
            while not self.stopping:
                head = _read_head(rf)
                if head is None:
                    return
                seen += 1
                if not self._answer(c, rf, head, seen):
                    return
        except (OSError, ValueError):
            pass
        finally:
            with self.lock:
                self.live.discard(c)
            rf.close()
            c.close()

    def _answer(self, c, rf, head, seen):
        method, target, version = head[0].split(" ", 2)
        hdrs = [tuple(x.split(":", 1)) for x in head[1:]]
        hdrs = [(k, v.strip()) for k, v in hdrs]
        low = {k.lower(): v for k, v in hdrs}
        if target == "/continue" and low.get("expect", "").lower() == "100-continue":
            c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = _read_body(rf, low)
        report = {"member": self.name, "method": method, "target": target,
                  "version": version, "headers": hdrs, "body": body.decode("latin-1"),
                  "seen_on_conn": seen}
        with self.lock:
            self.requests.append(report)
        return self._respond(c, rf, target, low, report, version)

    def _respond(self, c, rf, target, low, report, version):
        payload = json.dumps(report).encode()
        status = self.fail_status or 200
        if target.startswith("/status/"):
            status = int(target.split("/")[2])
        if target.startswith("/slow/"):
            time.sleep(int(target.split("/")[2]) / 1000.0)
        if self.delay_s:
            time.sleep(self.delay_s)
        if target == "/drop":
            return False
        if target == "/garbage":
            c.sendall(b"HELLO THERE\r\n\r\n")
            return False
        if target == "/hugeheader":
            c.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * 20000 + b"\r\nContent-Length: 0\r\n\r\n")
            return False
        if target == "/ws" and low.get("upgrade", "").lower() == "websocket":
            c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                      b"Connection: Upgrade\r\n\r\n")
            self._echo(c, rf)
            return False
        if target.startswith("/big/"):
            payload = b"x" * int(target.split("/")[2])
        if target.startswith("/pattern/"):
            payload = pattern_body(int(target.split("/")[2]))
        if target.startswith("/short/"):
            n, m = (int(x) for x in target.split("/")[2:4])
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n + b"y" * m)
            return False
        keep = version == "HTTP/1.1" and low.get("connection", "").lower() != "close"
        if target == "/close":
            c.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + payload)
            return False
        if target.startswith("/chunked/"):
            k = int(target.split("/")[2])
            step = max(1, len(payload) // k)
            parts = [payload[i:i + step] for i in range(0, len(payload), step)]
            out = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
            c.sendall(b"HTTP/1.1 %d X\r\nTransfer-Encoding: chunked\r\n\r\n" % status + out)
            return keep
        extra = b"" if keep else b"Connection: close\r\n"
        if self.set_cookie:
            extra += b"Set-Cookie: %s; Path=/\r\n" % self.set_cookie.encode()
        c.sendall(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\nX-Member: %s\r\n%s\r\n"
                  % (status, len(payload), self.name.encode(), extra) + payload)
        return keep

    def _echo(self, c, rf):
        while True:
            data = rf.read1(65536)
            if not data:
                return
            c.sendall(data)

    def stop(self):
        """Stops listening and cuts every open connection (a member going away)."""
        self.stopping = True
        self.sock.close()
        with self.lock:
            for c in list(self.live):
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self.thread.join(2)


def http_request(port, target="/", method="GET", headers=None, body=None, host=VIP,
                 version="HTTP/1.1", timeout=5.0, sock=None):
    """Sends one request (on `sock`, or a new connection); returns (status, headers, body, sock)."""
    s = sock or socket.create_connection((host, port), timeout=timeout)
    s.settimeout(timeout)
    h = {"Host": f"{host}:{port}"} if version == "HTTP/1.1" else {}
    h.update(headers or {})
    if body is not None and "Content-Length" not in h and "Transfer-Encoding" not in h:
        h["Content-Length"] = str(len(body))
    raw = f"{method} {target} {version}\r\n".encode() + b"".join(
        f"{k}: {v}\r\n".encode() for k, v in h.items()) + b"\r\n" + (body or b"")
    s.sendall(raw)
    status, hdrs, data = read_response(s, head_request=(method == "HEAD"))
    return status, hdrs, data, s


def read_response(s, head_request=False):
    """Reads one response from `s`: (status, {lowercase name: value}, body).

    Reads through a buffered file that is then dropped: use read_response_from()
    with one file when several responses may already be on the way (pipelining)."""
    rf = s.makefile("rb")
    try:
        return read_response_from(rf, head_request)
    finally:
        rf.close()


def read_response_from(rf, head_request=False):
    """Reads one response from the buffered file `rf`."""
    while True:
        line = rf.readline(65536)
        if not line:
            raise ConnectionError("connection closed before a response")
        status = int(line.split(b" ")[1])
        head = _read_head(rf) or []
        hdrs = {}
        for x in head:
            k, v = x.split(":", 1)
            hdrs[k.strip().lower()] = v.strip()
        if 100 <= status < 200 and status != 101:
            continue
        break
    if head_request or status in (101, 204, 304):
        return status, hdrs, b""
    if "chunked" in hdrs.get("transfer-encoding", ""):
        return status, hdrs, _read_body(rf, hdrs)
    if "content-length" in hdrs:
        return status, hdrs, rf.read(int(hdrs["content-length"]))
    return status, hdrs, rf.read()


def get_json(port, target="/", **kw):
    status, hdrs, body, s = http_request(port, target, **kw)
    s.close()
    return status, json.loads(body) if body.startswith(b"{") else body


def http_config(port, members, pool_kw=None, **listener_kw):
    """One HTTP listener on `port` with an HTTP pool of `members` (HttpMember or port)."""
    from conftest import simple_config
    return simple_config(port, members, pool_protocol="HTTP", listener_protocol="HTTP",
                         pool_kw=pool_kw, **listener_kw)


def raw_exchange(port, data, timeout=3.0):
    """Sends raw bytes, returns everything received until the proxy closes (bounded)."""
    s = socket.create_connection((VIP, port), timeout=timeout)
    s.sendall(data)
    out = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out


@pytest.fixture(name="http_member")
def http_member_fixture():
    """Factory: http_member(name=..., tls=...) -> a started HttpMember, stopped at teardown.
    Tests import it (`from httputil import http_member_fixture`); it takes the place of
    conftest's health-check stub of the same name in those modules."""
    yield from stub_factory(HttpMember)

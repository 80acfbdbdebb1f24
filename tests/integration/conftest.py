# SPDX-License-Identifier: Apache-2.0
"""
Shared fixtures and helpers for the ballastd integration suite.

Everything runs on loopback (127.0.0.0/8) with the standard library only:
  * free_port()            -- a port nobody listens on (bind port 0, close)
  * Ballastd               -- writes the JSON config, starts build/ballastd with
                              --workers 2 --admin <dir>/admin.sock, talks to the
                              admin socket, stops it with SIGTERM and checks the
                              exit status and the sanitizer output
  * TcpMember              -- a threaded stub member: greets every connection
                              with b"member-<port>\\n", then echoes / holds /
                              closes / resets / streams, recording what it got
  * UdpMember              -- answers each datagram with b"udp-<port>:" + data
  * connect(), banner(), outcome() -- clients, optionally from 127.0.0.N
  * HttpMember, tls_cert, monitor(), wait_member_status(), wait_log(), Netns
                           -- health checks: HTTP(S)/TLS stubs, status waits,
                              a private network namespace for PING tests

BALLASTD selects the binary (default /work/main/build/ballastd).
BL_TEST_TIMEOUT_SCALE multiplies every wait (default 3 when BALLASTD is in a
directory named *asan*, else 1). BL_TEST_LOG_LEVEL sets --log-level (info).

Tests import the helpers with `from conftest import ...` (pytest puts this
directory on sys.path, there is no __init__.py here).
"""
import errno
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest

BALLASTD = os.environ.get("BALLASTD", "/work/main/build/ballastd")
# Sanitizer builds (build-asan/) are slower: stretch waits unless told otherwise.
SCALE = float(os.environ.get("BL_TEST_TIMEOUT_SCALE", "") or
              (3.0 if "asan" in os.path.dirname(BALLASTD) else 1.0))
LOG_LEVEL = os.environ.get("BL_TEST_LOG_LEVEL", "info")
VIP = "127.0.0.1"
LINGER_RST = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def scaled(seconds):
    """A wait, stretched for slow (sanitizer) builds."""
    return seconds * SCALE


def wait_until(pred, timeout=3.0, interval=0.01, what="condition"):
    """Polls pred() until it returns something truthy (returned); bounded in time."""
    deadline = time.monotonic() + scaled(timeout)
    last = None
    while True:
        last = pred()
        if last:
            return last
        if time.monotonic() >= deadline:
            detail = what() if callable(what) else what
            raise AssertionError(f"timed out after {scaled(timeout):.1f}s waiting for {detail}")
        time.sleep(interval)


def free_port(udp=False):
    """A loopback port that is free right now (the kernel picks it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
    try:
        s.bind((VIP, 0))
        return s.getsockname()[1]
    finally:
        s.close()


def free_port_both():
    """A port free for TCP and UDP at once (for listeners of both kinds)."""
    for _ in range(50):
        p = free_port()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind((VIP, p))
            return p
        except OSError:
            continue
        finally:
            u.close()
    raise AssertionError("no port free for both TCP and UDP")


# ---- configuration builders -------------------------------------------------------------


def member(port, address=None, **kw):
    """An Octavia member; `port` may be an int or a TcpMember/UdpMember."""
    d = {"address": address or getattr(port, "host", VIP),
         "protocol_port": getattr(port, "port", port)}
    d.update(kw)
    return d


def pool(members, protocol="TCP", algo="ROUND_ROBIN", name="p1", **kw):
    d = {"name": name, "protocol": protocol, "lb_algorithm": algo,
         "members": [m if isinstance(m, dict) else member(m) for m in members]}
    d.update(kw)
    return d


def listener(port, default_pool=None, protocol="TCP", name="l1", **kw):
    d = {"name": name, "protocol": protocol, "protocol_port": port,
         "connection_limit": -1, "timeout_client_data": 50000,
         "timeout_member_connect": 5000, "timeout_member_data": 50000,
         "admin_state_up": True}
    if default_pool is not None:
        d["default_pool"] = default_pool
    d.update(kw)
    return d


def lb_config(listeners, pools=None, vip=VIP, name="lb", **kw):
    lb = {"name": name, "vip_address": vip, "listeners": list(listeners)}
    if pools is not None:
        lb["pools"] = pools
    lb.update(kw)
    return {"loadbalancer": lb}


def simple_config(port, members, algo="ROUND_ROBIN", pool_protocol="TCP",
                  listener_protocol="TCP", pool_kw=None, **listener_kw):
    """One listener on `port` whose default pool holds `members`."""
    p = pool(members, protocol=pool_protocol, algo=algo, **(pool_kw or {}))
    return lb_config([listener(port, p, protocol=listener_protocol, **listener_kw)])


# ---- ballastd -----------------------------------------------------------------------------


def admin_request(path, line, timeout=5.0):
    """Sends one command line to the admin socket; returns the decoded JSON answer."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(scaled(timeout))
    try:
        s.connect(path)
        s.sendall(line.encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    if not buf:
        raise ConnectionError(f"admin socket {path}: empty answer to {line!r}")
    return json.loads(buf)


class Ballastd:
    """One ballastd process on a config file of its own."""

    def __init__(self, workdir, config, workers=2, log_level=LOG_LEVEL, extra_args=(),
                 nofile=None, argv_prefix=()):
        self.workdir = workdir
        self.config_path = os.path.join(workdir, "lb.json")
        self.admin_path = os.path.join(workdir, "admin.sock")
        self.log_path = os.path.join(workdir, "ballastd.log")
        self.workers = workers
        self.log_level = log_level
        self.extra_args = list(extra_args)
        self.nofile = nofile  # RLIMIT_NOFILE for the process, None = inherited
        self.argv_prefix = list(argv_prefix)  # e.g. Netns.enter(): run it in a namespace
        self.proc = None
        self.stopped = False
        self.write_config(config)

    # -- files and process
    def write_config(self, config):
        text = config if isinstance(config, str) else json.dumps(config, indent=1)
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    def argv(self):
        return self.argv_prefix + [BALLASTD, "--config", self.config_path, "--workers",
                                   str(self.workers), "--admin", self.admin_path,
                                   "--log-level", self.log_level] + self.extra_args

    def spawn(self):
        self._logf = open(self.log_path, "wb")
        preexec = None
        if self.nofile is not None:
            import resource
            n = self.nofile
            preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))  # noqa: E731
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL,
                                     stdout=self._logf, stderr=subprocess.STDOUT,
                                     preexec_fn=preexec)
        return self

    def cpu_seconds(self):
        """user + system CPU time used so far (from /proc)."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def start(self, timeout=5.0):
        self.spawn()
        deadline = time.monotonic() + scaled(timeout)
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"ballastd exited with {self.proc.returncode} at start:\n"
                                     f"{self.log()}")
            try:
                st = self.stats(timeout=1.0)
                if st.get("workers_generation") == st.get("generation"):
                    return self
            except (OSError, ValueError):
                pass
            if time.monotonic() >= deadline:
                raise AssertionError(f"ballastd admin socket not answering after "
                                     f"{scaled(timeout):.1f}s:\n{self.log()}")
            time.sleep(0.01)

    def wait_exit(self, timeout=5.0):
        """For processes expected to exit by themselves (start-up errors)."""
        try:
            return self.proc.wait(timeout=scaled(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"ballastd still running after {scaled(timeout):.1f}s:\n"
                                 f"{self.log()}")
        finally:
            self.stopped = True
            self._logf.close()

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def log_lines(self, level=None):
        lines = [l for l in self.log().splitlines() if l.strip()]
        if level is None:
            return lines
        return [l for l in lines if f"Z {level} " in l]

    # -- admin socket
    def stats(self, timeout=5.0):
        return admin_request(self.admin_path, "stats", timeout)

    def admin(self, line):
        return admin_request(self.admin_path, line)

    def wait_workers(self, timeout=5.0):
        """Waits until every worker runs the latest generation; returns those stats."""
        return wait_until(lambda: (lambda s: s if s["workers_generation"] == s["generation"]
                                   else None)(self.stats()), timeout,
                          what="workers_generation == generation")

    def reload(self, config=None, wait=True):
        """Writes `config` (if given), sends `reload`, returns the answer; waits for workers."""
        if config is not None:
            self.write_config(config)
        ans = self.admin("reload")
        if wait and ans.get("ok"):
            self.wait_workers()
        return ans

    def sighup_and_wait(self, config=None, timeout=5.0):
        """Writes `config`, sends SIGHUP, waits until the reload is done or rejected.
        Returns the stats after it."""
        if config is not None:
            self.write_config(config)
        before = self.stats()
        self.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: (lambda s: s["generation"] > before["generation"] or
                            s["reload_failures"] > before["reload_failures"])(self.stats()),
                   timeout, what="SIGHUP reload to be applied or rejected")
        return self.wait_workers()

    # -- stats helpers
    def listener_stats(self, name="l1"):
        for l in self.stats()["listeners"]:
            if l["name"] == name:
                return l
        raise AssertionError(f"no listener {name!r} in stats")

    def member_stats(self, port, pool_name=None):
        for p in self.stats()["pools"]:
            if pool_name is not None and p["name"] != pool_name:
                continue
            for m in p["members"]:
                if m["protocol_port"] == getattr(port, "port", port):
                    return m
        raise AssertionError(f"no member with port {port} in stats")

    # -- shutdown
    def sanitizer_report(self):
        text = self.log()
        return [m for m in SANITIZER_MARKERS if m in text]

    def stop(self, timeout=10.0):
        """SIGTERM; returns the exit status."""
        if self.stopped or self.proc is None:
            return self.proc.returncode if self.proc else None
        self.stopped = True
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=scaled(timeout))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"ballastd did not exit within {scaled(timeout):.1f}s of "
                                 f"SIGTERM:\n{self.log()[-4000:]}")
        finally:
            self._logf.close()
        return rc


@pytest.fixture
def short_tmp():
    """A short directory (UNIX socket paths are limited to 107 bytes)."""
    d = tempfile.mkdtemp(prefix="bl-", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def ballastd(short_tmp):
    """Factory: ballastd(config, workers=2, start=True, spawn=True, **Ballastd kw).

    start=True: spawned and waited for (admin socket answers); start=False: only
    spawned (for start-up failures); spawn=False as well: not even spawned.

    At teardown every instance still running gets SIGTERM and must exit 0, and
    no instance may have printed a sanitizer report."""
    made = []
    counter = [0]

    def make(config, workers=2, start=True, spawn=True, **kw):
        counter[0] += 1
        wd = os.path.join(short_tmp, str(counter[0]))
        os.mkdir(wd)
        b = Ballastd(wd, config, workers=workers, **kw)
        made.append(b)
        if start:
            b.start()
        elif spawn:
            b.spawn()
        return b

    yield make
    problems = []
    for b in made:
        if b.proc is None:
            continue
        was_running = not b.stopped
        died_before = was_running and b.proc.poll() is not None
        try:
            rc = b.stop()
        except AssertionError as e:
            problems.append(str(e))
            continue
        if died_before:
            problems.append(f"ballastd had already died during the test (status {rc}):\n"
                            f"{b.log()[-4000:]}")
        elif was_running and rc != 0:
            problems.append(f"ballastd exited with {rc} on SIGTERM (expected 0):\n"
                            f"{b.log()[-4000:]}")
        found = b.sanitizer_report()
        if found:
            problems.append(f"ballastd stderr contains {found}:\n{b.log()[-8000:]}")
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


# ---- stub members ----------------------------------------------------------------------------


class Conn:
    """One connection accepted by a TcpMember."""

    def __init__(self, sock, peer):
        self.sock = sock
        self.peer = peer
        self.received = bytearray()
        self.closed = threading.Event()
        self.reset = False  # the peer reset the connection
        self.lock = threading.Lock()

    def data(self):
        with self.lock:
            return bytes(self.received)

    def wait_received(self, n, timeout=3.0):
        wait_until(lambda: len(self.received) >= n, timeout,
                   what=lambda: f"{n} bytes at the member (have {len(self.received)})")
        return self.data()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class TcpMember:
    """A stub TCP member on 127.0.0.1.

    Every accepted connection first gets the banner b"member-<port>\\n" (unless
    banner=False), then, by mode:
      echo          echo everything back until EOF, then close
      hold          read (and record) without answering until EOF or stop
      stall         never read at all (backpressure towards the client)
      close         close right after the banner
      rst           reset the connection once the first bytes arrive
                    (immediately when rst_at_once=True)
      source        send `payload`, then close
      reply_on_eof  read until EOF, then send reply(data) and close
    Everything received is recorded per connection (Conn.received).
    """

    def __init__(self, mode="echo", port=None, banner=True, name=None, payload=b"",
                 reply=None, rst_at_once=False, backlog=128, host=VIP):
        self.mode = mode
        self.host = host
        self.payload = payload
        self.reply = reply or (lambda data: b"answer:" + data)
        self.rst_at_once = rst_at_once
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port or 0))
        self.sock.listen(backlog)
        self.port = self.sock.getsockname()[1]
        self.name = name or f"member-{self.port}"
        self.banner = (self.name + "\n").encode() if banner else b""
        self.conns = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        t = threading.Thread(target=self._accept_loop, daemon=True, name=f"accept-{self.port}")
        t.start()
        self.threads.append(t)

    def __repr__(self):
        return f"<TcpMember {self.name} {self.mode}>"

    @property
    def accepted(self):
        with self.lock:
            return len(self.conns)

    @property
    def open_conns(self):
        with self.lock:
            return [c for c in self.conns if not c.closed.is_set()]

    def _accept_loop(self):
        self.sock.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                c, peer = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            c.settimeout(scaled(10))
            conn = Conn(c, peer)
            with self.lock:
                self.conns.append(conn)
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            t.start()
            self.threads.append(t)

    def _recv(self, conn):
        """One recv; returns bytes, b"" on EOF, None on stop/reset."""
        while not self.stopping.is_set():
            try:
                r, _, _ = select.select([conn.sock], [], [], 0.05)
            except (OSError, ValueError):
                return None
            if not r:
                continue
            try:
                data = conn.sock.recv(65536)
            except ConnectionResetError:
                conn.reset = True
                return None
            except OSError:
                return None
            if data:
                with conn.lock:
                    conn.received += data
            return data
        return None

    def _serve(self, conn):
        s = conn.sock
        try:
            if self.banner:
                s.sendall(self.banner)
            if self.mode == "close":
                s.shutdown(socket.SHUT_WR)
                return
            if self.mode == "source":
                s.sendall(self.payload)
                s.shutdown(socket.SHUT_WR)
                # wait for the client's FIN so that close() does not reset
                while self._recv(conn):
                    pass
                return
            if self.mode == "stall":  # never read: the client's bytes back up
                self.stopping.wait()
                return
            if self.mode == "rst":
                if not self.rst_at_once:
                    self._recv(conn)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)
                return
            if self.mode == "reply_on_eof":
                while True:
                    d = self._recv(conn)
                    if not d:
                        break
                if d == b"":
                    s.sendall(self.reply(conn.data()))
                    s.shutdown(socket.SHUT_WR)
                return
            while True:  # echo / hold
                d = self._recv(conn)
                if not d:
                    break
                if self.mode == "echo":
                    s.sendall(d)
        except OSError as e:
            if e.errno == errno.ECONNRESET:
                conn.reset = True
        finally:
            conn.closed.set()
            conn.close()

    def close_all(self):
        for c in list(self.conns):
            try:
                c.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self):
        self.stopping.set()
        try:
            self.sock.close()
        except OSError:
            pass
        for t in self.threads:
            t.join(timeout=2)
        for c in self.conns:
            c.close()


class UdpMember:
    """Answers every datagram with b"udp-<port>:" + data; records the senders."""

    def __init__(self, port=None, silent=False):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((VIP, port or 0))
        self.port = self.sock.getsockname()[1]
        self.name = f"udp-{self.port}"
        self.silent = silent
        self.peers = []
        self.received = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        self.sock.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                data, peer = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            with self.lock:
                self.peers.append(peer)
                self.received.append(data)
            if not self.silent:
                try:
                    self.sock.sendto(self.name.encode() + b":" + data, peer)
                except OSError:
                    pass

    def stop(self):
        self.stopping.set()
        self.thread.join(timeout=2)
        self.sock.close()


def stub_factory(cls):
    """The body of the stub fixtures: yields make(*args, **kw) -> a started `cls`,
    and stops every stub it made at teardown. Use as `yield from stub_factory(C)`."""
    made = []

    def make(*args, **kw):
        m = cls(*args, **kw)
        made.append(m)
        return m

    yield make
    for m in made:
        m.stop()


@pytest.fixture
def tcp_member():
    """Factory: tcp_member(mode="echo", ...) -> a running TcpMember, stopped at teardown."""
    yield from stub_factory(TcpMember)


@pytest.fixture
def udp_member():
    yield from stub_factory(UdpMember)


# ---- clients ------------------------------------------------------------------------------------


def connect(port, src=VIP, timeout=3.0, host=VIP, src_port=0):
    """A TCP client connected to host:port from (src, src_port)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(scaled(timeout))
    try:
        if src_port:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((src, src_port))
        s.connect((host, port))
    except BaseException:
        s.close()
        raise
    return s


def read_line(s, limit=4096):
    """Reads up to and including b"\\n" (or EOF). Exceptions propagate."""
    buf = b""
    while not buf.endswith(b"\n") and len(buf) < limit:
        chunk = s.recv(1)
        if not chunk:
            break
        buf += chunk
    return buf


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(min(65536, n - len(buf)))
        if not chunk:
            raise AssertionError(f"EOF after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def outcome(s, timeout=3.0):
    """What the client sees next: ("data", bytes) | ("eof", b"") | ("reset", b"") | ("timeout", b"")."""
    s.settimeout(scaled(timeout))
    try:
        d = s.recv(65536)
    except ConnectionResetError:
        return ("reset", b"")
    except socket.timeout:
        return ("timeout", b"")
    return ("data", d) if d else ("eof", b"")


def banner(port, src=VIP, timeout=3.0, keep=False):
    """Connects, returns the member name from its banner, or one of
    "refused", "reset", "eof", "timeout" when no banner arrives.
    With keep=True returns (name, socket) and leaves the socket open."""
    try:
        s = connect(port, src=src, timeout=timeout)
    except ConnectionRefusedError:
        return ("refused", None) if keep else "refused"
    except ConnectionResetError:  # the reset can beat connect() back to the caller
        return ("reset", None) if keep else "reset"
    except socket.timeout:
        return ("timeout", None) if keep else "timeout"
    try:
        line = read_line(s)
        name = line.decode().strip() if line.endswith(b"\n") else ("eof" if not line else
                                                                   "partial:" + line.decode())
    except ConnectionResetError:
        name = "reset"
    except socket.timeout:
        name = "timeout"
    if keep:
        return name, s
    s.close()
    return name


def echo_ok(s, payload=b"ping\n"):
    """True if `payload` comes back on s (an open echo connection, banner already read)."""
    try:
        s.sendall(payload)
        return recv_exact(s, len(payload)) == payload
    except (OSError, AssertionError):
        return False


def set_rst_on_close(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_RST)


# ---- health checks: HTTP(S)/TLS stub members, status helpers, a private netns ---------------


class HttpMember:
    """A stub HTTP/1.x member on 127.0.0.1 for health monitors (HTTP, HTTPS, TLS-HELLO).

    Every request is answered with `status` (changeable at any time) and the
    body b"member-<port>\\n", then the connection is closed. With `tls` (a
    (certfile, keyfile) pair) it speaks TLS; setting `tls_ok = False` makes it
    answer a TLS ClientHello with plain text, so the handshake fails while TCP
    connects still succeed. Every request head is recorded in `requests`
    (request line, headers dict)."""

    def __init__(self, status=200, port=None, tls=None):
        self.status = status
        self.tls_ok = True
        self.requests = []
        self.lock = threading.Lock()
        self.ctx = None
        if tls is not None:
            import ssl
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(*tls)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((VIP, port or 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.name = f"member-{self.port}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()

    @property
    def count(self):
        with self.lock:
            return len(self.requests)

    def _accept_loop(self):
        self.sock.settimeout(0.05)
        while not self.stopping.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        c.settimeout(scaled(5))
        try:
            if self.ctx is not None:
                if not self.tls_ok:
                    c.sendall(b"this is not TLS\r\n")
                    return
                c = self.ctx.wrap_socket(c, server_side=True)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = c.recv(4096)
                if not chunk:
                    return
                head += chunk
            lines = head.split(b"\r\n\r\n")[0].decode(errors="replace").split("\r\n")
            headers = {k.strip().lower(): v.strip()
                       for k, _, v in (l.partition(":") for l in lines[1:])}
            with self.lock:
                self.requests.append((lines[0], headers))
            body = (self.name + "\n").encode()
            c.sendall(f"HTTP/1.1 {self.status} Stub\r\nContent-Length: {len(body)}\r\n"
                      f"Connection: close\r\n\r\n".encode() + body)
        except OSError:
            pass  # health probes reset the connection once they have the status line
        finally:
            try:
                c.close()
            except OSError:
                pass

    def stop(self):
        self.stopping.set()
        try:
            self.sock.close()
        except OSError:
            pass
        self.thread.join(timeout=2)


@pytest.fixture
def http_member():
    """Factory: http_member(status=200, port=None, tls=None) -> a running HttpMember."""
    yield from stub_factory(HttpMember)


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 / localhost: (certfile, keyfile)."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                    "-subj", "/CN=localhost", "-days", "2"], check=True, capture_output=True)
    return cert, key


def monitor(type_, delay=1, timeout=1, rise=1, fall=1, **kw):
    """An Octavia health monitor; rise = max_retries, fall = max_retries_down."""
    d = {"type": type_, "delay": delay, "timeout": timeout, "max_retries": rise,
         "max_retries_down": fall}
    d.update(kw)
    return d


def member_status(b, port, pool_name=None):
    """(operating_status, status_reason) of the member on `port` in admin stats."""
    m = b.member_stats(port, pool_name)
    return m["operating_status"], m.get("status_reason", "")


def wait_member_status(b, port, status, timeout=6.0, pool_name=None):
    """Waits until the member on `port` shows `status`; returns its stats."""
    last = {}

    def check():
        m = b.member_stats(port, pool_name)
        last["m"] = m
        return m if m["operating_status"] == status else None

    return wait_until(check, timeout, interval=0.05,
                      what=lambda: f"member :{getattr(port, 'port', port)} to be {status} "
                                   f"(last: {last.get('m')})")


def pool_stats(b, name="p1"):
    for p in b.stats()["pools"]:
        if p["name"] == name:
            return p
    raise AssertionError(f"no pool {name!r} in stats")


def wait_log(b, text, timeout=5.0):
    """Waits until ballastd's log holds `text`; returns the first line with it."""
    def find():
        for line in b.log().splitlines():
            if text in line:
                return line
        return None
    return wait_until(find, timeout, interval=0.05, what=lambda: f"log line with {text!r}")


class Netns:
    """A private network namespace whose loopback is up, for tests that change
    how loopback behaves (ICMP echo answers, ping_group_range) without touching
    the host's. A holder process keeps it alive; enter() is the argv prefix
    that runs a program inside it (nsenter execs, so the PID is the program's).
    Needs CAP_SYS_ADMIN (the suite runs as root)."""

    def __init__(self):
        self.holder = subprocess.Popen(
            ["unshare", "--net", "sh", "-c", "ip link set lo up && echo ready && exec sleep 600"],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
        line = self.holder.stdout.readline()
        if line.strip() != b"ready":
            self.stop()
            raise AssertionError("cannot create a network namespace (unshare --net)")
        self.pid = self.holder.pid

    def enter(self):
        return ["nsenter", "-t", str(self.pid), "-n", "--"]

    def sysctl(self, name, value):
        subprocess.run(self.enter() + ["sysctl", "-qw", f"{name}={value}"], check=True)

    def stop(self):
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait()


@pytest.fixture
def netns():
    ns = Netns()
    yield ns
    ns.stop()

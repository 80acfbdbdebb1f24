#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Failover timing: ballast and HAProxy, same members, same check settings.

For each load balancer and scenario, two stub HTTP members run behind it while
a bounded client load (LOAD_THREADS threads, one request per connection, each
at most one every LOAD_GAP_S) goes through it. Then member m1 is
  kill    killed with SIGKILL (its port refuses connections), later restarted;
  freeze  stopped with SIGSTOP (the kernel still accepts connections, nothing
          answers, so checks time out), later resumed with SIGCONT.
The admin socket (ballast) or stats socket (HAProxy) is polled every POLL_S to
time the mark-down after the kill and the mark-up after the restart. Client
requests that fail (refused, reset, no answer within CLIENT_TIMEOUT_S) are
counted between the kill and the mark-down.

Equivalent settings: Octavia's monitor {delay, timeout, max_retries,
max_retries_down} is what Octavia's amphora writes for HAProxy as
`check inter <delay>s rise <max_retries> fall <max_retries_down>` and
`timeout check <timeout>s`, with `retries 3` and `option redispatch`.

Loopback only; every process started here is stopped by its PID.
"""
import argparse
import json
import os
import signal
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

VIP = "127.0.0.1"
POLL_S = 0.01
LOAD_THREADS = 8
LOAD_GAP_S = 0.01
CLIENT_TIMEOUT_S = 2.0


def free_port():
    s = socket.socket()
    s.bind((VIP, 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- the stub member (run as: failover.py member PORT) ------------------------------------


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(5)
        try:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = self.request.recv(4096)
                if not chunk:
                    return
                head += chunk
            body = f"member-{self.server.server_address[1]}\n".encode()
            self.request.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
                                 + body)
        except OSError:
            pass


def run_member(port):
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer.daemon_threads = True
    srv = socketserver.ThreadingTCPServer((VIP, port), Handler)
    print("ready", flush=True)
    srv.serve_forever()


def start_member(port):
    p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "member", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    if p.stdout.readline().strip() != b"ready":
        raise RuntimeError(f"member on {port} did not start")
    return p


def stop(p):
    if p is None or p.poll() is not None:
        return
    try:
        os.kill(p.pid, signal.SIGCONT)
    except OSError:
        pass
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


# ---- the load balancers --------------------------------------------------------------------


def unix_request(path, line):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(2)
    s.connect(path)
    s.sendall(line.encode() + b"\n")
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        if line == "stats" and buf.endswith(b"\n"):
            break
    s.close()
    return buf.decode()


class Ballast:
    name = "ballast"

    def __init__(self, binary, workdir, port, members, hm):
        self.admin = os.path.join(workdir, "ballast-admin.sock")
        cfg = {"loadbalancer": {"name": "lb", "vip_address": VIP, "listeners": [{
            "name": "l1", "protocol": "TCP", "protocol_port": port, "default_pool": {
                "name": "p1", "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN",
                "healthmonitor": {"type": "HTTP", "url_path": "/", **hm},
                "members": [{"address": VIP, "protocol_port": m} for m in members]}}]}}
        path = os.path.join(workdir, "ballast.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        self.log = open(os.path.join(workdir, "ballast.log"), "ab")
        self.proc = subprocess.Popen([binary, "--config", path, "--workers", "2", "--admin",
                                      self.admin], stdout=self.log, stderr=subprocess.STDOUT)

    def status(self, port):
        """'up' / 'down' / None (not answering yet)."""
        try:
            st = json.loads(unix_request(self.admin, "stats"))
        except (OSError, ValueError):
            return None
        for m in st["pools"][0]["members"]:
            if m["protocol_port"] == port:
                return "up" if m["operating_status"] == "ONLINE" else "down"
        return None

    def stop(self):
        stop(self.proc)
        self.log.close()


class Haproxy:
    name = "haproxy"

    def __init__(self, binary, workdir, port, members, hm):
        self.sock = os.path.join(workdir, "haproxy.sock")
        servers = "\n".join(
            f"  server m{i + 1} {VIP}:{m} check inter {hm['delay']}s rise {hm['max_retries']} "
            f"fall {hm['max_retries_down']}" for i, m in enumerate(members))
        self.ports = {m: f"m{i + 1}" for i, m in enumerate(members)}
        cfg = f"""global
  maxconn 4000
  stats socket {self.sock} mode 600 level admin
defaults
  mode tcp
  timeout connect 5s
  timeout client 50s
  timeout server 50s
  timeout check {hm['timeout']}s
  retries 3
  option redispatch
frontend f
  bind {VIP}:{port}
  default_backend b
backend b
  balance roundrobin
  option httpchk GET /
  http-check expect rstatus 200
{servers}
"""
        path = os.path.join(workdir, "haproxy.cfg")
        with open(path, "w") as f:
            f.write(cfg)
        self.log = open(os.path.join(workdir, "haproxy.log"), "ab")
        self.proc = subprocess.Popen([binary, "-db", "-f", path], stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def status(self, port):
        try:
            csv = unix_request(self.sock, "show stat")
        except OSError:
            return None
        lines = csv.splitlines()
        if not lines:
            return None
        cols = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            row = dict(zip(cols, line.split(",")))
            if row.get("pxname") == "b" and row.get("svname") == self.ports[port]:
                return "up" if row["status"].startswith("UP") else "down"
        return None

    def stop(self):
        stop(self.proc)
        self.log.close()


# ---- the load ---------------------------------------------------------------------------------


class Load:
    """Bounded client load: LOAD_THREADS threads, one request per connection."""

    def __init__(self, port):
        self.port = port
        self.results = []  # (t_start, t_end, ok, member)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, daemon=True)
                        for _ in range(LOAD_THREADS)]
        for t in self.threads:
            t.start()

    def one(self):
        t0 = time.monotonic()
        try:
            s = socket.create_connection((VIP, self.port), timeout=CLIENT_TIMEOUT_S)
            try:
                s.sendall(b"GET / HTTP/1.0\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            finally:
                s.close()
            ok = data.startswith(b"HTTP/1.0 200")
            who = data.rsplit(b"\n", 2)[-2].decode() if ok else ""
        except OSError:
            ok, who = False, ""
        with self.lock:
            self.results.append((t0, time.monotonic(), ok, who))

    def run(self):
        while not self.stopping.is_set():
            self.one()
            time.sleep(LOAD_GAP_S)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(CLIENT_TIMEOUT_S + 1)


# ---- one run ------------------------------------------------------------------------------------


def wait_status(lb, port, want, limit_s):
    """Polls until the member's status is `want`; returns when (monotonic), or None."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if lb.status(port) == want:
            return time.monotonic()
        time.sleep(POLL_S)
    return None


def one_run(kind, scenario, args, hm, workdir):
    p1, p2, lbport = free_port(), free_port(), free_port()
    m1, m2 = start_member(p1), start_member(p2)
    cls = Ballast if kind == "ballast" else Haproxy
    binary = args.ballastd if kind == "ballast" else args.haproxy
    lb = cls(binary, workdir, lbport, [p1, p2], hm)
    bound_down = hm["delay"] * hm["max_retries_down"] + hm["timeout"]
    load = None
    try:
        if wait_status(lb, p1, "up", 10) is None or wait_status(lb, p2, "up", 10) is None:
            raise RuntimeError(f"{kind}: members never came up")
        load = Load(lbport)
        time.sleep(args.warmup)
        t_kill = time.monotonic()
        if scenario == "kill":
            m1.kill()
            m1.wait()
        else:
            os.kill(m1.pid, signal.SIGSTOP)
        t_down = wait_status(lb, p1, "down", 3 * bound_down + 5)
        time.sleep(1.0)
        if scenario == "kill":
            m1 = start_member(p1)
        else:
            os.kill(m1.pid, signal.SIGCONT)
        t_back = time.monotonic()
        t_up = wait_status(lb, p1, "up", 3 * hm["delay"] * hm["max_retries"] + 5)
        time.sleep(1.0)
        load.stop()
        end = t_down if t_down is not None else time.monotonic()
        window = [r for r in load.results if t_kill <= r[0] < end]
        failed = [r for r in window if not r[2]]
        to_m1_after = [r for r in load.results
                       if t_down and t_down + 0.05 < r[0] < t_back and r[3] == f"member-{p1}"]
        return {
            "lb": kind, "scenario": scenario,
            "down_s": None if t_down is None else round(t_down - t_kill, 3),
            "up_s": None if t_up is None else round(t_up - t_back, 3),
            "requests": len(load.results), "in_window": len(window), "failed": len(failed),
            "failed_total": sum(1 for r in load.results if not r[2]),
            "to_m1_while_down": len(to_m1_after), "bound_down_s": bound_down,
            "bound_up_s": hm["delay"] * hm["max_retries"],
        }
    finally:
        if load is not None:
            load.stop()
        lb.stop()
        stop(m1)
        stop(m2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballastd", required=True)
    ap.add_argument("--haproxy", default="haproxy")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--delay", type=int, default=1)
    ap.add_argument("--timeout", type=int, default=1)
    ap.add_argument("--rise", type=int, default=2)
    ap.add_argument("--fall", type=int, default=3)
    ap.add_argument("--warmup", type=float, default=2.0)
    ap.add_argument("--scenarios", default="kill,freeze")
    ap.add_argument("--lbs", default="ballast,haproxy")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    hm = {"delay": args.delay, "timeout": args.timeout, "max_retries": args.rise,
          "max_retries_down": args.fall}
    os.makedirs(args.out, exist_ok=True)
    runs = []
    with tempfile.TemporaryDirectory(prefix="bl-failover-") as workdir:
        for scenario in args.scenarios.split(","):
            for i in range(args.repeat):
                for kind in args.lbs.split(","):
                    r = one_run(kind, scenario, args, hm, workdir)
                    r["run"] = i + 1
                    runs.append(r)
                    print(json.dumps(r), flush=True)
        for name in ("ballast.log", "haproxy.log"):
            src = os.path.join(workdir, name)
            if os.path.exists(src):
                with open(src, "rb") as f, open(os.path.join(args.out, name), "wb") as g:
                    g.write(f.read())
    with open(os.path.join(args.out, "runs.jsonl"), "w") as f:
        for r in runs:
            f.write(json.dumps(r) + "\n")
    summary = summarize(runs, hm)
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write(summary)
    print(summary)


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summarize(runs, hm):
    out = [f"monitor HTTP: delay {hm['delay']} s, timeout {hm['timeout']} s, max_retries (rise) "
           f"{hm['max_retries']}, max_retries_down (fall) {hm['max_retries_down']}; bound "
           f"for mark-down = delay x fall + timeout = "
           f"{hm['delay'] * hm['max_retries_down'] + hm['timeout']} s, for mark-up = delay x "
           f"rise = {hm['delay'] * hm['max_retries']} s", "",
           "| scenario | LB | runs | kill -> mark-down (s): median [min-max] | failed requests "
           "kill -> mark-down (median [min-max]) | restart -> mark-up (s): median [min-max] | "
           "requests to the member while marked down |",
           "|---|---|---|---|---|---|---|"]
    keys = sorted({(r["scenario"], r["lb"]) for r in runs}, key=lambda k: (k[0] != "kill", k))
    for scen, lb in keys:
        rs = [r for r in runs if r["scenario"] == scen and r["lb"] == lb]
        def span(field):
            vals = [r[field] for r in rs if r[field] is not None]
            if not vals:
                return "n/a"
            return f"{med(vals):g} [{min(vals):g}-{max(vals):g}]"
        out.append(f"| {scen} | {lb} | {len(rs)} | {span('down_s')} | {span('failed')} | "
                   f"{span('up_s')} | {sum(r['to_m1_while_down'] for r in rs)} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "member":
        run_member(int(sys.argv[2]))
    else:
        main()

#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""bench/api/driver.py: the control-plane benchmark behind bench/api.sh.

Drives ballastd's Octavia v2 API over one keep-alive HTTP/1.1 connection (a minimal client,
so requests can also be pipelined) and measures, on 127.0.0.1 only:

  1. provisioning latency: POST load balancer -> first byte relayed through the new VIP
     (LB, listener, pool, 2 members, each step waiting for ACTIVE as a client does);
  2. API write throughput: member creates per second, one pool sequentially, and across
     many load balancers pipelined (one write per LB, then wait for all to be ACTIVE);
  3. scale: a node with LBS load balancers x MEMBERS members, then the time to apply one
     member change (POST -> ACTIVE seen by polling), plus the provisioning latency there;
     optionally with uprobes on the agent's stages (perf probe) and a perf profile.

Every ballastd started here runs on a fresh SQLite file and is stopped by its PID. Every
wait is bounded. Results: OUTDIR/results.json, OUTDIR/table.md, logs in OUTDIR.
"""
import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

SUBNET = "a2b1c0d0-0000-4000-8000-000000000002"  # the built-in loopback subnet, 127.100.0.0/16
API = "/v2.0/lbaas"
now = time.perf_counter


def log(*a):
    print("[api-bench %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


class Fail(Exception):
    pass


# ---------------------------------------------------------------------------- HTTP client

class Conn:
    """HTTP/1.1 keep-alive client; responses are framed by Content-Length (204 has none)."""

    def __init__(self, port, timeout=60.0):
        self.port = port
        self.timeout = timeout
        self.sock = None
        self.buf = b""

    def _connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    @staticmethod
    def _encode(method, path, body):
        data = b"" if body is None else json.dumps(body).encode()
        head = "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n" % (method, path)
        if body is not None or method in ("POST", "PUT"):
            head += "Content-Type: application/json\r\nContent-Length: %d\r\n" % len(data)
        return head.encode() + b"\r\n" + data

    def _read_response(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Fail("API connection closed by ballastd")
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        clen = 0
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            if k.strip().lower() == "content-length":
                clen = int(v.strip())
        while len(rest) < clen:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Fail("API connection closed mid-body")
            rest += chunk
        body, self.buf = rest[:clen], rest[clen:]
        try:
            doc = json.loads(body) if body else None
        except ValueError:
            doc = body.decode("latin-1")
        return status, doc

    def request(self, method, path, body=None):
        if self.sock is None:
            self._connect()
        self.sock.sendall(self._encode(method, path, body))
        return self._read_response()

    def pipeline(self, reqs, window=64):
        """Sends requests back to back (at most `window` unanswered); answers in order."""
        if self.sock is None:
            self._connect()
        out, sent = [], 0
        while len(out) < len(reqs):
            burst = []
            while sent < len(reqs) and sent - len(out) < window:
                burst.append(self._encode(*reqs[sent]))
                sent += 1
            if burst:
                self.sock.sendall(b"".join(burst))
            out.append(self._read_response())
        return out

    def close(self):
        if self.sock:
            self.sock.close()
            self.sock = None


class Multi:
    """K keep-alive connections used in parallel, each pipelining a contiguous share of a batch.
    ballastd handles every ready connection in one event-loop iteration and then runs one
    agent sync, so a batch spread over K connections is applied in a few syncs."""

    def __init__(self, port, k):
        self.conns = [Conn(port) for _ in range(k)]

    def run(self, reqs):
        """Returns (responses in order, index of the last request of each share)."""
        k = max(1, min(len(self.conns), len(reqs)))
        size = (len(reqs) + k - 1) // k
        shares = [(i, min(i + size, len(reqs))) for i in range(0, len(reqs), size)]
        out, errs = [None] * len(reqs), []

        def work(conn, a, b):
            try:
                out[a:b] = conn.pipeline(reqs[a:b], window=max(1, b - a))
            except Exception as e:  # reported below, in the main thread
                errs.append(e)

        ts = [threading.Thread(target=work, args=(self.conns[j], a, b)) for j, (a, b) in enumerate(shares)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(600)
        if errs or any(t.is_alive() for t in ts):
            raise Fail("pipelined batch failed: %s" % (errs[0] if errs else "timeout"))
        return out, [b - 1 for (a, b) in shares]

    def close(self):
        for c in self.conns:
            c.close()


def expect(resp, status, what):
    if resp[0] != status:
        raise Fail("%s: HTTP %d (expected %d): %s" % (what, resp[0], status, str(resp[1])[:300]))
    return resp[1]


# ---------------------------------------------------------------------------- processes

class Daemon:
    def __init__(self, args, tag):
        self.args = args
        self.tag = tag
        self.dir = os.path.join(args.tmpdir, tag)
        os.makedirs(self.dir, exist_ok=True)
        for f in ("ballast.db", "ballast.db-wal", "ballast.db-shm"):
            try:
                os.unlink(os.path.join(self.dir, f))
            except FileNotFoundError:
                pass
        self.port = free_port()
        self.logpath = os.path.join(args.outdir, "ballastd-%s.log" % tag)
        self.proc = None

    def start(self):
        logf = open(self.logpath, "w")
        cmd = [self.args.ballastd, "--api", "127.0.0.1:%d" % self.port,
               "--db", os.path.join(self.dir, "ballast.db"), "--workers", str(self.args.workers),
               "--log-level", "info"]
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        logf.close()
        STARTED.append(self.proc)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise Fail("ballastd exited at start, see %s" % self.logpath)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.02)
        raise Fail("ballastd did not listen within 10 s")

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        stop_proc(self.proc)


STARTED = []  # every child process, stopped by PID on exit


def stop_proc(p, sig=signal.SIGTERM, wait=10):
    if p is None or p.poll() is not None:
        return
    try:
        p.send_signal(sig)
        p.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait(timeout=5)
    except ProcessLookupError:
        pass


def stop_all():
    for p in reversed(STARTED):
        stop_proc(p, signal.SIGINT if getattr(p, "is_perf", False) else signal.SIGTERM)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Greeter:
    """A tiny TCP member: writes a greeting on accept and closes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.msg = b"hello from member-%d\n" % self.port
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                c.sendall(self.msg)
            except OSError:
                pass
            c.close()

    def close(self):
        self.stop = True
        self.t.join(1)
        self.sock.close()


# ---------------------------------------------------------------------------- API helpers

def wait_active(c, lb_id, timeout=30.0):
    """Polls GET loadbalancer until ACTIVE; returns the number of GETs."""
    deadline, n = time.time() + timeout, 0
    while True:
        n += 1
        st, doc = c.request("GET", "%s/loadbalancers/%s?fields=provisioning_status" % (API, lb_id))
        prov = doc["loadbalancer"]["provisioning_status"] if st == 200 else None
        if prov == "ACTIVE":
            return n
        if prov == "ERROR" or st != 200:
            raise Fail("load balancer %s: HTTP %d, %s" % (lb_id, st, prov))
        if time.time() > deadline:
            raise Fail("load balancer %s not ACTIVE after %.0f s" % (lb_id, timeout))
        if n > 2:
            time.sleep(0.0005)


def wait_round(c, last_ids, timeout):
    """After a pipelined round: waits for the LB of the last write of every connection. The
    agent settles every pending object in one sync, and each connection's writes are handled
    in order, so once these are ACTIVE the whole round is (ERROR shows in check_all_active)."""
    for lb in dict.fromkeys(last_ids):
        wait_active(c, lb, timeout)


def check_all_active(c, ids):
    """One listing (it renders every LB: slow at scale, so once per build)."""
    doc = expect(c.request("GET", "%s/loadbalancers?fields=id&fields=provisioning_status" % API),
                 200, "list load balancers")
    state = {lb["id"]: lb["provisioning_status"] for lb in doc["loadbalancers"]}
    bad = [i for i in ids if state.get(i) != "ACTIVE"]
    if bad:
        raise Fail("%d load balancers not ACTIVE (port in use?), e.g. %s: %s"
                   % (len(bad), bad[0], state.get(bad[0])))


def wait_gone(c, lb_id, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if c.request("GET", "%s/loadbalancers/%s" % (API, lb_id))[0] == 404:
            return
        time.sleep(0.001)
    raise Fail("load balancer %s not deleted after %.0f s" % (lb_id, timeout))


def lb_body(name):
    return {"loadbalancer": {"name": name, "vip_subnet_id": SUBNET}}


def listener_body(lb, port):
    return {"listener": {"loadbalancer_id": lb, "protocol": "TCP", "protocol_port": port}}


def pool_body(listener):
    return {"pool": {"listener_id": listener, "protocol": "TCP", "lb_algorithm": "ROUND_ROBIN"}}


def member_body(port, address="127.0.0.1"):
    return {"member": {"address": address, "protocol_port": port}}


def first_byte(host, port, timeout=5.0):
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        b = s.recv(1)
    finally:
        s.close()
    if not b:
        raise Fail("connection to %s:%d closed without a byte" % (host, port))
    return b


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def summary(xs):
    return {"n": len(xs), "median": statistics.median(xs) if xs else None, "p95": pct(xs, 95),
            "mean": statistics.fmean(xs) if xs else None,
            "min": min(xs) if xs else None, "max": max(xs) if xs else None}


def fsync_probe(directory, n=50):
    """Latency of write(4 KiB) + fdatasync on the store's file system: each API write and each
    agent settle commits one SQLite transaction (WAL, synchronous=FULL), i.e. one such sync."""
    path = os.path.join(directory, "fsync-probe")
    lat = []
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        for i in range(n):
            t = now()
            os.pwrite(fd, b"x" * 4096, (i % 16) * 4096)
            os.fdatasync(fd)
            lat.append((now() - t) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    return summary(lat)


# ---------------------------------------------------------------------------- 1. provisioning

STEPS = ["lb", "listener", "pool", "member1", "member2", "first_byte"]


def provision_once(c, name, port, greeters, delete=True):
    """Returns {step: seconds} and the total; each write is followed by polling to ACTIVE."""
    t = {}
    t0 = now()
    lb = expect(c.request("POST", API + "/loadbalancers", lb_body(name)), 201, "create LB")["loadbalancer"]
    lb_id, vip = lb["id"], lb["vip_address"]
    wait_active(c, lb_id)
    t1 = now(); t["lb"] = t1 - t0
    li = expect(c.request("POST", API + "/listeners", listener_body(lb_id, port)), 201,
                "create listener")["listener"]
    wait_active(c, lb_id)
    t2 = now(); t["listener"] = t2 - t1
    pool = expect(c.request("POST", API + "/pools", pool_body(li["id"])), 201, "create pool")["pool"]
    wait_active(c, lb_id)
    t3 = now(); t["pool"] = t3 - t2
    prev = t3
    for k, g in enumerate(greeters[:2]):
        expect(c.request("POST", "%s/pools/%s/members" % (API, pool["id"]), member_body(g.port)),
               201, "create member")
        wait_active(c, lb_id)
        tk = now(); t["member%d" % (k + 1)] = tk - prev; prev = tk
    first_byte(vip, port)
    t5 = now(); t["first_byte"] = t5 - prev
    t["total"] = t5 - t0
    if delete:
        expect(c.request("DELETE", "%s/loadbalancers/%s?cascade=true" % (API, lb_id)), 204, "delete LB")
        wait_gone(c, lb_id)
    return t, lb_id


def bench_provision(c, reps, port_base, greeters, label):
    runs = []
    for i in range(reps):
        t, _ = provision_once(c, "prov-%s-%d" % (label, i), port_base + i, greeters)
        runs.append(t)
    out = {k: summary([r[k] * 1000 for r in runs]) for k in STEPS + ["total"]}
    out["runs_ms"] = [{k: round(v * 1000, 3) for k, v in r.items()} for r in runs]
    log("provisioning (%s): median %.1f ms, p95 %.1f ms over %d" %
        (label, out["total"]["median"], out["total"]["p95"], reps))
    return out


# ---------------------------------------------------------------------------- 2. throughput

def make_lbs(m, c, n, port_base, prefix, timeout):
    """n load balancers with 1 TCP listener (port_base + i) and 1 pool each, built in
    pipelined rounds over the connections of `m` (one write per LB per round, then wait for
    the round to be ACTIVE). Returns [(lb_id, pool_id, vip, port)] and each round's time."""
    rounds = {}
    t = now()
    rs, last = m.run([("POST", API + "/loadbalancers", lb_body("%s-%d" % (prefix, i))) for i in range(n)])
    lbs = [expect(r, 201, "create LB")["loadbalancer"] for r in rs]
    ids = [lb["id"] for lb in lbs]
    wait_round(c, [ids[i] for i in last], timeout)
    rounds["loadbalancers"] = now() - t
    t = now()
    rs, _ = m.run([("POST", API + "/listeners", listener_body(ids[i], port_base + i)) for i in range(n)])
    lis = [expect(r, 201, "create listener")["listener"]["id"] for r in rs]
    wait_round(c, [ids[i] for i in last], timeout)
    rounds["listeners"] = now() - t
    t = now()
    rs, _ = m.run([("POST", API + "/pools", pool_body(lis[i])) for i in range(n)])
    pools = [expect(r, 201, "create pool")["pool"]["id"] for r in rs]
    wait_round(c, [ids[i] for i in last], timeout)
    rounds["pools"] = now() - t
    return [(ids[i], pools[i], lbs[i]["vip_address"], port_base + i) for i in range(n)], rounds


def member_rounds(m, c, lbs, per_lb, port_base, timeout):
    """per_lb pipelined rounds: one member create per LB, then wait for the round. Returns
    (seconds, creates, 409s)."""
    t, n, conflicts = now(), 0, 0
    for k in range(per_lb):
        rs, last = m.run([("POST", "%s/pools/%s/members" % (API, pool), member_body(port_base + k))
                          for (_, pool, _, _) in lbs])
        for r in rs:
            if r[0] == 409:
                conflicts += 1
            else:
                expect(r, 201, "create member")
                n += 1
        wait_round(c, [lbs[i][0] for i in last], timeout)
    return now() - t, n, conflicts


def seq_creates(m, c, n, port_base, member_port_base):
    """One LB with one pool; n x (POST member, poll until the LB is ACTIVE)."""
    (lb, pool, _, _), = make_lbs(m, c, 1, port_base, "seq%d" % port_base, 60)[0]
    lat, polls = [], 0
    t0 = now()
    for k in range(n):
        t = now()
        expect(c.request("POST", "%s/pools/%s/members" % (API, pool), member_body(member_port_base + k)),
               201, "create member")
        polls += wait_active(c, lb)
        lat.append((now() - t) * 1000)
    el = now() - t0
    return {"creates": n, "seconds": el, "per_s": n / el, "latency_ms": summary(lat),
            "gets_per_create": polls / max(1, n)}


def bench_throughput(c, args):
    res = {}
    m = Multi(c.port, args.conns)
    # a) one pool, sequential: POST member, poll until the LB is ACTIVE, next.
    res["sequential"] = s = seq_creates(m, c, args.seq_members, args.port_base + 100, 20000)
    log("throughput, one pool sequential: %.0f creates/s (median %.2f ms each)" %
        (s["per_s"], s["latency_ms"]["median"]))
    # b) many LBs, pipelined over several connections: one member per LB per round, then wait.
    nlb = max(1, min(args.par_lbs, args.par_members))
    per = max(1, args.par_members // nlb)
    lbs, _ = make_lbs(m, c, nlb, args.port_base + 200, "par", 120)
    el, n, conflicts = member_rounds(m, c, lbs, per, 20000, 120)
    m.close()
    res["parallel"] = {"lbs": nlb, "creates": n, "seconds": el, "per_s": n / el, "conflicts": conflicts,
                       "connections": min(args.conns, nlb)}
    log("throughput, %d LBs pipelined: %.0f creates/s (%d created, %d x 409)" % (nlb, n / el, n, conflicts))
    return res


def change_once(c, lb, pool, port):
    t = now()
    expect(c.request("POST", "%s/pools/%s/members" % (API, pool), member_body(port)), 201, "create member")
    t_post = now()
    gets = wait_active(c, lb)
    t_act = now()
    return (t_post - t) * 1000, (t_act - t) * 1000, gets


def bench_changes(c, lbs, n, port, rng):
    post, total, gets, get_rtt = [], [], 0, []
    for k in range(n):
        lb, pool, _, _ = rng.choice(lbs)
        p, a, g = change_once(c, lb, pool, port + k)
        post.append(p)
        total.append(a)
        gets += g
        t = now()  # one more GET, nothing pending: what a poll costs at this scale
        c.request("GET", "%s/loadbalancers/%s?fields=provisioning_status" % (API, lb))
        get_rtt.append((now() - t) * 1000)
    return {"post_ms": summary(post), "post_to_active_ms": summary(total),
            "gets_per_change": gets / max(1, n), "get_ms": summary(get_rtt)}


# --- uprobes: exact durations of the agent's stages, no source change --------------------------

PROBES = [  # (name, function): entry + return probes; static ones are skipped if inlined away
    ("sync", "bl_agent_sync"), ("changed", "bl_store_changed_lbs"), ("render", "render_lb"),
    ("parse", "bl_cfg_parse"), ("part", "bl_snapshot_build_lb"), ("assemble", "bl_snapshot_assemble"),
    ("apply", "bl_dataplane_apply"), ("since", "bl_store_list_since"), ("health", "bl_health_apply"),
    ("commit", "bl_store_commit"), ("handle", "bl_api_handle"), ("list", "bl_store_list"),
    ("dumps", "json_dumps"), ("wake", "on_wake"),
]
GROUP = "apibench%d" % os.getpid()
PROBES_ADDED = []


def probes_add(binary, outdir):
    """Adds the uprobes once (they stay attached to the binary until probes_del)."""
    jansson = jansson_path(binary)
    with open(os.path.join(outdir, "probe-group"), "w") as f:
        f.write(GROUP + "\n")  # for bench/api.sh's clean-up if this process is killed hard
    with open(os.path.join(outdir, "perf-probe.log"), "a") as lf:
        for name, fn in PROBES:
            target = jansson if fn.startswith("json_") else binary  # json_dumps is libjansson's
            for spec in ("%s:%s_in=%s" % (GROUP, name, fn), "%s:%s_out=%s%%return" % (GROUP, name, fn)):
                if target and subprocess.call(["perf", "probe", "-q", "-x", target, "-a", spec],
                                              stdout=lf, stderr=lf, timeout=120) == 0:
                    PROBES_ADDED.append(spec)
    lst = subprocess.run(["perf", "probe", "-l"], capture_output=True, text=True, timeout=60).stdout
    # a return probe's event name gets a "__return" suffix
    return sorted({w for w in lst.split() if w.startswith(GROUP + ":")})


def probes_del(outdir):
    if not PROBES_ADDED:
        return
    PROBES_ADDED.clear()
    with open(os.path.join(outdir, "perf-probe.log"), "a") as lf:
        subprocess.call(["perf", "probe", "-q", "-d", "%s:*" % GROUP], stdout=lf, stderr=lf, timeout=60)


def jansson_path(binary):
    try:
        out = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for ln in out.splitlines():
        if "libjansson" in ln and "=>" in ln:
            return ln.split("=>")[1].split()[0]
    return None


def start_perf(argv, outdir, name):
    logf = open(os.path.join(outdir, name + ".log"), "w")
    p = subprocess.Popen(["perf"] + argv, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    logf.close()
    p.is_perf = True
    STARTED.append(p)
    time.sleep(1.0)  # let perf attach before the measured work
    if p.poll() is not None:
        raise Fail("perf %s exited at once, see %s.log" % (argv[0], name))
    return p


def intervals(script_text):
    """perf script lines of entry/return probes -> {stage: [(start, end, tid)]} (s)."""
    stacks, out = {}, {}
    for ln in script_text.splitlines():
        parts = ln.split()
        ev = next((p for p in parts if p.startswith(GROUP + ":")), None)
        if ev is None:
            continue
        try:
            ts = float(next(p for p in parts if p.endswith(":") and p[:-1].replace(".", "").isdigit())[:-1])
        except (StopIteration, ValueError):
            continue
        tid = next((p for p in parts if p.isdigit()), "?")
        name, kind = ev[len(GROUP) + 1:].rstrip(":").replace("__return", "").rsplit("_", 1)
        key = (tid, name)
        if kind == "in":
            stacks.setdefault(key, []).append(ts)
        elif stacks.get(key):
            out.setdefault(name, []).append((stacks[key].pop(), ts, tid))
    return out


def stage_report(iv):
    """Per agent sync: each stage's time spent inside bl_agent_sync, and the rest (the
    request handling, its SQLite commit included)."""
    syncs = iv.get("sync", [])
    n = max(1, len(syncs))
    res = {"syncs": len(syncs), "sync_ms": summary([(e - s) * 1000 for s, e, _ in syncs]), "in_sync": {},
           "outside_sync": {}}

    def inside(a, b, tid):
        return any(s <= a and b <= e and t == tid for s, e, t in syncs)

    for name, lst in iv.items():
        if name == "sync":
            continue
        ins = [(b - a) * 1000 for a, b, t in lst if inside(a, b, t)]
        outs = [(b - a) * 1000 for a, b, t in lst if not inside(a, b, t)]
        res["in_sync"][name] = {"calls_per_sync": len(ins) / n, "ms_per_sync": sum(ins) / n}
        res["outside_sync"][name] = {"calls": len(outs), "ms_total": sum(outs),
                                     "median_ms": statistics.median(outs) if outs else None}
    return res


def probed(d, events, outdir, tag, fn):
    """Runs fn() with perf recording the uprobes of ballastd `d`; returns (fn(), stages)."""
    data = os.path.join(outdir, "probes-%s.data" % tag)
    p = start_perf(["record", "-q", "-e", ",".join(events), "-p", str(d.pid), "-o", data],
                   outdir, "perf-probes-" + tag)
    try:
        r = fn()
    finally:
        stop_proc(p, signal.SIGINT, 60)
    txt = subprocess.run(["perf", "script", "-i", data, "-F", "comm,tid,time,event"],
                         capture_output=True, text=True, timeout=300).stdout
    st = stage_report(intervals(txt))
    log("uprobes (%s): %d agent syncs, bl_agent_sync median %.2f ms" % (tag, st["syncs"], st["sync_ms"]["median"] or float("nan")))
    return r, st


def perf_profile(d, outdir, fn):
    """Runs fn() under perf record -g (DWARF unwinding) of ballastd; writes profile-*.txt."""
    data = os.path.join(outdir, "perf.data")
    p = start_perf(["record", "-q", "-F", "499", "--call-graph", "dwarf,8192", "-p", str(d.pid), "-o", data],
                   outdir, "perf-record")
    try:
        r = fn()
    finally:
        stop_proc(p, signal.SIGINT, 120)
    reports = {
        "profile-self.txt": ["--no-children", "--sort", "dso,sym", "-g", "none", "--percent-limit", "0.5"],
        "profile-children.txt": ["--children", "--sort", "sym", "-g", "none", "--percent-limit", "1"],
        "profile-callers.txt": ["--no-children", "--sort", "sym", "-g", "caller,0.5,callee,function,percent",
                                "--percent-limit", "3"],
    }
    for name, opts in reports.items():
        with open(os.path.join(outdir, name), "w") as f:
            try:
                subprocess.run(["perf", "report", "-i", data, "--stdio", "--comm", "ballastd"] + opts,
                               stdout=f, stderr=subprocess.DEVNULL, timeout=300)
            except subprocess.TimeoutExpired:
                f.write("perf report timed out\n")
    return r


def sql_diagnosis(dbpath):
    """After ballastd has stopped: times the agent's list statement against the same query
    written so that SQLite can use the lb_id / parent_id indexes, on the scale store."""
    import sqlite3
    out = {"sqlite": sqlite3.sqlite_version}
    db = sqlite3.connect("file:%s?mode=ro" % dbpath, uri=True)
    cols = ("kind, id, lb_id, parent_id, project_id, provisioning_status, operating_status, "
            "created_at, updated_at, revision, body")
    agent = ("SELECT %s FROM objects WHERE kind = ?1 AND (?2 IS NULL OR lb_id = ?2) "
             "AND (?3 IS NULL OR parent_id = ?3) ORDER BY seq" % cols)  # store.c ST_LIST
    by_parent = "SELECT %s FROM objects WHERE kind = ?1 AND parent_id = ?3 ORDER BY seq" % cols
    by_lb = "SELECT %s FROM objects WHERE kind = ?1 AND lb_id = ?2 ORDER BY seq" % cols
    pools = db.execute("SELECT id, lb_id FROM objects WHERE kind = 'pool'").fetchall()
    lbs = [r[0] for r in db.execute("SELECT id FROM objects WHERE kind = 'loadbalancer'")]
    out["plan_agent"] = db.execute("EXPLAIN QUERY PLAN " + agent, ("member", "x", "y")).fetchall()[0][-1]
    out["plan_by_parent"] = db.execute("EXPLAIN QUERY PLAN " + by_parent, ("member", "x", "y")).fetchall()[0][-1]

    def timed(q, params):  # the better of two passes (the first one warms the page cache)
        best = None
        for _ in range(2):
            t = now()
            n = sum(len(db.execute(q, k).fetchall()) for k in params)
            best = min(best or 1e18, (now() - t) * 1000)
        return best, n

    # as render_pools() asks: kind, lb_id, parent_id
    out["members_of_every_pool_agent_ms"], n1 = timed(agent, [("member", lb, pid) for pid, lb in pools])
    out["members_of_every_pool_indexed_ms"], n2 = timed(by_parent, [("member", None, pid) for pid, lb in pools])
    out["listeners_of_every_lb_agent_ms"], _ = timed(agent, [("listener", lb, None) for lb in lbs])
    out["listeners_of_every_lb_indexed_ms"], _ = timed(by_lb, [("listener", lb) for lb in lbs])
    # the same statement when SQLite's page cache holds the whole file (default: 2 MiB)
    db.execute("PRAGMA cache_size = -262144")
    out["members_of_every_pool_agent_bigcache_ms"], _ = timed(agent, [("member", lb, pid) for pid, lb in pools])
    db.execute("PRAGMA cache_size = -2000")
    out["db_bytes"] = sum(os.path.getsize(dbpath + x) for x in ("", "-wal") if os.path.exists(dbpath + x))
    t = now()
    out["rows"] = len(db.execute("SELECT %s FROM objects ORDER BY seq" % cols).fetchall())
    out["one_scan_of_all_rows_ms"] = (now() - t) * 1000
    out["members"] = n1
    assert n1 == n2
    db.close()
    return out


def bench_scale(c, args, greeters, rng):
    res = {"lbs": args.lbs, "members_per_lb": args.members}
    log("scale: building %d load balancers x %d members (pipelined rounds)" % (args.lbs, args.members))
    t0 = now()
    m = Multi(c.port, args.conns)
    lbs, rounds = make_lbs(m, c, args.lbs, args.scale_port_base, "scale", 600)
    for k, v in rounds.items():
        log("  %-13s %6.1f s" % (k, v))
    el, n, conflicts = member_rounds(m, c, lbs, args.members, 50000, 600)
    m.close()
    check_all_active(c, [lb for (lb, _, _, _) in lbs])
    rounds["members"] = el
    log("  %-13s %6.1f s (%d members)" % ("members", el, n))
    res["build_s"] = now() - t0
    res["build_rounds_s"] = rounds
    nobj = args.lbs * 3 + n
    res["build_objects"] = nobj
    res["build_objects_per_s"] = nobj / res["build_s"]
    # a sanity check that the data plane serves at that scale: one LB's VIP with a live member
    lb, pool, vip, port = lbs[0]
    # (its other members have nothing listening: round robin resets those connections)
    change_once(c, lb, pool, greeters[0].port)
    for attempt in range(args.members + 2):
        try:
            first_byte(vip, port)
            res["served_at_scale"] = True
            break
        except (OSError, Fail):
            continue
    else:
        raise Fail("no byte through %s:%d after %d connections" % (vip, port, args.members + 2))
    # the measured changes: POST member -> ACTIVE on random LBs
    res["changes"] = bench_changes(c, lbs, args.changes, 60000, rng)
    log("scale: one member change: POST %.1f ms, POST -> ACTIVE median %.1f ms, p95 %.1f ms" % (
        res["changes"]["post_ms"]["median"], res["changes"]["post_to_active_ms"]["median"],
        res["changes"]["post_to_active_ms"]["p95"]))
    # provisioning at scale (a new LB on a node already holding LBS)
    res["provision"] = bench_provision(c, args.scale_prov_reps, args.port_base + 300, greeters, "scale")
    return res, lbs


# ---------------------------------------------------------------------------- table

def fmt(x, unit="", nd=1):
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    if isinstance(x, float):
        return ("{:,.%df}" % nd).format(x) + unit
    return "{:,}".format(x) + unit


def ms(d, nd=1):
    return "median %s, p95 %s" % (fmt(d["median"], " ms", nd), fmt(d["p95"], " ms", nd))


def verdict(ok):
    return "**met**" if ok else "**missed**"


STEP_TEXT = {"lb": "LB: POST -> ACTIVE", "listener": "listener: POST -> ACTIVE", "pool": "pool: POST -> ACTIVE",
             "member1": "member 1: POST -> ACTIVE", "member2": "member 2: POST -> ACTIVE",
             "first_byte": "connect to VIP -> first byte"}


def table(R, args):
    rows = []
    P = R.get("provision")
    if P:
        rows.append(("1. create -> first byte through the VIP (LB, listener, pool, 2 members), "
                     "empty node, %d runs" % P["total"]["n"], ms(P["total"]), "< 50 ms",
                     verdict(P["total"]["p95"] < 50)))
        for k in STEPS:
            rows.append(("&nbsp;&nbsp;step: " + STEP_TEXT[k], ms(P[k], 2), "", ""))
    T = R.get("throughput")
    if T:
        q = T["sequential"]
        rows.append(("2a. member creates / s, one pool, POST then poll to ACTIVE (%d)" % q["creates"],
                     "%s /s (%s each)" % (fmt(q["per_s"], "", 0), ms(q["latency_ms"], 2)), "", ""))
        q = T["parallel"]
        rows.append(("2b. member creates / s over %d LBs, pipelined on %d connections, one write per LB "
                     "then wait (%d)" % (q["lbs"], q["connections"], q["creates"]),
                     "%s /s (%d x 409)" % (fmt(q["per_s"], "", 0), q["conflicts"]), "", ""))
    S = R.get("scale")
    if S:
        rows.append(("3. build %s LBs x %d members (%s objects) through the API, pipelined rounds"
                     % (fmt(S["lbs"]), S["members_per_lb"], fmt(S["build_objects"])),
                     "%s s (%s objects/s)" % (fmt(S["build_s"]), fmt(S["build_objects_per_s"], "", 0)), "", ""))
        ch = S["changes"]
        rows.append(("3. one member change at that scale: POST -> ACTIVE seen by polling (%d changes)"
                     % ch["post_to_active_ms"]["n"], ms(ch["post_to_active_ms"]), "< 10 ms",
                     verdict(ch["post_to_active_ms"]["median"] < 10)))
        rows.append(("&nbsp;&nbsp;of which the POST (201)", ms(ch["post_ms"], 2), "", ""))
        rows.append(("&nbsp;&nbsp;one GET of the LB (a poll), nothing pending", ms(ch["get_ms"], 2), "", ""))
        SP = S["provision"]
        rows.append(("3. create -> first byte with %s LBs on the node (%d runs)" % (fmt(S["lbs"]), SP["total"]["n"]),
                     ms(SP["total"]), "< 50 ms", verdict(SP["total"]["p95"] < 50)))
    out = ["| measure | result | goal | |", "|---|---|---|---|"]
    out += ["| %s | %s | %s | %s |" % r for r in rows]
    if R.get("fsync_start"):
        out += ["", "write 4 KiB + fdatasync on the store's file system: %s at the start, %s at the end "
                "(each API write and each agent sync commits one SQLite transaction)." % (
                    ms(R["fsync_start"], 2), ms(R["fsync_end"], 2) if R.get("fsync_end") else "-")]
    st = [(k, R[k]) for k in ("stages_small", "stages_scale") if R.get(k)]
    if st:
        out += ["", "Where one write's time goes (uprobes on ballastd's control thread, ms):", ""]
        head = {"stages_small": "member create, node with 1 LB", "stages_scale": "member create, %s LBs x %d members" % (
            fmt(args.lbs), args.members)}
        out.append("| | " + " | ".join(head[k] for k, _ in st) + " |")
        out.append("|---|" + "---:|" * len(st))
        out.append("| bl_agent_sync: median (mean) | " + " | ".join("%s (%s)" % (fmt(v["sync_ms"]["median"], "", 2), fmt(v["sync_ms"]["mean"], "", 2)) for _, v in st) + " |")
        # the sync's own stages (they do not overlap), then two cross-cutting ones
        names = [("changed", "bl_store_changed_lbs: which LBs were written since the applied revision"),
                 ("render", "render_lb: the store -> one LB's JSON document (per changed LB)"),
                 ("dumps", "json_dumps of that document"),
                 ("parse", "bl_cfg_parse: the document, validated (only when it differs)"),
                 ("part", "bl_snapshot_build_lb: that LB's part (sockets, pool tables)"),
                 ("assemble", "bl_snapshot_assemble: the parts -> one snapshot"),
                 ("apply", "bl_dataplane_apply (hand-over to the workers)"),
                 ("since", "settle's read: rows written since the applied revision"),
                 ("health", "bl_health_apply: the checker follows the new snapshot")]
        cross = [("list", "of all the above, bl_store_list (SQLite reads)"),
                 ("commit", "of all the above, bl_store_commit (settle's: WAL write + fsync)")]

        def cell(v, key):
            x = v["in_sync"].get(key)
            if x is None or not x["calls_per_sync"]:
                return "-"
            return "%s (%s)" % (fmt(x["ms_per_sync"], "", 2), fmt(x["calls_per_sync"], "", 0))

        for key, label in names + cross:
            out.append("| &nbsp;&nbsp;%s | %s |" % (label, " | ".join(cell(v, key) for _, v in st)))
        cells = []
        for _, v in st:
            known = sum(v["in_sync"].get(k, {}).get("ms_per_sync", 0) for k, _ in names)
            cells.append(fmt((v["sync_ms"]["mean"] or 0) - known, "", 2) + "¹")
        out.append("| &nbsp;&nbsp;the rest (not probed: freeing the document, the store revision...) | %s |" % " | ".join(cells))
        out.append("| each worker: switch to the new snapshot (on_wake, median; not on the ACTIVE path) | %s |" % " | ".join(
            fmt(v["outside_sync"].get("wake", {}).get("median_ms"), "", 2) for _, v in st))
        out.append("| API requests of one change (the POST and its GET polls), ms per sync | %s |" % " | ".join(
            fmt(v["outside_sync"].get("handle", {}).get("ms_total", 0) / max(1, v["syncs"]), "", 2) for _, v in st))
        out.append("| &nbsp;&nbsp;the POST's bl_store_commit (median) | %s |" % " | ".join(
            fmt(v["outside_sync"].get("commit", {}).get("median_ms"), "", 2) for _, v in st))
        out.append("")
        out.append("Stages are means per sync (calls per sync in parentheses). ¹ mean sync minus the stages above. "
                   "Each probe adds a few µs per call.")
    q = R.get("sql")
    if q:
        out += ["", "The agent's list statement on the %s-row scale store (Python sqlite3 %s, read-only, after ballastd stopped):"
                % (fmt(q["rows"]), q["sqlite"]), "",
                "| query | plan | ms |", "|---|---|---:|",
                "| members of every pool, store.c's `ST_LIST` | %s | %s |" % (q["plan_agent"], fmt(q["members_of_every_pool_agent_ms"])),
                "| members of every pool, `ST_LIST` with `PRAGMA cache_size` = 256 MiB (default 2 MiB; the file is %s MiB) | same | %s |" % (
                    fmt(q["db_bytes"] / 1048576.0), fmt(q["members_of_every_pool_agent_bigcache_ms"])),
                "| members of every pool, `WHERE kind = ? AND parent_id = ?` | %s | %s |" % (q["plan_by_parent"], fmt(q["members_of_every_pool_indexed_ms"])),
                "| listeners of every LB, `ST_LIST` | | %s |" % fmt(q["listeners_of_every_lb_agent_ms"]),
                "| listeners of every LB, `WHERE kind = ? AND lb_id = ?` | | %s |" % fmt(q["listeners_of_every_lb_indexed_ms"]),
                "| every row, one scan | | %s |" % fmt(q["one_scan_of_all_rows_ms"])]
    return "\n".join(out)


# ---------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ballastd", required=True)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--tmpdir", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--parts", default="provision throughput scale")
    ap.add_argument("--prov-reps", type=int, default=20)
    ap.add_argument("--seq-members", type=int, default=500)
    ap.add_argument("--par-members", type=int, default=500)
    ap.add_argument("--par-lbs", type=int, default=50)
    ap.add_argument("--lbs", type=int, default=1000)
    ap.add_argument("--members", type=int, default=10)
    ap.add_argument("--changes", type=int, default=20)
    ap.add_argument("--scale-prov-reps", type=int, default=3)
    ap.add_argument("--probe-changes", type=int, default=5, help="changes under uprobes (each part)")
    ap.add_argument("--perf-changes", type=int, default=5, help="changes under perf record -g")
    ap.add_argument("--conns", type=int, default=32, help="connections for pipelined rounds")
    ap.add_argument("--port-base", type=int, default=41000)
    ap.add_argument("--scale-port-base", type=int, default=42000)
    ap.add_argument("--profile", type=int, default=2, help="0 none, 1 uprobes, 2 uprobes + perf record -g")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    parts = args.parts.split()
    rng = random.Random(args.seed)
    R = {"params": vars(args)}
    greeters = [Greeter(), Greeter()]
    t_start = now()
    R["fsync_start"] = fsync_probe(args.tmpdir)
    try:
        events = probes_add(args.ballastd, args.outdir) if args.profile >= 1 else []
        if args.profile >= 1 and not events:
            log("perf probe unavailable (see perf-probe.log): stage timings skipped")
        if "provision" in parts or "throughput" in parts:
            d = Daemon(args, "small").start()
            c = Conn(d.port)
            log("ballastd pid %d on 127.0.0.1:%d (empty store)" % (d.pid, d.port))
            if "provision" in parts:
                R["provision"] = bench_provision(c, args.prov_reps, args.port_base, greeters, "empty")
            if "throughput" in parts:
                R["throughput"] = bench_throughput(c, args)
            c.close()
            d.stop()
            if events:  # a fresh node: one LB, its pool growing from 0 to 20 members
                d = Daemon(args, "probe").start()
                c = Conn(d.port)
                m = Multi(c.port, 1)
                _, R["stages_small"] = probed(d, events, args.outdir, "small", lambda: seq_creates(
                    m, c, 20, args.port_base + 400, 30000))
                m.close()
                c.close()
                d.stop()
        if "scale" in parts:
            d = Daemon(args, "scale").start()
            c = Conn(d.port)
            log("ballastd pid %d on 127.0.0.1:%d (empty store)" % (d.pid, d.port))
            R["scale"], lbs = bench_scale(c, args, greeters, rng)
            if events and args.probe_changes > 0:
                _, R["stages_scale"] = probed(d, events, args.outdir, "scale", lambda: bench_changes(
                    c, lbs, args.probe_changes, 61000, rng))
            if args.profile >= 2 and args.perf_changes > 0:
                R["perf_changes"] = perf_profile(d, args.outdir, lambda: bench_changes(
                    c, lbs, args.perf_changes, 62000, rng))
            try:
                with open("/proc/%d/status" % d.pid) as f:
                    R["scale"]["rss_kib"] = int(f.read().split("VmRSS:")[1].split()[0])
            except (OSError, IndexError, ValueError):
                pass
            c.close()
            d.stop()
            R["sql"] = sql_diagnosis(os.path.join(d.dir, "ballast.db"))
    finally:
        stop_all()
        probes_del(args.outdir)
        for g in greeters:
            g.close()
        R["seconds"] = now() - t_start
        try:
            R["fsync_end"] = fsync_probe(args.tmpdir)
        except OSError:
            pass
        with open(os.path.join(args.outdir, "results.json"), "w") as f:
            json.dump(R, f, indent=1, default=str)
    tbl = table(R, args)
    with open(os.path.join(args.outdir, "table.md"), "w") as f:
        f.write(tbl + "\n")
    print(tbl)


def on_term(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        main()
    except Fail as e:
        log("error:", e)
        sys.exit(1)

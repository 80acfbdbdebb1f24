# SPDX-License-Identifier: Apache-2.0
"""Seeds for tests/fuzz/corpus/api: runs the scenario of
../shared/octavia/oracle_transcript.py against build/ballastd, records each
raw request and writes it as a corpus input, the first load balancer,
listener, pool and member it created named by fuzz_api.c's placeholders.

    /usr/bin/python3 tests/fuzz/record_api_seeds.py OUT_DIR ../shared/octavia
"""
import json, os, re, shutil, socket, tempfile, subprocess, sys, time, urllib.request, urllib.parse, importlib.util

out_dir, shared = sys.argv[1], sys.argv[2]
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
tmp = tempfile.mkdtemp(prefix="bl-seeds-")
db = os.path.join(tmp, "rec.db")
for suf in ("", "-wal", "-shm"):
    try: os.unlink(db + suf)
    except FileNotFoundError: pass
p = subprocess.Popen([os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "ballastd"), "--api", "127.0.0.1:%d" % port, "--db", db,
                      "--workers", "1", "--default-provider", "noop_driver", "--noop-settle", "next-request"],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(0.5)
spec = importlib.util.spec_from_file_location("ot", os.path.join(shared, "oracle_transcript.py"))
ot = importlib.util.module_from_spec(spec)
sys.argv = ["ot", "http://127.0.0.1:%d" % port]
spec.loader.exec_module(ot)
recorded = []
real = urllib.request.urlopen
def rec(req, *a, **k):
    u = urllib.parse.urlsplit(req.full_url)
    target = u.path + ("?" + u.query if u.query else "")
    body = req.data or b""
    hdrs = "".join("%s: %s\r\n" % (kk, vv) for kk, vv in req.header_items())
    raw = ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%sContent-Length: %d\r\n\r\n" % (
        req.get_method(), target, hdrs, len(body))).encode() + body
    try:
        r = real(req, *a, **k); data = r.read()
        class R:
            status = r.status; headers = r.headers
            def read(self): return data
            def __enter__(self): return self
            def __exit__(self, *x): return False
        recorded.append((raw, r.status, data)); return R()
    except urllib.error.HTTPError as e:
        data = e.read(); recorded.append((raw, e.code, data))
        raise urllib.error.HTTPError(e.url, e.code, e.msg, e.headers, __import__("io").BytesIO(data))
ot.urllib.request.urlopen = rec
try:
    ot.main()
except SystemExit:
    pass
p.terminate(); p.wait(); shutil.rmtree(tmp)
# the first created object of each kind becomes a placeholder
ph = {}
for raw, st, data in recorded:
    if st == 201:
        try: d = json.loads(data)
        except ValueError: continue
        for k, n in (("loadbalancer", 1), ("listener", 2), ("pool", 3), ("member", 4)):
            if k in d and n not in ph.values():
                ph[d[k]["id"]] = n
os.makedirs(out_dir, exist_ok=True)
def sub(b):
    for i, n in ph.items():
        b = b.replace(i.encode(), ("feedf00d-0000-4000-8000-00000000000%d" % n).encode())
    return b
for i, (raw, st, data) in enumerate(recorded):
    open(os.path.join(out_dir, "oracle_%03d" % i), "wb").write(b"\x00" + sub(raw))
print(len(recorded), "requests;", ph, file=sys.stderr)

# SPDX-License-Identifier: Apache-2.0
"""The Octavia oracle transcript: ../shared/octavia/oracle_transcript.py (called
by its path, never copied) replays a fixed scenario of raw HTTP calls against
the real ballastd, and its transcript must match the one recorded from the real
Octavia 11 API (../shared/octavia/octavia-oracle-transcript.md), but for the
differences listed in ALLOWED, each with its reason.

ballastd runs with the no-op provider (as the recording's Octavia ran with no
worker behind its API) and --noop-settle next-request: no-op objects stay
PENDING_* until the next request without "X-Oracle-No-Settle: 1", which is
when the recording's fake worker settled them.

Transcripts are compared as data, not text: each section's request line,
status, content type and JSON answer; object keys in any order; the
placeholders <idN> of the two transcripts must map one to one (the numbering
follows first appearance, so it may differ); lists of references whose order
Octavia takes from random UUIDs (a load balancer's listeners, ...) in any
order. Run this file with python to print the differences of a transcript:

    /usr/bin/python3 tests/integration/test_api_oracle_transcript.py OUT.md
"""
import json
import os
import re
import subprocess
import sys

import pytest

from apiutil import ApiBallastd
from conftest import scaled

HERE = os.path.dirname(os.path.abspath(__file__))
# The shared material sits next to the repository, as bench/run.sh finds it.
SHARED_CANDIDATES = (os.path.join(HERE, "..", "..", "..", "shared", "octavia"),
                     "/work/shared/octavia")
PROJECT = "e3cd678b11784734bc366148aa37580e"  # the project the recording used

# (section title regex, kind, JSON path regex, oracle value, ballast value, why).
# MISSING: the field is absent on that side; ANY: any value.
MISSING = object()
ANY = object()
NOOP_OFFLINE = ("ballast's no-op provider measures nothing: load balancers, listeners and "
                "pools stay OFFLINE, as in Octavia's own no-op gate (tempest "
                "test_with_noop); the recording's fake worker set them ONLINE")
NO_AMPHORA = ("ballast's providers are ballast and noop_driver; the recording's Octavia had "
              "its amphora provider enabled")
ALLOWED = [
    (r".*", "value", r"(.*\.)?provider", "amphora", "noop_driver",
     "the recording's Octavia ran the amphora provider (with no worker), ballastd here the "
     "no-op one"),
    (r".*", "value", r"(.*\.)?operating_status", "ONLINE", "OFFLINE", NOOP_OFFLINE),
    (r".*", "value", r"(.*\.)?(project_id|tenant_id)", PROJECT, "ballast",
     "requests carry no X-Project-Id: the recording's harness put them in its own project, "
     "ballast's noauth mode in its default project 'ballast'"),
    (r".*", "extra field", r"(listener|pool)\.ballast_[a-z_]+", MISSING, ANY,
     "ballast's documented API extensions (docs/api-extensions.md), shown on every object so "
     "that a client finds them whatever the provider"),
    (r"create lb: wrong type for admin_state_up", "value", r"faultstring",
     "Invalid input for field/attribute load_balancer. Value: '{'loadbalancer': "
     "{'vip_subnet_id': '<subnet>', 'admin_state_up': 'maybe'}}'. Value not an unambiguous "
     "boolean: maybe",
     "Invalid input for field/attribute admin_state_up. Value: 'maybe'. Value not an "
     "unambiguous boolean: maybe",
     "Octavia's web framework names the whole body (as a Python repr) instead of the field; "
     "ballast names the field, as Octavia does for every other invalid value"),
    (r"provider flavor capabilities", "status", "", 200, 400, NO_AMPHORA),
    (r"provider flavor capabilities", "missing field", "flavor_capabilities", ANY, MISSING,
     NO_AMPHORA),
    (r"provider flavor capabilities", "extra field", "faultcode|faultstring|debuginfo",
     MISSING, ANY, NO_AMPHORA),
]


def shared_dir():
    for d in SHARED_CANDIDATES:
        if os.path.isfile(os.path.join(d, "oracle_transcript.py")):
            return os.path.abspath(d)
    pytest.fail("the Octavia oracle material is missing: looked for oracle_transcript.py in "
                + ", ".join(SHARED_CANDIDATES) + " (../shared must sit next to the clone)",
                pytrace=False)


# ---- parsing -------------------------------------------------------------------------------------

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ID_RE = re.compile(r"<id\d+>")
BLOCK_RE = re.compile(r"```json\n(.*?)\n```", re.S)


def parse(text):
    """Transcript -> list of sections {title, line, request, status, ctype, response}."""
    text = re.sub(r"http://127\.0\.0\.1:\d+", "<base>", text)
    sections = []
    for chunk in ("\n" + text).split("\n### ")[1:]:
        title, _, rest = chunk.partition("\n")
        line = re.search(r"^`(.*)`(.*)$", rest, re.M)
        answer = re.search(r"^-> \*\*(\d+)\*\* \((.*)\)$", rest, re.M)
        before, after = rest[:answer.start()], rest[answer.end():]
        req = BLOCK_RE.search(before)
        resp = BLOCK_RE.search(after)
        sections.append({
            "title": title,
            "line": line.group(1) + line.group(2),
            # the script does not normalise request bodies: their UUIDs are random
            "request": json.loads(UUID_RE.sub("<uuid>", req.group(1))) if req else None,
            "status": int(answer.group(1)),
            "ctype": answer.group(2),
            "response": json.loads(resp.group(1)) if resp else None,
        })
    return sections


# ---- comparing -----------------------------------------------------------------------------------

# Reference lists that Octavia fills in UUID order (random): compared as sets.
UNORDERED_KEYS = {"listeners", "pools", "members", "loadbalancers"}


class Ids:
    """The one-to-one map between the two transcripts' <idN> placeholders."""

    def __init__(self):
        self.o2b, self.b2o = {}, {}

    def same(self, o, b):
        """Whether strings o and b are equal once their placeholders are mapped."""
        if ID_RE.split(o) != ID_RE.split(b):
            return False
        pairs = list(zip(ID_RE.findall(o), ID_RE.findall(b)))
        if len(pairs) != len(ID_RE.findall(o)) or len(pairs) != len(ID_RE.findall(b)):
            return False
        if any(self.o2b.get(x, y) != y or self.b2o.get(y, x) != x for x, y in pairs):
            return False
        for x, y in pairs:
            self.o2b[x], self.b2o[y] = y, x
        return True


def compare(o, b, path, ids, out, depth=0):
    """Appends (kind, path, oracle value, ballast value) for each difference."""
    if isinstance(o, dict) and isinstance(b, dict):
        for k in o:
            if k not in b:
                out.append(("missing field", path + k, o[k], MISSING))
            else:
                compare(o[k], b[k], path + k + ".", ids, out, depth + 1)
        out.extend(("extra field", path + k, MISSING, b[k]) for k in b if k not in o)
    elif isinstance(o, list) and isinstance(b, list):
        compare_list(o, b, path, ids, out, depth)
    elif isinstance(o, str) and isinstance(b, str):
        if not ids.same(o, b):
            out.append(("value", path.rstrip("."), o, b))
    elif o != b or type(o) is not type(b):
        out.append(("value", path.rstrip("."), o, b))


def compare_list(o, b, path, ids, out, depth):
    key = path.rstrip(".").rsplit(".", 1)[-1]
    refs = all(isinstance(x, dict) and "id" in x for x in o + b)
    if len(o) != len(b):
        out.append(("list length", path.rstrip("."), o, b))
        return
    if refs and depth > 1 and key in UNORDERED_KEYS:
        # pair by mapped id where the map knows it, the rest in order
        rest = list(b)
        pairs = []
        for x in o:
            y = next((y for y in rest if ids.o2b.get(x["id"]) == y["id"]), None)
            if y is not None:
                rest.remove(y)
            pairs.append([x, y])
        for p in pairs:
            if p[1] is None:
                p[1] = rest.pop(0)
        for i, (x, y) in enumerate(pairs):
            compare(x, y, "%s[%d]." % (path.rstrip("."), i), ids, out, depth + 1)
        return
    for i, (x, y) in enumerate(zip(o, b)):
        compare(x, y, "%s[%d]." % (path.rstrip("."), i), ids, out, depth + 1)


def differences(oracle_text, ballast_text):
    """[(title, kind, path, oracle value, ballast value)]."""
    so, sb = parse(oracle_text), parse(ballast_text)
    ids, out = Ids(), []
    for i in range(max(len(so), len(sb))):
        o = so[i] if i < len(so) else None
        b = sb[i] if i < len(sb) else None
        if o is None or b is None or o["title"] != b["title"]:
            out.append(((o or b)["title"], "section", "", o and o["title"], b and b["title"]))
            break  # the scenario stopped or diverged: the rest cannot be paired
        found = []
        if not ids.same(o["line"], b["line"]):
            found.append(("request line", "", o["line"], b["line"]))
        if o["request"] != b["request"]:
            found.append(("request body", "", o["request"], b["request"]))
        if o["status"] != b["status"]:
            found.append(("status", "", o["status"], b["status"]))
        if o["ctype"] != b["ctype"]:
            found.append(("content type", "", o["ctype"], b["ctype"]))
        if o["response"] is None or b["response"] is None:
            if o["response"] != b["response"]:
                found.append(("body", "", o["response"], b["response"]))
        else:
            compare(o["response"], b["response"], "", ids, found)
        out.extend((o["title"],) + d for d in found)
    return out


def allowed_by(diff):
    """The ALLOWED entry covering `diff`, or None."""
    title, kind, path, ov, bv = diff

    def fits(want, got):
        if want is ANY:
            return got is not MISSING
        return (want is MISSING) == (got is MISSING) and (want is MISSING or want == got)

    for entry in ALLOWED:
        t, k, p, eo, eb, _ = entry
        if re.fullmatch(t, title) and k == kind and re.fullmatch(p, path) and \
                fits(eo, ov) and fits(eb, bv):
            return entry
    return None


def show(diff):
    title, kind, path, ov, bv = diff
    fmt = lambda v: "(absent)" if v is MISSING else json.dumps(v)[:300]  # noqa: E731
    return "[%s] %s %s: octavia %s, ballast %s" % (title, kind, path, fmt(ov), fmt(bv))


# ---- the test ------------------------------------------------------------------------------------


def run_transcript(short_tmp, shared):
    b = ApiBallastd(short_tmp, workers=1,
                    extra_args=["--default-provider", "noop_driver",
                                "--noop-settle", "next-request"])
    b.start()
    try:
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        p = subprocess.run(["/usr/bin/python3", os.path.join(shared, "oracle_transcript.py"),
                            "http://127.0.0.1:%d" % b.port], capture_output=True, text=True,
                           timeout=scaled(60), env=env)
    finally:
        problems = b.check()
    assert not problems, "\n\n".join(problems)
    assert p.returncode == 0, "oracle_transcript.py failed (%d):\n%s\n%s" % (
        p.returncode, p.stderr, p.stdout[-3000:])
    return p.stdout


def test_oracle_transcript(short_tmp):
    shared = shared_dir()
    with open(os.path.join(shared, "octavia-oracle-transcript.md")) as f:
        oracle = f.read()
    ours = run_transcript(short_tmp, shared)
    diffs = differences(oracle, ours)
    left = [d for d in diffs if allowed_by(d) is None]
    used = {id(allowed_by(d)) for d in diffs}
    stale = [e for e in ALLOWED if id(e) not in used]
    assert not left, "%d differences from Octavia's transcript:\n%s" % (
        len(left), "\n".join(show(d) for d in left))
    assert not stale, "ALLOWED entries that match nothing any more: %s" % stale


def test_compare_sees_differences():
    """The comparison itself: a changed status, field and id mapping are found;
    a renumbering of the placeholders and a reordered reference list are not."""
    base = ("### t\n\n`GET /x/<id1>`\n\n-> **200** (application/json)\n\n```json\n%s\n```\n")
    doc = {"lb": {"id": "<id1>", "listeners": [{"id": "<id2>"}, {"id": "<id3>"}],
                  "name": "a"}}
    same = {"lb": {"id": "<id1>", "listeners": [{"id": "<id3>"}, {"id": "<id2>"}],
                   "name": "a"}}
    o = "# h\n\n" + base % json.dumps(doc)
    assert differences(o, "# h\n\n" + base % json.dumps(same)) == []
    changed = {"lb": {"id": "<id1>", "listeners": [{"id": "<id2>"}, {"id": "<id1>"}],
                      "extra": 1}}
    kinds = {d[1] for d in differences(o, "# h\n\n" + (base % json.dumps(changed))
                                       .replace("200", "404"))}
    assert kinds == {"status", "value", "missing field", "extra field"}, kinds


if __name__ == "__main__":
    with open(os.path.join(shared_dir(), "octavia-oracle-transcript.md")) as f:
        oracle_doc = f.read()
    with open(sys.argv[1]) as f:
        found_diffs = differences(oracle_doc, f.read())
    for d in found_diffs:
        print(("ok  " if allowed_by(d) else "DIFF") + " " + show(d))
    kinds = {}
    for d in found_diffs:
        if allowed_by(d) is None:
            kinds[d[1]] = kinds.get(d[1], 0) + 1
    print("not allowed, by kind:", kinds, file=sys.stderr)

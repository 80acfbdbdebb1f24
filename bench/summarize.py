#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Summarize a bench/run.sh output directory: one Markdown table of ballast against HAProxy
(and nginx stream, direct) with the ratios ballast/HAProxy and the project's goals.

usage: bench/summarize.py OUTDIR
Reads OUTDIR/lb-compare/results.tsv (the shared harness) and OUTDIR/det/det.tsv (strace -c
and callgrind dumps written by run.sh); either may be missing.
"""
import csv
import math
import os
import re
import statistics as st
import sys

NAN = float("nan")
out = sys.argv[1] if len(sys.argv) > 1 else "."
HARN = {"candidate-tcp": "ballast", "haproxy-tcp": "haproxy", "nginx-stream": "nginx", "direct": "direct",
        "candidate-http": "ballast", "haproxy-http": "haproxy", "nginx-http": "nginx"}


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return NAN


def fmt(x, p=1):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 100 and p > 0:
        p = 0 if abs(x) >= 1000 else min(p, 1)
    return f"{x:,.{p}f}"


def ratio(a, b):
    return a / b if b and not math.isnan(a) and not math.isnan(b) else NAN


def verdict(r, goal):
    """goal: ('le', x) ratio must be <= x; ('ge', x) >= x; None: information only."""
    if goal is None or math.isnan(r):
        return ""
    ok = r <= goal[1] if goal[0] == "le" else r >= goal[1]
    return "met" if ok else "**missed**"


# ------------------------------------------------------------------ harness medians
harness = {}
spreads = {}
res = os.path.join(out, "lb-compare", "results.tsv")
if os.path.exists(res):
    rows = list(csv.DictReader(open(res), delimiter="\t"))
    by = {}
    for r in rows:
        by.setdefault((HARN.get(r["system"], r["system"]), r["workload"]), []).append(r)

    def med(sysname, wl, key):
        v = [num(r[key]) for r in by.get((sysname, wl), []) if not math.isnan(num(r[key]))]
        return st.median(v) if v else NAN

    def spread(sysname, wl, key):
        v = [num(r[key]) for r in by.get((sysname, wl), []) if not math.isnan(num(r[key]))]
        m = st.median(v) if v else NAN
        return 100 * (max(v) - min(v)) / m if len(v) > 1 and m else NAN

    nrep = max((len(v) for v in by.values()), default=0)

    def paired(wl, key):
        """Median over repetitions of ballast/HAProxy within the same repetition (the harness runs
        the systems back to back in each one, so this cancels drift between repetitions)."""
        hp = {r["rep"]: num(r[key]) for r in by.get(("haproxy", wl), [])}
        rs = [num(r[key]) / hp[r["rep"]] for r in by.get(("ballast", wl), [])
              if hp.get(r["rep"]) and not math.isnan(num(r[key])) and not math.isnan(hp[r["rep"]])]
        return st.median(rs) if rs else NAN
else:
    med = spread = None
    nrep = 0

SYS = ["ballast", "haproxy", "nginx", "direct"]


def hrow(label, wl, key, scale=1.0, goal=None, prec=1, show_direct=False, spread_on=True):
    """One table row: medians per system, ±% for ballast and HAProxy, both ratios, the verdict."""
    vals = {s: med(s, wl, key) * scale for s in SYS}
    cells = []
    for s in SYS:
        if s == "direct" and not show_direct:
            cells.append("")
            continue
        c = fmt(vals[s], prec)
        sp = spread(s, wl, key) if spread_on else NAN
        if s in ("ballast", "haproxy") and not math.isnan(sp):
            c += f" ±{sp:.0f}%"
        cells.append(c)
    r = ratio(vals["ballast"], vals["haproxy"])
    pr = paired(wl, key)
    g = "" if goal is None else ("≤ %.2f" % goal[1] if goal[0] == "le" else "≥ %.2f" % goal[1])
    print(f"| {label} | " + " | ".join(cells) + f" | {fmt(r, 2)} | {fmt(pr, 2)} | {g} | {verdict(pr, goal)} |")
    return vals


envf = os.path.join(out, "env.txt")
env = open(envf).read().strip() if os.path.exists(envf) else ""
m = re.search(r"^mode: (\w+)$", env, re.M)
MODE = m.group(1) if m else "tcp"
print(f"# ballast vs HAProxy: benchmark summary ({'HTTP listeners' if MODE == 'http' else 'L4 listeners'})\n")
if env:
    print("```\n" + env + "\n```\n")

if med and MODE == "http":
    print(f"## 1. lb-compare (shared harness), HTTP mode, medians over {nrep} repetition(s), 1 LB thread each\n")
    print("| metric | ballast | HAProxy | nginx | direct | ballast/HAProxy (medians) | ballast/HAProxy (paired) | goal | |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        r["lb_own"] = str(num(r["lb_us"]) * num(r["acct"]))
    # issue 4: <= 0.8x HAProxy's CPU per request on keep-alive small body, <= HAProxy's elsewhere
    for key, what in (("lb_us", "LB CPU"), ("lb_own", "LB own CPU")):
        hrow(f"{what} µs / request, ka_small", "ka_small", key, goal=("le", 0.80))
        hrow(f"{what} µs / request, close_small", "close_small", key, goal=("le", 1.00))
        hrow(f"{what} µs / MiB, ka_64k", "ka_64k", key, scale=16.0, goal=("le", 1.00))
    for wl in ("ka_small", "close_small", "ka_64k"):
        hrow(f"requests / busy CPU-s (norm/core), {wl}", wl, "norm", prec=0, show_direct=True)
    for wl in ("ka_small", "close_small", "ka_64k"):
        hrow(f"requests / s (wall clock), {wl}", wl, "rate", prec=0, show_direct=True)
    hrow("p99 ms, ka_small", "ka_small", "p99ms", prec=2, goal=("le", 1.00))
    hrow("p99 ms, close_small", "close_small", "p99ms", prec=2)
    hrow("p99 ms, ka_64k", "ka_64k", "p99ms", prec=2)
    if any(w == "idle" for (_, w) in by):
        hrow("RSS bytes / idle connection", "idle", "rate", prec=0, spread_on=False)
    # TERMINATED_HTTPS: to be measured when ballast terminates TLS (issue 4)
    print("| TERMINATED_HTTPS handshakes / LB CPU-s | not measured yet (no TLS in ballast) | | | | | | ≥ HAProxy's | |")
    print("| TERMINATED_HTTPS LB CPU µs / request, keep-alive | not measured yet (no TLS in ballast) | | | | | | ≤ 1.00 | |")
    print()
    print("Values are medians; ±% is (max-min)/median over the repetitions. LB CPU = the proxy "
          "process's user+system CPU per request as the harness computes it (its share of our processes' "
          "CPU × busy time of the benchmark CPU); \"LB own CPU\" = lb_us × acct, the LB process's CPU alone. "
          "ka_64k per MiB = per 64 KiB request × 16. paired = median over repetitions of ballast/HAProxy "
          "within one repetition; the verdict uses it.\n")

if med and MODE != "http":
    print(f"## 1. lb-compare (shared harness), medians over {nrep} repetition(s), 1 LB thread each\n")
    print("| metric | ballast | HAProxy | nginx | direct | ballast/HAProxy (medians) | ballast/HAProxy (paired) | goal | |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|")

    cpu = ("le", 0.80)
    hrow("LB CPU µs / request, ka_small", "ka_small", "lb_us", goal=cpu)
    hrow("LB CPU µs / request, close_small", "close_small", "lb_us", goal=cpu)
    hrow("LB CPU µs / MiB, ka_64k", "ka_64k", "lb_us", scale=16.0, goal=cpu)
    hrow("LB CPU µs / MiB, iperf", "iperf", "lb_us", goal=cpu, prec=2)
    hrow("LB CPU µs / connection, connrate", "connrate", "lb_us", goal=cpu)
    # The LB's own process CPU per unit: lb_us x acct (acct = our processes' CPU / busy CPU), which
    # takes out CPU that other processes on the machine used on the benchmark cpu during the run.
    for r in rows:
        r["lb_own"] = str(num(r["lb_us"]) * num(r["acct"]))
    hrow("LB own CPU µs / request, ka_small", "ka_small", "lb_own", goal=cpu)
    hrow("LB own CPU µs / request, close_small", "close_small", "lb_own", goal=cpu)
    hrow("LB own CPU µs / MiB, ka_64k", "ka_64k", "lb_own", scale=16.0, goal=cpu)
    hrow("LB own CPU µs / MiB, iperf", "iperf", "lb_own", goal=cpu, prec=2)
    hrow("LB own CPU µs / connection, connrate", "connrate", "lb_own", goal=cpu)
    hrow("requests / busy CPU-s (norm/core), ka_small", "ka_small", "norm", prec=0, show_direct=True)
    hrow("requests / busy CPU-s (norm/core), close_small", "close_small", "norm", prec=0, show_direct=True)
    hrow("requests / busy CPU-s (norm/core), ka_64k", "ka_64k", "norm", prec=0, show_direct=True)
    hrow("connections / busy CPU-s, connrate", "connrate", "norm", prec=0, show_direct=True)
    hrow("Gbit/s / busy CPU-s, iperf", "iperf", "norm", prec=2, show_direct=True)
    hrow("requests / s (wall clock), ka_small", "ka_small", "rate", prec=0, show_direct=True)
    hrow("requests / s (wall clock), close_small", "close_small", "rate", prec=0, show_direct=True)
    hrow("requests / s (wall clock), ka_64k", "ka_64k", "rate", prec=0, show_direct=True)
    hrow("p99 ms, ka_small", "ka_small", "p99ms", prec=2)
    hrow("p99 ms, close_small", "close_small", "p99ms", prec=2)
    hrow("p99 ms, ka_64k", "ka_64k", "p99ms", prec=2)
    # bulk throughput against direct (no proxy)
    for key, label in (("rate", "iperf Gbit/s (wall clock)"), ("norm", "iperf Gbit/s per busy core")):
        v = {s: med(s, "iperf", key) for s in SYS}
        rb, rh = ratio(v["ballast"], v["direct"]), ratio(v["haproxy"], v["direct"])
        print(f"| {label}: x direct | {fmt(rb, 2)} | {fmt(rh, 2)} | {fmt(ratio(v['nginx'], v['direct']), 2)} "
              f"| 1.00 ({fmt(v['direct'], 2)}) | {fmt(ratio(v['ballast'], v['haproxy']), 2)} | | ballast ≥ 0.90 × direct "
              f"| {verdict(rb, ('ge', 0.90))} |")
    res2 = os.path.join(out, "lb-compare-iperf-lbcpu1", "results.tsv")
    if os.path.exists(res2):
        by2 = {}
        for r in csv.DictReader(open(res2), delimiter="\t"):
            by2.setdefault(HARN.get(r["system"], r["system"]), []).append(num(r["rate"]))
        v = {s: (st.median([x for x in by2.get(s, []) if not math.isnan(x)] or [NAN])) for s in SYS}
        rb = ratio(v["ballast"], v["direct"])
        print(f"| iperf Gbit/s, LB alone on cpu 1: x direct | {fmt(rb, 2)} | {fmt(ratio(v['haproxy'], v['direct']), 2)} "
              f"| {fmt(ratio(v['nginx'], v['direct']), 2)} | 1.00 ({fmt(v['direct'], 2)}) "
              f"| {fmt(ratio(v['ballast'], v['haproxy']), 2)} | | ballast ≥ 0.90 × direct | {verdict(rb, ('ge', 0.90))} |")
    hrow("RSS bytes / idle connection", "idle", "rate", goal=("le", 1.00), prec=0, spread_on=False)
    print()
    print("Values are medians; ±% is (max-min)/median over the repetitions. LB CPU = the proxy "
          "process's own user+system CPU (from /proc) divided by requests, MiB or connections. "
          "norm/core = units per busy core-second of the benchmark CPUs (steal-corrected). "
          "ka_64k per MiB = lb_us per 64 KiB request × 16. \"LB own CPU\" = lb_us × acct, i.e. the LB "
          "process's CPU time alone, unaffected by other processes that ran on the benchmark cpu. "
          "paired = median over repetitions of ballast/HAProxy within one repetition (the systems run back "
          "to back in each), which cancels drift between repetitions; the verdict uses it.\n")

# ------------------------------------------------------------------ deterministic costs
det_tsv = os.path.join(out, "det", "det.tsv")


def parse_strace(path):
    calls = {}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return None
    for ln in lines:
        t = ln.split()
        if len(t) < 5 or t[0].startswith("%") or t[0].startswith("-") or t[-1] == "total":
            continue
        try:
            calls[t[-1]] = calls.get(t[-1], 0) + int(t[3])
        except ValueError:
            continue
    return calls


def parse_cg(path):
    try:
        for ln in open(path):
            if ln.startswith("totals:"):
                return int(ln.split()[1])
    except OSError:
        pass
    return None


if os.path.exists(det_tsv):
    det = {}
    for r in csv.DictReader(open(det_tsv), delimiter="\t"):
        units = num(r["units"])
        if r["tool"] == "strace":
            c = parse_strace(r["file"])
            if not c:  # missing, or strace saw nothing (the LB did not run)
                continue
            det[(r["system"], r["workload"], "sys")] = (sum(c.values()) / units, c, units, r["unit"])
        else:
            tot = parse_cg(r["file"])
            if tot is None:
                continue
            det[(r["system"], r["workload"], "ins")] = (tot / units, None, units, r["unit"], r["file"])
    wls = list(dict.fromkeys(k[1] for k in det))
    desc = {"ka_c1": "keep-alive, 1 conn", "ka_c32": "keep-alive, 32 conns",
            "close_c1": "conn per request, 1 at a time", "close_c16": "conn per request, 16 at a time",
            "bulk_64k": "64 KiB responses, keep-alive, 1 conn"}
    print("## 2. Deterministic costs: fixed workloads (bench/tools/rtload), 1 LB thread each\n")
    print("| metric | workload | ballast | HAProxy | nginx | ballast/HAProxy | goal | |")
    print("|---|---|---:|---:|---:|---:|---|---|")
    for kind, label, goal in (("sys", "syscalls", ("le", 1.00)), ("ins", "user-space instructions", None)):
        for w in wls:
            v = {s: det.get((s, w, kind), (NAN,))[0] for s in ("ballast", "haproxy", "nginx")}
            any_ = next((det[(s, w, kind)] for s in ("ballast", "haproxy", "nginx") if (s, w, kind) in det), None)
            if any_ is None:
                continue
            unit = any_[3]
            r = ratio(v["ballast"], v["haproxy"])
            g = "" if goal is None else "≤ %.2f" % goal[1]
            p = 2 if kind == "sys" else 0
            print(f"| {label} / {'request' if unit == 'req' else unit} | {w} ({desc.get(w, w)}) | {fmt(v['ballast'], p)} "
                  f"| {fmt(v['haproxy'], p)} | {fmt(v['nginx'], p)} | {fmt(r, 2)} | {g} | {verdict(r, goal)} |")
    print()
    print("syscalls: `strace -c -f -p PID` attached to the running LB for exactly the N round trips "
          "(all threads). instructions: `valgrind --tool=callgrind` on the LB, counters dumped with "
          "callgrind_control right before and after the N round trips (user space only: the kernel's "
          "share of the work, where most of an L4 proxy's CPU goes, is not in it).\n")
    print("### System calls per request, by call\n")
    for w in wls:
        per = {}
        for s in ("ballast", "haproxy", "nginx"):
            e = det.get((s, w, "sys"))
            if e:
                per[s] = {k: n / e[2] for k, n in e[1].items()}
        if not per:
            continue
        names = sorted(set().union(*[set(p) for p in per.values()]),
                       key=lambda k: -max(p.get(k, 0) for p in per.values()))
        names = [k for k in names if max(p.get(k, 0) for p in per.values()) >= 0.005]
        unit = next(iter(det[(s, w, "sys")] for s in per))[3]
        print(f"**{w}** ({desc.get(w, w)}, per {'request' if unit == 'req' else unit}):\n")
        print("| syscall | " + " | ".join(per) + " |")
        print("|---|" + "---:|" * len(per))
        for k in names:
            print(f"| {k} | " + " | ".join(fmt(per[s].get(k, 0.0), 2) for s in per) + " |")
        print()
    # where the user-space instructions go (self cost per function, ballast and HAProxy)
    def cg_self(path):
        """Self instructions per function from one callgrind dump (its own parser: a cost line
        right after calls= is the call's inclusive cost and is not the caller's own)."""
        names, self_, fn, skip = {}, {}, "?", False
        for ln in open(path, errors="replace"):
            if ln.startswith("fn="):
                m = re.match(r"fn=(?:\((\d+)\))?\s*(.*)", ln.rstrip("\n"))
                if m.group(1) and m.group(2):
                    names[m.group(1)] = m.group(2)
                fn = m.group(2) or names.get(m.group(1), "?")
            elif ln.startswith("calls="):
                skip = True
            elif ln[:1] in "0123456789+-*":
                if skip:
                    skip = False
                    continue
                t = ln.split()
                if len(t) >= 2:
                    self_[fn] = self_.get(fn, 0) + int(t[1])
        return self_

    for w in ("ka_c32", "close_c16"):
        for s in ("ballast", "haproxy"):
            e = det.get((s, w, "ins"))
            if not e:
                continue
            try:
                costs = cg_self(e[4])
            except OSError:
                continue
            tot = sum(costs.values()) or 1
            top = sorted(costs.items(), key=lambda kv: -kv[1])[:12]
            print(f"### Top user-space functions by own instructions, {s}, {w} (per request)\n")
            print("```")
            for k, v in top:
                print(f"{v / e[2]:10,.0f}  {100 * v / tot:5.1f}%  {k}")
            print("```\n")

# SPDX-License-Identifier: Apache-2.0
"""tls_summary.py RESULTS.tsv: the table of bench/tls.sh, in Markdown.

Per key type and workload, each system's medians over the repetitions, and the
ratio to HAProxy: of the medians, and paired (median over repetitions of the
ratio within one repetition, which cancels drift between repetitions)."""
import csv
import math
import statistics as st
import sys

UNIT = {"ka_small": "request", "ka_64k": "request", "close_wrk": "resumed handshake + request",
        "full_hs": "full handshake + request", "resume_hs": "resumed handshake + request"}


def num(v):
    try:
        return float(v)
    except ValueError:
        return math.nan


def med(xs):
    xs = [x for x in xs if not math.isnan(x)]
    return st.median(xs) if xs else math.nan


def fmt(x, p=1):
    return "-" if math.isnan(x) else f"{x:,.{p}f}"


def main(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    by = {}
    for r in rows:
        by.setdefault((r["key"], r["workload"], r["system"]), {})[r["rep"]] = r
    keys = list(dict.fromkeys(r["key"] for r in rows))
    wls = list(dict.fromkeys(r["workload"] for r in rows))
    systems = list(dict.fromkeys(r["system"] for r in rows))
    n = max(len(v) for v in by.values()) if by else 0
    print(f"medians over {n} repetition(s); lb_us = the LB process's own CPU (user+system, "
          "/proc/<pid>/stat) per unit; share_us = the shared harness's lb_us (LB share of "
          "our processes' CPU x busy time of the benchmark CPUs)\n")
    print("| key | workload (unit) | system | LB CPU µs / unit | ±% | share µs | units / LB CPU-s "
          "| rate / s | p50 ms | p99 ms | errors | resumed | steal % | ÷ HAProxy (paired) "
          "| ÷ HAProxy (medians) | p99 ÷ HAProxy |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in keys:
        for w in wls:
            hap = by.get((k, w, "haproxy"), {})
            for s in systems:
                rs = by.get((k, w, s))
                if not rs:
                    continue
                col = lambda c, rr=rs: [num(r[c]) for r in rr.values()]
                lb = med(col("lb_us"))
                v = [x for x in col("lb_us") if not math.isnan(x)]
                spread = 100 * (max(v) - min(v)) / lb if len(v) > 1 and lb else math.nan
                paired = med([num(r["lb_us"]) / num(hap[rep]["lb_us"]) for rep, r in rs.items()
                              if rep in hap and num(hap[rep]["lb_us"]) > 0])
                hl = med([num(r["lb_us"]) for r in hap.values()])
                hp = med([num(r["p99ms"]) for r in hap.values()])
                p99 = med(col("p99ms"))
                errs = sum(int(num(r["errors"])) for r in rs.values() if r["errors"] != "-")
                res = [r["resumed"] for r in rs.values()]
                resumed = "-" if "-" in res else str(sum(int(x) for x in res))
                extra = f" ({fmt(lb * 16, 0)} µs/MiB)" if w == "ka_64k" else ""
                print(f"| {k} | {w} ({UNIT.get(w, '?')}) | {s} | {fmt(lb)}{extra} | {fmt(spread, 0)} "
                      f"| {fmt(med(col('share_us')))} | {fmt(1e6 / lb if lb else math.nan, 0)} "
                      f"| {fmt(med(col('rate')), 0)} | {fmt(med(col('p50ms')), 2)} | {fmt(p99, 2)} "
                      f"| {errs} | {resumed} | {fmt(med(col('steal')), 0)} "
                      f"| {'' if s == 'haproxy' else fmt(paired, 2)} "
                      f"| {'' if s == 'haproxy' else fmt(lb / hl if hl else math.nan, 2)} "
                      f"| {'' if s == 'haproxy' else fmt(p99 / hp if hp else math.nan, 2)} |")


if __name__ == "__main__":
    main(sys.argv[1])

# SPDX-License-Identifier: Apache-2.0
"""Medians and paired ratios to HAProxy of one lb-compare results TSV (the tables of the
"Splicing large bodies" section of bench/README.md):  python3 paired.py harness-h3-final.tsv"""
import csv,sys,statistics as st
rows=list(csv.DictReader(open(sys.argv[1]),delimiter='\t'))
by={}
for r in rows: by.setdefault((r['system'],r['workload']),{})[r['rep']]=r
wl=sorted({r['workload'] for r in rows})
for w in wl:
    print(w)
    for sysn in ['haproxy-http','nginx-http','candidate-http']:
        d=by.get((sysn,w),{})
        if not d: continue
        lb=[float(x['lb_us']) for x in d.values()]; own=[float(x['lb_us'])*float(x['acct']) for x in d.values()]
        p99=[float(x['p99ms']) for x in d.values()]; rate=[float(x['rate']) for x in d.values()]
        errs=sum(int(x['errors']) for x in d.values())
        rat=[float(d[k]['lb_us'])/float(by[('haproxy-http',w)][k]['lb_us']) for k in d]
        print(f"  {sysn:15s} lb_us {st.median(lb):7.1f} own {st.median(own):7.1f} p99 {st.median(p99):6.2f} rate {st.median(rate):8.0f} /hap {st.median(rat):.2f} {sorted(round(x,2) for x in rat)} err {errs} rss {[x['rss_kb'] for x in d.values()]}")

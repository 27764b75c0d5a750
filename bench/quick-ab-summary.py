#!/usr/bin/env python3
"""The lines of bench/quick-ab.sh (or of any script that prints "CASE rep=N key=value ...", such as
bench/percall.sh) as medians per case and, against a reference case (default rinetd), ratios of
medians with the lowest and highest ratio taken within one repeat.
Usage: python3 bench/quick-ab-summary.py OUTPUT.txt [REFERENCE_CASE]"""
import sys, re, statistics as st
rows = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) < 3 or not parts[1].startswith('rep='): continue
    name, rep = parts[0], int(parts[1][4:])
    vals = {}
    for kv in parts[2:]:
        k, v = kv.split('=', 1)
        m = re.match(r'([0-9.]+)(ms|s|us)?$', v)
        if not m: continue
        x = float(m.group(1)); u = m.group(2)
        if k == 'ka_p99': x = x * {'ms': 1, 's': 1000, 'us': 0.001}.get(u or 'ms')
        vals[k] = x
    rows.setdefault(name, {})[rep] = vals
ref = sys.argv[2] if len(sys.argv) > 2 else 'rinetd'
cols = ['rr_avg_us', 'rr_p999_us', 'p1_gbps', 'cpu_s_per_gb', 'p8_gbps', 'conn_s', 'conn_cpu_us', 'ka_rps', 'ka_p99']
seen = [k for reps in rows.values() for r in reps.values() for k in r]
cols = [c for c in cols if c in seen] + [k for k in dict.fromkeys(seen) if k not in cols]
width = {c: max(22, len(c) + 2) for c in cols}
print('case'.ljust(24) + ''.join(c.rjust(width[c]) for c in cols))
for name, reps in rows.items():
    line = name.ljust(24)
    for c in cols:
        if not any(c in r for r in reps.values()):
            line += '–'.rjust(width[c])
            continue
        med = st.median(r[c] for r in reps.values() if c in r)
        if name != ref and ref in rows:
            refmed = st.median([r[c] for r in rows[ref].values() if c in r] or [0])
            within = [reps[k][c] / rows[ref][k][c] for k in reps if k in rows[ref] and rows[ref][k].get(c)]
            ratio = med / refmed if refmed else float('nan')
            line += ('%.2fx(%.2f-%.2f)' % (ratio, min(within), max(within))).rjust(width[c]) if within else 'n/a'.rjust(width[c])
        else:
            line += ('%.4g' % med).rjust(width[c])
    print(line)

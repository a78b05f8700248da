#!/usr/bin/env python3
# Median over boots of the per-boot medians, per cell and kernel, with the
# range over boots, and patched/base ratios. Usage: table.py wallclock.txt
# or table.py icount-base.txt icount-patched.txt
import re, statistics, sys
rx = re.compile(r'(?:(\w+) (\d+) )?ttm_pool_bench: (\S+) (\S+) (\S+) populate (\d+) \[\S+\] unpopulate (\d+)')
data = {}
files = sys.argv[1:]
for fi, f in enumerate(files):
    for line in open(f):
        m = rx.search(line)
        if not m:
            continue
        kern = m.group(1) or ('base' if fi == 0 else 'patched')
        cell = ' '.join(m.group(3, 4, 5))
        for op, v in (('populate', m.group(6)), ('unpopulate', m.group(7))):
            data.setdefault((cell, op), {}).setdefault(kern, []).append(int(v))
print('%-20s %-10s %12s %12s %7s  %s' % ('cell', 'op', 'base', 'patched', 'ratio', 'range base | patched (over boots)'))
for (cell, op), d in data.items():
    b, p = d.get('base', []), d.get('patched', [])
    if not b or not p:
        continue
    mb, mp = statistics.median(b), statistics.median(p)
    print('%-20s %-10s %12d %12d %7.3f  %d-%d | %d-%d (n=%d/%d)' % (cell, op, mb, mp, mp / mb, min(b), max(b), min(p), max(p), len(b), len(p)))

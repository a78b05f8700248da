#!/usr/bin/env python3
"""ratios.py DIR...: patched/base per TTM bench cell from smp2-probe.sh logs
(baseN.log, patchedN.log): the median over rounds of each kernel's figure,
their ratio, and the spread of the per-round ratios."""
import glob, re, statistics, sys
RX = re.compile(r'ttm_pool_bench: (\S+) (\S+) (\S+) populate (\d+) .* unpopulate (\d+) ')
def load(path):
    d = {}
    for l in open(path, errors='replace'):
        m = RX.search(l)
        if m:
            k = ' '.join(m.group(1, 2, 3))
            d[(k, 'populate')] = int(m.group(4))
            d[(k, 'unpopulate')] = int(m.group(5))
    return d
for dir_ in sys.argv[1:]:
    b = [load(f) for f in sorted(glob.glob(f'{dir_}/base*.log'))]
    p = [load(f) for f in sorted(glob.glob(f'{dir_}/patched*.log'))]
    print(f'## {dir_}: {len(b)} base and {len(p)} patched boots')
    worst = []
    for key in b[0]:
        mb = statistics.median(x[key] for x in b)
        mp = statistics.median(x[key] for x in p)
        per = [x[key] / y[key] for x, y in zip(p, b)]
        worst.append(mp / mb)
        print(f'{key[0]:20s} {key[1]:10s} base {mb:>10} patched {mp:>10} ratio {mp / mb:.3f} '
              f'(rounds {min(per):.3f}-{max(per):.3f})')
    print(f'median ratios span {min(worst):.3f}-{max(worst):.3f}')

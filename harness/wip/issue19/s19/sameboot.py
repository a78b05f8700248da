import sys, re, statistics as st
d = {}
for l in open(sys.argv[1], errors='replace'):
    m = re.match(r'sb ([BS])(\d+) bench len (\d+) rounds \d+ alloc_p50_ns (\d+) alloc_p99_ns (\d+) close_p50_ns (\d+)', l.strip())
    if m:
        d[(m.group(1), int(m.group(2)), int(m.group(3)))] = (int(m.group(4)), int(m.group(6)))
for l in open(sys.argv[1], errors='replace'):
    if 'sameboot knobs' in l: print(l.strip())
rounds = sorted({k[1] for k in d})
for size in (4096, 1 << 20):
    for idx, name in ((1, 'close p50'), (0, 'alloc p50')):
        B = [d[('B', r, size)][idx] for r in rounds if ('B', r, size) in d]
        S = [d[('S', r, size)][idx] for r in rounds if ('S', r, size) in d]
        ab = [s / b for s, b in zip(S, B)]
        aa = [B[i + 1] / B[i] for i in range(len(B) - 1)]
        if not ab: continue
        sp = max(max(r, 1 / r) - 1 for r in aa) if aa else float('nan')
        print(f"{sys.argv[1].split('/')[-1]} {size>>10}K {name}: B {B} S {S} S/B median {st.median(ab):.3f} (pairs {', '.join(f'{x:.2f}' for x in ab)}) A/A B(i+1)/B(i) {', '.join(f'{x:.2f}' for x in aa)} spread {sp:.3f}")

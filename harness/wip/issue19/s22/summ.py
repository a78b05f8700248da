import re, sys, glob, statistics as st
tag = sys.argv[1]
rx = re.compile(r'b2b len (\d+) rounds 100 (.*)')
def load(f):
    r = {}
    for l in open(f, errors='replace'):
        m = rx.search(l)
        if m:
            t = m.group(2).split()
            r[int(m.group(1))] = {t[i]: float(t[i+1]) for i in range(0, len(t)-1, 2)}
    return r
for k in ('base', 'patched'):
    globals()[k] = [load(f) for f in sorted(glob.glob(f'{tag}-{k}[0-9]*.log'))]
print(tag, 'boots', len(base), len(patched))
for s in (4096, 1 << 20, 8 << 20, 32 << 20):
    for m in ('alloc_p50_ns', 'alloc_p99_ns'):
        b = [r[s][m] for r in base if s in r]; p = [r[s][m] for r in patched if s in r]
        pairs = [x[s][m] / y[s][m] for x, y in zip(patched, base) if s in x and s in y]
        print(f'{s:>9} {m:13} base {st.median(b)/1e3:9.0f}us patched {st.median(p)/1e3:9.0f}us ratio-of-medians {st.median(p)/st.median(b):.3f} per-pair {" ".join(f"{x:.2f}" for x in pairs)}')

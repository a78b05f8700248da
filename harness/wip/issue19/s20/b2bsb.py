import sys, re, statistics as st
for f in sys.argv[1:]:
    d = {}
    for l in open(f, errors='replace'):
        m = re.match(r'b2b-sb len (\d+) quad (\d+) slot (\d) mode (\w) (.*)', l.strip())
        if m:
            kv = m[5].split(); kv = {kv[i]: int(kv[i+1]) for i in range(0, len(kv), 2)}
            d[(int(m[1]), int(m[2]), int(m[3]))] = kv
    for size in (4096, 1 << 20, 8 << 20, 32 << 20):
        for met in ('alloc_p50_ns', 'alloc_p99_ns'):
            qs = sorted({k[1] for k in d if k[0] == size})
            ab, aa = [], []
            for q in qs:
                A, S1, B, S2 = (d[(size, q, i)][met] for i in range(4))
                ab.append((S1 + S2) / (A + B)); aa.append(B / A)
            if ab:
                print(f"{f.split('/')[-1]} {size>>10}K {met}: S/B {st.median(ab):.3f} A/A {st.median(aa):.3f}  ab {' '.join(f'{x:.2f}' for x in ab)} | aa {' '.join(f'{x:.2f}' for x in aa)}")

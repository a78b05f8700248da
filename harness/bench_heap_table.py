#!/usr/bin/env python3
"""bench_heap_table.py: the tables, the plot and the bars of make bench.

  bench_heap_table.py LOGDIR PAIRS ICOUNT_PAIRS SMP2_PAIRS B2B_PAIRS OUTDIR
      Reads the consoles of the boots of harness/bench-heap.sh in LOGDIR
      (icount-{base,patched}<i>, wall-{base,patched}<i>, aa-{a,b}<i>,
      smp2-{base,patched}<i>, b2b-{base,patched}<i>, b2baa-{a,b}<i>,
      sb-patched<i>, sbic-patched1, sbic-base1, b2bsb-patched<i>) and
      what bench-heap.sh recorded beside them (started, command, loadavg,
      measured.json, b2b_smp, sb_boots, b2b_sb_boots), keeps the guest's
      result lines of every boot and that record in
      OUTDIR/heap-bench.json, and renders it.
  bench_heap_table.py --render JSON [OUTDIR]
      Renders JSON again (after a change to this script), into OUTDIR
      (default: the folder of JSON).

Rendering writes OUTDIR/heap-bench.md and heap-bench.png (gnuplot), and
prints the .md, then the verdict line ("make bench: PASS|FAIL|INCONCLUSIVE:
..."). Three parts:

1. Paced rounds: for every metric the median over the boots of each kernel
   and the patched/base ratio of those medians, with the spread of the
   per-pair ratios; every bar in both metrics with a verdict each, judged
   on the instruction counts (-icount shift=0), the wall clock reported.
2. The 1 MiB close p50 on the wall clock (issue 19 item 4), judged against
   an A/A floor in the same boot: see WALL_BAR, sameboot_part() and
   verdict_wall().  The cross-boot wall-clock pairs of part 1 and their A/A
   pairs are reported beside it.
3. Back-to-back rounds (issue 19 item 2), judged against an A/A floor: see
   B2B_BARS and verdict_b2b(); the same case in the same boot (heap-b2b
   sameboot) reported beside it.

The A/A spread of a figure: each A/A pair boots the base kernel twice, in
the slots of an A/B pair; its ratio is r = second / first, and the spread
is max over the A/A pairs of max(r, 1/r) - 1 (0.05: every A/A pair within
a factor 1.05 either way; a host that slows every second boot by 8% shows
0.08, which the range of the ratios would hide).

Exit status 1 if a judged bar fails or is inconclusive, 2 if a boot's
results are incomplete (a guest that died, a program that failed, a
missing log): that prints "make bench: FAIL: incomplete results ..." and
writes no results file."""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_stale as R  # noqa: E402

NAME = 'heap-bench'
SIZES = [4096, 1 << 20, 8 << 20, 32 << 20]
NAMES = {4096: '4 KiB', 1 << 20: '1 MiB', 8 << 20: '8 MiB', 32 << 20: '32 MiB'}
METRICS = ['alloc_p50_ns', 'alloc_p99_ns', 'close_p50_ns', 'close_p99_ns',
           'caller_cpu_ns_per_mib', 'kthread_cpu_ns_per_mib', 'total_cpu_ns_per_mib']
RX = re.compile(r'bench len (\d+) rounds \d+ (.*)')
# (metric, size, bar): patched/base <= bar, judged on instruction counts
BARS = [('alloc_p50_ns', 1 << 20, 0.33), ('alloc_p50_ns', 32 << 20, 0.5)]
for _s in SIZES:
    BARS += [('close_p50_ns', _s, 1.0), ('close_p99_ns', _s, 1.0), ('total_cpu_ns_per_mib', _s, 1.1)]
JUDGED = 'icount'

# Part 2 (issue 19 item 4): the 1 MiB close p50 of paced rounds on the wall
# clock, patched/base <= 1.00 over >= 5 pairs; the A/A run (>= 5 pairs) must
# show a spread <= 0.05.  Judged in the same boot (BENCHMARKING.md's first
# protocol: "dmabuf-pressure sameboot", one pair per boot of the patched
# kernel): consecutive boots of one kernel on this host differ by up to 2x
# in this figure, more than any A/A floor allows.
WALL_BAR = ('close_p50_ns', 1 << 20, 1.0)
WALL_MIN_PAIRS = 5
WALL_MAX_SPREAD = 0.05
# The same-boot base path is the patched heap with its pools and deferred
# free turned off; it stands in for the base kernel only while its
# instruction counts stay within SB_STANDIN_TOLERANCE of the base kernel's
# in the same program (one boot of each under -icount: "sbic-patched1",
# "sbic-base1"), and a base path dearer than the base kernel counts
# against the series (the ratio is multiplied by the stand-in factor).
SB_KEEP = re.compile(r'(sameboot |@@ end 30-sameboot)')
SB_SIZES = [4096, 1 << 20]
SB_METRICS = ('alloc_p50_ns', 'close_p50_ns')
# Back to back in the same boot ("heap-b2b sameboot", B2B_SB_QUADS quads of
# A S B S bursts of 100 rounds per size): reported beside part 3, not
# judged.
B2B_SB_KEEP = re.compile(r'(b2b-sb |b2b error |@@ end 40-b2b-sameboot)')
B2B_SB_METRICS = ('alloc_p50_ns', 'alloc_p99_ns')
SB_MODES = 'ASBS'
SB_STANDIN_TOLERANCE = 0.02
# The judged figure's control (issue 19 item 4's review, B2): the 4 KiB close
# of the same boots, where both arms run the same code.
SB_CONTROL = ('close_p50_ns', 4096)
SB_CONTROL_TOLERANCE = 0.02
# Reported beside it: the 4 KiB close p50 (with its own A/A spread) and both
# on 2 vCPUs (no A/A run).
WALL_REPORTED = [('close_p50_ns', 4096)]

# Part 3 (issue 19 item 2): back-to-back rounds, patched/base: allocation
# p99 <= 1.0 at every size, p50 <= 0.5 at 1 MiB and up.
B2B_RX = re.compile(r'b2b len (\d+) rounds (\d+) (.*)')
B2B_KEEP = re.compile(r'(b2b len |b2b-stats |b2b error |b2b done|b2b-vmstat |@@ end 20-b2b )')
B2B_METRICS = ['alloc_p50_ns', 'alloc_p90_ns', 'alloc_p99_ns', 'alloc_max_ns',
               'close_p50_ns', 'close_p99_ns']
B2B_MEM = ['memavail_before_kb', 'memavail_after_kb', 'memavail_dropped_kb']
B2B_STATS = ['reused_pages', 'freed_pages', 'direct_pages', 'shrunk_pages']
B2B_BARS = [('alloc_p99_ns', s, 1.0) for s in SIZES] + [('alloc_p50_ns', s, 0.5) for s in SIZES[1:]]
B2B_MIN_PAIRS = 2
B2B_ROUNDS = 100

PASS, FAIL, INCONCLUSIVE = 'PASS', 'FAIL', 'INCONCLUSIVE'


class Incomplete(Exception):
    pass


def kv(text):
    f = text.split()
    return {f[i]: float(f[i + 1]) for i in range(0, len(f) - 1, 2)}


def parse(lines):
    res = {}
    for line in lines:
        m = RX.match(line.strip())
        if not m:
            continue
        r = kv(m.group(2))
        r['total_cpu_ns_per_mib'] = r['caller_cpu_ns_per_mib'] + r['kthread_cpu_ns_per_mib']
        res[int(m.group(1))] = r
    return res


def parse_b2b(lines, what, patched):
    """{size: {metric: value}} and {size: {stat: value}} of a back-to-back
    boot; raises Incomplete unless the program ran every size to its end."""
    res, stats, done = {}, {}, False
    for line in lines:
        if line.startswith('b2b error '):
            raise Incomplete(f'{what}: the guest program failed: {line}')
        m = B2B_RX.match(line)
        if m:
            if int(m.group(2)) != B2B_ROUNDS:
                raise Incomplete(f'{what}: {m.group(2)} rounds, not {B2B_ROUNDS}')
            res[int(m.group(1))] = kv(m.group(3))
        m = re.match(r'b2b-stats len (\d+) (.*)', line)
        if m:
            stats[int(m.group(1))] = None if m.group(2).strip() == 'absent' else kv(m.group(2))
        done = done or line == 'b2b done'
        m = re.match(r'@@ end 20-b2b rc=(\d+)', line)
        if m and m.group(1) != '0':
            raise Incomplete(f'{what}: the back-to-back workload ended with rc={m.group(1)}')
    if sorted(res) != SIZES or not done:
        raise Incomplete(f'{what}: incomplete results (sizes {sorted(res)}, '
                         f'{"" if done else "no "}"b2b done" line): the guest died or its program failed')
    for s in SIZES:
        missing = [k for k in B2B_METRICS + B2B_MEM if k not in res[s]]
        if missing:
            raise Incomplete(f'{what}: {NAMES[s]} line lacks {", ".join(missing)}')
    if patched:
        for s in SIZES:
            st = stats.get(s)
            if not st or any(k not in st for k in B2B_STATS + ['max_queued_pages']):
                raise Incomplete(f'{what}: no deferred-free stats after {NAMES[s]} on the patched kernel')
    return res, stats


def raw_lines(path, keep=RX):
    if not os.path.exists(path):
        return []
    return [ln.strip() for ln in open(path, errors='replace') if keep.match(ln.strip())]


def counts(rec):
    """(icount pairs, wall pairs = A/A pairs, 2-vCPU pairs, back-to-back pairs)"""
    p = rec['params']
    if 'b2b_pairs' not in p or 'sb_boots' not in p:
        raise Incomplete('recorded before make bench had its same-boot and back-to-back parts: '
                         'run make bench again')
    return p['icount_pairs'], p['pairs'], p['smp2_pairs'], p['b2b_pairs']


def parse_sb(lines, what, knobs=True, prefix='sameboot', sizes=SB_SIZES, metrics=SB_METRICS):
    """{size: {metric: [(A, S, B, S) per quad]}} of a same-boot boot (lines
    of PREFIX: "sameboot", or "b2b-sb" for the back-to-back program); raises
    Incomplete unless the program ran every quad it announced of every size
    to its end, once each, with the knobs of a heap that pools and defers
    (KNOBS) or on a kernel without them (not KNOBS)."""
    rx = re.compile(prefix + r' len (\d+) quad (\d+) slot (\d) mode ([ASB]) (.*)')
    knobs_rx = re.compile(prefix + r' knobs (?:pool_limit_pages (\d+) max_backlog_percent (\d+)|absent) '
                          r'quads (\d+) rounds (\d+)$')
    blocks, done, head = {}, False, None
    for line in lines:
        if line.startswith((f'{prefix} error', 'b2b error')):
            raise Incomplete(f'{what}: the guest program failed: {line}')
        head = head or knobs_rx.match(line)
        m = rx.match(line)
        if m:
            slot, key = int(m.group(3)), (int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if SB_MODES[slot] != m.group(4):
                raise Incomplete(f'{what}: slot {slot} ran mode {m.group(4)}')
            if key in blocks:
                raise Incomplete(f'{what}: block {key} reported twice')
            try:
                blocks[key] = kv(m.group(5))
            except (ValueError, IndexError):
                raise Incomplete(f'{what}: a garbled line: {line}')
        done = done or line == f'{prefix} done'
    if not head:
        raise Incomplete(f'{what}: incomplete same-boot results: no knobs line')
    if knobs and (head.group(1) is None or not int(head.group(1)) or not int(head.group(2))):
        raise Incomplete(f'{what}: the heap as shipped did not pool and defer: {head.group(0)}')
    if not knobs and head.group(1) is not None:
        raise Incomplete(f'{what}: the base kernel has the series\' knobs: {head.group(0)}')
    quads = int(head.group(3))
    if not done or quads < 2 or len(blocks) != len(sizes) * quads * 4 or \
            any((s, q, i) not in blocks for s in sizes for q in range(quads) for i in range(4)):
        raise Incomplete(f'{what}: incomplete same-boot results: the guest died or its program failed')
    if knobs and prefix == 'sameboot':
        for key, b in sorted(blocks.items()):
            why = sb_path_error(key[0], SB_MODES[key[2]], int(head.group(4)), b)
            if why:
                raise Incomplete(f'{what}: block len {key[0]} quad {key[1]} slot {key[2]} '
                                 f'did not run its path: {why}')
    try:
        return {s: {m: [tuple(blocks[(s, q, i)][m] for i in range(4)) for q in range(quads)]
                    for m in metrics} for s in sizes}
    except KeyError as e:
        raise Incomplete(f'{what}: a block lacks {e}')


SB_PATH_KEYS = ('direct_items', 'listed_items', 'pool_hits', 'pool_pages_before')
# Warm-up rounds of each same-boot block (sameboot_block() in dmabuf-pressure.c)
SB_WARMUP = 3


def sb_path_error(size, mode, rounds, b):
    """Why a same-boot block of SIZE in MODE ('A', 'B': the base path, 'S':
    the heap as shipped) did not run that path, from the deltas of the
    debugfs counts it printed (ROUNDS timed rounds after SB_WARMUP warm-up
    ones), or None.  A base-path block starts with empty pools, never hits
    them and, at 1 MiB, frees every close at once; an S block at 1 MiB
    frees no close at once and sends every close through the deferred-free
    list.  At 4 KiB, in both modes, no close reaches deferred_free() (with
    the base path's cap of 0 any that did would count as freed at once) and
    no allocation hits a pool: the same code in both arms, which the 4 KiB
    control relies on."""
    if any(k not in b for k in SB_PATH_KEYS):
        return 'no debugfs counts on its line'
    d, listed, hits, pages = (int(b[k]) for k in SB_PATH_KEYS)
    if pages < 0:
        return 'the debugfs files were missing (a count of -1)'
    closes = rounds + SB_WARMUP
    if size < 1 << 20:
        if (d, listed, hits) != (0, 0, 0) or (mode != 'S' and pages):
            return (f'at {size} bytes {d} closes were freed at once, {listed} listed and {hits} '
                    f'allocations hit a pool ({pages} pooled pages before it), not the same code '
                    'in both arms')
        return None
    if mode != 'S':
        if pages or hits:
            return f'the base path started with {pages} pooled pages and had {hits} pool hits'
        if (d, listed) != (closes, 0):
            return f'the base path freed {d} of {closes} closes at once and listed {listed}'
        return None
    if d or listed != closes:
        return f'the heap as shipped freed {d} of {closes} closes at once and listed {listed}'
    return None


def sb_ratios(quads):
    """(A/B, A/A) of one boot: each block against the mean of the two base
    blocks beside it, so that a drift of the host along the boot cancels:
    the median of S / ((A + B) / 2) for the first S of each quad and of
    S / ((B + next A) / 2) for the second, and the median of
    B / ((A + next A) / 2).  The last quad's second S and B have no next A."""
    def r(x, y, z):
        return x / ((y + z) / 2) if y + z else float('inf')
    ab, aa = [], []
    for i, (a, s1, b, s2) in enumerate(quads):
        ab.append(r(s1, a, b))
        if i + 1 < len(quads):
            nxt = quads[i + 1][0]
            ab.append(r(s2, b, nxt))
            aa.append(r(b, a, nxt))
    return statistics.median(ab), statistics.median(aa)


def load_runs(rec, prefix, slots, n):
    runs = {k: [parse(rec['raw'][f'{prefix}-{k}{i}']) for i in range(1, n + 1)] for k in slots}
    for k, rs in runs.items():
        for i, r in enumerate(rs, 1):
            if sorted(r) != SIZES:
                raise Incomplete(f'{prefix} boot {i} of {k}: incomplete results ({prefix}-{k}{i}.log): '
                                 'the guest died or its program failed')
    return runs


def medians(runs):
    return {k: {s: {m: statistics.median(r[s][m] for r in rs) for m in rs[0][s]}
                for s in SIZES} for k, rs in runs.items() if rs}


def load(rec, kind):
    ic, wall, smp2, _ = counts(rec)
    runs = load_runs(rec, kind, ('base', 'patched'), {'icount': ic, 'wall': wall, 'smp2': smp2}[kind])
    return runs, medians(runs)


def load_b2b(rec):
    n = counts(rec)[3]
    runs, stats = {}, {}
    for prefix, k in (('b2b', 'base'), ('b2b', 'patched'), ('b2baa', 'a'), ('b2baa', 'b')):
        runs[k], stats[k] = [], []
        for i in range(1, n + 1):
            r, st = parse_b2b(rec['raw'][f'{prefix}-{k}{i}'], f'{prefix}-{k}{i}.log', k == 'patched')
            runs[k].append(r)
            stats[k].append(st)
    return runs, stats


def ratio(med, s, m, a='base', b='patched'):
    x = med[a][s][m]
    return med[b][s][m] / x if x else float('inf')


def spread(runs, s, m, a='base', b='patched'):
    rs = [p[s][m] / q[s][m] for q, p in zip(runs[a], runs[b]) if q[s][m]]
    return (min(rs), max(rs)) if rs else None


def aa_spread(runs, s, m):
    """max over the A/A pairs of max(r, 1/r) - 1, r = slot b / slot a."""
    rs = [(q[s][m], p[s][m]) for q, p in zip(runs['a'], runs['b'])]
    if not rs or any(x <= 0 or y <= 0 for x, y in rs):
        return float('inf')
    return max(max(y / x, x / y) for x, y in rs) - 1


def spread_of(ratios):
    """max over RATIOS of max(r, 1/r) - 1"""
    if not ratios or any(r <= 0 or r == float('inf') for r in ratios):
        return float('inf')
    return max(max(r, 1 / r) for r in ratios) - 1


def verdict_wall(r, sp, n_ab, n_aa, bar):
    """Issue 19 item 4: (verdict, reason) of ratio R against BAR with A/A spread SP."""
    if n_ab < WALL_MIN_PAIRS or n_aa < WALL_MIN_PAIRS:
        return INCONCLUSIVE, f'{n_ab} A/B and {n_aa} A/A pairs, the bar needs at least {WALL_MIN_PAIRS} of each'
    if r > bar * (1 + sp):
        return FAIL, f'{R.fmt(r, bar)} > {bar} by more than the A/A spread ({R.fmt(bar * (1 + sp))})'
    if sp > WALL_MAX_SPREAD:
        return INCONCLUSIVE, f'A/A spread {R.fmt(sp, WALL_MAX_SPREAD)} > {WALL_MAX_SPREAD}'
    if r <= bar:
        return PASS, f'{R.fmt(r, bar)} ≤ {bar}, A/A spread {R.fmt(sp, WALL_MAX_SPREAD)} ≤ {WALL_MAX_SPREAD}'
    return INCONCLUSIVE, f'{R.fmt(r, bar)} > {bar} by less than the A/A spread ({R.fmt(bar * (1 + sp))})'


def verdict_b2b(r, sp, n_ab, n_aa, bar):
    """Issue 19 item 2: (verdict, reason); the A/A spread counts against the
    patched kernel for a pass and for it for a fail."""
    if n_ab < B2B_MIN_PAIRS or n_aa < B2B_MIN_PAIRS:
        return INCONCLUSIVE, f'{n_ab} A/B and {n_aa} A/A pairs, the bar needs at least {B2B_MIN_PAIRS} of each'
    if sp == float('inf'):
        return INCONCLUSIVE, 'A/A spread unknown (a zero figure)'
    if r > bar * (1 + sp):
        return FAIL, f'{R.fmt(r, bar)} > {bar} × (1 + A/A spread) = {R.fmt(bar * (1 + sp))}'
    if r * (1 + sp) <= bar:
        return PASS, f'{R.fmt(r, bar)} ≤ {bar} / (1 + A/A spread) = {R.fmt(bar / (1 + sp))}'
    return INCONCLUSIVE, (f'{R.fmt(r, bar)} is within the A/A spread of {bar} '
                          f'({R.fmt(bar / (1 + sp))}-{R.fmt(bar * (1 + sp))})')


def label(m, s):
    what = {'alloc_p50_ns': 'alloc p50', 'alloc_p99_ns': 'alloc p99', 'close_p50_ns': 'close p50',
            'close_p99_ns': 'close p99', 'total_cpu_ns_per_mib': 'CPU per MiB'}[m]
    return f'{what} {NAMES[s]}'


def table(o, runs, med, unit):
    o.append(f'| size | metric | base ({unit}) | patched ({unit}) | patched/base | spread |')
    o.append('|---|---|---:|---:|---:|---|')
    for s in SIZES:
        for m in METRICS:
            sp = spread(runs, s, m)
            r = ratio(med, s, m)
            rt = '-' if r == float('inf') else R.fmt(r)
            st = '-' if sp is None or m == 'kthread_cpu_ns_per_mib' else f'{R.fmt(sp[0])}-{R.fmt(sp[1])}'
            o.append(f"| {NAMES[s]} | {m.replace('_ns', '')} | {med['base'][s][m]:.0f} | "
                     f"{med['patched'][s][m]:.0f} | {rt} | {st} |")


def bars(rec):
    (ic_runs, ic), (w_runs, w) = load(rec, 'icount'), load(rec, 'wall')
    out = []
    for m, s, bar in BARS:
        notes = {}
        for kind, runs in (('icount', ic_runs), ('wall', w_runs)):
            sp = spread(runs, s, m)
            notes[kind] = f'(spread {R.fmt(sp[0])}-{R.fmt(sp[1])})' if sp else ''
        out.append(R.Bar(label(m, s), bar, {'icount': ratio(ic, s, m), 'wall': ratio(w, s, m)},
                         JUDGED, '<=', notes))
    return out


def sameboot_part(rec):
    """The same-boot rows of part 2 (the judged 1 MiB close first), and the
    stand-in check: {size: {metric: B path / base kernel}} in instructions."""
    n = rec['params']['sb_boots']
    boots = [parse_sb(rec['raw'][f'sb-patched{i}'], f'sb-patched{i}.log') for i in range(1, n + 1)]
    ic = parse_sb(rec['raw']['sbic-patched1'], 'sbic-patched1.log')
    icb = parse_sb(rec['raw']['sbic-base1'], 'sbic-base1.log', knobs=False)
    standin = {s: {m: statistics.median(x for a, _, b, _ in ic[s][m] for x in (a, b)) /
                   statistics.median(x for q in icb[s][m] for x in q)
                   for m in ic[s]} for s in SB_SIZES}
    rows = []
    m, s, bar = WALL_BAR
    # The control: at 4 KiB both arms run the same code, so that a 4 KiB
    # ratio off 1 by more than its own A/A spread (and SB_CONTROL_TOLERANCE)
    # is a bias of the protocol, which a pass must not rest on.
    # Any verdict, not only a pass: a biased protocol can make a fail too.
    c = [sb_ratios(b[SB_CONTROL[1]][SB_CONTROL[0]]) for b in boots]
    c_r = statistics.median(x for x, _ in c) if c else float('inf')
    c_tol = max(spread_of([y for _, y in c]) if c else float('inf'), SB_CONTROL_TOLERANCE)
    c_off = not (abs(c_r - 1) <= c_tol < float('inf'))
    for mm, ss, judged in [(m, s, True)] + [(x, y, False) for x, y in WALL_REPORTED]:
        per = [sb_ratios(b[ss][mm]) for b in boots]
        ab, aa = [x * max(1.0, standin[ss][mm]) for x, _ in per], [y for _, y in per]
        r, sp = (statistics.median(ab), spread_of(aa)) if per else (float('inf'), float('inf'))
        dev = abs(standin[ss][mm] - 1)
        if not judged:
            v, why = 'reported', ''
        elif dev > SB_STANDIN_TOLERANCE:
            v, why = INCONCLUSIVE, (f'the base path ran {R.fmt(standin[ss][mm])}x the base kernel\'s '
                                    f'instructions, not within {SB_STANDIN_TOLERANCE} of 1')
        else:
            v, why = verdict_wall(r, sp, n, n, bar)
            if c_off and n >= WALL_MIN_PAIRS:
                v, why = INCONCLUSIVE, (f'the {label(*SB_CONTROL)} control, the same code in both arms, '
                                        f'ran {R.fmt(c_r)}x, off 1 by more than {R.fmt(c_tol)} '
                                        f'(its A/A spread or {SB_CONTROL_TOLERANCE}): {v} not judged')
        mid = lambda pick: statistics.median(statistics.median(pick(*x) for x in bt[ss][mm])  # noqa: E731
                                             for bt in boots) if boots else 0
        rows.append({'figure': f'{label(mm, ss)}, 1 vCPU, same boot', 'pairs': n,
                     'base': mid(lambda a, s1, b, s2: (a + b) / 2),
                     'patched': mid(lambda a, s1, b, s2: (s1 + s2) / 2),
                     'ratio': r, 'spread': (min(ab), max(ab)) if ab else None, 'aa': aa, 'aa_spread': sp,
                     'bar': bar if judged else None, 'verdict': v, 'reason': why,
                     'standin': standin[ss][mm]})
    return rows


def wall_part(rec):
    """The rows of part 2: (figure, pairs, base, patched, ratio, per-pair spread,
    A/A pairs, A/A ratios, A/A spread, bar, verdict, reason); the judged
    same-boot row first, then the cross-boot ones, reported."""
    _, n, n2, _ = counts(rec)
    runs = load_runs(rec, 'wall', ('base', 'patched'), n)
    runs.update(load_runs(rec, 'aa', ('a', 'b'), n))
    med = medians(runs)
    rows = sameboot_part(rec)
    m, s, _ = WALL_BAR
    for mm, ss in [(m, s)] + WALL_REPORTED:
        r, sp = ratio(med, ss, mm), aa_spread(runs, ss, mm)
        aar = [q[ss][mm] and p[ss][mm] / q[ss][mm] for q, p in zip(runs['a'], runs['b'])]
        rows.append({'figure': f'{label(mm, ss)}, 1 vCPU, across boots', 'pairs': n, 'base': med['base'][ss][mm],
                     'patched': med['patched'][ss][mm], 'ratio': r, 'spread': spread(runs, ss, mm),
                     'aa': aar, 'aa_spread': sp, 'bar': None,
                     'verdict': 'reported', 'reason': ''})
    if n2:
        r2 = load_runs(rec, 'smp2', ('base', 'patched'), n2)
        med2 = medians(r2)
        for mm, ss in [(m, s)] + WALL_REPORTED:
            rows.append({'figure': f'{label(mm, ss)}, 2 vCPUs', 'pairs': n2,
                         'base': med2['base'][ss][mm], 'patched': med2['patched'][ss][mm],
                         'ratio': ratio(med2, ss, mm), 'spread': spread(r2, ss, mm), 'aa': [],
                         'aa_spread': None, 'bar': None, 'verdict': 'reported', 'reason': ''})
    return rows


def b2b_part(rec):
    n = counts(rec)[3]
    runs, stats = load_b2b(rec)
    med = medians(runs)
    rows = []
    for m, s, bar in B2B_BARS:
        r, sp = ratio(med, s, m), aa_spread(runs, s, m)
        v, why = verdict_b2b(r, sp, n, n, bar)
        rows.append({'bar': label(m, s), 'metric': m, 'size': s, 'limit': bar,
                     'base': med['base'][s][m], 'patched': med['patched'][s][m], 'ratio': r,
                     'spread': spread(runs, s, m), 'aa_spread': sp, 'verdict': v, 'reason': why})
    return rows, runs, stats, med


def judged(rec):
    """[(part, bar name, verdict, reason)] of every judged bar, and the
    verdict line."""
    out = []
    for b in bars(rec):
        out.append(('paced, instructions', b.name, PASS if b.judged_met() else FAIL,
                    '' if b.judged_met() else b.miss_text(b.judged)))
    for row in wall_part(rec):
        if row['bar'] is not None:
            out.append(('wall clock', row['figure'], row['verdict'], row['reason']))
    for row in b2b_part(rec)[0]:
        out.append(('back-to-back', row['bar'], row['verdict'], row['reason']))
    return out, verdict_line(out)


def verdict_line(items):
    fails = [i for i in items if i[2] == FAIL]
    inc = [i for i in items if i[2] == INCONCLUSIVE]
    passed = len(items) - len(fails) - len(inc)
    word = FAIL if fails else INCONCLUSIVE if inc else PASS
    s = f'make bench: {word}: {passed} of {len(items)} judged bars pass'
    for what, lst in (('failed', fails), ('inconclusive', inc)):
        if lst:
            s += f'; {what}: ' + '; '.join(f'{n} ({p}): {why}' for p, n, _, why in lst)
    return s


def pct_list(xs):
    return ', '.join(R.fmt(x) for x in xs)


def render_wall(o, rec):
    rows = wall_part(rec)
    sb = next(w for w in rows if w['bar'] is not None)
    o += ['## The 1 MiB close on the wall clock, against an A/A floor\n',
          f'Issue 19 item 4: the 1 MiB close p50 of paced rounds must be ≤ {WALL_BAR[2]:.2f} of the',
          f'base\'s over ≥ {WALL_MIN_PAIRS} pairs, and an A/A run of ≥ {WALL_MIN_PAIRS} pairs must show a spread',
          f'≤ {WALL_MAX_SPREAD}. Judged in the same boot (BENCHMARKING.md\'s first protocol):',
          f'{sb["pairs"]} boots of the patched kernel, 1 vCPU, 512 MiB, each running',
          '`dmabuf-pressure sameboot 48 20`: 48 quads of blocks A S B S, each block 20',
          'paced allocate-then-close rounds (after 3 warm-up rounds) at 4 KiB and at',
          '1 MiB. S is the heap as shipped; A and B are its base path, the pools and',
          'the deferred free turned off at run time (system_heap.pool_limit_pages=0,',
          'deferred_free_helper.max_backlog_percent=0): the allocation and the free',
          'of 6.12 through the same functions as the heap as shipped. One boot is',
          'one pair: each block is set against the mean of the two base blocks',
          'beside it (so that a drift of the host along the boot cancels), its',
          'A/B ratio the median of S / mean(neighbours) and its A/A ratio the',
          'median of B / mean(A before, A after); the figure is the median of the',
          'boots\' A/B ratios, the A/A spread max over the boots of max(r, 1/r) - 1.',
          'The base path stands in for the base kernel only while the same program',
          'under `-icount shift=0` (one boot of each kernel, 2 quads) finds its',
          f'instructions within {SB_STANDIN_TOLERANCE} of the base kernel\'s (here {R.fmt(sb["standin"])}x for this',
          'figure), else the bar is INCONCLUSIVE; a base path dearer than the base',
          'kernel counts against the series: the ratios are multiplied by that',
          'factor when it is over 1. Before each block the program waits for the',
          'kthread to go idle and, before a base-path block, for the pools to trim',
          'themselves to nothing; after it, it prints the deltas of the debugfs',
          'counts, and a block whose counts show another path than its mode\'s',
          '(a base-path block with pool hits or, at 1 MiB, a close not freed at',
          'once; an S block at 1 MiB that freed a close at once or did not send',
          'every close through the deferred-free list; at 4 KiB, in either mode, a',
          'close that reached the list or a pool hit) makes the results incomplete.',
          'Verdict, in',
          f'this order: INCONCLUSIVE with fewer than {WALL_MIN_PAIRS} pairs; FAIL if the ratio exceeds',
          'the bar by more than the A/A spread (ratio > bar × (1 + spread));',
          f'INCONCLUSIVE if the spread is over {WALL_MAX_SPREAD}; PASS if the ratio is ≤ the bar;',
          'otherwise INCONCLUSIVE (over the bar by less than the spread). Any of',
          'these becomes INCONCLUSIVE when the control, the 4 KiB close of the same',
          'boots (the same code in both arms, which the counts check), is off 1 by',
          f'more than its own A/A spread and by more than {SB_CONTROL_TOLERANCE}: its ratio is taken',
          'without the stand-in factor, and it sees a bias of the slots and of the',
          'knob changes, not one that exists at 1 MiB only.\n',
          'Reported, not judged: the 4 KiB figure of the same boots; the same figures',
          'across boots (the wall-clock pairs of part 1, base kernel against patched',
          'kernel, with A/A pairs of the base kernel booted in both slots of a pair',
          'in the same rounds: on this host consecutive boots of one kernel differ',
          'by far more than 0.05 in these figures); and the 2-vCPU boots (same',
          'program, 512 MiB, no A/A run).\n',
          '| figure | pairs | base (ns) | patched (ns) | patched/base | per-pair spread | '
          'A/A ratios | A/A spread | bar | verdict |',
          '|---|---:|---:|---:|---:|---|---|---:|---:|---|']
    for w in rows:
        sp = w['spread']
        o.append(f"| {w['figure']} | {w['pairs']} | {w['base']:.0f} | {w['patched']:.0f} | "
                 f"{R.fmt(w['ratio'], w['bar'])} | "
                 f"{'-' if sp is None else R.fmt(sp[0]) + '-' + R.fmt(sp[1])} | "
                 f"{pct_list(w['aa']) if w['aa'] else '-'} | "
                 f"{'-' if w['aa_spread'] is None else R.fmt(w['aa_spread'], WALL_MAX_SPREAD)} | "
                 f"{'-' if w['bar'] is None else '≤ ' + format(w['bar'], '.2f')} | "
                 f"{w['verdict']}{': ' + w['reason'] if w['reason'] else ''} |")
    o.append('')


def render_b2b(o, rec):
    n = counts(rec)[3]
    smp = rec['params'].get('b2b_smp', 2)
    rows, runs, stats, med = b2b_part(rec)
    o += ['## Back-to-back rounds, against an A/A floor\n',
          f'Issue 19 item 2: `harness/guest/src/heap-b2b.c` in a 256 MiB guest with {smp}',
          f'vCPU{"s" if smp != 1 else ""}, wall clock: {B2B_ROUNDS} allocate+close rounds per size with no pause',
          'between them, from drained pools (drop_caches after each size, on both',
          f'kernels); {n} pairs of base and patched boots and {n} A/A pairs (the base',
          'kernel in both slots), in the same rounds. Percentiles are nearest-rank',
          f'(p99 of {B2B_ROUNDS} is the second largest). Figures: medians over the boots of each',
          'kernel. Bars (patched/base): allocation p99 ≤ 1.0 at every size, p50 ≤ 0.5',
          'at 1 MiB and up. A/A spread as above, per figure. The issue sets no limit',
          'on the spread here, so it is counted against the patched kernel for a',
          'pass and for it for a fail: PASS if ratio × (1 + spread) ≤ bar, FAIL if',
          'ratio > bar × (1 + spread), INCONCLUSIVE in between (and with fewer than',
          f'{B2B_MIN_PAIRS} pairs of either).\n',
          '| judged bar | limit | base (ns) | patched (ns) | patched/base | per-pair spread | '
          'A/A spread | verdict |',
          '|---|---:|---:|---:|---:|---|---:|---|']
    for b in rows:
        sp = b['spread']
        o.append(f"| {b['bar']} | ≤ {b['limit']} | {b['base']:.0f} | {b['patched']:.0f} | "
                 f"{R.fmt(b['ratio'], b['limit'])} | "
                 f"{'-' if sp is None else R.fmt(sp[0]) + '-' + R.fmt(sp[1])} | "
                 f"{R.fmt(b['aa_spread'])} | {b['verdict']}: {b['reason']} |")
    o += ['', '### Back-to-back figures (medians; A/A: base kernel, second slot / first)\n',
          '| size | metric | base | patched | patched/base | A/A spread |',
          '|---|---|---:|---:|---:|---:|']
    for s in SIZES:
        for m in B2B_METRICS:
            o.append(f"| {NAMES[s]} | {m.replace('_ns', '')} (ns) | {med['base'][s][m]:.0f} | "
                     f"{med['patched'][s][m]:.0f} | {R.fmt(ratio(med, s, m))} | "
                     f"{R.fmt(aa_spread(runs, s, m))} |")
        for m in B2B_MEM:
            o.append(f"| {NAMES[s]} | {m.replace('_kb', '')} (kB) | {med['base'][s][m]:.0f} | "
                     f"{med['patched'][s][m]:.0f} | - | - |")
    o += ['', 'MemAvailable: before the burst, right after it, and after drop_caches.',
          '', '### Deferred-free statistics of the patched kernel\n',
          'From `/sys/kernel/debug/deferred_free/system/stats` after each size\'s',
          'drop_caches: pages of that size\'s burst (the difference from the previous',
          'size) and the backlog\'s high-water mark since boot; one column per boot.\n',
          '| size | ' + ' | '.join(f'boot {i}' for i in range(1, n + 1)) + ' |',
          '|---|' + '---|' * n]
    for s in SIZES:
        cells = []
        for st in stats['patched']:
            prev = st[SIZES[SIZES.index(s) - 1]] if s != SIZES[0] else None
            d = {k: st[s][k] - (prev[k] if prev else 0) for k in B2B_STATS}
            cells.append(', '.join(f'{k} {d[k]:.0f}' for k in B2B_STATS)
                         + f', max_queued_pages {st[s]["max_queued_pages"]:.0f}')
        o.append(f'| {NAMES[s]} | ' + ' | '.join(cells) + ' |')
    o.append('')
    render_b2b_sb(o, rec)


def b2b_sb_part(rec):
    """Rows of the same-boot back-to-back figures: per size and metric the
    boots' A/B and A/A ratios (as sb_ratios()) and the median A/B ratio."""
    n = rec['params'].get('b2b_sb_boots', 0)
    boots = [parse_sb(rec['raw'][f'b2bsb-patched{i}'], f'b2bsb-patched{i}.log', prefix='b2b-sb',
                      sizes=SIZES, metrics=B2B_SB_METRICS) for i in range(1, n + 1)]
    rows = []
    for s in SIZES:
        for m in B2B_SB_METRICS:
            per = [sb_ratios(b[s][m]) for b in boots]
            rows.append({'size': s, 'metric': m, 'ab': [x for x, _ in per], 'aa': [y for _, y in per],
                         'ratio': statistics.median(x for x, _ in per) if per else None})
    return n, rows


def render_b2b_sb(o, rec):
    n, rows = b2b_sb_part(rec)
    smp = rec['params'].get('b2b_smp', 2)
    o += ['### Back to back in the same boot (reported, not judged)\n',
          f'{n} boot{"s" if n != 1 else ""} of the patched kernel, 256 MiB, {smp} vCPU{"s" if smp != 1 else ""}, running',
          '`heap-b2b sameboot 8 100`: after one untimed burst of every size in each',
          'mode (so that both modes find memory the guest has written), 8 quads of',
          f'bursts A S B S of {B2B_ROUNDS} rounds per size, each from drained pools, S the heap as',
          'shipped and A, B its base path (as in part 2). Ratios as in part 2: each',
          'burst against the mean of its two base neighbours, median per boot; A/A:',
          'B against the mean of the A bursts beside it. Not judged: the issue\'s',
          'bars for this part compare with the base kernel across boots (above).\n']
    if not n:
        o += ['No same-boot back-to-back boots in this run (B2B_SB_BOOTS=0).', '']
        return
    o += ['| size | metric | S/B per boot | A/A per boot | median S/B |', '|---|---|---|---|---:|']
    for r in rows:
        o.append(f"| {NAMES[r['size']]} | {r['metric'].replace('_ns', '')} | {pct_list(r['ab'])} | "
                 f"{pct_list(r['aa'])} | {R.fmt(r['ratio'])} |")
    o.append('')


def render_md(rec):
    """(the text of heap-bench.md, a judged bar failed or is inconclusive?)"""
    ic_n, pairs, n2, nb = counts(rec)
    ic_runs, ic = load(rec, 'icount')
    w_runs, w = load(rec, 'wall')
    bs = bars(rec)
    summary, _ = R.bars_summary(bs)
    items, line = judged(rec)
    o = ['# dma-buf system heap: base kernel against the patched kernel\n',
         'Generated by `make bench` (harness/bench-heap.sh): alternating boots of the',
         'base and the patched bench kernel, QEMU TCG, `-cpu Nehalem`, in three',
         'parts, each judged on its own bars.\n',
         '1. Paced rounds: the static guest program',
         '   (`harness/guest/src/dmabuf-pressure.c bench`), 1 vCPU, 512 MiB,',
         f'   {ic_n} pairs under `-icount shift=0` (figures are guest instructions:',
         f'   deterministic; they judge this part\'s bars) and {pairs} pairs on the wall',
         '   clock (ns, reported). Each size: 3 warm-up rounds, then',
         '   allocate-then-close rounds (400, 100, 30, 15) with a pause after each',
         '   close that lets deferred work finish (the same pause on both kernels),',
         '   so "alloc" is a warm-pool allocation on the patched kernel. Figures are',
         '   the median over the boots of each kernel; "spread" is the lowest and',
         '   highest patched/base ratio of the pairs. CPU time: the caller\'s and the',
         '   deferred-free kthread\'s (`dfree-system`), from /proc/<pid>/schedstat,',
         '   per MiB allocated; the caller\'s includes its pauses\' wake-ups, the',
         '   same on both kernels.',
         f'2. The 1 MiB close p50 on the wall clock, judged in {rec["params"]["sb_boots"]} boots that',
         '   alternate the heap as shipped with its base path against an A/A floor',
         f'   in the same boot; the cross-boot wall-clock pairs, their {pairs} A/A pairs',
         f'   and {n2} pairs on 2 vCPUs reported beside it.',
         f'3. Back-to-back rounds (`harness/guest/src/heap-b2b.c`), {nb} pairs and {nb}',
         '   A/A pairs, judged against their A/A floor; the same case in',
         f'   {rec["params"].get("b2b_sb_boots", 0)} same-boot boots of the patched kernel reported beside it.',
         '',
         line,
         '']
    o += R.provenance(rec)
    o += ['## Bars (patched/base)\n'] + R.bars_legend() + R.bars_table(bs) + ['', summary, '']
    render_wall(o, rec)
    render_b2b(o, rec)
    o += ['## Instruction counts (`-icount shift=0`)\n']
    table(o, ic_runs, ic, 'insns')
    o += ['', '## Wall clock\n']
    table(o, w_runs, w, 'ns')
    o.append('\n![p50 per call, base and patched: paced (instructions, wall clock) and '
             'back-to-back allocations](heap-bench.png)\n')
    o += R.measured_files_section(rec)
    return '\n'.join(o) + '\n', not line.startswith(f'make bench: {PASS}')


def plot(rec, outdir):
    ic_n, pairs, _, nb = counts(rec)
    _, ic = load(rec, 'icount')
    _, w = load(rec, 'wall')
    bmed = medians(load_b2b(rec)[0])
    with tempfile.TemporaryDirectory() as tmp:
        dat = f'{tmp}/plot.dat'
        with open(dat, 'w') as f:
            for s in SIZES:
                f.write(f'"{NAMES[s]}" ' + ' '.join(f"{med[k][s][m] / 1000:.2f}" for med in (ic, w)
                                                   for k in ('base', 'patched')
                                                   for m in ('alloc_p50_ns', 'close_p50_ns'))
                        + ' ' + ' '.join(f"{bmed[k][s][m] / 1000:.2f}" for k in ('base', 'patched')
                                         for m in ('alloc_p50_ns', 'alloc_p99_ns')) + '\n')
        gp = f'''set terminal pngcairo size 1600,480 noenhanced
set output "{outdir}/heap-bench.png"
set multiplot layout 1,3 title "dma-buf system heap, base vs patched (QEMU TCG; paced: {ic_n} icount and {pairs} wall-clock pairs, 1 vCPU; back-to-back: {nb} pairs)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set logscale y
set key top left
set title "paced p50, guest instructions (-icount shift=0)"
set ylabel "thousand instructions (log scale)"
plot "{dat}" using 2:xtic(1) title "alloc, base", "" using 4 title "alloc, patched", \\
     "" using 3 title "close, base", "" using 5 title "close, patched"
set title "paced p50, wall clock"
set ylabel "microseconds (log scale)"
plot "{dat}" using 6:xtic(1) title "alloc, base", "" using 8 title "alloc, patched", \\
     "" using 7 title "close, base", "" using 9 title "close, patched"
set title "back-to-back allocation, wall clock"
set ylabel "microseconds (log scale)"
plot "{dat}" using 10:xtic(1) title "p50, base", "" using 12 title "p50, patched", \\
     "" using 11 title "p99, base", "" using 13 title "p99, patched"
unset multiplot
'''
        try:
            subprocess.run(['gnuplot'], input=gp, text=True, check=False)
        except FileNotFoundError:
            print('gnuplot is missing: heap-bench.png not drawn', file=sys.stderr)


def record(d, pairs, icount_pairs, smp2_pairs, b2b_pairs):
    rec = R.read_logdir_meta(d, NAME)
    kthread = open(f'{d}/kthread').read().strip() if os.path.exists(f'{d}/kthread') else 'dfree-'
    smp = int(open(f'{d}/b2b_smp').read()) if os.path.exists(f'{d}/b2b_smp') else 2
    sb = int(open(f'{d}/sb_boots').read()) if os.path.exists(f'{d}/sb_boots') else 0
    b2bsb = int(open(f'{d}/b2b_sb_boots').read()) if os.path.exists(f'{d}/b2b_sb_boots') else 0
    rec['params'] = {'pairs': pairs, 'icount_pairs': icount_pairs, 'smp2_pairs': smp2_pairs,
                     'b2b_pairs': b2b_pairs, 'b2b_smp': smp, 'kthread': kthread, 'sb_boots': sb,
                     'b2b_sb_boots': b2bsb}
    logs = [(f'icount-{k}{i}', RX) for k in ('base', 'patched') for i in range(1, icount_pairs + 1)]
    logs += [(f'{p}-{k}{i}', RX) for p, ks in (('wall', ('base', 'patched')), ('aa', ('a', 'b')))
             for k in ks for i in range(1, pairs + 1)]
    logs += [(f'smp2-{k}{i}', RX) for k in ('base', 'patched') for i in range(1, smp2_pairs + 1)]
    logs += [(f'{p}-{k}{i}', B2B_KEEP) for p, ks in (('b2b', ('base', 'patched')), ('b2baa', ('a', 'b')))
             for k in ks for i in range(1, b2b_pairs + 1)]
    logs += [(f'sb-patched{i}', SB_KEEP) for i in range(1, sb + 1)]
    logs += [('sbic-patched1', SB_KEEP), ('sbic-base1', SB_KEEP)]
    logs += [(f'b2bsb-patched{i}', B2B_SB_KEEP) for i in range(1, b2bsb + 1)]
    rec['raw'] = {name: raw_lines(f'{d}/{name}.log', keep) for name, keep in logs}
    return rec


def render(rec, outdir):
    text, failed = render_md(rec)
    with open(f'{outdir}/{NAME}.md', 'w') as f:
        f.write(text)
    plot(rec, outdir)
    print(text, end='')
    print(judged(rec)[1])
    return 1 if failed else 0


def main(argv):
    if argv and argv[0] != '--render' and len(argv) != 6:
        print('usage: bench_heap_table.py LOGDIR PAIRS ICOUNT_PAIRS SMP2_PAIRS B2B_PAIRS OUTDIR'
              ' | --render JSON [OUTDIR]', file=sys.stderr)
        return 2
    try:
        return R.table_main(argv, NAME, 4, record, render_md, render)
    except Incomplete as e:
        print(f'make bench: FAIL: incomplete results: {e}')
        return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

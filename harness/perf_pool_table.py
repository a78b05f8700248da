#!/usr/bin/env python3
"""perf_pool_table.py: the tables and bars of make perf-pool.

  perf_pool_table.py LOGDIR BOOTS ICOUNT OUTDIR
      Reads LOGDIR/wall<i>.log and LOGDIR/icount<i>.log (KUnit console logs
      of the pp_test_perf_* cases, from harness/perf-pool.sh) and what
      perf-pool.sh recorded beside them (started, command, loadavg,
      measured.json), keeps the cases' result lines of every boot and that
      record in OUTDIR/page-pool-perf.json, and renders it.
  perf_pool_table.py --render JSON [OUTDIR]
      Renders JSON again (after a change to this script), into OUTDIR
      (default: the folder of JSON).

Rendering writes OUTDIR/page-pool-perf.md and prints it: per-operation
figures, the ratios against the buddy allocator measured in the same boot,
and the bars, each in both metrics with a verdict each on the unrounded
value: the median over the boots of each kind of the per-boot ratio.  The
bars are judged on the instruction counts (deterministic), the wall clock is
reported.  Exit status 1 if a bar is missed on the metric it is judged on, 2
if a boot's figures are incomplete."""
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_stale as R  # noqa: E402

NAME = 'page-pool-perf'
OPS = ['alloc+zero', 'free', 'clear', 'give', 'take', 'cycle', 'buddy-cycle',
       'clear-aa', 'free-aa']
ORDERS = [0, 4, 8]
RX_OPS = re.compile(r'# pp_test_perf_ops:\s+(\d+)((?:\s+\d+){9})\s')
RX_DRAIN = re.compile(r'# pp_test_perf_drain:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s')
# A/A: the buddy allocator's reference of a bar, timed twice in each boot.
# Its ratio is the noise floor of the bar's ratio in that metric.
AA_OF = {'give/(clear+free)': 'a/a clear+free', 'drain/free': 'a/a free'}
BARS = {'take/alloc': {0: 0.5, 4: 0.2, 8: 0.2},
        'give/(clear+free)': {o: 1.2 for o in ORDERS},
        'cycle/buddy-cycle': {o: 1.1 for o in ORDERS},
        'drain/free': {o: 1.5 for o in ORDERS}}
JUDGED = 'icount'


def parse(lines, what):
    ops, drain = {}, {}
    for line in lines:
        m = RX_OPS.search(line + '\n')
        if m:
            ops[int(m.group(1))] = dict(zip(OPS, map(int, m.group(2).split())))
        m = RX_DRAIN.search(line + '\n')
        if m:
            drain[int(m.group(1))] = {'drain': int(m.group(2)), 'free': int(m.group(3)),
                                      'free-aa': int(m.group(4))}
    if sorted(ops) != ORDERS or sorted(drain) != ORDERS:
        raise SystemExit(f'{what}: incomplete figures (ops {sorted(ops)}, drain {sorted(drain)})')
    return ops, drain


def raw_lines(path):
    if not os.path.exists(path):
        return []
    return [ln.strip() for ln in open(path, errors='replace')
            if RX_OPS.search(ln) or RX_DRAIN.search(ln)]


def ratios(ops, drain):
    r = {}
    for o in ORDERS:
        f = ops[o]
        r[('take/alloc', o)] = f['take'] / f['alloc+zero']
        r[('give/(clear+free)', o)] = f['give'] / (f['clear'] + f['free'])
        r[('cycle/buddy-cycle', o)] = f['cycle'] / f['buddy-cycle']
        r[('drain/free', o)] = drain[o]['drain'] / drain[o]['free']
        r[('a/a clear+free', o)] = (f['clear-aa'] + f['free-aa']) / (f['clear'] + f['free'])
        r[('a/a free', o)] = drain[o]['free-aa'] / drain[o]['free']
    return r


def noise(per, metric, name, o):
    """The A/A factor of bar NAME at order O in METRIC: the largest
    deviation from 1 of its reference's A/A ratio over the boots (1.25 for
    ratios of 0.8 or 1.25), or None for a bar without A/A."""
    if name not in AA_OF:
        return None
    return max(max(r[(AA_OF[name], o)], 1 / r[(AA_OF[name], o)]) for r in per[metric])


def load(rec):
    p = rec['params']
    wall = [parse(rec['raw'][f'wall{i}'], f'wall{i}.log') for i in range(1, p['boots'] + 1)]
    ic = [parse(rec['raw'][f'icount{i}'], f'icount{i}.log') for i in range(1, p['icount'] + 1)]
    return wall, ic


def bars(rec):
    wall, ic = load(rec)
    per = {'icount': [ratios(*b) for b in ic], 'wall': [ratios(*b) for b in wall]}
    out = []
    for name in BARS:
        for o in ORDERS:
            bar = BARS[name][o]
            values, notes = {}, {}
            for m, rs in per.items():
                vs = [r[(name, o)] for r in rs]
                values[m] = statistics.median(vs)
                over = sum(v > bar for v in vs)
                f = noise(per, m, name, o)
                aa = '' if f is None else f'; A/A noise ×{f:.3f}'
                notes[m] = (f'(per boot: {", ".join(R.fmt(v, bar) for v in vs)}; '
                            f'over the bar in {over} of {len(vs)}{aa})')
            out.append(R.Bar(f'{name} order {o}', bar, values, JUDGED, '<=', notes))
    return out


def aa_section(rec):
    """The A/A noise floor: each bar's reference timed twice per boot."""
    wall, ic = load(rec)
    per = {'icount': [ratios(*b) for b in ic], 'wall': [ratios(*b) for b in wall]}
    o = ['', '## A/A noise floor\n',
         'The buddy allocator against itself in the same boot: clear_page +',
         '__free_pages, the reference of the give, timed a second time right after the',
         'first in every batch; __free_pages of 64 MiB, the reference of the drain, timed',
         'twice in every repetition. The A/A ratio (second / first) would be 1.000 on a',
         'quiet, deterministic machine; "noise ×f" is its largest deviation over the',
         'boots, f = max(A/A, 1/A/A). A wall-clock ratio above its bar but at most',
         'bar × f is within the noise of the measurement itself.\n',
         '| reference | order | instructions, per boot | wall clock, per boot | noise ×f (wall) |',
         '|---|---:|---|---|---:|']
    for name, aa in AA_OF.items():
        for k in ORDERS:
            iv = ', '.join(f'{r[(aa, k)]:.3f}' for r in per['icount'])
            wv = ', '.join(f'{r[(aa, k)]:.3f}' for r in per['wall'])
            o.append(f'| {aa} (for {name}) | {k} | {iv} | {wv} | {noise(per, "wall", name, k):.3f} |')
    verdicts = []
    for b in bars(rec):
        name, k = b.name.rsplit(' order ', 1)
        f = noise(per, 'wall', name, int(k))
        if f is None or b.met('wall'):
            continue
        within = b.values['wall'] <= b.limit * f
        verdicts.append(f'{b.name}: wall clock {b.values["wall"]:.3f} > {b.limit}, '
                        + (f'within the A/A noise (≤ {b.limit} × {f:.3f} = {b.limit * f:.3f})'
                           if within else f'beyond the A/A noise ({b.limit} × {f:.3f} = {b.limit * f:.3f})'))
    o.append('')
    o.append('Wall-clock misses of bars with an A/A reference: '
             + ('; '.join(verdicts) if verdicts else 'none') + '.')
    return o


def render_md(rec):
    """(the text of page-pool-perf.md, a judged bar missed?)"""
    boots, icount = rec['params']['boots'], rec['params']['icount']
    wall, ic = load(rec)
    bs = bars(rec)
    summary, failed = R.bars_summary(bs)
    o = ['# drm_page_pool: performance against the buddy allocator\n',
         'Generated by `make perf-pool` (harness/perf-pool.sh): the KUnit cases',
         '`drm_page_pool_perf.pp_test_perf_ops` and `pp_test_perf_drain` of the patched',
         f'KUnit kernel, {boots} ordinary boots (QEMU TCG, 2 vCPUs, `-cpu Nehalem`) and',
         f'{icount} boots under `-icount shift=0` (1 vCPU), where guest time advances one',
         'nanosecond per guest instruction. Each figure is the median of 15 batches',
         '(1024, 128 and 16 blocks for orders 0, 4 and 8) or of 5 drains of 64 MiB,',
         'per block of the given order; every ratio compares two figures of the same boot.',
         'Under TCG `rep stosq` (clear_page) is emulated per element, which inflates',
         'everything that zeroes. Wall-clock figures also move with the host\'s load;',
         'instruction counts do not.',
         '']
    o += R.provenance(rec)
    o += ['## Bars\n',
          'Each ratio is the median, over the boots of one kind, of the ratio within',
          'each boot; the value of every boot is printed beside it.\n']
    o += R.bars_legend() + R.bars_table(bs) + ['', summary]
    o += aa_section(rec)

    head = ('| order | alloc_pages(__GFP_ZERO) | __free_pages | clear_page | give | warm take | '
            'take+give | alloc+free cycle | clear_page A/A | __free_pages A/A | '
            '64 MiB shrinker drain | 64 MiB __free_pages | 64 MiB __free_pages A/A |')
    o += ['', '## Instruction counts per block (`-icount shift=0`, boot 1)\n', head,
          '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    ops, drain = ic[0]
    for k in ORDERS:
        f = ops[k]
        o.append(f"| {k} | {f['alloc+zero']} | {f['free']} | {f['clear']} | {f['give']} | "
                 f"{f['take']} | {f['cycle']} | {f['buddy-cycle']} | {f['clear-aa']} | "
                 f"{f['free-aa']} | {drain[k]['drain']} | {drain[k]['free']} | "
                 f"{drain[k]['free-aa']} |")
    if icount > 1:
        worst = 0.0
        for other in ic[1:]:
            for k in ORDERS:
                for op in OPS:
                    a, b = ops[k][op], other[0][k][op]
                    worst = max(worst, abs(a - b) / max(a, 1))
                for op in ('drain', 'free', 'free-aa'):
                    a, b = drain[k][op], other[1][k][op]
                    worst = max(worst, abs(a - b) / max(a, 1))
        o.append(f'\nLargest difference between the {icount} instruction-count boots: '
                 f'{worst * 100:.2f}%.')
    o += ['', f'## Wall clock per block (ns, median of the {boots} boots)\n', head,
          '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for k in ORDERS:
        cells = [statistics.median(b[0][k][op] for b in wall) for op in OPS]
        cells += [statistics.median(b[1][k][x] for b in wall) for x in ('drain', 'free', 'free-aa')]
        o.append(f'| {k} | ' + ' | '.join(f'{c:.0f}' for c in cells) + ' |')
    o.append('')
    o += R.measured_files_section(rec)
    return '\n'.join(o) + '\n', failed


def record(d, boots, icount):
    rec = R.read_logdir_meta(d, NAME)
    rec['params'] = {'boots': boots, 'icount': icount}
    rec['raw'] = {f'{kind}{i}': raw_lines(f'{d}/{kind}{i}.log')
                  for kind, n in (('wall', boots), ('icount', icount)) for i in range(1, n + 1)}
    return rec


def render(rec, outdir):
    text, failed = render_md(rec)
    with open(f'{outdir}/{NAME}.md', 'w') as f:
        f.write(text)
    print(text, end='')
    return 1 if failed else 0


def main(argv):
    return R.table_main(argv, NAME, 2, record, render_md, render)

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

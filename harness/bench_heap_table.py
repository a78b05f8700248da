#!/usr/bin/env python3
"""bench_heap_table.py: the tables, the plot and the bars of make bench.

  bench_heap_table.py LOGDIR PAIRS OUTDIR
      Reads LOGDIR/{icount,wall}-{base,patched}<i>.log (the consoles of the
      alternating boots of harness/bench-heap.sh) and what bench-heap.sh
      recorded beside them (started, command, loadavg, measured.json), keeps
      the guest's result lines of every boot and that record in
      OUTDIR/heap-bench.json, and renders it.
  bench_heap_table.py --render JSON [OUTDIR]
      Renders JSON again (after a change to this script), into OUTDIR
      (default: the folder of JSON).

Rendering writes OUTDIR/heap-bench.md and heap-bench.png (gnuplot).  For
every metric: the median over the boots of each kernel and the patched/base
ratio of those medians, with the spread of the per-pair ratios.  Every bar
is shown in both metrics with a verdict each, on the unrounded ratio; the
bars are judged on the instruction counts (-icount shift=0: deterministic),
the wall clock is reported.  Exit status 1 if a bar is missed on the metric
it is judged on, 2 if a boot's results are incomplete."""
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


def parse(lines):
    res = {}
    for line in lines:
        m = RX.match(line.strip())
        if not m:
            continue
        kv = m.group(2).split()
        r = {kv[i]: float(kv[i + 1]) for i in range(0, len(kv) - 1, 2)}
        r['total_cpu_ns_per_mib'] = r['caller_cpu_ns_per_mib'] + r['kthread_cpu_ns_per_mib']
        res[int(m.group(1))] = r
    return res


def raw_lines(path):
    if not os.path.exists(path):
        return []
    return [ln.strip() for ln in open(path, errors='replace') if RX.match(ln.strip())]


def load(rec, kind):
    pairs = rec['params']['pairs']
    runs = {k: [parse(rec['raw'][f'{kind}-{k}{i}']) for i in range(1, pairs + 1)]
            for k in ('base', 'patched')}
    for k, rs in runs.items():
        for i, r in enumerate(rs, 1):
            if sorted(r) != SIZES:
                raise SystemExit(f'{kind} boot {i} of the {k} kernel: incomplete results '
                                 f'({kind}-{k}{i}.log)')
    med = {k: {s: {m: statistics.median(r[s][m] for r in runs[k]) for m in METRICS}
               for s in SIZES} for k in runs}
    return runs, med


def ratio(med, s, m):
    b = med['base'][s][m]
    return med['patched'][s][m] / b if b else float('inf')


def spread(runs, s, m):
    rs = [p[s][m] / b[s][m] for b, p in zip(runs['base'], runs['patched']) if b[s][m]]
    return (min(rs), max(rs)) if rs else None


def label(m, s):
    what = {'alloc_p50_ns': 'alloc p50', 'close_p50_ns': 'close p50', 'close_p99_ns': 'close p99',
            'total_cpu_ns_per_mib': 'CPU per MiB'}[m]
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


def render_md(rec):
    """(the text of heap-bench.md, a judged bar missed?)"""
    pairs = rec['params']['pairs']
    ic_runs, ic = load(rec, 'icount')
    w_runs, w = load(rec, 'wall')
    bs = bars(rec)
    summary, failed = R.bars_summary(bs)
    o = ['# dma-buf system heap: base kernel against the patched kernel\n',
         'Generated by `make bench` (harness/bench-heap.sh). The same static guest',
         'program (`harness/guest/src/dmabuf-pressure.c bench`) ran in alternating',
         f'boots of the base and the patched bench kernel, {pairs} pairs, QEMU TCG,',
         '1 vCPU, `-cpu Nehalem`, 512 MiB; each pair once under `-icount shift=0`',
         '(figures are guest instructions: deterministic) and once on the wall clock',
         '(ns). Each size: 3 warm-up rounds, then allocate-then-close rounds (400,',
         '100, 30, 15) with a pause after each close that lets deferred work finish',
         '(the same pause on both kernels), so "alloc" is a warm-pool allocation on',
         'the patched kernel. Figures are the median over the boots of each kernel;',
         '"spread" is the lowest and highest patched/base ratio of the pairs. CPU',
         'time: the caller\'s and the deferred-free kthread\'s (`dfree-system`),',
         'from /proc/<pid>/schedstat, per MiB allocated; the caller\'s includes its',
         'pauses\' wake-ups, the same on both kernels.',
         '']
    o += R.provenance(rec)
    o += ['## Bars (patched/base)\n'] + R.bars_legend() + R.bars_table(bs) + ['', summary]
    o += ['', '## Instruction counts (`-icount shift=0`)\n']
    table(o, ic_runs, ic, 'insns')
    o += ['', '## Wall clock\n']
    table(o, w_runs, w, 'ns')
    o.append('\n![allocation and close p50, base and patched](heap-bench.png)\n')
    o += R.measured_files_section(rec)
    return '\n'.join(o) + '\n', failed


def plot(rec, outdir):
    pairs = rec['params']['pairs']
    _, ic = load(rec, 'icount')
    _, w = load(rec, 'wall')
    with tempfile.TemporaryDirectory() as tmp:
        dat = f'{tmp}/plot.dat'
        with open(dat, 'w') as f:
            for s in SIZES:
                f.write(f'"{NAMES[s]}" ' + ' '.join(f"{med[k][s][m] / 1000:.2f}" for med in (ic, w)
                                                   for k in ('base', 'patched')
                                                   for m in ('alloc_p50_ns', 'close_p50_ns')) + '\n')
        gp = f'''set terminal pngcairo size 1100,480 noenhanced
set output "{outdir}/heap-bench.png"
set multiplot layout 1,2 title "dma-buf system heap, p50 per call, base vs patched ({pairs} boots each, QEMU TCG, 1 vCPU)"
set style data histogram
set style histogram cluster gap 1
set style fill solid 0.8 border -1
set logscale y
set key top left
set title "guest instructions (-icount shift=0)"
set ylabel "thousand instructions (log scale)"
plot "{dat}" using 2:xtic(1) title "alloc, base", "" using 4 title "alloc, patched", \\
     "" using 3 title "close, base", "" using 5 title "close, patched"
set title "wall clock"
set ylabel "microseconds (log scale)"
plot "{dat}" using 6:xtic(1) title "alloc, base", "" using 8 title "alloc, patched", \\
     "" using 7 title "close, base", "" using 9 title "close, patched"
unset multiplot
'''
        try:
            subprocess.run(['gnuplot'], input=gp, text=True, check=False)
        except FileNotFoundError:
            print('gnuplot is missing: heap-bench.png not drawn', file=sys.stderr)


def record(d, pairs):
    rec = R.read_logdir_meta(d, NAME)
    kthread = open(f'{d}/kthread').read().strip() if os.path.exists(f'{d}/kthread') else 'dfree-'
    rec['params'] = {'pairs': pairs, 'kthread': kthread}
    rec['raw'] = {f'{kind}-{k}{i}': raw_lines(f'{d}/{kind}-{k}{i}.log')
                  for kind in ('icount', 'wall') for k in ('base', 'patched')
                  for i in range(1, pairs + 1)}
    return rec


def render(rec, outdir):
    text, failed = render_md(rec)
    with open(f'{outdir}/{NAME}.md', 'w') as f:
        f.write(text)
    plot(rec, outdir)
    print(text, end='')
    return 1 if failed else 0


def main(argv):
    return R.table_main(argv, NAME, 1, record, render_md, render)

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""results_stale.py: what the benchmark results of harness/results/ measured,
and whether the code they measured changed since.

  harness/results_stale.py [-q] [--dir DIR] [NAME...]
      One line per results file, NAME one of heap-bench (make bench),
      ttm-bench (make bench-ttm), page-pool-perf (make perf-pool); all three
      by default:
        NAME: fresh (...)
        NAME: STALE: <the measured files that changed>; regenerate: <command>
        NAME: OLD FORMAT: <why>; regenerate: <command>
        NAME: RE-RENDER: <why>; run: <command>
        NAME: MISSING: <why>; regenerate: <command>
      "fresh" may add a note on series files the benchmark does not measure
      that changed since.  -q prints only the lines that are not "fresh".
      Exit status 0 if every file named is fresh, 1 if one is not, 2 on a
      usage error.  --dir: the results are in DIR, not harness/results
      (for tests).  It reads files and asks git for the commit: no build, no
      boot, well under a second.

  harness/results_stale.py --snapshot NAME
      Prints, as JSON, what NAME measures now: the sha256 of each measured
      file, the patches/ hash, the repository commit.  The bench scripts
      call it before they build, and the table scripts keep it in NAME.json.

A results file NAME.md comes with NAME.json: the guest's raw result lines of
every boot and the record of what was measured.  It is STALE when a measured
file differs from the one measured (or was added to or removed from the
measured set): the series' files on the measured paths (at their kernel paths
here, the mirror of patches/ that make check keeps equal to it), the series'
Kconfig, Makefile and .kunitconfig files, and the harness files that build,
boot and drive the benchmark (MEASURED below).  Other changes to patches/
(commit messages, the cover letter, code the benchmark does not run) change
the patches/ hash but leave the results fresh.  It needs RE-RENDER when
NAME.md is not what the table script renders from NAME.json today.

The table scripts also take from here the parts of the format that the three
results files share (the bars, their verdicts and the "Bars:" line, the
"What was measured" section), and harness/cover_figures.py reads them."""
import datetime
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys

H = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(H)
RESULTS = os.path.join(H, 'results')
FORMAT = 2

# The drm_page_pool core, which every benchmark here runs.
POOL = ['drivers/gpu/drm/page_pool.c', 'drivers/gpu/drm/page_pool_trace.h',
        'include/drm/drm_page_pool.h']
# What builds and boots the bench kernels of make bench and make bench-ttm.
BENCH_KERNELS = ['harness/base.conf', 'harness/tree-prep.sh', 'harness/bench-kernels.sh',
                 'harness/bench/bench.config', 'harness/bench/gpupool_bench.c',
                 'harness/bench/ttm-pool-cached.diff', 'harness/kunit/gpu.kunitconfig',
                 'harness/guest.sh', 'harness/guest/init-workload']
MEASURED = {
    'heap-bench': {
        'command': 'make bench', 'table': 'bench_heap_table.py',
        'series': POOL + ['drivers/dma-buf/heaps/system_heap.c',
                          'drivers/dma-buf/heaps/system_heap.h',
                          'drivers/dma-buf/heaps/deferred-free-helper.c',
                          'drivers/dma-buf/heaps/deferred-free-helper.h'],
        'harness': BENCH_KERNELS + ['harness/bench-heap.sh',
                                    'harness/guest/bench/10-heap-bench.sh',
                                    'harness/guest/src/dmabuf-pressure.c',
                                    'harness/guest/bench/20-b2b.sh',
                                    'harness/guest/src/heap-b2b.c',
                                    'harness/guest/bench/30-sameboot.sh',
                                    'harness/guest/bench/40-b2b-sameboot.sh',
                                    'harness/guest/src/heap-knobs.h'],
    },
    'ttm-bench': {
        'command': 'make bench-ttm', 'table': 'bench_ttm_table.py',
        'series': POOL + ['drivers/gpu/drm/ttm/ttm_pool.c', 'drivers/gpu/drm/ttm/ttm_device.c',
                          'include/drm/ttm/ttm_pool.h', 'drivers/gpu/drm/ttm/ttm_tt.c',
                          'include/drm/ttm/ttm_tt.h', 'drivers/gpu/drm/ttm/ttm_backup.c',
                          'include/drm/ttm/ttm_backup.h'],
        'harness': BENCH_KERNELS + ['harness/bench-ttm.sh', 'harness/guest/bench-ttm/10-backup.sh'],
    },
    'page-pool-perf': {
        'command': 'make perf-pool', 'table': 'perf_pool_table.py',
        'series': POOL + ['drivers/gpu/drm/tests/drm_page_pool_test.c'],
        'harness': ['harness/base.conf', 'harness/tree-prep.sh', 'harness/perf-pool.sh',
                    'harness/kunit/gpu.kunitconfig', 'harness/kunit/perf.config',
                    'harness/kunit/x86_64-smp2.py', 'harness/kunit/x86_64-icount.py'],
    },
}
# Series files that shape the whole kernel's configuration: every benchmark
# measures them.
CONFIG_NAMES = ('Kconfig', '.kunitconfig')


def measured_series(spec_series, sf):
    """The series files a benchmark measures: its own (SPEC_SERIES), the
    series' Kconfig and .kunitconfig files (SF: every series file), and the
    series' Makefiles in the directory of one of its own files or above it
    (they decide whether and how those files are built).  A Makefile
    elsewhere only adds objects the benchmark does not run."""
    dirs = {os.path.dirname(p) for p in spec_series}
    def builds(makefile):
        d = os.path.dirname(makefile)
        return not d or any(x == d or x.startswith(d + '/') for x in dirs)
    return sorted(set(spec_series)
                  | {p for p in sf if os.path.basename(p) in CONFIG_NAMES}
                  | {p for p in sf if os.path.basename(p) == 'Makefile' and builds(p)})


# ---------------------------------------------------------------- provenance

def series_files():
    """The files the series touches, from patches/ alone (as series_files of lib.sh)."""
    out = set()
    pdir = os.path.join(TOP, 'patches')
    names = sorted(n for n in os.listdir(pdir) if re.fullmatch(r'\d{4}-.*\.patch', n)
                   and n != '0000-cover-letter.patch') if os.path.isdir(pdir) else []
    for n in names:
        for line in open(os.path.join(pdir, n), errors='replace'):
            m = re.match(r'diff --git a/(.*) b/(.*)$', line.rstrip('\n'))
            if m:
                out.update(m.groups())
    return sorted(out)


def patches_hash():
    """patches_hash of harness/lib.sh: one id for the content of patches/."""
    lines = []
    for root, _, files in os.walk(os.path.join(TOP, 'patches')):
        for f in files:
            if f.endswith('.patch'):
                lines.append(os.path.relpath(os.path.join(root, f), TOP))
    text = ''.join(f'{sha256(p)}  {p}\n' for p in sorted(lines, key=lambda s: s.encode()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def sha256(rel):
    try:
        with open(os.path.join(TOP, rel), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return None


def digest(files):
    text = ''.join(f'{files[p] or "-"}  {p}\n' for p in sorted(files))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def git(*args):
    r = subprocess.run(['git', '-C', TOP, *args], capture_output=True, text=True)
    return r.stdout.rstrip('\n') if r.returncode == 0 else ''


def snapshot(name):
    """What NAME measures now (the record kept in NAME.json as "measured")."""
    spec = MEASURED[name]
    sf = series_files()
    series = measured_series(spec['series'], sf)
    files = {p: sha256(p) for p in series + sorted(spec['harness'])}
    dirty = git('status', '--porcelain', '--', *files)
    return {
        'files': files,
        'digest': digest(files),
        'series_files': {p: sha256(p) for p in sf},
        'patches_hash': patches_hash(),
        'repo_commit': git('rev-parse', 'HEAD'),
        'dirty': sorted(line[3:] for line in dirty.splitlines()),
    }


def read_logdir_meta(logdir, name):
    """The record a bench script left in LOGDIR (started, command, loadavg,
    measured.json); what is missing is filled in now, and said so."""
    def text(f, default):
        p = os.path.join(logdir, f)
        return open(p).read().strip() if os.path.exists(p) else default
    now = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    p = os.path.join(logdir, 'measured.json')
    measured = json.load(open(p)) if os.path.exists(p) else dict(snapshot(name), taken='when the table was made')
    return {
        'format': FORMAT,
        'name': name,
        'command': text('command', MEASURED[name]['command'] + ' (command not recorded)'),
        'started': text('started', 'not recorded'),
        'finished': now,
        'loadavg': text('loadavg', 'not recorded').split('\n'),
        'measured': measured,
    }


def write_json(path, rec):
    with open(path, 'w') as f:
        json.dump(rec, f, indent=1, sort_keys=True)
        f.write('\n')


def provenance(rec):
    """The "What was measured" section of NAME.md."""
    name, m = rec['name'], rec['measured']
    table = MEASURED[name]['table']
    la = rec['loadavg'] + ['?'] * 2
    o = ['## What was measured\n',
         f'- Results format {FORMAT}. Raw data: `{name}.json` (the guest\'s result lines of',
         f'  every boot); `python3 harness/{table} --render harness/results/{name}.json`',
         '  renders this file from it again.',
         f'- Measured from {rec["started"]} to {rec["finished"]} (UTC) by `{rec["command"]}`;',
         f'  host load average before and after: {la[0]} / {la[1]}.',
         f'- Repository commit {m["repo_commit"][:12] or "unknown"}'
         + (f', with uncommitted changes to {", ".join(m["dirty"])}.' if m['dirty'] else '.'),
         f'- patches/ hash {m["patches_hash"]} (`patches_hash` of harness/lib.sh).',
         f'- The {len(m["files"])} files it measures (listed at the end with their sha256:',
         '  the series\' files on the measured paths, the series\' Kconfig, Makefile and',
         '  .kunitconfig files, the harness files that build, boot and drive it) hash to',
         f'  {m["digest"]}. `harness/results_stale.py` says whether any changed since.']
    if 'taken' in m:
        o.append(f'- The bench script left no record of them: they were hashed {m["taken"]}.')
    o.append('')
    return o


def measured_files_section(rec):
    o = ['## Measured files (sha256)\n', '| file | sha256 |', '|---|---|']
    for p, h in sorted(rec['measured']['files'].items()):
        o.append(f'| {p} | {h or "(absent)"} |')
    return o


# ---------------------------------------------------------------- bars

METRIC = {'icount': 'instruction counts', 'wall': 'wall clock'}
COLUMN = {'icount': 'instructions', 'wall': 'wall clock'}
BOTH = 'icount+wall'		# judged on both: missed only if missed on both
EACH = 'icount&wall'		# judged on each: missed if missed on either
MISS = {'<=': '>', '<': '≥', '>=': '<'}


def fmt(v, bar=None, digits=3):
    """v with 3 decimals, more if 3 would print it equal to a bar it is not equal to."""
    if v == float('inf'):
        return 'inf'
    if bar is not None and v != bar:
        while round(v, digits) == round(bar, digits):
            if digits == 9:
                return repr(v)
            digits += 1
    return f'{v:.{digits}f}'


class Bar:
    """A bar: NAME's value in each metric must be OP LIMIT.  The verdicts
    compare the unrounded values.  JUDGED is the metric whose verdict counts
    ('icount', 'wall', or BOTH); NOTES[metric] is printed after the value
    (the spread)."""

    def __init__(self, name, limit, values, judged='icount', op='<=', notes=None):
        self.name, self.limit, self.values = name, limit, values
        self.judged, self.op, self.notes = judged, op, notes or {}

    def met(self, metric):
        v = self.values[metric]
        if self.op == '>=':
            return v >= self.limit
        return v <= self.limit if self.op == '<=' else v < self.limit

    def judged_met(self):
        if self.judged == BOTH:
            return any(self.met(m) for m in METRIC)
        if self.judged == EACH:
            return all(self.met(m) for m in METRIC)
        return self.met(self.judged)

    def miss_text(self, metric):
        return f'{fmt(self.values[metric], self.limit)} {MISS[self.op]} {self.limit}'


def judged_label(judged):
    if judged == BOTH:
        return 'both (missed only if missed on both)'
    if judged == EACH:
        return 'each (missed if missed on either)'
    return COLUMN[judged]


def bars_table(bars):
    o = ['| bar | limit | judged on | instructions | verdict | wall clock | verdict |',
         '|---|---:|---|---:|---|---:|---|']
    for b in bars:
        cells = []
        for m in METRIC:
            note = f' {b.notes[m]}' if b.notes.get(m) else ''
            cells += [f'{fmt(b.values[m], b.limit)}{note}', 'met' if b.met(m) else 'missed']
        op = b.op.replace('<=', '≤').replace('>=', '≥')
        o.append(f'| {b.name} | {op} {b.limit} | {judged_label(b.judged)} | '
                 + ' | '.join(cells) + ' |')
    return o


def _clause(label, bars, metric):
    missed = [b for b in bars if not (b.judged_met() if metric is None else b.met(metric))]
    s = f'{label}: {len(bars) - len(missed)} of {len(bars)} met'
    if missed:
        if metric is None:
            items = [f'{b.name} (' + ', '.join(f'{COLUMN[m]} {b.miss_text(m)}' for m in METRIC
                                              if b.judged == BOTH or not b.met(m)) + ')'
                     if b.judged in (BOTH, EACH) else f'{b.name} ({b.miss_text(b.judged)})'
                     for b in missed]
        else:
            items = [f'{b.name} ({b.miss_text(metric)})' for b in missed]
        s += ', missed: ' + ', '.join(items)
    return s


def bars_summary(bars):
    """The "Bars:" line, and whether a bar was missed on the metric it is judged on."""
    parts = []
    for judged in dict.fromkeys(b.judged for b in bars):
        label = ('judged on both metrics (missed only if missed on both)' if judged == BOTH
                 else 'judged on each metric (missed if missed on either)' if judged == EACH
                 else f'judged on {METRIC[judged]}')
        parts.append(_clause(label, [b for b in bars if b.judged == judged], None))
    for m in METRIC:
        reported = [b for b in bars if b.judged not in (m, BOTH, EACH)]
        if reported:
            parts.append(_clause(f'{METRIC[m]} (reported, not judged)', reported, m))
    return 'Bars: ' + '; '.join(parts), any(not b.judged_met() for b in bars)


def bars_legend():
    return ['Every bar in both metrics, each with its own verdict, on the unrounded',
            'value (printed to 3 decimals, more where 3 would hide the difference from',
            'the bar). "judged on" names the metric whose verdict sets the exit status;',
            'the other is reported only. A value over its bar is "missed" however noisy',
            'the metric; the spread is printed beside it.\n']


def table_main(argv, name, nargs, record, render_md, render, md_of=lambda d: d):
    """main() of the three table scripts.  "--render NAME.json [OUTDIR]"
    renders NAME.md again from its raw data; otherwise argv is the logs
    directory, nargs integers for record() and where render() writes: an
    output directory, or the .md file itself.  md_of turns an output
    directory into what render() takes."""
    if argv and argv[0] == '--render':
        js = argv[1]
        rec = json.load(open(js))
        if rec.get('name') != name:
            print(f'{js}: not the raw data of {name}', file=sys.stderr)
            return 2
        return render(rec, md_of(argv[2] if len(argv) > 2 else os.path.dirname(js) or '.'))
    rec = record(argv[0], *(int(a) for a in argv[1:1 + nargs]))
    out = argv[1 + nargs]
    try:
        render_md(rec)
    except SystemExit as e:
        print(e, file=sys.stderr)
        return 2
    write_json((os.path.splitext(out)[0] if out.endswith('.md') else f'{out}/{name}') + '.json', rec)
    return render(rec, out)


# ---------------------------------------------------------------- staleness

def load_table(name):
    path = os.path.join(H, MEASURED[name]['table'])
    spec = importlib.util.spec_from_file_location(name.replace('-', '_') + '_table', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def status(name, results=RESULTS):
    """(fresh?, the line for NAME)."""
    spec = MEASURED[name]
    md, js = os.path.join(results, name + '.md'), os.path.join(results, name + '.json')
    regen = f'regenerate: {spec["command"]}'
    if not os.path.exists(md):
        return False, f'{name}: MISSING: no harness/results/{name}.md; {regen}'
    if not os.path.exists(js):
        if not re.search(rf'^- Results format {FORMAT}\.', open(md).read(), re.M):
            return False, (f'{name}: OLD FORMAT: {name}.md does not record what it measured '
                           f'(and has no {name}.json); {regen}')
        return False, f'{name}: MISSING: {name}.json, the raw data of {name}.md; {regen}'
    rec = json.load(open(js))
    if rec.get('format') != FORMAT:
        return False, f'{name}: OLD FORMAT: {name}.json is format {rec.get("format")}; {regen}'
    then = rec['measured']
    now = snapshot(name)
    # What it measures now: a file it measured then and no longer measures
    # (a rule narrowed, a harness file it no longer uses) does not matter.
    paths = sorted(now['files'])
    changed = [p for p in paths if then['files'].get(p, 'not measured') != now['files'].get(p, 'not measured')]
    if changed:
        shown = ', '.join(changed[:6]) + (f' and {len(changed) - 6} more' if len(changed) > 6 else '')
        return False, (f'{name}: STALE: changed since it was measured ({rec["finished"]}): '
                       f'{shown}; {regen}')
    try:
        text, _ = load_table(name).render_md(rec)
    except (Exception, SystemExit) as e:
        text = f'cannot render: {e}'
    if text != open(md).read():
        return False, (f'{name}: RE-RENDER: {name}.md is not what harness/{spec["table"]} renders '
                       f'from {name}.json; run: python3 harness/{spec["table"]} --render '
                       f'harness/results/{name}.json')
    others = sorted(p for p in set(then['series_files']) | set(now['series_files'])
                    if p not in then['files']
                    and then['series_files'].get(p) != now['series_files'].get(p))
    note = f'measured {rec["finished"]}'
    if others:
        note += (f'; {len(others)} series file(s) it does not measure changed since: '
                 + ', '.join(others[:4]) + (' ...' if len(others) > 4 else ''))
    return True, f'{name}: fresh ({note})'


def main(argv):
    if len(argv) == 2 and argv[0] == '--snapshot' and argv[1] in MEASURED:
        # The kernel is built from patches/, the record hashes the mirror:
        # they are the same files only when no mirror edit waits for
        # "make export" (lib.sh's mirror_edits).
        st = subprocess.run(['git', '-C', TOP, 'status', '--porcelain', '--untracked-files=all'],
                            capture_output=True, text=True, check=True).stdout.splitlines()
        project = ('README.md', 'Makefile', '.gitignore', '.ci/', 'harness/', 'patches/')
        edits = [l[3:] for l in st if l[1] != ' ' and not l[3:].startswith(project)]
        if edits:
            print(f'results_stale: mirror edits not exported ({", ".join(edits[:3])}): '
                  'run "make export" first, so that what is measured is what is recorded',
                  file=sys.stderr)
            return 1
        json.dump(snapshot(argv[1]), sys.stdout, indent=1, sort_keys=True)
        print()
        return 0
    quiet, results, names = False, RESULTS, []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '-q':
            quiet = True
        elif a == '--dir' and args:
            results = args.pop(0)
        elif a in MEASURED:
            names.append(a)
        else:
            print(__doc__.split('\n\n')[1], file=sys.stderr)
            return 2
    rc = 0
    for n in names or list(MEASURED):
        ok, line = status(n, results)
        rc |= not ok
        if not (quiet and ok):
            print(line)
    return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

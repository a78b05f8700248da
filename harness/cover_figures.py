#!/usr/bin/env python3
"""cover_figures.py: the cover letter's figures, copied from the results files.

  harness/cover_figures.py [--check] [--results DIR] [--letter FILE]

harness/cover-letter marks each figure sentence with a line "[figures: NAME]"
before it and a line "[end figures]" after it (format_series of lib.sh drops
both lines on export).  This script rewrites the lines between them from
harness/results/NAME.md (NAME: page-pool-perf, ttm-bench, heap-bench), every
number copied as the results file prints it, wrapped at 75 columns with the
indentation of the block's first line.  It prints what it changed.

--check changes nothing: exit status 1 if the letter's figures are not what
the results files say (and prints the difference).  --results and --letter
read other files (for tests).  Exit status 2 if a results file is missing or
in the old format (no "Results format 2" line): regenerate it first
(harness/results_stale.py names the command).  A results file that is stale
is used, with a warning."""
import difflib
import os
import re
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import results_stale as R  # noqa: E402

H = os.path.dirname(os.path.abspath(__file__))
BEGIN = re.compile(r'^\[figures: ([a-z0-9-]+)\]$')
END = '[end figures]'


class Results:
    """The tables of one results file, as printed."""

    def __init__(self, path):
        self.path = path
        self.text = open(path).read()
        if not re.search(rf'^- Results format {R.FORMAT}\.', self.text, re.M):
            raise SystemExit(f'{path}: old results format, no figures to copy; '
                             'harness/results_stale.py names the command that regenerates it')
        self.tables = []
        heading, lines, i = '', self.text.split('\n'), 0
        while i < len(lines):
            if lines[i].startswith('## '):
                heading = lines[i][3:].strip()
            if lines[i].startswith('|') and i + 1 < len(lines) and re.fullmatch(r'\|[-:| ]+\|', lines[i + 1]):
                head, rows = self.cells(lines[i]), []
                i += 2
                while i < len(lines) and lines[i].startswith('|'):
                    rows.append(self.cells(lines[i]))
                    i += 1
                self.tables.append((heading, head, rows))
                continue
            i += 1

    @staticmethod
    def cells(line):
        return [c.strip() for c in line.strip().strip('|').split('|')]

    def table(self, first_cols=None, heading=None):
        for h, head, rows in self.tables:
            if (first_cols is None or head[:len(first_cols)] == first_cols) and \
               (heading is None or h.startswith(heading)):
                return h, head, rows
        raise SystemExit(f'{self.path}: no table {first_cols or heading}')

    def bars(self):
        """{bar name: {'icount': value, 'wall': value, 'icount ok', 'wall ok', 'limit', 'judged'}}"""
        _, head, rows = self.table(['bar', 'limit', 'judged on'])
        out = {}
        for r in rows:
            out[r[0]] = {'limit': r[1].split()[-1], 'judged': r[2],
                         'icount': r[3].split()[0], 'icount ok': r[4] == 'met',
                         'wall': r[5].split()[0], 'wall ok': r[6] == 'met'}
        return out

    def heading(self, prefix):
        return self.table(heading=prefix)[0]


def span(values):
    """'lo-hi' of value strings as printed (one value if they are equal)."""
    vs = sorted(values, key=float)
    return vs[0] if vs[0] == vs[-1] else f'{vs[0]}-{vs[-1]}'


def tally(bars, metric, what):
    """'N of M WHAT', and the missed bars with their values as the file prints them."""
    missed = [f'{n} at {b[metric]} (bar {b["limit"]})' for n, b in bars.items() if not b[metric + ' ok']]
    s = f'{len(bars) - len(missed)} of {len(bars)} {what}'
    return s + (f'; missed: {", ".join(missed)}' if missed else '')


def pool(res):
    bars = res.bars()
    _, head, rows = res.table(heading='Instruction counts per block')
    o0 = dict(zip(head, next(r for r in rows if r[0] == '0')))
    n_wall = re.search(r'(\d+) ordinary boots', res.text).group(1)
    pick = lambda prefix, m: span(b[m] for n, b in bars.items() if n.startswith(prefix))  # noqa: E731
    return (f'Warm take {o0["warm take"]} guest instructions against '
            f'{o0["alloc_pages(__GFP_ZERO)"]} for alloc_pages(__GFP_ZERO) at order 0; '
            f'at orders 0, 4 and 8, give costs {pick("give/", "icount")}x clear_page() + '
            f'__free_pages(), take+give {pick("cycle/", "icount")}x an alloc+free cycle and '
            f'a 64 MiB shrinker drain {pick("drain/", "icount")}x __free_pages(): '
            f'{tally(bars, "icount", "bars met")}.  On the wall clock (median of '
            f'{n_wall} boots under TCG), give {pick("give/", "wall")}x, take+give '
            f'{pick("cycle/", "wall")}x, drain {pick("drain/", "wall")}x: '
            f'{tally(bars, "wall", "bars met")}; the buddy allocator timed against itself in the '
            f'same boots (A/A) differs by up to {aa_pct(res.text)}%.')


def aa_pct(text):
    """The largest wall-clock A/A deviation of make perf-pool, in percent."""
    fs = [float(m.group(1)) for m in
          re.finditer(r'^\| a/a [^|]+\| \d \| [^|]+\| [^|]+\| ([\d.]+) \|$', text, re.M)]
    return round((max(fs) - 1) * 100)


def ttm(res):
    bars = res.bars()
    cells = {n: b for n, b in bars.items()
             if not n.startswith('cached pooling') and ' throughput / ' not in n}
    backup = {n: b for n, b in bars.items() if ' throughput / ' in n}
    rounds = re.search(r'(\d+) alternating rounds', res.heading('Wall clock')).group(1)
    _, _, rows = res.table(['cell', 'measure', 'unpooled', 'pooled', 'gain'])
    warm = {m: span(r[4] for r in rows if r[0].endswith('warm') and r[1] == m)
            for m in ('instructions', 'wall ns')}
    return (f'Populate and unpopulate cost {span(b["icount"] for b in cells.values())}x '
            f'of the base\'s in guest instructions: {tally(cells, "icount", "cells within 1.05")}.  '
            f'On the wall clock (medians of {rounds} alternating boots), '
            f'{span(b["wall"] for b in cells.values())}x: {tally(cells, "wall", "cells within 1.05")}.  '
            f'Cached pages stay unpooled, as in 6.12: pooling them gained '
            f'{warm["instructions"]}x warm in guest instructions, {warm["wall ns"]}x on '
            'the wall clock.' + (backup_sentence(res, backup) if backup else ''))


def backup_sentence(res, backup):
    """The backup and restore against 6.12's swapout and swap-in, same boots."""
    b = next(v for n, v in backup.items() if n.startswith('64MiB backup'))
    r = next(v for n, v in backup.items() if n.startswith('64MiB restore'))
    # The last such table is the wall clock's: MiB/s there are real ones
    head, rows = [(hd, rw) for _, hd, rw in res.tables if hd[:3] == ['kernel', 'boot', 'swapout']][-1]
    copy = span(dict(zip(head, row))['copy_page MiB/s'] for row in rows)
    both = {n: dict(v, ok=v['icount ok'] and v['wall ok']) for n, v in backup.items()}
    met = sum(v['ok'] for v in both.values())
    return (f'  In the same boots, backing up a 64 MiB tt ran at {b["icount"]}x the '
            f'throughput of 6.12\'s ttm_tt_swapout() in guest instructions and {b["wall"]}x '
            f'on the wall clock, and restoring it at {r["icount"]}x and {r["wall"]}x that '
            f'of 6.12\'s swap-in with the release of its file: {met} of {len(both)} bars '
            f'(0.9 in each metric) met; copy_page() ran at {copy} MiB/s in the '
            'wall-clock boots.')


def heap(res):
    bars = res.bars()
    cpu = {m: span(b[m] for n, b in bars.items() if n.startswith('CPU per MiB'))
           for m in ('icount', 'wall')}
    g = lambda n, m: bars[n][m]  # noqa: E731
    return (f'In guest instructions, warm 1 MiB allocations cost '
            f'{g("alloc p50 1 MiB", "icount")}x the base\'s, closes '
            f'{g("close p50 1 MiB", "icount")}x ({g("close p50 4 KiB", "icount")}x at 4 KiB), '
            f'and caller plus kthread CPU per MiB {cpu["icount"]}x; on the wall clock, '
            f'1 MiB allocations {g("alloc p50 1 MiB", "wall")}x, closes '
            f'{g("close p50 1 MiB", "wall")}x (p99 {g("close p99 1 MiB", "wall")}x), CPU per '
            f'MiB {cpu["wall"]}x.  Bars of make bench, judged in guest instructions: '
            f'{tally(bars, "icount", "met")}.  On the wall clock, reported only: '
            f'{tally(bars, "wall", "met")}.' + heap_floor(res))


def heap_floor(res):
    """The wall-clock and back-to-back parts of make bench, judged against
    an A/A floor (none in results made before they existed)."""
    if not any(h.startswith('The 1 MiB close on the wall clock') for h, _, _ in res.tables):
        return ''
    _, head, rows = res.table(heading='The 1 MiB close on the wall clock')
    w = dict(zip(head, rows[0]))
    _, head, rows = res.table(['judged bar'])
    b2b = [dict(zip(head, r)) for r in rows]
    pairs = re.search(r'(\d+) pairs of base and patched boots', res.text).group(1)
    pick = lambda prefix: span(b['patched/base'] for b in b2b if b['judged bar'].startswith(prefix))  # noqa: E731
    word = lambda v: sum(b['verdict'].startswith(v) for b in b2b)  # noqa: E731
    if 'same boot' in w['figure']:
        first = (f'  Judged on the wall clock against an A/A floor in the same boot '
                 f'({w["pairs"]} boots, the heap as shipped against its base path: pools and '
                 f'deferred free off, checked against the base kernel\'s instructions): the '
                 f'1 MiB close p50 is {w["patched/base"]}x the base path\'s, A/A spread '
                 f'{w["A/A spread"]}: {w["verdict"].split(":")[0]}.')
    else:
        first = (f'  Judged on the wall clock against an A/A floor (base against base): '
                 f'the 1 MiB close p50 over {w["pairs"]} pairs is {w["patched/base"]}x the base\'s, '
                 f'A/A spread {w["A/A spread"]}: {w["verdict"].split(":")[0]}.')
    return (first + '  Back to back '
            f'({pairs} pairs, no pause), allocation p50 at 1 MiB and up '
            f'{pick("alloc p50")}x, p99 {pick("alloc p99")}x: {word("PASS")} of {len(b2b)} '
            f'bars pass, {word("INCONCLUSIVE")} inconclusive, {word("FAIL")} fail.')


SENTENCES = {'page-pool-perf': pool, 'ttm-bench': ttm, 'heap-bench': heap}


def rewrite(letter, results):
    out, lines, i, seen = [], letter.split('\n'), 0, []
    while i < len(lines):
        m = BEGIN.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        name = m.group(1)
        if name not in SENTENCES:
            raise SystemExit(f'[figures: {name}]: no such results file ({", ".join(SENTENCES)})')
        try:
            j = lines.index(END, i + 1)
        except ValueError:
            raise SystemExit(f'[figures: {name}] has no "{END}" line')
        old = lines[i + 1:j]
        indent = re.match(r'\s*', old[0]).group(0) if old else '    '
        path = os.path.join(results, name + '.md')
        if not os.path.exists(path):
            raise SystemExit(f'{path}: missing')
        # No line break inside "64 MiB" or "(bar 1.05)"
        text = re.sub(r'(\d|\(bar) (?=[\dKMG])', '\\1\xa0', SENTENCES[name](Results(path)))
        out += [lines[i]] + [ln.replace('\xa0', ' ') for ln in textwrap.wrap(
            text, 75, initial_indent=indent, subsequent_indent=indent,
            break_on_hyphens=False, break_long_words=False)] + [END]
        seen.append(name)
        i = j + 1
    return '\n'.join(out), seen


def main(argv):
    check, results, letter = False, R.RESULTS, os.path.join(H, 'cover-letter')
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == '--check':
            check = True
        elif a == '--results' and args:
            results = args.pop(0)
        elif a == '--letter' and args:
            letter = args.pop(0)
        else:
            print(__doc__.split('\n\n')[1], file=sys.stderr)
            return 2
    old = open(letter).read()
    try:
        new, seen = rewrite(old, results)
    except SystemExit as e:
        print(f'cover_figures: {e}', file=sys.stderr)
        return 2
    if results == R.RESULTS:
        for name in seen:
            ok, line = R.status(name)
            if not ok:
                print(f'warning: {line}', file=sys.stderr)
    diff = list(difflib.unified_diff(old.split('\n'), new.split('\n'), letter, letter + ' (figures)',
                                     lineterm='', n=1))
    print('\n'.join(diff) if diff else f'{letter}: figures agree with {results}')
    if check:
        return 1 if diff else 0
    if diff:
        with open(letter, 'w') as f:
            f.write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

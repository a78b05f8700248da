#!/usr/bin/env python3
"""Judge a KUnit run against the checked-in baseline of the base kernel.

  kunit_results.py judge BASELINE_PREFIX OUTDIR [--manifest FILE [--skips FILE]]
      Prints one "PASS name" / "FAIL name: why" line per case and per console
      check; exits 0.  The last line is "counts P F".  With --manifest
      (harness/kunit/new-cases, written by kunit_manifest.py): every case
      the series adds must be in some boot's results (a parameterised one
      with at least one parameter), and the manifest must be what the
      sources give (kunit_manifest.py's --check); a new case may SKIP only
      if the skip list (--skips, "suite.case reason-regex" lines) names it
      with a regex that the reason on the console matches.
  kunit_results.py judge ... --kmemleak
      The debug kernel's run: every console log must end its kmemleak scan
      ("@@ kmemleak done"), and no leak may come through a function the
      series adds or changes (OUTDIR/series-functions); any other leak is
      named by the first frame of its backtrace outside mm/, fs/ and lib/
      (OUTDIR/lowlevel-symbols) and may show at most as often as in the
      base run where it showed most.
  kunit_results.py baseline BASELINE_PREFIX OUTDIR...
      Writes BASELINE_PREFIX.cases (cases that pass on the base in every
      run), BASELINE_PREFIX.warnings (WARNINGs the base's tests provoke on
      purpose, as "file function count") and BASELINE_PREFIX.reports (the
      kmemleak and held-lock reports of the base, as "least most
      signature" over the runs).

A run passes only if every baseline case ran and passed, every new case
passed, and the console shows no BUG, Oops, lockdep, KASAN, UBSAN or kmemleak
report and no WARNING beyond the baseline.

OUTDIR holds kunit.sh's results: kunit*.json and console*.log, one pair per
boot of the test kernel (kunit.json with console.log, kunit-numaN.json with
console-numaN.log).  The judge fails closed: no results at all, a boot whose
results hold no case or whose console log is missing or empty, and a
baseline that lists no case are failures, each counted in "counts".
"""
import collections
import glob
import os
import json
import re
import sys

WARN_RE = re.compile(r'WARNING: CPU: \d+ PID: \d+ at (\S+?):\d+ ([A-Za-z0-9_.]+?)\+0x')
# Reports that fail a run whatever the baseline says.
FATAL_RE = re.compile(
    r'(BUG: |Oops|general protection fault|Kernel panic|'
    r'KASAN|UBSAN|'
    r'possible circular locking|possible recursive locking|'
    r'inconsistent lock state|suspicious RCU usage|'
    r'INFO: task .* blocked for more than|'
    r'WARNING: (?!CPU: )(?!.* still has locks held!)[a-z].*(lock|held|context|irq))')
FRAME_RE = re.compile(r'^\s+([A-Za-z0-9_.]+)\+0x[0-9a-f]+/0x[0-9a-f]+')
HELD_RE = re.compile(r'#\d+: [0-9a-f]+ \(([^)]+)\).*, at: ([A-Za-z0-9_.]+)\+0x')


# kmemleak's frames: the symbol, a compiler suffix (".isra.0") cut off.
# kmemleak gave up: its later scans report nothing.
KMEMLEAK_DEAD_RE = re.compile(r'kmemleak: (Kernel memory leak detector disabled|'
                              r'Cannot allocate a kmemleak_object structure|Memory pool empty).*')
# What init-kmemleak prints of /proc/lockdep_stats after the tests.
DEBUG_LOCKS_RE = re.compile(r'@@ debug_locks (\S+)')


def frame_name(sym):
    return sym.split('.', 1)[0]


def leaks_of(lines):
    """[frames] of every kmemleak report of LINES, innermost first, up to
    the thread's entry (kunit_try_run_case, kthread, ret_from_fork).  A
    line that is not a frame (another message on the console, a frame
    kmemleak could not name) is skipped: the backtrace ends only at a
    blank line, at the next report or at the end of the scan."""
    found = []
    i = 0
    while i < len(lines):
        if 'unreferenced object 0x' not in lines[i]:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and 'backtrace' not in lines[j] and j < i + 12:
            j += 1
        frames = []
        k = j + 1
        while k < len(lines) and k < j + 64:
            l = lines[k]
            if (not TIMESTAMP_RE.sub('', l).strip() or 'unreferenced object 0x' in l
                    or '@@ kmemleak' in l):
                break
            k += 1
            m = FRAME_RE.match(l)
            if not m:
                continue
            if m.group(1) in ('kunit_try_run_case', 'kthread', 'ret_from_fork'):
                break
            frames.append(frame_name(m.group(1)))
        found.append(frames)
        i = max(j + 1, k)
    return found


def leak_signature(frames, lowlevel):
    """A leak is named by the first frame of its backtrace outside mm/, fs/
    and lib/ (the symbols LOWLEVEL lists): who asked for the memory, not
    how it was allocated.  kmem_cache_alloc_noprof<alloc_empty_file would
    name every leaked file alike; drm_gem_object_init names the leaked
    files of GEM objects only."""
    for f in frames:
        if f not in lowlevel:
            return 'leak ' + f
    return 'leak ' + '<'.join(frames[-1:]) if frames else 'leak (no backtrace)'


def reports_of(lines, lowlevel=frozenset()):
    """Count kmemleak objects and lockdep held-lock reports by signature:
    a leak by leak_signature(), a held-lock report by its lock classes and
    where they were taken, so that the base's own reports can be told from
    new ones."""
    found = collections.Counter()
    for frames in leaks_of(lines):
        found[leak_signature(frames, lowlevel)] += 1
    for i, line in enumerate(lines):
        if 'still has locks held!' in line:
            held = []
            for l in lines[i + 1:i + 12]:
                m = HELD_RE.search(l)
                if m:
                    held.append(m.group(1) + '@' + m.group(2))
            found['held ' + ','.join(held)] += 1
    return found


def read_names(path):
    """The set of names of a file of one name per line (None if absent)."""
    try:
        with open(path) as f:
            return {l.strip() for l in f if l.strip() and not l.startswith('#')}
    except FileNotFoundError:
        return None


def leaves(group, prefix=''):
    """Yield (name, status) for every leaf case of a kunit.py JSON group."""
    name = group.get('name', '')
    path = prefix + '.' + name if prefix else name
    for case in group.get('test_cases', []):
        yield path + '.' + case['name'], case['status']
    for sub in group.get('sub_groups', []):
        yield from leaves(sub, path)


def load_cases(outdir, per_boot=None):
    """All cases of OUTDIR's kunit*.json; per_boot, if given, gets each
    file's name and how many cases it held."""
    cases = {}
    paths = sorted(glob.glob(os.path.join(outdir, 'kunit*.json')))
    if not paths:
        raise FileNotFoundError('no kunit*.json in ' + outdir)
    for path in paths:
        with open(path) as f:
            n = load_one(json.load(f), cases)
        if per_boot is not None:
            per_boot[os.path.basename(path)] = n
    return cases


# A case in more than one boot keeps its worst status.
RANK = {'PASS': 0, 'SKIP': 1}


def load_one(top, cases):
    n = 0
    for name, status in leaves(top):
        # Drop the synthetic top-level group name.
        key = name.split('.', 1)[1] if '.' in name else name
        if key not in cases or RANK.get(status, 2) > RANK.get(cases[key], 2):
            cases[key] = status
        n += 1
    return n


def load_structured(outdir):
    """{(suite, case): [results in each boot]} of OUTDIR's kunit*.json: a
    result is a status (a case without parameters) or a list of
    (parameter, status)."""
    found = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(outdir, 'kunit*.json'))):
        with open(path) as f:
            top = json.load(f)
        for suite in top.get('sub_groups', []):
            for case in suite.get('test_cases', []):
                found[(suite['name'], case['name'])].append(case['status'])
            for case in suite.get('sub_groups', []):
                params = [(n.split('.', 1)[1], st) for n, st in leaves(case)]
                found[(suite['name'], case['name'])].append(params)
    return found


KTAP_SUBTEST_RE = re.compile(r'^( *)# Subtest: (.*?)\s*$')
KTAP_SKIP_RE = re.compile(r'^( *)(?:not )?ok \d+ (.*?) # SKIP(?: (.*?))?\s*$')
TIMESTAMP_RE = re.compile(r'^\[ *\d+\.\d+\] ?')


def skip_reasons(lines):
    """{(suite, case[, parameter]): [reasons]} of the "# SKIP" results on
    the console, placed by KTAP's indentation ("# Subtest:" lines)."""
    reasons = collections.defaultdict(list)
    names = {}
    for line in lines:
        line = TIMESTAMP_RE.sub('', line.rstrip('\r'))
        m = KTAP_SUBTEST_RE.match(line)
        if m:
            depth = len(m.group(1))
            names = {d: n for d, n in names.items() if d < depth}
            names[depth] = m.group(2)
            continue
        m = KTAP_SKIP_RE.match(line)
        if m:
            depth = len(m.group(1))
            path = tuple(n for d, n in sorted(names.items()) if d <= depth) + (m.group(2),)
            if len(path) > 1:
                reasons[path].append(m.group(3) or '')
    return reasons


def read_skips(path):
    """{"suite.case": (regex, text)} of a skip list, and its bad lines."""
    skips, bad = {}, []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                bad.append(f'line {n}: "{line}" has no reason regex')
                continue
            try:
                skips[parts[0]] = (re.compile(parts[1]), parts[1])
            except re.error as e:
                bad.append(f'line {n}: bad regex {parts[1]!r} ({e})')
    return skips, bad


def console_of(json_name):
    """The console log kunit.sh writes beside a boot's JSON file."""
    return 'console' + json_name[len('kunit'):-len('.json')] + '.log'


def load_console(outdir, reports=True):
    """The lines of OUTDIR's console logs; without the boots of suites that
    provoke a report on purpose (console-report*.log) unless REPORTS."""
    lines = []
    for path in sorted(glob.glob(os.path.join(outdir, 'console*.log'))):
        if not reports and os.path.basename(path).startswith('console-report'):
            continue
        with open(path, errors='replace') as f:
            lines += f.read().splitlines()
    return lines


def judge_report_boots(outdir):
    """A suite that provokes a report on purpose (a lockdep splat turns
    lockdep off for the rest of its boot) runs in a debug boot of its own,
    console-reportN.log, whose kunit.sh wrote the report it must show as a
    regex in reportN.expect: that boot passes only if it shows the report
    and no other.  Returns (lines, p, f)."""
    out, p, f = [], 0, 0
    for con in sorted(glob.glob(os.path.join(outdir, 'console-report*.log'))):
        n = os.path.basename(con)[len('console-report'):-len('.log')]
        try:
            with open(os.path.join(outdir, f'report{n}.expect')) as fh:
                want = re.compile(fh.read().strip())
        except (OSError, re.error) as e:
            f += 1
            out.append(f'FAIL console: report boot {n}: no expected report ({e})')
            continue
        with open(con, errors='replace') as fh:
            fatal = [l.strip() for l in fh.read().splitlines()
                     if FATAL_RE.search(l) or 'still has locks held!' in l]
        other = [l for l in fatal if not want.search(l)]
        if not fatal:
            f += 1
            out.append(f'FAIL console: report boot {n}: the expected report /{want.pattern}/ did not show')
        elif other:
            f += 1
            out.append(f'FAIL console: report boot {n}: a report other than /{want.pattern}/: {other[0]}')
        elif len(fatal) > 1:
            f += 1
            out.append(f'FAIL console: report boot {n}: {len(fatal)} reports /{want.pattern}/, not one')
        else:
            p += 1
            out.append(f'PASS console: report boot {n}: exactly the expected report: {fatal[0][:120]}')
    return out, p, f


# ccache hashes paths relative to the cache directory (CCACHE_BASEDIR), so
# a kernel it built names its sources "../../check-tree/drivers/..." in
# WARNINGs: the source tree's own path is not part of a WARNING's identity.
TREE_PREFIX_RE = re.compile(r'^(\.\./)+[^/]+/')


def warnings_of(lines):
    found = collections.Counter()
    for line in lines:
        m = WARN_RE.search(line)
        if m:
            found[(TREE_PREFIX_RE.sub('', m.group(1)), m.group(2))] += 1
    return found


def fatal_of(lines):
    return [l.strip() for l in lines if FATAL_RE.search(l)]


def read_baseline(prefix):
    cases = []
    with open(prefix + '.cases') as f:
        cases = [l.strip() for l in f if l.strip() and not l.startswith('#')]
    warns = collections.Counter()
    try:
        with open(prefix + '.warnings') as f:
            for l in f:
                if l.strip() and not l.startswith('#'):
                    file, func, count = l.split()
                    warns[(file, func)] = int(count)
    except FileNotFoundError:
        pass
    # "least most signature": the spread of a report's count over the
    # base runs.
    reports = {}
    try:
        with open(prefix + '.reports') as f:
            for l in f:
                if l.strip() and not l.startswith('#'):
                    lo, hi, sig = l.rstrip('\n').split(' ', 2)
                    reports[sig] = (int(lo), int(hi))
    except FileNotFoundError:
        pass
    return cases, warns, reports


def cmd_baseline(prefix, *outdirs):
    """The baseline of one or more runs of the base: a case counts as
    passing if it passed in every run, a WARNING with its largest count,
    a report with the least and the most times any run showed it."""
    runs = []
    for outdir in outdirs:
        lowlevel = read_names(os.path.join(outdir, 'lowlevel-symbols')) or set()
        lines = load_console(outdir)
        runs.append((load_cases(outdir), warnings_of(lines), reports_of(lines, lowlevel),
                     fatal_of(lines)))
    passed = sorted(n for n, s in runs[0][0].items()
                    if all(r[0].get(n) == 'PASS' for r in runs))
    warns = collections.Counter()
    for r in runs:
        warns |= r[1]
    sigs = set().union(*(r[2] for r in runs))
    with open(prefix + '.cases', 'w') as f:
        f.write(f'# KUnit cases that pass on the base kernel in each of {len(runs)} run(s) (make baseline)\n')
        f.writelines(n + '\n' for n in passed)
    with open(prefix + '.warnings', 'w') as f:
        f.write('# WARNINGs the base kernel\'s own tests provoke: file function count\n')
        for (file, func), n in sorted(warns.items()):
            f.write(f'{file} {func} {n}\n')
    with open(prefix + '.reports', 'w') as f:
        f.write(f'# kmemleak and lockdep held-lock reports of the base kernel\'s own tests\n'
                f'# over {len(runs)} run(s): least most signature\n')
        for sig in sorted(sigs):
            counts = [r[2].get(sig, 0) for r in runs]
            f.write(f'{min(counts)} {max(counts)} {sig}\n')
    for i, r in enumerate(runs):
        print(f'baseline run {i + 1}: {sum(s == "PASS" for s in r[0].values())} passing cases '
              f'of {len(r[0])}, {sum(r[1].values())} WARNINGs, '
              f'{sum(r[2].values())} kmemleak/held-lock reports, {len(r[3])} other reports')
        for l in r[3][:20]:
            print('  report on the base:', l)
    print(f'baseline: {len(passed)} cases pass in every run; {len(sigs)} report signatures')


def judge_reports(outdir, lines, base_reports, kmemleak):
    """PASS/FAIL lines and counts (p, f) for the kmemleak and held-lock
    reports of a run.  A leak fails if a frame of its backtrace is in a
    function the series adds or changes (OUTDIR/series-functions);
    otherwise if its signature is not the base's, or shows more often than
    in any base run.  A count below the base's passes (a fix)."""
    out, p, f = [], 0, 0
    lowlevel = read_names(os.path.join(outdir, 'lowlevel-symbols'))
    series = read_names(os.path.join(outdir, 'series-functions'))
    leaks = leaks_of(lines)
    if kmemleak:
        for con in sorted(glob.glob(os.path.join(outdir, 'console*.log'))):
            with open(con, errors='replace') as fh:
                if '@@ kmemleak done' not in fh.read():
                    f += 1
                    out.append(f'FAIL console: {os.path.basename(con)}: the kmemleak scan did not '
                               'finish ("@@ kmemleak done" missing): its leaks are unknown')
    if (leaks or kmemleak) and (lowlevel is None or series is None):
        f += 1
        out.append(f'FAIL console: {len(leaks)} kmemleak report(s) cannot be judged: '
                   f'lowlevel-symbols or series-functions missing in {outdir}')
        return out, p, f
    if kmemleak:
        for con in sorted(glob.glob(os.path.join(outdir, 'console*.log'))):
            with open(con, errors='replace') as fh:
                text = fh.read()
            name = os.path.basename(con)
            dead = KMEMLEAK_DEAD_RE.search(text)
            if dead:
                f += 1
                out.append(f'FAIL console: {name}: kmemleak stopped ("{dead.group(0).strip()}"): '
                           'the leaks of this boot are unknown')
            # A report turns lockdep off for the rest of its boot; only the
            # boots of report-suites may show one.
            locks = DEBUG_LOCKS_RE.search(text)
            if not name.startswith('console-report') and (not locks or locks.group(1) != '1'):
                f += 1
                why = f'debug_locks is {locks.group(1)}' if locks else 'no "@@ debug_locks" line'
                out.append(f'FAIL console: {name}: lockdep was not on to the end of the boot ({why}): '
                           'a report turned it off, and later suites ran unchecked')
    series = series or set()
    through = [fr for fr in leaks if series.intersection(fr)]
    if through:
        f += 1
        for fr in through[:5]:
            hit = [x for x in fr if x in series]
            out.append(f'FAIL console: a leak through {hit[0]} (a function the series adds or '
                       f'changes): {"<".join(fr[:8])}')
        if len(through) > 5:
            out.append(f'FAIL console: ... and {len(through) - 5} more leak(s) through the series')
    elif kmemleak:
        p += 1
        out.append(f'PASS console: {len(leaks)} kmemleak report(s), none through the '
                   f'{len(series)} functions the series adds or changes')
    reps = reports_of(lines, lowlevel or set())
    for fr in through:
        reps[leak_signature(fr, lowlevel or set())] -= 1
    extra = {k: (n, base_reports.get(k, (0, 0))[1]) for k, n in reps.items()
             if n > base_reports.get(k, (0, 0))[1]}
    if extra:
        f += 1
        for sig, (n, most) in sorted(extra.items())[:10]:
            why = f'at most {most} in a base run' if most else 'not in the base'
            out.append(f'FAIL console: {n} report(s) {sig[:200]} ({why})')
    else:
        p += 1
        out.append(f'PASS console: {sum(reps.values())} kmemleak/held-lock reports, each within '
                   'the base\'s spread')
    return out, p, f


def cmd_judge(prefix, outdir, manifest=None, skips_path=None, kmemleak=False):
    base_cases, base_warns, base_reports = read_baseline(prefix)
    p = f = 0
    if not base_cases:
        f += 1
        print(f'FAIL kunit: the baseline {prefix}.cases lists no case')
    boots = {}
    try:
        cases = load_cases(outdir, boots)
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as e:
        cases = {}
        f += 1
        print(f'FAIL kunit: no results ({e})')
    for name, n in sorted(boots.items()):
        if n == 0:
            f += 1
            print(f'FAIL kunit: {name} holds no case (the boot ran no test)')
        con = os.path.join(outdir, console_of(name))
        if not os.path.isfile(con) or os.path.getsize(con) == 0:
            f += 1
            print(f'FAIL console: no console log for {name} ({con} is missing or empty)')
    lines = load_console(outdir)
    for name in base_cases:
        st = cases.get(name)
        if st == 'PASS':
            p += 1
            print('PASS kunit', name)
        else:
            f += 1
            print(f'FAIL kunit {name}: {st or "did not run"} (passes on the base)')
    skips, reasons = {}, {}
    if manifest:
        reasons = skip_reasons(lines)
        if skips_path:
            try:
                skips, bad = read_skips(skips_path)
            except OSError as e:
                bad = [e.strerror]
            for why in bad:
                f += 1
                print(f'FAIL kunit skip list {skips_path}: {why}')
    for name in sorted(set(cases) - set(base_cases)):
        st = cases[name]
        if st == 'PASS':
            p += 1
            print('PASS kunit', name, '(new)')
        elif st == 'SKIP' and manifest:
            ok, why = listed_skip(name, skips, reasons)
            if ok:
                p += 1
                print(f'PASS kunit {name} (new, skipped as listed: {why})')
            else:
                f += 1
                print(f'FAIL kunit {name}: SKIP (new case; {why})')
        else:
            f += 1
            print(f'FAIL kunit {name}: {st} (new case)')
    if manifest:
        mp, mf = judge_manifest(manifest, skips_path, skips, outdir, reasons)
        p, f = p + mp, f + mf
    warns = warnings_of(lines)
    extra = {k: n - base_warns.get(k, 0) for k, n in warns.items() if n > base_warns.get(k, 0)}
    if extra:
        f += 1
        for (file, func), n in sorted(extra.items()):
            print(f'FAIL console: {n} WARNING(s) at {file} {func} beyond the baseline')
    else:
        p += 1
        print(f'PASS console: {sum(warns.values())} WARNINGs, all in the baseline')
    msgs, rp, rf = judge_reports(outdir, lines, base_reports, kmemleak)
    for m in msgs:
        print(m)
    p, f = p + rp, f + rf
    msgs, rp, rf = judge_report_boots(outdir)
    for m in msgs:
        print(m)
    p, f = p + rp, f + rf
    fatal = fatal_of(load_console(outdir, reports=False))
    if fatal:
        f += 1
        print(f'FAIL console: {len(fatal)} report line(s); first: {fatal[0]}')
    else:
        p += 1
        print('PASS console: no BUG/Oops/lockdep/KASAN/UBSAN/kmemleak report')
    print('counts', p, f)


def listed_skip(name, skips, reasons, list_name='harness/kunit/new-cases-skips'):
    """(True, reason) if the skip list LIST_NAME lets result NAME
    ("suite.case" or "suite.case.parameter") skip with the reason the
    console gives it; else (False, why not)."""
    path = tuple(name.split('.', 2))
    key = '.'.join(path[:2])
    why = reasons.get(path, [])
    shown = ' or '.join(repr(r) for r in why) if why else 'no reason on the console'
    if key not in skips:
        return False, f'reason {shown}; {list_name} does not list {key}'
    regex, text = skips[key]
    for r in why or ['']:
        if regex.search(r):
            return True, r or 'no reason given'
    return False, f'reason {shown} does not match the skip list\'s {text!r}'


def judge_manifest(manifest, skips_path, skips, outdir, reasons):
    """Every case of MANIFEST ran in some boot, and MANIFEST is what the
    sources give.  Returns the counts (passed, failed)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import kunit_manifest
    p = f = 0
    try:
        why = kunit_manifest.drift(manifest)
    except kunit_manifest.ManifestError as e:
        why = f'cannot derive the cases the series adds from the sources: {e}'
    if why:
        f += 1
        print(f'FAIL kunit manifest: {why}')
    try:
        with open(manifest) as fh:
            entries = kunit_manifest.parse_manifest(fh.read())
    except (OSError, ValueError) as e:
        print(f'FAIL kunit manifest: cannot read {manifest}: {getattr(e, "strerror", None) or e}')
        return p, f + 1
    for key in sorted(set(skips) - set(entries)):
        f += 1
        print(f'FAIL kunit skip list {skips_path}: {key} is not a case of {manifest}')
    try:
        found = load_structured(outdir)
    except (OSError, ValueError, AttributeError, KeyError, TypeError) as e:
        f += 1
        print(f'FAIL kunit: none of the {len(entries)} cases the series adds ran (no results: {e})')
        return p, f
    problems = skipped = 0
    for key, marks in sorted(entries.items()):
        suite, case = key.split('.', 1)
        runs = found.get((suite, case), [])
        conditional = any(m.startswith('if ') for m in marks)
        if not runs and conditional and key in skips:
            skipped += 1  # not built in this configuration, as listed
            continue
        if not runs:
            problems += 1
            print(f'FAIL kunit {key}: did not run: in no boot\'s results (a case the series adds)')
            continue
        results = []
        for run in runs:
            if 'param' in marks and not isinstance(run, list):
                problems += 1
                print(f'FAIL kunit {key}: a parameterised case that ran no parameter ({run})')
            elif isinstance(run, list) and not run:
                problems += 1
                print(f'FAIL kunit {key}: a parameterised case that ran no parameter')
            results += [st for _, st in run] if isinstance(run, list) else [run]
        if 'SKIP' in results and key in skips:
            skipped += 1
    f += problems
    if not problems:
        p += 1
        if entries:
            print(f'PASS kunit: all {len(entries)} cases the series adds ran '
                  f'({skipped} skipped as listed)')
        else:
            print(f'PASS kunit: the series adds no KUnit case ({manifest} lists none)')
    return p, f


USAGE = __doc__


def main(argv):
    args, opts, rest = [], {}, argv[1:]
    while rest:
        a = rest.pop(0)
        if a in ('--manifest', '--skips') and rest:
            opts[a[2:]] = rest.pop(0)
        elif a == '--kmemleak':
            opts['kmemleak'] = True
        else:
            args.append(a)
    if len(args) < 3 or args[0] not in ('judge', 'baseline') or \
            (args[0] == 'judge' and len(args) != 3) or \
            (opts and args[0] != 'judge') or ('skips' in opts and 'manifest' not in opts):
        sys.exit(USAGE)
    if args[0] == 'baseline':
        cmd_baseline(*args[1:])
    else:
        cmd_judge(*args[1:], manifest=opts.get('manifest'), skips_path=opts.get('skips'),
                  kmemleak=opts.get('kmemleak', False))


if __name__ == '__main__':
    main(sys.argv)

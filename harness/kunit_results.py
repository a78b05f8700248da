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
  kunit_results.py baseline BASELINE_PREFIX OUTDIR
      Writes BASELINE_PREFIX.cases (cases that pass on the base) and
      BASELINE_PREFIX.warnings (WARNINGs the base's tests provoke on purpose,
      as "file function count").

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


def reports_of(lines):
    """Count kmemleak objects and lockdep held-lock reports by signature.

    A leak is named by its allocator and the allocator's caller, a held-lock
    report by its lock classes and where they were taken, so
    that the base's own reports can be told from new ones.
    """
    found = collections.Counter()
    i = 0
    while i < len(lines):
        line = lines[i]
        if 'unreferenced object 0x' in line:
            frames = []
            j = i + 1
            while j < len(lines) and 'backtrace' not in lines[j] and j < i + 12:
                j += 1
            for l in lines[j + 1:j + 40]:
                m = FRAME_RE.match(l)
                if not m:
                    break
                if m.group(1) in ('kunit_try_run_case', 'kthread', 'ret_from_fork'):
                    break
                frames.append(m.group(1))
            # The allocator and its caller: stable even when another
            # message interleaves with the backtrace on the console.
            found['leak ' + '<'.join(frames[:2])] += 1
            i = j + 1
            continue
        if 'still has locks held!' in line:
            held = []
            for l in lines[i + 1:i + 12]:
                m = HELD_RE.search(l)
                if m:
                    held.append(m.group(1) + '@' + m.group(2))
            found['held ' + ','.join(held)] += 1
        i += 1
    return found


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


def load_console(outdir):
    lines = []
    for path in sorted(glob.glob(os.path.join(outdir, 'console*.log'))):
        with open(path, errors='replace') as f:
            lines += f.read().splitlines()
    return lines


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
    reports = collections.Counter()
    try:
        with open(prefix + '.reports') as f:
            for l in f:
                if l.strip() and not l.startswith('#'):
                    n, sig = l.rstrip('\n').split(' ', 1)
                    reports[sig] = int(n)
    except FileNotFoundError:
        pass
    return cases, warns, reports


def cmd_baseline(prefix, outdir):
    cases = load_cases(outdir)
    lines = load_console(outdir)
    passed = sorted(n for n, s in cases.items() if s == 'PASS')
    with open(prefix + '.cases', 'w') as f:
        f.write('# KUnit cases that pass on the base kernel (make baseline)\n')
        f.writelines(n + '\n' for n in passed)
    with open(prefix + '.warnings', 'w') as f:
        f.write('# WARNINGs the base kernel\'s own tests provoke: file function count\n')
        for (file, func), n in sorted(warnings_of(lines).items()):
            f.write(f'{file} {func} {n}\n')
    with open(prefix + '.reports', 'w') as f:
        f.write('# kmemleak and lockdep held-lock reports of the base kernel\'s own tests: count signature\n')
        for sig, n in sorted(reports_of(lines).items()):
            f.write(f'{n} {sig}\n')
    fatal = fatal_of(lines)
    print(f'baseline: {len(passed)} passing cases of {len(cases)}, '
          f'{sum(warnings_of(lines).values())} WARNINGs, '
          f'{sum(reports_of(lines).values())} kmemleak/held-lock reports, {len(fatal)} other reports')
    for l in fatal[:20]:
        print('  report on the base:', l)


def cmd_judge(prefix, outdir, manifest=None, skips_path=None):
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
    reps = reports_of(lines)
    extra = {k: n - base_reports.get(k, 0) for k, n in reps.items() if n > base_reports.get(k, 0)}
    if extra:
        f += 1
        for sig, n in sorted(extra.items())[:10]:
            print(f'FAIL console: {n} report(s) beyond the baseline: {sig[:200]}')
    else:
        p += 1
        print(f'PASS console: {sum(reps.values())} kmemleak/held-lock reports, all in the baseline')
    fatal = fatal_of(lines)
    if fatal:
        f += 1
        print(f'FAIL console: {len(fatal)} report line(s); first: {fatal[0]}')
    else:
        p += 1
        print('PASS console: no BUG/Oops/lockdep/KASAN/UBSAN/kmemleak report')
    print('counts', p, f)


def listed_skip(name, skips, reasons):
    """(True, reason) if the skip list lets result NAME ("suite.case" or
    "suite.case.parameter") skip with the reason the console gives it; else
    (False, why not)."""
    path = tuple(name.split('.', 2))
    key = '.'.join(path[:2])
    why = reasons.get(path, [])
    shown = ' or '.join(repr(r) for r in why) if why else 'no reason on the console'
    if key not in skips:
        return False, f'reason {shown}; harness/kunit/new-cases-skips does not list {key}'
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
        else:
            args.append(a)
    if len(args) != 3 or args[0] not in ('judge', 'baseline') or \
            (opts and args[0] != 'judge') or ('skips' in opts and 'manifest' not in opts):
        sys.exit(USAGE)
    if args[0] == 'baseline':
        cmd_baseline(*args[1:])
    else:
        cmd_judge(*args[1:], manifest=opts.get('manifest'), skips_path=opts.get('skips'))


if __name__ == '__main__':
    main(sys.argv)

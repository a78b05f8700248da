#!/usr/bin/env python3
"""Judge a KUnit run against the checked-in baseline of the base kernel.

  kunit_results.py judge BASELINE_PREFIX OUTDIR
      Prints one "PASS name" / "FAIL name: why" line per case and per console
      check; exits 0.  The last line is "counts P F".
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


def load_one(top, cases):
    n = 0
    for name, status in leaves(top):
        # Drop the synthetic top-level group name.
        cases[name.split('.', 1)[1] if '.' in name else name] = status
        n += 1
    return n


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


def cmd_judge(prefix, outdir):
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
    for name in sorted(set(cases) - set(base_cases)):
        st = cases[name]
        if st == 'PASS':
            p += 1
            print('PASS kunit', name, '(new)')
        else:
            f += 1
            print(f'FAIL kunit {name}: {st} (new case)')
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


if __name__ == '__main__':
    if len(sys.argv) != 4 or sys.argv[1] not in ('judge', 'baseline'):
        sys.exit(__doc__)
    {'judge': cmd_judge, 'baseline': cmd_baseline}[sys.argv[1]](*sys.argv[2:])

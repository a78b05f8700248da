#!/usr/bin/env python3
"""Judge the standard KUnit runs of make check (harness/standard.sh).

  kunit_standard.py judge OUTDIR [--skips FILE] [--expected FILE]
      Judges both runs standard.sh leaves in OUTDIR: "uml" (the stock
      kunit.py run on UML) and "x86_64" (one unfiltered boot of the
      harness's KUnit kernel on one node).  Prints one "PASS ..." /
      "FAIL ..." line per case (and parameter) and per run, and last
      "counts P F"; exits 0.
  kunit_standard.py infra OUTDIR RUN
      Exits 0 if RUN's results are kunit.py's parse of its whole console,
      else prints why (one line) and exits 1: what standard.sh retries.

A run's files in OUTDIR: RUN.json (kunit.py --json), console-RUN.log (the
console, the build directory's test.log), RUN.out (kunit.py's own output),
and from standard.sh RUN.no-boot (kunit.py booted no kernel: it did not
build; why) and RUN.retried (why the first attempt was retried).

Every case passes, or skips with a reason the skip list allows
(harness/kunit/standard-skips: "suite.case reason-regex" lines), or fails
as the expected-failure list says (harness/kunit/expected-failures: "RUN
suite.case strict|flaky FIX" lines, RUN being uml, x86_64 or both).  A
strict entry whose case no longer fails fails (remove the entry); a flaky
one may pass or fail.  An entry naming no case of the run fails.

Results kunit.py could not parse are an infrastructure failure, not a test
failure: no, an empty or a malformed JSON file, a top-level status of
FAILURE_TO_PARSE_TESTS or NO_TESTS, results that hold no case, no console
log, or a console with a KTAP result that the JSON lacks (kunit.py lost its
place, e.g. at a kernel message that landed inside a KTAP line).  A kernel
that crashed is not one: its console has no result for the cases it never
reached, and kunit.py reports them crashed, which fails them.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kunit_results import leaves, listed_skip, skip_reasons  # noqa: E402

RUNS = ('uml', 'x86_64')
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SKIPS = os.path.join(HERE, 'kunit', 'standard-skips')
DEFAULT_EXPECTED = os.path.join(HERE, 'kunit', 'expected-failures')

TIMESTAMP_RE = re.compile(r'^\[ *\d+\.\d+\] ?')
KTAP_START_RE = re.compile(r'^K?TAP version \d+')
# A KTAP result line as kunit.py reads it: the name ends at a directive.
RESULT_RE = re.compile(r'^( *)(?:not )?ok \d+ (?:- )?(.*?)(?: # SKIP.*| *#.*)?$')
NAME_RE = re.compile(r'^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.\S+)?$')


def files_of(outdir, run):
    return (os.path.join(outdir, run + '.json'),
            os.path.join(outdir, 'console-' + run + '.log'))


def read_lines(path):
    with open(path, errors='replace') as f:
        return f.read().splitlines()


def console_results(lines):
    """Every leaf result on a console, "suite.case" or "suite.case.param",
    from the result lines of the top-level KTAP and their indentation: a
    result's children are the results before it that are indented deeper.
    Only the suites that finished (a top-level result) count."""
    pending, started = [], False  # [(depth, [leaf names])]
    for line in lines:
        line = TIMESTAMP_RE.sub('', line.rstrip('\r'))
        if not started:
            started = bool(KTAP_START_RE.match(line))
            continue
        m = RESULT_RE.match(line)
        if not m:
            continue
        depth, name = len(m.group(1)), m.group(2).strip()
        children = []
        while pending and pending[-1][0] > depth:
            children = pending.pop()[1] + children
        pending.append((depth, [name + '.' + c for c in children] if children else [name]))
    # Results still indented at the end are a suite's that never finished
    # (the kernel crashed or was killed): kunit.py reports them its own way.
    return [leaf for depth, names in pending if depth == 0 for leaf in names]


def cases_of(top):
    """[(name, status)] of every leaf, "suite.case" or "suite.case.param",
    without kunit.py's top-level group."""
    out = []
    for name, status in leaves(top):
        out.append((name.split('.', 1)[1] if '.' in name else name, status))
    return out


def load_run(outdir, run):
    """(problem, top, console lines): problem is None if the results are
    usable, else why they are an infrastructure failure."""
    jpath, cpath = files_of(outdir, run)
    if not os.path.exists(jpath):
        return f'no results: {jpath} is missing (kunit.py wrote none)', None, []
    if os.path.getsize(jpath) == 0:
        return f'no results: {jpath} is empty', None, []
    try:
        with open(jpath) as f:
            top = json.load(f)
    except (OSError, ValueError) as e:
        return f'{jpath} is not kunit.py JSON ({e})', None, []
    if not isinstance(top, dict) or not isinstance(top.get('sub_groups', []), list):
        return f'{jpath} is not kunit.py JSON (no test group at its top)', None, []
    status = top.get('status')
    if status in ('FAILURE_TO_PARSE_TESTS', 'NO_TESTS'):
        return f'kunit.py could not parse the console (status {status})', None, []
    try:
        cases = cases_of(top)
    except (KeyError, TypeError, AttributeError) as e:
        return f'{jpath} is not kunit.py JSON ({e!r})', None, []
    if not cases:
        return 'the results hold no case: kunit.py found no KTAP output (FAILURE_TO_PARSE_TESTS) or no test ran', None, []
    if not os.path.isfile(cpath) or os.path.getsize(cpath) == 0:
        return f'no console log ({cpath} is missing or empty)', None, []
    lines = read_lines(cpath)
    parsed = {name for name, _ in cases}
    lost = [r for r in console_results(lines) if r not in parsed]
    if lost:
        return (f'KTAP parse failure: kunit.py\'s results lack {len(lost)} result(s) that the console '
                f'reports ({", ".join(lost[:3])}{", ..." if len(lost) > 3 else ""})'), None, []
    return None, top, lines


def has_comment_above(lines, i):
    """Line i (an entry) is in a block of entries that starts with a comment."""
    j = i - 1
    while j >= 0 and lines[j].strip() and not lines[j].lstrip().startswith('#'):
        j -= 1
    return j >= 0 and lines[j].lstrip().startswith('#')


def entry_lines(lines):
    """(line number, stripped line) of the entries of a list: not blank,
    not a comment."""
    for n, raw in enumerate(lines, 1):
        line = raw.strip()
        if line and not line.startswith('#'):
            yield n, line


def read_skips(path):
    """{"suite.case": (regex, text)} and the list's bad lines."""
    skips, bad = {}, []
    lines = read_lines(path)
    for n, line in entry_lines(lines):
        parts = line.split(None, 1)
        if len(parts) != 2:
            bad.append(f'line {n}: "{line}" has no reason regex')
            continue
        if not NAME_RE.match(parts[0]) or parts[0].count('.') != 1:
            bad.append(f'line {n}: "{parts[0]}" is not "suite.case"')
            continue
        if not has_comment_above(lines, n - 1):
            bad.append(f'line {n}: {parts[0]} has no comment above it saying why it may skip')
            continue
        try:
            skips[parts[0]] = (re.compile(parts[1]), parts[1])
        except re.error as e:
            bad.append(f'line {n}: bad regex {parts[1]!r} ({e})')
    return skips, bad


def read_expected(path):
    """[(runs, case, mode, fix)] and the list's bad lines."""
    entries, bad = [], []
    for n, line in entry_lines(read_lines(path)):
        parts = line.split(None, 3)
        if len(parts) < 4 or not parts[3].strip():
            bad.append(f'line {n}: "{line}" is not "RUN suite.case strict|flaky FIX"')
            continue
        run, case, mode, fix = parts
        if run not in RUNS + ('both',):
            bad.append(f'line {n}: run "{run}" is not uml, x86_64 or both')
        elif not NAME_RE.match(case):
            bad.append(f'line {n}: "{case}" is not "suite.case"')
        elif mode not in ('strict', 'flaky'):
            bad.append(f'line {n}: "{mode}" is not strict or flaky')
        else:
            entries.append((RUNS if run == 'both' else (run,), case, mode, fix.strip()))
    return entries, bad


def covers(entry_case, name):
    return name == entry_case or name.startswith(entry_case + '.')


def skip_ok(name, skips, reasons):
    """(True, reason) if standard-skips lets NAME skip with the reason its
    console gives, else (False, why not)."""
    return listed_skip(name, skips, reasons, 'standard-skips')


def judge_run(outdir, run, skips, expected, out):
    """Judge one run; returns (passed, failed, names of its cases or None)."""
    p = f = 0
    tag = f'standard ({run})'

    def ok(msg):
        nonlocal p
        p += 1
        out.append('PASS ' + msg)

    def bad(msg):
        nonlocal f
        f += 1
        out.append('FAIL ' + msg)

    noboot = os.path.join(outdir, run + '.no-boot')
    if os.path.exists(noboot):
        with open(noboot, errors='replace') as fh:
            why = fh.read().strip().splitlines() or [f'(no reason recorded in {noboot})']
        bad(f'{tag}: no boot: {why[-1]}')
        return p, f, None
    retried = os.path.join(outdir, run + '.retried')
    note = ''
    if os.path.exists(retried):
        with open(retried, errors='replace') as fh:
            first = (fh.read().strip().splitlines() or ['?'])[-1]
        note = f'; the first attempt was retried: {first}'
    problem, top, lines = load_run(outdir, run)
    if problem:
        bad(f'{tag}: infrastructure: {problem}{" (also on its retry)" if note else ""} '
            f'(not a test failure; log: {os.path.join(outdir, run + ".out")})')
        return p, f, None
    reasons = skip_reasons(lines)
    results = cases_of(top)
    mine = [e for e in expected if run in e[0]]
    counts = {'passed': 0, 'skipped': 0, 'expected': 0, 'failed': 0}
    # Results kunit.py made up for a plan the console never completed (the
    # kernel crashed, hung or was killed) have no name: one line for all.
    unnamed = [st for name, st in results if not name or name.endswith('.')]
    if unnamed:
        counts['failed'] += len(unnamed)
        bad(f'{tag}: {len(unnamed)} result(s) missing from the console, which kunit.py counts as '
            f'{"/".join(sorted(set(unnamed)))}: the kernel crashed, hung or was killed '
            f'(console: {files_of(outdir, run)[1]})')
    for name, status in results:
        if not name or name.endswith('.'):
            continue
        if status == 'PASS':
            counts['passed'] += 1
            ok(f'{tag} {name}')
        elif status == 'SKIP':
            good, why = skip_ok(name, skips, reasons)
            if good:
                counts['skipped'] += 1
                ok(f'{tag} {name} (skipped as listed: {why})')
            else:
                counts['failed'] += 1
                bad(f'{tag} {name}: SKIP ({why})')
        else:
            entry = next((e for e in mine if covers(e[1], name)), None)
            if entry:
                counts['expected'] += 1
                ok(f'{tag} {name} ({status} as expected, {entry[2]}: {entry[3]})')
            else:
                counts['failed'] += 1
                bad(f'{tag} {name}: {status} (not in expected-failures)')
    for _, case, mode, fix in mine:
        statuses = [st for name, st in results if covers(case, name)]
        if not statuses:
            bad(f'{tag}: expected-failures lists {case}, which is no case of this run')
        elif mode == 'strict' and all(st in ('PASS', 'SKIP') for st in statuses):
            bad(f'{tag} {case}: listed as a strict expected failure but did not fail: '
                f'remove it from expected-failures ({fix})')
    summary = (f'{len(results)} cases: {counts["passed"]} passed, {counts["skipped"]} skipped as listed, '
               f'{counts["expected"]} failed as expected, {counts["failed"]} failed otherwise{note}')
    if counts['failed']:
        bad(f'{tag}: {summary}')
    else:
        ok(f'{tag}: {summary}')
    return p, f, {name for name, _ in results}


def cmd_judge(outdir, skips_path, expected_path):
    out = []
    p = f = 0
    skips, expected = {}, []
    for what, path, reader in (('standard-skips', skips_path, read_skips),
                               ('expected-failures', expected_path, read_expected)):
        try:
            got, bad = reader(path)
        except OSError as e:
            got, bad = None, [f'cannot read it ({e.strerror})']
        for why in bad:
            f += 1
            out.append(f'FAIL standard: {what} {path}: {why}')
        if got is not None:
            if what == 'standard-skips':
                skips = got
            else:
                expected = got
    seen, judged, per_run = set(), 0, {}
    for run in RUNS:
        rp, rf, names = judge_run(outdir, run, skips, expected, out)
        p, f = p + rp, f + rf
        if names is not None:
            seen |= names
            judged += 1
            per_run[run] = names
    # Both runs build the same three kunitconfig directories: a case that
    # one run has and the other lacks is a suite lost in a configuration
    # (a dependency that went away), which would otherwise pass unseen.
    if judged == len(RUNS):
        a, b = (per_run[r] for r in RUNS)
        if a != b:
            f += 1
            only_a, only_b = sorted(a - b), sorted(b - a)
            out.append(f'FAIL standard: the runs differ: {len(only_a)} case(s) only in {RUNS[0]}'
                       f'{" (" + only_a[0] + ", ...)" if only_a else ""}, {len(only_b)} only in '
                       f'{RUNS[1]}{" (" + only_b[0] + ", ...)" if only_b else ""}')
        else:
            p += 1
            out.append(f'PASS standard: both runs ran the same {len(a)} cases')
    # A skip entry must name a case of some run, once every run gave results.
    if judged == len(RUNS):
        for key in sorted(skips):
            if not any(covers(key, n) for n in seen):
                f += 1
                out.append(f'FAIL standard: standard-skips lists {key}, which is no case of any run')
    for line in out:
        print(line)
    print('counts', p, f)


def cmd_infra(outdir, run):
    problem, _, _ = load_run(outdir, run)
    if problem:
        print(problem)
        return 1
    return 0


def main(argv):
    args, opts, rest = [], {}, argv[1:]
    while rest:
        a = rest.pop(0)
        if a in ('--skips', '--expected') and rest:
            opts[a[2:]] = rest.pop(0)
        else:
            args.append(a)
    if len(args) == 2 and args[0] == 'judge':
        cmd_judge(args[1], opts.get('skips', DEFAULT_SKIPS), opts.get('expected', DEFAULT_EXPECTED))
        return 0
    if len(args) == 3 and args[0] == 'infra' and not opts and args[2] in RUNS:
        return cmd_infra(args[1], args[2])
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""checkpatch_judge.py ALLOW LOG STATUS: judge one patch's checkpatch --strict output.

LOG holds what "checkpatch.pl --strict --show-types" printed (stdout and
stderr, with its summary) and STATUS its exit status.  Any ERROR or WARNING
fails.  A CHECK fails unless harness/checkpatch-allow lists its type and
file ("TYPE path reason...").  Prints "ok (...)" or what is wrong.

It fails closed: the log must end checkpatch's run with its own summary,
"total: E errors, W warnings, C checks, L lines checked", whose counts match
the messages in the log.  A clean patch (no message at all) must also have
"... has no obvious style problems" and exit status 0; a patch with only
allowed CHECKs exits 1 (checkpatch's status for "style problems").  A
missing or empty log, a missing summary (checkpatch crashed, was killed or
read an empty patch) or any other exit status is a failure.
"""
import os
import re
import sys

TOTAL_RE = re.compile(r'total: (\d+) errors, (\d+) warnings, (\d+) checks, (\d+) lines checked$')


def judge(allow_path, log_path, status):
    allow = set()
    for line in open(allow_path):
        line = line.strip()
        if line and not line.startswith('#'):
            f = line.split()
            if len(f) < 3:
                return f'bad line in {allow_path} (want "TYPE path reason"): {line}'
            allow.add((f[0], f[1]))

    if not os.path.exists(log_path):
        return f'no checkpatch log (exit status {status})'
    text = open(log_path, errors='replace').read()
    if not text.strip():
        return f'checkpatch printed nothing (exit status {status})'
    lines = text.splitlines()

    bad, allowed, seen = [], 0, {'ERROR': 0, 'WARNING': 0, 'CHECK': 0}
    for i, line in enumerate(lines):
        m = re.match(r'(ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)', line)
        if not m:
            continue
        level, typ, msg = m.groups()
        seen[level] += 1
        where = ''
        for nxt in lines[i + 1:i + 4]:
            f = re.search(r'FILE: ([^:]+):', nxt)
            if f:
                where = f.group(1)
                break
        if level == 'CHECK' and (typ, where) in allow:
            allowed += 1
            continue
        bad.append(f'{level}:{typ}: {msg} [{where}]')

    if bad:
        return f'{len(bad)} problem(s), first: {bad[0]}'
    totals = [TOTAL_RE.match(l) for l in lines]
    totals = [m for m in totals if m]
    if not totals:
        return (f'no "total: ..." summary line: checkpatch did not finish '
                f'(exit status {status}; last line: {lines[-1].strip()[:100]!r})')
    if len(totals) > 1:
        return f'{len(totals)} "total: ..." summary lines for one patch'
    e, w, c, n = (int(x) for x in totals[0].groups())
    if (e, w, c) != (seen['ERROR'], seen['WARNING'], seen['CHECK']):
        return (f'the summary counts {e} errors, {w} warnings, {c} checks but the log '
                f'holds {seen["ERROR"]}, {seen["WARNING"]}, {seen["CHECK"]}')
    if c == 0:
        if status != 0:
            return f'no message, but checkpatch exited with status {status}'
        if not any(l.rstrip().endswith('has no obvious style problems and is ready for submission.')
                   for l in lines):
            return 'no message, but no "has no obvious style problems" line'
        return f'ok (clean, {n} lines checked)'
    if status != 1:
        return f'only allowed CHECKs, but checkpatch exited with status {status} (expected 1)'
    return f'ok ({allowed} allowed CHECKs, {n} lines checked)'


def main():
    if len(sys.argv) != 4 or not re.fullmatch(r'\d+', sys.argv[3]):
        sys.exit(__doc__)
    print(judge(sys.argv[1], sys.argv[2], int(sys.argv[3])))


main()

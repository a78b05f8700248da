#!/usr/bin/env python3
"""checkpatch_judge.py ALLOW LOG: judge one patch's checkpatch --strict output.

Any ERROR or WARNING fails.  A CHECK fails unless harness/checkpatch-allow
lists its type and file ("TYPE path reason...").  Prints "ok (...)" or the
first offending message.
"""
import re
import sys

allow = set()
for line in open(sys.argv[1]):
    line = line.strip()
    if line and not line.startswith('#'):
        typ, path = line.split()[:2]
        allow.add((typ, path))

bad, allowed = [], 0
lines = open(sys.argv[2], errors='replace').read().splitlines()
for i, line in enumerate(lines):
    m = re.match(r'(ERROR|WARNING|CHECK):([A-Z0-9_]+): (.*)', line)
    if not m:
        continue
    level, typ, msg = m.groups()
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
    print(f'{len(bad)} problem(s), first: {bad[0]}')
else:
    print(f'ok (clean{f", {allowed} allowed CHECKs" if allowed else ""})')

#!/usr/bin/env python3
"""checkpatch_judge.py ALLOW LOG STATUS [PATCH TREE]: judge one patch's checkpatch --strict output.

LOG holds what "checkpatch.pl --strict --show-types" printed (stdout and
stderr, with its summary) and STATUS its exit status.  Any ERROR or WARNING
fails.  A CHECK fails unless harness/checkpatch-allow lists its type and
file ("TYPE path reason...").  Prints "ok (...)" or what is wrong.

One WARNING can be accepted: FILE_PATH_CHANGES ("added, moved or deleted
file(s), does MAINTAINERS need updating?"), and only given PATCH (the patch
checkpatch read) and TREE (the tree it was checked in, with MAINTAINERS as
it stands there).  It is accepted, and counted in the "ok" line, if every
file PATCH adds, deletes, renames or copies to is covered by a maintained
MAINTAINERS section of TREE: a section with an M: line and an S: of
Maintained or Supported, whose F: or N: patterns match the file and whose
X: patterns do not, as scripts/get_maintainer.pl matches them (its
"maintainer:" and "supporter:" roles).  "THE REST" (S: Buried alive in
reporters) covers nothing.  A file no such section covers, a patch that
cannot be read or names no such file, or no PATCH and TREE at all, keep
the warning a failure, naming the uncovered files.

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


def changed_paths(patch_path):
    """[(how, path)] of the files PATCH adds, deletes, renames or copies to.

    Read from the extended header lines git writes between "diff --git" and
    the first "---"/"+++"/"@@"/binary line of each file.  Raises ValueError
    for a header it cannot read (a quoted or spaced path): fail closed.
    """
    out, a, b, in_header = [], None, None, False
    for line in open(patch_path, errors='replace').read().splitlines():
        if line.startswith('diff --git '):
            m = re.fullmatch(r'diff --git a/(\S+) b/(\S+)', line)
            if not m:
                raise ValueError(f'cannot read the file names of {line!r}')
            a, b = m.groups()
            in_header = True
            continue
        if not in_header:
            continue
        if line.startswith(('--- ', '+++ ', '@@', 'Binary files ', 'GIT binary patch')):
            in_header = False
            continue
        for prefix, how, path in (('new file mode ', 'added', b), ('deleted file mode ', 'deleted', a),
                                  ('rename from ', 'renamed from', None),
                                  ('rename to ', 'renamed to', None),
                                  ('copy to ', 'copied to', None)):
            if line.startswith(prefix):
                if path is None:
                    path = line[len(prefix):]
                    if not re.fullmatch(r'\S+', path) or path.startswith('"'):
                        raise ValueError(f'cannot read the file name of {line!r}')
                out.append((how, path))
    return out


class Maintainers:
    """MAINTAINERS of TREE, read and matched as scripts/get_maintainer.pl does."""

    def __init__(self, tree):
        self.tree = tree
        path = os.path.join(tree, 'MAINTAINERS')
        if os.path.isdir(path):
            files = [os.path.join(path, f) for f in sorted(os.listdir(path)) if not f.startswith('.')]
        elif os.path.isfile(path):
            files = [path]
        else:
            raise OSError(f'no MAINTAINERS in {tree}')
        # Sections: a title line, then its "X:\tvalue" lines (blank and
        # comment lines are skipped, any other line starts a section).
        self.sections = []
        for f in files:
            for line in open(f, errors='replace').read().splitlines():
                m = re.match(r'([A-Z]):\s*(.*)', line)
                if not m:
                    if line.strip() and not line.lstrip().startswith('#'):
                        self.sections.append((line, []))
                    continue
                typ, value = m.groups()
                if typ in 'FX':
                    value = value.replace('.', '\\.').replace('*', '.*').replace('?', '.')
                    if os.path.isdir(os.path.join(tree, value)) and not value.endswith('/'):
                        value += '/'
                if not self.sections:
                    self.sections.append(('', []))
                self.sections[-1][1].append((typ, value))
        self.regex = {}

    def _regex(self, pattern, flags=0):
        """PATTERN compiled, or None if Python cannot (it then matches nothing: fail closed)."""
        if (pattern, flags) not in self.regex:
            try:
                self.regex[(pattern, flags)] = re.compile(pattern, flags)
            except re.error:
                self.regex[(pattern, flags)] = None
        return self.regex[(pattern, flags)]

    def _file_match(self, path, pattern):
        """get_maintainer.pl's file_match_pattern: a prefix match; a pattern
        without a trailing '/' must also have as many '/' as PATH."""
        r = self._regex('^' + pattern)
        if r is None or not r.match(path):
            return False
        return pattern.endswith('/') or path.count('/') == pattern.count('/')

    def covering(self, path):
        """The maintained section that covers PATH most specifically, or None."""
        best = None
        for name, entries in self.sections:
            status = [v for t, v in entries if t == 'S']
            if not any(t == 'M' for t, v in entries) or not status or \
                    status[-1].strip().lower() not in ('maintained', 'supported'):
                continue
            if any(t == 'X' and self._file_match(path, v) for t, v in entries):
                continue
            for t, v in entries:
                depth = None
                if t == 'F' and self._file_match(path, v):
                    depth = -1 if v.startswith('.*') else v.count('/') + (not v.endswith('/'))
                elif t == 'N':
                    r = self._regex(v, re.VERBOSE)
                    if r is not None and r.search(path):
                        depth = 0
                if depth is not None and (best is None or depth > best[0]):
                    best = (depth, name.strip())
        return best and best[1]


def judge_file_path_changes(patch_path, tree):
    """(accepted, note): whether FILE_PATH_CHANGES is accepted for PATCH in TREE."""
    if patch_path is None:
        return False, 'no patch and tree given to check MAINTAINERS against'
    try:
        paths = changed_paths(patch_path)
        maint = Maintainers(tree)
    except (OSError, ValueError) as e:
        return False, f'cannot check MAINTAINERS: {e}'
    if not paths:
        return False, 'the patch adds, deletes or renames no file that the judge can find'
    uncovered, sections = [], []
    for how, path in paths:
        section = maint.covering(path)
        if section is None:
            uncovered.append(f'{how} {path}')
        elif section not in sections:
            sections.append(section)
    if uncovered:
        more = f' and {len(uncovered) - 3} more' if len(uncovered) > 3 else ''
        return False, (f'no maintained MAINTAINERS section (M:, S: Maintained or Supported) covers: '
                       f'{", ".join(uncovered[:3])}{more}')
    return True, (f'FILE_PATH_CHANGES accepted: its {len(paths)} added/deleted/renamed file(s) are under '
                  f'maintained MAINTAINERS sections ({"; ".join(sections)})')


def judge(allow_path, log_path, status, patch_path=None, tree=None):
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
    notes, path_changes = [], None
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
        if level == 'WARNING' and typ == 'FILE_PATH_CHANGES':
            if path_changes is None:
                path_changes = judge_file_path_changes(patch_path, tree)
            accepted, note = path_changes
            if accepted:
                if note not in notes:
                    notes.append(note)
                continue
            where = note
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
    if e + w + c == 0:
        if status != 0:
            return f'no message, but checkpatch exited with status {status}'
        if not any(l.rstrip().endswith('has no obvious style problems and is ready for submission.')
                   for l in lines):
            return 'no message, but no "has no obvious style problems" line'
        return f'ok (clean, {n} lines checked)'
    if status != 1:
        return (f'only allowed CHECKs{" and an accepted warning" if w else ""}, '
                f'but checkpatch exited with status {status} (expected 1)')
    return f'ok ({allowed} allowed CHECKs, {n} lines checked{"".join("; " + x for x in notes)})'


def main():
    if len(sys.argv) not in (4, 6) or not re.fullmatch(r'\d+', sys.argv[3]):
        sys.exit(__doc__)
    print(judge(sys.argv[1], sys.argv[2], int(sys.argv[3]), *sys.argv[4:]))


main()

#!/usr/bin/env python3
"""The functions a series adds or changes, and the symbols of a build's
mm/, fs/ and lib/: what the debug gate's leak judge needs.

  series_functions.py functions TREE BASE [SYSTEM_MAP]
      Prints, one per line, the name of every C function of TREE's HEAD
      whose definition (from its first line to its closing brace) holds a
      line that BASE..HEAD adds, changes or deletes, in the .c and .h files
      the series touches.  A function the series deletes cannot be in a
      backtrace of the patched kernel and is not listed.  Nothing if
      HEAD is BASE; exit status 1 if files changed but no function was
      found in them.  With SYSTEM_MAP, the callers (in the touched files)
      of a listed function the kernel inlined are listed too: its code
      shows in their frames.
  series_functions.py lowlevel BUILDDIR
      Prints the text symbols defined by the objects BUILDDIR built from
      mm/, fs/ and lib/: frames the leak judge looks through to find who
      asked for the memory.

Kernel style makes a definition easy to find: its body opens with "{" and
closes with "}" in the first column.  The name is the last identifier
followed by "(" at parenthesis depth zero in the lines that precede the
"{" since the previous statement, declaration or blank line.
"""
import os
import re
import subprocess
import sys

HUNK_RE = re.compile(r'^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@')
IDENT_PAREN_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*\(')


def changed_lines(tree, base):
    """{path: set of new-side line numbers} of BASE..HEAD in TREE's .c/.h
    files.  A hunk that only deletes marks the line before the deletion,
    so that the function it was in is found."""
    out = subprocess.run(['git', '-C', tree, 'diff', '-U0', '--no-color', '--no-renames',
                          base, 'HEAD', '--', '*.c', '*.h'],
                         check=True, capture_output=True, text=True).stdout
    lines = {}
    path = None
    for l in out.splitlines():
        if l.startswith('+++ '):
            path = None if l[4:] == '/dev/null' else l[6:]
            continue
        m = HUNK_RE.match(l)
        if m and path:
            start, count = int(m.group(1)), int(m.group(2) or 1)
            s = lines.setdefault(path, set())
            if count == 0:
                # Lines deleted after new line START: the function they
                # were in holds START (or they were whole functions).
                s.add(start)
            else:
                s.update(range(start, start + count))
    return lines


# Annotations written with parentheses before or after a declarator.
ANNOTATIONS = {
    '__printf', '__scanf', '__must_hold', '__acquires', '__releases',
    '__cond_acquires', '__attribute__', '__alloc_size', '__malloc',
    '__assume_aligned', '__section', '__aligned', '__diagnose_as',
    '__no_sanitize_address', 'EXPORT_SYMBOL', 'EXPORT_SYMBOL_GPL',
}


def definition_name(header):
    """The function name of a definition's header text (the lines before
    its "{"), or None: the last identifier followed by "(" at depth zero
    that is not an annotation."""
    depth = 0
    name = None
    i = 0
    while i < len(header):
        c = header[i]
        if c == '(':
            if depth == 0:
                m = re.search(r'([A-Za-z_][A-Za-z0-9_]*)\s*$', header[:i])
                if m and m.group(1) not in ANNOTATIONS:
                    name = m.group(1)
            depth += 1
        elif c == ')':
            depth = max(0, depth - 1)
        i += 1
    if name in (None, 'if', 'for', 'while', 'switch', 'sizeof', 'return'):
        return None
    return name


def definitions(text):
    """[(name, first line, last line)] of the function definitions of C
    source TEXT, lines counted from 1."""
    lines = text.split('\n')
    found = []
    i = 0
    while i < len(lines):
        if lines[i].startswith('{'):
            j = i - 1
            while j >= 0:
                s = lines[j].rstrip()
                t = s.lstrip()
                # A statement, a declaration, a preprocessor line or a
                # comment block (a comment at the end of a parameter line
                # is part of the header).
                if (not s or s.endswith(';') or s.startswith('}') or s.startswith('#')
                        or t.startswith(('*', '/*', '//'))):
                    break
                j -= 1
            header = ' '.join(lines[j + 1:i])
            name = definition_name(header) if '(' in header and '=' not in header.split('(')[0] else None
            k = i + 1
            while k < len(lines) and not lines[k].startswith('}'):
                k += 1
            if name:
                found.append((name, j + 2, k + 1))
            i = k + 1
            continue
        i += 1
    return found


def series_functions(tree, base, symbols=None):
    """The functions BASE..HEAD adds or changes.  With SYMBOLS (a built
    kernel's System.map), a function of the list the kernel has no symbol
    for was inlined and never shows as a frame: the functions of the
    touched files that call it are listed too, and so on."""
    names = set()
    changed = changed_lines(tree, base)
    bodies = {}
    for path, nums in changed.items():
        try:
            with open(os.path.join(tree, path), errors='replace') as f:
                text = f.read()
        except FileNotFoundError:
            continue
        lines = text.split('\n')
        for name, first, last in definitions(text):
            bodies.setdefault(name, []).append('\n'.join(lines[first:last]))
            if any(first <= n <= last for n in nums):
                names.add(name)
    if symbols is not None:
        inlined = [n for n in names if n not in symbols]
        while inlined:
            callee = inlined.pop()
            call = re.compile(r'\b' + re.escape(callee) + r'\s*\(')
            for caller, texts in bodies.items():
                if caller not in names and any(call.search(t) for t in texts):
                    names.add(caller)
                    if caller not in symbols:
                        inlined.append(caller)
    if changed and not names:
        raise ValueError(f'{len(changed)} C files changed, but no function found in them')
    return sorted(names)


def lowlevel_symbols(builddir):
    names = set()
    objs = []
    for sub in ('mm', 'fs', 'lib'):
        for root, _dirs, files in os.walk(os.path.join(builddir, sub)):
            objs += [os.path.join(root, f) for f in files
                     if f.endswith('.o') and not f.endswith('.mod.o') and f != 'built-in.o']
    for i in range(0, len(objs), 500):
        out = subprocess.run(['nm', '--defined-only'] + objs[i:i + 500],
                             capture_output=True, text=True).stdout
        for l in out.splitlines():
            parts = l.split()
            if len(parts) == 3 and parts[1] in 'tTwW':
                names.add(parts[2].split('.', 1)[0])
    return sorted(names)


def main(argv):
    if len(argv) in (4, 5) and argv[1] == 'functions':
        try:
            symbols = None
            if len(argv) == 5:
                with open(argv[4]) as f:
                    symbols = {l.split()[2].split('.', 1)[0] for l in f if len(l.split()) >= 3}
            names = series_functions(argv[2], argv[3], symbols)
        except (ValueError, OSError, subprocess.CalledProcessError) as e:
            print(f'series_functions.py: functions: {e}', file=sys.stderr)
            return 1
        if names:
            print('\n'.join(names))
        return 0
    elif len(argv) == 3 and argv[1] == 'lowlevel':
        names = lowlevel_symbols(argv[2])
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if not names:
        print(f'series_functions.py: {argv[1]}: nothing found', file=sys.stderr)
        return 1
    print('\n'.join(names))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

#!/usr/bin/env bash
# docs.sh [TREE]: the series' documentation builds and renders.
#
# Builds "make SPHINXDIRS='gpu driver-api ...' htmldocs" with Debian's Sphinx on
# the base (in $CACHE/docs-base-tree, output in $BUILD/docs-base) and on TREE
# (output in $BUILD/docs), and checks, one PASS/FAIL line each:
#   - both builds ran: make exits 0 and Sphinx read every SPHINXDIR
#     (Documentation/Makefile exits 0 and skips Sphinx when sphinx-build
#     is missing, so the exit status alone proves nothing);
#   - the patched build adds no warning over the base (stderr of the build,
#     absolute paths and line numbers taken out, compared as sorted lists
#     with their repeats: a second copy of a base warning is new);
#   - every Documentation/*.rst the series touches has its HTML page, written
#     by this build;
#   - every section title the series adds is a heading in that page, and
#     every `Title`_ reference it adds links to that heading;
#   - every kernel-doc directive the series adds rendered: each declaration
#     that scripts/kernel-doc gives for it (":export:" and ":internal:"
#     functions, structs, enums, ...) is in the page under its C domain id,
#     and a ":doc:" section's text is in the page.
# Ends with "counts P F" (exit status 0 with TREE, for check.sh; without,
# 1 if a check failed); a build that crashed, printed nothing or wrote no
# HTML is a FAIL, never a skipped check.
#
# Sphinx reports only the warnings of the documents it reads, so every
# patched build reads them all (-E); the base's warnings are kept in
# $CACHE/docs-base/, keyed by the base commit, the Documentation files the
# series touches, SPHINXDIRS and the Sphinx, docutils and graphviz versions,
# so the base is built once.  The build never writes into a tree: the
# netlink specs that htmldocs renders first go to the build directory.
# Without TREE (make docs): patches/ applied to the base in the check tree.
. "$(dirname "$0")/lib.sh"

# Debian's Sphinx and python3 (python3-yaml for the netlink specs), never a
# pip or pyenv one earlier in PATH.
export PATH=/usr/bin:/bin:$PATH
unset KDOC_WERROR KCFLAGS DOCS_THEME DOCS_CSS SPHINXDIRS SPHINXOPTS KBUILD_VERBOSE V
export SPHINX_IMGMATH=no

tree=${1:-} standalone=0
if [ -z "$tree" ]; then
	standalone=1
	tree=$CHECKTREE
	"$H/tree-prep.sh" "$tree" >/dev/null
	apply_series "$tree" >"$LOGS/docs-apply.log" 2>&1 ||
		die "patches/ does not apply (log: $LOGS/docs-apply.log)"
fi
# Physical paths: they are what make and Sphinx print, and what is taken out.
tree=$(cd "$tree" && pwd -P)
# The two directories the series documents itself in, and the directory of
# every other .rst file it touches (filesystems/ for the meminfo fields).
dirs="gpu driver-api"
for d in $(series_files | sed -n 's|^Documentation/\([^/]*\)/.*\.rst$|\1|p' | sort -u); do
	case " $dirs " in *" $d "*) ;; *) dirs="$dirs $d" ;; esac
done
basetree="$CACHE/docs-base-tree"
logs="$LOGS/docs"
rm -rf "$logs"
mkdir -p "$logs" "$CACHE/docs-base"

passed=0 failed=0
pass() { passed=$((passed + 1)); say "PASS docs: $*"; }
fail() { failed=$((failed + 1)); say "FAIL docs: $*"; }
# check.sh (TREE given) reads the counts and takes the exit status for a
# crash; "make docs" exits non-zero on a failure.
done_counts() {
	echo "counts $passed $failed"
	[ "$standalone" = 1 ] && [ "$failed" -gt 0 ] && exit 1
	exit 0
}

base=$(base_commit)
mapfile -t rsts < <(series_files | grep '^Documentation/.*\.rst$' || true)
if [ ${#rsts[@]} -eq 0 ]; then
	fail "the series touches no Documentation/*.rst file: nothing to render"
	done_counts
fi
if ! command -v sphinx-build >/dev/null || ! sv=$(sphinx-build --version 2>&1); then
	fail "no sphinx-build in /usr/bin (run 'make deps')"
	done_counts
fi
sphinx_version=${sv##* }

# build TREE O LOG: the htmldocs build; LOG.out is make's output, LOG.err
# Sphinx's and kernel-doc's warnings.  Status: make's.
build() {
	local t=$1 o=$2 log=$3
	(cd "$t" && nice -n 19 ionice -c3 make O="$o" -j"$JOBS" SPHINXDIRS="$dirs" SPHINXOPTS="-q -E" \
		YNL_RST_DIR="$o/netlink_spec" YNL_INDEX="$o/netlink_spec/index.rst" htmldocs) \
		>"$log.out" 2>"$log.err" </dev/null
}
# ran LOG: Sphinx read every SPHINXDIR (Documentation/sphinx/load_config.py
# prints "source directory: DIR" once per book).
ran() {
	local d
	for d in $dirs; do
		grep -qx "source directory: $d" "$1.out" 2>/dev/null || { echo "$d"; return 1; }
	done
}
# warnings LOG TREE O: the warnings of LOG.err, without the tree's and the
# build directory's paths and line numbers, sorted (repeats kept).
re_quote() { printf '%s' "$1" | sed 's/[][\\.*^$|+?(){}]/\\&/g'; }
warnings() {
	sed -E -e "s|$(re_quote "$2")/||g" -e "s|$(re_quote "$3")/|O/|g" -e 's/:[0-9]+/:N/g' "$1.err" |
		grep -vxE 'Using [a-z_]+ theme' | LC_ALL=C sort || true
}

# --- the base, once per key ---------------------------------------------------
key=$( {
	echo "$base"
	printf '%s\n' "${rsts[@]}"
	echo "$dirs"
	echo "$sv"
	dpkg-query -W python3-sphinx python3-docutils graphviz 2>&1
} | sha256sum | cut -c1-16)
cached="$CACHE/docs-base/$key"
if [ -f "$cached.err" ] && [ -f "$cached.meta" ]; then
	pass "the base builds (warnings cached: $cached.err)"
else
	step "htmldocs of the base (once per key $key)" >&2
	"$H/tree-prep.sh" "$basetree" >/dev/null
	basetree=$(cd "$basetree" && pwd -P)
	mkdir -p "$BUILD/docs-base/netlink_spec"
	bo=$(cd "$BUILD/docs-base" && pwd -P)
	git -C "$basetree" checkout -q -f --detach "$base"
	git -C "$basetree" clean -q -fd -e /.gitignore
	t0=$(date +%s)
	brc=0
	build "$basetree" "$bo" "$logs/base" || brc=$?
	if [ $brc != 0 ]; then
		fail "the base does not build: make exited with status $brc (log: $logs/base.err)"
	elif ! d=$(ran "$logs/base"); then
		fail "the base build did not run Sphinx on $d (log: $logs/base.out)"
	else
		cp "$logs/base.err" "$cached.err.tmp"
		printf '%s\n%s\n' "$basetree" "$bo" >"$cached.meta"
		mv "$cached.err.tmp" "$cached.err"
		pass "the base builds ($(( $(date +%s) - t0 ))s)"
	fi
fi

# --- the patched tree ---------------------------------------------------------
mkdir -p "$BUILD/docs/netlink_spec"
o=$(cd "$BUILD/docs" && pwd -P)
out="$o/Documentation/output"
marker="$o/.docs-started"
: >"$marker"
step "htmldocs of $tree" >&2
t0=$(date +%s)
nrc=0
build "$tree" "$o" "$logs/patched" || nrc=$?
secs=$(( $(date +%s) - t0 ))
if [ $nrc != 0 ]; then
	fail "the patched tree does not build: make exited with status $nrc: $(grep -m1 -iE 'error|exception' "$logs/patched.err" || tail -1 "$logs/patched.err") (log: $logs/patched.err)"
	done_counts
elif ! d=$(ran "$logs/patched"); then
	fail "the patched build did not run Sphinx on $d: $(tail -1 "$logs/patched.out") (log: $logs/patched.out)"
	done_counts
fi
pass "the patched tree builds (SPHINXDIRS=\"$dirs\", Sphinx $sphinx_version, ${secs}s)"

# --- no warning over the base -------------------------------------------------
warnings "$logs/patched" "$tree" "$o" >"$logs/warnings.patched"
if [ -f "$cached.err" ] && [ -f "$cached.meta" ]; then
	{ read -r btree; read -r bo; } <"$cached.meta"
	warnings "$cached" "$btree" "$bo" >"$logs/warnings.base"
	LC_ALL=C comm -13 "$logs/warnings.base" "$logs/warnings.patched" >"$logs/warnings.new"
	nb=$(grep -c . "$logs/warnings.base" || true)
	np=$(grep -c . "$logs/warnings.patched" || true)
	nn=$(grep -c . "$logs/warnings.new" || true)
	if [ "$nb" -eq 0 ]; then
		fail "the base build printed no warning at all: its log cannot be trusted ($cached.err)"
	elif [ "$nn" -eq 0 ]; then
		pass "no warning over the base ($nb lines on the base, $np patched)"
	else
		head -10 "$logs/warnings.new" | while IFS= read -r w; do
			say "FAIL docs: new warning: $w"
		done
		failed=$((failed + (nn < 10 ? nn : 10)))
		[ "$nn" -le 10 ] || fail "$((nn - 10)) more new warning lines ($logs/warnings.new)"
	fi
else
	fail "no warnings of the base to compare with: its build failed"
fi

# --- the HTML renders what the series adds ------------------------------------
rrc=0
python3 - "$tree" "$base" "$out" "$marker" "$sphinx_version" "$dirs" "${rsts[@]}" \
	>"$logs/render" 2>&1 <<'PY' || rrc=$?
import glob
import html
import os
import re
import subprocess
import sys

tree, base, out, marker, sphinx_version, dirs = sys.argv[1:7]
rsts = sys.argv[7:]
dirs = dirs.split()
started = os.stat(marker).st_mtime


def say(ok, msg):
    print(('PASS' if ok else 'FAIL') + ' docs: ' + msg)


def added_lines(path):
    """1-based numbers of the lines of PATH (in the tree) not in the base."""
    diff = subprocess.run(['git', '-C', tree, 'diff', '-U0', base, '--', path],
                          capture_output=True, text=True, check=True).stdout
    lines = set()
    for m in re.finditer(r'^@@ -\S+ \+(\d+)(?:,(\d+))? @@', diff, re.M):
        start, n = int(m.group(1)), int(m.group(2) or 1)
        lines.update(range(start, start + n))
    return lines


def text_of(page):
    t = re.sub(r'<[^>]+>', ' ', page)
    t = html.unescape(t).translate(str.maketrans('\u2018\u2019\u201c\u201d\u00a0', '\'\'"" '))
    return ' '.join(t.split())


def kerneldoc(args):
    r = subprocess.run(['perl', 'scripts/kernel-doc', '-rst', '-sphinx-version', sphinx_version] + args,
                       cwd=tree, capture_output=True, text=True)
    return r.returncode, r.stdout


def declared(rst):
    """Names that kernel-doc's reST output declares in the C domain."""
    names = []
    for m in re.finditer(r'^\.\. c:(function|macro|struct|union|enum|type|var)::\s+(.*)$', rst, re.M):
        kind, decl = m.groups()
        if kind == 'function':
            n = re.search(r'(\w+)\s*\(', decl)
            name = n.group(1) if n else None
        else:
            name = decl.split()[0] if decl.split() else None
        if name:
            names.append(name)
    return names


def doc_words(rst):
    """The longest run of plain words in the first paragraph of a DOC section."""
    para = []
    for line in rst.splitlines():
        if line.startswith('..') or line.startswith('**'):
            continue
        if not line.strip():
            if para:
                break
            continue
        para.append(line.strip())
    runs = re.split(r'[`*|_\\\[\]<>:\'"&%@]', ' '.join(para))
    best = max(runs, key=lambda r: len(r.split()), default='')
    return ' '.join(best.split())


underline = re.compile(r'^([=\-~^"\'`#*+.:_])\1+\s*$')
for rst in rsts:
    d = next((d for d in dirs if rst.startswith('Documentation/' + d + '/')), None)
    if d is None:
        say(False, f'{rst} is not under SPHINXDIRS ({" ".join(dirs)}): it is not built')
        continue
    if not os.path.exists(os.path.join(tree, rst)):
        continue
    page_path = os.path.join(out, d, rst[len('Documentation/' + d + '/'):-len('.rst')] + '.html')
    try:
        st = os.stat(page_path)
        page = open(page_path, encoding='utf-8').read()
    except OSError:
        say(False, f'{rst}: no HTML page ({page_path})')
        continue
    if st.st_mtime < started or not page.strip():
        say(False, f'{rst}: its HTML page is empty or older than this build ({page_path})')
        continue
    say(True, f'{rst} renders ({os.path.relpath(page_path, out)})')
    text = text_of(page)
    src = open(os.path.join(tree, rst), encoding='utf-8').read().splitlines()
    new = added_lines(rst)

    # Section titles the series adds: headings in the page.
    ids = {}
    for i in range(len(src) - 1):
        title = src[i].rstrip()
        if (i + 1) not in new or not title or title[0].isspace() or underline.match(title):
            continue
        if not underline.match(src[i + 1]) or len(src[i + 1].rstrip()) < len(title):
            continue
        t = re.escape(html.escape(title, quote=False))
        found = re.findall(r'<h[1-6]>' + t + r'<a class="headerlink" href="#([^"]+)"', page)
        found = [x for x in found if f'<section id="{x}">' in page]
        # A title used twice in the file is two headings.
        need = sum(1 for j in range(len(src) - 1) if src[j].rstrip() == title and underline.match(src[j + 1]))
        if found and len(found) >= need:
            ids.setdefault(title.lower(), found[0])
            say(True, f'{rst}: section "{title}" is in the page (' + ' '.join('#' + x for x in found) + ')')
        else:
            say(False, f'{rst}: section "{title}" (line {i + 1}) is not a heading in {page_path}')

    # `Title`_ references the series adds: links to their heading.
    for n in sorted(new):
        for ref in re.findall(r'`([^`<>]+)`_(?!_)', src[n - 1] if n <= len(src) else ''):
            target = ids.get(' '.join(ref.split()).lower())
            if target is None:
                m = re.search(r'<h[1-6]>' + re.escape(html.escape(' '.join(ref.split()), quote=False))
                              + r'<a class="headerlink" href="#([^"]+)"', page, re.I)
                target = m.group(1) if m else None
            ok = target is not None and f'href="#{target}"' in page
            say(ok, f'{rst}: the reference `{ref}`_ (line {n}) ' +
                (f'links to #{target}' if ok else 'links to no heading of the page'))

    # kernel-doc directives the series adds: what kernel-doc gives is rendered.
    for i, line in enumerate(src):
        m = re.match(r'^\.\.\s+kernel-doc::\s+(\S+)', line)
        if not m or (i + 1) not in new:
            continue
        f, opts = m.group(1), {}
        for o in src[i + 1:]:
            om = re.match(r'^\s+:([\w-]+):\s*(.*)$', o)
            if not om:
                break
            opts[om.group(1)] = om.group(2).strip()
        if 'functions' in opts:
            opts['identifiers'] = opts.pop('functions')
        args, what, patterns = [], '', []
        if 'export' in opts:
            args, what, patterns = ['-export'], ':export:', opts['export'].split()
        elif 'internal' in opts:
            args, what, patterns = ['-internal'], ':internal:', opts['internal'].split()
        elif 'doc' in opts:
            args, what = ['-function', opts['doc']], f':doc: {opts["doc"]}'
        elif 'identifiers' in opts:
            what = ':identifiers: ' + opts['identifiers']
            args = [a for x in opts['identifiers'].split() for a in ('-function', x)] or ['-no-doc-sections']
        for x in opts.get('no-identifiers', '').split():
            args += ['-nosymbol', x]
        for p in patterns:
            for g in sorted(glob.glob(os.path.join(tree, p))):
                args += ['-export-file', g]
        label = f'{rst}: kernel-doc {f}' + (f' ({what})' if what else '')
        rc, rst_out = kerneldoc(args + [f])
        if rc != 0 or not rst_out.strip():
            say(False, f'{label}: kernel-doc gives nothing for it (exit status {rc})')
            continue
        if 'doc' in opts:
            words = doc_words(rst_out)
            if len(words.split()) < 3:
                say(False, f'{label}: no plain text in the DOC section to look for')
            elif words in text:
                say(True, f'{label}: its text is in the page ("{words[:60]}")')
            else:
                say(False, f'{label}: its text "{words[:60]}" is not in the page')
            continue
        names = declared(rst_out)
        missing = [n for n in names if f'id="c.{n}"' not in page]
        if not names:
            say(False, f'{label}: kernel-doc declares nothing for it')
        elif missing:
            say(False, f'{label}: {len(missing)} of {len(names)} declarations not in the page: {" ".join(missing[:8])}')
        else:
            say(True, f'{label}: {len(names)} declarations in the page ({" ".join(names[:4])}{" ..." if len(names) > 4 else ""})')
PY
while IFS= read -r line; do
	case "$line" in
	"PASS docs: "*) say "$line"; passed=$((passed + 1)) ;;
	"FAIL docs: "*) say "$line"; failed=$((failed + 1)) ;;
	esac
done <"$logs/render"
if [ $rrc != 0 ] || ! grep -q '^PASS docs: .* renders' "$logs/render"; then
	fail "the HTML checks died or found no page (exit status $rrc): $(tail -1 "$logs/render") (log: $logs/render)"
fi
done_counts

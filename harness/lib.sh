# shellcheck shell=bash
# Common paths and helpers for the harness.  Sourced, never run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
H="$TOP/harness"
# shellcheck source=harness/base.conf
. "$H/base.conf"

# Everything big lives outside the clone, so fresh clones and CI reuse it.
CACHE=${GPUPOOL_CACHE:-/var/cache/gpupool}
BASE_GIT="$CACHE/base.git"		# bare repo: the base commit, tag "base"
WORKTREE=${GPUPOOL_TREE:-$CACHE/tree}	# where people edit: base + series
CHECKTREE="$CACHE/check-tree"		# scratch: git am of patches/ for checks
BASETREE="$CACHE/tree-base"		# the base alone, for base-kernel controls
BUILD="$CACHE/build"			# O= build directories, one per config
STAMPS="$CACHE/stamps"
LOGS="$CACHE/logs"
# ccache: paths under the cache directory are hashed relative to it, so two
# cache directories (make check's fresh-cache stage) share compiled objects.
export CCACHE_DIR=${GPUPOOL_CCACHE:-$CACHE/ccache}
export CCACHE_BASEDIR="$CACHE"
JOBS=${JOBS:-$(nproc)}
# The kernel builds the scripts run are theirs: "make -s check" must not
# make them silent (the warnings stage counts sparse's CHECK lines) nor
# hand them the flags or job server of the make that started the harness.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
# Every cache directory named above exists before any script uses it, so
# each entry point works on an empty cache whatever ran before it.
mkdir -p "$CACHE" "$BUILD" "$STAMPS" "$LOGS" "$CCACHE_DIR"

# The one place that names the identity the series is exported under: a
# placeholder, plainly not a person (.invalid, RFC 2606), used for every
# patch's From: and Signed-off-by:.  Only a person can certify the DCO, so
# whoever sends the series makes it theirs first (README, "Sending the
# series"); "make send-check" refuses while this identity is still there.
PROJ_NAME="Placeholder Author"
PROJ_EMAIL="placeholder.author@example.invalid"
# Fixed dates for everything the harness commits or exports.
FIXED_DATE="2026-01-01T00:00:00+00:00"

say()  { printf '%s\n' "$*"; }
step() { printf '==> %s\n' "$*"; }
# die: one clear line naming the problem and the fix.
die()  { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

fixed_ident() {
	export GIT_AUTHOR_NAME="$PROJ_NAME" GIT_AUTHOR_EMAIL="$PROJ_EMAIL"
	export GIT_COMMITTER_NAME="$PROJ_NAME" GIT_COMMITTER_EMAIL="$PROJ_EMAIL"
	export GIT_COMMITTER_DATE="$FIXED_DATE"
}

base_commit() {
	git --git-dir="$BASE_GIT" rev-parse -q --verify 'refs/tags/base^{commit}' 2>/dev/null ||
		die "no base commit in $BASE_GIT: run 'make base'"
}

# The series' patches, cover letter excluded, in order.
series_patches() {
	find "$TOP/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' \
		! -name '0000-cover-letter.patch' 2>/dev/null | LC_ALL=C sort
}

# Files the series touches (added, changed or deleted), from patches/ alone.
series_files() {
	local p
	series_patches | while read -r p; do
		sed -n 's|^diff --git a/\(.*\) b/\(.*\)$|\1\n\2|p' "$p"
	done | LC_ALL=C sort -u
}

# Paths that belong to the project, never to the mirror.
is_project_path() {
	case "$1" in
	README.md|Makefile|.gitignore|.ci/*|harness/*|patches/*) return 0 ;;
	esac
	return 1
}

# format_series TREE OUTDIR [sender]: write base..HEAD of TREE as the series,
# exactly as patches/ holds it.  Reproducible: zero commit ids in the "From "
# lines, fixed dates, no git version signature, cover letter text from
# harness/cover-letter.  With "sender", the cover letter is the sender's (the
# tree's own git identity) and the commits keep their own dates: what "make
# send-check" checks before mail goes out.
format_series() {
	local tree=$1 out=$2 mode=${3:-} base n subject
	# Every step checks its own status (see apply_series).
	base=$(base_commit) || return 1
	rm -rf "$out" && mkdir -p "$out" || return 1
	n=$(git -C "$tree" rev-list --count "$base..HEAD") || return 1
	[ "$n" -gt 0 ] || return 0
	(
		[ "$mode" = sender ] || fixed_ident
		git -C "$tree" -c core.abbrev=12 -c diff.renames=true format-patch -q \
			--cover-letter --base="$base" --zero-commit --no-signature \
			--subject-prefix=PATCH -o "$out" "$base..HEAD"
	) || return 1
	subject=$(sed -n '1p' "$H/cover-letter")
	# Dates: every patch gets the same fixed one (the commits' own dates are
	# noise; am'd commits get it back).
	if [ "$mode" != sender ]; then
		sed -i "s/^Date: .*/Date: $(date -u -R -d "$FIXED_DATE")/" "$out"/*.patch || return 1
	fi
	python3 - "$out/0000-cover-letter.patch" "$H/cover-letter" <<'PY'
import re
import sys
path, src = sys.argv[1], sys.argv[2]
text = open(path).read()
# "[figures: NAME]" and "[end figures]" lines mark the figures that
# harness/cover_figures.py copies from harness/results/: not part of the letter.
letter = re.sub(r'(?m)^\[(figures: [a-z0-9-]+|end figures)\]\n', '', open(src).read())
lines = letter.split('\n', 1)
subject, blurb = lines[0].strip(), (lines[1] if len(lines) > 1 else '').strip('\n')
text = text.replace('*** SUBJECT HERE ***', subject, 1)
text = text.replace('*** BLURB HERE ***', blurb, 1)
open(path, 'w').write(text)
PY
}

# apply_series TREE: reset TREE to the base and git am patches/ onto it.
apply_series() {
	local tree=$1
	local -a p
	mapfile -t p < <(series_patches)
	local base
	# Every step checks its own status: callers test this function in
	# "if" or with "||", where set -e does not apply inside it.
	base=$(base_commit) || return 1
	git -C "$tree" am --abort >/dev/null 2>&1 || true
	git -C "$tree" checkout -q -f --detach "$base" || return 1
	git -C "$tree" clean -q -fd -e /.gitignore || return 1
	[ ${#p[@]} -gt 0 ] || return 0
	( fixed_ident; git -C "$tree" am -q --no-3way "${p[@]}" ) || return 1
}

# patches_hash: one id for the content of patches/.
patches_hash() {
	(cd "$TOP" && find patches -type f -name '*.patch' 2>/dev/null | LC_ALL=C sort | xargs -r sha256sum) | sha256sum | cut -c1-16
}

# mirror_edits: kernel-path files edited in this repository since the last
# export (which stages what it writes): differences between the working
# files and the index, and untracked files, outside the project's own paths.
mirror_edits() {
	local f
	{ git -C "$TOP" diff --name-only; git -C "$TOP" ls-files -o --exclude-standard; } |
	LC_ALL=C sort -u | while read -r f; do
		is_project_path "$f" || echo "$f"
	done
}

# kunit_config_hash CFG: one id for everything that decides what the KUnit
# kernel of CFG (default or debug) is and how it boots.  "make baseline"
# records it beside the baseline; "make check" refuses a baseline made for
# another configuration.
kunit_config_files() {
	echo "$H/kunit/gpu.kunitconfig"
	[ "$1" = default ] || echo "$H/kunit/$1.config"
	[ "$1" = default ] || [ ! -f "$H/kunit/$1-series.config" ] || echo "$H/kunit/$1-series.config"
	[ "$1" = default ] || echo "$H/guest/init-kmemleak"
	[ "$1" = default ] || echo "$H/kunit/report-suites"
	echo "$H/kunit/x86_64-smp2.py"
	echo "$H/kunit/x86_64-smp2-numa2.py"
	echo "$H/kunit/numa-suites"
}
kunit_config_hash() {
	local f
	kunit_config_files "$1" | while read -r f; do
		printf '%s\n' "${f#"$H"/}"
		cat "$f"
	done | sha256sum | cut -c1-16
}
# baseline_is_current CFG: 0 if harness/baseline/kunit-CFG.* was made for the
# current configuration; otherwise prints why.
baseline_is_current() {
	local want have cmd=make\ baseline f="$H/baseline/kunit-$1.config-hash"
	want=$(kunit_config_hash "$1")
	have=$(sed -n 's/^sha256-16 //p' "$f" 2>/dev/null || true)
	[ "$have" = "$want" ] && return 0
	[ "$1" = default ] || cmd="$cmd CFG=$1"
	say "harness/baseline/kunit-$1.* was made for configuration ${have:-(none recorded)}, but the configuration is now $want: run '$cmd'"
	return 1
}

#!/usr/bin/env bash
# make check-bisect: every prefix of the series builds the directories it
# touches with W=1, links the KUnit kernel and passes the KUnit set of "make
# check" (every case of the base and every case the prefix adds, judged
# against the base's baseline like "make check"), so maintainers can bisect.
# BISECT_KUNIT=0 skips the KUnit runs (builds only).  BISECT_FROM=N checks
# prefixes N and later only (the self-test's planted patches).
#
# Each prefix also compiles, with W=1, every C file it has touched so far in
# the configuration of the warnings stage (the KUnit configuration plus
# harness/kunit/warn.config: panfrost, lima, amdgpu, ivpu), and every one
# must give its object, unless harness/kunit/warn-no-object excuses it
# (imagination builds on arm64 only).
#
# A prefix that passed is not built or run again while its tree, the
# configurations, the baseline, the harness scripts that judge it and the mode
# stay the same: its verdict is cached in $CACHE/bisect-verdicts under a key
# of all of them (BISECT_CACHE=0 ignores the cache).
. "$(dirname "$0")/lib.sh"

"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
apply_series "$CHECKTREE" >/dev/null 2>&1 || die "patches/ does not apply to the base: fix the series first"
mapfile -t commits < <(git -C "$CHECKTREE" rev-list --reverse "$(base_commit)..HEAD")
logs="$CACHE/logs/bisect"
rm -rf "$logs"
mkdir -p "$logs"
vdir="$CACHE/bisect-verdicts"
mkdir -p "$vdir"
mode=${BISECT_KUNIT:-1}
# What a verdict depends on besides the prefix's tree.
# The .kunitconfig files kunit.sh adds come from patches/, not from the
# prefix's tree, so they are part of the key too.
env_key=$( { echo "kunit=$mode"; kunit_config_hash default; series_files | grep '/\.kunitconfig$' || true
	cat "$H/kunit/warn.config" "$H/kunit/warn-no-object" \
	"$H/baseline/kunit-default.cases" "$H/baseline/kunit-default.warnings" \
	"$H/kunit.sh" "$H/kunit_results.py" "$H/check-bisect.sh" "$H/lib.sh"; gcc --version | head -1; } |
	sha256sum | cut -c1-16)
wb="$BUILD/bisect-warn"
mkdir -p "$wb"
# excused PATH: warn-no-object lets PATH give no object on x86_64.
excused() { awk -v p="$1" '$1 == p && ($2 == "arm64" || $2 == "none") { f = 1 } END { exit !f }' "$H/kunit/warn-no-object"; }
passed=0 failed=0 n=0 cached=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	[ "$n" -ge "${BISECT_FROM:-1}" ] || continue
	subj=$(git -C "$CHECKTREE" log -1 --format=%s "$c")
	log="$logs/$n.log"
	verdict="$vdir/$(git -C "$CHECKTREE" rev-parse "$c^{tree}")-$env_key"
	if [ "${BISECT_CACHE:-1}" != 0 ] && [ -s "$verdict" ]; then
		passed=$((passed + 1)) cached=$((cached + 1))
		say "PASS bisect $n: $subj$(cat "$verdict") (cached verdict)"
		continue
	fi
	git -C "$CHECKTREE" checkout -q -f --detach "$c"
	objs=() cases=
	while read -r f; do
		[ -f "$CHECKTREE/$f" ] && ! excused "$f" || continue
		rm -f "$wb/${f%.c}.o"
		objs+=("${f%.c}.o")
	done < <(git -C "$CHECKTREE" diff --name-only "$(base_commit)" "$c" | grep '\.c$' || true)
	cat "$H/kunit/gpu.kunitconfig" "$H/kunit/warn.config" >"$wb/.config"
	why=
	if ! "$H/kunit.sh" "$CHECKTREE" build >"$log" 2>&1; then
		why="build"
	elif [ ${#objs[@]} -gt 0 ] &&
	     { ! make -s -C "$CHECKTREE" O="$wb" ARCH=x86_64 CC="ccache gcc" olddefconfig >>"$log" 2>&1 ||
	       ! make -s -C "$CHECKTREE" O="$wb" ARCH=x86_64 CC="ccache gcc" W=1 -j"$JOBS" "${objs[@]}" >>"$log" 2>&1; }; then
		why="build: the touched C files do not compile with W=1"
	else
		for o in "${objs[@]}"; do
			[ -f "$wb/$o" ] || { why="build: ${o%.o}.c gave no object"; break; }
		done
	fi
	if [ -n "$why" ]; then
		:
	elif [ "${BISECT_KUNIT:-1}" != 0 ]; then
		if "$H/kunit.sh" "$CHECKTREE" default "$logs/kunit-$n" >>"$log" 2>&1; then
			python3 "$H/kunit_results.py" judge "$H/baseline/kunit-default" "$logs/kunit-$n" >"$logs/judge-$n.txt" 2>&1 || true
			p= f=
			read -r w p f < <(grep '^counts ' "$logs/judge-$n.txt" | tail -1) || true
			if [ "${w:-}" != counts ] || ! [ "$p" -gt 0 ] 2>/dev/null; then
				why="kunit: the judge gave no result (log: $logs/judge-$n.txt)"
			elif [ "$f" != 0 ]; then
				why="kunit: $f failed ($(grep -m3 '^FAIL' "$logs/judge-$n.txt" | cut -c1-80 | paste -sd';'))"
			fi
			cases=" ($p KUnit checks)"
		else
			why="kunit: the kernel did not boot"
		fi
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1)); say "PASS bisect $n: $subj (${#objs[@]} touched C files compiled)${cases:-}"
		printf '%s' " (${#objs[@]} touched C files compiled)${cases:-}" >"$verdict"
	else
		failed=$((failed + 1)); say "FAIL bisect $n: $subj: $why (log: $log)"
		break
	fi
done
[ ${#commits[@]} -ge "${BISECT_FROM:-1}" ] ||
	{ failed=1; say "FAIL bisect: the series has no commit ${BISECT_FROM:-1} (it has ${#commits[@]})"; }
say "bisect: $cached of $passed passing prefixes from the cache ($vdir)"
say "$passed passed, $failed failed"
[ $failed -eq 0 ]

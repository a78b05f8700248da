#!/usr/bin/env bash
# make check-bisect: every prefix of the series builds the directories it
# touches with W=1, links the KUnit kernel and passes the KUnit set of "make
# check" (every case of the base and every case the prefix adds, judged
# against the base's baseline like "make check"), so maintainers can bisect.
# BISECT_KUNIT=0 skips the KUnit runs (builds only).
#
# A prefix that passed is not built or run again while its tree, the
# configuration, the baseline and the mode stay the same: its verdict is
# cached in $CACHE/bisect-verdicts under a key of all four (BISECT_CACHE=0
# ignores the cache).
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
env_key=$( { echo "kunit=$mode"; kunit_config_hash default; cat "$H/kunit/warn.config" \
	"$H/baseline/kunit-default.cases" "$H/baseline/kunit-default.warnings" \
	"$H/kunit.sh" "$H/kunit_results.py"; } | sha256sum | cut -c1-16)
passed=0 failed=0 n=0 cached=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subj=$(git -C "$CHECKTREE" log -1 --format=%s "$c")
	log="$logs/$n.log"
	verdict="$vdir/$(git -C "$CHECKTREE" rev-parse "$c^{tree}")-$env_key"
	if [ "${BISECT_CACHE:-1}" != 0 ] && [ -s "$verdict" ]; then
		passed=$((passed + 1)) cached=$((cached + 1))
		say "PASS bisect $n: $subj$(cat "$verdict") (cached verdict)"
		continue
	fi
	git -C "$CHECKTREE" checkout -q -f --detach "$c"
	mapfile -t dirs < <(git -C "$CHECKTREE" diff --name-only "$(base_commit)" "$c" | grep '\.c$' |
		xargs -r -n1 dirname | LC_ALL=C sort -u | sed 's|$|/|')
	why=
	if ! "$H/kunit.sh" "$CHECKTREE" build >"$log" 2>&1 ||
	   ! make -s -C "$CHECKTREE" O="$BUILD/kunit" ARCH=x86_64 CC="ccache gcc" W=1 -j"$JOBS" "${dirs[@]}" >>"$log" 2>&1; then
		why="build"
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
		passed=$((passed + 1)); say "PASS bisect $n: $subj${cases:-}"
		printf '%s' "${cases:- (builds only)}" >"$verdict"
	else
		failed=$((failed + 1)); say "FAIL bisect $n: $subj: $why (log: $log)"
		break
	fi
done
[ ${#commits[@]} -gt 0 ] || { failed=1; say "FAIL bisect: the series has no commits"; }
say "bisect: $cached of $passed passing prefixes from the cache ($vdir)"
say "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/usr/bin/env bash
# make check-bisect: every prefix of the series builds the directories it
# touches with W=1, links the KUnit kernel and passes the KUnit set of "make
# check" (every case of the base and every case the prefix adds, judged
# against the base's baseline like "make check"), so maintainers can bisect.
# BISECT_KUNIT=0 skips the KUnit runs (builds only).
. "$(dirname "$0")/lib.sh"

"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
apply_series "$CHECKTREE" >/dev/null 2>&1 || die "patches/ does not apply to the base: fix the series first"
mapfile -t commits < <(git -C "$CHECKTREE" rev-list --reverse "$(base_commit)..HEAD")
logs="$CACHE/logs/bisect"
rm -rf "$logs"
mkdir -p "$logs"
passed=0 failed=0 n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subj=$(git -C "$CHECKTREE" log -1 --format=%s "$c")
	log="$logs/$n.log"
	git -C "$CHECKTREE" checkout -q -f --detach "$c"
	mapfile -t dirs < <(git -C "$CHECKTREE" diff --name-only "$(base_commit)" "$c" | grep '\.c$' |
		xargs -r -n1 dirname | LC_ALL=C sort -u | sed 's|$|/|')
	why=
	if ! "$H/kunit.sh" "$CHECKTREE" build >"$log" 2>&1 ||
	   ! make -s -C "$CHECKTREE" O="$BUILD/kunit" ARCH=x86_64 CC="ccache gcc" W=1 -j"$JOBS" "${dirs[@]}" >>"$log" 2>&1; then
		why="build"
	elif [ "${BISECT_KUNIT:-1}" != 0 ]; then
		if "$H/kunit.sh" "$CHECKTREE" default "$logs/kunit-$n" >>"$log" 2>&1; then
			python3 "$H/kunit_results.py" judge "$H/baseline/kunit-default" "$logs/kunit-$n" >"$logs/judge-$n.txt"
			read -r _ p f < <(tail -1 "$logs/judge-$n.txt")
			[ "$f" = 0 ] || why="kunit: $f failed ($(grep -m3 '^FAIL' "$logs/judge-$n.txt" | cut -c1-80 | paste -sd';'))"
			cases=" ($p KUnit checks)"
		else
			why="kunit: the kernel did not boot"
		fi
	fi
	if [ -z "$why" ]; then
		passed=$((passed + 1)); say "PASS bisect $n: $subj${cases:-}"
	else
		failed=$((failed + 1)); say "FAIL bisect $n: $subj: $why (log: $log)"
		break
	fi
done
say "$passed passed, $failed failed"
[ $failed -eq 0 ]

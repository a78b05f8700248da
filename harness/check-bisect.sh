#!/usr/bin/env bash
# make check-bisect: every prefix of the series builds the directories it
# touches with W=1 (and links the KUnit kernel), so maintainers can bisect.
. "$(dirname "$0")/lib.sh"

"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
apply_series "$CHECKTREE" >/dev/null 2>&1 || die "patches/ does not apply to the base: fix the series first"
mapfile -t commits < <(git -C "$CHECKTREE" rev-list --reverse "$(base_commit)..HEAD")
passed=0 failed=0
for c in "${commits[@]}"; do
	subj=$(git -C "$CHECKTREE" log -1 --format=%s "$c")
	git -C "$CHECKTREE" checkout -q -f --detach "$c"
	mapfile -t dirs < <(git -C "$CHECKTREE" diff --name-only "$(base_commit)" "$c" | grep '\.c$' |
		xargs -r -n1 dirname | LC_ALL=C sort -u | sed 's|$|/|')
	if "$H/kunit.sh" "$CHECKTREE" build >"$CACHE/logs/bisect.log" 2>&1 &&
	   make -s -C "$CHECKTREE" O="$BUILD/kunit" ARCH=x86_64 CC="ccache gcc" W=1 -j"$JOBS" "${dirs[@]}" >>"$CACHE/logs/bisect.log" 2>&1; then
		passed=$((passed + 1)); say "PASS bisect: $subj"
	else
		failed=$((failed + 1)); say "FAIL bisect: $subj (log: $CACHE/logs/bisect.log)"
		break
	fi
done
say "$passed passed, $failed failed"
[ $failed -eq 0 ]

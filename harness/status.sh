#!/usr/bin/env bash
# make status: one line saying whether anything is not exported yet.
. "$(dirname "$0")/lib.sh"

cd "$TOP"
if [ ! -d "$WORKTREE/.git" ]; then
	mapfile -t edited < <(git status --porcelain --untracked-files=all 2>/dev/null | cut -c4- |
		while read -r f; do is_project_path "$f" || echo "$f"; done)
	[ ${#edited[@]} -eq 0 ] || { say "status: mirror edits not folded into the series: ${edited[*]} (make tree; make export)"; exit 0; }
	say "status: no work tree; patches/ holds $(series_patches | wc -l) patches (make tree to start editing)"
	exit 0
fi
mapfile -t edited < <(mirror_edits)
msgs=()
dirty=$(git -C "$WORKTREE" status --porcelain | wc -l)
[ "$dirty" -eq 0 ] || msgs+=("$dirty uncommitted edits in $WORKTREE")
tmp="$CACHE/status.tmp"
format_series "$WORKTREE" "$tmp" 2>/dev/null
if ! diff -rq "$tmp" "$TOP/patches" >/dev/null 2>&1; then
	if [ -z "$(ls -A "$tmp")" ] && [ -z "$(ls -A "$TOP/patches" 2>/dev/null)" ]; then :; else
		msgs+=("work tree commits differ from patches/ (make export)")
	fi
fi
rm -rf "$tmp"
[ ${#edited[@]} -eq 0 ] || msgs+=("mirror edits not folded: ${edited[*]} (make export)")
pending=$(git status --porcelain -- patches | wc -l)
[ "$pending" -eq 0 ] || msgs+=("patches/ has changes not committed here (git commit)")
if [ ${#msgs[@]} -eq 0 ]; then
	say "status: in sync: $(series_patches | wc -l) patches exported and committed"
else
	say "status: NOT EXPORTED: $(IFS=';'; echo "${msgs[*]}")"
fi

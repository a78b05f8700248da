#!/usr/bin/env bash
# make export: write the work tree's commits back to patches/ and the mirror
# (the final state of every file the series touches, at its kernel path).
#
# Edits made directly to mirrored files in this repository are never lost:
# they are folded into the commit that last touched those lines (git absorb),
# or the export stops and says what to do.
. "$(dirname "$0")/lib.sh"

[ -d "$WORKTREE/.git" ] || die "no work tree at $WORKTREE: run 'make tree' first"
cd "$TOP"
base=$(base_commit)

# 1. Mirror edits made in this repository.
mapfile -t edited < <(mirror_edits)
if [ ${#edited[@]} -gt 0 ]; then
	[ -z "$(git -C "$WORKTREE" status --porcelain)" ] ||
		die "mirror edits (${edited[*]}) and uncommitted edits in $WORKTREE: commit or stash the work tree's, then 'make export' again"
	for f in "${edited[@]}"; do
		# The edit must be against what the work tree still has: the
		# version last exported here (index) is the work tree's HEAD.
		ours=$(git ls-files -s -- "$f" | cut -d' ' -f2)
		theirs=$(git -C "$WORKTREE" rev-parse -q --verify "HEAD:$f" 2>/dev/null || true)
		[ "$ours" = "$theirs" ] ||
			die "stale mirror edit: $f changed in $WORKTREE since the last export; move your edit there by hand, then 'git checkout $f' here"
	done
	step "folding mirror edits into the work tree's commits: ${edited[*]}"
	for f in "${edited[@]}"; do
		if [ -e "$f" ]; then
			mkdir -p "$WORKTREE/$(dirname "$f")"
			cp -p "$f" "$WORKTREE/$f"
		else
			rm -f "$WORKTREE/$f"
		fi
	done
	( fixed_ident; cd "$WORKTREE" && git add -A -- "${edited[@]}" &&
	  GIT_SEQUENCE_EDITOR=true GIT_EDITOR=true git absorb --base "$base" --and-rebase >"$CACHE/absorb.log" 2>&1 ) || true
	if [ -n "$(git -C "$WORKTREE" status --porcelain)" ]; then
		die "could not fold all of ${edited[*]} into a commit: they are staged in $WORKTREE; there run 'git commit --fixup=<commit>' (or a new commit) and 'git rebase -i --autosquash base', then 'make export'"
	fi
fi

# 2. patches/
tmp="$CACHE/export.tmp"
format_series "$WORKTREE" "$tmp"
rm -rf patches
if [ -n "$(ls -A "$tmp")" ]; then cp -r "$tmp" patches; else mkdir patches; fi
rm -rf "$tmp"

# 3. The mirror: exactly the files the patches touch, in their final state.
mapfile -t want < <(series_files)
git ls-files | while read -r f; do
	is_project_path "$f" && continue
	# A here-string, not a pipe: grep -q quitting early must not fail the
	# lookup with SIGPIPE under pipefail.
	grep -qxF -- "$f" <<<"$(printf '%s\n' "${want[@]}")" || git rm -q -f -- "$f"
done
for f in "${want[@]}"; do
	if git -C "$WORKTREE" cat-file -e "HEAD:$f" 2>/dev/null; then
		mkdir -p "$(dirname "$f")"
		git -C "$WORKTREE" show "HEAD:$f" >"$f"
		mode=$(git -C "$WORKTREE" ls-tree HEAD -- "$f" | cut -d' ' -f1)
		if [ "$mode" = 100755 ]; then chmod +x "$f"; else chmod -x "$f"; fi
	else
		rm -f "$f"
	fi
done
git add -A patches
for f in "${want[@]}"; do [ -e "$f" ] && git add -- "$f"; done
echo "$(git -C "$WORKTREE" rev-parse HEAD) $(patches_hash)" >"$WORKTREE/.git/gpupool-sync"
say "exported $(series_patches | wc -l) patches and ${#want[@]} mirrored files (staged; commit them here)"

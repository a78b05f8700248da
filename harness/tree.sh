#!/usr/bin/env bash
# make tree: materialise the work tree = base + patches/ as commits, on branch
# "series", ready for ordinary kernel work (commit --fixup, rebase
# --autosquash, git absorb).  Never throws away work that is not exported.
. "$(dirname "$0")/lib.sh"

sync="$WORKTREE/.git/gpupool-sync"	# "<HEAD> <patches hash>" at the last sync

"$H/tree-prep.sh" "$WORKTREE"
cd "$WORKTREE"

head=$(git rev-parse HEAD)
if [ -n "$(git status --porcelain)" ]; then
	die "$WORKTREE has uncommitted edits: commit them (git commit --fixup=...) and run 'make export' first"
fi
if [ -f "$sync" ]; then
	read -r synced_head synced_hash <"$sync"
else
	synced_head=$(base_commit) synced_hash=none
fi
if [ "$head" != "$synced_head" ] && [ "$head" != "$(base_commit)" ] && [ "${FORCE:-0}" != 1 ]; then
	die "$WORKTREE holds commits not exported (HEAD $head): run 'make export', or 'make tree FORCE=1' to replace them (they stay on branch series-backup)"
fi
if [ "$head" = "$synced_head" ] && [ "$synced_hash" = "$(patches_hash)" ]; then
	say "work tree $WORKTREE is up to date with patches/ ($(git rev-list --count "$(base_commit)..HEAD") commits)"
	exit 0
fi
[ "$head" = "$(base_commit)" ] || git branch -f series-backup "$head"
step "applying patches/ to the base in $WORKTREE"
if ! apply_series "$WORKTREE"; then
	git am --abort >/dev/null 2>&1 || true
	die "patches/ does not apply to the base: see 'git am' above; fix the patch in patches/ or rebase it"
fi
git checkout -q -B series
echo "$(git rev-parse HEAD) $(patches_hash)" >"$sync"
say "work tree ready: $WORKTREE, branch series, $(git rev-list --count "$(base_commit)..HEAD") commits on the base"
say "edit and commit there, then 'make export' here"

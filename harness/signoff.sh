#!/usr/bin/env bash
# make signoff [TREE=dir]: make the series in TREE (default: the work tree)
# yours before you send it.  Every commit of base..HEAD that the placeholder
# wrote gets you as its author (your git identity in TREE); every commit
# loses the placeholder's Signed-off-by: and gains yours.  Signing off
# certifies the Developer's Certificate of Origin
# (Documentation/process/submitting-patches.rst) for each patch: read it
# first.  Runs, in TREE:
#   git rebase --exec 'git log -1 --format=%B | sed "/<placeholder>/d" |
#       git commit --amend [--reset-author if the placeholder wrote it] -s -F -' base
. "$(dirname "$0")/lib.sh"

tree=${TREE:-$WORKTREE}
[ -d "$tree/.git" ] || [ -f "$tree/.git" ] || die "no git tree at $tree: run 'make tree' (or give TREE=...)"
base=$(base_commit)
git -C "$tree" cat-file -e "$base^{commit}" 2>/dev/null || die "$tree does not contain the base commit $base"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "$tree has uncommitted edits: commit or stash them first"
name=$(git -C "$tree" config user.name || true)
email=$(git -C "$tree" config user.email || true)
if [ -z "$email" ] || [ "$email" = "$PROJ_EMAIL" ] || [ "$name" = "$PROJ_NAME" ]; then
	die "$tree's git identity is the placeholder ($name <$email>): run 'git -C $tree config user.name \"Your Name\"' and 'git -C $tree config user.email you@example.org' (the tree's own setting wins over your global one), then 'make signoff' again"
fi
n=$(git -C "$tree" rev-list --count "$base..HEAD")
[ "$n" -gt 0 ] || die "$tree has no commits on the base"
step "signing off $n commits in $tree as $name <$email>"
# sed pattern of the placeholder's sign-off line (dots escaped).
pat="^Signed-off-by: .*<${PROJ_EMAIL//./\\.}>\$"
# Only the placeholder's commits change author; a commit someone else wrote
# keeps its author and gains the sender's sign-off.
reset="if [ \"\$(git log -1 --format=%ae)\" = '$PROJ_EMAIL' ]; then r=--reset-author; else r=; fi"
git -C "$tree" rebase -q --exec \
	"$reset; git log -1 --format=%B | sed '/$pat/d' | git commit -q --amend --no-verify \$r --cleanup=whitespace -s -F -" \
	"$base" || die "the rebase stopped in $tree: see 'git -C $tree status'; 'git -C $tree rebase --abort' undoes it"
say "signed off $n commits; check with 'make send-check${TREE:+ TREE=$tree}'"

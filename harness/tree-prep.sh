#!/usr/bin/env bash
# prep_tree DIR: make DIR a git work tree of the base commit, fit for kernel
# work.  Debian's top-level .gitignore ends with "/*" and "!/debian/", which
# would hide every new file from "git status"; the work tree carries the
# kernel's own rules (the lines before Debian's) with skip-worktree set, so
# the base commit stays byte-identical to the tarball.
. "$(dirname "$0")/lib.sh"

dir=$1
base=$(base_commit)
if [ ! -e "$dir/.git" ]; then
	step "creating $dir from the base (about a minute)"
	rm -rf "$dir"
	git clone -q --no-checkout "$BASE_GIT" "$dir"
	git -C "$dir" config gc.auto 0
	git -C "$dir" config user.name "$PROJ_NAME"
	git -C "$dir" config user.email "$PROJ_EMAIL"
	git -C "$dir" config am.threeWay false
	git -C "$dir" checkout -q -B series "$base"
fi
git -C "$dir" update-index --skip-worktree .gitignore
if grep -qx '/\*' "$dir/.gitignore"; then
	sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' "$dir/.gitignore"
fi

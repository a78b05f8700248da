#!/usr/bin/env bash
# Turn Debian's linux-source-6.12 tarball into the deterministic base commit.
#
# The same tarball always gives the same commit id: fixed identity, fixed
# dates, every file added with -f (Debian's top-level .gitignore ends with
# "/*" and "!/debian/", so a plain "git add -A" would add nothing).
. "$(dirname "$0")/lib.sh"

[ -r "$TARBALL" ] || die "$TARBALL is missing: run 'make deps' (installs $DEBIAN_PACKAGE=$DEBIAN_VERSION)"

if [ -n "$BASE_COMMIT" ] && git --git-dir="$BASE_GIT" rev-parse -q --verify "$BASE_COMMIT^{commit}" >/dev/null 2>&1 &&
   [ "$(git --git-dir="$BASE_GIT" rev-parse 'refs/tags/base^{commit}' 2>/dev/null)" = "$BASE_COMMIT" ]; then
	exit 0
fi

step "checking $TARBALL"
have_ver=$(dpkg-query -W -f='${Version}' "$DEBIAN_PACKAGE" 2>/dev/null || echo unknown)
sum=$(sha256sum "$TARBALL" | cut -d' ' -f1)
if [ "$sum" != "$TARBALL_SHA256" ]; then
	die "$TARBALL is $DEBIAN_PACKAGE $have_ver (sha256 $sum), expected $DEBIAN_VERSION (sha256 $TARBALL_SHA256): run 'apt-get install $DEBIAN_PACKAGE=$DEBIAN_VERSION', or rebase the series and update harness/base.conf"
fi

tmp="$CACHE/base-extract"
rm -rf "$tmp" "$BASE_GIT.new"
mkdir -p "$tmp"
step "extracting the tarball"
tar -C "$tmp" -xJf "$TARBALL"
src="$tmp/$DEBIAN_PACKAGE"
[ -f "$src/Makefile" ] || die "unexpected tarball layout: no $DEBIAN_PACKAGE/Makefile inside $TARBALL"
ver=$(make -s -C "$src" kernelversion 2>/dev/null)
[ "$ver" = "$KERNEL_VERSION" ] || die "tarball holds Linux $ver, expected $KERNEL_VERSION"

step "committing the base (about a minute)"
git init -q --bare "$BASE_GIT.new"
export GIT_DIR="$BASE_GIT.new" GIT_WORK_TREE="$src"
git config core.autocrlf false
git config gc.auto 0
git add -f -A .
GIT_AUTHOR_NAME="$BASE_IDENT_NAME" GIT_AUTHOR_EMAIL="$BASE_IDENT_EMAIL" GIT_AUTHOR_DATE="$BASE_DATE" \
GIT_COMMITTER_NAME="$BASE_IDENT_NAME" GIT_COMMITTER_EMAIL="$BASE_IDENT_EMAIL" GIT_COMMITTER_DATE="$BASE_DATE" \
	git commit -q --no-verify -m "Linux $KERNEL_VERSION ($DEBIAN_PACKAGE $DEBIAN_VERSION)" \
		-m "Imported from $(basename "$TARBALL"), sha256 $TARBALL_SHA256."
git tag base
commit=$(git rev-parse HEAD)

# Every regular file and symlink of the tarball must be in the commit.
in_tar=$(tar -tvJf "$TARBALL" | awk '$1 !~ /^d/' | wc -l)
in_git=$(git ls-tree -r HEAD | wc -l)
[ "$in_tar" = "$in_git" ] || die "base commit holds $in_git files but the tarball $in_tar: report this (git add missed files)"
unset GIT_DIR GIT_WORK_TREE

if [ -n "$BASE_COMMIT" ] && [ "$commit" != "$BASE_COMMIT" ]; then
	rm -rf "$BASE_GIT.new" "$tmp"
	die "the tarball gave base commit $commit, expected $BASE_COMMIT (harness/base.conf): same tarball, different git? report it"
fi
rm -rf "$BASE_GIT"
mv "$BASE_GIT.new" "$BASE_GIT"
rm -rf "$tmp"
say "base: Linux $KERNEL_VERSION ($DEBIAN_VERSION) = $commit ($in_git files)"

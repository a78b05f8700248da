#!/usr/bin/env bash
# make send-check [TREE=dir]: is the series in TREE (default: the work tree)
# ready to mail?  Formats base..HEAD as its sender would, refuses while any
# patch carries the placeholder identity or lacks its author's Signed-off-by:,
# then runs scripts/get_maintainer.pl --nogit --nogit-fallback over it and
# "git send-email --dry-run --confirm=never" to dri-devel as the tree's git
# identity.  Nothing is sent; nothing can prompt.
. "$(dirname "$0")/lib.sh"

tree=${TREE:-$WORKTREE}
[ -d "$tree/.git" ] || [ -f "$tree/.git" ] || die "no git tree at $tree: run 'make tree' (or give TREE=...)"
command -v git-send-email >/dev/null 2>&1 || [ -x "$(git --exec-path)/git-send-email" ] ||
	die "git send-email is missing: run 'make deps' (Debian package git-email)"
out="$LOGS/send-check"
format_series "$tree" "$out" sender
mapfile -t pp < <(find "$out" -name '*.patch' | LC_ALL=C sort)
[ ${#pp[@]} -gt 1 ] || die "$tree has no commits on the base: nothing to send"

what="run 'git -C $tree config user.name \"Your Name\"' and 'git -C $tree config user.email you@example.org', then 'make signoff${TREE:+ TREE=$tree}' (it makes you the author and replaces the placeholder's Signed-off-by: with yours; read Documentation/process/submitting-patches.rst on the DCO first), then 'make send-check' again"
ident=$(git -C "$tree" var GIT_COMMITTER_IDENT | sed 's/ [0-9]* [-+][0-9]*$//')
case "$ident" in *"$PROJ_EMAIL"*|"$PROJ_NAME "*)
	die "refused: the sender is the placeholder identity ($ident): $what" ;;
esac
bad=()
for p in "${pp[@]}"; do
	grep -qF "$PROJ_EMAIL" "$p" && bad+=("$(basename "$p"): placeholder identity")
	case "$p" in */0000-cover-letter.patch) continue ;; esac
	from=$(sed -n 's/^From: //p' "$p" | head -1)
	grep -qxF "Signed-off-by: $from" "$p" || bad+=("$(basename "$p"): no Signed-off-by: of its author ($from)")
	grep -qxF "Signed-off-by: $ident" "$p" || bad+=("$(basename "$p"): no Signed-off-by: of the sender ($ident)")
done
if [ ${#bad[@]} -gt 0 ]; then
	printf '  %s\n' "${bad[@]}" >&2
	die "refused: ${#bad[@]} problems above: $what"
fi

step "get_maintainer.pl over ${#pp[@]} patches"
(cd "$tree" && ./scripts/get_maintainer.pl --nogit --nogit-fallback --norolestats "${pp[@]}") >"$out/maintainers.txt" 2>&1 ||
	die "get_maintainer.pl failed (log: $out/maintainers.txt)"
sed 's/^/  /' "$out/maintainers.txt"
step "git send-email --dry-run to dri-devel@lists.freedesktop.org from $ident"
git -C "$tree" send-email --dry-run --confirm=never --quiet --no-thread \
	--to=dri-devel@lists.freedesktop.org --from="$ident" \
	--cc-cmd="$tree/scripts/get_maintainer.pl --nogit --nogit-fallback --norolestats" \
	"${pp[@]}" </dev/null >"$out/send-email.log" 2>&1 ||
	die "git send-email --dry-run failed (log: $out/send-email.log)"
sent=$(grep -c '^Dry-Sent ' "$out/send-email.log" || true)
[ "$sent" = ${#pp[@]} ] || die "git send-email --dry-run prepared $sent of ${#pp[@]} mails (log: $out/send-email.log)"
say "send-check: ${#pp[@]} mails from $ident to dri-devel pass (dry run; patches in $out)"

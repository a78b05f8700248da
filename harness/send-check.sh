#!/usr/bin/env bash
# make send-check [TREE=dir]: is the series in TREE (default: the work tree)
# ready to mail?  Refuses while any commit carries the placeholder identity,
# lacks its author's or the sender's Signed-off-by:, or differs in content
# from patches/ (what make check checked); then formats the series as its
# sender would, runs scripts/get_maintainer.pl --nogit --nogit-fallback over
# it and "git send-email --dry-run --confirm=never" to dri-devel as the tree's
# git identity.  Nothing is sent; nothing can prompt.  The mails go to
# $SEND_OUT (default $GPUPOOL_CACHE/logs/send-check).
. "$(dirname "$0")/lib.sh"

tree=${TREE:-$WORKTREE}
[ -d "$tree/.git" ] || [ -f "$tree/.git" ] || die "no git tree at $tree: run 'make tree' (or give TREE=...)"
command -v git-send-email >/dev/null 2>&1 || [ -x "$(git --exec-path)/git-send-email" ] ||
	die "git send-email is missing: run 'make deps' (Debian package git-email)"
base=$(base_commit)
git -C "$tree" cat-file -e "$base^{commit}" 2>/dev/null || die "$tree does not contain the base commit $base"
mapfile -t commits < <(git -C "$tree" rev-list --reverse "$base..HEAD")
[ ${#commits[@]} -gt 0 ] || die "$tree has no commits on the base: nothing to send"

what="run 'git -C $tree config user.name \"Your Name\"' and 'git -C $tree config user.email you@example.org', then 'make signoff${TREE:+ TREE=$tree}' (it makes you the author of the placeholder's commits and replaces the placeholder's Signed-off-by: with yours; read Documentation/process/submitting-patches.rst on the DCO first), then 'make send-check' again"
ident=$(git -C "$tree" var GIT_COMMITTER_IDENT | sed 's/ [0-9]* [-+][0-9]*$//')
case "$ident" in *"$PROJ_EMAIL"*|"$PROJ_NAME "*)
	die "refused: the sender is the placeholder identity ($ident): $what" ;;
esac

# The content must be what make check checked: patches/, patch by patch.
want=$(for p in $(series_patches); do git patch-id --stable <"$p"; done | cut -d' ' -f1)
have=$(git -C "$tree" format-patch --stdout "$base..HEAD" | git patch-id --stable | cut -d' ' -f1)
[ "$want" = "$have" ] ||
	die "refused: the commits of $tree are not the patches of patches/ ($(wc -l <<<"$have") commits against $(series_patches | wc -l) patches, $(comm -3 <(sort <<<"$want") <(sort <<<"$have") | wc -l) differ): send what make check checked ('make tree' and 'make signoff' again, or 'make export' and 'make check' first)"

# Identities, read from the commits themselves (decoded names, not mail headers).
bad=()
for c in "${commits[@]}"; do
	subj=$(git -C "$tree" log -1 --format=%s "$c")
	author=$(git -C "$tree" log -1 --format='%an <%ae>' "$c")
	body=$(git -C "$tree" log -1 --format=%B "$c")
	case "$author$body" in *"$PROJ_EMAIL"*) bad+=("$subj: placeholder identity") ;; esac
	grep -qxF -- "Signed-off-by: $author" <<<"$body" || bad+=("$subj: no Signed-off-by: of its author ($author)")
	grep -qxF -- "Signed-off-by: $ident" <<<"$body" || bad+=("$subj: no Signed-off-by: of the sender ($ident)")
done
if [ ${#bad[@]} -gt 0 ]; then
	printf '  %s\n' "${bad[@]}" >&2
	die "refused: ${#bad[@]} problems above: $what"
fi

out=${SEND_OUT:-$LOGS/send-check}
format_series "$tree" "$out" sender || die "could not format the series of $tree"
mapfile -t pp < <(find "$out" -name '*.patch' | LC_ALL=C sort)
if grep -lF "$PROJ_EMAIL" "${pp[@]}" >/dev/null; then
	die "refused: a mail still names the placeholder: $(grep -lF "$PROJ_EMAIL" "${pp[@]}" | head -3 | xargs -n1 basename | paste -sd' ')"
fi

step "get_maintainer.pl over ${#pp[@]} patches"
(cd "$tree" && ./scripts/get_maintainer.pl --nogit --nogit-fallback --norolestats "${pp[@]}") >"$out/maintainers.txt" 2>&1 ||
	die "get_maintainer.pl failed (log: $out/maintainers.txt)"
sed 's/^/  /' "$out/maintainers.txt"
step "git send-email --dry-run to dri-devel@lists.freedesktop.org from $ident"
# --no-annotate and an editor that fails: a user's sendemail.annotate or
# core.editor cannot open an editor and wait.
GIT_EDITOR=false git -C "$tree" send-email --dry-run --confirm=never --no-annotate --quiet --no-thread \
	--to=dri-devel@lists.freedesktop.org --from="$ident" \
	--cc-cmd="$tree/scripts/get_maintainer.pl --nogit --nogit-fallback --norolestats" \
	"${pp[@]}" </dev/null >"$out/send-email.log" 2>&1 ||
	die "git send-email --dry-run failed (log: $out/send-email.log)"
sent=$(grep -c '^Dry-Sent ' "$out/send-email.log" || true)
[ "$sent" = ${#pp[@]} ] || die "git send-email --dry-run prepared $sent of ${#pp[@]} mails (log: $out/send-email.log)"
say "send-check: ${#pp[@]} mails from $ident to dri-devel pass (dry run; the mails are in $out)"

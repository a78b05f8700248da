#!/usr/bin/env bash
# send-selftest.sh: "make send-check" refuses the series of patches/ (the
# placeholder identity), refuses it with the placeholder's sign-off beside a
# sender's, refuses a commit that is not in patches/, and passes once a person
# (with a name git must quote and encode in mail headers) has signed it off with "make
# signoff"; all in a scratch clone of the check tree, with the user's git
# configuration and identity variables out of the way, its mails in a
# directory of its own.  Prints PASS/FAIL and "counts P F" for check.sh.
. "$(dirname "$0")/lib.sh"

scratch="$CACHE/send-scratch"
log="$LOGS/send-selftest.log"
export SEND_OUT="$CACHE/send-scratch-mails"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE
rm -rf "$scratch" "$SEND_OUT" "$log" "$log".*
p=0 f=0
ok() { p=$((p + 1)); echo "PASS send: $*"; }
ko() { f=$((f + 1)); echo "FAIL send: $* (logs: $log*)"; }
# The series is applied to the scratch clone here: the check tree may hold
# whatever an earlier stage or target left in it.
{
	git clone -q --shared --no-checkout "$BASE_GIT" "$scratch" &&
	apply_series "$scratch" &&
	git -C "$scratch" tag -f base "$(base_commit)" >/dev/null &&
	git -C "$scratch" config user.name "$PROJ_NAME" &&
	git -C "$scratch" config user.email "$PROJ_EMAIL"
} >>"$log" 2>&1 || { ko "could not make a scratch clone of $CHECKTREE"; echo "counts $p $f"; exit 0; }
head=$(git -C "$scratch" rev-parse HEAD)

# send_check N: run make send-check on the scratch tree, its output in $log.N
send_check() {
	TREE="$scratch" "$H/send-check.sh" >"$log.$1" 2>&1
}
# refused N REGEX WHAT: send-check N must fail, and for the reason REGEX
refused() {
	if send_check "$1"; then
		ko "send-check passed $3"
	elif grep -qE -- "$2" "$log.$1"; then
		ok "send-check refuses $3"
	else
		ko "send-check refused $3, but not for it: $(grep -m1 ERROR "$log.$1")"
	fi
}

refused 1 'refused: the sender is the placeholder' "the placeholder identity"

# A person who only adds their own Signed-off-by: is still refused: the
# placeholder's line and authorship remain.
git -C "$scratch" config user.name "Jöhn Q. Døe, Jr"
git -C "$scratch" config user.email "john.doe@example.org"
git -C "$scratch" rebase -q --signoff "$(base_commit)" >>"$log" 2>&1
refused 2 ': placeholder identity' "a series with the placeholder's sign-off beside the sender's"

git -C "$scratch" reset -q --hard "$head"
if TREE="$scratch" "$H/signoff.sh" >>"$log" 2>&1 && send_check 3; then
	n=0
	for c in $(git -C "$scratch" rev-list "$(base_commit)..HEAD"); do
		[ "$(git -C "$scratch" log -1 --format='%an <%ae>' "$c")" = "Jöhn Q. Døe, Jr <john.doe@example.org>" ] &&
			grep -qxF 'Signed-off-by: Jöhn Q. Døe, Jr <john.doe@example.org>' <<<"$(git -C "$scratch" log -1 --format=%B "$c")" &&
			n=$((n + 1))
	done
	if [ "$n" = "$(series_patches | wc -l)" ]; then
		ok "send-check passes after git config user.* and make signoff ($n commits authored and signed off by a name with a dot, a comma and non-ASCII letters)"
	else
		ko "after make signoff, $n of $(series_patches | wc -l) commits have the sender as author and signer"
	fi
else
	ko "send-check still refuses after make signoff: $(grep -m1 ERROR "$log" "$log.3")"
fi

# Something that is not what make check checked: one more commit.
echo "/* not in patches/ */" >>"$scratch/MAINTAINERS"
git -C "$scratch" commit -q -a -s -m "MAINTAINERS: an edit make check never saw" >>"$log" 2>&1
refused 4 'refused: the commits of .* are not the patches of patches/' "a commit that is not in patches/"

if [ -z "$(ls -A "$LOGS/send-check" 2>/dev/null | grep -v '^$' || true)" ] ||
   ! grep -qlF 'john.doe@example.org' "$LOGS/send-check"/*.patch 2>/dev/null; then
	ok "the self-test's mails stay out of the directory people send from"
else
	ko "the self-test wrote its mails into $LOGS/send-check"
fi
rm -rf "$scratch" "$SEND_OUT"
echo "counts $p $f"

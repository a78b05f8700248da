#!/usr/bin/env bash
# send-selftest.sh: "make send-check" refuses the series as exported (the
# placeholder identity) and passes once a person has signed it off with
# "make signoff", both in a scratch clone of the check tree.  Prints PASS/FAIL
# and "counts P F" for check.sh.
. "$(dirname "$0")/lib.sh"

scratch="$CACHE/send-scratch"
log="$LOGS/send-selftest.log"
rm -rf "$scratch" "$log" "$log".*
p=0 f=0
ok() { p=$((p + 1)); echo "PASS send: $*"; }
ko() { f=$((f + 1)); echo "FAIL send: $* (logs: $log*)"; }
{
	git clone -q --shared "$CHECKTREE" "$scratch" &&
	git -C "$scratch" checkout -q --detach "$(git -C "$CHECKTREE" rev-parse HEAD)" &&
	git -C "$scratch" tag -f base "$(base_commit)" >/dev/null &&
	git -C "$scratch" config user.name "$PROJ_NAME" &&
	git -C "$scratch" config user.email "$PROJ_EMAIL"
} >>"$log" 2>&1 || { ko "could not make a scratch clone of $CHECKTREE"; echo "counts $p $((f))"; exit 0; }

# send_check N: run make send-check on the scratch tree, its output in $log.N
send_check() {
	TREE="$scratch" "$H/send-check.sh" >"$log.$1" 2>&1
}
if send_check 1; then
	ko "send-check passed the series under the placeholder identity"
elif grep -q 'refused: the sender is the placeholder' "$log.1"; then
	ok "send-check refuses the placeholder identity"
else
	ko "send-check failed, but not for the placeholder: $(grep -m1 ERROR "$log.1")"
fi

# A person who only adds their own Signed-off-by: is still refused: the
# placeholder's line and authorship remain.
git -C "$scratch" config user.name "Test Sender"
git -C "$scratch" config user.email "test.sender@example.org"
git -C "$scratch" rebase -q --signoff "$(base_commit)" >>"$log" 2>&1
if send_check 2; then
	ko "send-check passed a series that still carries the placeholder's Signed-off-by:"
elif grep -q ': placeholder identity' "$log.2"; then
	ok "send-check refuses a series with the placeholder's sign-off beside the sender's"
else
	ko "send-check failed, but not for the placeholder: $(grep -m1 ERROR "$log.2")"
fi

git -C "$scratch" reset -q --hard "$(git -C "$CHECKTREE" rev-parse HEAD)"
if TREE="$scratch" "$H/signoff.sh" >>"$log" 2>&1 && send_check 3; then
	n=$(grep -c '^Signed-off-by: Test Sender <test.sender@example.org>$' "$LOGS"/send-check/0*.patch | awk -F: '{s += $2} END {print s}')
	ok "send-check passes after git config user.* and make signoff ($n patches signed off)"
else
	ko "send-check still refuses after make signoff: $(grep -m1 ERROR "$log" "$log.3")"
fi
rm -rf "$scratch"
echo "counts $p $f"

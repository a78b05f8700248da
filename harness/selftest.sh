#!/usr/bin/env bash
# make selftest: the harness must be able to fail.  First the gates' own
# self-test (harness/test-harness.sh: fake, empty and truncated logs, dying
# sub-checks; no kernel), then plant a bad patch (a leak and a checkpatch
# error) at the end of the series in a scratch copy of this repository and
# expect "make check" there to reject it.
. "$(dirname "$0")/lib.sh"

th_log="$CACHE/logs/selftest-test-harness.log"
if ! bash "$H/test-harness.sh" >"$th_log" 2>&1; then
	grep '^FAIL' "$th_log" | head -5
	say "harness/test-harness.sh: a gate does not fail closed: $(tail -1 "$th_log") (log: $th_log)"
	exit 1
fi
th=$(tail -1 "$th_log")

scratch="$CACHE/selftest"
rm -rf "$scratch"
git clone -q "$TOP" "$scratch" 2>/dev/null || { mkdir -p "$scratch"; git -C "$scratch" init -q; }
# Include what is not committed yet, so the harness under test is this one.
(cd "$TOP" && git ls-files -co --exclude-standard) | rsync -a --files-from=- "$TOP/" "$scratch/"
n=$(printf '%04d' $(( $(series_patches | wc -l) + 1 )))
mkdir -p "$scratch/patches"
cp "$H/selftest/planted-bad.patch" "$scratch/patches/$n-planted-bad.patch"
rc=0
GPUPOOL_LOGNAME=selftest-check GPUPOOL_STAGES="apply checkpatch" make -s -C "$scratch" check >"$scratch.log" 2>&1 || rc=$?
cat "$scratch.log"
if [ $rc -eq 0 ]; then
	say "make check ACCEPTED the planted bad patch"
	exit 1
fi
grep -q "^PASS apply" "$scratch.log" || { say "the planted patch did not even apply"; exit 1; }
grep -q "^FAIL checkpatch: $n-planted-bad.patch" "$scratch.log" || { say "make check failed, but not on the planted patch's checkpatch error"; exit 1; }
grep -q 'ERROR:SPACING' "$CACHE/logs/selftest-check/checkpatch-$n-planted-bad.patch.log" ||
	{ say "checkpatch did not report the planted ERROR:SPACING"; exit 1; }
say "rejected: $(grep -m1 "^FAIL checkpatch: $n" "$scratch.log" | cut -c1-120); test-harness.sh: $th"

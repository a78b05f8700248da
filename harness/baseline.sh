#!/usr/bin/env bash
# make baseline [CFG=default|debug]: run the KUnit set on the base kernel and
# write harness/baseline/kunit-CFG.{cases,warnings}.
. "$(dirname "$0")/lib.sh"

cfg=${CFG:-default}
"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
git -C "$CHECKTREE" checkout -q -f --detach "$(base_commit)"
out="$CACHE/logs/baseline-$cfg"
step "KUnit ($cfg) on the base kernel"
"$H/kunit.sh" "$CHECKTREE" "$cfg" "$out" || die "the base kernel did not build or boot (log: $out/kunit.out)"
python3 "$H/kunit_results.py" baseline "$H/baseline/kunit-$cfg" "$out"

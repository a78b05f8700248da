#!/usr/bin/env bash
# kernels.sh: build the two kernels that controls and benchmarks boot, with
# the same configuration (harness/kunit/gpu.kunitconfig):
#   patched  patches/ applied to the base in the check tree, $BUILD/kunit
#   base     the base alone in $BASETREE, $BUILD/kunit-base
# Prints the two build directories.
. "$(dirname "$0")/lib.sh"

logs="$CACHE/logs"
mkdir -p "$logs"
"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
apply_series "$CHECKTREE" >"$logs/kernels-apply.log" 2>&1 ||
	die "patches/ does not apply (log: $logs/kernels-apply.log)"
step "building the patched kernel"
"$H/kunit.sh" "$CHECKTREE" build >"$logs/kernels-patched.log" 2>&1 ||
	die "the patched kernel did not build (log: $logs/kernels-patched.log)"
"$H/tree-prep.sh" "$BASETREE" >/dev/null
git -C "$BASETREE" checkout -q -f --detach "$(base_commit)"
step "building the base kernel (cold: ~10 min)"
KUNIT_BDIR="$BUILD/kunit-base" "$H/kunit.sh" "$BASETREE" build >"$logs/kernels-base.log" 2>&1 ||
	die "the base kernel did not build (log: $logs/kernels-base.log)"
echo "patched $BUILD/kunit"
echo "base $BUILD/kunit-base"

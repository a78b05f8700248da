#!/usr/bin/env bash
# make baseline [CFG=default|debug]: run the KUnit set on the base kernel and
# write harness/baseline/kunit-CFG.{cases,warnings,...}, with the hash of the
# configuration they were made with (kunit-CFG.config-hash).  The debug
# baseline is made of three boots (RUNS=N), for the spread of its leaks.
. "$(dirname "$0")/lib.sh"

cfg=${CFG:-default}
"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
git -C "$CHECKTREE" checkout -q -f --detach "$(base_commit)"
# The debug kernel's kmemleak reports vary from boot to boot: its baseline
# is the spread of three boots (RUNS=N to change).
runs=${RUNS:-1}
[ "$cfg" = default ] || runs=${RUNS:-3}
outs=()
for i in $(seq 1 "$runs"); do
	out="$CACHE/logs/baseline-$cfg"
	[ "$i" = 1 ] || out+=".$i"
	rm -rf "$out"
	step "KUnit ($cfg) on the base kernel, run $i of $runs"
	GPUPOOL_KUNIT_BASE=1 "$H/kunit.sh" "$CHECKTREE" "$cfg" "$out" || die "the base kernel did not build or boot (log: $out/kunit.out)"
	outs+=("$out")
done
python3 "$H/kunit_results.py" baseline "$H/baseline/kunit-$cfg" "${outs[@]}"
{
	echo "# configuration the kunit-$cfg baseline was made with (make baseline)"
	echo "sha256-16 $(kunit_config_hash "$cfg")"
	kunit_config_files "$cfg" | sed "s|^$H/|# |"
} >"$H/baseline/kunit-$cfg.config-hash"
say "baseline kunit-$cfg written for configuration $(kunit_config_hash "$cfg")"

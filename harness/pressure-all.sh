#!/usr/bin/env bash
# make pressure: the heap and vgem pressure workloads on the base kernel (the
# control) and on the patched kernel, in 256 MiB guests with zram swap.
# Prints every result line, prefixed "base:" or "patched:".
. "$(dirname "$0")/lib.sh"

"$H/kernels.sh" >"$CACHE/logs/kernels.log" 2>&1 || { tail -3 "$CACHE/logs/kernels.log"; die "kernels did not build"; }
for set in ${SETS:-heap fill vgem}; do
	for k in base patched; do
		kb="$BUILD/kunit"; [ $k = base ] && kb="$BUILD/kunit-base"
		step "$set workload on the $k kernel"
		"$H/pressure.sh" "$kb" "$k" "$set"
	done
done

#!/usr/bin/env bash
# make pressure: the heap and vgem pressure workloads on the base kernel (the
# control) and on the patched kernel, in 256 MiB guests with zram swap.  The
# kernels are the bench kernels (harness/bench-kernels.sh: the KUnit
# configuration plus the harness's in-kernel benchmarks); the vgem boots
# also measure copy_page() in the kernel before the workload
# (gpupool_bench.copy_page=1), so that the MiB/s of eviction and swap-in
# stand beside the guest's own memory copy bandwidth.
# Prints every result line, prefixed "base:" or "patched:", and keeps them in
# harness/results/pressure.txt.  After the two heap boots, the busy case's
# comparisons of the patched kernel with the base (pressure_judge.py
# heap-vs-base: lowest MemAvailable within the cap of the base's, MiB/s at
# least the base's), prefixed "compare:"; they are reported, and do not
# change the exit status.
. "$(dirname "$0")/lib.sh"

exec > >(tee "$H/results/pressure.txt.tmp")

"$H/bench-kernels.sh" >"$CACHE/logs/kernels.log" 2>&1 || { tail -3 "$CACHE/logs/kernels.log"; die "kernels did not build"; }
for set in ${SETS:-heap fill vgem memcg}; do
	for k in base patched; do
		kb="$BUILD/bench"; [ $k = base ] && kb="$BUILD/bench-base"
		step "$set workload on the $k kernel"
		app=
		[ "$set" = vgem ] && app="gpupool_bench.copy_page=1"
		PRESSURE_APPEND="$app" "$H/pressure.sh" "$kb" "$k" "$set" | tee "$CACHE/logs/pressure-all-$k-$set.out"
		if [ "$set" = vgem ]; then
			python3 - "$CACHE/logs/pressure-all-$k-$set.out" "$k" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
cp = re.search(r'copy_page_bench: \d+ MiB best \d+ ns (\d+) MiB/s', t)
v = re.search(r'out_mib_per_s ([\d.]+) in_mib_per_s ([\d.]+)', t)
if cp and v:
    c, o, i = float(cp.group(1)), float(v.group(1)), float(v.group(2))
    print(f'{sys.argv[2]}: vgem rate evicted {o:.1f} MiB/s, swapped in {i:.1f} MiB/s; '
          f'copy_page {c:.0f} MiB/s in the same boot (evicted/copy_page {o / c:.4f}, '
          f'swapped in/copy_page {i / c:.4f})')
PY
		fi
	done
	if [ "$set" = heap ]; then
		# The busy case's comparisons need both boots: only here, not in
		# make check, which boots the patched kernel alone.
		step "heap workload: the busy case, patched against base"
		{ python3 "$H/pressure_judge.py" heap-vs-base "$CACHE/logs/pressure-base-heap.log" \
			"$CACHE/logs/pressure-patched-heap.log" 2>&1 ||
			echo "FAIL pressure (heap vs base): pressure_judge.py exited with status $?"; } |
			sed 's/^/compare: /'
	fi
done
mv "$H/results/pressure.txt.tmp" "$H/results/pressure.txt"

#!/usr/bin/env bash
# make perf-pool: the page pool's performance cases (drm_page_pool.pp_test_perf_*)
# on the patched KUnit kernel, in two kinds of boot:
#   - BOOTS ordinary boots (2 vCPUs, default 3): ns, medians inside each boot;
#   - ICOUNT boots under "-icount shift=0" (1 vCPU, default 2): the same
#     figures as guest instruction counts, deterministic, so two boots agree.
# Every ratio compares the pool with the buddy allocator in the same boot.
# Writes harness/results/page-pool-perf.md and checks the issue's bars on the
# instruction counts (exit 1 if one fails).
. "$(dirname "$0")/lib.sh"

boots=${BOOTS:-3} icount=${ICOUNT:-2}
logs="$CACHE/logs/perf-pool"
rm -rf "$logs"
mkdir -p "$logs"
"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
apply_series "$CHECKTREE" >"$logs/apply.log" 2>&1 || die "patches/ does not apply (log: $logs/apply.log)"
step "building the KUnit kernel"
"$H/kunit.sh" "$CHECKTREE" build >"$logs/build.log" 2>&1 || die "build failed (log: $logs/build.log)"

kp="python3 tools/testing/kunit/kunit.py"
args=(--arch=x86_64 --build_dir="$BUILD/kunit" --kunitconfig="$H/kunit/gpu.kunitconfig"
      --kunitconfig="$CHECKTREE/drivers/gpu/drm/tests/.kunitconfig" --timeout 1200)
glob='drm_page_pool.pp_test_perf_*'
cut -d' ' -f1-3 /proc/loadavg >"$logs/loadavg"
cd "$CHECKTREE"
for i in $(seq 1 "$boots"); do
	step "boot $i/$boots: wall clock (2 vCPUs)"
	$kp exec "${args[@]}" --qemu_config="$H/kunit/x86_64-smp2.py" "$glob" >"$logs/wall$i.out" 2>&1 || true
	cp "$BUILD/kunit/test.log" "$logs/wall$i.log"
done
for i in $(seq 1 "$icount"); do
	step "boot $i/$icount: -icount shift=0 (instruction counts)"
	$kp exec "${args[@]}" --qemu_config="$H/kunit/x86_64-icount.py" "$glob" >"$logs/icount$i.out" 2>&1 || true
	cp "$BUILD/kunit/test.log" "$logs/icount$i.log"
done
cd "$TOP"
python3 "$H/perf_pool_table.py" "$logs" "$boots" "$icount" >"$H/results/page-pool-perf.md.tmp" ||
	{ rm -f "$H/results/page-pool-perf.md.tmp"; die "could not read the figures (logs: $logs)"; }
mv "$H/results/page-pool-perf.md.tmp" "$H/results/page-pool-perf.md"
cat "$H/results/page-pool-perf.md"
grep -q '^Bars: all met' "$H/results/page-pool-perf.md"

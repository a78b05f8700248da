#!/usr/bin/env bash
# make perf-pool: the page pool's performance suite (drm_page_pool_perf,
# CONFIG_DRM_PAGE_POOL_PERF_KUNIT_TEST: harness/kunit/perf.config) on the
# patched KUnit kernel with that option, built in its own directory, in two
# kinds of boot:
#   - BOOTS ordinary boots (2 vCPUs, default 3): ns, medians inside each boot;
#   - ICOUNT boots under "-icount shift=0" (1 vCPU, default 2): the same
#     figures as guest instruction counts, deterministic, so two boots agree.
# Every ratio compares the pool with the buddy allocator in the same boot.
# Writes harness/results/page-pool-perf.json (the cases' result lines of
# every boot, and what was measured: harness/results_stale.py) and
# page-pool-perf.md, with the issue's bars in both metrics; exit status 1 if
# a bar is missed on the metric it is judged on (instruction counts).
. "$(dirname "$0")/lib.sh"

boots=${BOOTS:-3} icount=${ICOUNT:-2}
logs="$CACHE/logs/perf-pool"
rm -rf "$logs"
mkdir -p "$logs"
# What is measured, before the kernel is built from it
date -u +%Y-%m-%dT%H:%M:%SZ >"$logs/started"
echo "BOOTS=$boots ICOUNT=$icount make perf-pool" >"$logs/command"
python3 "$H/results_stale.py" --snapshot page-pool-perf >"$logs/measured.json"
"$H/tree-prep.sh" "$CHECKTREE" >/dev/null
apply_series "$CHECKTREE" >"$logs/apply.log" 2>&1 || die "patches/ does not apply (log: $logs/apply.log)"
kp="python3 tools/testing/kunit/kunit.py"
bdir="$BUILD/kunit-perf"
cfgs=(--arch=x86_64 --build_dir="$bdir" --kunitconfig="$H/kunit/gpu.kunitconfig"
      --kunitconfig="$CHECKTREE/drivers/gpu/drm/tests/.kunitconfig"
      --kunitconfig="$H/kunit/perf.config")
args=("${cfgs[@]}" --timeout 1200)
step "building the KUnit kernel with the performance suite"
(cd "$CHECKTREE" && $kp build "${cfgs[@]}" --qemu_config="$H/kunit/x86_64-smp2.py" \
	--make_options "CC=ccache gcc" --jobs "$JOBS") >"$logs/build.log" 2>&1 ||
	die "build failed (log: $logs/build.log)"
grep -q '^CONFIG_DRM_PAGE_POOL_PERF_KUNIT_TEST=y' "$bdir/.config" ||
	die "the kernel lacks CONFIG_DRM_PAGE_POOL_PERF_KUNIT_TEST (log: $logs/build.log)"
glob='drm_page_pool_perf.pp_test_perf_*'
cut -d' ' -f1-3 /proc/loadavg >"$logs/loadavg"
cd "$CHECKTREE"
for i in $(seq 1 "$boots"); do
	step "boot $i/$boots: wall clock (2 vCPUs)"
	rm -f "$bdir/test.log"	# never keep an earlier boot's log as this one's
	$kp exec "${args[@]}" --qemu_config="$H/kunit/x86_64-smp2.py" "$glob" >"$logs/wall$i.out" 2>&1 || true
	cp "$bdir/test.log" "$logs/wall$i.log"
done
for i in $(seq 1 "$icount"); do
	step "boot $i/$icount: -icount shift=0 (instruction counts)"
	rm -f "$bdir/test.log"
	$kp exec "${args[@]}" --qemu_config="$H/kunit/x86_64-icount.py" "$glob" >"$logs/icount$i.out" 2>&1 || true
	cp "$bdir/test.log" "$logs/icount$i.log"
done
cd "$TOP"
cut -d' ' -f1-3 /proc/loadavg >>"$logs/loadavg"
rc=0
python3 "$H/perf_pool_table.py" "$logs" "$boots" "$icount" "$H/results" || rc=$?
[ $rc != 2 ] || die "could not read the figures (logs: $logs)"
exit $rc

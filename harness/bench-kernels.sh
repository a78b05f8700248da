#!/usr/bin/env bash
# bench-kernels.sh: build the two kernels that "make bench", "make bench-ttm"
# and "make pressure" boot.  Both have the KUnit configuration of "make
# check" plus harness/bench/bench.config (schedstats), and both carry the
# harness's benchmarks (harness/bench/gpupool_bench.c, run only when asked on
# the command line).  The patched one also carries
# harness/bench/ttm-pool-cached.diff: with ttm.bench_pool_cached=1 TTM pools
# the cached pages of a pool bound to a node, the variant make bench-ttm
# measures to decide whether cached pages should be pooled.
#   patched  patches/ applied to the base in $CACHE/bench-tree, $BUILD/bench
#   base     the base alone in $CACHE/bench-tree-base, $BUILD/bench-base
# Nothing of this is committed to those trees.  Prints the build directories.
. "$(dirname "$0")/lib.sh"

logs="$CACHE/logs"
mkdir -p "$logs"

# add_bench TREE: put the benchmarks into TREE's working files.
add_bench() {
	cp "$H/bench/gpupool_bench.c" "$1/drivers/gpu/drm/gpupool_bench.c"
	echo 'obj-$(CONFIG_DRM_TTM) += gpupool_bench.o' >>"$1/drivers/gpu/drm/Makefile"
}

# build TREE BDIR
build() {
	local tree=$1 bdir=$2 f
	local -a args=(--arch=x86_64 --build_dir="$bdir"
		--kunitconfig="$H/kunit/gpu.kunitconfig" --kunitconfig="$H/bench/bench.config")
	while read -r f; do
		case "$f" in */.kunitconfig) [ -f "$tree/$f" ] && args+=(--kunitconfig="$tree/$f") ;; esac
	done < <(series_files)
	(cd "$tree" && python3 tools/testing/kunit/kunit.py build "${args[@]}" \
		--make_options "CC=ccache gcc" --jobs "$JOBS")
}

pt="$CACHE/bench-tree" bt="$CACHE/bench-tree-base"
"$H/tree-prep.sh" "$pt" >/dev/null
apply_series "$pt" >"$logs/bench-apply.log" 2>&1 ||
	die "patches/ does not apply (log: $logs/bench-apply.log)"
add_bench "$pt"
patch -s -d "$pt" -p1 <"$H/bench/ttm-pool-cached.diff" ||
	die "harness/bench/ttm-pool-cached.diff does not apply to the patched tree"
step "building the patched bench kernel"
build "$pt" "$BUILD/bench" >"$logs/bench-patched.log" 2>&1 ||
	die "the patched bench kernel did not build (log: $logs/bench-patched.log)"

"$H/tree-prep.sh" "$bt" >/dev/null
git -C "$bt" checkout -q -f --detach "$(base_commit)"
git -C "$bt" clean -q -fd -e /.gitignore
add_bench "$bt"
step "building the base bench kernel"
build "$bt" "$BUILD/bench-base" >"$logs/bench-base.log" 2>&1 ||
	die "the base bench kernel did not build (log: $logs/bench-base.log)"
echo "patched $BUILD/bench"
echo "base $BUILD/bench-base"

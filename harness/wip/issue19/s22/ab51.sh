#!/bin/bash
# Cross-boot A/B of the bench kernel with and without patch 51, back to back
# (make bench's 20-b2b.sh, 2 vCPUs, 256 MiB), alternating boots.
# usage: ab51.sh build | ab51.sh boots N
set -u
export CCACHE_DIR=/var/cache/gpupool/ccache CCACHE_BASEDIR=/var/cache/gpupool
H=/work/main/harness C=/var/cache/gpupool X=/var/cache/gpupool3/exp22
case "$1" in
build)
	cd $C/bench-tree || exit 1
	patch -s -R -p1 < /work/main/patches/0051-*.patch || exit 1
	args=(--arch=x86_64 --build_dir=/var/cache/gpupool/build/no51
	      --kunitconfig=$H/kunit/gpu.kunitconfig --kunitconfig=$H/bench/bench.config
	      --kunitconfig=drivers/dma-buf/heaps/tests/.kunitconfig
	      --kunitconfig=drivers/gpu/drm/panfrost/tests/.kunitconfig
	      --kunitconfig=drivers/gpu/drm/tests/.kunitconfig)
	python3 tools/testing/kunit/kunit.py build "${args[@]}" --make_options "CC=ccache gcc" --jobs 2 > $X/build.log 2>&1
	rc=$?
	patch -s -p1 < /work/main/patches/0051-*.patch
	echo "build rc=$rc"
	;;
boots)
	app="console=ttyS0 kunit.enable=0 tsc=reliable loglevel=4 bench_kthread=dfree-"
	for i in $(seq 1 "$2"); do
		for k in no51 cur; do
			case $k in no51) kb=/var/cache/gpupool/build/no51 ;; cur) kb=$C/build/bench ;; esac
			env GUEST_QEMU_ARGS= GUEST_MEM=256 GUEST_SMP=2 WORKLOAD=$H/guest/bench/20-b2b.sh \
				$H/guest.sh workload $kb $X/b2b-$k$i.log 1200 "$app" $C/guest-bin-bench >/dev/null 2>&1
			echo "$k$i $(grep -o 'b2b len 8388608 rounds 100 alloc_p50_ns [0-9]*' $X/b2b-$k$i.log | awk '{print $NF}') $(grep -o 'b2b len 33554432 rounds 100 alloc_p50_ns [0-9]*' $X/b2b-$k$i.log | awk '{print $NF}')"
		done
	done
	;;
esac

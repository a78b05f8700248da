#!/bin/bash
# Cross-boot back-to-back (make bench's 20-b2b.sh) with guest RAM preallocated
# by QEMU (-mem-prealloc): base and patched bench kernels alternating.
# usage: prealloc.sh N TAG [QEMU_ARGS]
H=/work/main/harness C=/var/cache/gpupool X=/var/cache/gpupool3/exp22
app="console=ttyS0 kunit.enable=0 tsc=reliable loglevel=4 bench_kthread=dfree-"
for i in $(seq 1 "$1"); do
	for k in base patched; do
		case $k in base) kb=$C/build/bench-base ;; patched) kb=$C/build/bench ;; esac
		env GUEST_QEMU_ARGS="${3-}" GUEST_MEM=256 GUEST_SMP=2 WORKLOAD=$H/guest/bench/20-b2b.sh \
			$H/guest.sh workload $kb $X/$2-$k$i.log 1200 "$app" $C/guest-bin-bench >/dev/null 2>&1
		echo "$k$i $(for s in 1048576 8388608 33554432; do grep -o "b2b len $s rounds 100 alloc_p50_ns [0-9]* alloc_p90_ns [0-9]* alloc_p99_ns [0-9]*" $X/$2-$k$i.log | awk '{printf "%s/%s ", $7, $11}'; done)"
	done
done

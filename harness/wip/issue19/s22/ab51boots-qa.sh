#!/bin/bash
H=/work/main/harness C=/var/cache/gpupool X=/var/cache/gpupool3/exp22
app="console=ttyS0 kunit.enable=0 tsc=reliable loglevel=4 bench_kthread=dfree-"
for i in $(seq 1 "$1"); do
	for k in base patched; do
		case $k in base) kb=$C/build/no51 ;; patched) kb=$C/build/bench ;; esac
		env GUEST_QEMU_ARGS="${QA-}" GUEST_MEM=256 GUEST_SMP=2 WORKLOAD=$H/guest/bench/20-b2b.sh \
			$H/guest.sh workload $kb $X/ab-$k$i.log 1200 "$app" $C/guest-bin-bench >/dev/null 2>&1
	done
done

#!/bin/bash
# run4.sh TAG N MODES...: N rounds of base then each mode; a mode is "cur"
# (build/bench, the series as landed) or a value of system_heap.exp_reserve
# for build/bench-exp (the series + steal-first.diff + reserve-on-steal-first.diff;
# 0 = steal-first alone).  Prints p50/p99/max alloc (us) and MemAvailable
# after (MB) per size.
H=/work/main/harness BUILD=/var/cache/gpupool/build
tag=$1 n=$2; shift 2
for i in $(seq 1 $n); do
  for m in base "$@"; do
    kb=$BUILD/bench-exp; a="system_heap.exp_reserve=$m"; [ $m = base ] && { kb=$BUILD/bench-base; a=; }
    [ $m = cur ] && { kb=$BUILD/bench; a=; }
    app="console=ttyS0 kunit.enable=0 tsc=reliable bench_kthread=dfree- $a"
    log=/var/cache/gpupool3/exp19/$tag-$m-$i.log
    env GUEST_QEMU_ARGS="${QA:-}" GUEST_MEM=256 GUEST_SMP=2 WORKLOAD=/work/main/harness/wip/issue19/s16/22-b2b-plain.sh \
      $H/guest.sh workload $kb $log 1200 "$app" /var/cache/gpupool/guest-bin-bench >/dev/null 2>&1
    echo "$tag $m $i: $(grep -E '^b2b len' $log | awk '{printf "%s p50 %d p99 %d max %d after %d | ", $3/1048576, $7/1000, $11/1000, $13/1000, $21/1024}')"
  done
done

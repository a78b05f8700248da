#!/bin/bash
H=/work/main/harness BUILD=/var/cache/gpupool/build
tag=$1 n=$2 k=${3:-bench-base}
for i in $(seq 1 $n); do
  log=/var/cache/gpupool3/s19/$tag-$i.log
  env GUEST_QEMU_ARGS="${QA:-}" GUEST_MEM=512 GUEST_SMP=1 WORKLOAD=/var/cache/gpupool3/s19/multi.sh \
    $H/guest.sh workload $BUILD/$k $log 1200 "console=ttyS0 kunit.enable=0 tsc=reliable ${XA:-} bench_kthread=dfree-" /var/cache/gpupool/guest-bin-bench >/dev/null 2>&1
  echo "$tag boot $i: 1MiB c50 per block: $(grep -E 'bench len 1048576' $log | awk '{printf "%d ", $11/1000}') | 4K c50: $(grep -E 'bench len 4096 ' $log | awk '{printf "%d ", $11/1000}')| 1M a50: $(grep -E 'bench len 1048576' $log | awk '{printf "%d ", $7/1000}')"
done

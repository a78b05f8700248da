#!/bin/bash
# aa.sh TAG N [KERNEL]: N consecutive paced 1-vCPU wall-clock boots (bench's 10-heap-bench.sh)
H=/work/main/harness BUILD=/var/cache/gpupool/build
tag=$1 n=$2 k=${3:-bench-base}
for i in $(seq 1 $n); do
  log=/var/cache/gpupool3/s19/$tag-$i.log
  t0=$(date +%s.%N)
  env GUEST_QEMU_ARGS="${QA:-}" GUEST_MEM=512 GUEST_SMP=1 WORKLOAD=$H/guest/bench/10-heap-bench.sh \
    $H/guest.sh workload $BUILD/$k $log 1200 "console=ttyS0 kunit.enable=0 tsc=reliable ${XA:-} bench_kthread=dfree-" /var/cache/gpupool/guest-bin-bench >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$tag $i ($(printf %.1f $(echo "$t1-$t0"|bc))s, rep $(cat /sys/module/page_reporting/parameters/reported_kib)): $(grep -E '^bench len' $log | awk '{printf "%dK a50 %d c50 %d cpu %d | ", $3/1024, $7/1000, $11/1000, $15/1000}')"
done

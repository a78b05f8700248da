#!/bin/bash
# sameboot-run.sh TAG N: N boots of the patched bench kernel running sameboot.sh
H=/work/main/harness BUILD=/var/cache/gpupool/build
tag=$1 n=$2
for i in $(seq 1 $n); do
  log=/var/cache/gpupool3/s19/$tag-$i.log
  env GUEST_QEMU_ARGS="${QA:-}" GUEST_MEM=512 GUEST_SMP=1 WORKLOAD=/var/cache/gpupool3/s19/sameboot.sh \
    $H/guest.sh workload $BUILD/${K:-bench} $log 1200 "console=ttyS0 kunit.enable=0 tsc=reliable ${XA:-} bench_kthread=dfree-" /var/cache/gpupool/guest-bin-bench >/dev/null 2>&1
  python3 /var/cache/gpupool3/s19/sameboot.py $log
done

#!/bin/bash
# runt.sh WORKLOAD TAG [base|patched]
H=/work/main/harness
kb=/var/cache/gpupool3/build/bench-trace
env GUEST_QEMU_ARGS= GUEST_MEM=256 GUEST_SMP=2 WORKLOAD=/var/cache/gpupool3/exp19/$1 \
      $H/guest.sh workload $kb /var/cache/gpupool3/exp19/t-$2.log 1200 "console=ttyS0 kunit.enable=0 tsc=reliable" /var/cache/gpupool3/exp19/bin >/dev/null 2>&1
grep -n "@@ begin" /var/cache/gpupool3/exp19/t-$2.log | head -2

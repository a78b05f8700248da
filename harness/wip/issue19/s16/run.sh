#!/bin/bash
# run.sh TAG WORKLOAD N [QEMUARGS]: N alternating base/patched b2b boots
H=/work/main/harness BUILD=/var/cache/gpupool/build
tag=$1 w=$2 n=$3 qa=${4:-}
app="console=ttyS0 kunit.enable=0 tsc=reliable bench_kthread=dfree-"
for i in $(seq 1 $n); do
  for k in base patched; do
    kb=$BUILD/bench; [ $k = base ] && kb=$BUILD/bench-base
    env GUEST_QEMU_ARGS="$qa" GUEST_MEM=256 GUEST_SMP=2 WORKLOAD=/var/cache/gpupool3/exp19/$w \
      $H/guest.sh workload $kb /var/cache/gpupool3/exp19/$tag-$k$i.log 1200 "$app" ${BINDIR:-/var/cache/gpupool/guest-bin-bench} >/dev/null 2>&1
    echo "$tag-$k$i: $(grep -E '^b2b len 1048576' /var/cache/gpupool3/exp19/$tag-$k$i.log | head -1)"
  done
done

#!/bin/bash
# run5.sh TAG N MODES...: N rounds of base then each mode, b2b workload
# (s16/22-b2b-plain.sh) in a 256 MiB, 2-vCPU guest.  A mode is "cur"
# (build/bench, the series as landed) or "rR-gG" for build/bench-exp with
# system_heap.exp_reserve=R exp_grow=G (the series + s17 steal-first.diff +
# s18 grow-on-steal-first.diff).  QA: extra QEMU args (e.g. -mem-prealloc).
H=/work/main/harness BUILD=/var/cache/gpupool/build
tag=$1 n=$2; shift 2
for i in $(seq 1 $n); do
  for m in base "$@"; do
    case $m in
    base) kb=$BUILD/bench-base a= ;;
    cur) kb=$BUILD/bench a= ;;
    cand) kb=$BUILD/bench-exp a= ;;
    x*) v=${m#x}; kb=$BUILD/bench-exp a="system_heap.exp_shift=${v%i} deferred_free_helper.exp_interleave=$([ "${v%i}" != "$v" ] && echo 1 || echo 0)" ;;
    r*-g*) r=${m%%-*} g=${m#*-}; kb=$BUILD/bench-exp a="system_heap.exp_reserve=${r#r} system_heap.exp_grow=${g#g}" ;;
    *) echo "bad mode $m"; exit 2 ;;
    esac
    app="console=ttyS0 kunit.enable=0 tsc=reliable bench_kthread=dfree- $a"
    log=/var/cache/gpupool3/exp19/$tag-$m-$i.log
    env GUEST_QEMU_ARGS="${QA:-}" GUEST_MEM=256 GUEST_SMP=2 WORKLOAD=/work/main/harness/wip/issue19/s16/22-b2b-plain.sh \
      $H/guest.sh workload $kb $log 1200 "$app" /var/cache/gpupool/guest-bin-bench >/dev/null 2>&1
    echo "$tag $m $i: $(grep -E '^b2b len' $log | awk '{printf "%s p50 %d p90 %d p99 %d max %d after %d | ", $3/1048576, $7/1000, $9/1000, $11/1000, $13/1000, $21/1024}')"
  done
done

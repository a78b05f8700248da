#!/usr/bin/env bash
# probe.sh LABEL KBUILD... : boot each kernel in a 256 MiB, 2-vCPU guest
# (wall clock) and run heap-b2b; logs in $OUT (default /root/s5/b2b).
set -e
H=/work/main/harness
export GPUPOOL_CACHE=${GPUPOOL_CACHE:-/var/cache/gpupool2}
OUT=${OUT:-/root/s5/b2b}
mkdir -p "$OUT/bin"
inc=/var/cache/gpupool/build/bench-base/usr/include
gcc -static -O2 -Wall -I"$inc" -o "$OUT/bin/heap-b2b" "$H/guest/src/heap-b2b.c"
label=$1; shift
for kb in "$@"; do
	n=$(basename "$kb")
	GUEST_SMP=${SMP:-2} GUEST_MEM=${MEM:-256} WORKLOAD="$H/wip/issue19/b2b/20-b2b.sh" \
		"$H/guest.sh" workload "$kb" "$OUT/$label-$n.log" 900 "console=ttyS0 kunit.enable=0 tsc=reliable" "$OUT/bin" || true
	grep -E '^(b2b|final|dropped|vmstat|post-stats)' "$OUT/$label-$n.log" | sed "s/^/$n /"
done

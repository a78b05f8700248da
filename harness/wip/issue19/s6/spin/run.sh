#!/usr/bin/env bash
# run.sh ROUNDS: the back-to-back program on the base kernel, on the base
# kernel beside a SCHED_IDLE busy loop (what a busy kthread costs the host's
# cores), and on the patched kernel; 256 MiB, 2 vCPUs.  Needs the bench
# kernels of `make bench`.  Logs in $OUT (default /tmp/b2b-spin).
d=$(cd "$(dirname "$0")" && pwd)
H=/work/main/harness
B=${GPUPOOL_BUILD:-/var/cache/gpupool/build}
OUT=${OUT:-/tmp/b2b-spin}
export GPUPOOL_CACHE=${GPUPOOL_CACHE:-/var/cache/gpupool2}
mkdir -p "$OUT/bin"
gcc -static -O2 -Wall -o "$OUT/bin/idle-spin" "$d/idle-spin.c" || exit 1
gcc -static -O2 -Wall -I"$B/bench-base/usr/include" -o "$OUT/bin/heap-b2b" "$H/guest/src/heap-b2b.c" || exit 1
cp "$H/guest/bench/20-b2b.sh" "$d/21-b2b-spin.sh" "$OUT/"
for r in $(seq 1 "${1:-1}"); do
	for c in base:bench-base:20-b2b.sh base-spin:bench-base:21-b2b-spin.sh patched:bench:20-b2b.sh; do
		IFS=: read -r label kb wl <<<"$c"
		GUEST_SMP=2 GUEST_MEM=256 WORKLOAD="$OUT/$wl" "$H/guest.sh" workload "$B/$kb" "$OUT/$label-$r.log" 900 \
			"console=ttyS0 kunit.enable=0 tsc=reliable" "$OUT/bin" >/dev/null 2>&1 || true
		# size, alloc p50, p99, max (ns)
		echo "$label-$r: $(grep -E '^b2b len' "$OUT/$label-$r.log" | awk '{print $3, $7, $11, $13}' | tr '\n' ' ')"
	done
done

#!/usr/bin/env bash
# make bench: the system heap, base kernel against patched kernel, the same
# guest program (guest/src/dmabuf-pressure.c "bench") in alternating boots
# (base, patched, base, patched, ...; PAIRS pairs, default 3), 512 MiB, 1
# vCPU, -cpu Nehalem, each kernel once under -icount shift=0 (guest
# instruction counts: deterministic, they judge the bars) and once on the
# wall clock (reported beside them with their spread).  For 4 KiB, 1, 8 and
# 32 MiB: p50 and p99 of the allocation ioctl and of close(), and CPU time
# per MiB of the caller and of the deferred-free kthread (from
# /proc/<pid>/schedstat).  The kernels are
# the bench kernels of harness/bench-kernels.sh (the KUnit configuration
# plus schedstats).
# Writes harness/results/heap-bench.json (the guest's result lines of every
# boot, and what was measured: harness/results_stale.py), heap-bench.md and
# heap-bench.png; exit status 1 if a bar is missed on the metric it is judged
# on (instruction counts).
. "$(dirname "$0")/lib.sh"

pairs=${PAIRS:-3}
kthread=${BENCH_KTHREAD:-dfree-}
logs="$CACHE/logs/bench"
rm -rf "$logs"
mkdir -p "$logs"
# What is measured, before the kernels are built from it
date -u +%Y-%m-%dT%H:%M:%SZ >"$logs/started"
echo "PAIRS=$pairs BENCH_KTHREAD=$kthread make bench" >"$logs/command"
echo "$kthread" >"$logs/kthread"
python3 "$H/results_stale.py" --snapshot heap-bench >"$logs/measured.json"
"$H/bench-kernels.sh" >"$logs/kernels.log" 2>&1 || { tail -3 "$logs/kernels.log"; die "kernels did not build"; }
bindir="$CACHE/guest-bin-bench"
mkdir -p "$bindir"
# The series changes no uapi: the base's headers serve both kernels.
make -s -C "$CACHE/bench-tree-base" O="$BUILD/bench-base" ARCH=x86_64 headers_install >/dev/null 2>&1 ||
	die "headers_install failed in $BUILD/bench-base"
gcc -static -O2 -Wall -I"$BUILD/bench-base/usr/include" -o "$bindir/dmabuf-pressure" \
	"$H/guest/src/dmabuf-pressure.c" || die "could not build the guest program"
cut -d' ' -f1-3 /proc/loadavg >"$logs/loadavg"
# One vCPU: on this 2-core host a second vCPU competes with QEMU's own
# threads for the host's cores, and the guest sees that as millisecond
# stalls of whatever it measures.  tsc=reliable keeps the TSC as the
# clocksource, so that the guest's clock reads are cheap and schedstat's
# CPU times exact.
app="console=ttyS0 kunit.enable=0 tsc=reliable bench_kthread=$kthread"
for i in $(seq 1 "$pairs"); do
	for k in base patched; do
		kb="$BUILD/bench"; [ $k = base ] && kb="$BUILD/bench-base"
		step "pair $i/$pairs: $k kernel, -icount shift=0"
		GUEST_SMP=1 GUEST_QEMU_ARGS="-icount shift=0" WORKLOAD="$H/guest/bench/10-heap-bench.sh" \
			"$H/guest.sh" workload "$kb" "$logs/icount-$k$i.log" 1200 "$app" "$bindir" || true
		step "pair $i/$pairs: $k kernel, wall clock"
		GUEST_SMP=1 WORKLOAD="$H/guest/bench/10-heap-bench.sh" \
			"$H/guest.sh" workload "$kb" "$logs/wall-$k$i.log" 1200 "$app" "$bindir" || true
	done
done
cut -d' ' -f1-3 /proc/loadavg >>"$logs/loadavg"
python3 "$H/bench_heap_table.py" "$logs" "$pairs" "$H/results" || exit 1

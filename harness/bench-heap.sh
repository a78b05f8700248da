#!/usr/bin/env bash
# make bench: the system heap, base kernel against patched kernel, in
# alternating boots of the bench kernels of harness/bench-kernels.sh (the
# KUnit configuration plus schedstats), QEMU TCG, -cpu Nehalem.  Three parts,
# each with its own bars (harness/bench_heap_table.py):
#
#  1. Paced rounds (guest/src/dmabuf-pressure.c "bench"), 512 MiB, 1 vCPU:
#     for 4 KiB, 1, 8 and 32 MiB, p50 and p99 of the allocation ioctl and of
#     close(), and CPU time per MiB of the caller and of the deferred-free
#     kthread (from /proc/<pid>/schedstat).  ICOUNT_PAIRS pairs (default 3)
#     under -icount shift=0 (guest instruction counts: deterministic; they
#     judge this part's bars), PAIRS pairs (default 5) on the wall clock.
#  2. The 1 MiB close p50 on the wall clock (issue 19 item 4), judged in the
#     same boot: SB_BOOTS boots (default 5) of the patched kernel, 1 vCPU,
#     running "dmabuf-pressure sameboot 48 20" (blocks of the heap as
#     shipped alternating with its base path, pools and deferred free off
#     at run time), each boot one pair with its own A/A floor; one boot of
#     the same program on each kernel under -icount shift=0 checks that
#     the base path runs the base kernel's instructions.  Reported beside it: the PAIRS wall-clock
#     pairs of part 1 against PAIRS more pairs of boots of the base kernel
#     in both slots ("aa-a", "aa-b"), and SMP2_PAIRS pairs (default 2) of
#     the same protocol on 2 vCPUs.
#  3. Back-to-back rounds (guest/src/heap-b2b.c, issue 19 item 2), 256 MiB,
#     B2B_SMP vCPUs (default 2): 100 allocate+close rounds per size with no
#     pause, B2B_PAIRS pairs (default 3) and as many A/A pairs of the base;
#     beside them, reported only, B2B_SB_BOOTS boots (default 2) of the
#     patched kernel running the same case in the same boot, the heap as
#     shipped against its base path ("heap-b2b sameboot 8 100").
#
# Within each round i the boots run base, patched, base, base for each part
# that still has a pair to run, so A/B and A/A pairs see the same host.
# Writes harness/results/heap-bench.json (the guest's result lines of every
# boot, and what was measured: harness/results_stale.py), heap-bench.md and
# heap-bench.png; the last line printed is the verdict.  Exit status 1 if a
# judged bar fails or is inconclusive, or a boot's results are incomplete.
. "$(dirname "$0")/lib.sh"

pairs=${PAIRS:-5}
icount_pairs=${ICOUNT_PAIRS:-3}
smp2_pairs=${SMP2_PAIRS:-2}
b2b_pairs=${B2B_PAIRS:-3}
b2b_smp=${B2B_SMP:-2}
sb_boots=${SB_BOOTS:-5}
b2b_sb_boots=${B2B_SB_BOOTS:-2}
for n in "$pairs" "$icount_pairs" "$smp2_pairs" "$b2b_pairs" "$b2b_smp" "$sb_boots" "$b2b_sb_boots"; do
	case "$n" in '' | *[!0-9]*) die "PAIRS, ICOUNT_PAIRS, SMP2_PAIRS, B2B_PAIRS, B2B_SMP, SB_BOOTS and B2B_SB_BOOTS are numbers" ;; esac
done
[ "$icount_pairs" -ge 1 ] && [ "$pairs" -ge 1 ] && [ "$b2b_pairs" -ge 1 ] && [ "$b2b_smp" -ge 1 ] ||
	die "ICOUNT_PAIRS, PAIRS, B2B_PAIRS and B2B_SMP must be at least 1"
kthread=${BENCH_KTHREAD:-dfree-}
logs="$CACHE/logs/bench"
rm -rf "$logs"
mkdir -p "$logs"
# What is measured, before the kernels are built from it
date -u +%Y-%m-%dT%H:%M:%SZ >"$logs/started"
echo "PAIRS=$pairs ICOUNT_PAIRS=$icount_pairs SMP2_PAIRS=$smp2_pairs B2B_PAIRS=$b2b_pairs B2B_SMP=$b2b_smp SB_BOOTS=$sb_boots B2B_SB_BOOTS=$b2b_sb_boots BENCH_KTHREAD=$kthread make bench" >"$logs/command"
echo "$b2b_smp" >"$logs/b2b_smp"
echo "$sb_boots" >"$logs/sb_boots"
echo "$b2b_sb_boots" >"$logs/b2b_sb_boots"
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
gcc -static -O2 -Wall -I"$BUILD/bench-base/usr/include" -o "$bindir/heap-b2b" \
	"$H/guest/src/heap-b2b.c" || die "could not build the guest program heap-b2b"
cut -d' ' -f1-3 /proc/loadavg >"$logs/loadavg"
# One vCPU for the paced parts: on this 2-core host a second vCPU competes
# with QEMU's own threads for the host's cores, and the guest sees that as
# millisecond stalls of whatever it measures (the 2-vCPU boots are reported
# only).  The back-to-back part takes 2 vCPUs by default: with no pause
# between rounds the deferred-free kthread can only zero beside the caller
# on a second CPU, the case the series is built for; its A/A pairs say how
# much of its figures the host's noise is.  tsc=reliable keeps the TSC as the
# clocksource, so that the guest's clock reads are cheap and schedstat's
# CPU times exact.
# loglevel=4: no informational kernel line (an input device probed late,
# drop_caches) lands in the middle of a result line on the shared console.
app="console=ttyS0 kunit.enable=0 tsc=reliable loglevel=4 bench_kthread=$kthread"
kb_of() { if [ "$1" = patched ]; then echo "$BUILD/bench"; else echo "$BUILD/bench-base"; fi; }
# boot LOG KERNEL WORKLOAD [VAR=VALUE...]: one boot, its console in
# $logs/LOG.log; BOOT_APPEND adds to the kernel's command line.
boot() {
	local log=$1 k=$2 w=$3
	shift 3
	env GUEST_QEMU_ARGS= GUEST_MEM=512 "$@" WORKLOAD="$H/guest/bench/$w" \
		"$H/guest.sh" workload "$(kb_of "$k")" "$logs/$log.log" 1200 "$app${BOOT_APPEND:+ $BOOT_APPEND}" "$bindir" || true
}
rounds=$pairs
for n in "$icount_pairs" "$smp2_pairs" "$b2b_pairs" "$sb_boots" "$b2b_sb_boots"; do [ "$n" -le "$rounds" ] || rounds=$n; done
SECONDS=0
# The same-boot base path checked against the base kernel in instructions
step "same boot, base and patched kernels, -icount shift=0, 2 quads ($SECONDS s)"
for k in base patched; do
	BOOT_APPEND=sb_quads=2 boot "sbic-${k}1" $k 30-sameboot.sh GUEST_SMP=1 GUEST_QEMU_ARGS="-icount shift=0"
done
for i in $(seq 1 "$rounds"); do
	if [ "$i" -le "$sb_boots" ]; then
		step "round $i: same boot, patched kernel against its base path, wall clock ($SECONDS s)"
		boot "sb-patched$i" patched 30-sameboot.sh GUEST_SMP=1
	fi
	if [ "$i" -le "$icount_pairs" ]; then
		for k in base patched; do
			step "round $i: $k kernel, paced, -icount shift=0 ($SECONDS s)"
			boot "icount-$k$i" $k 10-heap-bench.sh GUEST_SMP=1 GUEST_QEMU_ARGS="-icount shift=0"
		done
	fi
	if [ "$i" -le "$pairs" ]; then
		for k in base patched; do
			step "round $i: $k kernel, paced, wall clock ($SECONDS s)"
			boot "wall-$k$i" $k 10-heap-bench.sh GUEST_SMP=1
		done
		for s in a b; do
			step "round $i: A/A pair, base kernel in slot $s, paced, wall clock ($SECONDS s)"
			boot "aa-$s$i" base 10-heap-bench.sh GUEST_SMP=1
		done
	fi
	if [ "$i" -le "$smp2_pairs" ]; then
		for k in base patched; do
			step "round $i: $k kernel, paced, wall clock, 2 vCPUs ($SECONDS s)"
			boot "smp2-$k$i" $k 10-heap-bench.sh GUEST_SMP=2
		done
	fi
	if [ "$i" -le "$b2b_pairs" ]; then
		for k in base patched a b; do
			log="b2b-$k$i" kk=$k
			case $k in a | b) log="b2baa-$k$i" kk=base ;; esac
			step "round $i: back-to-back, $log, $b2b_smp vCPUs, 256 MiB ($SECONDS s)"
			boot "$log" $kk 20-b2b.sh GUEST_SMP="$b2b_smp" GUEST_MEM=256
		done
	fi
	if [ "$i" -le "$b2b_sb_boots" ]; then
		step "round $i: back-to-back in the same boot, patched kernel, $b2b_smp vCPUs, 256 MiB ($SECONDS s)"
		boot "b2bsb-patched$i" patched 40-b2b-sameboot.sh GUEST_SMP="$b2b_smp" GUEST_MEM=256
	fi
done
echo "$SECONDS" >"$logs/boot_seconds"
cut -d' ' -f1-3 /proc/loadavg >>"$logs/loadavg"
python3 "$H/bench_heap_table.py" "$logs" "$pairs" "$icount_pairs" "$smp2_pairs" "$b2b_pairs" "$H/results" || exit 1

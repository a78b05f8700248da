#!/usr/bin/env bash
# Item 9 of issue 17: the 2-vCPU slowdown of make bench-ttm.  Boots the bench
# kernels that harness/bench-kernels.sh built (base, patched), alternating,
# ROUNDS rounds, GUEST_SMP vCPUs (default 2), with probe.sh as the workload:
# the bench's figures plus per-CPU and per-task CPU time since boot.
# PATCHED_KB=DIR boots DIR in place of the patched kernel (A/A control:
# the base kernel against itself).
# Usage: smp2-probe.sh OUTDIR [extra QEMU args]
set -eu
H=/work/main/harness
. "$H/lib.sh"
out=$1; shift
mkdir -p "$out"
for i in $(seq 1 "${ROUNDS:-3}"); do
	for k in base patched; do
		kb=${PATCHED_KB:-$BUILD/bench}; [ "$k" = base ] && kb="$BUILD/bench-base"
		st0=$(awk '/^cpu / {print $9, $2+$3+$4+$7+$8}' /proc/stat)
		GUEST_SMP=${GUEST_SMP:-2} GUEST_QEMU_ARGS="${*:-}" WORKLOAD="$(dirname "$0")/probe.sh" \
			"$H/guest.sh" workload "$kb" "$out/$k$i.log" 600 \
			"console=ttyS0 kunit.enable=0 tsc=unstable gpupool_bench.ttm=1" || true
		st1=$(awk '/^cpu / {print $9, $2+$3+$4+$7+$8}' /proc/stat)
		# host steal and busy ticks (USER_HZ, both host CPUs) over the boot
		echo "host-ticks $k$i steal $(( ${st1% *} - ${st0% *} )) busy $(( ${st1#* } - ${st0#* } ))" >>"$out/host-ticks"
		grep -q 'ttm_pool_bench: done (0)' "$out/$k$i.log" || echo "no bench in $out/$k$i.log"
	done
done

#!/bin/sh
# Alternating boots of the base and patched kernels (same config, same
# benchmark built in), wall clock, no icount. Run from the worktree.
B=/var/cache/gpupool/build/kunit-ttm
for i in 1 2 3 4 5; do
	for k in ${ORDER:-base patched}; do
		cp $B/bench/bzImage-$k $B/arch/x86/boot/bzImage
		python3 tools/testing/kunit/kunit.py exec --arch=x86_64 --build_dir=$B \
			--qemu_config=/work/main/harness/kunit/x86_64-smp2.py --timeout 900 \
			'ttm_resource' > /dev/null 2>&1
		grep ttm_pool_bench $B/test.log | sed "s/^/$k $i /" >> $B/bench/${OUT:-wallclock.txt}
	done
done
cp $B/bench/bzImage-tests $B/arch/x86/boot/bzImage

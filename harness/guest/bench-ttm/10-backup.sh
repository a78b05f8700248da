# make bench-ttm: the pool benchmark ran in the kernel before userspace
# (gpupool_bench.ttm=1).  The backup benchmark backs up a 64 MiB tt only if
# swap could take it (nothing is written there: no writeback), so it runs
# here, once zram swap is on; the kernel prints its results.
echo 256M >/sys/block/zram0/disksize || exit 1
mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || exit 1
echo 1 >/sys/module/gpupool_bench/parameters/ttm_backup || exit 1

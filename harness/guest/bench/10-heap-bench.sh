# make bench: the system heap's allocate-then-close rounds (dmabuf-pressure.c).
# BENCH_KTHREAD on the command line names the deferred-free kthread ("-": none).
k=$(sed -n 's/.*bench_kthread=\([^ ]*\).*/\1/p' /proc/cmdline)
dmabuf-pressure bench "${k:--}"
# Pool hits and misses, for reading the allocation figures
f=/sys/kernel/debug/drm_page_pool/pools
[ -r $f ] && sed 's/^/bench-pools /' $f
true

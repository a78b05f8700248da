# make bench, back-to-back case: 100 allocate+close rounds per size with no
# pause (guest/src/heap-b2b.c), then the pools and direct-reclaim counters.
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
rc=$?
f=/sys/kernel/debug/drm_page_pool/pools
[ -r $f ] && sed 's/^/b2b-pools /' $f
grep -E '^(allocstall|pgscan_direct|pgsteal_direct|compact_stall)' /proc/vmstat | sed 's/^/b2b-vmstat /'
exit $rc

grep -E '^MemAvailable' /proc/meminfo | sed 's/^/exp-before /'
grep -E '^(allocstall|pgscan|pgsteal|compact_stall|thp|pgfault|pgalloc)' /proc/vmstat | sed 's/^/vm0 /'
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
rc=$?
grep -E '^(allocstall|pgscan|pgsteal|compact_stall|thp|pgfault|pgalloc)' /proc/vmstat | sed 's/^/vm1 /'
exit $rc

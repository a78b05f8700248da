grep -E '^MemAvailable' /proc/meminfo | sed 's/^/exp-before /'
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
rc=$?
grep -E '^MemAvailable' /proc/meminfo | sed 's/^/exp-after /'
exit $rc

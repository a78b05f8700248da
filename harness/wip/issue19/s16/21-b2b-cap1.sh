# experiment 1 (s15 analysis): the backlog limited to ~2 items at 1 MiB
p=/sys/module/deferred_free_helper/parameters/max_backlog_percent
if [ -w $p ]; then echo 1 > $p; echo "exp: max_backlog_percent=$(cat $p)"; fi
grep -E '^MemAvailable' /proc/meminfo | sed 's/^/exp-before /'
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
rc=$?
grep -E '^MemAvailable' /proc/meminfo | sed 's/^/exp-after /'
grep -E '^(allocstall|pgscan_direct|pgsteal_direct|compact_stall)' /proc/vmstat | sed 's/^/b2b-vmstat /'
exit $rc

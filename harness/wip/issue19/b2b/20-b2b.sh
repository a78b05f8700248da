# back-to-back heap rounds (issue 19 item 2 probe)
for f in /sys/kernel/debug/deferred_free/system/stats; do [ -r $f ] && sed 's/^/pre-stats /' $f; done
heap-b2b 100 /sys/kernel/debug/deferred_free/system/stats
for f in /sys/kernel/debug/deferred_free/system/stats; do [ -r $f ] && sed 's/^/post-stats /' $f; done
f=/sys/kernel/debug/drm_page_pool/pools; [ -r $f ] && sed 's/^/pools /' $f
grep -E 'MemAvailable|MemFree' /proc/meminfo | sed 's/^/final /'
echo 3 > /proc/sys/vm/drop_caches; grep MemAvailable /proc/meminfo | sed 's/^/dropped /'
grep -E 'allocstall|pgsteal_direct|pgscan_direct|compact_stall' /proc/vmstat | sed 's/^/vmstat /'
true

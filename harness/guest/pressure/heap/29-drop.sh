# After drop_caches the pools and the deferred-free list are empty, and the
# pools were not empty before it (pools before_drop_caches_pages).  First
# let the deferred-free kthread go idle (at most 30 s): nothing queued and
# no item freed for a second, so that no pass it is still running refills a
# pool after the shrinkers ran.
stat() { cat /sys/kernel/debug/deferred_free/*/stats 2>/dev/null | awk -v k="$1:" '$1 == k { s += $2 } END { print s + 0 }'; }
prev=-1
for i in $(seq 1 30); do
	q=$(stat queued_items) f=$(stat freed_items)
	[ "$q" = 0 ] && [ "$f" = "$prev" ] && break
	prev=$f
	sleep 1
done
# The pools must hold pages now, or "empty after drop_caches" proves nothing.
f=/sys/kernel/debug/drm_page_pool/pools
[ -r $f ] && awk '/^total/ { print "pools before_drop_caches_pages " $2 }' $f
echo 2 >/proc/sys/vm/drop_caches
[ -r $f ] && awk '/^total/ { print "pools after_drop_caches_pages " $2 }' $f
[ -r $f ] && sed 's/^/pools-table /' $f
for f in /sys/kernel/debug/deferred_free/*/stats; do
	[ -r "$f" ] && sed "s|^|deferred $(basename "$(dirname "$f")") |" "$f"
done
echo "oom_kill total $(awk '/^oom_kill / {print $2}' /proc/vmstat)"

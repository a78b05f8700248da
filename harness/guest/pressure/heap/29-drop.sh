# After drop_caches the pools and the deferred-free list are empty.
echo 2 >/proc/sys/vm/drop_caches
sleep 1
f=/sys/kernel/debug/drm_page_pool/pools
[ -r $f ] && awk '/^total/ { print "pools after_drop_caches_pages " $3 }' $f
for f in /sys/kernel/debug/deferred_free/*/stats; do
	[ -r "$f" ] && sed "s|^|deferred $(basename "$(dirname "$f")") |" "$f"
done
echo "oom_kill total $(awk '/^oom_kill / {print $2}' /proc/vmstat)"

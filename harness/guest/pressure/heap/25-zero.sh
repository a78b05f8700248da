# R17 end to end (issue 19 item 5): what a buffer held comes back zeroed.
# First the check itself is shown to detect non-zero memory (a buffer
# written and checked as it is; one byte planted at the end of a zeroed
# one).  Then the pools are emptied (drop_caches, once the deferred-free
# list is idle), so that any later pool hit serves a block that held one
# of this case's secrets; buffers of 4 KiB, 64 KiB, 1, 8 and 32 MiB and
# 1 MiB + 68 KiB are written with a secret in every word and closed, then
# allocated, checked all zero and written again, round after round (at
# least 2, at most 8), until a pool served every size: "zero len" says per
# size how many reallocations a pool served (debugfs pool hits; "absent"
# on the base kernel, whose buffers all come from the buddy allocator).
dmabuf-pressure zero-selftest
stat() { awk -v k="$1:" '$1 == k { print $2 }' /sys/kernel/debug/deferred_free/system/stats 2>/dev/null; }
i=0
while [ "$(stat queued_items)" != "" ] && [ "$(stat queued_items)" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo 2 >/proc/sys/vm/drop_caches
f=/sys/kernel/debug/drm_page_pool/pools
if [ -r $f ]; then
	awk '/^total/ { print "zero pools_after_drop_caches_pages " $2 }' $f
else
	echo "zero pools_after_drop_caches_pages absent"
fi
# The heap's pools keep an eighth of the RAM (about 29 MiB here), which
# the case's order-8 blocks alone can fill; a block given while the heap's
# pools are at their limit goes to the system instead (it would only push
# out another zeroed block), so the order-4 pool might never be fed and the
# 64 KiB reallocations never served by a pool.  This case is about zeroing,
# not the limit: it runs with the limit at 64 MiB (more than it ever frees
# at once), restored afterwards.
lim=/sys/module/system_heap/parameters/pool_limit_pages
old_lim=
if [ -w $lim ]; then
	old_lim=$(cat $lim)
	echo 16384 >$lim
	echo "zero pool_limit_pages $old_lim raised_to $(cat $lim)"
fi
dmabuf-pressure zero 2 8
[ -z "$old_lim" ] || echo "$old_lim" >$lim

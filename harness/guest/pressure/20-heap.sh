# The system heap under bad input and under memory pressure.  The program
# that may meet the OOM killer (fill) runs last.
dmabuf-pressure errno
dmabuf-pressure churn 4
dmabuf-pressure big
dmabuf-pressure fill
echo 2 >/proc/sys/vm/drop_caches
sleep 1
f=/sys/kernel/debug/drm_page_pool/pools
[ -r $f ] && awk '/^total/ { print "pools after_drop_caches_pages " $3 }' $f
for f in /sys/kernel/debug/dma_heap/*deferred* /sys/kernel/debug/dmabuf_deferred_free/*; do
	[ -r "$f" ] && sed "s|^|deferred $(basename "$f") |" "$f"
done
echo "oom_kill total $(awk '/^oom_kill / {print $2}' /proc/vmstat)"
